/* SPDX-License-Identifier: MIT */
/*
 * The IOAS object and its commands (iommufd §2.2-2.9, §2.19): every errno
 * path, the kernel's automatic IOVA placement, whole-area unmap with its
 * non-atomic failure, reserved/allowed ranges, apertures of several windows,
 * the domain and pin hooks of the io_pagetable, and a randomized run checked
 * against a reference model of areas.  Test names say command and errno.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"
#include "tests/unit/mock_model.h"
#include "tests/unit/tharness.h"

#define RW (IMS_IOAS_MAP_READABLE | IMS_IOAS_MAP_WRITEABLE)
#define FIXED IMS_IOAS_MAP_FIXED_IOVA
#define MAX64 UINT64_MAX

/* ---- helpers --------------------------------------------------------------------- */

static struct ims_ctx *ctx_new(void)
{
	struct ims_ctx_cfg cfg = { .model = &mock_model_ops, .seed = 3 };
	struct ims_ctx *ctx = ims_ctx_new(&cfg);

	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

static void ctx_free(struct ims_ctx *ctx)
{
	ck_assert_uint_eq(ctx->internal_errors, 0);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->errors, 0);
	ims_ctx_free(ctx);
}

static uint32_t ioas_new(struct ims_ctx *ctx)
{
	struct ims_ioas_alloc a = { .size = sizeof(a) };

	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), 0);
	return a.out_ioas_id;
}

static struct ims_iopt *iopt_of(struct ims_ctx *ctx, uint32_t ioas)
{
	return &ims_ioas_find(ctx, ioas)->iopt;
}

static int map(struct ims_ctx *ctx, uint32_t ioas, uint32_t flags, uint64_t va, uint64_t len,
	       uint64_t *iova)
{
	struct ims_ioas_map m = { .size = sizeof(m), .flags = flags, .ioas_id = ioas,
				  .user_va = va, .length = len, .iova = *iova };
	int rc = ims_ioas_map(ctx, &m);

	*iova = m.iova;
	return rc;
}

static int map_fixed(struct ims_ctx *ctx, uint32_t ioas, uint64_t iova, uint64_t va,
		     uint64_t len)
{
	return map(ctx, ioas, FIXED | RW, va, len, &iova);
}

static uint64_t map_auto_ok(struct ims_ctx *ctx, uint32_t ioas, uint64_t va, uint64_t len)
{
	uint64_t iova = 0xdead;

	ck_assert_int_eq(map(ctx, ioas, RW, va, len, &iova), 0);
	return iova;
}

static int unmap(struct ims_ctx *ctx, uint32_t ioas, uint64_t iova, uint64_t len,
		 uint64_t *unmapped)
{
	struct ims_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas, .iova = iova,
				    .length = len };
	int rc = ims_ioas_unmap(ctx, &u);

	if (unmapped)
		*unmapped = u.length;
	return rc;
}

static int copy(struct ims_ctx *ctx, uint32_t dst, uint32_t src, uint32_t flags,
		uint64_t src_iova, uint64_t len, uint64_t *dst_iova)
{
	struct ims_ioas_copy c = { .size = sizeof(c), .flags = flags, .dst_ioas_id = dst,
				   .src_ioas_id = src, .length = len, .dst_iova = *dst_iova,
				   .src_iova = src_iova };
	int rc = ims_ioas_copy(ctx, &c);

	*dst_iova = c.dst_iova;
	return rc;
}

static int allow(struct ims_ctx *ctx, uint32_t ioas, const struct ims_iova_range *r, uint32_t n)
{
	struct ims_ioas_allow_iovas a = { .size = sizeof(a), .ioas_id = ioas, .num_iovas = n,
					  .allowed_iovas = (uintptr_t)r };

	return ims_ioas_allow_iovas(ctx, &a);
}

static int reserve(struct ims_ctx *ctx, uint32_t ioas, uint64_t start, uint64_t last)
{
	struct ims_ioas_reserve r = { .size = sizeof(r), .ioas_id = ioas, .start = start,
				      .last = last };

	return ims_ioas_reserve(ctx, &r);
}

/* IOVA_RANGES into out[cap]; *num and *align get the answer. */
static int ranges(struct ims_ctx *ctx, uint32_t ioas, struct ims_iova_range *out, uint32_t cap,
		  uint32_t *num, uint64_t *align)
{
	struct ims_ioas_iova_ranges r = { .size = sizeof(r), .ioas_id = ioas, .num_iovas = cap,
					  .allowed_iovas = (uintptr_t)out };
	int rc = ims_ioas_iova_ranges(ctx, &r);

	*num = r.num_iovas;
	if (align)
		*align = r.out_iova_alignment;
	return rc;
}

static uint64_t alignment_of(struct ims_ctx *ctx, uint32_t ioas)
{
	struct ims_iova_range r[16];
	uint32_t n;
	uint64_t align;

	ck_assert_int_eq(ranges(ctx, ioas, r, 16, &n, &align), 0);
	return align;
}

static int huge_pages(struct ims_ctx *ctx, uint32_t obj, uint16_t op, uint64_t *val)
{
	struct ims_option o = { .size = sizeof(o), .option_id = IMS_OPTION_HUGE_PAGES, .op = op,
				.object_id = obj, .val64 = *val };
	int rc = ims_option(ctx, &o);

	*val = o.val64;
	return rc;
}

static bool is_mapped(struct ims_ctx *ctx, uint32_t ioas, uint64_t iova, uint64_t *pa)
{
	unsigned prot;
	uint64_t tmp;

	return ims_iopt_iova_to_pa(iopt_of(ctx, ioas), iova, pa ? pa : &tmp, &prot) == 0;
}

/* A mock paging domain attached to an IOAS, as a HWPT would do it. */
struct tdom {
	struct ims_iopt_domain d;
	struct ims_domain_info info;
};

static int tdom_attach(struct ims_ctx *ctx, uint32_t ioas, struct tdom *t, uint64_t pgsize,
		       const struct ims_iova_window *w, uint32_t nw)
{
	struct ims_domain_info want = { .pgsize_bitmap = pgsize, .naperture = nw };
	int rc;

	if (nw)
		memcpy(want.aperture, w, nw * sizeof(*w));
	ck_assert_int_eq(mock_domain_alloc(mock_of(ctx), 0, &want, &t->info, &t->d.dom), 0);
	t->d.pgsize_bitmap = t->info.pgsize_bitmap;
	t->d.naperture = t->info.naperture;
	memcpy(t->d.aperture, t->info.aperture, sizeof(t->d.aperture));
	rc = ims_iopt_add_domain(iopt_of(ctx, ioas), &t->d);
	if (rc)
		mock_domain_free(mock_of(ctx), t->d.dom);
	return rc;
}

static void tdom_detach(struct ims_ctx *ctx, uint32_t ioas, struct tdom *t)
{
	ims_iopt_remove_domain(iopt_of(ctx, ioas), &t->d);
	ck_assert_uint_eq(mock_domain_nmaps(t->d.dom), 0);
	mock_domain_free(mock_of(ctx), t->d.dom);
}

/* ---- IOAS_ALLOC ------------------------------------------------------------------ */

START_TEST(ioas_alloc_fresh_ioas_spans_everything)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx), n;
	struct ims_iova_range r[2];
	uint64_t align, hp = 0;

	ck_assert_int_eq(ranges(ctx, ioas, r, 2, &n, &align), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_u64_eq(r[0].start, 0);
	ck_assert_u64_eq(r[0].last, MAX64);
	ck_assert_u64_eq(align, 1);
	ck_assert_int_eq(huge_pages(ctx, ioas, IMS_OPTION_OP_GET, &hp), 0);
	ck_assert_u64_eq(hp, 1);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_alloc_flags_eopnotsupp)
{
	struct ims_ctx *ctx = ctx_new();
	struct ims_ioas_alloc a = { .size = sizeof(a), .flags = 1 };

	ck_assert_int_eq(ims_ioas_alloc(ctx, &a), -EOPNOTSUPP);
	ck_assert_uint_eq(ims_ctx_num_objects(ctx), 0);
	ctx_free(ctx);
}
END_TEST

/* ---- IOAS_IOVA_RANGES ------------------------------------------------------------ */

