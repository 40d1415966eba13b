/* SPDX-License-Identifier: MIT */
/*
 * sim/import/qemu — QEMU's -trace log backend: the line prefixes of its
 * three eras and the intel-iommu (vtd_*), amd-iommu (amdvi_*) and smmuv3 /
 * smmu-common (smmuv3_*, smmu_*) events (shared/spec/traces.md §2).
 *
 * A line is `[PREFIX]NAME ARGS`, the prefix being `PID@SECS.USECS:` (QEMU
 * < 6.0, or -msg timestamp=on), an ISO-8601 UTC time and a blank (QEMU
 * >= 10.1 with timestamps), or nothing.  Formats that start with a blank
 * leave two after the name.  The formats are those of hw/i386/trace-events
 * and hw/arm/trace-events; where a format changed (smmuv3 sid=%d became
 * sid=0x%x and gained stage=), both are read.
 *
 * For emulated devices every DMA goes through the translate hook, so the
 * translate events are real accesses (traces.md §2.6): they become observed
 * DMAs, and the mappings behind them IOAS mappings.  Guest invalidations
 * drop those mappings again; faults become expectations.
 */
#include "sim/import/import_priv.h"

#include <string.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ---- Framing --------------------------------------------------------- */

struct qframe {
	int64_t pid, ts;
	bool prefixed;
	const char *name, *payload;
	size_t namelen;
};

static const char *digits(const char *p, uint64_t *v, unsigned *nd)
{
	uint64_t x = 0;
	unsigned n = 0;

	while (digit(*p)) {
		if (n < 18)
			x = x * 10 + (uint64_t)(*p - '0');
		n++;
		p++;
	}
	*v = x;
	*nd = n;
	return p;
}

/* "PID@SECS.USECS:" (eras 1 and 2, traces.md §2.1). */
static const char *pid_prefix(const char *p, struct qframe *f)
{
	uint64_t pid, secs, usecs;
	unsigned n1, n2, n3;
	const char *q = digits(p, &pid, &n1);

	if (!n1 || *q != '@')
		return NULL;
	q = digits(q + 1, &secs, &n2);
	if (!n2 || *q != '.')
		return NULL;
	q = digits(q + 1, &usecs, &n3);
	if (!n3 || n3 > 9 || *q != ':' || n1 > 9 || n2 > 12)
		return NULL;
	while (n3++ < 9)
		usecs *= 10;
	f->pid = (int64_t)pid;
	f->ts = (int64_t)(secs * 1000000000ull + usecs);
	return q + 1;
}

/* "YYYY-MM-DDTHH:MM:SS[.frac]Z " (era 3). */
static const char *iso_prefix(const char *p, struct qframe *f)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	uint64_t frac = 0;
	unsigned fd = 0;

	for (unsigned i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !digit(p[i]) : p[i] != shape[i])
			return NULL;
	uint64_t secs = (uint64_t)((p[11] - '0') * 10 + (p[12] - '0')) * 3600 +
			(uint64_t)((p[14] - '0') * 10 + (p[15] - '0')) * 60 +
			(uint64_t)((p[17] - '0') * 10 + (p[18] - '0'));
	p += 19;
	if (*p == '.') {
		p++;
		while (digit(*p)) {
			if (fd < 9) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				fd++;
			}
			p++;
		}
		if (!fd)
			return NULL;
		while (fd++ < 9)
			frac *= 10;
	}
	if (*p != 'Z' || !blank(p[1]))
		return NULL;
	f->ts = (int64_t)(secs * 1000000000ull + frac);
	return p + 2;
}

static bool parse_frame(const char *rec, struct qframe *f)
{
	const char *p = rec, *q;

	f->pid = f->ts = -1;
	f->prefixed = false;
	if ((q = pid_prefix(p, f)) || (q = iso_prefix(p, f))) {
		f->prefixed = true;
		p = q;
	}
	/* Event names are lower-case identifiers (scripts/tracetool). */
	if (!(*p >= 'a' && *p <= 'z'))
		return false;
	f->name = p;
	while ((*p >= 'a' && *p <= 'z') || digit(*p) || *p == '_')
		p++;
	if (*p && !blank(*p))
		return false;
	f->namelen = (size_t)(p - f->name);
	while (blank(*p))
		p++;
	f->payload = p;
	return true;
}

/* ---- Events ------------------------------------------------------------ */

typedef enum imp_dec (*handler)(struct imp *im, const char *pl, struct imp_event *ev,
				struct imp_dec_info *info);

static int bdf_dev(struct imp *im, uint64_t bus, uint64_t dev, uint64_t fn)
{
	if (bus > 0xff || dev > 0x1f || fn > 7)
		return -2;
	return imp_dev_by_sid(im, (uint32_t)(bus << 8 | dev << 3 | fn));
}

static int sid_dev(struct imp *im, uint64_t sid)
{
	return sid > 0xffff ? -2 : imp_dev_by_sid(im, (uint32_t)sid);
}

#define BAD(what) (imp_msg(info, "expected '%s'", what), IMP_DEC_MALFORMED)

static bool page_size_ok(uint64_t mask)
{
	return mask >= 0xfff && mask < (1ull << 48) && !((mask + 1) & mask);
}

