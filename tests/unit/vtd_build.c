/* SPDX-License-Identifier: MIT */
/* The VT-d test bench builder (contract: vtd_build.h). */
#include <string.h>

#include "tests/unit/tharness.h"
#include "tests/unit/vtd_build.h"

void vtdb_init(struct vtdb *b, const struct vtd_hw_cfg *cfg)
{
	char err[200];

	memset(b, 0, sizeof(*b));
	if (cfg)
		b->cfg = *cfg;
	else
		vtd_hw_cfg_default(&b->cfg);
	b->mem = ims_mem_new();
	ck_assert_ptr_nonnull(b->mem);
	ck_assert_int_eq(ims_palloc_init(&b->pa, b->mem, VTDB_POOL, VTDB_POOL_SIZE), 0);
	b->hw = vtd_hw_create(b->mem, &b->cfg, err, sizeof(err));
	ck_assert_msg(b->hw != NULL, "vtd_hw_create: %s", err);
}

void vtdb_fini(struct vtdb *b)
{
	vtd_hw_destroy(b->hw);
	ims_palloc_fini(&b->pa);
	ims_mem_free(b->mem);
	memset(b, 0, sizeof(*b));
}

uint64_t vtdb_page(struct vtdb *b, unsigned order)
{
	uint64_t pa = 0;
	ck_assert_int_eq(ims_palloc_alloc(&b->pa, order, &pa), 0);
	return pa;
}

uint32_t vtdb_r32(struct vtdb *b, uint64_t off)
{
	uint32_t v = 0;
	ck_assert_int_eq(vtd_hw_mmio_read32(b->hw, off, &v), 0);
	return v;
}

uint64_t vtdb_r64(struct vtdb *b, uint64_t off)
{
	uint64_t v = 0;
	ck_assert_int_eq(vtd_hw_mmio_read64(b->hw, off, &v), 0);
	return v;
}

void vtdb_w32(struct vtdb *b, uint64_t off, uint32_t v)
{
	ck_assert_int_eq(vtd_hw_mmio_write32(b->hw, off, v), 0);
}

void vtdb_w64(struct vtdb *b, uint64_t off, uint64_t v)
{
	ck_assert_int_eq(vtd_hw_mmio_write64(b->hw, off, v), 0);
}

void vtdb_gcmd(struct vtdb *b, uint32_t bit, bool on)
{
	uint32_t st = vtdb_r32(b, VTD_REG_GSTS) & VTD_GSTS_PERSIST;
	vtdb_w32(b, VTD_REG_GCMD, on ? st | bit : st & ~bit);
}

void vtdb_m64(struct vtdb *b, uint64_t pa, uint64_t v)
{
	ims_mem_write64(b->mem, pa, v, IMS_MEM_DRIVER);
}

uint64_t vtdb_rm64(struct vtdb *b, uint64_t pa)
{
	return ims_mem_read64(b->mem, pa, IMS_MEM_DRIVER);
}

void vtdb_root(struct vtdb *b, unsigned ttm, bool enable)
{
	b->root = vtdb_page(b, 0);
	memset(b->ctx, 0, sizeof(b->ctx));
	b->sm = ttm == VTD_TTM_SCALABLE;
	vtdb_w64(b, VTD_REG_RTADDR, b->root | VTD_RTADDR_TTM_V(ttm));
	vtdb_gcmd(b, VTD_GCMD_SRTP, true);
	ck_assert(vtdb_r32(b, VTD_REG_GSTS) & VTD_GSTS_RTPS);
	if (enable) {
		vtdb_gcmd(b, VTD_GCMD_TE, true);
		ck_assert(vtdb_r32(b, VTD_REG_GSTS) & VTD_GSTS_TES);
	}
}

void vtdb_legacy_ctx(struct vtdb *b, uint16_t sid, uint64_t q0, uint64_t q1)
{
	unsigned bus = sid >> 8;

	if (!b->ctx[bus][0]) {
		b->ctx[bus][0] = vtdb_page(b, 0);
		vtdb_m64(b, b->root + 16ull * bus, b->ctx[bus][0] | VTD_RE_P);
	}
	vtdb_m64(b, b->ctx[bus][0] + 16ull * (sid & 0xFF), q0);
	vtdb_m64(b, b->ctx[bus][0] + 16ull * (sid & 0xFF) + 8, q1);
}

