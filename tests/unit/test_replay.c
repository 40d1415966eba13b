/* SPDX-License-Identifier: MIT */
/*
 * sim/replay: traces run on the VT-d model, written in memory (contract:
 * sim/replay.h; the outcomes and exit rules of TRACE-FORMAT.md and
 * traces/FORMAT.md §9).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iommusim/vtd.h"
#include "sim/replay.h"
#include "sim/replay/replay_priv.h"
#include "tests/unit/tharness.h"

/* One run of an in-memory trace, with its diagnostics and --results lines
 * captured. */
struct run {
	enum ims_replay_status st;
	struct ims_replay *r;
	struct ims_trace_parser *p;
	char *diag, *res;
	size_t dlen, rlen;
	FILE *df, *rf;
};

static void keep(void *arg, const char *line)
{
	fprintf((FILE *)arg, "%s\n", line);
}

static struct run *replay_opts(const char *text, struct ims_replay_opts o)
{
	struct run *x = calloc(1, sizeof(*x));

	ck_assert_ptr_nonnull(x);
	x->df = open_memstream(&x->diag, &x->dlen);
	x->rf = open_memstream(&x->res, &x->rlen);
	ck_assert_ptr_nonnull(x->df);
	ck_assert_ptr_nonnull(x->rf);
	o.diag = x->df;
	o.result = keep;
	o.result_arg = x->rf;
	if (!o.seed)
		o.seed = 1;
	x->p = ims_trace_open_mem(text, strlen(text), "t.trace");
	x->r = ims_replay_new(&o);
	ck_assert_ptr_nonnull(x->p);
	ck_assert_ptr_nonnull(x->r);
	x->st = ims_replay_run(x->r, x->p);
	fflush(x->df);
	fflush(x->rf);
	return x;
}

static struct run *replay(const char *text)
{
	return replay_opts(text, (struct ims_replay_opts){ 0 });
}

static void run_free(struct run *x)
{
	ims_replay_free(x->r);
	ims_trace_close(x->p);
	fclose(x->df);
	fclose(x->rf);
	free(x->diag);
	free(x->res);
	free(x);
}

static uint64_t stat(const struct run *x, const char *name)
{
	bool found;
	uint64_t v = ims_replay_stat(ims_replay_summary(x->r), name, &found);
	ck_assert_msg(found, "statistic %s missing", name);
	return v;
}

#define ck_diag_has(x, s) ck_assert_msg(strstr((x)->diag, (s)) != NULL, "diag lacks '%s':\n%s", \
					 (s), (x)->diag)

/* A device on a paging domain of an IOAS: what most scenarios start from. */
#define PAGING "iommusim-trace 1\n"                                        \
	       "device.bind $nic sid=0x100\n"                              \
	       "ioas.alloc $a\n"                                           \
	       "ioas.map $a iova=0x100000 len=64K va=0x80000000 prot=rw\n" \
	       "device.attach $nic pt=$a\n"

