/* SPDX-License-Identifier: MIT */
/* sim/mem: sparse simulated physical memory (contract: sim/mem.h). */
#include <errno.h>
#include <string.h>

#include "sim/mem.h"
#include "tests/unit/tharness.h"

#define TOP UINT64_MAX
#define DRV IMS_MEM_DRIVER

static struct ims_mem *m;

static void setup(void)
{
	m = ims_mem_new();
	ck_assert_ptr_nonnull(m);
}

static void teardown(void)
{
	ims_mem_free(m);
	m = NULL;
}

static uint8_t byte_at(uint64_t pa)
{
	return ims_mem_read8(m, pa, DRV);
}

START_TEST(untouched_memory_reads_zero_and_allocates_nothing)
{
	const uint64_t addrs[] = {0, 0x1000, 0x12345678, 0xfff, TOP, TOP - 7, 0x8000000000000000ull};
	uint8_t buf[9000];
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uint64_t a = addrs[i];
		ck_assert_uint_eq(ims_mem_read8(m, a, DRV), 0);
		ck_assert_uint_eq(ims_mem_read16(m, a, DRV), 0);
		ck_assert_uint_eq(ims_mem_read32(m, a, DRV), 0);
		ck_assert_u64_eq(ims_mem_read64(m, a, DRV), 0);
		memset(buf, 0xa5, sizeof(buf));
		ims_mem_read(m, a, buf, sizeof(buf), DRV);
		for (size_t j = 0; j < sizeof(buf); j++)
			ck_assert_uint_eq(buf[j], 0);
		uint64_t v = 1;
		ck_assert(ims_mem_fetch64(m, a, IMS_MEM_WALK, &v));
		ck_assert_u64_eq(v, 0);
	}
	/* Zeroing untouched memory must not allocate either. */
	ims_mem_zero(m, 0x5000, 0x3800, DRV);
	ims_mem_zero(m, 0, TOP, DRV);
	ck_assert_uint_eq(ims_mem_frames(m), 0);
}
END_TEST

