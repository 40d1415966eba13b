/* SPDX-License-Identifier: MIT */
/*
 * sim/import/fields — reading the payloads of captured events: tokens,
 * numbers as the kernel and QEMU print them, `key=value` lists,
 * `__print_array` lists, PCI names and DMA directions (traces.md §1.1
 * "Payload parsing notes").
 */
#include "sim/import/import_priv.h"

#include <stdarg.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void imp_ws(struct imp_cur *c)
{
	while (is_blank(*c->p))
		c->p++;
}

bool imp_at_end(struct imp_cur *c)
{
	imp_ws(c);
	return *c->p == '\0';
}

bool imp_lit(struct imp_cur *c, const char *s)
{
	size_t n = strlen(s);

	imp_ws(c);
	if (strncmp(c->p, s, n))
		return false;
	c->p += n;
	return true;
}

size_t imp_token(struct imp_cur *c, const char **tok)
{
	const char *s;

	imp_ws(c);
	s = c->p;
	while (*c->p && !is_blank(*c->p))
		c->p++;
	*tok = s;
	return (size_t)(c->p - s);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits only, at most 16 significant ones. */
static bool hex_digits(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = hexval(s[i]);
		if (d < 0 || (x >> 60))
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return true;
}

bool imp_hex(const char *s, size_t n, uint64_t *v)
{
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return hex_digits(s + 2, n - 2, v);
	return hex_digits(s, n, v);
}

bool imp_hex0x(const char *s, size_t n, uint64_t *v)
{
	return n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hex_digits(s + 2, n - 2, v);
}

bool imp_dec(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return true;
}

bool imp_num(const char *s, size_t n, uint64_t *v)
{
	return imp_hex0x(s, n, v) || imp_dec(s, n, v);
}

void imp_kv_parse(const char *s, struct imp_kvs *out)
{
	struct imp_cur c = { s };

	out->n = 0;
	out->overflow = false;
	for (;;) {
		const char *t, *eq;
		size_t n = imp_token(&c, &t);
		struct imp_kv kv = { "", t, 0, n };

		if (!n)
			return;
		eq = memchr(t, '=', n);
		if (eq) {
			kv.k = t;
			kv.klen = (size_t)(eq - t);
			kv.v = eq + 1;
			kv.vlen = n - kv.klen - 1;
			/* A `{...}` list printed with blanks inside: take tokens
			 * up to the closing brace. */
			if (kv.vlen && kv.v[0] == '{' && !memchr(kv.v, '}', kv.vlen)) {
				const char *close = strchr(c.p, '}');
				if (close) {
					c.p = close + 1;
					kv.vlen = (size_t)(c.p - kv.v);
				}
			}
		}
		if (out->n == IMP_KV_MAX) {
			out->overflow = true;
			return;
		}
		out->kv[out->n++] = kv;
	}
}

const struct imp_kv *imp_kv_get(const struct imp_kvs *kvs, const char *key)
{
	size_t n = strlen(key);

	for (unsigned i = 0; i < kvs->n; i++)
		if (kvs->kv[i].klen == n && !memcmp(kvs->kv[i].k, key, n))
			return &kvs->kv[i];
	return NULL;
}

int imp_array(const char *s, size_t n, uint64_t *v, unsigned max, bool *more)
{
	unsigned k = 0;
	size_t i = 1;

	*more = false;
	if (n < 2 || s[0] != '{' || s[n - 1] != '}')
		return -1;
	if (n == 2)
		return 0;
	while (i < n - 1) {
		size_t j = i;
		uint64_t x;

		while (j < n - 1 && s[j] != ',')
			j++;
		/* Entries may carry blanks when a tool re-spaced the list. */
		size_t a = i, b = j;
		while (a < b && is_blank(s[a]))
			a++;
		while (b > a && is_blank(s[b - 1]))
			b--;
		if (!imp_num(s + a, b - a, &x))
			return -1;
		if (k < max)
			v[k++] = x;
		else
			*more = true;
		i = j + 1;
		if (j == n - 2 && s[j] == ',')
			return -1; /* trailing comma */
	}
	return (int)k;
}

bool imp_pci(const char *s, size_t n, uint32_t *seg, uint32_t *sid)
{
	const char *end = s + n, *c1, *c2, *dot, *b;
	uint64_t sg = 0, bus, dev, fn;

	c1 = memchr(s, ':', n);
	if (!c1)
		return false;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	b = s;
	if (c2) { /* SSSS:BB:DD.F */
		if (!hex_digits(s, (size_t)(c1 - s), &sg) || sg > 0xffff)
			return false;
		b = c1 + 1;
		c1 = c2;
	}
	dot = memchr(c1 + 1, '.', (size_t)(end - c1 - 1));
	if (!dot)
		return false;
	/* Bus and device are two hex digits in every form; the function is
	 * one (Linux) or two (QEMU's "%02x"). */
	if (c1 - b != 2 || dot - c1 - 1 != 2 || end - dot - 1 < 1 || end - dot - 1 > 2)
		return false;
	if (!hex_digits(b, 2, &bus) || !hex_digits(c1 + 1, 2, &dev) || dev > 0x1f ||
	    !hex_digits(dot + 1, (size_t)(end - dot - 1), &fn) || fn > 7)
		return false;
	*seg = (uint32_t)sg;
	*sid = (uint32_t)(bus << 8 | dev << 3 | fn);
	return true;
}

bool imp_dir_word(const char *s, size_t n, enum imp_dir *d)
{
	static const struct {
		const char *w;
		enum imp_dir d;
	} dirs[] = {
		{ "BIDIRECTIONAL", IMP_DIR_BIDI },
		{ "TO_DEVICE", IMP_DIR_TO_DEV },
		{ "FROM_DEVICE", IMP_DIR_FROM_DEV },
		{ "NONE", IMP_DIR_NONE },
	};
	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strlen(dirs[i].w) == n && !memcmp(dirs[i].w, s, n)) {
			*d = dirs[i].d;
			return true;
		}
	return false;
}

