/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/fault — FAULT queues: page requests (PRI, SMMUv3 stall) from
 * devices attached to a HWPT allocated with FAULT_ID_VALID, read by the user
 * as whole groups and answered with page responses (iommufd §2.16; the
 * kernel's drivers/iommu/iommufd/eventq.c and io-pgfault.c).
 *
 * Requests arrive one page at a time through ims_report_iopf.  As the
 * kernel's iommu_report_device_fault, requests that are not the last of
 * their group wait in the device's partial list; the last one completes the
 * group (same PASID and group index), which is then queued.  Reading a
 * group gives it a cookie; the response names the cookie and is sent to the
 * device for the group's last request.  Groups still open when their
 * attachment goes away (detach, replace, unbind) or when the queue is
 * destroyed are answered INVALID by the core.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"

/* Unfinished requests kept per device before new ones are refused: a
 * device that never sends a last request must not eat the host. */
#define MAX_PARTIAL 1024

struct ims_fault_group {
	struct ims_list link;    /* in fault->deliver or fault->response */
	struct ims_device *idev;
	struct ims_hwpt *hwpt;   /* the attachment it came through */
	uint32_t pasid, grpid;
	uint32_t cookie;         /* 0 until read */
	uint32_t n;
	struct ims_iopf *reqs;   /* n requests, the last one last */
};

static struct ims_fault_group *to_group(struct ims_list *l)
{
	return IMS_CONTAINER_OF(l, struct ims_fault_group, link);
}

static void respond(struct ims_ctx *ctx, struct ims_fault_group *g, uint32_t code)
{
	if (ctx->model->page_response &&
	    ctx->model->page_response(ctx->model_inst, g->idev->mdev, g->pasid, g->grpid, code))
		ctx->internal_errors++;
}

static void free_group(struct ims_fault *fault, struct ims_fault_group *g)
{
	ims_list_del(&g->link);
	fault->ngroups--;
	free(g->reqs);
	free(g);
}

/* Answers INVALID to, and forgets, every group of the queue matching. */
static void respond_matching(struct ims_ctx *ctx, struct ims_fault *fault,
			     bool (*match)(const struct ims_fault_group *g, const void *arg),
			     const void *arg)
{
	struct ims_list *lists[2] = { &fault->deliver, &fault->response };

	for (unsigned i = 0; i < 2; i++) {
		struct ims_list *pos, *nxt;

		ims_list_for_each_safe(pos, nxt, lists[i]) {
			struct ims_fault_group *g = to_group(pos);

			if (match(g, arg)) {
				respond(ctx, g, IMS_PAGE_RESP_INVALID);
				free_group(fault, g);
			}
		}
	}
}

struct attach_key {
	const struct ims_group *group;
	uint32_t pasid;
	const struct ims_hwpt *hwpt;
};

static bool match_attach(const struct ims_fault_group *g, const void *arg)
{
	const struct attach_key *k = arg;

	return g->idev->group == k->group && g->pasid == k->pasid && g->hwpt == k->hwpt;
}

void ims_fault_auto_respond(struct ims_ctx *ctx, struct ims_fault *fault,
			    const struct ims_group *group, uint32_t pasid,
			    const struct ims_hwpt *hwpt)
{
	struct attach_key k = { group, pasid, hwpt };

	respond_matching(ctx, fault, match_attach, &k);
}

static bool match_device(const struct ims_fault_group *g, const void *arg)
{
	return g->idev == arg;
}

static bool match_all(const struct ims_fault_group *g, const void *arg)
{
	return true;
}

void ims_fault_forget_device(struct ims_ctx *ctx, struct ims_device *idev)
{
	/* Groups only come through the device's hardware attachments, and are
	 * answered when one goes away, so these are all the queues to look in. */
	for (uint32_t i = 0; i < idev->nhw; i++) {
		struct ims_fault *fault = idev->hw[i].hwpt->fault;

		if (fault)
			respond_matching(ctx, fault, match_device, idev);
	}
	idev->npartial = 0;
}

/* ---- the FAULT object --------------------------------------------------------------- */

static void fault_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct ims_fault *fault = IMS_CONTAINER_OF(obj, struct ims_fault, obj);

	respond_matching(ctx, fault, match_all, NULL);
}

