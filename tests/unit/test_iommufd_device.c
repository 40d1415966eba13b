/* SPDX-License-Identifier: MIT */
/*
 * DEVICE objects and attachment: DEVICE_BIND / UNBIND, ATTACH / REPLACE /
 * DETACH on the RID and on PASIDs, automatic HWPTs, reserved regions,
 * iommu_groups, GET_HW_INFO and DMA by device (iommufd §2.12, §2.22,
 * §3.5-3.7), on the mock model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/iommufd_util.h"

#define MSI_START 0xfee00000ull
#define MSI_LEN 0x100000ull

/* ---- DEVICE_BIND / UNBIND ------------------------------------------------------------ */

START_TEST(device_bind_creates_blocked_device)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 0x10, 0);

	ck_assert_uint_ne(dev, 0);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 1);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->devices_live, 1);
	/* A fresh device's DMA is blocked, by the model and by the oracle. */
	ck_assert_int_eq(t_dma(ctx, dev, IMS_NO_PASID, 0x1000, IMS_ACC_READ).xfault, IMS_XF_BLOCKED);
	ck_assert_int_eq(t_oracle(ctx, dev, IMS_NO_PASID, 0x1000, IMS_ACC_READ).xfault,
			 IMS_XF_BLOCKED);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_bind_flags_eopnotsupp)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	struct ims_device_bind b = { .size = sizeof(b), .flags = 1, .sid = 1 };

	ck_assert_int_eq(ims_device_bind(ctx, &b), -EOPNOTSUPP);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_bind_without_model_enodev)
{
	struct ims_ctx_cfg c = { .seed = 1 };
	struct ims_ctx *ctx = ims_ctx_new(&c);

	ck_assert_int_eq(t_bind(ctx, 1, 0, NULL), -ENODEV);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(device_bind_pasid_bits_above_20_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);

	ck_assert_int_eq(t_bind(ctx, 1, 21, NULL), -EINVAL);
	ck_assert_int_eq(t_bind(ctx, 1, 20, NULL), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_bind_ats_pri_not_bool_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	struct ims_device_bind b = { .size = sizeof(b), .sid = 1, .ats = 2 };

	ck_assert_int_eq(ims_device_bind(ctx, &b), -EINVAL);
	b.ats = 1;
	b.pri = 7;
	ck_assert_int_eq(ims_device_bind(ctx, &b), -EINVAL);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_bind_pri_without_ats_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	struct ims_device_bind b = { .size = sizeof(b), .sid = 1, .pri = 1 };

	ck_assert_int_eq(ims_device_bind(ctx, &b), -EINVAL);
	b.ats = 1;
	ck_assert_int_eq(ims_device_bind(ctx, &b), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_bind_unit_beyond_model_einval)
{
	struct mock_cfg cfg = { .units = 2 };
	struct ims_ctx *ctx = t_ctx(&cfg);
	struct ims_device_bind b = { .size = sizeof(b), .sid = 1, .unit = 2 };

	ck_assert_int_eq(ims_device_bind(ctx, &b), -EINVAL);
	b.unit = 1;
	ck_assert_int_eq(ims_device_bind(ctx, &b), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_bind_duplicate_sid_eexist)
{
	struct mock_cfg cfg = { .units = 2 };
	struct ims_ctx *ctx = t_ctx(&cfg);
	struct ims_device_bind b = { .size = sizeof(b), .sid = 0x42 };

	ck_assert_int_eq(ims_device_bind(ctx, &b), 0);
	ck_assert_int_eq(ims_device_bind(ctx, &b), -EEXIST);
	/* The same SID behind another IOMMU is another device. */
	b.unit = 1;
	ck_assert_int_eq(ims_device_bind(ctx, &b), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_destroy_ebusy_until_unbound)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0);

	/* The binding driver owns the device (iommufd §1). */
	ck_assert_int_eq(t_destroy(ctx, dev), -EBUSY);
	ck_assert_int_eq(t_unbind(ctx, dev), 0);
	ck_assert(!t_exists(ctx, dev));
	ck_assert_int_eq(t_destroy(ctx, dev), -ENOENT);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->devices_live, 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_unbind_unknown_enoent)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx);

	ck_assert_int_eq(t_unbind(ctx, 99), -ENOENT);
	ck_assert_int_eq(t_unbind(ctx, ioas), -ENOENT);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_unbind_detaches_everything)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), a = bind_ok(ctx, 1, 0), b = bind_ok(ctx, 2, 8), auto_id, ph;

	ck_assert_int_eq(t_attach(ctx, a, ioas, &auto_id), 0);
	ph = hwpt_ok(ctx, b, ioas, IMS_HWPT_ALLOC_PASID);
	ck_assert_int_eq(t_attach(ctx, b, ph, NULL), 0);
	ck_assert_int_eq(t_attach_pasid(ctx, b, 5, ph), 0);
	ck_assert_uint_eq(t_refs(ctx, ph), 2);
	ck_assert_int_eq(t_unbind(ctx, a), 0);
	ck_assert_int_eq(t_unbind(ctx, b), 0);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->devices_live, 0);
	/* The automatic HWPT went with its last device; the manual one stays,
	 * no longer referenced. */
	ck_assert(!t_exists(ctx, auto_id));
	ck_assert_uint_eq(t_refs(ctx, ph), 0);
	ck_assert_int_eq(t_destroy(ctx, ph), 0);
	ck_assert_int_eq(t_destroy(ctx, ioas), 0);
	t_ctx_free(ctx);
}
END_TEST

/* ---- ATTACH to an IOAS: automatic HWPTs (§3.6) ------------------------------------------ */

