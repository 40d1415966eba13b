/* SPDX-License-Identifier: MIT */
/*
 * The structures the unit routes requests through, written into simulated
 * memory field by field (SPEC 9.1-9.6, digest §2.1): root and context
 * tables (legacy and scalable), PASID directories and PASID tables, and the
 * entries that make a domain translate.  All of them are host-physical
 * pages from the driver pool; entries are written with kind DRIVER.
 */
#include <string.h>

#include "models/vtd/drv_priv.h"

uint64_t vtdd_ctx_slot(struct vtdd_unit *u, uint16_t sid, bool alloc)
{
	const unsigned bus = sid >> 8, devfn = sid & 0xFF;
	/* Scalable mode splits a bus into two tables of 128 x 256-bit
	 * entries (SPEC 9.2); legacy has one of 256 x 128-bit (SPEC 9.1). */
	const unsigned half = u->sm ? devfn >> 7 : 0;
	uint64_t *tbl = &u->ctx_tbl[bus][half];

	if (!*tbl) {
		uint64_t pa;

		if (!alloc || ims_palloc_alloc(vtdd_palloc(u), 0, &pa))
			return 0;
		*tbl = pa;
		/* Root entry present bit 0 -> 1: nothing cached to flush
		 * (SPEC 6.5.3.5). */
		if (u->sm && half)
			ims_mem_write64(vtdd_mem(u), u->root + 16ull * bus + 8, pa | VTD_SRE_UP,
					IMS_MEM_DRIVER);
		else
			ims_mem_write64(vtdd_mem(u), u->root + 16ull * bus,
					pa | (u->sm ? VTD_SRE_LP : VTD_RE_P), IMS_MEM_DRIVER);
	}
	return u->sm ? *tbl + 32ull * (devfn & 0x7F) : *tbl + 16ull * devfn;
}

void vtdd_tables_free(struct vtdd_unit *u)
{
	for (unsigned bus = 0; bus < 256; bus++)
		for (unsigned h = 0; h < 2; h++)
			if (u->ctx_tbl[bus][h]) {
				ims_palloc_free(vtdd_palloc(u), u->ctx_tbl[bus][h], 0);
				u->ctx_tbl[bus][h] = 0;
			}
	if (u->root)
		ims_palloc_free(vtdd_palloc(u), u->root, 0);
	u->root = 0;
}

/* ---- PASID directory and tables (SPEC 9.5, 9.6) ------------------------------------ */

static unsigned dir_entries(const struct vtdd_dev *d)
{
	return 1u << (d->pdts + 7);
}

int vtdd_pasid_dir_alloc(struct vtdd_dev *d)
{
	/* One directory entry per 64 PASIDs, at least a page of them (as
	 * Linux intel_pasid_alloc_table): PDTS gives 2^(PDTS+7) entries. */
	unsigned bits = d->pasid_bits > 15 ? d->pasid_bits - 6 : 9;
	int rc;

	d->pdts = bits - 7;
	d->dir_order = bits + 3 - 12;
	rc = ims_palloc_alloc(vtdd_palloc(d->u), d->dir_order, &d->pasid_dir);
	if (rc)
		d->pasid_dir = 0;
	return rc;
}

void vtdd_pasid_dir_free(struct vtdd_dev *d)
{
	struct ims_mem *m = vtdd_mem(d->u);

	if (!d->pasid_dir)
		return;
	for (unsigned i = 0; i < dir_entries(d); i++) {
		uint64_t pde = ims_mem_read64(m, d->pasid_dir + 8ull * i, IMS_MEM_DRIVER);
		if (pde & VTD_PDE_P) {
			ims_mem_write64(m, d->pasid_dir + 8ull * i, 0, IMS_MEM_DRIVER);
			ims_palloc_free(vtdd_palloc(d->u), pde & VTD_PDE_SMPTBLPTR, 0);
		}
	}
	ims_palloc_free(vtdd_palloc(d->u), d->pasid_dir, d->dir_order);
	d->pasid_dir = 0;
}

