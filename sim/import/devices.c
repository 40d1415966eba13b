/* SPDX-License-Identifier: MIT */
/*
 * sim/import/devices — binding the capture's devices and attaching them:
 * one IOAS per iommu group (or per device), made when first needed.
 */
#include "sim/import/scene_priv.h"

#include <stdio.h>

/* "c2_00_0" for 0000:c2:00.0; the name's letters and digits otherwise. */
void imp_dev_suffix(const struct imp_dev *d, char *buf, size_t n)
{
	uint32_t sid = d->sid;

	if (d->pci && d->seg)
		snprintf(buf, n, "%04x_%02x_%02x_%x", d->seg, sid >> 8, (sid >> 3) & 0x1f, sid & 7);
	else if (d->pci)
		snprintf(buf, n, "%02x_%02x_%x", sid >> 8, (sid >> 3) & 0x1f, sid & 7);
	else {
		size_t k = 0;
		for (const char *p = d->name; *p && k + 1 < n && k < 40; p++)
			buf[k++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				    (*p >= '0' && *p <= '9')) ? *p : '_';
		buf[k] = '\0';
	}
}

int imp_find_key(struct imp *im, int gid, int dev, int64_t domain)
{
	struct imp_scene *sc = im->sc;

	for (size_t i = 0; i < sc->nkeys; i++)
		if (sc->keys[i].gid == gid && sc->keys[i].dev == dev && sc->keys[i].domain == domain)
			return (int)i;
	if (!GROW(im, sc->keys, sc->nkeys, sc->capkeys))
		return -1;
	sc->keys[sc->nkeys] = (struct key){ gid, dev, domain, -1 };
	return (int)sc->nkeys++;
}

int imp_dev_key(struct imp *im, int dev)
{
	const struct imp_dev *d = &im->devs[dev];
	return d->gid >= 0 ? imp_find_key(im, d->gid, -1, -1) : imp_find_key(im, -1, dev, -1);
}

/* The key's current IOAS, made when it has none. */
int imp_key_ioas(struct imp *im, int k, const struct imp_event *ev)
{
	struct key *key = &im->sc->keys[k];
	char base[96], suf[64];

	if (key->ioas >= 0)
		return key->ioas;
	if (key->gid >= 0)
		snprintf(base, sizeof(base), "ioas_g%d", key->gid);
	else if (key->dev >= 0) {
		imp_dev_suffix(&im->devs[key->dev], suf, sizeof(suf));
		snprintf(base, sizeof(base), "ioas_%s", suf);
	} else
		snprintf(base, sizeof(base), "ioas_dom%llx", (unsigned long long)key->domain);
	int xi = imp_new_ioas(im, base, ev);
	im->sc->keys[k].ioas = xi;
	return xi;
}

/* Binds the device (and makes its IOAS) if needed; false when it cannot be
 * used (no sid). */
bool imp_ensure_bound(struct imp *im, int dev, const struct imp_event *ev)
{
	struct imp_dev *d;
	char base[96], suf[64];

	if (dev < 0)
		return false;
	d = &im->devs[dev];
	if (!d->has_sid) {
		if (!d->warned)
			imp_note(im, "device without a PCI address (give --sid NAME=SID): its events left out");
		d->warned = true;
		return false;
	}
	if (d->bound)
		return true;
	/* One requester ID per device on a unit: devices of other PCI
	 * segments (other units in a real machine) would collide. */
	for (size_t i = 0; i < im->ndevs; i++)
		if (im->devs[i].bound && im->devs[i].sid == d->sid) {
			if (!d->warned)
				imp_note(im, "device with the sid of another (PCI segments?): its events left out");
			d->warned = true;
			return false;
		}
	int k = imp_dev_key(im, dev);
	if (k < 0 || imp_key_ioas(im, k, ev) < 0)
		return false;
	imp_dev_suffix(d, suf, sizeof(suf));
	snprintf(base, sizeof(base), "dev_%s", suf);
	d->slot = imp_new_name(im, base);
	if (d->slot < 0)
		return false;
	imp_emit_bind(im, d->slot, d->sid, d->pri, d->pasid, ev);
	d->bound = true;
	return true;
}

/* What a device attaches to for IOAS xi: the IOAS itself, or, for a device
 * that also attaches PASIDs, a PASID-compatible HWPT over it (iommufd
 * refuses a PASID attach beside a RID domain allocated without
 * IOMMU_HWPT_ALLOC_PASID, iommufd.md §2.11).  The name's slot, or -1. */
int imp_attach_target(struct imp *im, int dev, int xi, const struct imp_event *ev)
{
	const struct imp_dev *d = &im->devs[dev];
	char base[96], suf[64];
	int hwpt;

	if (!d->pasid)
		return im->sc->ioas[xi].slot;
	imp_dev_suffix(d, suf, sizeof(suf));
	snprintf(base, sizeof(base), "hwpt_%s", suf);
	hwpt = imp_new_name(im, base);
	if (hwpt >= 0)
		imp_emit_hwpt_pasid(im, hwpt, d->slot, im->sc->ioas[xi].slot, -1, ev);
	return hwpt;
}

/* Bound and attached to its key's current IOAS: the IOAS index, or -1. */
int imp_ensure_attached(struct imp *im, int dev, const struct imp_event *ev)
{
	struct imp_dev *d;
	int k, xi;

	if (!imp_ensure_bound(im, dev, ev))
		return -1;
	d = &im->devs[dev];
	if (d->attached)
		return d->ioas;
	k = imp_dev_key(im, dev);
	xi = k < 0 ? -1 : imp_key_ioas(im, k, ev);
	if (xi < 0)
		return -1;
	int target = imp_attach_target(im, dev, xi, ev);
	if (target < 0)
		return -1;
	imp_emit_attach(im, false, d->slot, target, ev);
	d->attached = true;
	d->ioas = xi;
	return xi;
}

int imp_default_ioas(struct imp *im, const struct imp_event *ev)
{
	if (im->sc->dflt < 0)
		im->sc->dflt = imp_new_ioas(im, "ioas", ev);
	return im->sc->dflt;
}
