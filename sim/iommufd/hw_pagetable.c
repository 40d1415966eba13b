/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/hw_pagetable — HWPT_PAGING and HWPT_NESTED objects,
 * IMS_CMD_HWPT_ALLOC and IMS_CMD_HWPT_INVALIDATE (iommufd §2.11, §2.15,
 * §3.1-3.2; the kernel's drivers/iommu/iommufd/hw_pagetable.c).
 *
 * A paging HWPT owns a model domain that mirrors its IOAS through the
 * io_pagetable (every area is mapped into it while it lives).  A nested HWPT
 * owns a model domain made from vendor data on top of a NEST_PARENT paging
 * HWPT, either directly (Intel style) or through a vIOMMU (SMMUv3, AMD);
 * the vendor struct is kept so that the oracle can walk the guest table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"

/* ---- common ------------------------------------------------------------------------ */

static void hwpt_common_destroy(struct ims_ctx *ctx, struct ims_hwpt *h)
{
	if (h->dom)
		ctx->model->domain_free(ctx->model_inst, h->dom);
	h->dom = NULL;
	if (h->fault)
		ims_obj_put(&h->fault->obj);
	h->fault = NULL;
}

void ims_hwpt_put(struct ims_ctx *ctx, struct ims_hwpt *hwpt)
{
	if (ims_hwpt_is_paging(hwpt) && ims_to_hwpt_paging(hwpt)->auto_domain)
		ims_obj_put_and_try_destroy(ctx, &hwpt->obj);
	else
		ims_obj_put(&hwpt->obj);
}

/* ---- paging ------------------------------------------------------------------------- */

static void hwpt_paging_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct ims_hwpt_paging *hp = ims_to_hwpt_paging(ims_hwpt_of(obj));

	ims_list_del(&hp->ioas_item);
	/* Unmap everything before the model frees the domain (model.h). */
	if (hp->in_iopt)
		ims_iopt_remove_domain(&hp->ioas->iopt, &hp->idom);
	hp->in_iopt = false;
	hwpt_common_destroy(ctx, &hp->common);
	if (hp->ioas)
		ims_obj_put(&hp->ioas->obj);
	hp->ioas = NULL;
}

static const struct ims_obj_ops hwpt_paging_ops = {
	.name = "HWPT_PAGING",
	.destroy = hwpt_paging_destroy,
};

#define PAGING_FLAGS \
	(IMS_HWPT_ALLOC_NEST_PARENT | IMS_HWPT_ALLOC_DIRTY_TRACKING | IMS_HWPT_FAULT_ID_VALID | \
	 IMS_HWPT_ALLOC_PASID)

