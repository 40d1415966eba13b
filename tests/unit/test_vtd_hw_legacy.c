/* SPDX-License-Identifier: MIT */
/*
 * VT-d hardware, legacy mode (TTM=00): root and context entries, second-
 * stage walks of 3, 4 and 5 levels with 4 KiB, 2 MiB and 1 GiB pages,
 * pass-through, ATS request types, every legacy fault reason (SPEC 3.4.2,
 * 9.1, 9.3, 7.1.3 Table 30; digest §2.2, §3.2, §4.1) and register-based
 * invalidation (SPEC 6.5.1).  Driven through registers, memory written by
 * hand and DMA only.
 */
#include "tests/unit/tharness.h"
#include "tests/unit/vtd_build.h"

#define SID 0x0310 /* bus 3, device 2, function 0 */
#define DID 5
#define DATA 0x80000000ull

static const unsigned R = IMS_PT_ACC_R, W = IMS_PT_ACC_W;
static const unsigned RW = IMS_PT_PROT_R | IMS_PT_PROT_W;

/* The fault fr was reported and is the last FRCD written (index n). */
static void expect_recorded(struct vtdb *b, const struct ims_dma_result *r, unsigned fr, unsigned n,
			    uint16_t sid, uint64_t addr)
{
	uint64_t q0, q1;

	ck_assert_int_eq(r->status, IMS_DMA_FAULT);
	ck_assert_uint_eq(r->fault, fr);
	ck_assert(r->reported);
	vtdb_frcd(b, n, &q0, &q1);
	ck_assert(q1 & VTD_FRCD_F);
	ck_assert_uint_eq(VTD_FRCD_FR(q1), fr);
	ck_assert_uint_eq(VTD_FRCD_SID(q1), sid);
	ck_assert_u64_eq(q0, addr & ~0xFFFull);
}

static void expect_fault(struct vtdb *b, uint16_t sid, uint64_t addr, unsigned acc, unsigned fr)
{
	struct ims_dma_result r = vtdb_dma(b, sid, IMS_NO_PASID, addr, acc);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_msg(r.fault == fr, "fault 0x%x, expected 0x%x", r.fault, fr);
}

START_TEST(legacy_4level_4k_translates_and_hits_the_iotlb)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t root = vtdb_legacy_setup(&b, SID, DID, &f);
	vtdb_map(&b, &f, root, 0x1234000, DATA + 0x5000, 0x1000, RW);

	struct ims_dma_result r = vtdb_dma(&b, SID, IMS_NO_PASID, 0x1234abc, R);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x5abc);
	ck_assert_uint_eq(r.size_shift, 12);
	ck_assert(!r.iotlb_hit);
	/* Root + context entry, then four SS levels. */
	ck_assert_uint_eq(vtd_hw_last(b.hw)->config_reads, 2);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->walk_reads, 4);
	ck_assert_uint_eq(r.mem_reads, 6);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->did, DID);

	r = vtdb_dma(&b, SID, IMS_NO_PASID, 0x1234ff0, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert(r.iotlb_hit);
	ck_assert_u64_eq(r.pa, DATA + 0x5ff0);
	ck_assert_uint_eq(r.mem_reads, 0);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->iotlb_hits, 1);
	vtdb_fini(&b);
}
END_TEST

/* 3, 4 and 5 levels (AW 1..3) with every leaf size SSLPS allows; a walk
 * reads one entry per level down to the leaf. */
START_TEST(legacy_every_level_count_and_page_size)
{
	static const struct {
		unsigned shift, leaf_level;
	} sizes[] = { { 12, 0 }, { 21, 1 }, { 30, 2 } };

	for (unsigned levels = 3; levels <= 5; levels++) {
		for (unsigned s = 0; s < 3; s++) {
			struct vtdb b;
			struct ims_pt_fmt f;
			uint64_t sz = 1ull << sizes[s].shift;
			uint64_t iova = 7 * (1ull << 30) + 3 * sz; /* below 2^39 */
			vtdb_init(&b, NULL);
			vtdb_root(&b, VTD_TTM_LEGACY, true);
			vtdb_ss_fmt(&b, &f, levels, 0);
			uint64_t root = vtdb_pt_root(&b, &f);
			vtdb_legacy_ctx_ss(&b, SID, VTD_TT_SS, levels - 2, DID, root);
			vtdb_map(&b, &f, root, iova, 0x40000000ull * 4, sz, RW);

			struct ims_dma_result r = vtdb_dma(&b, SID, IMS_NO_PASID, iova + sz - 8, W);
			ck_assert_int_eq(r.status, IMS_DMA_OK);
			ck_assert_u64_eq(r.pa, 0x40000000ull * 4 + sz - 8);
			ck_assert_uint_eq(r.size_shift, sizes[s].shift);
			ck_assert_uint_eq(vtd_hw_last(b.hw)->walk_reads, levels - sizes[s].leaf_level);
			/* The large entry covers the whole page: a hit anywhere in it. */
			r = vtdb_dma(&b, SID, IMS_NO_PASID, iova, R);
			ck_assert(r.iotlb_hit);
			ck_assert_u64_eq(r.pa, 0x40000000ull * 4);
			vtdb_fini(&b);
		}
	}
}
END_TEST

