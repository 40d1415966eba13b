/* SPDX-License-Identifier: MIT */
/*
 * iommusim/model.h — the one interface a vendor model implements.
 *
 * A model (models/vtd, models/smmuv3, models/amdvi) is the hardware of one
 * or more physical IOMMU units plus the host driver that programs it.  The
 * object layer (sim/iommufd) owns every object, ID, reference count and
 * lifetime rule; it calls the model through struct ims_model_ops only to make
 * hardware happen: allocate and fill page tables, attach devices, forward
 * guest invalidations, set up vIOMMU slices and queues, and run DMA.  Models
 * never see object IDs.  They see their own handles (the `void *` they
 * returned from an alloc op) and, where they must call back, a core handle
 * (struct ims_device *, struct ims_viommu *, struct ims_hw_queue *) that the
 * core gives them at creation and that stays valid until the matching free
 * op returns.
 *
 * The design covers the three vendors of shared/spec:
 *   - VT-d: nested first stage on a parent (pt_id = HWPT), PASID tables,
 *     trapped invalidation of a nested domain, page requests, dirty bits in
 *     second-stage entries (SSADE).
 *   - SMMUv3 + Tegra241 CMDQ-V: nested STE through a vIOMMU (VMID), vSID
 *     vDEVICEs, vIOMMU invalidation of raw commands, vEVENTs, VCMDQ HW queues
 *     reaching the guest through vIOMMU MMIO, stall/PRI.
 *   - AMD-Vi + HW vIOMMU: guest DTE nested HWPT through a vIOMMU (guest ID),
 *     vDEVICE = gDevID, command/event/PPR buffers as HW queues, VF-MMIO page,
 *     IOMMU_OPTION_VIOMMU control bits.
 *
 * Common contract of every op:
 *   - Return 0 or a negative errno; on error the op has changed nothing
 *     (all-or-nothing) unless its comment says otherwise.  The errno goes to
 *     the user as is, so use iommufd's meanings: -EOPNOTSUPP for "this
 *     hardware/type cannot", -EINVAL for "understood but wrong", -ENOMEM,
 *     -EIO for vendor validation (SMMUv3 STE), -EEXIST, -EBUSY.
 *   - An op that is NULL means the feature is absent; the core answers the
 *     user with the iommufd errno for that case (mostly -EOPNOTSUPP).
 *   - Ops are called single-threaded, never re-entered, and never with a
 *     handle after its free op.
 *   - Models take simulated memory for tables and queues from env->palloc
 *     and must give it all back by the time destroy returns.
 */
#ifndef IMS_MODEL_H
#define IMS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/dma.h"

struct ims_ctx;
struct ims_mem;
struct ims_palloc;
struct ims_stats;

/* Core handles a model may keep and pass back to the core services below. */
struct ims_device;   /* a bound device */
struct ims_viommu;   /* a vIOMMU */
struct ims_hw_queue; /* a HW queue */

/* IMS_NO_PASID ("no PASID": the RID attachment, or a DMA without a PASID
 * prefix), struct ims_dma_req/ims_dma_result and enum ims_xlate_fault come
 * from sim/dma.h, shared by every model. */

/* Memory protections for map (values equal sim/pt.h IMS_PT_PROT_*). */
#define IMS_PROT_READ 0x1u
#define IMS_PROT_WRITE 0x2u
#define IMS_PROT_NOEXEC 0x4u
#define IMS_PROT_PRIV 0x8u
/* The IOAS has huge pages disabled (OPTION HUGE_PAGES=0): map with the
 * smallest page size only. */
#define IMS_MAP_SMALL_PAGES 0x100u

/* Access kinds of a DMA (values equal sim/pt.h IMS_PT_ACC_*). */
#define IMS_ACC_READ 0x1u
#define IMS_ACC_WRITE 0x2u
#define IMS_ACC_EXEC 0x4u
#define IMS_ACC_PRIV 0x8u

