/* SPDX-License-Identifier: MIT */
/*
 * sim/iommufd/oracle — what the API state says a DMA must become
 * (DESIGN.md "The oracle"), computed without any model, cache or hardware
 * structure the host driver wrote:
 *   - paging HWPT: the IOAS areas (what IOAS_MAP/COPY put there);
 *   - nested HWPT: the guest's stage-1 structures, read from simulated
 *     memory through sim/pt's walker with every guest address (table, CD,
 *     GCR3 entry, output) translated by the parent's IOAS areas (stage 2);
 *   - nothing attached: blocked.
 * The attachment used is the one the core programmed into the model for
 * the device and PASID (struct ims_hw_slot), group members included.
 *
 * Guest formats follow the Linux drivers that turn the vendor data into a
 * hardware entry:
 *   vtd_s1      VT-d PASID entry, PGTT nested (VT-d SPEC 9.6, 3.8): x86-64
 *               4 or 5 levels by addr_width, SRE/EAFE/WPE from flags.
 *   arm_smmuv3  physical STE Cfg nested built from the vSTE (IHI0070 §5.2,
 *               Linux arm_smmu_make_nested_domain_ste): V=0 and abort block,
 *               bypass is stage 2 only, S1 selects a CD (§5.4, digest
 *               smmuv3.md §3) and walks VMSAv8-64 stage 1.
 *   amd_guest   host DTE with GV=1 merging the guest's GIoV, GLX, GCR3 root
 *               and paging mode (Linux set_dte_nested; AMD IOMMU 2.2.6,
 *               digest amdvi.md §3.2): GCR3 table then x86-64 v2.
 * A guest DMA with a PASID that has no attachment of its own uses the RID's
 * nested HWPT when its vendor structure holds the guest's PASID table
 * (SMMUv3 CD table, AMD GCR3 table); VT-d PASIDs are attached one by one.
 */
#include <errno.h>
#include <string.h>

#include "sim/iommufd/iommufd_priv.h"
#include "sim/pt.h"

/* Rights an IOAS mapping grants: reads (and instruction fetches, which host
 * tables without an execute bit allow with read) and writes, at any
 * privilege. */
static uint32_t prot_rights(unsigned prot)
{
	uint32_t r = 0;

	if (prot & IMS_PROT_READ)
		r |= IMS_PT_PR | IMS_PT_UR | IMS_PT_PX | IMS_PT_UX;
	if (prot & IMS_PROT_WRITE)
		r |= IMS_PT_PW | IMS_PT_UW;
	return r;
}

static bool in_aperture(const struct ims_domain_info *info, uint64_t iova)
{
	if (!info->naperture)
		return true;
	for (uint32_t i = 0; i < info->naperture && i < IMS_MAX_WINDOWS; i++)
		if (iova >= info->aperture[i].start && iova <= info->aperture[i].last)
			return true;
	return false;
}

/* Stage 2 (or a whole paging HWPT): iova → pa through the IOAS areas. */
static enum ims_xlate_fault s2_xlate(struct ims_hwpt_paging *hp, uint64_t iova, unsigned access,
				     uint64_t *pa, uint32_t *rights)
{
	uint32_t need = ims_pt_needed(access), have;
	unsigned prot;

	if (!in_aperture(&hp->common.info, iova))
		return IMS_XF_ADDRESS;
	if (ims_iopt_iova_to_pa(&hp->ioas->iopt, iova, pa, &prot))
		return IMS_XF_NOT_PRESENT;
	have = prot_rights(prot);
	if ((have & need) != need)
		return IMS_XF_PERMISSION;
	if (rights)
		*rights = have;
	return IMS_XF_NONE;
}

/* sim/pt faults in the oracle's classes (see ims_oracle in iommusim.h). */
static enum ims_xlate_fault pt_class(enum ims_pt_fault f)
{
	switch (f) {
	case IMS_PT_OK:
		return IMS_XF_NONE;
	case IMS_PT_FAULT_INPUT:
		return IMS_XF_ADDRESS;
	case IMS_PT_FAULT_NOT_PRESENT:
	case IMS_PT_FAULT_ACCESS_FLAG:
		return IMS_XF_NOT_PRESENT;
	case IMS_PT_FAULT_PERMISSION:
		return IMS_XF_PERMISSION;
	case IMS_PT_FAULT_WALK_ABORT:
		return IMS_XF_WALK_ABORT;
	default: /* RESERVED, ADDR_SIZE, LEVEL: a malformed guest entry */
		return IMS_XF_CONFIG;
	}
}

