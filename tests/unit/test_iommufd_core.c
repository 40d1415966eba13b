/* SPDX-License-Identifier: MIT */
/*
 * The object machinery of sim/iommufd: contexts, IDs, typed lookup,
 * two-phase creation, references and DESTROY, context teardown, the command
 * struct size rules and the generic errnos (iommufd §0, §1, §2.1, §2.9,
 * §2.10).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"
#include "tests/unit/mock_model.h"
#include "tests/unit/tharness.h"

static struct ims_ctx *new_ctx(void)
{
	struct ims_ctx_cfg cfg = { .seed = 1 };
	struct ims_ctx *ctx = ims_ctx_new(&cfg);

	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

static uint32_t ioas_alloc(struct ims_ctx *ctx)
{
	struct ims_ioas_alloc a = { .size = sizeof(a) };

	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), 0);
	return a.out_ioas_id;
}

static int destroy(struct ims_ctx *ctx, uint32_t id)
{
	struct ims_destroy d = { .size = sizeof(d), .id = id };

	return ims_destroy(ctx, &d);
}

static int map_fixed(struct ims_ctx *ctx, uint32_t ioas, uint64_t iova, uint64_t va,
		     uint64_t len)
{
	struct ims_ioas_map m = {
		.size = sizeof(m),
		.flags = IMS_IOAS_MAP_FIXED_IOVA | IMS_IOAS_MAP_READABLE | IMS_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = va,
		.length = len,
		.iova = iova,
	};

	return ims_ioas_map(ctx, &m);
}

/* ---- a test-only object kind --------------------------------------------------------
 * "probe" objects may hold a reference on another object and record the
 * order in which they are destroyed, so tests can see leaf-first teardown
 * and the reference rules without depending on kinds not written yet. */

struct probe {
	struct ims_obj obj;
	struct ims_obj *holds;  /* a referenced object, or NULL */
	bool external;          /* an outside owner holds a reference */
	uint32_t *log;          /* destroyed IDs are appended here */
	unsigned *nlog;
};

static void probe_destroy(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct probe *p = IMS_CONTAINER_OF(obj, struct probe, obj);

	if (p->holds)
		ims_obj_put(p->holds);
	if (p->log)
		p->log[(*p->nlog)++] = obj->id;
}

static void probe_release(struct ims_ctx *ctx, struct ims_obj *obj)
{
	struct probe *p = IMS_CONTAINER_OF(obj, struct probe, obj);

	if (p->external) {
		p->external = false;
		ims_obj_put(obj);
	}
}

static const struct ims_obj_ops probe_ops = {
	.name = "PROBE",
	.destroy = probe_destroy,
	.teardown_release = probe_release,
};

static struct probe *probe_new(struct ims_ctx *ctx, struct ims_obj *holds, uint32_t *log,
			       unsigned *nlog)
{
	int err;
	struct probe *p = ims_obj_alloc(ctx, sizeof(*p), IMS_OBJ_ACCESS, &probe_ops, &err);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(err, 0);
	p->holds = holds;
	if (holds)
		ims_obj_get(holds);
	p->log = log;
	p->nlog = nlog;
	ims_obj_finalize(ctx, &p->obj);
	return p;
}

/* ---- context --------------------------------------------------------------------- */

START_TEST(ctx_create_rejects_bad_cfg)
{
	struct ims_ctx_cfg cfg = { .pool_base = 0x1001, .pool_size = 0x10000 };
	struct ims_ctx *ctx = (struct ims_ctx *)&cfg;

	ck_assert_ptr_null(ims_ctx_new(NULL));
	ck_assert_int_eq(ims_ctx_create(NULL, &ctx), -EINVAL);
	ck_assert_ptr_null(ctx);
	ck_assert_int_eq(ims_ctx_create(&cfg, &ctx), -EINVAL);
	cfg.pool_base = UINT64_MAX - 0xfff;
	cfg.pool_size = 0x2000;
	ck_assert_int_eq(ims_ctx_create(&cfg, &ctx), -EINVAL);
	ims_ctx_free(NULL);
}
END_TEST

