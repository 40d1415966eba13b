/* SPDX-License-Identifier: MIT */
/* sim/cost: cost parameters, the clock and number parsing (contract: sim/cost.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cost.h"
#include "tests/unit/tharness.h"

static const struct ims_cost_param table[] = {
	{ "iotlb_hit", 2, 0, 100, "cycles", "assumed: one SRAM read", "IOTLB hit latency" },
	{ "mem_read", 200, 1, 100000, "cycles", "assumed: DRAM", "one memory read by the walker" },
	{ "iotlb.entries", 64, 1, 1u << 20, "entries", "VT-d SPEC 6.2", NULL },
};
#define NPARAM (sizeof(table) / sizeof(table[0]))

START_TEST(numbers_in_every_accepted_form_parse)
{
	static const struct { const char *s; int suffix; uint64_t v; } good[] = {
		{ "0", 0, 0 },
		{ "42", 0, 42 },
		{ "007", 0, 7 },
		{ "1_000_000", 0, 1000000 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "0x0", 0, 0 },
		{ "0xff", 0, 255 },
		{ "0XFF", 0, 255 },
		{ "0xDead_Beef", 0, 0xdeadbeef },
		{ "0x1_0000", 0, 0x10000 },
		{ "0xffff_ffff_ffff_ffff", 0, UINT64_MAX },
		{ "4K", 1, 4096 },
		{ "2M", 1, 2u << 20 },
		{ "1G", 1, 1u << 30 },
		{ "0x10K", 1, 0x4000 },
		{ "1_0K", 1, 10240 },
		{ "17179869183G", 1, 17179869183ull << 30 },
		{ "12", 1, 12 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint64_t v = 12345;
		int rc = ims_parse_u64(good[i].s, good[i].suffix, &v);
		ck_assert_msg(rc == 0, "'%s' gave %d", good[i].s, rc);
		ck_assert_msg(v == good[i].v, "'%s' gave 0x%llx", good[i].s, (unsigned long long)v);
	}
}
END_TEST

START_TEST(malformed_numbers_are_einval_and_leave_the_output_alone)
{
	static const char *const bad[] = {
		"", "x", "0x", "0x_1", "_1", "1_", "1__0", "1_K", "-1", "+1", " 1", "1 ", "1.5",
		"4k", "4KB", "K", "0xg", "12a", "0b101", "1e3", "0x1_", "0x 1", "99999999999999999999zz",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 777;
		int rc = ims_parse_u64(bad[i], 1, &v);
		ck_assert_msg(rc == -EINVAL, "'%s' gave %d", bad[i], rc);
		ck_assert_u64_eq(v, 777);
	}
	uint64_t v = 777;
	/* Suffixes only where the caller allows them. */
	ck_assert_int_eq(ims_parse_u64("4K", 0, &v), -EINVAL);
	ck_assert_int_eq(ims_parse_u64(NULL, 1, &v), -EINVAL);
	ck_assert_int_eq(ims_parse_u64("1", 1, NULL), -EINVAL);
	ck_assert_u64_eq(v, 777);
}
END_TEST

START_TEST(numbers_beyond_64_bits_are_erange)
{
	static const char *const big[] = {
		"18446744073709551616", "99999999999999999999999", "0x10000000000000000",
		"0x1_0000_0000_0000_0000", "17179869184G", "0x40000000000000K", "17592186044416M",
	};
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		uint64_t v = 777;
		int rc = ims_parse_u64(big[i], 1, &v);
		ck_assert_msg(rc == -ERANGE, "'%s' gave %d", big[i], rc);
		ck_assert_u64_eq(v, 777);
	}
}
END_TEST

START_TEST(init_loads_defaults_and_finds_keys)
{
	struct ims_cost c;
	int ok = -1;

	ck_assert_int_eq(ims_cost_init(&c, table, NPARAM), 0);
	ck_assert_uint_eq(c.n, NPARAM);
	ck_assert_u64_eq(c.now, 0);
	ck_assert_int_eq(ims_cost_find(&c, "iotlb_hit"), 0);
	ck_assert_int_eq(ims_cost_find(&c, "iotlb.entries"), 2);
	ck_assert_int_eq(ims_cost_find(&c, "iotlb"), -1);
	ck_assert_int_eq(ims_cost_find(&c, NULL), -1);
	ck_assert_int_eq(ims_cost_find(NULL, "iotlb"), -1);
	ck_assert_u64_eq(c.val[1], 200);
	ck_assert_u64_eq(ims_cost_get(&c, "mem_read", &ok), 200);
	ck_assert_int_eq(ok, 1);
	ck_assert_u64_eq(ims_cost_get(&c, "mem_write", &ok), 0);
	ck_assert_int_eq(ok, 0);
	ck_assert_u64_eq(ims_cost_get(&c, "iotlb_hit", NULL), 2);

	/* An empty table is fine too. */
	ck_assert_int_eq(ims_cost_init(&c, NULL, 0), 0);
	ck_assert_int_eq(ims_cost_find(&c, "iotlb_hit"), -1);
}
END_TEST

