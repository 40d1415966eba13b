/* SPDX-License-Identifier: MIT */
/*
 * Randomized scenarios (fixed seeds; IMS_TEST_SEED overrides) on the VT-d
 * model through the API: maps and unmaps in several IOASes, RID and PASID
 * attach, replace and detach between automatic and manual HWPTs, and DMA
 * by every device after every step, each result compared with the oracle.
 * The unit caches translations (IOTLB, paging-structure, context and PASID
 * caches, small ones in some variants so entries are evicted too), so any
 * invalidation the driver misses shows up as a stale translation that
 * disagrees with the oracle.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "iommusim/iommusim.h"
#include "iommusim/vtd.h"
#include "models/vtd/vtd_hw.h"
#include "models/vtd/vtd_regs.h"
#include "sim/palloc.h"
#include "sim/pt.h"
#include "sim/iommufd/iommufd_priv.h" /* internal_errors */
#include "tests/unit/tharness.h"

#define POOL 0x10000000ull
#define DATA 0x80000000ull
#define NOP IMS_NO_PASID
#define NIOAS 3
#define NDEV 3
#define MAXA 64
#define WINDOW (64ull << 20) /* IOVAs in [0, 64 MiB) */

struct area {
	uint64_t iova, len;
};

struct rnd {
	struct ims_ctx *ctx;
	uint64_t rs;
	bool fs, legacy;
	uint32_t ioas[NIOAS], hwpt[NIOAS];
	uint32_t dev[NDEV];
	struct area a[NIOAS][MAXA];
	unsigned na[NIOAS];
	bool rid[NDEV];           /* RID attached */
	bool pasid[NDEV][6];      /* PASID p attached */
	unsigned dmas, faults, ok;
};

static uint64_t rn(struct rnd *t, uint64_t n)
{
	return n ? ims_test_rand(&t->rs) % n : 0;
}

static void setup(struct rnd *t, struct ims_vtd_cfg *cfg, uint64_t seed)
{
	struct ims_ctx_cfg c = { .model = &ims_vtd_model, .model_cfg = cfg, .seed = seed,
				 .pool_base = POOL, .pool_size = 0x10000000 };

	memset(t, 0, sizeof(*t));
	t->rs = seed;
	t->fs = cfg->paging == IMS_VTD_PAGING_FS;
	t->legacy = cfg->mode == IMS_VTD_MODE_LEGACY;
	ck_assert_int_eq(ims_ctx_create(&c, &t->ctx), 0);
	for (unsigned i = 0; i < NDEV; i++) {
		struct ims_device_bind b = {
			.size = sizeof(b), .sid = 0x0100 + 8 * i, .pasid_bits = i ? 8 : 0,
			.unit = cfg->units > 1 ? i % cfg->units : 0, .ats = i == 2,
		};
		ck_assert_int_eq(ims_device_bind(t->ctx, &b), 0);
		t->dev[i] = b.out_dev_id;
	}
	for (unsigned k = 0; k < NIOAS; k++) {
		struct ims_ioas_alloc a = { .size = sizeof(a) };
		ck_assert_int_eq(ims_ioas_alloc(t->ctx, &a), 0);
		t->ioas[k] = a.out_ioas_id;
		struct ims_hwpt_alloc h = {
			.size = sizeof(h), .dev_id = t->dev[1], .pt_id = t->ioas[k],
			.flags = IMS_HWPT_ALLOC_PASID,
		};
		ck_assert_int_eq(ims_hwpt_alloc(t->ctx, &h), 0);
		t->hwpt[k] = h.out_hwpt_id;
	}
}

