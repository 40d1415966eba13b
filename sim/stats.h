/* SPDX-License-Identifier: MIT */
/*
 * sim/stats — named counters and log-bucketed latency histograms.
 *
 * A struct ims_stats is a registry: models and the replay engine ask it for a
 * counter or a histogram by name once (at set-up) and keep the pointer, so
 * the hot path is a plain increment.  Output lists entries in the order they
 * were registered, as an aligned text table or as one JSON object, so the
 * same run always prints the same bytes.
 *
 * Histograms bucket values by power of two with 8 linear sub-buckets each
 * (values below 16 are exact), so percentiles are within 1/8 (12.5%) of
 * the true value; count, sum, min and max are exact.
 */
#ifndef IMS_SIM_STATS_H
#define IMS_SIM_STATS_H

#include <stdint.h>
#include <stdio.h>

#define IMS_HIST_SUB 8
#define IMS_HIST_BUCKETS (64 * IMS_HIST_SUB)

struct ims_hist {
	uint64_t count, sum, min, max; /* sum saturates at UINT64_MAX */
	uint64_t bucket[IMS_HIST_BUCKETS];
};

void ims_hist_init(struct ims_hist *h);
void ims_hist_add(struct ims_hist *h, uint64_t v);
void ims_hist_merge(struct ims_hist *dst, const struct ims_hist *src);
double ims_hist_mean(const struct ims_hist *h); /* 0 when empty */
/* Value at percentile p (0..100): the upper bound of the bucket holding the
 * p-th value, clamped to [min, max]; 0 when empty. */
uint64_t ims_hist_percentile(const struct ims_hist *h, double p);
/* Bucket index of a value and the inclusive bounds of a bucket. */
unsigned ims_hist_bucket(uint64_t v);
void ims_hist_bucket_bounds(unsigned b, uint64_t *lo, uint64_t *hi);

struct ims_stats;

struct ims_stats *ims_stats_new(void);
void ims_stats_free(struct ims_stats *s);
/* Returns the counter or histogram of that name, creating it (zero) on first
 * use.  Pointers stay valid for the life of *s.  A name used for a counter
 * cannot also name a histogram: that returns NULL.  NULL also on no memory. */
uint64_t *ims_stats_counter(struct ims_stats *s, const char *name);
struct ims_hist *ims_stats_hist(struct ims_stats *s, const char *name);
/* Value of a counter, 0 if none has that name. */
uint64_t ims_stats_get(const struct ims_stats *s, const char *name);
void ims_stats_reset(struct ims_stats *s); /* zero everything, keep names */

/* Text table: "name  value" rows for counters, and for histograms "name
 * count mean p50 p99 max".  `ghz`, when > 0, also prints histogram
 * figures converted to ns (cycles / ghz). */
void ims_stats_print_table(const struct ims_stats *s, FILE *out, double ghz);
/* One JSON object: {"counters":{...},"histograms":{"name":{"count":..,
 * "mean":..,"p50":..,"p99":..,"max":..},...}} followed by a newline. */
void ims_stats_print_json(const struct ims_stats *s, FILE *out);

#endif
