/* SPDX-License-Identifier: MIT */
/*
 * vIOMMU, vDEVICE, vEVENTQ and HW queue objects: VIOMMU_ALLOC,
 * VDEVICE_ALLOC (tombstones), VEVENTQ_ALLOC with sequence numbers, depth and
 * the LOST_EVENTS marker, HW_QUEUE_ALLOC pinning guest memory, vIOMMU cache
 * invalidation, the vIOMMU MMIO page and OPTION VIOMMU (iommufd §1,
 * §2.9, §2.15, §2.17, §2.18, §2.20, §2.21), on the mock model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"
#include "tests/unit/iommufd_util.h"

struct env {
	struct ims_ctx *ctx;
	uint32_t dev, ioas, parent, viommu;
};

/* A device (sid 1), an IOAS, a NEST_PARENT HWPT on it and a mock vIOMMU. */
static struct env env_new_cfg(const struct mock_cfg *cfg)
{
	struct env e;

	e.ctx = t_ctx(cfg);
	e.dev = bind_ok(e.ctx, 1, 0);
	e.ioas = ioas_ok(e.ctx);
	e.parent = hwpt_ok(e.ctx, e.dev, e.ioas, IMS_HWPT_ALLOC_NEST_PARENT);
	ck_assert_int_eq(t_viommu(e.ctx, e.dev, e.parent, MOCK_VIOMMU_TYPE, &e.viommu), 0);
	return e;
}

static struct env env_new(void)
{
	return env_new_cfg(NULL);
}

/* ---- VIOMMU_ALLOC (§2.17) ------------------------------------------------------------ */

