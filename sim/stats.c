/* SPDX-License-Identifier: MIT */
/*
 * sim/stats — named counters and log-bucketed histograms (contract:
 * sim/stats.h).
 *
 * Each entry is allocated on its own and never moves, so the pointers handed
 * out stay valid; an array of entry pointers keeps registration order for
 * output and a small open-addressing hash finds a name at set-up time.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/stats.h"

/* ---- histograms ------------------------------------------------------------ */

void ims_hist_init(struct ims_hist *h)
{
	memset(h, 0, sizeof(*h));
}

/* Values below 16 get a bucket each.  From 8 up, a value with its top bit at
 * position e falls in one of 8 equal sub-ranges of [2^e, 2^(e+1)), picked by
 * the 3 bits below the top one; for 8..15 that is again one value per bucket,
 * so the two rules meet without a gap. */
unsigned ims_hist_bucket(uint64_t v)
{
	if (v < 8)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v);
	return IMS_HIST_SUB * (e - 2) + (unsigned)((v >> (e - 3)) & (IMS_HIST_SUB - 1));
}

void ims_hist_bucket_bounds(unsigned b, uint64_t *lo, uint64_t *hi)
{
	uint64_t l, h;

	if (b < 16) {
		l = h = b;
	} else if (b >= IMS_HIST_SUB * 62) {
		/* Past the bucket of UINT64_MAX: no value lands here. */
		l = h = UINT64_MAX;
	} else {
		unsigned e = b / IMS_HIST_SUB + 2, sub = b % IMS_HIST_SUB;
		l = (uint64_t)(IMS_HIST_SUB + sub) << (e - 3);
		h = l + ((UINT64_C(1) << (e - 3)) - 1);
	}
	if (lo)
		*lo = l;
	if (hi)
		*hi = h;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void ims_hist_add(struct ims_hist *h, uint64_t v)
{
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (h->count == 0 || v > h->max)
		h->max = v;
	h->count++;
	h->sum = sat_add(h->sum, v);
	h->bucket[ims_hist_bucket(v)]++;
}

void ims_hist_merge(struct ims_hist *dst, const struct ims_hist *src)
{
	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum = sat_add(dst->sum, src->sum);
	for (unsigned b = 0; b < IMS_HIST_BUCKETS; b++)
		dst->bucket[b] += src->bucket[b];
}

double ims_hist_mean(const struct ims_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

uint64_t ims_hist_percentile(const struct ims_hist *h, double p)
{
	if (h->count == 0)
		return 0;
	if (!(p > 0)) /* also NaN */
		p = 0;
	if (p > 100)
		p = 100;
	/* Rank of the p-th value, 1-based: ceil(p% of count), at least 1. */
	double want = p / 100.0 * (double)h->count;
	uint64_t rank = want >= (double)h->count ? h->count : (uint64_t)want;
	if ((double)rank < want)
		rank++;
	if (rank == 0)
		rank = 1;

	/* The bucket holding the rank-th value lies at or above min's, so its
	 * upper bound is never below min; only max needs clamping. */
	uint64_t seen = 0, hi = h->max;
	for (unsigned b = 0; b < IMS_HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			ims_hist_bucket_bounds(b, NULL, &hi);
			break;
		}
	}
	return hi > h->max ? h->max : hi;
}

/* ---- the registry ---------------------------------------------------------- */

enum kind { COUNTER, HIST };

struct entry {
	enum kind kind;
	char *name;
	union {
		uint64_t counter;
		struct ims_hist hist;
	} u;
};

struct ims_stats {
	struct entry **list; /* registration order */
	size_t n, cap;
	size_t *index;       /* hash of names: list position + 1, 0 = free */
	size_t index_cap;    /* a power of two, kept at most half full */
};

struct ims_stats *ims_stats_new(void)
{
	return calloc(1, sizeof(struct ims_stats));
}

void ims_stats_free(struct ims_stats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->list[i]->name);
		free(s->list[i]);
	}
	free(s->list);
	free(s->index);
	free(s);
}

