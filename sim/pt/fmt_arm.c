/* SPDX-License-Identifier: MIT */
/*
 * Arm VMSAv8-64 translation tables as an SMMUv3 walks them: stage 1 (CD
 * TTB0/TTB1) and stage 2 (STE S2TTB), 4K/16K/64K granules.  Digest:
 * shared/spec/smmuv3.md §4; architecture: Arm ARM D8 (VMSAv8-64) and its
 * pseudocode (AArch64.S1DirectBasePermissions, AArch64.S2InconsistentSL,
 * AArch64.S2InvalidSL, AArch64.BlockDescSupported, AArch64.ContiguousSize);
 * IHI0070 §3.4, §5.2 (S2SL0, S2T0SZ), §5.4 (CD fields).
 *
 * Levels: our level L is Arm level 3-L.  With g = granule bits (12, 14, 16)
 * and stride = g-3, our level L indexes input bits [g+stride*(L+1)-1 :
 * g+stride*L]; the root indexes whatever the input size leaves for it.
 *
 * Descriptor (bits[1:0]: x0 invalid; 01 block; 11 table at Arm levels 0-2,
 * page at Arm level 3; 01 at level 3 is reserved, i.e. invalid):
 *   table:  47:g next-level table, 59 PXNTable, 60 UXNTable (XNTable),
 *           62:61 APTable, 63 NSTable (stage 1 only; RES0 at stage 2)
 *   leaf:   4:2 AttrIndx, 5 NS, 7:6 AP[2:1], 9:8 SH, 10 AF, 11 nG,
 *           47:n output address, 51 DBM, 52 Contiguous, 53 PXN, 54 UXN/XN
 *   stage-2 leaf: 5:2 MemAttr, 7:6 S2AP, 9:8 SH, 10 AF, 51 DBM, 52 Cont,
 *           54 XN (54:53 XN[1:0] with IDR3.XNX)
 *   64K granule with a 52-bit output (FEAT_LPA): OA[51:48] in bits 15:12.
 *
 * What this model accepts (documented choices, see ims_pt_fmt_arm()):
 *   - Input size 25..48 bits (4K/16K) or 25..52 (64K: FEAT_LVA / 52-bit IPA),
 *     down to 16 (4K/16K) or 17 (64K) with IDR3.STT.  Callers check their
 *     own IDR limits (IDR5.VAX, IAS, PAMax).
 *   - Output size: an OAS encoding width (32, 36, 40, 42, 44, 48, 52).  With
 *     4K/16K granules and no LPA2 (DS=0) a 52-bit IPS/S2PS acts as 48
 *     (Arm ARM: "PS=52 with DS=0 is treated as 48"), so f->oas is 48 then.
 *   - Blocks: 4K at Arm levels 1 and 2; 16K at level 2; 64K at level 2, and
 *     at level 1 only when the output size is 52 bits (the architecture keys
 *     this on PAMax >= 52, which we only know through the configured OAS).
 *     Level-0 (4K) and level-1 (16K) blocks need DS and are invalid here.
 *   - Output-address bits 49:48 of a 4K/16K descriptor are RES0 and ignored
 *     (as QEMU does); bits 15:12 of a 64K descriptor are ignored unless the
 *     output size is 52.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/pt.h"

#define ARM_VALID (1ull << 0)
#define ARM_TYPE (1ull << 1)     /* 1: table (Arm level 0-2) or page (level 3) */
#define ARM_ATTRINDX_SHIFT 2     /* S1 AttrIndx[2:0] / S2 MemAttr[3:0] at 2 */
#define ARM_NS (1ull << 5)
#define ARM_AP1 (1ull << 6)      /* S1 AP[1]: EL0 access; S2 S2AP[0]: read */
#define ARM_AP2 (1ull << 7)      /* S1 AP[2]: read-only;  S2 S2AP[1]: write */
#define ARM_SH_SHIFT 8
#define ARM_SH_INNER (3ull << ARM_SH_SHIFT)
#define ARM_AF (1ull << 10)
#define ARM_NG (1ull << 11)
#define ARM_DBM (1ull << 51)
#define ARM_CONT (1ull << 52)
#define ARM_PXN (1ull << 53)     /* S2 with XNX: XN[0] */
#define ARM_UXN (1ull << 54)     /* S1 UXN (XN in one-privilege regimes); S2 XN[1] */
#define ARM_PXNTABLE (1ull << 59)
#define ARM_UXNTABLE (1ull << 60)
#define ARM_APTABLE0 (1ull << 61) /* no EL0 access below */
#define ARM_APTABLE1 (1ull << 62) /* no write access below */
#define ARM_NSTABLE (1ull << 63)
#define ARM_LPA_HI_SHIFT 12       /* 64K + 52-bit OA: OA[51:48] in bits 15:12 */
#define ARM_S2_MEMATTR_WB (0xfull << ARM_ATTRINDX_SHIFT) /* Normal, Inner/Outer WB */