/* vtd_dmar_translate "dev %02x:%02x.%02x iova 0x%llx -> gpa 0x%llx mask
 * 0x%llx": one successful translation; iova and gpa are the page's. */
static enum imp_dec vtd_translate(struct imp *im, const char *pl, struct imp_event *ev,
				  struct imp_dec_info *info)
{
	uint64_t v[6];

	if (!imp_match(pl, "dev %h:%h.%h iova %x -> gpa %x mask %x", v) || !page_size_ok(v[5]))
		return BAD("dev BB:DD.FF iova 0x.. -> gpa 0x.. mask 0x..");
	ev->dev = bdf_dev(im, v[0], v[1], v[2]);
	ev->size = v[5] + 1;
	ev->iova = v[3] & ~v[5];
	ev->pa = v[4] & ~v[5];
	ev->kind = IMP_EV_XLATE;
	return IMP_DEC_EVENT;
}

/* vtd_dmar_fault "sid 0x%x fault %d addr 0x%llx write %d": fault is the VT-d
 * fault reason (VT-d SPEC 7.1.3, Table 26). */
static enum imp_dec vtd_fault(struct imp *im, const char *pl, struct imp_event *ev,
			      struct imp_dec_info *info)
{
	uint64_t v[4];

	if (!imp_match(pl, "sid %x fault %d addr %x write %d", v) || v[1] > 0xff)
		return BAD("sid 0x.. fault N addr 0x.. write N");
	ev->dev = sid_dev(im, v[0]);
	ev->iova = v[2];
	ev->access = v[3] ? IMS_TRACE_ACC_W : IMS_TRACE_ACC_R;
	ev->code = (int64_t)v[1];
	ev->code_model = IMS_TRACE_MODEL_VTD;
	ev->kind = IMP_EV_FAULT;
	return IMP_DEC_EVENT;
}

/* vtd_iotlb_page_hit/update "IOTLB page hit|update sid 0x%x iova 0x%llx slpte
 * 0x%llx domain 0x%x": the requester's domain, and the rights of the page
 * about to be translated: bit 0 R (first stage: Present), bit 1 W (VT-d SPEC
 * 9.8, 9.9). */
static enum imp_dec vtd_iotlb(struct imp *im, const char *pl, struct imp_event *ev,
			      struct imp_dec_info *info)
{
	uint64_t v[4];

	if (!imp_match(pl, "IOTLB page hit sid %x iova %x slpte %x domain %x", v) &&
	    !imp_match(pl, "IOTLB page update sid %x iova %x slpte %x domain %x", v))
		return BAD("IOTLB page hit|update sid 0x.. iova 0x.. slpte 0x.. domain 0x..");
	ev->dev = sid_dev(im, v[0]);
	ev->iova = v[1] & ~0xfffull;
	ev->prot = (v[2] & 1 ? IMS_TRACE_ACC_R : 0) | (v[2] & 2 ? IMS_TRACE_ACC_W : 0);
	ev->domain = (uint32_t)v[3];
	ev->has_domain = v[3] <= 0xffff;
	ev->kind = IMP_EV_DOMAIN;
	return IMP_DEC_EVENT;
}

/* vtd_replay_ce_valid "%s: replay valid context device %02x:%02x.%02x domain
 * 0x%x hi 0x%llx lo 0x%llx". */
static enum imp_dec vtd_replay_ce(struct imp *im, const char *pl, struct imp_event *ev,
				  struct imp_dec_info *info)
{
	uint64_t v[6];

	if (!imp_match(pl, "%s replay valid context device %h:%h.%h domain %x hi %x lo %x", v) ||
	    v[3] > 0xffff)
		return BAD("MODE: replay valid context device BB:DD.FF domain 0x.. hi 0x.. lo 0x..");
	ev->dev = bdf_dev(im, v[0], v[1], v[2]);
	ev->domain = (uint32_t)v[3];
	ev->has_domain = true;
	ev->kind = IMP_EV_DOMAIN;
	return IMP_DEC_EVENT;
}

/* vtd_page_walk_one "domain 0x%x iova 0x%llx -> gpa 0x%llx mask 0x%llx perm
 * %d": a shadow-table sync for vfio/vhost; perm is IOMMU_NONE (unmap),
 * IOMMU_RO=1, IOMMU_WO=2, IOMMU_RW=3. */
static enum imp_dec vtd_walk_one(struct imp *im, const char *pl, struct imp_event *ev,
				 struct imp_dec_info *info)
{
	uint64_t v[5];

	if (!imp_match(pl, "domain %x iova %x -> gpa %x mask %x perm %d", v) || v[0] > 0xffff ||
	    !page_size_ok(v[3]) || v[4] > 3)
		return BAD("domain 0x.. iova 0x.. -> gpa 0x.. mask 0x.. perm N");
	ev->domain = (uint32_t)v[0];
	ev->has_domain = true;
	ev->iova = v[1] & ~v[3];
	ev->pa = v[2] & ~v[3];
	ev->size = v[3] + 1;
	ev->prot = (unsigned)v[4];
	ev->kind = IMP_EV_SHADOW;
	return IMP_DEC_EVENT;
}

/* vtd_reg_dmar_root "addr 0x%llx scalable %d": the guest set the root table,
 * in legacy or scalable mode (RTADDR.TTM, VT-d SPEC 11.4.5). */
