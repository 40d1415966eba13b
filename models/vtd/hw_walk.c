/* SPDX-License-Identifier: MIT */
/*
 * Page walks (SPEC 3.6-3.9, digest §3): first stage (x86-64 4/5-level),
 * second stage (EPT-compatible 3/4/5-level), nested (every first-stage table
 * address, a GPA, goes through second stage: the two-dimensional walk) and
 * pass-through.  The walking itself is sim/pt's generic walker; this file
 * builds the format for the entry that governs the request, consults and
 * fills the paging-structure caches, makes the accessed/dirty updates, and
 * turns walker faults into VT-d fault reasons.
 *
 * Snoop rule for A/D (SPEC 3.10, digest §3.1/3.2): in scalable mode a walk
 * is snooped only with ECAP.SMPWCS and the PASID entry's PWSNP; an A/D
 * update a non-snooped walk would need faults (SFS.9 / SSS.5).
 */
#include <string.h>

#include "models/vtd/hw_priv.h"

struct env {
	struct vtd_hw *hw;
	struct vtd_xreq *x;
	bool sm;      /* scalable mode */
	bool snooped; /* scalable-mode walk is snooped: A/D updates allowed */
};

/* Output of one second-stage translation. */
struct ss_out {
	uint64_t hpa;
	unsigned shift;
	uint32_t perms;
	bool dirty;
	bool np;
};

bool vtd_fr_is_permission(unsigned fr)
{
	return fr == VTD_FR_LGN_2 || fr == VTD_FR_LGN_3 || fr == VTD_FR_SGN_2 ||
	       fr == VTD_FR_SGN_3 || fr == VTD_FR_SGN_6 || fr == VTD_FR_SGN_7;
}

static int ss_format(const struct env *e, struct ims_pt_fmt *f)
{
	const struct vtd_hw *hw = e->hw;
	const struct vtd_xreq *x = e->x;
	struct ims_pt_vtdss_cfg c = {
		.levels = x->aw + 2, .mgaw = hw->c.mgaw, .oas = hw->c.haw,
		.pg2m = hw->c.ss2m, .pg1g = hw->c.ss1g,
	};

	if (vtd_has_ecap(hw, VTD_ECAP_SC))
		c.flags |= IMS_PT_F_SNP;
	if (e->sm) {
		if (x->pe[0] & VTD_PE_SSADE)
			c.flags |= IMS_PT_F_AD;
		if (hw->rta & VTD_RTADDR_SSIRWE)
			c.flags |= IMS_PT_F_IRW;
		if (hw->c.rev3 && (x->pe[0] & VTD_PE_SLEE))
			c.flags |= IMS_PT_F_NX;
	}
	return ims_pt_fmt_vtd_ss(f, &c);
}

static int fs_format(const struct env *e, struct ims_pt_fmt *f)
{
	const struct vtd_hw *hw = e->hw;
	const uint64_t q2 = e->x->pe[2];
	struct ims_pt_x86_cfg c = {
		.levels = VTD_PE_FSPM(q2) == 1 ? 5 : 4, .oas = hw->c.haw,
		.pg1g = vtd_has_cap(hw, VTD_CAP_FS1GP),
		.flags = IMS_PT_F_SIGN_EXTEND | IMS_PT_F_AD,
	};

	if (q2 & VTD_PE_EAFE)
		c.flags |= IMS_PT_F_EA;
	if (q2 & VTD_PE_WPE)
		c.flags |= IMS_PT_F_WPE;
	if (hw->c.rev3 && (q2 & VTD_PE_NXE))
		c.flags |= IMS_PT_F_NX;
	return ims_pt_fmt_x86_64(f, &c);
}

static void count_reads(struct vtd_hw *hw, unsigned n)
{
	hw->last.walk_reads += n;
	hw->st.walk_reads += n;
	vtd_charge(hw, VTD_C_WALK_READ, n);
}

/* Makes the walk's accessed/dirty updates as locked compare-exchanges: an
 * entry software changed meanwhile is left alone; an update that cannot be
 * written (abort range) fails the translation. */
static bool apply_updates(struct vtd_hw *hw, const struct ims_pt_walk *w)
{
	for (unsigned i = 0; i < w->nupdates; i++) {
		const struct ims_pt_update *u = &w->updates[i];
		uint64_t cur;

		if (!ims_mem_fetch64(hw->mem, u->pa, IMS_MEM_WALK, &cur))
			return false;
		if (cur != u->old)
			continue;
		if (!ims_mem_store64(hw->mem, u->pa, u->new, IMS_MEM_WALK))
			return false;
		hw->last.ad_writes++;
		hw->st.ad_writes++;
		vtd_charge(hw, VTD_C_AD_WRITE, 1);
	}
	return true;
}