/* A stage-1 walk whose every guest address goes through stage 2. */
struct nested_walk {
	struct ims_ctx *ctx;
	struct ims_hwpt_paging *s2;
	enum ims_xlate_fault s2_fault; /* why the table_addr hook refused */
};

static enum ims_pt_fault s2_table_hook(void *arg, unsigned level, uint64_t addr, uint64_t *pa)
{
	struct nested_walk *nw = arg;

	/* Reading a guest table needs stage-2 read (VT-d SPEC 3.8, IHI0070
	 * §3.4 "S2 read for stage-1 walks"). */
	nw->s2_fault = s2_xlate(nw->s2, addr, IMS_ACC_READ, pa, NULL);
	return nw->s2_fault == IMS_XF_NONE ? IMS_PT_OK : IMS_PT_FAULT_NESTED;
}

/* Reads `len` bytes of guest configuration at the guest physical `gpa`. */
static enum ims_xlate_fault read_guest(struct nested_walk *nw, uint64_t gpa, void *buf,
				       size_t len)
{
	uint64_t pa;
	enum ims_xlate_fault xf = s2_xlate(nw->s2, gpa, IMS_ACC_READ, &pa, NULL);

	if (xf != IMS_XF_NONE)
		return xf;
	if (!ims_mem_fetch(nw->ctx->mem, pa, buf, len, IMS_MEM_ORACLE))
		return IMS_XF_WALK_ABORT;
	return IMS_XF_NONE;
}

static enum ims_xlate_fault fail(struct ims_dma_result *res, enum ims_xlate_fault xf)
{
	res->status = IMS_DMA_FAULT;
	res->xfault = xf;
	return xf;
}

/* The output GPA of stage 1 through stage 2, rights of both stages ANDed. */
static enum ims_xlate_fault finish(struct nested_walk *nw, uint64_t gpa, uint32_t s1_rights,
				   unsigned access, struct ims_dma_result *res)
{
	uint32_t s2_rights;
	uint64_t pa;
	enum ims_xlate_fault xf = s2_xlate(nw->s2, gpa, access, &pa, &s2_rights);

	if (xf != IMS_XF_NONE)
		return fail(res, xf);
	res->status = IMS_DMA_OK;
	res->pa = pa;
	res->perms = s1_rights & s2_rights;
	return IMS_XF_NONE;
}

static enum ims_xlate_fault walk_s1(struct nested_walk *nw, const struct ims_pt_fmt *f,
				    uint64_t root, uint64_t iova, unsigned access,
				    struct ims_dma_result *res)
{
	struct ims_pt_hooks hooks = { s2_table_hook, nw };
	struct ims_pt_walk_req req = {
		.iova = iova, .access = access, .table = root, .start_level = -1,
		.perms = IMS_PT_PERM_ALL, .hooks = &hooks, .kind = IMS_MEM_ORACLE,
	};
	struct ims_pt_walk w;
	enum ims_pt_fault pf = ims_pt_walk(f, nw->ctx->mem, &req, &w);

	if (pf == IMS_PT_FAULT_NESTED)
		return fail(res, nw->s2_fault);
	if (pf != IMS_PT_OK)
		return fail(res, pt_class(pf));
	return finish(nw, w.oa, w.perms, access, res);
}

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t bits(uint64_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((hi - lo == 63) ? ~0ull : (1ull << (hi - lo + 1)) - 1);
}

/* ---- VT-d first stage (VT-d SPEC 3.6, 3.8, 9.6) -------------------------------- */

static enum ims_xlate_fault vtd_s1(struct nested_walk *nw, struct ims_hwpt_nested *hn,
				   uint64_t iova, unsigned access, struct ims_dma_result *res)
{
	struct ims_hwpt_vtd_s1 d;
	struct ims_pt_x86_cfg cfg = { .oas = 52, .pg1g = true, .flags = IMS_PT_F_SIGN_EXTEND };
	struct ims_pt_fmt f;

	memset(&d, 0, sizeof(d));
	memcpy(&d, hn->data, hn->data_len < sizeof(d) ? hn->data_len : sizeof(d));
	if (d.addr_width != 48 && d.addr_width != 57)
		return fail(res, IMS_XF_CONFIG);
	cfg.levels = d.addr_width == 57 ? 5 : 4;
	if (d.flags & IMS_VTD_S1_EAFE)
		cfg.flags |= IMS_PT_F_EA;
	if (d.flags & IMS_VTD_S1_WPE)
		cfg.flags |= IMS_PT_F_WPE;
	if (ims_pt_fmt_x86_64(&f, &cfg))
		return fail(res, IMS_XF_CONFIG);
	/* A supervisor request needs SRE in the PASID entry (fault 0x5D): a
	 * right the guest did not grant. */
	if ((access & IMS_ACC_PRIV) && !(d.flags & IMS_VTD_S1_SRE))
		return fail(res, IMS_XF_PERMISSION);
	return walk_s1(nw, &f, d.pgtbl_addr, iova, access, res);
}