static enum imp_dec vtd_root(struct imp *im, const char *pl, struct imp_event *ev,
			     struct imp_dec_info *info)
{
	uint64_t v[2];

	if (!imp_match(pl, "addr %x scalable %d", v) || v[1] > 1)
		return BAD("addr 0x.. scalable 0|1");
	if (im->vtd_scalable < 0)
		im->vtd_scalable = (int)v[1];
	ev->kind = IMP_EV_NONE;
	return IMP_DEC_EVENT;
}

static enum imp_dec inval_all(struct imp_event *ev)
{
	ev->scope = IMP_SC_ALL;
	ev->kind = IMP_EV_INVAL;
	return IMP_DEC_EVENT;
}

static enum imp_dec inval_domain(struct imp_event *ev, uint64_t dom)
{
	ev->scope = IMP_SC_DOMAIN;
	ev->domain = (uint32_t)dom;
	ev->kind = IMP_EV_INVAL;
	return IMP_DEC_EVENT;
}

static enum imp_dec inval_sids(struct imp_event *ev, uint64_t lo, uint64_t hi)
{
	ev->scope = IMP_SC_DEV;
	ev->pa = lo;
	ev->aux = hi;
	ev->kind = IMP_EV_INVAL;
	return IMP_DEC_EVENT;
}

static void ranged(struct imp_event *ev, uint64_t addr, uint64_t len)
{
	ev->ranged = true;
	ev->iova = addr & ~0xfffull;
	ev->size = len;
}

/* The IOTLB invalidations of VT-d SPEC 6.5.2.3 (and PASID-based 6.5.2.4),
 * as QEMU traces them; `mask` is the address mask (2^mask pages). */
static enum imp_dec vtd_inv_iotlb(struct imp *im, const char *pl, struct imp_event *ev,
				  struct imp_dec_info *info)
{
	uint64_t v[4];

	if (imp_match(pl, "iotlb invalidate global", v))
		return inval_all(ev);
	if (imp_match(pl, "iotlb invalidate whole domain %x", v))
		return inval_domain(ev, v[0]);
	if (imp_match(pl, "iotlb invalidate domain %x addr %x mask %x", v) ||
	    imp_match(pl, "iotlb invalidate domain %x addr %x mask %x pasid %x", v)) {
		if (v[2] > 52)
			return BAD("mask <= 52");
		ranged(ev, v[1], 4096ull << v[2]);
		return inval_domain(ev, v[0]);
	}
	if (imp_match(pl, "iotlb invalidate domain %x pasid %x", v))
		return inval_domain(ev, v[0]);
	return BAD("iotlb invalidate ...");
}

/* Context-cache invalidations (VT-d SPEC 6.5.2.2): the device's mappings
 * may have changed wholesale.  FM masks function bits (Table 21). */
static enum imp_dec vtd_inv_cc(struct imp *im, const char *pl, struct imp_event *ev,
			       struct imp_dec_info *info)
{
	static const uint64_t fmask[4] = { 0, 4, 6, 7 };
	uint64_t v[3];

	if (imp_match(pl, "context invalidate globally", v))
		return inval_all(ev);
	if (imp_match(pl, "context invalidate domain %x", v))
		return inval_domain(ev, v[0]);
	if (imp_match(pl, "context invalidate device %h:%h.%h", v)) {
		if (v[0] > 0xff || v[1] > 0x1f || v[2] > 7)
			return BAD("context invalidate device BB:DD.FF");
		uint64_t sid = v[0] << 8 | v[1] << 3 | v[2];
		return inval_sids(ev, sid, sid);
	}
	if (imp_match(pl, "context invalidate devices sid %x fmask %x", v)) {
		if (v[0] > 0xffff)
			return BAD("sid <= 0xffff");
		uint64_t m = fmask[v[1] & 3];
		return inval_sids(ev, v[0] & ~m, (v[0] & ~m) | m);
	}
	return BAD("context invalidate ...");
}

/* vtd_as_unmap_whole "Device %02x:%02x.%x start 0x%llx size 0x%llx": QEMU
 * dropped a device's whole address space from its notifiers. */
static enum imp_dec vtd_unmap_whole(struct imp *im, const char *pl, struct imp_event *ev,
				    struct imp_dec_info *info)
{
	uint64_t v[5];

	if (!imp_match(pl, "Device %h:%h.%h start %x size %x", v) || v[0] > 0xff || v[1] > 0x1f ||
	    v[2] > 7)
		return BAD("Device BB:DD.F start 0x.. size 0x..");
	uint64_t sid = v[0] << 8 | v[1] << 3 | v[2];
	return inval_sids(ev, sid, sid);
}

/* amdvi_translation_result "devid: %02x:%02x.%x gpa 0x%llx hpa 0x%llx": the
 * address as the device sent it and the page it landed in (4 KiB pages: the
 * trace does not give the size).  A failed walk returns address 0 (and was
 * traced as amdvi_page_fault just before). */
static enum imp_dec amdvi_result(struct imp *im, const char *pl, struct imp_event *ev,
				 struct imp_dec_info *info)
{
	uint64_t v[5];
	bool fault_seen = im->amd_fault_pending;

