/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/stubs — commands and services declared in the public headers
 * whose object kinds are not implemented yet (devices, HWPTs, faults,
 * vIOMMU, vDEVICE, vEVENTQ, HW queues, the oracle).  Each answers -ENOSYS
 * after the dispatcher's size checks.  When a kind gets its own file, its
 * functions move there and leave this file.
 */
#include <errno.h>

#include "sim/iommufd/iommufd_priv.h"

static int nosys(struct ims_ucmd *ucmd, const char *what)
{
	return ims_err(ucmd->ctx, -ENOSYS, "%s is not implemented yet", what);
}

int ims_cmd_hwpt_alloc(struct ims_ucmd *ucmd) { return nosys(ucmd, "HWPT_ALLOC"); }
int ims_cmd_get_hw_info(struct ims_ucmd *ucmd) { return nosys(ucmd, "GET_HW_INFO"); }
int ims_cmd_hwpt_set_dirty_tracking(struct ims_ucmd *ucmd)
{
	return nosys(ucmd, "HWPT_SET_DIRTY_TRACKING");
}
int ims_cmd_hwpt_get_dirty_bitmap(struct ims_ucmd *ucmd)
{
	return nosys(ucmd, "HWPT_GET_DIRTY_BITMAP");
}
int ims_cmd_hwpt_invalidate(struct ims_ucmd *ucmd) { return nosys(ucmd, "HWPT_INVALIDATE"); }
int ims_cmd_fault_queue_alloc(struct ims_ucmd *ucmd) { return nosys(ucmd, "FAULT_QUEUE_ALLOC"); }
int ims_cmd_viommu_alloc(struct ims_ucmd *ucmd) { return nosys(ucmd, "VIOMMU_ALLOC"); }
int ims_cmd_vdevice_alloc(struct ims_ucmd *ucmd) { return nosys(ucmd, "VDEVICE_ALLOC"); }
int ims_cmd_veventq_alloc(struct ims_ucmd *ucmd) { return nosys(ucmd, "VEVENTQ_ALLOC"); }
int ims_cmd_hw_queue_alloc(struct ims_ucmd *ucmd) { return nosys(ucmd, "HW_QUEUE_ALLOC"); }
int ims_cmd_device_bind(struct ims_ucmd *ucmd) { return nosys(ucmd, "DEVICE_BIND"); }
int ims_cmd_device_unbind(struct ims_ucmd *ucmd) { return nosys(ucmd, "DEVICE_UNBIND"); }
int ims_cmd_device_attach(struct ims_ucmd *ucmd) { return nosys(ucmd, "DEVICE_ATTACH"); }
int ims_cmd_device_replace(struct ims_ucmd *ucmd) { return nosys(ucmd, "DEVICE_REPLACE"); }
int ims_cmd_device_detach(struct ims_ucmd *ucmd) { return nosys(ucmd, "DEVICE_DETACH"); }

long ims_fault_read(struct ims_ctx *ctx, uint32_t fault_id, void *buf, size_t len)
{
	return ims_err(ctx, -ENOSYS, "fault read is not implemented yet");
}

long ims_fault_write(struct ims_ctx *ctx, uint32_t fault_id, const void *buf, size_t len)
{
	return ims_err(ctx, -ENOSYS, "fault write is not implemented yet");
}

long ims_veventq_read(struct ims_ctx *ctx, uint32_t veventq_id, void *buf, size_t len)
{
	return ims_err(ctx, -ENOSYS, "vEVENTQ read is not implemented yet");
}

int ims_viommu_mmio_read(struct ims_ctx *ctx, uint32_t viommu_id, uint64_t off,
			 unsigned width, uint64_t *val)
{
	return ims_err(ctx, -ENOSYS, "vIOMMU MMIO is not implemented yet");
}

int ims_viommu_mmio_write(struct ims_ctx *ctx, uint32_t viommu_id, uint64_t off,
			  unsigned width, uint64_t val)
{
	return ims_err(ctx, -ENOSYS, "vIOMMU MMIO is not implemented yet");
}

int ims_dma(struct ims_ctx *ctx, uint32_t dev_id, const struct ims_dma_req *req,
	    struct ims_dma_result *res)
{
	return ims_err(ctx, -ENOSYS, "DMA by device is not implemented yet");
}

int ims_oracle(struct ims_ctx *ctx, uint32_t dev_id, uint32_t pasid, uint64_t iova,
	       unsigned access, struct ims_dma_result *res)
{
	return ims_err(ctx, -ENOSYS, "the oracle is not implemented yet");
}

int ims_report_iopf(struct ims_ctx *ctx, struct ims_device *dev, const struct ims_iopf *f)
{
	return -ENOSYS;
}

int ims_report_vevent(struct ims_ctx *ctx, struct ims_viommu *viommu, uint32_t type,
		      const void *data, size_t len)
{
	return -ENOSYS;
}

int ims_hw_queue_depend(struct ims_ctx *ctx, struct ims_hw_queue *q, struct ims_hw_queue *dep)
{
	return -ENOSYS;
}

void ims_dirty_record(struct ims_dirty_bitmap *bm, uint64_t iova, uint64_t len)
{
}
