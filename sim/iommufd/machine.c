/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/machine — hardware-level access to a context's IOMMU units:
 * register reads and writes and DMA by raw requester ID, passed straight to
 * the model (as a hardware test bench pokes the silicon, DESIGN.md "hardware
 * half and driver half").
 */
#include <errno.h>

#include "sim/iommufd/iommufd_priv.h"

int ims_mmio_read(struct ims_ctx *ctx, unsigned unit, uint64_t off, unsigned width,
		  uint64_t *val)
{
	if (!ctx->model || !ctx->model->mmio_read)
		return ims_err(ctx, -ENODEV, "mmio: the model has no registers");
	if (width != 4 && width != 8)
		return ims_err(ctx, -EINVAL, "mmio: width %u is not 4 or 8", width);
	return ctx->model->mmio_read(ctx->model_inst, unit, off, width, val);
}

int ims_mmio_write(struct ims_ctx *ctx, unsigned unit, uint64_t off, unsigned width,
		   uint64_t val)
{
	if (!ctx->model || !ctx->model->mmio_write)
		return ims_err(ctx, -ENODEV, "mmio: the model has no registers");
	if (width != 4 && width != 8)
		return ims_err(ctx, -EINVAL, "mmio: width %u is not 4 or 8", width);
	return ctx->model->mmio_write(ctx->model_inst, unit, off, width, val);
}

int ims_dma_raw(struct ims_ctx *ctx, const struct ims_dma_req *req, struct ims_dma_result *res)
{
	if (!ctx->model || !ctx->model->dma)
		return ims_err(ctx, -ENODEV, "dma: the context has no IOMMU model");
	if (!req || !res)
		return ims_err(ctx, -EINVAL, "dma: no request");
	/* One page-bounded piece at a time (a zero-length read is legal). */
	if (req->len > 4096 || (req->addr & 4095) + req->len > 4096)
		return ims_err(ctx, -EINVAL, "dma: request crosses a 4 KiB page");
	return ctx->model->dma(ctx->model_inst, req, res);
}
