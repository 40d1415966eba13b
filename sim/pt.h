/* SPDX-License-Identifier: MIT */
/*
 * sim/pt — page-table formats, one generic walker and one generic mapper.
 *
 * A format is a small description (struct ims_pt_fmt: which address bits
 * each level indexes, which leaf sizes each level may hold, input and output
 * address sizes, feature flags) plus a handful of functions (struct
 * ims_pt_ops) that decode and encode one entry.  The walker and the mapper
 * know nothing of any vendor; everything vendor-specific sits behind ops.
 * This is the shape of Linux's generic_pt (drivers/iommu/generic_pt).
 *
 * Formats (constructors below, spec sections in each fmt_*.c):
 *   x86-64 4/5-level, 4K/2M/1G      VT-d first stage, AMD-Vi v2 (guest)
 *   VT-d second stage 3/4/5-level   EPT-compatible, 2M/1G per SSLPS
 *   AMD-Vi v1 modes 1..6            level skipping, NextLevel=7 page sizes
 *   Arm VMSAv8-64 stage 1 and 2     4K/16K/64K granules, TnSZ/SL0 start
 *                                   level, concatenated stage-2 roots,
 *                                   blocks, pages, contiguous hint
 *
 * Levels are numbered from the bottom: level 0 is the table whose entries map
 * the smallest pages (x86 PT, Arm level 3, AMD level 1); fmt->top_level is
 * the root.  fmt->level_name[] gives each level the spec's own name.
 *
 * All entries are 64-bit little-endian words.  A table at level L has
 * 2^bits[L] entries and occupies 8 << bits[L] bytes; the root may be wider
 * (Arm stage-2 concatenation) or narrower (AMD level 6, Arm 16K level 0) than
 * the levels below it.
 */
#ifndef IMS_SIM_PT_H
#define IMS_SIM_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/mem.h"
#include "sim/palloc.h"

#define IMS_PT_MAX_LEVELS 6

/* ---- Rights ------------------------------------------------------------
 * Effective permissions are a set of rights, each for one (privilege,
 * access) pair.  Every entry of a walk grants a subset; the walker ANDs them.
 * Formats without a privilege distinction grant the P and U rights together;
 * formats without execute permission grant X together with R. */
#define IMS_PT_PR 0x01u /* privileged read */
#define IMS_PT_PW 0x02u /* privileged write */
#define IMS_PT_PX 0x04u /* privileged instruction fetch */
#define IMS_PT_UR 0x08u /* unprivileged (user) read */
#define IMS_PT_UW 0x10u /* unprivileged write */
#define IMS_PT_UX 0x20u /* unprivileged instruction fetch */
#define IMS_PT_PERM_ALL 0x3fu

/* An access: any combination of R, W, X (R|W = an atomic, which needs both),
 * made at privileged (supervisor, EL1) level when PRIV is set. */
#define IMS_PT_ACC_R 0x1u
#define IMS_PT_ACC_W 0x2u
#define IMS_PT_ACC_X 0x4u
#define IMS_PT_ACC_PRIV 0x8u

/* The rights an access needs (all of them). */
uint32_t ims_pt_needed(unsigned access);

/* Mapping protections for the mapper, in the spirit of Linux IOMMU_READ/
 * WRITE/NOEXEC/PRIV.  Formats that cannot express a bit ignore it. */
#define IMS_PT_PROT_R 0x1u
#define IMS_PT_PROT_W 0x2u
#define IMS_PT_PROT_NOEXEC 0x4u /* execute-never where the format has it */
#define IMS_PT_PROT_PRIV 0x8u   /* privileged access only (U/S=0, AP[1]=0) */

/* ---- Faults ------------------------------------------------------------ */
enum ims_pt_fault {
	IMS_PT_OK = 0,
	IMS_PT_FAULT_INPUT,       /* input address out of range or non-canonical */
	IMS_PT_FAULT_NOT_PRESENT, /* entry not present / invalid descriptor */
	IMS_PT_FAULT_RESERVED,    /* reserved bit set in a present entry */
	IMS_PT_FAULT_ADDR_SIZE,   /* table or output address beyond the OAS */
	IMS_PT_FAULT_LEVEL,       /* bad level encoding (AMD NextLevel, level skip) */
	IMS_PT_FAULT_ACCESS_FLAG, /* Arm AF=0 without hardware AF update */
	IMS_PT_FAULT_PERMISSION,  /* rights do not cover the access */
	IMS_PT_FAULT_WALK_ABORT,  /* reading a table entry failed (bus error) */
	IMS_PT_FAULT_NESTED,      /* the table-address hook refused (2D walks) */
	IMS_PT_NFAULTS
};
const char *ims_pt_fault_name(enum ims_pt_fault f);