/* Caches the walk's non-leaf entries (present, reserved-clean, A already
 * set: SPEC 6.2.5).  For the nested first stage each entry also carries the
 * next table's HPA and its second-stage rights. */
static void psc_fill(struct vtd_hw *hw, int stage, const struct ims_pt_fmt *f,
		     const struct vtd_xreq *x, uint64_t iova, const struct ims_pt_walk *w,
		     const uint64_t *hpa, const uint32_t *ss_perms)
{
	for (unsigned i = 0; i + 1 < w->nreads; i++) {
		const struct ims_pt_read *r = &w->reads[i];
		unsigned next = w->reads[i + 1].level;
		struct vtd_psc_val v = {
			.table = w->reads[i + 1].table,
			.hpa = hpa ? hpa[next] : w->reads[i + 1].table,
			.perms = r->perms,
			.ss_perms = ss_perms ? ss_perms[next] : 0,
		};
		vtd_psc_fill(hw, stage, x->did, x->pasid, iova & ~((1ull << f->shift[r->level]) - 1),
			     r->level, f->shift[r->level], &v);
	}
}

/* A second-stage translation of `in` with `access`.  perm_fr names the
 * fault for missing rights (0: the final access, write/read codes). */
static unsigned ss_translate(const struct env *e, const struct ims_pt_fmt *f, uint64_t in,
			     unsigned access, unsigned perm_fr, struct ss_out *o)
{
	struct vtd_hw *hw = e->hw;
	const struct vtd_xreq *x = e->x;
	struct ims_pt_walk_req rq = {
		.iova = in, .access = access, .table = x->ssptptr, .start_level = -1,
		.perms = IMS_PT_PERM_ALL,
	};
	struct ims_pt_walk w;
	struct vtd_psc_val pv;
	bool resumed = false;
	int lvl;

	memset(o, 0, sizeof(*o));
	if (f->ias < 64 && (in >> f->ias))
		return e->sm ? VTD_FR_SGN_5 : VTD_FR_LGN_1;
	lvl = vtd_psc_lookup(hw, 1, x->did, 0, in, f->top_level, &pv);
	if (lvl >= 1) {
		rq.table = pv.table;
		rq.start_level = lvl - 1;
		rq.perms = pv.perms;
		resumed = true;
		if (lvl < hw->last.psc_level[1] || hw->last.psc_level[1] < 0)
			hw->last.psc_level[1] = lvl;
	}
	ims_pt_walk(f, hw->mem, &rq, &w);
	count_reads(hw, w.nreads);
	/* The input was checked above, before the PSC look-up. */
	switch (w.fault) {
	case IMS_PT_OK:
		break;
	case IMS_PT_FAULT_WALK_ABORT:
		if (!resumed && w.level == (int)f->top_level)
			return e->sm ? VTD_FR_SSS_4 : VTD_FR_LCT_4;
		return e->sm ? VTD_FR_SSS_1 : VTD_FR_LSS_1;
	case IMS_PT_FAULT_NOT_PRESENT:
		o->np = true;
		if (e->sm)
			return VTD_FR_SSS_2;
		return (access & IMS_PT_ACC_W) ? VTD_FR_LGN_2 : VTD_FR_LGN_3;
	case IMS_PT_FAULT_PERMISSION: {
		uint32_t need = ims_pt_needed(access), miss = need & ~w.perms;
		o->perms = w.perms;
		o->hpa = w.oa;
		o->shift = w.size_shift;
		/* A zero-length read of a write-only page (CAP.ZLR). */
		if (!perm_fr && x->zlr && vtd_has_cap(hw, VTD_CAP_ZLR) &&
		    (w.perms & (IMS_PT_PW | IMS_PT_UW)) && !(access & IMS_PT_ACC_W))
			break;
		if (perm_fr)
			return perm_fr;
		if (miss & (IMS_PT_PW | IMS_PT_UW))
			return e->sm ? VTD_FR_SGN_6 : VTD_FR_LGN_2;
		if (miss & (IMS_PT_PX | IMS_PT_UX) && !(miss & (IMS_PT_PR | IMS_PT_UR)))
			return VTD_FR_SGN_3;
		return e->sm ? VTD_FR_SGN_7 : VTD_FR_LGN_3;
	}
	default: /* RESERVED (the VT-d formats report nothing else) */
		return e->sm ? VTD_FR_SSS_3 : VTD_FR_LSS_2;
	}
	if (w.nupdates) {
		if (!e->snooped)
			return VTD_FR_SSS_5;
		if (!apply_updates(hw, &w))
			return VTD_FR_SSS_6;
	}
	psc_fill(hw, 1, f, x, in, &w, NULL, NULL);
	o->hpa = w.oa;
	o->shift = w.size_shift;
	o->perms = w.perms;
	o->dirty = !(f->flags & IMS_PT_F_AD) || (access & IMS_PT_ACC_W) ||
		   (w.reads[w.nreads - 1].pte & (1ull << 9)); /* SS D, SPEC 9.8 */
	return 0;
}

