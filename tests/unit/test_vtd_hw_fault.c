/* SPDX-License-Identifier: MIT */
/*
 * VT-d fault reporting (SPEC 7.2, 7.3, 11.4.7; digest §1.7, §1.10, §4.3):
 * what an FRCD record holds for each kind of request, FRI and PPF, the ring
 * of NFR+1 registers with overflow (PFO), software's recovery, FPD, and the
 * fault-event interrupt state (IM/IP).
 */
#include "tests/unit/tharness.h"
#include "tests/unit/vtd_build.h"

#define DATA 0x80000000ull

static const unsigned R = IMS_PT_ACC_R, W = IMS_PT_ACC_W;

static uint64_t fro(struct vtdb *b)
{
	return 16ull * VTD_CAP_FRO(b->cfg.cap);
}

/* A scalable unit where every SID's context is missing: each DMA faults
 * SRT.2 (non-qualified), recorded with the request's details. */
static void sm_nothing(struct vtdb *b)
{
	vtdb_root(b, VTD_TTM_SCALABLE, true);
}

START_TEST(record_fields_for_each_request_kind)
{
	static const struct {
		enum ims_dma_type type;
		uint32_t pasid;
		unsigned access;
		bool t1, t2, pp, priv, exe;
		unsigned at;
	} cases[] = {
		{ IMS_DMA_UNTRANSLATED, IMS_NO_PASID, IMS_PT_ACC_W, false, false, false, false, false, 0 },
		{ IMS_DMA_UNTRANSLATED, IMS_NO_PASID, IMS_PT_ACC_R, true, false, false, false, false, 0 },
		{ IMS_DMA_UNTRANSLATED, 0x12345, IMS_PT_ACC_R | IMS_PT_ACC_W | IMS_PT_ACC_PRIV, true, true,
		  true, true, false, 0 },
		{ IMS_DMA_TRANSLATION, 7, IMS_PT_ACC_R | IMS_PT_ACC_X, true, false, true, false, true, 1 },
		{ IMS_DMA_TRANSLATED, IMS_NO_PASID, IMS_PT_ACC_W, false, false, false, false, false, 2 },
		{ IMS_DMA_PAGE_REQUEST, 3, IMS_PT_ACC_R, false, true, true, false, false, 0 },
	};
	struct vtdb b;
	vtdb_init(&b, NULL);
	sm_nothing(&b);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t sid = (uint16_t)(0x0A00 + i);
		uint64_t addr = 0x123456789000ull + 0x1000 * i + 0x123;
		struct ims_dma_result r = vtdb_dma_t(&b, cases[i].type, sid, cases[i].pasid, addr,
						     cases[i].access);
		ck_assert_uint_eq(r.fault, VTD_FR_SRT_2);
		ck_assert(r.reported);
		uint64_t q0, q1;
		vtdb_frcd(&b, i, &q0, &q1);
		ck_assert_u64_eq(q0, addr & ~0xFFFull);
		ck_assert(q1 & VTD_FRCD_F);
		ck_assert_uint_eq(VTD_FRCD_SID(q1), sid);
		ck_assert_uint_eq(VTD_FRCD_FR(q1), VTD_FR_SRT_2);
		ck_assert_msg(!!(q1 & VTD_FRCD_T1) == cases[i].t1, "case %u T1", i);
		ck_assert_msg(!!(q1 & VTD_FRCD_T2) == cases[i].t2, "case %u T2", i);
		ck_assert_msg(!!(q1 & VTD_FRCD_PP) == cases[i].pp, "case %u PP", i);
		ck_assert_msg(!!(q1 & VTD_FRCD_PRIV) == cases[i].priv, "case %u PRIV", i);
		ck_assert_msg(!!(q1 & VTD_FRCD_EXE) == cases[i].exe, "case %u EXE", i);
		ck_assert_uint_eq(VTD_FRCD_AT(q1), cases[i].at);
		if (cases[i].pp)
			ck_assert_uint_eq(VTD_FRCD_PV(q1), cases[i].pasid);
		else
			ck_assert_uint_eq(VTD_FRCD_PV(q1), 0);
	}
	vtdb_fini(&b);
}
END_TEST

/* NFR+1 = 8 registers used in turn; FRI names the first pending one; when
 * the next register is still full the fault overflows (PFO) and is lost;
 * with PFO set nothing is recorded until software clears it. */
