/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/device — DEVICE objects, iommu_groups and attachment of a
 * device's RID or PASIDs to HWPTs (iommufd §2.12, §2.22, §3.5-3.7; the
 * kernel's drivers/iommu/iommufd/device.c and the VFIO cdev ioctls that
 * IMS_CMD_DEVICE_* replace).
 *
 * Three layers of bookkeeping, as in the kernel:
 *   - struct ims_dev_attach: what one device attached itself (ATTACH made
 *     it, DETACH undoes it).  It holds a reference on the HWPT and, for the
 *     RID on a paging HWPT, the device's reserved regions in that IOAS.
 *   - struct ims_group_attach: per iommu_group and PASID, the one HWPT every
 *     device of the group uses there (§3.5).  The first device's ATTACH
 *     switches the hardware of the whole group, the last one's DETACH blocks
 *     it again.
 *   - struct ims_hw_slot: per device, what the model was told.  The oracle
 *     and page-request routing read this, so they see exactly what the
 *     hardware was programmed with.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"

#define MAX_PASID_BITS 20 /* PCIe PASID width */

static struct ims_dev_attach *to_handle_dev(struct ims_list *l)
{
	return IMS_CONTAINER_OF(l, struct ims_dev_attach, dev_item);
}
static struct ims_dev_attach *to_handle_group(struct ims_list *l)
{
	return IMS_CONTAINER_OF(l, struct ims_dev_attach, group_item);
}
static struct ims_group_attach *to_ga(struct ims_list *l)
{
	return IMS_CONTAINER_OF(l, struct ims_group_attach, link);
}
static struct ims_device *to_group_dev(struct ims_list *l)
{
	return IMS_CONTAINER_OF(l, struct ims_device, group_item);
}

/* ---- hardware slots ------------------------------------------------------------- */

static int hw_index(const struct ims_device *idev, uint32_t pasid)
{
	for (uint32_t i = 0; i < idev->nhw; i++)
		if (idev->hw[i].pasid == pasid)
			return (int)i;
	return -1;
}

struct ims_hwpt *ims_device_hw_hwpt(const struct ims_device *idev, uint32_t pasid)
{
	int i = hw_index(idev, pasid);

	return i < 0 ? NULL : idev->hw[i].hwpt;
}

/* Tells the model that (idev, pasid) now translates through `to` (NULL:
 * blocked) instead of `from`, and records it. */
static int hw_set(struct ims_ctx *ctx, struct ims_device *idev, uint32_t pasid,
		  struct ims_hwpt *to, struct ims_hwpt *from)
{
	int i = hw_index(idev, pasid);
	int rc;

	rc = ctx->model->attach(ctx->model_inst, idev->mdev, pasid, to ? to->dom : NULL,
				from ? from->dom : NULL);
	if (rc) {
		if (!to) {
			/* Blocking never fails (model.h); forget it anyway. */
			ctx->internal_errors++;
		} else {
			return rc;
		}
	}
	if (to && i >= 0) {
		idev->hw[i].hwpt = to;
	} else if (to) {
		if (idev->nhw == idev->caphw) {
			uint32_t cap = idev->caphw ? idev->caphw * 2 : 4;
			struct ims_hw_slot *v = realloc(idev->hw, cap * sizeof(*v));

			if (!v) {
				/* Undo in the model what we cannot record. */
				ctx->model->attach(ctx->model_inst, idev->mdev, pasid,
						   from ? from->dom : NULL, to->dom);
				return -ENOMEM;
			}
			idev->hw = v;
			idev->caphw = cap;
		}
		idev->hw[idev->nhw].pasid = pasid;
		idev->hw[idev->nhw].hwpt = to;
		idev->nhw++;
	} else if (i >= 0) {
		idev->hw[i] = idev->hw[--idev->nhw];
	}
	return 0;
}

/* Whether a device takes part in a group's attachment at `pasid`: every
 * device for the RID, PASID-capable ones wide enough for a PASID (the
 * kernel's __iommu_set_group_pasid skips devices without PASIDs). */
static bool pasid_in_range(const struct ims_device *idev, uint32_t pasid)
{
	return pasid == IMS_NO_PASID ||
	       (idev->caps.max_pasid_log2 && pasid < (1u << idev->caps.max_pasid_log2));
}

/* Moves every device of the group that the hardware has on `from` at
 * `pasid` to `to`; all or nothing. */
static int group_hw_set(struct ims_ctx *ctx, struct ims_group *group, uint32_t pasid,
			struct ims_hwpt *to, struct ims_hwpt *from)
{
	struct ims_list *pos, *nxt, *undo;
	int rc;

