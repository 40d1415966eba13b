/* SPDX-License-Identifier: MIT */
/*
 * iommusim/iommusim.h — the simulator's public API, umbrella header.
 *
 * A struct ims_ctx is one simulated machine: its physical memory, the IOMMU
 * units of one vendor model, the devices behind them, and the iommufd-like
 * objects (iommufd.h) that program them.  There is no global state: any
 * number of contexts may live in one process and none affects another, so a
 * differential test can run the same scenario on three models side by side.
 *
 *   struct ims_ctx_cfg cfg = { .model = &some_model_ops, .seed = 1 };
 *   struct ims_ctx *ctx = ims_ctx_new(&cfg);
 *   struct ims_ioas_alloc a = { .size = sizeof(a) };
 *   ims_ioas_alloc(ctx, &a);
 *   ...
 *   ims_ctx_free(ctx);
 */
#ifndef IMS_IOMMUSIM_H
#define IMS_IOMMUSIM_H

#include <stddef.h>
#include <stdint.h>

#include "iommusim/iommufd.h"
#include "iommusim/model.h"

struct ims_mem;
struct ims_palloc;

/* Default pool for driver-side allocations when pool_size is 0: 1 GiB at
 * 256 GiB, far from where scenarios usually place guest memory and still
 * below the smallest host address width a modelled part has (39 bits). */
#define IMS_CTX_DEFAULT_POOL_BASE 0x4000000000ull
#define IMS_CTX_DEFAULT_POOL_SIZE 0x40000000ull

struct ims_ctx_cfg {
	/* The vendor model, or NULL for a context without IOMMU hardware (IOAS
	 * commands work; device commands fail with -ENODEV). */
	const struct ims_model_ops *model;
	/* The model's configuration (model->cfg_size bytes, see cfg_init /
	 * cfg_set), or NULL for its defaults.  Read during ims_ctx_new only. */
	const void *model_cfg;
	/* Simulated physical memory [pool_base, pool_base + pool_size) from
	 * which host drivers allocate tables and queues.  4 KiB aligned; size 0
	 * selects the defaults above.  Scenarios should keep their own memory
	 * (what they map with IOAS_MAP) outside it. */
	uint64_t pool_base;
	uint64_t pool_size;
	/* Seed for every pseudo-random choice the model makes. */
	uint64_t seed;
};

/*
 * Creates a context in *out.  Returns 0; -EINVAL when cfg or out is NULL or
 * the pool is not 4 KiB aligned or wraps; -ENOMEM when the host is out of
 * memory; or the errno of the model's create.  *out is NULL on failure.
 */
int ims_ctx_create(const struct ims_ctx_cfg *cfg, struct ims_ctx **out);
/* The same, returning the context or NULL on any failure. */
struct ims_ctx *ims_ctx_new(const struct ims_ctx_cfg *cfg);

/*
 * Destroys the context as closing /dev/iommu would: every object is destroyed,
 * leaves first (a vDEVICE before its vIOMMU, a HWPT before its IOAS, a device
 * is unbound once nothing uses it), then the model instance and the memory.
 * NULL is ignored.
 */
void ims_ctx_free(struct ims_ctx *ctx);

/* The context's simulated physical memory (owned by the context). */
struct ims_mem *ims_ctx_mem(struct ims_ctx *ctx);
/* The page allocator over the driver pool (owned by the context). */
struct ims_palloc *ims_ctx_palloc(struct ims_ctx *ctx);
/* The seed the context was created with. */
uint64_t ims_ctx_seed(const struct ims_ctx *ctx);
/* The model's ops, or NULL. */
const struct ims_model_ops *ims_ctx_model(const struct ims_ctx *ctx);
/* The model instance (what the model's create returned), or NULL: for a
 * model's own observation calls, e.g. ims_vtd_hw(ims_ctx_model_inst(ctx), 0). */
void *ims_ctx_model_inst(struct ims_ctx *ctx);
/* Number of live objects (finalized, not tombstones). */
size_t ims_ctx_num_objects(const struct ims_ctx *ctx);

/* A human sentence about the last failed command on this context, naming the
 * offending field ("IOAS_MAP: iova 0x1000 overlaps area [0x0, 0x1fff]"), or
 * "" after a success. */
const char *ims_ctx_errmsg(const struct ims_ctx *ctx);

/* ---- Hardware-level access (traces, test benches) ---------------------- */

/* Register access on physical unit `unit` (trace mmio.read/mmio.write).
 * width 4 or 8.  -ENODEV no model or no MMIO; -EINVAL bad unit/width/offset. */
