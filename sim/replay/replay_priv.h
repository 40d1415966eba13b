/* SPDX-License-Identifier: MIT */
/*
 * sim/replay private: the state of one run, shared by the files of
 * sim/replay.  Not for use outside sim/replay (the contract is sim/replay.h).
 *
 * Files:
 *   engine.c    the run: statement loop, `model`/`set`, the machine, errors
 *               and expectations, dispatch
 *   bind.c      $names (object IDs, requesters, tables, values), the objects
 *               the run made (by ID), interval sets
 *   dma.c       `dma`: the hot path, results lines
 *   machine.c   mem.*, mmio.*, device
 *   ioas.c      ioas.*, option, destroy
 *   hwpt.c      device.*, hwpt.*, hw_info
 *   queues.c    fault.*, viommu/vdevice/veventq/hw_queue
 *   ptbuild.c   pt.alloc/map/unmap: guest tables built with sim/pt
 *   check.c     --check: the oracle, stale translations, use-after-unmap
 *   stats.c     model counters, `check STAT OP VALUE`, ims_replay_stat
 *   print.c     the summary as a table and as JSON
 *   explain.c   ims_replay_explain (`iommusim walk`)
 *   models.c    the models of this build
 */
#ifndef IMS_SIM_REPLAY_PRIV_H
#define IMS_SIM_REPLAY_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "iommusim/iommusim.h"
#include "sim/mem.h"
#include "sim/palloc.h"
#include "sim/pt.h"
#include "sim/replay.h"

/* ---- Interval sets ------------------------------------------------------------
 * Sorted, non-overlapping [start, last] ranges, each with the line and verb
 * that made it and an aux value.  With `linear`, aux is an address that
 * follows the range (a mapping's va): a piece [s, l] cut from [start, last]
 * gets aux + (s - start). */
struct rp_iv {
	uint64_t start, last;
	uint64_t line;
	uint64_t aux;
	uint8_t verb; /* enum ims_trace_verb */
};
struct rp_ivset {
	struct rp_iv *v;
	uint32_t n, cap;
	bool linear;
};
/* Makes [start, last] one range with these values, replacing what was
 * there (pieces of older ranges outside it stay).  0 or -ENOMEM. */
int rp_iv_assign(struct rp_ivset *s, uint64_t start, uint64_t last, uint64_t line, uint8_t verb,
		 uint64_t aux);
/* Removes [start, last] (cutting ranges that stick out).  0 or -ENOMEM. */
int rp_iv_erase(struct rp_ivset *s, uint64_t start, uint64_t last);
/* The range holding addr, or NULL. */
const struct rp_iv *rp_iv_find(const struct rp_ivset *s, uint64_t addr);
/* The first range that intersects [start, last], or NULL. */
const struct rp_iv *rp_iv_overlap(const struct rp_ivset *s, uint64_t start, uint64_t last);
void rp_iv_free(struct rp_ivset *s);

/* ---- $names ---------------------------------------------------------------------- */
enum rp_nkind {
	RPN_NONE,      /* not bound yet */
	RPN_OBJ,       /* an API object: id */
	RPN_REQUESTER, /* `device`: sid, unit */
	RPN_TABLE,     /* pt.alloc: table, and val = its root */
	RPN_VALUE,     /* as=: val */
	RPN_FAILED,    /* the statement that makes it failed at `line` */
};

struct rp_name {
	uint8_t kind;   /* enum rp_nkind */
	uint8_t verb;   /* the statement that made it */
	bool has_val;
	uint32_t id;    /* RPN_OBJ */
	uint32_t sid, unit; /* RPN_REQUESTER */
	int32_t table;  /* RPN_TABLE: index in r->tables */
	uint64_t val;
	uint64_t line;
};

/* ---- Objects the run made, by ID ---------------------------------------------- */
enum rp_okind {
	RPO_NONE, RPO_IOAS, RPO_DEVICE, RPO_HWPT_PAGING, RPO_HWPT_NESTED, RPO_FAULT, RPO_VIOMMU,
	RPO_VDEVICE, RPO_VEVENTQ, RPO_HWQ,
};

struct rp_att {
	uint32_t pasid; /* IMS_NO_PASID: the RID */
	uint32_t hwpt;
};

