/* SPDX-License-Identifier: MIT */
/*
 * sim/cost — the cost-parameter table and number parsing (contract:
 * sim/cost.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "sim/cost.h"
#include "sim/err.h"

/* ---- numbers as traces write them (shared/TRACE-FORMAT.md) ------------------- */

static int digit_value(char ch, unsigned base)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (base == 16 && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (base == 16 && ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int ims_parse_u64(const char *s, int allow_suffix, uint64_t *out)
{
	if (!s || !out)
		return -EINVAL;
	unsigned base = 10;
	const char *p = s;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}

	/* The whole string is checked before overflow is reported, so that
	 * "99999999999999999999zz" is malformed rather than out of range. */
	uint64_t v = 0;
	bool overflow = false, after_digit = false;
	for (; *p; p++) {
		int d = digit_value(*p, base);
		if (d >= 0) {
			if (v > (UINT64_MAX - (unsigned)d) / base)
				overflow = true;
			else
				v = v * base + (unsigned)d;
			after_digit = true;
		} else if (*p == '_') {
			/* Only between two digits: not first, last or doubled. */
			if (!after_digit || digit_value(p[1], base) < 0)
				return -EINVAL;
			after_digit = false;
		} else {
			break;
		}
	}
	if (!after_digit) /* no digits at all ("", "0x") */
		return -EINVAL;

	unsigned shift = 0;
	if (*p) {
		if (!allow_suffix || p[1] != '\0')
			return -EINVAL;
		switch (*p) {
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		default: return -EINVAL;
		}
	}
	if (overflow || v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/* ---- the parameter table ------------------------------------------------- */

static bool key_ok(const char *key)
{
	if (!key || !*key)
		return false;
	for (const char *p = key; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
			return false;
	}
	return true;
}

int ims_cost_init(struct ims_cost *c, const struct ims_cost_param *table, size_t n)
{
	if (!c || n > IMS_COST_MAX_PARAMS || (n > 0 && !table))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const struct ims_cost_param *p = &table[i];
		if (!key_ok(p->key) || p->min > p->max || p->def < p->min || p->def > p->max)
			return -EINVAL;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(table[j].key, p->key) == 0)
				return -EINVAL;
		}
	}
	memset(c, 0, sizeof(*c));
	c->param = table;
	c->n = n;
	ims_cost_reset(c);
	return 0;
}

static int find_n(const struct ims_cost *c, const char *key, size_t len)
{
	for (size_t i = 0; i < c->n; i++) {
		if (strncmp(c->param[i].key, key, len) == 0 && c->param[i].key[len] == '\0')
			return (int)i;
	}
	return -1;
}

int ims_cost_find(const struct ims_cost *c, const char *key)
{
	if (!c || !key)
		return -1;
	return find_n(c, key, strlen(key));
}

uint64_t ims_cost_get(const struct ims_cost *c, const char *key, int *ok)
{
	int i = ims_cost_find(c, key);

	if (ok)
		*ok = i >= 0;
	return i >= 0 ? c->val[i] : 0;
}


int ims_cost_set(struct ims_cost *c, const char *assignment, char *err, size_t errlen)
{
	if (!c)
		return ims_errf(err, errlen, -EINVAL, "cost: no parameter table");
	if (!assignment)
		return ims_errf(err, errlen, -EINVAL, "cost: no assignment given (want key=value)");
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment)
		return ims_errf(err, errlen, -EINVAL, "cost: malformed assignment '%s' (want key=value)",
			    assignment);
	int keylen = (int)(eq - assignment);
	int i = find_n(c, assignment, (size_t)keylen);
	if (i < 0)
		return ims_errf(err, errlen, -ENOENT, "cost: unknown parameter '%.*s'", keylen, assignment);

	const struct ims_cost_param *p = &c->param[i];
	const char *text = eq + 1;
	uint64_t v;
	int rc = ims_parse_u64(text, 1, &v);
	if (rc == -ERANGE)
		return ims_errf(err, errlen, rc, "cost: %s: value '%s' does not fit in 64 bits",
			    p->key, text);
	if (rc < 0)
		return ims_errf(err, errlen, rc,
			    "cost: %s: malformed value '%s' (want decimal or 0x hex, '_' between "
			    "digits, optional K/M/G suffix)", p->key, text);
	if (v < p->min || v > p->max)
		return ims_errf(err, errlen, -ERANGE, "cost: %s=%llu is outside its range [%llu, %llu] %s",
			    p->key, (unsigned long long)v, (unsigned long long)p->min,
			    (unsigned long long)p->max, p->unit ? p->unit : "");
	c->val[i] = v;
	if (err && errlen)
		err[0] = '\0';
	return 0;
}

void ims_cost_reset(struct ims_cost *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		c->val[i] = c->param[i].def;
	c->now = 0;
}

uint64_t ims_cycles_to_ns(uint64_t cycles, uint64_t mhz)
{
	if (mhz == 0)
		return 0;
	/* ns = cycles * 1000 / mhz, split so that cycles * 1000 cannot
	 * overflow; the result saturates at UINT64_MAX. */
	uint64_t q = cycles / mhz, r = cycles % mhz;
	uint64_t frac;
	if (mhz <= UINT64_MAX / 1000) /* r < mhz, so r * 1000 fits */
		frac = (r * 1000 + mhz / 2) / mhz;
	else /* absurd clock rates: double precision is plenty here */
		frac = (uint64_t)((double)r * 1000.0 / (double)mhz + 0.5);
	if (q > (UINT64_MAX - frac) / 1000)
		return UINT64_MAX;
	return q * 1000 + frac;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void ims_cost_print(const struct ims_cost *c, FILE *out)
{
	if (!c || !out)
		return;
	/* Widths of key, value, default and unit; source is last and ragged. */
	int wk = 3, wv = 5, wd = 7, wu = 4;
	for (size_t i = 0; i < c->n; i++) {
		const struct ims_cost_param *p = &c->param[i];
		int k = (int)strlen(p->key), u = (int)strlen(or_empty(p->unit));
		int v = snprintf(NULL, 0, "%llu", (unsigned long long)c->val[i]);
		int d = snprintf(NULL, 0, "%llu", (unsigned long long)p->def);
		wk = k > wk ? k : wk;
		wv = v > wv ? v : wv;
		wd = d > wd ? d : wd;
		wu = u > wu ? u : wu;
	}
	fprintf(out, "%-*s  %*s  %*s  %-*s  %s\n", wk, "key", wv, "value", wd, "default", wu, "unit",
		"source");
	for (size_t i = 0; i < c->n; i++) {
		const struct ims_cost_param *p = &c->param[i];
		fprintf(out, "%-*s  %*llu  %*llu  %-*s  %s\n", wk, p->key, wv,
			(unsigned long long)c->val[i], wd, (unsigned long long)p->def, wu,
			or_empty(p->unit), or_empty(p->source));
		if (p->help && *p->help)
			fprintf(out, "%*s  %s\n", wk, "", p->help);
	}
}
