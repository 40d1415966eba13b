/* SPDX-License-Identifier: MIT */
/*
 * Known-answer tests of the VT-d second-stage page-table format through the
 * generic walker and mapper.  Every entry is a raw 64-bit value computed by
 * hand from VT-d SPEC 9.8 (R=0x1, W=0x2, X=0x4, EMT=0x38, IPAT=0x40,
 * PS=0x80, A=0x100, D=0x200, SNP=0x800, IR=bit 61, IW=bit 62); no test
 * builds an entry with the format's own encoder.
 */
#include <errno.h>
#include <string.h>

#include "sim/mem.h"
#include "sim/palloc.h"
#include "sim/pt.h"
#include "tests/unit/pt_expect.h"
#include "tests/unit/tharness.h"

#define PML5 0x5000ull
#define PML4 0x1000ull
#define PDPT 0x2000ull
#define PD 0x3000ull
#define PT 0x4000ull

/* Index 2 at the SS-PDPT (bit 31), 3 at the SS-PD, 4 at the SS-PT, offset
 * 0x123; IOVA4 adds SS-PML4 index 1 (bit 39), IOVA5 SS-PML5 index 1. */
#define IOVA3 0x0000000080604123ull
#define IOVA4 0x0000008080604123ull
#define IOVA5 0x0001008080604123ull
#define PML5E_PA 0x5008ull
#define PML4E_PA 0x1008ull
#define PDPE_PA 0x2010ull
#define PDE_PA 0x3018ull
#define PTE_PA 0x4020ull
#define PAGE4K 0xabcde000ull
#define PAGE2M 0x40000000ull
#define PAGE1G 0x180000000ull

#define IR (1ull << 61)
#define IW (1ull << 62)

#define ALL 0x3fu
#define PR IMS_PT_PR
#define PW IMS_PT_PW
#define PX IMS_PT_PX
#define UR IMS_PT_UR
#define UW IMS_PT_UW
#define UX IMS_PT_UX
#define READ_RIGHTS (PR | UR | PX | UX) /* R without SLEE: read and execute */
#define WRITE_RIGHTS (PW | UW)

/* R, W, X, SUP, the memory m, setup/teardown, wr/rd: tests/unit/pt_expect.h */

static struct ims_pt_fmt ss(unsigned levels, unsigned mgaw, unsigned oas, bool pg2m, bool pg1g,
			    uint32_t flags)
{
	struct ims_pt_vtdss_cfg c = { .levels = levels, .mgaw = mgaw, .oas = oas,
				      .pg2m = pg2m, .pg1g = pg1g, .flags = flags };
	struct ims_pt_fmt f;

	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), 0);
	return f;
}

/* SS-PML5E -> SS-PML4E -> SS-PDPE -> SS-PDE -> SS-PTE, all R|W, leaf
 * PAGE4K.  Each level's entry `t` is or-ed in (e.g. IR|IW). */
static void build(uint64_t t)
{
	wr(PML5E_PA, PML4 | 0x3 | t);
	wr(PML4E_PA, PDPT | 0x3 | t);
	wr(PDPE_PA, PD | 0x3 | t);
	wr(PDE_PA, PT | 0x3 | t);
	wr(PTE_PA, PAGE4K | 0x3 | t);
}

/* Walks in this file use the suite's memory. */
#define walk(f, root, iova, access) pt_expect_walk((f), m, (root), (iova), (access))

/* ---- page sizes per level count ---------------------------------------- */

START_TEST(four_level_walk_maps_4k_2m_and_1g)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, 0);
	struct ims_pt_walk w;

	build(0);
	w = walk(&f, PML4, IOVA4, R | W);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_int_eq(w.level, 0);
	ck_assert_uint_eq(w.nreads, 4);
	EXPECT_READ(w, 0, 3, PML4, PML4E_PA, PDPT | 0x3);
	EXPECT_READ(w, 1, 2, PDPT, PDPE_PA, PD | 0x3);
	EXPECT_READ(w, 2, 1, PD, PDE_PA, PT | 0x3);
	EXPECT_READ(w, 3, 0, PT, PTE_PA, PAGE4K | 0x3);
	ck_assert_uint_eq(w.nupdates, 0);

	wr(PDE_PA, PAGE2M | 0x83);
	w = walk(&f, PML4, IOVA4, R);
	EXPECT_OK(w, PAGE2M | 0x4123, 21, ALL);
	ck_assert_int_eq(w.level, 1);
	ck_assert_uint_eq(w.nreads, 3);

	wr(PDPE_PA, PAGE1G | 0x83);
	w = walk(&f, PML4, IOVA4, R);
	EXPECT_OK(w, PAGE1G | 0x604123, 30, ALL);
	ck_assert_int_eq(w.level, 2);
	ck_assert_uint_eq(w.nreads, 2);
}
END_TEST

