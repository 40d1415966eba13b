/* SPDX-License-Identifier: MIT */
/*
 * FAULT queues: FAULT_QUEUE_ALLOC, page requests reported by the model and
 * delivered as whole groups, ims_fault_read / ims_fault_write with cookies,
 * and the automatic INVALID responses on detach, replace, unbind and destroy
 * (iommufd §2.16), on the mock model.  Page requests come from DMA requests
 * of type IMS_DMA_PAGE_REQUEST, as a PRI-capable device would send them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/iommufd_util.h"

#define REC sizeof(struct ims_hwpt_pgfault)
#define RESP sizeof(struct ims_hwpt_page_response)

struct env {
	struct ims_ctx *ctx;
	uint32_t dev, ioas, fault, hwpt;
};

/* A PRI device (sid 1, 8 PASID bits) whose RID and PASIDs may attach to a
 * paging HWPT with a FAULT queue. */
static struct env env_new(void)
{
	struct env e;
	struct ims_device_bind b = { .size = sizeof(b), .sid = 1, .pasid_bits = 8, .ats = 1,
				     .pri = 1 };
	struct ims_hwpt_alloc h = { .size = sizeof(h) };

	e.ctx = t_ctx(NULL);
	ck_assert_int_eq(ims_device_bind(e.ctx, &b), 0);
	e.dev = b.out_dev_id;
	e.ioas = ioas_ok(e.ctx);
	e.fault = fault_ok(e.ctx);
	h.dev_id = e.dev;
	h.pt_id = e.ioas;
	h.flags = IMS_HWPT_FAULT_ID_VALID | IMS_HWPT_ALLOC_PASID;
	h.fault_id = e.fault;
	ck_assert_int_eq(ims_hwpt_alloc(e.ctx, &h), 0);
	e.hwpt = h.out_hwpt_id;
	return e;
}

/* One page request from dev; returns the DMA status. */
static enum ims_dma_status pri(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid,
			       uint16_t grpid, uint64_t addr, bool last)
{
	struct ims_dma_req r = { .pasid = pasid, .addr = addr, .len = 1,
				 .type = IMS_DMA_PAGE_REQUEST,
				 .access = IMS_ACC_READ | IMS_ACC_WRITE, .prgi = grpid,
				 .last = last };
	struct ims_dma_result res;

	ck_assert_int_eq(ims_dma(ctx, dev, &r, &res), 0);
	return res.status;
}

static long respond(struct ims_ctx *ctx, uint32_t fault, uint32_t cookie, uint32_t code)
{
	struct ims_hwpt_page_response r = { .cookie = cookie, .code = code };

	return ims_fault_write(ctx, fault, &r, sizeof(r));
}

static unsigned nresp(struct ims_ctx *ctx, const struct mock_response **v)
{
	return mock_responses(mock_of(ctx), v);
}

/* ---- allocation --------------------------------------------------------------------- */

