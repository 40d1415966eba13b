/* SPDX-License-Identifier: MIT */
/*
 * `iommusim tables` — builds page tables in each format with the generic
 * mapper (one mapping per leaf size the format offers, up to 1 GiB, plus a
 * read-only page) and prints walks step by step: every table entry read with
 * its raw value and decoded fields, accessed/dirty updates, the result, and
 * the faults a walk can end in.
 *
 * `iommusim formats` lists the formats.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/mem.h"
#include "sim/palloc.h"
#include "sim/pt.h"

#define POOL_BASE 0x1000000000ull /* table pages come from [64 GiB, 65 GiB) */
#define POOL_SIZE (1ull << 30)

static void print_line(void *arg, const char *line)
{
	fprintf((FILE *)arg, "%s\n", line);
}

static const char *size_str(unsigned shift, char *buf, size_t n)
{
	if (shift >= 30)
		snprintf(buf, n, "%lluG", 1ull << (shift - 30));
	else if (shift >= 20)
		snprintf(buf, n, "%lluM", 1ull << (shift - 20));
	else
		snprintf(buf, n, "%lluK", 1ull << (shift - 10));
	return buf;
}

static void walk_and_print(const struct ims_pt_fmt *f, struct ims_mem *m, uint64_t root,
			   uint64_t iova, unsigned access, const char *what)
{
	struct ims_pt_walk w;

	printf("walk %s 0x%" PRIx64 " (%s%s%s):\n", what, iova, access & IMS_PT_ACC_R ? "r" : "",
	       access & IMS_PT_ACC_W ? "w" : "", access & IMS_PT_ACC_PRIV ? ", privileged" : "");
	ims_pt_walk(f, m, &(struct ims_pt_walk_req){ .iova = iova, .access = access, .table = root,
						      .start_level = -1, .perms = IMS_PT_PERM_ALL },
		    &w);
	ims_pt_print_walk(f, &w, iova, print_line, stdout);
	if (w.fault == IMS_PT_OK && w.nupdates)
		printf("  (%u accessed/dirty update%s made)\n", ims_pt_apply_updates(m, &w),
		       w.nupdates == 1 ? "" : "s");
}

/* The IOVA where the demo puts a leaf of 2^shift bytes: inside the input
 * range of every format (the Arm TTB1 and the 64-bit AMD modes included). */
static uint64_t demo_iova(const struct ims_pt_fmt *f, unsigned shift, unsigned k)
{
	uint64_t base = (1ull << 31) + (uint64_t)k * (1ull << 31);

	if (f->flags & IMS_PT_F_TTB1)
		base |= ~0ull << f->ias;
	return base & ~((1ull << shift) - 1);
}

