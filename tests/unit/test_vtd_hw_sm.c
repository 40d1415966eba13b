/* SPDX-License-Identifier: MIT */
/*
 * VT-d hardware, scalable mode (TTM=01) and abort-DMA mode (TTM=11):
 * scalable root and context entries, PASID directory and table, RID_PASID
 * and RID_PRIV, each PGTT, and every routing check of digest §2.2 with its
 * fault reason (SPEC 3.4.3, 9.2, 9.4-9.6, 7.1.3 Table 30).
 */
#include "tests/unit/tharness.h"
#include "tests/unit/vtd_build.h"

#define SID 0x0420
#define DID 9
#define DATA 0x80000000ull
#define RIDP 0 /* RID_PASID */

static const unsigned R = IMS_PT_ACC_R, W = IMS_PT_ACC_W;
static const unsigned RW = IMS_PT_PROT_R | IMS_PT_PROT_W;
static const uint64_t CTX_ALL = VTD_SCE_DTE | VTD_SCE_PASIDE | VTD_SCE_PRE;

static struct ims_dma_result xfault(struct vtdb *b, enum ims_dma_type t, uint16_t sid,
				    uint32_t pasid, uint64_t addr, unsigned acc, unsigned fr)
{
	struct ims_dma_result r = vtdb_dma_t(b, t, sid, pasid, addr, acc);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_msg(r.fault == fr, "sid 0x%x pasid 0x%x: fault 0x%x, expected 0x%x", sid, pasid,
		      r.fault, fr);
	return r;
}

static void fault(struct vtdb *b, uint16_t sid, uint32_t pasid, uint64_t addr, unsigned acc,
		  unsigned fr)
{
	xfault(b, IMS_DMA_UNTRANSLATED, sid, pasid, addr, acc, fr);
}

/* A second-stage PASID entry for pasid over 4-level tables; returns the
 * SS root (mapped: 0x10000 -> DATA). */
static uint64_t ss_pasid(struct vtdb *b, uint64_t dir, uint32_t pasid, struct ims_pt_fmt *f)
{
	uint64_t pe[8];
	vtdb_ss_fmt(b, f, 4, 0);
	uint64_t root = vtdb_pt_root(b, f);
	vtdb_map(b, f, root, 0x10000, DATA, 0x1000, RW);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_SS, .aw = 2, .did = DID, .ssptptr = root };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(b, dir, pasid, pe);
	return root;
}

START_TEST(ss_only_with_and_without_pasid)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	ss_pasid(&b, dir, RIDP, &f);
	ss_pasid(&b, dir, 77, &f);

	/* Without PASID: RID_PASID's entry; root, context, directory, table. */
	struct ims_dma_result r = vtdb_dma(&b, SID, IMS_NO_PASID, 0x10010, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x10);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->config_reads, 4);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->walk_reads, 4);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->pgtt, VTD_PGTT_SS);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->did, DID);
	/* With PASID 77: its own IOTLB entry; the context comes from the
	 * context cache. */
	r = vtdb_dma(&b, SID, 77, 0x10020, R);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert(!r.iotlb_hit);
	ck_assert(vtd_hw_last(b.hw)->ctx_hit);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->config_reads, 2);
	r = vtdb_dma(&b, SID, 77, 0x10030, R);
	ck_assert(r.iotlb_hit);
	r = vtdb_dma(&b, SID, IMS_NO_PASID, 0x10030, R);
	ck_assert(r.iotlb_hit);
	vtdb_fini(&b);
}
END_TEST

START_TEST(upper_half_devices_use_the_upper_context_table)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, 0x04A0, CTX_ALL, 0, RIDP);
	ss_pasid(&b, dir, RIDP, &f);
	ck_assert_int_eq(vtdb_dma(&b, 0x04A0, IMS_NO_PASID, 0x10000, R).status, IMS_DMA_OK);
	/* The lower half of bus 4 was never set: LP=0. */
	fault(&b, 0x0420, IMS_NO_PASID, 0x10000, R, VTD_FR_SRT_2);
	/* Upper present, lower missing on another bus, and the other way. */
	fault(&b, 0x05A0, IMS_NO_PASID, 0x10000, R, VTD_FR_SRT_2);
	vtdb_fini(&b);
}
END_TEST

