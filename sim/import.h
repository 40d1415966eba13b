/* SPDX-License-Identifier: MIT */
/*
 * sim/import — turns captures people already have into model-neutral traces.
 *
 * Two importers share one scenario builder:
 *   - ftrace: Linux trace text (tracefs `trace`/`trace_pipe`, `trace-cmd
 *     report` with or without latency flags, `perf script`) with the
 *     iommu:*, dma:* and intel_iommu:qi_submit/prq_report events
 *     (shared/spec/traces.md §1);
 *   - qemu: the log backend of QEMU's -trace (with or without the
 *     `PID@SECS.USECS:` or ISO-8601 prefix) with the vtd_*, amdvi_* and
 *     smmuv3_* and smmu_* events (traces.md §2).
 *
 * What a capture becomes (traces/FORMAT.md, "Importers"):
 *   - every PCI device named in it (BDF -> sid = bus<<8 | dev<<3 | fn) is
 *     bound with `device.bind` and attached to an IOAS of its own (one per
 *     iommu group when the capture names groups) when it is first needed;
 *   - mappings (iommu:map, dma map events, the translations QEMU reports)
 *     become `ioas.map` with a deterministic `va=`, and unmaps `ioas.unmap`,
 *     which carries its IOTLB invalidation as iommufd's unmap does;
 *   - DMAs are observed (QEMU translate events, `expect=pa:`) or
 *     synthesised (from dma map/sync events); every statement ends with a
 *     comment naming the capture line it came from, and DMAs say
 *     `observed` or `synthesised` there;
 *   - observed faults become `dma ... expect=fault` (`fault:CODE` when the
 *     caller names the model the capture was taken on);
 *   - intel_iommu:prq_report becomes a page request, `expect=queued`.
 *
 * Bad input never stops an import: unknown events are counted by name,
 * malformed lines are reported as "FILE:LINE: message" on the diagnostics
 * stream and skipped, and the summary says what was imported, what was not
 * and why.  The output depends only on the input and the options.
 */
#ifndef IMS_SIM_IMPORT_H
#define IMS_SIM_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum ims_import_format {
	IMS_IMPORT_FTRACE, /* Linux ftrace text */
	IMS_IMPORT_QEMU,   /* QEMU -trace log backend */
};

/* How densely DMAs are synthesised for a buffer that a dma map, alloc or
 * sync event names (traces.md §5 "Accesses"). */
enum ims_import_synth {
	IMS_IMPORT_SYNTH_SWEEP, /* one access over the whole buffer (default) */
	IMS_IMPORT_SYNTH_FIRST, /* one 4-byte access at its first byte */
	IMS_IMPORT_SYNTH_NONE,  /* none: only mappings and observed events */
};

/* A device name that is not a PCI address (`1d84000.ufshc`) and its sid. */
struct ims_import_sid {
	const char *name;
	uint32_t sid;
};

struct ims_import_opts {
	/* -1: model-neutral output.  Otherwise enum ims_trace_model: the trace
	 * starts with `model NAME` and faults whose capture carries that
	 * model's own code become `expect=fault:CODE`. */
	int model;
	enum ims_import_synth synth;
	const struct ims_import_sid *sids; /* nsids entries */
	unsigned nsids;
};

/* Default options: model-neutral, sweep, no sid map. */
void ims_import_opts_init(struct ims_import_opts *o);

/* What an import did, in five tables of (key, count). */
enum ims_import_table {
	IMS_IMPORT_T_IMPORTED, /* known events read, by event name */
	IMS_IMPORT_T_UNKNOWN,  /* events of no known kind, by event name */
	IMS_IMPORT_T_SKIPPED,  /* input lines that are no event, by reason */
	IMS_IMPORT_T_WRITTEN,  /* statements written, by verb */
	IMS_IMPORT_T_NOTES,    /* events imported in part or not at all, by reason */
	IMS_IMPORT_NTABLES
};

struct ims_import_report;

/*
 * Imports the capture held in `buf` (len bytes; `name` names it in
 * messages) in format `fmt` and writes the trace to `out`: a first comment
 * line naming the importer and the capture (its base name), then the
 * statements, each with its provenance comment.  Malformed lines
 * are reported on `diag` (may be NULL) as "NAME:LINE: message".  `opts` NULL
 * means the defaults.  When `rep` is not NULL it receives the report (free
 * it with ims_import_report_free), also on failure when one was made.
 * Returns 0; -EINVAL bad arguments; -ENOMEM; -EIO writing `out` failed.
 */
int ims_import_mem(enum ims_import_format fmt, const void *buf, size_t len, const char *name,
		   FILE *out, FILE *diag, const struct ims_import_opts *opts,
		   struct ims_import_report **rep);

/* The same from a stream, read twice (a first pass learns which devices
 * issue page requests): a stream that cannot seek (a pipe) is copied to a
 * temporary file first.  -EIO also when reading fails. */
int ims_import_stream(enum ims_import_format fmt, FILE *in, const char *name, FILE *out,
		      FILE *diag, const struct ims_import_opts *opts,
		      struct ims_import_report **rep);

/* The count of `key` in table t; key NULL: the sum over the table. */
uint64_t ims_import_report_count(const struct ims_import_report *r, enum ims_import_table t,
				 const char *key);
/* Physical lines read (a wrapped event counts each of its lines), and
 * events read (imported or unknown; malformed lines are not events). */
uint64_t ims_import_report_lines(const struct ims_import_report *r);
uint64_t ims_import_report_events(const struct ims_import_report *r);
/* The summary for humans: one block, keys sorted, deterministic. */
void ims_import_report_print(const struct ims_import_report *r, FILE *f);
void ims_import_report_free(struct ims_import_report *r);

#endif
