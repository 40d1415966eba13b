/* SPDX-License-Identifier: MIT */
/*
 * Randomized property tests of the generic mapper and walker, for every
 * format: thousands of random map/unmap operations (fixed seeds) are applied
 * both to real tables and to a reference interval map, and then every page
 * of the window is translated by the walker and compared with the reference:
 * output address, rights, and "not present" for holes.  The mapper's return
 * values (EEXIST, bytes unmapped) are checked too, and at the end every table
 * page must be back in the allocator.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pt.h"
#include "tests/unit/tharness.h"

/* ---- reference: sorted, non-overlapping intervals ---------------------- */
struct ival {
	uint64_t iova, len, pa;
	unsigned prot;
};
struct ref {
	struct ival *v;
	size_t n, cap;
};

static void ref_insert(struct ref *r, struct ival x)
{
	size_t i = 0;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		ck_assert_ptr_nonnull(r->v);
	}
	while (i < r->n && r->v[i].iova < x.iova)
		i++;
	memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
	r->v[i] = x;
	r->n++;
}

static bool ref_overlaps(const struct ref *r, uint64_t iova, uint64_t len)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].iova < iova + len && iova < r->v[i].iova + r->v[i].len)
			return true;
	return false;
}

/* Removes [iova, iova+len) from the map; returns bytes removed. */
static uint64_t ref_remove(struct ref *r, uint64_t iova, uint64_t len)
{
	uint64_t end = iova + len, removed = 0;
	struct ref out = { 0 };

	for (size_t i = 0; i < r->n; i++) {
		struct ival a = r->v[i];
		uint64_t aend = a.iova + a.len;
		if (aend <= iova || a.iova >= end) {
			ref_insert(&out, a);
			continue;
		}
		if (a.iova < iova)
			ref_insert(&out, (struct ival){ a.iova, iova - a.iova, a.pa, a.prot });
		if (aend > end)
			ref_insert(&out, (struct ival){ end, aend - end, a.pa + (end - a.iova), a.prot });
		removed += (aend < end ? aend : end) - (a.iova > iova ? a.iova : iova);
	}
	free(r->v);
	*r = out;
	return removed;
}

static const struct ival *ref_find(const struct ref *r, uint64_t iova)
{
	for (size_t i = 0; i < r->n; i++)
		if (iova >= r->v[i].iova && iova < r->v[i].iova + r->v[i].len)
			return &r->v[i];
	return NULL;
}

/* ---- the formats under test -------------------------------------------- */
struct variant {
	const char *name;
	int (*make)(struct ims_pt_fmt *f);
	uint64_t window; /* IOVA window base */
	uint64_t wsize;  /* its size (power of two) */
	unsigned granule_shift;
	uint64_t maxlen; /* longest single map */
};

