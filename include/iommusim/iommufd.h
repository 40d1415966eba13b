/* SPDX-License-Identifier: MIT */
/*
 * iommusim/iommufd.h — the iommufd-like object API of the simulator.
 *
 * This header is the reference a user programs against.  It mirrors the
 * Linux iommufd user API (include/uapi/linux/iommufd.h, v6.17 layout plus the
 * AMD additions; see shared/spec/iommufd.md §0-§2) command for command and
 * field for field, renamed ims_* / IMS_*.  Where a kernel field is called
 * "__reserved" ours is called "reserved" (names starting with two underscores
 * are reserved to the C implementation); order and widths are unchanged, so a
 * struct here has the same layout as its kernel twin.
 *
 * ---- Calling convention -------------------------------------------------
 *
 *   int ims_ioctl(struct ims_ctx *ctx, unsigned cmd, void *arg);
 *
 * `cmd` is an IMS_CMD_* number (0x80.. as the kernel's IOMMUFD_CMD_*; the
 * simulator's own commands, which replace the VFIO device ioctls and the
 * selftest, live at 0xc0..).  `arg` points at the command struct, whose first
 * field `size` the caller sets to the number of bytes it knows about —
 * normally sizeof(the struct).  Every command also has a typed wrapper named
 * after its struct (ims_ioas_map(ctx, &map) == ims_ioctl(ctx,
 * IMS_CMD_IOAS_MAP, &map)); the wrappers follow the same rules.
 *
 * Results: 0, or a negative errno.  ims_ctx_errmsg() (iommusim.h) then holds
 * a sentence naming the offending field.  The general meanings (iommufd §0):
 *
 *   -ENOTTY      unknown command number.
 *   -EBADF       ctx is NULL (there is no context, as a closed fd).
 *   -EFAULT      arg is NULL, or a pointer field is NULL where data is needed.
 *   -EINVAL      `size` is smaller than the command's mandatory part; or the
 *                command was understood but a value is wrong.
 *   -E2BIG       `size` is larger than the simulator's struct and a byte past
 *                the end of the simulator's struct is not zero (a newer
 *                caller asks for something this version does not know).
 *                Zero trailing bytes are accepted, so callers built against
 *                a newer, longer struct keep working.
 *   -EOPNOTSUPP  a known field holds a value that is not supported: any
 *                unknown flag bit, any non-zero `reserved` field, an unknown
 *                type or option.
 *   -ENOENT      an object ID or an IOVA range that does not exist.  Object
 *                lookups are typed: an ID of the wrong kind of object is
 *                -ENOENT too.
 *   -ENOMEM      the host ran out of memory.
 *   -EOVERFLOW   an address or length computation would wrap.
 *
 * Structs are read as a whole before the command runs; fields the caller did
 * not include (a shorter `size`) read as zero.  Output fields are written
 * back, up to `size` bytes, only when the command succeeds (IOAS_IOVA_RANGES
 * also writes back on -EMSGSIZE and HWPT_INVALIDATE always writes
 * entry_num, as documented there).  `size` must not exceed the memory `arg`
 * points at.
 *
 * ---- Addresses and pointers ----------------------------------------------
 *
 * The simulator has no process memory.  Two kinds of "user pointer" fields
 * exist and they are read differently:
 *   - user_va (IOAS_MAP) names the memory being mapped: it is a host
 *     physical address of the context's simulated memory (struct ims_mem).
 *   - Every other pointer field (allowed_iovas, data_uptr, data) is an
 *     ordinary C pointer into the caller's process, stored in a uint64_t
 *     (write `(uint64_t)(uintptr_t)array`).
 *
 * ---- Objects ---------------------------------------------------------------
 *
 * Each context holds objects named by 32-bit IDs, allocated from 1 (0 is
 * never an object).  A freed ID may be reused by a later object, lowest free
 * first.  IMS_CMD_DESTROY removes an object only when nothing else refers to
 * it (-EBUSY otherwise, see there); ims_ctx_free() destroys everything,
 * leaves first.  Object kinds: IOAS, DEVICE, HWPT_PAGING, HWPT_NESTED, FAULT,
 * VIOMMU, VDEVICE, VEVENTQ, HW_QUEUE (iommufd §1).
 *
 * Single-threaded: a context must not be used by two threads at once.
 * Distinct contexts are fully independent.
 */
#ifndef IMS_IOMMUFD_H
#define IMS_IOMMUFD_H

#include <stddef.h>
#include <stdint.h>

struct ims_ctx;

/* ---- Command numbers ---------------------------------------------------- */
enum {
	IMS_CMD_BASE = 0x80,
	IMS_CMD_DESTROY = 0x80,
	IMS_CMD_IOAS_ALLOC = 0x81,
	IMS_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IMS_CMD_IOAS_COPY = 0x83,
	IMS_CMD_IOAS_IOVA_RANGES = 0x84,
	IMS_CMD_IOAS_MAP = 0x85,
	IMS_CMD_IOAS_UNMAP = 0x86,
	IMS_CMD_OPTION = 0x87,
	IMS_CMD_VFIO_IOAS = 0x88,
	IMS_CMD_HWPT_ALLOC = 0x89,
	IMS_CMD_GET_HW_INFO = 0x8a,
	IMS_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IMS_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IMS_CMD_HWPT_INVALIDATE = 0x8d,
	IMS_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IMS_CMD_IOAS_MAP_FILE = 0x8f,
	IMS_CMD_VIOMMU_ALLOC = 0x90,
	IMS_CMD_VDEVICE_ALLOC = 0x91,
	IMS_CMD_IOAS_CHANGE_PROCESS = 0x92,
	IMS_CMD_VEVENTQ_ALLOC = 0x93,
	IMS_CMD_HW_QUEUE_ALLOC = 0x94,

	/* Simulator commands.  In Linux a device enters iommufd through VFIO
	 * (VFIO_DEVICE_BIND_IOMMUFD / ATTACH_IOMMUFD_PT / DETACH_IOMMUFD_PT,
	 * iommufd §2.22) and reserved IOVA is injected by the selftest
	 * (IOMMU_TEST_OP_ADD_RESERVED); the simulator has neither, so these
	 * take their place, with the same size rules as every command. */
	IMS_CMD_SIM_BASE = 0xc0,
	IMS_CMD_DEVICE_BIND = 0xc0,
	IMS_CMD_DEVICE_UNBIND = 0xc1,
	IMS_CMD_DEVICE_ATTACH = 0xc2,
	IMS_CMD_DEVICE_REPLACE = 0xc3,
	IMS_CMD_DEVICE_DETACH = 0xc4,
	IMS_CMD_IOAS_RESERVE = 0xc5,
};

/* Runs one command (see the top of this file).  Returns 0 or -errno. */
int ims_ioctl(struct ims_ctx *ctx, unsigned cmd, void *arg);

/* ======================================================================
 * IMS_CMD_DESTROY — iommufd §2.1
 * ====================================================================== */
