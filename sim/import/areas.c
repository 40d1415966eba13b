/* SPDX-License-Identifier: MIT */
/*
 * sim/import/areas — the IOASes a trace builds and their areas, kept as the
 * statements written make them, so that every ioas.map and ioas.unmap is
 * valid for iommufd (iommufd.md §2.5, §2.8: areas are only removed whole;
 * a map may not overlap one): a map over a live area unmaps it first, an
 * unmap that cuts an area unmaps it whole and maps the parts that stay.
 * Also the `va=` of each mapping (see scene.c).
 */
#include "sim/import/scene_priv.h"

#include <stdio.h>
#include <string.h>

/* A fresh name: base, or base_2, base_3... when taken. */
int imp_new_name_kind(struct imp *im, const char *base, unsigned kind)
{
	char buf[160];

	for (unsigned k = 1; k < 100000; k++) {
		if (k == 1)
			snprintf(buf, sizeof(buf), "%s", base);
		else
			snprintf(buf, sizeof(buf), "%s_%u", base, k);
		int slot = ims_trace_names_intern(im->names, buf, strlen(buf));
		if (slot < 0) {
			im->oom = true;
			return -1;
		}
		if (ims_trace_names_kind(im->names, slot))
			continue;
		ims_trace_names_define(im->names, slot, kind, IMS_TRACE_V_IOAS_ALLOC, 0);
		return slot;
	}
	return -1;
}

int imp_new_name(struct imp *im, const char *base)
{
	return imp_new_name_kind(im, base, IMS_TRACE_NAME_OBJ);
}

int imp_new_ioas(struct imp *im, const char *base, const struct imp_event *ev)
{
	struct imp_scene *sc = im->sc;
	int slot;

	if (!GROW(im, sc->ioas, sc->nioas, sc->capioas))
		return -1;
	slot = imp_new_name(im, base);
	if (slot < 0)
		return -1;
	sc->ioas[sc->nioas] = (struct ioas){ .slot = slot };
	imp_emit_ioas_alloc(im, slot, ev);
	return (int)sc->nioas++;
}

/* First area that ends after a. */
size_t imp_area_first(const struct ioas *x, uint64_t a)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (x->a[mid].iova + x->a[mid].len > a)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool area_insert(struct imp *im, struct ioas *x, struct area ar)
{
	size_t i = imp_area_first(x, ar.iova);

	if (!GROW(im, x->a, x->n, x->cap))
		return false;
	memmove(&x->a[i + 1], &x->a[i], (x->n - i) * sizeof(*x->a));
	x->a[i] = ar;
	x->n++;
	return true;
}

static void area_add(struct imp *im, int xi, struct area ar, const struct imp_event *ev,
		     const char *tag)
{
	struct ioas *x = &im->sc->ioas[xi];

	if (!area_insert(im, x, ar))
		return;
	x->used = true;
	imp_emit_map(im, x->slot, ar.iova, ar.len, ar.va, ar.prot, ev, tag);
}

/* Removes every area meeting [a, b) with one ioas.unmap; with `keep`, the
 * parts of the end areas outside [a, b) are mapped again.  Bytes unmapped
 * (0: nothing was mapped there, nothing written). */
uint64_t imp_area_remove(struct imp *im, int xi, uint64_t a, uint64_t b, bool keep,
			 const struct imp_event *ev, const char *tag)
{
	struct ioas *x = &im->sc->ioas[xi];
	size_t i = imp_area_first(x, a), j = i;
	uint64_t sum = 0, lo, hi;
	struct area left = { 0 }, right = { 0 };

	while (j < x->n && x->a[j].iova < b)
		sum += x->a[j++].len;
	if (i == j)
		return 0;
	lo = x->a[i].iova < a ? x->a[i].iova : a;
	hi = x->a[j - 1].iova + x->a[j - 1].len;
	hi = hi > b ? hi : b;
	if (x->a[i].iova < a) {
		left = x->a[i];
		left.len = a - left.iova;
		left.refs = 1;
	}
	if (x->a[j - 1].iova + x->a[j - 1].len > b) {
		right = x->a[j - 1];
		right.len = right.iova + right.len - b;
		right.va += b - right.iova;
		right.src += b - right.iova;
		right.iova = b;
		right.refs = 1;
	}
	memmove(&x->a[i], &x->a[j], (x->n - j) * sizeof(*x->a));
	x->n -= j - i;
	imp_emit_unmap(im, x->slot, lo, hi - lo, sum, ev, tag);
	if (keep && (left.len || right.len))
		imp_note(im, "unmap cut a mapping: the part outside was mapped again");
	if (keep && left.len)
		area_add(im, xi, left, ev, "remap");
	if (keep && right.len)
		area_add(im, xi, right, ev, "remap");
	return sum;
}

/* Page-aligned [*a, *b) around [iova, iova + len); false when empty or
 * wrapping. */