static int mk_x86_4(struct ims_pt_fmt *f)
{
	struct ims_pt_x86_cfg c = { .levels = 4, .oas = 46, .pg1g = true,
				    .flags = IMS_PT_F_SIGN_EXTEND };
	return ims_pt_fmt_x86_64(f, &c);
}
static int mk_x86_5(struct ims_pt_fmt *f)
{
	struct ims_pt_x86_cfg c = { .levels = 5, .oas = 52, .pg1g = true,
				    .flags = IMS_PT_F_SIGN_EXTEND };
	return ims_pt_fmt_x86_64(f, &c);
}
static int mk_x86_4_no1g(struct ims_pt_fmt *f)
{
	struct ims_pt_x86_cfg c = { .levels = 4, .oas = 39, .pg1g = false,
				    .flags = IMS_PT_F_SIGN_EXTEND };
	return ims_pt_fmt_x86_64(f, &c);
}
static int mk_vtdss_3(struct ims_pt_fmt *f)
{
	struct ims_pt_vtdss_cfg c = { .levels = 3, .mgaw = 48, .oas = 46, .pg2m = true, .pg1g = true };
	return ims_pt_fmt_vtd_ss(f, &c);
}
static int mk_vtdss_4(struct ims_pt_fmt *f)
{
	struct ims_pt_vtdss_cfg c = { .levels = 4, .mgaw = 48, .oas = 46, .pg2m = true, .pg1g = true };
	return ims_pt_fmt_vtd_ss(f, &c);
}
static int mk_vtdss_5(struct ims_pt_fmt *f)
{
	struct ims_pt_vtdss_cfg c = { .levels = 5, .mgaw = 57, .oas = 52, .pg2m = true, .pg1g = false };
	return ims_pt_fmt_vtd_ss(f, &c);
}
static int mk_amd_3(struct ims_pt_fmt *f)
{
	struct ims_pt_amdv1_cfg c = { .mode = 3, .oas = 48 };
	return ims_pt_fmt_amdv1(f, &c);
}
static int mk_amd_4(struct ims_pt_fmt *f)
{
	struct ims_pt_amdv1_cfg c = { .mode = 4, .oas = 48 };
	return ims_pt_fmt_amdv1(f, &c);
}
static int mk_amd_6(struct ims_pt_fmt *f)
{
	struct ims_pt_amdv1_cfg c = { .mode = 6, .oas = 52 };
	return ims_pt_fmt_amdv1(f, &c);
}
static int mk_arm_s1_4k(struct ims_pt_fmt *f)
{
	struct ims_pt_arm_cfg c = { .stage = 1, .granule_shift = 12, .tsz = 16, .oas = 48 };
	return ims_pt_fmt_arm(f, &c);
}
static int mk_arm_s1_4k_ttb1(struct ims_pt_fmt *f)
{
	struct ims_pt_arm_cfg c = { .stage = 1, .granule_shift = 12, .tsz = 25, .oas = 40,
				    .flags = IMS_PT_F_TTB1 };
	return ims_pt_fmt_arm(f, &c);
}
static int mk_arm_s1_16k(struct ims_pt_fmt *f)
{
	struct ims_pt_arm_cfg c = { .stage = 1, .granule_shift = 14, .tsz = 17, .oas = 48 };
	return ims_pt_fmt_arm(f, &c);
}
static int mk_arm_s1_64k(struct ims_pt_fmt *f)
{
	struct ims_pt_arm_cfg c = { .stage = 1, .granule_shift = 16, .tsz = 16, .oas = 48 };
	return ims_pt_fmt_arm(f, &c);
}
static int mk_arm_s2_4k_concat(struct ims_pt_fmt *f)
{
	/* IA 40 bits starting at level 1: two concatenated level-1 tables. */
	struct ims_pt_arm_cfg c = { .stage = 2, .granule_shift = 12, .tsz = 24, .sl0 = 1, .oas = 44 };
	return ims_pt_fmt_arm(f, &c);
}
static int mk_arm_s2_64k(struct ims_pt_fmt *f)
{
	struct ims_pt_arm_cfg c = { .stage = 2, .granule_shift = 16, .tsz = 22, .sl0 = 1, .oas = 48 };
	return ims_pt_fmt_arm(f, &c);
}

#define MB (1ull << 20)
#define GB (1ull << 30)
static const struct variant variants[] = {
	{ "x86-4", mk_x86_4, 0x7ffe00000000ull, 8 * GB, 12, 1 * GB + 8 * MB },
	{ "x86-4 upper half", mk_x86_4, 0xffff800000000000ull, 8 * GB, 12, 1 * GB + 8 * MB },
	{ "x86-5", mk_x86_5, 0x00ff000000000000ull, 8 * GB, 12, 1 * GB + 8 * MB },
	{ "x86-4 no 1G", mk_x86_4_no1g, 0x40000000ull, 4 * GB, 12, 1 * GB },
	{ "vtd-ss-3", mk_vtdss_3, 0x7000000000ull, 8 * GB, 12, 1 * GB + 8 * MB },
	{ "vtd-ss-4", mk_vtdss_4, 0x0000ff0000000000ull, 8 * GB, 12, 1 * GB + 8 * MB },
	{ "vtd-ss-5", mk_vtdss_5, 0x01ff000000000000ull, 4 * GB, 12, 256 * MB },
	{ "amdv1-3", mk_amd_3, 0, 64 * GB, 12, 1 * GB + 8 * MB },
	{ "amdv1-4", mk_amd_4, 0x100000000ull, 8 * GB, 12, 1 * GB + 8 * MB },
	{ "amdv1-6", mk_amd_6, 0xfff0000000000000ull, 8 * GB, 12, 1 * GB + 8 * MB },
	{ "arm-s1-4k", mk_arm_s1_4k, 0x0000800000000000ull - 8 * GB, 8 * GB, 12, 1 * GB + 8 * MB },
	{ "arm-s1-4k-ttb1", mk_arm_s1_4k_ttb1, 0xffffff8000000000ull, 8 * GB, 12, 1 * GB + 8 * MB },
	{ "arm-s1-16k", mk_arm_s1_16k, 0x10000000000ull, 8 * GB, 14, 256 * MB },
	{ "arm-s1-64k", mk_arm_s1_64k, 0x20000000000ull, 64 * GB, 16, 1 * GB },
	{ "arm-s2-4k-concat", mk_arm_s2_4k_concat, 0xff00000000ull, 4 * GB, 12, 1 * GB + 8 * MB },
	{ "arm-s2-64k", mk_arm_s2_64k, 0x100000000ull, 64 * GB, 16, 1 * GB },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

#define POOL_BASE (1ull << 38)
#define PA_MASK ((1ull << 37) - 1)

struct world {
	struct ims_pt_fmt f;
	struct ims_mem *m;
	struct ims_palloc p;
	uint64_t root;
	struct ref ref;
};

static void world_init(struct world *w, const struct variant *v, uint64_t pool)
{
	memset(w, 0, sizeof(*w));
	ck_assert_int_eq(v->make(&w->f), 0);
	w->m = ims_mem_new();
	ck_assert_ptr_nonnull(w->m);
	/* Table pages live at [2^38, 2^38 + pool), below every format's output
	 * size and above the output addresses the tests map to. */
	ck_assert_int_eq(ims_palloc_init(&w->p, w->m, POOL_BASE, pool), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&w->f, &w->p, &w->root), 0);
}

