/* SPDX-License-Identifier: MIT */
/*
 * IOAS statements (iommufd.md §2.2-2.9): ioas.alloc, ioas.map, ioas.unmap,
 * ioas.copy, ioas.allow_iovas, ioas.iova_ranges, ioas.reserve, option, and
 * destroy.  Replay keeps its own record of each IOAS's areas (what was
 * mapped, from which va): guest tables built with pt.alloc via= are written
 * through it, and --check names the ioas.unmap a stale or late DMA hit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/replay/replay_priv.h"

/* The last byte of [start, start+len): unmap-all (iova 0, len 2^64-1)
 * covers every address. */
static uint64_t last_of(uint64_t start, uint64_t len)
{
	if (!len)
		return start;
	return start + (len - 1) < start ? UINT64_MAX : start + (len - 1);
}

bool rp_ioas_xlate(struct ims_replay *r, uint32_t ioas, uint64_t gpa, uint64_t *hpa)
{
	const struct rp_obj *o = rp_obj_get(r, ioas, RPO_IOAS);
	const struct rp_iv *iv = o ? rp_iv_find(&o->mapped, gpa) : NULL;

	if (!iv)
		return false;
	*hpa = iv->aux + (gpa - iv->start);
	return true;
}

static unsigned map_flags(uint64_t prot)
{
	unsigned f = 0;

	if (prot & IMS_TRACE_ACC_R)
		f |= IMS_IOAS_MAP_READABLE;
	if (prot & IMS_TRACE_ACC_W)
		f |= IMS_IOAS_MAP_WRITEABLE;
	return f;
}

/* A new area [iova, iova+len) backed from va. */
static void track_map(struct ims_replay *r, const struct ims_trace_stmt *st, uint32_t ioas,
		      uint64_t iova, uint64_t len, uint64_t va)
{
	struct rp_obj *o = rp_obj_get(r, ioas, RPO_IOAS);

	if (!o || !len)
		return;
	rp_iv_assign(&o->mapped, iova, last_of(iova, len), st->line, (uint8_t)st->verb, va);
	if (r->o.check)
		rp_iv_erase(&o->unmapped, iova, last_of(iova, len));
}

static void stmt_alloc(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	struct ims_ioas_alloc a = { .size = sizeof(a) };
	int rc = ims_ioas_alloc(r->ctx, &a);

	if (rp_api(r, st, rc))
		rp_bind_obj(r, st, st->pos[0].v.name, a.out_ioas_id, RPO_IOAS);
	else
		rp_bind_failed(r, st, st->pos[0].v.name);
}

/* iova=ADDR|auto: *fixed tells which. */
static bool iova_arg(struct ims_replay *r, const struct ims_trace_stmt *st, enum ims_trace_key k,
		     uint64_t *iova, bool *fixed)
{
	const struct ims_trace_arg *a = ims_trace_kv(st, k);

	*iova = 0;
	*fixed = a && a->type != IMS_TRACE_A_WORD;
	return !*fixed || rp_num(r, st->line, &a->v, iova);
}

static bool kv_num(struct ims_replay *r, const struct ims_trace_stmt *st, enum ims_trace_key k,
		   uint64_t *out)
{
	const struct ims_trace_arg *a = ims_trace_kv(st, k);

	*out = 0;
	return !a || rp_num(r, st->line, &a->v, out);
}

static void stmt_map(struct ims_replay *r, const struct ims_trace_stmt *st, uint32_t ioas)
{
	const struct ims_trace_arg *as = ims_trace_kv(st, IMS_TRACE_K_AS);
	struct ims_ioas_map m = { .size = sizeof(m), .ioas_id = ioas };
	uint64_t prot = 0;
	bool fixed;

	if (!iova_arg(r, st, IMS_TRACE_K_IOVA, &m.iova, &fixed) ||
	    !kv_num(r, st, IMS_TRACE_K_LEN, &m.length) || !kv_num(r, st, IMS_TRACE_K_VA, &m.user_va) ||
	    !kv_num(r, st, IMS_TRACE_K_PROT, &prot))
		return;
	m.flags = map_flags(prot) | (fixed ? IMS_IOAS_MAP_FIXED_IOVA : 0);
	if (rp_api(r, st, ims_ioas_map(r->ctx, &m))) {
		track_map(r, st, ioas, m.iova, m.length, m.user_va);
		if (as)
			rp_bind_val(r, st, as->v.name, m.iova);
	} else if (as) {
		rp_bind_failed(r, st, as->v.name);
	}
}

