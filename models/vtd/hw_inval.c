/* SPDX-License-Identifier: MIT */
/*
 * Invalidation: the queued-invalidation interface (SPEC 6.5.2, 11.4.9;
 * digest §1.8, §5) and register-based invalidation through CCMD and
 * IOTLB_REG (SPEC 6.5.1, 11.4.6; legacy mode only).
 *
 * The queue is processed synchronously: a tail write runs every descriptor
 * up to the tail before the write returns, so the device side sees the
 * effects (status writes, ATS invalidations, page group responses) in queue
 * order.  Errors follow SPEC 6.5.2.11: IQE leaves IQH at the bad descriptor
 * and stops fetching until software clears it; ICE logs the SID and goes on;
 * ITE (a Device-TLB invalidation that never completes) aborts the inv_wait
 * that would wait for it, which keeps IQH pointing at that wait, and stops
 * fetching until software clears ITE.
 */
#include <string.h>

#include "models/vtd/hw_priv.h"

enum { EXEC_OK = 0, EXEC_STALL = -1 };

static void iq_error(struct vtd_hw *hw, enum vtd_iqei e)
{
	hw->iqercd = (hw->iqercd & ~0xFull) | (uint64_t)e;
	hw->st.iq_errors++;
	vtd_fsts_set(hw, VTD_FSTS_IQE);
}

/* The range a Device-TLB invalidation names (SPEC 6.5.2.5): with S=1 the
 * lowest 0 bit of ADDR at or above bit 12 sets the size; all ones is
 * every address. */
static void ats_range(uint64_t q1, bool s, uint64_t *addr, uint64_t *size)
{
	uint64_t a = q1 & VTD_DSC_ADDR;

	if (!s) {
		*addr = a;
		*size = 4096;
		return;
	}
	for (unsigned b = 12; b < 63; b++) {
		if (!(a & (1ull << b))) {
			*size = 2ull << b;
			*addr = a & ~(*size - 1);
			return;
		}
	}
	*addr = 0;
	*size = UINT64_MAX;
}

/* Sends an ATS invalidation request to the device and collects its
 * completion, as the device is set up to answer (vtd_hw_set_device_ats). */
static void ats_invalidate(struct vtd_hw *hw, uint16_t sid, bool pp, uint32_t pasid, bool global,
			   uint64_t q1, bool s)
{
	struct vtd_devmsg m = {
		.kind = VTD_DEVMSG_ATS_INV, .sid = sid, .pp = pp, .pasid = pasid, .global = global,
	};

	ats_range(q1, s, &m.addr, &m.size);
	vtd_devmsg_push(hw, &m);
	hw->st.ats_inv++;
	switch (hw->ats_mode[sid]) {
	case VTD_ATS_TIMEOUT:
		hw->ats_timeout_pending = true;
		hw->ats_timeout_sid = sid;
		break;
	case VTD_ATS_BAD_COMPLETION:
		/* ICE: log the SID and carry on (SPEC 6.5.2.11). */
		vtd_charge(hw, VTD_C_ATS_INV, 1);
		hw->iqercd = (hw->iqercd & ~VTD_M(63, 48)) | (uint64_t)sid << VTD_IQERCD_ICESID_SHIFT;
		hw->st.ice++;
		vtd_fsts_set(hw, VTD_FSTS_ICE);
		break;
	default:
		vtd_charge(hw, VTD_C_ATS_INV, 1);
		break;
	}
}

/* The time-out of an unanswered ATS invalidation (SPEC 6.5.2.11 ITE). */
static void ats_timeout(struct vtd_hw *hw)
{
	hw->ats_timeout_pending = false;
	vtd_charge(hw, VTD_C_ATS_TIMEOUT, 1);
	hw->iqercd = (hw->iqercd & ~VTD_M(47, 32)) |
		     (uint64_t)hw->ats_timeout_sid << VTD_IQERCD_ITESID_SHIFT;
	hw->st.ite++;
	vtd_fsts_set(hw, VTD_FSTS_ITE);
}

static void wbf_implied(struct vtd_hw *hw)
{
	/* RWBF=1 parts flush write buffers with cc, pc, iotlb and iec
	 * invalidations (digest §5 field notes). */
	if (vtd_has_cap(hw, VTD_CAP_RWBF))
		vtd_charge(hw, VTD_C_WBF, 1);
}