START_TEST(viommu_alloc_with_data_echoes)
{
	struct ims_ctx *ctx = t_ctx(NULL);
	uint32_t dev = bind_ok(ctx, 1, 0), ioas = ioas_ok(ctx);
	uint32_t parent = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT);
	struct mock_viommu_data d = { .in_data = 0xabcd1234 };
	struct ims_viommu_alloc v = { .size = sizeof(v), .type = MOCK_VIOMMU_TYPE, .dev_id = dev,
				      .hwpt_id = parent, .data_len = sizeof(d),
				      .data_uptr = PTR(&d) };

	ck_assert_int_eq(ims_viommu_alloc(ctx, &v), 0);
	ck_assert_uint_eq(d.out_data, 0xabcd1234);
	ck_assert_u64_eq(d.out_mmap_length, 4096);
	/* The vIOMMU wraps the stage 2 and keeps it (selftest
	 * viommu_alloc_with_data). */
	ck_assert_uint_eq(t_refs(ctx, parent), 1);
	ck_assert_int_eq(t_destroy(ctx, parent), -EBUSY);
	ck_assert_int_eq(t_destroy(ctx, v.out_viommu_id), 0);
	ck_assert_int_eq(t_destroy(ctx, parent), 0);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->viommus_live, 0);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(viommu_alloc_flags_reserved_default_type_eopnotsupp)
{
	struct env e = env_new();
	struct ims_viommu_alloc v = { .size = sizeof(v), .flags = 1, .type = MOCK_VIOMMU_TYPE,
				      .dev_id = e.dev, .hwpt_id = e.parent };

	ck_assert_int_eq(ims_viommu_alloc(e.ctx, &v), -EOPNOTSUPP);
	v.flags = 0;
	v.reserved = 1;
	ck_assert_int_eq(ims_viommu_alloc(e.ctx, &v), -EOPNOTSUPP);
	v.reserved = 0;
	v.type = IMS_VIOMMU_TYPE_DEFAULT;
	ck_assert_int_eq(ims_viommu_alloc(e.ctx, &v), -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(viommu_alloc_dev_missing_enoent)
{
	struct env e = env_new();

	ck_assert_int_eq(t_viommu(e.ctx, 99, e.parent, MOCK_VIOMMU_TYPE, NULL), -ENOENT);
	ck_assert_int_eq(t_viommu(e.ctx, e.ioas, e.parent, MOCK_VIOMMU_TYPE, NULL), -ENOENT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(viommu_alloc_model_without_viommu_eopnotsupp)
{
	struct ims_ctx *ctx = t_ctx_ops(&mock_model_ops_basic, NULL);
	uint32_t dev = bind_ok(ctx, 1, 0), ioas = ioas_ok(ctx);
	uint32_t parent = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT);

	ck_assert_int_eq(t_viommu(ctx, dev, parent, MOCK_VIOMMU_TYPE, NULL), -EOPNOTSUPP);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(viommu_alloc_type_unsupported_eopnotsupp)
{
	struct env e = env_new();

	ck_assert_int_eq(t_viommu(e.ctx, e.dev, e.parent, IMS_VIOMMU_TYPE_TEGRA241_CMDQV, NULL),
			 -EOPNOTSUPP);
	ck_assert_uint_eq(t_refs(e.ctx, e.parent), 1);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(viommu_alloc_hwpt_not_paging_enoent)
{
	struct env e = env_new();
	uint32_t nested;

	ck_assert_int_eq(t_viommu(e.ctx, e.dev, e.ioas, MOCK_VIOMMU_TYPE, NULL), -ENOENT);
	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, e.parent, 0, &nested), 0);
	ck_assert_int_eq(t_viommu(e.ctx, e.dev, nested, MOCK_VIOMMU_TYPE, NULL), -ENOENT);
	ck_assert_int_eq(t_viommu(e.ctx, e.dev, 99, MOCK_VIOMMU_TYPE, NULL), -ENOENT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(viommu_alloc_hwpt_not_nest_parent_einval)
{
	struct env e = env_new();
	uint32_t plain = hwpt_ok(e.ctx, e.dev, e.ioas, 0), auto_id;
	uint32_t dev2 = bind_ok(e.ctx, 2, 0);

	ck_assert_int_eq(t_viommu(e.ctx, e.dev, plain, MOCK_VIOMMU_TYPE, NULL), -EINVAL);
	ck_assert_int_eq(t_attach(e.ctx, dev2, e.ioas, &auto_id), 0);
	ck_assert_int_eq(t_viommu(e.ctx, e.dev, auto_id, MOCK_VIOMMU_TYPE, NULL), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(viommu_alloc_data_rules)
{
	struct env e = env_new();
	struct mock_viommu_data d[2];
	struct ims_viommu_alloc v = { .size = sizeof(v), .type = MOCK_VIOMMU_TYPE,
				      .dev_id = e.dev, .hwpt_id = e.parent, .data_len = 2,
				      .data_uptr = PTR(d) };

	memset(d, 0, sizeof(d));
	ck_assert_int_eq(ims_viommu_alloc(e.ctx, &v), -EINVAL);
	v.data_len = sizeof(d);
	d[1].in_data = 1;
	ck_assert_int_eq(ims_viommu_alloc(e.ctx, &v), -E2BIG);
	v.data_uptr = 0;
	ck_assert_int_eq(ims_viommu_alloc(e.ctx, &v), -EFAULT);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->viommus_live, 1);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(viommu_destroy_ebusy_with_children)
{
	struct env e = env_new();
	uint32_t nested, vdev, q, hq;

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x800000, 0x1000, RW), 0);
	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, e.viommu, 0, &nested), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 0x20, &vdev), 0);
	ck_assert_int_eq(t_veventq(e.ctx, e.viommu, MOCK_VEVENTQ_TYPE, 2, &q), 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x10000, 0x100, &hq),
			 0);
	ck_assert_uint_eq(t_refs(e.ctx, e.viommu), 4);
	/* Each child alone keeps the vIOMMU (selftest viommu_auto_destroy). */
	ck_assert_int_eq(t_destroy(e.ctx, e.viommu), -EBUSY);
	ck_assert_int_eq(t_destroy(e.ctx, nested), 0);
	ck_assert_int_eq(t_destroy(e.ctx, e.viommu), -EBUSY);
	ck_assert_int_eq(t_destroy(e.ctx, vdev), 0);
	ck_assert_int_eq(t_destroy(e.ctx, e.viommu), -EBUSY);
	ck_assert_int_eq(t_destroy(e.ctx, q), 0);
	ck_assert_int_eq(t_destroy(e.ctx, e.viommu), -EBUSY);
	ck_assert_int_eq(t_destroy(e.ctx, hq), 0);
	ck_assert_int_eq(t_destroy(e.ctx, e.viommu), 0);
	ck_assert_int_eq(t_destroy(e.ctx, e.parent), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(viommu_nested_attach_needs_vdevice_enoent)
{
	struct env e = env_new();
	uint32_t nested;

	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, e.viommu, 0, &nested), 0);
	/* The model's refusal comes back as is (§3.4). */
	ck_assert_int_eq(t_attach(e.ctx, e.dev, nested, NULL), -ENOENT);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 5, NULL), 0);
	ck_assert_int_eq(t_attach(e.ctx, e.dev, nested, NULL), 0);
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- vIOMMU invalidation, MMIO page, OPTION VIOMMU --------------------------------------- */

static int inval(struct ims_ctx *ctx, uint32_t id, const struct mock_viommu_invalidate *v,
		 uint32_t *num)
{
	struct ims_hwpt_invalidate c = { .size = sizeof(c), .hwpt_id = id,
					 .data_type = MOCK_VIOMMU_INVALIDATE,
					 .data_uptr = PTR(v), .entry_len = sizeof(*v),
					 .entry_num = *num };
	int rc = ims_hwpt_invalidate(ctx, &c);

	*num = c.entry_num;
	return rc;
}