/* An inclusive IOVA window. */
struct ims_iova_window {
	uint64_t start, last;
};

#define IMS_MAX_WINDOWS 8 /* aperture windows per device or domain */
#define IMS_MAX_RESV 8    /* reserved regions per device */

/* Reserved region kinds, as Linux's iommu_resv_type.  Every kind except
 * DIRECT_RELAXABLE is reserved in the IOAS at attach. */
enum ims_resv_type {
	IMS_RESV_DIRECT,           /* identity-mapped, must stay (RMRR) */
	IMS_RESV_DIRECT_RELAXABLE, /* identity-mapped, may be dropped */
	IMS_RESV_RESERVED,         /* never usable */
	IMS_RESV_MSI,              /* hardware MSI window (x86 0xfee00000-0xfeefffff) */
	IMS_RESV_SW_MSI,           /* software-managed MSI window (Arm) */
};

struct ims_resv_region {
	uint64_t start, last;
	enum ims_resv_type type;
};

/* What the user declared at DEVICE_BIND. */
struct ims_dev_desc {
	uint32_t sid;
	uint32_t unit;
	uint32_t pasid_bits;
	bool ats, pri;
};

/* What a device can do behind this IOMMU, filled by dev_probe. */
struct ims_dev_caps {
	uint32_t group_id;     /* devices with equal group_id on one unit form an
				  iommu_group: one HWPT per PASID for all of them
				  (iommufd §3.5).  Default (left 0): the sid. */
	uint8_t max_pasid_log2; /* PASID width usable (0 = none) */
	bool ats, pri;          /* effective ATS / PRI */
	bool dirty_tracking;    /* the IOMMU tracks dirty pages for this device */
	bool pasid_exec, pasid_priv;
	uint32_t nresv;
	struct ims_resv_region resv[IMS_MAX_RESV];
	/* IOVA windows the device's path can translate at all; the complement
	 * is reserved at attach.  0 windows: the whole 64-bit space.  Several
	 * windows model e.g. a small 32-bit window plus a large 64-bit one. */
	uint32_t naperture;
	struct ims_iova_window aperture[IMS_MAX_WINDOWS];
};

/* What a domain is, filled by the domain alloc ops. */
struct ims_domain_info {
	uint64_t pgsize_bitmap; /* bit n set: 2^n-byte pages.  The lowest bit is
				   the domain's IOVA granule; it must be <= 4096
				   for the domain to join an IOAS. */
	uint32_t naperture;     /* windows the table can map (0: everything);
				   the complement is reserved in the IOAS */
	struct ims_iova_window aperture[IMS_MAX_WINDOWS];
	bool dirty_ops;         /* set_dirty_tracking/read_and_clear_dirty work */
};

/* Vendor data handed from the user (HWPT_ALLOC, VIOMMU_ALLOC): a C pointer
 * with a type and a length.  Read it with ims_user_data_get; write outputs
 * with ims_user_data_put. */
struct ims_user_data {
	uint32_t type;
	uint32_t len;
	void *uptr;
};

/* An array of user entries (HWPT_INVALIDATE). */
struct ims_user_array {
	uint32_t type;
	uint32_t entry_len;
	uint32_t entry_num;
	const void *uptr;
};

/* Copies user data into dst (dst_size bytes, the model's struct), with the
 * iommufd rules: type != d->type → -EOPNOTSUPP; len < min_size → -EINVAL;
 * uptr NULL → -EFAULT; bytes past dst_size not zero → -E2BIG; a shorter
 * len zero-fills the rest of dst.  Returns 0 or the errno. */
int ims_user_data_get(const struct ims_user_data *d, uint32_t type, void *dst, size_t dst_size,
		      size_t min_size);
/* Copies min(d->len, src_size) bytes of an output struct back to the user. */
void ims_user_data_put(const struct ims_user_data *d, const void *src, size_t src_size);
/* Copies entry `index` of a user array into dst with the same rules
 * (type mismatch → -EINVAL, as HWPT_INVALIDATE wants). */
