/* SPDX-License-Identifier: MIT */
/*
 * models/vtd/hw_priv.h — what the hw_*.c files of the VT-d unit share: the
 * unit's state, one request in flight, and the functions each file offers
 * the others.  Not part of the contract (that is vtd_hw.h).
 */
#ifndef IMS_MODELS_VTD_HW_PRIV_H
#define IMS_MODELS_VTD_HW_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "models/vtd/vtd_hw.h"
#include "models/vtd/vtd_regs.h"
#include "models/vtd/vtd_tables.h"
#include "sim/pt.h"

/* ---- Cost parameters (hw_cost.c): indexes into vtd_cost_params ---------- */
enum vtd_cost_idx {
	VTD_C_CLOCK_MHZ,
	VTD_C_IOTLB_LOOKUP,
	VTD_C_CTX_LOOKUP,
	VTD_C_PASID_LOOKUP,
	VTD_C_PSC_LOOKUP,
	VTD_C_WALK_START,
	VTD_C_CONFIG_READ,
	VTD_C_WALK_READ,
	VTD_C_AD_WRITE,
	VTD_C_FAULT_RECORD,
	VTD_C_MSI,
	VTD_C_QI_FETCH,
	VTD_C_QI_EXEC,
	VTD_C_INVAL_SEARCH,
	VTD_C_DRAIN,
	VTD_C_IEC_DRAIN,
	VTD_C_WAIT_STATUS,
	VTD_C_ATS_INV,
	VTD_C_ATS_TIMEOUT,
	VTD_C_PRG_RESP,
	VTD_C_PRQ_WRITE,
	VTD_C_WBF,
	VTD_C_REG_INVAL,
	VTD_C_N
};
extern const struct ims_cost_param vtd_cost_params[VTD_C_N];

/* ---- The unit ----------------------------------------------------------------- */

/* CAP/ECAP/VER decoded once (hw_unit.c). */
struct vtd_caps {
	uint64_t cap, ecap;
	unsigned ver_major;
	bool rev3;
	unsigned haw;
	unsigned nfr;        /* fault-recording registers (CAP.NFR + 1) */
	uint64_t fro, iro;   /* byte offsets of FRCD[0] and IVA_REG */
	unsigned sagaw;      /* CAP.SAGAW bits */
	unsigned mgaw;       /* CAP.MGAW + 1 */
	unsigned did_bits;   /* 4 + 2*ND */
	unsigned pasid_bits; /* ECAP.PSS + 1 */
	unsigned mamv;
	bool ss2m, ss1g;     /* CAP.SSLPS */
};

struct vtd_evstate {
	uint32_t ctl;        /* IM (bit 31), IP (bit 30) */
	uint32_t data, addr, uaddr;
};

#define VTD_LOG_MAX 64

struct vtd_hw {
	struct ims_mem *mem;
	struct vtd_hw_cfg cfg;
	struct vtd_caps c;
	uint64_t mmio_size;

	/* registers */
	uint32_t gsts;
	uint64_t rtaddr;     /* as written */
	uint64_t rta;        /* latched by SRTP: what translation uses */
	uint64_t ccmd, iva, iotlb_reg;
	uint32_t fsts;       /* PFO, IQE, ICE, ITE, FRI; PPF is derived */
	struct vtd_evstate ev[VTD_NEVENTS];
	uint32_t pmen, plmbase, plmlimit;
	uint64_t phmbase, phmlimit;
	uint64_t iqh, iqt, iqa, iqercd;
	uint32_t ics;
	uint64_t irta;
	uint64_t pqh, pqt, pqa;
	uint32_t prs;
	uint64_t mtrr[(VTD_REG_MTRR_LAST + 1 - VTD_REG_MTRR_FIRST) / 8];
	uint64_t (*frcd)[2]; /* c.nfr records */
	unsigned fr_idx;     /* next FRCD to write (SPEC 7.2.1) */

	/* device-side behaviour and state */
	uint8_t *ats_mode;   /* 65536 entries, enum vtd_ats_mode */
	bool ats_timeout_pending;
	uint16_t ats_timeout_sid;

	struct ims_cache *cache[VTD_NCACHES];

	struct vtd_devmsg devmsg[VTD_LOG_MAX];
	unsigned devmsg_head, devmsg_n;
	struct vtd_msi msi[VTD_LOG_MAX];
	unsigned msi_head, msi_n;

	struct ims_cost cost;
	struct vtd_hw_stats st;
	struct vtd_xlate_info last;
	uint64_t cyc;        /* cycles charged to the operation in progress */
};

