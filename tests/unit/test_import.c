/* SPDX-License-Identifier: MIT */
/*
 * sim/import: captures people already have become traces that parse, are
 * canonical, say where each statement came from, and mean what the capture
 * meant (contract: sim/import.h; conventions: traces/FORMAT.md §8).
 * The golden captures live in tests/e2e/import/ (run from the repository
 * root, as tests/run.sh does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/import.h"
#include "sim/trace.h"
#include "tests/unit/tharness.h"

#define GOLDEN "tests/e2e/import/"

struct run {
	char *out, *diag;
	size_t outlen, diaglen;
	struct ims_import_report *rep;
	int rc;
};

static struct run import_opts(enum ims_import_format fmt, const char *text, size_t len,
			      const struct ims_import_opts *o)
{
	struct run r = { 0 };
	FILE *out = open_memstream(&r.out, &r.outlen), *diag = open_memstream(&r.diag, &r.diaglen);

	ck_assert(out && diag);
	r.rc = ims_import_mem(fmt, text, len, "cap.txt", out, diag, o, &r.rep);
	fclose(out);
	fclose(diag);
	return r;
}

static struct run import(enum ims_import_format fmt, const char *text)
{
	return import_opts(fmt, text, strlen(text), NULL);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->diag);
	ims_import_report_free(r->rep);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s not found (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The statements of an output without provenance comments (and without the
 * first line, which names the capture): what two imports must agree on. */
static char *statements_only(const char *out)
{
	size_t n = strlen(out);
	char *s = malloc(n + 1), *w = s;
	const char *p = strchr(out, '\n');

	ck_assert(s);
	p = p ? p + 1 : out + n;
	while (*p) {
		const char *e = strchr(p, '\n'), *c;
		size_t l = e ? (size_t)(e - p) : strlen(p);
		c = memchr(p, '#', l);
		if (c)
			l = (size_t)(c - p);
		while (l && p[l - 1] == ' ')
			l--;
		memcpy(w, p, l);
		w += l;
		*w++ = '\n';
		p = e ? e + 1 : p + strlen(p);
	}
	*w = '\0';
	return s;
}

/* Every statement parses, is written back to the very same text, and
 * carries a "# LINE EVENT" comment.  Returns the number of statements. */
static unsigned check_output(const char *out, size_t len, const char *what)
{
	struct ims_trace_parser *p = ims_trace_open_mem(out, len, what);
	struct ims_trace_stmt st;
	unsigned n = 0;
	int r;

	ck_assert(p);
	while ((r = ims_trace_next(p, &st)) == IMS_TRACE_STMT) {
		char text[4096];
		const char *line = out;
		for (uint64_t k = 1; k < st.line; k++)
			line = strchr(line, '\n') + 1;
		const char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);
		const char *hash = memchr(line, '#', l);
		size_t sl = hash ? (size_t)(hash - line - 1) : l;
		int fl = ims_trace_format(text, sizeof(text), &st, ims_trace_parser_names(p));
		ck_assert_msg(fl > 0, "%s:%llu: the writer refuses a statement it read", what,
			      (unsigned long long)st.line);
		ck_assert_msg((size_t)fl == sl && !memcmp(text, line, sl),
			      "%s:%llu: not canonical: '%.*s' vs '%s'", what,
			      (unsigned long long)st.line, (int)sl, line, text);
		if (st.verb != IMS_TRACE_V_HEADER && st.verb != IMS_TRACE_V_MODEL &&
		    st.verb != IMS_TRACE_V_SET) {
			unsigned long long src;
			ck_assert_msg(hash && sscanf(hash, "# %llu ", &src) == 1 && src > 0,
				      "%s:%llu: no provenance comment", what,
				      (unsigned long long)st.line);
		}
		n++;
	}
	ck_assert_msg(r == IMS_TRACE_EOF, "%s: %s", what, ims_trace_error(p));
	ims_trace_close(p);
	return n;
}

static const struct golden {
	const char *file;
	enum ims_import_format fmt;
	int model;
	const char *sid_name;
	uint32_t sid;
} goldens[] = {
	{ "ftrace_tracefs.txt", IMS_IMPORT_FTRACE, -1, NULL, 0 },
	{ "ftrace_tracecmd.txt", IMS_IMPORT_FTRACE, -1, NULL, 0 },
	{ "ftrace_mail.txt", IMS_IMPORT_FTRACE, -1, "aa00000.video-codec", 0x10 },
	{ "ftrace_perf.txt", IMS_IMPORT_FTRACE, -1, NULL, 0 },
	{ "ftrace_dma_6.12.txt", IMS_IMPORT_FTRACE, -1, NULL, 0 },
	{ "ftrace_dma_6.13.txt", IMS_IMPORT_FTRACE, -1, NULL, 0 },
	{ "ftrace_dma_6.18.txt", IMS_IMPORT_FTRACE, -1, NULL, 0 },
	{ "ftrace_iommu_vfio.txt", IMS_IMPORT_FTRACE, -1, NULL, 0 },
	{ "ftrace_intel.txt", IMS_IMPORT_FTRACE, -1, NULL, 0 },
	{ "ftrace_malformed.txt", IMS_IMPORT_FTRACE, -1, NULL, 0 },
	{ "qemu_vtd_pid.log", IMS_IMPORT_QEMU, -1, NULL, 0 },
	{ "qemu_vtd_pid.log", IMS_IMPORT_QEMU, IMS_TRACE_MODEL_VTD, NULL, 0 },
	{ "qemu_amdvi_plain.log", IMS_IMPORT_QEMU, IMS_TRACE_MODEL_AMDVI, NULL, 0 },
	{ "qemu_smmuv3_iso.log", IMS_IMPORT_QEMU, IMS_TRACE_MODEL_SMMUV3, NULL, 0 },
	{ "qemu_smmuv3_old_pid.log", IMS_IMPORT_QEMU, -1, NULL, 0 },
	{ "qemu_malformed.log", IMS_IMPORT_QEMU, -1, NULL, 0 },
};
#define NGOLDEN (sizeof(goldens) / sizeof(goldens[0]))

static void golden_opts(const struct golden *g, struct ims_import_opts *o,
			struct ims_import_sid *sid)
{
	ims_import_opts_init(o);
	o->model = g->model;
	if (g->sid_name) {
		*sid = (struct ims_import_sid){ g->sid_name, g->sid };
		o->sids = sid;
		o->nsids = 1;
	}
}