START_TEST(device_attach_ioas_creates_auto_hwpt)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0), hwpt = 0;
	struct ims_dma_result r;

	ck_assert_int_eq(t_map(ctx, ioas, 0x100000, 0x8000000, 0x2000, RW), 0);
	ck_assert_int_eq(t_attach(ctx, dev, ioas, &hwpt), 0);
	/* pt_id comes back as the HWPT actually attached. */
	ck_assert_ptr_nonnull(ims_hwpt_paging_find(ctx, hwpt));
	ck_assert(ims_hwpt_paging_find(ctx, hwpt)->auto_domain);
	ck_assert_ptr_eq(mock_dev_domain(ctx, dev, IMS_NO_PASID), mock_hwpt_domain(ctx, hwpt));
	r = t_dma(ctx, dev, IMS_NO_PASID, 0x101008, IMS_ACC_WRITE);
	ck_assert_int_eq(r.status, IMS_DMA_OK);
	ck_assert_u64_eq(r.pa, 0x8001008);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_second_device_reuses_auto_hwpt)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), a = bind_ok(ctx, 1, 0), b = bind_ok(ctx, 2, 0), ha, hb;

	ck_assert_int_eq(t_attach(ctx, a, ioas, &ha), 0);
	ck_assert_int_eq(t_attach(ctx, b, ioas, &hb), 0);
	ck_assert_uint_eq(ha, hb);
	ck_assert_uint_eq(t_refs(ctx, ha), 2);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->domains_live, 1);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_manual_hwpt_never_auto_picked)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0), manual, got;

	manual = hwpt_ok(ctx, dev, ioas, 0);
	ck_assert_int_eq(t_attach(ctx, dev, ioas, &got), 0);
	ck_assert_uint_ne(got, manual);
	ck_assert_uint_eq(t_refs(ctx, manual), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_incompatible_auto_hwpt_makes_another)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), a = bind_ok(ctx, 1, 0), b = bind_ok(ctx, 2, 0), ha, hb;

	ck_assert_int_eq(t_attach(ctx, a, ioas, &ha), 0);
	/* The model refuses b on a's domain with -EINVAL: "incompatible, try
	 * the next" — a new automatic HWPT is made for b. */
	mock_fail_attach(mock_of(ctx), 1, -EINVAL);
	ck_assert_int_eq(t_attach(ctx, b, ioas, &hb), 0);
	ck_assert_uint_ne(ha, hb);
	ck_assert(ims_hwpt_paging_find(ctx, hb)->auto_domain);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->domains_live, 2);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_auto_hwpt_destroyed_with_last_device)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), a = bind_ok(ctx, 1, 0), b = bind_ok(ctx, 2, 0), h;

	ck_assert_int_eq(t_attach(ctx, a, ioas, &h), 0);
	ck_assert_int_eq(t_attach(ctx, b, ioas, NULL), 0);
	/* Attached devices make the IOAS busy through the automatic HWPT. */
	ck_assert_int_eq(t_destroy(ctx, ioas), -EBUSY);
	ck_assert_int_eq(t_destroy(ctx, h), -EBUSY);
	ck_assert_int_eq(t_detach(ctx, a), 0);
	ck_assert(t_exists(ctx, h));
	ck_assert_int_eq(t_detach(ctx, b), 0);
	ck_assert(!t_exists(ctx, h));
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->domains_live, 0);
	ck_assert_int_eq(t_destroy(ctx, ioas), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_model_refusal_leaves_device_blocked)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0);

	mock_fail_attach(mock_of(ctx), 1, -EIO);
	ck_assert_int_eq(t_attach(ctx, dev, ioas, NULL), -EIO);
	/* The automatic HWPT made for it was thrown away. */
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 2);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->domains_live, 0);
	ck_assert_ptr_null(mock_dev_domain(ctx, dev, IMS_NO_PASID));
	ck_assert_int_eq(t_destroy(ctx, ioas), 0);
	t_ctx_free(ctx);
}
END_TEST

/* ---- ATTACH errnos ------------------------------------------------------------------------ */

START_TEST(device_attach_flags_and_reserved_eopnotsupp)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0);
	struct ims_device_attach a = { .size = sizeof(a), .flags = 2, .dev_id = dev,
				       .pt_id = ioas };

	ck_assert_int_eq(ims_device_attach(ctx, &a), -EOPNOTSUPP);
	ck_assert_int_eq(ims_device_replace(ctx, &a), -EOPNOTSUPP);
	a.flags = 0;
	a.reserved = 1;
	ck_assert_int_eq(ims_device_attach(ctx, &a), -EOPNOTSUPP);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 2);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_dev_missing_enoent)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx);

	ck_assert_int_eq(t_attach(ctx, 77, ioas, NULL), -ENOENT);
	ck_assert_int_eq(t_attach(ctx, ioas, ioas, NULL), -ENOENT);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_pt_missing_enoent)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0);

	ck_assert_int_eq(t_attach(ctx, dev, 55, NULL), -ENOENT);
	ck_assert_int_eq(t_attach(ctx, dev, 0, NULL), -ENOENT);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_pt_wrong_kind_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0), fault = fault_ok(ctx);

	ck_assert_int_eq(t_attach(ctx, dev, dev, NULL), -EINVAL);
	ck_assert_int_eq(t_attach(ctx, dev, fault, NULL), -EINVAL);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_rid_twice_ebusy)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), ioas2 = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0), h;

	ck_assert_int_eq(t_attach(ctx, dev, ioas, &h), 0);
	ck_assert_int_eq(t_attach(ctx, dev, ioas, NULL), -EBUSY);
	ck_assert_int_eq(t_attach(ctx, dev, ioas2, NULL), -EBUSY);
	ck_assert_int_eq(t_attach(ctx, dev, h, NULL), -EBUSY);
	ck_assert_uint_eq(t_refs(ctx, h), 1);
	/* The second IOAS got no HWPT out of it. */
	ck_assert_int_eq(t_destroy(ctx, ioas2), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_dirty_hwpt_device_without_capability_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), good = bind_ok(ctx, 1, 0), bad, h;

	mock_set_device(mock_of(ctx), 2, MOCK_DEV_NO_DIRTY, 0);
	bad = bind_ok(ctx, 2, 0);
	h = hwpt_ok(ctx, good, ioas, IMS_HWPT_ALLOC_DIRTY_TRACKING);
	/* iommufd §2.13, selftest enforce_dirty. */
	ck_assert_int_eq(t_attach(ctx, bad, h, NULL), -EINVAL);
	ck_assert_int_eq(t_attach(ctx, good, h, NULL), 0);
	t_ctx_free(ctx);
}
END_TEST

