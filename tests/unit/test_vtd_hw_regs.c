/* SPDX-License-Identifier: MIT */
/*
 * The VT-d register file (SPEC 11.4; digest §1): reset values, raw
 * CAP/ECAP/VER and what follows from them (register positions, absent
 * registers), access rules, GCMD/GSTS command semantics, RTADDR masks, the
 * configuration interface (`set key=value`, checks, named parts),
 * statistics and the bounded logs.
 */
#include <errno.h>
#include <string.h>

#include "tests/unit/tharness.h"
#include "tests/unit/vtd_build.h"

START_TEST(reset_state_reflects_the_configured_part)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_VER), 0x60);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_CAP), b.cfg.cap);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_ECAP), b.cfg.ecap);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_GSTS), 0);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_FECTL), VTD_ECTL_IM);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_IECTL), VTD_ECTL_IM);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PECTL), VTD_ECTL_IM);
	ck_assert_u64_eq(vtd_hw_mmio_size(b.hw), 0x1000);
	/* The default part's documented fields. */
	uint64_t cap = b.cfg.cap, ecap = b.cfg.ecap;
	ck_assert_uint_eq(VTD_CAP_NFR(cap), 7);
	ck_assert_uint_eq(VTD_CAP_MGAW(cap), 56);
	ck_assert_uint_eq(VTD_CAP_SAGAW(cap), 0xE);
	ck_assert_uint_eq(VTD_CAP_ND(cap), 6);
	ck_assert_uint_eq(VTD_ECAP_PSS(ecap), 19);
	ck_assert(ecap & VTD_ECAP_SMTS && ecap & VTD_ECAP_NEST && ecap & VTD_ECAP_PRS);
	ck_assert(cap & VTD_CAP_FS5LP);
	vtdb_fini(&b);

	/* The Sandy Bridge part: its raw values, FRCD at 0x200, IVA at 0x100. */
	struct vtd_hw_cfg cfg;
	ck_assert_int_eq(vtd_hw_cfg_preset(&cfg, "snb"), 0);
	vtdb_init(&b, &cfg);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_VER), 0x10);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_CAP), 0x00C9008020660262ull);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_ECAP), 0xF0101Aull);
	vtdb_w64(&b, 0x100, 0x5000 | 3);
	ck_assert_u64_eq(vtdb_r64(&b, 0x100), 0x5000 | 3);
	/* No page requests: PRQ registers read 0. */
	vtdb_w64(&b, VTD_REG_PQH, 0x40);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PQH), 0);
	vtdb_fini(&b);
}
END_TEST

START_TEST(access_rules)
{
	struct vtdb b;
	uint32_t v32 = 1;
	uint64_t v64 = 1;
	vtdb_init(&b, NULL);
	ck_assert_int_eq(vtd_hw_mmio_read32(b.hw, 0x2, &v32), -EINVAL);
	ck_assert_uint_eq(v32, 0);
	ck_assert_int_eq(vtd_hw_mmio_read64(b.hw, 0x4, &v64), -EINVAL);
	ck_assert_u64_eq(v64, 0);
	ck_assert_int_eq(vtd_hw_mmio_read32(b.hw, 0x1000, &v32), -EINVAL);
	ck_assert_int_eq(vtd_hw_mmio_read64(b.hw, 0xFFC, &v64), -EINVAL);
	ck_assert_int_eq(vtd_hw_mmio_write32(b.hw, 0x21, 1), -EINVAL);
	ck_assert_int_eq(vtd_hw_mmio_write64(b.hw, 0x24, 1), -EINVAL);
	ck_assert_int_eq(vtd_hw_mmio_write64(b.hw, 0x1000, 1), -EINVAL);
	ck_assert_int_eq(vtd_hw_mmio_read32(NULL, 0, &v32), -EINVAL);
	ck_assert_int_eq(vtd_hw_mmio_read32(b.hw, 0, NULL), 0);
	ck_assert_int_eq(vtd_hw_mmio_read64(b.hw, 0, NULL), 0);
	/* A 64-bit register written as two dwords, low first. */
	vtdb_w32(&b, VTD_REG_RTADDR, 0x12345000 | (1 << 10));
	vtdb_w32(&b, VTD_REG_RTADDR + 4, 0x9);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_RTADDR), 0x912345000ull | (1 << 10));
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_RTADDR + 4), 0x9);
	/* Read-only registers ignore writes. */
	vtdb_w32(&b, VTD_REG_VER, 0xFF);
	vtdb_w64(&b, VTD_REG_CAP, 0);
	vtdb_w64(&b, VTD_REG_ECAP, 0);
	vtdb_w32(&b, VTD_REG_GSTS, ~0u);
	vtdb_w64(&b, VTD_REG_IQH, 0x100);
	vtdb_w64(&b, VTD_REG_IQERCD, 0xF);
	vtdb_w64(&b, VTD_REG_AFLOG, ~0ull);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_VER), 0x60);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_CAP), b.cfg.cap);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_ECAP), b.cfg.ecap);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_GSTS), 0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQERCD), 0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_AFLOG), 0);
	ck_assert_u64_eq(vtdb_r64(&b, 0x7F8), 0);
	/* GCMD is write-only. */
	vtdb_w32(&b, VTD_REG_GCMD, VTD_GCMD_QIE);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_GCMD), 0);
	vtdb_fini(&b);
}
END_TEST

