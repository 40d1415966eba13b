/* SPDX-License-Identifier: MIT */
/*
 * sim/import private: what the two front ends (ftrace.c, qemu.c) hand to the
 * scenario builder (scene.c), and the state they share.  Not for use outside
 * sim/import.
 *
 * The pipeline, per pass:
 *   lines.c   physical lines -> quote prefixes stripped -> one record, with
 *             lines a mail client wrapped joined back (driven by import.c);
 *   ftrace.c / qemu.c   a record -> one struct imp_event (or unknown, or
 *             malformed, or no event at all);
 *   import.c  a look-ahead window of events (map/dma pairing needs the next
 *             few events) -> scene.c;
 *   scene.c   events -> statements, through emit.c (the trace writer).
 * Pass 1 runs the same front end to learn facts about devices (which issue
 * page requests, which iommu group they are in); pass 2 writes the trace.
 */
#ifndef IMS_SIM_IMPORT_PRIV_H
#define IMS_SIM_IMPORT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/import.h"
#include "sim/trace.h"

/* ---- Report tables (report.c) ------------------------------------------- */

struct imp_count {
	char *key;
	uint64_t n;
};

struct imp_table {
	struct imp_count *v; /* open-addressed hash, cap a power of two */
	size_t n, cap;
};

struct ims_import_report {
	char *name;   /* the capture's name, for the summary */
	enum ims_import_format fmt;
	uint64_t lines, events;
	struct imp_table t[IMS_IMPORT_NTABLES];
	bool oom;     /* a count was lost to an allocation failure */
};

void imp_count(struct ims_import_report *r, enum ims_import_table t, const char *key);

/* ---- Events ---------------------------------------------------------------- */

enum imp_kind {
	IMP_EV_NONE,     /* understood; builds nothing (cache hits, MMIO, ...) */
	IMP_EV_GROUP,    /* device joins iommu group `gid` */
	IMP_EV_ATTACH,   /* device attached to a (new) domain */
	IMP_EV_DETACH,   /* device detached from its domain */
	IMP_EV_MAP,      /* iommu:map: [iova, +size) -> pa, no device */
	IMP_EV_UNMAP,    /* iommu:unmap: [iova, +size), `aux` bytes unmapped */
	IMP_EV_DMA_MAP,  /* dma map/alloc: device, dir, segments */
	IMP_EV_DMA_UNMAP, /* dma unmap/free: device, segments or a phys list (sg) */
	IMP_EV_DMA_SYNC, /* dma sync: device, dir, for_device, segments */
	IMP_EV_FAULT,    /* device faulted at iova (access, code) */
	IMP_EV_PAGE_REQ, /* device issued a page request */
	IMP_EV_PAGE_RESP, /* the host answered a page request group (code) */
	IMP_EV_XLATE,    /* QEMU translated iova -> pa for the device (observed DMA) */
	IMP_EV_SHADOW,   /* QEMU shadow-table sync of a domain: map (prot) or unmap */
	IMP_EV_INVAL,    /* QEMU saw the guest invalidate: scope, maybe a range */
	IMP_EV_DOMAIN,   /* learned: device uses domain `domain` (and a prot hint) */
};

enum imp_dir { IMP_DIR_BIDI, IMP_DIR_TO_DEV, IMP_DIR_FROM_DEV, IMP_DIR_NONE };

enum imp_scope { IMP_SC_ALL, IMP_SC_DEV, IMP_SC_DOMAIN };

/* One buffer of a dma event: DMA address, length, CPU physical address. */
struct imp_seg {
	uint64_t dma, size, phys;
	bool has_phys;
};

struct imp_event {
	enum imp_kind kind;
	const char *name; /* event name (static, or interned by the importer) */
	uint64_t line;    /* first physical line of the record */
	int64_t ts;       /* nanoseconds on the capture's clock; -1 unknown */
	int64_t pid;      /* task; -1 unknown */
	int dev;          /* device index (struct imp_dev), -1 none */
	uint64_t iova, pa, size, aux;
	unsigned access;  /* IMS_TRACE_ACC_* of the access (0: unknown) */
	unsigned prot;    /* IMS_TRACE_ACC_R|W of a mapping (0: unknown) */
	int64_t code;     /* the model's own fault code, -1 none */
	int code_model;   /* enum ims_trace_model the code belongs to, -1 none */
	uint32_t pasid, prgi, gid, domain;
	bool has_pasid, last, priv, has_domain, ranged, for_device, paired;
	bool sg_by_phys;  /* DMA_UNMAP of an sg list: pa = first page, aux = count */
	bool truncated;   /* the capture cut the sg list (dma_map_sg [TRUNCATED]) */
	enum imp_dir dir;
	enum imp_scope scope;
	struct imp_seg *segs; /* owned; nsegs entries */
	unsigned nsegs;
};

void imp_event_clear(struct imp_event *ev);

/* ---- Devices (shared by both passes) -------------------------------------- */

