/* SPDX-License-Identifier: MIT */
/*
 * Invalidation requests (SPEC 6.5.2, digest §5): descriptors built field by
 * field from the spec's table, gathered in a batch, posted at the queue
 * tail and followed by an inv_wait whose status write the driver polls in
 * memory, as Linux's qi_submit_sync() does.  Queue errors are recovered the
 * way Linux's qi_check_fault() does: a bad descriptor (IQE) is overwritten
 * with the wait and IQE cleared; a device that never answers an ATS
 * invalidation (ITE) has its wait released by clearing ITE; a bad ATS
 * completion (ICE) is cleared and counted.
 *
 * Legacy parts without a queue use the register interface instead (CCMD,
 * IVA/IOTLB_REG, SPEC 6.5.1), which can only reach the context cache and
 * the IOTLB.
 */
#include <errno.h>
#include <string.h>

#include "models/vtd/drv_priv.h"

#define VTDD_POLL 4

void vtdd_qb_init(struct vtdd_qb *b, struct vtdd_unit *u)
{
	memset(b, 0, sizeof(*b));
	b->u = u;
}

static uint64_t *slot(struct vtdd_qb *b)
{
	/* A full batch goes out first; the caller's order is kept. */
	if (b->n == VTDD_QB_MAX)
		vtdd_qb_submit(b);
	uint64_t *d = b->d[b->n++];
	d[0] = d[1] = d[2] = d[3] = 0;
	return d;
}

/* Scalable-mode-only descriptor types are not valid in legacy mode
 * (Table 26); the recipes never ask for them there. */
static bool sm_only(const struct vtdd_qb *b)
{
	return b->u->sm;
}

void vtdd_qb_cc(struct vtdd_qb *b, unsigned g, uint16_t did, uint16_t sid)
{
	uint64_t *d = slot(b);

	/* cc_inv: G[5:4], DID[31:16], SID[47:32], FM[49:48]=0. */
	d[0] = VTD_DSC_CC | (uint64_t)g << 4 | (uint64_t)did << 16 | (uint64_t)sid << 32;
}

void vtdd_qb_pc(struct vtdd_qb *b, unsigned g, uint16_t did, uint32_t pasid)
{
	if (!sm_only(b))
		return;
	uint64_t *d = slot(b);

	/* pc_inv: G[5:4], DID[31:16], PASID[51:32]. */
	d[0] = VTD_DSC_PC | (uint64_t)g << 4 | (uint64_t)did << 16 |
	       (uint64_t)(pasid & 0xFFFFF) << 32;
}

void vtdd_qb_iotlb(struct vtdd_qb *b, unsigned g, uint16_t did, uint64_t addr, unsigned am,
		   bool ih)
{
	uint64_t *d = slot(b);
	const struct vtdd_unit *u = b->u;

	/* iotlb_inv: G[5:4], DW[6], DR[7], DID[31:16] | AM[5:0], IH[6],
	 * ADDR[63:12].  Drain hints as the part asks (Linux cap_*_drain). */
	d[0] = VTD_DSC_IOTLB | (uint64_t)g << 4 | (uint64_t)did << 16;
	if (vtdd_has_cap(u, VTD_CAP_DWD))
		d[0] |= VTD_DSC_IOTLB_DW;
	if (vtdd_has_cap(u, VTD_CAP_DRD))
		d[0] |= VTD_DSC_IOTLB_DR;
	if (g == VTD_GRAN_SEL)
		d[1] = (addr & VTD_DSC_ADDR) | (ih ? VTD_DSC_IH : 0) | (am & 0x3F);
}

