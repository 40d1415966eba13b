/* SPDX-License-Identifier: MIT */
/*
 * models/vtd/vtd_regs.h — the VT-d remapping unit's register file, written
 * once: offsets (SPEC 11.4, digest vtd.md §1.1) and the fields of each
 * register as the spec tables list them.
 *
 * Field positions are absolute bit numbers within the register.  VTD_F(v,
 * hi, lo) extracts a field; each register's fields are named after the
 * spec's column.  Everything here is a constant or a one-line accessor so the
 * table reads like the spec; the behaviour lives in hw_regs.c.
 */
#ifndef IMS_MODELS_VTD_REGS_H
#define IMS_MODELS_VTD_REGS_H

#include <stdint.h>

/* Bits hi..lo of v, shifted down. */
#define VTD_F(v, hi, lo) \
	((uint64_t)(v) >> (lo) & ((hi) - (lo) >= 63 ? ~0ull : (2ull << ((hi) - (lo))) - 1))
/* A mask of bits hi..lo. */
#define VTD_M(hi, lo) (((hi) >= 63 ? ~0ull : (2ull << (hi)) - 1) & ~((1ull << (lo)) - 1))
#define VTD_B(n) (1ull << (n))

/* ---- Register offsets (SPEC 11.4, Table "Register Map") ------------------- */
#define VTD_REG_VER 0x000      /* 32 RO  version */
#define VTD_REG_CAP 0x008      /* 64 RO  capabilities */
#define VTD_REG_ECAP 0x010     /* 64 RO  extended capabilities */
#define VTD_REG_GCMD 0x018     /* 32 WO  global command */
#define VTD_REG_GSTS 0x01C     /* 32 RO  global status */
#define VTD_REG_RTADDR 0x020   /* 64 RW  root table address */
#define VTD_REG_CCMD 0x028     /* 64 RW  context command (legacy only) */
#define VTD_REG_FSTS 0x034     /* 32     fault status */
#define VTD_REG_FECTL 0x038    /* 32     fault event control */
#define VTD_REG_FEDATA 0x03C   /* 32     fault event data */
#define VTD_REG_FEADDR 0x040   /* 32     fault event address */
#define VTD_REG_FEUADDR 0x044  /* 32     fault event upper address */
#define VTD_REG_AFLOG 0x058    /* 64     advanced fault log (pre-4.x; reserved now) */
#define VTD_REG_PMEN 0x064     /* 32     protected memory enable */
#define VTD_REG_PLMBASE 0x068  /* 32 */
#define VTD_REG_PLMLIMIT 0x06C /* 32 */
#define VTD_REG_PHMBASE 0x070  /* 64 */
#define VTD_REG_PHMLIMIT 0x078 /* 64 */
#define VTD_REG_IQH 0x080      /* 64 RO  invalidation queue head */
#define VTD_REG_IQT 0x088      /* 64 RW  invalidation queue tail */
#define VTD_REG_IQA 0x090      /* 64 RW  invalidation queue address */
#define VTD_REG_ICS 0x09C      /* 32     invalidation completion status */
#define VTD_REG_IECTL 0x0A0    /* 32     invalidation event control */
#define VTD_REG_IEDATA 0x0A4   /* 32 */
#define VTD_REG_IEADDR 0x0A8   /* 32 */
#define VTD_REG_IEUADDR 0x0AC  /* 32 */
#define VTD_REG_IQERCD 0x0B0   /* 64 RO  invalidation queue error record */
#define VTD_REG_IRTA 0x0B8     /* 64 RW  interrupt remapping table address */
#define VTD_REG_PQH 0x0C0      /* 64 RW  page request queue head (software) */
#define VTD_REG_PQT 0x0C8      /* 64 RW  page request queue tail (hardware) */
#define VTD_REG_PQA 0x0D0      /* 64 RW  page request queue address */
#define VTD_REG_PRS 0x0DC      /* 32     page request status */
#define VTD_REG_PECTL 0x0E0    /* 32     page request event control */
#define VTD_REG_PEDATA 0x0E4   /* 32 */
#define VTD_REG_PEADDR 0x0E8   /* 32 */
#define VTD_REG_PEUADDR 0x0EC  /* 32 */
#define VTD_REG_MTRR_FIRST 0x100 /* MTRRCAP .. PHYSMASK9: plain storage (ECAP.MTS) */
#define VTD_REG_MTRR_LAST 0x21F
/* IVA_REG at 16*ECAP.IRO, IOTLB_REG at IVA+8; FRCD[n] at 16*CAP.FRO + 16n. */