struct rp_obj {
	uint8_t kind;     /* enum rp_okind */
	int32_t slot;     /* the $name that made it, -1 if none (automatic HWPTs) */
	uint32_t ioas;    /* IOAS: itself; HWPTs and vIOMMUs: the IOAS under them */
	uint32_t parent;  /* nested HWPT: the parent HWPT or vIOMMU */
	int32_t table;    /* nested HWPT: the pt.alloc table of its stage 1, -1 */
	uint32_t data;    /* nested HWPT: data= type (enum ims_trace_data) */
	uint64_t pgtbl;   /* nested vtd_s1: stage-1 root (GPA), aw */
	unsigned aw;
	uint32_t type;    /* vEVENTQ: its type */
	/* IOAS: what is mapped (aux = va), and (--check) what was unmapped */
	struct rp_ivset mapped, unmapped;
	/* device */
	uint32_t sid, unit;
	struct rp_att *att;
	uint32_t natt, catt;
	/* FAULT queue: records read but not yet handed to fault.read */
	struct ims_hwpt_pgfault *rec;
	uint32_t nrec, pos;
};

/* ---- Guest page tables (pt.alloc) --------------------------------------------- */
struct rp_pool {
	uint64_t start, last;  /* the pool= range (a GPA range with via=) */
	uint32_t via;          /* IOAS ID, 0: addresses are host physical */
	struct ims_mem *scratch; /* via: the guest-physical image of the pool */
	struct ims_palloc pa;
};

struct rp_table {
	struct ims_pt_fmt fmt;
	uint32_t pool;
	uint64_t root;
	int32_t slot;
	/* --check: pt.unmap lines, and changes no invalidation covered yet */
	struct rp_ivset unmapped, pending;
};

/* `set KEY=VALUE` of the trace, applied when the machine is built. */
struct rp_set {
	char *key, *value;
	uint64_t line;
};

/* ---- The run ---------------------------------------------------------------------- */
enum { RPF_MISMATCH, RPF_STALE, RPF_UAU, RPF_N };

struct ims_replay {
	struct ims_replay_opts o;
	FILE *diag;
	struct ims_trace_parser *p;
	const char *file;
	bool used;

	/* model and machine */
	const struct ims_model_ops *model;
	bool model_from_trace; /* chosen by the trace's `model` statement */
	struct ims_ctx *ctx;
	struct ims_mem *mem;
	unsigned nunits;
	struct rp_set *sets;
	unsigned nsets, csets;

	/* names, objects, tables */
	struct rp_name *names;
	uint32_t nnames;
	struct rp_obj *objs;
	uint32_t nobjs;
	struct rp_table *tables;
	uint32_t ntables, ctables;
	struct rp_pool *pools;
	uint32_t npools, cpools;

	/* outcome */
	bool stop, error, skipped;
	char reason[512];
	struct ims_replay_summary sum;
	uint64_t acked[RPF_N];
	bool acked_set[RPF_N];
	uint64_t last_mem_write;   /* line of the last mem.write*, for findings */

	/* scratch */
	void *buf;
	size_t bufcap;
};

