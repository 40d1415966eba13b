/* SPDX-License-Identifier: MIT */
/*
 * Known-answer tests of the x86-64 page-table format (VT-d first stage,
 * AMD-Vi v2) through the generic walker and mapper.  Every table entry is
 * written as a raw 64-bit value computed by hand from the bit positions in
 * VT-d SPEC 9.7 (P=0x1, R/W=0x2, U/S=0x4, A=0x20, D=0x40, PS=0x80, EA=0x400,
 * XD=bit 63); no test builds an entry with the format's own encoder.
 */
#include <errno.h>
#include <string.h>

#include "sim/mem.h"
#include "sim/palloc.h"
#include "sim/pt.h"
#include "tests/unit/pt_expect.h"
#include "tests/unit/tharness.h"

/* Table pages of the hand-built trees. */
#define PML5 0x5000ull
#define PML4 0x1000ull
#define PDPT 0x2000ull
#define PD 0x3000ull
#define PT 0x4000ull

/* IOVA with index 1 at PML4 (bit 39), 2 at PDPT (bit 31), 3 at PD (bits
 * 22:21), 4 at PT (bit 14), offset 0x123.  IOVA5 also has PML5 index 1. */
#define IOVA 0x0000008080604123ull
#define IOVA5 0x0001008080604123ull
#define PML5E_PA 0x5008ull /* PML5 + 8*1 */
#define PML4E_PA 0x1008ull /* PML4 + 8*1 */
#define PDPE_PA 0x2010ull  /* PDPT + 8*2 */
#define PDE_PA 0x3018ull   /* PD + 8*3 */
#define PTE_PA 0x4020ull   /* PT + 8*4 */
#define PAGE4K 0xabcde000ull

#define ALL 0x3fu /* PR PW PX UR UW UX */
#define PR IMS_PT_PR
#define PW IMS_PT_PW
#define PX IMS_PT_PX
#define UR IMS_PT_UR
#define UW IMS_PT_UW
#define UX IMS_PT_UX

/* R, W, X, SUP, the memory m, setup/teardown, wr/rd: tests/unit/pt_expect.h */

static struct ims_pt_fmt fmt(unsigned levels, unsigned oas, bool pg1g, uint32_t flags)
{
	struct ims_pt_x86_cfg c = { .levels = levels, .oas = oas, .pg1g = pg1g, .flags = flags };
	struct ims_pt_fmt f;

	ck_assert_int_eq(ims_pt_fmt_x86_64(&f, &c), 0);
	return f;
}

/* PML4E -> PDPT -> PD -> PT -> 4 KiB page at PAGE4K, every entry P|RW|US. */
static void build4(void)
{
	wr(PML4E_PA, PDPT | 0x7);
	wr(PDPE_PA, PD | 0x7);
	wr(PDE_PA, PT | 0x7);
	wr(PTE_PA, PAGE4K | 0x7);
}

/* The same under a PML5 whose entry 1 points at PML4. */
static void build5(void)
{
	build4();
	wr(PML5E_PA, PML4 | 0x7);
}

/* Walks in this file use the suite's memory. */
#define walk(f, root, iova, access) pt_expect_walk((f), m, (root), (iova), (access))

/* ---- page sizes -------------------------------------------------------- */

START_TEST(pml4_walk_maps_4k_page_reading_every_level)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build4();
	w = walk(&f, PML4, IOVA, R);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_int_eq(w.level, 0);
	ck_assert_uint_eq(w.nreads, 4);
	EXPECT_READ(w, 0, 3, PML4, PML4E_PA, PDPT | 0x7);
	EXPECT_READ(w, 1, 2, PDPT, PDPE_PA, PD | 0x7);
	EXPECT_READ(w, 2, 1, PD, PDE_PA, PT | 0x7);
	EXPECT_READ(w, 3, 0, PT, PTE_PA, PAGE4K | 0x7);
	ck_assert_uint_eq(w.nupdates, 0);
}
END_TEST

START_TEST(pde_with_ps_maps_2m_page)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build4();
	wr(PDE_PA, 0x40000000ull | 0x87); /* P RW US PS */
	w = walk(&f, PML4, IOVA, R | W);
	/* offset within 2 MiB: IOVA & 0x1fffff = 0x4123 */
	EXPECT_OK(w, 0x40004123ull, 21, ALL);
	ck_assert_int_eq(w.level, 1);
	ck_assert_uint_eq(w.nreads, 3);
}
END_TEST

