/* SPDX-License-Identifier: MIT */
/*
 * Dirty tracking on the second stage (SPEC 3.7.2, 9.8; Linux
 * intel_iommu_set_dirty_tracking / intel_iommu_read_and_clear_dirty).
 * Enabling sets SSADE in every PASID entry that uses the table (and in the
 * nested entries over it), after clearing stale dirty bits; the hardware
 * then sets A/D in the entries it walks.  Reading walks the leaves of the
 * range, reports those with D set and, unless asked not to, clears D and
 * flushes the IOTLB, whose entries remember that D is already set.
 */
#include <errno.h>

#include "models/vtd/drv_priv.h"

/* Second-stage leaf dirty bit (SPEC 9.8, bit 9; meaningful with SSADE). */
#define VTDD_SS_D (1ull << 9)

struct leaf_walk {
	struct vtdd_domain *dom;
	uint64_t lo, hi;          /* inclusive range */
	bool clear;
	struct ims_dirty_bitmap *bm;
	bool cleared;
};

static uint64_t span_last(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

static void leaves(struct leaf_walk *w, uint64_t table, unsigned level, uint64_t base)
{
	const struct ims_pt_fmt *f = &w->dom->fmt;
	struct ims_mem *m = w->dom->drv->env.mem;
	const unsigned shift = f->shift[level];
	const uint64_t last = base + span_last(shift + f->bits[level]);
	uint64_t lo = w->lo > base ? w->lo : base, hi = w->hi < last ? w->hi : last;

	if (lo > hi)
		return;
	for (uint64_t idx = (lo - base) >> shift; idx <= (hi - base) >> shift; idx++) {
		const uint64_t va = base + (idx << shift);
		const uint64_t pa = table + 8 * idx;
		uint64_t pte = ims_mem_read64(m, pa, IMS_MEM_DRIVER);
		struct ims_pt_entry e;

		f->ops->decode(f, level, pte, &e);
		if (e.fault)
			continue;
		if (e.type == IMS_PTE_TABLE && level > 0) {
			leaves(w, e.addr, e.next_level, va);
		} else if (e.type == IMS_PTE_LEAF && (pte & VTDD_SS_D)) {
			uint64_t end = va + span_last(shift);
			uint64_t s = va > w->lo ? va : w->lo, t = end < w->hi ? end : w->hi;
			if (w->bm)
				ims_dirty_record(w->bm, s, t - s + 1);
			if (w->clear) {
				ims_mem_write64(m, pa, pte & ~VTDD_SS_D, IMS_MEM_DRIVER);
				w->cleared = true;
			}
		}
		if (idx == ((hi - base) >> shift))
			break; /* idx cannot wrap past the last index */
	}
}

static bool walk(struct vtdd_domain *dom, uint64_t iova, uint64_t len, bool clear,
		 struct ims_dirty_bitmap *bm)
{
	struct leaf_walk w = {
		.dom = dom, .lo = iova, .hi = iova + (len - 1), .clear = clear, .bm = bm,
	};

	if (!len)
		return false;
	leaves(&w, dom->root, dom->fmt.top_level, 0);
	return w.cleared;
}

static bool can_track(const struct vtdd_domain *dom)
{
	return dom && dom->kind == VTDD_DOM_PAGING && !dom->fs &&
	       (dom->flags & IMS_HWPT_ALLOC_DIRTY_TRACKING);
}

int vtdd_set_dirty_tracking(void *inst, void *p, bool enable)
{
	struct vtdd_domain *dom = p;

	if (!can_track(dom))
		return -EOPNOTSUPP;
	if (dom->dirty_on == enable)
		return 0;
	/* A clean start: dirty bits left from an earlier period go. */
	if (enable)
		walk(dom, 0, UINT64_MAX, true, NULL);
	dom->dirty_on = enable;
	vtdd_reprogram_entries(dom);
	return 0;
}

int vtdd_read_and_clear_dirty(void *inst, void *p, uint64_t iova, uint64_t len, unsigned flags,
			      struct ims_dirty_bitmap *bm)
{
	struct vtdd_domain *dom = p;

	if (!can_track(dom))
		return -EOPNOTSUPP;
	/* Linux: reading needs tracking on (a NULL bitmap only clears). */
	if (!dom->dirty_on && bm)
		return -EINVAL;
	if (walk(dom, iova, len, !(flags & IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR), bm))
		vtdd_flush_domain_range(dom, iova, len, true);
	return 0;
}
