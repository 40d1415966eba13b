/* SPDX-License-Identifier: MIT */
/*
 * VT-d page requests (SPEC 7.4-7.10, 6.5.3.1; digest §6): page_req_dsc
 * records in the page-request queue, PPR/PRO and the page-request event,
 * overflow with automatic responses, table faults, the implicit
 * invalidation, and page group responses posted through the queue.
 */
#include "tests/unit/tharness.h"
#include "tests/unit/vtd_build.h"

#define SID 0x0330
#define DID 21
#define DATA 0x80000000ull

static const unsigned R = IMS_PT_ACC_R, W = IMS_PT_ACC_W;
static const uint64_t CTX = VTD_SCE_DTE | VTD_SCE_PASIDE | VTD_SCE_PRE;

static struct ims_dma_result page_request(struct vtdb *b, uint16_t sid, uint32_t pasid,
					  uint64_t addr, unsigned acc, uint16_t prgi, bool last)
{
	struct ims_dma_req req = {
		.sid = sid, .pasid = pasid, .addr = addr, .len = 4, .access = acc,
		.type = IMS_DMA_PAGE_REQUEST, .prgi = prgi, .last = last,
	};
	struct ims_dma_result r;
	vtd_hw_dma(b->hw, &req, &r);
	return r;
}

/* A scalable unit with a first-stage PASID 1 (nothing mapped) and RID_PASID
 * 0 second stage, and a 2^pqs-page PRQ. */
static uint64_t prq_setup(struct vtdb *b, unsigned pqs, struct ims_pt_fmt *fs, uint64_t *fsr)
{
	uint64_t pe[8];
	uint64_t dir = vtdb_sm_setup(b, SID, CTX, 0, 0);
	vtdb_fs_fmt(b, fs, 4, 0);
	*fsr = vtdb_pt_root(b, fs);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_FS, .did = DID, .fsptptr = *fsr, .q1 = VTD_PE_PWSNP,
			     .q2 = VTD_PE_SRE };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(b, dir, 1, pe);
	struct vtdb_pe p = { .pgtt = VTD_PGTT_PT, .did = DID + 1 };
	vtdb_pe_make(&p, pe);
	vtdb_pasid_entry(b, dir, 0, pe);
	vtdb_prq_enable(b, pqs);
	return dir;
}

START_TEST(page_request_descriptor_and_event)
{
	struct vtdb b;
	struct ims_pt_fmt fs;
	uint64_t fsr;
	struct vtd_msi m;
	vtdb_init(&b, NULL);
	prq_setup(&b, 0, &fs, &fsr);
	vtdb_w32(&b, VTD_REG_PEDATA, 0x77);
	vtdb_w32(&b, VTD_REG_PEADDR, 0xFEE02000);

	struct ims_dma_result r = page_request(&b, SID, 1, 0x7f1234567ABCull,
					       W | IMS_PT_ACC_PRIV, 0x1AB, true);
	ck_assert_int_eq(r.status, IMS_DMA_QUEUED);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PQT), 32);
	uint64_t d0 = vtdb_rm64(&b, b.prq), d1 = vtdb_rm64(&b, b.prq + 8);
	ck_assert_u64_eq(d0 & 0xFF, 1);
	ck_assert(d0 & VTD_PRQ_PP);
	ck_assert_uint_eq((d0 >> 16) & 0xFFFF, SID);
	ck_assert_uint_eq((d0 >> 32) & 0xFFFFF, 1);
	ck_assert(d0 & VTD_PRQ_PMR);
	ck_assert(!(d0 & VTD_PRQ_EXR));
	ck_assert(!(d1 & VTD_PRQ_RDR));
	ck_assert(d1 & VTD_PRQ_WRR);
	ck_assert(d1 & VTD_PRQ_LPIG);
	ck_assert_uint_eq((d1 >> 3) & 0x1FF, 0x1AB);
	ck_assert_u64_eq(d1 & VTD_PRQ_ADDR, 0x7f1234567000ull);
	ck_assert_u64_eq(vtdb_rm64(&b, b.prq + 16) | vtdb_rm64(&b, b.prq + 24), 0);
	/* PPR set, event held while masked; unmasking sends it. */
	ck_assert(vtdb_r32(&b, VTD_REG_PRS) & VTD_PRS_PPR);
	ck_assert(vtdb_r32(&b, VTD_REG_PECTL) & VTD_ECTL_IP);
	vtdb_w32(&b, VTD_REG_PECTL, 0);
	ck_assert(vtd_hw_msi_pop(b.hw, &m));
	ck_assert_int_eq(m.event, VTD_EV_PRQ);
	ck_assert_uint_eq(m.data, 0x77);
	/* PPR still set: the next request raises nothing new. */
	r = page_request(&b, SID, IMS_NO_PASID, 0x5000, R, 2, false);
	ck_assert_int_eq(r.status, IMS_DMA_QUEUED);
	d0 = vtdb_rm64(&b, b.prq + 32);
	d1 = vtdb_rm64(&b, b.prq + 40);
	ck_assert(!(d0 & VTD_PRQ_PP));
	ck_assert(d1 & VTD_PRQ_RDR);
	ck_assert(!(d1 & VTD_PRQ_LPIG));
	ck_assert(!vtd_hw_msi_pop(b.hw, &m));
	vtdb_w32(&b, VTD_REG_PRS, VTD_PRS_PPR);
	ck_assert(!(vtdb_r32(&b, VTD_REG_PRS) & VTD_PRS_PPR));
	r = page_request(&b, SID, 1, 0x6000, R, 3, true);
	ck_assert(vtd_hw_msi_pop(b.hw, &m));
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->prq_queued, 3);
	vtdb_fini(&b);
}
END_TEST

