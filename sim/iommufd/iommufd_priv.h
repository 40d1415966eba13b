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

/* OPTION HUGE_PAGES, in ioas.c (ims_cmd_option dispatches). */
int ims_ioas_option(struct ims_ucmd *ucmd);

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

#endif
