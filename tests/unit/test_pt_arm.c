/* SPDX-License-Identifier: MIT */
/*
 * Known-answer tests of the Arm VMSAv8-64 stage-1 and stage-2 formats
 * (sim/pt/fmt_arm.c) through the generic walker and mapper.
 *
 * Tables are written as raw 64-bit descriptors whose values are computed
 * here by hand from the bit positions of shared/spec/smmuv3.md §4 (the
 * macros below), never with the format's own encoders.  Our level L is Arm
 * level 3-L.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/mem.h"
#include "sim/palloc.h"
#include "sim/pt.h"
#include "tests/unit/tharness.h"

/* ---- descriptor bits (digest §4) -------------------------------------- */
#define D_BLOCK 0x1ull /* bits[1:0] = 01 */
#define D_TABLE 0x3ull /* bits[1:0] = 11: table at Arm L0-L2, page at L3 */
#define AP1 (1ull << 6)  /* S1 AP[1]: EL0 access */
#define AP2 (1ull << 7)  /* S1 AP[2]: read-only */
#define S2_RD (1ull << 6) /* S2AP[0] */
#define S2_WR (1ull << 7) /* S2AP[1] */
#define SH_IS (3ull << 8)
#define AF (1ull << 10)
#define DBM (1ull << 51)
#define CONT (1ull << 52)
#define PXN (1ull << 53)
#define UXN (1ull << 54) /* XN at stage 2 and in one-privilege regimes */
#define PXNT (1ull << 59)
#define UXNT (1ull << 60)
#define APT_NO_EL0 (1ull << 61) /* APTable = 01 */
#define APT_RO (1ull << 62)     /* APTable = 10 */
#define MEMATTR_WB (0xfull << 2)

#define TBL(a) ((uint64_t)(a) | D_TABLE)
#define PAGE(a) ((uint64_t)(a) | D_TABLE | AF)
#define BLOCK(a) ((uint64_t)(a) | D_BLOCK | AF)

#define PR IMS_PT_PR
#define PW IMS_PT_PW
#define PX IMS_PT_PX
#define UR IMS_PT_UR
#define UW IMS_PT_UW
#define UX IMS_PT_UX
#define ACC_R IMS_PT_ACC_R
#define ACC_W IMS_PT_ACC_W
#define ACC_X IMS_PT_ACC_X
#define ACC_P IMS_PT_ACC_PRIV

#define KB (1ull << 10)
#define MB (1ull << 20)
#define GB (1ull << 30)

static struct ims_mem *M;
/* Table pages for the mapper tests; released by the fixture even when a
 * test fails half-way. */
static struct ims_palloc P;
#define POOL 0x1000000ull

static void setup(void)
{
	M = ims_mem_new();
	ck_assert_ptr_nonnull(M);
	ck_assert_int_eq(ims_palloc_init(&P, M, POOL, 16 * MB), 0);
}

static void teardown(void)
{
	ims_palloc_fini(&P);
	ims_mem_free(M);
	M = NULL;
}

static void wr(uint64_t pa, uint64_t v)
{
	ims_mem_write64(M, pa, v, IMS_MEM_DRIVER);
}

static uint64_t rd(uint64_t pa)
{
	return ims_mem_read64(M, pa, IMS_MEM_DRIVER);
}

static int try_fmt(struct ims_pt_fmt *f, unsigned stage, unsigned g, unsigned tsz, unsigned sl0,
		   unsigned oas, bool stt, uint32_t flags)
{
	struct ims_pt_arm_cfg c = {
		.stage = stage, .granule_shift = g, .tsz = tsz, .sl0 = sl0,
		.oas = oas, .stt = stt, .flags = flags,
	};
	return ims_pt_fmt_arm(f, &c);
}

static struct ims_pt_fmt fmt(unsigned stage, unsigned g, unsigned tsz, unsigned sl0, unsigned oas,
			     bool stt, uint32_t flags)
{
	struct ims_pt_fmt f;
	int rc = try_fmt(&f, stage, g, tsz, sl0, oas, stt, flags);
	ck_assert_msg(rc == 0, "fmt stage %u g %u tsz %u sl0 %u oas %u: %d", stage, g, tsz, sl0,
		      oas, rc);
	return f;
}

static struct ims_pt_fmt s1(unsigned g, unsigned tsz, uint32_t flags)
{
	return fmt(1, g, tsz, 0, 48, false, flags);
}

static struct ims_pt_fmt s2(unsigned g, unsigned tsz, unsigned sl0, uint32_t flags)
{
	return fmt(2, g, tsz, sl0, 48, false, flags);
}

static void check_read(const struct ims_pt_walk *w, unsigned i, unsigned level, uint64_t pa)
{
	ck_assert_uint_gt(w->nreads, i);
	ck_assert_uint_eq(w->reads[i].level, level);
	ck_assert_u64_eq(w->reads[i].pa, pa);
}

/* A 4K tree with a 39-bit input (Arm levels 1-3, our 2-0), every index 0:
 * the layout most rights tests use.  table_attrs go on the level-1 table
 * descriptor. */
#define R39 0x10000ull
#define T39_2 0x11000ull
#define T39_3 0x12000ull
#define OA39 0x50000000ull

static void tree39(uint64_t table_attrs, uint64_t leaf)
{
	wr(R39, TBL(T39_2) | table_attrs);
	wr(T39_2, TBL(T39_3));
	wr(T39_3, leaf);
}

/* Effective stage-1 rights of a page with `leaf_attrs` (AF set) below a
 * table descriptor with `table_attrs`, for an access that neither reads nor
 * writes (so nothing is checked and no update is made). */
static uint32_t s1_rights(uint32_t flags, uint64_t table_attrs, uint64_t leaf_attrs)
{
	struct ims_pt_fmt f = s1(12, 25, flags);
	struct ims_pt_walk w;

	tree39(table_attrs, PAGE(OA39) | leaf_attrs);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, 0, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, OA39 + 0x234);
	return w.perms;
}

static enum ims_pt_fault s1_try(uint32_t flags, uint64_t table_attrs, uint64_t leaf_attrs,
				unsigned access)
{
	struct ims_pt_fmt f = s1(12, 25, flags);
	struct ims_pt_walk w;

	tree39(table_attrs, PAGE(OA39) | leaf_attrs);
	return ims_pt_translate(&f, M, R39, 0x234, access, &w);
}

static uint32_t s2_rights(uint32_t flags, uint64_t leaf_attrs)
{
	struct ims_pt_fmt f = s2(12, 25, 1, flags);
	struct ims_pt_walk w;

	tree39(0, PAGE(OA39) | leaf_attrs);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, 0, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, OA39 + 0x234);
	return w.perms;
}

/* ---- geometry ------------------------------------------------------------ */

START_TEST(s1_4k_ia48_walks_four_levels_from_level0)
{
	struct ims_pt_fmt f = s1(12, 16, 0);

	ck_assert_int_eq(f.kind, IMS_PT_ARM_S1);
	ck_assert_uint_eq(f.top_level, 3);
	ck_assert_uint_eq(f.ias, 48);
	ck_assert_uint_eq(f.oas, 48);
	ck_assert_uint_eq(f.granule_shift, 12);
	for (unsigned l = 0; l < 4; l++) {
		ck_assert_uint_eq(f.shift[l], 12 + 9 * l);
		ck_assert_uint_eq(f.bits[l], 9);
	}
	/* 4K pages (+64K runs), 2M blocks (+32M), 1G blocks (+16G), no L0 block. */
	ck_assert_u64_eq(f.leaf_shifts[0], (1ull << 12) | (1ull << 16));
	ck_assert_u64_eq(f.leaf_shifts[1], (1ull << 21) | (1ull << 25));
	ck_assert_u64_eq(f.leaf_shifts[2], (1ull << 30) | (1ull << 34));
	ck_assert_u64_eq(f.leaf_shifts[3], 0);
	ck_assert_str_eq(f.level_name[3], "level 0");
	ck_assert_str_eq(f.level_name[0], "level 3");
	ck_assert_uint_gt(strlen(f.name), 0);
}
END_TEST

START_TEST(s1_start_level_follows_input_size)
{
	struct ims_pt_fmt f;

	f = s1(12, 25, 0); /* IA 39: Arm level 1, full 512-entry root */
	ck_assert_uint_eq(f.top_level, 2);
	ck_assert_uint_eq(f.bits[2], 9);
	f = s1(12, 24, 0); /* IA 40: Arm level 0 with 2 entries */
	ck_assert_uint_eq(f.top_level, 3);
	ck_assert_uint_eq(f.bits[3], 1);
	f = s1(12, 34, 0); /* IA 30: Arm level 2, 512 entries */
	ck_assert_uint_eq(f.top_level, 1);
	ck_assert_uint_eq(f.bits[1], 9);

	f = s1(14, 16, 0); /* 16K IA 48: level 0 resolves bit 47 only */
	ck_assert_uint_eq(f.top_level, 3);
	ck_assert_uint_eq(f.shift[3], 47);
	ck_assert_uint_eq(f.bits[3], 1);
	ck_assert_uint_eq(f.bits[2], 11);
	ck_assert_u64_eq(f.leaf_shifts[0], (1ull << 14) | (1ull << 21)); /* 128 x 16K */
	ck_assert_u64_eq(f.leaf_shifts[1], (1ull << 25) | (1ull << 30)); /* 32 x 32M */
	ck_assert_u64_eq(f.leaf_shifts[2], 0); /* L1 block needs DS */
	f = s1(14, 17, 0); /* 16K IA 47: level 1, 2048 entries */
	ck_assert_uint_eq(f.top_level, 2);
	ck_assert_uint_eq(f.bits[2], 11);

	f = s1(16, 16, 0); /* 64K IA 48: level 1 with 64 entries */
	ck_assert_uint_eq(f.top_level, 2);
	ck_assert_uint_eq(f.shift[2], 42);
	ck_assert_uint_eq(f.bits[2], 6);
	ck_assert_u64_eq(f.leaf_shifts[0], (1ull << 16) | (1ull << 21));
	ck_assert_u64_eq(f.leaf_shifts[1], (1ull << 29) | (1ull << 34));
	ck_assert_u64_eq(f.leaf_shifts[2], 0); /* 4T block needs a 52-bit PA */
}
END_TEST

