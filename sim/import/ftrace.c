/* SPDX-License-Identifier: MIT */
/*
 * sim/import/ftrace — Linux trace text: the line framing of tracefs,
 * trace-cmd report and perf script, and the payloads of the iommu:*, dma:*
 * and intel_iommu:* events (shared/spec/traces.md §1).
 *
 * Framing (traces.md §1.1): `COMM-PID [CPU] FLAGS SECS.USECS: EVENT: PAYLOAD`.
 * COMM may hold blanks and dashes, so the PID is the digit run before the
 * `[CPU]` column; a `(TGID)` column may follow it.  FLAGS (4 to 7
 * characters, or absent in trace-cmd report) is any token that is not the
 * timestamp.  The event may carry its `system:` prefix (perf script) and be
 * padded with blanks after its colon (trace-cmd report).
 */
#include "sim/import/import_priv.h"

#include <stdlib.h>
#include <string.h>

struct frame {
	int64_t pid, ts;
	const char *sys, *ev, *payload;
	size_t syslen, evlen;
};

enum { FR_NONE, FR_OK, FR_BROKEN };

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit(c) || c == '_';
}

/* "SECS[.FRAC]:" at s: nanoseconds (fraction scaled by its digit count; a
 * bare counter, from a non-default trace clock, gives -1: no time windows). */
static bool timestamp(const char *s, size_t n, int64_t *ts)
{
	uint64_t secs = 0, frac = 0;
	size_t i = 0, fd = 0;

	if (n < 2 || s[n - 1] != ':')
		return false;
	n--;
	while (i < n && digit(s[i])) {
		if (secs > 1000000000000ull)
			return false;
		secs = secs * 10 + (uint64_t)(s[i++] - '0');
	}
	if (!i)
		return false;
	if (i == n) {
		*ts = -1;
		return true;
	}
	if (s[i++] != '.')
		return false;
	while (i < n && digit(s[i])) {
		if (fd < 9) {
			frac = frac * 10 + (uint64_t)(s[i] - '0');
			fd++;
		}
		i++;
	}
	if (i != n || !fd)
		return false;
	while (fd++ < 9)
		frac *= 10;
	*ts = (int64_t)(secs * 1000000000ull + frac);
	return true;
}

/* The task column "COMM-PID", "COMM-PID (TGID)" or perf's "COMM PID[/TID]":
 * the PID, or -1 when it does not end in one. */
static int64_t task_pid(const char *s, size_t n)
{
	uint64_t pid;
	size_t e;

	while (n && blank(s[n - 1]))
		n--;
	if (n && s[n - 1] == ')') { /* record-tgid column */
		size_t o = n - 1;
		while (o && s[o - 1] != '(')
			o--;
		if (!o)
			return -1;
		n = o - 1;
		while (n && blank(s[n - 1]))
			n--;
	}
	e = n;
	while (n && digit(s[n - 1]))
		n--;
	if (n == e || !n || (s[n - 1] != '-' && s[n - 1] != '/' && !blank(s[n - 1])))
		return -1;
	if (!imp_dec(s + n, e - n, &pid) || pid > INT32_MAX)
		return -1;
	return (int64_t)pid;
}