/* ---- VER_REG (SPEC 11.4, digest §1.1) ------------------------------------------------ */
#define VTD_VER_MAJOR(v) ((unsigned)VTD_F(v, 7, 4))
#define VTD_VER_MINOR(v) ((unsigned)VTD_F(v, 3, 0))

/* ---- CAP_REG (SPEC 11.4.2, digest §1.2) ----------------------------------- */
#define VTD_CAP_ESRTPS VTD_B(63)  /* SRTP invalidates every DMA-remapping cache */
#define VTD_CAP_ESIRTPS VTD_B(62) /* SIRTP invalidates the IEC */
#define VTD_CAP_ECMDS VTD_B(61)
#define VTD_CAP_FS5LP VTD_B(60)   /* 5-level first stage */
#define VTD_CAP_PI VTD_B(59)
#define VTD_CAP_FS1GP VTD_B(56)   /* 1 GiB first-stage pages */
#define VTD_CAP_DRD VTD_B(55)
#define VTD_CAP_DWD VTD_B(54)
#define VTD_CAP_MAMV(c) ((unsigned)VTD_F(c, 53, 48))
#define VTD_CAP_NFR(c) ((unsigned)VTD_F(c, 47, 40))   /* fault-recording registers - 1 */
#define VTD_CAP_PSI VTD_B(39)
#define VTD_CAP_SSLPS(c) ((unsigned)VTD_F(c, 37, 34)) /* bit 34: 2 MiB, bit 35: 1 GiB */
#define VTD_CAP_FRO(c) ((unsigned)VTD_F(c, 33, 24))   /* FRCD offset / 16 */
#define VTD_CAP_ZLR VTD_B(22)
#define VTD_CAP_MGAW(c) ((unsigned)VTD_F(c, 21, 16))  /* MGAW - 1 */
#define VTD_CAP_SAGAW(c) ((unsigned)VTD_F(c, 12, 8))  /* bit 1: 3-level, 2: 4-level, 3: 5-level */
#define VTD_CAP_CM VTD_B(7)
#define VTD_CAP_PHMR VTD_B(6)
#define VTD_CAP_PLMR VTD_B(5)
#define VTD_CAP_RWBF VTD_B(4)
#define VTD_CAP_ND(c) ((unsigned)VTD_F(c, 2, 0))      /* DID width 4 + 2*ND */
/* Field makers (for building values in configurations and tests). */
#define VTD_CAP_MAMV_V(x) ((uint64_t)(x) << 48)
#define VTD_CAP_NFR_V(x) ((uint64_t)(x) << 40)
#define VTD_CAP_SSLPS_V(x) ((uint64_t)(x) << 34)
#define VTD_CAP_FRO_V(x) ((uint64_t)(x) << 24)
#define VTD_CAP_MGAW_V(x) ((uint64_t)(x) << 16)
#define VTD_CAP_SAGAW_V(x) ((uint64_t)(x) << 8)
#define VTD_CAP_ND_V(x) ((uint64_t)(x))

/* ---- ECAP_REG (SPEC 11.4.3, digest §1.3) ---------------------------------- */
#define VTD_ECAP_IRREQ VTD_B(62)
#define VTD_ECAP_EIMER VTD_B(61)
#define VTD_ECAP_RDTS VTD_B(60)
#define VTD_ECAP_HPT1GPS VTD_B(59)
#define VTD_ECAP_SMS VTD_B(58)
#define VTD_ECAP_SSIRWS VTD_B(57)  /* SS IR/IW permission bits (5.x) */
#define VTD_ECAP_PTRS VTD_B(56)
#define VTD_ECAP_HPTS VTD_B(55)
#define VTD_ECAP_RPRIVS VTD_B(53)  /* RID_PRIV (5.x) */
#define VTD_ECAP_ADMS VTD_B(52)    /* abort-DMA mode (5.x) */
#define VTD_ECAP_PMS VTD_B(51)
#define VTD_ECAP_TDXCS VTD_B(50)
#define VTD_ECAP_RPS VTD_B(49)     /* RID_PASID field supported */
#define VTD_ECAP_SMPWCS VTD_B(48)  /* scalable-mode page-walk coherency */
#define VTD_ECAP_FSTS VTD_B(47)    /* first-stage translation (PGTT=001) */
#define VTD_ECAP_SSTS VTD_B(46)    /* second-stage translation (PGTT=010) */
#define VTD_ECAP_SSADS VTD_B(45)   /* second-stage A/D */
#define VTD_ECAP_VCS VTD_B(44)
#define VTD_ECAP_SMTS VTD_B(43)    /* scalable mode */
#define VTD_ECAP_PDS VTD_B(42)     /* page-request drain in inv_wait */
#define VTD_ECAP_DIT VTD_B(41)
#define VTD_ECAP_PASID VTD_B(40)
#define VTD_ECAP_PSS(e) ((unsigned)VTD_F(e, 39, 35)) /* PASID width - 1 */
#define VTD_ECAP_EAFS VTD_B(34)
#define VTD_ECAP_NWFS VTD_B(33)
#define VTD_ECAP_SRS VTD_B(31)     /* supervisor requests */
#define VTD_ECAP_ERS VTD_B(30)     /* execute requests (must be 0 from 4.0) */
#define VTD_ECAP_PRS VTD_B(29)     /* page requests */
#define VTD_ECAP_NEST VTD_B(26)
#define VTD_ECAP_MTS VTD_B(25)
#define VTD_ECAP_MHMV(e) ((unsigned)VTD_F(e, 23, 20))
#define VTD_ECAP_IRO(e) ((unsigned)VTD_F(e, 17, 8))  /* IOTLB register offset / 16 */
#define VTD_ECAP_SC VTD_B(7)       /* SNP bit in SS leaves / PGSNP */
#define VTD_ECAP_PT VTD_B(6)       /* pass-through */
#define VTD_ECAP_EIM VTD_B(4)
#define VTD_ECAP_IR VTD_B(3)
#define VTD_ECAP_DT VTD_B(2)       /* device-TLB (ATS) */
#define VTD_ECAP_QI VTD_B(1)
#define VTD_ECAP_C VTD_B(0)        /* legacy walks snooped */
#define VTD_ECAP_PSS_V(x) ((uint64_t)(x) << 35)
#define VTD_ECAP_MHMV_V(x) ((uint64_t)(x) << 20)
#define VTD_ECAP_IRO_V(x) ((uint64_t)(x) << 8)