START_TEST(ctx_accessors_give_memory_pool_and_seed)
{
	struct ims_ctx_cfg cfg = { .pool_base = 0x100000000ull, .pool_size = 0x100000, .seed = 7 };
	struct ims_ctx *ctx = ims_ctx_new(&cfg);
	uint64_t pa;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_nonnull(ims_ctx_mem(ctx));
	ck_assert_u64_eq(ims_ctx_seed(ctx), 7);
	ck_assert_ptr_null(ims_ctx_model(ctx));
	ck_assert_int_eq(ims_palloc_alloc(ims_ctx_palloc(ctx), 0, &pa), 0);
	ck_assert(pa >= 0x100000000ull && pa < 0x100100000ull);
	ims_mem_write64(ims_ctx_mem(ctx), pa, 0x1234, IMS_MEM_DRIVER);
	ck_assert_u64_eq(ims_mem_read64(ims_ctx_mem(ctx), pa, IMS_MEM_DRIVER), 0x1234);
	ims_palloc_free(ims_ctx_palloc(ctx), pa, 0);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(two_contexts_are_independent)
{
	struct ims_ctx *a = new_ctx(), *b = new_ctx();

	ck_assert_uint_eq(ioas_alloc(a), 1);
	ck_assert_uint_eq(ioas_alloc(a), 2);
	/* b has its own ID space, memory and mappings. */
	ck_assert_uint_eq(ioas_alloc(b), 1);
	ck_assert_int_eq(map_fixed(a, 1, 0x1000, 0x5000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(b, 1, 0x1000, 0x9000, 0x1000), 0);
	ims_mem_write32(ims_ctx_mem(a), 0x5000, 0xaa, IMS_MEM_DRIVER);
	ck_assert_uint_eq(ims_mem_read32(ims_ctx_mem(b), 0x5000, IMS_MEM_DRIVER), 0);
	ck_assert_int_eq(destroy(b, 1), 0);
	ck_assert_uint_eq(ims_ctx_num_objects(a), 2);
	ck_assert_uint_eq(ims_ctx_num_objects(b), 0);
	ims_ctx_free(a);
	ims_ctx_free(b);
}
END_TEST

START_TEST(ctx_with_model_creates_and_destroys_instance)
{
	struct mock_cfg mcfg = { .units = 2 };
	struct ims_ctx_cfg cfg = { .model = &mock_model_ops, .model_cfg = &mcfg };
	struct ims_ctx *ctx = ims_ctx_new(&cfg);

	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_eq(ims_ctx_model(ctx), &mock_model_ops);
	ck_assert_ptr_nonnull(mock_of(ctx));
	ck_assert_uint_eq(mock_model_ops.num_units(ctx->model_inst), 2);
	ims_ctx_free(ctx);
}
END_TEST

/* ---- IDs and lookup -------------------------------------------------------------- */

START_TEST(object_ids_start_at_1_and_reuse_lowest_free)
{
	struct ims_ctx *ctx = new_ctx();

	ck_assert_uint_eq(ioas_alloc(ctx), 1);
	ck_assert_uint_eq(ioas_alloc(ctx), 2);
	ck_assert_uint_eq(ioas_alloc(ctx), 3);
	ck_assert_int_eq(destroy(ctx, 2), 0);
	ck_assert_int_eq(destroy(ctx, 1), 0);
	/* The lowest free ID is handed out first (kernel xa_alloc). */
	ck_assert_uint_eq(ioas_alloc(ctx), 1);
	ck_assert_uint_eq(ioas_alloc(ctx), 2);
	ck_assert_uint_eq(ioas_alloc(ctx), 4);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(many_objects_get_distinct_ids)
{
	struct ims_ctx *ctx = new_ctx();

	for (uint32_t i = 1; i <= 1000; i++)
		ck_assert_uint_eq(ioas_alloc(ctx), i);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 1000);
	ck_assert_int_eq(destroy(ctx, 500), 0);
	ck_assert_uint_eq(ioas_alloc(ctx), 500);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(destroy_unknown_id_enoent)
{
	struct ims_ctx *ctx = new_ctx();
	uint32_t id = ioas_alloc(ctx);

	ck_assert_int_eq(destroy(ctx, 0), -ENOENT);
	ck_assert_int_eq(destroy(ctx, id + 1), -ENOENT);
	ck_assert_int_eq(destroy(ctx, 0xffffffffu), -ENOENT);
	ck_assert_int_eq(destroy(ctx, id), 0);
	ck_assert_int_eq(destroy(ctx, id), -ENOENT);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(typed_lookup_wrong_kind_enoent)
{
	struct ims_ctx *ctx = new_ctx();
	struct probe *p = probe_new(ctx, NULL, NULL, NULL);
	struct ims_ioas_iova_ranges r = { .size = sizeof(r), .ioas_id = p->obj.id };

	ck_assert_ptr_null(ims_ioas_find(ctx, p->obj.id));
	ck_assert_ptr_eq(ims_obj_find(ctx, p->obj.id, IMS_OBJ_ACCESS), &p->obj);
	ck_assert_ptr_eq(ims_obj_find(ctx, p->obj.id, IMS_OBJ_ANY), &p->obj);
	/* An IOAS command given a non-IOAS ID says the ID does not exist. */
	ck_assert_int_eq(ims_ioas_iova_ranges(ctx, &r), -ENOENT);
	ck_assert_int_eq(map_fixed(ctx, p->obj.id, 0, 0, 0x1000), -ENOENT);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(two_phase_creation_hides_reserved_id)
{
	struct ims_ctx *ctx = new_ctx();
	int err;
	struct probe *p = ims_obj_alloc(ctx, sizeof(*p), IMS_OBJ_ACCESS, &probe_ops, &err);
	struct ims_option opt = { .size = sizeof(opt), .option_id = IMS_OPTION_RLIMIT_MODE,
				  .op = IMS_OPTION_OP_SET, .val64 = 1 };

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->obj.id, 1);
	/* Not visible yet: lookups and DESTROY do not see it. */
	ck_assert_ptr_null(ims_obj_find(ctx, 1, IMS_OBJ_ANY));
	ck_assert_int_eq(destroy(ctx, 1), -ENOENT);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 0);
	/* ...but its ID is taken, and it counts as an object for RLIMIT_MODE. */
	ck_assert_uint_eq(ioas_alloc(ctx), 2);
	ck_assert_int_eq(destroy(ctx, 2), 0);
	ck_assert_int_eq(ims_option(ctx, &opt), -EBUSY);
	/* Abort gives the ID back. */
	ims_obj_abort(ctx, &p->obj);
	ck_assert_uint_eq(ioas_alloc(ctx), 1);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(destroy_referenced_object_ebusy)
{
	struct ims_ctx *ctx = new_ctx();
	uint32_t ioas = ioas_alloc(ctx);
	struct probe *p = probe_new(ctx, ims_obj_find(ctx, ioas, IMS_OBJ_IOAS), NULL, NULL);

	ck_assert_int_eq(destroy(ctx, ioas), -EBUSY);
	ck_assert_ptr_nonnull(strstr(ims_ctx_errmsg(ctx), "in use"));
	/* Still there and usable. */
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(destroy(ctx, p->obj.id), 0);
	/* Mappings never keep an IOAS alive. */
	ck_assert_int_eq(destroy(ctx, ioas), 0);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 0);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(put_and_try_destroy_frees_last_user)
{
	struct ims_ctx *ctx = new_ctx();
	uint32_t ioas = ioas_alloc(ctx);
	struct ims_obj *o = ims_obj_find(ctx, ioas, IMS_OBJ_IOAS);

	ims_obj_get(o);
	ims_obj_get(o);
	ck_assert(!ims_obj_put_and_try_destroy(ctx, o));
	ck_assert_ptr_nonnull(ims_ioas_find(ctx, ioas));
	ck_assert(ims_obj_put_and_try_destroy(ctx, o));
	ck_assert_ptr_null(ims_ioas_find(ctx, ioas));
	ck_assert_int_eq(destroy(ctx, ioas), -ENOENT);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(tombstone_id_enoent_and_never_reused)
{
	struct ims_ctx *ctx = new_ctx();
	struct probe *p = probe_new(ctx, NULL, NULL, NULL);
	uint32_t id = p->obj.id;

	ck_assert_int_eq(ims_obj_remove(ctx, &p->obj, IMS_REMOVE_TOMBSTONE), 0);
	ck_assert_int_eq(destroy(ctx, id), -ENOENT);
	ck_assert_uint_ne(ioas_alloc(ctx), id);
	ims_ctx_free(ctx);
}
END_TEST

/* ---- teardown -------------------------------------------------------------------- */

START_TEST(ctx_free_destroys_leaves_first)
{
	struct ims_ctx *ctx = new_ctx();
	uint32_t log[8];
	unsigned nlog = 0;
	/* IDs ascend from the root, so ID order would be wrong: 1 <- 2 <- 3. */
	struct probe *a = probe_new(ctx, NULL, log, &nlog);
	struct probe *b = probe_new(ctx, &a->obj, log, &nlog);
	struct probe *c = probe_new(ctx, &b->obj, log, &nlog);

	ck_assert_int_eq(destroy(ctx, a->obj.id), -EBUSY);
	ck_assert_int_eq(destroy(ctx, b->obj.id), -EBUSY);
	(void)c;
	ims_ctx_free(ctx);
	ck_assert_uint_eq(nlog, 3);
	ck_assert_uint_eq(log[0], 3);
	ck_assert_uint_eq(log[1], 2);
	ck_assert_uint_eq(log[2], 1);
}
END_TEST

START_TEST(ctx_free_releases_external_owners)
{
	struct ims_ctx *ctx = new_ctx();
	uint32_t log[4];
	unsigned nlog = 0;
	uint32_t ioas = ioas_alloc(ctx);
	/* A "device" held by an outside owner, referring to the IOAS. */
	struct probe *dev = probe_new(ctx, ims_obj_find(ctx, ioas, IMS_OBJ_IOAS), log, &nlog);
	uint32_t dev_id = dev->obj.id;

	dev->external = true;
	ims_obj_get(&dev->obj);
	ck_assert_int_eq(destroy(ctx, dev_id), -EBUSY);
	ims_ctx_free(ctx);
	/* The owner was let go, then the device and the IOAS went. */
	ck_assert_uint_eq(nlog, 1);
	ck_assert_uint_eq(log[0], dev_id);
}
END_TEST

START_TEST(ctx_free_with_live_objects_is_leak_free)
{
	struct mock_cfg mcfg = { 0 };
	struct ims_ctx_cfg cfg = { .model = &mock_model_ops, .model_cfg = &mcfg };
	struct ims_ctx *ctx = ims_ctx_new(&cfg);
	struct ims_iova_range allow = { 0x100000, 0x1fffff };
	struct ims_ioas_allow_iovas al = { .size = sizeof(al), .num_iovas = 1,
					   .allowed_iovas = (uintptr_t)&allow };
	struct ims_ioas_reserve rs = { .size = sizeof(rs), .start = 0x10000000, .last = 0x1fffffff };
	struct ims_ioas_map m = { .size = sizeof(m), .flags = IMS_IOAS_MAP_READABLE,
				  .user_va = 0x40000, .length = 0x3000 };
	uint32_t ioas[3];

	ck_assert_ptr_nonnull(ctx);
	for (int i = 0; i < 3; i++) {
		ioas[i] = ioas_alloc(ctx);
		al.ioas_id = rs.ioas_id = m.ioas_id = ioas[i];
		ck_assert_int_eq(ims_ioas_allow_iovas(ctx, &al), 0);
		ck_assert_int_eq(ims_ioas_reserve(ctx, &rs), 0);
		for (int j = 0; j < 20; j++)
			ck_assert_int_eq(ims_ioas_map(ctx, &m), 0);
	}
	probe_new(ctx, ims_obj_find(ctx, ioas[1], IMS_OBJ_IOAS), NULL, NULL);
	ck_assert_uint_eq(ctx->internal_errors, 0);
	/* LeakSanitizer checks that everything went away. */
	ims_ctx_free(ctx);
}
END_TEST

/* ---- command struct rules -------------------------------------------------------- */

START_TEST(ioctl_unknown_cmd_enotty)
{
	struct ims_ctx *ctx = new_ctx();
	uint32_t buf[32] = { sizeof(buf) };
	unsigned bad[] = { 0, 0x7f, 0x95, 0xa0, 0xbf, 0xc6, 0x180, 0xffffffffu };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(ims_ioctl(ctx, bad[i], buf), -ENOTTY);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(ioctl_null_ctx_ebadf_null_arg_efault)
{
	struct ims_ctx *ctx = new_ctx();
	struct ims_ioas_alloc a = { .size = sizeof(a) };

	ck_assert_int_eq(ims_ioctl(NULL, IMS_CMD_IOAS_ALLOC, &a), -EBADF);
	ck_assert_int_eq(ims_ioas_alloc(NULL, &a), -EBADF);
	ck_assert_int_eq(ims_ioctl(ctx, IMS_CMD_IOAS_ALLOC, NULL), -EFAULT);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(ioctl_size_below_mandatory_einval)
{
	struct ims_ctx *ctx = new_ctx();
	struct ims_ioas_alloc a = { .size = 0 };
	struct ims_ioas_map m = { .size = offsetof(struct ims_ioas_map, iova) };
	struct ims_hwpt_alloc h = { .size = offsetof(struct ims_hwpt_alloc, reserved) };

	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), -EINVAL);
	a.size = sizeof(a) - 1;
	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), -EINVAL);
	ck_assert_uint_eq(a.out_ioas_id, 0);
	ck_assert_int_eq(ims_ioas_map(ctx, &m), -EINVAL);
	/* Checked before the command runs, for every command. */
	ck_assert_int_eq(ims_hwpt_alloc(ctx, &h), -EINVAL);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 0);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(ioctl_larger_struct_zero_tail_accepted)
{
	struct ims_ctx *ctx = new_ctx();
	/* A caller built against a newer, longer struct. */
	struct {
		struct ims_ioas_alloc a;
		uint8_t future[52];
	} big;

	memset(&big, 0, sizeof(big));
	big.a.size = sizeof(big);
	ck_assert_int_eq(ims_ioctl(ctx, IMS_CMD_IOAS_ALLOC, &big), 0);
	ck_assert_uint_eq(big.a.out_ioas_id, 1);
	/* Only our struct is written back. */
	for (unsigned i = 0; i < sizeof(big.future); i++)
		ck_assert_uint_eq(big.future[i], 0);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(ioctl_larger_struct_nonzero_tail_e2big)
{
	struct ims_ctx *ctx = new_ctx();
	struct {
		struct ims_ioas_alloc a;
		uint8_t future[52];
	} big;

	memset(&big, 0, sizeof(big));
	big.a.size = sizeof(big);
	big.future[51] = 1;
	ck_assert_int_eq(ims_ioctl(ctx, IMS_CMD_IOAS_ALLOC, &big), -E2BIG);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 0);
	/* A non-zero byte beyond `size` is not looked at. */
	big.a.size = sizeof(big) - 1;
	ck_assert_int_eq(ims_ioctl(ctx, IMS_CMD_IOAS_ALLOC, &big), 0);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(ioctl_flags_and_reserved_eopnotsupp)
{
	struct ims_ctx *ctx = new_ctx();
	uint32_t ioas = ioas_alloc(ctx);
	struct ims_ioas_alloc a = { .size = sizeof(a), .flags = 1 };
	struct ims_ioas_iova_ranges r = { .size = sizeof(r), .ioas_id = ioas, .reserved = 1 };
	struct ims_ioas_allow_iovas al = { .size = sizeof(al), .ioas_id = ioas, .reserved = 1 };
	struct ims_ioas_map m = { .size = sizeof(m), .ioas_id = ioas, .reserved = 1,
				  .flags = IMS_IOAS_MAP_READABLE, .length = 0x1000 };
	struct ims_option o = { .size = sizeof(o), .option_id = IMS_OPTION_HUGE_PAGES,
				.op = IMS_OPTION_OP_GET, .object_id = ioas, .reserved = 1 };
	struct ims_vfio_ioas v = { .size = sizeof(v), .reserved = 1 };
	struct ims_ioas_change_process cp = { .size = sizeof(cp), .reserved = 1 };

	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), -EOPNOTSUPP);
	a.flags = 0x80000000u;
	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), -EOPNOTSUPP);
	ck_assert_int_eq(ims_ioas_iova_ranges(ctx, &r), -EOPNOTSUPP);
	ck_assert_int_eq(ims_ioas_allow_iovas(ctx, &al), -EOPNOTSUPP);
	ck_assert_int_eq(ims_ioas_map(ctx, &m), -EOPNOTSUPP);
	m.reserved = 0;
	m.flags |= 0x8;
	ck_assert_int_eq(ims_ioas_map(ctx, &m), -EOPNOTSUPP);
	ck_assert_int_eq(ims_option(ctx, &o), -EOPNOTSUPP);
	ck_assert_int_eq(ims_vfio_ioas(ctx, &v), -EOPNOTSUPP);
	ck_assert_int_eq(ims_ioas_change_process(ctx, &cp), -EOPNOTSUPP);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 1);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(errmsg_names_the_field_and_clears_on_success)
{
	struct ims_ctx *ctx = new_ctx();
	struct ims_ioas_alloc a = { .size = sizeof(a), .flags = 4 };

	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(ims_ctx_errmsg(ctx), "flags"));
	a.flags = 0;
	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), 0);
	ck_assert_str_eq(ims_ctx_errmsg(ctx), "");
	ims_ctx_free(ctx);
}
END_TEST