int ims_hwpt_paging_alloc(struct ims_ctx *ctx, struct ims_ioas *ioas, struct ims_device *idev,
			  uint32_t flags, bool auto_domain, struct ims_hwpt_paging **out)
{
	struct ims_hwpt_paging *hp;
	int rc;

	if (flags & ~PAGING_FLAGS)
		return ims_err(ctx, -EOPNOTSUPP, "HWPT_ALLOC: unknown flags 0x%x",
			       flags & ~PAGING_FLAGS);
	if ((flags & IMS_HWPT_ALLOC_DIRTY_TRACKING) && !idev->caps.dirty_tracking)
		return ims_err(ctx, -EOPNOTSUPP,
			       "HWPT_ALLOC: DIRTY_TRACKING, but device %u's IOMMU cannot track",
			       idev->obj.id);
	/* Page requests are answered by the guest through the stage-1 HWPT,
	 * never on a stage 2 (kernel iommufd_hwpt_paging_alloc). */
	if ((flags & IMS_HWPT_FAULT_ID_VALID) && (flags & IMS_HWPT_ALLOC_NEST_PARENT))
		return ims_err(ctx, -EOPNOTSUPP,
			       "HWPT_ALLOC: FAULT_ID_VALID cannot go with NEST_PARENT");
	if (!ctx->model->domain_alloc_paging || !ctx->model->domain_free)
		return ims_err(ctx, -EOPNOTSUPP, "HWPT_ALLOC: the model has no paging domains");
	hp = ims_obj_alloc(ctx, sizeof(*hp), IMS_OBJ_HWPT_PAGING, &hwpt_paging_ops, &rc);
	if (!hp)
		return rc;
	ims_list_init(&hp->ioas_item);
	ims_obj_get(&ioas->obj);
	hp->ioas = ioas;
	hp->auto_domain = auto_domain;
	hp->nest_parent = flags & IMS_HWPT_ALLOC_NEST_PARENT;
	hp->enforce_dirty = flags & IMS_HWPT_ALLOC_DIRTY_TRACKING;
	hp->common.pasid_compat = flags & IMS_HWPT_ALLOC_PASID;
	rc = ctx->model->domain_alloc_paging(ctx->model_inst, idev->mdev,
					     flags & ~IMS_HWPT_FAULT_ID_VALID, &hp->common.info,
					     &hp->common.dom);
	if (rc) {
		hp->common.dom = NULL;
		ims_err(ctx, rc, "HWPT_ALLOC: the model refused a paging domain (flags 0x%x)",
			flags);
		goto err;
	}
	if (hp->enforce_dirty && !hp->common.info.dirty_ops) {
		rc = ims_err(ctx, -EOPNOTSUPP, "HWPT_ALLOC: the domain has no dirty tracking");
		goto err;
	}
	hp->idom.dom = hp->common.dom;
	hp->idom.pgsize_bitmap = hp->common.info.pgsize_bitmap;
	hp->idom.naperture = hp->common.info.naperture;
	if (hp->idom.naperture > IMS_MAX_WINDOWS) {
		ctx->internal_errors++;
		hp->idom.naperture = IMS_MAX_WINDOWS;
	}
	memcpy(hp->idom.aperture, hp->common.info.aperture, sizeof(hp->idom.aperture));
	/* Filled from the IOAS at creation, like the kernel's manual HWPTs. */
	rc = ims_iopt_add_domain(&ioas->iopt, &hp->idom);
	if (rc)
		goto err;
	hp->in_iopt = true;
	ims_list_add_tail(&ioas->hwpt_list, &hp->ioas_item);
	*out = hp;
	return 0;

err:
	ims_obj_abort(ctx, &hp->common.obj);
	return rc;
}

/* ---- nested ---------------------------------------------------------------------------- */

static void hwpt_nested_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct ims_hwpt_nested *hn = ims_to_hwpt_nested(ims_hwpt_of(obj));

	hwpt_common_destroy(ctx, &hn->common);
	if (hn->viommu)
		ims_obj_put(&hn->viommu->obj);
	else if (hn->parent)
		ims_obj_put(&hn->parent->common.obj);
	hn->viommu = NULL;
	hn->parent = NULL;
}

static const struct ims_obj_ops hwpt_nested_ops = {
	.name = "HWPT_NESTED",
	.destroy = hwpt_nested_destroy,
};

#define NESTED_FLAGS (IMS_HWPT_FAULT_ID_VALID | IMS_HWPT_ALLOC_PASID)

/* Kernel iommufd_hwpt_nested_alloc and iommufd_viommu_alloc_hwpt_nested:
 * exactly one of parent and viommu is set. */
static int hwpt_nested_alloc(struct ims_ctx *ctx, struct ims_device *idev,
			     struct ims_hwpt_paging *parent, struct ims_viommu *viommu,
			     uint32_t flags, const struct ims_user_data *data,
			     struct ims_hwpt_nested **out)
{
	struct ims_hwpt_nested *hn;
	int rc;