START_TEST(three_level_walk_starts_at_the_pdpt)
{
	struct ims_pt_fmt f = ss(3, 48, 46, true, true, 0);
	struct ims_pt_walk w;

	build(0);
	w = walk(&f, PDPT, IOVA3, R);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_uint_eq(w.nreads, 3);
	EXPECT_READ(w, 0, 2, PDPT, PDPE_PA, PD | 0x3);

	wr(PDE_PA, PAGE2M | 0x83);
	EXPECT_OK(walk(&f, PDPT, IOVA3, R), PAGE2M | 0x4123, 21, ALL);
	wr(PDPE_PA, PAGE1G | 0x83);
	w = walk(&f, PDPT, IOVA3, R);
	EXPECT_OK(w, PAGE1G | 0x604123, 30, ALL);
	ck_assert_uint_eq(w.nreads, 1);
}
END_TEST

START_TEST(five_level_walk_starts_at_the_pml5)
{
	struct ims_pt_fmt f = ss(5, 57, 52, true, true, 0);
	struct ims_pt_walk w;

	build(0);
	w = walk(&f, PML5, IOVA5, W);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_uint_eq(w.nreads, 5);
	EXPECT_READ(w, 0, 4, PML5, PML5E_PA, PML4 | 0x3);
	EXPECT_READ(w, 4, 0, PT, PTE_PA, PAGE4K | 0x3);

	wr(PDE_PA, PAGE2M | 0x83);
	EXPECT_OK(walk(&f, PML5, IOVA5, W), PAGE2M | 0x4123, 21, ALL);
	wr(PDPE_PA, PAGE1G | 0x83);
	w = walk(&f, PML5, IOVA5, W);
	EXPECT_OK(w, PAGE1G | 0x604123, 30, ALL);
	ck_assert_uint_eq(w.nreads, 3);
}
END_TEST

/* ---- input limit ------------------------------------------------------------ */

START_TEST(input_limit_is_min_of_mgaw_and_agaw)
{
	struct ims_pt_fmt f4_39 = ss(4, 39, 46, true, true, 0);
	struct ims_pt_fmt f3_48 = ss(3, 48, 46, true, true, 0);
	struct ims_pt_fmt f5_48 = ss(5, 48, 46, true, true, 0);
	struct ims_pt_fmt f4_48 = ss(4, 48, 46, true, true, 0);
	struct ims_pt_walk w;

	ck_assert_uint_eq(f4_39.ias, 39);
	ck_assert_uint_eq(f3_48.ias, 39);
	ck_assert_uint_eq(f5_48.ias, 48);
	ck_assert_uint_eq(f4_48.ias, 48);

	build(0);
	wr(PML4, PDPT | 0x3); /* SS-PML4 index 0 as well */
	wr(PML5, PML4 | 0x3); /* and SS-PML5 index 0 */
	/* 4-level table, MGAW 39: bit 39 is beyond the limit (fault 0x4/0x84) */
	w = walk(&f4_39, PML4, IOVA4, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_INPUT, -1);
	ck_assert_uint_eq(w.nreads, 0);
	w = walk(&f4_39, PML4, IOVA3, R);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	w = walk(&f4_39, PML4, 0x7fffffffffull, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_NOT_PRESENT, 2);
	/* 3-level table: AGAW 39 wins over MGAW 48 */
	EXPECT_FAULT(walk(&f3_48, PDPT, 0x8000000000ull, R), IMS_PT_FAULT_INPUT, -1);
	EXPECT_OK(walk(&f3_48, PDPT, IOVA3, R), PAGE4K | 0x123, 12, ALL);
	/* 5-level table, MGAW 48: bit 48 is out */
	EXPECT_FAULT(walk(&f5_48, PML5, IOVA5, R), IMS_PT_FAULT_INPUT, -1);
	EXPECT_OK(walk(&f5_48, PML5, IOVA4, R), PAGE4K | 0x123, 12, ALL);
	/* no sign extension in the second stage */
	EXPECT_FAULT(walk(&f4_48, PML4, 0xffff800000000000ull, R), IMS_PT_FAULT_INPUT, -1);
	EXPECT_FAULT(walk(&f4_48, PML4, 0xffff008080604123ull, R), IMS_PT_FAULT_INPUT, -1);
}
END_TEST

/* ---- not present --------------------------------------------------------------- */

