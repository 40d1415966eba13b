/* SPDX-License-Identifier: MIT */
/*
 * sim/palloc — simulated physical page allocator (contract: sim/palloc.h).
 *
 * Where a block of order o comes from, in this order (every step is
 * deterministic, so the same call sequence yields the same addresses):
 *   1. the most recently freed block of order o (per-order LIFO list);
 *   2. the bump pointer, aligned up to the block size; the frames skipped by
 *      the alignment are not lost but go onto the lists of smaller orders;
 *   3. the smallest free block of a larger order, split: the low part is
 *      returned, the rest goes onto the lists of orders o .. o'-1.
 * Blocks are never merged again (see the header).
 */
#include "sim/palloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t order_bytes(unsigned order)
{
	return IMS_FRAME_SIZE << order;
}

int ims_palloc_init(struct ims_palloc *p, struct ims_mem *mem, uint64_t base, uint64_t size)
{
	if (!p)
		return -EINVAL;
	/* A zeroed struct is safe to fini even when init fails. */
	memset(p, 0, sizeof(*p));
	if (!mem || (base & (IMS_FRAME_SIZE - 1)) || (size & (IMS_FRAME_SIZE - 1)))
		return -EINVAL;
	/* [base, base+size) must not wrap; a pool ending exactly at 2^64 would
	 * need limit = 2^64, which does not fit either. */
	if (base + size < base)
		return -EINVAL;
	p->mem = mem;
	p->base = base;
	p->limit = base + size;
	p->next = base;
	return 0;
}

void ims_palloc_fini(struct ims_palloc *p)
{
	if (!p)
		return;
	for (unsigned o = 0; o <= IMS_PALLOC_MAX_ORDER; o++) {
		free(p->free[o]);
		p->free[o] = NULL;
		p->nfree[o] = p->cap[o] = 0;
	}
}

/* Pushes a free block; false only when the host cannot grow the list. */
static bool push_free(struct ims_palloc *p, unsigned order, uint64_t pa)
{
	if (p->nfree[order] == p->cap[order]) {
		uint32_t ncap = p->cap[order] ? p->cap[order] * 2 : 16;
		if (ncap < p->cap[order])
			return false;
		uint64_t *n = realloc(p->free[order], ncap * sizeof(*n));
		if (!n)
			return false;
		p->free[order] = n;
		p->cap[order] = ncap;
	}
	p->free[order][p->nfree[order]++] = pa;
	return true;
}

/* Lowest set bit of a frame number, i.e. the largest order a block starting
 * there can have under natural alignment. */
static unsigned frame_align_order(uint64_t pa)
{
	uint64_t fn = pa >> IMS_FRAME_SHIFT;
	unsigned o = 0;
	while (o < 63 && !(fn & (1ull << o)))
		o++;
	return o;
}

/* Carves a block from never-used memory, or returns false. */
static bool bump(struct ims_palloc *p, unsigned order, uint64_t *pa)
{
	uint64_t bytes = order_bytes(order);
	uint64_t room = p->limit - p->next;
	uint64_t pad = (0 - p->next) & (bytes - 1);
	if (room < bytes || pad > room - bytes)
		return false;
	/* The padding frames [next, next+pad) become naturally aligned blocks
	 * of smaller orders, each as large as its start address allows; each
	 * step doubles the alignment, so there are at most `order` of them. */
	uint64_t a = p->next, end = p->next + pad;
	while (a < end) {
		unsigned o = frame_align_order(a);
		push_free(p, o, a); /* if the host is out of memory, leak it */
		a += order_bytes(o);
	}
	*pa = end;
	p->next = end + bytes;
	return true;
}

/* Splits the smallest free block of a larger order, or returns false. */
static bool split(struct ims_palloc *p, unsigned order, uint64_t *pa)
{
	unsigned o = order + 1;
	while (o <= IMS_PALLOC_MAX_ORDER && !p->nfree[o])
		o++;
	if (o > IMS_PALLOC_MAX_ORDER)
		return false;
	uint64_t blk = p->free[o][--p->nfree[o]];
	/* Keep the low 2^order frames; the upper halves, largest first, go
	 * back onto the free lists. */
	while (o > order) {
		o--;
		push_free(p, o, blk + order_bytes(o));
	}
	*pa = blk;
	return true;
}

int ims_palloc_alloc(struct ims_palloc *p, unsigned order, uint64_t *pa)
{
	if (!p || !pa || order > IMS_PALLOC_MAX_ORDER || !p->mem)
		return -EINVAL;
	uint64_t blk;
	if (p->nfree[order])
		blk = p->free[order][--p->nfree[order]];
	else if (!bump(p, order, &blk) && !split(p, order, &blk))
		return -ENOMEM;
	uint64_t bytes = order_bytes(order);
	ims_mem_zero(p->mem, blk, bytes, IMS_MEM_DRIVER);
	p->in_use_bytes += bytes;
	if (p->in_use_bytes > p->peak_bytes)
		p->peak_bytes = p->in_use_bytes;
	p->allocs++;
	*pa = blk;
	return 0;
}

unsigned ims_palloc_order(uint64_t bytes)
{
	uint64_t frames = (bytes >> IMS_FRAME_SHIFT) + ((bytes & (IMS_FRAME_SIZE - 1)) != 0);
	unsigned o = 0;
	while (o < 63 && (1ull << o) < frames)
		o++;
	return o;
}

void ims_palloc_free(struct ims_palloc *p, uint64_t pa, unsigned order)
{
	/* A block that cannot have come from this pool is ignored rather than
	 * allowed to corrupt the free lists. */
	if (!p || order > IMS_PALLOC_MAX_ORDER)
		return;
	uint64_t bytes = order_bytes(order);
	if ((pa & (bytes - 1)) || pa < p->base || pa >= p->next || p->next - pa < bytes ||
	    p->in_use_bytes < bytes)
		return;
	/* If the host cannot grow the list the block is lost to the pool, but it
	 * is no longer in use either. */
	push_free(p, order, pa);
	p->in_use_bytes -= bytes;
	p->frees++;
}
