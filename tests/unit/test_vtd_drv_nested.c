/* SPDX-License-Identifier: MIT */
/*
 * The VT-d driver half for VMMs through the iommufd-like API: nested HWPTs
 * from vtd_s1 data over a guest first-stage table written by hand in guest
 * memory, guest invalidations (the trapped path) with partial completion,
 * second-stage changes seen through nested domains, page requests through
 * the FAULT queue and back as page group responses, and dirty tracking.
 * DMA results are checked against the oracle wherever the guest has not
 * deliberately left a stale translation behind.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "iommusim/iommusim.h"
#include "iommusim/vtd.h"
#include "models/vtd/vtd_hw.h"
#include "models/vtd/vtd_regs.h"
#include "models/vtd/vtd_tables.h"
#include "sim/iommufd/iommufd_priv.h" /* internal_errors */
#include "tests/unit/tharness.h"

#define RW (IMS_IOAS_MAP_READABLE | IMS_IOAS_MAP_WRITEABLE)
#define PTR(p) ((uint64_t)(uintptr_t)(p))
#define POOL 0x10000000ull
#define DATA 0x80000000ull
#define NOP IMS_NO_PASID
#define RD IMS_ACC_READ
#define WR IMS_ACC_WRITE

/* The guest: GPA [GBASE, GBASE + 16 MiB) lives at HPA HBASE (stage 2). */
#define GBASE 0x1000000ull
#define HBASE 0x90000000ull
#define GPML4 (GBASE + 0x0000)
#define GPDPT (GBASE + 0x1000)
#define GPD (GBASE + 0x2000)
#define GPT (GBASE + 0x3000)
#define GDATA (GBASE + 0x200000) /* guest data pages */
#define GIOVA 0x12345000ull      /* a guest IOVA: PML4 0, PDPT 0, PD 0x91, PT 0x145 */
#define X86_P 0x1ull
#define X86_RW 0x2ull
#define X86_US 0x4ull

/* ---- helpers -------------------------------------------------------------------- */

static struct ims_ctx *n_ctx(struct ims_vtd_cfg *cfg)
{
	struct ims_ctx_cfg c = { .model = &ims_vtd_model, .model_cfg = cfg, .seed = 1,
				 .pool_base = POOL, .pool_size = 0x10000000 };
	struct ims_ctx *ctx = NULL;

	ck_assert_int_eq(ims_ctx_create(&c, &ctx), 0);
	return ctx;
}

static void n_free(struct ims_ctx *ctx)
{
	ck_assert_uint_eq(ctx->internal_errors, 0);
	ims_ctx_free(ctx);
}

static struct vtd_hw *n_hw(struct ims_ctx *ctx)
{
	return ims_vtd_hw(ims_ctx_model_inst(ctx), 0);
}

static uint64_t n_dsc(struct ims_ctx *ctx, unsigned type)
{
	return vtd_hw_stats(n_hw(ctx))->dsc_by_type[type];
}

static uint64_t n_reg(struct ims_ctx *ctx, uint64_t off, unsigned width)
{
	uint64_t v = 0;

	ck_assert_int_eq(ims_mmio_read(ctx, 0, off, width, &v), 0);
	return v;
}

static void n_last_dsc(struct ims_ctx *ctx, unsigned k, uint64_t *q)
{
	uint64_t iqa = n_reg(ctx, VTD_REG_IQA, 8), tail = n_reg(ctx, VTD_REG_IQT, 8);
	uint64_t size = 4096ull << VTD_IQA_QS(iqa);

	ims_mem_read(ims_ctx_mem(ctx), (iqa & VTD_IQA_IQA) + (tail + size - 32ull * (k + 1)) % size,
		     q, 32, IMS_MEM_DRIVER);
}

static uint32_t n_ioas(struct ims_ctx *ctx)
{
	struct ims_ioas_alloc a = { .size = sizeof(a) };

	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), 0);
	return a.out_ioas_id;
}

static uint32_t n_bind(struct ims_ctx *ctx, uint32_t sid, uint32_t pasid_bits, bool ats,
		       bool pri)
{
	struct ims_device_bind b = {
		.size = sizeof(b), .sid = sid, .pasid_bits = pasid_bits, .ats = ats, .pri = pri,
	};

	ck_assert_int_eq(ims_device_bind(ctx, &b), 0);
	return b.out_dev_id;
}

static int n_map(struct ims_ctx *ctx, uint32_t ioas, uint64_t iova, uint64_t pa, uint64_t len)
{
	struct ims_ioas_map m = {
		.size = sizeof(m), .flags = RW | IMS_IOAS_MAP_FIXED_IOVA, .ioas_id = ioas,
		.user_va = pa, .length = len, .iova = iova,
	};

	return ims_ioas_map(ctx, &m);
}

static int n_unmap(struct ims_ctx *ctx, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct ims_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas, .iova = iova, .length = len };

	return ims_ioas_unmap(ctx, &u);
}

static int n_hwpt(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t flags,
		  const void *data, uint32_t type, uint32_t len, uint32_t fault, uint32_t *out)
{
	struct ims_hwpt_alloc h = {
		.size = sizeof(h), .dev_id = dev, .pt_id = pt, .flags = flags, .data_type = type,
		.data_len = len, .data_uptr = PTR(data), .fault_id = fault,
	};
	int rc = ims_hwpt_alloc(ctx, &h);

	if (out)
		*out = h.out_hwpt_id;
	return rc;
}

static int n_attach(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t pasid)
{
	struct ims_device_attach a = {
		.size = sizeof(a), .dev_id = dev, .pt_id = pt,
		.flags = pasid == NOP ? 0 : IMS_DEVICE_ATTACH_PASID, .pasid = pasid == NOP ? 0 : pasid,
	};

	return ims_device_attach(ctx, &a);
}

