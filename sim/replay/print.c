/* SPDX-License-Identifier: MIT */
/*
 * The summary (TRACE-FORMAT.md "Output"): statements, DMAs, translations,
 * faults by code, IOTLB and walk-cache hit rates, memory reads per walk,
 * simulated latency (mean, p50, p99, max in cycles and ns), invalidations by
 * kind and their cost, expectation failures; as an aligned table with one
 * column per model, or as JSON.  Floating-point figures are printed with a
 * fixed number of decimals, so the same run prints the same bytes.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cost.h"
#include "sim/replay/replay_priv.h"

#define CELL 64
#define MAXROWS 160

static uint64_t mc(const struct ims_replay_summary *s, const char *name, bool *found)
{
	for (unsigned i = 0; i < s->ncounters; i++)
		if (!strcmp(s->counters[i].name, name)) {
			if (found)
				*found = true;
			return s->counters[i].value;
		}
	if (found)
		*found = false;
	return 0;
}

/* A model's "WHAT.hits" / "WHAT.misses" counter pair; false when the model
 * has none.  A model without IOTLB counters gets the trace's own count of
 * requests served from the IOTLB. */
static bool hit_miss(const struct ims_replay_summary *s, const char *what, uint64_t *hits,
		     uint64_t *misses)
{
	char h[48], m[48];
	bool fh, fm;

	snprintf(h, sizeof(h), "%s.hits", what);
	snprintf(m, sizeof(m), "%s.misses", what);
	*hits = mc(s, h, &fh);
	*misses = mc(s, m, &fm);
	if (!strcmp(what, "iotlb") && !fh) {
		*hits = s->iotlb_hits;
		*misses = s->dma_requests - s->iotlb_hits;
		return true;
	}
	return fh && fm;
}

/* hits / (hits + misses) of a model counter pair, as "95.0% (19/20)". */
static void rate(char *buf, size_t n, const struct ims_replay_summary *s, const char *what)
{
	uint64_t hits, misses;

	if (!hit_miss(s, what, &hits, &misses))
		snprintf(buf, n, "-");
	else if (!hits && !misses)
		snprintf(buf, n, "- (no look-ups)");
	else
		snprintf(buf, n, "%.1f%% (%" PRIu64 "/%" PRIu64 ")",
			 100.0 * (double)hits / (double)(hits + misses), hits, hits + misses);
}

static double reads_per_walk(const struct ims_replay_summary *s, bool *ok)
{
	bool fw, fr;
	uint64_t walks = mc(s, "walks", &fw), reads = mc(s, "walk.reads", &fr);

	*ok = fw && fr && walks;
	return *ok ? (double)reads / (double)walks : 0;
}

static uint64_t ns(const struct ims_replay_summary *s, uint64_t cycles)
{
	return ims_cycles_to_ns(cycles, s->clock_mhz);
}

/* ---- The table ---------------------------------------------------------------- */

struct table {
	unsigned nrows, ncols;
	char label[MAXROWS][40];
	char (*cell)[CELL]; /* nrows x ncols */
};

static char *cell(struct table *t, unsigned row, unsigned col)
{
	return t->cell[(size_t)row * t->ncols + col];
}

/* A new row; NULL when the table is full. */
static int row(struct table *t, const char *label)
{
	if (t->nrows == MAXROWS)
		return -1;
	snprintf(t->label[t->nrows], sizeof(t->label[0]), "%s", label);
	for (unsigned c = 0; c < t->ncols; c++)
		snprintf(cell(t, t->nrows, c), CELL, "-");
	return (int)t->nrows++;
}

static int row_u64(struct table *t, const char *label, struct ims_replay *const *runs,
		   size_t off)
{
	int r = row(t, label);

	for (unsigned c = 0; r >= 0 && c < t->ncols; c++)
		snprintf(cell(t, (unsigned)r, c), CELL, "%" PRIu64,
			 *(const uint64_t *)((const char *)ims_replay_summary(runs[c]) + off));
	return r;
}