START_TEST(s1_64k_52bit_input_and_output)
{
	struct ims_pt_fmt f = fmt(1, 16, 12, 0, 52, false, 0);

	ck_assert_uint_eq(f.ias, 52);
	ck_assert_uint_eq(f.oas, 52);
	ck_assert_uint_eq(f.top_level, 2);
	ck_assert_uint_eq(f.bits[2], 10);
	ck_assert_u64_eq(f.leaf_shifts[2], (1ull << 42) | (1ull << 47));
	/* 4K and 16K stop at 48 bits without LPA2. */
	ck_assert_int_eq(try_fmt(&f, 1, 12, 12, 0, 52, false, 0), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 1, 14, 15, 0, 52, false, 0), -EINVAL);
}
END_TEST

START_TEST(oas_52_with_4k_or_16k_acts_as_48)
{
	struct ims_pt_fmt f = fmt(1, 12, 16, 0, 52, false, 0);
	ck_assert_uint_eq(f.oas, 48);
	f = fmt(2, 14, 20, 2, 52, false, 0);
	ck_assert_uint_eq(f.oas, 48);
	f = fmt(2, 16, 16, 2, 52, false, 0);
	ck_assert_uint_eq(f.oas, 52);
}
END_TEST

START_TEST(small_input_sizes_need_stt)
{
	struct ims_pt_fmt f;

	ck_assert_int_eq(try_fmt(&f, 1, 12, 39, 0, 48, false, 0), 0);       /* IA 25 */
	ck_assert_int_eq(try_fmt(&f, 1, 12, 40, 0, 48, false, 0), -EINVAL); /* IA 24 */
	f = fmt(1, 12, 40, 0, 48, true, 0);
	ck_assert_uint_eq(f.top_level, 1);
	ck_assert_uint_eq(f.bits[1], 3);
	/* An 8-entry root cannot hold a 16-entry contiguous run. */
	ck_assert_u64_eq(f.leaf_shifts[1], 1ull << 21);
	f = fmt(1, 12, 48, 0, 48, true, 0); /* IA 16: a 16-entry level-3 root */
	ck_assert_uint_eq(f.top_level, 0);
	ck_assert_uint_eq(f.bits[0], 4);
	ck_assert_u64_eq(f.leaf_shifts[0], (1ull << 12) | (1ull << 16));
	ck_assert_int_eq(try_fmt(&f, 1, 12, 49, 0, 48, true, 0), -EINVAL);
	f = fmt(1, 16, 47, 0, 48, true, 0); /* 64K IA 17: 2-entry level-3 root */
	ck_assert_uint_eq(f.top_level, 0);
	ck_assert_uint_eq(f.bits[0], 1);
	ck_assert_int_eq(try_fmt(&f, 1, 16, 48, 0, 48, true, 0), -EINVAL);
}
END_TEST

START_TEST(constructor_rejects_what_the_architecture_does_not_allow)
{
	struct ims_pt_fmt f;
	struct ims_pt_arm_cfg c = { .stage = 1, .granule_shift = 12, .tsz = 16, .oas = 48 };

	ck_assert_int_eq(ims_pt_fmt_arm(NULL, &c), -EINVAL);
	ck_assert_int_eq(ims_pt_fmt_arm(&f, NULL), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 1, 13, 16, 0, 48, false, 0), -EINVAL); /* granule */
	ck_assert_int_eq(try_fmt(&f, 0, 12, 16, 0, 48, false, 0), -EINVAL); /* stage */
	ck_assert_int_eq(try_fmt(&f, 3, 12, 16, 0, 48, false, 0), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 1, 12, 15, 0, 48, false, 0), -EINVAL); /* IA 49 */
	ck_assert_int_eq(try_fmt(&f, 1, 16, 11, 0, 52, false, 0), -EINVAL); /* IA 53 */
	ck_assert_int_eq(try_fmt(&f, 1, 12, 64, 0, 48, false, 0), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 1, 12, 200, 0, 48, false, 0), -EINVAL);
	/* OAS must be one of the IPS/S2PS encodings. */
	ck_assert_int_eq(try_fmt(&f, 1, 12, 16, 0, 39, false, 0), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 1, 12, 16, 0, 56, false, 0), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 1, 12, 16, 0, 0, false, 0), -EINVAL);
	/* Flags of other formats or of the other stage. */
	ck_assert_int_eq(try_fmt(&f, 1, 12, 16, 0, 48, false, IMS_PT_F_SIGN_EXTEND), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 1, 12, 16, 0, 48, false, IMS_PT_F_XNX), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 2, 12, 25, 1, 48, false, IMS_PT_F_TTB1), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 2, 12, 25, 1, 48, false, IMS_PT_F_TBI), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 2, 12, 25, 1, 48, false, IMS_PT_F_PAN), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 2, 12, 25, 1, 48, false, IMS_PT_F_ONE_PRIV), -EINVAL);
	/* One-privilege regimes have no TTB1. */
	ck_assert_int_eq(try_fmt(&f, 1, 12, 16, 0, 48, false,
				 IMS_PT_F_TTB1 | IMS_PT_F_ONE_PRIV), -EINVAL);
	/* Every flag of each stage is accepted. */
	ck_assert_int_eq(try_fmt(&f, 1, 12, 16, 0, 48, false,
				 IMS_PT_F_TTB1 | IMS_PT_F_TBI | IMS_PT_F_AD | IMS_PT_F_HD |
				 IMS_PT_F_AFFD | IMS_PT_F_PAN | IMS_PT_F_WXN | IMS_PT_F_HADX), 0);
	ck_assert_int_eq(try_fmt(&f, 2, 12, 25, 1, 48, false,
				 IMS_PT_F_AD | IMS_PT_F_HD | IMS_PT_F_AFFD | IMS_PT_F_XNX), 0);
}
END_TEST

START_TEST(s2_start_level_from_sl0)
{
	struct ims_pt_fmt f;

	f = s2(12, 34, 0, 0); /* SL0=0: level 2, IA 30 */
	ck_assert_int_eq(f.kind, IMS_PT_ARM_S2);
	ck_assert_uint_eq(f.top_level, 1);
	ck_assert_uint_eq(f.bits[1], 9);
	f = s2(12, 25, 1, 0); /* SL0=1: level 1, IA 39 */
	ck_assert_uint_eq(f.top_level, 2);
	ck_assert_uint_eq(f.bits[2], 9);
	f = s2(12, 16, 2, 0); /* SL0=2: level 0, IA 48 */
	ck_assert_uint_eq(f.top_level, 3);
	ck_assert_uint_eq(f.bits[3], 9);
	/* SL0=3 with 4K: level 3, only with IDR3.STT. */
	ck_assert_int_eq(try_fmt(&f, 2, 12, 44, 3, 48, false, 0), -EINVAL);
	f = fmt(2, 12, 44, 3, 48, true, 0);
	ck_assert_uint_eq(f.top_level, 0);
	ck_assert_uint_eq(f.bits[0], 8);
	/* 16K: SL0 0..2 are levels 3..1; 48-bit IPA from level 1 with 2 tables. */
	f = s2(14, 16, 2, 0);
	ck_assert_uint_eq(f.top_level, 2);
	ck_assert_uint_eq(f.bits[2], 12);
	f = s2(14, 28, 1, 0); /* SL0=1: level 2, IA 36, 2048 entries */
	ck_assert_uint_eq(f.top_level, 1);
	ck_assert_uint_eq(f.bits[1], 11);
	f = s2(14, 37, 0, 0); /* SL0=0: level 3, IA 27: 4 concatenated tables */
	ck_assert_uint_eq(f.top_level, 0);
	ck_assert_uint_eq(f.bits[0], 13);
	/* 64K: SL0=2 is level 1 (48-bit IPA, 64 entries). */
	f = s2(16, 16, 2, 0);
	ck_assert_uint_eq(f.top_level, 2);
	ck_assert_uint_eq(f.bits[2], 6);
}
END_TEST

START_TEST(s2_concatenated_roots)
{
	struct ims_pt_fmt f;

	/* 4K, IA 40 from level 1: 2 concatenated tables (8 KiB root). */
	f = s2(12, 24, 1, 0);
	ck_assert_uint_eq(f.top_level, 2);
	ck_assert_uint_eq(f.bits[2], 10);
	ck_assert_u64_eq(ims_pt_table_bytes(&f, 2), 8 * KB);
	ck_assert_uint_eq(f.bits[1], 9);
	/* 4K, IA 42 from level 1: 8 tables. */
	f = s2(12, 22, 1, 0);
	ck_assert_uint_eq(f.bits[2], 12);
	ck_assert_u64_eq(ims_pt_table_bytes(&f, 2), 32 * KB);
	/* 4K, IA 43 from level 1: the maximum, 16 tables. */
	f = s2(12, 21, 1, 0);
	ck_assert_uint_eq(f.bits[2], 13);
	/* 64K, IA 46 from level 2: 16 tables, a 1 MiB root. */
	f = s2(16, 18, 1, 0);
	ck_assert_uint_eq(f.top_level, 1);
	ck_assert_uint_eq(f.bits[1], 17);
	ck_assert_u64_eq(ims_pt_table_bytes(&f, 1), 1 * MB);
	/* Blocks may sit in a concatenated root. */
	ck_assert_u64_eq(f.leaf_shifts[1], (1ull << 29) | (1ull << 34));
}
END_TEST