START_TEST(every_golden_capture_imports_to_canonical_trace_text_that_parses)
{
	const struct golden *g = &goldens[_i];
	struct ims_import_opts o;
	struct ims_import_sid sid;
	char path[256];
	size_t len;

	snprintf(path, sizeof(path), GOLDEN "%s", g->file);
	char *in = slurp(path, &len);
	golden_opts(g, &o, &sid);
	struct run r = import_opts(g->fmt, in, len, &o);
	ck_assert_int_eq(r.rc, 0);
	unsigned n = check_output(r.out, r.outlen, g->file);
	ck_assert_u64_eq(n, ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, NULL));
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_NOTES,
						 "internal error: statement refused by the writer"),
			 0);
	/* Something was imported from every capture. */
	ck_assert(ims_import_report_count(r.rep, IMS_IMPORT_T_IMPORTED, NULL) > 0);
	run_free(&r);
	free(in);
}
END_TEST

START_TEST(the_same_capture_imports_to_the_same_bytes_from_memory_and_from_a_file)
{
	size_t len;
	char *in = slurp(GOLDEN "ftrace_iommu_vfio.txt", &len);
	struct run a = import_opts(IMS_IMPORT_FTRACE, in, len, NULL);
	struct run b = import_opts(IMS_IMPORT_FTRACE, in, len, NULL);
	char *c = NULL;
	size_t clen;
	FILE *f = fopen(GOLDEN "ftrace_iommu_vfio.txt", "r"), *out = open_memstream(&c, &clen);

	ck_assert(f && out);
	ck_assert_int_eq(ims_import_stream(IMS_IMPORT_FTRACE, f, "cap.txt", out, NULL, NULL, NULL), 0);
	fclose(f);
	fclose(out);
	ck_assert_uint_eq(a.outlen, b.outlen);
	ck_assert_mem_eq(a.out, b.out, a.outlen);
	ck_assert_uint_eq(a.outlen, clen);
	ck_assert_mem_eq(a.out, c, clen);
	free(c);
	run_free(&a);
	run_free(&b);
	free(in);
}
END_TEST

START_TEST(a_pipe_is_read_twice_through_a_temporary_copy)
{
	static const char cap[] =
		"  (udev-worker)-532 [010] ..... 4.878076: map: IOMMU: iova=0x00000000fe980000 - "
		"0x00000000fe981000 paddr=0x000000010ec80000 size=4096\n"
		"  (udev-worker)-532 [010] ..... 4.878079: dma_map_page: 0000:c2:00.0 dir=TO_DEVICE "
		"dma_addr=fe980000 size=4096 phys_addr=10ec80000 attrs=\n";
	int fd[2];
	char *out = NULL;
	size_t outlen;

	ck_assert_int_eq(pipe(fd), 0);
	ck_assert_int_eq(write(fd[1], cap, sizeof(cap) - 1), (int)(sizeof(cap) - 1));
	close(fd[1]);
	FILE *in = fdopen(fd[0], "r"), *o = open_memstream(&out, &outlen);
	ck_assert(in && o);
	ck_assert_int_eq(ims_import_stream(IMS_IMPORT_FTRACE, in, "-", o, NULL, NULL, NULL), 0);
	fclose(in);
	fclose(o);
	struct run m = import(IMS_IMPORT_FTRACE, cap);
	char *a = statements_only(out), *b = statements_only(m.out);
	ck_assert_str_eq(a, b);
	ck_assert(strstr(a, "ioas.map $ioas_c2_00_0 iova=0xfe980000 len=4K va=0x10ec80000 prot=r\n"));
	free(a);
	free(b);
	free(out);
	run_free(&m);
}
END_TEST

/* One map/dma pair in every framing people paste: tracefs with 4, 5 and 7
 * flag columns and a TGID column, trace-cmd report with and without flags
 * and with nanoseconds, perf script. */
START_TEST(every_ftrace_framing_of_the_same_events_imports_alike)
{
	static const char *const caps[] = {
		"      kworker/3:0-40      [003] .....    5.100000: map: IOMMU: iova=0x00000000ffff0000 - 0x0000000100000000 paddr=0x0000000222220000 size=65536\n"
		"      kworker/3:0-40      [003] .....    5.100004: dma_alloc: 0000:05:00.0 dir=BIDIRECTIONAL dma_addr=ffff0000 size=65536 virt_addr=0000000012121212 flags=GFP_KERNEL attrs=\n",
		"      kworker/3:0-40      [003] ....    5.100000: map: IOMMU: iova=0x00000000ffff0000 - 0x0000000100000000 paddr=0x0000000222220000 size=65536\n"
		"      kworker/3:0-40      [003] d.h1    5.100004: dma_alloc: 0000:05:00.0 dir=BIDIRECTIONAL dma_addr=ffff0000 size=65536 virt_addr=0000000012121212 flags=GFP_KERNEL attrs=\n",
		"      kworker/3:0-40      [003] .......    5.100000: map: IOMMU: iova=0x00000000ffff0000 - 0x0000000100000000 paddr=0x0000000222220000 size=65536\n"
		"      kworker/3:0-40      [003] dNs2...    5.100004: dma_alloc: 0000:05:00.0 dir=BIDIRECTIONAL dma_addr=ffff0000 size=65536 virt_addr=0000000012121212 flags=GFP_KERNEL attrs=\n",
		"      kworker/3:0-40 (   40) [003] .....    5.100000: map: IOMMU: iova=0x00000000ffff0000 - 0x0000000100000000 paddr=0x0000000222220000 size=65536\n"
		"      kworker/3:0-40 (   40) [003] .....    5.100004: dma_alloc: 0000:05:00.0 dir=BIDIRECTIONAL dma_addr=ffff0000 size=65536 virt_addr=0000000012121212 flags=GFP_KERNEL attrs=\n",
		"      kworker/3:0-40    [003]     5.100000: map:                  IOMMU: iova=0x00000000ffff0000 - 0x0000000100000000 paddr=0x0000000222220000 size=65536\n"
		"      kworker/3:0-40    [003]     5.100004123: dma_alloc:            0000:05:00.0 dir=BIDIRECTIONAL dma_addr=ffff0000 size=65536 virt_addr=0000000012121212 flags=GFP_KERNEL attrs=\n",
		"      kworker/3:0-40    [003] d..1.   5.100000: map:                  IOMMU: iova=0x00000000ffff0000 - 0x0000000100000000 paddr=0x0000000222220000 size=65536\n"
		"      kworker/3:0-40    [003] d..1.   5.100004: dma_alloc:            0000:05:00.0 dir=BIDIRECTIONAL dma_addr=ffff0000 size=65536 virt_addr=0000000012121212 flags=GFP_KERNEL attrs=\n",
		"      kworker/3:0    40 [003]     5.100000:                      iommu:map: IOMMU: iova=0x00000000ffff0000 - 0x0000000100000000 paddr=0x0000000222220000 size=65536\n"
		"      kworker/3:0    40 [003]     5.100004:                  dma:dma_alloc: 0000:05:00.0 dir=BIDIRECTIONAL dma_addr=ffff0000 size=65536 virt_addr=0000000012121212 flags=GFP_KERNEL attrs=\n",
	};
	struct run ref = import(IMS_IMPORT_FTRACE, caps[0]);
	char *want = statements_only(ref.out);

	ck_assert(strstr(want, "ioas.map $ioas_05_00_0 iova=0xffff0000 len=64K va=0x222220000 prot=rw\n"
			       "dma $dev_05_00_0 rw 0xffff0000 len=64K expect=pa:0x222220000\n"));
	for (size_t i = 1; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct run r = import(IMS_IMPORT_FTRACE, caps[i]);
		char *got = statements_only(r.out);
		ck_assert_msg(!strcmp(got, want), "framing %zu:\n%s\nvs\n%s", i, got, want);
		ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_IMPORTED, NULL), 2);
		free(got);
		run_free(&r);
	}
	free(want);
	run_free(&ref);
}
END_TEST