	im->amd_fault_pending = false;
	if (!imp_match(pl, "devid: %h:%h.%h gpa %x hpa %x", v))
		return BAD("devid: BB:DD.F gpa 0x.. hpa 0x..");
	ev->dev = bdf_dev(im, v[0], v[1], v[2]);
	ev->iova = v[3];
	if (v[4] == 0 && (v[3] & ~0xfffull)) {
		/* AMD IOMMU 2.5.3: IO_PAGE_FAULT is event code 2. */
		ev->access = IMS_TRACE_ACC_R;
		ev->code = fault_seen && im->amd_fault_addr == v[3] ? 2 : -1;
		ev->code_model = IMS_TRACE_MODEL_AMDVI;
		ev->kind = IMP_EV_FAULT;
		return IMP_DEC_EVENT;
	}
	ev->pa = (v[4] & ~0xfffull) | (v[3] & 0xfff);
	ev->size = 4096;
	ev->iova = v[3];
	ev->kind = IMP_EV_XLATE;
	return IMP_DEC_EVENT;
}

/* amdvi_cache_update " update iotlb domid 0x%x devid: %02x:%02x.%x gpa 0x%llx
 * hpa 0x%llx": which domain the device uses. */
static enum imp_dec amdvi_cache(struct imp *im, const char *pl, struct imp_event *ev,
				struct imp_dec_info *info)
{
	uint64_t v[6];

	if (!imp_match(pl, "update iotlb domid %x devid: %h:%h.%h gpa %x hpa %x", v) ||
	    v[0] > 0xffff)
		return BAD("update iotlb domid 0x.. devid: BB:DD.F gpa 0x.. hpa 0x..");
	ev->dev = bdf_dev(im, v[1], v[2], v[3]);
	ev->domain = (uint32_t)v[0];
	ev->has_domain = true;
	ev->kind = IMP_EV_DOMAIN;
	return IMP_DEC_EVENT;
}

/* amdvi_page_fault "error: page fault accessing guest physical address
 * 0x%llx": no device; the translation result that follows names it. */
static enum imp_dec amdvi_fault(struct imp *im, const char *pl, struct imp_event *ev,
				struct imp_dec_info *info)
{
	uint64_t v[1];

	if (!imp_match(pl, "error: page fault accessing guest physical address %x", v))
		return BAD("error: page fault accessing guest physical address 0x..");
	im->amd_fault_pending = true;
	im->amd_fault_addr = v[0];
	ev->kind = IMP_EV_NONE;
	return IMP_DEC_EVENT;
}

/* AMD-Vi invalidation commands (AMD IOMMU 2.4.3-2.4.5) as QEMU traces them:
 * pages of a domain (address not traced), a device table entry, all. */
static enum imp_dec amdvi_inval(struct imp *im, const char *pl, struct imp_event *ev,
				struct imp_dec_info *info)
{
	uint64_t v[3];

	if (imp_match(pl, "AMD-Vi pages for domain %x invalidated", v))
		return inval_domain(ev, v[0]);
	if (imp_match(pl, "device table entry for devid: %h:%h.%h invalidated", v)) {
		if (v[0] > 0xff || v[1] > 0x1f || v[2] > 7)
			return BAD("devid: BB:DD.F");
		uint64_t sid = v[0] << 8 | v[1] << 3 | v[2];
		return inval_sids(ev, sid, sid);
	}
	if (imp_match(pl, "IOTLB pages invalidated", v) ||
	    imp_match(pl, "Invalidation of all AMD-Vi cache requested", v))
		return inval_all(ev);
	return BAD("an AMD-Vi invalidation");
}

/* smmuv3_translate_success "%s sid=0x%x iova=0x%llx translated=0x%llx
 * perm=0x%x stage=%d" (older: sid=%d, no stage): translated includes the
 * offset; perm is IOMMU_RO=1 / IOMMU_WO=2 / IOMMU_RW=3. */
static enum imp_dec smmu_success(struct imp *im, const char *pl, struct imp_event *ev,
				 struct imp_dec_info *info)
{
	uint64_t v[5];

	if (!imp_match(pl, "%s sid=%n iova=%x translated=%x perm=%x stage=%d", v) &&
	    !imp_match(pl, "%s sid=%n iova=%x translated=%x perm=%x", v))
		return BAD("MR sid=N iova=0x.. translated=0x.. perm=0x.. [stage=N]");
	if (!(v[3] & 3) || v[3] > 3)
		return BAD("perm=0x1..0x3");
	ev->dev = sid_dev(im, v[0]);
	ev->iova = v[1];
	ev->pa = v[2];
	ev->size = 4096;
	ev->prot = (unsigned)v[3];
	ev->access = v[3] == 2 ? IMS_TRACE_ACC_W : IMS_TRACE_ACC_R;
	ev->kind = IMP_EV_XLATE;
	return IMP_DEC_EVENT;
}

/* smmuv3_translate_abort "%s sid=0x%x abort on iova:0x%llx is_write=%d": the
 * STE (or GBPA) aborts the stream; no event is recorded, so no code. */
static enum imp_dec smmu_abort(struct imp *im, const char *pl, struct imp_event *ev,
			       struct imp_dec_info *info)
{
	uint64_t v[3];