#define ARM_S1_FLAGS                                                                  \
	(IMS_PT_F_TTB1 | IMS_PT_F_TBI | IMS_PT_F_AD | IMS_PT_F_HD | IMS_PT_F_AFFD |   \
	 IMS_PT_F_PAN | IMS_PT_F_WXN | IMS_PT_F_ONE_PRIV | IMS_PT_F_HADX)
#define ARM_S2_FLAGS (IMS_PT_F_AD | IMS_PT_F_HD | IMS_PT_F_AFFD | IMS_PT_F_XNX)

#define ARM_P_RIGHTS (IMS_PT_PR | IMS_PT_PW | IMS_PT_PX)
#define ARM_U_RIGHTS (IMS_PT_UR | IMS_PT_UW | IMS_PT_UX)
#define ARM_W_RIGHTS (IMS_PT_PW | IMS_PT_UW)

/* Bits hi:lo set (hi >= lo, both < 64). */
static uint64_t bits_mask(unsigned hi, unsigned lo)
{
	uint64_t upto = hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1;
	return upto & ~((1ull << lo) - 1);
}

static bool is_s2(const struct ims_pt_fmt *f)
{
	return f->kind == IMS_PT_ARM_S2;
}

static bool one_priv(const struct ims_pt_fmt *f)
{
	return !is_s2(f) && (f->flags & IMS_PT_F_ONE_PRIV);
}

/* 64K granule with a 52-bit output: OA[51:48] live in bits 15:12 (FEAT_LPA). */
static bool lpa(const struct ims_pt_fmt *f)
{
	return f->granule_shift == 16 && f->oas == 52;
}

/* Output (or next-table) address of a descriptor, aligned to 2^lo. */
static uint64_t desc_addr(const struct ims_pt_fmt *f, uint64_t pte, unsigned lo)
{
	uint64_t a = pte & bits_mask(47, lo);

	if (lpa(f))
		a |= ((pte >> ARM_LPA_HI_SHIFT) & 0xf) << 48;
	return a;
}

static uint64_t encode_addr(const struct ims_pt_fmt *f, uint64_t addr, unsigned lo)
{
	uint64_t pte = addr & bits_mask(47, lo);

	if (lpa(f))
		pte |= ((addr >> 48) & 0xf) << ARM_LPA_HI_SHIFT;
	return pte;
}

/* Whether a block descriptor (type 01) is valid at our `level` above the page
 * level (AArch64.BlockDescSupported with DS=0; digest §4 "Block sizes"). */
static bool block_ok(const struct ims_pt_fmt *f, unsigned level)
{
	switch (f->granule_shift) {
	case 12:
		return level == 1 || level == 2; /* Arm L2 2 MiB, L1 1 GiB */
	case 14:
		return level == 1;               /* Arm L2 32 MiB */
	default:
		return level == 1 || (level == 2 && f->oas == 52); /* 512 MiB; 4 TiB */
	}
}

/* log2 of the entries of a contiguous run (AArch64.ContiguousSize; digest
 * §4: 4K 16; 16K 128 at level 3, 32 at level 2; 64K 32). */
static unsigned cont_log2(const struct ims_pt_fmt *f, unsigned level)
{
	switch (f->granule_shift) {
	case 12:
		return 4;
	case 14:
		return level == 0 ? 7 : 5;
	default:
		return 5;
	}
}

/* A contiguous run must lie inside one table; at a root narrower than the
 * run the hint cannot be honoured (a misprogramming the architecture leaves
 * CONSTRAINED UNPREDICTABLE) and we ignore it. */
static bool cont_fits(const struct ims_pt_fmt *f, unsigned level)
{
	return cont_log2(f, level) <= f->bits[level];
}