START_TEST(pdpe_1g_leaf_needs_fs1gp)
{
	struct ims_pt_fmt f1g = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_fmt fno = fmt(4, 46, false, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build4();
	wr(PDPE_PA, 0x180000000ull | 0x87);
	w = walk(&f1g, PML4, IOVA, R);
	/* offset within 1 GiB: IOVA & 0x3fffffff = 0x604123 */
	EXPECT_OK(w, 0x180604123ull, 30, ALL);
	ck_assert_int_eq(w.level, 2);
	ck_assert_uint_eq(w.nreads, 2);

	/* VT-d SPEC 9.7: PS in a PDPE is reserved when FS1GP=0 */
	w = walk(&fno, PML4, IOVA, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_RESERVED, 2);
	ck_assert_uint_eq(w.nreads, 2);
}
END_TEST

START_TEST(five_level_walk_starts_at_pml5_for_each_page_size)
{
	struct ims_pt_fmt f = fmt(5, 52, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build5();
	w = walk(&f, PML5, IOVA5, R);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_uint_eq(w.nreads, 5);
	EXPECT_READ(w, 0, 4, PML5, PML5E_PA, PML4 | 0x7);
	EXPECT_READ(w, 1, 3, PML4, PML4E_PA, PDPT | 0x7);
	EXPECT_READ(w, 4, 0, PT, PTE_PA, PAGE4K | 0x7);

	wr(PDE_PA, 0x40000000ull | 0x87);
	w = walk(&f, PML5, IOVA5, R);
	EXPECT_OK(w, 0x40004123ull, 21, ALL);
	ck_assert_uint_eq(w.nreads, 4);

	wr(PDPE_PA, 0x180000000ull | 0x87);
	w = walk(&f, PML5, IOVA5, R);
	EXPECT_OK(w, 0x180604123ull, 30, ALL);
	ck_assert_uint_eq(w.nreads, 3);
}
END_TEST

/* ---- input address ------------------------------------------------------- */

START_TEST(non_canonical_input_faults_before_any_read)
{
	struct ims_pt_fmt f4 = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_fmt f5 = fmt(5, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build5();
	/* 4-level: bits 63:47 must equal bit 47 (VT-d SPEC 3.6, fault 0x80) */
	w = walk(&f4, PML4, 0x0000800000000000ull, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_INPUT, -1);
	ck_assert_uint_eq(w.nreads, 0);
	w = walk(&f4, PML4, 0x7fff008080604123ull, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_INPUT, -1);
	/* the upper half is canonical: walked, PML4 entry 256 is empty */
	w = walk(&f4, PML4, 0xffff800000000000ull, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_NOT_PRESENT, 3);
	ck_assert_u64_eq(w.reads[0].pa, PML4 + 8 * 256);
	/* 5-level: 57-bit canonical, so bit 47 alone is fine and bit 56 is not */
	w = walk(&f5, PML5, 0x0000800000000000ull, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_NOT_PRESENT, 4);
	w = walk(&f5, PML5, 0x0100000000000000ull, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_INPUT, -1);
	w = walk(&f5, PML5, 0xff00000000000000ull, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_NOT_PRESENT, 4);
	ck_assert_u64_eq(w.reads[0].pa, PML5 + 8 * 256);
}
END_TEST

START_TEST(without_sign_extension_upper_bits_must_be_zero)
{
	/* AMD v2 behind PASID 0 (GIoV) has no sign check: the upper half is
	 * out of range rather than canonical (digest amdvi.md 3.2). */
	struct ims_pt_fmt f = fmt(4, 48, false, 0);
	struct ims_pt_walk w;

	build4();
	w = walk(&f, PML4, 0xffff800000000000ull, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_INPUT, -1);
	w = walk(&f, PML4, 0x0000800000000000ull, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_NOT_PRESENT, 3);
	w = walk(&f, PML4, IOVA, R);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
}
END_TEST

/* ---- not present --------------------------------------------------------- */

START_TEST(p_clear_is_not_present_at_each_level)
{
	struct ims_pt_fmt f = fmt(5, 46, true, IMS_PT_F_SIGN_EXTEND);
	static const uint64_t pa[5] = { PTE_PA, PDE_PA, PDPE_PA, PML4E_PA, PML5E_PA };
	struct ims_pt_walk w;

	for (int level = 4; level >= 0; level--) {
		build5();
		/* everything but P, including bits that would be reserved */
		wr(pa[level], rd(pa[level]) & ~1ull);
		wr(pa[level], rd(pa[level]) | 0x0008000000000080ull);
		w = walk(&f, PML5, IOVA5, R);
		EXPECT_FAULT(w, IMS_PT_FAULT_NOT_PRESENT, level);
		ck_assert_uint_eq(w.nreads, 5 - level);
		ck_assert_u64_eq(w.reads[w.nreads - 1].pa, pa[level]);
	}
}
END_TEST

/* ---- reserved bits ------------------------------------------------------- */

START_TEST(ps_in_pml4e_and_pml5e_is_reserved)
{
	struct ims_pt_fmt f4 = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_fmt f5 = fmt(5, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build5();
	wr(PML4E_PA, PDPT | 0x87);
	w = walk(&f4, PML4, IOVA, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_RESERVED, 3);
	w = walk(&f5, PML5, IOVA5, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_RESERVED, 3);

	build5();
	wr(PML5E_PA, PML4 | 0x87);
	w = walk(&f5, PML5, IOVA5, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_RESERVED, 4);
	ck_assert_uint_eq(w.nreads, 1);
}
END_TEST

START_TEST(address_bits_above_haw_are_reserved)
{
	struct ims_pt_fmt f46 = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_fmt f52 = fmt(4, 52, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	/* a table pointer with bit 46 set, HAW 46 */
	build4();
	wr(PDE_PA, 0x0000400000000000ull | PT | 0x7);
	w = walk(&f46, PML4, IOVA, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_RESERVED, 1);

	/* a leaf with bit 51 set: reserved at HAW 46, an address at HAW 52 */
	build4();
	wr(PTE_PA, 0x0008000000000000ull | PAGE4K | 0x7);
	w = walk(&f46, PML4, IOVA, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_RESERVED, 0);
	w = walk(&f52, PML4, IOVA, R);
	EXPECT_OK(w, 0x0008000000000000ull | PAGE4K | 0x123, 12, ALL);

	/* bit 45 is below HAW 46: an ordinary address */
	wr(PTE_PA, 0x0000200000000000ull | PAGE4K | 0x7);
	w = walk(&f46, PML4, IOVA, R);
	EXPECT_OK(w, 0x0000200000000000ull | PAGE4K | 0x123, 12, ALL);
}
END_TEST

START_TEST(large_page_reserved_bits_fault_but_pat_does_not)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build4();
	/* 2 MiB: bits 20:13 reserved, bit 12 is PAT */
	wr(PDE_PA, 0x40000000ull | 0x2000 | 0x87);
	EXPECT_FAULT(walk(&f, PML4, IOVA, R), IMS_PT_FAULT_RESERVED, 1);
	wr(PDE_PA, 0x40000000ull | 0x100000 | 0x87);
	EXPECT_FAULT(walk(&f, PML4, IOVA, R), IMS_PT_FAULT_RESERVED, 1);
	wr(PDE_PA, 0x40000000ull | 0x1000 | 0x87);
	w = walk(&f, PML4, IOVA, R);
	EXPECT_OK(w, 0x40004123ull, 21, ALL);

	/* 1 GiB: bits 29:13 reserved, bit 12 is PAT */
	build4();
	wr(PDPE_PA, 0x180000000ull | 0x2000 | 0x87);
	EXPECT_FAULT(walk(&f, PML4, IOVA, R), IMS_PT_FAULT_RESERVED, 2);
	wr(PDPE_PA, 0x180000000ull | 0x20000000 | 0x87);
	EXPECT_FAULT(walk(&f, PML4, IOVA, R), IMS_PT_FAULT_RESERVED, 2);
	wr(PDPE_PA, 0x180000000ull | 0x1000 | 0x87);
	w = walk(&f, PML4, IOVA, R);
	EXPECT_OK(w, 0x180604123ull, 30, ALL);
}
END_TEST

START_TEST(ignored_bits_do_not_fault)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build4();
	/* PML4E: D (bit 6) ignored, 11:8 ignored, 62:52 ignored */
	wr(PML4E_PA, 0x7ff0000000000f47ull | PDPT);
	/* PTE: bit 7 is PAT, G, bit 63 is ignored without NX (VT-d 4.0+) */
	wr(PTE_PA, 0x8000000000000187ull | PAGE4K);
	w = walk(&f, PML4, IOVA, R | X);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
}
END_TEST

/* ---- permissions ----------------------------------------------------------- */

START_TEST(user_request_to_supervisor_page_faults)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build4();
	wr(PDE_PA, PT | 0x3); /* U/S=0 at the PD */
	w = walk(&f, PML4, IOVA, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_PERMISSION, 0);
	ck_assert_uint_eq(w.perms, PR | PW | PX);
	ck_assert_uint_eq(w.nreads, 4);
	w = walk(&f, PML4, IOVA, R | SUP);
	EXPECT_OK(w, PAGE4K | 0x123, 12, PR | PW | PX);
	w = walk(&f, PML4, IOVA, W | SUP);
	EXPECT_OK(w, PAGE4K | 0x123, 12, PR | PW | PX);
}
END_TEST

START_TEST(write_to_read_only_honours_wpe)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_fmt fwpe = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_WPE);
	struct ims_pt_walk w;

	build4();
	wr(PDPE_PA, PD | 0x5); /* R/W=0 at the PDPT */
	/* user writes need R/W=1 at every level */
	w = walk(&f, PML4, IOVA, W);
	EXPECT_FAULT(w, IMS_PT_FAULT_PERMISSION, 0);
	w = walk(&f, PML4, IOVA, R | W);
	EXPECT_FAULT(w, IMS_PT_FAULT_PERMISSION, 0);
	w = walk(&f, PML4, IOVA, R);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL & ~UW);
	/* supervisor writes ignore R/W while WPE=0 ... */
	w = walk(&f, PML4, IOVA, W | SUP);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL & ~UW);
	/* ... and honour it with WPE=1 */
	w = walk(&fwpe, PML4, IOVA, W | SUP);
	EXPECT_FAULT(w, IMS_PT_FAULT_PERMISSION, 0);
	ck_assert_uint_eq(w.perms, ALL & ~(UW | PW));
	w = walk(&fwpe, PML4, IOVA, R | SUP);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL & ~(UW | PW));
}
END_TEST