struct ims_destroy {
	uint32_t size; /* sizeof(struct ims_destroy) */
	uint32_t id;   /* any object the user may destroy */
};
/*
 * Destroys the object `id`.
 *   -ENOENT  no such object, or its ID is a tombstone (a vDEVICE whose
 *            device was unbound first, §1), or the object is still being
 *            created.
 *   -EBUSY   something still refers to it: an IOAS used by a HWPT (or a
 *            device attached to it through an automatic HWPT) or pinned by
 *            a HW queue; a HWPT with devices attached, nested HWPTs on it
 *            or a vIOMMU around it; a vIOMMU with nested HWPTs, vDEVICEs,
 *            vEVENTQs or HW queues; a FAULT queue named by a HWPT; a HW queue
 *            another HW queue depends on.  A DEVICE is owned by whoever
 *            bound it and is released with IMS_CMD_DEVICE_UNBIND; DESTROY on
 *            it is -EBUSY.  Mappings inside an IOAS never block destroy.
 */
int ims_destroy(struct ims_ctx *ctx, struct ims_destroy *cmd);

/* ======================================================================
 * IMS_CMD_IOAS_ALLOC — iommufd §2.2
 * ====================================================================== */
struct ims_ioas_alloc {
	uint32_t size;
	uint32_t flags;       /* must be 0 (-EOPNOTSUPP) */
	uint32_t out_ioas_id; /* out: the new IOAS */
};
/*
 * Creates an empty I/O address space: no mappings, no reserved and no allowed
 * ranges, IOVA alignment 1, huge pages enabled.
 */
int ims_ioas_alloc(struct ims_ctx *ctx, struct ims_ioas_alloc *cmd);

/* One inclusive IOVA interval. */
struct ims_iova_range {
	uint64_t start;
	uint64_t last; /* inclusive */
};

/* ======================================================================
 * IMS_CMD_IOAS_IOVA_RANGES — iommufd §2.3
 * ====================================================================== */
struct ims_ioas_iova_ranges {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;          /* in: capacity of allowed_iovas[];
					out: how many ranges exist */
	uint32_t reserved;           /* must be 0 (-EOPNOTSUPP) */
	uint64_t allowed_iovas;      /* C pointer to struct ims_iova_range[] */
	uint64_t out_iova_alignment; /* out: see below */
};
/*
 * Reports where mappings may be placed: every IOVA that is not reserved, as
 * ascending, non-touching ranges.  A fresh IOAS has one range [0, 2^64-1].
 * Reservations come from attached domains (the complement of their aperture
 * windows), attached devices (reserved regions such as the x86 MSI window
 * 0xfee00000-0xfeefffff) and IMS_CMD_IOAS_RESERVE; detaching widens the
 * ranges again.  The allowed list (IOAS_ALLOW_IOVAS) is not reflected here.
 *
 * As many ranges as fit are written to allowed_iovas[]; num_iovas is set to
 * the total.  If the total exceeds the capacity, the struct is still written
 * back and the call fails with -EMSGSIZE: retry with a bigger array.
 *
 * out_iova_alignment: IOVA and length of every MAP and COPY must be multiples
 * of it.  It is the largest of 1, the smallest page size of every attached
 * domain, and 4096 while huge pages are disabled (OPTION HUGE_PAGES=0); it is
 * never larger than 4096 (a domain that would need more cannot attach).
 *   -ENOENT  ioas_id is not an IOAS.
 *   -EFAULT  allowed_iovas is NULL while ranges had to be written.
 */
int ims_ioas_iova_ranges(struct ims_ctx *ctx, struct ims_ioas_iova_ranges *cmd);

/* ======================================================================
 * IMS_CMD_IOAS_ALLOW_IOVAS — iommufd §2.4
 * ====================================================================== */
struct ims_ioas_allow_iovas {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;     /* entries in allowed_iovas[]; 0 clears the list */
	uint32_t reserved;      /* must be 0 (-EOPNOTSUPP) */
	uint64_t allowed_iovas; /* C pointer to struct ims_iova_range[] */
};
/*
 * Replaces the IOAS's allowed list, all or nothing.  While the list is not
 * empty, (1) automatic IOVA placement only picks addresses inside it and
 * (2) no reservation may cut into it: attaching a device or domain whose
 * reserved regions or aperture would intersect an allowed range fails with
 * -EADDRINUSE.  Fixed-IOVA maps are not limited by the list.
 *   -EINVAL      a range has start >= last (one-byte ranges are refused too),
 *                or two ranges overlap.
 *   -EADDRINUSE  a range intersects something already reserved; the old
 *                list stays in force.
 *   -EFAULT      allowed_iovas is NULL and num_iovas > 0.
 *   -ENOENT      ioas_id is not an IOAS.
 */
int ims_ioas_allow_iovas(struct ims_ctx *ctx, struct ims_ioas_allow_iovas *cmd);

/* Flags of IOAS_MAP, IOAS_MAP_FILE and IOAS_COPY. */
#define IMS_IOAS_MAP_FIXED_IOVA (1u << 0) /* use cmd->iova; else the simulator picks */
#define IMS_IOAS_MAP_WRITEABLE (1u << 1)  /* devices may write */
#define IMS_IOAS_MAP_READABLE (1u << 2)   /* devices may read */

/* ======================================================================
 * IMS_CMD_IOAS_MAP — iommufd §2.5
 * ====================================================================== */
struct ims_ioas_map {
	uint32_t size;
	uint32_t flags;   /* IMS_IOAS_MAP_*; READABLE and/or WRITEABLE required */
	uint32_t ioas_id;
	uint32_t reserved; /* must be 0 (-EOPNOTSUPP) */
	uint64_t user_va; /* host physical address of the simulated memory to map */
	uint64_t length;  /* bytes */
	uint64_t iova;    /* in with FIXED_IOVA; out: where the mapping was placed */
};
/*
 * Creates one area mapping [iova, iova+length) to [user_va, user_va+length)
 * and writes it into every paging domain attached to the IOAS.  Existing
 * mappings are never replaced.  Without FIXED_IOVA the simulator chooses the
 * IOVA exactly as the kernel does:
 *   - the alignment sought is the smaller of roundup_pow_of_two(length) and
 *     the lowest set bit of user_va (just roundup_pow_of_two(length) when
 *     user_va is 0), capped at 2 MiB (the simulated host has transparent huge
 *     pages); the low 12 bits of user_va are kept in the IOVA;
 *   - candidates are searched lowest address first inside the allowed ranges,
 *     or inside [4096, 2^64-1-4096] when there are none, skipping reserved
 *     ranges and existing areas; IOVA 0 is never returned.
 * Errors, in the order they are checked:
 *   -EOPNOTSUPP  unknown flag or reserved != 0.
 *   -EOVERFLOW   iova or length is 2^64-1.
 *   -EINVAL      neither READABLE nor WRITEABLE.
 *   -ENOENT      ioas_id is not an IOAS.
 *   -EOVERFLOW   user_va + length wraps past 2^64.
 *   -EINVAL      length is 0 or not a multiple of the IOVA alignment.
 *   automatic:   -EOVERFLOW  length >= 2^63-1;
 *                -EINVAL     the alignment sought is below the IOAS's
 *                            IOVA alignment;
 *                -ENOSPC     no hole is large enough.
 *   fixed:       -EINVAL     iova not a multiple of the IOVA alignment;
 *                -EOVERFLOW  iova + length - 1 wraps;
 *                -EINVAL     the range intersects a reserved range;
 *                -EEXIST     the range overlaps an existing area.
 *   -EINVAL      user_va % 4096 is not a multiple of the IOVA alignment.
 *   -EFAULT      a domain is attached and the memory cannot be pinned: part
 *                of it lies in an abort range of the simulated memory
 *                (ims_mem_add_abort).  Without a domain the memory is only
 *                checked when a domain attaches or a HW queue pins it.
 *   other        a domain's map failed (e.g. -ENOMEM); nothing is left mapped.
 */
