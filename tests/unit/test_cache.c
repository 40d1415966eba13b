/* SPDX-License-Identifier: MIT */
/* sim/cache: the generic set-associative cache (contract: sim/cache.h). */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cache.h"
#include "tests/unit/tharness.h"

#define SZ_4K 12
#define SZ_2M 21
#define SZ_1G 30

/* Every test stores this as its value, so a hit can be traced to its insert. */
struct val {
	uint64_t id;
	struct ims_cache_tag tag;
};

static struct ims_cache *new_cache(unsigned sets, unsigned ways, enum ims_cache_repl repl,
				   uint64_t seed)
{
	struct ims_cache_cfg cfg = {
		.name = "test", .sets = sets, .ways = ways, .repl = repl,
		.value_size = sizeof(struct val), .seed = seed,
	};
	struct ims_cache *c = ims_cache_new(&cfg);
	ck_assert_ptr_nonnull(c);
	return c;
}

static struct ims_cache_tag tag(uint64_t addr, unsigned shift, uint32_t domain)
{
	struct ims_cache_tag t = { .addr = addr, .shift = (uint8_t)shift, .domain = domain };
	return t;
}

static void put(struct ims_cache *c, struct ims_cache_tag t, uint64_t id)
{
	struct val v = { .id = id, .tag = t };
	ck_assert_ptr_nonnull(ims_cache_insert(c, &t, &v));
}

/* The id of the entry a lookup finds, or 0 on a miss. */
static uint64_t find(struct ims_cache *c, struct ims_cache_tag t)
{
	const struct val *v = ims_cache_lookup(c, &t);
	return v ? v->id : 0;
}

START_TEST(bad_configurations_are_refused)
{
	struct ims_cache_cfg ok = { .name = "x", .sets = 4, .ways = 2, .value_size = 8 };
	struct ims_cache_cfg cfg;

	ck_assert_ptr_null(ims_cache_new(NULL));
	cfg = ok, cfg.sets = 0;
	ck_assert_ptr_null(ims_cache_new(&cfg));
	cfg = ok, cfg.ways = 0;
	ck_assert_ptr_null(ims_cache_new(&cfg));
	cfg = ok, cfg.sets = 1u << 13, cfg.ways = 1u << 12; /* 2^25 entries */
	ck_assert_ptr_null(ims_cache_new(&cfg));
	cfg = ok, cfg.sets = 0x80000000u, cfg.ways = 0x80000000u; /* product overflows 32 bits */
	ck_assert_ptr_null(ims_cache_new(&cfg));
	cfg = ok, cfg.repl = (enum ims_cache_repl)7;
	ck_assert_ptr_null(ims_cache_new(&cfg));
	cfg = ok, cfg.value_size = SIZE_MAX - 8;
	ck_assert_ptr_null(ims_cache_new(&cfg));

	/* The largest allowed size is accepted. */
	cfg = ok, cfg.sets = 1u << 12, cfg.ways = 1u << 12, cfg.value_size = 0;
	struct ims_cache *c = ims_cache_new(&cfg);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(ims_cache_capacity(c), 1u << 24);
	ims_cache_free(c);
}
END_TEST

START_TEST(hits_misses_and_inserts_are_counted)
{
	struct ims_cache *c = new_cache(16, 2, IMS_CACHE_LRU, 0);
	const struct ims_cache_counters *k = ims_cache_counters(c);

	ck_assert_str_eq(ims_cache_name(c), "test");
	ck_assert_uint_eq(ims_cache_capacity(c), 32);
	ck_assert_uint_eq(ims_cache_count(c), 0);
	ck_assert_u64_eq(find(c, tag(0x1000, SZ_4K, 1)), 0);
	put(c, tag(0x1000, SZ_4K, 1), 11);
	put(c, tag(0x2000, SZ_4K, 1), 12);
	ck_assert_u64_eq(find(c, tag(0x1000, SZ_4K, 1)), 11);
	ck_assert_u64_eq(find(c, tag(0x2fff, SZ_4K, 1)), 12);
	ck_assert_u64_eq(find(c, tag(0x3000, SZ_4K, 1)), 0);
	ck_assert_uint_eq(ims_cache_count(c), 2);
	ck_assert_u64_eq(k->lookups, 4);
	ck_assert_u64_eq(k->hits, 2);
	ck_assert_u64_eq(k->misses, 2);
	ck_assert_u64_eq(k->inserts, 2);
	ck_assert_u64_eq(k->evictions, 0);

	ims_cache_reset_counters(c);
	ck_assert_u64_eq(k->lookups + k->hits + k->misses + k->inserts, 0);
	ck_assert_uint_eq(ims_cache_count(c), 2); /* entries stay */
	ims_cache_free(c);
}
END_TEST