	if (flags & ~NESTED_FLAGS)
		return ims_err(ctx, -EOPNOTSUPP,
			       "HWPT_ALLOC: nested HWPTs take only FAULT_ID_VALID and PASID "
			       "(flags 0x%x)", flags);
	if (!data->len)
		return ims_err(ctx, -EOPNOTSUPP, "HWPT_ALLOC: a nested HWPT needs vendor data");
	if (!ctx->model->domain_alloc_nested || !ctx->model->domain_free)
		return ims_err(ctx, -EOPNOTSUPP, "HWPT_ALLOC: the model has no nested domains");
	if (parent && (parent->auto_domain || !parent->nest_parent))
		return ims_err(ctx, -EINVAL,
			       "HWPT_ALLOC: HWPT %u is %s, not a manual NEST_PARENT HWPT",
			       parent->common.obj.id,
			       parent->auto_domain ? "automatic" : "not NEST_PARENT");
	/* §3.3: the device must sit behind the vIOMMU's physical IOMMU. */
	if (viommu && viommu->unit != idev->desc.unit)
		return ims_err(ctx, -EINVAL,
			       "HWPT_ALLOC: vIOMMU %u is on unit %u, device %u on unit %u",
			       viommu->obj.id, viommu->unit, idev->obj.id, idev->desc.unit);
	hn = ims_obj_alloc(ctx, sizeof(*hn), IMS_OBJ_HWPT_NESTED, &hwpt_nested_ops, &rc);
	if (!hn)
		return rc;
	if (viommu) {
		ims_obj_get(&viommu->obj);
		hn->viommu = viommu;
		hn->parent = viommu->hwpt;
	} else {
		ims_obj_get(&parent->common.obj);
		hn->parent = parent;
	}
	hn->common.pasid_compat = flags & IMS_HWPT_ALLOC_PASID;
	rc = ctx->model->domain_alloc_nested(ctx->model_inst, idev->mdev,
					     viommu ? NULL : parent->common.dom,
					     viommu ? viommu->mv : NULL, flags, data,
					     &hn->common.info, &hn->common.dom);
	if (rc) {
		hn->common.dom = NULL;
		ims_err(ctx, rc, "HWPT_ALLOC: the model refused the vendor data (type %u)",
			data->type);
		ims_obj_abort(ctx, &hn->common.obj);
		return rc;
	}
	/* Keep the vendor struct for the oracle; the model has validated it
	 * (a tail past its struct is zero, else it said -E2BIG). */
	hn->data_type = data->type;
	hn->data_len = data->len < IMS_HWPT_DATA_MAX ? data->len : IMS_HWPT_DATA_MAX;
	if (data->uptr)
		memcpy(hn->data, data->uptr, hn->data_len);
	*out = hn;
	return 0;
}

/* ---- IMS_CMD_HWPT_ALLOC (kernel iommufd_hwpt_alloc) ------------------------------------ */

int ims_cmd_hwpt_alloc(struct ims_ucmd *ucmd)
{
	struct ims_hwpt_alloc *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_user_data data = {
		.type = cmd->data_type,
		.len = cmd->data_len,
		.uptr = (void *)(uintptr_t)cmd->data_uptr,
	};
	struct ims_hwpt *hwpt = NULL;
	struct ims_device *idev;
	struct ims_obj *pt;
	int rc;

	if (cmd->reserved || cmd->reserved2)
		return ims_err(ctx, -EOPNOTSUPP, "HWPT_ALLOC: reserved must be 0");
	if ((cmd->data_type == IMS_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IMS_HWPT_DATA_NONE && !cmd->data_len))
		return ims_err(ctx, -EINVAL, "HWPT_ALLOC: data_type %u with data_len %u",
			       cmd->data_type, cmd->data_len);
	idev = ims_device_find(ctx, cmd->dev_id);
	if (!idev)
		return ims_err(ctx, -ENOENT, "HWPT_ALLOC: %u is not a device", cmd->dev_id);
	/* A missing pt_id is -EINVAL, not -ENOENT (kernel iommufd_hwpt_alloc). */
	pt = ims_obj_find(ctx, cmd->pt_id, IMS_OBJ_ANY);
	if (!pt)
		return ims_err(ctx, -EINVAL, "HWPT_ALLOC: pt_id %u does not exist", cmd->pt_id);
	switch (pt->type) {
	case IMS_OBJ_IOAS: {
		struct ims_hwpt_paging *hp;

		if (cmd->flags & ~PAGING_FLAGS)
			return ims_err(ctx, -EOPNOTSUPP, "HWPT_ALLOC: unknown flags 0x%x",
				       cmd->flags & ~PAGING_FLAGS);
		/* ops->domain_alloc_paging takes no vendor data. */
		if (cmd->data_len)
			return ims_err(ctx, -EOPNOTSUPP,
				       "HWPT_ALLOC: a paging HWPT takes no vendor data");
		rc = ims_hwpt_paging_alloc(ctx, IMS_CONTAINER_OF(pt, struct ims_ioas, obj), idev,
					   cmd->flags, false, &hp);
		if (rc)
			return rc;
		hwpt = &hp->common;
		break;
	}
	case IMS_OBJ_HWPT_PAGING: {
		struct ims_hwpt_nested *hn;

		rc = hwpt_nested_alloc(ctx, idev, ims_to_hwpt_paging(ims_hwpt_of(pt)), NULL,
				       cmd->flags, &data, &hn);
		if (rc)
			return rc;
		hwpt = &hn->common;
		break;
	}
	case IMS_OBJ_VIOMMU: {
		struct ims_hwpt_nested *hn;

		rc = hwpt_nested_alloc(ctx, idev, NULL,
				       IMS_CONTAINER_OF(pt, struct ims_viommu, obj), cmd->flags,
				       &data, &hn);
		if (rc)
			return rc;
		hwpt = &hn->common;
		break;
	}
	default:
		return ims_err(ctx, -EINVAL,
			       "HWPT_ALLOC: pt_id %u is a %s, not an IOAS, paging HWPT or vIOMMU",
			       cmd->pt_id, pt->ops->name);
	}
	if (cmd->flags & IMS_HWPT_FAULT_ID_VALID) {
		struct ims_fault *fault = ims_fault_find(ctx, cmd->fault_id);

		if (!fault) {
			rc = ims_err(ctx, -ENOENT, "HWPT_ALLOC: fault_id %u is not a FAULT queue",
				     cmd->fault_id);
			ims_obj_abort(ctx, &hwpt->obj);
			return rc;
		}
		ims_obj_get(&fault->obj);
		hwpt->fault = fault;
	}
	cmd->out_hwpt_id = hwpt->obj.id;
	ims_ucmd_respond(ucmd, sizeof(*cmd));
	ims_obj_finalize(ctx, &hwpt->obj);
	return 0;
}

