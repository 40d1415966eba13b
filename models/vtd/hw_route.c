/* SPDX-License-Identifier: MIT */
/*
 * Request routing (SPEC 3.4, 3.6, 9.1-9.6; digest §2.2): from the source-id
 * through the root and context entries (legacy or scalable mode), the PASID
 * directory and PASID table, to the translation type (PGTT) the walk uses;
 * every check of the digest with its fault reason.  The request path that
 * calls it (IOTLB, walk, responses) is hw_dma.c.
 *
 * Root, context and PASID structures are host-physical and never translated
 * (digest §2.2), read with kind CONFIG.  The context and PASID caches keep
 * entries that passed their checks; with CM=1 not-present entries are cached
 * too (digest §7.1 caching mode).
 */
#include <string.h>

#include "models/vtd/hw_priv.h"

/* One configuration-structure fetch of nqw quadwords. */
static bool cfetch(struct vtd_hw *hw, uint64_t pa, uint64_t *qw, unsigned nqw)
{
	hw->last.config_reads++;
	hw->st.config_reads++;
	vtd_charge(hw, VTD_C_CONFIG_READ, 1);
	if (!ims_mem_fetch(hw->mem, pa, qw, 8ull * nqw, IMS_MEM_CONFIG))
		return false;
	return true;
}

static bool cm(const struct vtd_hw *hw)
{
	return vtd_has_cap(hw, VTD_CAP_CM);
}

/* ---- Legacy mode (SPEC 3.4.2, 9.1, 9.3) ----------------------------------------- */

static unsigned legacy_context(struct vtd_hw *hw, struct vtd_xreq *x)
{
	const struct vtd_ctx_val *hit = vtd_ctxc_lookup(hw, x->sid);
	struct vtd_ctx_val v;
	uint64_t above = vtd_above_haw(hw);

	if (hit) {
		hw->last.ctx_hit = true;
		v = *hit;
	} else {
		uint64_t re[2];
		uint64_t root = (hw->rta & VTD_RTADDR_RTA) + 16ull * (x->sid >> 8);

		if (!cfetch(hw, root, re, 2))
			return VTD_FR_LRT_1;
		if (!(re[0] & VTD_RE_P))
			return VTD_FR_LRT_2;
		if ((re[0] & (VTD_RE_RSVD0 | (VTD_RE_CTP & above))) || re[1])
			return VTD_FR_LRT_3;
		if (!cfetch(hw, (re[0] & VTD_RE_CTP) + 16ull * (x->sid & 0xFF), v.qw, 2))
			return VTD_FR_LCT_1;
		v.negative = !(v.qw[0] & VTD_CE_P);
	}
	/* FPD is honoured even in a not-present entry (SPEC 9.3). */
	x->fpd = v.qw[0] & VTD_CE_FPD;
	if (v.negative) {
		/* CM=1: a not-present entry may be cached, tagged DID 0. */
		if (!hit && cm(hw))
			vtd_ctxc_fill(hw, x->sid, 0, &v);
		return VTD_FR_LCT_2;
	}
	unsigned did = VTD_CE_DID(v.qw[1]), tt = VTD_CE_TT(v.qw[0]), aw = VTD_CE_AW(v.qw[1]);
	if (!hit) {
		if ((v.qw[0] & (VTD_CE_RSVD0 | (VTD_CE_SSPTPTR & above))) ||
		    (v.qw[1] & VTD_CE_RSVD1) || (did & ~vtd_did_mask(hw)) || (cm(hw) && did == 0))
			return VTD_FR_LCT_3;
		if (tt == VTD_TT_RSVD || (tt == VTD_TT_SS_ATS && !vtd_has_ecap(hw, VTD_ECAP_DT)) ||
		    (tt == VTD_TT_PT && !vtd_has_ecap(hw, VTD_ECAP_PT)))
			return VTD_FR_LCT_4;
		if (tt != VTD_TT_PT && !(hw->c.sagaw & (1u << aw)))
			return VTD_FR_LCT_4;
		vtd_ctxc_fill(hw, x->sid, (uint16_t)did, &v);
	}
	/* Translation and translated requests need TT=01 (SPEC 9.3 TT). */
	if ((x->type == IMS_DMA_TRANSLATION || x->type == IMS_DMA_TRANSLATED) &&
	    tt != VTD_TT_SS_ATS)
		return VTD_FR_LCT_5;
	x->did = (uint16_t)did;
	x->tt = tt;
	x->aw = aw;
	x->ssptptr = v.qw[0] & VTD_CE_SSPTPTR;
	x->pgtt = tt == VTD_TT_PT ? VTD_PGTT_PT : VTD_PGTT_SS;
	return 0;
}

/* ---- Scalable mode (SPEC 3.4.3, 9.2, 9.4-9.6) ------------------------------------ */