START_TEST(xd_blocks_instruction_fetch_only_with_nx)
{
	struct ims_pt_fmt fnx = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_NX);
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build4();
	wr(PDPE_PA, 0x8000000000000000ull | PD | 0x7); /* XD at the PDPT */
	w = walk(&fnx, PML4, IOVA, X);
	EXPECT_FAULT(w, IMS_PT_FAULT_PERMISSION, 0);
	ck_assert_uint_eq(w.perms, PR | PW | UR | UW);
	EXPECT_FAULT(walk(&fnx, PML4, IOVA, X | SUP), IMS_PT_FAULT_PERMISSION, 0);
	w = walk(&fnx, PML4, IOVA, R | W);
	EXPECT_OK(w, PAGE4K | 0x123, 12, PR | PW | UR | UW);
	/* without NX, bit 63 is ignored */
	w = walk(&f, PML4, IOVA, X);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	/* execute follows read: fetches from a supervisor page need PRIV */
	wr(PDPE_PA, PD | 0x3);
	EXPECT_FAULT(walk(&fnx, PML4, IOVA, X), IMS_PT_FAULT_PERMISSION, 0);
	EXPECT_OK(walk(&fnx, PML4, IOVA, X | SUP), PAGE4K | 0x123, 12, PR | PW | PX);
}
END_TEST

