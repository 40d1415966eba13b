/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/mock_model — a test double of a vendor model (never shipped
 * under models/).  It keeps paging domains as plain lists of mappings instead
 * of page tables, so tests can see exactly what the object layer pushed into
 * a domain, and it counts every call and every protocol violation (mapping
 * twice, unmapping part of a mapping, freeing a non-empty domain).  In the
 * spirit of the kernel selftest's mock IOMMU (iommufd §4.3):
 *
 *   - hw_info of type MOCK_HW_INFO_TYPE {flags, test_reg = 0xdeadbeef};
 *   - devices with PASIDs (the width asked at bind), per-SID flags and
 *     groups (mock_set_device);
 *   - dirty tracking on every paging domain: DMA writes mark granule pages
 *     dirty while tracking is on, mock_set_dirty marks them by hand;
 *   - page requests: a DMA of type IMS_DMA_PAGE_REQUEST goes to
 *     ims_report_iopf; page responses are logged (mock_responses);
 *   - nested domains of type MOCK_HWPT_DATA with 4 IOTLB words and the
 *     invalidation MOCK_HWPT_INVALIDATE, plus the three vendor types
 *     (validated with the kernel drivers' rules, not walked: their DMA
 *     faults with IMS_XF_CONFIG, the oracle is the reference for them);
 *   - vIOMMU type MOCK_VIOMMU_TYPE (and ARM_SMMUV3, AMD) with per-vDEVICE
 *     cache words invalidated by MOCK_VIOMMU_INVALIDATE, a 4 KiB MMIO page,
 *     one option value, vEVENTs of MOCK_VEVENTQ_TYPE, and HW queues of
 *     MOCK_HW_QUEUE_TYPE (at most 2, index 0 first, each depending on the
 *     previous);
 *   - failure injection for map and attach, and PASID 1024 whose replace
 *     fails with -ENOMEM.
 *
 * DMA of a mock nested domain translates through its parent (stage 1 is the
 * identity).  DMA semantics of paging domains match the oracle's classes.
 */
#ifndef IMS_TESTS_MOCK_MODEL_H
#define IMS_TESTS_MOCK_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "iommusim/iommusim.h"

struct mock_cfg {
	uint64_t pgsize_bitmap; /* domains' page sizes; 0: 4 KiB | 2 MiB | 1 GiB */
	uint32_t naperture;     /* domains' aperture windows; 0: everything */
	struct ims_iova_window aperture[IMS_MAX_WINDOWS];
	unsigned units;         /* 0: one */
	/* Device reserved region every probed device reports (len 0: none). */
	uint64_t resv_start, resv_len;
	/* Aperture windows every probed device reports (0: everything). */
	uint32_t dev_naperture;
	struct ims_iova_window dev_aperture[IMS_MAX_WINDOWS];
	bool no_hw_info;        /* the model has no hw_info op */
	bool no_gpt5;           /* no 5-level guest tables (AMD guest DTE) */
};

extern const struct ims_model_ops mock_model_ops;
/* The same model without vIOMMU, nested, dirty and invalidation ops (what
 * iommufd answers when a driver lacks a feature). */
extern const struct ims_model_ops mock_model_ops_basic;

/* Call counts and violations of one instance. */
struct mock_stats {
	uint64_t map_calls, unmap_calls, sync_calls;
	uint64_t small_page_maps; /* maps that carried IMS_MAP_SMALL_PAGES */
	uint64_t domains_live, devices_live;
	uint64_t attach_calls;
	uint64_t viommus_live, vdevs_live, hw_queues_live;
	uint64_t errors;          /* protocol violations by the caller */
};

/* The mock instance behind a context created with mock_model_ops (or a
 * copy of it with some ops cleared), else NULL. */
struct mock;
struct mock *mock_of(struct ims_ctx *ctx);
/* Protocol violations and leftovers (domains, devices, vIOMMUs... not freed
 * through the ops) found when mock instances were destroyed, program-wide. */
uint64_t mock_teardown_errors(void);
const struct mock_stats *mock_stats(const struct mock *m);
/* Makes the n-th map call from now fail with rc (n = 1: the next one); 0
 * disarms. */
void mock_fail_map(struct mock *m, unsigned n, int rc);
/* The same for attach calls that attach or replace (blocking never fails). */
void mock_fail_attach(struct mock *m, unsigned n, int rc);

/* Per-SID device setup, used when the SID is bound next (selftest
 * MOCK_DOMAIN_FLAGS).  group_id 0: the default (the SID). */
#define MOCK_DEV_NO_DIRTY 0x1u   /* the IOMMU cannot track its dirty pages */
#define MOCK_DEV_PASID_EXEC 0x2u /* PASID execute permission */
#define MOCK_DEV_PASID_PRIV 0x4u /* PASID privileged mode */
void mock_set_device(struct mock *m, uint32_t sid, uint32_t flags, uint32_t group_id);

/* Allocates a paging domain directly (what a HWPT would do), for tests of
 * the io_pagetable hooks.  `want` overrides the configured page sizes and
 * aperture (NULL: the configuration's). */
