/* SPDX-License-Identifier: MIT */
/*
 * The VT-d driver half through the iommufd-like API: bind, attach (automatic
 * and manual HWPTs), map, DMA through the hardware, unmap and the
 * invalidations it takes, PASID attach/replace/detach, legacy mode, first-
 * stage paging domains, caching mode, ATS, several units, GET_HW_INFO, the
 * configuration keys.  Every DMA result is also checked against the oracle,
 * and the invalidation traffic against the recipes of VT-d SPEC Table 28,
 * by counting the descriptors the hardware executed and reading the last
 * ones back from the queue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iommusim/iommusim.h"
#include "iommusim/vtd.h"
#include "models/vtd/vtd_hw.h"
#include "models/vtd/vtd_regs.h"
#include "models/vtd/vtd_tables.h"
#include "sim/palloc.h"
#include "sim/iommufd/iommufd_priv.h" /* internal_errors */
#include "tests/unit/tharness.h"

#define RW (IMS_IOAS_MAP_READABLE | IMS_IOAS_MAP_WRITEABLE)
#define RO IMS_IOAS_MAP_READABLE
#define PTR(p) ((uint64_t)(uintptr_t)(p))
#define DATA 0x80000000ull /* scenario memory, away from the driver pool */
#define POOL 0x10000000ull /* the driver pool: 256 MiB */
#define NOP IMS_NO_PASID
#define RD IMS_ACC_READ
#define WR IMS_ACC_WRITE

/* ---- helpers -------------------------------------------------------------------- */

/* A context on the VT-d model with `sets` ("key=value", NULL-terminated)
 * applied to the defaults. */
static struct ims_ctx *v_ctx_cfg(struct ims_vtd_cfg *cfg)
{
	/* The driver pool below 2^39: every part's host address width. */
	struct ims_ctx_cfg c = { .model = &ims_vtd_model, .model_cfg = cfg, .seed = 1,
				 .pool_base = POOL, .pool_size = 0x10000000 };
	struct ims_ctx *ctx = NULL;

	ck_assert_int_eq(ims_ctx_create(&c, &ctx), 0);
	return ctx;
}

static void v_cfg(struct ims_vtd_cfg *cfg, const char *const *sets)
{
	char err[160], key[64];

	ims_vtd_model.cfg_init(cfg);
	for (; sets && *sets; sets++) {
		const char *eq = strchr(*sets, '=');
		ck_assert_ptr_nonnull(eq);
		snprintf(key, sizeof(key), "%.*s", (int)(eq - *sets), *sets);
		ck_assert_msg(ims_vtd_model.cfg_set(cfg, key, eq + 1, err, sizeof(err)) == 0, "%s",
			      err);
	}
}

static struct ims_ctx *v_ctx(const char *const *sets)
{
	struct ims_vtd_cfg cfg;

	v_cfg(&cfg, sets);
	return v_ctx_cfg(&cfg);
}

static void v_free(struct ims_ctx *ctx)
{
	ck_assert_uint_eq(ctx->internal_errors, 0);
	ims_ctx_free(ctx);
}

static struct vtd_hw *v_hw(struct ims_ctx *ctx, unsigned unit)
{
	struct vtd_hw *hw = ims_vtd_hw(ims_ctx_model_inst(ctx), unit);

	ck_assert_ptr_nonnull(hw);
	return hw;
}

static const struct vtd_hw_stats *v_st(struct ims_ctx *ctx, unsigned unit)
{
	return vtd_hw_stats(v_hw(ctx, unit));
}

static uint64_t v_dsc(struct ims_ctx *ctx, unsigned unit, unsigned type)
{
	return v_st(ctx, unit)->dsc_by_type[type];
}

static uint32_t v_ioas(struct ims_ctx *ctx)
{
	struct ims_ioas_alloc a = { .size = sizeof(a) };

	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), 0);
	return a.out_ioas_id;
}

static uint32_t v_bind(struct ims_ctx *ctx, uint32_t unit, uint32_t sid, uint32_t pasid_bits,
		       bool ats, bool pri)
{
	struct ims_device_bind b = {
		.size = sizeof(b), .sid = sid, .pasid_bits = pasid_bits, .unit = unit,
		.ats = ats, .pri = pri,
	};

	ck_assert_int_eq(ims_device_bind(ctx, &b), 0);
	return b.out_dev_id;
}

static int v_attach(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t pasid,
		    uint32_t *out)
{
	struct ims_device_attach a = {
		.size = sizeof(a), .dev_id = dev, .pt_id = pt,
		.flags = pasid == NOP ? 0 : IMS_DEVICE_ATTACH_PASID, .pasid = pasid == NOP ? 0 : pasid,
	};
	int rc = ims_device_attach(ctx, &a);

	if (out)
		*out = a.pt_id;
	return rc;
}

static int v_replace(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t pasid)
{
	struct ims_device_attach a = {
		.size = sizeof(a), .dev_id = dev, .pt_id = pt,
		.flags = pasid == NOP ? 0 : IMS_DEVICE_ATTACH_PASID, .pasid = pasid == NOP ? 0 : pasid,
	};

	return ims_device_replace(ctx, &a);
}

static int v_detach(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid)
{
	struct ims_device_detach d = {
		.size = sizeof(d), .dev_id = dev,
		.flags = pasid == NOP ? 0 : IMS_DEVICE_ATTACH_PASID, .pasid = pasid == NOP ? 0 : pasid,
	};

	return ims_device_detach(ctx, &d);
}

static int v_map(struct ims_ctx *ctx, uint32_t ioas, uint64_t iova, uint64_t pa, uint64_t len,
		 uint32_t flags)
{
	struct ims_ioas_map m = {
		.size = sizeof(m), .flags = flags | IMS_IOAS_MAP_FIXED_IOVA, .ioas_id = ioas,
		.user_va = pa, .length = len, .iova = iova,
	};

	return ims_ioas_map(ctx, &m);
}

static int v_unmap(struct ims_ctx *ctx, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct ims_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas, .iova = iova, .length = len };

	return ims_ioas_unmap(ctx, &u);
}

static int v_hwpt(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t flags, uint32_t *out)
{
	struct ims_hwpt_alloc h = { .size = sizeof(h), .dev_id = dev, .pt_id = pt, .flags = flags };
	int rc = ims_hwpt_alloc(ctx, &h);

	if (out)
		*out = h.out_hwpt_id;
	return rc;
}

/* One DMA by a bound device, checked against the oracle. */
static struct ims_dma_result v_dma_t(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid,
				     uint64_t iova, unsigned access, enum ims_dma_type type)
{
	struct ims_dma_req r = {
		.pasid = pasid, .addr = iova, .len = 4, .access = access, .type = type,
	};
	struct ims_dma_result res, o;

	ck_assert_int_eq(ims_dma(ctx, dev, &r, &res), 0);
	if (type == IMS_DMA_UNTRANSLATED) {
		ck_assert_int_eq(ims_oracle(ctx, dev, pasid, iova, access, &o), 0);
		ck_assert_msg(o.status == res.status && o.xfault == res.xfault &&
				      (res.status != IMS_DMA_OK || o.pa == res.pa),
			      "iova 0x%llx pasid 0x%x: model status %d xfault %d pa 0x%llx (fault "
			      "0x%x), oracle status %d xfault %d pa 0x%llx",
			      (unsigned long long)iova, pasid, res.status, res.xfault,
			      (unsigned long long)res.pa, res.fault, o.status, o.xfault,
			      (unsigned long long)o.pa);
	}
	return res;
}