START_TEST(lru_evicts_the_least_recently_used_way)
{
	/* One set, so every entry competes for the same four ways. */
	struct ims_cache *c = new_cache(1, 4, IMS_CACHE_LRU, 0);
	const struct ims_cache_counters *k = ims_cache_counters(c);

	for (uint64_t i = 1; i <= 4; i++)
		put(c, tag(i << 12, SZ_4K, 0), i);
	ck_assert_u64_eq(k->evictions, 0);
	/* Use order now 2 3 4 1: entry 2 is the oldest. */
	ck_assert_u64_eq(find(c, tag(1 << 12, SZ_4K, 0)), 1);
	put(c, tag(5 << 12, SZ_4K, 0), 5);
	ck_assert_u64_eq(k->evictions, 1);
	/* Use order 3 4 1 5; touching 3 makes 4 the oldest. */
	ck_assert_u64_eq(find(c, tag(3 << 12, SZ_4K, 0)), 3);
	put(c, tag(6 << 12, SZ_4K, 0), 6);
	ck_assert_u64_eq(k->evictions, 2);
	/* Replacing 1 in place refreshes it: 5 is now the oldest. */
	put(c, tag(1 << 12, SZ_4K, 0), 10);
	ck_assert_u64_eq(k->evictions, 2);
	put(c, tag(7 << 12, SZ_4K, 0), 7);

	ck_assert_uint_eq(ims_cache_count(c), 4);
	ck_assert_u64_eq(find(c, tag(2 << 12, SZ_4K, 0)), 0);
	ck_assert_u64_eq(find(c, tag(4 << 12, SZ_4K, 0)), 0);
	ck_assert_u64_eq(find(c, tag(5 << 12, SZ_4K, 0)), 0);
	ck_assert_u64_eq(find(c, tag(1 << 12, SZ_4K, 0)), 10);
	ck_assert_u64_eq(find(c, tag(3 << 12, SZ_4K, 0)), 3);
	ck_assert_u64_eq(find(c, tag(6 << 12, SZ_4K, 0)), 6);
	ck_assert_u64_eq(find(c, tag(7 << 12, SZ_4K, 0)), 7);
	ims_cache_free(c);
}
END_TEST

START_TEST(lru_fills_an_invalidated_way_before_evicting)
{
	struct ims_cache *c = new_cache(1, 3, IMS_CACHE_LRU, 0);

	for (uint64_t i = 1; i <= 3; i++)
		put(c, tag(i << 12, SZ_4K, (uint32_t)i), i);
	ck_assert_uint_eq(ims_cache_invalidate_range(c, 3 << 12, 3 << 12, NULL, NULL), 1);
	put(c, tag(9 << 12, SZ_4K, 9), 9);
	ck_assert_u64_eq(ims_cache_counters(c)->evictions, 0);
	ck_assert_u64_eq(find(c, tag(1 << 12, SZ_4K, 1)), 1);
	ck_assert_u64_eq(find(c, tag(2 << 12, SZ_4K, 2)), 2);
	ck_assert_u64_eq(find(c, tag(9 << 12, SZ_4K, 9)), 9);
	ims_cache_free(c);
}
END_TEST

static void collect_ids(const struct ims_cache_tag *t, void *value, void *arg)
{
	uint64_t **p = arg;
	*(*p)++ = ((const struct val *)value)->id;
}

/* Runs a fixed workload on a random-replacement cache and returns the ids
 * left in it, in foreach order (ids[] has room for the capacity). */
static size_t random_workload(uint64_t seed, uint64_t *ids, uint64_t *evictions)
{
	struct ims_cache *c = new_cache(4, 4, IMS_CACHE_RANDOM, seed);
	for (uint64_t i = 1; i <= 500; i++)
		put(c, tag(i << 12, SZ_4K, 0), i);
	uint64_t *p = ids;
	ims_cache_foreach(c, collect_ids, &p);
	*evictions = ims_cache_counters(c)->evictions;
	ck_assert_uint_eq(ims_cache_count(c), 16);
	ims_cache_free(c);
	return (size_t)(p - ids);
}

START_TEST(random_replacement_is_deterministic_for_a_seed)
{
	uint64_t a[16], b[16], z1[16], z2[16], other[16], ea, eb, ez;

	ck_assert_uint_eq(random_workload(42, a, &ea), 16);
	ck_assert_uint_eq(random_workload(42, b, &eb), 16);
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_u64_eq(ea, 500 - 16);
	ck_assert_u64_eq(eb, ea);
	/* Seed 0 still runs (a fixed nonzero state) and is repeatable. */
	ck_assert_uint_eq(random_workload(0, z1, &ez), 16);
	ck_assert_uint_eq(random_workload(0, z2, &ez), 16);
	ck_assert_mem_eq(z1, z2, sizeof(z1));
	/* A different seed evicts differently. */
	random_workload(7, other, &ez);
	ck_assert(memcmp(a, other, sizeof(a)) != 0);
}
END_TEST

START_TEST(random_replacement_uses_free_ways_first)
{
	struct ims_cache *c = new_cache(1, 8, IMS_CACHE_RANDOM, 3);

	for (uint64_t i = 1; i <= 8; i++)
		put(c, tag(i << 12, SZ_4K, 0), i);
	ck_assert_u64_eq(ims_cache_counters(c)->evictions, 0);
	for (uint64_t i = 1; i <= 8; i++)
		ck_assert_u64_eq(find(c, tag(i << 12, SZ_4K, 0)), i);
	/* Over many evictions, every way gets picked at some point. */
	for (uint64_t i = 9; i <= 200; i++)
		put(c, tag(i << 12, SZ_4K, 0), i);
	for (uint64_t i = 1; i <= 8; i++)
		ck_assert_u64_eq(find(c, tag(i << 12, SZ_4K, 0)), 0);
	ims_cache_free(c);
}
END_TEST

