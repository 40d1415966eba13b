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
