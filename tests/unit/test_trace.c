/* SPDX-License-Identifier: MIT */
/*
 * sim/trace: the trace parser and writer (contract: sim/trace.h; grammar:
 * shared/TRACE-FORMAT.md and traces/FORMAT.md).
 *
 * Scenarios: every statement form reads into the right statement and writes
 * back canonically; numbers good and bad; every error names its line and
 * token (and the corpus traces/malformed/ does); parse -> write -> parse
 * round trips on a fixed and a generated corpus; a million-line trace streams
 * with flat memory.  Runs from the repository root (tests/run.sh does).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pt.h"
#include "sim/trace.h"
#include "sim/trace/trace_priv.h" /* the schema table, for table checks */
#include "tests/unit/tharness.h"

/* ---- Helpers ------------------------------------------------------------------ */

/* A growing text buffer. */
struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		ck_assert_ptr_nonnull(t->s);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void text_line(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
	text_add(t, "\n", 1);
}

/* Canonical text of a statement (static buffer). */
static const char *canon(const struct ims_trace_stmt *st, const struct ims_trace_names *n)
{
	static char buf[4096];
	int len = ims_trace_format(buf, sizeof(buf), st, n);
	ck_assert_msg(len >= 0 && (size_t)len < sizeof(buf), "format failed (%d) for line %llu",
		      len, (unsigned long long)st->line);
	return buf;
}

/* Parses a whole trace from memory; the canonical text of every statement,
 * one per line, goes to *out.  Returns the last ims_trace_next() result;
 * the error text (if any) goes to err. */
static int parse_text_n(const char *src, size_t len, struct text *out, char *err, size_t errlen)
{
	struct ims_trace_parser *p = ims_trace_open_mem(src, len, "t.trace");
	ck_assert_ptr_nonnull(p);
	struct ims_trace_stmt st;
	int rc;
	while ((rc = ims_trace_next(p, &st)) == IMS_TRACE_STMT)
		if (out)
			text_line(out, canon(&st, ims_trace_parser_names(p)));
	if (err)
		snprintf(err, errlen, "%s", ims_trace_error(p));
	ims_trace_close(p);
	return rc;
}

static int parse_text(const char *src, struct text *out, char *err, size_t errlen)
{
	return parse_text_n(src, strlen(src), out, err, errlen);
}

/* The error a trace gives: asserts that it fails at `line` with a message
 * containing `frag`. */
static void expect_error_n(const char *src, size_t len, unsigned long long line, const char *frag)
{
	char err[600], want[64];
	ck_assert_msg(parse_text_n(src, len, NULL, err, sizeof(err)) == IMS_TRACE_ERROR,
		      "no error for:\n%s", src);
	snprintf(want, sizeof(want), "t.trace:%llu: ", line);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "error '%s', wanted line %llu", err,
		      line);
	ck_assert_msg(strstr(err, frag) != NULL, "error '%s' lacks '%s'", err, frag);
}

static void expect_error(const char *src, unsigned long long line, const char *frag)
{
	expect_error_n(src, strlen(src), line, frag);
}

/* ---- Statement forms: one golden line per form ---------------------------------- */

static const char prelude[] =
	"iommusim-trace 1\n"
	"device $nic bdf=01:00.0\n"
	"device.bind $d sid=0x10 pasid_bits=20\n"
	"ioas.alloc $a\n"
	"ioas.map $a iova=auto len=4K va=0x1000 prot=rw as=$buf\n"
	"fault.alloc $f\n"
	"hwpt.alloc $s2 dev=$d pt=$a nest_parent\n"
	"viommu.alloc $v dev=$d hwpt=$s2\n"
	"pt.alloc $g x86-64-4l pool=0x100000-0x1fffff\n"
	"veventq.alloc $q viommu=$v type=arm_smmuv3 depth=2\n";