static int parse_frame(const char *rec, struct frame *f)
{
	const char *p = rec, *lb = NULL, *t;
	size_t n;

	/* The first "[digits]" preceded by a blank is the CPU column. */
	for (const char *q = strchr(rec, '['); q; q = strchr(q + 1, '[')) {
		const char *r = q + 1;
		if (q == rec || !blank(q[-1]) || !digit(*r))
			continue;
		while (digit(*r))
			r++;
		if (*r == ']') {
			lb = q;
			p = r + 1;
			break;
		}
	}
	if (!lb)
		return FR_NONE;
	f->pid = task_pid(rec, (size_t)(lb - rec));
	if (f->pid < 0)
		return FR_NONE;

	struct imp_cur c = { p };
	n = imp_token(&c, &t);
	if (!n)
		return FR_BROKEN;
	if (!timestamp(t, n, &f->ts)) {
		/* FLAGS: irqs-off, need-resched, hardirq/softirq,
		 * preempt-depth[, migrate-disable...] (4 to 7 columns). */
		n = imp_token(&c, &t);
		if (!n || !timestamp(t, n, &f->ts))
			return FR_BROKEN;
	}
	imp_ws(&c);
	p = c.p;
	if (!ident(*p))
		return FR_BROKEN;
	f->sys = NULL;
	f->syslen = 0;
	f->ev = p;
	while (ident(*p))
		p++;
	f->evlen = (size_t)(p - f->ev);
	if (*p == ':' && ident(p[1])) { /* perf script: "iommu:map:" */
		f->sys = f->ev;
		f->syslen = f->evlen;
		f->ev = ++p;
		while (ident(*p))
			p++;
		f->evlen = (size_t)(p - f->ev);
	}
	if (*p == ':')
		p++;
	else if (*p && !blank(*p))
		return FR_BROKEN;
	while (blank(*p))
		p++;
	f->payload = p;
	return FR_OK;
}

/* ---- Payloads ---------------------------------------------------------- */

typedef enum imp_dec (*handler)(struct imp *im, const char *pl, struct imp_event *ev,
				struct imp_dec_info *info);

static int dev_token(struct imp *im, const char *s, size_t n)
{
	return imp_dev_by_name(im, s, n);
}

/* "IOMMU: groupID=%d device=%s" (add/remove_device_from_group). */
static enum imp_dec h_group(struct imp *im, const char *pl, struct imp_event *ev,
			    struct imp_dec_info *info)
{
	struct imp_cur c = { pl };
	struct imp_kvs kv;
	const struct imp_kv *g, *d;
	uint64_t gid;

	if (!imp_lit(&c, "IOMMU:"))
		return imp_msg(info, "expected 'IOMMU:'"), IMP_DEC_MALFORMED;
	imp_kv_parse(c.p, &kv);
	g = imp_kv_get(&kv, "groupID");
	d = imp_kv_get(&kv, "device");
	if (!g || !d || !d->vlen || !imp_dec(g->v, g->vlen, &gid) || gid > INT32_MAX || kv.n != 2)
		return imp_msg(info, "expected 'groupID=N device=NAME'"), IMP_DEC_MALFORMED;
	ev->dev = dev_token(im, d->v, d->vlen);
	ev->gid = (uint32_t)gid;
	ev->kind = strcmp(info->name, "add_device_to_group") ? IMP_EV_NONE : IMP_EV_GROUP;
	return IMP_DEC_EVENT;
}

/* "IOMMU: device=%s" (attach_device_to_domain, detach_device_from_domain). */
static enum imp_dec h_attach(struct imp *im, const char *pl, struct imp_event *ev,
			     struct imp_dec_info *info)
{
	struct imp_cur c = { pl };
	struct imp_kvs kv;
	const struct imp_kv *d;

	if (!imp_lit(&c, "IOMMU:"))
		return imp_msg(info, "expected 'IOMMU:'"), IMP_DEC_MALFORMED;
	imp_kv_parse(c.p, &kv);
	d = imp_kv_get(&kv, "device");
	if (!d || !d->vlen || kv.n != 1)
		return imp_msg(info, "expected 'device=NAME'"), IMP_DEC_MALFORMED;
	ev->dev = dev_token(im, d->v, d->vlen);
	ev->kind = strcmp(info->name, "attach_device_to_domain") ? IMP_EV_DETACH : IMP_EV_ATTACH;
	return IMP_DEC_EVENT;
}

/* "iova=0x%016llx[ - 0x%016llx]": the ≥5.17 form prints the end too
 * (traces.md §1.2). */
static bool iova_range(struct imp_cur *c, uint64_t *iova, bool *has_end, uint64_t *end)
{
	const char *t;
	size_t n = imp_token(c, &t);

	if (n < 5 || memcmp(t, "iova=", 5) || !imp_hex0x(t + 5, n - 5, iova))
		return false;
	*has_end = false;
	struct imp_cur save = *c;
	n = imp_token(c, &t);
	if (n == 1 && t[0] == '-') {
		n = imp_token(c, &t);
		if (!imp_hex0x(t, n, end))
			return false;
		*has_end = true;
	} else {
		*c = save;
	}
	return true;
}

