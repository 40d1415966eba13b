/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/eventq — vEVENTQ objects: per-vIOMMU, per-type queues of
 * hardware events forwarded to the guest (iommufd §2.20, §5.4; the kernel's
 * drivers/iommu/iommufd/eventq.c and iommufd_viommu_report_event).
 *
 * Every event produced takes the next sequence number (0..INT32_MAX, then 0
 * again), including events that are dropped because the queue holds `depth`
 * of them.  A drop leaves one payload-less LOST_EVENTS header at the tail,
 * carrying the number of the last dropped event; it is removed from the tail
 * when the next event (real or dropped) is produced, so the reader sees
 * either a gap in the numbers or the marker.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"

/* A payload the queue accepts: event records are a few dozen bytes. */
#define MAX_EVENT_BYTES 4096

struct ims_vevent {
	struct ims_list link;
	uint32_t sequence;
	uint32_t len;
	uint8_t *data; /* len bytes, allocated with the struct */
};

static struct ims_vevent *to_event(struct ims_list *l)
{
	return IMS_CONTAINER_OF(l, struct ims_vevent, link);
}

static void veventq_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct ims_veventq *q = IMS_CONTAINER_OF(obj, struct ims_veventq, obj);

	while (!ims_list_empty(&q->deliver)) {
		struct ims_vevent *e = to_event(q->deliver.next);

		ims_list_del(&e->link);
		free(e);
	}
	ims_list_del(&q->item);
	if (q->viommu)
		ims_obj_put(&q->viommu->obj);
	q->viommu = NULL;
}

static const struct ims_obj_ops veventq_ops = {
	.name = "VEVENTQ",
	.destroy = veventq_destroy,
};

static struct ims_veventq *find_type(struct ims_viommu *v, uint32_t type)
{
	struct ims_list *pos, *nxt;

	ims_list_for_each_safe(pos, nxt, &v->veventqs) {
		struct ims_veventq *q = IMS_CONTAINER_OF(pos, struct ims_veventq, item);

		if (q->type == type)
			return q;
	}
	return NULL;
}

int ims_cmd_veventq_alloc(struct ims_ucmd *ucmd)
{
	struct ims_veventq_alloc *cmd = ucmd->cmd;
	struct ims_ctx *ctx = ucmd->ctx;
	struct ims_veventq *q;
	struct ims_viommu *v;
	int rc;

	if (cmd->flags || cmd->reserved)
		return ims_err(ctx, -EOPNOTSUPP, "VEVENTQ_ALLOC: flags and reserved must be 0");
	if (cmd->type == IMS_VEVENTQ_TYPE_DEFAULT)
		return ims_err(ctx, -EOPNOTSUPP, "VEVENTQ_ALLOC: type DEFAULT is reserved");
	if (!cmd->veventq_depth)
		return ims_err(ctx, -EINVAL, "VEVENTQ_ALLOC: veventq_depth is 0");
	v = ims_viommu_find(ctx, cmd->viommu_id);
	if (!v)
		return ims_err(ctx, -ENOENT, "VEVENTQ_ALLOC: %u is not a vIOMMU", cmd->viommu_id);
	q = find_type(v, cmd->type);
	if (q)
		return ims_err(ctx, -EEXIST, "VEVENTQ_ALLOC: vIOMMU %u has queue %u of type %u",
			       v->obj.id, q->obj.id, cmd->type);
	q = ims_obj_alloc(ctx, sizeof(*q), IMS_OBJ_VEVENTQ, &veventq_ops, &rc);
	if (!q)
		return rc;
	ims_list_init(&q->deliver);
	ims_obj_get(&v->obj);
	q->viommu = v;
	q->type = cmd->type;
	q->depth = cmd->veventq_depth;
	ims_list_add_tail(&v->veventqs, &q->item);
	cmd->out_veventq_id = q->obj.id;
	cmd->out_veventq_fd = 0xffffffffu;
	ims_ucmd_respond(ucmd, sizeof(*cmd));
	ims_obj_finalize(ctx, &q->obj);
	return 0;
}

/* The sequence number of the event being produced (kernel
 * iommufd_vevent_handler: bounded to INT_MAX). */
static uint32_t next_sequence(struct ims_veventq *q)
{
	uint32_t s = q->sequence;

	q->sequence = (q->sequence + 1) & INT32_MAX;
	return s;
}

int ims_report_vevent(struct ims_ctx *ctx, struct ims_viommu *viommu, uint32_t type,
		      const void *data, size_t len)
{
	struct ims_veventq *q;
	struct ims_vevent *e = NULL;

	if (!ctx || !viommu || (len && !data) || len > MAX_EVENT_BYTES)
		return -EINVAL;
	q = find_type(viommu, type);
	if (!q)
		return -ENOENT;
	if (q->num_events < q->depth)
		e = malloc(sizeof(*e) + len);
	/* Whatever is produced next replaces the marker at the tail. */
	q->lost_queued = false;
	if (!e) {
		/* Full (or out of host memory): the event is lost, its number
		 * goes to the marker. */
		q->lost_queued = true;
		q->lost_sequence = next_sequence(q);
		return 0;
	}
	e->data = (uint8_t *)(e + 1);
	e->len = (uint32_t)len;
	if (len)
		memcpy(e->data, data, len);
	e->sequence = next_sequence(q);
	ims_list_add_tail(&q->deliver, &e->link);
	q->num_events++;
	return 0;
}

long ims_veventq_read(struct ims_ctx *ctx, uint32_t veventq_id, void *buf, size_t len)
{
	const size_t hdr = sizeof(struct ims_vevent_header);
	struct ims_vevent_header h;
	struct ims_veventq *q;
	struct ims_obj *o;
	uint8_t *out = buf;
	size_t done = 0;

	if (!ctx)
		return -EBADF;
	ctx->errmsg[0] = '\0';
	o = ims_obj_find(ctx, veventq_id, IMS_OBJ_VEVENTQ);
	q = o ? IMS_CONTAINER_OF(o, struct ims_veventq, obj) : NULL;
	if (!q)
		return ims_err(ctx, -ENOENT, "vEVENTQ read: %u is not a vEVENTQ", veventq_id);
	if (len && !buf)
		return ims_err(ctx, -EFAULT, "vEVENTQ read: buf is NULL");
	/* Whole events only (kernel iommufd_veventq_fops_read). */
	while (!ims_list_empty(&q->deliver)) {
		struct ims_vevent *e = to_event(q->deliver.next);

		if (hdr + e->len > len - done)
			return (long)done;
		h.flags = 0;
		h.sequence = e->sequence;
		memcpy(out + done, &h, hdr);
		memcpy(out + done + hdr, e->data, e->len);
		done += hdr + e->len;
		ims_list_del(&e->link);
		q->num_events--;
		free(e);
	}
	if (q->lost_queued && hdr <= len - done) {
		h.flags = IMS_VEVENTQ_FLAG_LOST_EVENTS;
		h.sequence = q->lost_sequence;
		memcpy(out + done, &h, hdr);
		done += hdr;
		q->lost_queued = false;
	}
	return (long)done;
}