START_TEST(r_and_w_clear_is_not_present_at_each_level)
{
	struct ims_pt_fmt f = ss(5, 57, 46, true, true, IMS_PT_F_NX);
	static const uint64_t pa[5] = { PTE_PA, PDE_PA, PDPE_PA, PML4E_PA, PML5E_PA };
	/* X, EMT, IPAT, PS, A, SNP, bit 51 (above HAW), IR, IW: all ignored
	 * while R=W=0, reserved or not (SPEC 3.7) */
	const uint64_t junk = 0x4 | 0x78 | 0x80 | 0x100 | 0x800 | (1ull << 51) | IR | IW;
	struct ims_pt_walk w;

	for (int level = 4; level >= 0; level--) {
		build(0);
		wr(pa[level], (rd(pa[level]) & ~3ull) | junk);
		w = walk(&f, PML5, IOVA5, R);
		EXPECT_FAULT(w, IMS_PT_FAULT_NOT_PRESENT, level);
		ck_assert_uint_eq(w.nreads, 5 - level);
		ck_assert_u64_eq(w.reads[w.nreads - 1].pa, pa[level]);
	}
}
END_TEST

/* ---- reserved bits --------------------------------------------------------------- */

START_TEST(ps_in_pml4e_and_pml5e_is_reserved)
{
	struct ims_pt_fmt f4 = ss(4, 48, 46, true, true, 0);
	struct ims_pt_fmt f5 = ss(5, 57, 46, true, true, 0);

	build(0);
	wr(PML4E_PA, PDPT | 0x83);
	EXPECT_FAULT(walk(&f4, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 3);
	EXPECT_FAULT(walk(&f5, PML5, IOVA5, R), IMS_PT_FAULT_RESERVED, 3);
	build(0);
	wr(PML5E_PA, PML4 | 0x83);
	EXPECT_FAULT(walk(&f5, PML5, IOVA5, R), IMS_PT_FAULT_RESERVED, 4);
}
END_TEST

START_TEST(ps_is_reserved_where_sslps_lacks_the_size)
{
	struct ims_pt_fmt none = ss(4, 48, 46, false, false, 0);
	struct ims_pt_fmt only2m = ss(4, 48, 46, true, false, 0);

	build(0);
	wr(PDE_PA, PAGE2M | 0x83);
	EXPECT_FAULT(walk(&none, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 1);
	EXPECT_OK(walk(&only2m, PML4, IOVA4, R), PAGE2M | 0x4123, 21, ALL);
	wr(PDPE_PA, PAGE1G | 0x83);
	EXPECT_FAULT(walk(&only2m, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 2);
	EXPECT_FAULT(walk(&none, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 2);
	/* bit 7 of an SS-PTE is ignored */
	build(0);
	wr(PTE_PA, PAGE4K | 0x83);
	EXPECT_OK(walk(&none, PML4, IOVA4, R), PAGE4K | 0x123, 12, ALL);
}
END_TEST

START_TEST(large_page_reserved_bits_include_bit_12)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, 0);

	build(0);
	/* 2 MiB: [20:12] reserved (no PAT bit in the second stage) */
	wr(PDE_PA, PAGE2M | 0x1000 | 0x83);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 1);
	wr(PDE_PA, PAGE2M | 0x100000 | 0x83);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 1);
	wr(PDE_PA, PAGE2M | 0x200000 | 0x83); /* bit 21 is an address bit */
	EXPECT_OK(walk(&f, PML4, IOVA4, R), PAGE2M | 0x204123, 21, ALL);
	/* 1 GiB: [29:12] reserved */
	wr(PDPE_PA, PAGE1G | 0x1000 | 0x83);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 2);
	wr(PDPE_PA, PAGE1G | 0x20000000 | 0x83);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 2);
}
END_TEST