START_TEST(ioas_iova_ranges_unknown_ioas_enoent)
{
	struct ims_ctx *ctx = ctx_new();
	struct ims_iova_range r[1];
	uint32_t n;

	ck_assert_int_eq(ranges(ctx, 9, r, 1, &n, NULL), -ENOENT);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_iova_ranges_reserved_field_eopnotsupp)
{
	struct ims_ctx *ctx = ctx_new();
	struct ims_iova_range r[1];
	struct ims_ioas_iova_ranges c = { .size = sizeof(c), .ioas_id = ioas_new(ctx),
					  .num_iovas = 1, .reserved = 1,
					  .allowed_iovas = (uintptr_t)r };

	ck_assert_int_eq(ims_ioas_iova_ranges(ctx, &c), -EOPNOTSUPP);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_iova_ranges_holes_of_reserved)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx), n;
	struct ims_iova_range r[4];

	ck_assert_int_eq(reserve(ctx, ioas, 0x1000, 0x1fff), 0);
	ck_assert_int_eq(reserve(ctx, ioas, 0x1800, 0x2fff), 0); /* overlapping */
	ck_assert_int_eq(reserve(ctx, ioas, 0x3000, 0x3fff), 0); /* touching */
	ck_assert_int_eq(reserve(ctx, ioas, MAX64 - 0xfff, MAX64), 0);
	ck_assert_int_eq(ranges(ctx, ioas, r, 4, &n, NULL), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_u64_eq(r[0].start, 0);
	ck_assert_u64_eq(r[0].last, 0xfff);
	ck_assert_u64_eq(r[1].start, 0x4000);
	ck_assert_u64_eq(r[1].last, MAX64 - 0x1000);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_iova_ranges_small_array_emsgsize)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx), n;
	struct ims_iova_range r[3];

	memset(r, 0xee, sizeof(r));
	ck_assert_int_eq(reserve(ctx, ioas, 0x1000, 0x1fff), 0);
	ck_assert_int_eq(reserve(ctx, ioas, 0x3000, 0x3fff), 0);
	/* 3 ranges exist; room for 2: those are filled, the count is total. */
	ck_assert_int_eq(ranges(ctx, ioas, r, 2, &n, NULL), -EMSGSIZE);
	ck_assert_uint_eq(n, 3);
	ck_assert_u64_eq(r[0].last, 0xfff);
	ck_assert_u64_eq(r[1].start, 0x2000);
	ck_assert_u64_eq(r[2].start, 0xeeeeeeeeeeeeeeeeull);
	/* A size probe with no array. */
	ck_assert_int_eq(ranges(ctx, ioas, NULL, 0, &n, NULL), -EMSGSIZE);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ranges(ctx, ioas, r, 3, &n, NULL), 0);
	ck_assert_u64_eq(r[2].start, 0x4000);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_iova_ranges_null_array_efault)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t n;

	ck_assert_int_eq(ranges(ctx, ioas_new(ctx), NULL, 4, &n, NULL), -EFAULT);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_iova_ranges_ignore_allowed_list)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx), n;
	struct ims_iova_range al = { 0x10000, 0x1ffff }, r[2];

	ck_assert_int_eq(allow(ctx, ioas, &al, 1), 0);
	ck_assert_int_eq(ranges(ctx, ioas, r, 2, &n, NULL), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_u64_eq(r[0].last, MAX64);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_iova_ranges_alignment_follows_domains)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom d2k, d4k;

	ck_assert_int_eq(tdom_attach(ctx, ioas, &d2k, 0x800 | 0x200000, NULL, 0), 0);
	ck_assert_u64_eq(alignment_of(ctx, ioas), 0x800);
	ck_assert_int_eq(tdom_attach(ctx, ioas, &d4k, 0x1000, NULL, 0), 0);
	ck_assert_u64_eq(alignment_of(ctx, ioas), 0x1000);
	tdom_detach(ctx, ioas, &d4k);
	ck_assert_u64_eq(alignment_of(ctx, ioas), 0x800);
	tdom_detach(ctx, ioas, &d2k);
	ck_assert_u64_eq(alignment_of(ctx, ioas), 1);
	ctx_free(ctx);
}
END_TEST

/* ---- IOAS_ALLOW_IOVAS ------------------------------------------------------------ */

START_TEST(ioas_allow_iovas_start_not_below_last_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iova_range one_byte = { 0x1000, 0x1000 }, backwards = { 0x2000, 0x1000 };

	ck_assert_int_eq(allow(ctx, ioas, &one_byte, 1), -EINVAL);
	ck_assert_int_eq(allow(ctx, ioas, &backwards, 1), -EINVAL);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_allow_iovas_overlapping_ranges_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iova_range r[2] = { { 0x1000, 0x2fff }, { 0x2fff, 0x4fff } };
	struct ims_iova_range touching[2] = { { 0x1000, 0x2fff }, { 0x3000, 0x4fff } };

	ck_assert_int_eq(allow(ctx, ioas, r, 2), -EINVAL);
	ck_assert_int_eq(allow(ctx, ioas, touching, 2), 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_allow_iovas_over_reserved_eaddrinuse_keeps_old)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iova_range old = { 0x100000, 0x1fffff }, bad[2] = { { 0x300000, 0x3fffff },
								  { 0x7000, 0x8fff } };

	ck_assert_int_eq(allow(ctx, ioas, &old, 1), 0);
	ck_assert_int_eq(reserve(ctx, ioas, 0x8000, 0x8fff), 0);
	ck_assert_int_eq(allow(ctx, ioas, bad, 2), -EADDRINUSE);
	/* The old list still steers automatic placement. */
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0x10000000, 0x1000), 0x100000);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_allow_iovas_null_array_efault)
{
	struct ims_ctx *ctx = ctx_new();

	ck_assert_int_eq(allow(ctx, ioas_new(ctx), NULL, 1), -EFAULT);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_allow_iovas_unknown_ioas_enoent)
{
	struct ims_ctx *ctx = ctx_new();
	struct ims_iova_range r = { 0x1000, 0x1fff };

	ck_assert_int_eq(allow(ctx, 4, &r, 1), -ENOENT);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_allow_iovas_reserved_field_eopnotsupp)
{
	struct ims_ctx *ctx = ctx_new();
	struct ims_ioas_allow_iovas a = { .size = sizeof(a), .ioas_id = ioas_new(ctx),
					  .reserved = 2 };

	ck_assert_int_eq(ims_ioas_allow_iovas(ctx, &a), -EOPNOTSUPP);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_allow_iovas_zero_clears_list)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iova_range r = { 0x100000, 0x1fffff };

	ck_assert_int_eq(allow(ctx, ioas, &r, 1), 0);
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x1000), 0x100000);
	ck_assert_int_eq(allow(ctx, ioas, NULL, 0), 0);
	/* Back to [4096, ...]. */
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x1000), 0x1000);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_allow_iovas_then_reserve_eaddrinuse)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iova_range r = { 0x100000, 0x1fffff };
	struct tdom t;
	struct ims_iova_window w = { 0x0, 0x17ffff }; /* an aperture cutting into it */

	ck_assert_int_eq(allow(ctx, ioas, &r, 1), 0);
	ck_assert_int_eq(reserve(ctx, ioas, 0x1ff000, 0x200fff), -EADDRINUSE);
	ck_assert_int_eq(reserve(ctx, ioas, 0x200000, 0x200fff), 0);
	/* A domain whose aperture would narrow the allowed range cannot attach. */
	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, &w, 1), -EADDRINUSE);
	ck_assert_u64_eq(alignment_of(ctx, ioas), 1);
	ctx_free(ctx);
}
END_TEST

/* ---- IOAS_MAP: argument checks --------------------------------------------------- */

START_TEST(ioas_map_fixed_reads_back)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t pa;
	unsigned prot;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x80000, 0x3000), 0);
	ck_assert_int_eq(ims_iopt_iova_to_pa(iopt_of(ctx, ioas), 0x12345, &pa, &prot), 0);
	ck_assert_u64_eq(pa, 0x82345);
	ck_assert_uint_eq(prot, IMS_PROT_READ | IMS_PROT_WRITE);
	ck_assert(!is_mapped(ctx, ioas, 0x13000, NULL));
	ck_assert(!is_mapped(ctx, ioas, 0xffff, NULL));
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_unknown_flag_eopnotsupp)
{
	struct ims_ctx *ctx = ctx_new();
	uint64_t iova = 0x1000;

	ck_assert_int_eq(map(ctx, ioas_new(ctx), RW | FIXED | 0x10, 0, 0x1000, &iova), -EOPNOTSUPP);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_reserved_field_eopnotsupp)
{
	struct ims_ctx *ctx = ctx_new();
	struct ims_ioas_map m = { .size = sizeof(m), .flags = RW, .ioas_id = ioas_new(ctx),
				  .reserved = 1, .length = 0x1000 };

	ck_assert_int_eq(ims_ioas_map(ctx, &m), -EOPNOTSUPP);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_iova_or_length_max_eoverflow)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t iova = MAX64;

	ck_assert_int_eq(map(ctx, ioas, RW | FIXED, 0, 0x1000, &iova), -EOVERFLOW);
	iova = 0x1000;
	ck_assert_int_eq(map(ctx, ioas, RW | FIXED, 0, MAX64, &iova), -EOVERFLOW);
	/* Checked before the IOAS is even looked up. */
	ck_assert_int_eq(map(ctx, 77, RW, 0, MAX64, &iova), -EOVERFLOW);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_neither_read_nor_write_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint64_t iova = 0x1000;

	ck_assert_int_eq(map(ctx, ioas_new(ctx), FIXED, 0x1000, 0x1000, &iova), -EINVAL);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_unknown_ioas_enoent)
{
	struct ims_ctx *ctx = ctx_new();

	ck_assert_int_eq(map_fixed(ctx, 1, 0x1000, 0x1000, 0x1000), -ENOENT);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_user_va_wraps_eoverflow)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, MAX64 - 0xfff, 0x2000), -EOVERFLOW);
	/* Ending exactly at 2^64 also wraps. */
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, MAX64 - 0xfff, 0x1000), -EOVERFLOW);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, MAX64 - 0x1000, 0x1000), 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_length_zero_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint64_t iova = 0;

	ck_assert_int_eq(map_fixed(ctx, ioas_new(ctx), 0x1000, 0x1000, 0), -EINVAL);
	ck_assert_int_eq(map(ctx, 1, RW, 0x1000, 0, &iova), -EINVAL);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_length_not_multiple_of_alignment_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom t;

	/* Without a domain any byte granularity works. */
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1003, 0x7003, 0x11), 0);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), 0);
	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, NULL, 0), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, 0x1000, 0x1800), -EINVAL);
	tdom_detach(ctx, ioas, &t);
	ctx_free(ctx);
}
END_TEST

/* ---- IOAS_MAP: fixed IOVA -------------------------------------------------------- */