struct imp_dev {
	char *name;        /* as the capture names it */
	uint32_t seg, sid; /* PCI segment; requester ID */
	bool has_sid, pci; /* pci: the name is a PCI address */
	/* pass-1 facts */
	int gid;           /* iommu group, -1 none */
	bool pri, pasid;   /* issued page requests (with a PASID) */
	/* pass-2 state (scene.c) */
	int slot;          /* trace name, -1 until made */
	bool bound, attached;
	int ioas;          /* IOAS it is attached to, -1 */
	int fault;         /* its fault queue's name (page requests), -1 */
	bool has_domain;   /* QEMU domain id learned from cache events */
	uint32_t domain;
	uint64_t hint_page; /* QEMU: page of the last IOTLB fill, and its rights */
	unsigned hint_prot;
	bool warned;       /* "no sid" already noted */
};

/* ---- Shared state -------------------------------------------------------- */

struct imp_scene; /* scene.c */

struct imp {
	struct ims_import_opts opts;
	const char *file;   /* for messages */
	FILE *out, *diag;
	struct ims_import_report *rep;
	bool scan;          /* pass 1: learn facts, count and write nothing */
	bool io_error, oom;

	struct imp_dev *devs;
	size_t ndevs, capdevs;

	struct imp_scene *sc;
	struct ims_trace_names *names; /* $names of the trace being written */
	int vtd_scalable;              /* qemu.c: the guest's RTADDR.TTM (-1 unknown) */
	uint64_t amd_fault_addr;       /* qemu.c: last amdvi_page_fault address */
	bool amd_fault_pending;
};

/* Device by the capture's name: a PCI address ([SSSS:]BB:DD.F, QEMU's
 * BB:DD.FF too) gives the sid; another name takes it from opts.sids, or has
 * none.  Index, or -1 when out of memory. */
int imp_dev_by_name(struct imp *im, const char *s, size_t len);
/* Device by sid (QEMU events that name only the requester ID). */
int imp_dev_by_sid(struct imp *im, uint32_t sid);

/* ---- Lines (lines.c) -------------------------------------------------------
 * Physical lines with mail quote prefixes and CRs removed, NUL-terminated,
 * with up to 8 lines of look-ahead.  A file source must stay open; rewind
 * seeks back to where reading started. */
struct imp_lines;
struct imp_lines *imp_lines_mem(const void *buf, size_t len);
struct imp_lines *imp_lines_file(FILE *f);
void imp_lines_free(struct imp_lines *l);
bool imp_lines_rewind(struct imp_lines *l);
bool imp_lines_error(const struct imp_lines *l);
/* The k-th line ahead (0: the next), valid until it is dropped; its number
 * in *no.  NULL at the end. */
const char *imp_lines_peek(struct imp_lines *l, unsigned k, uint64_t *no);
void imp_lines_drop(struct imp_lines *l, unsigned k);

/* ---- Front ends --------------------------------------------------------------
 * decode() reads one record (NUL-terminated, quote prefixes gone) into *ev.
 * Results: */
enum imp_dec {
	IMP_DEC_EVENT,     /* *ev filled; info->name is the event's name */
	IMP_DEC_UNKNOWN,   /* a well-framed event of no known kind: info->name */
	IMP_DEC_MALFORMED, /* info->msg says what is wrong (info->name if known) */
	IMP_DEC_SKIP,      /* no event: info->msg is the reason (header, other text) */
	IMP_DEC_BLANK,     /* empty line */
};

struct imp_dec_info {
	const char *name; /* event name (points into the record or static) */
	size_t namelen;
	char msg[160];
};

struct imp_frontend {
	/* True when the record starts an event of its own (a wrapped line that
	 * does is never joined to the one before). */
	bool (*starts_event)(struct imp *im, const char *rec);
	enum imp_dec (*decode)(struct imp *im, char *rec, struct imp_event *ev,
			       struct imp_dec_info *info);
};

extern const struct imp_frontend imp_ftrace;
extern const struct imp_frontend imp_qemu;

/* ---- Payload helpers (fields.c) -------------------------------------------- */

/* A cursor over a payload. */
struct imp_cur {
	const char *p;
};

void imp_ws(struct imp_cur *c);
bool imp_at_end(struct imp_cur *c);
/* Consumes the literal s (after skipping blanks). */
bool imp_lit(struct imp_cur *c, const char *s);
/* The next blank-separated token: pointer and length (0 at the end). */
size_t imp_token(struct imp_cur *c, const char **tok);
/* Numbers: hex with an optional 0x, hex with a mandatory 0x, decimal,
 * and "0x-prefixed hex or decimal".  Whole token (s[0..n)) only. */
bool imp_hex(const char *s, size_t n, uint64_t *v);
bool imp_hex0x(const char *s, size_t n, uint64_t *v);
bool imp_dec(const char *s, size_t n, uint64_t *v);
bool imp_num(const char *s, size_t n, uint64_t *v);
/* `key=value` tokens of a payload: after imp_kv_parse, imp_kv_get finds a
 * key's value (NULL when absent).  Bare tokens are kept with key "". */