START_TEST(root_not_present_is_reported_even_with_fpd)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	struct ims_dma_result r = vtdb_dma(&b, 0x2200, IMS_NO_PASID, 0x5000, W);
	expect_recorded(&b, &r, VTD_FR_LRT_2, 0, 0x2200, 0x5000);
	vtdb_fini(&b);
}
END_TEST

START_TEST(context_not_present_honours_fpd_in_the_absent_entry)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_legacy_ctx(&b, SID, 0, 0);
	struct ims_dma_result r = vtdb_dma(&b, SID, IMS_NO_PASID, 0x7000, R);
	expect_recorded(&b, &r, VTD_FR_LCT_2, 0, SID, 0x7000);

	/* FPD is checked even though P=0 (SPEC 9.3): suppressed, no record. */
	vtdb_legacy_ctx(&b, SID + 1, VTD_CE_FPD, 0);
	r = vtdb_dma(&b, SID + 1, IMS_NO_PASID, 0x7000, R);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_uint_eq(r.fault, VTD_FR_LCT_2);
	ck_assert(!r.reported);
	uint64_t q0, q1;
	vtdb_frcd(&b, 1, &q0, &q1);
	ck_assert(!(q1 & VTD_FRCD_F));
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->faults_suppressed, 1);
	vtdb_fini(&b);
}
END_TEST

START_TEST(invalid_context_entries_fault_0x3)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t root = vtdb_legacy_setup(&b, SID, DID, &f);
	/* AW=0 (30-bit, reserved in SAGAW), AW=4, TT=11. */
	vtdb_legacy_ctx_ss(&b, 0x0001, VTD_TT_SS, 0, DID, root);
	expect_fault(&b, 0x0001, 0x1000, R, VTD_FR_LCT_4);
	vtdb_legacy_ctx_ss(&b, 0x0002, VTD_TT_SS, 4, DID, root);
	expect_fault(&b, 0x0002, 0x1000, R, VTD_FR_LCT_4);
	vtdb_legacy_ctx_ss(&b, 0x0003, VTD_TT_RSVD, 2, DID, root);
	expect_fault(&b, 0x0003, 0x1000, R, VTD_FR_LCT_4);
	/* Error reading the SS root is also LCT.4. */
	uint64_t bad_root = 0x70000000;
	ck_assert_int_eq(ims_mem_add_abort(b.mem, bad_root, bad_root + 0xFFF), 0);
	vtdb_legacy_ctx_ss(&b, 0x0004, VTD_TT_SS, 2, DID, bad_root);
	expect_fault(&b, 0x0004, 0x1000, R, VTD_FR_LCT_4);
	vtdb_fini(&b);
}
END_TEST

/* A part without ATS or pass-through (Sandy Bridge): TT=01 and TT=10 are
 * unsupported translation types. */
START_TEST(snb_part_rejects_tt_it_does_not_have)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f;
	ck_assert_int_eq(vtd_hw_cfg_preset(&cfg, "snb"), 0);
	vtdb_init(&b, &cfg);
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_ss_fmt(&b, &f, 3, 0);
	uint64_t root = vtdb_pt_root(&b, &f);
	vtdb_map(&b, &f, root, 0x3000, DATA, 0x1000, RW);
	vtdb_legacy_ctx_ss(&b, 0x10, VTD_TT_SS, 1, 3, root);
	ck_assert_int_eq(vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x3008, R).status, IMS_DMA_OK);
	vtdb_legacy_ctx_ss(&b, 0x11, VTD_TT_SS_ATS, 1, 3, root);
	expect_fault(&b, 0x11, 0x3008, R, VTD_FR_LCT_4);
	vtdb_legacy_ctx_ss(&b, 0x12, VTD_TT_PT, 1, 3, root);
	expect_fault(&b, 0x12, 0x3008, R, VTD_FR_LCT_4);
	/* 4-level is not in this part's SAGAW. */
	vtdb_legacy_ctx_ss(&b, 0x13, VTD_TT_SS, 2, 3, root);
	expect_fault(&b, 0x13, 0x3008, R, VTD_FR_LCT_4);
	/* ND=2: 8-bit domain IDs; DID bit 8 is reserved (LCT.3). */
	vtdb_legacy_ctx_ss(&b, 0x14, VTD_TT_SS, 1, 0x100, root);
	expect_fault(&b, 0x14, 0x3008, R, VTD_FR_LCT_3);
	vtdb_fini(&b);
}
END_TEST

