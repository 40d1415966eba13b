/* SPDX-License-Identifier: MIT */
/*
 * VT-d hardware page walks in scalable mode: first stage (4/5-level, U/S,
 * SRE, WPE, A/D and EA), second stage (SSADE, SSIRWE), nested translation
 * with its two-dimensional walk (24 reads cold for 4-level on 4-level), and
 * revision 3.x execute permission (SPEC 3.6-3.8, 9.7, 9.8; digest §3).
 */
#include "tests/unit/tharness.h"
#include "tests/unit/vtd_build.h"

#define SID 0x0100
#define DID 3
#define DATA 0x80000000ull

static const unsigned R = IMS_PT_ACC_R, W = IMS_PT_ACC_W, PRIV = IMS_PT_ACC_PRIV;
static const unsigned RW = IMS_PT_PROT_R | IMS_PT_PROT_W;
static const uint64_t CTX = VTD_SCE_DTE | VTD_SCE_PASIDE | VTD_SCE_PRE;

#define FS_A (1ull << 5)
#define FS_D (1ull << 6)
#define FS_EA (1ull << 10)
#define SS_A (1ull << 8)
#define SS_D (1ull << 9)

static void fault_at(int line, struct vtdb *b, uint32_t pasid, uint64_t addr, unsigned acc,
		     unsigned fr)
{
	struct ims_dma_result r = vtdb_dma(b, SID, pasid, addr, acc);
	ck_assert_msg(r.status == IMS_DMA_FAULT && r.fault == fr,
		      "line %d: pasid %u addr 0x%llx: status %d fault 0x%x, expected fault 0x%x", line,
		      pasid, (unsigned long long)addr, r.status, r.fault, fr);
}

static void ok_at(int line, struct vtdb *b, uint32_t pasid, uint64_t addr, unsigned acc,
		  uint64_t pa)
{
	struct ims_dma_result r = vtdb_dma(b, SID, pasid, addr, acc);
	ck_assert_msg(r.status == IMS_DMA_OK && r.pa == pa,
		      "line %d: pasid %u addr 0x%llx: status %d fault 0x%x pa 0x%llx", line, pasid,
		      (unsigned long long)addr, r.status, r.fault, (unsigned long long)r.pa);
}

#define fault(...) fault_at(__LINE__, __VA_ARGS__)
#define ok(...) ok_at(__LINE__, __VA_ARGS__)

/* A first-stage PASID entry with the given extra bits; returns the root. */
static uint64_t fs_pasid(struct vtdb *b, uint64_t dir, uint32_t pasid, unsigned levels,
			 uint64_t q1, uint64_t q2, struct ims_pt_fmt *f)
{
	uint64_t pe[8];
	vtdb_fs_fmt(b, f, levels, 0);
	uint64_t root = vtdb_pt_root(b, f);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_FS, .fspm = levels == 5, .did = DID,
			     .fsptptr = root, .q1 = q1, .q2 = q2 };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(b, dir, pasid, pe);
	return root;
}

/* The entries a 4-level walk of iova reads, top first. */
static void fs_entries(struct vtdb *b, const struct ims_pt_fmt *f, uint64_t root, uint64_t iova,
		       uint64_t *pa, unsigned *n)
{
	struct ims_pt_walk w;
	ims_pt_translate(f, b->mem, root, iova, IMS_PT_ACC_R, &w);
	for (unsigned i = 0; i < w.nreads; i++)
		pa[i] = w.reads[i].pa;
	*n = w.nreads;
}

START_TEST(first_stage_sets_accessed_dirty_and_extended_accessed)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	uint64_t e[6];
	unsigned n;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	uint64_t root = fs_pasid(&b, dir, 1, 4, VTD_PE_PWSNP, VTD_PE_EAFE, &f);
	vtdb_map(&b, &f, root, 0x7f0000200000ull, DATA, 0x1000, RW);
	fs_entries(&b, &f, root, 0x7f0000200000ull, e, &n);
	ck_assert_uint_eq(n, 4);

	ok(&b, 1, 0x7f0000200010ull, R, DATA + 0x10);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->ad_writes, 4);
	for (unsigned i = 0; i < n; i++) {
		ck_assert(vtdb_rm64(&b, e[i]) & FS_A);
		ck_assert(vtdb_rm64(&b, e[i]) & FS_EA);
		ck_assert(!(vtdb_rm64(&b, e[i]) & FS_D));
	}
	/* A write must set D: the read-filled IOTLB entry cannot serve it. */
	struct ims_dma_result r = vtdb_dma(&b, SID, 1, 0x7f0000200020ull, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert(!r.iotlb_hit);
	ck_assert(vtdb_rm64(&b, e[3]) & FS_D);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->ad_writes, 1);
	r = vtdb_dma(&b, SID, 1, 0x7f0000200030ull, W);
	ck_assert(r.iotlb_hit);
	vtdb_fini(&b);
}
END_TEST

