/* SPDX-License-Identifier: MIT */
/*
 * The VT-d unit as a whole: its configuration (the default part, named
 * parts, `set key=value`), creation and reset state, capability decoding,
 * the logs of messages it sends (device messages, interrupts), statistics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/vtd/hw_priv.h"
#include "sim/err.h"


/* ---- The default part --------------------------------------------------------
 * A current server unit, composed from the digest's reference values (§1.3,
 * §8) since no single datasheet lists every field of a 5.x part:
 *   VER 6.0: major >= 6 as 4.x/5.x parts, so register-based invalidation is
 *       rejected and software uses the queue (digest §1.1 VER, SPEC 6.5.1).
 *   CAP: ESRTPS, ESIRTPS (Core Ultra 200V), FS5LP and FS1GP (5-level first
 *       stage with 1 GiB pages), PI, DRD/DWD (deprecated, read 1),
 *       MAMV=18 (recommended with 1 GiB SS pages, SPEC 11.4.2; Intel IIO
 *       datasheet), NFR=7 (8 fault-recording registers, Intel IIO), PSI,
 *       SSLPS=0011b (2 MiB and 1 GiB), ZLR, MGAW=56 (57-bit), SAGAW 3/4/5-level,
 *       ND=6 (16-bit domain IDs), CM=0 (real hardware).
 *       FRCDs at 0x600 and IVA/IOTLB_REG at 0x500, clear of the perfmon
 *       (0x300) and ECMD (0x400) blocks.
 *   ECAP: scalable mode (SMTS) with first-stage, second-stage and nested
 *       translation, SS A/D and snooped SM walks (SMPWCS), 20-bit PASIDs
 *       (PSS=19), RID_PASID, RID_PRIV, abort-DMA mode, SS IR/IW bits,
 *       page requests with drain (PRS, PDS), supervisor requests, EAFS,
 *       NWFS, pass-through, ATS (DT), QI, IR with x2APIC, SC, coherent
 *       legacy walks (C).  Not reported: ERS (4.0+), MTS, PMS, HPTS, DIT,
 *       VCS, RDTS, SMS.
 *   HAW 52: 5-level parts address 52 bits.
 * Cache geometries are assumed (Intel publishes none, digest §8): a fully
 * associative 64-entry IOTLB (the pcie-bench Xeon E5 figure), 64-entry fully
 * associative paging-structure caches per stage, 64-entry context and PASID
 * caches (16 sets x 4 ways). */
#define VTD_DEFAULT_CAP                                                                   \
	(VTD_CAP_ESRTPS | VTD_CAP_ESIRTPS | VTD_CAP_FS5LP | VTD_CAP_PI | VTD_CAP_FS1GP |  \
	 VTD_CAP_DRD | VTD_CAP_DWD | VTD_CAP_MAMV_V(18) | VTD_CAP_NFR_V(7) | VTD_CAP_PSI | \
	 VTD_CAP_SSLPS_V(3) | VTD_CAP_FRO_V(0x60) | VTD_CAP_ZLR | VTD_CAP_MGAW_V(56) |     \
	 VTD_CAP_SAGAW_V(0xE) | VTD_CAP_ND_V(6))
#define VTD_DEFAULT_ECAP                                                                   \
	(VTD_ECAP_SSIRWS | VTD_ECAP_RPRIVS | VTD_ECAP_ADMS | VTD_ECAP_RPS | VTD_ECAP_SMPWCS | \
	 VTD_ECAP_FSTS | VTD_ECAP_SSTS | VTD_ECAP_SSADS | VTD_ECAP_SMTS | VTD_ECAP_PDS |      \
	 VTD_ECAP_PASID | VTD_ECAP_PSS_V(19) | VTD_ECAP_EAFS | VTD_ECAP_NWFS | VTD_ECAP_SRS | \
	 VTD_ECAP_PRS | VTD_ECAP_NEST | VTD_ECAP_MHMV_V(15) | VTD_ECAP_IRO_V(0x50) |          \
	 VTD_ECAP_SC | VTD_ECAP_PT | VTD_ECAP_EIM | VTD_ECAP_IR | VTD_ECAP_DT | VTD_ECAP_QI | \
	 VTD_ECAP_C)

