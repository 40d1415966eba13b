/* SPDX-License-Identifier: MIT */
/*
 * Page requests (SPEC 7.4-7.10, digest §6): the page-request queue the unit
 * writes page_req_dsc records into, its overflow rules and the automatic
 * page group responses for requests it drops.  Software's own responses
 * (page_grp_resp descriptors) are executed by the invalidation queue
 * (hw_inval.c) and reach the device the same way, through the device log.
 */
#include "models/vtd/hw_priv.h"

/* A dropped request that was the last of its group is answered by the
 * hardware itself (SPEC 7.4-7.10, Table 31; digest §6). */
static void auto_response(struct vtd_hw *hw, const struct vtd_xreq *x, unsigned rc)
{
	if (!x->req->last)
		return;
	struct vtd_devmsg m = {
		.kind = VTD_DEVMSG_PRG_RESP, .sid = x->sid, .pp = x->pp,
		.pasid = x->pp ? x->req->pasid & 0xFFFFF : 0, .prgi = x->req->prgi & 0x1FF,
		.rc = (uint8_t)rc, .automatic = true,
	};
	vtd_devmsg_push(hw, &m);
	hw->st.prq_auto_resp++;
	vtd_charge(hw, VTD_C_PRG_RESP, 1);
}

static void drop(struct vtd_hw *hw, const struct vtd_xreq *x, unsigned rc,
		 struct ims_dma_result *res)
{
	hw->st.prq_dropped++;
	res->status = IMS_DMA_FAULT;
	auto_response(hw, x, rc);
}

void vtd_prq_refused(struct vtd_hw *hw, struct vtd_xreq *x, unsigned fr,
		     struct ims_dma_result *res)
{
	/* A table fault is reported as a non-recoverable fault and answered
	 * Invalid Request (digest §6 steps 1 and 4). */
	vtd_report(hw, x, fr, res);
	drop(hw, x, VTD_PRG_INVALID, res);
}

/* The internal invalidation every accepted page request runs first
 * (SPEC 6.5.3.1, digest §5 "Implicit invalidation on page requests"). */
static void implicit_invalidation(struct vtd_hw *hw, const struct vtd_xreq *x)
{
	switch (x->pgtt) {
	case VTD_PGTT_FS:
		vtd_inv_piotlb(hw, VTD_PIOTLB_G_PAGE, x->did, x->pasid, x->addr, 0, false);
		break;
	case VTD_PGTT_NESTED:
		vtd_inv_iotlb(hw, VTD_GRAN_DOMAIN, x->did, 0, 0, false);
		break;
	default: /* second stage, pass-through */
		vtd_inv_iotlb(hw, VTD_GRAN_SEL, x->did, x->addr, 0, false);
		break;
	}
}

static void set_prs(struct vtd_hw *hw, uint32_t bit)
{
	bool was = hw->prs & (VTD_PRS_PPR | VTD_PRS_PRO);

	hw->prs |= bit;
	if (!was)
		vtd_event_raise(hw, VTD_EV_PRQ);
}

void vtd_prq_request(struct vtd_hw *hw, struct vtd_xreq *x, struct ims_dma_result *res)
{
	const uint64_t size = 4096ull << VTD_PQA_PQS(hw->pqa);
	uint64_t head, tail, next, d[4];
	unsigned fr;

	if (!vtd_has_ecap(hw, VTD_ECAP_PRS)) {
		/* No page-request support: the request is unsupported. */
		drop(hw, x, VTD_PRG_INVALID, res);
		return;
	}
	fr = vtd_route(hw, x);
	if (fr) {
		vtd_prq_refused(hw, x, fr, res);
		return;
	}
	/* PRO set: dropped with no new event (digest §6 step 2). */
	if (hw->prs & VTD_PRS_PRO) {
		drop(hw, x, VTD_PRG_SUCCESS, res);
		return;
	}
	head = hw->pqh & (size - 1);
	tail = hw->pqt & (size - 1);
	next = (tail + 32) & (size - 1);
	if (next == head) {
		/* Full: one slot always stays free (digest §1.9). */
		set_prs(hw, VTD_PRS_PRO);
		drop(hw, x, VTD_PRG_SUCCESS, res);
		return;
	}
	implicit_invalidation(hw, x);
	d[0] = VTD_PRQ_TYPE | (uint64_t)x->sid << VTD_PRQ_RID_SHIFT;
	if (x->pp)
		d[0] |= VTD_PRQ_PP | (uint64_t)(x->req->pasid & 0xFFFFF) << VTD_PRQ_PASID_SHIFT;
	if (x->pp && x->er)
		d[0] |= VTD_PRQ_EXR;
	if (x->pp && x->pr)
		d[0] |= VTD_PRQ_PMR;
	d[1] = (x->addr & VTD_PRQ_ADDR) | (uint64_t)(x->req->prgi & 0x1FF) << VTD_PRQ_PRGI_SHIFT;
	if (x->rd)
		d[1] |= VTD_PRQ_RDR;
	if (x->wr)
		d[1] |= VTD_PRQ_WRR;
	if (x->req->last)
		d[1] |= VTD_PRQ_LPIG;
	d[2] = d[3] = 0;
	vtd_charge(hw, VTD_C_PRQ_WRITE, 1);
	if (!ims_mem_store(hw->mem, (hw->pqa & VTD_PQA_PQA) + tail, d, sizeof(d), IMS_MEM_QUEUE)) {
		/* The queue memory cannot be written: the request is lost and
		 * the device told the response failed. */
		drop(hw, x, VTD_PRG_FAILURE, res);
		return;
	}
	/* PQT moves once the descriptor is visible; then PPR (digest §6). */
	hw->pqt = next;
	set_prs(hw, VTD_PRS_PPR);
	hw->st.prq_queued++;
	res->status = IMS_DMA_QUEUED;
}

void vtd_prq_status_write(struct vtd_hw *hw, uint32_t val)
{
	uint32_t clear = val & hw->prs & (uint32_t)(VTD_PRS_PPR | VTD_PRS_PRO);

	if (!clear)
		return;
	hw->prs &= ~clear;
	vtd_event_cleared(hw, VTD_EV_PRQ);
}