START_TEST(s2_inconsistent_sl0_t0sz_is_einval)
{
	struct ims_pt_fmt f;

	/* More than 16 concatenated tables. */
	ck_assert_int_eq(try_fmt(&f, 2, 12, 20, 1, 48, false, 0), -EINVAL); /* IA 44 from L1 */
	ck_assert_int_eq(try_fmt(&f, 2, 12, 24, 0, 48, false, 0), -EINVAL); /* IA 40 from L2 */
	ck_assert_int_eq(try_fmt(&f, 2, 16, 17, 1, 48, false, 0), -EINVAL); /* 64K IA 47 from L2 */
	/* Start level resolving no bit at all. */
	ck_assert_int_eq(try_fmt(&f, 2, 12, 25, 2, 48, false, 0), -EINVAL); /* IA 39 from L0 */
	ck_assert_int_eq(try_fmt(&f, 2, 16, 22, 2, 48, false, 0), -EINVAL); /* 64K IA 42 from L1 */
	/* Reserved SL0 encodings. */
	ck_assert_int_eq(try_fmt(&f, 2, 14, 16, 3, 48, false, 0), -EINVAL); /* 16K L0 needs DS */
	ck_assert_int_eq(try_fmt(&f, 2, 16, 16, 3, 48, false, 0), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 2, 12, 16, 4, 48, false, 0), -EINVAL);
	/* T0SZ out of range for stage 2 as well. */
	ck_assert_int_eq(try_fmt(&f, 2, 12, 15, 2, 48, false, 0), -EINVAL);
	ck_assert_int_eq(try_fmt(&f, 2, 12, 40, 0, 48, false, 0), -EINVAL);
}
END_TEST

START_TEST(s2_partial_root_table_is_accepted)
{
	/* AArch64.S2InconsistentSL accepts an input as small as one bit above
	 * the start level's shift: 4K, IA 32 from level 1 uses 4 entries. */
	struct ims_pt_fmt f = s2(12, 32, 1, 0);

	ck_assert_uint_eq(f.top_level, 2);
	ck_assert_uint_eq(f.bits[2], 2);
	ck_assert_uint_eq(f.ias, 32);
}
END_TEST

/* ---- stage-1 walks: every page and block size per granule ------------------ */

START_TEST(s1_4k_page_walk_from_level0)
{
	struct ims_pt_fmt f = s1(12, 16, 0);
	const uint64_t root = 0x100000, t1 = 0x101000, t2 = 0x102000, t3 = 0x103000;
	/* VA[47:39]=1, [38:30]=1, [29:21]=3, [20:12]=3, offset 0xabc. */
	const uint64_t va = 0x0000008040603abcull;
	struct ims_pt_walk w;

	wr(root + 8 * 1, TBL(t1));
	wr(t1 + 8 * 1, TBL(t2));
	wr(t2 + 8 * 3, TBL(t3));
	wr(t3 + 8 * 3, PAGE(0x87654000) | AP1); /* AP=01: RW at EL1 and EL0 */
	ck_assert_int_eq(ims_pt_translate(&f, M, root, va, ACC_R | ACC_W, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x87654abc);
	ck_assert_int_eq(w.level, 0);
	ck_assert_uint_eq(w.size_shift, 12);
	ck_assert_uint_eq(w.run_shift, 12);
	/* EL0-writable: implicitly PXN. */
	ck_assert_uint_eq(w.perms, PR | PW | UR | UW | UX);
	ck_assert_uint_eq(w.nreads, 4);
	check_read(&w, 0, 3, root + 8);
	check_read(&w, 1, 2, t1 + 8);
	check_read(&w, 2, 1, t2 + 0x18);
	check_read(&w, 3, 0, t3 + 0x18);
	ck_assert_u64_eq(w.reads[1].table, t1);
	ck_assert_u64_eq(w.reads[3].pte, PAGE(0x87654000) | AP1);
	ck_assert_uint_eq(w.nupdates, 0);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, va, ACC_X | ACC_P, &w),
			 IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(w.level, 0);
}
END_TEST

START_TEST(s1_4k_ia39_1g_and_2m_blocks)
{
	struct ims_pt_fmt f = s1(12, 25, 0);
	const uint64_t root = 0x100000, t2 = 0x101000;
	struct ims_pt_walk w;

	/* 1G block at Arm level 1, index 1. */
	wr(root + 8 * 1, BLOCK(0x80000000) | AP2); /* AP=10: EL1 read-only */
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x40123456, ACC_R | ACC_P, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x80123456);
	ck_assert_int_eq(w.level, 2);
	ck_assert_uint_eq(w.size_shift, 30);
	ck_assert_uint_eq(w.perms, PR | PX | UX);
	ck_assert_uint_eq(w.nreads, 1);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x40123456, ACC_W | ACC_P, &w),
			 IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x40123456, ACC_R, &w),
			 IMS_PT_FAULT_PERMISSION);

	/* 2M block at Arm level 2: VA[38:30]=0, [29:21]=1. */
	wr(root, TBL(t2));
	wr(t2 + 8, BLOCK(0x40600000) | AP1 | AP2);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x212345, ACC_R, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x40612345);
	ck_assert_int_eq(w.level, 1);
	ck_assert_uint_eq(w.size_shift, 21);
	ck_assert_uint_eq(w.run_shift, 21);
	ck_assert_uint_eq(w.nreads, 2);
	check_read(&w, 1, 1, t2 + 8);
}
END_TEST

START_TEST(s1_16k_page_and_32m_block)
{
	struct ims_pt_fmt f = s1(14, 16, 0);
	const uint64_t root = 0x100000, t1 = 0x104000, t2 = 0x108000, t3 = 0x10c000;
	/* VA[47]=1, [46:36]=2, [35:25]=3, [24:14]=5, offset 0x1234. */
	const uint64_t va = 0x802006015234ull;
	/* VA[47]=1, [46:36]=2, [35:25]=4, offset 0x123456. */
	const uint64_t va_blk = 0x802008123456ull;
	struct ims_pt_walk w;

	wr(root + 8 * 1, TBL(t1));
	wr(t1 + 8 * 2, TBL(t2));
	wr(t2 + 8 * 3, TBL(t3));
	wr(t3 + 8 * 5, PAGE(0x123458000) | AP1 | AP2); /* AP=11 */
	wr(t2 + 8 * 4, BLOCK(0x202000000));
	ck_assert_int_eq(ims_pt_translate(&f, M, root, va, ACC_R, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x123459234);
	ck_assert_uint_eq(w.size_shift, 14);
	ck_assert_uint_eq(w.perms, PR | UR | PX | UX);
	ck_assert_uint_eq(w.nreads, 4);
	check_read(&w, 0, 3, root + 8);
	check_read(&w, 3, 0, t3 + 8 * 5);

	ck_assert_int_eq(ims_pt_translate(&f, M, root, va_blk, ACC_R | ACC_P, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x202123456);
	ck_assert_int_eq(w.level, 1);
	ck_assert_uint_eq(w.size_shift, 25);

	/* A 64G block at Arm level 1 needs DS: invalid. */
	wr(t1 + 8 * 3, BLOCK(0x1000000000));
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x803000000000ull, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_NOT_PRESENT);
	ck_assert_int_eq(w.level, 2);
}
END_TEST

START_TEST(s1_64k_page_512m_block_and_4t_block_only_with_52bit_pa)
{
	struct ims_pt_fmt f = s1(16, 16, 0);
	struct ims_pt_fmt f52 = fmt(1, 16, 16, 0, 52, false, 0);
	const uint64_t root = 0x100000, t2 = 0x110000, t3 = 0x120000;
	/* VA[47:42]=5, [41:29]=7, [28:16]=9, offset 0xabcd. */
	const uint64_t va = 0x1400e009abcdull;
	struct ims_pt_walk w;

	wr(root + 8 * 5, TBL(t2));
	wr(t2 + 8 * 7, TBL(t3));
	wr(t3 + 8 * 9, PAGE(0x300000000));
	ck_assert_int_eq(ims_pt_translate(&f, M, root, va, ACC_R | ACC_P, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x30000abcd);
	ck_assert_uint_eq(w.size_shift, 16);
	ck_assert_uint_eq(w.nreads, 3);
	check_read(&w, 0, 2, root + 8 * 5);
	check_read(&w, 1, 1, t2 + 8 * 7);
	check_read(&w, 2, 0, t3 + 8 * 9);

	/* 512M block at Arm level 2: VA[41:29]=8. */
	wr(t2 + 8 * 8, BLOCK(0x40000000));
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x140101234567ull, ACC_R | ACC_P, &w),
			 IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x41234567);
	ck_assert_uint_eq(w.size_shift, 29);

	/* 4T block at Arm level 1, root index 6. */
	wr(root + 8 * 6, BLOCK(0x40000000000));
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x180000001234ull, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_NOT_PRESENT);
	ck_assert_int_eq(w.level, 2);
	ck_assert_int_eq(ims_pt_translate(&f52, M, root, 0x180000001234ull, ACC_R | ACC_P, &w),
			 IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x40000001234);
	ck_assert_uint_eq(w.size_shift, 42);
}
END_TEST