START_TEST(ioas_map_fixed_iova_misaligned_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom t;

	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, NULL, 0), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1800, 0x2000, 0x1000), -EINVAL);
	tdom_detach(ctx, ioas, &t);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_fixed_iova_wraps_eoverflow)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);

	ck_assert_int_eq(map_fixed(ctx, ioas, MAX64 - 0xfff, 0x1000, 0x2000), -EOVERFLOW);
	/* The very last page is mappable. */
	ck_assert_int_eq(map_fixed(ctx, ioas, MAX64 - 0xfff, 0x1000, 0x1000), 0);
	ck_assert(is_mapped(ctx, ioas, MAX64, NULL));
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_fixed_on_reserved_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);

	ck_assert_int_eq(reserve(ctx, ioas, 0xfee00000, 0xfeefffff), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0xfed00000, 0x1000000, 0x100001), -EINVAL);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0xfeeff000, 0x1000000, 0x1000), -EINVAL);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0xfed00000, 0x1000000, 0x100000), 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_fixed_overlap_eexist)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t pa;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x100000, 0x4000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x200000, 0x4000), -EEXIST);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0xf000, 0x200000, 0x2000), -EEXIST);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x13fff, 0x200000, 0x1), -EEXIST);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x8000, 0x200000, 0x10000), -EEXIST);
	/* The existing mapping was not replaced. */
	ck_assert(is_mapped(ctx, ioas, 0x10000, &pa));
	ck_assert_u64_eq(pa, 0x100000);
	/* Touching neighbours are fine. */
	ck_assert_int_eq(map_fixed(ctx, ioas, 0xf000, 0x200000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x14000, 0x200000, 0x1000), 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_sub_page_offset_misaligned_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom t;

	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x800, NULL, 0), 0);
	/* The memory's offset in its page must be a multiple of the alignment. */
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, 0x5400, 0x800), -EINVAL);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, 0x5800, 0x800), 0);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), 0);
	tdom_detach(ctx, ioas, &t);
	ctx_free(ctx);
}
END_TEST

/* ---- IOAS_MAP: automatic IOVA ---------------------------------------------------- */

START_TEST(ioas_map_auto_never_returns_zero)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iova_range r = { 0, 0xffff };

	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0x200000, 0x1000), 0x1000);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), 0);
	/* Even when the allowed list starts at 0. */
	ck_assert_int_eq(allow(ctx, ioas, &r, 1), 0);
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x1000), 0x1000);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_auto_alignment_from_length)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);

	/* user_va 0: roundup_pow_of_two(0x3000) = 0x4000. */
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x3000), 0x4000);
	/* A 2 MiB-aligned user_va: the length decides (0x10000). */
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0x40000000, 0x10000), 0x10000);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_auto_alignment_from_user_va)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);

	/* Lowest set bit of user_va (0x2000) below roundup(length) (0x10000). */
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0x102000, 0x10000), 0x2000);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_auto_alignment_capped_at_2m)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);

	/* Both ask for 1 GiB; the cap is the THP size. */
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0x40000000, 0x40000000), 0x200000);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_auto_keeps_page_offset)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t pa, iova = map_auto_ok(ctx, ioas, 0x7234, 0x10);

	/* Alignment 4 (lowest bit of 0x7234); low 12 bits of user_va kept. */
	ck_assert_u64_eq(iova, 0x1234);
	ck_assert(is_mapped(ctx, ioas, iova, &pa));
	ck_assert_u64_eq(pa, 0x7234);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_auto_first_fit_skips_areas_and_reserved)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);

	ck_assert_int_eq(reserve(ctx, ioas, 0x1000, 0x4fff), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x5000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x8000, 0x1000, 0x1000), 0);
	/* 0x6000-0x7fff is the first hole: 0x1000 fits, 0x4000 does not. */
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x1000), 0x6000);
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x4000), 0xc000);
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x1000), 0x7000);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_auto_inside_allowed_ranges)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iova_range r[2] = { { 0x100000, 0x100fff }, { 0x101000, 0x10ffff } };
	uint64_t iova = 0;

	ck_assert_int_eq(allow(ctx, ioas, r, 2), 0);
	/* Touching allowed ranges form one span: 0x2000 straddles them. */
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x2000), 0x100000);
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x4000), 0x104000);
	/* Larger than what is left of the allowed span. */
	ck_assert_int_eq(map(ctx, ioas, RW, 0, 0x10000, &iova), -ENOSPC);
	/* Fixed maps are not limited by the allowed list. */
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x200000, 0, 0x10000), 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_auto_no_room_enospc)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t iova = 0;

	ck_assert_int_eq(reserve(ctx, ioas, 0x100000, MAX64), 0);
	ck_assert_int_eq(map(ctx, ioas, RW, 0, 0x100000, &iova), -ENOSPC);
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x80000), 0x80000);
	ck_assert_int_eq(map(ctx, ioas, RW, 0, 0x80000, &iova), -ENOSPC);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_auto_huge_length_eoverflow)
{
	struct ims_ctx *ctx = ctx_new();
	uint64_t iova = 0;

	ck_assert_int_eq(map(ctx, ioas_new(ctx), RW, 0, 1ull << 63, &iova), -EOVERFLOW);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_auto_alignment_below_ioas_alignment_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom t;
	uint64_t iova = 0;

	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, NULL, 0), 0);
	/* user_va 0x1800 gives alignment 0x800 < 0x1000. */
	ck_assert_int_eq(map(ctx, ioas, RW, 0x1800, 0x1000, &iova), -EINVAL);
	tdom_detach(ctx, ioas, &t);
	ctx_free(ctx);
}
END_TEST

/* ---- IOAS_MAP with domains ------------------------------------------------------- */

START_TEST(ioas_map_pushes_into_attached_domains)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom a, b;
	uint64_t pa;
	unsigned prot;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x500000, 0x2000), 0);
	ck_assert_int_eq(tdom_attach(ctx, ioas, &a, 0x1000, NULL, 0), 0);
	/* An existing area was filled in at attach. */
	ck_assert(mock_domain_lookup(a.d.dom, 0x11000, &pa, &prot));
	ck_assert_u64_eq(pa, 0x501000);
	ck_assert_int_eq(tdom_attach(ctx, ioas, &b, 0x1000, NULL, 0), 0);
	ck_assert_int_eq(map(ctx, ioas, FIXED | IMS_IOAS_MAP_READABLE, 0x600000, 0x1000,
			     &(uint64_t){ 0x20000 }), 0);
	for (int i = 0; i < 2; i++) {
		void *dom = i ? b.d.dom : a.d.dom;

		ck_assert(mock_domain_lookup(dom, 0x20000, &pa, &prot));
		ck_assert_u64_eq(pa, 0x600000);
		ck_assert_uint_eq(prot, IMS_PROT_READ);
		ck_assert_uint_eq(mock_domain_nmaps(dom), 2);
	}
	/* Unmap takes it out of every domain and flushes. */
	ck_assert_int_eq(unmap(ctx, ioas, 0x20000, 0x1000, NULL), 0);
	ck_assert(!mock_domain_lookup(a.d.dom, 0x20000, &pa, &prot));
	ck_assert(!mock_domain_lookup(b.d.dom, 0x20000, &pa, &prot));
	ck_assert_uint_ge(mock_stats(mock_of(ctx))->sync_calls, 2);
	tdom_detach(ctx, ioas, &a);
	tdom_detach(ctx, ioas, &b);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_domain_failure_rolls_back)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom a, b;

	ck_assert_int_eq(tdom_attach(ctx, ioas, &a, 0x1000, NULL, 0), 0);
	ck_assert_int_eq(tdom_attach(ctx, ioas, &b, 0x1000, NULL, 0), 0);
	/* The second domain's map fails: the first is unmapped again. */
	mock_fail_map(mock_of(ctx), 2, -ENOMEM);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x500000, 0x2000), -ENOMEM);
	ck_assert_uint_eq(mock_domain_nmaps(a.d.dom), 0);
	ck_assert_uint_eq(mock_domain_nmaps(b.d.dom), 0);
	ck_assert(!is_mapped(ctx, ioas, 0x10000, NULL));
	/* The IOVA is free again. */
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x500000, 0x2000), 0);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), 0);
	tdom_detach(ctx, ioas, &a);
	tdom_detach(ctx, ioas, &b);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_unpinnable_memory_with_domain_efault)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom t;

	ck_assert_int_eq(ims_mem_add_abort(ims_ctx_mem(ctx), 0x800000, 0x80ffff), 0);
	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, NULL, 0), 0);
	/* Even when only the last page is bad. */
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x7ff000, 0x2000), -EFAULT);
	ck_assert(!is_mapped(ctx, ioas, 0x10000, NULL));
	ck_assert_uint_eq(mock_domain_nmaps(t.d.dom), 0);
	tdom_detach(ctx, ioas, &t);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_map_unpinnable_memory_fails_later_domain_efault)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom t;
	struct ims_iova_range r[2];
	uint32_t n;

	ck_assert_int_eq(ims_mem_add_abort(ims_ctx_mem(ctx), 0x800000, 0x80ffff), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, 0x100000, 0x1000), 0);
	/* Without a domain the memory is not pinned yet: accepted. */
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x800000, 0x1000), 0);
	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, &(struct ims_iova_window){ 0, 0xffffffff },
				     1), -EFAULT);
	/* Nothing of the failed attach is left behind. */
	ck_assert_uint_eq(iopt_of(ctx, ioas)->ndomains, 0);
	ck_assert_int_eq(ranges(ctx, ioas, r, 2, &n, NULL), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(unmap(ctx, ioas, 0x10000, 0x1000, NULL), 0);
	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, NULL, 0), 0);
	ck_assert_uint_eq(mock_domain_nmaps(t.d.dom), 1);
	tdom_detach(ctx, ioas, &t);
	ctx_free(ctx);
}
END_TEST

