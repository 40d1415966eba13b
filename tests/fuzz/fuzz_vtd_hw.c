/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the VT-d hardware half (models/vtd/hw_*).
 *
 * An input is a part selector followed by a program of operations a guest,
 * a driver or a device could perform: raw 64-bit writes into a 1 MiB window
 * of simulated memory (values biased to point back into the window), a
 * root/context/PASID skeleton at fixed places of the window with fields
 * taken from the input, page-table paths with input-chosen flags under the
 * skeleton's first- and second-stage roots, 32/64-bit register writes and
 * reads, GCMD commands, descriptors posted at the queue tail, abort ranges,
 * device ATS behaviour, and DMA requests of every type.  The skeleton and
 * path operations let mutations start from valid structures, so that walks,
 * caches and their invalidations are reached, not only the first checks.
 * Nothing may crash, trip a sanitizer or leak; and the unit must be
 * deterministic: the program runs twice on fresh units and every result,
 * register and counter must agree.
 *
 * Build and run (clang), from the repository root:
 *   SRC="sim/cache.c sim/cost.c sim/mem.c sim/palloc.c sim/ring.c sim/stats.c
 *        $(ls sim/pt/[a-z]*.c models/vtd/hw_[a-z]*.c)"
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *         -fno-sanitize-recover=undefined -D_DEFAULT_SOURCE -I. -Iinclude \
 *         tests/fuzz/fuzz_vtd_hw.c $SRC -o build/fuzz_vtd_hw
 *   build/fuzz_vtd_hw -max_len=2048 -max_total_time=300 CORPUS_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/vtd/vtd_hw.h"
#include "models/vtd/vtd_regs.h"
#include "models/vtd/vtd_tables.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WIN 0x100000ull      /* the window tables and queues live in */
#define WIN_SIZE 0x100000ull /* 256 pages */
/* Where the skeleton puts its structures inside the window. */
#define SK_ROOT (WIN + 0x0000)
#define SK_CTX_LO (WIN + 0x1000)
#define SK_CTX_HI (WIN + 0x2000)
#define SK_DIR (WIN + 0x3000)
#define SK_PTBL (WIN + 0x4000)
#define SK_SS_ROOT (WIN + 0x10000)
#define SK_FS_ROOT (WIN + 0x20000)
#define SK_TABLES (WIN + 0x30000) /* 192 pages of page tables */

struct in {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct in *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)in->p[0] << (8 * i);
	return v;
}

/* A value as software would write into a table or register: mostly a
 * page-aligned pointer into the window with low flag bits, sometimes raw. */
static uint64_t value(struct in *in)
{
	unsigned mode = (unsigned)take(in, 1);
	if (mode & 1)
		return take(in, 8);
	uint64_t v = WIN + ((take(in, 2) << 12) % WIN_SIZE);
	v |= take(in, 2) & 0xFFF;
	if (mode & 2)
		v |= take(in, 1) << 56; /* high flag bits (XD, IR/IW, ...) */
	return v;
}

/* Everything observable, folded into one number for the determinism check. */
struct digest {
	uint64_t h;
};

static void mix(struct digest *d, uint64_t v)
{
	d->h = (d->h ^ v) * 0x100000001b3ull;
	d->h ^= d->h >> 29;
}

static void config(struct in *in, struct vtd_hw_cfg *cfg)
{
	unsigned sel = (unsigned)take(in, 1);
	char err[160];

	switch (sel & 3) {
	case 1:
		vtd_hw_cfg_preset(cfg, "snb");
		break;
	case 2: /* a revision 3 part with execute requests */
		vtd_hw_cfg_default(cfg);
		cfg->rev = VTD_REV_3;
		cfg->ver = 0x30;
		cfg->ecap = (cfg->ecap & ~(VTD_ECAP_ADMS | VTD_ECAP_RPRIVS | VTD_ECAP_SSIRWS)) |
			    VTD_ECAP_ERS | VTD_ECAP_PTRS;
		break;
	case 3: /* raw CAP/ECAP bits toggled on the default part */
		vtd_hw_cfg_default(cfg);
		cfg->cap ^= take(in, 8) & ~VTD_M(33, 24);
		cfg->ecap ^= take(in, 8) & ~VTD_M(17, 8);
		cfg->ver = (uint32_t)take(in, 1);
		if (vtd_hw_cfg_check(cfg, err, sizeof(err)) < 0)
			vtd_hw_cfg_default(cfg);
		break;
	default:
		vtd_hw_cfg_default(cfg);
		break;
	}
	if (sel & 4)
		cfg->cap |= VTD_CAP_CM;
	if (sel & 8) /* tiny caches: evictions everywhere */
		for (unsigned i = 0; i < VTD_NCACHES; i++)
			cfg->cache[i] = (struct vtd_cache_geom){ 1, 2 };
	if (sel & 16)
		cfg->cache[VTD_CACHE_FSPSC] = cfg->cache[VTD_CACHE_SSPSC] =
			(struct vtd_cache_geom){ 0, 0 };
	if (sel & 32)
		cfg->repl = IMS_CACHE_RANDOM;
	if (sel & 64)
		cfg->cap |= VTD_CAP_RWBF;
}

