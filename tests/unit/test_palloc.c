/* SPDX-License-Identifier: MIT */
/* sim/palloc: simulated physical page allocator (contract: sim/palloc.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/palloc.h"
#include "tests/unit/tharness.h"

#define KiB 1024ull
#define MiB (1024ull * 1024)

static struct ims_mem *m;
static struct ims_palloc pa;

static void setup(void)
{
	m = ims_mem_new();
	ck_assert_ptr_nonnull(m);
	memset(&pa, 0, sizeof(pa));
}

static void teardown(void)
{
	ims_palloc_fini(&pa);
	ims_mem_free(m);
	m = NULL;
}

static uint64_t alloc_ok(unsigned order)
{
	uint64_t a = 0;
	ck_assert_int_eq(ims_palloc_alloc(&pa, order, &a), 0);
	return a;
}

START_TEST(every_order_is_naturally_aligned_inside_the_pool)
{
	/* A base aligned to one frame only, so every order needs padding. */
	const uint64_t base = 0x40000000ull + 0x3000, size = 64 * MiB;
	ck_assert_int_eq(ims_palloc_init(&pa, m, base, size), 0);
	for (int round = 0; round < 3; round++) {
		for (unsigned o = 0; o <= IMS_PALLOC_MAX_ORDER; o++) {
			uint64_t a = alloc_ok(IMS_PALLOC_MAX_ORDER - o);
			uint64_t bytes = 4096ull << (IMS_PALLOC_MAX_ORDER - o);
			ck_assert_u64_eq(a & (bytes - 1), 0);
			ck_assert_uint_ge(a, base);
			ck_assert_uint_le(a + bytes, base + size);
		}
	}
}
END_TEST

struct blk {
	uint64_t pa, bytes;
};

static int blk_cmp(const void *x, const void *y)
{
	const struct blk *a = x, *b = y;
	return a->pa < b->pa ? -1 : a->pa > b->pa;
}

START_TEST(live_blocks_never_overlap)
{
	enum { N = 2000 };
	static struct blk live[N];
	size_t n = 0;
	uint64_t st = ims_test_seed(0xa110c);
	const uint64_t base = 0x100000000ull + 0x5000, size = 1024 * MiB;
	ck_assert_int_eq(ims_palloc_init(&pa, m, base, size), 0);
	for (int op = 0; op < 20000; op++) {
		uint64_t r = ims_test_rand(&st);
		if (n && (n == N || (r & 3) == 0)) {
			size_t i = (size_t)((r >> 8) % n);
			ims_palloc_free(&pa, live[i].pa, ims_palloc_order(live[i].bytes));
			live[i] = live[--n];
			continue;
		}
		/* Mostly single pages, as page tables are. */
		unsigned o = (r >> 4) & 1 ? 0 : (unsigned)((r >> 8) % (IMS_PALLOC_MAX_ORDER + 1));
		uint64_t a;
		int rc = ims_palloc_alloc(&pa, o, &a);
		ck_assert_int_eq(rc, 0);
		live[n].pa = a;
		live[n].bytes = 4096ull << o;
		n++;
	}
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += live[i].bytes;
	ck_assert_u64_eq(pa.in_use_bytes, total);
	qsort(live, n, sizeof(live[0]), blk_cmp);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_ge(live[i].pa, base);
		ck_assert_uint_le(live[i].pa + live[i].bytes, base + size);
		ck_assert_u64_eq(live[i].pa & (live[i].bytes - 1), 0);
		if (i)
			ck_assert_uint_le(live[i - 1].pa + live[i - 1].bytes, live[i].pa);
	}
}
END_TEST

START_TEST(freed_blocks_are_reused_last_in_first_out)
{
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0x200000, 4 * MiB), 0);
	uint64_t a = alloc_ok(0), b = alloc_ok(0), c = alloc_ok(0);
	ck_assert_u64_eq(a, 0x200000);
	ck_assert_u64_eq(b, 0x201000);
	ck_assert_u64_eq(c, 0x202000);
	ims_palloc_free(&pa, a, 0);
	ims_palloc_free(&pa, c, 0);
	ck_assert_u64_eq(alloc_ok(0), c);
	ck_assert_u64_eq(alloc_ok(0), a);
	ck_assert_u64_eq(alloc_ok(0), 0x203000); /* lists empty: bump again */

	/* Sizes have separate lists. */
	uint64_t big = alloc_ok(2);
	ims_palloc_free(&pa, big, 2);
	ims_palloc_free(&pa, b, 0);
	ck_assert_u64_eq(alloc_ok(2), big);
	ck_assert_u64_eq(alloc_ok(0), b);
}
END_TEST

