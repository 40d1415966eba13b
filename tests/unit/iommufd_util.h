/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/iommufd_util — small scenario helpers shared by the
 * test_iommufd_* suites (header only: each suite is its own program).
 * Functions named t_* return the command's errno; those named *_ok assert
 * success and return the new object's ID.
 */
#ifndef IMS_TESTS_IOMMUFD_UTIL_H
#define IMS_TESTS_IOMMUFD_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"
#include "tests/unit/mock_model.h"
#include "tests/unit/tharness.h"

#define RW (IMS_IOAS_MAP_READABLE | IMS_IOAS_MAP_WRITEABLE)
#define PTR(p) ((uint64_t)(uintptr_t)(p))

/* A context on the mock model (cfg NULL: defaults). */
static inline struct ims_ctx *t_ctx_ops(const struct ims_model_ops *ops,
					const struct mock_cfg *cfg)
{
	struct ims_ctx_cfg c = { .model = ops, .model_cfg = cfg, .seed = 1 };
	struct ims_ctx *ctx = ims_ctx_new(&c);

	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

static inline struct ims_ctx *t_ctx(const struct mock_cfg *cfg)
{
	return t_ctx_ops(&mock_model_ops, cfg);
}

/* Frees the context and checks that neither the core nor the model saw a
 * protocol violation, and that teardown gave every model object back. */
static inline void t_ctx_free(struct ims_ctx *ctx)
{
	uint64_t before = mock_teardown_errors();

	ck_assert_uint_eq(ctx->internal_errors, 0);
	if (mock_of(ctx))
		ck_assert_uint_eq(mock_stats(mock_of(ctx))->errors, 0);
	ims_ctx_free(ctx);
	ck_assert_uint_eq(mock_teardown_errors(), before);
}

static inline int t_destroy(struct ims_ctx *ctx, uint32_t id)
{
	struct ims_destroy d = { .size = sizeof(d), .id = id };

	return ims_destroy(ctx, &d);
}

/* Whether `id` is a live object. */
static inline bool t_exists(struct ims_ctx *ctx, uint32_t id)
{
	return ims_obj_find(ctx, id, IMS_OBJ_ANY) != NULL;
}

/* References other objects hold on `id` (users - 1). */
static inline uint32_t t_refs(struct ims_ctx *ctx, uint32_t id)
{
	struct ims_obj *o = ims_obj_find(ctx, id, IMS_OBJ_ANY);

	ck_assert_ptr_nonnull(o);
	return o->users - 1;
}

static inline uint32_t ioas_ok(struct ims_ctx *ctx)
{
	struct ims_ioas_alloc a = { .size = sizeof(a) };

	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), 0);
	return a.out_ioas_id;
}

static inline int t_map(struct ims_ctx *ctx, uint32_t ioas, uint64_t iova, uint64_t pa,
			uint64_t len, uint32_t flags)
{
	struct ims_ioas_map m = {
		.size = sizeof(m), .flags = flags | IMS_IOAS_MAP_FIXED_IOVA, .ioas_id = ioas,
		.user_va = pa, .length = len, .iova = iova,
	};

	return ims_ioas_map(ctx, &m);
}

static inline int t_unmap(struct ims_ctx *ctx, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct ims_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas, .iova = iova,
				    .length = len };

	return ims_ioas_unmap(ctx, &u);
}

static inline int t_bind(struct ims_ctx *ctx, uint32_t sid, uint32_t pasid_bits, uint32_t *id)
{
	struct ims_device_bind b = { .size = sizeof(b), .sid = sid, .pasid_bits = pasid_bits };
	int rc = ims_device_bind(ctx, &b);

	if (id)
		*id = b.out_dev_id;
	return rc;
}

static inline uint32_t bind_ok(struct ims_ctx *ctx, uint32_t sid, uint32_t pasid_bits)
{
	uint32_t id = 0;

	ck_assert_int_eq(t_bind(ctx, sid, pasid_bits, &id), 0);
	return id;
}

static inline int t_unbind(struct ims_ctx *ctx, uint32_t dev)
{
	struct ims_device_unbind u = { .size = sizeof(u), .dev_id = dev };

	return ims_device_unbind(ctx, &u);
}

/* ATTACH (replace = false) or REPLACE of the RID (pasid IMS_NO_PASID) or a
 * PASID; *out gets the HWPT used. */
static inline int t_change(struct ims_ctx *ctx, bool replace, uint32_t dev, uint32_t pasid,
			   uint32_t pt, uint32_t *out)
{
	struct ims_device_attach a = {
		.size = sizeof(a), .dev_id = dev, .pt_id = pt,
		.flags = pasid == IMS_NO_PASID ? 0 : IMS_DEVICE_ATTACH_PASID,
		.pasid = pasid == IMS_NO_PASID ? 0 : pasid,
	};
	int rc = replace ? ims_device_replace(ctx, &a) : ims_device_attach(ctx, &a);

	if (out)
		*out = a.pt_id;
	return rc;
}

static inline int t_attach(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t *out)
{
	return t_change(ctx, false, dev, IMS_NO_PASID, pt, out);
}

static inline int t_attach_pasid(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid, uint32_t pt)
{
	return t_change(ctx, false, dev, pasid, pt, NULL);
}

static inline int t_replace(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t *out)
{
	return t_change(ctx, true, dev, IMS_NO_PASID, pt, out);
}

static inline int t_replace_pasid(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid,
				  uint32_t pt)
{
	return t_change(ctx, true, dev, pasid, pt, NULL);
}