START_TEST(first_stage_ad_on_a_non_snooped_walk_faults)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	uint64_t e[6];
	unsigned n;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	uint64_t root = fs_pasid(&b, dir, 1, 4, 0, 0, &f); /* PWSNP=0 */
	vtdb_map(&b, &f, root, 0x200000, DATA, 0x1000, RW);
	fault(&b, 1, 0x200000, R, VTD_FR_SFS_9);
	/* With A (and D for writes) already set no update is needed. */
	fs_entries(&b, &f, root, 0x200000, e, &n);
	for (unsigned i = 0; i < n; i++)
		vtdb_m64(&b, e[i], vtdb_rm64(&b, e[i]) | FS_A);
	ok(&b, 1, 0x200000, R, DATA);
	fault(&b, 1, 0x200000, W, VTD_FR_SFS_9);
	vtdb_m64(&b, e[n - 1], vtdb_rm64(&b, e[n - 1]) | FS_D);
	ok(&b, 1, 0x200008, W, DATA + 8);
	vtdb_fini(&b);
}
END_TEST

START_TEST(first_stage_privilege_rules)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	const uint64_t q1 = VTD_PE_PWSNP;
	uint64_t root = fs_pasid(&b, dir, 1, 4, q1, VTD_PE_SRE, &f);
	vtdb_map(&b, &f, root, 0x100000, DATA, 0x1000, IMS_PT_PROT_R);              /* user RO */
	vtdb_map(&b, &f, root, 0x101000, DATA + 0x1000, 0x1000, RW | IMS_PT_PROT_PRIV); /* kernel */
	vtdb_map(&b, &f, root, 0x102000, DATA + 0x2000, 0x1000, IMS_PT_PROT_R | IMS_PT_PROT_PRIV);

	fault(&b, 1, 0x100000, W, VTD_FR_SGN_6);          /* user write to RO */
	fault(&b, 1, 0x101000, R, VTD_FR_SGN_2);          /* user to U/S=0 */
	ok(&b, 1, 0x101000, R | W | PRIV, DATA + 0x1000); /* supervisor, SRE=1 */
	ok(&b, 1, 0x102000, W | PRIV, DATA + 0x2000);     /* WPE=0: RO ignored */
	ok(&b, 1, 0x100000, W | PRIV, DATA);

	/* WPE=1: supervisor writes honour R/W. */
	uint64_t root2 = fs_pasid(&b, dir, 2, 4, q1, VTD_PE_SRE | VTD_PE_WPE, &f);
	vtdb_map(&b, &f, root2, 0x102000, DATA + 0x2000, 0x1000, IMS_PT_PROT_R | IMS_PT_PROT_PRIV);
	fault(&b, 2, 0x102000, W | PRIV, VTD_FR_SGN_6);
	ok(&b, 2, 0x102000, R | PRIV, DATA + 0x2000);
	vtdb_fini(&b);
}
END_TEST

START_TEST(first_stage_structure_faults)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	uint64_t e[6];
	unsigned n;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	uint64_t root = fs_pasid(&b, dir, 1, 4, VTD_PE_PWSNP, 0, &f);
	vtdb_map(&b, &f, root, 0x400000, DATA, 0x1000, RW);
	vtdb_map(&b, &f, root, 0x600000, 0xFEE00000ull, 0x1000, RW);
	fs_entries(&b, &f, root, 0x400000, e, &n);

	fault(&b, 1, 0x0000800000000000ull, R, VTD_FR_SGN_1); /* non-canonical */
	fault(&b, 1, 0x500000, R, VTD_FR_SFS_2);
	fault(&b, 1, 0x600000, W, VTD_FR_SGN_8);              /* interrupt range */
	uint64_t v = vtdb_rm64(&b, e[0]);
	vtdb_m64(&b, e[0], v | (1 << 7));                     /* PS in a PML4E */
	/* The walk for 0x600000 cached the upper entries: software must
	 * invalidate a changed non-leaf entry (p_iotlb, IH=0). */
	ok(&b, 1, 0x400000, R, DATA);
	uint64_t d[1][4];
	vtdb_dsc_piotlb(d[0], VTD_PIOTLB_G_PAGE, DID, 1, 0x400000, 0, false);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	fault(&b, 1, 0x400000, R, VTD_FR_SFS_3);
	vtdb_m64(&b, e[0], v);
	ims_mem_add_abort(b.mem, e[2] & ~0xFFFull, e[2] | 0xFFF); /* the PD */
	fault(&b, 1, 0x400000, R, VTD_FR_SFS_1);
	ims_mem_clear_aborts(b.mem);
	ims_mem_add_abort(b.mem, root, root + 0xFFF);
	fault(&b, 1, 0x400000, R, VTD_FR_SFS_4);
	ims_mem_clear_aborts(b.mem);
	ok(&b, 1, 0x400000, R, DATA);
	vtdb_fini(&b);
}
END_TEST