int ims_ioas_map(struct ims_ctx *ctx, struct ims_ioas_map *cmd);

/* ======================================================================
 * IMS_CMD_IOAS_MAP_FILE — iommufd §2.6
 * ====================================================================== */
struct ims_ioas_map_file {
	uint32_t size;
	uint32_t flags; /* as IOAS_MAP */
	uint32_t ioas_id;
	int32_t fd;     /* a memfd in Linux */
	uint64_t start; /* byte offset into the file */
	uint64_t length;
	uint64_t iova;  /* as IOAS_MAP */
};
/*
 * The simulator has no files: after the checks IOAS_MAP makes on flags,
 * iova/length and ioas_id, every fd is refused with -EBADF.
 */
int ims_ioas_map_file(struct ims_ctx *ctx, struct ims_ioas_map_file *cmd);

/* ======================================================================
 * IMS_CMD_IOAS_COPY — iommufd §2.7
 * ====================================================================== */
struct ims_ioas_copy {
	uint32_t size;
	uint32_t flags; /* IMS_IOAS_MAP_*; FIXED_IOVA applies to dst_iova */
	uint32_t dst_ioas_id;
	uint32_t src_ioas_id; /* may equal dst_ioas_id */
	uint64_t length;
	uint64_t dst_iova; /* in with FIXED_IOVA; out: where the copy was placed */
	uint64_t src_iova;
};
/*
 * Maps the memory that backs [src_iova, src_iova+length) in the source IOAS
 * at dst_iova in the destination.  The source range may be any part of
 * existing areas but must be covered without holes.  One destination area is
 * created per source area the range touches, so they are unmapped as
 * separate areas later.  Placement and the destination checks are those of
 * IOAS_MAP; the automatic alignment is taken from the memory address backing
 * src_iova.
 *   -EOPNOTSUPP  unknown flag.
 *   -EOVERFLOW   length, src_iova or dst_iova is 2^64-1, or
 *                src_iova + length - 1 wraps.
 *   -EINVAL      neither READABLE nor WRITEABLE; length 0.
 *   -ENOENT      either ID is not an IOAS; the source range has a hole.
 *   -EPERM       WRITEABLE was asked but a source area was mapped read-only.
 *   others       as IOAS_MAP for the destination.
 */
int ims_ioas_copy(struct ims_ctx *ctx, struct ims_ioas_copy *cmd);

/* ======================================================================
 * IMS_CMD_IOAS_UNMAP — iommufd §2.8
 * ====================================================================== */
struct ims_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t iova;
	uint64_t length; /* in: bytes; out: bytes unmapped */
};
/*
 * Removes every area inside [iova, iova+length).  Areas are only removed
 * whole; the range may span several areas and the holes between them.
 * iova 0 with length 2^64-1 removes everything and succeeds on an empty IOAS
 * (length 0 written back).
 *
 * Areas are visited in address order and each is removed when visited.  The
 * command is NOT atomic: when it fails, areas visited before the offending
 * one stay unmapped (and `length` is not written back).
 *   -ENOENT      ioas_id is not an IOAS; an area sticks out of either end of
 *                the range; or nothing at all was mapped in the range.
 *   -EOVERFLOW   iova or length is 2^64-1 (outside the unmap-all form), or
 *                iova + length - 1 wraps.
 *   -EINVAL      length is 0.
 *   -EBUSY       an area in the range is pinned (by a HW queue).  This is
 *                checked before whether the area sticks out.
 */
int ims_ioas_unmap(struct ims_ctx *ctx, struct ims_ioas_unmap *cmd);

/* ======================================================================
 * IMS_CMD_OPTION — iommufd §2.9
 * ====================================================================== */
#define IMS_OPTION_RLIMIT_MODE 0 /* global; object_id must be 0 */
#define IMS_OPTION_HUGE_PAGES 1  /* per IOAS; object_id = the IOAS */
#define IMS_OPTION_VIOMMU 2      /* per vIOMMU, value model-defined (AMD HW
				    vIOMMU branch, iommufd §2.9; numbering is
				    the simulator's own) */
#define IMS_OPTION_OP_SET 0
#define IMS_OPTION_OP_GET 1

struct ims_option {
	uint32_t size;
	uint32_t option_id; /* IMS_OPTION_* */
	uint16_t op;        /* IMS_OPTION_OP_* */
	uint16_t reserved;  /* must be 0 (-EOPNOTSUPP) */
	uint32_t object_id;
	uint64_t val64;     /* in for SET, out for GET */
};
/*
 * RLIMIT_MODE: how pinned memory would be charged, 0 per user (default) or
 * 1 per process.  The simulator keeps the value but charges nothing.
 *   -EOPNOTSUPP  object_id != 0.
 *   SET: -EBUSY  the context holds any object; -EINVAL value not 0 or 1.
 *   (The simulator treats every caller as privileged: no -EPERM.)
 * VIOMMU: object_id = a vIOMMU; val64 means what the model says (AMD HW
 * vIOMMU control bits).  -ENOENT not a vIOMMU; -EOPNOTSUPP the model has no
 * options; else the model's errno.
 * HUGE_PAGES: 1 (default) lets domains use large pages; 0 limits every
 * domain of the IOAS to 4 KiB pages and raises the IOVA alignment to 4096.
 *   -ENOENT      object_id is not an IOAS.
 *   SET 0: -EINVAL      a domain is attached and areas exist;
 *          -EADDRINUSE  an area's IOVA, length or user_va offset is not a
 *                       multiple of 4096.
 *   SET: -EINVAL  value not 0 or 1.
 * Any other option_id or op: -EOPNOTSUPP.  val64 is written back on success.
 */
int ims_option(struct ims_ctx *ctx, struct ims_option *cmd);

/* ======================================================================
 * IMS_CMD_VFIO_IOAS — iommufd §2.10
 * ====================================================================== */
#define IMS_VFIO_IOAS_GET 0
#define IMS_VFIO_IOAS_SET 1
#define IMS_VFIO_IOAS_CLEAR 2