/* ---- reserved regions at RID attach ---------------------------------------------------------- */

START_TEST(device_attach_reserves_device_regions)
{
	struct mock_cfg cfg = { .resv_start = MSI_START, .resv_len = MSI_LEN };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0);
	struct ims_iova_range r[8];

	ck_assert_uint_eq(t_ranges(ctx, ioas, r), 1);
	ck_assert_int_eq(t_attach(ctx, dev, ioas, NULL), 0);
	/* The MSI window is cut out of the usable IOVA. */
	ck_assert_uint_eq(t_ranges(ctx, ioas, r), 2);
	ck_assert_u64_eq(r[0].last, MSI_START - 1);
	ck_assert_u64_eq(r[1].start, MSI_START + MSI_LEN);
	ck_assert_int_eq(t_map(ctx, ioas, MSI_START, 0x100000, 0x1000, RW), -EINVAL);
	ck_assert_int_eq(t_detach(ctx, dev), 0);
	ck_assert_uint_eq(t_ranges(ctx, ioas, r), 1);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_reserved_region_hits_area_eaddrinuse)
{
	struct mock_cfg cfg = { .resv_start = MSI_START, .resv_len = MSI_LEN };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0);

	ck_assert_int_eq(t_map(ctx, ioas, MSI_START + 0x1000, 0x100000, 0x1000, RW), 0);
	ck_assert_int_eq(t_attach(ctx, dev, ioas, NULL), -EADDRINUSE);
	ck_assert_ptr_null(mock_dev_domain(ctx, dev, IMS_NO_PASID));
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->domains_live, 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(device_attach_aperture_complement_hits_allowed_eaddrinuse)
{
	struct mock_cfg cfg = { .dev_naperture = 1,
				.dev_aperture = { { 0x1000000, 0x7fffffff } } };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0);
	struct ims_iova_range allow = { 0x80000000, 0x8fffffff }, r[8];
	struct ims_ioas_allow_iovas al = { .size = sizeof(al), .ioas_id = ioas, .num_iovas = 1,
					   .allowed_iovas = PTR(&allow) };

	ck_assert_int_eq(ims_ioas_allow_iovas(ctx, &al), 0);
	ck_assert_int_eq(t_attach(ctx, dev, ioas, NULL), -EADDRINUSE);
	al.num_iovas = 0;
	ck_assert_int_eq(ims_ioas_allow_iovas(ctx, &al), 0);
	ck_assert_int_eq(t_attach(ctx, dev, ioas, NULL), 0);
	/* Only the device's window is usable now. */
	ck_assert_uint_eq(t_ranges(ctx, ioas, r), 1);
	ck_assert_u64_eq(r[0].start, 0x1000000);
	ck_assert_u64_eq(r[0].last, 0x7fffffff);
	t_ctx_free(ctx);
}
END_TEST

/* ---- PASID attach (§3.7) ---------------------------------------------------------------------- */