/* Hardware dirty state: HD only acts together with HA (IHI0070 §5.4 "HA = 0
 * with HD = 1 behaves as off"); the constructor drops HD without AD. */
static bool dbm_active(const struct ims_pt_fmt *f, uint64_t pte)
{
	return (f->flags & IMS_PT_F_HD) && (pte & ARM_DBM);
}

/* Still "writable-clean": the descriptor does not grant write yet. */
static bool dbm_clean(const struct ims_pt_fmt *f, uint64_t pte)
{
	return is_s2(f) ? !(pte & ARM_AP2) : (pte & ARM_AP2);
}

/* Rights a stage-1 table descriptor leaves to the levels below (Arm ARM
 * AArch64.S1DirectBasePermissions, "hierarchical permissions"; digest §4):
 * APTable[0] removes EL0 data access, APTable[1] removes write, UXNTable and
 * PXNTable remove execution.  CD.HADx ignores them all.  One-privilege
 * regimes only have APTable[1] and XNTable. */
static uint32_t s1_table_perms(const struct ims_pt_fmt *f, uint64_t pte)
{
	uint32_t p = IMS_PT_PERM_ALL;

	if (f->flags & IMS_PT_F_HADX)
		return p;
	if (one_priv(f)) {
		if (pte & ARM_APTABLE1)
			p &= ~ARM_W_RIGHTS;
		if (pte & ARM_UXNTABLE)
			p &= ~(IMS_PT_PX | IMS_PT_UX);
		return p;
	}
	if (pte & ARM_APTABLE0)
		p &= ~(IMS_PT_UR | IMS_PT_UW);
	if (pte & ARM_APTABLE1)
		p &= ~ARM_W_RIGHTS;
	if (pte & ARM_UXNTABLE)
		p &= ~IMS_PT_UX;
	if (pte & ARM_PXNTABLE)
		p &= ~IMS_PT_PX;
	return p;
}

/* Rights of a stage-1 page or block by itself (digest §4 "Stage-1
 * permissions"):  AP[2:1] 00 EL1 RW; 01 EL1 and EL0 RW; 10 EL1 RO; 11 EL1
 * and EL0 RO.  Privileged reads are always allowed.  Execution is checked
 * by UXN/PXN only, not by read permission (instruction fetches are checked
 * against XN, Arm ARM S1CheckPermissions), so AP=00 with UXN=0 is
 * execute-only at EL0.  The rules that depend on the rights of the whole
 * walk (EL0-writable implies PXN, WXN, PAN) are applied in arm_access().
 * With HA+HD a DBM descriptor is granted write here, so that APTable can
 * still take it away; arm_access() drops it again for accesses that do not
 * write (Arm ARM AArch64.S1ApplyOutputPerms clears AP[2] only for writes). */
static uint32_t s1_leaf_perms(const struct ims_pt_fmt *f, uint64_t pte)
{
	bool ro = (pte & ARM_AP2) && !dbm_active(f, pte);
	uint32_t p;

	if (one_priv(f)) {
		/* One privilege level: only AP[2] counts, and bit 54 is XN.
		 * There is no EL0 side, so P and U rights go together. */
		p = IMS_PT_PR | IMS_PT_UR;
		if (!ro)
			p |= ARM_W_RIGHTS;
		if (!(pte & ARM_UXN))
			p |= IMS_PT_PX | IMS_PT_UX;
		return p;
	}
	p = IMS_PT_PR;
	if (!ro)
		p |= IMS_PT_PW;
	if (pte & ARM_AP1) {
		p |= IMS_PT_UR;
		if (!ro)
			p |= IMS_PT_UW;
	}
	if (!(pte & ARM_PXN))
		p |= IMS_PT_PX;
	if (!(pte & ARM_UXN))
		p |= IMS_PT_UX;
	return p;
}

/* Rights of a stage-2 page or block (digest §4 "Stage-2 permissions";
 * AArch64.S2DirectBasePermissions): S2AP[0] read, S2AP[1] write, for both
 * privilege levels; XN[1] (bit 54) forbids execution; with IDR3.XNX,
 * XN[1:0] = 00 all, 01 not at EL1, 10 none, 11 not at EL0.  Execution does
 * not need S2 read. */
