/* SPDX-License-Identifier: MIT */
/*
 * sim/trace/parse — the streaming statement parser (contract: sim/trace.h;
 * grammar: shared/TRACE-FORMAT.md and traces/FORMAT.md).
 *
 * One line at a time: take tokens off the line (they point into it), look
 * the verb up in a hash of the schema table, and read each token as the
 * verb's row says (values.c reads the values).  Nothing is allocated per
 * line: the key=value and range arrays grow to the largest statement seen
 * and are reused; $names are interned once.  Every error names its token.
 */
#include "sim/trace/trace_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define QT(t) ims_trace_quote(p, 0, (t)->s, (t)->len)

/* The per-token fast paths must be inlined into their callers. */
#if defined(__GNUC__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE static inline
#endif

/* ---- Errors and helpers ----------------------------------------------------- */

const char *ims_trace_quote(struct ims_trace_parser *p, unsigned which, const char *s, size_t len)
{
	static const char hexd[] = "0123456789abcdef";
	char *q = p->quote[which & 1];
	size_t o = 0, cap = sizeof(p->quote[0]);
	q[o++] = '\'';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o + 8 >= cap) {
			memcpy(q + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
			q[o++] = (char)c;
		} else {
			q[o++] = '\\';
			q[o++] = 'x';
			q[o++] = hexd[c >> 4];
			q[o++] = hexd[c & 15];
		}
	}
	q[o++] = '\'';
	q[o] = '\0';
	return q;
}

int ims_trace_fail(struct ims_trace_parser *p, const char *fmt, ...)
{
	uint64_t line = p->lineno ? p->lineno : 1;
	int n = snprintf(p->err, sizeof(p->err), "%s:%llu: ", p->file, (unsigned long long)line);
	if (n < 0 || (size_t)n >= sizeof(p->err))
		n = 0;
	p->err_msg_off = (size_t)n;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + n, sizeof(p->err) - (size_t)n, fmt, ap);
	va_end(ap);
	p->err_line = line;
	p->failed = true;
	return IMS_TRACE_ERROR;
}

int ims_trace_grow(void **arr, uint32_t *cap, uint32_t need, size_t elem, size_t *bytes)
{
	if (need <= *cap)
		return 0;
	uint32_t ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > UINT32_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	void *a = realloc(*arr, (size_t)ncap * elem);
	if (!a)
		return -ENOMEM;
	*bytes += (size_t)(ncap - *cap) * elem;
	*arr = a;
	*cap = ncap;
	return 0;
}

/* ---- Schema look-up ---------------------------------------------------------- */

/* Verbs and keys differ in length or in their first, middle or last byte,
 * so those four suffice as a hash; collisions only cost a probe. */
static inline uint32_t schema_hash(const char *s, size_t len)
{
	uint32_t h = (uint32_t)len * 2654435761u;
	h ^= (uint32_t)(unsigned char)s[0] * 40503u;
	h ^= (uint32_t)(unsigned char)s[len - 1] * 9973u;
	h ^= (uint32_t)(unsigned char)s[len / 2] * 131u;
	return h ^ (h >> 13);
}