START_TEST(viommu_invalidate_device_caches)
{
	struct env e = env_new();
	uint32_t dev2 = bind_ok(e.ctx, 2, 0), n;
	struct mock_viommu_invalidate v[3] = { { 0, 0x10, 1 }, { 0, 0x20, 3 }, { 0, 0x10, 2 } };

	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 0x10, NULL), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, dev2, 0x20, NULL), 0);
	n = 3;
	ck_assert_int_eq(inval(e.ctx, e.viommu, v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(mock_dev_cache(e.ctx, e.dev, 0), MOCK_DEV_CACHE_DEFAULT);
	ck_assert_uint_eq(mock_dev_cache(e.ctx, e.dev, 1), 0);
	ck_assert_uint_eq(mock_dev_cache(e.ctx, e.dev, 2), 0);
	ck_assert_uint_eq(mock_dev_cache(e.ctx, dev2, 3), 0);
	ck_assert_uint_eq(mock_dev_cache(e.ctx, dev2, 1), MOCK_DEV_CACHE_DEFAULT);
	v[0] = (struct mock_viommu_invalidate){ MOCK_INVALIDATE_ALL, 0x20, 0 };
	n = 1;
	ck_assert_int_eq(inval(e.ctx, e.viommu, v, &n), 0);
	ck_assert_uint_eq(mock_dev_cache(e.ctx, dev2, 1), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(viommu_invalidate_bad_entries_stop_processing)
{
	struct env e = env_new();
	uint32_t n;
	struct mock_viommu_invalidate v[2] = { { 0, 0x10, 0 }, { 0, 0x99, 0 } };

	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 0x10, NULL), 0);
	/* Unknown vdev_id (selftest vdevice_cache): -EINVAL after 1. */
	n = 2;
	ck_assert_int_eq(inval(e.ctx, e.viommu, v, &n), -EINVAL);
	ck_assert_uint_eq(n, 1);
	/* cache_id beyond 3: -EINVAL. */
	v[1] = (struct mock_viommu_invalidate){ 0, 0x10, 4 };
	n = 2;
	ck_assert_int_eq(inval(e.ctx, e.viommu, v, &n), -EINVAL);
	ck_assert_uint_eq(n, 1);
	/* Unknown flag: -EOPNOTSUPP. */
	v[0].flags = 0x100;
	n = 2;
	ck_assert_int_eq(inval(e.ctx, e.viommu, v, &n), -EOPNOTSUPP);
	ck_assert_uint_eq(n, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(viommu_mmio_page_reads_back)
{
	struct env e = env_new();
	uint64_t val = 0;

	ck_assert_int_eq(ims_viommu_mmio_write(e.ctx, e.viommu, 0x18, 8, 0x1122334455667788ull),
			 0);
	ck_assert_int_eq(ims_viommu_mmio_read(e.ctx, e.viommu, 0x18, 8, &val), 0);
	ck_assert_u64_eq(val, 0x1122334455667788ull);
	ck_assert_int_eq(ims_viommu_mmio_read(e.ctx, e.parent, 0x18, 8, &val), -ENOENT);
	ck_assert_int_eq(ims_viommu_mmio_read(e.ctx, e.viommu, 0x18, 2, &val), -EINVAL);
	ck_assert_int_eq(ims_viommu_mmio_read(e.ctx, e.viommu, 0x18, 8, NULL), -EINVAL);
	/* The model's own limits: the mock's page is 4 KiB of 64-bit words. */
	ck_assert_int_eq(ims_viommu_mmio_write(e.ctx, e.viommu, 0x1000, 8, 1), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(viommu_mmio_without_page_eopnotsupp)
{
	struct ims_model_ops ops = mock_model_ops;
	struct ims_ctx *ctx;
	uint32_t dev, ioas, parent, v;
	uint64_t val;

	ops.viommu_mmio_read = NULL;
	ops.viommu_mmio_write = NULL;
	ctx = t_ctx_ops(&ops, NULL);
	dev = bind_ok(ctx, 1, 0);
	ioas = ioas_ok(ctx);
	parent = hwpt_ok(ctx, dev, ioas, IMS_HWPT_ALLOC_NEST_PARENT);
	ck_assert_int_eq(t_viommu(ctx, dev, parent, MOCK_VIOMMU_TYPE, &v), 0);
	ck_assert_int_eq(ims_viommu_mmio_read(ctx, v, 0, 8, &val), -EOPNOTSUPP);
	ck_assert_int_eq(ims_viommu_mmio_write(ctx, v, 0, 8, 0), -EOPNOTSUPP);
	t_ctx_free(ctx);
}
END_TEST

START_TEST(option_viommu_get_set)
{
	struct env e = env_new();
	struct ims_option o = { .size = sizeof(o), .option_id = IMS_OPTION_VIOMMU,
				.op = IMS_OPTION_OP_SET, .object_id = e.viommu, .val64 = 0x5 };

	ck_assert_int_eq(ims_option(e.ctx, &o), 0);
	ck_assert_u64_eq(mock_viommu_option(e.ctx, e.viommu), 5);
	o.op = IMS_OPTION_OP_GET;
	o.val64 = 0;
	ck_assert_int_eq(ims_option(e.ctx, &o), 0);
	ck_assert_u64_eq(o.val64, 5);
	/* The model's verdict on a value comes back. */
	o.op = IMS_OPTION_OP_SET;
	o.val64 = 0x100;
	ck_assert_int_eq(ims_option(e.ctx, &o), -EINVAL);
	o.op = 7;
	ck_assert_int_eq(ims_option(e.ctx, &o), -EOPNOTSUPP);
	o.op = IMS_OPTION_OP_GET;
	o.object_id = e.parent;
	ck_assert_int_eq(ims_option(e.ctx, &o), -ENOENT);
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- VDEVICE_ALLOC (§2.18) -------------------------------------------------------------- */

START_TEST(vdevice_alloc_holds_viommu)
{
	struct env e = env_new();
	uint32_t vdev;

	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 0x1234, &vdev), 0);
	ck_assert_uint_eq(t_refs(e.ctx, e.viommu), 1);
	ck_assert_uint_eq(mock_dev_cache(e.ctx, e.dev, 0), MOCK_DEV_CACHE_DEFAULT);
	/* A vDEVICE does not keep its device (§1): the device stays DESTROY
	 * -EBUSY only because of its binding. */
	ck_assert_uint_eq(t_refs(e.ctx, e.dev), 1);
	ck_assert_int_eq(t_destroy(e.ctx, vdev), 0);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->vdevs_live, 0);
	ck_assert_uint_eq(t_refs(e.ctx, e.viommu), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(vdevice_alloc_viommu_or_dev_missing_enoent)
{
	struct env e = env_new();

	ck_assert_int_eq(t_vdev(e.ctx, 99, e.dev, 1, NULL), -ENOENT);
	ck_assert_int_eq(t_vdev(e.ctx, e.parent, e.dev, 1, NULL), -ENOENT);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, 99, 1, NULL), -ENOENT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(vdevice_alloc_other_unit_einval)
{
	struct mock_cfg cfg = { .units = 2 };
	struct env e = env_new_cfg(&cfg);
	struct ims_device_bind b = { .size = sizeof(b), .sid = 1, .unit = 1 };

	ck_assert_int_eq(ims_device_bind(e.ctx, &b), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, b.out_dev_id, 1, NULL), -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(vdevice_alloc_device_has_one_eexist)
{
	struct env e = env_new();
	uint32_t v2;

	ck_assert_int_eq(t_viommu(e.ctx, e.dev, e.parent, MOCK_VIOMMU_TYPE, &v2), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 1, NULL), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 2, NULL), -EEXIST);
	ck_assert_int_eq(t_vdev(e.ctx, v2, e.dev, 1, NULL), -EEXIST);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(vdevice_alloc_virt_id_taken_eexist)
{
	struct env e = env_new();
	uint32_t dev2 = bind_ok(e.ctx, 2, 0), v2;

	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 0x77, NULL), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, dev2, 0x77, NULL), -EEXIST);
	/* virt_id is per vIOMMU. */
	ck_assert_int_eq(t_viommu(e.ctx, e.dev, e.parent, MOCK_VIOMMU_TYPE, &v2), 0);
	ck_assert_int_eq(t_vdev(e.ctx, v2, dev2, 0x77, NULL), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(vdevice_tombstone_on_unbind)
{
	struct env e = env_new();
	uint32_t vdev, next;

	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 0x10, &vdev), 0);
	ck_assert_int_eq(t_unbind(e.ctx, e.dev), 0);
	/* Destroyed with the device, its ID a tombstone (selftest
	 * vdevice_tombstone). */
	ck_assert_int_eq(t_destroy(e.ctx, vdev), -ENOENT);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->vdevs_live, 0);
	ck_assert_uint_eq(t_refs(e.ctx, e.viommu), 0);
	next = fault_ok(e.ctx);
	ck_assert_uint_ne(next, vdev);
	ck_assert_int_eq(t_destroy(e.ctx, e.viommu), 0);
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- VEVENTQ_ALLOC (§2.20) -------------------------------------------------------------- */

struct ev {
	struct ims_vevent_header h;
	struct mock_vevent e;
};

START_TEST(veventq_alloc_errnos)
{
	struct env e = env_new();
	struct ims_veventq_alloc q = { .size = sizeof(q), .flags = 1, .viommu_id = e.viommu,
				       .type = MOCK_VEVENTQ_TYPE, .veventq_depth = 2 };

	ck_assert_int_eq(ims_veventq_alloc(e.ctx, &q), -EOPNOTSUPP);
	q.flags = 0;
	q.reserved = 1;
	ck_assert_int_eq(ims_veventq_alloc(e.ctx, &q), -EOPNOTSUPP);
	q.reserved = 0;
	q.type = IMS_VEVENTQ_TYPE_DEFAULT;
	ck_assert_int_eq(ims_veventq_alloc(e.ctx, &q), -EOPNOTSUPP);
	q.type = MOCK_VEVENTQ_TYPE;
	q.veventq_depth = 0;
	ck_assert_int_eq(ims_veventq_alloc(e.ctx, &q), -EINVAL);
	q.veventq_depth = 2;
	q.viommu_id = e.parent;
	ck_assert_int_eq(ims_veventq_alloc(e.ctx, &q), -ENOENT);
	q.viommu_id = e.viommu;
	ck_assert_int_eq(ims_veventq_alloc(e.ctx, &q), 0);
	ck_assert_uint_eq(q.out_veventq_fd, 0xffffffffu);
	ck_assert_int_eq(ims_veventq_alloc(e.ctx, &q), -EEXIST);
	/* Another type on the same vIOMMU is fine. */
	q.type = IMS_VEVENTQ_TYPE_ARM_SMMUV3;
	ck_assert_int_eq(ims_veventq_alloc(e.ctx, &q), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(veventq_events_carry_sequence_numbers)
{
	struct env e = env_new();
	uint32_t q;
	struct ev out[4];

	ck_assert_int_eq(t_veventq(e.ctx, e.viommu, MOCK_VEVENTQ_TYPE, 8, &q), 0);
	/* No vDEVICE: the device produces no events. */
	ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), -ENOENT);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 0x42, NULL), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), 0);
	ck_assert_int_eq(ims_veventq_read(e.ctx, q, out, sizeof(out)), 3 * sizeof(struct ev));
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(out[i].h.flags, 0);
		ck_assert_uint_eq(out[i].h.sequence, i);
		ck_assert_uint_eq(out[i].e.virt_id, 0x42);
	}
	ck_assert_int_eq(ims_veventq_read(e.ctx, q, out, sizeof(out)), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(veventq_full_queue_drops_with_lost_marker)
{
	struct env e = env_new();
	uint32_t q;
	struct ev out[4];
	struct ims_vevent_header lost;
	uint8_t buf[64];

	ck_assert_int_eq(t_veventq(e.ctx, e.viommu, MOCK_VEVENTQ_TYPE, 2, &q), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 1, NULL), 0);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), 0);
	/* Events 0 and 1 kept, 2..4 dropped; one marker with number 4. */
	ck_assert_int_eq(ims_veventq_read(e.ctx, q, buf, sizeof(buf)),
			 2 * sizeof(struct ev) + sizeof(lost));
	memcpy(out, buf, 2 * sizeof(struct ev));
	memcpy(&lost, buf + 2 * sizeof(struct ev), sizeof(lost));
	ck_assert_uint_eq(out[0].h.sequence, 0);
	ck_assert_uint_eq(out[1].h.sequence, 1);
	ck_assert_uint_eq(lost.flags, IMS_VEVENTQ_FLAG_LOST_EVENTS);
	ck_assert_uint_eq(lost.sequence, 4);
	/* Next event: number 5. */
	ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), 0);
	ck_assert_int_eq(ims_veventq_read(e.ctx, q, out, sizeof(out)), sizeof(struct ev));
	ck_assert_uint_eq(out[0].h.sequence, 5);
	ck_assert_uint_eq(out[0].h.flags, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(veventq_lost_marker_replaced_by_next_event)
{
	struct env e = env_new();
	uint32_t q;
	struct ev out[2];

	ck_assert_int_eq(t_veventq(e.ctx, e.viommu, MOCK_VEVENTQ_TYPE, 1, &q), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 1, NULL), 0);
	ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), 0);
	ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), 0);
	/* Read the real event only, making room. */
	ck_assert_int_eq(ims_veventq_read(e.ctx, q, out, sizeof(struct ev)), sizeof(struct ev));
	ck_assert_uint_eq(out[0].h.sequence, 0);
	/* The next event takes the marker's place; the gap 1 tells the loss. */
	ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), 0);
	ck_assert_int_eq(ims_veventq_read(e.ctx, q, out, sizeof(out)), sizeof(struct ev));
	ck_assert_uint_eq(out[0].h.sequence, 2);
	ck_assert_uint_eq(out[0].h.flags, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(veventq_read_returns_whole_events_only)
{
	struct env e = env_new();
	uint32_t q;
	struct ev out[1];

	ck_assert_int_eq(t_veventq(e.ctx, e.viommu, MOCK_VEVENTQ_TYPE, 4, &q), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 1, NULL), 0);
	ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), 0);
	ck_assert_int_eq(ims_veventq_read(e.ctx, q, out, sizeof(struct ev) - 1), 0);
	ck_assert_int_eq(ims_veventq_read(e.ctx, q, out, sizeof(struct ev)), sizeof(struct ev));
	ck_assert_int_eq(ims_veventq_read(e.ctx, q + 100, out, sizeof(out)), -ENOENT);
	ck_assert_int_eq(ims_veventq_read(e.ctx, q, NULL, 8), -EFAULT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(veventq_sequence_wraps_after_int32_max)
{
	struct env e = env_new();
	uint32_t q;
	struct ev out[2];
	struct ims_veventq *vq;

	ck_assert_int_eq(t_veventq(e.ctx, e.viommu, MOCK_VEVENTQ_TYPE, 4, &q), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 1, NULL), 0);
	vq = IMS_CONTAINER_OF(ims_obj_find(e.ctx, q, IMS_OBJ_VEVENTQ), struct ims_veventq, obj);
	vq->sequence = INT32_MAX;
	ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), 0);
	ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), 0);
	ck_assert_int_eq(ims_veventq_read(e.ctx, q, out, sizeof(out)), sizeof(out));
	ck_assert_uint_eq(out[0].h.sequence, INT32_MAX);
	ck_assert_uint_eq(out[1].h.sequence, 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(veventq_report_without_queue_of_type_enoent)
{
	struct env e = env_new();
	struct ims_viommu *v = ims_viommu_find(e.ctx, e.viommu);
	uint32_t x = 1;

	ck_assert_int_eq(ims_report_vevent(e.ctx, v, MOCK_VEVENTQ_TYPE, &x, sizeof(x)), -ENOENT);
	ck_assert_int_eq(t_veventq(e.ctx, e.viommu, MOCK_VEVENTQ_TYPE, 1, NULL), 0);
	ck_assert_int_eq(ims_report_vevent(e.ctx, v, IMS_VEVENTQ_TYPE_ARM_SMMUV3, &x, sizeof(x)),
			 -ENOENT);
	ck_assert_int_eq(ims_report_vevent(e.ctx, v, MOCK_VEVENTQ_TYPE, NULL, 4), -EINVAL);
	ck_assert_int_eq(ims_report_vevent(e.ctx, v, MOCK_VEVENTQ_TYPE, &x, sizeof(x)), 0);
	t_ctx_free(e.ctx);
}
END_TEST

/* ---- HW_QUEUE_ALLOC (§2.21) ------------------------------------------------------------- */

START_TEST(hw_queue_alloc_pins_guest_memory)
{
	struct env e = env_new();
	uint32_t hq;

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x800000, 0x2000, RW), 0);
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x12000, 0x900000, 0x1000, RW), 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x10080, 0x100, &hq),
			 0);
	/* The model got the host physical address behind the guest address. */
	ck_assert_u64_eq(mock_hw_queue_pa(e.ctx, hq), 0x800080);
	/* The pinned area cannot be unmapped; its neighbour can. */
	ck_assert_int_eq(t_unmap(e.ctx, e.ioas, 0x10000, 0x2000), -EBUSY);
	ck_assert_int_eq(t_unmap(e.ctx, e.ioas, 0x12000, 0x1000), 0);
	ck_assert_int_eq(t_destroy(e.ctx, hq), 0);
	ck_assert_int_eq(t_unmap(e.ctx, e.ioas, 0x10000, 0x2000), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hw_queue_alloc_flags_or_default_type_eopnotsupp)
{
	struct env e = env_new();
	struct ims_hw_queue_alloc q = { .size = sizeof(q), .flags = 1, .viommu_id = e.viommu,
					.type = MOCK_HW_QUEUE_TYPE, .length = 0x100 };

	ck_assert_int_eq(ims_hw_queue_alloc(e.ctx, &q), -EOPNOTSUPP);
	q.flags = 0;
	q.type = IMS_HW_QUEUE_TYPE_DEFAULT;
	ck_assert_int_eq(ims_hw_queue_alloc(e.ctx, &q), -EOPNOTSUPP);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hw_queue_alloc_length_zero_einval)
{
	struct env e = env_new();

	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x1000, 0, NULL),
			 -EINVAL);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hw_queue_alloc_overflow_eoverflow)
{
	struct env e = env_new();

	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, UINT64_MAX - 0xff,
				    0x101, NULL), -EOVERFLOW);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hw_queue_alloc_viommu_missing_enoent)
{
	struct env e = env_new();

	ck_assert_int_eq(t_hw_queue(e.ctx, 99, MOCK_HW_QUEUE_TYPE, 0, 0x1000, 0x100, NULL),
			 -ENOENT);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.parent, MOCK_HW_QUEUE_TYPE, 0, 0x1000, 0x100, NULL),
			 -ENOENT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hw_queue_alloc_model_refuses_type_eopnotsupp)
{
	struct env e = env_new();
	struct ims_model_ops ops = mock_model_ops;
	struct env f;

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x800000, 0x1000, RW), 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, IMS_HW_QUEUE_TYPE_TEGRA241_CMDQV, 0, 0x10000,
				    0x100, NULL), -EOPNOTSUPP);
	/* The pin was released with the refused queue. */
	ck_assert_int_eq(t_unmap(e.ctx, e.ioas, 0x10000, 0x1000), 0);
	t_ctx_free(e.ctx);

	ops.hw_queue_alloc = NULL;
	f.ctx = t_ctx_ops(&ops, NULL);
	f.dev = bind_ok(f.ctx, 1, 0);
	f.ioas = ioas_ok(f.ctx);
	f.parent = hwpt_ok(f.ctx, f.dev, f.ioas, IMS_HWPT_ALLOC_NEST_PARENT);
	ck_assert_int_eq(t_viommu(f.ctx, f.dev, f.parent, MOCK_VIOMMU_TYPE, &f.viommu), 0);
	ck_assert_int_eq(t_hw_queue(f.ctx, f.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x10000, 0x100, NULL),
			 -EOPNOTSUPP);
	t_ctx_free(f.ctx);
}
END_TEST

