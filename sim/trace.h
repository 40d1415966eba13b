/* SPDX-License-Identifier: MIT */
/*
 * sim/trace — the trace language: a streaming parser and a canonical writer.
 *
 * The grammar is the contract in shared/TRACE-FORMAT.md plus the project's
 * extensions, both documented in traces/FORMAT.md.  This layer only reads
 * and writes text: it knows every statement's shape (the schema is one
 * table, sim/trace/schema.c) but runs nothing; sim/replay executes.
 *
 * Streaming.  A parser reads a FILE* or a memory buffer one line at a time
 * into a reusable buffer, so memory stays flat however long the trace is: it
 * grows only with the longest line and with the number of distinct $names.
 * No statement allocates (tokens point into the line buffer; $names are
 * interned once in a hash table and referred to by slot).
 *
 * Lifetime.  A struct ims_trace_stmt filled by ims_trace_next() points into
 * the parser's buffers (strings, byte strings, range lists, the key=value
 * array): it is valid until the next call on that parser.  Copy what must
 * outlive it.
 *
 * Errors.  Any syntax error (unknown verb or key, malformed number, a $name
 * used before it is made, a missing header, wrong token counts, bad ACCESS…)
 * stops the parser: ims_trace_next() returns IMS_TRACE_ERROR and
 * ims_trace_error() gives "FILE:LINE: message", the message naming the
 * offending token.  The contract says the replay then exits with status 2.
 * The error is sticky: later calls return IMS_TRACE_ERROR again.
 */
#ifndef IMS_SIM_TRACE_H
#define IMS_SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- Statements -------------------------------------------------------- */

/* Every verb.  Those marked (ext) are project extensions (traces/FORMAT.md
 * §Extensions); the rest are named by the contract. */
enum ims_trace_verb {
	IMS_TRACE_V_HEADER,          /* iommusim-trace 1 */
	IMS_TRACE_V_MODEL,           /* model vtd|smmuv3|amdvi */
	IMS_TRACE_V_SET,             /* set KEY=VALUE... */
	IMS_TRACE_V_MEM_WRITE,       /* mem.write ADDR HEXBYTES */
	IMS_TRACE_V_MEM_WRITE8,
	IMS_TRACE_V_MEM_WRITE16,
	IMS_TRACE_V_MEM_WRITE32,
	IMS_TRACE_V_MEM_WRITE64,
	IMS_TRACE_V_MEM_READ8,
	IMS_TRACE_V_MEM_READ16,
	IMS_TRACE_V_MEM_READ32,
	IMS_TRACE_V_MEM_READ64,
	IMS_TRACE_V_MEM_ABORT,       /* (ext) mem.abort START-LAST */
	IMS_TRACE_V_MMIO_WRITE32,
	IMS_TRACE_V_MMIO_WRITE64,
	IMS_TRACE_V_MMIO_READ32,
	IMS_TRACE_V_MMIO_READ64,
	IMS_TRACE_V_DEVICE,
	IMS_TRACE_V_DMA,
	IMS_TRACE_V_IOAS_ALLOC,
	IMS_TRACE_V_IOAS_MAP,
	IMS_TRACE_V_IOAS_UNMAP,
	IMS_TRACE_V_IOAS_COPY,
	IMS_TRACE_V_IOAS_ALLOW_IOVAS,
	IMS_TRACE_V_IOAS_IOVA_RANGES,
	IMS_TRACE_V_IOAS_RESERVE,
	IMS_TRACE_V_OPTION,
	IMS_TRACE_V_HW_INFO,
	IMS_TRACE_V_HWPT_ALLOC,
	IMS_TRACE_V_DEVICE_BIND,
	IMS_TRACE_V_DEVICE_ATTACH,
	IMS_TRACE_V_DEVICE_REPLACE,
	IMS_TRACE_V_DEVICE_DETACH,
	IMS_TRACE_V_HWPT_INVALIDATE,
	IMS_TRACE_V_HWPT_SET_DIRTY,
	IMS_TRACE_V_HWPT_GET_DIRTY,
	IMS_TRACE_V_FAULT_ALLOC,
	IMS_TRACE_V_FAULT_READ,
	IMS_TRACE_V_FAULT_RESPOND,
	IMS_TRACE_V_VIOMMU_ALLOC,
	IMS_TRACE_V_VDEVICE_ALLOC,
	IMS_TRACE_V_VEVENTQ_ALLOC,
	IMS_TRACE_V_VEVENTQ_READ,
	IMS_TRACE_V_HW_QUEUE_ALLOC,
	IMS_TRACE_V_DESTROY,
	IMS_TRACE_V_PT_ALLOC,        /* (ext) guest page-table builder */
	IMS_TRACE_V_PT_MAP,          /* (ext) */
	IMS_TRACE_V_PT_UNMAP,        /* (ext) */
	IMS_TRACE_V_CHECK,           /* (ext) check STAT OP VALUE */
	IMS_TRACE_NVERBS
};

