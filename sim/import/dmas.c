/* SPDX-License-Identifier: MIT */
/*
 * sim/import/dmas — the dma statements of a trace: observed accesses and
 * the ones synthesised for DMA-API buffers (traces.md §5.5), written only
 * when the trace maps the whole range with the rights the access needs, so
 * that `expect=pa:` holds by construction.
 */
#include "sim/import/scene_priv.h"

unsigned imp_dir_access(enum imp_dir d)
{
	switch (d) {
	case IMP_DIR_TO_DEV:
		return IMS_TRACE_ACC_R;
	case IMP_DIR_FROM_DEV:
		return IMS_TRACE_ACC_W;
	case IMP_DIR_BIDI:
		return IMS_TRACE_ACC_R | IMS_TRACE_ACC_W;
	case IMP_DIR_NONE:
		break;
	}
	return 0;
}

/* Mapping rights from the DMA direction (§5.4; Linux dma_info_to_prot). */
unsigned imp_dir_prot(enum imp_dir d)
{
	unsigned a = imp_dir_access(d);
	return a ? a : IMS_TRACE_ACC_R | IMS_TRACE_ACC_W;
}

void imp_emit_access(struct imp *im, int dev, uint64_t addr, uint64_t len, unsigned access,
		     const struct imp_event *ev, const char *tag, bool quiet)
{
	const struct imp_dev *d = &im->devs[dev];
	const struct ioas *x;
	const struct area *ar;
	struct imp_dma dma = { .access = access, .addr = addr, .len = len };

	if (!d->attached || d->ioas < 0)
		return;
	x = &im->sc->ioas[d->ioas];
	if (!imp_covered(x, addr, len, access)) {
		if (!quiet)
			imp_note(im, "synthesised DMA left out: the buffer is not mapped with its rights");
		return;
	}
	ar = imp_area_at(x, addr);
	dma.expect.kind = IMS_TRACE_X_PA;
	dma.expect.v = (struct ims_trace_val){ ar->va + (addr - ar->iova), IMS_TRACE_NO_NAME };
	imp_emit_dma(im, d->slot, &dma, ev, tag);
}

/* A synthesised access to a buffer, as dense as the options say. */
void imp_synth(struct imp *im, int dev, uint64_t addr, uint64_t size, unsigned access,
	       const struct imp_event *ev)
{
	uint64_t len;

	if (im->opts.synth == IMS_IMPORT_SYNTH_NONE || !size || !access ||
	    addr + size - 1 < addr)
		return;
	/* A sweep stops at 16 MiB: enough to cover every page of the usual
	 * buffer, without a bogus size making replay walk for minutes. */
	len = im->opts.synth == IMS_IMPORT_SYNTH_SWEEP ? (size < SWEEP_MAX ? size : SWEEP_MAX)
						       : (size < 4 ? size : 4);
	imp_emit_access(im, dev, addr, len, access, ev, "synthesised", false);
}

void imp_add_pending_write(struct imp *im, int dev, const struct imp_seg *s,
			   const struct imp_event *ev)
{
	struct imp_scene *sc = im->sc;

	if (im->opts.synth == IMS_IMPORT_SYNTH_NONE || !GROW(im, sc->pw, sc->npw, sc->cappw))
		return;
	sc->pw[sc->npw++] = (struct pending_write){ dev, s->dma, s->size, ev->line, ev->name };
}

/* FROM_DEVICE buffers of dev meeting [a, b) are written now, before `now`
 * (their unmap or sync_for_cpu): the device filled them while they were
 * mapped.  now NULL: all of them (the end of the capture).  Returns how
 * many were written. */
unsigned imp_flush_writes(struct imp *im, int dev, uint64_t a, uint64_t b,
			  const struct imp_event *now)
{
	struct imp_scene *sc = im->sc;
	size_t k = 0;
	unsigned n = 0;

	for (size_t i = 0; i < sc->npw; i++) {
		struct pending_write w = sc->pw[i];
		if (!now || (w.dev == dev && w.dma < b && w.dma + w.size > a)) {
			/* Labelled with the event it is written before; at the
			 * end of the capture, with the map that armed it. */
			struct imp_event src = { .line = w.line, .name = w.name };
			imp_synth(im, w.dev, w.dma, w.size, IMS_TRACE_ACC_W, now ? now : &src);
			n++;
		} else {
			sc->pw[k++] = w;
		}
	}
	sc->npw = k;
	return n;
}

bool imp_write_pending(const struct imp_scene *sc, int dev, uint64_t dma)
{
	for (size_t i = 0; i < sc->npw; i++)
		if (sc->pw[i].dev == dev && sc->pw[i].dma == dma)
			return true;
	return false;
}
