/* SPDX-License-Identifier: MIT */
/*
 * Attaching a device's RID or one of its PASIDs to a domain, replacing what
 * is attached, and blocking.
 *
 * Scalable mode: the device's context entry was written at probe; the RID
 * translates through PASID-table entry RID_PASID and every PASID through
 * its own entry (SPEC 3.4.3).  An attach writes a present entry; a replace
 * overwrites the present entry in one 512-bit store, so DMA sees the old
 * translation or the new one and never a blocked window, then flushes what
 * the old entry may have left cached (Linux intel_pasid_replace_* +
 * intel_pasid_flush_present); blocking clears the present bit, flushes
 * (Linux intel_pasid_tear_down_entry), clears the rest and drains page
 * requests of a PRI device (SPEC 7.10).
 *
 * Legacy mode: the RID's context entry (SPEC 9.3) holds the domain; a
 * replace is one 128-bit store followed by the context-entry recipe, and
 * blocking clears the entry (Linux domain_context_clear_one).
 *
 * A fresh present entry needs no flush unless the part caches not-present
 * entries (CM=1); RWBF parts then get a write-buffer flush (SPEC 6.5.3.5,
 * 6.8).
 */
#include <errno.h>
#include <string.h>

#include "models/vtd/drv_priv.h"

/* ---- the driver's books ------------------------------------------------------------- */

static struct vtdd_domain *current_dom(const struct vtdd_dev *d, uint32_t pasid)
{
	if (pasid == IMS_NO_PASID)
		return d->rid_dom;
	for (unsigned i = 0; i < d->natt; i++)
		if (d->att[i].pasid == pasid)
			return d->att[i].dom;
	return NULL;
}

/* Room for one more PASID record (so that recording cannot fail later). */
static int reserve(struct vtdd_dev *d, struct vtdd_domain *dom)
{
	int rc = vtdd_grow((void **)&d->att, d->natt, &d->catt, sizeof(*d->att));

	if (!rc)
		rc = vtdd_grow((void **)&dom->att, dom->natt, &dom->catt, sizeof(*dom->att));
	return rc;
}

static void set_current(struct vtdd_dev *d, uint32_t pasid, struct vtdd_domain *dom)
{
	if (pasid == IMS_NO_PASID) {
		d->rid_dom = dom;
		return;
	}
	for (unsigned i = 0; i < d->natt; i++) {
		if (d->att[i].pasid != pasid)
			continue;
		if (dom)
			d->att[i].dom = dom;
		else
			d->att[i] = d->att[--d->natt];
		return;
	}
	if (dom && d->natt < d->catt)
		d->att[d->natt++] = (struct vtdd_pasid_att){ .pasid = pasid, .dom = dom };
}

/* Moves the books from `from` to `to` (either may be NULL). */
static void books(struct vtdd_dev *d, uint32_t pasid, struct vtdd_domain *to,
		  struct vtdd_domain *from)
{
	if (from) {
		vtdd_att_del(from, d, pasid);
		vtdd_domain_put_did(from, d->u);
	}
	if (to)
		vtdd_att_add(to, d, pasid); /* room reserved */
	set_current(d, pasid, to);
}

/* ---- compatibility (Linux paging_domain_compatible, nested attach) -------------------- */

static int compatible(const struct vtdd_dev *d, uint32_t pasid, const struct vtdd_domain *dom)
{
	const struct vtdd_unit *u = d->u;
	const struct vtdd_domain *ss = vtdd_ss_domain(dom);

	if (dom->drv != u->drv)
		return -EINVAL;
	if (!u->sm)
		return dom->kind == VTDD_DOM_PAGING && !dom->fs &&
				       (VTD_CAP_SAGAW(u->cap) & (1u << dom->aw))
			       ? 0
			       : -EINVAL;
	if (dom->kind == VTDD_DOM_NESTED) {
		if (!vtdd_has_ecap(u, VTD_ECAP_NEST))
			return -EINVAL;
		/* A nested PASID attachment may not sit on a dirty-tracking
		 * parent (iommufd.md §3.8). */
		if (pasid != IMS_NO_PASID && (ss->flags & IMS_HWPT_ALLOC_DIRTY_TRACKING))
			return -EINVAL;
	}
	if (dom->fs && dom->kind == VTDD_DOM_PAGING)
		return vtdd_has_ecap(u, VTD_ECAP_FSTS) ? 0 : -EINVAL;
	if (!vtdd_has_ecap(u, VTD_ECAP_SSTS) || !(VTD_CAP_SAGAW(u->cap) & (1u << ss->aw)))
		return -EINVAL;
	return 0;
}

/* ---- scalable mode ----------------------------------------------------------------------- */

