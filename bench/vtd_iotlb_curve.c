/* SPDX-License-Identifier: MIT */
/*
 * bench/vtd_iotlb_curve — simulated DMA translation latency per access
 * against working-set size, the experiment of pcie-bench (Neugebauer et
 * al., SIGCOMM 2018, Xeon E5 with the IOMMU on): 4 KiB pages, a working set
 * from 4 KiB to 64 MiB, and the VT-d model's default costs with a 64-entry
 * IOTLB.  The measurement found latency flat up to 256 KiB (64 pages) and
 * about 330 ns higher per access beyond; the defaults in
 * models/vtd/hw_cost.c are chosen to reproduce that.
 *
 * For each working set the pages are touched once (warm caches), then
 * ACCESSES reads are made, one 64-byte read per access:
 *   strided  page k mod N in order: every access misses once N > 64
 *   random   a uniformly random page of the N (fixed seed), as pcie-bench's
 *            random offsets in its window: the hit rate is about 64/N
 * Printed per working set: mean ns per access for both patterns, and the
 * random pattern's IOTLB hit rate.  Deterministic: the same output every run.
 *
 *   build/rel/bench/vtd_iotlb_curve [--scalable] [--csv] [--accesses N]
 *       [set KEY=VALUE ...]   (any vtd_hw_cfg_set key, e.g. iotlb_entries=128)
 *
 * --scalable translates through a scalable-mode PASID entry (second stage
 * only, requests without PASID) instead of a legacy context entry.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/vtd/vtd_hw.h"
#include "models/vtd/vtd_regs.h"
#include "models/vtd/vtd_tables.h"
#include "sim/mem.h"
#include "sim/palloc.h"
#include "sim/pt.h"

#define SID 0x0100
#define DID 1
#define MAX_WS (64ull << 20)
#define DATA 0x100000000ull /* data pages live at 4 GiB and up */

struct env {
	struct ims_mem *mem;
	struct ims_palloc pa;
	struct vtd_hw *hw;
	struct vtd_hw_cfg cfg;
};

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint64_t page(struct env *e)
{
	uint64_t pa;
	if (ims_palloc_alloc(&e->pa, 0, &pa) < 0) {
		fprintf(stderr, "vtd_iotlb_curve: out of table memory\n");
		exit(1);
	}
	return pa;
}

static void w64(struct env *e, uint64_t off, uint64_t v)
{
	vtd_hw_mmio_write64(e->hw, off, v);
}

static void gcmd(struct env *e, uint32_t bit)
{
	uint32_t st = 0;
	vtd_hw_mmio_read32(e->hw, VTD_REG_GSTS, &st);
	vtd_hw_mmio_write32(e->hw, VTD_REG_GCMD, (st & VTD_GSTS_PERSIST) | bit);
}

/* Programs the unit like a driver would: root table, context (or PASID)
 * entry, 4-level second-stage tables mapping [0, 64 MiB) with 4 KiB pages
 * scattered over host memory. */
static void setup(struct env *e, bool scalable)
{
	struct ims_pt_fmt f;
	struct ims_pt_vtdss_cfg sc = {
		.levels = 4, .mgaw = VTD_CAP_MGAW(e->cfg.cap) + 1, .oas = e->cfg.haw,
	};
	char err[200];
	uint64_t root, ss, ctx;

	e->mem = ims_mem_new();
	if (!e->mem || ims_palloc_init(&e->pa, e->mem, 0x10000000, 0x10000000) < 0) {
		fprintf(stderr, "vtd_iotlb_curve: no memory\n");
		exit(1);
	}
	e->hw = vtd_hw_create(e->mem, &e->cfg, err, sizeof(err));
	if (!e->hw) {
		fprintf(stderr, "vtd_iotlb_curve: %s\n", err);
		exit(1);
	}
	if (ims_pt_fmt_vtd_ss(&f, &sc) < 0)
		exit(1);
	ims_pt_fmt_limit(&f, 12); /* 4 KiB pages only */
	if (ims_pt_alloc_root(&f, &e->pa, &ss) < 0)
		exit(1);
	for (uint64_t iova = 0; iova < MAX_WS; iova += 4096) {
		/* Scatter: consecutive IOVAs land 17 pages apart. */
		uint64_t pa = DATA + ((iova / 4096) * 17 % (MAX_WS / 4096)) * 4096;
		if (ims_pt_map(&f, e->mem, &e->pa, ss, iova, pa, 4096,
			       IMS_PT_PROT_R | IMS_PT_PROT_W) < 0)
			exit(1);
	}
	root = page(e);
	ctx = page(e);
	if (!scalable) {
		ims_mem_write64(e->mem, root + 16 * (SID >> 8), ctx | VTD_RE_P, IMS_MEM_DRIVER);
		ims_mem_write64(e->mem, ctx + 16 * (SID & 0xFF), ss | VTD_CE_P, IMS_MEM_DRIVER);
		ims_mem_write64(e->mem, ctx + 16 * (SID & 0xFF) + 8, (uint64_t)DID << 8 | 2,
				IMS_MEM_DRIVER);
		w64(e, VTD_REG_RTADDR, root);
	} else {
		uint64_t dir = page(e), tbl = page(e);
		ims_mem_write64(e->mem, root + 16 * (SID >> 8), ctx | VTD_SRE_LP, IMS_MEM_DRIVER);
		ims_mem_write64(e->mem, ctx + 32 * (SID & 0x7F), dir | VTD_SCE_P, IMS_MEM_DRIVER);
		ims_mem_write64(e->mem, dir, tbl | VTD_PDE_P, IMS_MEM_DRIVER);
		ims_mem_write64(e->mem, tbl, ss | (uint64_t)VTD_PGTT_SS << 6 | 2 << 2 | VTD_PE_P,
				IMS_MEM_DRIVER);
		ims_mem_write64(e->mem, tbl + 8, DID, IMS_MEM_DRIVER);
		w64(e, VTD_REG_RTADDR, root | VTD_RTADDR_TTM_V(VTD_TTM_SCALABLE));
	}
	gcmd(e, VTD_GCMD_SRTP);
	gcmd(e, VTD_GCMD_TE);
}