/* ---- IOAS_MAP_FILE, IOAS_CHANGE_PROCESS, IOAS_RESERVE ---------------------------- */

START_TEST(ioas_map_file_any_fd_ebadf)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_ioas_map_file f = { .size = sizeof(f), .flags = RW, .ioas_id = ioas, .fd = 3,
				       .length = 0x1000 };

	ck_assert_int_eq(ims_ioas_map_file(ctx, &f), -EBADF);
	f.flags |= 0x40;
	ck_assert_int_eq(ims_ioas_map_file(ctx, &f), -EOPNOTSUPP);
	f.flags = RW;
	f.ioas_id = 99;
	ck_assert_int_eq(ims_ioas_map_file(ctx, &f), -ENOENT);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_change_process_with_areas_einval)
{
	struct ims_ctx *ctx = ctx_new();
	struct ims_ioas_change_process c = { .size = sizeof(c) };
	uint32_t a = ioas_new(ctx), b = ioas_new(ctx);

	ck_assert_int_eq(ims_ioas_change_process(ctx, &c), 0);
	ck_assert_int_eq(map_fixed(ctx, b, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(ims_ioas_change_process(ctx, &c), -EINVAL);
	(void)a;
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_reserve_last_below_start_einval)
{
	struct ims_ctx *ctx = ctx_new();

	ck_assert_int_eq(reserve(ctx, ioas_new(ctx), 0x2000, 0x1fff), -EINVAL);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_reserve_over_area_eaddrinuse)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(reserve(ctx, ioas, 0x10fff, 0x20000), -EADDRINUSE);
	ck_assert_int_eq(reserve(ctx, ioas, 0x11000, 0x20000), 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_reserve_unknown_ioas_enoent)
{
	struct ims_ctx *ctx = ctx_new();

	ck_assert_int_eq(reserve(ctx, 3, 0x1000, 0x1fff), -ENOENT);
	ctx_free(ctx);
}
END_TEST

/* ---- IOAS_COPY ------------------------------------------------------------------- */

START_TEST(ioas_copy_maps_same_memory)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t src = ioas_new(ctx), dst = ioas_new(ctx);
	uint64_t dst_iova = 0x900000, pa;

	ck_assert_int_eq(map_fixed(ctx, src, 0x10000, 0x500000, 0x4000), 0);
	/* Any sub-range of an area, at a fixed destination. */
	ck_assert_int_eq(copy(ctx, dst, src, RW | FIXED, 0x11000, 0x2000, &dst_iova), 0);
	ck_assert(is_mapped(ctx, dst, 0x901234, &pa));
	ck_assert_u64_eq(pa, 0x502234);
	ck_assert(!is_mapped(ctx, dst, 0x902000, NULL));
	/* Automatic destination, alignment from the memory address. */
	dst_iova = 0;
	ck_assert_int_eq(copy(ctx, dst, src, IMS_IOAS_MAP_READABLE, 0x10000, 0x1000, &dst_iova), 0);
	ck_assert_u64_eq(dst_iova, 0x1000);
	/* Copy inside one IOAS. */
	dst_iova = 0x20000;
	ck_assert_int_eq(copy(ctx, src, src, RW | FIXED, 0x10000, 0x4000, &dst_iova), 0);
	ck_assert(is_mapped(ctx, src, 0x23fff, &pa));
	ck_assert_u64_eq(pa, 0x503fff);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_copy_across_areas_makes_one_area_each)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t src = ioas_new(ctx), dst = ioas_new(ctx);
	uint64_t dst_iova = 0x100000, pa, n;

	ck_assert_int_eq(map_fixed(ctx, src, 0x10000, 0x500000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, src, 0x11000, 0x700000, 0x1000), 0);
	ck_assert_int_eq(copy(ctx, dst, src, RW | FIXED, 0x10800, 0x1000, &dst_iova), 0);
	ck_assert(is_mapped(ctx, dst, 0x100000, &pa));
	ck_assert_u64_eq(pa, 0x500800);
	ck_assert(is_mapped(ctx, dst, 0x100800, &pa));
	ck_assert_u64_eq(pa, 0x700000);
	ck_assert_uint_eq(iopt_of(ctx, dst)->areas.count, 2);
	/* They are separate areas: the first alone can be unmapped. */
	ck_assert_int_eq(unmap(ctx, dst, 0x100000, 0x800, &n), 0);
	ck_assert_u64_eq(n, 0x800);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_copy_unknown_flag_eopnotsupp)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t a = ioas_new(ctx);
	uint64_t d = 0;

	ck_assert_int_eq(copy(ctx, a, a, RW | 0x100, 0x1000, 0x1000, &d), -EOPNOTSUPP);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_copy_max_values_eoverflow)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t a = ioas_new(ctx);
	uint64_t d = 0;

	ck_assert_int_eq(copy(ctx, a, a, RW, 0x1000, MAX64, &d), -EOVERFLOW);
	ck_assert_int_eq(copy(ctx, a, a, RW, MAX64, 0x1000, &d), -EOVERFLOW);
	d = MAX64;
	ck_assert_int_eq(copy(ctx, a, a, RW | FIXED, 0x1000, 0x1000, &d), -EOVERFLOW);
	/* src_iova + length - 1 wraps. */
	d = 0;
	ck_assert_int_eq(copy(ctx, a, a, RW, MAX64 - 0xfff, 0x2000, &d), -EOVERFLOW);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_copy_neither_read_nor_write_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t a = ioas_new(ctx);
	uint64_t d = 0;

	ck_assert_int_eq(copy(ctx, a, a, FIXED, 0x1000, 0x1000, &d), -EINVAL);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_copy_length_zero_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t a = ioas_new(ctx);
	uint64_t d = 0;

	ck_assert_int_eq(map_fixed(ctx, a, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(copy(ctx, a, a, RW, 0x1000, 0, &d), -EINVAL);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_copy_unknown_ioas_enoent)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t a = ioas_new(ctx);
	uint64_t d = 0;

	ck_assert_int_eq(map_fixed(ctx, a, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(copy(ctx, a, 9, RW, 0x1000, 0x1000, &d), -ENOENT);
	ck_assert_int_eq(copy(ctx, 9, a, RW, 0x1000, 0x1000, &d), -ENOENT);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_copy_source_hole_enoent)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t a = ioas_new(ctx), b = ioas_new(ctx);
	uint64_t d = 0;

	ck_assert_int_eq(map_fixed(ctx, a, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, a, 0x3000, 0x3000, 0x1000), 0);
	ck_assert_int_eq(copy(ctx, b, a, RW, 0x1000, 0x3000, &d), -ENOENT);
	ck_assert_int_eq(copy(ctx, b, a, RW, 0x800, 0x1000, &d), -ENOENT);
	ck_assert_int_eq(copy(ctx, b, a, RW, 0x3800, 0x1000, &d), -ENOENT);
	ck_assert_uint_eq(iopt_of(ctx, b)->areas.count, 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_copy_writeable_from_read_only_eperm)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t a = ioas_new(ctx), b = ioas_new(ctx);
	uint64_t d = 0x1000, iova = 0x1000;

	ck_assert_int_eq(map(ctx, a, FIXED | IMS_IOAS_MAP_READABLE, 0x1000, 0x1000, &iova), 0);
	ck_assert_int_eq(copy(ctx, b, a, RW | FIXED, 0x1000, 0x1000, &d), -EPERM);
	ck_assert_int_eq(copy(ctx, b, a, IMS_IOAS_MAP_READABLE | FIXED, 0x1000, 0x1000, &d), 0);
	/* A copy of a copy keeps the read-only memory read-only. */
	iova = 0x5000;
	ck_assert_int_eq(copy(ctx, a, b, RW | FIXED, 0x1000, 0x1000, &iova), -EPERM);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_copy_destination_overlap_eexist)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t a = ioas_new(ctx);
	uint64_t d = 0x1800;

	ck_assert_int_eq(map_fixed(ctx, a, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(copy(ctx, a, a, RW | FIXED, 0x1000, 0x1000, &d), -EEXIST);
	ctx_free(ctx);
}
END_TEST

/* ---- IOAS_UNMAP ------------------------------------------------------------------ */

START_TEST(ioas_unmap_whole_areas_and_holes)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t n = 0;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x3000, 0x3000, 0x2000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x9000, 0x3000, 0x1000), 0);
	ck_assert_int_eq(unmap(ctx, ioas, 0x0, 0x6000, &n), 0);
	ck_assert_u64_eq(n, 0x3000);
	ck_assert(!is_mapped(ctx, ioas, 0x1000, NULL));
	ck_assert(!is_mapped(ctx, ioas, 0x4000, NULL));
	ck_assert(is_mapped(ctx, ioas, 0x9000, NULL));
	/* Exactly one area. */
	ck_assert_int_eq(unmap(ctx, ioas, 0x9000, 0x1000, &n), 0);
	ck_assert_u64_eq(n, 0x1000);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_unmap_partial_area_enoent)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t n = 0x777;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x4000, 0x1000, 0x4000), 0);
	/* Sticking out at the start, at the end, or strictly inside. */
	ck_assert_int_eq(unmap(ctx, ioas, 0x5000, 0x4000, &n), -ENOENT);
	ck_assert_int_eq(unmap(ctx, ioas, 0x2000, 0x4000, &n), -ENOENT);
	ck_assert_int_eq(unmap(ctx, ioas, 0x5000, 0x1000, &n), -ENOENT);
	/* length is not written back on failure. */
	ck_assert_u64_eq(n, 0x1000);
	ck_assert(is_mapped(ctx, ioas, 0x4000, NULL));
	ck_assert(is_mapped(ctx, ioas, 0x7fff, NULL));
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_unmap_failure_is_not_atomic_enoent)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t n = 0;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x3000, 0x3000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x5000, 0x5000, 0x2000), 0);
	/* The third area sticks out; the first two were already removed. */
	ck_assert_int_eq(unmap(ctx, ioas, 0x0, 0x6000, &n), -ENOENT);
	ck_assert(!is_mapped(ctx, ioas, 0x1000, NULL));
	ck_assert(!is_mapped(ctx, ioas, 0x3000, NULL));
	ck_assert(is_mapped(ctx, ioas, 0x5000, NULL));
	ck_assert_uint_eq(iopt_of(ctx, ioas)->areas.count, 1);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_unmap_nothing_mapped_enoent)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);

	ck_assert_int_eq(unmap(ctx, ioas, 0x1000, 0x1000, NULL), -ENOENT);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(unmap(ctx, ioas, 0x2000, 0x1000, NULL), -ENOENT);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_unmap_unknown_ioas_enoent)
{
	struct ims_ctx *ctx = ctx_new();

	ck_assert_int_eq(unmap(ctx, 5, 0, MAX64, NULL), -ENOENT);
	/* The ID is checked before anything else. */
	ck_assert_int_eq(unmap(ctx, 5, 0x1000, 0, NULL), -ENOENT);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_unmap_length_zero_einval)
{
	struct ims_ctx *ctx = ctx_new();

	ck_assert_int_eq(unmap(ctx, ioas_new(ctx), 0x1000, 0, NULL), -EINVAL);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_unmap_max_values_eoverflow)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);

	ck_assert_int_eq(unmap(ctx, ioas, MAX64, 1, NULL), -EOVERFLOW);
	ck_assert_int_eq(unmap(ctx, ioas, 0x1000, MAX64, NULL), -EOVERFLOW);
	ck_assert_int_eq(unmap(ctx, ioas, MAX64 - 0xfff, 0x2000, NULL), -EOVERFLOW);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_unmap_all_form)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t n = 5;

	/* Succeeds on an empty IOAS. */
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, &n), 0);
	ck_assert_u64_eq(n, 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, MAX64 - 0xfff, 0x1000, 0x1000), 0);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, &n), 0);
	ck_assert_u64_eq(n, 0x2000);
	ck_assert_uint_eq(iopt_of(ctx, ioas)->areas.count, 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(ioas_unmap_pinned_area_ebusy)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iopt_pin pin;
	uint64_t n;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x2000, 0x2000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x3000, 0x3000, 0x2000), 0);
	ck_assert_int_eq(ims_iopt_pin(iopt_of(ctx, ioas), 0x2800, 0x100, &pin), 0);
	ck_assert_int_eq(unmap(ctx, ioas, 0x2000, 0x1000, NULL), -EBUSY);
	/* A pinned area answers EBUSY even where it would stick out. */
	ck_assert_int_eq(unmap(ctx, ioas, 0x2800, 0x800, NULL), -EBUSY);
	/* Neighbours stay unmappable. */
	ck_assert_int_eq(unmap(ctx, ioas, 0x3000, 0x2000, &n), 0);
	/* Unmap-all stops at it too, after removing what came before. */
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), -EBUSY);
	ck_assert(!is_mapped(ctx, ioas, 0x1000, NULL));
	ck_assert(is_mapped(ctx, ioas, 0x2000, NULL));
	ims_iopt_unpin(iopt_of(ctx, ioas), &pin);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, &n), 0);
	ck_assert_u64_eq(n, 0x1000);
	ctx_free(ctx);
}
END_TEST