START_TEST(address_beyond_agaw_faults_0x4)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_ss_fmt(&b, &f, 3, 0);
	uint64_t root = vtdb_pt_root(&b, &f);
	vtdb_legacy_ctx_ss(&b, SID, VTD_TT_SS, 1, DID, root);
	vtdb_map(&b, &f, root, (1ull << 39) - 0x1000, DATA, 0x1000, RW);
	ck_assert_int_eq(vtdb_dma(&b, SID, IMS_NO_PASID, (1ull << 39) - 8, R).status,
			 IMS_DMA_OK);
	expect_fault(&b, SID, 1ull << 39, R, VTD_FR_LGN_1);
	expect_fault(&b, SID, ~0ull & ~0xFFFull, W, VTD_FR_LGN_1);
	vtdb_fini(&b);
}
END_TEST

START_TEST(permissions_write_read_and_zero_length_reads)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t root = vtdb_legacy_setup(&b, SID, DID, &f);
	vtdb_map(&b, &f, root, 0x10000, DATA, 0x1000, IMS_PT_PROT_R);
	vtdb_map(&b, &f, root, 0x20000, DATA + 0x1000, 0x1000, IMS_PT_PROT_W);
	expect_fault(&b, SID, 0x10000, W, VTD_FR_LGN_2);
	expect_fault(&b, SID, 0x10000, R | W, VTD_FR_LGN_2); /* an atomic needs both */
	expect_fault(&b, SID, 0x20000, R, VTD_FR_LGN_3);
	ck_assert_int_eq(vtdb_dma(&b, SID, IMS_NO_PASID, 0x20008, W).status, IMS_DMA_OK);
	/* Not present: by access type. */
	expect_fault(&b, SID, 0x30000, W, VTD_FR_LGN_2);
	expect_fault(&b, SID, 0x30000, R, VTD_FR_LGN_3);

	/* CAP.ZLR: a zero-length read of a write-only page completes. */
	struct ims_dma_req zl = { .sid = SID, .pasid = IMS_NO_PASID, .addr = 0x20010, .len = 0,
				  .access = R };
	struct ims_dma_result r;
	vtd_hw_dma(b.hw, &zl, &r);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x1010);

	/* The same through a walk (nothing cached yet). */
	vtdb_map(&b, &f, root, 0x21000, DATA + 0x2000, 0x1000, IMS_PT_PROT_W);
	zl.addr = 0x21010;
	vtd_hw_dma(b.hw, &zl, &r);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert(!r.iotlb_hit);
	ck_assert_u64_eq(r.pa, DATA + 0x2010);
	vtdb_fini(&b);

	/* Without ZLR it is an ordinary read. */
	struct vtd_hw_cfg cfg;
	vtd_hw_cfg_default(&cfg);
	cfg.cap &= ~VTD_CAP_ZLR;
	vtdb_init(&b, &cfg);
	root = vtdb_legacy_setup(&b, SID, DID, &f);
	vtdb_map(&b, &f, root, 0x20000, DATA + 0x1000, 0x1000, IMS_PT_PROT_W);
	ck_assert_int_eq(vtdb_dma(&b, SID, IMS_NO_PASID, 0x20008, W).status, IMS_DMA_OK);
	vtd_hw_dma(b.hw, &zl, &r);
	ck_assert_uint_eq(r.fault, VTD_FR_LGN_3);
	vtdb_fini(&b);
}
END_TEST

