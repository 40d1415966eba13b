/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/main — the context, the object table and the command
 * dispatcher (the role of the kernel's drivers/iommu/iommufd/main.c).
 *
 * Everything about object lifetime and command structs is decided here, once
 * (iommufd §0, §1); the per-kind files only say what their objects mean.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"
#include "sim/pt.h"
#include "sim/stats.h"

/* The command structs have the kernel uAPI's layout (iommufd §2): same sizes
 * as include/uapi/linux/iommufd.h, so traces and tools can convert 1:1. */
_Static_assert(sizeof(struct ims_destroy) == 8, "uapi layout");
_Static_assert(sizeof(struct ims_ioas_alloc) == 12, "uapi layout");
_Static_assert(sizeof(struct ims_ioas_iova_ranges) == 32, "uapi layout");
_Static_assert(sizeof(struct ims_ioas_allow_iovas) == 24, "uapi layout");
_Static_assert(sizeof(struct ims_ioas_map) == 40, "uapi layout");
_Static_assert(sizeof(struct ims_ioas_map_file) == 40, "uapi layout");
_Static_assert(sizeof(struct ims_ioas_copy) == 40, "uapi layout");
_Static_assert(sizeof(struct ims_ioas_unmap) == 24, "uapi layout");
_Static_assert(sizeof(struct ims_option) == 24, "uapi layout");
_Static_assert(sizeof(struct ims_vfio_ioas) == 12, "uapi layout");
_Static_assert(sizeof(struct ims_hwpt_alloc) == 48, "uapi layout");
_Static_assert(sizeof(struct ims_hw_info) == 40, "uapi layout");
_Static_assert(sizeof(struct ims_hwpt_set_dirty_tracking) == 16, "uapi layout");
_Static_assert(sizeof(struct ims_hwpt_get_dirty_bitmap) == 48, "uapi layout");
_Static_assert(sizeof(struct ims_hwpt_invalidate) == 32, "uapi layout");
_Static_assert(sizeof(struct ims_hwpt_pgfault) == 40, "uapi layout");
_Static_assert(sizeof(struct ims_hwpt_page_response) == 8, "uapi layout");
_Static_assert(sizeof(struct ims_fault_alloc) == 16, "uapi layout");
_Static_assert(sizeof(struct ims_viommu_alloc) == 40, "uapi layout");
_Static_assert(sizeof(struct ims_vdevice_alloc) == 24, "uapi layout");
_Static_assert(sizeof(struct ims_ioas_change_process) == 8, "uapi layout");
_Static_assert(sizeof(struct ims_vevent_header) == 8, "uapi layout");
_Static_assert(sizeof(struct ims_veventq_alloc) == 32, "uapi layout");
_Static_assert(sizeof(struct ims_hw_queue_alloc) == 40, "uapi layout");
_Static_assert(sizeof(struct ims_hwpt_vtd_s1) == 24, "uapi layout");
_Static_assert(sizeof(struct ims_hw_info_vtd) == 24, "uapi layout");
_Static_assert(sizeof(struct ims_hw_info_arm_smmuv3) == 40, "uapi layout");
_Static_assert(sizeof(struct ims_hw_info_tegra241_cmdqv) == 8, "uapi layout");
_Static_assert(offsetof(struct ims_hw_info, out_capabilities) == 32, "uapi layout");
_Static_assert(offsetof(struct ims_hwpt_alloc, fault_id) == 40, "uapi layout");
/* model.h's protection and access bits are sim/pt.h's. */
_Static_assert(IMS_PROT_READ == IMS_PT_PROT_R && IMS_PROT_WRITE == IMS_PT_PROT_W &&
	       IMS_PROT_NOEXEC == IMS_PT_PROT_NOEXEC && IMS_PROT_PRIV == IMS_PT_PROT_PRIV,
	       "prot bits");
_Static_assert(IMS_ACC_READ == IMS_PT_ACC_R && IMS_ACC_WRITE == IMS_PT_ACC_W &&
	       IMS_ACC_EXEC == IMS_PT_ACC_X && IMS_ACC_PRIV == IMS_PT_ACC_PRIV, "access bits");

/* ---- errors ---------------------------------------------------------------------- */

int ims_err(struct ims_ctx *ctx, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

const char *ims_ctx_errmsg(const struct ims_ctx *ctx)
{
	return ctx ? ctx->errmsg : "no context";
}

/* ---- the object table ------------------------------------------------------------ */

/* Lowest FREE ID >= ctx->lowest_free, growing the table as needed (the
 * kernel's xa_alloc with XA_FLAGS_ALLOC1 hands out the lowest free index). */
static int reserve_id(struct ims_ctx *ctx, uint32_t *id)
{
	uint32_t i;

	for (i = ctx->lowest_free; i < ctx->nslots; i++)
		if (ctx->slots[i].state == IMS_SLOT_FREE)
			break;
	if (i >= ctx->nslots) {
		uint32_t cap = ctx->nslots ? ctx->nslots * 2 : 16;
		struct ims_slot *s;

		if (i > IMS_MAX_OBJ_ID)
			return -EBUSY;
		if (cap > IMS_MAX_OBJ_ID + 1u)
			cap = IMS_MAX_OBJ_ID + 1u;
		if (cap <= i)
			cap = i + 1;
		s = realloc(ctx->slots, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		memset(s + ctx->nslots, 0, (cap - ctx->nslots) * sizeof(*s));
		ctx->slots = s;
		ctx->nslots = cap;
	}
	ctx->slots[i].state = IMS_SLOT_RESERVED;
	ctx->nused++;
	ctx->lowest_free = i + 1;
	*id = i;
	return 0;
}

static void release_id(struct ims_ctx *ctx, uint32_t id, bool tombstone)
{
	ctx->slots[id].obj = NULL;
	if (tombstone) {
		ctx->slots[id].state = IMS_SLOT_TOMBSTONE;
		return;
	}
	ctx->slots[id].state = IMS_SLOT_FREE;
	ctx->nused--;
	if (id < ctx->lowest_free)
		ctx->lowest_free = id;
}

void *ims_obj_alloc(struct ims_ctx *ctx, size_t size, enum ims_obj_type type,
		    const struct ims_obj_ops *ops, int *err)
{
	struct ims_obj *obj;
	uint32_t id;
	int rc;

	obj = calloc(1, size);
	if (!obj) {
		*err = ims_err(ctx, -ENOMEM, "out of host memory");
		return NULL;
	}
	rc = reserve_id(ctx, &id);
	if (rc) {
		free(obj);
		*err = ims_err(ctx, rc, "no object ID left");
		return NULL;
	}
	obj->ops = ops;
	obj->type = type;
	obj->id = id;
	obj->users = 1;
	ctx->slots[id].obj = obj;
	*err = 0;
	return obj;
}

void ims_obj_finalize(struct ims_ctx *ctx, struct ims_obj *obj)
{
	ctx->slots[obj->id].state = IMS_SLOT_LIVE;
	obj->live = true;
	ctx->nlive++;
}

void ims_obj_abort(struct ims_ctx *ctx, struct ims_obj *obj)
{
	if (obj->ops->abort)
		obj->ops->abort(ctx, obj);
	else
		obj->ops->destroy(ctx, obj);
	release_id(ctx, obj->id, false);
	free(obj);
}

struct ims_obj *ims_obj_find(struct ims_ctx *ctx, uint32_t id, enum ims_obj_type type)
{
	struct ims_obj *obj;

	if (id == 0 || id >= ctx->nslots || ctx->slots[id].state != IMS_SLOT_LIVE)
		return NULL;
	obj = ctx->slots[id].obj;
	if (type != IMS_OBJ_ANY && obj->type != type)
		return NULL;
	return obj;
}

/* Takes a live object out of the table and destroys it, users ignored. */
static void destroy_obj(struct ims_ctx *ctx, struct ims_obj *obj, bool tombstone)
{
	uint32_t id = obj->id;

	/* Out of the table first, so the destroy op cannot find it again. */
	ctx->slots[id].state = IMS_SLOT_RESERVED;
	obj->live = false;
	ctx->nlive--;
	obj->ops->destroy(ctx, obj);
	release_id(ctx, id, tombstone);
	free(obj);
}

int ims_obj_remove(struct ims_ctx *ctx, struct ims_obj *obj, unsigned flags)
{
	if (obj->users != 1)
		return ims_err(ctx, -EBUSY, "%s %u is still in use (%u references)",
			       obj->ops->name, obj->id, obj->users - 1);
	destroy_obj(ctx, obj, flags & IMS_REMOVE_TOMBSTONE);
	return 0;
}

bool ims_obj_put_and_try_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	ims_obj_put(obj);
	if (obj->users != 1 || !obj->live)
		return false;
	destroy_obj(ctx, obj, false);
	return true;
}

size_t ims_ctx_num_objects(const struct ims_ctx *ctx)
{
	return ctx->nlive;
}

/* ---- the context ----------------------------------------------------------------- */

int ims_ctx_create(const struct ims_ctx_cfg *cfg, struct ims_ctx **out)
{
	struct ims_model_env env;
	struct ims_ctx *ctx;
	uint64_t base, size;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!cfg)
		return -EINVAL;
	base = cfg->pool_size ? cfg->pool_base : IMS_CTX_DEFAULT_POOL_BASE;
	size = cfg->pool_size ? cfg->pool_size : IMS_CTX_DEFAULT_POOL_SIZE;
	if ((base | size) % IMS_PAGE_SIZE || size > UINT64_MAX - base)
		return -EINVAL;
	if (cfg->model && (!cfg->model->create || !cfg->model->destroy))
		return -EINVAL;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->seed = cfg->seed;
	ctx->lowest_free = 1;
	ctx->nslots = 0;
	ctx->mem = ims_mem_new();
	ctx->stats = ims_stats_new();
	if (!ctx->mem || !ctx->stats) {
		rc = -ENOMEM;
		goto err;
	}
	rc = ims_palloc_init(&ctx->palloc, ctx->mem, base, size);
	if (rc)
		goto err_mem;
	if (cfg->model) {
		env.ctx = ctx;
		env.mem = ctx->mem;
		env.palloc = &ctx->palloc;
		env.stats = ctx->stats;
		env.seed = cfg->seed;
		rc = cfg->model->create(&env, cfg->model_cfg, &ctx->model_inst);
		if (rc)
			goto err_palloc;
		ctx->model = cfg->model;
	}
	*out = ctx;
	return 0;

err_palloc:
	ims_palloc_fini(&ctx->palloc);
err_mem:
err:
	ims_stats_free(ctx->stats);
	ims_mem_free(ctx->mem);
	free(ctx);
	return rc;
}

struct ims_ctx *ims_ctx_new(const struct ims_ctx_cfg *cfg)
{
	struct ims_ctx *ctx;

	return ims_ctx_create(cfg, &ctx) ? NULL : ctx;
}

/*
 * Closing the context (kernel iommufd_fops_release): destroy every object
 * nobody else refers to, again and again, so each pass frees the leaves the
 * previous pass exposed.  When that stalls, let external owners (the binding
 * driver of a device) go, and carry on.  Whatever is left is a reference
 * counting bug: say so and free it anyway, newest first.
 */
static void destroy_all(struct ims_ctx *ctx)
{
	bool progress = true;
	uint32_t id;

	ctx->tearing_down = true;
	while (progress) {
		progress = false;
		for (id = 1; id < ctx->nslots; id++) {
			struct ims_slot *s = &ctx->slots[id];

			if (s->state == IMS_SLOT_LIVE && s->obj->users == 1) {
				destroy_obj(ctx, s->obj, false);
				progress = true;
			}
		}
		if (progress)
			continue;
		for (id = 1; id < ctx->nslots; id++) {
			struct ims_slot *s = &ctx->slots[id];

			if (s->state == IMS_SLOT_LIVE && s->obj->ops->teardown_release) {
				uint32_t users = s->obj->users;

				s->obj->ops->teardown_release(ctx, s->obj);
				if (s->state != IMS_SLOT_LIVE || s->obj->users != users)
					progress = true;
			}
		}
	}
	for (id = ctx->nslots; id-- > 1;) {
		struct ims_slot *s = &ctx->slots[id];

		if (s->state == IMS_SLOT_LIVE) {
			fprintf(stderr, "iommusim: %s %u still has %u references at context "
				"teardown\n", s->obj->ops->name, id, s->obj->users - 1);
			ctx->internal_errors++;
			destroy_obj(ctx, s->obj, false);
		}
	}
}

void ims_ctx_free(struct ims_ctx *ctx)
{
	if (!ctx)
		return;
	destroy_all(ctx);
	if (ctx->model)
		ctx->model->destroy(ctx->model_inst);
	free(ctx->slots);
	ims_palloc_fini(&ctx->palloc);
	ims_stats_free(ctx->stats);
	ims_mem_free(ctx->mem);
	free(ctx);
}

struct ims_mem *ims_ctx_mem(struct ims_ctx *ctx)
{
	return ctx->mem;
}

struct ims_palloc *ims_ctx_palloc(struct ims_ctx *ctx)
{
	return &ctx->palloc;
}

uint64_t ims_ctx_seed(const struct ims_ctx *ctx)
{
	return ctx->seed;
}

const struct ims_model_ops *ims_ctx_model(const struct ims_ctx *ctx)
{
	return ctx->model;
}

void *ims_ctx_model_inst(struct ims_ctx *ctx)
{
	return ctx->model_inst;
}

/* ---- generic commands ------------------------------------------------------------ */

int ims_cmd_destroy(struct ims_ucmd *ucmd)
{
	struct ims_destroy *cmd = ucmd->cmd;
	struct ims_obj *obj = ims_obj_find(ucmd->ctx, cmd->id, IMS_OBJ_ANY);

	if (!obj)
		return ims_err(ucmd->ctx, -ENOENT, "DESTROY: no object %u", cmd->id);
	return ims_obj_remove(ucmd->ctx, obj, 0);
}

/* OPTION RLIMIT_MODE (kernel iommufd_option_rlimit_mode).  Nothing is
 * charged in the simulator; the value is kept and reported. */
static int option_rlimit_mode(struct ims_ucmd *ucmd)
{
	struct ims_option *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;

	if (cmd->object_id)
		return ims_err(ctx, -EOPNOTSUPP, "OPTION RLIMIT_MODE: object_id must be 0");
	if (cmd->op == IMS_OPTION_OP_GET) {
		cmd->val64 = ctx->account_mode;
		return 0;
	}
	if (cmd->op != IMS_OPTION_OP_SET)
		return ims_err(ctx, -EOPNOTSUPP, "OPTION: unknown op %u", cmd->op);
	/* Any object, even one being created or a tombstone, blocks it. */
	if (ctx->nused)
		return ims_err(ctx, -EBUSY, "OPTION RLIMIT_MODE: the context holds objects");
	if (cmd->val64 > 1)
		return ims_err(ctx, -EINVAL, "OPTION RLIMIT_MODE: value %llu is not 0 or 1",
			       (unsigned long long)cmd->val64);
	ctx->account_mode = (uint32_t)cmd->val64;
	return 0;
}

int ims_cmd_option(struct ims_ucmd *ucmd)
{
	struct ims_option *cmd = ucmd->cmd;
	int rc;

	if (cmd->reserved)
		return ims_err(ucmd->ctx, -EOPNOTSUPP, "OPTION: reserved must be 0");
	switch (cmd->option_id) {
	case IMS_OPTION_RLIMIT_MODE:
		rc = option_rlimit_mode(ucmd);
		break;
	case IMS_OPTION_HUGE_PAGES:
		rc = ims_ioas_option(ucmd);
		break;
	case IMS_OPTION_VIOMMU:
		rc = ims_viommu_option(ucmd);
		break;
	default:
		return ims_err(ucmd->ctx, -EOPNOTSUPP, "OPTION: unknown option %u",
			       cmd->option_id);
	}
	if (rc)
		return rc;
	return ims_ucmd_respond(ucmd, sizeof(*cmd));
}

/* ---- the dispatcher -------------------------------------------------------------- */

/* Large enough for every command struct. */
union ucmd_buffer {
	struct ims_destroy destroy;
	struct ims_ioas_alloc ioas_alloc;
	struct ims_ioas_iova_ranges iova_ranges;
	struct ims_ioas_allow_iovas allow_iovas;
	struct ims_ioas_map map;
	struct ims_ioas_map_file map_file;
	struct ims_ioas_copy copy;
	struct ims_ioas_unmap unmap;
	struct ims_option option;
	struct ims_vfio_ioas vfio_ioas;
	struct ims_hwpt_alloc hwpt_alloc;
	struct ims_hw_info hw_info;
	struct ims_hwpt_set_dirty_tracking set_dirty;
	struct ims_hwpt_get_dirty_bitmap get_dirty;
	struct ims_hwpt_invalidate invalidate;
	struct ims_fault_alloc fault;
	struct ims_viommu_alloc viommu;
	struct ims_vdevice_alloc vdevice;
	struct ims_ioas_change_process change_process;
	struct ims_veventq_alloc veventq;
	struct ims_hw_queue_alloc hw_queue;
	struct ims_device_bind bind;
	struct ims_device_unbind unbind;
	struct ims_device_attach attach;
	struct ims_device_detach detach;
	struct ims_ioas_reserve reserve;
	uint64_t align;
};

struct ioctl_op {
	const char *name;
	uint32_t size;     /* sizeof the simulator's struct */
	uint32_t min_size; /* end of the last mandatory field */
	int (*execute)(struct ims_ucmd *ucmd);
};

#define OFFSETOFEND(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define OP(base, nr, fn, type, last) \
	[(nr) - (base)] = { #nr, sizeof(type), OFFSETOFEND(type, last), (fn) }
#define FD_OP(nr, fn, type, last) OP(IMS_CMD_BASE, nr, fn, type, last)
#define SIM_OP(nr, fn, type, last) OP(IMS_CMD_SIM_BASE, nr, fn, type, last)

/* The mandatory part of each struct is what the kernel's IOCTL_OP table
 * names (iommufd main.c); fields added later are optional and read as 0. */
static const struct ioctl_op iommufd_ops[] = {
	FD_OP(IMS_CMD_DESTROY, ims_cmd_destroy, struct ims_destroy, id),
	FD_OP(IMS_CMD_IOAS_ALLOC, ims_cmd_ioas_alloc, struct ims_ioas_alloc, out_ioas_id),
	FD_OP(IMS_CMD_IOAS_ALLOW_IOVAS, ims_cmd_ioas_allow_iovas, struct ims_ioas_allow_iovas,
	   allowed_iovas),
	FD_OP(IMS_CMD_IOAS_COPY, ims_cmd_ioas_copy, struct ims_ioas_copy, src_iova),
	FD_OP(IMS_CMD_IOAS_IOVA_RANGES, ims_cmd_ioas_iova_ranges, struct ims_ioas_iova_ranges,
	   out_iova_alignment),
	FD_OP(IMS_CMD_IOAS_MAP, ims_cmd_ioas_map, struct ims_ioas_map, iova),
	FD_OP(IMS_CMD_IOAS_UNMAP, ims_cmd_ioas_unmap, struct ims_ioas_unmap, length),
	FD_OP(IMS_CMD_OPTION, ims_cmd_option, struct ims_option, val64),
	FD_OP(IMS_CMD_VFIO_IOAS, ims_cmd_vfio_ioas, struct ims_vfio_ioas, reserved),
	FD_OP(IMS_CMD_HWPT_ALLOC, ims_cmd_hwpt_alloc, struct ims_hwpt_alloc, reserved),
	FD_OP(IMS_CMD_GET_HW_INFO, ims_cmd_get_hw_info, struct ims_hw_info, reserved),
	FD_OP(IMS_CMD_HWPT_SET_DIRTY_TRACKING, ims_cmd_hwpt_set_dirty_tracking,
	   struct ims_hwpt_set_dirty_tracking, reserved),
	FD_OP(IMS_CMD_HWPT_GET_DIRTY_BITMAP, ims_cmd_hwpt_get_dirty_bitmap,
	   struct ims_hwpt_get_dirty_bitmap, data),
	FD_OP(IMS_CMD_HWPT_INVALIDATE, ims_cmd_hwpt_invalidate, struct ims_hwpt_invalidate, reserved),
	FD_OP(IMS_CMD_FAULT_QUEUE_ALLOC, ims_cmd_fault_queue_alloc, struct ims_fault_alloc,
	   out_fault_fd),
	FD_OP(IMS_CMD_IOAS_MAP_FILE, ims_cmd_ioas_map_file, struct ims_ioas_map_file, iova),
	FD_OP(IMS_CMD_VIOMMU_ALLOC, ims_cmd_viommu_alloc, struct ims_viommu_alloc, out_viommu_id),
	FD_OP(IMS_CMD_VDEVICE_ALLOC, ims_cmd_vdevice_alloc, struct ims_vdevice_alloc, virt_id),
	FD_OP(IMS_CMD_IOAS_CHANGE_PROCESS, ims_cmd_ioas_change_process,
	   struct ims_ioas_change_process, reserved),
	FD_OP(IMS_CMD_VEVENTQ_ALLOC, ims_cmd_veventq_alloc, struct ims_veventq_alloc,
	   out_veventq_fd),
	FD_OP(IMS_CMD_HW_QUEUE_ALLOC, ims_cmd_hw_queue_alloc, struct ims_hw_queue_alloc, length),
};

static const struct ioctl_op sim_ops[] = {
	SIM_OP(IMS_CMD_DEVICE_BIND, ims_cmd_device_bind, struct ims_device_bind, out_dev_id),
	SIM_OP(IMS_CMD_DEVICE_UNBIND, ims_cmd_device_unbind, struct ims_device_unbind, dev_id),
	SIM_OP(IMS_CMD_DEVICE_ATTACH, ims_cmd_device_attach, struct ims_device_attach, pasid),
	SIM_OP(IMS_CMD_DEVICE_REPLACE, ims_cmd_device_replace, struct ims_device_attach, pasid),
	SIM_OP(IMS_CMD_DEVICE_DETACH, ims_cmd_device_detach, struct ims_device_detach, pasid),
	SIM_OP(IMS_CMD_IOAS_RESERVE, ims_cmd_ioas_reserve, struct ims_ioas_reserve, last),
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct ioctl_op *find_op(unsigned cmd)
{
	if (cmd >= IMS_CMD_BASE && cmd - IMS_CMD_BASE < ARRAY_LEN(iommufd_ops))
		return &iommufd_ops[cmd - IMS_CMD_BASE];
	if (cmd >= IMS_CMD_SIM_BASE && cmd - IMS_CMD_SIM_BASE < ARRAY_LEN(sim_ops))
		return &sim_ops[cmd - IMS_CMD_SIM_BASE];
	return NULL;
}

int ims_ucmd_respond(struct ims_ucmd *ucmd, size_t ksize)
{
	memcpy(ucmd->ubuf, ucmd->cmd, ucmd->user_size < ksize ? ucmd->user_size : ksize);
	return 0;
}

int ims_ioctl(struct ims_ctx *ctx, unsigned cmd, void *arg)
{
	const struct ioctl_op *op;
	union ucmd_buffer buf;
	struct ims_ucmd ucmd;
	uint32_t usize;

	if (!ctx)
		return -EBADF;
	ctx->errmsg[0] = '\0';
	op = find_op(cmd);
	if (!op || !op->execute)
		return ims_err(ctx, -ENOTTY, "unknown command 0x%x", cmd);
	if (!arg)
		return ims_err(ctx, -EFAULT, "%s: arg is NULL", op->name);
	memcpy(&usize, arg, sizeof(usize));
	if (usize < op->min_size)
		return ims_err(ctx, -EINVAL, "%s: size %u below the mandatory %u bytes", op->name,
			       usize, op->min_size);
	/* copy_struct_from_user: a shorter struct is zero-extended; bytes past
	 * ours must be zero. */
	memset(&buf, 0, sizeof(buf));
	memcpy(&buf, arg, usize < op->size ? usize : op->size);
	for (uint32_t i = op->size; i < usize; i++)
		if (((const uint8_t *)arg)[i])
			return ims_err(ctx, -E2BIG, "%s: byte %u past the %u-byte struct is not 0",
				       op->name, i, op->size);
	ucmd.ctx = ctx;
	ucmd.ubuf = arg;
	ucmd.user_size = usize;
	ucmd.cmd = &buf;
	return op->execute(&ucmd);
}

/* ---- typed wrappers -------------------------------------------------------------- */

#define WRAP(fn, nr, type) \
	int fn(struct ims_ctx *ctx, struct type *cmd) { return ims_ioctl(ctx, (nr), cmd); }

WRAP(ims_destroy, IMS_CMD_DESTROY, ims_destroy)
WRAP(ims_ioas_alloc, IMS_CMD_IOAS_ALLOC, ims_ioas_alloc)
WRAP(ims_ioas_iova_ranges, IMS_CMD_IOAS_IOVA_RANGES, ims_ioas_iova_ranges)
WRAP(ims_ioas_allow_iovas, IMS_CMD_IOAS_ALLOW_IOVAS, ims_ioas_allow_iovas)
WRAP(ims_ioas_map, IMS_CMD_IOAS_MAP, ims_ioas_map)
WRAP(ims_ioas_map_file, IMS_CMD_IOAS_MAP_FILE, ims_ioas_map_file)
WRAP(ims_ioas_copy, IMS_CMD_IOAS_COPY, ims_ioas_copy)
WRAP(ims_ioas_unmap, IMS_CMD_IOAS_UNMAP, ims_ioas_unmap)
WRAP(ims_option, IMS_CMD_OPTION, ims_option)
WRAP(ims_vfio_ioas, IMS_CMD_VFIO_IOAS, ims_vfio_ioas)
WRAP(ims_hwpt_alloc, IMS_CMD_HWPT_ALLOC, ims_hwpt_alloc)
WRAP(ims_get_hw_info, IMS_CMD_GET_HW_INFO, ims_hw_info)
WRAP(ims_hwpt_set_dirty_tracking, IMS_CMD_HWPT_SET_DIRTY_TRACKING, ims_hwpt_set_dirty_tracking)
WRAP(ims_hwpt_get_dirty_bitmap, IMS_CMD_HWPT_GET_DIRTY_BITMAP, ims_hwpt_get_dirty_bitmap)
WRAP(ims_hwpt_invalidate, IMS_CMD_HWPT_INVALIDATE, ims_hwpt_invalidate)
WRAP(ims_fault_queue_alloc, IMS_CMD_FAULT_QUEUE_ALLOC, ims_fault_alloc)
WRAP(ims_viommu_alloc, IMS_CMD_VIOMMU_ALLOC, ims_viommu_alloc)
WRAP(ims_vdevice_alloc, IMS_CMD_VDEVICE_ALLOC, ims_vdevice_alloc)
WRAP(ims_ioas_change_process, IMS_CMD_IOAS_CHANGE_PROCESS, ims_ioas_change_process)
WRAP(ims_veventq_alloc, IMS_CMD_VEVENTQ_ALLOC, ims_veventq_alloc)
WRAP(ims_hw_queue_alloc, IMS_CMD_HW_QUEUE_ALLOC, ims_hw_queue_alloc)
WRAP(ims_device_bind, IMS_CMD_DEVICE_BIND, ims_device_bind)
WRAP(ims_device_unbind, IMS_CMD_DEVICE_UNBIND, ims_device_unbind)
WRAP(ims_device_attach, IMS_CMD_DEVICE_ATTACH, ims_device_attach)
WRAP(ims_device_replace, IMS_CMD_DEVICE_REPLACE, ims_device_attach)
WRAP(ims_device_detach, IMS_CMD_DEVICE_DETACH, ims_device_detach)
WRAP(ims_ioas_reserve, IMS_CMD_IOAS_RESERVE, ims_ioas_reserve)
