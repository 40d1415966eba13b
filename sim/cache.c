/* SPDX-License-Identifier: MIT */
/*
 * sim/cache — one generic set-associative cache (contract: sim/cache.h).
 *
 * Storage is one flat array of sets*ways slots.  A slot is a small header
 * (the tag and an LRU stamp; stamp 0 means the slot is empty) followed by
 * value_size bytes of model data, so a lookup touches one contiguous run of
 * memory per set.
 *
 * An entry of size 2^s lives in the set chosen by hashing (addr >> s, s).  A
 * bitmap of the sizes present (kept exact by a per-size count) lets a lookup
 * probe only those sizes, and lets a range invalidation visit only the sets
 * that the pages of each present size hash to.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cache.h"

#define CACHE_MAX_ENTRIES (1u << 24)

/* Tags are compared with memcmp, which is only sound without padding. */
_Static_assert(sizeof(struct ims_cache_tag) == 24, "struct ims_cache_tag has padding");

struct slot {
	struct ims_cache_tag tag;
	uint64_t stamp; /* last use (LRU clock); 0: slot is empty */
};

/* Values are handed to models that cast them to their own structs. */
#define VALUE_ALIGN alignof(max_align_t)
#define HDR_SIZE ((sizeof(struct slot) + VALUE_ALIGN - 1) & ~(VALUE_ALIGN - 1))

struct ims_cache {
	unsigned char *slots; /* sets * ways slots of `stride` bytes */
	size_t stride;
	size_t value_size;
	unsigned sets, ways;
	uint32_t set_mask;    /* sets - 1 when sets is a power of two, else 0 */
	bool pow2;
	enum ims_cache_repl repl;
	uint64_t present;     /* bit s: some entry of size 2^s is cached */
	uint64_t clock;       /* LRU stamp source; only ever increases */
	uint64_t rng;         /* xorshift64 state for IMS_CACHE_RANDOM */
	size_t count;
	uint32_t shift_count[64];
	struct ims_cache_counters ctr;
	char *name;
};

static inline struct slot *slot_at(const struct ims_cache *c, size_t i)
{
	return (struct slot *)(c->slots + i * c->stride);
}

static inline void *slot_value(struct slot *s)
{
	return (unsigned char *)s + HDR_SIZE;
}

static inline uint64_t region_mask(unsigned shift)
{
	return ~((UINT64_C(1) << shift) - 1); /* shift <= 63: no overflow */
}

/* 64-bit finaliser (xor-shift-multiply, as in MurmurHash3's fmix64): every
 * input bit affects every output bit, so consecutive pages spread over all
 * sets and the shift keeps equal page numbers of different sizes apart. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static inline size_t set_of(const struct ims_cache *c, uint64_t page, unsigned shift)
{
	uint64_t h = mix64(page + (uint64_t)shift * UINT64_C(0x9e3779b97f4a7c15));

	if (c->pow2)
		return (size_t)(h & c->set_mask);
	/* Any other set count: map the top 32 hash bits onto [0, sets) with a
	 * multiply instead of a division (sets <= 2^24, so it fits). */
	return (size_t)(((h >> 32) * c->sets) >> 32);
}

static inline bool tag_eq(const struct ims_cache_tag *a, const struct ims_cache_tag *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

struct ims_cache *ims_cache_new(const struct ims_cache_cfg *cfg)
{
	if (!cfg || cfg->sets == 0 || cfg->ways == 0 ||
	    (cfg->repl != IMS_CACHE_LRU && cfg->repl != IMS_CACHE_RANDOM))
		return NULL;
	uint64_t entries = (uint64_t)cfg->sets * cfg->ways;
	if (entries > CACHE_MAX_ENTRIES)
		return NULL;
	/* Keep every slot header aligned: round the stride up. */
	if (cfg->value_size > (SIZE_MAX - HDR_SIZE - VALUE_ALIGN) / entries)
		return NULL;
	size_t stride = (HDR_SIZE + cfg->value_size + VALUE_ALIGN - 1) & ~(VALUE_ALIGN - 1);

	struct ims_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	const char *name = cfg->name ? cfg->name : "";
	size_t len = strlen(name);
	c->name = malloc(len + 1);
	c->slots = calloc((size_t)entries, stride);
	if (!c->name || !c->slots) {
		ims_cache_free(c);
		return NULL;
	}
	memcpy(c->name, name, len + 1);
	c->stride = stride;
	c->value_size = cfg->value_size;
	c->sets = cfg->sets;
	c->ways = cfg->ways;
	c->pow2 = (cfg->sets & (cfg->sets - 1)) == 0;
	c->set_mask = c->pow2 ? cfg->sets - 1 : 0;
	c->repl = cfg->repl;
	/* xorshift never leaves 0; any fixed nonzero start keeps runs equal. */
	c->rng = cfg->seed ? cfg->seed : UINT64_C(0x2545f4914f6cdd1d);
	return c;
}

void ims_cache_free(struct ims_cache *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c->name);
	free(c);
}