START_TEST(entries_of_several_sizes_match_any_address_inside)
{
	struct ims_cache *c = new_cache(64, 4, IMS_CACHE_LRU, 0);

	put(c, tag(0x12345000, SZ_4K, 1), 1);
	put(c, tag(0x40200000, SZ_2M, 1), 2);
	put(c, tag(0x80000000, SZ_1G, 1), 3);

	ck_assert_u64_eq(find(c, tag(0x12345000, 0, 1)), 1);
	ck_assert_u64_eq(find(c, tag(0x12345abc, 0, 1)), 1);
	ck_assert_u64_eq(find(c, tag(0x12345fff, 0, 1)), 1);
	ck_assert_u64_eq(find(c, tag(0x12346000, 0, 1)), 0);
	ck_assert_u64_eq(find(c, tag(0x12344fff, 0, 1)), 0);

	ck_assert_u64_eq(find(c, tag(0x40200000, 0, 1)), 2);
	ck_assert_u64_eq(find(c, tag(0x40312345, 0, 1)), 2);
	ck_assert_u64_eq(find(c, tag(0x403fffff, 0, 1)), 2);
	ck_assert_u64_eq(find(c, tag(0x40400000, 0, 1)), 0);
	ck_assert_u64_eq(find(c, tag(0x401fffff, 0, 1)), 0);

	ck_assert_u64_eq(find(c, tag(0x80000000, 0, 1)), 3);
	ck_assert_u64_eq(find(c, tag(0xbfffffff, 0, 1)), 3);
	ck_assert_u64_eq(find(c, tag(0xc0000000, 0, 1)), 0);
	ck_assert_u64_eq(find(c, tag(0x7fffffff, 0, 1)), 0);
	ims_cache_free(c);
}
END_TEST

static bool shift_is(const struct ims_cache_tag *t, const void *value, void *arg)
{
	return t->shift == *(const unsigned *)arg;
}

START_TEST(the_smallest_entry_covering_an_address_wins)
{
	struct ims_cache *c = new_cache(64, 4, IMS_CACHE_LRU, 0);

	put(c, tag(0x40000000, SZ_1G, 1), 3);
	put(c, tag(0x40200000, SZ_2M, 1), 2);
	put(c, tag(0x40201000, SZ_4K, 1), 1);
	ck_assert_u64_eq(find(c, tag(0x40201800, 0, 1)), 1);
	ck_assert_u64_eq(find(c, tag(0x40202000, 0, 1)), 2);
	ck_assert_u64_eq(find(c, tag(0x40400000, 0, 1)), 3);
	/* Without the 4K entry the 2M one covers the address, then the 1G one. */
	unsigned shift = SZ_4K;
	ck_assert_uint_eq(ims_cache_invalidate(c, shift_is, &shift), 1);
	ck_assert_u64_eq(find(c, tag(0x40201800, 0, 1)), 2);
	shift = SZ_2M;
	ck_assert_uint_eq(ims_cache_invalidate(c, shift_is, &shift), 1);
	ck_assert_u64_eq(find(c, tag(0x40201800, 0, 1)), 3);
	/* A range inside the 1G entry removes it (and only overlapping ones). */
	put(c, tag(0x80000000, SZ_4K, 1), 4);
	ck_assert_uint_eq(ims_cache_invalidate_range(c, 0x40201000, 0x40201fff, NULL, NULL), 1);
	ck_assert_u64_eq(find(c, tag(0x40201800, 0, 1)), 0);
	ck_assert_u64_eq(find(c, tag(0x80000000, 0, 1)), 4);
	ims_cache_free(c);
}
END_TEST

START_TEST(any_field_mismatch_is_a_miss)
{
	struct ims_cache *c = new_cache(8, 8, IMS_CACHE_LRU, 0);
	struct ims_cache_tag t = {
		.addr = 0x5000, .domain = 3, .pasid = 4, .sid = 5, .kind = 6, .shift = SZ_4K, .flags = 7,
	};
	put(c, t, 1);

	struct ims_cache_tag q = t;
	ck_assert_u64_eq(find(c, q), 1);
	q = t, q.domain = 9;
	ck_assert_u64_eq(find(c, q), 0);
	q = t, q.pasid = 9;
	ck_assert_u64_eq(find(c, q), 0);
	q = t, q.sid = 9;
	ck_assert_u64_eq(find(c, q), 0);
	q = t, q.kind = 9;
	ck_assert_u64_eq(find(c, q), 0);
	q = t, q.flags = 9;
	ck_assert_u64_eq(find(c, q), 0);
	q = t, q.addr = 0x6000;
	ck_assert_u64_eq(find(c, q), 0);
	q = t, q.shift = SZ_1G; /* ignored by lookup */
	ck_assert_u64_eq(find(c, q), 1);
	ims_cache_free(c);
}
END_TEST