START_TEST(hw_queue_alloc_unmapped_enoent)
{
	struct env e = env_new();

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x800000, 0x1000, RW), 0);
	/* The ring's second page is not mapped. */
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x10800, 0x1000,
				    NULL), -ENOENT);
	ck_assert_uint_eq(mock_stats(mock_of(e.ctx))->hw_queues_live, 0);
	ck_assert_int_eq(t_unmap(e.ctx, e.ioas, 0x10000, 0x1000), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hw_queue_alloc_not_contiguous_efault)
{
	struct env e = env_new();

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x800000, 0x1000, RW), 0);
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x11000, 0x900000, 0x1000, RW), 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x10000, 0x2000,
				    NULL), -EFAULT);
	/* Contiguous areas are fine. */
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x20000, 0xa00000, 0x1000, RW), 0);
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x21000, 0xa01000, 0x1000, RW), 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x20000, 0x2000,
				    NULL), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hw_queue_alloc_unpinnable_efault)
{
	struct env e = env_new();

	/* The stage-2 domain checked the memory when it was mapped; it goes
	 * bad afterwards. */
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x800000, 0x1000, RW), 0);
	ck_assert_int_eq(ims_mem_add_abort(ims_ctx_mem(e.ctx), 0x800000, 0x800fff), 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x10000, 0x100, NULL),
			 -EFAULT);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hw_queue_index_rules)
{
	struct env e = env_new();

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x800000, 0x4000, RW), 0);
	/* Index 1 before 0: a gap (-EIO); beyond the mock's 2: -EINVAL. */
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 1, 0x10000, 0x100, NULL),
			 -EIO);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 2, 0x10000, 0x100, NULL),
			 -EINVAL);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x10000, 0x100, NULL),
			 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x11000, 0x100, NULL),
			 -EEXIST);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 1, 0x11000, 0x100, NULL),
			 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hw_queue_destroy_in_descending_order)
{
	struct env e = env_new();
	uint32_t q0, q1;

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x800000, 0x4000, RW), 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x10000, 0x100, &q0),
			 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 1, 0x11000, 0x100, &q1),
			 0);
	ck_assert_int_eq(t_destroy(e.ctx, q0), -EBUSY);
	ck_assert_int_eq(t_destroy(e.ctx, q1), 0);
	ck_assert_int_eq(t_destroy(e.ctx, q0), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(hw_queue_depend_refuses_other_viommu)
{
	struct env e = env_new();
	uint32_t v2, q0, q1;
	struct ims_hw_queue *a, *b;

	ck_assert_int_eq(t_viommu(e.ctx, e.dev, e.parent, MOCK_VIOMMU_TYPE, &v2), 0);
	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x800000, 0x4000, RW), 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x10000, 0x100, &q0),
			 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, v2, MOCK_HW_QUEUE_TYPE, 0, 0x11000, 0x100, &q1), 0);
	a = IMS_CONTAINER_OF(ims_obj_find(e.ctx, q0, IMS_OBJ_HW_QUEUE), struct ims_hw_queue, obj);
	b = IMS_CONTAINER_OF(ims_obj_find(e.ctx, q1, IMS_OBJ_HW_QUEUE), struct ims_hw_queue, obj);
	ck_assert_int_eq(ims_hw_queue_depend(e.ctx, a, b), -EINVAL);
	ck_assert_int_eq(ims_hw_queue_depend(e.ctx, a, a), -EINVAL);
	ck_assert_int_eq(ims_hw_queue_depend(e.ctx, a, NULL), -EINVAL);
	ck_assert_uint_eq(t_refs(e.ctx, q1), 0);
	t_ctx_free(e.ctx);
}
END_TEST