START_TEST(s1_64k_52bit_addresses_use_bits_15_12)
{
	struct ims_pt_fmt f = fmt(1, 16, 12, 0, 52, false, 0);
	const uint64_t root = 0x100000, t2 = 0x110000;
	const uint64_t t3 = 0x0001000000120000ull; /* above 2^48 */
	/* VA[51:42]=0x201, [41:29]=3, [28:16]=4, offset 0x10. */
	const uint64_t va = 0x8040060040010ull;
	struct ims_pt_walk w;

	wr(root + 8 * 0x201, TBL(t2));
	wr(t2 + 8 * 3, 0x0000000000121003ull); /* table, OA[51:48]=1 in bits 15:12 */
	wr(t3 + 8 * 4, PAGE(0x123456780000ull) | (3ull << 12)); /* OA[51:48]=3 */
	ck_assert_int_eq(ims_pt_translate(&f, M, root, va, ACC_R | ACC_P, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x0003123456780010ull);
	ck_assert_uint_eq(w.nreads, 3);
	check_read(&w, 0, 2, root + 0x1008);
	check_read(&w, 2, 0, t3 + 0x20);
	ck_assert_u64_eq(w.reads[2].table, t3);

	/* With a 48-bit output, bits 15:12 are not address bits. */
	{
		struct ims_pt_fmt f48 = s1(16, 16, 0);
		wr(root, TBL(t2));
		wr(t2, TBL(0x130000));
		wr(0x130000, PAGE(0x123456780000ull) | (3ull << 12));
		ck_assert_int_eq(ims_pt_translate(&f48, M, root, 0x10, ACC_R | ACC_P, &w),
				 IMS_PT_OK);
		ck_assert_u64_eq(w.oa, 0x123456780010ull);
	}
}
END_TEST

/* One contiguous run per granule and level: the slot's own output address,
 * the entry size and the run size (digest §4: 4K 16 entries; 16K 128 at
 * level 3, 32 at level 2; 64K 32). */
START_TEST(contiguous_runs_per_granule_and_level)
{
	static const struct {
		unsigned g, tsz, oas, level;
		uint64_t type;
		unsigned size, run;
	} cases[] = {
		{ 12, 16, 48, 0, D_TABLE, 12, 16 }, { 12, 16, 48, 1, D_BLOCK, 21, 25 },
		{ 12, 16, 48, 2, D_BLOCK, 30, 34 }, { 14, 16, 48, 0, D_TABLE, 14, 21 },
		{ 14, 16, 48, 1, D_BLOCK, 25, 30 }, { 16, 16, 48, 0, D_TABLE, 16, 21 },
		{ 16, 16, 48, 1, D_BLOCK, 29, 34 }, { 16, 12, 52, 2, D_BLOCK, 42, 47 },
	};
	const uint64_t base = 1ull << 47; /* run-aligned output for every case */

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ims_pt_fmt f = fmt(1, cases[i].g, cases[i].tsz, 0, cases[i].oas, false, 0);
		unsigned n = 1u << (cases[i].run - cases[i].size);
		uint64_t va = (5ull << cases[i].size) | 0x123; /* slot 5 of the run */
		uint64_t table = 0x1000000, leaf_table;
		struct ims_pt_walk w;

		ims_mem_zero(M, 0x1000000, 0x1000000, IMS_MEM_DRIVER);
		/* Index 0 above the leaf level: each table is 1 MiB further. */
		for (unsigned l = f.top_level; l > cases[i].level; l--) {
			wr(table, TBL(table + MB));
			table += MB;
		}
		leaf_table = table;
		for (unsigned s = 0; s < n; s++)
			wr(leaf_table + 8 * s, (base + ((uint64_t)s << cases[i].size)) |
						      cases[i].type | AF | CONT);
		ck_assert_int_eq(ims_pt_translate(&f, M, 0x1000000, va, ACC_R | ACC_P, &w),
				 IMS_PT_OK);
		ck_assert_msg(w.oa == base + va, "case %u: oa 0x%llx", i,
			      (unsigned long long)w.oa);
		ck_assert_int_eq(w.level, (int)cases[i].level);
		ck_assert_uint_eq(w.size_shift, cases[i].size);
		ck_assert_uint_eq(w.run_shift, cases[i].run);
	}
}
END_TEST

START_TEST(contiguous_hint_ignored_where_the_root_is_narrower_than_the_run)
{
	/* 4K IA 24 (STT): an 8-entry level-2 root cannot hold 16 x 2M. */
	struct ims_pt_fmt f = fmt(1, 12, 40, 0, 48, true, 0);
	struct ims_pt_walk w;

	wr(0x100000 + 8 * 2, BLOCK(0x40400000) | CONT);
	ck_assert_int_eq(ims_pt_translate(&f, M, 0x100000, 0x412345, ACC_R | ACC_P, &w),
			 IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x40412345);
	ck_assert_uint_eq(w.run_shift, 21);
}
END_TEST

/* ---- stage-2 walks --------------------------------------------------------- */

START_TEST(s2_4k_ia40_second_concatenated_table)
{
	struct ims_pt_fmt f = s2(12, 24, 1, 0);
	const uint64_t root = 0x200000, t2 = 0x203000, t3 = 0x204000;
	/* IPA[39:30]=0x301 (second table, index 0x101), [29:21]=1, [20:12]=1. */
	const uint64_t ipa = 0xC040201abcull;
	struct ims_pt_walk w;

	wr(root + 8 * 0x301, TBL(t2));
	wr(t2 + 8, TBL(t3));
	wr(t3 + 8, PAGE(0x90000000) | S2_RD | S2_WR);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, ipa, ACC_R | ACC_W, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x90000abc);
	ck_assert_uint_eq(w.perms, IMS_PT_PERM_ALL);
	ck_assert_uint_eq(w.nreads, 3);
	check_read(&w, 0, 2, root + 0x1808);
	check_read(&w, 1, 1, t2 + 8);
	check_read(&w, 2, 0, t3 + 8);
	/* IPA at or above 2^40: input-range (translation) fault, nothing read. */
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 1ull << 40, ACC_R, &w), IMS_PT_FAULT_INPUT);
	ck_assert_int_eq(w.level, -1);
	ck_assert_uint_eq(w.nreads, 0);
}
END_TEST

START_TEST(s2_4k_ia42_1g_block_in_eighth_table)
{
	struct ims_pt_fmt f = s2(12, 22, 1, 0);
	const uint64_t root = 0x200000;
	struct ims_pt_walk w;

	/* IPA[41:30] = 0xfff: last entry of the eighth table. */
	wr(root + 8 * 0xfff, BLOCK(0x140000000) | S2_RD);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x3FFC0123456ull, ACC_R, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x140123456);
	ck_assert_uint_eq(w.size_shift, 30);
	ck_assert_uint_eq(w.perms, PR | UR | PX | UX);
	check_read(&w, 0, 2, root + 0x7ff8);
}
END_TEST

START_TEST(s2_64k_ia46_512m_block_in_sixteenth_table)
{
	struct ims_pt_fmt f = s2(16, 18, 1, 0);
	const uint64_t root = 0x400000;
	struct ims_pt_walk w;

	/* IPA[45:29] = 0x1ffff. */
	wr(root + 8 * 0x1ffff, BLOCK(0x20000000) | S2_RD | S2_WR);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x3FFFE0100000ull, ACC_W, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x20100000);
	ck_assert_int_eq(w.level, 1);
	ck_assert_uint_eq(w.size_shift, 29);
	check_read(&w, 0, 1, root + 0xffff8);
}
END_TEST

START_TEST(s2_4k_sl0_3_starts_at_level3_with_stt)
{
	struct ims_pt_fmt f = fmt(2, 12, 44, 3, 48, true, 0);
	struct ims_pt_walk w;

	wr(0x300000 + 8 * 0xff, PAGE(0x70000000) | S2_RD);
	ck_assert_int_eq(ims_pt_translate(&f, M, 0x300000, 0xFF123, ACC_R, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x70000123);
	ck_assert_uint_eq(w.nreads, 1);
	ck_assert_int_eq(ims_pt_translate(&f, M, 0x300000, 0x100000, ACC_R, &w),
			 IMS_PT_FAULT_INPUT);
}
END_TEST

/* ---- faults ---------------------------------------------------------------- */

START_TEST(input_beyond_ia_ttb1_and_tbi)
{
	struct ims_pt_fmt f = s1(12, 25, 0);
	struct ims_pt_fmt f1 = s1(12, 25, IMS_PT_F_TTB1);
	struct ims_pt_fmt f1t = s1(12, 25, IMS_PT_F_TTB1 | IMS_PT_F_TBI);
	struct ims_pt_fmt ft = s1(12, 25, IMS_PT_F_TBI);
	struct ims_pt_walk w;

	tree39(0, PAGE(OA39) | AP1);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 1ull << 39, ACC_R, &w), IMS_PT_FAULT_INPUT);
	ck_assert_int_eq(w.level, -1);
	ck_assert_uint_eq(w.nreads, 0);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R, &w), IMS_PT_OK);

	/* TTB1: VA[63:39] all ones. */
	ck_assert_int_eq(ims_pt_translate(&f1, M, R39, 0xFFFFFF8000000234ull, ACC_R, &w),
			 IMS_PT_OK);
	ck_assert_u64_eq(w.oa, OA39 + 0x234);
	ck_assert_int_eq(ims_pt_translate(&f1, M, R39, 0x234, ACC_R, &w), IMS_PT_FAULT_INPUT);
	ck_assert_int_eq(ims_pt_translate(&f1, M, R39, 0xFFFFFF0000000234ull, ACC_R, &w),
			 IMS_PT_FAULT_INPUT);
	ck_assert_int_eq(ims_pt_translate(&f1, M, R39, 0x12FFFF8000000234ull, ACC_R, &w),
			 IMS_PT_FAULT_INPUT);
	/* TBI leaves the top byte out of the check. */
	ck_assert_int_eq(ims_pt_translate(&f1t, M, R39, 0x12FFFF8000000234ull, ACC_R, &w),
			 IMS_PT_OK);
	ck_assert_u64_eq(w.oa, OA39 + 0x234);
	ck_assert_int_eq(ims_pt_translate(&ft, M, R39, 0xAB00000000000234ull, ACC_R, &w),
			 IMS_PT_OK);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0xAB00000000000234ull, ACC_R, &w),
			 IMS_PT_FAULT_INPUT);
	ck_assert_int_eq(ims_pt_translate(&ft, M, R39, 0xAB00008000000234ull, ACC_R, &w),
			 IMS_PT_FAULT_INPUT);
}
END_TEST