static const struct golden {
	enum ims_trace_verb verb;
	const char *in, *out; /* out NULL: the input is canonical already */
} goldens[] = {
	{ IMS_TRACE_V_MEM_WRITE, "mem.write 0x1000 00FF10", "mem.write 0x1000 00ff10" },
	{ IMS_TRACE_V_MEM_WRITE8, "mem.write8 0x10 255", "mem.write8 0x10 0xff" },
	{ IMS_TRACE_V_MEM_WRITE16, "mem.write16 0x10 0xbeef", NULL },
	{ IMS_TRACE_V_MEM_WRITE32, "mem.write32 0x10 0xdead_beef", "mem.write32 0x10 0xdeadbeef" },
	{ IMS_TRACE_V_MEM_WRITE64, "mem.write64 0x2000 0x8000000000000003", NULL },
	{ IMS_TRACE_V_MEM_READ8, "mem.read8 0x10 expect=0xff", NULL },
	{ IMS_TRACE_V_MEM_READ16, "mem.read16 0x10 mask=0xff00 expect=0xbe00", NULL },
	{ IMS_TRACE_V_MEM_READ32, "mem.read32 0x10", NULL },
	{ IMS_TRACE_V_MEM_READ64, "mem.read64 0x2000 expect=3 mask=3",
	  "mem.read64 0x2000 mask=0x3 expect=0x3" },
	{ IMS_TRACE_V_MEM_ABORT, "mem.abort 0xfee00000-0xfeefffff", NULL },
	{ IMS_TRACE_V_MMIO_WRITE32, "mmio.write32 0x18 0x80000000", NULL },
	{ IMS_TRACE_V_MMIO_WRITE64, "mmio.write64 0x20 0x5000 unit=1", NULL },
	{ IMS_TRACE_V_MMIO_READ32, "mmio.read32 0x1c mask=0x80000000 expect=0x80000000", NULL },
	{ IMS_TRACE_V_MMIO_READ64, "mmio.read64 0x10 unit=0", NULL },
	{ IMS_TRACE_V_DEVICE, "device $nic2 pri ats unit=1 pasid_bits=20 sid=0x200",
	  "device $nic2 sid=0x200 pasid_bits=20 ats pri unit=1" },
	{ IMS_TRACE_V_DMA, "dma $nic r 0x1000", NULL },
	{ IMS_TRACE_V_DMA, "dma $nic rw 0x1ffc len=8 expect=pa:0x5ffc", NULL },
	{ IMS_TRACE_V_DMA, "dma sid=0x100 w 0x2000 pasid=1 priv expect=fault:6",
	  "dma sid=0x100 w 0x2000 pasid=1 priv expect=fault:0x6" },
	{ IMS_TRACE_V_DMA, "dma bdf=00:02.0 x 0x3000 expect=fault",
	  "dma sid=0x10 x 0x3000 expect=fault" },
	{ IMS_TRACE_V_DMA, "dma $nic r $buf+0x10 len=4096 expect=ok",
	  "dma $nic r $buf+0x10 len=4K expect=ok" },
	{ IMS_TRACE_V_DMA, "dma $nic r 0x4000 type=page_request prgi=3 last pasid=1 expect=queued",
	  "dma $nic r 0x4000 pasid=1 type=page_request prgi=3 last expect=queued" },
	{ IMS_TRACE_V_DMA, "dma $nic w 0x4000 type=3 expect=stall",
	  "dma $nic w 0x4000 type=page_request expect=stall" },
	{ IMS_TRACE_V_IOAS_ALLOC, "ioas.alloc $b expect=ok", NULL },
	{ IMS_TRACE_V_IOAS_MAP, "ioas.map $a iova=0x10000 len=0x10000 va=0x20000 prot=r",
	  "ioas.map $a iova=0x10000 len=64K va=0x20000 prot=r" },
	{ IMS_TRACE_V_IOAS_MAP, "ioas.map $a prot=w as=$x va=0x1000 len=2M iova=auto expect=ENOSPC",
	  "ioas.map $a iova=auto len=2M va=0x1000 prot=w as=$x expect=ENOSPC" },
	{ IMS_TRACE_V_IOAS_MAP, "ioas.map $a iova=0x1000 len=4K va=0x1000 prot=none expect=EINVAL",
	  NULL },
	{ IMS_TRACE_V_IOAS_UNMAP, "ioas.unmap $a iova=0 len=0xffff_ffff_ffff_ffff unmapped=4096",
	  "ioas.unmap $a iova=0x0 len=0xffffffffffffffff unmapped=4K" },
	{ IMS_TRACE_V_IOAS_COPY, "ioas.copy $a src=$a src_iova=$buf len=4K dst_iova=auto as=$c prot=rw",
	  NULL },
	{ IMS_TRACE_V_IOAS_ALLOW_IOVAS, "ioas.allow_iovas $a ranges=0x1000-0x1fff,65536-0x1ffff",
	  "ioas.allow_iovas $a ranges=0x1000-0x1fff,0x10000-0x1ffff" },
	{ IMS_TRACE_V_IOAS_ALLOW_IOVAS, "ioas.allow_iovas $a ranges=", NULL },
	{ IMS_TRACE_V_IOAS_IOVA_RANGES,
	  "ioas.iova_ranges $a expect=0-0xfedfffff,0xfef00000-0xffffffffffffffff",
	  "ioas.iova_ranges $a expect=0x0-0xfedfffff,0xfef00000-0xffffffffffffffff" },
	{ IMS_TRACE_V_IOAS_IOVA_RANGES, "ioas.iova_ranges $a num_iovas=1 alignment=4096 expect=EMSGSIZE",
	  "ioas.iova_ranges $a alignment=4K num_iovas=1 expect=EMSGSIZE" },
	{ IMS_TRACE_V_IOAS_IOVA_RANGES, "ioas.iova_ranges $a expect=", NULL },
	{ IMS_TRACE_V_IOAS_RESERVE, "ioas.reserve $a 0xfee00000-0xfeefffff", NULL },
	{ IMS_TRACE_V_OPTION, "option huge_pages $a set=0", NULL },
	{ IMS_TRACE_V_OPTION, "option huge_pages $a expect=0x1", "option huge_pages $a expect=1" },
	{ IMS_TRACE_V_OPTION, "option huge_pages 0 expect=ENOENT", NULL },
	{ IMS_TRACE_V_OPTION, "option rlimit_mode expect=0", NULL },
	{ IMS_TRACE_V_HW_INFO, "hw_info $d type=1 max_pasid_log2=20 caps=1 cap=0xd2008c22260206",
	  "hw_info $d type=intel_vtd max_pasid_log2=20 caps=0x1 cap=0xd2008c22260206" },
	{ IMS_TRACE_V_HW_INFO, "hw_info $d in_type=arm_smmuv3 expect=EOPNOTSUPP", NULL },
	{ IMS_TRACE_V_HWPT_ALLOC, "hwpt.alloc $h dev=$d pt=$a dirty fault=$f pasid",
	  "hwpt.alloc $h dev=$d pt=$a dirty pasid fault=$f" },
	{ IMS_TRACE_V_HWPT_ALLOC, "hwpt.alloc $s1 dev=$d pt=$s2 data=vtd_s1 wpe aw=48 pgtbl=$g",
	  "hwpt.alloc $s1 dev=$d pt=$s2 data=vtd_s1 pgtbl=$g aw=48 wpe" },
	{ IMS_TRACE_V_HWPT_ALLOC,
	  "hwpt.alloc $s1 data=arm_smmuv3 ste0=0x1000000000000005 ste1=0x8000000 dev=$d pt=$v",
	  "hwpt.alloc $s1 dev=$d pt=$v data=arm_smmuv3 ste0=0x1000000000000005 ste1=0x8000000" },
	{ IMS_TRACE_V_HWPT_ALLOC,
	  "hwpt.alloc $s1 dev=$d pt=$v data=amd_guest dte0=3 dte1=0 dte2=0 dte3=0 expect=EINVAL",
	  "hwpt.alloc $s1 dev=$d pt=$v data=amd_guest dte0=0x3 dte1=0x0 dte2=0x0 dte3=0x0 "
	  "expect=EINVAL" },
	{ IMS_TRACE_V_DEVICE_BIND, "device.bind $d2 bdf=00:03.0 pri ats pasid_bits=8 unit=1",
	  "device.bind $d2 sid=0x18 pasid_bits=8 ats pri unit=1" },
	{ IMS_TRACE_V_DEVICE_ATTACH, "device.attach $d pt=$a", NULL },
	{ IMS_TRACE_V_DEVICE_ATTACH, "device.attach $d pt=$s2 pasid=1 expect=EINVAL", NULL },
	{ IMS_TRACE_V_DEVICE_REPLACE, "device.replace $d pt=$s2", NULL },
	{ IMS_TRACE_V_DEVICE_DETACH, "device.detach $d pasid=1", NULL },
	{ IMS_TRACE_V_HWPT_INVALIDATE,
	  "hwpt.invalidate $s2 data=vtd_s1 addr=0x1000 npages=1 leaf / flags=0 npages=2 "
	  "addr=0x8000 entry_num=1 expect=EINVAL",
	  "hwpt.invalidate $s2 entry_num=1 data=vtd_s1 addr=0x1000 npages=1 leaf / addr=0x8000 "
	  "npages=2 flags=0x0 expect=EINVAL" },
	{ IMS_TRACE_V_HWPT_INVALIDATE,
	  "hwpt.invalidate $v data=arm_smmuv3 cmd0=0x12 cmd1=0x1000 / cmd0=0x46", NULL },
	{ IMS_TRACE_V_HWPT_INVALIDATE, "hwpt.invalidate $v data=amd_guest cmd0=0x3 expect=EOPNOTSUPP",
	  NULL },
	{ IMS_TRACE_V_HWPT_INVALIDATE, "hwpt.invalidate $s2 data=vtd_s1 entry_num=0",
	  "hwpt.invalidate $s2 entry_num=0 data=vtd_s1" },
	{ IMS_TRACE_V_HWPT_SET_DIRTY, "hwpt.set_dirty $s2 enable=1", NULL },
	{ IMS_TRACE_V_HWPT_GET_DIRTY,
	  "hwpt.get_dirty $s2 iova=0 len=2M page_size=4K no_clear dirty=0x1000-0x1fff",
	  "hwpt.get_dirty $s2 iova=0x0 len=2M page_size=4K no_clear dirty=0x1000-0x1fff" },
	{ IMS_TRACE_V_FAULT_ALLOC, "fault.alloc $f2", NULL },
	{ IMS_TRACE_V_FAULT_READ, "fault.read $f as=$ck dev=$d pasid=1 addr=0x4000 perm=wr grpid=3 last",
	  "fault.read $f as=$ck dev=$d pasid=1 addr=0x4000 perm=rw grpid=3 last" },
	{ IMS_TRACE_V_FAULT_READ, "fault.read $f expect=empty", NULL },
	{ IMS_TRACE_V_FAULT_RESPOND, "fault.respond $f cookie=7 code=1",
	  "fault.respond $f cookie=7 code=invalid" },
	{ IMS_TRACE_V_VIOMMU_ALLOC, "viommu.alloc $v2 dev=$d hwpt=$s2 type=arm_smmuv3", NULL },
	{ IMS_TRACE_V_VIOMMU_ALLOC, "viommu.alloc $v2 dev=$d hwpt=$s2 type=9 expect=EOPNOTSUPP", NULL },
	{ IMS_TRACE_V_VDEVICE_ALLOC, "vdevice.alloc $vd viommu=$v dev=$d virt_id=0x20", NULL },
	{ IMS_TRACE_V_VEVENTQ_ALLOC, "veventq.alloc $q2 viommu=$v type=1 depth=16",
	  "veventq.alloc $q2 viommu=$v type=arm_smmuv3 depth=16" },
	{ IMS_TRACE_V_VEVENTQ_READ, "veventq.read $q seq=0 code=0x10 virt_id=0x20 addr=0x4000", NULL },
	{ IMS_TRACE_V_VEVENTQ_READ, "veventq.read $q lost seq=5", "veventq.read $q seq=5 lost" },
	{ IMS_TRACE_V_HW_QUEUE_ALLOC,
	  "hw_queue.alloc $hq viommu=$v type=tegra241_cmdqv index=0 iova=0x10000 len=4K", NULL },
	{ IMS_TRACE_V_DESTROY, "destroy $s2 expect=EBUSY", NULL },
	{ IMS_TRACE_V_DESTROY, "destroy 0 expect=ENOENT", NULL },
	{ IMS_TRACE_V_PT_ALLOC, "pt.alloc $g2 arm-s1-4k pool=0x200000-0x2fffff root=0x200000 via=$a",
	  NULL },
	{ IMS_TRACE_V_PT_MAP, "pt.map $g 0x1000 0x5000 4096 prot=rw pgsize=4K",
	  "pt.map $g 0x1000 0x5000 4K prot=rw pgsize=4K" },
	{ IMS_TRACE_V_PT_MAP, "pt.map $g 0x200000 $buf 2M prot=pxr",
	  "pt.map $g 0x200000 $buf 2M prot=rxp" },
	{ IMS_TRACE_V_PT_UNMAP, "pt.unmap $g 0x1000 4K", NULL },
	{ IMS_TRACE_V_CHECK, "check iotlb.hits >= 10", NULL },
	{ IMS_TRACE_V_CHECK, "check faults == 0 unit=1", NULL },
	/* Setup statements come before the prelude's machine statements: see
	 * setup_statements_read_and_write_back. */
};
#define NGOLDENS (sizeof(goldens) / sizeof(goldens[0]))

START_TEST(every_statement_form_reads_and_writes_back_canonically)
{
	for (unsigned i = 0; i < NGOLDENS; i++) {
		struct text src = { 0 };
		text_add(&src, prelude, strlen(prelude));
		text_line(&src, goldens[i].in);
		struct ims_trace_parser *p = ims_trace_open_mem(src.s, src.len, "t.trace");
		struct ims_trace_stmt st;
		int rc, n = 0;
		while ((rc = ims_trace_next(p, &st)) == IMS_TRACE_STMT && ++n < 11)
			;
		ck_assert_msg(rc == IMS_TRACE_STMT, "'%s': %s", goldens[i].in, ims_trace_error(p));
		ck_assert_msg(st.verb == goldens[i].verb, "'%s': verb %s", goldens[i].in,
			      ims_trace_verb_name(st.verb));
		ck_assert_u64_eq(st.line, 11);
		const char *want = goldens[i].out ? goldens[i].out : goldens[i].in;
		ck_assert_str_eq(canon(&st, ims_trace_parser_names(p)), want);
		ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_EOF);
		ims_trace_close(p);
		free(src.s);
	}
}
END_TEST

START_TEST(the_golden_lines_cover_every_verb)
{
	bool seen[IMS_TRACE_NVERBS] = { false };
	for (unsigned i = 0; i < NGOLDENS; i++)
		seen[goldens[i].verb] = true;
	/* The three setup verbs have a test of their own. */
	seen[IMS_TRACE_V_HEADER] = seen[IMS_TRACE_V_MODEL] = seen[IMS_TRACE_V_SET] = true;
	for (unsigned v = 0; v < IMS_TRACE_NVERBS; v++)
		ck_assert_msg(seen[v], "no golden line for %s", ims_trace_verb_name(v));
}
END_TEST

START_TEST(setup_statements_read_and_write_back)
{
	struct text out = { 0 };
	char err[600];
	int rc;
	rc = parse_text("iommusim-trace 1\n"
			"model smmuv3\n"
			"set iotlb.sets=64 cap=0x00d2008c22260206 replacement=lru-2 size=4K\n",
			&out, err, sizeof(err));
	ck_assert_msg(rc == IMS_TRACE_EOF, "%s", err);
	ck_assert_str_eq(out.s, "iommusim-trace 1\n"
				"model smmuv3\n"
				"set iotlb.sets=64 cap=0xd2008c22260206 replacement=lru-2 size=4096\n");
	free(out.s);
}
END_TEST

/* ---- Statement structs ----------------------------------------------------------- */

/* Opens prelude + extra and returns the parser positioned on the first extra
 * statement (in *st). */
static struct ims_trace_parser *open_at(const char *extra, struct ims_trace_stmt *st,
					struct text *keep)
{
	*keep = (struct text){ 0 };
	text_add(keep, prelude, strlen(prelude));
	text_add(keep, extra, strlen(extra));
	struct ims_trace_parser *p = ims_trace_open_mem(keep->s, keep->len, "t.trace");
	for (int i = 0; i < 11; i++)
		ck_assert_msg(ims_trace_next(p, st) == IMS_TRACE_STMT, "%s", ims_trace_error(p));
	return p;
}

static int slot(struct ims_trace_parser *p, const char *name)
{
	return ims_trace_names_find(ims_trace_parser_names(p), name, strlen(name));
}