static void op_map(struct rnd *t)
{
	unsigned k = (unsigned)rn(t, NIOAS);
	bool huge = rn(t, 6) == 0;
	uint64_t len = huge ? 0x200000 : (1 + rn(t, 16)) << 12;
	uint64_t iova = huge ? rn(t, WINDOW >> 21) << 21 : rn(t, WINDOW >> 12) << 12;
	uint64_t pa = DATA + (huge ? rn(t, 128) << 21 : rn(t, 65536) << 12);
	/* First-stage tables cannot express write-only (SPEC 9.7: every
	 * present page is readable). */
	static const uint32_t prots[] = {
		IMS_IOAS_MAP_READABLE | IMS_IOAS_MAP_WRITEABLE, IMS_IOAS_MAP_READABLE,
		IMS_IOAS_MAP_WRITEABLE,
	};
	uint32_t flags = prots[rn(t, t->fs ? 2 : 3)];
	struct ims_ioas_map m = {
		.size = sizeof(m), .flags = flags | IMS_IOAS_MAP_FIXED_IOVA, .ioas_id = t->ioas[k],
		.user_va = pa, .length = len, .iova = iova,
	};

	if (t->na[k] == MAXA)
		return;
	int rc = ims_ioas_map(t->ctx, &m);
	ck_assert_msg(rc == 0 || rc == -EEXIST || rc == -EINVAL, "map rc %d", rc);
	if (!rc)
		t->a[k][t->na[k]++] = (struct area){ iova, len };
}

static void op_unmap(struct rnd *t)
{
	unsigned k = (unsigned)rn(t, NIOAS);

	if (!t->na[k])
		return;
	unsigned i = (unsigned)rn(t, t->na[k]);
	struct ims_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = t->ioas[k], .iova = t->a[k][i].iova,
		.length = t->a[k][i].len,
	};
	ck_assert_int_eq(ims_ioas_unmap(t->ctx, &u), 0);
	t->a[k][i] = t->a[k][--t->na[k]];
}

/* Attach, replace or detach the RID or a PASID of a device. */
static void op_attach(struct rnd *t)
{
	unsigned d = (unsigned)rn(t, NDEV);
	uint32_t pasid = d && !t->legacy && rn(t, 2) ? 1 + (uint32_t)rn(t, 5) : NOP;
	bool *on = pasid == NOP ? &t->rid[d] : &t->pasid[d][pasid];
	uint32_t flags = pasid == NOP ? 0 : IMS_DEVICE_ATTACH_PASID;
	int rc;

	if (*on && rn(t, 4) == 0) {
		struct ims_device_detach dd = {
			.size = sizeof(dd), .dev_id = t->dev[d], .flags = flags,
			.pasid = pasid == NOP ? 0 : pasid,
		};
		ck_assert_int_eq(ims_device_detach(t->ctx, &dd), 0);
		*on = false;
		return;
	}
	/* An IOAS (automatic domain, RID only) or a manual PASID-capable
	 * HWPT. */
	unsigned k = (unsigned)rn(t, NIOAS);
	uint32_t pt = pasid == NOP && rn(t, 2) ? t->ioas[k] : t->hwpt[k];
	struct ims_device_attach a = {
		.size = sizeof(a), .flags = flags, .dev_id = t->dev[d], .pt_id = pt,
		.pasid = pasid == NOP ? 0 : pasid,
	};
	rc = *on ? ims_device_replace(t->ctx, &a) : ims_device_attach(t->ctx, &a);
	/* The core refuses what iommufd §3.7 forbids (an automatic domain
	 * on the RID while PASIDs are attached, and so on). */
	ck_assert_msg(rc == 0 || rc == -EINVAL, "attach rc %d", rc);
	if (!rc)
		*on = true;
}

static uint64_t pick_iova(struct rnd *t)
{
	unsigned k = (unsigned)rn(t, NIOAS);

	if (t->na[k] && rn(t, 4)) {
		const struct area *a = &t->a[k][rn(t, t->na[k])];
		return a->iova + (rn(t, a->len >> 12) << 12) + (rn(t, 512) << 3);
	}
	return (rn(t, WINDOW >> 12) << 12) | (rn(t, 512) << 3);
}