static int n_detach(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid)
{
	struct ims_device_detach d = {
		.size = sizeof(d), .dev_id = dev,
		.flags = pasid == NOP ? 0 : IMS_DEVICE_ATTACH_PASID, .pasid = pasid == NOP ? 0 : pasid,
	};

	return ims_device_detach(ctx, &d);
}

static struct ims_dma_result n_raw(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid,
				   uint64_t iova, unsigned access)
{
	struct ims_dma_req r = { .pasid = pasid, .addr = iova, .len = 4, .access = access };
	struct ims_dma_result res;

	ck_assert_int_eq(ims_dma(ctx, dev, &r, &res), 0);
	return res;
}

/* A DMA the oracle must agree with. */
static struct ims_dma_result n_dma(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid,
				   uint64_t iova, unsigned access)
{
	struct ims_dma_result res = n_raw(ctx, dev, pasid, iova, access), o;

	ck_assert_int_eq(ims_oracle(ctx, dev, pasid, iova, access, &o), 0);
	ck_assert_msg(o.status == res.status && o.xfault == res.xfault &&
			      (res.status != IMS_DMA_OK || o.pa == res.pa),
		      "iova 0x%llx: model %d/%d pa 0x%llx fault 0x%x, oracle %d/%d pa 0x%llx",
		      (unsigned long long)iova, res.status, res.xfault, (unsigned long long)res.pa,
		      res.fault, o.status, o.xfault, (unsigned long long)o.pa);
	return res;
}

/* The guest writes its own memory. */
static void gw(struct ims_ctx *ctx, uint64_t gpa, uint64_t v)
{
	ims_mem_write64(ims_ctx_mem(ctx), gpa - GBASE + HBASE, v, IMS_MEM_DRIVER);
}

/* A 4-level guest table mapping GIOVA to gpa_data, built by hand. */
static void guest_table(struct ims_ctx *ctx, uint64_t gpa_data, uint64_t leaf_flags)
{
	gw(ctx, GPML4 + 8 * 0, GPDPT | X86_P | X86_RW | X86_US);
	gw(ctx, GPDPT + 8 * 0, GPD | X86_P | X86_RW | X86_US);
	gw(ctx, GPD + 8 * 0x91, GPT | X86_P | X86_RW | X86_US);
	gw(ctx, GPT + 8 * 0x145, gpa_data | leaf_flags);
}

struct guest {
	struct ims_ctx *ctx;
	uint32_t ioas, dev, parent, nested;
};

/* A VM: stage 2 maps guest RAM, the guest built its table, the device is
 * attached to a nested HWPT on its RID. */
static void guest_up(struct guest *g, uint32_t sid, bool ats, uint32_t nested_flags)
{
	struct ims_hwpt_vtd_s1 s1 = { .pgtbl_addr = GPML4, .addr_width = 48 };

	g->ctx = n_ctx(NULL);
	g->ioas = n_ioas(g->ctx);
	g->dev = n_bind(g->ctx, sid, 20, ats, false);
	/* Tables in the first MiB, data from 2 MiB: two areas. */
	ck_assert_int_eq(n_map(g->ctx, g->ioas, GBASE, HBASE, 0x100000), 0);
	ck_assert_int_eq(n_map(g->ctx, g->ioas, GDATA, HBASE + (GDATA - GBASE), 0x200000), 0);
	ck_assert_int_eq(n_hwpt(g->ctx, g->dev, g->ioas, IMS_HWPT_ALLOC_NEST_PARENT, NULL, 0, 0, 0,
				&g->parent), 0);
	ck_assert_int_eq(n_hwpt(g->ctx, g->dev, g->parent, nested_flags, &s1,
				IMS_HWPT_DATA_VTD_S1, sizeof(s1), 0, &g->nested), 0);
	guest_table(g->ctx, GDATA, X86_P | X86_RW | X86_US);
	ck_assert_int_eq(n_attach(g->ctx, g->dev, g->nested, NOP), 0);
}

static bool n_pasid_entry(struct ims_ctx *ctx, uint16_t sid, uint32_t pasid, uint64_t *pe)
{
	struct ims_mem *m = ims_ctx_mem(ctx);
	uint64_t rta = n_reg(ctx, VTD_REG_RTADDR, 8) & VTD_RTADDR_RTA;
	uint64_t re = ims_mem_read64(m, rta + 16ull * (sid >> 8), IMS_MEM_DRIVER);
	uint64_t ce0 = ims_mem_read64(m, (re & VTD_SRE_LCTP) + 32ull * (sid & 0x7F), IMS_MEM_DRIVER);
	uint64_t pde = ims_mem_read64(m, (ce0 & VTD_SCE_PASIDDIRPTR) + 8ull * (pasid >> 6),
				      IMS_MEM_DRIVER);

	if (!(pde & VTD_PDE_P))
		return false;
	ims_mem_read(m, (pde & VTD_PDE_SMPTBLPTR) + 64ull * (pasid & 0x3F), pe, 64, IMS_MEM_DRIVER);
	return pe[0] & VTD_PE_P;
}

static int n_inval(struct ims_ctx *ctx, uint32_t hwpt, const void *e, uint32_t len, uint32_t n,
		   uint32_t *done)
{
	struct ims_hwpt_invalidate c = {
		.size = sizeof(c), .hwpt_id = hwpt, .data_uptr = PTR(e),
		.data_type = IMS_HWPT_INVALIDATE_DATA_VTD_S1, .entry_len = len, .entry_num = n,
	};
	int rc = ims_hwpt_invalidate(ctx, &c);

	*done = c.entry_num;
	return rc;
}

/* ---- nested translation ----------------------------------------------------------- */