static bool kv_tok(struct imp_cur *c, const char *key, bool (*num)(const char *, size_t, uint64_t *),
		   uint64_t *v)
{
	const char *t;
	size_t n = imp_token(c, &t), kl = strlen(key);

	return n > kl && !memcmp(t, key, kl) && t[kl] == '=' && num(t + kl + 1, n - kl - 1, v);
}

/* map: ≥5.17 "IOMMU: iova=0x%016llx - 0x%016llx paddr=0x%016llx size=%zu",
 * ≤5.16 without the end (traces.md §1.2). */
static enum imp_dec h_map(struct imp *im, const char *pl, struct imp_event *ev,
			  struct imp_dec_info *info)
{
	struct imp_cur c = { pl };
	uint64_t end = 0;
	bool has_end;

	if (!imp_lit(&c, "IOMMU:") || !iova_range(&c, &ev->iova, &has_end, &end) ||
	    !kv_tok(&c, "paddr", imp_hex0x, &ev->pa) || !kv_tok(&c, "size", imp_dec, &ev->size) ||
	    !imp_at_end(&c))
		return imp_msg(info, "expected 'IOMMU: iova=0x.. [- 0x..] paddr=0x.. size=N'"),
		       IMP_DEC_MALFORMED;
	if (has_end && end - ev->iova != ev->size)
		return imp_msg(info, "iova range end 0x%llx is not iova + size",
			       (unsigned long long)end),
		       IMP_DEC_MALFORMED;
	ev->kind = IMP_EV_MAP;
	return IMP_DEC_EVENT;
}

/* unmap: ≥5.17 "IOMMU: iova=0x.. - 0x.. size=%zu unmapped_size=%zu", ≤5.16
 * without the end. */
static enum imp_dec h_unmap(struct imp *im, const char *pl, struct imp_event *ev,
			    struct imp_dec_info *info)
{
	struct imp_cur c = { pl };
	uint64_t end = 0;
	bool has_end;

	if (!imp_lit(&c, "IOMMU:") || !iova_range(&c, &ev->iova, &has_end, &end) ||
	    !kv_tok(&c, "size", imp_dec, &ev->size) ||
	    !kv_tok(&c, "unmapped_size", imp_dec, &ev->aux) || !imp_at_end(&c))
		return imp_msg(info,
			       "expected 'IOMMU: iova=0x.. [- 0x..] size=N unmapped_size=N'"),
		       IMP_DEC_MALFORMED;
	ev->kind = IMP_EV_UNMAP;
	return IMP_DEC_EVENT;
}

/* "IOMMU:%s %s iova=0x%016llx flags=0x%04x": driver, then device; flags
 * IOMMU_FAULT_WRITE = 1 (traces.md §1.2). */
static enum imp_dec h_fault(struct imp *im, const char *pl, struct imp_event *ev,
			    struct imp_dec_info *info)
{
	struct imp_cur c = { pl };
	const char *tok[3];
	size_t len[3];
	unsigned nb = 0;
	uint64_t flags;

	if (!imp_lit(&c, "IOMMU:"))
		return imp_msg(info, "expected 'IOMMU:'"), IMP_DEC_MALFORMED;
	while (nb < 3) {
		struct imp_cur save = c;
		len[nb] = imp_token(&c, &tok[nb]);
		if (!len[nb] || memchr(tok[nb], '=', len[nb])) {
			c = save;
			break;
		}
		nb++;
	}
	if ((nb != 1 && nb != 2) || !kv_tok(&c, "iova", imp_hex0x, &ev->iova) ||
	    !kv_tok(&c, "flags", imp_hex, &flags) || !imp_at_end(&c))
		return imp_msg(info, "expected 'IOMMU:DRIVER DEVICE iova=0x.. flags=0x..'"),
		       IMP_DEC_MALFORMED;
	ev->dev = dev_token(im, tok[nb - 1], len[nb - 1]);
	ev->access = (flags & 1) ? IMS_TRACE_ACC_W : IMS_TRACE_ACC_R;
	ev->kind = IMP_EV_FAULT;
	return IMP_DEC_EVENT;
}