START_TEST(caches_not_keyed_by_address_spread_a_key_in_addr_over_the_sets)
{
	/* A context cache keyed by StreamID puts the SID in addr with shift 0
	 * (sim/cache.h), so 40 SIDs spread over a 32x2 cache with few conflicts. */
	struct ims_cache *c = new_cache(32, 2, IMS_CACHE_LRU, 0);
	unsigned hits = 0;

	for (uint32_t sid = 0; sid < 40; sid++) {
		struct ims_cache_tag t = { .addr = sid, .sid = sid };
		put(c, t, sid + 100);
	}
	for (uint32_t sid = 0; sid < 40; sid++) {
		struct ims_cache_tag t = { .addr = sid, .sid = sid };
		uint64_t id = find(c, t);
		ck_assert(id == 0 || id == sid + 100);
		hits += id != 0;
	}
	ck_assert_uint_gt(hits, 30);
	ck_assert_uint_eq(hits, ims_cache_count(c));
	ims_cache_free(c);
}
END_TEST

static bool any_pasid(const struct ims_cache_tag *e, const void *value, void *arg)
{
	const uint32_t *domain = arg;
	return e->domain == *domain;
}

START_TEST(lookup_match_lets_the_caller_decide)
{
	struct ims_cache *c = new_cache(16, 4, IMS_CACHE_LRU, 0);
	struct ims_cache_tag t = { .addr = 0x200000, .shift = SZ_2M, .domain = 2, .pasid = 77 };
	struct ims_cache_tag found;
	uint32_t domain = 2;

	put(c, t, 5);
	struct val *v = ims_cache_lookup_match(c, 0x3fffff, any_pasid, &domain, &found);
	ck_assert_ptr_nonnull(v);
	ck_assert_u64_eq(v->id, 5);
	ck_assert_uint_eq(found.pasid, 77);
	ck_assert_uint_eq(found.shift, SZ_2M);
	ck_assert_u64_eq(found.addr, 0x200000);
	/* A NULL match takes any entry covering the address; found may be NULL. */
	ck_assert_ptr_eq(ims_cache_lookup_match(c, 0x200000, NULL, NULL, NULL), v);
	domain = 3;
	ck_assert_ptr_null(ims_cache_lookup_match(c, 0x200000, any_pasid, &domain, NULL));
	ck_assert_ptr_null(ims_cache_lookup_match(c, 0x400000, NULL, NULL, NULL));
	ck_assert_u64_eq(ims_cache_counters(c)->lookups, 4);
	ck_assert_u64_eq(ims_cache_counters(c)->hits, 2);
	ck_assert_u64_eq(ims_cache_counters(c)->misses, 2);
	ims_cache_free(c);

	/* In one set, a 4K entry at the 2M entry's base does not cover
	 * addresses past its first page. */
	c = new_cache(1, 4, IMS_CACHE_LRU, 0);
	put(c, tag(0x200000, SZ_4K, 2), 1);
	put(c, tag(0x200000, SZ_2M, 2), 2);
	v = ims_cache_lookup_match(c, 0x201000, NULL, NULL, &found);
	ck_assert_ptr_nonnull(v);
	ck_assert_u64_eq(v->id, 2);
	v = ims_cache_lookup_match(c, 0x200fff, NULL, NULL, &found);
	ck_assert_u64_eq(v->id, 1);
	ims_cache_free(c);
}
END_TEST

static bool domain_is(const struct ims_cache_tag *t, const void *value, void *arg)
{
	return t->domain == *(const uint32_t *)arg;
}

START_TEST(invalidate_by_predicate_removes_only_what_it_selects)
{
	struct ims_cache *c = new_cache(64, 4, IMS_CACHE_LRU, 0);
	const struct ims_cache_counters *k = ims_cache_counters(c);

	for (uint64_t i = 0; i < 60; i++)
		put(c, tag(i << 12, SZ_4K, (uint32_t)(i % 3)), i + 1);
	ck_assert_uint_eq(ims_cache_count(c), 60);
	uint32_t d = 1;
	ck_assert_uint_eq(ims_cache_invalidate(c, domain_is, &d), 20);
	ck_assert_uint_eq(ims_cache_count(c), 40);
	for (uint64_t i = 0; i < 60; i++)
		ck_assert_u64_eq(find(c, tag(i << 12, 0, (uint32_t)(i % 3))), i % 3 == 1 ? 0 : i + 1);
	ck_assert_uint_eq(ims_cache_invalidate(c, domain_is, &d), 0);
	ck_assert_uint_eq(ims_cache_invalidate(c, NULL, NULL), 40);
	ck_assert_uint_eq(ims_cache_count(c), 0);
	ck_assert_u64_eq(k->invalidated, 60);
	ck_assert_u64_eq(k->inval_ops, 3);
	ck_assert_u64_eq(find(c, tag(0, 0, 0)), 0);
	ims_cache_free(c);
}
END_TEST

/* ---- range invalidation against a brute-force model ------------------------ */

struct snap {
	struct val v[4096];
	size_t n;
};

