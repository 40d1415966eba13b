/* SPDX-License-Identifier: MIT */
/*
 * Shared by every unit-test program: each tests/unit/test_*.c defines
 * ims_test_suite() and links with tests/unit/main.c, which runs it and prints
 * one machine-readable line for tests/run.sh:  "RESULT <name> <passed> <failed>".
 */
#ifndef IMS_TESTS_THARNESS_H
#define IMS_TESTS_THARNESS_H

#include <check.h>
#include <stdint.h>

Suite *ims_test_suite(void);

/* Fixed seeds: property tests are reproducible; IMS_TEST_SEED overrides. */
uint64_t ims_test_seed(uint64_t dflt);
/* xorshift64* generator for tests. */
uint64_t ims_test_rand(uint64_t *state);

#define ck_assert_u64_eq(a, b) ck_assert_msg((uint64_t)(a) == (uint64_t)(b), \
	"%s == %s: 0x%llx != 0x%llx", #a, #b, (unsigned long long)(a), (unsigned long long)(b))

#endif