START_TEST(address_bits_above_haw_are_reserved)
{
	struct ims_pt_fmt f39 = ss(4, 48, 39, true, true, 0);
	struct ims_pt_fmt f52 = ss(4, 48, 52, true, true, 0);

	build(0);
	wr(PDPE_PA, (1ull << 40) | PD | 0x3);
	EXPECT_FAULT(walk(&f39, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 2);
	build(0);
	wr(PTE_PA, (1ull << 39) | PAGE4K | 0x1);
	EXPECT_FAULT(walk(&f39, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 0);
	EXPECT_OK(walk(&f52, PML4, IOVA4, R), (1ull << 39) | PAGE4K | 0x123, 12, READ_RIGHTS);
	wr(PTE_PA, (1ull << 38) | PAGE4K | 0x1);
	EXPECT_OK(walk(&f39, PML4, IOVA4, R), (1ull << 38) | PAGE4K | 0x123, 12, READ_RIGHTS);
}
END_TEST

START_TEST(snp_is_reserved_in_tables_and_in_leaves_without_sc)
{
	struct ims_pt_fmt nosc = ss(4, 48, 46, true, true, 0);
	struct ims_pt_fmt sc = ss(4, 48, 46, true, true, IMS_PT_F_SNP);

	build(0);
	wr(PTE_PA, PAGE4K | 0x800 | 0x3);
	EXPECT_FAULT(walk(&nosc, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 0);
	EXPECT_OK(walk(&sc, PML4, IOVA4, R), PAGE4K | 0x123, 12, ALL);
	wr(PDE_PA, PAGE2M | 0x800 | 0x83);
	EXPECT_FAULT(walk(&nosc, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 1);
	EXPECT_OK(walk(&sc, PML4, IOVA4, R), PAGE2M | 0x4123, 21, ALL);
	/* a non-leaf entry never takes SNP */
	build(0);
	wr(PDPE_PA, PD | 0x800 | 0x3);
	EXPECT_FAULT(walk(&sc, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 2);
	EXPECT_FAULT(walk(&nosc, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 2);
}
END_TEST

START_TEST(bit_62_is_reserved_unless_ssirwe)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, 0);

	build(0);
	wr(PML4E_PA, IW | PDPT | 0x3);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 3);
	build(0);
	wr(PTE_PA, IW | PAGE4K | 0x3);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R), IMS_PT_FAULT_RESERVED, 0);
	/* bit 61 (IR) is ignored without SSIRWE */
	wr(PTE_PA, IR | PAGE4K | 0x3);
	EXPECT_OK(walk(&f, PML4, IOVA4, W), PAGE4K | 0x123, 12, ALL);
}
END_TEST

START_TEST(ignored_bits_do_not_fault)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, 0);

	build(0);
	/* non-leaf: 6:3 ignored (SPEC 9.8 non-leaf tables), X without SLEE,
	 * A/D without SSADE, 10, 61:52 and 63 */
	wr(PML4E_PA, 0xbff0000000000000ull | 0x77c | PDPT | 0x3);
	wr(PDPE_PA, 0x78 | PD | 0x3);
	/* leaf: EMT, IPAT, A, D, bit 10 */
	wr(PTE_PA, 0x77c | PAGE4K | 0x3);
	EXPECT_OK(walk(&f, PML4, IOVA4, R | W), PAGE4K | 0x123, 12, ALL);
}
END_TEST

/* ---- permissions ----------------------------------------------------------------- */

START_TEST(read_and_write_need_r_and_w_at_every_level)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, 0);
	struct ims_pt_walk w;

	build(0);
	wr(PTE_PA, PAGE4K | 0x1); /* read-only */
	EXPECT_OK(walk(&f, PML4, IOVA4, R), PAGE4K | 0x123, 12, READ_RIGHTS);
	EXPECT_OK(walk(&f, PML4, IOVA4, R | SUP), PAGE4K | 0x123, 12, READ_RIGHTS);
	EXPECT_OK(walk(&f, PML4, IOVA4, X), PAGE4K | 0x123, 12, READ_RIGHTS);
	w = walk(&f, PML4, IOVA4, W);
	EXPECT_FAULT(w, IMS_PT_FAULT_PERMISSION, 0);
	ck_assert_uint_eq(w.perms, READ_RIGHTS);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R | W), IMS_PT_FAULT_PERMISSION, 0);

	wr(PTE_PA, PAGE4K | 0x2); /* write-only */
	EXPECT_OK(walk(&f, PML4, IOVA4, W), PAGE4K | 0x123, 12, WRITE_RIGHTS);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R), IMS_PT_FAULT_PERMISSION, 0);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R | W), IMS_PT_FAULT_PERMISSION, 0);

	/* the rights are ANDed down the walk */
	build(0);
	wr(PDE_PA, PT | 0x1);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, W | SUP), IMS_PT_FAULT_PERMISSION, 0);
	EXPECT_OK(walk(&f, PML4, IOVA4, R), PAGE4K | 0x123, 12, READ_RIGHTS);
}
END_TEST

START_TEST(x_bit_grants_execute_with_slee)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, IMS_PT_F_NX);

	build(0x4);
	EXPECT_OK(walk(&f, PML4, IOVA4, R | W | X), PAGE4K | 0x123, 12, ALL);
	wr(PTE_PA, PAGE4K | 0x1); /* R without X */
	EXPECT_OK(walk(&f, PML4, IOVA4, R), PAGE4K | 0x123, 12, PR | UR);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, X), IMS_PT_FAULT_PERMISSION, 0);
	wr(PTE_PA, PAGE4K | 0x5);
	EXPECT_OK(walk(&f, PML4, IOVA4, X | SUP), PAGE4K | 0x123, 12, READ_RIGHTS);
	/* X must be set at every level */
	wr(PDE_PA, PT | 0x3);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, X), IMS_PT_FAULT_PERMISSION, 0);
}
END_TEST

