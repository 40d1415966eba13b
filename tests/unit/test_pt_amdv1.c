/* SPDX-License-Identifier: MIT */
/*
 * Known-answer tests of the AMD-Vi host (v1) page-table format
 * (shared/spec/amdvi.md §3.1; AMD IOMMU spec 2.2.3).
 *
 * Tables are built from raw 64-bit entries whose values are worked out here
 * from the spec's bit positions, never with the format's own encoders; then
 * the generic walker translates and we check output address, page size,
 * rights, fault kind and level, every entry read, and the A/D updates.  A few
 * mapper scenarios check the raw entries it writes (NextLevel=7 runs, splits)
 * and that emptied tables go back to the allocator.
 *
 * Levels: the spec numbers them 1..6 from the bottom; sim/pt numbers them
 * 0..5.  Table names below use the spec's numbers (L1T is a level-1 table),
 * and LV(n) converts a spec level to the walker's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/pt.h"
#include "tests/unit/tharness.h"

/* ---- entry bits, from the spec table (§3.1) ------------------------------ */
#define PR (1ull << 0)
#define A_BIT (1ull << 5)
#define D_BIT (1ull << 6)
#define NL(n) ((uint64_t)(n) << 9) /* NextLevel, bits 11:9 */
#define U_BIT (1ull << 59)
#define FC (1ull << 60)
#define IR (1ull << 61)
#define IW (1ull << 62)
#define RW (IR | IW)
#define ADDR_MASK 0x000ffffffffff000ull

#define LV(n) ((n) - 1)

/* Rights: v1 has no privilege and no execute distinction. */
#define RIGHTS_R (IMS_PT_PR | IMS_PT_UR | IMS_PT_PX | IMS_PT_UX)
#define RIGHTS_W (IMS_PT_PW | IMS_PT_UW)
#define RIGHTS_RW (RIGHTS_R | RIGHTS_W)

#define ACC_R IMS_PT_ACC_R
#define ACC_W IMS_PT_ACC_W

#define GB (1ull << 30)
#define TB (1ull << 40)

/* Table pages used by the hand-built trees. */
#define T_ROOT 0x100000ull
#define T_A 0x101000ull
#define T_B 0x102000ull
#define T_C 0x103000ull
#define T_D 0x104000ull
#define T_E 0x105000ull

static struct ims_mem *M;
static struct ims_pt_fmt F;
static struct ims_pt_walk W;

static void mem_setup(void)
{
	M = ims_mem_new();
	ck_assert_ptr_nonnull(M);
	memset(&F, 0, sizeof(F));
	memset(&W, 0, sizeof(W));
}

static void mem_teardown(void)
{
	ims_mem_free(M);
	M = NULL;
}

static void fmt(unsigned mode, unsigned oas, uint32_t flags)
{
	struct ims_pt_amdv1_cfg c = { .mode = mode, .oas = oas, .flags = flags };
	ck_assert_int_eq(ims_pt_fmt_amdv1(&F, &c), 0);
}

static void put(uint64_t table, unsigned idx, uint64_t v)
{
	ims_mem_write64(M, table + 8ull * idx, v, IMS_MEM_DRIVER);
}

static uint64_t get(uint64_t table, unsigned idx)
{
	return ims_mem_read64(M, table + 8ull * idx, IMS_MEM_DRIVER);
}

static enum ims_pt_fault tr(uint64_t iova, unsigned access)
{
	return ims_pt_translate(&F, M, T_ROOT, iova, access, &W);
}

#define EXPECT_OK(oa_, shift_, level_, rights_)                 \
	do {                                                    \
		ck_assert_str_eq(ims_pt_fault_name(W.fault), "ok"); \
		ck_assert_u64_eq(W.oa, (oa_));                  \
		ck_assert_uint_eq(W.size_shift, (shift_));      \
		ck_assert_uint_eq(W.run_shift, (shift_));       \
		ck_assert_int_eq(W.level, (level_));            \
		ck_assert_uint_eq(W.perms, (rights_));          \
	} while (0)

#define EXPECT_FAULT(kind_, level_, nreads_)                                           \
	do {                                                                           \
		ck_assert_str_eq(ims_pt_fault_name(W.fault), ims_pt_fault_name(kind_)); \
		ck_assert_int_eq(W.level, (level_));                                   \
		ck_assert_uint_eq(W.nreads, (nreads_));                                \
		ck_assert_uint_eq(W.nupdates, 0);                                      \
	} while (0)

#define EXPECT_READ(i_, level_, pa_)                          \
	do {                                                  \
		ck_assert_uint_gt(W.nreads, (i_));            \
		ck_assert_uint_eq(W.reads[i_].level, (level_)); \
		ck_assert_u64_eq(W.reads[i_].pa, (pa_));      \
	} while (0)

/* Mode 3 tree: L3 root at T_ROOT, slot 1 -> L2T T_A, slot 1 -> L1T T_B.
 * L1T[i] maps 0x40200000 + i*4K, L2T[j] maps 0x40000000 + j*2M, root[k]
 * maps k*1G. */
static void mode3_tree(void)
{
	fmt(3, 48, 0);
	put(T_ROOT, 1, PR | RW | NL(2) | T_A);
	put(T_A, 1, PR | RW | NL(1) | T_B);
}

/* ---- the format description --------------------------------------------- */

START_TEST(ctor_rejects_what_the_dte_cannot_express)
{
	struct ims_pt_amdv1_cfg c = { .mode = 3, .oas = 48 };

	c.mode = 0; /* Mode 0 = no translation, no table */
	ck_assert_int_eq(ims_pt_fmt_amdv1(&F, &c), -EINVAL);
	c.mode = 7; /* reserved */
	ck_assert_int_eq(ims_pt_fmt_amdv1(&F, &c), -EINVAL);
	c.mode = 3;
	c.oas = 53;
	ck_assert_int_eq(ims_pt_fmt_amdv1(&F, &c), -EINVAL);
	c.oas = 31;
	ck_assert_int_eq(ims_pt_fmt_amdv1(&F, &c), -EINVAL);
	c.oas = 48;
	c.flags = IMS_PT_F_SIGN_EXTEND; /* v1 never sign-extends */
	ck_assert_int_eq(ims_pt_fmt_amdv1(&F, &c), -EINVAL);
	c.flags = IMS_PT_F_NX;
	ck_assert_int_eq(ims_pt_fmt_amdv1(&F, &c), -EINVAL);
	c.flags = IMS_PT_F_AD;
	ck_assert_int_eq(ims_pt_fmt_amdv1(&F, &c), 0);
	ck_assert_int_eq(ims_pt_fmt_amdv1(NULL, &c), -EINVAL);
	ck_assert_int_eq(ims_pt_fmt_amdv1(&F, NULL), -EINVAL);
}
END_TEST