START_TEST(ctx_free_with_viommu_objects_is_clean)
{
	struct env e = env_new();
	uint32_t nested;

	ck_assert_int_eq(t_map(e.ctx, e.ioas, 0x10000, 0x800000, 0x4000, RW), 0);
	ck_assert_int_eq(t_vdev(e.ctx, e.viommu, e.dev, 3, NULL), 0);
	ck_assert_int_eq(t_mock_nested(e.ctx, e.dev, e.viommu, 0, &nested), 0);
	ck_assert_int_eq(t_attach(e.ctx, e.dev, nested, NULL), 0);
	ck_assert_int_eq(t_veventq(e.ctx, e.viommu, MOCK_VEVENTQ_TYPE, 2, NULL), 0);
	ck_assert_int_eq(mock_trigger_vevent(e.ctx, e.dev), 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 0, 0x10000, 0x100, NULL),
			 0);
	ck_assert_int_eq(t_hw_queue(e.ctx, e.viommu, MOCK_HW_QUEUE_TYPE, 1, 0x11000, 0x100, NULL),
			 0);
	t_ctx_free(e.ctx);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("iommufd_viommu");
	TCase *tc = tcase_create("viommu");

	tcase_add_test(tc, viommu_alloc_with_data_echoes);
	tcase_add_test(tc, viommu_alloc_flags_reserved_default_type_eopnotsupp);
	tcase_add_test(tc, viommu_alloc_dev_missing_enoent);
	tcase_add_test(tc, viommu_alloc_model_without_viommu_eopnotsupp);
	tcase_add_test(tc, viommu_alloc_type_unsupported_eopnotsupp);
	tcase_add_test(tc, viommu_alloc_hwpt_not_paging_enoent);
	tcase_add_test(tc, viommu_alloc_hwpt_not_nest_parent_einval);
	tcase_add_test(tc, viommu_alloc_data_rules);
	tcase_add_test(tc, viommu_destroy_ebusy_with_children);
	tcase_add_test(tc, viommu_nested_attach_needs_vdevice_enoent);
	tcase_add_test(tc, viommu_invalidate_device_caches);
	tcase_add_test(tc, viommu_invalidate_bad_entries_stop_processing);
	tcase_add_test(tc, viommu_mmio_page_reads_back);
	tcase_add_test(tc, viommu_mmio_without_page_eopnotsupp);
	tcase_add_test(tc, option_viommu_get_set);
	tcase_add_test(tc, vdevice_alloc_holds_viommu);
	tcase_add_test(tc, vdevice_alloc_viommu_or_dev_missing_enoent);
	tcase_add_test(tc, vdevice_alloc_other_unit_einval);
	tcase_add_test(tc, vdevice_alloc_device_has_one_eexist);
	tcase_add_test(tc, vdevice_alloc_virt_id_taken_eexist);
	tcase_add_test(tc, vdevice_tombstone_on_unbind);
	tcase_add_test(tc, veventq_alloc_errnos);
	tcase_add_test(tc, veventq_events_carry_sequence_numbers);
	tcase_add_test(tc, veventq_full_queue_drops_with_lost_marker);
	tcase_add_test(tc, veventq_lost_marker_replaced_by_next_event);
	tcase_add_test(tc, veventq_read_returns_whole_events_only);
	tcase_add_test(tc, veventq_sequence_wraps_after_int32_max);
	tcase_add_test(tc, veventq_report_without_queue_of_type_enoent);
	tcase_add_test(tc, hw_queue_alloc_pins_guest_memory);
	tcase_add_test(tc, hw_queue_alloc_flags_or_default_type_eopnotsupp);
	tcase_add_test(tc, hw_queue_alloc_length_zero_einval);
	tcase_add_test(tc, hw_queue_alloc_overflow_eoverflow);
	tcase_add_test(tc, hw_queue_alloc_viommu_missing_enoent);
	tcase_add_test(tc, hw_queue_alloc_model_refuses_type_eopnotsupp);
	tcase_add_test(tc, hw_queue_alloc_unmapped_enoent);
	tcase_add_test(tc, hw_queue_alloc_not_contiguous_efault);
	tcase_add_test(tc, hw_queue_alloc_unpinnable_efault);
	tcase_add_test(tc, hw_queue_index_rules);
	tcase_add_test(tc, hw_queue_destroy_in_descending_order);
	tcase_add_test(tc, hw_queue_depend_refuses_other_viommu);
	tcase_add_test(tc, ctx_free_with_viommu_objects_is_clean);
	suite_add_tcase(s, tc);
	return s;
}