START_TEST(fault_queue_alloc_flags_eopnotsupp)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	struct ims_fault_alloc f = { .size = sizeof(f), .flags = 1 };

	ck_assert_int_eq(ims_fault_queue_alloc(ctx, &f), -EOPNOTSUPP);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(fault_queue_destroy_ebusy_while_hwpt_refers)
{
	struct env e = env_new();

	ck_assert_int_eq(t_destroy(e.ctx, e.fault), -EBUSY);
	ck_assert_int_eq(t_destroy(e.ctx, e.hwpt), 0);
	ck_assert_int_eq(t_destroy(e.ctx, e.fault), 0);
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- delivery --------------------------------------------------------------------------- */

START_TEST(fault_group_delivered_whole)
{
	struct env e = env_new();
	struct ims_hwpt_pgfault f[4];

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(t_attach_pasid(e.ctx, e.dev, 7, e.hwpt), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, 7, 3, 0x10000, false), IMS_DMA_QUEUED);
	ck_assert_int_eq(pri(e.ctx, e.dev, 7, 3, 0x11234, false), IMS_DMA_QUEUED);
	/* Nothing to read until the last request of the group arrives. */
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, 7, 3, 0x12000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), 3 * REC);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(f[i].dev_id, e.dev);
		ck_assert_uint_eq(f[i].pasid, 7);
		ck_assert_uint_eq(f[i].grpid, 3);
		ck_assert_uint_eq(f[i].perm, IMS_PGFAULT_PERM_READ | IMS_PGFAULT_PERM_WRITE);
		ck_assert_uint_eq(f[i].cookie, f[0].cookie);
		ck_assert_uint_eq(f[i].flags, IMS_PGFAULT_FLAGS_PASID_VALID |
					      (i == 2 ? IMS_PGFAULT_FLAGS_LAST_PAGE : 0));
	}
	ck_assert_u64_eq(f[0].addr, 0x10000);
	ck_assert_u64_eq(f[1].addr, 0x11000);
	ck_assert_u64_eq(f[2].addr, 0x12000);
	/* A request without PASID: no PASID_VALID, pasid 0. */
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 1, 0x5000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), REC);
	ck_assert_uint_eq(f[0].flags, IMS_PGFAULT_FLAGS_LAST_PAGE);
	ck_assert_uint_eq(f[0].pasid, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_groups_of_other_pasids_stay_apart)
{
	struct env e = env_new();
	struct ims_hwpt_pgfault f[4];

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(t_attach_pasid(e.ctx, e.dev, 2, e.hwpt), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, 2, 9, 0x1000, false), IMS_DMA_QUEUED);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 9, 0x2000, true), IMS_DMA_QUEUED);
	/* Same group index, other PASID: its own group of one. */
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), REC);
	ck_assert_u64_eq(f[0].addr, 0x2000);
	ck_assert_int_eq(pri(e.ctx, e.dev, 2, 9, 0x3000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), 2 * REC);
	ck_assert_u64_eq(f[0].addr, 0x1000);
	ck_assert_uint_ne(f[0].cookie, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_read_only_whole_groups)
{
	struct env e = env_new();
	struct ims_hwpt_pgfault f[3];

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 1, 0x1000, false), IMS_DMA_QUEUED);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 1, 0x2000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 2, 0x3000, true), IMS_DMA_QUEUED);
	/* Room for one record: the first group (two) does not fit. */
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, REC), 0);
	/* Room for two: the first group; the next one waits. */
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, 2 * REC), 2 * REC);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, 3 * REC), REC);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, 3 * REC), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_read_errnos)
{
	struct env e = env_new();
	struct ims_hwpt_pgfault f[2];

	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, REC + 1), -ESPIPE);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, 8), -ESPIPE);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, NULL, REC), -EFAULT);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.hwpt, f, REC), -ENOENT);
	ck_assert_int_eq(ims_fault_read(e.ctx, 99, f, REC), -ENOENT);
	ck_assert_int_eq(ims_fault_read(NULL, e.fault, f, REC), -EBADF);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, NULL, 0), 0);
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- responses --------------------------------------------------------------------------- */