/* ---- SMMUv3 STE → CD → VMSAv8-64 stage 1 (IHI0070 §5.2, §5.4, §3.4) ------------- */

#define STE_CFG_ABORT 0
#define STE_CFG_BYPASS 4
#define STE_CFG_S1 5
#define S1DSS_TERMINATE 0
#define S1DSS_BYPASS 1
#define S1DSS_SSID0 2

/* Whether the vSTE hands the guest's CD table (and so its PASIDs) to the
 * hardware. */
static bool arm_owns_pasids(const struct ims_hwpt_nested *hn)
{
	uint64_t ste0 = le64_at(hn->data);

	return (ste0 & 1) && bits(ste0, 3, 1) != STE_CFG_ABORT;
}

/* Guest physical address of the CD for ssid (IHI0070 §5.3; digest §3). */
static enum ims_xlate_fault arm_cd_addr(struct nested_walk *nw, uint64_t ste0, uint32_t ssid,
					uint64_t *cd)
{
	uint64_t ptr = ste0 & 0x00ffffffffffffc0ull; /* S1ContextPtr [55:6] */
	unsigned fmt = (unsigned)bits(ste0, 5, 4), cdmax = (unsigned)bits(ste0, 63, 59);
	unsigned split;
	uint64_t l1;
	enum ims_xlate_fault xf;

	if (!cdmax) {
		*cd = ptr;
		return IMS_XF_NONE;
	}
	if (fmt == 1)
		split = 6;  /* 2-level, 4 KiB leaves of 64 CDs */
	else if (fmt == 2)
		split = 10; /* 2-level, 64 KiB leaves of 1024 CDs */
	else {
		*cd = ptr + 64ull * ssid; /* linear (3 is reserved, behaves as 0) */
		return IMS_XF_NONE;
	}
	xf = read_guest(nw, ptr + 8ull * (ssid >> split), &l1, sizeof(l1));
	if (xf != IMS_XF_NONE)
		return xf;
	/* L1CD.V = 0: C_BAD_SUBSTREAMID. */
	if (!(l1 & 1))
		return IMS_XF_CONFIG;
	*cd = (l1 & 0x00fffffffffff000ull) + 64ull * (ssid & ((1u << split) - 1));
	return IMS_XF_NONE;
}

static const unsigned arm_ips_bits[8] = { 32, 36, 40, 42, 44, 48, 52, 0 };

static enum ims_xlate_fault arm_s1(struct nested_walk *nw, struct ims_hwpt_nested *hn,
				   uint32_t pasid, uint64_t iova, unsigned access,
				   struct ims_dma_result *res)
{
	uint64_t ste0 = le64_at(hn->data), ste1 = le64_at(hn->data + 8);
	unsigned cfg = (unsigned)bits(ste0, 3, 1), cdmax = (unsigned)bits(ste0, 63, 59);
	unsigned s1dss = (unsigned)bits(ste1, 1, 0);
	struct ims_pt_arm_cfg ac = { .stage = 1 };
	struct ims_pt_fmt f;
	uint8_t raw[64];
	uint64_t cd, q0, ttb;
	uint32_t ssid = 0;
	enum ims_xlate_fault xf;
	unsigned tg;