/* ---- GCMD_REG / GSTS_REG (SPEC 11.4.4, digest §1.4) ----------------------- */
#define VTD_GCMD_TE VTD_B(31)    /* GSTS: TES */
#define VTD_GCMD_SRTP VTD_B(30)  /* one-shot; GSTS: RTPS */
#define VTD_GCMD_WBF VTD_B(27)   /* one-shot; GSTS: WBFS */
#define VTD_GCMD_QIE VTD_B(26)   /* GSTS: QIES */
#define VTD_GCMD_IRE VTD_B(25)   /* GSTS: IRES */
#define VTD_GCMD_SIRTP VTD_B(24) /* one-shot; GSTS: IRTPS */
#define VTD_GCMD_CFI VTD_B(23)   /* GSTS: CFIS */
#define VTD_GSTS_TES VTD_GCMD_TE
#define VTD_GSTS_RTPS VTD_GCMD_SRTP
#define VTD_GSTS_WBFS VTD_GCMD_WBF
#define VTD_GSTS_QIES VTD_GCMD_QIE
#define VTD_GSTS_IRES VTD_GCMD_IRE
#define VTD_GSTS_IRTPS VTD_GCMD_SIRTP
#define VTD_GSTS_CFIS VTD_GCMD_CFI
/* Software writes (GSTS & VTD_GSTS_PERSIST) | bit: the one-shot bits drop. */
#define VTD_GSTS_PERSIST 0x96FFFFFFu

/* ---- RTADDR_REG (SPEC 11.4.5, 3.4) ---------------------------------------- */
#define VTD_RTADDR_RTA VTD_M(63, 12)
#define VTD_RTADDR_TTM(r) ((unsigned)VTD_F(r, 11, 10))
#define VTD_RTADDR_SSIRWE VTD_B(7)
enum vtd_ttm { VTD_TTM_LEGACY = 0, VTD_TTM_SCALABLE = 1, VTD_TTM_RSVD = 2, VTD_TTM_ABORT = 3 };
#define VTD_RTADDR_TTM_V(x) ((uint64_t)(x) << 10)

/* ---- CCMD_REG (SPEC 11.4.6, digest §1.6) -------------------------------- */
#define VTD_CCMD_ICC VTD_B(63)
#define VTD_CCMD_CIRG(r) ((unsigned)VTD_F(r, 62, 61))
#define VTD_CCMD_CAIG_SHIFT 59
#define VTD_CCMD_CAIG_MASK VTD_M(60, 59)
#define VTD_CCMD_FM(r) ((unsigned)VTD_F(r, 33, 32))
#define VTD_CCMD_SID(r) ((unsigned)VTD_F(r, 31, 16))
#define VTD_CCMD_DID(r) ((unsigned)VTD_F(r, 15, 0))
#define VTD_CCMD_RW_MASK (VTD_M(63, 61) | VTD_M(33, 0))
/* Granularities, shared by CIRG/CAIG, IIRG/IAIG and the cc/iotlb descriptors. */
enum { VTD_GRAN_ERR = 0, VTD_GRAN_GLOBAL = 1, VTD_GRAN_DOMAIN = 2, VTD_GRAN_SEL = 3 };

