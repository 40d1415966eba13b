/* SPDX-License-Identifier: MIT */
/*
 * `iommusim walk` — one translation step by step at a given point of a
 * trace: the trace is replayed up to a line, then one request (device,
 * PASID, address, access) is explained: what is attached, every guest or
 * IOAS table entry read with its raw value and decoded fields, what the
 * oracle says, and the request on the model with its cache hits and misses,
 * memory reads, cycles and result.  The debugging aid for looking up an
 * IOVA in a guest page table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/replay.h"

static bool num(const char *s, uint64_t *out)
{
	return ims_trace_parse_num(s, strlen(s), false, out) == 0;
}

/* BB:DD.F as a requester ID (PCI routing ID: bus<<8 | dev<<3 | fn). */
static bool bdf(const char *s, uint64_t *sid)
{
	unsigned b, d, f;
	char end;

	if (sscanf(s, "%x:%x.%x%c", &b, &d, &f, &end) != 3 || b > 0xff || d > 0x1f || f > 7)
		return false;
	*sid = (uint64_t)b << 8 | d << 3 | f;
	return true;
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "iommusim walk: %s%s%s%s (see --help)\n", msg, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "");
	return 2;
}

static int run_walk(int argc, char **argv)
{
	const char **sets = calloc((size_t)argc, sizeof(*sets));
	const char *pos[4] = { 0 }, *model = NULL;
	struct ims_replay_xreq q = { .pasid = IMS_NO_PASID, .type = IMS_DMA_UNTRANSLATED };
	struct ims_replay_opts ro = { .seed = 1, .diag = stderr };
	unsigned npos = 0, nsets = 0;
	uint64_t v, at = 0;
	int rc = 2;

	if (!sets)
		return 2;
	for (int a = 1; a < argc; a++) {
		const char *s = argv[a];
		if (!strcmp(s, "--model") || !strcmp(s, "--set") || !strcmp(s, "--at") ||
		    !strcmp(s, "--seed")) {
			if (a + 1 >= argc) {
				rc = usage_error("a value is missing after", s);
				goto out;
			}
			const char *val = argv[++a];
			if (!strcmp(s, "--model"))
				model = val;
			else if (!strcmp(s, "--set"))
				sets[nsets++] = val;
			else if (!num(val, !strcmp(s, "--at") ? &at : &ro.seed)) {
				rc = usage_error("bad number", val);
				goto out;
			}
		} else if (!strncmp(s, "pasid=", 6)) {
			if (!num(s + 6, &v) || v >= IMS_NO_PASID) {
				rc = usage_error("bad", s);
				goto out;
			}
			q.pasid = (uint32_t)v;
		} else if (!strncmp(s, "unit=", 5)) {
			if (!num(s + 5, &v) || v > 64) {
				rc = usage_error("bad", s);
				goto out;
			}
			q.unit = (uint32_t)v;
		} else if (!strcmp(s, "priv")) {
			q.access |= IMS_PT_ACC_PRIV;
		} else if (!strncmp(s, "type=", 5)) {
			static const char *const t[] = { "untranslated", "translation", "translated",
							  "page_request" };
			unsigned i;
			for (i = 0; i < 4 && strcmp(s + 5, t[i]); i++)
				;
			if (i == 4) {
				rc = usage_error("bad", s);
				goto out;
			}
			q.type = (enum ims_dma_type)i;
		} else if (s[0] == '-' && s[1]) {
			rc = usage_error("unknown option", s);
			goto out;
		} else if (npos < 4) {
			pos[npos++] = s;
		} else {
			rc = usage_error("unexpected argument", s);
			goto out;
		}
	}
	if (npos != 4) {
		rc = usage_error("want FILE DEV ACCESS ADDR", NULL);
		goto out;
	}
	/* DEV: $name, name, sid=N or bdf=BB:DD.F */
	if (!strncmp(pos[1], "sid=", 4)) {
		if (!num(pos[1] + 4, &v) || v > 0xffff) {
			rc = usage_error("bad", pos[1]);
			goto out;
		}
		q.sid = (uint32_t)v;
	} else if (!strncmp(pos[1], "bdf=", 4)) {
		if (!bdf(pos[1] + 4, &v)) {
			rc = usage_error("bad", pos[1]);
			goto out;
		}
		q.sid = (uint32_t)v;
	} else {
		q.dev = pos[1][0] == '$' ? pos[1] + 1 : pos[1];
	}
	if (!strcmp(pos[2], "r"))
		q.access |= IMS_PT_ACC_R;
	else if (!strcmp(pos[2], "w"))
		q.access |= IMS_PT_ACC_W;
	else if (!strcmp(pos[2], "rw"))
		q.access |= IMS_PT_ACC_R | IMS_PT_ACC_W;
	else if (!strcmp(pos[2], "x"))
		q.access |= IMS_PT_ACC_X;
	else {
		rc = usage_error("bad ACCESS (r, w, rw or x)", pos[2]);
		goto out;
	}
	if (!num(pos[3], &q.addr)) {
		rc = usage_error("bad ADDR", pos[3]);
		goto out;
	}
	if (model) {
		const struct ims_replay_model *m = ims_replay_model_find(model);
		if (!m) {
			rc = usage_error("unknown model", model);
			goto out;
		}
		if (!m->ops) {
			fprintf(stderr, "iommusim walk: model %s is not available in this build\n",
				m->name);
			goto out;
		}
		ro.model = m->ops;
		ro.model_strict = true;
	}
	ro.sets = sets;
	ro.nsets = nsets;
	ro.stop_line = at;

	FILE *f = fopen(pos[0], "r");
	if (!f) {
		fprintf(stderr, "iommusim walk: %s: %s\n", pos[0], strerror(errno));
		goto out;
	}
	struct ims_trace_parser *p = ims_trace_open_file(f, pos[0]);
	struct ims_replay *r = ims_replay_new(&ro);
	if (p && r) {
		enum ims_replay_status st = ims_replay_run(r, p);
		if (st == IMS_REPLAY_ERROR || st == IMS_REPLAY_SKIPPED) {
			if (st == IMS_REPLAY_SKIPPED)
				fprintf(stderr, "iommusim walk: %s\n", ims_replay_reason(r));
			rc = 2;
		} else {
			if (at)
				printf("after %s up to line %llu:\n", pos[0], (unsigned long long)at);
			else
				printf("after %s:\n", pos[0]);
			/* The parser is still open: walk looks names up in it. */
			rc = ims_replay_explain(r, &q, stdout) ? 2 : 0;
		}
	} else {
		fprintf(stderr, "iommusim walk: out of memory\n");
	}
	ims_replay_free(r);
	ims_trace_close(p);
	fclose(f);
out:
	free(sets);
	return rc;
}

const struct ims_cli_cmd ims_cmd_walk = {
	.name = "walk",
	.summary = "one translation step by step at a given point of a trace",
	.help = "usage: iommusim walk [--model M] [--set KEY=VALUE]... [--seed N] [--at LINE]\n"
		"                     FILE DEV ACCESS ADDR [pasid=N] [priv] [unit=N] [type=T]\n"
		"\n"
		"Replays FILE up to (not including) line LINE (default: all of it), then\n"
		"explains one request: DEV is a device of the trace ($name or name) or a\n"
		"requester sid=N / bdf=BB:DD.F; ACCESS is r, w, rw or x; ADDR the IOVA.\n"
		"Printed: what is attached at the RID or PASID, the IOAS area or the guest\n"
		"stage-1 table walked entry by entry (entry address, raw value, decoded\n"
		"fields; guest table addresses through stage 2), what the oracle says, then\n"
		"the request on the model: the counters it moved (IOTLB, walk-cache and\n"
		"config-cache hits and misses, memory reads), its cycles and its result.\n"
		"Exit status 2 when the trace stops with an error before that point.\n",
	.run = run_walk,
};