START_TEST(a_dma_statement_reads_into_its_fields)
{
	struct ims_trace_stmt st;
	struct text keep;
	struct ims_trace_parser *p =
		open_at("dma $nic rw 0x1ffc len=8K pasid=3 priv expect=pa:$buf+0x10\n", &st, &keep);
	ck_assert_int_eq(st.verb, IMS_TRACE_V_DMA);
	ck_assert_uint_eq(st.npos, 3);
	ck_assert_int_eq(st.pos[0].type, IMS_TRACE_A_NAME);
	ck_assert_int_eq(st.pos[0].v.name, slot(p, "nic"));
	ck_assert_int_eq(st.pos[1].type, IMS_TRACE_A_VAL);
	ck_assert_u64_eq(st.pos[1].v.num, IMS_TRACE_ACC_R | IMS_TRACE_ACC_W);
	ck_assert_u64_eq(st.pos[2].v.num, 0x1ffc);
	ck_assert_int_eq(st.pos[2].v.name, IMS_TRACE_NO_NAME);
	ck_assert_u64_eq(ims_trace_kv(&st, IMS_TRACE_K_LEN)->v.num, 8192);
	ck_assert_u64_eq(ims_trace_kv(&st, IMS_TRACE_K_PASID)->v.num, 3);
	ck_assert_int_eq(ims_trace_kv(&st, IMS_TRACE_K_PRIV)->type, IMS_TRACE_A_FLAG);
	ck_assert(!ims_trace_has(&st, IMS_TRACE_K_TYPE));
	ck_assert_int_eq(st.expect.kind, IMS_TRACE_X_PA);
	ck_assert_int_eq(st.expect.v.name, slot(p, "buf"));
	ck_assert_u64_eq(st.expect.v.num, 0x10);
	/* Replay prints "expected pa:$buf+0x10, got ...". */
	char x[64];
	ck_assert_int_eq(ims_trace_format_expect(x, sizeof(x), &st, ims_trace_parser_names(p)), 12);
	ck_assert_str_eq(x, "pa:$buf+0x10");
	st.expect.kind = IMS_TRACE_X_NONE;
	ck_assert_int_eq(ims_trace_format_expect(x, sizeof(x), &st, ims_trace_parser_names(p)), 0);
	ck_assert_str_eq(x, "");
	ims_trace_close(p);
	free(keep.s);
}
END_TEST

START_TEST(dma_by_sid_or_bdf_keeps_the_requester_id)
{
	struct ims_trace_stmt st;
	struct text keep;
	struct ims_trace_parser *p = open_at("dma bdf=3a:1f.7 x 0x10 expect=fault:0x10\n", &st, &keep);
	ck_assert_int_eq(st.pos[0].key, IMS_TRACE_K_SID);
	ck_assert_u64_eq(st.pos[0].v.num, 0x3a << 8 | 0x1f << 3 | 7);
	ck_assert_u64_eq(st.pos[1].v.num, IMS_TRACE_ACC_X);
	ck_assert_int_eq(st.expect.kind, IMS_TRACE_X_FAULT_CODE);
	ck_assert_u64_eq(st.expect.v.num, 0x10);
	ims_trace_close(p);
	free(keep.s);
}
END_TEST

START_TEST(names_made_by_a_statement_are_bound_with_kind_verb_and_line)
{
	struct ims_trace_stmt st;
	struct text keep;
	struct ims_trace_parser *p =
		open_at("ioas.map $a iova=auto len=2M va=0x200000 prot=r as=$iova2\n", &st, &keep);
	const struct ims_trace_names *n = ims_trace_parser_names(p);
	const struct ims_trace_arg *iova = ims_trace_kv(&st, IMS_TRACE_K_IOVA);
	ck_assert_int_eq(iova->type, IMS_TRACE_A_WORD); /* auto */
	const struct ims_trace_arg *as = ims_trace_kv(&st, IMS_TRACE_K_AS);
	ck_assert_int_eq(as->type, IMS_TRACE_A_NAME);
	ck_assert_str_eq(ims_trace_names_str(n, as->v.name), "iova2");
	ck_assert_uint_eq(ims_trace_names_kind(n, as->v.name), IMS_TRACE_NAME_VAL);
	ck_assert_int_eq(ims_trace_names_verb(n, as->v.name), IMS_TRACE_V_IOAS_MAP);
	ck_assert_u64_eq(ims_trace_names_line(n, as->v.name), 11);
	ck_assert_uint_eq(ims_trace_names_kind(n, slot(p, "a")), IMS_TRACE_NAME_OBJ);
	ck_assert_uint_eq(ims_trace_names_kind(n, slot(p, "g")),
			  IMS_TRACE_NAME_OBJ | IMS_TRACE_NAME_VAL);
	ck_assert_u64_eq(ims_trace_kv(&st, IMS_TRACE_K_PROT)->v.num, IMS_TRACE_ACC_R);
	ims_trace_close(p);
	free(keep.s);
}
END_TEST

START_TEST(a_name_can_be_made_again_after_destroy)
{
	char err[600];
	ck_assert_int_eq(parse_text("iommusim-trace 1\nioas.alloc $a\ndestroy $a\n"
				    "destroy $a expect=ENOENT\nioas.alloc $a\nioas.map $a iova=auto "
				    "len=4K va=0 prot=r as=$a\ndma sid=1 r $a\n",
				    NULL, err, sizeof(err)),
			 IMS_TRACE_EOF);
	/* After `as=$a` the name is a value: an object position refuses it. */
	expect_error("iommusim-trace 1\nioas.alloc $a\nioas.map $a iova=auto len=4K va=0 prot=r "
		     "as=$a\nioas.unmap $a iova=0 len=4K\n",
		     4, "'$a' names a value, not an object");
}
END_TEST

START_TEST(nested_data_fields_go_to_their_entry)
{
	struct ims_trace_stmt st;
	struct text keep;
	struct ims_trace_parser *p = open_at(
		"hwpt.alloc $s1 dev=$d data=vtd_s1 pgtbl=$g+0x1000 aw=57 sre pt=$s2 pasid\n", &st,
		&keep);
	ck_assert_int_eq(st.data, IMS_TRACE_DATA_VTD_S1);
	ck_assert_uint_eq(st.nentries, 1);
	const struct ims_trace_arg *pg = ims_trace_kv_in(&st, 1, IMS_TRACE_K_PGTBL);
	ck_assert_ptr_nonnull(pg);
	ck_assert_int_eq(pg->v.name, slot(p, "g"));
	ck_assert_u64_eq(pg->v.num, 0x1000);
	ck_assert_u64_eq(ims_trace_kv_in(&st, 1, IMS_TRACE_K_AW)->v.num, 57);
	ck_assert_ptr_nonnull(ims_trace_kv_in(&st, 1, IMS_TRACE_K_SRE));
	/* Statement keys after the data stay in group 0. */
	ck_assert_ptr_nonnull(ims_trace_kv(&st, IMS_TRACE_K_PT));
	ck_assert_ptr_nonnull(ims_trace_kv(&st, IMS_TRACE_K_PASID));
	ck_assert_ptr_null(ims_trace_kv(&st, IMS_TRACE_K_PGTBL));
	/* Canonical order: group 0 in schema order, then the entry. */
	ck_assert_int_eq(st.kv[0].key, IMS_TRACE_K_DEV);
	ck_assert_int_eq(st.kv[st.nkv - 1].group, 1);
	ims_trace_close(p);
	free(keep.s);
}
END_TEST

START_TEST(invalidation_entries_are_numbered_in_order)
{
	struct ims_trace_stmt st;
	struct text keep;
	struct ims_trace_parser *p = open_at("hwpt.invalidate $v data=arm_smmuv3 cmd0=0x12 / "
					     "cmd1=2 cmd0=0x46 / cmd0=0x20 entry_num=2 "
					     "expect=EIO\n",
					     &st, &keep);
	ck_assert_uint_eq(st.nentries, 3);
	ck_assert_u64_eq(ims_trace_kv_in(&st, 1, IMS_TRACE_K_CMD0)->v.num, 0x12);
	ck_assert_u64_eq(ims_trace_kv_in(&st, 2, IMS_TRACE_K_CMD0)->v.num, 0x46);
	ck_assert_u64_eq(ims_trace_kv_in(&st, 2, IMS_TRACE_K_CMD1)->v.num, 2);
	ck_assert_ptr_null(ims_trace_kv_in(&st, 3, IMS_TRACE_K_CMD1));
	ck_assert_u64_eq(ims_trace_kv(&st, IMS_TRACE_K_ENTRY_NUM)->v.num, 2);
	ck_assert_int_eq(st.expect.kind, IMS_TRACE_X_ERRNO);
	ck_assert_int_eq(st.expect.err, EIO);
	for (unsigned i = 1; i < st.nkv; i++)
		ck_assert_uint_le(st.kv[i - 1].group, st.kv[i].group);
	ims_trace_close(p);
	free(keep.s);

	/* data=TYPE alone: zero entries (the uAPI's probe). */
	p = open_at("hwpt.invalidate $s2 data=vtd_s1\n", &st, &keep);
	ck_assert_uint_eq(st.nentries, 0);
	ck_assert_int_eq(st.data, IMS_TRACE_DATA_VTD_S1);
	ims_trace_close(p);
	free(keep.s);
}
END_TEST

START_TEST(range_lists_read_into_ranges)
{
	struct ims_trace_stmt st;
	struct text keep;
	struct ims_trace_parser *p = open_at(
		"ioas.iova_ranges $a expect=0x0-0xfedfffff,$buf-$buf+0xfff,0xfef00000-0xffffffffffffffff\n",
		&st, &keep);
	ck_assert_int_eq(st.expect.kind, IMS_TRACE_X_RANGES);
	ck_assert_uint_eq(st.expect.nranges, 3);
	ck_assert_u64_eq(st.expect.ranges[0].last.num, 0xfedfffff);
	ck_assert_int_eq(st.expect.ranges[1].first.name, slot(p, "buf"));
	ck_assert_u64_eq(st.expect.ranges[1].last.num, 0xfff);
	ck_assert_u64_eq(st.expect.ranges[2].last.num, UINT64_MAX);
	ims_trace_close(p);
	free(keep.s);

	p = open_at("ioas.allow_iovas $a ranges=0x2000-0x1000\n", &st, &keep);
	const struct ims_trace_arg *r = ims_trace_kv(&st, IMS_TRACE_K_RANGES);
	ck_assert_int_eq(r->type, IMS_TRACE_A_RANGES);
	ck_assert_uint_eq(r->n, 1);
	/* Reversed on purpose: iommufd answers EINVAL, the parser does not judge. */
	ck_assert_u64_eq(r->p.ranges[0].first.num, 0x2000);
	ck_assert_u64_eq(r->p.ranges[0].last.num, 0x1000);
	ims_trace_close(p);
	free(keep.s);

	p = open_at("ioas.allow_iovas $a ranges=\n", &st, &keep);
	ck_assert_uint_eq(ims_trace_kv(&st, IMS_TRACE_K_RANGES)->n, 0);
	ims_trace_close(p);
	free(keep.s);
}
END_TEST