START_TEST(a_capture_quoted_and_wrapped_by_a_mail_client_imports_like_the_original)
{
	static const char orig[] =
		"     kworker/0:1-34    [000] ....   112.345678: map: IOMMU: iova=0x00000000ffff0000 paddr=0x0000000234560000 size=65536\n"
		"     kworker/0:1-34    [000] ....   112.345700: dma_map_page: 0000:00:02.0 dir=FROM_DEVICE dma_addr=ffff0000 size=65536 phys_addr=234560000 attrs=\n"
		"     kworker/0:1-34    [000] ....   112.401000: dma_unmap_page: 0000:00:02.0 dir=FROM_DEVICE dma_addr=ffff0000 size=65536 attrs=\n"
		"     kworker/0:1-34    [000] ....   112.401002: unmap: IOMMU: iova=0x00000000ffff0000 size=65536 unmapped_size=65536\n";
	static const char mail[] =
		"Here is what I see:\n"
		">      kworker/0:1-34    [000] ....   112.345678: map: IOMMU:\n"
		"> iova=0x00000000ffff0000 paddr=0x0000000234560000 size=65536\n"
		">      kworker/0:1-34    [000] ....   112.345700: dma_map_page: 0000:00:02.0\r\n"
		"> dir=FROM_DEVICE dma_addr=ffff0000 size=65536 phys_addr=234560000\n"
		"> attrs=\n"
		"> >      kworker/0:1-34    [000] ....   112.401000: dma_unmap_page: 0000:00:02.0 dir=FROM_DEVICE dma_addr=ffff0000 size=65536 attrs=\n"
		"|      kworker/0:1-34    [000] ....   112.401002: unmap: IOMMU: iova=0x00000000ffff0000 size=65536\n"
		"| unmapped_size=65536\n"
		"Thanks\n";
	struct run a = import(IMS_IMPORT_FTRACE, orig), b = import(IMS_IMPORT_FTRACE, mail);
	char *sa = statements_only(a.out), *sb = statements_only(b.out);

	ck_assert_str_eq(sa, sb);
	/* The FROM_DEVICE buffer is written before its unmap. */
	ck_assert(strstr(sa, "dma $dev_00_02_0 w 0xffff0000 len=64K expect=pa:0x234560000\n"
			     "ioas.unmap $ioas_00_02_0 iova=0xffff0000 len=64K unmapped=64K\n"));
	ck_assert_u64_eq(ims_import_report_count(b.rep, IMS_IMPORT_T_NOTES,
						 "event re-joined from lines a mail client wrapped"),
			 3);
	ck_assert_u64_eq(ims_import_report_count(b.rep, IMS_IMPORT_T_IMPORTED, NULL), 4);
	ck_assert_u64_eq(ims_import_report_lines(b.rep), 10);
	/* The map's comment names the first of its wrapped lines. */
	ck_assert(strstr(b.out, "prot=w # 2 map\n"));
	free(sa);
	free(sb);
	run_free(&a);
	run_free(&b);
}
END_TEST

START_TEST(unknown_events_are_counted_by_name_and_do_not_stop_the_import)
{
	struct run r = import(IMS_IMPORT_FTRACE,
			      "  <idle>-0 [000] d.h1. 1.000000: irq_handler_entry: irq=24 name=AMD-Vi\n"
			      "  <idle>-0 [000] d.h1. 1.000001: irq_handler_entry: irq=25 name=nvme\n"
			      "  bash-99 [001] ..... 1.100000: sched:sched_switch: prev_comm=bash\n"
			      "  bash-99 [001] ..... 1.200000: attach_device_to_domain: IOMMU: device=0000:00:02.0\n");

	ck_assert_int_eq(r.rc, 0);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_UNKNOWN, "irq_handler_entry"), 2);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_UNKNOWN, "sched_switch"), 1);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_UNKNOWN, NULL), 3);
	ck_assert_u64_eq(ims_import_report_events(r.rep), 4);
	ck_assert(strstr(r.out, "device.attach $dev_00_02_0 pt=$ioas_00_02_0 # 4 attach_device_to_domain\n"));
	ck_assert_uint_eq(r.diaglen, 0); /* unknown is not malformed */
	run_free(&r);

	r = import(IMS_IMPORT_QEMU, "kvm_exit reason EXTERNAL_INTERRUPT rip 0x0 info 0 0\n"
				    "vfio_region_write  (0000:00:06.0:region0+0x10, 0x1, 4)\n"
				    "kvm_exit reason HLT rip 0x0 info 0 0\n");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_UNKNOWN, "kvm_exit"), 2);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_UNKNOWN, "vfio_region_write"), 1);
	run_free(&r);
}
END_TEST