static void world_fini(struct world *w)
{
	uint64_t un = 0;
	/* Unmapping everything frees every table but the root. */
	while (w->ref.n) {
		struct ival a = w->ref.v[0];
		ck_assert_int_eq(ims_pt_unmap(&w->f, w->m, &w->p, w->root, a.iova, a.len, &un), 0);
		ck_assert_u64_eq(un, a.len);
		ref_remove(&w->ref, a.iova, a.len);
	}
	ck_assert_u64_eq(w->p.in_use_bytes, ims_pt_table_bytes(&w->f, w->f.top_level) < 4096
						    ? 4096
						    : ims_pt_table_bytes(&w->f, w->f.top_level));
	ims_pt_free(&w->f, w->m, &w->p, w->root);
	ck_assert_u64_eq(w->p.in_use_bytes, 0);
	ims_palloc_fini(&w->p);
	ims_mem_free(w->m);
	free(w->ref.v);
}

static unsigned prot_of(uint64_t r)
{
	return (r & 1) ? (IMS_PT_PROT_R | IMS_PT_PROT_W) : IMS_PT_PROT_R;
}

/* Checks one address against the reference. */
static void check_addr(struct world *w, const struct variant *v, uint64_t iova)
{
	const struct ival *a = ref_find(&w->ref, iova);
	struct ims_pt_walk wk;
	enum ims_pt_fault fr;

	if (iova - v->window >= v->wsize)
		return; /* edge probes outside the window: maybe outside the input range */
	fr = ims_pt_translate(&w->f, w->m, w->root, iova, IMS_PT_ACC_R, &wk);

	if (!a) {
		ck_assert_msg(fr == IMS_PT_FAULT_NOT_PRESENT, "%s: 0x%" PRIx64 " should be unmapped, got %s",
			      v->name, iova, ims_pt_fault_name(fr));
		return;
	}
	ck_assert_msg(fr == IMS_PT_OK, "%s: 0x%" PRIx64 " should map, got %s at level %d", v->name,
		      iova, ims_pt_fault_name(fr), wk.level);
	ck_assert_msg(wk.oa == a->pa + (iova - a->iova), "%s: 0x%" PRIx64 " -> 0x%" PRIx64
		      ", want 0x%" PRIx64, v->name, iova, wk.oa, a->pa + (iova - a->iova));
	/* The leaf never reaches outside the mapped interval. */
	{
		uint64_t sz = 1ull << wk.run_shift;
		uint64_t base = iova & ~(sz - 1);
		ck_assert_msg(base >= a->iova && base + sz <= a->iova + a->len,
			      "%s: leaf 2^%u at 0x%" PRIx64 " exceeds its mapping", v->name,
			      wk.run_shift, iova);
	}
	fr = ims_pt_translate(&w->f, w->m, w->root, iova, IMS_PT_ACC_W, &wk);
	if (a->prot & IMS_PT_PROT_W)
		ck_assert_msg(fr == IMS_PT_OK, "%s: write to rw 0x%" PRIx64 ": %s", v->name, iova,
			      ims_pt_fault_name(fr));
	else
		ck_assert_msg(fr == IMS_PT_FAULT_PERMISSION, "%s: write to ro 0x%" PRIx64 ": %s",
			      v->name, iova, ims_pt_fault_name(fr));
}