/* ---- Format description ------------------------------------------------ */
enum ims_pt_kind {
	IMS_PT_X86_64, /* VT-d first stage, AMD v2 */
	IMS_PT_VTD_SS, /* VT-d second stage */
	IMS_PT_AMD_V1, /* AMD-Vi host (v1) */
	IMS_PT_ARM_S1, /* Arm VMSAv8-64 stage 1 */
	IMS_PT_ARM_S2, /* Arm VMSAv8-64 stage 2 */
};

/* Feature flags (fmt->flags); each format reads only its own. */
#define IMS_PT_F_SIGN_EXTEND 0x0001u /* canonical input: bits 63:ias-1 equal (x86) */
#define IMS_PT_F_TTB1 0x0002u        /* Arm upper range: bits 63:ias must be ones */
#define IMS_PT_F_TBI 0x0004u         /* Arm top-byte ignore: 63:56 not checked */
#define IMS_PT_F_AD 0x0008u          /* hardware sets accessed/dirty (x86 A/D, VT-d SSADE, AMD HAD, Arm HA) */
#define IMS_PT_F_HD 0x0010u          /* Arm HD: dirty state via DBM (needs AD) */
#define IMS_PT_F_EA 0x0020u          /* VT-d extended-accessed flag (EAFE) */
#define IMS_PT_F_WPE 0x0040u         /* VT-d FS: supervisor writes honour R/W */
#define IMS_PT_F_NX 0x0080u          /* execute permission is checked (x86 XD; VT-d 3.x SLEE) */
#define IMS_PT_F_AFFD 0x0100u        /* Arm: AF=0 is treated as 1 (no fault) */
#define IMS_PT_F_PAN 0x0200u         /* Arm: privileged data access to EL0 pages faults */
#define IMS_PT_F_WXN 0x0400u         /* Arm: writable implies execute-never */
#define IMS_PT_F_ONE_PRIV 0x0800u    /* Arm: single-privilege regime (only AP[2]) */
#define IMS_PT_F_SNP 0x1000u         /* VT-d SS: SNP bit allowed in leaves (ECAP.SC) */
#define IMS_PT_F_IRW 0x2000u         /* VT-d SS: SSIRWE, rights from bits 61/62 */
#define IMS_PT_F_XNX 0x4000u         /* Arm S2: XN[54:53] (IDR3.XNX) */
#define IMS_PT_F_HADX 0x8000u        /* Arm S1: CD.HAD, APTable/XNTable ignored */

struct ims_pt_fmt;

/* One entry, decoded. */
enum ims_pte_type { IMS_PTE_INVALID, IMS_PTE_TABLE, IMS_PTE_LEAF };
struct ims_pt_entry {
	enum ims_pte_type type;
	enum ims_pt_fault fault; /* RESERVED, ADDR_SIZE or LEVEL found by decode */
	uint64_t addr;           /* TABLE: next table; LEAF: output of this entry's span */
	unsigned next_level;     /* TABLE: level of the next table (< level-1: AMD skip) */
	unsigned size_shift;     /* LEAF: log2 bytes this translation covers */
	unsigned run_shift;      /* LEAF: log2 bytes of the run it belongs to:
				    Arm contiguous hint, AMD NextLevel=7 (>= size_shift;
				    the whole run has one attribute set) */
	uint32_t perms;          /* rights this entry grants (ANDed down the walk) */
};

