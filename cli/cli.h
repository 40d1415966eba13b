/* SPDX-License-Identifier: MIT */
/* Subcommands of the iommusim command. */
#ifndef IMS_CLI_H
#define IMS_CLI_H

#include <stdbool.h>

#include "sim/pt.h"

#define IMS_CLI_VERSION "0.1"

struct ims_cli_cmd {
	const char *name;
	const char *summary; /* one line for `iommusim --help` */
	const char *help;    /* full text for `iommusim NAME --help` */
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

extern const struct ims_cli_cmd ims_cmd_tables;
extern const struct ims_cli_cmd ims_cmd_formats;
extern const struct ims_cli_cmd ims_cmd_replay;
extern const struct ims_cli_cmd ims_cmd_info;
extern const struct ims_cli_cmd ims_cmd_walk;
extern const struct ims_cli_cmd ims_cmd_import;

#endif