START_TEST(register_masks_and_storage)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	vtdb_init(&b, NULL);
	/* RTADDR: bits 9:8 and 6:0 are reserved; SSIRWE exists with SSIRWS. */
	vtdb_w64(&b, VTD_REG_RTADDR, 0xFFF);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_RTADDR), 0xC80);
	/* IQA, IQT, PQH/PQT/PQA masks. */
	vtdb_w64(&b, VTD_REG_IQA, ~0ull);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQA), 0x000FFFFFFFFFF807ull);
	vtdb_w64(&b, VTD_REG_IQT, ~0ull);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQT), 0x7FFF0);
	vtdb_w64(&b, VTD_REG_PQH, ~0ull);
	vtdb_w64(&b, VTD_REG_PQT, ~0ull);
	vtdb_w64(&b, VTD_REG_PQA, ~0ull);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PQH), 0x7FFE0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PQT), 0x7FFE0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PQA), 0x000FFFFFFFFFF007ull);
	/* Event data/address registers. */
	vtdb_w32(&b, VTD_REG_IEADDR, 0xFFFFFFFF);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_IEADDR), 0xFFFFFFFC);
	vtdb_w32(&b, VTD_REG_IEUADDR, 5);
	vtdb_w32(&b, VTD_REG_PEUADDR, 6);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_IEUADDR), 5);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PEUADDR), 6);
	vtdb_w32(&b, VTD_REG_IEDATA, 9);
	vtdb_w32(&b, VTD_REG_PEDATA, 10);
	vtdb_w32(&b, VTD_REG_PEADDR, 0xFEE0000F);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_IEDATA), 9);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PEDATA), 10);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PEADDR), 0xFEE0000C);
	vtdb_w32(&b, VTD_REG_FEDATA, 0x11);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_FEDATA), 0x11);
	vtdb_w32(&b, VTD_REG_FEUADDR, 0x12);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_FEUADDR), 0x12);
	/* IRTA exists with IR. */
	vtdb_w64(&b, VTD_REG_IRTA, 0x123000F);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IRTA), 0x123000F);
	/* No PLMR/PHMR and no MTS: those registers read 0. */
	vtdb_w32(&b, VTD_REG_PMEN, VTD_PMEN_EPM);
	vtdb_w32(&b, VTD_REG_PLMBASE, 0x100000);
	vtdb_w64(&b, VTD_REG_PHMBASE, 1ull << 40);
	vtdb_w64(&b, VTD_REG_MTRR_FIRST, 7);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PMEN), 0);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PLMBASE), 0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PHMBASE), 0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_MTRR_FIRST), 0);
	vtdb_fini(&b);

	/* SNB has PLMR/PHMR: stored (not enforced), PRS follows EPM. */
	ck_assert_int_eq(vtd_hw_cfg_preset(&cfg, "snb"), 0);
	vtdb_init(&b, &cfg);
	vtdb_w32(&b, VTD_REG_PMEN, VTD_PMEN_EPM);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PMEN), VTD_PMEN_EPM | VTD_PMEN_PRS);
	vtdb_w32(&b, VTD_REG_PMEN, 0);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PMEN), 0);
	vtdb_w32(&b, VTD_REG_PLMBASE, 0x100000);
	vtdb_w32(&b, VTD_REG_PLMLIMIT, 0x200000);
	vtdb_w64(&b, VTD_REG_PHMBASE, 1ull << 40);
	vtdb_w64(&b, VTD_REG_PHMLIMIT, 1ull << 41);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PLMBASE), 0x100000);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PLMLIMIT), 0x200000);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PHMBASE), 1ull << 40);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PHMLIMIT), 1ull << 41);
	vtdb_fini(&b);
	/* With MTS the MTRR block holds what software writes. */
	vtd_hw_cfg_default(&cfg);
	cfg.ecap |= VTD_ECAP_MTS;
	vtdb_init(&b, &cfg);
	vtdb_w64(&b, VTD_REG_MTRR_FIRST + 8, 0x606);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_MTRR_FIRST + 8), 0x606);
	vtdb_fini(&b);

	/* No QI at all: the queue registers are absent. */
	vtd_hw_cfg_default(&cfg);
	cfg.ecap &= ~(VTD_ECAP_QI | VTD_ECAP_SMTS | VTD_ECAP_IR | VTD_ECAP_EIM | VTD_ECAP_NEST |
		      VTD_ECAP_PRS);
	vtdb_init(&b, &cfg);
	vtdb_w64(&b, VTD_REG_IQA, 0x5000);
	vtdb_w64(&b, VTD_REG_IQT, 0x10);
	vtdb_w32(&b, VTD_REG_ICS, 1);
	vtdb_w32(&b, VTD_REG_IECTL, 0);
	vtdb_w32(&b, VTD_REG_IEDATA, 1);
	vtdb_w32(&b, VTD_REG_IEADDR, 4);
	vtdb_w32(&b, VTD_REG_IEUADDR, 4);
	vtdb_w64(&b, VTD_REG_IRTA, 0x5000);
	vtdb_w32(&b, VTD_REG_GCMD, VTD_GCMD_QIE | VTD_GCMD_IRE);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_GSTS), 0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQA), 0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQT), 0);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_IECTL), 0);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_IEDATA), 0);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_ICS), 0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IRTA), 0);
	vtdb_w32(&b, VTD_REG_PRS, 3);
	vtdb_w32(&b, VTD_REG_PECTL, 0);
	vtdb_w32(&b, VTD_REG_PEDATA, 1);
	vtdb_w32(&b, VTD_REG_PEADDR, 4);
	vtdb_w32(&b, VTD_REG_PEUADDR, 4);
	vtdb_w64(&b, VTD_REG_PQT, 0x40);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_PRS) | vtdb_r32(&b, VTD_REG_PECTL) |
			  vtdb_r32(&b, VTD_REG_PEDATA) | vtdb_r32(&b, VTD_REG_PEADDR) |
			  vtdb_r32(&b, VTD_REG_PEUADDR), 0);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PQT), 0);
	vtdb_fini(&b);
}
END_TEST

