/* SPDX-License-Identifier: MIT */
/*
 * The model's configuration: the hardware part (every vtd_hw_cfg_set key)
 * plus the driver's own choices, each settable as `set key=value` in a
 * trace.  Keys and defaults are listed in include/iommusim/vtd.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "models/vtd/drv_priv.h"
#include "sim/cost.h"

void vtdd_cfg_init(void *cfg)
{
	struct ims_vtd_cfg *c = cfg;

	if (!c)
		return;
	memset(c, 0, sizeof(*c));
	vtd_hw_cfg_default(&c->hw);
	c->units = 1;
	c->mode = IMS_VTD_MODE_AUTO;
	c->paging = IMS_VTD_PAGING_SS;
	c->iq_qs = -1;
	/* Linux PRQ_ORDER (digest §6): 16 pages, 2048 page requests. */
	c->prq_pqs = 4;
	c->errata_772415 = false;
}

static int fail(char *err, size_t errlen, int rc, const char *key, const char *value,
		const char *want)
{
	if (err && errlen)
		snprintf(err, errlen, "vtd: %s: '%s' (want %s)", key, value, want);
	return rc;
}

/* A small unsigned value in [lo, hi]. */
static int small(const char *key, const char *value, unsigned lo, unsigned hi, unsigned *out,
		 char *err, size_t errlen)
{
	uint64_t v;
	char want[48];

	snprintf(want, sizeof(want), "%u..%u", lo, hi);
	if (ims_parse_u64(value, 0, &v) < 0)
		return fail(err, errlen, -EINVAL, key, value, want);
	if (v < lo || v > hi)
		return fail(err, errlen, -ERANGE, key, value, want);
	*out = (unsigned)v;
	return 0;
}

int vtdd_cfg_set(void *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	struct ims_vtd_cfg *c = cfg;
	char a[256];
	unsigned v;
	int rc;

	if (!c || !key || !value)
		return fail(err, errlen, -EINVAL, key ? key : "", value ? value : "",
			    "key and value");
	if (strcmp(key, "units") == 0) {
		rc = small(key, value, 1, IMS_VTD_MAX_UNITS, &v, err, errlen);
		if (!rc)
			c->units = v;
		return rc;
	}
	if (strcmp(key, "mode") == 0) {
		if (strcmp(value, "auto") == 0)
			c->mode = IMS_VTD_MODE_AUTO;
		else if (strcmp(value, "scalable") == 0)
			c->mode = IMS_VTD_MODE_SCALABLE;
		else if (strcmp(value, "legacy") == 0)
			c->mode = IMS_VTD_MODE_LEGACY;
		else
			return fail(err, errlen, -EINVAL, key, value, "auto, scalable or legacy");
		return 0;
	}
	if (strcmp(key, "paging") == 0) {
		if (strcmp(value, "ss") == 0)
			c->paging = IMS_VTD_PAGING_SS;
		else if (strcmp(value, "fs") == 0)
			c->paging = IMS_VTD_PAGING_FS;
		else
			return fail(err, errlen, -EINVAL, key, value, "ss or fs");
		return 0;
	}
	if (strcmp(key, "iq_qs") == 0) {
		rc = small(key, value, 0, 7, &v, err, errlen);
		if (!rc)
			c->iq_qs = (int)v;
		return rc;
	}
	if (strcmp(key, "prq_pqs") == 0) {
		rc = small(key, value, 0, 7, &v, err, errlen);
		if (!rc)
			c->prq_pqs = v;
		return rc;
	}
	if (strcmp(key, "errata_772415") == 0) {
		rc = small(key, value, 0, 1, &v, err, errlen);
		if (!rc)
			c->errata_772415 = v;
		return rc;
	}
	/* Everything else belongs to the hardware. */
	{
		size_t kl = strlen(key), vl = strlen(value);

		if (kl + vl + 2 > sizeof(a))
			return fail(err, errlen, -EINVAL, key, value, "a shorter setting");
		memcpy(a, key, kl);
		a[kl] = '=';
		memcpy(a + kl + 1, value, vl + 1);
	}
	return vtd_hw_cfg_set(&c->hw, a, err, errlen);
}

/* ---- Every key with its default and where the default comes from ----------
 * For `iommusim info vtd`.  Defaults are printed from a freshly initialised
 * configuration, so this list cannot drift from vtdd_cfg_init and
 * vtd_hw_cfg_default; the sources repeat the reasoning documented there
 * (models/vtd/hw_unit.c, hw_cost.c). */