/* The invalidation kinds any run reports, in first-seen order. */
static unsigned inval_kinds(struct ims_replay *const *runs, unsigned n, char kinds[][40],
			    unsigned max)
{
	unsigned k = 0;

	for (unsigned c = 0; c < n; c++) {
		const struct ims_replay_summary *s = ims_replay_summary(runs[c]);
		for (unsigned i = 0; i < s->ncounters; i++) {
			const char *nm = s->counters[i].name;
			size_t l = strlen(nm);
			if (strncmp(nm, "inval.", 6) || (l > 7 && !strcmp(nm + l - 7, ".cycles")) ||
			    !s->counters[i].value)
				continue;
			bool seen = false;
			for (unsigned j = 0; j < k && !seen; j++)
				seen = !strcmp(kinds[j], nm + 6);
			if (!seen && k < max)
				snprintf(kinds[k++], 40, "%s", nm + 6);
		}
	}
	return k;
}

void ims_replay_print_table(FILE *out, const char *file, struct ims_replay *const *runs,
			    unsigned n, const char *const *notes, unsigned nnotes)
{
	struct table t = { .ncols = n };
	char kinds[32][40], key[96];
	int r;

	if (file)
		fprintf(out, "== %s\n", file);
	if (!n) {
		for (unsigned i = 0; i < nnotes; i++)
			fprintf(out, "  %s\n", notes[i]);
		return;
	}
	t.cell = calloc((size_t)MAXROWS * n, CELL);
	if (!t.cell)
		return;
	row_u64(&t, "statements", runs, offsetof(struct ims_replay_summary, statements));
	row_u64(&t, "dma statements", runs, offsetof(struct ims_replay_summary, dma_statements));
	row_u64(&t, "dma requests (pages)", runs, offsetof(struct ims_replay_summary, dma_requests));
	row_u64(&t, "translations", runs, offsetof(struct ims_replay_summary, translations));
	row_u64(&t, "faults", runs, offsetof(struct ims_replay_summary, faults));
	for (unsigned code = 0; code < IMS_REPLAY_NCODES; code++) {
		bool any = false;
		for (unsigned c = 0; c < n; c++)
			any |= ims_replay_summary(runs[c])->fault_codes[code] != 0;
		if (!any)
			continue;
		snprintf(key, sizeof(key), "  fault 0x%02x", code);
		if ((r = row(&t, key)) < 0)
			break;
		for (unsigned c = 0; c < n; c++) {
			const struct ims_replay_summary *s = ims_replay_summary(runs[c]);
			if (s->fault_codes[code])
				snprintf(cell(&t, (unsigned)r, c), CELL, "%" PRIu64, s->fault_codes[code]);
		}
	}
	row_u64(&t, "page requests queued", runs, offsetof(struct ims_replay_summary, page_requests));
	if ((r = row(&t, "iotlb hit rate")) >= 0)
		for (unsigned c = 0; c < n; c++)
			rate(cell(&t, (unsigned)r, c), CELL, ims_replay_summary(runs[c]), "iotlb");
	if ((r = row(&t, "walk-cache hit rate")) >= 0)
		for (unsigned c = 0; c < n; c++)
			rate(cell(&t, (unsigned)r, c), CELL, ims_replay_summary(runs[c]), "walk_cache");
	if ((r = row(&t, "config-cache hit rate")) >= 0)
		for (unsigned c = 0; c < n; c++)
			rate(cell(&t, (unsigned)r, c), CELL, ims_replay_summary(runs[c]),
			     "config_cache");
	if ((r = row(&t, "memory reads per walk")) >= 0)
		for (unsigned c = 0; c < n; c++) {
			bool ok;
			double v = reads_per_walk(ims_replay_summary(runs[c]), &ok);
			if (ok)
				snprintf(cell(&t, (unsigned)r, c), CELL, "%.2f", v);
		}
	static const char *const lat[] = { "latency mean", "latency p50", "latency p99",
					    "latency max" };
	for (unsigned i = 0; i < 4; i++) {
		if ((r = row(&t, lat[i])) < 0)
			break;
		for (unsigned c = 0; c < n; c++) {
			const struct ims_replay_summary *s = ims_replay_summary(runs[c]);
			const struct ims_hist *h = &s->latency;
			if (!h->count)
				continue;
			if (i == 0) {
				double m = ims_hist_mean(h);
				snprintf(cell(&t, (unsigned)r, c), CELL, "%.1f cyc / %.1f ns", m,
					 s->clock_mhz ? m * 1000.0 / (double)s->clock_mhz : 0.0);
				continue;
			}
			uint64_t v = i == 1 ? ims_hist_percentile(h, 50)
				     : i == 2 ? ims_hist_percentile(h, 99) : h->max;
			snprintf(cell(&t, (unsigned)r, c), CELL, "%" PRIu64 " cyc / %" PRIu64 " ns", v,
				 ns(s, v));
		}
	}
	unsigned nk = inval_kinds(runs, n, kinds, 32);
	if ((r = row(&t, "invalidations (count / cycles)")) >= 0)
		for (unsigned c = 0; c < n; c++) {
			const struct ims_replay_summary *s = ims_replay_summary(runs[c]);
			uint64_t cnt = 0, cyc = 0;
			for (unsigned k = 0; k < nk; k++) {
				snprintf(key, sizeof(key), "inval.%.39s", kinds[k]);
				cnt += mc(s, key, NULL);
				snprintf(key, sizeof(key), "inval.%.39s.cycles", kinds[k]);
				cyc += mc(s, key, NULL);
			}
			snprintf(cell(&t, (unsigned)r, c), CELL, "%" PRIu64 " / %" PRIu64, cnt, cyc);
		}
	for (unsigned k = 0; k < nk; k++) {
		snprintf(key, sizeof(key), "  %.39s", kinds[k]);
		if ((r = row(&t, key)) < 0)
			break;
		for (unsigned c = 0; c < n; c++) {
			const struct ims_replay_summary *s = ims_replay_summary(runs[c]);
			bool fc, fy;
			char k1[96], k2[96];
			snprintf(k1, sizeof(k1), "inval.%.39s", kinds[k]);
			snprintf(k2, sizeof(k2), "inval.%.39s.cycles", kinds[k]);
			uint64_t cnt = mc(s, k1, &fc), cyc = mc(s, k2, &fy);
			if (fc && fy)
				snprintf(cell(&t, (unsigned)r, c), CELL, "%" PRIu64 " / %" PRIu64, cnt, cyc);
			else if (fc)
				snprintf(cell(&t, (unsigned)r, c), CELL, "%" PRIu64 " / -", cnt);
		}
	}
	if ((r = row(&t, "expectations")) >= 0)
		for (unsigned c = 0; c < n; c++) {
			const struct ims_replay_summary *s = ims_replay_summary(runs[c]);
			snprintf(cell(&t, (unsigned)r, c), CELL, "%" PRIu64 " checked, %" PRIu64 " failed",
				 s->expectations, s->expect_failed);
		}
	bool checked = false;
	for (unsigned c = 0; c < n; c++)
		checked |= runs[c]->o.check;
	if (checked) {
		if ((r = row(&t, "oracle check (requests)")) >= 0)
			for (unsigned c = 0; c < n; c++) {
				const struct ims_replay_summary *s = ims_replay_summary(runs[c]);
				snprintf(cell(&t, (unsigned)r, c), CELL, "%" PRIu64 " checked, %" PRIu64
					 " not", s->checked, s->unchecked);
			}
		if ((r = row(&t, "findings")) >= 0)
			for (unsigned c = 0; c < n; c++) {
				const struct ims_replay_summary *s = ims_replay_summary(runs[c]);
				snprintf(cell(&t, (unsigned)r, c), CELL, "%" PRIu64 " stale, %" PRIu64
					 " use-after-unmap, %" PRIu64 " mismatch", s->stale,
					 s->use_after_unmap, s->mismatches);
			}
	}

	/* Widths, then the table. */
	size_t lw = 0, cw[16] = { 0 };
	for (unsigned i = 0; i < t.nrows; i++)
		lw = strlen(t.label[i]) > lw ? strlen(t.label[i]) : lw;
	for (unsigned c = 0; c < n && c < 16; c++) {
		const char *m = ims_replay_model_name(runs[c]);
		cw[c] = m ? strlen(m) : 1;
		for (unsigned i = 0; i < t.nrows; i++)
			cw[c] = strlen(cell(&t, i, c)) > cw[c] ? strlen(cell(&t, i, c)) : cw[c];
	}
	fprintf(out, "%-*s", (int)lw, "");
	for (unsigned c = 0; c < n; c++) {
		const char *m = ims_replay_model_name(runs[c]);
		fprintf(out, "  %-*s", c + 1 < n ? (int)(c < 16 ? cw[c] : 1) : 0, m ? m : "?");
	}
	fputc('\n', out);
	for (unsigned i = 0; i < t.nrows; i++) {
		fprintf(out, "%-*s", (int)lw, t.label[i]);
		for (unsigned c = 0; c < n; c++)
			fprintf(out, "  %-*s", c + 1 < n ? (int)(c < 16 ? cw[c] : 1) : 0,
				cell(&t, i, c));
		fputc('\n', out);
	}
	/* What the fault codes mean, per model. */
	for (unsigned c = 0; c < n; c++) {
		const struct ims_replay_summary *s = ims_replay_summary(runs[c]);
		const struct ims_model_ops *m = runs[c]->model;
		for (unsigned code = 0; code < IMS_REPLAY_NCODES; code++) {
			const char *nm = s->fault_codes[code] && m && m->fault_name
						 ? m->fault_name(code) : NULL;
			if (nm)
				fprintf(out, "  %s fault 0x%02x: %s\n", m->name, code, nm);
		}
	}
	for (unsigned i = 0; i < nnotes; i++)
		fprintf(out, "  %s\n", notes[i]);
	free(t.cell);
}