static struct ims_dma_result v_dma(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid,
				   uint64_t iova, unsigned access)
{
	return v_dma_t(ctx, dev, pasid, iova, access, IMS_DMA_UNTRANSLATED);
}

static uint64_t v_reg(struct ims_ctx *ctx, unsigned unit, uint64_t off)
{
	uint64_t v = 0;

	ck_assert_int_eq(ims_mmio_read(ctx, unit, off, 8, &v), 0);
	return v;
}

/* The descriptor k slots before the queue tail (k = 0: the last one). */
static void v_last_dsc(struct ims_ctx *ctx, unsigned unit, unsigned k, uint64_t *q)
{
	uint64_t iqa = v_reg(ctx, unit, VTD_REG_IQA), tail = v_reg(ctx, unit, VTD_REG_IQT);
	unsigned dsz = (iqa & VTD_IQA_DW) ? 32 : 16;
	uint64_t size = 4096ull << VTD_IQA_QS(iqa);
	uint64_t off = (tail + size - (uint64_t)(k + 1) * dsz) % size;

	memset(q, 0, 4 * sizeof(*q));
	ims_mem_read(ims_ctx_mem(ctx), (iqa & VTD_IQA_IQA) + off, q, dsz, IMS_MEM_DRIVER);
}

/* The scalable-mode PASID-table entry of (sid, pasid) as the hardware would
 * find it from RTADDR; false when some level is not present. */
static bool v_pasid_entry(struct ims_ctx *ctx, unsigned unit, uint16_t sid, uint32_t pasid,
			  uint64_t *pe)
{
	struct ims_mem *m = ims_ctx_mem(ctx);
	uint64_t rta = v_reg(ctx, unit, VTD_REG_RTADDR) & VTD_RTADDR_RTA;
	uint64_t re[2], ce0, pde;
	unsigned devfn = sid & 0xFF;

	ims_mem_read(m, rta + 16ull * (sid >> 8), re, 16, IMS_MEM_DRIVER);
	uint64_t ctp = devfn < 0x80 ? re[0] : re[1];
	if (!(ctp & 1))
		return false;
	ce0 = ims_mem_read64(m, (ctp & VTD_SRE_LCTP) + 32ull * (devfn & 0x7F), IMS_MEM_DRIVER);
	if (!(ce0 & VTD_SCE_P))
		return false;
	pde = ims_mem_read64(m, (ce0 & VTD_SCE_PASIDDIRPTR) + 8ull * (pasid >> 6), IMS_MEM_DRIVER);
	if (!(pde & VTD_PDE_P))
		return false;
	ims_mem_read(m, (pde & VTD_PDE_SMPTBLPTR) + 64ull * (pasid & 0x3F), pe, 64, IMS_MEM_DRIVER);
	return pe[0] & VTD_PE_P;
}

/* ---- paging domains, scalable mode ------------------------------------------------ */

START_TEST(auto_domain_translates_and_unmap_invalidates_the_iotlb)
{
	struct ims_ctx *ctx = v_ctx(NULL);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0100, 0, false, false), hwpt = 0;
	struct ims_dma_result r;
	uint64_t q[4], pe[8];

	/* Bound but not attached: blocked (no PASID table yet for
	 * RID_PASID). */
	r = v_dma(ctx, dev, NOP, 0x100000, RD);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_uint_eq(r.fault, VTD_FR_SPD_2);
	ck_assert_int_eq(r.xfault, IMS_XF_BLOCKED);

	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, &hwpt), 0);
	ck_assert_uint_ne(hwpt, ioas);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x2000, RW), 0);
	/* RID_PASID entry: second stage only, 5-level (SAGAW), snooped walk. */
	ck_assert(v_pasid_entry(ctx, 0, 0x0100, 0, pe));
	ck_assert_uint_eq(VTD_PE_PGTT(pe[0]), VTD_PGTT_SS);
	ck_assert_uint_eq(VTD_PE_AW(pe[0]), 3);
	ck_assert(pe[1] & VTD_PE_PWSNP);
	const uint16_t did = (uint16_t)VTD_PE_DID(pe[1]);
	ck_assert_uint_ne(did, 0);

	r = v_dma(ctx, dev, NOP, 0x101234, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x1234);
	ck_assert(!r.iotlb_hit);
	r = v_dma(ctx, dev, NOP, 0x101238, WR);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert(r.iotlb_hit);

	const uint64_t iotlb0 = v_dsc(ctx, 0, VTD_DSC_IOTLB), wait0 = v_dsc(ctx, 0, VTD_DSC_WAIT);
	ck_assert_int_eq(v_unmap(ctx, ioas, 0x100000, 0x2000), 0);
	/* One page-selective IOTLB invalidation of the two pages, then a wait
	 * with a status write (SPEC Table 28 "SS entry"). */
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_IOTLB), iotlb0 + 1);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_WAIT), wait0 + 1);
	v_last_dsc(ctx, 0, 0, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_WAIT);
	ck_assert(q[0] & VTD_DSC_WAIT_SW);
	ck_assert_uint_eq(ims_mem_read32(ims_ctx_mem(ctx), q[1], IMS_MEM_DRIVER),
			  VTD_DSC_WAIT_DATA(q[0]));
	v_last_dsc(ctx, 0, 1, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_IOTLB);
	ck_assert_uint_eq(VTD_DSC_G(q[0]), VTD_GRAN_SEL);
	ck_assert_uint_eq(VTD_DSC_DID(q[0]), did);
	ck_assert_u64_eq(q[1] & VTD_DSC_ADDR, 0x100000);
	ck_assert_uint_eq(VTD_DSC_AM(q[1]), 1);
	ck_assert(!(q[1] & VTD_DSC_IH));

	/* The cached translation is gone: the DMA walks and faults. */
	r = v_dma(ctx, dev, NOP, 0x101234, RD);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_uint_eq(r.fault, VTD_FR_SSS_2);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	ck_assert(r.reported);
	/* The driver's fault handler drained the record. */
	const struct ims_vtd_drv_stats *ds = ims_vtd_drv_stats(ims_ctx_model_inst(ctx), 0);
	ck_assert_uint_eq(ds->last_fault_reason, VTD_FR_SSS_2);
	ck_assert_uint_eq(ds->last_fault_sid, 0x0100);
	ck_assert_u64_eq(ds->last_fault_addr, 0x101000);
	ck_assert_uint_eq(ims_mmio_read(ctx, 0, VTD_REG_FSTS, 4, q), 0);
	ck_assert(!(q[0] & VTD_FSTS_PPF));
	v_free(ctx);
}
END_TEST

