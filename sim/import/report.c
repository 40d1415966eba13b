/* SPDX-License-Identifier: MIT */
/*
 * sim/import/report — the counts an import keeps (contract: sim/import.h):
 * events imported by name, unknown events by name, skipped lines by reason,
 * statements by verb, and notes on events imported in part.  Each table is a
 * small open-addressed hash; the summary sorts keys so that it is the same
 * on every run.
 */
#include "sim/import/import_priv.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

static bool table_grow(struct imp_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16;
	struct imp_count *v = calloc(cap, sizeof(*v));
	if (!v)
		return false;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->v[i].key)
			continue;
		size_t j = hash_str(t->v[i].key) & (cap - 1);
		while (v[j].key)
			j = (j + 1) & (cap - 1);
		v[j] = t->v[i];
	}
	free(t->v);
	t->v = v;
	t->cap = cap;
	return true;
}

static struct imp_count *table_find(const struct imp_table *t, const char *key)
{
	if (!t->cap)
		return NULL;
	for (size_t j = hash_str(key) & (t->cap - 1);; j = (j + 1) & (t->cap - 1)) {
		if (!t->v[j].key)
			return NULL;
		if (!strcmp(t->v[j].key, key))
			return &t->v[j];
	}
}

void imp_count(struct ims_import_report *r, enum ims_import_table t, const char *key)
{
	struct imp_table *tb;
	struct imp_count *c;

	if (!r || (unsigned)t >= IMS_IMPORT_NTABLES || !key)
		return;
	tb = &r->t[t];
	c = table_find(tb, key);
	if (c) {
		c->n++;
		return;
	}
	if ((tb->n + 1) * 2 > tb->cap && !table_grow(tb)) {
		r->oom = true;
		return;
	}
	char *k = strdup(key);
	if (!k) {
		r->oom = true;
		return;
	}
	size_t j = hash_str(k) & (tb->cap - 1);
	while (tb->v[j].key)
		j = (j + 1) & (tb->cap - 1);
	tb->v[j] = (struct imp_count){ k, 1 };
	tb->n++;
}

uint64_t ims_import_report_count(const struct ims_import_report *r, enum ims_import_table t,
				 const char *key)
{
	uint64_t sum = 0;

	if (!r || (unsigned)t >= IMS_IMPORT_NTABLES)
		return 0;
	if (key) {
		const struct imp_count *c = table_find(&r->t[t], key);
		return c ? c->n : 0;
	}
	for (size_t i = 0; i < r->t[t].cap; i++)
		if (r->t[t].v[i].key)
			sum += r->t[t].v[i].n;
	return sum;
}

uint64_t ims_import_report_lines(const struct ims_import_report *r)
{
	return r ? r->lines : 0;
}

uint64_t ims_import_report_events(const struct ims_import_report *r)
{
	return r ? r->events : 0;
}

static int cmp_count(const void *a, const void *b)
{
	return strcmp(((const struct imp_count *)a)->key, ((const struct imp_count *)b)->key);
}

/* "  label: key N, key N, ..." with keys sorted; nothing for an empty table. */
static void print_table(const struct imp_table *t, const char *label, FILE *f)
{
	struct imp_count *v;
	size_t n = 0;

	if (!t->n)
		return;
	v = malloc(t->n * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < t->cap; i++)
		if (t->v[i].key)
			v[n++] = t->v[i];
	qsort(v, n, sizeof(*v), cmp_count);
	fprintf(f, "  %s:", label);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s %" PRIu64, i ? "," : "", v[i].key, v[i].n);
	fputc('\n', f);
	free(v);
}

void ims_import_report_print(const struct ims_import_report *r, FILE *f)
{
	static const char *const labels[IMS_IMPORT_NTABLES] = {
		[IMS_IMPORT_T_IMPORTED] = "imported events",
		[IMS_IMPORT_T_UNKNOWN] = "unknown events",
		[IMS_IMPORT_T_SKIPPED] = "skipped lines",
		[IMS_IMPORT_T_WRITTEN] = "statements",
		[IMS_IMPORT_T_NOTES] = "notes",
	};
	if (!r || !f)
		return;
	fprintf(f,
		"iommusim import %s %s: %" PRIu64 " lines, %" PRIu64 " events (%" PRIu64
		" imported, %" PRIu64 " unknown), %" PRIu64 " lines skipped, %" PRIu64
		" statements written\n",
		r->fmt == IMS_IMPORT_QEMU ? "qemu" : "ftrace", r->name ? r->name : "-", r->lines,
		r->events, ims_import_report_count(r, IMS_IMPORT_T_IMPORTED, NULL),
		ims_import_report_count(r, IMS_IMPORT_T_UNKNOWN, NULL),
		ims_import_report_count(r, IMS_IMPORT_T_SKIPPED, NULL),
		ims_import_report_count(r, IMS_IMPORT_T_WRITTEN, NULL));
	for (unsigned t = 0; t < IMS_IMPORT_NTABLES; t++)
		print_table(&r->t[t], labels[t], f);
	if (r->oom)
		fprintf(f, "  (some counts were lost: out of memory)\n");
}

void ims_import_report_free(struct ims_import_report *r)
{
	if (!r)
		return;
	for (unsigned t = 0; t < IMS_IMPORT_NTABLES; t++) {
		for (size_t i = 0; i < r->t[t].cap; i++)
			free(r->t[t].v[i].key);
		free(r->t[t].v);
	}
	free(r->name);
	free(r);
}