/* ---- JSON ------------------------------------------------------------------------- */

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void json_rate(FILE *out, const struct ims_replay_summary *s, const char *what)
{
	uint64_t hits, misses;
	bool found = hit_miss(s, what, &hits, &misses);

	fprintf(out, "\"%s\":{\"hits\":%" PRIu64 ",\"misses\":%" PRIu64 ",\"hit_rate\":", what,
		hits, misses);
	if (found && hits + misses)
		fprintf(out, "%.4f}", (double)hits / (double)(hits + misses));
	else
		fprintf(out, "null}");
}

static void json_hist(FILE *out, const struct ims_replay_summary *s, bool in_ns)
{
	const struct ims_hist *h = &s->latency;
	const uint64_t v[3] = { ims_hist_percentile(h, 50), ims_hist_percentile(h, 99),
				h->count ? h->max : 0 };
	double mean = ims_hist_mean(h);

	if (in_ns) {
		fprintf(out, "{\"mean\":%.2f,\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"max\":%" PRIu64
			"}", s->clock_mhz ? mean * 1000.0 / (double)s->clock_mhz : 0.0, ns(s, v[0]),
			ns(s, v[1]), ns(s, v[2]));
		return;
	}
	fprintf(out, "{\"mean\":%.2f,\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"max\":%" PRIu64 "}",
		mean, v[0], v[1], v[2]);
}