int ims_user_array_get(const struct ims_user_array *a, uint32_t type, uint32_t index, void *dst,
		       size_t dst_size, size_t min_size);

/* ---- DMA ------------------------------------------------------------------ */

/* ---- Core services a model calls -------------------------------------------- */

/* What the core gives a model instance at create. */
struct ims_model_env {
	struct ims_ctx *ctx;       /* for the ims_report_* calls */
	struct ims_mem *mem;       /* the machine's memory */
	struct ims_palloc *palloc; /* driver-side allocations (tables, queues) */
	struct ims_stats *stats;   /* counters the model may add to */
	uint64_t seed;             /* for any pseudo-random choice (replacement) */
};

/* One page request (PRI / stall) the hardware received. */
struct ims_iopf {
	uint32_t pasid; /* IMS_NO_PASID if the request had none */
	uint32_t grpid; /* page request group index */
	uint32_t perm;  /* IMS_PGFAULT_PERM_* */
	bool last;      /* last request of its group */
	uint64_t addr;
	uint32_t length; /* size hint, 0 if none */
};

/*
 * Delivers a page request to the FAULT queue of the HWPT attached to the
 * device's RID or PASID.  Requests without `last` wait until the last
 * request of their group (same pasid and grpid) arrives; the group is then
 * queued whole.  0 when accepted; -ENOENT when nothing is attached there;
 * -EOPNOTSUPP when that HWPT has no FAULT queue (the model then answers the
 * device INVALID itself, as hardware without a handler would); -ENOSPC when
 * the device has 1024 unfinished requests already; -ENOMEM; -EINVAL NULL
 * argument.  The response comes back through ops->page_response, once per
 * group, for the group's last request; groups still open when their
 * attachment goes away are answered INVALID by the core.
 */
int ims_report_iopf(struct ims_ctx *ctx, struct ims_device *dev, const struct ims_iopf *f);
/*
 * Queues a vEVENT of `type` (IMS_VEVENTQ_TYPE_*) with its payload on the
 * vIOMMU's queue of that type.  Every call takes the queue's next sequence
 * number; when the queue is full the event is dropped and a LOST_EVENTS
 * marker left for the reader (iommufd §2.20).  Report events of a device
 * only once it has a vDEVICE.  0 when queued or counted as lost; -ENOENT
 * when the vIOMMU has no queue of that type; -EINVAL for a NULL viommu, NULL
 * data with len > 0, or len above 4096.
 */
int ims_report_vevent(struct ims_ctx *ctx, struct ims_viommu *viommu, uint32_t type,
		      const void *data, size_t len);
/* HW queue ordering (Tegra VCMDQs, iommufd §2.21): records that `q` depends
 * on `dep`, so DESTROY of `dep` fails with -EBUSY while `q` exists.  Call
 * from hw_queue_alloc; the core drops the dependency when `q` is freed, also
 * when hw_queue_alloc fails afterwards.  One dependency per queue.  0, or
 * -EINVAL when the two queues belong to different vIOMMUs, are the same, or
 * q has a dependency already. */
int ims_hw_queue_depend(struct ims_ctx *ctx, struct ims_hw_queue *q, struct ims_hw_queue *dep);

/* One configuration key of a model, for `iommusim info` (ops->cfg_describe). */
struct ims_cfg_key {
	const char *key;    /* as `set KEY=VALUE` takes it */
	const char *def;    /* the default, as text */
	const char *unit;   /* "cycles", "entries", "" ... */
	const char *source; /* where the default comes from (spec, paper, "assumed: why") */
	const char *help;   /* one line: what it means */
};

/* Dirty bitmap being filled by read_and_clear_dirty. */
struct ims_dirty_bitmap;
/* Marks [iova, iova+len) dirty in the bitmap being returned to the user
 * (bits outside the user's range are ignored; bm NULL does nothing). */
