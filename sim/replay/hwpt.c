/* SPDX-License-Identifier: MIT */
/*
 * Devices and hardware page tables (iommufd.md §2.11-2.15, §2.22):
 * device.bind/attach/replace/detach, hwpt.alloc, hwpt.invalidate,
 * hwpt.set_dirty, hwpt.get_dirty and hw_info.  Replay remembers what each
 * device is attached to and, for nested HWPTs, which guest table (pt.alloc)
 * is their stage 1: --check and walk follow a DMA to its tables with it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/replay/replay_priv.h"

/* hwpt.invalidate data=amd_guest has no upstream data type (AMD takes no
 * user invalidation); the project numbers it after the upstream ones
 * (traces/FORMAT.md §5). */
#define RP_INVALIDATE_DATA_AMD_GUEST 2u

static bool kv_num(struct ims_replay *r, const struct ims_trace_stmt *st, unsigned group,
		   enum ims_trace_key k, uint64_t *out)
{
	const struct ims_trace_arg *a = ims_trace_kv_in(st, group, k);

	*out = 0;
	return !a || rp_num(r, st->line, &a->v, out);
}

static void stmt_bind(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	struct ims_device_bind b = { .size = sizeof(b) };
	uint64_t sid = 0, bits = 0, unit = 0;

	if (!kv_num(r, st, 0, IMS_TRACE_K_SID, &sid) ||
	    !kv_num(r, st, 0, IMS_TRACE_K_PASID_BITS, &bits) ||
	    !kv_num(r, st, 0, IMS_TRACE_K_UNIT, &unit))
		return;
	if (sid > UINT32_MAX || bits > UINT32_MAX || unit > UINT32_MAX) {
		rp_error(r, st->line, "device.bind: a value is out of range");
		return;
	}
	b.sid = (uint32_t)sid;
	b.pasid_bits = (uint32_t)bits;
	b.unit = (uint32_t)unit;
	b.ats = ims_trace_has(st, IMS_TRACE_K_ATS);
	b.pri = ims_trace_has(st, IMS_TRACE_K_PRI);
	if (rp_api(r, st, ims_device_bind(r->ctx, &b))) {
		rp_bind_obj(r, st, st->pos[0].v.name, b.out_dev_id, RPO_DEVICE);
		struct rp_obj *o = rp_obj_get(r, b.out_dev_id, RPO_DEVICE);
		if (o) {
			o->sid = b.sid;
			o->unit = b.unit;
		}
	} else
		rp_bind_failed(r, st, st->pos[0].v.name);
}

/* device.attach / device.replace / device.detach */
static void stmt_attach(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct ims_trace_arg *pt = ims_trace_kv(st, IMS_TRACE_K_PT);
	const struct ims_trace_arg *pa = ims_trace_kv(st, IMS_TRACE_K_PASID);
	uint32_t dev, target = 0;
	uint64_t pasid = 0;
	int rc;

	if (!rp_objid(r, st->line, &st->pos[0], &dev) ||
	    (pt && !rp_objid(r, st->line, pt, &target)) ||
	    (pa && !rp_num(r, st->line, &pa->v, &pasid)))
		return;
	if (pasid > UINT32_MAX) {
		rp_error(r, st->line, "%s: pasid=%" PRIu64 " is out of range",
			 ims_trace_verb_name(st->verb), pasid);
		return;
	}
	const uint32_t flags = pa ? IMS_DEVICE_ATTACH_PASID : 0;
	const uint32_t slot = pa ? (uint32_t)pasid : IMS_NO_PASID;
	if (st->verb == IMS_TRACE_V_DEVICE_DETACH) {
		struct ims_device_detach d = { .size = sizeof(d), .flags = flags, .dev_id = dev,
					       .pasid = (uint32_t)pasid };
		if (rp_api(r, st, ims_device_detach(r->ctx, &d)))
			rp_att_set(r, dev, slot, 0);
		return;
	}
	struct ims_device_attach a = { .size = sizeof(a), .flags = flags, .dev_id = dev,
				       .pt_id = target, .pasid = (uint32_t)pasid };
	rc = st->verb == IMS_TRACE_V_DEVICE_ATTACH ? ims_device_attach(r->ctx, &a)
						     : ims_device_replace(r->ctx, &a);
	if (!rp_api(r, st, rc))
		return;
	/* pt_id comes back as the HWPT attached: an automatic one for an
	 * IOAS, which replay records as a paging HWPT of that IOAS. */
	if (a.pt_id != target && rp_obj_get(r, target, RPO_IOAS)) {
		struct rp_obj *h = rp_obj(r, a.pt_id);
		/* The ID may have held an automatic HWPT the core destroyed
		 * since: the record is this one's now. */
		if (h && (h->kind != RPO_HWPT_PAGING || h->ioas != target)) {
			rp_obj_clear(h);
			h->kind = RPO_HWPT_PAGING;
			h->ioas = target;
		}
	}
	rp_att_set(r, dev, slot, a.pt_id);
}

