/* SPDX-License-Identifier: MIT */
/*
 * sim/import/scene — builds a runnable scenario from captured events
 * (shared/spec/traces.md §5 "Rebuilding a runnable scenario").
 *
 * Devices.  A device is bound (`device.bind`, sid from its PCI address) and
 * attached to an IOAS the first time something needs it.  Devices of one
 * iommu group share one IOAS, as they share a domain (§5.2); an
 * attach_device_to_domain after mappings were made starts a new IOAS for the
 * group (a new domain: VFIO taking a device over), and attached members
 * move to it with `device.replace`.
 *
 * Mappings.  The builder keeps each IOAS's areas as the trace makes them, so
 * every statement it writes is valid for iommufd: a map over a live area
 * first unmaps it, an unmap that cuts an area in two unmaps it whole and maps
 * the parts that stay, an unmap of nothing is left out.  iommu:map events
 * carry no device (§1.2): each is given to the device whose dma:* event of
 * the same task follows it within a few microseconds with an overlapping
 * address (§5.3); failing that, to the device the task last attached, or to
 * the only device of the capture, or to a device-less IOAS `$ioas`.
 *
 * Addresses.  `va=` is the capture's physical address (paddr, phys_addr,
 * QEMU's gpa/translated address) when it lies below the default driver pool
 * (256 GiB, iommusim.h); otherwise, and when the capture gives none
 * (dma_alloc), it comes from a synthetic window [260 GiB, 512 GiB) handed
 * out in order, aligned like the IOVA up to 2 MiB so the same page sizes
 * fit.  Both choices depend only on the capture.
 *
 * DMAs.  QEMU translations are observed accesses: `dma ... expect=pa:`.  For
 * dma:* events the builder synthesises accesses (§5.5): TO_DEVICE and
 * BIDIRECTIONAL buffers are read (or read-written) after the map and at
 * sync_for_device; FROM_DEVICE buffers are written before their unmap (or
 * at the end of the capture) and at sync_for_cpu.  A synthesised DMA is
 * written only when the trace maps the whole buffer with the rights it
 * needs, so its `expect=pa:` holds by construction.
 *
 * Invalidations.  Unmaps carry them (iommufd's unmap invalidates before it
 * returns).  In QEMU captures the guest's invalidations are what remove the
 * mappings the translations revealed: the next translation maps them again.
 *
 * Page requests.  A PASID that issues them is attached to a HWPT with the
 * device's fault queue, so that they are queued; the host's answer
 * (page_grp_resp) reads the group from the queue and responds.
 *
 * This file holds the builder's state, the event dispatch and the device
 * events; the rest is by topic: areas.c (IOASes, their areas, `va=`),
 * devices.c (binding, attaching), dmas.c (dma statements), dmaapi.c (Linux
 * iommu:/dma: events), prq.c (page requests), translate.c (QEMU).
 */
#include "sim/import/scene_priv.h"

#include <stdlib.h>
#include <string.h>

bool imp_grow(struct imp *im, void **v, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 8;
	void *p = realloc(*v, nc * elem);
	if (!p) {
		im->oom = true;
		return false;
	}
	*v = p;
	*cap = nc;
	return true;
}

void imp_note(struct imp *im, const char *what)
{
	imp_count(im->rep, IMS_IMPORT_T_NOTES, what);
}

struct imp_scene *imp_scene_new(struct imp *im)
{
	struct imp_scene *sc = calloc(1, sizeof(*sc));
	if (sc) {
		sc->dflt = -1;
		sc->va_next = VA_SYNTH_BASE;
	}
	return sc;
}

void imp_scene_free(struct imp_scene *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->nioas; i++)
		free(sc->ioas[i].a);
	for (size_t i = 0; i < sc->nsg; i++)
		free(sc->sg[i].segs);
	free(sc->ioas);
	free(sc->keys);
	free(sc->pw);
	free(sc->sg);
	free(sc->pd);
	free(sc->pa);
	free(sc->grp);
	free(sc);
}

/* An observed fault: the access that caused it, expecting a fault (with
 * the code when the trace is for the model whose code the capture gives). */
static void on_fault(struct imp *im, const struct imp_event *ev)
{
	struct imp_dma dma = { .access = ev->access ? ev->access : IMS_TRACE_ACC_R,
			       .addr = ev->iova, .len = 4 };
	int xi;

	if (ev->dev < 0) {
		imp_note(im, "fault without a device left out");
		return;
	}
	xi = imp_ensure_attached(im, ev->dev, ev);
	if (xi < 0)
		return;
	if (imp_covered(&im->sc->ioas[xi], ev->iova, 4, dma.access))
		imp_note(im, "fault at an address the trace maps: its expectation may fail");
	if (ev->code >= 0 && ev->code_model == im->opts.model) {
		dma.expect.kind = IMS_TRACE_X_FAULT_CODE;
		dma.expect.v = (struct ims_trace_val){ (uint64_t)ev->code, IMS_TRACE_NO_NAME };
	} else {
		dma.expect.kind = IMS_TRACE_X_FAULT;
	}
	imp_emit_dma(im, im->devs[ev->dev].slot, &dma, ev, "observed");
}

