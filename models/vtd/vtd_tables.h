/* SPDX-License-Identifier: MIT */
/*
 * models/vtd/vtd_tables.h — layouts of the VT-d structures in memory and of
 * the records the hardware writes: root, context, PASID-directory and
 * PASID-table entries (SPEC 9.1-9.6), the fault-recording register
 * (SPEC 11.4.7), invalidation descriptors (SPEC 6.5.2), page-request
 * descriptors (SPEC 7.4) and the fault reasons (SPEC 7.1.3, Table 30).
 *
 * Structures are handled as arrays of little-endian 64-bit words (QW0, QW1,
 * ...).  Field macros take the word that holds the field; bit numbers are
 * those of the spec's tables, reduced to the word (absolute bit b lives in
 * QW(b/64) at bit b%64), with the absolute position in the comment.
 * Fields marked (3.x) exist only in revision 3.x; see digest vtd.md
 * "Revision note".
 */
#ifndef IMS_MODELS_VTD_TABLES_H
#define IMS_MODELS_VTD_TABLES_H

#include <stdint.h>

#include "models/vtd/vtd_regs.h"

/* ---- Legacy root entry, 128 bits, 256 per table by bus (SPEC 9.1) --------- */
#define VTD_RE_P VTD_B(0)        /* QW0[0] present */
#define VTD_RE_CTP VTD_M(63, 12) /* QW0[63:12] context-table pointer */
#define VTD_RE_RSVD0 VTD_M(11, 1)
/* QW1 is reserved. */

/* ---- Scalable-mode root entry, 128 bits (SPEC 9.2) ------------------------ */
#define VTD_SRE_LP VTD_B(0)        /* QW0[0] lower present: devfn 0x00-0x7F */
#define VTD_SRE_LCTP VTD_M(63, 12) /* QW0[63:12] */
#define VTD_SRE_RSVD0 VTD_M(11, 1)
#define VTD_SRE_UP VTD_B(0)        /* QW1[0] = bit 64: upper present, 0x80-0xFF */
#define VTD_SRE_UCTP VTD_M(63, 12) /* QW1[63:12] = bits 127:76 */
#define VTD_SRE_RSVD1 VTD_M(11, 1) /* bits 75:65 */

/* ---- Legacy context entry, 128 bits, 256 per table by devfn (SPEC 9.3) ---- */
#define VTD_CE_P VTD_B(0)
#define VTD_CE_FPD VTD_B(1)
#define VTD_CE_TT(q0) ((unsigned)VTD_F(q0, 3, 2))
#define VTD_CE_RSVD0 VTD_M(11, 4)
#define VTD_CE_SSPTPTR VTD_M(63, 12)
#define VTD_CE_AW(q1) ((unsigned)VTD_F(q1, 2, 0))   /* bits 66:64 */
#define VTD_CE_DID(q1) ((unsigned)VTD_F(q1, 23, 8)) /* bits 87:72 */
#define VTD_CE_RSVD1 (VTD_B(7) | VTD_M(63, 24))     /* bits 71, 127:88 */
enum { VTD_TT_SS = 0, VTD_TT_SS_ATS = 1, VTD_TT_PT = 2, VTD_TT_RSVD = 3 };

/* ---- Scalable-mode context entry, 256 bits, 128 per table (SPEC 9.4) ------ */
#define VTD_SCE_P VTD_B(0)
#define VTD_SCE_FPD VTD_B(1)
#define VTD_SCE_DTE VTD_B(2)    /* device-TLB enable */
#define VTD_SCE_PASIDE VTD_B(3) /* requests with PASID allowed */
#define VTD_SCE_PRE VTD_B(4)    /* page requests allowed */
#define VTD_SCE_HPTE VTD_B(5)   /* 5.x; reserved in 3.x */
#define VTD_SCE_EPTR VTD_B(6)   /* 5.x; reserved in 3.x */
#define VTD_SCE_RSVD0_5X VTD_M(8, 7)
#define VTD_SCE_RSVD0_3X VTD_M(8, 5)
#define VTD_SCE_PDTS(q0) ((unsigned)VTD_F(q0, 11, 9)) /* dir has 2^(PDTS+7) entries */
#define VTD_SCE_PASIDDIRPTR VTD_M(63, 12)
#define VTD_SCE_RID_PASID(q1) ((uint32_t)VTD_F(q1, 19, 0)) /* bits 83:64 */
#define VTD_SCE_RID_PRIV VTD_B(20)                         /* bit 84 (5.x) */
#define VTD_SCE_RSVD1 VTD_M(63, 21)                        /* bits 127:85 */
/* QW2, QW3 reserved. */