static void run_sequence(struct ims_mem *mem, uint64_t seed, uint64_t *out, size_t nout)
{
	struct ims_palloc p;
	uint64_t held[64];
	unsigned held_o[64];
	size_t n = 0;
	ck_assert_int_eq(ims_palloc_init(&p, mem, 0x10000000, 128 * MiB), 0);
	for (size_t i = 0; i < nout; i++) {
		uint64_t r = ims_test_rand(&seed);
		if (n == 64 || (n && (r & 1))) {
			size_t k = (size_t)((r >> 1) % n);
			ims_palloc_free(&p, held[k], held_o[k]);
			held[k] = held[n - 1];
			held_o[k] = held_o[n - 1];
			n--;
			out[i] = 0;
		} else {
			unsigned o = (unsigned)((r >> 8) % (IMS_PALLOC_MAX_ORDER + 1));
			ck_assert_int_eq(ims_palloc_alloc(&p, o, &held[n]), 0);
			held_o[n] = o;
			out[i] = held[n++];
		}
	}
	ims_palloc_fini(&p);
}

START_TEST(same_call_sequence_gives_the_same_addresses)
{
	enum { N = 4000 };
	static uint64_t first[N], second[N];
	struct ims_mem *other = ims_mem_new();
	ck_assert_ptr_nonnull(other);
	run_sequence(m, 77, first, N);
	run_sequence(other, 77, second, N);
	ck_assert_mem_eq(first, second, sizeof(first));
	ims_mem_free(other);
}
END_TEST

START_TEST(a_reused_block_comes_back_zeroed)
{
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0x800000, 1 * MiB), 0);
	uint64_t a = alloc_ok(1);
	uint8_t junk[8192];
	memset(junk, 0x5a, sizeof(junk));
	ims_mem_write(m, a, junk, sizeof(junk), IMS_MEM_DRIVER);
	ims_palloc_free(&pa, a, 1);
	/* Freeing leaves the contents alone (a stale reader would see them). */
	ck_assert_u64_eq(ims_mem_read64(m, a + 0x1ff8, IMS_MEM_DATA), 0x5a5a5a5a5a5a5a5aull);

	ims_mem_reset_counters(m);
	ck_assert_u64_eq(alloc_ok(1), a);
	uint8_t back[8192];
	ims_mem_read(m, a, back, sizeof(back), IMS_MEM_DATA);
	for (size_t i = 0; i < sizeof(back); i++)
		ck_assert_uint_eq(back[i], 0);
	/* Zeroing is a DRIVER write of the whole block and frees host frames. */
	ck_assert_u64_eq(ims_mem_counters(m)->writes[IMS_MEM_DRIVER], 1);
	ck_assert_u64_eq(ims_mem_counters(m)->write_bytes[IMS_MEM_DRIVER], 8192);
	ck_assert_uint_eq(ims_mem_frames(m), 0);
}
END_TEST

START_TEST(exhaustion_gives_enomem_and_a_free_recovers)
{
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0x10000, 4 * 4096), 0);
	uint64_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = alloc_ok(0);
	uint64_t x = 0xdead;
	ck_assert_int_eq(ims_palloc_alloc(&pa, 0, &x), -ENOMEM);
	ck_assert_u64_eq(x, 0xdead); /* untouched on failure */
	ck_assert_int_eq(ims_palloc_alloc(&pa, 1, &x), -ENOMEM);
	ims_palloc_free(&pa, b[2], 0);
	ck_assert_u64_eq(alloc_ok(0), b[2]);
	ck_assert_int_eq(ims_palloc_alloc(&pa, 0, &x), -ENOMEM);

	/* An order larger than the whole pool never fits. */
	ims_palloc_fini(&pa);
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0x100000, 512 * KiB), 0);
	ck_assert_int_eq(ims_palloc_alloc(&pa, IMS_PALLOC_MAX_ORDER, &x), -ENOMEM);
	ck_assert_u64_eq(alloc_ok(IMS_PALLOC_MAX_ORDER - 1), 0x100000);

	/* An empty pool. */
	ims_palloc_fini(&pa);
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0x100000, 0), 0);
	ck_assert_int_eq(ims_palloc_alloc(&pa, 0, &x), -ENOMEM);
}
END_TEST