/* ---- SSADE ------------------------------------------------------------------------ */

START_TEST(ssade_sets_a_in_every_entry_and_d_in_leaf_on_write)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, IMS_PT_F_AD);
	struct ims_pt_walk w;

	build(0);
	w = walk(&f, PML4, IOVA4, R);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_uint_eq(w.nupdates, 4);
	EXPECT_UPDATE(w, 0, 3, PML4E_PA, PDPT | 0x3, PDPT | 0x103);
	EXPECT_UPDATE(w, 1, 2, PDPE_PA, PD | 0x3, PD | 0x103);
	EXPECT_UPDATE(w, 2, 1, PDE_PA, PT | 0x3, PT | 0x103);
	EXPECT_UPDATE(w, 3, 0, PTE_PA, PAGE4K | 0x3, PAGE4K | 0x103);

	w = walk(&f, PML4, IOVA4, W);
	EXPECT_UPDATE(w, 3, 0, PTE_PA, PAGE4K | 0x3, PAGE4K | 0x303);
	ck_assert_uint_eq(ims_pt_apply_updates(m, &w), 4);
	ck_assert_u64_eq(rd(PML4E_PA), PDPT | 0x103);
	ck_assert_u64_eq(rd(PTE_PA), PAGE4K | 0x303);
	w = walk(&f, PML4, IOVA4, W);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_uint_eq(w.nupdates, 0);

	/* large leaf: D in the SS-PDE */
	build(0x100);
	wr(PDE_PA, PAGE2M | 0x183);
	w = walk(&f, PML4, IOVA4, R | W);
	ck_assert_uint_eq(w.nupdates, 1);
	EXPECT_UPDATE(w, 0, 1, PDE_PA, PAGE2M | 0x183, PAGE2M | 0x383);

	/* a denied write updates nothing */
	build(0);
	wr(PTE_PA, PAGE4K | 0x1);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, W), IMS_PT_FAULT_PERMISSION, 0);
}
END_TEST

START_TEST(no_ad_updates_without_ssade)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, 0);
	struct ims_pt_walk w;

	build(0);
	w = walk(&f, PML4, IOVA4, W);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_uint_eq(w.nupdates, 0);
}
END_TEST

/* ---- SSIRWE ------------------------------------------------------------------------ */

START_TEST(ssirwe_takes_rights_from_ir_and_iw)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, IMS_PT_F_IRW);

	build(IR | IW);
	EXPECT_OK(walk(&f, PML4, IOVA4, R | W), PAGE4K | 0x123, 12, ALL);
	/* R/W say read-write, IR/IW say read-only: DMA gets read-only */
	wr(PTE_PA, IR | PAGE4K | 0x3);
	EXPECT_OK(walk(&f, PML4, IOVA4, R), PAGE4K | 0x123, 12, READ_RIGHTS);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, W), IMS_PT_FAULT_PERMISSION, 0);
	/* present by R but no IR/IW: no DMA rights at all */
	wr(PTE_PA, PAGE4K | 0x1);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R), IMS_PT_FAULT_PERMISSION, 0);
	/* IW alone on a present entry: write-only */
	wr(PTE_PA, IW | PAGE4K | 0x1);
	EXPECT_OK(walk(&f, PML4, IOVA4, W), PAGE4K | 0x123, 12, WRITE_RIGHTS);
	/* presence still comes from R/W */
	wr(PTE_PA, IR | IW | PAGE4K);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, R), IMS_PT_FAULT_NOT_PRESENT, 0);
	/* and table entries need IR/IW too */
	build(IR | IW);
	wr(PDPE_PA, IR | PD | 0x3);
	EXPECT_FAULT(walk(&f, PML4, IOVA4, W), IMS_PT_FAULT_PERMISSION, 0);
}
END_TEST

/* ---- walk machinery ---------------------------------------------------------- */

START_TEST(aborting_table_read_is_walk_abort_at_that_level)
{
	struct ims_pt_fmt f = ss(3, 39, 46, true, true, 0);
	struct ims_pt_walk w;

	build(0);
	ck_assert_int_eq(ims_mem_add_abort(m, PTE_PA, PTE_PA + 7), 0);
	w = walk(&f, PDPT, IOVA3, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_WALK_ABORT, 0);
	ck_assert_uint_eq(w.nreads, 2);
}
END_TEST

/* ---- configuration ----------------------------------------------------------- */