/* GCMD/GSTS (SPEC 11.4.4): persistent bits follow what is written, one-shot
 * bits act and leave their status; absent features are ignored. */
START_TEST(global_command_semantics)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	vtdb_init(&b, NULL);
	vtdb_gcmd(&b, VTD_GCMD_SRTP, true);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_GSTS), VTD_GSTS_RTPS);
	vtdb_gcmd(&b, VTD_GCMD_TE, true);
	vtdb_gcmd(&b, VTD_GCMD_IRE, true);
	vtdb_gcmd(&b, VTD_GCMD_SIRTP, true);
	vtdb_gcmd(&b, VTD_GCMD_CFI, true);
	uint32_t st = vtdb_r32(&b, VTD_REG_GSTS);
	ck_assert_uint_eq(st, VTD_GSTS_RTPS | VTD_GSTS_TES | VTD_GSTS_IRES | VTD_GSTS_IRTPS |
				      VTD_GSTS_CFIS);
	/* The software recipe masks the one-shot bits: toggling CFI off
	 * leaves TE/IRE alone. */
	vtdb_gcmd(&b, VTD_GCMD_CFI, false);
	ck_assert(!(vtdb_r32(&b, VTD_REG_GSTS) & VTD_GSTS_CFIS));
	ck_assert(vtdb_r32(&b, VTD_REG_GSTS) & VTD_GSTS_TES);
	vtdb_gcmd(&b, VTD_GCMD_IRE, false);
	vtdb_gcmd(&b, VTD_GCMD_TE, false);
	ck_assert(!(vtdb_r32(&b, VTD_REG_GSTS) & (VTD_GSTS_TES | VTD_GSTS_IRES)));
	/* WBF on a part without RWBF does nothing. */
	vtdb_gcmd(&b, VTD_GCMD_WBF, true);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->wbf, 0);
	vtdb_fini(&b);

	vtd_hw_cfg_default(&cfg);
	cfg.cap = (cfg.cap & ~VTD_CAP_ESRTPS) | VTD_CAP_RWBF;
	cfg.ver = 0x10;
	vtdb_init(&b, &cfg);
	vtdb_gcmd(&b, VTD_GCMD_WBF, true);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->wbf, 1);
	ck_assert(!(vtdb_r32(&b, VTD_REG_GSTS) & VTD_GSTS_WBFS)); /* done at once */
	/* RWBF parts flush with every context/IOTLB invalidation too; it costs. */
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	uint64_t before = vtd_hw_cost(b.hw)->now;
	vtdb_w64(&b, VTD_REG_CCMD, VTD_CCMD_ICC | (1ull << 61));
	ck_assert_u64_eq(vtd_hw_cost(b.hw)->now - before,
			 ims_cost_get(vtd_hw_cost(b.hw), "reg_inval", NULL) +
				 ims_cost_get(vtd_hw_cost(b.hw), "wbf", NULL) +
				 ims_cost_get(vtd_hw_cost(b.hw), "inval_search", NULL));
	vtdb_fini(&b);
}
END_TEST