	ims_list_for_each_safe(pos, nxt, &group->devices) {
		struct ims_device *d = to_group_dev(pos);

		if (!pasid_in_range(d, pasid) || ims_device_hw_hwpt(d, pasid) != from)
			continue;
		rc = hw_set(ctx, d, pasid, to, from);
		if (rc) {
			for (undo = group->devices.next; undo != pos; undo = undo->next) {
				struct ims_device *u = to_group_dev(undo);

				if (pasid_in_range(u, pasid) && ims_device_hw_hwpt(u, pasid) == to &&
				    hw_set(ctx, u, pasid, from, to))
					ctx->internal_errors++;
			}
			return rc;
		}
	}
	return 0;
}

/* ---- groups ----------------------------------------------------------------------- */

static struct ims_group_attach *ga_find(struct ims_group *group, uint32_t pasid)
{
	struct ims_list *pos, *nxt;

	ims_list_for_each_safe(pos, nxt, &group->attaches)
		if (to_ga(pos)->pasid == pasid)
			return to_ga(pos);
	return NULL;
}

static struct ims_dev_attach *handle_find(struct ims_device *idev, uint32_t pasid)
{
	struct ims_list *pos, *nxt;

	ims_list_for_each_safe(pos, nxt, &idev->attaches)
		if (to_handle_dev(pos)->ga->pasid == pasid)
			return to_handle_dev(pos);
	return NULL;
}

/* The group of another bound device with the same (unit, group_id), or a
 * new one. */
static struct ims_group *group_get(struct ims_ctx *ctx, uint32_t unit, uint32_t group_id)
{
	struct ims_group *g;

	for (uint32_t id = 1; id < ctx->nslots; id++) {
		struct ims_device *d = ims_device_find(ctx, id);

		if (d && d->group && d->group->unit == unit && d->group->group_id == group_id)
			return d->group;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->unit = unit;
	g->group_id = group_id;
	ims_list_init(&g->devices);
	ims_list_init(&g->attaches);
	return g;
}

/* Joins the group: the hardware follows what the group is attached to. */
static int group_join(struct ims_ctx *ctx, struct ims_device *idev)
{
	struct ims_group *g = group_get(ctx, idev->desc.unit, idev->caps.group_id);
	struct ims_list *pos, *nxt, *undo;
	int rc;

	if (!g)
		return -ENOMEM;
	ims_list_for_each_safe(pos, nxt, &g->attaches) {
		struct ims_group_attach *ga = to_ga(pos);

		if (!pasid_in_range(idev, ga->pasid))
			continue;
		rc = hw_set(ctx, idev, ga->pasid, ga->hwpt, NULL);
		if (rc) {
			for (undo = g->attaches.next; undo != pos; undo = undo->next)
				if (pasid_in_range(idev, to_ga(undo)->pasid))
					hw_set(ctx, idev, to_ga(undo)->pasid, NULL, to_ga(undo)->hwpt);
			if (ims_list_empty(&g->devices))
				free(g);
			return ims_err(ctx, rc, "DEVICE_BIND: the model refused to join the group's "
				       "attachment at pasid 0x%x", ga->pasid);
		}
	}
	ims_list_add_tail(&g->devices, &idev->group_item);
	idev->group = g;
	return 0;
}

static void group_leave(struct ims_ctx *ctx, struct ims_device *idev)
{
	struct ims_group *g = idev->group;

	/* Peers may still hold attachments the hardware follows: block them
	 * before the model releases the device (model.h dev_release). */
	while (idev->nhw) {
		struct ims_hw_slot s = idev->hw[idev->nhw - 1];

		hw_set(ctx, idev, s.pasid, NULL, s.hwpt);
	}
	ims_list_del(&idev->group_item);
	idev->group = NULL;
	if (ims_list_empty(&g->devices)) {
		if (!ims_list_empty(&g->attaches))
			ctx->internal_errors++;
		free(g);
	}
}

/* ---- reserved regions (kernel iommufd_device_attach_reserved_iova) --------------- */

/* Reserves the device's reserved regions and the complement of its aperture in
 * the IOAS, owned by the handle; all or nothing.  Only the RID attachment
 * does this (§3.7).  The caller records the IOAS in h->resv_ioas. */
static int resv_reserve(struct ims_dev_attach *h, struct ims_ioas *ioas)
{
	const struct ims_dev_caps *c = &h->idev->caps;
	int rc = 0;

	for (uint32_t i = 0; i < c->nresv && !rc; i++) {
		/* Relaxable direct maps may be given up for the user's IOVA. */
		if (c->resv[i].type == IMS_RESV_DIRECT_RELAXABLE)
			continue;
		rc = ims_iopt_reserve(&ioas->iopt, c->resv[i].start, c->resv[i].last, h);
	}
	if (!rc)
		rc = ims_iopt_reserve_complement(&ioas->iopt, c->aperture, c->naperture, h);
	if (rc)
		ims_iopt_unreserve(&ioas->iopt, h);
	return rc;
}

static void resv_del(struct ims_dev_attach *h)
{
	if (h->resv_ioas)
		ims_iopt_unreserve(&h->resv_ioas->iopt, h);
	h->resv_ioas = NULL;
}

/* The IOAS whose reservations a RID attachment to hwpt needs, or NULL. */
static struct ims_ioas *resv_ioas_of(struct ims_hwpt *hwpt, uint32_t pasid)
{
	return pasid == IMS_NO_PASID && ims_hwpt_is_paging(hwpt) ? ims_to_hwpt_paging(hwpt)->ioas
								   : NULL;
}

/* ---- compatibility (kernel iommufd_hwpt_pasid_compat and the mock's dirty check) */

static int check_compat(struct ims_ctx *ctx, struct ims_device *idev, uint32_t pasid,
			struct ims_hwpt *hwpt, const char *what)
{
	struct ims_group *g = idev->group;

