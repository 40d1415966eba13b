/* SPDX-License-Identifier: MIT */
/*
 * The generic mapper's contract, independent of format: argument errors,
 * EEXIST without side effects, largest-leaf choice, ims_pt_fmt_limit, and the
 * walk printer the CLI uses.  Runs on every catalog format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pt.h"
#include "tests/unit/tharness.h"

#define POOL (1ull << 38)

struct env {
	struct ims_pt_fmt f;
	struct ims_mem *m;
	struct ims_palloc p;
	uint64_t root, g, base;
};

static void env_init(struct env *e, unsigned i)
{
	ck_assert_int_eq(ims_pt_catalog[i].make(&e->f), 0);
	e->m = ims_mem_new();
	ck_assert_int_eq(ims_palloc_init(&e->p, e->m, POOL, 1ull << 30), 0);
	ck_assert_int_eq(ims_pt_alloc_root(&e->f, &e->p, &e->root), 0);
	e->g = 1ull << e->f.shift[0];
	e->base = 1ull << 32;
	if (e->f.flags & IMS_PT_F_TTB1)
		e->base |= ~0ull << e->f.ias;
}

static void env_fini(struct env *e)
{
	ims_pt_free(&e->f, e->m, &e->p, e->root);
	ck_assert_u64_eq(e->p.in_use_bytes, 0);
	ims_palloc_fini(&e->p);
	ims_mem_free(e->m);
}

START_TEST(map_rejects_bad_arguments)
{
	struct env e;
	uint64_t un;

	env_init(&e, (unsigned)_i);
	/* misaligned iova, pa, len; zero length; no rights */
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base + 8, 0, e.g, IMS_PT_PROT_R), -EINVAL);
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base, 8, e.g, IMS_PT_PROT_R), -EINVAL);
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base, 0, e.g + 8, IMS_PT_PROT_R), -EINVAL);
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base, 0, 0, IMS_PT_PROT_R), -EINVAL);
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base, 0, e.g, 0), -EINVAL);
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base, 0, e.g, IMS_PT_PROT_NOEXEC), -EINVAL);
	/* output beyond the output size; range wrapping past 2^64 */
	if (e.f.oas < 64)
		ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base, 1ull << e.f.oas, e.g,
					    IMS_PT_PROT_R), -ERANGE);
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, ~0ull - e.g + 1, 0, 2 * e.g,
				    IMS_PT_PROT_R), -ERANGE);
	/* input beyond the input range */
	if (e.f.ias < 64 && !(e.f.flags & (IMS_PT_F_TTB1 | IMS_PT_F_SIGN_EXTEND)))
		ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, 1ull << e.f.ias, 0, e.g,
					    IMS_PT_PROT_R), -ERANGE);
	if (e.f.flags & IMS_PT_F_SIGN_EXTEND) /* across the canonical hole */
		ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, (1ull << (e.f.ias - 1)) - e.g, 0,
					    2 * e.g, IMS_PT_PROT_R), -ERANGE);
	/* unmap has the same argument rules */
	ck_assert_int_eq(ims_pt_unmap(&e.f, e.m, &e.p, e.root, e.base + 8, e.g, &un), -EINVAL);
	ck_assert_int_eq(ims_pt_unmap(&e.f, e.m, &e.p, e.root, e.base, 0, &un), -EINVAL);
	ck_assert_u64_eq(un, 0);
	/* nothing was allocated by any of that */
	ck_assert_u64_eq(e.p.allocs, 1);
	env_fini(&e);
}
END_TEST