START_TEST(constructor_describes_the_geometry)
{
	struct ims_pt_fmt f = ss(3, 48, 39, true, false, IMS_PT_F_AD | IMS_PT_F_SNP);

	ck_assert_int_eq(f.kind, IMS_PT_VTD_SS);
	ck_assert_uint_eq(f.top_level, 2);
	ck_assert_uint_eq(f.ias, 39);
	ck_assert_uint_eq(f.oas, 39);
	ck_assert_uint_eq(f.granule_shift, 12);
	ck_assert_uint_eq(f.shift[2], 30);
	ck_assert_uint_eq(f.bits[2], 9);
	ck_assert_u64_eq(f.leaf_shifts[0], 1ull << 12);
	ck_assert_u64_eq(f.leaf_shifts[1], 1ull << 21);
	ck_assert_u64_eq(f.leaf_shifts[2], 0);
	ck_assert_str_eq(f.level_name[0], "SS-PTE");
	ck_assert_str_eq(f.level_name[2], "SS-PDPE");
	ck_assert_ptr_null(f.level_name[3]);
	ck_assert_str_eq(f.name, "VT-d second stage 3-level");

	f = ss(5, 57, 52, false, false, 0);
	ck_assert_uint_eq(f.top_level, 4);
	ck_assert_uint_eq(f.ias, 57);
	ck_assert_str_eq(f.level_name[4], "SS-PML5E");
	ck_assert_u64_eq(f.leaf_shifts[1], 0);
}
END_TEST

START_TEST(constructor_rejects_what_vtd_cannot_be)
{
	struct ims_pt_fmt f;
	struct ims_pt_vtdss_cfg c = { .levels = 4, .mgaw = 48, .oas = 46, .pg2m = true,
				      .pg1g = true, .flags = 0 };

	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), 0);
	c.levels = 2;
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), -EINVAL);
	c.levels = 6;
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), -EINVAL);
	c.levels = 4;
	c.pg2m = false; /* SSLPS 0010b is not legal */
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), -EINVAL);
	c.pg2m = true;
	c.mgaw = 20;
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), -EINVAL);
	c.mgaw = 65;
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), -EINVAL);
	c.mgaw = 48;
	c.oas = 53;
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), -EINVAL);
	c.oas = 46;
	c.flags = IMS_PT_F_SIGN_EXTEND; /* the second stage is not canonical */
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), -EINVAL);
	c.flags = IMS_PT_F_WPE;
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), -EINVAL);
	c.flags = IMS_PT_F_AD | IMS_PT_F_NX | IMS_PT_F_SNP | IMS_PT_F_IRW;
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &c), 0);
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(NULL, &c), -EINVAL);
}
END_TEST

START_TEST(describe_names_the_spec_fields)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, IMS_PT_F_IRW);
	char buf[128];

	ims_pt_describe(&f, 1, IR | 0x40000bdbull, buf, sizeof(buf));
	ck_assert_str_eq(buf, "R W EMT=3 IPAT PS A D SNP IR addr=0x40000000");
	ims_pt_describe(&f, 0, 0xabcde0c1ull, buf, sizeof(buf));
	ck_assert_str_eq(buf, "R IPAT addr=0xabcde000");
	ims_pt_describe(&f, 0, IR | 0xabcde004ull, buf, sizeof(buf));
	ck_assert_str_eq(buf, "not present (R=W=0)");
}
END_TEST