static void snap_fn(const struct ims_cache_tag *t, void *value, void *arg)
{
	struct snap *s = arg;
	const struct val *v = value;
	ck_assert_uint_lt(s->n, 4096);
	/* The stored tag is the inserted one with addr aligned down. */
	ck_assert_u64_eq(t->addr, v->tag.addr & ~((UINT64_C(1) << v->tag.shift) - 1));
	ck_assert_uint_eq(t->shift, v->tag.shift);
	s->v[s->n].id = v->id;
	s->v[s->n].tag = *t;
	s->n++;
}

static bool overlaps(const struct ims_cache_tag *t, uint64_t first, uint64_t last)
{
	uint64_t size_m1 = (UINT64_C(1) << t->shift) - 1;
	uint64_t base = t->addr & ~size_m1;
	return base <= last && base + size_m1 >= first;
}

static bool odd_domain(const struct ims_cache_tag *t, const void *value, void *arg)
{
	return t->domain & 1;
}

static const unsigned range_shifts[] = { 0, 12, 12, 12, 13, 16, 21, 21, 30, 39, 63 };

/* A random address near one of a few hot spots, including the top of the
 * address space, so that entries overlap each other and the ranges. */
static uint64_t random_addr(uint64_t *rng)
{
	static const uint64_t spots[] = { 0, 0x40000000, 0x7fffffffc0000000ull, UINT64_MAX - 0x3fffffff };
	uint64_t r = ims_test_rand(rng);
	return spots[r % 4] + (ims_test_rand(rng) & 0x3fffffff);
}

static void range_model_run(unsigned sets, unsigned ways, uint64_t seed)
{
	struct ims_cache *c = new_cache(sets, ways, IMS_CACHE_LRU, 0);
	const struct ims_cache_counters *k = ims_cache_counters(c);
	uint64_t rng = ims_test_seed(seed);
	static struct snap before, after;
	uint64_t id = 0, removed_total = 0;

	for (int op = 0; op < 4000; op++) {
		uint64_t r = ims_test_rand(&rng) % 10;
		if (r < 6) {
			unsigned shift = range_shifts[ims_test_rand(&rng) % 11];
			put(c, tag(random_addr(&rng), shift, (uint32_t)(ims_test_rand(&rng) % 4)), ++id);
			continue;
		}
		/* Ranges from one byte to everything, some at the very top. */
		uint64_t first = random_addr(&rng), last;
		switch (ims_test_rand(&rng) % 8) {
		case 0: case 1: last = first; break;
		case 2: case 3: last = first + (ims_test_rand(&rng) & 0xffff); break;
		case 4: case 5: last = first + (ims_test_rand(&rng) & 0x3fffffff); break;
		case 6: last = UINT64_MAX; break;
		default: first = 0, last = UINT64_MAX; break;
		}
		if (last < first)
			last = UINT64_MAX;
		bool use_pred = ims_test_rand(&rng) & 1;

		before.n = after.n = 0;
		ims_cache_foreach(c, snap_fn, &before);
		ck_assert_uint_eq(before.n, ims_cache_count(c));
		unsigned got = ims_cache_invalidate_range(c, first, last, use_pred ? odd_domain : NULL, NULL);
		ims_cache_foreach(c, snap_fn, &after);

		/* Survivors are exactly the entries not overlapping (or not
		 * selected), in the same foreach order. */
		size_t j = 0;
		unsigned want = 0;
		for (size_t i = 0; i < before.n; i++) {
			const struct ims_cache_tag *t = &before.v[i].tag;
			bool gone = overlaps(t, first, last) && (!use_pred || (t->domain & 1));
			if (gone) {
				want++;
				continue;
			}
			ck_assert_uint_lt(j, after.n);
			ck_assert_u64_eq(after.v[j].id, before.v[i].id);
			j++;
		}
		ck_assert_uint_eq(j, after.n);
		ck_assert_uint_eq(got, want);
		ck_assert_uint_eq(ims_cache_count(c), after.n);
		removed_total += got;

		/* Every survivor is still found by an address inside it. */
		for (size_t i = 0; i < after.n; i++) {
			struct ims_cache_tag q = after.v[i].tag;
			q.addr += ims_test_rand(&rng) & ((UINT64_C(1) << q.shift) - 1);
			const struct val *v = ims_cache_lookup(c, &q);
			ck_assert_ptr_nonnull(v);
			ck_assert(overlaps(&v->tag, q.addr, q.addr));
			ck_assert_uint_eq(v->tag.domain, q.domain);
		}
	}
	ck_assert_u64_eq(k->invalidated, removed_total);
	ck_assert_uint_gt(removed_total, 1000); /* the workload did remove things */
	ims_cache_free(c);
}

START_TEST(range_invalidation_matches_a_brute_force_model)
{
	range_model_run(64, 4, 1);     /* power-of-two sets */
	range_model_run(37, 3, 2);     /* any other set count */
	range_model_run(1, 16, 3);     /* fully associative */
	range_model_run(4096, 1, 4);   /* direct mapped, mostly probes */
}
END_TEST

