/* SPDX-License-Identifier: MIT */
/*
 * `dma DEV ACCESS ADDR [len=N] [pasid=N] [priv] [type=T] [prgi=N] [last]
 * [unit=N] [expect=RESULT]` — the hot path of a replay.
 *
 * The access is cut into page-bounded requests (TRACE-FORMAT.md: "an
 * access that crosses a page is translated page by page"), each sent to the
 * model through ims_dma (a bound device) or ims_dma_raw (a requester
 * declared with `device`, or sid=N).  The statement's outcome, compared
 * with expect=, is the first request that faulted, else the first that was
 * queued or stalled, else the translation of ADDR (traces/FORMAT.md §9).
 *
 * Nothing here allocates or looks anything up by name: the $name is a slot
 * index, the device an object ID, counters are fields of the summary.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim/replay/replay_priv.h"

/* Longest access replayed (page by page): 16 M requests. */
#define RP_DMA_MAX_LEN (64ull << 30)

static const char *const type_name[] = { "untranslated", "translation", "translated",
					  "page_request" };

static void result_line(struct ims_replay *r, const struct ims_trace_stmt *st,
			const struct ims_dma_req *req, const struct ims_dma_result *res)
{
	char line[320], out[64], pasid[16];
	const unsigned a = req->access;

	if (req->pasid == IMS_NO_PASID)
		snprintf(pasid, sizeof(pasid), "none");
	else
		snprintf(pasid, sizeof(pasid), "%" PRIu32, req->pasid);
	switch (res->status) {
	case IMS_DMA_OK:
		snprintf(out, sizeof(out), "pa:0x%" PRIx64, res->pa);
		break;
	case IMS_DMA_QUEUED:
		snprintf(out, sizeof(out), "queued");
		break;
	case IMS_DMA_STALLED:
		snprintf(out, sizeof(out), "stall");
		break;
	default:
		snprintf(out, sizeof(out), "fault:0x%" PRIx32, res->fault);
		break;
	}
	/* One line per request, fields in a fixed order (traces/FORMAT.md
	 * §9 "--results"). */
	snprintf(line, sizeof(line),
		 "%s:%" PRIu64 " %s unit=%" PRIu32 " sid=0x%" PRIx32 " pasid=%s %s%s%s%s%s "
		 "0x%" PRIx64 " len=%" PRIu32 " type=%s -> %s iotlb=%s reads=%u cycles=%" PRIu64,
		 r->file, st->line, r->model->name, req->unit, req->sid, pasid,
		 (a & IMS_PT_ACC_R) ? "r" : "", (a & IMS_PT_ACC_W) ? "w" : "",
		 (a & IMS_PT_ACC_X) ? "x" : "", (a & IMS_PT_ACC_PRIV) ? "p" : "",
		 a ? "" : "-", req->addr, req->len,
		 (unsigned)req->type < 4 ? type_name[req->type] : "?", out,
		 res->iotlb_hit ? "hit" : "miss", res->mem_reads, res->cycles);
	r->o.result(r->o.result_arg, line);
}

/* The statement's outcome as "expect=" would write it. */
static void outcome_text(char *buf, size_t n, bool faulted, uint32_t code, bool queued,
			 bool stalled, uint64_t pa)
{
	if (faulted)
		snprintf(buf, n, "fault:0x%" PRIx32, code);
	else if (queued)
		snprintf(buf, n, "queued");
	else if (stalled)
		snprintf(buf, n, "stall");
	else
		snprintf(buf, n, "pa:0x%" PRIx64, pa);
}

