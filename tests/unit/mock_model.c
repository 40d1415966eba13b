/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/mock_model — see mock_model.h.  Linked into every unit-test
 * program; it only uses the library's public and core headers.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"
#include "sim/pt.h"
#include "tests/unit/mock_model.h"

#define MOCK_MAX_SID_CFG 32
#define MOCK_MAX_RESPONSES 256

struct mock_map {
	uint64_t iova, len, pa;
	unsigned prot;
};

struct mock_viommu;

struct mock_domain {
	struct mock *m;
	struct mock_map *v;
	unsigned n, cap;
	uint32_t flags;
	struct ims_domain_info info;
	/* dirty tracking: granule pages written while tracking */
	bool tracking;
	uint64_t *dirty;
	unsigned ndirty, capdirty;
	/* nested */
	bool nested;
	struct mock_domain *parent;
	struct mock_viommu *viommu;
	uint32_t data_type;
	uint64_t data[4];
	uint32_t iotlb[MOCK_NESTED_IOTLB_NUM];
};

struct mock_attach {
	uint32_t pasid;
	struct mock_domain *dom;
};

struct mock_vdev;

struct mock_dev {
	struct ims_device *cdev;
	struct ims_dev_desc desc;
	unsigned nattach, capattach;
	struct mock_attach *attach;
	struct mock_vdev *vdev;
};

struct mock_viommu {
	struct mock *m;
	struct ims_viommu *core;
	uint32_t type;
	struct mock_domain *parent;
	uint64_t mmio[512];
	uint64_t option;
	struct mock_hw_queue *queues[MOCK_HW_QUEUE_MAX];
};

struct mock_vdev {
	struct mock_viommu *v;
	struct mock_dev *dev;
	uint64_t virt_id;
	uint32_t cache[MOCK_DEV_CACHE_NUM];
};

struct mock_hw_queue {
	struct mock_viommu *v;
	struct ims_hw_queue *core;
	uint32_t index;
	uint64_t base_pa, length;
};

struct mock_sid_cfg {
	uint32_t sid, flags, group_id;
};

struct mock {
	struct mock_cfg cfg;
	struct mock_stats st;
	struct ims_ctx *ctx;
	unsigned fail_n, fail_attach_n;
	int fail_rc, fail_attach_rc;
	struct mock_domain **doms;
	unsigned ndoms, capdoms;
	struct mock_dev **devs;
	unsigned ndevs, capdevs;
	struct mock_sid_cfg sids[MOCK_MAX_SID_CFG];
	unsigned nsids;
	struct mock_response resp[MOCK_MAX_RESPONSES];
	unsigned nresp;
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
	m->ctx = env->ctx;
	*inst = m;
	return 0;
}

static void free_domain(struct mock *m, struct mock_domain *d)
{
	drop((void **)m->doms, &m->ndoms, d);
	m->st.domains_live--;
	free(d->v);
	free(d->dirty);
	free(d);
}

/* Violations found when instances were destroyed, over the whole program
 * (the instance is gone by then; tests compare before and after). */
static uint64_t teardown_errors;

static void mock_destroy(void *inst)
{
	struct mock *m = inst;

	teardown_errors += m->st.errors;
	if (m->ndoms || m->ndevs || m->st.viommus_live || m->st.vdevs_live ||
	    m->st.hw_queues_live)
		teardown_errors++;

	/* Everything should have been freed through the ops by now. */
	while (m->ndoms) {
		m->st.errors++;
		free_domain(m, m->doms[0]);
	}
	while (m->ndevs) {
		m->st.errors++;
		free(m->devs[m->ndevs - 1]->attach);
		free(m->devs[--m->ndevs]);
	}
	if (m->st.viommus_live || m->st.vdevs_live || m->st.hw_queues_live)
		m->st.errors++;
	free(m->doms);
	free(m->devs);
	free(m);
}

static unsigned mock_num_units(void *inst)
{
	return ((struct mock *)inst)->cfg.units;
}

static const struct mock_sid_cfg *sid_cfg(const struct mock *m, uint32_t sid)
{
	for (unsigned i = 0; i < m->nsids; i++)
		if (m->sids[i].sid == sid)
			return &m->sids[i];
	return NULL;
}