START_TEST(malformed_lines_are_reported_with_file_and_line_and_skipped)
{
	struct run r = import(IMS_IMPORT_FTRACE,
			      "# tracer: nop\n"
			      "  k-1 [000] ..... 1.0: map: IOMMU: iova=0xZZZ paddr=0x1000 size=4096\n"
			      "  k-1 [000] ..... 1.1: dma_map_page: 0000:00:02.0 dma_addr=1000 size=4 phys_addr=1000 attrs=\n"
			      "  k-1 [000] no-timestamp-here\n"
			      "  k-1 [000] ..... 1.2: attach_device_to_domain: IOMMU: device=0000:00:02.0\n");

	ck_assert_int_eq(r.rc, 0);
	ck_assert(strstr(r.diag, "cap.txt:2: malformed map: "));
	ck_assert(strstr(r.diag, "cap.txt:3: malformed dma_map_page: no dir=\n"));
	ck_assert(strstr(r.diag, "cap.txt:4: malformed line: "));
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_SKIPPED, "malformed map"), 1);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_SKIPPED, "header or comment"), 1);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_SKIPPED, NULL), 4);
	/* The good line after the bad ones is imported. */
	ck_assert(strstr(r.out, "# 5 attach_device_to_domain\n"));
	run_free(&r);

	r = import(IMS_IMPORT_QEMU, "vtd_dmar_translate dev 00:02.00 iova 0x1000 -> gpa 0x2000 mask 0x1234\n"
				    "vtd_dmar_fault sid 0x10 fault 6 addr 0x1000\n");
	ck_assert(strstr(r.diag, "cap.txt:1: malformed vtd_dmar_translate: "));
	ck_assert(strstr(r.diag, "cap.txt:2: malformed vtd_dmar_fault: "));
	run_free(&r);
}
END_TEST

static bool has_line(const struct run *r, const char *stmt)
{
	char *s = statements_only(r->out);
	bool found = false;
	for (char *p = s; !found && (p = strstr(p, stmt)); p++)
		found = (p == s || p[-1] == '\n') && p[strlen(stmt)] == '\n';
	free(s);
	return found;
}

#define ASSERT_STMT(r, stmt) ck_assert_msg(has_line(&(r), stmt), "no '%s' in:\n%s", stmt, (r).out)

START_TEST(an_iommu_map_belongs_to_the_device_whose_dma_event_of_the_same_task_follows)
{
	struct run r = import(IMS_IMPORT_FTRACE,
		"  a-10 [000] ..... 1.000000: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=fffff000 size=64 phys_addr=100000000 attrs=\n"
		"  b-20 [001] ..... 2.000000: map: IOMMU: iova=0x00000000fffff000 - 0x0000000100000000 paddr=0x0000000100200000 size=4096\n"
		"  a-10 [000] ..... 2.000001: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=ffffe000 size=64 phys_addr=100100000 attrs=\n"
		"  b-20 [001] ..... 2.000002: dma_map_page: 0000:00:03.0 dir=FROM_DEVICE dma_addr=fffff000 size=64 phys_addr=100200000 attrs=\n"
		"  c-30 [002] ..... 3.000000: map: IOMMU: iova=0x0000000000100000 - 0x0000000000101000 paddr=0x0000000100300000 size=4096\n");

	/* b's map goes with b's dma event (device 00:03.0), not a's. */
	ASSERT_STMT(r, "ioas.map $ioas_00_03_0 iova=0xfffff000 len=4K va=0x100200000 prot=w");
	/* A map no device can be found for lands in the device-less $ioas. */
	ASSERT_STMT(r, "ioas.alloc $ioas");
	ASSERT_STMT(r, "ioas.map $ioas iova=0x100000 len=4K va=0x100300000 prot=rw");
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_NOTES,
						 "map without a device: put in the device-less $ioas"),
			 1);
	run_free(&r);

	/* With one device in the whole capture, every map is its own. */
	r = import(IMS_IMPORT_FTRACE,
		   "  c-30 [002] ..... 3.000000: map: IOMMU: iova=0x0000000000100000 paddr=0x0000000100300000 size=4096\n"
		   "  irq-5 [000] d.h1. 4.000000: io_page_fault: IOMMU:nvme 0000:01:00.0 iova=0x0000000000200000 flags=0x0001\n");
	ASSERT_STMT(r, "ioas.map $ioas_01_00_0 iova=0x100000 len=4K va=0x100300000 prot=rw");
	ASSERT_STMT(r, "dma $dev_01_00_0 w 0x200000 expect=fault");
	run_free(&r);
}
END_TEST

START_TEST(an_unmap_goes_to_the_ioas_its_dma_unmap_named_and_cut_mappings_keep_the_rest)
{
	struct run r = import(IMS_IMPORT_FTRACE,
		"  a-10 [000] ..... 1.000000: map: IOMMU: iova=0x00000000fffff000 - 0x0000000100000000 paddr=0x0000000100000000 size=4096\n"
		"  a-10 [000] ..... 1.000001: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=fffff000 size=64 phys_addr=100000000 attrs=\n"
		"  b-20 [001] ..... 1.000000: map: IOMMU: iova=0x00000000fff00000 - 0x0000000100000000 paddr=0x0000000110000000 size=1048576\n"
		"  b-20 [001] ..... 1.000001: dma_alloc: 0000:00:03.0 dir=BIDIRECTIONAL dma_addr=fff00000 size=1048576 virt_addr=0 flags=GFP_KERNEL attrs=\n"
		"  a-10 [000] ..... 2.000000: dma_unmap_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=fffff000 size=64 attrs=\n"
		"  a-10 [000] ..... 2.000001: unmap: IOMMU: iova=0x00000000fffff000 - 0x0000000100000000 size=4096 unmapped_size=4096\n"
		"  b-20 [001] ..... 3.000000: unmap: IOMMU: iova=0x00000000fff10000 - 0x00000000fff20000 size=65536 unmapped_size=65536\n"
		"  b-20 [001] ..... 4.000000: unmap: IOMMU: iova=0x00000000aaaa0000 - 0x00000000aaab0000 size=65536 unmapped_size=65536\n");

	/* Both IOASes map 0xfffff000: the dma unmap of task a names 00:02.0. */
	ASSERT_STMT(r, "ioas.unmap $ioas_00_02_0 iova=0xfffff000 len=4K unmapped=4K");
	/* Cutting 64K out of the 1M area: unmapped whole, both ends mapped again. */
	ASSERT_STMT(r, "ioas.unmap $ioas_00_03_0 iova=0xfff00000 len=1M unmapped=1M");
	ASSERT_STMT(r, "ioas.map $ioas_00_03_0 iova=0xfff00000 len=64K va=0x110000000 prot=rw");
	ASSERT_STMT(r, "ioas.map $ioas_00_03_0 iova=0xfff20000 len=896K va=0x110020000 prot=rw");
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_NOTES,
						 "unmap of a range the trace does not map left out"),
			 1);
	run_free(&r);
}
END_TEST