void vtdd_qb_piotlb(struct vtdd_qb *b, unsigned g, uint16_t did, uint32_t pasid, uint64_t addr,
		    unsigned am, bool ih)
{
	if (!sm_only(b))
		return;
	uint64_t *d = slot(b);

	/* p_iotlb_inv: G[5:4] (10 PASID, 11 page), DID[31:16], PASID[51:32] |
	 * AM[5:0], IH[6], ADDR[63:12]. */
	d[0] = VTD_DSC_PIOTLB | (uint64_t)g << 4 | (uint64_t)did << 16 |
	       (uint64_t)(pasid & 0xFFFFF) << 32;
	if (g == VTD_PIOTLB_G_PAGE)
		d[1] = (addr & VTD_DSC_ADDR) | (ih ? VTD_DSC_IH : 0) | (am & 0x3F);
}

/* The ATS range encoding (SPEC 6.5.2.5): S=1 and the lowest 0 bit of
 * ADDR at or above bit 12 gives the size; all ones is every address. */
static uint64_t ats_addr(uint64_t addr, unsigned am, bool *s)
{
	if (am >= 52) {
		*s = true;
		return 0x7FFFFFFFFFFFFull << 12;
	}
	if (am == 0) {
		*s = false;
		return addr & VTD_DSC_ADDR;
	}
	*s = true;
	addr &= ~((1ull << (12 + am)) - 1);
	return (addr | ((1ull << (12 + am - 1)) - 1)) & VTD_DSC_ADDR;
}

/* PFSID is used only with ECAP.DIT (throttling); the simulated devices are
 * physical functions, so it is the device's own SID. */
static uint64_t pfsid_bits(const struct vtdd_unit *u, uint16_t sid)
{
	if (!vtdd_has_ecap(u, VTD_ECAP_DIT))
		return 0;
	return (uint64_t)(sid & 0xF) << 12 | (uint64_t)(sid >> 4) << 52;
}

void vtdd_qb_devtlb(struct vtdd_qb *b, uint16_t sid, uint64_t addr, unsigned am)
{
	uint64_t *d = slot(b);
	bool s;

	/* dev_tlb_inv: MIP[20:16]=0, SID[47:32] | S[0], ADDR[63:12]. */
	d[0] = VTD_DSC_DEVTLB | (uint64_t)sid << 32 | pfsid_bits(b->u, sid);
	d[1] = ats_addr(addr, am, &s);
	if (s)
		d[1] |= VTD_DSC_DEVTLB_S;
}

void vtdd_qb_pdevtlb(struct vtdd_qb *b, uint16_t sid, uint32_t pasid, uint64_t addr, unsigned am)
{
	if (!sm_only(b))
		return;
	uint64_t *d = slot(b);
	bool s;

	/* p_dev_tlb_inv: MIP[8:4]=0, SID[31:16], PASID[51:32] | GI[0]=0,
	 * S[11], ADDR[63:12]. */
	d[0] = VTD_DSC_PDEVTLB | (uint64_t)sid << 16 | (uint64_t)(pasid & 0xFFFFF) << 32 |
	       pfsid_bits(b->u, sid);
	d[1] = ats_addr(addr, am, &s);
	if (s)
		d[1] |= VTD_DSC_PDEVTLB_S;
}

void vtdd_qb_pgrp_resp(struct vtdd_qb *b, uint16_t rid, bool pp, uint32_t pasid, uint16_t prgi,
		       unsigned rc)
{
	if (!sm_only(b))
		return;
	uint64_t *d = slot(b);

	/* page_grp_resp: PP[4], RC[15:12], RID[31:16], PASID[51:32] |
	 * PRGI[11:3].  Software answers only last requests, so QW1[2] (LPIG in
	 * revision 3.x, ignored since) is set, as Linux does. */
	d[0] = VTD_DSC_PGRP_RESP | (pp ? VTD_DSC_PGR_PP : 0) | (uint64_t)(rc & 0xF) << 12 |
	       (uint64_t)rid << 16 | (pp ? (uint64_t)(pasid & 0xFFFFF) << 32 : 0);
	d[1] = VTD_DSC_PGR_LPIG | (uint64_t)(prgi & 0x1FF) << 3;
}

void vtdd_qb_fence(struct vtdd_qb *b)
{
	uint64_t *d = slot(b);

	/* inv_wait with FN and no status: later descriptors wait for the
	 * earlier ones (SPEC 7.10 step 1). */
	d[0] = VTD_DSC_WAIT | VTD_DSC_WAIT_FN;
}