static int mock_dev_probe(void *inst, struct ims_device *cdev, const struct ims_dev_desc *desc,
			  struct ims_dev_caps *caps, void **dev)
{
	struct mock *m = inst;
	const struct mock_sid_cfg *sc = sid_cfg(m, desc->sid);
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
	caps->group_id = sc && sc->group_id ? sc->group_id : desc->sid;
	caps->max_pasid_log2 = (uint8_t)desc->pasid_bits;
	caps->ats = desc->ats;
	caps->pri = desc->pri;
	caps->dirty_tracking = !(sc && (sc->flags & MOCK_DEV_NO_DIRTY));
	caps->pasid_exec = sc && (sc->flags & MOCK_DEV_PASID_EXEC);
	caps->pasid_priv = sc && (sc->flags & MOCK_DEV_PASID_PRIV);
	if (m->cfg.resv_len) {
		caps->nresv = 1;
		caps->resv[0].start = m->cfg.resv_start;
		caps->resv[0].last = m->cfg.resv_start + m->cfg.resv_len - 1;
		caps->resv[0].type = IMS_RESV_MSI;
	}
	caps->naperture = m->cfg.dev_naperture;
	memcpy(caps->aperture, m->cfg.dev_aperture, sizeof(caps->aperture));
	m->st.devices_live++;
	*dev = d;
	return 0;
}

static void mock_dev_release(void *inst, void *dev)
{
	struct mock *m = inst;
	struct mock_dev *d = dev;

	if (d->nattach || d->vdev)
		m->st.errors++;
	drop((void **)m->devs, &m->ndevs, dev);
	m->st.devices_live--;
	free(d->attach);
	free(d);
}

static int mock_hw_info(void *inst, void *dev, uint32_t *type, void *buf, size_t cap,
			size_t *len)
{
	struct mock_hw_info info = { .flags = 0, .test_reg = MOCK_HW_INFO_TEST_REG };

	if (*type != IMS_HW_INFO_TYPE_DEFAULT && *type != MOCK_HW_INFO_TYPE)
		return -EOPNOTSUPP;
	memcpy(buf, &info, cap < sizeof(info) ? cap : sizeof(info));
	*len = sizeof(info);
	*type = MOCK_HW_INFO_TYPE;
	return 0;
}

static struct mock_domain *new_domain(struct mock *m, uint32_t flags)
{
	struct mock_domain *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->m = m;
	d->flags = flags;
	if (!push((void ***)&m->doms, &m->ndoms, &m->capdoms, d)) {
		free(d);
		return NULL;
	}
	m->st.domains_live++;
	return d;
}

static int mock_domain_alloc_paging(void *inst, void *dev, uint32_t flags,
				    struct ims_domain_info *info, void **dom)
{
	struct mock *m = inst;
	struct mock_domain *d;