struct ims_vfio_ioas {
	uint32_t size;
	uint32_t ioas_id; /* in for SET, out for GET */
	uint16_t op;      /* IMS_VFIO_IOAS_* */
	uint16_t reserved; /* must be 0 (-EOPNOTSUPP) */
};
/*
 * Names the IOAS the legacy VFIO container interface would use.  The
 * simulator has no VFIO container, so this only records the choice.
 *   GET: -ENODEV none set (or it was destroyed).  SET: -ENOENT not an IOAS.
 *   CLEAR forgets the choice (destroys nothing).  Other op: -EOPNOTSUPP.
 */
int ims_vfio_ioas(struct ims_ctx *ctx, struct ims_vfio_ioas *cmd);

/* ======================================================================
 * IMS_CMD_HWPT_ALLOC — iommufd §2.11, §3
 * ====================================================================== */
#define IMS_HWPT_ALLOC_NEST_PARENT (1u << 0)    /* may be a stage-2 parent */
#define IMS_HWPT_ALLOC_DIRTY_TRACKING (1u << 1) /* dirty tracking enforced at attach */
#define IMS_HWPT_FAULT_ID_VALID (1u << 2)       /* fault_id names a FAULT queue */
#define IMS_HWPT_ALLOC_PASID (1u << 3)          /* may be attached to PASIDs */

/* Vendor data for nested HWPTs (data_type). */
#define IMS_HWPT_DATA_NONE 0
#define IMS_HWPT_DATA_VTD_S1 1
#define IMS_HWPT_DATA_ARM_SMMUV3 2
#define IMS_HWPT_DATA_AMD_GUEST 3

#define IMS_VTD_S1_SRE (1u << 0)  /* supervisor requests allowed */
#define IMS_VTD_S1_EAFE (1u << 1) /* extended accessed flag enabled */
#define IMS_VTD_S1_WPE (1u << 2)  /* write protect for supervisor writes */

/* Intel VT-d first-stage (guest) table for a nested HWPT (VT-d SPEC 9.6). */
struct ims_hwpt_vtd_s1 {
	uint64_t flags;      /* IMS_VTD_S1_* */
	uint64_t pgtbl_addr; /* guest physical address of the first-stage root */
	uint32_t addr_width; /* 48 or 57 */
	uint32_t reserved;   /* must be 0 */
};

/* Arm SMMUv3: the first two 64-bit words of the guest's STE (IHI0070 §5.2),
 * little-endian.  Only V, Cfg, S1Fmt, S1ContextPtr, S1CDMax (word 0) and
 * EATS, S1DSS, S1CIR, S1COR, S1CSH, S1STALLD (word 1) may be set; anything
 * else, Cfg other than abort/bypass/S1, or EATS other than ABT/TRANS gives
 * -EIO.  V=0 is accepted and behaves as abort.  Only on a vIOMMU. */
struct ims_hwpt_arm_smmuv3 {
	uint64_t ste[2];
};

/* AMD-Vi: the guest's 256-bit Device Table Entry (AMD IOMMU 2.2.2).  Mode and
 * HostTPR must be 0; with V and GV the GCR3 root must be non-zero; guest
 * paging 4 or 5 levels (5 needs host support, else -EOPNOTSUPP); GLX 3 is
 * -EINVAL.  Only on an AMD vIOMMU. */
struct ims_hwpt_amd_guest {
	uint64_t dte[4];
};

struct ims_hwpt_alloc {
	uint32_t size;
	uint32_t flags;       /* IMS_HWPT_ALLOC_*, IMS_HWPT_FAULT_ID_VALID */
	uint32_t dev_id;      /* the device the HWPT is made for */
	uint32_t pt_id;       /* an IOAS (paging HWPT), a NEST_PARENT paging
				 HWPT or a vIOMMU (nested HWPT) */
	uint32_t out_hwpt_id; /* out */
	uint32_t reserved;    /* must be 0 (-EOPNOTSUPP) */
	uint32_t data_type;   /* IMS_HWPT_DATA_*; NONE for a paging HWPT */
	uint32_t data_len;    /* bytes at data_uptr */
	uint64_t data_uptr;   /* C pointer to the vendor struct */
	uint32_t fault_id;    /* with FAULT_ID_VALID: the FAULT queue for page
				 requests from devices attached to this HWPT */
	uint32_t reserved2;   /* must be 0 (-EOPNOTSUPP) */
};
/*
 * pt_id = IOAS: a paging HWPT whose table the simulator fills from the IOAS
 *   (a "manual" HWPT, never picked for automatic attach).  data_type must be
 *   NONE.  NEST_PARENT makes it usable as stage 2 of nested HWPTs and
 *   vIOMMUs.
 * pt_id = paging HWPT (NEST_PARENT, manual): a nested HWPT with vendor data
 *   (Intel style).  Only FAULT_ID_VALID and PASID flags are allowed.
 * pt_id = vIOMMU: a nested HWPT through the vIOMMU (required for SMMUv3 and
 *   AMD; the vIOMMU supplies the VMID / guest ID).
 * With FAULT_ID_VALID, page requests of devices attached to the HWPT go to
 * the FAULT queue fault_id (which then cannot be destroyed before the HWPT).
 *   -EOPNOTSUPP  reserved fields; unknown flags; flags not allowed for the
 *                kind (nested: only FAULT_ID_VALID and PASID; paging:
 *                FAULT_ID_VALID together with NEST_PARENT); DIRTY_TRACKING
 *                for a device whose IOMMU cannot track; vendor data with a
 *                paging HWPT, missing for a nested one, or of a type the
 *                model refuses; the model cannot do it.
 *   -EINVAL      data_type NONE with data_len != 0, or a type with
 *                data_len 0; pt_id missing or of a kind that cannot hold a
 *                HWPT (note: -EINVAL, not -ENOENT); the parent is automatic,
 *                not NEST_PARENT, or nested itself; the vIOMMU sits on
 *                another physical IOMMU than the device; data shorter than
 *                the vendor struct.
 *   -ENOENT      dev_id is not a device; fault_id is not a FAULT queue.
 *   -EFAULT      data_uptr NULL with data_len != 0.
 *   -E2BIG       data_len longer than the vendor struct with non-zero tail.
 *   -EIO         vendor validation (SMMUv3 STE fields).
 */
int ims_hwpt_alloc(struct ims_ctx *ctx, struct ims_hwpt_alloc *cmd);

/* ======================================================================
 * IMS_CMD_GET_HW_INFO — iommufd §2.12
 * ====================================================================== */
#define IMS_HW_INFO_FLAG_INPUT_TYPE (1u << 0) /* in_data_type is a request */

#define IMS_HW_INFO_TYPE_NONE 0
#define IMS_HW_INFO_TYPE_DEFAULT 0
#define IMS_HW_INFO_TYPE_INTEL_VTD 1
#define IMS_HW_INFO_TYPE_ARM_SMMUV3 2
#define IMS_HW_INFO_TYPE_TEGRA241_CMDQV 3
#define IMS_HW_INFO_TYPE_AMD 4