START_TEST(init_rejects_inconsistent_tables)
{
	struct ims_cost c;
	struct ims_cost_param t[2] = { table[0], table[1] };

	ck_assert_int_eq(ims_cost_init(NULL, table, NPARAM), -EINVAL);
	ck_assert_int_eq(ims_cost_init(&c, NULL, 1), -EINVAL);
	ck_assert_int_eq(ims_cost_init(&c, table, IMS_COST_MAX_PARAMS + 1), -EINVAL);
	t[1].key = "iotlb_hit";
	ck_assert_int_eq(ims_cost_init(&c, t, 2), -EINVAL); /* duplicate key */
	t[1] = table[1], t[1].def = 0;
	ck_assert_int_eq(ims_cost_init(&c, t, 2), -EINVAL); /* default below min */
	t[1] = table[1], t[1].def = 100001;
	ck_assert_int_eq(ims_cost_init(&c, t, 2), -EINVAL); /* default above max */
	t[1] = table[1], t[1].min = 500, t[1].max = 400;
	ck_assert_int_eq(ims_cost_init(&c, t, 2), -EINVAL);
	t[1] = table[1], t[1].key = "Mem_Read";
	ck_assert_int_eq(ims_cost_init(&c, t, 2), -EINVAL); /* not [a-z0-9_.]+ */
	t[1].key = "";
	ck_assert_int_eq(ims_cost_init(&c, t, 2), -EINVAL);
	t[1].key = NULL;
	ck_assert_int_eq(ims_cost_init(&c, t, 2), -EINVAL);
}
END_TEST