/* ---- OPTION HUGE_PAGES ----------------------------------------------------------- */

START_TEST(option_huge_pages_disable_raises_alignment)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t v = 0;

	ck_assert_int_eq(huge_pages(ctx, ioas, IMS_OPTION_OP_SET, &v), 0);
	ck_assert_u64_eq(alignment_of(ctx, ioas), 0x1000);
	ck_assert_int_eq(huge_pages(ctx, ioas, IMS_OPTION_OP_GET, &v), 0);
	ck_assert_u64_eq(v, 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1800, 0x1000, 0x1000), -EINVAL);
	v = 1;
	ck_assert_int_eq(huge_pages(ctx, ioas, IMS_OPTION_OP_SET, &v), 0);
	ck_assert_u64_eq(alignment_of(ctx, ioas), 1);
	ctx_free(ctx);
}
END_TEST

START_TEST(option_huge_pages_misaligned_area_eaddrinuse)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t v = 0;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x2000, 0x1800, 0x1000), 0);
	ck_assert_int_eq(huge_pages(ctx, ioas, IMS_OPTION_OP_SET, &v), -EADDRINUSE);
	ck_assert_int_eq(huge_pages(ctx, ioas, IMS_OPTION_OP_GET, &v), 0);
	ck_assert_u64_eq(v, 1);
	ck_assert_u64_eq(alignment_of(ctx, ioas), 1);
	ctx_free(ctx);
}
END_TEST

START_TEST(option_huge_pages_disable_with_mapped_domain_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom t;
	uint64_t v = 0;

	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000 | 0x200000, NULL, 0), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x200000, 0x200000, 0x200000), 0);
	ck_assert_int_eq(huge_pages(ctx, ioas, IMS_OPTION_OP_SET, &v), -EINVAL);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), 0);
	/* With the domain empty it works, and later maps ask for small pages. */
	ck_assert_int_eq(huge_pages(ctx, ioas, IMS_OPTION_OP_SET, &v), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x200000, 0x200000, 0x200000), 0);
	ck_assert_uint_eq(mock_stats(mock_of(ctx))->small_page_maps, 1);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), 0);
	tdom_detach(ctx, ioas, &t);
	ctx_free(ctx);
}
END_TEST

START_TEST(option_huge_pages_bad_value_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint64_t v = 2;

	ck_assert_int_eq(huge_pages(ctx, ioas_new(ctx), IMS_OPTION_OP_SET, &v), -EINVAL);
	ctx_free(ctx);
}
END_TEST

START_TEST(option_huge_pages_not_an_ioas_enoent)
{
	struct ims_ctx *ctx = ctx_new();
	uint64_t v = 0;

	ck_assert_int_eq(huge_pages(ctx, 0, IMS_OPTION_OP_GET, &v), -ENOENT);
	ck_assert_int_eq(huge_pages(ctx, 8, IMS_OPTION_OP_GET, &v), -ENOENT);
	ctx_free(ctx);
}
END_TEST

START_TEST(option_huge_pages_unknown_op_eopnotsupp)
{
	struct ims_ctx *ctx = ctx_new();
	uint64_t v = 0;

	ck_assert_int_eq(huge_pages(ctx, ioas_new(ctx), 9, &v), -EOPNOTSUPP);
	ctx_free(ctx);
}
END_TEST

/* ---- domains: alignment, apertures, reserved ranges ------------------------------ */

START_TEST(domain_attach_page_size_above_4k_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom t;

	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x10000, NULL, 0), -EINVAL);
	ctx_free(ctx);
}
END_TEST

START_TEST(domain_attach_misaligned_area_eaddrinuse)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct tdom t;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x1800, 0x1800, 0x800), 0);
	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, NULL, 0), -EADDRINUSE);
	ck_assert_u64_eq(alignment_of(ctx, ioas), 1);
	/* A 2 KiB domain accepts it. */
	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x800, NULL, 0), 0);
	ck_assert_uint_eq(mock_domain_nmaps(t.d.dom), 1);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), 0);
	tdom_detach(ctx, ioas, &t);
	ctx_free(ctx);
}
END_TEST

START_TEST(domain_aperture_complement_is_reserved)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx), n;
	struct ims_iova_window w[2] = { { 0x0, 0xffffffff }, { 0x800000000000, 0xffffffffffff } };
	struct ims_iova_range r[4];
	struct tdom t;

	/* A small 32-bit window plus a large 64-bit one (POWER-style). */
	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, w, 2), 0);
	ck_assert_int_eq(ranges(ctx, ioas, r, 4, &n, NULL), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_u64_eq(r[0].start, 0);
	ck_assert_u64_eq(r[0].last, 0xffffffff);
	ck_assert_u64_eq(r[1].start, 0x800000000000);
	ck_assert_u64_eq(r[1].last, 0xffffffffffff);
	/* Enforced on map; automatic placement stays inside. */
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x100000000, 0x1000, 0x1000), -EINVAL);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x800000000000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(reserve(ctx, ioas, 0x1000, 0xffffffff), 0);
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0x2000, 0x2000), 0x800000002000);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), 0);
	/* Detaching widens the ranges again. */
	tdom_detach(ctx, ioas, &t);
	ck_assert_int_eq(ranges(ctx, ioas, r, 4, &n, NULL), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_u64_eq(r[0].last, 0xfff);
	ck_assert_u64_eq(r[1].start, 0x100000000);
	ck_assert_u64_eq(r[1].last, MAX64);
	ctx_free(ctx);
}
END_TEST

START_TEST(domain_aperture_over_area_eaddrinuse)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx), n;
	struct ims_iova_window w = { 0x0, 0xffffffff };
	struct ims_iova_range r[2];
	struct tdom t;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x100000000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, &w, 1), -EADDRINUSE);
	ck_assert_int_eq(ranges(ctx, ioas, r, 2, &n, NULL), 0);
	ck_assert_uint_eq(n, 1);
	ctx_free(ctx);
}
END_TEST

START_TEST(domain_malformed_aperture_einval)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iova_window w[2] = { { 0x100000, 0x1fffff }, { 0x0, 0xfff } };
	struct tdom t;

	ck_assert_int_eq(tdom_attach(ctx, ioas, &t, 0x1000, w, 2), -EINVAL);
	ctx_free(ctx);
}
END_TEST