START_TEST(mode_sets_root_level_and_input_width)
{
	static const unsigned ias[7] = { 0, 21, 30, 39, 48, 57, 64 };

	for (unsigned mode = 1; mode <= 6; mode++) {
		fmt(mode, 52, 0);
		ck_assert_int_eq(F.kind, IMS_PT_AMD_V1);
		ck_assert_uint_eq(F.top_level, mode - 1);
		ck_assert_uint_eq(F.ias, ias[mode]);
		ck_assert_uint_eq(F.oas, 52);
		ck_assert_uint_eq(F.granule_shift, 12);
	}
	/* Index bits: 9 per level at 12/21/30/39/48, level 6 is IOVA[63:57]. */
	for (unsigned l = 0; l < 5; l++) {
		ck_assert_uint_eq(F.shift[l], 12 + 9 * l);
		ck_assert_uint_eq(F.bits[l], 9);
	}
	ck_assert_uint_eq(F.shift[5], 57);
	ck_assert_uint_eq(F.bits[5], 7);
	ck_assert_u64_eq(ims_pt_table_bytes(&F, 5), 1024);
	ck_assert_str_eq(F.level_name[0], "L1");
	ck_assert_str_eq(F.level_name[5], "L6");
	ck_assert_str_eq(F.name, "AMD-Vi v1 mode 6");
}
END_TEST

START_TEST(mapper_sizes_stop_below_512g_pages)
{
	fmt(3, 48, 0);
	/* L1: 4K and NextLevel=7 8K..1M; L2: 2M, 4M..512M; L3: 1G, 2G..256G. */
	ck_assert_u64_eq(F.leaf_shifts[0], 0x1ff000ull);     /* bits 12..20 */
	ck_assert_u64_eq(F.leaf_shifts[1], 0x3fe00000ull);   /* bits 21..29 */
	ck_assert_u64_eq(F.leaf_shifts[2], 0x7fc0000000ull); /* bits 30..38 */
	/* No 512 GiB (or larger default) pages: the Linux erratum choice. */
	fmt(6, 52, 0);
	ck_assert_u64_eq(F.leaf_shifts[2], 0x7fc0000000ull);
	ck_assert_u64_eq(F.leaf_shifts[3], 0);
	ck_assert_u64_eq(F.leaf_shifts[4], 0);
	ck_assert_u64_eq(F.leaf_shifts[5], 0);
	/* Nothing larger than the output address space. */
	fmt(3, 32, 0);
	ck_assert_u64_eq(F.leaf_shifts[2], 0x1c0000000ull); /* bits 30..32 */
	/* Mode 1: one table, its 4K..1M pages. */
	fmt(1, 48, 0);
	ck_assert_u64_eq(F.leaf_shifts[0], 0x1ff000ull);
	ck_assert_u64_eq(F.leaf_shifts[1], 0);
}
END_TEST

/* ---- pages of the default size (NextLevel=0) ---------------------------- */