/* The pt.alloc table a nested HWPT's stage 1 is (pgtbl=$table), or the one
 * whose root is that address in the same IOAS. */
static int32_t find_table(struct ims_replay *r, const struct ims_trace_arg *pg, uint64_t root,
			  uint32_t ioas)
{
	if (pg && pg->v.name != IMS_TRACE_NO_NAME && pg->v.num == 0) {
		const struct rp_name *n = rp_slot(r, pg->v.name);
		if (n && n->kind == RPN_TABLE)
			return n->table;
	}
	for (uint32_t i = r->ntables; i-- > 0;) {
		const struct rp_table *t = &r->tables[i];
		if (t->root == root && r->pools[t->pool].via == ioas)
			return (int32_t)i;
	}
	return -1;
}

static void stmt_alloc(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct ims_trace_arg *dev = ims_trace_kv(st, IMS_TRACE_K_DEV);
	const struct ims_trace_arg *pt = ims_trace_kv(st, IMS_TRACE_K_PT);
	const struct ims_trace_arg *fault = ims_trace_kv(st, IMS_TRACE_K_FAULT);
	struct ims_hwpt_alloc c = { .size = sizeof(c) };
	union {
		struct ims_hwpt_vtd_s1 vtd;
		struct ims_hwpt_arm_smmuv3 arm;
		struct ims_hwpt_amd_guest amd;
	} data;
	uint64_t v;

	memset(&data, 0, sizeof(data));
	if (!dev || !pt || !rp_objid(r, st->line, dev, &c.dev_id) ||
	    !rp_objid(r, st->line, pt, &c.pt_id) ||
	    (fault && !rp_objid(r, st->line, fault, &c.fault_id)))
		return;
	if (ims_trace_has(st, IMS_TRACE_K_NEST_PARENT))
		c.flags |= IMS_HWPT_ALLOC_NEST_PARENT;
	if (ims_trace_has(st, IMS_TRACE_K_DIRTY))
		c.flags |= IMS_HWPT_ALLOC_DIRTY_TRACKING;
	if (ims_trace_has(st, IMS_TRACE_K_PASID))
		c.flags |= IMS_HWPT_ALLOC_PASID;
	if (fault)
		c.flags |= IMS_HWPT_FAULT_ID_VALID;
	switch (st->data) {
	case IMS_TRACE_DATA_VTD_S1:
		c.data_type = IMS_HWPT_DATA_VTD_S1;
		c.data_len = sizeof(data.vtd);
		if (!kv_num(r, st, 1, IMS_TRACE_K_FLAGS, &data.vtd.flags) ||
		    !kv_num(r, st, 1, IMS_TRACE_K_PGTBL, &data.vtd.pgtbl_addr) ||
		    !kv_num(r, st, 1, IMS_TRACE_K_AW, &v))
			return;
		data.vtd.addr_width = (uint32_t)v;
		if (ims_trace_kv_in(st, 1, IMS_TRACE_K_SRE))
			data.vtd.flags |= IMS_VTD_S1_SRE;
		if (ims_trace_kv_in(st, 1, IMS_TRACE_K_EAFE))
			data.vtd.flags |= IMS_VTD_S1_EAFE;
		if (ims_trace_kv_in(st, 1, IMS_TRACE_K_WPE))
			data.vtd.flags |= IMS_VTD_S1_WPE;
		break;
	case IMS_TRACE_DATA_ARM_SMMUV3:
		c.data_type = IMS_HWPT_DATA_ARM_SMMUV3;
		c.data_len = sizeof(data.arm);
		if (!kv_num(r, st, 1, IMS_TRACE_K_STE0, &data.arm.ste[0]) ||
		    !kv_num(r, st, 1, IMS_TRACE_K_STE1, &data.arm.ste[1]))
			return;
		break;
	case IMS_TRACE_DATA_AMD_GUEST:
		c.data_type = IMS_HWPT_DATA_AMD_GUEST;
		c.data_len = sizeof(data.amd);
		for (unsigned i = 0; i < 4; i++)
			if (!kv_num(r, st, 1, (enum ims_trace_key)(IMS_TRACE_K_DTE0 + i),
				    &data.amd.dte[i]))
				return;
		break;
	default:
		break;
	}
	if (c.data_len)
		c.data_uptr = (uint64_t)(uintptr_t)&data;
	if (!rp_api(r, st, ims_hwpt_alloc(r->ctx, &c))) {
		rp_bind_failed(r, st, st->pos[0].v.name);
		return;
	}
	const bool nested = c.data_type != IMS_HWPT_DATA_NONE;
	rp_bind_obj(r, st, st->pos[0].v.name, c.out_hwpt_id,
		    nested ? RPO_HWPT_NESTED : RPO_HWPT_PAGING);
	struct rp_obj *h = rp_obj_get(r, c.out_hwpt_id, RPO_NONE);
	const struct rp_obj *under = rp_obj_get(r, c.pt_id, RPO_NONE);
	if (!h)
		return;
	h->ioas = under ? under->ioas : 0;
	if (!nested)
		return;
	h->parent = c.pt_id;
	h->data = (uint32_t)st->data;
	if (st->data == IMS_TRACE_DATA_VTD_S1) {
		h->pgtbl = data.vtd.pgtbl_addr;
		h->aw = data.vtd.addr_width;
		h->table = find_table(r, ims_trace_kv_in(st, 1, IMS_TRACE_K_PGTBL), h->pgtbl, h->ioas);
	}
}

