/* SPDX-License-Identifier: MIT */
/*
 * x86-64 long-mode paging as an IOMMU walks it: the VT-d first stage
 * (VT-d SPEC 3.6, 9.7) and the AMD-Vi guest (v2) table (digest amdvi.md
 * 3.2).  4 levels (48-bit input) or 5 levels (57-bit);
 * 4 KiB pages in the PT, 2 MiB in the PD, 1 GiB in the PDPT when the IOMMU
 * supports them (VT-d CAP.FS1GP).
 *
 * Entry bits (VT-d SPEC 9.7, Tables "Format of First-Stage Paging Entries"):
 *   0 P, 1 R/W, 2 U/S, 3 PWT, 4 PCD, 5 A, 6 D (leaf), 7 PS (PAT in a PTE),
 *   8 G (ignored), 10 EA (with EAFE), 12 PAT (large leaves),
 *   (HAW-1):12 address, 51:HAW reserved, 62:52 ignored, 63 XD.
 * Bit 63 is XD only when execute permission is checked (IMS_PT_F_NX: VT-d
 * 3.x NXE, AMD NXSup); VT-d 4.0+ ignores it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/pt.h"

#define X86_P (1ull << 0)
#define X86_RW (1ull << 1)
#define X86_US (1ull << 2)
#define X86_PWT (1ull << 3)
#define X86_PCD (1ull << 4)
#define X86_A (1ull << 5)
#define X86_D (1ull << 6)
#define X86_PS (1ull << 7) /* PAT in a PTE */
#define X86_G (1ull << 8)
#define X86_EA (1ull << 10)
#define X86_PAT_LARGE (1ull << 12)
#define X86_XD (1ull << 63)
#define X86_ADDR 0x000ffffffffff000ull /* 51:12 */

/* Levels as numbered in sim/pt.h (0 = PT). */
enum { X86_PT = 0, X86_PD = 1, X86_PDPT = 2, X86_PML4 = 3, X86_PML5 = 4 };

#define X86_ALLOWED_FLAGS \
	(IMS_PT_F_SIGN_EXTEND | IMS_PT_F_AD | IMS_PT_F_EA | IMS_PT_F_WPE | IMS_PT_F_NX)

/* Bits hi:lo set (hi >= lo, both < 64). */
static uint64_t bits_mask(unsigned hi, unsigned lo)
{
	uint64_t upto = hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1;
	return upto & ~((1ull << lo) - 1);
}

/* Whether the hardware walks 1 GiB PDPEs (CAP.FS1GP).  This is not read
 * from leaf_shifts, which is the mapper's policy and may be narrowed by
 * ims_pt_fmt_limit(): the two configurations get their own ops table. */
static const struct ims_pt_ops x86_ops, x86_ops_1g;

static bool x86_pg1g(const struct ims_pt_fmt *f)
{
	return f->ops == &x86_ops_1g;
}

/* Address bits 51:HAW of any present entry are reserved (VT-d SPEC 9.7). */
static uint64_t above_oas(const struct ims_pt_fmt *f)
{
	return f->oas >= 52 ? 0 : bits_mask(51, f->oas);
}

/* Rights one present entry grants (VT-d SPEC 3.6, access rights):
 * R/W=0 forbids user writes, and supervisor writes only with WPE; U/S=0
 * forbids every user access; XD (when checked) forbids instruction fetch.
 * Reads are never restricted, so execute follows read. */
static uint32_t x86_perms(const struct ims_pt_fmt *f, uint64_t pte)
{
	uint32_t p = IMS_PT_PERM_ALL;

	if (!(pte & X86_RW)) {
		p &= ~IMS_PT_UW;
		if (f->flags & IMS_PT_F_WPE)
			p &= ~IMS_PT_PW;
	}
	if (!(pte & X86_US))
		p &= ~(IMS_PT_UR | IMS_PT_UW | IMS_PT_UX);
	if ((f->flags & IMS_PT_F_NX) && (pte & X86_XD))
		p &= ~(IMS_PT_PX | IMS_PT_UX);
	return p;
}