START_TEST(pasid_attach_translates_only_that_pasid)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 8), h;

	ck_assert_int_eq(t_map(ctx, ioas, 0x4000, 0x9000, 0x1000, RW), 0);
	h = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);
	ck_assert_int_eq(t_attach_pasid(ctx, dev, 7, h), 0);
	ck_assert_uint_eq(t_dma(ctx, dev, 7, 0x4010, IMS_ACC_READ).pa, 0x9010);
	ck_assert_int_eq(t_dma(ctx, dev, 8, 0x4010, IMS_ACC_READ).xfault, IMS_XF_BLOCKED);
	ck_assert_int_eq(t_dma(ctx, dev, IMS_NO_PASID, 0x4010, IMS_ACC_READ).xfault,
			 IMS_XF_BLOCKED);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_attach_ioas_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 8);

	/* Automatic HWPTs are not PASID-compatible (selftest pasid_attach). */
	ck_assert_int_eq(t_attach_pasid(ctx, dev, 100, ioas), -EINVAL);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->domains_live, 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_attach_hwpt_without_pasid_flag_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 8), h = hwpt_ok(ctx, dev, ioas, 0);

	ck_assert_int_eq(t_attach_pasid(ctx, dev, 100, h), -EINVAL);
	ck_assert_uint_eq(t_refs(ctx, h), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_attach_device_without_pasid_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0);
	uint32_t h = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);

	ck_assert_int_eq(t_attach_pasid(ctx, dev, 1, h), -EINVAL);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_attach_beyond_width_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 4);
	uint32_t h = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);

	ck_assert_int_eq(t_attach_pasid(ctx, dev, 16, h), -EINVAL);
	ck_assert_int_eq(t_attach_pasid(ctx, dev, 15, h), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_attach_zero_or_no_pasid_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 8);
	uint32_t h = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);
	struct ims_device_attach a = { .size = sizeof(a), .flags = IMS_DEVICE_ATTACH_PASID,
				       .dev_id = dev, .pt_id = h, .pasid = 0 };

	/* PASID 0 is Linux's name for the RID. */
	ck_assert_int_eq(ims_device_attach(ctx, &a), -EINVAL);
	a.pasid = IMS_NO_PASID;
	ck_assert_int_eq(ims_device_attach(ctx, &a), -EINVAL);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_attach_twice_ebusy)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 8);
	uint32_t h1 = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);
	uint32_t h2 = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);

	ck_assert_int_eq(t_attach_pasid(ctx, dev, 3, h1), 0);
	ck_assert_int_eq(t_attach_pasid(ctx, dev, 3, h2), -EBUSY);
	ck_assert_int_eq(t_attach_pasid(ctx, dev, 3, h1), -EBUSY);
	/* Replace is the way. */
	ck_assert_int_eq(t_replace_pasid(ctx, dev, 3, h2), 0);
	ck_assert_ptr_eq(mock_dev_domain(ctx, dev, 3), mock_hwpt_domain(ctx, h2));
	ck_assert_uint_eq(t_refs(ctx, h1), 0);
	ck_assert_uint_eq(t_refs(ctx, h2), 1);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_attach_rid_not_pasid_compatible_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 8);
	uint32_t h = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);

	ck_assert_int_eq(t_attach(ctx, dev, ioas, NULL), 0);
	ck_assert_int_eq(t_attach_pasid(ctx, dev, 2, h), -EINVAL);
	/* With the RID on a PASID-compatible HWPT it works. */
	ck_assert_int_eq(t_replace(ctx, dev, h, NULL), 0);
	ck_assert_int_eq(t_attach_pasid(ctx, dev, 2, h), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_rid_not_pasid_compatible_while_pasid_attached_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 8), plain;
	uint32_t h = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);

	plain = hwpt_ok(ctx, dev, ioas, 0);
	ck_assert_int_eq(t_attach(ctx, dev, h, NULL), 0);
	ck_assert_int_eq(t_attach_pasid(ctx, dev, 2, h), 0);
	ck_assert_int_eq(t_replace(ctx, dev, plain, NULL), -EINVAL);
	ck_assert_int_eq(t_replace(ctx, dev, ioas, NULL), -EINVAL);
	ck_assert_ptr_eq(mock_dev_domain(ctx, dev, IMS_NO_PASID), mock_hwpt_domain(ctx, h));
	ck_assert_int_eq(t_detach(ctx, dev), 0);
	ck_assert_int_eq(t_attach(ctx, dev, plain, NULL), -EINVAL);
	ck_assert_int_eq(t_detach_pasid(ctx, dev, 2), 0);
	ck_assert_int_eq(t_attach(ctx, dev, plain, NULL), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_compatible_hwpt_on_rid_of_device_without_pasid)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0);
	uint32_t h = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);

	ck_assert_int_eq(t_attach(ctx, dev, h, NULL), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_attach_does_not_reserve_regions)
{
	struct mock_cfg cfg = { .resv_start = MSI_START, .resv_len = MSI_LEN };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 8);
	uint32_t h = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);
	struct ims_iova_range r[8];

	ck_assert_int_eq(t_attach_pasid(ctx, dev, 9, h), 0);
	ck_assert_uint_eq(t_ranges(ctx, ioas, r), 1);
	ck_assert_int_eq(t_attach(ctx, dev, h, NULL), 0);
	ck_assert_uint_eq(t_ranges(ctx, ioas, r), 2);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_replace_unattached_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 8);
	uint32_t h = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);

	ck_assert_int_eq(t_replace_pasid(ctx, dev, 4, h), -EINVAL);
	ck_assert_uint_eq(t_refs(ctx, h), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_detach_unattached_is_noop)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 8);
	uint32_t h = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);

	ck_assert_int_eq(t_attach_pasid(ctx, dev, 4, h), 0);
	ck_assert_int_eq(t_detach_pasid(ctx, dev, 5), 0);
	ck_assert_int_eq(t_detach(ctx, dev), 0);
	ck_assert_ptr_eq(mock_dev_domain(ctx, dev, 4), mock_hwpt_domain(ctx, h));
	ck_assert_int_eq(t_detach_pasid(ctx, dev, 4), 0);
	ck_assert_ptr_null(mock_dev_domain(ctx, dev, 4));
	ck_assert_uint_eq(t_refs(ctx, h), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(pasid_replace_failure_keeps_old)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 12);
	uint32_t h1 = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);
	uint32_t h2 = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_PASID);

	ck_assert_int_eq(t_attach_pasid(ctx, dev, MOCK_PASID_FAIL_REPLACE, h1), 0);
	ck_assert_int_eq(t_replace_pasid(ctx, dev, MOCK_PASID_FAIL_REPLACE, h2), -ENOMEM);
	ck_assert_ptr_eq(mock_dev_domain(ctx, dev, MOCK_PASID_FAIL_REPLACE),
			 mock_hwpt_domain(ctx, h1));
	ck_assert_uint_eq(t_refs(ctx, h1), 1);
	ck_assert_uint_eq(t_refs(ctx, h2), 0);
	t_ctx_free(ctx);
}
END_TEST

/* ---- REPLACE and DETACH --------------------------------------------------------------------- */