/* The tables whose cached translations an invalidation of `id` covers. */
static void track_invalidation(struct ims_replay *r, uint32_t id, const struct ims_trace_stmt *st,
			       const void *entries, uint32_t done)
{
	const struct rp_obj *t = rp_obj_get(r, id, RPO_NONE);

	if (!t)
		return;
	if (t->kind == RPO_HWPT_NESTED && t->table >= 0 && st->data == IMS_TRACE_DATA_VTD_S1) {
		const struct ims_hwpt_vtd_s1_invalidate *e = entries;
		for (uint32_t i = 0; i < done; i++) {
			uint64_t span = e[i].npages > (UINT64_MAX >> 12) ? UINT64_MAX
									 : e[i].npages << 12;
			uint64_t last = span == UINT64_MAX || e[i].addr + span - 1 < e[i].addr
						? UINT64_MAX : e[i].addr + span - 1;
			if (span)
				rp_track_invalidate(r, (uint32_t)t->table, e[i].addr, last);
		}
		return;
	}
	/* Raw vendor commands (SMMUv3, AMD) are not decoded: any handled
	 * entry counts as covering everything of the target. */
	if (!done)
		return;
	for (uint32_t h = 1; h < r->nobjs; h++) {
		const struct rp_obj *o = &r->objs[h];
		if (o->kind == RPO_HWPT_NESTED && o->table >= 0 && (h == id || o->parent == id))
			rp_track_invalidate(r, (uint32_t)o->table, 0, UINT64_MAX);
	}
}