static void x86_decode(const struct ims_pt_fmt *f, unsigned level, uint64_t pte,
		       struct ims_pt_entry *e)
{
	uint64_t rsvd = above_oas(f);
	unsigned shift;
	bool leaf;

	memset(e, 0, sizeof(*e));
	e->type = IMS_PTE_INVALID;
	e->fault = IMS_PT_OK;
	if (level > f->top_level) {
		e->fault = IMS_PT_FAULT_LEVEL; /* no such table in this format */
		return;
	}
	if (!(pte & X86_P))
		return;

	e->perms = x86_perms(f, pte);
	switch (level) {
	case X86_PT:
		leaf = true; /* bit 7 is PAT */
		break;
	case X86_PD:
		leaf = pte & X86_PS; /* 2 MiB page, always supported */
		if (leaf)
			rsvd |= bits_mask(20, 13); /* bit 12 is PAT */
		break;
	case X86_PDPT:
		leaf = pte & X86_PS;
		if (leaf) {
			/* PS in a PDPE is reserved without FS1GP (VT-d SPEC 9.7). */
			if (!x86_pg1g(f))
				rsvd |= X86_PS;
			rsvd |= bits_mask(29, 13);
		}
		break;
	default:
		/* PML4E, PML5E: PS is reserved. */
		leaf = false;
		rsvd |= X86_PS;
		break;
	}
	if (pte & rsvd) {
		e->fault = IMS_PT_FAULT_RESERVED;
		return;
	}
	if (leaf) {
		shift = f->shift[level];
		e->type = IMS_PTE_LEAF;
		e->addr = pte & X86_ADDR & ~((1ull << shift) - 1);
		e->size_shift = e->run_shift = shift;
	} else {
		e->type = IMS_PTE_TABLE;
		e->addr = pte & X86_ADDR;
		e->next_level = level - 1;
	}
}

/* Hardware A/D (VT-d SPEC 3.6; AMD v2 unless GAUpdateDis/GDUpdateDis):
 * A (and EA with EAFE) in every entry used, D in the leaf on a write. */
static enum ims_pt_fault x86_access(const struct ims_pt_fmt *f, unsigned level, bool leaf,
				    uint64_t pte, unsigned access, uint32_t *perms,
				    uint64_t *new_pte)
{
	uint64_t n = pte;

	if (f->flags & IMS_PT_F_AD) {
		n |= X86_A;
		if (f->flags & IMS_PT_F_EA)
			n |= X86_EA;
		if (leaf && (access & IMS_PT_ACC_W))
			n |= X86_D;
	}
	*new_pte = n;
	return IMS_PT_OK;
}

static uint64_t x86_make_table(const struct ims_pt_fmt *f, unsigned level, unsigned next_level,
			       uint64_t table)
{
	return (table & X86_ADDR) | X86_P | X86_RW | X86_US;
}

static uint64_t x86_make_leaf(const struct ims_pt_fmt *f, unsigned level, unsigned size_shift,
			      uint64_t oa, unsigned prot)
{
	unsigned shift = level < IMS_PT_MAX_LEVELS ? f->shift[level] : 12;
	uint64_t pte = (oa & X86_ADDR & ~((1ull << shift) - 1)) | X86_P;

	/* x86 cannot express write-only or no-read: every present page reads. */
	if (prot & IMS_PT_PROT_W)
		pte |= X86_RW;
	if (!(prot & IMS_PT_PROT_PRIV))
		pte |= X86_US;
	if (level > X86_PT)
		pte |= X86_PS;
	if ((prot & IMS_PT_PROT_NOEXEC) && (f->flags & IMS_PT_F_NX))
		pte |= X86_XD;
	return pte;
}

static unsigned x86_leaf_prot(const struct ims_pt_fmt *f, unsigned level, uint64_t pte)
{
	unsigned prot = IMS_PT_PROT_R;

	if (pte & X86_RW)
		prot |= IMS_PT_PROT_W;
	if (!(pte & X86_US))
		prot |= IMS_PT_PROT_PRIV;
	if ((f->flags & IMS_PT_F_NX) && (pte & X86_XD))
		prot |= IMS_PT_PROT_NOEXEC;
	return prot;
}