#define IMS_HW_INFO_VTD_ERRATA_772415_SPR17 (1u << 0) /* no read-only maps on a nest parent */

struct ims_hw_info_vtd {
	uint32_t flags; /* IMS_HW_INFO_VTD_* */
	uint32_t reserved;
	uint64_t cap_reg;  /* VT-d CAP_REG, SPEC 11.4.2 */
	uint64_t ecap_reg; /* VT-d ECAP_REG, SPEC 11.4.3 */
};

/* SMMUv3 ID registers (IHI0070 §6.3.1-6.3.6).  A VMM should only use
 * idr0 ST_LEVEL, TERM_MODEL, STALL_MODEL, TTENDIAN, CD2L, ASID16, TTF;
 * idr1 SIDSIZE, SSIDSIZE; idr3 BBML, RIL; idr5 VAX, GRAN64K/16K/4K. */
struct ims_hw_info_arm_smmuv3 {
	uint32_t flags; /* 0 */
	uint32_t reserved;
	uint32_t idr[6];
	uint32_t iidr;
	uint32_t aidr;
};

/* NVIDIA Tegra241 CMDQ-V PARAM fields (smmuv3.md §8). */
struct ims_hw_info_tegra241_cmdqv {
	uint32_t flags; /* 0 */
	uint8_t version;
	uint8_t log2vcmdqs;
	uint8_t log2vsids;
	uint8_t reserved;
};

/* AMD-Vi EFR (MMIO 0x30) and EFR2 (0x1A0) as the hardware reports them; a
 * VMM may expose GTSup, GASup, GIoSup, PPRSup, EPHSup, GATS, GLX, PASmax. */
struct ims_hw_info_amd {
	uint64_t efr;
	uint64_t efr2;
};

#define IMS_HW_CAP_DIRTY_TRACKING (1u << 0)       /* dirty tracking available */
#define IMS_HW_CAP_PCI_PASID_EXEC (1u << 1)       /* PASID execute permission */
#define IMS_HW_CAP_PCI_PASID_PRIV (1u << 2)       /* PASID privileged mode */
#define IMS_HW_CAP_PCI_ATS_NOT_SUPPORTED (1u << 3) /* device cannot use ATS */

struct ims_hw_info {
	uint32_t size;
	uint32_t flags;    /* IMS_HW_INFO_FLAG_* */
	uint32_t dev_id;
	uint32_t data_len; /* in: bytes at data_uptr; out: bytes the model has */
	uint64_t data_uptr; /* C pointer to the buffer for the vendor struct */
	union {
		uint32_t in_data_type;  /* with INPUT_TYPE: the type wanted */
		uint32_t out_data_type; /* out: IMS_HW_INFO_TYPE_* written */
	};
	uint8_t out_max_pasid_log2; /* PASID width; 0 = no PASID */
	uint8_t reserved[3];        /* must be 0 (-EOPNOTSUPP) */
	uint64_t out_capabilities;  /* IMS_HW_CAP_* */
};
/*
 * Describes the physical IOMMU behind a device.  min(data_len, model's length)
 * bytes are copied, the rest of a larger buffer is zeroed, and data_len is set
 * to the model's full length (data_len 0 is a valid probe).  A model without
 * vendor data reports type NONE, length 0.  EXEC/PRIV capabilities mean
 * nothing when out_max_pasid_log2 is 0.
 *   -EOPNOTSUPP  unknown flags, reserved bytes, or a requested type the model
 *                does not have.
 *   -ENOENT      dev_id is not a device.
 */
int ims_get_hw_info(struct ims_ctx *ctx, struct ims_hw_info *cmd);

/* ======================================================================
 * IMS_CMD_HWPT_SET_DIRTY_TRACKING — iommufd §2.13
 * ====================================================================== */
#define IMS_HWPT_DIRTY_TRACKING_ENABLE 1

struct ims_hwpt_set_dirty_tracking {
	uint32_t size;
	uint32_t flags; /* IMS_HWPT_DIRTY_TRACKING_ENABLE or 0 (disable) */
	uint32_t hwpt_id;
	uint32_t reserved; /* must be 0 */
};
/*
 * Starts or stops dirty tracking of a paging HWPT.  Enabling first clears
 * every dirty bit so the next read is a clean snapshot.
 *   -EOPNOTSUPP  unknown flags / reserved; the HWPT was not allocated with
 *                IMS_HWPT_ALLOC_DIRTY_TRACKING or its domain cannot track.
 *   -ENOENT      hwpt_id is not a paging HWPT.
 */
int ims_hwpt_set_dirty_tracking(struct ims_ctx *ctx, struct ims_hwpt_set_dirty_tracking *cmd);

/* ======================================================================
 * IMS_CMD_HWPT_GET_DIRTY_BITMAP — iommufd §2.14
 * ====================================================================== */
#define IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR 1

struct ims_hwpt_get_dirty_bitmap {
	uint32_t size;
	uint32_t hwpt_id;
	uint32_t flags;    /* IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR */
	uint32_t reserved; /* must be 0 */
	uint64_t iova;
	uint64_t length;
	uint64_t page_size; /* bytes per bit */
	uint64_t data;      /* C pointer to uint64_t[]: bit n = page iova/page_size + n
			       relative to iova, i.e. data[n/64] bit n%64 */
};
/*
 * Reports which pages of [iova, iova+length) were written since the last
 * clear, and clears them unless NO_CLEAR.  Bits are only set (ORed into
 * data), never cleared: zero the array first.  data holds
 * ceil(length / page_size / 64) words.
 *   -EOPNOTSUPP  unknown flags / reserved; the HWPT was not allocated with
 *                IMS_HWPT_ALLOC_DIRTY_TRACKING or its domain cannot track.
 *   -ENOENT      hwpt_id is not a paging HWPT.
 *   -EINVAL      length 0.
 *   -EOVERFLOW   iova + length - 1 wraps.
 *   -EINVAL      iova or iova+length not aligned to the IOAS alignment or to
 *                page_size; page_size 0 or not a power of two; the range is
 *                not fully mapped.
 *   -EFAULT      data is NULL.
 */
int ims_hwpt_get_dirty_bitmap(struct ims_ctx *ctx, struct ims_hwpt_get_dirty_bitmap *cmd);

/* ======================================================================
 * IMS_CMD_HWPT_INVALIDATE — iommufd §2.15
 * ====================================================================== */
#define IMS_HWPT_INVALIDATE_DATA_VTD_S1 0
#define IMS_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 1

#define IMS_VTD_INV_FLAGS_LEAF (1u << 0) /* only leaf entries changed */

/* VT-d first-stage invalidation: addr 4 KiB aligned; addr 0 with npages
 * 2^64-1 means everything.  The device TLB is flushed too when ATS is on. */
struct ims_hwpt_vtd_s1_invalidate {
	uint64_t addr;
	uint64_t npages;
	uint32_t flags; /* IMS_VTD_INV_FLAGS_* */
	uint32_t reserved;
};