void rp_dma(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	struct ims_dma_req req = { .pasid = IMS_NO_PASID, .type = IMS_DMA_UNTRANSLATED };
	struct ims_dma_result res;
	struct ims_replay_summary *s = &r->sum;
	const struct ims_trace_arg *d = &st->pos[0];
	uint64_t addr, len = 4, v;
	uint32_t dev = 0;
	bool raw_ok = false, faulted = false, queued = false, stalled = false, all_ok = true;
	uint32_t code = 0;
	uint64_t first_pa = 0;
	struct rp_dma_check dc = { { false } };

	if (d->type == IMS_TRACE_A_NAME) {
		const struct rp_name *n = (uint32_t)d->v.name < r->nnames ? &r->names[d->v.name]
									  : rp_slot(r, d->v.name);
		if (n && n->kind == RPN_REQUESTER) {
			req.sid = n->sid;
			req.unit = n->unit;
		} else if (n && n->kind == RPN_OBJ && n->verb == IMS_TRACE_V_DEVICE_BIND) {
			dev = n->id;
			/* A bound device's requests are its (unit, sid) on the bus:
			 * what ims_dma would look up, known here already. */
			if (dev < r->nobjs && r->objs[dev].kind == RPO_DEVICE) {
				req.sid = r->objs[dev].sid;
				req.unit = r->objs[dev].unit;
				raw_ok = true;
			}
		} else if (!n || n->kind == RPN_FAILED || n->kind == RPN_NONE) {
			rp_objid(r, st->line, d, &dev); /* reports it */
			return;
		} else {
			rp_error(r, st->line, "dma: $%s is not a device", rp_slot_name(r, d->v.name));
			return;
		}
	} else {
		if (d->v.num > 0xFFFF) {
			rp_error(r, st->line, "dma: sid=0x%" PRIx64 " is wider than 16 bits", d->v.num);
			return;
		}
		req.sid = (uint32_t)d->v.num;
	}
	req.access = (unsigned)st->pos[1].v.num;
	if (st->pos[2].v.name == IMS_TRACE_NO_NAME)
		addr = st->pos[2].v.num;
	else if (!rp_num(r, st->line, &st->pos[2].v, &addr))
		return;
	for (unsigned i = 0; i < st->nkv; i++) {
		const struct ims_trace_arg *a = &st->kv[i];
		if (a->type == IMS_TRACE_A_FLAG) {
			if (a->key == IMS_TRACE_K_PRIV)
				req.access |= IMS_PT_ACC_PRIV;
			else if (a->key == IMS_TRACE_K_LAST)
				req.last = true;
			continue;
		}
		if (a->v.name == IMS_TRACE_NO_NAME)
			v = a->v.num;
		else if (!rp_num(r, st->line, &a->v, &v))
			return;
		switch (a->key) {
		case IMS_TRACE_K_LEN:
			len = v;
			break;
		case IMS_TRACE_K_PASID:
			if (v >= IMS_NO_PASID) {
				rp_error(r, st->line, "dma: pasid=%" PRIu64 " is out of range", v);
				return;
			}
			req.pasid = (uint32_t)v;
			break;
		case IMS_TRACE_K_TYPE:
			if (v > IMS_DMA_PAGE_REQUEST) {
				rp_error(r, st->line, "dma: type=%" PRIu64 " is not a request type (0-3)",
					 v);
				return;
			}
			req.type = (enum ims_dma_type)v;
			break;
		case IMS_TRACE_K_PRGI:
			if (v > 0xFFFF) {
				rp_error(r, st->line, "dma: prgi=%" PRIu64 " is out of range", v);
				return;
			}
			req.prgi = (uint16_t)v;
			break;
		case IMS_TRACE_K_UNIT:
			if (d->type == IMS_TRACE_A_NAME) {
				rp_error(r, st->line, "dma: unit= is for sid= requesters; $%s has its "
					 "own unit", rp_slot_name(r, d->v.name));
				return;
			}
			if (v >= r->nunits) {
				rp_error(r, st->line, "dma: unit=%" PRIu64 " does not exist (the "
					 "machine has %u)", v, r->nunits);
				return;
			}
			req.unit = (uint32_t)v;
			break;
		default:
			break;
		}
	}
	if (len > RP_DMA_MAX_LEN || (len && addr + (len - 1) < addr)) {
		rp_error(r, st->line, "dma: len=0x%" PRIx64 " at 0x%" PRIx64 " %s", len, addr,
			 len > RP_DMA_MAX_LEN ? "is longer than replay splits (64G)"
					      : "wraps past 2^64");
		return;
	}
	s->dma_statements++;
	/* --check follows a bound device however its requests are named. */
	const uint32_t checked_dev = !r->o.check ? 0 : dev ? dev
					       : rp_device_by_sid(r, req.unit, req.sid);
	for (uint64_t at = addr, left = len;;) {
		uint32_t n = ims_dma_first_piece(at, left);
		int rc;

		req.addr = at;
		req.len = n;
		rc = dev && !raw_ok ? ims_dma(r->ctx, dev, &req, &res)
				    : ims_dma_raw(r->ctx, &req, &res);
		if (rc) {
			char e1[32];
			rp_error(r, st->line, "dma: %s: %s", rp_errname(rc, e1, sizeof(e1)),
				 ims_ctx_errmsg(r->ctx));
			return;
		}
		s->dma_requests++;
		ims_hist_add(&s->latency, res.cycles);
		if (res.iotlb_hit)
			s->iotlb_hits++;
		else
			s->mem_reads_on_miss += res.mem_reads;
		switch (res.status) {
		case IMS_DMA_OK:
			s->translations++;
			break;
		case IMS_DMA_QUEUED:
			s->page_requests++;
			queued = true;
			all_ok = false;
			break;
		case IMS_DMA_STALLED:
			s->stalls++;
			stalled = true;
			all_ok = false;
			break;
		default:
			s->faults++;
			if (res.fault < IMS_REPLAY_NCODES)
				s->fault_codes[res.fault]++;
			else
				s->fault_codes_other++;
			if (!faulted)
				code = res.fault;
			faulted = true;
			all_ok = false;
			break;
		}
		if (at == addr)
			first_pa = res.pa;
		if (r->o.result)
			result_line(r, st, &req, &res);
		if (checked_dev)
			rp_check_request(r, st, checked_dev, &req, &res, &dc);
		if (r->stop || left <= n)
			break;
		at += n;
		left -= n;
	}
	if (st->expect.kind == IMS_TRACE_X_NONE)
		return;
	/* The outcome against expect= (traces/FORMAT.md §3). */
	bool ok;
	uint64_t want = 0;
	switch (st->expect.kind) {
	case IMS_TRACE_X_PA:
		if (!rp_num(r, st->line, &st->expect.v, &want))
			return;
		ok = all_ok && first_pa == want;
		break;
	case IMS_TRACE_X_FAULT:
		ok = faulted;
		break;
	case IMS_TRACE_X_FAULT_CODE:
		ok = faulted && code == st->expect.v.num;
		break;
	case IMS_TRACE_X_OK:
		ok = all_ok;
		break;
	case IMS_TRACE_X_QUEUED:
		ok = queued && !faulted;
		break;
	case IMS_TRACE_X_STALL:
		ok = stalled && !faulted;
		break;
	default:
		ok = false;
		break;
	}
	s->expectations++;
	if (!ok) {
		char w[96], g[64];
		outcome_text(g, sizeof(g), faulted, code, queued, stalled, first_pa);
		if (st->expect.kind == IMS_TRACE_X_PA)
			snprintf(w, sizeof(w), "pa:0x%" PRIx64, want);
		else
			rp_expect_text(r, st, w, sizeof(w));
		rp_fail(r, st->line, w, g);
	}
}
