/* SPDX-License-Identifier: MIT */
/*
 * Nested domains (SPEC 3.8, digest §3.3): the guest owns a first-stage
 * table, named by a GPA in struct ims_hwpt_vtd_s1, and the unit walks it
 * through the parent's second stage (PGTT=011).  Validation follows Linux
 * intel/nested.c and intel_pasid_setup_nested (done here at allocation, so
 * a bad table description fails where it is given).
 *
 * User invalidation is the trapped path: each struct
 * ims_hwpt_vtd_s1_invalidate the VMM forwards becomes PASID-based IOTLB
 * invalidations for the nested domain's DID and every PASID it is attached
 * at, then device-TLB invalidations when ATS is on (Linux
 * intel_nested_cache_invalidate_user -> cache_tag_flush_range).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/vtd/drv_priv.h"

static int check_s1(const struct vtdd_unit *u, const struct vtdd_domain *parent,
		    const struct ims_hwpt_vtd_s1 *s1)
{
	const uint64_t known = IMS_VTD_S1_SRE | IMS_VTD_S1_EAFE | IMS_VTD_S1_WPE;

	if ((s1->flags & ~known) || s1->reserved)
		return -EOPNOTSUPP;
	if (s1->addr_width != 48 && s1->addr_width != 57)
		return -EINVAL;
	if (s1->addr_width == 57 && !vtdd_has_cap(u, VTD_CAP_FS5LP))
		return -EINVAL;
	if ((s1->flags & IMS_VTD_S1_SRE) && !vtdd_has_ecap(u, VTD_ECAP_SRS))
		return -EINVAL;
	if ((s1->flags & IMS_VTD_S1_EAFE) && !vtdd_has_ecap(u, VTD_ECAP_EAFS))
		return -EINVAL;
	/* FSPTPTR is a 4 KiB-aligned GPA the second stage must be able to
	 * reach (SPEC 9.6; else SPT.4 at every DMA). */
	if ((s1->pgtbl_addr & 0xFFF) ||
	    (parent->fmt.ias < 64 && (s1->pgtbl_addr >> parent->fmt.ias)))
		return -EINVAL;
	return 0;
}

int vtdd_domain_alloc_nested(void *inst, void *dev, void *parent, void *viommu, uint32_t flags,
			     const struct ims_user_data *data, struct ims_domain_info *info,
			     void **out)
{
	struct vtdd *drv = inst;
	struct vtdd_dev *d = dev;
	struct vtdd_domain *par = parent;
	struct ims_hwpt_vtd_s1 s1;
	int rc;

	if (!drv || !d || !info || !out)
		return -EINVAL;
	/* VT-d nests on a parent HWPT; it has no vIOMMU object. */
	if (viommu || !par)
		return -EOPNOTSUPP;
	if (!d->u->sm || !vtdd_has_ecap(d->u, VTD_ECAP_NEST))
		return -EOPNOTSUPP;
	if (flags & ~(IMS_HWPT_FAULT_ID_VALID | IMS_HWPT_ALLOC_PASID))
		return -EOPNOTSUPP;
	if (!data || data->type != IMS_HWPT_DATA_VTD_S1)
		return -EOPNOTSUPP;
	if (par->drv != drv || par->kind != VTDD_DOM_PAGING || par->fs ||
	    !(par->flags & IMS_HWPT_ALLOC_NEST_PARENT))
		return -EINVAL;
	rc = ims_user_data_get(data, IMS_HWPT_DATA_VTD_S1, &s1, sizeof(s1), sizeof(s1));
	if (rc)
		return rc;
	rc = check_s1(d->u, par, &s1);
	if (rc)
		return rc;

	struct vtdd_domain *dom = calloc(1, sizeof(*dom));
	if (!dom)
		return -ENOMEM;
	rc = vtdd_grow((void **)&par->children, par->nchildren, &par->cchildren,
		       sizeof(*par->children));
	if (rc) {
		free(dom);
		return rc;
	}
	dom->drv = drv;
	dom->kind = VTDD_DOM_NESTED;
	dom->fs = true;
	dom->flags = flags;
	dom->parent = par;
	dom->s1 = s1;
	par->children[par->nchildren++] = dom;
	memset(info, 0, sizeof(*info));
	*out = dom;
	return 0;
}

int vtdd_invalidate_user(void *inst, void *p, const struct ims_user_array *a, uint32_t *done)
{
	struct vtdd_domain *dom = p;
	struct ims_hwpt_vtd_s1_invalidate e;
	int rc = 0;

	if (done)
		*done = 0;
	if (!dom || !a || dom->kind != VTDD_DOM_NESTED)
		return -EINVAL;
	if (a->type != IMS_HWPT_INVALIDATE_DATA_VTD_S1)
		return -EINVAL;
	for (uint32_t i = 0; i < a->entry_num; i++) {
		rc = ims_user_array_get(a, IMS_HWPT_INVALIDATE_DATA_VTD_S1, i, &e, sizeof(e),
					sizeof(e));
		if (rc)
			break;
		if ((e.flags & ~IMS_VTD_INV_FLAGS_LEAF) || e.reserved) {
			rc = -EOPNOTSUPP;
			break;
		}
		if ((e.addr & 0xFFF) || (e.npages == UINT64_MAX && e.addr)) {
			rc = -EINVAL;
			break;
		}
		if (e.npages) {
			/* npages 2^64-1 (and anything past the 64-bit space)
			 * is everything: PASID-selective. */
			uint64_t len = e.npages >= (1ull << 52) ? UINT64_MAX - e.addr : e.npages << 12;
			vtdd_flush_domain_range(dom, e.addr, len, e.flags & IMS_VTD_INV_FLAGS_LEAF);
		}
		if (done)
			(*done)++;
	}
	return rc;
}
