/* SPDX-License-Identifier: MIT */
/*
 * models/vtd/drv_priv.h — the VT-d host driver's own state, shared by the
 * drv_*.c files.  The driver sees the hardware only through vtd_hw.h (MMIO,
 * DMA, the device-side logs) and simulated memory; nothing here reaches into
 * hw_priv.h.  Names carry the vtdd_ prefix so they never meet the hardware
 * half's vtd_ symbols.
 *
 * Files:
 *   drv_model.c   the ops table, create/destroy, registers, observation
 *   drv_cfg.c     configuration keys
 *   drv_unit.c    taking a unit over (root table, queues, interrupts, TE),
 *                 register helpers, the interrupt service (fault records)
 *   drv_qi.c      invalidation descriptors, batches, submit and wait
 *   drv_flush.c   the cache-invalidation recipes (SPEC Table 28)
 *   drv_table.c   root and context tables, PASID directory and tables
 *   drv_dev.c     device probe/release, hw_info
 *   drv_domain.c  paging domains: formats, DIDs, map/unmap/iotlb_sync
 *   drv_nested.c  nested domains and user (guest) invalidations
 *   drv_attach.c  attach, replace, block for the RID and PASIDs
 *   drv_dirty.c   second-stage dirty tracking
 *   drv_prq.c     page requests and page group responses
 *   drv_dma.c     the DMA entry point and fault classification
 */
#ifndef IMS_MODELS_VTD_DRV_PRIV_H
#define IMS_MODELS_VTD_DRV_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommusim/iommufd.h"
#include "iommusim/model.h"
#include "iommusim/vtd.h"
#include "models/vtd/vtd_hw.h"
#include "models/vtd/vtd_regs.h"
#include "models/vtd/vtd_tables.h"
#include "sim/mem.h"
#include "sim/palloc.h"
#include "sim/pt.h"

struct vtdd;
struct vtdd_dev;
struct vtdd_domain;

/* The x86 interrupt address window (SPEC 3.15): never translated, reserved
 * in every device's IOVA space. */
#define VTDD_MSI_START 0xFEE00000ull
#define VTDD_MSI_LAST 0xFEEFFFFFull

/* MSI data values the driver programs for the unit's event interrupts;
 * the interrupt service dispatches on them, as vectors. */
#define VTDD_VEC_FAULT 0x40u
#define VTDD_VEC_PRQ 0x41u

/* RID_PASID the driver puts in every scalable-mode context entry (Linux
 * IOMMU_NO_PASID): requests without a PASID use PASID-table entry 0, so
 * PASID 0 cannot be attached on its own. */
#define VTDD_RID_PASID 0u

/* ---- one unit ----------------------------------------------------------------------- */
struct vtdd_unit {
	struct vtdd *drv;
	unsigned idx;
	struct vtd_hw *hw;
	bool up;         /* taken over by the driver */
	bool sm;         /* scalable mode programmed */
	bool qi;         /* queued invalidation (else register-based) */
	uint64_t cap, ecap;
	unsigned ver_major;
	unsigned did_bits;
	uint8_t *did_map; /* bit n: DID n in use */
	uint64_t frcd_off;
	unsigned nfr;
	uint64_t iro_off;
	/* root and context tables */
	uint64_t root;
	uint64_t ctx_tbl[256][2]; /* per bus; scalable: [0] devfn 0-0x7F, [1] 0x80-0xFF */
	/* invalidation queue */
	uint64_t iq;
	unsigned iq_qs;
	bool iq_dw;
	unsigned iq_dsz;     /* bytes per slot */
	unsigned iq_slots;
	uint64_t iq_tail;    /* byte offset of the next free slot */
	uint64_t status;     /* page of wait status dwords */
	uint32_t status_seq;
	/* page-request queue */
	uint64_t prq;
	unsigned prq_pqs;
	bool prq_on;
	bool in_service;
	/* devices behind the unit, by sid */
	struct vtdd_dev **devs;
	unsigned ndevs, cdevs;
	struct ims_vtd_drv_stats st;
};