static int x86_describe(const struct ims_pt_fmt *f, unsigned level, uint64_t pte, char *buf,
			size_t n)
{
	bool large = level != X86_PT && (pte & X86_PS);
	const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ X86_RW, "RW" }, { X86_US, "US" }, { X86_PWT, "PWT" }, { X86_PCD, "PCD" },
		{ X86_A, "A" },   { X86_D, "D" },   { X86_PS, level == X86_PT ? "PAT" : "PS" },
		{ X86_G, "G" },   { X86_EA, "EA" }, { large ? X86_PAT_LARGE : 0, "PAT" },
		{ X86_XD, (f->flags & IMS_PT_F_NX) ? "XD" : "b63" },
	};
	uint64_t addr = pte & X86_ADDR;
	size_t len = 0;
	int r;

	if (!n)
		return 0;
	buf[0] = 0;
	if (!(pte & X86_P))
		return snprintf(buf, n, "not present (P=0)");
	if (large && level < IMS_PT_MAX_LEVELS)
		addr &= ~((1ull << f->shift[level]) - 1);
#define X86_PUT(...)                                                              \
	do {                                                                      \
		r = snprintf(buf + len, n - len, __VA_ARGS__);                    \
		if (r < 0 || (size_t)r >= n - len)                                \
			return (int)(len + (r < 0 ? 0 : (size_t)r));              \
		len += (size_t)r;                                                 \
	} while (0)
	X86_PUT("P");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (pte & names[i].bit)
			X86_PUT(" %s", names[i].name);
	X86_PUT(" addr=0x%llx", (unsigned long long)addr);
#undef X86_PUT
	return (int)len;
}

#define X86_OPS                          \
	{                                \
		.decode = x86_decode,         \
		.access = x86_access,         \
		.make_table = x86_make_table, \
		.make_leaf = x86_make_leaf,   \
		.leaf_prot = x86_leaf_prot,   \
		.describe = x86_describe,     \
	}
static const struct ims_pt_ops x86_ops = X86_OPS, x86_ops_1g = X86_OPS;

int ims_pt_fmt_x86_64(struct ims_pt_fmt *f, const struct ims_pt_x86_cfg *c)
{
	static const char *const names[] = { "PTE", "PDE", "PDPE", "PML4E", "PML5E" };

	if (!f || !c)
		return -EINVAL;
	if (c->levels != 4 && c->levels != 5)
		return -EINVAL;
	if (c->oas < 32 || c->oas > 52)
		return -EINVAL;
	if (c->flags & ~X86_ALLOWED_FLAGS)
		return -EINVAL;
	/* EA is set alongside A (VT-d SPEC 3.6); without A/D updates it has
	 * no meaning. */
	if ((c->flags & IMS_PT_F_EA) && !(c->flags & IMS_PT_F_AD))
		return -EINVAL;

	memset(f, 0, sizeof(*f));
	f->kind = IMS_PT_X86_64;
	f->ops = c->pg1g ? &x86_ops_1g : &x86_ops;
	snprintf(f->name, sizeof(f->name), "x86-64 %u-level", c->levels);
	f->top_level = c->levels - 1;
	for (unsigned l = 0; l < c->levels; l++) {
		f->shift[l] = 12 + 9 * l;
		f->bits[l] = 9;
		f->level_name[l] = names[l];
	}
	f->leaf_shifts[X86_PT] = 1ull << 12;
	f->leaf_shifts[X86_PD] = 1ull << 21;
	if (c->pg1g)
		f->leaf_shifts[X86_PDPT] = 1ull << 30;
	f->ias = 12 + 9 * c->levels; /* 48 or 57 */
	f->oas = c->oas;
	f->granule_shift = 12;
	f->flags = c->flags;
	return 0;
}