START_TEST(not_present_invalid_reserved_and_unsupported_blocks)
{
	struct ims_pt_fmt f = s1(12, 25, 0);
	struct ims_pt_fmt f48 = s1(12, 16, 0);
	struct ims_pt_walk w;

	tree39(0, 0);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_NOT_PRESENT);
	ck_assert_int_eq(w.level, 0);
	ck_assert_uint_eq(w.nreads, 3);
	/* bit 0 clear with everything else set. */
	tree39(0, PAGE(OA39) & ~1ull);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_NOT_PRESENT);
	/* 01 at level 3 is reserved. */
	tree39(0, BLOCK(OA39));
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_NOT_PRESENT);
	ck_assert_int_eq(w.level, 0);
	/* An invalid table descriptor at Arm level 2. */
	tree39(0, PAGE(OA39));
	wr(T39_2, TBL(T39_3) & ~1ull);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_NOT_PRESENT);
	ck_assert_int_eq(w.level, 1);
	ck_assert_uint_eq(w.nreads, 2);
	/* 4K: a 512G block at Arm level 0 needs DS. */
	wr(0x100000, BLOCK(0));
	ck_assert_int_eq(ims_pt_translate(&f48, M, 0x100000, 0x1234, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_NOT_PRESENT);
	ck_assert_int_eq(w.level, 3);
	ck_assert_uint_eq(w.nreads, 1);
}
END_TEST

START_TEST(addr_size_for_table_and_output_above_oas)
{
	struct ims_pt_fmt f = fmt(1, 12, 25, 0, 40, false, 0);
	struct ims_pt_fmt f2 = fmt(2, 12, 25, 1, 40, false, 0);
	struct ims_pt_walk w;

	/* Next-table address with bit 40 set: fault at the table's level. */
	wr(R39, TBL(0x10000000000ull));
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_ADDR_SIZE);
	ck_assert_int_eq(w.level, 2);
	ck_assert_uint_eq(w.nreads, 1);
	/* Output address with bit 41 set. */
	tree39(0, PAGE(0x20000000000ull));
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_ADDR_SIZE);
	ck_assert_int_eq(w.level, 0);
	ck_assert_uint_eq(w.nreads, 3);
	tree39(0, PAGE(0x20000000000ull) | S2_RD);
	ck_assert_int_eq(ims_pt_translate(&f2, M, R39, 0x234, ACC_R, &w), IMS_PT_FAULT_ADDR_SIZE);
	/* The last page below 2^40 is fine. */
	tree39(0, PAGE(0xFFFFFFF000ull));
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R | ACC_P, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0xFFFFFFF234ull);
	/* Address size beats the access flag. */
	tree39(0, PAGE(0x20000000000ull) & ~AF);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_ADDR_SIZE);
}
END_TEST

START_TEST(walk_abort_on_table_fetch)
{
	struct ims_pt_fmt f = s1(12, 25, 0);
	struct ims_pt_walk w;

	tree39(0, PAGE(OA39));
	ck_assert_int_eq(ims_mem_add_abort(M, T39_2, T39_2 + 0xfff), 0);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R | ACC_P, &w),
			 IMS_PT_FAULT_WALK_ABORT);
	ck_assert_int_eq(w.level, 1);
	ck_assert_uint_eq(w.nreads, 1);
}
END_TEST

START_TEST(access_flag_fault_ha_update_and_affd)
{
	struct ims_pt_fmt f = s1(12, 25, 0);
	struct ims_pt_fmt fha = s1(12, 25, IMS_PT_F_AD);
	struct ims_pt_fmt faffd = s1(12, 25, IMS_PT_F_AFFD);
	const uint64_t leaf = (OA39 | D_TABLE | AP1 | AP2); /* AF = 0, AP = 11 */
	struct ims_pt_walk w;

	tree39(0, leaf);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R, &w),
			 IMS_PT_FAULT_ACCESS_FLAG);
	ck_assert_int_eq(w.level, 0);
	ck_assert_uint_eq(w.nupdates, 0);
	/* The access flag fault comes before the permission check. */
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W, &w),
			 IMS_PT_FAULT_ACCESS_FLAG);

	/* HA: the hardware sets AF, no fault. */
	ck_assert_int_eq(ims_pt_translate(&fha, M, R39, 0x234, ACC_R, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.nupdates, 1);
	ck_assert_uint_eq(w.updates[0].level, 0);
	ck_assert_u64_eq(w.updates[0].pa, T39_3);
	ck_assert_u64_eq(w.updates[0].old, leaf);
	ck_assert_u64_eq(w.updates[0].new, leaf | AF);
	/* ... but not when the access then faults on permission. */
	ck_assert_int_eq(ims_pt_translate(&fha, M, R39, 0x234, ACC_W, &w),
			 IMS_PT_FAULT_PERMISSION);
	ck_assert_uint_eq(w.nupdates, 0);
	/* After the update is made, no more updates. */
	ck_assert_int_eq(ims_pt_translate(&fha, M, R39, 0x234, ACC_R, &w), IMS_PT_OK);
	ck_assert_uint_eq(ims_pt_apply_updates(M, &w), 1);
	ck_assert_u64_eq(rd(T39_3), leaf | AF);
	ck_assert_int_eq(ims_pt_translate(&fha, M, R39, 0x234, ACC_R, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.nupdates, 0);

	/* AFFD: AF=0 behaves as 1, nothing written. */
	tree39(0, leaf);
	ck_assert_int_eq(ims_pt_translate(&faffd, M, R39, 0x234, ACC_R, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.nupdates, 0);
	ck_assert_u64_eq(w.oa, OA39 + 0x234);

	/* A 2M block without AF faults at its own level. */
	wr(T39_2, (0x40000000ull | D_BLOCK | AP1));
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x1234, ACC_R, &w),
			 IMS_PT_FAULT_ACCESS_FLAG);
	ck_assert_int_eq(w.level, 1);
}
END_TEST

