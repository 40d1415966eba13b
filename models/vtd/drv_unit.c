/* SPDX-License-Identifier: MIT */
/*
 * Taking a remapping unit over, as Linux's init_dmars() and
 * intel_iommu_init_qi() do at boot (SPEC 11.4, digest §1): read CAP/ECAP,
 * quiesce whatever a trace left running, program the root table (SRTP),
 * enable the invalidation queue, flush every cache globally, set up the
 * fault and page-request interrupts, and enable translation.  Also the
 * register helpers, DID allocation and the interrupt service: the fault
 * handler drains and clears fault-recording registers (SPEC 7.2.1) the way
 * Linux's dmar_fault() does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/vtd/drv_priv.h"

/* Status bits are set by the time a register write returns (vtd_hw.h), so
 * a few reads are plenty; a status that never follows is reported. */
#define VTDD_POLL 4

struct ims_mem *vtdd_mem(const struct vtdd_unit *u)
{
	return u->drv->env.mem;
}

struct ims_palloc *vtdd_palloc(const struct vtdd_unit *u)
{
	return u->drv->env.palloc;
}

bool vtdd_has_ecap(const struct vtdd_unit *u, uint64_t bit)
{
	return (u->ecap & bit) == bit;
}

bool vtdd_has_cap(const struct vtdd_unit *u, uint64_t bit)
{
	return (u->cap & bit) == bit;
}

uint32_t vtdd_r32(struct vtdd_unit *u, uint64_t off)
{
	uint32_t v = 0;

	vtd_hw_mmio_read32(u->hw, off, &v);
	return v;
}

uint64_t vtdd_r64(struct vtdd_unit *u, uint64_t off)
{
	uint64_t v = 0;

	vtd_hw_mmio_read64(u->hw, off, &v);
	return v;
}

void vtdd_w32(struct vtdd_unit *u, uint64_t off, uint32_t v)
{
	vtd_hw_mmio_write32(u->hw, off, v);
}

void vtdd_w64(struct vtdd_unit *u, uint64_t off, uint64_t v)
{
	vtd_hw_mmio_write64(u->hw, off, v);
}

int vtdd_gcmd(struct vtdd_unit *u, uint32_t bit, bool on)
{
	/* One command at a time, the one-shot bits masked out of the status
	 * (SPEC 11.4.4, digest §1.4). */
	uint32_t sts = vtdd_r32(u, VTD_REG_GSTS) & VTD_GSTS_PERSIST;

	vtdd_w32(u, VTD_REG_GCMD, on ? sts | bit : sts & ~bit);
	for (unsigned i = 0; i < VTDD_POLL; i++) {
		bool set = vtdd_r32(u, VTD_REG_GSTS) & bit;
		if (set == on)
			return 0;
	}
	return -ETIMEDOUT;
}

/* Latches RTADDR: SRTP is one-shot and RTPS reports completion. */
static int set_root(struct vtdd_unit *u, uint64_t rtaddr)
{
	uint32_t sts;

	vtdd_w64(u, VTD_REG_RTADDR, rtaddr);
	sts = vtdd_r32(u, VTD_REG_GSTS) & VTD_GSTS_PERSIST;
	vtdd_w32(u, VTD_REG_GCMD, sts | VTD_GCMD_SRTP);
	for (unsigned i = 0; i < VTDD_POLL; i++)
		if (vtdd_r32(u, VTD_REG_GSTS) & VTD_GSTS_RTPS)
			return 0;
	return -ETIMEDOUT;
}

int vtdd_did_alloc(struct vtdd_unit *u, uint16_t *did)
{
	unsigned n = 1u << u->did_bits;

	/* DID 0 stays reserved: caching mode tags not-present entries with it
	 * (SPEC 6.2.2, digest §2.1), and Linux never hands it out. */
	for (unsigned i = 1; i < n; i++) {
		if (!(u->did_map[i / 8] & (1u << (i % 8)))) {
			u->did_map[i / 8] |= (uint8_t)(1u << (i % 8));
			u->st.dids_in_use++;
			*did = (uint16_t)i;
			return 0;
		}
	}
	return -ENOSPC;
}

void vtdd_did_free(struct vtdd_unit *u, uint16_t did)
{
	if (did && did < (1u << u->did_bits) && (u->did_map[did / 8] & (1u << (did % 8)))) {
		u->did_map[did / 8] &= (uint8_t)~(1u << (did % 8));
		u->st.dids_in_use--;
	}
}

struct vtdd_dev *vtdd_find_dev(struct vtdd_unit *u, uint16_t sid)
{
	for (unsigned i = 0; i < u->ndevs; i++)
		if (u->devs[i]->sid == sid)
			return u->devs[i];
	return NULL;
}