START_TEST(a_map_over_a_live_mapping_unmaps_the_old_one_first)
{
	struct run r = import(IMS_IMPORT_FTRACE,
		"  a-10 [000] ..... 1.0: map: IOMMU: iova=0x0000000000010000 paddr=0x0000000100000000 size=8192\n"
		"  a-10 [000] ..... 2.0: map: IOMMU: iova=0x0000000000011000 paddr=0x0000000200000000 size=4096\n"
		"  a-10 [000] ..... 3.0: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=20000 size=64 phys_addr=300000000 attrs=\n");

	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x10000 len=8K va=0x100000000 prot=rw");
	ASSERT_STMT(r, "ioas.unmap $ioas_00_02_0 iova=0x10000 len=8K unmapped=8K");
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x10000 len=4K va=0x100000000 prot=rw");
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x11000 len=4K va=0x200000000 prot=rw");
	run_free(&r);
}
END_TEST

START_TEST(synthesised_dmas_follow_the_direction_and_the_density_asked_for)
{
	static const char cap[] =
		"  a-10 [000] ..... 1.0: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=10000 size=8192 phys_addr=100000000 attrs=\n"
		"  a-10 [000] ..... 1.1: dma_map_page: 0000:00:02.0 dir=FROM_DEVICE dma_addr=20000 size=100 phys_addr=200000000 attrs=\n"
		"  a-10 [000] ..... 1.2: dma_map_page: 0000:00:02.0 dir=NONE dma_addr=30000 size=100 phys_addr=300000000 attrs=\n"
		"  a-10 [000] ..... 1.3: dma_sync_single_for_device: 0000:00:02.0 dir=TO_DEVICE dma_addr=10000 size=16\n"
		"  a-10 [000] ..... 2.0: dma_unmap_page: 0000:00:02.0 dir=FROM_DEVICE dma_addr=20000 size=100 attrs=\n";
	struct ims_import_opts o;

	ims_import_opts_init(&o);
	struct run r = import_opts(IMS_IMPORT_FTRACE, cap, sizeof(cap) - 1, &o);
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x10000 len=8K va=0x100000000 prot=r");
	ASSERT_STMT(r, "dma $dev_00_02_0 r 0x10000 len=8K expect=pa:0x100000000");
	ASSERT_STMT(r, "dma $dev_00_02_0 r 0x10000 len=16 expect=pa:0x100000000");
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x20000 len=4K va=0x200000000 prot=w");
	/* The device-written buffer: after the map, before the unmap. */
	ck_assert(strstr(r.out, "dma $dev_00_02_0 w 0x20000 len=100 expect=pa:0x200000000 # 5 dma_unmap_page synthesised\n"
				"ioas.unmap $ioas_00_02_0 iova=0x20000 len=4K unmapped=4K # 5 dma_unmap_page\n"));
	/* dir=NONE: mapped (rw), never touched. */
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x30000 len=4K va=0x300000000 prot=rw");
	ck_assert(!strstr(r.out, "dma $dev_00_02_0 r 0x30000"));
	ck_assert(!strstr(r.out, "dma $dev_00_02_0 rw 0x30000"));
	run_free(&r);

	o.synth = IMS_IMPORT_SYNTH_FIRST;
	r = import_opts(IMS_IMPORT_FTRACE, cap, sizeof(cap) - 1, &o);
	ASSERT_STMT(r, "dma $dev_00_02_0 r 0x10000 expect=pa:0x100000000");
	run_free(&r);

	o.synth = IMS_IMPORT_SYNTH_NONE;
	r = import_opts(IMS_IMPORT_FTRACE, cap, sizeof(cap) - 1, &o);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, "dma"), 0);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, "ioas.map"), 3);
	run_free(&r);
}
END_TEST

START_TEST(va_is_the_captured_address_below_the_driver_pool_and_synthetic_otherwise)
{
	struct run r = import(IMS_IMPORT_FTRACE,
		"  a-10 [000] ..... 1.0: map: IOMMU: iova=0x0000000000010000 paddr=0x0000004000000000 size=4096\n"
		"  a-10 [000] ..... 1.1: dma_alloc: 0000:00:02.0 dir=BIDIRECTIONAL dma_addr=200000 size=2097152 virt_addr=0 flags= attrs=\n"
		"  a-10 [000] ..... 1.2: dma_map_page: 0000:00:02.0 dir=TO_DEVICE dma_addr=30040 size=64 phys_addr=3ffffff040 attrs=\n");

	/* 256 GiB is the driver pool: the window starts at 260 GiB. */
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x10000 len=4K va=0x4100000000 prot=rw");
	/* A 2 MiB buffer at a 2 MiB IOVA gets a 2 MiB-aligned va. */
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x200000 len=2M va=0x4100200000 prot=rw");
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x30000 len=4K va=0x3ffffff000 prot=r");
	ASSERT_STMT(r, "dma $dev_00_02_0 r 0x30040 len=64 expect=pa:0x3ffffff040");
	run_free(&r);
}
END_TEST

