/* SPDX-License-Identifier: MIT */
/*
 * What $names stand for during a run (objects, requesters, tables,
 * values), the objects the run made (by ID: what replay knows about them
 * for --check, queue reads and walk), device attachments, and the interval
 * sets that record mappings and changes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/replay/replay_priv.h"

/* ---- Interval sets ------------------------------------------------------------- */

/* Index of the first range whose last >= addr. */
static uint32_t lower(const struct rp_ivset *s, uint64_t addr)
{
	uint32_t lo = 0, hi = s->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].last < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int reserve(struct rp_ivset *s, uint32_t extra)
{
	if (s->n + extra <= s->cap)
		return 0;
	uint32_t c = s->cap ? s->cap * 2 : 8;
	while (c < s->n + extra)
		c *= 2;
	struct rp_iv *v = realloc(s->v, (size_t)c * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->cap = c;
	return 0;
}

int rp_iv_erase(struct rp_ivset *s, uint64_t start, uint64_t last)
{
	uint32_t i = lower(s, start), j;

	if (i < s->n && s->v[i].start < start && s->v[i].last > last) {
		/* One range sticks out on both sides: split it. */
		if (reserve(s, 1))
			return -ENOMEM;
		memmove(&s->v[i + 1], &s->v[i], (size_t)(s->n - i) * sizeof(*s->v));
		s->n++;
		s->v[i].last = start - 1;
		struct rp_iv *b = &s->v[i + 1];
		if (s->linear)
			b->aux += last + 1 - b->start;
		b->start = last + 1;
		return 0;
	}
	if (i < s->n && s->v[i].start < start && s->v[i].last >= start) {
		s->v[i].last = start - 1;
		i++;
	}
	for (j = i; j < s->n && s->v[j].last <= last; j++)
		;
	if (j < s->n && s->v[j].start <= last) {
		if (s->linear)
			s->v[j].aux += last + 1 - s->v[j].start;
		s->v[j].start = last + 1;
	}
	if (j > i) {
		memmove(&s->v[i], &s->v[j], (size_t)(s->n - j) * sizeof(*s->v));
		s->n -= j - i;
	}
	return 0;
}

int rp_iv_assign(struct rp_ivset *s, uint64_t start, uint64_t last, uint64_t line, uint8_t verb,
		 uint64_t aux)
{
	if (last < start || reserve(s, 2) || rp_iv_erase(s, start, last))
		return -ENOMEM;
	uint32_t i = lower(s, start);
	memmove(&s->v[i + 1], &s->v[i], (size_t)(s->n - i) * sizeof(*s->v));
	s->v[i] = (struct rp_iv){ start, last, line, aux, verb };
	s->n++;
	return 0;
}

const struct rp_iv *rp_iv_find(const struct rp_ivset *s, uint64_t addr)
{
	uint32_t i = lower(s, addr);

	return i < s->n && s->v[i].start <= addr ? &s->v[i] : NULL;
}

const struct rp_iv *rp_iv_overlap(const struct rp_ivset *s, uint64_t start, uint64_t last)
{
	uint32_t i = lower(s, start);

	return i < s->n && s->v[i].start <= last ? &s->v[i] : NULL;
}

void rp_iv_free(struct rp_ivset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* ---- $names ---------------------------------------------------------------------- */

struct rp_name *rp_slot(struct ims_replay *r, int32_t slot)
{
	if (slot < 0)
		return NULL;
	if ((uint32_t)slot >= r->nnames) {
		uint32_t n = r->nnames ? r->nnames : 16;
		while (n <= (uint32_t)slot)
			n *= 2;
		struct rp_name *v = realloc(r->names, (size_t)n * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + r->nnames, 0, (size_t)(n - r->nnames) * sizeof(*v));
		r->names = v;
		r->nnames = n;
	}
	return &r->names[slot];
}

const char *rp_slot_name(const struct ims_replay *r, int32_t slot)
{
	const char *s = r->p ? ims_trace_names_str(ims_trace_parser_names(r->p), slot) : NULL;

	return s ? s : "?";
}

static bool not_made(struct ims_replay *r, uint64_t line, int32_t slot, const struct rp_name *n)
{
	if (n && n->kind == RPN_FAILED)
		rp_error(r, line, "$%s was not made: %s at line %llu failed", rp_slot_name(r, slot),
			 ims_trace_verb_name((enum ims_trace_verb)n->verb),
			 (unsigned long long)n->line);
	else
		rp_error(r, line, "$%s was not made", rp_slot_name(r, slot));
	return false;
}

bool rp_num(struct ims_replay *r, uint64_t line, const struct ims_trace_val *v, uint64_t *out)
{
	if (v->name == IMS_TRACE_NO_NAME) {
		*out = v->num;
		return true;
	}
	const struct rp_name *n = rp_slot(r, v->name);
	if (!n || !n->has_val)
		return not_made(r, line, v->name, n);
	*out = n->val + v->num;
	return true;
}

bool rp_objid(struct ims_replay *r, uint64_t line, const struct ims_trace_arg *a, uint32_t *id)
{
	if (a->type != IMS_TRACE_A_NAME) {
		/* A raw object ID (destroy 0, option huge_pages 7). */
		if (a->v.num > UINT32_MAX) {
			rp_error(r, line, "object ID %llu is out of range",
				 (unsigned long long)a->v.num);
			return false;
		}
		*id = (uint32_t)a->v.num;
		return true;
	}
	const struct rp_name *n = rp_slot(r, a->v.name);
	if (!n || n->kind == RPN_NONE || n->kind == RPN_FAILED)
		return not_made(r, line, a->v.name, n);
	if (n->kind != RPN_OBJ) {
		rp_error(r, line, "$%s is %s, not an object of the API%s", rp_slot_name(r, a->v.name),
			 n->kind == RPN_REQUESTER ? "a requester declared with `device`"
			 : n->kind == RPN_TABLE ? "a page table (pt.alloc)" : "a value",
			 n->kind == RPN_REQUESTER ? " (device.bind makes one)" : "");
		return false;
	}
	*id = n->id;
	return true;
}

static struct rp_name *bind(struct ims_replay *r, const struct ims_trace_stmt *st, int32_t slot)
{
	struct rp_name *n = rp_slot(r, slot);

	if (!n) {
		rp_error(r, st->line, "out of memory");
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->verb = (uint8_t)st->verb;
	n->line = st->line;
	n->table = -1;
	return n;
}

void rp_bind_obj(struct ims_replay *r, const struct ims_trace_stmt *st, int32_t slot,
		 uint32_t id, enum rp_okind kind)
{
	struct rp_name *n = bind(r, st, slot);
	struct rp_obj *o = rp_obj(r, id);

	if (!n)
		return;
	n->kind = RPN_OBJ;
	n->id = id;
	if (o) {
		rp_obj_clear(o);
		o->kind = (uint8_t)kind;
		o->slot = slot;
		if (kind == RPO_IOAS)
			o->ioas = id;
	}
}

void rp_bind_val(struct ims_replay *r, const struct ims_trace_stmt *st, int32_t slot,
		 uint64_t val)
{
	struct rp_name *n = bind(r, st, slot);

	if (!n)
		return;
	n->kind = RPN_VALUE;
	n->has_val = true;
	n->val = val;
}

void rp_bind_failed(struct ims_replay *r, const struct ims_trace_stmt *st, int32_t slot)
{
	struct rp_name *n = bind(r, st, slot);

	if (n)
		n->kind = RPN_FAILED;
}

/* ---- Objects -------------------------------------------------------------------- */

struct rp_obj *rp_obj(struct ims_replay *r, uint32_t id)
{
	if (!id)
		return NULL;
	if (id >= r->nobjs) {
		uint32_t n = r->nobjs ? r->nobjs : 16;
		while (n <= id)
			n *= 2;
		struct rp_obj *v = realloc(r->objs, (size_t)n * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + r->nobjs, 0, (size_t)(n - r->nobjs) * sizeof(*v));
		for (uint32_t i = r->nobjs; i < n; i++) {
			v[i].slot = -1;
			v[i].table = -1;
			v[i].mapped.linear = true;
		}
		r->objs = v;
		r->nobjs = n;
	}
	return &r->objs[id];
}

struct rp_obj *rp_obj_get(struct ims_replay *r, uint32_t id, enum rp_okind kind)
{
	if (!id || id >= r->nobjs || r->objs[id].kind == RPO_NONE)
		return NULL;
	return kind == RPO_NONE || r->objs[id].kind == kind ? &r->objs[id] : NULL;
}

void rp_obj_clear(struct rp_obj *o)
{
	rp_iv_free(&o->mapped);
	rp_iv_free(&o->unmapped);
	free(o->att);
	free(o->rec);
	memset(o, 0, sizeof(*o));
	o->slot = -1;
	o->table = -1;
	o->mapped.linear = true;
}

void rp_att_set(struct ims_replay *r, uint32_t dev, uint32_t pasid, uint32_t hwpt)
{
	struct rp_obj *o = rp_obj_get(r, dev, RPO_DEVICE);

	if (!o)
		return;
	for (uint32_t i = 0; i < o->natt; i++) {
		if (o->att[i].pasid != pasid)
			continue;
		if (hwpt)
			o->att[i].hwpt = hwpt;
		else
			o->att[i] = o->att[--o->natt];
		return;
	}
	if (!hwpt)
		return;
	if (o->natt == o->catt) {
		uint32_t c = o->catt ? 2 * o->catt : 4;
		struct rp_att *a = realloc(o->att, (size_t)c * sizeof(*a));
		if (!a)
			return;
		o->att = a;
		o->catt = c;
	}
	o->att[o->natt++] = (struct rp_att){ pasid, hwpt };
}

uint32_t rp_att_get(struct ims_replay *r, uint32_t dev, uint32_t pasid)
{
	const struct rp_obj *o = rp_obj_get(r, dev, RPO_DEVICE);

	for (uint32_t i = 0; o && i < o->natt; i++)
		if (o->att[i].pasid == pasid)
			return o->att[i].hwpt;
	return 0;
}

void rp_names_free(struct ims_replay *r)
{
	for (uint32_t i = 0; i < r->nobjs; i++)
		rp_obj_clear(&r->objs[i]);
	free(r->objs);
	free(r->names);
	r->objs = NULL;
	r->names = NULL;
	r->nobjs = r->nnames = 0;
}