static inline void vtd_charge(struct vtd_hw *hw, enum vtd_cost_idx i, uint64_t n)
{
	hw->cyc += hw->cost.val[i] * n;
}

static inline bool vtd_has_cap(const struct vtd_hw *hw, uint64_t bit)
{
	return (hw->c.cap & bit) != 0;
}

static inline bool vtd_has_ecap(const struct vtd_hw *hw, uint64_t bit)
{
	return (hw->c.ecap & bit) != 0;
}

/* Bits HAW..63 of an address field (reserved in every table pointer). */
static inline uint64_t vtd_above_haw(const struct vtd_hw *hw)
{
	return hw->c.haw >= 64 ? 0 : ~0ull << hw->c.haw;
}

static inline uint16_t vtd_did_mask(const struct vtd_hw *hw)
{
	return (uint16_t)((1u << hw->c.did_bits) - 1);
}

/* ---- One request in flight (hw_route.c, hw_walk.c, hw_prq.c) ---------------- */
struct vtd_xreq {
	const struct ims_dma_req *req;
	enum ims_dma_type type;
	uint16_t sid;
	uint64_t addr;
	bool pp;        /* the request carries a PASID */
	uint32_t pasid; /* the request's PASID, or RID_PASID without one */
	bool pr, er;    /* privileged / execute requested (PASID prefix, or RID_PRIV) */
	bool rd, wr;    /* read, write; both: an atomic */
	bool zlr;       /* a zero-length read */
	/* found by routing */
	bool legacy;
	bool fpd;       /* some entry traversed had FPD=1 */
	uint16_t did;
	unsigned pgtt;  /* VTD_PGTT_*; legacy SS is VTD_PGTT_SS, legacy TT=10 VTD_PGTT_PT */
	unsigned aw;    /* SS AGAW code (1..3) */
	uint64_t ssptptr;
	unsigned tt;    /* legacy context TT */
	uint64_t sce[2]; /* scalable context entry QW0, QW1 */
	uint64_t pe[8];  /* PASID-table entry */
};

/* The result of a walk. */
struct vtd_xlate {
	uint64_t pa;        /* output address of x->addr */
	unsigned shift;     /* size of the translation */
	uint32_t perms;     /* effective IMS_PT_* rights */
	bool dirty;         /* D is set (or not tracked): writes may hit the IOTLB */
	bool np;            /* the fault was a not-present second-stage entry */
};

/* hw_dma.c: the IMS_PT_ACC_* access of a request. */
unsigned vtd_xreq_access(const struct vtd_xreq *x);

/* hw_route.c: finds the configuration for x (legacy context, or scalable
 * context and PASID entry) with the caches; 0 or the fault reason. */
unsigned vtd_route(struct vtd_hw *hw, struct vtd_xreq *x);

/* hw_walk.c: translates x->addr with the configuration routing found.
 * Returns 0 or the fault reason; on a permission fault *o->perms holds the
 * rights the walk found (for ATS completions). */
unsigned vtd_walk(struct vtd_hw *hw, struct vtd_xreq *x, struct vtd_xlate *o);
bool vtd_fr_is_permission(unsigned fr);

/* hw_cache.c */
int vtd_caches_create(struct vtd_hw *hw);
void vtd_caches_free(struct vtd_hw *hw);
enum vtd_tlb_flag { VTD_TLBF_NOPASID = 1 };
struct vtd_tlb_val {
	uint64_t pa;        /* output of the region's first byte */
	uint32_t perms;
	uint16_t fault;     /* CM negative entry: the fault reason, else 0 */
	bool dirty;
	bool fpd;
};
const struct vtd_tlb_val *vtd_iotlb_lookup(struct vtd_hw *hw, const struct vtd_xreq *x,
					   struct ims_cache_tag *found);
void vtd_iotlb_fill(struct vtd_hw *hw, const struct vtd_xreq *x, unsigned shift,
		    const struct vtd_tlb_val *v);
struct vtd_ctx_val {
	uint64_t qw[2];     /* the context entry as read (legacy: 128 bits; SM: QW0, QW1) */
	bool negative;      /* CM: a not-present entry */
};
const struct vtd_ctx_val *vtd_ctxc_lookup(struct vtd_hw *hw, uint16_t sid);
void vtd_ctxc_fill(struct vtd_hw *hw, uint16_t sid, uint16_t did, const struct vtd_ctx_val *v);
struct vtd_pasid_val {
	uint64_t pe[8];
	bool dir_fpd;
	bool negative;      /* CM: a not-present PASID-table entry */
};
const struct vtd_pasid_val *vtd_pasidc_lookup(struct vtd_hw *hw, uint16_t sid, uint32_t pasid);
void vtd_pasidc_fill(struct vtd_hw *hw, uint16_t sid, uint32_t pasid, uint16_t did,
		     const struct vtd_pasid_val *v);