/* Random aligned length: mostly small, sometimes large-page sized. */
static uint64_t rand_len(uint64_t *s, const struct variant *v)
{
	uint64_t g = 1ull << v->granule_shift;
	uint64_t r = ims_test_rand(s);
	uint64_t len;

	switch (r % 8) {
	case 0: len = (1 + (r >> 8) % 4) * g; break;
	case 1: len = (1 + (r >> 8) % 64) * g; break;
	case 2: len = 2 * MB * (1 + (r >> 8) % 4); break;
	case 3: len = 64 * 1024 * (1 + (r >> 8) % 8); break;
	case 4: len = GB; break;
	case 5: len = 32 * MB * (1 + (r >> 8) % 4); break;
	case 6: len = 512 * MB; break;
	default: len = (1 + (r >> 8) % 512) * g; break;
	}
	len = (len + g - 1) & ~(g - 1);
	if (len > v->maxlen)
		len = v->maxlen & ~(g - 1);
	return len;
}

/* Random iova in the window aligned to a random large size. */
static uint64_t rand_iova(uint64_t *s, const struct variant *v, uint64_t len)
{
	static const uint64_t aligns[] = { 0, 64 * 1024, 2 * MB, 32 * MB, 512 * MB, GB };
	uint64_t g = 1ull << v->granule_shift;
	uint64_t r = ims_test_rand(s);
	uint64_t al = aligns[r % 6];
	uint64_t off;

	if (al < g)
		al = g;
	if (len >= v->wsize)
		return v->window;
	off = (ims_test_rand(s) % (v->wsize - len)) & ~(al - 1);
	return v->window + off;
}

static void run_variant(const struct variant *v, uint64_t seed, unsigned ops)
{
	struct world w;
	uint64_t s = seed;
	unsigned maps = 0, eexist = 0, unmaps = 0;

	world_init(&w, v, 1ull << 34);
	for (unsigned i = 0; i < ops; i++) {
		uint64_t r = ims_test_rand(&s);
		uint64_t len = rand_len(&s, v);
		uint64_t iova = rand_iova(&s, v, len);

		if (r % 3 != 0) {
			/* pa keeps the iova's low bits often, so large leaves fit. */
			uint64_t delta = (ims_test_rand(&s) % 64) << ((r >> 8) % 2 ? 30 : v->granule_shift);
			uint64_t pa = ((iova & PA_MASK) + delta) & PA_MASK;
			unsigned prot = prot_of(r >> 16);
			int want = ref_overlaps(&w.ref, iova, len) ? -EEXIST : 0;
			int rc = ims_pt_map(&w.f, w.m, &w.p, w.root, iova, pa, len, prot);

			ck_assert_msg(rc == want, "%s op %u: map 0x%" PRIx64 "+0x%" PRIx64 " = %d, want %d",
				      v->name, i, iova, len, rc, want);
			if (rc == 0) {
				ref_insert(&w.ref, (struct ival){ iova, len, pa, prot });
				maps++;
			} else {
				eexist++;
			}
		} else {
			uint64_t un = 0, want = ref_remove(&w.ref, iova, len);
			ck_assert_int_eq(ims_pt_unmap(&w.f, w.m, &w.p, w.root, iova, len, &un), 0);
			ck_assert_msg(un == want, "%s op %u: unmap 0x%" PRIx64 "+0x%" PRIx64
				      " reported 0x%" PRIx64 ", want 0x%" PRIx64, v->name, i, iova, len,
				      un, want);
			unmaps++;
		}
		/* Probe interval edges and random addresses after every operation. */
		for (size_t k = 0; k < w.ref.n && k < 8; k++) {
			const struct ival *a = &w.ref.v[(ims_test_rand(&s)) % w.ref.n];
			uint64_t g = 1ull << v->granule_shift;
			check_addr(&w, v, a->iova);
			check_addr(&w, v, a->iova + a->len - g);
			check_addr(&w, v, a->iova - g);
			check_addr(&w, v, a->iova + a->len);
		}
		for (int k = 0; k < 4; k++)
			check_addr(&w, v, v->window + ((ims_test_rand(&s) % v->wsize) & ~((1ull << v->granule_shift) - 1)));
	}
	/* The whole window, page by page, in a fine-grained final check of the
	 * first 64 MiB, and every 2 MiB beyond. */
	for (uint64_t a = 0; a < v->wsize; a += (a < 64 * MB ? (1ull << v->granule_shift) : 2 * MB))
		check_addr(&w, v, v->window + a);
	ck_assert_msg(maps > ops / 8 && unmaps > ops / 8, "%s: too few operations took effect", v->name);
	(void)eexist;
	world_fini(&w);
}

