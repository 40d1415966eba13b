/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/io_pagetable — areas, reserved/allowed IOVA, domains and pins
 * of one IOAS (see io_pagetable.h; semantics from iommufd §2.2-2.9 and the
 * kernel's drivers/iommu/iommufd/io_pagetable.c).
 */
#include <errno.h>
#include <stdlib.h>

#include "sim/iommufd/iommufd_priv.h"

struct ims_iopt_reserved {
	struct ims_itree_node node;
	const void *owner;
};

struct ims_iopt_allowed {
	struct ims_itree_node node;
};

static struct ims_area *to_area(struct ims_itree_node *n)
{
	return n ? IMS_CONTAINER_OF(n, struct ims_area, node) : NULL;
}

static struct ims_iopt_domain *to_domain(struct ims_list *l)
{
	return IMS_CONTAINER_OF(l, struct ims_iopt_domain, link);
}

static uint64_t lowest_bit(uint64_t v)
{
	return v & (~v + 1);
}

void ims_iopt_init(struct ims_iopt *iopt, struct ims_ctx *ctx)
{
	iopt->ctx = ctx;
	ims_itree_init(&iopt->areas);
	ims_itree_init(&iopt->reserved);
	ims_itree_init(&iopt->allowed);
	ims_list_init(&iopt->domains);
	iopt->ndomains = 0;
	iopt->npins = 0;
	/* A fresh table has no alignment restriction (kernel iopt_init_table). */
	iopt->iova_alignment = 1;
	iopt->disable_large_pages = false;
}

static void free_tree(struct ims_itree *t, size_t node_offset)
{
	struct ims_itree_node *n;

	while ((n = t->root)) {
		ims_itree_remove(t, n);
		free((char *)n - node_offset);
	}
}

void ims_iopt_destroy(struct ims_iopt *iopt)
{
	uint64_t unmapped;

	if (!ims_list_empty(&iopt->domains) || iopt->npins)
		iopt->ctx->internal_errors++;
	if (ims_iopt_unmap_all(iopt, &unmapped))
		iopt->ctx->internal_errors++;
	free_tree(&iopt->areas, offsetof(struct ims_area, node));
	free_tree(&iopt->reserved, offsetof(struct ims_iopt_reserved, node));
	free_tree(&iopt->allowed, offsetof(struct ims_iopt_allowed, node));
}

/* ---- domains: pushing areas into the model's tables ------------------------------ */

static unsigned domain_prot(const struct ims_iopt *iopt, const struct ims_area *a)
{
	return a->prot | (iopt->disable_large_pages ? IMS_MAP_SMALL_PAGES : 0);
}

static void domain_unmap(struct ims_iopt *iopt, struct ims_iopt_domain *d, uint64_t iova,
			 uint64_t len)
{
	struct ims_ctx *ctx = iopt->ctx;
	uint64_t unmapped = 0;

	if (ctx->model->unmap(ctx->model_inst, d->dom, iova, len, &unmapped) || unmapped != len)
		ctx->internal_errors++;
	if (ctx->model->iotlb_sync)
		ctx->model->iotlb_sync(ctx->model_inst, d->dom, iova, len);
}

static int domain_map(struct ims_iopt *iopt, struct ims_iopt_domain *d, const struct ims_area *a)
{
	struct ims_ctx *ctx = iopt->ctx;

	return ctx->model->map(ctx->model_inst, d->dom, ims_area_iova(a), a->pa,
			       ims_area_length(a), domain_prot(iopt, a));
}

/* Memory that cannot be pinned: any byte in an abort range of the simulated
 * memory (the simulator's stand-in for a VA that GUP refuses, §2.5). */
static bool unpinnable(struct ims_iopt *iopt, uint64_t pa, uint64_t len)
{
	return ims_mem_aborts(iopt->ctx->mem, pa, len);
}

/* Maps one area into every domain; all or nothing. */
static int fill_domains(struct ims_iopt *iopt, const struct ims_area *a)
{
	struct ims_list *pos, *nxt, *undo;
	int rc;

	if (iopt->ndomains && unpinnable(iopt, a->pa, ims_area_length(a)))
		return -EFAULT;
	ims_list_for_each_safe(pos, nxt, &iopt->domains) {
		rc = domain_map(iopt, to_domain(pos), a);
		if (rc) {
			for (undo = iopt->domains.next; undo != pos; undo = undo->next)
				domain_unmap(iopt, to_domain(undo), ims_area_iova(a),
					     ims_area_length(a));
			return rc;
		}
	}
	return 0;
}

static void unfill_domains(struct ims_iopt *iopt, const struct ims_area *a)
{
	struct ims_list *pos, *nxt;

	ims_list_for_each_safe(pos, nxt, &iopt->domains)
		domain_unmap(iopt, to_domain(pos), ims_area_iova(a), ims_area_length(a));
}

/* ---- automatic IOVA placement (kernel iopt_alloc_iova, iommufd §2.5) ------------- */

/* Rounds *start up to `align` (a power of two), then ORs in the sub-page
 * offset of the memory, and checks that `length` bytes still fit before
 * `last` — exactly the kernel's __alloc_iova_check_range, including its
 * refusal of a candidate that starts at `last`. */
static bool check_range(uint64_t *start, uint64_t last, uint64_t length, uint64_t align,
			uint64_t page_offset)
{
	uint64_t a;

	if (*start > UINT64_MAX - (align - 1))
		return false;
	a = (*start + align - 1) & ~(align - 1);
	a |= page_offset;
	if (a >= last || last - a < length - 1)
		return false;
	*start = a;
	return true;
}

/* Tries the holes of the reserved set inside the area-free range [hs, he]. */
static bool try_hole(struct ims_iopt *iopt, uint64_t hs, uint64_t he, uint64_t length,
		     uint64_t align, uint64_t off, uint64_t *iova)
{
	struct ims_span_iter it;

	for (ims_span_init(&it, &iopt->reserved, NULL, hs, he); ims_span_next(&it);) {
		uint64_t s = it.start;

		if (!it.is_hole)
			continue;
		if (check_range(&s, it.end, length, align, off)) {
			*iova = s;
			return true;
		}
	}
	return false;
}

/*
 * First fit in [s, e] over the holes of (areas ∪ reserved), lowest address
 * first, as the kernel's double-span walk.  Holes between areas that are
 * shorter than `length` can never fit, so they are skipped with the tree's
 * gap augmentation instead of visited one by one.
 */
static bool try_window(struct ims_iopt *iopt, uint64_t s, uint64_t e, uint64_t length,
		       uint64_t align, uint64_t off, uint64_t *iova)
{
	struct ims_itree_node *a = ims_itree_first(&iopt->areas, s, UINT64_MAX), *m, *last;

	if (!a)
		return try_hole(iopt, s, e, length, align, off, iova);
	if (a->start > s &&
	    try_hole(iopt, s, a->start - 1 < e ? a->start - 1 : e, length, align, off, iova))
		return true;
	if (a->start > e)
		return false;
	for (;;) {
		uint64_t hs, he;

		m = ims_itree_next_gap(a, length);
		if (m) {
			hs = m->start - m->gap;
			he = m->start - 1;
		} else {
			last = ims_itree_max(&iopt->areas);
			if (last->last == UINT64_MAX)
				return false;
			hs = last->last + 1;
			he = e;
		}
		if (hs > e)
			return false;
		if (try_hole(iopt, hs, he < e ? he : e, length, align, off, iova))
			return true;
		if (!m || m->start > e)
			return false;
		a = m;
	}
}

static uint64_t roundup_pow2(uint64_t v)
{
	return v <= 1 ? 1 : 1ull << (64 - __builtin_clzll(v - 1));
}

static int alloc_iova(struct ims_iopt *iopt, uint64_t *iova, uint64_t addr, uint64_t length)
{
	uint64_t off = addr % IMS_PAGE_SIZE, align;
	const uint64_t first = IMS_PAGE_SIZE, last = UINT64_MAX - IMS_PAGE_SIZE;

	/* Protects roundup_pow2 from overflow, as the kernel does. */
	if (length == 0 || length >= UINT64_MAX / 2)
		return ims_err(iopt->ctx, -EOVERFLOW, "length 0x%llx too large for automatic IOVA",
			       (unsigned long long)length);
	/* Keep the alignment the memory already has, to allow huge mappings. */
	align = roundup_pow2(length);
	if (addr && lowest_bit(addr) < align)
		align = lowest_bit(addr);
	if (align >= IMS_HUGE_PAGE_SIZE)
		align = IMS_HUGE_PAGE_SIZE;
	if (align < iopt->iova_alignment)
		return ims_err(iopt->ctx, -EINVAL,
			       "user_va alignment 0x%llx below the IOAS alignment 0x%llx",
			       (unsigned long long)align,
			       (unsigned long long)iopt->iova_alignment);

	if (!iopt->allowed.count) {
		uint64_t s = first;

		if (check_range(&s, last, length, align, off) &&
		    try_window(iopt, s, last, length, align, off, iova))
			return 0;
	} else {
		struct ims_span_iter it;

		for (ims_span_init(&it, &iopt->allowed, NULL, first, last); ims_span_next(&it);) {
			uint64_t s = it.start;

			if (it.is_hole || !check_range(&s, it.end, length, align, off))
				continue;
			if (try_window(iopt, s, it.end, length, align, off, iova))
				return 0;
		}
	}
	return ims_err(iopt->ctx, -ENOSPC, "no free IOVA range of 0x%llx bytes",
		       (unsigned long long)length);
}

/* Fixed IOVA (kernel iopt_check_iova). */
static int check_iova(struct ims_iopt *iopt, uint64_t iova, uint64_t length)
{
	struct ims_itree_node *n;
	uint64_t last;

	if (iova & (iopt->iova_alignment - 1))
		return ims_err(iopt->ctx, -EINVAL, "iova 0x%llx not aligned to 0x%llx",
			       (unsigned long long)iova,
			       (unsigned long long)iopt->iova_alignment);
	if (length - 1 > UINT64_MAX - iova)
		return ims_err(iopt->ctx, -EOVERFLOW, "iova 0x%llx + length 0x%llx wraps",
			       (unsigned long long)iova, (unsigned long long)length);
	last = iova + length - 1;
	n = ims_itree_first(&iopt->reserved, iova, last);
	if (n)
		return ims_err(iopt->ctx, -EINVAL, "iova range intersects reserved [0x%llx, 0x%llx]",
			       (unsigned long long)n->start, (unsigned long long)n->last);
	n = ims_itree_first(&iopt->areas, iova, last);
	if (n)
		return ims_err(iopt->ctx, -EEXIST, "iova range overlaps area [0x%llx, 0x%llx]",
			       (unsigned long long)n->start, (unsigned long long)n->last);
	return 0;
}

static void remove_area(struct ims_iopt *iopt, struct ims_area *a)
{
	ims_itree_remove(&iopt->areas, &a->node);
	free(a);
}

int ims_iopt_map_pieces(struct ims_iopt *iopt, const struct ims_iopt_piece *pieces, size_t n,
			uint64_t length, uint64_t *iova, unsigned prot, bool alloc)
{
	struct ims_area **areas;
	uint64_t cur;
	size_t i, inserted = 0, filled = 0;
	int rc;

	if (!length || (length & (iopt->iova_alignment - 1)))
		return ims_err(iopt->ctx, -EINVAL, "length 0x%llx is 0 or not a multiple of 0x%llx",
			       (unsigned long long)length,
			       (unsigned long long)iopt->iova_alignment);
	rc = alloc ? alloc_iova(iopt, iova, pieces[0].pa, length) : check_iova(iopt, *iova, length);
	if (rc)
		return rc;

	areas = calloc(n, sizeof(*areas));
	if (!areas)
		return -ENOMEM;
	/* Insert every area first (reserving the IOVA), then fill domains. */
	cur = *iova;
	for (i = 0; i < n; i++) {
		struct ims_area *a;

		if ((prot & IMS_PROT_WRITE) && !pieces[i].writable) {
			rc = ims_err(iopt->ctx, -EPERM, "WRITEABLE asked of read-only memory at 0x%llx",
				     (unsigned long long)pieces[i].pa);
			goto undo;
		}
		if ((pieces[i].pa % IMS_PAGE_SIZE) & (iopt->iova_alignment - 1)) {
			rc = ims_err(iopt->ctx, -EINVAL,
				     "memory offset 0x%llx in its page not aligned to 0x%llx",
				     (unsigned long long)(pieces[i].pa % IMS_PAGE_SIZE),
				     (unsigned long long)iopt->iova_alignment);
			goto undo;
		}
		a = calloc(1, sizeof(*a));
		if (!a) {
			rc = -ENOMEM;
			goto undo;
		}
		a->node.start = cur;
		a->node.last = cur + pieces[i].length - 1;
		a->pa = pieces[i].pa;
		a->prot = prot;
		a->writable = pieces[i].writable;
		ims_itree_insert(&iopt->areas, &a->node);
		areas[inserted++] = a;
		cur += pieces[i].length;
	}
	for (filled = 0; filled < inserted; filled++) {
		rc = fill_domains(iopt, areas[filled]);
		if (rc) {
			if (rc == -EFAULT)
				ims_err(iopt->ctx, rc, "memory at 0x%llx cannot be pinned",
					(unsigned long long)areas[filled]->pa);
			goto undo;
		}
	}
	free(areas);
	return 0;

undo:
	for (i = 0; i < inserted; i++) {
		if (i < filled)
			unfill_domains(iopt, areas[i]);
		remove_area(iopt, areas[i]);
	}
	free(areas);
	return rc;
}

/* Walks [iova, last] area by area; calls fn for each piece.  -ENOENT at the
 * first hole. */
static int walk_contig(struct ims_iopt *iopt, uint64_t iova, uint64_t last,
		       int (*fn)(void *arg, struct ims_area *a, uint64_t iova, uint64_t len),
		       void *arg)
{
	struct ims_itree_node *n = ims_itree_first(&iopt->areas, iova, iova);
	uint64_t cur = iova;
	int rc;

	for (;;) {
		struct ims_area *a = to_area(n);
		uint64_t end;

		if (!a || ims_area_iova(a) > cur)
			return ims_err(iopt->ctx, -ENOENT, "no mapping at iova 0x%llx",
				       (unsigned long long)cur);
		end = ims_area_last(a) < last ? ims_area_last(a) : last;
		rc = fn(arg, a, cur, end - cur + 1);
		if (rc)
			return rc;
		if (end == last)
			return 0;
		cur = end + 1;
		n = ims_itree_succ(n);
	}
}

struct pieces_acc {
	struct ims_iopt_piece *v;
	size_t n, cap;
};

static int add_piece(void *arg, struct ims_area *a, uint64_t iova, uint64_t len)
{
	struct pieces_acc *acc = arg;

	if (acc->n == acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 4;
		struct ims_iopt_piece *v = realloc(acc->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		acc->v = v;
		acc->cap = cap;
	}
	acc->v[acc->n].pa = a->pa + (iova - ims_area_iova(a));
	acc->v[acc->n].length = len;
	acc->v[acc->n].writable = a->writable;
	acc->n++;
	return 0;
}

static int check_range_args(struct ims_iopt *iopt, uint64_t iova, uint64_t length)
{
	if (!length)
		return ims_err(iopt->ctx, -EINVAL, "length is 0");
	if (length - 1 > UINT64_MAX - iova)
		return ims_err(iopt->ctx, -EOVERFLOW, "iova 0x%llx + length 0x%llx wraps",
			       (unsigned long long)iova, (unsigned long long)length);
	return 0;
}

int ims_iopt_get_pieces(struct ims_iopt *iopt, uint64_t iova, uint64_t length,
			struct ims_iopt_piece **pieces, size_t *n)
{
	struct pieces_acc acc = { 0 };
	int rc = check_range_args(iopt, iova, length);

	if (rc)
		return rc;
	rc = walk_contig(iopt, iova, iova + length - 1, add_piece, &acc);
	if (rc) {
		free(acc.v);
		return rc;
	}
	*pieces = acc.v;
	*n = acc.n;
	return 0;
}

/* Kernel iopt_unmap_iova_range: visit areas in order, remove each whole one,
 * stop at the first that is pinned (-EBUSY) or sticks out (-ENOENT). */
static int unmap_range(struct ims_iopt *iopt, uint64_t start, uint64_t last, uint64_t *unmapped)
{
	struct ims_itree_node *n;
	uint64_t total = 0;
	int rc = 0;

	while ((n = ims_itree_first(&iopt->areas, start, last))) {
		struct ims_area *a = to_area(n);

		if (a->num_pins) {
			rc = ims_err(iopt->ctx, -EBUSY, "area [0x%llx, 0x%llx] is pinned",
				     (unsigned long long)n->start, (unsigned long long)n->last);
			break;
		}
		if (n->start < start || n->last > last) {
			rc = ims_err(iopt->ctx, -ENOENT,
				     "area [0x%llx, 0x%llx] sticks out of the range (areas are "
				     "only unmapped whole)",
				     (unsigned long long)n->start, (unsigned long long)n->last);
			break;
		}
		unfill_domains(iopt, a);
		total += ims_area_length(a);
		remove_area(iopt, a);
	}
	*unmapped = total;
	return rc;
}

int ims_iopt_unmap(struct ims_iopt *iopt, uint64_t iova, uint64_t length, uint64_t *unmapped)
{
	int rc = check_range_args(iopt, iova, length);

	*unmapped = 0;
	if (rc)
		return rc;
	return unmap_range(iopt, iova, iova + length - 1, unmapped);
}

int ims_iopt_unmap_all(struct ims_iopt *iopt, uint64_t *unmapped)
{
	return unmap_range(iopt, 0, UINT64_MAX, unmapped);
}

/* ---- allowed and reserved IOVA --------------------------------------------------- */

int ims_iopt_set_allow(struct ims_iopt *iopt, const struct ims_iova_range *ranges, size_t n)
{
	struct ims_itree fresh;
	struct ims_itree_node *node;
	size_t i;

	ims_itree_init(&fresh);
	for (i = 0; i < n; i++) {
		struct ims_iopt_allowed *al;

		if (ranges[i].start >= ranges[i].last) {
			free_tree(&fresh, offsetof(struct ims_iopt_allowed, node));
			return ims_err(iopt->ctx, -EINVAL,
				       "allowed range %zu: start 0x%llx not below last 0x%llx", i,
				       (unsigned long long)ranges[i].start,
				       (unsigned long long)ranges[i].last);
		}
		if (ims_itree_first(&fresh, ranges[i].start, ranges[i].last)) {
			free_tree(&fresh, offsetof(struct ims_iopt_allowed, node));
			return ims_err(iopt->ctx, -EINVAL, "allowed range %zu overlaps another", i);
		}
		al = calloc(1, sizeof(*al));
		if (!al) {
			free_tree(&fresh, offsetof(struct ims_iopt_allowed, node));
			return -ENOMEM;
		}
		al->node.start = ranges[i].start;
		al->node.last = ranges[i].last;
		ims_itree_insert(&fresh, &al->node);
	}
	for (node = ims_itree_min(&fresh); node; node = ims_itree_succ(node)) {
		struct ims_itree_node *r = ims_itree_first(&iopt->reserved, node->start, node->last);

		if (r) {
			ims_err(iopt->ctx, -EADDRINUSE,
				"allowed [0x%llx, 0x%llx] intersects reserved [0x%llx, 0x%llx]",
				(unsigned long long)node->start, (unsigned long long)node->last,
				(unsigned long long)r->start, (unsigned long long)r->last);
			free_tree(&fresh, offsetof(struct ims_iopt_allowed, node));
			return -EADDRINUSE;
		}
	}
	free_tree(&iopt->allowed, offsetof(struct ims_iopt_allowed, node));
	iopt->allowed = fresh;
	return 0;
}

size_t ims_iopt_iova_ranges(struct ims_iopt *iopt, struct ims_iova_range *out, size_t cap)
{
	struct ims_span_iter it;
	size_t count = 0;

	for (ims_span_init(&it, &iopt->reserved, NULL, 0, UINT64_MAX); ims_span_next(&it);) {
		if (!it.is_hole)
			continue;
		if (count < cap) {
			out[count].start = it.start;
			out[count].last = it.end;
		}
		count++;
	}
	return count;
}

static int reserve_node(struct ims_iopt *iopt, uint64_t start, uint64_t last, const void *owner,
			struct ims_iopt_reserved **out)
{
	struct ims_itree_node *n;
	struct ims_iopt_reserved *r;

	if (last < start)
		return ims_err(iopt->ctx, -EINVAL, "reserved range last 0x%llx < start 0x%llx",
			       (unsigned long long)last, (unsigned long long)start);
	n = ims_itree_first(&iopt->areas, start, last);
	if (n)
		return ims_err(iopt->ctx, -EADDRINUSE,
			       "reserving [0x%llx, 0x%llx] hits area [0x%llx, 0x%llx]",
			       (unsigned long long)start, (unsigned long long)last,
			       (unsigned long long)n->start, (unsigned long long)n->last);
	n = ims_itree_first(&iopt->allowed, start, last);
	if (n)
		return ims_err(iopt->ctx, -EADDRINUSE,
			       "reserving [0x%llx, 0x%llx] hits allowed [0x%llx, 0x%llx]",
			       (unsigned long long)start, (unsigned long long)last,
			       (unsigned long long)n->start, (unsigned long long)n->last);
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->node.start = start;
	r->node.last = last;
	r->owner = owner;
	ims_itree_insert(&iopt->reserved, &r->node);
	if (out)
		*out = r;
	return 0;
}

int ims_iopt_reserve(struct ims_iopt *iopt, uint64_t start, uint64_t last, const void *owner)
{
	return reserve_node(iopt, start, last, owner, NULL);
}

int ims_iopt_reserve_complement(struct ims_iopt *iopt, const struct ims_iova_window *w,
				uint32_t n, const void *owner)
{
	struct ims_iopt_reserved *added[IMS_MAX_WINDOWS + 1];
	uint32_t nadded = 0, i;
	uint64_t next = 0;     /* first IOVA after the windows seen so far */
	bool tail = n > 0;     /* is there space after the last window? */
	int rc = 0;

	if (n > IMS_MAX_WINDOWS)
		return ims_err(iopt->ctx, -EINVAL, "%u aperture windows (max %d)", n,
			       IMS_MAX_WINDOWS);
	for (i = 0; i < n; i++) {
		if (w[i].last < w[i].start || (i && w[i].start <= w[i - 1].last))
			return ims_err(iopt->ctx, -EINVAL,
				       "aperture window %u [0x%llx, 0x%llx] malformed or not "
				       "ascending", i, (unsigned long long)w[i].start,
				       (unsigned long long)w[i].last);
	}
	/* The gap before each window, then the space after the last one. */
	for (i = 0; i < n && !rc; i++) {
		if (w[i].start > next) {
			rc = reserve_node(iopt, next, w[i].start - 1, owner, &added[nadded]);
			if (!rc)
				nadded++;
		}
		if (w[i].last == UINT64_MAX)
			tail = false;
		else
			next = w[i].last + 1;
	}
	if (!rc && tail) {
		rc = reserve_node(iopt, next, UINT64_MAX, owner, &added[nadded]);
		if (!rc)
			nadded++;
	}
	if (rc) {
		for (i = 0; i < nadded; i++) {
			ims_itree_remove(&iopt->reserved, &added[i]->node);
			free(added[i]);
		}
	}
	return rc;
}

void ims_iopt_unreserve(struct ims_iopt *iopt, const void *owner)
{
	struct ims_itree_node *n = ims_itree_min(&iopt->reserved), *next;

	for (; n; n = next) {
		struct ims_iopt_reserved *r = IMS_CONTAINER_OF(n, struct ims_iopt_reserved, node);

		next = ims_itree_succ(n);
		if (r->owner == owner) {
			ims_itree_remove(&iopt->reserved, n);
			free(r);
		}
	}
}

/* ---- alignment and domains ------------------------------------------------------- */

/* Every area conforms to a larger alignment (kernel iopt_check_iova_alignment). */
static int check_alignment(struct ims_iopt *iopt, uint64_t align)
{
	struct ims_itree_node *n;
	uint64_t mask = align - 1;

	for (n = ims_itree_min(&iopt->areas); n; n = ims_itree_succ(n)) {
		struct ims_area *a = to_area(n);

		if ((ims_area_iova(a) & mask) || (ims_area_length(a) & mask) ||
		    ((a->pa % IMS_PAGE_SIZE) & mask))
			return ims_err(iopt->ctx, -EADDRINUSE,
				       "area [0x%llx, 0x%llx] is not aligned to 0x%llx",
				       (unsigned long long)n->start, (unsigned long long)n->last,
				       (unsigned long long)align);
	}
	return 0;
}

static uint64_t domain_granule(const struct ims_iopt_domain *d)
{
	return lowest_bit(d->pgsize_bitmap);
}

/* Kernel iopt_calculate_iova_alignment. */
static int recalc_alignment(struct ims_iopt *iopt)
{
	struct ims_list *pos, *nxt;
	uint64_t align = iopt->disable_large_pages ? IMS_PAGE_SIZE : 1;
	int rc;

	ims_list_for_each_safe(pos, nxt, &iopt->domains) {
		uint64_t g = domain_granule(to_domain(pos));

		if (g > align)
			align = g;
	}
	if (align > iopt->iova_alignment) {
		rc = check_alignment(iopt, align);
		if (rc)
			return rc;
	}
	iopt->iova_alignment = align;
	return 0;
}

int ims_iopt_add_domain(struct ims_iopt *iopt, struct ims_iopt_domain *d)
{
	struct ims_itree_node *n;
	uint64_t align, g = domain_granule(d);
	int rc;

	if (!iopt->ctx->model || !iopt->ctx->model->map || !iopt->ctx->model->unmap)
		return ims_err(iopt->ctx, -EOPNOTSUPP, "the model cannot map paging domains");
	/* A domain must take 4 KiB pages, since IOAS memory is only known to be
	 * contiguous per page (kernel iopt_table_add_domain). */
	if (!g || g > IMS_PAGE_SIZE)
		return ims_err(iopt->ctx, -EINVAL, "domain page size 0x%llx above 4 KiB",
			       (unsigned long long)g);
	align = g > iopt->iova_alignment ? g : iopt->iova_alignment;
	if (align != iopt->iova_alignment) {
		rc = check_alignment(iopt, align);
		if (rc)
			return rc;
	}
	rc = ims_iopt_reserve_complement(iopt, d->aperture, d->naperture, d);
	if (rc)
		return rc;
	for (n = ims_itree_min(&iopt->areas); n; n = ims_itree_succ(n)) {
		struct ims_area *a = to_area(n);

		if (unpinnable(iopt, a->pa, ims_area_length(a)))
			rc = ims_err(iopt->ctx, -EFAULT, "memory at 0x%llx cannot be pinned",
				     (unsigned long long)a->pa);
		else
			rc = domain_map(iopt, d, a);
		if (rc) {
			struct ims_itree_node *u;

			for (u = ims_itree_min(&iopt->areas); u != n; u = ims_itree_succ(u))
				domain_unmap(iopt, d, u->start, u->last - u->start + 1);
			ims_iopt_unreserve(iopt, d);
			return rc;
		}
	}
	iopt->iova_alignment = align;
	ims_list_add_tail(&iopt->domains, &d->link);
	iopt->ndomains++;
	return 0;
}

void ims_iopt_remove_domain(struct ims_iopt *iopt, struct ims_iopt_domain *d)
{
	struct ims_itree_node *n;

	ims_list_del(&d->link);
	iopt->ndomains--;
	for (n = ims_itree_min(&iopt->areas); n; n = ims_itree_succ(n))
		domain_unmap(iopt, d, n->start, n->last - n->start + 1);
	ims_iopt_unreserve(iopt, d);
	/* Removing a domain can only lower the alignment. */
	if (recalc_alignment(iopt))
		iopt->ctx->internal_errors++;
}

int ims_iopt_disable_large_pages(struct ims_iopt *iopt)
{
	int rc;

	if (iopt->disable_large_pages)
		return 0;
	/* Domains already hold large mappings (kernel iopt_disable_large_pages). */
	if (iopt->ndomains && iopt->areas.count)
		return ims_err(iopt->ctx, -EINVAL,
			       "huge pages cannot be disabled while domains hold mappings");
	iopt->disable_large_pages = true;
	rc = recalc_alignment(iopt);
	if (rc)
		iopt->disable_large_pages = false;
	return rc;
}

void ims_iopt_enable_large_pages(struct ims_iopt *iopt)
{
	iopt->disable_large_pages = false;
	if (recalc_alignment(iopt))
		iopt->ctx->internal_errors++;
}

/* ---- pins ------------------------------------------------------------------------ */

struct pin_acc {
	struct ims_iopt *iopt;
	struct ims_iopt_pin *pin;
	uint32_t cap;
	uint64_t next_pa;
};

static int pin_piece(void *arg, struct ims_area *a, uint64_t iova, uint64_t len)
{
	struct pin_acc *acc = arg;
	struct ims_iopt_pin *pin = acc->pin;
	uint64_t pa = a->pa + (iova - ims_area_iova(a));

	if (unpinnable(acc->iopt, pa, len))
		return ims_err(acc->iopt->ctx, -EFAULT, "memory at 0x%llx cannot be pinned",
			       (unsigned long long)pa);
	if (pin->nareas == acc->cap) {
		uint32_t cap = acc->cap ? acc->cap * 2 : 4;
		struct ims_area **v = realloc(pin->areas, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pin->areas = v;
		acc->cap = cap;
	}
	if (pin->nareas == 0)
		pin->pa = pa;
	else if (pa != acc->next_pa)
		pin->contiguous = false;
	acc->next_pa = pa + len;
	pin->areas[pin->nareas++] = a;
	return 0;
}

int ims_iopt_pin(struct ims_iopt *iopt, uint64_t iova, uint64_t length, struct ims_iopt_pin *pin)
{
	struct pin_acc acc = { .iopt = iopt, .pin = pin };
	int rc = check_range_args(iopt, iova, length);

	pin->areas = NULL;
	pin->nareas = 0;
	pin->contiguous = true;
	pin->pa = 0;
	pin->iova = iova;
	pin->length = length;
	if (rc)
		return rc;
	rc = walk_contig(iopt, iova, iova + length - 1, pin_piece, &acc);
	if (rc) {
		free(pin->areas);
		pin->areas = NULL;
		pin->nareas = 0;
		return rc;
	}
	for (uint32_t i = 0; i < pin->nareas; i++)
		pin->areas[i]->num_pins++;
	iopt->npins++;
	return 0;
}

void ims_iopt_unpin(struct ims_iopt *iopt, struct ims_iopt_pin *pin)
{
	for (uint32_t i = 0; i < pin->nareas; i++)
		pin->areas[i]->num_pins--;
	free(pin->areas);
	pin->areas = NULL;
	pin->nareas = 0;
	iopt->npins--;
}

/* ---- lookups --------------------------------------------------------------------- */

int ims_iopt_iova_to_pa(struct ims_iopt *iopt, uint64_t iova, uint64_t *pa, unsigned *prot)
{
	struct ims_area *a = to_area(ims_itree_first(&iopt->areas, iova, iova));

	if (!a)
		return -ENOENT;
	*pa = a->pa + (iova - ims_area_iova(a));
	*prot = a->prot;
	return 0;
}

struct ims_area *ims_iopt_area_first(struct ims_iopt *iopt, uint64_t lo, uint64_t hi)
{
	return to_area(ims_itree_first(&iopt->areas, lo, hi));
}

struct ims_area *ims_iopt_area_next(struct ims_area *a, uint64_t lo, uint64_t hi)
{
	return to_area(ims_itree_next(&a->node, lo, hi));
}