static void stmt_unmap(struct ims_replay *r, const struct ims_trace_stmt *st, uint32_t ioas)
{
	const struct ims_trace_arg *want = ims_trace_kv(st, IMS_TRACE_K_UNMAPPED);
	struct ims_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas };
	struct rp_obj *o;
	uint64_t w;

	if (!kv_num(r, st, IMS_TRACE_K_IOVA, &u.iova) || !kv_num(r, st, IMS_TRACE_K_LEN, &u.length))
		return;
	const uint64_t first = u.iova, last = last_of(u.iova, u.length);
	if (!rp_api(r, st, ims_ioas_unmap(r->ctx, &u)))
		return;
	if (want && rp_num(r, st->line, &want->v, &w))
		rp_check_field(r, st, "unmapped", w, u.length, true);
	o = rp_obj_get(r, ioas, RPO_IOAS);
	if (!o || !u.length)
		return;
	/* The areas inside the range are gone: remember where they were. */
	if (r->o.check) {
		for (const struct rp_iv *iv = rp_iv_overlap(&o->mapped, first, last);
		     iv && iv < o->mapped.v + o->mapped.n && iv->start <= last; iv++)
			rp_iv_assign(&o->unmapped, iv->start > first ? iv->start : first,
				     iv->last < last ? iv->last : last, st->line, (uint8_t)st->verb, 0);
	}
	rp_iv_erase(&o->mapped, first, last);
}

static void stmt_copy(struct ims_replay *r, const struct ims_trace_stmt *st, uint32_t dst)
{
	const struct ims_trace_arg *as = ims_trace_kv(st, IMS_TRACE_K_AS);
	const struct ims_trace_arg *src = ims_trace_kv(st, IMS_TRACE_K_SRC);
	struct ims_ioas_copy c = { .size = sizeof(c), .dst_ioas_id = dst };
	uint64_t prot = 0;
	bool fixed;

	if (!src || !rp_objid(r, st->line, src, &c.src_ioas_id) ||
	    !kv_num(r, st, IMS_TRACE_K_SRC_IOVA, &c.src_iova) ||
	    !kv_num(r, st, IMS_TRACE_K_LEN, &c.length) ||
	    !iova_arg(r, st, IMS_TRACE_K_DST_IOVA, &c.dst_iova, &fixed) ||
	    !kv_num(r, st, IMS_TRACE_K_PROT, &prot))
		return;
	c.flags = map_flags(prot) | (fixed ? IMS_IOAS_MAP_FIXED_IOVA : 0);
	if (!rp_api(r, st, ims_ioas_copy(r->ctx, &c))) {
		if (as)
			rp_bind_failed(r, st, as->v.name);
		return;
	}
	if (as)
		rp_bind_val(r, st, as->v.name, c.dst_iova);
	/* The destination maps what backs the source range, piece by piece
	 * (collected first: the destination may be the source). */
	const struct rp_obj *so = rp_obj_get(r, c.src_ioas_id, RPO_IOAS);
	const uint64_t first = c.src_iova, last = last_of(c.src_iova, c.length);
	if (!so || !c.length)
		return;
	struct rp_iv *pieces = malloc(((size_t)so->mapped.n + 1) * sizeof(*pieces));
	uint32_t np = 0;
	if (!pieces) {
		rp_error(r, st->line, "out of memory");
		return;
	}
	for (uint32_t i = 0; i < so->mapped.n; i++) {
		const struct rp_iv *iv = &so->mapped.v[i];
		if (iv->last < first || iv->start > last)
			continue;
		uint64_t s = iv->start > first ? iv->start : first;
		uint64_t l = iv->last < last ? iv->last : last;
		pieces[np++] = (struct rp_iv){ s, l, 0, iv->aux + (s - iv->start), 0 };
	}
	for (uint32_t i = 0; i < np; i++)
		track_map(r, st, dst, c.dst_iova + (pieces[i].start - first),
			  pieces[i].last - pieces[i].start + 1, pieces[i].aux);
	free(pieces);
}

