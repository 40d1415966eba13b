/* SPDX-License-Identifier: MIT */
/*
 * sim/cost — the simulated clock and the cost-parameter table.
 *
 * Time is counted in IOMMU clock cycles.  Every latency or per-operation cost
 * a model charges is a named parameter with a default, a unit and the source
 * of that default (a spec section, a datasheet, a paper, or "assumed" with the
 * reasoning), listed by `iommusim info` and settable with `set key=value`.
 *
 * A model declares its table as a static array and an enum of indexes in the
 * same order, and reads values by index on the hot path (c->val[i]).
 */
#ifndef IMS_SIM_COST_H
#define IMS_SIM_COST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ims_cost_param {
	const char *key;    /* e.g. "iotlb_hit"; [a-z0-9_.]+ */
	uint64_t def;       /* default value */
	uint64_t min, max;  /* accepted range (inclusive) */
	const char *unit;   /* "cycles", "entries", "MHz", ... */
	const char *source; /* where the default comes from */
	const char *help;   /* one line: what it means */
};

#define IMS_COST_MAX_PARAMS 128

struct ims_cost {
	const struct ims_cost_param *param;
	size_t n;
	uint64_t val[IMS_COST_MAX_PARAMS];
	uint64_t now; /* simulated time, cycles */
};

/* Loads the defaults.  0, or -EINVAL when n > IMS_COST_MAX_PARAMS or a
 * default lies outside its own range, or two keys are equal. */
int ims_cost_init(struct ims_cost *c, const struct ims_cost_param *table, size_t n);
/* Index of a key, or -1. */
int ims_cost_find(const struct ims_cost *c, const char *key);
/* Value of a key; *ok (when non-NULL) tells whether it exists. */
uint64_t ims_cost_get(const struct ims_cost *c, const char *key, int *ok);
/* Sets one parameter from "key=value" (value as in traces: decimal or 0x
 * hex, '_' separators, K/M/G suffixes).  Returns 0; -ENOENT for an unknown
 * key; -EINVAL for a malformed assignment or value; -ERANGE outside
 * [min, max].  On error *c is unchanged and, when err is non-NULL, a message
 * naming the key goes into err[0..errlen). */
int ims_cost_set(struct ims_cost *c, const char *assignment, char *err, size_t errlen);
void ims_cost_reset(struct ims_cost *c); /* defaults again, clock to 0 */

static inline void ims_clock_advance(struct ims_cost *c, uint64_t cycles) { c->now += cycles; }
/* Cycles to nanoseconds at `mhz` (rounded to nearest). */
uint64_t ims_cycles_to_ns(uint64_t cycles, uint64_t mhz);

/* Table "key  value  default  unit  source" (and help) for `iommusim info`. */
void ims_cost_print(const struct ims_cost *c, FILE *out);

/* Parses a number as traces write it: decimal or 0x hex, '_' between digits,
 * and with allow_suffix a K, M or G suffix (2^10, 2^20, 2^30).  Returns 0, or
 * -EINVAL (malformed), or -ERANGE (does not fit 64 bits). */
int ims_parse_u64(const char *s, int allow_suffix, uint64_t *out);

#endif
