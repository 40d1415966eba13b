/* SPDX-License-Identifier: MIT */
/*
 * `iommusim import ftrace|qemu FILE [-o OUT]` — turns a Linux ftrace capture
 * or a QEMU -trace log into a model-neutral trace (sim/import.h), and says on
 * stderr what it imported, what it did not know and which lines it skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/import.h"
#include "sim/trace.h"

static const char help[] =
	"usage: iommusim import ftrace|qemu FILE [-o OUT] [--model vtd|smmuv3|amdvi]\n"
	"                      [--sid NAME=SID]... [--synth sweep|first|none] [--quiet]\n"
	"\n"
	"Turns a capture into a trace that `iommusim replay` runs (traces/FORMAT.md,\n"
	"\"Importers\").  FILE '-' reads standard input.\n"
	"\n"
	"  ftrace   Linux trace text: tracefs trace/trace_pipe, trace-cmd report (with or\n"
	"           without -l), perf script; pasted mail text (quote prefixes, wrapped\n"
	"           lines) too.  Events: iommu:* (map/unmap of both eras, groups,\n"
	"           attach/detach, io_page_fault), dma:* (6.12 to 6.18 formats),\n"
	"           intel_iommu:qi_submit, prq_report and the older DMA-API events.\n"
	"  qemu     QEMU -trace log output, with or without PID@TIME or ISO-time\n"
	"           prefixes: vtd_*, amdvi_*, smmuv3_* and smmu_* events.\n"
	"\n"
	"  -o OUT           write the trace to OUT (default: standard output)\n"
	"  --model M        the capture was taken on model M: the trace starts with\n"
	"                   `model M` and faults carrying M's own code expect it\n"
	"                   (expect=fault:CODE); without it the trace is model-neutral\n"
	"  --sid NAME=SID   requester ID of a device the capture names without a PCI\n"
	"                   address (e.g. --sid 1d84000.ufshc=0x10)\n"
	"  --synth MODE     DMAs made up for dma:* buffers: sweep (one access over the\n"
	"                   whole buffer, default), first (4 bytes at its start), none\n"
	"  --quiet          no summary on stderr (malformed lines are still reported)\n"
	"\n"
	"Devices are bound with the sid of their PCI name and attached to one IOAS\n"
	"each (per iommu group); map events become ioas.map, unmaps ioas.unmap; QEMU\n"
	"translations become DMAs that expect the address QEMU found; faults become\n"
	"DMAs that expect a fault.  Each statement ends with a comment naming the\n"
	"capture line it came from; DMAs say `observed` or `synthesised` there.\n"
	"Unknown events are counted, malformed lines reported as FILE:LINE and\n"
	"skipped; neither stops the import.\n"
	"\n"
	"Exit status: 0 imported (whatever was skipped), 2 bad arguments or I/O error.\n";

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "iommusim import: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
	fprintf(stderr, "usage: iommusim import ftrace|qemu FILE [-o OUT] (see --help)\n");
	return 2;
}

static int parse_sid(const char *arg, struct ims_import_sid *out)
{
	const char *eq = strrchr(arg, '=');
	char *end;
	unsigned long v;

	if (!eq || eq == arg || !eq[1])
		return -1;
	errno = 0;
	v = strtoul(eq + 1, &end, 0);
	if (errno || *end || v > 0xffff)
		return -1;
	out->name = strndup(arg, (size_t)(eq - arg));
	out->sid = (uint32_t)v;
	return out->name ? 0 : -1;
}

static int run(int argc, char **argv)
{
	struct ims_import_opts opts;
	struct ims_import_sid *sids = NULL;
	struct ims_import_report *rep = NULL;
	const char *fmtname = NULL, *file = NULL, *outname = NULL;
	enum ims_import_format fmt;
	bool quiet = false;
	FILE *in, *out;
	int rc = 0, status = 0;

	ims_import_opts_init(&opts);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) {
			outname = argv[++i];
		} else if (!strcmp(a, "--model") && i + 1 < argc) {
			const char *m = argv[++i];
			opts.model = !strcmp(m, "vtd")	  ? IMS_TRACE_MODEL_VTD
				     : !strcmp(m, "smmuv3") ? IMS_TRACE_MODEL_SMMUV3
				     : !strcmp(m, "amdvi")  ? IMS_TRACE_MODEL_AMDVI
							    : -2;
			if (opts.model == -2) {
				status = usage_error("unknown model", m);
				goto out;
			}
		} else if (!strcmp(a, "--sid") && i + 1 < argc) {
			struct ims_import_sid *p = realloc(sids, (opts.nsids + 1) * sizeof(*sids));
			if (!p) {
				status = usage_error("out of memory", NULL);
				goto out;
			}
			sids = p;
			if (parse_sid(argv[++i], &sids[opts.nsids])) {
				status = usage_error("bad --sid (NAME=SID, SID <= 0xffff):", argv[i]);
				goto out;
			}
			opts.nsids++;
		} else if (!strcmp(a, "--synth") && i + 1 < argc) {
			const char *m = argv[++i];
			if (!strcmp(m, "sweep"))
				opts.synth = IMS_IMPORT_SYNTH_SWEEP;
			else if (!strcmp(m, "first"))
				opts.synth = IMS_IMPORT_SYNTH_FIRST;
			else if (!strcmp(m, "none"))
				opts.synth = IMS_IMPORT_SYNTH_NONE;
			else {
				status = usage_error("unknown --synth mode", m);
				goto out;
			}
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			quiet = true;
		} else if (a[0] == '-' && a[1]) {
			status = usage_error("unknown or incomplete option", a);
			goto out;
		} else if (!fmtname) {
			fmtname = a;
		} else if (!file) {
			file = a;
		} else {
			status = usage_error("unexpected argument", a);
			goto out;
		}
	}
	opts.sids = sids;
	if (!fmtname || !file) {
		status = usage_error("needs a format and a FILE", NULL);
		goto out;
	}
	if (!strcmp(fmtname, "ftrace"))
		fmt = IMS_IMPORT_FTRACE;
	else if (!strcmp(fmtname, "qemu"))
		fmt = IMS_IMPORT_QEMU;
	else {
		status = usage_error("unknown format (ftrace or qemu):", fmtname);
		goto out;
	}

	in = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!in) {
		fprintf(stderr, "iommusim import: %s: %s\n", file, strerror(errno));
		status = 2;
		goto out;
	}
	out = outname ? fopen(outname, "w") : stdout;
	if (!out) {
		fprintf(stderr, "iommusim import: %s: %s\n", outname, strerror(errno));
		if (in != stdin)
			fclose(in);
		status = 2;
		goto out;
	}
	rc = ims_import_stream(fmt, in, file, out, stderr, &opts, &rep);
	if (rep && !quiet)
		ims_import_report_print(rep, stderr);
	if (rc) {
		fprintf(stderr, "iommusim import: %s: %s\n", file,
			rc == -EIO ? "read or write error" : strerror(-rc));
		status = 2;
	}
	if (in != stdin)
		fclose(in);
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "iommusim import: %s: %s\n", outname, strerror(errno));
		status = 2;
	}
	ims_import_report_free(rep);
out:
	for (unsigned i = 0; i < opts.nsids; i++)
		free((char *)sids[i].name);
	free(sids);
	return status;
}

const struct ims_cli_cmd ims_cmd_import = {
	.name = "import",
	.summary = "turn an ftrace or QEMU trace capture into a trace",
	.help = help,
	.run = run,
};
