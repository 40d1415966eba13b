/* SPDX-License-Identifier: MIT */
/*
 * AMD-Vi host page table, v1 (AMD IOMMU spec 48882, 2.2.3 "I/O Page Tables
 * for Host Translations"; digest: shared/spec/amdvi.md §3.1).
 *
 * Our level L is the spec's level L+1, so DTE Mode m starts the walk at our
 * level m-1.  Each level indexes 9 bits of the IOVA at shift 12+9L, except the
 * spec's level 6 (our 5), which indexes IOVA[63:57] with 128 entries.  v1 does
 * not sign-extend: with Mode 6 all 64 bits are translated, with Mode m < 6
 * bits 63:12+9m must be zero (the generic walker's zero-above-ias rule).
 *
 * Entry layout (PTE = leaf, PDE = table):
 *   0      PR          present
 *   5      A           accessed (set by the IOMMU when DTE.HAD allows it)
 *   6      D           dirty, PTE only (ignored in a PDE)
 *   11:9   NextLevel   PDE: level of the next table, 1..6;
 *                      PTE: 0 = page of the level's default size,
 *                           7 = page size encoded in the address field
 *   51:12  address     page / next-table address
 *   58:52  reserved    PTE (RZ fault)
 *   60:52  reserved    PDE (RZ fault)
 *   59     U           PTE: untranslated access only (no effect on a walk)
 *   60     FC          PTE: force coherent (no effect on a walk)
 *   61/62  IR/IW       read/write permission, ANDed down the walk with the DTE's
 *   63, 8:7, 4:1       ignored
 *
 * Level skipping: a PDE at spec level n may name any NextLevel < n; the
 * skipped levels' IOVA index bits must then be zero.  The generic walker
 * checks both, and decode also refuses NextLevel >= n itself.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/pt.h"

#define AMDV1_PR (1ull << 0)
#define AMDV1_A (1ull << 5)
#define AMDV1_D (1ull << 6)
#define AMDV1_NL_SHIFT 9
#define AMDV1_NL_MASK (7ull << AMDV1_NL_SHIFT)
#define AMDV1_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12 */
#define AMDV1_PTE_RSVD 0x07f0000000000000ull  /* bits 58:52 */
#define AMDV1_PDE_RSVD 0x1ff0000000000000ull  /* bits 60:52 */
#define AMDV1_U (1ull << 59)
#define AMDV1_FC (1ull << 60)
#define AMDV1_IR (1ull << 61)
#define AMDV1_IW (1ull << 62)

#define AMDV1_NL_DEFAULT 0 /* leaf of the level's default page size */
#define AMDV1_NL_SIZE 7    /* leaf whose size is encoded in the address */

/* Spec level 6 (our 5) only ever points to tables; the page sizes of the
 * spec's "Page Table Level Parameters" table stop at level 5 (Linux
 * generic_pt amdv1 says the same: the top level cannot hold translations). */
#define AMDV1_TOP_LEVEL 5

/* The highest level the mapper puts pages at: spec level 3 (1 GiB default
 * pages, NextLevel=7 pages up to 256 GiB).  Higher levels may hold pages
 * architecturally (spec level 4: 512 GiB, NextLevel=7 1..128 TiB; level 5:
 * 256 TiB, NextLevel=7 from 512 TiB) and the walker decodes them, but Linux
 * never maps 512 GiB pages because of a hardware erratum (amd_iommu_types.h,
 * AMD_IOMMU_PGSIZES), and without the level's default page a partly unmapped
 * NextLevel=7 run there could not be split by the generic mapper (it splits
 * a run into single default pages first). */
#define AMDV1_MAP_MAX_LEVEL 2

static unsigned default_shift(unsigned level)
{
	return 12 + 9 * level;
}

/* Size of a NextLevel=7 page: 2^(z+1), z the lowest clear bit of the
 * address field PTE[51:12] (bit 12 clear = 8 KiB; spec 2.2.3, "Example Page
 * Size Encodings").  Bits above 51 are not address bits and count as clear,
 * so an all-ones field gives z = 52. */
static unsigned nl7_size_shift(uint64_t pte)
{
	uint64_t field = (pte & AMDV1_ADDR_MASK) >> 12;

	return 12 + (unsigned)__builtin_ctzll(~field) + 1;
}

static uint32_t rights(uint64_t pte)
{
	uint32_t p = 0;

	/* v1 has neither a privilege nor an execute distinction: IR grants
	 * reads and fetches at both privileges, IW writes at both. */
	if (pte & AMDV1_IR)
		p |= IMS_PT_PR | IMS_PT_UR | IMS_PT_PX | IMS_PT_UX;
	if (pte & AMDV1_IW)
		p |= IMS_PT_PW | IMS_PT_UW;
	return p;
}

