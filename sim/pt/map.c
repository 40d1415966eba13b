/* SPDX-License-Identifier: MIT */
/*
 * The one generic mapper: what software in the simulation (host drivers,
 * guests, scenario builders) uses to build page tables of any format.
 *
 * Policy, as Linux's IOMMU page-table code does it: each piece of a range is
 * mapped with the largest leaf the format allows at some level (a run of
 * entries counts: Arm contiguous hint, AMD-Vi NextLevel=7) that fits the
 * alignment of both iova and pa and the remaining length.  Unmap first splits
 * the leaves that straddle either end of the range (splitting never changes
 * what translates to what), then clears, then frees tables left empty.
 */
#include <errno.h>
#include <string.h>

#include "sim/pt.h"
#include "sim/pt/pt_priv.h"

struct mapper {
	const struct ims_pt_fmt *f;
	struct ims_mem *m;
	struct ims_palloc *p;
};

static uint64_t rd(const struct mapper *mp, uint64_t pa)
{
	return ims_mem_read64(mp->m, pa, IMS_MEM_DRIVER);
}

static void wr(const struct mapper *mp, uint64_t pa, uint64_t v)
{
	ims_mem_write64(mp->m, pa, v, IMS_MEM_DRIVER);
}

static uint64_t span_of(const struct ims_pt_fmt *f, unsigned level)
{
	return 1ull << f->shift[level];
}

static unsigned table_order(const struct ims_pt_fmt *f, unsigned level)
{
	return ims_palloc_order(ims_pt_table_bytes(f, level));
}

static int alloc_table(const struct mapper *mp, unsigned level, uint64_t *pa)
{
	return ims_palloc_alloc(mp->p, table_order(mp->f, level), pa);
}

int ims_pt_alloc_root(const struct ims_pt_fmt *f, struct ims_palloc *p, uint64_t *root)
{
	return ims_palloc_alloc(p, table_order(f, f->top_level), root);
}

static bool range_ok(const struct ims_pt_fmt *f, uint64_t iova, uint64_t pa, uint64_t len,
		     bool check_pa)
{
	uint64_t last = iova + len - 1;

	if (last < iova || !ims_pt_input_ok(f, iova) || !ims_pt_input_ok(f, last))
		return false;
	/* Both ends on the same side of a canonical hole. */
	if ((f->flags & IMS_PT_F_SIGN_EXTEND) && f->ias < 64 &&
	    ((iova >> (f->ias - 1)) & 1) != ((last >> (f->ias - 1)) & 1))
		return false;
	if (check_pa) {
		uint64_t plast = pa + len - 1;
		if (plast < pa || (f->oas < 64 && (plast >> f->oas) != 0))
			return false;
	}
	return true;
}

static int check_args(const struct ims_pt_fmt *f, uint64_t iova, uint64_t pa, uint64_t len,
		      bool check_pa)
{
	uint64_t min = span_of(f, 0) - 1;

	if (len == 0 || (iova & min) || (pa & min) || (len & min))
		return -EINVAL;
	return range_ok(f, iova, pa, len, check_pa) ? 0 : -ERANGE;
}

/* Is any page in [lo, hi] (inside the table at `level`) mapped? */
static bool any_mapped(const struct mapper *mp, unsigned level, uint64_t table, uint64_t lo,
		       uint64_t hi)
{
	const struct ims_pt_fmt *f = mp->f;
	uint64_t span = span_of(f, level);
	uint64_t a = lo;

	for (;;) {
		struct ims_pt_entry e;
		uint64_t slot_last = a | (span - 1);
		uint64_t end = slot_last < hi ? slot_last : hi;

		f->ops->decode(f, level, rd(mp, table + 8ull * ims_pt_index(f, level, a)), &e);
		if (e.type == IMS_PTE_LEAF)
			return true;
		if (e.type == IMS_PTE_TABLE && e.fault == IMS_PT_OK && e.next_level < level &&
		    any_mapped(mp, e.next_level, e.addr, a, end))
			return true;
		if (end >= hi)
			return false;
		a = end + 1;
	}
}

/* Is the table empty?  Entries next to `hint` (the last slot cleared) are
 * looked at first, because unmaps usually run in address order and a
 * neighbour still in use answers at once; then the whole table, decoding
 * only entries that are not all-zero (the mapper clears entries to zero). */
static bool table_empty(const struct mapper *mp, unsigned level, uint64_t table, uint64_t hint)
{
	uint64_t n = 1ull << mp->f->bits[level];

	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t k = 0; k < n; k++) {
			uint64_t i = pass ? k : (k ? hint + n - 1 : hint + 1);
			uint64_t pte;
			struct ims_pt_entry e;

			if (pass == 0 && k >= 2)
				break; /* the two neighbours: hint+1 and hint-1 (wrapping) */
			pte = rd(mp, table + 8 * (i & (n - 1)));
			if (!pte)
				continue;
			mp->f->ops->decode(mp->f, level, pte, &e);
			if (e.type != IMS_PTE_INVALID)
				return false;
		}
	}
	return true;
}