START_TEST(without_iotlb_sync_the_unit_keeps_the_stale_translation)
{
	struct ims_ctx *ctx = v_ctx(NULL);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0108, 0, false, false), hwpt = 0;
	uint64_t unmapped = 0;
	struct ims_dma_result r;

	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, &hwpt), 0);
	ck_assert_int_eq(v_map(ctx, ioas, 0x200000, DATA, 0x1000, RW), 0);
	r = v_dma(ctx, dev, NOP, 0x200010, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	/* Behind the core's back: the table entry goes, no flush yet. */
	void *dom = ims_hwpt_paging_find(ctx, hwpt)->common.dom;
	ck_assert_int_eq(ims_vtd_model.unmap(ims_ctx_model_inst(ctx), dom, 0x200000, 0x1000, &unmapped), 0);
	ck_assert_u64_eq(unmapped, 0x1000);
	struct ims_dma_req req = { .pasid = NOP, .addr = 0x200010, .len = 4, .access = RD };
	ck_assert_int_eq(ims_dma(ctx, dev, &req, &r), 0);
	ck_assert_int_eq(r.status, IMS_DMA_OK); /* stale, from the IOTLB */
	ck_assert(r.iotlb_hit);
	ims_vtd_model.iotlb_sync(ims_ctx_model_inst(ctx), dom, 0x200000, 0x1000);
	ck_assert_int_eq(ims_dma(ctx, dev, &req, &r), 0);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	/* Put the entry back so the core's books hold again. */
	ck_assert_int_eq(ims_vtd_model.map(ims_ctx_model_inst(ctx), dom, 0x200000, DATA, 0x1000,
					   IMS_PROT_READ | IMS_PROT_WRITE), 0);
	r = v_dma(ctx, dev, NOP, 0x200010, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	v_free(ctx);
}
END_TEST

START_TEST(large_mappings_use_large_pages_and_permissions_hold)
{
	struct ims_ctx *ctx = v_ctx(NULL);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0110, 0, false, false);
	struct ims_dma_result r;

	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, NULL), 0);
	ck_assert_int_eq(v_map(ctx, ioas, 0x40000000, 0x40000000, 0x40000000, RW), 0);
	ck_assert_int_eq(v_map(ctx, ioas, 0x200000, DATA, 0x200000, RO), 0);
	r = v_dma(ctx, dev, NOP, 0x7FFFF000, WR);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_uint_eq(r.size_shift, 30); /* SSLPS: 1 GiB leaf */
	r = v_dma(ctx, dev, NOP, 0x3FF000, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_uint_eq(r.size_shift, 21);
	r = v_dma(ctx, dev, NOP, 0x3FF000, WR);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_uint_eq(r.fault, VTD_FR_SGN_6);
	ck_assert_int_eq(r.xfault, IMS_XF_PERMISSION);
	/* The interrupt window is reserved: nothing maps there. */
	ck_assert_int_ne(v_map(ctx, ioas, 0xFEE00000ull, DATA, 0x1000, RW), 0);
	v_free(ctx);
}
END_TEST

START_TEST(msi_window_is_reserved_for_every_attached_device)
{
	struct ims_ctx *ctx = v_ctx(NULL);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0118, 0, false, false);
	struct ims_iova_range rg[8];
	struct ims_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = ioas, .num_iovas = 8, .allowed_iovas = PTR(rg),
	};

	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, NULL), 0);
	ck_assert_int_eq(ims_ioas_iova_ranges(ctx, &q), 0);
	ck_assert_uint_ge(q.num_iovas, 2);
	for (unsigned i = 0; i < q.num_iovas; i++)
		ck_assert(rg[i].last < 0xFEE00000ull || rg[i].start > 0xFEEFFFFFull);
	ck_assert_u64_eq(rg[0].start, 0);
	ck_assert_u64_eq(rg[0].last, 0xFEDFFFFFull);
	/* And the domain's aperture ends at 2^57 - 1 (MGAW 57, 5 levels). */
	ck_assert_u64_eq(rg[q.num_iovas - 1].last, (1ull << 57) - 1);
	ck_assert_int_eq(v_map(ctx, ioas, 0xFEE00000ull, DATA, 0x1000, RW), -EINVAL);
	v_free(ctx);
}
END_TEST

/* ---- PASIDs --------------------------------------------------------------------------- */

START_TEST(pasid_attach_replace_and_detach_follow_the_recipes)
{
	struct ims_ctx *ctx = v_ctx(NULL);
	uint32_t ioas_a = v_ioas(ctx), ioas_b = v_ioas(ctx);
	uint32_t dev = v_bind(ctx, 0, 0x0200, 20, false, false), ha = 0, hb = 0;
	struct ims_dma_result r;
	uint64_t pe[8], q[4];

	ck_assert_int_eq(v_hwpt(ctx, dev, ioas_a, IMS_HWPT_ALLOC_PASID, &ha), 0);
	ck_assert_int_eq(v_hwpt(ctx, dev, ioas_b, IMS_HWPT_ALLOC_PASID, &hb), 0);
	ck_assert_int_eq(v_map(ctx, ioas_a, 0x100000, DATA, 0x1000, RW), 0);
	ck_assert_int_eq(v_map(ctx, ioas_b, 0x100000, DATA + 0x10000, 0x1000, RW), 0);
	ck_assert_int_eq(v_attach(ctx, dev, ha, NOP, NULL), 0);
	ck_assert_int_eq(v_attach(ctx, dev, hb, 7, NULL), 0);

	r = v_dma(ctx, dev, NOP, 0x100040, RD);
	ck_assert_u64_eq(r.pa, DATA + 0x40);
	r = v_dma(ctx, dev, 7, 0x100040, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x10040);
	ck_assert(v_pasid_entry(ctx, 0, 0x0200, 7, pe));
	const uint16_t did_b = (uint16_t)VTD_PE_DID(pe[1]);
	ck_assert(v_pasid_entry(ctx, 0, 0x0200, 0, pe));
	const uint16_t did_a = (uint16_t)VTD_PE_DID(pe[1]);
	ck_assert_uint_ne(did_a, did_b);

	/* Replace: straight from B to A, then pc PASID-selective and iotlb
	 * DSI of the old DID (Table 28 "other PASID-entry fields"). */
	const uint64_t pc0 = v_dsc(ctx, 0, VTD_DSC_PC), io0 = v_dsc(ctx, 0, VTD_DSC_IOTLB);
	ck_assert_int_eq(v_replace(ctx, dev, ha, 7), 0);
	r = v_dma(ctx, dev, 7, 0x100040, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x40);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_PC), pc0 + 1);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_IOTLB), io0 + 1);
	v_last_dsc(ctx, 0, 2, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_PC);
	ck_assert_uint_eq(VTD_DSC_G(q[0]), VTD_PC_G_PASID);
	ck_assert_uint_eq(VTD_DSC_DID(q[0]), did_b);
	ck_assert_uint_eq(VTD_DSC_PASID(q[0]), 7);
	v_last_dsc(ctx, 0, 1, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_IOTLB);
	ck_assert_uint_eq(VTD_DSC_G(q[0]), VTD_GRAN_DOMAIN);
	ck_assert_uint_eq(VTD_DSC_DID(q[0]), did_b);
	/* B is attached nowhere now: its DID went back. */
	ck_assert(v_pasid_entry(ctx, 0, 0x0200, 7, pe));
	ck_assert_uint_eq(VTD_PE_DID(pe[1]), did_a);

	/* Detach: the entry is cleared and the PASID is blocked. */
	ck_assert_int_eq(v_detach(ctx, dev, 7), 0);
	ck_assert(!v_pasid_entry(ctx, 0, 0x0200, 7, pe));
	r = v_dma(ctx, dev, 7, 0x100040, RD);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_uint_eq(r.fault, VTD_FR_SPT_2);
	ck_assert_int_eq(r.xfault, IMS_XF_BLOCKED);
	/* A PASID whose directory entry was never made; one beyond the
	 * device's width is blocked too. */
	r = v_dma(ctx, dev, 0x10000, 0x100040, RD);
	ck_assert_uint_eq(r.fault, VTD_FR_SPD_2);
	ck_assert_int_eq(r.xfault, IMS_XF_BLOCKED);
	/* The RID is untouched. */
	r = v_dma(ctx, dev, NOP, 0x100040, WR);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	/* PASID 0 is RID_PASID: it cannot be attached on its own. */
	ck_assert_int_ne(v_attach(ctx, dev, hb, 0, NULL), 0);
	v_free(ctx);
}
END_TEST