START_TEST(every_width_round_trips_in_little_endian_order)
{
	uint8_t raw[8];

	ims_mem_write8(m, 0x100, 0xab, DRV);
	ck_assert_uint_eq(ims_mem_read8(m, 0x100, DRV), 0xab);

	ims_mem_write16(m, 0x200, 0x1234, DRV);
	ims_mem_read(m, 0x200, raw, 2, DRV);
	ck_assert_uint_eq(raw[0], 0x34);
	ck_assert_uint_eq(raw[1], 0x12);
	ck_assert_uint_eq(ims_mem_read16(m, 0x200, DRV), 0x1234);

	ims_mem_write32(m, 0x300, 0x89abcdefu, DRV);
	ims_mem_read(m, 0x300, raw, 4, DRV);
	ck_assert_uint_eq(raw[0], 0xef);
	ck_assert_uint_eq(raw[1], 0xcd);
	ck_assert_uint_eq(raw[2], 0xab);
	ck_assert_uint_eq(raw[3], 0x89);
	ck_assert_uint_eq(ims_mem_read32(m, 0x300, DRV), 0x89abcdefu);

	ims_mem_write64(m, 0x400, 0x0102030405060708ull, DRV);
	ims_mem_read(m, 0x400, raw, 8, DRV);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(raw[i], 8 - i);
	ck_assert_u64_eq(ims_mem_read64(m, 0x400, DRV), 0x0102030405060708ull);

	/* Bytes written as a range read back as LE scalars of every width. */
	const uint8_t src[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	ims_mem_write(m, 0x508, src, sizeof(src), DRV);
	ck_assert_uint_eq(ims_mem_read16(m, 0x508, DRV), 0x2211);
	ck_assert_uint_eq(ims_mem_read32(m, 0x508, DRV), 0x44332211u);
	ck_assert_u64_eq(ims_mem_read64(m, 0x508, DRV), 0x8877665544332211ull);
	uint64_t v = 0;
	ck_assert(ims_mem_fetch64(m, 0x508, IMS_MEM_CONFIG, &v));
	ck_assert_u64_eq(v, 0x8877665544332211ull);

	/* A narrow write changes only its own bytes. */
	ims_mem_write16(m, 0x402, 0xbeef, DRV);
	ck_assert_u64_eq(ims_mem_read64(m, 0x400, DRV), 0x01020304beef0708ull);
	ck_assert_uint_eq(ims_mem_frames(m), 1);
}
END_TEST

START_TEST(accesses_straddling_a_frame_boundary_touch_both_frames)
{
	/* 16 bits across 0x1fff/0x2000. */
	ims_mem_write16(m, 0x1fff, 0xa1b2, DRV);
	ck_assert_uint_eq(byte_at(0x1fff), 0xb2);
	ck_assert_uint_eq(byte_at(0x2000), 0xa1);
	ck_assert_uint_eq(ims_mem_read16(m, 0x1fff, DRV), 0xa1b2);
	ck_assert_uint_eq(ims_mem_frames(m), 2);

	/* 32 bits split 1+3 across 0x3fff/0x4000. */
	ims_mem_write32(m, 0x3fff, 0x11223344u, DRV);
	ck_assert_uint_eq(byte_at(0x3fff), 0x44);
	ck_assert_uint_eq(byte_at(0x4000), 0x33);
	ck_assert_uint_eq(byte_at(0x4002), 0x11);
	ck_assert_uint_eq(ims_mem_read32(m, 0x3fff, DRV), 0x11223344u);

	/* 64 bits split 5+3 across 0x5fff/0x6000. */
	ims_mem_write64(m, 0x5ffb, 0x0807060504030201ull, DRV);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(byte_at(0x5ffb + (uint64_t)i), i + 1);
	ck_assert_u64_eq(ims_mem_read64(m, 0x5ffb, DRV), 0x0807060504030201ull);
	ck_assert_uint_eq(ims_mem_frames(m), 6);

	/* A straddling read where only the upper frame exists. */
	ims_mem_write8(m, 0x8000, 0x5a, DRV);
	ck_assert_u64_eq(ims_mem_read64(m, 0x7ffc, DRV), 0x5a00000000ull);
	ck_assert_uint_eq(ims_mem_frames(m), 7);
}
END_TEST

START_TEST(accesses_past_the_top_wrap_to_address_zero)
{
	ims_mem_write16(m, TOP, 0xbbaa, DRV);
	ck_assert_uint_eq(byte_at(TOP), 0xaa);
	ck_assert_uint_eq(byte_at(0), 0xbb);
	ck_assert_uint_eq(ims_mem_read16(m, TOP, DRV), 0xbbaa);
	ck_assert_uint_eq(ims_mem_frames(m), 2);

	ims_mem_write32(m, TOP - 1, 0x44332211u, DRV);
	ck_assert_uint_eq(byte_at(TOP - 1), 0x11);
	ck_assert_uint_eq(byte_at(TOP), 0x22);
	ck_assert_uint_eq(byte_at(0), 0x33);
	ck_assert_uint_eq(byte_at(1), 0x44);
	ck_assert_uint_eq(ims_mem_read32(m, TOP - 1, DRV), 0x44332211u);

	ims_mem_write64(m, TOP - 2, 0x8877665544332211ull, DRV);
	const uint64_t where[8] = {TOP - 2, TOP - 1, TOP, 0, 1, 2, 3, 4};
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(byte_at(where[i]), 0x11 * (i + 1));
	ck_assert_u64_eq(ims_mem_read64(m, TOP - 2, DRV), 0x8877665544332211ull);

	/* Byte ranges wrap the same way. */
	uint8_t src[10], dst[10];
	for (int i = 0; i < 10; i++)
		src[i] = (uint8_t)(0xc0 + i);
	ims_mem_write(m, TOP - 4, src, sizeof(src), DRV);
	ck_assert_uint_eq(byte_at(TOP - 4), 0xc0);
	ck_assert_uint_eq(byte_at(TOP), 0xc4);
	ck_assert_uint_eq(byte_at(0), 0xc5);
	ck_assert_uint_eq(byte_at(4), 0xc9);
	ims_mem_read(m, TOP - 4, dst, sizeof(dst), DRV);
	ck_assert_mem_eq(dst, src, sizeof(src));
	ck_assert_uint_eq(ims_mem_frames(m), 2);
}
END_TEST

START_TEST(large_byte_range_spans_many_frames)
{
	enum { LEN = 40 * 4096 + 123 };
	static uint8_t src[LEN], dst[LEN + 8192];
	for (size_t i = 0; i < LEN; i++)
		src[i] = (uint8_t)(i * 7 + (i >> 12));
	const uint64_t base = 0x7654321000ull + 0x9a0;
	ims_mem_write(m, base, src, LEN, IMS_MEM_DATA);
	/* 0x9a0 + LEN bytes start inside one frame and end inside the 42nd. */
	ck_assert_uint_eq(ims_mem_frames(m), 41);

	/* Read a wider window: the bytes around the range are zero. */
	memset(dst, 0xee, sizeof(dst));
	ims_mem_read(m, base - 4096, dst, sizeof(dst), IMS_MEM_DATA);
	for (size_t i = 0; i < 4096; i++)
		ck_assert_uint_eq(dst[i], 0);
	ck_assert_mem_eq(dst + 4096, src, LEN);
	for (size_t i = 4096 + LEN; i < sizeof(dst); i++)
		ck_assert_uint_eq(dst[i], 0);
	ck_assert_uint_eq(ims_mem_frames(m), 41);
}
END_TEST

START_TEST(zero_releases_whole_frames_and_clears_partial_ones)
{
	uint8_t ones[4 * 4096];
	memset(ones, 0xff, sizeof(ones));
	ims_mem_write(m, 0x10000, ones, sizeof(ones), DRV);
	ck_assert_uint_eq(ims_mem_frames(m), 4);

	/* [0x10800, 0x13800): frames 0x11 and 0x12 go, 0x10 and 0x13 shrink. */
	ims_mem_zero(m, 0x10800, 0x3000, DRV);
	ck_assert_uint_eq(ims_mem_frames(m), 2);
	ck_assert_uint_eq(byte_at(0x107ff), 0xff);
	ck_assert_uint_eq(byte_at(0x10800), 0);
	ck_assert_u64_eq(ims_mem_read64(m, 0x11ff8, DRV), 0);
	ck_assert_uint_eq(byte_at(0x137ff), 0);
	ck_assert_uint_eq(byte_at(0x13800), 0xff);

	/* A range inside one frame only clears it. */
	ims_mem_zero(m, 0x13900, 0x10, DRV);
	ck_assert_uint_eq(byte_at(0x138ff), 0xff);
	ck_assert_uint_eq(byte_at(0x13900), 0);
	ck_assert_uint_eq(byte_at(0x1390f), 0);
	ck_assert_uint_eq(byte_at(0x13910), 0xff);
	ck_assert_uint_eq(ims_mem_frames(m), 2);

	/* Zero length does nothing. */
	ims_mem_zero(m, 0x10000, 0, DRV);
	ck_assert_uint_eq(byte_at(0x10000), 0xff);
	ck_assert_uint_eq(ims_mem_frames(m), 2);
}
END_TEST

START_TEST(zero_never_leaves_a_stale_frame_in_the_frame_cache)
{
	const uint64_t pa = 0xabc000;
	ims_mem_write64(m, pa + 8, 0x1122334455667788ull, DRV);
	ck_assert_u64_eq(ims_mem_read64(m, pa + 8, DRV), 0x1122334455667788ull);
	uint64_t hits = ims_mem_counters(m)->fast_hits;
	ck_assert_u64_eq(ims_mem_read64(m, pa + 8, DRV), 0x1122334455667788ull);
	ck_assert_u64_eq(ims_mem_counters(m)->fast_hits, hits + 1); /* served by the cache */

	ims_mem_zero(m, pa, 4096, DRV);
	ck_assert_uint_eq(ims_mem_frames(m), 0);
	uint64_t slow = ims_mem_counters(m)->slow_lookups;
	ck_assert_u64_eq(ims_mem_read64(m, pa + 8, DRV), 0);
	ck_assert_u64_eq(ims_mem_counters(m)->slow_lookups, slow + 1);

	ims_mem_write32(m, pa + 8, 0xcafef00du, DRV);
	ck_assert_u64_eq(ims_mem_read64(m, pa + 8, DRV), 0xcafef00dull);
	ck_assert_uint_eq(ims_mem_frames(m), 1);

	/* Same through the whole-table path (range wider than the table). */
	ims_mem_write8(m, 0x40000, 1, DRV);
	ims_mem_write8(m, 0x80000, 2, DRV);
	ck_assert_uint_eq(byte_at(0x80000), 2);
	ims_mem_zero(m, 0, 1ull << 40, DRV);
	ck_assert_uint_eq(ims_mem_frames(m), 0);
	ck_assert_uint_eq(byte_at(0x80000), 0);
	ck_assert_uint_eq(byte_at(0x40000), 0);
	ck_assert_u64_eq(ims_mem_read64(m, pa + 8, DRV), 0);
	ims_mem_write8(m, 0x80000, 3, DRV);
	ck_assert_uint_eq(byte_at(0x80000), 3);
}
END_TEST

START_TEST(zero_of_a_wrapping_or_huge_range_releases_exactly_the_covered_frames)
{
	/* Frames at the top, at zero and in between; a zero that wraps from
	 * the top two frames into the bottom two (per-frame path). */
	const uint64_t marks[] = {TOP - 0x1fff, TOP - 0xfff, 0, 0x1000, 0x2000, TOP - 0x2fff};
	for (size_t i = 0; i < 6; i++)
		ims_mem_write8(m, marks[i] + 5, (uint8_t)(i + 1), DRV);
	ck_assert_uint_eq(ims_mem_frames(m), 6);
	ims_mem_zero(m, TOP - 0x1fff, 0x4000, DRV);
	ck_assert_uint_eq(ims_mem_frames(m), 2);
	for (size_t i = 0; i < 4; i++)
		ck_assert_uint_eq(byte_at(marks[i] + 5), 0);
	ck_assert_uint_eq(byte_at(0x2005), 5);
	ck_assert_uint_eq(byte_at(TOP - 0x2fff + 5), 6);

	/* Whole-table path: a huge range with unaligned ends that wraps,
	 * [0x6000000006, 2^64) + [0, 0x3003). */
	for (size_t i = 0; i < 6; i++)
		ims_mem_write8(m, marks[i] + 5, (uint8_t)(i + 1), DRV);
	ims_mem_write8(m, 0x5000000000ull, 7, DRV);
	ims_mem_write8(m, 0x6000000005ull, 8, DRV);
	ims_mem_write8(m, 0x6000000006ull, 9, DRV);
	ims_mem_write8(m, 0x3002, 10, DRV);
	ims_mem_write8(m, 0x3003, 11, DRV);
	ck_assert_uint_eq(ims_mem_frames(m), 9);
	ims_mem_zero(m, 0x6000000006ull, 0x3003 - 0x6000000006ull, DRV);
	for (size_t i = 0; i < 6; i++)
		ck_assert_uint_eq(byte_at(marks[i] + 5), 0);
	ck_assert_uint_eq(byte_at(0x5000000000ull), 7);
	ck_assert_uint_eq(byte_at(0x6000000005ull), 8);
	ck_assert_uint_eq(byte_at(0x6000000006ull), 0);
	ck_assert_uint_eq(byte_at(0x3002), 0);
	ck_assert_uint_eq(byte_at(0x3003), 11);
	ck_assert_uint_eq(ims_mem_frames(m), 3);

	/* Everything but the last byte of the address space. */
	ims_mem_write8(m, TOP, 0x77, DRV);
	ims_mem_write8(m, TOP - 1, 0x66, DRV);
	ims_mem_zero(m, 0, TOP, DRV);
	ck_assert_uint_eq(byte_at(TOP), 0x77);
	ck_assert_uint_eq(byte_at(TOP - 1), 0);
	ck_assert_uint_eq(byte_at(0x5000000000ull), 0);
	ck_assert_uint_eq(ims_mem_frames(m), 1);
}
END_TEST

START_TEST(frame_table_survives_growth_and_random_release)
{
	enum { N = 20000 };
	static uint64_t fns[N];
	static uint8_t live[N];
	uint64_t st = ims_test_seed(0x5eed0001);
	for (size_t i = 0; i < N; i++) {
		/* Clustered and scattered frame numbers, all distinct. */
		fns[i] = (i & 1) ? 0x100000 + i : ((uint64_t)i << 30) ^ 0xfffff00000000ull;
		ims_mem_write64(m, fns[i] << 12, fns[i] * 3 + 1, DRV);
		live[i] = 1;
	}
	ck_assert_uint_eq(ims_mem_frames(m), N);
	size_t n = N;
	for (size_t k = 0; k < N / 2; k++) {
		size_t i = (size_t)(ims_test_rand(&st) % N);
		if (!live[i])
			continue;
		ims_mem_zero(m, fns[i] << 12, 4096, DRV);
		live[i] = 0;
		n--;
	}
	ck_assert_uint_eq(ims_mem_frames(m), n);
	for (size_t i = 0; i < N; i++)
		ck_assert_u64_eq(ims_mem_read64(m, fns[i] << 12, DRV), live[i] ? fns[i] * 3 + 1 : 0);
	ck_assert_uint_eq(ims_mem_frames(m), n);
}
END_TEST

START_TEST(counters_are_kept_per_kind)
{
	uint8_t buf[100] = {0};
	ims_mem_write64(m, 0x1000, 1, IMS_MEM_DRIVER);
	ims_mem_write(m, 0x2000, buf, 100, IMS_MEM_DRIVER);
	ims_mem_read64(m, 0x1000, IMS_MEM_WALK);
	ims_mem_read32(m, 0x1000, IMS_MEM_WALK);
	ims_mem_read16(m, 0x1000, IMS_MEM_CONFIG);
	ims_mem_read8(m, 0x1000, IMS_MEM_CONFIG);
	ims_mem_read(m, 0x1000, buf, 33, IMS_MEM_QUEUE);
	ims_mem_write16(m, 0x1000, 1, IMS_MEM_QUEUE);
	ims_mem_write8(m, 0x1000, 1, IMS_MEM_DATA);
	ims_mem_write32(m, 0x1000, 1, IMS_MEM_DATA);
	ims_mem_zero(m, 0x3000, 0x2000, IMS_MEM_DATA);
	ck_assert(ims_mem_store(m, 0x1000, buf, 12, IMS_MEM_QUEUE));
	ck_assert(ims_mem_store64(m, 0x1000, 5, IMS_MEM_WALK));
	ck_assert(ims_mem_fetch(m, 0x1000, buf, 24, IMS_MEM_QUEUE));

	const struct ims_mem_counters *c = ims_mem_counters(m);
	ck_assert_u64_eq(c->writes[IMS_MEM_DRIVER], 2);
	ck_assert_u64_eq(c->write_bytes[IMS_MEM_DRIVER], 108);
	ck_assert_u64_eq(c->reads[IMS_MEM_DRIVER], 0);
	ck_assert_u64_eq(c->reads[IMS_MEM_WALK], 2);
	ck_assert_u64_eq(c->read_bytes[IMS_MEM_WALK], 12);
	ck_assert_u64_eq(c->writes[IMS_MEM_WALK], 1);
	ck_assert_u64_eq(c->write_bytes[IMS_MEM_WALK], 8);
	ck_assert_u64_eq(c->reads[IMS_MEM_CONFIG], 2);
	ck_assert_u64_eq(c->read_bytes[IMS_MEM_CONFIG], 3);
	ck_assert_u64_eq(c->reads[IMS_MEM_QUEUE], 2);
	ck_assert_u64_eq(c->read_bytes[IMS_MEM_QUEUE], 57);
	ck_assert_u64_eq(c->writes[IMS_MEM_QUEUE], 2);
	ck_assert_u64_eq(c->write_bytes[IMS_MEM_QUEUE], 14);
	ck_assert_u64_eq(c->writes[IMS_MEM_DATA], 3);
	ck_assert_u64_eq(c->write_bytes[IMS_MEM_DATA], 5 + 0x2000);
	ck_assert_u64_eq(c->reads[IMS_MEM_DATA], 0);
	ck_assert_u64_eq(c->aborts, 0);
	/* Two first touches went to the table; the rest hit the frame cache. */
	ck_assert_u64_eq(c->slow_lookups, 2);
	ck_assert_u64_eq(c->fast_hits, 11);

	/* A bad kind is counted as software rather than out of bounds. */
	ims_mem_read8(m, 0, (enum ims_mem_kind)99);
	ck_assert_u64_eq(c->reads[IMS_MEM_DRIVER], 1);

	ims_mem_reset_counters(m);
	const struct ims_mem_counters zero = {0};
	ck_assert_mem_eq(c, &zero, sizeof(zero));
	ck_assert_u64_eq(ims_mem_read64(m, 0x1000, DRV), 5); /* memory kept */

	ck_assert_str_eq(ims_mem_kind_name(IMS_MEM_WALK), "walk");
	ck_assert_str_eq(ims_mem_kind_name(IMS_MEM_CONFIG), "config");
	ck_assert_str_eq(ims_mem_kind_name(IMS_MEM_QUEUE), "queue");
	ck_assert_str_eq(ims_mem_kind_name(IMS_MEM_DATA), "data");
	ck_assert_str_eq(ims_mem_kind_name(IMS_MEM_DRIVER), "driver");
	ck_assert_str_eq(ims_mem_kind_name(IMS_MEM_ORACLE), "oracle");
	ck_assert_str_eq(ims_mem_kind_name(IMS_MEM_NKINDS), "invalid");
}
END_TEST

START_TEST(fetch_and_store_refuse_abort_ranges_plain_accessors_do_not)
{
	ims_mem_write64(m, 0x7000, 0x1111, DRV);
	ims_mem_write64(m, 0x8ff8, 0x2222, DRV);
	ck_assert_int_eq(ims_mem_add_abort(m, 0x8000, 0x8fff), 0);

	uint64_t v = 42;
	uint8_t buf[16];
	memset(buf, 0x3c, sizeof(buf));
	/* Inside, and overlapping by one byte on either side. */
	ck_assert(!ims_mem_fetch64(m, 0x8ff8, IMS_MEM_WALK, &v));
	ck_assert(!ims_mem_fetch64(m, 0x7ff9, IMS_MEM_WALK, &v));
	ck_assert(!ims_mem_fetch(m, 0x8fff, buf, 2, IMS_MEM_CONFIG));
	ck_assert_u64_eq(v, 42);
	ck_assert_uint_eq(buf[0], 0x3c);
	/* Adjacent accesses are fine. */
	ck_assert(ims_mem_fetch64(m, 0x7ff8, IMS_MEM_WALK, &v));
	ck_assert_u64_eq(v, 0);
	ck_assert(ims_mem_fetch(m, 0x9000, buf, 16, IMS_MEM_CONFIG));
	ck_assert(ims_mem_fetch(m, 0x8fff, buf, 0, IMS_MEM_CONFIG)); /* empty */

	/* Refused stores write nothing. */
	size_t frames = ims_mem_frames(m);
	ck_assert(!ims_mem_store64(m, 0x8ff8, 0xdead, IMS_MEM_WALK));
	ck_assert(!ims_mem_store64(m, 0x8004, 0xdead, IMS_MEM_WALK));
	ck_assert(!ims_mem_store(m, 0x7ffc, buf, 16, IMS_MEM_QUEUE));
	ck_assert_u64_eq(ims_mem_read64(m, 0x8ff8, DRV), 0x2222);
	ck_assert_u64_eq(ims_mem_read64(m, 0x7ff8, DRV), 0);
	ck_assert_uint_eq(ims_mem_frames(m), frames);
	ck_assert(ims_mem_store(m, 0x7ff0, buf, 16, IMS_MEM_QUEUE));

	/* Plain accessors see and change memory inside the range. */
	ck_assert_u64_eq(ims_mem_read64(m, 0x8ff8, DRV), 0x2222);
	ims_mem_write64(m, 0x8000, 0x3333, DRV);
	ck_assert_u64_eq(ims_mem_read64(m, 0x8000, DRV), 0x3333);

	const struct ims_mem_counters *c = ims_mem_counters(m);
	ck_assert_u64_eq(c->aborts, 6);
	ck_assert_u64_eq(c->reads[IMS_MEM_WALK], 3);      /* refusals counted too */
	ck_assert_u64_eq(c->writes[IMS_MEM_WALK], 2);
	ck_assert_u64_eq(c->write_bytes[IMS_MEM_QUEUE], 32);

	ims_mem_clear_aborts(m);
	ck_assert(ims_mem_fetch64(m, 0x8ff8, IMS_MEM_WALK, NULL)); /* NULL out is allowed */
	ck_assert(ims_mem_store64(m, 0x8ff8, 0x4444, IMS_MEM_WALK));
	ck_assert(ims_mem_fetch64(m, 0x8ff8, IMS_MEM_WALK, &v));
	ck_assert_u64_eq(v, 0x4444);
	ck_assert(!ims_mem_aborts(m, 0x8000, 1));
}
END_TEST

START_TEST(abort_range_at_the_top_and_wrapping_fetches)
{
	ck_assert_int_eq(ims_mem_add_abort(m, TOP - 0xfff, TOP), 0);
	uint64_t v;
	ck_assert(!ims_mem_fetch64(m, TOP - 7, IMS_MEM_WALK, &v));
	ck_assert(!ims_mem_fetch64(m, TOP, IMS_MEM_WALK, &v));
	ck_assert(ims_mem_fetch64(m, TOP - 0x1007, IMS_MEM_WALK, &v));
	ck_assert(!ims_mem_aborts(m, 0, UINT64_MAX - 0x1000 + 1));
	ck_assert(ims_mem_aborts(m, 0, UINT64_MAX));
	ck_assert(ims_mem_aborts(m, 5, UINT64_MAX)); /* wraps right up to 3 */
	ck_assert(!ims_mem_aborts(m, TOP, 0));

	/* Range at the bottom: a fetch that wraps past the top into it. */
	ims_mem_clear_aborts(m);
	ck_assert_int_eq(ims_mem_add_abort(m, 0, 0), 0);
	ck_assert(!ims_mem_fetch64(m, TOP - 6, IMS_MEM_WALK, &v));
	ck_assert(ims_mem_fetch64(m, TOP - 7, IMS_MEM_WALK, &v));
	uint8_t buf[3] = {1, 2, 3};
	ck_assert(!ims_mem_store(m, TOP - 1, buf, 3, IMS_MEM_DATA));
	ck_assert_uint_eq(ims_mem_frames(m), 0);
	ck_assert(ims_mem_store(m, TOP - 1, buf, 2, IMS_MEM_DATA));
	ck_assert_uint_eq(byte_at(TOP), 2);
	ck_assert(!ims_mem_aborts(m, 1, UINT64_MAX)); /* [1, TOP] misses 0 */
}
END_TEST

START_TEST(abort_range_table_limits_and_bad_ranges)
{
	ck_assert_int_eq(ims_mem_add_abort(m, 0x2000, 0x1fff), -EINVAL);
	ck_assert_int_eq(ims_mem_add_abort(m, 0x2000, 0x2000), 0); /* one byte */
	for (int i = 1; i < IMS_MEM_MAX_ABORTS; i++)
		ck_assert_int_eq(ims_mem_add_abort(m, 0x10000ull * (uint64_t)i, 0x10000ull * (uint64_t)i + 7), 0);
	ck_assert_int_eq(ims_mem_add_abort(m, 0x900000, 0x900fff), -ENOSPC);
	ck_assert(!ims_mem_aborts(m, 0x900000, 8)); /* the refused one is not active */
	ck_assert(ims_mem_aborts(m, 0x1fff, 2));
	ck_assert(ims_mem_aborts(m, 0xf0007, 1)); /* the last one added */
	ck_assert(!ims_mem_aborts(m, 0xf0008, 8));

	ims_mem_clear_aborts(m);
	ck_assert(!ims_mem_aborts(m, 0x2000, 1));
	ck_assert_int_eq(ims_mem_add_abort(m, 0x900000, 0x900fff), 0);
	ck_assert(ims_mem_aborts(m, 0x900800, 8));
}
END_TEST

/* A reference: a few byte windows, one of them straddling 2^64 -> 0. */
#define NWIN 3
#define WLEN 0x3000u
static const uint64_t win_base[NWIN] = {TOP - 0x17ff, 0x7fff0000800ull, 0xfffff800ull};
static uint8_t ref[NWIN][WLEN];

START_TEST(random_operations_match_a_flat_reference)
{
	uint64_t st = ims_test_seed(0x1234abcd);
	uint8_t buf[WLEN], tmp[WLEN];
	memset(ref, 0, sizeof(ref));
	for (int op = 0; op < 20000; op++) {
		unsigned w = (unsigned)(ims_test_rand(&st) % NWIN);
		unsigned kind = (unsigned)(ims_test_rand(&st) % 12);
		size_t len;
		switch (kind) {
		case 0: case 1: len = 1; break;
		case 2: case 3: len = 2; break;
		case 4: case 5: len = 4; break;
		case 6: case 7: len = 8; break;
		default:
			len = (ims_test_rand(&st) & 7) == 0 ? ims_test_rand(&st) % WLEN
							    : ims_test_rand(&st) % 64;
		}
		/* Offsets favour the frame boundaries inside the window. */
		size_t off;
		uint64_t r = ims_test_rand(&st);
		if (r & 1) {
			off = (size_t)((r >> 8) % (WLEN - len + 1));
		} else {
			uint64_t edge = 0x1000 - (win_base[w] & 0xfff) + 0x1000 * ((r >> 1) & 1);
			off = (size_t)edge - (size_t)((r >> 8) % 9);
			if (off + len > WLEN)
				off = WLEN - len;
		}
		uint64_t pa = win_base[w] + off;
		uint8_t *rp = &ref[w][off];
		bool wr = ims_test_rand(&st) & 1;
		uint64_t v = ims_test_rand(&st), got = 0, want = 0;
		if (len <= 8 && kind < 8) {
			for (size_t i = 0; i < len; i++)
				want |= (uint64_t)rp[i] << (8 * i);
		}
		switch (kind) {
		case 0: case 1:
			if (wr) { ims_mem_write8(m, pa, (uint8_t)v, IMS_MEM_DATA); rp[0] = (uint8_t)v; }
			else { got = ims_mem_read8(m, pa, IMS_MEM_DATA); ck_assert_u64_eq(got, want); }
			break;
		case 2: case 3:
			if (wr) { ims_mem_write16(m, pa, (uint16_t)v, IMS_MEM_WALK); }
			else { got = ims_mem_read16(m, pa, IMS_MEM_WALK); ck_assert_u64_eq(got, want); }
			break;
		case 4: case 5:
			if (wr) { ims_mem_write32(m, pa, (uint32_t)v, IMS_MEM_QUEUE); }
			else { got = ims_mem_read32(m, pa, IMS_MEM_QUEUE); ck_assert_u64_eq(got, want); }
			break;
		case 6:
			if (wr) { ims_mem_write64(m, pa, v, IMS_MEM_CONFIG); }
			else { got = ims_mem_read64(m, pa, IMS_MEM_CONFIG); ck_assert_u64_eq(got, want); }
			break;
		case 7:
			if (wr) { ck_assert(ims_mem_store64(m, pa, v, IMS_MEM_WALK)); }
			else { ck_assert(ims_mem_fetch64(m, pa, IMS_MEM_WALK, &got)); ck_assert_u64_eq(got, want); }
			break;
		case 8: case 9:
			if (wr) {
				for (size_t i = 0; i < len; i++)
					buf[i] = (uint8_t)ims_test_rand(&st);
				ims_mem_write(m, pa, buf, len, IMS_MEM_DATA);
				memcpy(rp, buf, len);
			} else {
				ims_mem_read(m, pa, buf, len, IMS_MEM_DATA);
				ck_assert_mem_eq(buf, rp, len);
			}
			break;
		case 10:
			if (wr) {
				ims_mem_zero(m, pa, len, IMS_MEM_DRIVER);
				memset(rp, 0, len);
			} else {
				ck_assert(ims_mem_fetch(m, pa, buf, len, IMS_MEM_DATA));
				ck_assert_mem_eq(buf, rp, len);
			}
			break;
		default: /* frame-aligned zero of whole frames: releases them */
			off = (size_t)(0x1000 - (win_base[w] & 0xfff)) + 0x1000 * (v & 1);
			len = 0x1000;
			ims_mem_zero(m, win_base[w] + off, len, IMS_MEM_DRIVER);
			memset(&ref[w][off], 0, len);
			break;
		}
		if (wr && kind >= 2 && kind < 8) {
			for (size_t i = 0; i < len; i++)
				rp[i] = (uint8_t)(v >> (8 * i));
		}
	}
	for (unsigned w = 0; w < NWIN; w++) {
		ims_mem_read(m, win_base[w], tmp, WLEN, IMS_MEM_DATA);
		ck_assert_mem_eq(tmp, ref[w], WLEN);
	}
	/* Each window spans at most 4 frames. */
	ck_assert_uint_le(ims_mem_frames(m), NWIN * 4);
}
END_TEST

START_TEST(two_memories_share_no_state)
{
	struct ims_mem *other = ims_mem_new();
	ck_assert_ptr_nonnull(other);
	ims_mem_write64(m, 0x1000, 0xaaaa, DRV);
	ims_mem_write64(other, 0x1000, 0xbbbb, DRV);
	ck_assert_int_eq(ims_mem_add_abort(other, 0x2000, 0x2fff), 0);

	ck_assert_u64_eq(ims_mem_read64(m, 0x1000, DRV), 0xaaaa);
	ck_assert_u64_eq(ims_mem_read64(other, 0x1000, DRV), 0xbbbb);
	ck_assert(ims_mem_fetch64(m, 0x2000, IMS_MEM_WALK, NULL));
	ck_assert(!ims_mem_fetch64(other, 0x2000, IMS_MEM_WALK, NULL));

	ims_mem_zero(other, 0x1000, 0x1000, DRV);
	ck_assert_uint_eq(ims_mem_frames(other), 0);
	ck_assert_uint_eq(ims_mem_frames(m), 1);
	ck_assert_u64_eq(ims_mem_read64(m, 0x1000, DRV), 0xaaaa);
	ck_assert_u64_eq(ims_mem_counters(m)->aborts, 0);
	ck_assert_u64_eq(ims_mem_counters(other)->aborts, 1);
	ck_assert_u64_eq(ims_mem_counters(m)->writes[DRV], 1);
	ck_assert_u64_eq(ims_mem_counters(other)->writes[DRV], 2);
	ims_mem_free(other);
	ims_mem_free(NULL); /* allowed */
	ck_assert_u64_eq(ims_mem_read64(m, 0x1000, DRV), 0xaaaa);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("mem");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, untouched_memory_reads_zero_and_allocates_nothing);
	tcase_add_test(tc, every_width_round_trips_in_little_endian_order);
	tcase_add_test(tc, accesses_straddling_a_frame_boundary_touch_both_frames);
	tcase_add_test(tc, accesses_past_the_top_wrap_to_address_zero);
	tcase_add_test(tc, large_byte_range_spans_many_frames);
	tcase_add_test(tc, zero_releases_whole_frames_and_clears_partial_ones);
	tcase_add_test(tc, zero_never_leaves_a_stale_frame_in_the_frame_cache);
	tcase_add_test(tc, zero_of_a_wrapping_or_huge_range_releases_exactly_the_covered_frames);
	tcase_add_test(tc, frame_table_survives_growth_and_random_release);
	tcase_add_test(tc, counters_are_kept_per_kind);
	tcase_add_test(tc, fetch_and_store_refuse_abort_ranges_plain_accessors_do_not);
	tcase_add_test(tc, abort_range_at_the_top_and_wrapping_fetches);
	tcase_add_test(tc, abort_range_table_limits_and_bad_ranges);
	tcase_add_test(tc, random_operations_match_a_flat_reference);
	tcase_add_test(tc, two_memories_share_no_state);
	suite_add_tcase(s, tc);
	return s;
}