START_TEST(first_stage_five_levels_and_large_pages)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	uint64_t root = fs_pasid(&b, dir, 1, 5, VTD_PE_PWSNP, 0, &f);
	const uint64_t va = 0x00ff123440000000ull; /* bit 56 set: 5-level only */
	vtdb_map(&b, &f, root, va, 0x200000000ull, 1ull << 30, RW);
	vtdb_map(&b, &f, root, 0x600000, DATA, 1ull << 21, RW);
	struct ims_dma_result r = vtdb_dma(&b, SID, 1, va + 0x12345678, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, 0x200000000ull + 0x12345678);
	ck_assert_uint_eq(r.size_shift, 30);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->walk_reads, 3);
	r = vtdb_dma(&b, SID, 1, 0x7FF000, R);
	ck_assert_uint_eq(r.size_shift, 21);
	ck_assert_u64_eq(r.pa, DATA + 0x1FF000);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->walk_reads, 4);
	/* 4-level: bit 56 set is non-canonical. */
	fs_pasid(&b, dir, 2, 4, VTD_PE_PWSNP, 0, &f);
	fault(&b, 2, va, R, VTD_FR_SGN_1);
	vtdb_fini(&b);

	/* Without FS1GP a PDPE with PS is reserved. */
	struct vtd_hw_cfg cfg;
	vtd_hw_cfg_default(&cfg);
	vtdb_init(&b, &cfg);
	dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	root = fs_pasid(&b, dir, 1, 4, VTD_PE_PWSNP, 0, &f);
	vtdb_map(&b, &f, root, 1ull << 30, 1ull << 33, 1ull << 30, RW);
	ok(&b, 1, (1ull << 30) + 8, R, (1ull << 33) + 8);
	vtdb_fini(&b);
	cfg.cap &= ~VTD_CAP_FS1GP;
	vtdb_init(&b, &cfg);
	dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	struct ims_pt_fmt f1g;
	struct ims_pt_x86_cfg xc = { .levels = 4, .oas = 52, .pg1g = true,
				     .flags = IMS_PT_F_SIGN_EXTEND };
	ck_assert_int_eq(ims_pt_fmt_x86_64(&f1g, &xc), 0);
	root = fs_pasid(&b, dir, 1, 4, VTD_PE_PWSNP, 0, &f);
	vtdb_map(&b, &f1g, root, 1ull << 30, 1ull << 33, 1ull << 30, RW);
	fault(&b, 1, (1ull << 30) + 8, R, VTD_FR_SFS_3);
	vtdb_fini(&b);
}
END_TEST

/* A second-stage PASID entry; returns the root. */
static uint64_t ss_pasid(struct vtdb *b, uint64_t dir, uint32_t pasid, unsigned levels,
			 uint64_t q0, uint64_t q1, uint32_t fmt_flags, struct ims_pt_fmt *f)
{
	uint64_t pe[8];
	vtdb_ss_fmt(b, f, levels, fmt_flags);
	uint64_t root = vtdb_pt_root(b, f);
	/* One DID per SS root (SPEC 6.2.2.1): DID + pasid. */
	struct vtdb_pe a = { .pgtt = VTD_PGTT_SS, .aw = levels - 2, .did = (uint16_t)(DID + pasid),
			     .ssptptr = root, .q0 = q0, .q1 = q1 };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(b, dir, pasid, pe);
	return root;
}

