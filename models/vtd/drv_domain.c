/* SPDX-License-Identifier: MIT */
/*
 * Paging domains: kernel-managed page tables built with sim/pt's mapper,
 * as Linux's intel_iommu_domain_alloc_paging_flags() chooses them.
 *
 * Second stage (SPEC 3.7, 9.8): the widest AGAW CAP.SAGAW offers (Linux
 * iommu_calculate_agaw), input limited by CAP.MGAW, 2 MiB / 1 GiB leaves per
 * CAP.SSLPS.  First stage (SPEC 3.6, 9.7; paging=fs): x86-64, 5-level when
 * CAP.FS5LP, 1 GiB leaves per CAP.FS1GP, the lower canonical half as
 * aperture.  Nest parents and dirty-tracking domains are always second
 * stage (only SS has A/D tracking and only SS can sit under a guest FS).
 *
 * A domain gets a domain ID on a unit when it is first attached there and
 * gives it back with its last attachment (Linux domain_attach_iommu); the
 * detach that dropped it has already flushed that DID.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/vtd/drv_priv.h"

const struct vtdd_domain *vtdd_ss_domain(const struct vtdd_domain *dom)
{
	return dom->kind == VTDD_DOM_NESTED ? dom->parent : dom;
}

int vtdd_domain_get_did(struct vtdd_domain *dom, struct vtdd_unit *u)
{
	const unsigned i = u->idx;

	if (dom->refs[i]) {
		dom->refs[i]++;
		return 0;
	}
	int rc = vtdd_did_alloc(u, &dom->did[i]);
	if (rc)
		return rc;
	dom->refs[i] = 1;
	return 0;
}

void vtdd_domain_put_did(struct vtdd_domain *dom, struct vtdd_unit *u)
{
	const unsigned i = u->idx;

	if (!dom->refs[i] || --dom->refs[i])
		return;
	vtdd_did_free(u, dom->did[i]);
	dom->did[i] = 0;
}

int vtdd_att_add(struct vtdd_domain *dom, struct vtdd_dev *d, uint32_t pasid)
{
	int rc = vtdd_grow((void **)&dom->att, dom->natt, &dom->catt, sizeof(*dom->att));

	if (rc)
		return rc;
	dom->att[dom->natt++] = (struct vtdd_att){ .dev = d, .pasid = pasid };
	return 0;
}

void vtdd_att_del(struct vtdd_domain *dom, struct vtdd_dev *d, uint32_t pasid)
{
	for (unsigned i = 0; i < dom->natt; i++) {
		if (dom->att[i].dev == d && dom->att[i].pasid == pasid) {
			dom->att[i] = dom->att[--dom->natt];
			return;
		}
	}
}

/* The widest second-stage AGAW the part supports: AW 3 (5-level), 2, 1. */
static int ss_aw(const struct vtdd_unit *u)
{
	unsigned sagaw = VTD_CAP_SAGAW(u->cap);

	for (int aw = 3; aw >= 1; aw--)
		if (sagaw & (1u << aw))
			return aw;
	return -1;
}

static int make_ss(struct vtdd_domain *dom, const struct vtdd_unit *u, unsigned haw)
{
	int aw = ss_aw(u);
	unsigned sslps = VTD_CAP_SSLPS(u->cap);

	if (aw < 0)
		return -EOPNOTSUPP;
	struct ims_pt_vtdss_cfg c = {
		.levels = (unsigned)aw + 2, .mgaw = VTD_CAP_MGAW(u->cap) + 1, .oas = haw,
		.pg2m = sslps & 1, .pg1g = (sslps >> 1) & 1,
	};
	dom->aw = (unsigned)aw;
	return ims_pt_fmt_vtd_ss(&dom->fmt, &c) ? -EOPNOTSUPP : 0;
}

static int make_fs(struct vtdd_domain *dom, const struct vtdd_unit *u, unsigned haw)
{
	struct ims_pt_x86_cfg c = {
		.levels = vtdd_has_cap(u, VTD_CAP_FS5LP) ? 5 : 4, .oas = haw,
		.pg1g = vtdd_has_cap(u, VTD_CAP_FS1GP), .flags = IMS_PT_F_SIGN_EXTEND,
	};
	return ims_pt_fmt_x86_64(&dom->fmt, &c) ? -EOPNOTSUPP : 0;
}

static uint64_t pgsizes(const struct ims_pt_fmt *f)
{
	uint64_t m = 0;

	for (unsigned l = 0; l <= f->top_level; l++)
		m |= f->leaf_shifts[l];
	return m;
}

int vtdd_domain_alloc_paging(void *inst, void *dev, uint32_t flags,
			     struct ims_domain_info *info, void **out)
{
	struct vtdd *drv = inst;
	struct vtdd_dev *d = dev;
	struct vtdd_unit *u;
	const uint32_t known = IMS_HWPT_ALLOC_NEST_PARENT | IMS_HWPT_ALLOC_DIRTY_TRACKING |
			       IMS_HWPT_ALLOC_PASID;
	bool fs = false;
	int rc;

	if (!drv || !d || !info || !out)
		return -EINVAL;
	u = d->u;
	if (flags & ~known)
		return -EOPNOTSUPP;
	const bool nest = flags & IMS_HWPT_ALLOC_NEST_PARENT;
	const bool dirty = flags & IMS_HWPT_ALLOC_DIRTY_TRACKING;
	if (nest && !(u->sm && vtdd_has_ecap(u, VTD_ECAP_NEST)))
		return -EOPNOTSUPP;
	if (dirty && !(u->sm && vtdd_has_ecap(u, VTD_ECAP_SSADS)))
		return -EOPNOTSUPP;
	if (u->sm) {
		const bool can_ss = vtdd_has_ecap(u, VTD_ECAP_SSTS);
		/* A first-stage walk always updates A/D, which needs a
		 * snooped walk (SPEC 3.10): without SMPWCS the hardware
		 * would fault (SFS.9), so such parts get second stage. */
		const bool can_fs = vtdd_has_ecap(u, VTD_ECAP_FSTS) &&
				    vtdd_has_ecap(u, VTD_ECAP_SMPWCS);
		fs = (drv->cfg.paging == IMS_VTD_PAGING_FS && can_fs) || !can_ss;
		if (nest || dirty)
			fs = false;
		if ((fs && !can_fs) || (!fs && !can_ss))
			return -EOPNOTSUPP;
	}