START_TEST(nested_dma_walks_the_guest_table_through_stage_2)
{
	struct guest g;
	struct ims_dma_result r;
	uint64_t pe[8];

	guest_up(&g, 0x0100, false, 0);
	ck_assert(n_pasid_entry(g.ctx, 0x0100, 0, pe));
	ck_assert_uint_eq(VTD_PE_PGTT(pe[0]), VTD_PGTT_NESTED);
	ck_assert_u64_eq(pe[2] & VTD_PE_FSPTPTR, GPML4);
	ck_assert_uint_eq(VTD_PE_FSPM(pe[2]), 0);
	ck_assert_uint_ne(pe[0] & VTD_PE_SSPTPTR, 0);

	r = n_dma(g.ctx, g.dev, NOP, GIOVA + 0x678, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, HBASE + (GDATA - GBASE) + 0x678);
	/* A guest IOVA the guest did not map; a guest read-only page. */
	r = n_dma(g.ctx, g.dev, NOP, GIOVA + 0x1000, RD);
	ck_assert_uint_eq(r.fault, VTD_FR_SFS_2);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	gw(g.ctx, GPT + 8 * 0x146, (GDATA + 0x1000) | X86_P | X86_US);
	r = n_dma(g.ctx, g.dev, NOP, GIOVA + 0x1000, WR);
	ck_assert_uint_eq(r.fault, VTD_FR_SGN_6);
	ck_assert_int_eq(r.xfault, IMS_XF_PERMISSION);
	/* A guest page whose GPA stage 2 does not map. */
	gw(g.ctx, GPT + 8 * 0x147, (GBASE + 0x800000) | X86_P | X86_RW | X86_US);
	r = n_dma(g.ctx, g.dev, NOP, GIOVA + 0x2000, RD);
	ck_assert_uint_eq(r.fault, VTD_FR_SSS_2);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	/* A guest table stage 2 does not map (SSS.2 during the walk for an
	 * FS entry, SPEC 3.8) ... */
	gw(g.ctx, GPD + 8 * 0x92, (GBASE + 0x900000) | X86_P | X86_RW | X86_US);
	r = n_dma(g.ctx, g.dev, NOP, GIOVA + 0x200000, RD);
	ck_assert_uint_eq(r.fault, VTD_FR_SSS_2);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	/* ... or maps without read permission (SFS.7). */
	struct ims_ioas_map wo = {
		.size = sizeof(wo), .flags = IMS_IOAS_MAP_WRITEABLE | IMS_IOAS_MAP_FIXED_IOVA,
		.ioas_id = g.ioas, .user_va = HBASE + 0x900000, .length = 0x1000,
		.iova = GBASE + 0x900000,
	};
	ck_assert_int_eq(ims_ioas_map(g.ctx, &wo), 0);
	r = n_dma(g.ctx, g.dev, NOP, GIOVA + 0x200000, RD);
	ck_assert_uint_eq(r.fault, VTD_FR_SFS_7);
	ck_assert_int_eq(r.xfault, IMS_XF_PERMISSION);
	n_free(g.ctx);
}
END_TEST

START_TEST(guest_invalidation_reaches_the_iotlb_through_the_queue)
{
	struct guest g;
	struct ims_dma_result r;
	uint64_t pe[8], q[4];
	uint32_t done = 0;

	guest_up(&g, 0x0108, true, 0);
	ck_assert(n_pasid_entry(g.ctx, 0x0108, 0, pe));
	const uint16_t did = (uint16_t)VTD_PE_DID(pe[1]);
	r = n_dma(g.ctx, g.dev, NOP, GIOVA, RD);
	ck_assert_u64_eq(r.pa, HBASE + (GDATA - GBASE));

	/* The guest remaps its page and has not invalidated yet: the unit
	 * still uses what it cached (a stale translation, by design). */
	gw(g.ctx, GPT + 8 * 0x145, (GDATA + 0x3000) | X86_P | X86_RW | X86_US);
	r = n_raw(g.ctx, g.dev, NOP, GIOVA, RD);
	ck_assert(r.iotlb_hit);
	ck_assert_u64_eq(r.pa, HBASE + (GDATA - GBASE));

	struct ims_hwpt_vtd_s1_invalidate e[3] = {
		{ .addr = GIOVA, .npages = 1, .flags = IMS_VTD_INV_FLAGS_LEAF },
	};
	const uint64_t p0 = n_dsc(g.ctx, VTD_DSC_PIOTLB), d0 = n_dsc(g.ctx, VTD_DSC_DEVTLB);
	ck_assert_int_eq(n_inval(g.ctx, g.nested, e, sizeof(e[0]), 1, &done), 0);
	ck_assert_uint_eq(done, 1);
	ck_assert_u64_eq(n_dsc(g.ctx, VTD_DSC_PIOTLB), p0 + 1);
	ck_assert_u64_eq(n_dsc(g.ctx, VTD_DSC_DEVTLB), d0 + 1); /* ATS: after the IOTLB */
	n_last_dsc(g.ctx, 2, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_PIOTLB);
	ck_assert_uint_eq(VTD_DSC_G(q[0]), VTD_PIOTLB_G_PAGE);
	ck_assert_uint_eq(VTD_DSC_DID(q[0]), did);
	ck_assert_uint_eq(VTD_DSC_PASID(q[0]), 0);
	ck_assert_u64_eq(q[1] & VTD_DSC_ADDR, GIOVA);
	ck_assert_uint_eq(VTD_DSC_AM(q[1]), 0);
	ck_assert(q[1] & VTD_DSC_IH); /* LEAF */
	n_last_dsc(g.ctx, 1, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_DEVTLB);
	r = n_dma(g.ctx, g.dev, NOP, GIOVA, RD);
	ck_assert_u64_eq(r.pa, HBASE + (GDATA - GBASE) + 0x3000);

	/* Everything: addr 0, npages 2^64-1, PASID-selective. */
	e[0] = (struct ims_hwpt_vtd_s1_invalidate){ .addr = 0, .npages = UINT64_MAX };
	ck_assert_int_eq(n_inval(g.ctx, g.nested, e, sizeof(e[0]), 1, &done), 0);
	n_last_dsc(g.ctx, 2, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_PIOTLB);
	ck_assert_uint_eq(VTD_DSC_G(q[0]), VTD_PIOTLB_G_PASID);

	/* Partial completion: processing stops at the first bad entry. */
	e[0] = (struct ims_hwpt_vtd_s1_invalidate){ .addr = GIOVA, .npages = 4 };
	e[1] = (struct ims_hwpt_vtd_s1_invalidate){ .addr = GIOVA, .npages = 1, .flags = 2 };
	e[2] = e[0];
	ck_assert_int_eq(n_inval(g.ctx, g.nested, e, sizeof(e[0]), 3, &done), -EOPNOTSUPP);
	ck_assert_uint_eq(done, 1);
	e[1] = (struct ims_hwpt_vtd_s1_invalidate){ .addr = GIOVA + 0x10, .npages = 1 };
	ck_assert_int_eq(n_inval(g.ctx, g.nested, e, sizeof(e[0]), 3, &done), -EINVAL);
	ck_assert_uint_eq(done, 1);
	e[1] = (struct ims_hwpt_vtd_s1_invalidate){ .addr = GIOVA, .npages = UINT64_MAX };
	ck_assert_int_eq(n_inval(g.ctx, g.nested, e, sizeof(e[0]), 3, &done), -EINVAL);
	ck_assert_uint_eq(done, 1);
	e[1] = (struct ims_hwpt_vtd_s1_invalidate){ .addr = GIOVA, .npages = 1, .reserved = 1 };
	ck_assert_int_eq(n_inval(g.ctx, g.nested, e, sizeof(e[0]), 3, &done), -EOPNOTSUPP);
	ck_assert_uint_eq(done, 1);
	e[1] = e[0];
	ck_assert_int_eq(n_inval(g.ctx, g.nested, e, sizeof(e[0]), 3, &done), 0);
	ck_assert_uint_eq(done, 3);
	/* Zero entries only asks whether the type is accepted. */
	ck_assert_int_eq(n_inval(g.ctx, g.nested, e, sizeof(e[0]), 0, &done), 0);
	ck_assert_uint_eq(done, 0);
	/* Entries longer than the struct must be zero-padded. */
	uint8_t big[2][32];
	memset(big, 0, sizeof(big));
	memcpy(big[0], &e[0], sizeof(e[0]));
	memcpy(big[1], &e[0], sizeof(e[0]));
	ck_assert_int_eq(n_inval(g.ctx, g.nested, big, 32, 2, &done), 0);
	ck_assert_uint_eq(done, 2);
	big[1][31] = 1;
	ck_assert_int_eq(n_inval(g.ctx, g.nested, big, 32, 2, &done), -E2BIG);
	ck_assert_uint_eq(done, 1);
	ck_assert_int_eq(n_inval(g.ctx, g.nested, e, 8, 1, &done), -EINVAL);
	n_free(g.ctx);
}
END_TEST