/* Reserved bits of a scalable-mode context entry: fields of absent features
 * are reserved as well (SPEC 9.4). */
static bool sm_context_reserved(const struct vtd_hw *hw, const uint64_t *ce)
{
	uint64_t r0 = hw->c.rev3 ? VTD_SCE_RSVD0_3X : VTD_SCE_RSVD0_5X;
	uint64_t r1 = VTD_SCE_RSVD1;

	r0 |= VTD_SCE_PASIDDIRPTR & vtd_above_haw(hw);
	if (!vtd_has_ecap(hw, VTD_ECAP_DT))
		r0 |= VTD_SCE_DTE;
	if (!vtd_has_ecap(hw, VTD_ECAP_PRS))
		r0 |= VTD_SCE_PRE;
	if (!vtd_has_ecap(hw, VTD_ECAP_PASID))
		r0 |= VTD_SCE_PASIDE;
	if (!hw->c.rev3 && !vtd_has_ecap(hw, VTD_ECAP_HPTS))
		r0 |= VTD_SCE_HPTE;
	if (!hw->c.rev3 && !vtd_has_ecap(hw, VTD_ECAP_PTRS))
		r0 |= VTD_SCE_EPTR;
	if (hw->c.rev3 || !vtd_has_ecap(hw, VTD_ECAP_RPRIVS))
		r1 |= VTD_SCE_RID_PRIV;
	return (ce[0] & r0) || (ce[1] & r1) || ce[2] || ce[3];
}

static unsigned sm_context(struct vtd_hw *hw, struct vtd_xreq *x, uint64_t *ce)
{
	const struct vtd_ctx_val *hit = vtd_ctxc_lookup(hw, x->sid);
	uint64_t above = vtd_above_haw(hw);
	struct vtd_ctx_val v;

	ce[2] = ce[3] = 0;
	if (hit) {
		hw->last.ctx_hit = true;
		v = *hit;
		ce[0] = v.qw[0];
		ce[1] = v.qw[1];
	} else {
		uint64_t re[2], ctp;
		unsigned devfn = x->sid & 0xFF;

		if (!cfetch(hw, (hw->rta & VTD_RTADDR_RTA) + 16ull * (x->sid >> 8), re, 2))
			return VTD_FR_SRT_1;
		/* Lower half for devfn 0x00-0x7F, upper half above (SPEC 9.2). */
		if (devfn < 0x80 ? !(re[0] & VTD_SRE_LP) : !(re[1] & VTD_SRE_UP))
			return VTD_FR_SRT_2;
		if ((re[0] & (VTD_SRE_RSVD0 | (VTD_SRE_LCTP & above))) ||
		    (re[1] & (VTD_SRE_RSVD1 | (VTD_SRE_UCTP & above))))
			return VTD_FR_SRT_3;
		ctp = devfn < 0x80 ? re[0] & VTD_SRE_LCTP : re[1] & VTD_SRE_UCTP;
		if (!cfetch(hw, ctp + 32ull * (devfn & 0x7F), ce, 4))
			return VTD_FR_SCT_1;
		v.qw[0] = ce[0];
		v.qw[1] = ce[1];
		v.negative = !(ce[0] & VTD_SCE_P);
	}
	x->fpd = ce[0] & VTD_SCE_FPD;
	if (v.negative) {
		if (!hit && cm(hw))
			vtd_ctxc_fill(hw, x->sid, 0, &v);
		return VTD_FR_SCT_2;
	}
	if (!hit) {
		unsigned pdts = VTD_SCE_PDTS(ce[0]);
		if (sm_context_reserved(hw, ce))
			return VTD_FR_SCT_3;
		/* Invalid combinations (SPEC 9.4, digest §4.2 SCT.4). */
		if ((!(ce[0] & VTD_SCE_DTE) && (ce[0] & VTD_SCE_PRE)) ||
		    ((ce[0] & VTD_SCE_EPTR) && !(ce[0] & VTD_SCE_PASIDE)) ||
		    (vtd_has_ecap(hw, VTD_ECAP_RPS) &&
		     (VTD_SCE_RID_PASID(ce[1]) >> (pdts + 13)) != 0))
			return VTD_FR_SCT_4;
		/* The scalable-mode context cache is not tagged by DID. */
		vtd_ctxc_fill(hw, x->sid, 0, &v);
	}
	return 0;
}