/* Every known key (the part of `key=value` before '=', or a bare flag word).
 * What a key means, and the shape of its value, depend on the verb: see the
 * schema table and traces/FORMAT.md. */
enum ims_trace_key {
	IMS_TRACE_K_NONE,        /* positional argument */
	IMS_TRACE_K_RAW,         /* `set`: key kept as text (kstr/klen) */
	IMS_TRACE_K_SID,         /* also written bdf=BB:DD.F */
	IMS_TRACE_K_PASID_BITS,
	IMS_TRACE_K_ATS,
	IMS_TRACE_K_PRI,
	IMS_TRACE_K_UNIT,
	IMS_TRACE_K_LEN,
	IMS_TRACE_K_PASID,
	IMS_TRACE_K_PRIV,
	IMS_TRACE_K_TYPE,
	IMS_TRACE_K_PRGI,
	IMS_TRACE_K_LAST,
	IMS_TRACE_K_MASK,
	IMS_TRACE_K_IOVA,
	IMS_TRACE_K_VA,
	IMS_TRACE_K_PROT,
	IMS_TRACE_K_AS,
	IMS_TRACE_K_UNMAPPED,
	IMS_TRACE_K_SRC,
	IMS_TRACE_K_SRC_IOVA,
	IMS_TRACE_K_DST_IOVA,
	IMS_TRACE_K_RANGES,
	IMS_TRACE_K_ALIGNMENT,
	IMS_TRACE_K_NUM_IOVAS,
	IMS_TRACE_K_SET,
	IMS_TRACE_K_DEV,
	IMS_TRACE_K_PT,
	IMS_TRACE_K_NEST_PARENT,
	IMS_TRACE_K_DIRTY,
	IMS_TRACE_K_FAULT,
	IMS_TRACE_K_DATA,
	IMS_TRACE_K_ENTRY_NUM,
	IMS_TRACE_K_ENABLE,
	IMS_TRACE_K_PAGE_SIZE,
	IMS_TRACE_K_NO_CLEAR,
	IMS_TRACE_K_COOKIE,
	IMS_TRACE_K_CODE,
	IMS_TRACE_K_HWPT,
	IMS_TRACE_K_VIOMMU,
	IMS_TRACE_K_VIRT_ID,
	IMS_TRACE_K_DEPTH,
	IMS_TRACE_K_INDEX,
	IMS_TRACE_K_IN_TYPE,
	IMS_TRACE_K_MAX_PASID_LOG2,
	IMS_TRACE_K_CAPS,
	IMS_TRACE_K_CAP,
	IMS_TRACE_K_ECAP,
	IMS_TRACE_K_IDR0,
	IMS_TRACE_K_IDR1,
	IMS_TRACE_K_IDR2,
	IMS_TRACE_K_IDR3,
	IMS_TRACE_K_IDR4,
	IMS_TRACE_K_IDR5,
	IMS_TRACE_K_EFR,
	IMS_TRACE_K_EFR2,
	IMS_TRACE_K_SEQ,
	IMS_TRACE_K_LOST,
	IMS_TRACE_K_ADDR,
	IMS_TRACE_K_PERM,
	IMS_TRACE_K_GRPID,
	IMS_TRACE_K_EVT0,
	IMS_TRACE_K_EVT1,
	IMS_TRACE_K_EVT2,
	IMS_TRACE_K_EVT3,
	IMS_TRACE_K_POOL,
	IMS_TRACE_K_ROOT,
	IMS_TRACE_K_VIA,
	IMS_TRACE_K_PGSIZE,
	/* Fields of data= entries (hwpt.alloc, hwpt.invalidate). */
	IMS_TRACE_K_PGTBL,
	IMS_TRACE_K_AW,
	IMS_TRACE_K_FLAGS,
	IMS_TRACE_K_SRE,
	IMS_TRACE_K_EAFE,
	IMS_TRACE_K_WPE,
	IMS_TRACE_K_STE0,
	IMS_TRACE_K_STE1,
	IMS_TRACE_K_DTE0,
	IMS_TRACE_K_DTE1,
	IMS_TRACE_K_DTE2,
	IMS_TRACE_K_DTE3,
	IMS_TRACE_K_NPAGES,
	IMS_TRACE_K_LEAF,
	IMS_TRACE_K_CMD0,
	IMS_TRACE_K_CMD1,
	IMS_TRACE_NKEYS
};

