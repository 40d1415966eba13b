/* SPDX-License-Identifier: MIT */
/*
 * VT-d invalidation: the queued-invalidation interface (every descriptor
 * type, 128/256-bit slots, wrap, IQE/ITE/ICE with their IQERCD codes, wait
 * status writes and the completion interrupt; SPEC 6.5.2, 11.4.9) and the
 * scope of each invalidation (SPEC Tables 23/24, digest §7.2): a cached
 * translation stays until the invalidation that covers it, shown by
 * changing memory, observing the stale result, invalidating, and observing
 * the new one.
 */
#include "tests/unit/tharness.h"
#include "tests/unit/vtd_build.h"

#define SID 0x0208
#define DID 12
#define DATA 0x80000000ull
#define OTHER 0x90000000ull

static const unsigned R = IMS_PT_ACC_R;
static const unsigned RW = IMS_PT_PROT_R | IMS_PT_PROT_W;
static const uint64_t CTX = VTD_SCE_DTE | VTD_SCE_PASIDE | VTD_SCE_PRE;

typedef uint64_t dsc_t[4];

static uint64_t pa_at(int line, struct vtdb *b, uint32_t pasid, uint64_t addr)
{
	struct ims_dma_result r = vtdb_dma(b, SID, pasid, addr, R);
	ck_assert_msg(r.status == IMS_DMA_OK, "line %d: fault 0x%x", line, r.fault);
	return r.pa;
}
#define PA(b, pasid, addr) pa_at(__LINE__, b, pasid, addr)

static unsigned iqei(struct vtdb *b)
{
	return VTD_IQERCD_IQEI(vtdb_r64(b, VTD_REG_IQERCD));
}

static bool iqe(struct vtdb *b)
{
	return vtdb_r32(b, VTD_REG_FSTS) & VTD_FSTS_IQE;
}

/* Legacy unit with QI (128-bit) and 4-level SS tables for SID. */
static uint64_t legacy_qi(struct vtdb *b, struct ims_pt_fmt *f, bool dw)
{
	uint64_t root = vtdb_legacy_setup(b, SID, DID, f);
	vtdb_iq_enable(b, 0, dw);
	return root;
}

/* ---- Queue mechanics --------------------------------------------------------------- */

START_TEST(queue_runs_to_the_tail_and_wraps)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	legacy_qi(&b, &f, false);
	/* 256 slots of 16 bytes in one page; many batches go round it. */
	for (unsigned round = 0; round < 40; round++) {
		dsc_t d[9];
		for (unsigned i = 0; i < 9; i++)
			vtdb_dsc_iotlb(d[i], VTD_GRAN_DOMAIN, (uint16_t)i, 0, 0, false);
		ck_assert(vtdb_iq_sync(&b, d, 9));
		ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), vtdb_r64(&b, VTD_REG_IQT));
	}
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->dsc_by_type[VTD_DSC_IOTLB], 360);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->waits, 40);
	/* 400 descriptors of 16 bytes: the tail wrapped past 4 KiB. */
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQT), (400 * 16) % 4096);
	/* Disabling the queue resets its head. */
	vtdb_gcmd(&b, VTD_GCMD_QIE, false);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 0);
	ck_assert(!(vtdb_r32(&b, VTD_REG_GSTS) & VTD_GSTS_QIES));
	vtdb_fini(&b);
}
END_TEST

START_TEST(wide_descriptors_in_legacy_and_scalable_mode)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	legacy_qi(&b, &f, true); /* 256-bit slots, types 1-5 padded */
	dsc_t d[2];
	vtdb_dsc_cc(d[0], VTD_GRAN_GLOBAL, 0, 0, 0);
	vtdb_dsc_iotlb(d[1], VTD_GRAN_GLOBAL, 0, 0, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 2));
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 3 * 32);
	/* Padding that is not zero is a reserved-field violation. */
	d[0][2] = 1;
	vtdb_iq_post(&b, d, 1);
	ck_assert(iqe(&b));
	ck_assert_uint_eq(iqei(&b), VTD_IQEI_RSVD);
	vtdb_fini(&b);
}
END_TEST

/* IQE: head stays on the bad descriptor, what came before it completed,
 * nothing after it ran; IQT writes do nothing until software clears IQE,
 * after which the queue refetches from IQH (the Linux recovery: overwrite
 * the bad slot, clear IQE). */
START_TEST(bad_descriptor_stops_the_head_until_iqe_is_cleared)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	legacy_qi(&b, &f, false);
	dsc_t d[4];
	vtdb_dsc_wait(d[0], true, false, 0x11, b.status);
	d[1][0] = 0xB; /* type 0xB does not exist */
	d[1][1] = d[1][2] = d[1][3] = 0;
	vtdb_dsc_wait(d[2], true, false, 0x22, b.status + 4);
	vtdb_iq_post(&b, d, 3);
	ck_assert(iqe(&b));
	ck_assert_uint_eq(iqei(&b), VTD_IQEI_TYPE);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 16);
	ck_assert_uint_eq(ims_mem_read32(b.mem, b.status, IMS_MEM_DRIVER), 0x11);
	ck_assert_uint_eq(ims_mem_read32(b.mem, b.status + 4, IMS_MEM_DRIVER), 0);
	/* The error raised the fault event (masked: IP). */
	ck_assert(vtdb_r32(&b, VTD_REG_FECTL) & VTD_ECTL_IP);
	/* More descriptors while IQE is set are not fetched. */
	vtdb_dsc_wait(d[3], true, false, 0x33, b.status + 8);
	vtdb_iq_post(&b, &d[3], 1);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 16);
	ck_assert_uint_eq(ims_mem_read32(b.mem, b.status + 8, IMS_MEM_DRIVER), 0);
	/* Repair the slot, clear IQE: everything up to the tail runs. */
	vtdb_m64(&b, b.iq + 16, VTD_DSC_WAIT);
	vtdb_w32(&b, VTD_REG_FSTS, VTD_FSTS_IQE);
	ck_assert(!iqe(&b));
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 64);
	ck_assert_uint_eq(ims_mem_read32(b.mem, b.status + 4, IMS_MEM_DRIVER), 0x22);
	ck_assert_uint_eq(ims_mem_read32(b.mem, b.status + 8, IMS_MEM_DRIVER), 0x33);
	/* Clearing every status bit dropped the held fault interrupt. */
	ck_assert(!(vtdb_r32(&b, VTD_REG_FECTL) & VTD_ECTL_IP));
	vtdb_fini(&b);
}
END_TEST