/* One DMA by device d, compared with the oracle. */
static void check_dma(struct rnd *t, unsigned d, uint32_t pasid, uint64_t iova, unsigned access)
{
	struct ims_dma_req r = { .pasid = pasid, .addr = iova, .len = 8, .access = access };
	struct ims_dma_result res, o;

	ck_assert_int_eq(ims_dma(t->ctx, t->dev[d], &r, &res), 0);
	ck_assert_int_eq(ims_oracle(t->ctx, t->dev[d], pasid, iova, access, &o), 0);
	ck_assert_msg(o.status == res.status && o.xfault == res.xfault &&
			      (res.status != IMS_DMA_OK || o.pa == res.pa),
		      "dma %u: dev %u pasid 0x%x iova 0x%llx %s: model %d/%d pa 0x%llx "
		      "(fault 0x%x, iotlb %d), oracle %d/%d pa 0x%llx",
		      t->dmas, d, pasid, (unsigned long long)iova, access == IMS_ACC_READ ? "R" : "W",
		      res.status, res.xfault, (unsigned long long)res.pa, res.fault, res.iotlb_hit,
		      o.status, o.xfault, (unsigned long long)o.pa);
	t->dmas++;
	if (res.status == IMS_DMA_OK)
		t->ok++;
	else
		t->faults++;
}

static void op_dma(struct rnd *t)
{
	unsigned d = (unsigned)rn(t, NDEV);
	uint32_t pasid = d && rn(t, 3) == 0 ? 1 + (uint32_t)rn(t, 5) : NOP;
	unsigned access = rn(t, 2) ? IMS_ACC_READ : IMS_ACC_WRITE;

	check_dma(t, d, pasid, pick_iova(t), access);
}

static void run(struct ims_vtd_cfg *cfg, uint64_t seed, unsigned steps)
{
	struct rnd t;

	setup(&t, cfg, seed);
	for (unsigned s = 0; s < steps; s++) {
		unsigned what = (unsigned)rn(&t, 10);
		if (what < 3)
			op_map(&t);
		else if (what < 5)
			op_unmap(&t);
		else if (what < 7)
			op_attach(&t);
		/* Several DMAs after every step: cached translations get
		 * reused across changes. */
		for (unsigned i = 0; i < 4; i++)
			op_dma(&t);
	}
	/* Both outcomes happened, so the comparison meant something. */
	ck_assert_uint_gt(t.ok, steps / 8);
	ck_assert_uint_gt(t.faults, steps / 8);
	ck_assert_uint_eq(t.ctx->internal_errors, 0);
	ck_assert_uint_eq(ims_vtd_drv_stats(ims_ctx_model_inst(t.ctx), 0)->qi_errors, 0);
	ck_assert_uint_eq(ims_vtd_drv_stats(ims_ctx_model_inst(t.ctx), 0)->qi_wait_lost, 0);
	ims_ctx_free(t.ctx);
}

static void variant(const char *const *sets, bool cm, unsigned seeds, unsigned steps)
{
	struct ims_vtd_cfg cfg;
	char err[160], key[64];

	for (unsigned i = 0; i < seeds; i++) {
		ims_vtd_model.cfg_init(&cfg);
		for (const char *const *p = sets; p && *p; p++) {
			const char *eq = strchr(*p, '=');
			snprintf(key, sizeof(key), "%.*s", (int)(eq - *p), *p);
			ck_assert_msg(ims_vtd_model.cfg_set(&cfg, key, eq + 1, err, sizeof(err)) == 0,
				      "%s", err);
		}
		if (cm)
			cfg.hw.cap |= VTD_CAP_CM;
		run(&cfg, ims_test_seed(0x5EED0000ull) + i, steps);
	}
}

START_TEST(scalable_second_stage_agrees_with_the_oracle)
{
	variant(NULL, false, 4, 400);
}
END_TEST

START_TEST(small_caches_evict_and_still_agree)
{
	static const char *const sets[] = {
		"iotlb_entries=4", "fs_psc_entries=2", "ss_psc_entries=2", "ctx_cache_entries=2",
		"pasid_cache_entries=2", NULL,
	};
	variant(sets, false, 3, 400);
}
END_TEST

START_TEST(first_stage_paging_agrees_with_the_oracle)
{
	static const char *const sets[] = { "paging=fs", NULL };
	variant(sets, false, 3, 400);
}
END_TEST