void ims_dirty_record(struct ims_dirty_bitmap *bm, uint64_t iova, uint64_t len);

/* ---- The ops ---------------------------------------------------------------- */

struct ims_model_ops {
	const char *name; /* "vtd", "smmuv3", "amdvi" */

	/* -- configuration (optional) --
	 * cfg_size bytes hold the model's config; cfg_init fills defaults;
	 * cfg_set applies one `set KEY=VALUE` of a trace (0, -ENOENT unknown
	 * key, -EINVAL bad value, -ERANGE out of range; message in err). */
	size_t cfg_size;
	void (*cfg_init)(void *cfg);
	int (*cfg_set)(void *cfg, const char *key, const char *value, char *err, size_t errlen);

	/* -- instance --
	 * create: builds the hardware (registers at reset values, caches) and
	 * the host driver state, from cfg (NULL: defaults).  *inst is the
	 * model's handle for every later call.  destroy frees all of it; by
	 * then every device, domain and vIOMMU has been freed. */
	int (*create)(const struct ims_model_env *env, const void *cfg, void **inst);
	void (*destroy)(void *inst);
	unsigned (*num_units)(void *inst);

	/* -- registers (optional): the trace's mmio.read/write on a unit.
	 * width 4 or 8.  -EINVAL bad unit/offset/width. */
	int (*mmio_read)(void *inst, unsigned unit, uint64_t off, unsigned width, uint64_t *val);
	int (*mmio_write)(void *inst, unsigned unit, uint64_t off, unsigned width, uint64_t val);

	/* -- devices --
	 * dev_probe: a device is being bound.  Validate desc against the unit
	 * (-EINVAL), fill caps, return the model's device handle in *dev; keep
	 * cdev to report page requests.  The device starts blocked.
	 * dev_release: the device was unbound; everything was detached first. */
	int (*dev_probe)(void *inst, struct ims_device *cdev, const struct ims_dev_desc *desc,
			 struct ims_dev_caps *caps, void **dev);
	void (*dev_release)(void *inst, void *dev);
	/* hw_info (optional): vendor info of the device's IOMMU.  *type in:
	 * the requested IMS_HW_INFO_TYPE_* (DEFAULT = the model's own); out:
	 * the type written.  Writes at most `cap` bytes to buf, sets *len.
	 * -EOPNOTSUPP for a requested type it does not have. */
	int (*hw_info)(void *inst, void *dev, uint32_t *type, void *buf, size_t cap, size_t *len);

	/* -- paging domains (kernel-managed tables, filled from an IOAS) --
	 * domain_alloc_paging: flags are IMS_HWPT_ALLOC_NEST_PARENT,
	 * DIRTY_TRACKING, PASID.  `dev` is the device it is made for (its
	 * unit decides the format).  -EOPNOTSUPP for a flag the hardware
	 * cannot honour.  Fill info.  The domain starts empty. */
	int (*domain_alloc_paging)(void *inst, void *dev, uint32_t flags,
				   struct ims_domain_info *info, void **dom);
	/* Frees a paging or nested domain; it is attached nowhere, and a
	 * paging domain has been unmapped completely. */
	void (*domain_free)(void *inst, void *dom);
	/* Maps [iova, iova+len) to [pa, pa+len) with IMS_PROT_* (and
	 * IMS_MAP_SMALL_PAGES).  iova, pa and len are multiples of the
	 * domain's smallest page; the range is unmapped in the domain and
	 * inside its aperture.  All or nothing.  Write the table entries; a
	 * model whose hardware caches not-present entries (VT-d CM=1)
	 * flushes here. */
	int (*map)(void *inst, void *dom, uint64_t iova, uint64_t pa, uint64_t len, unsigned prot);
	/* Unmaps [iova, iova+len), which covers whole earlier map calls.
	 * Sets *unmapped to the bytes removed.  Caches are flushed by the
	 * iotlb_sync that follows, not here. */
	int (*unmap)(void *inst, void *dom, uint64_t iova, uint64_t len, uint64_t *unmapped);
	/* Flushes IOTLBs (and ATCs) for a range just unmapped: post the
	 * invalidation commands and wait for them, as the driver would. */
	void (*iotlb_sync)(void *inst, void *dom, uint64_t iova, uint64_t len);
	/* Dirty tracking (optional; only when info.dirty_ops). */
	int (*set_dirty_tracking)(void *inst, void *dom, bool enable);
	/* Calls ims_dirty_record for every dirty page in [iova, iova+len) and,
	 * unless IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR is in flags, clears the
	 * dirty state and flushes what must be flushed.  bm is NULL when the
	 * core only clears (before enabling tracking). */
	int (*read_and_clear_dirty)(void *inst, void *dom, uint64_t iova, uint64_t len,
				    unsigned flags, struct ims_dirty_bitmap *bm);