/* Every IQEI code the modelled part can produce. */
START_TEST(queue_error_codes)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	dsc_t d[1];

	/* 1: the tail is beyond the queue (QS=0: 4 KiB). */
	vtdb_init(&b, NULL);
	legacy_qi(&b, &f, false);
	vtdb_w64(&b, VTD_REG_IQT, 0x1000);
	ck_assert(iqe(&b));
	ck_assert_uint_eq(iqei(&b), VTD_IQEI_TAIL);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 0);
	vtdb_fini(&b);

	/* 2: the descriptor cannot be fetched. */
	vtdb_init(&b, NULL);
	legacy_qi(&b, &f, false);
	ims_mem_add_abort(b.mem, b.iq, b.iq + 0xFFF);
	vtdb_dsc_cc(d[0], VTD_GRAN_GLOBAL, 0, 0, 0);
	vtdb_iq_post(&b, d, 1);
	ck_assert_uint_eq(iqei(&b), VTD_IQEI_FETCH);
	vtdb_fini(&b);

	/* 5: 128-bit descriptors in scalable mode. */
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_iq_enable(&b, 0, false);
	vtdb_iq_post(&b, d, 1);
	ck_assert_uint_eq(iqei(&b), VTD_IQEI_DW);
	vtdb_fini(&b);

	/* 6: DW=1 and the tail not on a 32-byte slot. */
	vtdb_init(&b, NULL);
	legacy_qi(&b, &f, true);
	vtdb_w64(&b, VTD_REG_IQT, 0x10);
	ck_assert_uint_eq(iqei(&b), VTD_IQEI_QT_ALIGN);
	vtdb_fini(&b);

	/* 7: the latched TTM is reserved. */
	vtdb_init(&b, NULL);
	vtdb_w64(&b, VTD_REG_RTADDR, VTD_RTADDR_TTM_V(2));
	vtdb_gcmd(&b, VTD_GCMD_SRTP, true);
	vtdb_iq_enable(&b, 0, true);
	vtdb_iq_post(&b, d, 1);
	ck_assert_uint_eq(iqei(&b), VTD_IQEI_TTM);
	vtdb_fini(&b);

	/* 7: abort-DMA mode latched on a part without ADMS. */
	struct vtd_hw_cfg nadm;
	vtd_hw_cfg_default(&nadm);
	nadm.ecap &= ~VTD_ECAP_ADMS;
	vtdb_init(&b, &nadm);
	vtdb_w64(&b, VTD_REG_RTADDR, VTD_RTADDR_TTM_V(3));
	vtdb_gcmd(&b, VTD_GCMD_SRTP, true);
	vtdb_iq_enable(&b, 0, true);
	vtdb_iq_post(&b, d, 1);
	ck_assert_uint_eq(iqei(&b), VTD_IQEI_TTM);
	vtdb_fini(&b);

	/* 5 again: 256-bit descriptors on a part with neither SMTS nor ADMS. */
	struct vtd_hw_cfg cfg;
	ck_assert_int_eq(vtd_hw_cfg_preset(&cfg, "snb"), 0);
	vtdb_init(&b, &cfg);
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_iq_enable(&b, 0, true);
	vtdb_iq_post(&b, d, 1);
	ck_assert_uint_eq(iqei(&b), VTD_IQEI_DW);
	vtdb_fini(&b);
}
END_TEST

/* Types a mode or part does not have (3) and reserved fields or encodings
 * (4), one descriptor each on a fresh queue. */