static void drop(struct ims_cache *c, struct slot *s)
{
	unsigned shift = s->tag.shift;

	s->stamp = 0;
	c->count--;
	if (--c->shift_count[shift] == 0)
		c->present &= ~(UINT64_C(1) << shift);
}

void *ims_cache_lookup(struct ims_cache *c, const struct ims_cache_tag *t)
{
	if (!c || !t)
		return NULL;
	c->ctr.lookups++;
	struct ims_cache_tag key = *t;
	for (uint64_t m = c->present; m; m &= m - 1) {
		unsigned shift = (unsigned)__builtin_ctzll(m); /* smallest size first */
		key.addr = t->addr & region_mask(shift);
		key.shift = (uint8_t)shift;
		size_t first = set_of(c, t->addr >> shift, shift) * c->ways;
		for (unsigned w = 0; w < c->ways; w++) {
			struct slot *s = slot_at(c, first + w);
			if (s->stamp && tag_eq(&s->tag, &key)) {
				s->stamp = ++c->clock;
				c->ctr.hits++;
				return slot_value(s);
			}
		}
	}
	c->ctr.misses++;
	return NULL;
}

void *ims_cache_lookup_match(struct ims_cache *c, uint64_t addr,
			     bool (*match)(const struct ims_cache_tag *e, const void *value, void *arg),
			     void *arg, struct ims_cache_tag *found)
{
	if (!c)
		return NULL;
	c->ctr.lookups++;
	for (uint64_t m = c->present; m; m &= m - 1) {
		unsigned shift = (unsigned)__builtin_ctzll(m);
		uint64_t base = addr & region_mask(shift);
		size_t first = set_of(c, addr >> shift, shift) * c->ways;
		for (unsigned w = 0; w < c->ways; w++) {
			struct slot *s = slot_at(c, first + w);
			if (!s->stamp || s->tag.shift != shift || s->tag.addr != base)
				continue;
			if (match && !match(&s->tag, slot_value(s), arg))
				continue;
			s->stamp = ++c->clock;
			c->ctr.hits++;
			if (found)
				*found = s->tag;
			return slot_value(s);
		}
	}
	c->ctr.misses++;
	return NULL;
}

/* The slot to fill in a set: the first empty way, else the policy's pick. */
static struct slot *victim(struct ims_cache *c, size_t first)
{
	for (unsigned w = 0; w < c->ways; w++) {
		struct slot *s = slot_at(c, first + w);
		if (!s->stamp)
			return s;
	}
	if (c->repl == IMS_CACHE_RANDOM)
		return slot_at(c, first + (size_t)(xorshift64(&c->rng) % c->ways));
	struct slot *lru = slot_at(c, first);
	for (unsigned w = 1; w < c->ways; w++) {
		struct slot *s = slot_at(c, first + w);
		if (s->stamp < lru->stamp)
			lru = s;
	}
	return lru;
}

void *ims_cache_insert(struct ims_cache *c, const struct ims_cache_tag *t, const void *value)
{
	if (!c || !t || t->shift > 63)
		return NULL;
	struct ims_cache_tag key = *t;
	key.addr &= region_mask(key.shift);
	size_t first = set_of(c, key.addr >> key.shift, key.shift) * c->ways;
	struct slot *s = NULL;

	c->ctr.inserts++;
	for (unsigned w = 0; w < c->ways; w++) {
		struct slot *e = slot_at(c, first + w);
		if (e->stamp && tag_eq(&e->tag, &key)) {
			s = e; /* same tag: replace in place, not an eviction */
			break;
		}
	}
	if (!s) {
		s = victim(c, first);
		if (s->stamp) {
			c->ctr.evictions++;
			drop(c, s);
		}
		s->tag = key;
		c->count++;
		if (c->shift_count[key.shift]++ == 0)
			c->present |= UINT64_C(1) << key.shift;
	}
	s->stamp = ++c->clock;
	void *v = slot_value(s);
	if (c->value_size) {
		if (value)
			memcpy(v, value, c->value_size);
		else
			memset(v, 0, c->value_size);
	}
	return v;
}