START_TEST(pass_through_pgtt_checks_haw)
{
	struct vtdb b;
	uint64_t pe[8];
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_PT, .did = DID };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, RIDP, pe);
	struct ims_dma_result r = vtdb_dma(&b, SID, IMS_NO_PASID, 0xABCDE123ull, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, 0xABCDE123ull);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->walk_reads, 0);
	fault(&b, SID, IMS_NO_PASID, 1ull << 52, W, VTD_FR_SGN_4);
	vtdb_fini(&b);
}
END_TEST

START_TEST(root_table_address_register_faults)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	vtdb_init(&b, NULL);
	/* TTM=10 is reserved. */
	vtdb_w64(&b, VTD_REG_RTADDR, vtdb_page(&b, 0) | VTD_RTADDR_TTM_V(2));
	vtdb_gcmd(&b, VTD_GCMD_SRTP, true);
	vtdb_gcmd(&b, VTD_GCMD_TE, true);
	struct ims_dma_result r = vtdb_dma(&b, SID, IMS_NO_PASID, 0x1000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_RTA_1);
	ck_assert(r.reported);
	/* SSIRWE with legacy TTM. */
	vtdb_w64(&b, VTD_REG_RTADDR, vtdb_page(&b, 0) | VTD_RTADDR_SSIRWE);
	vtdb_gcmd(&b, VTD_GCMD_SRTP, true);
	fault(&b, SID, IMS_NO_PASID, 0x1000, R, VTD_FR_RTA_1);
	/* Abort-DMA mode: every request faults 0x33, not suppressible. */
	vtdb_w64(&b, VTD_REG_RTADDR, VTD_RTADDR_TTM_V(3));
	vtdb_gcmd(&b, VTD_GCMD_SRTP, true);
	fault(&b, SID, 5, 0x1000, W, VTD_FR_RTA_4);
	r = xfault(&b, IMS_DMA_TRANSLATION, SID, IMS_NO_PASID, 0x1000, R, VTD_FR_RTA_4);
	ck_assert(r.reported);
	vtdb_fini(&b);

	/* A part without abort-DMA or without scalable mode. */
	vtd_hw_cfg_default(&cfg);
	cfg.ecap &= ~VTD_ECAP_ADMS;
	vtdb_init(&b, &cfg);
	vtdb_root(&b, VTD_TTM_ABORT, true);
	fault(&b, SID, IMS_NO_PASID, 0x1000, R, VTD_FR_RTA_1);
	vtdb_fini(&b);
	ck_assert_int_eq(vtd_hw_cfg_preset(&cfg, "snb"), 0);
	vtdb_init(&b, &cfg);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	fault(&b, SID, IMS_NO_PASID, 0x1000, R, VTD_FR_RTA_1);
	/* The SNB unit has no SSIRWS: the bit does not stick in RTADDR. */
	vtdb_w64(&b, VTD_REG_RTADDR, VTD_RTADDR_SSIRWE);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_RTADDR), 0);
	vtdb_fini(&b);
}
END_TEST

START_TEST(execute_requests_are_refused_in_revision_5)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	ss_pasid(&b, dir, 3, &f);
	/* VER 6: ERS=0, SPT.5. */
	fault(&b, SID, 3, 0x10000, IMS_PT_ACC_X, VTD_FR_SPT_5);
	/* Without a PASID there is no ER bit: an execute is a read. */
	ss_pasid(&b, dir, RIDP, &f);
	ck_assert_int_eq(vtdb_dma(&b, SID, IMS_NO_PASID, 0x10000, IMS_PT_ACC_X).status,
			 IMS_DMA_OK);
	vtdb_fini(&b);
	/* VER 8 and later: RTA.5, before any table is read. */
	vtd_hw_cfg_default(&cfg);
	cfg.ver = 0x80;
	vtdb_init(&b, &cfg);
	vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	struct ims_dma_result r = vtdb_dma(&b, SID, 3, 0x10000, IMS_PT_ACC_X | IMS_PT_ACC_R);
	ck_assert_uint_eq(r.fault, VTD_FR_RTA_5);
	ck_assert_uint_eq(r.mem_reads, 0);
	uint64_t q0, q1;
	vtdb_frcd(&b, 0, &q0, &q1);
	ck_assert(q1 & VTD_FRCD_EXE);
	vtdb_fini(&b);
}
END_TEST