START_TEST(invalid_types_and_reserved_fields)
{
	static const struct {
		bool sm;
		uint64_t q0, q1, q2;
		unsigned code;
	} cases[] = {
		{ false, 0x0, 0, 0, VTD_IQEI_TYPE },                           /* type 0 */
		{ false, 0x1F, 0, 0, VTD_IQEI_TYPE },                          /* type 0xF */
		{ false, 0x200 | 1, 0, 0, VTD_IQEI_TYPE },                     /* type 0x11 */
		{ false, VTD_DSC_PC, 0, 0, VTD_IQEI_TYPE },                    /* legacy */
		{ false, VTD_DSC_PIOTLB | (2 << 4), 0, 0, VTD_IQEI_TYPE },
		{ true, VTD_DSC_HPT, 0, 0, VTD_IQEI_TYPE },                    /* no HPTS */
		{ true, VTD_DSC_CC, 0, 0, VTD_IQEI_RSVD },                     /* G=00 */
		{ true, VTD_DSC_CC | (1 << 4) | (1 << 7), 0, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_CC | (1 << 4), 1, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_IOTLB, 0, 0, VTD_IQEI_RSVD },                  /* G=00 */
		{ true, VTD_DSC_IOTLB | (3 << 4), 19, 0, VTD_IQEI_RSVD },      /* AM > MAMV */
		{ true, VTD_DSC_IOTLB | (1 << 4), 1 << 8, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_DEVTLB | (1 << 5), 0, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_DEVTLB, 2, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_IEC | (1 << 13), 0, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_WAIT | (1 << 8), 0, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_WAIT, 1, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_PIOTLB | (1 << 4), 0, 0, VTD_IQEI_RSVD },      /* G=01 */
		{ true, VTD_DSC_PIOTLB | (2 << 4) | (1ull << 60), 0, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_PC | (2 << 4), 0, 0, VTD_IQEI_RSVD },          /* G=10 */
		{ true, VTD_DSC_PC, 5, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_PDEVTLB, 1 << 4, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_PGRP_RESP | (5 << 12), 0, 0, VTD_IQEI_RSVD },  /* RC=5 */
		{ true, VTD_DSC_PGRP_RESP | (1 << 6), 0, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_PGRP_RESP, 1 << 13, 0, VTD_IQEI_RSVD },
		{ true, VTD_DSC_WAIT, 0, 7, VTD_IQEI_RSVD },                   /* QW2 */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vtdb b;
		vtdb_init(&b, NULL);
		vtdb_root(&b, cases[i].sm ? VTD_TTM_SCALABLE : VTD_TTM_LEGACY, true);
		vtdb_iq_enable(&b, 0, true);
		dsc_t d[1] = { { cases[i].q0, cases[i].q1, cases[i].q2, 0 } };
		vtdb_iq_post(&b, d, 1);
		ck_assert_msg(iqe(&b), "case %u: no IQE", i);
		ck_assert_msg(iqei(&b) == cases[i].code, "case %u: IQEI %u", i, iqei(&b));
		ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 0);
		vtdb_fini(&b);
	}
}
END_TEST

/* Parts without a feature refuse its descriptor types: no DT, no PRS, no
 * PDS (the wait's PD flag), no IR (iec_inv); PSI without CAP.PSI. */
START_TEST(feature_dependent_descriptors)
{
	static const struct {
		uint64_t ecap_clear, cap_clear;
		uint64_t q0;
		unsigned code;
	} cases[] = {
		{ VTD_ECAP_DT | VTD_ECAP_PRS, 0, VTD_DSC_DEVTLB, VTD_IQEI_TYPE },
		{ VTD_ECAP_DT | VTD_ECAP_PRS, 0, VTD_DSC_PDEVTLB, VTD_IQEI_TYPE },
		{ VTD_ECAP_PRS, 0, VTD_DSC_PGRP_RESP, VTD_IQEI_TYPE },
		{ VTD_ECAP_PDS, 0, VTD_DSC_WAIT | VTD_DSC_WAIT_PD, VTD_IQEI_RSVD },
		{ VTD_ECAP_IR | VTD_ECAP_EIM, 0, VTD_DSC_IEC, VTD_IQEI_TYPE },
		{ 0, VTD_CAP_PSI, VTD_DSC_IOTLB | (3 << 4), VTD_IQEI_RSVD },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vtdb b;
		struct vtd_hw_cfg cfg;
		vtd_hw_cfg_default(&cfg);
		cfg.ecap &= ~cases[i].ecap_clear;
		cfg.cap &= ~cases[i].cap_clear;
		vtdb_init(&b, &cfg);
		vtdb_root(&b, VTD_TTM_SCALABLE, true);
		vtdb_iq_enable(&b, 0, true);
		dsc_t d[1] = { { cases[i].q0, 0, 0, 0 } };
		vtdb_iq_post(&b, d, 1);
		ck_assert_msg(iqei(&b) == cases[i].code, "case %u: IQEI %u", i, iqei(&b));
		vtdb_fini(&b);
		/* The default part accepts the same descriptor. */
		vtdb_init(&b, NULL);
		vtdb_root(&b, VTD_TTM_SCALABLE, true);
		vtdb_iq_enable(&b, 0, true);
		vtdb_iq_post(&b, d, 1);
		ck_assert_msg(!iqe(&b), "case %u: default part refused it (IQEI %u)", i, iqei(&b));
		vtdb_fini(&b);
	}
}
END_TEST

/* HPT invalidations exist only with HPTS (5.x); the model accepts them. */
START_TEST(hpt_invalidation_with_hpts)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	vtd_hw_cfg_default(&cfg);
	cfg.ecap |= VTD_ECAP_HPTS;
	vtdb_init(&b, &cfg);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_iq_enable(&b, 0, true);
	dsc_t d[1] = { { VTD_DSC_HPT | (1 << 4) | (5 << 16), 0x5000, 0, 0 } };
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->dsc_by_type[VTD_DSC_HPT], 1);
	d[0][1] = 1 << 9;
	vtdb_iq_post(&b, d, 1);
	ck_assert_uint_eq(iqei(&b), VTD_IQEI_RSVD);
	vtdb_fini(&b);
}
END_TEST

