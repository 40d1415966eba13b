/* SPDX-License-Identifier: MIT */
/*
 * Dirty tracking of paging HWPTs: HWPT_SET_DIRTY_TRACKING and
 * HWPT_GET_DIRTY_BITMAP (iommufd §2.13, §2.14), on the mock model, whose
 * domains record 4 KiB pages written by DMA while tracking is on (and pages
 * marked by hand, as the selftest's IOMMU_TEST_OP_DIRTY).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/iommufd_util.h"

struct env {
	struct ims_ctx *ctx;
	uint32_t dev, ioas, hwpt;
};

/* A device attached to a DIRTY_TRACKING HWPT over 64 KiB at IOVA 0x100000. */
static struct env env_new_ops(const struct ims_model_ops *ops)
{
	struct env e;

	e.ctx = t_ctx_ops(ops, NULL);
	e.dev = bind_ok(e.ctx, 1, 0);
	e.ioas = ioas_ok(e.ctx);
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x100000, 0x4000000, 0x10000, RW), 0);
	e.hwpt = hwpt_ok(e.ctx, e.dev, e.ioas, IMS_HWPT_ALLOC_DIRTY_TRACKING);
	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.hwpt, NULL), 0);
	return e;
}

static struct env env_new(void)
{
	return env_new_ops(&mock_model_ops);
}

static int set_tracking(struct ims_ctx *ctx, uint32_t hwpt, uint32_t flags)
{
	struct ims_hwpt_set_dirty_tracking c = { .size = sizeof(c), .flags = flags,
						 .hwpt_id = hwpt };

	return ims_hwpt_set_dirty_tracking(ctx, &c);
}

static int get_bitmap(struct ims_ctx *ctx, uint32_t hwpt, uint64_t iova, uint64_t len,
		      uint64_t page_size, uint32_t flags, uint64_t *data)
{
	struct ims_hwpt_get_dirty_bitmap c = { .size = sizeof(c), .hwpt_id = hwpt,
					       .flags = flags, .iova = iova, .length = len,
					       .page_size = page_size, .data = PTR(data) };

	return ims_hwpt_get_dirty_bitmap(ctx, &c);
}

static void write_dma(struct env *e, uint64_t iova)
{
	ck_assert_int_eq(t_dma(e->ctx, e->dev, IMS_NO_PASID, iova, IMS_ACC_WRITE).status,
			 IMS_DMA_OK);
}

/* ---- behaviour ---------------------------------------------------------------------- */

START_TEST(dirty_tracking_reports_dma_writes_and_clears)
{
	struct env e = env_new();
	uint64_t bm[1] = { 0 };

	ck_assert_int_eq(set_tracking(e.ctx, e.hwpt, IMS_HWPT_DIRTY_TRACKING_ENABLE), 0);
	ck_assert(mock_dirty_tracking(e.ctx, e.hwpt));
	write_dma(&e, 0x101008);
	write_dma(&e, 0x10f000);
	/* Reads do not dirty. */
	ck_assert_int_eq(t_dma(e.ctx, e.dev, IMS_NO_PASID, 0x105000, IMS_ACC_READ).status,
			 IMS_DMA_OK);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x10000, 0x1000, 0, bm), 0);
	ck_assert_u64_eq(bm[0], (1ull << 1) | (1ull << 15));
	/* The read cleared them. */
	bm[0] = 0;
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x10000, 0x1000, 0, bm), 0);
	ck_assert_u64_eq(bm[0], 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(dirty_no_clear_keeps_bits)
{
	struct env e = env_new();
	uint64_t bm[1] = { 0 };

	ck_assert_int_eq(set_tracking(e.ctx, e.hwpt, IMS_HWPT_DIRTY_TRACKING_ENABLE), 0);
	write_dma(&e, 0x103000);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x10000, 0x1000,
				    IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, bm), 0);
	ck_assert_u64_eq(bm[0], 1ull << 3);
	bm[0] = 0;
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x10000, 0x1000, 0, bm), 0);
	ck_assert_u64_eq(bm[0], 1ull << 3);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(dirty_enable_clears_existing_bits)
{
	struct env e = env_new();
	uint64_t bm[1] = { 0 };

	ck_assert_int_eq(mock_set_dirty(e.ctx, e.hwpt, 0x100000, 0x3000), 0);
	ck_assert_int_eq(set_tracking(e.ctx, e.hwpt, IMS_HWPT_DIRTY_TRACKING_ENABLE), 0);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x10000, 0x1000, 0, bm), 0);
	ck_assert_u64_eq(bm[0], 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(dirty_disable_stops_tracking)
{
	struct env e = env_new();
	uint64_t bm[1] = { 0 };

	ck_assert_int_eq(set_tracking(e.ctx, e.hwpt, IMS_HWPT_DIRTY_TRACKING_ENABLE), 0);
	ck_assert_int_eq(set_tracking(e.ctx, e.hwpt, 0), 0);
	ck_assert(!mock_dirty_tracking(e.ctx, e.hwpt));
	write_dma(&e, 0x102000);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x10000, 0x1000, 0, bm), 0);
	ck_assert_u64_eq(bm[0], 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(dirty_bitmap_is_relative_to_iova_and_page_size)
{
	struct env e = env_new();
	uint64_t bm[1] = { 0 };

	ck_assert_int_eq(mock_set_dirty(e.ctx, e.hwpt, 0x10a000, 0x1000), 0);
	/* Bit n = page (iova / page_size + n) relative to iova. */
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x108000, 0x8000, 0x1000,
				    IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, bm), 0);
	ck_assert_u64_eq(bm[0], 1ull << 2);
	/* 16 KiB per bit: page 0x10a000 is in the third 16 KiB of 0x100000. */
	bm[0] = 0;
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x10000, 0x4000,
				    IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, bm), 0);
	ck_assert_u64_eq(bm[0], 1ull << 2);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(dirty_bitmap_ors_into_user_array)
{
	struct env e = env_new();
	uint64_t bm[2] = { 0x8000000000000000ull, 0x5 };

	ck_assert_int_eq(mock_set_dirty(e.ctx, e.hwpt, 0x100000, 0x1000), 0);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x10000, 0x1000, 0, bm), 0);
	ck_assert_u64_eq(bm[0], 0x8000000000000001ull);
	/* Nothing past the range's 16 bits is touched. */
	ck_assert_u64_eq(bm[1], 0x5);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(dirty_bitmap_spans_several_areas)
{
	struct env e = env_new();
	uint64_t bm[1] = { 0 };

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x110000, 0x5000000, 0x4000, RW), 0);
	ck_assert_int_eq(set_tracking(e.ctx, e.hwpt, IMS_HWPT_DIRTY_TRACKING_ENABLE), 0);
	write_dma(&e, 0x10f000);
	write_dma(&e, 0x110000);
	write_dma(&e, 0x113000);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x10c000, 0x8000, 0x1000, 0, bm), 0);
	ck_assert_u64_eq(bm[0], (1ull << 3) | (1ull << 4) | (1ull << 7));
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- HWPT_SET_DIRTY_TRACKING errnos ------------------------------------------------------- */