/* Word values.  Keys and positionals that take a word from a closed list
 * store the word's index (IMS_TRACE_A_WORD); those that take "a word or a
 * number" (type=, code=, in_type=) store the number, the word standing for
 * the number listed here (IMS_TRACE_A_VAL). */
enum ims_trace_model { IMS_TRACE_MODEL_VTD, IMS_TRACE_MODEL_SMMUV3, IMS_TRACE_MODEL_AMDVI };
/* data= of hwpt.alloc and hwpt.invalidate. */
enum ims_trace_data {
	IMS_TRACE_DATA_VTD_S1,
	IMS_TRACE_DATA_ARM_SMMUV3,
	IMS_TRACE_DATA_AMD_GUEST,
	IMS_TRACE_NDATA
};
/* option NAME: the iommufd option_id. */
enum ims_trace_option { IMS_TRACE_OPT_RLIMIT_MODE = 0, IMS_TRACE_OPT_HUGE_PAGES = 1 };
/* check STAT OP VALUE */
enum ims_trace_cmp {
	IMS_TRACE_CMP_EQ, IMS_TRACE_CMP_NE, IMS_TRACE_CMP_LT,
	IMS_TRACE_CMP_LE, IMS_TRACE_CMP_GT, IMS_TRACE_CMP_GE
};
/* The numbers behind the words of type=/in_type=/code= (iommufd uAPI values
 * where one exists; AMD HW-queue types are out of tree and numbered here). */
#define IMS_TRACE_DMA_UNTRANSLATED 0 /* dma type= (order of enum ims_dma_type) */
#define IMS_TRACE_DMA_TRANSLATION 1
#define IMS_TRACE_DMA_TRANSLATED 2
#define IMS_TRACE_DMA_PAGE_REQUEST 3
#define IMS_TRACE_VIOMMU_DEFAULT 0 /* viommu.alloc type= */
#define IMS_TRACE_VIOMMU_ARM_SMMUV3 1
#define IMS_TRACE_VIOMMU_TEGRA241_CMDQV 2
#define IMS_TRACE_VIOMMU_AMD 3
#define IMS_TRACE_VEVENTQ_DEFAULT 0 /* veventq.alloc type= */
#define IMS_TRACE_VEVENTQ_ARM_SMMUV3 1
#define IMS_TRACE_VEVENTQ_TEGRA241_CMDQV 2
#define IMS_TRACE_HW_QUEUE_DEFAULT 0 /* hw_queue.alloc type= */
#define IMS_TRACE_HW_QUEUE_TEGRA241_CMDQV 1
#define IMS_TRACE_HW_QUEUE_AMD_CMD 2
#define IMS_TRACE_HW_QUEUE_AMD_EVT 3
#define IMS_TRACE_HW_QUEUE_AMD_PPR 4
#define IMS_TRACE_HW_INFO_NONE 0 /* hw_info type=/in_type= */
#define IMS_TRACE_HW_INFO_INTEL_VTD 1
#define IMS_TRACE_HW_INFO_ARM_SMMUV3 2
#define IMS_TRACE_HW_INFO_TEGRA241_CMDQV 3
#define IMS_TRACE_HW_INFO_AMD 4
#define IMS_TRACE_RESP_SUCCESS 0 /* fault.respond code= */
#define IMS_TRACE_RESP_INVALID 1

