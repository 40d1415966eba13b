/* SPDX-License-Identifier: MIT */
/* sim/stats: counters, histograms and their output (contract: sim/stats.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/stats.h"
#include "tests/unit/tharness.h"

/* Captures what a print function writes; the caller frees the result. */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void capture_start(struct capture *c)
{
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
}

static char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

START_TEST(counters_are_created_once_and_keep_their_pointer)
{
	struct ims_stats *s = ims_stats_new();
	uint64_t *a = ims_stats_counter(s, "iotlb.hits");

	ck_assert_ptr_nonnull(a);
	ck_assert_u64_eq(*a, 0);
	*a += 5;
	ck_assert_ptr_eq(ims_stats_counter(s, "iotlb.hits"), a);
	ck_assert_u64_eq(ims_stats_get(s, "iotlb.hits"), 5);
	ck_assert_u64_eq(ims_stats_get(s, "nothing"), 0);

	/* Many more names: the first pointer and value survive the growth. */
	char name[32];
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		uint64_t *p = ims_stats_counter(s, name);
		ck_assert_ptr_nonnull(p);
		*p = (uint64_t)i;
	}
	ck_assert_ptr_eq(ims_stats_counter(s, "iotlb.hits"), a);
	ck_assert_u64_eq(*a, 5);
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		ck_assert_u64_eq(ims_stats_get(s, name), i);
	}
	ims_stats_free(s);
}
END_TEST

START_TEST(a_name_is_either_a_counter_or_a_histogram)
{
	struct ims_stats *s = ims_stats_new();
	struct ims_hist *h = ims_stats_hist(s, "lat");

	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_eq(ims_stats_hist(s, "lat"), h);
	ck_assert_ptr_null(ims_stats_counter(s, "lat"));
	ck_assert_ptr_nonnull(ims_stats_counter(s, "n"));
	ck_assert_ptr_null(ims_stats_hist(s, "n"));
	ims_hist_add(h, 7);
	ck_assert_u64_eq(ims_stats_get(s, "lat"), 0); /* not a counter */

	ck_assert_ptr_null(ims_stats_counter(s, NULL));
	ck_assert_ptr_null(ims_stats_hist(NULL, "x"));
	ck_assert_u64_eq(ims_stats_get(NULL, "x"), 0);
	ims_stats_free(s);
	ims_stats_free(NULL);
}
END_TEST

START_TEST(reset_zeroes_values_and_keeps_names)
{
	struct ims_stats *s = ims_stats_new();
	uint64_t *c = ims_stats_counter(s, "c");
	struct ims_hist *h = ims_stats_hist(s, "h");

	*c = 9;
	ims_hist_add(h, 100);
	ims_stats_reset(s);
	ck_assert_u64_eq(*c, 0);
	ck_assert_u64_eq(h->count, 0);
	ck_assert_u64_eq(h->bucket[ims_hist_bucket(100)], 0);
	ck_assert_ptr_eq(ims_stats_counter(s, "c"), c);
	ck_assert_ptr_eq(ims_stats_hist(s, "h"), h);
	ims_stats_reset(NULL);
	ims_stats_free(s);
}
END_TEST

START_TEST(small_values_have_exact_buckets)
{
	struct ims_hist h;
	uint64_t lo, hi;

	for (uint64_t v = 0; v < 16; v++) {
		ck_assert_uint_eq(ims_hist_bucket(v), v);
		ims_hist_bucket_bounds((unsigned)v, &lo, &hi);
		ck_assert_u64_eq(lo, v);
		ck_assert_u64_eq(hi, v);
	}
	ims_hist_init(&h);
	for (uint64_t v = 1; v <= 10; v++)
		ims_hist_add(&h, v);
	ck_assert_u64_eq(h.count, 10);
	ck_assert_u64_eq(h.sum, 55);
	ck_assert_u64_eq(h.min, 1);
	ck_assert_u64_eq(h.max, 10);
	ck_assert_double_eq_tol(ims_hist_mean(&h), 5.5, 1e-12);
	ck_assert_u64_eq(ims_hist_percentile(&h, 0), 1);
	ck_assert_u64_eq(ims_hist_percentile(&h, 10), 1);
	ck_assert_u64_eq(ims_hist_percentile(&h, 50), 5);
	ck_assert_u64_eq(ims_hist_percentile(&h, 51), 6);
	ck_assert_u64_eq(ims_hist_percentile(&h, 90), 9);
	ck_assert_u64_eq(ims_hist_percentile(&h, 99), 10);
	ck_assert_u64_eq(ims_hist_percentile(&h, 100), 10);
	/* Out-of-range p is clamped to [0, 100]. */
	ck_assert_u64_eq(ims_hist_percentile(&h, -3), 1);
	ck_assert_u64_eq(ims_hist_percentile(&h, NAN), 1);
	ck_assert_u64_eq(ims_hist_percentile(&h, 250), 10);
}
END_TEST

