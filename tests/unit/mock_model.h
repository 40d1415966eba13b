/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/mock_model — a test double of a vendor model (never shipped
 * under models/).  It keeps paging domains as plain lists of mappings instead
 * of page tables, so tests can see exactly what the object layer pushed into
 * a domain, and it counts every call and every protocol violation (mapping
 * twice, unmapping part of a mapping, freeing a non-empty domain).  In the
 * spirit of the kernel selftest's mock IOMMU (iommufd §4.3).
 */
#ifndef IMS_TESTS_MOCK_MODEL_H
#define IMS_TESTS_MOCK_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "iommusim/iommusim.h"

struct mock_cfg {
	uint64_t pgsize_bitmap; /* domains' page sizes; 0: 4 KiB | 2 MiB | 1 GiB */
	uint32_t naperture;     /* domains' aperture windows; 0: everything */
	struct ims_iova_window aperture[IMS_MAX_WINDOWS];
	unsigned units;         /* 0: one */
	/* Device reserved region every probed device reports (len 0: none). */
	uint64_t resv_start, resv_len;
};

extern const struct ims_model_ops mock_model_ops;

/* Call counts and violations of one instance. */
struct mock_stats {
	uint64_t map_calls, unmap_calls, sync_calls;
	uint64_t small_page_maps; /* maps that carried IMS_MAP_SMALL_PAGES */
	uint64_t domains_live, devices_live;
	uint64_t errors;          /* protocol violations by the caller */
};

/* The mock instance behind a context created with mock_model_ops. */
struct mock;
struct mock *mock_of(struct ims_ctx *ctx);
const struct mock_stats *mock_stats(const struct mock *m);
/* Makes the n-th map call from now fail with rc (n = 1: the next one); 0
 * disarms. */
void mock_fail_map(struct mock *m, unsigned n, int rc);

/* Allocates a paging domain directly (what a HWPT would do), for tests of
 * the io_pagetable hooks.  `want` overrides the configured page sizes and
 * aperture (NULL: the configuration's). */
int mock_domain_alloc(struct mock *m, uint32_t flags, const struct ims_domain_info *want,
		      struct ims_domain_info *info, void **dom);
void mock_domain_free(struct mock *m, void *dom);
/* What the domain maps at iova: true with *pa and *prot, or false. */
bool mock_domain_lookup(const void *dom, uint64_t iova, uint64_t *pa, unsigned *prot);
/* Number of map calls the domain currently holds, and their total bytes. */
unsigned mock_domain_nmaps(const void *dom);
uint64_t mock_domain_bytes(const void *dom);

#endif
