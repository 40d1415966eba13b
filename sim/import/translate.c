/* SPDX-License-Identifier: MIT */
/*
 * sim/import/translate — QEMU's view of an emulated device: each translation
 * is an observed access, whose page the IOAS maps as QEMU found it; the
 * guest's invalidations drop what they cover, and the next translation maps
 * it again (traces.md §2.6).
 */
#include "sim/import/scene_priv.h"

/* A QEMU translation: make sure the IOAS maps the page the way QEMU found
 * it, then replay the access. */
void imp_on_xlate(struct imp *im, const struct imp_event *ev)
{
	struct imp_dev *d;
	uint64_t page, pa_page;
	unsigned prot = ev->prot & (IMS_TRACE_ACC_R | IMS_TRACE_ACC_W), access;
	const struct area *ar;
	int xi;

	xi = imp_ensure_attached(im, ev->dev, ev);
	if (xi < 0)
		return;
	d = &im->devs[ev->dev];
	page = ev->iova & ~(ev->size - 1);
	pa_page = ev->pa - (ev->iova - page);
	if (page + ev->size - 1 < page || pa_page > ev->pa) {
		imp_note(im, "translation of a wrapping range left out");
		return;
	}
	/* The IOTLB fill or hit traced just before this translation gave the
	 * page's rights; it says nothing about later ones. */
	if (!prot && d->hint_prot && d->hint_page >= page && d->hint_page - page < ev->size)
		prot = d->hint_prot;
	d->hint_prot = 0;
	bool known = prot != 0;
	if (!prot)
		prot = IMS_TRACE_ACC_R | IMS_TRACE_ACC_W;
	ar = imp_area_at(&im->sc->ioas[xi], ev->iova);
	if (!known && ar && ar->src + (ev->iova - ar->iova) == ev->pa)
		prot = ar->prot; /* nothing new: the rights stay as they were */
	access = ev->access ? ev->access : (prot & IMS_TRACE_ACC_R) ? IMS_TRACE_ACC_R : IMS_TRACE_ACC_W;
	if (ar && ar->src + (ev->iova - ar->iova) == ev->pa) {
		/* The same translation.  Rights seen so far add up: an older
		 * QEMU traces the access, not the page's rights. */
		if (known && (ar->prot & prot) != prot) {
			prot |= ar->prot;
			imp_do_map(im, xi, page, page + ev->size,
			       imp_pick_va(im, true, pa_page, page, ev->size), pa_page, prot, false, ev);
		}
	} else {
		if (ar)
			imp_note(im, "translation changed without an invalidation the capture shows");
		imp_do_map(im, xi, page, page + ev->size, imp_pick_va(im, true, pa_page, page, ev->size),
		       pa_page, prot, false, ev);
	}
	uint64_t room = PAGE - (ev->iova & (PAGE - 1));
	imp_emit_access(im, ev->dev, ev->iova, room < 4 ? room : 4, access, ev, "observed", true);
}

/* IOASes of the devices known to use a domain (QEMU domain ids), and with
 * `maybe` those whose domain no event named yet. */
static bool domain_ioases(struct imp *im, uint32_t domain, bool maybe, int *out, size_t max,
			  size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < im->ndevs; i++) {
		const struct imp_dev *d = &im->devs[i];
		if (d->has_domain ? d->domain != domain : !maybe)
			continue;
		if (!d->attached || d->ioas < 0)
			continue;
		bool dup = false;
		for (size_t k = 0; k < *n; k++)
			dup |= out[k] == d->ioas;
		if (!dup && *n < max)
			out[(*n)++] = d->ioas;
	}
	return *n > 0;
}

void imp_on_shadow(struct imp *im, const struct imp_event *ev)
{
	int xs[16];
	size_t n;

	if (ev->iova + ev->size - 1 < ev->iova) {
		imp_note(im, "shadow sync of a wrapping range left out");
		return;
	}
	if (!domain_ioases(im, ev->domain, false, xs, 16, &n)) {
		int k = imp_find_key(im, -1, -1, ev->domain);
		if (k < 0 || (xs[0] = imp_key_ioas(im, k, ev)) < 0)
			return;
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (ev->prot)
			imp_do_map(im, xs[i], ev->iova, ev->iova + ev->size,
			       imp_pick_va(im, true, ev->pa, ev->iova, ev->size), ev->pa, ev->prot, false,
			       ev);
		else
			imp_area_remove(im, xs[i], ev->iova, ev->iova + ev->size, true, ev, NULL);
	}
}

/* Drops what an invalidation covers from one IOAS. */
static void inval_ioas(struct imp *im, int xi, const struct imp_event *ev)
{
	struct ioas *x = &im->sc->ioas[xi];

	if (!x->n)
		return;
	if (ev->ranged) {
		uint64_t a, b;
		if (imp_page_range(ev->iova, ev->size, &a, &b))
			imp_area_remove(im, xi, a, b, false, ev, NULL);
		return;
	}
	uint64_t sum = 0;
	for (size_t i = 0; i < x->n; i++)
		sum += x->a[i].len;
	x->n = 0;
	/* iommufd's unmap-all form (iommufd.md §2.8). */
	imp_emit_unmap(im, x->slot, 0, UINT64_MAX, sum, ev, NULL);
}

void imp_on_inval(struct imp *im, const struct imp_event *ev)
{
	struct imp_scene *sc = im->sc;

	if (ev->scope == IMP_SC_DOMAIN) {
		int xs[64];
		size_t n;
		/* Invalidating too much is safe (the next translations map
		 * again); too little would keep a stale page. */
		domain_ioases(im, ev->domain, true, xs, 64, &n);
		for (size_t i = 0; i < n; i++)
			inval_ioas(im, xs[i], ev);
		/* Domain-less IOASes (shadow syncs of that domain) too. */
		for (size_t k = 0; k < sc->nkeys; k++)
			if (sc->keys[k].domain == (int64_t)ev->domain && sc->keys[k].ioas >= 0)
				inval_ioas(im, sc->keys[k].ioas, ev);
		return;
	}
	if (ev->scope == IMP_SC_DEV) {
		for (size_t i = 0; i < im->ndevs; i++) {
			const struct imp_dev *d = &im->devs[i];
			if (d->attached && d->has_sid && d->sid >= ev->pa && d->sid <= ev->aux)
				inval_ioas(im, d->ioas, ev);
		}
		return;
	}
	for (size_t xi = 0; xi < sc->nioas; xi++)
		inval_ioas(im, (int)xi, ev);
}