/* The largest leaf size at `level` that [iova, pa, len) can use, or 0. */
static unsigned pick_leaf(const struct ims_pt_fmt *f, unsigned level, uint64_t iova, uint64_t pa,
			  uint64_t len)
{
	uint64_t sizes = f->leaf_shifts[level];

	for (int s = 63; s >= (int)f->shift[level]; s--) {
		uint64_t sz = 1ull << s;
		if (!(sizes & (1ull << s)))
			continue;
		if ((iova & (sz - 1)) == 0 && (pa & (sz - 1)) == 0 && len >= sz)
			return (unsigned)s;
	}
	return 0;
}

static bool slots_free(const struct mapper *mp, unsigned level, uint64_t slot_pa, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct ims_pt_entry e;
		mp->f->ops->decode(mp->f, level, rd(mp, slot_pa + 8 * i), &e);
		if (e.type != IMS_PTE_INVALID)
			return false;
	}
	return true;
}

static int map_level(const struct mapper *mp, unsigned level, uint64_t table, uint64_t iova,
		     uint64_t pa, uint64_t len, unsigned prot)
{
	const struct ims_pt_fmt *f = mp->f;
	uint64_t span = span_of(f, level);

	while (len) {
		uint64_t slot = table + 8ull * ims_pt_index(f, level, iova);
		unsigned s = pick_leaf(f, level, iova, pa, len);
		struct ims_pt_entry e;
		uint64_t chunk, next;
		int rc;

		if (s) {
			uint64_t n = 1ull << (s - f->shift[level]);
			if (slots_free(mp, level, slot, n)) {
				for (uint64_t i = 0; i < n; i++)
					wr(mp, slot + 8 * i, f->ops->make_leaf(f, level, s, pa + i * span, prot));
				iova += 1ull << s;
				pa += 1ull << s;
				len -= 1ull << s;
				continue;
			}
		}
		if (level == 0)
			return -EEXIST; /* cannot happen after the pre-check */

		f->ops->decode(f, level, rd(mp, slot), &e);
		if (e.type == IMS_PTE_INVALID) {
			rc = alloc_table(mp, level - 1, &next);
			if (rc)
				return rc;
			wr(mp, slot, f->ops->make_table(f, level, level - 1, next));
		} else if (e.type == IMS_PTE_TABLE && e.fault == IMS_PT_OK &&
			   e.next_level == level - 1) {
			next = e.addr;
		} else {
			return -EEXIST;
		}
		chunk = span - (iova & (span - 1));
		if (chunk > len)
			chunk = len;
		rc = map_level(mp, level - 1, next, iova, pa, chunk, prot);
		if (rc)
			return rc;
		iova += chunk;
		pa += chunk;
		len -= chunk;
	}
	return 0;
}

/* Clears every leaf inside [lo, hi] (callers split the ends first), frees
 * tables left empty, and adds the bytes cleared to *unmapped. */
static void unmap_level(const struct mapper *mp, unsigned level, uint64_t table, uint64_t lo,
			uint64_t hi, uint64_t *unmapped)
{
	const struct ims_pt_fmt *f = mp->f;
	uint64_t span = span_of(f, level);
	uint64_t a = lo;

	for (;;) {
		uint64_t slot = table + 8ull * ims_pt_index(f, level, a);
		uint64_t slot_last = a | (span - 1);
		uint64_t end = slot_last < hi ? slot_last : hi;
		struct ims_pt_entry e;

		f->ops->decode(f, level, rd(mp, slot), &e);
		if (e.type == IMS_PTE_LEAF) {
			/* A whole slot (ends were split); a run may extend beyond it,
			 * but then the run lies inside [lo, hi] too. */
			wr(mp, slot, 0);
			*unmapped += span;
		} else if (e.type == IMS_PTE_TABLE && e.fault == IMS_PT_OK && e.next_level < level) {
			unmap_level(mp, e.next_level, e.addr, a, end, unmapped);
			if (table_empty(mp, e.next_level, e.addr, ims_pt_index(f, e.next_level, end))) {
				wr(mp, slot, 0);
				ims_palloc_free(mp->p, e.addr, table_order(f, e.next_level));
			}
		}
		if (end >= hi)
			return;
		a = end + 1;
	}
}

/* Makes `addr` the first address of a leaf (or of an unmapped slot) by
 * splitting runs and large leaves that contain it below their start.  What
 * translates to what does not change. */
