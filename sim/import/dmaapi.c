/* SPDX-License-Identifier: MIT */
/*
 * sim/import/dmaapi — the Linux events: iommu:map/unmap, which name no
 * device (traces.md §1.2), and the dma:* DMA-API events, which do
 * (§1.3).  A map goes to the device whose dma event of the same task
 * follows it with an overlapping address (§5.3); an unmap to the IOAS a
 * dma unmap of the same task just named, else to the one that maps there.
 */
#include "sim/import/scene_priv.h"

#include <stdlib.h>
#include <string.h>

static int pid_dev_find(struct imp *im, int64_t pid)
{
	for (size_t i = 0; i < im->sc->npd; i++)
		if (im->sc->pd[i].pid == pid)
			return im->sc->pd[i].dev;
	return -1;
}

void imp_pid_dev_set(struct imp *im, int64_t pid, int dev)
{
	struct imp_scene *sc = im->sc;

	if (pid < 0)
		return;
	for (size_t i = 0; i < sc->npd; i++)
		if (sc->pd[i].pid == pid) {
			sc->pd[i].dev = dev;
			return;
		}
	if (GROW(im, sc->pd, sc->npd, sc->cappd))
		sc->pd[sc->npd++] = (struct pid_dev){ pid, dev };
}

static bool near(const struct imp_event *a, const struct imp_event *b, int64_t ns)
{
	if (a->pid >= 0 && b->pid >= 0 && a->pid != b->pid)
		return false;
	return a->ts < 0 || b->ts < 0 || (b->ts >= a->ts && b->ts - a->ts <= ns) ||
	       (a->ts > b->ts && a->ts - b->ts <= ns);
}

static bool segs_meet(const struct imp_event *ev, uint64_t a, uint64_t b)
{
	for (unsigned i = 0; i < ev->nsegs; i++)
		if (ev->segs[i].dma < b && ev->segs[i].dma + ev->segs[i].size > a)
			return true;
	return false;
}

static unsigned count_usable_devs(const struct imp *im, int *only)
{
	unsigned n = 0;

	for (size_t i = 0; i < im->ndevs; i++)
		if (im->devs[i].has_sid) {
			*only = (int)i;
			n++;
		}
	return n;
}

/* The device an iommu:map belongs to (§5.3), and the rights of its buffer. */
static int map_owner(struct imp *im, struct imp_event *ev, struct imp_event *ahead,
		     size_t nahead, unsigned *prot)
{
	uint64_t a = ev->iova, b = ev->iova + ev->size;
	int dev, only = -1;

	*prot = IMS_TRACE_ACC_R | IMS_TRACE_ACC_W;
	for (size_t i = 0; i < nahead && i < PAIR_AHEAD; i++) {
		struct imp_event *n = &ahead[i];
		if (n->ts >= 0 && ev->ts >= 0 && n->ts - ev->ts > PAIR_NS)
			break;
		if (n->kind == IMP_EV_DMA_MAP && n->dev >= 0 && near(ev, n, PAIR_NS) &&
		    segs_meet(n, a, b)) {
			n->paired = true;
			*prot = imp_dir_prot(n->dir);
			return n->dev;
		}
	}
	dev = ev->pid >= 0 ? pid_dev_find(im, ev->pid) : -1;
	if (dev >= 0)
		return dev;
	if (count_usable_devs(im, &only) == 1)
		return only;
	return -1;
}

void imp_on_map(struct imp *im, struct imp_event *ev, struct imp_event *ahead, size_t nahead)
{
	uint64_t a, b;
	unsigned prot;
	int dev, xi;

	if (!imp_page_range(ev->iova, ev->size, &a, &b)) {
		imp_note(im, "map of an empty or wrapping range left out");
		return;
	}
	dev = map_owner(im, ev, ahead, nahead, &prot);
	xi = dev >= 0 ? imp_ensure_attached(im, dev, ev) : -1;
	if (xi < 0) {
		if (dev < 0)
			imp_note(im, "map without a device: put in the device-less $ioas");
		xi = imp_default_ioas(im, ev);
		if (xi < 0)
			return;
	}
	imp_do_map(im, xi, a, b, imp_pick_va(im, true, ev->pa & ~(PAGE - 1), a, b - a), ev->pa, prot, false,
	       ev);
}