START_TEST(rid_replace_is_atomic_and_detach_blocks)
{
	struct ims_ctx *ctx = v_ctx(NULL);
	uint32_t ioas_a = v_ioas(ctx), ioas_b = v_ioas(ctx);
	uint32_t dev = v_bind(ctx, 0, 0x0208, 0, false, false), ha = 0;
	struct ims_dma_result r;

	ck_assert_int_eq(v_map(ctx, ioas_a, 0x100000, DATA, 0x1000, RW), 0);
	ck_assert_int_eq(v_map(ctx, ioas_b, 0x100000, DATA + 0x20000, 0x1000, RW), 0);
	ck_assert_int_eq(v_attach(ctx, dev, ioas_a, NOP, &ha), 0);
	r = v_dma(ctx, dev, NOP, 0x100000, RD);
	ck_assert_u64_eq(r.pa, DATA);
	ck_assert_int_eq(v_replace(ctx, dev, ioas_b, NOP), 0);
	r = v_dma(ctx, dev, NOP, 0x100000, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x20000);
	ck_assert(!r.iotlb_hit); /* the old DID's entries were flushed */
	/* The automatic domain of A went with its last device. */
	ck_assert_ptr_null(ims_hwpt_paging_find(ctx, ha));
	ck_assert_int_eq(v_detach(ctx, dev, NOP), 0);
	r = v_dma(ctx, dev, NOP, 0x100000, RD);
	ck_assert_int_eq(r.xfault, IMS_XF_BLOCKED);
	v_free(ctx);
}
END_TEST

/* ---- GET_HW_INFO ----------------------------------------------------------------------- */

START_TEST(hw_info_reports_the_registers_and_capabilities)
{
	struct ims_ctx *ctx = v_ctx(NULL);
	uint32_t dev = v_bind(ctx, 0, 0x0300, 20, true, false);
	struct ims_hw_info_vtd data;
	struct ims_hw_info c = {
		.size = sizeof(c), .dev_id = dev, .data_len = sizeof(data), .data_uptr = PTR(&data),
	};

	memset(&data, 0xAA, sizeof(data));
	ck_assert_int_eq(ims_get_hw_info(ctx, &c), 0);
	ck_assert_uint_eq(c.out_data_type, IMS_HW_INFO_TYPE_INTEL_VTD);
	ck_assert_uint_eq(c.data_len, sizeof(data));
	ck_assert_u64_eq(data.cap_reg, v_reg(ctx, 0, VTD_REG_CAP));
	ck_assert_u64_eq(data.ecap_reg, v_reg(ctx, 0, VTD_REG_ECAP));
	ck_assert_uint_eq(data.flags, 0);
	ck_assert_uint_eq(c.out_max_pasid_log2, 20);
	ck_assert(c.out_capabilities & IMS_HW_CAP_DIRTY_TRACKING);
	ck_assert(!(c.out_capabilities & IMS_HW_CAP_PCI_ATS_NOT_SUPPORTED));

	/* Asking for another vendor's type. */
	c.flags = IMS_HW_INFO_FLAG_INPUT_TYPE;
	c.in_data_type = IMS_HW_INFO_TYPE_ARM_SMMUV3;
	c.data_len = sizeof(data);
	ck_assert_int_eq(ims_get_hw_info(ctx, &c), -EOPNOTSUPP);
	v_free(ctx);
}
END_TEST

START_TEST(errata_772415_is_reported_and_refuses_read_only_parent_maps)
{
	static const char *const sets[] = { "errata_772415=1", NULL };
	struct ims_ctx *ctx = v_ctx(sets);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0308, 0, false, false), hp = 0;
	struct ims_hw_info_vtd data;
	struct ims_hw_info c = {
		.size = sizeof(c), .dev_id = dev, .data_len = sizeof(data), .data_uptr = PTR(&data),
	};

	ck_assert_int_eq(ims_get_hw_info(ctx, &c), 0);
	ck_assert_uint_eq(data.flags, IMS_HW_INFO_VTD_ERRATA_772415_SPR17);
	ck_assert_int_eq(v_hwpt(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT, &hp), 0);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x1000, RO), -EINVAL);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x1000, RW), 0);
	v_free(ctx);
}
END_TEST

/* ---- other modes and parts --------------------------------------------------------------- */

START_TEST(legacy_mode_uses_context_entries_and_128_bit_descriptors)
{
	static const char *const sets[] = { "mode=legacy", NULL };
	struct ims_ctx *ctx = v_ctx(sets);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0310, 20, false, false);
	struct ims_mem *m = ims_ctx_mem(ctx);
	struct ims_dma_result r;
	uint64_t q[4];

	ck_assert_uint_eq(VTD_RTADDR_TTM(v_reg(ctx, 0, VTD_REG_RTADDR)), VTD_TTM_LEGACY);
	ck_assert(!(v_reg(ctx, 0, VTD_REG_IQA) & VTD_IQA_DW));
	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, NULL), 0);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x1000, RW), 0);
	ck_assert_int_eq(v_map(ctx, ioas, 0x200000, DATA + 0x1000, 0x1000, RO), 0);

	/* The context entry: present, TT=00, AW of the widest SAGAW. */
	uint64_t rta = v_reg(ctx, 0, VTD_REG_RTADDR) & VTD_RTADDR_RTA;
	uint64_t re = ims_mem_read64(m, rta + 16 * 0x03, IMS_MEM_DRIVER);
	ck_assert(re & VTD_RE_P);
	uint64_t ce0 = ims_mem_read64(m, (re & VTD_RE_CTP) + 16 * 0x10, IMS_MEM_DRIVER);
	uint64_t ce1 = ims_mem_read64(m, (re & VTD_RE_CTP) + 16 * 0x10 + 8, IMS_MEM_DRIVER);
	ck_assert(ce0 & VTD_CE_P);
	ck_assert_uint_eq(VTD_CE_TT(ce0), VTD_TT_SS);
	ck_assert_uint_eq(VTD_CE_AW(ce1), 3);
	ck_assert_uint_ne(VTD_CE_DID(ce1), 0);

	r = v_dma(ctx, dev, NOP, 0x100008, WR);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 8);
	/* Legacy reports a missing right and a missing page alike (LGN.2 /
	 * LGN.3); the driver tells them apart. */
	r = v_dma(ctx, dev, NOP, 0x200008, WR);
	ck_assert_uint_eq(r.fault, VTD_FR_LGN_2);
	ck_assert_int_eq(r.xfault, IMS_XF_PERMISSION);
	r = v_dma(ctx, dev, NOP, 0x300008, RD);
	ck_assert_uint_eq(r.fault, VTD_FR_LGN_3);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	/* No PASIDs without scalable mode. */
	r = v_dma(ctx, dev, 5, 0x100008, RD);
	ck_assert_uint_eq(r.fault, VTD_FR_RTA_2);

	const uint64_t io0 = v_dsc(ctx, 0, VTD_DSC_IOTLB), cc0 = v_dsc(ctx, 0, VTD_DSC_CC);
	ck_assert_int_eq(v_unmap(ctx, ioas, 0x100000, 0x1000), 0);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_IOTLB), io0 + 1);
	v_last_dsc(ctx, 0, 1, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_IOTLB);
	ck_assert_uint_eq(VTD_DSC_G(q[0]), VTD_GRAN_SEL);
	r = v_dma(ctx, dev, NOP, 0x100008, WR);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);

	/* Blocking clears the context entry: cc device-selective + iotlb DSI
	 * (Table 28 "legacy context entry"). */
	ck_assert_int_eq(v_detach(ctx, dev, NOP), 0);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_CC), cc0 + 1);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_IOTLB), io0 + 2);
	v_last_dsc(ctx, 0, 2, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_CC);
	ck_assert_uint_eq(VTD_DSC_G(q[0]), VTD_GRAN_SEL);
	ck_assert_uint_eq(VTD_DSC_CC_SID(q[0]), 0x0310);
	r = v_dma(ctx, dev, NOP, 0x200008, RD);
	ck_assert_uint_eq(r.fault, VTD_FR_LCT_2);
	ck_assert_int_eq(r.xfault, IMS_XF_BLOCKED);

	struct ims_hw_info c = { .size = sizeof(c), .dev_id = dev };
	ck_assert_int_eq(ims_get_hw_info(ctx, &c), 0);
	ck_assert_uint_eq(c.out_max_pasid_log2, 0);
	ck_assert(!(c.out_capabilities & IMS_HW_CAP_DIRTY_TRACKING));
	v_free(ctx);
}
END_TEST

