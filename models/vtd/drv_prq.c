/* SPDX-License-Identifier: MIT */
/*
 * Page requests (SPEC 7.4-7.10, digest §6), as Linux intel/prq.c handles
 * them: the page-request queue is a ring the hardware fills at PQT and the
 * driver empties at PQH; each descriptor is checked, handed to the core
 * (ims_report_iopf, which queues it on the FAULT queue of the HWPT attached
 * at the RID or PASID) and answered later with a page_grp_resp descriptor
 * through the invalidation queue.  Requests the driver cannot deliver are
 * answered Invalid Request at once when they end their group.
 */
#include <errno.h>

#include "models/vtd/drv_priv.h"

static uint64_t prq_size(const struct vtdd_unit *u)
{
	return 4096ull << u->prq_pqs;
}

int vtdd_prq_enable(struct vtdd_unit *u)
{
	const unsigned pqs = u->drv->cfg.prq_pqs;
	int rc = ims_palloc_alloc(vtdd_palloc(u), pqs, &u->prq);

	if (rc) {
		u->prq = 0;
		return rc;
	}
	u->prq_pqs = pqs;
	/* Linux intel_iommu_enable_prq: both pointers 0, then the base. */
	vtdd_w64(u, VTD_REG_PQH, 0);
	vtdd_w64(u, VTD_REG_PQT, 0);
	vtdd_w64(u, VTD_REG_PQA, u->prq | pqs);
	vtdd_w32(u, VTD_REG_PEDATA, VTDD_VEC_PRQ);
	vtdd_w32(u, VTD_REG_PEADDR, (uint32_t)VTDD_MSI_START);
	vtdd_w32(u, VTD_REG_PEUADDR, 0);
	vtdd_w32(u, VTD_REG_PECTL, 0);
	u->prq_on = true;
	return 0;
}

void vtdd_prq_disable(struct vtdd_unit *u)
{
	if (!u->prq)
		return;
	if (u->prq_on && u->hw) {
		vtdd_w32(u, VTD_REG_PECTL, VTD_ECTL_IM);
		vtdd_w64(u, VTD_REG_PQH, 0);
		vtdd_w64(u, VTD_REG_PQT, 0);
		vtdd_w64(u, VTD_REG_PQA, 0);
	}
	ims_palloc_free(vtdd_palloc(u), u->prq, u->prq_pqs);
	u->prq = 0;
	u->prq_on = false;
}

/* A request the driver answers itself (Linux handle_bad_prq_event): only
 * the last request of a group expects a response. */
static void answer(struct vtdd_unit *u, const uint64_t *d, unsigned rc)
{
	struct vtdd_qb b;

	u->st.prq_bad++;
	if (!(d[1] & VTD_PRQ_LPIG))
		return;
	vtdd_qb_init(&b, u);
	vtdd_qb_pgrp_resp(&b, (uint16_t)(d[0] >> VTD_PRQ_RID_SHIFT), d[0] & VTD_PRQ_PP,
			  (uint32_t)(d[0] >> VTD_PRQ_PASID_SHIFT) & 0xFFFFF,
			  (uint16_t)((d[1] >> VTD_PRQ_PRGI_SHIFT) & 0x1FF), rc);
	vtdd_qb_submit(&b);
	u->st.page_responses++;
}

static bool canonical(const struct vtdd_unit *u, uint64_t addr)
{
	unsigned bits = vtdd_has_cap(u, VTD_CAP_FS5LP) ? 57 : 48;
	int64_t s = (int64_t)(addr << (64 - bits)) >> (64 - bits);

	return (uint64_t)s == addr;
}

static void one_request(struct vtdd_unit *u, const uint64_t *d)
{
	const bool pp = d[0] & VTD_PRQ_PP, rd = d[1] & VTD_PRQ_RDR, wr = d[1] & VTD_PRQ_WRR;
	const bool exe = d[0] & VTD_PRQ_EXR, priv = d[0] & VTD_PRQ_PMR;
	const bool last = d[1] & VTD_PRQ_LPIG;
	struct vtdd_dev *dev;
	struct ims_iopf f;

	u->st.prq_handled++;
	if (u->drv->ctr_prq)
		(*u->drv->ctr_prq)++;
	if ((d[0] & 0xFF) != VTD_PRQ_TYPE)
		return; /* not a page request: nothing to answer */
	/* What Linux refuses: non-canonical addresses, privileged requests,
	 * execute with read. */
	if (!canonical(u, d[1] & VTD_PRQ_ADDR) || (priv && (rd || wr)) || (exe && rd)) {
		answer(u, d, VTD_PRG_INVALID);
		return;
	}
	/* A stop marker (last, neither read nor write) needs no response. */
	if (last && !rd && !wr)
		return;
	dev = vtdd_find_dev(u, (uint16_t)(d[0] >> VTD_PRQ_RID_SHIFT));
	if (!dev || !dev->cdev) {
		answer(u, d, VTD_PRG_INVALID);
		return;
	}
	f = (struct ims_iopf){
		.pasid = pp ? (uint32_t)(d[0] >> VTD_PRQ_PASID_SHIFT) & 0xFFFFF : IMS_NO_PASID,
		.grpid = (uint32_t)(d[1] >> VTD_PRQ_PRGI_SHIFT) & 0x1FF,
		.perm = (rd ? IMS_PGFAULT_PERM_READ : 0) | (wr ? IMS_PGFAULT_PERM_WRITE : 0) |
			(exe ? IMS_PGFAULT_PERM_EXEC : 0) | (priv ? IMS_PGFAULT_PERM_PRIV : 0),
		.last = last,
		.addr = d[1] & VTD_PRQ_ADDR,
	};
	/* Nothing attached, no FAULT queue, or any other refusal: the
	 * device must not wait forever for its group. */
	if (ims_report_iopf(u->drv->env.ctx, dev->cdev, &f) == 0)
		u->st.prq_reported++;
	else
		answer(u, d, VTD_PRG_INVALID);
}