	/* A domain enforcing dirty tracking only takes devices whose IOMMU can
	 * track (iommufd §2.13, selftest enforce_dirty). */
	if (ims_hwpt_is_paging(hwpt) && ims_to_hwpt_paging(hwpt)->enforce_dirty &&
	    !idev->caps.dirty_tracking)
		return ims_err(ctx, -EINVAL, "%s: HWPT %u tracks dirty pages and device %u cannot",
			       what, hwpt->obj.id, idev->obj.id);
	if (pasid != IMS_NO_PASID) {
		struct ims_group_attach *rid = ga_find(g, IMS_NO_PASID);

		if (!hwpt->pasid_compat)
			return ims_err(ctx, -EINVAL,
				       "%s: HWPT %u was not allocated with IMS_HWPT_ALLOC_PASID", what,
				       hwpt->obj.id);
		if (rid && !rid->hwpt->pasid_compat)
			return ims_err(ctx, -EINVAL,
				       "%s: the RID is attached to HWPT %u, which is not "
				       "PASID-compatible", what, rid->hwpt->obj.id);
	} else if (!hwpt->pasid_compat) {
		struct ims_list *pos, *nxt;

		ims_list_for_each_safe(pos, nxt, &g->attaches)
			if (to_ga(pos)->pasid != IMS_NO_PASID)
				return ims_err(ctx, -EINVAL,
					       "%s: PASID 0x%x is attached and HWPT %u is not "
					       "PASID-compatible", what, to_ga(pos)->pasid,
					       hwpt->obj.id);
	}
	return 0;
}

/* ---- attach, detach, replace ------------------------------------------------------- */

/* Kernel iommufd_hw_pagetable_attach.  Takes a reference on hwpt. */
static int do_attach(struct ims_ctx *ctx, struct ims_device *idev, uint32_t pasid,
		     struct ims_hwpt *hwpt)
{
	struct ims_group_attach *ga;
	struct ims_dev_attach *h;
	struct ims_ioas *ioas;
	bool new_ga = false;
	int rc;

	rc = check_compat(ctx, idev, pasid, hwpt, "DEVICE_ATTACH");
	if (rc)
		return rc;
	if (handle_find(idev, pasid))
		return ims_err(ctx, -EBUSY,
			       "DEVICE_ATTACH: device %u is attached at %s already (use REPLACE)",
			       idev->obj.id, pasid == IMS_NO_PASID ? "the RID" : "this PASID");
	ga = ga_find(idev->group, pasid);
	if (ga && ga->hwpt != hwpt)
		return ims_err(ctx, -EINVAL,
			       "DEVICE_ATTACH: the device's group uses HWPT %u there, not %u "
			       "(one HWPT per group and PASID)", ga->hwpt->obj.id, hwpt->obj.id);
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->idev = idev;
	ioas = resv_ioas_of(hwpt, pasid);
	if (ioas) {
		rc = resv_reserve(h, ioas);
		if (rc)
			goto err_free;
		h->resv_ioas = ioas;
	}
	if (!ga) {
		ga = calloc(1, sizeof(*ga));
		if (!ga) {
			rc = -ENOMEM;
			goto err_resv;
		}
		new_ga = true;
		ga->pasid = pasid;
		ga->hwpt = hwpt;
		ims_list_init(&ga->handles);
		/* Only the first device of the group switches the hardware;
		 * the others follow it (kernel comment in hw_pagetable_attach). */
		rc = group_hw_set(ctx, idev->group, pasid, hwpt, NULL);
		if (rc) {
			ims_err(ctx, rc, "DEVICE_ATTACH: the model refused HWPT %u", hwpt->obj.id);
			goto err_ga;
		}
		ims_list_add_tail(&idev->group->attaches, &ga->link);
	}
	h->ga = ga;
	ims_list_add_tail(&ga->handles, &h->group_item);
	ga->nhandles++;
	ims_list_add_tail(&idev->attaches, &h->dev_item);
	ims_obj_get(&hwpt->obj);
	return 0;

err_ga:
	if (new_ga)
		free(ga);
err_resv:
	resv_del(h);
err_free:
	free(h);
	return rc;
}

/* Drops partial page requests of every device of the group at `pasid`. */
static void drop_partials(struct ims_group *g, uint32_t pasid)
{
	struct ims_list *pos, *nxt;

	ims_list_for_each_safe(pos, nxt, &g->devices) {
		struct ims_device *d = to_group_dev(pos);
		uint32_t k = 0;

		for (uint32_t i = 0; i < d->npartial; i++)
			if (d->partial[i].pasid != pasid)
				d->partial[k++] = d->partial[i];
		d->npartial = k;
	}
}

/* Kernel iommufd_hw_pagetable_detach.  Returns the HWPT whose reference the
 * caller must drop (ims_hwpt_put), or NULL when nothing was attached. */
static struct ims_hwpt *do_detach(struct ims_ctx *ctx, struct ims_device *idev, uint32_t pasid)
{
	struct ims_dev_attach *h = handle_find(idev, pasid);
	struct ims_group_attach *ga;
	struct ims_hwpt *hwpt;