struct vtdd {
	struct ims_model_env env;
	struct ims_vtd_cfg cfg;
	unsigned nunits;
	struct vtdd_unit unit[IMS_VTD_MAX_UNITS];
	uint64_t *ctr_qi_descs; /* env->stats counters (may be NULL) */
	uint64_t *ctr_faults;
	uint64_t *ctr_prq;
};

/* ---- devices ------------------------------------------------------------------------ */
struct vtdd_pasid_att {
	uint32_t pasid;
	struct vtdd_domain *dom;
};

struct vtdd_dev {
	struct vtdd_unit *u;
	struct ims_device *cdev;
	uint16_t sid;
	unsigned pasid_bits; /* usable PASID width (0: none) */
	bool ats, pri;
	/* scalable mode: the PASID directory (2^(pdts+7) entries) */
	uint64_t pasid_dir;
	unsigned pdts;
	unsigned dir_order;
	/* what is attached */
	struct vtdd_domain *rid_dom;
	struct vtdd_pasid_att *att;
	unsigned natt, catt;
};

/* ---- domains ------------------------------------------------------------------------ */
enum vtdd_dom_kind { VTDD_DOM_PAGING, VTDD_DOM_NESTED };

/* One place a domain is attached: (dev, pasid), IMS_NO_PASID for the RID. */
struct vtdd_att {
	struct vtdd_dev *dev;
	uint32_t pasid;
};

struct vtdd_domain {
	struct vtdd *drv;
	enum vtdd_dom_kind kind;
	bool fs;              /* first-stage table (FS paging, nested) */
	uint32_t flags;       /* IMS_HWPT_ALLOC_* it was made with */
	/* paging: the table */
	struct ims_pt_fmt fmt;       /* as allocated */
	struct ims_pt_fmt fmt_small; /* 4 KiB leaves only (IMS_MAP_SMALL_PAGES) */
	uint64_t root;
	unsigned aw;          /* second stage: AW field (levels - 2) */
	bool dirty_on;        /* SSADE set in its entries */
	bool ro_mapped;       /* a read-only mapping exists (errata 772415) */
	/* nested */
	struct vtdd_domain *parent;
	struct ims_hwpt_vtd_s1 s1;
	struct vtdd_domain **children; /* nested domains on this parent */
	unsigned nchildren, cchildren;
	/* per unit */
	uint16_t did[IMS_VTD_MAX_UNITS];
	unsigned refs[IMS_VTD_MAX_UNITS];
	struct vtdd_att *att;
	unsigned natt, catt;
};

/* ---- invalidation batches (drv_qi.c) ------------------------------------------------ */
#define VTDD_QB_MAX 32
struct vtdd_qb {
	struct vtdd_unit *u;
	uint64_t d[VTDD_QB_MAX][4];
	unsigned n;
	bool drain;  /* final wait with PD=1 (page-request drain, SPEC 7.10) */
	int rc;      /* first error of the batches submitted */
};

void vtdd_qb_init(struct vtdd_qb *b, struct vtdd_unit *u);
void vtdd_qb_cc(struct vtdd_qb *b, unsigned g, uint16_t did, uint16_t sid);
void vtdd_qb_pc(struct vtdd_qb *b, unsigned g, uint16_t did, uint32_t pasid);
void vtdd_qb_iotlb(struct vtdd_qb *b, unsigned g, uint16_t did, uint64_t addr, unsigned am,
		   bool ih);
void vtdd_qb_piotlb(struct vtdd_qb *b, unsigned g, uint16_t did, uint32_t pasid, uint64_t addr,
		    unsigned am, bool ih);
/* Device-TLB: 2^am pages at addr; am >= 52 names every address. */
void vtdd_qb_devtlb(struct vtdd_qb *b, uint16_t sid, uint64_t addr, unsigned am);
void vtdd_qb_pdevtlb(struct vtdd_qb *b, uint16_t sid, uint32_t pasid, uint64_t addr, unsigned am);
void vtdd_qb_pgrp_resp(struct vtdd_qb *b, uint16_t rid, bool pp, uint32_t pasid, uint16_t prgi,
		       unsigned rc);
void vtdd_qb_fence(struct vtdd_qb *b);
/* Posts what is queued followed by a wait and polls for its status.
 * Returns 0 or the first error seen since vtdd_qb_init (-EIO: the queue
 * reported an error the driver recovered from; -ETIMEDOUT: no status). */
