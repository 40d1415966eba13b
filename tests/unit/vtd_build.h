/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/vtd_build — a small table builder for VT-d hardware tests.
 *
 * It plays the part of software on a hardware test bench: it writes raw
 * root, context, PASID-directory and PASID-table entries into simulated
 * memory (bit by bit, from the spec's tables), builds page tables with the
 * sim/pt mapper, programs registers and posts descriptors.  It never reaches
 * into the unit's state: everything goes through memory, MMIO and DMA.
 *
 * Linked into every unit-test program (as every non-test_*.c file in
 * tests/unit is), so all names carry the vtdb_ prefix.
 */
#ifndef IMS_TESTS_VTD_BUILD_H
#define IMS_TESTS_VTD_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "models/vtd/vtd_hw.h"
#include "models/vtd/vtd_regs.h"
#include "models/vtd/vtd_tables.h"
#include "sim/palloc.h"
#include "sim/pt.h"

/* Table pages come from a pool at [VTDB_POOL, VTDB_POOL + VTDB_POOL_SIZE);
 * tests put their data pages elsewhere (e.g. 0x8000_0000 and up). */
#define VTDB_POOL 0x10000000ull
#define VTDB_POOL_SIZE 0x10000000ull

struct vtdb {
	struct ims_mem *mem;
	struct ims_palloc pa;
	struct vtd_hw *hw;
	struct vtd_hw_cfg cfg;
	uint64_t root;              /* root table */
	uint64_t ctx[256][2];       /* context tables per bus (SM: lower, upper) */
	bool sm;                    /* the root table is scalable-mode */
	/* invalidation queue */
	uint64_t iq;                /* base */
	unsigned iq_qs;
	bool iq_dw;
	uint64_t iq_tail;
	uint64_t status;            /* a page for wait status dwords */
	uint32_t status_seq;
	/* page-request queue */
	uint64_t prq;
	unsigned prq_pqs;
};

/* A unit with cfg (NULL: the default part) over fresh memory; fails the
 * test if it cannot be built. */
void vtdb_init(struct vtdb *b, const struct vtd_hw_cfg *cfg);
void vtdb_fini(struct vtdb *b);
/* A zeroed page (or 2^order pages) from the pool. */
uint64_t vtdb_page(struct vtdb *b, unsigned order);

/* Registers (fail the test on a rejected offset). */
uint32_t vtdb_r32(struct vtdb *b, uint64_t off);
uint64_t vtdb_r64(struct vtdb *b, uint64_t off);
void vtdb_w32(struct vtdb *b, uint64_t off, uint32_t v);
void vtdb_w64(struct vtdb *b, uint64_t off, uint64_t v);
/* GCMD the way software does it: (GSTS & 0x96FFFFFF) | bit, or without. */
void vtdb_gcmd(struct vtdb *b, uint32_t bit, bool on);

/* Memory, as software writes it. */
void vtdb_m64(struct vtdb *b, uint64_t pa, uint64_t v);
uint64_t vtdb_rm64(struct vtdb *b, uint64_t pa);

/* A root table in mode ttm (VTD_TTM_*), latched with SRTP; TE set when
 * enable.  Earlier root/context state of the builder is forgotten. */
void vtdb_root(struct vtdb *b, unsigned ttm, bool enable);

/* Legacy context entry for sid (QW0, QW1 as given), creating the root
 * entry and context table for its bus. */
void vtdb_legacy_ctx(struct vtdb *b, uint16_t sid, uint64_t q0, uint64_t q1);
/* The usual legacy entry: present, TT, AW, DID, SS root. */
void vtdb_legacy_ctx_ss(struct vtdb *b, uint16_t sid, unsigned tt, unsigned aw, uint16_t did,
			uint64_t ssptptr);

/* Scalable-mode context entry (4 QWs) for sid. */
void vtdb_sm_ctx(struct vtdb *b, uint16_t sid, const uint64_t *qw);
/* A PASID directory for 2^(pdts+7) entries. */
uint64_t vtdb_pasid_dir(struct vtdb *b, unsigned pdts);
/* Writes PASID-table entry pe[8] for pasid, creating the directory entry
 * (present, with dir_fpd) and table page when missing; returns the entry's
 * address. */
uint64_t vtdb_pasid_entry(struct vtdb *b, uint64_t dir, uint32_t pasid, const uint64_t *pe);
/* A present SM context entry: DTE, PASIDE, PRE as flags (VTD_SCE_*), PDTS,
 * directory, RID_PASID. */
void vtdb_sm_ctx_std(struct vtdb *b, uint16_t sid, uint64_t flags, unsigned pdts, uint64_t dir,
		     uint32_t rid_pasid);

/* PASID-table entry fields in one go. */
struct vtdb_pe {
	unsigned pgtt, aw, fspm;
	uint16_t did;
	uint64_t ssptptr, fsptptr;
	uint64_t q0, q1, q2;        /* extra bits ORed into QW0/1/2 (SSADE, PWSNP, SRE ...) */
};
void vtdb_pe_make(const struct vtdb_pe *a, uint64_t *pe);

/* Page tables through the sim/pt mapper (kind DRIVER writes). */
void vtdb_ss_fmt(struct vtdb *b, struct ims_pt_fmt *f, unsigned levels, uint32_t flags);
void vtdb_fs_fmt(struct vtdb *b, struct ims_pt_fmt *f, unsigned levels, uint32_t flags);
uint64_t vtdb_pt_root(struct vtdb *b, const struct ims_pt_fmt *f);
void vtdb_map(struct vtdb *b, const struct ims_pt_fmt *f, uint64_t root, uint64_t iova,
	      uint64_t pa, uint64_t len, unsigned prot);
/* Reads back the leaf entry the walk for iova ends at (its address). */
uint64_t vtdb_leaf_addr(struct vtdb *b, const struct ims_pt_fmt *f, uint64_t root,
			uint64_t iova);

/* Invalidation queue: 2^qs pages, DW as given; enabled (QIES checked). */
void vtdb_iq_enable(struct vtdb *b, unsigned qs, bool dw);
/* Writes n descriptors (each 4 QWs; the second pair only with DW=1) at the
 * tail and moves IQT past them. */
void vtdb_iq_post(struct vtdb *b, const uint64_t (*d)[4], unsigned n);
/* Posts d then an inv_wait with a status write; true if the status arrived. */
bool vtdb_iq_sync(struct vtdb *b, const uint64_t (*d)[4], unsigned n);
/* Descriptor makers (QW0, QW1; QW2/QW3 zero). */
void vtdb_dsc_cc(uint64_t *d, unsigned g, uint16_t did, uint16_t sid, unsigned fm);
void vtdb_dsc_iotlb(uint64_t *d, unsigned g, uint16_t did, uint64_t addr, unsigned am, bool ih);
void vtdb_dsc_piotlb(uint64_t *d, unsigned g, uint16_t did, uint32_t pasid, uint64_t addr,
		     unsigned am, bool ih);
void vtdb_dsc_pc(uint64_t *d, unsigned g, uint16_t did, uint32_t pasid);
void vtdb_dsc_wait(uint64_t *d, bool sw, bool iflag, uint32_t data, uint64_t addr);

/* Page-request queue of 2^pqs pages. */
void vtdb_prq_enable(struct vtdb *b, unsigned pqs);

/* One DMA request. */
struct ims_dma_result vtdb_dma(struct vtdb *b, uint16_t sid, uint32_t pasid, uint64_t addr,
			       unsigned access);
struct ims_dma_result vtdb_dma_t(struct vtdb *b, enum ims_dma_type type, uint16_t sid,
				 uint32_t pasid, uint64_t addr, unsigned access);
/* The FRCD record n (QW0, QW1). */
void vtdb_frcd(struct vtdb *b, unsigned n, uint64_t *q0, uint64_t *q1);
/* Clears every F bit and the FSTS status bits. */
void vtdb_clear_faults(struct vtdb *b);

/* A legacy-mode unit with sid -> 4-level SS tables for domain did, QI off:
 * what most legacy scenarios start from.  Returns the SS root. */
uint64_t vtdb_legacy_setup(struct vtdb *b, uint16_t sid, uint16_t did, struct ims_pt_fmt *f);
/* A scalable-mode unit with QI (DW=1) on, and sid's context entry pointing
 * at a PASID directory (PDTS 0..7 as given); returns the directory. */
uint64_t vtdb_sm_setup(struct vtdb *b, uint16_t sid, uint64_t ctx_flags, unsigned pdts,
		       uint32_t rid_pasid);

#endif