START_TEST(alignment_padding_is_not_lost)
{
	/* Three frames below a 1 MiB boundary, then 1 MiB: the big block goes
	 * at the boundary and the three frames below it still serve pages. */
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0xfd000, 3 * 4096 + 1 * MiB), 0);
	ck_assert_u64_eq(alloc_ok(IMS_PALLOC_MAX_ORDER), 0x100000);
	ck_assert_u64_eq(alloc_ok(0), 0xfd000);
	ck_assert_u64_eq(alloc_ok(0), 0xfe000); /* split from the order-1 pad */
	ck_assert_u64_eq(alloc_ok(0), 0xff000);
	uint64_t x;
	ck_assert_int_eq(ims_palloc_alloc(&pa, 0, &x), -ENOMEM);
	ck_assert_u64_eq(pa.in_use_bytes, 3 * 4096 + 1 * MiB);
}
END_TEST

START_TEST(a_larger_free_block_is_split_when_nothing_else_fits)
{
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0x400000, 1 * MiB), 0);
	uint64_t big = alloc_ok(IMS_PALLOC_MAX_ORDER);
	uint64_t x;
	ck_assert_int_eq(ims_palloc_alloc(&pa, 0, &x), -ENOMEM);
	ims_palloc_free(&pa, big, IMS_PALLOC_MAX_ORDER);
	/* The low frame is handed out; the upper halves wait on their lists. */
	ck_assert_u64_eq(alloc_ok(0), big);
	ck_assert_u64_eq(alloc_ok(0), big + 0x1000);
	ck_assert_u64_eq(alloc_ok(IMS_PALLOC_MAX_ORDER - 1), big + 512 * KiB);
	ck_assert_u64_eq(alloc_ok(1), big + 0x2000);
	ck_assert_int_eq(ims_palloc_alloc(&pa, IMS_PALLOC_MAX_ORDER - 1, &x), -ENOMEM);
	ck_assert_u64_eq(pa.in_use_bytes, 512 * KiB + 4 * 4096);
}
END_TEST

START_TEST(bad_arguments_are_refused_with_einval)
{
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0x1800, 0x10000), -EINVAL);   /* base */
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0x1000, 0x10800), -EINVAL);  /* size */
	ck_assert_int_eq(ims_palloc_init(&pa, NULL, 0x1000, 0x10000), -EINVAL);
	ck_assert_int_eq(ims_palloc_init(NULL, m, 0x1000, 0x10000), -EINVAL);
	/* Wrapping, including a pool that would end exactly at 2^64. */
	ck_assert_int_eq(ims_palloc_init(&pa, m, UINT64_MAX - 0xfff, 0x2000), -EINVAL);
	ck_assert_int_eq(ims_palloc_init(&pa, m, UINT64_MAX - 0xfff, 0x1000), -EINVAL);
	uint64_t x;
	/* A failed init leaves a pool that refuses everything and finis. */
	ck_assert_int_eq(ims_palloc_alloc(&pa, 0, &x), -EINVAL);
	ims_palloc_fini(&pa);

	ck_assert_int_eq(ims_palloc_init(&pa, m, UINT64_MAX - 0x1fff, 0x1000), 0);
	ck_assert_u64_eq(alloc_ok(0), UINT64_MAX - 0x1fff);
	ck_assert_int_eq(ims_palloc_alloc(&pa, IMS_PALLOC_MAX_ORDER + 1, &x), -EINVAL);
	ck_assert_int_eq(ims_palloc_alloc(&pa, 0, NULL), -EINVAL);
	ck_assert_int_eq(ims_palloc_alloc(NULL, 0, &x), -EINVAL);
	ims_palloc_free(NULL, 0, 0);
	ims_palloc_fini(NULL);
}
END_TEST