START_TEST(small_range_on_a_large_cache_probes_only_its_pages)
{
	struct ims_cache *c = new_cache(4096, 4, IMS_CACHE_LRU, 0);
	const struct ims_cache_counters *k = ims_cache_counters(c);

	for (uint64_t i = 0; i < 8192; i++)
		put(c, tag(0x100000000ull + (i << 12), SZ_4K, 1), i + 1);
	size_t n = ims_cache_count(c);
	ck_assert_uint_gt(n, 4000);

	/* 16 pages of 4K: 16 probes, whatever the cache size. */
	unsigned got = ims_cache_invalidate_range(c, 0x100000000ull, 0x10000ffffull, NULL, NULL);
	ck_assert_u64_eq(k->probes, 16);
	ck_assert_uint_le(got, 16);
	ck_assert_uint_eq(ims_cache_count(c), n - got);
	for (uint64_t i = 0; i < 16; i++)
		ck_assert_u64_eq(find(c, tag(0x100000000ull + (i << 12), 0, 1)), 0);

	/* With a 2M entry present as well, that size adds its own pages. */
	put(c, tag(0x200000000ull, SZ_2M, 1), 99999);
	ims_cache_reset_counters(c);
	ims_cache_invalidate_range(c, 0x100000000ull, 0x100002fffull, NULL, NULL);
	ck_assert_u64_eq(k->probes, 3 + 1);

	/* A range larger than the cache is one scan of every set. */
	ims_cache_reset_counters(c);
	ims_cache_invalidate_range(c, 0, 0xffffffffffull, NULL, NULL);
	ck_assert_u64_eq(k->probes, 4096);
	ck_assert_uint_eq(ims_cache_count(c), 0);

	/* An empty cache probes nothing; a reversed range removes nothing. */
	ims_cache_reset_counters(c);
	ck_assert_uint_eq(ims_cache_invalidate_range(c, 0, UINT64_MAX, NULL, NULL), 0);
	put(c, tag(0x1000, SZ_4K, 1), 1);
	ck_assert_uint_eq(ims_cache_invalidate_range(c, 0x2000, 0x1000, NULL, NULL), 0);
	ck_assert_u64_eq(k->probes, 0);
	ck_assert_u64_eq(k->inval_ops, 2);
	ck_assert_uint_eq(ims_cache_count(c), 1);
	ims_cache_free(c);
}
END_TEST

START_TEST(many_sizes_together_never_cost_more_than_one_scan)
{
	struct ims_cache *c = new_cache(64, 4, IMS_CACHE_LRU, 0);
	const struct ims_cache_counters *k = ims_cache_counters(c);

	put(c, tag(0x100000, 12, 0), 1);
	put(c, tag(0x100000, 13, 0), 2);
	/* 40 pages of 4K and 20 of 8K: 60 probes, fewer than 64 sets. */
	ims_cache_invalidate_range(c, 0x200000, 0x200000 + 40 * 4096 - 1, NULL, NULL);
	ck_assert_u64_eq(k->probes, 60);
	/* With 16K entries too, 70 pages: one scan of the 64 sets instead. */
	put(c, tag(0x100000, 14, 0), 3);
	ims_cache_reset_counters(c);
	ims_cache_invalidate_range(c, 0x200000, 0x200000 + 40 * 4096 - 1, NULL, NULL);
	ck_assert_u64_eq(k->probes, 64);
	ck_assert_uint_eq(ims_cache_count(c), 3);
	ims_cache_free(c);
}
END_TEST

START_TEST(every_set_is_used)
{
	static const unsigned sets[] = { 1, 2, 37, 64, 100, 1024 };

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		struct ims_cache *c = new_cache(sets[i], 2, IMS_CACHE_LRU, 0);
		for (uint64_t a = 0; a < 64 * (uint64_t)sets[i]; a++)
			put(c, tag(a << 12, SZ_4K, 0), a + 1);
		ck_assert_uint_eq(ims_cache_count(c), ims_cache_capacity(c));
		ims_cache_free(c);
	}
}
END_TEST

/* A 2M-aligned address whose 4K and 2M pages share a set in a cache of
 * `sets` sets: with one way, inserting the second evicts the first. */
static uint64_t colliding_base(unsigned sets)
{
	struct ims_cache *probe = new_cache(sets, 1, IMS_CACHE_LRU, 0);
	uint64_t base = 0;

	for (uint64_t k = 1; k < 1000 && !base; k++) {
		ims_cache_invalidate(probe, NULL, NULL);
		put(probe, tag(k << 21, SZ_2M, 0), 1);
		put(probe, tag(k << 21, SZ_4K, 0), 2);
		if (ims_cache_count(probe) == 1)
			base = k << 21;
	}
	ims_cache_free(probe);
	ck_assert_uint_ne(base, 0);
	return base;
}

START_TEST(a_probe_removes_only_entries_of_the_size_it_probes)
{
	uint64_t base = colliding_base(64);
	struct ims_cache *c = new_cache(64, 4, IMS_CACHE_LRU, 0);

	put(c, tag(base, SZ_4K, 0), 1);
	put(c, tag(base, SZ_2M, 0), 2);
	/* The next 4K page overlaps the 2M entry only; its 2M page hashes to
	 * the set that also holds the 4K entry at the same base. */
	ck_assert_uint_eq(ims_cache_invalidate_range(c, base + 0x1000, base + 0x1fff, NULL, NULL), 1);
	ck_assert_u64_eq(ims_cache_counters(c)->probes, 2);
	ck_assert_u64_eq(find(c, tag(base, 0, 0)), 1);
	ck_assert_u64_eq(find(c, tag(base + 0x1000, 0, 0)), 0);
	ims_cache_free(c);
}
END_TEST