START_TEST(legacy_mode_agrees_with_the_oracle)
{
	static const char *const sets[] = { "mode=legacy", NULL };
	variant(sets, false, 3, 400);
}
END_TEST

START_TEST(caching_mode_and_two_units_agree_with_the_oracle)
{
	static const char *const sets[] = { "units=2", NULL };
	variant(sets, true, 3, 400);
}
END_TEST

/* ---- nested: guest first-stage tables over a changing stage 2 ----------------
 * Guest RAM is GPA [GRAM, GRAM + 64 MiB), mapped by stage 2 in sixteen 4 MiB
 * areas onto the same host addresses; the guest builds two x86-64 tables
 * (two address spaces) with sim/pt's mapper from the lower half and maps
 * guest IOVAs onto data pages in the upper half.  It invalidates after every
 * unmap, as a guest must; the VMM unmaps and maps stage-2 areas under it. */
#define GRAM 0xA0000000ull
#define GAREA (4ull << 20)
#define NGAREA 16
#define NNEST 2

struct gmap {
	uint64_t iova, len;
};

struct nrnd {
	struct rnd r;
	struct ims_palloc gp;
	struct ims_pt_fmt gf;
	uint32_t parent, nested[NNEST];
	uint64_t groot[NNEST];
	struct gmap gm[NNEST][MAXA];
	unsigned ngm[NNEST];
	bool s2[NGAREA];
	uint32_t att[NDEV][6]; /* what (dev, slot) is attached to; slot 0 = RID */
};

static void n_setup(struct nrnd *t, uint64_t seed)
{
	struct ims_vtd_cfg cfg;
	struct ims_pt_x86_cfg xc = { .levels = 4, .oas = 52, .pg1g = true,
				     .flags = IMS_PT_F_SIGN_EXTEND };

	ims_vtd_model.cfg_init(&cfg);
	setup(&t->r, &cfg, seed);
	ck_assert_int_eq(ims_pt_fmt_x86_64(&t->gf, &xc), 0);
	ck_assert_int_eq(ims_palloc_init(&t->gp, ims_ctx_mem(t->r.ctx), GRAM, NGAREA * GAREA / 2),
			 0);
	struct ims_hwpt_alloc h = {
		.size = sizeof(h), .dev_id = t->r.dev[1], .pt_id = t->r.ioas[0],
		.flags = IMS_HWPT_ALLOC_NEST_PARENT,
	};
	ck_assert_int_eq(ims_hwpt_alloc(t->r.ctx, &h), 0);
	t->parent = h.out_hwpt_id;
	for (unsigned i = 0; i < NGAREA; i++) {
		struct ims_ioas_map m = {
			.size = sizeof(m), .ioas_id = t->r.ioas[0], .user_va = GRAM + i * GAREA,
			.iova = GRAM + i * GAREA, .length = GAREA,
			.flags = IMS_IOAS_MAP_FIXED_IOVA | IMS_IOAS_MAP_READABLE |
				 IMS_IOAS_MAP_WRITEABLE,
		};
		ck_assert_int_eq(ims_ioas_map(t->r.ctx, &m), 0);
		t->s2[i] = true;
	}
	for (unsigned n = 0; n < NNEST; n++) {
		ck_assert_int_eq(ims_pt_alloc_root(&t->gf, &t->gp, &t->groot[n]), 0);
		struct ims_hwpt_vtd_s1 s1 = { .pgtbl_addr = t->groot[n], .addr_width = 48 };
		struct ims_hwpt_alloc hn = {
			.size = sizeof(hn), .dev_id = t->r.dev[1], .pt_id = t->parent,
			.flags = IMS_HWPT_ALLOC_PASID, .data_type = IMS_HWPT_DATA_VTD_S1,
			.data_len = sizeof(s1), .data_uptr = (uint64_t)(uintptr_t)&s1,
		};
		ck_assert_int_eq(ims_hwpt_alloc(t->r.ctx, &hn), 0);
		t->nested[n] = hn.out_hwpt_id;
	}
}