START_TEST(levels_beyond_the_root_are_refused_not_read_out_of_bounds)
{
	struct ims_pt_fmt f = ss(3, 39, 46, true, true, 0);
	struct ims_pt_entry e;
	char buf[64];

	f.ops->decode(&f, 3, PDPT | 0x3, &e);
	ck_assert_int_eq(e.fault, IMS_PT_FAULT_LEVEL);
	f.ops->decode(&f, 200, PDPT | 0x3, &e);
	ck_assert_int_eq(e.fault, IMS_PT_FAULT_LEVEL);
	ck_assert_int_gt(ims_pt_describe(&f, 200, 0x40000083ull, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "R W PS addr=0x40000000");
}
END_TEST

/* ---- mapper ----------------------------------------------------------------- */

#define POOL 0x100000ull
#define POOL_SIZE 0x1000000ull
#define ADDR 0x000ffffffffff000ull

/* A table entry the mapper wrote: `bits` and a pool address, nothing else. */
static uint64_t table_of(uint64_t pte, uint64_t bits)
{
	ck_assert_u64_eq(pte & ~ADDR, bits);
	pte &= ADDR;
	ck_assert(pte >= POOL && pte < POOL + POOL_SIZE);
	return pte;
}

START_TEST(map_picks_largest_pages_and_encodes_r_w)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, true, IMS_PT_F_SNP);
	struct ims_palloc p;
	uint64_t root, pdpt, pd, pt;

	ck_assert_int_eq(ims_palloc_init(&p, m, POOL, POOL_SIZE), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&f, &p, &root), 0);
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x40000000, 0x100000000ull, 1ull << 30,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	pdpt = table_of(rd(root), 0x3);
	ck_assert_u64_eq(rd(pdpt + 8), 0x100000083ull);

	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x200000, 0x600000, 0x201000,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	pd = table_of(rd(pdpt), 0x3);
	ck_assert_u64_eq(rd(pd + 8), 0x600083);
	pt = table_of(rd(pd + 16), 0x3);
	ck_assert_u64_eq(rd(pt), 0x800003);

	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x401000, 0x9000, 0x1000,
				    IMS_PT_PROT_R | IMS_PT_PROT_PRIV | IMS_PT_PROT_NOEXEC), 0);
	ck_assert_u64_eq(rd(pt + 8), 0x9001);
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x402000, 0xa000, 0x1000,
				    IMS_PT_PROT_W), 0);
	ck_assert_u64_eq(rd(pt + 16), 0xa002);

	EXPECT_OK(walk(&f, root, 0x40000000 + 0x12345678, W), 0x112345678ull, 30, ALL);
	EXPECT_OK(walk(&f, root, 0x401010, R), 0x9010, 12, READ_RIGHTS);
	EXPECT_FAULT(walk(&f, root, 0x402010, R), IMS_PT_FAULT_PERMISSION, 0);
	ims_pt_free(&f, m, &p, root);
	ck_assert_u64_eq(p.in_use_bytes, 0);
	ims_palloc_fini(&p);
}
END_TEST

START_TEST(map_encodes_x_with_slee_and_ir_iw_with_ssirwe)
{
	struct ims_pt_fmt fx = ss(3, 39, 46, true, true, IMS_PT_F_NX);
	struct ims_pt_fmt firw = ss(3, 39, 46, true, true, IMS_PT_F_IRW);
	struct ims_palloc p;
	uint64_t root, pd;

	ck_assert_int_eq(ims_palloc_init(&p, m, POOL, POOL_SIZE), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&fx, &p, &root), 0);
	ck_assert_int_eq(ims_pt_map(&fx, m, &p, root, 0x200000, 0x600000, 0x400000,
				    IMS_PT_PROT_R), 0);
	ck_assert_int_eq(ims_pt_map(&fx, m, &p, root, 0x600000, 0x600000, 0x200000,
				    IMS_PT_PROT_R | IMS_PT_PROT_W | IMS_PT_PROT_NOEXEC), 0);
	pd = table_of(rd(root), 0x7); /* tables grant X too */
	ck_assert_u64_eq(rd(pd + 8), 0x600085);
	ck_assert_u64_eq(rd(pd + 16), 0x800085);
	ck_assert_u64_eq(rd(pd + 24), 0x600083);
	EXPECT_FAULT(walk(&fx, root, 0x600000, X), IMS_PT_FAULT_PERMISSION, 1);
	ims_pt_free(&fx, m, &p, root);

	ck_assert_int_eq(ims_pt_alloc_root(&firw, &p, &root), 0);
	ck_assert_int_eq(ims_pt_map(&firw, m, &p, root, 0x1000, 0x5000, 0x2000,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	ck_assert_int_eq(ims_pt_map(&firw, m, &p, root, 0x3000, 0x7000, 0x1000,
				    IMS_PT_PROT_R), 0);
	pd = table_of(rd(root), IR | IW | 0x3);
	{
		uint64_t pt = table_of(rd(pd), IR | IW | 0x3);
		ck_assert_u64_eq(rd(pt + 8), IR | IW | 0x5003);
		ck_assert_u64_eq(rd(pt + 16), IR | IW | 0x6003);
		ck_assert_u64_eq(rd(pt + 24), IR | 0x7001);
	}
	EXPECT_OK(walk(&firw, root, 0x2004, W), 0x6004, 12, ALL);
	EXPECT_FAULT(walk(&firw, root, 0x3004, W), IMS_PT_FAULT_PERMISSION, 0);
	ims_pt_free(&firw, m, &p, root);
	ck_assert_u64_eq(p.in_use_bytes, 0);
	ims_palloc_fini(&p);
}
END_TEST

START_TEST(unmap_splits_2m_page_and_frees_emptied_tables)
{
	struct ims_pt_fmt f = ss(4, 48, 46, true, false, 0);
	struct ims_palloc p;
	uint64_t root, pd, pt, unmapped = 0;

	ck_assert_int_eq(ims_palloc_init(&p, m, POOL, POOL_SIZE), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&f, &p, &root), 0);
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x200000, 0x600000, 0x200000,
				    IMS_PT_PROT_R), 0);
	pd = table_of(rd(table_of(rd(root), 0x3)), 0x3);
	ck_assert_u64_eq(rd(pd + 8), 0x600081);

	ck_assert_int_eq(ims_pt_unmap(&f, m, &p, root, 0x3ff000, 0x1000, &unmapped), 0);
	ck_assert_u64_eq(unmapped, 0x1000);
	pt = table_of(rd(pd + 8), 0x3);
	ck_assert_u64_eq(rd(pt), 0x600001);
	ck_assert_u64_eq(rd(pt + 8 * 510), 0x7fe001);
	ck_assert_u64_eq(rd(pt + 8 * 511), 0);
	EXPECT_OK(walk(&f, root, 0x3fe010, R), 0x7fe010, 12, READ_RIGHTS);
	EXPECT_FAULT(walk(&f, root, 0x3ff010, R), IMS_PT_FAULT_NOT_PRESENT, 0);

	ck_assert_int_eq(ims_pt_unmap(&f, m, &p, root, 0, 0x400000, &unmapped), 0);
	ck_assert_u64_eq(unmapped, 0x1ff000);
	ck_assert_u64_eq(rd(root), 0);
	ck_assert_u64_eq(p.in_use_bytes, 0x1000);
	ims_pt_free(&f, m, &p, root);
	ims_palloc_fini(&p);
}
END_TEST