START_TEST(reserved_ranges_by_owner_come_and_go)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx), n;
	struct ims_iopt *iopt = iopt_of(ctx, ioas);
	struct ims_iova_range r[4];
	int dev_a, dev_b;

	/* Two devices behind one IOAS share the x86 MSI window. */
	ck_assert_int_eq(ims_iopt_reserve(iopt, 0xfee00000, 0xfeefffff, &dev_a), 0);
	ck_assert_int_eq(ims_iopt_reserve(iopt, 0xfee00000, 0xfeefffff, &dev_b), 0);
	ims_iopt_unreserve(iopt, &dev_a);
	ck_assert_int_eq(ranges(ctx, ioas, r, 4, &n, NULL), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_u64_eq(r[0].last, 0xfedfffff);
	ims_iopt_unreserve(iopt, &dev_b);
	ck_assert_int_eq(ranges(ctx, ioas, r, 4, &n, NULL), 0);
	ck_assert_uint_eq(n, 1);
	ctx_free(ctx);
}
END_TEST

START_TEST(reserve_complement_failure_keeps_earlier_ranges)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx), n;
	struct ims_iopt *iopt = iopt_of(ctx, ioas);
	struct ims_iova_window w = { 0x0, 0xffffffff };
	struct ims_iova_range r[4];
	int owner;

	ck_assert_int_eq(ims_iopt_reserve(iopt, 0x1000, 0x1fff, &owner), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x200000000, 0x1000, 0x1000), 0);
	ck_assert_int_eq(ims_iopt_reserve_complement(iopt, &w, 1, &owner), -EADDRINUSE);
	ck_assert_int_eq(ranges(ctx, ioas, r, 4, &n, NULL), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_u64_eq(r[1].last, MAX64);
	ctx_free(ctx);
}
END_TEST

/* ---- pins ------------------------------------------------------------------------ */

START_TEST(pin_reports_contiguous_memory)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iopt *iopt = iopt_of(ctx, ioas);
	struct ims_iopt_pin pin;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x500000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x11000, 0x501000, 0x1000), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x12000, 0x900000, 0x1000), 0);
	ck_assert_int_eq(ims_iopt_pin(iopt, 0x10800, 0x1000, &pin), 0);
	ck_assert(pin.contiguous);
	ck_assert_u64_eq(pin.pa, 0x500800);
	ims_iopt_unpin(iopt, &pin);
	ck_assert_int_eq(ims_iopt_pin(iopt, 0x11000, 0x2000, &pin), 0);
	ck_assert(!pin.contiguous);
	ims_iopt_unpin(iopt, &pin);
	ck_assert_uint_eq(iopt->npins, 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(pin_unmapped_range_enoent)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iopt_pin pin;

	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x500000, 0x1000), 0);
	ck_assert_int_eq(ims_iopt_pin(iopt_of(ctx, ioas), 0x10000, 0x2000, &pin), -ENOENT);
	ck_assert_int_eq(ims_iopt_pin(iopt_of(ctx, ioas), 0x10000, 0, &pin), -EINVAL);
	/* A failed pin holds nothing. */
	ck_assert_int_eq(unmap(ctx, ioas, 0x10000, 0x1000, NULL), 0);
	ctx_free(ctx);
}
END_TEST

START_TEST(pin_unpinnable_memory_efault)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	struct ims_iopt_pin pin;

	ck_assert_int_eq(ims_mem_add_abort(ims_ctx_mem(ctx), 0x501000, 0x501fff), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas, 0x10000, 0x500000, 0x2000), 0);
	ck_assert_int_eq(ims_iopt_pin(iopt_of(ctx, ioas), 0x10000, 0x2000, &pin), -EFAULT);
	ck_assert_int_eq(ims_iopt_pin(iopt_of(ctx, ioas), 0x10000, 0x1000, &pin), 0);
	ims_iopt_unpin(iopt_of(ctx, ioas), &pin);
	ctx_free(ctx);
}
END_TEST

/* ---- randomized run against a reference model ------------------------------------ */

#define REF_MAX 4096

struct ref_area {
	uint64_t iova, last, pa;
	bool writable;
	unsigned prot;
};

struct ref_range {
	uint64_t start, last;
};

struct ref {
	struct ref_area a[REF_MAX];
	unsigned na;
	struct ref_range res[64];
	unsigned nres;
	struct ref_range allowed[8];
	unsigned nallowed;
	uint64_t align;
};

static int cmp_area(const void *x, const void *y)
{
	const struct ref_area *a = x, *b = y;

	return a->iova < b->iova ? -1 : a->iova > b->iova;
}