/* ---- dma:* (traces.md §1.3): "DEVICE key=value..." --------------------- */

enum dma_class { DC_MAP, DC_UNMAP, DC_ALLOC, DC_FREE, DC_ALLOC_SGT, DC_FREE_SGT, DC_MAP_SG,
		 DC_UNMAP_SG, DC_SYNC, DC_SYNC_SG, DC_ERR };

#define SG_MAX 256

static const struct imp_kv *need(const struct imp_kvs *kv, const char *key,
				 struct imp_dec_info *info)
{
	const struct imp_kv *v = imp_kv_get(kv, key);
	if (!v)
		imp_msg(info, "no %s=", key);
	return v;
}

static bool need_hex(const struct imp_kvs *kv, const char *key, uint64_t *out,
		     struct imp_dec_info *info)
{
	const struct imp_kv *v = need(kv, key, info);
	if (v && !imp_hex(v->v, v->vlen, out)) {
		imp_msg(info, "bad %s=%.*s", key, (int)v->vlen, v->v);
		return false;
	}
	return v != NULL;
}

static bool need_dec(const struct imp_kvs *kv, const char *key, uint64_t *out,
		     struct imp_dec_info *info)
{
	const struct imp_kv *v = need(kv, key, info);
	if (v && !imp_dec(v->v, v->vlen, out)) {
		imp_msg(info, "bad %s=%.*s", key, (int)v->vlen, v->v);
		return false;
	}
	return v != NULL;
}

static int need_array(const struct imp_kvs *kv, const char *key, uint64_t *out,
		      struct imp_dec_info *info)
{
	const struct imp_kv *v = need(kv, key, info);
	bool more;
	int n;

	if (!v)
		return -1;
	n = imp_array(v->v, v->vlen, out, SG_MAX, &more);
	if (n < 0)
		imp_msg(info, "bad %s list", key);
	return n;
}

static bool alloc_segs(struct imp_event *ev, unsigned n)
{
	ev->segs = n ? calloc(n, sizeof(*ev->segs)) : NULL;
	ev->nsegs = n;
	return !n || ev->segs;
}

static enum imp_dec dma_event(struct imp *im, const char *pl, struct imp_event *ev,
			      struct imp_dec_info *info, enum dma_class dc)
{
	struct imp_cur c = { pl };
	struct imp_kvs kv;
	const struct imp_kv *dir;
	const char *dn;
	size_t dl = imp_token(&c, &dn);
	uint64_t dma = 0, size = 0, phys = 0;
	bool has_phys = false;

	if (!dl || memchr(dn, '=', dl))
		return imp_msg(info, "no device name"), IMP_DEC_MALFORMED;
	imp_kv_parse(c.p, &kv);
	if (kv.overflow)
		return imp_msg(info, "too many fields"), IMP_DEC_MALFORMED;
	if (dc == DC_ERR) { /* a failed call maps nothing */
		ev->kind = IMP_EV_NONE;
		return IMP_DEC_EVENT;
	}
	dir = imp_kv_get(&kv, "dir");
	ev->dir = IMP_DIR_BIDI;
	/* 6.12's dma_alloc/dma_free print no dir= (6.13 added it). */
	if (!dir && dc != DC_ALLOC && dc != DC_FREE)
		return imp_msg(info, "no dir="), IMP_DEC_MALFORMED;
	if (dir && !imp_dir_word(dir->v, dir->vlen, &ev->dir))
		return imp_msg(info, "bad dir=%.*s", (int)dir->vlen, dir->v), IMP_DEC_MALFORMED;