/* inv_wait: status write, IF with the completion event, odd flag sets. */
START_TEST(wait_descriptor_status_and_interrupt)
{
	struct vtdb b;
	struct vtd_msi m;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_iq_enable(&b, 0, true);
	vtdb_w32(&b, VTD_REG_IEDATA, 0x4321);
	vtdb_w32(&b, VTD_REG_IEADDR, 0xFEE01000);
	vtdb_w32(&b, VTD_REG_IEUADDR, 0);
	dsc_t d[3];
	/* IF with the event masked: IWC and IP, no message. */
	vtdb_dsc_wait(d[0], false, true, 0, 0);
	vtdb_iq_post(&b, d, 1);
	ck_assert(vtdb_r32(&b, VTD_REG_ICS) & VTD_ICS_IWC);
	ck_assert(vtdb_r32(&b, VTD_REG_IECTL) & VTD_ECTL_IP);
	ck_assert(!vtd_hw_msi_pop(b.hw, &m));
	/* Unmasking sends the held message. */
	vtdb_w32(&b, VTD_REG_IECTL, 0);
	ck_assert(vtd_hw_msi_pop(b.hw, &m));
	ck_assert_int_eq(m.event, VTD_EV_INV);
	ck_assert_uint_eq(m.data, 0x4321);
	ck_assert_u64_eq(m.addr, 0xFEE01000);
	ck_assert(!(vtdb_r32(&b, VTD_REG_IECTL) & VTD_ECTL_IP));
	/* IWC still set: another IF wait raises nothing new. */
	vtdb_iq_post(&b, d, 1);
	ck_assert(!vtd_hw_msi_pop(b.hw, &m));
	vtdb_w32(&b, VTD_REG_ICS, VTD_ICS_IWC);
	ck_assert(!(vtdb_r32(&b, VTD_REG_ICS) & VTD_ICS_IWC));
	vtdb_iq_post(&b, d, 1);
	ck_assert(vtd_hw_msi_pop(b.hw, &m));
	/* A wait with no flag but FN is a fence; a status address in an
	 * abort range loses the write, nothing else. */
	d[0][0] = VTD_DSC_WAIT | VTD_DSC_WAIT_FN;
	ims_mem_add_abort(b.mem, 0xDEAD0000, 0xDEAD0FFF);
	vtdb_dsc_wait(d[1], true, false, 7, 0xDEAD0010);
	vtdb_dsc_wait(d[2], true, false, 8, b.status);
	vtdb_iq_post(&b, d, 3);
	ck_assert(!iqe(&b));
	ck_assert_uint_eq(ims_mem_read32(b.mem, b.status, IMS_MEM_DRIVER), 8);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->wait_status_aborts, 1);
	/* PD (page-request drain) is accepted with PDS. */
	d[0][0] = VTD_DSC_WAIT | VTD_DSC_WAIT_PD;
	vtdb_iq_post(&b, d, 1);
	ck_assert(!iqe(&b));
	vtdb_fini(&b);
}
END_TEST

/* Device-TLB invalidations reach the device with the range S encodes. */
START_TEST(device_tlb_invalidation_messages)
{
	struct vtdb b;
	struct vtd_devmsg m;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_iq_enable(&b, 0, true);
	dsc_t d[4] = {
		{ VTD_DSC_DEVTLB | (0x0501ull << 32), 0x12345000, 0, 0 },
		{ VTD_DSC_DEVTLB | (0x0501ull << 32), 0x12340000 | 0x3000 | 1, 0, 0 },
		{ VTD_DSC_DEVTLB | (0x0501ull << 32), ~0xFFFull | 1, 0, 0 },
		{ VTD_DSC_PDEVTLB | (0x0502ull << 16) | (33ull << 32), 0x40000 | VTD_DSC_PDEVTLB_GI,
		  0, 0 },
	};
	ck_assert(vtdb_iq_sync(&b, d, 4));
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_int_eq(m.kind, VTD_DEVMSG_ATS_INV);
	ck_assert_uint_eq(m.sid, 0x0501);
	ck_assert_u64_eq(m.addr, 0x12345000);
	ck_assert_u64_eq(m.size, 4096);
	ck_assert(!m.pp);
	/* S=1, ADDR bits 12, 13 set and 14 clear: 32 KiB. */
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_u64_eq(m.size, 32768);
	ck_assert_u64_eq(m.addr, 0x12340000);
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_u64_eq(m.size, UINT64_MAX);
	ck_assert(vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_uint_eq(m.sid, 0x0502);
	ck_assert(m.pp);
	ck_assert_uint_eq(m.pasid, 33);
	ck_assert(m.global);
	ck_assert(!vtd_hw_devmsg_pop(b.hw, &m));
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->ats_inv, 4);
	vtdb_fini(&b);
}
END_TEST

/* ITE: an ATS invalidation the device never completes aborts the next
 * wait (no status write, IQH stays on it) and logs ITESID; after software
 * clears ITE the queue refetches from IQH.  ICE: a bad completion logs
 * ICESID and processing goes on. */
START_TEST(device_tlb_timeout_and_bad_completion)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_iq_enable(&b, 0, true);
	vtd_hw_set_device_ats(b.hw, 0x0600, VTD_ATS_TIMEOUT);
	dsc_t d[1] = { { VTD_DSC_DEVTLB | (0x0600ull << 32), 0x1000, 0, 0 } };
	ck_assert(!vtdb_iq_sync(&b, d, 1));
	uint32_t fsts = vtdb_r32(&b, VTD_REG_FSTS);
	ck_assert(fsts & VTD_FSTS_ITE);
	ck_assert_uint_eq((vtdb_r64(&b, VTD_REG_IQERCD) >> 32) & 0xFFFF, 0x0600);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 32); /* on the wait */
	vtd_hw_set_device_ats(b.hw, 0x0600, VTD_ATS_RESPOND);
	vtdb_w32(&b, VTD_REG_FSTS, VTD_FSTS_ITE);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 64);
	ck_assert_uint_eq(ims_mem_read32(b.mem, b.status, IMS_MEM_DRIVER), b.status_seq);
	/* A timed-out invalidation with no wait behind it still times out. */
	vtd_hw_set_device_ats(b.hw, 0x0600, VTD_ATS_TIMEOUT);
	vtdb_iq_post(&b, d, 1);
	ck_assert(vtdb_r32(&b, VTD_REG_FSTS) & VTD_FSTS_ITE);
	vtdb_w32(&b, VTD_REG_FSTS, VTD_FSTS_ITE);

	vtd_hw_set_device_ats(b.hw, 0x0601, VTD_ATS_BAD_COMPLETION);
	d[0][0] = VTD_DSC_DEVTLB | (0x0601ull << 32);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert(vtdb_r32(&b, VTD_REG_FSTS) & VTD_FSTS_ICE);
	ck_assert_uint_eq(vtdb_r64(&b, VTD_REG_IQERCD) >> 48, 0x0601);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->ite, 2);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->ice, 1);
	vtdb_fini(&b);
}
END_TEST