/* ---- Scalable-mode PASID-directory entry, 64 bits (SPEC 9.5) -------------- */
#define VTD_PDE_P VTD_B(0)
#define VTD_PDE_FPD VTD_B(1)
#define VTD_PDE_RSVD VTD_M(11, 2)
#define VTD_PDE_SMPTBLPTR VTD_M(63, 12)

/* ---- Scalable-mode PASID-table entry, 512 bits (SPEC 9.6) ----------------- */
/* QW0 */
#define VTD_PE_P VTD_B(0)
#define VTD_PE_FPD VTD_B(1)
#define VTD_PE_AW(q0) ((unsigned)VTD_F(q0, 4, 2))
#define VTD_PE_SLEE VTD_B(5)                          /* (3.x) SS execute enable */
#define VTD_PE_PGTT(q0) ((unsigned)VTD_F(q0, 8, 6))
#define VTD_PE_SSADE VTD_B(9)
#define VTD_PE_RSVD0 VTD_M(11, 10)
#define VTD_PE_SSPTPTR VTD_M(63, 12)
/* QW1 */
#define VTD_PE_DID(q1) ((unsigned)VTD_F(q1, 15, 0))   /* bits 79:64 */
#define VTD_PE_RSVD1 VTD_M(22, 16)                    /* bits 86:80 */
#define VTD_PE_PWSNP VTD_B(23)                        /* bit 87 */
#define VTD_PE_PGSNP VTD_B(24)                        /* bit 88 */
#define VTD_PE_CD VTD_B(25)                           /* bit 89 */
#define VTD_PE_EMTE VTD_B(26)                         /* bit 90 */
#define VTD_PE_EMT_PWT_PCD VTD_M(31, 27)              /* bits 95:91: (3.x) EMT, PWT, PCD */
#define VTD_PE_PAT VTD_M(63, 32)                      /* bits 127:96 */
/* QW2 */
#define VTD_PE_SRE VTD_B(0)                           /* bit 128 */
#define VTD_PE_ERE VTD_B(1)                           /* bit 129: (3.x) execute requests */
#define VTD_PE_FSPM(q2) ((unsigned)VTD_F(q2, 3, 2))   /* bits 131:130: 0 4-level, 1 5-level */
#define VTD_PE_WPE VTD_B(4)                           /* bit 132 */
#define VTD_PE_NXE VTD_B(5)                           /* bit 133: (3.x) XD checked */
#define VTD_PE_SMEP VTD_B(6)                          /* bit 134: (3.x) */
#define VTD_PE_EAFE VTD_B(7)                          /* bit 135 */
#define VTD_PE_RSVD2 VTD_M(11, 8)                     /* bits 139:136 */
#define VTD_PE_FSPTPTR VTD_M(63, 12)                  /* bits (HAW+127):140 */
/* QW3 reserved; QW4-QW5 HPT fields (HPTS); QW6-QW7 reserved. */
enum vtd_pgtt {
	VTD_PGTT_FS = 1,     /* first stage only */
	VTD_PGTT_SS = 2,     /* second stage only */
	VTD_PGTT_NESTED = 3, /* first stage over second stage */
	VTD_PGTT_PT = 4,     /* pass-through */
};