START_TEST(scalable_root_entry_faults)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	ss_pasid(&b, dir, RIDP, &f);
	uint64_t re = b.root + 16 * (SID >> 8);
	uint64_t lo = vtdb_rm64(&b, re);
	vtdb_m64(&b, re, lo | 2);
	fault(&b, SID, IMS_NO_PASID, 0x10000, R, VTD_FR_SRT_3);
	vtdb_m64(&b, re, lo);
	vtdb_m64(&b, re + 8, 1ull << 6); /* bit 70 */
	fault(&b, SID, IMS_NO_PASID, 0x10000, R, VTD_FR_SRT_3);
	vtdb_m64(&b, re + 8, 0);
	vtdb_m64(&b, re, lo & ~1ull);
	fault(&b, SID, IMS_NO_PASID, 0x10000, R, VTD_FR_SRT_2);
	vtdb_m64(&b, re, lo);
	ims_mem_add_abort(b.mem, b.root, b.root + 0xFFF);
	fault(&b, SID, IMS_NO_PASID, 0x10000, R, VTD_FR_SRT_1);
	ims_mem_clear_aborts(b.mem);
	ck_assert_int_eq(vtdb_dma(&b, SID, IMS_NO_PASID, 0x10000, R).status, IMS_DMA_OK);
	vtdb_fini(&b);
}
END_TEST

START_TEST(scalable_context_entry_faults)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	ss_pasid(&b, dir, RIDP, &f);
	uint64_t qw[4] = { 0 };

	/* Not present; with FPD suppressed (checked even with P=0). */
	vtdb_sm_ctx(&b, SID + 1, qw);
	struct ims_dma_result r = vtdb_dma(&b, SID + 1, IMS_NO_PASID, 0x10000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SCT_2);
	ck_assert(r.reported);
	qw[0] = VTD_SCE_FPD;
	vtdb_sm_ctx(&b, SID + 2, qw);
	r = vtdb_dma(&b, SID + 2, IMS_NO_PASID, 0x10000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SCT_2);
	ck_assert(!r.reported);

	/* Reserved: bit 7, bit 85, QW2, HPTE without HPTS, EPTR without PTRS. */
	static const uint64_t bad[][4] = {
		{ VTD_SCE_P | (1 << 7), 0, 0, 0 },   { VTD_SCE_P, 1ull << 21, 0, 0 },
		{ VTD_SCE_P, 0, 1, 0 },              { VTD_SCE_P, 0, 0, 1ull << 63 },
		{ VTD_SCE_P | VTD_SCE_HPTE, 0, 0, 0 }, { VTD_SCE_P | VTD_SCE_EPTR, 0, 0, 0 },
		{ VTD_SCE_P | (1ull << 60), 0, 0, 0 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t q[4] = { bad[i][0] | dir, bad[i][1], bad[i][2], bad[i][3] };
		vtdb_sm_ctx(&b, 0x0430 + i, q);
		fault(&b, 0x0430 + i, IMS_NO_PASID, 0x10000, R, VTD_FR_SCT_3);
	}
	/* Invalid: PRE without DTE; RID_PASID beyond the directory. */
	uint64_t inv1[4] = { dir | VTD_SCE_P | VTD_SCE_PRE, 0, 0, 0 };
	vtdb_sm_ctx(&b, 0x0440, inv1);
	fault(&b, 0x0440, IMS_NO_PASID, 0x10000, R, VTD_FR_SCT_4);
	uint64_t inv2[4] = { dir | VTD_SCE_P, 1u << 13, 0, 0 };
	vtdb_sm_ctx(&b, 0x0441, inv2);
	fault(&b, 0x0441, IMS_NO_PASID, 0x10000, R, VTD_FR_SCT_4);
	/* Context table unreadable: SCT.1, not suppressible.  (Ten faults so
	 * far filled the eight FRCDs: software clears them first.) */
	vtdb_clear_faults(&b);
	uint64_t ct = b.ctx[SID >> 8][0];
	ims_mem_add_abort(b.mem, ct, ct + 0xFFF);
	r = vtdb_dma(&b, SID + 3, IMS_NO_PASID, 0x10000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SCT_1);
	ck_assert(r.reported);
	vtdb_fini(&b);
}
END_TEST