static int cmp_range(const void *x, const void *y)
{
	const struct ref_range *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

static bool overlaps(uint64_t s1, uint64_t l1, uint64_t s2, uint64_t l2)
{
	return s1 <= l2 && s2 <= l1;
}

static bool ref_hits_area(const struct ref *r, uint64_t s, uint64_t l)
{
	for (unsigned i = 0; i < r->na; i++)
		if (overlaps(s, l, r->a[i].iova, r->a[i].last))
			return true;
	return false;
}

static bool ref_hits(const struct ref_range *v, unsigned n, uint64_t s, uint64_t l)
{
	for (unsigned i = 0; i < n; i++)
		if (overlaps(s, l, v[i].start, v[i].last))
			return true;
	return false;
}

/* The kernel's candidate check, written out again for the reference. */
static bool ref_fit(uint64_t *start, uint64_t last, uint64_t len, uint64_t align, uint64_t off)
{
	uint64_t a;

	if (*start > MAX64 - (align - 1))
		return false;
	a = ((*start + align - 1) & ~(align - 1)) | off;
	if (a >= last || last - a < len - 1)
		return false;
	*start = a;
	return true;
}

/* First fit over a naive sorted list of used intervals (areas + reserved). */
static int ref_alloc(const struct ref *r, uint64_t va, uint64_t len, uint64_t *iova)
{
	static struct ref_range used[REF_MAX + 64];
	struct ref_range spans[8];
	unsigned nu = 0, ns = 0;
	uint64_t align = 1, off = va % 4096;

	if (len == 0 || len >= MAX64 / 2)
		return -EOVERFLOW;
	while (align < len)
		align <<= 1;
	if (va && (va & -va) < align)
		align = va & -va;
	if (align >= 0x200000)
		align = 0x200000;
	if (align < r->align)
		return -EINVAL;
	for (unsigned i = 0; i < r->na; i++)
		used[nu++] = (struct ref_range){ r->a[i].iova, r->a[i].last };
	for (unsigned i = 0; i < r->nres; i++)
		used[nu++] = r->res[i];
	qsort(used, nu, sizeof(used[0]), cmp_range);
	if (!r->nallowed) {
		spans[ns++] = (struct ref_range){ 0x1000, MAX64 - 0x1000 };
	} else {
		struct ref_range al[8];

		memcpy(al, r->allowed, r->nallowed * sizeof(al[0]));
		qsort(al, r->nallowed, sizeof(al[0]), cmp_range);
		for (unsigned i = 0; i < r->nallowed; i++) {
			struct ref_range sp = al[i];

			/* touching allowed ranges form one span */
			while (i + 1 < r->nallowed && al[i + 1].start == sp.last + 1)
				sp.last = al[++i].last;
			if (sp.last < 0x1000)
				continue;
			if (sp.start < 0x1000)
				sp.start = 0x1000;
			spans[ns++] = sp;
		}
	}
	for (unsigned k = 0; k < ns; k++) {
		uint64_t cur = spans[k].start, e = spans[k].last, hs;
		bool covered = false;

		if (!ref_fit(&cur, e, len, align, off))
			continue;
		for (unsigned i = 0; i < nu; i++) {
			if (used[i].last < cur)
				continue;
			if (used[i].start > e)
				break;
			if (used[i].start > cur) {
				hs = cur;
				if (ref_fit(&hs, used[i].start - 1, len, align, off)) {
					*iova = hs;
					return 0;
				}
			}
			if (used[i].last >= e) {
				covered = true;
				break;
			}
			cur = used[i].last + 1;
		}
		hs = cur;
		if (!covered && ref_fit(&hs, e, len, align, off)) {
			*iova = hs;
			return 0;
		}
	}
	return -ENOSPC;
}

static void ref_insert(struct ref *r, uint64_t iova, uint64_t len, uint64_t pa, bool writable,
		       unsigned prot)
{
	ck_assert_uint_lt(r->na, REF_MAX);
	r->a[r->na++] = (struct ref_area){ iova, iova + len - 1, pa, writable, prot };
	qsort(r->a, r->na, sizeof(r->a[0]), cmp_area);
}

/* Pieces of a copy source, or -ENOENT. */
static int ref_pieces(const struct ref *r, uint64_t iova, uint64_t len, struct ref_area *out,
		      unsigned *n)
{
	uint64_t cur = iova, last = iova + len - 1;

	*n = 0;
	for (;;) {
		const struct ref_area *a = NULL;

		for (unsigned i = 0; i < r->na; i++)
			if (cur >= r->a[i].iova && cur <= r->a[i].last)
				a = &r->a[i];
		if (!a)
			return -ENOENT;
		out[*n].iova = 0;
		out[*n].pa = a->pa + (cur - a->iova);
		out[*n].last = (a->last < last ? a->last : last) - cur; /* length - 1 */
		out[*n].writable = a->writable;
		(*n)++;
		if (a->last >= last)
			return 0;
		cur = a->last + 1;
	}
}

static int ref_map(struct ref *r, const struct ref_area *pieces, unsigned n, uint64_t len,
		   uint64_t *iova, unsigned prot, bool fixed)
{
	uint64_t cur;
	int rc;

	if (!len || (len & (r->align - 1)))
		return -EINVAL;
	if (fixed) {
		if (*iova & (r->align - 1))
			return -EINVAL;
		if (len - 1 > MAX64 - *iova)
			return -EOVERFLOW;
		if (ref_hits(r->res, r->nres, *iova, *iova + len - 1))
			return -EINVAL;
		if (ref_hits_area(r, *iova, *iova + len - 1))
			return -EEXIST;
	} else {
		rc = ref_alloc(r, pieces[0].pa, len, iova);
		if (rc)
			return rc;
	}
	for (unsigned i = 0; i < n; i++) {
		if ((prot & IMS_PROT_WRITE) && !pieces[i].writable)
			return -EPERM;
		if ((pieces[i].pa % 4096) & (r->align - 1))
			return -EINVAL;
	}
	cur = *iova;
	for (unsigned i = 0; i < n; i++) {
		ref_insert(r, cur, pieces[i].last + 1, pieces[i].pa, pieces[i].writable, prot);
		cur += pieces[i].last + 1;
	}
	return 0;
}

static int ref_unmap(struct ref *r, uint64_t start, uint64_t last, uint64_t *unmapped)
{
	*unmapped = 0;
	for (unsigned i = 0; i < r->na;) {
		struct ref_area *a = &r->a[i];

		if (!overlaps(a->iova, a->last, start, last)) {
			i++;
			continue;
		}
		if (a->iova < start || a->last > last)
			return -ENOENT;
		*unmapped += a->last - a->iova + 1;
		memmove(a, a + 1, (r->na - i - 1) * sizeof(*a));
		r->na--;
	}
	return 0;
}

/* The io_pagetable and the reference agree on every area. */
static void check_same(struct ims_ctx *ctx, uint32_t ioas, const struct ref *r,
		       const struct tdom *t)
{
	struct ims_iopt *iopt = iopt_of(ctx, ioas);
	struct ims_area *a = ims_iopt_area_first(iopt, 0, MAX64);
	uint64_t bytes = 0;

	for (unsigned i = 0; i < r->na; i++, a = ims_iopt_area_next(a, 0, MAX64)) {
		ck_assert_ptr_nonnull(a);
		ck_assert_u64_eq(ims_area_iova(a), r->a[i].iova);
		ck_assert_u64_eq(ims_area_last(a), r->a[i].last);
		ck_assert_u64_eq(a->pa, r->a[i].pa);
		ck_assert_uint_eq(a->prot, r->a[i].prot);
		bytes += r->a[i].last - r->a[i].iova + 1;
	}
	ck_assert_ptr_null(a);
	ck_assert_int_eq(ims_itree_check(&iopt->areas), 0);
	ck_assert_int_eq(ims_itree_check(&iopt->reserved), 0);
	ck_assert_int_eq(ims_itree_check(&iopt->allowed), 0);
	if (t) {
		ck_assert_uint_eq(mock_domain_nmaps(t->d.dom), r->na);
		ck_assert_u64_eq(mock_domain_bytes(t->d.dom), bytes);
	}
}

/* g: granule of every IOVA, length and address drawn (1 exercises byte
 * granularity; 0x1000 runs with a 4 KiB domain attached). */
static void random_run(uint64_t seed, uint64_t g, bool with_domain, unsigned ops)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx), ioas2 = ioas_new(ctx);
	struct ref *r = calloc(1, sizeof(*r));
	struct ref_area *pieces = calloc(REF_MAX, sizeof(*pieces));
	uint64_t st = ims_test_seed(seed);
	struct tdom t;
	unsigned counts[8] = { 0 };

	ck_assert_ptr_nonnull(r);
	r->align = 1;
	if (with_domain) {
		ck_assert_int_eq(tdom_attach(ctx, ioas, &t, g, NULL, 0), 0);
		r->align = g;
	}
	/* Some read-only memory in the second IOAS for copies. */
	ck_assert_int_eq(map(ctx, ioas2, FIXED | IMS_IOAS_MAP_READABLE, 0x10000000, 64 * g,
			     &(uint64_t){ 0 }), 0);
	ck_assert_int_eq(map_fixed(ctx, ioas2, 64 * g, 0x20000000, 64 * g), 0);

	for (unsigned op = 0; op < ops; op++) {
		uint64_t x = ims_test_rand(&st), iova, len, va, got, want_iova = 0;
		unsigned kind = x % 100;
		int rc, want;

		len = (1 + ims_test_rand(&st) % 16) * g;
		iova = (ims_test_rand(&st) % 0x400) * g;
		va = (ims_test_rand(&st) % 0x10000) * g;
		if (kind < 30) { /* fixed map */
			struct ref_area p = { .pa = va, .last = len - 1, .writable = true };

			counts[0]++;
			want_iova = iova;
			want = ref_map(r, &p, 1, len, &want_iova, IMS_PROT_READ | IMS_PROT_WRITE,
				       true);
			rc = map_fixed(ctx, ioas, iova, va, len);
		} else if (kind < 45) { /* automatic map */
			struct ref_area p = { .pa = va, .last = len - 1, .writable = true };

			counts[1]++;
			want = ref_map(r, &p, 1, len, &want_iova, IMS_PROT_READ | IMS_PROT_WRITE,
				       false);
			got = 0;
			rc = map(ctx, ioas, RW, va, len, &got);
			if (!rc && !want)
				ck_assert_u64_eq(got, want_iova);
		} else if (kind < 70) { /* unmap */
			uint64_t n = 0, start = iova, last;

			counts[2]++;
			if (x % 7 == 0 && r->na) { /* exactly one area */
				const struct ref_area *a = &r->a[ims_test_rand(&st) % r->na];

				start = a->iova;
				len = a->last - a->iova + 1;
			} else {
				len *= 4;
			}
			last = start + len - 1;
			if (x % 23 == 0) {
				start = 0;
				last = MAX64;
				len = MAX64;
			}
			want = ref_unmap(r, start, last, &got);
			if (!want && !got && len != MAX64)
				want = -ENOENT;
			rc = unmap(ctx, ioas, start, len, &n);
			if (!rc)
				ck_assert_u64_eq(n, got);
		} else if (kind < 85) { /* copy from the second IOAS */
			unsigned n;
			uint64_t src = (ims_test_rand(&st) % 0x80) * g, clen = len;
			uint32_t flags = (x & 1) ? RW : IMS_IOAS_MAP_READABLE;
			bool fixed = x & 2;

			counts[3]++;
			{
				/* the second IOAS is static: [0, 64g) RO, [64g, 128g) RW */
				struct ref *s = calloc(1, sizeof(*s));

				s->a[0] = (struct ref_area){ 0, 64 * g - 1, 0x10000000, false,
							     IMS_PROT_READ };
				s->a[1] = (struct ref_area){ 64 * g, 128 * g - 1, 0x20000000, true,
							     IMS_PROT_READ | IMS_PROT_WRITE };
				s->na = 2;
				want = ref_pieces(s, src, clen, pieces, &n);
				free(s);
			}
			want_iova = iova;
			/* ref_map changes nothing when it fails */
			if (!want)
				want = ref_map(r, pieces, n, clen, &want_iova,
					       (flags & IMS_IOAS_MAP_WRITEABLE ? IMS_PROT_WRITE : 0) |
						       IMS_PROT_READ, fixed);
			got = iova;
			rc = copy(ctx, ioas, ioas2, flags | (fixed ? FIXED : 0), src, clen, &got);
			if (!rc && !want)
				ck_assert_u64_eq(got, want_iova);
		} else if (kind < 93) { /* allowed list */
			struct ims_iova_range al[3];
			unsigned n = x % 4;
			bool bad = false;

			counts[4]++;
			for (unsigned i = 0; i < n; i++) {
				al[i].start = (ims_test_rand(&st) % 0x400) * g;
				al[i].last = al[i].start + (1 + ims_test_rand(&st) % 0x80) * g - 1;
			}
			for (unsigned i = 0; i < n; i++) {
				if (al[i].start >= al[i].last)
					bad = true;
				for (unsigned j = 0; j < i; j++)
					if (overlaps(al[i].start, al[i].last, al[j].start, al[j].last))
						bad = true;
			}
			want = bad ? -EINVAL : 0;
			for (unsigned i = 0; i < n && !want; i++)
				if (ref_hits(r->res, r->nres, al[i].start, al[i].last))
					want = -EADDRINUSE;
			if (!want) {
				r->nallowed = n;
				for (unsigned i = 0; i < n; i++)
					r->allowed[i] = (struct ref_range){ al[i].start, al[i].last };
			}
			rc = allow(ctx, ioas, al, n);
		} else { /* reservation */
			uint64_t last = iova + (1 + ims_test_rand(&st) % 8) * g - 1;

			counts[5]++;
			if (r->nres == 64)
				continue;
			if (ref_hits_area(r, iova, last) ||
			    ref_hits(r->allowed, r->nallowed, iova, last)) {
				want = -EADDRINUSE;
			} else {
				want = 0;
				r->res[r->nres++] = (struct ref_range){ iova, last };
			}
			rc = reserve(ctx, ioas, iova, last);
		}
		ck_assert_msg(rc == want, "seed %llu op %u kind %u: got %d want %d (%s)",
			      (unsigned long long)seed, op, kind, rc, want, ims_ctx_errmsg(ctx));
		if (op % 16 == 0 || rc)
			check_same(ctx, ioas, r, with_domain ? &t : NULL);
	}
	check_same(ctx, ioas, r, with_domain ? &t : NULL);
	/* Every kind of operation was exercised. */
	for (int i = 0; i < 6; i++)
		ck_assert_uint_gt(counts[i], 0);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, NULL), 0);
	if (with_domain)
		tdom_detach(ctx, ioas, &t);
	free(pieces);
	free(r);
	ctx_free(ctx);
}