START_TEST(stage_2_unmap_flushes_the_nested_domain_too)
{
	struct guest g;
	struct ims_dma_result r;
	uint64_t pe[8], q[4];

	guest_up(&g, 0x0110, false, 0);
	ck_assert(n_pasid_entry(g.ctx, 0x0110, 0, pe));
	r = n_dma(g.ctx, g.dev, NOP, GIOVA, WR);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	const uint64_t io0 = n_dsc(g.ctx, VTD_DSC_IOTLB);
	ck_assert_int_eq(n_unmap(g.ctx, g.ioas, GDATA, 0x200000), 0);
	/* The parent is attached nowhere itself: only the nested DID. */
	ck_assert_u64_eq(n_dsc(g.ctx, VTD_DSC_IOTLB), io0 + 1);
	n_last_dsc(g.ctx, 1, q);
	ck_assert_uint_eq(VTD_DSC_TYPE(q[0]), VTD_DSC_IOTLB);
	ck_assert_uint_eq(VTD_DSC_DID(q[0]), VTD_PE_DID(pe[1]));
	r = n_dma(g.ctx, g.dev, NOP, GIOVA, WR);
	ck_assert_uint_eq(r.fault, VTD_FR_SSS_2);
	ck_assert_int_eq(r.xfault, IMS_XF_NOT_PRESENT);
	n_free(g.ctx);
}
END_TEST