/* With PTRS the EPTR bit exists: EPTR without PASIDE is invalid, and a
 * translated request with PASID needs EPTR. */
START_TEST(eptr_rules_with_ptrs)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f;
	vtd_hw_cfg_default(&cfg);
	cfg.ecap |= VTD_ECAP_PTRS;
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	ss_pasid(&b, dir, 5, &f);
	uint64_t q[4] = { dir | VTD_SCE_P | VTD_SCE_EPTR, 0, 0, 0 };
	vtdb_sm_ctx(&b, SID + 1, q);
	fault(&b, SID + 1, IMS_NO_PASID, 0x10000, R, VTD_FR_SCT_4);
	xfault(&b, IMS_DMA_TRANSLATED, SID, 5, DATA, W, VTD_FR_SCT_10);
	struct ims_dma_result r = vtdb_dma_t(&b, IMS_DMA_TRANSLATED, SID, IMS_NO_PASID, DATA, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	uint64_t q2[4] = { dir | VTD_SCE_P | VTD_SCE_EPTR | CTX_ALL, 0, 0, 0 };
	vtdb_sm_ctx(&b, SID + 2, q2);
	r = vtdb_dma_t(&b, IMS_DMA_TRANSLATED, SID + 2, 5, DATA + 8, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 8);
	xfault(&b, IMS_DMA_TRANSLATED, SID + 2, 5, 1ull << 60, W, VTD_FR_SGN_4);
	vtdb_fini(&b);
}
END_TEST

START_TEST(request_checks_against_the_context_entry)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, 7);
	ss_pasid(&b, dir, 7, &f);
	ss_pasid(&b, dir, 8, &f);
	/* PASID equal to RID_PASID. */
	fault(&b, SID, 7, 0x10000, R, VTD_FR_SCT_9);
	ck_assert_int_eq(vtdb_dma(&b, SID, 8, 0x10000, R).status, IMS_DMA_OK);
	/* PDTS=0: 2^7 directory entries of 64 PASIDs. */
	fault(&b, SID, 1u << 13, 0x10000, R, VTD_FR_SCT_7);
	/* DTE=0 blocks ATS; PASIDE=0 blocks PASIDs. */
	vtdb_sm_ctx_std(&b, SID + 1, 0, 0, dir, 7);
	xfault(&b, IMS_DMA_TRANSLATION, SID + 1, IMS_NO_PASID, 0x10000, R, VTD_FR_SCT_5);
	xfault(&b, IMS_DMA_TRANSLATED, SID + 1, IMS_NO_PASID, DATA, R, VTD_FR_SCT_5);
	fault(&b, SID + 1, 8, 0x10000, R, VTD_FR_SCT_6);
	ck_assert_int_eq(vtdb_dma(&b, SID + 1, IMS_NO_PASID, 0x10000, R).status, IMS_DMA_OK);
	/* ATS with DTE: translation and translated requests pass. */
	struct ims_dma_result r = vtdb_dma_t(&b, IMS_DMA_TRANSLATION, SID, 8, 0x10000, R | W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA);
	ck_assert(r.perms & IMS_PT_UW);
	r = vtdb_dma_t(&b, IMS_DMA_TRANSLATION, SID, 8, 0x10000, R);
	ck_assert(r.iotlb_hit);
	vtdb_fini(&b);
}
END_TEST