/* An ATS invalidation and the wait behind it in one batch: the wait is
 * where the time-out is noticed. */
START_TEST(timeout_noticed_at_the_wait_of_the_same_batch)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_iq_enable(&b, 0, true);
	vtd_hw_set_device_ats(b.hw, 0x0600, VTD_ATS_TIMEOUT);
	dsc_t d[2] = { { VTD_DSC_DEVTLB | (0x0600ull << 32), 0x1000, 0, 0 } };
	vtdb_dsc_wait(d[1], true, false, 0x5A, b.status);
	vtdb_iq_post(&b, d, 2);
	ck_assert(vtdb_r32(&b, VTD_REG_FSTS) & VTD_FSTS_ITE);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 32);
	ck_assert_uint_eq(ims_mem_read32(b.mem, b.status, IMS_MEM_DRIVER), 0);
	vtdb_w32(&b, VTD_REG_FSTS, VTD_FSTS_ITE);
	ck_assert_uint_eq(ims_mem_read32(b.mem, b.status, IMS_MEM_DRIVER), 0x5A);
	vtdb_fini(&b);
}
END_TEST

/* Software reprogramming IQA under a live queue (undefined in the spec)
 * must not hurt the model: the head wraps into the smaller queue. */
START_TEST(queue_shrunk_under_a_live_head)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_iq_enable(&b, 1, false); /* 8 KiB */
	dsc_t d[1] = { { VTD_DSC_WAIT, 0, 0, 0 } };
	for (unsigned i = 0; i < 300; i++)
		vtdb_iq_post(&b, d, 1);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 300 * 16);
	vtdb_w64(&b, VTD_REG_IQA, b.iq); /* QS=0: 4 KiB */
	vtdb_w64(&b, VTD_REG_IQT, (300 * 16) & 0xFFF);
	ck_assert(!iqe(&b));
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), (300 * 16) & 0xFFF);
	vtdb_w64(&b, VTD_REG_IQT, 0x10);
	ck_assert_u64_eq(vtdb_r64(&b, VTD_REG_IQH), 0x10);
	vtdb_fini(&b);
}
END_TEST

START_TEST(interrupt_entry_cache_invalidation_is_accepted)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_LEGACY, true);
	vtdb_iq_enable(&b, 0, false);
	dsc_t d[2] = { { VTD_DSC_IEC, 0, 0, 0 }, { VTD_DSC_IEC | VTD_DSC_IEC_G | (5ull << 32), 0 } };
	ck_assert(vtdb_iq_sync(&b, d, 2));
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->dsc_by_type[VTD_DSC_IEC], 2);
	vtdb_fini(&b);
}
END_TEST

/* ---- Invalidation scope (digest §7.2) -------------------------------------------- */

/* Legacy SS: an IOTLB entry stays until a PSI that covers its address in
 * its domain, a DSI of its domain, or a global invalidation. */
START_TEST(iotlb_scope_in_legacy_mode)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	uint64_t u;
	vtdb_init(&b, NULL);
	uint64_t root = legacy_qi(&b, &f, false);
	dsc_t d[1];
	static const struct {
		unsigned g;
		uint16_t did;
		uint64_t addr;
		unsigned am;
		bool removes;
	} steps[] = {
		{ VTD_GRAN_SEL, DID, 0x52000, 0, false },    /* other page */
		{ VTD_GRAN_SEL, DID + 1, 0x50000, 0, false }, /* other domain */
		{ VTD_GRAN_DOMAIN, DID + 1, 0, 0, false },
		{ VTD_GRAN_SEL, DID, 0x50000, 0, true },
		{ VTD_GRAN_SEL, DID, 0x44000, 5, true },     /* 32 pages 0x40000-0x5FFFF */
		{ VTD_GRAN_DOMAIN, DID, 0, 0, true },
		{ VTD_GRAN_GLOBAL, 0, 0, 0, true },
	};
	vtdb_map(&b, &f, root, 0x50000, DATA, 0x1000, RW);
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* Alternate the page under 0x50000 between DATA and OTHER. */
		uint64_t now = PA(&b, IMS_NO_PASID, 0x50000);
		uint64_t next = now == DATA ? OTHER : DATA;
		vtdb_m64(&b, vtdb_leaf_addr(&b, &f, root, 0x50000), next | 3);
		ck_assert_u64_eq(PA(&b, IMS_NO_PASID, 0x50000), now); /* stale */
		/* Before step 4, a mask that ends just below the page: AM=2 at
		 * 0x4C000 is 0x4C000-0x4FFFF, which misses it. */
		if (i == 4) {
			vtdb_dsc_iotlb(d[0], VTD_GRAN_SEL, DID, 0x4C000, 2, false);
			ck_assert(vtdb_iq_sync(&b, d, 1));
			ck_assert_u64_eq(PA(&b, IMS_NO_PASID, 0x50000), now);
		}
		vtdb_dsc_iotlb(d[0], steps[i].g, steps[i].did, steps[i].addr, steps[i].am, false);
		ck_assert(vtdb_iq_sync(&b, d, 1));
		u = PA(&b, IMS_NO_PASID, 0x50000);
		ck_assert_msg(u == (steps[i].removes ? next : now), "step %u", i);
		if (!steps[i].removes) {
			/* Put memory back so the next step starts consistent. */
			vtdb_m64(&b, vtdb_leaf_addr(&b, &f, root, 0x50000), now | 3);
		}
	}
	vtdb_fini(&b);
}
END_TEST