void vtdb_legacy_ctx_ss(struct vtdb *b, uint16_t sid, unsigned tt, unsigned aw, uint16_t did,
			uint64_t ssptptr)
{
	vtdb_legacy_ctx(b, sid, ssptptr | (uint64_t)tt << 2 | VTD_CE_P,
			(uint64_t)did << 8 | aw);
}

void vtdb_sm_ctx(struct vtdb *b, uint16_t sid, const uint64_t *qw)
{
	unsigned bus = sid >> 8, devfn = sid & 0xFF, half = devfn >= 0x80;

	if (!b->ctx[bus][half]) {
		b->ctx[bus][half] = vtdb_page(b, 0);
		uint64_t re = vtdb_rm64(b, b->root + 16ull * bus + 8ull * half);
		vtdb_m64(b, b->root + 16ull * bus + 8ull * half, re | b->ctx[bus][half] | 1);
	}
	for (unsigned i = 0; i < 4; i++)
		vtdb_m64(b, b->ctx[bus][half] + 32ull * (devfn & 0x7F) + 8ull * i, qw[i]);
}

uint64_t vtdb_pasid_dir(struct vtdb *b, unsigned pdts)
{
	unsigned bytes_log2 = pdts + 7 + 3;
	return vtdb_page(b, bytes_log2 > 12 ? bytes_log2 - 12 : 0);
}

uint64_t vtdb_pasid_entry(struct vtdb *b, uint64_t dir, uint32_t pasid, const uint64_t *pe)
{
	uint64_t de_addr = dir + 8ull * (pasid >> 6), de = vtdb_rm64(b, de_addr), e;

	if (!(de & VTD_PDE_P)) {
		de = vtdb_page(b, 0) | VTD_PDE_P;
		vtdb_m64(b, de_addr, de);
	}
	e = (de & VTD_PDE_SMPTBLPTR) + 64ull * (pasid & 0x3F);
	for (unsigned i = 0; i < 8; i++)
		vtdb_m64(b, e + 8ull * i, pe[i]);
	return e;
}

void vtdb_sm_ctx_std(struct vtdb *b, uint16_t sid, uint64_t flags, unsigned pdts, uint64_t dir,
		     uint32_t rid_pasid)
{
	uint64_t qw[4] = {
		dir | (uint64_t)pdts << 9 | flags | VTD_SCE_P,
		rid_pasid,
		0, 0,
	};
	vtdb_sm_ctx(b, sid, qw);
}

void vtdb_pe_make(const struct vtdb_pe *a, uint64_t *pe)
{
	memset(pe, 0, 8 * sizeof(*pe));
	pe[0] = VTD_PE_P | (uint64_t)a->aw << 2 | (uint64_t)a->pgtt << 6 |
		(a->ssptptr & VTD_PE_SSPTPTR) | a->q0;
	pe[1] = a->did | a->q1;
	pe[2] = (uint64_t)a->fspm << 2 | (a->fsptptr & VTD_PE_FSPTPTR) | a->q2;
}

void vtdb_ss_fmt(struct vtdb *b, struct ims_pt_fmt *f, unsigned levels, uint32_t flags)
{
	struct ims_pt_vtdss_cfg c = {
		.levels = levels, .mgaw = VTD_CAP_MGAW(b->cfg.cap) + 1, .oas = b->cfg.haw,
		.pg2m = VTD_CAP_SSLPS(b->cfg.cap) & 1, .pg1g = (VTD_CAP_SSLPS(b->cfg.cap) >> 1) & 1,
		.flags = flags,
	};
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(f, &c), 0);
}

void vtdb_fs_fmt(struct vtdb *b, struct ims_pt_fmt *f, unsigned levels, uint32_t flags)
{
	struct ims_pt_x86_cfg c = {
		.levels = levels, .oas = b->cfg.haw, .pg1g = (b->cfg.cap & VTD_CAP_FS1GP) != 0,
		.flags = flags | IMS_PT_F_SIGN_EXTEND,
	};
	ck_assert_int_eq(ims_pt_fmt_x86_64(f, &c), 0);
}