START_TEST(pasid_beyond_the_supported_width)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f;
	vtd_hw_cfg_default(&cfg);
	cfg.ecap = (cfg.ecap & ~VTD_M(39, 35)) | VTD_ECAP_PSS_V(9); /* 10-bit PASIDs */
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 7, RIDP);
	ss_pasid(&b, dir, 0x3FF, &f);
	ck_assert_int_eq(vtdb_dma(&b, SID, 0x3FF, 0x10000, R).status, IMS_DMA_OK);
	fault(&b, SID, 0x400, 0x10000, R, VTD_FR_SGN_10);
	vtdb_fini(&b);
	/* PSS=31 (32-bit PASIDs): every 20-bit PASID is within it. */
	vtd_hw_cfg_default(&cfg);
	cfg.ecap |= VTD_ECAP_PSS_V(31);
	vtdb_init(&b, &cfg);
	dir = vtdb_sm_setup(&b, SID, CTX_ALL, 7, RIDP);
	ss_pasid(&b, dir, 0xFFFFF, &f);
	ck_assert_int_eq(vtdb_dma(&b, SID, 0xFFFFF, 0x10000, R).status, IMS_DMA_OK);
	vtdb_fini(&b);
}
END_TEST

START_TEST(pasid_directory_entry_faults)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 1, RIDP);
	ss_pasid(&b, dir, 64, &f);
	fault(&b, SID, 200, 0x10000, R, VTD_FR_SPD_2);
	/* FPD in a not-present directory entry suppresses. */
	vtdb_m64(&b, dir + 8 * (300 >> 6), VTD_PDE_FPD);
	struct ims_dma_result r = vtdb_dma(&b, SID, 300, 0x10000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SPD_2);
	ck_assert(!r.reported);
	/* Reserved bits 11:2. */
	uint64_t de = vtdb_rm64(&b, dir + 8);
	vtdb_m64(&b, dir + 8, de | (1 << 5));
	fault(&b, SID, 64, 0x10000, R, VTD_FR_SPD_3);
	vtdb_m64(&b, dir + 8, de);
	ck_assert_int_eq(vtdb_dma(&b, SID, 64, 0x10000, R).status, IMS_DMA_OK);
	/* Read errors: directory (SPD.1) and table (SPT.1), non-qualified. */
	ims_mem_add_abort(b.mem, dir, dir + 0xFFF);
	vtdb_m64(&b, b.ctx[SID >> 8][0] + 32 * ((SID + 1) & 0x7F),
		 dir | (1 << 9) | CTX_ALL | VTD_SCE_P | VTD_SCE_FPD);
	r = vtdb_dma(&b, SID + 1, 65, 0x10000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SPD_1);
	ck_assert(r.reported);
	ims_mem_clear_aborts(b.mem);
	uint64_t tbl = de & VTD_PDE_SMPTBLPTR;
	ims_mem_add_abort(b.mem, tbl, tbl + 0xFFF);
	r = vtdb_dma(&b, SID + 1, 65, 0x10000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SPT_1);
	ck_assert(r.reported);
	vtdb_fini(&b);
}
END_TEST

