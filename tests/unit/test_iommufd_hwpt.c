/* SPDX-License-Identifier: MIT */
/*
 * HWPT objects: HWPT_ALLOC of paging HWPTs (NEST_PARENT, DIRTY_TRACKING,
 * PASID, FAULT_ID_VALID), nested HWPTs on a parent or a vIOMMU with vendor
 * data, HWPT_INVALIDATE with partial completion, and the DESTROY rules of
 * HWPTs (iommufd §1, §2.11, §2.15, §3.1-3.2), on the mock model.  The
 * vendor-data rules are the mock's copy of the kernel drivers' checks: these
 * tests show that the core hands the model's verdict back unchanged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"
#include "tests/unit/iommufd_util.h"

/* A context with one device (sid 1, 8 PASID bits) and one IOAS. */
struct env {
	struct ims_ctx *ctx;
	uint32_t dev, ioas;
};

static struct env env_new(const struct mock_cfg *cfg)
{
	struct env e;

	e.ctx = t_ctx(cfg);
	e.dev = bind_ok(e.ctx, 1, 8);
	e.ioas = ioas_ok(e.ctx);
	return e;
}

/* A NEST_PARENT paging HWPT on the env's IOAS. */
static uint32_t parent_ok(struct env *e)
{
	return hwpt_ok(e->ctx, e->dev, e->ioas, IMS_HWPT_ALLOC_NEST_PARENT);
}

/* ---- paging ------------------------------------------------------------------------ */

