/* SPDX-License-Identifier: MIT */
/*
 * The request path (digest §2.2, §4.2, §7.1): one DMA request from the
 * device to its result.  An untranslated request looks in the IOTLB first;
 * on a miss (and for ATS requests) routing finds the configuration
 * (hw_route.c), the walk translates (hw_walk.c), and the result is cached or
 * the fault reported, with the response each request type gets.  Every step
 * is charged and the clock moved by the total.
 */
#include <string.h>

#include "models/vtd/hw_priv.h"

unsigned vtd_xreq_access(const struct vtd_xreq *x)
{
	unsigned a = 0;

	if (x->rd)
		a |= IMS_PT_ACC_R;
	if (x->wr)
		a |= IMS_PT_ACC_W;
	if (x->er)
		a |= IMS_PT_ACC_X;
	if (x->pr)
		a |= IMS_PT_ACC_PRIV;
	return a;
}

/* Conditions a translation request answers with "success" and R=W=0 or
 * the effective rights instead of CA/UR: not-present, permission and
 * address conditions (SPEC 4.2.3, digest §4.2 "Responses").  They are not
 * recorded. */
static bool ats_success(unsigned fr)
{
	switch (fr) {
	case VTD_FR_LGN_1: case VTD_FR_LGN_2: case VTD_FR_LGN_3:
	case VTD_FR_SPD_2: case VTD_FR_SPT_2: case VTD_FR_SFS_2:
	case VTD_FR_SFS_5: case VTD_FR_SFS_6: case VTD_FR_SFS_7: case VTD_FR_SFS_8:
	case VTD_FR_SSS_2: case VTD_FR_SGN_1: case VTD_FR_SGN_2: case VTD_FR_SGN_3:
	case VTD_FR_SGN_4: case VTD_FR_SGN_5: case VTD_FR_SGN_6: case VTD_FR_SGN_7:
	case VTD_FR_SGN_10:
		return true;
	default:
		return false;
	}
}

void vtd_report(struct vtd_hw *hw, const struct vtd_xreq *x, unsigned fr,
		struct ims_dma_result *res)
{
	struct vtd_fault f = {
		.fr = fr, .sid = x->sid, .addr = x->addr, .pp = x->pp,
		.pasid = x->req->pasid, .pr = x->pr, .er = x->er, .rd = x->rd, .wr = x->wr,
		.type = x->type,
	};

	res->status = IMS_DMA_FAULT;
	res->fault = fr;
	if (vtd_fr_qualified(fr) && x->fpd) {
		/* FPD in an entry traversed suppresses qualified faults. */
		hw->st.faults_suppressed++;
		hw->st.fault_by_reason[fr & 0xFF]++;
		res->reported = false;
		return;
	}
	res->reported = vtd_fault_record(hw, &f);
}

/* A translation was refused with fr: ATS completions, CM caching, the log. */
static void refuse(struct vtd_hw *hw, struct vtd_xreq *x, unsigned fr,
		   const struct vtd_xlate *o, struct ims_dma_result *res)
{
	if (x->type == IMS_DMA_TRANSLATION && ats_success(fr)) {
		/* Permission conditions complete with the translation and the
		 * rights the entries give; the rest with R=W=0. */
		res->status = IMS_DMA_OK;
		res->fault = fr;
		if (o && vtd_fr_is_permission(fr)) {
			res->perms = o->perms;
			res->pa = o->pa;
			res->size_shift = o->shift;
		}
		return;
	}
	/* Caching mode: a not-present second-stage result may be cached
	 * (digest §7.1); first-stage faults never are. */
	if (o && o->np && vtd_has_cap(hw, VTD_CAP_CM)) {
		struct vtd_tlb_val v = { .fault = (uint16_t)fr, .fpd = x->fpd };
		vtd_iotlb_fill(hw, x, 12, &v);
	}
	vtd_report(hw, x, fr, res);
}

/* Rights an IOTLB entry may hand out: supervisor rights only where SRE
 * allows supervisor requests, execute only where ERE does (3.x), so that a
 * later request a cached entry must not serve misses and takes the full
 * path with its own fault. */
static uint32_t cacheable_perms(const struct vtd_hw *hw, const struct vtd_xreq *x, uint32_t p)
{
	/* Legacy requests carry neither PR nor ER (no PASID prefix). */
	if (x->legacy)
		return p & ~(uint32_t)(IMS_PT_PX | IMS_PT_UX);
	if (!(x->pe[2] & VTD_PE_SRE))
		p &= ~(uint32_t)(IMS_PT_PR | IMS_PT_PW | IMS_PT_PX);
	if (!(hw->c.rev3 && vtd_has_ecap(hw, VTD_ECAP_ERS) && (x->pe[2] & VTD_PE_ERE)))
		p &= ~(uint32_t)(IMS_PT_PX | IMS_PT_UX);
	return p;
}

