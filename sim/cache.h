/* SPDX-License-Identifier: MIT */
/*
 * sim/cache — one generic set-associative cache.
 *
 * Every cache a model has (IOTLB, paging-structure/walk caches, context and
 * PASID caches, STE/CD caches, DTE caches) is an instance of this one.  An
 * entry is a small tag (struct ims_cache_tag) and a fixed-size value owned by
 * the model.  The tag names a naturally aligned region [addr, addr + 2^shift)
 * so that one cache can hold entries of several sizes (4K, 2M, 1G ...), the
 * way split-by-page-size IOTLBs behave.
 *
 * The set index is a hash of (addr >> shift, shift) only, so an address-range
 * invalidation visits just the sets those pages hash to, for each entry size
 * present in the cache; when a range spans more pages than there are sets it
 * scans every set once.  Fields other than the address (domain, pasid, sid,
 * kind) are compared within the set.  A cache not keyed by address (context,
 * PASID, STE/CD, DTE caches) therefore puts its key in addr with shift 0
 * (e.g. addr = sid, or sid << 20 | pasid); entries that all have addr 0 would
 * share one set.
 *
 * Replacement is LRU (exact, by access stamp) or random (a seeded,
 * deterministic generator): the same sequence of operations always evicts the
 * same entries.
 */
#ifndef IMS_SIM_CACHE_H
#define IMS_SIM_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ims_cache_tag {
	uint64_t addr;   /* start of the region (aligned down to 2^shift on insert) */
	uint32_t domain; /* DID, VMID, DomainID ... (0 when unused) */
	uint32_t pasid;  /* PASID, ASID, SSID ... */
	uint32_t sid;    /* requester / stream / device ID */
	uint16_t kind;   /* model-defined class: stage, level, PGTT class ... */
	uint8_t shift;   /* region size log2, 0..63 (0 for caches not keyed by address) */
	uint8_t flags;   /* model-defined; compared like the other fields */
};

enum ims_cache_repl { IMS_CACHE_LRU, IMS_CACHE_RANDOM };

struct ims_cache_cfg {
	const char *name;   /* for stats and messages */
	unsigned sets;      /* >= 1 */
	unsigned ways;      /* >= 1; sets*ways entries in all */
	enum ims_cache_repl repl;
	size_t value_size;  /* bytes of model data per entry (may be 0) */
	uint64_t seed;      /* for IMS_CACHE_RANDOM */
};

struct ims_cache_counters {
	uint64_t lookups, hits, misses;
	uint64_t inserts, evictions; /* evictions: valid entries displaced by inserts */
	uint64_t invalidated;        /* entries removed by any invalidation */
	uint64_t inval_ops;          /* invalidation calls */
	uint64_t probes;             /* set probes made by range invalidations */
};

struct ims_cache;

/* NULL on a bad configuration (sets or ways 0, more than 2^24 entries) or when
 * out of memory. */
struct ims_cache *ims_cache_new(const struct ims_cache_cfg *cfg);
void ims_cache_free(struct ims_cache *c);

/* Finds the entry whose tag equals *t in every field except addr, and whose
 * region contains t->addr; every entry size present is tried, smallest first.
 * (t->shift is ignored.)  Returns a pointer to its value (valid until the
 * next insert or invalidation) and marks it used, or NULL.  Counted. */
void *ims_cache_lookup(struct ims_cache *c, const struct ims_cache_tag *t);
/* The same with a caller's match instead of field equality (e.g. Arm global
 * entries that match any ASID); `match` sees candidates whose region
 * contains addr.  *found gets the entry's tag when non-NULL. */
void *ims_cache_lookup_match(struct ims_cache *c, uint64_t addr,
			     bool (*match)(const struct ims_cache_tag *e, const void *value, void *arg),
			     void *arg, struct ims_cache_tag *found);
/* Inserts or replaces the entry with tag *t (addr aligned down to 2^shift),
 * evicting by the replacement policy when the set is full.  Returns the
 * stored value (copied from `value` when non-NULL, else zeroed); NULL when
 * t->shift > 63. */
void *ims_cache_insert(struct ims_cache *c, const struct ims_cache_tag *t, const void *value);

/* Removes entries for which pred(tag, value, arg) is true (pred NULL: all).
 * Returns how many were removed. */
unsigned ims_cache_invalidate(struct ims_cache *c,
			      bool (*pred)(const struct ims_cache_tag *t, const void *value, void *arg),
			      void *arg);
/* Removes entries whose region overlaps [first, last] and for which pred is
 * true (pred NULL: all of them).  Cost scales with the pages in the range, not
 * with the size of the cache. */
unsigned ims_cache_invalidate_range(struct ims_cache *c, uint64_t first, uint64_t last,
				    bool (*pred)(const struct ims_cache_tag *t, const void *value, void *arg),
				    void *arg);

/* Calls fn for every valid entry (in set, way order). */
void ims_cache_foreach(struct ims_cache *c,
		       void (*fn)(const struct ims_cache_tag *t, void *value, void *arg), void *arg);

size_t ims_cache_count(const struct ims_cache *c); /* valid entries */
size_t ims_cache_capacity(const struct ims_cache *c);
const char *ims_cache_name(const struct ims_cache *c);
const struct ims_cache_counters *ims_cache_counters(const struct ims_cache *c);
void ims_cache_reset_counters(struct ims_cache *c);

#endif