/* ---- Nested: first-stage table addresses through second stage ----------- */
struct nest {
	const struct env *e;
	const struct ims_pt_fmt *ssf;
	uint64_t limit;          /* 2^X - 1 */
	unsigned top;            /* first-stage root level */
	unsigned fr;             /* the fault the hook found */
	uint64_t hpa[IMS_PT_MAX_LEVELS];
	uint32_t ss_perms[IMS_PT_MAX_LEVELS];
	int resume_level;        /* a PSC hit: its table needs no SS walk */
	uint64_t resume_gpa, resume_hpa;
	uint32_t resume_ss_perms;
};

static enum ims_pt_fault nest_table(void *arg, unsigned level, uint64_t gpa, uint64_t *pa)
{
	struct nest *n = arg;
	const struct env *e = n->e;
	struct ss_out o;
	unsigned access = IMS_PT_ACC_R;

	if ((int)level == n->resume_level && gpa == n->resume_gpa) {
		n->hpa[level] = n->resume_hpa;
		n->ss_perms[level] = n->resume_ss_perms;
		*pa = n->resume_hpa;
		return IMS_PT_OK;
	}
	if (gpa > n->limit) {
		n->fr = level == n->top ? VTD_FR_SPT_4 : VTD_FR_SFS_5;
		return IMS_PT_FAULT_NESTED;
	}
	/* Reading a first-stage entry needs SS read; with SSADE read and write
	 * (digest §3.3). */
	if (e->x->pe[0] & VTD_PE_SSADE)
		access |= IMS_PT_ACC_W;
	n->fr = ss_translate(e, n->ssf, gpa, access,
			     level == n->top ? VTD_FR_SFS_6 : VTD_FR_SFS_7, &o);
	if (n->fr)
		return IMS_PT_FAULT_NESTED;
	n->hpa[level] = o.hpa;
	n->ss_perms[level] = o.perms;
	*pa = o.hpa;
	return IMS_PT_OK;
}

/* First-stage fault reason for missing rights (SPEC 3.6.1). */
static unsigned fs_perm_fault(const struct vtd_xreq *x, unsigned access, uint32_t perms)
{
	uint32_t miss = ims_pt_needed(access) & ~perms;

	if (!x->pr && (miss & IMS_PT_UR))
		return VTD_FR_SGN_2; /* a user request met U/S=0 */
	if (miss & (IMS_PT_PW | IMS_PT_UW))
		return VTD_FR_SGN_6;
	return VTD_FR_SGN_3; /* reads are never refused otherwise: execute */
}

