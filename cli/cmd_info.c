/* SPDX-License-Identifier: MIT */
/*
 * `iommusim info [MODEL]` — the models this build has and, for one model,
 * every configuration key with its default and where that default comes
 * from (the model's cfg_describe: its cost table and its part).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/replay.h"

static void put_key(void *arg, const struct ims_cfg_key *k)
{
	FILE *out = arg;

	fprintf(out, "  %s = %s%s%s\n", k->key, k->def, k->unit && *k->unit ? " " : "",
		k->unit ? k->unit : "");
	if (k->help && *k->help)
		fprintf(out, "      %s\n", k->help);
	fprintf(out, "      source: %s\n", k->source && *k->source ? k->source : "(none given)");
}

static int run_info(int argc, char **argv)
{
	if (argc > 2) {
		fprintf(stderr, "iommusim info: unexpected argument '%s'\n", argv[2]);
		return 2;
	}
	if (argc == 1) {
		printf("models:\n");
		for (unsigned i = 0; i < ims_replay_nmodels; i++) {
			const struct ims_replay_model *m = &ims_replay_models[i];
			printf("  %-8s %s%s\n", m->name, m->what,
			       m->ops ? "" : " (not available in this build)");
		}
		printf("\n'iommusim info MODEL' lists a model's configuration keys.\n");
		return 0;
	}
	const struct ims_replay_model *m = ims_replay_model_find(argv[1]);
	if (!m) {
		fprintf(stderr, "iommusim info: unknown model '%s' (vtd, smmuv3, amdvi)\n", argv[1]);
		return 2;
	}
	if (!m->ops) {
		fprintf(stderr, "iommusim info: model %s is not available in this build\n", m->name);
		return 2;
	}
	printf("%s: %s\n\nconfiguration keys (`set KEY=VALUE` in a trace, or replay --set "
	       "KEY=VALUE):\n", m->name, m->what);
	if (m->ops->cfg_describe)
		m->ops->cfg_describe(put_key, stdout);
	else
		printf("  (the model describes none)\n");
	return 0;
}

const struct ims_cli_cmd ims_cmd_info = {
	.name = "info",
	.summary = "list the models, or a model's configuration keys and their sources",
	.help = "usage: iommusim info [MODEL]\n\n"
		"Without MODEL, lists the models and whether this build has them.  With a\n"
		"MODEL, lists every configuration key a trace may `set` (or replay --set):\n"
		"its default, its unit, what it means and where the default comes from.\n",
	.run = run_info,
};
