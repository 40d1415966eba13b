/* SPDX-License-Identifier: MIT */
/*
 * sim/trace/values — reading one argument's value: numbers and $name
 * references, access letters, word lists, range lists, hex bytes, expect=.
 *
 * The value types are those of the schema (enum ims_trace_vt); what each
 * accepts is documented in traces/FORMAT.md.  Every error names the token.
 */
#include "sim/trace/trace_priv.h"

#include <errno.h>
#include <string.h>

#include "sim/pt.h"

#define Q(s, n) ims_trace_quote(p, 0, (s), (n))
#define QT(c) ims_trace_quote(p, 0, (c)->t->s, (c)->t->len)

static bool span_is(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);
	return len == n && !memcmp(s, w, n);
}

int ims_trace_find_word(const char *const *w, const char *s, size_t len)
{
	for (int i = 0; w && w[i]; i++)
		if (span_is(s, len, w[i]))
			return i;
	return -1;
}

/* "a, b or c" for messages (in quote buffer 1). */
static const char *word_list(struct ims_trace_parser *p, const char *const *w)
{
	char *q = p->quote[1];
	size_t o = 0, cap = sizeof(p->quote[1]);
	unsigned n = ims_trace_words_count(w);
	q[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		int k = snprintf(q + o, cap - o, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", w[i]);
		if (k < 0 || (size_t)k >= cap - o)
			break;
		o += (size_t)k;
	}
	return q;
}

static int bad_num(struct ims_trace_parser *p, const struct ims_trace_ctx *c, int rc)
{
	return ims_trace_fail(p, "%s: %s %s", c->d->name,
			      rc == -ERANGE ? "number out of range (above 2^64-1)"
					    : "malformed number",
			      QT(c));
}

/* ---- $names ------------------------------------------------------------------ */

/* A reference: the name must be made already, with one of the `need` bits. */
static int ref_name(struct ims_trace_parser *p, const struct ims_trace_ctx *c, const char *s,
		    size_t len, unsigned need, int32_t *slot)
{
	/* s points after '$'.  Only well-formed names are ever defined, so a
	 * hit needs no further check; a miss is diagnosed. */
	int sl = len <= IMS_TRACE_NAME_MAX ? ims_trace_names_find(p->names, s, len) : -1;
	unsigned kind = sl >= 0 ? ims_trace_names_kind(p->names, sl) : 0;
	if (!kind) {
		bool ok = len > 0 && len <= IMS_TRACE_NAME_MAX;
		for (size_t i = 0; ok && i < len; i++)
			ok = ims_trace_is_name_char((unsigned char)s[i]);
		if (!ok)
			return ims_trace_fail(p, "%s: bad name %s", c->d->name, Q(s - 1, len + 1));
		return ims_trace_fail(p, "%s: %s is used before it is made", c->d->name,
				      Q(s - 1, len + 1));
	}
	if (!(kind & need))
		return ims_trace_fail(p, "%s: %s names %s, not %s (in %s)", c->d->name,
				      Q(s - 1, len + 1),
				      kind & IMS_TRACE_NAME_OBJ ? "an object" : "a value",
				      need & IMS_TRACE_NAME_OBJ ? "an object" : "a value", c->what);
	*slot = sl;
	return 0;
}

/* A name this statement makes: checked now, bound when the line is done. */
static int add_def(struct ims_trace_parser *p, const struct ims_trace_ctx *c, const char *s,
		   size_t len, unsigned kind, int pos, uint32_t kvi)
{
	if (len < 2 || s[0] != '$')
		return ims_trace_fail(p, "%s: expected a $name to make in %s, got %s", c->d->name,
				      c->what, Q(s, len));
	if (len - 1 > IMS_TRACE_NAME_MAX)
		return ims_trace_fail(p, "%s: name %s is longer than %u characters", c->d->name,
				      Q(s, len), IMS_TRACE_NAME_MAX);
	for (size_t i = 1; i < len; i++)
		if (!ims_trace_is_name_char((unsigned char)s[i]))
			return ims_trace_fail(p, "%s: bad name %s", c->d->name, Q(s, len));
	for (unsigned i = 0; i < p->ndefs; i++)
		if (p->defs[i].len == len - 1 && !memcmp(p->defs[i].s, s + 1, len - 1))
			return ims_trace_fail(p, "%s: %s is made twice in one statement",
					      c->d->name, Q(s, len));
	if (p->ndefs == IMS_TRACE_MAX_DEFS)
		return ims_trace_fail(p, "%s: too many names made in one statement", c->d->name);
	p->defs[p->ndefs++] = (struct ims_trace_def){ s + 1, (uint32_t)(len - 1), (uint8_t)kind,
						      (int8_t)pos, kvi };
	return 0;
}

/* ---- Numbers ----------------------------------------------------------------- */

int ims_trace_read_val(struct ims_trace_parser *p, const struct ims_trace_ctx *c, const char *s,
		       size_t len, bool size, struct ims_trace_val *v)
{
	if (len && s[0] == '$') {
		/* $name or $name+OFFSET; an offset is a length (K/M/G allowed). */
		const char *plus = memchr(s, '+', len);
		size_t nlen = plus ? (size_t)(plus - s) - 1 : len - 1;
		v->num = 0;
		if (ref_name(p, c, s + 1, nlen, IMS_TRACE_NAME_VAL, &v->name))
			return IMS_TRACE_ERROR;
		if (plus) {
			int rc = ims_trace_parse_num(plus + 1, len - nlen - 2, true, &v->num);
			if (rc)
				return bad_num(p, c, rc);
		}
		return 0;
	}
	v->name = IMS_TRACE_NO_NAME;
	int rc = ims_trace_parse_num(s, len, size, &v->num);
	if (rc)
		return bad_num(p, c, rc);
	if (c->width && c->width < 64 && (v->num >> c->width))
		return ims_trace_fail(p, "%s: %s does not fit in %u bits", c->d->name, QT(c),
				      c->width);
	return 0;
}

static int read_ranges(struct ims_trace_parser *p, const struct ims_trace_ctx *c, const char *s,
		       size_t len, uint32_t *off, uint32_t *n)
{
	*off = p->nranges;
	*n = 0;
	if (len == 0)
		return 0;
	size_t i = 0;
	for (;;) {
		const char *item = s + i;
		const char *comma = memchr(item, ',', len - i);
		size_t ilen = comma ? (size_t)(comma - item) : len - i;
		const char *dash = memchr(item, '-', ilen);
		if (!dash || dash == item || dash + 1 == item + ilen ||
		    memchr(dash + 1, '-', ilen - (size_t)(dash + 1 - item)))
			return ims_trace_fail(p, "%s: bad range %s in %s (START-LAST)", c->d->name,
					      Q(item, ilen), c->what);
		if (p->nranges == p->capranges &&
		    ims_trace_grow((void **)&p->ranges, &p->capranges, p->nranges + 1,
				   sizeof(*p->ranges), &p->bytes))
			return ims_trace_fail(p, "out of memory");
		struct ims_trace_range *r = &p->ranges[p->nranges];
		if (ims_trace_read_val(p, c, item, (size_t)(dash - item), false, &r->first) ||
		    ims_trace_read_val(p, c, dash + 1, ilen - (size_t)(dash + 1 - item), false,
				       &r->last))
			return IMS_TRACE_ERROR;
		p->nranges++;
		(*n)++;
		if (!comma)
			return 0;
		i += ilen + 1;
	}
}

static int hexdigit(char ch)
{
	return (ch >= '0' && ch <= '9') ? ch - '0'
	       : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
	       : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10 : -1;
}

int ims_trace_parse_bdf(const char *s, size_t len, uint64_t *sid)
{
	/* BB:DD.F, hexadecimal; the requester ID is bus<<8 | device<<3 |
	 * function (PCI Express Base, Routing IDs; VT-d source-id). */
	unsigned v[3] = { 0, 0, 0 }, field = 0, digits = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		int d = hexdigit(ch);
		if (d >= 0) {
			if (++digits > 2)
				return -EINVAL;
			v[field] = v[field] * 16 + (unsigned)d;
			continue;
		}
		if (!digits || (field == 0 && ch != ':') || (field == 1 && ch != '.') || field == 2)
			return -EINVAL;
		field++;
		digits = 0;
	}
	if (field != 2 || digits != 1 || v[1] > 0x1f || v[2] > 7)
		return -EINVAL;
	*sid = (uint64_t)v[0] << 8 | v[1] << 3 | v[2];
	return 0;
}

