/* SPDX-License-Identifier: MIT */
/*
 * Fault reporting: the primary fault log in the FRCD registers (SPEC 7.2.1,
 * 11.4.7), FSTS, and the event-interrupt logic shared by the fault,
 * invalidation-completion and page-request events (SPEC 7.3, digest §1.10).
 */
#include "models/vtd/hw_priv.h"

/* ---- Event interrupts ------------------------------------------------------------
 * A status bit that becomes set while every related status bit was clear
 * raises the event: IP is set and, when IM=0, the message is sent and IP
 * cleared.  A held IP is sent when software clears IM, and dropped when
 * software clears every related status bit. */

void vtd_event_raise(struct vtd_hw *hw, enum vtd_event ev)
{
	struct vtd_evstate *s = &hw->ev[ev];

	if (s->ctl & VTD_ECTL_IM) {
		s->ctl |= VTD_ECTL_IP;
		return;
	}
	vtd_msi_send(hw, ev);
	s->ctl &= ~(uint32_t)VTD_ECTL_IP;
}

void vtd_event_ctl_write(struct vtd_hw *hw, enum vtd_event ev, uint32_t val)
{
	struct vtd_evstate *s = &hw->ev[ev];

	/* Only IM is writable; IP is read-only. */
	s->ctl = (s->ctl & VTD_ECTL_IP) | (val & VTD_ECTL_IM);
	if (!(s->ctl & VTD_ECTL_IM) && (s->ctl & VTD_ECTL_IP)) {
		vtd_msi_send(hw, ev);
		s->ctl &= ~(uint32_t)VTD_ECTL_IP;
	}
}

void vtd_event_cleared(struct vtd_hw *hw, enum vtd_event ev)
{
	bool pending;

	switch (ev) {
	case VTD_EV_FAULT:
		pending = (vtd_fsts_read(hw) & (VTD_FSTS_PPF | VTD_FSTS_RW1C)) != 0;
		break;
	case VTD_EV_INV:
		pending = hw->ics & VTD_ICS_IWC;
		break;
	default:
		pending = hw->prs & (VTD_PRS_PPR | VTD_PRS_PRO);
		break;
	}
	if (!pending)
		hw->ev[ev].ctl &= ~(uint32_t)VTD_ECTL_IP;
}

/* ---- FSTS ----------------------------------------------------------------------- */

static bool ppf(const struct vtd_hw *hw)
{
	for (unsigned i = 0; i < hw->c.nfr; i++)
		if (hw->frcd[i][1] & VTD_FRCD_F)
			return true;
	return false;
}

uint32_t vtd_fsts_read(const struct vtd_hw *hw)
{
	return hw->fsts | (ppf(hw) ? (uint32_t)VTD_FSTS_PPF : 0);
}

static bool fault_event_pending(const struct vtd_hw *hw)
{
	return (vtd_fsts_read(hw) & (VTD_FSTS_PPF | VTD_FSTS_RW1C)) != 0;
}

void vtd_fsts_set(struct vtd_hw *hw, uint32_t bit)
{
	bool was = fault_event_pending(hw);

	hw->fsts |= bit;
	if (!was)
		vtd_event_raise(hw, VTD_EV_FAULT);
}

void vtd_fsts_write(struct vtd_hw *hw, uint32_t val)
{
	uint32_t clear = val & hw->fsts & (uint32_t)VTD_FSTS_RW1C;

	if (!clear)
		return;
	hw->fsts &= ~clear;
	vtd_event_cleared(hw, VTD_EV_FAULT);
	/* Clearing IQE or ITE lets the queue fetch again from IQH
	 * (SPEC 6.5.2.11). */
	if (clear & (VTD_FSTS_IQE | VTD_FSTS_ITE))
		vtd_iq_process(hw);
}

/* ---- Fault-recording registers -------------------------------------------------- */

uint32_t vtd_frcd_read32(const struct vtd_hw *hw, unsigned idx, unsigned dword)
{
	uint64_t q = hw->frcd[idx][dword / 2];
	return (dword & 1) ? (uint32_t)(q >> 32) : (uint32_t)q;
}

void vtd_frcd_write32(struct vtd_hw *hw, unsigned idx, unsigned dword, uint32_t val)
{
	/* Only F (bit 127, the top of dword 3) is writable: RW1CS. */
	if (dword != 3 || !(val & (1u << 31)) || !(hw->frcd[idx][1] & VTD_FRCD_F))
		return;
	hw->frcd[idx][1] &= ~VTD_FRCD_F;
	vtd_event_cleared(hw, VTD_EV_FAULT);
}

void vtd_fault_index_reset(struct vtd_hw *hw)
{
	hw->fr_idx = 0;
}

/* Primary fault logging (SPEC 7.2.1, digest §4.3).  Collapsing faults from
 * the same source (optional in the spec) is not done: every fault that finds
 * a free register is recorded, which keeps the log deterministic. */
bool vtd_fault_record(struct vtd_hw *hw, const struct vtd_fault *f)
{
	unsigned idx = hw->fr_idx;
	uint64_t q1;
	bool was, ppf_was;

	hw->st.fault_by_reason[f->fr & 0xFF]++;
	if (hw->fsts & VTD_FSTS_PFO) {
		hw->st.faults_overflow++;
		return false;
	}
	if (hw->frcd[idx][1] & VTD_FRCD_F) {
		/* The next register is still owned by software: overflow. */
		hw->st.faults_overflow++;
		vtd_fsts_set(hw, VTD_FSTS_PFO);
		return false;
	}
	was = fault_event_pending(hw);
	ppf_was = ppf(hw);
	/* Request type {T1,T2}: 00 write, 01 page request, 10 read, 11 atomic. */
	bool t1, t2;
	if (f->type == IMS_DMA_PAGE_REQUEST) {
		t1 = false;
		t2 = true;
	} else {
		t1 = f->rd;
		t2 = f->rd && f->wr;
	}
	unsigned at = f->type == IMS_DMA_TRANSLATION ? 1 : f->type == IMS_DMA_TRANSLATED ? 2 : 0;
	q1 = (uint64_t)f->sid << VTD_FRCD_SID_SHIFT | (uint64_t)(f->fr & 0xFF) << VTD_FRCD_FR_SHIFT |
	     (uint64_t)at << VTD_FRCD_AT_SHIFT | VTD_FRCD_F;
	if (t2)
		q1 |= VTD_FRCD_T2;
	if (t1)
		q1 |= VTD_FRCD_T1;
	if (f->pp)
		q1 |= VTD_FRCD_PP | (uint64_t)(f->pasid & 0xFFFFF) << VTD_FRCD_PV_SHIFT;
	if (f->pr)
		q1 |= VTD_FRCD_PRIV;
	if (f->er)
		q1 |= VTD_FRCD_EXE;
	hw->frcd[idx][0] = f->addr & VTD_FRCD_FI;
	hw->frcd[idx][1] = q1;
	hw->fr_idx = (idx + 1) % hw->c.nfr;
	hw->st.faults_recorded++;
	vtd_charge(hw, VTD_C_FAULT_RECORD, 1);
	/* FRI names the first pending record: it is set when PPF goes 0->1. */
	if (!ppf_was)
		hw->fsts = (hw->fsts & ~(uint32_t)VTD_M(15, 8)) | idx << VTD_FSTS_FRI_SHIFT;
	if (!was)
		vtd_event_raise(hw, VTD_EV_FAULT);
	return true;
}