int mock_domain_alloc(struct mock *m, uint32_t flags, const struct ims_domain_info *want,
		      struct ims_domain_info *info, void **dom);
void mock_domain_free(struct mock *m, void *dom);
/* What the domain maps at iova: true with *pa and *prot, or false. */
bool mock_domain_lookup(const void *dom, uint64_t iova, uint64_t *pa, unsigned *prot);
/* Number of map calls the domain currently holds, and their total bytes. */
unsigned mock_domain_nmaps(const void *dom);
uint64_t mock_domain_bytes(const void *dom);

/* ---- the selftest's numbers ---------------------------------------------------- */

#define MOCK_HW_INFO_TYPE 0xfeedbeefu
#define MOCK_HW_INFO_TEST_REG 0xdeadbeefu
struct mock_hw_info {
	uint32_t flags;
	uint32_t test_reg;
};

#define MOCK_HWPT_DATA 0xdeadu /* nested data type */
#define MOCK_IOTLB_DEFAULT 0xbadbeefu
#define MOCK_NESTED_IOTLB_NUM 4
struct mock_hwpt_data {
	uint32_t iotlb;          /* initial value of the 4 IOTLB words */
	uint32_t pagetable_type; /* ignored */
};

#define MOCK_HWPT_INVALIDATE 0xdeadbeefu /* HWPT_INVALIDATE data_type */
#define MOCK_INVALIDATE_ALL 0x1u
struct mock_hwpt_invalidate {
	uint32_t flags;    /* MOCK_INVALIDATE_ALL */
	uint32_t iotlb_id; /* 0..3 */
};

#define MOCK_VIOMMU_TYPE 0xdeadbeefu
struct mock_viommu_data {
	uint32_t in_data;
	uint32_t out_data;        /* out: in_data */
	uint64_t out_mmap_offset; /* out: where the MMIO page would be mmap'ed */
	uint64_t out_mmap_length; /* out: 4096 */
};

#define MOCK_VIOMMU_INVALIDATE 0xdeadbeefu
#define MOCK_DEV_CACHE_DEFAULT 0xbaddadu
#define MOCK_DEV_CACHE_NUM 4
struct mock_viommu_invalidate {
	uint32_t flags;    /* MOCK_INVALIDATE_ALL */
	uint32_t vdev_id;  /* a virt_id on the vIOMMU */
	uint32_t cache_id; /* 0..3 */
};

#define MOCK_VEVENTQ_TYPE 0xbeefbeefu
struct mock_vevent {
	uint32_t virt_id;
};

#define MOCK_HW_QUEUE_TYPE 0xdeadbeefu
#define MOCK_HW_QUEUE_MAX 2

#define MOCK_PASID_FAIL_REPLACE 1024u /* replacing this PASID fails -ENOMEM */

/* ---- inspection and triggers (the selftest's IOMMU_TEST_OP_*) ------------------ */

/* The model domain of a HWPT object, or NULL. */
void *mock_hwpt_domain(struct ims_ctx *ctx, uint32_t hwpt_id);
/* The domain the mock device dev_id has at pasid (IMS_NO_PASID: the RID),
 * or NULL when blocked (PASID_CHECK_HWPT / MD_CHECK). */
void *mock_dev_domain(struct ims_ctx *ctx, uint32_t dev_id, uint32_t pasid);
/* IOTLB word i of a nested HWPT (MD_CHECK_IOTLB); 0xffffffff if none. */
uint32_t mock_nested_iotlb(struct ims_ctx *ctx, uint32_t hwpt_id, unsigned i);
/* Cache word i of the device's vDEVICE (DEV_CHECK_CACHE); 0xffffffff if none. */
uint32_t mock_dev_cache(struct ims_ctx *ctx, uint32_t dev_id, unsigned i);
/* Reports a MOCK_VEVENTQ_TYPE event {virt_id} for the device
 * (TRIGGER_VEVENT): ims_report_vevent's result, or -ENOENT without vDEVICE. */
int mock_trigger_vevent(struct ims_ctx *ctx, uint32_t dev_id);
/* Marks [iova, iova+len) of a paging HWPT dirty (IOMMU_TEST_OP_DIRTY). */
int mock_set_dirty(struct ims_ctx *ctx, uint32_t hwpt_id, uint64_t iova, uint64_t len);
/* Whether dirty tracking is on in a paging HWPT's domain. */
bool mock_dirty_tracking(struct ims_ctx *ctx, uint32_t hwpt_id);
/* The physical base the core handed to a HW queue, or 0. */
uint64_t mock_hw_queue_pa(struct ims_ctx *ctx, uint32_t hw_queue_id);
/* The MMIO page offset/option value a vIOMMU holds. */
uint64_t mock_viommu_option(struct ims_ctx *ctx, uint32_t viommu_id);

/* Page responses the model received, oldest first. */
struct mock_response {
	uint32_t sid, pasid, grpid, code;
};
unsigned mock_responses(const struct mock *m, const struct mock_response **v);

#endif
