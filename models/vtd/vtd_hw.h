/* SPDX-License-Identifier: MIT */
/*
 * models/vtd/vtd_hw.h — one Intel VT-d DMA-remapping unit, as hardware.
 *
 * The unit is driven only the way silicon is: 32/64-bit MMIO accesses to its
 * register file, structures it reads from simulated memory (root, context,
 * PASID tables, page tables, the invalidation queue), and DMA requests from
 * devices.  It writes back only what the hardware writes: A/D bits, wait
 * status dwords, page-request descriptors, fault-recording registers.  The
 * host driver (models/vtd/drv_*) and tests meet it at that boundary.
 *
 * Specification: Intel VT-d Architecture Specification rev 5.10 (SPEC),
 * digested in shared/spec/vtd.md.  The revision is a setting: VTD_REV_3
 * brings back execute permission (ERS, SLEE, ERE, NXE, fault 0x82) and the
 * 3.x-only fields; VTD_REV_5 (default) has abort-DMA mode, RID_PRIV and the
 * SS IR/IW bits.
 *
 * CAP_REG, ECAP_REG and VER_REG are raw values; the unit then behaves as that
 * part: absent features are absent (their register bits, table fields and
 * descriptor types are reserved), and NFR, FRO, IRO, SAGAW, MGAW, ND, PSS,
 * MAMV, SSLPS follow the fields.  Not modelled (their capability bits read as
 * configured but have no effect): interrupt remapping beyond the IEC
 * invalidation, posted interrupts, memory types and MTRRs (storage only),
 * protected memory regions (storage only), HPT (hpt_inv is accepted, HPT
 * fields are allowed with HPTS, nothing is checked), perfmon, the enhanced
 * and virtual command interfaces, RDT, stop markers and private data in page
 * requests, and the optional collapsing of same-source faults.
 *
 * Every translation and command is charged from the cost table (hw_cost.c)
 * and counted; the simulated clock advances by each charge.
 *
 * Nothing a guest or a trace can write makes the unit abort: bad register
 * values, reserved bits, pointers into abort ranges, broken queues all get
 * their architectural behaviour (a fault record, IQE, a dropped request).
 */
#ifndef IMS_MODELS_VTD_HW_H
#define IMS_MODELS_VTD_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/cache.h"
#include "sim/cost.h"
#include "sim/dma.h"
#include "sim/mem.h"
#include "sim/stats.h"

struct vtd_hw;

enum vtd_rev { VTD_REV_3 = 3, VTD_REV_5 = 5 };

/* A cache's geometry; sets * ways == 0 means the part has no such cache. */
struct vtd_cache_geom {
	unsigned sets, ways;
};

enum vtd_cache_id {
	VTD_CACHE_IOTLB,  /* final translations */
	VTD_CACHE_FSPSC,  /* first-stage paging-structure cache (PML5/PML4/PDPE/PDE) */
	VTD_CACHE_SSPSC,  /* second-stage paging-structure cache */
	VTD_CACHE_CTX,    /* context cache */
	VTD_CACHE_PASID,  /* PASID cache (scalable mode) */
	VTD_NCACHES
};

struct vtd_hw_cfg {
	uint32_t ver;                            /* VER_REG */
	uint64_t cap, ecap;                      /* CAP_REG, ECAP_REG */
	enum vtd_rev rev;
	unsigned haw;                            /* host address width, 32..52 */
	struct vtd_cache_geom cache[VTD_NCACHES];
	enum ims_cache_repl repl;                /* replacement in every cache */
	uint64_t seed;                           /* for IMS_CACHE_RANDOM */
	struct ims_cost cost;                    /* parameter values (see hw_cost.c) */
};

/* The default part (documented in hw_regs.c): a current server unit with
 * scalable mode, nested translation, 20-bit PASIDs, page requests, 5-level
 * first and second stage, ATS, pass-through, 64-entry IOTLB. */
void vtd_hw_cfg_default(struct vtd_hw_cfg *cfg);
/* Named parts: "default", "snb" (3rd-gen Core VC0PREMAP / 2nd-gen GFX unit:
 * VER 1.0, CAP=0x00C9008020660262, ECAP=0xF0101A, revision 3).  0 or
 * -ENOENT. */
int vtd_hw_cfg_preset(struct vtd_hw_cfg *cfg, const char *name);
/* One "key=value" setting, as `set` in a trace: ver, cap, ecap, rev (3|5),
 * haw, part (a preset name), <cache>_sets / <cache>_ways / <cache>_entries
 * for iotlb, fs_psc, ss_psc, ctx_cache, pasid_cache (entries: fully
 * associative), repl (lru|random), seed, and every cost parameter key.
 * Returns 0, -ENOENT (unknown key), -EINVAL or -ERANGE with a message in
 * err naming the key. */