int vtdd_grow(void **arr, unsigned n, unsigned *cap, size_t size)
{
	if (n < *cap)
		return 0;
	unsigned nc = *cap ? *cap * 2 : 4;
	void *p = realloc(*arr, nc * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

/* ---- the fault interrupt (SPEC 7.2, 7.3; Linux dmar_fault) ---------------------- */

void vtdd_fault_service(struct vtdd_unit *u)
{
	uint32_t fsts = vtdd_r32(u, VTD_REG_FSTS);

	if (fsts & VTD_FSTS_PPF) {
		unsigned idx = VTD_FSTS_FRI(fsts) % u->nfr;

		for (unsigned n = 0; n < u->nfr; n++) {
			uint64_t off = u->frcd_off + 16ull * idx;
			/* The top dword first: F says whether the rest is
			 * valid (digest §1.7). */
			uint32_t hi = vtdd_r32(u, off + 12);

			if (!(hi & (1u << 31)))
				break;
			uint32_t lo = vtdd_r32(u, off + 8);
			u->st.last_fault_reason = hi & 0xFF;
			u->st.last_fault_sid = (uint16_t)lo;
			u->st.last_fault_addr = vtdd_r64(u, off) & VTD_FRCD_FI;
			u->st.faults_logged++;
			if (u->drv->ctr_faults)
				(*u->drv->ctr_faults)++;
			vtdd_w32(u, off + 12, 1u << 31); /* F is RW1C */
			idx = (idx + 1) % u->nfr;
		}
	}
	if (fsts & VTD_FSTS_PFO) {
		u->st.fault_overflows++;
		vtdd_w32(u, VTD_REG_FSTS, (uint32_t)VTD_FSTS_PFO);
	}
}

void vtdd_service(struct vtdd_unit *u)
{
	struct vtd_msi m;

	if (!u->up || u->in_service)
		return;
	u->in_service = true;
	/* Handlers may cause new events (a page response posted while
	 * draining): run until the unit is quiet, boundedly. */
	for (unsigned round = 0; round < 8; round++) {
		bool fault = false, prq = false;

		while (vtd_hw_msi_pop(u->hw, &m)) {
			if (m.data == VTDD_VEC_FAULT)
				fault = true;
			else if (m.data == VTDD_VEC_PRQ)
				prq = true;
		}
		if (!fault && !prq)
			break;
		if (fault)
			vtdd_fault_service(u);
		if (prq)
			vtdd_prq_service(u);
	}
	u->in_service = false;
}

/* ---- bring-up and shutdown --------------------------------------------------------- */

static void free_block(struct vtdd_unit *u, uint64_t *pa, unsigned order)
{
	if (*pa)
		ims_palloc_free(vtdd_palloc(u), *pa, order);
	*pa = 0;
}

static int iq_enable(struct vtdd_unit *u)
{
	const struct ims_vtd_cfg *c = &u->drv->cfg;
	int rc;

	/* 256-bit descriptors are required in scalable mode (SPEC 6.5.2,
	 * Table 26); Linux uses them whenever the part has SMTS. */
	u->iq_dw = u->sm;
	u->iq_dsz = u->iq_dw ? 32 : 16;
	/* Linux QI_LENGTH: 256 descriptors. */
	u->iq_qs = c->iq_qs >= 0 ? (unsigned)c->iq_qs : (u->iq_dw ? 1 : 0);
	u->iq_slots = (4096u << u->iq_qs) / u->iq_dsz;
	rc = ims_palloc_alloc(vtdd_palloc(u), u->iq_qs, &u->iq);
	if (rc)
		return rc;
	/* Enable sequence (digest §1.8): IQT=0, IQA, QIE, wait for QIES. */
	u->iq_tail = 0;
	vtdd_w64(u, VTD_REG_IQT, 0);
	vtdd_w64(u, VTD_REG_IQA, u->iq | (u->iq_dw ? VTD_IQA_DW : 0) | u->iq_qs);
	return vtdd_gcmd(u, VTD_GCMD_QIE, true);
}

void vtdd_unit_down(struct vtdd_unit *u)
{
	vtdd_prq_disable(u);
	if (u->hw && u->up) {
		vtdd_gcmd(u, VTD_GCMD_TE, false);
		/* The queue is empty (every submit waited); disabling resets
		 * IQH (digest §1.8). */
		if (u->qi)
			vtdd_gcmd(u, VTD_GCMD_QIE, false);
		vtdd_w32(u, VTD_REG_FECTL, VTD_ECTL_IM);
		vtdd_w64(u, VTD_REG_RTADDR, 0);
		vtdd_w64(u, VTD_REG_IQA, 0);
	}
	vtdd_tables_free(u);
	free_block(u, &u->iq, u->iq_qs);
	free_block(u, &u->status, 0);
	free(u->did_map);
	u->did_map = NULL;
	u->up = false;
	u->st.up = false;
}

int vtdd_unit_up(struct vtdd_unit *u)
{
	const struct ims_vtd_cfg *c = &u->drv->cfg;
	struct vtdd_qb b;
	int rc;

	if (u->up)
		return 0;
	u->cap = vtdd_r64(u, VTD_REG_CAP);
	u->ecap = vtdd_r64(u, VTD_REG_ECAP);
	u->ver_major = VTD_VER_MAJOR(vtdd_r32(u, VTD_REG_VER));
	switch (c->mode) {
	case IMS_VTD_MODE_LEGACY:
		u->sm = false;
		break;
	case IMS_VTD_MODE_SCALABLE:
		if (!vtdd_has_ecap(u, VTD_ECAP_SMTS))
			return -EOPNOTSUPP;
		u->sm = true;
		break;
	default:
		u->sm = vtdd_has_ecap(u, VTD_ECAP_SMTS);
		break;
	}
	u->qi = vtdd_has_ecap(u, VTD_ECAP_QI);
	/* Without a queue only register-based invalidation is left, and
	 * VER >= 6 parts reject it (digest §1.1). */
	if (!u->qi && u->ver_major >= 6)
		return -EOPNOTSUPP;
	/* A legacy walk needs a second-stage table width the part has. */
	if (!u->sm && !(VTD_CAP_SAGAW(u->cap) & 0xE))
		return -EOPNOTSUPP;
	u->did_bits = 4 + 2 * VTD_CAP_ND(u->cap);
	u->nfr = VTD_CAP_NFR(u->cap) + 1;
	u->frcd_off = 16ull * VTD_CAP_FRO(u->cap);
	u->iro_off = 16ull * VTD_ECAP_IRO(u->ecap);
	u->did_map = calloc((1u << u->did_bits) / 8 + 1, 1);
	if (!u->did_map)
		return -ENOMEM;
	u->st.dids_in_use = 0;

	/* Quiesce what a trace may have left running, then clear stale
	 * fault records and error status. */
	if (vtdd_r32(u, VTD_REG_GSTS) & VTD_GSTS_TES)
		vtdd_gcmd(u, VTD_GCMD_TE, false);
	if (u->qi && (vtdd_r32(u, VTD_REG_GSTS) & VTD_GSTS_QIES))
		vtdd_gcmd(u, VTD_GCMD_QIE, false);
	for (unsigned i = 0; i < u->nfr; i++)
		vtdd_w32(u, u->frcd_off + 16ull * i + 12, 1u << 31);
	vtdd_w32(u, VTD_REG_FSTS, (uint32_t)VTD_FSTS_RW1C);

	rc = ims_palloc_alloc(vtdd_palloc(u), 0, &u->root);
	if (!rc)
		rc = ims_palloc_alloc(vtdd_palloc(u), 0, &u->status);
	if (!rc)
		rc = set_root(u, u->root | (u->sm ? VTD_RTADDR_TTM_V(VTD_TTM_SCALABLE) : 0));
	if (!rc && u->qi)
		rc = iq_enable(u);
	if (rc)
		goto fail;
	u->up = true;

	/* A new root table: every cache globally (SPEC Table 28 "SM root
	 * entry" / "legacy root entry"; Linux after SRTP). */
	vtdd_qb_init(&b, u);
	vtdd_qb_cc(&b, VTD_GRAN_GLOBAL, 0, 0);
	if (u->sm)
		vtdd_qb_pc(&b, VTD_PC_G_GLOBAL, 0, 0);
	vtdd_qb_iotlb(&b, VTD_GRAN_GLOBAL, 0, 0, 0, false);
	rc = vtdd_qb_submit(&b);
	if (rc)
		goto fail;

	/* The fault event interrupt: an MSI the service dispatches on. */
	vtdd_w32(u, VTD_REG_FEDATA, VTDD_VEC_FAULT);
	vtdd_w32(u, VTD_REG_FEADDR, (uint32_t)VTDD_MSI_START);
	vtdd_w32(u, VTD_REG_FEUADDR, 0);
	vtdd_w32(u, VTD_REG_FECTL, 0);
	if (u->sm && vtdd_has_ecap(u, VTD_ECAP_PRS)) {
		rc = vtdd_prq_enable(u);
		if (rc)
			goto fail;
	}
	rc = vtdd_gcmd(u, VTD_GCMD_TE, true);
	if (rc)
		goto fail;
	u->st.up = true;
	u->st.scalable = u->sm;
	return 0;
fail:
	vtdd_unit_down(u);
	return rc;
}
