/* SPDX-License-Identifier: MIT */
/* sim/ring: vendor producer/consumer pointer conventions (contract: sim/ring.h). */
#include <errno.h>

#include "sim/ring.h"
#include "tests/unit/tharness.h"

static struct ims_ring ring(enum ims_ring_style style, unsigned log2n, unsigned entry_size,
			    uint64_t base)
{
	struct ims_ring r;
	ck_assert_int_eq(ims_ring_init(&r, style, log2n, entry_size, base), 0);
	return r;
}

START_TEST(init_rejects_sizes_a_ring_cannot_have)
{
	struct ims_ring r;

	ck_assert_int_eq(ims_ring_init(&r, IMS_RING_VTD, 25, 16, 0), -EINVAL);
	ck_assert_int_eq(ims_ring_init(&r, IMS_RING_VTD, 8, 0, 0), -EINVAL);
	ck_assert_int_eq(ims_ring_init(&r, IMS_RING_SMMU, 8, 24, 0), -EINVAL);
	ck_assert_int_eq(ims_ring_init(&r, IMS_RING_AMD, 8, 3, 0), -EINVAL);
	ck_assert_int_eq(ims_ring_init(&r, (enum ims_ring_style)9, 8, 16, 0), -EINVAL);
	ck_assert_int_eq(ims_ring_init(NULL, IMS_RING_VTD, 8, 16, 0), -EINVAL);
	ck_assert_int_eq(ims_ring_init(&r, IMS_RING_SMMU, 24, 1u << 31, 0x1000), 0);
	ck_assert_uint_eq(ims_ring_slots(&r), 1u << 24);
	ck_assert_u64_eq(r.base, 0x1000);
	ck_assert_uint_eq(r.entry_size, 1u << 31);
}
END_TEST

/* Drives a producer and a consumer round the ring several times with a
 * reference count of queued entries, checking every query at each step. */
static void walk(enum ims_ring_style style, unsigned log2n, unsigned entry_size, uint32_t usable)
{
	struct ims_ring r = ring(style, log2n, entry_size, 0x10000);
	uint64_t prod = 0, cons = 0, rng = ims_test_seed(11 + style);
	uint32_t queued = 0;

	for (int step = 0; step < 5000; step++) {
		ck_assert_uint_eq(ims_ring_count(&r, prod, cons), queued);
		ck_assert_uint_eq(ims_ring_space(&r, prod, cons), usable - queued);
		ck_assert(ims_ring_empty(&r, prod, cons) == (queued == 0));
		ck_assert(ims_ring_full(&r, prod, cons) == (queued == usable));
		ck_assert(ims_ring_ptr_valid(&r, prod));
		ck_assert(ims_ring_ptr_valid(&r, cons));
		ck_assert_u64_eq(ims_ring_ptr_mask(&r, prod), prod);
		/* The producer writes at prod's slot; it is never a queued one. */
		ck_assert_uint_eq(ims_ring_slot(&r, prod),
				  (ims_ring_slot(&r, cons) + queued) % ims_ring_slots(&r));

		uint32_t n = (uint32_t)(ims_test_rand(&rng) % 4);
		if (ims_test_rand(&rng) & 1) {
			if (n > usable - queued)
				n = usable - queued;
			uint64_t p = prod;
			for (uint32_t i = 0; i < n; i++)
				p = ims_ring_next(&r, p);
			prod = ims_ring_advance(&r, prod, n);
			ck_assert_u64_eq(prod, p);
			queued += n;
		} else {
			if (n > queued)
				n = queued;
			cons = ims_ring_advance(&r, cons, n);
			queued -= n;
		}
	}
}

START_TEST(vtd_ring_keeps_one_slot_free)
{
	walk(IMS_RING_VTD, 3, 16, 7);   /* 128-bit descriptors */
	walk(IMS_RING_VTD, 8, 32, 255); /* 256-bit descriptors / page requests */
}
END_TEST