static unsigned scan_all(struct ims_cache *c, uint64_t first, uint64_t last, bool ranged,
			 bool (*pred)(const struct ims_cache_tag *t, const void *value, void *arg),
			 void *arg)
{
	size_t n = (size_t)c->sets * c->ways;
	unsigned removed = 0;

	for (size_t i = 0; i < n; i++) {
		struct slot *s = slot_at(c, i);
		if (!s->stamp)
			continue;
		if (ranged) {
			/* addr is aligned to 2^shift, so the end cannot overflow. */
			uint64_t end = s->tag.addr + ~region_mask(s->tag.shift);
			if (s->tag.addr > last || end < first)
				continue;
		}
		if (pred && !pred(&s->tag, slot_value(s), arg))
			continue;
		drop(c, s);
		removed++;
	}
	return removed;
}

unsigned ims_cache_invalidate(struct ims_cache *c,
			      bool (*pred)(const struct ims_cache_tag *t, const void *value, void *arg),
			      void *arg)
{
	if (!c)
		return 0;
	unsigned removed = scan_all(c, 0, UINT64_MAX, false, pred, arg);
	c->ctr.inval_ops++;
	c->ctr.invalidated += removed;
	return removed;
}

/* Removes the matching entries of size 2^shift whose page number is `page`. */
static unsigned probe_page(struct ims_cache *c, uint64_t page, unsigned shift,
			   bool (*pred)(const struct ims_cache_tag *t, const void *value, void *arg),
			   void *arg)
{
	size_t first = set_of(c, page, shift) * c->ways;
	uint64_t base = page << shift;
	unsigned removed = 0;

	c->ctr.probes++;
	for (unsigned w = 0; w < c->ways; w++) {
		struct slot *s = slot_at(c, first + w);
		if (!s->stamp || s->tag.shift != shift || s->tag.addr != base)
			continue;
		if (pred && !pred(&s->tag, slot_value(s), arg))
			continue;
		drop(c, s);
		removed++;
	}
	return removed;
}

unsigned ims_cache_invalidate_range(struct ims_cache *c, uint64_t first, uint64_t last,
				    bool (*pred)(const struct ims_cache_tag *t, const void *value, void *arg),
				    void *arg)
{
	if (!c)
		return 0;
	c->ctr.inval_ops++;
	if (first > last)
		return 0;

	/* Pages to visit over all sizes present.  Counting (last>>s)-(first>>s)
	 * rather than that plus one keeps [0, UINT64_MAX] at shift 0 from
	 * wrapping to 0. */
	const uint64_t present = c->present;
	uint64_t pages = 0;
	for (uint64_t m = present; m; m &= m - 1) {
		unsigned shift = (unsigned)__builtin_ctzll(m);
		uint64_t span = (last >> shift) - (first >> shift);
		if (span >= c->sets || pages + span + 1 > c->sets) {
			pages = (uint64_t)c->sets + 1;
			break;
		}
		pages += span + 1;
	}

	unsigned removed = 0;
	if (pages > c->sets) {
		/* Visiting every set once is cheaper than hashing that many pages. */
		c->ctr.probes += c->sets;
		removed = scan_all(c, first, last, true, pred, arg);
	} else {
		for (uint64_t m = present; m; m &= m - 1) {
			unsigned shift = (unsigned)__builtin_ctzll(m);
			uint64_t p = first >> shift, plast = last >> shift;
			for (;; p++) {
				removed += probe_page(c, p, shift, pred, arg);
				if (p == plast)
					break;
			}
		}
	}
	c->ctr.invalidated += removed;
	return removed;
}

void ims_cache_foreach(struct ims_cache *c,
		       void (*fn)(const struct ims_cache_tag *t, void *value, void *arg), void *arg)
{
	if (!c || !fn)
		return;
	size_t n = (size_t)c->sets * c->ways;
	for (size_t i = 0; i < n; i++) {
		struct slot *s = slot_at(c, i);
		if (s->stamp)
			fn(&s->tag, slot_value(s), arg);
	}
}

size_t ims_cache_count(const struct ims_cache *c)
{
	return c ? c->count : 0;
}

size_t ims_cache_capacity(const struct ims_cache *c)
{
	return c ? (size_t)c->sets * c->ways : 0;
}

const char *ims_cache_name(const struct ims_cache *c)
{
	return c ? c->name : "";
}

const struct ims_cache_counters *ims_cache_counters(const struct ims_cache *c)
{
	return c ? &c->ctr : NULL;
}

void ims_cache_reset_counters(struct ims_cache *c)
{
	if (c)
		memset(&c->ctr, 0, sizeof(c->ctr));
}