	if (!imp_match(pl, "%s sid=%n abort on iova:%x is_write=%d", v))
		return BAD("MR sid=N abort on iova:0x.. is_write=N");
	ev->dev = sid_dev(im, v[0]);
	ev->iova = v[1];
	ev->access = v[2] ? IMS_TRACE_ACC_W : IMS_TRACE_ACC_R;
	ev->kind = IMP_EV_FAULT;
	return IMP_DEC_EVENT;
}

/* TLB invalidation by range (IHI0070 §4.4.1 TLBI_NH_VA/S2_IPA with TG and
 * NUM): smmuv3_range_inval "vmid=%d asid=%d addr=0x%llx tg=%d
 * num_pages=0x%llx ttl=%d leaf=%d stage=%d" (older smmuv3_s1_range_inval
 * without stage).  TG 1/2/3 = 4K/16K/64K granule; 0 = one page. */
static enum imp_dec smmu_range(struct imp *im, const char *pl, struct imp_event *ev,
			       struct imp_dec_info *info)
{
	static const unsigned shift[4] = { 12, 12, 14, 16 };
	uint64_t v[8];

	if (!imp_match(pl, "vmid=%d asid=%d addr=%x tg=%d num_pages=%x ttl=%d leaf=%d stage=%d", v) &&
	    !imp_match(pl, "vmid=%d asid=%d addr=%x tg=%d num_pages=%x ttl=%d leaf=%d", v))
		return BAD("vmid=N asid=N addr=0x.. tg=N num_pages=0x.. ttl=N leaf=N [stage=N]");
	if (v[3] > 3 || v[4] > (1ull << 20))
		return BAD("tg=0..3 and num_pages <= 2^20");
	ranged(ev, v[2], (v[4] ? v[4] : 1) << shift[v[3]]);
	return inval_all(ev);
}

/* One address, any ASID (TLBI_NH_VA/VAA without range, smmu_iotlb_inv_iova). */
static enum imp_dec smmu_va(struct imp *im, const char *pl, struct imp_event *ev,
			    struct imp_dec_info *info)
{
	uint64_t v[4];

	if (imp_match(pl, "vmid=%d asid=%d addr=%x leaf=%d", v) ||
	    imp_match(pl, "vmid =%d asid =%d addr=%x leaf=%d", v))
		ranged(ev, v[2], 4096);
	else if (imp_match(pl, "vmid=%d addr=%x", v) || imp_match(pl, "vmid =%d addr=%x", v))
		ranged(ev, v[1], 4096);
	else if (imp_match(pl, "IOTLB invalidate asid=%d addr=%x", v))
		ranged(ev, v[1], 4096);
	else
		return BAD("... addr=0x..");
	return inval_all(ev);
}

/* Whole-TLB or per-ASID/VMID invalidations: the importer does not track
 * which stream uses which ASID, so all mappings go. */
static enum imp_dec smmu_all(struct imp *im, const char *pl, struct imp_event *ev,
			     struct imp_dec_info *info)
{
	return inval_all(ev);
}

/* Configuration invalidations (CFGI_STE, CFGI_STE_RANGE, CFGI_CD: IHI0070
 * §4.3) for one stream or a range of them. */
static enum imp_dec smmu_cfgi(struct imp *im, const char *pl, struct imp_event *ev,
			      struct imp_dec_info *info)
{
	uint64_t v[2];

	if (imp_match(pl, "streamid= %n", v) || imp_match(pl, "streamid =%n", v) ||
	    imp_match(pl, "streamid = %n", v) || imp_match(pl, "sid=%n", v) ||
	    imp_match(pl, "Config cache INV for sid=%n", v) ||
	    imp_match(pl, "Config cache INV for sid %n", v))
		return inval_sids(ev, v[0], v[0]);
	if (imp_match(pl, "Config cache INV SID range from %x to %x", v))
		return inval_sids(ev, v[0], v[1]);
	/* smmuv3_cmdq_cfgi_ste_range: older QEMU prints decimals after "0x"
	 * ("start=0x%d"), so the range cannot be trusted: everything goes,
	 * which is always safe (the next translations map again). */
	if (imp_match(pl, "start=%x - end=%x", v))
		return inval_all(ev);
	return BAD("a stream ID or range");
}

/* Known events that build nothing: caches, walks, registers, queues. */
static enum imp_dec info_only(struct imp *im, const char *pl, struct imp_event *ev,
			      struct imp_dec_info *info)
{
	ev->kind = IMP_EV_NONE;
	return IMP_DEC_EVENT;
}