/* Reserved bits of a PASID-table entry for its PGTT (SPEC 9.6). */
static bool pasid_entry_reserved(const struct vtd_hw *hw, const uint64_t *pe)
{
	const uint64_t above = vtd_above_haw(hw);
	const bool ers3 = hw->c.rev3 && vtd_has_ecap(hw, VTD_ECAP_ERS);
	const unsigned pgtt = VTD_PE_PGTT(pe[0]);
	uint64_t r0 = VTD_PE_RSVD0, r1 = VTD_PE_RSVD1, r2 = VTD_PE_RSVD2;

	if (!ers3)
		r0 |= VTD_PE_SLEE;
	if (!vtd_has_ecap(hw, VTD_ECAP_SSADS))
		r0 |= VTD_PE_SSADE;
	if (pgtt == VTD_PGTT_SS || pgtt == VTD_PGTT_NESTED)
		r0 |= VTD_PE_SSPTPTR & above; /* ignored for FS-only and PT */
	if (!vtd_has_ecap(hw, VTD_ECAP_SMPWCS))
		r1 |= VTD_PE_PWSNP;
	if (!vtd_has_ecap(hw, VTD_ECAP_SC))
		r1 |= VTD_PE_PGSNP;
	if (!vtd_has_ecap(hw, VTD_ECAP_MTS))
		r1 |= VTD_PE_CD | VTD_PE_EMTE;
	if (!hw->c.rev3 || !vtd_has_ecap(hw, VTD_ECAP_MTS))
		r1 |= VTD_PE_EMT_PWT_PCD; /* 3.x EMT/PWT/PCD; reserved from 4.0 */
	r1 |= (uint64_t)(~vtd_did_mask(hw) & 0xFFFF);
	if (!vtd_has_ecap(hw, VTD_ECAP_SRS))
		r2 |= VTD_PE_SRE;
	if (!ers3)
		r2 |= VTD_PE_ERE;
	if (!vtd_has_ecap(hw, VTD_ECAP_EAFS))
		r2 |= VTD_PE_EAFE;
	if (pgtt == VTD_PGTT_FS || pgtt == VTD_PGTT_NESTED)
		r2 |= VTD_PE_FSPTPTR & above;
	if ((pe[0] & r0) || (pe[1] & r1) || (pe[2] & r2) || pe[3] || pe[6] || pe[7])
		return true;
	/* HPT fields (QW4-QW5) only exist with HPTS; HPT is not modelled
	 * beyond accepting them. */
	return !vtd_has_ecap(hw, VTD_ECAP_HPTS) && (pe[4] || pe[5]);
}

static bool aw_ok(const struct vtd_hw *hw, unsigned aw)
{
	return aw >= 1 && aw <= 3 && (hw->c.sagaw & (1u << aw));
}

/* 2^X - 1 with X = min(MGAW, AGAW): the largest GPA (digest §3.3). */
static uint64_t gpa_limit(const struct vtd_hw *hw, unsigned aw)
{
	unsigned x = 30 + 9 * aw;

	if (hw->c.mgaw < x)
		x = hw->c.mgaw;
	return x >= 64 ? UINT64_MAX : (1ull << x) - 1;
}

/* Invalid PASID-table entries (SPEC 9.6, digest §4.2 SPT.4). */
static bool pasid_entry_invalid(const struct vtd_hw *hw, const uint64_t *pe)
{
	unsigned pgtt = VTD_PE_PGTT(pe[0]), fspm = VTD_PE_FSPM(pe[2]), aw = VTD_PE_AW(pe[0]);
	bool fs = pgtt == VTD_PGTT_FS || pgtt == VTD_PGTT_NESTED;
	bool ss = pgtt == VTD_PGTT_SS || pgtt == VTD_PGTT_NESTED;

	switch (pgtt) {
	case VTD_PGTT_FS:
		if (!vtd_has_ecap(hw, VTD_ECAP_FSTS))
			return true;
		break;
	case VTD_PGTT_SS:
		if (!vtd_has_ecap(hw, VTD_ECAP_SSTS))
			return true;
		break;
	case VTD_PGTT_NESTED:
		if (!vtd_has_ecap(hw, VTD_ECAP_NEST))
			return true;
		break;
	case VTD_PGTT_PT:
		if (!vtd_has_ecap(hw, VTD_ECAP_PT))
			return true;
		break;
	default:
		return true;
	}
	if (ss && !aw_ok(hw, aw))
		return true;
	if (fs && (fspm > 1 || (fspm == 1 && !vtd_has_cap(hw, VTD_CAP_FS5LP))))
		return true;
	if (pgtt == VTD_PGTT_NESTED && (pe[2] & VTD_PE_FSPTPTR) > gpa_limit(hw, aw))
		return true;
	return false;
}