/* Register blocks outside the first page make the window larger. */
START_TEST(fault_registers_beyond_the_first_page)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	vtd_hw_cfg_default(&cfg);
	cfg.cap = (cfg.cap & ~VTD_M(47, 24)) | VTD_CAP_FRO_V(0x100) | VTD_CAP_NFR_V(255);
	cfg.ecap = (cfg.ecap & ~VTD_M(17, 8)) | VTD_ECAP_IRO_V(0x300);
	vtdb_init(&b, &cfg);
	ck_assert_u64_eq(vtd_hw_mmio_size(b.hw), 0x4000);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	for (unsigned i = 0; i < 256; i++)
		ck_assert(vtdb_dma(&b, (uint16_t)i, IMS_NO_PASID, 0x1000, IMS_PT_ACC_R).reported);
	uint64_t q1 = vtdb_r64(&b, 0x1000 + 16 * 255 + 8);
	ck_assert(q1 & VTD_FRCD_F);
	ck_assert_uint_eq(VTD_FRCD_SID(q1), 255);
	vtdb_w64(&b, 0x3000, 0xABC000);
	ck_assert_u64_eq(vtdb_r64(&b, 0x3000), 0xABC000);
	vtdb_fini(&b);
}
END_TEST

START_TEST(configuration_settings)
{
	struct vtd_hw_cfg cfg;
	char err[160];
	vtd_hw_cfg_default(&cfg);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "cap=0x00C9008020660262", err, sizeof(err)), 0);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "ecap=0xF0101A", err, sizeof(err)), 0);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "ver=0x10", err, sizeof(err)), 0);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "rev=3", err, sizeof(err)), 0);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "haw=39", err, sizeof(err)), 0);
	ck_assert_u64_eq(cfg.cap, 0x00C9008020660262ull);
	ck_assert_u64_eq(cfg.ecap, 0xF0101Aull);
	ck_assert_uint_eq(cfg.ver, 0x10);
	ck_assert_int_eq(cfg.rev, VTD_REV_3);
	ck_assert_uint_eq(cfg.haw, 39);
	ck_assert_int_eq(vtd_hw_cfg_check(&cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "iotlb_entries=128", err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache[VTD_CACHE_IOTLB].sets, 1);
	ck_assert_uint_eq(cfg.cache[VTD_CACHE_IOTLB].ways, 128);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "ctx_cache_sets=8", err, sizeof(err)), 0);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "ctx_cache_ways=2", err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache[VTD_CACHE_CTX].sets, 8);
	ck_assert_uint_eq(cfg.cache[VTD_CACHE_CTX].ways, 2);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "ss_psc_entries=0", err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache[VTD_CACHE_SSPSC].sets, 0);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "pasid_cache_entries=1K", err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache[VTD_CACHE_PASID].ways, 1024);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "repl=random", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.repl, IMS_CACHE_RANDOM);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "repl=lru", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.repl, IMS_CACHE_LRU);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "seed=42", err, sizeof(err)), 0);
	ck_assert_u64_eq(cfg.seed, 42);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "walk_read=100", err, sizeof(err)), 0);
	ck_assert_u64_eq(ims_cost_get(&cfg.cost, "walk_read", NULL), 100);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "part=default", err, sizeof(err)), 0);
	ck_assert_u64_eq(ims_cost_get(&cfg.cost, "walk_read", NULL), 280);
	ck_assert_uint_eq(cfg.ver, 0x60);

	/* Errors name the key. */
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "bogus=1", err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "bogus"));
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "cap", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "=5", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "cap=zz", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "cap"));
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "rev=4", err, sizeof(err)), -ERANGE);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "haw=60", err, sizeof(err)), -ERANGE);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "ver=0x100000000", err, sizeof(err)), -ERANGE);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "iotlb_sets=0x2000000", err, sizeof(err)), -ERANGE);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "part=none", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "repl=fifo", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "walk_read=1G1", err, sizeof(err)), -EINVAL);
	char longkey[100];
	memset(longkey, 'k', sizeof(longkey) - 3);
	strcpy(longkey + sizeof(longkey) - 3, "=1");
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, longkey, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(vtd_hw_cfg_preset(&cfg, "unknown"), -ENOENT);
	ck_assert_int_eq(vtd_hw_cfg_preset(NULL, "snb"), -ENOENT);
}
END_TEST