void vtd_hw_cfg_default(struct vtd_hw_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ver = 0x60;
	cfg->cap = VTD_DEFAULT_CAP;
	cfg->ecap = VTD_DEFAULT_ECAP;
	cfg->rev = VTD_REV_5;
	cfg->haw = 52;
	cfg->cache[VTD_CACHE_IOTLB] = (struct vtd_cache_geom){ 1, 64 };
	cfg->cache[VTD_CACHE_FSPSC] = (struct vtd_cache_geom){ 1, 64 };
	cfg->cache[VTD_CACHE_SSPSC] = (struct vtd_cache_geom){ 1, 64 };
	cfg->cache[VTD_CACHE_CTX] = (struct vtd_cache_geom){ 16, 4 };
	cfg->cache[VTD_CACHE_PASID] = (struct vtd_cache_geom){ 16, 4 };
	cfg->repl = IMS_CACHE_LRU;
	cfg->seed = 1;
	ims_cost_init(&cfg->cost, vtd_cost_params, VTD_C_N);
}

int vtd_hw_cfg_preset(struct vtd_hw_cfg *cfg, const char *name)
{
	if (!cfg || !name)
		return -ENOENT;
	if (strcmp(name, "default") == 0) {
		vtd_hw_cfg_default(cfg);
		return 0;
	}
	if (strcmp(name, "snb") == 0) {
		/* 3rd-gen Core VC0PREMAP CAP and 2nd-gen GFX unit ECAP (digest
		 * §1.3, §8): 39-bit 3-level SS, one FRCD at 0x200, IOTLB_REG at
		 * 0x100, QI and IR but no ATS, pass-through or coherency. */
		vtd_hw_cfg_default(cfg);
		cfg->ver = 0x10;
		cfg->cap = 0x00C9008020660262ull;
		cfg->ecap = 0xF0101Aull;
		cfg->rev = VTD_REV_3;
		cfg->haw = 39;
		return 0;
	}
	return -ENOENT;
}

static const char *const cache_key[VTD_NCACHES] = {
	[VTD_CACHE_IOTLB] = "iotlb", [VTD_CACHE_FSPSC] = "fs_psc", [VTD_CACHE_SSPSC] = "ss_psc",
	[VTD_CACHE_CTX] = "ctx_cache", [VTD_CACHE_PASID] = "pasid_cache",
};