START_TEST(mode3_4k_page_reads_three_levels)
{
	mode3_tree();
	put(T_B, 1, PR | RW | NL(0) | 0x5000000);
	ck_assert_int_eq(tr(0x40201234, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x5000234, 12, LV(1), RIGHTS_RW);
	ck_assert_uint_eq(W.nreads, 3);
	EXPECT_READ(0, LV(3), T_ROOT + 8);
	EXPECT_READ(1, LV(2), T_A + 8);
	EXPECT_READ(2, LV(1), T_B + 8);
	ck_assert_u64_eq(W.reads[0].table, T_ROOT);
	ck_assert_u64_eq(W.reads[1].table, T_A);
	ck_assert_u64_eq(W.reads[2].pte, PR | RW | 0x5000000);
	ck_assert_uint_eq(W.nupdates, 0);
}
END_TEST

START_TEST(mode3_2m_page_at_level2)
{
	mode3_tree();
	put(T_A, 2, PR | IR | NL(0) | 0x40000000);
	ck_assert_int_eq(tr(0x40412345, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x40012345, 21, LV(2), RIGHTS_R);
	ck_assert_uint_eq(W.nreads, 2);
	EXPECT_READ(1, LV(2), T_A + 16);
	/* IW clear in the PTE: a write faults at the PTE's level. */
	ck_assert_int_eq(tr(0x40412345, ACC_W), IMS_PT_FAULT_PERMISSION);
	EXPECT_FAULT(IMS_PT_FAULT_PERMISSION, LV(2), 2);
}
END_TEST

START_TEST(mode3_1g_page_at_root)
{
	mode3_tree();
	put(T_ROOT, 3, PR | RW | NL(0) | 0x80000000);
	ck_assert_int_eq(tr(0xc1234567, ACC_R | ACC_W), IMS_PT_OK);
	EXPECT_OK(0x81234567, 30, LV(3), RIGHTS_RW);
	ck_assert_uint_eq(W.nreads, 1);
	EXPECT_READ(0, LV(3), T_ROOT + 24);
}
END_TEST

START_TEST(mode4_512g_and_mode5_256t_default_pages_decode)
{
	/* The walker honours them even though the mapper never makes them. */
	fmt(4, 48, 0);
	put(T_ROOT, 1, PR | RW | NL(0) | TB);
	ck_assert_int_eq(tr(0x8012345678ull, ACC_R), IMS_PT_OK);
	EXPECT_OK(TB + 0x12345678ull, 39, LV(4), RIGHTS_RW);

	fmt(5, 52, 0);
	put(T_ROOT, 1, PR | RW | NL(0) | (1ull << 49));
	ck_assert_int_eq(tr((1ull << 48) + 0x123456789abull, ACC_R), IMS_PT_OK);
	EXPECT_OK((1ull << 49) + 0x123456789abull, 48, LV(5), RIGHTS_RW);
}
END_TEST

/* ---- pages with NextLevel=7: size in the address field ------------------ */

START_TEST(nl7_8k_32k_64k_1m_pages_at_level1)
{
	mode3_tree();
	/* 8K: bit 12 clear.  Slots 4..5. */
	put(T_B, 4, PR | RW | NL(7) | 0x6000000);
	put(T_B, 5, PR | RW | NL(7) | 0x6000000);
	/* 32K: bits 13:12 = 11b, bit 14 clear.  Slots 8..15. */
	for (unsigned i = 8; i < 16; i++)
		put(T_B, i, PR | RW | NL(7) | 0x7003000);
	/* 64K: bits 14:12 = 111b, bit 15 clear.  Slots 16..31. */
	for (unsigned i = 16; i < 32; i++)
		put(T_B, i, PR | IR | NL(7) | 0x8007000);
	/* 1M (the largest a level-1 PTE may encode): bits 18:12 set, bit 19
	 * clear.  Slots 256..511. */
	for (unsigned i = 256; i < 512; i++)
		put(T_B, i, PR | RW | NL(7) | 0x907f000);

	ck_assert_int_eq(tr(0x40205abc, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x6001abc, 13, LV(1), RIGHTS_RW);
	EXPECT_READ(2, LV(1), T_B + 5 * 8);

	ck_assert_int_eq(tr(0x4020a123, ACC_W), IMS_PT_OK);
	EXPECT_OK(0x7002123, 15, LV(1), RIGHTS_RW);

	ck_assert_int_eq(tr(0x40214456, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x8004456, 16, LV(1), RIGHTS_R);

	ck_assert_int_eq(tr(0x4032c010, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x902c010, 20, LV(1), RIGHTS_RW);
}
END_TEST

START_TEST(nl7_4m_and_512m_pages_at_level2)
{
	mode3_tree();
	/* 4M: bits 20:12 set, bit 21 clear; base 0xc00000.  Slots 4..5. */
	put(T_A, 4, PR | RW | NL(7) | 0xdff000);
	put(T_A, 5, PR | RW | NL(7) | 0xdff000);
	ck_assert_int_eq(tr(0x40a54321, ACC_R), IMS_PT_OK);
	EXPECT_OK(0xe54321, 22, LV(2), RIGHTS_RW);
	ck_assert_uint_eq(W.nreads, 2);
	EXPECT_READ(1, LV(2), T_A + 5 * 8);

	/* 512M (largest below 1G): bits 27:12 set, bit 28 clear; base
	 * 0x20000000.  Slots 256..511. */
	for (unsigned i = 256; i < 512; i++)
		put(T_A, i, PR | RW | NL(7) | 0x2ffff000);
	ck_assert_int_eq(tr(0x6abcdef0, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x2abcdef0, 29, LV(2), RIGHTS_RW);
}
END_TEST

START_TEST(nl7_2g_at_level3_and_1t_at_level4)
{
	mode3_tree();
	/* 2G: bits 29:12 set, bit 30 clear; base 4G.  Root slots 2..3. */
	put(T_ROOT, 2, PR | RW | NL(7) | 0x13ffff000ull);
	put(T_ROOT, 3, PR | RW | NL(7) | 0x13ffff000ull);
	ck_assert_int_eq(tr(0xdeadbeef, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x15eadbeefull, 31, LV(3), RIGHTS_RW);

	fmt(4, 48, 0);
	/* 1T: bits 38:12 set, bit 39 clear; base 2T.  Root slots 2..3. */
	put(T_ROOT, 2, PR | RW | NL(7) | 0x27ffffff000ull);
	put(T_ROOT, 3, PR | RW | NL(7) | 0x27ffffff000ull);
	ck_assert_int_eq(tr(0x12345678900ull, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x22345678900ull, 40, LV(4), RIGHTS_RW);
}
END_TEST

START_TEST(nl7_size_not_strictly_between_level_sizes_is_level_fault)
{
	mode3_tree();
	/* Level 1: 2M (bits 19:12 set, bit 20 clear) is not smaller than
	 * level 2's 2M default. */
	put(T_B, 1, PR | RW | NL(7) | 0x50ff000);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(1), 3);
	/* Level 1: 4M (bits 20:12 set). */
	put(T_B, 1, PR | RW | NL(7) | 0x51ff000);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(1), 3);
	/* Level 2: 8K (bit 12 clear) is not larger than the 2M default. */
	put(T_A, 2, PR | RW | NL(7) | 0x40000000);
	ck_assert_int_eq(tr(0x40400000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(2), 2);
	/* Level 2: exactly 2M (bits 19:12 set). */
	put(T_A, 2, PR | RW | NL(7) | 0x400ff000);
	ck_assert_int_eq(tr(0x40400000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(2), 2);
	/* Level 2: 1G (bits 28:12 set, bit 29 clear) = level 3's default. */
	put(T_A, 2, PR | RW | NL(7) | 0x1ffff000);
	ck_assert_int_eq(tr(0x40400000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(2), 2);
}
END_TEST

START_TEST(level6_holds_no_pages)
{
	fmt(6, 52, 0);
	put(T_ROOT, 0, PR | RW | NL(0) | 0x1000);
	ck_assert_int_eq(tr(0x123000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(6), 1);
	put(T_ROOT, 0, PR | RW | NL(7) | 0x000ffffffffff000ull);
	ck_assert_int_eq(tr(0x123000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(6), 1);
}
END_TEST

/* ---- level skipping and NextLevel encoding ------------------------------ */

START_TEST(mode4_pde_skipping_level3_needs_zero_index_bits)
{
	fmt(4, 48, 0);
	/* Level-4 PDE with NextLevel=2: the level-3 index IOVA[38:30] is skipped. */
	put(T_ROOT, 0, PR | RW | NL(2) | T_A);
	put(T_A, 1, PR | RW | NL(0) | 0x3000000);
	ck_assert_int_eq(tr(0x00200123, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x3000123, 21, LV(2), RIGHTS_RW);
	ck_assert_uint_eq(W.nreads, 2);
	EXPECT_READ(0, LV(4), T_ROOT);
	EXPECT_READ(1, LV(2), T_A + 8);

	ck_assert_int_eq(tr(0x40200123, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(4), 1);
	ck_assert_int_eq(tr(0x4000200123ull, ACC_R), IMS_PT_FAULT_LEVEL); /* bit 38 */
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(4), 1);

	/* Level-4 PDE with NextLevel=1: IOVA[38:21] must be zero. */
	put(T_ROOT, 1, PR | RW | NL(1) | T_B);
	put(T_B, 3, PR | RW | NL(0) | 0x4000000);
	ck_assert_int_eq(tr(0x8000003456ull, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x4000456, 12, LV(1), RIGHTS_RW);
	ck_assert_uint_eq(W.nreads, 2);
	EXPECT_READ(1, LV(1), T_B + 24);
	ck_assert_int_eq(tr(0x8000203456ull, ACC_R), IMS_PT_FAULT_LEVEL); /* bit 21 */
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(4), 1);
}
END_TEST

START_TEST(pde_nextlevel_not_below_own_level_is_level_fault)
{
	mode3_tree();
	/* Level-2 PDE naming level 2 or 3. */
	put(T_A, 1, PR | RW | NL(2) | T_B);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(2), 2);
	put(T_A, 1, PR | RW | NL(3) | T_B);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(2), 2);
	/* Level-1 entry with NextLevel=1. */
	put(T_A, 1, PR | RW | NL(1) | T_B);
	put(T_B, 1, PR | RW | NL(1) | T_C);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(1), 3);
	/* Level-3 root naming levels 3..6. */
	for (unsigned nl = 3; nl <= 6; nl++) {
		put(T_ROOT, 1, PR | RW | NL(nl) | T_A);
		ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_LEVEL);
		EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(3), 1);
	}
	/* The decode itself refuses it (the mapper sees entries through it). */
	{
		struct ims_pt_entry e;

		F.ops->decode(&F, LV(3), PR | RW | NL(3) | T_A, &e);
		ck_assert_int_eq(e.fault, IMS_PT_FAULT_LEVEL);
		F.ops->decode(&F, LV(3), PR | RW | NL(2) | T_A, &e);
		ck_assert_int_eq(e.fault, IMS_PT_OK);
		ck_assert_int_eq(e.type, IMS_PTE_TABLE);
		ck_assert_uint_eq(e.next_level, LV(2));
		ck_assert_u64_eq(e.addr, T_A);
	}
}
END_TEST

/* ---- reserved bits ------------------------------------------------------- */

START_TEST(pte_reserved_bits_58_52_fault_but_u_fc_and_ignored_do_not)
{
	static const unsigned rsvd[] = { 52, 55, 58 };
	/* 4:1, 6 (D), 8:7 ignored; 59 U, 60 FC; 63 ignored. */
	static const uint64_t fine[] = { 0x1e, D_BIT, 0x180, U_BIT, FC, 1ull << 63 };

	mode3_tree();
	for (unsigned i = 0; i < sizeof(rsvd) / sizeof(rsvd[0]); i++) {
		put(T_B, 1, PR | RW | NL(0) | 0x5000000 | (1ull << rsvd[i]));
		ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_RESERVED);
		EXPECT_FAULT(IMS_PT_FAULT_RESERVED, LV(1), 3);
	}
	for (unsigned i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		put(T_B, 1, PR | RW | NL(0) | 0x5000000 | fine[i]);
		ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_OK);
		EXPECT_OK(0x5000000, 12, LV(1), RIGHTS_RW);
	}
	/* A 2M PTE and a NextLevel=7 PTE are PTEs too. */
	put(T_A, 2, PR | RW | NL(0) | 0x40000000 | (1ull << 56));
	ck_assert_int_eq(tr(0x40400000, ACC_R), IMS_PT_FAULT_RESERVED);
	EXPECT_FAULT(IMS_PT_FAULT_RESERVED, LV(2), 2);
	put(T_B, 8, PR | RW | NL(7) | 0x7003000 | (1ull << 53));
	ck_assert_int_eq(tr(0x40208000, ACC_R), IMS_PT_FAULT_RESERVED);
	EXPECT_FAULT(IMS_PT_FAULT_RESERVED, LV(1), 3);
}
END_TEST

START_TEST(pde_reserved_bits_60_52_fault)
{
	static const unsigned rsvd[] = { 52, 58, 59, 60 };
	static const uint64_t fine[] = { 0x1e, A_BIT, D_BIT, 0x180, 1ull << 63 };

	mode3_tree();
	put(T_B, 1, PR | RW | NL(0) | 0x5000000);
	for (unsigned i = 0; i < sizeof(rsvd) / sizeof(rsvd[0]); i++) {
		put(T_A, 1, PR | RW | NL(1) | T_B | (1ull << rsvd[i]));
		ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_RESERVED);
		EXPECT_FAULT(IMS_PT_FAULT_RESERVED, LV(2), 2);
	}
	for (unsigned i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		put(T_A, 1, PR | RW | NL(1) | T_B | fine[i]);
		ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_OK);
		EXPECT_OK(0x5000000, 12, LV(1), RIGHTS_RW);
	}
	/* The root PDE too. */
	put(T_A, 1, PR | RW | NL(1) | T_B);
	put(T_ROOT, 1, PR | RW | NL(2) | T_A | (1ull << 60));
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_RESERVED);
	EXPECT_FAULT(IMS_PT_FAULT_RESERVED, LV(3), 1);
}
END_TEST

START_TEST(address_bits_above_oas_are_reserved)
{
	fmt(3, 40, 0);
	put(T_ROOT, 1, PR | RW | NL(2) | T_A);
	put(T_A, 1, PR | RW | NL(1) | T_B);
	put(T_B, 1, PR | RW | NL(0) | (1ull << 40));
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_RESERVED);
	EXPECT_FAULT(IMS_PT_FAULT_RESERVED, LV(1), 3);
	/* Just below the limit is fine. */
	put(T_B, 1, PR | RW | NL(0) | 0xfffffff000ull);
	ck_assert_int_eq(tr(0x40201010, ACC_R), IMS_PT_OK);
	EXPECT_OK(0xfffffff010ull, 12, LV(1), RIGHTS_RW);
	/* A PDE pointing beyond it. */
	put(T_A, 1, PR | RW | NL(1) | (1ull << 45) | T_B);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_RESERVED);
	EXPECT_FAULT(IMS_PT_FAULT_RESERVED, LV(2), 2);
	/* With oas 52 every address bit is valid. */
	fmt(3, 52, 0);
	put(T_A, 1, PR | RW | NL(1) | T_B);
	put(T_B, 1, PR | RW | NL(0) | 0x000ffffffffff000ull);
	ck_assert_int_eq(tr(0x40201abc, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x000ffffffffffabcull, 12, LV(1), RIGHTS_RW);
}
END_TEST

/* ---- not present ----------------------------------------------------------- */

START_TEST(pr_clear_at_each_level_is_not_present)
{
	fmt(3, 48, 0);
	/* Everything but PR: still not present, not a reserved-bit fault. */
	put(T_ROOT, 1, RW | NL(2) | T_A | (1ull << 55));
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_NOT_PRESENT);
	EXPECT_FAULT(IMS_PT_FAULT_NOT_PRESENT, LV(3), 1);
	EXPECT_READ(0, LV(3), T_ROOT + 8);

	put(T_ROOT, 1, PR | RW | NL(2) | T_A);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_NOT_PRESENT);
	EXPECT_FAULT(IMS_PT_FAULT_NOT_PRESENT, LV(2), 2);

	put(T_A, 1, PR | RW | NL(1) | T_B);
	put(T_B, 1, RW | NL(7) | 0x7003000);
	ck_assert_int_eq(tr(0x40201000, ACC_W), IMS_PT_FAULT_NOT_PRESENT);
	EXPECT_FAULT(IMS_PT_FAULT_NOT_PRESENT, LV(1), 3);
	EXPECT_READ(2, LV(1), T_B + 8);
}
END_TEST