/* memcmp for the short strings of the schema, without a library call. */
static inline bool same(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static void build_lookup(struct ims_trace_parser *p)
{
	for (unsigned c = 0; c < 256; c++)
		p->cls[c] = c == ' ' || c == '\t' ? 1 : c == '#' ? 2 : c == '=' ? 4
			    : c < 0x20 || c == 0x7f ? 3 : 0;
	/* `dma` goes in first so that the hottest verb never probes. */
	for (unsigned n = 0; n < IMS_TRACE_NVERBS; n++) {
		unsigned v = n == 0 ? IMS_TRACE_V_DMA : n == IMS_TRACE_V_DMA ? 0 : n;
		const struct ims_trace_verbdesc *d = &ims_trace_verbs[v];
		p->verb_len[v] = (uint8_t)strlen(d->name);
		uint32_t b = schema_hash(d->name, p->verb_len[v]) & (IMS_TRACE_VERB_BUCKETS - 1);
		while (p->verb_idx[b])
			b = (b + 1) & (IMS_TRACE_VERB_BUCKETS - 1);
		p->verb_idx[b] = (uint8_t)(v + 1);
		p->npos_min[v] = (uint8_t)ims_trace_npos_min(d);
		p->npos_max[v] = (uint8_t)ims_trace_npos_max(d);
		memset(p->vrank[v], -1, sizeof(p->vrank[v]));
		for (unsigned i = 0; d->keys[i].key != IMS_TRACE_K_NONE; i++) {
			p->vrank[v][d->keys[i].key] = (int8_t)i;
			if (d->keys[i].flags & KE_REQ)
				p->has_req[v] = true;
		}
	}
	for (unsigned k = IMS_TRACE_K_SID; k <= IMS_TRACE_NKEYS; k++) {
		const char *s = ims_trace_key_names[k];
		p->key_len[k] = (uint8_t)strlen(s);
		uint32_t b = schema_hash(s, p->key_len[k]) & (IMS_TRACE_KEY_BUCKETS - 1);
		while (p->key_idx[b])
			b = (b + 1) & (IMS_TRACE_KEY_BUCKETS - 1);
		p->key_idx[b] = (uint8_t)k; /* keys start at 2: 0 stays "empty" */
	}
}

static int find_verb(const struct ims_trace_parser *p, const char *s, size_t len)
{
	uint32_t mask = IMS_TRACE_VERB_BUCKETS - 1;
	for (uint32_t b = schema_hash(s, len) & mask;; b = (b + 1) & mask) {
		unsigned e = p->verb_idx[b];
		if (!e)
			return -1;
		if (p->verb_len[e - 1] == len && same(ims_trace_verbs[e - 1].name, s, len))
			return (int)e - 1;
	}
}

ALWAYS_INLINE int find_key(const struct ims_trace_parser *p, const char *s, size_t len)
{
	if (len == 0)
		return -1;
	uint32_t mask = IMS_TRACE_KEY_BUCKETS - 1;
	for (uint32_t b = schema_hash(s, len) & mask;; b = (b + 1) & mask) {
		unsigned e = p->key_idx[b];
		if (!e)
			return -1;
		if (p->key_len[e] == len && same(ims_trace_key_names[e], s, len))
			return (int)e;
	}
}

/* ---- Open / close ---------------------------------------------------------------- */

static struct ims_trace_parser *open_common(const char *file)
{
	struct ims_trace_parser *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	const char *f = file ? file : "<trace>";
	p->file = malloc(strlen(f) + 1);
	p->names = ims_trace_names_new();
	if (!p->file || !p->names) {
		free(p->file);
		ims_trace_names_free(p->names);
		free(p);
		return NULL;
	}
	strcpy(p->file, f);
	p->bytes = sizeof(*p) + strlen(f) + 1;
	p->nc_len = UINT32_MAX; /* the name cache starts empty */
	build_lookup(p);
	return p;
}

struct ims_trace_parser *ims_trace_open_file(FILE *f, const char *file)
{
	if (!f)
		return NULL;
	struct ims_trace_parser *p = open_common(file);
	if (p && ims_trace_reader_init_file(&p->rd, f)) {
		ims_trace_close(p);
		return NULL;
	}
	return p;
}

struct ims_trace_parser *ims_trace_open_mem(const void *buf, size_t len, const char *file)
{
	struct ims_trace_parser *p = open_common(file);
	if (p)
		ims_trace_reader_init_mem(&p->rd, buf, len);
	return p;
}

void ims_trace_close(struct ims_trace_parser *p)
{
	if (!p)
		return;
	ims_trace_reader_fini(&p->rd);
	ims_trace_names_free(p->names);
	free(p->kv);
	free(p->kvrank);
	free(p->ranges);
	free(p->file);
	free(p);
}

const char *ims_trace_error(const struct ims_trace_parser *p)
{
	return p->failed ? p->err : "";
}

uint64_t ims_trace_error_line(const struct ims_trace_parser *p)
{
	return p->failed ? p->err_line : 0;
}

const char *ims_trace_error_msg(const struct ims_trace_parser *p)
{
	return p->failed ? p->err + p->err_msg_off : "";
}

const char *ims_trace_file(const struct ims_trace_parser *p)
{
	return p->file;
}

uint64_t ims_trace_line(const struct ims_trace_parser *p)
{
	return p->lineno;
}

const struct ims_trace_names *ims_trace_parser_names(const struct ims_trace_parser *p)
{
	return p->names;
}

size_t ims_trace_parser_mem_bytes(const struct ims_trace_parser *p)
{
	return p->bytes + p->rd.bytes + ims_trace_names_mem_bytes(p->names);
}

/* ---- Tokens ------------------------------------------------------------------------ */

/* Takes the next token off the line at *cur: 1, 0 at the end of the line (or
 * a comment), or IMS_TRACE_ERROR.  The byte after every line is a control
 * byte (its '\n' or the reader's padding; a cut-off '\r'), so the loops need
 * no length test: they stop on it as on a blank. */
ALWAYS_INLINE int next_token(struct ims_trace_parser *p, char **cur, const char *end,
			     struct ims_trace_tok *t)
{
	const uint8_t *cls = p->cls;
	char *s = *cur;
	uint8_t c;
	while ((c = cls[(unsigned char)*s]) == 1)
		s++;
	if (c == 2 || s >= end)
		return 0;
	if (c == 3)
		return ims_trace_fail(p, "control character 0x%02x in the line", (unsigned char)*s);
	char *start = s;
	t->eq = UINT32_MAX;
	for (;;) {
		/* Four bytes a round: each is read only if the one before it was
		 * token text, so the sentinel still stops the scan. */
		for (;;) {
			if ((c = cls[(unsigned char)s[0]]) != 0)
				break;
			if ((c = cls[(unsigned char)s[1]]) != 0) {
				s += 1;
				break;
			}
			if ((c = cls[(unsigned char)s[2]]) != 0) {
				s += 2;
				break;
			}
			if ((c = cls[(unsigned char)s[3]]) != 0) {
				s += 3;
				break;
			}
			s += 4;
		}
		if (c != 4)
			break;
		if (t->eq == UINT32_MAX)
			t->eq = (uint32_t)(s - start);
		s++;
	}
	if (c == 3 && s < end)
		return ims_trace_fail(p, "control character 0x%02x in the line", (unsigned char)*s);
	t->s = start;
	t->len = (uint32_t)(s - start);
	*cur = s;
	return 1;
}

/* ---- key=value bookkeeping ------------------------------------------------------ */

/* A kv slot at its canonical place (rank: group << 16 | schema position);
 * NULL after an error was recorded.  Only `rank` is set. */
static struct ims_trace_arg *insert_kv(struct ims_trace_parser *p, const struct ims_trace_ctx *c,
				       uint32_t rank)
{
	uint32_t i = p->nkv;
	while (i > 0 && p->kvrank[i - 1] > rank)
		i--;
	/* A duplicate sits right before the insertion point. */
	if (i > 0 && p->kvrank[i - 1] == rank) {
		ims_trace_fail(p, "%s: key %s given twice", c->d->name, QT(c->t));
		return NULL;
	}
	if (p->nkv == p->capkv) {
		uint32_t cap = p->capkv;
		if (ims_trace_grow((void **)&p->kv, &p->capkv, p->nkv + 1, sizeof(*p->kv),
				   &p->bytes) ||
		    ims_trace_grow((void **)&p->kvrank, &cap, p->nkv + 1, sizeof(*p->kvrank),
				   &p->bytes)) {
			ims_trace_fail(p, "out of memory");
			return NULL;
		}
	}
	if (i < p->nkv) {
		/* Out of canonical order in the source: make room. */
		memmove(&p->kv[i + 1], &p->kv[i], (p->nkv - i) * sizeof(*p->kv));
		memmove(&p->kvrank[i + 1], &p->kvrank[i], (p->nkv - i) * sizeof(*p->kvrank));
		for (unsigned d = 0; d < p->ndefs; d++)
			if (p->defs[d].pos < 0 && p->defs[d].kvi >= i)
				p->defs[d].kvi++;
	}
	p->kvrank[i] = rank;
	p->nkv++;
	return &p->kv[i];
}

static bool data_key_anywhere(enum ims_trace_verb v, unsigned k)
{
	for (unsigned i = 0; i < ims_trace_ndatas; i++)
		if (ims_trace_datas[i].verb == v && ims_trace_keyent_find(ims_trace_datas[i].keys, k) >= 0)
			return true;
	return false;
}

/* Any kv in the group (key K_NONE), or that key in it. */
static bool kv_in_group(const struct ims_trace_parser *p, unsigned group, unsigned key)
{
	for (uint32_t i = 0; i < p->nkv; i++)
		if (p->kv[i].group == group && (key == IMS_TRACE_K_NONE || p->kv[i].key == key))
			return true;
	return false;
}

/* ---- The parts of a statement ------------------------------------------------------ */

/* State of the statement being read. */
struct stmt_state {
	const struct ims_trace_verbdesc *d;
	struct ims_trace_stmt *st;
	unsigned maxpos;
	unsigned group;                       /* data entry being filled (0: none) */
	const struct ims_trace_datadesc *dd;  /* its data row, after data= */
};

/* `set KEY=VALUE`: keys are the model's (TRACE-FORMAT.md, Setup), so they
 * are kept as text; replay checks them against the model's configuration. */
static int raw_kv(struct ims_trace_parser *p, struct stmt_state *ss, const struct ims_trace_tok *t)
{
	const char *name = ss->d->name;
	char *s = t->s;
	uint32_t eq = t->eq;
	if (eq == 0)
		return ims_trace_fail(p, "%s: missing key before '=' in %s", name, QT(t));
	for (uint32_t i = 0; i < eq; i++)
		if (!ims_trace_is_name_char((unsigned char)s[i]) && s[i] != '.')
			return ims_trace_fail(p, "%s: bad key %s", name, QT(t));
	const char *v = s + eq + 1;
	size_t vlen = t->len - eq - 1;
	if (vlen == 0)
		return ims_trace_fail(p, "%s: key %s has no value", name, QT(t));
	for (uint32_t i = 0; i < p->nkv; i++)
		if (p->kv[i].klen == eq && !memcmp(p->kv[i].kstr, s, eq))
			return ims_trace_fail(p, "%s: key %s given twice", name, QT(t));
	struct ims_trace_ctx c = { ss->d, t, "", 0 };
	struct ims_trace_arg *a = insert_kv(p, &c, p->nkv);
	if (!a)
		return IMS_TRACE_ERROR;
	*a = (struct ims_trace_arg){ .key = IMS_TRACE_K_RAW, .kstr = s, .klen = eq,
				     .v.name = IMS_TRACE_NO_NAME };
	if (v[0] >= '0' && v[0] <= '9') {
		/* A number (K/M/G allowed: the model knows which keys are sizes). */
		a->type = IMS_TRACE_A_VAL;
		int rc = ims_trace_parse_num(v, vlen, true, &a->v.num);
		if (rc)
			return ims_trace_fail(p, "%s: %s %s", name,
					      rc == -ERANGE ? "number out of range (above 2^64-1)"
							    : "malformed number", QT(t));
		return 0;
	}
	for (size_t i = 0; i < vlen; i++)
		if (!ims_trace_is_name_char((unsigned char)v[i]) && v[i] != '.' && v[i] != '-')
			return ims_trace_fail(p, "%s: bad value in %s (a number or a word)", name,
					      QT(t));
	a->type = IMS_TRACE_A_STR;
	a->p.str = v;
	a->n = (uint32_t)vlen;
	return 0;
}

/* The hot shapes, read without the general machinery: a literal number, an
 * object's $name, a one-letter ACCESS.  0 when done, 1 to take the general
 * path (which also reports every error). */
ALWAYS_INLINE int read_fast(struct ims_trace_parser *p, uint8_t vt, unsigned width, const char *s,
			    size_t len, struct ims_trace_arg *a)
{
	if (!len)
		return 1;
	if ((vt == VT_HEX || vt == VT_DEC || vt == VT_SIZE) && s[0] >= '0' && s[0] <= '9' &&
	    !width) {
		a->type = IMS_TRACE_A_VAL;
		a->v.name = IMS_TRACE_NO_NAME;
		if (ims_trace_num_plain(s, len, &a->v.num))
			return 0;
		return ims_trace_parse_num(s, len, vt == VT_SIZE, &a->v.num) ? 1 : 0;
	}
	if (vt == VT_ACCESS && len == 1 && (s[0] == 'r' || s[0] == 'w')) {
		a->type = IMS_TRACE_A_VAL;
		a->v.name = IMS_TRACE_NO_NAME;
		a->v.num = s[0] == 'r' ? IMS_TRACE_ACC_R : IMS_TRACE_ACC_W;
		return 0;
	}
	if ((vt == VT_OBJ || vt == VT_DEV || vt == VT_OBJ_OR_ID) && s[0] == '$') {
		int slot;
		if (len - 1 == p->nc_len && same(p->nc_text, s + 1, len - 1)) {
			slot = p->nc_slot;
		} else {
			slot = ims_trace_names_find(p->names, s + 1, len - 1);
			if (slot < 0 || !(ims_trace_names_kind(p->names, slot) & IMS_TRACE_NAME_OBJ))
				return 1;
			if (len - 1 <= sizeof(p->nc_text)) {
				memcpy(p->nc_text, s + 1, len - 1);
				p->nc_len = (uint32_t)(len - 1);
				p->nc_slot = slot;
			}
		}
		a->type = IMS_TRACE_A_NAME;
		a->v.num = 0;
		a->v.name = slot;
		return 0;
	}
	return 1;
}

ALWAYS_INLINE int positional(struct ims_trace_parser *p, struct stmt_state *ss,
			     const struct ims_trace_tok *t)
{
	struct ims_trace_stmt *st = ss->st;
	if (st->npos >= ss->maxpos)
		return ims_trace_fail(p, "%s: unexpected %s (%s takes %u positional argument%s)",
				      ss->d->name, QT(t), ss->d->name, ss->maxpos,
				      ss->maxpos == 1 ? "" : "s");
	const struct ims_trace_posent *pe = &ss->d->pos[st->npos];
	unsigned width = (pe->flags & PE_W) ? ss->d->width : 0;
	struct ims_trace_arg *a = &st->pos[st->npos];
	a->key = IMS_TRACE_K_NONE;
	a->group = 0;
	if (read_fast(p, pe->vt, width, t->s, t->len, a)) {
		struct ims_trace_ctx c = { ss->d, t, pe->name, width };
		if (ims_trace_read_arg(p, &c, pe->vt, pe->words, t->s, t->len, a, (int)st->npos, 0))
			return IMS_TRACE_ERROR;
	}
	st->npos++;
	return 0;
}

/* dma's DEV written as sid=N or bdf=BB:DD.F (TRACE-FORMAT.md, Devices). */
static int dev_by_sid(struct ims_trace_parser *p, struct stmt_state *ss,
		      const struct ims_trace_tok *t, bool bdf)
{
	struct ims_trace_stmt *st = ss->st;
	struct ims_trace_ctx c = { ss->d, t, "DEV", 0 };
	struct ims_trace_arg *a = &st->pos[st->npos];
	*a = (struct ims_trace_arg){ .key = IMS_TRACE_K_SID, .type = IMS_TRACE_A_VAL,
				     .v.name = IMS_TRACE_NO_NAME };
	const char *v = t->s + t->eq + 1;
	size_t vlen = t->len - t->eq - 1;
	if (bdf) {
		if (ims_trace_parse_bdf(v, vlen, &a->v.num))
			return ims_trace_fail(p, "%s: bad %s (bdf=BB:DD.F, hexadecimal)", ss->d->name,
					      QT(t));
	} else if (ims_trace_read_val(p, &c, v, vlen, false, &a->v)) {
		return IMS_TRACE_ERROR;
	}
	st->npos++;
	return 0;
}

/* A key=value token, or a flag (has no '='), of the verb or its data entry. */
static int key_value(struct ims_trace_parser *p, struct stmt_state *ss,
		     const struct ims_trace_tok *t, int k)
{
	const struct ims_trace_verbdesc *d = ss->d;
	struct ims_trace_stmt *st = ss->st;
	bool has_val = t->eq != UINT32_MAX;
	bool bdf = k == IMS_TRACE_K_BDF;
	if (bdf)
		k = IMS_TRACE_K_SID;
	const struct ims_trace_keyent *ke;
	unsigned g = 0;
	int rank = k >= 0 ? p->vrank[st->verb][k] : -1;
	if (rank >= 0) {
		ke = &d->keys[rank];
	} else if (k >= 0 && ss->dd && (rank = ims_trace_keyent_find(ss->dd->keys, (unsigned)k)) >= 0) {
		ke = &ss->dd->keys[rank];
		g = ss->group;
	} else if (k >= 0 && data_key_anywhere(st->verb, (unsigned)k)) {
		if (!ss->dd)
			return ims_trace_fail(p, "%s: %s needs data=TYPE before it", d->name, QT(t));
		return ims_trace_fail(p, "%s: %s is not a field of data=%s", d->name, QT(t),
				      ims_trace_words_data[st->data]);
	} else {
		return ims_trace_fail(p, "%s: unknown key %s", d->name, QT(t));
	}
	if (ke->vt == VT_FLAG && has_val)
		return ims_trace_fail(p, "%s: %s is a flag and takes no value", d->name, QT(t));
	if (ke->vt != VT_FLAG && !has_val)
		return ims_trace_fail(p, "%s: key %s needs a value (%s=...)", d->name, QT(t),
				      ims_trace_key_names[k]);
	unsigned width = (ke->flags & KE_W) ? d->width : 0;
	struct ims_trace_ctx c = { d, t, ims_trace_key_names[k], width };
	struct ims_trace_arg *a = insert_kv(p, &c, (uint32_t)g << 16 | (uint32_t)rank);
	if (!a)
		return IMS_TRACE_ERROR;
	a->key = (uint16_t)k;
	a->group = (uint8_t)g;
	char *v = has_val ? t->s + t->eq + 1 : t->s;
	size_t vlen = has_val ? t->len - t->eq - 1 : t->len;
	if (bdf) {
		a->type = IMS_TRACE_A_VAL;
		a->v.name = IMS_TRACE_NO_NAME;
		if (ims_trace_parse_bdf(v, vlen, &a->v.num))
			return ims_trace_fail(p, "%s: bad %s (bdf=BB:DD.F, hexadecimal)", d->name,
					      QT(t));
		return 0;
	}
	if (has_val && read_fast(p, ke->vt, width, v, vlen, a) &&
	    ims_trace_read_arg(p, &c, ke->vt, ke->words, v, vlen, a, -1, (uint32_t)(a - p->kv)))
		return IMS_TRACE_ERROR;
	if (!has_val)
		*a = (struct ims_trace_arg){ .key = (uint16_t)k, .type = IMS_TRACE_A_FLAG,
					     .group = (uint8_t)g, .v.name = IMS_TRACE_NO_NAME };
	if (k == IMS_TRACE_K_DATA) {
		st->data = (int)a->v.num;
		ss->dd = ims_trace_data_desc(st->verb, (unsigned)st->data);
		if (!ss->dd)
			return ims_trace_fail(p, "%s: data=%s is not available here", d->name,
					      ims_trace_words_data[st->data]);
		ss->group = 1;
	}
	return 0;
}

/* One token after the verb. */
ALWAYS_INLINE int token(struct ims_trace_parser *p, struct stmt_state *ss, struct ims_trace_tok *t)
{
	const struct ims_trace_verbdesc *d = ss->d;
	struct ims_trace_stmt *st = ss->st;
	bool pos_open = st->npos < ss->maxpos;

	if (t->eq == UINT32_MAX) {
		if (t->len == 1 && t->s[0] == '/') {
			/* Separates hwpt.invalidate's data entries (FORMAT.md). */
			if (!ss->dd)
				return ims_trace_fail(p, "%s: '/' separates data entries and needs "
						      "data=TYPE before it", d->name);
			if (!kv_in_group(p, ss->group, IMS_TRACE_K_NONE))
				return ims_trace_fail(p, "%s: empty data entry before '/'", d->name);
			if (ss->group >= ss->dd->max_entries)
				return ims_trace_fail(p, "%s: too many data entries (at most %u)", d->name,
						      ss->dd->max_entries);
			ss->group++;
			return 0;
		}
		if (d->flags & VF_RAWKEYS)
			return ims_trace_fail(p, "%s: expected KEY=VALUE, got %s", d->name, QT(t));
		/* A bare word is the next positional while one is open, else a
		 * flag (or a key used wrongly). */
		if (!pos_open) {
			int k = find_key(p, t->s, t->len);
			if (k < 0)
				return positional(p, ss, t); /* says "unexpected" */
			return key_value(p, ss, t, k);
		}
		if (!positional(p, ss, t))
			return 0;
		/* `dma $d r priv`: say what is missing rather than that 'priv' is
		 * a bad ADDR. */
		int k = find_key(p, t->s, t->len);
		int r = k > 0 && k < IMS_TRACE_NKEYS ? p->vrank[st->verb][k] : -1;
		if (r >= 0 && d->keys[r].vt == VT_FLAG && st->npos >= p->npos_min[st->verb])
			return IMS_TRACE_ERROR; /* an optional positional: keep the message */
		if (r >= 0 && d->keys[r].vt == VT_FLAG)
			return ims_trace_fail(p, "%s: missing %s before %s", d->name,
					      d->pos[st->npos].name, QT(t));
		return IMS_TRACE_ERROR;
	}

	if (t->eq == 6 && same(t->s, "expect", 6)) {
		struct ims_trace_ctx c = { d, t, "expect", d->width };
		return ims_trace_read_expect(p, &c, t->s + 7, t->len - 7, &st->expect);
	}
	if (pos_open) {
		uint8_t vt = d->pos[st->npos].vt;
		/* check's OP (==, <=, ...) contains '=' but is a positional. */
		if (vt == VT_WORD && ims_trace_find_word(d->pos[st->npos].words, t->s, t->len) >= 0)
			return positional(p, ss, t);
		if (vt == VT_DEV && t->eq == 3 && (same(t->s, "sid", 3) || same(t->s, "bdf", 3)))
			return dev_by_sid(p, ss, t, t->s[0] == 'b');
	}
	if (d->flags & VF_RAWKEYS)
		return raw_kv(p, ss, t);
	return key_value(p, ss, t, find_key(p, t->s, t->eq));
}

/* Checks that need the whole line, then binds names and fixes pointers. */
static int finish(struct ims_trace_parser *p, struct stmt_state *ss)
{
	const struct ims_trace_verbdesc *d = ss->d;
	struct ims_trace_stmt *st = ss->st;
	if (st->npos < p->npos_min[st->verb])
		return ims_trace_fail(p, "%s: missing %s", d->name, d->pos[st->npos].name);
	for (unsigned i = 0; p->has_req[st->verb] && d->keys[i].key != IMS_TRACE_K_NONE; i++)
		if ((d->keys[i].flags & KE_REQ) && !kv_in_group(p, 0, d->keys[i].key)) {
			unsigned k = d->keys[i].key;
			return ims_trace_fail(p, "%s: missing key %s=%s", d->name,
					      ims_trace_key_names[k],
					      k == IMS_TRACE_K_SID ? " (or bdf=)" : "");
		}
	if ((d->flags & VF_RAWKEYS) && p->nkv == 0)
		return ims_trace_fail(p, "%s: needs at least one KEY=VALUE", d->name);
	if (ss->dd) {
		/* data=TYPE followed by nothing: no entries (hwpt.invalidate with
		 * entry_num=0 probes the type, iommufd.md §2.15). */
		unsigned n = ss->group;
		if (n == 1 && !kv_in_group(p, 1, IMS_TRACE_K_NONE))
			n = 0;
		else if (!kv_in_group(p, n, IMS_TRACE_K_NONE))
			return ims_trace_fail(p, "%s: empty data entry after '/'", d->name);
		if (n < ss->dd->min_entries)
			return ims_trace_fail(p, "%s: data=%s needs its fields", d->name,
					      ims_trace_words_data[st->data]);
		for (unsigned g = 1; g <= n; g++)
			for (unsigned i = 0; ss->dd->keys[i].key != IMS_TRACE_K_NONE; i++)
				if ((ss->dd->keys[i].flags & KE_REQ) &&
				    !kv_in_group(p, g, ss->dd->keys[i].key))
					return ims_trace_fail(p, "%s: data=%s entry %u: missing key %s=",
							      d->name, ims_trace_words_data[st->data], g,
							      ims_trace_key_names[ss->dd->keys[i].key]);
		st->nentries = n;
	}

	/* Ordering rules of TRACE-FORMAT.md. */
	if (st->verb == IMS_TRACE_V_HEADER && st->pos[0].v.num != 1)
		return ims_trace_fail(p, "unsupported trace version %llu (this build reads version 1)",
				      (unsigned long long)st->pos[0].v.num);
	if ((d->flags & VF_SETUP) && p->machine_line)
		return ims_trace_fail(p, "%s must come before the first statement that touches "
				      "memory, registers or devices (line %llu: %s)", d->name,
				      (unsigned long long)p->machine_line,
				      ims_trace_verbs[p->machine_verb].name);
	if (d->flags & VF_ONCE) {
		if (p->model_line)
			return ims_trace_fail(p, "%s given twice (first at line %llu)", d->name,
					      (unsigned long long)p->model_line);
		p->model_line = p->lineno;
	}
	if ((d->flags & VF_MACHINE) && !p->machine_line) {
		p->machine_line = p->lineno;
		p->machine_verb = st->verb;
	}

	/* Bind the names this statement makes (a name made again may change
	 * kind: the look-up cache forgets). */
	if (p->ndefs)
		p->nc_len = UINT32_MAX;
	for (unsigned i = 0; i < p->ndefs; i++) {
		const struct ims_trace_def *df = &p->defs[i];
		int slot = ims_trace_names_intern(p->names, df->s, df->len);
		if (slot < 0)
			return ims_trace_fail(p, "out of memory");
		ims_trace_names_define(p->names, slot, df->kind, st->verb, p->lineno);
		if (df->pos >= 0)
			st->pos[df->pos].v.name = slot;
		else
			p->kv[df->kvi].v.name = slot;
	}

	/* Range lists are in their final array now (empty lists point nowhere). */
	if (p->nranges) {
		for (unsigned i = 0; i < st->npos; i++)
			if (st->pos[i].type == IMS_TRACE_A_RANGES) {
				st->pos[i].p.ranges = st->pos[i].n ? p->ranges + st->pos[i].v.num : NULL;
				st->pos[i].v.num = 0;
			}
		for (uint32_t i = 0; i < p->nkv; i++)
			if (p->kv[i].type == IMS_TRACE_A_RANGES) {
				p->kv[i].p.ranges = p->kv[i].n ? p->ranges + p->kv[i].v.num : NULL;
				p->kv[i].v.num = 0;
			}
	}
	if (st->expect.kind == IMS_TRACE_X_RANGES)
		st->expect.ranges = st->expect.nranges ? p->ranges + p->xranges_off : NULL;
	st->kv = p->kv;
	st->nkv = p->nkv;
	return IMS_TRACE_STMT;
}

static int parse_statement(struct ims_trace_parser *p, struct ims_trace_stmt *st, char *cur,
			   const char *end, const struct ims_trace_tok *t0)
{
	int v = find_verb(p, t0->s, t0->len);
	if (!p->seen_header) {
		if (v != IMS_TRACE_V_HEADER)
			return ims_trace_fail(p, "the first statement must be 'iommusim-trace 1', "
					      "got %s", QT(t0));
		p->seen_header = true;
	} else if (v == IMS_TRACE_V_HEADER) {
		return ims_trace_fail(p, "'iommusim-trace' may only be the first statement");
	}
	if (v < 0)
		return ims_trace_fail(p, "unknown verb %s", QT(t0));

	struct stmt_state ss = { &ims_trace_verbs[v], st, p->npos_max[v], 0, NULL };
	st->verb = (enum ims_trace_verb)v;
	st->line = p->lineno;
	st->npos = 0;
	st->nkv = 0;
	st->kv = NULL;
	st->data = -1;
	st->nentries = 0;
	st->expect = (struct ims_trace_expect){ .v.name = IMS_TRACE_NO_NAME };
	p->nkv = 0;
	p->nranges = 0;
	p->ndefs = 0;

	struct ims_trace_tok t = { 0 };
	int rc;
	while ((rc = next_token(p, &cur, end, &t)) > 0)
		if (token(p, &ss, &t))
			return IMS_TRACE_ERROR;
	if (rc < 0)
		return IMS_TRACE_ERROR;
	return finish(p, &ss);
}

int ims_trace_next(struct ims_trace_parser *p, struct ims_trace_stmt *st)
{
	if (p->failed)
		return IMS_TRACE_ERROR;
	for (;;) {
		char *line;
		size_t len;
		int rc = ims_trace_reader_next(&p->rd, &line, &len);
		if (rc < 0) {
			p->lineno++;
			return ims_trace_fail(p, "%s", rc == -E2BIG ? "line longer than 64 MiB"
						       : rc == -ENOMEM ? "out of memory" : "read error");
		}
		if (rc == 0) {
			if (!p->seen_header)
				return ims_trace_fail(p, "empty trace: the first statement must be "
						      "'iommusim-trace 1'");
			return IMS_TRACE_EOF;
		}
		p->lineno++;
		/* A CR before the newline (a file saved on Windows) is not part of
		 * the line; left in place, it still ends the last token. */
		if (len && line[len - 1] == '\r')
			len--;
		char *cur = line;
		struct ims_trace_tok t0 = { 0 };
		rc = next_token(p, &cur, line + len, &t0);
		if (rc < 0)
			return IMS_TRACE_ERROR;
		if (rc > 0)
			return parse_statement(p, st, cur, line + len, &t0);
	}
}