START_TEST(ring_of_records_fri_and_overflow)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	sm_nothing(&b);
	for (unsigned i = 0; i < 8; i++) {
		struct ims_dma_result r = vtdb_dma(&b, (uint16_t)(0x100 + i), IMS_NO_PASID, 0x1000, R);
		ck_assert(r.reported);
		uint32_t fsts = vtdb_r32(&b, VTD_REG_FSTS);
		ck_assert(fsts & VTD_FSTS_PPF);
		ck_assert_uint_eq(VTD_FSTS_FRI(fsts), 0);
	}
	struct ims_dma_result r = vtdb_dma(&b, 0x200, IMS_NO_PASID, 0x1000, R);
	ck_assert(!r.reported);
	ck_assert(vtdb_r32(&b, VTD_REG_FSTS) & VTD_FSTS_PFO);
	/* Software frees registers 0..2 but PFO still holds new faults off. */
	for (unsigned i = 0; i < 3; i++)
		vtdb_w32(&b, fro(&b) + 16 * i + 12, 0x80000000u);
	ck_assert(!vtdb_dma(&b, 0x201, IMS_NO_PASID, 0x1000, R).reported);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->faults_overflow, 2);
	vtdb_w32(&b, VTD_REG_FSTS, VTD_FSTS_PFO);
	ck_assert(!(vtdb_r32(&b, VTD_REG_FSTS) & VTD_FSTS_PFO));
	/* The hardware index wrapped to 0: the next faults land in 0, 1, 2,
	 * then register 3 is full: overflow again. */
	for (unsigned i = 0; i < 3; i++) {
		ck_assert(vtdb_dma(&b, (uint16_t)(0x300 + i), IMS_NO_PASID, 0x1000, R).reported);
		uint64_t q0, q1;
		vtdb_frcd(&b, i, &q0, &q1);
		ck_assert_uint_eq(VTD_FRCD_SID(q1), 0x300 + i);
	}
	ck_assert(!vtdb_dma(&b, 0x303, IMS_NO_PASID, 0x1000, R).reported);
	ck_assert(vtdb_r32(&b, VTD_REG_FSTS) & VTD_FSTS_PFO);
	/* Everything cleared: PPF drops, and the next fault sets FRI to the
	 * register it uses (3). */
	vtdb_clear_faults(&b);
	uint32_t fsts = vtdb_r32(&b, VTD_REG_FSTS);
	ck_assert(!(fsts & (VTD_FSTS_PPF | VTD_FSTS_PFO)));
	ck_assert(vtdb_dma(&b, 0x400, IMS_NO_PASID, 0x1000, R).reported);
	ck_assert_uint_eq(VTD_FSTS_FRI(vtdb_r32(&b, VTD_REG_FSTS)), 3);
	vtdb_fini(&b);
}
END_TEST

/* Only F is writable in an FRCD, and only by writing 1 (RW1CS). */
START_TEST(frcd_writes_only_clear_f)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	sm_nothing(&b);
	vtdb_dma(&b, 0x0101, IMS_NO_PASID, 0x5000, W);
	uint64_t q0, q1, p0, p1;
	vtdb_frcd(&b, 0, &q0, &q1);
	vtdb_w64(&b, fro(&b), ~0ull);
	vtdb_w32(&b, fro(&b) + 8, 0);
	vtdb_w32(&b, fro(&b) + 12, 0x7FFFFFFF);
	vtdb_frcd(&b, 0, &p0, &p1);
	ck_assert_u64_eq(p0, q0);
	ck_assert_u64_eq(p1, q1);
	vtdb_w32(&b, fro(&b) + 12, 0x80000000u);
	vtdb_frcd(&b, 0, &p0, &p1);
	ck_assert_u64_eq(p1, q1 & ~VTD_FRCD_F);
	ck_assert(!(vtdb_r32(&b, VTD_REG_FSTS) & VTD_FSTS_PPF));
	vtdb_fini(&b);
}
END_TEST

/* The fault event (SPEC 7.3): masked, a new pending fault sets IP; the
 * message goes out when software unmasks; with a fault already pending no
 * new event is raised; clearing every status bit drops a held IP. */
START_TEST(fault_event_interrupt_state)
{
	struct vtdb b;
	struct vtd_msi m;
	vtdb_init(&b, NULL);
	sm_nothing(&b);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_FECTL), VTD_ECTL_IM); /* reset: masked */
	vtdb_w32(&b, VTD_REG_FEDATA, 0x31);
	vtdb_w32(&b, VTD_REG_FEADDR, 0xFEE00003); /* bits 1:0 are not kept */
	vtdb_w32(&b, VTD_REG_FEUADDR, 0x1);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_FEADDR), 0xFEE00000);
	vtdb_dma(&b, 0x0101, IMS_NO_PASID, 0x5000, W);
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_FECTL), VTD_ECTL_IM | VTD_ECTL_IP);
	ck_assert(!vtd_hw_msi_pop(b.hw, &m));
	vtdb_w32(&b, VTD_REG_FECTL, VTD_ECTL_IP); /* IP is read-only; IM cleared */
	ck_assert_uint_eq(vtdb_r32(&b, VTD_REG_FECTL), 0);
	ck_assert(vtd_hw_msi_pop(b.hw, &m));
	ck_assert_int_eq(m.event, VTD_EV_FAULT);
	ck_assert_uint_eq(m.data, 0x31);
	ck_assert_u64_eq(m.addr, 0x1FEE00000ull);
	/* A second fault while PPF is set: no new message. */
	vtdb_dma(&b, 0x0102, IMS_NO_PASID, 0x5000, W);
	ck_assert(!vtd_hw_msi_pop(b.hw, &m));
	/* Cleared, then a new fault with the event unmasked: sent at once. */
	vtdb_clear_faults(&b);
	vtdb_dma(&b, 0x0103, IMS_NO_PASID, 0x5000, W);
	ck_assert(vtd_hw_msi_pop(b.hw, &m));
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->msi[VTD_EV_FAULT], 2);
	/* Masked again: IP held, then dropped when software clears the log. */
	vtdb_clear_faults(&b);
	vtdb_w32(&b, VTD_REG_FECTL, VTD_ECTL_IM);
	vtdb_dma(&b, 0x0104, IMS_NO_PASID, 0x5000, W);
	ck_assert(vtdb_r32(&b, VTD_REG_FECTL) & VTD_ECTL_IP);
	vtdb_clear_faults(&b);
	ck_assert(!(vtdb_r32(&b, VTD_REG_FECTL) & VTD_ECTL_IP));
	vtdb_w32(&b, VTD_REG_FECTL, 0);
	ck_assert(!vtd_hw_msi_pop(b.hw, &m));
	vtdb_fini(&b);
}
END_TEST