START_TEST(map_overlap_is_eexist_and_changes_nothing)
{
	struct env e;
	struct ims_pt_walk w;
	uint64_t un, used;

	env_init(&e, (unsigned)_i);
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base + 4 * e.g, 0x40000000, e.g,
				    IMS_PT_PROT_R), 0);
	used = e.p.in_use_bytes;
	/* a range around the page, and exactly the page */
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base, 0x50000000, 16 * e.g,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), -EEXIST);
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base + 4 * e.g, 0x50000000, e.g,
				    IMS_PT_PROT_R), -EEXIST);
	ck_assert_u64_eq(e.p.in_use_bytes, used);
	ck_assert_int_eq(ims_pt_translate(&e.f, e.m, e.root, e.base, IMS_PT_ACC_R, &w),
			 IMS_PT_FAULT_NOT_PRESENT);
	ck_assert_int_eq(ims_pt_translate(&e.f, e.m, e.root, e.base + 4 * e.g, IMS_PT_ACC_R, &w),
			 IMS_PT_OK);
	ck_assert_u64_eq(w.oa, 0x40000000);
	/* unmapping a hole reports 0 bytes; the page reports its size */
	ck_assert_int_eq(ims_pt_unmap(&e.f, e.m, &e.p, e.root, e.base, 4 * e.g, &un), 0);
	ck_assert_u64_eq(un, 0);
	ck_assert_int_eq(ims_pt_unmap(&e.f, e.m, &e.p, e.root, e.base, 16 * e.g, &un), 0);
	ck_assert_u64_eq(un, e.g);
	env_fini(&e);
}
END_TEST

/* The mapper uses the largest leaf that fits, and ims_pt_fmt_limit stops it. */
START_TEST(largest_leaf_and_limit)
{
	struct env e;
	struct ims_pt_walk w;
	uint64_t all = 0, un;
	unsigned big = 0;

	env_init(&e, (unsigned)_i);
	for (unsigned l = 0; l <= e.f.top_level; l++)
		all |= e.f.leaf_shifts[l];
	for (unsigned s = 63; s > e.f.shift[0]; s--)
		if ((all & (1ull << s)) && s <= 30) {
			big = s;
			break;
		}
	ck_assert_uint_ne(big, 0);
	{
		uint64_t iova = e.base & ~((1ull << big) - 1);
		uint64_t sz = 1ull << big;

		if (e.f.flags & IMS_PT_F_TTB1)
			iova = (e.base + (1ull << 31)) & ~(sz - 1);
		ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, iova, 1ull << 31, sz, IMS_PT_PROT_R), 0);
		ck_assert_int_eq(ims_pt_translate(&e.f, e.m, e.root, iova + sz - e.g, IMS_PT_ACC_R, &w), IMS_PT_OK);
		ck_assert_uint_eq(w.run_shift, big);
		ck_assert_int_eq(ims_pt_unmap(&e.f, e.m, &e.p, e.root, iova, sz, &un), 0);
		ck_assert_u64_eq(un, sz);

		/* Limited to the smallest page: the same range is all small leaves. */
		ims_pt_fmt_limit(&e.f, e.f.shift[0]);
		ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, iova, 1ull << 31, sz, IMS_PT_PROT_R), 0);
		ck_assert_int_eq(ims_pt_translate(&e.f, e.m, e.root, iova + sz - e.g, IMS_PT_ACC_R, &w), IMS_PT_OK);
		ck_assert_uint_eq(w.run_shift, e.f.shift[0]);
		ck_assert_u64_eq(w.oa, (1ull << 31) + sz - e.g);
		ck_assert_int_eq(ims_pt_unmap(&e.f, e.m, &e.p, e.root, iova, sz, &un), 0);
		ck_assert_u64_eq(un, sz);
	}
	env_fini(&e);
}
END_TEST

struct lines {
	char buf[4096];
	unsigned n;
};
static void collect(void *arg, const char *line)
{
	struct lines *l = arg;
	size_t used = strlen(l->buf);
	snprintf(l->buf + used, sizeof(l->buf) - used, "%s\n", line);
	l->n++;
}

