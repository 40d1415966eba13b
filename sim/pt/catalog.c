/* SPDX-License-Identifier: MIT */
/* Named, typical configurations of every page-table format. */
#include <string.h>

#include "sim/pt.h"

static int x86_4l(struct ims_pt_fmt *f)
{
	/* VT-d first stage on a current server part: 4-level, 1G pages,
	 * hardware A/D (always on for VT-d FS), 46-bit HAW. */
	struct ims_pt_x86_cfg c = { .levels = 4, .oas = 46, .pg1g = true,
				    .flags = IMS_PT_F_SIGN_EXTEND | IMS_PT_F_AD };
	return ims_pt_fmt_x86_64(f, &c);
}

static int x86_5l(struct ims_pt_fmt *f)
{
	struct ims_pt_x86_cfg c = { .levels = 5, .oas = 52, .pg1g = true,
				    .flags = IMS_PT_F_SIGN_EXTEND | IMS_PT_F_AD };
	return ims_pt_fmt_x86_64(f, &c);
}

static int vtdss(struct ims_pt_fmt *f, unsigned levels)
{
	struct ims_pt_vtdss_cfg c = { .levels = levels, .mgaw = levels == 5 ? 57 : 48, .oas = 46,
				      .pg2m = true, .pg1g = true };
	return ims_pt_fmt_vtd_ss(f, &c);
}
static int vtdss3(struct ims_pt_fmt *f) { return vtdss(f, 3); }
static int vtdss4(struct ims_pt_fmt *f) { return vtdss(f, 4); }
static int vtdss5(struct ims_pt_fmt *f) { return vtdss(f, 5); }

static int amdv1(struct ims_pt_fmt *f, unsigned mode)
{
	struct ims_pt_amdv1_cfg c = { .mode = mode, .oas = 52, .flags = IMS_PT_F_AD };
	return ims_pt_fmt_amdv1(f, &c);
}
static int amd_m3(struct ims_pt_fmt *f) { return amdv1(f, 3); }
static int amd_m4(struct ims_pt_fmt *f) { return amdv1(f, 4); }
static int amd_m6(struct ims_pt_fmt *f) { return amdv1(f, 6); }

static int arm_s1(struct ims_pt_fmt *f, unsigned g)
{
	/* Linux arm-smmu-v3 stage 1: 48-bit VA (T0SZ 16), HA/HD as on
	 * SMMUv3.2 parts with HTTU. */
	struct ims_pt_arm_cfg c = { .stage = 1, .granule_shift = g, .tsz = g == 14 ? 17 : 16,
				    .oas = 48, .flags = IMS_PT_F_AD };
	return ims_pt_fmt_arm(f, &c);
}
static int arm_s1_4k(struct ims_pt_fmt *f) { return arm_s1(f, 12); }
static int arm_s1_16k(struct ims_pt_fmt *f) { return arm_s1(f, 14); }
static int arm_s1_64k(struct ims_pt_fmt *f) { return arm_s1(f, 16); }

static int arm_s2_4k(struct ims_pt_fmt *f)
{
	/* 40-bit IPA from level 1 with two concatenated root tables. */
	struct ims_pt_arm_cfg c = { .stage = 2, .granule_shift = 12, .tsz = 24, .sl0 = 1, .oas = 44 };
	return ims_pt_fmt_arm(f, &c);
}
static int arm_s2_16k(struct ims_pt_fmt *f)
{
	struct ims_pt_arm_cfg c = { .stage = 2, .granule_shift = 14, .tsz = 24, .sl0 = 1, .oas = 44 };
	return ims_pt_fmt_arm(f, &c);
}
static int arm_s2_64k(struct ims_pt_fmt *f)
{
	struct ims_pt_arm_cfg c = { .stage = 2, .granule_shift = 16, .tsz = 22, .sl0 = 1, .oas = 48 };
	return ims_pt_fmt_arm(f, &c);
}

const struct ims_pt_named ims_pt_catalog[] = {
	{ "x86-64-4l", "x86-64 4-level, 4K/2M/1G, A/D (VT-d first stage, AMD v2)", x86_4l },
	{ "x86-64-5l", "x86-64 5-level, 57-bit (VT-d first stage with FS5LP)", x86_5l },
	{ "vtd-ss-3l", "VT-d second stage, AW=1 (39-bit, 3-level), 2M/1G", vtdss3 },
	{ "vtd-ss-4l", "VT-d second stage, AW=2 (48-bit, 4-level), 2M/1G", vtdss4 },
	{ "vtd-ss-5l", "VT-d second stage, AW=3 (57-bit, 5-level), 2M/1G", vtdss5 },
	{ "amdv1-m3", "AMD-Vi v1, mode 3 (39-bit), NextLevel=7 sizes, HAD", amd_m3 },
	{ "amdv1-m4", "AMD-Vi v1, mode 4 (48-bit), NextLevel=7 sizes, HAD", amd_m4 },
	{ "amdv1-m6", "AMD-Vi v1, mode 6 (64-bit), NextLevel=7 sizes, HAD", amd_m6 },
	{ "arm-s1-4k", "Arm VMSAv8-64 stage 1, 4K granule, 48-bit VA, HA", arm_s1_4k },
	{ "arm-s1-16k", "Arm VMSAv8-64 stage 1, 16K granule, 47-bit VA, HA", arm_s1_16k },
	{ "arm-s1-64k", "Arm VMSAv8-64 stage 1, 64K granule, 48-bit VA, HA", arm_s1_64k },
	{ "arm-s2-4k", "Arm VMSAv8-64 stage 2, 4K granule, 40-bit IPA, 2 concatenated roots", arm_s2_4k },
	{ "arm-s2-16k", "Arm VMSAv8-64 stage 2, 16K granule, 40-bit IPA", arm_s2_16k },
	{ "arm-s2-64k", "Arm VMSAv8-64 stage 2, 64K granule, 42-bit IPA", arm_s2_64k },
};
const unsigned ims_pt_ncatalog = sizeof(ims_pt_catalog) / sizeof(ims_pt_catalog[0]);

const struct ims_pt_named *ims_pt_catalog_find(const char *name)
{
	for (unsigned i = 0; i < ims_pt_ncatalog; i++)
		if (!strcmp(ims_pt_catalog[i].name, name))
			return &ims_pt_catalog[i];
	return NULL;
}