int vtdd_qb_submit(struct vtdd_qb *b);

/* ---- unit (drv_unit.c) -------------------------------------------------------------- */
int vtdd_unit_up(struct vtdd_unit *u);
void vtdd_unit_down(struct vtdd_unit *u);
uint32_t vtdd_r32(struct vtdd_unit *u, uint64_t off);
uint64_t vtdd_r64(struct vtdd_unit *u, uint64_t off);
void vtdd_w32(struct vtdd_unit *u, uint64_t off, uint32_t v);
void vtdd_w64(struct vtdd_unit *u, uint64_t off, uint64_t v);
/* GCMD the way software must write it (SPEC 11.4.4): (GSTS & persist) |
 * bit, or without it; waits for GSTS to follow.  0 or -ETIMEDOUT. */
int vtdd_gcmd(struct vtdd_unit *u, uint32_t bit, bool on);
/* Runs the interrupt handlers for the MSIs the unit sent. */
void vtdd_service(struct vtdd_unit *u);
void vtdd_fault_service(struct vtdd_unit *u);
bool vtdd_has_ecap(const struct vtdd_unit *u, uint64_t bit);
bool vtdd_has_cap(const struct vtdd_unit *u, uint64_t bit);
int vtdd_did_alloc(struct vtdd_unit *u, uint16_t *did);
void vtdd_did_free(struct vtdd_unit *u, uint16_t did);
struct vtdd_dev *vtdd_find_dev(struct vtdd_unit *u, uint16_t sid);
struct ims_mem *vtdd_mem(const struct vtdd_unit *u);
struct ims_palloc *vtdd_palloc(const struct vtdd_unit *u);

/* ---- tables (drv_table.c) ----------------------------------------------------------- */
/* The context entry slot for sid, allocating its context table (and root
 * entry) when alloc; 0 when absent or out of memory. */
uint64_t vtdd_ctx_slot(struct vtdd_unit *u, uint16_t sid, bool alloc);
void vtdd_tables_free(struct vtdd_unit *u);
int vtdd_pasid_dir_alloc(struct vtdd_dev *d);
void vtdd_pasid_dir_free(struct vtdd_dev *d);
/* The PASID-table entry of pasid, allocating its table when alloc (the
 * directory entry goes 0 -> 1: no invalidation with CM=0, SPEC 6.5.3.5). */
uint64_t vtdd_pasid_slot(struct vtdd_dev *d, uint32_t pasid, bool alloc);
/* The 8 QWs of a PASID entry that makes `dom` translate for unit u. */
void vtdd_pasid_entry_make(const struct vtdd_domain *dom, struct vtdd_unit *u, uint64_t *pe);
/* The scalable-mode context entry of a device (4 QWs). */
void vtdd_sm_ctx_make(const struct vtdd_dev *d, uint64_t *ce);
/* The legacy context entry making dom translate for the device. */
void vtdd_legacy_ctx_make(const struct vtdd_dev *d, const struct vtdd_domain *dom, uint64_t *ce);

/* ---- recipes (drv_flush.c) ---------------------------------------------------------- */
/* The IOTLB/PSC/dev-TLB flush of [iova, iova+len) of a domain on every unit
 * it is attached to (and, for a nest parent, of its nested domains). */
void vtdd_flush_domain_range(struct vtdd_domain *dom, uint64_t iova, uint64_t len, bool leaf);
/* For one attachment: after a PASID entry of `pgtt`/`did` changed or was
 * cleared: pc PASID-selective, then iotlb DSI (SS, nested) or p_iotlb
 * PASID-selective (FS, PT), then the device TLB (SPEC Table 28). */
void vtdd_flush_pasid_entry(struct vtdd_qb *b, struct vtdd_dev *d, uint32_t hw_pasid,
			    uint16_t did, unsigned pgtt);
/* After a legacy context entry of domain did changed: cc device-selective,
 * iotlb DSI, device TLB. */
void vtdd_flush_legacy_ctx(struct vtdd_qb *b, struct vtdd_dev *d, uint16_t did);
/* Power-of-two block of 4 KiB pages covering [iova, iova+len): its first
 * address and log2 of its pages. */
