/* SPDX-License-Identifier: MIT */
/*
 * The VT-d model as the core sees it: struct ims_model_ops, the instance
 * (one vtd_hw per unit plus the driver's state), register access for
 * traces, and the observation calls of include/iommusim/vtd.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/vtd/drv_priv.h"
#include "sim/stats.h"

static int vtdd_create(const struct ims_model_env *env, const void *cfg, void **inst)
{
	struct vtdd *drv;
	char err[160];

	if (!env || !env->mem || !env->palloc || !inst)
		return -EINVAL;
	*inst = NULL;
	drv = calloc(1, sizeof(*drv));
	if (!drv)
		return -ENOMEM;
	drv->env = *env;
	if (cfg)
		drv->cfg = *(const struct ims_vtd_cfg *)cfg;
	else
		vtdd_cfg_init(&drv->cfg);
	const struct ims_vtd_cfg *c = &drv->cfg;
	if (c->units < 1 || c->units > IMS_VTD_MAX_UNITS || c->iq_qs < -1 || c->iq_qs > 7 ||
	    c->prq_pqs > 7 || c->mode > IMS_VTD_MODE_LEGACY || c->paging > IMS_VTD_PAGING_FS ||
	    vtd_hw_cfg_check(&c->hw, err, sizeof(err)) < 0) {
		free(drv);
		return -EINVAL;
	}
	/* What the part cannot do in the mode asked for (SPEC 11.4.3): a
	 * scalable driver needs SMTS; invalidation needs the queue or, before
	 * VER 6, the registers; legacy walks need a second-stage width. */
	const uint64_t ecap = c->hw.ecap;
	if ((c->mode == IMS_VTD_MODE_SCALABLE && !(ecap & VTD_ECAP_SMTS)) ||
	    (!(ecap & VTD_ECAP_QI) && VTD_VER_MAJOR(c->hw.ver) >= 6) ||
	    ((c->mode == IMS_VTD_MODE_LEGACY || !(ecap & VTD_ECAP_SMTS)) &&
	     !(VTD_CAP_SAGAW(c->hw.cap) & 0xE))) {
		free(drv);
		return -EOPNOTSUPP;
	}
	/* Tables and queues must be addressable by the unit: bits above HAW
	 * are not implemented in RTADDR, IQA, PQA or any pointer (SPEC 11.4). */
	if (c->hw.haw < 64 && (env->palloc->limit - 1) >> c->hw.haw) {
		free(drv);
		return -EINVAL;
	}
	drv->nunits = c->units;
	for (unsigned i = 0; i < drv->nunits; i++) {
		struct vtdd_unit *u = &drv->unit[i];
		struct vtd_hw_cfg hc = c->hw;

		/* Each unit its own replacement seed, reproducibly. */
		hc.seed = c->hw.seed + i;
		u->drv = drv;
		u->idx = i;
		u->hw = vtd_hw_create(env->mem, &hc, err, sizeof(err));
		if (!u->hw) {
			for (unsigned k = 0; k < i; k++)
				vtd_hw_destroy(drv->unit[k].hw);
			free(drv);
			return -ENOMEM;
		}
	}
	if (env->stats) {
		drv->ctr_qi_descs = ims_stats_counter(env->stats, "vtd.drv.qi_descriptors");
		drv->ctr_faults = ims_stats_counter(env->stats, "vtd.drv.faults_logged");
		drv->ctr_prq = ims_stats_counter(env->stats, "vtd.drv.page_requests");
	}
	*inst = drv;
	return 0;
}

static void vtdd_destroy(void *inst)
{
	struct vtdd *drv = inst;

	if (!drv)
		return;
	for (unsigned i = 0; i < drv->nunits; i++) {
		struct vtdd_unit *u = &drv->unit[i];
		vtdd_unit_down(u);
		free(u->devs);
		vtd_hw_destroy(u->hw);
	}
	free(drv);
}

static unsigned vtdd_num_units(void *inst)
{
	const struct vtdd *drv = inst;

	return drv ? drv->nunits : 0;
}

static int vtdd_mmio_read(void *inst, unsigned unit, uint64_t off, unsigned width, uint64_t *val)
{
	struct vtdd *drv = inst;
	uint32_t v32;
	int rc;

	if (!drv || unit >= drv->nunits || !val)
		return -EINVAL;
	if (width == 8)
		return vtd_hw_mmio_read64(drv->unit[unit].hw, off, val);
	if (width != 4)
		return -EINVAL;
	rc = vtd_hw_mmio_read32(drv->unit[unit].hw, off, &v32);
	*val = v32;
	return rc;
}

static int vtdd_mmio_write(void *inst, unsigned unit, uint64_t off, unsigned width, uint64_t val)
{
	struct vtdd *drv = inst;

	if (!drv || unit >= drv->nunits)
		return -EINVAL;
	if (width == 8)
		return vtd_hw_mmio_write64(drv->unit[unit].hw, off, val);
	if (width != 4 || val > UINT32_MAX)
		return -EINVAL;
	return vtd_hw_mmio_write32(drv->unit[unit].hw, off, (uint32_t)val);
}

struct vtd_hw *ims_vtd_hw(void *inst, unsigned unit)
{
	struct vtdd *drv = inst;

	return drv && unit < drv->nunits ? drv->unit[unit].hw : NULL;
}

const struct ims_vtd_drv_stats *ims_vtd_drv_stats(void *inst, unsigned unit)
{
	struct vtdd *drv = inst;

	return drv && unit < drv->nunits ? &drv->unit[unit].st : NULL;
}

/* ---- Observation for replay (model.h "observation") -------------------------- */

/* Counters of one unit under the names every model shares, then the VT-d
 * specific ones under "vtd.".  Invalidation kinds are the descriptor types
 * of SPEC 6.5.2 (digest §5) by their spec names. */