static void g_map(struct nrnd *t)
{
	unsigned n = (unsigned)rn(&t->r, NNEST);
	uint64_t len = (1 + rn(&t->r, 8)) << 12;
	uint64_t iova = rn(&t->r, WINDOW >> 12) << 12;
	uint64_t gpa = GRAM + NGAREA * GAREA / 2 + (rn(&t->r, (NGAREA * GAREA / 2) >> 12) << 12);
	unsigned prot = IMS_PT_PROT_R | (rn(&t->r, 3) ? IMS_PT_PROT_W : 0);

	if (t->ngm[n] == MAXA || gpa + len > GRAM + NGAREA * GAREA)
		return;
	int rc = ims_pt_map(&t->gf, ims_ctx_mem(t->r.ctx), &t->gp, t->groot[n], iova, gpa, len,
			    prot);
	ck_assert_msg(rc == 0 || rc == -EEXIST, "guest map rc %d", rc);
	if (!rc)
		t->gm[n][t->ngm[n]++] = (struct gmap){ iova, len };
}

static void g_unmap(struct nrnd *t)
{
	unsigned n = (unsigned)rn(&t->r, NNEST);
	uint64_t done = 0;

	if (!t->ngm[n])
		return;
	unsigned i = (unsigned)rn(&t->r, t->ngm[n]);
	struct gmap g = t->gm[n][i];
	ck_assert_int_eq(ims_pt_unmap(&t->gf, ims_ctx_mem(t->r.ctx), &t->gp, t->groot[n], g.iova,
				      g.len, &done), 0);
	t->gm[n][i] = t->gm[n][--t->ngm[n]];
	/* The guest's invalidation (tables may have gone: not leaf-only);
	 * sometimes everything at once. */
	struct ims_hwpt_vtd_s1_invalidate e = { .addr = g.iova, .npages = g.len >> 12 };
	if (rn(&t->r, 8) == 0)
		e = (struct ims_hwpt_vtd_s1_invalidate){ .addr = 0, .npages = UINT64_MAX };
	struct ims_hwpt_invalidate c = {
		.size = sizeof(c), .hwpt_id = t->nested[n], .data_uptr = (uint64_t)(uintptr_t)&e,
		.data_type = IMS_HWPT_INVALIDATE_DATA_VTD_S1, .entry_len = sizeof(e), .entry_num = 1,
	};
	ck_assert_int_eq(ims_hwpt_invalidate(t->r.ctx, &c), 0);
	ck_assert_uint_eq(c.entry_num, 1);
}

static void s2_flip(struct nrnd *t)
{
	/* Mostly data areas; now and then one holding guest tables (every
	 * walk through it then faults until it comes back).  An area taken
	 * away tends to come back soon. */
	unsigned i = (unsigned)rn(&t->r, NGAREA / 2) + (rn(&t->r, 8) ? NGAREA / 2 : 0);
	for (unsigned k = 0; k < NGAREA && rn(&t->r, 3); k++)
		if (!t->s2[k]) {
			i = k;
			break;
		}

	if (t->s2[i]) {
		struct ims_ioas_unmap u = { .size = sizeof(u), .ioas_id = t->r.ioas[0],
					    .iova = GRAM + i * GAREA, .length = GAREA };
		ck_assert_int_eq(ims_ioas_unmap(t->r.ctx, &u), 0);
	} else {
		struct ims_ioas_map m = {
			.size = sizeof(m), .ioas_id = t->r.ioas[0], .user_va = GRAM + i * GAREA,
			.iova = GRAM + i * GAREA, .length = GAREA,
			/* Guest tables stay writable: the unit sets A/D in
			 * them and needs stage-2 write for that (SFS.8),
			 * which the oracle does not model (it assumes A/D
			 * updates succeed).  Data pages may turn read-only. */
			.flags = IMS_IOAS_MAP_FIXED_IOVA | IMS_IOAS_MAP_READABLE |
				 (i < NGAREA / 2 || rn(&t->r, 4) ? IMS_IOAS_MAP_WRITEABLE : 0),
		};
		ck_assert_int_eq(ims_ioas_map(t->r.ctx, &m), 0);
	}
	t->s2[i] = !t->s2[i];
}

