/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/mock_model — see mock_model.h.  Linked into every unit-test
 * program; it only uses the library's public and core headers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"
#include "tests/unit/mock_model.h"

#define MOCK_MAX_PASIDS 8

struct mock_map {
	uint64_t iova, len, pa;
	unsigned prot;
};

struct mock_domain {
	struct mock *m;
	struct mock_map *v;
	unsigned n, cap;
	uint32_t flags;
	struct ims_domain_info info;
};

struct mock_attach {
	uint32_t pasid;
	struct mock_domain *dom;
};

struct mock_dev {
	struct ims_device *cdev;
	struct ims_dev_desc desc;
	unsigned nattach;
	struct mock_attach attach[MOCK_MAX_PASIDS + 1];
};

struct mock {
	struct mock_cfg cfg;
	struct mock_stats st;
	unsigned fail_n;
	int fail_rc;
	struct mock_domain **doms;
	unsigned ndoms, capdoms;
	struct mock_dev **devs;
	unsigned ndevs, capdevs;
};

static bool push(void ***v, unsigned *n, unsigned *cap, void *p)
{
	if (*n == *cap) {
		unsigned c = *cap ? *cap * 2 : 8;
		void **nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return false;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = p;
	return true;
}

static void drop(void **v, unsigned *n, void *p)
{
	for (unsigned i = 0; i < *n; i++) {
		if (v[i] == p) {
			v[i] = v[--*n];
			return;
		}
	}
}

static int mock_create(const struct ims_model_env *env, const void *cfg, void **inst)
{
	struct mock *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	if (cfg)
		m->cfg = *(const struct mock_cfg *)cfg;
	if (!m->cfg.pgsize_bitmap)
		m->cfg.pgsize_bitmap = (1ull << 12) | (1ull << 21) | (1ull << 30);
	if (!m->cfg.units)
		m->cfg.units = 1;
	*inst = m;
	return 0;
}

static void free_domain(struct mock *m, struct mock_domain *d)
{
	drop((void **)m->doms, &m->ndoms, d);
	m->st.domains_live--;
	free(d->v);
	free(d);
}

static void mock_destroy(void *inst)
{
	struct mock *m = inst;

	/* Everything should have been freed through the ops by now. */
	while (m->ndoms) {
		m->st.errors++;
		free_domain(m, m->doms[0]);
	}
	while (m->ndevs) {
		m->st.errors++;
		free(m->devs[--m->ndevs]);
	}
	free(m->doms);
	free(m->devs);
	free(m);
}

static unsigned mock_num_units(void *inst)
{
	return ((struct mock *)inst)->cfg.units;
}

static int mock_dev_probe(void *inst, struct ims_device *cdev, const struct ims_dev_desc *desc,
			  struct ims_dev_caps *caps, void **dev)
{
	struct mock *m = inst;
	struct mock_dev *d;

	if (desc->unit >= m->cfg.units)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cdev = cdev;
	d->desc = *desc;
	if (!push((void ***)&m->devs, &m->ndevs, &m->capdevs, d)) {
		free(d);
		return -ENOMEM;
	}
	memset(caps, 0, sizeof(*caps));
	caps->group_id = desc->sid;
	caps->max_pasid_log2 = (uint8_t)desc->pasid_bits;
	caps->ats = desc->ats;
	caps->pri = desc->pri;
	caps->dirty_tracking = true;
	if (m->cfg.resv_len) {
		caps->nresv = 1;
		caps->resv[0].start = m->cfg.resv_start;
		caps->resv[0].last = m->cfg.resv_start + m->cfg.resv_len - 1;
		caps->resv[0].type = IMS_RESV_MSI;
	}
	m->st.devices_live++;
	*dev = d;
	return 0;
}

static void mock_dev_release(void *inst, void *dev)
{
	struct mock *m = inst;

	if (((struct mock_dev *)dev)->nattach)
		m->st.errors++;
	drop((void **)m->devs, &m->ndevs, dev);
	m->st.devices_live--;
	free(dev);
}

static int mock_domain_alloc_paging(void *inst, void *dev, uint32_t flags,
				    struct ims_domain_info *info, void **dom)
{
	struct mock *m = inst;
	struct mock_domain *d;

	if (flags & ~(IMS_HWPT_ALLOC_NEST_PARENT | IMS_HWPT_ALLOC_DIRTY_TRACKING |
		      IMS_HWPT_ALLOC_PASID))
		return -EOPNOTSUPP;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->m = m;
	d->flags = flags;
	d->info.pgsize_bitmap = m->cfg.pgsize_bitmap;
	d->info.naperture = m->cfg.naperture;
	memcpy(d->info.aperture, m->cfg.aperture, sizeof(d->info.aperture));
	d->info.dirty_ops = true;
	if (!push((void ***)&m->doms, &m->ndoms, &m->capdoms, d)) {
		free(d);
		return -ENOMEM;
	}
	m->st.domains_live++;
	*info = d->info;
	*dom = d;
	return 0;
}

static void mock_domain_free_op(void *inst, void *dom)
{
	struct mock *m = inst;
	struct mock_domain *d = dom;

	if (d->n)
		m->st.errors++;
	for (unsigned i = 0; i < m->ndevs; i++)
		for (unsigned j = 0; j < m->devs[i]->nattach; j++)
			if (m->devs[i]->attach[j].dom == d)
				m->st.errors++;
	free_domain(m, d);
}

static uint64_t granule(const struct mock_domain *d)
{
	return d->info.pgsize_bitmap & (~d->info.pgsize_bitmap + 1);
}

static bool in_aperture(const struct mock_domain *d, uint64_t iova, uint64_t last)
{
	if (!d->info.naperture)
		return true;
	for (uint32_t i = 0; i < d->info.naperture; i++)
		if (iova >= d->info.aperture[i].start && last <= d->info.aperture[i].last)
			return true;
	return false;
}

static int mock_map(void *inst, void *dom, uint64_t iova, uint64_t pa, uint64_t len,
		    unsigned prot)
{
	struct mock *m = inst;
	struct mock_domain *d = dom;
	uint64_t g = granule(d), last = iova + len - 1;

	m->st.map_calls++;
	if (prot & IMS_MAP_SMALL_PAGES)
		m->st.small_page_maps++;
	if (m->fail_n && --m->fail_n == 0)
		return m->fail_rc;
	if (!len || (iova | pa | len) & (g - 1) || !in_aperture(d, iova, last)) {
		m->st.errors++;
		return -EINVAL;
	}
	for (unsigned i = 0; i < d->n; i++) {
		if (iova <= d->v[i].iova + d->v[i].len - 1 && d->v[i].iova <= last) {
			m->st.errors++;
			return -EEXIST;
		}
	}
	if (d->n == d->cap) {
		unsigned c = d->cap ? d->cap * 2 : 8;
		struct mock_map *v = realloc(d->v, c * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = c;
	}
	d->v[d->n++] = (struct mock_map){ iova, len, pa, prot & ~IMS_MAP_SMALL_PAGES };
	return 0;
}

static int mock_unmap(void *inst, void *dom, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	struct mock *m = inst;
	struct mock_domain *d = dom;
	uint64_t last = iova + len - 1, total = 0;

	m->st.unmap_calls++;
	for (unsigned i = 0; i < d->n;) {
		struct mock_map *mm = &d->v[i];
		uint64_t mlast = mm->iova + mm->len - 1;

		if (mm->iova > last || mlast < iova) {
			i++;
			continue;
		}
		/* The core only unmaps what it mapped, whole. */
		if (mm->iova < iova || mlast > last) {
			m->st.errors++;
			i++;
			continue;
		}
		total += mm->len;
		d->v[i] = d->v[--d->n];
	}
	*unmapped = total;
	return 0;
}

static void mock_iotlb_sync(void *inst, void *dom, uint64_t iova, uint64_t len)
{
	((struct mock *)inst)->st.sync_calls++;
}

static struct mock_attach *find_attach(struct mock_dev *dev, uint32_t pasid)
{
	for (unsigned i = 0; i < dev->nattach; i++)
		if (dev->attach[i].pasid == pasid)
			return &dev->attach[i];
	return NULL;
}

static int mock_attach_op(void *inst, void *dev_h, uint32_t pasid, void *dom, void *old)
{
	struct mock_dev *dev = dev_h;
	struct mock_attach *a = find_attach(dev, pasid);

	if (!dom) {
		if (a)
			*a = dev->attach[--dev->nattach];
		return 0;
	}
	if (!a) {
		if (dev->nattach == MOCK_MAX_PASIDS + 1)
			return -ENOSPC;
		a = &dev->attach[dev->nattach++];
		a->pasid = pasid;
	}
	a->dom = dom;
	return 0;
}

static int mock_page_response(void *inst, void *dev, uint32_t pasid, uint32_t grpid,
			      uint32_t code)
{
	return 0;
}

static int mock_dma(void *inst, const struct ims_dma_req *req, struct ims_dma_result *res)
{
	struct mock *m = inst;
	struct mock_dev *dev = NULL;
	struct mock_attach *a;
	uint64_t pa;
	unsigned prot;

	if (req->unit >= m->cfg.units || !req->len)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	res->cycles = 1;
	for (unsigned i = 0; i < m->ndevs; i++)
		if (m->devs[i]->desc.unit == req->unit && m->devs[i]->desc.sid == req->sid)
			dev = m->devs[i];
	a = dev ? find_attach(dev, req->pasid) : NULL;
	if (!a) {
		res->status = IMS_DMA_FAULT;
		res->xfault = IMS_XF_BLOCKED;
		return 0;
	}
	if (!mock_domain_lookup(a->dom, req->addr, &pa, &prot)) {
		res->status = IMS_DMA_FAULT;
		res->xfault = IMS_XF_NOT_PRESENT;
		return 0;
	}
	if (((req->access & IMS_ACC_WRITE) && !(prot & IMS_PROT_WRITE)) ||
	    ((req->access & IMS_ACC_READ) && !(prot & IMS_PROT_READ))) {
		res->status = IMS_DMA_FAULT;
		res->xfault = IMS_XF_PERMISSION;
		return 0;
	}
	res->pa = pa;
	res->perms = prot;
	return 0;
}

const struct ims_model_ops mock_model_ops = {
	.name = "mock",
	.cfg_size = sizeof(struct mock_cfg),
	.create = mock_create,
	.destroy = mock_destroy,
	.num_units = mock_num_units,
	.dev_probe = mock_dev_probe,
	.dev_release = mock_dev_release,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_free = mock_domain_free_op,
	.map = mock_map,
	.unmap = mock_unmap,
	.iotlb_sync = mock_iotlb_sync,
	.attach = mock_attach_op,
	.page_response = mock_page_response,
	.dma = mock_dma,
};

struct mock *mock_of(struct ims_ctx *ctx)
{
	return ctx->model == &mock_model_ops ? ctx->model_inst : NULL;
}

const struct mock_stats *mock_stats(const struct mock *m)
{
	return &m->st;
}

void mock_fail_map(struct mock *m, unsigned n, int rc)
{
	m->fail_n = n;
	m->fail_rc = rc;
}

int mock_domain_alloc(struct mock *m, uint32_t flags, const struct ims_domain_info *want,
		      struct ims_domain_info *info, void **dom)
{
	int rc = mock_domain_alloc_paging(m, NULL, flags, info, dom);

	if (!rc && want) {
		struct mock_domain *d = *dom;

		d->info = *want;
		*info = *want;
	}
	return rc;
}

void mock_domain_free(struct mock *m, void *dom)
{
	mock_domain_free_op(m, dom);
}

bool mock_domain_lookup(const void *dom, uint64_t iova, uint64_t *pa, unsigned *prot)
{
	const struct mock_domain *d = dom;

	for (unsigned i = 0; i < d->n; i++) {
		if (iova >= d->v[i].iova && iova - d->v[i].iova < d->v[i].len) {
			*pa = d->v[i].pa + (iova - d->v[i].iova);
			*prot = d->v[i].prot;
			return true;
		}
	}
	return false;
}

unsigned mock_domain_nmaps(const void *dom)
{
	return ((const struct mock_domain *)dom)->n;
}

uint64_t mock_domain_bytes(const void *dom)
{
	const struct mock_domain *d = dom;
	uint64_t total = 0;

	for (unsigned i = 0; i < d->n; i++)
		total += d->v[i].len;
	return total;
}
