/* SPDX-License-Identifier: MIT */
/*
 * pt.alloc, pt.map, pt.unmap (traces/FORMAT.md §5 "Guest page tables"): page
 * tables built the way software builds them, with sim/pt's mapper, so a
 * trace can give a nested HWPT a guest stage-1 table without raw bytes.
 *
 * Table pages come from the pool= range, one allocator per distinct pool
 * (two tables naming the same pool share it; overlapping pools are an
 * error).  Without via= the pool is host physical memory and the mapper
 * writes it directly.  With via=$ioas the pool is guest physical: the mapper
 * works on a private image of the pool, and each pt.map/pt.unmap first reads
 * the pool's pages in from where the IOAS maps them (the hardware may have
 * set accessed/dirty bits) and writes them back after, so the guest's table
 * lives in simulated memory where the IOMMU walks it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/replay/replay_priv.h"

static int grow(void **v, uint32_t *cap, uint32_t need, size_t sz)
{
	if (need <= *cap)
		return 0;
	uint32_t c = *cap ? *cap * 2 : 4;
	while (c < need)
		c *= 2;
	void *n = realloc(*v, (size_t)c * sz);
	if (!n)
		return -ENOMEM;
	*v = n;
	*cap = c;
	return 0;
}

/* Copies the used pages of a via= pool between the machine and the image:
 * in (machine -> image) before the mapper runs, out after. */
static bool sync_pool(struct ims_replay *r, const struct ims_trace_stmt *st, struct rp_pool *pl,
		      bool in)
{
	uint8_t page[4096];

	if (!pl->via)
		return true;
	for (uint64_t gpa = pl->start; gpa < pl->pa.next; gpa += 4096) {
		uint64_t hpa;
		if (!rp_ioas_xlate(r, pl->via, gpa, &hpa)) {
			rp_error(r, st->line, "%s: table page at guest address 0x%" PRIx64 " is not "
				 "mapped in the via= IOAS", ims_trace_verb_name(st->verb), gpa);
			return false;
		}
		if (in) {
			ims_mem_read(r->mem, hpa, page, sizeof(page), IMS_MEM_DRIVER);
			ims_mem_write(pl->scratch, gpa, page, sizeof(page), IMS_MEM_DRIVER);
		} else {
			ims_mem_read(pl->scratch, gpa, page, sizeof(page), IMS_MEM_DRIVER);
			ims_mem_write(r->mem, hpa, page, sizeof(page), IMS_MEM_DRIVER);
		}
	}
	return true;
}

/* The pool [start, last] (via ioas), shared with a table that names the
 * same one. */
static int pool_get(struct ims_replay *r, const struct ims_trace_stmt *st, uint64_t start,
		    uint64_t last, uint32_t via, uint32_t *out)
{
	for (uint32_t i = 0; i < r->npools; i++) {
		const struct rp_pool *p = &r->pools[i];
		if (p->start == start && p->last == last && p->via == via) {
			*out = i;
			return 0;
		}
		if (p->via == via && start <= p->last && p->start <= last) {
			rp_error(r, st->line, "pt.alloc: pool 0x%" PRIx64 "-0x%" PRIx64 " overlaps the "
				 "pool 0x%" PRIx64 "-0x%" PRIx64 " of another table", start, last,
				 p->start, p->last);
			return -EINVAL;
		}
	}
	if (grow((void **)&r->pools, &r->cpools, r->npools + 1, sizeof(*r->pools))) {
		rp_error(r, st->line, "out of memory");
		return -ENOMEM;
	}
	struct rp_pool *p = &r->pools[r->npools];
	memset(p, 0, sizeof(*p));
	p->start = start;
	p->last = last;
	p->via = via;
	struct ims_mem *m = r->mem;
	if (via) {
		p->scratch = ims_mem_new();
		if (!p->scratch) {
			rp_error(r, st->line, "out of memory");
			return -ENOMEM;
		}
		m = p->scratch;
	}
	if (ims_palloc_init(&p->pa, m, start, last - start + 1)) {
		ims_mem_free(p->scratch);
		rp_error(r, st->line, "pt.alloc: bad pool 0x%" PRIx64 "-0x%" PRIx64, start, last);
		return -EINVAL;
	}
	*out = r->npools++;
	return 0;
}

/* The root: the pool's first free block, or the block at root= (taken out
 * of the pool when it lies inside: blocks before it go back). */
