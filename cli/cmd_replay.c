/* SPDX-License-Identifier: MIT */
/*
 * `iommusim replay` — runs traces on one model or on all of them and prints
 * what happened and what it cost (TRACE-FORMAT.md "Output"; options and exit
 * status in traces/FORMAT.md §9).
 *
 * Exit status: 0 when every expectation held (and, with --check, every
 * finding was declared by the trace); 1 when an expectation failed or
 * --check found something undeclared; 2 on an error (a malformed trace, an
 * API failure without expect=, a model that is not available, bad usage).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sim/replay.h"

struct opts {
	const char *model; /* NULL: the trace's; "all" */
	const char **sets;
	unsigned nsets;
	uint64_t seed;
	bool json, results, check, quiet;
	const char **files;
	unsigned nfiles;
};

/* Lines of --results kept for --json. */
struct lines {
	char **v;
	size_t n, cap;
	bool failed;
};

static void keep_line(void *arg, const char *line)
{
	struct lines *l = arg;

	if (l->failed)
		return;
	if (l->n == l->cap) {
		size_t c = l->cap ? 2 * l->cap : 256;
		char **v = realloc(l->v, c * sizeof(*v));
		if (!v) {
			l->failed = true;
			return;
		}
		l->v = v;
		l->cap = c;
	}
	l->v[l->n] = strdup(line);
	if (!l->v[l->n])
		l->failed = true;
	else
		l->n++;
}

static void print_line(void *arg, const char *line)
{
	fputs(line, (FILE *)arg);
	fputc('\n', (FILE *)arg);
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- Progress on a terminal ------------------------------------------------------ */
struct progress {
	FILE *f;
	const char *name;
	long size;
	bool shown;
};

static void progress(void *arg, uint64_t statements)
{
	struct progress *p = arg;
	long at = ftell(p->f);
	const int width = 30;

	if (p->size > 0 && at >= 0) {
		int fill = (int)((double)at / (double)p->size * width);
		fill = fill > width ? width : fill;
		fprintf(stderr, "\r  [%.*s%*s] %3d%% %s", fill, "##############################",
			width - fill, "", (int)(100.0 * (double)at / (double)p->size), p->name);
	} else {
		fprintf(stderr, "\r  %llu statements %s", (unsigned long long)statements, p->name);
	}
	fflush(stderr);
	p->shown = true;
}

static void progress_done(struct progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
}

/* ---- Arguments ---------------------------------------------------------------------- */

/* "--opt VALUE" or "--opt=VALUE": the value, advancing *a; NULL if none. */
static const char *value_of(int argc, char **argv, int *a, const char *opt)
{
	size_t n = strlen(opt);

	if (!strncmp(argv[*a], opt, n) && argv[*a][n] == '=')
		return argv[*a] + n + 1;
	if (!strcmp(argv[*a], opt)) {
		if (*a + 1 >= argc)
			return NULL;
		return argv[++*a];
	}
	return NULL;
}

static bool is_opt(const char *arg, const char *opt)
{
	size_t n = strlen(opt);
	return !strncmp(arg, opt, n) && (arg[n] == 0 || arg[n] == '=');
}

static int parse(int argc, char **argv, struct opts *o)
{
	o->sets = calloc((size_t)argc, sizeof(*o->sets));
	o->files = calloc((size_t)argc, sizeof(*o->files));
	if (!o->sets || !o->files) {
		fprintf(stderr, "iommusim replay: out of memory\n");
		return 2;
	}
	o->seed = 1;
	for (int a = 1; a < argc; a++) {
		const char *arg = argv[a], *v;
		if (is_opt(arg, "--model")) {
			if (!(v = value_of(argc, argv, &a, "--model")))
				goto missing;
			o->model = v;
		} else if (is_opt(arg, "--set")) {
			if (!(v = value_of(argc, argv, &a, "--set")))
				goto missing;
			o->sets[o->nsets++] = v;
		} else if (is_opt(arg, "--seed")) {
			char *end;
			if (!(v = value_of(argc, argv, &a, "--seed")))
				goto missing;
			errno = 0;
			o->seed = strtoull(v, &end, 0);
			if (errno || !*v || *end) {
				fprintf(stderr, "iommusim replay: bad --seed '%s'\n", v);
				return 2;
			}
		} else if (!strcmp(arg, "--json")) {
			o->json = true;
		} else if (!strcmp(arg, "--results")) {
			o->results = true;
		} else if (!strcmp(arg, "--check")) {
			o->check = true;
		} else if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
			o->quiet = true;
		} else if (arg[0] == '-' && arg[1]) {
			fprintf(stderr, "iommusim replay: unknown option '%s' (see --help)\n", arg);
			return 2;
		} else {
			o->files[o->nfiles++] = arg;
		}
		continue;
missing:
		fprintf(stderr, "iommusim replay: %s needs a value\n", arg);
		return 2;
	}
	if (!o->nfiles) {
		fprintf(stderr, "iommusim replay: no trace given (see --help)\n");
		return 2;
	}
	return 0;
}