START_TEST(read_errors_give_0x7_0x8_0x9)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t root = vtdb_legacy_setup(&b, SID, DID, &f);
	vtdb_map(&b, &f, root, 0x40000, DATA, 0x1000, RW);
	/* The SS page table (level 0) sits in an abort range. */
	uint64_t pte = vtdb_leaf_addr(&b, &f, root, 0x40000);
	ck_assert_int_eq(ims_mem_add_abort(b.mem, pte & ~0xFFFull, pte | 0xFFF), 0);
	expect_fault(&b, SID, 0x40000, R, VTD_FR_LSS_1);
	ims_mem_clear_aborts(b.mem);
	ck_assert_int_eq(vtdb_dma(&b, SID, IMS_NO_PASID, 0x40000, R).status, IMS_DMA_OK);

	/* Context table unreadable: LCT.1, and non-qualified (FPD ignored). */
	uint64_t ct = b.ctx[SID >> 8][0];
	vtdb_legacy_ctx(&b, SID + 1, VTD_CE_FPD | root | VTD_CE_P, 2 | (DID << 8));
	ck_assert_int_eq(ims_mem_add_abort(b.mem, ct, ct + 0xFFF), 0);
	struct ims_dma_result r = vtdb_dma(&b, SID + 1, IMS_NO_PASID, 0x40000, R);
	expect_recorded(&b, &r, VTD_FR_LCT_1, 1, SID + 1, 0x40000);
	/* Root table unreadable: LRT.1. */
	ims_mem_add_abort(b.mem, b.root, b.root + 0xFFF);
	r = vtdb_dma(&b, 0x0700, IMS_NO_PASID, 0x40000, R);
	expect_recorded(&b, &r, VTD_FR_LRT_1, 2, 0x0700, 0x40000);
	vtdb_fini(&b);
}
END_TEST

START_TEST(reserved_bits_give_0xa_0xb_0xc)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t root = vtdb_legacy_setup(&b, SID, DID, &f);
	vtdb_map(&b, &f, root, 0x40000, DATA, 0x1000, RW);

	/* Root entry: bit 1, or anything in QW1. */
	vtdb_legacy_ctx_ss(&b, 0x0500, VTD_TT_SS, 2, DID, root);
	vtdb_m64(&b, b.root + 16 * 5, vtdb_rm64(&b, b.root + 16 * 5) | 2);
	expect_fault(&b, 0x0500, 0x40000, R, VTD_FR_LRT_3);
	vtdb_m64(&b, b.root + 16 * 5, vtdb_rm64(&b, b.root + 16 * 5) & ~2ull);
	vtdb_m64(&b, b.root + 16 * 5 + 8, 1ull << 40);
	expect_fault(&b, 0x0500, 0x40000, R, VTD_FR_LRT_3);

	/* Context entry: bits 11:4, bit 71, bits 127:88, SSPTPTR above HAW. */
	vtdb_legacy_ctx(&b, 0x0301, root | VTD_CE_P | (1 << 4), 2 | (DID << 8));
	expect_fault(&b, 0x0301, 0x40000, R, VTD_FR_LCT_3);
	vtdb_legacy_ctx(&b, 0x0302, root | VTD_CE_P, 2 | (DID << 8) | (1 << 7));
	expect_fault(&b, 0x0302, 0x40000, R, VTD_FR_LCT_3);
	vtdb_legacy_ctx(&b, 0x0303, root | VTD_CE_P, 2 | (DID << 8) | (1ull << 40));
	expect_fault(&b, 0x0303, 0x40000, R, VTD_FR_LCT_3);
	vtdb_legacy_ctx(&b, 0x0304, root | VTD_CE_P | (1ull << 60), 2 | (DID << 8));
	expect_fault(&b, 0x0304, 0x40000, R, VTD_FR_LCT_3);

	/* SS entry: PS in the PML4E, SNP in a non-leaf. */
	uint64_t pml4e = root + 8 * 0;
	uint64_t v = vtdb_rm64(&b, pml4e);
	vtdb_m64(&b, pml4e, v | (1 << 7));
	expect_fault(&b, SID, 0x40000, R, VTD_FR_LSS_2);
	vtdb_m64(&b, pml4e, v | (1 << 11));
	expect_fault(&b, SID, 0x40000, R, VTD_FR_LSS_2);
	vtdb_m64(&b, pml4e, v);
	ck_assert_int_eq(vtdb_dma(&b, SID, IMS_NO_PASID, 0x40000, R).status, IMS_DMA_OK);
	vtdb_fini(&b);
}
END_TEST