/* ---- IVA_REG / IOTLB_REG (SPEC 11.4.6, digest §1.6) -------------------------------- */
#define VTD_IVA_ADDR VTD_M(63, 12)
#define VTD_IVA_IH VTD_B(6)
#define VTD_IVA_AM(r) ((unsigned)VTD_F(r, 5, 0))
#define VTD_IVA_RW_MASK (VTD_M(63, 12) | VTD_M(6, 0))
#define VTD_IOTLB_IVT VTD_B(63)
#define VTD_IOTLB_IIRG(r) ((unsigned)VTD_F(r, 61, 60))
#define VTD_IOTLB_IAIG_SHIFT 57
#define VTD_IOTLB_IAIG_MASK VTD_M(58, 57)
#define VTD_IOTLB_DR VTD_B(49)
#define VTD_IOTLB_DW VTD_B(48)
#define VTD_IOTLB_DID(r) ((unsigned)VTD_F(r, 47, 32))
#define VTD_IOTLB_RW_MASK (VTD_B(63) | VTD_M(61, 60) | VTD_M(49, 32))

/* ---- FSTS_REG / FECTL_REG (SPEC 11.4.7, digest §1.7) ------------------ */
#define VTD_FSTS_FRI(r) ((unsigned)VTD_F(r, 15, 8))
#define VTD_FSTS_FRI_SHIFT 8
#define VTD_FSTS_ITE VTD_B(6)
#define VTD_FSTS_ICE VTD_B(5)
#define VTD_FSTS_IQE VTD_B(4)
#define VTD_FSTS_PPF VTD_B(1)
#define VTD_FSTS_PFO VTD_B(0)
#define VTD_FSTS_RW1C (VTD_FSTS_ITE | VTD_FSTS_ICE | VTD_FSTS_IQE | VTD_FSTS_PFO)
/* Event control registers: FECTL, IECTL, PECTL share the layout (SPEC 7.3). */
#define VTD_ECTL_IM VTD_B(31)
#define VTD_ECTL_IP VTD_B(30)
#define VTD_EDATA_MASK 0xFFFFFFFFu /* [15:0] data, [31:16] EIMD with x2APIC */
#define VTD_EADDR_MASK 0xFFFFFFFCu /* [31:2] */

/* ---- PMEN_REG (SPEC 11.4.8.1) --------------------------------------------- */
#define VTD_PMEN_EPM VTD_B(31)
#define VTD_PMEN_PRS VTD_B(0)

/* ---- Invalidation queue (SPEC 6.5.2, 11.4.9, digest §1.8) ----------------- */
#define VTD_IQ_PTR_MASK VTD_M(18, 4)  /* IQH/IQT: byte offset of the slot */
#define VTD_IQA_IQA VTD_M(63, 12)
#define VTD_IQA_DW VTD_B(11)
#define VTD_IQA_QS(r) ((unsigned)VTD_F(r, 2, 0))
#define VTD_IQA_RW_MASK (VTD_M(63, 11) | VTD_M(2, 0))
#define VTD_ICS_IWC VTD_B(0)
#define VTD_IQERCD_ICESID_SHIFT 48
#define VTD_IQERCD_ITESID_SHIFT 32
#define VTD_IQERCD_IQEI(r) ((unsigned)VTD_F(r, 3, 0))
enum vtd_iqei {
	VTD_IQEI_NONE = 0,
	VTD_IQEI_TAIL = 1,     /* invalid tail pointer */
	VTD_IQEI_FETCH = 2,    /* descriptor fetch error */
	VTD_IQEI_TYPE = 3,     /* invalid descriptor type */
	VTD_IQEI_RSVD = 4,     /* reserved field violation */
	VTD_IQEI_DW = 5,       /* invalid descriptor width for the mode */
	VTD_IQEI_QT_ALIGN = 6, /* QT[4] set with 256-bit descriptors */
	VTD_IQEI_TTM = 7,      /* invalid TTM in RTADDR */
};

/* ---- Page request queue (SPEC 7.4, 11.4.11, digest §1.9) ------------------ */
#define VTD_PQ_PTR_MASK VTD_M(18, 5)
#define VTD_PQA_PQA VTD_M(63, 12)
#define VTD_PQA_PQS(r) ((unsigned)VTD_F(r, 2, 0))
#define VTD_PQA_RW_MASK (VTD_M(63, 12) | VTD_M(2, 0))
#define VTD_PRS_PRO VTD_B(1)
#define VTD_PRS_PPR VTD_B(0)

#endif