void vtdd_prq_service(struct vtdd_unit *u)
{
	const uint64_t mask = prq_size(u) - 1;
	uint64_t head, tail, d[4];

	if (!u->prq_on)
		return;
	/* PPR first, so a request arriving meanwhile raises a new event
	 * (Linux prq_event_thread). */
	vtdd_w32(u, VTD_REG_PRS, (uint32_t)VTD_PRS_PPR);
	tail = vtdd_r64(u, VTD_REG_PQT) & VTD_PQ_PTR_MASK & mask;
	head = vtdd_r64(u, VTD_REG_PQH) & VTD_PQ_PTR_MASK & mask;
	while (head != tail) {
		ims_mem_read(vtdd_mem(u), u->prq + head, d, sizeof(d), IMS_MEM_DRIVER);
		one_request(u, d);
		head = (head + 32) & mask;
	}
	vtdd_w64(u, VTD_REG_PQH, tail);
	/* Overflow: once the queue is empty, PRO can be cleared. */
	if (vtdd_r32(u, VTD_REG_PRS) & VTD_PRS_PRO) {
		head = vtdd_r64(u, VTD_REG_PQH) & VTD_PQ_PTR_MASK;
		tail = vtdd_r64(u, VTD_REG_PQT) & VTD_PQ_PTR_MASK;
		if (head == tail) {
			vtdd_w32(u, VTD_REG_PRS, (uint32_t)VTD_PRS_PRO);
			u->st.prq_overflows++;
		}
	}
}

void vtdd_prq_drain(struct vtdd_dev *d, uint32_t pasid, uint16_t did, unsigned pgtt)
{
	struct vtdd_unit *u = d->u;
	const uint32_t hp = vtdd_hw_pasid(pasid);
	struct vtdd_qb b;

	if (!u->prq_on)
		return;
	/* Requests already in the queue are handled first ... */
	vtdd_prq_service(u);
	/* ... then SPEC 7.10: a fenced wait, the IOTLB and device TLB, and a
	 * wait with PD that completes behind every page request received
	 * before it (Linux intel_iommu_drain_pasid_prq). */
	vtdd_qb_init(&b, u);
	vtdd_qb_fence(&b);
	if (pgtt == VTD_PGTT_SS || pgtt == VTD_PGTT_NESTED)
		vtdd_qb_iotlb(&b, VTD_GRAN_DOMAIN, did, 0, 0, false);
	else
		vtdd_qb_piotlb(&b, VTD_PIOTLB_G_PASID, did, hp, 0, 0, false);
	if (d->ats) {
		if (pasid == IMS_NO_PASID)
			vtdd_qb_devtlb(&b, d->sid, 0, 64);
		else
			vtdd_qb_pdevtlb(&b, d->sid, pasid, 0, 64);
	}
	b.drain = true;
	vtdd_qb_submit(&b);
	if (vtdd_r32(u, VTD_REG_PRS) & (VTD_PRS_PRO | VTD_PRS_PPR))
		vtdd_prq_service(u);
}

int vtdd_page_response(void *inst, void *dev, uint32_t pasid, uint32_t grpid, uint32_t code)
{
	struct vtdd_dev *d = dev;
	struct vtdd_qb b;
	int rc;

	if (!d)
		return -EINVAL;
	if (!d->u->sm || !d->u->prq_on)
		return -EOPNOTSUPP;
	if ((code != IMS_PAGE_RESP_SUCCESS && code != IMS_PAGE_RESP_INVALID) || grpid > 0x1FF)
		return -EINVAL;
	/* The response copies RID, PP, PASID and PRGI of the request
	 * (Linux intel_iommu_page_response). */
	vtdd_qb_init(&b, d->u);
	vtdd_qb_pgrp_resp(&b, d->sid, pasid != IMS_NO_PASID, pasid, (uint16_t)grpid,
			  code == IMS_PAGE_RESP_SUCCESS ? VTD_PRG_SUCCESS : VTD_PRG_INVALID);
	rc = vtdd_qb_submit(&b);
	d->u->st.page_responses++;
	return rc;
}