START_TEST(buckets_tile_the_whole_range_with_eight_per_power_of_two)
{
	uint64_t lo, hi, next = 0;
	unsigned b;

	for (b = 0; b < IMS_HIST_BUCKETS; b++) {
		ims_hist_bucket_bounds(b, &lo, &hi);
		ck_assert_u64_eq(lo, next);
		ck_assert(lo <= hi);
		ck_assert_uint_eq(ims_hist_bucket(lo), b);
		ck_assert_uint_eq(ims_hist_bucket(hi), b);
		/* Width at most 1/8 of the low end: the 12.5% promise. */
		ck_assert(hi - lo <= lo / 8);
		if (hi == UINT64_MAX)
			break;
		next = hi + 1;
	}
	ck_assert_uint_eq(b, ims_hist_bucket(UINT64_MAX));
	ck_assert_uint_lt(b, IMS_HIST_BUCKETS);
	ck_assert_uint_eq(ims_hist_bucket(16), 16);
	ck_assert_uint_eq(ims_hist_bucket(17), 16);
	ck_assert_uint_eq(ims_hist_bucket(18), 17);
	/* Buckets past UINT64_MAX's hold nothing. */
	ims_hist_bucket_bounds(IMS_HIST_BUCKETS - 1, &lo, &hi);
	ck_assert_u64_eq(lo, UINT64_MAX);
	ck_assert_u64_eq(hi, UINT64_MAX);
	ims_hist_bucket_bounds(3, NULL, NULL);
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

START_TEST(percentiles_are_within_an_eighth_of_the_truth)
{
	enum { N = 20000 };
	static uint64_t v[N];
	static const double ps[] = { 0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 100 };
	uint64_t rng = ims_test_seed(5);
	struct ims_hist h;

	ims_hist_init(&h);
	for (int i = 0; i < N; i++) {
		/* Spread over many powers of two, as latencies are. */
		uint64_t r = ims_test_rand(&rng);
		v[i] = (r >> 20) >> (r % 40);
		ims_hist_add(&h, v[i]);
	}
	qsort(v, N, sizeof(v[0]), cmp_u64);
	ck_assert_u64_eq(h.min, v[0]);
	ck_assert_u64_eq(h.max, v[N - 1]);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		size_t rank = (size_t)ceil(ps[i] / 100 * N);
		uint64_t truth = v[rank ? rank - 1 : 0];
		uint64_t got = ims_hist_percentile(&h, ps[i]);
		ck_assert_msg(got >= truth && (double)got <= (double)truth * 1.125,
			      "p%g: %llu vs true %llu", ps[i], (unsigned long long)got,
			      (unsigned long long)truth);
	}
}
END_TEST

START_TEST(sum_saturates_and_empty_histograms_read_zero)
{
	struct ims_hist h;

	ims_hist_init(&h);
	ck_assert_u64_eq(ims_hist_percentile(&h, 50), 0);
	ck_assert_double_eq(ims_hist_mean(&h), 0);
	ims_hist_add(&h, UINT64_MAX);
	ims_hist_add(&h, 2);
	ck_assert_u64_eq(h.sum, UINT64_MAX);
	ck_assert_u64_eq(h.min, 2);
	ck_assert_u64_eq(h.max, UINT64_MAX);
	ck_assert_u64_eq(ims_hist_percentile(&h, 100), UINT64_MAX);
	ck_assert_u64_eq(ims_hist_percentile(&h, 50), 2);
}
END_TEST

START_TEST(merge_equals_adding_everything_to_one)
{
	struct ims_hist a, b, all, empty;
	uint64_t rng = ims_test_seed(9);

	ims_hist_init(&a);
	ims_hist_init(&b);
	ims_hist_init(&all);
	ims_hist_init(&empty);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = ims_test_rand(&rng) % 100000;
		ims_hist_add(i % 3 ? &a : &b, x);
		ims_hist_add(&all, x);
	}
	ims_hist_merge(&a, &b);
	ck_assert_mem_eq(&a, &all, sizeof(a));
	ims_hist_merge(&a, &empty); /* no change, min stays */
	ck_assert_mem_eq(&a, &all, sizeof(a));
	ims_hist_merge(&empty, &all); /* into an empty one: a copy */
	ck_assert_mem_eq(&empty, &all, sizeof(all));
}
END_TEST