	if (!h)
		return NULL;
	ga = h->ga;
	hwpt = ga->hwpt;
	ims_list_del(&h->dev_item);
	ims_list_del(&h->group_item);
	ga->nhandles--;
	if (!ga->nhandles) {
		/* The last device of the group: block the group, and answer the
		 * page requests still open through this attachment (§2.16). */
		if (group_hw_set(ctx, idev->group, pasid, NULL, hwpt))
			ctx->internal_errors++;
		if (hwpt->fault)
			ims_fault_auto_respond(ctx, hwpt->fault, idev->group, pasid, hwpt);
		drop_partials(idev->group, pasid);
		ims_list_del(&ga->link);
		free(ga);
	}
	resv_del(h);
	free(h);
	return hwpt;
}

/* Kernel iommufd_device_do_replace: the whole group moves to hwpt at once.
 * *old gets the HWPT whose last reference the caller drops (NULL when
 * hwpt is attached there already). */
static int do_replace(struct ims_ctx *ctx, struct ims_device *idev, uint32_t pasid,
		      struct ims_hwpt *hwpt, struct ims_hwpt **old_out)
{
	struct ims_dev_attach *h = handle_find(idev, pasid);
	struct ims_ioas *new_ioas, *old_ioas;
	struct ims_list *pos, *nxt, *undo;
	struct ims_group_attach *ga;
	struct ims_hwpt *old;
	int rc;

	*old_out = NULL;
	if (!h)
		return ims_err(ctx, -EINVAL, "DEVICE_REPLACE: device %u is not attached at %s",
			       idev->obj.id, pasid == IMS_NO_PASID ? "the RID" : "this PASID");
	rc = check_compat(ctx, idev, pasid, hwpt, "DEVICE_REPLACE");
	if (rc)
		return rc;
	ga = h->ga;
	old = ga->hwpt;
	if (old == hwpt)
		return 0;
	new_ioas = resv_ioas_of(hwpt, pasid);
	old_ioas = resv_ioas_of(old, pasid);
	/* Every attached device of the group brings its reserved regions to the
	 * new IOAS (kernel iommufd_group_do_replace_reserved_iova). */
	if (new_ioas && new_ioas != old_ioas) {
		ims_list_for_each_safe(pos, nxt, &ga->handles) {
			rc = resv_reserve(to_handle_group(pos), new_ioas);
			if (rc) {
				for (undo = ga->handles.next; undo != pos; undo = undo->next)
					ims_iopt_unreserve(&new_ioas->iopt, to_handle_group(undo));
				return rc;
			}
		}
	}
	rc = group_hw_set(ctx, idev->group, pasid, hwpt, old);
	if (rc) {
		if (new_ioas && new_ioas != old_ioas)
			ims_list_for_each_safe(pos, nxt, &ga->handles)
				ims_iopt_unreserve(&new_ioas->iopt, to_handle_group(pos));
		return ims_err(ctx, rc, "DEVICE_REPLACE: the model refused HWPT %u; HWPT %u stays",
			       hwpt->obj.id, old->obj.id);
	}
	if (new_ioas != old_ioas) {
		ims_list_for_each_safe(pos, nxt, &ga->handles) {
			struct ims_dev_attach *d = to_handle_group(pos);

			resv_del(d);
			d->resv_ioas = new_ioas;
		}
	}
	if (old->fault)
		ims_fault_auto_respond(ctx, old->fault, idev->group, pasid, old);
	drop_partials(idev->group, pasid);
	ga->hwpt = hwpt;
	/* Move the handles' references; the caller drops the last old one. */
	for (uint32_t i = 0; i < ga->nhandles; i++)
		ims_obj_get(&hwpt->obj);
	for (uint32_t i = 1; i < ga->nhandles; i++)
		ims_obj_put(&old->obj);
	*old_out = old;
	return 0;
}

/* Attach or replace with an automatic HWPT of the IOAS (kernel
 * iommufd_device_auto_get_domain, §3.6): reuse a compatible automatic HWPT
 * (-EINVAL from one means "try the next"), else make one. */
static int auto_get_domain(struct ims_ctx *ctx, struct ims_device *idev, uint32_t pasid,
			   struct ims_ioas *ioas, bool replace, struct ims_hwpt **out)
{
	struct ims_hwpt_paging *hp;
	struct ims_hwpt *old = NULL;
	struct ims_list *pos, *nxt;
	int rc;

