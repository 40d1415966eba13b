/* SPDX-License-Identifier: MIT */
/*
 * --check (DESIGN.md "The oracle"; traces/FORMAT.md §9): every request of a
 * bound device is compared with what the API state says (ims_oracle).
 *
 * What replay records to explain a disagreement:
 *   - per guest table (pt.alloc): the lines that changed a range (pt.map,
 *     pt.unmap, mem.write into the table's pages) and that no invalidation
 *     of a nested HWPT over that table has covered since ("pending"), and
 *     the ranges pt.unmap removed;
 *   - per IOAS: the areas ioas.unmap removed (and not mapped again).
 *
 * Findings, each reported once per DMA statement:
 *   stale translation  the model translated (or refused) where the API state
 *                      says otherwise, and a change no invalidation covered
 *                      explains it, or the request was served from the
 *                      IOTLB: the line of the change and the invalidation
 *                      that is missing are named;
 *   use-after-unmap    the request's IOVA was unmapped earlier and not
 *                      mapped again (whatever the model answered: the
 *                      device should not be using it);
 *   mismatch           any other disagreement (a model or oracle bug).
 */
#include <inttypes.h>
#include <string.h>

#include "sim/replay/replay_priv.h"

const char *rp_xf_name(enum ims_xlate_fault f)
{
	static const char *const n[IMS_XF_NFAULTS] = {
		"none", "blocked", "not-present", "permission", "address", "config", "walk-abort",
		"page-request",
	};
	return (unsigned)f < IMS_XF_NFAULTS ? n[f] : "?";
}

static void outcome(char *buf, size_t n, const struct ims_dma_result *res, bool oracle)
{
	if (res->status == IMS_DMA_OK)
		snprintf(buf, n, "pa:0x%" PRIx64, res->pa);
	else if (oracle)
		snprintf(buf, n, "fault (%s)", rp_xf_name(res->xfault));
	else
		snprintf(buf, n, "fault:0x%" PRIx32 " (%s)", res->fault, rp_xf_name(res->xfault));
}

/* "$name", or "ID n" for objects without one (automatic HWPTs). */
static const char *obj_name(const struct ims_replay *r, uint32_t id, const struct rp_obj *o,
			    char *buf, size_t n)
{
	if (o && o->slot >= 0)
		snprintf(buf, n, "$%s", rp_slot_name(r, o->slot));
	else
		snprintf(buf, n, "object %u", id);
	return buf;
}

/* The HWPT translating (dev, pasid) as replay saw it attached. */
static uint32_t hwpt_of(struct ims_replay *r, uint32_t dev, uint32_t pasid)
{
	uint32_t h = rp_att_get(r, dev, pasid);

	if (!h && pasid != IMS_NO_PASID) {
		/* SMMUv3 / AMD: the RID's nested HWPT holds the PASID table. */
		const struct rp_obj *rid = rp_obj_get(r, rp_att_get(r, dev, IMS_NO_PASID),
						      RPO_HWPT_NESTED);
		if (rid && rid->data != IMS_TRACE_DATA_VTD_S1)
			h = rp_att_get(r, dev, IMS_NO_PASID);
	}
	return h;
}

static void finding(struct ims_replay *r, const struct ims_trace_stmt *st, int kind,
		    struct rp_dma_check *dc)
{
	if (dc->reported[kind])
		return;
	dc->reported[kind] = true;
	if (kind == RPF_MISMATCH)
		r->sum.mismatches++;
	else if (kind == RPF_STALE)
		r->sum.stale++;
	else
		r->sum.use_after_unmap++;
}

void rp_check_request(struct ims_replay *r, const struct ims_trace_stmt *st, uint32_t dev,
		      const struct ims_dma_req *req, const struct ims_dma_result *res,
		      struct rp_dma_check *dc)
{
	struct ims_dma_result o;
	char name[96], mine[64], theirs[64];

	if (req->type != IMS_DMA_UNTRANSLATED || res->status == IMS_DMA_QUEUED ||
	    res->status == IMS_DMA_STALLED ||
	    ims_oracle(r->ctx, dev, req->pasid, req->addr, req->access, &o)) {
		r->sum.unchecked++;
		return;
	}
	r->sum.checked++;

	const uint32_t hid = hwpt_of(r, dev, req->pasid);
	const struct rp_obj *h = rp_obj_get(r, hid, RPO_NONE);
	struct rp_obj *io = h ? rp_obj_get(r, h->ioas, RPO_IOAS) : NULL;
	struct rp_table *t = h && h->kind == RPO_HWPT_NESTED && h->table >= 0
				     ? &r->tables[h->table] : NULL;
	const uint64_t a = req->addr;