/* Access letters: dma ACCESS (r, w, rw, x), prot= (r, w, rw; none), perm=
 * (any of r w x p, in that order; none).  Same bits as IMS_PT_ACC_* and
 * iommufd's fault perm (READ=1, WRITE=2, EXEC=4, PRIV=8). */
#define IMS_TRACE_ACC_R 0x1u
#define IMS_TRACE_ACC_W 0x2u
#define IMS_TRACE_ACC_X 0x4u
#define IMS_TRACE_ACC_P 0x8u

#define IMS_TRACE_NO_NAME (-1)

/* A number as written: a literal, or `$name` / `$name+OFFSET` whose value
 * replay knows (an IOVA bound by as=, a cookie, a page table's root). */
struct ims_trace_val {
	uint64_t num; /* the literal, or the offset added to the name's value */
	int32_t name; /* name slot, or IMS_TRACE_NO_NAME for a literal */
};

/* START-LAST, both inclusive (not checked for order: a reversed range is
 * how a trace asks iommufd for EINVAL). */
struct ims_trace_range {
	struct ims_trace_val first, last;
};

enum ims_trace_argt {
	IMS_TRACE_A_FLAG,   /* a bare flag word (kv only) */
	IMS_TRACE_A_VAL,    /* v: a number (or a word standing for one) */
	IMS_TRACE_A_WORD,   /* v.num: index of the word in its closed list */
	IMS_TRACE_A_NAME,   /* v.name: an object $name (use or definition) */
	IMS_TRACE_A_RANGES, /* p.ranges[0..n) */
	IMS_TRACE_A_BYTES,  /* p.bytes[0..n) (mem.write) */
	IMS_TRACE_A_STR,    /* p.str[0..n): free text (set values, check STAT) */
};

/* One positional argument or one key=value token. */
struct ims_trace_arg {
	uint16_t key;  /* enum ims_trace_key; K_NONE for positionals, except
			  dma's DEV written sid=N (key K_SID, type A_VAL) */
	uint8_t type;  /* enum ims_trace_argt */
	uint8_t group; /* 0: the statement; n >= 1: the n-th data= entry */
	uint32_t n;    /* count of ranges / bytes / chars */
	struct ims_trace_val v;
	union {
		const struct ims_trace_range *ranges;
		const uint8_t *bytes;
		const char *str;
	} p;
	const char *kstr; /* K_RAW only: the key as written */
	uint32_t klen;
};

/* expect= */
enum ims_trace_xkind {
	IMS_TRACE_X_NONE,       /* no expect= */
	IMS_TRACE_X_OK,         /* ok */
	IMS_TRACE_X_ERRNO,      /* an errno name: err */
	IMS_TRACE_X_VALUE,      /* a number: v (reads, option) */
	IMS_TRACE_X_PA,         /* pa:ADDR: v */
	IMS_TRACE_X_FAULT,      /* fault: any fault */
	IMS_TRACE_X_FAULT_CODE, /* fault:CODE: v.num */
	IMS_TRACE_X_RANGES,     /* START-LAST[,...] (possibly empty) */
	IMS_TRACE_X_EMPTY,      /* (ext) empty: a queue read finds nothing */
	IMS_TRACE_X_QUEUED,     /* (ext) a page request was queued */
	IMS_TRACE_X_STALL,      /* (ext) the request stalled (SMMUv3 stall model) */
	IMS_TRACE_NXKINDS
};