	if (flags & ~(IMS_HWPT_ALLOC_NEST_PARENT | IMS_HWPT_ALLOC_DIRTY_TRACKING |
		      IMS_HWPT_ALLOC_PASID))
		return -EOPNOTSUPP;
	d = new_domain(m, flags);
	if (!d)
		return -ENOMEM;
	d->info.pgsize_bitmap = m->cfg.pgsize_bitmap;
	d->info.naperture = m->cfg.naperture;
	memcpy(d->info.aperture, m->cfg.aperture, sizeof(d->info.aperture));
	d->info.dirty_ops = true;
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
	for (unsigned i = 0; i < m->ndoms; i++)
		if (m->doms[i]->parent == d)
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
	if (d->nested || !len || (iova | pa | len) & (g - 1) || !in_aperture(d, iova, last)) {
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

/* Forgets dirty pages in [iova, last] (unmapped pages are clean). */
static void clear_dirty(struct mock_domain *d, uint64_t iova, uint64_t last)
{
	unsigned k = 0;

	for (unsigned i = 0; i < d->ndirty; i++)
		if (d->dirty[i] < iova || d->dirty[i] > last)
			d->dirty[k++] = d->dirty[i];
	d->ndirty = k;
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
	clear_dirty(d, iova, last);
	*unmapped = total;
	return 0;
}

static void mock_iotlb_sync(void *inst, void *dom, uint64_t iova, uint64_t len)
{
	((struct mock *)inst)->st.sync_calls++;
}

/* ---- dirty tracking ------------------------------------------------------------ */

static void mark_dirty(struct mock_domain *d, uint64_t iova)
{
	uint64_t page = iova & ~(granule(d) - 1);

	for (unsigned i = 0; i < d->ndirty; i++)
		if (d->dirty[i] == page)
			return;
	if (d->ndirty == d->capdirty) {
		unsigned c = d->capdirty ? d->capdirty * 2 : 16;
		uint64_t *v = realloc(d->dirty, c * sizeof(*v));

		if (!v) {
			d->m->st.errors++;
			return;
		}
		d->dirty = v;
		d->capdirty = c;
	}
	d->dirty[d->ndirty++] = page;
}

static int mock_set_dirty_tracking(void *inst, void *dom, bool enable)
{
	((struct mock_domain *)dom)->tracking = enable;
	return 0;
}

static int mock_read_and_clear_dirty(void *inst, void *dom, uint64_t iova, uint64_t len,
				     unsigned flags, struct ims_dirty_bitmap *bm)
{
	struct mock_domain *d = dom;
	uint64_t last = iova + len - 1, g = granule(d);

	for (unsigned i = 0; i < d->ndirty; i++)
		if (d->dirty[i] + g - 1 >= iova && d->dirty[i] <= last)
			ims_dirty_record(bm, d->dirty[i], g);
	if (!(flags & IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR))
		clear_dirty(d, iova & ~(g - 1), last);
	return 0;
}

/* ---- nested domains ------------------------------------------------------------ */

/* SMMUv3 vSTE fields a guest may set (Linux STRTAB_STE_0/1_NESTING_ALLOWED). */
#define STE0_ALLOWED 0xf8ffffffffffffffull /* V, Cfg, S1Fmt, S1ContextPtr, S1CDMax */
#define STE1_ALLOWED 0x00000000380000ffull /* S1DSS, S1CIR/COR/CSH, S1STALLD, EATS */

static int validate_vste(uint64_t ste[2])
{
	unsigned cfg = (unsigned)((ste[0] >> 1) & 7), eats = (unsigned)((ste[1] >> 28) & 3);

	if (!(ste[0] & 1)) {
		ste[0] = ste[1] = 0;
		return 0;
	}
	if ((ste[0] & ~STE0_ALLOWED) || (ste[1] & ~STE1_ALLOWED))
		return -EIO;
	if (cfg != 0 && cfg != 4 && cfg != 5)
		return -EIO;
	if (eats > 1)
		return -EIO;
	return 0;
}

/* AMD guest DTE (Linux validate_gdte_nested). */
static int validate_gdte(const struct mock *m, const uint64_t dte[4])
{
	unsigned gpt = (unsigned)((dte[2] >> 54) & 3), glx = (unsigned)((dte[0] >> 56) & 3);
	/* GCR3 root bits: dte0[60:58], dte1[31:16] and dte1[63:43]. */
	uint64_t gcr3 = ((dte[0] >> 58) & 7) | (dte[1] & 0xfffff800ffff0000ull);

	if (((dte[0] >> 9) & 7) || (dte[0] & 0x000ffffffffff000ull))
		return -EINVAL;
	if ((dte[0] & 1) && (dte[0] & (1ull << 55)) && !gcr3)
		return -EINVAL;
	if (gpt > 1 || glx == 3)
		return -EINVAL;
	if (gpt == 1 && m->cfg.no_gpt5)
		return -EOPNOTSUPP;
	return 0;
}

static int mock_domain_alloc_nested(void *inst, void *dev, void *parent, void *viommu,
				    uint32_t flags, const struct ims_user_data *data,
				    struct ims_domain_info *info, void **dom)
{
	struct mock *m = inst;
	struct mock_viommu *v = viommu;
	struct mock_domain *d, *p = parent ? parent : (v ? v->parent : NULL);
	uint64_t raw[4] = { 0 };
	int rc;

	if ((!parent) == (!viommu) || !p || !(p->flags & IMS_HWPT_ALLOC_NEST_PARENT)) {
		m->st.errors++;
		return -EINVAL;
	}
	if (flags & ~(IMS_HWPT_FAULT_ID_VALID | IMS_HWPT_ALLOC_PASID))
		return -EOPNOTSUPP;
	switch (data->type) {
	case MOCK_HWPT_DATA: {
		struct mock_hwpt_data md;

		if (v && v->type != MOCK_VIOMMU_TYPE)
			return -EOPNOTSUPP;
		rc = ims_user_data_get(data, MOCK_HWPT_DATA, &md, sizeof(md), sizeof(md.iotlb));
		if (rc)
			return rc;
		raw[0] = md.iotlb;
		break;
	}
	case IMS_HWPT_DATA_VTD_S1: {
		struct ims_hwpt_vtd_s1 s1;

		if (v)
			return -EOPNOTSUPP;
		rc = ims_user_data_get(data, IMS_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				       offsetof(struct ims_hwpt_vtd_s1, reserved));
		if (rc)
			return rc;
		if ((s1.flags & ~7ull) || s1.reserved)
			return -EOPNOTSUPP;
		if (s1.addr_width != 48 && s1.addr_width != 57)
			return -EINVAL;
		memcpy(raw, &s1, sizeof(s1));
		break;
	}
	case IMS_HWPT_DATA_ARM_SMMUV3: {
		struct ims_hwpt_arm_smmuv3 ste;

		/* Only through an SMMUv3 vIOMMU, and it takes no flags. */
		if (!v || v->type != IMS_VIOMMU_TYPE_ARM_SMMUV3 || (flags & IMS_HWPT_ALLOC_PASID))
			return -EOPNOTSUPP;
		rc = ims_user_data_get(data, IMS_HWPT_DATA_ARM_SMMUV3, &ste, sizeof(ste),
				       sizeof(ste));
		if (rc)
			return rc;
		rc = validate_vste(ste.ste);
		if (rc)
			return rc;
		memcpy(raw, &ste, sizeof(ste));
		break;
	}
	case IMS_HWPT_DATA_AMD_GUEST: {
		struct ims_hwpt_amd_guest g;

		if (!v || v->type != IMS_VIOMMU_TYPE_AMD)
			return -EOPNOTSUPP;
		rc = ims_user_data_get(data, IMS_HWPT_DATA_AMD_GUEST, &g, sizeof(g), sizeof(g));
		if (rc)
			return rc;
		rc = validate_gdte(m, g.dte);
		if (rc)
			return rc;
		memcpy(raw, &g, sizeof(g));
		break;
	}
	default:
		return -EOPNOTSUPP;
	}
	d = new_domain(m, flags);
	if (!d)
		return -ENOMEM;
	d->nested = true;
	d->parent = p;
	d->viommu = v;
	d->data_type = data->type;
	memcpy(d->data, raw, sizeof(raw));
	for (unsigned i = 0; i < MOCK_NESTED_IOTLB_NUM; i++)
		d->iotlb[i] = data->type == MOCK_HWPT_DATA ? (uint32_t)raw[0] : 0;
	memset(info, 0, sizeof(*info));
	*dom = d;
	return 0;
}

static int mock_domain_invalidate_user(void *inst, void *dom, const struct ims_user_array *a,
				       uint32_t *done)
{
	struct mock_domain *d = dom;
	uint32_t i;
	int rc = 0;

	*done = 0;
	if (a->type != MOCK_HWPT_INVALIDATE)
		return -EINVAL;
	for (i = 0; i < a->entry_num; i++) {
		struct mock_hwpt_invalidate inv;

		rc = ims_user_array_get(a, MOCK_HWPT_INVALIDATE, i, &inv, sizeof(inv), sizeof(inv));
		if (rc)
			break;
		if (inv.flags & ~MOCK_INVALIDATE_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.flags & MOCK_INVALIDATE_ALL) {
			memset(d->iotlb, 0, sizeof(d->iotlb));
		} else if (inv.iotlb_id >= MOCK_NESTED_IOTLB_NUM) {
			rc = -EINVAL;
			break;
		} else {
			d->iotlb[inv.iotlb_id] = 0;
		}
	}
	*done = i;
	return rc;
}

/* ---- attachment ----------------------------------------------------------------- */

static struct mock_attach *find_attach(struct mock_dev *dev, uint32_t pasid)
{
	for (unsigned i = 0; i < dev->nattach; i++)
		if (dev->attach[i].pasid == pasid)
			return &dev->attach[i];
	return NULL;
}

/* Whether attaching a nested domain needs the device's vDEVICE on its
 * vIOMMU (selftest mock; SMMUv3 translating vSTE, iommufd §3.4). */
static bool needs_vdev(const struct mock_domain *d)
{
	if (!d->nested || !d->viommu)
		return false;
	if (d->data_type == IMS_HWPT_DATA_ARM_SMMUV3)
		return ((d->data[0] >> 1) & 7) == 5;
	return d->data_type == MOCK_HWPT_DATA;
}

static int mock_attach_op(void *inst, void *dev_h, uint32_t pasid, void *dom, void *old)
{
	struct mock *m = inst;
	struct mock_dev *dev = dev_h;
	struct mock_domain *d = dom;
	struct mock_attach *a = find_attach(dev, pasid);

	m->st.attach_calls++;
	if ((old != NULL) != (a != NULL) || (a && a->dom != old))
		m->st.errors++;
	if (!dom) {
		if (a)
			*a = dev->attach[--dev->nattach];
		return 0;
	}
	if (m->fail_attach_n && --m->fail_attach_n == 0)
		return m->fail_attach_rc;
	if (old && pasid == MOCK_PASID_FAIL_REPLACE)
		return -ENOMEM;
	if (needs_vdev(d) && (!dev->vdev || dev->vdev->v != d->viommu))
		return -ENOENT;
	if (!a) {
		if (dev->nattach == dev->capattach) {
			unsigned c = dev->capattach ? dev->capattach * 2 : 4;
			struct mock_attach *v = realloc(dev->attach, c * sizeof(*v));

			if (!v)
				return -ENOMEM;
			dev->attach = v;
			dev->capattach = c;
		}
		a = &dev->attach[dev->nattach++];
		a->pasid = pasid;
	}
	a->dom = dom;
	return 0;
}

static int mock_page_response(void *inst, void *dev, uint32_t pasid, uint32_t grpid,
			      uint32_t code)
{
	struct mock *m = inst;

	if (m->nresp == MOCK_MAX_RESPONSES) {
		m->st.errors++;
		return 0;
	}
	m->resp[m->nresp++] = (struct mock_response){ ((struct mock_dev *)dev)->desc.sid, pasid,
						      grpid, code };
	return 0;
}

/* ---- vIOMMU ------------------------------------------------------------------------ */

static int mock_viommu_alloc(void *inst, struct ims_viommu *cviommu, void *dev, void *parent,
			     uint32_t type, const struct ims_user_data *data, void **out)
{
	struct mock *m = inst;
	struct mock_viommu_data vd;
	struct mock_viommu *v;
	int rc;

	if (type != MOCK_VIOMMU_TYPE && type != IMS_VIOMMU_TYPE_ARM_SMMUV3 &&
	    type != IMS_VIOMMU_TYPE_AMD)
		return -EOPNOTSUPP;
	if (type == MOCK_VIOMMU_TYPE && data->len) {
		rc = ims_user_data_get(data, MOCK_VIOMMU_TYPE, &vd, sizeof(vd),
				       sizeof(vd.in_data));
		if (rc)
			return rc;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->m = m;
	v->core = cviommu;
	v->type = type;
	v->parent = parent;
	if (type == MOCK_VIOMMU_TYPE && data->len) {
		vd.out_data = vd.in_data;
		vd.out_mmap_offset = 0x10000;
		vd.out_mmap_length = 4096;
		ims_user_data_put(data, &vd, sizeof(vd));
	}
	m->st.viommus_live++;
	*out = v;
	return 0;
}

static void mock_viommu_free(void *inst, void *viommu)
{
	struct mock *m = inst;
	struct mock_viommu *v = viommu;

	for (unsigned i = 0; i < MOCK_HW_QUEUE_MAX; i++)
		if (v->queues[i])
			m->st.errors++;
	m->st.viommus_live--;
	free(v);
}

static struct mock_vdev *vdev_by_virt(struct mock *m, struct mock_viommu *v, uint64_t virt_id)
{
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct mock_vdev *vd = m->devs[i]->vdev;

		if (vd && vd->v == v && vd->virt_id == virt_id)
			return vd;
	}
	return NULL;
}

static int mock_viommu_invalidate_user(void *inst, void *viommu, const struct ims_user_array *a,
				       uint32_t *done)
{
	struct mock *m = inst;
	uint32_t i;
	int rc = 0;

	*done = 0;
	if (a->type != MOCK_VIOMMU_INVALIDATE)
		return -EINVAL;
	for (i = 0; i < a->entry_num; i++) {
		struct mock_viommu_invalidate inv;
		struct mock_vdev *vd;

		rc = ims_user_array_get(a, MOCK_VIOMMU_INVALIDATE, i, &inv, sizeof(inv),
					sizeof(inv));
		if (rc)
			break;
		if (inv.flags & ~MOCK_INVALIDATE_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.cache_id >= MOCK_DEV_CACHE_NUM) {
			rc = -EINVAL;
			break;
		}
		vd = vdev_by_virt(m, viommu, inv.vdev_id);
		if (!vd) {
			rc = -EINVAL;
			break;
		}
		if (inv.flags & MOCK_INVALIDATE_ALL)
			memset(vd->cache, 0, sizeof(vd->cache));
		else
			vd->cache[inv.cache_id] = 0;
	}
	*done = i;
	return rc;
}

static int mock_viommu_option_op(void *inst, void *viommu, unsigned op, uint64_t *val)
{
	struct mock_viommu *v = viommu;

	if (op == IMS_OPTION_OP_GET) {
		*val = v->option;
		return 0;
	}
	/* Control bits of one byte, as AMD's (any more is -EINVAL). */
	if (*val > 0xff)
		return -EINVAL;
	v->option = *val;
	return 0;
}

static int mmio_index(uint64_t off, unsigned width, unsigned *idx)
{
	if (off >= 4096 || off % width || width != 8)
		return -EINVAL;
	*idx = (unsigned)(off / 8);
	return 0;
}

static int mock_viommu_mmio_read(void *inst, void *viommu, uint64_t off, unsigned width,
				 uint64_t *val)
{
	unsigned i;
	int rc = mmio_index(off, width, &i);

	if (!rc)
		*val = ((struct mock_viommu *)viommu)->mmio[i];
	return rc;
}

static int mock_viommu_mmio_write(void *inst, void *viommu, uint64_t off, unsigned width,
				  uint64_t val)
{
	unsigned i;
	int rc = mmio_index(off, width, &i);

	if (!rc)
		((struct mock_viommu *)viommu)->mmio[i] = val;
	return rc;
}

static int mock_vdevice_alloc(void *inst, void *viommu, void *dev, uint64_t virt_id,
			      void **out)
{
	struct mock *m = inst;
	struct mock_dev *d = dev;
	struct mock_vdev *vd;

	if (d->vdev) {
		m->st.errors++;
		return -EEXIST;
	}
	vd = calloc(1, sizeof(*vd));
	if (!vd)
		return -ENOMEM;
	vd->v = viommu;
	vd->dev = d;
	vd->virt_id = virt_id;
	for (unsigned i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		vd->cache[i] = MOCK_DEV_CACHE_DEFAULT;
	d->vdev = vd;
	m->st.vdevs_live++;
	*out = vd;
	return 0;
}

static void mock_vdevice_free(void *inst, void *vdev)
{
	struct mock *m = inst;
	struct mock_vdev *vd = vdev;

	vd->dev->vdev = NULL;
	m->st.vdevs_live--;
	free(vd);
}

/* Selftest mock HW queues (iommufd §2.21): indexes from 0 upwards, each
 * depending on the one before, so they are destroyed in descending order. */
static int mock_hw_queue_alloc(void *inst, struct ims_hw_queue *cq, void *viommu, uint32_t type,
			       uint32_t index, uint64_t base_pa, uint64_t length, void **out)
{
	struct mock *m = inst;
	struct mock_viommu *v = viommu;
	struct mock_hw_queue *q;
	int rc;

	if (type != MOCK_HW_QUEUE_TYPE)
		return -EOPNOTSUPP;
	if (index >= MOCK_HW_QUEUE_MAX)
		return -EINVAL;
	if (v->queues[index])
		return -EEXIST;
	if (index && !v->queues[index - 1])
		return -EIO;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	if (index) {
		rc = ims_hw_queue_depend(m->ctx, cq, v->queues[index - 1]->core);
		if (rc) {
			free(q);
			return rc;
		}
	}
	q->v = v;
	q->core = cq;
	q->index = index;
	q->base_pa = base_pa;
	q->length = length;
	v->queues[index] = q;
	m->st.hw_queues_live++;
	*out = q;
	return 0;
}

static void mock_hw_queue_free(void *inst, void *hq)
{
	struct mock *m = inst;
	struct mock_hw_queue *q = hq;

	/* A later queue still depending on this one is a core bug. */
	if (q->index + 1 < MOCK_HW_QUEUE_MAX && q->v->queues[q->index + 1])
		m->st.errors++;
	q->v->queues[q->index] = NULL;
	m->st.hw_queues_live--;
	free(q);
}

/* ---- DMA ------------------------------------------------------------------------------ */

static uint32_t prot_rights(unsigned prot)
{
	uint32_t r = 0;

	if (prot & IMS_PROT_READ)
		r |= IMS_PT_PR | IMS_PT_UR | IMS_PT_PX | IMS_PT_UX;
	if (prot & IMS_PROT_WRITE)
		r |= IMS_PT_PW | IMS_PT_UW;
	return r;
}

static void dma_fault(struct ims_dma_result *res, enum ims_xlate_fault xf)
{
	res->status = IMS_DMA_FAULT;
	res->xfault = xf;
	res->reported = true;
}

static int page_request(struct mock *m, struct mock_dev *dev, const struct ims_dma_req *req,
			struct ims_dma_result *res)
{
	struct ims_iopf f = {
		.pasid = req->pasid,
		.grpid = req->prgi,
		.perm = (req->access & IMS_ACC_READ ? IMS_PGFAULT_PERM_READ : 0) |
			(req->access & IMS_ACC_WRITE ? IMS_PGFAULT_PERM_WRITE : 0) |
			(req->access & IMS_ACC_EXEC ? IMS_PGFAULT_PERM_EXEC : 0) |
			(req->access & IMS_ACC_PRIV ? IMS_PGFAULT_PERM_PRIV : 0),
		.last = req->last,
		.addr = req->addr & ~4095ull,
	};
	int rc;

	if (!dev) {
		dma_fault(res, IMS_XF_BLOCKED);
		return 0;
	}
	rc = ims_report_iopf(m->ctx, dev->cdev, &f);
	if (!rc) {
		res->status = IMS_DMA_QUEUED;
		return 0;
	}
	/* Nobody to handle it: hardware answers the device itself. */
	if (req->last)
		mock_page_response(m, dev, req->pasid, req->prgi, IMS_PAGE_RESP_INVALID);
	dma_fault(res, rc == -ENOENT ? IMS_XF_BLOCKED : IMS_XF_PAGE_REQUEST);
	return 0;
}

static int mock_dma(void *inst, const struct ims_dma_req *req, struct ims_dma_result *res)
{
	struct mock *m = inst;
	struct mock_dev *dev = NULL;
	struct mock_domain *d, *s2;
	struct mock_attach *a;
	uint64_t pa;
	unsigned prot;
	uint32_t need;

	if (req->unit >= m->cfg.units || !req->len)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	res->cycles = 1;
	for (unsigned i = 0; i < m->ndevs; i++)
		if (m->devs[i]->desc.unit == req->unit && m->devs[i]->desc.sid == req->sid)
			dev = m->devs[i];
	if (req->type == IMS_DMA_PAGE_REQUEST)
		return page_request(m, dev, req, res);
	a = dev ? find_attach(dev, req->pasid) : NULL;
	if (!a) {
		dma_fault(res, IMS_XF_BLOCKED);
		return 0;
	}
	d = a->dom;
	s2 = d;
	if (d->nested) {
		/* The mock's own nested type has an identity stage 1; vendor
		 * guest tables are the oracle's business. */
		if (d->data_type != MOCK_HWPT_DATA) {
			dma_fault(res, IMS_XF_CONFIG);
			return 0;
		}
		s2 = d->parent;
	}
	if (!in_aperture(s2, req->addr, req->addr)) {
		dma_fault(res, IMS_XF_ADDRESS);
		return 0;
	}
	if (!mock_domain_lookup(s2, req->addr, &pa, &prot)) {
		dma_fault(res, IMS_XF_NOT_PRESENT);
		return 0;
	}
	need = ims_pt_needed(req->access);
	if ((prot_rights(prot) & need) != need) {
		dma_fault(res, IMS_XF_PERMISSION);
		return 0;
	}
	if ((req->access & IMS_ACC_WRITE) && s2->tracking)
		mark_dirty(s2, req->addr);
	res->pa = pa;
	res->perms = prot_rights(prot);
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
	.hw_info = mock_hw_info,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_free = mock_domain_free_op,
	.map = mock_map,
	.unmap = mock_unmap,
	.iotlb_sync = mock_iotlb_sync,
	.set_dirty_tracking = mock_set_dirty_tracking,
	.read_and_clear_dirty = mock_read_and_clear_dirty,
	.domain_alloc_nested = mock_domain_alloc_nested,
	.domain_invalidate_user = mock_domain_invalidate_user,
	.attach = mock_attach_op,
	.page_response = mock_page_response,
	.viommu_alloc = mock_viommu_alloc,
	.viommu_free = mock_viommu_free,
	.viommu_invalidate_user = mock_viommu_invalidate_user,
	.viommu_option = mock_viommu_option_op,
	.viommu_mmio_read = mock_viommu_mmio_read,
	.viommu_mmio_write = mock_viommu_mmio_write,
	.vdevice_alloc = mock_vdevice_alloc,
	.vdevice_free = mock_vdevice_free,
	.hw_queue_alloc = mock_hw_queue_alloc,
	.hw_queue_free = mock_hw_queue_free,
	.dma = mock_dma,
};

const struct ims_model_ops mock_model_ops_basic = {
	.name = "mock-basic",
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
	.dma = mock_dma,
};

/* ---- test API ------------------------------------------------------------------------ */

/* Any ops table made of the mock's functions (tests may copy mock_model_ops
 * and clear some ops) runs a mock instance. */
struct mock *mock_of(struct ims_ctx *ctx)
{
	return ctx->model && ctx->model->create == mock_create ? ctx->model_inst : NULL;
}

uint64_t mock_teardown_errors(void)
{
	return teardown_errors;
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

void mock_fail_attach(struct mock *m, unsigned n, int rc)
{
	m->fail_attach_n = n;
	m->fail_attach_rc = rc;
}

void mock_set_device(struct mock *m, uint32_t sid, uint32_t flags, uint32_t group_id)
{
	struct mock_sid_cfg *sc = (struct mock_sid_cfg *)sid_cfg(m, sid);

	if (!sc) {
		if (m->nsids == MOCK_MAX_SID_CFG) {
			m->st.errors++;
			return;
		}
		sc = &m->sids[m->nsids++];
	}
	sc->sid = sid;
	sc->flags = flags;
	sc->group_id = group_id;
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

void *mock_hwpt_domain(struct ims_ctx *ctx, uint32_t hwpt_id)
{
	struct ims_obj *o = ims_obj_find(ctx, hwpt_id, IMS_OBJ_HWPT_PAGING);

	if (!o)
		o = ims_obj_find(ctx, hwpt_id, IMS_OBJ_HWPT_NESTED);
	return o ? ims_hwpt_of(o)->dom : NULL;
}

static struct mock_dev *mdev_of(struct ims_ctx *ctx, uint32_t dev_id)
{
	struct ims_device *idev = ims_device_find(ctx, dev_id);

	return idev && mock_of(ctx) ? idev->mdev : NULL;
}

void *mock_dev_domain(struct ims_ctx *ctx, uint32_t dev_id, uint32_t pasid)
{
	struct mock_dev *d = mdev_of(ctx, dev_id);
	struct mock_attach *a = d ? find_attach(d, pasid) : NULL;

	return a ? a->dom : NULL;
}

uint32_t mock_nested_iotlb(struct ims_ctx *ctx, uint32_t hwpt_id, unsigned i)
{
	struct ims_obj *o = ims_obj_find(ctx, hwpt_id, IMS_OBJ_HWPT_NESTED);
	struct mock_domain *d = o && mock_of(ctx) ? ims_hwpt_of(o)->dom : NULL;

	return d && i < MOCK_NESTED_IOTLB_NUM ? d->iotlb[i] : 0xffffffffu;
}

uint32_t mock_dev_cache(struct ims_ctx *ctx, uint32_t dev_id, unsigned i)
{
	struct mock_dev *d = mdev_of(ctx, dev_id);

	return d && d->vdev && i < MOCK_DEV_CACHE_NUM ? d->vdev->cache[i] : 0xffffffffu;
}

int mock_trigger_vevent(struct ims_ctx *ctx, uint32_t dev_id)
{
	struct mock_dev *d = mdev_of(ctx, dev_id);
	struct mock_vevent ev;

	/* Events for a device are only produced once it has a vDEVICE. */
	if (!d || !d->vdev)
		return -ENOENT;
	ev.virt_id = (uint32_t)d->vdev->virt_id;
	return ims_report_vevent(ctx, d->vdev->v->core, MOCK_VEVENTQ_TYPE, &ev, sizeof(ev));
}

static struct mock_domain *paging_dom(struct ims_ctx *ctx, uint32_t hwpt_id)
{
	struct ims_hwpt_paging *hp = ims_hwpt_paging_find(ctx, hwpt_id);

	return hp && mock_of(ctx) ? hp->common.dom : NULL;
}

int mock_set_dirty(struct ims_ctx *ctx, uint32_t hwpt_id, uint64_t iova, uint64_t len)
{
	struct mock_domain *d = paging_dom(ctx, hwpt_id);

	if (!d || !len)
		return -EINVAL;
	for (uint64_t off = 0; off < len; off += granule(d))
		mark_dirty(d, iova + off);
	return 0;
}

bool mock_dirty_tracking(struct ims_ctx *ctx, uint32_t hwpt_id)
{
	struct mock_domain *d = paging_dom(ctx, hwpt_id);

	return d && d->tracking;
}

uint64_t mock_hw_queue_pa(struct ims_ctx *ctx, uint32_t hw_queue_id)
{
	struct ims_obj *o = ims_obj_find(ctx, hw_queue_id, IMS_OBJ_HW_QUEUE);
	struct mock_hw_queue *q;

	if (!o || !mock_of(ctx))
		return 0;
	q = IMS_CONTAINER_OF(o, struct ims_hw_queue, obj)->mq;
	return q ? q->base_pa : 0;
}

uint64_t mock_viommu_option(struct ims_ctx *ctx, uint32_t viommu_id)
{
	struct ims_viommu *v = ims_viommu_find(ctx, viommu_id);

	return v && mock_of(ctx) ? ((struct mock_viommu *)v->mv)->option : 0;
}

unsigned mock_responses(const struct mock *m, const struct mock_response **v)
{
	*v = m->resp;
	return m->nresp;
}