static void write_entry(struct vtdd_unit *u, uint64_t slot, const uint64_t *pe)
{
	/* One 512-bit store: the entry changes atomically (SPEC 6.5.3.3
	 * "updates to present entries must stay self-consistent"). */
	ims_mem_write(vtdd_mem(u), slot, pe, 64, IMS_MEM_DRIVER);
}

/* A present entry appeared where none was (Linux pasid_flush_caches).
 * In caching mode the unit may hold the not-present entry, tagged with the
 * DID field it had (0 once cleared), so that is the DID to name. */
static void fresh_entry(struct vtdd_unit *u, uint32_t hp, uint16_t old_did, uint16_t did)
{
	struct vtdd_qb b;

	if (vtdd_has_cap(u, VTD_CAP_CM)) {
		vtdd_qb_init(&b, u);
		vtdd_qb_pc(&b, VTD_PC_G_PASID, old_did, hp);
		vtdd_qb_piotlb(&b, VTD_PIOTLB_G_PASID, did, hp, 0, 0, false);
		vtdd_qb_submit(&b);
	} else if (vtdd_has_cap(u, VTD_CAP_RWBF)) {
		vtdd_gcmd(u, VTD_GCMD_WBF, true);
	}
}

static int sm_set(struct vtdd_dev *d, uint32_t pasid, struct vtdd_domain *dom,
		  struct vtdd_domain *cur)
{
	struct vtdd_unit *u = d->u;
	struct ims_mem *m = vtdd_mem(u);
	const uint32_t hp = vtdd_hw_pasid(pasid);
	uint64_t slot, pe[8];
	int rc;

	slot = vtdd_pasid_slot(d, hp, true);
	if (!slot)
		return -ENOMEM;
	rc = reserve(d, dom);
	if (!rc)
		rc = vtdd_domain_get_did(dom, u);
	if (rc)
		return rc;
	vtdd_pasid_entry_make(dom, u, pe);

	uint64_t old0 = ims_mem_read64(m, slot, IMS_MEM_DRIVER);
	uint64_t old1 = ims_mem_read64(m, slot + 8, IMS_MEM_DRIVER);
	write_entry(u, slot, pe);
	if (cur && (old0 & VTD_PE_P)) {
		struct vtdd_qb b;
		vtdd_qb_init(&b, u);
		vtdd_flush_pasid_entry(&b, d, pasid, (uint16_t)VTD_PE_DID(old1), VTD_PE_PGTT(old0));
		vtdd_qb_submit(&b);
	} else {
		fresh_entry(u, hp, (uint16_t)VTD_PE_DID(old1), dom->did[u->idx]);
	}
	books(d, pasid, dom, cur);
	return 0;
}

static void sm_block(struct vtdd_dev *d, uint32_t pasid, struct vtdd_domain *cur)
{
	struct vtdd_unit *u = d->u;
	struct ims_mem *m = vtdd_mem(u);
	const uint32_t hp = vtdd_hw_pasid(pasid);
	const uint64_t slot = vtdd_pasid_slot(d, hp, false);
	static const uint64_t zero[8];

	if (slot) {
		uint64_t pe0 = ims_mem_read64(m, slot, IMS_MEM_DRIVER);
		uint64_t pe1 = ims_mem_read64(m, slot + 8, IMS_MEM_DRIVER);

		if (pe0 & VTD_PE_P) {
			const uint16_t did = (uint16_t)VTD_PE_DID(pe1);
			const unsigned pgtt = VTD_PE_PGTT(pe0);
			struct vtdd_qb b;

			/* Present bit first, then the flush, then the rest
			 * (P 1->0 recipe of Table 28). */
			ims_mem_write64(m, slot, pe0 & ~VTD_PE_P, IMS_MEM_DRIVER);
			vtdd_qb_init(&b, u);
			vtdd_flush_pasid_entry(&b, d, pasid, did, pgtt);
			vtdd_qb_submit(&b);
			write_entry(u, slot, zero);
			if (d->pri)
				vtdd_prq_drain(d, pasid, did, pgtt);
		}
	}
	books(d, pasid, NULL, cur);
}

/* ---- legacy mode ----------------------------------------------------------------------------- */