START_TEST(ats_request_types_follow_tt)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	struct ims_dma_result r;
	vtdb_init(&b, NULL);
	uint64_t root = vtdb_legacy_setup(&b, SID, DID, &f);
	vtdb_map(&b, &f, root, 0x40000, DATA, 0x1000, IMS_PT_PROT_R);

	/* TT=00 blocks translation and translated requests (LCT.5). */
	r = vtdb_dma_t(&b, IMS_DMA_TRANSLATION, SID, IMS_NO_PASID, 0x40000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_LCT_5);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	r = vtdb_dma_t(&b, IMS_DMA_TRANSLATED, SID, IMS_NO_PASID, DATA, W);
	ck_assert_uint_eq(r.fault, VTD_FR_LCT_5);

	/* TT=01: a translation returns the effective rights. */
	vtdb_legacy_ctx_ss(&b, SID + 1, VTD_TT_SS_ATS, 2, DID, root);
	r = vtdb_dma_t(&b, IMS_DMA_TRANSLATION, SID + 1, IMS_NO_PASID, 0x40000, R | W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA);
	ck_assert(r.perms & IMS_PT_UR);
	ck_assert(!(r.perms & IMS_PT_UW));
	/* Not present: success with R=W=0, not recorded. */
	r = vtdb_dma_t(&b, IMS_DMA_TRANSLATION, SID + 1, IMS_NO_PASID, 0x90000, R);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_uint_eq(r.perms, 0);
	ck_assert_uint_eq(r.fault, VTD_FR_LGN_3);
	ck_assert(!r.reported);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->faults_recorded, 2);
	/* Translated requests pass with their HPA, within HAW. */
	r = vtdb_dma_t(&b, IMS_DMA_TRANSLATED, SID + 1, IMS_NO_PASID, DATA + 0x123, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x123);
	r = vtdb_dma_t(&b, IMS_DMA_TRANSLATED, SID + 1, IMS_NO_PASID, 1ull << 52, W);
	ck_assert_uint_eq(r.fault, VTD_FR_LGN_1);
	/* The interrupt range: write-only, untranslated-only, no fault. */
	r = vtdb_dma_t(&b, IMS_DMA_TRANSLATION, SID + 1, IMS_NO_PASID, 0xFEE00040ull, R | W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_uint_eq(r.perms, IMS_PT_PW | IMS_PT_UW);
	ck_assert_uint_eq(r.fault, 0);
	/* A structural error in an ATS translation is a fault (CA). */
	vtdb_legacy_ctx_ss(&b, SID + 2, VTD_TT_SS_ATS, 0, DID, root);
	r = vtdb_dma_t(&b, IMS_DMA_TRANSLATION, SID + 2, IMS_NO_PASID, 0x40000, R);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_uint_eq(r.fault, VTD_FR_LCT_4);
	vtdb_fini(&b);
}
END_TEST

START_TEST(output_in_interrupt_range_faults_0xe)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t root = vtdb_legacy_setup(&b, SID, DID, &f);
	vtdb_map(&b, &f, root, 0x40000, 0xFEE00000ull, 0x1000, RW);
	expect_fault(&b, SID, 0x40010, W, VTD_FR_LGN_4);
	vtdb_fini(&b);
}
END_TEST

START_TEST(pasid_and_page_requests_are_blocked_in_legacy_mode)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	vtdb_legacy_setup(&b, SID, DID, &f);
	struct ims_dma_result r = vtdb_dma(&b, SID, 7, 0x40000, R);
	expect_recorded(&b, &r, VTD_FR_RTA_2, 0, SID, 0x40000);
	uint64_t q0, q1;
	vtdb_frcd(&b, 0, &q0, &q1);
	ck_assert(q1 & VTD_FRCD_PP);
	ck_assert_uint_eq(VTD_FRCD_PV(q1), 7);
	r = vtdb_dma_t(&b, IMS_DMA_PAGE_REQUEST, SID, IMS_NO_PASID, 0x40000, R);
	expect_recorded(&b, &r, VTD_FR_RTA_3, 1, SID, 0x40000);
	vtdb_fini(&b);
}
END_TEST

START_TEST(pass_through_and_translation_disabled)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_LEGACY, false);
	/* TES=0: everything passes untranslated, no table is read. */
	struct ims_dma_result r = vtdb_dma(&b, SID, IMS_NO_PASID, 0x123456789ull, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, 0x123456789ull);
	ck_assert_uint_eq(r.mem_reads, 0);
	r = vtdb_dma_t(&b, IMS_DMA_PAGE_REQUEST, SID, IMS_NO_PASID, 0x1000, R);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert(!r.reported);

	vtdb_gcmd(&b, VTD_GCMD_TE, true);
	vtdb_legacy_ctx(&b, SID, VTD_CE_P | (VTD_TT_PT << 2), 3 | (DID << 8));
	r = vtdb_dma(&b, SID, IMS_NO_PASID, 0x123456789ull, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, 0x123456789ull);
	/* Beyond HAW (52 bits): LGN.1. */
	expect_fault(&b, SID, 1ull << 52, W, VTD_FR_LGN_1);
	vtdb_fini(&b);
}
END_TEST