START_TEST(without_sslps_the_mapper_uses_4k_pages)
{
	struct ims_pt_fmt f = ss(4, 48, 46, false, false, 0);
	struct ims_palloc p;
	uint64_t root, pt;

	ck_assert_int_eq(ims_palloc_init(&p, m, POOL, POOL_SIZE), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&f, &p, &root), 0);
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x200000, 0x600000, 0x200000,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	pt = table_of(rd(table_of(rd(table_of(rd(root), 0x3)), 0x3) + 8), 0x3);
	ck_assert_u64_eq(rd(pt), 0x600003);
	ck_assert_u64_eq(rd(pt + 8 * 511), 0x7ff003);
	ims_pt_free(&f, m, &p, root);
	ims_palloc_fini(&p);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("pt_vtdss");
	TCase *t;

	t = tcase_create("sizes");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, four_level_walk_maps_4k_2m_and_1g);
	tcase_add_test(t, three_level_walk_starts_at_the_pdpt);
	tcase_add_test(t, five_level_walk_starts_at_the_pml5);
	suite_add_tcase(s, t);

	t = tcase_create("faults");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, input_limit_is_min_of_mgaw_and_agaw);
	tcase_add_test(t, r_and_w_clear_is_not_present_at_each_level);
	tcase_add_test(t, ps_in_pml4e_and_pml5e_is_reserved);
	tcase_add_test(t, ps_is_reserved_where_sslps_lacks_the_size);
	tcase_add_test(t, large_page_reserved_bits_include_bit_12);
	tcase_add_test(t, address_bits_above_haw_are_reserved);
	tcase_add_test(t, snp_is_reserved_in_tables_and_in_leaves_without_sc);
	tcase_add_test(t, bit_62_is_reserved_unless_ssirwe);
	tcase_add_test(t, ignored_bits_do_not_fault);
	tcase_add_test(t, aborting_table_read_is_walk_abort_at_that_level);
	suite_add_tcase(s, t);

	t = tcase_create("permissions");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, read_and_write_need_r_and_w_at_every_level);
	tcase_add_test(t, x_bit_grants_execute_with_slee);
	tcase_add_test(t, ssade_sets_a_in_every_entry_and_d_in_leaf_on_write);
	tcase_add_test(t, no_ad_updates_without_ssade);
	tcase_add_test(t, ssirwe_takes_rights_from_ir_and_iw);
	suite_add_tcase(s, t);

	t = tcase_create("config");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, constructor_describes_the_geometry);
	tcase_add_test(t, constructor_rejects_what_vtd_cannot_be);
	tcase_add_test(t, describe_names_the_spec_fields);
	tcase_add_test(t, levels_beyond_the_root_are_refused_not_read_out_of_bounds);
	suite_add_tcase(s, t);

	t = tcase_create("mapper");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, map_picks_largest_pages_and_encodes_r_w);
	tcase_add_test(t, map_encodes_x_with_slee_and_ir_iw_with_ssirwe);
	tcase_add_test(t, unmap_splits_2m_page_and_frees_emptied_tables);
	tcase_add_test(t, without_sslps_the_mapper_uses_4k_pages);
	suite_add_tcase(s, t);
	return s;
}