/* ---- OPTION RLIMIT_MODE, VFIO_IOAS ----------------------------------------------- */

static int option(struct ims_ctx *ctx, uint32_t id, uint16_t op, uint32_t obj, uint64_t *val)
{
	struct ims_option o = { .size = sizeof(o), .option_id = id, .op = op, .object_id = obj,
				.val64 = *val };
	int rc = ims_option(ctx, &o);

	*val = o.val64;
	return rc;
}

START_TEST(option_rlimit_mode_get_set)
{
	struct ims_ctx *ctx = new_ctx();
	uint64_t v = 99;

	ck_assert_int_eq(option(ctx, IMS_OPTION_RLIMIT_MODE, IMS_OPTION_OP_GET, 0, &v), 0);
	ck_assert_u64_eq(v, 0);
	v = 1;
	ck_assert_int_eq(option(ctx, IMS_OPTION_RLIMIT_MODE, IMS_OPTION_OP_SET, 0, &v), 0);
	v = 0;
	ck_assert_int_eq(option(ctx, IMS_OPTION_RLIMIT_MODE, IMS_OPTION_OP_GET, 0, &v), 0);
	ck_assert_u64_eq(v, 1);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(option_rlimit_mode_with_objects_ebusy)
{
	struct ims_ctx *ctx = new_ctx();
	uint64_t v = 1;
	uint32_t ioas = ioas_alloc(ctx);

	ck_assert_int_eq(option(ctx, IMS_OPTION_RLIMIT_MODE, IMS_OPTION_OP_SET, 0, &v), -EBUSY);
	ck_assert_int_eq(destroy(ctx, ioas), 0);
	ck_assert_int_eq(option(ctx, IMS_OPTION_RLIMIT_MODE, IMS_OPTION_OP_SET, 0, &v), 0);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(option_rlimit_mode_bad_value_einval)
{
	struct ims_ctx *ctx = new_ctx();
	uint64_t v = 2;

	ck_assert_int_eq(option(ctx, IMS_OPTION_RLIMIT_MODE, IMS_OPTION_OP_SET, 0, &v), -EINVAL);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(option_rlimit_mode_object_id_eopnotsupp)
{
	struct ims_ctx *ctx = new_ctx();
	uint64_t v = 0;

	ck_assert_int_eq(option(ctx, IMS_OPTION_RLIMIT_MODE, IMS_OPTION_OP_GET, 1, &v),
			 -EOPNOTSUPP);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(option_unknown_option_or_op_eopnotsupp)
{
	struct ims_ctx *ctx = new_ctx();
	uint64_t v = 0;

	ck_assert_int_eq(option(ctx, 77, IMS_OPTION_OP_GET, 0, &v), -EOPNOTSUPP);
	ck_assert_int_eq(option(ctx, IMS_OPTION_RLIMIT_MODE, 2, 0, &v), -EOPNOTSUPP);
	ims_ctx_free(ctx);
}
END_TEST

static int vfio_ioas(struct ims_ctx *ctx, uint16_t op, uint32_t *id)
{
	struct ims_vfio_ioas v = { .size = sizeof(v), .op = op, .ioas_id = *id };
	int rc = ims_vfio_ioas(ctx, &v);

	*id = v.ioas_id;
	return rc;
}

START_TEST(vfio_ioas_get_set_clear)
{
	struct ims_ctx *ctx = new_ctx();
	uint32_t ioas = ioas_alloc(ctx), id = 0;

	ck_assert_int_eq(vfio_ioas(ctx, IMS_VFIO_IOAS_GET, &id), -ENODEV);
	id = ioas + 5;
	ck_assert_int_eq(vfio_ioas(ctx, IMS_VFIO_IOAS_SET, &id), -ENOENT);
	id = ioas;
	ck_assert_int_eq(vfio_ioas(ctx, IMS_VFIO_IOAS_SET, &id), 0);
	id = 0;
	ck_assert_int_eq(vfio_ioas(ctx, IMS_VFIO_IOAS_GET, &id), 0);
	ck_assert_uint_eq(id, ioas);
	ck_assert_int_eq(vfio_ioas(ctx, IMS_VFIO_IOAS_CLEAR, &id), 0);
	ck_assert_int_eq(vfio_ioas(ctx, IMS_VFIO_IOAS_GET, &id), -ENODEV);
	/* CLEAR did not destroy the IOAS. */
	ck_assert_ptr_nonnull(ims_ioas_find(ctx, ioas));
	ck_assert_int_eq(vfio_ioas(ctx, 3, &id), -EOPNOTSUPP);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(vfio_ioas_forgotten_when_ioas_destroyed)
{
	struct ims_ctx *ctx = new_ctx();
	uint32_t ioas = ioas_alloc(ctx), id = ioas;

	ck_assert_int_eq(vfio_ioas(ctx, IMS_VFIO_IOAS_SET, &id), 0);
	ck_assert_int_eq(destroy(ctx, ioas), 0);
	/* A new IOAS taking the same ID is not silently the compat IOAS. */
	ck_assert_uint_eq(ioas_alloc(ctx), ioas);
	ck_assert_int_eq(vfio_ioas(ctx, IMS_VFIO_IOAS_GET, &id), -ENODEV);
	ims_ctx_free(ctx);
}
END_TEST

/* ---- user data copy rules -------------------------------------------------------- */

struct vendor3 {
	uint64_t a, b, c;
};

START_TEST(user_data_get_follows_size_rules)
{
	uint64_t src[5] = { 1, 2, 3, 0, 0 };
	struct vendor3 v;
	struct ims_user_data d = { .type = 7, .len = sizeof(src), .uptr = src };

	ck_assert_int_eq(ims_user_data_get(&d, 8, &v, sizeof(v), 16), -EOPNOTSUPP);
	ck_assert_int_eq(ims_user_data_get(&d, 7, &v, sizeof(v), 16), 0);
	ck_assert_u64_eq(v.c, 3);
	src[4] = 9; /* non-zero past our struct */
	ck_assert_int_eq(ims_user_data_get(&d, 7, &v, sizeof(v), 16), -E2BIG);
	d.len = 8; /* shorter than the mandatory 16 bytes */
	ck_assert_int_eq(ims_user_data_get(&d, 7, &v, sizeof(v), 16), -EINVAL);
	d.len = 16; /* short but sufficient: zero-extended */
	v.c = 77;
	ck_assert_int_eq(ims_user_data_get(&d, 7, &v, sizeof(v), 16), 0);
	ck_assert_u64_eq(v.b, 2);
	ck_assert_u64_eq(v.c, 0);
	d.uptr = NULL;
	ck_assert_int_eq(ims_user_data_get(&d, 7, &v, sizeof(v), 16), -EFAULT);
}
END_TEST

START_TEST(user_data_put_writes_at_most_len)
{
	uint64_t dst[3] = { 0, 0, 0xdead };
	struct vendor3 v = { 5, 6, 7 };
	struct ims_user_data d = { .type = 1, .len = 16, .uptr = dst };

	ims_user_data_put(&d, &v, sizeof(v));
	ck_assert_u64_eq(dst[0], 5);
	ck_assert_u64_eq(dst[1], 6);
	ck_assert_u64_eq(dst[2], 0xdead);
}
END_TEST

START_TEST(user_array_get_follows_size_rules)
{
	uint64_t arr[2][4] = { { 1, 2, 3, 0 }, { 4, 5, 6, 1 } };
	struct vendor3 v;
	struct ims_user_array a = { .type = 3, .entry_len = 32, .entry_num = 2, .uptr = arr };

	ck_assert_int_eq(ims_user_array_get(&a, 3, 0, &v, sizeof(v), 24), 0);
	ck_assert_u64_eq(v.a, 1);
	ck_assert_int_eq(ims_user_array_get(&a, 3, 1, &v, sizeof(v), 24), -E2BIG);
	ck_assert_int_eq(ims_user_array_get(&a, 4, 0, &v, sizeof(v), 24), -EINVAL);
	ck_assert_int_eq(ims_user_array_get(&a, 3, 2, &v, sizeof(v), 24), -EINVAL);
	a.entry_len = 16;
	ck_assert_int_eq(ims_user_array_get(&a, 3, 0, &v, sizeof(v), 24), -EINVAL);
}
END_TEST

/* ---- hardware access without/with a model ---------------------------------------- */

START_TEST(mmio_and_dma_without_model_enodev)
{
	struct ims_ctx *ctx = new_ctx();
	struct ims_dma_req req = { .len = 4, .access = IMS_ACC_READ };
	struct ims_dma_result res;
	uint64_t v;

	ck_assert_int_eq(ims_mmio_read(ctx, 0, 0, 4, &v), -ENODEV);
	ck_assert_int_eq(ims_mmio_write(ctx, 0, 0, 4, 0), -ENODEV);
	ck_assert_int_eq(ims_dma_raw(ctx, &req, &res), -ENODEV);
	ims_ctx_free(ctx);
}
END_TEST

START_TEST(dma_raw_reaches_the_model)
{
	struct ims_ctx_cfg cfg = { .model = &mock_model_ops };
	struct ims_ctx *ctx = ims_ctx_new(&cfg);
	struct ims_dma_req req = { .sid = 0x10, .pasid = IMS_NO_PASID, .addr = 0x1000, .len = 4,
				   .access = IMS_ACC_READ };
	struct ims_dma_result res;

	ck_assert_int_eq(ims_dma_raw(ctx, &req, &res), 0);
	/* No device behind sid 0x10: the mock blocks it. */
	ck_assert_int_eq(res.status, IMS_DMA_FAULT);
	ck_assert_int_eq(res.xfault, IMS_XF_BLOCKED);
	req.len = 0;
	ck_assert_int_eq(ims_dma_raw(ctx, &req, &res), -EINVAL);
	req.len = 4;
	req.unit = 3;
	ck_assert_int_eq(ims_dma_raw(ctx, &req, &res), -EINVAL);
	ims_ctx_free(ctx);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("iommufd_core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ctx_create_rejects_bad_cfg);
	tcase_add_test(tc, ctx_accessors_give_memory_pool_and_seed);
	tcase_add_test(tc, two_contexts_are_independent);
	tcase_add_test(tc, ctx_with_model_creates_and_destroys_instance);
	tcase_add_test(tc, object_ids_start_at_1_and_reuse_lowest_free);
	tcase_add_test(tc, many_objects_get_distinct_ids);
	tcase_add_test(tc, destroy_unknown_id_enoent);
	tcase_add_test(tc, typed_lookup_wrong_kind_enoent);
	tcase_add_test(tc, two_phase_creation_hides_reserved_id);
	tcase_add_test(tc, destroy_referenced_object_ebusy);
	tcase_add_test(tc, put_and_try_destroy_frees_last_user);
	tcase_add_test(tc, tombstone_id_enoent_and_never_reused);
	tcase_add_test(tc, ctx_free_destroys_leaves_first);
	tcase_add_test(tc, ctx_free_releases_external_owners);
	tcase_add_test(tc, ctx_free_with_live_objects_is_leak_free);
	tcase_add_test(tc, ioctl_unknown_cmd_enotty);
	tcase_add_test(tc, ioctl_null_ctx_ebadf_null_arg_efault);
	tcase_add_test(tc, ioctl_size_below_mandatory_einval);
	tcase_add_test(tc, ioctl_larger_struct_zero_tail_accepted);
	tcase_add_test(tc, ioctl_larger_struct_nonzero_tail_e2big);
	tcase_add_test(tc, ioctl_flags_and_reserved_eopnotsupp);
	tcase_add_test(tc, errmsg_names_the_field_and_clears_on_success);
	tcase_add_test(tc, option_rlimit_mode_get_set);
	tcase_add_test(tc, option_rlimit_mode_with_objects_ebusy);
	tcase_add_test(tc, option_rlimit_mode_bad_value_einval);
	tcase_add_test(tc, option_rlimit_mode_object_id_eopnotsupp);
	tcase_add_test(tc, option_unknown_option_or_op_eopnotsupp);
	tcase_add_test(tc, vfio_ioas_get_set_clear);
	tcase_add_test(tc, vfio_ioas_forgotten_when_ioas_destroyed);
	tcase_add_test(tc, user_data_get_follows_size_rules);
	tcase_add_test(tc, user_data_put_writes_at_most_len);
	tcase_add_test(tc, user_array_get_follows_size_rules);
	tcase_add_test(tc, mmio_and_dma_without_model_enodev);
	tcase_add_test(tc, dma_raw_reaches_the_model);
	suite_add_tcase(s, tc);
	return s;
}