	/* -- nested domains (user-managed stage 1) --
	 * Exactly one of parent (Intel style, a NEST_PARENT paging domain) and
	 * viommu (SMMUv3, AMD) is non-NULL.  flags: IMS_HWPT_FAULT_ID_VALID,
	 * IMS_HWPT_ALLOC_PASID.  data holds the vendor struct; validate it per
	 * the vendor rules (iommufd §2.11).  info.pgsize_bitmap may be 0. */
	int (*domain_alloc_nested)(void *inst, void *dev, void *parent, void *viommu,
				   uint32_t flags, const struct ims_user_data *data,
				   struct ims_domain_info *info, void **dom);
	/* Guest invalidation on a nested domain (optional).  Process entries
	 * in order (ims_user_array_get), stop at the first failure and return
	 * its errno; *done = entries completed, always. */
	int (*domain_invalidate_user)(void *inst, void *dom, const struct ims_user_array *a,
				      uint32_t *done);

	/* -- attachment --
	 * Makes the device's RID (pasid == IMS_NO_PASID) or PASID translate
	 * through `dom`, or blocks its DMA when dom is NULL.  `old` is what is
	 * attached now (NULL: blocked).  dom != NULL && old != NULL is a
	 * replace: it must be atomic (no window of blocked DMA), and on failure
	 * old stays attached.  Blocking (dom == NULL) never fails.  Vendor
	 * refusals: -EINVAL (incompatible domain), -EBUSY (SMMUv3 nested with
	 * SSIDs in use), -ENOENT (SMMUv3 translating vSTE without vDEVICE),
	 * -EOPNOTSUPP.  The core has checked the generic rules of iommufd §3.
	 * The core calls this for every device of an iommu_group (same unit and
	 * group_id) when the group's attachment at that PASID changes, and for
	 * a device that joins or leaves a group that is attached; PASIDs only
	 * for devices whose PASID width covers them. */
	int (*attach)(void *inst, void *dev, uint32_t pasid, void *dom, void *old);
	/* A response to a page request group (IMS_PAGE_RESP_*), from the user
	 * or automatic (INVALID) on detach / FAULT destroy.  Send the PRG
	 * response (VT-d page group response, SMMUv3 CMD_RESUME/PRI_RESP, AMD
	 * COMPLETE_PPR_REQUEST). */
	int (*page_response)(void *inst, void *dev, uint32_t pasid, uint32_t grpid, uint32_t code);