static void stmt_invalidate(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct ims_trace_arg *en = ims_trace_kv(st, IMS_TRACE_K_ENTRY_NUM);
	struct ims_hwpt_invalidate c = { .size = sizeof(c) };
	const unsigned n = st->nentries;
	size_t esz;
	void *buf;

	if (!rp_objid(r, st->line, &st->pos[0], &c.hwpt_id))
		return;
	switch (st->data) {
	case IMS_TRACE_DATA_VTD_S1:
		c.data_type = IMS_HWPT_INVALIDATE_DATA_VTD_S1;
		esz = sizeof(struct ims_hwpt_vtd_s1_invalidate);
		break;
	case IMS_TRACE_DATA_ARM_SMMUV3:
		c.data_type = IMS_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
		esz = sizeof(struct ims_viommu_arm_smmuv3_invalidate);
		break;
	default:
		c.data_type = RP_INVALIDATE_DATA_AMD_GUEST;
		esz = 16;
		break;
	}
	buf = rp_scratch(r, esz * (n ? n : 1), st->line);
	if (!buf)
		return;
	memset(buf, 0, esz * (n ? n : 1));
	for (unsigned g = 1; g <= n; g++) {
		uint64_t a = 0, b = 0, f = 0;
		if (st->data == IMS_TRACE_DATA_VTD_S1) {
			struct ims_hwpt_vtd_s1_invalidate *e = (void *)((char *)buf + (g - 1) * esz);
			if (!kv_num(r, st, g, IMS_TRACE_K_ADDR, &a) ||
			    !kv_num(r, st, g, IMS_TRACE_K_NPAGES, &b) ||
			    !kv_num(r, st, g, IMS_TRACE_K_FLAGS, &f))
				return;
			if (f > UINT32_MAX) {
				rp_error(r, st->line, "hwpt.invalidate: flags=0x%" PRIx64 " is wider "
					 "than 32 bits", f);
				return;
			}
			e->addr = a;
			e->npages = b;
			e->flags = (uint32_t)f;
			if (ims_trace_kv_in(st, g, IMS_TRACE_K_LEAF))
				e->flags |= IMS_VTD_INV_FLAGS_LEAF;
		} else {
			uint64_t *e = (void *)((char *)buf + (g - 1) * esz);
			if (!kv_num(r, st, g, IMS_TRACE_K_CMD0, &a) ||
			    !kv_num(r, st, g, IMS_TRACE_K_CMD1, &b))
				return;
			e[0] = a;
			e[1] = b;
		}
	}
	c.entry_len = (uint32_t)esz;
	c.entry_num = n;
	c.data_uptr = (uint64_t)(uintptr_t)buf;
	rp_api(r, st, ims_hwpt_invalidate(r->ctx, &c));
	if (r->stop)
		return;
	/* entry_num is written back also on failure (§2.15). */
	if (en) {
		uint64_t w;
		if (rp_num(r, st->line, &en->v, &w))
			rp_check_field(r, st, "entry_num", w, c.entry_num, false);
	}
	if (r->o.check)
		track_invalidation(r, c.hwpt_id, st, buf, c.entry_num < n ? c.entry_num : n);
}

static void stmt_set_dirty(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	struct ims_hwpt_set_dirty_tracking c = { .size = sizeof(c) };
	uint64_t en;

	if (!rp_objid(r, st->line, &st->pos[0], &c.hwpt_id) ||
	    !kv_num(r, st, 0, IMS_TRACE_K_ENABLE, &en))
		return;
	if (en > UINT32_MAX) {
		rp_error(r, st->line, "hwpt.set_dirty: enable=0x%" PRIx64 " is wider than the "
			 "32-bit flags word", en);
		return;
	}
	c.flags = (uint32_t)en;
	rp_api(r, st, ims_hwpt_set_dirty_tracking(r->ctx, &c));
}

