/* SPDX-License-Identifier: MIT */
/*
 * The oracle (ims_oracle): what the API state says a DMA must become.
 *   - paging HWPTs, from the IOAS areas;
 *   - nested HWPTs with hand-built guest structures in simulated memory:
 *     VT-d first stage (x86-64 4/5-level, raw entries), SMMUv3 vSTE → CD →
 *     VMSAv8-64 stage 1, AMD guest DTE → GCR3 → x86-64 v2, each composed
 *     with the parent IOAS as stage 2;
 *   - faults of each class;
 *   - a randomized run of map/unmap/attach/replace/PASID sequences in which
 *     every DMA the mock model performs agrees with the oracle.
 *
 * Guest memory: guest physical address (GPA) g lives at host physical
 * address g + GUEST_OFF.  The IOAS maps GPA [0, 1 MiB) (tables) and
 * [2 MiB, 4 MiB) (data) as two areas, so each can be changed on its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"
#include "sim/pt.h"
#include "tests/unit/iommufd_util.h"

#define GUEST_OFF 0x40000000ull
#define TABLES_GPA 0x0ull
#define TABLES_LEN 0x100000ull
#define DATA_GPA 0x200000ull
#define DATA_LEN 0x200000ull

/* x86-64 entry bits (VT-d SPEC 9.7). */
#define X_P 0x1ull
#define X_RW 0x2ull
#define X_US 0x4ull
#define X_PS 0x80ull
#define X_XD (1ull << 63)
#define X_ALL (X_P | X_RW | X_US)

/* VMSAv8-64 descriptor bits (IHI0070 §3.4 / Arm ARM D8). */
#define A_TABLE 0x3ull
#define A_PAGE 0x3ull
#define A_AP_EL0 (1ull << 6) /* AP[1] */
#define A_AP_RO (1ull << 7)  /* AP[2] */
#define A_AF (1ull << 10)

static uint64_t pa_of(uint64_t gpa)
{
	return gpa + GUEST_OFF;
}

static void gw(struct ims_ctx *ctx, uint64_t gpa, uint64_t v)
{
	ims_mem_write64(ims_ctx_mem(ctx), pa_of(gpa), v, IMS_MEM_DRIVER);
}

/* ---- a guest ---------------------------------------------------------------------------- */

struct guest {
	struct ims_ctx *ctx;
	uint32_t dev, ioas, parent;
};

static struct guest guest_new(void)
{
	struct guest g;

	g.ctx = t_ctx(NULL);
	g.dev = bind_ok(g.ctx, 1, 10);
	g.ioas = ioas_ok(g.ctx);
	ck_assert_int_eq(t_map(g.ctx, g.ioas, TABLES_GPA, pa_of(TABLES_GPA), TABLES_LEN, RW), 0);
	ck_assert_int_eq(t_map(g.ctx, g.ioas, DATA_GPA, pa_of(DATA_GPA), DATA_LEN, RW), 0);
	g.parent = hwpt_ok(g.ctx, g.dev, g.ioas, IMS_HWPT_ALLOC_NEST_PARENT);
	return g;
}

/* x86-64 4-level guest table rooted at GPA 0x10000:
 *   0x400000 → 0x200000 RW user      0x401000 → 0x201000 RO user
 *   0x402000 → 0x202000 RW supervisor  0x403000 → 0x203000 RW user XD
 *   0x600000 (2 MiB) → 0x200000       0x800000 (2 MiB): reserved bit 13 set
 *   PML4[256] shares PDPT 0x11000: 0x800000400000 → 0x200000 (non-canonical
 *   for a 48-bit sign-extended walk). */
#define X_ROOT 0x10000ull
static void x86_guest_tables(struct ims_ctx *ctx)
{
	gw(ctx, X_ROOT + 0 * 8, 0x11000 | X_ALL);
	gw(ctx, X_ROOT + 256 * 8, 0x11000 | X_ALL);
	gw(ctx, 0x11000 + 0 * 8, 0x12000 | X_ALL);
	gw(ctx, 0x12000 + 2 * 8, 0x13000 | X_ALL);
	gw(ctx, 0x13000 + 0 * 8, 0x200000 | X_ALL);
	gw(ctx, 0x13000 + 1 * 8, 0x201000 | X_P | X_US);
	gw(ctx, 0x13000 + 2 * 8, 0x202000 | X_P | X_RW);
	gw(ctx, 0x13000 + 3 * 8, 0x203000 | X_ALL | X_XD);
	gw(ctx, 0x12000 + 3 * 8, 0x200000 | X_ALL | X_PS);
	gw(ctx, 0x12000 + 4 * 8, 0x200000 | X_ALL | X_PS | (1ull << 13));
	/* A PML5 for 5-level walks, at 0x14000, pointing at the PML4. */
	gw(ctx, 0x14000, X_ROOT | X_ALL);
}

static struct ims_dma_result ora(struct guest *g, uint32_t pasid, uint64_t iova,
				 unsigned access)
{
	return t_oracle(g->ctx, g->dev, pasid, iova, access);
}

#define ck_ok(r, want_pa)                                    \
	do {                                                 \
		struct ims_dma_result r_ = (r);              \
		ck_assert_int_eq(r_.status, IMS_DMA_OK);     \
		ck_assert_u64_eq(r_.pa, (want_pa));          \
	} while (0)
#define ck_fault(r, cls)                                     \
	do {                                                 \
		struct ims_dma_result r_ = (r);              \
		ck_assert_int_eq(r_.status, IMS_DMA_FAULT);  \
		ck_assert_int_eq(r_.xfault, (cls));          \
	} while (0)

/* ---- paging ------------------------------------------------------------------------------ */