START_TEST(fault_response_reaches_device)
{
	struct env e = env_new();
	struct ims_hwpt_pgfault f[2];
	const struct mock_response *r;

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(t_attach_pasid(e.ctx, e.dev, 5, e.hwpt), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, 5, 11, 0x1000, false), IMS_DMA_QUEUED);
	ck_assert_int_eq(pri(e.ctx, e.dev, 5, 11, 0x2000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), 2 * REC);
	ck_assert_int_eq(respond(e.ctx, e.fault, f[1].cookie, IMS_PAGE_RESP_SUCCESS), RESP);
	/* One response per group, for its last request. */
	ck_assert_uint_eq(nresp(e.ctx, &r), 1);
	ck_assert_uint_eq(r[0].sid, 1);
	ck_assert_uint_eq(r[0].pasid, 5);
	ck_assert_uint_eq(r[0].grpid, 11);
	ck_assert_uint_eq(r[0].code, IMS_PAGE_RESP_SUCCESS);
	/* The cookie is spent. */
	ck_assert_int_eq(respond(e.ctx, e.fault, f[1].cookie, IMS_PAGE_RESP_SUCCESS), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_cookies_lowest_free_from_1)
{
	struct env e = env_new();
	struct ims_hwpt_pgfault f[3];

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	for (uint16_t g = 0; g < 3; g++)
		ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, g, 0x1000u * g, true),
				 IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), 3 * REC);
	ck_assert_uint_eq(f[0].cookie, 1);
	ck_assert_uint_eq(f[1].cookie, 2);
	ck_assert_uint_eq(f[2].cookie, 3);
	ck_assert_int_eq(respond(e.ctx, e.fault, 2, IMS_PAGE_RESP_INVALID), RESP);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 7, 0x9000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), REC);
	ck_assert_uint_eq(f[0].cookie, 2);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_write_errnos)
{
	struct env e = env_new();
	struct ims_hwpt_page_response r = { .cookie = 1, .code = 0 };

	ck_assert_int_eq(ims_fault_write(e.ctx, e.fault, &r, RESP - 1), -ESPIPE);
	ck_assert_int_eq(ims_fault_write(e.ctx, e.fault, NULL, RESP), -EFAULT);
	ck_assert_int_eq(ims_fault_write(e.ctx, e.hwpt, &r, RESP), -ENOENT);
	/* Nothing read: no cookie is known. */
	ck_assert_int_eq(ims_fault_write(e.ctx, e.fault, &r, RESP), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_write_bad_code_einval)
{
	struct env e = env_new();
	struct ims_hwpt_pgfault f[1];
	const struct mock_response *r;

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 1, 0x1000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), REC);
	ck_assert_int_eq(respond(e.ctx, e.fault, f[0].cookie, 2), -EINVAL);
	/* The group is still waiting. */
	ck_assert_uint_eq(nresp(e.ctx, &r), 0);
	ck_assert_int_eq(respond(e.ctx, e.fault, f[0].cookie, IMS_PAGE_RESP_INVALID), RESP);
	ck_assert_uint_eq(nresp(e.ctx, &r), 1);
	ck_assert_uint_eq(r[0].code, IMS_PAGE_RESP_INVALID);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_write_returns_bytes_before_error)
{
	struct env e = env_new();
	struct ims_hwpt_pgfault f[2];
	struct ims_hwpt_page_response r[3];
	const struct mock_response *log;

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 1, 0x1000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 2, 0x2000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), 2 * REC);
	r[0] = (struct ims_hwpt_page_response){ f[0].cookie, IMS_PAGE_RESP_SUCCESS };
	r[1] = (struct ims_hwpt_page_response){ 77, IMS_PAGE_RESP_SUCCESS };
	r[2] = (struct ims_hwpt_page_response){ f[1].cookie, IMS_PAGE_RESP_SUCCESS };
	ck_assert_int_eq(ims_fault_write(e.ctx, e.fault, r, sizeof(r)), RESP);
	ck_assert_uint_eq(nresp(e.ctx, &log), 1);
	ck_assert_int_eq(ims_fault_write(e.ctx, e.fault, &r[2], RESP), RESP);
	ck_assert_uint_eq(nresp(e.ctx, &log), 2);
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- automatic INVALID responses -------------------------------------------------------- */