START_TEST(range_invalidation_at_the_top_of_the_address_space)
{
	struct ims_cache *c = new_cache(256, 4, IMS_CACHE_LRU, 0);
	const struct ims_cache_counters *k = ims_cache_counters(c);

	put(c, tag(0, SZ_4K, 0), 1);
	put(c, tag(UINT64_MAX, SZ_4K, 0), 2);            /* 0xffff_ffff_ffff_f000 */
	put(c, tag(UINT64_MAX, 0, 0), 3);                /* the very last byte */
	put(c, tag(0x8000000000000000ull, 63, 0), 4);    /* the upper half */
	put(c, tag(0x7fffffffffffffffull, 63, 0), 5);    /* the lower half */
	ck_assert_uint_eq(ims_cache_count(c), 5);
	ck_assert_u64_eq(find(c, tag(UINT64_MAX, 0, 0)), 3);
	ck_assert_u64_eq(find(c, tag(UINT64_MAX - 1, 0, 0)), 2);
	ck_assert_u64_eq(find(c, tag(0x8000000000000000ull, 0, 0)), 4);
	ck_assert_u64_eq(find(c, tag(0x1000, 0, 0)), 5);

	/* The last byte: a few probes, not a scan. */
	ck_assert_uint_eq(ims_cache_invalidate_range(c, UINT64_MAX, UINT64_MAX, NULL, NULL), 3);
	ck_assert_u64_eq(k->probes, 3); /* sizes 2^0, 2^12, 2^63 */
	ck_assert_u64_eq(find(c, tag(0, 0, 0)), 1);
	ck_assert_u64_eq(find(c, tag(0x7fffffffffffffffull, 0, 0)), 5);
	ck_assert_uint_eq(ims_cache_count(c), 2);

	/* Everything: (last >> 0) - (first >> 0) + 1 would wrap to 0 pages. */
	put(c, tag(12345, 0, 0), 6);
	ck_assert_uint_eq(ims_cache_invalidate_range(c, 0, UINT64_MAX, NULL, NULL), 3);
	ck_assert_uint_eq(ims_cache_count(c), 0);
	ims_cache_free(c);
}
END_TEST

START_TEST(inserting_the_same_tag_replaces_in_place)
{
	struct ims_cache *c = new_cache(8, 2, IMS_CACHE_LRU, 0);
	const struct ims_cache_counters *k = ims_cache_counters(c);

	put(c, tag(0x5000, SZ_4K, 1), 1);
	put(c, tag(0x5abc, SZ_4K, 1), 2); /* same region: aligned down on insert */
	ck_assert_uint_eq(ims_cache_count(c), 1);
	ck_assert_u64_eq(k->evictions, 0);
	ck_assert_u64_eq(k->inserts, 2);
	ck_assert_u64_eq(find(c, tag(0x5000, 0, 1)), 2);
	/* The same region with another field is another entry. */
	put(c, tag(0x5000, SZ_4K, 2), 3);
	put(c, tag(0x5000, 13, 1), 4);
	ck_assert_uint_eq(ims_cache_count(c), 3);
	ck_assert_u64_eq(find(c, tag(0x5000, 0, 1)), 2);
	ck_assert_u64_eq(find(c, tag(0x4000, 0, 1)), 4);
	ck_assert_u64_eq(find(c, tag(0x5000, 0, 2)), 3);
	ims_cache_free(c);
}
END_TEST

START_TEST(value_bytes_are_preserved_and_aligned)
{
	struct ims_cache_cfg cfg = { .name = "v", .sets = 16, .ways = 4, .value_size = 41 };
	struct ims_cache *c = ims_cache_new(&cfg);
	unsigned char buf[41];

	ck_assert_ptr_nonnull(c);
	for (unsigned i = 0; i < 64; i++) {
		memset(buf, (int)i + 1, sizeof(buf));
		struct ims_cache_tag t = { .addr = i, .sid = i };
		unsigned char *v = ims_cache_insert(c, &t, buf);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq((uintptr_t)v % alignof(max_align_t), 0);
	}
	unsigned hits = 0;
	for (unsigned i = 0; i < 64; i++) {
		struct ims_cache_tag t = { .addr = i, .sid = i };
		unsigned char *v = ims_cache_lookup(c, &t);
		if (!v)
			continue;
		hits++;
		memset(buf, (int)i + 1, sizeof(buf));
		ck_assert_mem_eq(v, buf, sizeof(buf));
	}
	ck_assert_uint_eq(hits, ims_cache_count(c));
	ck_assert_uint_gt(hits, 40);

	/* Without a value, a reused slot reads as zero. */
	ims_cache_invalidate(c, NULL, NULL);
	struct ims_cache_tag t = { .addr = 3, .sid = 3 };
	unsigned char *v = ims_cache_insert(c, &t, NULL);
	memset(buf, 0, sizeof(buf));
	ck_assert_mem_eq(v, buf, sizeof(buf));
	ims_cache_free(c);
}
END_TEST