/* ---- Fault-recording register FRCD[n], 128 bits (SPEC 11.4.7) ---------- */
/* QW0 */
#define VTD_FRCD_FI VTD_M(63, 12)
/* QW1 (bit 64 + n) */
#define VTD_FRCD_SID_SHIFT 0   /* bits 79:64 */
#define VTD_FRCD_T2 VTD_B(28)  /* bit 92 */
#define VTD_FRCD_PRIV VTD_B(29) /* bit 93 */
#define VTD_FRCD_EXE VTD_B(30) /* bit 94 */
#define VTD_FRCD_PP VTD_B(31)  /* bit 95 */
#define VTD_FRCD_FR_SHIFT 32   /* bits 103:96 */
#define VTD_FRCD_PV_SHIFT 40   /* bits 123:104 */
#define VTD_FRCD_AT_SHIFT 60   /* bits 125:124 */
#define VTD_FRCD_T1 VTD_B(62)  /* bit 126 */
#define VTD_FRCD_F VTD_B(63)   /* bit 127, RW1CS */
#define VTD_FRCD_SID(q1) ((unsigned)VTD_F(q1, 15, 0))
#define VTD_FRCD_FR(q1) ((unsigned)VTD_F(q1, 39, 32))
#define VTD_FRCD_PV(q1) ((uint32_t)VTD_F(q1, 59, 40))
#define VTD_FRCD_AT(q1) ((unsigned)VTD_F(q1, 61, 60))
/* Request type {T1,T2}: 00 write, 01 page request, 10 read, 11 AtomicOp. */

/* ---- Invalidation descriptors (SPEC 6.5.2, digest §5) --------------------- */
/* Type = {QW0[11:9], QW0[3:0]}; 128-bit types are zero-padded to 256 bits. */
#define VTD_DSC_TYPE(q0) ((unsigned)(VTD_F(q0, 11, 9) << 4 | VTD_F(q0, 3, 0)))
enum vtd_dsc_type {
	VTD_DSC_CC = 0x1,        /* context-cache invalidate */
	VTD_DSC_IOTLB = 0x2,     /* IOTLB invalidate */
	VTD_DSC_DEVTLB = 0x3,    /* device-TLB invalidate */
	VTD_DSC_IEC = 0x4,       /* interrupt entry cache invalidate */
	VTD_DSC_WAIT = 0x5,      /* invalidation wait */
	VTD_DSC_PIOTLB = 0x6,    /* PASID-based IOTLB invalidate (256) */
	VTD_DSC_PC = 0x7,        /* PASID-cache invalidate (256) */
	VTD_DSC_PDEVTLB = 0x8,   /* PASID-based device-TLB invalidate (256) */
	VTD_DSC_PGRP_RESP = 0x9, /* page group response (256) */
	VTD_DSC_HPT = 0xA,       /* HPT invalidate (256) */
	VTD_DSC_NTYPES = 0xB,
};
#define VTD_DSC_G(q0) ((unsigned)VTD_F(q0, 5, 4))
/* Granularities: cc_inv and iotlb_inv use VTD_GRAN_* (vtd_regs.h); these are
 * pc_inv's and p_iotlb_inv's. */