START_TEST(replace_unattached_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0);

	ck_assert_int_eq(t_replace(ctx, dev, ioas, NULL), -EINVAL);
	/* No automatic HWPT was made only to be refused. */
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->domains_live, 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(replace_same_hwpt_is_noop)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0), h, h2;
	uint64_t calls;

	ck_assert_int_eq(t_attach(ctx, dev, ioas, &h), 0);
	calls = mock_stats(mock_of(ctx))->attach_calls;
	ck_assert_int_eq(t_replace(ctx, dev, ioas, &h2), 0);
	ck_assert_uint_eq(h2, h);
	ck_assert_int_eq(t_replace(ctx, dev, h, NULL), 0);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->attach_calls, calls);
	ck_assert_uint_eq(t_refs(ctx, h), 1);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(replace_ioas_frees_old_auto_hwpt)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t a = ioas_ok(ctx), b = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0), ha, hb;

	ck_assert_int_eq(t_map(ctx, a, 0x1000, 0x10000, 0x1000, RW), 0);
	ck_assert_int_eq(t_map(ctx, b, 0x1000, 0x20000, 0x1000, RW), 0);
	ck_assert_int_eq(t_attach(ctx, dev, a, &ha), 0);
	ck_assert_uint_eq(t_dma(ctx, dev, IMS_NO_PASID, 0x1000, IMS_ACC_READ).pa, 0x10000);
	ck_assert_int_eq(t_replace(ctx, dev, b, &hb), 0);
	ck_assert_uint_ne(ha, hb);
	/* The old automatic HWPT is gone (selftest iommufd_mock_domain.replace). */
	ck_assert(!t_exists(ctx, ha));
	ck_assert_int_eq(t_destroy(ctx, ha), -ENOENT);
	ck_assert_uint_eq(t_dma(ctx, dev, IMS_NO_PASID, 0x1000, IMS_ACC_READ).pa, 0x20000);
	ck_assert_int_eq(t_destroy(ctx, a), 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(replace_moves_reserved_regions_to_new_ioas)
{
	struct mock_cfg cfg = { .resv_start = MSI_START, .resv_len = MSI_LEN };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t a = ioas_ok(ctx), b = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0);
	struct ims_iova_range r[8];

	ck_assert_int_eq(t_attach(ctx, dev, a, NULL), 0);
	ck_assert_uint_eq(t_ranges(ctx, a, r), 2);
	ck_assert_int_eq(t_replace(ctx, dev, b, NULL), 0);
	ck_assert_uint_eq(t_ranges(ctx, a, r), 1);
	ck_assert_uint_eq(t_ranges(ctx, b, r), 2);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(replace_to_nested_drops_reserved_regions)
{
	struct mock_cfg cfg = { .resv_start = MSI_START, .resv_len = MSI_LEN };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t ioas = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0), parent, nested;
	struct ims_iova_range r[8];

	parent = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT);
	ck_assert_int_eq(t_mock_nested(ctx, dev, parent, 0, &nested), 0);
	ck_assert_int_eq(t_attach(ctx, dev, parent, NULL), 0);
	ck_assert_uint_eq(t_ranges(ctx, ioas, r), 2);
	/* Only paging HWPTs carry the device's reserved regions (kernel
	 * iommufd_hw_pagetable_attach: attach_resv). */
	ck_assert_int_eq(t_replace(ctx, dev, nested, NULL), 0);
	ck_assert_uint_eq(t_ranges(ctx, ioas, r), 1);
	ck_assert_int_eq(t_replace(ctx, dev, parent, NULL), 0);
	ck_assert_uint_eq(t_ranges(ctx, ioas, r), 2);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(replace_failure_keeps_old_attachment)
{
	struct mock_cfg cfg = { .resv_start = MSI_START, .resv_len = MSI_LEN };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t a = ioas_ok(ctx), b = ioas_ok(ctx), dev = bind_ok(ctx, 1, 0), ha, hb;
	struct ims_iova_range r[8];

	ck_assert_int_eq(t_map(ctx, a, 0x1000, 0x10000, 0x1000, RW), 0);
	ck_assert_int_eq(t_attach(ctx, dev, a, &ha), 0);
	hb = hwpt_ok(ctx, dev, b, 0);
	mock_fail_attach(mock_of(ctx), 1, -EIO);
	ck_assert_int_eq(t_replace(ctx, dev, hb, NULL), -EIO);
	/* Still translating through the old HWPT, reservations unchanged. */
	ck_assert_uint_eq(t_dma(ctx, dev, IMS_NO_PASID, 0x1000, IMS_ACC_READ).pa, 0x10000);
	ck_assert_uint_eq(t_refs(ctx, ha), 1);
	ck_assert_uint_eq(t_refs(ctx, hb), 0);
	ck_assert_uint_eq(t_ranges(ctx, a, r), 2);
	ck_assert_uint_eq(t_ranges(ctx, b, r), 1);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(detach_errnos_and_unattached_noop)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 8);
	struct ims_device_detach d = { .size = sizeof(d), .flags = 2, .dev_id = dev };

	ck_assert_int_eq(ims_device_detach(ctx, &d), -EOPNOTSUPP);
	d.flags = IMS_DEVICE_ATTACH_PASID;
	d.pasid = IMS_NO_PASID;
	ck_assert_int_eq(ims_device_detach(ctx, &d), -EINVAL);
	d.dev_id = 99;
	d.pasid = 1;
	ck_assert_int_eq(ims_device_detach(ctx, &d), -ENOENT);
	ck_assert_int_eq(t_detach(ctx, dev), 0);
	t_ctx_free(ctx);
}
END_TEST

/* ---- iommu_groups (§3.5) ----------------------------------------------------------------------- */

START_TEST(group_devices_share_one_hwpt_other_einval)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), a, b, h1, h2;

	mock_set_device(mock_of(ctx), 1, 0, 0x77);
	mock_set_device(mock_of(ctx), 2, 0, 0x77);
	a = bind_ok(ctx, 1, 0);
	b = bind_ok(ctx, 2, 0);
	h1 = hwpt_ok(ctx, a, ioas, 0);
	h2 = hwpt_ok(ctx, a, ioas, 0);
	ck_assert_int_eq(t_attach(ctx, a, h1, NULL), 0);
	ck_assert_int_eq(t_attach(ctx, b, h2, NULL), -EINVAL);
	ck_assert_int_eq(t_attach(ctx, b, h1, NULL), 0);
	ck_assert_uint_eq(t_refs(ctx, h1), 2);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(group_first_attach_switches_whole_group)
{
	struct mock_cfg cfg = { .resv_start = MSI_START, .resv_len = MSI_LEN };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t ioas = ioas_ok(ctx), a, b, h;
	struct ims_iova_range r[8];

	mock_set_device(mock_of(ctx), 1, 0, 5);
	mock_set_device(mock_of(ctx), 2, 0, 5);
	a = bind_ok(ctx, 1, 0);
	b = bind_ok(ctx, 2, 0);
	ck_assert_int_eq(t_map(ctx, ioas, 0x2000, 0x30000, 0x1000, RW), 0);
	ck_assert_int_eq(t_attach(ctx, a, ioas, &h), 0);
	/* b follows the group (kernel comment: the first device attaches the
	 * group) although it has not attached itself... */
	ck_assert_ptr_eq(mock_dev_domain(ctx, b, IMS_NO_PASID), mock_hwpt_domain(ctx, h));
	ck_assert_uint_eq(t_dma(ctx, b, IMS_NO_PASID, 0x2000, IMS_ACC_READ).pa, 0x30000);
	ck_assert_uint_eq(t_oracle(ctx, b, IMS_NO_PASID, 0x2000, IMS_ACC_READ).pa, 0x30000);
	/* ...holds no reference and registered no reservation. */
	ck_assert_uint_eq(t_refs(ctx, h), 1);
	ck_assert_int_eq(t_attach(ctx, b, ioas, NULL), 0);
	ck_assert_uint_eq(t_refs(ctx, h), 2);
	ck_assert_uint_eq(t_ranges(ctx, ioas, r), 2);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(group_last_detach_blocks_group)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), a, b, h;

	mock_set_device(mock_of(ctx), 1, 0, 5);
	mock_set_device(mock_of(ctx), 2, 0, 5);
	a = bind_ok(ctx, 1, 0);
	b = bind_ok(ctx, 2, 0);
	ck_assert_int_eq(t_attach(ctx, a, ioas, &h), 0);
	ck_assert_int_eq(t_attach(ctx, b, ioas, NULL), 0);
	ck_assert_int_eq(t_detach(ctx, a), 0);
	ck_assert_ptr_nonnull(mock_dev_domain(ctx, a, IMS_NO_PASID));
	ck_assert_int_eq(t_detach(ctx, b), 0);
	ck_assert_ptr_null(mock_dev_domain(ctx, a, IMS_NO_PASID));
	ck_assert_ptr_null(mock_dev_domain(ctx, b, IMS_NO_PASID));
	ck_assert(!t_exists(ctx, h));
	t_ctx_free(ctx);
}
END_TEST