/* ---- register-based invalidation (legacy, no queue) ------------------------------- */

static int reg_cc(struct vtdd_unit *u, const uint64_t *d)
{
	uint64_t v = VTD_CCMD_ICC | (uint64_t)VTD_DSC_G(d[0]) << 61 |
		     (uint64_t)VTD_DSC_CC_SID(d[0]) << 16 | VTD_DSC_DID(d[0]);

	vtdd_w64(u, VTD_REG_CCMD, v);
	for (unsigned i = 0; i < VTDD_POLL; i++) {
		v = vtdd_r64(u, VTD_REG_CCMD);
		if (!(v & VTD_CCMD_ICC))
			return ((v & VTD_CCMD_CAIG_MASK) >> VTD_CCMD_CAIG_SHIFT) ? 0 : -EIO;
	}
	return -ETIMEDOUT;
}

static int reg_iotlb(struct vtdd_unit *u, const uint64_t *d)
{
	unsigned g = VTD_DSC_G(d[0]);
	uint64_t v = VTD_IOTLB_IVT | (uint64_t)g << 60 | (uint64_t)VTD_DSC_DID(d[0]) << 32;

	if (vtdd_has_cap(u, VTD_CAP_DRD))
		v |= VTD_IOTLB_DR;
	if (vtdd_has_cap(u, VTD_CAP_DWD))
		v |= VTD_IOTLB_DW;
	if (g == VTD_GRAN_SEL)
		vtdd_w64(u, u->iro_off, d[1] & VTD_IVA_RW_MASK);
	vtdd_w64(u, u->iro_off + 8, v);
	for (unsigned i = 0; i < VTDD_POLL; i++) {
		v = vtdd_r64(u, u->iro_off + 8);
		if (!(v & VTD_IOTLB_IVT))
			return ((v & VTD_IOTLB_IAIG_MASK) >> VTD_IOTLB_IAIG_SHIFT) ? 0 : -EIO;
	}
	return -ETIMEDOUT;
}

static int submit_regs(struct vtdd_qb *b)
{
	struct vtdd_unit *u = b->u;
	int rc = 0, r;

	for (unsigned i = 0; i < b->n; i++) {
		const uint64_t *d = b->d[i];
		switch (VTD_DSC_TYPE(d[0])) {
		case VTD_DSC_CC:
			r = reg_cc(u, d);
			break;
		case VTD_DSC_IOTLB:
			r = reg_iotlb(u, d);
			break;
		default:
			continue; /* nothing else exists without a queue */
		}
		u->st.reg_invals++;
		if (r && !rc)
			rc = r;
	}
	return rc;
}

/* ---- the queue ------------------------------------------------------------------------ */

static uint64_t qsize(const struct vtdd_unit *u)
{
	return 4096ull << u->iq_qs;
}

static void post(struct vtdd_unit *u, const uint64_t *d)
{
	ims_mem_write(vtdd_mem(u), u->iq + u->iq_tail, d, u->iq_dsz, IMS_MEM_DRIVER);
	u->iq_tail = (u->iq_tail + u->iq_dsz) % qsize(u);
	u->st.qi_descs++;
	if (u->drv->ctr_qi_descs)
		(*u->drv->ctr_qi_descs)++;
}

/* A queue that stopped in a way the recovery could not fix: disable and
 * re-enable it empty (IQH resets to 0, digest §1.8). */
static void iq_reset(struct vtdd_unit *u)
{
	vtdd_gcmd(u, VTD_GCMD_QIE, false);
	vtdd_w32(u, VTD_REG_FSTS, (uint32_t)(VTD_FSTS_IQE | VTD_FSTS_ITE | VTD_FSTS_ICE));
	u->iq_tail = 0;
	vtdd_w64(u, VTD_REG_IQT, 0);
	vtdd_w64(u, VTD_REG_IQA, u->iq | (u->iq_dw ? VTD_IQA_DW : 0) | u->iq_qs);
	vtdd_gcmd(u, VTD_GCMD_QIE, true);
}