enum { VTD_PC_G_DOMAIN = 0, VTD_PC_G_PASID = 1, VTD_PC_G_GLOBAL = 3 };
enum { VTD_PIOTLB_G_PASID = 2, VTD_PIOTLB_G_PAGE = 3 };
#define VTD_DSC_DID(q0) ((unsigned)VTD_F(q0, 31, 16))
#define VTD_DSC_PASID(q0) ((uint32_t)VTD_F(q0, 51, 32))
/* cc_inv */
#define VTD_DSC_CC_SID(q0) ((unsigned)VTD_F(q0, 47, 32))
#define VTD_DSC_CC_FM(q0) ((unsigned)VTD_F(q0, 49, 48))
#define VTD_DSC_CC_RSVD0 (VTD_M(8, 6) | VTD_M(15, 12) | VTD_M(63, 50))
/* iotlb_inv */
#define VTD_DSC_IOTLB_DW VTD_B(6)
#define VTD_DSC_IOTLB_DR VTD_B(7)
#define VTD_DSC_IOTLB_RSVD0 (VTD_B(8) | VTD_M(15, 12) | VTD_M(63, 32))
#define VTD_DSC_AM(q1) ((unsigned)VTD_F(q1, 5, 0))
#define VTD_DSC_IH VTD_B(6)
#define VTD_DSC_ADDR VTD_M(63, 12)
#define VTD_DSC_ADDR_RSVD1 VTD_M(11, 7)
/* dev_tlb_inv */
#define VTD_DSC_DEVTLB_SID(q0) ((unsigned)VTD_F(q0, 47, 32))
#define VTD_DSC_DEVTLB_MIP(q0) ((unsigned)VTD_F(q0, 20, 16))
#define VTD_DSC_DEVTLB_RSVD0 (VTD_M(8, 4) | VTD_M(31, 21) | VTD_M(51, 48))
#define VTD_DSC_DEVTLB_S VTD_B(0)
#define VTD_DSC_DEVTLB_RSVD1 VTD_M(11, 1)
/* iec_inv */
#define VTD_DSC_IEC_G VTD_B(4) /* 0 global, 1 index-selective */
#define VTD_DSC_IEC_IM(q0) ((unsigned)VTD_F(q0, 31, 27))
#define VTD_DSC_IEC_IIDX(q0) ((unsigned)VTD_F(q0, 47, 32))
#define VTD_DSC_IEC_RSVD0 (VTD_M(8, 5) | VTD_M(26, 12) | VTD_M(63, 48))
/* inv_wait */
#define VTD_DSC_WAIT_IF VTD_B(4)
#define VTD_DSC_WAIT_SW VTD_B(5)
#define VTD_DSC_WAIT_FN VTD_B(6)
#define VTD_DSC_WAIT_PD VTD_B(7)
#define VTD_DSC_WAIT_RSVD0 (VTD_B(8) | VTD_M(31, 12))
#define VTD_DSC_WAIT_DATA(q0) ((uint32_t)VTD_F(q0, 63, 32))
#define VTD_DSC_WAIT_ADDR VTD_M(63, 2)
#define VTD_DSC_WAIT_RSVD1 VTD_M(1, 0)
/* p_iotlb_inv, pc_inv */
#define VTD_DSC_PASID_RSVD0 (VTD_M(8, 6) | VTD_M(15, 12) | VTD_M(63, 52))
/* p_dev_tlb_inv */
#define VTD_DSC_PDEVTLB_MIP(q0) ((unsigned)VTD_F(q0, 8, 4))
#define VTD_DSC_PDEVTLB_SID(q0) ((unsigned)VTD_F(q0, 31, 16))
#define VTD_DSC_PDEVTLB_GI VTD_B(0)
#define VTD_DSC_PDEVTLB_S VTD_B(11)
#define VTD_DSC_PDEVTLB_RSVD1 VTD_M(10, 1)
/* page_grp_resp */
#define VTD_DSC_PGR_PP VTD_B(4)
#define VTD_DSC_PGR_RC(q0) ((unsigned)VTD_F(q0, 15, 12))
#define VTD_DSC_PGR_RID(q0) ((unsigned)VTD_F(q0, 31, 16))
#define VTD_DSC_PGR_RSVD0 (VTD_M(8, 5) | VTD_M(63, 52))
#define VTD_DSC_PGR_LPIG VTD_B(2) /* QW1[2]: (3.x) LPIG; ignored in 5.x */
#define VTD_DSC_PGR_PRGI(q1) ((unsigned)VTD_F(q1, 11, 3))
#define VTD_DSC_PGR_RSVD1 (VTD_M(1, 0) | VTD_M(63, 12))
/* hpt_inv */
#define VTD_DSC_HPT_RSVD0 (VTD_M(8, 6) | VTD_M(15, 12) | VTD_M(63, 32))
#define VTD_DSC_HPT_RSVD1 VTD_M(11, 8)
/* Page group response codes (SPEC 7.4-7.10 Table 31, digest §6). */
enum { VTD_PRG_SUCCESS = 0x0, VTD_PRG_INVALID = 0x1, VTD_PRG_FAILURE = 0xF };