START_TEST(group_replace_moves_whole_group)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), a, b, h1, h2;

	mock_set_device(mock_of(ctx), 1, 0, 5);
	mock_set_device(mock_of(ctx), 2, 0, 5);
	a = bind_ok(ctx, 1, 0);
	b = bind_ok(ctx, 2, 0);
	h1 = hwpt_ok(ctx, a, ioas, 0);
	h2 = hwpt_ok(ctx, a, ioas, 0);
	ck_assert_int_eq(t_attach(ctx, a, h1, NULL), 0);
	ck_assert_int_eq(t_attach(ctx, b, h1, NULL), 0);
	ck_assert_int_eq(t_replace(ctx, b, h2, NULL), 0);
	ck_assert_ptr_eq(mock_dev_domain(ctx, a, IMS_NO_PASID), mock_hwpt_domain(ctx, h2));
	ck_assert_ptr_eq(mock_dev_domain(ctx, b, IMS_NO_PASID), mock_hwpt_domain(ctx, h2));
	ck_assert_uint_eq(t_refs(ctx, h1), 0);
	ck_assert_uint_eq(t_refs(ctx, h2), 2);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(group_device_bound_later_follows_attachment)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), a, b, h;

	mock_set_device(mock_of(ctx), 1, 0, 5);
	mock_set_device(mock_of(ctx), 2, 0, 5);
	a = bind_ok(ctx, 1, 0);
	ck_assert_int_eq(t_attach(ctx, a, ioas, &h), 0);
	b = bind_ok(ctx, 2, 0);
	ck_assert_ptr_eq(mock_dev_domain(ctx, b, IMS_NO_PASID), mock_hwpt_domain(ctx, h));
	/* Unbinding the late one leaves a attached. */
	ck_assert_int_eq(t_unbind(ctx, b), 0);
	ck_assert_ptr_eq(mock_dev_domain(ctx, a, IMS_NO_PASID), mock_hwpt_domain(ctx, h));
	ck_assert_uint_eq(t_refs(ctx, h), 1);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(group_pasid_skips_devices_without_pasid)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t ioas = ioas_ok(ctx), a, b, h;

	mock_set_device(mock_of(ctx), 1, 0, 5);
	mock_set_device(mock_of(ctx), 2, 0, 5);
	a = bind_ok(ctx, 1, 8);
	b = bind_ok(ctx, 2, 0);
	h = hwpt_ok(ctx, a, ioas, IMS_HWPT_ALLOC_PASID);
	ck_assert_int_eq(t_attach_pasid(ctx, a, 3, h), 0);
	ck_assert_ptr_nonnull(mock_dev_domain(ctx, a, 3));
	ck_assert_ptr_null(mock_dev_domain(ctx, b, 3));
	t_ctx_free(ctx);
}
END_TEST

/* ---- GET_HW_INFO (§2.12) ---------------------------------------------------------------------- */

START_TEST(get_hw_info_copies_min_and_zero_fills)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0);
	uint8_t buf[16];
	struct mock_hw_info info;
	struct ims_hw_info h = { .size = sizeof(h), .dev_id = dev, .data_len = sizeof(buf),
				 .data_uptr = PTR(buf) };

	memset(buf, 0xaa, sizeof(buf));
	ck_assert_int_eq(ims_get_hw_info(ctx, &h), 0);
	ck_assert_uint_eq(h.out_data_type, MOCK_HW_INFO_TYPE);
	ck_assert_uint_eq(h.data_len, sizeof(info));
	memcpy(&info, buf, sizeof(info));
	ck_assert_uint_eq(info.test_reg, MOCK_HW_INFO_TEST_REG);
	for (size_t i = sizeof(info); i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0);
	/* A shorter buffer gets the head only; the full length comes back. */
	memset(buf, 0xaa, sizeof(buf));
	h.data_len = 4;
	ck_assert_int_eq(ims_get_hw_info(ctx, &h), 0);
	ck_assert_uint_eq(h.data_len, sizeof(info));
	ck_assert_uint_eq(buf[4], 0xaa);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(get_hw_info_zero_len_probe)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0);
	struct ims_hw_info h = { .size = sizeof(h), .dev_id = dev };

	ck_assert_int_eq(ims_get_hw_info(ctx, &h), 0);
	ck_assert_uint_eq(h.data_len, sizeof(struct mock_hw_info));
	t_ctx_free(ctx);
}
END_TEST