/* vtd_hw_cfg_check refuses what no part can be, naming the field. */
START_TEST(configuration_checks)
{
	static const struct {
		uint64_t cap_clear, cap_set, ecap_clear, ecap_set;
		int rev;
		unsigned haw;
		const char *word;
	} bad[] = {
		{ 0, 7, 0, 0, 5, 52, "ND" },
		{ VTD_M(37, 34), VTD_CAP_SSLPS_V(2), 0, 0, 5, 52, "SSLPS" },
		{ VTD_M(21, 16), VTD_CAP_MGAW_V(10), 0, 0, 5, 52, "MGAW" },
		{ VTD_M(33, 24), VTD_CAP_FRO_V(0x8), 0, 0, 5, 52, "FRO" },
		{ VTD_M(33, 24), VTD_CAP_FRO_V(0x50), 0, 0, 5, 52, "FRO" },
		{ VTD_M(33, 24), VTD_CAP_FRO_V(0x10), 0, VTD_ECAP_MTS, 5, 52, "FRO" },
		{ 0, 0, VTD_ECAP_QI, 0, 5, 52, "QI" },
		{ 0, 0, VTD_ECAP_FSTS, 0, 5, 52, "NEST" },
		{ 0, 0, VTD_ECAP_DT, 0, 5, 52, "PRS" },
		{ 0, 0, VTD_ECAP_SMPWCS, 0, 5, 52, "SSADS" },
		{ 0, 0, 0, VTD_ECAP_ERS, 5, 52, "ERS" },
		{ 0, 0, 0, 0, 3, 52, "5.x" },
		{ 0, 0, 0, 0, 4, 52, "rev" },
		{ 0, 0, 0, 0, 5, 31, "haw" },
	};
	char err[200];
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vtd_hw_cfg cfg;
		vtd_hw_cfg_default(&cfg);
		cfg.cap = (cfg.cap & ~bad[i].cap_clear) | bad[i].cap_set;
		cfg.ecap = (cfg.ecap & ~bad[i].ecap_clear) | bad[i].ecap_set;
		cfg.rev = (enum vtd_rev)bad[i].rev;
		cfg.haw = bad[i].haw;
		ck_assert_msg(vtd_hw_cfg_check(&cfg, err, sizeof(err)) == -EINVAL, "case %u", i);
		ck_assert_msg(strstr(err, bad[i].word) != NULL, "case %u: '%s'", i, err);
		struct ims_mem *mem = ims_mem_new();
		ck_assert_ptr_null(vtd_hw_create(mem, &cfg, err, sizeof(err)));
		ims_mem_free(mem);
	}
	struct vtd_hw_cfg cfg;
	vtd_hw_cfg_default(&cfg);
	cfg.cache[VTD_CACHE_IOTLB].sets = 0;
	ck_assert_int_eq(vtd_hw_cfg_check(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "iotlb"));
	vtd_hw_cfg_default(&cfg);
	cfg.cost.param = NULL;
	ck_assert_int_eq(vtd_hw_cfg_check(&cfg, err, sizeof(err)), -EINVAL);
	vtd_hw_cfg_default(&cfg);
	cfg.cost.val[0] = 0; /* clock_mhz below its minimum */
	ck_assert_int_eq(vtd_hw_cfg_check(&cfg, err, sizeof(err)), -ERANGE);
	ck_assert_int_eq(vtd_hw_cfg_check(NULL, err, sizeof(err)), -EINVAL);
	vtd_hw_cfg_default(&cfg);
	ck_assert_ptr_null(vtd_hw_create(NULL, &cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "memory"));
	/* NULL tolerated wherever a unit is expected. */
	vtd_hw_destroy(NULL);
	ck_assert_u64_eq(vtd_hw_mmio_size(NULL), 0);
	ck_assert_ptr_null(vtd_hw_last(NULL));
	ck_assert_ptr_null(vtd_hw_stats(NULL));
	ck_assert_ptr_null(vtd_hw_cost(NULL));
	ck_assert_ptr_null(vtd_hw_cache(NULL, VTD_CACHE_IOTLB));
	ck_assert(!vtd_hw_devmsg_pop(NULL, NULL));
	ck_assert(!vtd_hw_msi_pop(NULL, NULL));
	vtd_hw_set_device_ats(NULL, 0, VTD_ATS_TIMEOUT);
	vtd_hw_stats_publish(NULL, NULL, NULL);
	struct ims_dma_result r;
	vtd_hw_dma(NULL, NULL, &r);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	vtd_hw_dma(NULL, NULL, NULL);
}
END_TEST