	struct vtdd_domain *dom = calloc(1, sizeof(*dom));
	if (!dom)
		return -ENOMEM;
	dom->drv = drv;
	dom->kind = VTDD_DOM_PAGING;
	dom->fs = fs;
	dom->flags = flags;
	rc = fs ? make_fs(dom, u, drv->cfg.hw.haw) : make_ss(dom, u, drv->cfg.hw.haw);
	if (!rc) {
		dom->fmt_small = dom->fmt;
		ims_pt_fmt_limit(&dom->fmt_small, 12);
		rc = ims_pt_alloc_root(&dom->fmt, drv->env.palloc, &dom->root);
	}
	if (rc) {
		free(dom);
		return rc;
	}
	memset(info, 0, sizeof(*info));
	info->pgsize_bitmap = pgsizes(&dom->fmt);
	info->naperture = 1;
	info->aperture[0].start = 0;
	/* Second stage: 2^min(MGAW, AGAW) - 1.  First stage: canonical
	 * addresses, of which a domain uses the lower half. */
	info->aperture[0].last = fs ? (1ull << (dom->fmt.ias - 1)) - 1
				    : (dom->fmt.ias >= 64 ? UINT64_MAX : (1ull << dom->fmt.ias) - 1);
	info->dirty_ops = dirty;
	*out = dom;
	return 0;
}

void vtdd_domain_free(void *inst, void *p)
{
	struct vtdd_domain *dom = p;

	if (!dom)
		return;
	if (dom->kind == VTDD_DOM_PAGING) {
		ims_pt_free(&dom->fmt, dom->drv->env.mem, dom->drv->env.palloc, dom->root);
	} else if (dom->parent) {
		struct vtdd_domain *par = dom->parent;
		for (unsigned i = 0; i < par->nchildren; i++)
			if (par->children[i] == dom) {
				par->children[i] = par->children[--par->nchildren];
				break;
			}
	}
	free(dom->children);
	free(dom->att);
	free(dom);
}

/* A not-present -> present change needs a flush only in caching mode
 * (SPEC 6.5.3.5); otherwise parts with RWBF need their write buffer
 * flushed (Linux __mapping_notify_one). */
static void after_map(struct vtdd_domain *dom, uint64_t iova, uint64_t len)
{
	struct vtdd *drv = dom->drv;

	for (unsigned ui = 0; ui < drv->nunits; ui++) {
		struct vtdd_unit *u = &drv->unit[ui];
		if (!u->up)
			continue;
		if (vtdd_has_cap(u, VTD_CAP_CM)) {
			/* First-stage faults are never cached (digest §7.1). */
			if (!dom->fs)
				vtdd_flush_domain_range(dom, iova, len, false);
			return;
		}
		if (vtdd_has_cap(u, VTD_CAP_RWBF) && dom->refs[ui])
			vtdd_gcmd(u, VTD_GCMD_WBF, true);
	}
}

int vtdd_map(void *inst, void *p, uint64_t iova, uint64_t pa, uint64_t len, unsigned prot)
{
	struct vtdd_domain *dom = p;
	const struct ims_pt_fmt *f;
	int rc;

	if (!dom || dom->kind != VTDD_DOM_PAGING)
		return -EINVAL;
	f = (prot & IMS_MAP_SMALL_PAGES) ? &dom->fmt_small : &dom->fmt;
	/* Linux refuses read-only mappings in a nest parent on parts with
	 * erratum 772415 (hw_info reports it). */
	if (dom->drv->cfg.errata_772415 && (dom->flags & IMS_HWPT_ALLOC_NEST_PARENT) &&
	    !(prot & IMS_PROT_WRITE))
		return -EINVAL;
	rc = ims_pt_map(f, dom->drv->env.mem, dom->drv->env.palloc, dom->root, iova, pa, len,
			prot & (IMS_PROT_READ | IMS_PROT_WRITE | IMS_PROT_NOEXEC | IMS_PROT_PRIV));
	if (rc == -ERANGE)
		rc = -EINVAL;
	if (rc)
		return rc;
	if (!(prot & IMS_PROT_WRITE))
		dom->ro_mapped = true;
	after_map(dom, iova, len);
	return 0;
}

int vtdd_unmap(void *inst, void *p, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	struct vtdd_domain *dom = p;
	uint64_t done = 0;
	int rc;

	if (unmapped)
		*unmapped = 0;
	if (!dom || dom->kind != VTDD_DOM_PAGING)
		return -EINVAL;
	rc = ims_pt_unmap(&dom->fmt, dom->drv->env.mem, dom->drv->env.palloc, dom->root, iova,
			  len, &done);
	if (unmapped)
		*unmapped = done;
	return rc == -ERANGE ? -EINVAL : rc;
}

void vtdd_iotlb_sync(void *inst, void *p, uint64_t iova, uint64_t len)
{
	struct vtdd_domain *dom = p;

	/* Tables may have been freed by the unmap: IH=0 (Table 28 "SS entry"
	 * with non-leaf changes). */
	if (dom)
		vtdd_flush_domain_range(dom, iova, len, false);
}