/* The IOAS an iommu:unmap of [a, b) belongs to: the one a dma unmap of the
 * same task just named, else the only one mapping there. */
static int unmap_owner(struct imp *im, const struct imp_event *ev, uint64_t a, uint64_t b)
{
	struct imp_scene *sc = im->sc;
	int found = -1;
	unsigned nfound = 0;

	for (unsigned k = 0; k < sc->nhints; k++) {
		const struct hint *h = &sc->hints[(sc->hint_pos + NHINTS - 1 - k) % NHINTS];
		const struct imp_dev *d = &im->devs[h->dev];
		struct imp_event he = { .pid = h->pid, .ts = h->ts };
		if (h->lo < b && h->hi > a && near(&he, ev, PAIR_NS) && d->attached && d->ioas >= 0) {
			const struct ioas *x = &sc->ioas[d->ioas];
			size_t i = imp_area_first(x, a);
			if (i < x->n && x->a[i].iova < b)
				return d->ioas;
		}
	}
	for (size_t xi = 0; xi < sc->nioas; xi++) {
		const struct ioas *x = &sc->ioas[xi];
		size_t i = imp_area_first(x, a);
		if (i < x->n && x->a[i].iova < b) {
			if (found < 0)
				found = (int)xi;
			nfound++;
		}
	}
	if (nfound > 1)
		imp_note(im, "unmap matched mappings of several IOASes: the first was used");
	return found;
}

void imp_on_unmap(struct imp *im, const struct imp_event *ev)
{
	uint64_t a, b, len = ev->aux > ev->size ? ev->aux : ev->size;
	int xi;

	if (!ev->aux) {
		imp_note(im, "unmap that unmapped nothing left out");
		return;
	}
	if (!imp_page_range(ev->iova, len, &a, &b)) {
		imp_note(im, "unmap of an empty or wrapping range left out");
		return;
	}
	xi = unmap_owner(im, ev, a, b);
	if (xi < 0) {
		imp_note(im, "unmap of a range the trace does not map left out");
		return;
	}
	imp_area_remove(im, xi, a, b, true, ev, NULL);
}

void imp_on_dma_map(struct imp *im, struct imp_event *ev)
{
	int xi = imp_ensure_attached(im, ev->dev, ev);
	unsigned acc = imp_dir_access(ev->dir);

	if (xi < 0)
		return;
	if (ev->truncated)
		imp_note(im, "sg list cut short in the capture: only the entries shown are mapped");
	for (unsigned i = 0; i < ev->nsegs; i++) {
		const struct imp_seg *s = &ev->segs[i];
		uint64_t a, b;
		if (!imp_page_range(s->dma, s->size, &a, &b)) {
			imp_note(im, "dma buffer of an empty or wrapping range left out");
			continue;
		}
		if (!ev->paired) {
			/* No iommu:map named it: the dma event is the mapping
			 * (a dma:*-only capture, or a direct-mapped device). */
			bool has = s->has_phys && (s->phys & (PAGE - 1)) == (s->dma & (PAGE - 1));
			imp_do_map(im, xi, a, b, imp_pick_va(im, has, s->phys & ~(PAGE - 1), a, b - a),
			       s->phys & ~(PAGE - 1), imp_dir_prot(ev->dir), true, ev);
		}
		if (ev->dir == IMP_DIR_FROM_DEV)
			imp_add_pending_write(im, ev->dev, s, ev);
		else
			imp_synth(im, ev->dev, s->dma, s->size, acc, ev);
	}
	if (ev->sg_by_phys || !ev->aux)
		return;
	/* dma_map_sg: remember the list, dma_unmap_sg names only its pages. */
	struct imp_scene *sc = im->sc;
	if (!GROW(im, sc->sg, sc->nsg, sc->capsg))
		return;
	struct imp_seg *copy = malloc(ev->nsegs * sizeof(*copy));
	if (!copy) {
		im->oom = true;
		return;
	}
	memcpy(copy, ev->segs, ev->nsegs * sizeof(*copy));
	sc->sg[sc->nsg++] = (struct live_sg){ ev->dev, ev->pa, ev->aux, copy, ev->nsegs };
}