START_TEST(sandy_bridge_part_runs_legacy_three_level)
{
	static const char *const sets[] = { "part=snb", NULL };
	struct ims_ctx *ctx = v_ctx(sets);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0010, 0, true, false);
	struct ims_hw_info_vtd data;
	struct ims_hw_info c = {
		.size = sizeof(c), .dev_id = dev, .data_len = sizeof(data), .data_uptr = PTR(&data),
	};
	struct ims_dma_result r;
	uint32_t hp = 0;

	ck_assert_int_eq(ims_get_hw_info(ctx, &c), 0);
	ck_assert_u64_eq(data.cap_reg, 0x00C9008020660262ull);
	ck_assert_u64_eq(data.ecap_reg, 0xF0101Aull);
	/* No nesting, no dirty tracking on this part. */
	ck_assert_int_eq(v_hwpt(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT, &hp), -EOPNOTSUPP);
	ck_assert_int_eq(v_hwpt(ctx, dev, ioas, IMS_HWPT_ALLOC_DIRTY_TRACKING, &hp), -EOPNOTSUPP);
	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, NULL), 0);
	/* 39-bit, 4 KiB pages only. */
	ck_assert_int_eq(v_map(ctx, ioas, 1ull << 39, DATA, 0x1000, RW), -EINVAL);
	ck_assert_int_eq(v_map(ctx, ioas, 0x200000, 0x40000000, 0x200000, RW), 0);
	r = v_dma(ctx, dev, NOP, 0x3FF000, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_uint_eq(r.size_shift, 12);
	/* Its context entry names the 3-level table (AW=1). */
	struct ims_mem *m = ims_ctx_mem(ctx);
	uint64_t re = ims_mem_read64(m, v_reg(ctx, 0, VTD_REG_RTADDR) & VTD_RTADDR_RTA,
				     IMS_MEM_DRIVER);
	ck_assert_uint_eq(VTD_CE_AW(ims_mem_read64(m, (re & VTD_RE_CTP) + 16 * 0x10 + 8,
						   IMS_MEM_DRIVER)), 1);
	v_free(ctx);
}
END_TEST

START_TEST(first_stage_paging_domains_flush_with_pasid_based_invalidation)
{
	static const char *const sets[] = { "paging=fs", NULL };
	struct ims_ctx *ctx = v_ctx(sets);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0400, 0, false, false);
	struct ims_dma_result r;
	uint64_t pe[8], q[4];

	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, NULL), 0);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x3000, RW), 0);
	ck_assert(v_pasid_entry(ctx, 0, 0x0400, 0, pe));
	ck_assert_uint_eq(VTD_PE_PGTT(pe[0]), VTD_PGTT_FS);
	ck_assert_uint_eq(VTD_PE_FSPM(pe[2]), 1); /* FS5LP: 5-level */
	r = v_dma(ctx, dev, NOP, 0x102000, WR);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x2000);

	const uint64_t p0 = v_dsc(ctx, 0, VTD_DSC_PIOTLB), io0 = v_dsc(ctx, 0, VTD_DSC_IOTLB);
	ck_assert_int_eq(v_unmap(ctx, ioas, 0x100000, 0x3000), 0);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_PIOTLB), p0 + 1);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_IOTLB), io0);
	v_last_dsc(ctx, 0, 1, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_PIOTLB);
	ck_assert_uint_eq(VTD_DSC_G(q[0]), VTD_PIOTLB_G_PAGE);
	ck_assert_uint_eq(VTD_DSC_PASID(q[0]), 0);
	ck_assert_u64_eq(q[1] & VTD_DSC_ADDR, 0x100000);
	ck_assert_uint_eq(VTD_DSC_AM(q[1]), 2);
	r = v_dma(ctx, dev, NOP, 0x102000, WR);
	ck_assert_uint_eq(r.fault, VTD_FR_SFS_2);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	/* The upper canonical half is outside the domain. */
	r = v_dma(ctx, dev, NOP, 0xFF00000000000000ull, RD);
	ck_assert_int_eq(r.xfault, IMS_XF_ADDRESS);
	v_free(ctx);
}
END_TEST

START_TEST(caching_mode_flushes_after_map)
{
	struct ims_vtd_cfg cfg;
	v_cfg(&cfg, NULL);
	cfg.hw.cap |= VTD_CAP_CM;
	struct ims_ctx *ctx = v_ctx_cfg(&cfg);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0500, 0, false, false);
	struct ims_dma_result r;

	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, NULL), 0);
	/* Caching mode caches the not-present result ... */
	r = v_dma(ctx, dev, NOP, 0x100000, RD);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	r = v_dma(ctx, dev, NOP, 0x100000, RD);
	ck_assert(r.iotlb_hit);
	/* ... so mapping must flush it (SPEC 6.5.3.5). */
	const uint64_t io0 = v_dsc(ctx, 0, VTD_DSC_IOTLB);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x1000, RW), 0);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_IOTLB), io0 + 1);
	r = v_dma(ctx, dev, NOP, 0x100000, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	v_free(ctx);
}
END_TEST