/* Checks the queue after a tail write; recovers as Linux qi_check_fault. */
static int check_fault(struct vtdd_unit *u, const uint64_t *wait)
{
	int rc = 0;

	for (unsigned round = 0; round < VTDD_POLL; round++) {
		uint32_t fsts = vtdd_r32(u, VTD_REG_FSTS);

		if (fsts & VTD_FSTS_ICE) {
			u->st.qi_ice++;
			vtdd_w32(u, VTD_REG_FSTS, (uint32_t)VTD_FSTS_ICE);
		}
		if (fsts & VTD_FSTS_IQE) {
			/* The head stays at the bad descriptor: overwrite it
			 * with our wait so the queue can move on. */
			uint64_t head = vtdd_r64(u, VTD_REG_IQH) & VTD_IQ_PTR_MASK;
			ims_mem_write(vtdd_mem(u), u->iq + head % qsize(u), wait, u->iq_dsz,
				      IMS_MEM_DRIVER);
			u->st.qi_errors++;
			rc = -EIO;
			vtdd_w32(u, VTD_REG_FSTS, (uint32_t)VTD_FSTS_IQE);
			continue;
		}
		if (fsts & VTD_FSTS_ITE) {
			/* A device never completed an ATS invalidation: the
			 * waits behind it are aborted; clearing ITE lets the
			 * queue fetch from IQH again (SPEC 6.5.2.11). */
			u->st.qi_timeouts++;
			if (!rc)
				rc = -ETIMEDOUT;
			vtdd_w32(u, VTD_REG_FSTS, (uint32_t)VTD_FSTS_ITE);
			continue;
		}
		break;
	}
	return rc;
}

int vtdd_qb_submit(struct vtdd_qb *b)
{
	struct vtdd_unit *u = b->u;
	uint64_t wait[4] = { 0 };
	uint64_t status;
	uint32_t seq;
	int rc = 0;

	if (!u->up) {
		b->n = 0;
		return b->rc;
	}
	if (!b->n && !b->drain)
		return b->rc;
	if (!u->qi) {
		rc = submit_regs(b);
		b->n = 0;
		if (rc && !b->rc)
			b->rc = rc;
		return b->rc;
	}
	/* One slot stays free and one holds the wait (digest §5
	 * "Wrap-around"); every submit leaves the queue empty, so a batch
	 * always fits when it is shorter than the ring. */
	seq = ++u->status_seq;
	if (!seq)
		seq = ++u->status_seq;
	status = u->status + 4ull * (seq % 1024);
	ims_mem_write32(vtdd_mem(u), status, 0, IMS_MEM_DRIVER);
	wait[0] = VTD_DSC_WAIT | VTD_DSC_WAIT_SW | (uint64_t)seq << 32;
	if (b->drain && vtdd_has_ecap(u, VTD_ECAP_PDS))
		wait[0] |= VTD_DSC_WAIT_PD;
	wait[1] = status;

	for (unsigned i = 0; i < b->n; i++)
		post(u, b->d[i]);
	post(u, wait);
	u->st.qi_submits++;
	b->n = 0;
	b->drain = false;
	vtdd_w64(u, VTD_REG_IQT, u->iq_tail);

	rc = check_fault(u, wait);
	bool done = false;
	for (unsigned i = 0; i < VTDD_POLL && !done; i++)
		done = ims_mem_read32(vtdd_mem(u), status, IMS_MEM_DRIVER) == seq;
	if (!done) {
		u->st.qi_wait_lost++;
		if (!rc)
			rc = -ETIMEDOUT;
	}
	if ((vtdd_r64(u, VTD_REG_IQH) & VTD_IQ_PTR_MASK) != u->iq_tail)
		iq_reset(u);
	if (rc && !b->rc)
		b->rc = rc;
	return b->rc;
}