START_TEST(frees_of_blocks_not_from_the_pool_are_ignored)
{
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0x100000, 1 * MiB), 0);
	uint64_t a = alloc_ok(1);
	uint64_t b = alloc_ok(0);
	ims_palloc_free(&pa, a + 0x1000, 1);      /* misaligned for its order */
	ims_palloc_free(&pa, 0x80000, 0);         /* below the pool */
	ims_palloc_free(&pa, 0x300000, 0);        /* never handed out */
	ims_palloc_free(&pa, b, 1);               /* runs past the bump pointer */
	ims_palloc_free(&pa, a, IMS_PALLOC_MAX_ORDER + 1);
	ck_assert_u64_eq(pa.frees, 0);
	ck_assert_u64_eq(pa.in_use_bytes, 3 * 4096);
	ck_assert_uint_eq(pa.nfree[0] + pa.nfree[1], 0);
	/* More freed than is in use: an obvious double free is dropped. */
	ims_palloc_free(&pa, a, 1);
	ims_palloc_free(&pa, b, 0);
	ims_palloc_free(&pa, b, 0);
	ck_assert_u64_eq(pa.frees, 2);
	ck_assert_u64_eq(pa.in_use_bytes, 0);
	ck_assert_uint_eq(pa.nfree[0], 1);
}
END_TEST

START_TEST(usage_counters_track_in_use_and_peak)
{
	ck_assert_int_eq(ims_palloc_init(&pa, m, 0x1000000, 16 * MiB), 0);
	uint64_t a = alloc_ok(0), b = alloc_ok(3), c = alloc_ok(IMS_PALLOC_MAX_ORDER);
	ck_assert_u64_eq(pa.in_use_bytes, 4096 + 32 * KiB + 1 * MiB);
	ims_palloc_free(&pa, c, IMS_PALLOC_MAX_ORDER);
	ims_palloc_free(&pa, a, 0);
	ck_assert_u64_eq(pa.in_use_bytes, 32 * KiB);
	ck_assert_u64_eq(pa.peak_bytes, 4096 + 32 * KiB + 1 * MiB);
	ims_palloc_free(&pa, b, 3);
	ck_assert_u64_eq(pa.in_use_bytes, 0);
	ck_assert_u64_eq(pa.allocs, 3);
	ck_assert_u64_eq(pa.frees, 3);

	/* Many frees grow the free list beyond its first allocation. */
	uint64_t blocks[100];
	for (int i = 0; i < 100; i++)
		blocks[i] = alloc_ok(0);
	for (int i = 0; i < 100; i++)
		ims_palloc_free(&pa, blocks[i], 0);
	ck_assert_uint_ge(pa.nfree[0], 100);
	ck_assert_u64_eq(alloc_ok(0), blocks[99]);
}
END_TEST

START_TEST(order_is_the_smallest_block_that_holds_the_bytes)
{
	ck_assert_uint_eq(ims_palloc_order(0), 0);
	ck_assert_uint_eq(ims_palloc_order(1), 0);
	ck_assert_uint_eq(ims_palloc_order(4096), 0);
	ck_assert_uint_eq(ims_palloc_order(4097), 1);
	ck_assert_uint_eq(ims_palloc_order(8192), 1);
	ck_assert_uint_eq(ims_palloc_order(8193), 2);
	ck_assert_uint_eq(ims_palloc_order(64 * KiB), 4);
	ck_assert_uint_eq(ims_palloc_order(1 * MiB), IMS_PALLOC_MAX_ORDER);
	/* Too big for the allocator: the order says so (alloc gives -EINVAL). */
	ck_assert_uint_eq(ims_palloc_order(1 * MiB + 1), IMS_PALLOC_MAX_ORDER + 1);
	ck_assert_uint_eq(ims_palloc_order(UINT64_MAX), 52);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("palloc");
	TCase *tc = tcase_create("palloc");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_order_is_naturally_aligned_inside_the_pool);
	tcase_add_test(tc, live_blocks_never_overlap);
	tcase_add_test(tc, freed_blocks_are_reused_last_in_first_out);
	tcase_add_test(tc, same_call_sequence_gives_the_same_addresses);
	tcase_add_test(tc, a_reused_block_comes_back_zeroed);
	tcase_add_test(tc, exhaustion_gives_enomem_and_a_free_recovers);
	tcase_add_test(tc, alignment_padding_is_not_lost);
	tcase_add_test(tc, a_larger_free_block_is_split_when_nothing_else_fits);
	tcase_add_test(tc, bad_arguments_are_refused_with_einval);
	tcase_add_test(tc, frees_of_blocks_not_from_the_pool_are_ignored);
	tcase_add_test(tc, usage_counters_track_in_use_and_peak);
	tcase_add_test(tc, order_is_the_smallest_block_that_holds_the_bytes);
	suite_add_tcase(s, tc);
	return s;
}