START_TEST(oracle_paging_translates_ioas_areas)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0), ioas = ioas_ok(ctx);
	struct ims_dma_result r;

	ck_assert_int_eq(t_map(ctx, ioas, 0x10000, 0x7000000, 0x2000, RW), 0);
	ck_assert_int_eq(t_map(ctx, ioas, 0x20000, 0x8000000, 0x1000, IMS_IOAS_MAP_READABLE), 0);
	ck_assert_int_eq(t_attach(ctx, dev, ioas, NULL), 0);
	r = t_oracle(ctx, dev, IMS_NO_PASID, 0x11abc, IMS_ACC_WRITE);
	ck_ok(r, 0x7001abc);
	ck_assert_uint_eq(r.perms, IMS_PT_PERM_ALL);
	r = t_oracle(ctx, dev, IMS_NO_PASID, 0x20010, IMS_ACC_READ | IMS_ACC_PRIV);
	ck_ok(r, 0x8000010);
	ck_assert_uint_eq(r.perms, IMS_PT_PR | IMS_PT_UR | IMS_PT_PX | IMS_PT_UX);
	ck_fault(t_oracle(ctx, dev, IMS_NO_PASID, 0x20010, IMS_ACC_WRITE), IMS_XF_PERMISSION);
	ck_fault(t_oracle(ctx, dev, IMS_NO_PASID, 0x30000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	/* The oracle and the model agree. */
	r = t_dma(ctx, dev, IMS_NO_PASID, 0x11abc, IMS_ACC_WRITE);
	ck_ok(r, 0x7001abc);
	ck_assert_int_eq(t_detach(ctx, dev), 0);
	ck_fault(t_oracle(ctx, dev, IMS_NO_PASID, 0x11abc, IMS_ACC_READ), IMS_XF_BLOCKED);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(oracle_paging_outside_aperture_is_address_fault)
{
	struct mock_cfg cfg = { .naperture = 2,
				.aperture = { { 0x10000, 0xfffff }, { 0x1000000, 0x1ffffff } } };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t dev = bind_ok(ctx, 1, 0), ioas = ioas_ok(ctx);

	ck_assert_int_eq(t_attach(ctx, dev, ioas, NULL), 0);
	ck_assert_int_eq(t_map(ctx, ioas, 0x1000000, 0x5000000, 0x1000, RW), 0);
	ck_ok(t_oracle(ctx, dev, IMS_NO_PASID, 0x1000000, IMS_ACC_READ), 0x5000000);
	ck_fault(t_oracle(ctx, dev, IMS_NO_PASID, 0x100000, IMS_ACC_READ), IMS_XF_ADDRESS);
	ck_fault(t_oracle(ctx, dev, IMS_NO_PASID, 0x20000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	ck_fault(t_dma(ctx, dev, IMS_NO_PASID, 0x100000, IMS_ACC_READ), IMS_XF_ADDRESS);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(oracle_pasid_uses_the_pasid_attachment)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 8), a = ioas_ok(ctx), b = ioas_ok(ctx), ha, hb;

	ck_assert_int_eq(t_map(ctx, a, 0x1000, 0x100000, 0x1000, RW), 0);
	ck_assert_int_eq(t_map(ctx, b, 0x1000, 0x200000, 0x1000, RW), 0);
	ha = hwpt_ok(ctx, dev, a, IMS_HWPT_ALLOC_PASID);
	hb = hwpt_ok(ctx, dev, b, IMS_HWPT_ALLOC_PASID);
	ck_assert_int_eq(t_attach(ctx, dev, ha, NULL), 0);
	ck_assert_int_eq(t_attach_pasid(ctx, dev, 9, hb), 0);
	ck_ok(t_oracle(ctx, dev, IMS_NO_PASID, 0x1000, IMS_ACC_READ), 0x100000);
	ck_ok(t_oracle(ctx, dev, 9, 0x1000, IMS_ACC_READ), 0x200000);
	/* A paging RID does not translate other PASIDs. */
	ck_fault(t_oracle(ctx, dev, 10, 0x1000, IMS_ACC_READ), IMS_XF_BLOCKED);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(oracle_errnos)
{
	struct guest g = guest_new();
	struct ims_dma_result r;
	uint32_t nested;

	ck_assert_int_eq(ims_oracle(g.ctx, 99, IMS_NO_PASID, 0, IMS_ACC_READ, &r), -ENOENT);
	ck_assert_int_eq(ims_oracle(g.ctx, g.ioas, IMS_NO_PASID, 0, IMS_ACC_READ, &r), -ENOENT);
	ck_assert_int_eq(ims_oracle(g.ctx, g.dev, IMS_NO_PASID, 0, IMS_ACC_READ, NULL), -EINVAL);
	ck_assert_int_eq(ims_oracle(NULL, g.dev, IMS_NO_PASID, 0, IMS_ACC_READ, &r), -EBADF);
	/* The mock's own vendor data is nothing the oracle can read. */
	ck_assert_int_eq(t_mock_nested(g.ctx, g.dev, g.parent, 0, &nested), 0);
	ck_assert_int_eq(t_attach(g.ctx, g.dev, nested, NULL), 0);
	ck_assert_int_eq(ims_oracle(g.ctx, g.dev, IMS_NO_PASID, 0, IMS_ACC_READ, &r), -EOPNOTSUPP);
	t_ctx_free(g.ctx);
}
END_TEST

/* ---- VT-d first stage ----------------------------------------------------------------------- */

static uint32_t vtd_nested(struct guest *g, uint64_t flags, uint32_t width, uint32_t hflags)
{
	struct ims_hwpt_vtd_s1 s1 = { .flags = flags, .pgtbl_addr = width == 57 ? 0x14000 : X_ROOT,
				      .addr_width = width };
	uint32_t id;

	ck_assert_int_eq(t_nested(g->ctx, g->dev, g->parent, hflags, IMS_HWPT_DATA_VTD_S1, &s1,
				  sizeof(s1), &id), 0);
	return id;
}

START_TEST(oracle_vtd_s1_composes_both_stages)
{
	struct guest g = guest_new();
	struct ims_dma_result r;

	x86_guest_tables(g.ctx);
	ck_assert_int_eq(t_attach(g.ctx, g.dev, vtd_nested(&g, IMS_VTD_S1_SRE, 48, 0), NULL), 0);
	r = ora(&g, IMS_NO_PASID, 0x400010, IMS_ACC_READ | IMS_ACC_WRITE);
	ck_ok(r, pa_of(0x200010));
	ck_assert_uint_eq(r.perms, IMS_PT_PERM_ALL);
	/* A 2 MiB guest page. */
	ck_ok(ora(&g, IMS_NO_PASID, 0x6ff123, IMS_ACC_READ), pa_of(0x2ff123));
	t_ctx_free(g.ctx);
}
END_TEST

/* The checker's guest-table reads are its own kind: they never show up as
 * the hardware's walk or configuration traffic (which the cost model and
 * the replay summary count). */
START_TEST(oracle_reads_are_not_counted_as_hardware_reads)
{
	struct guest g = guest_new();
	const struct ims_mem_counters *c = ims_mem_counters(ims_ctx_mem(g.ctx));

	x86_guest_tables(g.ctx);
	ck_assert_int_eq(t_attach(g.ctx, g.dev, vtd_nested(&g, IMS_VTD_S1_SRE, 48, 0), NULL), 0);
	ims_mem_reset_counters(ims_ctx_mem(g.ctx));
	ck_ok(ora(&g, IMS_NO_PASID, 0x400010, IMS_ACC_READ), pa_of(0x200010));
	ck_assert_u64_eq(c->reads[IMS_MEM_WALK], 0);
	ck_assert_u64_eq(c->reads[IMS_MEM_CONFIG], 0);
	ck_assert_u64_eq(c->reads[IMS_MEM_ORACLE], 4);
	t_ctx_free(g.ctx);
}
END_TEST

START_TEST(oracle_vtd_s1_permission_faults)
{
	struct guest g = guest_new();

	x86_guest_tables(g.ctx);
	ck_assert_int_eq(t_attach(g.ctx, g.dev, vtd_nested(&g, IMS_VTD_S1_SRE, 48, 0), NULL), 0);
	ck_ok(ora(&g, IMS_NO_PASID, 0x401000, IMS_ACC_READ), pa_of(0x201000));
	ck_fault(ora(&g, IMS_NO_PASID, 0x401000, IMS_ACC_WRITE), IMS_XF_PERMISSION);
	/* Supervisor-only page: user access faults, a privileged one works. */
	ck_fault(ora(&g, IMS_NO_PASID, 0x402000, IMS_ACC_READ), IMS_XF_PERMISSION);
	ck_ok(ora(&g, IMS_NO_PASID, 0x402000, IMS_ACC_WRITE | IMS_ACC_PRIV), pa_of(0x202000));
	/* XD is ignored by VT-d 4.x first stage: execute follows read. */
	ck_ok(ora(&g, IMS_NO_PASID, 0x403000, IMS_ACC_EXEC), pa_of(0x203000));
	t_ctx_free(g.ctx);
}
END_TEST

START_TEST(oracle_vtd_s1_supervisor_needs_sre)
{
	struct guest g = guest_new();

	x86_guest_tables(g.ctx);
	ck_assert_int_eq(t_attach(g.ctx, g.dev, vtd_nested(&g, 0, 48, 0), NULL), 0);
	ck_ok(ora(&g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), pa_of(0x200000));
	ck_fault(ora(&g, IMS_NO_PASID, 0x400000, IMS_ACC_READ | IMS_ACC_PRIV), IMS_XF_PERMISSION);
	t_ctx_free(g.ctx);
}
END_TEST

START_TEST(oracle_vtd_s1_not_present_address_and_config_faults)
{
	struct guest g = guest_new();

	x86_guest_tables(g.ctx);
	ck_assert_int_eq(t_attach(g.ctx, g.dev, vtd_nested(&g, 0, 48, 0), NULL), 0);
	ck_fault(ora(&g, IMS_NO_PASID, 0x405000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	ck_fault(ora(&g, IMS_NO_PASID, 0x40000000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	/* Bit 47 set, 63:48 clear: not canonical for 4 levels. */
	ck_fault(ora(&g, IMS_NO_PASID, 0x800000400000ull, IMS_ACC_READ), IMS_XF_ADDRESS);
	/* A 2 MiB entry with a reserved bit. */
	ck_fault(ora(&g, IMS_NO_PASID, 0x800000, IMS_ACC_READ), IMS_XF_CONFIG);
	t_ctx_free(g.ctx);
}
END_TEST

START_TEST(oracle_vtd_s1_five_levels)
{
	struct guest g = guest_new();

	x86_guest_tables(g.ctx);
	ck_assert_int_eq(t_attach(g.ctx, g.dev, vtd_nested(&g, 0, 57, 0), NULL), 0);
	ck_ok(ora(&g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), pa_of(0x200000));
	/* Canonical for 57 bits, it reaches PML4[256] now. */
	ck_ok(ora(&g, IMS_NO_PASID, 0x800000400000ull, IMS_ACC_READ), pa_of(0x200000));
	t_ctx_free(g.ctx);
}
END_TEST

START_TEST(oracle_stage2_faults_keep_their_class)
{
	struct guest g = guest_new();

	x86_guest_tables(g.ctx);
	ck_assert_int_eq(t_attach(g.ctx, g.dev, vtd_nested(&g, 0, 48, 0), NULL), 0);
	/* Data read-only at stage 2: the guest allows the write, stage 2 not. */
	ck_assert_int_eq(t_unmap(g.ctx, g.ioas, DATA_GPA, DATA_LEN), 0);
	ck_assert_int_eq(t_map(g.ctx, g.ioas, DATA_GPA, pa_of(DATA_GPA), DATA_LEN,
			       IMS_IOAS_MAP_READABLE), 0);
	ck_ok(ora(&g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), pa_of(0x200000));
	ck_assert_uint_eq(ora(&g, IMS_NO_PASID, 0x400000, IMS_ACC_READ).perms,
			  IMS_PT_PR | IMS_PT_UR | IMS_PT_PX | IMS_PT_UX);
	ck_fault(ora(&g, IMS_NO_PASID, 0x400000, IMS_ACC_WRITE), IMS_XF_PERMISSION);
	/* The output GPA not mapped at stage 2. */
	ck_assert_int_eq(t_unmap(g.ctx, g.ioas, DATA_GPA, DATA_LEN), 0);
	ck_fault(ora(&g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	/* The guest tables not mapped at stage 2: the walk stops. */
	ck_assert_int_eq(t_map(g.ctx, g.ioas, DATA_GPA, pa_of(DATA_GPA), DATA_LEN, RW), 0);
	ck_assert_int_eq(t_unmap(g.ctx, g.ioas, TABLES_GPA, TABLES_LEN), 0);
	ck_fault(ora(&g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	t_ctx_free(g.ctx);
}
END_TEST

START_TEST(oracle_guest_table_read_abort_is_walk_abort)
{
	struct guest g = guest_new();

	x86_guest_tables(g.ctx);
	ck_assert_int_eq(t_attach(g.ctx, g.dev, vtd_nested(&g, 0, 48, 0), NULL), 0);
	ck_assert_int_eq(ims_mem_add_abort(ims_ctx_mem(g.ctx), pa_of(0x13000), pa_of(0x13fff)), 0);
	ck_fault(ora(&g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_WALK_ABORT);
	/* The 2 MiB page does not go through that table. */
	ck_ok(ora(&g, IMS_NO_PASID, 0x600000, IMS_ACC_READ), pa_of(0x200000));
	t_ctx_free(g.ctx);
}
END_TEST

START_TEST(oracle_vtd_s1_on_a_pasid)
{
	struct guest g = guest_new();
	uint32_t n;

	x86_guest_tables(g.ctx);
	n = vtd_nested(&g, 0, 48, IMS_HWPT_ALLOC_PASID);
	ck_assert_int_eq(t_attach_pasid(g.ctx, g.dev, 5, n), 0);
	ck_ok(ora(&g, 5, 0x400000, IMS_ACC_READ), pa_of(0x200000));
	ck_fault(ora(&g, 6, 0x400000, IMS_ACC_READ), IMS_XF_BLOCKED);
	ck_fault(ora(&g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_BLOCKED);
	/* VT-d PASIDs are attached one by one: a nested RID does not take
	 * requests of unattached PASIDs. */
	ck_assert_int_eq(t_attach(g.ctx, g.dev, n, NULL), 0);
	ck_fault(ora(&g, 6, 0x400000, IMS_ACC_READ), IMS_XF_BLOCKED);
	t_ctx_free(g.ctx);
}
END_TEST

/* ---- SMMUv3: vSTE → CD → stage 1 -------------------------------------------------------------- */

/* VMSAv8-64 4K stage-1 tables, 48-bit input, rooted at L0 0x21000:
 *   0x400000 → 0x200000 RW (EL0+EL1)   0x401000 → 0x201000 RO
 *   0x402000 → 0x202000 RW with AF = 0
 * and a second tree at L0 0x25000: 0x400000 → 0x203000. */
static void arm_guest_tables(struct ims_ctx *ctx)
{
	gw(ctx, 0x21000, 0x22000 | A_TABLE);
	gw(ctx, 0x22000, 0x23000 | A_TABLE);
	gw(ctx, 0x23000 + 2 * 8, 0x24000 | A_TABLE);
	gw(ctx, 0x24000 + 0 * 8, 0x200000 | A_PAGE | A_AF | A_AP_EL0);
	gw(ctx, 0x24000 + 1 * 8, 0x201000 | A_PAGE | A_AF | A_AP_EL0 | A_AP_RO);
	gw(ctx, 0x24000 + 2 * 8, 0x202000 | A_PAGE | A_AP_EL0);
	gw(ctx, 0x25000, 0x26000 | A_TABLE);
	gw(ctx, 0x26000, 0x27000 | A_TABLE);
	gw(ctx, 0x27000 + 2 * 8, 0x28000 | A_TABLE);
	gw(ctx, 0x28000, 0x203000 | A_PAGE | A_AF | A_AP_EL0);
}

/* Context descriptor (IHI0070 §5.4): V, AA64, 48-bit TTB0 with a 4K
 * granule, TTB1 disabled unless ttb1, IPS 48 bits. */
#define CD_V (1ull << 31)
#define CD_AA64 (1ull << 41)
#define CD_HA (1ull << 43)
#define CD_EPD0 (1ull << 14)
#define CD_EPD1 (1ull << 30)
static void arm_cd(struct ims_ctx *ctx, uint64_t gpa, uint64_t q0_extra, uint64_t ttb0,
		   uint64_t ttb1)
{
	uint64_t q0 = 16 /* T0SZ */ | (5ull << 32) /* IPS 48 */ | CD_V | CD_AA64 | q0_extra;

	if (ttb1)
		q0 |= (16ull << 16) /* T1SZ */ | (2ull << 22) /* TG1 4K */;
	else
		q0 |= CD_EPD1;
	gw(ctx, gpa, q0);
	gw(ctx, gpa + 8, ttb0);
	gw(ctx, gpa + 16, ttb1);
	for (unsigned i = 3; i < 8; i++)
		gw(ctx, gpa + 8 * i, 0);
}

#define STE_V 1ull
#define STE_CFG(c) ((uint64_t)(c) << 1)
#define STE_FMT(f) ((uint64_t)(f) << 4)
#define STE_CDMAX(n) ((uint64_t)(n) << 59)

struct arm {
	struct guest g;
	uint32_t viommu;
};

static struct arm arm_new(void)
{
	struct arm a;

	a.g = guest_new();
	ck_assert_int_eq(t_viommu(a.g.ctx, a.g.dev, a.g.parent, IMS_VIOMMU_TYPE_ARM_SMMUV3,
				  &a.viommu), 0);
	/* A translating vSTE needs the device's vDEVICE (iommufd §3.4). */
	ck_assert_int_eq(t_vdev(a.g.ctx, a.viommu, a.g.dev, 0x8, NULL), 0);
	arm_guest_tables(a.g.ctx);
	return a;
}

/* Attaches (or replaces with) a nested HWPT with this vSTE. */
static void arm_ste(struct arm *a, uint64_t ste0, uint64_t ste1)
{
	struct ims_hwpt_arm_smmuv3 ste = { { ste0, ste1 } };
	uint32_t id;

	ck_assert_int_eq(t_nested(a->g.ctx, a->g.dev, a->viommu, 0, IMS_HWPT_DATA_ARM_SMMUV3, &ste,
				  sizeof(ste), &id), 0);
	if (mock_dev_domain(a->g.ctx, a->g.dev, IMS_NO_PASID))
		ck_assert_int_eq(t_replace(a->g.ctx, a->g.dev, id, NULL), 0);
	else
		ck_assert_int_eq(t_attach(a->g.ctx, a->g.dev, id, NULL), 0);
}

START_TEST(oracle_arm_single_cd_translates)
{
	struct arm a = arm_new();
	struct ims_dma_result r;

	arm_cd(a.g.ctx, 0x20000, 0, 0x21000, 0);
	arm_ste(&a, STE_V | STE_CFG(5) | 0x20000, 0);
	r = ora(&a.g, IMS_NO_PASID, 0x400abc, IMS_ACC_READ | IMS_ACC_WRITE);
	ck_ok(r, pa_of(0x200abc));
	ck_ok(ora(&a.g, IMS_NO_PASID, 0x401000, IMS_ACC_READ), pa_of(0x201000));
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x401000, IMS_ACC_WRITE), IMS_XF_PERMISSION);
	/* AF = 0 without HA: an access flag fault, counted as not present. */
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x402000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x403000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	/* With CD.HA the hardware sets AF and the access goes through. */
	arm_cd(a.g.ctx, 0x20000, CD_HA, 0x21000, 0);
	ck_ok(ora(&a.g, IMS_NO_PASID, 0x402000, IMS_ACC_READ), pa_of(0x202000));
	t_ctx_free(a.g.ctx);
}
END_TEST

START_TEST(oracle_arm_ste_abort_and_bypass)
{
	struct arm a = arm_new();

	arm_ste(&a, 0, 0); /* V = 0: abort */
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_BLOCKED);
	arm_ste(&a, STE_V | STE_CFG(0), 0);
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_BLOCKED);
	ck_fault(ora(&a.g, 3, 0x400000, IMS_ACC_READ), IMS_XF_BLOCKED);
	/* Bypass: stage 2 only; substreams are a C_BAD_SUBSTREAMID. */
	arm_ste(&a, STE_V | STE_CFG(4), 0);
	ck_ok(ora(&a.g, IMS_NO_PASID, 0x200040, IMS_ACC_WRITE), pa_of(0x200040));
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	ck_fault(ora(&a.g, 3, 0x200040, IMS_ACC_READ), IMS_XF_CONFIG);
	t_ctx_free(a.g.ctx);
}
END_TEST

START_TEST(oracle_arm_bad_cd_is_config)
{
	struct arm a = arm_new();

	arm_ste(&a, STE_V | STE_CFG(5) | 0x20000, 0);
	arm_cd(a.g.ctx, 0x20000, 0, 0x21000, 0);
	gw(a.g.ctx, 0x20000, 16 | (5ull << 32) | CD_AA64 | CD_EPD1); /* V = 0 */
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_CONFIG);
	gw(a.g.ctx, 0x20000, 16 | (5ull << 32) | CD_V | CD_EPD1); /* AArch32 tables */
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_CONFIG);
	gw(a.g.ctx, 0x20000, 8 | (5ull << 32) | CD_V | CD_AA64 | CD_EPD1); /* T0SZ 8 */
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_CONFIG);
	gw(a.g.ctx, 0x20000, 16 | (3ull << 6) | (5ull << 32) | CD_V | CD_AA64 | CD_EPD1); /* TG0 3 */
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_CONFIG);
	/* EPD0: the TTB0 range misses. */
	arm_cd(a.g.ctx, 0x20000, CD_EPD0, 0x21000, 0);
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	t_ctx_free(a.g.ctx);
}
END_TEST

START_TEST(oracle_arm_ttb1_upper_range)
{
	struct arm a = arm_new();

	arm_cd(a.g.ctx, 0x20000, 0, 0x25000, 0x21000);
	arm_ste(&a, STE_V | STE_CFG(5) | 0x20000, 0);
	ck_ok(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), pa_of(0x203000));
	ck_ok(ora(&a.g, IMS_NO_PASID, 0xffff000000400000ull, IMS_ACC_READ), pa_of(0x200000));
	/* Bit 55 set but not all of 63:48: out of the TTB1 range. */
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x0080000000400000ull, IMS_ACC_READ), IMS_XF_ADDRESS);
	t_ctx_free(a.g.ctx);
}
END_TEST

START_TEST(oracle_arm_cd_table_selects_by_pasid)
{
	struct arm a = arm_new();

	/* Four linear CDs: CD0 and CD1 on different trees. */
	arm_cd(a.g.ctx, 0x20000, 0, 0x21000, 0);
	arm_cd(a.g.ctx, 0x20040, 0, 0x25000, 0);
	arm_cd(a.g.ctx, 0x20080, 0, 0, 0);
	arm_cd(a.g.ctx, 0x200c0, 0, 0, 0);
	gw(a.g.ctx, 0x20080, 0); /* CD2 invalid */
	arm_ste(&a, STE_V | STE_CFG(5) | STE_CDMAX(2) | 0x20000, 2 /* S1DSS: SSID0 */);
	ck_ok(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), pa_of(0x200000));
	ck_ok(ora(&a.g, 1, 0x400000, IMS_ACC_READ), pa_of(0x203000));
	ck_fault(ora(&a.g, 2, 0x400000, IMS_ACC_READ), IMS_XF_CONFIG);
	ck_fault(ora(&a.g, 4, 0x400000, IMS_ACC_READ), IMS_XF_CONFIG);
	/* CD0 is reserved for traffic without PASID with S1DSS=SSID0. */
	ck_fault(ora(&a.g, 0, 0x400000, IMS_ACC_READ), IMS_XF_BLOCKED);
	/* S1DSS terminate and bypass for traffic without PASID. */
	arm_ste(&a, STE_V | STE_CFG(5) | STE_CDMAX(2) | 0x20000, 0);
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_BLOCKED);
	ck_ok(ora(&a.g, 0, 0x400000, IMS_ACC_READ), pa_of(0x200000));
	arm_ste(&a, STE_V | STE_CFG(5) | STE_CDMAX(2) | 0x20000, 1);
	ck_ok(ora(&a.g, IMS_NO_PASID, 0x200010, IMS_ACC_READ), pa_of(0x200010));
	ck_ok(ora(&a.g, 1, 0x400000, IMS_ACC_READ), pa_of(0x203000));
	t_ctx_free(a.g.ctx);
}
END_TEST

START_TEST(oracle_arm_two_level_cd_table)
{
	struct arm a = arm_new();

	/* S1Fmt 1: L1 descriptors of 64 CDs each; SSID 65 is L1[1], CD 1. */
	gw(a.g.ctx, 0x20000, 0);
	gw(a.g.ctx, 0x20008, 0x2a000 | 1);
	arm_cd(a.g.ctx, 0x2a040, 0, 0x25000, 0);
	arm_ste(&a, STE_V | STE_CFG(5) | STE_FMT(1) | STE_CDMAX(7) | 0x20000, 0);
	ck_ok(ora(&a.g, 65, 0x400000, IMS_ACC_READ), pa_of(0x203000));
	/* L1[0] invalid: C_BAD_SUBSTREAMID. */
	ck_fault(ora(&a.g, 3, 0x400000, IMS_ACC_READ), IMS_XF_CONFIG);
	t_ctx_free(a.g.ctx);
}
END_TEST

START_TEST(oracle_arm_cd_not_mapped_at_stage2)
{
	struct arm a = arm_new();

	arm_cd(a.g.ctx, 0x20000, 0, 0x21000, 0);
	/* The CD table pointer is a GPA outside every IOAS area. */
	arm_ste(&a, STE_V | STE_CFG(5) | 0x1000000, 0);
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	t_ctx_free(a.g.ctx);
}
END_TEST

/* ---- AMD: guest DTE → GCR3 → x86-64 v2 ---------------------------------------------------------- */

#define DTE_V 1ull
#define DTE_GIOV (1ull << 54)
#define DTE_GV (1ull << 55)
#define DTE_GLX(n) ((uint64_t)(n) << 56)

/* A guest DTE with the GCR3 root at gcr3 (AMD IOMMU 2.2.2 field split). */
static void amd_dte(uint64_t dte[4], uint64_t q0, uint64_t gcr3, unsigned gpm)
{
	dte[0] = q0 | DTE_V | DTE_GV | ((gcr3 >> 12) & 7) << 58;
	dte[1] = ((gcr3 >> 15) & 0xffff) << 16 | ((gcr3 >> 31) & 0x1fffff) << 43;
	dte[2] = (uint64_t)gpm << 54;
	dte[3] = 0;
}

struct amd {
	struct guest g;
	uint32_t viommu;
};

static struct amd amd_new(void)
{
	struct amd a;

	a.g = guest_new();
	ck_assert_int_eq(t_viommu(a.g.ctx, a.g.dev, a.g.parent, IMS_VIOMMU_TYPE_AMD, &a.viommu),
			 0);
	x86_guest_tables(a.g.ctx);
	/* GCR3 table (GLX=0) at 0x30000: PASIDs 0 and 3 use the x86 tree. */
	gw(a.g.ctx, 0x30000 + 0 * 8, X_ROOT | 1);
	gw(a.g.ctx, 0x30000 + 3 * 8, X_ROOT | 1);
	/* Two levels (GLX=1) at 0x31000: PASID 0x205 → L1[1] → L0[5]. */
	gw(a.g.ctx, 0x31000 + 1 * 8, 0x32000 | 1);
	gw(a.g.ctx, 0x32000 + 5 * 8, X_ROOT | 1);
	return a;
}

static void amd_attach(struct amd *a, uint64_t q0, uint64_t gcr3)
{
	struct ims_hwpt_amd_guest d;
	uint32_t id;

	amd_dte(d.dte, q0, gcr3, 0);
	ck_assert_int_eq(t_nested(a->g.ctx, a->g.dev, a->viommu, 0, IMS_HWPT_DATA_AMD_GUEST, &d,
				  sizeof(d), &id), 0);
	if (mock_dev_domain(a->g.ctx, a->g.dev, IMS_NO_PASID))
		ck_assert_int_eq(t_replace(a->g.ctx, a->g.dev, id, NULL), 0);
	else
		ck_assert_int_eq(t_attach(a->g.ctx, a->g.dev, id, NULL), 0);
}

START_TEST(oracle_amd_gcr3_by_pasid)
{
	struct amd a = amd_new();

	amd_attach(&a, DTE_GIOV, 0x30000);
	/* Without PASID, GIoV: GCR3[0]. */
	ck_ok(ora(&a.g, IMS_NO_PASID, 0x400010, IMS_ACC_READ), pa_of(0x200010));
	ck_ok(ora(&a.g, 3, 0x401000, IMS_ACC_READ), pa_of(0x201000));
	ck_fault(ora(&a.g, 3, 0x401000, IMS_ACC_WRITE), IMS_XF_PERMISSION);
	/* GCR3[4] not valid. */
	ck_fault(ora(&a.g, 4, 0x400000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	/* One GCR3 level indexes PASID[8:0] only. */
	ck_fault(ora(&a.g, 600, 0x400000, IMS_ACC_READ), IMS_XF_CONFIG);
	/* NX is checked on v2 tables. */
	ck_ok(ora(&a.g, 3, 0x403000, IMS_ACC_READ), pa_of(0x203000));
	ck_fault(ora(&a.g, 3, 0x403000, IMS_ACC_EXEC), IMS_XF_PERMISSION);
	t_ctx_free(a.g.ctx);
}
END_TEST

START_TEST(oracle_amd_without_giov_is_stage2_only)
{
	struct amd a = amd_new();

	amd_attach(&a, 0, 0x30000);
	ck_ok(ora(&a.g, IMS_NO_PASID, 0x200010, IMS_ACC_WRITE), pa_of(0x200010));
	ck_fault(ora(&a.g, IMS_NO_PASID, 0x400000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	/* PASIDs still use the GCR3 table. */
	ck_ok(ora(&a.g, 3, 0x400000, IMS_ACC_READ), pa_of(0x200000));
	t_ctx_free(a.g.ctx);
}
END_TEST

START_TEST(oracle_amd_sign_extension_only_for_nonzero_pasid)
{
	struct amd a = amd_new();

	amd_attach(&a, DTE_GIOV, 0x30000);
	/* PML4[256]: bit 47 set, 63:48 clear. */
	ck_ok(ora(&a.g, IMS_NO_PASID, 0x800000400000ull, IMS_ACC_READ), pa_of(0x200000));
	ck_ok(ora(&a.g, 0, 0x800000400000ull, IMS_ACC_READ), pa_of(0x200000));
	ck_fault(ora(&a.g, 3, 0x800000400000ull, IMS_ACC_READ), IMS_XF_ADDRESS);
	t_ctx_free(a.g.ctx);
}
END_TEST

START_TEST(oracle_amd_two_level_gcr3)
{
	struct amd a = amd_new();

	amd_attach(&a, DTE_GLX(1), 0x31000);
	ck_ok(ora(&a.g, 0x205, 0x400000, IMS_ACC_READ), pa_of(0x200000));
	ck_fault(ora(&a.g, 0x005, 0x400000, IMS_ACC_READ), IMS_XF_NOT_PRESENT);
	t_ctx_free(a.g.ctx);
}
END_TEST

/* ---- randomized: the mock's DMA agrees with the oracle ------------------------------------------ */

#define R_DEVS 3
#define R_IOAS 2
#define R_PAGES 32 /* IOVA space of the run: 32 pages from 0x100000 */

struct rstate {
	struct ims_ctx *ctx;
	uint64_t seed, seed0;
	uint32_t dev[R_DEVS];
	uint32_t ioas[R_IOAS];
	uint32_t hwpt[4]; /* manual PASID-compatible HWPTs, two per IOAS */
	uint64_t checks;
};

static uint64_t rnd(struct rstate *s, uint64_t n)
{
	return ims_test_rand(&s->seed) % n;
}

static uint32_t any_pasid(struct rstate *s)
{
	static const uint32_t p[] = { IMS_NO_PASID, IMS_NO_PASID, 1, 2, 7 };

	return p[rnd(s, 5)];
}

static uint32_t any_pt(struct rstate *s)
{
	return rnd(s, 3) == 0 ? s->ioas[rnd(s, R_IOAS)] : s->hwpt[rnd(s, 4)];
}

static void r_step(struct rstate *s)
{
	uint32_t dev = s->dev[rnd(s, R_DEVS)];

	switch (rnd(s, 8)) {
	case 0:
	case 1: {
		uint64_t page = rnd(s, R_PAGES), n = 1 + rnd(s, 4);
		uint32_t flags = rnd(s, 3) == 0 ? IMS_IOAS_MAP_READABLE : RW;

		t_map(s->ctx, s->ioas[rnd(s, R_IOAS)], 0x100000 + page * 0x1000,
		      0x10000000 + rnd(s, 4096) * 0x1000, n * 0x1000, flags);
		break;
	}
	case 2:
		t_unmap(s->ctx, s->ioas[rnd(s, R_IOAS)], 0x100000 + rnd(s, R_PAGES) * 0x1000,
			(1 + rnd(s, 8)) * 0x1000);
		break;
	case 3:
		t_change(s->ctx, false, dev, any_pasid(s), any_pt(s), NULL);
		break;
	case 4:
		t_change(s->ctx, true, dev, any_pasid(s), any_pt(s), NULL);
		break;
	case 5:
		t_detach_pasid(s->ctx, dev, any_pasid(s));
		break;
	default: {
		/* A DMA, checked against the oracle. */
		static const unsigned acc[] = { IMS_ACC_READ, IMS_ACC_WRITE,
						IMS_ACC_READ | IMS_ACC_WRITE, IMS_ACC_EXEC };
		uint32_t pasid = any_pasid(s);
		uint64_t iova = 0x100000 + rnd(s, R_PAGES + 2) * 0x1000 + rnd(s, 0x1000 / 8) * 8;
		unsigned a = acc[rnd(s, 4)];
		struct ims_dma_result want = t_oracle(s->ctx, dev, pasid, iova, a);
		struct ims_dma_result got = t_dma(s->ctx, dev, pasid, iova, a);

		ck_assert_msg(got.status == want.status && got.xfault == want.xfault &&
				      got.pa == want.pa && (got.status != IMS_DMA_OK ||
							    got.perms == want.perms),
			      "seed 0x%llx: dev %u pasid 0x%x iova 0x%llx access %u: model "
			      "status %d xfault %d pa 0x%llx, oracle status %d xfault %d pa 0x%llx",
			      (unsigned long long)s->seed0, dev, pasid,
			      (unsigned long long)iova, a, got.status, got.xfault,
			      (unsigned long long)got.pa, want.status, want.xfault,
			      (unsigned long long)want.pa);
		s->checks++;
		break;
	}
	}
}

START_TEST(oracle_agrees_with_mock_dma_randomized)
{
	/* One domain aperture window, so ADDRESS faults happen too. */
	struct mock_cfg cfg = { .naperture = 1, .aperture = { { 0x100000, 0x11bfff } } };
	uint64_t total = 0;

	for (uint64_t round = 0; round < 6; round++) {
		struct rstate s = { .seed = ims_test_seed(0x5eed0000 + round) };

		s.seed0 = s.seed;

		s.ctx = t_ctx(&cfg);
		/* Devices 1 and 2 share a group; device 1 and 3 have PASIDs. */
		mock_set_device(mock_of(s.ctx), 1, 0, 0x40);
		mock_set_device(mock_of(s.ctx), 2, 0, 0x40);
		s.dev[0] = bind_ok(s.ctx, 1, 4);
		s.dev[1] = bind_ok(s.ctx, 2, 0);
		s.dev[2] = bind_ok(s.ctx, 3, 3);
		for (unsigned i = 0; i < R_IOAS; i++)
			s.ioas[i] = ioas_ok(s.ctx);
		for (unsigned i = 0; i < 4; i++)
			s.hwpt[i] = hwpt_ok(s.ctx, s.dev[0], s.ioas[i / 2], IMS_HWPT_ALLOC_PASID);
		for (unsigned i = 0; i < 1500; i++)
			r_step(&s);
		total += s.checks;
		t_ctx_free(s.ctx);
	}
	/* The run really compared DMAs. */
	ck_assert_uint_gt(total, 1000);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("iommufd_oracle");
	TCase *tc = tcase_create("oracle");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, oracle_paging_translates_ioas_areas);
	tcase_add_test(tc, oracle_paging_outside_aperture_is_address_fault);
	tcase_add_test(tc, oracle_pasid_uses_the_pasid_attachment);
	tcase_add_test(tc, oracle_errnos);
	tcase_add_test(tc, oracle_vtd_s1_composes_both_stages);
	tcase_add_test(tc, oracle_reads_are_not_counted_as_hardware_reads);
	tcase_add_test(tc, oracle_vtd_s1_permission_faults);
	tcase_add_test(tc, oracle_vtd_s1_supervisor_needs_sre);
	tcase_add_test(tc, oracle_vtd_s1_not_present_address_and_config_faults);
	tcase_add_test(tc, oracle_vtd_s1_five_levels);
	tcase_add_test(tc, oracle_stage2_faults_keep_their_class);
	tcase_add_test(tc, oracle_guest_table_read_abort_is_walk_abort);
	tcase_add_test(tc, oracle_vtd_s1_on_a_pasid);
	tcase_add_test(tc, oracle_arm_single_cd_translates);
	tcase_add_test(tc, oracle_arm_ste_abort_and_bypass);
	tcase_add_test(tc, oracle_arm_bad_cd_is_config);
	tcase_add_test(tc, oracle_arm_ttb1_upper_range);
	tcase_add_test(tc, oracle_arm_cd_table_selects_by_pasid);
	tcase_add_test(tc, oracle_arm_two_level_cd_table);
	tcase_add_test(tc, oracle_arm_cd_not_mapped_at_stage2);
	tcase_add_test(tc, oracle_amd_gcr3_by_pasid);
	tcase_add_test(tc, oracle_amd_without_giov_is_stage2_only);
	tcase_add_test(tc, oracle_amd_sign_extension_only_for_nonzero_pasid);
	tcase_add_test(tc, oracle_amd_two_level_gcr3);
	tcase_add_test(tc, oracle_agrees_with_mock_dma_randomized);
	suite_add_tcase(s, tc);
	return s;
}
