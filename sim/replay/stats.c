/* SPDX-License-Identifier: MIT */
/*
 * Counters: the model's (ops->stats, summed over units), the run's own, the
 * statistic names `check STAT OP VALUE` compares (traces/FORMAT.md §5), and
 * which findings a trace declared.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/replay/replay_priv.h"

struct acc {
	struct ims_replay_counter *v;
	unsigned n, cap;
	unsigned next; /* where the next name is expected (same order every unit) */
	bool add, failed;
};

static void put(void *arg, const char *name, uint64_t value)
{
	struct acc *a = arg;
	unsigned i;

	if (a->failed || !name)
		return;
	if (a->add) {
		/* Units report in the same order: look where the last one was. */
		for (i = 0; i < a->n; i++) {
			unsigned k = (a->next + i) % a->n;
			if (!strcmp(a->v[k].name, name)) {
				/* A clock is not a count: keep unit 0's. */
				if (strncmp(name, "clock.", 6))
					a->v[k].value += value;
				a->next = k + 1;
				return;
			}
		}
	}
	if (a->n == a->cap) {
		unsigned c = a->cap ? 2 * a->cap : 64;
		struct ims_replay_counter *v = realloc(a->v, c * sizeof(*v));
		if (!v) {
			a->failed = true;
			return;
		}
		a->v = v;
		a->cap = c;
	}
	snprintf(a->v[a->n].name, sizeof(a->v[a->n].name), "%s", name);
	a->v[a->n++].value = value;
}

int rp_model_counters(struct ims_replay *r, int unit, struct ims_replay_counter **out,
		      unsigned *n)
{
	struct acc a = { .v = NULL }; /* the caller's array is replaced */
	if (r->ctx && r->model->stats) {
		void *inst = ims_ctx_model_inst(r->ctx);
		for (unsigned u = 0; u < r->nunits; u++) {
			if (unit >= 0 && u != (unsigned)unit)
				continue;
			a.add = a.n > 0;
			a.next = 0;
			r->model->stats(inst, u, put, &a);
		}
	}
	if (a.failed) {
		free(a.v);
		return -ENOMEM;
	}
	free(*out);
	*out = a.v;
	*n = a.n;
	return 0;
}

static bool counter_find(const struct ims_replay_counter *v, unsigned n, const char *name,
			 uint64_t *out)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(v[i].name, name)) {
			*out = v[i].value;
			return true;
		}
	return false;
}

/* The run's own counters by their `check` names. */
static bool own_stat(const struct ims_replay_summary *s, const char *name, uint64_t *out)
{
	const struct {
		const char *n;
		uint64_t v;
	} t[] = {
		{ "statements", s->statements }, { "dma.statements", s->dma_statements },
		{ "dma.requests", s->dma_requests }, { "translations", s->translations },
		{ "faults", s->faults }, { "page_requests", s->page_requests },
		{ "stalls", s->stalls }, { "api.calls", s->api_calls },
		{ "expect.checked", s->expectations }, { "expect.failed", s->expect_failed },
		{ "latency.max", s->latency.count ? s->latency.max : 0 },
		{ "latency.sum", s->latency.sum }, { "check.checked", s->checked },
		{ "check.mismatches", s->mismatches }, { "check.stale", s->stale },
		{ "check.use_after_unmap", s->use_after_unmap },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].n, name)) {
			*out = t[i].v;
			return true;
		}
	/* fault.CODE: requests that faulted with the model's code CODE. */
	if (!strncmp(name, "fault.", 6)) {
		uint64_t code;
		if (ims_trace_parse_num(name + 6, strlen(name + 6), false, &code))
			return false;
		*out = code < IMS_REPLAY_NCODES ? s->fault_codes[code] : 0;
		return true;
	}
	return false;
}

uint64_t ims_replay_stat(const struct ims_replay_summary *s, const char *name, bool *found)
{
	uint64_t v = 0;
	bool f = own_stat(s, name, &v) || counter_find(s->counters, s->ncounters, name, &v);

	if (found)
		*found = f;
	return f ? v : 0;
}

