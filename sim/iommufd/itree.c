/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/itree — AVL interval tree and span iterator (see itree.h).
 *
 * The searches follow the shape of Linux's interval_tree_generic.h (subtree
 * search guided by the largest `last` of each subtree); the balancing is a
 * plain AVL tree with parent links so that iteration needs no stack.
 */
#include "sim/iommufd/itree.h"

static int height(const struct ims_itree_node *n)
{
	return n ? n->height : 0;
}

/* Recomputes n's height and augmentation from its children. */
static void update(struct ims_itree_node *n)
{
	const struct ims_itree_node *l = n->left, *r = n->right;
	int hl = height(l), hr = height(r);

	n->height = 1 + (hl > hr ? hl : hr);
	n->max_last = n->last;
	n->max_gap = n->gap;
	if (l) {
		if (l->max_last > n->max_last)
			n->max_last = l->max_last;
		if (l->max_gap > n->max_gap)
			n->max_gap = l->max_gap;
	}
	if (r) {
		if (r->max_last > n->max_last)
			n->max_last = r->max_last;
		if (r->max_gap > n->max_gap)
			n->max_gap = r->max_gap;
	}
}

static void replace_child(struct ims_itree *t, struct ims_itree_node *parent,
			  struct ims_itree_node *old, struct ims_itree_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

static struct ims_itree_node *rotate_left(struct ims_itree *t, struct ims_itree_node *x)
{
	struct ims_itree_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
	update(x);
	update(y);
	return y;
}

static struct ims_itree_node *rotate_right(struct ims_itree *t, struct ims_itree_node *x)
{
	struct ims_itree_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
	update(x);
	update(y);
	return y;
}

/* Walks from n to the root, restoring balance and augmentation. */
static void rebalance(struct ims_itree *t, struct ims_itree_node *n)
{
	while (n) {
		int bf;

		update(n);
		bf = height(n->left) - height(n->right);
		if (bf > 1) {
			if (height(n->left->left) < height(n->left->right))
				rotate_left(t, n->left);
			n = rotate_right(t, n);
		} else if (bf < -1) {
			if (height(n->right->right) < height(n->right->left))
				rotate_right(t, n->right);
			n = rotate_left(t, n);
		}
		n = n->parent;
	}
}

/* Augmentation only (no shape change) from n to the root. */
static void refresh(struct ims_itree_node *n)
{
	for (; n; n = n->parent)
		update(n);
}

/* The hole between disjoint neighbours a < b, in bytes (0 when touching or
 * overlapping, or when a is NULL). */
static uint64_t gap_between(const struct ims_itree_node *a, const struct ims_itree_node *b)
{
	if (!a || a->last == UINT64_MAX || b->start <= a->last + 1)
		return 0;
	return b->start - a->last - 1;
}

struct ims_itree_node *ims_itree_min(const struct ims_itree *t)
{
	struct ims_itree_node *n = t->root;

	while (n && n->left)
		n = n->left;
	return n;
}

struct ims_itree_node *ims_itree_max(const struct ims_itree *t)
{
	struct ims_itree_node *n = t->root;

	while (n && n->right)
		n = n->right;
	return n;
}

struct ims_itree_node *ims_itree_succ(struct ims_itree_node *n)
{
	struct ims_itree_node *p;

	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return n;
	}
	for (p = n->parent; p && n == p->right; p = p->parent)
		n = p;
	return p;
}

struct ims_itree_node *ims_itree_pred(struct ims_itree_node *n)
{
	struct ims_itree_node *p;

	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return n;
	}
	for (p = n->parent; p && n == p->left; p = p->parent)
		n = p;
	return p;
}

void ims_itree_insert(struct ims_itree *t, struct ims_itree_node *n)
{
	struct ims_itree_node **link = &t->root, *p = NULL, *pred, *succ;

	while (*link) {
		p = *link;
		link = n->start < p->start ? &p->left : &p->right;
	}
	n->left = n->right = NULL;
	n->parent = p;
	n->height = 1;
	*link = n;

	pred = ims_itree_pred(n);
	succ = ims_itree_succ(n);
	n->gap = gap_between(pred, n);
	/* A new leaf's successor is one of its ancestors, so the walk below
	 * refreshes it too. */
	if (succ)
		succ->gap = gap_between(n, succ);
	rebalance(t, n);
	t->count++;
}

void ims_itree_remove(struct ims_itree *t, struct ims_itree_node *n)
{
	struct ims_itree_node *pred = ims_itree_pred(n), *succ = ims_itree_succ(n);

	if (n->left && n->right) {
		/* succ is the leftmost node of n's right subtree: it takes n's
		 * place. */
		struct ims_itree_node *s = succ, *fix;

		if (s->parent == n) {
			fix = s;
		} else {
			fix = s->parent;
			fix->left = s->right;
			if (s->right)
				s->right->parent = fix;
			s->right = n->right;
			n->right->parent = s;
		}
		s->left = n->left;
		n->left->parent = s;
		replace_child(t, n->parent, n, s);
		s->height = n->height;
		rebalance(t, fix);
	} else {
		struct ims_itree_node *child = n->left ? n->left : n->right;
		struct ims_itree_node *p = n->parent;

		replace_child(t, p, n, child);
		rebalance(t, p);
	}
	if (succ) {
		succ->gap = gap_between(pred, succ);
		refresh(succ);
	}
	n->left = n->right = n->parent = NULL;
	t->count--;
}

