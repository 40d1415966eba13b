/* SPDX-License-Identifier: MIT */
/*
 * Queues and vIOMMU objects (iommufd.md §2.16-2.21): fault.alloc,
 * fault.read, fault.respond, viommu.alloc, vdevice.alloc, veventq.alloc,
 * veventq.read and hw_queue.alloc.
 *
 * fault.read and veventq.read take one record per statement (traces/
 * FORMAT.md §5): FAULT queues hand out whole groups, so replay keeps the
 * records of a group it read and gives them out one by one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/replay/replay_priv.h"

#define RP_FAULT_BATCH 256 /* records read from a FAULT queue at once */

static bool kv_num(struct ims_replay *r, const struct ims_trace_stmt *st, enum ims_trace_key k,
		   uint64_t *out)
{
	const struct ims_trace_arg *a = ims_trace_kv(st, k);

	*out = 0;
	return !a || rp_num(r, st->line, &a->v, out);
}

static bool kv_id(struct ims_replay *r, const struct ims_trace_stmt *st, enum ims_trace_key k,
		  uint32_t *out)
{
	const struct ims_trace_arg *a = ims_trace_kv(st, k);

	*out = 0;
	return !a || rp_objid(r, st->line, a, out);
}

static bool u32_of(struct ims_replay *r, const struct ims_trace_stmt *st, const char *what,
		   uint64_t v, uint32_t *out)
{
	if (v > UINT32_MAX) {
		rp_error(r, st->line, "%s: %s=0x%" PRIx64 " is wider than 32 bits",
			 ims_trace_verb_name(st->verb), what, v);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* The outcome of a queue read ("ok", "empty" or an errno) against expect=
 * (ok when absent): true when a record was read and its keys are to be
 * checked. */
static bool read_outcome(struct ims_replay *r, const struct ims_trace_stmt *st, int rc,
			 bool got)
{
	char e1[32], w[64];
	const char *g = rc ? rp_errname(rc, e1, sizeof(e1)) : got ? "ok" : "empty";
	bool ok;

	r->sum.api_calls++;
	switch (st->expect.kind) {
	case IMS_TRACE_X_NONE:
		if (rc) {
			rp_error(r, st->line, "%s failed: %s", ims_trace_verb_name(st->verb), g);
			return false;
		}
		/* Without expect= a read means to find a record. */
		r->sum.expectations++;
		if (!got)
			rp_fail(r, st->line, "a record", "empty");
		return got;
	case IMS_TRACE_X_OK:
		ok = !rc && got;
		break;
	case IMS_TRACE_X_EMPTY:
		ok = !rc && !got;
		break;
	case IMS_TRACE_X_ERRNO:
		ok = rc == -st->expect.err;
		break;
	default:
		ok = false;
		break;
	}
	r->sum.expectations++;
	if (!ok)
		rp_fail(r, st->line, rp_expect_text(r, st, w, sizeof(w)), g);
	return !rc && got && st->expect.kind == IMS_TRACE_X_OK;
}

static void stmt_fault_read(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct ims_trace_arg *as = ims_trace_kv(st, IMS_TRACE_K_AS);
	struct ims_hwpt_pgfault rec = { 0 }, tmp;
	uint32_t id;
	bool got = false;
	int rc = 0;

	if (!rp_objid(r, st->line, &st->pos[0], &id))
		return;
	struct rp_obj *o = rp_obj_get(r, id, RPO_FAULT);
	if (o && o->pos == o->nrec) {
		if (!o->rec) {
			o->rec = calloc(RP_FAULT_BATCH, sizeof(*o->rec));
			if (!o->rec) {
				rp_error(r, st->line, "out of memory");
				return;
			}
		}
		long n = ims_fault_read(r->ctx, id, o->rec, RP_FAULT_BATCH * sizeof(*o->rec));
		o->pos = 0;
		o->nrec = n > 0 ? (uint32_t)(n / (long)sizeof(*o->rec)) : 0;
		rc = n < 0 ? (int)n : 0;
	} else if (!o) {
		/* Not a FAULT queue replay knows: let the API say what it is. */
		long n = ims_fault_read(r->ctx, id, &tmp, sizeof(tmp));
		rc = n < 0 ? (int)n : 0;
		if (n > 0) {
			rec = tmp;
			got = true;
		}
	}
	if (o && o->pos < o->nrec) {
		rec = o->rec[o->pos++];
		got = true;
	}
	if (!read_outcome(r, st, rc, got)) {
		if (as)
			rp_bind_failed(r, st, as->v.name);
		return;
	}
	if (as)
		rp_bind_val(r, st, as->v.name, rec.cookie);
	for (unsigned i = 0; i < st->nkv; i++) {
		const struct ims_trace_arg *a = &st->kv[i];
		uint64_t v = 0;
		uint32_t dev;
		switch (a->key) {
		case IMS_TRACE_K_DEV:
			if (rp_objid(r, st->line, a, &dev))
				rp_check_field(r, st, "dev", dev, rec.dev_id, false);
			break;
		case IMS_TRACE_K_PASID:
			if (!rp_num(r, st->line, &a->v, &v))
				return;
			rp_check_field(r, st, "pasid", v,
				       (rec.flags & IMS_PGFAULT_FLAGS_PASID_VALID) ? rec.pasid
										   : UINT64_MAX,
				       false);
			break;
		case IMS_TRACE_K_ADDR:
			if (rp_num(r, st->line, &a->v, &v))
				rp_check_field(r, st, "addr", v, rec.addr, true);
			break;
		case IMS_TRACE_K_PERM:
			rp_check_field(r, st, "perm", a->v.num, rec.perm, true);
			break;
		case IMS_TRACE_K_GRPID:
			if (rp_num(r, st->line, &a->v, &v))
				rp_check_field(r, st, "grpid", v, rec.grpid, false);
			break;
		case IMS_TRACE_K_LAST:
			rp_check_field(r, st, "last", 1,
				       (rec.flags & IMS_PGFAULT_FLAGS_LAST_PAGE) ? 1 : 0, false);
			break;
		default:
			break;
		}
	}
}

static void stmt_fault_respond(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	struct ims_hwpt_page_response resp;
	uint64_t cookie, code;
	uint32_t id;

	if (!rp_objid(r, st->line, &st->pos[0], &id) || !kv_num(r, st, IMS_TRACE_K_COOKIE, &cookie) ||
	    !kv_num(r, st, IMS_TRACE_K_CODE, &code) || !u32_of(r, st, "cookie", cookie, &resp.cookie) ||
	    !u32_of(r, st, "code", code, &resp.code))
		return;
	long n = ims_fault_write(r->ctx, id, &resp, sizeof(resp));
	rp_api(r, st, n < 0 ? (int)n : n == (long)sizeof(resp) ? 0 : -EIO);
}

/* The vIOMMU type a model offers when viommu.alloc names none. */
static uint32_t own_viommu_type(const struct ims_replay *r)
{
	if (!strcmp(r->model->name, "smmuv3"))
		return IMS_VIOMMU_TYPE_ARM_SMMUV3;
	if (!strcmp(r->model->name, "amdvi"))
		return IMS_VIOMMU_TYPE_AMD;
	return IMS_VIOMMU_TYPE_DEFAULT; /* VT-d has none: the API says EOPNOTSUPP */
}

static void stmt_viommu(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct ims_trace_arg *t = ims_trace_kv(st, IMS_TRACE_K_TYPE);
	struct ims_viommu_alloc c = { .size = sizeof(c), .type = own_viommu_type(r) };
	uint64_t v;

	if (!kv_id(r, st, IMS_TRACE_K_DEV, &c.dev_id) || !kv_id(r, st, IMS_TRACE_K_HWPT, &c.hwpt_id))
		return;
	if (t && (!rp_num(r, st->line, &t->v, &v) || !u32_of(r, st, "type", v, &c.type)))
		return;
	if (!rp_api(r, st, ims_viommu_alloc(r->ctx, &c))) {
		rp_bind_failed(r, st, st->pos[0].v.name);
		return;
	}
	rp_bind_obj(r, st, st->pos[0].v.name, c.out_viommu_id, RPO_VIOMMU);
	struct rp_obj *o = rp_obj_get(r, c.out_viommu_id, RPO_VIOMMU);
	const struct rp_obj *p = rp_obj_get(r, c.hwpt_id, RPO_NONE);
	if (o) {
		o->parent = c.hwpt_id;
		o->ioas = p ? p->ioas : 0;
	}
}

static void stmt_vdevice(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	struct ims_vdevice_alloc c = { .size = sizeof(c) };

	if (!kv_id(r, st, IMS_TRACE_K_VIOMMU, &c.viommu_id) ||
	    !kv_id(r, st, IMS_TRACE_K_DEV, &c.dev_id) || !kv_num(r, st, IMS_TRACE_K_VIRT_ID, &c.virt_id))
		return;
	if (rp_api(r, st, ims_vdevice_alloc(r->ctx, &c)))
		rp_bind_obj(r, st, st->pos[0].v.name, c.out_vdevice_id, RPO_VDEVICE);
	else
		rp_bind_failed(r, st, st->pos[0].v.name);
}

static void stmt_veventq(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	struct ims_veventq_alloc c = { .size = sizeof(c) };
	uint64_t type, depth;

	if (!kv_id(r, st, IMS_TRACE_K_VIOMMU, &c.viommu_id) ||
	    !kv_num(r, st, IMS_TRACE_K_TYPE, &type) || !kv_num(r, st, IMS_TRACE_K_DEPTH, &depth) ||
	    !u32_of(r, st, "type", type, &c.type) || !u32_of(r, st, "depth", depth, &c.veventq_depth))
		return;
	if (!rp_api(r, st, ims_veventq_alloc(r->ctx, &c))) {
		rp_bind_failed(r, st, st->pos[0].v.name);
		return;
	}
	rp_bind_obj(r, st, st->pos[0].v.name, c.out_veventq_id, RPO_VEVENTQ);
	struct rp_obj *o = rp_obj_get(r, c.out_veventq_id, RPO_VEVENTQ);
	if (o)
		o->type = c.type;
}

static void stmt_veventq_read(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	struct {
		struct ims_vevent_header h;
		uint64_t evt[4];
	} e;
	uint32_t id;
	size_t payload = 32;

	memset(&e, 0, sizeof(e));
	if (!rp_objid(r, st->line, &st->pos[0], &id))
		return;
	const struct rp_obj *o = rp_obj_get(r, id, RPO_VEVENTQ);
	if (o && o->type == IMS_VEVENTQ_TYPE_TEGRA241_CMDQV)
		payload = sizeof(struct ims_vevent_tegra241_cmdqv);
	/* Room for exactly one event: the read stops before the next. */
	long n = ims_veventq_read(r->ctx, id, &e, sizeof(e.h) + payload);
	if (!read_outcome(r, st, n < 0 ? (int)n : 0, n > 0))
		return;
	const bool lost = (e.h.flags & IMS_VEVENTQ_FLAG_LOST_EVENTS) != 0;
	for (unsigned i = 0; i < st->nkv; i++) {
		const struct ims_trace_arg *a = &st->kv[i];
		const char *key = ims_trace_key_name((enum ims_trace_key)a->key);
		uint64_t v = 0, got;
		if (a->type != IMS_TRACE_A_FLAG && !rp_num(r, st->line, &a->v, &v))
			return;
		switch (a->key) {
		case IMS_TRACE_K_SEQ:
			rp_check_field(r, st, key, v, e.h.sequence, false);
			continue;
		case IMS_TRACE_K_LOST:
			rp_check_field(r, st, key, 1, lost, false);
			continue;
		case IMS_TRACE_K_CODE: /* SMMUv3 event record: type in bits 7:0 */
			got = e.evt[0] & 0xFF;
			break;
		case IMS_TRACE_K_VIRT_ID: /* the vSID in bits 63:32 */
			got = e.evt[0] >> 32;
			break;
		case IMS_TRACE_K_ADDR: /* InputAddr, bits 191:128 (IHI0070 §7.3) */
			got = e.evt[2];
			break;
		case IMS_TRACE_K_EVT0: case IMS_TRACE_K_EVT1: case IMS_TRACE_K_EVT2:
		case IMS_TRACE_K_EVT3:
			got = e.evt[a->key - IMS_TRACE_K_EVT0];
			break;
		default:
			continue;
		}
		rp_check_field(r, st, key, v, got, true);
	}
}

static void stmt_hw_queue(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	struct ims_hw_queue_alloc c = { .size = sizeof(c) };
	uint64_t type, index;

	if (!kv_id(r, st, IMS_TRACE_K_VIOMMU, &c.viommu_id) ||
	    !kv_num(r, st, IMS_TRACE_K_TYPE, &type) || !kv_num(r, st, IMS_TRACE_K_INDEX, &index) ||
	    !kv_num(r, st, IMS_TRACE_K_IOVA, &c.nesting_parent_iova) ||
	    !kv_num(r, st, IMS_TRACE_K_LEN, &c.length) || !u32_of(r, st, "type", type, &c.type) ||
	    !u32_of(r, st, "index", index, &c.index))
		return;
	if (rp_api(r, st, ims_hw_queue_alloc(r->ctx, &c)))
		rp_bind_obj(r, st, st->pos[0].v.name, c.out_hw_queue_id, RPO_HWQ);
	else
		rp_bind_failed(r, st, st->pos[0].v.name);
}

void rp_queue_stmt(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	switch (st->verb) {
	case IMS_TRACE_V_FAULT_ALLOC: {
		struct ims_fault_alloc c = { .size = sizeof(c) };
		if (rp_api(r, st, ims_fault_queue_alloc(r->ctx, &c)))
			rp_bind_obj(r, st, st->pos[0].v.name, c.out_fault_id, RPO_FAULT);
		else
			rp_bind_failed(r, st, st->pos[0].v.name);
		break;
	}
	case IMS_TRACE_V_FAULT_READ:
		stmt_fault_read(r, st);
		break;
	case IMS_TRACE_V_FAULT_RESPOND:
		stmt_fault_respond(r, st);
		break;
	case IMS_TRACE_V_VIOMMU_ALLOC:
		stmt_viommu(r, st);
		break;
	case IMS_TRACE_V_VDEVICE_ALLOC:
		stmt_vdevice(r, st);
		break;
	case IMS_TRACE_V_VEVENTQ_ALLOC:
		stmt_veventq(r, st);
		break;
	case IMS_TRACE_V_VEVENTQ_READ:
		stmt_veventq_read(r, st);
		break;
	case IMS_TRACE_V_HW_QUEUE_ALLOC:
		stmt_hw_queue(r, st);
		break;
	default:
		break;
	}
}