START_TEST(nested_data_is_validated_as_linux_does)
{
	struct ims_ctx *ctx = n_ctx(NULL);
	uint32_t ioas = n_ioas(ctx), dev = n_bind(ctx, 0x0118, 20, false, false);
	uint32_t parent = 0, plain = 0, dirty = 0, h = 0;
	struct ims_hwpt_vtd_s1 s1 = { .pgtbl_addr = GPML4, .addr_width = 48 };
	const uint32_t T = IMS_HWPT_DATA_VTD_S1;

	ck_assert_int_eq(n_map(ctx, ioas, GBASE, HBASE, 0x100000), 0);
	ck_assert_int_eq(n_hwpt(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT, NULL, 0, 0, 0,
				&parent), 0);
	ck_assert_int_eq(n_hwpt(ctx, dev, ioas, 0, NULL, 0, 0, 0, &plain), 0);
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, 0, &s1, T, sizeof(s1), 0, &h), 0);
	s1.addr_width = 39;
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, 0, &s1, T, sizeof(s1), 0, &h), -EINVAL);
	s1.addr_width = 57; /* the default part has FS5LP */
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, 0, &s1, T, sizeof(s1), 0, &h), 0);
	s1.flags = 8;
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, 0, &s1, T, sizeof(s1), 0, &h), -EOPNOTSUPP);
	s1.flags = IMS_VTD_S1_SRE | IMS_VTD_S1_WPE | IMS_VTD_S1_EAFE;
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, 0, &s1, T, sizeof(s1), 0, &h), 0);
	s1.reserved = 1;
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, 0, &s1, T, sizeof(s1), 0, &h), -EOPNOTSUPP);
	s1.reserved = 0;
	s1.pgtbl_addr = GPML4 + 0x80;
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, 0, &s1, T, sizeof(s1), 0, &h), -EINVAL);
	s1.pgtbl_addr = 1ull << 60; /* beyond stage 2 */
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, 0, &s1, T, sizeof(s1), 0, &h), -EINVAL);
	s1.pgtbl_addr = GPML4;
	/* Short data, another vendor's type, a parent that is not one. */
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, 0, &s1, T, 8, 0, &h), -EINVAL);
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, 0, &s1, IMS_HWPT_DATA_ARM_SMMUV3, sizeof(s1), 0,
				&h), -EOPNOTSUPP);
	ck_assert_int_eq(n_hwpt(ctx, dev, plain, 0, &s1, T, sizeof(s1), 0, &h), -EINVAL);

	/* Nested on a PASID needs a parent without dirty tracking. */
	ck_assert_int_eq(n_hwpt(ctx, dev, ioas,
				IMS_HWPT_ALLOC_NEST_PARENT | IMS_HWPT_ALLOC_DIRTY_TRACKING, NULL, 0,
				0, 0, &dirty), 0);
	ck_assert_int_eq(n_hwpt(ctx, dev, dirty, IMS_HWPT_ALLOC_PASID, &s1, T, sizeof(s1), 0, &h),
			 0);
	ck_assert_int_eq(n_attach(ctx, dev, h, 9), -EINVAL);
	ck_assert_int_eq(n_attach(ctx, dev, h, NOP), 0);
	ck_assert_int_eq(n_detach(ctx, dev, NOP), 0);
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, IMS_HWPT_ALLOC_PASID, &s1, T, sizeof(s1), 0, &h),
			 0);
	ck_assert_int_eq(n_attach(ctx, dev, h, 9), 0);
	uint64_t pe[8];
	ck_assert(n_pasid_entry(ctx, 0x0118, 9, pe));
	ck_assert_uint_eq(VTD_PE_PGTT(pe[0]), VTD_PGTT_NESTED);
	ck_assert_int_eq(n_detach(ctx, dev, 9), 0);
	n_free(ctx);

	/* A part without nesting offers no parents. */
	struct ims_vtd_cfg cfg;
	ims_vtd_model.cfg_init(&cfg);
	cfg.hw.ecap &= ~VTD_ECAP_NEST;
	ctx = n_ctx(&cfg);
	ioas = n_ioas(ctx);
	dev = n_bind(ctx, 0x0118, 20, false, false);
	ck_assert_int_eq(n_hwpt(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT, NULL, 0, 0, 0, &h),
			 -EOPNOTSUPP);
	n_free(ctx);
}
END_TEST

START_TEST(nested_supervisor_requests_need_sre)
{
	struct ims_ctx *ctx = n_ctx(NULL);
	uint32_t ioas = n_ioas(ctx), dev = n_bind(ctx, 0x0120, 20, false, false);
	uint32_t parent = 0, user = 0, sup = 0;
	struct ims_hwpt_vtd_s1 s1 = { .pgtbl_addr = GPML4, .addr_width = 48 };
	struct ims_dma_result r;

	ck_assert_int_eq(n_map(ctx, ioas, GBASE, HBASE, 0x400000), 0);
	ck_assert_int_eq(n_hwpt(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT, NULL, 0, 0, 0, &parent),
			 0);
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, IMS_HWPT_ALLOC_PASID, &s1, IMS_HWPT_DATA_VTD_S1,
				sizeof(s1), 0, &user), 0);
	s1.flags = IMS_VTD_S1_SRE;
	ck_assert_int_eq(n_hwpt(ctx, dev, parent, IMS_HWPT_ALLOC_PASID, &s1, IMS_HWPT_DATA_VTD_S1,
				sizeof(s1), 0, &sup), 0);
	guest_table(ctx, GDATA, X86_P | X86_RW | X86_US);
	ck_assert_int_eq(n_attach(ctx, dev, user, 3), 0);
	ck_assert_int_eq(n_attach(ctx, dev, sup, 4), 0);
	r = n_dma(ctx, dev, 3, GIOVA, RD | IMS_ACC_PRIV);
	ck_assert_uint_eq(r.fault, VTD_FR_SPT_6);
	ck_assert_int_eq(r.xfault, IMS_XF_PERMISSION);
	r = n_dma(ctx, dev, 4, GIOVA, RD | IMS_ACC_PRIV);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	r = n_dma(ctx, dev, 3, GIOVA, RD);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	n_free(ctx);
}
END_TEST

/* ---- page requests ----------------------------------------------------------------- */

static struct ims_dma_result n_prq(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid,
				   uint64_t addr, unsigned access, uint16_t prgi, bool last)
{
	struct ims_dma_req r = {
		.pasid = pasid, .addr = addr, .access = access, .type = IMS_DMA_PAGE_REQUEST,
		.prgi = prgi, .last = last,
	};
	struct ims_dma_result res;

	ck_assert_int_eq(ims_dma(ctx, dev, &r, &res), 0);
	return res;
}

static void drain_devmsg(struct ims_ctx *ctx)
{
	struct vtd_devmsg m;

	while (vtd_hw_devmsg_pop(n_hw(ctx), &m))
		;
}

