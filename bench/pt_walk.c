/* SPDX-License-Identifier: MIT */
/*
 * bench/pt_walk — speed of the generic walker and mapper, per format.
 *
 * For each format: 64 MiB of 4 KiB pages (16384 leaves, scattered output
 * addresses so no large leaf is used) are mapped, then random pages among
 * them are translated:
 *   full     a walk from the root (4 reads on 4-level formats)
 *   resumed  a walk that starts at the leaf table, as after a hit in a
 *            walk cache of the level above (1 read)
 * and pages are mapped and unmapped one by one (map/s, unmap/s), and 2 MiB
 * leaves where the format has them.  The tables fit in the host's caches
 * ("warm").  Each figure is the median of RUNS runs.
 *
 *   build/rel/bench/pt_walk [RUNS] [--format NAME]...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/mem.h"
#include "sim/palloc.h"
#include "sim/pt.h"

#define NPAGES 16384u
#define NWALKS 2000000u
#define NMAPS 16384u

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct result {
	double full, resumed, map4k, unmap4k, map2m;
	unsigned reads;
};

static uint64_t base_iova(const struct ims_pt_fmt *f)
{
	uint64_t b = 1ull << 32;
	if (f->flags & IMS_PT_F_TTB1)
		b |= ~0ull << f->ias;
	return b;
}

static int bench_one(const struct ims_pt_named *nf, unsigned runs, struct result *r)
{
	struct ims_pt_fmt f, f4k;
	struct ims_mem *m = ims_mem_new();
	struct ims_palloc p;
	uint64_t root, seed = 0x9e3779b97f4a7c15ull, sink = 0;
	uint64_t *iovas = malloc(NWALKS / 8 * sizeof(*iovas));
	double *t = calloc(runs, sizeof(*t));
	uint64_t base;
	struct ims_pt_walk w;
	struct ims_pt_walk_req req = { .access = IMS_PT_ACC_R, .start_level = -1,
				       .perms = IMS_PT_PERM_ALL };

	if (!m || !iovas || !t || nf->make(&f) || ims_palloc_init(&p, m, 1ull << 40, 1ull << 32) ||
	    ims_pt_alloc_root(&f, &p, &root))
		return -1;
	base = base_iova(&f);
	f4k = f;
	ims_pt_fmt_limit(&f4k, f.shift[0]);
	/* 16384 single pages at scattered physical addresses. */
	for (unsigned i = 0; i < NPAGES; i++) {
		uint64_t pa = ((rnd(&seed) % (1ull << 26)) << f.shift[0]) & ((1ull << 38) - 1);
		if (ims_pt_map(&f4k, m, &p, root, base + ((uint64_t)i << f.shift[0]), pa,
			       1ull << f.shift[0], IMS_PT_PROT_R | IMS_PT_PROT_W))
			return -1;
	}
	for (unsigned i = 0; i < NWALKS / 8; i++)
		iovas[i] = base + ((rnd(&seed) % NPAGES) << f.shift[0]) + 8 * (i % 64);

	/* Full walks. */
	for (unsigned k = 0; k < runs; k++) {
		double t0 = now();
		for (unsigned i = 0; i < NWALKS; i++) {
			req.iova = iovas[i % (NWALKS / 8)];
			req.table = root;
			ims_pt_walk(&f, m, &req, &w);
			sink += w.oa;
		}
		t[k] = NWALKS / (now() - t0);
	}
	r->full = median(t, runs);
	r->reads = w.nreads;

	/* Resumed at the leaf table: the table and rights come from one full
	 * walk per page, as a walk cache would hold them. */
	{
		uint64_t *leaf_table = malloc(NWALKS / 8 * sizeof(*leaf_table));
		uint32_t *perms = malloc(NWALKS / 8 * sizeof(*perms));
		if (!leaf_table || !perms)
			return -1;
		for (unsigned i = 0; i < NWALKS / 8; i++) {
			ims_pt_translate(&f, m, root, iovas[i], IMS_PT_ACC_R, &w);
			leaf_table[i] = w.reads[w.nreads - 1].table;
			perms[i] = w.nreads > 1 ? w.reads[w.nreads - 2].perms : IMS_PT_PERM_ALL;
		}
		for (unsigned k = 0; k < runs; k++) {
			struct ims_pt_walk_req rq = { .access = IMS_PT_ACC_R, .start_level = 0 };
			double t0 = now();
			for (unsigned i = 0; i < NWALKS; i++) {
				unsigned j = i % (NWALKS / 8);
				rq.iova = iovas[j];
				rq.table = leaf_table[j];
				rq.perms = perms[j];
				ims_pt_walk(&f, m, &rq, &w);
				sink += w.oa;
			}
			t[k] = NWALKS / (now() - t0);
		}
		free(leaf_table);
		free(perms);
	}
	r->resumed = median(t, runs);

	/* Map and unmap single pages in a fresh region. */
	{
		double tm[16], tu[16];
		uint64_t region = base + (1ull << 31);
		for (unsigned k = 0; k < runs && k < 16; k++) {
			uint64_t un;
			double t0 = now();
			for (unsigned i = 0; i < NMAPS; i++)
				ims_pt_map(&f4k, m, &p, root, region + ((uint64_t)i << f.shift[0]),
					   (uint64_t)i << f.shift[0], 1ull << f.shift[0], IMS_PT_PROT_R);
			tm[k] = NMAPS / (now() - t0);
			t0 = now();
			for (unsigned i = 0; i < NMAPS; i++)
				ims_pt_unmap(&f4k, m, &p, root, region + ((uint64_t)i << f.shift[0]),
					     1ull << f.shift[0], &un);
			tu[k] = NMAPS / (now() - t0);
		}
		r->map4k = median(tm, runs < 16 ? runs : 16);
		r->unmap4k = median(tu, runs < 16 ? runs : 16);
	}
	/* 2 MiB mappings (as one leaf where the format has one). */
	r->map2m = 0;
	{
		uint64_t region = base + (1ull << 33), un;
		unsigned n = 512;
		double tm[16];
		for (unsigned k = 0; k < runs && k < 16; k++) {
			double t0 = now();
			for (unsigned i = 0; i < n; i++)
				ims_pt_map(&f, m, &p, root, region + ((uint64_t)i << 21),
					   (uint64_t)i << 21, 1ull << 21, IMS_PT_PROT_R);
			tm[k] = n / (now() - t0);
			ims_pt_unmap(&f, m, &p, root, region, (uint64_t)n << 21, &un);
		}
		r->map2m = median(tm, runs < 16 ? runs : 16);
	}
	if (sink == 1)
		printf(" ");
	ims_pt_free(&f, m, &p, root);
	ims_palloc_fini(&p);
	ims_mem_free(m);
	free(iovas);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned runs = 5;
	const char *only[32];
	unsigned nonly = 0;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--format") && a + 1 < argc && nonly < 32)
			only[nonly++] = argv[++a];
		else if (atoi(argv[a]) > 0)
			runs = (unsigned)atoi(argv[a]);
		else {
			fprintf(stderr, "usage: pt_walk [RUNS] [--format NAME]...\n");
			return 2;
		}
	}
	printf("bench/pt_walk: median of %u runs; %u random pages of %u mapped 4K leaves\n", runs,
	       NWALKS / 8, NPAGES);
	printf("%-11s %5s %14s %14s %12s %12s %12s\n", "format", "reads", "full walk/s",
	       "resumed/s", "map 4K/s", "unmap 4K/s", "map 2M/s");
	for (unsigned i = 0; i < ims_pt_ncatalog; i++) {
		const struct ims_pt_named *nf = &ims_pt_catalog[i];
		struct result r;
		bool pick = nonly == 0;
		for (unsigned j = 0; j < nonly; j++)
			pick |= !strcmp(only[j], nf->name);
		if (!pick)
			continue;
		if (bench_one(nf, runs, &r)) {
			printf("%-11s failed\n", nf->name);
			return 1;
		}
		printf("%-11s %5u %14.0f %14.0f %12.0f %12.0f %12.0f\n", nf->name, r.reads, r.full,
		       r.resumed, r.map4k, r.unmap4k, r.map2m);
		fflush(stdout);
	}
	return 0;
}