/* Software answers the group through the queue; the device receives it. */
START_TEST(page_group_response_reaches_the_device)
{
	struct vtdb b;
	struct ims_pt_fmt fs;
	uint64_t fsr;
	struct vtd_devmsg m;
	vtdb_init(&b, NULL);
	prq_setup(&b, 0, &fs, &fsr);
	page_request(&b, SID, 1, 0x400000, W, 0x55, true);
	uint64_t d[2][4] = {
		{ VTD_DSC_PGRP_RESP | VTD_DSC_PGR_PP | ((uint64_t)VTD_PRG_SUCCESS << 12) |
			  ((uint64_t)SID << 16) | (1ull << 32),
		  0x55ull << 3, 0, 0 },
		{ VTD_DSC_PGRP_RESP | ((uint64_t)VTD_PRG_FAILURE << 12) | ((uint64_t)SID << 16),
		  0x56ull << 3 | VTD_DSC_PGR_LPIG, 0, 0 },
	};
	ck_assert(vtdb_iq_sync(&b, d, 2));
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_int_eq(m.kind, VTD_DEVMSG_PRG_RESP);
	ck_assert_uint_eq(m.sid, SID);
	ck_assert(m.pp);
	ck_assert_uint_eq(m.pasid, 1);
	ck_assert_uint_eq(m.prgi, 0x55);
	ck_assert_uint_eq(m.rc, VTD_PRG_SUCCESS);
	ck_assert(!m.automatic);
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_uint_eq(m.rc, VTD_PRG_FAILURE);
	ck_assert(!m.pp);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->prg_resp, 2);
	vtdb_fini(&b);
}
END_TEST

/* PQS=0: 128 slots, 127 usable.  When full: PRO (one event), the request
 * is dropped, and a last-in-group request gets an automatic Success; with
 * PRO set requests keep being dropped even once there is room. */
START_TEST(overflow_drops_and_answers_automatically)
{
	struct vtdb b;
	struct ims_pt_fmt fs;
	uint64_t fsr;
	struct vtd_devmsg m;
	vtdb_init(&b, NULL);
	prq_setup(&b, 0, &fs, &fsr);
	for (unsigned i = 0; i < 127; i++)
		ck_assert_int_eq(page_request(&b, SID, 1, 0x1000 * i, R, (uint16_t)i, false).status,
				 IMS_DMA_QUEUED);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PQT), 127 * 32);
	ck_assert(!vtd_hw_devmsg_pop(b.hw, &m));
	struct ims_dma_result r = page_request(&b, SID, 1, 0x200000, R, 0x99, true);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert_uint_eq(r.fault, 0);
	ck_assert(vtdb_r32(&b, VTD_REG_PRS) & VTD_PRS_PRO);
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert(m.automatic);
	ck_assert_uint_eq(m.rc, VTD_PRG_SUCCESS);
	ck_assert_uint_eq(m.prgi, 0x99);
	/* Not last in group: dropped silently. */
	page_request(&b, SID, 1, 0x201000, R, 0x9A, false);
	ck_assert(!vtd_hw_devmsg_pop(b.hw, &m));
	/* Software consumes everything; PRO still blocks. */
	vtdb_w64(&b, VTD_REG_PQH, vtdb_r64(&b, VTD_REG_PQT));
	r = page_request(&b, SID, 1, 0x202000, R, 0x9B, true);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	vtdb_w32(&b, VTD_REG_PRS, VTD_PRS_PRO | VTD_PRS_PPR);
	ck_assert_int_eq(page_request(&b, SID, 1, 0x203000, R, 0x9C, true).status, IMS_DMA_QUEUED);
	/* The tail wrapped to slot 0. */
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PQT), 0);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->prq_dropped, 3);
	vtdb_fini(&b);
}
END_TEST