/* IH=1 (only leaves changed) keeps the SS paging-structure cache: a
 * changed non-leaf entry is seen only after an invalidation with IH=0. */
START_TEST(invalidation_hint_keeps_paging_structure_caches)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t root = legacy_qi(&b, &f, false);
	vtdb_map(&b, &f, root, 0x50000, DATA, 0x1000, RW);
	ck_assert_u64_eq(PA(&b, IMS_NO_PASID, 0x50000), DATA);
	/* A new page table for the same 2 MiB: change the PDE. */
	uint64_t pt = vtdb_page(&b, 0);
	vtdb_m64(&b, pt + 8 * 0x50, OTHER | 3);
	struct ims_pt_walk w;
	ims_pt_translate(&f, b.mem, root, 0x50000, IMS_PT_ACC_R, &w);
	vtdb_m64(&b, w.reads[2].pa, pt | 3);
	dsc_t d[1];
	vtdb_dsc_iotlb(d[0], VTD_GRAN_SEL, DID, 0x50000, 0, true);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	/* IOTLB entry gone, PDE cache kept: the old page table still used. */
	ck_assert_u64_eq(PA(&b, IMS_NO_PASID, 0x50000), DATA);
	ck_assert_int_eq(vtd_hw_last(b.hw)->psc_level[1], 1);
	vtdb_dsc_iotlb(d[0], VTD_GRAN_SEL, DID, 0x50000, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, IMS_NO_PASID, 0x50000), OTHER);
	vtdb_fini(&b);
}
END_TEST

/* Scalable mode: PSI removes every first-stage entry of the domain (FS
 * input addresses are not the domain's GPAs) but SS entries only in range;
 * p_iotlb page-selective touches FS entries in range only and leaves SS
 * entries alone; p_iotlb PASID-selective removes the PASID's entries of
 * every kind. */
START_TEST(iotlb_scope_by_pgtt_in_scalable_mode)
{
	struct vtdb b;
	struct ims_pt_fmt fs, ss;
	uint64_t pe[8];
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	vtdb_fs_fmt(&b, &fs, 4, 0);
	vtdb_ss_fmt(&b, &ss, 4, 0);
	uint64_t fsr = vtdb_pt_root(&b, &fs), ssr = vtdb_pt_root(&b, &ss);
	vtdb_map(&b, &fs, fsr, 0x50000, DATA, 0x1000, RW);
	vtdb_map(&b, &fs, fsr, 0x70000, DATA + 0x2000, 0x1000, RW);
	vtdb_map(&b, &ss, ssr, 0x50000, DATA + 0x1000, 0x1000, RW);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_FS, .did = DID, .fsptptr = fsr, .q1 = VTD_PE_PWSNP };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	struct vtdb_pe c = { .pgtt = VTD_PGTT_SS, .aw = 2, .did = DID, .ssptptr = ssr };
	vtdb_pe_make(&c, pe);
	vtdb_pasid_entry(&b, dir, 2, pe);

	uint64_t fs50 = vtdb_leaf_addr(&b, &fs, fsr, 0x50000);
	uint64_t fs70 = vtdb_leaf_addr(&b, &fs, fsr, 0x70000);
	uint64_t ss50 = vtdb_leaf_addr(&b, &ss, ssr, 0x50000);
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA);
	ck_assert_u64_eq(PA(&b, 1, 0x70000), DATA + 0x2000);
	ck_assert_u64_eq(PA(&b, 2, 0x50000), DATA + 0x1000);
	vtdb_m64(&b, fs50, (vtdb_rm64(&b, fs50) & 0xFFF) | OTHER);
	vtdb_m64(&b, fs70, (vtdb_rm64(&b, fs70) & 0xFFF) | (OTHER + 0x2000));
	vtdb_m64(&b, ss50, (OTHER + 0x1000) | 3);
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA);
	ck_assert_u64_eq(PA(&b, 2, 0x50000), DATA + 0x1000);

	dsc_t d[1];
	/* p_iotlb page-selective for PASID 2 at 0x50000: SS entries untouched. */
	vtdb_dsc_piotlb(d[0], VTD_PIOTLB_G_PAGE, DID, 2, 0x50000, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 2, 0x50000), DATA + 0x1000);
	/* p_iotlb page-selective for PASID 1 at 0x50000: only that page. */
	vtdb_dsc_piotlb(d[0], VTD_PIOTLB_G_PAGE, DID, 1, 0x50000, 0, true);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), OTHER);
	ck_assert_u64_eq(PA(&b, 1, 0x70000), DATA + 0x2000);
	/* iotlb PSI at 0x50000: all FS entries of the domain go (0x70000
	 * too), the SS entry at 0x50000 too. */
	vtdb_m64(&b, fs50, (vtdb_rm64(&b, fs50) & 0xFFF) | DATA);
	vtdb_dsc_iotlb(d[0], VTD_GRAN_SEL, DID, 0x50000, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 1, 0x70000), OTHER + 0x2000);
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA);
	ck_assert_u64_eq(PA(&b, 2, 0x50000), OTHER + 0x1000);
	/* p_iotlb PASID-selective: every entry of PASID 2, SS included. */
	vtdb_m64(&b, ss50, (DATA + 0x1000) | 3);
	vtdb_dsc_piotlb(d[0], VTD_PIOTLB_G_PASID, DID, 1, 0, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 2, 0x50000), OTHER + 0x1000);
	vtdb_dsc_piotlb(d[0], VTD_PIOTLB_G_PASID, DID, 2, 0, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 2, 0x50000), DATA + 0x1000);
	/* Any AM is valid for p_iotlb: AM=63 covers every address. */
	vtdb_m64(&b, fs70, (vtdb_rm64(&b, fs70) & 0xFFF) | (DATA + 0x2000));
	vtdb_dsc_piotlb(d[0], VTD_PIOTLB_G_PAGE, DID, 1, 0x123000, 63, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 1, 0x70000), DATA + 0x2000);
	vtdb_fini(&b);
}
END_TEST