/* Letters from r w x p, each at most once, in any order; 0 when bad. */
static unsigned parse_letters(const char *s, size_t len, bool *ok)
{
	static const char order[] = "rwxp";
	unsigned bits = 0;
	*ok = len > 0;
	for (size_t i = 0; i < len; i++) {
		const char *at = memchr(order, s[i], 4);
		unsigned b = at ? 1u << (at - order) : 0;
		if (!b || (bits & b))
			*ok = false;
		bits |= b;
	}
	return bits;
}

/* ---- One argument -------------------------------------------------------------
 * Sets a->type and the fields that type uses (v for VAL/WORD/NAME; n and p for
 * RANGES/BYTES/STR); a->key and a->group are the caller's. */
int ims_trace_read_arg(struct ims_trace_parser *p, const struct ims_trace_ctx *c, uint8_t vt,
		       const char *const *words, char *s, size_t len, struct ims_trace_arg *a,
		       int pos, uint32_t kvi)
{
	const char *vname = c->d->name;
	a->v.num = 0;
	a->v.name = IMS_TRACE_NO_NAME;
	switch ((enum ims_trace_vt)vt) {
	case VT_FLAG:
		a->type = IMS_TRACE_A_FLAG;
		return 0;
	case VT_HEX:
	case VT_DEC:
	case VT_SIZE:
		a->type = IMS_TRACE_A_VAL;
		return ims_trace_read_val(p, c, s, len, vt == VT_SIZE, &a->v);
	case VT_HEX_AUTO:
		if (span_is(s, len, "auto")) {
			a->type = IMS_TRACE_A_WORD;
			return 0;
		}
		a->type = IMS_TRACE_A_VAL;
		return ims_trace_read_val(p, c, s, len, false, &a->v);
	case VT_ACCESS: {
		/* TRACE-FORMAT.md: ACCESS is r, w, rw (needs both) or x. */
		unsigned bits = 0;
		if (len == 1)
			bits = s[0] == 'r' ? IMS_TRACE_ACC_R : s[0] == 'w' ? IMS_TRACE_ACC_W
			       : s[0] == 'x' ? IMS_TRACE_ACC_X : 0;
		else if (len == 2 && s[0] == 'r' && s[1] == 'w')
			bits = IMS_TRACE_ACC_R | IMS_TRACE_ACC_W;
		if (!bits)
			return ims_trace_fail(p, "%s: bad ACCESS %s (r, w, rw or x)", vname,
					      Q(s, len));
		a->type = IMS_TRACE_A_VAL;
		a->v.num = bits;
		return 0;
	}
	case VT_PROT: {
		bool none = span_is(s, len, "none");
		unsigned bits = span_is(s, len, "r") ? IMS_TRACE_ACC_R
				: span_is(s, len, "w") ? IMS_TRACE_ACC_W
				: span_is(s, len, "rw") ? IMS_TRACE_ACC_R | IMS_TRACE_ACC_W : 0;
		if (!bits && !none)
			return ims_trace_fail(p, "%s: bad %s (r, w, rw or none)", vname, QT(c));
		a->type = IMS_TRACE_A_VAL;
		a->v.num = bits;
		return 0;
	}
	case VT_PERM: {
		bool none = span_is(s, len, "none"), ok = none;
		unsigned bits = none ? 0 : parse_letters(s, len, &ok);
		if (!ok)
			return ims_trace_fail(p, "%s: bad %s (letters r, w, x, p, or none)", vname,
					      QT(c));
		a->type = IMS_TRACE_A_VAL;
		a->v.num = bits;
		return 0;
	}
	case VT_OBJ:
	case VT_OBJ_OR_ID:
	case VT_DEV:
		if (len && s[0] == '$') {
			a->type = IMS_TRACE_A_NAME;
			return ref_name(p, c, s + 1, len - 1, IMS_TRACE_NAME_OBJ, &a->v.name);
		}
		if (vt == VT_DEV)
			return ims_trace_fail(p, "%s: bad DEV %s ($name, sid=N or bdf=BB:DD.F)",
					      vname, Q(s, len));
		if (vt == VT_OBJ)
			return ims_trace_fail(p, "%s: expected a $name in %s, got %s", vname,
					      c->what, Q(s, len));
		a->type = IMS_TRACE_A_VAL;
		return ims_trace_read_val(p, c, s, len, false, &a->v);
	case VT_NEWOBJ:
	case VT_NEWVAL:
	case VT_NEWTABLE:
		a->type = IMS_TRACE_A_NAME;
		return add_def(p, c, s, len,
			       vt == VT_NEWOBJ ? IMS_TRACE_NAME_OBJ
			       : vt == VT_NEWVAL ? IMS_TRACE_NAME_VAL
						 : IMS_TRACE_NAME_OBJ | IMS_TRACE_NAME_VAL,
			       pos, kvi);
	case VT_RANGES:
	case VT_RANGE: {
		uint32_t off, n;
		if (read_ranges(p, c, s, len, &off, &n))
			return IMS_TRACE_ERROR;
		if (vt == VT_RANGE && n != 1)
			return ims_trace_fail(p, "%s: %s needs one START-LAST range, got %s", vname,
					      c->what, Q(s, len));
		a->type = IMS_TRACE_A_RANGES;
		a->n = n;
		a->p.ranges = NULL;
		a->v.num = off; /* the parser turns it into p.ranges at the end */
		return 0;
	}
	case VT_WORD: {
		int w = ims_trace_find_word(words, s, len);
		if (w < 0)
			return ims_trace_fail(p, "%s: bad %s %s (%s)", vname, c->what, Q(s, len),
					      word_list(p, words));
		a->type = IMS_TRACE_A_WORD;
		a->v.num = (uint64_t)w;
		return 0;
	}
	case VT_CODE: {
		int w = ims_trace_find_word(words, s, len);
		a->type = IMS_TRACE_A_VAL;
		if (w >= 0) {
			a->v.num = (uint64_t)w;
			return 0;
		}
		if (len && s[0] >= '0' && s[0] <= '9')
			return ims_trace_read_val(p, c, s, len, false, &a->v);
		return ims_trace_fail(p, "%s: bad %s %s (a number, or %s)", vname, c->what,
				      Q(s, len), word_list(p, words));
	}
	case VT_HEXBYTES: {
		if (len == 0 || (len & 1))
			return ims_trace_fail(p, "%s: %s needs an even number of hex digits, got %s",
					      vname, c->what, Q(s, len));
		/* Decoded in place: byte i only overwrites characters already read. */
		uint8_t *out = (uint8_t *)s;
		for (size_t i = 0; i < len; i += 2) {
			int hi = hexdigit(s[i]), lo = hexdigit(s[i + 1]);
			if (hi < 0 || lo < 0)
				return ims_trace_fail(p, "%s: bad hex byte %s in %s", vname,
						      Q(s + i, 2), c->what);
			out[i / 2] = (uint8_t)(hi << 4 | lo);
		}
		a->type = IMS_TRACE_A_BYTES;
		a->n = (uint32_t)(len / 2);
		a->p.bytes = out;
		return 0;
	}
	case VT_STR:
		if (!len)
			return ims_trace_fail(p, "%s: empty %s", vname, c->what);
		for (size_t i = 0; i < len; i++)
			if (!ims_trace_is_name_char((unsigned char)s[i]) && s[i] != '.')
				return ims_trace_fail(p, "%s: bad %s %s (letters, digits, '_' and '.')",
						      vname, c->what, Q(s, len));
		a->type = IMS_TRACE_A_STR;
		a->p.str = s;
		a->n = (uint32_t)len;
		return 0;
	case VT_PTFMT:
		for (unsigned i = 0; i < ims_pt_ncatalog; i++)
			if (span_is(s, len, ims_pt_catalog[i].name)) {
				a->type = IMS_TRACE_A_WORD;
				a->v.num = i;
				return 0;
			}
		return ims_trace_fail(p, "%s: unknown page-table format %s (`iommusim tables` "
				      "lists them)", vname, Q(s, len));
	}
	return ims_trace_fail(p, "%s: internal error: value type %u", vname, vt);
}