/* ---- accessed / dirty ----------------------------------------------------- */

START_TEST(ad_sets_accessed_in_every_entry_and_dirty_in_leaf_on_write)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_AD);
	struct ims_pt_walk w;

	build4();
	w = walk(&f, PML4, IOVA, R);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_uint_eq(w.nupdates, 4);
	EXPECT_UPDATE(w, 0, 3, PML4E_PA, PDPT | 0x7, PDPT | 0x27);
	EXPECT_UPDATE(w, 1, 2, PDPE_PA, PD | 0x7, PD | 0x27);
	EXPECT_UPDATE(w, 2, 1, PDE_PA, PT | 0x7, PT | 0x27);
	EXPECT_UPDATE(w, 3, 0, PTE_PA, PAGE4K | 0x7, PAGE4K | 0x27);
	/* the walk itself changed nothing */
	ck_assert_u64_eq(rd(PTE_PA), PAGE4K | 0x7);

	w = walk(&f, PML4, IOVA, W);
	ck_assert_uint_eq(w.nupdates, 4);
	EXPECT_UPDATE(w, 3, 0, PTE_PA, PAGE4K | 0x7, PAGE4K | 0x67);
	ck_assert_uint_eq(ims_pt_apply_updates(m, &w), 4);
	ck_assert_u64_eq(rd(PML4E_PA), PDPT | 0x27);
	ck_assert_u64_eq(rd(PDPE_PA), PD | 0x27);
	ck_assert_u64_eq(rd(PDE_PA), PT | 0x27);
	ck_assert_u64_eq(rd(PTE_PA), PAGE4K | 0x67);

	/* everything set already: nothing more to do */
	w = walk(&f, PML4, IOVA, W);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_uint_eq(w.nupdates, 0);
}
END_TEST

START_TEST(ad_dirty_goes_in_large_leaf_only)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_AD);
	struct ims_pt_walk w;

	build4();
	wr(PML4E_PA, PDPT | 0x27); /* A already set */
	wr(PDE_PA, 0x40000000ull | 0x87);
	w = walk(&f, PML4, IOVA, R | W);
	EXPECT_OK(w, 0x40004123ull, 21, ALL);
	ck_assert_uint_eq(w.nupdates, 2);
	EXPECT_UPDATE(w, 0, 2, PDPE_PA, PD | 0x7, PD | 0x27);
	EXPECT_UPDATE(w, 1, 1, PDE_PA, 0x40000087ull, 0x400000e7ull);
}
END_TEST