START_TEST(zero_sized_values_still_report_hits)
{
	struct ims_cache_cfg cfg = { .sets = 4, .ways = 1, .value_size = 0 };
	struct ims_cache *c = ims_cache_new(&cfg);
	struct ims_cache_tag t = { .addr = 0x1000, .shift = SZ_4K };

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(ims_cache_name(c), ""); /* no name given */
	ck_assert_ptr_nonnull(ims_cache_insert(c, &t, NULL));
	ck_assert_ptr_nonnull(ims_cache_lookup(c, &t));
	ims_cache_free(c);
}
END_TEST

static void count_fn(const struct ims_cache_tag *t, void *value, void *arg)
{
	(*(unsigned *)arg)++;
}

START_TEST(foreach_visits_every_entry_once)
{
	struct ims_cache *c = new_cache(32, 4, IMS_CACHE_LRU, 0);
	uint64_t ids[128], *p = ids;
	unsigned n = 0;

	for (uint64_t i = 1; i <= 100; i++)
		put(c, tag(i << 21, SZ_2M, 0), i);
	ims_cache_foreach(c, count_fn, &n);
	ck_assert_uint_eq(n, ims_cache_count(c));
	ims_cache_foreach(c, collect_ids, &p);
	/* Each id at most once. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			ck_assert_uint_ne(ids[i], ids[j]);
	ims_cache_foreach(c, NULL, NULL); /* no callback: nothing happens */
	ims_cache_free(c);
}
END_TEST

START_TEST(bad_arguments_never_crash)
{
	struct ims_cache *c = new_cache(4, 2, IMS_CACHE_LRU, 0);
	struct ims_cache_tag t = { .addr = 0, .shift = 64 };

	ck_assert_ptr_null(ims_cache_insert(c, &t, NULL)); /* no such size */
	ck_assert_ptr_null(ims_cache_insert(c, NULL, NULL));
	ck_assert_ptr_null(ims_cache_lookup(c, NULL));
	ck_assert_uint_eq(ims_cache_count(c), 0);
	ck_assert_ptr_null(ims_cache_lookup(NULL, &t));
	ck_assert_ptr_null(ims_cache_lookup_match(NULL, 0, NULL, NULL, NULL));
	ck_assert_ptr_null(ims_cache_insert(NULL, &t, NULL));
	ck_assert_uint_eq(ims_cache_invalidate(NULL, NULL, NULL), 0);
	ck_assert_uint_eq(ims_cache_invalidate_range(NULL, 0, 1, NULL, NULL), 0);
	ims_cache_foreach(NULL, count_fn, NULL);
	ck_assert_uint_eq(ims_cache_count(NULL), 0);
	ck_assert_uint_eq(ims_cache_capacity(NULL), 0);
	ck_assert_str_eq(ims_cache_name(NULL), "");
	ck_assert_ptr_null(ims_cache_counters(NULL));
	ims_cache_reset_counters(NULL);
	ims_cache_free(NULL);
	ims_cache_free(c);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("cache");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, bad_configurations_are_refused);
	tcase_add_test(tc, hits_misses_and_inserts_are_counted);
	tcase_add_test(tc, lru_evicts_the_least_recently_used_way);
	tcase_add_test(tc, lru_fills_an_invalidated_way_before_evicting);
	tcase_add_test(tc, random_replacement_is_deterministic_for_a_seed);
	tcase_add_test(tc, random_replacement_uses_free_ways_first);
	tcase_add_test(tc, entries_of_several_sizes_match_any_address_inside);
	tcase_add_test(tc, the_smallest_entry_covering_an_address_wins);
	tcase_add_test(tc, any_field_mismatch_is_a_miss);
	tcase_add_test(tc, caches_not_keyed_by_address_spread_a_key_in_addr_over_the_sets);
	tcase_add_test(tc, lookup_match_lets_the_caller_decide);
	tcase_add_test(tc, invalidate_by_predicate_removes_only_what_it_selects);
	tcase_add_test(tc, range_invalidation_matches_a_brute_force_model);
	tcase_add_test(tc, small_range_on_a_large_cache_probes_only_its_pages);
	tcase_add_test(tc, many_sizes_together_never_cost_more_than_one_scan);
	tcase_add_test(tc, every_set_is_used);
	tcase_add_test(tc, a_probe_removes_only_entries_of_the_size_it_probes);
	tcase_add_test(tc, range_invalidation_at_the_top_of_the_address_space);
	tcase_add_test(tc, inserting_the_same_tag_replaces_in_place);
	tcase_add_test(tc, value_bytes_are_preserved_and_aligned);
	tcase_add_test(tc, zero_sized_values_still_report_hits);
	tcase_add_test(tc, foreach_visits_every_entry_once);
	tcase_add_test(tc, bad_arguments_never_crash);
	suite_add_tcase(s, tc);
	return s;
}