	/* V=0 becomes an abort STE (reported as C_BAD_STE to the guest). */
	if (!(ste0 & 1))
		return fail(res, IMS_XF_BLOCKED);
	if (cfg == STE_CFG_BYPASS) {
		/* No stage 1, so no substreams: C_BAD_SUBSTREAMID. */
		if (pasid != IMS_NO_PASID)
			return fail(res, IMS_XF_CONFIG);
		return finish(nw, iova, IMS_PT_PERM_ALL, access, res);
	}
	if (cfg != STE_CFG_S1)
		return fail(res, IMS_XF_BLOCKED);
	/* Choosing the CD (digest smmuv3.md §3 table). */
	if (pasid == IMS_NO_PASID) {
		if (cdmax) {
			if (s1dss == S1DSS_BYPASS)
				return finish(nw, iova, IMS_PT_PERM_ALL, access, res);
			if (s1dss != S1DSS_SSID0) /* terminate: F_STREAM_DISABLED */
				return fail(res, IMS_XF_BLOCKED);
		}
	} else {
		if (!cdmax || pasid >= (1u << cdmax))
			return fail(res, IMS_XF_CONFIG);
		/* CD 0 is reserved for traffic without a PASID then. */
		if (s1dss == S1DSS_SSID0 && pasid == 0)
			return fail(res, IMS_XF_BLOCKED);
		ssid = pasid;
	}
	xf = arm_cd_addr(nw, ste0, ssid, &cd);
	if (xf == IMS_XF_NONE)
		xf = read_guest(nw, cd, raw, sizeof(raw));
	if (xf != IMS_XF_NONE)
		return fail(res, xf);
	q0 = le64_at(raw);
	/* CD.V and CD.AA64 (only VMSAv8-64 tables): else C_BAD_CD. */
	if (!bits(q0, 31, 31) || !bits(q0, 41, 41))
		return fail(res, IMS_XF_CONFIG);
	if (!bits(iova, 55, 55)) {
		/* TTB0: TG0 0 = 4K, 1 = 64K, 2 = 16K. */
		static const unsigned g0[4] = { 12, 16, 14, 0 };

		if (bits(q0, 14, 14)) /* EPD0: a miss in the range */
			return fail(res, IMS_XF_NOT_PRESENT);
		ac.tsz = (unsigned)bits(q0, 5, 0);
		tg = g0[bits(q0, 7, 6)];
		ttb = le64_at(raw + 8) & 0x00fffffffffffff0ull;
		if (bits(q0, 38, 38))
			ac.flags |= IMS_PT_F_TBI;
	} else {
		/* TTB1: TG1 has its own encoding, 1 = 16K, 2 = 4K, 3 = 64K. */
		static const unsigned g1[4] = { 0, 14, 12, 16 };

		if (bits(q0, 30, 30)) /* EPD1 */
			return fail(res, IMS_XF_NOT_PRESENT);
		ac.tsz = (unsigned)bits(q0, 21, 16);
		tg = g1[bits(q0, 23, 22)];
		ttb = le64_at(raw + 16) & 0x00fffffffffffff0ull;
		ac.flags |= IMS_PT_F_TTB1;
		if (bits(q0, 39, 39))
			ac.flags |= IMS_PT_F_TBI;
	}
	ac.granule_shift = tg;
	ac.oas = arm_ips_bits[bits(q0, 34, 32)];
	if (bits(q0, 35, 35))
		ac.flags |= IMS_PT_F_AFFD;
	if (bits(q0, 36, 36))
		ac.flags |= IMS_PT_F_WXN;
	if (bits(q0, 40, 40))
		ac.flags |= IMS_PT_F_PAN;
	/* Hardware access-flag and dirty-state updates: the oracle does not
	 * write them, but with HA an AF=0 entry translates. */
	if (bits(q0, 43, 43))
		ac.flags |= IMS_PT_F_AD;
	if (bits(q0, 42, 42))
		ac.flags |= IMS_PT_F_HD;
	/* TxSZ, granule or IPS the architecture does not allow: C_BAD_CD. */
	if (!tg || !ac.oas || ims_pt_fmt_arm(&f, &ac))
		return fail(res, IMS_XF_CONFIG);
	return walk_s1(nw, &f, ttb, iova, access, res);
}

/* ---- AMD-Vi guest DTE → GCR3 table → x86-64 v2 (AMD IOMMU 2.2.6) ----------------- */

static enum ims_xlate_fault amd_guest(struct nested_walk *nw, struct ims_hwpt_nested *hn,
				      uint32_t pasid, uint64_t iova, unsigned access,
				      struct ims_dma_result *res)
{
	uint64_t dte0 = le64_at(hn->data), dte1 = le64_at(hn->data + 8);
	uint64_t dte2 = le64_at(hn->data + 16);
	unsigned glx = (unsigned)bits(dte0, 57, 56), gpm = (unsigned)bits(dte2, 55, 54);
	uint64_t table = bits(dte0, 60, 58) << 12 | bits(dte1, 31, 16) << 15 |
			 bits(dte1, 63, 43) << 31;
	struct ims_pt_x86_cfg cfg = { .oas = 52, .pg1g = true, .flags = IMS_PT_F_NX };
	struct ims_pt_fmt f;
	uint32_t p;