START_TEST(ioas_random_ops_match_reference_bytes)
{
	random_run(0x1234, 0x100, false, 3000);
	random_run(0x9876, 0x10, false, 3000);
}
END_TEST

START_TEST(ioas_random_ops_match_reference_with_domain)
{
	random_run(0x5151, 0x1000, true, 3000);
	random_run(0x7777, 0x1000, true, 3000);
}
END_TEST

/* ---- scale ----------------------------------------------------------------------- */

START_TEST(ioas_100k_areas_stay_fast)
{
	struct ims_ctx *ctx = ctx_new();
	uint32_t ioas = ioas_new(ctx);
	uint64_t n;
	const unsigned count = 100000;

	/* 100k one-page areas with one-page holes between them. */
	for (unsigned i = 0; i < count; i++)
		ck_assert_int_eq(map_fixed(ctx, ioas, 0x1000 + (uint64_t)i * 0x2000,
					   0x100000000ull + (uint64_t)i * 0x1000, 0x1000), 0);
	/* Two-page automatic maps fit no hole: each must skip all of them. */
	for (unsigned i = 0; i < 2000; i++) {
		uint64_t iova = map_auto_ok(ctx, ioas, 0, 0x2000);

		ck_assert(iova >= (uint64_t)count * 0x2000);
	}
	/* One-page automatic maps fill the holes from the bottom. */
	ck_assert_u64_eq(map_auto_ok(ctx, ioas, 0, 0x1000), 0x2000);
	ck_assert_int_eq(ims_itree_check(&iopt_of(ctx, ioas)->areas), 0);
	for (unsigned i = 0; i < count; i += 2)
		ck_assert_int_eq(unmap(ctx, ioas, 0x1000 + (uint64_t)i * 0x2000, 0x1000, &n), 0);
	ck_assert_int_eq(unmap(ctx, ioas, 0, MAX64, &n), 0);
	ck_assert_u64_eq(n, (count / 2 + 1) * 0x1000ull + 2000 * 0x2000ull);
	ctx_free(ctx);
}
END_TEST

Suite *ims_test_suite(void)
{
	Suite *s = suite_create("iommufd_ioas");
	TCase *tc = tcase_create("ioas");
	TCase *rnd = tcase_create("random");

	tcase_add_test(tc, ioas_alloc_fresh_ioas_spans_everything);
	tcase_add_test(tc, ioas_alloc_flags_eopnotsupp);
	tcase_add_test(tc, ioas_iova_ranges_unknown_ioas_enoent);
	tcase_add_test(tc, ioas_iova_ranges_reserved_field_eopnotsupp);
	tcase_add_test(tc, ioas_iova_ranges_holes_of_reserved);
	tcase_add_test(tc, ioas_iova_ranges_small_array_emsgsize);
	tcase_add_test(tc, ioas_iova_ranges_null_array_efault);
	tcase_add_test(tc, ioas_iova_ranges_ignore_allowed_list);
	tcase_add_test(tc, ioas_iova_ranges_alignment_follows_domains);
	tcase_add_test(tc, ioas_allow_iovas_start_not_below_last_einval);
	tcase_add_test(tc, ioas_allow_iovas_overlapping_ranges_einval);
	tcase_add_test(tc, ioas_allow_iovas_over_reserved_eaddrinuse_keeps_old);
	tcase_add_test(tc, ioas_allow_iovas_null_array_efault);
	tcase_add_test(tc, ioas_allow_iovas_unknown_ioas_enoent);
	tcase_add_test(tc, ioas_allow_iovas_reserved_field_eopnotsupp);
	tcase_add_test(tc, ioas_allow_iovas_zero_clears_list);
	tcase_add_test(tc, ioas_allow_iovas_then_reserve_eaddrinuse);
	tcase_add_test(tc, ioas_map_fixed_reads_back);
	tcase_add_test(tc, ioas_map_unknown_flag_eopnotsupp);
	tcase_add_test(tc, ioas_map_reserved_field_eopnotsupp);
	tcase_add_test(tc, ioas_map_iova_or_length_max_eoverflow);
	tcase_add_test(tc, ioas_map_neither_read_nor_write_einval);
	tcase_add_test(tc, ioas_map_unknown_ioas_enoent);
	tcase_add_test(tc, ioas_map_user_va_wraps_eoverflow);
	tcase_add_test(tc, ioas_map_length_zero_einval);
	tcase_add_test(tc, ioas_map_length_not_multiple_of_alignment_einval);
	tcase_add_test(tc, ioas_map_fixed_iova_misaligned_einval);
	tcase_add_test(tc, ioas_map_fixed_iova_wraps_eoverflow);
	tcase_add_test(tc, ioas_map_fixed_on_reserved_einval);
	tcase_add_test(tc, ioas_map_fixed_overlap_eexist);
	tcase_add_test(tc, ioas_map_sub_page_offset_misaligned_einval);
	tcase_add_test(tc, ioas_map_auto_never_returns_zero);
	tcase_add_test(tc, ioas_map_auto_alignment_from_length);
	tcase_add_test(tc, ioas_map_auto_alignment_from_user_va);
	tcase_add_test(tc, ioas_map_auto_alignment_capped_at_2m);
	tcase_add_test(tc, ioas_map_auto_keeps_page_offset);
	tcase_add_test(tc, ioas_map_auto_first_fit_skips_areas_and_reserved);
	tcase_add_test(tc, ioas_map_auto_inside_allowed_ranges);
	tcase_add_test(tc, ioas_map_auto_no_room_enospc);
	tcase_add_test(tc, ioas_map_auto_huge_length_eoverflow);
	tcase_add_test(tc, ioas_map_auto_alignment_below_ioas_alignment_einval);
	tcase_add_test(tc, ioas_map_pushes_into_attached_domains);
	tcase_add_test(tc, ioas_map_domain_failure_rolls_back);
	tcase_add_test(tc, ioas_map_unpinnable_memory_with_domain_efault);
	tcase_add_test(tc, ioas_map_unpinnable_memory_fails_later_domain_efault);
	tcase_add_test(tc, ioas_map_file_any_fd_ebadf);
	tcase_add_test(tc, ioas_change_process_with_areas_einval);
	tcase_add_test(tc, ioas_reserve_last_below_start_einval);
	tcase_add_test(tc, ioas_reserve_over_area_eaddrinuse);
	tcase_add_test(tc, ioas_reserve_unknown_ioas_enoent);
	tcase_add_test(tc, ioas_copy_maps_same_memory);
	tcase_add_test(tc, ioas_copy_across_areas_makes_one_area_each);
	tcase_add_test(tc, ioas_copy_unknown_flag_eopnotsupp);
	tcase_add_test(tc, ioas_copy_max_values_eoverflow);
	tcase_add_test(tc, ioas_copy_neither_read_nor_write_einval);
	tcase_add_test(tc, ioas_copy_length_zero_einval);
	tcase_add_test(tc, ioas_copy_unknown_ioas_enoent);
	tcase_add_test(tc, ioas_copy_source_hole_enoent);
	tcase_add_test(tc, ioas_copy_writeable_from_read_only_eperm);
	tcase_add_test(tc, ioas_copy_destination_overlap_eexist);
	tcase_add_test(tc, ioas_unmap_whole_areas_and_holes);
	tcase_add_test(tc, ioas_unmap_partial_area_enoent);
	tcase_add_test(tc, ioas_unmap_failure_is_not_atomic_enoent);
	tcase_add_test(tc, ioas_unmap_nothing_mapped_enoent);
	tcase_add_test(tc, ioas_unmap_unknown_ioas_enoent);
	tcase_add_test(tc, ioas_unmap_length_zero_einval);
	tcase_add_test(tc, ioas_unmap_max_values_eoverflow);
	tcase_add_test(tc, ioas_unmap_all_form);
	tcase_add_test(tc, ioas_unmap_pinned_area_ebusy);
	tcase_add_test(tc, option_huge_pages_disable_raises_alignment);
	tcase_add_test(tc, option_huge_pages_misaligned_area_eaddrinuse);
	tcase_add_test(tc, option_huge_pages_disable_with_mapped_domain_einval);
	tcase_add_test(tc, option_huge_pages_bad_value_einval);
	tcase_add_test(tc, option_huge_pages_not_an_ioas_enoent);
	tcase_add_test(tc, option_huge_pages_unknown_op_eopnotsupp);
	tcase_add_test(tc, domain_attach_page_size_above_4k_einval);
	tcase_add_test(tc, domain_attach_misaligned_area_eaddrinuse);
	tcase_add_test(tc, domain_aperture_complement_is_reserved);
	tcase_add_test(tc, domain_aperture_over_area_eaddrinuse);
	tcase_add_test(tc, domain_malformed_aperture_einval);
	tcase_add_test(tc, reserved_ranges_by_owner_come_and_go);
	tcase_add_test(tc, reserve_complement_failure_keeps_earlier_ranges);
	tcase_add_test(tc, pin_reports_contiguous_memory);
	tcase_add_test(tc, pin_unmapped_range_enoent);
	tcase_add_test(tc, pin_unpinnable_memory_efault);
	tcase_add_test(rnd, ioas_random_ops_match_reference_bytes);
	tcase_add_test(rnd, ioas_random_ops_match_reference_with_domain);
	tcase_add_test(rnd, ioas_100k_areas_stay_fast);
	tcase_set_timeout(rnd, 120);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, rnd);
	return s;
}