START_TEST(ea_is_set_wherever_accessed_is)
{
	struct ims_pt_fmt f =
		fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_AD | IMS_PT_F_EA);
	struct ims_pt_walk w;

	build4();
	w = walk(&f, PML4, IOVA, W);
	ck_assert_uint_eq(w.nupdates, 4);
	EXPECT_UPDATE(w, 0, 3, PML4E_PA, PDPT | 0x7, PDPT | 0x427);
	EXPECT_UPDATE(w, 1, 2, PDPE_PA, PD | 0x7, PD | 0x427);
	EXPECT_UPDATE(w, 2, 1, PDE_PA, PT | 0x7, PT | 0x427);
	EXPECT_UPDATE(w, 3, 0, PTE_PA, PAGE4K | 0x7, PAGE4K | 0x467);
	ck_assert_uint_eq(ims_pt_apply_updates(m, &w), 4);
	ck_assert_u64_eq(rd(PTE_PA), PAGE4K | 0x467);
}
END_TEST

START_TEST(apply_updates_skips_entry_changed_since_the_walk)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_AD);
	struct ims_pt_walk w;

	build4();
	w = walk(&f, PML4, IOVA, R);
	ck_assert_uint_eq(w.nupdates, 4);
	wr(PTE_PA, 0); /* software unmapped the page meanwhile */
	ck_assert_uint_eq(ims_pt_apply_updates(m, &w), 3);
	ck_assert_u64_eq(rd(PTE_PA), 0);
	ck_assert_u64_eq(rd(PDE_PA), PT | 0x27);
}
END_TEST

START_TEST(no_ad_updates_without_the_flag_or_on_a_fault)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_fmt fad = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_AD);
	struct ims_pt_walk w;

	build4();
	w = walk(&f, PML4, IOVA, W);
	EXPECT_OK(w, PAGE4K | 0x123, 12, ALL);
	ck_assert_uint_eq(w.nupdates, 0);
	wr(PTE_PA, PAGE4K | 0x5); /* read-only */
	w = walk(&fad, PML4, IOVA, W);
	EXPECT_FAULT(w, IMS_PT_FAULT_PERMISSION, 0);
	ck_assert_uint_eq(ims_pt_apply_updates(m, &w), 0);
	ck_assert_u64_eq(rd(PML4E_PA), PDPT | 0x7);
}
END_TEST

/* ---- walk machinery --------------------------------------------------------- */

START_TEST(aborting_table_read_is_walk_abort_at_that_level)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_pt_walk w;

	build4();
	ck_assert_int_eq(ims_mem_add_abort(m, PD, PD + 0xfff), 0);
	w = walk(&f, PML4, IOVA, R);
	EXPECT_FAULT(w, IMS_PT_FAULT_WALK_ABORT, 1);
	ck_assert_uint_eq(w.nreads, 2);
	EXPECT_READ(w, 1, 2, PDPT, PDPE_PA, PD | 0x7);
}
END_TEST

START_TEST(resume_at_pd_gives_the_full_walk_result)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_AD);
	struct ims_pt_walk full, part;
	struct ims_pt_walk_req req;

	build4();
	wr(PDPE_PA, PD | 0x25); /* R/W=0, A set, above the resume point */
	full = walk(&f, PML4, IOVA, R);
	EXPECT_OK(full, PAGE4K | 0x123, 12, ALL & ~UW);

	/* as a walk cache hit on the PDPE would: start at the PD */
	memset(&req, 0, sizeof(req));
	req.iova = IOVA;
	req.access = R;
	req.table = PD;
	req.start_level = 1;
	req.perms = full.reads[1].perms;
	ck_assert_uint_eq(req.perms, ALL & ~UW);
	ck_assert_int_eq(ims_pt_walk(&f, m, &req, &part), IMS_PT_OK);
	EXPECT_OK(part, full.oa, full.size_shift, full.perms);
	ck_assert_int_eq(part.level, full.level);
	ck_assert_uint_eq(part.nreads, 2);
	EXPECT_READ(part, 0, 1, PD, PDE_PA, PT | 0x7);
	EXPECT_READ(part, 1, 0, PT, PTE_PA, PAGE4K | 0x7);
	ck_assert_uint_eq(part.nupdates, 2);
	EXPECT_UPDATE(part, 0, 1, PDE_PA, PT | 0x7, PT | 0x27);
	EXPECT_UPDATE(part, 1, 0, PTE_PA, PAGE4K | 0x7, PAGE4K | 0x27);

	/* rights from above still count: a user write faults the same way */
	req.access = W;
	ck_assert_int_eq(ims_pt_walk(&f, m, &req, &part), IMS_PT_FAULT_PERMISSION);
	ck_assert_int_eq(part.level, 0);
	ck_assert_int_eq(ims_pt_translate(&f, m, PML4, IOVA, W, &full),
			 IMS_PT_FAULT_PERMISSION);
}
END_TEST