static bool in_interrupt_range(uint64_t pa)
{
	return (pa & ~0xFFFFFull) == 0xFEE00000ull;
}

/* The untranslated or translation request after its IOTLB miss. */
static void translate(struct vtd_hw *hw, struct vtd_xreq *x, struct ims_dma_result *res)
{
	struct vtd_xlate o = { 0 };
	unsigned fr = vtd_walk(hw, x, &o);
	uint64_t mask;

	hw->last.pgtt = x->pgtt;
	hw->last.did = x->did;
	if (fr) {
		refuse(hw, x, fr, &o, res);
		return;
	}
	mask = (1ull << o.shift) - 1;
	if (in_interrupt_range(o.pa)) {
		/* LGN.4 / SGN.8 (SPEC 3.15). */
		vtd_report(hw, x, x->legacy ? VTD_FR_LGN_4 : VTD_FR_SGN_8, res);
		return;
	}
	struct vtd_tlb_val v = {
		.pa = o.pa & ~mask, .perms = cacheable_perms(hw, x, o.perms), .dirty = o.dirty,
	};
	vtd_iotlb_fill(hw, x, o.shift, &v);
	res->status = IMS_DMA_OK;
	res->pa = o.pa;
	res->perms = o.perms;
	res->size_shift = o.shift;
}

/* Serves the request from the IOTLB when an entry covers it: the rights it
 * needs, and D already set for a write (else the walk must set it). */
static bool iotlb_serve(struct vtd_hw *hw, struct vtd_xreq *x, struct ims_dma_result *res)
{
	struct ims_cache_tag t;
	const struct vtd_tlb_val *v = vtd_iotlb_lookup(hw, x, &t);
	uint32_t need = ims_pt_needed(vtd_xreq_access(x));

	if (!v)
		return false;
	if (v->fault) {
		x->fpd = v->fpd;
		x->pgtt = t.kind;
		x->did = (uint16_t)t.domain;
		hw->st.iotlb_hits++;
		res->iotlb_hit = true;
		refuse(hw, x, v->fault, NULL, res);
		return true;
	}
	if (x->type != IMS_DMA_TRANSLATION && (v->perms & need) != need &&
	    !(x->zlr && vtd_has_cap(hw, VTD_CAP_ZLR) && (v->perms & (IMS_PT_PW | IMS_PT_UW))))
		return false;
	if (x->wr && !v->dirty)
		return false;
	hw->st.iotlb_hits++;
	hw->last.pgtt = t.kind;
	hw->last.did = (uint16_t)t.domain;
	res->iotlb_hit = true;
	res->status = IMS_DMA_OK;
	res->pa = v->pa + (x->addr & ((1ull << t.shift) - 1));
	res->perms = v->perms;
	res->size_shift = t.shift;
	return true;
}

/* RTADDR as latched by SRTP: 0x30 for what the part cannot do (SPEC 3.4,
 * digest §1.5). */
static unsigned root_mode_fault(const struct vtd_hw *hw, unsigned ttm)
{
	if (ttm == VTD_TTM_RSVD || (ttm == VTD_TTM_SCALABLE && !vtd_has_ecap(hw, VTD_ECAP_SMTS)) ||
	    (ttm == VTD_TTM_ABORT && !vtd_has_ecap(hw, VTD_ECAP_ADMS)))
		return VTD_FR_RTA_1;
	if ((hw->rta & VTD_RTADDR_SSIRWE) &&
	    (ttm == VTD_TTM_LEGACY || !vtd_has_ecap(hw, VTD_ECAP_SSIRWS)))
		return VTD_FR_RTA_1;
	if (ttm == VTD_TTM_ABORT)
		return VTD_FR_RTA_4;
	return 0;
}