static const struct {
	const char *name;
	handler fn;
} events[] = {
	/* hw/i386/trace-events, intel_iommu.c */
	{ "vtd_dmar_translate", vtd_translate },
	{ "vtd_dmar_fault", vtd_fault },
	{ "vtd_iotlb_page_hit", vtd_iotlb },
	{ "vtd_iotlb_page_update", vtd_iotlb },
	{ "vtd_replay_ce_valid", vtd_replay_ce },
	{ "vtd_page_walk_one", vtd_walk_one },
	{ "vtd_inv_desc_iotlb_global", vtd_inv_iotlb },
	{ "vtd_inv_desc_iotlb_domain", vtd_inv_iotlb },
	{ "vtd_inv_desc_iotlb_pages", vtd_inv_iotlb },
	{ "vtd_inv_desc_iotlb_pasid_pages", vtd_inv_iotlb },
	{ "vtd_inv_desc_iotlb_pasid", vtd_inv_iotlb },
	{ "vtd_inv_desc_cc_global", vtd_inv_cc },
	{ "vtd_inv_desc_cc_domain", vtd_inv_cc },
	{ "vtd_inv_desc_cc_device", vtd_inv_cc },
	{ "vtd_inv_desc_cc_devices", vtd_inv_cc },
	{ "vtd_as_unmap_whole", vtd_unmap_whole },
	{ "vtd_inv_desc", info_only },
	{ "vtd_inv_desc_wait_sw", info_only },
	{ "vtd_inv_desc_wait_irq", info_only },
	{ "vtd_inv_desc_wait_write_fail", info_only },
	{ "vtd_inv_desc_iec", info_only },
	{ "vtd_inv_desc_pasid_cache_gsi", info_only },
	{ "vtd_inv_desc_pasid_cache_dsi", info_only },
	{ "vtd_inv_desc_pasid_cache_psi", info_only },
	{ "vtd_pasid_cache_devsi", info_only },
	{ "vtd_pasid_cache_reset", info_only },
	{ "vtd_context_cache_reset", info_only },
	{ "vtd_inv_qi_enable", info_only },
	{ "vtd_inv_qi_setup", info_only },
	{ "vtd_inv_qi_head", info_only },
	{ "vtd_inv_qi_tail", info_only },
	{ "vtd_inv_qi_fetch", info_only },
	{ "vtd_re_not_present", info_only },
	{ "vtd_ce_not_present", info_only },
	{ "vtd_iotlb_cc_hit", info_only },
	{ "vtd_iotlb_cc_update", info_only },
	{ "vtd_iotlb_reset", info_only }, /* QEMU's own cache limit, not the guest */
	{ "vtd_fault_disabled", info_only },
	{ "vtd_replay_ce_invalid", info_only },
	{ "vtd_page_walk_level", info_only },
	{ "vtd_page_walk_one_skip_map", info_only },
	{ "vtd_page_walk_one_skip_unmap", info_only },
	{ "vtd_page_walk_skip_read", info_only },
	{ "vtd_page_walk_skip_reserve", info_only },
	{ "vtd_switch_address_space", info_only },
	{ "vtd_translate_pt", info_only },
	{ "vtd_pt_enable_fast_path", info_only },
	{ "vtd_irq_generate", info_only },
	{ "vtd_reg_read", info_only },
	{ "vtd_reg_write", info_only },
	{ "vtd_reg_dmar_root", vtd_root },
	{ "vtd_reg_ir_root", info_only },
	{ "vtd_reg_write_gcmd", info_only },
	{ "vtd_reg_write_fectl", info_only },
	{ "vtd_reg_write_iectl", info_only },
	{ "vtd_reg_ics_clear_ip", info_only },
	{ "vtd_dmar_enable", info_only },
	{ "vtd_ir_enable", info_only },
	{ "vtd_ir_irte_get", info_only },
	{ "vtd_ir_remap", info_only },
	{ "vtd_ir_remap_type", info_only },
	{ "vtd_ir_remap_msi", info_only },
	{ "vtd_ir_remap_msi_req", info_only },
	{ "vtd_fsts_ppf", info_only },
	{ "vtd_fsts_clear_ip", info_only },
	{ "vtd_frr_new", info_only },
	{ "vtd_warn_invalid_qi_tail", info_only },
	{ "vtd_warn_ir_vector", info_only },
	{ "vtd_warn_ir_trigger", info_only },
	{ "vtd_reset_exit", info_only },
	{ "vtd_device_attach_hwpt", info_only },
	{ "vtd_device_detach_hwpt", info_only },
	{ "vtd_device_reattach_def_hwpt", info_only },
	{ "vtd_prq_read_fault", info_only },
	/* hw/i386/trace-events, amd_iommu.c */
	{ "amdvi_translation_result", amdvi_result },
	{ "amdvi_cache_update", amdvi_cache },
	{ "amdvi_page_fault", amdvi_fault },
	{ "amdvi_pages_inval", amdvi_inval },
	{ "amdvi_devtab_inval", amdvi_inval },
	{ "amdvi_iotlb_inval", amdvi_inval },
	{ "amdvi_all_inval", amdvi_inval },
	{ "amdvi_iotlb_hit", info_only }, /* translation_result follows */
	{ "amdvi_iotlb_reset", info_only },
	{ "amdvi_evntlog_fail", info_only },
	{ "amdvi_completion_wait_fail", info_only },
	{ "amdvi_completion_wait", info_only },
	{ "amdvi_mmio_write", info_only },
	{ "amdvi_mmio_read", info_only },
	{ "amdvi_mmio_read_invalid", info_only },
	{ "amdvi_command_error", info_only },
	{ "amdvi_command_read_fail", info_only },
	{ "amdvi_command_exec", info_only },
	{ "amdvi_unhandled_command", info_only },
	{ "amdvi_intr_inval", info_only },
	{ "amdvi_prefetch_pages", info_only },
	{ "amdvi_ppr_exec", info_only },
	{ "amdvi_control_status", info_only },
	{ "amdvi_dte_get_fail", info_only },
	{ "amdvi_invalid_dte", info_only },
	{ "amdvi_get_pte_hwerror", info_only },
	{ "amdvi_mode_invalid", info_only },
	{ "amdvi_mem_ir_write_req", info_only },
	{ "amdvi_mem_ir_write", info_only },
	{ "amdvi_ir_remap_msi_req", info_only },
	{ "amdvi_ir_remap_msi", info_only },
	{ "amdvi_err", info_only },
	{ "amdvi_ir_irte", info_only },
	{ "amdvi_ir_irte_val", info_only },
	{ "amdvi_ir_err", info_only },
	{ "amdvi_ir_intctl", info_only },
	{ "amdvi_ir_target_abort", info_only },
	{ "amdvi_ir_delivery_mode", info_only },
	{ "amdvi_ir_irte_ga_val", info_only },
	{ "amdvi_generate_msi_interrupt", info_only },
	/* hw/arm/trace-events, smmuv3.c and smmu-common.c */
	{ "smmuv3_translate_success", smmu_success },
	{ "smmuv3_translate_abort", smmu_abort },
	{ "smmuv3_range_inval", smmu_range },
	{ "smmuv3_s1_range_inval", smmu_range },
	{ "smmuv3_cmdq_tlbi_nh_va", smmu_va },
	{ "smmuv3_cmdq_tlbi_nh_vaa", smmu_va },
	{ "smmu_iotlb_inv_iova", smmu_va },
	{ "smmuv3_cmdq_tlbi_nh", smmu_all },
	{ "smmuv3_cmdq_tlbi_nh_asid", smmu_all },
	{ "smmuv3_cmdq_tlbi_nsnh", smmu_all },
	{ "smmuv3_cmdq_tlbi_s12_vmid", smmu_all },
	{ "smmu_iotlb_inv_all", smmu_all },
	{ "smmu_iotlb_inv_asid", smmu_all },
	{ "smmu_iotlb_inv_asid_vmid", smmu_all },
	{ "smmu_iotlb_inv_vmid", smmu_all },
	{ "smmu_iotlb_inv_vmid_s1", smmu_all },
	{ "smmuv3_cmdq_cfgi_ste", smmu_cfgi },
	{ "smmuv3_cmdq_cfgi_ste_range", smmu_cfgi },
	{ "smmuv3_cmdq_cfgi_cd", smmu_cfgi },
	{ "smmuv3_config_cache_inv", smmu_cfgi },
	{ "smmu_configs_inv_sid_range", smmu_cfgi },
	{ "smmuv3_record_event", info_only },
	{ "smmu_iotlb_cache_hit", info_only }, /* older names and events */
	{ "smmu_iotlb_cache_miss", info_only },
	{ "smmu_page_walk", info_only },
	{ "smmu_lookup_table", info_only },
	{ "smmuv3_update", info_only },
	{ "smmuv3_update_check_cmd", info_only },
	{ "smmuv3_write_mmio_idr", info_only },
	{ "smmuv3_write_mmio_evtq_cons_bef_clear", info_only },
	{ "smmuv3_write_mmio_evtq_cons_after_clear", info_only },
	{ "smmuv3_propagate_event", info_only },
	{ "smmuv3_translate_disable", info_only },
	{ "smmuv3_translate_bypass", info_only },
	{ "smmu_add_mr", info_only },
	{ "smmu_ptw_level", info_only },
	{ "smmu_ptw_invalid_pte", info_only },
	{ "smmu_ptw_page_pte", info_only },
	{ "smmu_ptw_block_pte", info_only },
	{ "smmu_get_pte", info_only },
	{ "smmu_inv_notifiers_mr", info_only },
	{ "smmu_iotlb_lookup_hit", info_only },
	{ "smmu_iotlb_lookup_miss", info_only },
	{ "smmu_iotlb_insert", info_only },
	{ "smmuv3_read_mmio", info_only },
	{ "smmuv3_write_mmio", info_only },
	{ "smmuv3_trigger_irq", info_only },
	{ "smmuv3_write_gerror", info_only },
	{ "smmuv3_write_gerrorn", info_only },
	{ "smmuv3_unhandled_cmd", info_only },
	{ "smmuv3_cmdq_consume", info_only },
	{ "smmuv3_cmdq_opcode", info_only },
	{ "smmuv3_cmdq_consume_out", info_only },
	{ "smmuv3_cmdq_consume_error", info_only },
	{ "smmuv3_find_ste", info_only },
	{ "smmuv3_find_ste_2lvl", info_only },
	{ "smmuv3_get_ste", info_only },
	{ "smmuv3_get_cd", info_only },
	{ "smmuv3_decode_cd", info_only },
	{ "smmuv3_decode_cd_tt", info_only },
	{ "smmuv3_config_cache_hit", info_only },
	{ "smmuv3_config_cache_miss", info_only },
	{ "smmuv3_notify_flag_add", info_only },
	{ "smmuv3_notify_flag_del", info_only },
	{ "smmuv3_inv_notifiers_iova", info_only },
};