uint64_t vtdd_pasid_slot(struct vtdd_dev *d, uint32_t pasid, bool alloc)
{
	struct ims_mem *m = vtdd_mem(d->u);
	uint64_t dpa, pde, tbl;

	if (!d->pasid_dir || (pasid >> 6) >= dir_entries(d))
		return 0;
	dpa = d->pasid_dir + 8ull * (pasid >> 6);
	pde = ims_mem_read64(m, dpa, IMS_MEM_DRIVER);
	if (!(pde & VTD_PDE_P)) {
		if (!alloc || ims_palloc_alloc(vtdd_palloc(d->u), 0, &tbl))
			return 0;
		ims_mem_write64(m, dpa, tbl | VTD_PDE_P, IMS_MEM_DRIVER);
		pde = tbl | VTD_PDE_P;
	}
	return (pde & VTD_PDE_SMPTBLPTR) + 64ull * (pasid & 0x3F);
}

/* ---- entries ------------------------------------------------------------------------- */

void vtdd_pasid_entry_make(const struct vtdd_domain *dom, struct vtdd_unit *u, uint64_t *pe)
{
	/* Page-walk snoop where the part can (Linux pasid_set_page_snoop):
	 * hardware A/D updates need a snooped walk (SPEC 3.10). */
	const uint64_t pwsnp = vtdd_has_ecap(u, VTD_ECAP_SMPWCS) ? VTD_PE_PWSNP : 0;
	const uint64_t did = dom->did[u->idx];
	const struct vtdd_domain *ss = vtdd_ss_domain(dom);

	memset(pe, 0, 8 * sizeof(*pe));
	pe[1] = did | pwsnp;
	if (dom->kind == VTDD_DOM_PAGING && dom->fs) {
		/* First stage only (PGTT=001): FSPTPTR and its paging mode. */
		pe[0] = VTD_PE_P | (uint64_t)VTD_PGTT_FS << 6;
		pe[2] = dom->root | (dom->fmt.top_level == 4 ? 1ull << 2 : 0);
		return;
	}
	/* Second stage (PGTT=010) or nested (PGTT=011): SSPTPTR, AW, SSADE
	 * of the second-stage domain. */
	pe[0] = VTD_PE_P | (uint64_t)ss->aw << 2 | ss->root | (ss->dirty_on ? VTD_PE_SSADE : 0);
	if (dom->kind == VTDD_DOM_PAGING) {
		pe[0] |= (uint64_t)VTD_PGTT_SS << 6;
		return;
	}
	pe[0] |= (uint64_t)VTD_PGTT_NESTED << 6;
	/* The guest's first stage (Linux intel_pasid_setup_nested): FSPTPTR
	 * is a GPA; WPE only matters with SRE. */
	pe[2] = (dom->s1.pgtbl_addr & VTD_PE_FSPTPTR) | (dom->s1.addr_width == 57 ? 1ull << 2 : 0);
	if (dom->s1.flags & IMS_VTD_S1_SRE) {
		pe[2] |= VTD_PE_SRE;
		if (dom->s1.flags & IMS_VTD_S1_WPE)
			pe[2] |= VTD_PE_WPE;
	}
	if (dom->s1.flags & IMS_VTD_S1_EAFE)
		pe[2] |= VTD_PE_EAFE;
}

void vtdd_sm_ctx_make(const struct vtdd_dev *d, uint64_t *ce)
{
	memset(ce, 0, 4 * sizeof(*ce));
	/* SPEC 9.4: DTE with ATS, PASIDE for PASID-capable devices, PRE with
	 * PRI (needs DTE), the directory and its size; RID_PASID in QW1. */
	ce[0] = VTD_SCE_P | (uint64_t)d->pdts << 9 | d->pasid_dir;
	if (d->ats)
		ce[0] |= VTD_SCE_DTE;
	if (d->pasid_bits)
		ce[0] |= VTD_SCE_PASIDE;
	if (d->pri)
		ce[0] |= VTD_SCE_PRE;
	ce[1] = VTDD_RID_PASID;
}

void vtdd_legacy_ctx_make(const struct vtdd_dev *d, const struct vtdd_domain *dom, uint64_t *ce)
{
	/* SPEC 9.3: TT=01 lets translation requests through when the device
	 * uses ATS. */
	unsigned tt = d->ats ? VTD_TT_SS_ATS : VTD_TT_SS;

	ce[0] = VTD_CE_P | (uint64_t)tt << 2 | dom->root;
	ce[1] = dom->aw | (uint64_t)dom->did[d->u->idx] << 8;
}