int ims_mmio_read(struct ims_ctx *ctx, unsigned unit, uint64_t off, unsigned width,
		  uint64_t *val);
int ims_mmio_write(struct ims_ctx *ctx, unsigned unit, uint64_t off, unsigned width,
		   uint64_t val);
/* The MMIO page of a vIOMMU that the guest reaches directly (Tegra VINTF
 * page0, AMD VF-MMIO).  -ENOENT not a vIOMMU; -EINVAL width not 4 or 8 (or
 * val NULL); -EOPNOTSUPP none; else the model's answer. */
int ims_viommu_mmio_read(struct ims_ctx *ctx, uint32_t viommu_id, uint64_t off,
			 unsigned width, uint64_t *val);
int ims_viommu_mmio_write(struct ims_ctx *ctx, uint32_t viommu_id, uint64_t off,
			  unsigned width, uint64_t val);

/* One DMA from a bound device (dev_id) — unit and sid come from the device.
 * req->unit and req->sid are ignored.  0 with *res filled, -ENOENT unknown
 * device, -EINVAL bad request (NULL, or crossing a 4 KiB page), -EBADF ctx
 * NULL, -ENODEV no model. */
int ims_dma(struct ims_ctx *ctx, uint32_t dev_id, const struct ims_dma_req *req,
	    struct ims_dma_result *res);
/* One DMA by raw requester ID, bound or not (trace `dma sid=N`). */
int ims_dma_raw(struct ims_ctx *ctx, const struct ims_dma_req *req, struct ims_dma_result *res);

/*
 * The oracle: what the API state says must happen to an access by dev_id
 * (at pasid, or IMS_NO_PASID) to iova — computed from IOAS areas and, for
 * nested HWPTs, the guest stage-1 table read through sim/pt without caches,
 * composed with stage 2.  *res gets status IMS_DMA_OK with pa and perms
 * (IMS_PT_* rights of both stages ANDed), or IMS_DMA_FAULT with the class in
 * xfault; every other field is 0 (no vendor code, no page size, no cost).
 *
 * The attachment used is the one the model was told about for that device
 * and PASID (a device also follows its iommu_group's attachments).  A PASID
 * without an attachment of its own is translated by the RID's nested HWPT
 * when that holds the guest's PASID table (SMMUv3 vSTE with a CD table or
 * bypass, AMD guest DTE); otherwise it is blocked.
 *
 * Classes, which models use to classify their own fault codes:
 *   IMS_XF_BLOCKED      nothing attached; abort configuration (SMMUv3 vSTE
 *                       V=0 or Cfg abort, S1DSS terminate / SSID 0 reserved).
 *   IMS_XF_ADDRESS      iova outside a paging domain's aperture windows or
 *                       the stage-2 aperture; non-canonical / out-of-range
 *                       stage-1 input (sim/pt IMS_PT_FAULT_INPUT).
 *   IMS_XF_NOT_PRESENT  no IOAS area at the address (either stage); a
 *                       stage-1 entry not present; SMMUv3 EPDx range or access
 *                       flag fault; AMD GCR3 entry not valid.
 *   IMS_XF_PERMISSION   rights of either stage do not cover the access;
 *                       VT-d supervisor request without SRE.
 *   IMS_XF_CONFIG       malformed guest structure: reserved bits, bad level,
 *                       output beyond the address size in a stage-1 entry;
 *                       SMMUv3 C_BAD_SUBSTREAMID / C_BAD_CD cases; AMD PASID
 *                       beyond the GCR3 levels; vtd_s1 addr_width not 48/57.
 *   IMS_XF_WALK_ABORT   reading a guest table or CD/GCR3 entry failed
 *                       (simulated memory abort range).
 * Stage-2 faults while reading guest structures keep their own class.
 *
 * Assumptions where the API state does not say: guest physical addresses
 * and stage-1 output up to 52 bits; VT-d first stage with 1 GiB pages; AMD
 * v2 with NX checked (NXSup); SMMUv3 stage 1 without IDR3.STT; accessed/
 * dirty updates always succeed (the oracle never writes memory).  Reads of
 * guest memory are counted by ims_mem as IMS_MEM_WALK / IMS_MEM_CONFIG.
 *
 *   -EBADF ctx NULL; -EINVAL res NULL; -ENOENT unknown device;
 *   -EOPNOTSUPP the nested HWPT has vendor data of a type the oracle cannot
 *   read (e.g. a test model's own).
 */
int ims_oracle(struct ims_ctx *ctx, uint32_t dev_id, uint32_t pasid, uint64_t iova,
	       unsigned access, struct ims_dma_result *res);

#endif