START_TEST(print_walk_shows_every_read_and_the_outcome)
{
	struct env e;
	struct ims_pt_walk w;
	struct lines out = { .n = 0 };

	env_init(&e, 0); /* x86-64 4-level with A/D */
	ck_assert_int_eq(ims_pt_map(&e.f, e.m, &e.p, e.root, e.base, 0x40000000, e.g,
				    IMS_PT_PROT_R | IMS_PT_PROT_W), 0);
	ims_pt_translate(&e.f, e.m, e.root, e.base + 0x10, IMS_PT_ACC_W, &w);
	ims_pt_print_walk(&e.f, &w, e.base + 0x10, collect, &out);
	/* 4 reads, 4 A/D updates, 1 result line */
	ck_assert_uint_eq(out.n, 9);
	ck_assert_ptr_nonnull(strstr(out.buf, "PML4E"));
	ck_assert_ptr_nonnull(strstr(out.buf, "-> 0x40000010"));
	ck_assert_ptr_nonnull(strstr(out.buf, "update"));
	ck_assert_uint_eq(ims_pt_apply_updates(e.m, &w), 4);
	/* applied once: a second application finds the entries changed */
	ck_assert_uint_eq(ims_pt_apply_updates(e.m, &w), 0);

	out.buf[0] = 0;
	out.n = 0;
	ims_pt_translate(&e.f, e.m, e.root, e.base + e.g, IMS_PT_ACC_R, &w);
	ims_pt_print_walk(&e.f, &w, e.base + e.g, collect, &out);
	ck_assert_ptr_nonnull(strstr(out.buf, "fault not-present at PTE"));

	out.buf[0] = 0;
	ims_pt_translate(&e.f, e.m, e.root, 1ull << 50, IMS_PT_ACC_R, &w);
	ims_pt_print_walk(&e.f, &w, 1ull << 50, collect, &out);
	ck_assert_ptr_nonnull(strstr(out.buf, "fault input-range before the walk"));
	env_fini(&e);
}
END_TEST

START_TEST(names_and_catalog)
{
	ck_assert_str_eq(ims_pt_fault_name(IMS_PT_OK), "ok");
	ck_assert_str_eq(ims_pt_fault_name(IMS_PT_FAULT_PERMISSION), "permission");
	ck_assert_str_eq(ims_pt_fault_name((enum ims_pt_fault)99), "unknown");
	for (int k = 0; k < IMS_PT_NFAULTS; k++)
		ck_assert_ptr_nonnull(ims_pt_fault_name((enum ims_pt_fault)k));
	ck_assert_ptr_nonnull(ims_pt_catalog_find("vtd-ss-4l"));
	ck_assert_ptr_null(ims_pt_catalog_find("vtd-ss-9l"));
	ck_assert_uint_eq(ims_pt_needed(IMS_PT_ACC_R | IMS_PT_ACC_W), IMS_PT_UR | IMS_PT_UW);
	ck_assert_uint_eq(ims_pt_needed(IMS_PT_ACC_X | IMS_PT_ACC_PRIV), IMS_PT_PX);
}
END_TEST

/* A resumed walk must not start above the root. */
START_TEST(walk_refuses_level_above_root)
{
	struct env e;
	struct ims_pt_walk w;
	struct ims_pt_walk_req rq;

	env_init(&e, 0);
	rq = (struct ims_pt_walk_req){ .iova = e.base, .access = IMS_PT_ACC_R, .table = e.root,
				       .start_level = (int)e.f.top_level + 1, .perms = IMS_PT_PERM_ALL };
	ck_assert_int_eq(ims_pt_walk(&e.f, e.m, &rq, &w), IMS_PT_FAULT_LEVEL);
	ck_assert_uint_eq(w.nreads, 0);
	env_fini(&e);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("pt_map");
	TCase *tc = tcase_create("mapper");

	tcase_add_loop_test(tc, map_rejects_bad_arguments, 0, (int)ims_pt_ncatalog);
	tcase_add_loop_test(tc, map_overlap_is_eexist_and_changes_nothing, 0, (int)ims_pt_ncatalog);
	tcase_add_loop_test(tc, largest_leaf_and_limit, 0, (int)ims_pt_ncatalog);
	tcase_add_test(tc, print_walk_shows_every_read_and_the_outcome);
	tcase_add_test(tc, names_and_catalog);
	tcase_add_test(tc, walk_refuses_level_above_root);
	suite_add_tcase(s, tc);
	return s;
}
