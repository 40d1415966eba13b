/* SPDX-License-Identifier: MIT */
/*
 * The cache-invalidation recipes software must follow after changing a
 * structure the unit may have cached (SPEC 6.5.3 and Table 28, digest §7.2),
 * in the order SPEC 6.5.2.12 requires: context cache, then PASID cache, then
 * IOTLB and paging-structure caches, then device TLBs.
 *
 * Which IOTLB invalidation a domain needs depends on how its entries are
 * tagged (digest §7.1): second-stage translations by DID and address
 * (iotlb_inv page-selective, or domain-selective when the part has no PSI
 * or the block is beyond MAMV), first-stage and nested ones by DID, PASID
 * and address (p_iotlb_inv; any AM is valid).  A change of a nest parent's
 * second stage is also seen through every nested domain on it: their DIDs
 * are flushed too and their devices' TLBs entirely, since the device caches
 * guest IOVAs that no GPA range names (Linux cache_tag_flush_range,
 * CACHE_TAG_NESTING_*).
 */
#include "models/vtd/drv_priv.h"

uint32_t vtdd_hw_pasid(uint32_t pasid)
{
	return pasid == IMS_NO_PASID ? VTDD_RID_PASID : pasid;
}

void vtdd_psi_block(uint64_t iova, uint64_t len, uint64_t *addr, unsigned *am)
{
	uint64_t first = iova >> 12, last = (iova + (len ? len - 1 : 0)) >> 12;
	unsigned m = 0;

	while (m < 52 && (first >> m) != (last >> m))
		m++;
	*am = m;
	*addr = m >= 52 ? 0 : (first >> m) << m << 12;
}

/* ATS invalidation for one attachment: without PASID for the RID, with it
 * otherwise (Linux devtlb_invalidation_with_pasid). */
static void devtlb(struct vtdd_qb *b, const struct vtdd_dev *d, uint32_t pasid, uint64_t addr,
		   unsigned am)
{
	if (!d->ats)
		return;
	if (pasid == IMS_NO_PASID)
		vtdd_qb_devtlb(b, d->sid, addr, am);
	else
		vtdd_qb_pdevtlb(b, d->sid, pasid, addr, am);
}

void vtdd_flush_pasid_entry(struct vtdd_qb *b, struct vtdd_dev *d, uint32_t pasid,
			    uint16_t did, unsigned pgtt)
{
	uint32_t hp = vtdd_hw_pasid(pasid);

	/* PASID-entry P 1->0 or another field changed (Table 28). */
	vtdd_qb_pc(b, VTD_PC_G_PASID, did, hp);
	if (pgtt == VTD_PGTT_SS || pgtt == VTD_PGTT_NESTED)
		vtdd_qb_iotlb(b, VTD_GRAN_DOMAIN, did, 0, 0, false);
	else
		vtdd_qb_piotlb(b, VTD_PIOTLB_G_PASID, did, hp, 0, 0, false);
	devtlb(b, d, pasid, 0, 64);
}

void vtdd_flush_legacy_ctx(struct vtdd_qb *b, struct vtdd_dev *d, uint16_t did)
{
	/* Legacy context entry (Table 28): cc device-selective, iotlb DSI. */
	vtdd_qb_cc(b, VTD_GRAN_SEL, did, d->sid);
	vtdd_qb_iotlb(b, VTD_GRAN_DOMAIN, did, 0, 0, false);
	devtlb(b, d, IMS_NO_PASID, 0, 64);
}

/* Second-stage entries of DID did in [addr, 2^am pages). */
static void ss_iotlb(struct vtdd_qb *b, uint16_t did, uint64_t addr, unsigned am, bool ih)
{
	const struct vtdd_unit *u = b->u;

	if (!vtdd_has_cap(u, VTD_CAP_PSI) || am > VTD_CAP_MAMV(u->cap))
		vtdd_qb_iotlb(b, VTD_GRAN_DOMAIN, did, 0, 0, false);
	else
		vtdd_qb_iotlb(b, VTD_GRAN_SEL, did, addr, am, ih);
}

/* First-stage / nested entries of (did, pasid). */
static void fs_iotlb(struct vtdd_qb *b, uint16_t did, uint32_t pasid, uint64_t addr,
		     unsigned am, bool ih)
{
	if (am >= 52)
		vtdd_qb_piotlb(b, VTD_PIOTLB_G_PASID, did, pasid, 0, 0, false);
	else
		vtdd_qb_piotlb(b, VTD_PIOTLB_G_PAGE, did, pasid, addr, am, ih);
}

/* The IOTLB part of one domain on one unit. */
static void domain_iotlb(struct vtdd_qb *b, const struct vtdd_domain *dom, uint64_t addr,
			 unsigned am, bool ih)
{
	const unsigned ui = b->u->idx;
	uint32_t done[16];
	unsigned ndone = 0;

	if (!dom->refs[ui])
		return;
	if (!dom->fs) {
		ss_iotlb(b, dom->did[ui], addr, am, ih);
		return;
	}
	for (unsigned i = 0; i < dom->natt; i++) {
		const struct vtdd_att *a = &dom->att[i];
		uint32_t hp = vtdd_hw_pasid(a->pasid);
		bool seen = false;

		if (a->dev->u != b->u)
			continue;
		for (unsigned k = 0; k < ndone; k++)
			seen |= done[k] == hp;
		if (seen)
			continue;
		if (ndone < 16)
			done[ndone++] = hp;
		fs_iotlb(b, dom->did[ui], hp, addr, am, ih);
	}
}

static void domain_devtlb(struct vtdd_qb *b, const struct vtdd_domain *dom, uint64_t addr,
			  unsigned am)
{
	for (unsigned i = 0; i < dom->natt; i++)
		if (dom->att[i].dev->u == b->u)
			devtlb(b, dom->att[i].dev, dom->att[i].pasid, addr, am);
}

void vtdd_flush_domain_range(struct vtdd_domain *dom, uint64_t iova, uint64_t len, bool leaf)
{
	struct vtdd *drv = dom->drv;
	uint64_t addr;
	unsigned am;

	if (!len)
		return;
	vtdd_psi_block(iova, len, &addr, &am);
	for (unsigned ui = 0; ui < drv->nunits; ui++) {
		struct vtdd_unit *u = &drv->unit[ui];
		struct vtdd_qb b;
		bool children = false;

		for (unsigned c = 0; c < dom->nchildren; c++)
			children |= dom->children[c]->refs[ui] != 0;
		if (!u->up || (!dom->refs[ui] && !children))
			continue;
		vtdd_qb_init(&b, u);
		domain_iotlb(&b, dom, addr, am, leaf);
		/* Nested domains see this second stage under their own DIDs
		 * (tagged like second-stage entries for this purpose). */
		for (unsigned c = 0; c < dom->nchildren; c++) {
			const struct vtdd_domain *n = dom->children[c];
			if (n->refs[ui])
				ss_iotlb(&b, n->did[ui], addr, am, leaf);
		}
		/* Device TLBs after the IOTLB (SPEC 6.5.2.12). */
		domain_devtlb(&b, dom, addr, am);
		for (unsigned c = 0; c < dom->nchildren; c++)
			domain_devtlb(&b, dom->children[c], 0, 64);
		vtdd_qb_submit(&b);
	}
}