/* Caching mode (CM=1, as a virtual IOMMU reports): a not-present context
 * entry and a not-present SS entry are cached, so the page that was mapped
 * afterwards keeps faulting until the invalidation software owes arrives.
 * With CM=0 nothing that faulted is cached. */
START_TEST(caching_mode_caches_not_present_entries)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f;
	vtd_hw_cfg_default(&cfg);
	cfg.ver = 0x10; /* register-based invalidation available */
	cfg.cap |= VTD_CAP_CM;
	vtdb_init(&b, &cfg);
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_ss_fmt(&b, &f, 4, 0);
	uint64_t root = vtdb_pt_root(&b, &f);
	vtdb_legacy_ctx(&b, SID, 0, 0);
	expect_fault(&b, SID, 0x40000, R, VTD_FR_LCT_2);
	vtdb_legacy_ctx_ss(&b, SID, VTD_TT_SS, 2, DID, root);
	expect_fault(&b, SID, 0x40000, R, VTD_FR_LCT_2); /* stale: cached not-present */
	/* Domain-selective context invalidation with DID 0 (CM tags them 0). */
	vtdb_w64(&b, VTD_REG_CCMD, VTD_CCMD_ICC | (2ull << 61) | 0);
	ck_assert_uint_eq((vtdb_r64(&b, VTD_REG_CCMD) >> VTD_CCMD_CAIG_SHIFT) & 3, 2);
	expect_fault(&b, SID, 0x40000, R, VTD_FR_LGN_3); /* now the SS walk: not present */
	vtdb_map(&b, &f, root, 0x40000, DATA, 0x1000, RW);
	expect_fault(&b, SID, 0x40000, R, VTD_FR_LGN_3); /* cached not-present leaf */
	uint64_t iva = 16ull * VTD_ECAP_IRO(cfg.ecap);
	vtdb_w64(&b, iva, 0x40000);
	vtdb_w64(&b, iva + 8, VTD_IOTLB_IVT | (3ull << 60) | ((uint64_t)DID << 32));
	ck_assert_uint_eq((vtdb_r64(&b, iva + 8) >> VTD_IOTLB_IAIG_SHIFT) & 3, 3);
	ck_assert_int_eq(vtdb_dma(&b, SID, IMS_NO_PASID, 0x40000, R).status, IMS_DMA_OK);
	/* DID 0 is reserved in a present context entry when CM=1. */
	vtdb_legacy_ctx_ss(&b, SID + 1, VTD_TT_SS, 2, 0, root);
	expect_fault(&b, SID + 1, 0x40000, R, VTD_FR_LCT_3);
	vtdb_fini(&b);

	/* CM=0: mapping after a fault needs no invalidation. */
	vtdb_init(&b, NULL);
	root = vtdb_legacy_setup(&b, SID, DID, &f);
	expect_fault(&b, SID, 0x40000, R, VTD_FR_LGN_3);
	vtdb_map(&b, &f, root, 0x40000, DATA, 0x1000, RW);
	ck_assert_int_eq(vtdb_dma(&b, SID, IMS_NO_PASID, 0x40000, R).status, IMS_DMA_OK);
	vtdb_fini(&b);
}
END_TEST

/* Register-based invalidation (SPEC 6.5.1): legacy mode on a VER < 6 part.
 * The context cache keeps an entry until CCMD removes it; the IOTLB keeps a
 * translation until IOTLB_REG does, at the granularity the part performed
 * (reported in CAIG/IAIG). */