/* One raw SMMUv3 command (IHI0070 §4), little-endian: TLBI_NSNH_ALL,
 * TLBI_NH_VA, TLBI_NH_VAA, TLBI_NH_ALL, TLBI_NH_ASID, ATC_INV, CFGI_CD,
 * CFGI_CD_ALL; anything else is -EIO.  Only on a vIOMMU. */
struct ims_viommu_arm_smmuv3_invalidate {
	uint64_t cmd[2];
};

struct ims_hwpt_invalidate {
	uint32_t size;
	uint32_t hwpt_id;   /* a nested HWPT or a vIOMMU */
	uint64_t data_uptr; /* C pointer to entry_num entries of entry_len bytes */
	uint32_t data_type; /* IMS_*_INVALIDATE_DATA_* */
	uint32_t entry_len;
	uint32_t entry_num; /* in: entries; out (always): entries handled */
	uint32_t reserved;  /* must be 0 */
};
/*
 * Hands guest cache invalidations to the model.  Entries are processed in
 * order; processing stops at the first bad one, whose error is returned, and
 * entry_num is written back with the number handled — also on failure.
 * entry_num 0 only asks whether data_type is accepted.  Entries longer than
 * the vendor struct must be zero-padded (-E2BIG); shorter is -EINVAL.
 *   -EINVAL      target is a paging HWPT or another kind; data_uptr NULL or
 *                entry_len 0 with entries; wrong data_type for the target.
 *   -ENOENT      hwpt_id does not exist.
 *   -EOPNOTSUPP  reserved; the target cannot take user invalidations.
 */
int ims_hwpt_invalidate(struct ims_ctx *ctx, struct ims_hwpt_invalidate *cmd);

/* ======================================================================
 * IMS_CMD_FAULT_QUEUE_ALLOC — iommufd §2.16
 * ====================================================================== */
#define IMS_PGFAULT_FLAGS_PASID_VALID (1u << 0)
#define IMS_PGFAULT_FLAGS_LAST_PAGE (1u << 1)

#define IMS_PGFAULT_PERM_READ (1u << 0)
#define IMS_PGFAULT_PERM_WRITE (1u << 1)
#define IMS_PGFAULT_PERM_EXEC (1u << 2)
#define IMS_PGFAULT_PERM_PRIV (1u << 3)

/* One page request as read from a FAULT queue (40 bytes). */
struct ims_hwpt_pgfault {
	uint32_t flags;  /* IMS_PGFAULT_FLAGS_* */
	uint32_t dev_id; /* the DEVICE object that asked */
	uint32_t pasid;
	uint32_t grpid;  /* PRI page request group index */
	uint32_t perm;   /* IMS_PGFAULT_PERM_* */
	uint32_t reserved;
	uint64_t addr;
	uint32_t length; /* size hint, 0 if none */
	uint32_t cookie; /* echo in the response to the group's last page */
};

#define IMS_PAGE_RESP_SUCCESS 0 /* handled, retry the access (PCIe 10.4.2.1) */
#define IMS_PAGE_RESP_INVALID 1 /* cannot be handled */

struct ims_hwpt_page_response {
	uint32_t cookie;
	uint32_t code; /* IMS_PAGE_RESP_* */
};

struct ims_fault_alloc {
	uint32_t size;
	uint32_t flags;        /* must be 0 */
	uint32_t out_fault_id; /* out */
	uint32_t out_fault_fd; /* out: always 0xffffffff (the simulator has no
				  fds; use ims_fault_read/ims_fault_write) */
};
/*
 * Creates a FAULT queue.  Name it in HWPT_ALLOC (FAULT_ID_VALID) to receive
 * page requests from devices attached to that HWPT.  Outstanding groups are
 * answered INVALID automatically when the attachment they came through is
 * detached or replaced, and when the queue is destroyed.
 */
int ims_fault_queue_alloc(struct ims_ctx *ctx, struct ims_fault_alloc *cmd);

/*
 * Reads whole fault groups into buf as struct ims_hwpt_pgfault records, in
 * the order their last request arrived, requests of a group in arrival
 * order.  Every record of a group carries the group's cookie (the lowest
 * number from 1 not waiting for a response); pasid is 0 without
 * PASID_VALID.  Returns the bytes written (0 when nothing is pending or the
 * next group does not fit), or -ESPIPE when len is not a multiple of 40,
 * -ENOENT when fault_id is not a FAULT queue, -EFAULT for a NULL buf with
 * len > 0.
 */
long ims_fault_read(struct ims_ctx *ctx, uint32_t fault_id, void *buf, size_t len);
/*
 * Consumes struct ims_hwpt_page_response records from buf (len a multiple
 * of 8, else -ESPIPE) and sends each response to the device that asked
 * (for the group's last request).  Returns the bytes consumed; when a record
 * is bad (unknown cookie, code not SUCCESS/INVALID: -EINVAL) returns the
 * bytes consumed before it, or the error if none were.  -ENOENT when
 * fault_id is not a FAULT queue, -EFAULT for a NULL buf with len > 0.
 */
long ims_fault_write(struct ims_ctx *ctx, uint32_t fault_id, const void *buf, size_t len);

/* ======================================================================
 * IMS_CMD_VIOMMU_ALLOC — iommufd §2.17
 * ====================================================================== */
#define IMS_VIOMMU_TYPE_DEFAULT 0 /* reserved */
#define IMS_VIOMMU_TYPE_ARM_SMMUV3 1
#define IMS_VIOMMU_TYPE_TEGRA241_CMDQV 2
#define IMS_VIOMMU_TYPE_AMD 3

/* Tegra241 CMDQ-V: where the VINTF page0 can be reached. */
struct ims_viommu_tegra241_cmdqv {
	uint64_t out_vintf_mmap_offset;
	uint64_t out_vintf_mmap_length;
};

/* AMD upstream (≈6.19): no data. */
struct ims_viommu_amd {
	uint32_t reserved; /* must be 0 */
};

/* AMD hardware vIOMMU (AMDESE branch, amdvi.md §6): the model reads this
 * layout when data_len >= sizeof(struct ims_viommu_amd_hw). */
struct ims_viommu_amd_hw {
	uint32_t iommu_devid;  /* host IOMMU's DeviceID */
	uint32_t viommu_devid; /* the guest vIOMMU's DeviceID */
	uint32_t trans_devid;  /* "translate DeviceID" for guest buffers */
	uint32_t out_gid;      /* out: guest ID */
	uint64_t out_vfmmio_mmap_offset; /* out: the guest's VF-MMIO page */
	uint32_t reserved;
	uint32_t reserved2;
};