/* A page request that hits a table fault is reported and answered Invalid
 * Request if it ends its group; one to a device without PRE faults 0x47. */
START_TEST(table_faults_answer_invalid_request)
{
	struct vtdb b;
	struct ims_pt_fmt fs;
	uint64_t fsr;
	struct vtd_devmsg m;
	vtdb_init(&b, NULL);
	uint64_t dir = prq_setup(&b, 0, &fs, &fsr);
	vtdb_sm_ctx_std(&b, SID + 1, VTD_SCE_DTE | VTD_SCE_PASIDE, 0, dir, 0);
	struct ims_dma_result r = page_request(&b, SID + 1, 1, 0x1000, R, 4, true);
	ck_assert_uint_eq(r.fault, VTD_FR_SCT_8);
	ck_assert(r.reported);
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_uint_eq(m.rc, VTD_PRG_INVALID);
	ck_assert(m.automatic);
	r = page_request(&b, SID, 100, 0x1000, R, 5, false); /* no directory entry */
	ck_assert_uint_eq(r.fault, VTD_FR_SPD_2);
	ck_assert(!vtd_hw_devmsg_pop(b.hw, &m));
	uint64_t q0, q1;
	vtdb_frcd(&b, 1, &q0, &q1);
	ck_assert(q1 & VTD_FRCD_T2);
	ck_assert(!(q1 & VTD_FRCD_T1));
	/* Abort-DMA mode refuses page requests before any table. */
	vtdb_w64(&b, VTD_REG_RTADDR, VTD_RTADDR_TTM_V(3));
	vtdb_gcmd(&b, VTD_GCMD_SRTP, true);
	r = page_request(&b, SID, 1, 0x1000, R, 6, true);
	ck_assert_uint_eq(r.fault, VTD_FR_RTA_4);
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_uint_eq(m.rc, VTD_PRG_INVALID);
	vtdb_fini(&b);
}
END_TEST

/* An accepted page request first invalidates what the IOTLB holds for the
 * page (SPEC 6.5.3.1): a stale translation disappears without software. */
START_TEST(accepted_request_runs_the_implicit_invalidation)
{
	struct vtdb b;
	struct ims_pt_fmt fs;
	uint64_t fsr;
	vtdb_init(&b, NULL);
	prq_setup(&b, 0, &fs, &fsr);
	vtdb_map(&b, &fs, fsr, 0x400000, DATA, 0x1000, IMS_PT_PROT_R | IMS_PT_PROT_W);
	ck_assert_u64_eq(vtdb_dma(&b, SID, 1, 0x400000, R).pa, DATA);
	uint64_t leaf = vtdb_leaf_addr(&b, &fs, fsr, 0x400000);
	vtdb_m64(&b, leaf, (vtdb_rm64(&b, leaf) & 0xFFF) | 0x90000000ull);
	ck_assert_u64_eq(vtdb_dma(&b, SID, 1, 0x400000, R).pa, DATA);
	ck_assert_int_eq(page_request(&b, SID, 1, 0x400000, W, 1, true).status, IMS_DMA_QUEUED);
	ck_assert_u64_eq(vtdb_dma(&b, SID, 1, 0x400000, R).pa, 0x90000000ull);
	/* Pass-through (RID_PASID 0): page-selective too. */
	ck_assert_u64_eq(vtdb_dma(&b, SID, IMS_NO_PASID, 0x5000, R).pa, 0x5000);
	ck_assert_int_eq(page_request(&b, SID, IMS_NO_PASID, 0x5000, W, 2, true).status,
			 IMS_DMA_QUEUED);
	ck_assert(!vtdb_dma(&b, SID, IMS_NO_PASID, 0x5000, R).iotlb_hit);
	vtdb_fini(&b);
}
END_TEST