/* ---- configuration ----------------------------------------------------------- */

START_TEST(constructor_describes_the_geometry)
{
	struct ims_pt_fmt f = fmt(5, 52, false, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_NX);

	ck_assert_int_eq(f.kind, IMS_PT_X86_64);
	ck_assert_uint_eq(f.top_level, 4);
	ck_assert_uint_eq(f.ias, 57);
	ck_assert_uint_eq(f.oas, 52);
	ck_assert_uint_eq(f.granule_shift, 12);
	ck_assert_uint_eq(f.shift[0], 12);
	ck_assert_uint_eq(f.shift[4], 48);
	ck_assert_uint_eq(f.bits[4], 9);
	ck_assert_u64_eq(f.leaf_shifts[0], 1ull << 12);
	ck_assert_u64_eq(f.leaf_shifts[1], 1ull << 21);
	ck_assert_u64_eq(f.leaf_shifts[2], 0); /* no FS1GP */
	ck_assert_u64_eq(f.leaf_shifts[3], 0);
	ck_assert_str_eq(f.level_name[4], "PML5E");
	ck_assert_str_eq(f.level_name[2], "PDPE");
	ck_assert_str_eq(f.name, "x86-64 5-level");

	f = fmt(4, 39, true, 0);
	ck_assert_uint_eq(f.top_level, 3);
	ck_assert_uint_eq(f.ias, 48);
	ck_assert_u64_eq(f.leaf_shifts[2], 1ull << 30);
}
END_TEST

START_TEST(constructor_rejects_what_x86_cannot_be)
{
	struct ims_pt_fmt f;
	struct ims_pt_x86_cfg c = { .levels = 4, .oas = 48, .pg1g = true, .flags = 0 };

	ck_assert_int_eq(ims_pt_fmt_x86_64(&f, &c), 0);
	c.levels = 3;
	ck_assert_int_eq(ims_pt_fmt_x86_64(&f, &c), -EINVAL);
	c.levels = 6;
	ck_assert_int_eq(ims_pt_fmt_x86_64(&f, &c), -EINVAL);
	c.levels = 4;
	c.oas = 31;
	ck_assert_int_eq(ims_pt_fmt_x86_64(&f, &c), -EINVAL);
	c.oas = 53;
	ck_assert_int_eq(ims_pt_fmt_x86_64(&f, &c), -EINVAL);
	c.oas = 48;
	c.flags = IMS_PT_F_TTB1; /* an Arm flag */
	ck_assert_int_eq(ims_pt_fmt_x86_64(&f, &c), -EINVAL);
	c.flags = IMS_PT_F_EA; /* EA is set with A: needs A/D updates */
	ck_assert_int_eq(ims_pt_fmt_x86_64(&f, &c), -EINVAL);
	c.flags = IMS_PT_F_EA | IMS_PT_F_AD;
	ck_assert_int_eq(ims_pt_fmt_x86_64(&f, &c), 0);
	ck_assert_int_eq(ims_pt_fmt_x86_64(&f, NULL), -EINVAL);
}
END_TEST

START_TEST(describe_names_the_spec_fields)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_NX);
	char buf[128];

	ims_pt_describe(&f, 1, 0x8000000040001067ull | 0x80, buf, sizeof(buf));
	ck_assert_str_eq(buf, "P RW US A D PS PAT XD addr=0x40000000");
	ims_pt_describe(&f, 0, 0xabcde085ull, buf, sizeof(buf));
	ck_assert_str_eq(buf, "P US PAT addr=0xabcde000");
	ims_pt_describe(&f, 0, 0xabcde000ull, buf, sizeof(buf));
	ck_assert_str_eq(buf, "not present (P=0)");
	/* truncation stays inside the buffer */
	ck_assert_int_gt(ims_pt_describe(&f, 0, 0xabcde007ull, buf, 6), 5);
	ck_assert_uint_eq(strlen(buf), 5);
}
END_TEST

