/* SPDX-License-Identifier: MIT */
/*
 * VT-d second-stage paging (VT-d SPEC 3.7, 9.8): the EPT-compatible table
 * behind a legacy-mode context entry or a scalable-mode PASID entry with
 * PGTT=010b/011b.  3, 4 or 5 levels (AW 1, 2, 3); 2 MiB and 1 GiB leaves as
 * CAP.SSLPS allows.
 *
 * Entry bits (SPEC 9.8, "Format of Second-Stage Paging Entries"):
 *   0 R, 1 W, 2 X (3.x with SLEE; ignored from 4.0), 5:3 EMT and 6 IPAT
 *   (leaves), 7 PS, 8 A and 9 D (with SSADE; D in leaves), 10 ignored,
 *   11 SNP (leaves, with ECAP.SC), (HAW-1):12 address, 51:HAW reserved,
 *   60:52 ignored, 61 IR and 62 IW (with SSIRWE), 63 ignored.
 *
 * Which bits are reserved rather than ignored, beyond what the digest lists:
 * - Bits 6:3 of a non-leaf entry are ignored, not reserved: the SPEC 9.8
 *   non-leaf tables list them as "Ignored" (VirtualBox iommu-intel.h writes
 *   the layouts out as IGN_6_3 for SL-PML4E/PDPE/PDE; QEMU's
 *   VTD_SPTE_PAGE_L{2,3,4}_RSVD_MASK leave them out; Linux generic_pt
 *   vtdss.h notes software may use bits of 9:3 in some entries).
 * - Bit 62 is reserved unless SSIRWE=1 (SPEC 9.8: bit 61 is IR with SSIRWE,
 *   else ignored; bit 62 is IW with SSIRWE, else reserved, as it has been
 *   since the 2.x TM bit went away; QEMU keeps bit 62 out of its ignored
 *   mask too).  The digest (vtd.md 3.2) lists only "IW with SSIRWE".
 * - Bit 7 of an SS-PTE is ignored (SPEC 9.8; QEMU's L1 mask lacks it).
 *
 * With SSIRWE (IMS_PT_F_IRW) the IOMMU takes read and write permission
 * from IR and IW instead of R and W (SPEC 3.7, digest vtd.md 1.5 "use SS
 * bits 61/62 (IR/IW) instead of bits 0/1 for permissions").  Presence is
 * still decided by R and W: SPEC 3.7 defines a not-present entry as R=W=0
 * and checks reserved bits only when R or W is set, and SSIRWE changes
 * which bits are the DMA permissions, not that rule.  SSIRWE exists so that
 * one table can serve as the CPU's EPT too, where R/W keep their CPU
 * meaning and IR/IW say what DMA may do.  So R=W=0 with IR=1 is not
 * present, and R=1 with IR=IW=0 is present and grants DMA nothing.  (Model
 * decision: the digest is silent on presence under SSIRWE.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/pt.h"

#define SS_R (1ull << 0)
#define SS_W (1ull << 1)
#define SS_X (1ull << 2)
#define SS_EMT_SHIFT 3
#define SS_EMT (7ull << SS_EMT_SHIFT)
#define SS_IPAT (1ull << 6)
#define SS_PS (1ull << 7)
#define SS_A (1ull << 8)
#define SS_D (1ull << 9)
#define SS_SNP (1ull << 11)
#define SS_IR (1ull << 61)
#define SS_IW (1ull << 62)
#define SS_ADDR 0x000ffffffffff000ull /* 51:12 */

/* Levels as numbered in sim/pt.h (0 = SS-PT). */
enum { SS_PT = 0, SS_PD = 1, SS_PDPT = 2, SS_PML4 = 3, SS_PML5 = 4 };

#define SS_ALLOWED_FLAGS (IMS_PT_F_AD | IMS_PT_F_NX | IMS_PT_F_SNP | IMS_PT_F_IRW)