static void amdv1_decode(const struct ims_pt_fmt *f, unsigned level, uint64_t pte,
			 struct ims_pt_entry *e)
{
	unsigned nl = (unsigned)((pte & AMDV1_NL_MASK) >> AMDV1_NL_SHIFT);
	unsigned d = default_shift(level);

	memset(e, 0, sizeof(*e));
	e->type = IMS_PTE_INVALID;
	e->fault = IMS_PT_OK;
	if (!(pte & AMDV1_PR))
		return;

	e->perms = rights(pte);
	e->addr = pte & AMDV1_ADDR_MASK;
	if (nl == AMDV1_NL_DEFAULT || nl == AMDV1_NL_SIZE) {
		e->type = IMS_PTE_LEAF;
		if (pte & AMDV1_PTE_RSVD) {
			e->fault = IMS_PT_FAULT_RESERVED;
			return;
		}
		if (level >= AMDV1_TOP_LEVEL) {
			e->fault = IMS_PT_FAULT_LEVEL;
			return;
		}
		if (nl == AMDV1_NL_DEFAULT) {
			e->size_shift = d;
		} else {
			/* The encoded size must lie strictly between this
			 * level's default page and the next level's (2.2.3;
			 * VirtualBox raises IO_PAGE_FAULT otherwise). */
			unsigned s = nl7_size_shift(pte);

			if (s <= d || s >= d + 9) {
				e->fault = IMS_PT_FAULT_LEVEL;
				return;
			}
			e->size_shift = s;
			/* The low address bits are the size encoding. */
			e->addr &= ~((1ull << s) - 1);
		}
		e->run_shift = e->size_shift;
	} else {
		e->type = IMS_PTE_TABLE;
		if (pte & AMDV1_PDE_RSVD) {
			e->fault = IMS_PT_FAULT_RESERVED;
			return;
		}
		/* NextLevel must name a lower level than the PDE's own (spec
		 * level level+1); equal or higher is an illegal level encoding. */
		if (nl > level) {
			e->fault = IMS_PT_FAULT_LEVEL;
			return;
		}
		e->next_level = nl - 1;
	}
	/* Address bits at or above the implemented physical address width:
	 * AMD-Vi has no address-size fault of its own, and x86 treats bits
	 * above the physical width as reserved, so this is an RZ fault. */
	if (f->oas < 64 && (e->addr >> f->oas) != 0)
		e->fault = IMS_PT_FAULT_RESERVED;
}

static enum ims_pt_fault amdv1_access(const struct ims_pt_fmt *f, unsigned level, bool leaf,
				      uint64_t pte, unsigned access, uint32_t *perms,
				      uint64_t *new_pte)
{
	uint64_t n = pte;

	/* DTE.HAD: the IOMMU sets A in every PDE and PTE it uses and D in the
	 * PTE of a write (2.2.3; §2 HAD).  Only the entry actually read is
	 * updated, not the other copies of a NextLevel=7 page. */
	if (f->flags & IMS_PT_F_AD) {
		n |= AMDV1_A;
		if (leaf && (access & IMS_PT_ACC_W))
			n |= AMDV1_D;
	}
	*new_pte = n;
	return IMS_PT_OK;
}

static uint64_t amdv1_make_table(const struct ims_pt_fmt *f, unsigned level,
				 unsigned next_level, uint64_t table)
{
	/* IR/IW are ANDed down the walk; tables grant both and leaves decide. */
	return AMDV1_PR | AMDV1_IR | AMDV1_IW |
	       ((uint64_t)(next_level + 1) << AMDV1_NL_SHIFT) | (table & AMDV1_ADDR_MASK);
}

static uint64_t amdv1_make_leaf(const struct ims_pt_fmt *f, unsigned level, unsigned size_shift,
				uint64_t oa, unsigned prot)
{
	uint64_t pte = AMDV1_PR;

	if (prot & IMS_PT_PROT_R)
		pte |= AMDV1_IR;
	if (prot & IMS_PT_PROT_W)
		pte |= AMDV1_IW;
	if (size_shift <= default_shift(level)) {
		pte |= (uint64_t)AMDV1_NL_DEFAULT << AMDV1_NL_SHIFT;
		pte |= oa & AMDV1_ADDR_MASK;
	} else {
		/* NextLevel=7: every slot holds the same value, the page's
		 * aligned address with bits [s-2:12] set and bit s-1 clear, so
		 * the lowest clear bit z = s-1 gives size 2^(z+1) = 2^s. */
		uint64_t size = 1ull << size_shift;

		pte |= (uint64_t)AMDV1_NL_SIZE << AMDV1_NL_SHIFT;
		pte |= ((oa & ~(size - 1)) | ((size >> 1) - 1)) & AMDV1_ADDR_MASK;
	}
	return pte;
}