	switch (dc) {
	case DC_MAP:
	case DC_UNMAP:
	case DC_ALLOC:
	case DC_FREE:
	case DC_ALLOC_SGT:
	case DC_FREE_SGT:
	case DC_SYNC:
		if (!need_hex(&kv, "dma_addr", &dma, info) || !need_dec(&kv, "size", &size, info))
			return IMP_DEC_MALFORMED;
		if (dc == DC_MAP) {
			if (!need_hex(&kv, "phys_addr", &phys, info))
				return IMP_DEC_MALFORMED;
			has_phys = true;
		}
		if ((dc == DC_ALLOC || dc == DC_FREE) && !imp_kv_get(&kv, "virt_addr")) {
			/* 6.12-rc1..rc3 printed phys_addr= here (traces.md §1.3). */
			if (!need_hex(&kv, "phys_addr", &phys, info))
				return imp_msg(info, "no virt_addr="), IMP_DEC_MALFORMED;
			has_phys = true;
		}
		if ((dc == DC_ALLOC_SGT || dc == DC_FREE_SGT) && !need(&kv, "phys_addrs", info))
			return IMP_DEC_MALFORMED;
		if (dc != DC_SYNC && dc != DC_FREE_SGT && !need(&kv, "attrs", info))
			return IMP_DEC_MALFORMED;
		if (!alloc_segs(ev, 1))
			return imp_msg(info, "out of memory"), IMP_DEC_MALFORMED;
		ev->segs[0] = (struct imp_seg){ dma, size, phys, has_phys };
		break;
	case DC_MAP_SG:
	case DC_SYNC_SG: {
		uint64_t da[SG_MAX], sz[SG_MAX], pa[SG_MAX];
		int nd = need_array(&kv, "dma_addrs", da, info), ns, np = 0;
		if (nd < 0)
			return IMP_DEC_MALFORMED;
		ns = need_array(&kv, "sizes", sz, info);
		if (ns < 0)
			return IMP_DEC_MALFORMED;
		if (ns != nd)
			return imp_msg(info, "%d dma_addrs but %d sizes", nd, ns), IMP_DEC_MALFORMED;
		if (dc == DC_MAP_SG) {
			np = need_array(&kv, "phys_addrs", pa, info);
			if (np < 0 || !need(&kv, "attrs", info))
				return IMP_DEC_MALFORMED;
			ev->pa = np ? pa[0] : 0;
			ev->aux = (uint64_t)np;
		}
		if (!alloc_segs(ev, (unsigned)nd))
			return imp_msg(info, "out of memory"), IMP_DEC_MALFORMED;
		for (int i = 0; i < nd; i++)
			ev->segs[i] = (struct imp_seg){ da[i], sz[i], 0, false };
		/* Lists longer than 128 entries end in " [TRUNCATED]"
		 * (traces.md §1.3). */
		for (unsigned i = 0; i < kv.n; i++)
			if (!kv.kv[i].klen && kv.kv[i].vlen == 11 && !memcmp(kv.kv[i].v, "[TRUNCATED]", 11))
				ev->truncated = true;
		break;
	}
	case DC_UNMAP_SG: {
		uint64_t pa[SG_MAX];
		int np = need_array(&kv, "phys_addrs", pa, info);
		if (np < 0 || !need(&kv, "attrs", info))
			return IMP_DEC_MALFORMED;
		ev->sg_by_phys = true;
		ev->pa = np ? pa[0] : 0;
		ev->aux = (uint64_t)np;
		break;
	}
	case DC_ERR:
		break;
	}
	ev->dev = dev_token(im, dn, dl);
	switch (dc) {
	case DC_MAP:
	case DC_ALLOC:
	case DC_ALLOC_SGT:
	case DC_MAP_SG:
		ev->kind = IMP_EV_DMA_MAP;
		break;
	case DC_SYNC:
	case DC_SYNC_SG:
		ev->kind = IMP_EV_DMA_SYNC;
		ev->for_device = strstr(info->name, "for_device") != NULL;
		break;
	default:
		ev->kind = IMP_EV_DMA_UNMAP;
		break;
	}
	return IMP_DEC_EVENT;
}

#define DMA_HANDLER(fn, dc)                                                                  \
	static enum imp_dec fn(struct imp *im, const char *pl, struct imp_event *ev,        \
			       struct imp_dec_info *info)                                   \
	{                                                                                    \
		return dma_event(im, pl, ev, info, dc);                                      \
	}