/* ---- page_req_dsc, 256 bits, written at PQT (SPEC 7.4, digest §6) ------- */
#define VTD_PRQ_TYPE 0x01ull          /* QW0[7:0] */
#define VTD_PRQ_PP VTD_B(8)
#define VTD_PRQ_PDP VTD_B(9)          /* (3.x) private data present */
#define VTD_PRQ_RID_SHIFT 16          /* QW0[31:16] */
#define VTD_PRQ_PASID_SHIFT 32        /* QW0[51:32] */
#define VTD_PRQ_EXR VTD_B(52)
#define VTD_PRQ_PMR VTD_B(53)
#define VTD_PRQ_RDR VTD_B(0)          /* QW1 */
#define VTD_PRQ_WRR VTD_B(1)
#define VTD_PRQ_LPIG VTD_B(2)
#define VTD_PRQ_PRGI_SHIFT 3          /* QW1[11:3] */
#define VTD_PRQ_ADDR VTD_M(63, 12)

/* ---- Fault reasons (SPEC 7.1.3 Table 30, digest §4) ------------------------ */
enum vtd_fr {
	/* legacy mode */
	VTD_FR_LRT_2 = 0x01,  /* root entry not present */
	VTD_FR_LCT_2 = 0x02,  /* context entry not present */
	VTD_FR_LCT_4 = 0x03,  /* invalid context entry (AW, TT, SS root read) */
	VTD_FR_LGN_1 = 0x04,  /* address beyond AW / HAW */
	VTD_FR_LGN_2 = 0x05,  /* write without W */
	VTD_FR_LGN_3 = 0x06,  /* read without R */
	VTD_FR_LSS_1 = 0x07,  /* error reading an SS entry */
	VTD_FR_LRT_1 = 0x08,  /* error reading the root entry */
	VTD_FR_LCT_1 = 0x09,  /* error reading the context entry */
	VTD_FR_LRT_3 = 0x0A,  /* reserved bit in root entry */
	VTD_FR_LCT_3 = 0x0B,  /* reserved bit in context entry */
	VTD_FR_LSS_2 = 0x0C,  /* reserved bit in an SS entry */
	VTD_FR_LCT_5 = 0x0D,  /* TT blocks translation / translated requests */
	VTD_FR_LGN_4 = 0x0E,  /* output in the interrupt address range */
	/* scalable mode */
	VTD_FR_RTA_1 = 0x30,  /* bad RTADDR (TTM, SSIRWE) */
	VTD_FR_RTA_2 = 0x31,  /* request with PASID in legacy mode */
	VTD_FR_RTA_3 = 0x32,  /* page request in legacy mode */
	VTD_FR_RTA_4 = 0x33,  /* abort-DMA mode */
	VTD_FR_RTA_5 = 0x34,  /* ER=1 on VER major >= 8 */
	VTD_FR_SRT_1 = 0x38,  /* error reading SM root entry */
	VTD_FR_SRT_2 = 0x39,  /* SM root LP/UP = 0 */
	VTD_FR_SRT_3 = 0x3A,  /* reserved bit in SM root entry */
	VTD_FR_SCT_1 = 0x40,  /* error reading SM context entry */
	VTD_FR_SCT_2 = 0x41,  /* SM context not present */
	VTD_FR_SCT_3 = 0x42,  /* reserved bit in SM context entry */
	VTD_FR_SCT_4 = 0x43,  /* invalid SM context entry */
	VTD_FR_SCT_5 = 0x44,  /* DTE=0 for a translation / translated request */
	VTD_FR_SCT_6 = 0x45,  /* PASIDE=0 for a request with PASID */
	VTD_FR_SCT_7 = 0x46,  /* PASID beyond the PDTS limit */
	VTD_FR_SCT_8 = 0x47,  /* PRE=0 for a page request */
	VTD_FR_SCT_9 = 0x48,  /* request PASID equals RID_PASID */
	VTD_FR_SCT_10 = 0x49, /* EPTR=0 for a translated request with PASID */
	VTD_FR_SPD_1 = 0x50,  /* error reading a PASID-directory entry */
	VTD_FR_SPD_2 = 0x51,  /* PASID-directory entry not present */
	VTD_FR_SPD_3 = 0x52,  /* reserved bit in PASID-directory entry */
	VTD_FR_SPT_1 = 0x58,  /* error reading a PASID-table entry */
	VTD_FR_SPT_2 = 0x59,  /* PASID-table entry not present */
	VTD_FR_SPT_3 = 0x5A,  /* reserved bit in PASID-table entry */
	VTD_FR_SPT_4 = 0x5B,  /* invalid PASID-table entry */
	VTD_FR_SPT_5 = 0x5C,  /* ER=1 not allowed */
	VTD_FR_SPT_6 = 0x5D,  /* PR=1 with SRE=0 */
	VTD_FR_SFS_1 = 0x70,  /* error reading an FS entry below the root */
	VTD_FR_SFS_2 = 0x71,  /* FS entry not present */
	VTD_FR_SFS_3 = 0x72,  /* reserved bit in an FS entry */
	VTD_FR_SFS_4 = 0x73,  /* error reading the FS root */
	VTD_FR_SFS_5 = 0x74,  /* nested: FS address beyond 2^X-1 */
	VTD_FR_SFS_6 = 0x75,  /* nested: FS root read blocked by SS R */
	VTD_FR_SFS_7 = 0x76,  /* nested: FS entry read blocked by SS R */
	VTD_FR_SFS_8 = 0x77,  /* nested: FS A/D update blocked by SS W */
	VTD_FR_SSS_1 = 0x78,  /* error reading an SS entry below the root */
	VTD_FR_SSS_2 = 0x79,  /* SS entry not present */
	VTD_FR_SSS_3 = 0x7A,  /* reserved bit in an SS entry */
	VTD_FR_SSS_4 = 0x7B,  /* error reading the SS root */
	VTD_FR_SSS_5 = 0x7C,  /* SS A/D update on a non-snooped walk */
	VTD_FR_SSS_6 = 0x7D,  /* SS A/D update failed */
	VTD_FR_SGN_1 = 0x80,  /* non-canonical address */
	VTD_FR_SGN_2 = 0x81,  /* user request to a supervisor page */
	VTD_FR_SGN_3 = 0x82,  /* (3.x) execute not permitted */
	VTD_FR_SGN_4 = 0x83,  /* translated / pass-through address beyond HAW */
	VTD_FR_SGN_5 = 0x84,  /* SS input beyond 2^X-1 */
	VTD_FR_SGN_6 = 0x85,  /* write denied */
	VTD_FR_SGN_7 = 0x86,  /* read denied */
	VTD_FR_SGN_8 = 0x87,  /* output in the interrupt address range */
	VTD_FR_SGN_10 = 0x89, /* PASID beyond PSS */
	VTD_FR_SFS_9 = 0x90,  /* FS A/D update on a non-snooped walk */
	VTD_FR_SFS_10 = 0x91, /* FS A/D update failed */
};

/* Non-qualified faults are reported even when FPD=1 (SPEC 7.1.3, digest §4). */
static inline int vtd_fr_qualified(unsigned fr)
{
	switch (fr) {
	case VTD_FR_LRT_2: case VTD_FR_LRT_1: case VTD_FR_LCT_1: case VTD_FR_LRT_3:
	case VTD_FR_RTA_1: case VTD_FR_RTA_2: case VTD_FR_RTA_3: case VTD_FR_RTA_4:
	case VTD_FR_RTA_5: case VTD_FR_SRT_1: case VTD_FR_SRT_2: case VTD_FR_SRT_3:
	case VTD_FR_SCT_1: case VTD_FR_SPD_1: case VTD_FR_SPT_1:
		return 0;
	default:
		return 1;
	}
}

#endif