/* The large-page sizes the hardware walks (CAP.SSLPS).  Kept apart from
 * leaf_shifts, which is the mapper's policy and may be narrowed by
 * ims_pt_fmt_limit(): each legal SSLPS value gets its own ops table. */
static const struct ims_pt_ops ss_ops_4k, ss_ops_2m, ss_ops_2m1g;

static bool ss_level_has_ps(const struct ims_pt_fmt *f, unsigned level)
{
	if (level == SS_PD)
		return f->ops == &ss_ops_2m || f->ops == &ss_ops_2m1g;
	if (level == SS_PDPT)
		return f->ops == &ss_ops_2m1g;
	return false;
}

static uint64_t bits_mask(unsigned hi, unsigned lo)
{
	uint64_t upto = hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1;
	return upto & ~((1ull << lo) - 1);
}

/* The bits that carry read and write permission (SPEC 3.7 with SSIRWE). */
static uint64_t ss_rbit(const struct ims_pt_fmt *f)
{
	return (f->flags & IMS_PT_F_IRW) ? SS_IR : SS_R;
}

static uint64_t ss_wbit(const struct ims_pt_fmt *f)
{
	return (f->flags & IMS_PT_F_IRW) ? SS_IW : SS_W;
}

/* Rights of one present entry.  There is no privilege distinction, so P
 * and U rights go together.  Without SLEE (VT-d 4.0+ has none) reads imply
 * execute; with it, bit 2 X alone grants execute (VT-d 3.x SPEC 3.7). */
static uint32_t ss_perms(const struct ims_pt_fmt *f, uint64_t pte)
{
	uint32_t p = 0;

	if (pte & ss_rbit(f)) {
		p |= IMS_PT_PR | IMS_PT_UR;
		if (!(f->flags & IMS_PT_F_NX))
			p |= IMS_PT_PX | IMS_PT_UX;
	}
	if (pte & ss_wbit(f))
		p |= IMS_PT_PW | IMS_PT_UW;
	if ((f->flags & IMS_PT_F_NX) && (pte & SS_X))
		p |= IMS_PT_PX | IMS_PT_UX;
	return p;
}

static void ss_decode(const struct ims_pt_fmt *f, unsigned level, uint64_t pte,
		      struct ims_pt_entry *e)
{
	uint64_t rsvd = f->oas >= 52 ? 0 : bits_mask(51, f->oas);
	unsigned shift;
	bool leaf;

	memset(e, 0, sizeof(*e));
	e->type = IMS_PTE_INVALID;
	e->fault = IMS_PT_OK;
	if (level > f->top_level) {
		e->fault = IMS_PT_FAULT_LEVEL; /* no such table in this format */
		return;
	}
	/* No present bit: R=W=0 is not present, and nothing else is checked
	 * (SPEC 3.7). */
	if (!(pte & (SS_R | SS_W)))
		return;

	if (!(f->flags & IMS_PT_F_IRW))
		rsvd |= SS_IW;
	shift = f->shift[level];
	if (level == SS_PT) {
		leaf = true; /* bit 7 ignored */
	} else {
		leaf = pte & SS_PS;
		/* PS is reserved in SS-PML5E/SS-PML4E and where SSLPS does not
		 * cover the level. */
		if (leaf && !ss_level_has_ps(f, level))
			rsvd |= SS_PS;
		if (leaf)
			rsvd |= bits_mask(shift - 1, 12); /* [20:12] or [29:12] */
	}
	/* SNP: reserved in non-leaf entries, and in leaves when ECAP.SC=0. */
	if (!leaf || !(f->flags & IMS_PT_F_SNP))
		rsvd |= SS_SNP;
	if (pte & rsvd) {
		e->fault = IMS_PT_FAULT_RESERVED;
		return;
	}