static int find_event(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (strlen(events[i].name) == n && !memcmp(events[i].name, name, n))
			return (int)i;
	return -1;
}

/* SMMUv3 event types (IHI0070 §7.3), as QEMU names them (SMMU_EVT_...). */
static int64_t smmu_event_code(const char *s, size_t n)
{
	static const struct {
		const char *name;
		int code;
	} codes[] = {
		{ "F_UUT", 0x01 },           { "C_BAD_STREAMID", 0x02 },
		{ "F_STE_FETCH", 0x03 },     { "C_BAD_STE", 0x04 },
		{ "F_BAD_ATS_TREQ", 0x05 },  { "F_STREAM_DISABLED", 0x06 },
		{ "F_TRANS_FORBIDDEN", 0x07 }, { "C_BAD_SUBSTREAMID", 0x08 },
		{ "F_CD_FETCH", 0x09 },      { "C_BAD_CD", 0x0a },
		{ "F_WALK_EABT", 0x0b },     { "F_TRANSLATION", 0x10 },
		{ "F_ADDR_SIZE", 0x11 },     { "F_ACCESS", 0x12 },
		{ "F_PERMISSION", 0x13 },    { "F_TLB_CONFLICT", 0x20 },
		{ "F_CFG_CONFLICT", 0x21 },  { "E_PAGE_REQ", 0x24 },
	};
	if (n > 9 && !memcmp(s, "SMMU_EVT_", 9)) {
		s += 9;
		n -= 9;
	}
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strlen(codes[i].name) == n && !memcmp(codes[i].name, s, n))
			return codes[i].code;
	return -1;
}

