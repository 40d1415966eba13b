/* SPDX-License-Identifier: MIT */
/*
 * bench/replay_speed — how fast `iommusim replay` runs an IOTLB-hit-dominated
 * trace, and whether its memory stays flat.  Not a test (not part of make
 * test).
 *
 * The trace is generated on the fly and read through a FILE* (fopencookie),
 * so neither the generator nor a file holds it: memory is the replay's own.
 * It binds one device, maps 64 KiB and then issues DMA statements to four
 * pages (one write in eight, the rest reads of 64 bytes): after the first
 * four misses every request hits the VT-d IOTLB.  Timed in thread CPU time:
 *   parse    the parser alone (sim/trace) over the same text;
 *   replay   parse + replay + ims_dma + the model, the whole hot path.
 * Peak RSS (getrusage) is printed after a short run and after the long one:
 * flat memory means the two agree.
 *
 *   build/rel/bench/replay_speed [LINES] [RUNS]     (default 10000000, 3)
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/replay.h"
#include "sim/trace.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* ---- The generated trace ---------------------------------------------------- */
static const char *const head[] = {
	"iommusim-trace 1",
	"# an IOTLB-hit-dominated trace: one NIC, four hot pages",
	"device.bind $nic sid=0x100",
	"ioas.alloc $a",
	"ioas.map $a iova=0x100000 len=64K va=0x80000000 prot=rw",
	"device.attach $nic pt=$a",
};
#define NHEAD (sizeof(head) / sizeof(head[0]))

/* The DMA lines repeat with this period: they are rendered once, so making
 * the trace costs a memcpy, not a printf per line. */
#define PERIOD 1024

struct gen {
	uint64_t lines;         /* lines to produce */
	char *block;            /* PERIOD rendered DMA lines */
	size_t off[PERIOD + 1]; /* where each starts (off[PERIOD]: the end) */
	char head[512];
	size_t head_len;
	uint64_t total, pos;    /* bytes of the whole stream, bytes read so far */
};

static void render(struct gen *g)
{
	size_t o = 0;

	g->head_len = 0;
	for (size_t i = 0; i < NHEAD; i++)
		g->head_len += (size_t)snprintf(g->head + g->head_len, sizeof(g->head) - g->head_len,
						"%s\n", head[i]);
	g->block = malloc(PERIOD * 64);
	if (!g->block) {
		perror("malloc");
		exit(1);
	}
	for (uint64_t i = 0; i < PERIOD; i++) {
		/* Four pages, 64-byte slots: the shape of a NIC ring's hot loop. */
		const uint64_t page = (i * 0x9e37u >> 3) & 3, slot = (i * 7) & 63;
		g->off[i] = o;
		o += (size_t)snprintf(g->block + o, 64, "dma $nic %s 0x%" PRIx64 " len=64\n",
				      (i & 7) ? "r" : "w", 0x100000 + page * 0x1000 + slot * 64);
	}
	g->off[PERIOD] = o;
}

/* The stream is the head, then the block over and over, cut after the
 * last line: read in large copies. */
static ssize_t gen_read(void *cookie, char *buf, size_t size)
{
	struct gen *g = cookie;
	const size_t blen = g->off[PERIOD];
	size_t done = 0;

	while (done < size && g->pos < g->total) {
		const char *src;
		size_t avail;
		if (g->pos < g->head_len) {
			src = g->head + g->pos;
			avail = g->head_len - g->pos;
		} else {
			size_t in = (size_t)((g->pos - g->head_len) % blen);
			src = g->block + in;
			avail = blen - in;
		}
		if (avail > g->total - g->pos)
			avail = (size_t)(g->total - g->pos);
		size_t n = avail < size - done ? avail : size - done;
		memcpy(buf + done, src, n);
		g->pos += n;
		done += n;
	}
	return (ssize_t)done;
}

static FILE *trace_stream(struct gen *g, uint64_t lines)
{
	memset(g, 0, sizeof(*g));
	g->lines = lines;
	render(g);
	const uint64_t dma = lines - NHEAD;
	g->total = g->head_len + dma / PERIOD * g->off[PERIOD] + g->off[dma % PERIOD];
	FILE *f = fopencookie(g, "r", (cookie_io_functions_t){ .read = gen_read });
	if (f)
		setvbuf(f, NULL, _IOFBF, 1 << 16);
	return f;
}

/* ---- Runs ----------------------------------------------------------------------- */
static double parse_only(uint64_t lines)
{
	struct gen g;
	struct ims_trace_stmt st;
	FILE *f = trace_stream(&g, lines);
	struct ims_trace_parser *p = ims_trace_open_file(f, "gen");
	double t0 = now();

	while (ims_trace_next(p, &st) == IMS_TRACE_STMT)
		;
	double t = now() - t0;
	ims_trace_close(p);
	fclose(f);
	free(g.block);
	return t;
}

static double replay(uint64_t lines, uint64_t *dmas, uint64_t *hits)
{
	struct gen g;
	struct ims_replay_opts o = { .seed = 1 };
	FILE *f = trace_stream(&g, lines);
	struct ims_trace_parser *p = ims_trace_open_file(f, "gen");
	struct ims_replay *r = ims_replay_new(&o);
	double t0 = now();
	enum ims_replay_status st = ims_replay_run(r, p);
	double t = now() - t0;

	if (st != IMS_REPLAY_OK) {
		fprintf(stderr, "replay_speed: the generated trace failed (%d): %s\n", st,
			ims_replay_reason(r));
		exit(1);
	}
	*dmas = ims_replay_summary(r)->dma_statements;
	*hits = ims_replay_stat(ims_replay_summary(r), "iotlb.hits", NULL);
	ims_replay_free(r);
	ims_trace_close(p);
	fclose(f);
	free(g.block);
	return t;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint64_t lines = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000ull;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	uint64_t dmas = 0, hits = 0;
	double tp[16], tr[16];

	if (lines < NHEAD + 1 || runs < 1 || runs > 16) {
		fprintf(stderr, "usage: replay_speed [LINES > %zu] [RUNS 1..16]\n", NHEAD);
		return 2;
	}
	/* A short run first: its peak RSS is the baseline of "flat". */
	replay(lines / 100 > 10000 ? lines / 100 : 10000, &dmas, &hits);
	long rss_short = peak_rss_kib();
	for (int i = 0; i < runs; i++) {
		tp[i] = parse_only(lines);
		tr[i] = replay(lines, &dmas, &hits);
	}
	long rss_long = peak_rss_kib();
	qsort(tp, (size_t)runs, sizeof(double), cmp);
	qsort(tr, (size_t)runs, sizeof(double), cmp);
	double mp = tp[runs / 2], mr = tr[runs / 2];
	printf("replay_speed: %" PRIu64 " lines, %" PRIu64 " DMA statements, %" PRIu64
	       " IOTLB hits; median of %d runs (thread CPU time)\n", lines, dmas, hits, runs);
	printf("  parse only        %8.2f M lines/s   %6.1f ns/line\n", lines / mp / 1e6,
	       mp / (double)lines * 1e9);
	printf("  replay            %8.2f M DMA/s     %6.1f ns/DMA statement (target >= 5 M/s)\n",
	       dmas / mr / 1e6, mr / (double)dmas * 1e9);
	printf("  peak RSS          %ld KiB after %" PRIu64 " lines, %ld KiB after %" PRIu64
	       " lines\n", rss_short, lines / 100 > 10000 ? lines / 100 : 10000, rss_long, lines);
	return 0;
}