/* Found by the fuzzer: an empty list before any range was ever read made a
 * pointer from NULL (undefined behaviour, reported by clang's UBSan). */
START_TEST(an_empty_range_list_in_a_fresh_parser_points_nowhere)
{
	const char *src = "iommusim-trace 1\nioas.alloc $a\nioas.iova_ranges $a expect=\n"
			  "ioas.allow_iovas $a ranges=\n";
	struct ims_trace_parser *p = ims_trace_open_mem(src, strlen(src), "t.trace");
	struct ims_trace_stmt st;
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_STMT);
	ck_assert_int_eq(st.expect.kind, IMS_TRACE_X_RANGES);
	ck_assert_uint_eq(st.expect.nranges, 0);
	ck_assert_ptr_null(st.expect.ranges);
	ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_STMT);
	ck_assert_uint_eq(ims_trace_kv(&st, IMS_TRACE_K_RANGES)->n, 0);
	ck_assert_ptr_null(ims_trace_kv(&st, IMS_TRACE_K_RANGES)->p.ranges);
	ims_trace_close(p);
}
END_TEST

START_TEST(set_keeps_model_keys_as_text)
{
	const char *src = "iommusim-trace 1\nset iotlb.ways=8 policy=lru cap=0x1_0000_0000\n";
	struct ims_trace_parser *p = ims_trace_open_mem(src, strlen(src), "t.trace");
	struct ims_trace_stmt st;
	ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_STMT);
	ck_assert_int_eq(st.verb, IMS_TRACE_V_HEADER);
	ck_assert_u64_eq(st.pos[0].v.num, 1);
	ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_STMT);
	ck_assert_int_eq(st.verb, IMS_TRACE_V_SET);
	ck_assert_uint_eq(st.nkv, 3);
	ck_assert_int_eq(st.kv[0].key, IMS_TRACE_K_RAW);
	ck_assert_int_eq(memcmp(st.kv[0].kstr, "iotlb.ways", st.kv[0].klen), 0);
	ck_assert_uint_eq(st.kv[0].klen, 10);
	ck_assert_u64_eq(st.kv[0].v.num, 8);
	ck_assert_int_eq(st.kv[1].type, IMS_TRACE_A_STR);
	ck_assert_int_eq(memcmp(st.kv[1].p.str, "lru", 3), 0);
	ck_assert_u64_eq(st.kv[2].v.num, 0x100000000ull);
	ims_trace_close(p);
}
END_TEST

START_TEST(mem_write_bytes_are_decoded)
{
	struct ims_trace_stmt st;
	struct text keep;
	struct ims_trace_parser *p = open_at("mem.write 0x1000 00ff10Ab\n", &st, &keep);
	ck_assert_int_eq(st.pos[1].type, IMS_TRACE_A_BYTES);
	ck_assert_uint_eq(st.pos[1].n, 4);
	static const uint8_t want[] = { 0x00, 0xff, 0x10, 0xab };
	ck_assert_int_eq(memcmp(st.pos[1].p.bytes, want, 4), 0);
	ims_trace_close(p);
	free(keep.s);
}
END_TEST

START_TEST(check_option_destroy_and_pt_read_their_words)
{
	struct ims_trace_stmt st;
	struct text keep;
	struct ims_trace_parser *p = open_at("check iotlb.hits >= 0x10\n", &st, &keep);
	ck_assert_int_eq(st.pos[0].type, IMS_TRACE_A_STR);
	ck_assert_int_eq(memcmp(st.pos[0].p.str, "iotlb.hits", 10), 0);
	ck_assert_int_eq(st.pos[1].type, IMS_TRACE_A_WORD);
	ck_assert_u64_eq(st.pos[1].v.num, IMS_TRACE_CMP_GE);
	ck_assert_u64_eq(st.pos[2].v.num, 16);
	ims_trace_close(p);
	free(keep.s);

	p = open_at("option rlimit_mode set=1\n", &st, &keep);
	ck_assert_uint_eq(st.npos, 1);
	ck_assert_u64_eq(st.pos[0].v.num, IMS_TRACE_OPT_RLIMIT_MODE);
	ims_trace_close(p);
	free(keep.s);

	p = open_at("option huge_pages $a expect=0\n", &st, &keep);
	ck_assert_uint_eq(st.npos, 2);
	ck_assert_u64_eq(st.pos[0].v.num, IMS_TRACE_OPT_HUGE_PAGES);
	ck_assert_int_eq(st.expect.kind, IMS_TRACE_X_VALUE);
	ims_trace_close(p);
	free(keep.s);

	p = open_at("destroy 7 expect=ENOENT\n", &st, &keep);
	ck_assert_int_eq(st.pos[0].type, IMS_TRACE_A_VAL);
	ck_assert_u64_eq(st.pos[0].v.num, 7);
	ck_assert_int_eq(st.expect.err, ENOENT);
	ims_trace_close(p);
	free(keep.s);

	p = open_at("pt.alloc $t vtd-ss-4l pool=0x0-0xfffff\n", &st, &keep);
	ck_assert_int_eq(st.pos[1].type, IMS_TRACE_A_WORD);
	ck_assert_str_eq(ims_pt_catalog[st.pos[1].v.num].name, "vtd-ss-4l");
	ims_trace_close(p);
	free(keep.s);

	p = open_at("viommu.alloc $v3 dev=$d hwpt=$s2 type=amd\n", &st, &keep);
	ck_assert_u64_eq(ims_trace_kv(&st, IMS_TRACE_K_TYPE)->v.num, IMS_TRACE_VIOMMU_AMD);
	ims_trace_close(p);
	free(keep.s);
}
END_TEST

/* The expect= forms each verb takes (FORMAT.md §3). */
START_TEST(each_verb_takes_its_own_expect_forms)
{
	static const struct {
		const char *line;
		int ok;
	} cases[] = {
		{ "ioas.alloc $x expect=ok", 1 },          { "ioas.alloc $x expect=EBUSY", 1 },
		{ "ioas.alloc $x expect=0x1", 0 },         { "ioas.alloc $x expect=fault", 0 },
		{ "mem.read32 0 expect=0x1", 1 },          { "mem.read32 0 expect=ok", 0 },
		{ "mem.read32 0 expect=EINVAL", 0 },       { "dma $nic r 0 expect=pa:0x1", 1 },
		{ "dma $nic r 0 expect=fault", 1 },        { "dma $nic r 0 expect=fault:0x10", 1 },
		{ "dma $nic r 0 expect=ok", 1 },           { "dma $nic r 0 expect=queued", 1 },
		{ "dma $nic r 0 expect=stall", 1 },        { "dma $nic r 0 expect=EINVAL", 0 },
		{ "dma $nic r 0 expect=empty", 0 },        { "dma $nic r 0 expect=pa:", 0 },
		{ "fault.read $f expect=empty", 1 },       { "fault.read $f expect=EINVAL", 1 },
		{ "veventq.read $q expect=ok", 1 },        { "veventq.read $q expect=1", 0 },
		{ "option huge_pages $a expect=1", 1 },    { "option huge_pages $a expect=0-1", 0 },
		{ "ioas.iova_ranges $a expect=0-1", 1 },   { "ioas.iova_ranges $a expect=1", 0 },
		{ "mem.write8 0 0 expect=ok", 1 },         { "mem.write8 0 0 expect=0", 0 },
		{ "check x == 1 expect=ok", 1 },           { "pt.map $g 0 0 4K prot=r expect=ok", 1 },
		{ "hw_info $d expect=EOPNOTSUPP", 1 },     { "destroy $a expect=EBUSY", 1 },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct text src = { 0 };
		text_add(&src, prelude, strlen(prelude));
		text_line(&src, cases[i].line);
		char err[600];
		int rc = parse_text(src.s, NULL, err, sizeof(err));
		ck_assert_msg((rc == IMS_TRACE_EOF) == (cases[i].ok == 1), "'%s': %s", cases[i].line,
			      rc == IMS_TRACE_EOF ? "accepted" : err);
		if (!cases[i].ok)
			ck_assert_msg(strstr(err, "t.trace:11: ") == err, "%s", err);
		free(src.s);
	}
}
END_TEST

/* ---- Numbers ---------------------------------------------------------------------- */

START_TEST(good_numbers_read_as_the_contract_says)
{
	static const struct {
		const char *s;
		bool size;
		uint64_t v;
	} good[] = {
		{ "0", false, 0 },
		{ "7", false, 7 },
		{ "010", false, 10 }, /* no octal */
		{ "0x0", false, 0 },
		{ "0xFFff", false, 0xffff },
		{ "0x1_0000", false, 0x10000 },
		{ "1_000_000", false, 1000000 },
		{ "18446744073709551615", false, UINT64_MAX },
		{ "0xffffffffffffffff", false, UINT64_MAX },
		{ "0xffff_ffff_ffff_ffff", false, UINT64_MAX },
		{ "0x00000000000000000000001", false, 1 },
		{ "0000000000000000000000042", false, 42 },
		{ "0x12345678", false, 0x12345678 },
		{ "0xABCDEF01", false, 0xabcdef01 },
		{ "0xabcdef0123", false, 0xabcdef0123ull },
		{ "0x123456789abcdef0", false, 0x123456789abcdef0ull },
		{ "0x9abcdef", false, 0x9abcdef },
		{ "4K", true, 4096 },
		{ "2M", true, 2u << 20 },
		{ "1G", true, 1u << 30 },
		{ "0x10K", true, 16384 },
		{ "1_024K", true, 1024 * 1024 },
		{ "17179869183G", true, 17179869183ull << 30 },
		{ "4096", true, 4096 },
	};
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint64_t v = 12345;
		int rc = ims_trace_parse_num(good[i].s, strlen(good[i].s), good[i].size, &v);
		ck_assert_msg(rc == 0, "'%s' refused (%d)", good[i].s, rc);
		ck_assert_msg(v == good[i].v, "'%s' read as 0x%llx", good[i].s, (unsigned long long)v);
	}
}
END_TEST