DMA_HANDLER(h_dma_map, DC_MAP)
DMA_HANDLER(h_dma_unmap, DC_UNMAP)
DMA_HANDLER(h_dma_alloc, DC_ALLOC)
DMA_HANDLER(h_dma_free, DC_FREE)
DMA_HANDLER(h_dma_alloc_sgt, DC_ALLOC_SGT)
DMA_HANDLER(h_dma_free_sgt, DC_FREE_SGT)
DMA_HANDLER(h_dma_map_sg, DC_MAP_SG)
DMA_HANDLER(h_dma_unmap_sg, DC_UNMAP_SG)
DMA_HANDLER(h_dma_sync, DC_SYNC)
DMA_HANDLER(h_dma_sync_sg, DC_SYNC_SG)
DMA_HANDLER(h_dma_err, DC_ERR)

/* ---- intel_iommu:* (traces.md §1.4) --------------------------------------- */

/* qi_submit "%s %s: 0x%llx 0x%llx 0x%llx 0x%llx": the descriptor type, the
 * unit and four raw quadwords.  The host driver's own invalidations: the
 * trace's ioas.unmap carries them (iommufd invalidates as it unmaps), so
 * they build nothing. */
static enum imp_dec h_qi_submit(struct imp *im, const char *pl, struct imp_event *ev,
				struct imp_dec_info *info)
{
	uint64_t qw[4];

	if (!imp_match(pl, "%s %s %x %x %x %x", qw) || !strchr(pl, ':'))
		return imp_msg(info, "expected 'TYPE dmarN: 0x.. 0x.. 0x.. 0x..'"),
		       IMP_DEC_MALFORMED;
	ev->kind = IMP_EV_NONE;
	/* page_grp_resp (VT-d SPEC 6.5.2.9; type 0x9): PP[4], RC[15:12],
	 * RID[31:16], PASID[51:32]; PRGI[11:3] of QW1.  The host's answer to a
	 * page request group: the trace answers through the fault queue. */
	if ((qw[0] & 0xf) == 0x9) {
		ev->dev = imp_dev_by_sid(im, (uint32_t)(qw[0] >> 16) & 0xffff);
		ev->has_pasid = (qw[0] >> 4) & 1;
		ev->pasid = (uint32_t)(qw[0] >> 32) & 0xfffff;
		ev->code = (int64_t)((qw[0] >> 12) & 0xf);
		ev->prgi = (uint32_t)(qw[1] >> 3) & 0x1ff;
		ev->kind = IMP_EV_PAGE_RESP;
	}
	return IMP_DEC_EVENT;
}

/* prq_report "%s/%s seq# %ld: rid=0x.. addr=0x.. RWXPL pasid=0x.. index=0x..
 * [private=0x../0x..]": addr is the page number; the letters are read,
 * write, execute, privileged, last in group, '-' when clear. */
static enum imp_dec h_prq(struct imp *im, const char *pl, struct imp_event *ev,
			  struct imp_dec_info *info)
{
	struct imp_cur c = { pl };
	const char *t, *slash;
	size_t n = imp_token(&c, &t);
	uint64_t seq, rid, page, pasid, index;
	struct imp_kvs kv;
	const char *perm = NULL;

