/* SPDX-License-Identifier: MIT */
/*
 * The VT-d unit's cost parameters: every latency the model charges, with its
 * default and where the default comes from.  Times are IOMMU cycles; the
 * default clock is 1 GHz so that a cycle reads as a nanosecond.
 *
 * The VT-d specification defines behaviour, not timing (digest §7.3, §8), and
 * Intel publishes no IOTLB or walk-cache latencies.  The one public
 * end-to-end measurement is pcie-bench (Neugebauer et al., "Understanding
 * PCIe performance for end host networking", SIGCOMM 2018) on a Xeon E5:
 * with the IOMMU on and 4 KiB pages, DMA read latency is flat up to a 256 KiB
 * working set (64 pages: a 64-entry IOTLB) and about 330 ns higher per
 * access once the working set is well beyond it.  The defaults below are
 * chosen so that an IOTLB miss whose context entry and PDE are cached (the
 * pcie-bench case: a few dozen PDEs cover 64 MiB) costs
 *     iotlb_lookup + ctx_lookup + walk_start + psc_lookup + walk_read
 *   =      4       +     4      +     40     +      4     +    280    = 332
 * cycles, against 4 for a hit: 328 ns more per access, inside the 290-360 ns
 * the measurement gives.  bench/vtd_iotlb_curve.c prints the resulting curve.
 *
 * Memory reads by the IOMMU (walk_read, config_read) are the dominant term;
 * 280 ns is an uncached read from the I/O hub through the ring to DRAM and
 * back, which is what an IOTLB miss on Xeon E5 pays per paging-structure
 * read.  Command costs are assumptions of the same order, named so that a
 * measurement can replace each.
 */
#include "models/vtd/hw_priv.h"

#define MAXC 100000000ull

const struct ims_cost_param vtd_cost_params[VTD_C_N] = {
	[VTD_C_CLOCK_MHZ] = { "clock_mhz", 1000, 1, 100000, "MHz",
		"assumed: 1 GHz makes cycles read as ns (Xeon E5 uncore runs 1.2-3 GHz)",
		"IOMMU clock; converts cycles to time" },
	[VTD_C_IOTLB_LOOKUP] = { "iotlb_lookup", 4, 0, MAXC, "cycles",
		"calibrated: pcie-bench (SIGCOMM 2018) flat latency up to 256 KiB; a hit adds "
		"only a CAM look-up",
		"IOTLB look-up, hit or miss" },
	[VTD_C_CTX_LOOKUP] = { "ctx_lookup", 4, 0, MAXC, "cycles",
		"assumed: small associative look-up like the IOTLB's",
		"context-cache look-up on an IOTLB miss" },
	[VTD_C_PASID_LOOKUP] = { "pasid_lookup", 4, 0, MAXC, "cycles",
		"assumed: as ctx_lookup", "PASID-cache look-up (scalable mode)" },
	[VTD_C_PSC_LOOKUP] = { "psc_lookup", 4, 0, MAXC, "cycles",
		"assumed: all levels of one stage probed in parallel",
		"paging-structure-cache look-up, per stage walk" },
	[VTD_C_WALK_START] = { "walk_start", 40, 0, MAXC, "cycles",
		"calibrated with walk_read to pcie-bench's ~330 ns per IOTLB miss (Xeon E5)",
		"fixed cost of an IOTLB miss: walker allocation and arbitration" },
	[VTD_C_CONFIG_READ] = { "config_read", 280, 0, MAXC, "cycles",
		"as walk_read: root/context/PASID entries are read from memory the same way",
		"one root, context, PASID-directory or PASID-table entry fetch" },
	[VTD_C_WALK_READ] = { "walk_read", 280, 0, MAXC, "cycles",
		"calibrated: pcie-bench ~330 ns per IOTLB miss on Xeon E5 with the PDE cached "
		"(one leaf read); an uncached I/O-hub read to DRAM",
		"one paging-structure entry read" },
	[VTD_C_AD_WRITE] = { "ad_write", 300, 0, MAXC, "cycles",
		"assumed: a locked read-modify-write, a little more than a read",
		"one accessed/dirty update (atomic)" },
	[VTD_C_FAULT_RECORD] = { "fault_record", 20, 0, MAXC, "cycles",
		"assumed: an internal register write", "writing one fault-recording register" },
	[VTD_C_MSI] = { "msi", 100, 0, MAXC, "cycles",
		"assumed: a posted 32-bit write to the interrupt address",
		"sending an event interrupt message" },
	[VTD_C_QI_FETCH] = { "qi_fetch", 280, 0, MAXC, "cycles",
		"as walk_read, per 64-byte line: 4 128-bit or 2 256-bit descriptors a line "
		"(SPEC 6.5.2: hardware may fetch several descriptors at once)",
		"fetching 64 bytes of the invalidation queue" },
	[VTD_C_QI_EXEC] = { "qi_exec", 20, 0, MAXC, "cycles",
		"assumed: decode and dispatch", "processing one descriptor" },
	[VTD_C_INVAL_SEARCH] = { "inval_search", 10, 0, MAXC, "cycles",
		"assumed: a tag search of one cache (digest §7.3)",
		"searching one cache for an invalidation" },
	[VTD_C_DRAIN] = { "drain", 100, 0, MAXC, "cycles",
		"assumed: read/write draining before the next inv_wait (digest §7.3; always "
		"on VER>=2, every p_iotlb)",
		"draining outstanding DMA for an IOTLB invalidation" },
	[VTD_C_IEC_DRAIN] = { "iec_drain", 100, 0, MAXC, "cycles",
		"assumed: as drain", "interrupt draining for an IEC invalidation" },
	[VTD_C_WAIT_STATUS] = { "wait_status", 280, 0, MAXC, "cycles",
		"as a memory access: a coherent dword write", "an inv_wait status write" },
	[VTD_C_ATS_INV] = { "ats_inv", 2000, 0, MAXC, "cycles",
		"assumed: a PCIe round trip (~1 us) plus the device's own invalidation",
		"a Device-TLB invalidation request and its completion" },
	[VTD_C_ATS_TIMEOUT] = { "ats_timeout", 1000000, 0, MAXC, "cycles",
		"assumed: 1 ms before the hardware declares an ATS invalidation timed out",
		"time until ITE for an unanswered Device-TLB invalidation" },
	[VTD_C_PRG_RESP] = { "prg_resp", 500, 0, MAXC, "cycles",
		"assumed: a posted PCIe message to the device", "sending a page group response" },
	[VTD_C_PRQ_WRITE] = { "prq_write", 300, 0, MAXC, "cycles",
		"assumed: a 32-byte coherent write to memory", "writing a page-request descriptor" },
	[VTD_C_WBF] = { "wbf", 200, 0, MAXC, "cycles",
		"assumed: flushing internal write buffers (RWBF=1 parts)", "a write-buffer flush" },
	[VTD_C_REG_INVAL] = { "reg_inval", 100, 0, MAXC, "cycles",
		"assumed: register-based invalidation completes after a drain",
		"a CCMD or IOTLB_REG invalidation" },
};