START_TEST(page_request_goes_to_the_fault_queue_and_the_response_to_the_device)
{
	struct ims_ctx *ctx = n_ctx(NULL);
	uint32_t ioas = n_ioas(ctx), dev = n_bind(ctx, 0x0A00, 20, true, true), hwpt = 0;
	struct ims_fault_alloc fa = { .size = sizeof(fa) };
	struct ims_hwpt_pgfault pf[4];
	struct ims_hwpt_page_response resp;
	struct vtd_devmsg m;
	struct ims_dma_result r;

	ck_assert_int_eq(ims_fault_queue_alloc(ctx, &fa), 0);
	ck_assert_int_eq(n_hwpt(ctx, dev, ioas, IMS_HWPT_FAULT_ID_VALID | IMS_HWPT_ALLOC_PASID,
				NULL, 0, 0, fa.out_fault_id, &hwpt), 0);
	ck_assert_int_eq(n_attach(ctx, dev, hwpt, NOP), 0);
	ck_assert_int_eq(n_attach(ctx, dev, hwpt, 5), 0);
	drain_devmsg(ctx);

	r = n_prq(ctx, dev, 5, 0x777000, RD | WR, 0x12, true);
	ck_assert_int_eq(r.status, IMS_DMA_QUEUED);
	ck_assert_int_eq(r.xfault, IMS_XF_PAGE_REQUEST);
	/* The driver drained the hardware queue. */
	ck_assert_u64_eq(n_reg(ctx, VTD_REG_PQH, 8), n_reg(ctx, VTD_REG_PQT, 8));
	ck_assert_u64_eq(n_reg(ctx, VTD_REG_PRS, 4) & VTD_PRS_PPR, 0);
	ck_assert_int_eq(ims_fault_read(ctx, fa.out_fault_id, pf, sizeof(pf)), sizeof(pf[0]));
	ck_assert_uint_eq(pf[0].flags, IMS_PGFAULT_FLAGS_PASID_VALID | IMS_PGFAULT_FLAGS_LAST_PAGE);
	ck_assert_uint_eq(pf[0].dev_id, dev);
	ck_assert_uint_eq(pf[0].pasid, 5);
	ck_assert_uint_eq(pf[0].grpid, 0x12);
	ck_assert_uint_eq(pf[0].perm, IMS_PGFAULT_PERM_READ | IMS_PGFAULT_PERM_WRITE);
	ck_assert_u64_eq(pf[0].addr, 0x777000);
	ck_assert(!vtd_hw_devmsg_pop(n_hw(ctx), &m)); /* nothing answered yet */

	const uint64_t g0 = n_dsc(ctx, VTD_DSC_PGRP_RESP);
	resp = (struct ims_hwpt_page_response){ .cookie = pf[0].cookie,
						 .code = IMS_PAGE_RESP_SUCCESS };
	ck_assert_int_eq(ims_fault_write(ctx, fa.out_fault_id, &resp, sizeof(resp)), sizeof(resp));
	ck_assert_u64_eq(n_dsc(ctx, VTD_DSC_PGRP_RESP), g0 + 1);
	ck_assert(vtd_hw_devmsg_pop(n_hw(ctx), &m));
	ck_assert_int_eq(m.kind, VTD_DEVMSG_PRG_RESP);
	ck_assert_uint_eq(m.sid, 0x0A00);
	ck_assert(m.pp);
	ck_assert_uint_eq(m.pasid, 5);
	ck_assert_uint_eq(m.prgi, 0x12);
	ck_assert_uint_eq(m.rc, VTD_PRG_SUCCESS);
	ck_assert(!m.automatic);

	/* A group of two without PASID: delivered whole, answered once. */
	r = n_prq(ctx, dev, NOP, 0x1000, RD, 0x33, false);
	ck_assert_int_eq(r.status, IMS_DMA_QUEUED);
	r = n_prq(ctx, dev, NOP, 0x2000, RD, 0x33, true);
	ck_assert_int_eq(ims_fault_read(ctx, fa.out_fault_id, pf, sizeof(pf)), 2 * sizeof(pf[0]));
	ck_assert_uint_eq(pf[0].flags, 0);
	ck_assert_uint_eq(pf[1].flags, IMS_PGFAULT_FLAGS_LAST_PAGE);
	resp = (struct ims_hwpt_page_response){ .cookie = pf[1].cookie,
						 .code = IMS_PAGE_RESP_INVALID };
	ck_assert_int_eq(ims_fault_write(ctx, fa.out_fault_id, &resp, sizeof(resp)), sizeof(resp));
	ck_assert(vtd_hw_devmsg_pop(n_hw(ctx), &m));
	ck_assert(!m.pp);
	ck_assert_uint_eq(m.prgi, 0x33);
	ck_assert_uint_eq(m.rc, VTD_PRG_INVALID);
	ck_assert(!vtd_hw_devmsg_pop(n_hw(ctx), &m));

	/* Detach with a group outstanding: the core answers it INVALID, and
	 * the driver drains page requests (SPEC 7.10: a fenced wait, the
	 * IOTLB, the device TLB, a wait with PD). */
	r = n_prq(ctx, dev, 5, 0x9000, WR, 0x44, true);
	ck_assert_int_eq(r.status, IMS_DMA_QUEUED);
	const uint64_t pdt0 = n_dsc(ctx, VTD_DSC_PDEVTLB);
	ck_assert_int_eq(n_detach(ctx, dev, 5), 0);
	ck_assert_u64_eq(n_dsc(ctx, VTD_DSC_PDEVTLB), pdt0 + 2);
	ck_assert(vtd_hw_devmsg_pop(n_hw(ctx), &m)); /* ATS invalidations, then the answer */
	bool answered = false;
	do {
		if (m.kind == VTD_DEVMSG_PRG_RESP) {
			ck_assert_uint_eq(m.prgi, 0x44);
			ck_assert_uint_eq(m.rc, VTD_PRG_INVALID);
			answered = true;
		}
	} while (vtd_hw_devmsg_pop(n_hw(ctx), &m));
	ck_assert(answered);
	n_free(ctx);
}
END_TEST

