/* SPDX-License-Identifier: MIT */
/*
 * sim/trace/stmt — looking inside a parsed statement, and comparing two
 * (contract: sim/trace.h).
 */
#include "sim/trace/trace_priv.h"

#include <string.h>

const struct ims_trace_arg *ims_trace_kv_in(const struct ims_trace_stmt *st, unsigned group,
					    enum ims_trace_key k)
{
	for (unsigned i = 0; i < st->nkv; i++)
		if (st->kv[i].key == k && st->kv[i].group == group)
			return &st->kv[i];
	return NULL;
}

const struct ims_trace_arg *ims_trace_kv(const struct ims_trace_stmt *st, enum ims_trace_key k)
{
	return ims_trace_kv_in(st, 0, k);
}

/* Names are compared by text so that statements from two tables compare. */
static bool name_eq(int32_t a, const struct ims_trace_names *na, int32_t b,
		    const struct ims_trace_names *nb)
{
	if (a == IMS_TRACE_NO_NAME || b == IMS_TRACE_NO_NAME)
		return a == b;
	const char *sa = ims_trace_names_str(na, a), *sb = ims_trace_names_str(nb, b);
	return sa && sb && !strcmp(sa, sb);
}

static bool val_eq(const struct ims_trace_val *a, const struct ims_trace_names *na,
		   const struct ims_trace_val *b, const struct ims_trace_names *nb)
{
	return a->num == b->num && name_eq(a->name, na, b->name, nb);
}

static bool ranges_eq(const struct ims_trace_range *a, const struct ims_trace_names *na,
		      const struct ims_trace_range *b, const struct ims_trace_names *nb, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!val_eq(&a[i].first, na, &b[i].first, nb) || !val_eq(&a[i].last, na, &b[i].last, nb))
			return false;
	return true;
}

static bool arg_eq(const struct ims_trace_arg *a, const struct ims_trace_names *na,
		   const struct ims_trace_arg *b, const struct ims_trace_names *nb)
{
	if (a->key != b->key || a->type != b->type || a->group != b->group)
		return false;
	if (a->key == IMS_TRACE_K_RAW &&
	    (a->klen != b->klen || memcmp(a->kstr, b->kstr, a->klen) != 0))
		return false;
	switch ((enum ims_trace_argt)a->type) {
	case IMS_TRACE_A_FLAG:
		return true;
	case IMS_TRACE_A_VAL:
	case IMS_TRACE_A_WORD:
	case IMS_TRACE_A_NAME:
		return val_eq(&a->v, na, &b->v, nb);
	case IMS_TRACE_A_RANGES:
		return a->n == b->n && ranges_eq(a->p.ranges, na, b->p.ranges, nb, a->n);
	case IMS_TRACE_A_BYTES:
		return a->n == b->n && (!a->n || !memcmp(a->p.bytes, b->p.bytes, a->n));
	case IMS_TRACE_A_STR:
		return a->n == b->n && (!a->n || !memcmp(a->p.str, b->p.str, a->n));
	}
	return false;
}

static bool expect_eq(const struct ims_trace_expect *a, const struct ims_trace_names *na,
		      const struct ims_trace_expect *b, const struct ims_trace_names *nb)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case IMS_TRACE_X_ERRNO:
		return a->err == b->err;
	case IMS_TRACE_X_VALUE:
	case IMS_TRACE_X_PA:
	case IMS_TRACE_X_FAULT_CODE:
		return val_eq(&a->v, na, &b->v, nb);
	case IMS_TRACE_X_RANGES:
		return a->nranges == b->nranges &&
		       ranges_eq(a->ranges, na, b->ranges, nb, a->nranges);
	default:
		return true;
	}
}

bool ims_trace_stmt_equal(const struct ims_trace_stmt *a, const struct ims_trace_names *na,
			  const struct ims_trace_stmt *b, const struct ims_trace_names *nb)
{
	if (a->verb != b->verb || a->npos != b->npos || a->nkv != b->nkv || a->data != b->data ||
	    a->nentries != b->nentries || a->npos > IMS_TRACE_MAX_POS)
		return false;
	for (unsigned i = 0; i < a->npos; i++)
		if (!arg_eq(&a->pos[i], na, &b->pos[i], nb))
			return false;
	/* Statements the parser returns are in canonical order; built ones may
	 * not be, so match each key=value by (group, key) rather than place. */
	for (unsigned i = 0; i < a->nkv; i++) {
		const struct ims_trace_arg *x = &a->kv[i];
		bool found = false;
		for (unsigned j = 0; j < b->nkv && !found; j++) {
			const struct ims_trace_arg *y = &b->kv[j];
			if (x->key == y->key && x->group == y->group &&
			    (x->key != IMS_TRACE_K_RAW ||
			     (x->klen == y->klen && !memcmp(x->kstr, y->kstr, x->klen))))
				found = arg_eq(x, na, y, nb);
		}
		if (!found)
			return false;
	}
	return expect_eq(&a->expect, na, &b->expect, nb);
}