	/* -- vIOMMU (optional) --
	 * A slice of the device's physical IOMMU for one VM, on the stage-2
	 * domain `parent` (NEST_PARENT).  type IMS_VIOMMU_TYPE_*; data may be
	 * empty (len 0) and may carry outputs.  Keep cviommu for
	 * ims_report_vevent.  -EOPNOTSUPP for a type this unit lacks. */
	int (*viommu_alloc)(void *inst, struct ims_viommu *cviommu, void *dev, void *parent,
			    uint32_t type, const struct ims_user_data *data, void **viommu);
	void (*viommu_free)(void *inst, void *viommu);
	/* Guest invalidations through the vIOMMU (SMMUv3 raw commands). */
	int (*viommu_invalidate_user)(void *inst, void *viommu, const struct ims_user_array *a,
				      uint32_t *done);
	/* IMS_OPTION_VIOMMU get/set (AMD control bits). */
	int (*viommu_option)(void *inst, void *viommu, unsigned op, uint64_t *val);
	/* The vIOMMU's MMIO page the guest reaches directly (Tegra VINTF page0,
	 * AMD VF-MMIO page). */
	int (*viommu_mmio_read)(void *inst, void *viommu, uint64_t off, unsigned width,
				uint64_t *val);
	int (*viommu_mmio_write)(void *inst, void *viommu, uint64_t off, unsigned width,
				 uint64_t val);
	/* A device's identity in the guest (vSID, gDevID, vRID).  The core has
	 * checked uniqueness and the unit.  Program SID-replacement / DeviceID
	 * maps here.  Events for a device are only reported once it has one. */
	int (*vdevice_alloc)(void *inst, void *viommu, void *dev, uint64_t virt_id,
			     void **vdev);
	void (*vdevice_free)(void *inst, void *vdev);
	/* A guest ring handed to hardware.  base_pa is the host physical
	 * address of the pinned, contiguous ring (the core translated the
	 * guest address through stage 2).  -EOPNOTSUPP unknown type; -EINVAL
	 * index order / size / alignment; -EEXIST index in use.  Declare
	 * ordering with ims_hw_queue_depend. */
	int (*hw_queue_alloc)(void *inst, struct ims_hw_queue *cq, void *viommu, uint32_t type,
			      uint32_t index, uint64_t base_pa, uint64_t length, void **q);
	void (*hw_queue_free)(void *inst, void *q);

	/* -- DMA --
	 * One device access as the hardware receives it, routed by (unit,
	 * sid, pasid) whether or not the device is bound: context/STE/DTE
	 * fetch, walks, caches, faults and page requests all happen here.
	 * Returns 0 with *res filled (translated or faulted), or -EINVAL for a
	 * request the bus could not carry (bad unit, crossing a 4 KiB page).
	 * len 0 is a zero-length read (VT-d ZLR); a model without such a
	 * notion may refuse it with -EINVAL. */
	int (*dma)(void *inst, const struct ims_dma_req *req, struct ims_dma_result *res);

	/* -- observation (optional): replay summaries, the trace's `check`,
	 * `iommusim info` and `iommusim walk`.  None of them changes state.
	 * stats: reports the counters of one unit (unit < num_units), each
	 * through one put() call, in the same order every time.  Names every
	 * model uses for the same thing (what replay's summary reads):
	 *   iotlb.hits, iotlb.misses        final-translation cache, per request
	 *   walk_cache.hits, .misses         paging-structure caches, all stages
	 *   config_cache.hits, .misses       context/PASID, STE/CD or DTE caches
	 *   walks, walk.reads, config.reads  table walks; entries they read;
	 *                                    configuration structure fetches
	 *   faults.recorded                  fault/event records written
	 *   inval.KIND, inval.KIND.cycles    invalidation commands of one kind
	 *                                    (the vendor's command name) and the
	 *                                    cycles they took
	 *   clock.mhz                        the unit's clock (cycles to ns)
	 * Anything else is prefixed with the model's name ("vtd.iq.errors").
	 * fault_name: the spec's name of one of the model's fault codes (the
	 * `fault` of struct ims_dma_result), or NULL when it has none.
	 * cfg_describe: calls put() once per key cfg_set accepts, stable order;
	 * the strings live until put() returns. */
	void (*stats)(void *inst, unsigned unit,
		      void (*put)(void *arg, const char *name, uint64_t value), void *arg);
	const char *(*fault_name)(uint32_t code);
	void (*cfg_describe)(void (*put)(void *arg, const struct ims_cfg_key *key), void *arg);
};

#endif