START_TEST(amd_ring_keeps_one_slot_free)
{
	walk(IMS_RING_AMD, 8, 16, 255);
}
END_TEST

START_TEST(smmu_ring_uses_every_slot)
{
	walk(IMS_RING_SMMU, 3, 16, 8);
	walk(IMS_RING_SMMU, 0, 16, 1); /* one slot: the wrap flag is bit 0 */
	walk(IMS_RING_SMMU, 5, 32, 32);
}
END_TEST

START_TEST(vtd_pointers_are_byte_offsets)
{
	/* An 8-entry queue of 16-byte descriptors at 0x4000. */
	struct ims_ring r = ring(IMS_RING_VTD, 3, 16, 0x4000);

	ck_assert_u64_eq(ims_ring_next(&r, 0x00), 0x10);
	ck_assert_u64_eq(ims_ring_next(&r, 0x70), 0x00); /* wraps */
	ck_assert_u64_eq(ims_ring_advance(&r, 0x60, 3), 0x10);
	ck_assert_u64_eq(ims_ring_advance(&r, 0x10, 8 * 1000 + 1), 0x20);
	ck_assert_uint_eq(ims_ring_slot(&r, 0x50), 5);
	ck_assert_u64_eq(ims_ring_addr(&r, 0x50), 0x4050);
	ck_assert_u64_eq(ims_ring_ptr(&r, 5, true), 0x50);
	ck_assert_u64_eq(ims_ring_ptr(&r, 13, false), 0x50); /* slot taken modulo N */

	/* Full: tail one slot behind head, 7 queued. */
	ck_assert(ims_ring_full(&r, 0x20, 0x30));
	ck_assert_uint_eq(ims_ring_count(&r, 0x20, 0x30), 7);
	ck_assert(ims_ring_full(&r, 0x70, 0x00));
	ck_assert(!ims_ring_full(&r, 0x00, 0x00));
	ck_assert_uint_eq(ims_ring_count(&r, 0x10, 0x60), 3); /* across the wrap */

	/* A tail past the end or between slots is invalid (IQE). */
	ck_assert(ims_ring_ptr_valid(&r, 0x70));
	ck_assert(!ims_ring_ptr_valid(&r, 0x80));
	ck_assert(!ims_ring_ptr_valid(&r, 0x18));
	ck_assert(!ims_ring_ptr_valid(&r, 0x100000000ull));
	ck_assert_u64_eq(ims_ring_ptr_mask(&r, 0xfff8), 0x70);

	/* 256-bit descriptors: bit 4 set is a misaligned tail (IQEI 6). */
	struct ims_ring w = ring(IMS_RING_VTD, 3, 32, 0);
	ck_assert(!ims_ring_ptr_valid(&w, 0x10));
	ck_assert(ims_ring_ptr_valid(&w, 0xe0));
	ck_assert(!ims_ring_ptr_valid(&w, 0x100));
}
END_TEST

START_TEST(amd_ring_is_full_when_tail_plus_16_is_head)
{
	/* Command buffer with ComLen 8: 256 entries of 16 bytes (4 KiB). */
	struct ims_ring r = ring(IMS_RING_AMD, 8, 16, 0x80000);

	ck_assert(ims_ring_full(&r, 0x010, 0x020));
	ck_assert(ims_ring_full(&r, 0xff0, 0x000));
	ck_assert(!ims_ring_full(&r, 0xff0, 0x010));
	ck_assert_uint_eq(ims_ring_space(&r, 0xff0, 0x010), 1);
	ck_assert_u64_eq(ims_ring_next(&r, 0xff0), 0);
	ck_assert(ims_ring_ptr_valid(&r, 0xff0));
	ck_assert(!ims_ring_ptr_valid(&r, 0x1000));
	ck_assert(!ims_ring_ptr_valid(&r, 0x8));
	ck_assert_u64_eq(ims_ring_addr(&r, 0xff0), 0x80ff0);
	/* Bits the ring does not use are ignored by every query. */
	ck_assert(ims_ring_empty(&r, 0x10010, 0x10));
	ck_assert_uint_eq(ims_ring_count(&r, 0x1234567, 0x7), 0x56);
}
END_TEST