START_TEST(set_dirty_tracking_flags_reserved_eopnotsupp)
{
	struct env e = env_new();
	struct ims_hwpt_set_dirty_tracking c = { .size = sizeof(c), .flags = 2,
						 .hwpt_id = e.hwpt };

	ck_assert_int_eq(ims_hwpt_set_dirty_tracking(e.ctx, &c), -EOPNOTSUPP);
	c.flags = IMS_HWPT_DIRTY_TRACKING_ENABLE;
	c.reserved = 1;
	ck_assert_int_eq(ims_hwpt_set_dirty_tracking(e.ctx, &c), -EOPNOTSUPP);
	ck_assert(!mock_dirty_tracking(e.ctx, e.hwpt));
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(set_dirty_tracking_not_paging_enoent)
{
	struct env e = env_new();
	uint32_t parent = hwpt_ok(e.ctx, e.dev, e.ioas, IMS_HWPT_ALLOC_NEST_PARENT), nested;

	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, parent, 0, &nested), 0);
	ck_assert_int_eq(set_tracking(e.ctx, nested, 1), -ENOENT);
	ck_assert_int_eq(set_tracking(e.ctx, e.ioas, 1), -ENOENT);
	ck_assert_int_eq(set_tracking(e.ctx, 99, 1), -ENOENT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(set_dirty_tracking_without_dirty_flag_eopnotsupp)
{
	struct env e = env_new();
	uint32_t plain = hwpt_ok(e.ctx, e.dev, e.ioas, 0);

	ck_assert_int_eq(set_tracking(e.ctx, plain, 1), -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(set_dirty_tracking_model_without_ops_eopnotsupp)
{
	struct ims_model_ops ops = mock_model_ops;
	struct env e;
	uint64_t bm[1] = { 0 };

	ops.set_dirty_tracking = NULL;
	ops.read_and_clear_dirty = NULL;
	e = env_new_ops(&ops);
	ck_assert_int_eq(set_tracking(e.ctx, e.hwpt, 1), -EOPNOTSUPP);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x10000, 0x1000, 0, bm),
			 -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- HWPT_GET_DIRTY_BITMAP errnos --------------------------------------------------------- */

START_TEST(get_dirty_bitmap_flags_reserved_eopnotsupp)
{
	struct env e = env_new();
	uint64_t bm[1];
	struct ims_hwpt_get_dirty_bitmap c = { .size = sizeof(c), .hwpt_id = e.hwpt, .flags = 2,
					       .iova = 0x100000, .length = 0x1000,
					       .page_size = 0x1000, .data = PTR(bm) };

	ck_assert_int_eq(ims_hwpt_get_dirty_bitmap(e.ctx, &c), -EOPNOTSUPP);
	c.flags = 0;
	c.reserved = 1;
	ck_assert_int_eq(ims_hwpt_get_dirty_bitmap(e.ctx, &c), -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(get_dirty_bitmap_not_paging_enoent)
{
	struct env e = env_new();
	uint64_t bm[1];

	ck_assert_int_eq(get_bitmap(e.ctx, e.dev, 0x100000, 0x1000, 0x1000, 0, bm), -ENOENT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(get_dirty_bitmap_without_dirty_flag_eopnotsupp)
{
	struct env e = env_new();
	uint32_t plain = hwpt_ok(e.ctx, e.dev, e.ioas, 0);
	uint64_t bm[1];

	ck_assert_int_eq(get_bitmap(e.ctx, plain, 0x100000, 0x1000, 0x1000, 0, bm), -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(get_dirty_bitmap_overflow_eoverflow)
{
	struct env e = env_new();
	uint64_t bm[1];

	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, UINT64_MAX - 0xfff, 0x2000, 0x1000, 0, bm),
			 -EOVERFLOW);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(get_dirty_bitmap_length_zero_einval)
{
	struct env e = env_new();
	uint64_t bm[1];

	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0, 0x1000, 0, bm), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(get_dirty_bitmap_misaligned_to_ioas_einval)
{
	struct env e = env_new();
	uint64_t bm[1];

	/* The IOAS alignment is the domain's 4 KiB granule. */
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100800, 0x1000, 0x800, 0, bm), -EINVAL);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x1800, 0x800, 0, bm), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(get_dirty_bitmap_page_size_rules_einval)
{
	struct env e = env_new();
	uint64_t bm[1];

	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x4000, 0, 0, bm), -EINVAL);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x6000, 0x3000, 0, bm), -EINVAL);
	/* Range not a multiple of page_size. */
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x101000, 0x4000, 0x2000, 0, bm), -EINVAL);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x3000, 0x2000, 0, bm), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(get_dirty_bitmap_not_fully_mapped_einval)
{
	struct env e = env_new();
	uint64_t bm[1];

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x112000, 0x5000000, 0x1000, RW), 0);
	/* A hole at 0x110000..0x111fff, and past the end. */
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x10f000, 0x4000, 0x1000, 0, bm), -EINVAL);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x112000, 0x2000, 0x1000, 0, bm), -EINVAL);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x0ff000, 0x2000, 0x1000, 0, bm), -EINVAL);
	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x112000, 0x1000, 0x1000, 0, bm), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(get_dirty_bitmap_null_data_efault)
{
	struct env e = env_new();

	ck_assert_int_eq(get_bitmap(e.ctx, e.hwpt, 0x100000, 0x1000, 0x1000, 0, NULL), -EFAULT);
	t_ctx_free(e.ctx);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("iommufd_dirty");
	TCase *tc = tcase_create("dirty");

	tcase_add_test(tc, dirty_tracking_reports_dma_writes_and_clears);
	tcase_add_test(tc, dirty_no_clear_keeps_bits);
	tcase_add_test(tc, dirty_enable_clears_existing_bits);
	tcase_add_test(tc, dirty_disable_stops_tracking);
	tcase_add_test(tc, dirty_bitmap_is_relative_to_iova_and_page_size);
	tcase_add_test(tc, dirty_bitmap_ors_into_user_array);
	tcase_add_test(tc, dirty_bitmap_spans_several_areas);
	tcase_add_test(tc, set_dirty_tracking_flags_reserved_eopnotsupp);
	tcase_add_test(tc, set_dirty_tracking_not_paging_enoent);
	tcase_add_test(tc, set_dirty_tracking_without_dirty_flag_eopnotsupp);
	tcase_add_test(tc, set_dirty_tracking_model_without_ops_eopnotsupp);
	tcase_add_test(tc, get_dirty_bitmap_flags_reserved_eopnotsupp);
	tcase_add_test(tc, get_dirty_bitmap_not_paging_enoent);
	tcase_add_test(tc, get_dirty_bitmap_without_dirty_flag_eopnotsupp);
	tcase_add_test(tc, get_dirty_bitmap_overflow_eoverflow);
	tcase_add_test(tc, get_dirty_bitmap_length_zero_einval);
	tcase_add_test(tc, get_dirty_bitmap_misaligned_to_ioas_einval);
	tcase_add_test(tc, get_dirty_bitmap_page_size_rules_einval);
	tcase_add_test(tc, get_dirty_bitmap_not_fully_mapped_einval);
	tcase_add_test(tc, get_dirty_bitmap_null_data_efault);
	suite_add_tcase(s, tc);
	return s;
}