	ims_list_for_each_safe(pos, nxt, &ioas->hwpt_list) {
		hp = IMS_CONTAINER_OF(pos, struct ims_hwpt_paging, ioas_item);
		if (!hp->auto_domain || !hp->common.obj.live)
			continue;
		rc = replace ? do_replace(ctx, idev, pasid, &hp->common, &old)
			     : do_attach(ctx, idev, pasid, &hp->common);
		if (rc == -EINVAL)
			continue;
		if (rc)
			return rc;
		if (old)
			ims_hwpt_put(ctx, old);
		*out = &hp->common;
		return 0;
	}
	rc = ims_hwpt_paging_alloc(ctx, ioas, idev, 0, true, &hp);
	if (rc)
		return rc;
	rc = replace ? do_replace(ctx, idev, pasid, &hp->common, &old)
		     : do_attach(ctx, idev, pasid, &hp->common);
	if (rc) {
		ims_obj_abort(ctx, &hp->common.obj);
		return rc;
	}
	ims_obj_finalize(ctx, &hp->common.obj);
	if (old)
		ims_hwpt_put(ctx, old);
	*out = &hp->common;
	return 0;
}

/* ---- the DEVICE object ---------------------------------------------------------------- */

/* Lets go of everything a binding holds (VFIO closing the device): detaches
 * every PASID and the RID, destroys the vDEVICE leaving a tombstone, drops
 * the binding driver's reference.  Idempotent. */
static void device_release(struct ims_ctx *ctx, struct ims_device *idev)
{
	idev->destroying = true;
	while (!ims_list_empty(&idev->attaches)) {
		struct ims_dev_attach *h = to_handle_dev(idev->attaches.next);
		struct ims_hwpt *hwpt = do_detach(ctx, idev, h->ga->pasid);

		if (hwpt)
			ims_hwpt_put(ctx, hwpt);
	}
	if (idev->vdev && ims_obj_remove(ctx, &idev->vdev->obj, IMS_REMOVE_TOMBSTONE))
		ctx->internal_errors++;
	if (idev->driver_ref) {
		idev->driver_ref = false;
		ims_obj_put(&idev->obj);
	}
}

static void device_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct ims_device *idev = IMS_CONTAINER_OF(obj, struct ims_device, obj);

	if (!ims_list_empty(&idev->attaches) || idev->vdev)
		ctx->internal_errors++;
	if (idev->group) {
		ims_fault_forget_device(ctx, idev);
		group_leave(ctx, idev);
	}
	if (idev->mdev)
		ctx->model->dev_release(ctx->model_inst, idev->mdev);
	free(idev->hw);
	free(idev->partial);
}

static void device_teardown_release(struct ims_ctx *ctx, struct ims_obj *obj)
{
	device_release(ctx, IMS_CONTAINER_OF(obj, struct ims_device, obj));
}

static const struct ims_obj_ops device_ops = {
	.name = "DEVICE",
	.destroy = device_destroy,
	.teardown_release = device_teardown_release,
};

static unsigned num_units(struct ims_ctx *ctx)
{
	return ctx->model->num_units ? ctx->model->num_units(ctx->model_inst) : 1;
}

/* A model's caps within the limits of the structs (a buggy model must not
 * make the core read past an array). */