int vtd_hw_cfg_set(struct vtd_hw_cfg *cfg, const char *assignment, char *err, size_t errlen);
/* Whether a unit can be built from cfg: 0, or -EINVAL with a message naming
 * the field (reserved encodings such as ND=7 or SSLPS=0010b, register blocks
 * that overlap, feature dependencies of SPEC 11.4.3 such as SMTS without QI,
 * a 5.x part reporting ERS, a 3.x part with 5.x-only features). */
int vtd_hw_cfg_check(const struct vtd_hw_cfg *cfg, char *err, size_t errlen);

/* A unit in its reset state over `mem` (not owned; must outlive the unit).
 * NULL when cfg does not pass vtd_hw_cfg_check (message in err) or on no
 * memory. */
struct vtd_hw *vtd_hw_create(struct ims_mem *mem, const struct vtd_hw_cfg *cfg, char *err,
			     size_t errlen);
void vtd_hw_destroy(struct vtd_hw *hw);

/* ---- MMIO (SPEC 11.4, digest §1.1 access rules) ----------------------------
 * 32-bit accesses must be dword aligned, 64-bit ones qword aligned; a 64-bit
 * access is the two dwords, low first, so a 64-bit register may be written
 * as two dword writes with the same effect.  Writes to read-only or
 * reserved bits are ignored; registers of absent features read 0.  A write
 * has its whole architectural effect before the call returns (an IQT write
 * processes the queue).  Returns 0, or -EINVAL for a misaligned offset or
 * one outside the register window (nothing happens, reads give 0). */
int vtd_hw_mmio_read32(struct vtd_hw *hw, uint64_t off, uint32_t *val);
int vtd_hw_mmio_read64(struct vtd_hw *hw, uint64_t off, uint64_t *val);
int vtd_hw_mmio_write32(struct vtd_hw *hw, uint64_t off, uint32_t val);
int vtd_hw_mmio_write64(struct vtd_hw *hw, uint64_t off, uint64_t val);
/* Bytes of the register window: 4 KiB, or more when FRCD or IOTLB_REG sit
 * in the following pages. */
uint64_t vtd_hw_mmio_size(const struct vtd_hw *hw);

/* ---- DMA ----------------------------------------------------------------------
 * Translates one request (sim/dma.h) and fills *res:
 *  - UNTRANSLATED: OK with pa, or FAULT with the fault reason (recorded in an
 *    FRCD unless suppressed by FPD or dropped by overflow: res->reported).
 *  - TRANSLATION (ATS): OK with pa and the effective rights in perms; for
 *    not-present, permission and address conditions "success with R=W=0" or
 *    with the effective rights, not recorded (res->fault still names the
 *    condition); structural errors are FAULT (CA) and recorded.  Without a
 *    PASID, the interrupt range 0xFEEx_xxxx completes with write rights
 *    only (R=0, W=U=1: untranslated access only).
 *  - TRANSLATED: OK with pa = addr when the context allows it.
 *  - PAGE_REQUEST: QUEUED when written to the page-request queue; FAULT
 *    when dropped (table fault: recorded; overflow: fault 0).  A dropped
 *    request with last=true gets an automatic page group response
 *    (vtd_hw_devmsg_pop).
 * Requests without a PASID carry no execute or privilege bits (those exist
 * only in the PASID prefix): IMS_PT_ACC_X then reads as a read and PRIV is
 * taken from RID_PRIV.  With translation disabled (TES=0) requests pass
 * through untranslated.  Untranslated writes to 0xFEEx_xxxx are translated
 * like any DMA: interrupt requests and their remapping are not modelled. */
void vtd_hw_dma(struct vtd_hw *hw, const struct ims_dma_req *req, struct ims_dma_result *res);

/* What the last vtd_hw_dma did, beyond struct ims_dma_result. */
struct vtd_xlate_info {
	unsigned config_reads; /* root / context / PASID-directory / PASID-table fetches */
	unsigned walk_reads;   /* paging-structure reads, both stages */
	unsigned ad_writes;    /* accessed/dirty updates made */
	bool ctx_hit, pasid_hit; /* served from the context / PASID cache */
	int psc_level[2];      /* deepest FS / SS paging-structure-cache hit level, -1 none */
	unsigned pgtt;         /* translation type used (VTD_PGTT_*) */
	uint16_t did;
};
const struct vtd_xlate_info *vtd_hw_last(const struct vtd_hw *hw);