/* One fault-recording register at 0x200 (Sandy Bridge): the second fault
 * overflows; turning translation off (TES=IRES=0) restarts the index. */
START_TEST(single_register_part_and_index_reset)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	ck_assert_int_eq(vtd_hw_cfg_preset(&cfg, "snb"), 0);
	vtdb_init(&b, &cfg);
	ck_assert_u64_eq(fro(&b), 0x200);
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	ck_assert(vtdb_dma(&b, 0x10, IMS_NO_PASID, 0x1000, R).reported);
	ck_assert(!vtdb_dma(&b, 0x11, IMS_NO_PASID, 0x1000, R).reported);
	ck_assert(vtdb_r32(&b, VTD_REG_FSTS) & VTD_FSTS_PFO);
	vtdb_clear_faults(&b);
	ck_assert(vtdb_dma(&b, 0x12, IMS_NO_PASID, 0x1000, R).reported);
	uint64_t q0, q1;
	vtdb_frcd(&b, 0, &q0, &q1);
	ck_assert_uint_eq(VTD_FRCD_SID(q1), 0x12);
	vtdb_fini(&b);

	vtdb_init(&b, NULL);
	sm_nothing(&b);
	vtdb_dma(&b, 0x20, IMS_NO_PASID, 0x1000, R);
	vtdb_dma(&b, 0x21, IMS_NO_PASID, 0x1000, R);
	vtdb_clear_faults(&b);
	vtdb_gcmd(&b, VTD_GCMD_TE, false);
	vtdb_gcmd(&b, VTD_GCMD_TE, true);
	vtdb_dma(&b, 0x22, IMS_NO_PASID, 0x1000, R);
	vtdb_frcd(&b, 0, &q0, &q1);
	ck_assert(q1 & VTD_FRCD_F);
	ck_assert_uint_eq(VTD_FRCD_SID(q1), 0x22);
	vtdb_fini(&b);
}
END_TEST

/* Qualified faults are suppressed by FPD in any entry traversed (context,
 * PASID directory, PASID table); non-qualified ones never are. */
START_TEST(fpd_suppresses_only_qualified_faults)
{
	struct vtdb b;
	uint64_t pe[8] = { 0 };
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, 0x10, VTD_SCE_PASIDE | VTD_SCE_FPD, 0, 0);
	/* Context FPD: SPD.2 (directory entry missing) suppressed. */
	struct ims_dma_result r = vtdb_dma(&b, 0x10, 5, 0x1000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SPD_2);
	ck_assert(!r.reported);
	/* PASID-table FPD only. */
	uint64_t dir2 = vtdb_pasid_dir(&b, 0);
	vtdb_sm_ctx_std(&b, 0x11, VTD_SCE_PASIDE, 0, dir2, 0);
	pe[0] = VTD_PE_FPD | VTD_PE_P | ((uint64_t)VTD_PGTT_SS << 6) | (2 << 2);
	pe[1] = 1;
	vtdb_pasid_entry(&b, dir2, 5, pe);
	r = vtdb_dma(&b, 0x11, 5, 0x1000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SSS_2);
	ck_assert(!r.reported);
	/* Non-qualified: the PASID table is unreadable (SPT.1) under FPD. */
	uint64_t tbl = vtdb_rm64(&b, dir2) & VTD_PDE_SMPTBLPTR;
	ims_mem_add_abort(b.mem, tbl, tbl + 0xFFF);
	r = vtdb_dma(&b, 0x11, 6, 0x1000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SPT_1);
	ck_assert(r.reported);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->faults_suppressed, 2);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->fault_by_reason[VTD_FR_SSS_2], 1);
	(void)dir;
	vtdb_fini(&b);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_hw_fault");
	TCase *tc = tcase_create("fault");
	tcase_add_test(tc, record_fields_for_each_request_kind);
	tcase_add_test(tc, ring_of_records_fri_and_overflow);
	tcase_add_test(tc, frcd_writes_only_clear_f);
	tcase_add_test(tc, fault_event_interrupt_state);
	tcase_add_test(tc, single_register_part_and_index_reset);
	tcase_add_test(tc, fpd_suppresses_only_qualified_faults);
	suite_add_tcase(s, tc);
	return s;
}
