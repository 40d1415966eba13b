/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/ioas — the IOAS object and its commands (iommufd §2.2-2.9,
 * §2.19; the kernel's drivers/iommu/iommufd/ioas.c).  The IOVA bookkeeping
 * itself is in io_pagetable.c; this file checks arguments in the kernel's
 * order and moves data between the command structs and the io_pagetable.
 */
#include <errno.h>
#include <stdlib.h>

#include "sim/iommufd/iommufd_priv.h"

/* Owner tag of reservations made with IMS_CMD_IOAS_RESERVE. */
static const char user_reservation_owner;

static void ioas_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct ims_ioas *ioas = IMS_CONTAINER_OF(obj, struct ims_ioas, obj);

	if (ctx->vfio_ioas_id == obj->id)
		ctx->vfio_ioas_id = 0;
	ims_iopt_unreserve(&ioas->iopt, &user_reservation_owner);
	ims_iopt_destroy(&ioas->iopt);
}

static const struct ims_obj_ops ioas_ops = {
	.name = "IOAS",
	.destroy = ioas_destroy,
};

int ims_cmd_ioas_alloc(struct ims_ucmd *ucmd)
{
	struct ims_ioas_alloc *cmd = ucmd->cmd;
	struct ims_ioas *ioas;
	int rc;

	if (cmd->flags)
		return ims_err(ucmd->ctx, -EOPNOTSUPP, "IOAS_ALLOC: flags 0x%x must be 0",
			       cmd->flags);
	ioas = ims_obj_alloc(ucmd->ctx, sizeof(*ioas), IMS_OBJ_IOAS, &ioas_ops, &rc);
	if (!ioas)
		return rc;
	ims_iopt_init(&ioas->iopt, ucmd->ctx);
	ims_list_init(&ioas->hwpt_list);
	cmd->out_ioas_id = ioas->obj.id;
	ims_ucmd_respond(ucmd, sizeof(*cmd));
	ims_obj_finalize(ucmd->ctx, &ioas->obj);
	return 0;
}

static struct ims_ioas *get_ioas(struct ims_ctx *ctx, const char *what, uint32_t id)
{
	struct ims_ioas *ioas = ims_ioas_find(ctx, id);

	if (!ioas)
		ims_err(ctx, -ENOENT, "%s: %u is not an IOAS", what, id);
	return ioas;
}