START_TEST(fault_detach_answers_open_groups_invalid)
{
	struct env e = env_new();
	struct ims_hwpt_pgfault f[2];
	const struct mock_response *r;

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(t_attach_pasid(e.ctx, e.dev, 4, e.hwpt), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, 4, 1, 0x1000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), REC);
	ck_assert_int_eq(pri(e.ctx, e.dev, 4, 2, 0x2000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 3, 0x3000, true), IMS_DMA_QUEUED);
	/* Detaching PASID 4 answers its read and its unread group; the RID's
	 * group stays. */
	ck_assert_int_eq(t_detach_pasid(e.ctx, e.dev, 4), 0);
	ck_assert_uint_eq(nresp(e.ctx, &r), 2);
	ck_assert_uint_eq(r[0].code, IMS_PAGE_RESP_INVALID);
	ck_assert_uint_eq(r[1].code, IMS_PAGE_RESP_INVALID);
	ck_assert_uint_eq(r[0].pasid, 4);
	ck_assert_int_eq(respond(e.ctx, e.fault, f[0].cookie, IMS_PAGE_RESP_SUCCESS), -EINVAL);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), REC);
	ck_assert_uint_eq(f[0].grpid, 3);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_replace_answers_open_groups_invalid)
{
	struct env e = env_new();
	uint32_t other = hwpt_ok(e.ctx, e.dev, e.ioas, 0);
	struct ims_hwpt_pgfault f[1];
	const struct mock_response *r;

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 1, 0x1000, false), IMS_DMA_QUEUED);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 2, 0x2000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(t_replace(e.ctx, e.dev, other, NULL), 0);
	ck_assert_uint_eq(nresp(e.ctx, &r), 1);
	ck_assert_uint_eq(r[0].grpid, 2);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), 0);
	/* The unfinished group 1 was dropped too: its last request now finds
	 * no FAULT queue and the model answers INVALID itself. */
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 1, 0x1000, true), IMS_DMA_FAULT);
	ck_assert_uint_eq(nresp(e.ctx, &r), 2);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_unbind_answers_open_groups_invalid)
{
	struct env e = env_new();
	const struct mock_response *r;

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 1, 0x1000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(t_unbind(e.ctx, e.dev), 0);
	ck_assert_uint_eq(nresp(e.ctx, &r), 1);
	ck_assert_uint_eq(r[0].code, IMS_PAGE_RESP_INVALID);
	ck_assert_int_eq(t_destroy(e.ctx, e.hwpt), 0);
	ck_assert_int_eq(t_destroy(e.ctx, e.fault), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_group_member_detach_keeps_groups_until_last)
{
	struct env e = env_new();
	struct ims_device_bind b = { .size = sizeof(b), .sid = 2, .ats = 1, .pri = 1 };
	const struct mock_response *r;
	struct ims_ctx *ctx = e.ctx;

	ck_assert_int_eq(t_unbind(ctx, e.dev), 0);
	mock_set_device(mock_of(ctx), 1, 0, 9);
	mock_set_device(mock_of(ctx), 2, 0, 9);
	e.dev = bind_ok(ctx, 1, 0);
	ck_assert_int_eq(ims_device_bind(ctx, &b), 0);
	ck_assert_int_eq(t_attach(ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(t_attach(ctx, b.out_dev_id, e.hwpt, NULL), 0);
	ck_assert_int_eq(pri(ctx, e.dev, IMS_NO_PASID, 1, 0x1000, true), IMS_DMA_QUEUED);
	/* The group's attachment outlives the first device's detach... */
	ck_assert_int_eq(t_detach(ctx, e.dev), 0);
	ck_assert_uint_eq(nresp(ctx, &r), 0);
	/* ...and ends with the last one's. */
	ck_assert_int_eq(t_detach(ctx, b.out_dev_id), 0);
	ck_assert_uint_eq(nresp(ctx, &r), 1);
	ck_assert_uint_eq(r[0].sid, 1);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(fault_iopf_without_fault_queue_model_answers_invalid)
{
	struct env e = env_new();
	uint32_t plain = hwpt_ok(e.ctx, e.dev, e.ioas, 0);
	struct ims_iopf f = { .pasid = IMS_NO_PASID, .grpid = 1, .last = true };
	const struct mock_response *r;
	struct ims_device *idev = ims_device_find(e.ctx, e.dev);

	ck_assert_int_eq(t_attach(e.ctx, e.dev, plain, NULL), 0);
	ck_assert_int_eq(ims_report_iopf(e.ctx, idev, &f), -EOPNOTSUPP);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 1, 0x1000, true), IMS_DMA_FAULT);
	ck_assert_uint_eq(nresp(e.ctx, &r), 1);
	ck_assert_uint_eq(r[0].code, IMS_PAGE_RESP_INVALID);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_iopf_nothing_attached_enoent)
{
	struct env e = env_new();
	struct ims_iopf f = { .pasid = 3, .grpid = 1, .last = true };
	struct ims_device *idev = ims_device_find(e.ctx, e.dev);

	ck_assert_int_eq(ims_report_iopf(e.ctx, idev, &f), -ENOENT);
	ck_assert_int_eq(ims_report_iopf(e.ctx, idev, NULL), -EINVAL);
	ck_assert_int_eq(pri(e.ctx, e.dev, 3, 1, 0x1000, true), IMS_DMA_FAULT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_partial_requests_are_bounded)
{
	struct env e = env_new();
	struct ims_iopf f = { .pasid = IMS_NO_PASID, .grpid = 1 };
	struct ims_device *idev = ims_device_find(e.ctx, e.dev);
	unsigned accepted = 0;
	int rc;

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	/* A device that never sends its last request cannot eat the host. */
	while ((rc = ims_report_iopf(e.ctx, idev, &f)) == 0 && accepted < 5000)
		accepted++;
	ck_assert_int_eq(rc, -ENOSPC);
	ck_assert_uint_eq(accepted, 1024);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(fault_nested_hwpt_receives_page_requests)
{
	struct env e = env_new();
	uint32_t parent = hwpt_ok(e.ctx, e.dev, e.ioas, IMS_HWPT_ALLOC_NEST_PARENT);
	struct mock_hwpt_data d = { MOCK_IOTLB_DEFAULT, 0 };
	struct ims_hwpt_alloc h = {
		.size = sizeof(h), .dev_id = e.dev, .pt_id = parent,
		.flags = IMS_HWPT_FAULT_ID_VALID, .fault_id = e.fault,
		.data_type = MOCK_HWPT_DATA, .data_len = sizeof(d), .data_uptr = PTR(&d),
	};
	struct ims_hwpt_pgfault f[1];

	ck_assert_int_eq(ims_hwpt_alloc(e.ctx, &h), 0);
	ck_assert_uint_eq(t_refs(e.ctx, e.fault), 2);
	ck_assert_int_eq(t_attach(e.ctx, e.dev, h.out_hwpt_id, NULL), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 4, 0x4000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), REC);
	ck_assert_uint_eq(f[0].grpid, 4);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(ctx_free_with_open_fault_groups_is_clean)
{
	struct env e = env_new();
	struct ims_hwpt_pgfault f[1];

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 1, 0x1000, true), IMS_DMA_QUEUED);
	ck_assert_int_eq(ims_fault_read(e.ctx, e.fault, f, sizeof(f)), REC);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 2, 0x2000, false), IMS_DMA_QUEUED);
	ck_assert_int_eq(pri(e.ctx, e.dev, IMS_NO_PASID, 3, 0x3000, true), IMS_DMA_QUEUED);
	t_ctx_free(e.ctx);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("iommufd_fault");
	TCase *tc = tcase_create("fault");

	tcase_add_test(tc, fault_queue_alloc_flags_eopnotsupp);
	tcase_add_test(tc, fault_queue_destroy_ebusy_while_hwpt_refers);
	tcase_add_test(tc, fault_group_delivered_whole);
	tcase_add_test(tc, fault_groups_of_other_pasids_stay_apart);
	tcase_add_test(tc, fault_read_only_whole_groups);
	tcase_add_test(tc, fault_read_errnos);
	tcase_add_test(tc, fault_response_reaches_device);
	tcase_add_test(tc, fault_cookies_lowest_free_from_1);
	tcase_add_test(tc, fault_write_errnos);
	tcase_add_test(tc, fault_write_bad_code_einval);
	tcase_add_test(tc, fault_write_returns_bytes_before_error);
	tcase_add_test(tc, fault_detach_answers_open_groups_invalid);
	tcase_add_test(tc, fault_replace_answers_open_groups_invalid);
	tcase_add_test(tc, fault_unbind_answers_open_groups_invalid);
	tcase_add_test(tc, fault_group_member_detach_keeps_groups_until_last);
	tcase_add_test(tc, fault_iopf_without_fault_queue_model_answers_invalid);
	tcase_add_test(tc, fault_iopf_nothing_attached_enoent);
	tcase_add_test(tc, fault_partial_requests_are_bounded);
	tcase_add_test(tc, fault_nested_hwpt_receives_page_requests);
	tcase_add_test(tc, ctx_free_with_open_fault_groups_is_clean);
	suite_add_tcase(s, tc);
	return s;
}