static void sanitize_caps(struct ims_ctx *ctx, struct ims_device *idev)
{
	struct ims_dev_caps *c = &idev->caps;

	if (c->nresv > IMS_MAX_RESV || c->naperture > IMS_MAX_WINDOWS ||
	    c->max_pasid_log2 > MAX_PASID_BITS) {
		ctx->internal_errors++;
		if (c->nresv > IMS_MAX_RESV)
			c->nresv = IMS_MAX_RESV;
		if (c->naperture > IMS_MAX_WINDOWS)
			c->naperture = IMS_MAX_WINDOWS;
		if (c->max_pasid_log2 > MAX_PASID_BITS)
			c->max_pasid_log2 = MAX_PASID_BITS;
	}
	if (!c->group_id)
		c->group_id = idev->desc.sid;
}

int ims_cmd_device_bind(struct ims_ucmd *ucmd)
{
	struct ims_device_bind *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_device *idev;
	int rc;

	if (cmd->flags)
		return ims_err(ctx, -EOPNOTSUPP, "DEVICE_BIND: flags 0x%x must be 0", cmd->flags);
	if (!ctx->model || !ctx->model->dev_probe || !ctx->model->attach)
		return ims_err(ctx, -ENODEV, "DEVICE_BIND: the context has no IOMMU model");
	if (cmd->pasid_bits > MAX_PASID_BITS)
		return ims_err(ctx, -EINVAL, "DEVICE_BIND: pasid_bits %u above %u", cmd->pasid_bits,
			       MAX_PASID_BITS);
	if (cmd->ats > 1 || cmd->pri > 1)
		return ims_err(ctx, -EINVAL, "DEVICE_BIND: ats and pri must be 0 or 1");
	/* PRI page requests ride on ATS (PCIe 10.4). */
	if (cmd->pri && !cmd->ats)
		return ims_err(ctx, -EINVAL, "DEVICE_BIND: pri needs ats");
	if (cmd->unit >= num_units(ctx))
		return ims_err(ctx, -EINVAL, "DEVICE_BIND: unit %u beyond the model's %u units",
			       cmd->unit, num_units(ctx));
	for (uint32_t id = 1; id < ctx->nslots; id++) {
		struct ims_device *d = ims_device_find(ctx, id);

		if (d && d->desc.unit == cmd->unit && d->desc.sid == cmd->sid)
			return ims_err(ctx, -EEXIST, "DEVICE_BIND: device %u has unit %u sid 0x%x",
				       id, cmd->unit, cmd->sid);
	}
	idev = ims_obj_alloc(ctx, sizeof(*idev), IMS_OBJ_DEVICE, &device_ops, &rc);
	if (!idev)
		return rc;
	ims_list_init(&idev->attaches);
	ims_list_init(&idev->group_item);
	idev->desc.sid = cmd->sid;
	idev->desc.unit = cmd->unit;
	idev->desc.pasid_bits = cmd->pasid_bits;
	idev->desc.ats = cmd->ats;
	idev->desc.pri = cmd->pri;
	rc = ctx->model->dev_probe(ctx->model_inst, idev, &idev->desc, &idev->caps, &idev->mdev);
	if (rc) {
		idev->mdev = NULL;
		ims_err(ctx, rc, "DEVICE_BIND: the model refused sid 0x%x", cmd->sid);
		ims_obj_abort(ctx, &idev->obj);
		return rc;
	}
	sanitize_caps(ctx, idev);
	rc = group_join(ctx, idev);
	if (rc) {
		ims_obj_abort(ctx, &idev->obj);
		return rc;
	}
	/* The binding driver's reference: DESTROY cannot remove a device. */
	ims_obj_get(&idev->obj);
	idev->driver_ref = true;
	cmd->out_dev_id = idev->obj.id;
	ims_ucmd_respond(ucmd, sizeof(*cmd));
	ims_obj_finalize(ctx, &idev->obj);
	return 0;
}

int ims_cmd_device_unbind(struct ims_ucmd *ucmd)
{
	struct ims_device_unbind *cmd = ucmd->cmd;
	struct ims_device *idev = ims_device_find(ucmd->ctx, cmd->dev_id);

	if (!idev)
		return ims_err(ucmd->ctx, -ENOENT, "DEVICE_UNBIND: %u is not a device", cmd->dev_id);
	device_release(ucmd->ctx, idev);
	return ims_obj_remove(ucmd->ctx, &idev->obj, 0);
}

/* The PASID a command names: IMS_NO_PASID for the RID, else a PASID the
 * device can issue.  PASID 0 is how Linux names the RID (IOMMU_NO_PASID), so
 * it cannot be attached as a PASID. */