void vtdd_cfg_describe(void (*put)(void *arg, const struct ims_cfg_key *key), void *arg)
{
	static const char *const cache_key[VTD_NCACHES] = {
		[VTD_CACHE_IOTLB] = "iotlb", [VTD_CACHE_FSPSC] = "fs_psc",
		[VTD_CACHE_SSPSC] = "ss_psc", [VTD_CACHE_CTX] = "ctx_cache",
		[VTD_CACHE_PASID] = "pasid_cache",
	};
	static const char *const cache_what[VTD_NCACHES] = {
		[VTD_CACHE_IOTLB] = "IOTLB (final translations)",
		[VTD_CACHE_FSPSC] = "first-stage paging-structure cache",
		[VTD_CACHE_SSPSC] = "second-stage paging-structure cache",
		[VTD_CACHE_CTX] = "context cache", [VTD_CACHE_PASID] = "PASID cache",
	};
	static const char *const cache_src[VTD_NCACHES] = {
		[VTD_CACHE_IOTLB] = ("pcie-bench (SIGCOMM 2018) on Xeon E5: flat latency up to 64 "
				     "4 KiB pages, i.e. 64 entries; fully associative assumed"),
		[VTD_CACHE_FSPSC] = "assumed: Intel publishes no geometry (digest §8)",
		[VTD_CACHE_SSPSC] = "assumed: Intel publishes no geometry (digest §8)",
		[VTD_CACHE_CTX] = "assumed: Intel publishes no geometry (digest §8)",
		[VTD_CACHE_PASID] = "assumed: Intel publishes no geometry (digest §8)",
	};
	static const char part_src[] = "composed from the digest's reference values (vtd.md §1.3, "
				       "§8): a current server part (iommusim/vtd.h)";
	struct ims_vtd_cfg c;
	char def[64], key[48], help[96];

	if (!put)
		return;
	vtdd_cfg_init(&c);
#define PUT(k, d, u, s, h) put(arg, &(struct ims_cfg_key){ (k), (d), (u), (s), (h) })
	PUT("part", "default", "", "the modelled part, see cap/ecap",
	    "load a named part: default, snb (Sandy Bridge: CAP=0x00C9008020660262, "
	    "ECAP=0xF0101A, rev 3)");
	snprintf(def, sizeof(def), "0x%x", c.hw.ver);
	PUT("ver", def, "", "VER 6.0: register-based invalidation refused, queue required "
	    "(SPEC 6.5.1, digest §1.1)", "VER_REG value");
	snprintf(def, sizeof(def), "0x%016llx", (unsigned long long)c.hw.cap);
	PUT("cap", def, "", part_src, "CAP_REG value; the unit behaves as that part");
	snprintf(def, sizeof(def), "0x%016llx", (unsigned long long)c.hw.ecap);
	PUT("ecap", def, "", part_src, "ECAP_REG value; absent features are absent");
	snprintf(def, sizeof(def), "%u", (unsigned)c.hw.rev);
	PUT("rev", def, "", "VT-d rev 5.x, the digest's base (vtd.md revision note)",
	    "specification revision: 3 brings back execute permission, 5 abort-DMA mode");
	snprintf(def, sizeof(def), "%u", c.hw.haw);
	PUT("haw", def, "bits", "5-level parts address 52 bits (SPEC 3.6)", "host address width");
	for (unsigned i = 0; i < VTD_NCACHES; i++) {
		const struct vtd_cache_geom *g = &c.hw.cache[i];
		snprintf(key, sizeof(key), "%s_entries", cache_key[i]);
		snprintf(def, sizeof(def), "%u", g->sets * g->ways);
		snprintf(help, sizeof(help), "%s size, fully associative (0: none)", cache_what[i]);
		PUT(key, def, "entries", cache_src[i], help);
		snprintf(key, sizeof(key), "%s_sets", cache_key[i]);
		snprintf(def, sizeof(def), "%u", g->sets);
		snprintf(help, sizeof(help), "%s sets", cache_what[i]);
		PUT(key, def, "sets", cache_src[i], help);
		snprintf(key, sizeof(key), "%s_ways", cache_key[i]);
		snprintf(def, sizeof(def), "%u", g->ways);
		snprintf(help, sizeof(help), "%s ways", cache_what[i]);
		PUT(key, def, "ways", cache_src[i], help);
	}
	PUT("repl", c.hw.repl == IMS_CACHE_RANDOM ? "random" : "lru", "",
	    "assumed: LRU in every cache", "replacement policy: lru or random");
	snprintf(def, sizeof(def), "%llu", (unsigned long long)c.hw.seed);
	PUT("seed", def, "", "any fixed value: runs are reproducible",
	    "seed of random replacement (unit n uses seed+n)");
	for (size_t i = 0; i < c.hw.cost.n; i++) {
		const struct ims_cost_param *p = &c.hw.cost.param[i];
		snprintf(def, sizeof(def), "%llu", (unsigned long long)p->def);
		PUT(p->key, def, p->unit, p->source, p->help);
	}
	snprintf(def, sizeof(def), "%u", c.units);
	PUT("units", def, "", "one unit per machine unless a scenario needs more",
	    "DMA-remapping units, 1..16, all the same part");
	PUT("mode", "auto", "", "Linux intel-iommu: scalable mode when ECAP.SMTS",
	    "translation mode the driver programs: auto, scalable or legacy");
	PUT("paging", c.paging == IMS_VTD_PAGING_FS ? "fs" : "ss", "",
	    "Linux iommufd paging domains use the second stage",
	    "stage of paging domains: ss or fs");
	PUT("iq_qs", "256 descriptors", "2^N pages", "Linux intel-iommu: a 256-descriptor queue",
	    "invalidation queue size, 0..7");
	snprintf(def, sizeof(def), "%u", c.prq_pqs);
	PUT("prq_pqs", def, "2^N pages", "Linux PRQ_ORDER (digest §6): 2048 requests",
	    "page-request queue size, 0..7");
	PUT("errata_772415", c.errata_772415 ? "1" : "0", "",
	    "the modelled part has no such erratum",
	    "behave as Linux on Sapphire Rapids (no read-only maps in nest parents)");
#undef PUT
}