START_TEST(ats_devices_get_device_tlb_invalidations)
{
	struct ims_ctx *ctx = v_ctx(NULL);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0600, 0, true, false);
	struct vtd_devmsg msg;
	struct ims_dma_result r;

	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, NULL), 0);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x4000, RW), 0);
	r = v_dma_t(ctx, dev, NOP, 0x101000, RD, IMS_DMA_TRANSLATION);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x1000);
	while (vtd_hw_devmsg_pop(v_hw(ctx, 0), &msg))
		;
	const uint64_t dt0 = v_dsc(ctx, 0, VTD_DSC_DEVTLB);
	ck_assert_int_eq(v_unmap(ctx, ioas, 0x100000, 0x4000), 0);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_DEVTLB), dt0 + 1);
	ck_assert(vtd_hw_devmsg_pop(v_hw(ctx, 0), &msg));
	ck_assert_int_eq(msg.kind, VTD_DEVMSG_ATS_INV);
	ck_assert_uint_eq(msg.sid, 0x0600);
	ck_assert(!msg.pp);
	ck_assert_u64_eq(msg.addr, 0x100000);
	ck_assert_u64_eq(msg.size, 0x4000);
	/* A device that never answers: the driver recovers (ITE). */
	vtd_hw_set_device_ats(v_hw(ctx, 0), 0x0600, VTD_ATS_TIMEOUT);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x1000, RW), 0);
	ck_assert_int_eq(v_unmap(ctx, ioas, 0x100000, 0x1000), 0);
	ck_assert_uint_eq(ims_vtd_drv_stats(ims_ctx_model_inst(ctx), 0)->qi_timeouts, 1);
	ck_assert_u64_eq(v_reg(ctx, 0, VTD_REG_IQH), v_reg(ctx, 0, VTD_REG_IQT));
	vtd_hw_set_device_ats(v_hw(ctx, 0), 0x0600, VTD_ATS_RESPOND);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x1000, RW), 0);
	r = v_dma(ctx, dev, NOP, 0x100000, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	v_free(ctx);
}
END_TEST

START_TEST(one_domain_on_two_units_is_flushed_on_both)
{
	static const char *const sets[] = { "units=2", NULL };
	struct ims_ctx *ctx = v_ctx(sets);
	uint32_t ioas = v_ioas(ctx);
	uint32_t d0 = v_bind(ctx, 0, 0x0700, 0, false, false);
	uint32_t d1 = v_bind(ctx, 1, 0x0700, 0, false, false);
	uint32_t h0 = 0, h1 = 0;
	struct ims_dma_result r;

	ck_assert_int_eq(v_attach(ctx, d0, ioas, NOP, &h0), 0);
	ck_assert_int_eq(v_attach(ctx, d1, ioas, NOP, &h1), 0);
	ck_assert_uint_eq(h0, h1); /* the automatic domain is shared */
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x1000, RW), 0);
	ck_assert_int_eq(v_dma(ctx, d0, NOP, 0x100000, RD).status, IMS_DMA_OK);
	ck_assert_int_eq(v_dma(ctx, d1, NOP, 0x100000, RD).status, IMS_DMA_OK);
	const uint64_t a = v_dsc(ctx, 0, VTD_DSC_IOTLB), b = v_dsc(ctx, 1, VTD_DSC_IOTLB);
	ck_assert_int_eq(v_unmap(ctx, ioas, 0x100000, 0x1000), 0);
	ck_assert_u64_eq(v_dsc(ctx, 0, VTD_DSC_IOTLB), a + 1);
	ck_assert_u64_eq(v_dsc(ctx, 1, VTD_DSC_IOTLB), b + 1);
	r = v_dma(ctx, d1, NOP, 0x100000, RD);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	r = v_dma(ctx, d0, NOP, 0x100000, RD);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	v_free(ctx);
}
END_TEST

START_TEST(a_unit_stays_at_reset_until_a_device_is_bound)
{
	struct ims_ctx *ctx = v_ctx(NULL);
	struct ims_dma_req req = { .sid = 0x0800, .pasid = NOP, .addr = 0x1234, .len = 4,
				   .access = RD };
	struct ims_dma_result r;

	ck_assert_u64_eq(v_reg(ctx, 0, VTD_REG_RTADDR), 0);
	ck_assert(!ims_vtd_drv_stats(ims_ctx_model_inst(ctx), 0)->up);
	/* Translation off: DMA passes through untranslated. */
	ck_assert_int_eq(ims_dma_raw(ctx, &req, &r), 0);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, 0x1234);
	(void)v_bind(ctx, 0, 0x0810, 0, false, false);
	ck_assert(ims_vtd_drv_stats(ims_ctx_model_inst(ctx), 0)->up);
	uint64_t gsts = 0;
	ck_assert_int_eq(ims_mmio_read(ctx, 0, VTD_REG_GSTS, 4, &gsts), 0);
	ck_assert_u64_eq(gsts & (VTD_GSTS_TES | VTD_GSTS_QIES), VTD_GSTS_TES | VTD_GSTS_QIES);
	/* Now an unknown requester is blocked: no context entry. */
	ck_assert_int_eq(ims_dma_raw(ctx, &req, &r), 0);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_uint_eq(r.fault, VTD_FR_SCT_2);
	ck_assert_int_eq(r.xfault, IMS_XF_BLOCKED);
	/* Requests the bus cannot carry. */
	req.len = 8;
	req.addr = 0xFFC;
	ck_assert_int_eq(ims_vtd_model.dma(ims_ctx_model_inst(ctx), &req, &r), -EINVAL);
	req.unit = 3;
	req.addr = 0;
	ck_assert_int_eq(ims_vtd_model.dma(ims_ctx_model_inst(ctx), &req, &r), -EINVAL);
	v_free(ctx);
}
END_TEST

/* ---- parts without a queue, queue errors, write-buffer flushing ---------------------- */

START_TEST(a_legacy_part_without_queue_uses_register_invalidation)
{
	struct ims_vtd_cfg cfg;
	v_cfg(&cfg, NULL);
	/* An old part: VER 1.0, no QI (nor IR, DT, scalable mode, PRS
	 * that need it), a 4-level second stage. */
	cfg.hw.ver = 0x10;
	cfg.hw.rev = VTD_REV_3;
	cfg.hw.ecap = VTD_ECAP_IRO_V(0x50) | VTD_ECAP_C;
	struct ims_ctx *ctx = v_ctx_cfg(&cfg);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0A10, 0, true, false);
	struct ims_dma_result r;

	ck_assert_uint_eq(v_reg(ctx, 0, VTD_REG_IQA), 0);
	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, NULL), 0);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x2000, RW), 0);
	r = v_dma(ctx, dev, NOP, 0x101000, WR);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	const uint64_t reg0 = v_st(ctx, 0)->reg_invalidations;
	ck_assert_int_eq(v_unmap(ctx, ioas, 0x100000, 0x2000), 0);
	/* IVA/IOTLB_REG page-selective, reported as done (IAIG). */
	ck_assert_u64_eq(v_st(ctx, 0)->reg_invalidations, reg0 + 1);
	ck_assert_u64_eq(ims_vtd_drv_stats(ims_ctx_model_inst(ctx), 0)->reg_invals, reg0 + 1);
	uint64_t iotlb_reg = v_reg(ctx, 0, 16ull * 0x50 + 8);
	ck_assert_uint_eq((iotlb_reg & VTD_IOTLB_IAIG_MASK) >> VTD_IOTLB_IAIG_SHIFT, VTD_GRAN_SEL);
	r = v_dma(ctx, dev, NOP, 0x101000, WR);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	/* Detach: CCMD device-selective and a domain-selective IOTLB flush. */
	ck_assert_int_eq(v_detach(ctx, dev, NOP), 0);
	ck_assert_u64_eq(v_st(ctx, 0)->reg_invalidations, reg0 + 3);
	ck_assert_uint_eq((v_reg(ctx, 0, VTD_REG_CCMD) & VTD_CCMD_CAIG_MASK) >> VTD_CCMD_CAIG_SHIFT,
			  VTD_GRAN_SEL);
	/* No ATS without a queue to invalidate device TLBs with. */
	struct ims_hw_info c = { .size = sizeof(c), .dev_id = dev };
	ck_assert_int_eq(ims_get_hw_info(ctx, &c), 0);
	ck_assert(c.out_capabilities & IMS_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	v_free(ctx);

	/* VER 6 parts reject register invalidation: nothing to run on. */
	cfg.hw.ver = 0x60;
	cfg.hw.rev = VTD_REV_5;
	struct ims_ctx_cfg cc = { .model = &ims_vtd_model, .model_cfg = &cfg,
				  .pool_base = POOL, .pool_size = 0x10000000 };
	ctx = NULL;
	ck_assert_int_eq(ims_ctx_create(&cc, &ctx), -EOPNOTSUPP);
}
END_TEST