int vtd_hw_cfg_set(struct vtd_hw_cfg *cfg, const char *a, char *err, size_t errlen)
{
	const char *eq = a ? strchr(a, '=') : NULL;
	char key[64];
	uint64_t v = 0;
	int rc;

	if (!cfg || !eq || eq == a || (size_t)(eq - a) >= sizeof(key))
		return ims_errf(err, errlen, -EINVAL, "vtd: malformed setting '%s' (want key=value)",
				a ? a : "");
	memcpy(key, a, (size_t)(eq - a));
	key[eq - a] = 0;
	const char *val = eq + 1;

	if (strcmp(key, "part") == 0) {
		if (vtd_hw_cfg_preset(cfg, val) < 0)
			return ims_errf(err, errlen, -EINVAL, "vtd: part: unknown part '%s' "
					"(default, snb)", val);
		return 0;
	}
	if (strcmp(key, "repl") == 0) {
		if (strcmp(val, "lru") == 0)
			cfg->repl = IMS_CACHE_LRU;
		else if (strcmp(val, "random") == 0)
			cfg->repl = IMS_CACHE_RANDOM;
		else
			return ims_errf(err, errlen, -EINVAL, "vtd: repl: '%s' is not lru or random",
					val);
		return 0;
	}

	unsigned ci = VTD_NCACHES;
	const char *what = NULL;
	for (unsigned i = 0; i < VTD_NCACHES; i++) {
		size_t n = strlen(cache_key[i]);
		if (strncmp(key, cache_key[i], n) == 0 && key[n] == '_') {
			ci = i;
			what = key + n + 1;
			break;
		}
	}
	bool known = ci < VTD_NCACHES ? (strcmp(what, "sets") == 0 || strcmp(what, "ways") == 0 ||
					 strcmp(what, "entries") == 0)
				      : (strcmp(key, "ver") == 0 || strcmp(key, "cap") == 0 ||
					 strcmp(key, "ecap") == 0 || strcmp(key, "rev") == 0 ||
					 strcmp(key, "haw") == 0 || strcmp(key, "seed") == 0);
	if (!known)
		return ims_cost_set(&cfg->cost, a, err, errlen);

	rc = ims_parse_u64(val, ci < VTD_NCACHES, &v);
	if (rc < 0)
		return ims_errf(err, errlen, rc, "vtd: %s: malformed value '%s'", key, val);
	if (ci < VTD_NCACHES) {
		if (v > (1u << 24))
			return ims_errf(err, errlen, -ERANGE, "vtd: %s=%" PRIu64 " is too large "
					"(at most 2^24)", key, v);
		struct vtd_cache_geom *g = &cfg->cache[ci];
		if (strcmp(what, "sets") == 0)
			g->sets = (unsigned)v;
		else if (strcmp(what, "ways") == 0)
			g->ways = (unsigned)v;
		else
			*g = (struct vtd_cache_geom){ v ? 1 : 0, (unsigned)v };
		return 0;
	}
	if (strcmp(key, "ver") == 0) {
		if (v > 0xFFFFFFFFull)
			return ims_errf(err, errlen, -ERANGE, "vtd: ver: 0x%" PRIx64 " is wider "
					"than 32 bits", v);
		cfg->ver = (uint32_t)v;
	} else if (strcmp(key, "cap") == 0) {
		cfg->cap = v;
	} else if (strcmp(key, "ecap") == 0) {
		cfg->ecap = v;
	} else if (strcmp(key, "rev") == 0) {
		if (v != 3 && v != 5)
			return ims_errf(err, errlen, -ERANGE, "vtd: rev: %" PRIu64 " (want 3 or 5)", v);
		cfg->rev = (enum vtd_rev)v;
	} else if (strcmp(key, "haw") == 0) {
		if (v < 32 || v > 52)
			return ims_errf(err, errlen, -ERANGE, "vtd: haw: %" PRIu64 " (want 32..52)", v);
		cfg->haw = (unsigned)v;
	} else {
		cfg->seed = v;
	}
	return 0;
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int vtd_hw_cfg_check(const struct vtd_hw_cfg *cfg, char *err, size_t errlen)
{
	if (!cfg)
		return ims_errf(err, errlen, -EINVAL, "vtd: no configuration");
	uint64_t cap = cfg->cap, ecap = cfg->ecap;
	uint64_t fro = 16ull * VTD_CAP_FRO(cap), frlen = 16ull * (VTD_CAP_NFR(cap) + 1);
	uint64_t iro = 16ull * VTD_ECAP_IRO(ecap);

	if (cfg->rev != VTD_REV_3 && cfg->rev != VTD_REV_5)
		return ims_errf(err, errlen, -EINVAL, "vtd: rev %d: want 3 or 5", (int)cfg->rev);
	if (cfg->haw < 32 || cfg->haw > 52)
		return ims_errf(err, errlen, -EINVAL, "vtd: haw %u: want 32..52", cfg->haw);
	if (VTD_CAP_ND(cap) == 7)
		return ims_errf(err, errlen, -EINVAL, "vtd: CAP.ND=7 is reserved (SPEC 11.4.2)");
	if (VTD_CAP_SSLPS(cap) != 0 && VTD_CAP_SSLPS(cap) != 1 && VTD_CAP_SSLPS(cap) != 3)
		return ims_errf(err, errlen, -EINVAL, "vtd: CAP.SSLPS=0x%x: only 0000b, 0001b and "
				"0011b are legal (SPEC 11.4.2)", VTD_CAP_SSLPS(cap));
	if (VTD_CAP_MGAW(cap) + 1 < 21)
		return ims_errf(err, errlen, -EINVAL, "vtd: CAP.MGAW=%u: below 21 bits",
				VTD_CAP_MGAW(cap));
	if (fro < 0x100 || iro < 0x100 || overlap(fro, frlen, iro, 16) ||
	    ((ecap & VTD_ECAP_MTS) &&
	     (overlap(fro, frlen, VTD_REG_MTRR_FIRST, VTD_REG_MTRR_LAST + 1 - VTD_REG_MTRR_FIRST) ||
	      overlap(iro, 16, VTD_REG_MTRR_FIRST, VTD_REG_MTRR_LAST + 1 - VTD_REG_MTRR_FIRST))))
		return ims_errf(err, errlen, -EINVAL, "vtd: CAP.FRO=0x%x / ECAP.IRO=0x%x: the FRCD "
				"and IOTLB register blocks overlap each other or other registers",
				VTD_CAP_FRO(cap), VTD_ECAP_IRO(ecap));
	/* Feature dependencies (SPEC 11.4.3, digest §1.3). */
	static const struct {
		uint64_t bit, needs;
		const char *what;
	} deps[] = {
		{ VTD_ECAP_SMTS, VTD_ECAP_QI, "SMTS requires QI" },
		{ VTD_ECAP_IR, VTD_ECAP_QI, "IR requires QI" },
		{ VTD_ECAP_NEST, VTD_ECAP_SMTS | VTD_ECAP_FSTS | VTD_ECAP_SSTS,
		  "NEST requires SMTS, FSTS and SSTS" },
		{ VTD_ECAP_PRS, VTD_ECAP_DT | VTD_ECAP_SMTS, "PRS requires DT and SMTS" },
		{ VTD_ECAP_SSADS, VTD_ECAP_SMPWCS, "SSADS requires SMPWCS" },
	};
	for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++)
		if ((ecap & deps[i].bit) && (ecap & deps[i].needs) != deps[i].needs)
			return ims_errf(err, errlen, -EINVAL, "vtd: ECAP 0x%" PRIx64 ": %s", ecap,
					deps[i].what);
	if (cfg->rev == VTD_REV_5 && (ecap & VTD_ECAP_ERS))
		return ims_errf(err, errlen, -EINVAL, "vtd: ECAP.ERS must read 0 from revision 4.0");
	if (cfg->rev == VTD_REV_3 &&
	    (ecap & (VTD_ECAP_ADMS | VTD_ECAP_RPRIVS | VTD_ECAP_SSIRWS | VTD_ECAP_HPTS)))
		return ims_errf(err, errlen, -EINVAL, "vtd: ECAP.ADMS/RPRIVS/SSIRWS/HPTS are 5.x "
				"features; not in a revision 3 part");
	for (unsigned i = 0; i < VTD_NCACHES; i++) {
		const struct vtd_cache_geom *g = &cfg->cache[i];
		if ((g->sets == 0) != (g->ways == 0) || (uint64_t)g->sets * g->ways > (1u << 24))
			return ims_errf(err, errlen, -EINVAL, "vtd: %s: %u sets x %u ways (both 0 "
					"for none, at most 2^24 entries)", cache_key[i], g->sets,
					g->ways);
	}
	if (cfg->cost.param != vtd_cost_params || cfg->cost.n != VTD_C_N)
		return ims_errf(err, errlen, -EINVAL, "vtd: the cost table was not initialised "
				"(use vtd_hw_cfg_default)");
	for (unsigned i = 0; i < VTD_C_N; i++)
		if (cfg->cost.val[i] < vtd_cost_params[i].min ||
		    cfg->cost.val[i] > vtd_cost_params[i].max)
			return ims_errf(err, errlen, -ERANGE, "vtd: %s=%" PRIu64 " out of range",
					vtd_cost_params[i].key, cfg->cost.val[i]);
	if (err && errlen)
		err[0] = 0;
	return 0;
}