START_TEST(statistics_and_names)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_iq_enable(&b, 0, true);
	ck_assert(vtdb_iq_sync(&b, NULL, 0));
	vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x1000, IMS_PT_ACC_R);
	struct ims_stats *s = ims_stats_new();
	vtd_hw_stats_publish(b.hw, s, "vtd0.");
	ck_assert_u64_eq(ims_stats_get(s, "vtd0.dma"), 1);
	ck_assert_u64_eq(ims_stats_get(s, "vtd0.dma.fault"), 1);
	ck_assert_u64_eq(ims_stats_get(s, "vtd0.fault.0x39"), 1);
	ck_assert_u64_eq(ims_stats_get(s, "vtd0.dsc.inv_wait"), 1);
	ck_assert_u64_eq(ims_stats_get(s, "vtd0.cache.ctx_cache.lookups"), 1);
	ck_assert_u64_eq(ims_stats_get(s, "vtd0.config_reads"), 1);
	ck_assert_uint_eq(ims_stats_hist(s, "vtd0.dma.cycles")->count, 1);
	ck_assert_uint_eq(ims_stats_hist(s, "vtd0.cmd.cycles")->count, 1);
	vtd_hw_stats_publish(b.hw, s, NULL);
	ck_assert_u64_eq(ims_stats_get(s, "dma"), 1);
	ims_stats_free(s);
	ck_assert_ptr_nonnull(vtd_hw_cache(b.hw, VTD_CACHE_IOTLB));
	ck_assert_ptr_null(vtd_hw_cache(b.hw, VTD_NCACHES));
	vtdb_fini(&b);

	/* Every fault reason the model produces has the spec's name. */
	static const unsigned frs[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
		0x30, 0x31, 0x32, 0x33, 0x34, 0x38, 0x39, 0x3A, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45,
		0x46, 0x47, 0x48, 0x49, 0x50, 0x51, 0x52, 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x70,
		0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x80,
		0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x89, 0x90, 0x91,
	};
	for (unsigned i = 0; i < sizeof(frs) / sizeof(frs[0]); i++)
		ck_assert_msg(strcmp(vtd_fault_reason_name(frs[i]), "reserved") != 0, "0x%x", frs[i]);
	ck_assert_str_eq(vtd_fault_reason_name(0x88), "reserved");
	ck_assert_ptr_nonnull(strstr(vtd_fault_reason_name(0x41), "SCT.2"));
}
END_TEST

/* The logs of device messages and interrupts are bounded: the oldest is
 * dropped, and counted. */