/* Nested PASID entries: the implicit invalidation is domain-selective. */
START_TEST(nested_request_invalidates_the_domain)
{
	struct vtdb b;
	struct ims_pt_fmt fs, ss;
	uint64_t fsr, pe[8];
	vtdb_init(&b, NULL);
	uint64_t dir = prq_setup(&b, 0, &fs, &fsr);
	vtdb_ss_fmt(&b, &ss, 4, 0);
	uint64_t ssr = vtdb_pt_root(&b, &ss);
	uint64_t g = vtdb_pt_root(&b, &fs);
	vtdb_map(&b, &fs, g, 0x400000, 0x40000000, 0x1000, IMS_PT_PROT_R);
	for (uint64_t p = VTDB_POOL; p < VTDB_POOL + 0x40000; p += 0x1000)
		vtdb_map(&b, &ss, ssr, p, p, 0x1000, IMS_PT_PROT_R | IMS_PT_PROT_W);
	vtdb_map(&b, &ss, ssr, 0x40000000, DATA, 0x1000, IMS_PT_PROT_R);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_NESTED, .aw = 2, .did = DID + 5, .ssptptr = ssr,
			     .fsptptr = g, .q1 = VTD_PE_PWSNP };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 2, pe);
	ck_assert_u64_eq(vtdb_dma(&b, SID, 2, 0x400000, R).pa, DATA);
	ck_assert(vtdb_dma(&b, SID, 2, 0x400000, R).iotlb_hit);
	ck_assert_int_eq(page_request(&b, SID, 2, 0x999000, W, 1, true).status, IMS_DMA_QUEUED);
	ck_assert(!vtdb_dma(&b, SID, 2, 0x400000, R).iotlb_hit);
	/* Writing 0 to PRS changes nothing. */
	vtdb_w32(&b, VTD_REG_PRS, 0);
	ck_assert(vtdb_r32(&b, VTD_REG_PRS) & VTD_PRS_PPR);
	vtdb_fini(&b);
}
END_TEST

/* Revision 3.x: an execute page request carries EXR. */
START_TEST(revision_3_execute_page_request)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt fs;
	uint64_t pe[8];
	vtd_hw_cfg_default(&cfg);
	cfg.rev = VTD_REV_3;
	cfg.ecap = (cfg.ecap & ~(VTD_ECAP_ADMS | VTD_ECAP_RPRIVS | VTD_ECAP_SSIRWS)) | VTD_ECAP_ERS;
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	vtdb_fs_fmt(&b, &fs, 4, 0);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_FS, .did = DID, .fsptptr = vtdb_pt_root(&b, &fs),
			     .q2 = VTD_PE_ERE };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	vtdb_prq_enable(&b, 0);
	ck_assert_int_eq(page_request(&b, SID, 1, 0x1000, R | IMS_PT_ACC_X, 1, true).status,
			 IMS_DMA_QUEUED);
	ck_assert(vtdb_rm64(&b, b.prq) & VTD_PRQ_EXR);
	/* 3.x page group responses may carry LPIG in QW1 bit 2. */
	uint64_t d[1][4] = { { VTD_DSC_PGRP_RESP | ((uint64_t)SID << 16), VTD_DSC_PGR_LPIG | 8, 0,
			       0 } };
	ck_assert(vtdb_iq_sync(&b, d, 1));
	vtdb_fini(&b);
}
END_TEST

/* A queue in an abort range loses the request (Response Failure to the
 * device); a part without page requests drops them and has no PRQ
 * registers. */
START_TEST(unwritable_queue_and_absent_feature)
{
	struct vtdb b;
	struct ims_pt_fmt fs;
	uint64_t fsr;
	struct vtd_devmsg m;
	vtdb_init(&b, NULL);
	prq_setup(&b, 0, &fs, &fsr);
	ims_mem_add_abort(b.mem, b.prq, b.prq + 0xFFF);
	struct ims_dma_result r = page_request(&b, SID, 1, 0x1000, R, 7, true);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_uint_eq(m.rc, VTD_PRG_FAILURE);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PQT), 0);
	vtdb_fini(&b);

	struct vtd_hw_cfg cfg;
	vtd_hw_cfg_default(&cfg);
	cfg.ecap &= ~VTD_ECAP_PRS;
	vtdb_init(&b, &cfg);
	vtdb_sm_setup(&b, SID, VTD_SCE_DTE | VTD_SCE_PASIDE, 0, 0);
	vtdb_w64(&b, VTD_REG_PQA, 0x1000);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_PQA), 0);
	r = page_request(&b, SID, 1, 0x1000, R, 8, true);
	ck_assert_int_eq(r.status, IMS_DMA_FAULT);
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_uint_eq(m.rc, VTD_PRG_INVALID);
	vtdb_fini(&b);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_hw_prq");
	TCase *tc = tcase_create("prq");
	tcase_add_test(tc, page_request_descriptor_and_event);
	tcase_add_test(tc, page_group_response_reaches_the_device);
	tcase_add_test(tc, overflow_drops_and_answers_automatically);
	tcase_add_test(tc, table_faults_answer_invalid_request);
	tcase_add_test(tc, accepted_request_runs_the_implicit_invalidation);
	tcase_add_test(tc, unwritable_queue_and_absent_feature);
	tcase_add_test(tc, nested_request_invalidates_the_domain);
	tcase_add_test(tc, revision_3_execute_page_request);
	suite_add_tcase(s, tc);
	return s;
}