static void decode_caps(struct vtd_hw *hw)
{
	struct vtd_caps *c = &hw->c;
	const struct vtd_hw_cfg *cfg = &hw->cfg;

	c->cap = cfg->cap;
	c->ecap = cfg->ecap;
	c->ver_major = VTD_VER_MAJOR(cfg->ver);
	c->rev3 = cfg->rev == VTD_REV_3;
	c->haw = cfg->haw;
	c->nfr = VTD_CAP_NFR(c->cap) + 1;
	c->fro = 16ull * VTD_CAP_FRO(c->cap);
	c->iro = 16ull * VTD_ECAP_IRO(c->ecap);
	c->sagaw = VTD_CAP_SAGAW(c->cap);
	c->mgaw = VTD_CAP_MGAW(c->cap) + 1;
	c->did_bits = 4 + 2 * VTD_CAP_ND(c->cap);
	c->pasid_bits = (c->ecap & VTD_ECAP_PASID) ? VTD_ECAP_PSS(c->ecap) + 1 : 0;
	c->mamv = VTD_CAP_MAMV(c->cap);
	c->ss2m = VTD_CAP_SSLPS(c->cap) & 1;
	c->ss1g = (VTD_CAP_SSLPS(c->cap) >> 1) & 1;
}

struct vtd_hw *vtd_hw_create(struct ims_mem *mem, const struct vtd_hw_cfg *cfg, char *err,
			     size_t errlen)
{
	if (!mem) {
		ims_errf(err, errlen, -EINVAL, "vtd: no memory to attach to");
		return NULL;
	}
	if (vtd_hw_cfg_check(cfg, err, errlen) < 0)
		return NULL;
	struct vtd_hw *hw = calloc(1, sizeof(*hw));
	if (!hw) {
		ims_errf(err, errlen, -ENOMEM, "vtd: out of memory");
		return NULL;
	}
	hw->mem = mem;
	hw->cfg = *cfg;
	decode_caps(hw);
	hw->frcd = calloc(hw->c.nfr, sizeof(*hw->frcd));
	hw->ats_mode = calloc(65536, 1);
	if (!hw->frcd || !hw->ats_mode || vtd_caches_create(hw) < 0) {
		vtd_hw_destroy(hw);
		ims_errf(err, errlen, -ENOMEM, "vtd: out of memory");
		return NULL;
	}
	hw->cost = cfg->cost;
	hw->cost.now = 0;
	/* Event interrupts start masked (SPEC 11.4.7, 11.4.9, 11.4.11: IM resets to 1). */
	for (unsigned e = 0; e < VTD_NEVENTS; e++)
		hw->ev[e].ctl = VTD_ECTL_IM;
	ims_hist_init(&hw->st.dma_cycles);
	ims_hist_init(&hw->st.cmd_cycles);
	hw->last.psc_level[0] = hw->last.psc_level[1] = -1;

	uint64_t end = 0x1000;
	if (hw->c.fro + 16ull * hw->c.nfr > end)
		end = hw->c.fro + 16ull * hw->c.nfr;
	if (hw->c.iro + 16 > end)
		end = hw->c.iro + 16;
	hw->mmio_size = (end + 0xFFF) & ~0xFFFull;
	if (err && errlen)
		err[0] = 0;
	return hw;
}

