/* SPDX-License-Identifier: MIT */
/*
 * sim/replay — runs a trace on a simulated machine and checks what it
 * expects (shared/TRACE-FORMAT.md; the project's grammar and the rules
 * replay decides are in traces/FORMAT.md).
 *
 * One struct ims_replay is one run: one trace on one model.  It reads
 * statements from a sim/trace parser one at a time (memory stays flat
 * however long the trace is), creates the machine (struct ims_ctx) when the
 * first statement that touches memory, registers or devices arrives, after
 * the trace's `model` and `set` statements, and executes every statement:
 * memory and register accesses, devices and DMA (page by page), and the
 * iommufd-like API with $names bound to object IDs and values.
 *
 * Outcomes, as the contract fixes them:
 *   - a statement whose outcome differs from its expect= (or from another
 *     checking key: unmapped=, entry_num=, dirty=, the fields of fault.read
 *     and veventq.read, `check`) is reported on opts.diag as
 *     "FILE:LINE: expected X, got Y"; the run carries on and ends FAILED;
 *   - an error (a syntax error from the parser, an API failure without
 *     expect=, an unknown `set` key, a $name whose statement failed, a
 *     model that is not available) is reported as "FILE:LINE: message" and
 *     stops the run: ERROR (the CLI's exit status 2).
 *
 * With opts.check every DMA request of a bound device is compared with the
 * oracle (ims_oracle).  Disagreements are findings, reported as
 * "FILE:LINE: check: ..." and counted: stale translations (a DMA served
 * from a cached translation the API state no longer allows: the line that
 * changed the mapping and the invalidation that is missing are named),
 * use-after-unmap (a DMA to an IOVA unmapped earlier: that line is named),
 * and plain mismatches.  Findings end the run FAILED unless the trace
 * declares them with `check check.stale == N` (traces/FORMAT.md).
 *
 * Deterministic: the same trace, options and seed give the same output,
 * byte for byte.
 */
#ifndef IMS_SIM_REPLAY_H
#define IMS_SIM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "iommusim/model.h"
#include "sim/stats.h"
#include "sim/trace.h"

/* ---- Models this build knows ---------------------------------------------- */
struct ims_replay_model {
	const char *name;                 /* "vtd", "smmuv3", "amdvi" (the trace's words) */
	const char *what;                 /* one line for `iommusim info` */
	const struct ims_model_ops *ops;  /* NULL: not available in this build */
};
extern const struct ims_replay_model ims_replay_models[];
extern const unsigned ims_replay_nmodels;
/* The entry of that name (available or not), or NULL for an unknown name. */
const struct ims_replay_model *ims_replay_model_find(const char *name);
/* The first available model (the default of a model-neutral trace). */
const struct ims_replay_model *ims_replay_model_default(void);

/* ---- Options ----------------------------------------------------------------- */
struct ims_replay_opts {
	/* The model to run on.  NULL: the trace's `model` statement, or the
	 * default model for a model-neutral trace. */
	const struct ims_model_ops *model;
	/* With a model given: a trace written for another model is an error
	 * (true: the user asked for that model) or skipped (false: --model
	 * all, which runs every model that fits). */
	bool model_strict;
	/* "KEY=VALUE" settings applied after the trace's own `set` statements
	 * (the command line wins). */
	const char *const *sets;
	unsigned nsets;
	uint64_t seed;          /* the machine's seed (struct ims_ctx_cfg) */
	bool check;             /* compare every DMA with the oracle */
	FILE *diag;             /* diagnostics; NULL: stderr */
	const char *tag;        /* appended to diagnostics as " [tag]" (several models) */
	/* One stable line per DMA request (--results), without newline. */
	void (*result)(void *arg, const char *line);
	void *result_arg;
	/* > 0: stop before the first statement on this line or later. */
	uint64_t stop_line;
	/* Called every IMS_REPLAY_PROGRESS_EVERY statements. */
	void (*progress)(void *arg, uint64_t statements);
	void *progress_arg;
};
#define IMS_REPLAY_PROGRESS_EVERY 65536u

enum ims_replay_status {
	IMS_REPLAY_OK,      /* every expectation held, no unexpected finding: exit 0 */
	IMS_REPLAY_FAILED,  /* ran to the end with failed expectations or findings: exit 1 */
	IMS_REPLAY_ERROR,   /* stopped by an error: exit 2 */
	IMS_REPLAY_SKIPPED, /* written for another model (not strict) */
};