static int exec_wait(struct vtd_hw *hw, const uint64_t *q)
{
	if ((q[0] & VTD_DSC_WAIT_RSVD0) || (q[1] & VTD_DSC_WAIT_RSVD1) ||
	    ((q[0] & VTD_DSC_WAIT_PD) && !vtd_has_ecap(hw, VTD_ECAP_PDS)))
		return VTD_IQEI_RSVD;
	/* A wait completes only after every earlier descriptor, Device-TLB
	 * completions included; an unanswered one times out here. */
	if (hw->ats_timeout_pending) {
		ats_timeout(hw);
		return EXEC_STALL;
	}
	hw->st.waits++;
	/* Draining, page-request draining (PD) and fencing (FN) have nothing
	 * in flight to wait for in this model; their cost is the drain. */
	vtd_charge(hw, VTD_C_DRAIN, 1);
	if (q[0] & VTD_DSC_WAIT_SW) {
		vtd_charge(hw, VTD_C_WAIT_STATUS, 1);
		uint32_t data = VTD_DSC_WAIT_DATA(q[0]);
		if (ims_mem_store(hw->mem, q[1] & VTD_DSC_WAIT_ADDR, &data, 4, IMS_MEM_QUEUE))
			hw->st.wait_status_writes++;
		else
			hw->st.wait_status_aborts++;
	}
	if ((q[0] & VTD_DSC_WAIT_IF) && !(hw->ics & VTD_ICS_IWC)) {
		hw->ics |= VTD_ICS_IWC;
		vtd_event_raise(hw, VTD_EV_INV);
	}
	return EXEC_OK;
}

/* Descriptor types a mode accepts (SPEC 6.5.2 Table 26, digest §5). */
static bool type_valid(const struct vtd_hw *hw, unsigned type, bool legacy)
{
	switch (type) {
	case VTD_DSC_CC: case VTD_DSC_IOTLB: case VTD_DSC_WAIT:
		return true;
	case VTD_DSC_DEVTLB:
		return vtd_has_ecap(hw, VTD_ECAP_DT);
	case VTD_DSC_IEC:
		return vtd_has_ecap(hw, VTD_ECAP_IR);
	case VTD_DSC_PIOTLB: case VTD_DSC_PC:
		return !legacy;
	case VTD_DSC_PDEVTLB:
		return !legacy && vtd_has_ecap(hw, VTD_ECAP_DT);
	case VTD_DSC_PGRP_RESP:
		return !legacy && vtd_has_ecap(hw, VTD_ECAP_PRS);
	case VTD_DSC_HPT:
		return !legacy && vtd_has_ecap(hw, VTD_ECAP_HPTS);
	default:
		return false;
	}
}