void vtd_hw_destroy(struct vtd_hw *hw)
{
	if (!hw)
		return;
	vtd_caches_free(hw);
	free(hw->frcd);
	free(hw->ats_mode);
	free(hw);
}

uint64_t vtd_hw_mmio_size(const struct vtd_hw *hw)
{
	return hw ? hw->mmio_size : 0;
}

/* SRTP: latch RTADDR (SPEC 11.4.4 "Set Root Table Pointer").  With ESRTPS the
 * latch also invalidates every DMA-remapping cache globally (digest §7.2). */
void vtd_latch_root(struct vtd_hw *hw)
{
	hw->rta = hw->rtaddr;
	hw->gsts |= VTD_GSTS_RTPS;
	if (vtd_has_cap(hw, VTD_CAP_ESRTPS))
		vtd_inv_all(hw);
}

/* ---- Logs of what the unit sends ---------------------------------------------- */

void vtd_devmsg_push(struct vtd_hw *hw, const struct vtd_devmsg *m)
{
	if (hw->devmsg_n == VTD_LOG_MAX) {
		hw->devmsg_head = (hw->devmsg_head + 1) % VTD_LOG_MAX;
		hw->devmsg_n--;
		hw->st.devmsg_lost++;
	}
	hw->devmsg[(hw->devmsg_head + hw->devmsg_n) % VTD_LOG_MAX] = *m;
	hw->devmsg_n++;
}