static const char SMMU_FAILED[] = " translation failed for iova=";
static const char SMMU_FAILED_NAME[] = "smmuv3 translation failed";

/* The guest-error log line of a failed SMMUv3 translation (QEMU -d
 * guest_errors): "MR translation failed for iova=0x%llx (EVENT)", MR being
 * "smmuv3-iommu-memory-region-BUS-DEVFN".  It is the one place QEMU prints
 * the address of a translation fault together with its event type. */
static enum imp_dec smmu_failed(struct imp *im, const char *rec, const char *at,
				struct imp_event *ev, struct imp_dec_info *info)
{
	const char *p = at + sizeof(SMMU_FAILED) - 1, *q, *open, *close;
	uint64_t iova, bus, devfn;
	unsigned nd;

	info->name = SMMU_FAILED_NAME;
	info->namelen = sizeof(SMMU_FAILED_NAME) - 1;
	ev->name = SMMU_FAILED_NAME;
	q = p;
	if (q[0] != '0' || q[1] != 'x')
		return BAD("iova=0x..");
	q += 2;
	while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F'))
		q++;
	if (!imp_hex0x(p, (size_t)(q - p), &iova))
		return BAD("iova=0x..");
	open = strchr(q, '(');
	close = open ? strchr(open, ')') : NULL;
	if (!close)
		return BAD("(EVENT)");
	/* MR name: digits after its last two dashes are bus and devfn. */
	const char *e = at, *d2, *d1;
	for (d2 = e; d2 > rec && d2[-1] != '-'; d2--)
		;
	if (d2 == rec || digits(d2, &devfn, &nd) != e || !nd)
		return BAD("MR-BUS-DEVFN");
	for (d1 = d2 - 1; d1 > rec && d1[-1] != '-'; d1--)
		;
	if (d1 == rec || digits(d1, &bus, &nd) != d2 - 1 || !nd || bus > 0xff || devfn > 0xff)
		return BAD("MR-BUS-DEVFN");
	ev->dev = imp_dev_by_sid(im, (uint32_t)(bus << 8 | devfn));
	ev->iova = iova;
	ev->access = IMS_TRACE_ACC_R;
	ev->code = smmu_event_code(open + 1, (size_t)(close - open - 1));
	ev->code_model = ev->code >= 0 ? IMS_TRACE_MODEL_SMMUV3 : -1;
	ev->kind = IMP_EV_FAULT;
	return IMP_DEC_EVENT;
}

static bool starts_event(struct imp *im, const char *rec)
{
	struct qframe f;

	if (strstr(rec, SMMU_FAILED))
		return true;
	/* Without a prefix, a wrapped line's second half may look like an
	 * event name: only known names start events then. */
	return parse_frame(rec, &f) && (f.prefixed || find_event(f.name, f.namelen) >= 0);
}

static enum imp_dec decode(struct imp *im, char *rec, struct imp_event *ev,
			   struct imp_dec_info *info)
{
	struct qframe f;
	const char *p = rec, *failed;
	int i;

	while (blank(*p))
		p++;
	if (!*p)
		return IMP_DEC_BLANK;
	if (*p == '#')
		return imp_msg(info, "header or comment"), IMP_DEC_SKIP;
	failed = strstr(rec, SMMU_FAILED);
	if (failed) {
		ev->ts = ev->pid = -1;
		return smmu_failed(im, rec, failed, ev, info);
	}
	if (!parse_frame(p, &f))
		return imp_msg(info, "not a trace event"), IMP_DEC_SKIP;
	info->name = f.name;
	info->namelen = f.namelen;
	i = find_event(f.name, f.namelen);
	if (i < 0)
		return IMP_DEC_UNKNOWN;
	info->name = events[i].name;
	ev->name = events[i].name;
	ev->ts = f.ts;
	ev->pid = f.pid;
	enum imp_dec r = events[i].fn(im, f.payload, ev, info);
	if (r == IMP_DEC_EVENT && ev->dev == -2) {
		imp_msg(info, "device number out of range");
		return IMP_DEC_MALFORMED;
	}
	return r;
}

const struct imp_frontend imp_qemu = { starts_event, decode };