START_TEST(pasid_table_entry_faults)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	uint64_t pe[8];
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	uint64_t root = ss_pasid(&b, dir, 1, &f);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_SS, .aw = 2, .did = DID, .ssptptr = root };

	/* Not present; FPD in it suppresses. */
	uint64_t zero[8] = { 0 };
	vtdb_pasid_entry(&b, dir, 2, zero);
	fault(&b, SID, 2, 0x10000, R, VTD_FR_SPT_2);
	zero[0] = VTD_PE_FPD;
	vtdb_pasid_entry(&b, dir, 3, zero);
	ck_assert(!vtdb_dma(&b, SID, 3, 0x10000, R).reported);

	/* Reserved bits: QW0 bit 10, SLEE (5.x), QW1 bit 80, bits 95:91 (5.x),
	 * DID above... (ND=6: none), QW2 ERE, bits 139:136, QW3, QW4 (no HPTS),
	 * QW7, SSPTPTR above HAW. */
	static const struct {
		unsigned qw;
		uint64_t bit;
	} rsvd[] = {
		{ 0, 1ull << 10 }, { 0, VTD_PE_SLEE }, { 1, 1ull << 16 }, { 1, 1ull << 28 },
		{ 2, VTD_PE_ERE }, { 2, 1ull << 9 }, { 3, 1 }, { 4, 1 }, { 7, 1ull << 63 },
		{ 0, 1ull << 55 },
	};
	for (unsigned i = 0; i < sizeof(rsvd) / sizeof(rsvd[0]); i++) {
		vtdb_pe_make(&a, pe);
		pe[rsvd[i].qw] |= rsvd[i].bit;
		vtdb_pasid_entry(&b, dir, 10 + i, pe);
		fault(&b, SID, 10 + i, 0x10000, R, VTD_FR_SPT_3);
	}
	/* Invalid: PGTT 000 and 101, AW not in SAGAW, FSPM 1x. */
	static const struct vtdb_pe inv[] = {
		{ .pgtt = 0, .aw = 2, .did = DID },
		{ .pgtt = 5, .aw = 2, .did = DID },
		{ .pgtt = VTD_PGTT_SS, .aw = 0, .did = DID },
		{ .pgtt = VTD_PGTT_SS, .aw = 4, .did = DID },
		{ .pgtt = VTD_PGTT_FS, .fspm = 2, .did = DID },
	};
	for (unsigned i = 0; i < sizeof(inv) / sizeof(inv[0]); i++) {
		vtdb_pe_make(&inv[i], pe);
		vtdb_pasid_entry(&b, dir, 30 + i, pe);
		fault(&b, SID, 30 + i, 0x10000, R, VTD_FR_SPT_4);
	}
	/* Nested FSPTPTR beyond 2^min(MGAW, AGAW)-1 (48 bits with AW=2). */
	struct vtdb_pe n = { .pgtt = VTD_PGTT_NESTED, .aw = 2, .did = DID, .ssptptr = root,
			     .fsptptr = 1ull << 48 };
	vtdb_pe_make(&n, pe);
	vtdb_pasid_entry(&b, dir, 40, pe);
	fault(&b, SID, 40, 0x10000, R, VTD_FR_SPT_4);
	vtdb_fini(&b);
}
END_TEST

/* A part that lacks a translation type rejects PASID entries using it. */
START_TEST(absent_translation_types_are_invalid_pasid_entries)
{
	static const struct {
		uint64_t ecap_clear, cap_clear;
		struct vtdb_pe pe;
	} cases[] = {
		{ VTD_ECAP_FSTS | VTD_ECAP_NEST, 0, { .pgtt = VTD_PGTT_FS, .did = DID } },
		{ VTD_ECAP_SSTS | VTD_ECAP_NEST, 0, { .pgtt = VTD_PGTT_SS, .aw = 2, .did = DID } },
		{ VTD_ECAP_NEST, 0, { .pgtt = VTD_PGTT_NESTED, .aw = 2, .did = DID } },
		{ VTD_ECAP_PT, 0, { .pgtt = VTD_PGTT_PT, .did = DID } },
		{ 0, VTD_CAP_FS5LP, { .pgtt = VTD_PGTT_FS, .fspm = 1, .did = DID } },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vtdb b;
		struct vtd_hw_cfg cfg;
		uint64_t pe[8];
		vtd_hw_cfg_default(&cfg);
		cfg.ecap &= ~cases[i].ecap_clear;
		cfg.cap &= ~cases[i].cap_clear;
		vtdb_init(&b, &cfg);
		uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
		vtdb_pe_make(&cases[i].pe, pe);
		vtdb_pasid_entry(&b, dir, 1, pe);
		fault(&b, SID, 1, 0x10000, R, VTD_FR_SPT_4);
		vtdb_fini(&b);
	}
}
END_TEST

/* Supervisor requests: PR comes with a PASID, or from RID_PRIV without
 * one; both need SRE in the PASID entry. */