static void run(const uint8_t *data, size_t size, struct digest *d)
{
	struct in in = { data, size };
	struct vtd_hw_cfg cfg;
	struct ims_mem *mem = ims_mem_new();
	struct vtd_hw *hw;
	char err[160];

	if (!mem)
		abort();
	config(&in, &cfg);
	hw = vtd_hw_create(mem, &cfg, err, sizeof(err));
	if (!hw) {
		fprintf(stderr, "fuzz_vtd_hw: a checked configuration was refused: %s\n", err);
		abort();
	}
	const uint64_t mmio = vtd_hw_mmio_size(hw);

	for (unsigned steps = 0; in.n && steps < 4096; steps++) {
		unsigned op = (unsigned)take(&in, 1) % 14;
		uint32_t v32;
		uint64_t v64;

		switch (op) {
		case 0: /* a table or queue entry */
			ims_mem_write64(mem, WIN + (take(&in, 2) * 8) % WIN_SIZE, value(&in),
					IMS_MEM_DRIVER);
			break;
		case 1: /* 32-bit register write (sometimes misaligned or outside) */
			v64 = take(&in, 2);
			mix(d, (uint64_t)vtd_hw_mmio_write32(hw, (v64 & 1) ? v64 >> 1 : (v64 % mmio) & ~3ull,
							     (uint32_t)take(&in, 4)));
			break;
		case 2: /* 64-bit register write */
			v64 = (take(&in, 2) % mmio) & ~7ull;
			mix(d, (uint64_t)vtd_hw_mmio_write64(hw, v64, value(&in)));
			break;
		case 3: { /* register reads */
			uint64_t off = (take(&in, 2) % mmio) & ~3ull;
			vtd_hw_mmio_read32(hw, off, &v32);
			mix(d, v32);
			vtd_hw_mmio_read64(hw, off & ~7ull, &v64);
			mix(d, v64);
			break;
		}
		case 4: { /* GCMD as software issues it */
			static const uint32_t bits[] = { VTD_GCMD_TE, VTD_GCMD_SRTP, VTD_GCMD_QIE,
							 VTD_GCMD_WBF, VTD_GCMD_IRE, VTD_GCMD_SIRTP,
							 VTD_GCMD_CFI };
			unsigned b = (unsigned)take(&in, 1);
			vtd_hw_mmio_read32(hw, VTD_REG_GSTS, &v32);
			v32 &= VTD_GSTS_PERSIST;
			v32 = (b & 0x80) ? v32 & ~bits[b % 7] : v32 | bits[b % 7];
			vtd_hw_mmio_write32(hw, VTD_REG_GCMD, v32);
			break;
		}
		case 5: { /* root table in the window, latched and enabled */
			unsigned b = (unsigned)take(&in, 1);
			v64 = WIN + ((take(&in, 1) << 12) % WIN_SIZE);
			vtd_hw_mmio_write64(hw, VTD_REG_RTADDR, v64 | VTD_RTADDR_TTM_V(b & 3) |
								(b & 4 ? VTD_RTADDR_SSIRWE : 0));
			vtd_hw_mmio_write32(hw, VTD_REG_GCMD, VTD_GCMD_SRTP);
			vtd_hw_mmio_write32(hw, VTD_REG_GCMD, VTD_GCMD_TE | (b & 8 ? VTD_GCMD_QIE : 0));
			break;
		}
		case 6: { /* a descriptor at the queue tail, then the tail moved */
			uint64_t iqa, iqt;
			vtd_hw_mmio_read64(hw, VTD_REG_IQA, &iqa);
			vtd_hw_mmio_read64(hw, VTD_REG_IQT, &iqt);
			unsigned dsz = (iqa & VTD_IQA_DW) ? 32 : 16;
			uint64_t q0 = take(&in, 8), q1 = value(&in);
			q0 = (q0 & ~0xFull) | (1 + (q0 & 0xF) % 10); /* mostly a real type */
			ims_mem_write64(mem, (iqa & VTD_IQA_IQA) + iqt, q0, IMS_MEM_DRIVER);
			ims_mem_write64(mem, (iqa & VTD_IQA_IQA) + iqt + 8, q1, IMS_MEM_DRIVER);
			if (dsz == 32) {
				ims_mem_write64(mem, (iqa & VTD_IQA_IQA) + iqt + 16, 0, IMS_MEM_DRIVER);
				ims_mem_write64(mem, (iqa & VTD_IQA_IQA) + iqt + 24, 0, IMS_MEM_DRIVER);
			}
			uint64_t qsize = 4096ull << VTD_IQA_QS(iqa);
			vtd_hw_mmio_write64(hw, VTD_REG_IQT, (iqt + dsz) % qsize);
			break;
		}
		case 7: /* device behaviour */
			vtd_hw_set_device_ats(hw, (uint16_t)take(&in, 2), (enum vtd_ats_mode)(take(&in, 1) % 4));
			break;
		case 8: { /* bus errors in part of the window */
			unsigned b = (unsigned)take(&in, 1);
			if (b & 1) {
				ims_mem_clear_aborts(mem);
			} else {
				uint64_t first = WIN + ((take(&in, 1) << 12) % WIN_SIZE);
				ims_mem_add_abort(mem, first, first + (take(&in, 1) << 12) + 0xFFF);
			}
			break;
		}
		case 9: { /* what the unit sent */
			struct vtd_devmsg m;
			struct vtd_msi msi;
			while (vtd_hw_devmsg_pop(hw, &m))
				mix(d, (uint64_t)m.kind << 56 ^ m.sid ^ m.addr ^ m.size ^ m.rc ^ m.prgi);
			while (vtd_hw_msi_pop(hw, &msi))
				mix(d, msi.addr ^ msi.data ^ msi.event);
			break;
		}
		case 10: { /* the skeleton for one SID, legacy or scalable */
			unsigned b = (unsigned)take(&in, 1);
			uint16_t sid = (uint16_t)take(&in, 1); /* bus 0 */
			uint64_t f = take(&in, 8);
			if (!(b & 1)) {
				ims_mem_write64(mem, SK_ROOT, SK_CTX_LO | VTD_RE_P, IMS_MEM_DRIVER);
				ims_mem_write64(mem, SK_CTX_LO + 16ull * sid,
						SK_SS_ROOT | (f & 0xF) | VTD_CE_P, IMS_MEM_DRIVER);
				ims_mem_write64(mem, SK_CTX_LO + 16ull * sid + 8,
						((f >> 4) & 3) + 1 | ((f >> 8) & 0xFF) << 8, IMS_MEM_DRIVER);
			} else {
				uint32_t pasid = (uint32_t)(f >> 40) & 0x7F;
				uint64_t ctx = (sid & 0x80) ? SK_CTX_HI : SK_CTX_LO;
				ims_mem_write64(mem, SK_ROOT, SK_CTX_LO | 1, IMS_MEM_DRIVER);
				ims_mem_write64(mem, SK_ROOT + 8, SK_CTX_HI | 1, IMS_MEM_DRIVER);
				ims_mem_write64(mem, ctx + 32ull * (sid & 0x7F),
						SK_DIR | (f & 0x1F) | VTD_SCE_P, IMS_MEM_DRIVER);
				ims_mem_write64(mem, ctx + 32ull * (sid & 0x7F) + 8,
						(f >> 5) & 1 ? VTD_SCE_RID_PRIV : 0, IMS_MEM_DRIVER);
				ims_mem_write64(mem, SK_DIR + 8ull * (pasid >> 6), SK_PTBL | VTD_PDE_P,
						IMS_MEM_DRIVER);
				uint64_t pe = SK_PTBL + 64ull * (pasid & 0x3F);
				ims_mem_write64(mem, pe, SK_SS_ROOT | VTD_PE_P | ((f >> 6) & 3) << 2 |
							     (1 + (f >> 8) % 4) << 6 | ((f >> 11) & 1) << 9,
						IMS_MEM_DRIVER);
				ims_mem_write64(mem, pe + 8, ((f >> 12) & 0xF) | ((f >> 16) & 1) << 23,
						IMS_MEM_DRIVER);
				ims_mem_write64(mem, pe + 16, SK_FS_ROOT | ((f >> 17) & 0x1F) |
								  ((f >> 22) & 1) << 7,
						IMS_MEM_DRIVER);
			}
			vtd_hw_mmio_write64(hw, VTD_REG_RTADDR, SK_ROOT | VTD_RTADDR_TTM_V(b & 1));
			vtd_hw_mmio_write32(hw, VTD_REG_GCMD, VTD_GCMD_SRTP);
			vtd_hw_mmio_write32(hw, VTD_REG_GCMD, VTD_GCMD_TE | VTD_GCMD_QIE);
			break;
		}
		case 11: { /* a page-table path under the FS or SS root */
			unsigned b = (unsigned)take(&in, 1);
			uint64_t iova = (b & 1) ? WIN + (take(&in, 2) << 12) % WIN_SIZE
						: take(&in, 2) << 12;
			uint64_t flags = take(&in, 2);
			unsigned top = (b & 2) ? 4 : 3, leaf = (b >> 2) % 3;
			uint64_t table = (b & 8) ? SK_FS_ROOT : SK_SS_ROOT;
			for (unsigned l = top;; l--) {
				uint64_t slot = table + 8 * ((iova >> (12 + 9 * l)) & 511);
				if (l == leaf) {
					uint64_t out = (b & 16) ? iova : 0x80000000ull + (iova & ~0xFFFull);
					ims_mem_write64(mem, slot, (out & ~((1ull << (12 + 9 * l)) - 1)) |
									   (flags & 0xFFF) | (l ? 0x80 : 0),
							IMS_MEM_DRIVER);
					break;
				}
				uint64_t next = SK_TABLES + (((iova >> (21 + 9 * (l - 1))) + l * 7) % 192) * 0x1000;
				ims_mem_write64(mem, slot, next | (flags & 0x67) | 3, IMS_MEM_DRIVER);
				table = next;
			}
			break;
		}
		default: { /* a DMA request */
			struct ims_dma_req req;
			struct ims_dma_result res;
			unsigned b = (unsigned)take(&in, 1);
			memset(&req, 0, sizeof(req));
			req.sid = (uint32_t)take(&in, 2);
			req.pasid = (b & 1) ? IMS_NO_PASID : (uint32_t)take(&in, 3) & 0x1FFFFF;
			req.addr = (b & 2) ? take(&in, 8) : take(&in, 2) << 12 | take(&in, 2);
			req.access = (b >> 2) & 0xF;
			req.type = (enum ims_dma_type)((b >> 6) & 3);
			req.len = (uint32_t)(take(&in, 2) % 4097);
			req.prgi = (uint16_t)take(&in, 2);
			req.last = req.prgi & 0x8000;
			vtd_hw_dma(hw, &req, &res);
			if (res.status > IMS_DMA_STALLED || res.fault > 0xFF)
				abort();
			mix(d, res.status ^ (uint64_t)res.fault << 8 ^ res.pa ^ res.perms ^ res.cycles ^
				       res.mem_reads ^ res.reported ^ res.size_shift);
			break;
		}
		}
	}
	/* Final state: registers and counters. */
	for (uint64_t off = 0; off < 0x100; off += 8) {
		uint64_t v = 0;
		vtd_hw_mmio_read64(hw, off, &v);
		mix(d, v);
	}
	const struct vtd_hw_stats *st = vtd_hw_stats(hw);
	mix(d, st->dma ^ st->faults_recorded ^ st->iq_errors ^ st->walk_reads ^ st->prq_queued);
	mix(d, vtd_hw_cost(hw)->now);
	vtd_hw_destroy(hw);
	ims_mem_free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest a = { 0xcbf29ce484222325ull }, b = { 0xcbf29ce484222325ull };

	run(data, size, &a);
	run(data, size, &b);
	if (a.h != b.h) {
		fprintf(stderr, "fuzz_vtd_hw: two runs of one input differ\n");
		abort();
	}
	return 0;
}