	slash = n ? memchr(t, '/', n) : NULL;
	if (!slash || slash + 1 == t + n)
		return imp_msg(info, "expected 'dmarN/DEVICE'"), IMP_DEC_MALFORMED;
	const char *dn = slash + 1;
	size_t dl = (size_t)(t + n - dn);
	if (!imp_lit(&c, "seq#"))
		return imp_msg(info, "expected 'seq#'"), IMP_DEC_MALFORMED;
	n = imp_token(&c, &t);
	if (n < 2 || t[n - 1] != ':' || !imp_dec(t, n - 1, &seq))
		return imp_msg(info, "expected 'seq# N:'"), IMP_DEC_MALFORMED;
	imp_kv_parse(c.p, &kv);
	for (unsigned i = 0; i < kv.n; i++)
		if (!kv.kv[i].klen && kv.kv[i].vlen == 5)
			perm = kv.kv[i].v;
	if (!need_hex(&kv, "rid", &rid, info) || !need_hex(&kv, "addr", &page, info) ||
	    !need_hex(&kv, "pasid", &pasid, info) || !need_hex(&kv, "index", &index, info))
		return IMP_DEC_MALFORMED;
	if (!perm || (perm[0] != 'r' && perm[0] != '-') || (perm[1] != 'w' && perm[1] != '-') ||
	    (perm[2] != 'x' && perm[2] != '-') || (perm[3] != 'p' && perm[3] != '-') ||
	    (perm[4] != 'l' && perm[4] != '-'))
		return imp_msg(info, "no permission letters (rwxpl)"), IMP_DEC_MALFORMED;
	if (page >> 52 || rid > 0xffff || pasid > 0xfffff || index > 0x1ff)
		return imp_msg(info, "field out of range"), IMP_DEC_MALFORMED;
	ev->dev = dev_token(im, dn, dl);
	if (ev->dev >= 0 && !im->devs[ev->dev].has_sid) {
		/* A name that is no PCI address: the descriptor's RID is the sid. */
		im->devs[ev->dev].sid = (uint32_t)rid;
		im->devs[ev->dev].has_sid = true;
	}
	ev->iova = page << 12;
	ev->access = (perm[0] == 'r' ? IMS_TRACE_ACC_R : 0) | (perm[1] == 'w' ? IMS_TRACE_ACC_W : 0);
	if (!ev->access)
		ev->access = perm[2] == 'x' ? IMS_TRACE_ACC_X : IMS_TRACE_ACC_R;
	ev->priv = perm[3] == 'p';
	ev->last = perm[4] == 'l';
	/* Linux reports page requests with a PASID (PASID 0 is RID_PASID). */
	ev->has_pasid = pasid != 0;
	ev->pasid = (uint32_t)pasid;
	ev->prgi = (uint32_t)index;
	ev->kind = IMP_EV_PAGE_REQ;
	return IMP_DEC_EVENT;
}

/* Events that are understood but describe nothing a trace replays. */
static enum imp_dec h_info(struct imp *im, const char *pl, struct imp_event *ev,
			   struct imp_dec_info *info)
{
	ev->kind = IMP_EV_NONE;
	return IMP_DEC_EVENT;
}

/* Legacy intel_iommu DMA-API events (5.4–5.12, traces.md §1.4):
 * "dev=%s [%d/%d ]dev_addr=0x%llx [phys_addr=0x%llx ]size=%zu". */
static enum imp_dec h_legacy(struct imp *im, const char *pl, struct imp_event *ev,
			     struct imp_dec_info *info)
{
	struct imp_kvs kv;
	const struct imp_kv *d;
	uint64_t dma, size, phys = 0;
	bool map = strstr(info->name, "unmap") == NULL;

	imp_kv_parse(pl, &kv);
	d = need(&kv, "dev", info);
	if (!d || !d->vlen || !need_hex(&kv, "dev_addr", &dma, info) ||
	    !need_dec(&kv, "size", &size, info) ||
	    (map && !need_hex(&kv, "phys_addr", &phys, info)))
		return IMP_DEC_MALFORMED;
	if (!alloc_segs(ev, 1))
		return imp_msg(info, "out of memory"), IMP_DEC_MALFORMED;
	ev->segs[0] = (struct imp_seg){ dma, size, phys, map };
	ev->dev = dev_token(im, d->v, d->vlen);
	ev->dir = IMP_DIR_BIDI;
	ev->kind = map ? IMP_EV_DMA_MAP : IMP_EV_DMA_UNMAP;
	return IMP_DEC_EVENT;
}