/* Executes one descriptor: EXEC_OK, EXEC_STALL (ITE) or an IQEI code. */
static int exec(struct vtd_hw *hw, const uint64_t *q, bool dw, bool legacy)
{
	const unsigned type = VTD_DSC_TYPE(q[0]);
	const unsigned g = VTD_DSC_G(q[0]);
	const uint16_t did = (uint16_t)(VTD_DSC_DID(q[0]) & vtd_did_mask(hw));
	const uint64_t addr = q[1] & VTD_DSC_ADDR;
	const unsigned am = VTD_DSC_AM(q[1]);
	const bool ih = q[1] & VTD_DSC_IH;

	if (!type_valid(hw, type, legacy))
		return VTD_IQEI_TYPE;
	/* 256-bit slots: QW2/QW3 are padding or reserved, zero either way. */
	if (dw && (q[2] || q[3]))
		return VTD_IQEI_RSVD;
	vtd_charge(hw, VTD_C_QI_EXEC, 1);

	switch (type) {
	case VTD_DSC_CC:
		if ((q[0] & VTD_DSC_CC_RSVD0) || q[1] || g == VTD_GRAN_ERR)
			return VTD_IQEI_RSVD;
		vtd_inv_cc(hw, g, did, (uint16_t)VTD_DSC_CC_SID(q[0]), VTD_DSC_CC_FM(q[0]));
		wbf_implied(hw);
		break;
	case VTD_DSC_IOTLB:
		if ((q[0] & VTD_DSC_IOTLB_RSVD0) || (q[1] & VTD_DSC_ADDR_RSVD1) ||
		    g == VTD_GRAN_ERR ||
		    (g == VTD_GRAN_SEL && (!vtd_has_cap(hw, VTD_CAP_PSI) || am > hw->c.mamv)))
			return VTD_IQEI_RSVD;
		vtd_inv_iotlb(hw, g, did, addr, am, ih);
		/* DR/DW are ignored from VER 2: draining always happens. */
		if (hw->c.ver_major >= 2 || (q[0] & (VTD_DSC_IOTLB_DR | VTD_DSC_IOTLB_DW)))
			vtd_charge(hw, VTD_C_DRAIN, 1);
		wbf_implied(hw);
		break;
	case VTD_DSC_DEVTLB:
		if ((q[0] & VTD_DSC_DEVTLB_RSVD0) || (q[1] & VTD_DSC_DEVTLB_RSVD1))
			return VTD_IQEI_RSVD;
		ats_invalidate(hw, (uint16_t)VTD_DSC_DEVTLB_SID(q[0]), false, 0, false, q[1],
			       q[1] & VTD_DSC_DEVTLB_S);
		break;
	case VTD_DSC_IEC:
		if ((q[0] & VTD_DSC_IEC_RSVD0) || q[1])
			return VTD_IQEI_RSVD;
		vtd_charge(hw, VTD_C_IEC_DRAIN, 1); /* no IEC is modelled */
		wbf_implied(hw);
		break;
	case VTD_DSC_WAIT:
		return exec_wait(hw, q);
	case VTD_DSC_PIOTLB:
		if ((q[0] & VTD_DSC_PASID_RSVD0) || (q[1] & VTD_DSC_ADDR_RSVD1) ||
		    g < VTD_PIOTLB_G_PASID)
			return VTD_IQEI_RSVD;
		vtd_inv_piotlb(hw, g, did, VTD_DSC_PASID(q[0]), addr, am, ih);
		vtd_charge(hw, VTD_C_DRAIN, 1); /* p_iotlb always drains */
		break;
	case VTD_DSC_PC:
		if ((q[0] & VTD_DSC_PASID_RSVD0) || q[1] || g == 2)
			return VTD_IQEI_RSVD;
		vtd_inv_pc(hw, g, did, VTD_DSC_PASID(q[0]));
		wbf_implied(hw);
		break;
	case VTD_DSC_PDEVTLB:
		if (q[1] & VTD_DSC_PDEVTLB_RSVD1)
			return VTD_IQEI_RSVD;
		ats_invalidate(hw, (uint16_t)VTD_DSC_PDEVTLB_SID(q[0]), true, VTD_DSC_PASID(q[0]),
			       q[1] & VTD_DSC_PDEVTLB_GI, q[1], q[1] & VTD_DSC_PDEVTLB_S);
		break;
	case VTD_DSC_PGRP_RESP: {
		unsigned rc = VTD_DSC_PGR_RC(q[0]);
		if ((q[0] & VTD_DSC_PGR_RSVD0) || (q[1] & VTD_DSC_PGR_RSVD1) ||
		    (rc != VTD_PRG_SUCCESS && rc != VTD_PRG_INVALID && rc != VTD_PRG_FAILURE))
			return VTD_IQEI_RSVD;
		struct vtd_devmsg m = {
			.kind = VTD_DEVMSG_PRG_RESP, .sid = (uint16_t)VTD_DSC_PGR_RID(q[0]),
			.pp = q[0] & VTD_DSC_PGR_PP, .pasid = VTD_DSC_PASID(q[0]),
			.prgi = (uint16_t)VTD_DSC_PGR_PRGI(q[1]), .rc = (uint8_t)rc,
		};
		vtd_devmsg_push(hw, &m);
		hw->st.prg_resp++;
		vtd_charge(hw, VTD_C_PRG_RESP, 1);
		break;
	}
	default: /* VTD_DSC_HPT: accepted, no HPT cache is modelled */
		if ((q[0] & VTD_DSC_HPT_RSVD0) || (q[1] & VTD_DSC_HPT_RSVD1))
			return VTD_IQEI_RSVD;
		break;
	}
	return EXEC_OK;
}

/* Fetches and runs the descriptor at IQH; false when processing stops. */
static bool step(struct vtd_hw *hw)
{
	const bool dw = hw->iqa & VTD_IQA_DW;
	const uint64_t size = 4096ull << VTD_IQA_QS(hw->iqa);
	const unsigned dsz = dw ? 32 : 16;
	const unsigned ttm = VTD_RTADDR_TTM(hw->rta);
	uint64_t q[4] = { 0 };
	uint64_t before = hw->cyc;
	int rc;

	if (hw->iqt >= size) {
		iq_error(hw, VTD_IQEI_TAIL);
		return false;
	}
	if (dw && (hw->iqt & 0x10)) {
		iq_error(hw, VTD_IQEI_QT_ALIGN);
		return false;
	}
	if (ttm == VTD_TTM_RSVD || (ttm == VTD_TTM_SCALABLE && !vtd_has_ecap(hw, VTD_ECAP_SMTS)) ||
	    (ttm == VTD_TTM_ABORT && !vtd_has_ecap(hw, VTD_ECAP_ADMS))) {
		iq_error(hw, VTD_IQEI_TTM);
		return false;
	}
	if ((dw && !vtd_has_ecap(hw, VTD_ECAP_SMTS) && !vtd_has_ecap(hw, VTD_ECAP_ADMS)) ||
	    (!dw && ttm != VTD_TTM_LEGACY)) {
		iq_error(hw, VTD_IQEI_DW);
		return false;
	}
	/* IQH is hardware's own and stays inside the queue; a smaller queue
	 * programmed underneath it wraps it. */
	hw->iqh &= (size - 1) & ~(uint64_t)(dsz - 1);
	if (hw->iqh == hw->iqt)
		return false;
	/* The fetch is charged by the share of a 64-byte line it uses. */
	hw->cyc += hw->cost.val[VTD_C_QI_FETCH] * dsz / 64;
	if (!ims_mem_fetch(hw->mem, (hw->iqa & VTD_IQA_IQA) + hw->iqh, q, dsz, IMS_MEM_QUEUE)) {
		iq_error(hw, VTD_IQEI_FETCH);
		return false;
	}
	const unsigned type = VTD_DSC_TYPE(q[0]) < VTD_DSC_NTYPES ? VTD_DSC_TYPE(q[0]) : 0;
	hw->st.dsc_by_type[type]++;
	rc = exec(hw, q, dw, ttm == VTD_TTM_LEGACY);
	hw->st.dsc_cycles_by_type[type] += hw->cyc - before;
	ims_hist_add(&hw->st.cmd_cycles, hw->cyc - before);
	if (rc == EXEC_STALL)
		return false;
	if (rc > 0) {
		iq_error(hw, (enum vtd_iqei)rc);
		return false;
	}
	hw->iqh = (hw->iqh + dsz) % size;
	return true;
}

