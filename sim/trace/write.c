/* SPDX-License-Identifier: MIT */
/*
 * sim/trace/write — canonical text of a statement (contract: sim/trace.h).
 *
 * The canonical form is what importers emit and what round-trip tests
 * compare: one space between tokens; positionals, then group-0 keys in the
 * order of the verb's schema row, then data entries (fields in the order of
 * the data row, entries separated by " / "), then expect= last.  Numbers:
 * hex (lower case) for addresses, register values, IDs and offsets; decimal
 * for counts (hex above 2^32-1, where decimal stops being readable); lengths
 * with K/M/G when exact.  No comments, no blank lines.
 */
#include "sim/trace/trace_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim/pt.h"

/* Output to a buffer (snprintf-like: counts what did not fit) or a stream. */
struct sink {
	char *buf;
	size_t cap, len;
	FILE *f;
	bool io_error;
};

static void put(struct sink *o, const char *s, size_t n)
{
	if (o->f) {
		if (n && fwrite(s, 1, n, o->f) != n)
			o->io_error = true;
	} else if (o->len < o->cap) {
		size_t room = o->cap - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct sink *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_hex(struct sink *o, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "0x%" PRIx64, v);
	put(o, b, (size_t)n);
}

static void put_dec(struct sink *o, uint64_t v)
{
	if (v > UINT32_MAX) {
		put_hex(o, v);
		return;
	}
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRIu64, v);
	put(o, b, (size_t)n);
}

static void put_size(struct sink *o, uint64_t v)
{
	static const struct {
		unsigned shift;
		char suffix;
	} sfx[] = { { 30, 'G' }, { 20, 'M' }, { 10, 'K' } };
	for (unsigned i = 0; i < 3; i++) {
		uint64_t unit = 1ull << sfx[i].shift;
		if (v && !(v & (unit - 1))) {
			char b[24];
			int n = snprintf(b, sizeof(b), "%" PRIu64 "%c", v >> sfx[i].shift, sfx[i].suffix);
			put(o, b, (size_t)n);
			return;
		}
	}
	put_dec(o, v);
}

/* `$name` of a slot; false when the slot is not in the table. */
static bool put_name(struct sink *o, const struct ims_trace_names *names, int32_t slot)
{
	const char *s = ims_trace_names_str(names, slot);
	if (!s)
		return false;
	put(o, "$", 1);
	puts_(o, s);
	return true;
}

enum radix { HEX, DEC, SIZE };

static bool put_val(struct sink *o, const struct ims_trace_names *names,
		    const struct ims_trace_val *v, enum radix r)
{
	if (v->name != IMS_TRACE_NO_NAME) {
		if (!put_name(o, names, v->name))
			return false;
		if (v->num) {
			put(o, "+", 1);
			put_hex(o, v->num);
		}
		return true;
	}
	if (r == HEX)
		put_hex(o, v->num);
	else if (r == DEC)
		put_dec(o, v->num);
	else
		put_size(o, v->num);
	return true;
}

static bool put_ranges(struct sink *o, const struct ims_trace_names *names,
		       const struct ims_trace_range *rg, uint32_t n)
{
	if (n && !rg)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			put(o, ",", 1);
		if (!put_val(o, names, &rg[i].first, HEX))
			return false;
		put(o, "-", 1);
		if (!put_val(o, names, &rg[i].last, HEX))
			return false;
	}
	return true;
}

static bool put_letters(struct sink *o, uint64_t bits, unsigned allowed)
{
	static const char letters[] = "rwxp";
	if (bits & ~(uint64_t)allowed)
		return false;
	if (!bits) {
		puts_(o, "none");
		return true;
	}
	for (unsigned i = 0; i < 4; i++)
		if (bits & (1u << i))
			put(o, &letters[i], 1);
	return true;
}