START_TEST(set_accepts_trace_style_values)
{
	struct ims_cost c;
	char err[128] = "stale";

	ims_cost_init(&c, table, NPARAM);
	ck_assert_int_eq(ims_cost_set(&c, "iotlb_hit=5", err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_u64_eq(c.val[0], 5);
	ck_assert_int_eq(ims_cost_set(&c, "iotlb.entries=4K", NULL, 0), 0);
	ck_assert_u64_eq(ims_cost_get(&c, "iotlb.entries", NULL), 4096);
	ck_assert_int_eq(ims_cost_set(&c, "mem_read=0x1_00", err, sizeof(err)), 0);
	ck_assert_u64_eq(c.val[1], 256);
	ck_assert_int_eq(ims_cost_set(&c, "iotlb_hit=0", err, sizeof(err)), 0);  /* min */
	ck_assert_int_eq(ims_cost_set(&c, "iotlb_hit=100", err, sizeof(err)), 0); /* max */
	ck_assert_u64_eq(c.val[0], 100);

	ims_clock_advance(&c, 1234);
	ck_assert_u64_eq(c.now, 1234);
	ims_cost_reset(&c);
	ck_assert_u64_eq(c.val[0], 2);
	ck_assert_u64_eq(c.val[1], 200);
	ck_assert_u64_eq(c.val[2], 64);
	ck_assert_u64_eq(c.now, 0);
	ims_cost_reset(NULL);
}
END_TEST

/* Sets `assignment`, expects `rc`, every value unchanged, and a message
 * containing each of the given fragments. */
static void set_fails(const char *assignment, int rc, const char *frag1, const char *frag2)
{
	struct ims_cost c, before;
	char err[160] = "";

	ims_cost_init(&c, table, NPARAM);
	ims_cost_set(&c, "mem_read=300", NULL, 0);
	before = c;
	ck_assert_int_eq(ims_cost_set(&c, assignment, err, sizeof(err)), rc);
	ck_assert_mem_eq(&c, &before, sizeof(c));
	ck_assert_msg(strstr(err, frag1), "'%s': message '%s' lacks '%s'", assignment, err, frag1);
	ck_assert_msg(!frag2 || strstr(err, frag2), "'%s': message '%s' lacks '%s'", assignment,
		      err, frag2);
}

START_TEST(set_errors_name_the_key_and_change_nothing)
{
	set_fails("nope=1", -ENOENT, "unknown parameter 'nope'", NULL);
	set_fails("iotlb=1", -ENOENT, "'iotlb'", NULL);          /* a prefix is not a key */
	set_fails("iotlb_hit_x=1", -ENOENT, "'iotlb_hit_x'", NULL);
	set_fails("iotlb_hit", -EINVAL, "want key=value", "iotlb_hit");
	set_fails("=5", -EINVAL, "want key=value", NULL);
	set_fails("iotlb_hit=", -EINVAL, "iotlb_hit", "malformed value ''");
	set_fails("iotlb_hit=abc", -EINVAL, "iotlb_hit", "'abc'");
	set_fails("iotlb_hit=1=2", -EINVAL, "iotlb_hit", "'1=2'");
	set_fails("iotlb_hit=101", -ERANGE, "iotlb_hit=101", "[0, 100] cycles");
	set_fails("mem_read=0", -ERANGE, "mem_read=0", "[1, 100000]");
	set_fails("mem_read=99999999999999999999", -ERANGE, "mem_read", "does not fit");
}
END_TEST

START_TEST(set_messages_are_truncated_safely)
{
	struct ims_cost c;
	char err[8];

	ims_cost_init(&c, table, NPARAM);
	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(ims_cost_set(&c, "nope=1", err, sizeof(err)), -ENOENT);
	ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
	ck_assert_int_eq(ims_cost_set(&c, "nope=1", err, 0), -ENOENT);
	ck_assert_int_eq(ims_cost_set(&c, "nope=1", NULL, 100), -ENOENT);
	ck_assert_int_eq(ims_cost_set(&c, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(ims_cost_set(NULL, "iotlb_hit=1", err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(cycles_convert_to_rounded_nanoseconds)
{
	ck_assert_u64_eq(ims_cycles_to_ns(1000, 1000), 1000);
	ck_assert_u64_eq(ims_cycles_to_ns(3, 2000), 2);     /* 1.5 rounds up */
	ck_assert_u64_eq(ims_cycles_to_ns(1, 3000), 0);     /* 0.33 */
	ck_assert_u64_eq(ims_cycles_to_ns(2, 3000), 1);     /* 0.67 */
	ck_assert_u64_eq(ims_cycles_to_ns(7, 3000), 2);     /* 2.33 */
	ck_assert_u64_eq(ims_cycles_to_ns(2500, 2500), 1000);
	ck_assert_u64_eq(ims_cycles_to_ns(0, 1), 0);
	ck_assert_u64_eq(ims_cycles_to_ns(5, 0), 0);        /* no clock: no time */
	/* Large values neither overflow nor lose precision. */
	ck_assert_u64_eq(ims_cycles_to_ns(UINT64_MAX / 1000, 1), UINT64_MAX / 1000 * 1000);
	ck_assert_u64_eq(ims_cycles_to_ns(UINT64_MAX, 3000), UINT64_MAX / 3);
	ck_assert_u64_eq(ims_cycles_to_ns(UINT64_MAX, 1), UINT64_MAX); /* saturates */
	ck_assert_u64_eq(ims_cycles_to_ns(UINT64_MAX - 1, UINT64_MAX), 1000);
	ck_assert_u64_eq(ims_cycles_to_ns(5, UINT64_MAX), 0);
}
END_TEST

START_TEST(print_lists_every_parameter_aligned)
{
	struct ims_cost c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ims_cost_init(&c, table, NPARAM);
	ims_cost_set(&c, "mem_read=12345", NULL, 0);
	ims_cost_print(&c, f);
	ims_cost_print(NULL, f);
	fclose(f);
	ck_assert_str_eq(buf,
		"key            value  default  unit     source\n"
		"iotlb_hit          2        2  cycles   assumed: one SRAM read\n"
		"               IOTLB hit latency\n"
		"mem_read       12345      200  cycles   assumed: DRAM\n"
		"               one memory read by the walker\n"
		"iotlb.entries     64       64  entries  VT-d SPEC 6.2\n");
	free(buf);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("cost");
	TCase *tc = tcase_create("cost");

	tcase_add_test(tc, numbers_in_every_accepted_form_parse);
	tcase_add_test(tc, malformed_numbers_are_einval_and_leave_the_output_alone);
	tcase_add_test(tc, numbers_beyond_64_bits_are_erange);
	tcase_add_test(tc, init_loads_defaults_and_finds_keys);
	tcase_add_test(tc, init_rejects_inconsistent_tables);
	tcase_add_test(tc, set_accepts_trace_style_values);
	tcase_add_test(tc, set_errors_name_the_key_and_change_nothing);
	tcase_add_test(tc, set_messages_are_truncated_safely);
	tcase_add_test(tc, cycles_convert_to_rounded_nanoseconds);
	tcase_add_test(tc, print_lists_every_parameter_aligned);
	suite_add_tcase(s, tc);
	return s;
}
