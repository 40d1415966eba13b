/* SPDX-License-Identifier: MIT */
/*
 * iommusim/vtd.h — the Intel VT-d model: one or more DMA-remapping units
 * (models/vtd/hw_*, the silicon) and the host driver that programs them
 * (models/vtd/drv_*, modelled on Linux drivers/iommu/intel), behind
 * struct ims_model_ops.
 *
 *   struct ims_vtd_cfg cfg;
 *   ims_vtd_model.cfg_init(&cfg);
 *   ims_vtd_model.cfg_set(&cfg, "mode", "legacy", err, sizeof(err));
 *   struct ims_ctx_cfg c = { .model = &ims_vtd_model, .model_cfg = &cfg };
 *
 * The two halves meet only through simulated memory and registers.  The
 * driver takes a unit over when the first device behind it is bound (as a
 * kernel driver does at boot): it allocates the root table, enables the
 * invalidation queue, the page-request queue and the fault interrupt, and
 * sets TE.  Until then the unit sits at its reset state, so a trace that
 * drives only registers, memory and DMA sees untouched hardware.
 *
 * What the driver does, and how Linux does the same:
 *   - Scalable mode (SPEC 3.4.3) when the part has SMTS, legacy mode
 *     otherwise or when configured (mode=legacy).  In scalable mode every
 *     bound device gets a context entry with its PASID directory at probe
 *     and translates through PASID-table entries: RID_PASID (PASID 0) for
 *     requests without a PASID.  Blocking clears the PASID entry (scalable)
 *     or the context entry (legacy).
 *   - Paging domains on the second stage (PGTT=010, sim/pt VT-d SS format,
 *     levels from CAP.SAGAW, 2M/1G per CAP.SSLPS), or on the first stage
 *     (PGTT=001, x86-64 format, 1G per CAP.FS1GP) with paging=fs.  Nest
 *     parents and dirty-tracking domains are always second stage.
 *   - Nested domains from struct ims_hwpt_vtd_s1: PGTT=011 entries whose
 *     FSPTPTR is the guest's table (a GPA) over the parent's second stage.
 *   - Every cache flush goes through the invalidation queue with a wait
 *     descriptor whose status write the driver polls in memory, following
 *     the recipes of SPEC Table 28 (digest vtd.md §7.2); register-based
 *     invalidation only on legacy parts without QI.
 *   - Page requests are drained from the hardware queue (PQH/PQT) and
 *     handed to the core (ims_report_iopf); responses go back as
 *     page_grp_resp descriptors.  Fault records are drained and cleared as
 *     the fault interrupt handler would.
 *   - Every device has the x86 MSI window 0xfee00000-0xfeefffff reserved.
 */
#ifndef IMS_VTD_H
#define IMS_VTD_H

#include <stdbool.h>
#include <stdint.h>

#include "iommusim/model.h"
#include "models/vtd/vtd_hw.h"

#define IMS_VTD_MAX_UNITS 16

/* Translation mode the driver programs (RTADDR.TTM). */
enum ims_vtd_mode {
	IMS_VTD_MODE_AUTO,     /* scalable when ECAP.SMTS, else legacy (default) */
	IMS_VTD_MODE_SCALABLE, /* scalable; the model cannot be created without SMTS */
	IMS_VTD_MODE_LEGACY,   /* legacy root/context tables */
};

/* Which stage paging domains (kernel-managed tables) use in scalable mode. */
enum ims_vtd_paging {
	IMS_VTD_PAGING_SS, /* second stage (default; Linux's choice for iommufd) */
	IMS_VTD_PAGING_FS, /* first stage, when ECAP.FSTS (else second stage) */
};

/*
 * The model's configuration (cfg_size bytes).  cfg_init fills the defaults;
 * cfg_set takes, besides every key of vtd_hw_cfg_set (cap, ecap, ver, rev,
 * haw, part, cache geometries, cost parameters):
 *   units=N          units of the machine, 1..16 (default 1), all the same part
 *   mode=auto|scalable|legacy
 *   paging=ss|fs
 *   iq_qs=N          invalidation queue of 2^N pages, 0..7 (default: 256
 *                    descriptors as Linux, i.e. 0 for 128-bit, 1 for 256-bit)
 *   prq_pqs=N        page-request queue of 2^N pages, 0..7 (default 4: 2048
 *                    requests, Linux's PRQ_ORDER)
 *   errata_772415=0|1  behave as Linux on Sapphire Rapids: report
 *                    IMS_HW_INFO_VTD_ERRATA_772415_SPR17 and refuse read-only
 *                    mappings in nest parents (default 0: the modelled part
 *                    has no such erratum)
 */
struct ims_vtd_cfg {
	struct vtd_hw_cfg hw;
	unsigned units;
	enum ims_vtd_mode mode;
	enum ims_vtd_paging paging;
	int iq_qs;   /* -1: the default */
	unsigned prq_pqs;
	bool errata_772415;
};

extern const struct ims_model_ops ims_vtd_model;

/* ---- Observation (tests, tools) --------------------------------------------
 * `inst` is the model instance (the handle ims_vtd_model.create returned).
 * The hardware of a unit, for its counters (vtd_hw_stats: descriptors by
 * type, faults, page requests) and device messages; NULL for a bad unit. */
struct vtd_hw *ims_vtd_hw(void *inst, unsigned unit);

/* What the driver did on a unit. */
struct ims_vtd_drv_stats {
	bool up;                 /* the driver has taken the unit over */
	bool scalable;           /* RTADDR.TTM = scalable */
	uint64_t qi_submits;     /* batches posted, each ended by a wait */
	uint64_t qi_descs;       /* descriptors posted, waits included */
	uint64_t qi_errors;      /* IQE recovered (bad descriptor replaced) */
	uint64_t qi_timeouts;    /* ITE: a device never answered an ATS invalidation */
	uint64_t qi_ice;         /* ICE: bad ATS completion */
	uint64_t qi_wait_lost;   /* a wait status that never arrived */
	uint64_t reg_invals;     /* register-based invalidations (no QI) */
	uint64_t faults_logged;  /* fault records drained by the fault handler */
	uint64_t fault_overflows; /* PFO seen */
	uint32_t last_fault_reason; /* FR of the last record drained */
	uint16_t last_fault_sid;
	uint64_t last_fault_addr;
	uint64_t prq_handled;    /* page requests read from the queue */
	uint64_t prq_reported;   /* delivered to a FAULT queue */
	uint64_t prq_bad;        /* answered INVALID by the driver itself */
	uint64_t prq_overflows;  /* PRO cleared */
	uint64_t page_responses; /* page_grp_resp descriptors posted */
	uint64_t dids_in_use;
};
const struct ims_vtd_drv_stats *ims_vtd_drv_stats(void *inst, unsigned unit);

#endif