START_TEST(smmu_pointers_carry_a_wrap_bit_above_the_index)
{
	/* Eight 16-byte commands: index bits [2:0], wrap bit [3]. */
	struct ims_ring r = ring(IMS_RING_SMMU, 3, 16, 0x9000);

	ck_assert_u64_eq(ims_ring_next(&r, 0x6), 0x7);
	ck_assert_u64_eq(ims_ring_next(&r, 0x7), 0x8);  /* wrap flag set */
	ck_assert_u64_eq(ims_ring_next(&r, 0xf), 0x0);  /* and cleared */
	ck_assert_u64_eq(ims_ring_advance(&r, 0x5, 11), 0x0);
	ck_assert_uint_eq(ims_ring_slot(&r, 0xd), 5);
	ck_assert_u64_eq(ims_ring_addr(&r, 0xd), 0x9050);
	ck_assert_u64_eq(ims_ring_ptr(&r, 5, true), 0xd);
	ck_assert_u64_eq(ims_ring_ptr(&r, 5, false), 0x5);

	/* IHI0070 §3.5.1: same index and wrap empty, other wrap full. */
	ck_assert(ims_ring_empty(&r, 0xb, 0xb));
	ck_assert(ims_ring_full(&r, 0xb, 0x3));
	ck_assert(ims_ring_full(&r, 0x3, 0xb));
	ck_assert_uint_eq(ims_ring_count(&r, 0x3, 0xb), 8);
	ck_assert_uint_eq(ims_ring_count(&r, 0x9, 0x6), 3); /* partly full across the wrap */

	/* Inconsistent (PROD behind CONS): nothing to consume, no space. */
	ck_assert(!ims_ring_empty(&r, 0x2, 0x5));
	ck_assert(!ims_ring_full(&r, 0x2, 0x5));
	ck_assert_uint_eq(ims_ring_count(&r, 0x2, 0x5), 0);
	ck_assert_uint_eq(ims_ring_space(&r, 0x2, 0x5), 0);

	/* Bits above the wrap bit make a pointer invalid, and are masked. */
	ck_assert(ims_ring_ptr_valid(&r, 0xf));
	ck_assert(!ims_ring_ptr_valid(&r, 0x10));
	ck_assert(!ims_ring_ptr_valid(&r, 0x80000000u));
	ck_assert_u64_eq(ims_ring_ptr_mask(&r, 0xfff3), 0x3);
	ck_assert(ims_ring_empty(&r, 0x13, 0x3));
}
END_TEST

START_TEST(a_one_slot_vtd_ring_can_hold_nothing)
{
	struct ims_ring r = ring(IMS_RING_VTD, 0, 16, 0);

	ck_assert(ims_ring_empty(&r, 0, 0));
	ck_assert(ims_ring_full(&r, 0, 0));
	ck_assert_uint_eq(ims_ring_space(&r, 0, 0), 0);
	ck_assert_u64_eq(ims_ring_next(&r, 0), 0);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, init_rejects_sizes_a_ring_cannot_have);
	tcase_add_test(tc, vtd_ring_keeps_one_slot_free);
	tcase_add_test(tc, amd_ring_keeps_one_slot_free);
	tcase_add_test(tc, smmu_ring_uses_every_slot);
	tcase_add_test(tc, vtd_pointers_are_byte_offsets);
	tcase_add_test(tc, amd_ring_is_full_when_tail_plus_16_is_head);
	tcase_add_test(tc, smmu_pointers_carry_a_wrap_bit_above_the_index);
	tcase_add_test(tc, a_one_slot_vtd_ring_can_hold_nothing);
	suite_add_tcase(s, tc);
	return s;
}