START_TEST(s2_access_flag)
{
	struct ims_pt_fmt f = s2(12, 25, 1, 0);
	struct ims_pt_fmt fha = s2(12, 25, 1, IMS_PT_F_AD);
	struct ims_pt_fmt faffd = s2(12, 25, 1, IMS_PT_F_AFFD);
	const uint64_t leaf = OA39 | D_TABLE | S2_RD;
	struct ims_pt_walk w;

	tree39(0, leaf);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W, &w),
			 IMS_PT_FAULT_ACCESS_FLAG);
	ck_assert_int_eq(ims_pt_translate(&faffd, M, R39, 0x234, ACC_R, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.nupdates, 0);
	ck_assert_int_eq(ims_pt_translate(&fha, M, R39, 0x234, ACC_R, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.nupdates, 1);
	ck_assert_u64_eq(w.updates[0].new, leaf | AF);
}
END_TEST

/* ---- stage-1 permissions -------------------------------------------------- */

START_TEST(s1_ap_table_privileged_and_unprivileged)
{
	/* Execution is governed by UXN/PXN only; AP=00 is execute-only at EL0,
	 * and EL0-writable (AP=01) is never privileged-executable. */
	ck_assert_uint_eq(s1_rights(0, 0, 0), PR | PW | PX | UX);
	ck_assert_uint_eq(s1_rights(0, 0, AP1), PR | PW | UR | UW | UX);
	ck_assert_uint_eq(s1_rights(0, 0, AP2), PR | PX | UX);
	ck_assert_uint_eq(s1_rights(0, 0, AP1 | AP2), PR | UR | PX | UX);

	ck_assert_int_eq(s1_try(0, 0, 0, ACC_R), IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(s1_try(0, 0, 0, ACC_X), IMS_PT_OK);
	ck_assert_int_eq(s1_try(0, 0, 0, ACC_W | ACC_P), IMS_PT_OK);
	ck_assert_int_eq(s1_try(0, 0, AP2, ACC_W | ACC_P), IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(s1_try(0, 0, AP1 | AP2, ACC_W), IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(s1_try(0, 0, AP1 | AP2, ACC_R), IMS_PT_OK);
	ck_assert_int_eq(s1_try(0, 0, AP1, ACC_X | ACC_P), IMS_PT_FAULT_PERMISSION);
	/* An atomic needs both read and write. */
	ck_assert_int_eq(s1_try(0, 0, AP2, ACC_R | ACC_W | ACC_P), IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(s1_try(0, 0, AP1, ACC_R | ACC_W), IMS_PT_OK);
}
END_TEST

START_TEST(s1_uxn_pxn_and_xn_tables)
{
	ck_assert_uint_eq(s1_rights(0, 0, AP1 | AP2 | UXN), PR | UR | PX);
	ck_assert_uint_eq(s1_rights(0, 0, AP1 | AP2 | PXN), PR | UR | UX);
	ck_assert_uint_eq(s1_rights(0, UXNT, AP1 | AP2), PR | UR | PX);
	ck_assert_uint_eq(s1_rights(0, PXNT, AP1 | AP2), PR | UR | UX);
	ck_assert_int_eq(s1_try(0, 0, AP1 | AP2 | UXN, ACC_X), IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(s1_try(0, 0, AP1 | AP2 | UXN, ACC_X | ACC_P), IMS_PT_OK);
	ck_assert_int_eq(s1_try(0, PXNT, AP1 | AP2, ACC_X | ACC_P), IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(s1_try(0, PXNT, AP1 | AP2, ACC_X), IMS_PT_OK);
}
END_TEST

START_TEST(s1_aptable_restricts_and_hadx_ignores)
{
	/* APTable=01: no EL0 data access below; the page is then no longer
	 * EL0-writable, so privileged execution is allowed again (the pseudocode
	 * computes PXN from the rights after APTable). */
	ck_assert_uint_eq(s1_rights(0, APT_NO_EL0, AP1), PR | PW | PX | UX);
	/* APTable=10: no write. */
	ck_assert_uint_eq(s1_rights(0, APT_RO, AP1), PR | UR | PX | UX);
	/* APTable=11: no write, no EL0. */
	ck_assert_uint_eq(s1_rights(0, APT_RO | APT_NO_EL0, AP1), PR | PX | UX);
	ck_assert_int_eq(s1_try(0, APT_NO_EL0, AP1, ACC_R), IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(s1_try(0, APT_NO_EL0, AP1, ACC_W | ACC_P), IMS_PT_OK);
	ck_assert_int_eq(s1_try(0, APT_RO, AP1, ACC_W | ACC_P), IMS_PT_FAULT_PERMISSION);
	/* CD.HADx: APTable, UXNTable and PXNTable are ignored. */
	ck_assert_uint_eq(s1_rights(IMS_PT_F_HADX, APT_RO | APT_NO_EL0 | UXNT | PXNT, AP1),
			  PR | PW | UR | UW | UX);
	/* A table descriptor's rights are ANDed into the walk. */
	{
		struct ims_pt_fmt f = s1(12, 25, 0);
		struct ims_pt_walk w;
		tree39(APT_RO, PAGE(OA39) | AP1);
		ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, 0, &w), IMS_PT_OK);
		ck_assert_uint_eq(w.reads[0].perms, PR | PX | UR | UX);
	}
}
END_TEST

START_TEST(s1_pan_blocks_privileged_data_access_to_el0_pages)
{
	const uint32_t pan = IMS_PT_F_PAN;

	ck_assert_uint_eq(s1_rights(pan, 0, AP1), UR | UW | UX);
	ck_assert_uint_eq(s1_rights(pan, 0, AP1 | AP2), UR | PX | UX);
	ck_assert_uint_eq(s1_rights(pan, 0, 0), PR | PW | PX | UX);
	ck_assert_int_eq(s1_try(pan, 0, AP1 | AP2, ACC_R | ACC_P), IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(s1_try(pan, 0, AP1 | AP2, ACC_X | ACC_P), IMS_PT_OK);
	ck_assert_int_eq(s1_try(pan, 0, AP1 | AP2, ACC_R), IMS_PT_OK);
	/* APTable=01 takes EL0 away, and with it the PAN restriction. */
	ck_assert_uint_eq(s1_rights(pan, APT_NO_EL0, AP1), PR | PW | PX | UX);
}
END_TEST

START_TEST(s1_wxn_makes_writable_pages_execute_never)
{
	const uint32_t wxn = IMS_PT_F_WXN;

	ck_assert_uint_eq(s1_rights(wxn, 0, 0), PR | PW | UX);
	ck_assert_uint_eq(s1_rights(wxn, 0, AP1), PR | PW | UR | UW);
	ck_assert_uint_eq(s1_rights(wxn, 0, AP2), PR | PX | UX);
	ck_assert_uint_eq(s1_rights(wxn, 0, AP1 | AP2), PR | UR | PX | UX);
	/* Write taken away by APTable: executable again. */
	ck_assert_uint_eq(s1_rights(wxn, APT_RO, 0), PR | PX | UX);
	ck_assert_int_eq(s1_try(wxn, 0, 0, ACC_X | ACC_P), IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(s1_try(wxn, 0, AP1, ACC_X), IMS_PT_FAULT_PERMISSION);
}
END_TEST

START_TEST(s1_one_privilege_regime_uses_ap2_and_xn)
{
	const uint32_t one = IMS_PT_F_ONE_PRIV;
	const uint32_t all = IMS_PT_PERM_ALL;

	/* AP[1] does not matter; P and U rights go together. */
	ck_assert_uint_eq(s1_rights(one, 0, 0), all);
	ck_assert_uint_eq(s1_rights(one, 0, AP1), all);
	ck_assert_uint_eq(s1_rights(one, 0, AP2), PR | UR | PX | UX);
	ck_assert_uint_eq(s1_rights(one, 0, UXN), PR | PW | UR | UW);
	ck_assert_uint_eq(s1_rights(one, 0, PXN), all); /* bit 53 is RES0 */
	ck_assert_uint_eq(s1_rights(one, APT_NO_EL0 | PXNT, 0), all);
	ck_assert_uint_eq(s1_rights(one, APT_RO, 0), PR | UR | PX | UX);
	ck_assert_uint_eq(s1_rights(one, UXNT, 0), PR | PW | UR | UW);
	ck_assert_uint_eq(s1_rights(one | IMS_PT_F_WXN, 0, 0), PR | PW | UR | UW);
	ck_assert_uint_eq(s1_rights(one | IMS_PT_F_PAN, 0, AP1), all);
}
END_TEST

/* ---- stage-2 permissions -------------------------------------------------- */

START_TEST(s2ap_and_xn)
{
	ck_assert_uint_eq(s2_rights(0, 0), PX | UX); /* S2AP=00; fetch needs XN only */
	ck_assert_uint_eq(s2_rights(0, S2_RD), PR | UR | PX | UX);
	ck_assert_uint_eq(s2_rights(0, S2_WR), PW | UW | PX | UX);
	ck_assert_uint_eq(s2_rights(0, S2_RD | S2_WR), IMS_PT_PERM_ALL);
	ck_assert_uint_eq(s2_rights(0, S2_RD | UXN), PR | UR);
	ck_assert_uint_eq(s2_rights(0, S2_RD | PXN), PR | UR | PX | UX); /* bit 53 without XNX */
	/* XN[1:0] with IDR3.XNX: 01 not at EL1, 10 none, 11 not at EL0. */
	ck_assert_uint_eq(s2_rights(IMS_PT_F_XNX, S2_RD | PXN), PR | UR | UX);
	ck_assert_uint_eq(s2_rights(IMS_PT_F_XNX, S2_RD | UXN), PR | UR);
	ck_assert_uint_eq(s2_rights(IMS_PT_F_XNX, S2_RD | UXN | PXN), PR | UR | PX);
	ck_assert_uint_eq(s2_rights(IMS_PT_F_XNX, S2_RD), PR | UR | PX | UX);
	{
		struct ims_pt_fmt f = s2(12, 25, 1, 0);
		struct ims_pt_walk w;
		tree39(0, PAGE(OA39) | S2_RD);
		ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W | ACC_P, &w),
				 IMS_PT_FAULT_PERMISSION);
		ck_assert_int_eq(w.level, 0);
		tree39(0, PAGE(OA39) | S2_WR);
		ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R, &w),
				 IMS_PT_FAULT_PERMISSION);
		ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W, &w), IMS_PT_OK);
		/* Stage-2 table descriptors carry no attributes. */
		tree39(APT_RO | APT_NO_EL0 | UXNT | PXNT, PAGE(OA39) | S2_RD | S2_WR);
		ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W | ACC_X, &w),
				 IMS_PT_OK);
	}
}
END_TEST

/* ---- hardware dirty state -------------------------------------------------- */