static struct ims_stats *small_registry(void)
{
	struct ims_stats *s = ims_stats_new();
	*ims_stats_counter(s, "iotlb.hits") = 12;
	struct ims_hist *h = ims_stats_hist(s, "lat");
	*ims_stats_counter(s, "walks") = 3;
	ims_hist_add(h, 10);
	ims_hist_add(h, 20);
	return s;
}

START_TEST(table_lists_counters_then_histograms_aligned)
{
	struct ims_stats *s = small_registry();
	struct capture c;

	capture_start(&c);
	ims_stats_print_table(s, c.f, 0);
	char *out = capture_end(&c);
	ck_assert_str_eq(out,
			 "counter     value\n"
			 "iotlb.hits     12\n"
			 "walks           3\n"
			 "\n"
			 "histogram  count   mean  p50  p99  max\n"
			 "lat            2  15.00   10   20   20\n");
	free(out);

	/* At 2 GHz, 2 cycles are 1 ns. */
	capture_start(&c);
	ims_stats_print_table(s, c.f, 2.0);
	out = capture_end(&c);
	ck_assert_ptr_nonnull(strstr(out,
			 "histogram  count   mean  p50  p99  max  mean_ns  p50_ns  p99_ns  max_ns\n"
			 "lat            2  15.00   10   20   20      7.5     5.0    10.0    10.0\n"));
	free(out);
	ims_stats_free(s);
}
END_TEST

START_TEST(table_prints_only_sections_that_have_entries)
{
	struct ims_stats *s = ims_stats_new();
	struct capture c;

	capture_start(&c);
	ims_stats_print_table(s, c.f, 0);
	char *out = capture_end(&c);
	ck_assert_str_eq(out, "");
	free(out);

	ims_hist_add(ims_stats_hist(s, "a_rather_long_histogram_name"), 1);
	capture_start(&c);
	ims_stats_print_table(s, c.f, 0);
	out = capture_end(&c);
	ck_assert_str_eq(out,
			 "histogram                     count  mean  p50  p99  max\n"
			 "a_rather_long_histogram_name      1  1.00    1    1    1\n");
	free(out);
	ims_stats_print_table(NULL, stdout, 0);
	ims_stats_free(s);
}
END_TEST

START_TEST(json_is_one_object_in_registration_order)
{
	struct ims_stats *s = small_registry();
	struct capture c;

	capture_start(&c);
	ims_stats_print_json(s, c.f);
	char *out = capture_end(&c);
	ck_assert_str_eq(out,
			 "{\"counters\":{\"iotlb.hits\":12,\"walks\":3},"
			 "\"histograms\":{\"lat\":{\"count\":2,\"mean\":15.000,\"p50\":10,"
			 "\"p99\":20,\"max\":20}}}\n");
	free(out);
	ims_stats_free(s);

	s = ims_stats_new();
	capture_start(&c);
	ims_stats_print_json(s, c.f);
	out = capture_end(&c);
	ck_assert_str_eq(out, "{\"counters\":{},\"histograms\":{}}\n");
	free(out);
	ims_stats_print_json(NULL, stdout);
	ims_stats_free(s);
}
END_TEST

START_TEST(json_escapes_names)
{
	struct ims_stats *s = ims_stats_new();
	struct capture c;

	*ims_stats_counter(s, "q\"b\\s\n\t\r\x01/") = 1;
	ims_stats_hist(s, "h\x1f");
	capture_start(&c);
	ims_stats_print_json(s, c.f);
	char *out = capture_end(&c);
	ck_assert_str_eq(out,
			 "{\"counters\":{\"q\\\"b\\\\s\\n\\t\\r\\u0001/\":1},"
			 "\"histograms\":{\"h\\u001f\":{\"count\":0,\"mean\":0.000,\"p50\":0,"
			 "\"p99\":0,\"max\":0}}}\n");
	free(out);
	ims_stats_free(s);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, counters_are_created_once_and_keep_their_pointer);
	tcase_add_test(tc, a_name_is_either_a_counter_or_a_histogram);
	tcase_add_test(tc, reset_zeroes_values_and_keeps_names);
	tcase_add_test(tc, small_values_have_exact_buckets);
	tcase_add_test(tc, buckets_tile_the_whole_range_with_eight_per_power_of_two);
	tcase_add_test(tc, percentiles_are_within_an_eighth_of_the_truth);
	tcase_add_test(tc, sum_saturates_and_empty_histograms_read_zero);
	tcase_add_test(tc, merge_equals_adding_everything_to_one);
	tcase_add_test(tc, table_lists_counters_then_histograms_aligned);
	tcase_add_test(tc, table_prints_only_sections_that_have_entries);
	tcase_add_test(tc, json_is_one_object_in_registration_order);
	tcase_add_test(tc, json_escapes_names);
	suite_add_tcase(s, tc);
	return s;
}