static uint32_t s2_leaf_perms(const struct ims_pt_fmt *f, uint64_t pte)
{
	bool xn1 = pte & ARM_UXN;
	bool xn0 = (f->flags & IMS_PT_F_XNX) && (pte & ARM_PXN);
	uint32_t p = 0;

	if (pte & ARM_AP1)
		p |= IMS_PT_PR | IMS_PT_UR;
	if ((pte & ARM_AP2) || dbm_active(f, pte))
		p |= ARM_W_RIGHTS;
	if (!xn1 && !xn0)
		p |= IMS_PT_PX | IMS_PT_UX;
	else if (!xn1 && xn0)
		p |= IMS_PT_UX;
	else if (xn1 && xn0)
		p |= IMS_PT_PX;
	return p;
}

static void arm_decode(const struct ims_pt_fmt *f, unsigned level, uint64_t pte,
		       struct ims_pt_entry *e)
{
	unsigned shift = f->shift[level];
	bool table;

	memset(e, 0, sizeof(*e));
	e->type = IMS_PTE_INVALID;
	e->fault = IMS_PT_OK;
	if (!(pte & ARM_VALID))
		return;
	if (level == 0) {
		/* 01 at level 3 is reserved: a translation fault. */
		if (!(pte & ARM_TYPE))
			return;
		table = false;
	} else {
		table = pte & ARM_TYPE;
		/* A block where the granule allows none is invalid. */
		if (!table && !block_ok(f, level))
			return;
	}

	if (table) {
		e->type = IMS_PTE_TABLE;
		e->addr = desc_addr(f, pte, f->granule_shift);
		e->next_level = level - 1;
		e->perms = is_s2(f) ? IMS_PT_PERM_ALL : s1_table_perms(f, pte);
	} else {
		e->type = IMS_PTE_LEAF;
		e->addr = desc_addr(f, pte, shift);
		e->size_shift = e->run_shift = shift;
		if ((pte & ARM_CONT) && cont_fits(f, level))
			e->run_shift = shift + cont_log2(f, level);
		e->perms = is_s2(f) ? s2_leaf_perms(f, pte) : s1_leaf_perms(f, pte);
	}
	/* Table or output address above the effective IPS/S2PS: Address size
	 * fault at this level (digest §4 "Check order" step 2). */
	if (e->addr >> f->oas)
		e->fault = IMS_PT_FAULT_ADDR_SIZE;
}

/* The access flag, hardware dirty state, and the stage-1 rules that depend
 * on the rights of the whole walk.  Only the leaf matters: table AF (HAFT)
 * is not modelled. */
static enum ims_pt_fault arm_access(const struct ims_pt_fmt *f, unsigned level, bool leaf,
				    uint64_t pte, unsigned access, uint32_t *perms,
				    uint64_t *new_pte)
{
	uint64_t n = pte;

	*new_pte = pte;
	if (!leaf)
		return IMS_PT_OK;

	/* AF=0: HA sets it; else AFFD treats it as 1; else Access flag fault,
	 * which takes priority over a permission fault (digest §4 step 3). */
	if (!(pte & ARM_AF)) {
		if (f->flags & IMS_PT_F_AD)
			n |= ARM_AF;
		else if (!(f->flags & IMS_PT_F_AFFD))
			return IMS_PT_FAULT_ACCESS_FLAG;
	}

	/* HD with DBM: a write to a writable-clean page makes it dirty (S1
	 * clears AP[2], S2 sets S2AP[1]) instead of faulting; decode granted
	 * the write rights for it.  Other accesses see the page as it is. */
	if (dbm_active(f, pte) && dbm_clean(f, pte)) {
		if (access & IMS_PT_ACC_W)
			n = is_s2(f) ? (n | ARM_AP2) : (n & ~ARM_AP2);
		else
			*perms &= ~ARM_W_RIGHTS;
	}

	if (!is_s2(f)) {
		uint32_t p = *perms;

		if (one_priv(f)) {
			/* WXN: a writable location is execute-never. */
			if ((f->flags & IMS_PT_F_WXN) && (p & IMS_PT_PW))
				p &= ~(IMS_PT_PX | IMS_PT_UX);
		} else {
			/* A location writable at EL0 (after APTable) is PXN
			 * (AArch64.S1DirectBasePermissions). */
			if (p & IMS_PT_UW)
				p &= ~IMS_PT_PX;
			/* WXN, per privilege: writable there means no execution
			 * there. */
			if (f->flags & IMS_PT_F_WXN) {
				if (p & IMS_PT_PW)
					p &= ~IMS_PT_PX;
				if (p & IMS_PT_UW)
					p &= ~IMS_PT_UX;
			}
			/* PAN: privileged data accesses to a location EL0 can
			 * read or write fault (instruction fetches are not
			 * affected; EPAN is not modelled). */
			if ((f->flags & IMS_PT_F_PAN) && (p & (IMS_PT_UR | IMS_PT_UW)))
				p &= ~(IMS_PT_PR | IMS_PT_PW);
		}
		*perms = p;
	}
	*new_pte = n;
	return IMS_PT_OK;
}