START_TEST(maps_in_the_x86_interrupt_window_are_left_out_unless_the_trace_is_for_smmuv3)
{
	static const char cap[] =
		"  a-10 [000] ..... 1.0: map: IOMMU: iova=0x00000000fed00000 - 0x00000000ff000000 paddr=0x0000000100000000 size=3145728\n"
		"  a-10 [000] ..... 1.1: attach_device_to_domain: IOMMU: device=0000:00:02.0\n";
	struct ims_import_opts o;
	struct run r = import(IMS_IMPORT_FTRACE, cap);

	/* VT-d and AMD-Vi reserve 0xfee00000-0xfeefffff for interrupts: the
	 * map goes around it, each part keeping its own address. */
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0xfed00000 len=1M va=0x100000000 prot=rw");
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0xfef00000 len=1M va=0x100200000 prot=rw");
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, "ioas.map"), 2);
	run_free(&r);
	ims_import_opts_init(&o);
	o.model = IMS_TRACE_MODEL_SMMUV3;
	r = import_opts(IMS_IMPORT_FTRACE, cap, sizeof(cap) - 1, &o);
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0xfed00000 len=3M va=0x100000000 prot=rw");
	run_free(&r);
}
END_TEST

START_TEST(a_new_domain_after_mappings_starts_a_new_ioas_for_the_whole_group)
{
	struct run r = import(IMS_IMPORT_FTRACE,
		"  s-1 [000] ..... 1.0: add_device_to_group: IOMMU: groupID=4 device=0000:00:02.0\n"
		"  s-1 [000] ..... 1.1: add_device_to_group: IOMMU: groupID=4 device=0000:00:02.1\n"
		"  s-1 [000] ..... 1.2: attach_device_to_domain: IOMMU: device=0000:00:02.0\n"
		"  s-1 [000] ..... 1.3: attach_device_to_domain: IOMMU: device=0000:00:02.1\n"
		"  k-2 [000] ..... 2.000000: map: IOMMU: iova=0x0000000000010000 paddr=0x0000000100000000 size=4096\n"
		"  k-2 [000] ..... 2.000003: dma_map_page: 0000:00:02.1 dir=TO_DEVICE dma_addr=10000 size=64 phys_addr=100000000 attrs=\n"
		"  q-3 [000] ..... 3.0: attach_device_to_domain: IOMMU: device=0000:00:02.0\n"
		"  q-3 [000] ..... 3.1: attach_device_to_domain: IOMMU: device=0000:00:02.1\n"
		"  q-3 [000] ..... 3.2: map: IOMMU: iova=0x0000000000010000 paddr=0x0000000200000000 size=4096\n");

	ASSERT_STMT(r, "device.attach $dev_00_02_0 pt=$ioas_g4");
	ASSERT_STMT(r, "device.attach $dev_00_02_1 pt=$ioas_g4");
	ASSERT_STMT(r, "ioas.alloc $ioas_g4_2");
	ASSERT_STMT(r, "device.replace $dev_00_02_0 pt=$ioas_g4_2");
	ASSERT_STMT(r, "device.replace $dev_00_02_1 pt=$ioas_g4_2");
	/* The VMM's map, with no dma partner, goes to the group it attached. */
	ASSERT_STMT(r, "ioas.map $ioas_g4_2 iova=0x10000 len=4K va=0x200000000 prot=rw");
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, "ioas.alloc"), 2);
	run_free(&r);
}
END_TEST

START_TEST(a_device_named_without_a_pci_address_needs_a_sid)
{
	static const char cap[] =
		"  irq-9 [000] d.h1 1.0: io_page_fault: IOMMU:venus aa00000.video-codec iova=0x0000000000001000 flags=0x0000\n";
	struct ims_import_sid sid = { "aa00000.video-codec", 0x21 };
	struct ims_import_opts o;
	struct run r = import(IMS_IMPORT_FTRACE, cap);

	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, "dma"), 0);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_NOTES,
						 "device without a PCI address (give --sid NAME=SID): its events left out"),
			 1);
	run_free(&r);
	ims_import_opts_init(&o);
	o.sids = &sid;
	o.nsids = 1;
	r = import_opts(IMS_IMPORT_FTRACE, cap, sizeof(cap) - 1, &o);
	ASSERT_STMT(r, "device.bind $dev_aa00000_video_codec sid=0x21");
	ASSERT_STMT(r, "dma $dev_aa00000_video_codec r 0x1000 expect=fault");
	run_free(&r);
}
END_TEST

START_TEST(a_device_of_another_pci_segment_with_the_same_sid_is_left_out)
{
	struct run r = import(IMS_IMPORT_FTRACE,
		"  s-1 [000] ..... 1.0: attach_device_to_domain: IOMMU: device=0000:00:02.0\n"
		"  s-1 [000] ..... 1.1: attach_device_to_domain: IOMMU: device=0001:00:02.0\n"
		"  s-1 [000] ..... 1.2: io_page_fault: IOMMU:x 0001:00:02.0 iova=0x0000000000001000 flags=0x0000\n");

	ASSERT_STMT(r, "device.bind $dev_00_02_0 sid=0x10");
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, "device.bind"), 1);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, "dma"), 0);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_NOTES,
						 "device with the sid of another (PCI segments?): its events left out"),
			 1);
	run_free(&r);
}
END_TEST

START_TEST(fault_codes_are_expected_only_on_the_model_the_capture_was_taken_on)
{
	static const char cap[] = "vtd_dmar_fault sid 0x10 fault 6 addr 0xfffff000 write 0\n"
				  "vtd_reg_dmar_root addr 0x12c000 scalable 0\n";
	struct ims_import_opts o;
	struct run r = import(IMS_IMPORT_QEMU, cap);

	ASSERT_STMT(r, "dma $dev_00_02_0 r 0xfffff000 expect=fault");
	ck_assert(!strstr(r.out, "model "));
	run_free(&r);

	ims_import_opts_init(&o);
	o.model = IMS_TRACE_MODEL_VTD;
	r = import_opts(IMS_IMPORT_QEMU, cap, sizeof(cap) - 1, &o);
	/* The guest ran in legacy mode (learnt ahead of its line): so does the model. */
	ck_assert(strstr(r.out, "\niommusim-trace 1\nmodel vtd\nset mode=legacy\n"));
	ASSERT_STMT(r, "dma $dev_00_02_0 r 0xfffff000 expect=fault:0x6");
	run_free(&r);

	o.model = IMS_TRACE_MODEL_SMMUV3;
	r = import_opts(IMS_IMPORT_QEMU, cap, sizeof(cap) - 1, &o);
	ASSERT_STMT(r, "model smmuv3");
	ASSERT_STMT(r, "dma $dev_00_02_0 r 0xfffff000 expect=fault");
	run_free(&r);
}
END_TEST