int ims_cmd_ioas_iova_ranges(struct ims_ucmd *ucmd)
{
	struct ims_ioas_iova_ranges *cmd = ucmd->cmd;
	struct ims_iova_range *out = (struct ims_iova_range *)(uintptr_t)cmd->allowed_iovas;
	struct ims_ioas *ioas;
	uint32_t cap = cmd->num_iovas;
	size_t total;

	if (cmd->reserved)
		return ims_err(ucmd->ctx, -EOPNOTSUPP, "IOAS_IOVA_RANGES: reserved must be 0");
	ioas = get_ioas(ucmd->ctx, "IOAS_IOVA_RANGES", cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	/* Count first, so a NULL array is only an error when written to. */
	total = ims_iopt_iova_ranges(&ioas->iopt, NULL, 0);
	if (cap && total && !out)
		return ims_err(ucmd->ctx, -EFAULT, "IOAS_IOVA_RANGES: allowed_iovas is NULL");
	if (out)
		ims_iopt_iova_ranges(&ioas->iopt, out, cap);
	cmd->num_iovas = (uint32_t)total;
	cmd->out_iova_alignment = ioas->iopt.iova_alignment;
	ims_ucmd_respond(ucmd, sizeof(*cmd));
	if (total > cap)
		return ims_err(ucmd->ctx, -EMSGSIZE, "IOAS_IOVA_RANGES: %zu ranges, room for %u",
			       total, cap);
	return 0;
}

int ims_cmd_ioas_allow_iovas(struct ims_ucmd *ucmd)
{
	struct ims_ioas_allow_iovas *cmd = ucmd->cmd;
	const struct ims_iova_range *ranges =
		(const struct ims_iova_range *)(uintptr_t)cmd->allowed_iovas;
	struct ims_ioas *ioas;

	if (cmd->reserved)
		return ims_err(ucmd->ctx, -EOPNOTSUPP, "IOAS_ALLOW_IOVAS: reserved must be 0");
	ioas = get_ioas(ucmd->ctx, "IOAS_ALLOW_IOVAS", cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->num_iovas && !ranges)
		return ims_err(ucmd->ctx, -EFAULT, "IOAS_ALLOW_IOVAS: allowed_iovas is NULL");
	return ims_iopt_set_allow(&ioas->iopt, ranges, cmd->num_iovas);
}

#define MAP_FLAGS (IMS_IOAS_MAP_FIXED_IOVA | IMS_IOAS_MAP_WRITEABLE | IMS_IOAS_MAP_READABLE)

static unsigned map_prot(uint32_t flags)
{
	return (flags & IMS_IOAS_MAP_READABLE ? IMS_PROT_READ : 0) |
	       (flags & IMS_IOAS_MAP_WRITEABLE ? IMS_PROT_WRITE : 0);
}

/* The checks IOAS_MAP and IOAS_MAP_FILE share, in the kernel's order. */
static int check_map_args(struct ims_ctx *ctx, const char *what, uint32_t flags, uint64_t iova,
			  uint64_t length)
{
	if (flags & ~MAP_FLAGS)
		return ims_err(ctx, -EOPNOTSUPP, "%s: unknown flags 0x%x", what, flags & ~MAP_FLAGS);
	if (iova == UINT64_MAX || length == UINT64_MAX)
		return ims_err(ctx, -EOVERFLOW, "%s: iova or length is 2^64-1", what);
	if (!(flags & (IMS_IOAS_MAP_READABLE | IMS_IOAS_MAP_WRITEABLE)))
		return ims_err(ctx, -EINVAL, "%s: neither READABLE nor WRITEABLE", what);
	return 0;
}

int ims_cmd_ioas_map(struct ims_ucmd *ucmd)
{
	struct ims_ioas_map *cmd = ucmd->cmd;
	struct ims_iopt_piece piece;
	struct ims_ioas *ioas;
	uint64_t iova = cmd->iova;
	int rc;

	if (cmd->reserved)
		return ims_err(ucmd->ctx, -EOPNOTSUPP, "IOAS_MAP: reserved must be 0");
	rc = check_map_args(ucmd->ctx, "IOAS_MAP", cmd->flags, cmd->iova, cmd->length);
	if (rc)
		return rc;
	ioas = get_ioas(ucmd->ctx, "IOAS_MAP", cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	/* Taking the memory (kernel iopt_alloc_user_pages). */
	if (cmd->length > UINT64_MAX - cmd->user_va)
		return ims_err(ucmd->ctx, -EOVERFLOW, "IOAS_MAP: user_va + length wraps");
	if (!cmd->length)
		return ims_err(ucmd->ctx, -EINVAL, "IOAS_MAP: length is 0");
	/* Freshly taken memory is writable exactly when WRITEABLE was asked. */
	piece.pa = cmd->user_va;
	piece.length = cmd->length;
	piece.writable = cmd->flags & IMS_IOAS_MAP_WRITEABLE;
	rc = ims_iopt_map_pieces(&ioas->iopt, &piece, 1, cmd->length, &iova, map_prot(cmd->flags),
				 !(cmd->flags & IMS_IOAS_MAP_FIXED_IOVA));
	if (rc)
		return rc;
	cmd->iova = iova;
	return ims_ucmd_respond(ucmd, sizeof(*cmd));
}

int ims_cmd_ioas_map_file(struct ims_ucmd *ucmd)
{
	struct ims_ioas_map_file *cmd = ucmd->cmd;
	int rc = check_map_args(ucmd->ctx, "IOAS_MAP_FILE", cmd->flags, cmd->iova, cmd->length);

	if (rc)
		return rc;
	if (!get_ioas(ucmd->ctx, "IOAS_MAP_FILE", cmd->ioas_id))
		return -ENOENT;
	return ims_err(ucmd->ctx, -EBADF, "IOAS_MAP_FILE: fd %d (the simulator has no files)",
		       cmd->fd);
}

int ims_cmd_ioas_copy(struct ims_ucmd *ucmd)
{
	struct ims_ioas_copy *cmd = ucmd->cmd;
	struct ims_iopt_piece *pieces = NULL;
	struct ims_ioas *src, *dst;
	uint64_t iova;
	size_t n = 0;
	int rc;

	if (cmd->flags & ~MAP_FLAGS)
		return ims_err(ucmd->ctx, -EOPNOTSUPP, "IOAS_COPY: unknown flags 0x%x",
			       cmd->flags & ~MAP_FLAGS);
	if (cmd->length == UINT64_MAX || cmd->src_iova == UINT64_MAX ||
	    cmd->dst_iova == UINT64_MAX)
		return ims_err(ucmd->ctx, -EOVERFLOW, "IOAS_COPY: length or an iova is 2^64-1");
	if (!(cmd->flags & (IMS_IOAS_MAP_READABLE | IMS_IOAS_MAP_WRITEABLE)))
		return ims_err(ucmd->ctx, -EINVAL, "IOAS_COPY: neither READABLE nor WRITEABLE");
	src = get_ioas(ucmd->ctx, "IOAS_COPY src", cmd->src_ioas_id);
	if (!src)
		return -ENOENT;
	rc = ims_iopt_get_pieces(&src->iopt, cmd->src_iova, cmd->length, &pieces, &n);
	if (rc)
		return rc;
	dst = get_ioas(ucmd->ctx, "IOAS_COPY dst", cmd->dst_ioas_id);
	if (!dst) {
		free(pieces);
		return -ENOENT;
	}
	iova = cmd->dst_iova;
	rc = ims_iopt_map_pieces(&dst->iopt, pieces, n, cmd->length, &iova, map_prot(cmd->flags),
				 !(cmd->flags & IMS_IOAS_MAP_FIXED_IOVA));
	free(pieces);
	if (rc)
		return rc;
	cmd->dst_iova = iova;
	return ims_ucmd_respond(ucmd, sizeof(*cmd));
}

int ims_cmd_ioas_unmap(struct ims_ucmd *ucmd)
{
	struct ims_ioas_unmap *cmd = ucmd->cmd;
	struct ims_ioas *ioas = get_ioas(ucmd->ctx, "IOAS_UNMAP", cmd->ioas_id);
	uint64_t unmapped = 0;
	int rc;

	if (!ioas)
		return -ENOENT;
	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		rc = ims_iopt_unmap_all(&ioas->iopt, &unmapped);
		if (rc)
			return rc;
	} else {
		if (cmd->iova == UINT64_MAX || cmd->length == UINT64_MAX)
			return ims_err(ucmd->ctx, -EOVERFLOW, "IOAS_UNMAP: iova or length is 2^64-1");
		rc = ims_iopt_unmap(&ioas->iopt, cmd->iova, cmd->length, &unmapped);
		if (rc)
			return rc;
		if (!unmapped)
			return ims_err(ucmd->ctx, -ENOENT, "IOAS_UNMAP: nothing mapped in the range");
	}
	cmd->length = unmapped;
	return ims_ucmd_respond(ucmd, sizeof(*cmd));
}

int ims_ioas_option(struct ims_ucmd *ucmd)
{
	struct ims_option *cmd = ucmd->cmd;
	struct ims_ioas *ioas = get_ioas(ucmd->ctx, "OPTION", cmd->object_id);

	if (!ioas)
		return -ENOENT;
	if (cmd->option_id != IMS_OPTION_HUGE_PAGES)
		return ims_err(ucmd->ctx, -EOPNOTSUPP, "OPTION: option %u is not per IOAS",
			       cmd->option_id);
	if (cmd->op == IMS_OPTION_OP_GET) {
		cmd->val64 = !ioas->iopt.disable_large_pages;
		return 0;
	}
	if (cmd->op != IMS_OPTION_OP_SET)
		return ims_err(ucmd->ctx, -EOPNOTSUPP, "OPTION: unknown op %u", cmd->op);
	if (cmd->val64 == 0)
		return ims_iopt_disable_large_pages(&ioas->iopt);
	if (cmd->val64 == 1) {
		ims_iopt_enable_large_pages(&ioas->iopt);
		return 0;
	}
	return ims_err(ucmd->ctx, -EINVAL, "OPTION HUGE_PAGES: value %llu is not 0 or 1",
		       (unsigned long long)cmd->val64);
}

int ims_cmd_ioas_change_process(struct ims_ucmd *ucmd)
{
	struct ims_ioas_change_process *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;

	if (cmd->reserved)
		return ims_err(ctx, -EOPNOTSUPP, "IOAS_CHANGE_PROCESS: reserved must be 0");
	/* Only file-backed areas can move; every area here came from IOAS_MAP. */
	for (uint32_t id = 1; id < ctx->nslots; id++) {
		struct ims_ioas *ioas = ims_ioas_find(ctx, id);

		if (ioas && ioas->iopt.areas.count)
			return ims_err(ctx, -EINVAL,
				       "IOAS_CHANGE_PROCESS: IOAS %u has areas not made by MAP_FILE",
				       id);
	}
	return 0;
}

int ims_cmd_ioas_reserve(struct ims_ucmd *ucmd)
{
	struct ims_ioas_reserve *cmd = ucmd->cmd;
	struct ims_ioas *ioas = get_ioas(ucmd->ctx, "IOAS_RESERVE", cmd->ioas_id);

	if (!ioas)
		return -ENOENT;
	return ims_iopt_reserve(&ioas->iopt, cmd->start, cmd->last, &user_reservation_owner);
}