START_TEST(second_stage_faults_in_scalable_mode)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	uint64_t e[6];
	unsigned n;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	uint64_t root = ss_pasid(&b, dir, 1, 3, 0, 0, 0, &f);
	vtdb_map(&b, &f, root, 0x10000, DATA, 0x1000, IMS_PT_PROT_R);
	vtdb_map(&b, &f, root, 0x11000, DATA + 0x1000, 0x1000, IMS_PT_PROT_W);
	fs_entries(&b, &f, root, 0x10000, e, &n);
	ck_assert_uint_eq(n, 3);

	fault(&b, 1, 1ull << 39, R, VTD_FR_SGN_5);
	fault(&b, 1, 0x20000, R, VTD_FR_SSS_2);
	fault(&b, 1, 0x10000, W, VTD_FR_SGN_6);
	fault(&b, 1, 0x11000, R, VTD_FR_SGN_7);
	uint64_t v = vtdb_rm64(&b, e[1]);
	vtdb_m64(&b, e[1], v | (1ull << 11)); /* SNP in a non-leaf */
	fault(&b, 1, 0x10000, R, VTD_FR_SSS_3);
	vtdb_m64(&b, e[1], v);
	ims_mem_add_abort(b.mem, e[2] & ~0xFFFull, e[2] | 0xFFF);
	fault(&b, 1, 0x10000, R, VTD_FR_SSS_1);
	ims_mem_clear_aborts(b.mem);
	ims_mem_add_abort(b.mem, root, root + 0xFFF);
	fault(&b, 1, 0x10000, R, VTD_FR_SSS_4);
	ims_mem_clear_aborts(b.mem);
	ok(&b, 1, 0x10000, R, DATA);
	vtdb_fini(&b);
}
END_TEST

START_TEST(second_stage_accessed_dirty_with_ssade)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	uint64_t e[6];
	unsigned n;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	uint64_t root = ss_pasid(&b, dir, 1, 4, VTD_PE_SSADE, VTD_PE_PWSNP, 0, &f);
	vtdb_map(&b, &f, root, 0x10000, DATA, 0x1000, RW);
	fs_entries(&b, &f, root, 0x10000, e, &n);
	ok(&b, 1, 0x10000, R, DATA);
	for (unsigned i = 0; i < n; i++) {
		ck_assert(vtdb_rm64(&b, e[i]) & SS_A);
		ck_assert(!(vtdb_rm64(&b, e[i]) & SS_D));
	}
	ok(&b, 1, 0x10008, W, DATA + 8);
	ck_assert(vtdb_rm64(&b, e[n - 1]) & SS_D);
	/* Non-snooped walk (PWSNP=0) needing A/D: SSS.5. */
	uint64_t root2 = ss_pasid(&b, dir, 2, 4, VTD_PE_SSADE, 0, 0, &f);
	vtdb_map(&b, &f, root2, 0x10000, DATA, 0x1000, RW);
	fault(&b, 2, 0x10000, R, VTD_FR_SSS_5);
	/* Without SSADE nothing is written back. */
	uint64_t root3 = ss_pasid(&b, dir, 3, 4, 0, 0, 0, &f);
	vtdb_map(&b, &f, root3, 0x10000, DATA, 0x1000, RW);
	fs_entries(&b, &f, root3, 0x10000, e, &n);
	ok(&b, 3, 0x10000, W, DATA);
	for (unsigned i = 0; i < n; i++)
		ck_assert(!(vtdb_rm64(&b, e[i]) & (SS_A | SS_D)));
	vtdb_fini(&b);
}
END_TEST

/* SSIRWE (5.x): with RTADDR.SSIRWE the IR/IW bits give DMA its rights. */
START_TEST(second_stage_io_read_write_bits)
{
	struct vtdb b;
	struct ims_pt_fmt f;
	vtdb_init(&b, NULL);
	vtdb_root(&b, VTD_TTM_SCALABLE, false);
	vtdb_w64(&b, VTD_REG_RTADDR, b.root | VTD_RTADDR_TTM_V(1) | VTD_RTADDR_SSIRWE);
	vtdb_gcmd(&b, VTD_GCMD_SRTP, true);
	vtdb_gcmd(&b, VTD_GCMD_TE, true);
	vtdb_iq_enable(&b, 0, true);
	uint64_t dir = vtdb_pasid_dir(&b, 0);
	vtdb_sm_ctx_std(&b, SID, CTX, 0, dir, 0);
	uint64_t root = ss_pasid(&b, dir, 1, 4, 0, 0, IMS_PT_F_IRW, &f);
	vtdb_map(&b, &f, root, 0x10000, DATA, 0x1000, IMS_PT_PROT_R);
	vtdb_map(&b, &f, root, 0x11000, DATA + 0x1000, 0x1000, RW);
	ok(&b, 1, 0x10000, R, DATA);
	fault(&b, 1, 0x10000, W, VTD_FR_SGN_6);
	ok(&b, 1, 0x11000, W, DATA + 0x1000);
	/* R=W=1 but IW=0 in the leaf: present, no DMA write (once the cached
	 * translation is invalidated). */
	uint64_t leaf = vtdb_leaf_addr(&b, &f, root, 0x11000);
	vtdb_m64(&b, leaf, vtdb_rm64(&b, leaf) & ~(1ull << 62));
	ok(&b, 1, 0x11800, W, DATA + 0x1800);
	uint64_t d[1][4];
	vtdb_dsc_iotlb(d[0], VTD_GRAN_SEL, DID + 1, 0x11000, 0, true);
	ck_assert(vtdb_iq_sync(&b, d, 1));
	fault(&b, 1, 0x11800, W, VTD_FR_SGN_6);
	vtdb_fini(&b);
}
END_TEST