struct ims_pt_ops {
	/* Decodes `pte` read from a table at `level`.  Must not fail: an
	 * impossible entry sets e->fault.  For a LEAF, e->addr is the output
	 * address of the slot's own span (2^shift[level] bytes, or
	 * 2^size_shift when that is larger, as for AMD NextLevel=7). */
	void (*decode)(const struct ims_pt_fmt *f, unsigned level, uint64_t pte,
		       struct ims_pt_entry *e);
	/* Called for every entry a walk uses, top to bottom, leaf last, with the
	 * rights accumulated so far (the leaf's included).  May refuse the
	 * access (Arm access flag), grant rights (Arm DBM with HD), and
	 * return in *new_pte the entry with the hardware's accessed/dirty
	 * updates applied (== pte when there are none).  NULL: no effect. */
	enum ims_pt_fault (*access)(const struct ims_pt_fmt *f, unsigned level, bool leaf,
				    uint64_t pte, unsigned access, uint32_t *perms,
				    uint64_t *new_pte);
	/* Entry pointing at a next-level table at `table`, granting everything. */
	uint64_t (*make_table)(const struct ims_pt_fmt *f, unsigned level, unsigned next_level,
			       uint64_t table);
	/* Leaf entry at `level` for one slot of a 2^size_shift mapping whose
	 * slot output address is `oa` (slots of a run are written one by one,
	 * each with its own oa; formats that replicate one value, as AMD
	 * NextLevel=7, align oa down themselves). */
	uint64_t (*make_leaf)(const struct ims_pt_fmt *f, unsigned level, unsigned size_shift,
			      uint64_t oa, unsigned prot);
	/* The IMS_PT_PROT_* a present leaf was made with (for splitting). */
	unsigned (*leaf_prot)(const struct ims_pt_fmt *f, unsigned level, uint64_t pte);
	/* Human-readable decoded fields, e.g. "P RW US A addr=0x5000". */
	int (*describe)(const struct ims_pt_fmt *f, unsigned level, uint64_t pte, char *buf,
			size_t n);
};

struct ims_pt_fmt {
	enum ims_pt_kind kind;
	const struct ims_pt_ops *ops;
	char name[40];                       /* e.g. "x86-64 4-level" */
	unsigned top_level;                  /* level of the root table */
	unsigned shift[IMS_PT_MAX_LEVELS];   /* lowest input bit a level indexes */
	unsigned bits[IMS_PT_MAX_LEVELS];    /* index width of a table at that level */
	uint64_t leaf_shifts[IMS_PT_MAX_LEVELS]; /* bit s: a 2^s leaf may be installed
						    at the level (s >= shift[level];
						    s > shift: a run of entries) */
	unsigned ias;                        /* input address bits (64: unchecked) */
	unsigned oas;                        /* output address bits */
	unsigned granule_shift;              /* table page size: 12, 14 or 16 */
	uint32_t flags;                      /* IMS_PT_F_* */
	const char *level_name[IMS_PT_MAX_LEVELS];
};

/* ---- Format constructors ----------------------------------------------
 * Each fills *f and returns 0, or -EINVAL naming nothing: the configuration
 * is not one the architecture allows (callers turn that into their own
 * architectural error, e.g. Arm C_BAD_STE for an SL0/T0SZ mismatch). */

/* x86-64 long mode (VT-d SPEC 3.6 and 9.7; AMD-Vi v2). */
struct ims_pt_x86_cfg {
	unsigned levels; /* 4 (48-bit) or 5 (57-bit) */
	unsigned oas;    /* host address width (HAW / OAS), 32..52 */
	bool pg1g;       /* 1 GiB pages (VT-d CAP.FS1GP) */
	uint32_t flags;  /* SIGN_EXTEND, AD, EA, WPE, NX */
};
int ims_pt_fmt_x86_64(struct ims_pt_fmt *f, const struct ims_pt_x86_cfg *c);

/* VT-d second stage (SPEC 3.7 and 9.8). */
struct ims_pt_vtdss_cfg {
	unsigned levels; /* 3, 4 or 5 (AW 1, 2, 3) */
	unsigned mgaw;   /* CAP.MGAW+1; input limit is 2^min(mgaw, 12+9*levels) */
	unsigned oas;    /* HAW */
	bool pg2m, pg1g; /* CAP.SSLPS bits 34 and 35 */
	uint32_t flags;  /* AD (SSADE), NX (3.x SLEE), SNP (ECAP.SC), IRW (SSIRWE) */
};
int ims_pt_fmt_vtd_ss(struct ims_pt_fmt *f, const struct ims_pt_vtdss_cfg *c);