	/* Use-after-unmap: the address was unmapped earlier, in the table the
	 * device translates through (stage 1 of a nested HWPT, or the IOAS of
	 * a paging one). */
	const struct rp_iv *gone = t ? rp_iv_find(&t->unmapped, a)
			       : h && h->kind == RPO_HWPT_PAGING && io ? rp_iv_find(&io->unmapped, a)
								       : NULL;
	if (gone && !dc->reported[RPF_UAU]) {
		finding(r, st, RPF_UAU, dc);
		rp_diag(r, st->line, "check: use-after-unmap: DMA to iova 0x%" PRIx64 ", which line "
			"%" PRIu64 " (%s) unmapped", a, gone->line,
			ims_trace_verb_name((enum ims_trace_verb)gone->verb));
	}

	const bool agree = (res->status == IMS_DMA_OK) == (o.status == IMS_DMA_OK) &&
			   (res->status != IMS_DMA_OK || res->pa == o.pa);
	if (agree)
		return;
	outcome(mine, sizeof(mine), res, false);
	outcome(theirs, sizeof(theirs), &o, true);

	/* What changed the mapping and was never invalidated. */
	const struct rp_iv *chg = t ? rp_iv_find(&t->pending, a) : NULL;
	const struct rp_iv *unm = h && h->kind == RPO_HWPT_PAGING && io
					  ? rp_iv_find(&io->unmapped, a) : NULL;
	if (!chg && !unm && !(res->iotlb_hit && res->status == IMS_DMA_OK)) {
		if (!dc->reported[RPF_MISMATCH]) {
			finding(r, st, RPF_MISMATCH, dc);
			rp_diag(r, st->line, "check: mismatch: iova 0x%" PRIx64 ": the model gave %s, "
				"the API state says %s", a, mine, theirs);
		}
		return;
	}
	if (dc->reported[RPF_STALE])
		return;
	finding(r, st, RPF_STALE, dc);
	rp_diag(r, st->line, "check: stale translation: iova 0x%" PRIx64 " was %s %s%s; the API "
		"state says %s", a, res->status == IMS_DMA_OK ? "translated to" : "refused with",
		mine, res->iotlb_hit ? " from the IOTLB" : " from cached structures", theirs);
	if (chg) {
		rp_diag(r, st->line, "check:   line %" PRIu64 " (%s) changed the mapping; no "
			"hwpt.invalidate %s covering iova 0x%" PRIx64 " after line %" PRIu64,
			chg->line, ims_trace_verb_name((enum ims_trace_verb)chg->verb),
			obj_name(r, hid, h, name, sizeof(name)), a, chg->line);
	} else if (unm) {
		rp_diag(r, st->line, "check:   line %" PRIu64 " (%s) unmapped it; the driver's "
			"IOTLB flush after it did not cover iova 0x%" PRIx64, unm->line,
			ims_trace_verb_name((enum ims_trace_verb)unm->verb), a);
	} else if (r->last_mem_write) {
		rp_diag(r, st->line, "check:   no tracked change explains it; the last memory "
			"write was line %" PRIu64 " (no invalidation of %s covered it)",
			r->last_mem_write, obj_name(r, hid, h, name, sizeof(name)));
	}
}

uint32_t rp_device_by_sid(struct ims_replay *r, uint32_t unit, uint32_t sid)
{
	for (uint32_t id = 1; id < r->nobjs; id++)
		if (r->objs[id].kind == RPO_DEVICE && r->objs[id].sid == sid &&
		    r->objs[id].unit == unit)
			return id;
	return 0;
}

void rp_track_table_change(struct ims_replay *r, uint32_t table, uint64_t start, uint64_t last,
			   uint64_t line, uint8_t verb, bool unmapped)
{
	struct rp_table *t = &r->tables[table];

	rp_iv_assign(&t->pending, start, last, line, verb, 0);
	if (unmapped)
		rp_iv_assign(&t->unmapped, start, last, line, verb, 0);
	else
		rp_iv_erase(&t->unmapped, start, last);
}

void rp_track_invalidate(struct ims_replay *r, uint32_t table, uint64_t start, uint64_t last)
{
	rp_iv_erase(&r->tables[table].pending, start, last);
}

/* A write into a guest table's pages changes what it maps, somewhere. */
void rp_track_mem_write(struct ims_replay *r, uint64_t pa, uint64_t len, uint64_t line,
			uint8_t verb)
{
	const uint64_t last = pa + (len ? len - 1 : 0);

	for (uint32_t p = 0; p < r->npools; p++) {
		const struct rp_pool *pl = &r->pools[p];
		bool hit = false;
		if (!pl->via) {
			hit = pa <= pl->last && pl->start <= last;
		} else {
			for (uint64_t g = pl->start; g < pl->pa.next && !hit; g += 4096) {
				uint64_t h;
				hit = rp_ioas_xlate(r, pl->via, g, &h) && pa <= h + 4095 && h <= last;
			}
		}
		if (!hit)
			continue;
		for (uint32_t i = 0; i < r->ntables; i++)
			if (r->tables[i].pool == p)
				rp_iv_assign(&r->tables[i].pending, 0, UINT64_MAX, line, verb, 0);
	}
}