struct ims_trace_expect {
	enum ims_trace_xkind kind;
	int err;                  /* X_ERRNO: positive errno value (EINVAL...) */
	struct ims_trace_val v;   /* X_VALUE, X_PA, X_FAULT_CODE */
	const struct ims_trace_range *ranges; /* X_RANGES */
	uint32_t nranges;
};

#define IMS_TRACE_MAX_POS 6

struct ims_trace_stmt {
	enum ims_trace_verb verb;
	uint64_t line;  /* 1-based line number in the source */
	unsigned npos;
	struct ims_trace_arg pos[IMS_TRACE_MAX_POS];
	/* key=value tokens and flags, in canonical order: group 0 first, in the
	 * order of the verb's schema row, then each data entry in turn (`set`'s
	 * raw keys: in the order written). */
	unsigned nkv;
	const struct ims_trace_arg *kv;
	int data;          /* data= type (enum ims_trace_data), or -1 */
	unsigned nentries; /* data entries (groups 1..nentries) */
	struct ims_trace_expect expect;
};

/* The first key=value of group 0 with key k, or NULL. */
const struct ims_trace_arg *ims_trace_kv(const struct ims_trace_stmt *st, enum ims_trace_key k);
/* The same within data entry `group` (1-based). */
const struct ims_trace_arg *ims_trace_kv_in(const struct ims_trace_stmt *st, unsigned group,
					    enum ims_trace_key k);
static inline bool ims_trace_has(const struct ims_trace_stmt *st, enum ims_trace_key k)
{
	return ims_trace_kv(st, k) != NULL;
}

/* ---- Names ($name table) ------------------------------------------------ */

/* What a name stands for.  A statement that makes an object (ioas.alloc,
 * device, hwpt.alloc…) defines an OBJ name; as= defines a VAL name; pt.alloc
 * defines both (the table, whose value is its root address).  Object
 * positions accept only OBJ names, number positions only VAL names. */
#define IMS_TRACE_NAME_OBJ 0x1u
#define IMS_TRACE_NAME_VAL 0x2u

struct ims_trace_names;

struct ims_trace_names *ims_trace_names_new(void);
void ims_trace_names_free(struct ims_trace_names *n);
/* Slot of `s[0..len)` (without the '$'), adding it when new: >= 0, or
 * -ENOMEM.  Slots are dense, from 0, in order of first appearance. */
int ims_trace_names_intern(struct ims_trace_names *n, const char *s, size_t len);
/* Slot, or -1 when the name was never interned. */
int ims_trace_names_find(const struct ims_trace_names *n, const char *s, size_t len);
unsigned ims_trace_names_count(const struct ims_trace_names *n);
/* NUL-terminated name of a slot (without '$'); NULL for a bad slot. */
const char *ims_trace_names_str(const struct ims_trace_names *n, int slot);
/* IMS_TRACE_NAME_* bits of the slot's current definition (0: not defined),
 * the verb and the line that defined it last. */
unsigned ims_trace_names_kind(const struct ims_trace_names *n, int slot);
enum ims_trace_verb ims_trace_names_verb(const struct ims_trace_names *n, int slot);
uint64_t ims_trace_names_line(const struct ims_trace_names *n, int slot);
/* Records a definition (used by the parser; importers that build statements
 * use it too).  Returns 0, or -EINVAL for a bad slot. */
int ims_trace_names_define(struct ims_trace_names *n, int slot, unsigned kind,
			   enum ims_trace_verb verb, uint64_t line);
/* Host bytes held by the table. */
size_t ims_trace_names_mem_bytes(const struct ims_trace_names *n);

/* ---- Parser ------------------------------------------------------------- */

enum { IMS_TRACE_ERROR = -1, IMS_TRACE_EOF = 0, IMS_TRACE_STMT = 1 };

/* Longest line accepted (bytes, without the newline). */
#define IMS_TRACE_MAX_LINE (64u << 20)

struct ims_trace_parser;