START_TEST(bad_numbers_are_refused_with_the_right_reason)
{
	static const struct {
		const char *s;
		bool size;
		int rc;
	} bad[] = {
		{ "", false, -EINVAL },        { "0x", false, -EINVAL },
		{ "x10", false, -EINVAL },     { "-1", false, -EINVAL },
		{ "+1", false, -EINVAL },      { "1.0", false, -EINVAL },
		{ "0x1g", false, -EINVAL },    { "0xg", false, -EINVAL },
		{ "1K", false, -EINVAL },      { "4k", true, -EINVAL },
		{ "K", true, -EINVAL },        { "4KB", true, -EINVAL },
		{ "0x_1", false, -EINVAL },    { "_1", false, -EINVAL },
		{ "1_", false, -EINVAL },      { "1__0", false, -EINVAL },
		{ "0X10", false, -EINVAL },    { "1 2", false, -EINVAL },
		{ "12a", false, -EINVAL },     { "0x1234567g", false, -EINVAL },
		{ "0x1234567:", false, -EINVAL }, { "0x123456/8", false, -EINVAL },
		{ "0x@2345678", false, -EINVAL }, { "0x1234567`", false, -EINVAL },
		{ "0x12345_78", false, 0 },    /* (fine: checks the slow path agrees) */
		{ "18446744073709551616", false, -ERANGE },
		{ "99999999999999999999", false, -ERANGE },
		{ "0x1_0000_0000_0000_0000", false, -ERANGE },
		{ "0x10000000000000000", false, -ERANGE },
		{ "17179869184G", true, -ERANGE },
		{ "0x4000000000000M", true, -ERANGE },
		{ "0x1_0000_0000_0000_000z", false, -EINVAL }, /* malformed wins over range */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 0;
		int rc = ims_trace_parse_num(bad[i].s, strlen(bad[i].s), bad[i].size, &v);
		ck_assert_msg(rc == bad[i].rc, "'%s': %d, wanted %d", bad[i].s, rc, bad[i].rc);
	}
}
END_TEST

/* A reference reader written from the contract's words alone. */
static int ref_num(const char *s, size_t len, bool size, uint64_t *out)
{
	unsigned shift = 0;
	if (size && len && strchr("KMG", s[len - 1])) {
		shift = s[len - 1] == 'K' ? 10 : s[len - 1] == 'M' ? 20 : 30;
		len--;
	}
	unsigned base = 10;
	if (len >= 2 && s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (!len)
		return -EINVAL;
	uint64_t v = 0;
	bool over = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '_') {
			bool prev = i > 0 && s[i - 1] != '_', next = i + 1 < len && s[i + 1] != '_';
			if (!prev || !next)
				return -EINVAL;
			continue;
		}
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
		if (d >= (int)base)
			return -EINVAL;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			over = true;
		else
			v = v * base + (unsigned)d;
	}
	if (over || v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

START_TEST(random_numbers_read_like_a_reference_reader)
{
	static const char alphabet[] = "0123456789abcdefABCDEFgG/:@`_xK ";
	uint64_t seed = ims_test_seed(0x7ace);
	for (unsigned i = 0; i < 200000; i++) {
		char s[40];
		uint64_t r = ims_test_rand(&seed);
		size_t len = 1 + r % 24, o = 0;
		if (r & 0x100) {
			s[o++] = '0';
			s[o++] = 'x';
		}
		while (o < len + ((r & 0x100) ? 2 : 0)) {
			uint64_t q = ims_test_rand(&seed);
			/* Mostly digits, so that many strings are valid. */
			s[o++] = (q & 3) ? "0123456789abcdef"[(q >> 2) % ((r & 0x100) ? 16 : 10)]
					 : alphabet[(q >> 2) % (sizeof(alphabet) - 1)];
		}
		bool size = r & 0x200;
		uint64_t a = 0, b = 0;
		int ra = ims_trace_parse_num(s, o, size, &a), rb = ref_num(s, o, size, &b);
		ck_assert_msg(ra == rb && (ra || a == b), "'%.*s' size=%d: %d/0x%llx, reference %d/0x%llx",
			      (int)o, s, size, ra, (unsigned long long)a, rb, (unsigned long long)b);
	}
}
END_TEST

/* ---- Errors ------------------------------------------------------------------------ */

START_TEST(errors_give_file_line_and_the_token)
{
	/* Line numbers count comments and blank lines; CRLF lines count once. */
	expect_error("# comment\r\n\r\niommusim-trace 1\r\n\r\n   # more\r\n"
		     "ioas.alloc $a\r\nioas.map $a iova=0x1000 len=4K va=0x1000 prot=rwx\r\n",
		     7, "ioas.map: bad 'prot=rwx' (r, w, rw or none)");
	expect_error("iommusim-trace 1\ndma\t$x\tr\t0\n", 2, "dma: '$x' is used before it is made");
	static const char nul[] = "iommusim-trace 1\nmem.write 0x10 ab\0cd\n";
	expect_error_n(nul, sizeof(nul) - 1, 2, "control character 0x00");
	expect_error("", 1, "empty trace: the first statement must be 'iommusim-trace 1'");
	expect_error("\n\n\n", 3, "empty trace");
	expect_error("iommusim-trace\n", 1, "iommusim-trace: missing VERSION");
	expect_error("iommusim-trace 1\nmem.write 0x10\n", 2, "mem.write: missing HEXBYTES");
	expect_error("iommusim-trace 1\nioas.alloc $a\nioas.map $a iova=1 len=1 va=1 prot=r "
		     "as=$x as=$y\n",
		     3, "ioas.map: key 'as=$y' given twice");
	expect_error("iommusim-trace 1\nmem.write8 0x10 \x80\n", 2,
		     "mem.write8: malformed number '\\x80'");
	expect_error("iommusim-trace 1\ndevice $d sid=1\ndma $d r 0 len=1 \\\n", 3,
		     "dma: unexpected '\\x5c'");
}
END_TEST

START_TEST(an_error_is_sticky_and_its_parts_are_available)
{
	const char *src = "iommusim-trace 1\nbogus 1\nioas.alloc $a\n";
	struct ims_trace_parser *p = ims_trace_open_mem(src, strlen(src), "dir/x.trace");
	struct ims_trace_stmt st;
	ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_STMT);
	ck_assert_str_eq(ims_trace_error(p), "");
	ck_assert_u64_eq(ims_trace_error_line(p), 0);
	ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_ERROR);
	ck_assert_str_eq(ims_trace_error(p), "dir/x.trace:2: unknown verb 'bogus'");
	ck_assert_str_eq(ims_trace_error_msg(p), "unknown verb 'bogus'");
	ck_assert_u64_eq(ims_trace_error_line(p), 2);
	ck_assert_str_eq(ims_trace_file(p), "dir/x.trace");
	/* The next statement is valid, but the parser stays stopped. */
	ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_ERROR);
	ck_assert_u64_eq(ims_trace_line(p), 2);
	ims_trace_close(p);

	p = ims_trace_open_mem("x", 1, NULL);
	ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_ERROR);
	ck_assert_str_eq(ims_trace_error(p),
			 "<trace>:1: the first statement must be 'iommusim-trace 1', got 'x'");
	ims_trace_close(p);
	ck_assert_ptr_null(ims_trace_open_file(NULL, "x"));
}
END_TEST

START_TEST(the_malformed_corpus_fails_at_the_promised_line)
{
	const char *dir = "traces/malformed";
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "%s not found (run from the repository root)", dir);
	unsigned n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 7 || strcmp(e->d_name + len - 6, ".trace"))
			continue;
		char path[512], first[512];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_nonnull(fgets(first, sizeof(first), f));
		first[strcspn(first, "\n")] = '\0';
		/* "# expect-error: LINE: fragment" */
		unsigned long long line = 0;
		int off = 0;
		ck_assert_msg(sscanf(first, "# expect-error: %llu: %n", &line, &off) == 1 && off > 0,
			      "%s: bad first line '%s'", path, first);
		rewind(f);
		struct ims_trace_parser *p = ims_trace_open_file(f, path);
		struct ims_trace_stmt st;
		int rc;
		while ((rc = ims_trace_next(p, &st)) == IMS_TRACE_STMT)
			;
		ck_assert_msg(rc == IMS_TRACE_ERROR, "%s: no error", path);
		char want[600];
		snprintf(want, sizeof(want), "%s:%llu: ", path, line);
		ck_assert_msg(strncmp(ims_trace_error(p), want, strlen(want)) == 0,
			      "%s: got '%s', wanted line %llu", path, ims_trace_error(p), line);
		ck_assert_msg(strstr(ims_trace_error_msg(p), first + off) != NULL,
			      "%s: got '%s', wanted '%s'", path, ims_trace_error(p), first + off);
		ims_trace_close(p);
		fclose(f);
		n++;
	}
	closedir(d);
	ck_assert_uint_ge(n, 80);
}
END_TEST

/* ---- Round trip --------------------------------------------------------------------- */

/* Parses `src`, writes every statement canonically, parses that, and checks
 * that both give equal statements and that writing again changes nothing. */