static uint64_t arm_make_table(const struct ims_pt_fmt *f, unsigned level, unsigned next_level,
			       uint64_t table)
{
	/* No APTable/XNTable restrictions: the most permissive table. */
	return encode_addr(f, table, f->granule_shift) | ARM_TYPE | ARM_VALID;
}

static uint64_t arm_make_leaf(const struct ims_pt_fmt *f, unsigned level, unsigned size_shift,
			      uint64_t oa, unsigned prot)
{
	uint64_t pte = encode_addr(f, oa, f->shift[level]) | ARM_VALID | ARM_AF | ARM_SH_INNER;

	if (level == 0)
		pte |= ARM_TYPE; /* page; blocks are 01 */
	if (size_shift > f->shift[level])
		pte |= ARM_CONT;
	if (is_s2(f)) {
		pte |= ARM_S2_MEMATTR_WB;
		if (prot & IMS_PT_PROT_R)
			pte |= ARM_AP1;
		if (prot & IMS_PT_PROT_W)
			pte |= ARM_AP2;
		if (prot & IMS_PT_PROT_NOEXEC)
			pte |= ARM_UXN; /* XN[1:0] = 10: no execution at all */
		return pte;
	}
	/* Stage 1 cannot forbid privileged reads: R is implied.  AttrIndx 0. */
	if (!(prot & IMS_PT_PROT_W))
		pte |= ARM_AP2;
	if (one_priv(f)) {
		pte |= ARM_AP1; /* RES1 in one-privilege regimes */
		if (prot & IMS_PT_PROT_NOEXEC)
			pte |= ARM_UXN;
		return pte;
	}
	if (!(prot & IMS_PT_PROT_PRIV))
		pte |= ARM_AP1;
	if (prot & IMS_PT_PROT_NOEXEC)
		pte |= ARM_UXN | ARM_PXN;
	return pte;
}

static unsigned arm_leaf_prot(const struct ims_pt_fmt *f, unsigned level, uint64_t pte)
{
	unsigned prot = 0;

	if (is_s2(f)) {
		if (pte & ARM_AP1)
			prot |= IMS_PT_PROT_R;
		if (pte & ARM_AP2)
			prot |= IMS_PT_PROT_W;
		if ((pte & ARM_UXN) || ((f->flags & IMS_PT_F_XNX) && (pte & ARM_PXN)))
			prot |= IMS_PT_PROT_NOEXEC;
		return prot;
	}
	prot = IMS_PT_PROT_R;
	if (!(pte & ARM_AP2))
		prot |= IMS_PT_PROT_W;
	if (one_priv(f)) {
		if (pte & ARM_UXN)
			prot |= IMS_PT_PROT_NOEXEC;
		return prot;
	}
	if (!(pte & ARM_AP1))
		prot |= IMS_PT_PROT_PRIV;
	/* Either XN bit makes the whole mapping no-exec: splitting a leaf must
	 * never grant more than it had. */
	if (pte & (ARM_UXN | ARM_PXN))
		prot |= IMS_PT_PROT_NOEXEC;
	return prot;
}