START_TEST(hwpt_alloc_paging_fills_domain_from_ioas)
{
	struct env e = env_new(NULL);
	uint32_t h;
	uint64_t pa;
	unsigned prot;

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x200000, 0x3000, RW), 0);
	h = hwpt_ok(e.ctx, e.dev, e.ioas, 0);
	/* Filled at creation, as the kernel's manual HWPTs. */
	ck_assert(mock_domain_lookup(mock_hwpt_domain(e.ctx, h), 0x11000, &pa, &prot));
	ck_assert_u64_eq(pa, 0x201000);
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x40000, 0x300000, 0x1000,
			       IMS_IOAS_MAP_READABLE), 0);
	ck_assert(mock_domain_lookup(mock_hwpt_domain(e.ctx, h), 0x40000, &pa, &prot));
	ck_assert_uint_eq(prot, IMS_PROT_READ);
	ck_assert(!ims_hwpt_paging_find(e.ctx, h)->auto_domain);
	/* The HWPT holds the IOAS; it has no users itself. */
	ck_assert_int_eq(t_destroy(e.ctx, e.ioas), -EBUSY);
	ck_assert_int_eq(t_destroy(e.ctx, h), 0);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->domains_live, 0);
	ck_assert_int_eq(t_destroy(e.ctx, e.ioas), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_reserved_eopnotsupp)
{
	struct env e = env_new(NULL);
	struct ims_hwpt_alloc h = { .size = sizeof(h), .dev_id = e.dev, .pt_id = e.ioas,
				    .reserved = 1 };

	ck_assert_int_eq(ims_hwpt_alloc(e.ctx, &h), -EOPNOTSUPP);
	h.reserved = 0;
	h.reserved2 = 1;
	ck_assert_int_eq(ims_hwpt_alloc(e.ctx, &h), -EOPNOTSUPP);
	ck_assert_uint_eq(ims_ctx_num_objects(e.ctx), 2);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_data_type_len_mismatch_einval)
{
	struct env e = env_new(NULL);
	uint32_t parent = parent_ok(&e);
	struct mock_hwpt_data d = { 0 };

	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, IMS_HWPT_DATA_NONE, &d, sizeof(d),
				  NULL), -EINVAL);
	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, MOCK_HWPT_DATA, &d, 0, NULL), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_dev_missing_enoent)
{
	struct env e = env_new(NULL);

	ck_assert_int_eq(t_hwpt(e.ctx, 99, e.ioas, 0, NULL), -ENOENT);
	ck_assert_int_eq(t_hwpt(e.ctx, e.ioas, e.ioas, 0, NULL), -ENOENT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_pt_missing_einval)
{
	struct env e = env_new(NULL);

	/* Not -ENOENT (kernel iommufd_hwpt_alloc). */
	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, 99, 0, NULL), -EINVAL);
	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, 0, 0, NULL), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_pt_wrong_kind_einval)
{
	struct env e = env_new(NULL);
	uint32_t fault = fault_ok(e.ctx);

	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, e.dev, 0, NULL), -EINVAL);
	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, fault, 0, NULL), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_paging_unknown_flags_eopnotsupp)
{
	struct env e = env_new(NULL);

	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, e.ioas, 0x10, NULL), -EOPNOTSUPP);
	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, e.ioas, 0x80000000u, NULL), -EOPNOTSUPP);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->domains_live, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_dirty_without_capability_eopnotsupp)
{
	struct env e = env_new(NULL);
	uint32_t nodirty;

	mock_set_device(mock_of(e.ctx), 2, MOCK_DEV_NO_DIRTY, 0);
	nodirty = bind_ok(e.ctx, 2, 0);
	ck_assert_int_eq(t_hwpt(e.ctx, nodirty, e.ioas, IMS_HWPT_ALLOC_DIRTY_TRACKING, NULL),
			 -EOPNOTSUPP);
	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, e.ioas, IMS_HWPT_ALLOC_DIRTY_TRACKING, NULL), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_fault_with_nest_parent_eopnotsupp)
{
	struct env e = env_new(NULL);
	uint32_t fault = fault_ok(e.ctx);
	struct ims_hwpt_alloc h = {
		.size = sizeof(h), .dev_id = e.dev, .pt_id = e.ioas, .fault_id = fault,
		.flags = IMS_HWPT_FAULT_ID_VALID | IMS_HWPT_ALLOC_NEST_PARENT,
	};

	ck_assert_int_eq(ims_hwpt_alloc(e.ctx, &h), -EOPNOTSUPP);
	ck_assert_uint_eq(t_refs(e.ctx, fault), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_paging_with_data_eopnotsupp)
{
	struct env e = env_new(NULL);
	struct mock_hwpt_data d = { 0 };

	ck_assert_int_eq(t_nested(e.ctx, e.dev, e.ioas, 0, MOCK_HWPT_DATA, &d, sizeof(d), NULL),
			 -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_paging_aperture_vs_area_eaddrinuse)
{
	struct mock_cfg cfg = { .naperture = 1, .aperture = { { 1u << 24, (1u << 31) - 1 } } };
	struct env e = env_new(&cfg);
	struct ims_iova_range r[8];
	uint32_t h;

	/* The selftest mock's aperture: an area below it blocks the domain. */
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x1000, 0x100000, 0x1000, RW), 0);
	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, e.ioas, 0, NULL), -EADDRINUSE);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->domains_live, 0);
	ck_assert_uint_eq(t_ranges(e.ctx, e.ioas, r), 1);
	ck_assert_int_eq(t_unmap(e.ctx, e.ioas, 0x1000, 0x1000), 0);
	h = hwpt_ok(e.ctx, e.dev, e.ioas, 0);
	ck_assert_uint_eq(t_ranges(e.ctx, e.ioas, r), 1);
	ck_assert_u64_eq(r[0].start, 1u << 24);
	ck_assert_u64_eq(r[0].last, (1u << 31) - 1);
	ck_assert_int_eq(t_destroy(e.ctx, h), 0);
	ck_assert_uint_eq(t_ranges(e.ctx, e.ioas, r), 1);
	ck_assert_u64_eq(r[0].start, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_paging_granule_above_4k_einval)
{
	struct mock_cfg cfg = { .pgsize_bitmap = 1ull << 13 };
	struct env e = env_new(&cfg);

	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, e.ioas, 0, NULL), -EINVAL);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->domains_live, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_paging_misaligned_area_eaddrinuse)
{
	struct env e = env_new(NULL);

	/* IOVA alignment is 1 without a domain; a 4 KiB domain cannot hold a
	 * 2 KiB area. */
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x800, 0x100800, 0x800, RW), 0);
	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, e.ioas, 0, NULL), -EADDRINUSE);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_paging_unpinnable_memory_efault)
{
	struct env e = env_new(NULL);

	ck_assert_int_eq(ims_mem_add_abort(ims_ctx_mem(e.ctx), 0x500000, 0x500fff), 0);
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x1000, 0x4ff000, 0x2000, RW), 0);
	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, e.ioas, 0, NULL), -EFAULT);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->domains_live, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_paging_map_failure_leaves_nothing)
{
	struct env e = env_new(NULL);

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x1000, 0x100000, 0x1000, RW), 0);
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x8000, 0x200000, 0x1000, RW), 0);
	mock_fail_map(mock_of(e.ctx), 2, -ENOMEM);
	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, e.ioas, 0, NULL), -ENOMEM);
	ck_assert_uint_eq(ims_ctx_num_objects(e.ctx), 2);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->domains_live, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_fault_id_missing_enoent)
{
	struct env e = env_new(NULL);
	struct ims_hwpt_alloc h = { .size = sizeof(h), .dev_id = e.dev, .pt_id = e.ioas,
				    .flags = IMS_HWPT_FAULT_ID_VALID, .fault_id = 42 };

	ck_assert_int_eq(ims_hwpt_alloc(e.ctx, &h), -ENOENT);
	h.fault_id = e.ioas;
	ck_assert_int_eq(ims_hwpt_alloc(e.ctx, &h), -ENOENT);
	/* The HWPT made before the lookup was thrown away. */
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->domains_live, 0);
	ck_assert_uint_eq(ims_ctx_num_objects(e.ctx), 2);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_fault_id_holds_fault)
{
	struct env e = env_new(NULL);
	uint32_t fault = fault_ok(e.ctx);
	struct ims_hwpt_alloc h = { .size = sizeof(h), .dev_id = e.dev, .pt_id = e.ioas,
				    .flags = IMS_HWPT_FAULT_ID_VALID, .fault_id = fault };

	ck_assert_int_eq(ims_hwpt_alloc(e.ctx, &h), 0);
	ck_assert_uint_eq(t_refs(e.ctx, fault), 1);
	ck_assert_int_eq(t_destroy(e.ctx, fault), -EBUSY);
	ck_assert_int_eq(t_destroy(e.ctx, h.out_hwpt_id), 0);
	ck_assert_int_eq(t_destroy(e.ctx, fault), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_paging_destroy_ebusy_while_attached)
{
	struct env e = env_new(NULL);
	uint32_t h = hwpt_ok(e.ctx, e.dev, e.ioas, 0);

	ck_assert_int_eq(t_attach(e.ctx, e.dev, h, NULL), 0);
	ck_assert_int_eq(t_destroy(e.ctx, h), -EBUSY);
	ck_assert_int_eq(t_detach(e.ctx, e.dev), 0);
	/* A manual HWPT survives its last device. */
	ck_assert(t_exists(e.ctx, h));
	ck_assert_int_eq(t_destroy(e.ctx, h), 0);
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- nested on a parent HWPT ----------------------------------------------------------- */

START_TEST(hwpt_alloc_nested_on_parent)
{
	struct env e = env_new(NULL);
	uint32_t parent = parent_ok(&e), nested;

	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, parent, 0, &nested), 0);
	ck_assert_ptr_nonnull(ims_obj_find(e.ctx, nested, IMS_OBJ_HWPT_NESTED));
	for (unsigned i = 0; i < MOCK_NESTED_IOTLB_NUM; i++)
		ck_assert_uint_eq(mock_nested_iotlb(e.ctx, nested, i), MOCK_IOTLB_DEFAULT);
	ck_assert_uint_eq(t_refs(e.ctx, parent), 1);
	/* A parent cannot go while nested HWPTs stand on it (§3.2). */
	ck_assert_int_eq(t_destroy(e.ctx, parent), -EBUSY);
	ck_assert_int_eq(t_destroy(e.ctx, nested), 0);
	ck_assert_int_eq(t_destroy(e.ctx, parent), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_nested_parent_auto_einval)
{
	struct env e = env_new(NULL);
	uint32_t auto_id;

	ck_assert_int_eq(t_attach(e.ctx, e.dev, e.ioas, &auto_id), 0);
	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, auto_id, 0, NULL), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_nested_parent_not_nest_parent_einval)
{
	struct env e = env_new(NULL);
	uint32_t plain = hwpt_ok(e.ctx, e.dev, e.ioas, 0);

	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, plain, 0, NULL), -EINVAL);
	ck_assert_uint_eq(t_refs(e.ctx, plain), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_nested_on_nested_einval)
{
	struct env e = env_new(NULL);
	uint32_t parent = parent_ok(&e), nested;

	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, parent, 0, &nested), 0);
	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, nested, 0, NULL), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_nested_bad_flags_eopnotsupp)
{
	struct env e = env_new(NULL);
	uint32_t parent = parent_ok(&e);

	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, parent, IMS_HWPT_ALLOC_NEST_PARENT, NULL),
			 -EOPNOTSUPP);
	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, parent, IMS_HWPT_ALLOC_DIRTY_TRACKING, NULL),
			 -EOPNOTSUPP);
	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, parent, IMS_HWPT_ALLOC_PASID, NULL), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_nested_no_data_eopnotsupp)
{
	struct env e = env_new(NULL);
	uint32_t parent = parent_ok(&e);

	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, parent, 0, NULL), -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_nested_model_without_op_eopnotsupp)
{
	struct ims_model_ops ops = mock_model_ops;
	struct ims_ctx *ctx;
	uint32_t dev, ioas, parent;

	ops.domain_alloc_nested = NULL;
	ctx = t_ctx_ops(&ops, NULL);
	dev = bind_ok(ctx, 1, 0);
	ioas = ioas_ok(ctx);
	parent = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT);
	ck_assert_int_eq(t_mock_nested(ctx, dev, parent, 0, NULL), -EOPNOTSUPP);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(hwpt_alloc_nested_data_copy_rules)
{
	struct env e = env_new(NULL);
	uint32_t parent = parent_ok(&e);
	uint8_t big[16] = { 0 };

	/* Shorter than the mandatory part: -EINVAL. */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, MOCK_HWPT_DATA, big, 2, NULL),
			 -EINVAL);
	/* NULL pointer: -EFAULT. */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, MOCK_HWPT_DATA, NULL, 8, NULL),
			 -EFAULT);
	/* A type the model does not know: -EOPNOTSUPP. */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, 0x1234, big, 8, NULL), -EOPNOTSUPP);
	/* Longer with a non-zero tail: -E2BIG; zero tail: accepted. */
	big[12] = 1;
	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, MOCK_HWPT_DATA, big, 16, NULL),
			 -E2BIG);
	big[12] = 0;
	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, MOCK_HWPT_DATA, big, 16, NULL), 0);
	/* Only the mandatory iotlb word: the rest reads as zero. */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, MOCK_HWPT_DATA, big, 4, NULL), 0);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->domains_live, 3);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_nested_pasid_flag_gates_pasid_attach)
{
	struct env e = env_new(NULL);
	uint32_t parent = parent_ok(&e), with, without;

	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, parent, IMS_HWPT_ALLOC_PASID, &with), 0);
	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, parent, 0, &without), 0);
	ck_assert_int_eq(t_attach_pasid(e.ctx, e.dev, 6, without), -EINVAL);
	ck_assert_int_eq(t_attach_pasid(e.ctx, e.dev, 6, with), 0);
	ck_assert_int_eq(t_destroy(e.ctx, with), -EBUSY);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_vtd_s1_rules)
{
	struct env e = env_new(NULL);
	uint32_t parent = parent_ok(&e);
	struct ims_hwpt_vtd_s1 s1 = { .flags = IMS_VTD_S1_SRE, .pgtbl_addr = 0x1000,
				      .addr_width = 48 };

	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, IMS_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				  NULL), 0);
	s1.flags = 8;
	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, IMS_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				  NULL), -EOPNOTSUPP);
	s1.flags = 0;
	s1.addr_width = 39;
	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, IMS_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				  NULL), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(nested_attach_translates_through_parent)
{
	struct env e = env_new(NULL);
	uint32_t parent = parent_ok(&e), nested;

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x7000, 0x900000, 0x1000, RW), 0);
	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, parent, 0, &nested), 0);
	ck_assert_int_eq(t_attach(e.ctx, e.dev, nested, NULL), 0);
	ck_assert_int_eq(t_destroy(e.ctx, nested), -EBUSY);
	/* The mock's own nested type has an identity stage 1. */
	ck_assert_u64_eq(t_dma(e.ctx, e.dev, IMS_NO_PASID, 0x7040, IMS_ACC_READ).pa, 0x900040);
	/* Attaching a nested HWPT reserves nothing in the parent's IOAS. */
	ck_assert_int_eq(t_detach(e.ctx, e.dev), 0);
	ck_assert(t_exists(e.ctx, nested));
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- nested through a vIOMMU ----------------------------------------------------------- */

