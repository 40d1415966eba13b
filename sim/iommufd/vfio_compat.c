/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/vfio_compat — IMS_CMD_VFIO_IOAS (iommufd §2.10).
 *
 * Linux uses this IOAS for the legacy VFIO container interface.  The
 * simulator has no container, so the command only records which IOAS would
 * serve; the choice is forgotten when that IOAS is destroyed (ioas.c).
 */
#include <errno.h>

#include "sim/iommufd/iommufd_priv.h"

int ims_cmd_vfio_ioas(struct ims_ucmd *ucmd)
{
	struct ims_vfio_ioas *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;

	if (cmd->reserved)
		return ims_err(ctx, -EOPNOTSUPP, "VFIO_IOAS: reserved must be 0");
	switch (cmd->op) {
	case IMS_VFIO_IOAS_GET:
		if (!ctx->vfio_ioas_id || !ims_ioas_find(ctx, ctx->vfio_ioas_id))
			return ims_err(ctx, -ENODEV, "VFIO_IOAS: no compatibility IOAS");
		cmd->ioas_id = ctx->vfio_ioas_id;
		return ims_ucmd_respond(ucmd, sizeof(*cmd));
	case IMS_VFIO_IOAS_SET:
		if (!ims_ioas_find(ctx, cmd->ioas_id))
			return ims_err(ctx, -ENOENT, "VFIO_IOAS: %u is not an IOAS", cmd->ioas_id);
		ctx->vfio_ioas_id = cmd->ioas_id;
		return 0;
	case IMS_VFIO_IOAS_CLEAR:
		ctx->vfio_ioas_id = 0;
		return 0;
	default:
		return ims_err(ctx, -EOPNOTSUPP, "VFIO_IOAS: unknown op %u", cmd->op);
	}
}
