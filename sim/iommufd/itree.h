/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/itree — an interval tree of inclusive [start, last] ranges.
 *
 * An AVL tree ordered by start (equal starts keep insertion order), each
 * node augmented with the largest `last` of its subtree, so that "the
 * lowest-starting node intersecting [lo, hi]" is O(log n), as Linux's
 * interval_tree.  Nodes are intrusive: embed a struct ims_itree_node and
 * recover the container with IMS_CONTAINER_OF.  Intervals may overlap (the
 * reserved set does); for a set of disjoint intervals (IOAS areas) each node
 * also knows the hole before it and the subtree's largest hole, which makes
 * "the first hole of at least L bytes after node n" O(log n).
 *
 * The span iterator walks [first, last] as alternating used and hole spans
 * over the union of one or two trees, merging touching intervals, as the
 * kernel's interval_tree_span_iter and double_span do.
 */
#ifndef IMS_IOMMUFD_ITREE_H
#define IMS_IOMMUFD_ITREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMS_CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct ims_itree_node {
	uint64_t start, last; /* the interval, inclusive; set before insert */
	/* private */
	uint64_t max_last;   /* largest last in the subtree */
	uint64_t gap;        /* start - predecessor's last - 1 (0 if none or
				touching/overlapping) */
	uint64_t max_gap;    /* largest gap in the subtree */
	struct ims_itree_node *left, *right, *parent;
	int height;
};

struct ims_itree {
	struct ims_itree_node *root;
	size_t count;
};

static inline void ims_itree_init(struct ims_itree *t)
{
	t->root = NULL;
	t->count = 0;
}

void ims_itree_insert(struct ims_itree *t, struct ims_itree_node *n);
void ims_itree_remove(struct ims_itree *t, struct ims_itree_node *n);

/* The lowest-starting node intersecting [lo, hi], or NULL. */
struct ims_itree_node *ims_itree_first(const struct ims_itree *t, uint64_t lo, uint64_t hi);
/* The next node after n (in start order) intersecting [lo, hi], or NULL. */
struct ims_itree_node *ims_itree_next(struct ims_itree_node *n, uint64_t lo, uint64_t hi);
/* In-order neighbours, all nodes. */
struct ims_itree_node *ims_itree_min(const struct ims_itree *t);
struct ims_itree_node *ims_itree_max(const struct ims_itree *t);
struct ims_itree_node *ims_itree_succ(struct ims_itree_node *n);
struct ims_itree_node *ims_itree_pred(struct ims_itree_node *n);
/* For disjoint trees: the first node after n whose gap (the hole just before
 * it) is at least `len` bytes, or NULL. */
struct ims_itree_node *ims_itree_next_gap(struct ims_itree_node *n, uint64_t len);

/* Checks every invariant (order, balance, augmentation, parent links);
 * returns 0 or -1.  For tests. */
int ims_itree_check(const struct ims_itree *t);

/* ---- spans ---------------------------------------------------------------- */

struct ims_span_iter {
	/* inputs */
	const struct ims_itree *t[2];
	uint64_t first, last;
	/* output of the last ims_span_next */
	bool is_hole;
	uint64_t start, end; /* inclusive */
	/* private */
	struct ims_itree_node *cur[2];
	uint64_t pos;
	bool done;
};

/* Walks [first, last] over the union of a and b (b may be NULL). */
void ims_span_init(struct ims_span_iter *it, const struct ims_itree *a, const struct ims_itree *b,
		   uint64_t first, uint64_t last);
/* Advances to the next span; false when [first, last] is exhausted. */
bool ims_span_next(struct ims_span_iter *it);

#endif