bool vtd_hw_devmsg_pop(struct vtd_hw *hw, struct vtd_devmsg *msg)
{
	if (!hw || !hw->devmsg_n)
		return false;
	if (msg)
		*msg = hw->devmsg[hw->devmsg_head];
	hw->devmsg_head = (hw->devmsg_head + 1) % VTD_LOG_MAX;
	hw->devmsg_n--;
	return true;
}

void vtd_msi_send(struct vtd_hw *hw, enum vtd_event ev)
{
	const struct vtd_evstate *s = &hw->ev[ev];
	struct vtd_msi m = {
		.event = ev,
		.addr = (uint64_t)s->uaddr << 32 | s->addr,
		.data = s->data,
	};

	hw->st.msi[ev]++;
	vtd_charge(hw, VTD_C_MSI, 1);
	if (hw->msi_n == VTD_LOG_MAX) {
		hw->msi_head = (hw->msi_head + 1) % VTD_LOG_MAX;
		hw->msi_n--;
		hw->st.msi_lost++;
	}
	hw->msi[(hw->msi_head + hw->msi_n) % VTD_LOG_MAX] = m;
	hw->msi_n++;
}

bool vtd_hw_msi_pop(struct vtd_hw *hw, struct vtd_msi *msi)
{
	if (!hw || !hw->msi_n)
		return false;
	if (msi)
		*msi = hw->msi[hw->msi_head];
	hw->msi_head = (hw->msi_head + 1) % VTD_LOG_MAX;
	hw->msi_n--;
	return true;
}

void vtd_hw_set_device_ats(struct vtd_hw *hw, uint16_t sid, enum vtd_ats_mode mode)
{
	if (hw && (unsigned)mode <= VTD_ATS_BAD_COMPLETION)
		hw->ats_mode[sid] = (uint8_t)mode;
}

/* ---- Observation ---------------------------------------------------------------- */

const struct vtd_xlate_info *vtd_hw_last(const struct vtd_hw *hw)
{
	return hw ? &hw->last : NULL;
}

const struct vtd_hw_stats *vtd_hw_stats(const struct vtd_hw *hw)
{
	return hw ? &hw->st : NULL;
}

struct ims_cost *vtd_hw_cost(struct vtd_hw *hw)
{
	return hw ? &hw->cost : NULL;
}

struct ims_cache *vtd_hw_cache(struct vtd_hw *hw, enum vtd_cache_id id)
{
	return hw && (unsigned)id < VTD_NCACHES ? hw->cache[id] : NULL;
}

static void put(struct ims_stats *s, const char *prefix, const char *name, uint64_t v)
{
	char key[96];
	snprintf(key, sizeof(key), "%s%s", prefix, name);
	uint64_t *c = ims_stats_counter(s, key);
	if (c)
		*c = v;
}