START_TEST(page_requests_nobody_handles_are_answered_invalid)
{
	struct ims_ctx *ctx = n_ctx(NULL);
	uint32_t ioas = n_ioas(ctx), dev = n_bind(ctx, 0x0B00, 20, true, true);
	uint32_t nopri = n_bind(ctx, 0x0B08, 20, true, false), hwpt = 0;
	struct vtd_devmsg m;
	struct ims_dma_result r;

	ck_assert_int_eq(n_hwpt(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID, NULL, 0, 0, 0, &hwpt), 0);
	ck_assert_int_eq(n_attach(ctx, dev, hwpt, NOP), 0);
	ck_assert_int_eq(n_attach(ctx, nopri, hwpt, NOP), 0);
	drain_devmsg(ctx);
	/* No FAULT queue on the HWPT: the driver answers Invalid Request. */
	r = n_prq(ctx, dev, NOP, 0x5000, RD, 7, true);
	ck_assert_int_eq(r.status, IMS_DMA_QUEUED);
	ck_assert(vtd_hw_devmsg_pop(n_hw(ctx), &m));
	ck_assert_int_eq(m.kind, VTD_DEVMSG_PRG_RESP);
	ck_assert_uint_eq(m.prgi, 7);
	ck_assert_uint_eq(m.rc, VTD_PRG_INVALID);
	ck_assert(!m.automatic);
	ck_assert_uint_eq(ims_vtd_drv_stats(ims_ctx_model_inst(ctx), 0)->prq_bad, 1);
	/* Not the last of its group: no answer at all. */
	r = n_prq(ctx, dev, NOP, 0x5000, RD, 8, false);
	ck_assert(!vtd_hw_devmsg_pop(n_hw(ctx), &m));
	/* Nothing attached at that PASID. */
	r = n_prq(ctx, dev, 77, 0x5000, RD, 9, true);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT); /* the unit itself refuses */
	ck_assert(vtd_hw_devmsg_pop(n_hw(ctx), &m));
	ck_assert(m.automatic);
	/* A device without PRI: its context entry has PRE=0 (SCT.8) and the
	 * unit answers by itself. */
	r = n_prq(ctx, nopri, NOP, 0x5000, RD, 10, true);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_uint_eq(r.fault, VTD_FR_SCT_8);
	ck_assert(vtd_hw_devmsg_pop(n_hw(ctx), &m));
	ck_assert(m.automatic);
	ck_assert_uint_eq(m.rc, VTD_PRG_INVALID);
	n_free(ctx);
}
END_TEST

START_TEST(a_page_request_overflow_is_cleared_once_the_queue_is_drained)
{
	struct ims_vtd_cfg cfg;
	char err[100];
	ims_vtd_model.cfg_init(&cfg);
	ck_assert_int_eq(ims_vtd_model.cfg_set(&cfg, "prq_pqs", "0", err, sizeof(err)), 0);
	struct ims_ctx *ctx = n_ctx(&cfg);
	uint32_t ioas = n_ioas(ctx), dev = n_bind(ctx, 0x0C00, 0, true, true), hwpt = 0;
	struct ims_fault_alloc fa = { .size = sizeof(fa) };
	struct ims_dma_result r;

	ck_assert_int_eq(ims_fault_queue_alloc(ctx, &fa), 0);
	ck_assert_int_eq(n_hwpt(ctx, dev, ioas, IMS_HWPT_FAULT_ID_VALID, NULL, 0, 0,
				fa.out_fault_id, &hwpt), 0);
	ck_assert_int_eq(n_attach(ctx, dev, hwpt, NOP), 0);
	/* The driver drains after every request: a 128-entry queue does not
	 * fill however many arrive one by one. */
	for (unsigned i = 0; i < 300; i++) {
		r = n_prq(ctx, dev, NOP, 0x1000ull * i, RD, (uint16_t)(i & 0x1FF), true);
		ck_assert_int_eq(r.status, IMS_DMA_QUEUED);
	}
	ck_assert_uint_eq(ims_vtd_drv_stats(ims_ctx_model_inst(ctx), 0)->prq_reported, 300);
	/* A burst the driver does not see (straight at the unit) fills it:
	 * 127 entries fit, the rest overflow (PRO). */
	struct ims_dma_req req = { .sid = 0x0C00, .pasid = NOP, .access = RD,
				   .type = IMS_DMA_PAGE_REQUEST, .last = true };
	for (unsigned i = 0; i < 130; i++) {
		req.addr = 0x1000ull * i;
		vtd_hw_dma(n_hw(ctx), &req, &r);
	}
	ck_assert(n_reg(ctx, VTD_REG_PRS, 4) & VTD_PRS_PRO);
	/* The next request through the driver: the handler drains all and
	 * clears PRO; the dropped ones were answered by the unit. */
	r = n_prq(ctx, dev, NOP, 0x500000, RD, 1, true);
	ck_assert_uint_eq(n_reg(ctx, VTD_REG_PRS, 4) & (VTD_PRS_PRO | VTD_PRS_PPR), 0);
	ck_assert_uint_eq(ims_vtd_drv_stats(ims_ctx_model_inst(ctx), 0)->prq_overflows, 1);
	ck_assert_uint_eq(ims_vtd_drv_stats(ims_ctx_model_inst(ctx), 0)->prq_reported, 300 + 127);
	r = n_prq(ctx, dev, NOP, 0x501000, RD, 2, true);
	ck_assert_int_eq(r.status, IMS_DMA_QUEUED);
	n_free(ctx);
}
END_TEST

/* ---- dirty tracking ---------------------------------------------------------------- */

static uint64_t n_bitmap(struct ims_ctx *ctx, uint32_t hwpt, uint64_t iova, uint64_t pages,
			 uint32_t flags)
{
	uint64_t bm[2] = { 0, 0 };
	struct ims_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g), .hwpt_id = hwpt, .flags = flags, .iova = iova,
		.length = pages * 4096, .page_size = 4096, .data = PTR(bm),
	};

	ck_assert_int_eq(ims_hwpt_get_dirty_bitmap(ctx, &g), 0);
	return bm[0];
}

static int n_track(struct ims_ctx *ctx, uint32_t hwpt, bool on)
{
	struct ims_hwpt_set_dirty_tracking s = {
		.size = sizeof(s), .hwpt_id = hwpt, .flags = on ? IMS_HWPT_DIRTY_TRACKING_ENABLE : 0,
	};

	return ims_hwpt_set_dirty_tracking(ctx, &s);
}