/* ---- permissions -------------------------------------------------------- */

START_TEST(ir_iw_are_anded_down_the_walk)
{
	mode3_tree();
	put(T_B, 1, PR | RW | NL(0) | 0x5000000);

	/* Root grants read only. */
	put(T_ROOT, 1, PR | IR | NL(2) | T_A);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x5000000, 12, LV(1), RIGHTS_R);
	ck_assert_uint_eq(W.reads[0].perms, RIGHTS_R);
	ck_assert_int_eq(tr(0x40201000, ACC_W), IMS_PT_FAULT_PERMISSION);
	EXPECT_FAULT(IMS_PT_FAULT_PERMISSION, LV(1), 3);

	/* Level-2 PDE grants write only. */
	put(T_ROOT, 1, PR | RW | NL(2) | T_A);
	put(T_A, 1, PR | IW | NL(1) | T_B);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_PERMISSION);
	EXPECT_FAULT(IMS_PT_FAULT_PERMISSION, LV(1), 3);
	ck_assert_int_eq(tr(0x40201000, ACC_W), IMS_PT_OK);
	EXPECT_OK(0x5000000, 12, LV(1), RIGHTS_W);

	/* A present PTE with neither IR nor IW grants nothing. */
	put(T_A, 1, PR | RW | NL(1) | T_B);
	put(T_B, 1, PR | NL(0) | 0x5000000);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_PERMISSION);
	EXPECT_FAULT(IMS_PT_FAULT_PERMISSION, LV(1), 3);
	ck_assert_uint_eq(W.perms, 0);
}
END_TEST