/* The bitmap's dirty pages as ranges "START-LAST,..." */
static void bitmap_text(char *buf, size_t n, const uint64_t *bm, uint64_t pages, uint64_t iova,
			uint64_t ps)
{
	size_t o = 0;

	buf[0] = 0;
	for (uint64_t p = 0; p < pages && o + 48 < n;) {
		if (!(bm[p / 64] >> (p % 64) & 1)) {
			p++;
			continue;
		}
		uint64_t q = p;
		while (q + 1 < pages && (bm[(q + 1) / 64] >> ((q + 1) % 64) & 1))
			q++;
		o += (size_t)snprintf(buf + o, n - o, "%s0x%" PRIx64 "-0x%" PRIx64, o ? "," : "",
				      iova + p * ps, iova + (q + 1) * ps - 1);
		p = q + 1;
	}
	if (!o)
		snprintf(buf, n, "(none)");
}

static void stmt_get_dirty(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const struct ims_trace_arg *want = ims_trace_kv(st, IMS_TRACE_K_DIRTY);
	struct ims_hwpt_get_dirty_bitmap c = { .size = sizeof(c) };
	uint64_t pages = 1, words;
	uint64_t *bm;

	if (!rp_objid(r, st->line, &st->pos[0], &c.hwpt_id) ||
	    !kv_num(r, st, 0, IMS_TRACE_K_IOVA, &c.iova) ||
	    !kv_num(r, st, 0, IMS_TRACE_K_LEN, &c.length) ||
	    !kv_num(r, st, 0, IMS_TRACE_K_PAGE_SIZE, &c.page_size))
		return;
	if (ims_trace_has(st, IMS_TRACE_K_NO_CLEAR))
		c.flags = IMS_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
	if (c.page_size)
		pages = c.length / c.page_size + (c.length % c.page_size != 0);
	words = pages / 64 + 1;
	if (words > (1u << 22)) {
		rp_error(r, st->line, "hwpt.get_dirty: a bitmap of %" PRIu64 " pages is larger "
			 "than replay reads (2^28)", pages);
		return;
	}
	bm = rp_scratch(r, words * 8, st->line);
	if (!bm)
		return;
	memset(bm, 0, words * 8);
	c.data = (uint64_t)(uintptr_t)bm;
	if (!rp_api(r, st, ims_hwpt_get_dirty_bitmap(r->ctx, &c)) || !want)
		return;
	/* dirty= names every dirty page; every other page must be clean. */
	bool same = true;
	r->sum.expectations++;
	for (uint64_t p = 0; p < pages && same; p++) {
		uint64_t at = c.iova + p * c.page_size, s, l;
		bool exp = false;
		for (uint32_t i = 0; i < want->n && !exp; i++) {
			if (!rp_num(r, st->line, &want->p.ranges[i].first, &s) ||
			    !rp_num(r, st->line, &want->p.ranges[i].last, &l))
				return;
			exp = at >= s && at <= l;
		}
		same = exp == (bool)(bm[p / 64] >> (p % 64) & 1);
	}
	if (!same) {
		char w[512], g[512];
		size_t o = (size_t)snprintf(w, sizeof(w), "dirty=");
		for (uint32_t i = 0; i < want->n && o + 48 < sizeof(w); i++) {
			uint64_t s = 0, l = 0;
			rp_num(r, st->line, &want->p.ranges[i].first, &s);
			rp_num(r, st->line, &want->p.ranges[i].last, &l);
			o += (size_t)snprintf(w + o, sizeof(w) - o, "%s0x%" PRIx64 "-0x%" PRIx64,
					      i ? "," : "", s, l);
		}
		if (!want->n)
			snprintf(w + o, sizeof(w) - o, "(none)");
		memcpy(g, "dirty=", 6);
		bitmap_text(g + 6, sizeof(g) - 6, bm, pages, c.iova, c.page_size);
		rp_fail(r, st->line, w, g);
	}
}