START_TEST(s1_dbm_with_hd_makes_a_write_dirty)
{
	struct ims_pt_fmt f = s1(12, 25, IMS_PT_F_AD | IMS_PT_F_HD);
	struct ims_pt_fmt fnohd = s1(12, 25, IMS_PT_F_AD);
	struct ims_pt_fmt fnoha = s1(12, 25, IMS_PT_F_HD);
	const uint64_t leaf = PAGE(OA39) | AP1 | AP2 | DBM; /* writable-clean */
	struct ims_pt_walk w;

	ck_assert_uint_eq(fnoha.flags & IMS_PT_F_HD, 0); /* HD needs HA */
	tree39(0, leaf);
	/* A read sees a read-only page and changes nothing. */
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.perms, PR | UR | PX | UX);
	ck_assert_uint_eq(w.nupdates, 0);
	/* A write succeeds and clears AP[2]. */
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.perms & (PW | UW), PW | UW);
	ck_assert_uint_eq(w.nupdates, 1);
	ck_assert_uint_eq(w.updates[0].level, 0);
	ck_assert_u64_eq(w.updates[0].pa, T39_3);
	ck_assert_u64_eq(w.updates[0].old, leaf);
	ck_assert_u64_eq(w.updates[0].new, leaf & ~AP2);
	ck_assert_uint_eq(ims_pt_apply_updates(M, &w), 1);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.nupdates, 0);
	/* Without HD, or without HA, the write faults. */
	tree39(0, leaf);
	ck_assert_int_eq(ims_pt_translate(&fnohd, M, R39, 0x234, ACC_W, &w),
			 IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(ims_pt_translate(&fnoha, M, R39, 0x234, ACC_W, &w),
			 IMS_PT_FAULT_PERMISSION);
	/* AP=10 + DBM becomes EL1-writable only. */
	tree39(0, PAGE(OA39) | AP2 | DBM);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W | ACC_P, &w), IMS_PT_OK);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W, &w),
			 IMS_PT_FAULT_PERMISSION);
	/* APTable=10 still forbids the write: no update. */
	tree39(APT_RO, leaf);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W | ACC_P, &w),
			 IMS_PT_FAULT_PERMISSION);
	ck_assert_uint_eq(w.nupdates, 0);
	/* AF=0 and writable-clean: one update sets AF and clears AP[2]. */
	tree39(0, leaf & ~AF);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.nupdates, 1);
	ck_assert_u64_eq(w.updates[0].new, (leaf | AF) & ~AP2);
}
END_TEST

START_TEST(s2_dbm_with_hd_sets_s2ap_write)
{
	struct ims_pt_fmt f = s2(12, 25, 1, IMS_PT_F_AD | IMS_PT_F_HD);
	struct ims_pt_fmt fnohd = s2(12, 25, 1, IMS_PT_F_AD);
	const uint64_t leaf = PAGE(OA39) | S2_RD | DBM;
	struct ims_pt_walk w;

	tree39(0, leaf);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_R, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.perms, PR | UR | PX | UX);
	ck_assert_uint_eq(w.nupdates, 0);
	ck_assert_int_eq(ims_pt_translate(&f, M, R39, 0x234, ACC_W, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.nupdates, 1);
	ck_assert_u64_eq(w.updates[0].new, leaf | S2_WR);
	ck_assert_int_eq(ims_pt_translate(&fnohd, M, R39, 0x234, ACC_W, &w),
			 IMS_PT_FAULT_PERMISSION);
}
END_TEST

START_TEST(describe_names_the_fields)
{
	struct ims_pt_fmt f = s1(12, 25, 0);
	struct ims_pt_fmt f2 = s2(12, 25, 1, 0);
	char buf[160];

	ims_pt_describe(&f, 0, PAGE(OA39) | AP1 | AP2 | UXN | DBM | CONT, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "page"));
	ck_assert_ptr_nonnull(strstr(buf, "AP=11"));
	ck_assert_ptr_nonnull(strstr(buf, " AF"));
	ck_assert_ptr_nonnull(strstr(buf, "UXN"));
	ck_assert_ptr_nonnull(strstr(buf, "DBM"));
	ck_assert_ptr_nonnull(strstr(buf, "Cont"));
	ck_assert_ptr_nonnull(strstr(buf, "OA=0x50000000"));
	ims_pt_describe(&f, 2, TBL(0x11000) | APT_RO | UXNT, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "table"));
	ck_assert_ptr_nonnull(strstr(buf, "APTable=10"));
	ck_assert_ptr_nonnull(strstr(buf, "UXNTable"));
	ck_assert_ptr_nonnull(strstr(buf, "next=0x11000"));
	ims_pt_describe(&f, 1, BLOCK(0x40000000), buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "block"));
	ims_pt_describe(&f, 0, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "invalid");
	ims_pt_describe(&f2, 0, PAGE(OA39) | S2_RD | S2_WR | UXN, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "S2AP=11"));
	ck_assert_ptr_nonnull(strstr(buf, "XN"));
	/* A short buffer is cut, not overrun. */
	ims_pt_describe(&f, 0, PAGE(OA39) | AP1 | AP2 | UXN | DBM | CONT, buf, 8);
	ck_assert_uint_eq(strlen(buf), 7);
}
END_TEST

/* ---- the mapper ------------------------------------------------------------ */

#define LEAF_LOW_RW (AF | SH_IS | AP1) /* make_leaf for R|W: AP=01, ISH, AF */

static uint64_t next_table(uint64_t desc)
{
	/* A table descriptor made by the mapper: type 11 and nothing else. */
	ck_assert_u64_eq(desc & 0xFFFF000000000FFFull, D_TABLE);
	return desc & 0x0000FFFFFFFFF000ull;
}

START_TEST(map_s1_4k_uses_blocks_and_contiguous_runs)
{
	struct ims_pt_fmt f = s1(12, 16, 0);
	struct ims_pt_walk w;
	uint64_t root, t1, t2, t3, un;
	const uint64_t len = 1 * GB + 32 * MB + 64 * KB + 8 * KB;

	ck_assert_int_eq(ims_pt_alloc_root(&f, &P, &root), 0);
	ck_assert_int_eq(ims_pt_map(&f, M, &P, root, 0x40000000, 0x80000000, len,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	t1 = next_table(rd(root));
	/* 1G block at Arm level 1. */
	ck_assert_u64_eq(rd(t1 + 8), 0x80000000 | LEAF_LOW_RW | D_BLOCK);
	t2 = next_table(rd(t1 + 16));
	/* 32M: sixteen 2M blocks with the contiguous bit, each its own OA. */
	for (unsigned i = 0; i < 16; i++)
		ck_assert_u64_eq(rd(t2 + 8 * i),
				 (0xC0000000 + i * 2 * MB) | LEAF_LOW_RW | D_BLOCK | CONT);
	t3 = next_table(rd(t2 + 8 * 16));
	ck_assert_u64_eq(rd(t2 + 8 * 17), 0);
	/* 64K: sixteen contiguous pages, then two plain pages. */
	for (unsigned i = 0; i < 16; i++)
		ck_assert_u64_eq(rd(t3 + 8 * i),
				 (0xC2000000 + i * 4 * KB) | LEAF_LOW_RW | D_TABLE | CONT);
	ck_assert_u64_eq(rd(t3 + 8 * 16), 0xC2010000 | LEAF_LOW_RW | D_TABLE);
	ck_assert_u64_eq(rd(t3 + 8 * 17), 0xC2011000 | LEAF_LOW_RW | D_TABLE);
	ck_assert_u64_eq(rd(t3 + 8 * 18), 0);
	ck_assert_u64_eq(P.in_use_bytes, 4 * 4 * KB);

	/* The walker reads back what the mapper wrote. */
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x80A00123, ACC_R | ACC_W, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0xC0A00123);
	ck_assert_uint_eq(w.size_shift, 21);
	ck_assert_uint_eq(w.run_shift, 25);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x82003456, ACC_R, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0xC2003456);
	ck_assert_uint_eq(w.run_shift, 16);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x82011fff, ACC_R, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.run_shift, 12);

	/* Read-only, privileged, no-exec: AP=10, PXN and UXN. */
	ck_assert_int_eq(ims_pt_map(&f, M, &P, root, 0x100000000ull, 0x90000000, 4 * KB,
				    IMS_PT_PROT_R | IMS_PT_PROT_NOEXEC | IMS_PT_PROT_PRIV), 0);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x100000000ull, ACC_R | ACC_P, &w),
			 IMS_PT_OK);
	ck_assert_u64_eq(w.reads[3].pte,
			 0x90000000 | AF | SH_IS | AP2 | D_TABLE | PXN | UXN);
	ck_assert_int_eq(ims_pt_map(&f, M, &P, root, 0x100000000ull, 0x90000000, 4 * KB,
				    IMS_PT_PROT_R), -EEXIST);

	ck_assert_int_eq(ims_pt_unmap(&f, M, &P, root, 0x40000000, len, &un), 0);
	ck_assert_u64_eq(un, len);
	ck_assert_int_eq(ims_pt_unmap(&f, M, &P, root, 0x100000000ull, 4 * KB, &un), 0);
	ck_assert_u64_eq(P.in_use_bytes, 4 * KB);
	ck_assert_u64_eq(rd(root), 0);
	ims_pt_free(&f, M, &P, root);
	ck_assert_u64_eq(P.in_use_bytes, 0);
}
END_TEST