static uint64_t access_cycles(struct env *e, uint64_t iova)
{
	struct ims_dma_req req = {
		.sid = SID, .pasid = IMS_NO_PASID, .addr = iova, .len = 64, .access = IMS_PT_ACC_R,
	};
	struct ims_dma_result res;
	vtd_hw_dma(e->hw, &req, &res);
	if (res.status != IMS_DMA_OK) {
		fprintf(stderr, "vtd_iotlb_curve: fault 0x%x at 0x%" PRIx64 "\n", res.fault, iova);
		exit(1);
	}
	return res.cycles;
}

int main(int argc, char **argv)
{
	bool scalable = false, csv = false;
	uint64_t accesses = 200000;
	struct env e;
	char err[200];

	memset(&e, 0, sizeof(e));
	vtd_hw_cfg_default(&e.cfg);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--scalable") == 0) {
			scalable = true;
		} else if (strcmp(argv[i], "--csv") == 0) {
			csv = true;
		} else if (strcmp(argv[i], "--accesses") == 0 && i + 1 < argc) {
			accesses = strtoull(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "set") == 0 && i + 1 < argc) {
			if (vtd_hw_cfg_set(&e.cfg, argv[++i], err, sizeof(err)) < 0) {
				fprintf(stderr, "vtd_iotlb_curve: %s\n", err);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: %s [--scalable] [--csv] [--accesses N] "
				"[set KEY=VALUE]...\n", argv[0]);
			return 2;
		}
	}
	if (!accesses)
		accesses = 1;
	setup(&e, scalable);
	uint64_t mhz = ims_cost_get(vtd_hw_cost(e.hw), "clock_mhz", NULL);

	if (csv)
		printf("ws_bytes,strided_ns,random_ns,random_hit_pct\n");
	else
		printf("# VT-d %s, 4 KiB pages, %u-entry IOTLB, %" PRIu64 " reads per point\n"
		       "%10s %12s %12s %9s\n", scalable ? "scalable SS-only" : "legacy",
		       e.cfg.cache[VTD_CACHE_IOTLB].sets * e.cfg.cache[VTD_CACHE_IOTLB].ways,
		       accesses, "ws", "strided ns", "random ns", "hit %");
	for (uint64_t ws = 4096; ws <= MAX_WS; ws *= 2) {
		uint64_t n = ws / 4096, seed = 0x5eed + ws, sum_s = 0, sum_r = 0, hits0, hits1;

		/* Strided: warm with one pass, then measure. */
		for (uint64_t p = 0; p < n; p++)
			access_cycles(&e, p * 4096);
		for (uint64_t i = 0; i < accesses; i++)
			sum_s += access_cycles(&e, (i % n) * 4096 + (i % 64) * 64);
		/* Random over the same pages. */
		for (uint64_t p = 0; p < n; p++)
			access_cycles(&e, p * 4096);
		hits0 = vtd_hw_stats(e.hw)->iotlb_hits;
		for (uint64_t i = 0; i < accesses; i++)
			sum_r += access_cycles(&e, (rnd(&seed) % n) * 4096 + (i % 64) * 64);
		hits1 = vtd_hw_stats(e.hw)->iotlb_hits;

		double ns_s = (double)ims_cycles_to_ns(sum_s, mhz) / (double)accesses;
		double ns_r = (double)ims_cycles_to_ns(sum_r, mhz) / (double)accesses;
		double hit = 100.0 * (double)(hits1 - hits0) / (double)accesses;
		if (csv)
			printf("%" PRIu64 ",%.1f,%.1f,%.1f\n", ws, ns_s, ns_r, hit);
		else if (ws < (1 << 20))
			printf("%7" PRIu64 "KiB %12.1f %12.1f %8.1f%%\n", ws >> 10, ns_s, ns_r, hit);
		else
			printf("%7" PRIu64 "MiB %12.1f %12.1f %8.1f%%\n", ws >> 20, ns_s, ns_r, hit);
	}
	vtd_hw_destroy(e.hw);
	ims_palloc_fini(&e.pa);
	ims_mem_free(e.mem);
	return 0;
}