static void stmt_hw_info(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	struct ims_hw_info c = { .size = sizeof(c) };
	union {
		struct ims_hw_info_vtd vtd;
		struct ims_hw_info_arm_smmuv3 arm;
		struct ims_hw_info_tegra241_cmdqv tegra;
		struct ims_hw_info_amd amd;
		uint8_t raw[128];
	} d;
	const struct ims_trace_arg *in = ims_trace_kv(st, IMS_TRACE_K_IN_TYPE);
	uint64_t v;

	memset(&d, 0, sizeof(d));
	if (!rp_objid(r, st->line, &st->pos[0], &c.dev_id))
		return;
	if (in) {
		if (!rp_num(r, st->line, &in->v, &v))
			return;
		c.flags = IMS_HW_INFO_FLAG_INPUT_TYPE;
		c.in_data_type = (uint32_t)v;
	}
	c.data_len = sizeof(d);
	c.data_uptr = (uint64_t)(uintptr_t)&d;
	if (!rp_api(r, st, ims_get_hw_info(r->ctx, &c)))
		return;
	/* Each key present checks its field of the answer (traces/FORMAT.md §5). */
	for (unsigned i = 0; i < st->nkv; i++) {
		const struct ims_trace_arg *a = &st->kv[i];
		const char *key = ims_trace_key_name((enum ims_trace_key)a->key);
		uint32_t need = 0;
		uint64_t got = 0;
		if (a->key == IMS_TRACE_K_IN_TYPE || a->group != 0)
			continue;
		if (!rp_num(r, st->line, &a->v, &v))
			return;
		switch (a->key) {
		case IMS_TRACE_K_TYPE:
			rp_check_field(r, st, key, v, c.out_data_type, false);
			continue;
		case IMS_TRACE_K_MAX_PASID_LOG2:
			rp_check_field(r, st, key, v, c.out_max_pasid_log2, false);
			continue;
		case IMS_TRACE_K_CAPS:
			rp_check_field(r, st, key, v, c.out_capabilities, true);
			continue;
		case IMS_TRACE_K_CAP:
			need = IMS_HW_INFO_TYPE_INTEL_VTD;
			got = d.vtd.cap_reg;
			break;
		case IMS_TRACE_K_ECAP:
			need = IMS_HW_INFO_TYPE_INTEL_VTD;
			got = d.vtd.ecap_reg;
			break;
		case IMS_TRACE_K_EFR:
			need = IMS_HW_INFO_TYPE_AMD;
			got = d.amd.efr;
			break;
		case IMS_TRACE_K_EFR2:
			need = IMS_HW_INFO_TYPE_AMD;
			got = d.amd.efr2;
			break;
		default: /* idr0..idr5 */
			need = IMS_HW_INFO_TYPE_ARM_SMMUV3;
			got = d.arm.idr[a->key - IMS_TRACE_K_IDR0];
			break;
		}
		if (c.out_data_type != need) {
			char w[64], g[64];
			r->sum.expectations++;
			snprintf(w, sizeof(w), "%s=0x%" PRIx64, key, v);
			snprintf(g, sizeof(g), "hw_info type %u without %s", c.out_data_type, key);
			rp_fail(r, st->line, w, g);
			continue;
		}
		rp_check_field(r, st, key, v, got, true);
	}
}

void rp_hwpt_stmt(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	switch (st->verb) {
	case IMS_TRACE_V_DEVICE_BIND:
		stmt_bind(r, st);
		break;
	case IMS_TRACE_V_DEVICE_ATTACH: case IMS_TRACE_V_DEVICE_REPLACE:
	case IMS_TRACE_V_DEVICE_DETACH:
		stmt_attach(r, st);
		break;
	case IMS_TRACE_V_HWPT_ALLOC:
		stmt_alloc(r, st);
		break;
	case IMS_TRACE_V_HWPT_INVALIDATE:
		stmt_invalidate(r, st);
		break;
	case IMS_TRACE_V_HWPT_SET_DIRTY:
		stmt_set_dirty(r, st);
		break;
	case IMS_TRACE_V_HWPT_GET_DIRTY:
		stmt_get_dirty(r, st);
		break;
	case IMS_TRACE_V_HW_INFO:
		stmt_hw_info(r, st);
		break;
	default:
		break;
	}
}