START_TEST(qemu_translations_map_pages_as_found_and_invalidations_unmap_them)
{
	struct run r = import(IMS_IMPORT_QEMU,
		"vtd_iotlb_page_update IOTLB page update sid 0x10 iova 0x2040 slpte 0x55555001 domain 0x3\n"
		"vtd_dmar_translate dev 00:02.00 iova 0x2000 -> gpa 0x55555000 mask 0xfff\n"
		"vtd_dmar_translate dev 00:02.00 iova 0x2000 -> gpa 0x55555000 mask 0xfff\n"
		"vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x3 addr 0x2000 mask 0x0\n"
		"vtd_dmar_translate dev 00:02.00 iova 0x2000 -> gpa 0x66666000 mask 0xfff\n"
		"vtd_dmar_translate dev 00:02.00 iova 0x200000 -> gpa 0x80000000 mask 0x1fffff\n"
		"vtd_inv_desc_iotlb_domain iotlb invalidate whole domain 0x7\n"
		"vtd_inv_desc_iotlb_domain iotlb invalidate whole domain 0x3\n");

	/* The IOTLB fill said read-only (slpte R=1 W=0); the access is a read. */
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x2000 len=4K va=0x55555000 prot=r");
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, "ioas.map"), 3);
	ASSERT_STMT(r, "dma $dev_00_02_0 r 0x2000 expect=pa:0x55555000");
	ASSERT_STMT(r, "ioas.unmap $ioas_00_02_0 iova=0x2000 len=4K unmapped=4K");
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x2000 len=4K va=0x66666000 prot=rw");
	ASSERT_STMT(r, "ioas.map $ioas_00_02_0 iova=0x200000 len=2M va=0x80000000 prot=rw");
	/* Domain 7 is not the device's: nothing goes; domain 3 empties it. */
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, "ioas.unmap"), 2);
	ASSERT_STMT(r, "ioas.unmap $ioas_00_02_0 iova=0x0 len=0xffffffffffffffff unmapped=2052K");
	run_free(&r);
}
END_TEST

START_TEST(page_requests_attach_their_pasid_with_a_fault_queue_and_answers_read_the_group)
{
	struct run r = import(IMS_IMPORT_FTRACE,
		"  t-1 [000] ..... 1.0: prq_report: dmar0/0000:00:04.0 seq# 1: rid=0x20 addr=0x12345 r---- pasid=0x5 index=0x3\n"
		"  t-1 [000] ..... 1.1: prq_report: dmar0/0000:00:04.0 seq# 2: rid=0x20 addr=0x12346 rw--l pasid=0x5 index=0x3\n"
		"  t-1 [000] ..... 1.2: qi_submit: page_grp_resp dmar0: 0x0000000500201019 0x0000000000000018 0x0 0x0\n"
		"  t-1 [000] ..... 1.3: qi_submit: page_grp_resp dmar0: 0x0000000500200019 0x0000000000000020 0x0 0x0\n");

	/* Pass 1 saw the page requests: the device is bound PRI-capable. */
	ASSERT_STMT(r, "device.bind $dev_00_04_0 sid=0x20 pasid_bits=20 ats pri");
	ASSERT_STMT(r, "hwpt.alloc $hwpt_00_04_0 dev=$dev_00_04_0 pt=$ioas_00_04_0 pasid");
	ASSERT_STMT(r, "fault.alloc $fault_00_04_0");
	ASSERT_STMT(r, "hwpt.alloc $hwpt_00_04_0_pasid5 dev=$dev_00_04_0 pt=$ioas_00_04_0_pasid5 pasid fault=$fault_00_04_0");
	ASSERT_STMT(r, "device.attach $dev_00_04_0 pt=$hwpt_00_04_0_pasid5 pasid=5");
	ASSERT_STMT(r, "dma $dev_00_04_0 r 0x12345000 pasid=5 type=page_request prgi=3 expect=queued");
	ASSERT_STMT(r, "dma $dev_00_04_0 rw 0x12346000 pasid=5 type=page_request prgi=3 last expect=queued");
	/* Two requests in the group: two records, one response (RC 1: invalid). */
	ASSERT_STMT(r, "fault.read $fault_00_04_0 as=$cookie dev=$dev_00_04_0 pasid=5 grpid=3");
	ASSERT_STMT(r, "fault.read $fault_00_04_0 dev=$dev_00_04_0 pasid=5 grpid=3");
	ASSERT_STMT(r, "fault.respond $fault_00_04_0 cookie=$cookie code=invalid");
	/* A response to a group never queued is left out. */
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_WRITTEN, "fault.respond"), 1);
	ck_assert_u64_eq(ims_import_report_count(r.rep, IMS_IMPORT_T_NOTES,
						 "page response to no group the trace queued left out"),
			 1);
	run_free(&r);
}
END_TEST