static void vtdd_stats(void *inst, unsigned unit,
		       void (*put)(void *arg, const char *name, uint64_t value), void *arg)
{
	static const char *const dsc_name[VTD_DSC_NTYPES_PUBLIC] = {
		NULL, "cc_inv", "iotlb_inv", "dev_tlb_inv", "iec_inv", "inv_wait",
		"p_iotlb_inv", "pc_inv", "p_dev_tlb_inv", NULL, "hpt_inv",
	};
	struct vtd_hw *hw = ims_vtd_hw(inst, unit);
	const struct ims_vtd_drv_stats *ds = ims_vtd_drv_stats(inst, unit);
	uint64_t walk_hits = 0, walk_misses = 0, cfg_hits = 0, cfg_misses = 0;
	char name[48];

	if (!hw || !ds || !put)
		return;
	const struct vtd_hw_stats *st = vtd_hw_stats(hw);
	for (unsigned i = 0; i < VTD_NCACHES; i++) {
		const struct ims_cache *c = vtd_hw_cache(hw, (enum vtd_cache_id)i);
		const struct ims_cache_counters *cc = c ? ims_cache_counters(c) : NULL;
		if (!cc || i == VTD_CACHE_IOTLB)
			continue;
		if (i == VTD_CACHE_FSPSC || i == VTD_CACHE_SSPSC) {
			walk_hits += cc->hits;
			walk_misses += cc->misses;
		} else {
			cfg_hits += cc->hits;
			cfg_misses += cc->misses;
		}
	}
	put(arg, "iotlb.hits", st->iotlb_hits);
	put(arg, "iotlb.misses", st->iotlb_misses);
	put(arg, "walk_cache.hits", walk_hits);
	put(arg, "walk_cache.misses", walk_misses);
	put(arg, "config_cache.hits", cfg_hits);
	put(arg, "config_cache.misses", cfg_misses);
	put(arg, "walks", st->walks);
	put(arg, "walk.reads", st->walk_reads);
	put(arg, "config.reads", st->config_reads);
	put(arg, "faults.recorded", st->faults_recorded);
	for (unsigned t = 0; t < VTD_DSC_NTYPES_PUBLIC; t++) {
		if (!dsc_name[t])
			continue;
		snprintf(name, sizeof(name), "inval.%s", dsc_name[t]);
		put(arg, name, st->dsc_by_type[t]);
		snprintf(name, sizeof(name), "inval.%s.cycles", dsc_name[t]);
		put(arg, name, st->dsc_cycles_by_type[t]);
	}
	put(arg, "inval.register", st->reg_invalidations);
	put(arg, "clock.mhz", ims_cost_get(vtd_hw_cost(hw), "clock_mhz", NULL));
	const struct {
		const char *n;
		uint64_t v;
	} rows[] = {
		{ "vtd.ad_writes", st->ad_writes }, { "vtd.faults.suppressed", st->faults_suppressed },
		{ "vtd.faults.overflow", st->faults_overflow }, { "vtd.iq.errors", st->iq_errors },
		{ "vtd.iq.ite", st->ite }, { "vtd.iq.ice", st->ice },
		{ "vtd.iq.status_writes", st->wait_status_writes },
		{ "vtd.prq.queued", st->prq_queued }, { "vtd.prq.dropped", st->prq_dropped },
		{ "vtd.prq.auto_resp", st->prq_auto_resp }, { "vtd.prg_resp", st->prg_resp },
		{ "vtd.ats_inv", st->ats_inv }, { "vtd.inval.entries", st->inval_entries },
		{ "vtd.msi.fault", st->msi[VTD_EV_FAULT] }, { "vtd.msi.inv", st->msi[VTD_EV_INV] },
		{ "vtd.msi.prq", st->msi[VTD_EV_PRQ] }, { "vtd.drv.qi_submits", ds->qi_submits },
		{ "vtd.drv.qi_descs", ds->qi_descs }, { "vtd.drv.faults_logged", ds->faults_logged },
		{ "vtd.drv.prq_reported", ds->prq_reported },
		{ "vtd.drv.page_responses", ds->page_responses },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		put(arg, rows[i].n, rows[i].v);
}

static const char *vtdd_fault_name(uint32_t code)
{
	const char *n = code <= 0xFF ? vtd_fault_reason_name(code) : NULL;

	return n && strcmp(n, "reserved") ? n : NULL;
}

const struct ims_model_ops ims_vtd_model = {
	.name = "vtd",
	.cfg_size = sizeof(struct ims_vtd_cfg),
	.cfg_init = vtdd_cfg_init,
	.cfg_set = vtdd_cfg_set,
	.create = vtdd_create,
	.destroy = vtdd_destroy,
	.num_units = vtdd_num_units,
	.mmio_read = vtdd_mmio_read,
	.mmio_write = vtdd_mmio_write,
	.dev_probe = vtdd_dev_probe,
	.dev_release = vtdd_dev_release,
	.hw_info = vtdd_hw_info,
	.domain_alloc_paging = vtdd_domain_alloc_paging,
	.domain_free = vtdd_domain_free,
	.map = vtdd_map,
	.unmap = vtdd_unmap,
	.iotlb_sync = vtdd_iotlb_sync,
	.set_dirty_tracking = vtdd_set_dirty_tracking,
	.read_and_clear_dirty = vtdd_read_and_clear_dirty,
	.domain_alloc_nested = vtdd_domain_alloc_nested,
	.domain_invalidate_user = vtdd_invalidate_user,
	.attach = vtdd_attach,
	.page_response = vtdd_page_response,
	.dma = vtdd_dma,
	.stats = vtdd_stats,
	.fault_name = vtdd_fault_name,
	.cfg_describe = vtdd_cfg_describe,
};
