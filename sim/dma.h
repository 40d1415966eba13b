/* SPDX-License-Identifier: MIT */
/*
 * sim/dma — a request as a device sends it to an IOMMU, and what became of it.
 *
 * Every hardware model translates one request at a time through this shape,
 * so replay, the oracle check, fuzzers and benchmarks drive all three the
 * same way.  A request covers at most one page of the smallest size
 * (4 KiB); longer accesses are split by ims_dma_split() into page-bounded
 * pieces, as the trace contract says ("translated page by page").
 */
#ifndef IMS_SIM_DMA_H
#define IMS_SIM_DMA_H

#include <stdbool.h>
#include <stdint.h>

#define IMS_NO_PASID UINT32_MAX

/* PCIe request kinds that reach an IOMMU. */
enum ims_dma_type {
	IMS_DMA_UNTRANSLATED, /* ordinary DMA, AT=00 */
	IMS_DMA_TRANSLATION,  /* ATS translation request, AT=01: result is a translation, no data */
	IMS_DMA_TRANSLATED,   /* ATS translated request, AT=10: addr is already an HPA */
	IMS_DMA_PAGE_REQUEST, /* PRI page request: addr/access name the page to fault in */
};

struct ims_dma_req {
	uint32_t unit;    /* which IOMMU instance of the machine (0 by default) */
	uint32_t sid;     /* requester: VT-d source-id, SMMUv3 StreamID, AMD DeviceID */
	uint32_t pasid;   /* PASID/SubstreamID, or IMS_NO_PASID */
	uint64_t addr;    /* IOVA (or HPA for TRANSLATED) */
	uint32_t len;     /* bytes, 1..4096, within one 4 KiB page; 0 = zero-length read */
	unsigned access;  /* IMS_PT_ACC_R/W/X, PRIV (from sim/pt.h) */
	enum ims_dma_type type;
	/* Page requests only. */
	uint16_t prgi;    /* page request group index */
	bool last;        /* last page in group (LPIG / L) */
};

/* What went wrong, vendor-neutral: the oracle speaks this, and every model
 * classifies its own fault codes into it, so results can be compared. */
enum ims_xlate_fault {
	IMS_XF_NONE = 0,     /* translated */
	IMS_XF_BLOCKED,      /* nothing attached / abort configuration */
	IMS_XF_NOT_PRESENT,  /* no translation for the IOVA */
	IMS_XF_PERMISSION,   /* translation exists, rights do not cover the access */
	IMS_XF_ADDRESS,      /* IOVA outside the input range / aperture */
	IMS_XF_CONFIG,       /* invalid context/PASID/STE/CD/DTE entry */
	IMS_XF_WALK_ABORT,   /* reading a table or configuration failed */
	IMS_XF_PAGE_REQUEST, /* a page request was issued; retry after response */
	IMS_XF_NFAULTS
};

enum ims_dma_status {
	IMS_DMA_OK,      /* translated (and for UNTRANSLATED, the access would be performed) */
	IMS_DMA_FAULT,   /* blocked: writes dropped, reads complete with UR/CA */
	IMS_DMA_QUEUED,  /* a page request accepted into the page-request queue */
	IMS_DMA_STALLED, /* SMMUv3 stall model: held until the fault is resumed */
};

struct ims_dma_result {
	enum ims_dma_status status;
	uint64_t pa;          /* host physical address of addr (OK) */
	uint32_t perms;       /* effective rights (IMS_PT_PR...), for ATS completions */
	unsigned size_shift;  /* size of the translation used (TLB entry reach) */
	uint32_t fault;       /* the model's own code: VT-d fault reason, SMMUv3 event
				 type, AMD-Vi event code; 0 when none */
	enum ims_xlate_fault xfault; /* the same, vendor-neutral */
	bool reported;        /* the fault was logged (not suppressed, e.g. by FPD) */
	bool iotlb_hit;       /* served from the IOTLB */
	unsigned mem_reads;   /* memory reads the IOMMU made for this request */
	uint64_t cycles;      /* simulated latency in IOMMU cycles */
};

/* Splits [addr, addr+len) into page-bounded pieces of at most 4 KiB: returns
 * the length of the first piece (0 when len is 0). */
static inline uint32_t ims_dma_first_piece(uint64_t addr, uint64_t len)
{
	uint64_t room = 4096 - (addr & 4095);
	return (uint32_t)(len < room ? len : room);
}

#endif
