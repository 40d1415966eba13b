/* SPDX-License-Identifier: MIT */
/*
 * The DMA entry point: a device request goes to the unit as is
 * (vtd_hw_dma), the unit's fault reason is classified into the
 * vendor-neutral enum ims_xlate_fault the oracle speaks, and the driver's
 * interrupt handlers run for whatever the request raised (a fault record,
 * a page request).
 */
#include <errno.h>

#include "models/vtd/drv_priv.h"

/* Fault reasons (SPEC 7.1.3 Table 30, digest §4) by what they mean to a
 * user of the API. */
enum ims_xlate_fault vtdd_classify(unsigned fr)
{
	switch (fr) {
	case 0:
		return IMS_XF_NONE;
	/* Nothing translates this requester or PASID: no root/context or
	 * PASID entry, abort mode, a PASID the device or unit cannot use. */
	case VTD_FR_LRT_2: case VTD_FR_LCT_2: case VTD_FR_RTA_2: case VTD_FR_RTA_4:
	case VTD_FR_SRT_2: case VTD_FR_SCT_2: case VTD_FR_SCT_6: case VTD_FR_SCT_7:
	case VTD_FR_SCT_9: case VTD_FR_SPD_2: case VTD_FR_SPT_2: case VTD_FR_SGN_10:
		return IMS_XF_BLOCKED;
	/* No translation for the address, at either stage (in nested mode
	 * also for a guest table: SSS.2 during the walk for an FS entry). */
	case VTD_FR_SFS_2: case VTD_FR_SSS_2:
		return IMS_XF_NOT_PRESENT;
	/* The translation exists but does not allow the access: the final
	 * rights, a guest table second stage does not let the unit read or
	 * update (SFS.6-8), supervisor or execute requests the entry refuses
	 * (legacy 5/6 are refined by the caller: they also mean not present). */
	case VTD_FR_LGN_2: case VTD_FR_LGN_3: case VTD_FR_SPT_5: case VTD_FR_SPT_6:
	case VTD_FR_SFS_6: case VTD_FR_SFS_7: case VTD_FR_SFS_8: case VTD_FR_SGN_2:
	case VTD_FR_SGN_3: case VTD_FR_SGN_6: case VTD_FR_SGN_7:
		return IMS_XF_PERMISSION;
	/* Input beyond what the tables cover, non-canonical, output in the
	 * interrupt window or beyond HAW. */
	case VTD_FR_LGN_1: case VTD_FR_LGN_4: case VTD_FR_SFS_5: case VTD_FR_SGN_1:
	case VTD_FR_SGN_4: case VTD_FR_SGN_5: case VTD_FR_SGN_8:
		return IMS_XF_ADDRESS;
	/* A structure could not be read, or an A/D update failed. */
	case VTD_FR_LSS_1: case VTD_FR_LRT_1: case VTD_FR_LCT_1: case VTD_FR_SRT_1:
	case VTD_FR_SCT_1: case VTD_FR_SPD_1: case VTD_FR_SPT_1: case VTD_FR_SFS_1:
	case VTD_FR_SFS_4: case VTD_FR_SSS_1: case VTD_FR_SSS_4: case VTD_FR_SSS_5:
	case VTD_FR_SSS_6: case VTD_FR_SFS_9: case VTD_FR_SFS_10:
		return IMS_XF_WALK_ABORT;
	/* Everything else is an invalid entry or register setting: reserved
	 * bits, unsupported widths or types, a request type the entry
	 * refuses. */
	default:
		return IMS_XF_CONFIG;
	}
}

/* Legacy mode reports a missing translation and a missing right with the
 * same reasons (LGN.2 / LGN.3, SPEC 7.1.3): the driver tells them apart in
 * its own table, read as software reads it. */
static bool sw_present(const struct vtdd_domain *dom, uint64_t iova)
{
	const struct ims_pt_fmt *f = &dom->fmt;
	struct ims_mem *m = dom->drv->env.mem;
	uint64_t table = dom->root;
	unsigned level = f->top_level;

	if (f->ias < 64 && (iova >> f->ias))
		return false;
	for (unsigned n = 0; n <= f->top_level; n++) {
		uint64_t pte = ims_mem_read64(m, table + 8ull * ims_pt_index(f, level, iova),
					      IMS_MEM_DRIVER);
		struct ims_pt_entry e;

		f->ops->decode(f, level, pte, &e);
		if (e.fault || e.type == IMS_PTE_INVALID)
			return false;
		if (e.type == IMS_PTE_LEAF)
			return true;
		if (level == 0)
			return false;
		table = e.addr;
		level = e.next_level;
	}
	return false;
}

/* The domain the driver attached at (sid, pasid), if any. */
static const struct vtdd_domain *attached(struct vtdd_unit *u, const struct ims_dma_req *req)
{
	const struct vtdd_dev *d = vtdd_find_dev(u, (uint16_t)req->sid);

	if (!d)
		return NULL;
	if (req->pasid == IMS_NO_PASID)
		return d->rid_dom;
	for (unsigned i = 0; i < d->natt; i++)
		if (d->att[i].pasid == req->pasid)
			return d->att[i].dom;
	return NULL;
}

static enum ims_xlate_fault classify_req(struct vtdd_unit *u, const struct ims_dma_req *req,
					 const struct ims_dma_result *res)
{
	const struct vtdd_domain *dom;

	if (res->status == IMS_DMA_QUEUED)
		return IMS_XF_PAGE_REQUEST;
	if (!res->fault)
		return res->status == IMS_DMA_OK ? IMS_XF_NONE
		       : req->type == IMS_DMA_PAGE_REQUEST ? IMS_XF_PAGE_REQUEST
							  : IMS_XF_BLOCKED;
	dom = attached(u, req);
	if (dom && dom->kind == VTDD_DOM_PAGING) {
		/* A first-stage domain maps only the lower canonical half:
		 * the upper half walks to "not present" but lies outside the
		 * domain's aperture. */
		if (dom->fs && (req->addr >> (dom->fmt.ias - 1)))
			return IMS_XF_ADDRESS;
		if ((res->fault == VTD_FR_LGN_2 || res->fault == VTD_FR_LGN_3) &&
		    !sw_present(dom, req->addr))
			return IMS_XF_NOT_PRESENT;
	}
	return vtdd_classify(res->fault);
}

int vtdd_dma(void *inst, const struct ims_dma_req *req, struct ims_dma_result *res)
{
	struct vtdd *drv = inst;
	struct vtdd_unit *u;

	if (!drv || !req || !res || req->unit >= drv->nunits)
		return -EINVAL;
	/* One page-bounded piece (sim/dma.h); a zero-length read is legal. */
	if (req->len > 4096 || (req->addr & 4095) + req->len > 4096)
		return -EINVAL;
	u = &drv->unit[req->unit];
	vtd_hw_dma(u->hw, req, res);
	res->xfault = classify_req(u, req, res);
	vtdd_service(u);
	return 0;
}