static const struct {
	const char *sys, *name;
	handler fn;
} events[] = {
	/* include/trace/events/iommu.h */
	{ "iommu", "add_device_to_group", h_group },
	{ "iommu", "remove_device_from_group", h_group },
	{ "iommu", "attach_device_to_domain", h_attach },
	{ "iommu", "detach_device_from_domain", h_attach },
	{ "iommu", "map", h_map },
	{ "iommu", "unmap", h_unmap },
	{ "iommu", "io_page_fault", h_fault },
	/* include/trace/events/dma.h: 6.12 names, 6.18 renames (map_phys) */
	{ "dma", "dma_map_page", h_dma_map },
	{ "dma", "dma_map_resource", h_dma_map },
	{ "dma", "dma_map_phys", h_dma_map },
	{ "dma", "dma_unmap_page", h_dma_unmap },
	{ "dma", "dma_unmap_resource", h_dma_unmap },
	{ "dma", "dma_unmap_phys", h_dma_unmap },
	{ "dma", "dma_alloc", h_dma_alloc },
	{ "dma", "dma_alloc_pages", h_dma_alloc },
	{ "dma", "dma_free", h_dma_free },
	{ "dma", "dma_free_pages", h_dma_free },
	{ "dma", "dma_alloc_sgt", h_dma_alloc_sgt },
	{ "dma", "dma_free_sgt", h_dma_free_sgt },
	{ "dma", "dma_alloc_sgt_err", h_dma_err },
	{ "dma", "dma_map_sg", h_dma_map_sg },
	{ "dma", "dma_map_sg_err", h_dma_err },
	{ "dma", "dma_unmap_sg", h_dma_unmap_sg },
	{ "dma", "dma_sync_single_for_cpu", h_dma_sync },
	{ "dma", "dma_sync_single_for_device", h_dma_sync },
	{ "dma", "dma_sync_sg_for_cpu", h_dma_sync_sg },
	{ "dma", "dma_sync_sg_for_device", h_dma_sync_sg },
	/* drivers/iommu/intel/trace.h */
	{ "intel_iommu", "qi_submit", h_qi_submit },
	{ "intel_iommu", "prq_report", h_prq },
	{ "intel_iommu", "cache_tag_assign", h_info },
	{ "intel_iommu", "cache_tag_unassign", h_info },
	{ "intel_iommu", "cache_tag_flush_all", h_info },
	{ "intel_iommu", "cache_tag_flush_range", h_info },
	{ "intel_iommu", "cache_tag_flush_range_np", h_info },
	{ "intel_iommu", "map_single", h_legacy },
	{ "intel_iommu", "bounce_map_single", h_legacy },
	{ "intel_iommu", "map_sg", h_legacy },
	{ "intel_iommu", "bounce_map_sg", h_legacy },
	{ "intel_iommu", "unmap_single", h_legacy },
	{ "intel_iommu", "unmap_sg", h_legacy },
	{ "intel_iommu", "bounce_unmap_single", h_legacy },
};

static bool starts_event(struct imp *im, const char *rec)
{
	struct frame f;
	return parse_frame(rec, &f) != FR_NONE;
}

static enum imp_dec decode(struct imp *im, char *rec, struct imp_event *ev,
			   struct imp_dec_info *info)
{
	struct frame f;
	const char *p = rec;
	int fr;

	while (blank(*p))
		p++;
	if (!*p)
		return IMP_DEC_BLANK;
	if (*p == '#')
		return imp_msg(info, "header or comment"), IMP_DEC_SKIP;
	fr = parse_frame(rec, &f);
	if (fr == FR_NONE)
		return imp_msg(info, "not an event line"), IMP_DEC_SKIP;
	if (fr == FR_BROKEN)
		return imp_msg(info, "no timestamp or event name after the CPU column"),
		       IMP_DEC_MALFORMED;
	info->name = f.ev;
	info->namelen = f.evlen;
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if (strlen(events[i].name) != f.evlen || memcmp(events[i].name, f.ev, f.evlen))
			continue;
		if (f.sys && (strlen(events[i].sys) != f.syslen ||
			      memcmp(events[i].sys, f.sys, f.syslen)))
			continue;
		info->name = events[i].name;
		info->namelen = strlen(events[i].name);
		ev->name = events[i].name;
		ev->ts = f.ts;
		ev->pid = f.pid;
		return events[i].fn(im, f.payload, ev, info);
	}
	return IMP_DEC_UNKNOWN;
}

const struct imp_frontend imp_ftrace = { starts_event, decode };
