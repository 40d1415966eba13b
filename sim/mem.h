/* SPDX-License-Identifier: MIT */
/*
 * sim/mem — sparse 64-bit simulated physical memory.
 *
 * Memory is a set of 4 KiB frames allocated on first write; a frame that was
 * never written reads as zero and costs nothing.  Multi-byte accessors are
 * little-endian, as on every platform the three modelled IOMMUs live on.
 *
 * Addresses are full 64-bit host physical addresses.  An access that runs past
 * 2^64 - 1 wraps to address 0 (the address arithmetic is modulo 2^64); an
 * access that straddles two frames touches both.  Neither case is an error.
 *
 * Every access carries a kind (who made it) so that the cost model can charge
 * it and stats can count it.  Hardware models use the "fetch" variants, which
 * can fail: a test may declare ranges of the address space that abort (an
 * unbacked or poisoned region), and a hardware model turns such a failure into
 * the architectural fault (VT-d "error reading root entry", SMMUv3
 * F_WALK_EABT, AMD-Vi PAGE_TAB_HARDWARE_ERROR).
 *
 * Hot path: a small direct-mapped cache of frame pointers sits in front of the
 * frame hash table, so repeated accesses to the same frames cost a compare
 * and a load.
 *
 * A struct ims_mem is self-contained; several may live in one process.
 */
#ifndef IMS_SIM_MEM_H
#define IMS_SIM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMS_FRAME_SHIFT 12
#define IMS_FRAME_SIZE (1ull << IMS_FRAME_SHIFT)

/* Who made an access.  Counted separately; names from ims_mem_kind_name(). */
enum ims_mem_kind {
	IMS_MEM_WALK,   /* page-table walk read or A/D update by the IOMMU */
	IMS_MEM_CONFIG, /* configuration fetch: root/context/PASID, STE/CD, DTE */
	IMS_MEM_QUEUE,  /* command/invalidation/event/fault/page-request queues */
	IMS_MEM_DATA,   /* the device's DMA payload itself */
	IMS_MEM_DRIVER, /* software (host driver, guest, test) building state */
	IMS_MEM_ORACLE, /* the checker (oracle) reading guest tables: never charged */
	IMS_MEM_NKINDS
};

struct ims_mem_counters {
	uint64_t reads[IMS_MEM_NKINDS];  /* accessor calls that read */
	uint64_t writes[IMS_MEM_NKINDS]; /* accessor calls that wrote */
	uint64_t read_bytes[IMS_MEM_NKINDS];
	uint64_t write_bytes[IMS_MEM_NKINDS];
	uint64_t aborts;       /* fetches refused by an abort range */
	uint64_t fast_hits;    /* frame look-ups served by the frame cache */
	uint64_t slow_lookups; /* frame look-ups that went to the hash table */
};

struct ims_mem;

/* A new, empty memory (all zero).  NULL only when the host is out of memory. */
struct ims_mem *ims_mem_new(void);
void ims_mem_free(struct ims_mem *m);

/* Plain accessors: never fail.  Reads of unwritten memory return zero and do
 * not allocate.  Abort ranges do not apply to them (software view). */
uint8_t ims_mem_read8(struct ims_mem *m, uint64_t pa, enum ims_mem_kind k);
uint16_t ims_mem_read16(struct ims_mem *m, uint64_t pa, enum ims_mem_kind k);
uint32_t ims_mem_read32(struct ims_mem *m, uint64_t pa, enum ims_mem_kind k);
uint64_t ims_mem_read64(struct ims_mem *m, uint64_t pa, enum ims_mem_kind k);
void ims_mem_write8(struct ims_mem *m, uint64_t pa, uint8_t v, enum ims_mem_kind k);
void ims_mem_write16(struct ims_mem *m, uint64_t pa, uint16_t v, enum ims_mem_kind k);
void ims_mem_write32(struct ims_mem *m, uint64_t pa, uint32_t v, enum ims_mem_kind k);
void ims_mem_write64(struct ims_mem *m, uint64_t pa, uint64_t v, enum ims_mem_kind k);

/* Byte ranges, any length, wrapping past 2^64 like the scalar accessors. */
void ims_mem_read(struct ims_mem *m, uint64_t pa, void *buf, size_t len, enum ims_mem_kind k);
void ims_mem_write(struct ims_mem *m, uint64_t pa, const void *buf, size_t len,
		   enum ims_mem_kind k);
/* Sets a range to zero; frames wholly inside it are released. */
void ims_mem_zero(struct ims_mem *m, uint64_t pa, uint64_t len, enum ims_mem_kind k);

/* Hardware-side accessors: like the plain ones, but return false (and store
 * nothing / write nothing) when any byte of the access falls in an abort
 * range.  Counted under the kind either way; refusals also under `aborts`. */
bool ims_mem_fetch64(struct ims_mem *m, uint64_t pa, enum ims_mem_kind k, uint64_t *out);
bool ims_mem_fetch(struct ims_mem *m, uint64_t pa, void *buf, size_t len, enum ims_mem_kind k);
bool ims_mem_store64(struct ims_mem *m, uint64_t pa, uint64_t v, enum ims_mem_kind k);
bool ims_mem_store(struct ims_mem *m, uint64_t pa, const void *buf, size_t len,
		   enum ims_mem_kind k);

/* Declares [first, last] (inclusive) as aborting for fetch/store accesses.
 * Returns 0, or -ENOSPC when IMS_MEM_MAX_ABORTS ranges exist already, or
 * -EINVAL when last < first. */
#define IMS_MEM_MAX_ABORTS 16
int ims_mem_add_abort(struct ims_mem *m, uint64_t first, uint64_t last);
void ims_mem_clear_aborts(struct ims_mem *m);
/* True when any byte of [pa, pa+len) (wrapping) lies in an abort range. */
bool ims_mem_aborts(const struct ims_mem *m, uint64_t pa, uint64_t len);

/* Frames currently allocated (memory footprint = frames * 4 KiB). */
size_t ims_mem_frames(const struct ims_mem *m);
const struct ims_mem_counters *ims_mem_counters(const struct ims_mem *m);
void ims_mem_reset_counters(struct ims_mem *m);
const char *ims_mem_kind_name(enum ims_mem_kind k);

#endif