START_TEST(get_hw_info_capabilities_and_pasid_width)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	struct ims_device_bind b = { .size = sizeof(b), .sid = 2, .pasid_bits = 16, .ats = 1 };
	struct ims_hw_info h = { .size = sizeof(h) };
	uint32_t plain, nodirty;

	mock_set_device(mock_of(ctx), 2, MOCK_DEV_PASID_EXEC | MOCK_DEV_PASID_PRIV, 0);
	mock_set_device(mock_of(ctx), 3, MOCK_DEV_NO_DIRTY | MOCK_DEV_PASID_EXEC, 0);
	ck_assert_int_eq(ims_device_bind(ctx, &b), 0);
	plain = bind_ok(ctx, 1, 0);
	nodirty = bind_ok(ctx, 3, 0);
	h.dev_id = b.out_dev_id;
	ck_assert_int_eq(ims_get_hw_info(ctx, &h), 0);
	ck_assert_uint_eq(h.out_max_pasid_log2, 16);
	ck_assert_u64_eq(h.out_capabilities, IMS_HW_CAP_DIRTY_TRACKING | IMS_HW_CAP_PCI_PASID_EXEC |
						     IMS_HW_CAP_PCI_PASID_PRIV);
	h.dev_id = plain;
	h.data_len = 0;
	ck_assert_int_eq(ims_get_hw_info(ctx, &h), 0);
	ck_assert_uint_eq(h.out_max_pasid_log2, 0);
	ck_assert_u64_eq(h.out_capabilities,
			 IMS_HW_CAP_DIRTY_TRACKING | IMS_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	/* EXEC/PRIV mean nothing without PASIDs and are not reported. */
	h.dev_id = nodirty;
	h.data_len = 0;
	ck_assert_int_eq(ims_get_hw_info(ctx, &h), 0);
	ck_assert_u64_eq(h.out_capabilities, IMS_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(get_hw_info_unknown_flags_and_reserved_eopnotsupp)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0);
	struct ims_hw_info h = { .size = sizeof(h), .dev_id = dev, .flags = 2 };

	ck_assert_int_eq(ims_get_hw_info(ctx, &h), -EOPNOTSUPP);
	h.flags = 0;
	h.reserved[1] = 1;
	ck_assert_int_eq(ims_get_hw_info(ctx, &h), -EOPNOTSUPP);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(get_hw_info_input_type_unsupported_eopnotsupp)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0);
	struct ims_hw_info h = { .size = sizeof(h), .dev_id = dev,
				 .flags = IMS_HW_INFO_FLAG_INPUT_TYPE,
				 .in_data_type = IMS_HW_INFO_TYPE_INTEL_VTD };

	ck_assert_int_eq(ims_get_hw_info(ctx, &h), -EOPNOTSUPP);
	h.in_data_type = MOCK_HW_INFO_TYPE;
	ck_assert_int_eq(ims_get_hw_info(ctx, &h), 0);
	/* Without INPUT_TYPE the field is ignored. */
	h.flags = 0;
	h.data_len = 0;
	h.in_data_type = IMS_HW_INFO_TYPE_INTEL_VTD;
	ck_assert_int_eq(ims_get_hw_info(ctx, &h), 0);
	ck_assert_uint_eq(h.out_data_type, MOCK_HW_INFO_TYPE);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(get_hw_info_dev_missing_enoent)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	struct ims_hw_info h = { .size = sizeof(h), .dev_id = 3 };

	ck_assert_int_eq(ims_get_hw_info(ctx, &h), -ENOENT);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(get_hw_info_null_data_efault)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0);
	struct ims_hw_info h = { .size = sizeof(h), .dev_id = dev, .data_len = 8 };

	ck_assert_int_eq(ims_get_hw_info(ctx, &h), -EFAULT);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(get_hw_info_model_without_info_reports_none)
{
	struct ims_ctx *ctx = t_ctx_ops(&mock_model_ops_basic, NULL);
	uint32_t dev = bind_ok(ctx, 1, 0);
	uint8_t buf[8];
	struct ims_hw_info h = { .size = sizeof(h), .dev_id = dev, .data_len = sizeof(buf),
				 .data_uptr = PTR(buf) };

	memset(buf, 0xaa, sizeof(buf));
	ck_assert_int_eq(ims_get_hw_info(ctx, &h), 0);
	ck_assert_uint_eq(h.out_data_type, IMS_HW_INFO_TYPE_NONE);
	ck_assert_uint_eq(h.data_len, 0);
	ck_assert_uint_eq(buf[0], 0);
	ck_assert_uint_eq(buf[7], 0);
	h.flags = IMS_HW_INFO_FLAG_INPUT_TYPE;
	h.in_data_type = IMS_HW_INFO_TYPE_ARM_SMMUV3;
	ck_assert_int_eq(ims_get_hw_info(ctx, &h), -EOPNOTSUPP);
	t_ctx_free(ctx);
}
END_TEST

/* ---- DMA by device, teardown ------------------------------------------------------------------ */