struct ims_viommu_alloc {
	uint32_t size;
	uint32_t flags;   /* must be 0 */
	uint32_t type;    /* IMS_VIOMMU_TYPE_* */
	uint32_t dev_id;  /* a device behind the physical IOMMU to slice */
	uint32_t hwpt_id; /* a NEST_PARENT paging HWPT (stage 2) */
	uint32_t out_viommu_id;
	uint32_t data_len;  /* 0: no vendor data */
	uint32_t reserved;  /* must be 0 */
	uint64_t data_uptr; /* C pointer to the vendor struct (in/out) */
};
/*
 * The vIOMMU belongs to the physical IOMMU (unit) of dev_id: nested HWPTs,
 * vDEVICEs made through it must be for devices on that unit.
 *   -EOPNOTSUPP  flags; reserved; type DEFAULT; the model or this device's
 *                IOMMU has no vIOMMU of this type.
 *   -ENOENT      dev_id is not a device; hwpt_id is not a paging HWPT.
 *   -EINVAL      the HWPT is not NEST_PARENT; vendor data required but absent.
 */
int ims_viommu_alloc(struct ims_ctx *ctx, struct ims_viommu_alloc *cmd);

/* ======================================================================
 * IMS_CMD_VDEVICE_ALLOC — iommufd §2.18
 * ====================================================================== */
struct ims_vdevice_alloc {
	uint32_t size;
	uint32_t viommu_id;
	uint32_t dev_id;
	uint32_t out_vdevice_id;
	uint64_t virt_id; /* the device's ID in the guest: vSID (SMMUv3), vDeviceID
			     (AMD), vRID (VT-d) */
};
/*
 * Destroy a vDEVICE before unbinding its device; otherwise unbind destroys it
 * and leaves its ID as a tombstone (DESTROY -ENOENT, never reused).
 *   -ENOENT  vIOMMU or device missing (or being unbound).
 *   -EINVAL  the device sits behind another physical IOMMU.
 *   -EEXIST  the device already has a vDEVICE, or virt_id is taken on the
 *            vIOMMU.
 */
int ims_vdevice_alloc(struct ims_ctx *ctx, struct ims_vdevice_alloc *cmd);

/* ======================================================================
 * IMS_CMD_IOAS_CHANGE_PROCESS — iommufd §2.19
 * ====================================================================== */
struct ims_ioas_change_process {
	uint32_t size;
	uint32_t reserved; /* must be 0 */
};
/*
 * Moves pinned-memory accounting to the calling process.  Only file-backed
 * maps can move; the simulator has none, so this is -EINVAL when any IOAS of
 * the context has an area and a no-op success otherwise.
 */
int ims_ioas_change_process(struct ims_ctx *ctx, struct ims_ioas_change_process *cmd);

/* ======================================================================
 * IMS_CMD_VEVENTQ_ALLOC — iommufd §2.20
 * ====================================================================== */
#define IMS_VEVENTQ_FLAG_LOST_EVENTS (1u << 0)

#define IMS_VEVENTQ_TYPE_DEFAULT 0 /* reserved */
#define IMS_VEVENTQ_TYPE_ARM_SMMUV3 1
#define IMS_VEVENTQ_TYPE_TEGRA241_CMDQV 2

/* Precedes every event in the stream read from a vEVENTQ. */
struct ims_vevent_header {
	uint32_t flags;    /* IMS_VEVENTQ_FLAG_* */
	uint32_t sequence; /* 0..INT32_MAX, then 0 again; a gap = lost events */
};

/* SMMUv3 event record (IHI0070 §7.3) with the StreamID replaced by the vSID:
 * C_BAD_STE 0x04, F_STREAM_DISABLED 0x06, C_BAD_SUBSTREAMID 0x08,
 * C_BAD_CD 0x0a, F_TRANSLATION 0x10, F_ADDR_SIZE 0x11, F_ACCESS 0x12,
 * F_PERMISSION 0x13. */
struct ims_vevent_arm_smmuv3 {
	uint64_t evt[4];
};

/* Tegra241: the VINTF's 128-bit LVCMDQ_ERR_MAP. */
struct ims_vevent_tegra241_cmdqv {
	uint64_t lvcmdq_err_map[2];
};

struct ims_veventq_alloc {
	uint32_t size;
	uint32_t flags; /* must be 0 */
	uint32_t viommu_id;
	uint32_t type;          /* IMS_VEVENTQ_TYPE_* */
	uint32_t veventq_depth; /* events kept before new ones are dropped */
	uint32_t out_veventq_id;
	uint32_t out_veventq_fd; /* out: always 0xffffffff; use ims_veventq_read */
	uint32_t reserved;       /* must be 0 */
};
/*
 * When the queue holds veventq_depth events, a new event is dropped and one
 * header with LOST_EVENTS (no payload, carrying the next sequence number)
 * stands at the tail until a real event can be queued again.
 *   -EOPNOTSUPP  flags, reserved, type DEFAULT.
 *   -EINVAL      depth 0.
 *   -ENOENT      viommu_id is not a vIOMMU.
 *   -EEXIST      the vIOMMU already has a queue of this type.
 */
int ims_veventq_alloc(struct ims_ctx *ctx, struct ims_veventq_alloc *cmd);

/*
 * Reads whole events (header + payload) into buf, oldest first, then the
 * LOST_EVENTS header if one stands at the tail.  Returns bytes written
 * (0 when empty or the next event does not fit), -ENOENT for an unknown
 * queue, -EFAULT for a NULL buf with len > 0.
 */
long ims_veventq_read(struct ims_ctx *ctx, uint32_t veventq_id, void *buf, size_t len);

/* ======================================================================
 * IMS_CMD_HW_QUEUE_ALLOC — iommufd §2.21
 * ====================================================================== */
#define IMS_HW_QUEUE_TYPE_DEFAULT 0 /* reserved */
#define IMS_HW_QUEUE_TYPE_TEGRA241_CMDQV 1
/* AMD hardware vIOMMU buffers (AMDESE branch; numbering is the simulator's). */
#define IMS_HW_QUEUE_TYPE_AMD_CMD 2
#define IMS_HW_QUEUE_TYPE_AMD_EVT 3
#define IMS_HW_QUEUE_TYPE_AMD_PPR 4

struct ims_hw_queue_alloc {
	uint32_t size;
	uint32_t flags; /* must be 0 */
	uint32_t viommu_id;
	uint32_t type;  /* IMS_HW_QUEUE_TYPE_* */
	uint32_t index; /* queue number within the type */
	uint32_t out_hw_queue_id;
	uint64_t nesting_parent_iova; /* guest physical address of the ring */
	uint64_t length;
};
/*
 * Gives a guest-owned ring to the hardware.  The range, widened to whole
 * pages, is pinned through the vIOMMU's stage-2 IOAS: while the queue exists
 * IOAS_UNMAP of those pages fails with -EBUSY.
 * The model may declare that the queue depends on another one of the same
 * vIOMMU (Tegra: each VCMDQ on the previous index); DESTROY of that other
 * queue then fails with -EBUSY while this one exists.
 *   -EOPNOTSUPP  flags; type DEFAULT or not supported by the model.
 *   -EINVAL      length 0; model rules (index order, size, alignment).
 *   -EOVERFLOW   nesting_parent_iova + length - 1 wraps.
 *   -ENOENT      vIOMMU missing; part of the range is not mapped.
 *   -EFAULT      the pages are not physically contiguous, or cannot be
 *                pinned (an abort range of the simulated memory).
 *   -EEXIST      index in use.
 */