/* The value part of an argument of type vt. */
static bool put_arg(struct sink *o, const struct ims_trace_names *names, uint8_t vt,
		    const char *const *words, const struct ims_trace_arg *a)
{
	switch ((enum ims_trace_vt)vt) {
	case VT_FLAG:
		return a->type == IMS_TRACE_A_FLAG;
	case VT_HEX:
	case VT_DEC:
	case VT_SIZE:
		return a->type == IMS_TRACE_A_VAL &&
		       put_val(o, names, &a->v, vt == VT_HEX ? HEX : vt == VT_DEC ? DEC : SIZE);
	case VT_HEX_AUTO:
		if (a->type == IMS_TRACE_A_WORD && a->v.num == 0) {
			puts_(o, "auto");
			return true;
		}
		return a->type == IMS_TRACE_A_VAL && put_val(o, names, &a->v, HEX);
	case VT_ACCESS: {
		uint64_t b = a->v.num;
		if (a->type != IMS_TRACE_A_VAL || a->v.name != IMS_TRACE_NO_NAME ||
		    !(b == IMS_TRACE_ACC_R || b == IMS_TRACE_ACC_W || b == IMS_TRACE_ACC_X ||
		      b == (IMS_TRACE_ACC_R | IMS_TRACE_ACC_W)))
			return false;
		return put_letters(o, b, IMS_TRACE_ACC_R | IMS_TRACE_ACC_W | IMS_TRACE_ACC_X);
	}
	case VT_PROT:
	case VT_PERM:
		if (a->type != IMS_TRACE_A_VAL || a->v.name != IMS_TRACE_NO_NAME)
			return false;
		return put_letters(o, a->v.num,
				   vt == VT_PROT ? IMS_TRACE_ACC_R | IMS_TRACE_ACC_W : 0xfu);
	case VT_OBJ:
	case VT_NEWOBJ:
	case VT_NEWVAL:
	case VT_NEWTABLE:
		return a->type == IMS_TRACE_A_NAME && put_name(o, names, a->v.name);
	case VT_OBJ_OR_ID:
		if (a->type == IMS_TRACE_A_NAME)
			return put_name(o, names, a->v.name);
		return a->type == IMS_TRACE_A_VAL && a->v.name == IMS_TRACE_NO_NAME &&
		       put_val(o, names, &a->v, DEC);
	case VT_RANGES:
	case VT_RANGE:
		return a->type == IMS_TRACE_A_RANGES && (vt == VT_RANGES || a->n == 1) &&
		       put_ranges(o, names, a->p.ranges, a->n);
	case VT_WORD:
		if (a->type != IMS_TRACE_A_WORD || a->v.num >= ims_trace_words_count(words))
			return false;
		puts_(o, words[a->v.num]);
		return true;
	case VT_CODE:
		if (a->type != IMS_TRACE_A_VAL || a->v.name != IMS_TRACE_NO_NAME)
			return false;
		if (a->v.num < ims_trace_words_count(words))
			puts_(o, words[a->v.num]);
		else
			put_dec(o, a->v.num);
		return true;
	case VT_HEXBYTES: {
		static const char hexd[] = "0123456789abcdef";
		if (a->type != IMS_TRACE_A_BYTES || a->n == 0 || !a->p.bytes)
			return false;
		for (uint32_t i = 0; i < a->n; i++) {
			char b[2] = { hexd[a->p.bytes[i] >> 4], hexd[a->p.bytes[i] & 15] };
			put(o, b, 2);
		}
		return true;
	}
	case VT_DEV:
		if (a->type == IMS_TRACE_A_NAME)
			return put_name(o, names, a->v.name);
		if (a->key != IMS_TRACE_K_SID || a->type != IMS_TRACE_A_VAL)
			return false;
		puts_(o, "sid=");
		return put_val(o, names, &a->v, HEX);
	case VT_STR:
		if (a->type != IMS_TRACE_A_STR || a->n == 0 || !a->p.str)
			return false;
		put(o, a->p.str, a->n);
		return true;
	case VT_PTFMT:
		if (a->type != IMS_TRACE_A_WORD || a->v.num >= ims_pt_ncatalog)
			return false;
		puts_(o, ims_pt_catalog[a->v.num].name);
		return true;
	}
	return false;
}

static const struct ims_trace_arg *find_kv(const struct ims_trace_stmt *st, unsigned group,
					   unsigned key)
{
	for (unsigned i = 0; i < st->nkv; i++)
		if (st->kv[i].group == group && st->kv[i].key == key)
			return &st->kv[i];
	return NULL;
}

/* Writes the keys of one group in the order of `list`; counts them. */
static bool put_group(struct sink *o, const struct ims_trace_names *names,
		      const struct ims_trace_stmt *st, unsigned group,
		      const struct ims_trace_keyent *list, unsigned *written)
{
	for (unsigned i = 0; list[i].key != IMS_TRACE_K_NONE; i++) {
		const struct ims_trace_arg *a = find_kv(st, group, list[i].key);
		if (!a)
			continue;
		put(o, " ", 1);
		puts_(o, ims_trace_key_names[list[i].key]);
		if (list[i].vt != VT_FLAG)
			put(o, "=", 1);
		if (!put_arg(o, names, list[i].vt, list[i].words, a))
			return false;
		(*written)++;
	}
	return true;
}