/* FNV-1a: names are short and this runs only at set-up. */
static size_t name_hash(const char *name)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * UINT64_C(0x100000001b3);
	return (size_t)h;
}

/* Position in s->index of `name`, or of the free slot where it would go. */
static size_t index_slot(const struct ims_stats *s, const char *name)
{
	size_t mask = s->index_cap - 1;
	size_t i = name_hash(name) & mask;

	while (s->index[i] && strcmp(s->list[s->index[i] - 1]->name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

static struct entry *find(const struct ims_stats *s, const char *name)
{
	if (!s || !name || s->index_cap == 0)
		return NULL;
	size_t i = s->index[index_slot(s, name)];
	return i ? s->list[i - 1] : NULL;
}

static bool grow_index(struct ims_stats *s)
{
	size_t cap = s->index_cap ? s->index_cap * 2 : 64;
	size_t *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return false;
	free(s->index);
	s->index = idx;
	s->index_cap = cap;
	for (size_t i = 0; i < s->n; i++)
		s->index[index_slot(s, s->list[i]->name)] = i + 1;
	return true;
}

static struct entry *get(struct ims_stats *s, const char *name, enum kind kind)
{
	if (!s || !name)
		return NULL;
	struct entry *e = find(s, name);
	if (e)
		return e->kind == kind ? e : NULL;

	/* Make room first, so a failure leaves the registry as it was. */
	if ((s->n + 1) * 2 > s->index_cap && !grow_index(s))
		return NULL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct entry **list = realloc(s->list, cap * sizeof(*list));
		if (!list)
			return NULL;
		s->list = list;
		s->cap = cap;
	}
	size_t len = strlen(name);
	e = calloc(1, sizeof(*e));
	char *copy = malloc(len + 1);
	if (!e || !copy) {
		free(e);
		free(copy);
		return NULL;
	}
	memcpy(copy, name, len + 1);
	e->kind = kind;
	e->name = copy;
	s->list[s->n++] = e;
	s->index[index_slot(s, name)] = s->n;
	return e;
}

uint64_t *ims_stats_counter(struct ims_stats *s, const char *name)
{
	struct entry *e = get(s, name, COUNTER);
	return e ? &e->u.counter : NULL;
}

struct ims_hist *ims_stats_hist(struct ims_stats *s, const char *name)
{
	struct entry *e = get(s, name, HIST);
	return e ? &e->u.hist : NULL;
}

uint64_t ims_stats_get(const struct ims_stats *s, const char *name)
{
	const struct entry *e = find(s, name);
	return e && e->kind == COUNTER ? e->u.counter : 0;
}

void ims_stats_reset(struct ims_stats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		memset(&s->list[i]->u, 0, sizeof(s->list[i]->u));
}

/* ---- output ---------------------------------------------------------------- */

#define MAX_COLS 10
#define CELL 32

/* One section of the text table: a header row and rows of cells, the first
 * column left-aligned (names), the others right-aligned (numbers). */
struct table {
	unsigned cols;
	size_t width[MAX_COLS];
};

static void table_measure(struct table *t, const char *const cells[])
{
	for (unsigned c = 0; c < t->cols; c++) {
		size_t len = strlen(cells[c]);
		if (len > t->width[c])
			t->width[c] = len;
	}
}

static void table_row(const struct table *t, FILE *out, const char *const cells[])
{
	fprintf(out, "%-*s", (int)t->width[0], cells[0]);
	for (unsigned c = 1; c < t->cols; c++)
		fprintf(out, "  %*s", (int)t->width[c], cells[c]);
	fputc('\n', out);
}

static const char *const counter_head[MAX_COLS] = { "counter", "value" };
static const char *const hist_head[MAX_COLS] = { "histogram", "count", "mean", "p50", "p99", "max",
						 "mean_ns", "p50_ns", "p99_ns", "max_ns" };

/* Formats the cells of one row into buf; cells[] points at them. */
static void row_cells(const struct entry *e, double ghz, char buf[][CELL], const char *cells[])
{
	cells[0] = e->name;
	for (unsigned c = 1; c < MAX_COLS; c++)
		cells[c] = buf[c];
	if (e->kind == COUNTER) {
		snprintf(buf[1], CELL, "%llu", (unsigned long long)e->u.counter);
		return;
	}
	const struct ims_hist *h = &e->u.hist;
	uint64_t fig[3] = { ims_hist_percentile(h, 50), ims_hist_percentile(h, 99), h->max };
	snprintf(buf[1], CELL, "%llu", (unsigned long long)h->count);
	snprintf(buf[2], CELL, "%.2f", ims_hist_mean(h));
	for (unsigned i = 0; i < 3; i++)
		snprintf(buf[3 + i], CELL, "%llu", (unsigned long long)fig[i]);
	if (ghz > 0) {
		snprintf(buf[6], CELL, "%.1f", ims_hist_mean(h) / ghz);
		for (unsigned i = 0; i < 3; i++)
			snprintf(buf[7 + i], CELL, "%.1f", (double)fig[i] / ghz);
	}
}

/* Prints the entries of one kind as an aligned table, preceded by a blank
 * line when `blank` is set; returns false (printing nothing) when there are
 * none. */
static bool print_section(const struct ims_stats *s, FILE *out, enum kind kind, double ghz,
			  bool blank)
{
	struct table t = { .cols = kind == COUNTER ? 2 : (ghz > 0 ? 10 : 6) };
	const char *const *head = kind == COUNTER ? counter_head : hist_head;
	char buf[MAX_COLS][CELL];
	const char *cells[MAX_COLS];
	size_t rows = 0;

	/* Two passes: measure every cell, then print aligned. */
	table_measure(&t, head);
	for (size_t i = 0; i < s->n; i++) {
		if (s->list[i]->kind == kind) {
			row_cells(s->list[i], ghz, buf, cells);
			table_measure(&t, cells);
			rows++;
		}
	}
	if (rows == 0)
		return false;
	if (blank)
		fputc('\n', out);
	table_row(&t, out, head);
	for (size_t i = 0; i < s->n; i++) {
		if (s->list[i]->kind == kind) {
			row_cells(s->list[i], ghz, buf, cells);
			table_row(&t, out, cells);
		}
	}
	return true;
}

void ims_stats_print_table(const struct ims_stats *s, FILE *out, double ghz)
{
	if (!s || !out)
		return;
	bool counters = print_section(s, out, COUNTER, ghz, false);
	print_section(s, out, HIST, ghz, counters);
}

/* A JSON string (RFC 8259 §7): quote, backslash and control characters are
 * escaped; other bytes pass through (names are expected to be UTF-8). */
static void json_string(FILE *out, const char *str)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void ims_stats_print_json(const struct ims_stats *s, FILE *out)
{
	if (!s || !out)
		return;
	const char *sep = "";
	fputs("{\"counters\":{", out);
	for (size_t i = 0; i < s->n; i++) {
		const struct entry *e = s->list[i];
		if (e->kind != COUNTER)
			continue;
		fputs(sep, out);
		json_string(out, e->name);
		fprintf(out, ":%llu", (unsigned long long)e->u.counter);
		sep = ",";
	}
	sep = "";
	fputs("},\"histograms\":{", out);
	for (size_t i = 0; i < s->n; i++) {
		const struct entry *e = s->list[i];
		if (e->kind != HIST)
			continue;
		const struct ims_hist *h = &e->u.hist;
		fputs(sep, out);
		json_string(out, e->name);
		fprintf(out, ":{\"count\":%llu,\"mean\":%.3f,\"p50\":%llu,\"p99\":%llu,\"max\":%llu}",
			(unsigned long long)h->count, ims_hist_mean(h),
			(unsigned long long)ims_hist_percentile(h, 50),
			(unsigned long long)ims_hist_percentile(h, 99), (unsigned long long)h->max);
		sep = ",";
	}
	fputs("}}\n", out);
}