	e->perms = ss_perms(f, pte);
	if (leaf) {
		e->type = IMS_PTE_LEAF;
		e->addr = pte & SS_ADDR & ~((1ull << shift) - 1);
		e->size_shift = e->run_shift = shift;
	} else {
		e->type = IMS_PTE_TABLE;
		e->addr = pte & SS_ADDR;
		e->next_level = level - 1;
	}
}

/* SSADE (SPEC 3.7, digest vtd.md 3.2): A in every entry used, D in the leaf on
 * a write. */
static enum ims_pt_fault ss_access(const struct ims_pt_fmt *f, unsigned level, bool leaf,
				   uint64_t pte, unsigned access, uint32_t *perms,
				   uint64_t *new_pte)
{
	uint64_t n = pte;

	if (f->flags & IMS_PT_F_AD) {
		n |= SS_A;
		if (leaf && (access & IMS_PT_ACC_W))
			n |= SS_D;
	}
	*new_pte = n;
	return IMS_PT_OK;
}

static uint64_t ss_make_table(const struct ims_pt_fmt *f, unsigned level, unsigned next_level,
			      uint64_t table)
{
	uint64_t pte = (table & SS_ADDR) | SS_R | SS_W;

	if (f->flags & IMS_PT_F_IRW)
		pte |= SS_IR | SS_IW;
	if (f->flags & IMS_PT_F_NX)
		pte |= SS_X;
	return pte;
}

static uint64_t ss_make_leaf(const struct ims_pt_fmt *f, unsigned level, unsigned size_shift,
			     uint64_t oa, unsigned prot)
{
	unsigned shift = level < IMS_PT_MAX_LEVELS ? f->shift[level] : 12;
	uint64_t pte = oa & SS_ADDR & ~((1ull << shift) - 1);

	if (prot & IMS_PT_PROT_R)
		pte |= SS_R;
	if (prot & IMS_PT_PROT_W)
		pte |= SS_W;
	/* With SSIRWE, R/W keep the entry present and IR/IW carry the DMA
	 * rights (see the top of this file). */
	if (f->flags & IMS_PT_F_IRW) {
		if (prot & IMS_PT_PROT_R)
			pte |= SS_IR;
		if (prot & IMS_PT_PROT_W)
			pte |= SS_IW;
	}
	if ((f->flags & IMS_PT_F_NX) && !(prot & IMS_PT_PROT_NOEXEC))
		pte |= SS_X;
	if (level > SS_PT)
		pte |= SS_PS;
	return pte;
}

static unsigned ss_leaf_prot(const struct ims_pt_fmt *f, unsigned level, uint64_t pte)
{
	unsigned prot = 0;

	if (pte & ss_rbit(f))
		prot |= IMS_PT_PROT_R;
	if (pte & ss_wbit(f))
		prot |= IMS_PT_PROT_W;
	if ((f->flags & IMS_PT_F_NX) && !(pte & SS_X))
		prot |= IMS_PT_PROT_NOEXEC;
	return prot;
}