static void check_round_trip(const char *src, size_t len)
{
	struct ims_trace_parser *a = ims_trace_open_mem(src, len, "a.trace");
	struct text out = { 0 };
	struct ims_trace_stmt st;
	int rc;
	unsigned n = 0;
	while ((rc = ims_trace_next(a, &st)) == IMS_TRACE_STMT) {
		text_line(&out, canon(&st, ims_trace_parser_names(a)));
		n++;
	}
	ck_assert_msg(rc == IMS_TRACE_EOF, "%s", ims_trace_error(a));
	ims_trace_close(a);

	a = ims_trace_open_mem(src, len, "a.trace");
	struct ims_trace_parser *b = ims_trace_open_mem(out.s, out.len, "b.trace");
	struct ims_trace_stmt sa, sb;
	struct text again = { 0 };
	for (unsigned i = 0; i < n; i++) {
		ck_assert_int_eq(ims_trace_next(a, &sa), IMS_TRACE_STMT);
		ck_assert_msg(ims_trace_next(b, &sb) == IMS_TRACE_STMT, "%s", ims_trace_error(b));
		ck_assert_msg(ims_trace_stmt_equal(&sa, ims_trace_parser_names(a), &sb,
						   ims_trace_parser_names(b)),
			      "line %llu does not survive: '%s'", (unsigned long long)sa.line,
			      canon(&sa, ims_trace_parser_names(a)));
		text_line(&again, canon(&sb, ims_trace_parser_names(b)));
	}
	ck_assert_int_eq(ims_trace_next(b, &sb), IMS_TRACE_EOF);
	ck_assert_str_eq(again.s ? again.s : "", out.s ? out.s : "");
	ims_trace_close(a);
	ims_trace_close(b);
	free(out.s);
	free(again.s);
}

START_TEST(parse_write_parse_round_trips_on_the_golden_corpus)
{
	struct text src = { 0 };
	text_line(&src, "# The golden lines, one after another, as one trace.");
	text_add(&src, prelude, strlen(prelude));
	for (unsigned i = 0; i < NGOLDENS; i++)
		text_line(&src, goldens[i].in);
	check_round_trip(src.s, src.len);
	free(src.s);
	/* Setup forms, tabs, comments, CRLF and a last line without newline. */
	static const char setup[] = "iommusim-trace 1\r\nmodel amdvi # AMD\r\n"
				    "set\tefr=0x0000_0004_2ff7_7ef4 \tdte.cache=64\n"
				    "device $d bdf=00:02.0\tpri\n"
				    "dma $d r 0x1000 expect=fault:0x02";
	check_round_trip(setup, sizeof(setup) - 1);
}
END_TEST

/* A random statement for verb v, valid by construction, from the schema.
 * Objects $o0..$o3, values $v0..$v1 and table $t exist; new names are fresh. */
static unsigned fresh;

static void rnd_num(struct text *t, uint64_t *seed, unsigned vt, unsigned width, bool allow_name)
{
	char b[64];
	uint64_t r = ims_test_rand(seed);
	if (allow_name && r % 7 == 0) {
		snprintf(b, sizeof(b), (r & 8) ? "$v%u+0x%x" : "$v%u", (unsigned)(r >> 4) % 2,
			 (unsigned)(r >> 8) & 0xfff);
		text_add(t, b, strlen(b));
		return;
	}
	uint64_t v = ims_test_rand(seed);
	v >>= (r >> 16) % 64;
	if (width && width < 64)
		v &= (1ull << width) - 1;
	switch ((r >> 24) % 4) {
	case 0:
		snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
		break;
	case 1:
		snprintf(b, sizeof(b), "0x%llx", (unsigned long long)v);
		break;
	case 2:
		snprintf(b, sizeof(b), "0x%llX", (unsigned long long)v);
		break;
	default:
		if (vt == VT_SIZE) {
			snprintf(b, sizeof(b), "%lluK", (unsigned long long)(v >> 12));
		} else {
			/* Underscores every four hex digits. */
			char h[32];
			int n = snprintf(h, sizeof(h), "%llx", (unsigned long long)v), o = 2;
			b[0] = '0';
			b[1] = 'x';
			for (int i = 0; i < n; i++) {
				if (i && (n - i) % 4 == 0)
					b[o++] = '_';
				b[o++] = h[i];
			}
			b[o] = '\0';
		}
		break;
	}
	text_add(t, b, strlen(b));
}

static void rnd_value(struct text *t, uint64_t *seed, uint8_t vt, const char *const *words,
		      unsigned width)
{
	char b[64];
	uint64_t r = ims_test_rand(seed);
	switch ((enum ims_trace_vt)vt) {
	case VT_FLAG:
		break;
	case VT_HEX:
	case VT_DEC:
	case VT_SIZE:
		rnd_num(t, seed, vt, width, !width);
		break;
	case VT_HEX_AUTO:
		if (r & 1)
			text_add(t, "auto", 4);
		else
			rnd_num(t, seed, VT_HEX, 0, true);
		break;
	case VT_ACCESS: {
		static const char *const a[] = { "r", "w", "rw", "x" };
		text_add(t, a[r % 4], strlen(a[r % 4]));
		break;
	}
	case VT_PROT: {
		static const char *const a[] = { "r", "w", "rw", "none" };
		text_add(t, a[r % 4], strlen(a[r % 4]));
		break;
	}
	case VT_PERM: {
		static const char *const a[] = { "none", "r", "wr", "xp", "prwx", "w" };
		text_add(t, a[r % 6], strlen(a[r % 6]));
		break;
	}
	case VT_OBJ:
	case VT_DEV:
		snprintf(b, sizeof(b), "$o%u", (unsigned)(r % 4));
		text_add(t, b, strlen(b));
		break;
	case VT_OBJ_OR_ID:
		if (r & 1)
			snprintf(b, sizeof(b), "$o%u", (unsigned)(r >> 1) % 4);
		else
			snprintf(b, sizeof(b), "%u", (unsigned)(r >> 1) % 100);
		text_add(t, b, strlen(b));
		break;
	case VT_NEWOBJ:
	case VT_NEWVAL:
	case VT_NEWTABLE:
		snprintf(b, sizeof(b), "$n%u", fresh++);
		text_add(t, b, strlen(b));
		break;
	case VT_RANGES:
	case VT_RANGE: {
		unsigned n = vt == VT_RANGE ? 1 : (unsigned)(r % 4);
		for (unsigned i = 0; i < n; i++) {
			if (i)
				text_add(t, ",", 1);
			rnd_num(t, seed, VT_HEX, 0, true);
			text_add(t, "-", 1);
			rnd_num(t, seed, VT_HEX, 0, true);
		}
		break;
	}
	case VT_WORD:
		text_add(t, words[r % ims_trace_words_count(words)],
			 strlen(words[r % ims_trace_words_count(words)]));
		break;
	case VT_CODE:
		if (r & 1)
			text_add(t, words[(r >> 1) % ims_trace_words_count(words)],
				 strlen(words[(r >> 1) % ims_trace_words_count(words)]));
		else
			rnd_num(t, seed, VT_DEC, 0, false);
		break;
	case VT_HEXBYTES:
		for (unsigned i = 0, n = 1 + (unsigned)(r % 40); i < n; i++) {
			snprintf(b, sizeof(b), (r & 2) ? "%02X" : "%02x",
				 (unsigned)ims_test_rand(seed) & 0xff);
			text_add(t, b, 2);
		}
		break;
	case VT_STR:
		text_add(t, (r & 1) ? "iotlb.hits" : "walk_reads", (r & 1) ? 10 : 10);
		break;
	case VT_PTFMT:
		text_add(t, ims_pt_catalog[r % ims_pt_ncatalog].name,
			 strlen(ims_pt_catalog[r % ims_pt_ncatalog].name));
		break;
	}
}

static void rnd_key(struct text *t, uint64_t *seed, const struct ims_trace_keyent *ke,
		    unsigned width)
{
	text_add(t, " ", 1);
	text_add(t, ims_trace_key_names[ke->key], strlen(ims_trace_key_names[ke->key]));
	if (ke->vt == VT_FLAG)
		return;
	text_add(t, "=", 1);
	rnd_value(t, seed, ke->vt, ke->words, (ke->flags & KE_W) ? width : 0);
}

static void rnd_statement(struct text *t, uint64_t *seed, enum ims_trace_verb v)
{
	const struct ims_trace_verbdesc *d = &ims_trace_verbs[v];
	text_add(t, d->name, strlen(d->name));
	unsigned npos = ims_trace_npos_min(d);
	if (npos < ims_trace_npos_max(d) && (ims_test_rand(seed) & 1))
		npos++;
	for (unsigned i = 0; i < npos; i++) {
		text_add(t, " ", 1);
		if (d->pos[i].vt == VT_DEV && (ims_test_rand(seed) & 1)) {
			text_add(t, "bdf=0a:1c.3", 11);
			continue;
		}
		rnd_value(t, seed, d->pos[i].vt, d->pos[i].words, (d->pos[i].flags & PE_W) ? d->width : 0);
	}
	/* Statement keys in a random order; data= (when any) last. */
	unsigned nk = 0, order[IMS_TRACE_MAX_VKEYS];
	for (unsigned i = 0; d->keys[i].key != IMS_TRACE_K_NONE; i++)
		if (d->keys[i].key != IMS_TRACE_K_DATA)
			order[nk++] = i;
	for (unsigned i = nk; i > 1; i--) {
		unsigned j = (unsigned)(ims_test_rand(seed) % i), x = order[i - 1];
		order[i - 1] = order[j];
		order[j] = x;
	}
	for (unsigned i = 0; i < nk; i++) {
		const struct ims_trace_keyent *ke = &d->keys[order[i]];
		if ((ke->flags & KE_REQ) || (ims_test_rand(seed) & 1))
			rnd_key(t, seed, ke, d->width);
	}
	int kd = ims_trace_keyent_find(d->keys, IMS_TRACE_K_DATA);
	if (kd >= 0 && ((d->keys[kd].flags & KE_REQ) || (ims_test_rand(seed) & 1))) {
		unsigned type = (unsigned)(ims_test_rand(seed) % IMS_TRACE_NDATA);
		const struct ims_trace_datadesc *dd = ims_trace_data_desc(v, type);
		text_add(t, " data=", 6);
		text_add(t, ims_trace_words_data[type], strlen(ims_trace_words_data[type]));
		unsigned n = dd->min_entries + (unsigned)(ims_test_rand(seed) % 3);
		if (n > dd->max_entries)
			n = dd->max_entries;
		for (unsigned e = 0; e < n; e++) {
			if (e)
				text_add(t, " /", 2);
			for (unsigned i = 0; dd->keys[i].key != IMS_TRACE_K_NONE; i++)
				if ((dd->keys[i].flags & KE_REQ) || (ims_test_rand(seed) & 1))
					rnd_key(t, seed, &dd->keys[i], 0);
		}
	}
	if (ims_test_rand(seed) & 1) {
		/* An expect= form the verb takes. */
		unsigned k;
		do
			k = (unsigned)(ims_test_rand(seed) % IMS_TRACE_NXKINDS);
		while (!(d->xmask & (1u << k)));
		text_add(t, " expect=", 8);
		switch (k) {
		case IMS_TRACE_X_OK: text_add(t, "ok", 2); break;
		case IMS_TRACE_X_ERRNO: text_add(t, "EADDRINUSE", 10); break;
		case IMS_TRACE_X_VALUE: rnd_num(t, seed, VT_HEX, d->width, !d->width); break;
		case IMS_TRACE_X_PA: text_add(t, "pa:", 3); rnd_num(t, seed, VT_HEX, 0, true); break;
		case IMS_TRACE_X_FAULT: text_add(t, "fault", 5); break;
		case IMS_TRACE_X_FAULT_CODE: text_add(t, "fault:0x11", 10); break;
		case IMS_TRACE_X_RANGES: rnd_value(t, seed, VT_RANGES, NULL, 0); break;
		case IMS_TRACE_X_EMPTY: text_add(t, "empty", 5); break;
		case IMS_TRACE_X_QUEUED: text_add(t, "queued", 6); break;
		case IMS_TRACE_X_STALL: text_add(t, "stall", 5); break;
		}
	}
	text_add(t, "\n", 1);
}