/* A START-LAST list as the uAPI's array (in the run's scratch buffer). */
static struct ims_iova_range *ranges_arg(struct ims_replay *r, const struct ims_trace_stmt *st,
					 const struct ims_trace_range *rg, uint32_t n)
{
	struct ims_iova_range *v = rp_scratch(r, (n ? n : 1) * sizeof(*v), st->line);

	for (uint32_t i = 0; v && i < n; i++)
		if (!rp_num(r, st->line, &rg[i].first, &v[i].start) ||
		    !rp_num(r, st->line, &rg[i].last, &v[i].last))
			return NULL;
	return v;
}

static void stmt_allow(struct ims_replay *r, const struct ims_trace_stmt *st, uint32_t ioas)
{
	const struct ims_trace_arg *a = ims_trace_kv(st, IMS_TRACE_K_RANGES);
	struct ims_ioas_allow_iovas c = { .size = sizeof(c), .ioas_id = ioas };
	struct ims_iova_range *v = a ? ranges_arg(r, st, a->p.ranges, a->n) : NULL;

	if (!v)
		return;
	c.num_iovas = a->n;
	c.allowed_iovas = (uint64_t)(uintptr_t)v;
	rp_api(r, st, ims_ioas_allow_iovas(r->ctx, &c));
}

static void print_ranges(char *buf, size_t n, const struct ims_iova_range *v, uint32_t cnt)
{
	size_t o = 0;

	buf[0] = 0;
	for (uint32_t i = 0; i < cnt && o + 48 < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s0x%" PRIx64 "-0x%" PRIx64, i ? "," : "",
				      v[i].start, v[i].last);
	if (!cnt)
		snprintf(buf, n, "(none)");
}

static void stmt_ranges(struct ims_replay *r, const struct ims_trace_stmt *st, uint32_t ioas)
{
	const struct ims_trace_arg *cap = ims_trace_kv(st, IMS_TRACE_K_NUM_IOVAS);
	const struct ims_trace_arg *al = ims_trace_kv(st, IMS_TRACE_K_ALIGNMENT);
	struct ims_ioas_iova_ranges c = { .size = sizeof(c), .ioas_id = ioas };
	struct ims_iova_range *v;
	uint64_t want_cap = 64;
	int rc;

	if (cap && !rp_num(r, st->line, &cap->v, &want_cap))
		return;
	if (want_cap > 65536) {
		rp_error(r, st->line, "ioas.iova_ranges: num_iovas=%" PRIu64 " is too large for "
			 "replay (65536 at most)", want_cap);
		return;
	}
	for (;;) {
		v = rp_scratch(r, (size_t)(want_cap ? want_cap : 1) * sizeof(*v), st->line);
		if (!v)
			return;
		c.num_iovas = (uint32_t)want_cap;
		c.allowed_iovas = (uint64_t)(uintptr_t)v;
		rc = ims_ioas_iova_ranges(r->ctx, &c);
		/* Without num_iovas= replay sizes the array itself. */
		if (rc == -EMSGSIZE && !cap && c.num_iovas > want_cap) {
			want_cap = c.num_iovas;
			continue;
		}
		break;
	}
	if (!rp_api(r, st, rc))
		return;
	if (al) {
		uint64_t w;
		if (!rp_num(r, st->line, &al->v, &w))
			return;
		rp_check_field(r, st, "alignment", w, c.out_iova_alignment, true);
	}
	if (st->expect.kind != IMS_TRACE_X_RANGES)
		return;
	r->sum.expectations++;
	bool same = st->expect.nranges == c.num_iovas;
	for (uint32_t i = 0; same && i < c.num_iovas; i++) {
		uint64_t s, l;
		if (!rp_num(r, st->line, &st->expect.ranges[i].first, &s) ||
		    !rp_num(r, st->line, &st->expect.ranges[i].last, &l))
			return;
		same = s == v[i].start && l == v[i].last;
	}
	if (!same) {
		char w[512], g[512];
		print_ranges(g, sizeof(g), v, c.num_iovas);
		rp_fail(r, st->line, st->expect.nranges ? rp_expect_text(r, st, w, sizeof(w))
							: "(none)", g);
	}
}