/* Paging-structure caches: stage 0 first stage, 1 second stage. */
struct vtd_psc_val {
	uint64_t table;     /* next table: HPA (FS PSC in nested: its GPA, see hpa) */
	uint64_t hpa;       /* nested FS PSC: the next table's HPA */
	uint32_t perms;     /* rights accumulated down to this entry */
	uint32_t ss_perms;  /* nested FS PSC: SS rights on the next table's page */
};
int vtd_psc_lookup(struct vtd_hw *hw, int stage, uint16_t did, uint32_t pasid, uint64_t addr,
		   unsigned top_level, struct vtd_psc_val *v);
void vtd_psc_fill(struct vtd_hw *hw, int stage, uint16_t did, uint32_t pasid, uint64_t addr,
		  unsigned level, unsigned span_shift, const struct vtd_psc_val *v);
/* Invalidation scopes of SPEC Tables 23/24 (digest §7.2).  Each returns the
 * number of entries removed and charges the tag searches. */
unsigned vtd_inv_cc(struct vtd_hw *hw, unsigned g, uint16_t did, uint16_t sid, unsigned fm);
unsigned vtd_inv_iotlb(struct vtd_hw *hw, unsigned g, uint16_t did, uint64_t addr, unsigned am,
		       bool ih);
unsigned vtd_inv_piotlb(struct vtd_hw *hw, unsigned g, uint16_t did, uint32_t pasid,
			uint64_t addr, unsigned am, bool ih);
unsigned vtd_inv_pc(struct vtd_hw *hw, unsigned g, uint16_t did, uint32_t pasid);
unsigned vtd_inv_all(struct vtd_hw *hw);

/* hw_fault.c */
struct vtd_fault {
	unsigned fr;
	uint16_t sid;
	uint64_t addr;
	bool pp;
	uint32_t pasid;
	bool pr, er;
	bool rd, wr;
	enum ims_dma_type type;
};
/* Records a fault (SPEC 7.2.1); returns whether an FRCD was written. */
bool vtd_fault_record(struct vtd_hw *hw, const struct vtd_fault *f);
uint32_t vtd_fsts_read(const struct vtd_hw *hw);
void vtd_fsts_write(struct vtd_hw *hw, uint32_t val);
/* Sets IQE, ICE or ITE, raising the fault event if nothing was pending. */
void vtd_fsts_set(struct vtd_hw *hw, uint32_t bit);
uint32_t vtd_frcd_read32(const struct vtd_hw *hw, unsigned idx, unsigned dword);
void vtd_frcd_write32(struct vtd_hw *hw, unsigned idx, unsigned dword, uint32_t val);
/* Event interrupt logic (SPEC 7.3, digest §1.10). */
void vtd_event_raise(struct vtd_hw *hw, enum vtd_event ev);
void vtd_event_ctl_write(struct vtd_hw *hw, enum vtd_event ev, uint32_t val);
void vtd_event_cleared(struct vtd_hw *hw, enum vtd_event ev);
void vtd_fault_index_reset(struct vtd_hw *hw);

/* hw_inval.c */
void vtd_iq_process(struct vtd_hw *hw);
void vtd_ccmd_write(struct vtd_hw *hw, uint64_t val);
void vtd_iotlb_reg_write(struct vtd_hw *hw, uint64_t val);

/* hw_prq.c */
void vtd_prq_request(struct vtd_hw *hw, struct vtd_xreq *x, struct ims_dma_result *res);
/* A page request refused before routing (RTA.*): recorded, auto-response. */
void vtd_prq_refused(struct vtd_hw *hw, struct vtd_xreq *x, unsigned fr,
		     struct ims_dma_result *res);
/* hw_dma.c: records fr for request x (unless FPD suppresses it). */
void vtd_report(struct vtd_hw *hw, const struct vtd_xreq *x, unsigned fr,
		struct ims_dma_result *res);
void vtd_prq_status_write(struct vtd_hw *hw, uint32_t val);

/* hw_unit.c */
void vtd_devmsg_push(struct vtd_hw *hw, const struct vtd_devmsg *m);
void vtd_msi_send(struct vtd_hw *hw, enum vtd_event ev);
void vtd_latch_root(struct vtd_hw *hw);

#endif