#define IMP_KV_MAX 24
struct imp_kv {
	const char *k, *v;
	size_t klen, vlen;
};
struct imp_kvs {
	struct imp_kv kv[IMP_KV_MAX];
	unsigned n;
	bool overflow;
};
void imp_kv_parse(const char *s, struct imp_kvs *out);
const struct imp_kv *imp_kv_get(const struct imp_kvs *kvs, const char *key);
/* `{0x1,0x2}` (possibly empty): up to max entries into v; the count, or -1
 * when malformed.  *more is set when there were more than max. */
int imp_array(const char *s, size_t n, uint64_t *v, unsigned max, bool *more);
/* PCI address: [SSSS:]BB:DD.F (F may be written with 2 digits). */
bool imp_pci(const char *s, size_t n, uint32_t *seg, uint32_t *sid);
/* DMA direction word; false when unknown. */
bool imp_dir_word(const char *s, size_t n, enum imp_dir *d);
/* Matches a whole payload against a pattern: blanks match one or more
 * blanks, other characters themselves, and conversions store into vals[]
 * in order: %x 0x-prefixed hex, %h bare hex, %d decimal (a leading '-'
 * allowed, stored two's complement), %n 0x-hex or decimal, %s any token
 * (not stored).  Trailing blanks are allowed. */
bool imp_match(const char *s, const char *pat, uint64_t *vals);
/* Simple printf into info->msg. */
void imp_msg(struct imp_dec_info *info, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- Scene (scene.c) ------------------------------------------------------ */

struct imp_scene *imp_scene_new(struct imp *im);
void imp_scene_free(struct imp_scene *sc);
/* Writes the header (and `model`). */
void imp_scene_begin(struct imp *im);
/* One event; ahead[0..nahead) are the events after it (the look-ahead
 * window), which it may mark paired. */
void imp_scene_event(struct imp *im, struct imp_event *ev, struct imp_event *ahead,
		     size_t nahead);
/* End of the capture: DMAs still owed. */
void imp_scene_end(struct imp *im);
/* Pass 1: what an event says about its device. */
void imp_scene_learn(struct imp *im, const struct imp_event *ev);

/* ---- Emission (emit.c) ------------------------------------------------------
 * Statements go through the trace writer; each is followed by the comment
 * "# LINE EVENT[ TAG]" (none for the header) and counted by verb.  Names are
 * slots of im->names. */

struct imp_dma {
	unsigned access; /* IMS_TRACE_ACC_* */
	uint64_t addr, len;
	bool has_pasid, priv, page_request, last;
	uint32_t pasid, prgi;
	struct ims_trace_expect expect;
};

void imp_emit(struct imp *im, const struct ims_trace_stmt *st, const struct imp_event *ev,
	      const char *tag);
/* The header, `model` (model >= 0) and `set mode=...` (vtd_mode >= 0: 1
 * scalable, 0 legacy). */
void imp_emit_header(struct imp *im, int model, int vtd_mode);
void imp_emit_ioas_alloc(struct imp *im, int ioas, const struct imp_event *ev);
void imp_emit_bind(struct imp *im, int dev, uint32_t sid, bool pri, bool pasid,
		   const struct imp_event *ev);
void imp_emit_attach(struct imp *im, bool replace, int dev, int ioas, const struct imp_event *ev);
void imp_emit_detach(struct imp *im, int dev, const struct imp_event *ev);
void imp_emit_map(struct imp *im, int ioas, uint64_t iova, uint64_t len, uint64_t va,
		  unsigned prot, const struct imp_event *ev, const char *tag);
void imp_emit_unmap(struct imp *im, int ioas, uint64_t iova, uint64_t len, uint64_t unmapped,
		    const struct imp_event *ev, const char *tag);
void imp_emit_dma(struct imp *im, int dev, const struct imp_dma *d, const struct imp_event *ev,
		  const char *tag);
void imp_emit_fault_alloc(struct imp *im, int fault, const struct imp_event *ev);
/* hwpt.alloc $hwpt dev=$dev pt=$ioas pasid [fault=$fault] (fault -1: none) */
void imp_emit_hwpt_pasid(struct imp *im, int hwpt, int dev, int ioas, int fault,
			 const struct imp_event *ev);
void imp_emit_attach_pasid(struct imp *im, int dev, int hwpt, uint32_t pasid,
			   const struct imp_event *ev);
/* fault.read $fault [as=$cookie] dev=$dev [pasid=N] grpid=N (cookie -1: no as=) */
void imp_emit_fault_read(struct imp *im, int fault, int cookie, int dev, bool has_pasid,
			 uint32_t pasid, uint32_t grpid, const struct imp_event *ev);
void imp_emit_fault_respond(struct imp *im, int fault, int cookie, unsigned code,
			    const struct imp_event *ev);

#endif