/* The value of expect= (without the key). */
static bool put_expect_value(struct sink *o, const struct ims_trace_names *names,
			     const struct ims_trace_verbdesc *d, const struct ims_trace_expect *x)
{
	switch (x->kind) {
	case IMS_TRACE_X_OK: puts_(o, "ok"); return true;
	case IMS_TRACE_X_FAULT: puts_(o, "fault"); return true;
	case IMS_TRACE_X_EMPTY: puts_(o, "empty"); return true;
	case IMS_TRACE_X_QUEUED: puts_(o, "queued"); return true;
	case IMS_TRACE_X_STALL: puts_(o, "stall"); return true;
	case IMS_TRACE_X_ERRNO: {
		const char *n = ims_trace_errno_name(x->err);
		if (!n)
			return false;
		puts_(o, n);
		return true;
	}
	case IMS_TRACE_X_VALUE:
		return put_val(o, names, &x->v, (d->flags & VF_XDEC) ? DEC : HEX);
	case IMS_TRACE_X_PA:
		puts_(o, "pa:");
		return put_val(o, names, &x->v, HEX);
	case IMS_TRACE_X_FAULT_CODE:
		if (x->v.name != IMS_TRACE_NO_NAME)
			return false;
		puts_(o, "fault:");
		put_hex(o, x->v.num);
		return true;
	case IMS_TRACE_X_RANGES:
		return put_ranges(o, names, x->ranges, x->nranges);
	default:
		return false;
	}
}

static bool put_expect(struct sink *o, const struct ims_trace_names *names,
		       const struct ims_trace_verbdesc *d, const struct ims_trace_expect *x)
{
	if (x->kind == IMS_TRACE_X_NONE)
		return true;
	if ((unsigned)x->kind >= IMS_TRACE_NXKINDS || !(d->xmask & (1u << x->kind)))
		return false;
	puts_(o, " expect=");
	return put_expect_value(o, names, d, x);
}

static bool put_raw(struct sink *o, const struct ims_trace_arg *a)
{
	if (a->key != IMS_TRACE_K_RAW || !a->kstr || !a->klen)
		return false;
	put(o, " ", 1);
	put(o, a->kstr, a->klen);
	put(o, "=", 1);
	if (a->type == IMS_TRACE_A_STR && a->p.str && a->n) {
		put(o, a->p.str, a->n);
		return true;
	}
	if (a->type != IMS_TRACE_A_VAL || a->v.name != IMS_TRACE_NO_NAME)
		return false;
	/* Small numbers (sizes, counts) read best in decimal, register values in hex. */
	if (a->v.num <= 0xffff)
		put_dec(o, a->v.num);
	else
		put_hex(o, a->v.num);
	return true;
}

static bool format(struct sink *o, const struct ims_trace_stmt *st,
		   const struct ims_trace_names *names)
{
	if ((unsigned)st->verb >= IMS_TRACE_NVERBS)
		return false;
	const struct ims_trace_verbdesc *d = &ims_trace_verbs[st->verb];
	if (st->npos < ims_trace_npos_min(d) || st->npos > ims_trace_npos_max(d))
		return false;
	puts_(o, d->name);
	for (unsigned i = 0; i < st->npos; i++) {
		put(o, " ", 1);
		if (!put_arg(o, names, d->pos[i].vt, d->pos[i].words, &st->pos[i]))
			return false;
	}
	unsigned written = 0;
	if (d->flags & VF_RAWKEYS) {
		for (unsigned i = 0; i < st->nkv; i++)
			if (!put_raw(o, &st->kv[i]))
				return false;
		written = st->nkv;
	} else {
		if (!put_group(o, names, st, 0, d->keys, &written))
			return false;
		const struct ims_trace_datadesc *dd =
			st->data >= 0 ? ims_trace_data_desc(st->verb, (unsigned)st->data) : NULL;
		if (st->data >= 0 && !dd)
			return false;
		for (unsigned g = 1; dd && g <= st->nentries; g++) {
			if (g > 1)
				puts_(o, " /");
			if (!put_group(o, names, st, g, dd->keys, &written))
				return false;
		}
	}
	/* Every key=value must have been written: a leftover is not in the
	 * schema (or sits in an entry past nentries). */
	if (written != st->nkv)
		return false;
	return put_expect(o, names, d, &st->expect);
}

int ims_trace_format(char *buf, size_t n, const struct ims_trace_stmt *st,
		     const struct ims_trace_names *names)
{
	struct sink o = { .buf = buf, .cap = n };
	if (!st || !names || !format(&o, st, names) || o.len > INT32_MAX)
		return -EINVAL;
	if (n)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}

int ims_trace_format_expect(char *buf, size_t n, const struct ims_trace_stmt *st,
			    const struct ims_trace_names *names)
{
	struct sink o = { .buf = buf, .cap = n };
	if (!st || !names || (unsigned)st->verb >= IMS_TRACE_NVERBS)
		return -EINVAL;
	if (st->expect.kind != IMS_TRACE_X_NONE &&
	    !put_expect_value(&o, names, &ims_trace_verbs[st->verb], &st->expect))
		return -EINVAL;
	if (n)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}

int ims_trace_write(FILE *f, const struct ims_trace_stmt *st, const struct ims_trace_names *names)
{
	if (!f || !st || !names)
		return -EINVAL;
	/* Validate first, so that nothing half-written reaches the stream. */
	struct sink probe = { 0 };
	if (!format(&probe, st, names))
		return -EINVAL;
	struct sink o = { .f = f };
	format(&o, st, names);
	put(&o, "\n", 1);
	return o.io_error ? -EIO : 0;
}
