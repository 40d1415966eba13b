/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/viommu — vIOMMU, vDEVICE and HW queue objects (iommufd
 * §2.17, §2.18, §2.21, §3.3-3.4, §5.1-5.2; the kernel's
 * drivers/iommu/iommufd/viommu.c and driver.c).
 *
 * A vIOMMU is one VM's slice of a physical IOMMU around a NEST_PARENT stage
 * 2; nested HWPTs, vDEVICEs, vEVENTQs and HW queues hang off it and keep it
 * alive.  A vDEVICE names a device inside the guest; it does not keep the
 * device bound: unbinding the device destroys it and leaves its ID as a
 * tombstone.  A HW queue hands a guest ring to the hardware: its pages are
 * pinned through the stage-2 IOAS, so they cannot be unmapped under it.
 */
#include <errno.h>
#include <stdlib.h>

#include "sim/iommufd/iommufd_priv.h"

/* ---- vIOMMU ---------------------------------------------------------------------- */

static void viommu_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct ims_viommu *v = IMS_CONTAINER_OF(obj, struct ims_viommu, obj);

	if (!ims_list_empty(&v->vdevs) || !ims_list_empty(&v->veventqs) ||
	    !ims_list_empty(&v->hw_queues))
		ctx->internal_errors++;
	if (v->mv && ctx->model->viommu_free)
		ctx->model->viommu_free(ctx->model_inst, v->mv);
	v->mv = NULL;
	if (v->hwpt)
		ims_obj_put(&v->hwpt->common.obj);
	v->hwpt = NULL;
}

static const struct ims_obj_ops viommu_ops = {
	.name = "VIOMMU",
	.destroy = viommu_destroy,
};

int ims_cmd_viommu_alloc(struct ims_ucmd *ucmd)
{
	struct ims_viommu_alloc *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_user_data data = {
		.type = cmd->type,
		.len = cmd->data_len,
		.uptr = (void *)(uintptr_t)cmd->data_uptr,
	};
	struct ims_hwpt_paging *hp;
	struct ims_device *idev;
	struct ims_viommu *v;
	int rc;

	if (cmd->flags)
		return ims_err(ctx, -EOPNOTSUPP, "VIOMMU_ALLOC: flags 0x%x must be 0", cmd->flags);
	if (cmd->reserved)
		return ims_err(ctx, -EOPNOTSUPP, "VIOMMU_ALLOC: reserved must be 0");
	if (cmd->type == IMS_VIOMMU_TYPE_DEFAULT)
		return ims_err(ctx, -EOPNOTSUPP, "VIOMMU_ALLOC: type DEFAULT is reserved");
	idev = ims_device_find(ctx, cmd->dev_id);
	if (!idev)
		return ims_err(ctx, -ENOENT, "VIOMMU_ALLOC: %u is not a device", cmd->dev_id);
	if (!ctx->model->viommu_alloc || !ctx->model->viommu_free)
		return ims_err(ctx, -EOPNOTSUPP, "VIOMMU_ALLOC: the model has no vIOMMU");
	hp = ims_hwpt_paging_find(ctx, cmd->hwpt_id);
	if (!hp)
		return ims_err(ctx, -ENOENT, "VIOMMU_ALLOC: %u is not a paging HWPT", cmd->hwpt_id);
	if (!hp->nest_parent)
		return ims_err(ctx, -EINVAL, "VIOMMU_ALLOC: HWPT %u is not NEST_PARENT",
			       cmd->hwpt_id);
	v = ims_obj_alloc(ctx, sizeof(*v), IMS_OBJ_VIOMMU, &viommu_ops, &rc);
	if (!v)
		return rc;
	ims_list_init(&v->vdevs);
	ims_list_init(&v->veventqs);
	ims_list_init(&v->hw_queues);
	ims_obj_get(&hp->common.obj);
	v->hwpt = hp;
	v->type = cmd->type;
	/* The physical IOMMU of the device (kernel viommu->iommu_dev). */
	v->unit = idev->desc.unit;
	rc = ctx->model->viommu_alloc(ctx->model_inst, v, idev->mdev, hp->common.dom, cmd->type,
				      &data, &v->mv);
	if (rc) {
		v->mv = NULL;
		ims_err(ctx, rc, "VIOMMU_ALLOC: the model refused type %u", cmd->type);
		ims_obj_abort(ctx, &v->obj);
		return rc;
	}
	cmd->out_viommu_id = v->obj.id;
	ims_ucmd_respond(ucmd, sizeof(*cmd));
	ims_obj_finalize(ctx, &v->obj);
	return 0;
}