START_TEST(parse_write_parse_round_trips_on_generated_statements)
{
	uint64_t seed = ims_test_seed(0x5eed);
	struct text src = { 0 };
	text_line(&src, "iommusim-trace 1");
	text_line(&src, "set iotlb.sets=64");
	text_line(&src, "ioas.alloc $o0");
	text_line(&src, "device $o1 sid=1");
	text_line(&src, "fault.alloc $o2");
	text_line(&src, "pt.alloc $o3 arm-s2-4k pool=0-0xfffff");
	text_line(&src, "ioas.map $o0 iova=auto len=4K va=0 prot=rw as=$v0");
	text_line(&src, "ioas.map $o0 iova=auto len=4K va=0 prot=rw as=$v1");
	for (unsigned i = 0; i < 5000; i++) {
		enum ims_trace_verb v;
		do
			v = (enum ims_trace_verb)(ims_test_rand(&seed) % IMS_TRACE_NVERBS);
		while (ims_trace_verbs[v].flags & VF_SETUP || v == IMS_TRACE_V_HEADER);
		rnd_statement(&src, &seed, v);
	}
	/* All of it must parse (the generator follows the schema)... */
	char err[600];
	int rc = parse_text(src.s, NULL, err, sizeof(err));
	if (rc != IMS_TRACE_EOF) {
		unsigned long long line = strtoull(strchr(err, ':') + 1, NULL, 10);
		const char *l = src.s;
		for (unsigned long long i = 1; i < line && l; i++)
			l = strchr(l, '\n') + 1;
		ck_abort_msg("%s\nline: %.*s", err, (int)strcspn(l, "\n"), l);
	}
	/* ...and survive the round trip. */
	check_round_trip(src.s, src.len);
	free(src.s);
}
END_TEST

/* ---- Streaming ------------------------------------------------------------------------ */

START_TEST(a_million_line_trace_streams_with_flat_memory)
{
	FILE *f = tmpfile();
	ck_assert_ptr_nonnull(f);
	fputs("iommusim-trace 1\n# generated\ndevice $nic sid=0x100\nioas.alloc $a\n", f);
	/* A long line first, so the line buffer has grown before we measure. */
	fputs("mem.write 0x0 ", f);
	for (unsigned i = 0; i < 3000; i++)
		fputs("0123456789abcdef", f);
	fputc('\n', f);
	const unsigned long lines = 1000000;
	for (unsigned long i = 0; i < lines; i++) {
		switch (i % 8) {
		case 0:
			fprintf(f, "ioas.map $a iova=auto len=4K va=0x%lx prot=rw as=$b%lu\n", i << 12,
				i % 16);
			break;
		case 1:
			fprintf(f, "ioas.unmap $a iova=$b%lu len=4K unmapped=4K # undo\n", (i - 1) % 16);
			break;
		case 2:
			fprintf(f, "mem.write64 0x%lx 0x%lx\n", i * 8, i);
			break;
		default:
			fprintf(f, "dma $nic %s 0x%lx len=64 expect=pa:0x%lx\n", (i & 1) ? "r" : "w",
				0x10000000ul + i * 64, 0x80000000ul + i * 64);
			break;
		}
	}
	rewind(f);
	struct ims_trace_parser *p = ims_trace_open_file(f, "big.trace");
	struct ims_trace_stmt st;
	unsigned long n = 0;
	size_t warm = 0;
	int rc;
	while ((rc = ims_trace_next(p, &st)) == IMS_TRACE_STMT) {
		if (++n == 1000)
			warm = ims_trace_parser_mem_bytes(p);
		if (n > 1000 && (n & 0xffff) == 0)
			ck_assert_uint_eq(ims_trace_parser_mem_bytes(p), warm);
	}
	ck_assert_msg(rc == IMS_TRACE_EOF, "%s", ims_trace_error(p));
	ck_assert_uint_eq(n, lines + 4);
	ck_assert_uint_eq(ims_trace_parser_mem_bytes(p), warm);
	/* Buffers, 16 names and the tables: well under a megabyte. */
	ck_assert_uint_lt(warm, 1u << 20);
	ck_assert_u64_eq(ims_trace_line(p), lines + 5);
	ims_trace_close(p);
	fclose(f);
}
END_TEST

START_TEST(long_lines_and_odd_endings_read_the_same_from_file_and_memory)
{
	/* A 300 KiB mem.write straddles the reader's 64 KiB blocks; the last
	 * line has no newline. */
	struct text src = { 0 };
	text_line(&src, "iommusim-trace 1");
	text_add(&src, "mem.write 0x1000 ", 17);
	for (unsigned i = 0; i < 300 * 1024; i++) {
		char b[3];
		snprintf(b, sizeof(b), "%02x", i & 0xff);
		text_add(&src, b, 2);
	}
	text_add(&src, " # big\r\n", 8);
	text_add(&src, "mem.read8 0x1000 expect=0", 25);
	for (int via_file = 0; via_file < 2; via_file++) {
		FILE *f = NULL;
		struct ims_trace_parser *p;
		if (via_file) {
			f = tmpfile();
			ck_assert_uint_eq(fwrite(src.s, 1, src.len, f), src.len);
			rewind(f);
			p = ims_trace_open_file(f, "t.trace");
		} else {
			p = ims_trace_open_mem(src.s, src.len, "t.trace");
		}
		struct ims_trace_stmt st;
		ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_STMT);
		ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_STMT);
		ck_assert_uint_eq(st.pos[1].n, 300 * 1024);
		for (unsigned i = 0; i < 300 * 1024; i += 4099)
			ck_assert_uint_eq(st.pos[1].p.bytes[i], i & 0xff);
		/* The writer gives the whole line back. */
		ck_assert_int_eq(ims_trace_format(NULL, 0, &st, ims_trace_parser_names(p)),
				 17 + 600 * 1024);
		ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_STMT);
		ck_assert_int_eq(st.verb, IMS_TRACE_V_MEM_READ8);
		ck_assert_u64_eq(st.line, 3);
		ck_assert_int_eq(ims_trace_next(p, &st), IMS_TRACE_EOF);
		ims_trace_close(p);
		if (f)
			fclose(f);
	}
	free(src.s);
}
END_TEST

/* ---- Writer -------------------------------------------------------------------------- */

START_TEST(the_writer_refuses_statements_outside_the_schema)
{
	struct ims_trace_names *n = ims_trace_names_new();
	int a = ims_trace_names_intern(n, "a", 1);
	ims_trace_names_define(n, a, IMS_TRACE_NAME_OBJ, IMS_TRACE_V_IOAS_ALLOC, 1);
	char buf[128];

	/* A statement built by hand, as an importer would. */
	struct ims_trace_arg kv[2] = {
		{ .key = IMS_TRACE_K_IOVA, .type = IMS_TRACE_A_VAL, .v = { 0x1000, IMS_TRACE_NO_NAME } },
		{ .key = IMS_TRACE_K_LEN, .type = IMS_TRACE_A_VAL, .v = { 0x1000, IMS_TRACE_NO_NAME } },
	};
	struct ims_trace_stmt st = { .verb = IMS_TRACE_V_IOAS_UNMAP, .npos = 1, .nkv = 2, .kv = kv,
				     .data = -1 };
	st.pos[0] = (struct ims_trace_arg){ .type = IMS_TRACE_A_NAME, .v = { 0, a } };
	/* Keys in any order come out in schema order. */
	struct ims_trace_arg swapped[2] = { kv[1], kv[0] };
	st.kv = swapped;
	const char *want = "ioas.unmap $a iova=0x1000 len=4K";
	ck_assert_int_eq(ims_trace_format(buf, sizeof(buf), &st, n), (int)strlen(want));
	ck_assert_str_eq(buf, want);
	/* snprintf-like: a short buffer gets a cut, terminated text and the full length. */
	ck_assert_int_eq(ims_trace_format(buf, 8, &st, n), (int)strlen(want));
	ck_assert_str_eq(buf, "ioas.un");

	st.kv = kv;
	st.verb = IMS_TRACE_NVERBS;
	ck_assert_int_eq(ims_trace_format(buf, sizeof(buf), &st, n), -EINVAL);
	st.verb = IMS_TRACE_V_IOAS_UNMAP;
	st.pos[0].v.name = 5; /* no such slot */
	ck_assert_int_eq(ims_trace_format(buf, sizeof(buf), &st, n), -EINVAL);
	st.pos[0].v.name = a;
	kv[1].key = IMS_TRACE_K_PASID; /* not a key of ioas.unmap */
	ck_assert_int_eq(ims_trace_format(buf, sizeof(buf), &st, n), -EINVAL);
	kv[1].key = IMS_TRACE_K_LEN;
	st.expect = (struct ims_trace_expect){ .kind = IMS_TRACE_X_PA };
	ck_assert_int_eq(ims_trace_format(buf, sizeof(buf), &st, n), -EINVAL); /* not for API */
	st.expect = (struct ims_trace_expect){ .kind = IMS_TRACE_X_ERRNO, .err = 100000 };
	ck_assert_int_eq(ims_trace_format(buf, sizeof(buf), &st, n), -EINVAL); /* no name */
	st.expect.err = EBUSY;
	FILE *f = tmpfile();
	ck_assert_int_eq(ims_trace_write(f, &st, n), 0);
	st.npos = 0;
	ck_assert_int_eq(ims_trace_write(f, &st, n), -EINVAL); /* writes nothing */
	rewind(f);
	char line[128] = "";
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "ioas.unmap $a iova=0x1000 len=4K expect=EBUSY\n");
	ck_assert_ptr_null(fgets(line, sizeof(line), f));
	fclose(f);

	struct ims_trace_stmt dma = { .verb = IMS_TRACE_V_DMA, .npos = 3, .data = -1 };
	dma.pos[0] = (struct ims_trace_arg){ .key = IMS_TRACE_K_SID, .type = IMS_TRACE_A_VAL,
					     .v = { 0x10, IMS_TRACE_NO_NAME } };
	dma.pos[1] = (struct ims_trace_arg){ .type = IMS_TRACE_A_VAL,
					     .v = { IMS_TRACE_ACC_W | IMS_TRACE_ACC_X, -1 } };
	dma.pos[2] = (struct ims_trace_arg){ .type = IMS_TRACE_A_VAL, .v = { 0, -1 } };
	ck_assert_int_eq(ims_trace_format(buf, sizeof(buf), &dma, n), -EINVAL); /* wx: no ACCESS */
	dma.pos[1].v.num = IMS_TRACE_ACC_W;
	ck_assert_int_eq(ims_trace_format(buf, sizeof(buf), &dma, n), 18);
	ck_assert_str_eq(buf, "dma sid=0x10 w 0x0");
	ims_trace_names_free(n);
}
END_TEST

