/* SPDX-License-Identifier: MIT */
/*
 * sim/import/prq — page requests (intel_iommu:prq_report) and the host's
 * answers (qi_submit page_grp_resp), replayed through iommufd's fault queue
 * (iommufd.md §2.16).
 */
#include "sim/import/scene_priv.h"

#include <stdio.h>
#include <string.h>

/* A PASID that takes page requests: attached (iommufd's PASID attach) to a
 * HWPT of its own, empty IOAS with the device's fault queue, as an SVA bind
 * would have it (iommufd.md §2.11 FAULT_ID_VALID, §2.16).  False when the
 * device cannot be used. */
static bool ensure_pasid(struct imp *im, const struct imp_event *ev)
{
	struct imp_scene *sc = im->sc;
	struct imp_dev *d = &im->devs[ev->dev];
	char base[96], suf[64];
	int ioas, hwpt;

	for (size_t i = 0; i < sc->npa; i++)
		if (sc->pa[i].dev == ev->dev && sc->pa[i].pasid == ev->pasid)
			return true;
	imp_dev_suffix(d, suf, sizeof(suf));
	if (d->fault < 0) {
		snprintf(base, sizeof(base), "fault_%s", suf);
		d->fault = imp_new_name(im, base);
		if (d->fault < 0)
			return false;
		imp_emit_fault_alloc(im, d->fault, ev);
	}
	snprintf(base, sizeof(base), "ioas_%s_pasid%u", suf, ev->pasid);
	ioas = imp_new_ioas(im, base, ev);
	snprintf(base, sizeof(base), "hwpt_%s_pasid%u", suf, ev->pasid);
	hwpt = ioas < 0 ? -1 : imp_new_name(im, base);
	if (hwpt < 0 || !GROW(im, sc->pa, sc->npa, sc->cappa))
		return false;
	imp_emit_hwpt_pasid(im, hwpt, d->slot, sc->ioas[ioas].slot, d->fault, ev);
	imp_emit_attach_pasid(im, d->slot, hwpt, ev->pasid, ev);
	sc->pa[sc->npa++] = (struct pasid_att){ ev->dev, ev->pasid };
	return true;
}

void imp_on_page_req(struct imp *im, const struct imp_event *ev)
{
	struct imp_scene *sc = im->sc;
	struct imp_dma dma = { .access = ev->access, .addr = ev->iova, .len = 4,
			       .has_pasid = ev->has_pasid, .pasid = ev->pasid, .priv = ev->priv,
			       .page_request = true, .prgi = ev->prgi, .last = ev->last };

	if (imp_ensure_attached(im, ev->dev, ev) < 0)
		return;
	if (ev->has_pasid && !ensure_pasid(im, ev))
		return;
	if (!ev->has_pasid)
		imp_note(im, "page request without a PASID: no fault queue takes it");
	dma.expect.kind = IMS_TRACE_X_QUEUED;
	imp_emit_dma(im, im->devs[ev->dev].slot, &dma, ev, "observed");
	/* The group reaches the fault queue with its last request (PCIe
	 * 10.4.1 LPIG; iommufd.md §2.16), one record per request. */
	if (!ev->has_pasid)
		return;
	for (size_t i = 0; i < sc->ngrp; i++) {
		struct group *g = &sc->grp[i];
		if (!g->last && g->dev == ev->dev && g->pasid == ev->pasid && g->prgi == ev->prgi) {
			g->n++;
			g->last = ev->last;
			return;
		}
	}
	if (GROW(im, sc->grp, sc->ngrp, sc->capgrp))
		sc->grp[sc->ngrp++] =
			(struct group){ ev->dev, true, ev->last, ev->pasid, ev->prgi, 1 };
}

/* The host answered a group: read it from the fault queue and respond with
 * the same code (VT-d RC 0 Success, 1 Invalid Request). */
void imp_on_page_resp(struct imp *im, const struct imp_event *ev)
{
	struct imp_scene *sc = im->sc;
	const struct imp_dev *d;
	int cookie;

	if (ev->dev < 0)
		return;
	d = &im->devs[ev->dev];
	for (size_t i = 0; i < sc->ngrp; i++) {
		const struct group g = sc->grp[i];
		if (!g.last || g.dev != ev->dev || g.pasid != ev->pasid || g.prgi != ev->prgi ||
		    d->fault < 0)
			continue;
		memmove(&sc->grp[i], &sc->grp[i + 1], (sc->ngrp - i - 1) * sizeof(*sc->grp));
		sc->ngrp--;
		cookie = imp_new_name_kind(im, "cookie", IMS_TRACE_NAME_VAL);
		if (cookie < 0)
			return;
		for (unsigned k = 0; k < g.n; k++)
			imp_emit_fault_read(im, d->fault, k ? -1 : cookie, d->slot, g.has_pasid,
					    g.pasid, g.prgi, ev);
		imp_emit_fault_respond(im, d->fault, cookie, ev->code == 0 ? 0 : 1, ev);
		return;
	}
	imp_note(im, "page response to no group the trace queued left out");
}