void vtdd_psi_block(uint64_t iova, uint64_t len, uint64_t *addr, unsigned *am);
/* The hardware PASID an attachment uses (RID_PASID for the RID). */
uint32_t vtdd_hw_pasid(uint32_t pasid);

/* ---- domains (drv_domain.c, drv_nested.c) ------------------------------------------- */
int vtdd_domain_alloc_paging(void *inst, void *dev, uint32_t flags,
			     struct ims_domain_info *info, void **dom);
void vtdd_domain_free(void *inst, void *dom);
int vtdd_map(void *inst, void *dom, uint64_t iova, uint64_t pa, uint64_t len, unsigned prot);
int vtdd_unmap(void *inst, void *dom, uint64_t iova, uint64_t len, uint64_t *unmapped);
void vtdd_iotlb_sync(void *inst, void *dom, uint64_t iova, uint64_t len);
int vtdd_domain_get_did(struct vtdd_domain *dom, struct vtdd_unit *u);
void vtdd_domain_put_did(struct vtdd_domain *dom, struct vtdd_unit *u);
int vtdd_att_add(struct vtdd_domain *dom, struct vtdd_dev *d, uint32_t pasid);
void vtdd_att_del(struct vtdd_domain *dom, struct vtdd_dev *d, uint32_t pasid);
/* The second-stage domain whose table a domain's entries point at: itself,
 * or the parent of a nested domain. */
const struct vtdd_domain *vtdd_ss_domain(const struct vtdd_domain *dom);

int vtdd_domain_alloc_nested(void *inst, void *dev, void *parent, void *viommu, uint32_t flags,
			     const struct ims_user_data *data, struct ims_domain_info *info,
			     void **dom);
int vtdd_invalidate_user(void *inst, void *dom, const struct ims_user_array *a,
			 uint32_t *done);

/* ---- attach (drv_attach.c) ---------------------------------------------------------- */
int vtdd_attach(void *inst, void *dev, uint32_t pasid, void *dom, void *old);
/* Rewrites the PASID entries of every attachment of dom (SSADE change). */
void vtdd_reprogram_entries(struct vtdd_domain *dom);

/* ---- devices (drv_dev.c) ------------------------------------------------------------ */
int vtdd_dev_probe(void *inst, struct ims_device *cdev, const struct ims_dev_desc *desc,
		   struct ims_dev_caps *caps, void **dev);
void vtdd_dev_release(void *inst, void *dev);
int vtdd_hw_info(void *inst, void *dev, uint32_t *type, void *buf, size_t cap, size_t *len);

/* ---- dirty tracking (drv_dirty.c) --------------------------------------------------- */
int vtdd_set_dirty_tracking(void *inst, void *dom, bool enable);
int vtdd_read_and_clear_dirty(void *inst, void *dom, uint64_t iova, uint64_t len, unsigned flags,
			      struct ims_dirty_bitmap *bm);

/* ---- page requests (drv_prq.c) ------------------------------------------------------ */
int vtdd_prq_enable(struct vtdd_unit *u);
void vtdd_prq_disable(struct vtdd_unit *u);
void vtdd_prq_service(struct vtdd_unit *u);
/* Drains page requests of (d, pasid) in software and hardware (SPEC 7.10)
 * after its entry was torn down. */
void vtdd_prq_drain(struct vtdd_dev *d, uint32_t pasid, uint16_t did, unsigned pgtt);
int vtdd_page_response(void *inst, void *dev, uint32_t pasid, uint32_t grpid, uint32_t code);

/* ---- DMA (drv_dma.c) ---------------------------------------------------------------- */
int vtdd_dma(void *inst, const struct ims_dma_req *req, struct ims_dma_result *res);
enum ims_xlate_fault vtdd_classify(unsigned fr);

/* ---- configuration (drv_cfg.c) ------------------------------------------------------ */
void vtdd_cfg_init(void *cfg);
int vtdd_cfg_set(void *cfg, const char *key, const char *value, char *err, size_t errlen);
void vtdd_cfg_describe(void (*put)(void *arg, const struct ims_cfg_key *key), void *arg);

/* Grows a dynamic array of `size`-byte elements to hold one more. */
int vtdd_grow(void **arr, unsigned n, unsigned *cap, size_t size);

#endif