START_TEST(dirty_tracking_reports_written_pages_and_clears_them)
{
	static const char *const keys[] = { "paging", "fs" };
	struct ims_vtd_cfg cfg;
	char err[100];
	ims_vtd_model.cfg_init(&cfg);
	/* Even with first-stage paging, a dirty-tracking domain is SS. */
	ck_assert_int_eq(ims_vtd_model.cfg_set(&cfg, keys[0], keys[1], err, sizeof(err)), 0);
	struct ims_ctx *ctx = n_ctx(&cfg);
	uint32_t ioas = n_ioas(ctx), dev = n_bind(ctx, 0x0D00, 0, false, false), hwpt = 0;
	struct ims_dma_result r;
	uint64_t pe[8];

	ck_assert_int_eq(n_hwpt(ctx, dev, ioas, IMS_HWPT_ALLOC_DIRTY_TRACKING, NULL, 0, 0, 0, &hwpt),
			 0);
	ck_assert_int_eq(n_attach(ctx, dev, hwpt, NOP), 0);
	ck_assert_int_eq(n_map(ctx, ioas, 0x100000, DATA, 0x4000), 0);
	ck_assert(n_pasid_entry(ctx, 0x0D00, 0, pe));
	ck_assert_uint_eq(VTD_PE_PGTT(pe[0]), VTD_PGTT_SS);
	ck_assert(!(pe[0] & VTD_PE_SSADE));
	/* A write before tracking, cached in the IOTLB. */
	r = n_dma(ctx, dev, NOP, 0x100000, WR);
	ck_assert_int_eq(r.status, IMS_DMA_OK);

	/* Enabling: SSADE 0->1 needs pc + iotlb DSI (Table 28). */
	const uint64_t pc0 = n_dsc(ctx, VTD_DSC_PC), io0 = n_dsc(ctx, VTD_DSC_IOTLB);
	ck_assert_int_eq(n_track(ctx, hwpt, true), 0);
	ck_assert(n_pasid_entry(ctx, 0x0D00, 0, pe));
	ck_assert(pe[0] & VTD_PE_SSADE);
	ck_assert_u64_eq(n_dsc(ctx, VTD_DSC_PC), pc0 + 1);
	ck_assert_u64_eq(n_dsc(ctx, VTD_DSC_IOTLB), io0 + 1);
	ck_assert_u64_eq(n_bitmap(ctx, hwpt, 0x100000, 4, 0), 0);

	/* Page 0 was written before: its cached translation must not make
	 * the next write invisible. */
	r = n_dma(ctx, dev, NOP, 0x100008, WR);
	ck_assert(!r.iotlb_hit);
	r = n_dma(ctx, dev, NOP, 0x102000, WR);
	r = n_dma(ctx, dev, NOP, 0x103000, RD);
	ck_assert_u64_eq(n_bitmap(ctx, hwpt, 0x100000, 4, IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
			 0x5);
	ck_assert_u64_eq(n_bitmap(ctx, hwpt, 0x100000, 4, 0), 0x5);
	ck_assert_u64_eq(n_bitmap(ctx, hwpt, 0x100000, 4, 0), 0);
	/* Cleared and flushed: the next write is seen again. */
	r = n_dma(ctx, dev, NOP, 0x102010, WR);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(n_bitmap(ctx, hwpt, 0x100000, 4, 0), 0x4);
	ck_assert_int_eq(n_track(ctx, hwpt, false), 0);
	ck_assert(n_pasid_entry(ctx, 0x0D00, 0, pe));
	ck_assert(!(pe[0] & VTD_PE_SSADE));
	n_free(ctx);

	/* A part without SS A/D: no dirty-tracking domains, no capability. */
	ims_vtd_model.cfg_init(&cfg);
	cfg.hw.ecap &= ~VTD_ECAP_SSADS;
	ctx = n_ctx(&cfg);
	ioas = n_ioas(ctx);
	dev = n_bind(ctx, 0x0D00, 0, false, false);
	ck_assert_int_eq(n_hwpt(ctx, dev, ioas, IMS_HWPT_ALLOC_DIRTY_TRACKING, NULL, 0, 0, 0, &hwpt),
			 -EOPNOTSUPP);
	struct ims_hw_info c = { .size = sizeof(c), .dev_id = dev };
	ck_assert_int_eq(ims_get_hw_info(ctx, &c), 0);
	ck_assert(!(c.out_capabilities & IMS_HW_CAP_DIRTY_TRACKING));
	ck_assert_int_eq(n_hwpt(ctx, dev, ioas, 0, NULL, 0, 0, 0, &hwpt), 0);
	ck_assert_int_eq(n_track(ctx, hwpt, true), -EOPNOTSUPP);
	n_free(ctx);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_drv_nested");
	TCase *tn = tcase_create("nested");
	TCase *tp = tcase_create("page_requests");
	TCase *td = tcase_create("dirty");

	tcase_add_test(tn, nested_dma_walks_the_guest_table_through_stage_2);
	tcase_add_test(tn, guest_invalidation_reaches_the_iotlb_through_the_queue);
	tcase_add_test(tn, stage_2_unmap_flushes_the_nested_domain_too);
	tcase_add_test(tn, nested_data_is_validated_as_linux_does);
	tcase_add_test(tn, nested_supervisor_requests_need_sre);
	tcase_add_test(tp, page_request_goes_to_the_fault_queue_and_the_response_to_the_device);
	tcase_add_test(tp, page_requests_nobody_handles_are_answered_invalid);
	tcase_add_test(tp, a_page_request_overflow_is_cleared_once_the_queue_is_drained);
	tcase_add_test(td, dirty_tracking_reports_written_pages_and_clears_them);
	suite_add_tcase(s, tn);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, td);
	return s;
}