START_TEST(rwbf_parts_get_their_write_buffer_flushed)
{
	static const char *const sets[] = { "part=snb", NULL };
	struct ims_vtd_cfg cfg;
	v_cfg(&cfg, sets);
	cfg.hw.cap |= VTD_CAP_RWBF;
	struct ims_ctx *ctx = v_ctx_cfg(&cfg);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0A18, 0, false, false);

	const uint64_t w0 = v_st(ctx, 0)->wbf;
	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, NULL), 0);
	ck_assert_u64_eq(v_st(ctx, 0)->wbf, w0 + 1); /* context entry 0 -> 1 */
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x1000, RW), 0);
	ck_assert_u64_eq(v_st(ctx, 0)->wbf, w0 + 2); /* leaf 0 -> 1 */
	ck_assert_int_eq(v_dma(ctx, dev, NOP, 0x100000, RD).status, IMS_DMA_OK);
	v_free(ctx);
}
END_TEST

START_TEST(queue_errors_are_recovered_and_counted)
{
	struct ims_ctx *ctx = v_ctx(NULL);
	uint32_t ioas = v_ioas(ctx), dev = v_bind(ctx, 0, 0x0A20, 0, true, false);
	const struct ims_vtd_drv_stats *ds = ims_vtd_drv_stats(ims_ctx_model_inst(ctx), 0);
	struct ims_dma_result r;

	ck_assert_int_eq(v_attach(ctx, dev, ioas, NOP, NULL), 0);
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x1000, RW), 0);
	/* A device that answers ATS invalidations with a bad ITag (ICE). */
	vtd_hw_set_device_ats(v_hw(ctx, 0), 0x0A20, VTD_ATS_BAD_COMPLETION);
	ck_assert_int_eq(v_unmap(ctx, ioas, 0x100000, 0x1000), 0);
	ck_assert_uint_eq(ds->qi_ice, 1);
	vtd_hw_set_device_ats(v_hw(ctx, 0), 0x0A20, VTD_ATS_RESPOND);

	/* The queue's memory stops answering: every fetch fails (IQE, fetch
	 * error).  The driver recovers, counts it, and resets the queue. */
	const uint64_t iq = v_reg(ctx, 0, VTD_REG_IQA) & VTD_IQA_IQA;
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA, 0x1000, RW), 0);
	r = v_dma(ctx, dev, NOP, 0x100000, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_int_eq(ims_mem_add_abort(ims_ctx_mem(ctx), iq, iq + 0x1FFF), 0);
	ck_assert_int_eq(v_unmap(ctx, ioas, 0x100000, 0x1000), 0);
	ck_assert_uint_ge(ds->qi_errors, 1);
	ck_assert_uint_ge(ds->qi_wait_lost, 1);
	ims_mem_clear_aborts(ims_ctx_mem(ctx));
	/* The flush was lost, so the unit still translates: a stale entry the
	 * oracle disagrees with, exactly what such a bug looks like. */
	struct ims_dma_req req = { .pasid = NOP, .addr = 0x100000, .len = 4, .access = RD };
	ck_assert_int_eq(ims_dma(ctx, dev, &req, &r), 0);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert(r.iotlb_hit);
	/* With memory back, the queue works again from a clean state. */
	ck_assert_int_eq(v_map(ctx, ioas, 0x100000, DATA + 0x5000, 0x1000, RW), 0);
	ck_assert_int_eq(v_unmap(ctx, ioas, 0x100000, 0x1000), 0);
	ck_assert_u64_eq(v_reg(ctx, 0, VTD_REG_IQH), v_reg(ctx, 0, VTD_REG_IQT));
	r = v_dma(ctx, dev, NOP, 0x100000, RD);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	v_free(ctx);
}
END_TEST

/* ---- configuration -------------------------------------------------------------------- */

