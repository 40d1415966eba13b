/* SPDX-License-Identifier: MIT */
/*
 * The one generic page-table walker.  Everything vendor-specific is behind
 * fmt->ops (decode, access); this file only knows that a walk goes from the
 * root towards the leaf, one entry per level, ANDing rights.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/pt.h"
#include "sim/pt/pt_priv.h"

uint32_t ims_pt_needed(unsigned access)
{
	bool priv = access & IMS_PT_ACC_PRIV;
	uint32_t need = 0;

	if (access & IMS_PT_ACC_R)
		need |= priv ? IMS_PT_PR : IMS_PT_UR;
	if (access & IMS_PT_ACC_W)
		need |= priv ? IMS_PT_PW : IMS_PT_UW;
	if (access & IMS_PT_ACC_X)
		need |= priv ? IMS_PT_PX : IMS_PT_UX;
	return need;
}

/* The input-address rule of the format (before any table is read):
 * canonical for x86 (SIGN_EXTEND), all ones for an Arm TTB1 range, all zeros
 * otherwise; Arm TBI leaves the top byte out of the check. */
bool ims_pt_input_ok(const struct ims_pt_fmt *f, uint64_t iova)
{
	unsigned ias = f->ias;
	unsigned top = (f->flags & IMS_PT_F_TBI) ? 56 : 64;
	uint64_t upper;

	if (ias >= top)
		return true;
	if (f->flags & IMS_PT_F_SIGN_EXTEND) {
		/* bits 63:ias-1 must all equal bit ias-1 */
		int64_t s = (int64_t)(iova << (64 - ias)) >> (64 - ias);
		return (uint64_t)s == iova;
	}
	upper = (iova >> ias);
	if (top < 64)
		upper &= (1ull << (top - ias)) - 1;
	if (f->flags & IMS_PT_F_TTB1)
		return upper == (((top - ias) >= 64) ? ~0ull : (1ull << (top - ias)) - 1);
	return upper == 0;
}

static enum ims_pt_fault stop(struct ims_pt_walk *w, enum ims_pt_fault fault, int level)
{
	w->fault = fault;
	w->level = level;
	w->nupdates = 0;
	return fault;
}

enum ims_pt_fault ims_pt_walk(const struct ims_pt_fmt *f, struct ims_mem *m,
			      const struct ims_pt_walk_req *req, struct ims_pt_walk *w)
{
	unsigned level = req->start_level < 0 ? f->top_level : (unsigned)req->start_level;
	uint64_t table = req->table;
	uint32_t perms = req->perms;
	uint64_t iova = req->iova;
	struct ims_pt_entry e;

	w->fault = IMS_PT_OK;
	w->level = -1;
	w->oa = 0;
	w->size_shift = w->run_shift = 0;
	w->perms = 0;
	w->nreads = 0;
	w->nupdates = 0;

	if (level > f->top_level)
		return stop(w, IMS_PT_FAULT_LEVEL, -1);
	if (!ims_pt_input_ok(f, iova))
		return stop(w, IMS_PT_FAULT_INPUT, -1);

	for (;;) {
		struct ims_pt_read *r = &w->reads[w->nreads];
		uint64_t base = table, pte;

		if (req->hooks && req->hooks->table_addr &&
		    req->hooks->table_addr(req->hooks->arg, level, table, &base) != IMS_PT_OK)
			return stop(w, IMS_PT_FAULT_NESTED, (int)level);
		r->level = level;
		r->table = table;
		r->pa = base + 8ull * ims_pt_index(f, level, iova);
		if (!ims_mem_fetch64(m, r->pa, req->kind, &pte))
			return stop(w, IMS_PT_FAULT_WALK_ABORT, (int)level);
		r->pte = pte;
		w->nreads++;

		f->ops->decode(f, level, pte, &e);
		if (e.fault != IMS_PT_OK)
			return stop(w, e.fault, (int)level);
		if (e.type == IMS_PTE_INVALID)
			return stop(w, IMS_PT_FAULT_NOT_PRESENT, (int)level);
		perms &= e.perms;
		r->perms = perms;
		if (e.type == IMS_PTE_LEAF)
			break;

		/* A table.  It must point further down; AMD-Vi v1 may skip levels,
		 * and then the skipped levels' index bits must be zero (AMD IOMMU
		 * spec 2.2.3, "level skipping"). */
		if (e.next_level >= level)
			return stop(w, IMS_PT_FAULT_LEVEL, (int)level);
		if (e.next_level + 1 < level) {
			unsigned lo = f->shift[e.next_level] + f->bits[e.next_level];
			unsigned hi = f->shift[level]; /* exclusive */
			uint64_t mask = ((hi >= 64) ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
			if (iova & mask)
				return stop(w, IMS_PT_FAULT_LEVEL, (int)level);
		}
		table = e.addr;
		level = e.next_level;
	}

	w->level = (int)level;
	w->size_shift = e.size_shift;
	w->run_shift = e.run_shift > e.size_shift ? e.run_shift : e.size_shift;
	w->oa = e.addr | (iova & ((e.size_shift >= 64) ? ~0ull : (1ull << e.size_shift) - 1));

	/* Accessed/dirty and access-flag handling, every entry top to bottom. */
	for (unsigned i = 0; i < w->nreads; i++) {
		const struct ims_pt_read *r = &w->reads[i];
		bool leaf = i + 1 == w->nreads;
		uint64_t npte = r->pte;

		if (f->ops->access) {
			enum ims_pt_fault af = f->ops->access(f, r->level, leaf, r->pte, req->access,
							      &perms, &npte);
			if (af != IMS_PT_OK)
				return stop(w, af, (int)r->level);
		}
		if (npte != r->pte) {
			struct ims_pt_update *u = &w->updates[w->nupdates++];
			u->level = r->level;
			u->pa = r->pa;
			u->old = r->pte;
			u->new = npte;
		}
	}
	w->perms = perms;
	{
		uint32_t need = ims_pt_needed(req->access);
		if ((perms & need) != need)
			return stop(w, IMS_PT_FAULT_PERMISSION, (int)level);
	}
	return IMS_PT_OK;
}

enum ims_pt_fault ims_pt_translate(const struct ims_pt_fmt *f, struct ims_mem *m,
				   uint64_t root, uint64_t iova, unsigned access,
				   struct ims_pt_walk *w)
{
	struct ims_pt_walk_req req = {
		.iova = iova, .access = access, .table = root, .start_level = -1,
		.perms = IMS_PT_PERM_ALL, .hooks = NULL,
	};
	return ims_pt_walk(f, m, &req, w);
}

unsigned ims_pt_apply_updates(struct ims_mem *m, const struct ims_pt_walk *w)
{
	unsigned made = 0;

	for (unsigned i = 0; i < w->nupdates; i++) {
		const struct ims_pt_update *u = &w->updates[i];
		uint64_t cur;

		/* A compare-exchange: software may have changed the entry since
		 * it was read, and then the hardware must not overwrite it. */
		if (!ims_mem_fetch64(m, u->pa, IMS_MEM_WALK, &cur) || cur != u->old)
			continue;
		if (ims_mem_store64(m, u->pa, u->new, IMS_MEM_WALK))
			made++;
	}
	return made;
}