START_TEST(supervisor_requests_need_sre)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	uint64_t pe[8];
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	uint64_t root = ss_pasid(&b, dir, 4, &f);
	fault(&b, SID, 4, 0x10000, R | IMS_PT_ACC_PRIV, VTD_FR_SPT_6);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_SS, .aw = 2, .did = DID, .ssptptr = root,
			     .q2 = VTD_PE_SRE };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 5, pe);
	ck_assert_int_eq(vtdb_dma(&b, SID, 5, 0x10000, R | IMS_PT_ACC_PRIV).status, IMS_DMA_OK);
	/* A user request's IOTLB entry must not serve a later supervisor one:
	 * PASID 4 has SRE=0. */
	ck_assert_int_eq(vtdb_dma(&b, SID, 4, 0x10000, R).status, IMS_DMA_OK);
	fault(&b, SID, 4, 0x10000, R | IMS_PT_ACC_PRIV, VTD_FR_SPT_6);

	/* RID_PRIV=1: requests without PASID are supervisor requests. */
	vtdb_pe_make(&(struct vtdb_pe){ .pgtt = VTD_PGTT_SS, .aw = 2, .did = DID, .ssptptr = root },
		     pe);
	vtdb_pasid_entry(&b, dir, RIDP, pe);
	uint64_t q[4] = { dir | CTX_ALL | VTD_SCE_P, RIDP | VTD_SCE_RID_PRIV, 0, 0 };
	vtdb_sm_ctx(&b, SID + 1, q);
	struct ims_dma_result r = vtdb_dma(&b, SID + 1, IMS_NO_PASID, 0x10000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SPT_6);
	uint64_t q0, q1;
	vtdb_frcd(&b, 2, &q0, &q1);
	ck_assert(q1 & VTD_FRCD_PRIV);
	ck_assert(!(q1 & VTD_FRCD_PP));
	vtdb_fini(&b);
}
END_TEST

/* RID_PRIV is a 5.x field: without RPRIVS it is reserved. */
START_TEST(rid_priv_is_reserved_without_rprivs)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	vtd_hw_cfg_default(&cfg);
	cfg.ecap &= ~VTD_ECAP_RPRIVS;
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	uint64_t q[4] = { dir | CTX_ALL | VTD_SCE_P, VTD_SCE_RID_PRIV, 0, 0 };
	vtdb_sm_ctx(&b, SID + 1, q);
	fault(&b, SID + 1, IMS_NO_PASID, 0x10000, R, VTD_FR_SCT_3);
	vtdb_fini(&b);
}
END_TEST

/* Without RPS, requests without PASID use PASID 0 and the RID_PASID field
 * is ignored. */
START_TEST(no_rps_means_pasid_zero)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f;
	vtd_hw_cfg_default(&cfg);
	cfg.ecap &= ~VTD_ECAP_RPS;
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, 9);
	ss_pasid(&b, dir, 0, &f);
	ck_assert_int_eq(vtdb_dma(&b, SID, IMS_NO_PASID, 0x10000, R).status, IMS_DMA_OK);
	ck_assert_int_eq(vtdb_dma(&b, SID, 9, 0x10000, R).status, IMS_DMA_FAULT);
	vtdb_fini(&b);
}
END_TEST

/* Fields of features the part lacks are reserved: DTE without DT, PRE
 * without PRS, PASIDE without PASID support in the context entry; SSADE,
 * PWSNP, PGSNP, SRE and EAFE in the PASID entry. */
START_TEST(fields_of_absent_features_are_reserved)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	uint64_t pe[8];
	vtd_hw_cfg_default(&cfg);
	cfg.ecap &= ~(VTD_ECAP_DT | VTD_ECAP_PRS | VTD_ECAP_PASID | VTD_ECAP_SSADS |
		      VTD_ECAP_SMPWCS | VTD_ECAP_SC | VTD_ECAP_SRS | VTD_ECAP_EAFS);
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, 0, 0, RIDP);
	static const uint64_t ctx_bits[] = { VTD_SCE_DTE, VTD_SCE_PRE | VTD_SCE_DTE,
					     VTD_SCE_PASIDE };
	for (unsigned i = 0; i < 3; i++) {
		vtdb_sm_ctx_std(&b, (uint16_t)(SID + 1 + i), ctx_bits[i], 0, dir, RIDP);
		fault(&b, (uint16_t)(SID + 1 + i), IMS_NO_PASID, 0x10000, R, VTD_FR_SCT_3);
	}
	static const struct {
		unsigned qw;
		uint64_t bit;
	} pe_bits[] = { { 0, VTD_PE_SSADE }, { 1, VTD_PE_PWSNP }, { 1, VTD_PE_PGSNP },
			{ 2, VTD_PE_SRE }, { 2, VTD_PE_EAFE } };
	for (unsigned i = 0; i < 5; i++) {
		struct vtdb_pe a = { .pgtt = VTD_PGTT_PT, .did = DID };
		vtdb_pe_make(&a, pe);
		pe[pe_bits[i].qw] |= pe_bits[i].bit;
		vtdb_pasid_entry(&b, dir, RIDP, pe);
		uint64_t d[2][4];
		vtdb_dsc_pc(d[0], VTD_PC_G_GLOBAL, 0, 0);
		ck_assert(vtdb_iq_sync(&b, d, 1));
		fault(&b, SID, IMS_NO_PASID, 0x10000, R, VTD_FR_SPT_3);
	}
	vtdb_fini(&b);
}
END_TEST