/* ---- IMS_CMD_HWPT_INVALIDATE (kernel iommufd_hwpt_invalidate) -------------------------- */

int ims_cmd_hwpt_invalidate(struct ims_ucmd *ucmd)
{
	struct ims_hwpt_invalidate *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_user_array a = {
		.type = cmd->data_type,
		.entry_len = cmd->entry_len,
		.entry_num = cmd->entry_num,
		.uptr = (const void *)(uintptr_t)cmd->data_uptr,
	};
	struct ims_obj *pt;
	uint32_t done = 0;
	int rc;

	if (cmd->reserved) {
		rc = ims_err(ctx, -EOPNOTSUPP, "HWPT_INVALIDATE: reserved must be 0");
		goto out;
	}
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len)) {
		rc = ims_err(ctx, -EINVAL,
			     "HWPT_INVALIDATE: %u entries need data_uptr and entry_len",
			     cmd->entry_num);
		goto out;
	}
	pt = ims_obj_find(ctx, cmd->hwpt_id, IMS_OBJ_ANY);
	if (!pt) {
		rc = ims_err(ctx, -ENOENT, "HWPT_INVALIDATE: no object %u", cmd->hwpt_id);
		goto out;
	}
	if (pt->type == IMS_OBJ_HWPT_NESTED) {
		if (!ctx->model->domain_invalidate_user) {
			rc = ims_err(ctx, -EOPNOTSUPP,
				     "HWPT_INVALIDATE: the model takes no invalidations on "
				     "nested HWPTs");
			goto out;
		}
		rc = ctx->model->domain_invalidate_user(ctx->model_inst, ims_hwpt_of(pt)->dom, &a,
							&done);
	} else if (pt->type == IMS_OBJ_VIOMMU) {
		if (!ctx->model->viommu_invalidate_user) {
			rc = ims_err(ctx, -EOPNOTSUPP,
				     "HWPT_INVALIDATE: the model takes no invalidations on a "
				     "vIOMMU");
			goto out;
		}
		rc = ctx->model->viommu_invalidate_user(
			ctx->model_inst, IMS_CONTAINER_OF(pt, struct ims_viommu, obj)->mv, &a, &done);
	} else {
		rc = ims_err(ctx, -EINVAL, "HWPT_INVALIDATE: %u is a %s, not a nested HWPT or a "
			     "vIOMMU", cmd->hwpt_id, pt->ops->name);
		goto out;
	}
	if (done > cmd->entry_num) {
		ctx->internal_errors++;
		done = cmd->entry_num;
	}
	if (rc)
		ims_err(ctx, rc, "HWPT_INVALIDATE: entry %u refused (%u handled)", done, done);
out:
	/* entry_num is written back whatever happened (kernel: always). */
	cmd->entry_num = done;
	ims_ucmd_respond(ucmd, sizeof(*cmd));
	return rc;
}