static int legacy_set(struct vtdd_dev *d, struct vtdd_domain *dom, struct vtdd_domain *cur)
{
	struct vtdd_unit *u = d->u;
	struct ims_mem *m = vtdd_mem(u);
	uint64_t slot, ce[2];
	int rc;

	slot = vtdd_ctx_slot(u, d->sid, true);
	if (!slot)
		return -ENOMEM;
	rc = reserve(d, dom);
	if (!rc)
		rc = vtdd_domain_get_did(dom, u);
	if (rc)
		return rc;
	vtdd_legacy_ctx_make(d, dom, ce);
	uint64_t old0 = ims_mem_read64(m, slot, IMS_MEM_DRIVER);
	uint64_t old1 = ims_mem_read64(m, slot + 8, IMS_MEM_DRIVER);
	/* One 128-bit store: DID and pointer change together (SPEC 6.5.3.3). */
	ims_mem_write(m, slot, ce, 16, IMS_MEM_DRIVER);
	struct vtdd_qb b;
	vtdd_qb_init(&b, u);
	if (cur && (old0 & VTD_CE_P)) {
		vtdd_flush_legacy_ctx(&b, d, (uint16_t)VTD_CE_DID(old1));
		vtdd_qb_submit(&b);
	} else if (vtdd_has_cap(u, VTD_CAP_CM)) {
		/* Not-present entries are cached tagged DID 0 (digest §7.1);
		 * Linux domain_context_mapping_one. */
		vtdd_qb_cc(&b, VTD_GRAN_SEL, 0, d->sid);
		vtdd_qb_iotlb(&b, VTD_GRAN_DOMAIN, dom->did[u->idx], 0, 0, false);
		vtdd_qb_submit(&b);
	} else if (vtdd_has_cap(u, VTD_CAP_RWBF)) {
		vtdd_gcmd(u, VTD_GCMD_WBF, true);
	}
	books(d, IMS_NO_PASID, dom, cur);
	return 0;
}

static void legacy_block(struct vtdd_dev *d, struct vtdd_domain *cur)
{
	struct vtdd_unit *u = d->u;
	struct ims_mem *m = vtdd_mem(u);
	const uint64_t slot = vtdd_ctx_slot(u, d->sid, false);
	static const uint64_t zero[2];

	if (slot) {
		uint64_t ce0 = ims_mem_read64(m, slot, IMS_MEM_DRIVER);
		uint64_t ce1 = ims_mem_read64(m, slot + 8, IMS_MEM_DRIVER);
		if (ce0 & VTD_CE_P) {
			struct vtdd_qb b;
			ims_mem_write(m, slot, zero, 16, IMS_MEM_DRIVER);
			vtdd_qb_init(&b, u);
			vtdd_flush_legacy_ctx(&b, d, (uint16_t)VTD_CE_DID(ce1));
			vtdd_qb_submit(&b);
		}
	}
	books(d, IMS_NO_PASID, NULL, cur);
}

/* ---- the op ---------------------------------------------------------------------------------- */

int vtdd_attach(void *inst, void *dev, uint32_t pasid, void *dom_p, void *old_p)
{
	struct vtdd_dev *d = dev;
	struct vtdd_domain *dom = dom_p;
	struct vtdd_domain *cur;
	int rc;

	if (!d)
		return dom ? -EINVAL : 0;
	if (pasid != IMS_NO_PASID) {
		/* PASID 0 is RID_PASID: requests without a PASID own it. */
		if (!d->u->sm || !d->pasid_bits || pasid == VTDD_RID_PASID ||
		    (pasid >> d->pasid_bits))
			return dom ? -EINVAL : 0;
	}
	/* What is attached is in the driver's own books (`old` names the
	 * same thing; the books also survive a core that undoes a change). */
	cur = current_dom(d, pasid);
	if (!dom) {
		if (!cur)
			return 0;
		if (d->u->sm)
			sm_block(d, pasid, cur);
		else
			legacy_block(d, cur);
		return 0;
	}
	if (dom == cur)
		return 0;
	rc = compatible(d, pasid, dom);
	if (rc)
		return rc;
	return d->u->sm ? sm_set(d, pasid, dom, cur) : legacy_set(d, dom, cur);
}

void vtdd_reprogram_entries(struct vtdd_domain *dom)
{
	/* Entries of the domain and, for a second stage, of the nested
	 * domains over it (they carry its SSADE). */
	for (unsigned c = 0; c <= dom->nchildren; c++) {
		struct vtdd_domain *x = c < dom->nchildren ? dom->children[c] : dom;

		for (unsigned i = 0; i < x->natt; i++) {
			struct vtdd_dev *d = x->att[i].dev;
			struct vtdd_unit *u = d->u;
			const uint32_t pasid = x->att[i].pasid;
			uint64_t slot = u->sm ? vtdd_pasid_slot(d, vtdd_hw_pasid(pasid), false) : 0;
			uint64_t pe[8], old0;
			struct vtdd_qb b;

			if (!slot)
				continue;
			old0 = ims_mem_read64(vtdd_mem(u), slot, IMS_MEM_DRIVER);
			if (!(old0 & VTD_PE_P))
				continue;
			vtdd_pasid_entry_make(x, u, pe);
			write_entry(u, slot, pe);
			/* SSADE 0->1 and other fields: pc, then iotlb DSI for
			 * second-stage and nested entries, then the device TLB
			 * (Table 28; Linux intel_pasid_flush_present). */
			vtdd_qb_init(&b, u);
			vtdd_flush_pasid_entry(&b, d, pasid, x->did[u->idx], VTD_PE_PGTT(old0));
			vtdd_qb_submit(&b);
		}
	}
}