void rp_finish_stats(struct ims_replay *r)
{
	struct ims_replay_summary *s = &r->sum;
	const uint64_t counts[RPF_N] = { s->mismatches, s->stale, s->use_after_unmap };
	uint64_t v;

	if (rp_model_counters(r, -1, &s->counters, &s->ncounters) == 0 &&
	    counter_find(s->counters, s->ncounters, "clock.mhz", &v))
		s->clock_mhz = v;
	/* Findings a `check check.KIND` declared do not fail the run; the
	 * check itself does if the count differs (traces/FORMAT.md §9). */
	s->findings_unexpected = 0;
	for (int k = 0; k < RPF_N; k++) {
		uint64_t acked = r->acked_set[k] ? r->acked[k] : 0;
		if (counts[k] > acked)
			s->findings_unexpected += counts[k] - acked;
	}
}

static const char *const op_text[] = { "==", "!=", "<", "<=", ">", ">=" };

void rp_check_stmt(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct ims_trace_arg *u = ims_trace_kv(st, IMS_TRACE_K_UNIT);
	struct ims_replay_counter *mc = NULL;
	unsigned nmc = 0;
	char name[64], w[128], g[128];
	uint64_t want, got = 0, unit = 0;
	bool found;

	if (st->pos[0].n >= sizeof(name)) {
		rp_error(r, st->line, "check: unknown statistic '%.*s'", (int)st->pos[0].n,
			 st->pos[0].p.str);
		return;
	}
	memcpy(name, st->pos[0].p.str, st->pos[0].n);
	name[st->pos[0].n] = 0;
	if (!rp_num(r, st->line, &st->pos[2].v, &want))
		return;
	/* What --check finds cannot be counted without it. */
	if (!strncmp(name, "check.", 6) && !r->o.check) {
		r->sum.checks_skipped++;
		return;
	}
	if (u && !rp_num(r, st->line, &u->v, &unit))
		return;
	if (!rp_machine(r, st->line))
		return;
	if (u && unit >= r->nunits) {
		rp_error(r, st->line, "check: unit=%" PRIu64 " does not exist (the machine has %u)",
			 unit, r->nunits);
		return;
	}
	if (rp_model_counters(r, u ? (int)unit : -1, &mc, &nmc)) {
		rp_error(r, st->line, "out of memory");
		return;
	}
	/* unit=N: the model's counters of that unit only. */
	found = (!u && own_stat(&r->sum, name, &got)) || counter_find(mc, nmc, name, &got);
	free(mc);
	if (!found) {
		rp_error(r, st->line, "check: unknown statistic '%s'%s (the summary's names; "
			 "'iommusim replay --json' lists the model's counters)", name,
			 u ? " for one unit" : "");
		return;
	}
	bool ok;
	switch (st->pos[1].v.num) {
	case IMS_TRACE_CMP_EQ: ok = got == want; break;
	case IMS_TRACE_CMP_NE: ok = got != want; break;
	case IMS_TRACE_CMP_LT: ok = got < want; break;
	case IMS_TRACE_CMP_LE: ok = got <= want; break;
	case IMS_TRACE_CMP_GT: ok = got > want; break;
	default: ok = got >= want; break;
	}
	const int kind = !strcmp(name, "check.mismatches") ? RPF_MISMATCH
			 : !strcmp(name, "check.stale") ? RPF_STALE
			 : !strcmp(name, "check.use_after_unmap") ? RPF_UAU : -1;
	if (kind >= 0) {
		r->acked[kind] = got;
		r->acked_set[kind] = true;
	}
	r->sum.expectations++;
	if (!ok) {
		snprintf(w, sizeof(w), "%s %s %" PRIu64, name,
			 op_text[st->pos[1].v.num < 6 ? st->pos[1].v.num : 0], want);
		snprintf(g, sizeof(g), "%s=%" PRIu64, name, got);
		rp_fail(r, st->line, w, g);
	}
}
