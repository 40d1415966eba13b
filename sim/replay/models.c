/* SPDX-License-Identifier: MIT */
/*
 * The models a trace may name (TRACE-FORMAT.md: `model vtd|smmuv3|amdvi`)
 * and which of them this build has.  A model that lands adds its ops here;
 * until then replay says it is not available.
 */
#include <stddef.h>
#include <string.h>

#include "iommusim/vtd.h"
#include "sim/replay.h"

const struct ims_replay_model ims_replay_models[] = {
	{ "vtd", "Intel VT-d (rev 5.x; rev 3.x by setting): scalable and legacy mode, nested, "
		 "PASID, page requests",
	  &ims_vtd_model },
	{ "smmuv3", "Arm SMMUv3 with NVIDIA Tegra241 CMDQ-V", NULL },
	{ "amdvi", "AMD-Vi with the AMD hardware vIOMMU", NULL },
};
const unsigned ims_replay_nmodels = sizeof(ims_replay_models) / sizeof(ims_replay_models[0]);

const struct ims_replay_model *ims_replay_model_find(const char *name)
{
	for (unsigned i = 0; name && i < ims_replay_nmodels; i++)
		if (!strcmp(ims_replay_models[i].name, name))
			return &ims_replay_models[i];
	return NULL;
}

const struct ims_replay_model *ims_replay_model_default(void)
{
	for (unsigned i = 0; i < ims_replay_nmodels; i++)
		if (ims_replay_models[i].ops)
			return &ims_replay_models[i];
	return NULL;
}