static int cmd_pasid(struct ims_ctx *ctx, const char *what, struct ims_device *idev,
		     uint32_t flags, uint32_t pasid, uint32_t *out)
{
	if (!(flags & IMS_DEVICE_ATTACH_PASID)) {
		*out = IMS_NO_PASID;
		return 0;
	}
	if (pasid == 0 || pasid == IMS_NO_PASID)
		return ims_err(ctx, -EINVAL, "%s: pasid 0x%x is not a PASID", what, pasid);
	if (!idev->caps.max_pasid_log2)
		return ims_err(ctx, -EINVAL, "%s: device %u has no PASID support", what,
			       idev->obj.id);
	if (pasid >= (1u << idev->caps.max_pasid_log2))
		return ims_err(ctx, -EINVAL, "%s: pasid 0x%x beyond the device's %u bits", what,
			       pasid, idev->caps.max_pasid_log2);
	*out = pasid;
	return 0;
}

/* DEVICE_ATTACH and DEVICE_REPLACE (kernel iommufd_device_change_pt). */
static int change_pt(struct ims_ucmd *ucmd, bool replace)
{
	const char *what = replace ? "DEVICE_REPLACE" : "DEVICE_ATTACH";
	struct ims_device_attach *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_hwpt *hwpt = NULL, *old = NULL;
	struct ims_device *idev;
	struct ims_obj *pt;
	uint32_t pasid = IMS_NO_PASID;
	int rc;

	if (cmd->flags & ~IMS_DEVICE_ATTACH_PASID)
		return ims_err(ctx, -EOPNOTSUPP, "%s: unknown flags 0x%x", what,
			       cmd->flags & ~IMS_DEVICE_ATTACH_PASID);
	if (cmd->reserved)
		return ims_err(ctx, -EOPNOTSUPP, "%s: reserved must be 0", what);
	idev = ims_device_find(ctx, cmd->dev_id);
	if (!idev)
		return ims_err(ctx, -ENOENT, "%s: %u is not a device", what, cmd->dev_id);
	rc = cmd_pasid(ctx, what, idev, cmd->flags, cmd->pasid, &pasid);
	if (rc)
		return rc;
	pt = ims_obj_find(ctx, cmd->pt_id, IMS_OBJ_ANY);
	if (!pt)
		return ims_err(ctx, -ENOENT, "%s: no object %u", what, cmd->pt_id);
	/* Checked once here so that an IOAS does not get an automatic HWPT
	 * made only to be refused. */
	if (replace && !handle_find(idev, pasid))
		return ims_err(ctx, -EINVAL, "%s: device %u is not attached at %s", what,
			       idev->obj.id, pasid == IMS_NO_PASID ? "the RID" : "this PASID");
	switch (pt->type) {
	case IMS_OBJ_HWPT_PAGING:
	case IMS_OBJ_HWPT_NESTED:
		hwpt = ims_hwpt_of(pt);
		rc = replace ? do_replace(ctx, idev, pasid, hwpt, &old)
			     : do_attach(ctx, idev, pasid, hwpt);
		if (!rc && old)
			ims_hwpt_put(ctx, old);
		break;
	case IMS_OBJ_IOAS:
		if (pasid != IMS_NO_PASID)
			return ims_err(ctx, -EINVAL,
				       "%s: an IOAS cannot be attached to a PASID (automatic HWPTs "
				       "are not PASID-compatible; allocate one with "
				       "IMS_HWPT_ALLOC_PASID)", what);
		rc = auto_get_domain(ctx, idev, pasid, IMS_CONTAINER_OF(pt, struct ims_ioas, obj),
				     replace, &hwpt);
		break;
	default:
		return ims_err(ctx, -EINVAL, "%s: %s %u is neither an IOAS nor a HWPT", what,
			       pt->ops->name, cmd->pt_id);
	}
	if (rc)
		return rc;
	cmd->pt_id = hwpt->obj.id;
	return ims_ucmd_respond(ucmd, sizeof(*cmd));
}

int ims_cmd_device_attach(struct ims_ucmd *ucmd)
{
	return change_pt(ucmd, false);
}

int ims_cmd_device_replace(struct ims_ucmd *ucmd)
{
	return change_pt(ucmd, true);
}

int ims_cmd_device_detach(struct ims_ucmd *ucmd)
{
	struct ims_device_detach *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_device *idev;
	struct ims_hwpt *hwpt;
	uint32_t pasid = IMS_NO_PASID;

	if (cmd->flags & ~IMS_DEVICE_ATTACH_PASID)
		return ims_err(ctx, -EOPNOTSUPP, "DEVICE_DETACH: unknown flags 0x%x",
			       cmd->flags & ~IMS_DEVICE_ATTACH_PASID);
	idev = ims_device_find(ctx, cmd->dev_id);
	if (!idev)
		return ims_err(ctx, -ENOENT, "DEVICE_DETACH: %u is not a device", cmd->dev_id);
	if (cmd->flags & IMS_DEVICE_ATTACH_PASID) {
		if (cmd->pasid == IMS_NO_PASID)
			return ims_err(ctx, -EINVAL, "DEVICE_DETACH: pasid 0x%x is not a PASID",
				       cmd->pasid);
		pasid = cmd->pasid;
	}
	hwpt = do_detach(ctx, idev, pasid);
	if (hwpt)
		ims_hwpt_put(ctx, hwpt);
	return 0;
}