/* AMD-Vi host page table, v1 (AMD IOMMU spec 2.2.3; DTE Mode 1..6). */
struct ims_pt_amdv1_cfg {
	unsigned mode;  /* 1..6: levels, input width 21/30/39/48/57/64 bits */
	unsigned oas;   /* physical address width, up to 52 */
	uint32_t flags; /* AD (HAD) */
};
int ims_pt_fmt_amdv1(struct ims_pt_fmt *f, const struct ims_pt_amdv1_cfg *c);

/* Arm VMSAv8-64 (IHI0070 §3.4, 5.2, 5.4; Arm ARM D8). */
struct ims_pt_arm_cfg {
	unsigned stage;         /* 1 or 2 */
	unsigned granule_shift; /* 12, 14 or 16 */
	unsigned tsz;           /* T0SZ/T1SZ (stage 1), S2T0SZ (stage 2) */
	unsigned sl0;           /* stage 2 only: S2SL0 (VTCR_EL2.SL0 encoding) */
	unsigned oas;           /* IPS / S2PS as a width: 32..52 */
	bool stt;               /* IDR3.STT: 4K SL0=3 means level 3 start */
	uint32_t flags;         /* TTB1, TBI, AD (HA), HD, AFFD, PAN, WXN, ONE_PRIV, XNX, HADX */
};
int ims_pt_fmt_arm(struct ims_pt_fmt *f, const struct ims_pt_arm_cfg *c);

/* Typical configurations by name ("x86-64-4l", "vtd-ss-4l", "amdv1-m4",
 * "arm-s1-4k", ...): what the CLI, the demo and the benchmarks offer. */
struct ims_pt_named {
	const char *name;
	const char *what; /* one line: the configuration and where it is used */
	int (*make)(struct ims_pt_fmt *f);
};
extern const struct ims_pt_named ims_pt_catalog[];
extern const unsigned ims_pt_ncatalog;
const struct ims_pt_named *ims_pt_catalog_find(const char *name);

/* Narrows the leaf sizes the mapper may use to at most 2^max_shift (e.g. a
 * domain without huge pages uses 12). */
void ims_pt_fmt_limit(struct ims_pt_fmt *f, unsigned max_shift);

/* Bytes of a table at `level` (the root may differ from the rest). */
static inline uint64_t ims_pt_table_bytes(const struct ims_pt_fmt *f, unsigned level)
{
	return 8ull << f->bits[level];
}
/* Bytes a single entry at `level` maps. */
static inline uint64_t ims_pt_entry_span(const struct ims_pt_fmt *f, unsigned level)
{
	return 1ull << f->shift[level];
}
/* Index of `iova` in a table at `level`. */
static inline unsigned ims_pt_index(const struct ims_pt_fmt *f, unsigned level, uint64_t iova)
{
	unsigned b = f->bits[level];
	return (unsigned)((iova >> f->shift[level]) & ((1ull << b) - 1));
}

/* ---- The walker --------------------------------------------------------- */

/* Optional translation of table addresses before they are read: a nested
 * (two-dimensional) walk passes the guest table address, a GPA, through
 * stage 2 here.  Returns IMS_PT_OK with *pa, or any other value to stop the
 * walk with IMS_PT_FAULT_NESTED (the hook keeps its own details). */
struct ims_pt_hooks {
	enum ims_pt_fault (*table_addr)(void *arg, unsigned level, uint64_t addr, uint64_t *pa);
	void *arg;
};

struct ims_pt_walk_req {
	uint64_t iova;
	unsigned access;                  /* IMS_PT_ACC_* */
	uint64_t table;                   /* the table to start at */
	int start_level;                  /* < 0: the root, fmt->top_level */
	uint32_t perms;                   /* rights granted above start_level: from
					     the upper levels when resuming, else from
					     the configuration (AMD DTE IR/IW);
					     IMS_PT_PERM_ALL when nothing restricts */
	const struct ims_pt_hooks *hooks; /* NULL: table addresses are physical */
	enum ims_mem_kind kind;           /* who reads (0 = IMS_MEM_WALK, the IOMMU;
					     IMS_MEM_ORACLE for the checker) */
};

/* One table entry read by the walk. */
struct ims_pt_read {
	unsigned level;
	uint64_t table; /* table address as named by the parent (before the hook) */
	uint64_t pa;    /* physical address of the entry read */
	uint64_t pte;   /* its raw value */
	uint32_t perms; /* rights accumulated through this entry */
};
/* An accessed/dirty update the hardware makes: store `new` at `pa` if it
 * still holds `old` (an atomic compare-exchange). */