START_TEST(bad_arguments_are_refused_without_output)
{
	struct ims_import_opts o;
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	struct ims_import_report *rep = (void *)1;

	ck_assert(f);
	ck_assert_int_eq(ims_import_mem((enum ims_import_format)7, "", 0, "x", f, NULL, NULL, &rep),
			 -EINVAL);
	ck_assert(rep == NULL);
	ck_assert_int_eq(ims_import_mem(IMS_IMPORT_FTRACE, "", 0, "x", NULL, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ims_import_mem(IMS_IMPORT_FTRACE, NULL, 3, "x", f, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ims_import_mem(IMS_IMPORT_FTRACE, "", 0, NULL, f, NULL, NULL, NULL), -EINVAL);
	ims_import_opts_init(&o);
	o.model = 3;
	ck_assert_int_eq(ims_import_mem(IMS_IMPORT_FTRACE, "", 0, "x", f, NULL, &o, NULL), -EINVAL);
	ims_import_opts_init(&o);
	o.nsids = 1;
	ck_assert_int_eq(ims_import_mem(IMS_IMPORT_FTRACE, "", 0, "x", f, NULL, &o, NULL), -EINVAL);
	ck_assert_int_eq(ims_import_stream(IMS_IMPORT_QEMU, NULL, "x", f, NULL, NULL, NULL), -EINVAL);
	fclose(f);
	ck_assert_uint_eq(len, 0);
	free(out);
	/* An empty capture is a trace with only its header. */
	struct run r = import(IMS_IMPORT_QEMU, "");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.out, "# iommusim import qemu cap.txt\niommusim-trace 1\n");
	run_free(&r);
}
END_TEST

START_TEST(the_summary_lists_every_table_with_sorted_keys)
{
	struct run r = import(IMS_IMPORT_FTRACE,
		"  b-1 [000] ..... 1.0: zz_event: x\n"
		"  b-1 [000] ..... 1.1: aa_event: y\n"
		"  b-1 [000] ..... 1.2: attach_device_to_domain: IOMMU: device=0000:00:02.0\n");
	char *s = NULL;
	size_t n;
	FILE *f = open_memstream(&s, &n);

	ck_assert(f);
	ims_import_report_print(r.rep, f);
	fclose(f);
	ck_assert(strstr(s, "iommusim import ftrace cap.txt: 3 lines, 3 events (1 imported, 2 unknown), "
			    "0 lines skipped, 4 statements written\n"));
	ck_assert(strstr(s, "  unknown events: aa_event 1, zz_event 1\n"));
	ck_assert(strstr(s, "  statements: device.attach 1, device.bind 1, ioas.alloc 1, iommusim-trace 1\n"));
	free(s);
	run_free(&r);
}
END_TEST

/* Damaged captures (bytes changed, lines cut, duplicated or swapped) never
 * stop an import, and what it writes still parses and is canonical. */
START_TEST(damaged_captures_never_crash_and_their_output_still_parses)
{
	const struct golden *g = &goldens[_i % NGOLDEN];
	uint64_t rng = ims_test_seed(0x1d0c + (uint64_t)_i);
	struct ims_import_opts o;
	struct ims_import_sid sid;
	char path[256];
	size_t len;

	snprintf(path, sizeof(path), GOLDEN "%s", g->file);
	char *in = slurp(path, &len);
	golden_opts(g, &o, &sid);
	for (unsigned round = 0; round < 12; round++) {
		char *buf = malloc(len * 2 + 64);
		size_t n = len;
		ck_assert(buf);
		memcpy(buf, in, len);
		for (unsigned k = 0; k < 1 + ims_test_rand(&rng) % 8; k++) {
			size_t at = n ? ims_test_rand(&rng) % n : 0;
			switch (ims_test_rand(&rng) % 5) {
			case 0: /* a byte changed */
				if (n)
					buf[at] = (char)(ims_test_rand(&rng) & 0xff);
				break;
			case 1: /* the rest of the line cut */
				while (at < n && buf[at] != '\n')
					memmove(&buf[at], &buf[at + 1], --n - at);
				break;
			case 2: /* a digit made a letter, a space doubled */
				if (n && buf[at] >= '0' && buf[at] <= '9')
					buf[at] = 'g';
				else if (n < len * 2 + 32) {
					memmove(&buf[at + 1], &buf[at], n - at);
					buf[at] = ' ';
					n++;
				}
				break;
			case 3: { /* a chunk duplicated */
				size_t l = (size_t)(ims_test_rand(&rng) % 200);
				if (at + l > n)
					l = n - at;
				if (n + l < len * 2 + 32) {
					memmove(&buf[at + l], &buf[at], n - at);
					n += l;
				}
				break;
			}
			default: /* a newline inserted (a wrap) */
				if (n < len * 2 + 32) {
					memmove(&buf[at + 1], &buf[at], n - at);
					buf[at] = '\n';
					n++;
				}
				break;
			}
		}
		struct run r = import_opts(g->fmt, buf, n, &o);
		ck_assert_int_eq(r.rc, 0);
		check_output(r.out, r.outlen, g->file);
		run_free(&r);
		free(buf);
	}
	free(in);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("import");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, every_golden_capture_imports_to_canonical_trace_text_that_parses, 0,
			    (int)NGOLDEN);
	tcase_add_test(tc, the_same_capture_imports_to_the_same_bytes_from_memory_and_from_a_file);
	tcase_add_test(tc, a_pipe_is_read_twice_through_a_temporary_copy);
	tcase_add_test(tc, every_ftrace_framing_of_the_same_events_imports_alike);
	tcase_add_test(tc, a_capture_quoted_and_wrapped_by_a_mail_client_imports_like_the_original);
	tcase_add_test(tc, unknown_events_are_counted_by_name_and_do_not_stop_the_import);
	tcase_add_test(tc, malformed_lines_are_reported_with_file_and_line_and_skipped);
	tcase_add_test(tc, an_iommu_map_belongs_to_the_device_whose_dma_event_of_the_same_task_follows);
	tcase_add_test(tc, an_unmap_goes_to_the_ioas_its_dma_unmap_named_and_cut_mappings_keep_the_rest);
	tcase_add_test(tc, a_map_over_a_live_mapping_unmaps_the_old_one_first);
	tcase_add_test(tc, synthesised_dmas_follow_the_direction_and_the_density_asked_for);
	tcase_add_test(tc, va_is_the_captured_address_below_the_driver_pool_and_synthetic_otherwise);
	tcase_add_test(tc, maps_in_the_x86_interrupt_window_are_left_out_unless_the_trace_is_for_smmuv3);
	tcase_add_test(tc, a_new_domain_after_mappings_starts_a_new_ioas_for_the_whole_group);
	tcase_add_test(tc, a_device_named_without_a_pci_address_needs_a_sid);
	tcase_add_test(tc, a_device_of_another_pci_segment_with_the_same_sid_is_left_out);
	tcase_add_test(tc, fault_codes_are_expected_only_on_the_model_the_capture_was_taken_on);
	tcase_add_test(tc, qemu_translations_map_pages_as_found_and_invalidations_unmap_them);
	tcase_add_test(tc, page_requests_attach_their_pasid_with_a_fault_queue_and_answers_read_the_group);
	tcase_add_test(tc, bad_arguments_are_refused_without_output);
	tcase_add_test(tc, the_summary_lists_every_table_with_sorted_keys);
	tcase_add_loop_test(tc, damaged_captures_never_crash_and_their_output_still_parses, 0,
			    (int)NGOLDEN * 3);
	suite_add_tcase(s, tc);
	return s;
}