START_TEST(dte_ir_iw_passed_as_request_rights)
{
	struct ims_pt_walk_req req = { .table = T_ROOT, .start_level = LV(3) };

	mode3_tree();
	put(T_B, 1, PR | RW | NL(0) | 0x5000000);
	/* DTE IR=1 IW=0 (§2: the DTE acts as the first PDE). */
	req.iova = 0x40201000;
	req.perms = RIGHTS_R;
	req.access = ACC_W;
	ck_assert_int_eq(ims_pt_walk(&F, M, &req, &W), IMS_PT_FAULT_PERMISSION);
	EXPECT_FAULT(IMS_PT_FAULT_PERMISSION, LV(1), 3);
	req.access = ACC_R;
	ck_assert_int_eq(ims_pt_walk(&F, M, &req, &W), IMS_PT_OK);
	EXPECT_OK(0x5000000, 12, LV(1), RIGHTS_R);
	/* DTE IR=IW=0 blocks everything. */
	req.perms = 0;
	ck_assert_int_eq(ims_pt_walk(&F, M, &req, &W), IMS_PT_FAULT_PERMISSION);
}
END_TEST

START_TEST(no_privilege_or_execute_distinction)
{
	mode3_tree();
	put(T_B, 1, PR | IR | NL(0) | 0x5000000);
	ck_assert_int_eq(tr(0x40201000, IMS_PT_ACC_X), IMS_PT_OK);
	ck_assert_int_eq(tr(0x40201000, IMS_PT_ACC_R | IMS_PT_ACC_PRIV), IMS_PT_OK);
	ck_assert_int_eq(tr(0x40201000, IMS_PT_ACC_X | IMS_PT_ACC_PRIV), IMS_PT_OK);
	ck_assert_int_eq(tr(0x40201000, IMS_PT_ACC_W | IMS_PT_ACC_PRIV),
			 IMS_PT_FAULT_PERMISSION);
}
END_TEST

/* ---- input range --------------------------------------------------------- */