/* ---- Nested ---------------------------------------------------------------------- */

struct nested {
	struct ims_pt_fmt fs, ss;
	uint64_t ss_root;
	uint64_t fs_gpa[4]; /* FS table GPAs, PML4 first */
	uint64_t fs_hpa[4];
	uint64_t data_gpa;
};

/* Hand-written 4-level first-stage tables at GPAs in five different
 * 512 GiB regions (no SS paging-structure entry is shared), each mapped by
 * 4 KiB second-stage pages: iova -> data_gpa -> DATA. */
static void nested_build(struct vtdb *b, struct nested *n, uint64_t iova, unsigned ss_data_prot,
			 unsigned ss_table_prot, uint64_t fs_bits)
{
	vtdb_fs_fmt(b, &n->fs, 4, 0);
	vtdb_ss_fmt(b, &n->ss, 4, 0);
	n->ss_root = vtdb_pt_root(b, &n->ss);
	for (unsigned i = 0; i < 4; i++) {
		n->fs_gpa[i] = ((uint64_t)(i + 1) << 39) | 0x5000;
		n->fs_hpa[i] = vtdb_page(b, 0);
		vtdb_map(b, &n->ss, n->ss_root, n->fs_gpa[i], n->fs_hpa[i], 0x1000, ss_table_prot);
	}
	n->data_gpa = (5ull << 39) | 0x9000;
	vtdb_map(b, &n->ss, n->ss_root, n->data_gpa, DATA, 0x1000, ss_data_prot);
	for (unsigned i = 0; i < 4; i++) {
		unsigned level = 3 - i;
		uint64_t next = i < 3 ? n->fs_gpa[i + 1] : n->data_gpa;
		unsigned idx = (unsigned)((iova >> (12 + 9 * level)) & 511);
		vtdb_m64(b, n->fs_hpa[i] + 8ull * idx, next | 0x7 | fs_bits); /* P RW US */
	}
}

static void nested_pasid(struct vtdb *b, uint64_t dir, uint32_t pasid, const struct nested *n,
			 uint64_t q0, uint64_t q1)
{
	uint64_t pe[8];
	struct vtdb_pe a = { .pgtt = VTD_PGTT_NESTED, .aw = 2, .did = (uint16_t)(DID + pasid),
			     .ssptptr = n->ss_root, .fsptptr = n->fs_gpa[0], .q0 = q0, .q1 = q1 };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(b, dir, pasid, pe);
}

