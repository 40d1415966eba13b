/* SPDX-License-Identifier: MIT */
/*
 * The register file (SPEC 11.4, digest §1): decoding of MMIO offsets,
 * read-only and reserved bits, and the side effects of writes.  Queue,
 * fault and invalidation behaviour is in the files named for them; this file
 * only routes to them.
 *
 * Every register is handled as dwords: a 64-bit access is two dword accesses,
 * low dword first (digest §1.1 access rules: 64-bit registers may be
 * accessed as two dwords, low first), so a write with a side effect acts
 * when the dword holding its trigger is written: CCMD.ICC and IOTLB_REG.IVT
 * are in the high dword, the IQ tail in the low one.
 */
#include <errno.h>

#include "models/vtd/hw_priv.h"

static uint32_t lo32(uint64_t v)
{
	return (uint32_t)v;
}

static uint32_t hi32(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

/* Replaces the dword of a 64-bit register that `off` names. */
static uint64_t set_dword(uint64_t reg, uint64_t off, uint32_t v)
{
	if (off & 4)
		return (reg & 0xFFFFFFFFull) | (uint64_t)v << 32;
	return (reg & ~0xFFFFFFFFull) | v;
}

static uint32_t get_dword(uint64_t reg, uint64_t off)
{
	return (off & 4) ? hi32(reg) : lo32(reg);
}

static bool has_pmr(const struct vtd_hw *hw)
{
	return vtd_has_cap(hw, VTD_CAP_PLMR | VTD_CAP_PHMR);
}

static bool in_block(uint64_t off, uint64_t base, uint64_t len)
{
	return off >= base && off - base < len;
}

static uint32_t reg_read(struct vtd_hw *hw, uint64_t off)
{
	const bool qi = vtd_has_ecap(hw, VTD_ECAP_QI), prs = vtd_has_ecap(hw, VTD_ECAP_PRS);

	if (in_block(off, hw->c.fro, 16ull * hw->c.nfr))
		return vtd_frcd_read32(hw, (unsigned)((off - hw->c.fro) / 16),
				       (unsigned)((off - hw->c.fro) % 16 / 4));
	if (in_block(off, hw->c.iro, 8))
		return get_dword(hw->iva, off);
	if (in_block(off, hw->c.iro + 8, 8))
		return get_dword(hw->iotlb_reg, off);
	if (in_block(off, VTD_REG_MTRR_FIRST, VTD_REG_MTRR_LAST + 1 - VTD_REG_MTRR_FIRST))
		return vtd_has_ecap(hw, VTD_ECAP_MTS)
			       ? get_dword(hw->mtrr[(off - VTD_REG_MTRR_FIRST) / 8], off)
			       : 0;

	switch (off & ~7ull) {
	case VTD_REG_CAP:
		return get_dword(hw->c.cap, off);
	case VTD_REG_ECAP:
		return get_dword(hw->c.ecap, off);
	case VTD_REG_RTADDR:
		return get_dword(hw->rtaddr, off);
	case VTD_REG_CCMD:
		return get_dword(hw->ccmd, off);
	case VTD_REG_PHMBASE:
		return has_pmr(hw) ? get_dword(hw->phmbase, off) : 0;
	case VTD_REG_PHMLIMIT:
		return has_pmr(hw) ? get_dword(hw->phmlimit, off) : 0;
	case VTD_REG_IQH:
		return qi ? get_dword(hw->iqh, off) : 0;
	case VTD_REG_IQT:
		return qi ? get_dword(hw->iqt, off) : 0;
	case VTD_REG_IQERCD:
		return qi ? get_dword(hw->iqercd, off) : 0;
	case VTD_REG_IRTA:
		return vtd_has_ecap(hw, VTD_ECAP_IR) ? get_dword(hw->irta, off) : 0;
	case VTD_REG_PQH:
		return prs ? get_dword(hw->pqh, off) : 0;
	case VTD_REG_PQT:
		return prs ? get_dword(hw->pqt, off) : 0;
	case VTD_REG_PQA:
		return prs ? get_dword(hw->pqa, off) : 0;
	default:
		break;
	}
	switch (off) {
	case VTD_REG_VER:
		return hw->cfg.ver;
	case VTD_REG_GSTS:
		return hw->gsts;
	case VTD_REG_FSTS:
		return vtd_fsts_read(hw);
	case VTD_REG_FECTL:
		return hw->ev[VTD_EV_FAULT].ctl;
	case VTD_REG_FEDATA:
		return hw->ev[VTD_EV_FAULT].data;
	case VTD_REG_FEADDR:
		return hw->ev[VTD_EV_FAULT].addr;
	case VTD_REG_FEUADDR:
		return hw->ev[VTD_EV_FAULT].uaddr;
	case VTD_REG_PMEN:
		return has_pmr(hw) ? hw->pmen : 0;
	case VTD_REG_PLMBASE:
		return has_pmr(hw) ? hw->plmbase : 0;
	case VTD_REG_PLMLIMIT:
		return has_pmr(hw) ? hw->plmlimit : 0;
	case VTD_REG_IQA:
		return qi ? lo32(hw->iqa) : 0;
	case VTD_REG_IQA + 4:
		return qi ? hi32(hw->iqa) : 0;
	case VTD_REG_ICS:
		return qi ? hw->ics : 0;
	case VTD_REG_IECTL:
		return qi ? hw->ev[VTD_EV_INV].ctl : 0;
	case VTD_REG_IEDATA:
		return qi ? hw->ev[VTD_EV_INV].data : 0;
	case VTD_REG_IEADDR:
		return qi ? hw->ev[VTD_EV_INV].addr : 0;
	case VTD_REG_IEUADDR:
		return qi ? hw->ev[VTD_EV_INV].uaddr : 0;
	case VTD_REG_PRS:
		return prs ? hw->prs : 0;
	case VTD_REG_PECTL:
		return prs ? hw->ev[VTD_EV_PRQ].ctl : 0;
	case VTD_REG_PEDATA:
		return prs ? hw->ev[VTD_EV_PRQ].data : 0;
	case VTD_REG_PEADDR:
		return prs ? hw->ev[VTD_EV_PRQ].addr : 0;
	case VTD_REG_PEUADDR:
		return prs ? hw->ev[VTD_EV_PRQ].uaddr : 0;
	default:
		return 0; /* GCMD (write-only), AFLOG and reserved offsets */
	}
}

/* GCMD (SPEC 11.4.4, digest §1.4).  The persistent bits (TE, QIE, IRE, CFI)
 * act when they differ from the status; the one-shot bits (SRTP, WBF,
 * SIRTP) act whenever written as 1.  Bits of absent features are ignored.
 * Software issues one command at a time; several at once are processed in
 * the order below. */
static void gcmd_write(struct vtd_hw *hw, uint32_t v)
{
	const uint32_t st = hw->gsts;

	if (v & VTD_GCMD_SRTP)
		vtd_latch_root(hw);
	if ((v & VTD_GCMD_TE) && !(st & VTD_GSTS_TES)) {
		/* Draining happens before TES is set; in this model nothing is
		 * in flight between calls. */
		hw->gsts |= VTD_GSTS_TES;
	} else if (!(v & VTD_GCMD_TE) && (st & VTD_GSTS_TES)) {
		hw->gsts &= ~VTD_GSTS_TES;
		/* Disabling translation in a scalable-mode capable unit also
		 * invalidates every cache (SPEC 11.4.4 TE, digest §7.2). */
		if (vtd_has_ecap(hw, VTD_ECAP_SMTS))
			vtd_inv_all(hw);
	}
	if ((v & VTD_GCMD_WBF) && vtd_has_cap(hw, VTD_CAP_RWBF)) {
		/* WBFS is set while the flush runs; it is over by the time the
		 * write returns. */
		hw->st.wbf++;
		vtd_charge(hw, VTD_C_WBF, 1);
	}
	if (vtd_has_ecap(hw, VTD_ECAP_IR)) {
		if (v & VTD_GCMD_IRE)
			hw->gsts |= VTD_GSTS_IRES;
		else
			hw->gsts &= ~VTD_GSTS_IRES;
		if (v & VTD_GCMD_SIRTP)
			hw->gsts |= VTD_GSTS_IRTPS; /* no IEC is modelled to invalidate */
		if (v & VTD_GCMD_CFI)
			hw->gsts |= VTD_GSTS_CFIS;
		else
			hw->gsts &= ~VTD_GSTS_CFIS;
	}
	/* The primary fault index restarts when both remapping functions are
	 * off (SPEC 7.2.1). */
	if (!(hw->gsts & (VTD_GSTS_TES | VTD_GSTS_IRES)))
		vtd_fault_index_reset(hw);
	if (vtd_has_ecap(hw, VTD_ECAP_QI)) {
		if ((v & VTD_GCMD_QIE) && !(st & VTD_GSTS_QIES)) {
			hw->gsts |= VTD_GSTS_QIES;
			vtd_iq_process(hw);
		} else if (!(v & VTD_GCMD_QIE) && (st & VTD_GSTS_QIES)) {
			/* Disabling the queue resets its head (SPEC 6.5.2). */
			hw->gsts &= ~VTD_GSTS_QIES;
			hw->iqh = 0;
		}
	}
}

static void reg_write(struct vtd_hw *hw, uint64_t off, uint32_t v)
{
	const bool qi = vtd_has_ecap(hw, VTD_ECAP_QI), prs = vtd_has_ecap(hw, VTD_ECAP_PRS);
	const bool pmr = has_pmr(hw);
	/* Table and queue base addresses: bits above HAW are not implemented. */
	const uint64_t haw_mask = ~vtd_above_haw(hw);

	if (in_block(off, hw->c.fro, 16ull * hw->c.nfr)) {
		vtd_frcd_write32(hw, (unsigned)((off - hw->c.fro) / 16),
				 (unsigned)((off - hw->c.fro) % 16 / 4), v);
		return;
	}
	if (in_block(off, hw->c.iro, 8)) {
		hw->iva = set_dword(hw->iva, off, v) & VTD_IVA_RW_MASK;
		return;
	}
	if (in_block(off, hw->c.iro + 8, 8)) {
		/* IAIG is read-only: it keeps the last reported granularity. */
		hw->iotlb_reg = (set_dword(hw->iotlb_reg, off, v) & VTD_IOTLB_RW_MASK) |
				(hw->iotlb_reg & VTD_IOTLB_IAIG_MASK);
		if ((off & 4) && (hw->iotlb_reg & VTD_IOTLB_IVT))
			vtd_iotlb_reg_write(hw, hw->iotlb_reg);
		return;
	}
	if (in_block(off, VTD_REG_MTRR_FIRST, VTD_REG_MTRR_LAST + 1 - VTD_REG_MTRR_FIRST)) {
		if (vtd_has_ecap(hw, VTD_ECAP_MTS)) {
			uint64_t *r = &hw->mtrr[(off - VTD_REG_MTRR_FIRST) / 8];
			*r = set_dword(*r, off, v);
		}
		return;
	}

	switch (off & ~7ull) {
	case VTD_REG_RTADDR: {
		uint64_t mask = (VTD_RTADDR_RTA & haw_mask) | VTD_M(11, 10);
		if (vtd_has_ecap(hw, VTD_ECAP_SSIRWS))
			mask |= VTD_RTADDR_SSIRWE;
		hw->rtaddr = set_dword(hw->rtaddr, off, v) & mask;
		return;
	}
	case VTD_REG_CCMD:
		hw->ccmd = (set_dword(hw->ccmd, off, v) & VTD_CCMD_RW_MASK) |
			   (hw->ccmd & VTD_CCMD_CAIG_MASK);
		if ((off & 4) && (hw->ccmd & VTD_CCMD_ICC))
			vtd_ccmd_write(hw, hw->ccmd);
		return;
	case VTD_REG_PHMBASE:
		if (pmr)
			hw->phmbase = set_dword(hw->phmbase, off, v);
		return;
	case VTD_REG_PHMLIMIT:
		if (pmr)
			hw->phmlimit = set_dword(hw->phmlimit, off, v);
		return;
	case VTD_REG_IQT:
		if (qi && !(off & 4)) {
			hw->iqt = v & VTD_IQ_PTR_MASK;
			vtd_iq_process(hw);
		}
		return;
	case VTD_REG_IRTA:
		if (vtd_has_ecap(hw, VTD_ECAP_IR))
			hw->irta = set_dword(hw->irta, off, v);
		return;
	case VTD_REG_PQH:
		if (prs)
			hw->pqh = set_dword(hw->pqh, off, v) & VTD_PQ_PTR_MASK;
		return;
	case VTD_REG_PQT:
		if (prs)
			hw->pqt = set_dword(hw->pqt, off, v) & VTD_PQ_PTR_MASK;
		return;
	case VTD_REG_PQA:
		if (prs)
			hw->pqa = set_dword(hw->pqa, off, v) & VTD_PQA_RW_MASK & (haw_mask | 0xFFF);
		return;
	default:
		break;
	}
	switch (off) {
	case VTD_REG_GCMD:
		gcmd_write(hw, v);
		return;
	case VTD_REG_FSTS:
		vtd_fsts_write(hw, v);
		return;
	case VTD_REG_FECTL:
		vtd_event_ctl_write(hw, VTD_EV_FAULT, v);
		return;
	case VTD_REG_FEDATA:
		hw->ev[VTD_EV_FAULT].data = v & VTD_EDATA_MASK;
		return;
	case VTD_REG_FEADDR:
		hw->ev[VTD_EV_FAULT].addr = v & VTD_EADDR_MASK;
		return;
	case VTD_REG_FEUADDR:
		hw->ev[VTD_EV_FAULT].uaddr = v;
		return;
	case VTD_REG_PMEN:
		/* Protected regions are stored but not enforced (vtd_hw.h). */
		if (pmr)
			hw->pmen = (v & VTD_PMEN_EPM) ? (uint32_t)(VTD_PMEN_EPM | VTD_PMEN_PRS) : 0;
		return;
	case VTD_REG_PLMBASE:
		if (pmr)
			hw->plmbase = v;
		return;
	case VTD_REG_PLMLIMIT:
		if (pmr)
			hw->plmlimit = v;
		return;
	case VTD_REG_IQA:
	case VTD_REG_IQA + 4:
		if (qi)
			hw->iqa = set_dword(hw->iqa, off, v) & VTD_IQA_RW_MASK & (haw_mask | 0xFFF);
		return;
	case VTD_REG_ICS:
		if (qi && (v & VTD_ICS_IWC) && (hw->ics & VTD_ICS_IWC)) {
			hw->ics &= ~(uint32_t)VTD_ICS_IWC;
			vtd_event_cleared(hw, VTD_EV_INV);
		}
		return;
	case VTD_REG_IECTL:
		if (qi)
			vtd_event_ctl_write(hw, VTD_EV_INV, v);
		return;
	case VTD_REG_IEDATA:
		if (qi)
			hw->ev[VTD_EV_INV].data = v & VTD_EDATA_MASK;
		return;
	case VTD_REG_IEADDR:
		if (qi)
			hw->ev[VTD_EV_INV].addr = v & VTD_EADDR_MASK;
		return;
	case VTD_REG_IEUADDR:
		if (qi)
			hw->ev[VTD_EV_INV].uaddr = v;
		return;
	case VTD_REG_PRS:
		if (prs)
			vtd_prq_status_write(hw, v);
		return;
	case VTD_REG_PECTL:
		if (prs)
			vtd_event_ctl_write(hw, VTD_EV_PRQ, v);
		return;
	case VTD_REG_PEDATA:
		if (prs)
			hw->ev[VTD_EV_PRQ].data = v & VTD_EDATA_MASK;
		return;
	case VTD_REG_PEADDR:
		if (prs)
			hw->ev[VTD_EV_PRQ].addr = v & VTD_EADDR_MASK;
		return;
	case VTD_REG_PEUADDR:
		if (prs)
			hw->ev[VTD_EV_PRQ].uaddr = v;
		return;
	default:
		return; /* read-only and reserved registers */
	}
}

static bool off_ok(const struct vtd_hw *hw, uint64_t off, unsigned size)
{
	return hw && (off & (size - 1)) == 0 && off < hw->mmio_size &&
	       hw->mmio_size - off >= size;
}

/* Time spent on a register write (queue processing, invalidations) moves the
 * clock. */
static void account(struct vtd_hw *hw)
{
	ims_clock_advance(&hw->cost, hw->cyc);
	hw->cyc = 0;
}

int vtd_hw_mmio_read32(struct vtd_hw *hw, uint64_t off, uint32_t *val)
{
	uint32_t v = off_ok(hw, off, 4) ? reg_read(hw, off) : 0;

	if (val)
		*val = v;
	return off_ok(hw, off, 4) ? 0 : -EINVAL;
}

int vtd_hw_mmio_read64(struct vtd_hw *hw, uint64_t off, uint64_t *val)
{
	uint64_t v = 0;

	if (off_ok(hw, off, 8))
		v = reg_read(hw, off) | (uint64_t)reg_read(hw, off + 4) << 32;
	if (val)
		*val = v;
	return off_ok(hw, off, 8) ? 0 : -EINVAL;
}

int vtd_hw_mmio_write32(struct vtd_hw *hw, uint64_t off, uint32_t val)
{
	if (!off_ok(hw, off, 4))
		return -EINVAL;
	reg_write(hw, off, val);
	account(hw);
	return 0;
}

int vtd_hw_mmio_write64(struct vtd_hw *hw, uint64_t off, uint64_t val)
{
	if (!off_ok(hw, off, 8))
		return -EINVAL;
	reg_write(hw, off, lo32(val));
	reg_write(hw, off + 4, hi32(val));
	account(hw);
	return 0;
}