static const struct ims_obj_ops fault_ops = {
	.name = "FAULT",
	.destroy = fault_destroy,
};

int ims_cmd_fault_queue_alloc(struct ims_ucmd *ucmd)
{
	struct ims_fault_alloc *cmd = ucmd->cmd;
	struct ims_fault *fault;
	int rc;

	if (cmd->flags)
		return ims_err(ucmd->ctx, -EOPNOTSUPP, "FAULT_QUEUE_ALLOC: flags 0x%x must be 0",
			       cmd->flags);
	fault = ims_obj_alloc(ucmd->ctx, sizeof(*fault), IMS_OBJ_FAULT, &fault_ops, &rc);
	if (!fault)
		return rc;
	ims_list_init(&fault->deliver);
	ims_list_init(&fault->response);
	cmd->out_fault_id = fault->obj.id;
	/* No file descriptors in the simulator (ims_fault_read/write instead). */
	cmd->out_fault_fd = 0xffffffffu;
	ims_ucmd_respond(ucmd, sizeof(*cmd));
	ims_obj_finalize(ucmd->ctx, &fault->obj);
	return 0;
}

/* ---- requests from the hardware ------------------------------------------------------ */

int ims_report_iopf(struct ims_ctx *ctx, struct ims_device *idev, const struct ims_iopf *f)
{
	struct ims_fault_group *g;
	struct ims_hwpt *hwpt;
	uint32_t n = 0, k = 0;

	if (!ctx || !idev || !f)
		return -EINVAL;
	hwpt = ims_device_hw_hwpt(idev, f->pasid);
	if (!hwpt)
		return -ENOENT;
	if (!hwpt->fault)
		return -EOPNOTSUPP;
	if (!f->last) {
		if (idev->npartial == MAX_PARTIAL)
			return -ENOSPC;
		if (idev->npartial == idev->cappartial) {
			uint32_t cap = idev->cappartial ? idev->cappartial * 2 : 8;
			struct ims_iopf *v = realloc(idev->partial, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			idev->partial = v;
			idev->cappartial = cap;
		}
		idev->partial[idev->npartial++] = *f;
		return 0;
	}
	/* The last request completes its group: collect the partial ones of
	 * the same PASID and group index, in arrival order. */
	for (uint32_t i = 0; i < idev->npartial; i++)
		if (idev->partial[i].grpid == f->grpid && idev->partial[i].pasid == f->pasid)
			n++;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->reqs = calloc(n + 1, sizeof(*g->reqs));
	if (!g->reqs) {
		free(g);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < idev->npartial; i++) {
		if (idev->partial[i].grpid == f->grpid && idev->partial[i].pasid == f->pasid)
			g->reqs[g->n++] = idev->partial[i];
		else
			idev->partial[k++] = idev->partial[i];
	}
	idev->npartial = k;
	g->reqs[g->n++] = *f;
	g->idev = idev;
	g->hwpt = hwpt;
	g->pasid = f->pasid;
	g->grpid = f->grpid;
	ims_list_add_tail(&hwpt->fault->deliver, &g->link);
	hwpt->fault->ngroups++;
	return 0;
}

/* ---- the user side ----------------------------------------------------------------------- */

/* Lowest cookie from 1 not in use (the kernel's xa_alloc on the response
 * array, XA_FLAGS_ALLOC1). */
static uint32_t new_cookie(struct ims_fault *fault)
{
	uint32_t c = 1;
	bool again = true;

	while (again) {
		struct ims_list *pos, *nxt;

		again = false;
		ims_list_for_each_safe(pos, nxt, &fault->response) {
			if (to_group(pos)->cookie == c) {
				c++;
				again = true;
			}
		}
	}
	return c;
}

long ims_fault_read(struct ims_ctx *ctx, uint32_t fault_id, void *buf, size_t len)
{
	const size_t rec = sizeof(struct ims_hwpt_pgfault);
	struct ims_hwpt_pgfault *out = buf;
	struct ims_fault *fault;
	size_t done = 0;

	if (!ctx)
		return -EBADF;
	ctx->errmsg[0] = '\0';
	fault = ims_fault_find(ctx, fault_id);
	if (!fault)
		return ims_err(ctx, -ENOENT, "fault read: %u is not a FAULT queue", fault_id);
	if (len % rec)
		return ims_err(ctx, -ESPIPE, "fault read: length %zu is not a multiple of %zu", len,
			       rec);
	if (len && !buf)
		return ims_err(ctx, -EFAULT, "fault read: buf is NULL");
	/* Whole groups only: stop at the first that does not fit. */
	while (!ims_list_empty(&fault->deliver)) {
		struct ims_fault_group *g = to_group(fault->deliver.next);

		if ((size_t)g->n * rec > len - done)
			break;
		g->cookie = new_cookie(fault);
		for (uint32_t i = 0; i < g->n; i++) {
			const struct ims_iopf *r = &g->reqs[i];
			struct ims_hwpt_pgfault *p = &out[done / rec];

			memset(p, 0, sizeof(*p));
			p->flags = (r->pasid != IMS_NO_PASID ? IMS_PGFAULT_FLAGS_PASID_VALID : 0) |
				   (r->last ? IMS_PGFAULT_FLAGS_LAST_PAGE : 0);
			p->dev_id = g->idev->obj.id;
			p->pasid = r->pasid != IMS_NO_PASID ? r->pasid : 0;
			p->grpid = r->grpid;
			p->perm = r->perm;
			p->addr = r->addr;
			p->length = r->length;
			p->cookie = g->cookie;
			done += rec;
		}
		ims_list_del(&g->link);
		ims_list_add_tail(&fault->response, &g->link);
	}
	return (long)done;
}

long ims_fault_write(struct ims_ctx *ctx, uint32_t fault_id, const void *buf, size_t len)
{
	const size_t rec = sizeof(struct ims_hwpt_page_response);
	struct ims_fault *fault;
	size_t done = 0;
	int rc = 0;

	if (!ctx)
		return -EBADF;
	ctx->errmsg[0] = '\0';
	fault = ims_fault_find(ctx, fault_id);
	if (!fault)
		return ims_err(ctx, -ENOENT, "fault write: %u is not a FAULT queue", fault_id);
	if (len % rec)
		return ims_err(ctx, -ESPIPE, "fault write: length %zu is not a multiple of %zu",
			       len, rec);
	if (len && !buf)
		return ims_err(ctx, -EFAULT, "fault write: buf is NULL");
	for (; done < len; done += rec) {
		struct ims_hwpt_page_response r;
		struct ims_fault_group *g = NULL;
		struct ims_list *pos, *nxt;

		memcpy(&r, (const uint8_t *)buf + done, rec);
		if (r.code != IMS_PAGE_RESP_SUCCESS && r.code != IMS_PAGE_RESP_INVALID) {
			rc = ims_err(ctx, -EINVAL, "fault write: response %zu has code %u", done / rec,
				     r.code);
			break;
		}
		ims_list_for_each_safe(pos, nxt, &fault->response)
			if (to_group(pos)->cookie == r.cookie)
				g = to_group(pos);
		if (!g) {
			rc = ims_err(ctx, -EINVAL, "fault write: no group has cookie %u", r.cookie);
			break;
		}
		respond(ctx, g, r.code);
		free_group(fault, g);
	}
	/* Bytes consumed, or the error when none were (kernel fault fops write). */
	return done ? (long)done : rc;
}