int ims_viommu_option(struct ims_ucmd *ucmd)
{
	struct ims_option *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_viommu *v = ims_viommu_find(ctx, cmd->object_id);

	if (!v)
		return ims_err(ctx, -ENOENT, "OPTION VIOMMU: %u is not a vIOMMU", cmd->object_id);
	if (cmd->op != IMS_OPTION_OP_GET && cmd->op != IMS_OPTION_OP_SET)
		return ims_err(ctx, -EOPNOTSUPP, "OPTION: unknown op %u", cmd->op);
	if (!ctx->model->viommu_option)
		return ims_err(ctx, -EOPNOTSUPP, "OPTION VIOMMU: the model has no vIOMMU options");
	return ctx->model->viommu_option(ctx->model_inst, v->mv, cmd->op, &cmd->val64);
}

static int viommu_mmio(struct ims_ctx *ctx, uint32_t viommu_id, bool write, uint64_t off,
		       unsigned width, uint64_t *val)
{
	struct ims_viommu *v;

	if (!ctx)
		return -EBADF;
	ctx->errmsg[0] = '\0';
	v = ims_viommu_find(ctx, viommu_id);
	if (!v)
		return ims_err(ctx, -ENOENT, "vIOMMU mmio: %u is not a vIOMMU", viommu_id);
	if (width != 4 && width != 8)
		return ims_err(ctx, -EINVAL, "vIOMMU mmio: width %u is not 4 or 8", width);
	if (write ? !ctx->model->viommu_mmio_write : !ctx->model->viommu_mmio_read)
		return ims_err(ctx, -EOPNOTSUPP, "vIOMMU mmio: vIOMMU %u has no MMIO page",
			       viommu_id);
	return write ? ctx->model->viommu_mmio_write(ctx->model_inst, v->mv, off, width, *val)
		     : ctx->model->viommu_mmio_read(ctx->model_inst, v->mv, off, width, val);
}

int ims_viommu_mmio_read(struct ims_ctx *ctx, uint32_t viommu_id, uint64_t off, unsigned width,
			 uint64_t *val)
{
	if (ctx && !val)
		return ims_err(ctx, -EINVAL, "vIOMMU mmio: val is NULL");
	return viommu_mmio(ctx, viommu_id, false, off, width, val);
}

int ims_viommu_mmio_write(struct ims_ctx *ctx, uint32_t viommu_id, uint64_t off,
			  unsigned width, uint64_t val)
{
	return viommu_mmio(ctx, viommu_id, true, off, width, &val);
}

/* ---- vDEVICE ------------------------------------------------------------------------- */

static void vdevice_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct ims_vdevice *vd = IMS_CONTAINER_OF(obj, struct ims_vdevice, obj);

	if (vd->mvdev && ctx->model->vdevice_free)
		ctx->model->vdevice_free(ctx->model_inst, vd->mvdev);
	vd->mvdev = NULL;
	ims_list_del(&vd->item);
	if (vd->idev && vd->idev->vdev == vd)
		vd->idev->vdev = NULL;
	vd->idev = NULL;
	if (vd->viommu)
		ims_obj_put(&vd->viommu->obj);
	vd->viommu = NULL;
}

static const struct ims_obj_ops vdevice_ops = {
	.name = "VDEVICE",
	.destroy = vdevice_destroy,
};