/* ---- One trace on one model ---------------------------------------------------- */
struct run {
	struct ims_replay *r;
	enum ims_replay_status st;
	struct lines results;
};

static int run_one(const struct opts *o, const char *file, const struct ims_model_ops *model,
		   bool strict, const char *tag, struct run *out)
{
	struct ims_replay_opts ro = {
		.model = model, .model_strict = strict, .sets = o->sets, .nsets = o->nsets,
		.seed = o->seed, .check = o->check, .diag = stderr, .tag = tag,
	};
	struct progress pg = { 0 };
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	struct ims_trace_parser *p;
	struct stat sb;

	memset(out, 0, sizeof(*out));
	if (!f) {
		fprintf(stderr, "iommusim replay: %s: %s\n", file, strerror(errno));
		return -1;
	}
	if (o->results) {
		ro.result = o->json ? keep_line : print_line;
		ro.result_arg = o->json ? (void *)&out->results : (void *)stdout;
	}
	if (isatty(STDERR_FILENO)) {
		pg.f = f;
		pg.name = file;
		pg.size = fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) ? (long)sb.st_size : 0;
		ro.progress = progress;
		ro.progress_arg = &pg;
	}
	p = ims_trace_open_file(f, file);
	out->r = ims_replay_new(&ro);
	if (!p || !out->r) {
		fprintf(stderr, "iommusim replay: out of memory\n");
		ims_trace_close(p);
		ims_replay_free(out->r);
		out->r = NULL;
		if (f != stdin)
			fclose(f);
		return -1;
	}
	out->st = ims_replay_run(out->r, p);
	progress_done(&pg);
	/* The parser is needed no more; the summary stays with the run. */
	ims_trace_close(p);
	if (f != stdin)
		fclose(f);
	if (out->results.failed)
		fprintf(stderr, "iommusim replay: out of memory keeping --results\n");
	return 0;
}