struct ims_pt_update {
	unsigned level;
	uint64_t pa, old, new;
};

struct ims_pt_walk {
	enum ims_pt_fault fault;
	int level;           /* leaf level, or the level that faulted (-1: before any
				read, e.g. an input-range fault) */
	uint64_t oa;         /* output address of iova (valid when fault == OK) */
	unsigned size_shift; /* leaf size */
	unsigned run_shift;  /* run the leaf belongs to (TLB reach) */
	uint32_t perms;      /* effective rights */
	unsigned nreads;
	struct ims_pt_read reads[IMS_PT_MAX_LEVELS];
	unsigned nupdates;   /* A/D updates, only when fault == OK */
	struct ims_pt_update updates[IMS_PT_MAX_LEVELS];
};

/* Translates req->iova.  Reads table entries with ims_mem_fetch64(req->kind);
 * changes nothing in memory (A/D updates are returned, not made).
 * Always fills *w; returns w->fault. */
enum ims_pt_fault ims_pt_walk(const struct ims_pt_fmt *f, struct ims_mem *m,
			      const struct ims_pt_walk_req *req, struct ims_pt_walk *w);
/* Convenience: walk from the root. */
enum ims_pt_fault ims_pt_translate(const struct ims_pt_fmt *f, struct ims_mem *m,
				   uint64_t root, uint64_t iova, unsigned access,
				   struct ims_pt_walk *w);
/* Makes the walk's A/D updates (kind WALK), each only if the entry still
 * holds its old value.  Returns how many were made. */
unsigned ims_pt_apply_updates(struct ims_mem *m, const struct ims_pt_walk *w);

/* ---- The mapper -------------------------------------------------------------
 * What software (a host driver, a guest, a test) uses to build tables.  It
 * takes table pages from a struct ims_palloc and writes entries with kind
 * DRIVER.  Mappings use the largest leaf sizes (including runs: Arm
 * contiguous, AMD NextLevel=7) that fit the alignment of iova and pa and
 * the length; emptied tables are freed; a leaf partly unmapped is split. */

/* Allocates and zeroes a root table.  0 or -ENOMEM. */
int ims_pt_alloc_root(const struct ims_pt_fmt *f, struct ims_palloc *p, uint64_t *root);
/* Maps [iova, iova+len) to [pa, pa+len).  Returns 0; -EINVAL if iova, pa or
 * len is not a multiple of the smallest leaf size or len is 0, or prot has
 * neither R nor W; -ERANGE if
 * the range leaves the input address space or pa the output space; -EEXIST
 * if any page of the range is mapped already (nothing changes); -ENOMEM if a
 * table cannot be allocated (what was mapped by this call is undone). */
int ims_pt_map(const struct ims_pt_fmt *f, struct ims_mem *m, struct ims_palloc *p,
	       uint64_t root, uint64_t iova, uint64_t pa, uint64_t len, unsigned prot);
/* Unmaps every page in [iova, iova+len), splitting leaves that straddle an
 * end.  *unmapped gets the bytes that were mapped.  Returns 0; -EINVAL
 * (alignment, as for map); -ERANGE; -ENOMEM if a split needs a table and
 * none can be allocated (nothing changes). */
int ims_pt_unmap(const struct ims_pt_fmt *f, struct ims_mem *m, struct ims_palloc *p,
		 uint64_t root, uint64_t iova, uint64_t len, uint64_t *unmapped);
/* Frees every table of the tree, root included. */
void ims_pt_free(const struct ims_pt_fmt *f, struct ims_mem *m, struct ims_palloc *p,
		 uint64_t root);

/* Describes one entry for humans (delegates to ops->describe). */
int ims_pt_describe(const struct ims_pt_fmt *f, unsigned level, uint64_t pte, char *buf,
		    size_t n);
/* Writes the walk step by step: one line per table read (level name, entry
 * address, raw value, decoded fields), then the result or fault. */
void ims_pt_print_walk(const struct ims_pt_fmt *f, const struct ims_pt_walk *w, uint64_t iova,
		       void (*out)(void *arg, const char *line), void *arg);

#endif
