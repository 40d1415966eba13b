/* SPDX-License-Identifier: MIT */
/*
 * VT-d timing: every translation and command is charged from the cost
 * table (models/vtd/hw_cost.c), and the defaults reproduce pcie-bench's
 * Xeon E5 observation: with a 64-entry IOTLB and 4 KiB pages, latency is
 * flat up to a 256 KiB working set and about 290-360 ns higher per access
 * beyond 512 KiB.
 */
#include "tests/unit/tharness.h"
#include "tests/unit/vtd_build.h"

#define SID 0x0100
#define DID 1
#define DATA 0x100000000ull

static const unsigned R = IMS_PT_ACC_R;

static uint64_t c(struct vtdb *b, const char *key)
{
	int ok = 0;
	uint64_t v = ims_cost_get(vtd_hw_cost(b->hw), key, &ok);
	ck_assert_msg(ok, "no cost parameter %s", key);
	return v;
}

static uint64_t cycles(struct vtdb *b, uint64_t iova)
{
	struct ims_dma_result r = vtdb_dma(b, SID, IMS_NO_PASID, iova, R);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	return r.cycles;
}

/* Legacy 4-level tables mapping [0, n pages) with 4 KiB pages. */
static void legacy_pages(struct vtdb *b, uint64_t npages)
{
	struct ims_pt_fmt f;
	uint64_t root = vtdb_legacy_setup(b, SID, DID, &f);
	ims_pt_fmt_limit(&f, 12);
	for (uint64_t p = 0; p < npages; p++)
		vtdb_map(b, &f, root, p * 4096, DATA + ((p * 17) % npages) * 4096, 4096,
			 IMS_PT_PROT_R);
}

START_TEST(each_step_of_a_translation_is_charged)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	legacy_pages(&b, 1024);
	const uint64_t hit = c(&b, "iotlb_lookup");
	/* Cold: IOTLB miss, context cache miss (root + context read), no PSC
	 * entry, four SS reads. */
	uint64_t cold = hit + c(&b, "walk_start") + c(&b, "ctx_lookup") + 2 * c(&b, "config_read") +
			c(&b, "psc_lookup") + 4 * c(&b, "walk_read");
	uint64_t now0 = vtd_hw_cost(b.hw)->now;
	ck_assert_u64_eq(cycles(&b, 0x5000), cold);
	ck_assert_u64_eq(vtd_hw_cost(b.hw)->now - now0, cold);
	ck_assert_u64_eq(cycles(&b, 0x5000), hit);
	/* Warm miss: context and PDE cached: one read. */
	uint64_t warm = hit + c(&b, "walk_start") + c(&b, "ctx_lookup") + c(&b, "psc_lookup") +
			c(&b, "walk_read");
	ck_assert_u64_eq(cycles(&b, 0x6000), warm);
	ck_assert_u64_eq(warm, 332); /* the calibrated figure */
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->dma_cycles.count, 3);
	vtdb_fini(&b);

	/* Parameters are settable: a cheaper memory changes the miss. */
	struct vtd_hw_cfg cfg;
	char err[100];
	vtd_hw_cfg_default(&cfg);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "walk_read=100", err, sizeof(err)), 0);
	ck_assert_int_eq(vtd_hw_cfg_set(&cfg, "iotlb_lookup=2", err, sizeof(err)), 0);
	vtdb_init(&b, &cfg);
	legacy_pages(&b, 16);
	cycles(&b, 0x1000);
	ck_assert_u64_eq(cycles(&b, 0x2000), 2 + 40 + 4 + 4 + 100);
	ck_assert_u64_eq(cycles(&b, 0x2000), 2);
	vtdb_fini(&b);
}
END_TEST

/* Strided 4 KiB accesses over a working set after one warming pass. */
static double mean_ns(struct vtdb *b, uint64_t ws, unsigned n, bool random)
{
	uint64_t pages = ws / 4096, sum = 0, seed = 0x1234 + ws;
	for (uint64_t p = 0; p < pages; p++)
		cycles(b, p * 4096);
	for (unsigned i = 0; i < n; i++) {
		uint64_t p = random ? ims_test_rand(&seed) % pages : i % pages;
		sum += cycles(b, p * 4096 + (i % 64) * 64);
	}
	uint64_t mhz = c(b, "clock_mhz");
	return (double)ims_cycles_to_ns(sum, mhz) / n;
}

START_TEST(pcie_bench_calibration_with_a_64_entry_iotlb)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	ck_assert_uint_eq(b.cfg.cache[VTD_CACHE_IOTLB].sets * b.cfg.cache[VTD_CACHE_IOTLB].ways,
			  64);
	legacy_pages(&b, 16384); /* 64 MiB */
	double flat = mean_ns(&b, 4096, 2000, false);
	for (uint64_t ws = 8192; ws <= (256 << 10); ws *= 2)
		ck_assert_msg(mean_ns(&b, ws, 2000, false) == flat, "not flat at %llu",
			      (unsigned long long)ws);
	for (uint64_t ws = 512 << 10; ws <= (64ull << 20); ws *= 4) {
		double d = mean_ns(&b, ws, 2000, false) - flat;
		ck_assert_msg(d >= 290 && d <= 360, "ws %llu: %.1f ns slower",
			      (unsigned long long)ws, d);
	}
	/* Random accesses converge to the same penalty once the IOTLB
	 * covers a small part of the working set. */
	double d = mean_ns(&b, 64ull << 20, 4000, true) - flat;
	ck_assert_msg(d >= 290 && d <= 360, "random 64 MiB: %.1f ns slower", d);
	vtdb_fini(&b);
}
END_TEST