START_TEST(configuration_keys_are_checked)
{
	struct ims_vtd_cfg cfg;
	char err[160];
	const struct ims_model_ops *o = &ims_vtd_model;

	o->cfg_init(&cfg);
	ck_assert_uint_eq(cfg.units, 1);
	ck_assert_int_eq(o->cfg_set(&cfg, "units", "4", err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.units, 4);
	ck_assert_int_eq(o->cfg_set(&cfg, "units", "0", err, sizeof(err)), -ERANGE);
	ck_assert_ptr_nonnull(strstr(err, "units"));
	ck_assert_int_eq(o->cfg_set(&cfg, "units", "17", err, sizeof(err)), -ERANGE);
	ck_assert_int_eq(o->cfg_set(&cfg, "units", "x", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(o->cfg_set(&cfg, "mode", "legacy", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.mode, IMS_VTD_MODE_LEGACY);
	ck_assert_int_eq(o->cfg_set(&cfg, "mode", "extended", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(o->cfg_set(&cfg, "paging", "fs", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.paging, IMS_VTD_PAGING_FS);
	ck_assert_int_eq(o->cfg_set(&cfg, "paging", "both", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(o->cfg_set(&cfg, "iq_qs", "8", err, sizeof(err)), -ERANGE);
	ck_assert_int_eq(o->cfg_set(&cfg, "prq_pqs", "2", err, sizeof(err)), 0);
	ck_assert_int_eq(o->cfg_set(&cfg, "errata_772415", "2", err, sizeof(err)), -ERANGE);
	/* Hardware keys go to the unit's configuration. */
	ck_assert_int_eq(o->cfg_set(&cfg, "iotlb_entries", "128", err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.hw.cache[VTD_CACHE_IOTLB].ways, 128);
	ck_assert_int_eq(o->cfg_set(&cfg, "cap", "0x00C9008020660262", err, sizeof(err)), 0);
	ck_assert_u64_eq(cfg.hw.cap, 0x00C9008020660262ull);
	ck_assert_int_eq(o->cfg_set(&cfg, "no_such_key", "1", err, sizeof(err)), -ENOENT);
	ck_assert_int_eq(o->cfg_set(&cfg, NULL, "1", err, sizeof(err)), -EINVAL);

	/* A scalable driver on a part without SMTS cannot be built. */
	v_cfg(&cfg, NULL);
	ck_assert_int_eq(o->cfg_set(&cfg, "part", "snb", err, sizeof(err)), 0);
	ck_assert_int_eq(o->cfg_set(&cfg, "mode", "scalable", err, sizeof(err)), 0);
	struct ims_ctx_cfg c = { .model = o, .model_cfg = &cfg };
	struct ims_ctx *ctx = NULL;
	ck_assert_int_eq(ims_ctx_create(&c, &ctx), -EOPNOTSUPP);
	ck_assert_ptr_null(ctx);
	/* The default pool (256 GiB) is within a 39-bit part's reach; one at
	 * 1 TiB is not. */
	ck_assert_int_eq(o->cfg_set(&cfg, "mode", "auto", err, sizeof(err)), 0);
	ck_assert_int_eq(ims_ctx_create(&c, &ctx), 0);
	v_free(ctx);
	ctx = NULL;
	c.pool_base = 1ull << 40;
	c.pool_size = 1ull << 30;
	ck_assert_int_eq(ims_ctx_create(&c, &ctx), -EINVAL);
	c.pool_base = c.pool_size = 0;
	/* A part that fails the hardware's own checks. */
	v_cfg(&cfg, NULL);
	cfg.hw.ecap &= ~VTD_ECAP_QI;
	ck_assert_int_eq(ims_ctx_create(&c, &ctx), -EINVAL);
}
END_TEST

/* ---- the ops directly: everything is given back ----------------------------------------- */

START_TEST(every_page_the_driver_took_is_given_back)
{
	struct ims_mem *mem = ims_mem_new();
	struct ims_palloc pa;
	struct ims_model_env env = { .mem = mem, .palloc = &pa, .seed = 1 };
	const struct ims_model_ops *o = &ims_vtd_model;
	struct ims_dev_desc desc = { .sid = 0x0900, .pasid_bits = 20, .ats = true, .pri = true };
	struct ims_dev_caps caps;
	struct ims_domain_info info;
	void *inst = NULL, *dev = NULL, *dom = NULL, *dom2 = NULL;
	struct ims_dma_req req = { .sid = 0x0900, .pasid = 9, .addr = 0x5000, .len = 4,
				   .access = WR };
	struct ims_dma_result r;
	uint64_t un = 0;

	ck_assert_ptr_nonnull(mem);
	ck_assert_int_eq(ims_palloc_init(&pa, mem, 0x10000000000ull, 0x10000000), 0);
	ck_assert_int_eq(o->create(&env, NULL, &inst), 0);
	ck_assert_int_eq(o->dev_probe(inst, NULL, &desc, &caps, &dev), 0);
	ck_assert(caps.ats && caps.pri);
	ck_assert_uint_eq(caps.max_pasid_log2, 20);
	ck_assert_uint_eq(caps.nresv, 1);
	ck_assert_int_eq(caps.resv[0].type, IMS_RESV_MSI);
	ck_assert_u64_eq(caps.resv[0].start, 0xFEE00000ull);
	ck_assert_u64_eq(caps.resv[0].last, 0xFEEFFFFFull);
	ck_assert_int_eq(o->dev_probe(inst, NULL, &desc, &caps, &dom2), -EEXIST);
	desc.unit = 1;
	ck_assert_int_eq(o->dev_probe(inst, NULL, &desc, &caps, &dom2), -EINVAL);
	ck_assert_int_eq(o->domain_alloc_paging(inst, dev, IMS_HWPT_ALLOC_PASID, &info, &dom), 0);
	ck_assert_u64_eq(info.pgsize_bitmap, (1ull << 12) | (1ull << 21) | (1ull << 30));
	ck_assert_int_eq(o->domain_alloc_paging(inst, dev, 1u << 7, &info, &dom2), -EOPNOTSUPP);
	ck_assert_int_eq(o->map(inst, dom, 0x4000, DATA, 0x4000, IMS_PROT_READ | IMS_PROT_WRITE),
			 0);
	ck_assert_int_eq(o->attach(inst, dev, 9, dom, NULL), 0);
	ck_assert_int_eq(o->attach(inst, dev, IMS_NO_PASID, dom, NULL), 0);
	ck_assert_int_eq(o->dma(inst, &req, &r), 0);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x1000);
	/* Bad PASIDs: beyond the device, RID_PASID. */
	ck_assert_int_eq(o->attach(inst, dev, 1u << 20, dom, NULL), -EINVAL);
	ck_assert_int_eq(o->attach(inst, dev, 0, dom, NULL), -EINVAL);
	ck_assert_int_eq(o->unmap(inst, dom, 0x4000, 0x4000, &un), 0);
	ck_assert_u64_eq(un, 0x4000);
	o->iotlb_sync(inst, dom, 0x4000, 0x4000);
	ck_assert_int_eq(o->attach(inst, dev, 9, NULL, dom), 0);
	ck_assert_int_eq(o->attach(inst, dev, IMS_NO_PASID, NULL, dom), 0);
	o->domain_free(inst, dom);
	o->dev_release(inst, dev);
	o->destroy(inst);
	ck_assert_u64_eq(pa.in_use_bytes, 0);
	ims_palloc_fini(&pa);
	ims_mem_free(mem);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_drv_api");
	TCase *tc = tcase_create("paging");

	tcase_add_test(tc, auto_domain_translates_and_unmap_invalidates_the_iotlb);
	tcase_add_test(tc, without_iotlb_sync_the_unit_keeps_the_stale_translation);
	tcase_add_test(tc, large_mappings_use_large_pages_and_permissions_hold);
	tcase_add_test(tc, msi_window_is_reserved_for_every_attached_device);
	tcase_add_test(tc, pasid_attach_replace_and_detach_follow_the_recipes);
	tcase_add_test(tc, rid_replace_is_atomic_and_detach_blocks);
	tcase_add_test(tc, hw_info_reports_the_registers_and_capabilities);
	tcase_add_test(tc, errata_772415_is_reported_and_refuses_read_only_parent_maps);
	tcase_add_test(tc, legacy_mode_uses_context_entries_and_128_bit_descriptors);
	tcase_add_test(tc, sandy_bridge_part_runs_legacy_three_level);
	tcase_add_test(tc, first_stage_paging_domains_flush_with_pasid_based_invalidation);
	tcase_add_test(tc, caching_mode_flushes_after_map);
	tcase_add_test(tc, ats_devices_get_device_tlb_invalidations);
	tcase_add_test(tc, one_domain_on_two_units_is_flushed_on_both);
	tcase_add_test(tc, a_unit_stays_at_reset_until_a_device_is_bound);
	tcase_add_test(tc, a_legacy_part_without_queue_uses_register_invalidation);
	tcase_add_test(tc, rwbf_parts_get_their_write_buffer_flushed);
	tcase_add_test(tc, queue_errors_are_recovered_and_counted);
	tcase_add_test(tc, configuration_keys_are_checked);
	tcase_add_test(tc, every_page_the_driver_took_is_given_back);
	suite_add_tcase(s, tc);
	return s;
}