START_TEST(nested_cold_walk_reads_24_entries)
{
	const uint64_t iova = 0x0000123456789000ull;
	struct vtdb b;
	struct nested n;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	nested_build(&b, &n, iova, RW, RW, FS_A | FS_D);
	nested_pasid(&b, dir, 1, &n, 0, VTD_PE_PWSNP);

	struct ims_dma_result r = vtdb_dma(&b, SID, 1, iova + 0x123, W);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x123);
	/* 5 SS walks x 4 reads + 4 FS reads (digest §3.3). */
	ck_assert_uint_eq(vtd_hw_last(b.hw)->walk_reads, 24);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->pgtt, VTD_PGTT_NESTED);
	ck_assert(vtd_hw_last(b.hw)->ad_writes == 0);
	ck_assert(vtdb_dma(&b, SID, 1, iova, R).iotlb_hit);

	/* The next page under the same PT: the FS PDE cache gives the PT's
	 * HPA, so one FS read and one SS walk for the data GPA remain (its
	 * upper levels come from the SS paging-structure cache). */
	vtdb_m64(&b, n.fs_hpa[3] + 8ull * (((iova >> 12) & 511) + 1), (n.data_gpa + 0x1000) | 7 |
		 FS_A | FS_D);
	vtdb_map(&b, &n.ss, n.ss_root, n.data_gpa + 0x1000, DATA + 0x1000, 0x1000, RW);
	r = vtdb_dma(&b, SID, 1, iova + 0x1000, R);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, DATA + 0x1000);
	ck_assert_int_eq(vtd_hw_last(b.hw)->psc_level[0], 1);
	ck_assert_int_eq(vtd_hw_last(b.hw)->psc_level[1], 1);
	ck_assert_uint_eq(vtd_hw_last(b.hw)->walk_reads, 2);
	vtdb_fini(&b);

	/* A part without paging-structure caches walks all 24 every time. */
	struct vtd_hw_cfg cfg;
	vtd_hw_cfg_default(&cfg);
	cfg.cache[VTD_CACHE_FSPSC] = cfg.cache[VTD_CACHE_SSPSC] = (struct vtd_cache_geom){ 0, 0 };
	cfg.cache[VTD_CACHE_IOTLB] = (struct vtd_cache_geom){ 0, 0 };
	vtdb_init(&b, &cfg);
	dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	nested_build(&b, &n, iova, RW, RW, FS_A | FS_D);
	nested_pasid(&b, dir, 1, &n, 0, VTD_PE_PWSNP);
	for (int i = 0; i < 2; i++) {
		r = vtdb_dma(&b, SID, 1, iova, R);
		ck_assert_int_eq(r.status, IMS_DMA_OK);
		ck_assert_uint_eq(vtd_hw_last(b.hw)->walk_reads, 24);
	}
	vtdb_fini(&b);
}
END_TEST

START_TEST(nested_fault_reasons)
{
	const uint64_t iova = 0x0000123456789000ull;
	struct vtdb b;
	struct nested n;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	const unsigned WO = IMS_PT_PROT_W, RO = IMS_PT_PROT_R;

	/* Tables only writable through SS: the FS root read is refused. */
	nested_build(&b, &n, iova, RW, WO, FS_A | FS_D);
	nested_pasid(&b, dir, 1, &n, 0, VTD_PE_PWSNP);
	fault(&b, 1, iova, R, VTD_FR_SFS_6);
	/* Only the PD page unreadable: SFS.7. */
	uint64_t leaf = vtdb_leaf_addr(&b, &n.ss, n.ss_root, n.fs_gpa[0]);
	vtdb_m64(&b, leaf, vtdb_rm64(&b, leaf) | 1); /* PML4 page readable again */
	leaf = vtdb_leaf_addr(&b, &n.ss, n.ss_root, n.fs_gpa[1]);
	vtdb_m64(&b, leaf, vtdb_rm64(&b, leaf) | 1);
	fault(&b, 1, iova, R, VTD_FR_SFS_7);

	/* FS A/D to set but the table pages are read-only through SS: SFS.8. */
	nested_build(&b, &n, iova, RW, RO, 0);
	nested_pasid(&b, dir, 2, &n, 0, VTD_PE_PWSNP);
	fault(&b, 2, iova, R, VTD_FR_SFS_8);
	/* ... and with a non-snooped walk: SFS.9 first. */
	nested_pasid(&b, dir, 3, &n, 0, 0);
	fault(&b, 3, iova, R, VTD_FR_SFS_9);

	/* Final GPA: SS denies write, read, or has nothing. */
	nested_build(&b, &n, iova, RO, RW, FS_A | FS_D);
	nested_pasid(&b, dir, 4, &n, 0, VTD_PE_PWSNP);
	ok(&b, 4, iova, R, DATA);
	fault(&b, 4, iova + 8, W, VTD_FR_SGN_6);
	nested_build(&b, &n, iova, WO, RW, FS_A | FS_D);
	nested_pasid(&b, dir, 5, &n, 0, VTD_PE_PWSNP);
	fault(&b, 5, iova, R, VTD_FR_SGN_7);
	nested_build(&b, &n, iova, RW, RW, FS_A | FS_D);
	nested_pasid(&b, dir, 6, &n, 0, VTD_PE_PWSNP);
	uint64_t dleaf = vtdb_leaf_addr(&b, &n.ss, n.ss_root, n.data_gpa);
	vtdb_m64(&b, dleaf, 0);
	fault(&b, 6, iova, R, VTD_FR_SSS_2);

	/* An FS entry pointing beyond 2^48-1 (AW=2): SFS.5, for a table and
	 * for the final page. */
	nested_build(&b, &n, iova, RW, RW, FS_A | FS_D);
	nested_pasid(&b, dir, 7, &n, 0, VTD_PE_PWSNP);
	unsigned i1 = (unsigned)((iova >> 30) & 511);
	vtdb_m64(&b, n.fs_hpa[1] + 8ull * i1, (1ull << 49) | 7 | FS_A);
	fault(&b, 7, iova, R, VTD_FR_SFS_5);
	nested_build(&b, &n, iova, RW, RW, FS_A | FS_D);
	nested_pasid(&b, dir, 8, &n, 0, VTD_PE_PWSNP);
	unsigned i3 = (unsigned)((iova >> 12) & 511);
	vtdb_m64(&b, n.fs_hpa[3] + 8ull * i3, (1ull << 50) | 7 | FS_A | FS_D);
	fault(&b, 8, iova, R, VTD_FR_SFS_5);

	/* SS trouble while translating a table GPA: reserved bit, read error
	 * below the SS root, SS root unreadable. */
	nested_build(&b, &n, iova, RW, RW, FS_A | FS_D);
	nested_pasid(&b, dir, 9, &n, 0, VTD_PE_PWSNP);
	leaf = vtdb_leaf_addr(&b, &n.ss, n.ss_root, n.fs_gpa[2]);
	vtdb_m64(&b, leaf, vtdb_rm64(&b, leaf) | (1ull << 62)); /* IW without SSIRWE */
	fault(&b, 9, iova, R, VTD_FR_SSS_3);
	nested_build(&b, &n, iova, RW, RW, FS_A | FS_D);
	nested_pasid(&b, dir, 10, &n, 0, VTD_PE_PWSNP);
	leaf = vtdb_leaf_addr(&b, &n.ss, n.ss_root, n.fs_gpa[0]);
	ims_mem_add_abort(b.mem, leaf & ~0xFFFull, leaf | 0xFFF);
	fault(&b, 10, iova, R, VTD_FR_SSS_1);
	ims_mem_clear_aborts(b.mem);
	ims_mem_add_abort(b.mem, n.ss_root, n.ss_root + 0xFFF);
	fault(&b, 10, iova, R, VTD_FR_SSS_4);
	ims_mem_clear_aborts(b.mem);
	/* The FS tables' own HPA unreadable: SFS.4. */
	ims_mem_add_abort(b.mem, n.fs_hpa[0], n.fs_hpa[0] + 0xFFF);
	fault(&b, 10, iova, R, VTD_FR_SFS_4);
	ims_mem_clear_aborts(b.mem);
	ok(&b, 10, iova, R, DATA);
	vtdb_fini(&b);
}
END_TEST