static unsigned fs_translate(const struct env *e, bool nested, struct vtd_xlate *o)
{
	struct vtd_hw *hw = e->hw;
	struct vtd_xreq *x = e->x;
	struct ims_pt_fmt fsf, ssf;
	struct ims_pt_walk w;
	struct vtd_psc_val pv;
	struct nest n;
	struct ims_pt_hooks hooks = { .table_addr = nest_table, .arg = &n };
	const unsigned access = vtd_xreq_access(x);
	bool resumed = false;
	int lvl;

	if (fs_format(e, &fsf) < 0 || (nested && ss_format(e, &ssf) < 0))
		return VTD_FR_SPT_4;
	memset(&n, 0, sizeof(n));
	n.e = e;
	n.ssf = &ssf;
	n.limit = nested ? (ssf.ias >= 64 ? UINT64_MAX : (1ull << ssf.ias) - 1) : 0;
	n.top = fsf.top_level;
	n.resume_level = -1;

	struct ims_pt_walk_req rq = {
		.iova = x->addr, .access = access, .table = x->pe[2] & VTD_PE_FSPTPTR,
		.start_level = -1, .perms = IMS_PT_PERM_ALL, .hooks = nested ? &hooks : NULL,
	};
	lvl = vtd_psc_lookup(hw, 0, x->did, x->pasid, x->addr, fsf.top_level, &pv);
	if (lvl >= 1) {
		rq.table = pv.table;
		rq.start_level = lvl - 1;
		rq.perms = pv.perms;
		n.resume_level = lvl - 1;
		n.resume_gpa = pv.table;
		n.resume_hpa = pv.hpa;
		n.resume_ss_perms = pv.ss_perms;
		resumed = true;
		hw->last.psc_level[0] = lvl;
	}
	ims_pt_walk(&fsf, hw->mem, &rq, &w);
	count_reads(hw, w.nreads);
	switch (w.fault) {
	case IMS_PT_OK:
		break;
	case IMS_PT_FAULT_NESTED:
		return n.fr;
	case IMS_PT_FAULT_INPUT:
		return VTD_FR_SGN_1;
	case IMS_PT_FAULT_WALK_ABORT:
		return !resumed && w.level == (int)fsf.top_level ? VTD_FR_SFS_4 : VTD_FR_SFS_1;
	case IMS_PT_FAULT_NOT_PRESENT:
		return VTD_FR_SFS_2;
	case IMS_PT_FAULT_PERMISSION:
		if (!nested) {
			o->perms = w.perms;
			o->pa = w.oa;
			o->shift = w.size_shift;
		}
		return fs_perm_fault(x, access, w.perms);
	default:
		return VTD_FR_SFS_3;
	}
	if (w.nupdates) {
		if (!e->snooped)
			return VTD_FR_SFS_9;
		/* In nested mode an A/D update writes a page second stage must
		 * let us write (digest §3.3, SFS.8). */
		for (unsigned i = 0; nested && i < w.nupdates; i++)
			if (!(n.ss_perms[w.updates[i].level] & IMS_PT_PW))
				return VTD_FR_SFS_8;
		if (!apply_updates(hw, &w))
			return VTD_FR_SFS_10;
	}
	bool dirty = x->wr || (w.reads[w.nreads - 1].pte & (1ull << 6)); /* FS D, SPEC 9.7 */
	if (!nested) {
		o->pa = w.oa;
		o->shift = w.size_shift;
		o->perms = w.perms;
		o->dirty = dirty;
		psc_fill(hw, 0, &fsf, x, x->addr, &w, NULL, NULL);
		return 0;
	}
	/* The final GPA: checked against 2^X-1 like every FS address, then
	 * translated by second stage with the request's own access. */
	if (w.oa > n.limit)
		return VTD_FR_SFS_5;
	struct ss_out so;
	unsigned fr = ss_translate(e, &ssf, w.oa, access, 0, &so);
	if (fr) {
		o->np = so.np;
		return fr;
	}
	o->pa = so.hpa;
	o->shift = w.size_shift < so.shift ? w.size_shift : so.shift;
	o->perms = w.perms & so.perms;
	o->dirty = dirty && so.dirty;
	psc_fill(hw, 0, &fsf, x, x->addr, &w, n.hpa, n.ss_perms);
	return 0;
}

unsigned vtd_walk(struct vtd_hw *hw, struct vtd_xreq *x, struct vtd_xlate *o)
{
	struct env e = {
		.hw = hw, .x = x, .sm = !x->legacy,
		.snooped = vtd_has_ecap(hw, VTD_ECAP_SMPWCS) && (x->pe[1] & VTD_PE_PWSNP),
	};
	struct ims_pt_fmt f;
	struct ss_out so;
	unsigned fr;

	memset(o, 0, sizeof(*o));
	hw->st.walks++;
	switch (x->pgtt) {
	case VTD_PGTT_PT:
		/* Pass-through: the address is the HPA, within HAW (SPEC 3.9). */
		if (x->addr >> hw->c.haw)
			return e.sm ? VTD_FR_SGN_4 : VTD_FR_LGN_1;
		o->pa = x->addr;
		o->shift = 12;
		o->perms = IMS_PT_PERM_ALL;
		o->dirty = true;
		return 0;
	case VTD_PGTT_FS:
		return fs_translate(&e, false, o);
	case VTD_PGTT_NESTED:
		return fs_translate(&e, true, o);
	default:
		if (ss_format(&e, &f) < 0)
			return e.sm ? VTD_FR_SPT_4 : VTD_FR_LCT_4;
		fr = ss_translate(&e, &f, x->addr, vtd_xreq_access(x), 0, &so);
		o->np = so.np;
		o->perms = so.perms;
		o->pa = so.hpa;
		o->shift = so.shift;
		o->dirty = so.dirty;
		return fr;
	}
}