static int arm_describe(const struct ims_pt_fmt *f, unsigned level, uint64_t pte, char *buf,
			size_t n)
{
	size_t len = 0;
	int r;

	if (!n)
		return 0;
	buf[0] = 0;
#define ARM_PUT(...)                                                              \
	do {                                                                      \
		r = snprintf(buf + len, n - len, __VA_ARGS__);                    \
		if (r < 0 || (size_t)r >= n - len)                                \
			return (int)(len + (r < 0 ? 0 : (size_t)r));              \
		len += (size_t)r;                                                 \
	} while (0)
	if (!(pte & ARM_VALID))
		return snprintf(buf, n, "invalid");
	if (level == 0 && !(pte & ARM_TYPE))
		return snprintf(buf, n, "reserved (01 at level 3)");
	if (level > 0 && (pte & ARM_TYPE)) {
		uint64_t apt = (pte >> 61) & 3;

		ARM_PUT("table");
		if (!is_s2(f)) {
			if (apt)
				ARM_PUT(" APTable=%" PRIu64 "%" PRIu64, apt >> 1, apt & 1);
			if (pte & ARM_UXNTABLE)
				ARM_PUT(one_priv(f) ? " XNTable" : " UXNTable");
			if (pte & ARM_PXNTABLE)
				ARM_PUT(" PXNTable");
			if (pte & ARM_NSTABLE)
				ARM_PUT(" NSTable");
		}
		ARM_PUT(" next=0x%" PRIx64, desc_addr(f, pte, f->granule_shift));
		return (int)len;
	}
	if (level > 0 && !block_ok(f, level))
		return snprintf(buf, n, "invalid (block not allowed at level %u)", 3 - level);

	ARM_PUT("%s", level == 0 ? "page" : "block");
	if (is_s2(f)) {
		unsigned xn = (unsigned)((pte >> 53) & 3);
		ARM_PUT(" S2AP=%u%u MemAttr=0x%x", (unsigned)((pte >> 7) & 1),
			(unsigned)((pte >> 6) & 1), (unsigned)((pte >> 2) & 0xf));
		if (f->flags & IMS_PT_F_XNX)
			ARM_PUT(" XN=%u%u", xn >> 1, xn & 1);
		else if (pte & ARM_UXN)
			ARM_PUT(" XN");
	} else {
		ARM_PUT(" AP=%u%u AttrIndx=%u", (unsigned)((pte >> 7) & 1),
			(unsigned)((pte >> 6) & 1), (unsigned)((pte >> 2) & 7));
		if (pte & ARM_NS)
			ARM_PUT(" NS");
		if (pte & ARM_NG)
			ARM_PUT(" nG");
		if (one_priv(f)) {
			if (pte & ARM_UXN)
				ARM_PUT(" XN");
		} else {
			if (pte & ARM_PXN)
				ARM_PUT(" PXN");
			if (pte & ARM_UXN)
				ARM_PUT(" UXN");
		}
	}
	ARM_PUT(" SH=%u", (unsigned)((pte >> ARM_SH_SHIFT) & 3));
	if (pte & ARM_AF)
		ARM_PUT(" AF");
	if (pte & ARM_DBM)
		ARM_PUT(" DBM");
	if (pte & ARM_CONT)
		ARM_PUT(" Cont");
	ARM_PUT(" OA=0x%" PRIx64, desc_addr(f, pte, f->shift[level]));
#undef ARM_PUT
	return (int)len;
}

static const struct ims_pt_ops arm_ops = {
	.decode = arm_decode,
	.access = arm_access,
	.make_table = arm_make_table,
	.make_leaf = arm_make_leaf,
	.leaf_prot = arm_leaf_prot,
	.describe = arm_describe,
};

/* Stage-2 start level (Arm level) from S2SL0 with DS=0 (digest §4 table;
 * AArch64.S2StartLevel and AArch64.S2InvalidSL), or -1 if not allowed.
 * The PAMax conditions of S2InvalidSL (SL0=2 needs PAMax >= 42/44) are left
 * to the caller, which knows IDR5.OAS. */
static int s2_start_level(unsigned g, unsigned sl0, bool stt)
{
	if (sl0 > 3)
		return -1;
	if (g == 12) {
		if (sl0 == 3)
			return stt ? 3 : -1; /* IDR3.STT (FEAT_TTST) */
		return 2 - (int)sl0;
	}
	if (sl0 == 3)
		return -1; /* 16K: level 0 needs DS; 64K: reserved */
	return 3 - (int)sl0;
}

static bool oas_ok(unsigned oas)
{
	/* IDR5.OAS / CD.IPS / STE.S2PS encodings (digest §1). */
	return oas == 32 || oas == 36 || oas == 40 || oas == 42 || oas == 44 || oas == 48 ||
	       oas == 52;
}