/* With SSADE the walk marks SS A/D on the pages holding FS tables (it
 * needs SS write to read them) and on the data page for writes. */
START_TEST(nested_with_second_stage_dirty_tracking)
{
	const uint64_t iova = 0x0000123456789000ull;
	struct vtdb b;
	struct nested n;
	vtdb_init(&b, NULL);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);
	nested_build(&b, &n, iova, RW, RW, 0);
	nested_pasid(&b, dir, 1, &n, VTD_PE_SSADE, VTD_PE_PWSNP);
	ok(&b, 1, iova + 4, W, DATA + 4);
	uint64_t leaf = vtdb_leaf_addr(&b, &n.ss, n.ss_root, n.fs_gpa[3]);
	ck_assert(vtdb_rm64(&b, leaf) & SS_D);
	leaf = vtdb_leaf_addr(&b, &n.ss, n.ss_root, n.data_gpa);
	ck_assert(vtdb_rm64(&b, leaf) & SS_D);
	ck_assert(vtdb_rm64(&b, n.fs_hpa[3] + 8ull * ((iova >> 12) & 511)) & FS_D);
	/* Read-only table pages are no longer enough to read FS entries. */
	nested_build(&b, &n, iova, RW, IMS_PT_PROT_R, FS_A | FS_D);
	nested_pasid(&b, dir, 2, &n, VTD_PE_SSADE, VTD_PE_PWSNP);
	fault(&b, 2, iova, R, VTD_FR_SFS_6);
	vtdb_fini(&b);
}
END_TEST