START_TEST(levels_beyond_the_root_are_refused_not_read_out_of_bounds)
{
	struct ims_pt_fmt f = fmt(4, 46, true, 0);
	struct ims_pt_entry e;
	char buf[64];

	f.ops->decode(&f, 4, PML4 | 0x7, &e);
	ck_assert_int_eq(e.fault, IMS_PT_FAULT_LEVEL);
	f.ops->decode(&f, 200, PML4 | 0x7, &e);
	ck_assert_int_eq(e.fault, IMS_PT_FAULT_LEVEL);
	ck_assert_int_gt(ims_pt_describe(&f, 200, 0x40000087ull, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "P RW US PS addr=0x40000000");
}
END_TEST

/* ---- mapper ------------------------------------------------------------------ */

#define POOL 0x100000ull
#define POOL_SIZE 0x1000000ull

static uint64_t table_of(uint64_t pte)
{
	/* a table entry the mapper writes: P|RW|US and an address, nothing else */
	ck_assert_u64_eq(pte & ~0x000ffffffffff000ull, 0x7);
	pte &= 0x000ffffffffff000ull;
	ck_assert(pte >= POOL && pte < POOL + POOL_SIZE);
	return pte;
}

START_TEST(map_picks_largest_pages_and_encodes_prot)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_NX);
	struct ims_palloc p;
	uint64_t root, pdpt, pd, pt;

	ck_assert_int_eq(ims_palloc_init(&p, m, POOL, POOL_SIZE), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&f, &p, &root), 0);

	/* 1 GiB at IOVA 1G -> PA 4G */
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x40000000, 0x100000000ull, 1ull << 30,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	pdpt = table_of(rd(root + 0));
	ck_assert_u64_eq(rd(pdpt + 8 * 1), 0x100000000ull | 0x87);

	/* 2 MiB + 4 KiB at IOVA 2M -> PA 6M: one PDE and one PTE */
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x200000, 0x600000, 0x201000,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	pd = table_of(rd(pdpt + 0));
	ck_assert_u64_eq(rd(pd + 8 * 1), 0x600000 | 0x87);
	pt = table_of(rd(pd + 8 * 2));
	ck_assert_u64_eq(rd(pt + 0), 0x800000 | 0x7);

	/* privileged read-only: P alone; no-exec read-write: XD */
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x401000, 0x9000, 0x1000,
				    IMS_PT_PROT_R | IMS_PT_PROT_PRIV), 0);
	ck_assert_u64_eq(rd(pt + 8), 0x9001);
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x402000, 0xa000, 0x1000,
				    IMS_PT_PROT_R | IMS_PT_PROT_W | IMS_PT_PROT_NOEXEC), 0);
	ck_assert_u64_eq(rd(pt + 16), 0x800000000000a007ull);

	/* and the walker reads them back */
	EXPECT_OK(walk(&f, root, 0x40000000 + 0x12345678, W), 0x112345678ull, 30, ALL);
	/* R/W=0 stops supervisor writes only with WPE */
	EXPECT_OK(walk(&f, root, 0x401010, R | SUP), 0x9010, 12, PR | PW | PX);
	EXPECT_FAULT(walk(&f, root, 0x401010, R), IMS_PT_FAULT_PERMISSION, 0);
	EXPECT_FAULT(walk(&f, root, 0x402010, X), IMS_PT_FAULT_PERMISSION, 0);

	ims_pt_free(&f, m, &p, root);
	ck_assert_u64_eq(p.in_use_bytes, 0);
	ims_palloc_fini(&p);
}
END_TEST

START_TEST(noexec_is_not_encoded_without_nx)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_palloc p;
	uint64_t root, pd;

	ck_assert_int_eq(ims_palloc_init(&p, m, POOL, POOL_SIZE), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&f, &p, &root), 0);
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x200000, 0x600000, 0x200000,
				    IMS_PT_PROT_R | IMS_PT_PROT_NOEXEC), 0);
	pd = table_of(rd(table_of(rd(root))));
	ck_assert_u64_eq(rd(pd + 8), 0x600000 | 0x85);
	ims_pt_free(&f, m, &p, root);
	ims_palloc_fini(&p);
}
END_TEST

START_TEST(unmap_splits_2m_page_and_frees_emptied_tables)
{
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND | IMS_PT_F_NX);
	struct ims_palloc p;
	uint64_t root, pd, pt, unmapped = 0;

	ck_assert_int_eq(ims_palloc_init(&p, m, POOL, POOL_SIZE), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&f, &p, &root), 0);
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x200000, 0x600000, 0x200000,
				    IMS_PT_PROT_R | IMS_PT_PROT_PRIV | IMS_PT_PROT_NOEXEC), 0);
	pd = table_of(rd(table_of(rd(root))));
	ck_assert_u64_eq(rd(pd + 8), 0x8000000000600081ull);

	ck_assert_int_eq(ims_pt_unmap(&f, m, &p, root, 0x201000, 0x1000, &unmapped), 0);
	ck_assert_u64_eq(unmapped, 0x1000);
	/* the PDE became a table of 511 4 KiB pages with the same rights */
	pt = table_of(rd(pd + 8));
	ck_assert_u64_eq(rd(pt + 0), 0x8000000000600001ull);
	ck_assert_u64_eq(rd(pt + 8), 0);
	ck_assert_u64_eq(rd(pt + 16), 0x8000000000602001ull);
	ck_assert_u64_eq(rd(pt + 8 * 511), 0x80000000007ff001ull);
	EXPECT_OK(walk(&f, root, 0x202345, R | SUP), 0x602345, 12, PR | PW);
	EXPECT_FAULT(walk(&f, root, 0x201000, R | SUP), IMS_PT_FAULT_NOT_PRESENT, 0);

	ck_assert_int_eq(ims_pt_unmap(&f, m, &p, root, 0, 0x40000000, &unmapped), 0);
	ck_assert_u64_eq(unmapped, 0x1ff000);
	ck_assert_u64_eq(rd(root), 0);
	ck_assert_u64_eq(p.in_use_bytes, 0x1000); /* the root alone */
	ims_pt_free(&f, m, &p, root);
	ims_palloc_fini(&p);
}
END_TEST