START_TEST(random_map_unmap_matches_reference)
{
	const struct variant *v = &variants[_i];
	run_variant(v, ims_test_seed(0x5eed0000u + (uint64_t)_i), 1500);
}
END_TEST

/* A small dense window: maps and unmaps of a few pages with every alignment,
 * so splits of runs and large leaves happen constantly. */
START_TEST(dense_small_window_splits)
{
	const struct variant *v = &variants[_i];
	struct world w;
	uint64_t g = 1ull << v->granule_shift;
	uint64_t win = 4096 * g; /* 16 MiB at 4K */
	uint64_t s = ims_test_seed(0xd0e5ull + (uint64_t)_i);
	uint64_t base = v->window;

	world_init(&w, v, 1ull << 34);
	for (unsigned i = 0; i < 2000; i++) {
		uint64_t r = ims_test_rand(&s);
		uint64_t len = g * (1 + ims_test_rand(&s) % (r % 4 == 0 ? 1024 : 32));
		uint64_t iova = base + (ims_test_rand(&s) % (win / g - len / g + 1)) * g;

		if (r % 2) {
			uint64_t pa = 0x100000000ull + (iova - base) + ((r >> 8) % 3 ? 0 : g);
			unsigned prot = prot_of(r >> 20);
			int want = ref_overlaps(&w.ref, iova, len) ? -EEXIST : 0;
			ck_assert_int_eq(ims_pt_map(&w.f, w.m, &w.p, w.root, iova, pa, len, prot), want);
			if (!want)
				ref_insert(&w.ref, (struct ival){ iova, len, pa, prot });
		} else {
			uint64_t un = 0, want = ref_remove(&w.ref, iova, len);
			ck_assert_int_eq(ims_pt_unmap(&w.f, w.m, &w.p, w.root, iova, len, &un), 0);
			ck_assert_u64_eq(un, want);
		}
		if (i % 100 == 99)
			for (uint64_t a = 0; a < win; a += g)
				check_addr(&w, v, base + a);
	}
	world_fini(&w);
}
END_TEST

/* When the allocator runs dry part-way, map fails with ENOMEM and leaves
 * exactly the previous translations. */
START_TEST(enomem_leaves_state_unchanged)
{
	const struct variant *v = &variants[_i];
	struct world w;
	uint64_t g = 1ull << v->granule_shift;
	uint64_t tbytes, span1, before, len, iova;

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(v->make(&w.f), 0);
	tbytes = ims_pt_table_bytes(&w.f, 0) < 4096 ? 4096 : ims_pt_table_bytes(&w.f, 0);
	span1 = 1ull << (w.f.shift[0] + w.f.bits[0]); /* what one leaf table covers */
	w.m = ims_mem_new();
	ck_assert_int_eq(ims_palloc_init(&w.p, w.m, POOL_BASE, 1ull << 30), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&w.f, &w.p, &w.root), 0);
	/* One page mapped first; its tables stay. */
	ck_assert_int_eq(ims_pt_map(&w.f, w.m, &w.p, w.root, v->window, 0x200000000ull, g,
				    IMS_PT_PROT_R), 0);
	ref_insert(&w.ref, (struct ival){ v->window, g, 0x200000000ull, IMS_PT_PROT_R });
	/* Exhaust the pool but for two tables. */
	w.p.limit = w.p.next + 2 * tbytes;
	for (unsigned o = 0; o <= IMS_PALLOC_MAX_ORDER; o++)
		w.p.nfree[o] = 0;
	before = w.p.in_use_bytes;
	/* Pages (pa off by one page so no large leaf fits) across 8 leaf tables. */
	iova = v->window + span1;
	len = 8 * span1;
	ck_assert_int_eq(ims_pt_map(&w.f, w.m, &w.p, w.root, iova, 0x300000000ull + g, len,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), -ENOMEM);
	ck_assert_u64_eq(w.p.in_use_bytes, before);
	check_addr(&w, v, v->window);
	for (uint64_t a = iova; a < iova + len; a += span1 / 4)
		check_addr(&w, v, a);
	free(w.ref.v);
	ims_palloc_fini(&w.p);
	ims_mem_free(w.m);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("pt_prop");
	TCase *tc = tcase_create("random");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, random_map_unmap_matches_reference, 0, NVARIANTS);
	tcase_add_loop_test(tc, dense_small_window_splits, 0, NVARIANTS);
	tcase_add_loop_test(tc, enomem_leaves_state_unchanged, 0, NVARIANTS);
	suite_add_tcase(s, tc);
	return s;
}