/* ---- The device side ----------------------------------------------------------
 * Messages the unit sends to devices: ATS invalidation requests (dev_tlb_inv,
 * p_dev_tlb_inv) and page group responses (page_grp_resp, or automatic ones
 * for dropped page requests).  Kept in a bounded log, oldest first; when it
 * is full the oldest message is dropped (counted in stats). */
enum vtd_devmsg_kind { VTD_DEVMSG_ATS_INV, VTD_DEVMSG_PRG_RESP };
struct vtd_devmsg {
	enum vtd_devmsg_kind kind;
	uint16_t sid;
	bool pp;          /* a PASID is named */
	uint32_t pasid;
	/* ATS_INV */
	uint64_t addr;    /* first byte of the range */
	uint64_t size;    /* bytes (2^n, >= 4 KiB); UINT64_MAX: every address */
	bool global;      /* p_dev_tlb_inv GI: all PASIDs */
	/* PRG_RESP */
	uint16_t prgi;
	uint8_t rc;       /* VTD_PRG_* */
	bool automatic;   /* sent by the unit itself, not by software */
};
bool vtd_hw_devmsg_pop(struct vtd_hw *hw, struct vtd_devmsg *msg);

/* How a device answers ATS invalidation requests (default RESPOND):
 * TIMEOUT never completes (ITE at the next inv_wait, ITESID = sid);
 * BAD_COMPLETION answers with an unknown ITag (ICE, ICESID = sid). */
enum vtd_ats_mode { VTD_ATS_RESPOND, VTD_ATS_TIMEOUT, VTD_ATS_BAD_COMPLETION };
void vtd_hw_set_device_ats(struct vtd_hw *hw, uint16_t sid, enum vtd_ats_mode mode);

/* Interrupt messages the unit sent (fault, invalidation-completion and
 * page-request events, SPEC 7.3), oldest first, bounded like devmsg. */
enum vtd_event { VTD_EV_FAULT, VTD_EV_INV, VTD_EV_PRQ, VTD_NEVENTS };
struct vtd_msi {
	enum vtd_event event;
	uint64_t addr; /* EADDR | EUADDR << 32 */
	uint32_t data;
};
bool vtd_hw_msi_pop(struct vtd_hw *hw, struct vtd_msi *msi);

/* ---- Observation ---------------------------------------------------------------- */
#define VTD_DSC_NTYPES_PUBLIC 11 /* descriptor types 0x0..0xA */
struct vtd_hw_stats {
	uint64_t dma, dma_ok, dma_fault, dma_queued;
	uint64_t iotlb_hits, iotlb_misses;
	uint64_t walks, walk_reads, config_reads, ad_writes;
	uint64_t faults_recorded, faults_suppressed, faults_overflow;
	uint64_t fault_by_reason[256];
	uint64_t dsc_by_type[VTD_DSC_NTYPES_PUBLIC];
	uint64_t dsc_cycles_by_type[VTD_DSC_NTYPES_PUBLIC]; /* fetch + execution cycles */
	uint64_t iq_errors, ite, ice, waits, wait_status_writes, wait_status_aborts;
	uint64_t reg_invalidations, wbf;
	uint64_t prq_queued, prq_dropped, prq_auto_resp, prg_resp, ats_inv;
	uint64_t devmsg_lost, msi_lost;
	uint64_t msi[VTD_NEVENTS];
	uint64_t inval_entries;      /* cache entries removed by invalidations */
	struct ims_hist dma_cycles;  /* latency of each DMA request */
	struct ims_hist cmd_cycles;  /* cost of each processed descriptor */
};
const struct vtd_hw_stats *vtd_hw_stats(const struct vtd_hw *hw);
/* Adds the counters (prefixed, e.g. "vtd0.") and histograms to a registry,
 * with cache counters (lookups, hits, misses, evictions, invalidated). */
void vtd_hw_stats_publish(const struct vtd_hw *hw, struct ims_stats *s, const char *prefix);
/* The unit's cost table and simulated clock (c->now), and its caches. */
struct ims_cost *vtd_hw_cost(struct vtd_hw *hw);
struct ims_cache *vtd_hw_cache(struct vtd_hw *hw, enum vtd_cache_id id);

/* The spec's name of a fault reason ("SCT.2 ..."), "reserved" if none. */
const char *vtd_fault_reason_name(unsigned fr);

#endif