static inline int t_detach_pasid(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid)
{
	struct ims_device_detach d = {
		.size = sizeof(d), .dev_id = dev,
		.flags = pasid == IMS_NO_PASID ? 0 : IMS_DEVICE_ATTACH_PASID, .pasid = pasid,
	};

	return ims_device_detach(ctx, &d);
}

static inline int t_detach(struct ims_ctx *ctx, uint32_t dev)
{
	return t_detach_pasid(ctx, dev, IMS_NO_PASID);
}

/* HWPT_ALLOC without vendor data (a paging HWPT when pt is an IOAS). */
static inline int t_hwpt(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t flags,
			 uint32_t *out)
{
	struct ims_hwpt_alloc h = { .size = sizeof(h), .dev_id = dev, .pt_id = pt,
				    .flags = flags };
	int rc = ims_hwpt_alloc(ctx, &h);

	if (out)
		*out = h.out_hwpt_id;
	return rc;
}

static inline uint32_t hwpt_ok(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t flags)
{
	uint32_t id = 0;

	ck_assert_int_eq(t_hwpt(ctx, dev, pt, flags, &id), 0);
	return id;
}

/* HWPT_ALLOC with vendor data. */
static inline int t_nested(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t flags,
			   uint32_t type, const void *data, uint32_t len, uint32_t *out)
{
	struct ims_hwpt_alloc h = {
		.size = sizeof(h), .dev_id = dev, .pt_id = pt, .flags = flags,
		.data_type = type, .data_len = len, .data_uptr = PTR(data),
	};
	int rc = ims_hwpt_alloc(ctx, &h);

	if (out)
		*out = h.out_hwpt_id;
	return rc;
}

/* A nested HWPT of the mock's own type. */
static inline int t_mock_nested(struct ims_ctx *ctx, uint32_t dev, uint32_t pt, uint32_t flags,
				uint32_t *out)
{
	struct mock_hwpt_data d = { .iotlb = MOCK_IOTLB_DEFAULT };

	return t_nested(ctx, dev, pt, flags, MOCK_HWPT_DATA, &d, sizeof(d), out);
}

static inline uint32_t fault_ok(struct ims_ctx *ctx)
{
	struct ims_fault_alloc f = { .size = sizeof(f) };

	ck_assert_int_eq(ims_fault_queue_alloc(ctx, &f), 0);
	ck_assert_uint_eq(f.out_fault_fd, 0xffffffffu);
	return f.out_fault_id;
}

static inline int t_viommu(struct ims_ctx *ctx, uint32_t dev, uint32_t hwpt, uint32_t type,
			   uint32_t *out)
{
	struct ims_viommu_alloc v = { .size = sizeof(v), .type = type, .dev_id = dev,
				      .hwpt_id = hwpt };
	int rc = ims_viommu_alloc(ctx, &v);

	if (out)
		*out = v.out_viommu_id;
	return rc;
}

static inline int t_vdev(struct ims_ctx *ctx, uint32_t viommu, uint32_t dev, uint64_t virt_id,
			 uint32_t *out)
{
	struct ims_vdevice_alloc v = { .size = sizeof(v), .viommu_id = viommu, .dev_id = dev,
				       .virt_id = virt_id };
	int rc = ims_vdevice_alloc(ctx, &v);

	if (out)
		*out = v.out_vdevice_id;
	return rc;
}

static inline int t_veventq(struct ims_ctx *ctx, uint32_t viommu, uint32_t type, uint32_t depth,
			    uint32_t *out)
{
	struct ims_veventq_alloc q = { .size = sizeof(q), .viommu_id = viommu, .type = type,
				       .veventq_depth = depth };
	int rc = ims_veventq_alloc(ctx, &q);

	if (out)
		*out = q.out_veventq_id;
	return rc;
}

static inline int t_hw_queue(struct ims_ctx *ctx, uint32_t viommu, uint32_t type, uint32_t index,
			     uint64_t iova, uint64_t len, uint32_t *out)
{
	struct ims_hw_queue_alloc q = { .size = sizeof(q), .viommu_id = viommu, .type = type,
					.index = index, .nesting_parent_iova = iova,
					.length = len };
	int rc = ims_hw_queue_alloc(ctx, &q);

	if (out)
		*out = q.out_hw_queue_id;
	return rc;
}

/* DMA from a bound device; returns the result (asserting the call worked). */
static inline struct ims_dma_result t_dma(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid,
					  uint64_t iova, unsigned access)
{
	struct ims_dma_req r = { .pasid = pasid, .addr = iova, .len = 4, .access = access };
	struct ims_dma_result res;

	ck_assert_int_eq(ims_dma(ctx, dev, &r, &res), 0);
	return res;
}

static inline struct ims_dma_result t_oracle(struct ims_ctx *ctx, uint32_t dev, uint32_t pasid,
					     uint64_t iova, unsigned access)
{
	struct ims_dma_result res;

	ck_assert_int_eq(ims_oracle(ctx, dev, pasid, iova, access, &res), 0);
	return res;
}

/* Usable ranges of an IOAS (at most 8). */
static inline uint32_t t_ranges(struct ims_ctx *ctx, uint32_t ioas, struct ims_iova_range *r)
{
	struct ims_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = ioas, .num_iovas = 8,
					  .allowed_iovas = PTR(r) };

	ck_assert_int_eq(ims_ioas_iova_ranges(ctx, &q), 0);
	return q.num_iovas;
}

#endif
