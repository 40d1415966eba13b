/* SPDX-License-Identifier: MIT */
/*
 * sim/palloc — a simulated physical page allocator.
 *
 * Software in the simulation (host drivers, guests, test scenario builders)
 * takes table pages and queue buffers from a pool of simulated physical
 * memory.  Blocks are power-of-two sized and naturally aligned, from one 4 KiB
 * frame up to IMS_PALLOC_MAX_ORDER: enough for a 64 KiB-granule Arm table or
 * a stage-2 root of 16 concatenated 64 KiB tables (1 MiB).
 *
 * Allocation is deterministic (same sequence of calls, same addresses), so
 * traces and tests are reproducible.  Freed blocks are reused first-in,
 * last-out per size; blocks are not coalesced, which keeps the allocator
 * predictable and is plenty for page tables.
 *
 * Blocks are zeroed on allocation (through ims_mem_zero, kind DRIVER), as an
 * OS zeroes page-table pages.
 */
#ifndef IMS_SIM_PALLOC_H
#define IMS_SIM_PALLOC_H

#include <stdint.h>

#include "sim/mem.h"

#define IMS_PALLOC_MAX_ORDER 8 /* 2^8 frames = 1 MiB */

struct ims_palloc {
	struct ims_mem *mem;
	uint64_t base, limit; /* pool is [base, limit) */
	uint64_t next;        /* bump pointer for never-used memory */
	/* Free lists per order, kept in C (allocator metadata is software). */
	uint64_t *free[IMS_PALLOC_MAX_ORDER + 1];
	uint32_t nfree[IMS_PALLOC_MAX_ORDER + 1], cap[IMS_PALLOC_MAX_ORDER + 1];
	uint64_t in_use_bytes, peak_bytes;
	uint64_t allocs, frees;
};

/* Pool over [base, base+size).  base and size must be 4 KiB aligned and the
 * range must not wrap: returns 0 or -EINVAL. */
int ims_palloc_init(struct ims_palloc *p, struct ims_mem *mem, uint64_t base, uint64_t size);
void ims_palloc_fini(struct ims_palloc *p);

/* Allocates 2^order frames aligned to their size.  Returns 0 with *pa set, or
 * -EINVAL for order > IMS_PALLOC_MAX_ORDER, or -ENOMEM when the pool is
 * exhausted. */
int ims_palloc_alloc(struct ims_palloc *p, unsigned order, uint64_t *pa);
/* Convenience: smallest order whose block holds `bytes`. */
unsigned ims_palloc_order(uint64_t bytes);
/* Returns a block to the pool.  order must be the one it was allocated with. */
void ims_palloc_free(struct ims_palloc *p, uint64_t pa, unsigned order);

#endif