static void json_lines(const struct lines *l)
{
	fputs(",\"results\":[", stdout);
	for (size_t i = 0; i < l->n; i++) {
		fputs(i ? ",\"" : "\"", stdout);
		for (const char *s = l->v[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				fputc('\\', stdout);
			fputc(*s, stdout);
		}
		fputc('"', stdout);
	}
	fputc(']', stdout);
}

static int run_replay(int argc, char **argv)
{
	struct opts o = { 0 };
	const struct ims_model_ops *only = NULL;
	bool all = false, first_json = true;
	int worst = 0, rc = parse(argc, argv, &o);

	if (rc)
		goto out;
	if (o.model && !strcmp(o.model, "all")) {
		all = true;
	} else if (o.model) {
		const struct ims_replay_model *m = ims_replay_model_find(o.model);
		if (!m) {
			fprintf(stderr, "iommusim replay: unknown model '%s' (vtd, smmuv3, amdvi or "
				"all)\n", o.model);
			rc = 2;
			goto out;
		}
		if (!m->ops) {
			fprintf(stderr, "iommusim replay: model %s is not available in this build\n",
				m->name);
			rc = 2;
			goto out;
		}
		only = m->ops;
	}
	if (o.json) {
		fputs("{\"iommusim_replay\":1,\"models\":[", stdout);
		for (unsigned i = 0; i < ims_replay_nmodels; i++)
			printf("%s{\"name\":\"%s\",\"available\":%s}", i ? "," : "",
			       ims_replay_models[i].name, ims_replay_models[i].ops ? "true" : "false");
		fputs("],\"runs\":[", stdout);
	}
	for (unsigned fi = 0; fi < o.nfiles; fi++) {
		const char *file = o.files[fi];
		struct run runs[8];
		struct ims_replay *cols[8];
		char notes[8][128];
		const char *np[8];
		unsigned nr = 0, nn = 0;

		if (all) {
			for (unsigned i = 0; i < ims_replay_nmodels && nr < 8; i++) {
				const struct ims_replay_model *m = &ims_replay_models[i];
				if (!m->ops) {
					snprintf(notes[nn], sizeof(notes[0]), "%s: not available in this "
						 "build", m->name);
					np[nn] = notes[nn];
					nn++;
					continue;
				}
				if (run_one(&o, file, m->ops, false, m->name, &runs[nr]) < 0) {
					worst = 2;
					continue;
				}
				nr++;
			}
		} else if (run_one(&o, file, only, only != NULL, NULL, &runs[nr]) == 0) {
			nr++;
		} else {
			worst = 2;
		}
		unsigned nc = 0;
		for (unsigned i = 0; i < nr; i++) {
			const struct run *x = &runs[i];
			int code = x->st == IMS_REPLAY_ERROR ? 2 : x->st == IMS_REPLAY_FAILED ? 1 : 0;
			worst = code > worst ? code : worst;
			if (x->st == IMS_REPLAY_SKIPPED) {
				snprintf(notes[nn], sizeof(notes[0]), "%s: skipped (%s)",
					 ims_replay_model_name(x->r) ? ims_replay_model_name(x->r)
								     : "?",
					 ims_replay_reason(x->r));
				np[nn] = notes[nn];
				nn++;
			} else if (x->st == IMS_REPLAY_ERROR) {
				snprintf(notes[nn], sizeof(notes[0]), "%s: stopped by an error (see "
					 "the message above)", ims_replay_model_name(x->r)
								 ? ims_replay_model_name(x->r) : "?");
				np[nn] = notes[nn];
				nn++;
			} else {
				cols[nc++] = x->r;
			}
		}
		if (o.json) {
			for (unsigned i = 0; i < nr; i++) {
				fputs(first_json ? "{" : ",{", stdout);
				first_json = false;
				ims_replay_print_json(stdout, file, runs[i].r, runs[i].st);
				if (o.results)
					json_lines(&runs[i].results);
				fputc('}', stdout);
			}
		} else if (!o.quiet && (nc || all)) {
			/* A single run stopped by an error has only its message. */
			ims_replay_print_table(stdout, file, cols, nc, np, nn);
		}
		for (unsigned i = 0; i < nr; i++) {
			ims_replay_free(runs[i].r);
			lines_free(&runs[i].results);
		}
	}
	if (o.json)
		printf("],\"exit\":%d}\n", worst);
	rc = worst;
out:
	free(o.sets);
	free(o.files);
	return rc;
}

const struct ims_cli_cmd ims_cmd_replay = {
	.name = "replay",
	.summary = "run traces on a model and print what happened and what it cost",
	.help = "usage: iommusim replay [--model vtd|smmuv3|amdvi|all] [--set KEY=VALUE]...\n"
		"                        [--seed N] [--json] [--results] [--check] [--quiet] FILE...\n"
		"\n"
		"Runs each trace (shared/TRACE-FORMAT.md, traces/FORMAT.md; FILE '-' is stdin)\n"
		"on a model and prints a summary: statements, DMAs, translations, faults by\n"
		"code, IOTLB and walk-cache hit rates, memory reads per walk, simulated latency\n"
		"(mean, p50, p99, max in cycles and ns), invalidations by kind and their cost,\n"
		"expectation failures.\n"
		"\n"
		"  --model M     the model: vtd, smmuv3, amdvi, or all (every model of this\n"
		"                build, side by side; a trace written for one model runs only\n"
		"                there).  Default: the trace's `model`, else the first model\n"
		"                available.  A model not in this build is an error (exit 2).\n"
		"  --set K=V     a configuration key, as `set` in the trace (applied after the\n"
		"                trace's own); 'iommusim info MODEL' lists the keys.\n"
		"  --seed N      the machine's seed (default 1).\n"
		"  --json        print one JSON object instead of the table.\n"
		"  --results     one stable line per DMA request, for diffing two runs.\n"
		"  --check       compare every DMA of a bound device with the oracle; report\n"
		"                stale translations, use-after-unmap and mismatches.\n"
		"  --quiet       no summary (the exit status and diagnostics remain).\n"
		"\n"
		"Expectation failures print 'FILE:LINE: expected X, got Y'; errors print\n"
		"'FILE:LINE: message' and stop that trace.\n"
		"Exit status: 0 every expectation held; 1 an expectation failed, or --check\n"
		"found what the trace did not declare (check check.stale == N); 2 an error.\n",
	.run = run_replay,
};