uint64_t vtdb_pt_root(struct vtdb *b, const struct ims_pt_fmt *f)
{
	uint64_t root = 0;
	ck_assert_int_eq(ims_pt_alloc_root(f, &b->pa, &root), 0);
	return root;
}

void vtdb_map(struct vtdb *b, const struct ims_pt_fmt *f, uint64_t root, uint64_t iova,
	      uint64_t pa, uint64_t len, unsigned prot)
{
	int rc = ims_pt_map(f, b->mem, &b->pa, root, iova, pa, len, prot);
	ck_assert_msg(rc == 0, "ims_pt_map(0x%llx -> 0x%llx, 0x%llx): %d",
		      (unsigned long long)iova, (unsigned long long)pa, (unsigned long long)len, rc);
}

uint64_t vtdb_leaf_addr(struct vtdb *b, const struct ims_pt_fmt *f, uint64_t root, uint64_t iova)
{
	struct ims_pt_walk w;
	ims_pt_translate(f, b->mem, root, iova, IMS_PT_ACC_R, &w);
	ck_assert_uint_gt(w.nreads, 0);
	return w.reads[w.nreads - 1].pa;
}

void vtdb_iq_enable(struct vtdb *b, unsigned qs, bool dw)
{
	b->iq = vtdb_page(b, qs);
	b->iq_qs = qs;
	b->iq_dw = dw;
	b->iq_tail = 0;
	if (!b->status)
		b->status = vtdb_page(b, 0);
	vtdb_w64(b, VTD_REG_IQT, 0);
	vtdb_w64(b, VTD_REG_IQA, b->iq | (dw ? VTD_IQA_DW : 0) | qs);
	vtdb_gcmd(b, VTD_GCMD_QIE, true);
	ck_assert(vtdb_r32(b, VTD_REG_GSTS) & VTD_GSTS_QIES);
}

void vtdb_iq_post(struct vtdb *b, const uint64_t (*d)[4], unsigned n)
{
	unsigned dsz = b->iq_dw ? 32 : 16;
	uint64_t size = 4096ull << b->iq_qs;

	for (unsigned i = 0; i < n; i++) {
		for (unsigned q = 0; q < dsz / 8; q++)
			vtdb_m64(b, b->iq + b->iq_tail + 8ull * q, d[i][q]);
		b->iq_tail = (b->iq_tail + dsz) % size;
	}
	vtdb_w64(b, VTD_REG_IQT, b->iq_tail);
}

bool vtdb_iq_sync(struct vtdb *b, const uint64_t (*d)[4], unsigned n)
{
	uint64_t w[1][4];
	uint32_t seq = ++b->status_seq;

	if (n)
		vtdb_iq_post(b, d, n);
	vtdb_dsc_wait(w[0], true, false, seq, b->status);
	vtdb_iq_post(b, w, 1);
	return ims_mem_read32(b->mem, b->status, IMS_MEM_DRIVER) == seq;
}

void vtdb_dsc_cc(uint64_t *d, unsigned g, uint16_t did, uint16_t sid, unsigned fm)
{
	d[0] = VTD_DSC_CC | (uint64_t)g << 4 | (uint64_t)did << 16 | (uint64_t)sid << 32 |
	       (uint64_t)fm << 48;
	d[1] = d[2] = d[3] = 0;
}

void vtdb_dsc_iotlb(uint64_t *d, unsigned g, uint16_t did, uint64_t addr, unsigned am, bool ih)
{
	d[0] = VTD_DSC_IOTLB | (uint64_t)g << 4 | (uint64_t)did << 16;
	d[1] = (addr & VTD_DSC_ADDR) | (ih ? VTD_DSC_IH : 0) | am;
	d[2] = d[3] = 0;
}