START_TEST(dma_uses_the_device_requester_id)
{
	struct mock_cfg cfg = { .units = 2 };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t ioas = ioas_ok(ctx), dev;
	struct ims_device_bind b = { .size = sizeof(b), .sid = 0x30, .unit = 1 };
	struct ims_dma_req r = { .unit = 0, .sid = 0x99, .pasid = IMS_NO_PASID, .addr = 0x5000,
				 .len = 8, .access = IMS_ACC_READ };
	struct ims_dma_result res;

	ck_assert_int_eq(ims_device_bind(ctx, &b), 0);
	dev = b.out_dev_id;
	ck_assert_int_eq(t_map(ctx, ioas, 0x5000, 0x70000, 0x1000, RW), 0);
	ck_assert_int_eq(t_attach(ctx, dev, ioas, NULL), 0);
	/* unit and sid of the request are the device's, not the caller's. */
	ck_assert_int_eq(ims_dma(ctx, dev, &r, &res), 0);
	ck_assert_int_eq(res.status, IMS_DMA_OK);
	ck_assert_u64_eq(res.pa, 0x70000);
	ck_assert_int_eq(ims_dma_raw(ctx, &r, &res), 0);
	ck_assert_int_eq(res.xfault, IMS_XF_BLOCKED);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(dma_unknown_device_or_bad_request_fails)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0);
	struct ims_dma_req r = { .pasid = IMS_NO_PASID, .addr = 0xffc, .len = 8,
				 .access = IMS_ACC_READ };
	struct ims_dma_result res;

	ck_assert_int_eq(ims_dma(ctx, 9, &r, &res), -ENOENT);
	ck_assert_int_eq(ims_dma(ctx, dev, &r, &res), -EINVAL);
	ck_assert_int_eq(ims_dma(ctx, dev, NULL, &res), -EINVAL);
	ck_assert_int_eq(ims_dma(NULL, dev, &r, &res), -EBADF);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(ctx_free_with_attached_devices_is_clean)
{
	struct mock_cfg cfg = { .resv_start = MSI_START, .resv_len = MSI_LEN };
	struct ims_ctx *ctx = t_ctx(&cfg);
	uint32_t ioas = ioas_ok(ctx), a, b, c, h;

	mock_set_device(mock_of(ctx), 1, 0, 5);
	mock_set_device(mock_of(ctx), 2, 0, 5);
	a = bind_ok(ctx, 1, 8);
	b = bind_ok(ctx, 2, 0);
	c = bind_ok(ctx, 3, 8);
	ck_assert_int_eq(t_map(ctx, ioas, 0x1000, 0x10000, 0x4000, RW), 0);
	ck_assert_int_eq(t_attach(ctx, a, ioas, NULL), 0);
	ck_assert_int_eq(t_attach(ctx, b, ioas, NULL), 0);
	h = hwpt_ok(ctx, c, ioas, IMS_HWPT_ALLOC_PASID);
	ck_assert_int_eq(t_attach(ctx, c, h, NULL), 0);
	ck_assert_int_eq(t_attach_pasid(ctx, c, 1, h), 0);
	/* Closing the context unbinds, detaches and destroys everything
	 * (t_ctx_free checks the model got all of it back). */
	t_ctx_free(ctx);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("iommufd_device");
	TCase *tc = tcase_create("device");

	tcase_add_test(tc, device_bind_creates_blocked_device);
	tcase_add_test(tc, device_bind_flags_eopnotsupp);
	tcase_add_test(tc, device_bind_without_model_enodev);
	tcase_add_test(tc, device_bind_pasid_bits_above_20_einval);
	tcase_add_test(tc, device_bind_ats_pri_not_bool_einval);
	tcase_add_test(tc, device_bind_pri_without_ats_einval);
	tcase_add_test(tc, device_bind_unit_beyond_model_einval);
	tcase_add_test(tc, device_bind_duplicate_sid_eexist);
	tcase_add_test(tc, device_destroy_ebusy_until_unbound);
	tcase_add_test(tc, device_unbind_unknown_enoent);
	tcase_add_test(tc, device_unbind_detaches_everything);
	tcase_add_test(tc, device_attach_ioas_creates_auto_hwpt);
	tcase_add_test(tc, device_attach_second_device_reuses_auto_hwpt);
	tcase_add_test(tc, device_attach_manual_hwpt_never_auto_picked);
	tcase_add_test(tc, device_attach_incompatible_auto_hwpt_makes_another);
	tcase_add_test(tc, device_attach_auto_hwpt_destroyed_with_last_device);
	tcase_add_test(tc, device_attach_model_refusal_leaves_device_blocked);
	tcase_add_test(tc, device_attach_flags_and_reserved_eopnotsupp);
	tcase_add_test(tc, device_attach_dev_missing_enoent);
	tcase_add_test(tc, device_attach_pt_missing_enoent);
	tcase_add_test(tc, device_attach_pt_wrong_kind_einval);
	tcase_add_test(tc, device_attach_rid_twice_ebusy);
	tcase_add_test(tc, device_attach_dirty_hwpt_device_without_capability_einval);
	tcase_add_test(tc, device_attach_reserves_device_regions);
	tcase_add_test(tc, device_attach_reserved_region_hits_area_eaddrinuse);
	tcase_add_test(tc, device_attach_aperture_complement_hits_allowed_eaddrinuse);
	tcase_add_test(tc, pasid_attach_translates_only_that_pasid);
	tcase_add_test(tc, pasid_attach_ioas_einval);
	tcase_add_test(tc, pasid_attach_hwpt_without_pasid_flag_einval);
	tcase_add_test(tc, pasid_attach_device_without_pasid_einval);
	tcase_add_test(tc, pasid_attach_beyond_width_einval);
	tcase_add_test(tc, pasid_attach_zero_or_no_pasid_einval);
	tcase_add_test(tc, pasid_attach_twice_ebusy);
	tcase_add_test(tc, pasid_attach_rid_not_pasid_compatible_einval);
	tcase_add_test(tc, pasid_rid_not_pasid_compatible_while_pasid_attached_einval);
	tcase_add_test(tc, pasid_compatible_hwpt_on_rid_of_device_without_pasid);
	tcase_add_test(tc, pasid_attach_does_not_reserve_regions);
	tcase_add_test(tc, pasid_replace_unattached_einval);
	tcase_add_test(tc, pasid_detach_unattached_is_noop);
	tcase_add_test(tc, pasid_replace_failure_keeps_old);
	tcase_add_test(tc, replace_unattached_einval);
	tcase_add_test(tc, replace_same_hwpt_is_noop);
	tcase_add_test(tc, replace_ioas_frees_old_auto_hwpt);
	tcase_add_test(tc, replace_moves_reserved_regions_to_new_ioas);
	tcase_add_test(tc, replace_to_nested_drops_reserved_regions);
	tcase_add_test(tc, replace_failure_keeps_old_attachment);
	tcase_add_test(tc, detach_errnos_and_unattached_noop);
	tcase_add_test(tc, group_devices_share_one_hwpt_other_einval);
	tcase_add_test(tc, group_first_attach_switches_whole_group);
	tcase_add_test(tc, group_last_detach_blocks_group);
	tcase_add_test(tc, group_replace_moves_whole_group);
	tcase_add_test(tc, group_device_bound_later_follows_attachment);
	tcase_add_test(tc, group_pasid_skips_devices_without_pasid);
	tcase_add_test(tc, get_hw_info_copies_min_and_zero_fills);
	tcase_add_test(tc, get_hw_info_zero_len_probe);
	tcase_add_test(tc, get_hw_info_capabilities_and_pasid_width);
	tcase_add_test(tc, get_hw_info_unknown_flags_and_reserved_eopnotsupp);
	tcase_add_test(tc, get_hw_info_input_type_unsupported_eopnotsupp);
	tcase_add_test(tc, get_hw_info_dev_missing_enoent);
	tcase_add_test(tc, get_hw_info_null_data_efault);
	tcase_add_test(tc, get_hw_info_model_without_info_reports_none);
	tcase_add_test(tc, dma_uses_the_device_requester_id);
	tcase_add_test(tc, dma_unknown_device_or_bad_request_fails);
	tcase_add_test(tc, ctx_free_with_attached_devices_is_clean);
	suite_add_tcase(s, tc);
	return s;
}