void vtd_hw_stats_publish(const struct vtd_hw *hw, struct ims_stats *s, const char *prefix)
{
	static const char *const dsc_name[VTD_DSC_NTYPES_PUBLIC] = {
		"dsc.type0", "dsc.cc_inv", "dsc.iotlb_inv", "dsc.dev_tlb_inv", "dsc.iec_inv",
		"dsc.inv_wait", "dsc.p_iotlb_inv", "dsc.pc_inv", "dsc.p_dev_tlb_inv",
		"dsc.page_grp_resp", "dsc.hpt_inv",
	};
	static const char *const ev_name[VTD_NEVENTS] = { "msi.fault", "msi.inv", "msi.prq" };
	char key[96];

	if (!hw || !s)
		return;
	const struct vtd_hw_stats *st = &hw->st;
	prefix = prefix ? prefix : "";
	const struct {
		const char *name;
		uint64_t v;
	} rows[] = {
		{ "dma", st->dma }, { "dma.ok", st->dma_ok }, { "dma.fault", st->dma_fault },
		{ "dma.queued", st->dma_queued }, { "iotlb.hits", st->iotlb_hits },
		{ "iotlb.misses", st->iotlb_misses }, { "walks", st->walks },
		{ "walk_reads", st->walk_reads }, { "config_reads", st->config_reads },
		{ "ad_writes", st->ad_writes }, { "faults.recorded", st->faults_recorded },
		{ "faults.suppressed", st->faults_suppressed },
		{ "faults.overflow", st->faults_overflow }, { "iq.errors", st->iq_errors },
		{ "iq.ite", st->ite }, { "iq.ice", st->ice }, { "iq.waits", st->waits },
		{ "iq.status_writes", st->wait_status_writes },
		{ "iq.status_aborts", st->wait_status_aborts },
		{ "reg_invalidations", st->reg_invalidations }, { "wbf", st->wbf },
		{ "prq.queued", st->prq_queued }, { "prq.dropped", st->prq_dropped },
		{ "prq.auto_resp", st->prq_auto_resp }, { "prg_resp", st->prg_resp },
		{ "ats_inv", st->ats_inv }, { "inval.entries", st->inval_entries },
		{ "devmsg.lost", st->devmsg_lost }, { "msi.lost", st->msi_lost },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		put(s, prefix, rows[i].name, rows[i].v);
	for (unsigned t = 1; t < VTD_DSC_NTYPES_PUBLIC; t++)
		put(s, prefix, dsc_name[t], st->dsc_by_type[t]);
	for (unsigned e = 0; e < VTD_NEVENTS; e++)
		put(s, prefix, ev_name[e], st->msi[e]);
	for (unsigned fr = 0; fr < 256; fr++) {
		if (!st->fault_by_reason[fr])
			continue;
		snprintf(key, sizeof(key), "fault.0x%02x", fr);
		put(s, prefix, key, st->fault_by_reason[fr]);
	}
	for (unsigned i = 0; i < VTD_NCACHES; i++) {
		const struct ims_cache_counters *cc = ims_cache_counters(hw->cache[i]);
		if (!hw->cache[i] || !cc)
			continue;
		const struct {
			const char *n;
			uint64_t v;
		} cr[] = { { "lookups", cc->lookups }, { "hits", cc->hits }, { "misses", cc->misses },
			   { "evictions", cc->evictions }, { "invalidated", cc->invalidated } };
		for (size_t j = 0; j < sizeof(cr) / sizeof(cr[0]); j++) {
			snprintf(key, sizeof(key), "cache.%s.%s", cache_key[i], cr[j].n);
			put(s, prefix, key, cr[j].v);
		}
	}
	snprintf(key, sizeof(key), "%sdma.cycles", prefix);
	struct ims_hist *h = ims_stats_hist(s, key);
	if (h)
		*h = st->dma_cycles;
	snprintf(key, sizeof(key), "%scmd.cycles", prefix);
	h = ims_stats_hist(s, key);
	if (h)
		*h = st->cmd_cycles;
}

const char *vtd_fault_reason_name(unsigned fr)
{
	switch (fr) {
	case 0x01: return "LRT.2 root entry not present";
	case 0x02: return "LCT.2 context entry not present";
	case 0x03: return "LCT.4 invalid context entry";
	case 0x04: return "LGN.1 address beyond the address width";
	case 0x05: return "LGN.2 write not permitted";
	case 0x06: return "LGN.3 read not permitted";
	case 0x07: return "LSS.1 error reading a second-stage entry";
	case 0x08: return "LRT.1 error reading the root entry";
	case 0x09: return "LCT.1 error reading the context entry";
	case 0x0A: return "LRT.3 reserved bit in root entry";
	case 0x0B: return "LCT.3 reserved bit in context entry";
	case 0x0C: return "LSS.2 reserved bit in a second-stage entry";
	case 0x0D: return "LCT.5 translation type blocks the request";
	case 0x0E: return "LGN.4 output in the interrupt address range";
	case 0x30: return "RTA.1 invalid root table address register";
	case 0x31: return "RTA.2 request with PASID in legacy mode";
	case 0x32: return "RTA.3 page request in legacy mode";
	case 0x33: return "RTA.4 abort-DMA mode";
	case 0x34: return "RTA.5 execute request not supported";
	case 0x38: return "SRT.1 error reading scalable root entry";
	case 0x39: return "SRT.2 scalable root entry not present";
	case 0x3A: return "SRT.3 reserved bit in scalable root entry";
	case 0x40: return "SCT.1 error reading scalable context entry";
	case 0x41: return "SCT.2 scalable context entry not present";
	case 0x42: return "SCT.3 reserved bit in scalable context entry";
	case 0x43: return "SCT.4 invalid scalable context entry";
	case 0x44: return "SCT.5 device-TLB disabled for the request";
	case 0x45: return "SCT.6 requests with PASID disabled";
	case 0x46: return "SCT.7 PASID beyond the directory size";
	case 0x47: return "SCT.8 page requests disabled";
	case 0x48: return "SCT.9 PASID equals RID_PASID";
	case 0x49: return "SCT.10 PASID in translated requests disabled";
	case 0x50: return "SPD.1 error reading PASID-directory entry";
	case 0x51: return "SPD.2 PASID-directory entry not present";
	case 0x52: return "SPD.3 reserved bit in PASID-directory entry";
	case 0x58: return "SPT.1 error reading PASID-table entry";
	case 0x59: return "SPT.2 PASID-table entry not present";
	case 0x5A: return "SPT.3 reserved bit in PASID-table entry";
	case 0x5B: return "SPT.4 invalid PASID-table entry";
	case 0x5C: return "SPT.5 execute request not allowed";
	case 0x5D: return "SPT.6 supervisor request not allowed";
	case 0x70: return "SFS.1 error reading a first-stage entry";
	case 0x71: return "SFS.2 first-stage entry not present";
	case 0x72: return "SFS.3 reserved bit in a first-stage entry";
	case 0x73: return "SFS.4 error reading the first-stage root";
	case 0x74: return "SFS.5 first-stage address beyond the guest address width";
	case 0x75: return "SFS.6 first-stage root not readable through second stage";
	case 0x76: return "SFS.7 first-stage entry not readable through second stage";
	case 0x77: return "SFS.8 first-stage A/D update not writable through second stage";
	case 0x78: return "SSS.1 error reading a second-stage entry";
	case 0x79: return "SSS.2 second-stage entry not present";
	case 0x7A: return "SSS.3 reserved bit in a second-stage entry";
	case 0x7B: return "SSS.4 error reading the second-stage root";
	case 0x7C: return "SSS.5 second-stage A/D update on a non-snooped walk";
	case 0x7D: return "SSS.6 second-stage A/D update failed";
	case 0x80: return "SGN.1 non-canonical address";
	case 0x81: return "SGN.2 user request to a supervisor page";
	case 0x82: return "SGN.3 execute not permitted";
	case 0x83: return "SGN.4 address beyond the host address width";
	case 0x84: return "SGN.5 address beyond the second-stage address width";
	case 0x85: return "SGN.6 write not permitted";
	case 0x86: return "SGN.7 read not permitted";
	case 0x87: return "SGN.8 output in the interrupt address range";
	case 0x89: return "SGN.10 PASID beyond the supported width";
	case 0x90: return "SFS.9 first-stage A/D update on a non-snooped walk";
	case 0x91: return "SFS.10 first-stage A/D update failed";
	default: return "reserved";
	}
}
