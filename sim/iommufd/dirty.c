/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/dirty — dirty tracking of paging HWPTs: IMS_CMD_HWPT_SET_DIRTY_
 * TRACKING, IMS_CMD_HWPT_GET_DIRTY_BITMAP and the bitmap a model fills
 * (iommufd §2.13-2.14; the kernel's hw_pagetable.c, io_pagetable.c
 * iopt_read_and_clear_dirty_data and iova_bitmap.c).
 */
#include <errno.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"

struct ims_dirty_bitmap {
	uint64_t iova;   /* bit 0 */
	uint64_t last;   /* last IOVA covered */
	unsigned pgshift; /* log2 of the bytes per bit */
	uint64_t *data;  /* the user's array */
};

/* Sets bits first..last (inclusive) of the array, a word at a time. */
static void set_bits(uint64_t *data, uint64_t first, uint64_t last)
{
	while (first <= last) {
		uint64_t w = first / 64, lo = first % 64;
		uint64_t hi = (last / 64 == w) ? last % 64 : 63;
		uint64_t mask = (hi == 63 ? ~0ull : (1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);

		data[w] |= mask;
		if (hi != 63 || w == UINT64_MAX / 64)
			break;
		first = (w + 1) * 64;
	}
}

void ims_dirty_record(struct ims_dirty_bitmap *bm, uint64_t iova, uint64_t len)
{
	uint64_t lo, hi;

	/* NULL: the dirty state is only being cleared (tracking enabled). */
	if (!bm || !len)
		return;
	hi = len - 1 > UINT64_MAX - iova ? UINT64_MAX : iova + len - 1;
	if (hi < bm->iova || iova > bm->last)
		return;
	lo = iova < bm->iova ? bm->iova : iova;
	if (hi > bm->last)
		hi = bm->last;
	set_bits(bm->data, (lo - bm->iova) >> bm->pgshift, (hi - bm->iova) >> bm->pgshift);
}

/* The paging HWPT with dirty tracking a command names, or an errno. */
static int dirty_hwpt(struct ims_ctx *ctx, const char *what, uint32_t id,
		      struct ims_hwpt_paging **out)
{
	struct ims_hwpt_paging *hp = ims_hwpt_paging_find(ctx, id);

	if (!hp)
		return ims_err(ctx, -ENOENT, "%s: %u is not a paging HWPT", what, id);
	if (!hp->enforce_dirty)
		return ims_err(ctx, -EOPNOTSUPP,
			       "%s: HWPT %u was not allocated with DIRTY_TRACKING", what, id);
	if (!hp->common.info.dirty_ops || !ctx->model->set_dirty_tracking ||
	    !ctx->model->read_and_clear_dirty)
		return ims_err(ctx, -EOPNOTSUPP, "%s: the domain of HWPT %u cannot track dirty",
			       what, id);
	*out = hp;
	return 0;
}

int ims_cmd_hwpt_set_dirty_tracking(struct ims_ucmd *ucmd)
{
	struct ims_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_hwpt_paging *hp;
	bool enable = cmd->flags & IMS_HWPT_DIRTY_TRACKING_ENABLE;
	int rc;

	if (cmd->flags & ~IMS_HWPT_DIRTY_TRACKING_ENABLE)
		return ims_err(ctx, -EOPNOTSUPP, "HWPT_SET_DIRTY_TRACKING: unknown flags 0x%x",
			       cmd->flags & ~IMS_HWPT_DIRTY_TRACKING_ENABLE);
	if (cmd->reserved)
		return ims_err(ctx, -EOPNOTSUPP, "HWPT_SET_DIRTY_TRACKING: reserved must be 0");
	rc = dirty_hwpt(ctx, "HWPT_SET_DIRTY_TRACKING", cmd->hwpt_id, &hp);
	if (rc)
		return rc;
	/* Enabling starts from a clean snapshot (kernel iopt_clear_dirty_data). */
	if (enable) {
		struct ims_area *a;

		for (a = ims_iopt_area_first(&hp->ioas->iopt, 0, UINT64_MAX); a;
		     a = ims_iopt_area_next(a, 0, UINT64_MAX)) {
			rc = ctx->model->read_and_clear_dirty(ctx->model_inst, hp->common.dom,
							      ims_area_iova(a), ims_area_length(a), 0,
							      NULL);
			if (rc)
				return ims_err(ctx, rc, "HWPT_SET_DIRTY_TRACKING: clearing failed");
		}
	}
	rc = ctx->model->set_dirty_tracking(ctx->model_inst, hp->common.dom, enable);
	if (rc)
		return ims_err(ctx, rc, "HWPT_SET_DIRTY_TRACKING: the model refused");
	return 0;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static unsigned log2_of(uint64_t v)
{
	unsigned s = 0;

	while (v >>= 1)
		s++;
	return s;
}

int ims_cmd_hwpt_get_dirty_bitmap(struct ims_ucmd *ucmd)
{
	struct ims_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_dirty_bitmap bm;
	struct ims_hwpt_paging *hp;
	struct ims_area *a;
	uint64_t last, align, cur;
	bool covered;
	int rc;

	if ((cmd->flags & ~IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) || cmd->reserved)
		return ims_err(ctx, -EOPNOTSUPP,
			       "HWPT_GET_DIRTY_BITMAP: unknown flags 0x%x or reserved set",
			       cmd->flags & ~IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);
	rc = dirty_hwpt(ctx, "HWPT_GET_DIRTY_BITMAP", cmd->hwpt_id, &hp);
	if (rc)
		return rc;
	/* Kernel iommufd_check_iova_range. */
	if (!cmd->length)
		return ims_err(ctx, -EINVAL, "HWPT_GET_DIRTY_BITMAP: length is 0");
	if (cmd->length - 1 > UINT64_MAX - cmd->iova)
		return ims_err(ctx, -EOVERFLOW, "HWPT_GET_DIRTY_BITMAP: iova + length - 1 wraps");
	last = cmd->iova + cmd->length - 1;
	align = hp->ioas->iopt.iova_alignment;
	if ((cmd->iova & (align - 1)) || ((last + 1) & (align - 1)))
		return ims_err(ctx, -EINVAL,
			       "HWPT_GET_DIRTY_BITMAP: range not aligned to the IOAS alignment "
			       "0x%llx", (unsigned long long)align);
	if (!is_pow2(cmd->page_size))
		return ims_err(ctx, -EINVAL,
			       "HWPT_GET_DIRTY_BITMAP: page_size 0x%llx is not a power of two",
			       (unsigned long long)cmd->page_size);
	if ((cmd->iova & (cmd->page_size - 1)) || ((last + 1) & (cmd->page_size - 1)))
		return ims_err(ctx, -EINVAL,
			       "HWPT_GET_DIRTY_BITMAP: range not aligned to page_size 0x%llx",
			       (unsigned long long)cmd->page_size);
	if (!cmd->data)
		return ims_err(ctx, -EFAULT, "HWPT_GET_DIRTY_BITMAP: data is NULL");
	/* The whole range must be mapped (kernel __iommu_read_and_clear_dirty:
	 * iopt_area_contig_done). */
	cur = cmd->iova;
	covered = false;
	for (a = ims_iopt_area_first(&hp->ioas->iopt, cmd->iova, last); a && !covered;
	     a = ims_iopt_area_next(a, cmd->iova, last)) {
		if (ims_area_iova(a) > cur)
			break;
		if (ims_area_last(a) >= last)
			covered = true;
		else
			cur = ims_area_last(a) + 1;
	}
	if (!covered)
		return ims_err(ctx, -EINVAL, "HWPT_GET_DIRTY_BITMAP: 0x%llx is not mapped",
			       (unsigned long long)cur);
	bm.iova = cmd->iova;
	bm.last = last;
	bm.pgshift = log2_of(cmd->page_size);
	bm.data = (uint64_t *)(uintptr_t)cmd->data;
	for (a = ims_iopt_area_first(&hp->ioas->iopt, cmd->iova, last); a;
	     a = ims_iopt_area_next(a, cmd->iova, last)) {
		uint64_t lo = ims_area_iova(a) < cmd->iova ? cmd->iova : ims_area_iova(a);
		uint64_t hi = ims_area_last(a) > last ? last : ims_area_last(a);

		rc = ctx->model->read_and_clear_dirty(ctx->model_inst, hp->common.dom, lo,
						      hi - lo + 1, cmd->flags, &bm);
		if (rc)
			return ims_err(ctx, rc, "HWPT_GET_DIRTY_BITMAP: the model failed at 0x%llx",
				       (unsigned long long)lo);
	}
	return 0;
}