/* Revision 3.x: execute requests with ERS, ERE, NXE and SLEE. */
START_TEST(revision_3_execute_permission)
{
	struct vtdb b;
	struct vtd_hw_cfg cfg;
	struct ims_pt_fmt f, fx;
	uint64_t pe[8];
	const unsigned X = IMS_PT_ACC_X | R;
	vtd_hw_cfg_default(&cfg);
	cfg.rev = VTD_REV_3;
	cfg.ver = 0x30;
	cfg.ecap = (cfg.ecap & ~(VTD_ECAP_ADMS | VTD_ECAP_RPRIVS | VTD_ECAP_SSIRWS)) | VTD_ECAP_ERS;
	vtdb_init(&b, &cfg);
	uint64_t dir = vtdb_sm_setup(&b, SID, CTX, 0, 0);

	/* FS with NXE: XD pages refuse instruction fetches (SGN.3). */
	struct ims_pt_x86_cfg xc = { .levels = 4, .oas = 52, .pg1g = true,
				     .flags = IMS_PT_F_SIGN_EXTEND | IMS_PT_F_NX };
	ck_assert_int_eq(ims_pt_fmt_x86_64(&fx, &xc), 0);
	uint64_t root = vtdb_pt_root(&b, &fx);
	vtdb_map(&b, &fx, root, 0x10000, DATA, 0x1000, IMS_PT_PROT_R | IMS_PT_PROT_NOEXEC);
	vtdb_map(&b, &fx, root, 0x11000, DATA + 0x1000, 0x1000, IMS_PT_PROT_R);
	struct vtdb_pe a = { .pgtt = VTD_PGTT_FS, .did = DID, .fsptptr = root,
			     .q1 = VTD_PE_PWSNP, .q2 = VTD_PE_ERE | VTD_PE_NXE };
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 1, pe);
	fault(&b, 1, 0x10000, X, VTD_FR_SGN_3);
	ok(&b, 1, 0x11000, X, DATA + 0x1000);
	ok(&b, 1, 0x10000, R, DATA);
	/* Without ERE the entry allows no execute request (SPT.5). */
	a.q2 = VTD_PE_NXE;
	vtdb_pe_make(&a, pe);
	vtdb_pasid_entry(&b, dir, 2, pe);
	fault(&b, 2, 0x11000, X, VTD_FR_SPT_5);

	/* SS with SLEE: the X bit decides. */
	struct ims_pt_vtdss_cfg sc = { .levels = 4, .mgaw = 57, .oas = 52, .pg2m = true,
				       .pg1g = true, .flags = IMS_PT_F_NX };
	ck_assert_int_eq(ims_pt_fmt_vtd_ss(&f, &sc), 0);
	root = vtdb_pt_root(&b, &f);
	vtdb_map(&b, &f, root, 0x10000, DATA, 0x1000, IMS_PT_PROT_R | IMS_PT_PROT_NOEXEC);
	vtdb_map(&b, &f, root, 0x11000, DATA + 0x1000, 0x1000, IMS_PT_PROT_R);
	struct vtdb_pe s = { .pgtt = VTD_PGTT_SS, .aw = 2, .did = DID + 1, .ssptptr = root,
			     .q0 = VTD_PE_SLEE, .q2 = VTD_PE_ERE };
	vtdb_pe_make(&s, pe);
	vtdb_pasid_entry(&b, dir, 3, pe);
	fault(&b, 3, 0x10000, X, VTD_FR_SGN_3);
	ok(&b, 3, 0x11000, X, DATA + 0x1000);
	/* 3.x reserves the 5.x-only context bits (HPTE/EPTR) too. */
	uint64_t q[4] = { dir | CTX | VTD_SCE_P | VTD_SCE_HPTE, 0, 0, 0 };
	vtdb_sm_ctx(&b, SID + 1, q);
	struct ims_dma_result r = vtdb_dma(&b, SID + 1, IMS_NO_PASID, 0x10000, R);
	ck_assert_uint_eq(r.fault, VTD_FR_SCT_3);
	vtdb_fini(&b);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_hw_walk");
	TCase *tc = tcase_create("walk");
	tcase_add_test(tc, first_stage_sets_accessed_dirty_and_extended_accessed);
	tcase_add_test(tc, first_stage_ad_on_a_non_snooped_walk_faults);
	tcase_add_test(tc, first_stage_privilege_rules);
	tcase_add_test(tc, first_stage_structure_faults);
	tcase_add_test(tc, first_stage_five_levels_and_large_pages);
	tcase_add_test(tc, second_stage_faults_in_scalable_mode);
	tcase_add_test(tc, second_stage_accessed_dirty_with_ssade);
	tcase_add_test(tc, second_stage_io_read_write_bits);
	tcase_add_test(tc, nested_cold_walk_reads_24_entries);
	tcase_add_test(tc, nested_fault_reasons);
	tcase_add_test(tc, nested_with_second_stage_dirty_tracking);
	tcase_add_test(tc, revision_3_execute_permission);
	suite_add_tcase(s, tc);
	return s;
}
