/* SPDX-License-Identifier: MIT */
/*
 * The run (contract: sim/replay.h): the statement loop, the setup statements
 * (`model`, `set`), building the machine, errors and expectations, and the
 * dispatch of every other statement to the file that executes it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/replay/replay_priv.h"

/* ---- Diagnostics ---------------------------------------------------------------- */

static void vdiag(struct ims_replay *r, uint64_t line, const char *fmt, va_list ap)
{
	if (line)
		fprintf(r->diag, "%s:%" PRIu64 ": ", r->file, line);
	else
		fprintf(r->diag, "%s: ", r->file);
	vfprintf(r->diag, fmt, ap);
	if (r->o.tag)
		fprintf(r->diag, " [%s]", r->o.tag);
	fputc('\n', r->diag);
}

void rp_diag(struct ims_replay *r, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(r, line, fmt, ap);
	va_end(ap);
}

void rp_error(struct ims_replay *r, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	if (r->stop)
		return;
	va_start(ap, fmt);
	vdiag(r, line, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	r->stop = true;
	r->error = true;
}

void rp_fail(struct ims_replay *r, uint64_t line, const char *want, const char *got)
{
	r->sum.expect_failed++;
	rp_diag(r, line, "expected %s, got %s", want, got);
}

const char *rp_errname(int err, char *buf, size_t n)
{
	const char *s = ims_trace_errno_name(err < 0 ? -err : err);

	if (s)
		return s;
	snprintf(buf, n, "errno %d", err < 0 ? -err : err);
	return buf;
}

const char *rp_expect_text(struct ims_replay *r, const struct ims_trace_stmt *st, char *buf,
			   size_t n)
{
	if (ims_trace_format_expect(buf, n, st, ims_trace_parser_names(r->p)) < 0)
		snprintf(buf, n, "?");
	return buf;
}

bool rp_api(struct ims_replay *r, const struct ims_trace_stmt *st, int rc)
{
	r->sum.api_calls++;
	return rp_outcome(r, st, rc, rc && r->ctx ? ims_ctx_errmsg(r->ctx) : "");
}

bool rp_outcome(struct ims_replay *r, const struct ims_trace_stmt *st, int rc, const char *msg)
{
	char want[128], e1[32];
	const char *got = rc ? rp_errname(rc, e1, sizeof(e1)) : "ok";

	switch (st->expect.kind) {
	case IMS_TRACE_X_NONE:
		if (rc) {
			msg = msg ? msg : "";
			rp_error(r, st->line, "%s failed: %s%s%s", ims_trace_verb_name(st->verb), got,
				 *msg ? ": " : "", msg);
			return false;
		}
		return true;
	case IMS_TRACE_X_OK:
		r->sum.expectations++;
		if (rc)
			rp_fail(r, st->line, "ok", got);
		return rc == 0;
	case IMS_TRACE_X_ERRNO:
		r->sum.expectations++;
		if (rc != -st->expect.err)
			rp_fail(r, st->line, rp_expect_text(r, st, want, sizeof(want)), got);
		return rc == 0;
	default:
		/* Forms a statement checks itself (ranges, values): only the
		 * errno is decided here; a failure is a failed expectation. */
		if (rc) {
			r->sum.expectations++;
			rp_fail(r, st->line, rp_expect_text(r, st, want, sizeof(want)), got);
		}
		return rc == 0;
	}
}

void rp_check_field(struct ims_replay *r, const struct ims_trace_stmt *st, const char *key,
		    uint64_t want, uint64_t got, bool hex)
{
	char w[96], g[96];

	r->sum.expectations++;
	if (want == got)
		return;
	snprintf(w, sizeof(w), hex ? "%s=0x%" PRIx64 : "%s=%" PRIu64, key, want);
	snprintf(g, sizeof(g), hex ? "%s=0x%" PRIx64 : "%s=%" PRIu64, key, got);
	rp_fail(r, st->line, w, g);
}

void *rp_scratch(struct ims_replay *r, size_t n, uint64_t line)
{
	if (n > r->bufcap) {
		void *b = realloc(r->buf, n);
		if (!b) {
			rp_error(r, line, "out of memory");
			return NULL;
		}
		r->buf = b;
		r->bufcap = n;
	}
	return r->buf;
}

/* ---- Setup: `model` and `set` ----------------------------------------------------- */

static const char *const trace_model_name[] = { "vtd", "smmuv3", "amdvi" };

static void stmt_model(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	unsigned w = (unsigned)st->pos[0].v.num;
	const char *name = w < 3 ? trace_model_name[w] : "?";
	const struct ims_replay_model *m = ims_replay_model_find(name);

	if (r->o.model) {
		if (!strcmp(r->o.model->name, name))
			return;
		/* Written for another model: what it programs (registers,
		 * tables, fault codes) means nothing here (traces/FORMAT.md). */
		if (r->o.model_strict) {
			rp_error(r, st->line, "the trace is written for model %s, not %s", name,
				 r->o.model->name);
			return;
		}
		snprintf(r->reason, sizeof(r->reason), "written for model %s", name);
		r->model = r->o.model;
		r->skipped = true;
		r->stop = true;
		return;
	}
	if (!m || !m->ops) {
		rp_error(r, st->line, "model %s is not available in this build", name);
		return;
	}
	r->model = m->ops;
	r->model_from_trace = true;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static void stmt_set(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	for (unsigned i = 0; i < st->nkv; i++) {
		const struct ims_trace_arg *a = &st->kv[i];
		char num[32];
		const char *v;
		size_t vl;

		if (a->key != IMS_TRACE_K_RAW)
			continue;
		if (a->type == IMS_TRACE_A_STR) {
			v = a->p.str;
			vl = a->n;
		} else {
			/* Numbers reach the model as the trace reads them: hex
			 * keeps register values exact. */
			snprintf(num, sizeof(num), "0x%" PRIx64, a->v.num);
			v = num;
			vl = strlen(num);
		}
		if (r->nsets == r->csets) {
			unsigned c = r->csets ? 2 * r->csets : 8;
			struct rp_set *s = realloc(r->sets, c * sizeof(*s));
			if (!s) {
				rp_error(r, st->line, "out of memory");
				return;
			}
			r->sets = s;
			r->csets = c;
		}
		struct rp_set *s = &r->sets[r->nsets];
		s->key = dup_n(a->kstr, a->klen);
		s->value = dup_n(v, vl);
		s->line = st->line;
		if (!s->key || !s->value) {
			free(s->key);
			free(s->value);
			rp_error(r, st->line, "out of memory");
			return;
		}
		r->nsets++;
	}
}

/* One setting on the model's configuration. */
static bool apply_set(struct ims_replay *r, void *cfg, const char *key, const char *value,
		      uint64_t line, bool cmdline)
{
	char err[256] = "";
	int rc;

	if (!r->model->cfg_set) {
		rp_error(r, line, "%sset %s=%s: model %s takes no settings", cmdline ? "--" : "", key,
			 value, r->model->name);
		return false;
	}
	rc = r->model->cfg_set(cfg, key, value, err, sizeof(err));
	if (rc == -ENOENT) {
		rp_error(r, line, "%sset: unknown key '%s' for model %s ('iommusim info %s' lists "
			 "them)", cmdline ? "--" : "", key, r->model->name, r->model->name);
		return false;
	}
	if (rc) {
		char e1[32];
		rp_error(r, line, "%sset %s=%s: %s", cmdline ? "--" : "", key, value,
			 *err ? err : rp_errname(rc, e1, sizeof(e1)));
		return false;
	}
	return true;
}

bool rp_machine(struct ims_replay *r, uint64_t line)
{
	struct ims_ctx_cfg cc = { 0 };
	void *cfg = NULL;
	char e1[32];
	int rc;

	if (r->ctx)
		return true;
	if (r->stop)
		return false;
	if (!r->model)
		r->model = r->o.model;
	if (!r->model) {
		const struct ims_replay_model *m = ims_replay_model_default();
		if (!m) {
			rp_error(r, line, "no model is available in this build");
			return false;
		}
		r->model = m->ops;
	}
	if (r->model->cfg_size) {
		cfg = calloc(1, r->model->cfg_size);
		if (!cfg) {
			rp_error(r, line, "out of memory");
			return false;
		}
		if (r->model->cfg_init)
			r->model->cfg_init(cfg);
	}
	for (unsigned i = 0; i < r->nsets; i++)
		if (!apply_set(r, cfg, r->sets[i].key, r->sets[i].value, r->sets[i].line, false))
			goto out;
	for (unsigned i = 0; i < r->o.nsets; i++) {
		const char *a = r->o.sets[i], *eq = strchr(a, '=');
		char key[128];
		if (!eq || eq == a || (size_t)(eq - a) >= sizeof(key)) {
			rp_error(r, 0, "--set %s: want KEY=VALUE", a);
			goto out;
		}
		memcpy(key, a, (size_t)(eq - a));
		key[eq - a] = 0;
		if (!apply_set(r, cfg, key, eq + 1, 0, true))
			goto out;
	}
	cc.model = r->model;
	cc.model_cfg = cfg;
	cc.seed = r->o.seed;
	rc = ims_ctx_create(&cc, &r->ctx);
	if (rc) {
		rp_error(r, line, "model %s cannot be built with this configuration: %s",
			 r->model->name, rp_errname(rc, e1, sizeof(e1)));
		goto out;
	}
	r->mem = ims_ctx_mem(r->ctx);
	r->nunits = r->model->num_units ? r->model->num_units(ims_ctx_model_inst(r->ctx)) : 1;
	r->sum.model = r->model->name;
out:
	free(cfg);
	return r->ctx != NULL;
}

/* ---- The run -------------------------------------------------------------------------- */

struct ims_replay *ims_replay_new(const struct ims_replay_opts *opts)
{
	struct ims_replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (opts)
		r->o = *opts;
	r->diag = r->o.diag ? r->o.diag : stderr;
	r->file = "?";
	ims_hist_init(&r->sum.latency);
	return r;
}

void ims_replay_free(struct ims_replay *r)
{
	if (!r)
		return;
	/* Tables built in the machine's memory go before the machine. */
	rp_tables_free(r);
	rp_names_free(r);
	ims_ctx_free(r->ctx);
	for (unsigned i = 0; i < r->nsets; i++) {
		free(r->sets[i].key);
		free(r->sets[i].value);
	}
	free(r->sets);
	free(r->sum.counters);
	free(r->buf);
	free(r);
}

/* Verbs that do not touch the machine (traces/FORMAT.md §4 Setup). */
static bool is_setup(enum ims_trace_verb v)
{
	return v == IMS_TRACE_V_HEADER || v == IMS_TRACE_V_MODEL || v == IMS_TRACE_V_SET ||
	       v == IMS_TRACE_V_CHECK;
}

static void exec_stmt(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	if (!is_setup(st->verb) && !rp_machine(r, st->line))
		return;
	switch (st->verb) {
	case IMS_TRACE_V_HEADER:
		break;
	case IMS_TRACE_V_MODEL:
		stmt_model(r, st);
		break;
	case IMS_TRACE_V_SET:
		stmt_set(r, st);
		break;
	case IMS_TRACE_V_DMA:
		rp_dma(r, st);
		break;
	case IMS_TRACE_V_MEM_WRITE: case IMS_TRACE_V_MEM_WRITE8: case IMS_TRACE_V_MEM_WRITE16:
	case IMS_TRACE_V_MEM_WRITE32: case IMS_TRACE_V_MEM_WRITE64: case IMS_TRACE_V_MEM_READ8:
	case IMS_TRACE_V_MEM_READ16: case IMS_TRACE_V_MEM_READ32: case IMS_TRACE_V_MEM_READ64:
	case IMS_TRACE_V_MEM_ABORT: case IMS_TRACE_V_MMIO_WRITE32: case IMS_TRACE_V_MMIO_WRITE64:
	case IMS_TRACE_V_MMIO_READ32: case IMS_TRACE_V_MMIO_READ64: case IMS_TRACE_V_DEVICE:
		rp_machine_stmt(r, st);
		break;
	case IMS_TRACE_V_IOAS_ALLOC: case IMS_TRACE_V_IOAS_MAP: case IMS_TRACE_V_IOAS_UNMAP:
	case IMS_TRACE_V_IOAS_COPY: case IMS_TRACE_V_IOAS_ALLOW_IOVAS:
	case IMS_TRACE_V_IOAS_IOVA_RANGES: case IMS_TRACE_V_IOAS_RESERVE: case IMS_TRACE_V_OPTION:
	case IMS_TRACE_V_DESTROY:
		rp_ioas_stmt(r, st);
		break;
	case IMS_TRACE_V_HW_INFO: case IMS_TRACE_V_HWPT_ALLOC: case IMS_TRACE_V_DEVICE_BIND:
	case IMS_TRACE_V_DEVICE_ATTACH: case IMS_TRACE_V_DEVICE_REPLACE:
	case IMS_TRACE_V_DEVICE_DETACH: case IMS_TRACE_V_HWPT_INVALIDATE:
	case IMS_TRACE_V_HWPT_SET_DIRTY: case IMS_TRACE_V_HWPT_GET_DIRTY:
		rp_hwpt_stmt(r, st);
		break;
	case IMS_TRACE_V_FAULT_ALLOC: case IMS_TRACE_V_FAULT_READ: case IMS_TRACE_V_FAULT_RESPOND:
	case IMS_TRACE_V_VIOMMU_ALLOC: case IMS_TRACE_V_VDEVICE_ALLOC:
	case IMS_TRACE_V_VEVENTQ_ALLOC: case IMS_TRACE_V_VEVENTQ_READ:
	case IMS_TRACE_V_HW_QUEUE_ALLOC:
		rp_queue_stmt(r, st);
		break;
	case IMS_TRACE_V_PT_ALLOC: case IMS_TRACE_V_PT_MAP: case IMS_TRACE_V_PT_UNMAP:
		rp_pt_stmt(r, st);
		break;
	case IMS_TRACE_V_CHECK:
		rp_check_stmt(r, st);
		break;
	default:
		rp_error(r, st->line, "%s: not supported by replay", ims_trace_verb_name(st->verb));
		break;
	}
	/* Statements that cannot fail take expect=ok, and it holds. */
	if (st->expect.kind == IMS_TRACE_X_OK && !r->stop &&
	    (st->verb == IMS_TRACE_V_HEADER || st->verb == IMS_TRACE_V_MODEL ||
	     st->verb == IMS_TRACE_V_SET || st->verb == IMS_TRACE_V_DEVICE ||
	     (st->verb >= IMS_TRACE_V_MEM_WRITE && st->verb <= IMS_TRACE_V_MEM_WRITE64)))
		r->sum.expectations++;
}

enum ims_replay_status ims_replay_run(struct ims_replay *r, struct ims_trace_parser *p)
{
	struct ims_trace_stmt st;
	const uint64_t every = IMS_REPLAY_PROGRESS_EVERY;
	int rc;

	if (!r || !p)
		return IMS_REPLAY_ERROR;
	if (r->used) {
		snprintf(r->reason, sizeof(r->reason), "a run is used once");
		return IMS_REPLAY_ERROR;
	}
	r->used = true;
	r->p = p;
	r->file = ims_trace_file(p);
	for (;;) {
		rc = ims_trace_next(p, &st);
		if (rc != IMS_TRACE_STMT)
			break;
		if (r->o.stop_line && st.line >= r->o.stop_line)
			break;
		r->sum.statements++;
		/* The hot path: DMA on a machine that exists. */
		if (st.verb == IMS_TRACE_V_DMA && r->ctx)
			rp_dma(r, &st);
		else
			exec_stmt(r, &st);
		if (r->stop)
			break;
		if (r->o.progress && r->sum.statements % every == 0)
			r->o.progress(r->o.progress_arg, r->sum.statements);
	}
	if (rc == IMS_TRACE_ERROR) {
		/* The parser's message is FILE:LINE: message already. */
		fprintf(r->diag, "%s%s%s%s\n", ims_trace_error(p), r->o.tag ? " [" : "",
			r->o.tag ? r->o.tag : "", r->o.tag ? "]" : "");
		snprintf(r->reason, sizeof(r->reason), "%s", ims_trace_error_msg(p));
		r->error = true;
	}
	/* A trace that never touched the machine still gets one, so that
	 * --set is checked and the summary names the model. */
	if (!r->error && !r->skipped && !r->ctx)
		rp_machine(r, ims_trace_line(p));
	if (r->skipped)
		return IMS_REPLAY_SKIPPED;
	rp_finish_stats(r);
	if (r->error)
		return IMS_REPLAY_ERROR;
	return r->sum.expect_failed || r->sum.findings_unexpected ? IMS_REPLAY_FAILED
								   : IMS_REPLAY_OK;
}

const struct ims_replay_summary *ims_replay_summary(const struct ims_replay *r)
{
	return &r->sum;
}

const char *ims_replay_model_name(const struct ims_replay *r)
{
	return r->model ? r->model->name : NULL;
}

const char *ims_replay_reason(const struct ims_replay *r)
{
	return r->reason;
}

struct ims_ctx *ims_replay_ctx(struct ims_replay *r)
{
	return r->ctx;
}