/* The first-stage PSC: p_iotlb page-selective with IH=1 keeps it (a
 * changed PDE is not seen), with IH=0 removes it. */
START_TEST(first_stage_paging_structure_cache_scope)
{
	struct vtdb b;
	struct ims_pt_fmt fs;
	uint64_t pe[8];
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	vtdb_fs_fmt(&b, &fs, 4, 0);
	uint64_t fsr = vtdb_pt_root(&b, &fs);
	vtdb_map(&b, &fs, fsr, 0x50000, DATA, 0x1000, RW);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_FS, .did = DID, .fsptptr = fsr, .q1 = VTD_PE_PWSNP };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA);
	struct ims_pt_walk w;
	ims_pt_translate(&fs, b.mem, fsr, 0x50000, IMS_PT_ACC_R, &w);
	uint64_t pt = vtdb_page(&b, 0);
	vtdb_m64(&b, pt + 8 * 0x50, OTHER | 0x67);
	vtdb_m64(&b, w.reads[2].pa, pt | 0x27);
	dsc_t d[1];
	vtdb_dsc_piotlb(d[0], VTD_PIOTLB_G_PAGE, DID, 1, 0x50000, 0, true);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA);
	ck_assert_int_eq(vtd_hw_last(b.hw)->psc_level[0], 1);
	vtdb_dsc_piotlb(d[0], VTD_PIOTLB_G_PAGE, DID, 1, 0x50000, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), OTHER);
	vtdb_fini(&b);
}
END_TEST

/* Context cache (SM: tagged by SID only) and PASID cache (DID, PASID). */
START_TEST(context_and_pasid_cache_scope)
{
	struct vtdb b;
	struct ims_pt_fmt ss;
	uint64_t pe[8];
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	vtdb_ss_fmt(&b, &ss, 4, 0);
	uint64_t r1 = vtdb_pt_root(&b, &ss), r2 = vtdb_pt_root(&b, &ss);
	vtdb_map(&b, &ss, r1, 0x50000, DATA, 0x1000, RW);
	vtdb_map(&b, &ss, r2, 0x50000, OTHER, 0x1000, RW);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_SS, .aw = 2, .did = DID, .ssptptr = r1 };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA);

	/* Change the PASID entry to DID+1 / r2: stale until pc + iotlb. */
	struct vtdb_pe a2 = { .pgtt = VTD_PGTT_SS, .aw = 2, .did = DID + 1, .ssptptr = r2 };
	vtdb_pe_make(&a2, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	dsc_t d[2];
	vtdb_dsc_iotlb(d[0], VTD_GRAN_DOMAIN, DID, 0, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA); /* PASID cache: old entry */
	vtdb_dsc_pc(d[0], VTD_PC_G_PASID, DID, 2);      /* other PASID */
	vtdb_dsc_iotlb(d[1], VTD_GRAN_DOMAIN, DID, 0, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 2));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA);
	vtdb_dsc_pc(d[0], VTD_PC_G_PASID, DID, 1);
	ck_assert(vtdb_iq_sync(&b, d, 2));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), OTHER);
	/* Domain-selective pc by the cached entry's DID (now DID+1). */
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	vtdb_dsc_pc(d[0], VTD_PC_G_DOMAIN, DID, 0);
	vtdb_dsc_iotlb(d[1], VTD_GRAN_DOMAIN, DID + 1, 0, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 2));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), OTHER);
	vtdb_dsc_pc(d[0], VTD_PC_G_DOMAIN, DID + 1, 0);
	ck_assert(vtdb_iq_sync(&b, d, 2));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA);
	/* Global pc. */
	vtdb_pe_make(&a2, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	vtdb_dsc_pc(d[0], VTD_PC_G_GLOBAL, 0, 0);
	vtdb_dsc_iotlb(d[1], VTD_GRAN_GLOBAL, 0, 0, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 2));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), OTHER);

	/* Context entry: a new PASID directory.  Device-selective cc for
	 * another SID keeps it; domain-selective acts as global in SM. */
	uint64_t dir2 = vtdb_pasid_dir(&b, 0);
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir2, 1, pe);
	vtdb_sm_ctx_std(&b, SID, CTX, 0, dir2, 0);
	vtdb_dsc_cc(d[0], VTD_GRAN_SEL, 0, SID + 1, 0);
	vtdb_dsc_pc(d[1], VTD_PC_G_GLOBAL, 0, 0);
	ck_assert(vtdb_iq_sync(&b, d, 2));
	vtdb_dsc_iotlb(d[0], VTD_GRAN_GLOBAL, 0, 0, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), OTHER); /* old directory */
	vtdb_dsc_cc(d[0], VTD_GRAN_DOMAIN, 77, 0, 0);
	vtdb_dsc_pc(d[1], VTD_PC_G_GLOBAL, 0, 0);
	ck_assert(vtdb_iq_sync(&b, d, 2));
	vtdb_dsc_iotlb(d[0], VTD_GRAN_GLOBAL, 0, 0, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA);
	ck_assert(!vtd_hw_last(b.hw)->ctx_hit);
	vtdb_fini(&b);
}
END_TEST

