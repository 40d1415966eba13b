/* SPDX-License-Identifier: MIT */
/*
 * bench/trace_parse — speed of the trace parser (sim/trace), not a test.
 *
 * Generates traces in memory and parses them, printing lines per second and
 * nanoseconds per statement:
 *   dma        `dma $nic r ADDR len=64` lines, the shape of a replay's hot
 *              loop (the replay target is 5 million DMA statements per second
 *              on one core, so parsing must stay well under 100 ns a line);
 *   dma-file   the same through a FILE* (tmpfile), as `iommusim replay` reads;
 *   mixed      a mix of API, memory, register and DMA statements with
 *              expectations and comments.
 * Each figure is the best of RUNS runs, in thread CPU time.
 *
 *   build/rel/bench/trace_parse [LINES] [RUNS]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/trace.h"

/* CPU time of this thread: on a shared machine, time spent waiting for a
 * core does not count against the parser. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct buf {
	char *s;
	size_t len, cap;
};

static void add(struct buf *b, const char *line)
{
	size_t n = strlen(line);
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->cap + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(b->s + b->len, line, n);
	b->len += n;
	b->s[b->len++] = '\n';
}

static void gen_dma(struct buf *b, unsigned long lines)
{
	char l[128];
	add(b, "iommusim-trace 1");
	add(b, "device $nic sid=0x100");
	for (unsigned long i = 2; i < lines; i++) {
		snprintf(l, sizeof(l), "dma $nic %s 0x%lx len=64", (i & 3) ? "r" : "w",
			 0x10000000ul + ((i * 0x9e37ul) & 0xffffful) * 64);
		add(b, l);
	}
}

static void gen_mixed(struct buf *b, unsigned long lines)
{
	char l[160];
	add(b, "iommusim-trace 1");
	add(b, "set iotlb.sets=64 iotlb.ways=8");
	add(b, "device.bind $d sid=0x10 pasid_bits=20");
	add(b, "ioas.alloc $a");
	for (unsigned long i = 4; i < lines; i++) {
		uint64_t iova = 0x100000ull + (i % 4096) * 0x1000;
		switch (i % 8) {
		case 0:
			snprintf(l, sizeof(l), "ioas.map $a iova=0x%" PRIx64 " len=4K va=0x%" PRIx64
				 " prot=rw expect=ok", iova, iova + (uint64_t)0x40000000);
			break;
		case 1:
			snprintf(l, sizeof(l), "ioas.unmap $a iova=0x%" PRIx64 " len=4K unmapped=4K",
				 iova);
			break;
		case 2:
			snprintf(l, sizeof(l), "mem.write64 0x%" PRIx64 " 0x%" PRIx64
				 "  # page-table entry", iova, iova | 3);
			break;
		case 3:
			snprintf(l, sizeof(l), "mmio.read32 0x1c mask=0xff expect=0x0");
			break;
		case 4:
			snprintf(l, sizeof(l), "ioas.iova_ranges $a expect=0x0-0xfedfffff,"
				 "0xfef00000-0xffffffffffffffff");
			break;
		default:
			snprintf(l, sizeof(l), "dma sid=0x10 rw 0x%" PRIx64 " len=8 pasid=1 "
				 "expect=pa:0x%" PRIx64, iova, iova + (uint64_t)0x40000000);
			break;
		}
		add(b, l);
	}
}

/* Parses the buffer once (from memory, or through a FILE*): seconds. */
static double run(const struct buf *b, unsigned long lines, int file)
{
	FILE *f = NULL;
	struct ims_trace_parser *p;
	if (file) {
		f = tmpfile();
		if (!f || fwrite(b->s, 1, b->len, f) != b->len) {
			perror("tmpfile");
			exit(1);
		}
		rewind(f);
		p = ims_trace_open_file(f, "bench.trace");
	} else {
		p = ims_trace_open_mem(b->s, b->len, "bench.trace");
	}
	struct ims_trace_stmt st;
	unsigned long n = 0;
	int rc;
	double t0 = now();
	while ((rc = ims_trace_next(p, &st)) == IMS_TRACE_STMT)
		n++;
	double t = now() - t0;
	if (rc != IMS_TRACE_EOF || n != lines) {
		fprintf(stderr, "parse failed: %s (%lu statements)\n", ims_trace_error(p), n);
		exit(1);
	}
	ims_trace_close(p);
	if (f)
		fclose(f);
	return t;
}

int main(int argc, char **argv)
{
	unsigned long lines = argc > 1 ? strtoul(argv[1], NULL, 0) : 5000000ul;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	if (lines < 16)
		lines = 16;
	struct buf dma = { 0 }, mixed = { 0 };
	gen_dma(&dma, lines);
	gen_mixed(&mixed, lines);
	static const struct {
		const char *name;
		int which, file;
	} cases[] = { { "dma", 0, 0 }, { "dma-file", 0, 1 }, { "mixed", 1, 0 } };
	printf("%-10s %12s %10s %10s\n", "trace", "lines", "Mlines/s", "ns/line");
	for (unsigned c = 0; c < 3; c++) {
		const struct buf *b = cases[c].which ? &mixed : &dma;
		double best = 1e30;
		for (int r = 0; r < runs; r++) {
			double t = run(b, lines, cases[c].file);
			if (t < best)
				best = t;
		}
		printf("%-10s %12lu %10.2f %10.1f\n", cases[c].name, lines, lines / best / 1e6,
		       best * 1e9 / lines);
	}
	free(dma.s);
	free(mixed.s);
	return 0;
}