static void dma(struct vtd_hw *hw, struct vtd_xreq *x, struct ims_dma_result *res)
{
	unsigned ttm = VTD_RTADDR_TTM(hw->rta), fr;

	if (!(hw->gsts & VTD_GSTS_TES)) {
		/* Remapping disabled: requests are not translated.  A page
		 * request has nowhere to go and is dropped. */
		if (x->type == IMS_DMA_PAGE_REQUEST) {
			res->status = IMS_DMA_FAULT;
			return;
		}
		res->status = IMS_DMA_OK;
		res->pa = x->addr;
		res->perms = IMS_PT_PERM_ALL;
		res->size_shift = 12;
		return;
	}
	x->legacy = ttm == VTD_TTM_LEGACY;
	fr = root_mode_fault(hw, ttm);
	if (!fr && x->legacy && x->pp)
		fr = VTD_FR_RTA_2;
	else if (!fr && x->legacy && x->type == IMS_DMA_PAGE_REQUEST)
		fr = VTD_FR_RTA_3;
	else if (!fr && !x->legacy && x->er && hw->c.ver_major >= 8)
		fr = VTD_FR_RTA_5;
	if (fr) {
		if (x->type == IMS_DMA_PAGE_REQUEST)
			vtd_prq_refused(hw, x, fr, res);
		else
			vtd_report(hw, x, fr, res);
		return;
	}
	if (x->type == IMS_DMA_PAGE_REQUEST) {
		vtd_prq_request(hw, x, res);
		return;
	}
	/* An untranslated request looks in the IOTLB by SID and PASID before
	 * anything else; ATS requests check the context entry first (DTE /
	 * TT) and then may use the IOTLB. */
	if (x->type == IMS_DMA_UNTRANSLATED && iotlb_serve(hw, x, res))
		return;
	fr = vtd_route(hw, x);
	if (fr) {
		refuse(hw, x, fr, NULL, res);
		return;
	}
	if (x->type == IMS_DMA_TRANSLATED) {
		/* Already translated by the device: only the HAW check. */
		if (x->addr >> hw->c.haw) {
			vtd_report(hw, x, x->legacy ? VTD_FR_LGN_1 : VTD_FR_SGN_4, res);
			return;
		}
		res->status = IMS_DMA_OK;
		res->pa = x->addr;
		res->perms = IMS_PT_PERM_ALL;
		res->size_shift = 12;
		return;
	}
	if (x->type == IMS_DMA_TRANSLATION && !x->pp && in_interrupt_range(x->addr)) {
		/* The interrupt range is never translated: the completion says
		 * R=0, W=1 with U=1 (untranslated access only), not a fault
		 * (SPEC 4.2.3, digest §4.2 special case). */
		res->status = IMS_DMA_OK;
		res->pa = x->addr;
		res->perms = IMS_PT_PW | IMS_PT_UW;
		res->size_shift = 12;
		return;
	}
	if (x->type == IMS_DMA_TRANSLATION && iotlb_serve(hw, x, res))
		return;
	hw->st.iotlb_misses++;
	vtd_charge(hw, VTD_C_WALK_START, 1);
	translate(hw, x, res);
}

void vtd_hw_dma(struct vtd_hw *hw, const struct ims_dma_req *req, struct ims_dma_result *res)
{
	struct vtd_xreq x;
	unsigned acc;

	if (!res)
		return;
	memset(res, 0, sizeof(*res));
	if (!hw || !req) {
		res->status = IMS_DMA_FAULT;
		return;
	}
	memset(&x, 0, sizeof(x));
	memset(&hw->last, 0, sizeof(hw->last));
	hw->last.psc_level[0] = hw->last.psc_level[1] = -1;
	hw->cyc = 0;

	acc = req->access;
	x.req = req;
	x.type = req->type <= IMS_DMA_PAGE_REQUEST ? req->type : IMS_DMA_UNTRANSLATED;
	x.sid = (uint16_t)req->sid;
	x.addr = req->addr;
	x.pp = req->pasid != IMS_NO_PASID;
	x.pasid = x.pp ? req->pasid & 0xFFFFF : 0;
	x.wr = acc & IMS_PT_ACC_W;
	x.rd = (acc & IMS_PT_ACC_R) || !x.wr;
	/* Execute and privilege come in the PASID prefix only. */
	x.er = x.pp && (acc & IMS_PT_ACC_X);
	x.pr = x.pp && (acc & IMS_PT_ACC_PRIV);
	x.zlr = req->len == 0 && x.rd && !x.wr;

	hw->st.dma++;
	dma(hw, &x, res);
	switch (res->status) {
	case IMS_DMA_OK:
		hw->st.dma_ok++;
		break;
	case IMS_DMA_QUEUED:
		hw->st.dma_queued++;
		break;
	default:
		hw->st.dma_fault++;
		break;
	}
	res->mem_reads = hw->last.config_reads + hw->last.walk_reads;
	res->cycles = hw->cyc;
	ims_hist_add(&hw->st.dma_cycles, hw->cyc);
	ims_clock_advance(&hw->cost, hw->cyc);
	hw->cyc = 0;
}