START_TEST(limit_narrows_the_mapper_not_the_walker)
{
	/* A domain that uses only 2 MiB pages on FS1GP hardware still walks a
	 * 1 GiB PDPE written by someone else. */
	struct ims_pt_fmt f = fmt(4, 46, true, IMS_PT_F_SIGN_EXTEND);
	struct ims_palloc p;
	uint64_t root, pdpt, pd;

	ims_pt_fmt_limit(&f, 21);
	ck_assert_u64_eq(f.leaf_shifts[2], 0);
	ck_assert_int_eq(ims_palloc_init(&p, m, POOL, POOL_SIZE), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&f, &p, &root), 0);
	ck_assert_int_eq(ims_pt_map(&f, m, &p, root, 0x40000000, 0x100000000ull, 1ull << 30,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	pdpt = table_of(rd(root));
	pd = table_of(rd(pdpt + 8));
	ck_assert_u64_eq(rd(pd + 0), 0x100000000ull | 0x87);
	ck_assert_u64_eq(rd(pd + 8 * 511), 0x13fe00000ull | 0x87);

	wr(pdpt + 16, 0x180000000ull | 0x87);
	EXPECT_OK(walk(&f, root, 0x80000000ull + 0x1234, R), 0x180001234ull, 30, ALL);
	ims_pt_free(&f, m, &p, root);
	ims_palloc_fini(&p);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("pt_x86");
	TCase *t;

	t = tcase_create("sizes");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, pml4_walk_maps_4k_page_reading_every_level);
	tcase_add_test(t, pde_with_ps_maps_2m_page);
	tcase_add_test(t, pdpe_1g_leaf_needs_fs1gp);
	tcase_add_test(t, five_level_walk_starts_at_pml5_for_each_page_size);
	suite_add_tcase(s, t);

	t = tcase_create("faults");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, non_canonical_input_faults_before_any_read);
	tcase_add_test(t, without_sign_extension_upper_bits_must_be_zero);
	tcase_add_test(t, p_clear_is_not_present_at_each_level);
	tcase_add_test(t, ps_in_pml4e_and_pml5e_is_reserved);
	tcase_add_test(t, address_bits_above_haw_are_reserved);
	tcase_add_test(t, large_page_reserved_bits_fault_but_pat_does_not);
	tcase_add_test(t, ignored_bits_do_not_fault);
	tcase_add_test(t, aborting_table_read_is_walk_abort_at_that_level);
	suite_add_tcase(s, t);

	t = tcase_create("permissions");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, user_request_to_supervisor_page_faults);
	tcase_add_test(t, write_to_read_only_honours_wpe);
	tcase_add_test(t, xd_blocks_instruction_fetch_only_with_nx);
	suite_add_tcase(s, t);

	t = tcase_create("accessed_dirty");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, ad_sets_accessed_in_every_entry_and_dirty_in_leaf_on_write);
	tcase_add_test(t, ad_dirty_goes_in_large_leaf_only);
	tcase_add_test(t, ea_is_set_wherever_accessed_is);
	tcase_add_test(t, apply_updates_skips_entry_changed_since_the_walk);
	tcase_add_test(t, no_ad_updates_without_the_flag_or_on_a_fault);
	tcase_add_test(t, resume_at_pd_gives_the_full_walk_result);
	suite_add_tcase(s, t);

	t = tcase_create("config");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, constructor_describes_the_geometry);
	tcase_add_test(t, constructor_rejects_what_x86_cannot_be);
	tcase_add_test(t, describe_names_the_spec_fields);
	tcase_add_test(t, levels_beyond_the_root_are_refused_not_read_out_of_bounds);
	suite_add_tcase(s, t);

	t = tcase_create("mapper");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, map_picks_largest_pages_and_encodes_prot);
	tcase_add_test(t, noexec_is_not_encoded_without_nx);
	tcase_add_test(t, unmap_splits_2m_page_and_frees_emptied_tables);
	tcase_add_test(t, limit_narrows_the_mapper_not_the_walker);
	suite_add_tcase(s, t);
	return s;
}