int ims_cmd_vdevice_alloc(struct ims_ucmd *ucmd)
{
	struct ims_vdevice_alloc *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_list *pos, *nxt;
	struct ims_vdevice *vd;
	struct ims_device *idev;
	struct ims_viommu *v;
	int rc;

	v = ims_viommu_find(ctx, cmd->viommu_id);
	if (!v)
		return ims_err(ctx, -ENOENT, "VDEVICE_ALLOC: %u is not a vIOMMU", cmd->viommu_id);
	idev = ims_device_find(ctx, cmd->dev_id);
	if (!idev)
		return ims_err(ctx, -ENOENT, "VDEVICE_ALLOC: %u is not a device", cmd->dev_id);
	if (idev->desc.unit != v->unit)
		return ims_err(ctx, -EINVAL,
			       "VDEVICE_ALLOC: device %u is on unit %u, vIOMMU %u on unit %u",
			       idev->obj.id, idev->desc.unit, v->obj.id, v->unit);
	if (idev->destroying)
		return ims_err(ctx, -ENOENT, "VDEVICE_ALLOC: device %u is being unbound",
			       idev->obj.id);
	if (idev->vdev)
		return ims_err(ctx, -EEXIST, "VDEVICE_ALLOC: device %u has vDEVICE %u already",
			       idev->obj.id, idev->vdev->obj.id);
	ims_list_for_each_safe(pos, nxt, &v->vdevs) {
		struct ims_vdevice *o = IMS_CONTAINER_OF(pos, struct ims_vdevice, item);

		if (o->virt_id == cmd->virt_id)
			return ims_err(ctx, -EEXIST,
				       "VDEVICE_ALLOC: virt_id 0x%llx is vDEVICE %u's on vIOMMU %u",
				       (unsigned long long)cmd->virt_id, o->obj.id, v->obj.id);
	}
	vd = ims_obj_alloc(ctx, sizeof(*vd), IMS_OBJ_VDEVICE, &vdevice_ops, &rc);
	if (!vd)
		return rc;
	ims_list_init(&vd->item);
	ims_obj_get(&v->obj);
	vd->viommu = v;
	vd->virt_id = cmd->virt_id;
	if (ctx->model->vdevice_alloc) {
		rc = ctx->model->vdevice_alloc(ctx->model_inst, v->mv, idev->mdev, cmd->virt_id,
					       &vd->mvdev);
		if (rc) {
			vd->mvdev = NULL;
			ims_err(ctx, rc, "VDEVICE_ALLOC: the model refused virt_id 0x%llx",
				(unsigned long long)cmd->virt_id);
			ims_obj_abort(ctx, &vd->obj);
			return rc;
		}
	}
	ims_list_add_tail(&v->vdevs, &vd->item);
	/* The device owns the vDEVICE's lifetime from now on (§1, tombstones). */
	vd->idev = idev;
	idev->vdev = vd;
	cmd->out_vdevice_id = vd->obj.id;
	ims_ucmd_respond(ucmd, sizeof(*cmd));
	ims_obj_finalize(ctx, &vd->obj);
	return 0;
}

/* ---- HW queue ------------------------------------------------------------------------- */

static void hw_queue_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct ims_hw_queue *q = IMS_CONTAINER_OF(obj, struct ims_hw_queue, obj);

	if (q->mq && ctx->model->hw_queue_free)
		ctx->model->hw_queue_free(ctx->model_inst, q->mq);
	q->mq = NULL;
	ims_list_del(&q->item);
	if (q->dep)
		ims_obj_put(&q->dep->obj);
	q->dep = NULL;
	if (q->pinned)
		ims_iopt_unpin(&q->viommu->hwpt->ioas->iopt, &q->pin);
	q->pinned = false;
	if (q->viommu)
		ims_obj_put(&q->viommu->obj);
	q->viommu = NULL;
}

static const struct ims_obj_ops hw_queue_ops = {
	.name = "HW_QUEUE",
	.destroy = hw_queue_destroy,
};