static unsigned sm_pasid(struct vtd_hw *hw, struct vtd_xreq *x, const uint64_t *ce)
{
	const struct vtd_pasid_val *hit = vtd_pasidc_lookup(hw, x->sid, x->pasid);
	struct vtd_pasid_val v;
	uint64_t above = vtd_above_haw(hw);

	if (hit) {
		hw->last.pasid_hit = true;
		v = *hit;
	} else {
		uint64_t pde;
		uint64_t dir = (ce[0] & VTD_SCE_PASIDDIRPTR) + 8ull * (x->pasid >> 6);

		memset(&v, 0, sizeof(v));
		if (!cfetch(hw, dir, &pde, 1))
			return VTD_FR_SPD_1;
		x->fpd |= (pde & VTD_PDE_FPD) != 0;
		if (!(pde & VTD_PDE_P))
			return VTD_FR_SPD_2;
		if (pde & (VTD_PDE_RSVD | (VTD_PDE_SMPTBLPTR & above)))
			return VTD_FR_SPD_3;
		if (!cfetch(hw, (pde & VTD_PDE_SMPTBLPTR) + 64ull * (x->pasid & 0x3F), v.pe, 8))
			return VTD_FR_SPT_1;
		v.dir_fpd = pde & VTD_PDE_FPD;
		v.negative = !(v.pe[0] & VTD_PE_P);
	}
	x->fpd |= v.dir_fpd || (v.pe[0] & VTD_PE_FPD);
	if (v.negative) {
		if (!hit && cm(hw))
			vtd_pasidc_fill(hw, x->sid, x->pasid,
					(uint16_t)(VTD_PE_DID(v.pe[1]) & vtd_did_mask(hw)), &v);
		return VTD_FR_SPT_2;
	}
	if (!hit) {
		if (pasid_entry_reserved(hw, v.pe))
			return VTD_FR_SPT_3;
		if (pasid_entry_invalid(hw, v.pe))
			return VTD_FR_SPT_4;
		vtd_pasidc_fill(hw, x->sid, x->pasid, (uint16_t)VTD_PE_DID(v.pe[1]), &v);
	}
	memcpy(x->pe, v.pe, sizeof(x->pe));
	x->did = (uint16_t)VTD_PE_DID(v.pe[1]);
	x->pgtt = VTD_PE_PGTT(v.pe[0]);
	x->aw = VTD_PE_AW(v.pe[0]);
	x->ssptptr = v.pe[0] & VTD_PE_SSPTPTR;
	/* Execute requests: gone from 4.0 (ERS=0, SPT.5); in 3.x they need
	 * ERS and the entry's ERE. */
	if (x->er && !(hw->c.rev3 && vtd_has_ecap(hw, VTD_ECAP_ERS) && (v.pe[2] & VTD_PE_ERE)))
		return VTD_FR_SPT_5;
	if (x->pr && !(v.pe[2] & VTD_PE_SRE))
		return VTD_FR_SPT_6;
	return 0;
}

static unsigned route_scalable(struct vtd_hw *hw, struct vtd_xreq *x)
{
	uint64_t ce[4];
	unsigned fr = sm_context(hw, x, ce);

	if (fr)
		return fr;
	memcpy(x->sce, ce, sizeof(x->sce));
	if ((x->type == IMS_DMA_TRANSLATION || x->type == IMS_DMA_TRANSLATED) &&
	    !(ce[0] & VTD_SCE_DTE))
		return VTD_FR_SCT_5;
	if (x->type == IMS_DMA_PAGE_REQUEST && !(ce[0] & VTD_SCE_PRE))
		return VTD_FR_SCT_8;
	if (x->pp) {
		if (!(ce[0] & VTD_SCE_PASIDE))
			return VTD_FR_SCT_6;
		if (x->pasid >> (VTD_SCE_PDTS(ce[0]) + 13))
			return VTD_FR_SCT_7;
		if ((uint64_t)x->pasid >> hw->c.pasid_bits) /* PSS=31: 32 bits */
			return VTD_FR_SGN_10;
		if (vtd_has_ecap(hw, VTD_ECAP_RPS) && x->pasid == VTD_SCE_RID_PASID(ce[1]))
			return VTD_FR_SCT_9;
		if (x->type == IMS_DMA_TRANSLATED && !(ce[0] & VTD_SCE_EPTR))
			return VTD_FR_SCT_10;
	} else {
		/* No PASID: RID_PASID, RID_PRIV and ER=0 (SPEC 9.4). */
		x->pasid = vtd_has_ecap(hw, VTD_ECAP_RPS) ? VTD_SCE_RID_PASID(ce[1]) : 0;
		x->pr = vtd_has_ecap(hw, VTD_ECAP_RPRIVS) && !hw->c.rev3 &&
			(ce[1] & VTD_SCE_RID_PRIV);
		x->er = false;
	}
	if (x->type == IMS_DMA_TRANSLATED)
		return 0; /* already host-physical: no PASID entry needed */
	return sm_pasid(hw, x, ce);
}

unsigned vtd_route(struct vtd_hw *hw, struct vtd_xreq *x)
{
	return x->legacy ? legacy_context(hw, x) : route_scalable(hw, x);
}