int ims_hw_queue_alloc(struct ims_ctx *ctx, struct ims_hw_queue_alloc *cmd);

/* ======================================================================
 * Simulator commands: devices (replacing VFIO, iommufd §2.22) and reserved
 * IOVA (replacing the selftest's ADD_RESERVED).
 * ====================================================================== */

/* IMS_CMD_DEVICE_BIND: declares a requester and binds it to the context,
 * creating a DEVICE object (VFIO_DEVICE_BIND_IOMMUFD).  Its DMA is blocked
 * until attached. */
struct ims_device_bind {
	uint32_t size;
	uint32_t flags;      /* must be 0 */
	uint32_t sid;        /* requester ID the IOMMU sees: VT-d source-id
				(bus<<8|devfn), SMMUv3 StreamID, AMD DeviceID */
	uint32_t pasid_bits; /* PASID width the device supports, 0..20 */
	uint32_t unit;       /* which physical IOMMU it sits behind */
	uint32_t ats;        /* 1: the device supports ATS */
	uint32_t pri;        /* 1: the device issues page requests (needs ats) */
	uint32_t out_dev_id; /* out */
};
/* Devices on one unit whose model reports the same group_id form an
 * iommu_group: the hardware of every device of the group follows the
 * group's attachments (see DEVICE_ATTACH), including a device bound later.
 *   -EOPNOTSUPP  flags.
 *   -ENODEV      the context has no model.
 *   -EINVAL      pasid_bits > 20; ats/pri not 0 or 1; pri without ats; unit
 *                beyond the model's units; the model refuses the device.
 *   -EEXIST      a bound device already has this (unit, sid). */
int ims_device_bind(struct ims_ctx *ctx, struct ims_device_bind *cmd);

/* IMS_CMD_DEVICE_UNBIND: the binding driver lets go (closing the VFIO
 * device): detaches every PASID and the RID, answers its open page requests
 * INVALID, destroys the device's vDEVICE (leaving its ID as a tombstone) and
 * destroys the DEVICE object.  -ENOENT not a device. */
struct ims_device_unbind {
	uint32_t size;
	uint32_t dev_id;
};
int ims_device_unbind(struct ims_ctx *ctx, struct ims_device_unbind *cmd);

#define IMS_DEVICE_ATTACH_PASID (1u << 0) /* act on `pasid`, not the RID */

/* IMS_CMD_DEVICE_ATTACH and IMS_CMD_DEVICE_REPLACE
 * (VFIO_DEVICE_ATTACH_IOMMUFD_PT; iommufd §3.5-3.7). */
struct ims_device_attach {
	uint32_t size;
	uint32_t flags;  /* IMS_DEVICE_ATTACH_PASID */
	uint32_t dev_id;
	uint32_t pt_id;  /* in: an IOAS (automatic paging HWPT) or a HWPT;
			    out: the HWPT actually attached */
	uint32_t pasid;  /* with IMS_DEVICE_ATTACH_PASID */
	uint32_t reserved; /* must be 0 */
};
/*
 * pt_id = IOAS: an automatic paging HWPT of that IOAS that the device can use
 * is reused, else one is made (iommufd §3.6); it is destroyed when its last
 * device leaves.  pt_id = HWPT: that HWPT.  Attaching the RID to a paging
 * HWPT reserves the device's reserved regions and the complement of its
 * aperture in the HWPT's IOAS (not for PASIDs, §3.7).
 *
 * Groups (§3.5): all devices of an iommu_group use one HWPT per PASID (and
 * for the RID).  The first device attached switches the hardware of the
 * whole group, the last one detached blocks it; each device must still be
 * attached itself to register its reserved regions.  REPLACE moves the
 * whole group.
 *
 * ATTACH: this device must not be attached there yet.
 * REPLACE: it must be; the switch is atomic and on failure the old
 * attachment stays.  Replacing with the HWPT already attached does nothing.
 * Page-request groups open through the old attachment are answered INVALID.
 *   -EOPNOTSUPP  unknown flags (VFIO says -EINVAL); reserved.
 *   -ENOENT      dev_id not a device; pt_id not an object.
 *   -EINVAL      pt_id neither an IOAS nor a HWPT; with PASID: pasid 0 or
 *                0xffffffff (0 is how Linux names the RID), a device without
 *                PASIDs, a pasid beyond its width, an IOAS (automatic HWPTs
 *                are not PASID-compatible), a HWPT without
 *                IMS_HWPT_ALLOC_PASID, or the RID attached to such a HWPT;
 *                on the RID: a HWPT without IMS_HWPT_ALLOC_PASID while a
 *                PASID is attached; another device of the group uses a
 *                different HWPT there; a DIRTY_TRACKING HWPT and a device
 *                that cannot track; REPLACE of what is not attached; the
 *                model refuses the domain.
 *   -EBUSY       ATTACH where this device is attached already.
 *   -EADDRINUSE  a reserved region or the aperture complement hits an area
 *                or an allowed range of the IOAS.
 *   others       the model's (-ENOENT SMMUv3 translating vSTE without a
 *                vDEVICE, -EBUSY SMMUv3 SSIDs in use, ...).
 */
int ims_device_attach(struct ims_ctx *ctx, struct ims_device_attach *cmd);
int ims_device_replace(struct ims_ctx *ctx, struct ims_device_attach *cmd);

/* IMS_CMD_DEVICE_DETACH (VFIO_DEVICE_DETACH_IOMMUFD_PT): the RID or PASID
 * returns to blocked DMA (once no other device of the group is attached
 * there); page-request groups open through it are answered INVALID.
 * Detaching what is not attached does nothing.
 *   -EOPNOTSUPP unknown flags; -ENOENT not a device; -EINVAL PASID flag with
 *   pasid 0xffffffff. */
struct ims_device_detach {
	uint32_t size;
	uint32_t flags; /* IMS_DEVICE_ATTACH_PASID */
	uint32_t dev_id;
	uint32_t pasid;
};
int ims_device_detach(struct ims_ctx *ctx, struct ims_device_detach *cmd);

/* IMS_CMD_IOAS_RESERVE: reserves [start, last] in an IOAS as a device's MSI
 * window or a domain's aperture would (the trace statement `ioas.reserve`,
 * the selftest's ADD_RESERVED).  The reservation lasts as long as the IOAS.
 *   -ENOENT      ioas_id is not an IOAS.
 *   -EINVAL      last < start.
 *   -EADDRINUSE  the range intersects an existing area or an allowed range. */
struct ims_ioas_reserve {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t start;
	uint64_t last; /* inclusive */
};
int ims_ioas_reserve(struct ims_ctx *ctx, struct ims_ioas_reserve *cmd);

#endif