/* ---- Names and schema ------------------------------------------------------------------ */

START_TEST(names_are_interned_once_and_stay_put)
{
	struct ims_trace_names *n = ims_trace_names_new();
	int first = ims_trace_names_intern(n, "nic", 3);
	ck_assert_int_eq(first, 0);
	const char *s = ims_trace_names_str(n, first);
	ck_assert_int_eq(ims_trace_names_intern(n, "nic", 3), 0);
	ck_assert_int_eq(ims_trace_names_find(n, "nix", 3), -1);
	ck_assert_uint_eq(ims_trace_names_kind(n, first), 0); /* interned, not defined */
	char b[32];
	for (int i = 0; i < 20000; i++) {
		int len = snprintf(b, sizeof(b), "name%d", i);
		ck_assert_int_eq(ims_trace_names_intern(n, b, (size_t)len), i + 1);
	}
	ck_assert_uint_eq(ims_trace_names_count(n), 20001);
	ck_assert_ptr_eq(ims_trace_names_str(n, first), s); /* did not move */
	ck_assert_int_eq(ims_trace_names_find(n, "name19999", 9), 20000);
	ck_assert_ptr_null(ims_trace_names_str(n, 20001));
	ck_assert_int_eq(ims_trace_names_define(n, 20001, IMS_TRACE_NAME_OBJ, IMS_TRACE_V_DEVICE, 1),
			 -EINVAL);
	ck_assert_int_eq(ims_trace_names_define(n, 3, IMS_TRACE_NAME_OBJ, IMS_TRACE_V_DEVICE, 9), 0);
	ck_assert_uint_eq(ims_trace_names_kind(n, 3), IMS_TRACE_NAME_OBJ);
	ck_assert_u64_eq(ims_trace_names_line(n, 3), 9);
	ims_trace_names_free(n);
}
END_TEST

START_TEST(the_schema_table_is_consistent)
{
	for (unsigned v = 0; v < IMS_TRACE_NVERBS; v++) {
		const struct ims_trace_verbdesc *d = &ims_trace_verbs[v];
		ck_assert_ptr_nonnull(d->name);
		for (unsigned w = 0; w < v; w++)
			ck_assert_str_ne(d->name, ims_trace_verbs[w].name);
		/* Only trailing positionals are optional. */
		bool opt = false;
		for (unsigned i = 0; i < ims_trace_npos_max(d); i++) {
			if (opt)
				ck_assert(d->pos[i].flags & PE_OPT);
			opt = d->pos[i].flags & PE_OPT;
			if (d->pos[i].vt == VT_WORD || d->pos[i].vt == VT_CODE)
				ck_assert_ptr_nonnull(d->pos[i].words);
		}
		ck_assert(!((d->flags & VF_SETUP) && (d->flags & VF_MACHINE)));
		ck_assert_uint_ne(d->xmask, 0);
		for (unsigned i = 0; d->keys[i].key != IMS_TRACE_K_NONE; i++) {
			const struct ims_trace_keyent *ke = &d->keys[i];
			ck_assert_uint_lt(ke->key, IMS_TRACE_NKEYS);
			ck_assert_uint_ge(ke->key, IMS_TRACE_K_SID);
			ck_assert_int_eq(ims_trace_keyent_find(d->keys, ke->key), (int)i);
			if (ke->vt == VT_WORD || ke->vt == VT_CODE)
				ck_assert_ptr_nonnull(ke->words);
		}
	}
	for (unsigned i = 0; i < ims_trace_ndatas; i++) {
		const struct ims_trace_datadesc *dd = &ims_trace_datas[i];
		const struct ims_trace_verbdesc *d = &ims_trace_verbs[dd->verb];
		/* The verb has data=, and data fields never shadow statement keys. */
		ck_assert_int_ge(ims_trace_keyent_find(d->keys, IMS_TRACE_K_DATA), 0);
		for (unsigned k = 0; dd->keys[k].key != IMS_TRACE_K_NONE; k++)
			ck_assert_msg(ims_trace_keyent_find(d->keys, dd->keys[k].key) < 0,
				      "%s: data key %s is also a statement key", d->name,
				      ims_trace_key_names[dd->keys[k].key]);
		ck_assert_uint_le(dd->min_entries, dd->max_entries);
	}
	for (unsigned k = IMS_TRACE_K_SID; k <= IMS_TRACE_NKEYS; k++)
		for (unsigned j = IMS_TRACE_K_SID; j < k; j++)
			ck_assert_str_ne(ims_trace_key_names[k], ims_trace_key_names[j]);
	/* Each errno name maps back to itself. */
	static const char *const names[] = { "EINVAL", "ENOENT", "EBUSY", "EOPNOTSUPP", "EEXIST",
					     "ERANGE", "EOVERFLOW", "ENOSPC", "EADDRINUSE",
					     "EMSGSIZE", "EIO" };
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int e = ims_trace_errno_from_name(names[i], strlen(names[i]));
		ck_assert_int_gt(e, 0);
		ck_assert_str_eq(ims_trace_errno_name(e), names[i]);
	}
	ck_assert_int_eq(ims_trace_errno_from_name("EDEADLOCK", 9), EDEADLK);
	ck_assert(ims_trace_verb_is_ext(IMS_TRACE_V_PT_MAP));
	ck_assert(!ims_trace_verb_is_ext(IMS_TRACE_V_DMA));
}
END_TEST

START_TEST(format_md_documents_every_verb_and_key)
{
	FILE *f = fopen("traces/FORMAT.md", "r");
	ck_assert_msg(f != NULL, "traces/FORMAT.md not found (run from the repository root)");
	struct text doc = { 0 };
	char buf[4096];
	size_t got;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		text_add(&doc, buf, got);
	fclose(f);
	char pat[80];
	for (unsigned v = 0; v < IMS_TRACE_NVERBS; v++) {
		snprintf(pat, sizeof(pat), "`%s", ims_trace_verbs[v].name);
		ck_assert_msg(strstr(doc.s, pat), "FORMAT.md does not name %s", pat);
	}
	for (unsigned k = IMS_TRACE_K_SID; k <= IMS_TRACE_NKEYS; k++) {
		const char *name = ims_trace_key_names[k];
		char a[64], b[64], c[64];
		snprintf(a, sizeof(a), "%s=", name);
		snprintf(b, sizeof(b), "[%s]", name);
		snprintf(c, sizeof(c), "`%s`", name);
		ck_assert_msg(strstr(doc.s, a) || strstr(doc.s, b) || strstr(doc.s, c),
			      "FORMAT.md does not document key %s", name);
	}
	free(doc.s);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("trace");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, every_statement_form_reads_and_writes_back_canonically);
	tcase_add_test(tc, the_golden_lines_cover_every_verb);
	tcase_add_test(tc, setup_statements_read_and_write_back);
	tcase_add_test(tc, a_dma_statement_reads_into_its_fields);
	tcase_add_test(tc, dma_by_sid_or_bdf_keeps_the_requester_id);
	tcase_add_test(tc, names_made_by_a_statement_are_bound_with_kind_verb_and_line);
	tcase_add_test(tc, a_name_can_be_made_again_after_destroy);
	tcase_add_test(tc, nested_data_fields_go_to_their_entry);
	tcase_add_test(tc, invalidation_entries_are_numbered_in_order);
	tcase_add_test(tc, range_lists_read_into_ranges);
	tcase_add_test(tc, an_empty_range_list_in_a_fresh_parser_points_nowhere);
	tcase_add_test(tc, set_keeps_model_keys_as_text);
	tcase_add_test(tc, mem_write_bytes_are_decoded);
	tcase_add_test(tc, check_option_destroy_and_pt_read_their_words);
	tcase_add_test(tc, each_verb_takes_its_own_expect_forms);
	tcase_add_test(tc, good_numbers_read_as_the_contract_says);
	tcase_add_test(tc, bad_numbers_are_refused_with_the_right_reason);
	tcase_add_test(tc, random_numbers_read_like_a_reference_reader);
	tcase_add_test(tc, errors_give_file_line_and_the_token);
	tcase_add_test(tc, an_error_is_sticky_and_its_parts_are_available);
	tcase_add_test(tc, the_malformed_corpus_fails_at_the_promised_line);
	tcase_add_test(tc, parse_write_parse_round_trips_on_the_golden_corpus);
	tcase_add_test(tc, parse_write_parse_round_trips_on_generated_statements);
	tcase_add_test(tc, a_million_line_trace_streams_with_flat_memory);
	tcase_add_test(tc, long_lines_and_odd_endings_read_the_same_from_file_and_memory);
	tcase_add_test(tc, the_writer_refuses_statements_outside_the_schema);
	tcase_add_test(tc, names_are_interned_once_and_stay_put);
	tcase_add_test(tc, the_schema_table_is_consistent);
	tcase_add_test(tc, format_md_documents_every_verb_and_key);
	suite_add_tcase(s, tc);
	return s;
}