int ims_hw_queue_depend(struct ims_ctx *ctx, struct ims_hw_queue *q, struct ims_hw_queue *dep)
{
	if (!ctx || !q || !dep || q == dep || q->viommu != dep->viommu || q->dep)
		return -EINVAL;
	ims_obj_get(&dep->obj);
	q->dep = dep;
	return 0;
}

int ims_cmd_hw_queue_alloc(struct ims_ucmd *ucmd)
{
	struct ims_hw_queue_alloc *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_hw_queue *q;
	struct ims_viommu *v;
	uint64_t first, last;
	int rc;

	if (cmd->flags)
		return ims_err(ctx, -EOPNOTSUPP, "HW_QUEUE_ALLOC: flags 0x%x must be 0", cmd->flags);
	if (cmd->type == IMS_HW_QUEUE_TYPE_DEFAULT)
		return ims_err(ctx, -EOPNOTSUPP, "HW_QUEUE_ALLOC: type DEFAULT is reserved");
	if (!cmd->length)
		return ims_err(ctx, -EINVAL, "HW_QUEUE_ALLOC: length is 0");
	if (cmd->length - 1 > UINT64_MAX - cmd->nesting_parent_iova)
		return ims_err(ctx, -EOVERFLOW, "HW_QUEUE_ALLOC: iova + length - 1 wraps");
	v = ims_viommu_find(ctx, cmd->viommu_id);
	if (!v)
		return ims_err(ctx, -ENOENT, "HW_QUEUE_ALLOC: %u is not a vIOMMU", cmd->viommu_id);
	if (!ctx->model->hw_queue_alloc || !ctx->model->hw_queue_free)
		return ims_err(ctx, -EOPNOTSUPP, "HW_QUEUE_ALLOC: the model has no HW queues");
	q = ims_obj_alloc(ctx, sizeof(*q), IMS_OBJ_HW_QUEUE, &hw_queue_ops, &rc);
	if (!q)
		return rc;
	ims_list_init(&q->item);
	ims_obj_get(&v->obj);
	q->viommu = v;
	q->type = cmd->type;
	q->index = cmd->index;
	/* Pin the ring's whole pages through stage 2 (the kernel's internal
	 * access, iommufd_hw_queue_alloc_phys); the hardware needs one
	 * physically contiguous run. */
	first = cmd->nesting_parent_iova & ~(IMS_PAGE_SIZE - 1);
	last = (cmd->nesting_parent_iova + cmd->length - 1) | (IMS_PAGE_SIZE - 1);
	rc = ims_iopt_pin(&v->hwpt->ioas->iopt, first, last - first + 1, &q->pin);
	if (rc) {
		ims_err(ctx, rc, "HW_QUEUE_ALLOC: [0x%llx, 0x%llx] cannot be pinned in IOAS %u",
			(unsigned long long)first, (unsigned long long)last, v->hwpt->ioas->obj.id);
		goto err;
	}
	q->pinned = true;
	if (!q->pin.contiguous) {
		rc = ims_err(ctx, -EFAULT, "HW_QUEUE_ALLOC: the ring is not physically contiguous");
		goto err;
	}
	rc = ctx->model->hw_queue_alloc(ctx->model_inst, q, v->mv, cmd->type, cmd->index,
					q->pin.pa + (cmd->nesting_parent_iova - first), cmd->length,
					&q->mq);
	if (rc) {
		q->mq = NULL;
		ims_err(ctx, rc, "HW_QUEUE_ALLOC: the model refused type %u index %u", cmd->type,
			cmd->index);
		goto err;
	}
	ims_list_add_tail(&v->hw_queues, &q->item);
	cmd->out_hw_queue_id = q->obj.id;
	ims_ucmd_respond(ucmd, sizeof(*cmd));
	ims_obj_finalize(ctx, &q->obj);
	return 0;

err:
	ims_obj_abort(ctx, &q->obj);
	return rc;
}