static unsigned amdv1_leaf_prot(const struct ims_pt_fmt *f, unsigned level, uint64_t pte)
{
	unsigned prot = 0;

	if (pte & AMDV1_IR)
		prot |= IMS_PT_PROT_R;
	if (pte & AMDV1_IW)
		prot |= IMS_PT_PROT_W;
	return prot;
}

/* " size=32K" for a NextLevel=7 page (binary units). */
static void size_str(unsigned shift, char *buf, size_t n)
{
	static const char units[] = "KMGTPE";
	unsigned u = (shift - 10) / 10;

	if (shift < 10 || u >= sizeof(units) - 1)
		snprintf(buf, n, " size=2^%u", shift);
	else
		snprintf(buf, n, " size=%u%c", 1u << (shift - 10 - 10 * u), units[u]);
}

static int amdv1_describe(const struct ims_pt_fmt *f, unsigned level, uint64_t pte, char *buf,
			  size_t n)
{
	unsigned nl = (unsigned)((pte & AMDV1_NL_MASK) >> AMDV1_NL_SHIFT);
	bool leaf = nl == AMDV1_NL_DEFAULT || nl == AMDV1_NL_SIZE;
	char size[24] = "";

	if (!(pte & AMDV1_PR))
		return snprintf(buf, n, "not present");
	if (nl == AMDV1_NL_SIZE)
		size_str(nl7_size_shift(pte), size, sizeof(size));
	return snprintf(buf, n, "PR%s%s%s%s%s%s NextLevel=%u%s addr=0x%" PRIx64,
			(pte & AMDV1_IR) ? " IR" : "", (pte & AMDV1_IW) ? " IW" : "",
			(pte & AMDV1_A) ? " A" : "", (leaf && (pte & AMDV1_D)) ? " D" : "",
			(leaf && (pte & AMDV1_U)) ? " U" : "",
			(leaf && (pte & AMDV1_FC)) ? " FC" : "", nl, size, (uint64_t)(pte & AMDV1_ADDR_MASK));
}

static const struct ims_pt_ops amdv1_ops = {
	.decode = amdv1_decode,
	.access = amdv1_access,
	.make_table = amdv1_make_table,
	.make_leaf = amdv1_make_leaf,
	.leaf_prot = amdv1_leaf_prot,
	.describe = amdv1_describe,
};

int ims_pt_fmt_amdv1(struct ims_pt_fmt *f, const struct ims_pt_amdv1_cfg *c)
{
	static const char *const names[IMS_PT_MAX_LEVELS] = { "L1", "L2", "L3", "L4", "L5", "L6" };

	if (!f || !c)
		return -EINVAL;
	/* DTE Mode 0 is "no translation" and 7 is reserved: neither has a
	 * table (§2).  Only HAD (IMS_PT_F_AD) is a v1 option. */
	if (c->mode < 1 || c->mode > 6 || c->oas < 32 || c->oas > 52 ||
	    (c->flags & ~IMS_PT_F_AD))
		return -EINVAL;

	memset(f, 0, sizeof(*f));
	f->kind = IMS_PT_AMD_V1;
	f->ops = &amdv1_ops;
	snprintf(f->name, sizeof(f->name), "AMD-Vi v1 mode %u", c->mode);
	f->top_level = c->mode - 1;
	f->ias = c->mode == 6 ? 64 : 12 + 9 * c->mode;
	f->oas = c->oas;
	f->granule_shift = 12;
	f->flags = c->flags;
	for (unsigned l = 0; l < IMS_PT_MAX_LEVELS; l++) {
		unsigned d = default_shift(l);

		f->shift[l] = d;
		f->bits[l] = l == AMDV1_TOP_LEVEL ? 7 : 9;
		f->level_name[l] = names[l];
		if (l > f->top_level || l > AMDV1_MAP_MAX_LEVEL)
			continue;
		/* The default page (NextLevel=0) and the NextLevel=7 pages
		 * strictly between it and the next level's default, no larger
		 * than the output address space. */
		f->leaf_shifts[l] |= 1ull << d;
		for (unsigned s = d + 1; s < d + 9 && s <= c->oas; s++)
			f->leaf_shifts[l] |= 1ull << s;
	}
	return 0;
}