static void n_attach(struct nrnd *t)
{
	unsigned d = 1 + (unsigned)rn(&t->r, NDEV - 1);
	uint32_t pasid = rn(&t->r, 2) ? 1 + (uint32_t)rn(&t->r, 5) : NOP;
	bool *on = pasid == NOP ? &t->r.rid[d] : &t->r.pasid[d][pasid];
	uint32_t flags = pasid == NOP ? 0 : IMS_DEVICE_ATTACH_PASID;
	uint32_t pt = rn(&t->r, 4) ? t->nested[rn(&t->r, NNEST)] : t->parent;
	struct ims_device_attach a = {
		.size = sizeof(a), .flags = flags, .dev_id = t->r.dev[d], .pt_id = pt,
		.pasid = pasid == NOP ? 0 : pasid,
	};
	int rc = *on ? ims_device_replace(t->r.ctx, &a) : ims_device_attach(t->r.ctx, &a);

	ck_assert_msg(rc == 0 || rc == -EINVAL, "attach rc %d", rc);
	if (!rc) {
		*on = true;
		t->att[d][pasid == NOP ? 0 : pasid] = pt;
	}
}

/* A DMA at a guest IOVA the guest mapped (mostly, and mostly through an
 * attachment of that guest table), or anywhere. */
static void n_dma(struct nrnd *t)
{
	unsigned n = (unsigned)rn(&t->r, NNEST);

	if (!t->ngm[n] || !rn(&t->r, 4)) {
		op_dma(&t->r);
		return;
	}
	const struct gmap *g = &t->gm[n][rn(&t->r, t->ngm[n])];
	unsigned d = 1 + (unsigned)rn(&t->r, NDEV - 1);
	uint32_t pasid = rn(&t->r, 2) ? 1 + (uint32_t)rn(&t->r, 5) : NOP;
	for (unsigned k = 0; k < (NDEV - 1) * 6 && rn(&t->r, 4); k++) {
		unsigned dd = 1 + k / 6, slot = k % 6;
		if (t->att[dd][slot] == t->nested[n]) {
			d = dd;
			pasid = slot ? slot : NOP;
			break;
		}
	}
	uint64_t iova = g->iova + (rn(&t->r, g->len >> 12) << 12) + (rn(&t->r, 512) << 3);
	check_dma(&t->r, d, pasid, iova, rn(&t->r, 2) ? IMS_ACC_READ : IMS_ACC_WRITE);
}

START_TEST(nested_guest_tables_agree_with_the_oracle)
{
	for (unsigned seed = 0; seed < 3; seed++) {
		struct nrnd t;
		memset(&t, 0, sizeof(t));
		n_setup(&t, ims_test_seed(0xBEEF0000ull) + seed);
		for (unsigned s = 0; s < 500; s++) {
			unsigned what = (unsigned)rn(&t.r, 10);
			if (what < 3)
				g_map(&t);
			else if (what < 5)
				g_unmap(&t);
			else if (what < 6)
				s2_flip(&t);
			else if (what < 8)
				n_attach(&t);
			for (unsigned i = 0; i < 4; i++)
				n_dma(&t);
		}
		ck_assert_uint_gt(t.r.ok, 50);
		ck_assert_uint_gt(t.r.faults, 50);
		ck_assert_uint_eq(t.r.ctx->internal_errors, 0);
		ims_ctx_free(t.r.ctx);
		ims_palloc_fini(&t.gp);
	}
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("vtd_drv_random");
	TCase *tc = tcase_create("oracle");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, scalable_second_stage_agrees_with_the_oracle);
	tcase_add_test(tc, small_caches_evict_and_still_agree);
	tcase_add_test(tc, first_stage_paging_agrees_with_the_oracle);
	tcase_add_test(tc, legacy_mode_agrees_with_the_oracle);
	tcase_add_test(tc, caching_mode_and_two_units_agree_with_the_oracle);
	tcase_add_test(tc, nested_guest_tables_agree_with_the_oracle);
	suite_add_tcase(s, tc);
	return s;
}
