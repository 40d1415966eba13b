/* SPDX-License-Identifier: MIT */
/*
 * The unit's translation caches (SPEC 6.2, digest §7.1), each an instance of
 * sim/cache sized by configuration, and what each invalidation removes from
 * them (SPEC Tables 23 and 24, 6.5.2.1-6.5.2.4, digest §7.2).
 *
 * Tags (struct ims_cache_tag):
 *   IOTLB    addr/shift = input page; sid; pasid = the request's PASID or,
 *            for requests without one, RID_PASID (legacy: 0) with flag
 *            NOPASID; domain = DID; kind = PGTT (VTD_PGTT_*; legacy SS is
 *            SS, legacy pass-through PT).
 *   FS PSC   addr/shift = input region one entry maps; domain = DID;
 *            pasid; kind = level of the cached entry (1 = PDE ... 4 = PML5E).
 *   SS PSC   as the FS PSC without PASID (pasid 0).
 *   context  addr = sid; sid; domain = DID (0 for CM negative entries).
 *   PASID    addr = sid << 20 | pasid; sid; pasid; domain = DID.
 * Look-ups match on what the request knows (SID, PASID) with
 * ims_cache_lookup_match: the DID is only known once the entry is found.
 */
#include "models/vtd/hw_priv.h"

static const size_t value_size[VTD_NCACHES] = {
	[VTD_CACHE_IOTLB] = sizeof(struct vtd_tlb_val),
	[VTD_CACHE_FSPSC] = sizeof(struct vtd_psc_val),
	[VTD_CACHE_SSPSC] = sizeof(struct vtd_psc_val),
	[VTD_CACHE_CTX] = sizeof(struct vtd_ctx_val),
	[VTD_CACHE_PASID] = sizeof(struct vtd_pasid_val),
};

static const char *const cache_name[VTD_NCACHES] = {
	[VTD_CACHE_IOTLB] = "vtd.iotlb", [VTD_CACHE_FSPSC] = "vtd.fs_psc",
	[VTD_CACHE_SSPSC] = "vtd.ss_psc", [VTD_CACHE_CTX] = "vtd.context",
	[VTD_CACHE_PASID] = "vtd.pasid",
};

int vtd_caches_create(struct vtd_hw *hw)
{
	for (unsigned i = 0; i < VTD_NCACHES; i++) {
		const struct vtd_cache_geom *g = &hw->cfg.cache[i];
		struct ims_cache_cfg cc = {
			.name = cache_name[i], .sets = g->sets, .ways = g->ways,
			.repl = hw->cfg.repl, .value_size = value_size[i], .seed = hw->cfg.seed + i,
		};
		if (!g->sets || !g->ways)
			continue; /* the part has no such cache */
		hw->cache[i] = ims_cache_new(&cc);
		if (!hw->cache[i])
			return -1;
	}
	return 0;
}

void vtd_caches_free(struct vtd_hw *hw)
{
	for (unsigned i = 0; i < VTD_NCACHES; i++) {
		ims_cache_free(hw->cache[i]);
		hw->cache[i] = NULL;
	}
}

/* ---- Look-up and fill ----------------------------------------------------------- */

struct key {
	uint16_t sid;
	uint32_t pasid;
	bool nopasid;
	uint16_t did;
	unsigned top_level;
};

static bool tlb_match(const struct ims_cache_tag *t, const void *v, void *arg)
{
	const struct key *k = arg;
	bool nopasid = t->flags & VTD_TLBF_NOPASID;

	return t->sid == k->sid && nopasid == k->nopasid && (nopasid || t->pasid == k->pasid);
}

const struct vtd_tlb_val *vtd_iotlb_lookup(struct vtd_hw *hw, const struct vtd_xreq *x,
					   struct ims_cache_tag *found)
{
	struct key k = { .sid = x->sid, .pasid = x->pasid, .nopasid = !x->pp };

	if (!hw->cache[VTD_CACHE_IOTLB])
		return NULL;
	vtd_charge(hw, VTD_C_IOTLB_LOOKUP, 1);
	return ims_cache_lookup_match(hw->cache[VTD_CACHE_IOTLB], x->addr, tlb_match, &k, found);
}

void vtd_iotlb_fill(struct vtd_hw *hw, const struct vtd_xreq *x, unsigned shift,
		    const struct vtd_tlb_val *v)
{
	struct ims_cache_tag t = {
		.addr = x->addr, .shift = (uint8_t)shift, .sid = x->sid, .pasid = x->pasid,
		.domain = x->did, .kind = (uint16_t)x->pgtt,
		.flags = x->pp ? 0 : VTD_TLBF_NOPASID,
	};
	ims_cache_insert(hw->cache[VTD_CACHE_IOTLB], &t, v);
}

static bool sid_match(const struct ims_cache_tag *t, const void *v, void *arg)
{
	const struct key *k = arg;
	return t->sid == k->sid;
}

const struct vtd_ctx_val *vtd_ctxc_lookup(struct vtd_hw *hw, uint16_t sid)
{
	struct key k = { .sid = sid };

	if (!hw->cache[VTD_CACHE_CTX])
		return NULL;
	vtd_charge(hw, VTD_C_CTX_LOOKUP, 1);
	return ims_cache_lookup_match(hw->cache[VTD_CACHE_CTX], sid, sid_match, &k, NULL);
}