START_TEST(dma_translates_through_a_paging_domain_and_the_expectation_holds)
{
	struct run *x = replay(PAGING
			       "dma $nic r 0x100040 len=64 expect=pa:0x80000040\n"
			       "dma $nic w 0x10f000 expect=pa:0x8000f000\n"
			       "dma $nic r 0x100080 expect=ok\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	ck_assert_str_eq(x->diag, "");
	ck_assert_u64_eq(stat(x, "dma.statements"), 3);
	ck_assert_u64_eq(stat(x, "translations"), 3);
	ck_assert_u64_eq(stat(x, "expect.checked"), 3);
	/* The third request hits what the first one cached. */
	ck_assert_u64_eq(stat(x, "iotlb.hits"), 1);
	ck_assert_str_eq(ims_replay_model_name(x->r), "vtd");
	run_free(x);
}
END_TEST

START_TEST(a_failed_expectation_names_the_line_and_the_run_carries_on)
{
	struct run *x = replay(PAGING
			       "dma $nic r 0x100000 expect=pa:0x90000000\n"
			       "dma $nic r 0x200000 expect=pa:0x1000\n"
			       "dma $nic r 0x100000 expect=fault\n"
			       "dma $nic r 0x100000 expect=pa:0x80000000\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_FAILED);
	ck_diag_has(x, "t.trace:6: expected pa:0x90000000, got pa:0x80000000\n");
	ck_diag_has(x, "t.trace:7: expected pa:0x1000, got fault:0x79\n");
	ck_diag_has(x, "t.trace:8: expected fault, got pa:0x80000000\n");
	ck_assert_u64_eq(stat(x, "expect.failed"), 3);
	/* Line 9 ran after the failures. */
	ck_assert_u64_eq(stat(x, "dma.statements"), 4);
	run_free(x);
}
END_TEST

START_TEST(an_api_failure_without_expect_stops_the_run)
{
	struct run *x = replay(PAGING
			       "ioas.map $a iova=0x100000 len=4K va=0x90000000 prot=rw\n"
			       "dma $nic r 0x100000\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_ERROR);
	ck_diag_has(x, "t.trace:6: ioas.map failed: EEXIST");
	ck_assert_u64_eq(stat(x, "dma.statements"), 0);
	run_free(x);
}
END_TEST

START_TEST(an_expected_errno_holds_and_a_wrong_one_fails)
{
	struct run *x = replay(PAGING
			       "ioas.map $a iova=0x100000 len=4K va=0x90000000 prot=rw expect=EEXIST\n"
			       "ioas.unmap $a iova=0x300000 len=4K expect=ENOENT\n"
			       "destroy 0 expect=ENOENT\n"
			       "ioas.map $a iova=0x400000 len=4K va=0x90000000 prot=rw expect=EINVAL\n"
			       "ioas.alloc $b expect=EBUSY\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_FAILED);
	ck_diag_has(x, "t.trace:9: expected EINVAL, got ok\n");
	ck_diag_has(x, "t.trace:10: expected EBUSY, got ok\n");
	ck_assert_u64_eq(stat(x, "expect.failed"), 2);
	run_free(x);
}
END_TEST

START_TEST(automatic_iovas_bind_names_that_later_statements_use)
{
	struct run *x = replay(PAGING
			       "ioas.map $a iova=auto len=4K va=0x90002000 prot=rw as=$buf\n"
			       "dma $nic w $buf+0x10 expect=pa:0x90002010\n"
			       "ioas.unmap $a iova=$buf len=4K unmapped=4K\n"
			       "ioas.unmap $a iova=0x100000 len=64K unmapped=4K\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_FAILED);
	ck_diag_has(x, "t.trace:9: expected unmapped=0x1000, got unmapped=0x10000\n");
	run_free(x);
}
END_TEST

START_TEST(a_name_whose_statement_failed_cannot_be_used)
{
	struct run *x = replay("iommusim-trace 1\n"
			       "ioas.alloc $a\n"
			       "ioas.map $a iova=0x1000 len=0 va=0x1000 prot=r as=$x expect=EINVAL\n"
			       "dma sid=0x10 r $x\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_ERROR);
	ck_diag_has(x, "t.trace:4: $x was not made: ioas.map at line 3 failed\n");
	run_free(x);
}
END_TEST

START_TEST(a_requester_is_not_a_bound_device)
{
	struct run *x = replay("iommusim-trace 1\n"
			       "device $d sid=0x10\n"
			       "ioas.alloc $a\n"
			       "device.attach $d pt=$a\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_ERROR);
	ck_diag_has(x, "t.trace:4: $d is a requester declared with `device`");
	run_free(x);
}
END_TEST

START_TEST(an_access_crossing_pages_is_translated_page_by_page)
{
	struct run *x = replay(PAGING "dma $nic r 0x100ff0 len=0x2020 expect=pa:0x80000ff0\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	ck_assert_u64_eq(stat(x, "dma.requests"), 4); /* 0x10 + 4K + 4K + 0x10 bytes */
	ck_assert_u64_eq(stat(x, "dma.statements"), 1);
	/* One results line per request, each with its own page. */
	ck_assert_msg(strstr(x->res, " r 0x100ff0 len=16 ") && strstr(x->res, " r 0x101000 len=4096 ")
		      && strstr(x->res, " r 0x103000 len=16 "), "%s", x->res);
	run_free(x);
}
END_TEST

START_TEST(results_lines_have_one_stable_shape)
{
	struct run *x = replay(PAGING "dma $nic w 0x100000 len=8\ndma $nic r 0x900000\n");

	ck_assert_str_eq(x->res,
			 "t.trace:6 vtd unit=0 sid=0x100 pasid=none w 0x100000 len=8 type=untranslated"
			 " -> pa:0x80000000 iotlb=miss reads=9 cycles=2576\n"
			 "t.trace:7 vtd unit=0 sid=0x100 pasid=none r 0x900000 len=4 type=untranslated"
			 " -> fault:0x79 iotlb=miss reads=1 cycles=456\n");
	run_free(x);
}
END_TEST

START_TEST(the_same_trace_gives_the_same_bytes)
{
	const char *t = PAGING
		"dma $nic r 0x100000 len=64K\n"
		"ioas.unmap $a iova=0x100000 len=64K\n"
		"ioas.map $a iova=auto len=8K va=0x90000000 prot=r as=$b\n"
		"dma $nic r $b len=8K\n"
		"dma $nic w $b expect=fault\n";
	struct run *a = replay(t), *b = replay(t);
	char *ja, *jb;
	size_t la, lb;
	FILE *fa = open_memstream(&ja, &la), *fb = open_memstream(&jb, &lb);

	ck_assert_int_eq(a->st, IMS_REPLAY_OK);
	ck_assert_str_eq(a->res, b->res);
	ims_replay_print_json(fa, "t", a->r, a->st);
	ims_replay_print_json(fb, "t", b->r, b->st);
	ims_replay_print_table(fa, "t", &a->r, 1, NULL, 0);
	ims_replay_print_table(fb, "t", &b->r, 1, NULL, 0);
	fclose(fa);
	fclose(fb);
	ck_assert_str_eq(ja, jb);
	ck_assert_ptr_nonnull(strstr(ja, "\"dma_requests\":19"));
	free(ja);
	free(jb);
	run_free(a);
	run_free(b);
}
END_TEST

START_TEST(set_reaches_the_model_and_an_unknown_key_is_an_error)
{
	/* No IOTLB at all: every request walks. */
	struct run *x = replay("iommusim-trace 1\nset iotlb_entries=0\n"
			       "device.bind $nic sid=0x100\nioas.alloc $a\n"
			       "ioas.map $a iova=0 len=4K va=0x80000000 prot=rw\n"
			       "device.attach $nic pt=$a\n"
			       "dma $nic r 0\ndma $nic r 0\ncheck iotlb.hits == 0\n");
	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	run_free(x);

	x = replay("iommusim-trace 1\nset iotlb_entries=64 no_such_key=3\nmem.write64 0 1\n");
	ck_assert_int_eq(x->st, IMS_REPLAY_ERROR);
	ck_diag_has(x, "t.trace:2: set: unknown key 'no_such_key' for model vtd");
	run_free(x);
}
END_TEST

START_TEST(command_line_settings_apply_after_the_traces)
{
	const char *sets[] = { "iotlb_entries=0" };
	struct run *x = replay_opts(PAGING "dma $nic r 0x100000\ndma $nic r 0x100000\n",
				    (struct ims_replay_opts){ .sets = sets, .nsets = 1 });

	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	ck_assert_u64_eq(stat(x, "iotlb.hits"), 0);
	run_free(x);
	sets[0] = "bogus";
	x = replay_opts(PAGING, (struct ims_replay_opts){ .sets = sets, .nsets = 1 });
	ck_assert_int_eq(x->st, IMS_REPLAY_ERROR);
	ck_diag_has(x, "--set bogus: want KEY=VALUE");
	run_free(x);
}
END_TEST

START_TEST(a_model_this_build_lacks_is_an_error_and_another_models_trace_is_skipped)
{
	struct run *x = replay("iommusim-trace 1\nmodel smmuv3\nmem.write64 0 1\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_ERROR);
	ck_diag_has(x, "t.trace:2: model smmuv3 is not available in this build\n");
	run_free(x);

	/* --model all: a trace for amdvi is not run on vtd. */
	x = replay_opts("iommusim-trace 1\nmodel amdvi\nmem.write64 0 1\n",
			(struct ims_replay_opts){ .model = &ims_vtd_model });
	ck_assert_int_eq(x->st, IMS_REPLAY_SKIPPED);
	ck_assert_str_eq(ims_replay_reason(x->r), "written for model amdvi");
	run_free(x);

	/* --model vtd asked for explicitly: the mismatch is an error. */
	x = replay_opts("iommusim-trace 1\nmodel amdvi\n",
			(struct ims_replay_opts){ .model = &ims_vtd_model, .model_strict = true });
	ck_assert_int_eq(x->st, IMS_REPLAY_ERROR);
	ck_diag_has(x, "t.trace:2: the trace is written for model amdvi, not vtd\n");
	run_free(x);
}
END_TEST

START_TEST(a_parse_error_is_reported_as_the_parser_words_it)
{
	struct run *x = replay("iommusim-trace 1\nmem.write64 0 1\nfrobnicate 3\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_ERROR);
	ck_diag_has(x, "t.trace:3: unknown verb 'frobnicate'\n");
	run_free(x);
}
END_TEST

START_TEST(registers_and_memory_are_read_and_compared_after_the_mask)
{
	struct run *x = replay("iommusim-trace 1\n"
			       "mmio.read32 0x0 expect=0x60\n"          /* VER 6.0 */
			       "mmio.read32 0x1c expect=0x0\n"          /* GSTS at reset */
			       "mem.write 0x1000 0102030405060708\n"
			       "mem.read64 0x1000 expect=0x0807060504030201\n"
			       "mem.read16 0x1002 mask=0xff expect=0x3\n"
			       "mem.read8 0x1007 expect=0x9\n"
			       "mmio.read32 0x3 expect=0\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_ERROR);
	ck_diag_has(x, "t.trace:7: expected 0x9, got 0x8\n");
	ck_diag_has(x, "t.trace:8: mmio.read32 0x3: EINVAL");
	ck_assert_u64_eq(stat(x, "expect.failed"), 1);
	run_free(x);
}
END_TEST

START_TEST(check_compares_counters_and_refuses_unknown_ones)
{
	struct run *x = replay(PAGING "dma $nic r 0x100000\ndma $nic r 0x200000\n"
			       "check faults == 1\ncheck fault.0x79 == 1\ncheck translations > 1\n"
			       "check walks >= 1 unit=0\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_FAILED);
	ck_diag_has(x, "t.trace:10: expected translations > 1, got translations=1\n");
	run_free(x);
	x = replay(PAGING "check no.such.thing == 0\n");
	ck_assert_int_eq(x->st, IMS_REPLAY_ERROR);
	ck_diag_has(x, "t.trace:6: check: unknown statistic 'no.such.thing'");
	run_free(x);
}
END_TEST

START_TEST(stop_line_leaves_the_rest_unexecuted)
{
	struct run *x = replay_opts(PAGING "dma $nic r 0x100000\ndma $nic r 0x100000\n",
				    (struct ims_replay_opts){ .stop_line = 7 });

	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	ck_assert_u64_eq(stat(x, "dma.statements"), 1);
	run_free(x);
}
END_TEST

/* A nested guest whose stage-1 table lives in guest memory. */
#define NESTED "iommusim-trace 1\n"                                                 \
	       "device.bind $nic sid=0x500 pasid_bits=8\n"                          \
	       "ioas.alloc $gpa\n"                                                  \
	       "ioas.map $gpa iova=0 len=1M va=0x40000000 prot=rw\n"                \
	       "hwpt.alloc $s2 dev=$nic pt=$gpa nest_parent\n"                      \
	       "pt.alloc $gpt x86-64-4l pool=0x80000-0x8ffff via=$gpa\n"            \
	       "pt.map $gpt 0x1000 0x3000 4K prot=rw\n"                             \
	       "hwpt.alloc $s1 dev=$nic pt=$s2 data=vtd_s1 pgtbl=$gpt aw=48\n"     \
	       "device.attach $nic pt=$s1\n"                                        \
	       "dma $nic r 0x1000 expect=pa:0x40003000\n"
/* line 11 on */

START_TEST(guest_tables_built_with_pt_are_walked_by_the_hardware)
{
	struct run *x = replay(NESTED "mem.read64 0x40080000 mask=0x1 expect=1\n");

	/* The root's first entry is present where the IOAS puts GPA 0x80000. */
	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	ck_assert_u64_eq(stat(x, "translations"), 1);
	run_free(x);
}
END_TEST

START_TEST(check_names_the_change_and_the_missing_invalidation_of_a_stale_translation)
{
	const char *t = NESTED
		"pt.unmap $gpt 0x1000 4K\n"
		"pt.map $gpt 0x1000 0x5000 4K prot=rw\n"
		"dma $nic r 0x1000 expect=pa:0x40003000\n"
		"hwpt.invalidate $s1 data=vtd_s1 addr=0x1000 npages=1\n"
		"dma $nic r 0x1000 expect=pa:0x40005000\n";
	struct run *x = replay_opts(t, (struct ims_replay_opts){ .check = true });

	ck_assert_int_eq(x->st, IMS_REPLAY_FAILED); /* an undeclared finding */
	ck_diag_has(x, "t.trace:13: check: stale translation: iova 0x1000 was translated to "
		       "pa:0x40003000 from the IOTLB; the API state says pa:0x40005000\n");
	ck_diag_has(x, "t.trace:13: check:   line 12 (pt.map) changed the mapping; no "
		       "hwpt.invalidate $s1 covering iova 0x1000 after line 12\n");
	ck_assert_u64_eq(stat(x, "check.stale"), 1);
	ck_assert_u64_eq(stat(x, "check.mismatches"), 0);
	ck_assert_u64_eq(ims_replay_summary(x->r)->findings_unexpected, 1);
	run_free(x);

	/* Without --check nothing is compared: the expectations hold. */
	x = replay(t);
	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	run_free(x);
}
END_TEST

START_TEST(declared_findings_do_not_fail_the_run_and_are_skipped_without_check)
{
	const char *t = NESTED
		"pt.unmap $gpt 0x1000 4K\n"
		"hwpt.invalidate $s1 data=vtd_s1 addr=0 npages=0xffffffffffffffff\n"
		"dma $nic w 0x1000 expect=fault\n"
		"check check.use_after_unmap == 1\n"
		"check check.stale == 0\n";
	struct run *x = replay_opts(t, (struct ims_replay_opts){ .check = true });

	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	ck_diag_has(x, "t.trace:13: check: use-after-unmap: DMA to iova 0x1000, which line 11 "
		       "(pt.unmap) unmapped\n");
	run_free(x);
	x = replay(t);
	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	ck_assert_u64_eq(ims_replay_summary(x->r)->checks_skipped, 2);
	run_free(x);
}
END_TEST

START_TEST(use_after_unmap_of_an_ioas_area_names_the_unmap)
{
	struct run *x = replay_opts(PAGING
				    "dma $nic r 0x100000\n"
				    "ioas.unmap $a iova=0x100000 len=64K\n"
				    "ioas.map $a iova=0x100000 len=4K va=0x90000000 prot=r\n"
				    "dma $nic r 0x100000 expect=pa:0x90000000\n"
				    "dma $nic r 0x101000 expect=fault\n",
				    (struct ims_replay_opts){ .check = true });

	ck_assert_int_eq(x->st, IMS_REPLAY_FAILED);
	/* 0x100000 was mapped again: only the second access is late. */
	ck_assert_u64_eq(stat(x, "check.use_after_unmap"), 1);
	ck_diag_has(x, "t.trace:10: check: use-after-unmap: DMA to iova 0x101000, which line 7 "
		       "(ioas.unmap) unmapped\n");
	ck_assert_u64_eq(stat(x, "check.checked"), 3);
	run_free(x);
}
END_TEST

START_TEST(a_page_request_reaches_the_fault_queue_and_the_response_the_device)
{
	struct run *x = replay("iommusim-trace 1\n"
			       "device.bind $gpu sid=0x400 pasid_bits=20 ats pri\n"
			       "ioas.alloc $gpa\n"
			       "ioas.map $gpa iova=0 len=1M va=0x40000000 prot=rw\n"
			       "hwpt.alloc $s2 dev=$gpu pt=$gpa nest_parent pasid\n"
			       "device.attach $gpu pt=$s2\n"
			       "pt.alloc $gpt x86-64-4l pool=0x80000-0x8ffff via=$gpa\n"
			       "fault.alloc $fq\n"
			       "hwpt.alloc $s1 dev=$gpu pt=$s2 pasid fault=$fq data=vtd_s1 pgtbl=$gpt "
			       "aw=48\n"
			       "device.attach $gpu pt=$s1 pasid=7\n"
			       "fault.read $fq expect=empty\n"
			       "dma $gpu r 0x2000 pasid=7 type=page_request prgi=3 last expect=queued\n"
			       "fault.read $fq as=$c dev=$gpu pasid=7 addr=0x2000 perm=r grpid=3 last\n"
			       "fault.read $fq\n"
			       "pt.map $gpt 0x2000 0x6000 4K prot=r\n"
			       "fault.respond $fq cookie=$c code=success\n"
			       "dma $gpu r 0x2000 pasid=7 expect=pa:0x40006000\n"
			       "fault.read $fq addr=0x3000 expect=ok\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_FAILED);
	ck_diag_has(x, "t.trace:14: expected a record, got empty\n");
	ck_diag_has(x, "t.trace:18: expected ok, got empty\n");
	ck_assert_u64_eq(stat(x, "expect.failed"), 2);
	ck_assert_u64_eq(stat(x, "page_requests"), 1);
	run_free(x);
}
END_TEST

START_TEST(hwpt_invalidate_reports_entries_handled)
{
	struct run *x = replay(NESTED
			       "hwpt.invalidate $s1 data=vtd_s1 addr=0x1000 npages=1 / addr=0x1001 "
			       "npages=1 entry_num=1 expect=EINVAL\n"
			       "hwpt.invalidate $s1 data=vtd_s1 entry_num=0\n"
			       "hwpt.invalidate $s2 data=vtd_s1 addr=0 npages=1 expect=EINVAL\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	run_free(x);
}
END_TEST

START_TEST(iova_ranges_compare_the_whole_list)
{
	struct run *x = replay("iommusim-trace 1\n"
			       "ioas.alloc $a\n"
			       "ioas.iova_ranges $a alignment=1 expect=0x0-0xffffffffffffffff\n"
			       "ioas.reserve $a 0x1000-0x1fff\n"
			       "ioas.iova_ranges $a expect=0x0-0xfff,0x2000-0xffffffffffffffff\n"
			       "ioas.iova_ranges $a num_iovas=1 expect=EMSGSIZE\n"
			       "ioas.iova_ranges $a expect=0x0-0xfff\n"
			       "option huge_pages $a expect=1\n"
			       "option huge_pages $a set=0\n"
			       "ioas.iova_ranges $a alignment=4K\n");

	ck_assert_int_eq(x->st, IMS_REPLAY_FAILED);
	ck_diag_has(x, "t.trace:7: expected 0x0-0xfff, got 0x0-0xfff,0x2000-0xffffffffffffffff\n");
	ck_assert_u64_eq(stat(x, "expect.failed"), 1);
	run_free(x);
}
END_TEST

START_TEST(walk_explains_a_guest_table_lookup)
{
	struct run *x = replay(NESTED);
	char *out;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	struct ims_replay_xreq q = { .dev = "nic", .pasid = IMS_NO_PASID, .addr = 0x1008,
				     .access = IMS_PT_ACC_R };

	ck_assert_int_eq(x->st, IMS_REPLAY_OK);
	ck_assert_int_eq(ims_replay_explain(x->r, &q, f), 0);
	fclose(f);
	ck_assert_msg(strstr(out, "attached: nested HWPT $s1 (data=vtd_s1)") &&
		      strstr(out, "PTE ") && strstr(out, "=> 0x1008 -> 0x3008") &&
		      strstr(out, "the oracle says: pa:0x40003008") &&
		      strstr(out, "IOTLB hit") && strstr(out, "result: pa:0x40003008") &&
		      strstr(out, "agrees"), "%s", out);
	free(out);
	q.dev = "nobody";
	f = open_memstream(&out, &len);
	ck_assert_int_eq(ims_replay_explain(x->r, &q, f), -ENOENT);
	fclose(f);
	free(out);
	run_free(x);
}
END_TEST

START_TEST(every_api_statement_reaches_its_command)
{
	/* VT-d has no vIOMMU: those statements meet EOPNOTSUPP or, given an
	 * IOAS where a vIOMMU belongs, the typed look-up's ENOENT. */
	const char *t =
		"iommusim-trace 1\n"
		"option rlimit_mode expect=0\n"
		"option rlimit_mode set=1\n"
		"option rlimit_mode expect=1\n"
		"device.bind $d sid=0x10 pasid_bits=8\n"
		"hw_info $d type=intel_vtd max_pasid_log2=8\n"
		"hw_info $d in_type=arm_smmuv3 expect=EOPNOTSUPP\n"
		"hw_info $d idr0=0x1\n"
		"ioas.alloc $a\n"
		"ioas.alloc $b\n"
		"ioas.allow_iovas $a ranges=0x100000-0x1fffff\n"
		"ioas.allow_iovas $a ranges=\n"
		"ioas.map $a iova=0x100000 len=64K va=0x80000000 prot=rw\n"
		"ioas.copy $b src=$a src_iova=0x100000 len=8K dst_iova=auto prot=r as=$c\n"
		"hwpt.alloc $h dev=$d pt=$a dirty\n"
		"device.attach $d pt=$h\n"
		"hwpt.set_dirty $h enable=1\n"
		"dma $d w 0x101000 len=8 expect=pa:0x80001000\n"
		"hwpt.get_dirty $h iova=0x100000 len=64K page_size=4K dirty=0x101000-0x101fff\n"
		"hwpt.get_dirty $h iova=0x100000 len=64K page_size=4K dirty=\n"
		"hwpt.get_dirty $h iova=0x100000 len=64K page_size=4K dirty=0x100000-0x100fff\n"
		"hwpt.set_dirty $h enable=0\n"
		"fault.alloc $f\n"
		"fault.read $f expect=empty\n"
		"fault.respond $f cookie=99 code=success expect=EINVAL\n"
		"viommu.alloc $v dev=$d hwpt=$h expect=EOPNOTSUPP\n"
		"vdevice.alloc $vd viommu=$a dev=$d virt_id=1 expect=ENOENT\n"
		"veventq.alloc $q viommu=$a type=arm_smmuv3 depth=4 expect=ENOENT\n"
		"veventq.read $a expect=ENOENT\n"
		"hw_queue.alloc $hq viommu=$a type=tegra241_cmdqv index=0 iova=0x100000 len=4K expect=ENOENT\n"
		"device.replace $d pt=$b\n"
		"dma $d r $c expect=pa:0x80000000\n"
		"device.detach $d\n"
		"dma $d r $c expect=fault\n"
		"destroy $h\n"
		"destroy $f\n"
		"destroy $d\n"
		"destroy $d expect=ENOENT\n"
		"option huge_pages $b expect=1\n"
		"ioas.unmap $b iova=0 len=0xffffffffffffffff unmapped=8K\n"
		"destroy $b\n"
		"option huge_pages $b expect=ENOENT\n"
		;
	struct run *x = replay(t);

	ck_assert_int_eq(x->st, IMS_REPLAY_FAILED);
	/* The two deliberate misses: a register of another vendor's info, and
	 * a page that is not dirty. */
	ck_assert_str_eq(x->diag, "t.trace:8: expected idr0=0x1, got hw_info type 1 without idr0\n"
				  "t.trace:21: expected dirty=0x100000-0x100fff, got dirty=(none)\n");
	ck_assert_u64_eq(stat(x, "api.calls"), 38); /* every line but the header and 3 dma */
	run_free(x);
}
END_TEST

START_TEST(interval_sets_assign_erase_and_find)
{
	struct rp_ivset s = { .linear = true };

	ck_assert_int_eq(rp_iv_assign(&s, 0x1000, 0x4fff, 1, 0, 0x9000), 0);
	ck_assert_int_eq(rp_iv_erase(&s, 0x2000, 0x2fff), 0); /* splits in two */
	ck_assert_uint_eq(s.n, 2);
	ck_assert_u64_eq(rp_iv_find(&s, 0x1800)->aux, 0x9000); /* aux follows the range */
	ck_assert_u64_eq(s.v[1].start, 0x3000);
	ck_assert_u64_eq(s.v[1].aux, 0xb000);
	ck_assert_ptr_null(rp_iv_find(&s, 0x2800));
	ck_assert_int_eq(rp_iv_assign(&s, 0x0, 0x1fff, 2, 0, 0x100), 0); /* over the first */
	ck_assert_uint_eq(s.n, 2);
	ck_assert_u64_eq(rp_iv_find(&s, 0x1800)->line, 2);
	ck_assert_ptr_nonnull(rp_iv_overlap(&s, 0x2000, 0x3000));
	ck_assert_ptr_null(rp_iv_overlap(&s, 0x2000, 0x2fff));
	ck_assert_int_eq(rp_iv_assign(&s, 0, UINT64_MAX, 3, 0, 0), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(rp_iv_erase(&s, 0, UINT64_MAX), 0);
	ck_assert_uint_eq(s.n, 0);
	rp_iv_free(&s);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("replay");

	tcase_add_test(tc, dma_translates_through_a_paging_domain_and_the_expectation_holds);
	tcase_add_test(tc, a_failed_expectation_names_the_line_and_the_run_carries_on);
	tcase_add_test(tc, an_api_failure_without_expect_stops_the_run);
	tcase_add_test(tc, an_expected_errno_holds_and_a_wrong_one_fails);
	tcase_add_test(tc, automatic_iovas_bind_names_that_later_statements_use);
	tcase_add_test(tc, a_name_whose_statement_failed_cannot_be_used);
	tcase_add_test(tc, a_requester_is_not_a_bound_device);
	tcase_add_test(tc, an_access_crossing_pages_is_translated_page_by_page);
	tcase_add_test(tc, results_lines_have_one_stable_shape);
	tcase_add_test(tc, the_same_trace_gives_the_same_bytes);
	tcase_add_test(tc, set_reaches_the_model_and_an_unknown_key_is_an_error);
	tcase_add_test(tc, command_line_settings_apply_after_the_traces);
	tcase_add_test(tc, a_model_this_build_lacks_is_an_error_and_another_models_trace_is_skipped);
	tcase_add_test(tc, a_parse_error_is_reported_as_the_parser_words_it);
	tcase_add_test(tc, registers_and_memory_are_read_and_compared_after_the_mask);
	tcase_add_test(tc, check_compares_counters_and_refuses_unknown_ones);
	tcase_add_test(tc, stop_line_leaves_the_rest_unexecuted);
	tcase_add_test(tc, guest_tables_built_with_pt_are_walked_by_the_hardware);
	tcase_add_test(tc, check_names_the_change_and_the_missing_invalidation_of_a_stale_translation);
	tcase_add_test(tc, declared_findings_do_not_fail_the_run_and_are_skipped_without_check);
	tcase_add_test(tc, use_after_unmap_of_an_ioas_area_names_the_unmap);
	tcase_add_test(tc, a_page_request_reaches_the_fault_queue_and_the_response_the_device);
	tcase_add_test(tc, hwpt_invalidate_reports_entries_handled);
	tcase_add_test(tc, iova_ranges_compare_the_whole_list);
	tcase_add_test(tc, walk_explains_a_guest_table_lookup);
	tcase_add_test(tc, every_api_statement_reaches_its_command);
	tcase_add_test(tc, interval_sets_assign_erase_and_find);
	suite_add_tcase(s, tc);
	return s;
}