static uint32_t viommu_ok(struct env *e, uint32_t type, uint32_t *parent)
{
	uint32_t v;

	*parent = parent_ok(e);
	ck_assert_int_eq(t_viommu(e->ctx, e->dev, *parent, type, &v), 0);
	return v;
}

START_TEST(hwpt_alloc_viommu_nested_holds_viommu)
{
	struct env e = env_new(NULL);
	uint32_t parent, v = viommu_ok(&e, MOCK_VIOMMU_TYPE, &parent), nested;

	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, v, 0, &nested), 0);
	ck_assert_uint_eq(t_refs(e.ctx, v), 1);
	ck_assert_int_eq(t_destroy(e.ctx, v), -EBUSY);
	ck_assert_int_eq(t_destroy(e.ctx, nested), 0);
	ck_assert_int_eq(t_destroy(e.ctx, v), 0);
	ck_assert_int_eq(t_destroy(e.ctx, parent), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_viommu_other_unit_einval)
{
	struct mock_cfg cfg = { .units = 2 };
	struct env e = env_new(&cfg);
	struct ims_device_bind b = { .size = sizeof(b), .sid = 9, .unit = 1 };
	uint32_t parent, v = viommu_ok(&e, MOCK_VIOMMU_TYPE, &parent);

	ck_assert_int_eq(ims_device_bind(e.ctx, &b), 0);
	ck_assert_int_eq(t_mock_nested(e.ctx, b.out_dev_id, v, 0, NULL), -EINVAL);
	ck_assert_uint_eq(t_refs(e.ctx, v), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_viommu_bad_flags_eopnotsupp)
{
	struct env e = env_new(NULL);
	uint32_t parent, v = viommu_ok(&e, MOCK_VIOMMU_TYPE, &parent);

	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, v, IMS_HWPT_ALLOC_NEST_PARENT, NULL),
			 -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_viommu_no_data_eopnotsupp)
{
	struct env e = env_new(NULL);
	uint32_t parent, v = viommu_ok(&e, MOCK_VIOMMU_TYPE, &parent);

	ck_assert_int_eq(t_hwpt(e.ctx, e.dev, v, 0, NULL), -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_arm_ste_rules)
{
	struct env e = env_new(NULL);
	uint32_t parent, v = viommu_ok(&e, IMS_VIOMMU_TYPE_ARM_SMMUV3, &parent);
	struct ims_hwpt_arm_smmuv3 ste = { { 0x1 | (5u << 1) | 0x80000, 0 } };

	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_ARM_SMMUV3, &ste,
				  sizeof(ste), NULL), 0);
	/* Only through a vIOMMU, and no flag is accepted. */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, parent, 0, IMS_HWPT_DATA_ARM_SMMUV3, &ste,
				  sizeof(ste), NULL), -EOPNOTSUPP);
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, IMS_HWPT_ALLOC_PASID,
				  IMS_HWPT_DATA_ARM_SMMUV3, &ste, sizeof(ste), NULL), -EOPNOTSUPP);
	/* Stage-2 config (Cfg 0b110) is not the guest's: -EIO. */
	ste.ste[0] = 0x1 | (6u << 1);
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_ARM_SMMUV3, &ste,
				  sizeof(ste), NULL), -EIO);
	/* A field outside the allowed set (S2VMID lives in word 2, STRW in
	 * word 1 bits 31:30): -EIO. */
	ste.ste[0] = 0x1 | (5u << 1);
	ste.ste[1] = 1ull << 30;
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_ARM_SMMUV3, &ste,
				  sizeof(ste), NULL), -EIO);
	/* EATS 0b10 (split-stage): -EIO. */
	ste.ste[1] = 2ull << 28;
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_ARM_SMMUV3, &ste,
				  sizeof(ste), NULL), -EIO);
	/* V=0 is accepted whatever else is set (becomes abort). */
	ste.ste[0] = 0xfffe;
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_ARM_SMMUV3, &ste,
				  sizeof(ste), NULL), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_alloc_amd_dte_rules)
{
	struct mock_cfg cfg = { .no_gpt5 = true };
	struct env e = env_new(&cfg);
	uint32_t parent, v = viommu_ok(&e, IMS_VIOMMU_TYPE_AMD, &parent);
	/* V, GV, GCR3 root 0x5000 (bits 14:12 in dte0 60:58). */
	struct ims_hwpt_amd_guest ok = { { 1 | (1ull << 55) | (5ull << 58), 0, 0, 0 } }, g;

	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_AMD_GUEST, &ok, sizeof(ok),
				  NULL), 0);
	g = ok;
	g.dte[0] |= 4ull << 9; /* Mode */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_AMD_GUEST, &g, sizeof(g),
				  NULL), -EINVAL);
	g = ok;
	g.dte[0] |= 0x1234000; /* host table root */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_AMD_GUEST, &g, sizeof(g),
				  NULL), -EINVAL);
	g = ok;
	g.dte[0] &= ~(7ull << 58); /* V and GV without a GCR3 root */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_AMD_GUEST, &g, sizeof(g),
				  NULL), -EINVAL);
	g = ok;
	g.dte[0] |= 3ull << 56; /* GLX 3 */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_AMD_GUEST, &g, sizeof(g),
				  NULL), -EINVAL);
	g = ok;
	g.dte[2] = 2ull << 54; /* guest paging mode 2 */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_AMD_GUEST, &g, sizeof(g),
				  NULL), -EINVAL);
	g.dte[2] = 1ull << 54; /* 5-level, not supported by this host */
	ck_assert_int_eq(t_nested(e.ctx, e.dev, v, 0, IMS_HWPT_DATA_AMD_GUEST, &g, sizeof(g),
				  NULL), -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- HWPT_INVALIDATE (§2.15) -------------------------------------------------------------- */

static uint32_t nested_ok(struct env *e)
{
	uint32_t parent = parent_ok(e), nested;

	ck_assert_int_eq(t_mock_nested(e->ctx, e->dev, parent, 0, &nested), 0);
	return nested;
}

static int t_inval(struct ims_ctx *ctx, uint32_t id, uint32_t type, const void *data,
		   uint32_t entry_len, uint32_t *num)
{
	struct ims_hwpt_invalidate c = { .size = sizeof(c), .hwpt_id = id, .data_type = type,
					 .data_uptr = PTR(data), .entry_len = entry_len,
					 .entry_num = *num };
	int rc = ims_hwpt_invalidate(ctx, &c);

	*num = c.entry_num;
	return rc;
}

START_TEST(hwpt_invalidate_nested_clears_iotlb)
{
	struct env e = env_new(NULL);
	uint32_t nested = nested_ok(&e), n = 1;
	struct mock_hwpt_invalidate inv[2] = { { .iotlb_id = 1 } };

	ck_assert_int_eq(t_inval(e.ctx, nested, MOCK_HWPT_INVALIDATE, inv, sizeof(inv[0]), &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(mock_nested_iotlb(e.ctx, nested, 0), MOCK_IOTLB_DEFAULT);
	ck_assert_uint_eq(mock_nested_iotlb(e.ctx, nested, 1), 0);
	inv[0].flags = MOCK_INVALIDATE_ALL;
	n = 1;
	ck_assert_int_eq(t_inval(e.ctx, nested, MOCK_HWPT_INVALIDATE, inv, sizeof(inv[0]), &n), 0);
	for (unsigned i = 0; i < MOCK_NESTED_IOTLB_NUM; i++)
		ck_assert_uint_eq(mock_nested_iotlb(e.ctx, nested, i), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_invalidate_partial_completion)
{
	struct env e = env_new(NULL);
	uint32_t nested = nested_ok(&e), n = 3;
	struct mock_hwpt_invalidate inv[3] = { { .iotlb_id = 0 }, { .iotlb_id = 4 },
					       { .iotlb_id = 2 } };

	/* The 2nd entry is bad: its errno comes back and entry_num = 1. */
	ck_assert_int_eq(t_inval(e.ctx, nested, MOCK_HWPT_INVALIDATE, inv, sizeof(inv[0]), &n),
			 -EINVAL);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(mock_nested_iotlb(e.ctx, nested, 0), 0);
	ck_assert_uint_eq(mock_nested_iotlb(e.ctx, nested, 2), MOCK_IOTLB_DEFAULT);
	/* An unknown flag stops it the same way, with -EOPNOTSUPP. */
	inv[1].iotlb_id = 3;
	inv[1].flags = 0x80;
	n = 3;
	ck_assert_int_eq(t_inval(e.ctx, nested, MOCK_HWPT_INVALIDATE, inv, sizeof(inv[0]), &n),
			 -EOPNOTSUPP);
	ck_assert_uint_eq(n, 1);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_invalidate_entry_num_zero_probes_type)
{
	struct env e = env_new(NULL);
	uint32_t nested = nested_ok(&e), n = 0;

	ck_assert_int_eq(t_inval(e.ctx, nested, MOCK_HWPT_INVALIDATE, NULL, 0, &n), 0);
	ck_assert_int_eq(t_inval(e.ctx, nested, IMS_HWPT_INVALIDATE_DATA_VTD_S1, NULL, 0, &n),
			 -EINVAL);
	ck_assert_uint_eq(n, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_invalidate_wrong_data_type_einval)
{
	struct env e = env_new(NULL);
	uint32_t nested = nested_ok(&e), n = 1;
	struct mock_hwpt_invalidate inv = { .iotlb_id = 0 };

	ck_assert_int_eq(t_inval(e.ctx, nested, IMS_HWPT_INVALIDATE_DATA_VTD_S1, &inv, sizeof(inv),
				 &n), -EINVAL);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(mock_nested_iotlb(e.ctx, nested, 0), MOCK_IOTLB_DEFAULT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_invalidate_paging_einval)
{
	struct env e = env_new(NULL);
	uint32_t h = hwpt_ok(e.ctx, e.dev, e.ioas, 0), n = 1;
	struct mock_hwpt_invalidate inv = { 0 };

	ck_assert_int_eq(t_inval(e.ctx, h, MOCK_HWPT_INVALIDATE, &inv, sizeof(inv), &n), -EINVAL);
	/* entry_num is written back even on early failures: nothing done. */
	ck_assert_uint_eq(n, 0);
	n = 1;
	ck_assert_int_eq(t_inval(e.ctx, e.ioas, MOCK_HWPT_INVALIDATE, &inv, sizeof(inv), &n),
			 -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_invalidate_missing_enoent)
{
	struct env e = env_new(NULL);
	uint32_t n = 0;

	ck_assert_int_eq(t_inval(e.ctx, 99, MOCK_HWPT_INVALIDATE, NULL, 0, &n), -ENOENT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_invalidate_reserved_eopnotsupp)
{
	struct env e = env_new(NULL);
	uint32_t nested = nested_ok(&e);
	struct ims_hwpt_invalidate c = { .size = sizeof(c), .hwpt_id = nested,
					 .data_type = MOCK_HWPT_INVALIDATE, .reserved = 1,
					 .entry_num = 5 };

	ck_assert_int_eq(ims_hwpt_invalidate(e.ctx, &c), -EOPNOTSUPP);
	ck_assert_uint_eq(c.entry_num, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_invalidate_entries_need_data_and_len_einval)
{
	struct env e = env_new(NULL);
	uint32_t nested = nested_ok(&e), n = 2;
	struct mock_hwpt_invalidate inv[2] = { { 0 } };

	ck_assert_int_eq(t_inval(e.ctx, nested, MOCK_HWPT_INVALIDATE, NULL, sizeof(inv[0]), &n),
			 -EINVAL);
	n = 2;
	ck_assert_int_eq(t_inval(e.ctx, nested, MOCK_HWPT_INVALIDATE, inv, 0, &n), -EINVAL);
	ck_assert_uint_eq(n, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_invalidate_entry_len_rules)
{
	struct env e = env_new(NULL);
	uint32_t nested = nested_ok(&e), n = 1;
	uint32_t raw[4] = { 0, 1, 0, 0 }; /* flags 0, iotlb_id 1, 8 bytes of padding */

	/* Shorter than the entry struct: -EINVAL. */
	ck_assert_int_eq(t_inval(e.ctx, nested, MOCK_HWPT_INVALIDATE, raw, 4, &n), -EINVAL);
	ck_assert_uint_eq(n, 0);
	/* Longer and zero-padded: fine. */
	n = 1;
	ck_assert_int_eq(t_inval(e.ctx, nested, MOCK_HWPT_INVALIDATE, raw, sizeof(raw), &n), 0);
	ck_assert_uint_eq(mock_nested_iotlb(e.ctx, nested, 1), 0);
	/* Longer with a non-zero tail: -E2BIG. */
	raw[3] = 7;
	n = 1;
	ck_assert_int_eq(t_inval(e.ctx, nested, MOCK_HWPT_INVALIDATE, raw, sizeof(raw), &n),
			 -E2BIG);
	ck_assert_uint_eq(n, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hwpt_invalidate_model_without_op_eopnotsupp)
{
	struct ims_model_ops ops = mock_model_ops;
	struct ims_ctx *ctx;
	uint32_t dev, ioas, parent, nested, v, n = 0;

	ops.domain_invalidate_user = NULL;
	ops.viommu_invalidate_user = NULL;
	ctx = t_ctx_ops(&ops, NULL);
	dev = bind_ok(ctx, 1, 0);
	ioas = ioas_ok(ctx);
	parent = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT);
	ck_assert_int_eq(t_mock_nested(ctx, dev, parent, 0, &nested), 0);
	ck_assert_int_eq(t_viommu(ctx, dev, parent, MOCK_VIOMMU_TYPE, &v), 0);
	ck_assert_int_eq(t_inval(ctx, nested, MOCK_HWPT_INVALIDATE, NULL, 0, &n), -EOPNOTSUPP);
	ck_assert_int_eq(t_inval(ctx, v, MOCK_VIOMMU_INVALIDATE, NULL, 0, &n), -EOPNOTSUPP);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(ctx_free_with_nested_hwpts_is_clean)
{
	struct env e = env_new(NULL);
	uint32_t parent, v = viommu_ok(&e, MOCK_VIOMMU_TYPE, &parent), n1, n2, fault;
	struct ims_hwpt_alloc h;
	struct mock_hwpt_data d = { 1, 0 };

	fault = fault_ok(e.ctx);
	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, parent, IMS_HWPT_ALLOC_PASID, &n1), 0);
	memset(&h, 0, sizeof(h));
	h.size = sizeof(h);
	h.dev_id = e.dev;
	h.pt_id = v;
	h.flags = IMS_HWPT_FAULT_ID_VALID;
	h.fault_id = fault;
	h.data_type = MOCK_HWPT_DATA;
	h.data_len = sizeof(d);
	h.data_uptr = PTR(&d);
	ck_assert_int_eq(ims_hwpt_alloc(e.ctx, &h), 0);
	n2 = h.out_hwpt_id;
	ck_assert_int_eq(t_vdev(e.ctx, v, e.dev, 0x10, NULL), 0);
	ck_assert_int_eq(t_attach(e.ctx, e.dev, n2, NULL), 0);
	ck_assert_uint_eq(t_refs(e.ctx, fault), 1);
	ck_assert_uint_ne(n1, n2);
	t_ctx_free(e.ctx);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("iommufd_hwpt");
	TCase *tc = tcase_create("hwpt");

	tcase_add_test(tc, hwpt_alloc_paging_fills_domain_from_ioas);
	tcase_add_test(tc, hwpt_alloc_reserved_eopnotsupp);
	tcase_add_test(tc, hwpt_alloc_data_type_len_mismatch_einval);
	tcase_add_test(tc, hwpt_alloc_dev_missing_enoent);
	tcase_add_test(tc, hwpt_alloc_pt_missing_einval);
	tcase_add_test(tc, hwpt_alloc_pt_wrong_kind_einval);
	tcase_add_test(tc, hwpt_alloc_paging_unknown_flags_eopnotsupp);
	tcase_add_test(tc, hwpt_alloc_dirty_without_capability_eopnotsupp);
	tcase_add_test(tc, hwpt_alloc_fault_with_nest_parent_eopnotsupp);
	tcase_add_test(tc, hwpt_alloc_paging_with_data_eopnotsupp);
	tcase_add_test(tc, hwpt_alloc_paging_aperture_vs_area_eaddrinuse);
	tcase_add_test(tc, hwpt_alloc_paging_granule_above_4k_einval);
	tcase_add_test(tc, hwpt_alloc_paging_misaligned_area_eaddrinuse);
	tcase_add_test(tc, hwpt_alloc_paging_unpinnable_memory_efault);
	tcase_add_test(tc, hwpt_alloc_paging_map_failure_leaves_nothing);
	tcase_add_test(tc, hwpt_alloc_fault_id_missing_enoent);
	tcase_add_test(tc, hwpt_alloc_fault_id_holds_fault);
	tcase_add_test(tc, hwpt_paging_destroy_ebusy_while_attached);
	tcase_add_test(tc, hwpt_alloc_nested_on_parent);
	tcase_add_test(tc, hwpt_alloc_nested_parent_auto_einval);
	tcase_add_test(tc, hwpt_alloc_nested_parent_not_nest_parent_einval);
	tcase_add_test(tc, hwpt_alloc_nested_on_nested_einval);
	tcase_add_test(tc, hwpt_alloc_nested_bad_flags_eopnotsupp);
	tcase_add_test(tc, hwpt_alloc_nested_no_data_eopnotsupp);
	tcase_add_test(tc, hwpt_alloc_nested_model_without_op_eopnotsupp);
	tcase_add_test(tc, hwpt_alloc_nested_data_copy_rules);
	tcase_add_test(tc, hwpt_alloc_nested_pasid_flag_gates_pasid_attach);
	tcase_add_test(tc, hwpt_alloc_vtd_s1_rules);
	tcase_add_test(tc, nested_attach_translates_through_parent);
	tcase_add_test(tc, hwpt_alloc_viommu_nested_holds_viommu);
	tcase_add_test(tc, hwpt_alloc_viommu_other_unit_einval);
	tcase_add_test(tc, hwpt_alloc_viommu_bad_flags_eopnotsupp);
	tcase_add_test(tc, hwpt_alloc_viommu_no_data_eopnotsupp);
	tcase_add_test(tc, hwpt_alloc_arm_ste_rules);
	tcase_add_test(tc, hwpt_alloc_amd_dte_rules);
	tcase_add_test(tc, hwpt_invalidate_nested_clears_iotlb);
	tcase_add_test(tc, hwpt_invalidate_partial_completion);
	tcase_add_test(tc, hwpt_invalidate_entry_num_zero_probes_type);
	tcase_add_test(tc, hwpt_invalidate_wrong_data_type_einval);
	tcase_add_test(tc, hwpt_invalidate_paging_einval);
	tcase_add_test(tc, hwpt_invalidate_missing_enoent);
	tcase_add_test(tc, hwpt_invalidate_reserved_eopnotsupp);
	tcase_add_test(tc, hwpt_invalidate_entries_need_data_and_len_einval);
	tcase_add_test(tc, hwpt_invalidate_entry_len_rules);
	tcase_add_test(tc, hwpt_invalidate_model_without_op_eopnotsupp);
	tcase_add_test(tc, ctx_free_with_nested_hwpts_is_clean);
	suite_add_tcase(s, tc);
	return s;
}