START_TEST(register_based_invalidation_scope)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f;
	ck_assert_int_eq(vtd_hw_cfg_preset(&cfg, "snb"), 0);
	vtdb_init(&b, &cfg);
	uint64_t iva = 16ull * VTD_ECAP_IRO(cfg.ecap), iotlb = iva + 8;
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_ss_fmt(&b, &f, 3, 0);
	uint64_t root = vtdb_pt_root(&b, &f);
	uint64_t root2 = vtdb_pt_root(&b, &f);
	vtdb_legacy_ctx_ss(&b, 0x10, VTD_TT_SS, 1, 3, root);
	vtdb_map(&b, &f, root, 0x5000, DATA, 0x1000, RW);
	vtdb_map(&b, &f, root2, 0x5000, DATA + 0x10000, 0x1000, RW);
	ck_assert_u64_eq(vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x5000, R).pa, DATA);

	/* Point the context entry at root2: the cached context and the IOTLB
	 * entry keep the old translation. */
	vtdb_legacy_ctx_ss(&b, 0x10, VTD_TT_SS, 1, 3, root2);
	ck_assert_u64_eq(vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x5000, R).pa, DATA);
	/* Device-selective cc for another SID removes nothing. */
	vtdb_w64(&b, VTD_REG_CCMD, VTD_CCMD_ICC | (3ull << 61) | (0x11ull << 16) | 3);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_CCMD) & VTD_CCMD_ICC, 0);
	ck_assert_uint_eq((vtdb_r64(&b, VTD_REG_CCMD) >> VTD_CCMD_CAIG_SHIFT) & 3, 3);
	vtdb_w64(&b, iotlb, VTD_IOTLB_IVT | (2ull << 60) | (3ull << 32));
	ck_assert_u64_eq(vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x5000, R).pa, DATA); /* context still cached */
	/* FM=3 masks function bits 2:0: 0x11 covers 0x10. */
	vtdb_w64(&b, VTD_REG_CCMD, VTD_CCMD_ICC | (3ull << 61) | (3ull << 32) | (0x11ull << 16) | 3);
	ck_assert_u64_eq(vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x5000, R).pa, DATA); /* IOTLB hit */
	vtdb_w64(&b, iotlb, VTD_IOTLB_IVT | (1ull << 60));
	ck_assert_uint_eq((vtdb_r64(&b, iotlb) >> VTD_IOTLB_IAIG_SHIFT) & 3, 1);
	ck_assert_u64_eq(vtdb_r64(&b, iotlb) & VTD_IOTLB_IVT, 0);
	ck_assert_u64_eq(vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x5000, R).pa, DATA + 0x10000);

	/* PSI with an address mask above MAMV (9) is refused: IAIG=00. */
	vtdb_w64(&b, iva, 0x5000 | 10);
	vtdb_w64(&b, iotlb, VTD_IOTLB_IVT | (3ull << 60) | (3ull << 32));
	ck_assert_uint_eq((vtdb_r64(&b, iotlb) >> VTD_IOTLB_IAIG_SHIFT) & 3, 0);
	/* A reserved granularity is refused too. */
	vtdb_w64(&b, VTD_REG_CCMD, VTD_CCMD_ICC);
	ck_assert_uint_eq((vtdb_r64(&b, VTD_REG_CCMD) >> VTD_CCMD_CAIG_SHIFT) & 3, 0);
	vtdb_w64(&b, iotlb, VTD_IOTLB_IVT);
	ck_assert_uint_eq((vtdb_r64(&b, iotlb) >> VTD_IOTLB_IAIG_SHIFT) & 3, 0);
	/* Domain-selective cc by DID, and PSI within the page's domain. */
	vtdb_legacy_ctx_ss(&b, 0x10, VTD_TT_SS, 1, 3, root);
	vtdb_w64(&b, VTD_REG_CCMD, VTD_CCMD_ICC | (2ull << 61) | 4);
	ck_assert_u64_eq(vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x5000, R).pa, DATA + 0x10000);
	vtdb_w64(&b, VTD_REG_CCMD, VTD_CCMD_ICC | (2ull << 61) | 3);
	vtdb_w64(&b, iva, 0x5000);
	vtdb_w64(&b, iotlb, VTD_IOTLB_IVT | (3ull << 60) | (3ull << 32));
	ck_assert_uint_eq((vtdb_r64(&b, iotlb) >> VTD_IOTLB_IAIG_SHIFT) & 3, 3);
	ck_assert_u64_eq(vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x5000, R).pa, DATA);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->reg_invalidations, 7);
	vtdb_fini(&b);
}
END_TEST

/* Register-based invalidation is refused on VER >= 6, outside legacy mode
 * and while the queue is enabled; PSI on a part without PSI becomes DSI. */