static int alloc_root(struct ims_replay *r, const struct ims_trace_stmt *st, struct rp_table *t,
		      struct rp_pool *pl, bool has_root, uint64_t root)
{
	const uint64_t bytes = ims_pt_table_bytes(&t->fmt, t->fmt.top_level);
	const unsigned order = ims_palloc_order(bytes);
	uint64_t skipped[64], pa;
	unsigned ns = 0;
	int rc = 0;

	if (!has_root || root < pl->start || root > pl->last) {
		if (!has_root)
			return ims_pt_alloc_root(&t->fmt, &pl->pa, &t->root);
		if (pl->via) {
			rp_error(r, st->line, "pt.alloc: with via= the root (0x%" PRIx64 ") must lie "
				 "in the pool", root);
			return -EINVAL;
		}
		if (root & (bytes - 1) || (root & 0xFFF)) {
			rp_error(r, st->line, "pt.alloc: root=0x%" PRIx64 " is not aligned to the "
				 "root table (%" PRIu64 " bytes)", root, bytes);
			return -EINVAL;
		}
		/* Outside the pool: the trace owns that memory; zero it. */
		ims_mem_zero(r->mem, root, bytes, IMS_MEM_DRIVER);
		t->root = root;
		return 0;
	}
	for (;;) {
		rc = ims_palloc_alloc(&pl->pa, order, &pa);
		if (rc || pa == root || ns == 64)
			break;
		skipped[ns++] = pa;
	}
	while (ns)
		ims_palloc_free(&pl->pa, skipped[--ns], order);
	if (!rc && pa != root) {
		ims_palloc_free(&pl->pa, pa, order);
		rc = -EBUSY;
	}
	if (rc) {
		rp_error(r, st->line, "pt.alloc: root=0x%" PRIx64 " cannot be taken from the pool "
			 "(%s)", root, rc == -EBUSY ? "in use, or not aligned" : "exhausted");
		return rc;
	}
	t->root = root;
	return 0;
}

static void stmt_alloc(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct ims_trace_arg *pool = ims_trace_kv(st, IMS_TRACE_K_POOL);
	const struct ims_trace_arg *root = ims_trace_kv(st, IMS_TRACE_K_ROOT);
	const struct ims_trace_arg *via = ims_trace_kv(st, IMS_TRACE_K_VIA);
	const struct ims_pt_named *nf = &ims_pt_catalog[st->pos[1].v.num];
	uint64_t start, last, rootv = 0;
	uint32_t ioas = 0, pi;
	struct rp_table t;

	memset(&t, 0, sizeof(t));
	t.slot = st->pos[0].v.name;
	t.pending.linear = t.unmapped.linear = false;
	if (!pool || !rp_num(r, st->line, &pool->p.ranges[0].first, &start) ||
	    !rp_num(r, st->line, &pool->p.ranges[0].last, &last) ||
	    (root && !rp_num(r, st->line, &root->v, &rootv)) ||
	    (via && !rp_objid(r, st->line, via, &ioas)))
		return;
	if (via && !rp_obj_get(r, ioas, RPO_IOAS)) {
		rp_error(r, st->line, "pt.alloc: via= names no IOAS");
		return;
	}
	if ((start & 0xFFF) || ((last + 1) & 0xFFF) || last < start || last + 1 == 0) {
		rp_error(r, st->line, "pt.alloc: pool 0x%" PRIx64 "-0x%" PRIx64 " must be whole 4 KiB "
			 "pages", start, last);
		return;
	}
	if (nf->make(&t.fmt)) {
		rp_error(r, st->line, "pt.alloc: format %s cannot be built", nf->name);
		return;
	}
	if (pool_get(r, st, start, last, ioas, &pi))
		return;
	t.pool = pi;
	struct rp_pool *pl = &r->pools[pi];
	if (!sync_pool(r, st, pl, true))
		return;
	int rc = alloc_root(r, st, &t, pl, root != NULL, rootv);
	if (rc == -ENOMEM)
		rp_error(r, st->line, "pt.alloc: the pool has no room for the root table");
	if (rc || !sync_pool(r, st, pl, false))
		return;
	if (grow((void **)&r->tables, &r->ctables, r->ntables + 1, sizeof(*r->tables))) {
		rp_error(r, st->line, "out of memory");
		return;
	}
	r->tables[r->ntables] = t;
	/* $table is the table and, as a number, its root. */
	rp_bind_val(r, st, t.slot, t.root);
	struct rp_name *n = rp_slot(r, t.slot);
	if (n) {
		n->kind = RPN_TABLE;
		n->table = (int32_t)r->ntables;
	}
	r->ntables++;
}