static int demo_format(const struct ims_pt_named *nf)
{
	struct ims_pt_fmt f;
	struct ims_mem *m;
	struct ims_palloc p;
	uint64_t root, all = 0, ro_iova = 0;
	char sz[32];
	unsigned k = 0;
	int rc = nf->make(&f);

	if (rc) {
		fprintf(stderr, "iommusim: format %s: configuration rejected (%d)\n", nf->name, rc);
		return 1;
	}
	m = ims_mem_new();
	if (!m || ims_palloc_init(&p, m, POOL_BASE, POOL_SIZE) || ims_pt_alloc_root(&f, &p, &root)) {
		fprintf(stderr, "iommusim: out of memory\n");
		ims_mem_free(m);
		return 1;
	}
	printf("=== %s: %s\n", nf->name, nf->what);
	printf("levels %u, input %u bits, output %u bits, root table at 0x%" PRIx64 " (%" PRIu64
	       " bytes)\n", f.top_level + 1, f.ias, f.oas, root, ims_pt_table_bytes(&f, f.top_level));

	for (unsigned l = 0; l <= f.top_level; l++)
		all |= f.leaf_shifts[l];
	for (unsigned s = 0; s <= 30; s++) {
		uint64_t iova, pa;
		if (!(all & (1ull << s)))
			continue;
		iova = demo_iova(&f, s, k++);
		pa = 0x40000000ull + ((uint64_t)k << 30);
		pa &= ~((1ull << s) - 1);
		rc = ims_pt_map(&f, m, &p, root, iova, pa, 1ull << s, IMS_PT_PROT_R | IMS_PT_PROT_W);
		printf("map 0x%" PRIx64 " +%s -> 0x%" PRIx64 " rw: %s\n", iova, size_str(s, sz, sizeof(sz)),
		       pa, rc ? "failed" : "ok");
		if (rc)
			continue;
		walk_and_print(&f, m, root, iova + (1ull << s) - 8, IMS_PT_ACC_W, size_str(s, sz, sizeof(sz)));
	}
	/* A read-only page next to the first mapping, then the faults. */
	ro_iova = demo_iova(&f, f.shift[0], 0) + (64ull << f.shift[0]);
	rc = ims_pt_map(&f, m, &p, root, ro_iova, 0x7000000ull, 1ull << f.shift[0], IMS_PT_PROT_R);
	printf("map 0x%" PRIx64 " +%s -> 0x7000000 r: %s\n", ro_iova,
	       size_str(f.shift[0], sz, sizeof(sz)), rc ? "failed" : "ok");
	walk_and_print(&f, m, root, ro_iova, IMS_PT_ACC_R, "read-only page");
	walk_and_print(&f, m, root, ro_iova, IMS_PT_ACC_W, "write to read-only page");
	walk_and_print(&f, m, root, ro_iova + (1ull << f.shift[0]), IMS_PT_ACC_R, "unmapped page");
	if (f.ias < 64 && !(f.flags & IMS_PT_F_TTB1))
		walk_and_print(&f, m, root, 1ull << f.ias, IMS_PT_ACC_R, "beyond the input range");
	{
		uint64_t un = 0;
		rc = ims_pt_unmap(&f, m, &p, root, demo_iova(&f, f.shift[0], 0), 1ull << f.shift[0], &un);
		printf("unmap 0x%" PRIx64 ": %" PRIu64 " bytes, tables in use %" PRIu64 " bytes\n",
		       demo_iova(&f, f.shift[0], 0), un, p.in_use_bytes);
	}
	printf("\n");
	ims_pt_free(&f, m, &p, root);
	ims_palloc_fini(&p);
	ims_mem_free(m);
	return 0;
}

static int run_tables(int argc, char **argv)
{
	int rc = 0, picked = 0;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--format") && a + 1 < argc) {
			const struct ims_pt_named *nf = ims_pt_catalog_find(argv[++a]);
			if (!nf) {
				fprintf(stderr, "iommusim tables: unknown format '%s' "
						"(see 'iommusim formats')\n", argv[a]);
				return 2;
			}
			rc |= demo_format(nf);
			picked = 1;
		} else {
			fprintf(stderr, "iommusim tables: unexpected argument '%s'\n", argv[a]);
			return 2;
		}
	}
	if (!picked)
		for (unsigned i = 0; i < ims_pt_ncatalog; i++)
			rc |= demo_format(&ims_pt_catalog[i]);
	return rc;
}

static int run_formats(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "iommusim formats: unexpected argument '%s'\n", argv[1]);
		return 2;
	}
	for (unsigned i = 0; i < ims_pt_ncatalog; i++)
		printf("%-12s %s\n", ims_pt_catalog[i].name, ims_pt_catalog[i].what);
	return 0;
}

const struct ims_cli_cmd ims_cmd_tables = {
	.name = "tables",
	.summary = "build page tables in every format and print walks step by step",
	.help = "usage: iommusim tables [--format NAME]...\n\n"
		"Builds page tables with the generic mapper, one mapping per leaf size the\n"
		"format offers (up to 1 GiB) and a read-only page, then prints walks step\n"
		"by step: each entry read (level, index, address, raw value, decoded fields),\n"
		"accessed/dirty updates, the translation, and the faults a walk ends in.\n"
		"Without --format, every format of 'iommusim formats' is shown.\n",
	.run = run_tables,
};

const struct ims_cli_cmd ims_cmd_formats = {
	.name = "formats",
	.summary = "list the page-table formats and their configurations",
	.help = "usage: iommusim formats\n\nLists the page-table format configurations by name.\n",
	.run = run_formats,
};