static int split_at(const struct mapper *mp, uint64_t root, uint64_t addr)
{
	const struct ims_pt_fmt *f = mp->f;
	unsigned level = f->top_level;
	uint64_t table = root;

	for (;;) {
		uint64_t span = span_of(f, level);
		unsigned idx = ims_pt_index(f, level, addr);
		uint64_t slot = table + 8ull * idx;
		uint64_t pte = rd(mp, slot);
		struct ims_pt_entry e;

		f->ops->decode(f, level, pte, &e);
		if (e.type == IMS_PTE_INVALID || e.fault != IMS_PT_OK)
			return 0;
		if (e.type == IMS_PTE_TABLE) {
			if (e.next_level >= level)
				return 0;
			table = e.addr;
			level = e.next_level;
			continue;
		}
		/* A leaf.  Split a run into single-slot leaves first. */
		if (e.run_shift > f->shift[level] && (addr & ((1ull << e.run_shift) - 1))) {
			uint64_t n = 1ull << (e.run_shift - f->shift[level]);
			unsigned first = idx & ~(unsigned)(n - 1);
			unsigned prot = f->ops->leaf_prot(f, level, pte);
			/* Arm contiguous entries each hold their own output address;
			 * AMD NextLevel=7 entries all hold the run's base. */
			uint64_t run_oa = e.size_shift >= e.run_shift
						  ? e.addr
						  : e.addr - (uint64_t)(idx - first) * span;

			if (!(f->leaf_shifts[level] & (1ull << f->shift[level])))
				return -EINVAL;
			for (uint64_t i = 0; i < n; i++)
				wr(mp, table + 8ull * (first + i),
				   f->ops->make_leaf(f, level, f->shift[level], run_oa + i * span, prot));
			continue; /* look at the slot again, now a single leaf */
		}
		if ((addr & (span - 1)) == 0 || level == 0)
			return 0; /* addr starts this leaf */
		{
			unsigned lower = level - 1;
			uint64_t lspan = span_of(f, lower);
			uint64_t n = 1ull << f->bits[lower];
			unsigned prot = f->ops->leaf_prot(f, level, pte);
			uint64_t next;
			int rc;

			if (!(f->leaf_shifts[lower] & (1ull << f->shift[lower])))
				return -EINVAL;
			rc = alloc_table(mp, lower, &next);
			if (rc)
				return rc;
			for (uint64_t i = 0; i < n; i++)
				wr(mp, next + 8 * i,
				   f->ops->make_leaf(f, lower, f->shift[lower], e.addr + i * lspan, prot));
			wr(mp, slot, f->ops->make_table(f, level, lower, next));
			table = next;
			level = lower;
		}
	}
}

int ims_pt_map(const struct ims_pt_fmt *f, struct ims_mem *m, struct ims_palloc *p,
	       uint64_t root, uint64_t iova, uint64_t pa, uint64_t len, unsigned prot)
{
	struct mapper mp = { f, m, p };
	int rc = check_args(f, iova, pa, len, true);

	if (rc)
		return rc;
	/* A mapping nobody may read or write is no mapping (VT-d SS would even
	 * read it back as not present); Linux refuses it the same way. */
	if (!(prot & (IMS_PT_PROT_R | IMS_PT_PROT_W)))
		return -EINVAL;
	if (any_mapped(&mp, f->top_level, root, iova, iova + len - 1))
		return -EEXIST;
	rc = map_level(&mp, f->top_level, root, iova, pa, len, prot);
	if (rc) {
		/* Nothing in the range was mapped before: undo all of it. */
		uint64_t dummy = 0;
		unmap_level(&mp, f->top_level, root, iova, iova + len - 1, &dummy);
	}
	return rc;
}

int ims_pt_unmap(const struct ims_pt_fmt *f, struct ims_mem *m, struct ims_palloc *p,
		 uint64_t root, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	struct mapper mp = { f, m, p };
	uint64_t last = iova + len - 1;
	int rc = check_args(f, iova, 0, len, false);

	*unmapped = 0;
	if (rc)
		return rc;
	rc = split_at(&mp, root, iova);
	if (!rc && last != ~0ull && ims_pt_input_ok(f, last + 1))
		rc = split_at(&mp, root, last + 1);
	if (rc)
		return rc;
	unmap_level(&mp, f->top_level, root, iova, last, unmapped);
	return 0;
}

static void free_level(const struct mapper *mp, unsigned level, uint64_t table)
{
	const struct ims_pt_fmt *f = mp->f;

	if (level > 0) {
		uint64_t n = 1ull << f->bits[level];
		for (uint64_t i = 0; i < n; i++) {
			struct ims_pt_entry e;
			f->ops->decode(f, level, rd(mp, table + 8 * i), &e);
			if (e.type == IMS_PTE_TABLE && e.fault == IMS_PT_OK && e.next_level < level)
				free_level(mp, e.next_level, e.addr);
		}
	}
	ims_palloc_free(mp->p, table, table_order(f, level));
}

void ims_pt_free(const struct ims_pt_fmt *f, struct ims_mem *m, struct ims_palloc *p,
		 uint64_t root)
{
	struct mapper mp = { f, m, p };
	free_level(&mp, f->top_level, root);
}