START_TEST(unmap_splits_blocks_and_runs_and_frees_tables)
{
	struct ims_pt_fmt f = s1(12, 16, 0);
	struct ims_pt_walk w;
	uint64_t root, t1, t2, t3, un;

	ck_assert_int_eq(ims_pt_alloc_root(&f, &P, &root), 0);
	ck_assert_int_eq(ims_pt_map(&f, M, &P, root, 0x200000, 0x400000, 2 * MB,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	ck_assert_u64_eq(P.in_use_bytes, 3 * 4 * KB);
	t1 = next_table(rd(root));
	t2 = next_table(rd(t1));
	ck_assert_u64_eq(rd(t2 + 8), 0x400000 | LEAF_LOW_RW | D_BLOCK);

	/* Unmapping one page splits the 2M block into a level-3 table. */
	ck_assert_int_eq(ims_pt_unmap(&f, M, &P, root, 0x201000, 4 * KB, &un), 0);
	ck_assert_u64_eq(un, 4 * KB);
	ck_assert_u64_eq(P.in_use_bytes, 4 * 4 * KB);
	t3 = next_table(rd(t2 + 8));
	ck_assert_u64_eq(rd(t3), 0x400000 | LEAF_LOW_RW | D_TABLE);
	ck_assert_u64_eq(rd(t3 + 8), 0);
	ck_assert_u64_eq(rd(t3 + 16), 0x402000 | LEAF_LOW_RW | D_TABLE);
	ck_assert_u64_eq(rd(t3 + 8 * 511), 0x5FF000 | LEAF_LOW_RW | D_TABLE);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x201000, ACC_R, &w),
			 IMS_PT_FAULT_NOT_PRESENT);
	ck_assert_int_eq(w.level, 0);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x202abc, ACC_R | ACC_W, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x402abc);

	/* Unmapping the rest frees every table but the root. */
	ck_assert_int_eq(ims_pt_unmap(&f, M, &P, root, 0x200000, 2 * MB, &un), 0);
	ck_assert_u64_eq(un, 2 * MB - 4 * KB);
	ck_assert_u64_eq(P.in_use_bytes, 4 * KB);
	ck_assert_u64_eq(rd(root), 0);

	/* A contiguous run loses its hint when one page goes. */
	ck_assert_int_eq(ims_pt_map(&f, M, &P, root, 0x10000, 0x90000, 64 * KB,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	t3 = next_table(rd(next_table(rd(next_table(rd(root))))));
	ck_assert_u64_eq(rd(t3 + 8 * 16), 0x90000 | LEAF_LOW_RW | D_TABLE | CONT);
	ck_assert_int_eq(ims_pt_unmap(&f, M, &P, root, 0x14000, 4 * KB, &un), 0);
	ck_assert_u64_eq(rd(t3 + 8 * 16), 0x90000 | LEAF_LOW_RW | D_TABLE);
	ck_assert_u64_eq(rd(t3 + 8 * 20), 0);
	ck_assert_u64_eq(rd(t3 + 8 * 31), 0x9F000 | LEAF_LOW_RW | D_TABLE);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x10000, ACC_R, &w), IMS_PT_OK);
	ck_assert_uint_eq(w.run_shift, 12);
	ck_assert_int_eq(ims_pt_unmap(&f, M, &P, root, 0x10000, 64 * KB, &un), 0);
	ck_assert_u64_eq(un, 60 * KB);
	ck_assert_u64_eq(P.in_use_bytes, 4 * KB);
	ims_pt_free(&f, M, &P, root);
}
END_TEST

START_TEST(map_s2_into_the_second_concatenated_table)
{
	struct ims_pt_fmt f = fmt(2, 12, 24, 1, 44, false, 0);
	struct ims_pt_walk w;
	uint64_t root, t2, t3, un;
	/* make_leaf at stage 2: AF, ISH, MemAttr Normal WB. */
	const uint64_t low = AF | SH_IS | MEMATTR_WB;

	ck_assert_int_eq(ims_pt_alloc_root(&f, &P, &root), 0);
	ck_assert_u64_eq(P.in_use_bytes, 8 * KB);
	ck_assert_int_eq(ims_pt_map(&f, M, &P, root, 0x8000000000ull, 0x100000000ull, 2 * MB,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	ck_assert_int_eq(ims_pt_map(&f, M, &P, root, 0x8000200000ull, 0x140000000ull, 4 * KB,
				    IMS_PT_PROT_R | IMS_PT_PROT_NOEXEC), 0);
	ck_assert_u64_eq(rd(root), 0);
	t2 = next_table(rd(root + 8 * 512)); /* IPA[39:30] = 0x200 */
	ck_assert_u64_eq(rd(t2), 0x100000000ull | low | S2_RD | S2_WR | D_BLOCK);
	t3 = next_table(rd(t2 + 8));
	ck_assert_u64_eq(rd(t3), 0x140000000ull | low | S2_RD | UXN | D_TABLE);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x8000200123ull, ACC_R, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x140000123ull);
	ck_assert_uint_eq(w.perms, PR | UR);
	ck_assert_int_eq(ims_pt_unmap(&f, M, &P, root, 0x8000000000ull, 4 * MB, &un), 0);
	ck_assert_u64_eq(un, 2 * MB + 4 * KB);
	ck_assert_u64_eq(P.in_use_bytes, 8 * KB);
	ims_pt_free(&f, M, &P, root);
	ck_assert_u64_eq(P.in_use_bytes, 0);
}
END_TEST

START_TEST(map_64k_52bit_output_address)
{
	struct ims_pt_fmt f = fmt(1, 16, 12, 0, 52, false, 0);
	struct ims_pt_walk w;
	uint64_t root, un;

	ck_assert_int_eq(ims_pt_alloc_root(&f, &P, &root), 0);
	ck_assert_int_eq(ims_pt_map(&f, M, &P, root, 0, 0x000F000012340000ull, 64 * KB,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	ck_assert_int_eq(ims_pt_translate(&f, M, root, 0x42, ACC_R, &w), IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x000F000012340042ull);
	/* OA[47:16] in place, OA[51:48] = 0xF in bits 15:12. */
	ck_assert_u64_eq(w.reads[2].pte, 0x12340000ull | (0xFull << 12) | LEAF_LOW_RW | D_TABLE);
	ck_assert_int_eq(ims_pt_unmap(&f, M, &P, root, 0, 64 * KB, &un), 0);
	ims_pt_free(&f, M, &P, root);
	ck_assert_u64_eq(P.in_use_bytes, 0);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("pt_arm");
	TCase *geo = tcase_create("geometry");
	TCase *walk = tcase_create("walk");
	TCase *fault = tcase_create("faults");
	TCase *perm = tcase_create("permissions");
	TCase *map = tcase_create("mapper");

	tcase_add_checked_fixture(geo, setup, teardown);
	tcase_add_test(geo, s1_4k_ia48_walks_four_levels_from_level0);
	tcase_add_test(geo, s1_start_level_follows_input_size);
	tcase_add_test(geo, s1_64k_52bit_input_and_output);
	tcase_add_test(geo, oas_52_with_4k_or_16k_acts_as_48);
	tcase_add_test(geo, small_input_sizes_need_stt);
	tcase_add_test(geo, constructor_rejects_what_the_architecture_does_not_allow);
	tcase_add_test(geo, s2_start_level_from_sl0);
	tcase_add_test(geo, s2_concatenated_roots);
	tcase_add_test(geo, s2_inconsistent_sl0_t0sz_is_einval);
	tcase_add_test(geo, s2_partial_root_table_is_accepted);
	suite_add_tcase(s, geo);

	tcase_add_checked_fixture(walk, setup, teardown);
	tcase_add_test(walk, s1_4k_page_walk_from_level0);
	tcase_add_test(walk, s1_4k_ia39_1g_and_2m_blocks);
	tcase_add_test(walk, s1_16k_page_and_32m_block);
	tcase_add_test(walk, s1_64k_page_512m_block_and_4t_block_only_with_52bit_pa);
	tcase_add_test(walk, s1_64k_52bit_addresses_use_bits_15_12);
	tcase_add_test(walk, contiguous_runs_per_granule_and_level);
	tcase_add_test(walk, contiguous_hint_ignored_where_the_root_is_narrower_than_the_run);
	tcase_add_test(walk, s2_4k_ia40_second_concatenated_table);
	tcase_add_test(walk, s2_4k_ia42_1g_block_in_eighth_table);
	tcase_add_test(walk, s2_64k_ia46_512m_block_in_sixteenth_table);
	tcase_add_test(walk, s2_4k_sl0_3_starts_at_level3_with_stt);
	tcase_add_test(walk, describe_names_the_fields);
	suite_add_tcase(s, walk);

	tcase_add_checked_fixture(fault, setup, teardown);
	tcase_add_test(fault, input_beyond_ia_ttb1_and_tbi);
	tcase_add_test(fault, not_present_invalid_reserved_and_unsupported_blocks);
	tcase_add_test(fault, addr_size_for_table_and_output_above_oas);
	tcase_add_test(fault, walk_abort_on_table_fetch);
	tcase_add_test(fault, access_flag_fault_ha_update_and_affd);
	tcase_add_test(fault, s2_access_flag);
	tcase_add_test(fault, s1_dbm_with_hd_makes_a_write_dirty);
	tcase_add_test(fault, s2_dbm_with_hd_sets_s2ap_write);
	suite_add_tcase(s, fault);

	tcase_add_checked_fixture(perm, setup, teardown);
	tcase_add_test(perm, s1_ap_table_privileged_and_unprivileged);
	tcase_add_test(perm, s1_uxn_pxn_and_xn_tables);
	tcase_add_test(perm, s1_aptable_restricts_and_hadx_ignores);
	tcase_add_test(perm, s1_pan_blocks_privileged_data_access_to_el0_pages);
	tcase_add_test(perm, s1_wxn_makes_writable_pages_execute_never);
	tcase_add_test(perm, s1_one_privilege_regime_uses_ap2_and_xn);
	tcase_add_test(perm, s2ap_and_xn);
	suite_add_tcase(s, perm);

	tcase_add_checked_fixture(map, setup, teardown);
	tcase_add_test(map, map_s1_4k_uses_blocks_and_contiguous_runs);
	tcase_add_test(map, unmap_splits_blocks_and_runs_and_frees_tables);
	tcase_add_test(map, map_s2_into_the_second_concatenated_table);
	tcase_add_test(map, map_64k_52bit_output_address);
	suite_add_tcase(s, map);
	return s;
}