/* ---- expect= ------------------------------------------------------------------ */

static const char *const xform[IMS_TRACE_NXKINDS] = {
	[IMS_TRACE_X_OK] = "ok",
	[IMS_TRACE_X_ERRNO] = "an errno name",
	[IMS_TRACE_X_VALUE] = "a value",
	[IMS_TRACE_X_PA] = "pa:ADDR",
	[IMS_TRACE_X_FAULT] = "fault",
	[IMS_TRACE_X_FAULT_CODE] = "fault:CODE",
	[IMS_TRACE_X_RANGES] = "START-LAST[,...]",
	[IMS_TRACE_X_EMPTY] = "empty",
	[IMS_TRACE_X_QUEUED] = "queued",
	[IMS_TRACE_X_STALL] = "stall",
};

static int bad_expect(struct ims_trace_parser *p, const struct ims_trace_ctx *c)
{
	char forms[160];
	size_t o = 0;
	unsigned n = 0, total = 0;
	for (unsigned k = 0; k < IMS_TRACE_NXKINDS; k++)
		total += (c->d->xmask >> k) & 1;
	forms[0] = '\0';
	for (unsigned k = 0; k < IMS_TRACE_NXKINDS; k++) {
		if (!((c->d->xmask >> k) & 1))
			continue;
		n++;
		int w = snprintf(forms + o, sizeof(forms) - o, "%s%s",
				 n == 1 ? "" : n == total ? " or " : ", ", xform[k]);
		if (w > 0 && (size_t)w < sizeof(forms) - o)
			o += (size_t)w;
	}
	return ims_trace_fail(p, "%s: bad %s (expected %s)", c->d->name, QT(c), forms);
}