void vtd_ctxc_fill(struct vtd_hw *hw, uint16_t sid, uint16_t did, const struct vtd_ctx_val *v)
{
	struct ims_cache_tag t = { .addr = sid, .sid = sid, .domain = did };
	ims_cache_insert(hw->cache[VTD_CACHE_CTX], &t, v);
}

static bool sid_pasid_match(const struct ims_cache_tag *t, const void *v, void *arg)
{
	const struct key *k = arg;
	return t->sid == k->sid && t->pasid == k->pasid;
}

const struct vtd_pasid_val *vtd_pasidc_lookup(struct vtd_hw *hw, uint16_t sid, uint32_t pasid)
{
	struct key k = { .sid = sid, .pasid = pasid };

	if (!hw->cache[VTD_CACHE_PASID])
		return NULL;
	vtd_charge(hw, VTD_C_PASID_LOOKUP, 1);
	return ims_cache_lookup_match(hw->cache[VTD_CACHE_PASID], (uint64_t)sid << 20 | pasid,
				      sid_pasid_match, &k, NULL);
}

void vtd_pasidc_fill(struct vtd_hw *hw, uint16_t sid, uint32_t pasid, uint16_t did,
		     const struct vtd_pasid_val *v)
{
	struct ims_cache_tag t = {
		.addr = (uint64_t)sid << 20 | pasid, .sid = sid, .pasid = pasid, .domain = did,
	};
	ims_cache_insert(hw->cache[VTD_CACHE_PASID], &t, v);
}

static bool psc_match(const struct ims_cache_tag *t, const void *v, void *arg)
{
	const struct key *k = arg;
	return t->domain == k->did && t->pasid == k->pasid && t->kind >= 1 &&
	       t->kind <= k->top_level;
}

/* Walk shortcut (SPEC 6.2.7, digest §7.1): the deepest cached entry wins,
 * PDE before PDPE before PML4E before PML5E; the cache hands back entries of
 * the smallest region first, which is the deepest level. */
int vtd_psc_lookup(struct vtd_hw *hw, int stage, uint16_t did, uint32_t pasid, uint64_t addr,
		   unsigned top_level, struct vtd_psc_val *v)
{
	struct ims_cache *c = hw->cache[stage ? VTD_CACHE_SSPSC : VTD_CACHE_FSPSC];
	struct key k = { .did = did, .pasid = stage ? 0 : pasid, .top_level = top_level };
	struct ims_cache_tag found;
	const struct vtd_psc_val *hit;

	if (!c)
		return -1;
	vtd_charge(hw, VTD_C_PSC_LOOKUP, 1);
	hit = ims_cache_lookup_match(c, addr, psc_match, &k, &found);
	if (!hit)
		return -1;
	*v = *hit;
	return found.kind;
}

void vtd_psc_fill(struct vtd_hw *hw, int stage, uint16_t did, uint32_t pasid, uint64_t addr,
		  unsigned level, unsigned span_shift, const struct vtd_psc_val *v)
{
	struct ims_cache_tag t = {
		.addr = addr, .shift = (uint8_t)span_shift, .domain = did,
		.pasid = stage ? 0 : pasid, .kind = (uint16_t)level,
	};
	ims_cache_insert(hw->cache[stage ? VTD_CACHE_SSPSC : VTD_CACHE_FSPSC], &t, v);
}

/* ---- Invalidation ------------------------------------------------------------------ */

struct scope {
	bool did_on, pasid_on, sid_on;
	uint16_t did, sid, sid_mask;
	uint32_t pasid;
	unsigned kinds; /* bit k: tag kind k; 0: any */
};

static bool in_scope(const struct ims_cache_tag *t, const void *v, void *arg)
{
	const struct scope *s = arg;

	if (s->did_on && t->domain != s->did)
		return false;
	if (s->pasid_on && t->pasid != s->pasid)
		return false;
	if (s->sid_on && (t->sid & s->sid_mask) != (s->sid & s->sid_mask))
		return false;
	if (s->kinds && !(s->kinds & (1u << t->kind)))
		return false;
	return true;
}

/* Removes the entries of cache `id` in scope (and in [first, last] when
 * ranged), charging one tag search. */
static unsigned drop(struct vtd_hw *hw, enum vtd_cache_id id, const struct scope *s, bool ranged,
		     uint64_t first, uint64_t last)
{
	struct ims_cache *c = hw->cache[id];
	unsigned n;

	if (!c)
		return 0;
	vtd_charge(hw, VTD_C_INVAL_SEARCH, 1);
	if (ranged)
		n = ims_cache_invalidate_range(c, first, last, in_scope, (void *)s);
	else
		n = ims_cache_invalidate(c, in_scope, (void *)s);
	hw->st.inval_entries += n;
	return n;
}

