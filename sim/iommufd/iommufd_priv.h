/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/iommufd_priv.h — the object machinery shared by every object
 * kind (the role of Linux's iommufd_private.h).
 *
 * Lifetime rules live here and nowhere else (iommufd §0, §1):
 *   - IDs come from a table indexed by ID, lowest free ID first, from 1.
 *   - Creation is two-phase: ims_obj_alloc reserves an ID (invisible to
 *     lookups), the kind initialises the object, then ims_obj_finalize
 *     publishes it — or ims_obj_abort undoes everything.
 *   - obj->users counts long-term references.  The table's own reference
 *     is 1; every object (or external owner) that refers to this one adds 1
 *     with ims_obj_get and drops it with ims_obj_put.  IMS_CMD_DESTROY and
 *     ims_obj_remove succeed only when users == 1.
 *   - A removed object may leave a tombstone: its ID answers -ENOENT and is
 *     not reused until the context is freed (vDEVICE after device unbind).
 *   - ims_ctx_free destroys every object whose users == 1, repeatedly, so
 *     leaves go first.
 * The simulator is single-threaded, so there are no short-term (in-ioctl)
 * references: a pointer from ims_obj_find stays valid until the command
 * returns, unless the command itself removes the object.
 */
#ifndef IMS_IOMMUFD_PRIV_H
#define IMS_IOMMUFD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommusim/iommusim.h"
#include "sim/iommufd/itree.h"
#include "sim/iommufd/list.h"
#include "sim/mem.h"
#include "sim/palloc.h"

#define IMS_PAGE_SIZE 4096ull
/* Largest automatic IOVA alignment: the host's transparent huge page size
 * (iommufd §2.5; TRACE-FORMAT says the simulated host has THP). */
#define IMS_HUGE_PAGE_SIZE (2ull << 20)
/* IDs are 31-bit, as the kernel's xa_limit_31b. */
#define IMS_MAX_OBJ_ID 0x7fffffffu

/* ---- objects --------------------------------------------------------------------- */

enum ims_obj_type {
	IMS_OBJ_NONE = 0,
	IMS_OBJ_ANY, /* lookup wildcard (DESTROY) */
	IMS_OBJ_IOAS,
	IMS_OBJ_DEVICE,
	IMS_OBJ_HWPT_PAGING,
	IMS_OBJ_HWPT_NESTED,
	IMS_OBJ_FAULT,
	IMS_OBJ_VIOMMU,
	IMS_OBJ_VDEVICE,
	IMS_OBJ_VEVENTQ,
	IMS_OBJ_HW_QUEUE,
	IMS_OBJ_ACCESS,
	IMS_OBJ_NTYPES
};

struct ims_obj;

/* What an object kind tells the core (one static instance per kind). */
struct ims_obj_ops {
	const char *name; /* "IOAS", "HWPT_PAGING", ... for messages */
	/* Releases everything the object holds: references on other objects
	 * (ims_obj_put), model state, memory it allocated.  The core frees the
	 * object itself afterwards.  Must also cope with an object that was
	 * only partly initialised when `abort` is NULL. */
	void (*destroy)(struct ims_ctx *ctx, struct ims_obj *obj);
	/* Optional: undoes a creation that never reached ims_obj_finalize
	 * (default: destroy). */
	void (*abort)(struct ims_ctx *ctx, struct ims_obj *obj);
	/* Optional: called by ims_ctx_free when no object with users == 1 is
	 * left, to drop a reference held by an owner outside the object graph
	 * (the binding driver of a DEVICE).  Must be idempotent. */
	void (*teardown_release)(struct ims_ctx *ctx, struct ims_obj *obj);
};

/* Embed first in every object struct. */
struct ims_obj {
	const struct ims_obj_ops *ops;
	enum ims_obj_type type;
	uint32_t id;
	uint32_t users; /* 1 = only the table refers to it */
	bool live;      /* finalized (visible to lookups) */
};

enum ims_slot_state {
	IMS_SLOT_FREE = 0,
	IMS_SLOT_RESERVED, /* two-phase creation in progress */
	IMS_SLOT_LIVE,
	IMS_SLOT_TOMBSTONE,
};

struct ims_slot {
	struct ims_obj *obj;
	uint8_t state;
};

struct ims_ctx {
	struct ims_mem *mem;
	struct ims_palloc palloc;
	struct ims_stats *stats;
	const struct ims_model_ops *model;
	void *model_inst;
	uint64_t seed;

	/* Object table: slots[id], slot 0 unused. */
	struct ims_slot *slots;
	uint32_t nslots;      /* entries allocated in slots[] */
	uint32_t lowest_free; /* no FREE slot below this ID */
	uint32_t nused;       /* slots not FREE */
	uint32_t nlive;

	uint32_t account_mode; /* OPTION RLIMIT_MODE: 0 user, 1 process */
	uint32_t vfio_ioas_id; /* IMS_CMD_VFIO_IOAS; 0 = none */
	bool tearing_down;
	/* Unexpected failures of model ops the core cannot report to anyone
	 * (unmap during destroy...).  Tests assert it stays 0. */
	uint32_t internal_errors;
	char errmsg[192];
};

/*
 * Reserves an ID and allocates a zeroed object of `size` bytes (a struct
 * whose first member is struct ims_obj) with users = 1.  Returns NULL and
 * sets *err to -ENOMEM, or -EBUSY when every 31-bit ID is in use.
 */
void *ims_obj_alloc(struct ims_ctx *ctx, size_t size, enum ims_obj_type type,
		    const struct ims_obj_ops *ops, int *err);
/* Publishes a reserved object: lookups find it from now on. */
void ims_obj_finalize(struct ims_ctx *ctx, struct ims_obj *obj);
/* Undoes ims_obj_alloc (calls ops->abort, else ops->destroy), frees the ID. */
void ims_obj_abort(struct ims_ctx *ctx, struct ims_obj *obj);
/* The live object `id` of `type` (IMS_OBJ_ANY: any type), else NULL. */
struct ims_obj *ims_obj_find(struct ims_ctx *ctx, uint32_t id, enum ims_obj_type type);
static inline void ims_obj_get(struct ims_obj *obj)
{
	obj->users++;
}
static inline void ims_obj_put(struct ims_obj *obj)
{
	obj->users--;
}

#define IMS_REMOVE_TOMBSTONE 0x1u /* keep the ID as a tombstone */
/* Destroys a live object that nothing else refers to: -EBUSY when
 * users != 1 (nothing changes), else calls ops->destroy, frees it and
 * releases (or tombstones) the ID; 0. */
int ims_obj_remove(struct ims_ctx *ctx, struct ims_obj *obj, unsigned flags);
/* Drops one reference and destroys the object if only the table's is
 * left (automatic HWPTs when their last device detaches).  Returns true
 * when it was destroyed. */
bool ims_obj_put_and_try_destroy(struct ims_ctx *ctx, struct ims_obj *obj);

/* Records a human message for ims_ctx_errmsg and returns rc (a -errno). */
int ims_err(struct ims_ctx *ctx, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- commands -------------------------------------------------------------------- */

/* One command being executed. */
struct ims_ucmd {
	struct ims_ctx *ctx;
	void *ubuf;         /* the caller's struct */
	uint32_t user_size; /* its size field */
	void *cmd;          /* the simulator's copy, zero-extended to its size */
};

/* Copies the command struct (ksize bytes: the simulator's sizeof) back to the
 * caller, at most user_size bytes.  Returns 0. */
int ims_ucmd_respond(struct ims_ucmd *ucmd, size_t ksize);

/* Handlers, one per command (`cmd` already size-checked and copied). */
int ims_cmd_destroy(struct ims_ucmd *ucmd);
int ims_cmd_option(struct ims_ucmd *ucmd);
int ims_cmd_ioas_alloc(struct ims_ucmd *ucmd);
int ims_cmd_ioas_allow_iovas(struct ims_ucmd *ucmd);
int ims_cmd_ioas_copy(struct ims_ucmd *ucmd);
int ims_cmd_ioas_iova_ranges(struct ims_ucmd *ucmd);
int ims_cmd_ioas_map(struct ims_ucmd *ucmd);
int ims_cmd_ioas_map_file(struct ims_ucmd *ucmd);
int ims_cmd_ioas_unmap(struct ims_ucmd *ucmd);
int ims_cmd_ioas_change_process(struct ims_ucmd *ucmd);
int ims_cmd_ioas_reserve(struct ims_ucmd *ucmd);
int ims_cmd_vfio_ioas(struct ims_ucmd *ucmd);
int ims_cmd_hwpt_alloc(struct ims_ucmd *ucmd);
int ims_cmd_get_hw_info(struct ims_ucmd *ucmd);
int ims_cmd_hwpt_set_dirty_tracking(struct ims_ucmd *ucmd);
int ims_cmd_hwpt_get_dirty_bitmap(struct ims_ucmd *ucmd);
int ims_cmd_hwpt_invalidate(struct ims_ucmd *ucmd);
int ims_cmd_fault_queue_alloc(struct ims_ucmd *ucmd);
int ims_cmd_viommu_alloc(struct ims_ucmd *ucmd);
int ims_cmd_vdevice_alloc(struct ims_ucmd *ucmd);
int ims_cmd_veventq_alloc(struct ims_ucmd *ucmd);
int ims_cmd_hw_queue_alloc(struct ims_ucmd *ucmd);
int ims_cmd_device_bind(struct ims_ucmd *ucmd);
int ims_cmd_device_unbind(struct ims_ucmd *ucmd);
int ims_cmd_device_attach(struct ims_ucmd *ucmd);
int ims_cmd_device_replace(struct ims_ucmd *ucmd);
int ims_cmd_device_detach(struct ims_ucmd *ucmd);

/* OPTION HUGE_PAGES, in ioas.c, and OPTION VIOMMU, in viommu.c
 * (ims_cmd_option dispatches). */
int ims_ioas_option(struct ims_ucmd *ucmd);
int ims_viommu_option(struct ims_ucmd *ucmd);

/* ---- IOAS ------------------------------------------------------------------------ */

#include "sim/iommufd/io_pagetable.h"

struct ims_ioas {
	struct ims_obj obj;
	struct ims_iopt iopt;
	/* HWPT_PAGINGs filled from this IOAS (automatic and manual); hwpt.c
	 * links them here. */
	struct ims_list hwpt_list;
};

/* The IOAS `id`, or NULL. */
static inline struct ims_ioas *ims_ioas_find(struct ims_ctx *ctx, uint32_t id)
{
	struct ims_obj *o = ims_obj_find(ctx, id, IMS_OBJ_IOAS);
	return o ? IMS_CONTAINER_OF(o, struct ims_ioas, obj) : NULL;
}

/* ---- HWPT (hw_pagetable.c) -------------------------------------------------------- */

struct ims_fault;
struct ims_viommu;

/* What every HWPT has: the model's domain and where its page faults go. */
struct ims_hwpt {
	struct ims_obj obj;
	void *dom;                   /* the model's domain; NULL until allocated */
	struct ims_domain_info info;
	struct ims_fault *fault;     /* FAULT_ID_VALID: holds a reference */
	bool pasid_compat;           /* IMS_HWPT_ALLOC_PASID (iommufd §3.7) */
};

/* A kernel-managed table mirroring one IOAS (automatic or manual). */
struct ims_hwpt_paging {
	struct ims_hwpt common;
	struct ims_ioas *ioas;          /* holds a reference */
	struct ims_iopt_domain idom;    /* the domain as the io_pagetable sees it */
	struct ims_list ioas_item;      /* in ioas->hwpt_list */
	bool in_iopt;                   /* idom was added to ioas->iopt */
	bool auto_domain;               /* made by attach to an IOAS (§3.6) */
	bool nest_parent;               /* IMS_HWPT_ALLOC_NEST_PARENT */
	bool enforce_dirty;             /* IMS_HWPT_ALLOC_DIRTY_TRACKING */
};

/* Largest vendor struct kept for the oracle (AMD guest DTE: 32 bytes). */
#define IMS_HWPT_DATA_MAX 64

/* A user-managed stage 1 on a NEST_PARENT stage 2. */
struct ims_hwpt_nested {
	struct ims_hwpt common;
	struct ims_hwpt_paging *parent; /* stage 2; a reference only when viommu is NULL */
	struct ims_viommu *viommu;      /* pt_id was a vIOMMU: holds a reference */
	uint32_t data_type;             /* IMS_HWPT_DATA_* (or a model's own) */
	uint32_t data_len;              /* bytes kept in data[] */
	uint8_t data[IMS_HWPT_DATA_MAX]; /* the vendor struct as the user gave it */
};

static inline struct ims_hwpt *ims_hwpt_of(struct ims_obj *o)
{
	return IMS_CONTAINER_OF(o, struct ims_hwpt, obj);
}
static inline bool ims_hwpt_is_paging(const struct ims_hwpt *h)
{
	return h->obj.type == IMS_OBJ_HWPT_PAGING;
}
static inline struct ims_hwpt_paging *ims_to_hwpt_paging(struct ims_hwpt *h)
{
	return IMS_CONTAINER_OF(h, struct ims_hwpt_paging, common);
}
static inline struct ims_hwpt_nested *ims_to_hwpt_nested(struct ims_hwpt *h)
{
	return IMS_CONTAINER_OF(h, struct ims_hwpt_nested, common);
}
/* The paging HWPT `id`, or NULL. */
static inline struct ims_hwpt_paging *ims_hwpt_paging_find(struct ims_ctx *ctx, uint32_t id)
{
	struct ims_obj *o = ims_obj_find(ctx, id, IMS_OBJ_HWPT_PAGING);
	return o ? ims_to_hwpt_paging(ims_hwpt_of(o)) : NULL;
}
/* The stage 2 a HWPT translates through: itself, or a nested one's parent. */
static inline struct ims_hwpt_paging *ims_hwpt_stage2(struct ims_hwpt *h)
{
	return ims_hwpt_is_paging(h) ? ims_to_hwpt_paging(h) : ims_to_hwpt_nested(h)->parent;
}

struct ims_device;
/*
 * Creates a paging HWPT on `ioas` for `idev` (kernel iommufd_hwpt_paging_alloc):
 * checks flags (-EOPNOTSUPP), allocates the model domain and fills it from the
 * IOAS (-EINVAL/-EADDRINUSE/-EFAULT from ims_iopt_add_domain).  The object is
 * reserved but not finalized; the caller finalizes or aborts it.
 */
int ims_hwpt_paging_alloc(struct ims_ctx *ctx, struct ims_ioas *ioas, struct ims_device *idev,
			  uint32_t flags, bool auto_domain, struct ims_hwpt_paging **out);
/* Drops one attachment's reference; an automatic HWPT dies with its last
 * device (kernel iommufd_hw_pagetable_put). */
void ims_hwpt_put(struct ims_ctx *ctx, struct ims_hwpt *hwpt);

/* ---- devices and groups (device.c) -------------------------------------------------- */

/* A PASID (or the RID) of an iommu_group: one HWPT for every device of the
 * group there (iommufd §3.5). */
struct ims_group_attach {
	struct ims_list link;    /* in group->attaches */
	uint32_t pasid;          /* IMS_NO_PASID: the RID */
	struct ims_hwpt *hwpt;
	struct ims_list handles; /* struct ims_dev_attach of the devices attached */
	uint32_t nhandles;       /* each holds a reference on hwpt */
};

/* Devices on one unit with one group_id. */
struct ims_group {
	uint32_t unit, group_id;
	struct ims_list devices;  /* bound struct ims_device */
	struct ims_list attaches; /* struct ims_group_attach */
};

/* One device's own attachment of a RID or PASID (what ATTACH created). */
struct ims_dev_attach {
	struct ims_list dev_item;   /* in idev->attaches */
	struct ims_list group_item; /* in ga->handles */
	struct ims_device *idev;
	struct ims_group_attach *ga;
	struct ims_ioas *resv_ioas; /* RID on a paging HWPT: the IOAS holding this
				       device's reserved regions (owner: this) */
};

/* What the model was told a (device, PASID) translates through. */
struct ims_hw_slot {
	uint32_t pasid;
	struct ims_hwpt *hwpt;
};

struct ims_vdevice;

struct ims_device {
	struct ims_obj obj;
	void *mdev;                 /* the model's device; NULL until probed */
	struct ims_dev_desc desc;
	struct ims_dev_caps caps;
	struct ims_group *group;    /* NULL until joined */
	struct ims_list group_item; /* in group->devices */
	struct ims_list attaches;   /* struct ims_dev_attach */
	struct ims_hw_slot *hw;     /* hardware attachments, nhw of them */
	uint32_t nhw, caphw;
	struct ims_vdevice *vdev;   /* at most one (iommufd §2.18) */
	struct ims_iopf *partial;   /* page requests of unfinished groups */
	uint32_t npartial, cappartial;
	bool driver_ref;            /* the binding driver's reference is held */
	bool destroying;            /* being unbound */
};

static inline struct ims_device *ims_device_find(struct ims_ctx *ctx, uint32_t id)
{
	struct ims_obj *o = ims_obj_find(ctx, id, IMS_OBJ_DEVICE);
	return o ? IMS_CONTAINER_OF(o, struct ims_device, obj) : NULL;
}
/* The HWPT the hardware translates (device, pasid) through, or NULL. */
struct ims_hwpt *ims_device_hw_hwpt(const struct ims_device *idev, uint32_t pasid);

/* ---- FAULT (fault.c) ----------------------------------------------------------------- */

struct ims_fault {
	struct ims_obj obj;
	struct ims_list deliver;  /* struct ims_fault_group not read yet */
	struct ims_list response; /* read, waiting for the user's response */
	uint32_t ngroups;
};

static inline struct ims_fault *ims_fault_find(struct ims_ctx *ctx, uint32_t id)
{
	struct ims_obj *o = ims_obj_find(ctx, id, IMS_OBJ_FAULT);
	return o ? IMS_CONTAINER_OF(o, struct ims_fault, obj) : NULL;
}
/* Answers INVALID (and forgets) every group in `fault` that came from
 * (pasid, hwpt) of a device in `group` (group-level detach or replace). */
void ims_fault_auto_respond(struct ims_ctx *ctx, struct ims_fault *fault,
			    const struct ims_group *group, uint32_t pasid,
			    const struct ims_hwpt *hwpt);
/* Answers INVALID to every group from idev, in every queue its hardware
 * attachments lead to, and drops its partial page requests (unbind). */
void ims_fault_forget_device(struct ims_ctx *ctx, struct ims_device *idev);

/* ---- vIOMMU, vDEVICE, HW queue (viommu.c), vEVENTQ (eventq.c) ------------------------ */

struct ims_viommu {
	struct ims_obj obj;
	void *mv;                      /* the model's vIOMMU; NULL until allocated */
	struct ims_hwpt_paging *hwpt;  /* NEST_PARENT stage 2: holds a reference */
	uint32_t unit, type;
	struct ims_list vdevs;         /* struct ims_vdevice */
	struct ims_list veventqs;      /* struct ims_veventq */
	struct ims_list hw_queues;     /* struct ims_hw_queue */
};

struct ims_vdevice {
	struct ims_obj obj;
	struct ims_list item;          /* in viommu->vdevs */
	struct ims_viommu *viommu;     /* holds a reference */
	struct ims_device *idev;       /* not counted (iommufd §1 tombstones) */
	uint64_t virt_id;
	void *mvdev;
};

struct ims_hw_queue {
	struct ims_obj obj;
	struct ims_list item;          /* in viommu->hw_queues */
	struct ims_viommu *viommu;     /* holds a reference */
	uint32_t type, index;
	void *mq;
	struct ims_iopt_pin pin;       /* the ring's pages in the parent IOAS */
	bool pinned;
	struct ims_hw_queue *dep;      /* ims_hw_queue_depend: holds a reference */
};

struct ims_veventq {
	struct ims_obj obj;
	struct ims_list item;          /* in viommu->veventqs */
	struct ims_viommu *viommu;     /* holds a reference */
	uint32_t type, depth;
	uint32_t num_events;           /* real events queued (not the marker) */
	uint32_t sequence;             /* of the next event produced */
	struct ims_list deliver;       /* struct ims_vevent, oldest first */
	/* The LOST_EVENTS marker: when set, it stands after every queued event
	 * with the sequence number of the last dropped one (iommufd §2.20). */
	bool lost_queued;
	uint32_t lost_sequence;
};

static inline struct ims_viommu *ims_viommu_find(struct ims_ctx *ctx, uint32_t id)
{
	struct ims_obj *o = ims_obj_find(ctx, id, IMS_OBJ_VIOMMU);
	return o ? IMS_CONTAINER_OF(o, struct ims_viommu, obj) : NULL;
}

#endif