void vtdb_dsc_piotlb(uint64_t *d, unsigned g, uint16_t did, uint32_t pasid, uint64_t addr,
		     unsigned am, bool ih)
{
	d[0] = VTD_DSC_PIOTLB | (uint64_t)g << 4 | (uint64_t)did << 16 | (uint64_t)pasid << 32;
	d[1] = (addr & VTD_DSC_ADDR) | (ih ? VTD_DSC_IH : 0) | am;
	d[2] = d[3] = 0;
}

void vtdb_dsc_pc(uint64_t *d, unsigned g, uint16_t did, uint32_t pasid)
{
	d[0] = VTD_DSC_PC | (uint64_t)g << 4 | (uint64_t)did << 16 | (uint64_t)pasid << 32;
	d[1] = d[2] = d[3] = 0;
}

void vtdb_dsc_wait(uint64_t *d, bool sw, bool iflag, uint32_t data, uint64_t addr)
{
	d[0] = VTD_DSC_WAIT | (iflag ? VTD_DSC_WAIT_IF : 0) | (sw ? VTD_DSC_WAIT_SW : 0) |
	       (uint64_t)data << 32;
	d[1] = addr & VTD_DSC_WAIT_ADDR;
	d[2] = d[3] = 0;
}

void vtdb_prq_enable(struct vtdb *b, unsigned pqs)
{
	b->prq = vtdb_page(b, pqs);
	b->prq_pqs = pqs;
	vtdb_w64(b, VTD_REG_PQH, 0);
	vtdb_w64(b, VTD_REG_PQT, 0);
	vtdb_w64(b, VTD_REG_PQA, b->prq | pqs);
}

struct ims_dma_result vtdb_dma_t(struct vtdb *b, enum ims_dma_type type, uint16_t sid,
				 uint32_t pasid, uint64_t addr, unsigned access)
{
	struct ims_dma_req req = {
		.sid = sid, .pasid = pasid, .addr = addr, .len = 4, .access = access, .type = type,
	};
	struct ims_dma_result res;
	vtd_hw_dma(b->hw, &req, &res);
	return res;
}

struct ims_dma_result vtdb_dma(struct vtdb *b, uint16_t sid, uint32_t pasid, uint64_t addr,
			       unsigned access)
{
	return vtdb_dma_t(b, IMS_DMA_UNTRANSLATED, sid, pasid, addr, access);
}

void vtdb_frcd(struct vtdb *b, unsigned n, uint64_t *q0, uint64_t *q1)
{
	uint64_t fro = 16ull * VTD_CAP_FRO(b->cfg.cap) + 16ull * n;
	/* Software reads the top dword first (digest §1.7); a 64-bit read of
	 * each half gives the same. */
	*q1 = vtdb_r64(b, fro + 8);
	*q0 = vtdb_r64(b, fro);
}

void vtdb_clear_faults(struct vtdb *b)
{
	uint64_t fro = 16ull * VTD_CAP_FRO(b->cfg.cap);
	for (unsigned i = 0; i <= VTD_CAP_NFR(b->cfg.cap); i++)
		vtdb_w32(b, fro + 16ull * i + 12, 0x80000000u);
	vtdb_w32(b, VTD_REG_FSTS, (uint32_t)VTD_FSTS_RW1C);
}

uint64_t vtdb_legacy_setup(struct vtdb *b, uint16_t sid, uint16_t did, struct ims_pt_fmt *f)
{
	vtdb_root(b, VTD_TTM_LEGACY, true);
	vtdb_ss_fmt(b, f, 4, 0);
	uint64_t root = vtdb_pt_root(b, f);
	vtdb_legacy_ctx_ss(b, sid, VTD_TT_SS, 2, did, root);
	return root;
}

uint64_t vtdb_sm_setup(struct vtdb *b, uint16_t sid, uint64_t ctx_flags, unsigned pdts,
		       uint32_t rid_pasid)
{
	vtdb_root(b, VTD_TTM_SCALABLE, true);
	vtdb_iq_enable(b, 0, true);
	uint64_t dir = vtdb_pasid_dir(b, pdts);
	vtdb_sm_ctx_std(b, sid, ctx_flags, pdts, dir, rid_pasid);
	return dir;
}
