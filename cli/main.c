/* SPDX-License-Identifier: MIT */
/*
 * iommusim — the command-line front end.
 *
 *   iommusim replay [OPTIONS] FILE...     run traces, print the summary
 *   iommusim info [MODEL]                 models and configuration keys
 *   iommusim walk [OPTIONS] FILE DEV ACCESS ADDR
 *                                         one translation step by step
 *   iommusim tables [--format NAME]...   build page tables in every format
 *                                         and print walks step by step
 *   iommusim formats                      list the page-table formats
 *   iommusim --help | --version
 *
 * Each subcommand lives in its own cli/cmd_*.c and registers here.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct ims_cli_cmd *const commands[] = {
	&ims_cmd_replay,
	&ims_cmd_info,
	&ims_cmd_walk,
	&ims_cmd_import,
	&ims_cmd_tables,
	&ims_cmd_formats,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: iommusim COMMAND [ARGS...]\n\n"
		     "iommusim simulates Intel VT-d, Arm SMMUv3 and AMD-Vi IOMMUs.\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\n'iommusim COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("iommusim %s\n", IMS_CLI_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i]->name))
			continue;
		for (int a = 2; a < argc; a++) {
			if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
				fputs(commands[i]->help, stdout);
				return 0;
			}
		}
		return commands[i]->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "iommusim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