/* ---- GET_HW_INFO (kernel iommufd_get_hw_info) ------------------------------------------ */

#define HW_INFO_MAX 4096

int ims_cmd_get_hw_info(struct ims_ucmd *ucmd)
{
	struct ims_hw_info *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	uint8_t *user = (uint8_t *)(uintptr_t)cmd->data_uptr;
	struct ims_device *idev;
	size_t len = 0, copy;
	uint32_t type;
	uint8_t *buf;
	int rc;

	if (cmd->flags & ~IMS_HW_INFO_FLAG_INPUT_TYPE)
		return ims_err(ctx, -EOPNOTSUPP, "GET_HW_INFO: unknown flags 0x%x",
			       cmd->flags & ~IMS_HW_INFO_FLAG_INPUT_TYPE);
	if (cmd->reserved[0] || cmd->reserved[1] || cmd->reserved[2])
		return ims_err(ctx, -EOPNOTSUPP, "GET_HW_INFO: reserved must be 0");
	/* Without INPUT_TYPE the field is an output only. */
	type = cmd->flags & IMS_HW_INFO_FLAG_INPUT_TYPE ? cmd->in_data_type
							 : IMS_HW_INFO_TYPE_DEFAULT;
	idev = ims_device_find(ctx, cmd->dev_id);
	if (!idev)
		return ims_err(ctx, -ENOENT, "GET_HW_INFO: %u is not a device", cmd->dev_id);
	if (cmd->data_len && !user)
		return ims_err(ctx, -EFAULT, "GET_HW_INFO: data_uptr is NULL");
	buf = calloc(1, HW_INFO_MAX);
	if (!buf)
		return -ENOMEM;
	if (ctx->model->hw_info) {
		rc = ctx->model->hw_info(ctx->model_inst, idev->mdev, &type, buf, HW_INFO_MAX, &len);
		if (rc) {
			free(buf);
			return ims_err(ctx, rc, "GET_HW_INFO: the model has no info of type %u",
				       type);
		}
		if (len > HW_INFO_MAX) {
			ctx->internal_errors++;
			len = HW_INFO_MAX;
		}
	} else if (type != IMS_HW_INFO_TYPE_DEFAULT) {
		free(buf);
		return ims_err(ctx, -EOPNOTSUPP, "GET_HW_INFO: the model has no info of type %u",
			       type);
	} else {
		type = IMS_HW_INFO_TYPE_NONE;
	}
	/* Copy what fits, zero the rest of a larger buffer, report the full
	 * length (data_len 0 is a probe). */
	copy = cmd->data_len < len ? cmd->data_len : len;
	if (user) {
		memcpy(user, buf, copy);
		memset(user + copy, 0, cmd->data_len - copy);
	}
	free(buf);
	cmd->data_len = (uint32_t)len;
	cmd->out_data_type = type;
	cmd->out_capabilities = 0;
	if (idev->caps.dirty_tracking)
		cmd->out_capabilities |= IMS_HW_CAP_DIRTY_TRACKING;
	if (!idev->caps.ats)
		cmd->out_capabilities |= IMS_HW_CAP_PCI_ATS_NOT_SUPPORTED;
	cmd->out_max_pasid_log2 = idev->caps.max_pasid_log2;
	if (idev->caps.max_pasid_log2) {
		if (idev->caps.pasid_exec)
			cmd->out_capabilities |= IMS_HW_CAP_PCI_PASID_EXEC;
		if (idev->caps.pasid_priv)
			cmd->out_capabilities |= IMS_HW_CAP_PCI_PASID_PRIV;
	}
	return ims_ucmd_respond(ucmd, sizeof(*cmd));
}

/* ---- DMA by device ------------------------------------------------------------------------ */

int ims_dma(struct ims_ctx *ctx, uint32_t dev_id, const struct ims_dma_req *req,
	    struct ims_dma_result *res)
{
	struct ims_device *idev;
	struct ims_dma_req r;

	if (!ctx)
		return -EBADF;
	if (!req || !res)
		return ims_err(ctx, -EINVAL, "dma: no request");
	idev = ims_device_find(ctx, dev_id);
	if (!idev)
		return ims_err(ctx, -ENOENT, "dma: %u is not a device", dev_id);
	r = *req;
	r.unit = idev->desc.unit;
	r.sid = idev->desc.sid;
	return ims_dma_raw(ctx, &r, res);
}