START_TEST(bounded_logs_drop_the_oldest)
{
	struct vtdb b;
	struct vtd_devmsg m;
	struct vtd_msi msi;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_iq_enable(&b, 0, true);
	vtdb_w32(&b, VTD_REG_IECTL, 0);
	for (unsigned i = 0; i < 70; i++) {
		uint64_t d[2][4] = { { VTD_DSC_DEVTLB | ((uint64_t)i << 32), 0, 0, 0 },
				     { VTD_DSC_WAIT | VTD_DSC_WAIT_IF, 0, 0, 0 } };
		vtdb_iq_post(&b, d, 2);
		vtdb_w32(&b, VTD_REG_ICS, VTD_ICS_IWC);
	}
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->devmsg_lost, 6);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->msi_lost, 6);
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_uint_eq(m.sid, 6);
	ck_assert(vtd_hw_msi_pop(b.hw, &msi));
	unsigned n = 1;
	while (vtd_hw_devmsg_pop(b.hw, NULL))
		n++;
	ck_assert_uint_eq(n, 64);
	n = 1;
	while (vtd_hw_msi_pop(b.hw, NULL))
		n++;
	ck_assert_uint_eq(n, 64);
	vtdb_fini(&b);
}
END_TEST

/* A part without context or PASID caches reads its structures every time;
 * statistics list only the caches it has. */
START_TEST(part_without_configuration_caches)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f;
	uint64_t pe[8];
	vtd_hw_cfg_default(&cfg);
	cfg.cache[VTD_CACHE_CTX] = cfg.cache[VTD_CACHE_PASID] = (struct vtd_cache_geom){ 0, 0 };
	cfg.cache[VTD_CACHE_IOTLB] = (struct vtd_cache_geom){ 0, 0 };
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, 0x10, VTD_SCE_PASIDE, 0, 0);
	vtdb_ss_fmt(&b, &f, 4, 0);
	uint64_t root = vtdb_pt_root(&b, &f);
	vtdb_map(&b, &f, root, 0x1000, 0x80000000ull, 0x1000, IMS_PT_PROT_R);
	vtdb_pe_make(&(struct vtdb_pe){ .pgtt = VTD_PGTT_SS, .aw = 2, .did = 1, .ssptptr = root },
		     pe);
	vtdb_pasid_entry(&b, dir, 0, pe);
	for (int i = 0; i < 2; i++) {
		struct ims_dma_result r = vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x1000, IMS_PT_ACC_R);
		ck_assert_int_eq(r.status, IMS_DMA_OK);
		ck_assert_uint_eq(vtd_hw_last(b.hw)->config_reads, 4);
	}
	struct ims_stats *s = ims_stats_new();
	vtd_hw_stats_publish(b.hw, s, "");
	ck_assert_u64_eq(ims_stats_get(s, "cache.ss_psc.hits"), 1);
	ck_assert_u64_eq(ims_stats_get(s, "cache.ctx_cache.lookups"), 0);
	ims_stats_free(s);
	vtdb_fini(&b);
}
END_TEST

/* Two units over one memory are independent (no global state). */
START_TEST(units_are_independent)
{
	struct vtdb b;
	char err[100];
	vtdb_init(&b, NULL);
	struct vtd_hw *other = vtd_hw_create(b.mem, &b.cfg, err, sizeof(err));
	ck_assert_ptr_nonnull(other);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x1000, IMS_PT_ACC_R);
	uint32_t st = 1;
	ck_assert_int_eq(vtd_hw_mmio_read32(other, VTD_REG_GSTS, &st), 0);
	ck_assert_uint_eq(st, 0);
	ck_assert_u64_eq(vtd_hw_stats(other)->dma, 0);
	vtd_hw_destroy(other);
	vtdb_fini(&b);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_hw_regs");
	TCase *tc = tcase_create("regs");
	tcase_add_test(tc, reset_state_reflects_the_configured_part);
	tcase_add_test(tc, access_rules);
	tcase_add_test(tc, register_masks_and_storage);
	tcase_add_test(tc, global_command_semantics);
	tcase_add_test(tc, fault_registers_beyond_the_first_page);
	tcase_add_test(tc, configuration_settings);
	tcase_add_test(tc, configuration_checks);
	tcase_add_test(tc, statistics_and_names);
	tcase_add_test(tc, bounded_logs_drop_the_oldest);
	tcase_add_test(tc, units_are_independent);
	tcase_add_test(tc, part_without_configuration_caches);
	suite_add_tcase(s, tc);
	return s;
}