/* SRTP invalidates everything only with ESRTPS; disabling translation on a
 * scalable-mode part does too. */
START_TEST(root_pointer_and_translation_enable_invalidate_globally)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f;
	for (int esrtps = 0; esrtps < 2; esrtps++) {
		vtd_hw_cfg_default(&cfg);
		if (!esrtps)
			cfg.cap &= ~VTD_CAP_ESRTPS;
		vtdb_init(&b, &cfg);
		uint64_t root = vtdb_legacy_setup(&b, SID, DID, &f);
		vtdb_map(&b, &f, root, 0x50000, DATA, 0x1000, RW);
		ck_assert_u64_eq(PA(&b, IMS_NO_PASID, 0x50000), DATA);
		vtdb_m64(&b, vtdb_leaf_addr(&b, &f, root, 0x50000), OTHER | 3);
		vtdb_gcmd(&b, VTD_GCMD_SRTP, true);
		ck_assert_u64_eq(PA(&b, IMS_NO_PASID, 0x50000), esrtps ? OTHER : DATA);
		vtdb_gcmd(&b, VTD_GCMD_TE, false);
		vtdb_gcmd(&b, VTD_GCMD_TE, true);
		vtdb_m64(&b, vtdb_leaf_addr(&b, &f, root, 0x50000), DATA | 3);
		vtdb_gcmd(&b, VTD_GCMD_TE, false);
		vtdb_gcmd(&b, VTD_GCMD_TE, true);
		ck_assert_u64_eq(PA(&b, IMS_NO_PASID, 0x50000), DATA);
		vtdb_fini(&b);
	}
}
END_TEST

/* Caching mode in scalable mode: a not-present PASID entry stays cached
 * until a PASID-cache invalidation with the DID the new entry carries. */
START_TEST(caching_mode_pasid_entries)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt ss;
	uint64_t pe[8];
	vtd_hw_cfg_default(&cfg);
	cfg.cap |= VTD_CAP_CM;
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	vtdb_ss_fmt(&b, &ss, 4, 0);
	uint64_t r1 = vtdb_pt_root(&b, &ss);
	vtdb_map(&b, &ss, r1, 0x50000, DATA, 0x1000, RW);
	uint64_t zero[8] = { 0, DID };
	vtdb_pasid_entry(&b, dir, 1, zero);
	ck_assert_uint_eq(vtdb_dma(&b, SID, 1, 0x50000, R).fault, VTD_FR_SPT_2);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_SS, .aw = 2, .did = DID, .ssptptr = r1 };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	ck_assert_uint_eq(vtdb_dma(&b, SID, 1, 0x50000, R).fault, VTD_FR_SPT_2);
	dsc_t d[1];
	vtdb_dsc_pc(d[0], VTD_PC_G_PASID, DID, 1);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 1, 0x50000), DATA);
	/* Unmap the page: the not-present leaf is cached after one fault. */
	vtdb_m64(&b, vtdb_leaf_addr(&b, &ss, r1, 0x60000), 0);
	ck_assert_uint_eq(vtdb_dma(&b, SID, 1, 0x60000, R).fault, VTD_FR_SSS_2);
	vtdb_map(&b, &ss, r1, 0x60000, OTHER, 0x1000, RW);
	struct ims_dma_result r = vtdb_dma(&b, SID, 1, 0x60000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SSS_2);
	ck_assert(r.iotlb_hit);
	vtdb_dsc_iotlb(d[0], VTD_GRAN_SEL, DID, 0x60000, 0, true);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	ck_assert_u64_eq(PA(&b, 1, 0x60000), OTHER);
	vtdb_fini(&b);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_hw_inval");
	TCase *q = tcase_create("queue");
	tcase_add_test(q, queue_runs_to_the_tail_and_wraps);
	tcase_add_test(q, wide_descriptors_in_legacy_and_scalable_mode);
	tcase_add_test(q, bad_descriptor_stops_the_head_until_iqe_is_cleared);
	tcase_add_test(q, queue_error_codes);
	tcase_add_test(q, invalid_types_and_reserved_fields);
	tcase_add_test(q, feature_dependent_descriptors);
	tcase_add_test(q, hpt_invalidation_with_hpts);
	tcase_add_test(q, wait_descriptor_status_and_interrupt);
	tcase_add_test(q, device_tlb_invalidation_messages);
	tcase_add_test(q, device_tlb_timeout_and_bad_completion);
	tcase_add_test(q, timeout_noticed_at_the_wait_of_the_same_batch);
	tcase_add_test(q, queue_shrunk_under_a_live_head);
	tcase_add_test(q, interrupt_entry_cache_invalidation_is_accepted);
	suite_add_tcase(s, q);
	TCase *sc = tcase_create("scope");
	tcase_add_test(sc, iotlb_scope_in_legacy_mode);
	tcase_add_test(sc, invalidation_hint_keeps_paging_structure_caches);
	tcase_add_test(sc, iotlb_scope_by_pgtt_in_scalable_mode);
	tcase_add_test(sc, first_stage_paging_structure_cache_scope);
	tcase_add_test(sc, context_and_pasid_cache_scope);
	tcase_add_test(sc, root_pointer_and_translation_enable_invalidate_globally);
	tcase_add_test(sc, caching_mode_pasid_entries);
	suite_add_tcase(s, sc);
	return s;
}