void imp_msg(struct imp_dec_info *info, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(info->msg, sizeof(info->msg), fmt, ap);
	va_end(ap);
}

bool imp_match(const char *s, const char *pat, uint64_t *vals)
{
	unsigned k = 0;

	while (*pat) {
		if (*pat == ' ') {
			if (!is_blank(*s))
				return false;
			while (is_blank(*s))
				s++;
			while (*pat == ' ')
				pat++;
			continue;
		}
		if (*pat != '%') {
			if (*s++ != *pat++)
				return false;
			continue;
		}
		char conv = pat[1];
		const char *t = s;
		uint64_t v = 0;
		bool neg = false;

		pat += 2;
		switch (conv) {
		case 's':
			while (*s && !is_blank(*s))
				s++;
			if (s == t)
				return false;
			continue; /* not stored */
		case 'x':
			if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
				return false;
			s += 2;
			t = s;
			/* fall through */
		case 'h':
			while (hexval(*s) >= 0)
				s++;
			if (!hex_digits(t, (size_t)(s - t), &v))
				return false;
			break;
		case 'd':
			if (*s == '-') {
				neg = true;
				t = ++s;
			}
			while (*s >= '0' && *s <= '9')
				s++;
			if (!imp_dec(t, (size_t)(s - t), &v))
				return false;
			if (neg)
				v = (uint64_t)0 - v;
			break;
		case 'n':
			if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
				s += 2;
				t = s;
				while (hexval(*s) >= 0)
					s++;
				if (!hex_digits(t, (size_t)(s - t), &v))
					return false;
			} else {
				while (*s >= '0' && *s <= '9')
					s++;
				if (!imp_dec(t, (size_t)(s - t), &v))
					return false;
			}
			break;
		default:
			return false;
		}
		vals[k++] = v;
	}
	while (is_blank(*s))
		s++;
	return *s == '\0';
}