/* ---- The summary (TRACE-FORMAT.md "Output") ------------------------------- */
#define IMS_REPLAY_NCODES 256 /* fault codes counted one by one; others together */

struct ims_replay_counter {
	char name[48];
	uint64_t value;
};

struct ims_replay_summary {
	const char *model;         /* the model's name ("vtd"), NULL before the machine */
	uint64_t statements;       /* statements executed (header included) */
	uint64_t dma_statements, dma_requests; /* requests: page-bounded pieces */
	uint64_t translations;     /* requests translated (status OK) */
	uint64_t faults;           /* requests that faulted */
	uint64_t page_requests;    /* page requests queued */
	uint64_t stalls;           /* requests stalled */
	uint64_t fault_codes[IMS_REPLAY_NCODES], fault_codes_other;
	uint64_t iotlb_hits, iotlb_misses;     /* of the trace's requests */
	uint64_t mem_reads_on_miss;            /* memory reads of requests that missed */
	struct ims_hist latency;               /* cycles per request */
	uint64_t clock_mhz;                    /* from the model (0: unknown) */
	uint64_t api_calls;                    /* API statements executed */
	uint64_t expectations, expect_failed;  /* outcomes checked, and failed */
	uint64_t checks_skipped;               /* `check check.*` without --check */
	/* --check */
	uint64_t checked, unchecked;           /* requests compared with the oracle, or not */
	uint64_t mismatches, stale, use_after_unmap; /* findings, per DMA statement */
	uint64_t findings_unexpected;          /* findings no `check` declared */
	/* The model's counters (ops->stats), summed over units, in its order. */
	unsigned ncounters;
	struct ims_replay_counter *counters;
};

/* ---- Runs ---------------------------------------------------------------------- */
struct ims_replay;

/* A run with these options (copied; the strings must outlive the run).
 * NULL when out of memory. */
struct ims_replay *ims_replay_new(const struct ims_replay_opts *opts);
/* Frees the run and its machine.  NULL is ignored. */
void ims_replay_free(struct ims_replay *r);

/* Executes every statement of p (to its end, an error, or opts.stop_line).
 * A run is used once. */
enum ims_replay_status ims_replay_run(struct ims_replay *r, struct ims_trace_parser *p);

/* After the run: the summary, the model's name (NULL when none was chosen),
 * why it was skipped or stopped (one sentence, "" when it was not). */
const struct ims_replay_summary *ims_replay_summary(const struct ims_replay *r);
const char *ims_replay_model_name(const struct ims_replay *r);
const char *ims_replay_reason(const struct ims_replay *r);
/* The machine, or NULL when the trace never touched one. */
struct ims_ctx *ims_replay_ctx(struct ims_replay *r);

/* A counter of the summary by the name `check` uses ("iotlb.hits",
 * "dma.requests", "fault.0x6", or any model counter); *found tells whether
 * the name exists. */
uint64_t ims_replay_stat(const struct ims_replay_summary *s, const char *name, bool *found);

/* ---- Output ---------------------------------------------------------------------
 * The summary of several runs of one trace, one column per run (models
 * side by side); notes (models skipped or missing) are printed under it. */
void ims_replay_print_table(FILE *out, const char *file, struct ims_replay *const *runs,
			    unsigned n, const char *const *notes, unsigned nnotes);
/* One run as the members of a JSON object, without the braces (the caller
 * may add its own members): "file", "model", "status", "reason", and
 * "summary" unless the run was skipped. */
void ims_replay_print_json(FILE *out, const char *file, const struct ims_replay *r,
			   enum ims_replay_status st);

/* ---- One translation step by step (`iommusim walk`) ----------------------------- */
struct ims_replay_xreq {
	const char *dev;       /* a device's $name (without '$'), or NULL for sid/unit */
	uint32_t sid, unit;
	uint32_t pasid;        /* IMS_NO_PASID for none */
	uint64_t addr;
	unsigned access;       /* IMS_PT_ACC_* */
	enum ims_dma_type type;
};
/* Explains how the machine, as the run left it, translates q: the device
 * and what is attached, the guest or IOAS tables read step by step (entry
 * addresses, raw values, decoded fields), what the oracle says, then the
 * request on the model with its cache hits and misses, memory reads,
 * cycles and result.  The parser the run read must still be open (names
 * are looked up in it).  Returns 0, or -ENOENT (unknown device, no
 * machine) with a message on out. */
int ims_replay_explain(struct ims_replay *r, const struct ims_replay_xreq *q, FILE *out);

#endif