int ims_trace_read_expect(struct ims_trace_parser *p, const struct ims_trace_ctx *c,
			  const char *s, size_t len, struct ims_trace_expect *x)
{
	unsigned xm = c->d->xmask;
#define ALLOWED(k) (xm & (1u << IMS_TRACE_X_##k))
	if (x->kind != IMS_TRACE_X_NONE)
		return ims_trace_fail(p, "%s: expect= given twice (%s)", c->d->name, QT(c));
	if (len == 0) {
		if (!ALLOWED(RANGES))
			return bad_expect(p, c);
		x->kind = IMS_TRACE_X_RANGES;
		x->nranges = 0;
		p->xranges_off = p->nranges;
		return 0;
	}
	static const struct {
		const char *w;
		enum ims_trace_xkind k;
	} plain[] = { { "ok", IMS_TRACE_X_OK },       { "fault", IMS_TRACE_X_FAULT },
		      { "empty", IMS_TRACE_X_EMPTY }, { "queued", IMS_TRACE_X_QUEUED },
		      { "stall", IMS_TRACE_X_STALL } };
	for (unsigned i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (span_is(s, len, plain[i].w)) {
			if (!(xm & (1u << plain[i].k)))
				return bad_expect(p, c);
			x->kind = plain[i].k;
			return 0;
		}
	if (len > 6 && !memcmp(s, "fault:", 6) && ALLOWED(FAULT_CODE)) {
		/* CODE: the model's own number (VT-d fault reason, SMMUv3 event
		 * type, AMD-Vi event code). */
		int rc = ims_trace_parse_num(s + 6, len - 6, false, &x->v.num);
		if (rc)
			return bad_num(p, c, rc);
		x->v.name = IMS_TRACE_NO_NAME;
		x->kind = IMS_TRACE_X_FAULT_CODE;
		return 0;
	}
	if (len > 3 && !memcmp(s, "pa:", 3) && ALLOWED(PA)) {
		struct ims_trace_ctx c2 = *c;
		c2.width = 0;
		if (ims_trace_read_val(p, &c2, s + 3, len - 3, false, &x->v))
			return IMS_TRACE_ERROR;
		x->kind = IMS_TRACE_X_PA;
		return 0;
	}
	if (s[0] == 'E' && ALLOWED(ERRNO)) {
		int e = ims_trace_errno_from_name(s, len);
		if (!e)
			return ims_trace_fail(p, "%s: unknown errno name %s in expect=", c->d->name,
					      Q(s, len));
		x->kind = IMS_TRACE_X_ERRNO;
		x->err = e;
		return 0;
	}
	bool numeric = (s[0] >= '0' && s[0] <= '9') || s[0] == '$';
	if (ALLOWED(RANGES) && numeric) {
		uint32_t off, n;
		if (read_ranges(p, c, s, len, &off, &n))
			return IMS_TRACE_ERROR;
		x->kind = IMS_TRACE_X_RANGES;
		x->nranges = n;
		p->xranges_off = off;
		return 0;
	}
	if (ALLOWED(VALUE) && numeric) {
		if (ims_trace_read_val(p, c, s, len, false, &x->v))
			return IMS_TRACE_ERROR;
		x->kind = IMS_TRACE_X_VALUE;
		return 0;
	}
#undef ALLOWED
	return bad_expect(p, c);
}