static void add_hint(struct imp *im, const struct imp_event *ev, uint64_t a, uint64_t b)
{
	struct imp_scene *sc = im->sc;

	sc->hints[sc->hint_pos] = (struct hint){ ev->pid, ev->ts, ev->dev, a, b };
	sc->hint_pos = (sc->hint_pos + 1) % NHINTS;
	if (sc->nhints < NHINTS)
		sc->nhints++;
}

static void unmap_seg(struct imp *im, struct imp_event *ev, int xi, const struct imp_seg *s)
{
	const struct ioas *x = &im->sc->ioas[xi];
	uint64_t a, b;
	size_t i;

	if (!imp_page_range(s->dma, s->size, &a, &b))
		return;
	imp_flush_writes(im, ev->dev, s->dma, s->dma + s->size, ev);
	i = imp_area_first(x, a);
	if (i >= x->n || x->a[i].iova >= b) {
		imp_note(im, "dma unmap of a buffer the trace does not map left out");
		return;
	}
	if (!x->a[i].from_dma) {
		/* An iommu:unmap follows: say whose it is. */
		add_hint(im, ev, a, b);
		return;
	}
	imp_do_unmap(im, xi, a, b, ev);
}

void imp_on_dma_unmap(struct imp *im, struct imp_event *ev)
{
	struct imp_scene *sc = im->sc;
	int xi = imp_ensure_attached(im, ev->dev, ev);

	if (xi < 0)
		return;
	if (!ev->sg_by_phys) {
		for (unsigned i = 0; i < ev->nsegs; i++)
			unmap_seg(im, ev, xi, &ev->segs[i]);
		return;
	}
	for (size_t k = 0; k < sc->nsg; k++) {
		struct live_sg g = sc->sg[k];
		if (g.dev != ev->dev || g.phys0 != ev->pa || g.nphys != ev->aux)
			continue;
		memmove(&sc->sg[k], &sc->sg[k + 1], (sc->nsg - k - 1) * sizeof(*sc->sg));
		sc->nsg--;
		for (unsigned i = 0; i < g.nsegs; i++)
			unmap_seg(im, ev, xi, &g.segs[i]);
		free(g.segs);
		return;
	}
	imp_note(im, "dma_unmap_sg of a list no dma_map_sg mapped left out");
}

/* Syncs hand a buffer between CPU and device.  for_device: the device reads
 * what the CPU wrote (TO_DEVICE, BIDIRECTIONAL), or may write a FROM_DEVICE
 * buffer again before its next sync_for_cpu or unmap.  for_cpu: the device
 * wrote the buffer (FROM_DEVICE, BIDIRECTIONAL) before this sync. */
void imp_on_dma_sync(struct imp *im, struct imp_event *ev)
{
	unsigned acc = imp_dir_access(ev->dir);

	if (imp_ensure_attached(im, ev->dev, ev) < 0)
		return;
	for (unsigned i = 0; i < ev->nsegs; i++) {
		const struct imp_seg *s = &ev->segs[i];
		if (ev->for_device && ev->dir == IMP_DIR_FROM_DEV) {
			if (!imp_write_pending(im->sc, ev->dev, s->dma))
				imp_add_pending_write(im, ev->dev, s, ev);
		} else if (ev->for_device && (acc & IMS_TRACE_ACC_R)) {
			imp_synth(im, ev->dev, s->dma, s->size, IMS_TRACE_ACC_R, ev);
		} else if (!ev->for_device && (acc & IMS_TRACE_ACC_W) &&
			   !imp_flush_writes(im, ev->dev, s->dma, s->dma + s->size, ev)) {
			imp_synth(im, ev->dev, s->dma, s->size, IMS_TRACE_ACC_W, ev);
		}
	}
}