void ims_replay_print_json(FILE *out, const char *file, const struct ims_replay *r,
			   enum ims_replay_status st)
{
	static const char *const status[] = { "ok", "failed", "error", "skipped" };
	const struct ims_replay_summary *s = &r->sum;
	bool ok;

	fputs("\"file\":", out);
	json_str(out, file);
	fputs(",\"model\":", out);
	if (ims_replay_model_name(r))
		json_str(out, ims_replay_model_name(r));
	else
		fputs("null", out);
	fprintf(out, ",\"status\":\"%s\",\"reason\":", (unsigned)st < 4 ? status[st] : "?");
	json_str(out, r->reason);
	if (st == IMS_REPLAY_SKIPPED)
		return;
	fprintf(out, ",\"summary\":{\"statements\":%" PRIu64 ",\"dma_statements\":%" PRIu64
		",\"dma_requests\":%" PRIu64 ",\"translations\":%" PRIu64 ",\"faults\":%" PRIu64
		",\"faults_by_code\":{", s->statements, s->dma_statements, s->dma_requests,
		s->translations, s->faults);
	bool first = true;
	for (unsigned code = 0; code < IMS_REPLAY_NCODES; code++) {
		if (!s->fault_codes[code])
			continue;
		fprintf(out, "%s\"0x%02x\":%" PRIu64, first ? "" : ",", code, s->fault_codes[code]);
		first = false;
	}
	if (s->fault_codes_other)
		fprintf(out, "%s\"other\":%" PRIu64, first ? "" : ",", s->fault_codes_other);
	fprintf(out, "},\"page_requests\":%" PRIu64 ",\"stalls\":%" PRIu64 ",", s->page_requests,
		s->stalls);
	json_rate(out, s, "iotlb");
	fputc(',', out);
	json_rate(out, s, "walk_cache");
	fputc(',', out);
	json_rate(out, s, "config_cache");
	double rpw = reads_per_walk(s, &ok);
	if (ok)
		fprintf(out, ",\"memory_reads_per_walk\":%.4f", rpw);
	else
		fputs(",\"memory_reads_per_walk\":null", out);
	fprintf(out, ",\"latency\":{\"requests\":%" PRIu64 ",\"clock_mhz\":%" PRIu64 ",\"cycles\":",
		s->latency.count, s->clock_mhz);
	json_hist(out, s, false);
	fputs(",\"ns\":", out);
	json_hist(out, s, true);
	fputs("},\"invalidations\":{", out);
	first = true;
	for (unsigned i = 0; i < s->ncounters; i++) {
		const char *nm = s->counters[i].name;
		size_t l = strlen(nm);
		char k[64];
		if (strncmp(nm, "inval.", 6) || (l > 7 && !strcmp(nm + l - 7, ".cycles")))
			continue;
		snprintf(k, sizeof(k), "%s.cycles", nm);
		bool fc;
		uint64_t cyc = mc(s, k, &fc);
		fprintf(out, "%s", first ? "" : ",");
		json_str(out, nm + 6);
		fprintf(out, ":{\"count\":%" PRIu64 ",\"cycles\":", s->counters[i].value);
		if (fc)
			fprintf(out, "%" PRIu64 "}", cyc);
		else
			fputs("null}", out);
		first = false;
	}
	fprintf(out, "},\"expectations\":{\"checked\":%" PRIu64 ",\"failed\":%" PRIu64
		",\"checks_skipped\":%" PRIu64 "},\"api_calls\":%" PRIu64, s->expectations,
		s->expect_failed, s->checks_skipped, s->api_calls);
	fprintf(out, ",\"check\":{\"enabled\":%s,\"checked\":%" PRIu64 ",\"unchecked\":%" PRIu64
		",\"mismatches\":%" PRIu64 ",\"stale\":%" PRIu64 ",\"use_after_unmap\":%" PRIu64
		",\"unexpected\":%" PRIu64 "},\"counters\":{", r->o.check ? "true" : "false",
		s->checked, s->unchecked, s->mismatches, s->stale, s->use_after_unmap,
		s->findings_unexpected);
	for (unsigned i = 0; i < s->ncounters; i++) {
		fprintf(out, "%s", i ? "," : "");
		json_str(out, s->counters[i].name);
		fprintf(out, ":%" PRIu64, s->counters[i].value);
	}
	fputs("}}", out);
}