	if (pasid == IMS_NO_PASID) {
		/* GIoV=0: requests without PASID see only the host table. */
		if (!bits(dte0, 54, 54))
			return finish(nw, iova, IMS_PT_PERM_ALL, access, res);
		p = 0;
	} else {
		p = pasid;
		/* The canonical check applies to non-zero PASIDs only (digest
		 * amdvi.md §3.2). */
		if (p)
			cfg.flags |= IMS_PT_F_SIGN_EXTEND;
	}
	if (glx == 3 || gpm > 1)
		return fail(res, IMS_XF_CONFIG);
	/* A PASID wider than the GCR3 table indexes. */
	if (glx < 2 && p >> (9 * (glx + 1)))
		return fail(res, IMS_XF_CONFIG);
	/* GCR3 levels: PASID[19:18] (GLX=2), PASID[17:9] (GLX>=1), PASID[8:0];
	 * every entry is V[0] and an address [51:12], all guest physical. */
	for (int lvl = (int)glx; lvl >= 0; lvl--) {
		uint64_t idx = (p >> (9 * lvl)) & (lvl == 2 ? 3 : 511), e;
		enum ims_xlate_fault xf = read_guest(nw, table + 8 * idx, &e, sizeof(e));

		if (xf != IMS_XF_NONE)
			return fail(res, xf);
		/* V=0: IO_PAGE_FAULT (GN=1), the PASID has no table. */
		if (!(e & 1))
			return fail(res, IMS_XF_NOT_PRESENT);
		table = e & 0x000ffffffffff000ull;
	}
	cfg.levels = gpm ? 5 : 4;
	if (ims_pt_fmt_x86_64(&f, &cfg))
		return fail(res, IMS_XF_CONFIG);
	return walk_s1(nw, &f, table, iova, access, res);
}

/* ---- the entry point ------------------------------------------------------------------------ */

/* Whether the RID's nested HWPT also translates requests with a PASID. */
static bool owns_pasids(struct ims_hwpt *h)
{
	struct ims_hwpt_nested *hn;

	if (!h || ims_hwpt_is_paging(h))
		return false;
	hn = ims_to_hwpt_nested(h);
	if (hn->data_type == IMS_HWPT_DATA_ARM_SMMUV3)
		return arm_owns_pasids(hn);
	return hn->data_type == IMS_HWPT_DATA_AMD_GUEST;
}

int ims_oracle(struct ims_ctx *ctx, uint32_t dev_id, uint32_t pasid, uint64_t iova,
	       unsigned access, struct ims_dma_result *res)
{
	struct ims_device *idev;
	struct ims_hwpt *hwpt;
	struct ims_hwpt_nested *hn;
	struct nested_walk nw;

	if (!ctx)
		return -EBADF;
	if (!res)
		return ims_err(ctx, -EINVAL, "oracle: res is NULL");
	idev = ims_device_find(ctx, dev_id);
	if (!idev)
		return ims_err(ctx, -ENOENT, "oracle: %u is not a device", dev_id);
	memset(res, 0, sizeof(*res));
	hwpt = ims_device_hw_hwpt(idev, pasid);
	if (!hwpt && pasid != IMS_NO_PASID) {
		struct ims_hwpt *rid = ims_device_hw_hwpt(idev, IMS_NO_PASID);

		if (owns_pasids(rid))
			hwpt = rid;
	}
	if (!hwpt) {
		fail(res, IMS_XF_BLOCKED);
		return 0;
	}
	if (ims_hwpt_is_paging(hwpt)) {
		struct ims_hwpt_paging *hp = ims_to_hwpt_paging(hwpt);
		uint32_t rights;
		uint64_t pa;
		enum ims_xlate_fault xf = s2_xlate(hp, iova, access, &pa, &rights);

		if (xf != IMS_XF_NONE) {
			fail(res, xf);
		} else {
			res->status = IMS_DMA_OK;
			res->pa = pa;
			res->perms = rights;
		}
		return 0;
	}
	hn = ims_to_hwpt_nested(hwpt);
	nw.ctx = ctx;
	nw.s2 = hn->parent;
	nw.s2_fault = IMS_XF_NONE;
	switch (hn->data_type) {
	case IMS_HWPT_DATA_VTD_S1:
		vtd_s1(&nw, hn, iova, access, res);
		return 0;
	case IMS_HWPT_DATA_ARM_SMMUV3:
		arm_s1(&nw, hn, pasid, iova, access, res);
		return 0;
	case IMS_HWPT_DATA_AMD_GUEST:
		amd_guest(&nw, hn, pasid, iova, access, res);
		return 0;
	default:
		return ims_err(ctx, -EOPNOTSUPP,
			       "oracle: HWPT %u has vendor data of type 0x%x, which it cannot read",
			       hwpt->obj.id, hn->data_type);
	}
}