int ims_pt_fmt_arm(struct ims_pt_fmt *f, const struct ims_pt_arm_cfg *c)
{
	static const char *const names[] = { "level 3", "level 2", "level 1", "level 0" };
	unsigned g, stride, ia, min_ia, max_ia, top, root_bits, allowed;
	int start;

	if (!f || !c)
		return -EINVAL;
	g = c->granule_shift;
	if (g != 12 && g != 14 && g != 16)
		return -EINVAL;
	if (c->stage != 1 && c->stage != 2)
		return -EINVAL;
	if (!oas_ok(c->oas))
		return -EINVAL;
	allowed = c->stage == 1 ? ARM_S1_FLAGS : ARM_S2_FLAGS;
	if (c->flags & ~allowed)
		return -EINVAL;
	/* One-privilege regimes (EL2 without E2H, EL3) have TTB0 only. */
	if ((c->flags & IMS_PT_F_TTB1) && (c->flags & IMS_PT_F_ONE_PRIV))
		return -EINVAL;

	/* Input size: TxSZ 16..39, 12 for 64K (52-bit VA/IPA), up to 48 (47
	 * for 64K) with IDR3.STT (IHI0070 §5.2 S2T0SZ, §5.4 TxSZ; Arm ARM
	 * AArch64.MaxTxSZ). */
	if (c->tsz >= 64)
		return -EINVAL;
	ia = 64 - c->tsz;
	stride = g - 3;
	max_ia = g == 16 ? 52 : 48;
	min_ia = c->stt ? (g == 16 ? 17 : 16) : 25;
	if (ia < min_ia || ia > max_ia)
		return -EINVAL;

	if (c->stage == 1) {
		/* Start level = 4 - floor((IA - 4) / stride) (digest §4). */
		start = 4 - (int)((ia - 4) / stride);
	} else {
		start = s2_start_level(g, c->sl0, c->stt);
		if (start < 0)
			return -EINVAL;
	}
	top = 3 - (unsigned)start;
	/* The start level must resolve at least one bit, and at most a full
	 * table plus up to 16 concatenated tables at stage 2
	 * (AArch64.S2InconsistentSL: IA in [shift+1, shift+stride+4]).  An
	 * inconsistent S2SL0/S2T0SZ is an ILLEGAL STE (C_BAD_STE).  Stage 1
	 * always lands inside [1, stride] by the start-level formula. */
	if (ia <= g + stride * top)
		return -EINVAL;
	root_bits = ia - (g + stride * top);
	if (root_bits > stride + (c->stage == 2 ? 4 : 0))
		return -EINVAL;

	memset(f, 0, sizeof(*f));
	f->kind = c->stage == 1 ? IMS_PT_ARM_S1 : IMS_PT_ARM_S2;
	f->ops = &arm_ops;
	f->top_level = top;
	f->granule_shift = g;
	f->ias = ia;
	/* DS=0: a 52-bit PS with 4K/16K is treated as 48 bits. */
	f->oas = (g != 16 && c->oas > 48) ? 48 : c->oas;
	f->flags = c->flags;
	if (!(f->flags & IMS_PT_F_AD))
		f->flags &= ~IMS_PT_F_HD; /* HD acts only with HA */
	for (unsigned l = 0; l <= top; l++) {
		f->shift[l] = g + stride * l;
		f->bits[l] = l == top ? root_bits : stride;
		f->level_name[l] = names[l];
	}
	for (unsigned l = 0; l <= top; l++) {
		if (l > 0 && !block_ok(f, l))
			continue;
		f->leaf_shifts[l] = 1ull << f->shift[l];
		if (cont_fits(f, l))
			f->leaf_shifts[l] |= 1ull << (f->shift[l] + cont_log2(f, l));
	}
	{
		const char *gname = g == 12 ? "4K" : g == 14 ? "16K" : "64K";
		/* Small casts keep the printed widths provably short. */
		unsigned char ia8 = (unsigned char)ia, sl8 = (unsigned char)start;
		unsigned char ncat = (unsigned char)(1u << ((root_bits - stride) & 7));

		if (c->stage == 1)
			snprintf(f->name, sizeof(f->name), "VMSAv8-64 S1 %s IA%u", gname, ia8);
		else if (root_bits > stride)
			snprintf(f->name, sizeof(f->name), "VMSAv8-64 S2 %s IA%u L%u x%u", gname, ia8,
				 sl8, ncat);
		else
			snprintf(f->name, sizeof(f->name), "VMSAv8-64 S2 %s IA%u L%u", gname, ia8, sl8);
	}
	return 0;
}
