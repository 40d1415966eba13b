/* SPDX-License-Identifier: MIT */
/*
 * sim/ring — producer/consumer index conventions of the three vendors.
 *
 * A pointer here is the value as the vendor's register holds it:
 *
 *  IMS_RING_VTD    byte offset of the slot in the queue (IQH/IQT bits 18:4,
 *                  PQH/PQT bits 18:5), VT-d SPEC 6.5.2 and 7.4.  Empty when
 *                  head == tail; full when tail is one slot behind head, so
 *                  at most N-1 entries are queued.
 *  IMS_RING_SMMU   slot index in the low log2(N) bits and a wrap bit just
 *                  above them (SMMUv3 IHI0070 §3.5.1, PROD/CONS).  Empty when
 *                  index and wrap are equal; full when the indexes are equal
 *                  and the wrap bits differ, so all N slots can be used.
 *  IMS_RING_AMD    byte offset (CmdBufHead/Tail, EvtLogHead/Tail bits 18:4),
 *                  AMD IOMMU spec 3.3.13; same empty/full rule as VT-d.
 *
 * A ring has 2^log2n slots of `entry_size` bytes at `base`.
 */
#ifndef IMS_SIM_RING_H
#define IMS_SIM_RING_H

#include <stdbool.h>
#include <stdint.h>

enum ims_ring_style { IMS_RING_VTD, IMS_RING_SMMU, IMS_RING_AMD };

struct ims_ring {
	enum ims_ring_style style;
	unsigned log2n;      /* 2^log2n slots, 0..24 */
	unsigned entry_size; /* bytes per slot, a power of two */
	uint64_t base;       /* physical address of slot 0 */
};

/* 0, or -EINVAL for a size or entry size the ring cannot have. */
int ims_ring_init(struct ims_ring *r, enum ims_ring_style style, unsigned log2n,
		  unsigned entry_size, uint64_t base);

static inline uint32_t ims_ring_slots(const struct ims_ring *r) { return 1u << r->log2n; }

/* True when `ptr` is a pointer this ring can hold: in range, aligned to a
 * slot, and for SMMU no bits above the wrap bit.  (VT-d reports a bad tail
 * as IQE; SMMUv3 ignores the bits above.) */
bool ims_ring_ptr_valid(const struct ims_ring *r, uint64_t ptr);
/* The pointer with bits the ring does not use cleared. */
uint64_t ims_ring_ptr_mask(const struct ims_ring *r, uint64_t ptr);

bool ims_ring_empty(const struct ims_ring *r, uint64_t prod, uint64_t cons);
bool ims_ring_full(const struct ims_ring *r, uint64_t prod, uint64_t cons);
/* Entries queued between cons and prod.  For SMMU an inconsistent pair (prod
 * more than N slots ahead of cons, IHI0070 §3.5.1) gives 0 here and 0 space:
 * the SMMU neither consumes nor produces while it lasts. */
uint32_t ims_ring_count(const struct ims_ring *r, uint64_t prod, uint64_t cons);
/* Entries the producer may still add. */
uint32_t ims_ring_space(const struct ims_ring *r, uint64_t prod, uint64_t cons);
/* The pointer one slot on (wrapping; toggles the SMMU wrap bit). */
uint64_t ims_ring_next(const struct ims_ring *r, uint64_t ptr);
/* Pointer `n` slots on. */
uint64_t ims_ring_advance(const struct ims_ring *r, uint64_t ptr, uint32_t n);
/* Slot number and physical address of the slot a pointer names. */
uint32_t ims_ring_slot(const struct ims_ring *r, uint64_t ptr);
uint64_t ims_ring_addr(const struct ims_ring *r, uint64_t ptr);
/* The pointer that names slot `slot` with the given wrap (SMMU; ignored else). */
uint64_t ims_ring_ptr(const struct ims_ring *r, uint32_t slot, bool wrap);

#endif