/* Leftmost node of the subtree at n intersecting [lo, hi] (n->max_last >= lo). */
static struct ims_itree_node *subtree_search(struct ims_itree_node *n, uint64_t lo, uint64_t hi)
{
	for (;;) {
		if (n->left && n->left->max_last >= lo) {
			n = n->left;
			continue;
		}
		if (n->start <= hi) {
			if (n->last >= lo)
				return n;
			if (n->right && n->right->max_last >= lo) {
				n = n->right;
				continue;
			}
		}
		return NULL;
	}
}

struct ims_itree_node *ims_itree_first(const struct ims_itree *t, uint64_t lo, uint64_t hi)
{
	if (!t->root || t->root->max_last < lo)
		return NULL;
	return subtree_search(t->root, lo, hi);
}

struct ims_itree_node *ims_itree_next(struct ims_itree_node *n, uint64_t lo, uint64_t hi)
{
	struct ims_itree_node *r = n->right, *prev;

	for (;;) {
		/* n and its left subtree are done; try its right subtree. */
		if (r && r->max_last >= lo)
			return subtree_search(r, lo, hi);
		/* Climb until we arrive from a left child. */
		do {
			prev = n;
			n = n->parent;
			if (!n)
				return NULL;
			r = n->right;
		} while (prev == r);
		if (n->start > hi)
			return NULL;
		if (n->last >= lo)
			return n;
	}
}

/* Leftmost node of the subtree at s with gap >= len (s->max_gap >= len). */
static struct ims_itree_node *leftmost_gap(struct ims_itree_node *s, uint64_t len)
{
	for (;;) {
		if (s->left && s->left->max_gap >= len)
			s = s->left;
		else if (s->gap >= len)
			return s;
		else
			s = s->right;
	}
}

struct ims_itree_node *ims_itree_next_gap(struct ims_itree_node *n, uint64_t len)
{
	struct ims_itree_node *prev;

	for (;;) {
		if (n->right && n->right->max_gap >= len)
			return leftmost_gap(n->right, len);
		do {
			prev = n;
			n = n->parent;
			if (!n)
				return NULL;
		} while (prev == n->right);
		if (n->gap >= len)
			return n;
	}
}

/* ---- invariant check ------------------------------------------------------- */

static int check_node(const struct ims_itree_node *n, const struct ims_itree_node *parent,
		      size_t *count)
{
	struct ims_itree_node copy;
	int hl, hr;

	if (!n)
		return 0;
	if (n->parent != parent || n->last < n->start)
		return -1;
	if (n->left && n->left->start > n->start)
		return -1;
	if (n->right && n->right->start < n->start)
		return -1;
	if (check_node(n->left, n, count) || check_node(n->right, n, count))
		return -1;
	hl = height(n->left);
	hr = height(n->right);
	if (hl - hr > 1 || hr - hl > 1)
		return -1;
	copy = *n;
	update(&copy);
	if (copy.height != n->height || copy.max_last != n->max_last || copy.max_gap != n->max_gap)
		return -1;
	(*count)++;
	return 0;
}

int ims_itree_check(const struct ims_itree *t)
{
	size_t count = 0;
	struct ims_itree_node *n, *prev = NULL;

	if (check_node(t->root, NULL, &count) || count != t->count)
		return -1;
	/* Gaps against in-order neighbours. */
	for (n = ims_itree_min(t); n; prev = n, n = ims_itree_succ(n)) {
		if (prev && prev->start > n->start)
			return -1;
		if (n->gap != gap_between(prev, n))
			return -1;
	}
	return 0;
}

/* ---- spans ------------------------------------------------------------------ */

void ims_span_init(struct ims_span_iter *it, const struct ims_itree *a, const struct ims_itree *b,
		   uint64_t first, uint64_t last)
{
	it->t[0] = a;
	it->t[1] = b;
	it->first = first;
	it->last = last;
	it->pos = first;
	it->done = first > last;
	for (int i = 0; i < 2; i++)
		it->cur[i] = it->t[i] && !it->done ? ims_itree_first(it->t[i], first, last) : NULL;
	it->is_hole = false;
	it->start = it->end = 0;
}

/* Index of the current node with the lowest start, or -1. */
static int lowest(const struct ims_span_iter *it)
{
	if (!it->cur[0])
		return it->cur[1] ? 1 : -1;
	if (!it->cur[1])
		return 0;
	return it->cur[1]->start < it->cur[0]->start ? 1 : 0;
}

bool ims_span_next(struct ims_span_iter *it)
{
	int i;

	if (it->done)
		return false;
	i = lowest(it);
	it->start = it->pos;
	if (i < 0 || it->cur[i]->start > it->pos) {
		it->is_hole = true;
		it->end = i < 0 || it->cur[i]->start - 1 > it->last ? it->last
								   : it->cur[i]->start - 1;
	} else {
		/* A used span: swallow every node that overlaps or touches it. */
		uint64_t ue = it->pos;
		bool have = false;

		while (i >= 0) {
			struct ims_itree_node *n = it->cur[i];

			if (have ? n->start > ue + 1 : n->start > it->pos)
				break;
			if (!have || n->last > ue)
				ue = n->last;
			have = true;
			it->cur[i] = ims_itree_next(n, it->first, it->last);
			if (ue == UINT64_MAX)
				break;
			i = lowest(it);
		}
		it->is_hole = false;
		it->end = ue > it->last ? it->last : ue;
	}
	if (it->end >= it->last)
		it->done = true;
	else
		it->pos = it->end + 1;
	return true;
}