static int ss_describe(const struct ims_pt_fmt *f, unsigned level, uint64_t pte, char *buf,
		       size_t n)
{
	bool large = level != SS_PT && (pte & SS_PS);
	/* in bit order; EMT (5:3) goes between X and IPAT */
	const struct {
		uint64_t bit;
		const char *name;
	} low[] = { { SS_R, "R" }, { SS_W, "W" }, { SS_X, "X" } },
	  high[] = {
		{ SS_IPAT, "IPAT" }, { level != SS_PT ? SS_PS : 0, "PS" }, { SS_A, "A" },
		{ SS_D, "D" }, { SS_SNP, "SNP" }, { SS_IR, "IR" }, { SS_IW, "IW" },
	};
	uint64_t addr = pte & SS_ADDR;
	size_t len = 0;
	int r;

	if (!n)
		return 0;
	buf[0] = 0;
	if (!(pte & (SS_R | SS_W)))
		return snprintf(buf, n, "not present (R=W=0)");
	if (large && level < IMS_PT_MAX_LEVELS)
		addr &= ~((1ull << f->shift[level]) - 1);
#define SS_PUT(...)                                                               \
	do {                                                                      \
		r = snprintf(buf + len, n - len, __VA_ARGS__);                    \
		if (r < 0 || (size_t)r >= n - len)                                \
			return (int)(len + (r < 0 ? 0 : (size_t)r));              \
		len += (size_t)r;                                                 \
	} while (0)
	for (size_t i = 0; i < sizeof(low) / sizeof(low[0]); i++)
		if (pte & low[i].bit)
			SS_PUT("%s%s", len ? " " : "", low[i].name);
	if (pte & SS_EMT)
		SS_PUT(" EMT=%u", (unsigned)((pte & SS_EMT) >> SS_EMT_SHIFT));
	for (size_t i = 0; i < sizeof(high) / sizeof(high[0]); i++)
		if (pte & high[i].bit)
			SS_PUT(" %s", high[i].name);
	SS_PUT(" addr=0x%llx", (unsigned long long)addr);
#undef SS_PUT
	return (int)len;
}

#define SS_OPS                                  \
	{                                       \
		.decode = ss_decode,            \
		.access = ss_access,            \
		.make_table = ss_make_table,    \
		.make_leaf = ss_make_leaf,      \
		.leaf_prot = ss_leaf_prot,      \
		.describe = ss_describe,        \
	}
static const struct ims_pt_ops ss_ops_4k = SS_OPS, ss_ops_2m = SS_OPS, ss_ops_2m1g = SS_OPS;

int ims_pt_fmt_vtd_ss(struct ims_pt_fmt *f, const struct ims_pt_vtdss_cfg *c)
{
	static const char *const names[] = { "SS-PTE", "SS-PDE", "SS-PDPE", "SS-PML4E",
					     "SS-PML5E" };
	unsigned agaw;

	if (!f || !c)
		return -EINVAL;
	if (c->levels < 3 || c->levels > 5)
		return -EINVAL;
	/* MGAW is a 6-bit field plus one; below 21 bits not even one 2 MiB
	 * region would be addressable, which no implementation reports. */
	if (c->mgaw < 21 || c->mgaw > 64)
		return -EINVAL;
	if (c->oas < 32 || c->oas > 52)
		return -EINVAL;
	/* SSLPS: only 0000b, 0001b and 0011b are legal (SPEC 11.4.2). */
	if (c->pg1g && !c->pg2m)
		return -EINVAL;
	if (c->flags & ~SS_ALLOWED_FLAGS)
		return -EINVAL;

	memset(f, 0, sizeof(*f));
	f->kind = IMS_PT_VTD_SS;
	f->ops = c->pg1g ? &ss_ops_2m1g : c->pg2m ? &ss_ops_2m : &ss_ops_4k;
	snprintf(f->name, sizeof(f->name), "VT-d second stage %u-level", c->levels);
	f->top_level = c->levels - 1;
	for (unsigned l = 0; l < c->levels; l++) {
		f->shift[l] = 12 + 9 * l;
		f->bits[l] = 9;
		f->level_name[l] = names[l];
	}
	f->leaf_shifts[SS_PT] = 1ull << 12;
	if (c->pg2m)
		f->leaf_shifts[SS_PD] = 1ull << 21;
	if (c->pg1g)
		f->leaf_shifts[SS_PDPT] = 1ull << 30;
	/* Input limit 2^min(MGAW, AGAW) - 1, no sign extension: anything above
	 * is fault 0x4 (legacy) / 0x84 SGN.5 (scalable) (SPEC 3.7). */
	agaw = 12 + 9 * c->levels;
	f->ias = c->mgaw < agaw ? c->mgaw : agaw;
	f->oas = c->oas;
	f->granule_shift = 12;
	f->flags = c->flags;
	return 0;
}
