/* SPDX-License-Identifier: MIT */
/*
 * Devices behind a unit (Linux intel_iommu_probe_device and
 * intel_iommu_release_device): probing takes the unit over if needed,
 * decides what the device may use (ATS needs ECAP.DT and the queue, PASIDs
 * need scalable mode and ECAP.PASID, page requests need PRS), and in
 * scalable mode writes its context entry with a fresh PASID directory, all
 * PASID entries not present, so the device starts blocked.  Also
 * GET_HW_INFO's intel_vtd data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/vtd/drv_priv.h"

/* After a scalable-mode context entry changed (Table 28 "SM context
 * entry"): cc device-selective, the PASID cache and IOTLB (needed only when
 * not-present entries may be cached: every PASID entry was torn down
 * first), the device TLB. */
static void sm_ctx_flush(struct vtdd_dev *d, bool devtlb)
{
	struct vtdd_unit *u = d->u;
	struct vtdd_qb b;

	vtdd_qb_init(&b, u);
	vtdd_qb_cc(&b, VTD_GRAN_SEL, 0, d->sid);
	if (vtdd_has_cap(u, VTD_CAP_CM)) {
		vtdd_qb_pc(&b, VTD_PC_G_GLOBAL, 0, 0);
		vtdd_qb_iotlb(&b, VTD_GRAN_GLOBAL, 0, 0, 0, false);
	}
	if (devtlb && d->ats)
		vtdd_qb_devtlb(&b, d->sid, 0, 64);
	vtdd_qb_submit(&b);
}

static void unlist(struct vtdd_unit *u, struct vtdd_dev *d)
{
	for (unsigned i = 0; i < u->ndevs; i++)
		if (u->devs[i] == d) {
			u->devs[i] = u->devs[--u->ndevs];
			return;
		}
}

int vtdd_dev_probe(void *inst, struct ims_device *cdev, const struct ims_dev_desc *desc,
		   struct ims_dev_caps *caps, void **out)
{
	struct vtdd *drv = inst;
	struct vtdd_unit *u;
	struct vtdd_dev *d;
	int rc;

	if (!drv || !desc || !caps || !out)
		return -EINVAL;
	if (desc->unit >= drv->nunits || desc->sid > 0xFFFF || desc->pasid_bits > 20 ||
	    (desc->pri && !desc->ats))
		return -EINVAL;
	u = &drv->unit[desc->unit];
	rc = vtdd_unit_up(u);
	if (rc)
		return rc;
	if (vtdd_find_dev(u, (uint16_t)desc->sid))
		return -EEXIST;
	rc = vtdd_grow((void **)&u->devs, u->ndevs, &u->cdevs, sizeof(*u->devs));
	if (rc)
		return rc;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->u = u;
	d->cdev = cdev;
	d->sid = (uint16_t)desc->sid;
	/* Device-TLB invalidation exists only through the queue. */
	d->ats = desc->ats && vtdd_has_ecap(u, VTD_ECAP_DT) && u->qi;
	if (u->sm && vtdd_has_ecap(u, VTD_ECAP_PASID)) {
		unsigned w = VTD_ECAP_PSS(u->ecap) + 1;
		d->pasid_bits = desc->pasid_bits < w ? desc->pasid_bits : w;
	}
	d->pri = desc->pri && d->ats && u->prq_on;

	if (u->sm) {
		uint64_t slot, ce[4];

		rc = vtdd_pasid_dir_alloc(d);
		slot = rc ? 0 : vtdd_ctx_slot(u, d->sid, true);
		if (!slot) {
			vtdd_pasid_dir_free(d);
			free(d);
			return rc ? rc : -ENOMEM;
		}
		vtdd_sm_ctx_make(d, ce);
		ims_mem_write(vtdd_mem(u), slot, ce, sizeof(ce), IMS_MEM_DRIVER);
		/* Context entry 0 -> 1: a flush only when not-present
		 * entries may be cached (SPEC 6.5.3.5). */
		if (vtdd_has_cap(u, VTD_CAP_CM))
			sm_ctx_flush(d, false);
		else if (vtdd_has_cap(u, VTD_CAP_RWBF))
			vtdd_gcmd(u, VTD_GCMD_WBF, true);
	}
	u->devs[u->ndevs++] = d;

	memset(caps, 0, sizeof(*caps));
	caps->max_pasid_log2 = (uint8_t)d->pasid_bits;
	caps->ats = d->ats;
	caps->pri = d->pri;
	caps->dirty_tracking = u->sm && vtdd_has_ecap(u, VTD_ECAP_SSADS) &&
			       vtdd_has_ecap(u, VTD_ECAP_SSTS);
	/* Interrupt messages are never translated (SPEC 3.15): the window
	 * is reserved in every address space the device uses. */
	caps->nresv = 1;
	caps->resv[0] = (struct ims_resv_region){
		.start = VTDD_MSI_START, .last = VTDD_MSI_LAST, .type = IMS_RESV_MSI,
	};
	*out = d;
	return 0;
}

void vtdd_dev_release(void *inst, void *dev)
{
	struct vtdd_dev *d = dev;
	struct vtdd_unit *u;

	if (!d)
		return;
	u = d->u;
	/* The core detached everything; anything left is blocked here so the
	 * hardware never points at freed tables. */
	while (d->natt)
		vtdd_attach(inst, d, d->att[0].pasid, NULL, d->att[0].dom);
	if (d->rid_dom)
		vtdd_attach(inst, d, IMS_NO_PASID, NULL, d->rid_dom);
	if (u->sm) {
		uint64_t slot = vtdd_ctx_slot(u, d->sid, false);
		static const uint64_t zero[4];

		if (slot) {
			ims_mem_write(vtdd_mem(u), slot, zero, sizeof(zero), IMS_MEM_DRIVER);
			sm_ctx_flush(d, true);
		}
		vtdd_pasid_dir_free(d);
	}
	unlist(u, d);
	free(d->att);
	free(d);
}

int vtdd_hw_info(void *inst, void *dev, uint32_t *type, void *buf, size_t cap, size_t *len)
{
	struct vtdd *drv = inst;
	struct vtdd_dev *d = dev;
	struct ims_hw_info_vtd info;

	if (!drv || !d || !type || !len)
		return -EINVAL;
	if (*type != IMS_HW_INFO_TYPE_DEFAULT && *type != IMS_HW_INFO_TYPE_INTEL_VTD)
		return -EOPNOTSUPP;
	memset(&info, 0, sizeof(info));
	/* The registers themselves, as Linux intel_iommu_hw_info reports the
	 * values it read at boot. */
	info.cap_reg = vtdd_r64(d->u, VTD_REG_CAP);
	info.ecap_reg = vtdd_r64(d->u, VTD_REG_ECAP);
	if (drv->cfg.errata_772415)
		info.flags |= IMS_HW_INFO_VTD_ERRATA_772415_SPR17;
	*type = IMS_HW_INFO_TYPE_INTEL_VTD;
	*len = sizeof(info);
	if (buf)
		memcpy(buf, &info, cap < sizeof(info) ? cap : sizeof(info));
	return 0;
}