START_TEST(register_based_invalidation_refusals)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	vtdb_init(&b, NULL); /* VER 6.0 */
	uint64_t iotlb = 16ull * VTD_ECAP_IRO(b.cfg.ecap) + 8;
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_w64(&b, VTD_REG_CCMD, VTD_CCMD_ICC | (1ull << 61));
	ck_assert_uint_eq((vtdb_r64(&b, VTD_REG_CCMD) >> VTD_CCMD_CAIG_SHIFT) & 3, 0);
	vtdb_w64(&b, iotlb, VTD_IOTLB_IVT | (1ull << 60));
	ck_assert_uint_eq((vtdb_r64(&b, iotlb) >> VTD_IOTLB_IAIG_SHIFT) & 3, 0);
	vtdb_fini(&b);

	vtd_hw_cfg_default(&cfg);
	cfg.ver = 0x40;
	cfg.cap &= ~VTD_CAP_PSI;
	vtdb_init(&b, &cfg);
	iotlb = 16ull * VTD_ECAP_IRO(cfg.ecap) + 8;
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_w64(&b, iotlb, VTD_IOTLB_IVT | (3ull << 60) | (1ull << 32));
	ck_assert_uint_eq((vtdb_r64(&b, iotlb) >> VTD_IOTLB_IAIG_SHIFT) & 3, 2);
	/* Written as two dwords, low first: the high dword triggers. */
	vtdb_w32(&b, iotlb, 0);
	ck_assert_uint_eq((vtdb_r64(&b, iotlb) >> VTD_IOTLB_IAIG_SHIFT) & 3, 2);
	vtdb_w32(&b, iotlb + 4, (uint32_t)((VTD_IOTLB_IVT | (1ull << 60)) >> 32));
	ck_assert_uint_eq((vtdb_r64(&b, iotlb) >> VTD_IOTLB_IAIG_SHIFT) & 3, 1);
	vtdb_iq_enable(&b, 0, false);
	vtdb_w64(&b, VTD_REG_CCMD, VTD_CCMD_ICC | (1ull << 61));
	ck_assert_uint_eq((vtdb_r64(&b, VTD_REG_CCMD) >> VTD_CCMD_CAIG_SHIFT) & 3, 0);
	vtdb_gcmd(&b, VTD_GCMD_QIE, false);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_w64(&b, VTD_REG_CCMD, VTD_CCMD_ICC | (1ull << 61));
	ck_assert_uint_eq((vtdb_r64(&b, VTD_REG_CCMD) >> VTD_CCMD_CAIG_SHIFT) & 3, 0);
	vtdb_fini(&b);
}
END_TEST

/* A raw CAP may set SAGAW bit 0 (the old 2-level, 30-bit width); the
 * model has no such table format and reports the context invalid. */
START_TEST(reserved_sagaw_width_is_an_invalid_context)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	vtd_hw_cfg_default(&cfg);
	cfg.cap |= VTD_CAP_SAGAW_V(1);
	vtdb_init(&b, &cfg);
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_legacy_ctx_ss(&b, SID, VTD_TT_SS, 0, DID, vtdb_page(&b, 0));
	expect_fault(&b, SID, 0x1000, R, VTD_FR_LCT_4);
	vtdb_fini(&b);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_hw_legacy");
	TCase *tc = tcase_create("legacy");
	tcase_add_test(tc, legacy_4level_4k_translates_and_hits_the_iotlb);
	tcase_add_test(tc, legacy_every_level_count_and_page_size);
	tcase_add_test(tc, root_not_present_is_reported_even_with_fpd);
	tcase_add_test(tc, context_not_present_honours_fpd_in_the_absent_entry);
	tcase_add_test(tc, invalid_context_entries_fault_0x3);
	tcase_add_test(tc, snb_part_rejects_tt_it_does_not_have);
	tcase_add_test(tc, address_beyond_agaw_faults_0x4);
	tcase_add_test(tc, permissions_write_read_and_zero_length_reads);
	tcase_add_test(tc, read_errors_give_0x7_0x8_0x9);
	tcase_add_test(tc, reserved_bits_give_0xa_0xb_0xc);
	tcase_add_test(tc, ats_request_types_follow_tt);
	tcase_add_test(tc, output_in_interrupt_range_faults_0xe);
	tcase_add_test(tc, pasid_and_page_requests_are_blocked_in_legacy_mode);
	tcase_add_test(tc, pass_through_and_translation_disabled);
	tcase_add_test(tc, caching_mode_caches_not_present_entries);
	tcase_add_test(tc, register_based_invalidation_scope);
	tcase_add_test(tc, register_based_invalidation_refusals);
	tcase_add_test(tc, reserved_sagaw_width_is_an_invalid_context);
	suite_add_tcase(s, tc);
	return s;
}