/* A parser over an open stream (not closed by ims_trace_close) or over a
 * memory buffer (not copied: it must outlive the parser).  `file` names the
 * source in error messages (copied).  NULL only when out of memory. */
struct ims_trace_parser *ims_trace_open_file(FILE *f, const char *file);
struct ims_trace_parser *ims_trace_open_mem(const void *buf, size_t len, const char *file);
void ims_trace_close(struct ims_trace_parser *p);

/* Reads the next statement into *st: IMS_TRACE_STMT, IMS_TRACE_EOF at the end
 * (an empty trace, or one without its header, is an error instead), or
 * IMS_TRACE_ERROR.  The header statement `iommusim-trace 1` is returned like
 * any other. */
int ims_trace_next(struct ims_trace_parser *p, struct ims_trace_stmt *st);

/* After IMS_TRACE_ERROR: "FILE:LINE: message" (no newline), its line, and the
 * message alone.  "" and 0 when there was no error. */
const char *ims_trace_error(const struct ims_trace_parser *p);
uint64_t ims_trace_error_line(const struct ims_trace_parser *p);
const char *ims_trace_error_msg(const struct ims_trace_parser *p);

/* The source name given at open, and the line last read. */
const char *ims_trace_file(const struct ims_trace_parser *p);
uint64_t ims_trace_line(const struct ims_trace_parser *p);

/* The parser's name table (slots in statements index it). */
const struct ims_trace_names *ims_trace_parser_names(const struct ims_trace_parser *p);

/* Host bytes the parser holds (buffers and name table): bounded by the
 * longest line and the number of distinct names, not by the trace length. */
size_t ims_trace_parser_mem_bytes(const struct ims_trace_parser *p);

/* ---- Writer -------------------------------------------------------------- */

/* Canonical text of a statement, without newline: single spaces; positionals,
 * then keys in schema order, then data entries separated by " / ", then
 * expect=; lower-case hex for addresses and register values, decimal for
 * counts, K/M/G for exact lengths.  parse(write(s)) == s for every statement
 * the parser returns.  snprintf-like: returns the length of the full text
 * (write again with a larger buffer when >= n), or -EINVAL when the statement
 * is not valid for the schema (an importer's bug). */
int ims_trace_format(char *buf, size_t n, const struct ims_trace_stmt *st,
		     const struct ims_trace_names *names);
/* The same, followed by '\n', to a stream.  0, -EINVAL, or -EIO. */
int ims_trace_write(FILE *f, const struct ims_trace_stmt *st, const struct ims_trace_names *names);

/* The text of st's expect= value alone ("pa:0x5000", "EBUSY", "0x0-0xfff"),
 * for replay's "expected X, got Y"; "" when there is none.  Returns as
 * ims_trace_format() does. */
int ims_trace_format_expect(char *buf, size_t n, const struct ims_trace_stmt *st,
			    const struct ims_trace_names *names);

/* True when a and b say the same thing (line numbers ignored; names compared
 * by their text, so the two may come from different tables). */
bool ims_trace_stmt_equal(const struct ims_trace_stmt *a, const struct ims_trace_names *na,
			  const struct ims_trace_stmt *b, const struct ims_trace_names *nb);

/* ---- Schema look-ups ---------------------------------------------------- */

const char *ims_trace_verb_name(enum ims_trace_verb v);
const char *ims_trace_key_name(enum ims_trace_key k);
/* True for the project's extensions (not in the contract). */
bool ims_trace_verb_is_ext(enum ims_trace_verb v);
const char *ims_trace_data_name(enum ims_trace_data d);
/* "EINVAL" for EINVAL; NULL for an errno the trace language has no name for. */
const char *ims_trace_errno_name(int err);
/* Positive errno for a name, or 0. */
int ims_trace_errno_from_name(const char *s, size_t len);

/* Parses a trace number (decimal, 0x hex, '_' between digits; K/M/G when
 * `size` is true).  0, or -EINVAL (malformed) / -ERANGE (above 2^64-1). */
int ims_trace_parse_num(const char *s, size_t len, bool size, uint64_t *out);

#endif