START_TEST(iova_above_mode_width_is_input_fault)
{
	static const struct {
		unsigned mode;
		uint64_t bad, good;
	} cases[] = {
		{ 1, 1ull << 21, (1ull << 21) - 1 },
		{ 2, 1ull << 30, (1ull << 30) - 1 },
		{ 3, 1ull << 39, (1ull << 39) - 1 },
		{ 4, 0xffff800000000000ull, (1ull << 48) - 1 }, /* no sign extension */
		{ 5, 1ull << 57, (1ull << 57) - 1 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fmt(cases[i].mode, 48, 0);
		ck_assert_int_eq(tr(cases[i].bad, ACC_R), IMS_PT_FAULT_INPUT);
		EXPECT_FAULT(IMS_PT_FAULT_INPUT, -1, 0);
		/* The largest valid IOVA reaches the root (empty here). */
		ck_assert_int_eq(tr(cases[i].good, ACC_R), IMS_PT_FAULT_NOT_PRESENT);
		EXPECT_FAULT(IMS_PT_FAULT_NOT_PRESENT, (int)cases[i].mode - 1, 1);
	}
}
END_TEST

/* ---- mode 1, mode 2 and mode 6 ------------------------------------------ */

START_TEST(mode1_single_table)
{
	fmt(1, 48, 0);
	put(T_ROOT, 0x1ff, PR | RW | NL(0) | 0x9000000);
	ck_assert_int_eq(tr(0x1ff123, ACC_W), IMS_PT_OK);
	EXPECT_OK(0x9000123, 12, LV(1), RIGHTS_RW);
	ck_assert_uint_eq(W.nreads, 1);
	EXPECT_READ(0, LV(1), T_ROOT + 0x1ff * 8);
	/* A 1M NextLevel=7 page in the only table. */
	for (unsigned i = 0; i < 256; i++)
		put(T_ROOT, i, PR | IR | NL(7) | 0xa07f000);
	ck_assert_int_eq(tr(0xabcde, ACC_R), IMS_PT_OK);
	EXPECT_OK(0xa0abcde, 20, LV(1), RIGHTS_R);
	/* A level-1 entry cannot point anywhere. */
	put(T_ROOT, 0x100, PR | RW | NL(1) | T_A);
	ck_assert_int_eq(tr(0x100000, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(1), 1);
}
END_TEST

START_TEST(mode2_top_holds_2m_and_4m_pages)
{
	fmt(2, 48, 0);
	put(T_ROOT, 0, PR | RW | NL(0) | 0x600000);
	ck_assert_int_eq(tr(0x1fffff, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x7fffff, 21, LV(2), RIGHTS_RW);
	put(T_ROOT, 2, PR | RW | NL(7) | 0x11ff000);
	put(T_ROOT, 3, PR | RW | NL(7) | 0x11ff000);
	ck_assert_int_eq(tr(0x7abcde, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x13abcde, 22, LV(2), RIGHTS_RW);
	put(T_ROOT, 4, PR | RW | NL(1) | T_A);
	put(T_A, 5, PR | RW | NL(0) | 0x2000000);
	ck_assert_int_eq(tr(0x805010, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x2000010, 12, LV(1), RIGHTS_RW);
	ck_assert_uint_eq(W.nreads, 2);
	EXPECT_READ(1, LV(1), T_A + 5 * 8);
	put(T_ROOT, 4, PR | RW | NL(2) | T_A);
	ck_assert_int_eq(tr(0x805010, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(2), 1);
}
END_TEST

START_TEST(mode6_translates_full_64bit_iova)
{
	fmt(6, 52, 0);
	/* IOVA 0xffff_ffff_ffff_f123: level-6 index IOVA[63:57] = 127, every
	 * other index 511. */
	put(T_ROOT, 127, PR | RW | NL(5) | T_A);
	put(T_A, 511, PR | RW | NL(4) | T_B);
	put(T_B, 511, PR | RW | NL(3) | T_C);
	put(T_C, 511, PR | RW | NL(2) | T_D);
	put(T_D, 511, PR | RW | NL(1) | T_E);
	put(T_E, 511, PR | RW | NL(0) | 0x123456000ull);
	ck_assert_int_eq(tr(0xfffffffffffff123ull, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x123456123ull, 12, LV(1), RIGHTS_RW);
	ck_assert_uint_eq(W.nreads, 6);
	EXPECT_READ(0, LV(6), T_ROOT + 127 * 8);
	EXPECT_READ(1, LV(5), T_A + 511 * 8);
	EXPECT_READ(2, LV(4), T_B + 511 * 8);
	EXPECT_READ(3, LV(3), T_C + 511 * 8);
	EXPECT_READ(4, LV(2), T_D + 511 * 8);
	EXPECT_READ(5, LV(1), T_E + 511 * 8);
	/* IOVA[56:0] do not reach the level-6 index. */
	ck_assert_int_eq(tr(0x01fffffffffff123ull, ACC_R), IMS_PT_FAULT_NOT_PRESENT);
	EXPECT_FAULT(IMS_PT_FAULT_NOT_PRESENT, LV(6), 1);
	EXPECT_READ(0, LV(6), T_ROOT);
}
END_TEST

START_TEST(mode6_root_skipping_to_level1)
{
	fmt(6, 52, 0);
	put(T_ROOT, 127, PR | RW | NL(1) | T_B);
	put(T_B, 0x1ff, PR | RW | NL(0) | 0x5000000);
	ck_assert_int_eq(tr(0xfe000000001ff123ull, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x5000123, 12, LV(1), RIGHTS_RW);
	ck_assert_uint_eq(W.nreads, 2);
	/* Any of IOVA[56:21] set: skipped level index not zero. */
	ck_assert_int_eq(tr(0xfe000000003ff123ull, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(6), 1);
	ck_assert_int_eq(tr(0xff000000001ff123ull, ACC_R), IMS_PT_FAULT_LEVEL);
	EXPECT_FAULT(IMS_PT_FAULT_LEVEL, LV(6), 1);
}
END_TEST

/* ---- accessed / dirty ------------------------------------------------------ */

START_TEST(had_sets_a_in_every_entry_and_d_in_written_pte)
{
	uint64_t root = PR | RW | NL(2) | T_A, l2 = PR | RW | NL(1) | T_B;
	uint64_t pte = PR | RW | NL(0) | 0x5000000;

	fmt(3, 48, IMS_PT_F_AD);
	put(T_ROOT, 1, root);
	put(T_A, 1, l2);
	put(T_B, 1, pte);

	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_OK);
	ck_assert_uint_eq(W.nupdates, 3);
	ck_assert_uint_eq(W.updates[0].level, LV(3));
	ck_assert_u64_eq(W.updates[0].pa, T_ROOT + 8);
	ck_assert_u64_eq(W.updates[0].old, root);
	ck_assert_u64_eq(W.updates[0].new, root | A_BIT);
	ck_assert_u64_eq(W.updates[1].pa, T_A + 8);
	ck_assert_u64_eq(W.updates[1].new, l2 | A_BIT);
	ck_assert_uint_eq(W.updates[2].level, LV(1));
	ck_assert_u64_eq(W.updates[2].pa, T_B + 8);
	ck_assert_u64_eq(W.updates[2].new, pte | A_BIT); /* a read: no D */

	ck_assert_int_eq(tr(0x40201000, ACC_W), IMS_PT_OK);
	ck_assert_uint_eq(W.nupdates, 3);
	ck_assert_u64_eq(W.updates[0].new, root | A_BIT); /* D only in the PTE */
	ck_assert_u64_eq(W.updates[1].new, l2 | A_BIT);
	ck_assert_u64_eq(W.updates[2].new, pte | A_BIT | D_BIT);
	ck_assert_uint_eq(ims_pt_apply_updates(M, &W), 3);
	ck_assert_u64_eq(get(T_ROOT, 1), root | A_BIT);
	ck_assert_u64_eq(get(T_B, 1), pte | A_BIT | D_BIT);

	/* Already accessed and dirty: nothing to update. */
	ck_assert_int_eq(tr(0x40201000, ACC_W), IMS_PT_OK);
	ck_assert_uint_eq(W.nupdates, 0);
}
END_TEST

START_TEST(had_updates_only_read_slot_of_nl7_page_and_not_on_fault)
{
	fmt(3, 48, IMS_PT_F_AD);
	put(T_ROOT, 1, PR | RW | NL(2) | T_A | A_BIT);
	put(T_A, 1, PR | RW | NL(1) | T_B | A_BIT);
	for (unsigned i = 8; i < 16; i++)
		put(T_B, i, PR | RW | NL(7) | 0x7003000);
	ck_assert_int_eq(tr(0x4020a123, ACC_W), IMS_PT_OK);
	ck_assert_uint_eq(W.nupdates, 1);
	ck_assert_u64_eq(W.updates[0].pa, T_B + 10 * 8);
	ck_assert_u64_eq(W.updates[0].new, PR | RW | NL(7) | 0x7003000 | A_BIT | D_BIT);
	ck_assert_uint_eq(ims_pt_apply_updates(M, &W), 1);
	ck_assert_u64_eq(get(T_B, 9), PR | RW | NL(7) | 0x7003000);
	/* The size field is untouched by the update: still a 32K page. */
	ck_assert_int_eq(tr(0x4020a123, ACC_R), IMS_PT_OK);
	EXPECT_OK(0x7002123, 15, LV(1), RIGHTS_RW);

	/* A refused write makes no update. */
	put(T_B, 12, PR | IR | NL(0) | 0x6000000);
	ck_assert_int_eq(tr(0x4020c000, ACC_W), IMS_PT_FAULT_PERMISSION);
	EXPECT_FAULT(IMS_PT_FAULT_PERMISSION, LV(1), 3);

	/* Without HAD nothing is ever updated. */
	fmt(3, 48, 0);
	ck_assert_int_eq(tr(0x40209000, ACC_W), IMS_PT_OK);
	ck_assert_uint_eq(W.nupdates, 0);
}
END_TEST

/* ---- walk abort and describe ---------------------------------------------- */

START_TEST(unreadable_table_is_walk_abort)
{
	mode3_tree();
	put(T_B, 1, PR | RW | NL(0) | 0x5000000);
	ck_assert_int_eq(ims_mem_add_abort(M, T_A, T_A + 0xfff), 0);
	ck_assert_int_eq(tr(0x40201000, ACC_R), IMS_PT_FAULT_WALK_ABORT);
	EXPECT_FAULT(IMS_PT_FAULT_WALK_ABORT, LV(2), 1);
}
END_TEST

START_TEST(describe_names_spec_fields)
{
	char buf[160];

	fmt(3, 48, 0);
	ims_pt_describe(&F, 0, PR | RW | NL(7) | A_BIT | D_BIT | 0x7003000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "PR IR IW A D NextLevel=7 size=32K addr=0x7003000");
	ims_pt_describe(&F, 1, PR | IR | NL(1) | D_BIT | 0x102000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "PR IR NextLevel=1 addr=0x102000");
	ims_pt_describe(&F, 0, PR | IW | U_BIT | FC | 0x5000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "PR IW U FC NextLevel=0 addr=0x5000");
	ims_pt_describe(&F, 1, PR | RW | NL(7) | 0x2ffff000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "PR IR IW NextLevel=7 size=512M addr=0x2ffff000");
	ims_pt_describe(&F, 0, RW | 0x5000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "not present");
}
END_TEST

/* ---- the mapper ------------------------------------------------------------ */

#define POOL 0x10000000ull

static struct ims_palloc P;
static uint64_t R;

static void map_env(unsigned mode, unsigned oas)
{
	fmt(mode, oas, 0);
	ck_assert_int_eq(ims_palloc_init(&P, M, POOL, 64ull << 20), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&F, &P, &R), 0);
	ck_assert_u64_eq(P.in_use_bytes, 4096);
}

static void map_env_fini(void)
{
	ims_pt_free(&F, M, &P, R);
	ck_assert_u64_eq(P.in_use_bytes, 0);
	ims_palloc_fini(&P);
}

/* The table a PDE points to, after checking it is a PDE naming `nl`. */
static uint64_t pde_target(uint64_t pde, unsigned nl)
{
	ck_assert_u64_eq(pde & ~ADDR_MASK, PR | RW | NL(nl));
	return pde & ADDR_MASK;
}

START_TEST(map_32k_gives_8_identical_nl7_ptes_and_4k_unmap_splits)
{
	uint64_t l2t, l1t, unmapped;

	map_env(3, 48);
	ck_assert_int_eq(ims_pt_map(&F, M, &P, R, 0x40208000, 0x7008000, 0x8000,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	l2t = pde_target(get(R, 1), 2);
	l1t = pde_target(get(l2t, 1), 1);
	/* 32K: base 0x7008000 with bits 13:12 set, bit 14 clear. */
	for (unsigned i = 8; i < 16; i++)
		ck_assert_u64_eq(get(l1t, i), PR | RW | NL(7) | 0x700b000);
	ck_assert_u64_eq(get(l1t, 7), 0);
	ck_assert_u64_eq(get(l1t, 16), 0);
	ck_assert_u64_eq(P.in_use_bytes, 3 * 4096);

	/* Unmapping the third 4K page splits the run into 4K PTEs. */
	ck_assert_int_eq(ims_pt_unmap(&F, M, &P, R, 0x4020a000, 0x1000, &unmapped), 0);
	ck_assert_u64_eq(unmapped, 0x1000);
	for (unsigned i = 8; i < 16; i++)
		ck_assert_u64_eq(get(l1t, i),
				 i == 10 ? 0 : PR | RW | NL(0) | (0x7008000 + (i - 8) * 0x1000ull));
	ck_assert_int_eq(ims_pt_translate(&F, M, R, 0x4020b010, ACC_W, &W), IMS_PT_OK);
	EXPECT_OK(0x700b010, 12, LV(1), RIGHTS_RW);
	ck_assert_int_eq(ims_pt_translate(&F, M, R, 0x4020a010, ACC_R, &W),
			 IMS_PT_FAULT_NOT_PRESENT);

	/* Unmapping the rest empties and frees both tables. */
	ck_assert_int_eq(ims_pt_unmap(&F, M, &P, R, 0x40208000, 0x8000, &unmapped), 0);
	ck_assert_u64_eq(unmapped, 0x7000);
	ck_assert_u64_eq(get(R, 1), 0);
	ck_assert_u64_eq(P.in_use_bytes, 4096);
	map_env_fini();
}
END_TEST

START_TEST(map_picks_largest_page_per_alignment)
{
	uint64_t l2t, l1t;
	unsigned rw = IMS_PT_PROT_R | IMS_PT_PROT_W;

	map_env(3, 48);
	/* 2M aligned: one NextLevel=0 PTE at level 2, no level-1 table. */
	ck_assert_int_eq(ims_pt_map(&F, M, &P, R, 0x40400000, 0x1200000, 2ull << 20, rw), 0);
	l2t = pde_target(get(R, 1), 2);
	ck_assert_u64_eq(get(l2t, 2), PR | RW | NL(0) | 0x1200000);
	ck_assert_u64_eq(P.in_use_bytes, 2 * 4096);
	/* 4M aligned: two level-2 PTEs, base 0x2400000 | bits 20:12. */
	ck_assert_int_eq(ims_pt_map(&F, M, &P, R, 0x40800000, 0x2400000, 4ull << 20, rw), 0);
	ck_assert_u64_eq(get(l2t, 4), PR | RW | NL(7) | 0x25ff000);
	ck_assert_u64_eq(get(l2t, 5), PR | RW | NL(7) | 0x25ff000);
	ck_assert_u64_eq(get(l2t, 6), 0);
	/* 1G aligned: a root PTE. */
	ck_assert_int_eq(ims_pt_map(&F, M, &P, R, 3 * GB, 1 * GB, 1 * GB, IMS_PT_PROT_R), 0);
	ck_assert_u64_eq(get(R, 3), PR | IR | NL(0) | 0x40000000);
	/* 2G aligned: two root PTEs, base 2G | bits 29:12. */
	ck_assert_int_eq(ims_pt_map(&F, M, &P, R, 4 * GB, 2 * GB, 2 * GB, rw), 0);
	ck_assert_u64_eq(get(R, 4), PR | RW | NL(7) | 0xbffff000ull);
	ck_assert_u64_eq(get(R, 5), PR | RW | NL(7) | 0xbffff000ull);
	/* 8K + 4K where only 8K alignment holds: 8K run then a 4K PTE. */
	ck_assert_int_eq(ims_pt_map(&F, M, &P, R, 0x40c02000, 0x3002000, 0x3000, rw), 0);
	l1t = pde_target(get(l2t, 6), 1);
	ck_assert_u64_eq(get(l1t, 2), PR | RW | NL(7) | 0x3002000);
	ck_assert_u64_eq(get(l1t, 3), PR | RW | NL(7) | 0x3002000);
	ck_assert_u64_eq(get(l1t, 4), PR | RW | NL(0) | 0x3004000);
	ck_assert_int_eq(ims_pt_translate(&F, M, R, 0x40c03abc, ACC_R, &W), IMS_PT_OK);
	EXPECT_OK(0x3003abc, 13, LV(1), RIGHTS_RW);
	/* Overlap is refused. */
	ck_assert_int_eq(ims_pt_map(&F, M, &P, R, 0x40c04000, 0x1000, 0x1000, rw), -EEXIST);
	map_env_fini();
}
END_TEST

START_TEST(unmap_4k_of_readonly_2m_page_splits_keeping_rights)
{
	uint64_t l2t, l1t, unmapped;

	map_env(3, 48);
	ck_assert_int_eq(ims_pt_map(&F, M, &P, R, 0x40400000, 0x1200000, 2ull << 20,
				    IMS_PT_PROT_R), 0);
	l2t = pde_target(get(R, 1), 2);
	ck_assert_u64_eq(get(l2t, 2), PR | IR | NL(0) | 0x1200000);
	ck_assert_int_eq(ims_pt_unmap(&F, M, &P, R, 0x40400000, 0x1000, &unmapped), 0);
	ck_assert_u64_eq(unmapped, 0x1000);
	l1t = pde_target(get(l2t, 2), 1);
	ck_assert_u64_eq(get(l1t, 0), 0);
	for (unsigned i = 1; i < 512; i++)
		ck_assert_u64_eq(get(l1t, i), PR | IR | NL(0) | (0x1200000 + i * 0x1000ull));
	ck_assert_u64_eq(P.in_use_bytes, 3 * 4096);
	/* Unmap the rest: both tables freed, root only. */
	ck_assert_int_eq(ims_pt_unmap(&F, M, &P, R, 0x40400000, 2ull << 20, &unmapped), 0);
	ck_assert_u64_eq(unmapped, (2ull << 20) - 0x1000);
	ck_assert_u64_eq(get(R, 1), 0);
	ck_assert_u64_eq(P.in_use_bytes, 4096);
	map_env_fini();
}
END_TEST

START_TEST(map_1t_uses_256g_runs_not_level4_pages)
{
	uint64_t l3t, unmapped;

	map_env(4, 48);
	ck_assert_int_eq(ims_pt_map(&F, M, &P, R, TB, 2 * TB, TB, IMS_PT_PROT_R | IMS_PT_PROT_W),
			 0);
	/* Root slots 2 and 3 stay PDEs (no 512G page, no 1T NextLevel=7). */
	l3t = pde_target(get(R, 2), 3);
	/* 256G at level 3: base 2T | bits 36:12, bit 37 clear. */
	for (unsigned i = 0; i < 512; i++)
		ck_assert_u64_eq(get(l3t, i), PR | RW | NL(7) |
					      ((2 * TB + (i / 256) * (256 * GB)) | 0x1ffffff000ull));
	pde_target(get(R, 3), 3);
	ck_assert_int_eq(ims_pt_translate(&F, M, R, TB + 0x8123456789ull, ACC_R, &W), IMS_PT_OK);
	EXPECT_OK(2 * TB + 0x8123456789ull, 38, LV(3), RIGHTS_RW);
	ck_assert_int_eq(ims_pt_unmap(&F, M, &P, R, TB, TB, &unmapped), 0);
	ck_assert_u64_eq(unmapped, TB);
	ck_assert_u64_eq(P.in_use_bytes, 4096);
	map_env_fini();
}
END_TEST

START_TEST(mode6_map_top_of_64bit_space_and_free)
{
	uint64_t unmapped;

	map_env(6, 52);
	ck_assert_int_eq(ims_pt_map(&F, M, &P, R, 0xfffffffffffff000ull, 0x5000, 0x1000,
				    IMS_PT_PROT_W), 0);
	ck_assert_int_eq(ims_pt_translate(&F, M, R, 0xffffffffffffffffull, ACC_W, &W),
			 IMS_PT_OK);
	EXPECT_OK(0x5fffull, 12, LV(1), RIGHTS_W);
	ck_assert_uint_eq(W.nreads, 6);
	EXPECT_READ(0, LV(6), R + 127 * 8);
	ck_assert_u64_eq(W.reads[5].pte, PR | IW | NL(0) | 0x5000);
	ck_assert_u64_eq(P.in_use_bytes, 6 * 4096);
	ck_assert_int_eq(ims_pt_unmap(&F, M, &P, R, 0xfffffffffffff000ull, 0x1000, &unmapped), 0);
	ck_assert_u64_eq(unmapped, 0x1000);
	ck_assert_u64_eq(P.in_use_bytes, 4096);
	map_env_fini();
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("pt_amdv1");
	TCase *t;

	t = tcase_create("format");
	tcase_add_checked_fixture(t, mem_setup, mem_teardown);
	tcase_add_test(t, ctor_rejects_what_the_dte_cannot_express);
	tcase_add_test(t, mode_sets_root_level_and_input_width);
	tcase_add_test(t, mapper_sizes_stop_below_512g_pages);
	tcase_add_test(t, describe_names_spec_fields);
	suite_add_tcase(s, t);

	t = tcase_create("walk");
	tcase_add_checked_fixture(t, mem_setup, mem_teardown);
	tcase_add_test(t, mode3_4k_page_reads_three_levels);
	tcase_add_test(t, mode3_2m_page_at_level2);
	tcase_add_test(t, mode3_1g_page_at_root);
	tcase_add_test(t, mode4_512g_and_mode5_256t_default_pages_decode);
	tcase_add_test(t, nl7_8k_32k_64k_1m_pages_at_level1);
	tcase_add_test(t, nl7_4m_and_512m_pages_at_level2);
	tcase_add_test(t, nl7_2g_at_level3_and_1t_at_level4);
	tcase_add_test(t, nl7_size_not_strictly_between_level_sizes_is_level_fault);
	tcase_add_test(t, level6_holds_no_pages);
	tcase_add_test(t, mode4_pde_skipping_level3_needs_zero_index_bits);
	tcase_add_test(t, pde_nextlevel_not_below_own_level_is_level_fault);
	tcase_add_test(t, pte_reserved_bits_58_52_fault_but_u_fc_and_ignored_do_not);
	tcase_add_test(t, pde_reserved_bits_60_52_fault);
	tcase_add_test(t, address_bits_above_oas_are_reserved);
	tcase_add_test(t, pr_clear_at_each_level_is_not_present);
	tcase_add_test(t, ir_iw_are_anded_down_the_walk);
	tcase_add_test(t, dte_ir_iw_passed_as_request_rights);
	tcase_add_test(t, no_privilege_or_execute_distinction);
	tcase_add_test(t, iova_above_mode_width_is_input_fault);
	tcase_add_test(t, mode1_single_table);
	tcase_add_test(t, mode2_top_holds_2m_and_4m_pages);
	tcase_add_test(t, mode6_translates_full_64bit_iova);
	tcase_add_test(t, mode6_root_skipping_to_level1);
	tcase_add_test(t, had_sets_a_in_every_entry_and_d_in_written_pte);
	tcase_add_test(t, had_updates_only_read_slot_of_nl7_page_and_not_on_fault);
	tcase_add_test(t, unreadable_table_is_walk_abort);
	suite_add_tcase(s, t);

	t = tcase_create("mapper");
	tcase_add_checked_fixture(t, mem_setup, mem_teardown);
	tcase_add_test(t, map_32k_gives_8_identical_nl7_ptes_and_4k_unmap_splits);
	tcase_add_test(t, map_picks_largest_page_per_alignment);
	tcase_add_test(t, unmap_4k_of_readonly_2m_page_splits_keeping_rights);
	tcase_add_test(t, map_1t_uses_256g_runs_not_level4_pages);
	tcase_add_test(t, mode6_map_top_of_64bit_space_and_free);
	suite_add_tcase(s, t);
	return s;
}