/* ---- engine.c: errors and expectations --------------------------------------------- */
/* "FILE:LINE: message" (LINE 0: "FILE: message"); stops the run (ERROR). */
void rp_error(struct ims_replay *r, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "FILE:LINE: message" without stopping (findings, notes). */
void rp_diag(struct ims_replay *r, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "FILE:LINE: expected WANT, got GOT": a failed expectation. */
void rp_fail(struct ims_replay *r, uint64_t line, const char *want, const char *got);
/* The expect= text of st ("pa:0x5000"). */
const char *rp_expect_text(struct ims_replay *r, const struct ims_trace_stmt *st, char *buf,
			   size_t n);
/* The outcome of an API statement (expect= ok or an errno): true when the
 * call succeeded.  A failure without expect= stops the run; a failure the
 * trace expected returns false quietly; other mismatches are failed
 * expectations. */
bool rp_api(struct ims_replay *r, const struct ims_trace_stmt *st, int rc);
/* The same for statements that are not API calls (mmio.write, pt.*...);
 * msg explains a failure (may be ""). */
bool rp_outcome(struct ims_replay *r, const struct ims_trace_stmt *st, int rc, const char *msg);
/* Checks one output field: `key=want` against `key=got` (a failed
 * expectation when they differ). */
void rp_check_field(struct ims_replay *r, const struct ims_trace_stmt *st, const char *key,
		    uint64_t want, uint64_t got, bool hex);
/* A growable scratch buffer of at least n bytes (NULL: out of memory, the
 * run is stopped). */
void *rp_scratch(struct ims_replay *r, size_t n, uint64_t line);
/* Builds the machine if it does not exist yet (the first statement that
 * touches memory, registers or devices).  False when that failed. */
bool rp_machine(struct ims_replay *r, uint64_t line);
/* The errno's name ("EINVAL"), or "errno N". */
const char *rp_errname(int err, char *buf, size_t n);

/* ---- bind.c --------------------------------------------------------------------- */
/* The binding of a slot (grown as needed; NULL when out of memory). */
struct rp_name *rp_slot(struct ims_replay *r, int32_t slot);
const char *rp_slot_name(const struct ims_replay *r, int32_t slot);
/* A number argument: a literal or $name+OFFSET.  False (run stopped) when
 * the name has no value. */
bool rp_num(struct ims_replay *r, uint64_t line, const struct ims_trace_val *v, uint64_t *out);
/* An object argument ($name or raw ID) as an object ID.  False (run
 * stopped) when the name is not an object or was never made. */
bool rp_objid(struct ims_replay *r, uint64_t line, const struct ims_trace_arg *a, uint32_t *id);
/* Binds the $name of st->pos[0] (or of a kv) to an object ID / a value /
 * a failure. */
void rp_bind_obj(struct ims_replay *r, const struct ims_trace_stmt *st, int32_t slot,
		 uint32_t id, enum rp_okind kind);
void rp_bind_val(struct ims_replay *r, const struct ims_trace_stmt *st, int32_t slot,
		 uint64_t val);
void rp_bind_failed(struct ims_replay *r, const struct ims_trace_stmt *st, int32_t slot);
/* The record of object `id` (grown as needed); NULL for id 0 or no memory. */
struct rp_obj *rp_obj(struct ims_replay *r, uint32_t id);
/* The record when it exists and has that kind (RPO_NONE: any), else NULL. */
struct rp_obj *rp_obj_get(struct ims_replay *r, uint32_t id, enum rp_okind kind);
void rp_obj_clear(struct rp_obj *o);
/* Device attachments (kept for --check and walk). */
void rp_att_set(struct ims_replay *r, uint32_t dev, uint32_t pasid, uint32_t hwpt);
uint32_t rp_att_get(struct ims_replay *r, uint32_t dev, uint32_t pasid);
void rp_names_free(struct ims_replay *r);

/* ---- statement files ------------------------------------------------------------ */
void rp_dma(struct ims_replay *r, const struct ims_trace_stmt *st);
void rp_machine_stmt(struct ims_replay *r, const struct ims_trace_stmt *st);
void rp_ioas_stmt(struct ims_replay *r, const struct ims_trace_stmt *st);
void rp_hwpt_stmt(struct ims_replay *r, const struct ims_trace_stmt *st);
void rp_queue_stmt(struct ims_replay *r, const struct ims_trace_stmt *st);
void rp_pt_stmt(struct ims_replay *r, const struct ims_trace_stmt *st);
void rp_check_stmt(struct ims_replay *r, const struct ims_trace_stmt *st);
void rp_tables_free(struct ims_replay *r);
/* GPA -> HPA through an IOAS's areas (replay's own record of them): false
 * when gpa is not mapped. */
bool rp_ioas_xlate(struct ims_replay *r, uint32_t ioas, uint64_t gpa, uint64_t *hpa);

/* ---- check.c -------------------------------------------------------------------- */
/* Findings of one DMA statement, reported once each. */
struct rp_dma_check {
	bool reported[RPF_N];
};
/* Compares one request of a bound device with the oracle. */
void rp_check_request(struct ims_replay *r, const struct ims_trace_stmt *st, uint32_t dev,
		      const struct ims_dma_req *req, const struct ims_dma_result *res,
		      struct rp_dma_check *dc);
/* The bound device with that (unit, sid), or 0: requests sent by sid are
 * that device's too. */
uint32_t rp_device_by_sid(struct ims_replay *r, uint32_t unit, uint32_t sid);
/* Mapping changes, for findings: a table changed at [start, last]; an
 * invalidation covered [start, last] of a table; an IOAS area was mapped
 * or unmapped; memory was written. */
void rp_track_table_change(struct ims_replay *r, uint32_t table, uint64_t start, uint64_t last,
			   uint64_t line, uint8_t verb, bool unmapped);
void rp_track_invalidate(struct ims_replay *r, uint32_t table, uint64_t start, uint64_t last);
void rp_track_mem_write(struct ims_replay *r, uint64_t pa, uint64_t len, uint64_t line,
			uint8_t verb);

/* The vendor-neutral name of a fault class ("not-present"). */
const char *rp_xf_name(enum ims_xlate_fault f);

/* ---- stats.c -------------------------------------------------------------------- */
/* The model's counters of one unit (unit < 0: summed over units) into
 * *out (realloc'd, *n entries).  0 or -ENOMEM. */
int rp_model_counters(struct ims_replay *r, int unit, struct ims_replay_counter **out,
		      unsigned *n);
/* Fills sum.counters and clock_mhz at the end of the run. */
void rp_finish_stats(struct ims_replay *r);

#endif
