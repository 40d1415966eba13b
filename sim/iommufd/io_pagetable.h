/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/io_pagetable — the IOVA space of one IOAS (Linux's
 * io_pagetable, iommufd §2.2-2.9).
 *
 * An io_pagetable holds
 *   - areas: disjoint IOVA intervals, each backed by a run of simulated
 *     physical memory, created by MAP/COPY and only ever removed whole;
 *   - reserved ranges: IOVA no mapping may use, each tagged with its owner
 *     (a domain's aperture complement, a device's reserved regions, the
 *     user's IOAS_RESERVE); they may overlap each other;
 *   - allowed ranges: disjoint, set by ALLOW_IOVAS, that automatic placement
 *     must use and no reservation may cut into;
 *   - the paging domains attached to it: every area is mapped into every
 *     domain through the model's map/unmap, and a domain added later is
 *     filled with every existing area;
 *   - pins: ranges held by internal accesses (HW queues); pinned areas
 *     cannot be unmapped (-EBUSY).
 * Every interval set is an AVL interval tree (itree.h), so lookups, inserts
 * and removals are O(log n) with any number of areas.
 */
#ifndef IMS_IOMMUFD_IO_PAGETABLE_H
#define IMS_IOMMUFD_IO_PAGETABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommusim/iommufd.h"
#include "iommusim/model.h"
#include "sim/iommufd/itree.h"
#include "sim/iommufd/list.h"

struct ims_ctx;

struct ims_area {
	struct ims_itree_node node; /* [iova, last] */
	uint64_t pa;                /* memory backing node.start */
	uint32_t prot;              /* IMS_PROT_READ | IMS_PROT_WRITE */
	bool writable;              /* the memory was taken writable (by the
				       original MAP); a COPY asking for
				       WRITEABLE needs it (-EPERM) */
	uint32_t num_pins;          /* internal accesses holding it */
};

static inline uint64_t ims_area_iova(const struct ims_area *a)
{
	return a->node.start;
}
static inline uint64_t ims_area_last(const struct ims_area *a)
{
	return a->node.last;
}
static inline uint64_t ims_area_length(const struct ims_area *a)
{
	return a->node.last - a->node.start + 1;
}

/* A paging domain attached to an io_pagetable.  The owner (a HWPT_PAGING)
 * embeds it, fills the fields, and hands it to ims_iopt_add_domain. */
struct ims_iopt_domain {
	struct ims_list link; /* private: in iopt->domains */
	void *dom;            /* the model's domain handle */
	uint64_t pgsize_bitmap;
	uint32_t naperture;   /* 0: the whole space */
	struct ims_iova_window aperture[IMS_MAX_WINDOWS];
};

struct ims_iopt {
	struct ims_ctx *ctx;
	struct ims_itree areas;    /* struct ims_area */
	struct ims_itree reserved; /* struct ims_iopt_reserved */
	struct ims_itree allowed;  /* struct ims_iopt_allowed */
	struct ims_list domains;   /* struct ims_iopt_domain */
	uint32_t ndomains;
	uint32_t npins;
	uint64_t iova_alignment;   /* 1, a domain's granule, or 4096 */
	bool disable_large_pages;  /* OPTION HUGE_PAGES = 0 */
};

/* A contiguous piece of memory to map (MAP has one, COPY one per source
 * area it crosses). */
struct ims_iopt_piece {
	uint64_t pa, length;
	bool writable;
};

/* A pinned IOVA range (HW queue memory). */
struct ims_iopt_pin {
	uint64_t iova, length;
	uint64_t pa;        /* memory behind iova */
	bool contiguous;    /* the whole range is one physical run */
	struct ims_area **areas;
	uint32_t nareas;
};

void ims_iopt_init(struct ims_iopt *iopt, struct ims_ctx *ctx);
/* Unmaps every area and frees every range.  No domain may be attached and
 * nothing pinned (their owners hold a reference on the IOAS). */
void ims_iopt_destroy(struct ims_iopt *iopt);

/*
 * Maps pieces[0..n) back to back, total `length` bytes, at *iova (fixed) or
 * at an automatically chosen IOVA (alloc_iova; *iova is set).  prot is
 * IMS_PROT_READ/WRITE.  Every errno of iommufd §2.5 after the argument
 * checks: -EINVAL (length 0 or misaligned, iova misaligned, reserved, sub-page
 * offset misaligned), -EOVERFLOW, -EEXIST, -ENOSPC, -EPERM (WRITE asked of a
 * read-only piece), -EFAULT (memory not pinnable while a domain exists), or a
 * domain's map error.  All or nothing.
 */
int ims_iopt_map_pieces(struct ims_iopt *iopt, const struct ims_iopt_piece *pieces, size_t n,
			uint64_t length, uint64_t *iova, unsigned prot, bool alloc_iova);
/* Collects the memory behind [iova, iova+length) as pieces (one per area
 * touched) into a malloc'ed array for COPY.  -EINVAL length 0; -EOVERFLOW;
 * -ENOENT hole; -ENOMEM. */
int ims_iopt_get_pieces(struct ims_iopt *iopt, uint64_t iova, uint64_t length,
			struct ims_iopt_piece **pieces, size_t *n);
/* Removes whole areas inside [iova, iova+length) (iommufd §2.8, not atomic).
 * *unmapped gets the bytes removed, also on failure.  -EINVAL length 0;
 * -EOVERFLOW; -EBUSY pinned area; -ENOENT area sticking out.  Returns 0
 * with *unmapped == 0 when the range held no area. */
int ims_iopt_unmap(struct ims_iopt *iopt, uint64_t iova, uint64_t length, uint64_t *unmapped);
/* Removes every area; -EBUSY (and stops) at a pinned one. */
int ims_iopt_unmap_all(struct ims_iopt *iopt, uint64_t *unmapped);

/* Replaces the allowed list, atomically.  -EINVAL start >= last or overlap;
 * -EADDRINUSE a range intersects a reserved one; -ENOMEM. */
int ims_iopt_set_allow(struct ims_iopt *iopt, const struct ims_iova_range *ranges, size_t n);
/* Writes up to cap holes of the reserved set over [0, 2^64-1] (the usable
 * ranges) and returns how many exist. */
size_t ims_iopt_iova_ranges(struct ims_iopt *iopt, struct ims_iova_range *out, size_t cap);

/*
 * Reserved IOVA.  `owner` is any unique pointer (the domain, the device);
 * all of an owner's ranges go away with ims_iopt_unreserve.
 *   ims_iopt_reserve: -EINVAL last < start; -EADDRINUSE intersects an area
 *     or an allowed range; -ENOMEM.
 *   ims_iopt_reserve_complement: reserves everything outside the windows
 *     (ascending, disjoint; n == 0 reserves nothing).  -EINVAL malformed
 *     windows; else as ims_iopt_reserve.  All or nothing: on failure the
 *     ranges this call added are removed again (earlier ones of the same
 *     owner stay).
 */
int ims_iopt_reserve(struct ims_iopt *iopt, uint64_t start, uint64_t last, const void *owner);
int ims_iopt_reserve_complement(struct ims_iopt *iopt, const struct ims_iova_window *w,
				uint32_t n, const void *owner);
void ims_iopt_unreserve(struct ims_iopt *iopt, const void *owner);

/*
 * Attaches a paging domain (iommufd §2.3, kernel iopt_table_add_domain):
 * the IOVA alignment becomes max(current, the domain's smallest page) —
 * -EINVAL above 4096, -EADDRINUSE if an area does not conform; the
 * complement of the domain's aperture windows is reserved (owner d) —
 * -EADDRINUSE against areas or allowed ranges; every area is mapped into the
 * domain — -EFAULT for unpinnable memory, or the model's error.  All or
 * nothing.  d stays owned by the caller and must outlive the attachment.
 */
int ims_iopt_add_domain(struct ims_iopt *iopt, struct ims_iopt_domain *d);
/* Unmaps every area from the domain, drops its reservations and recomputes
 * the alignment (which can only fall). */
void ims_iopt_remove_domain(struct ims_iopt *iopt, struct ims_iopt_domain *d);

/* OPTION HUGE_PAGES (iommufd §2.9).  disable: -EINVAL when domains are
 * attached and areas exist; -EADDRINUSE when an area is not 4 KiB aligned. */
int ims_iopt_disable_large_pages(struct ims_iopt *iopt);
void ims_iopt_enable_large_pages(struct ims_iopt *iopt);

/*
 * Pins [iova, iova+length) (HW queue memory, iommufd §2.21).  The range
 * must be covered by areas without holes (-ENOENT) and its memory pinnable
 * (-EFAULT); -EINVAL length 0; -EOVERFLOW; -ENOMEM.  While pinned, unmapping
 * any of those areas fails with -EBUSY.  Undo with ims_iopt_unpin.
 */
int ims_iopt_pin(struct ims_iopt *iopt, uint64_t iova, uint64_t length, struct ims_iopt_pin *pin);
void ims_iopt_unpin(struct ims_iopt *iopt, struct ims_iopt_pin *pin);

/* The memory and IMS_PROT_* behind iova, or -ENOENT (the oracle for a paging
 * domain). */
int ims_iopt_iova_to_pa(struct ims_iopt *iopt, uint64_t iova, uint64_t *pa, unsigned *prot);
/* Areas intersecting [lo, hi] in address order. */
struct ims_area *ims_iopt_area_first(struct ims_iopt *iopt, uint64_t lo, uint64_t hi);
struct ims_area *ims_iopt_area_next(struct ims_area *a, uint64_t lo, uint64_t hi);

#endif