/* Descriptors: the fetch (a share of a 64-byte line), the execution, the
 * tag searches, draining, the wait's status write. */
START_TEST(commands_are_charged)
{
	struct vtdb b;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_SCALABLE, true);
	vtdb_iq_enable(&b, 0, true);
	uint64_t d[2][4];
	vtdb_dsc_iotlb(d[0], VTD_GRAN_DOMAIN, 3, 0, 0, false);
	vtdb_dsc_wait(d[1], true, false, 1, b.status);
	uint64_t t0 = vtd_hw_cost(b.hw)->now;
	vtdb_iq_post(&b, d, 2);
	uint64_t fetch = c(&b, "qi_fetch") * 32 / 64;
	uint64_t want = 2 * (fetch + c(&b, "qi_exec")) +
			3 * c(&b, "inval_search") + c(&b, "drain") + /* iotlb DSI */
			c(&b, "drain") + c(&b, "wait_status");        /* wait */
	ck_assert_u64_eq(vtd_hw_cost(b.hw)->now - t0, want);
	ck_assert_uint_eq(vtd_hw_stats(b.hw)->cmd_cycles.count, 2);

	/* An ATS invalidation costs a round trip; one that times out costs the
	 * time-out. */
	uint64_t a[1][4] = { { VTD_DSC_DEVTLB | (0x0700ull << 32), 0, 0, 0 } };
	t0 = vtd_hw_cost(b.hw)->now;
	vtdb_iq_post(&b, a, 1);
	ck_assert_u64_eq(vtd_hw_cost(b.hw)->now - t0, fetch + c(&b, "qi_exec") + c(&b, "ats_inv"));
	vtd_hw_set_device_ats(b.hw, 0x0700, VTD_ATS_TIMEOUT);
	t0 = vtd_hw_cost(b.hw)->now;
	vtdb_iq_post(&b, a, 1);
	ck_assert_u64_eq(vtd_hw_cost(b.hw)->now - t0,
			 fetch + c(&b, "qi_exec") + c(&b, "ats_timeout"));
	vtdb_fini(&b);
}
END_TEST

/* A cold nested translation pays 24 paging-structure reads (4-level on
 * 4-level) plus four configuration reads. */
START_TEST(nested_cold_translation_cost)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt fs, ss;
	uint64_t pe[8];
	vtd_hw_cfg_default(&cfg);
	cfg.cache[VTD_CACHE_FSPSC] = cfg.cache[VTD_CACHE_SSPSC] = (struct vtd_cache_geom){ 0, 0 };
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, VTD_SCE_PASIDE, 0, 0);
	vtdb_fs_fmt(&b, &fs, 4, 0);
	vtdb_ss_fmt(&b, &ss, 4, 0);
	ims_pt_fmt_limit(&ss, 12);
	uint64_t fsr = vtdb_pt_root(&b, &fs), ssr = vtdb_pt_root(&b, &ss);
	/* Guest tables at GPA == HPA (identity second stage over the pool). */
	vtdb_map(&b, &fs, fsr, 0x40000000, 0x20000000, 0x1000, IMS_PT_PROT_R);
	vtdb_map(&b, &ss, ssr, 0x20000000, DATA, 0x1000, IMS_PT_PROT_R);
	for (uint64_t p = VTDB_POOL; p < VTDB_POOL + 0x100000; p += 4096)
		vtdb_map(&b, &ss, ssr, p, p, 4096, IMS_PT_PROT_R | IMS_PT_PROT_W);
	struct ims_pt_walk w;
	ims_pt_translate(&fs, b.mem, fsr, 0x40000000, R, &w);
	for (unsigned i = 0; i < w.nreads; i++) /* A/D already set: no update */
		vtdb_m64(&b, w.reads[i].pa, w.reads[i].pte | 0x60);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_NESTED, .aw = 2, .did = DID, .ssptptr = ssr,
			     .fsptptr = fsr };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	struct ims_dma_result r = vtdb_dma(&b, SID, 1, 0x40000010, R);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x10);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->walk_reads, 24);
	ck_assert_uint_eq(r.mem_reads, 28);
	ck_assert_u64_eq(r.cycles, c(&b, "iotlb_lookup") + c(&b, "walk_start") +
				       c(&b, "ctx_lookup") + c(&b, "pasid_lookup") +
				       4 * c(&b, "config_read") + 24 * c(&b, "walk_read"));
	vtdb_fini(&b);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_hw_timing");
	TCase *tc = tcase_create("timing");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, each_step_of_a_translation_is_charged);
	tcase_add_test(tc, pcie_bench_calibration_with_a_64_entry_iotlb);
	tcase_add_test(tc, commands_are_charged);
	tcase_add_test(tc, nested_cold_translation_cost);
	suite_add_tcase(s, tc);
	return s;
}
