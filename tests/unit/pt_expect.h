/* SPDX-License-Identifier: MIT */
/* Assertions shared by the page-table known-answer suites. */
#ifndef IMS_TESTS_PT_EXPECT_H
#define IMS_TESTS_PT_EXPECT_H

#include <string.h>

#include "sim/pt.h"
#include "tests/unit/tharness.h"

/* Access shorthands of the known-answer suites. */
#define R IMS_PT_ACC_R
#define W IMS_PT_ACC_W
#define X IMS_PT_ACC_X
#define SUP IMS_PT_ACC_PRIV

/* The suite's memory: a fresh one per test (tcase fixture setup/teardown). */
static struct ims_mem *m;

static inline void setup(void)
{
	m = ims_mem_new();
	ck_assert_ptr_nonnull(m);
}

static inline void teardown(void)
{
	ims_mem_free(m);
	m = NULL;
}

static inline void wr(uint64_t pa, uint64_t v)
{
	ims_mem_write64(m, pa, v, IMS_MEM_DRIVER);
}

static inline uint64_t rd(uint64_t pa)
{
	return ims_mem_read64(m, pa, IMS_MEM_DRIVER);
}

/* A walk from the root; the result struct starts as garbage so that a field
 * the walker forgets to fill shows up. */
static inline struct ims_pt_walk pt_expect_walk(const struct ims_pt_fmt *f, struct ims_mem *mem,
						uint64_t root, uint64_t iova, unsigned access)
{
	struct ims_pt_walk w;
	enum ims_pt_fault r;

	memset(&w, 0xa5, sizeof(w));
	r = ims_pt_translate(f, mem, root, iova, access, &w);
	ck_assert_int_eq(r, w.fault);
	return w;
}

#define EXPECT_OK(w, oa_, shift_, perms_)                                   \
	do {                                                                \
		ck_assert_str_eq(ims_pt_fault_name((w).fault), "ok");       \
		ck_assert_u64_eq((w).oa, (oa_));                            \
		ck_assert_uint_eq((w).size_shift, (shift_));                \
		ck_assert_uint_eq((w).run_shift, (shift_));                 \
		ck_assert_uint_eq((w).perms, (perms_));                     \
	} while (0)

#define EXPECT_FAULT(w, fault_, level_)                                           \
	do {                                                                      \
		ck_assert_str_eq(ims_pt_fault_name((w).fault), ims_pt_fault_name(fault_)); \
		ck_assert_int_eq((w).level, (level_));                            \
		ck_assert_uint_eq((w).nupdates, 0);                               \
	} while (0)

#define EXPECT_READ(w, i, level_, table_, pa_, pte_)                \
	do {                                                        \
		ck_assert_uint_eq((w).reads[i].level, (level_));    \
		ck_assert_u64_eq((w).reads[i].table, (table_));     \
		ck_assert_u64_eq((w).reads[i].pa, (pa_));           \
		ck_assert_u64_eq((w).reads[i].pte, (pte_));         \
	} while (0)

#define EXPECT_UPDATE(w, i, level_, pa_, old_, new_)                \
	do {                                                        \
		ck_assert_uint_eq((w).updates[i].level, (level_));  \
		ck_assert_u64_eq((w).updates[i].pa, (pa_));         \
		ck_assert_u64_eq((w).updates[i].old, (old_));       \
		ck_assert_u64_eq((w).updates[i].new, (new_));       \
	} while (0)

#endif