/* Caching mode: a not-present scalable context entry stays cached until
 * a context-cache invalidation for its SID. */
START_TEST(caching_mode_scalable_context)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f;
	vtd_hw_cfg_default(&cfg);
	cfg.cap |= VTD_CAP_CM;
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	ss_pasid(&b, dir, RIDP, &f);
	uint64_t zero[4] = { 0 };
	vtdb_sm_ctx(&b, SID + 1, zero);
	fault(&b, SID + 1, IMS_NO_PASID, 0x10000, R, VTD_FR_SCT_2);
	vtdb_sm_ctx_std(&b, SID + 1, CTX_ALL, 0, dir, RIDP);
	fault(&b, SID + 1, IMS_NO_PASID, 0x10000, R, VTD_FR_SCT_2);
	uint64_t d[1][4];
	vtdb_dsc_cc(d[0], VTD_GRAN_SEL, 0, SID + 1, 0);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_int_eq(vtdb_dma(&b, SID + 1, IMS_NO_PASID, 0x10000, R).status, IMS_DMA_OK);
	vtdb_fini(&b);
}
END_TEST

/* X = min(MGAW, AGAW): a 39-bit MGAW limits a 4-level nested entry's
 * FSPTPTR to 2^39-1. */
START_TEST(mgaw_below_agaw_bounds_nested_addresses)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	uint64_t pe[8];
	vtd_hw_cfg_default(&cfg);
	cfg.cap = (cfg.cap & ~VTD_M(21, 16)) | VTD_CAP_MGAW_V(38);
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX_ALL, 0, RIDP);
	struct vtdb_pe n = { .pgtt = VTD_PGTT_NESTED, .aw = 2, .did = DID, .ssptptr = 0x1000,
			     .fsptptr = 1ull << 39 };
	vtdb_pe_make(&n, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	fault(&b, SID, 1, 0x10000, R, VTD_FR_SPT_4);
	vtdb_fini(&b);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_hw_sm");
	TCase *tc = tcase_create("scalable");
	tcase_add_test(tc, ss_only_with_and_without_pasid);
	tcase_add_test(tc, upper_half_devices_use_the_upper_context_table);
	tcase_add_test(tc, pass_through_pgtt_checks_haw);
	tcase_add_test(tc, root_table_address_register_faults);
	tcase_add_test(tc, execute_requests_are_refused_in_revision_5);
	tcase_add_test(tc, scalable_root_entry_faults);
	tcase_add_test(tc, scalable_context_entry_faults);
	tcase_add_test(tc, eptr_rules_with_ptrs);
	tcase_add_test(tc, request_checks_against_the_context_entry);
	tcase_add_test(tc, pasid_beyond_the_supported_width);
	tcase_add_test(tc, pasid_directory_entry_faults);
	tcase_add_test(tc, pasid_table_entry_faults);
	tcase_add_test(tc, absent_translation_types_are_invalid_pasid_entries);
	tcase_add_test(tc, supervisor_requests_need_sre);
	tcase_add_test(tc, rid_priv_is_reserved_without_rprivs);
	tcase_add_test(tc, no_rps_means_pasid_zero);
	tcase_add_test(tc, fields_of_absent_features_are_reserved);
	tcase_add_test(tc, caching_mode_scalable_context);
	tcase_add_test(tc, mgaw_below_agaw_bounds_nested_addresses);
	suite_add_tcase(s, tc);
	return s;
}