/* prot= letters (r w x p) as the mapper's protections. */
static unsigned prot_of(uint64_t letters)
{
	unsigned p = 0;

	if (letters & IMS_TRACE_ACC_R)
		p |= IMS_PT_PROT_R;
	if (letters & IMS_TRACE_ACC_W)
		p |= IMS_PT_PROT_W;
	if (!(letters & IMS_TRACE_ACC_X))
		p |= IMS_PT_PROT_NOEXEC;
	if (letters & IMS_TRACE_ACC_P)
		p |= IMS_PT_PROT_PRIV;
	return p;
}

static const char *map_error(int rc)
{
	switch (rc) {
	case -EEXIST: return "a page of the range is mapped already";
	case -EINVAL: return "not aligned to the smallest page, length 0, or no r/w right";
	case -ERANGE: return "outside the table's input or output address range";
	case -ENOMEM: return "the pool has no room for another table";
	default: return "";
	}
}

static void stmt_map_unmap(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct rp_name *n = rp_slot(r, st->pos[0].v.name);
	uint64_t iova, pa = 0, len, done = 0;
	int rc;

	if (!n || n->kind != RPN_TABLE) {
		if (n && n->kind == RPN_FAILED)
			rp_objid(r, st->line, &st->pos[0], &(uint32_t){ 0 });
		else
			rp_error(r, st->line, "%s: $%s is not a page table (pt.alloc makes one)",
				 ims_trace_verb_name(st->verb), rp_slot_name(r, st->pos[0].v.name));
		return;
	}
	struct rp_table *t = &r->tables[n->table];
	struct rp_pool *pl = &r->pools[t->pool];
	struct ims_pt_fmt f = t->fmt;
	struct ims_mem *m = pl->via ? pl->scratch : r->mem;
	const bool map = st->verb == IMS_TRACE_V_PT_MAP;

	if (!rp_num(r, st->line, &st->pos[1].v, &iova) ||
	    (map && !rp_num(r, st->line, &st->pos[2].v, &pa)) ||
	    !rp_num(r, st->line, &st->pos[map ? 3 : 2].v, &len))
		return;
	if (map) {
		const struct ims_trace_arg *ps = ims_trace_kv(st, IMS_TRACE_K_PGSIZE);
		uint64_t pgsize;
		if (ps) {
			if (!rp_num(r, st->line, &ps->v, &pgsize))
				return;
			if (!pgsize || (pgsize & (pgsize - 1)) || pgsize < (1ull << f.shift[0])) {
				rp_error(r, st->line, "pt.map: pgsize=0x%" PRIx64 " is not a page size "
					 "of %s", pgsize, f.name);
				return;
			}
			ims_pt_fmt_limit(&f, (unsigned)__builtin_ctzll(pgsize));
		}
	}
	if (!sync_pool(r, st, pl, true))
		return;
	if (map)
		rc = ims_pt_map(&f, m, &pl->pa, t->root, iova, pa, len,
				prot_of(ims_trace_kv(st, IMS_TRACE_K_PROT)->v.num));
	else
		rc = ims_pt_unmap(&f, m, &pl->pa, t->root, iova, len, &done);
	if (!sync_pool(r, st, pl, false))
		return;
	if (!rp_outcome(r, st, rc, map_error(rc)))
		return;
	if (r->o.check && len)
		rp_track_table_change(r, (uint32_t)n->table, iova,
				      iova + (len - 1) < iova ? UINT64_MAX : iova + (len - 1), st->line,
				      (uint8_t)st->verb, !map);
}

void rp_pt_stmt(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	if (st->verb == IMS_TRACE_V_PT_ALLOC)
		stmt_alloc(r, st);
	else
		stmt_map_unmap(r, st);
}

void rp_tables_free(struct ims_replay *r)
{
	for (uint32_t i = 0; i < r->ntables; i++) {
		rp_iv_free(&r->tables[i].unmapped);
		rp_iv_free(&r->tables[i].pending);
	}
	for (uint32_t i = 0; i < r->npools; i++) {
		ims_palloc_fini(&r->pools[i].pa);
		ims_mem_free(r->pools[i].scratch);
	}
	free(r->tables);
	free(r->pools);
	r->tables = NULL;
	r->pools = NULL;
	r->ntables = r->npools = 0;
}