/* attach_device_to_domain: the device (with its group) now uses a domain;
 * a new one when mappings were made in the old. */
static void on_attach(struct imp *im, const struct imp_event *ev)
{
	int k, old, xi;

	if (!imp_ensure_bound(im, ev->dev, ev))
		return;
	imp_pid_dev_set(im, ev->pid, ev->dev);
	k = imp_dev_key(im, ev->dev);
	if (k < 0)
		return;
	old = im->sc->keys[k].ioas;
	if (old >= 0 && im->sc->ioas[old].used) {
		/* A new domain: the group moves to a fresh IOAS; the old one
		 * keeps its mappings for the unmaps still to come. */
		im->sc->keys[k].ioas = -1;
		xi = imp_key_ioas(im, k, ev);
		if (xi < 0)
			return;
		for (size_t i = 0; i < im->ndevs; i++) {
			struct imp_dev *m = &im->devs[i];
			int target;
			if (!m->attached || m->ioas != old)
				continue;
			target = imp_attach_target(im, (int)i, xi, ev);
			if (target < 0)
				continue;
			imp_emit_attach(im, true, m->slot, target, ev);
			m->ioas = xi;
		}
	}
	imp_ensure_attached(im, ev->dev, ev);
}

/* detach_device_from_domain (before 6.3): blocked until attached again. */
static void on_detach(struct imp *im, const struct imp_event *ev)
{
	struct imp_dev *d;

	if (ev->dev < 0)
		return;
	d = &im->devs[ev->dev];
	if (!d->attached)
		return;
	imp_emit_detach(im, d->slot, ev);
	d->attached = false;
	d->ioas = -1;
}

/* QEMU named the device's domain, and the rights of a page it is about
 * to translate. */
static void on_domain(struct imp *im, const struct imp_event *ev)
{
	struct imp_dev *d;

	if (ev->dev < 0)
		return;
	d = &im->devs[ev->dev];
	if (ev->has_domain) {
		d->has_domain = true;
		d->domain = ev->domain;
	}
	if (ev->prot) {
		d->hint_page = ev->iova;
		d->hint_prot = ev->prot;
	}
}

void imp_scene_event(struct imp *im, struct imp_event *ev, struct imp_event *ahead,
		     size_t nahead)
{
	switch (ev->kind) {
	case IMP_EV_NONE:
	case IMP_EV_GROUP: /* learnt in pass 1 */
		break;
	case IMP_EV_ATTACH:
		on_attach(im, ev);
		break;
	case IMP_EV_DETACH:
		on_detach(im, ev);
		break;
	case IMP_EV_MAP:
		imp_on_map(im, ev, ahead, nahead);
		break;
	case IMP_EV_UNMAP:
		imp_on_unmap(im, ev);
		break;
	case IMP_EV_DMA_MAP:
		imp_on_dma_map(im, ev);
		break;
	case IMP_EV_DMA_UNMAP:
		imp_on_dma_unmap(im, ev);
		break;
	case IMP_EV_DMA_SYNC:
		imp_on_dma_sync(im, ev);
		break;
	case IMP_EV_FAULT:
		on_fault(im, ev);
		break;
	case IMP_EV_PAGE_REQ:
		imp_on_page_req(im, ev);
		break;
	case IMP_EV_PAGE_RESP:
		imp_on_page_resp(im, ev);
		break;
	case IMP_EV_XLATE:
		imp_on_xlate(im, ev);
		break;
	case IMP_EV_SHADOW:
		imp_on_shadow(im, ev);
		break;
	case IMP_EV_INVAL:
		imp_on_inval(im, ev);
		break;
	case IMP_EV_DOMAIN:
		on_domain(im, ev);
		break;
	}
}

void imp_scene_learn(struct imp *im, const struct imp_event *ev)
{
	struct imp_dev *d;

	if (ev->dev < 0)
		return;
	d = &im->devs[ev->dev];
	if (ev->kind == IMP_EV_GROUP && d->gid < 0)
		d->gid = (int)ev->gid;
	if (ev->kind == IMP_EV_PAGE_REQ) {
		d->pri = true;
		d->pasid |= ev->has_pasid;
	}
}

void imp_scene_begin(struct imp *im)
{
	imp_emit_header(im, im->opts.model, im->vtd_scalable);
}

void imp_scene_end(struct imp *im)
{
	imp_flush_writes(im, -1, 0, 0, NULL);
}