static void stmt_reserve(struct ims_replay *r, const struct ims_trace_stmt *st, uint32_t ioas)
{
	struct ims_ioas_reserve c = { .size = sizeof(c), .ioas_id = ioas };
	const struct ims_trace_range *rg = st->pos[1].p.ranges;

	if (!rp_num(r, st->line, &rg->first, &c.start) || !rp_num(r, st->line, &rg->last, &c.last))
		return;
	rp_api(r, st, ims_ioas_reserve(r->ctx, &c));
}

static void stmt_option(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct ims_trace_arg *set = ims_trace_kv(st, IMS_TRACE_K_SET);
	struct ims_option c = { .size = sizeof(c), .op = IMS_OPTION_OP_GET };

	c.option_id = (uint32_t)st->pos[0].v.num; /* rlimit_mode 0, huge_pages 1 (§2.9) */
	if (st->npos > 1 && !rp_objid(r, st->line, &st->pos[1], &c.object_id))
		return;
	if (set) {
		c.op = IMS_OPTION_OP_SET;
		if (!rp_num(r, st->line, &set->v, &c.val64))
			return;
	}
	if (!rp_api(r, st, ims_option(r->ctx, &c)) || st->expect.kind != IMS_TRACE_X_VALUE)
		return;
	uint64_t want;
	if (!rp_num(r, st->line, &st->expect.v, &want))
		return;
	r->sum.expectations++;
	if (want != c.val64) {
		char w[32], g[32];
		snprintf(w, sizeof(w), "%" PRIu64, want);
		snprintf(g, sizeof(g), "%" PRIu64, c.val64);
		rp_fail(r, st->line, w, g);
	}
}

static void stmt_destroy(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct ims_trace_arg *a = &st->pos[0];
	uint32_t id;
	int rc;

	if (!rp_objid(r, st->line, a, &id))
		return;
	const struct rp_name *n = a->type == IMS_TRACE_A_NAME ? rp_slot(r, a->v.name) : NULL;
	if (n && n->verb == IMS_TRACE_V_DEVICE_BIND) {
		/* A bound device is released by whoever bound it (closing the
		 * VFIO device): destroy $dev unbinds it (traces/FORMAT.md). */
		struct ims_device_unbind u = { .size = sizeof(u), .dev_id = id };
		rc = ims_device_unbind(r->ctx, &u);
	} else {
		struct ims_destroy d = { .size = sizeof(d), .id = id };
		rc = ims_destroy(r->ctx, &d);
	}
	if (rp_api(r, st, rc)) {
		struct rp_obj *o = rp_obj_get(r, id, RPO_NONE);
		if (o)
			rp_obj_clear(o);
	}
}

void rp_ioas_stmt(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	uint32_t ioas = 0;

	switch (st->verb) {
	case IMS_TRACE_V_IOAS_ALLOC:
		stmt_alloc(r, st);
		return;
	case IMS_TRACE_V_OPTION:
		stmt_option(r, st);
		return;
	case IMS_TRACE_V_DESTROY:
		stmt_destroy(r, st);
		return;
	default:
		break;
	}
	if (!rp_objid(r, st->line, &st->pos[0], &ioas))
		return;
	switch (st->verb) {
	case IMS_TRACE_V_IOAS_MAP:
		stmt_map(r, st, ioas);
		break;
	case IMS_TRACE_V_IOAS_UNMAP:
		stmt_unmap(r, st, ioas);
		break;
	case IMS_TRACE_V_IOAS_COPY:
		stmt_copy(r, st, ioas);
		break;
	case IMS_TRACE_V_IOAS_ALLOW_IOVAS:
		stmt_allow(r, st, ioas);
		break;
	case IMS_TRACE_V_IOAS_IOVA_RANGES:
		stmt_ranges(r, st, ioas);
		break;
	case IMS_TRACE_V_IOAS_RESERVE:
		stmt_reserve(r, st, ioas);
		break;
	default:
		break;
	}
}
