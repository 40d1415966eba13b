/* SPDX-License-Identifier: MIT */
/*
 * sim/ring — producer/consumer index conventions (contract: sim/ring.h).
 *
 * Two pointer encodings cover the three vendors:
 *
 *  - byte offsets (VT-d, AMD): the register holds the slot's byte offset in
 *    the queue and wraps modulo the queue size.  Equal pointers mean empty,
 *    so the producer must leave one slot free: VT-d IQH/IQT, PQH/PQT
 *    (VT-d SPEC 6.5.2, 7.4; shared/spec/vtd.md §1.8-1.9) and AMD command
 *    buffer / event log head and tail, bits 18:4, "full when tail+16 ==
 *    head" (AMD IOMMU 3.3.13; shared/spec/amdvi.md §1.2).
 *  - index + wrap (SMMUv3): the low log2(N) bits are the slot index and the
 *    bit above them is the wrap flag, so all N slots can be used
 *    (IHI0070 §3.5.1, PROD.WR / CONS.RD; shared/spec/smmuv3.md §1 Queues).
 *
 * Every function masks the pointers it is given to the bits the ring uses,
 * so a bad register value gives a defined answer, never a wild access.
 */
#include <errno.h>

#include "sim/ring.h"

static inline bool is_smmu(const struct ims_ring *r)
{
	return r->style == IMS_RING_SMMU;
}

static inline unsigned entry_shift(const struct ims_ring *r)
{
	return (unsigned)__builtin_ctz(r->entry_size);
}

/* Byte-offset rings: offset of one past the last slot, minus one. */
static inline uint64_t bytes_mask(const struct ims_ring *r)
{
	return ((uint64_t)r->entry_size << r->log2n) - 1;
}

/* SMMU rings: the index bits and the wrap bit. */
static inline uint64_t wrap_mask(const struct ims_ring *r)
{
	return (UINT64_C(2) << r->log2n) - 1;
}

int ims_ring_init(struct ims_ring *r, enum ims_ring_style style, unsigned log2n,
		  unsigned entry_size, uint64_t base)
{
	if (!r || (style != IMS_RING_VTD && style != IMS_RING_SMMU && style != IMS_RING_AMD))
		return -EINVAL;
	if (log2n > 24 || entry_size == 0 || (entry_size & (entry_size - 1)) != 0)
		return -EINVAL;
	r->style = style;
	r->log2n = log2n;
	r->entry_size = entry_size;
	r->base = base;
	return 0;
}

bool ims_ring_ptr_valid(const struct ims_ring *r, uint64_t ptr)
{
	if (is_smmu(r))
		return (ptr & ~wrap_mask(r)) == 0;
	/* VT-d: a tail beyond the queue or not on a descriptor boundary is an
	 * invalidation queue error (IQEI 1 and 6, vtd.md §1.8). */
	return (ptr & ~bytes_mask(r)) == 0 && (ptr & (r->entry_size - 1)) == 0;
}

uint64_t ims_ring_ptr_mask(const struct ims_ring *r, uint64_t ptr)
{
	if (is_smmu(r))
		return ptr & wrap_mask(r);
	return ptr & bytes_mask(r) & ~(uint64_t)(r->entry_size - 1);
}

bool ims_ring_empty(const struct ims_ring *r, uint64_t prod, uint64_t cons)
{
	return ims_ring_ptr_mask(r, prod) == ims_ring_ptr_mask(r, cons);
}

bool ims_ring_full(const struct ims_ring *r, uint64_t prod, uint64_t cons)
{
	if (is_smmu(r)) /* same index, other wrap: IHI0070 §3.5.1 */
		return (ims_ring_ptr_mask(r, prod) ^ ims_ring_ptr_mask(r, cons)) == ims_ring_slots(r);
	return ims_ring_next(r, prod) == ims_ring_ptr_mask(r, cons);
}

/* Slots from cons to prod, or -1 for an SMMU pair in an inconsistent state
 * (prod more than N slots ahead of cons: IHI0070 §3.5.1 forbids it and
 * lets the SMMU neither consume nor produce while it lasts). */
static int64_t distance(const struct ims_ring *r, uint64_t prod, uint64_t cons)
{
	if (is_smmu(r)) {
		uint64_t d = (prod - cons) & wrap_mask(r);
		return d > ims_ring_slots(r) ? -1 : (int64_t)d;
	}
	uint64_t d = (ims_ring_ptr_mask(r, prod) - ims_ring_ptr_mask(r, cons)) & bytes_mask(r);
	return (int64_t)(d >> entry_shift(r));
}

uint32_t ims_ring_count(const struct ims_ring *r, uint64_t prod, uint64_t cons)
{
	int64_t d = distance(r, prod, cons);
	return d < 0 ? 0 : (uint32_t)d;
}

uint32_t ims_ring_space(const struct ims_ring *r, uint64_t prod, uint64_t cons)
{
	int64_t d = distance(r, prod, cons);
	if (d < 0)
		return 0;
	/* VT-d and AMD keep one slot free (vtd.md §1.8, amdvi.md §1.2). */
	uint32_t usable = is_smmu(r) ? ims_ring_slots(r) : ims_ring_slots(r) - 1;
	return d >= usable ? 0 : usable - (uint32_t)d;
}

uint64_t ims_ring_next(const struct ims_ring *r, uint64_t ptr)
{
	return ims_ring_advance(r, ptr, 1);
}

uint64_t ims_ring_advance(const struct ims_ring *r, uint64_t ptr, uint32_t n)
{
	/* SMMU: carrying out of the index bits toggles the wrap bit. */
	if (is_smmu(r))
		return (ptr + n) & wrap_mask(r);
	return (ims_ring_ptr_mask(r, ptr) + ((uint64_t)n << entry_shift(r))) & bytes_mask(r);
}

uint32_t ims_ring_slot(const struct ims_ring *r, uint64_t ptr)
{
	if (is_smmu(r))
		return (uint32_t)(ptr & (ims_ring_slots(r) - 1));
	return (uint32_t)(ims_ring_ptr_mask(r, ptr) >> entry_shift(r));
}

uint64_t ims_ring_addr(const struct ims_ring *r, uint64_t ptr)
{
	return r->base + ((uint64_t)ims_ring_slot(r, ptr) << entry_shift(r));
}

uint64_t ims_ring_ptr(const struct ims_ring *r, uint32_t slot, bool wrap)
{
	uint64_t idx = slot & (ims_ring_slots(r) - 1);

	if (is_smmu(r))
		return idx | (wrap ? ims_ring_slots(r) : 0);
	return idx << entry_shift(r);
}