/* The size-aligned range 2^AM pages at addr names (SPEC 6.5.2.3). */
static void am_range(uint64_t addr, unsigned am, uint64_t *first, uint64_t *last)
{
	unsigned bits = 12 + am;

	if (bits >= 64) {
		*first = 0;
		*last = UINT64_MAX;
		return;
	}
	*first = addr & ~((1ull << bits) - 1);
	*last = *first + ((1ull << bits) - 1);
}

static bool scalable(const struct vtd_hw *hw)
{
	return VTD_RTADDR_TTM(hw->rta) != VTD_TTM_LEGACY;
}

unsigned vtd_inv_cc(struct vtd_hw *hw, unsigned g, uint16_t did, uint16_t sid, unsigned fm)
{
	static const uint16_t fm_bits[4] = { 0, 0x4, 0x6, 0x7 };
	struct scope s = { 0 };

	/* In scalable mode the context cache is not tagged by DID: domain-
	 * selective acts as global, device-selective matches the SID only. */
	if (g == VTD_GRAN_DOMAIN && !scalable(hw)) {
		s.did_on = true;
		s.did = did;
	} else if (g == VTD_GRAN_SEL) {
		s.sid_on = true;
		s.sid = sid;
		s.sid_mask = (uint16_t)~fm_bits[fm & 3];
		if (!scalable(hw)) {
			s.did_on = true;
			s.did = did;
		}
	}
	return drop(hw, VTD_CACHE_CTX, &s, false, 0, 0);
}

#define KIND(p) (1u << (p))

unsigned vtd_inv_iotlb(struct vtd_hw *hw, unsigned g, uint16_t did, uint64_t addr, unsigned am,
		       bool ih)
{
	struct scope s = { 0 };
	uint64_t first, last;
	unsigned n = 0;

	if (g == VTD_GRAN_GLOBAL) {
		n += drop(hw, VTD_CACHE_IOTLB, &s, false, 0, 0);
		n += drop(hw, VTD_CACHE_FSPSC, &s, false, 0, 0);
		n += drop(hw, VTD_CACHE_SSPSC, &s, false, 0, 0);
		return n;
	}
	s.did_on = true;
	s.did = did;
	if (g == VTD_GRAN_DOMAIN) {
		n += drop(hw, VTD_CACHE_IOTLB, &s, false, 0, 0);
		n += drop(hw, VTD_CACHE_FSPSC, &s, false, 0, 0);
		n += drop(hw, VTD_CACHE_SSPSC, &s, false, 0, 0);
		return n;
	}
	/* Page-selective within domain (digest §7.2): the range for SS and
	 * pass-through IOTLB entries; every FS and nested entry of the domain
	 * (their input addresses are not GPAs); all FS PSC entries of the
	 * domain; SS PSC entries in range unless IH says only leaves changed. */
	am_range(addr, am, &first, &last);
	s.kinds = KIND(VTD_PGTT_SS) | KIND(VTD_PGTT_PT);
	n += drop(hw, VTD_CACHE_IOTLB, &s, true, first, last);
	s.kinds = KIND(VTD_PGTT_FS) | KIND(VTD_PGTT_NESTED);
	n += drop(hw, VTD_CACHE_IOTLB, &s, false, 0, 0);
	s.kinds = 0;
	n += drop(hw, VTD_CACHE_FSPSC, &s, false, 0, 0);
	if (!ih)
		n += drop(hw, VTD_CACHE_SSPSC, &s, true, first, last);
	return n;
}

unsigned vtd_inv_piotlb(struct vtd_hw *hw, unsigned g, uint16_t did, uint32_t pasid,
			uint64_t addr, unsigned am, bool ih)
{
	struct scope s = { .did_on = true, .did = did, .pasid_on = true, .pasid = pasid };
	uint64_t first, last;
	unsigned n = 0;

	/* p_iotlb never touches the PASID cache or the SS PSC (digest §7.2). */
	if (g != VTD_PIOTLB_G_PAGE) {
		n += drop(hw, VTD_CACHE_IOTLB, &s, false, 0, 0);
		n += drop(hw, VTD_CACHE_FSPSC, &s, false, 0, 0);
		return n;
	}
	am_range(addr, am, &first, &last);
	s.kinds = KIND(VTD_PGTT_FS) | KIND(VTD_PGTT_NESTED);
	n += drop(hw, VTD_CACHE_IOTLB, &s, true, first, last);
	s.kinds = 0;
	if (!ih)
		n += drop(hw, VTD_CACHE_FSPSC, &s, true, first, last);
	return n;
}

unsigned vtd_inv_pc(struct vtd_hw *hw, unsigned g, uint16_t did, uint32_t pasid)
{
	struct scope s = { 0 };

	if (g != VTD_PC_G_GLOBAL) {
		s.did_on = true;
		s.did = did;
	}
	if (g == VTD_PC_G_PASID) {
		s.pasid_on = true;
		s.pasid = pasid;
	}
	return drop(hw, VTD_CACHE_PASID, &s, false, 0, 0);
}

unsigned vtd_inv_all(struct vtd_hw *hw)
{
	struct scope s = { 0 };
	unsigned n = 0;

	for (unsigned i = 0; i < VTD_NCACHES; i++)
		n += drop(hw, (enum vtd_cache_id)i, &s, false, 0, 0);
	return n;
}