void vtd_iq_process(struct vtd_hw *hw)
{
	/* Fetching needs QIES=1, H != T, IQE=0 and ITE=0 (SPEC 6.5.2).
	 * Nothing a descriptor does writes a register that would start the
	 * queue again, so this never re-enters. */
	while ((hw->gsts & VTD_GSTS_QIES) && !(hw->fsts & (VTD_FSTS_IQE | VTD_FSTS_ITE)) &&
	       hw->iqh != hw->iqt && step(hw))
		;
	/* A Device-TLB invalidation no wait followed still times out. */
	if (hw->ats_timeout_pending && !(hw->fsts & (VTD_FSTS_IQE | VTD_FSTS_ITE)) &&
	    hw->iqh == hw->iqt)
		ats_timeout(hw);
}

/* ---- Register-based invalidation (SPEC 6.5.1, 11.4.6; digest §1.6) -------------
 * Only in legacy mode, on VER major < 6, with the queue disabled; otherwise
 * the request is ignored and the actual granularity reads 00 (error). */
static bool reg_inval_allowed(const struct vtd_hw *hw)
{
	return VTD_RTADDR_TTM(hw->rta) == VTD_TTM_LEGACY && hw->c.ver_major < 6 &&
	       !(hw->gsts & VTD_GSTS_QIES);
}

void vtd_ccmd_write(struct vtd_hw *hw, uint64_t val)
{
	unsigned caig = VTD_GRAN_ERR, cirg = VTD_CCMD_CIRG(val);

	if (reg_inval_allowed(hw) && cirg != VTD_GRAN_ERR) {
		vtd_inv_cc(hw, cirg, (uint16_t)(VTD_CCMD_DID(val) & vtd_did_mask(hw)),
			   (uint16_t)VTD_CCMD_SID(val), VTD_CCMD_FM(val));
		caig = cirg;
		hw->st.reg_invalidations++;
		vtd_charge(hw, VTD_C_REG_INVAL, 1);
		wbf_implied(hw);
	}
	hw->ccmd = (val & ~(VTD_CCMD_ICC | VTD_CCMD_CAIG_MASK)) |
		   (uint64_t)caig << VTD_CCMD_CAIG_SHIFT;
}

void vtd_iotlb_reg_write(struct vtd_hw *hw, uint64_t val)
{
	unsigned iaig = VTD_GRAN_ERR, iirg = VTD_IOTLB_IIRG(val);
	uint16_t did = (uint16_t)(VTD_IOTLB_DID(val) & vtd_did_mask(hw));

	if (reg_inval_allowed(hw) && iirg != VTD_GRAN_ERR) {
		iaig = iirg;
		if (iirg == VTD_GRAN_SEL && !vtd_has_cap(hw, VTD_CAP_PSI))
			iaig = VTD_GRAN_DOMAIN; /* coarser is allowed, and reported */
		else if (iirg == VTD_GRAN_SEL && VTD_IVA_AM(hw->iva) > hw->c.mamv)
			iaig = VTD_GRAN_ERR;    /* an unsupported mask is an error */
		if (iaig != VTD_GRAN_ERR) {
			vtd_inv_iotlb(hw, iaig, did, hw->iva & VTD_IVA_ADDR, VTD_IVA_AM(hw->iva),
				      hw->iva & VTD_IVA_IH);
			hw->st.reg_invalidations++;
			vtd_charge(hw, VTD_C_REG_INVAL, 1);
			wbf_implied(hw);
		}
	}
	hw->iotlb_reg = (val & ~(VTD_IOTLB_IVT | VTD_IOTLB_IAIG_MASK)) |
			(uint64_t)iaig << VTD_IOTLB_IAIG_SHIFT;
}