bool imp_page_range(uint64_t iova, uint64_t len, uint64_t *a, uint64_t *b)
{
	if (!len || iova + len - 1 < iova || iova + len - 1 > UINT64_MAX - PAGE)
		return false;
	*a = iova & ~(PAGE - 1);
	*b = (iova + len + PAGE - 1) & ~(PAGE - 1);
	return true;
}

/* The `va=` for [iova, iova + len): pa when it is usable (see the top). */
uint64_t imp_pick_va(struct imp *im, bool has_pa, uint64_t pa, uint64_t iova, uint64_t len)
{
	struct imp_scene *sc = im->sc;
	uint64_t align = PAGE, va;

	if (has_pa && !(pa & (PAGE - 1)) && pa < VA_REAL_LIMIT && len <= VA_REAL_LIMIT - pa)
		return pa;
	while (align < (2ull << 20) && !(iova & align) && align * 2 <= len)
		align *= 2;
	va = (sc->va_next + align - 1) & ~(align - 1);
	if (va + len > VA_SYNTH_END || va + len < va) {
		imp_note(im, "synthetic va window used up: addresses reused");
		va = VA_SYNTH_BASE;
	}
	sc->va_next = va + len;
	return va;
}

/* Maps [a, b) in IOAS xi, replacing whatever overlaps.  Identical maps made
 * for dma events (a direct-mapped device mapping one page twice) share the
 * area and count references. */
void imp_do_map(struct imp *im, int xi, uint64_t a, uint64_t b, uint64_t va, uint64_t src,
		unsigned prot, bool from_dma, const struct imp_event *ev)
{
	struct ioas *x = &im->sc->ioas[xi];
	size_t i;

	/* x86 IOMMUs reserve the interrupt window for every device (VT-d SPEC
	 * 3.15, AMD IOMMU 2.1.4): Linux never maps there, but a capture from
	 * another architecture may.  A trace for any model (or an x86 one)
	 * maps around it, so that it still runs. */
	if (im->opts.model != IMS_TRACE_MODEL_SMMUV3 && a <= X86_MSI_LAST && b > X86_MSI_FIRST) {
		imp_note(im, "map in the x86 interrupt window 0xfee00000-0xfeefffff left out");
		if (a < X86_MSI_FIRST)
			imp_do_map(im, xi, a, X86_MSI_FIRST, va, src, prot, from_dma, ev);
		if (b > X86_MSI_LAST + 1)
			imp_do_map(im, xi, X86_MSI_LAST + 1, b, va + (X86_MSI_LAST + 1 - a),
			       src + (X86_MSI_LAST + 1 - a), prot, from_dma, ev);
		return;
	}
	i = imp_area_first(x, a);
	if (i < x->n && x->a[i].iova < b) {
		struct area *ar = &x->a[i];
		if (from_dma && ar->from_dma && ar->iova == a && ar->len == b - a && ar->va == va &&
		    ar->prot == prot) {
			ar->refs++;
			return;
		}
		imp_note(im, "map over a live mapping: the old one was unmapped first");
		imp_area_remove(im, xi, a, b, true, ev, "replaced");
	}
	area_add(im, xi, (struct area){ a, b - a, va, src, prot, 1, from_dma }, ev, NULL);
}

/* Unmaps [a, b) in IOAS xi; a dma-made area with other references only
 * loses one.  Bytes unmapped. */
uint64_t imp_do_unmap(struct imp *im, int xi, uint64_t a, uint64_t b, const struct imp_event *ev)
{
	struct ioas *x = &im->sc->ioas[xi];
	size_t i = imp_area_first(x, a);

	if (i < x->n && x->a[i].iova == a && x->a[i].len == b - a && x->a[i].refs > 1) {
		x->a[i].refs--;
		return b - a;
	}
	return imp_area_remove(im, xi, a, b, true, ev, NULL);
}

/* The area of IOAS xi holding addr, or NULL. */
const struct area *imp_area_at(const struct ioas *x, uint64_t addr)
{
	size_t i = imp_area_first(x, addr);
	return i < x->n && x->a[i].iova <= addr ? &x->a[i] : NULL;
}

/* True when [addr, addr + len) is mapped without a hole, with `access`. */
bool imp_covered(const struct ioas *x, uint64_t addr, uint64_t len, unsigned access)
{
	uint64_t end = addr + len;
	size_t i = imp_area_first(x, addr);

	while (addr < end) {
		if (i >= x->n || x->a[i].iova > addr ||
		    (x->a[i].prot & access & (IMS_TRACE_ACC_R | IMS_TRACE_ACC_W)) !=
			    (access & (IMS_TRACE_ACC_R | IMS_TRACE_ACC_W)))
			return false;
		addr = x->a[i].iova + x->a[i].len;
		i++;
	}
	return true;
}
