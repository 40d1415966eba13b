/* SPDX-License-Identifier: MIT */
/*
 * sim/trace/schema — every statement's shape, as data.
 *
 * One row per verb: its positional arguments, its keys in canonical order
 * (the order the writer uses), which expect= forms it takes, and a few flags.
 * Data entries (data=TYPE FIELD=VALUE... of hwpt.alloc and hwpt.invalidate)
 * have one row per (verb, type).  Adding a verb is one row here, one enum
 * value in sim/trace.h and its section in traces/FORMAT.md (a unit test
 * checks that FORMAT.md names every verb and key).
 *
 * Shapes come from shared/TRACE-FORMAT.md (the contract); the uAPI fields
 * behind the API statements from shared/spec/iommufd.md (§2.x cited per row).
 */
#include "sim/trace/trace_priv.h"

#include <errno.h>
#include <string.h>

const char *const ims_trace_key_names[IMS_TRACE_NKEYS + 1] = {
	[IMS_TRACE_K_NONE] = "",
	[IMS_TRACE_K_RAW] = "",
	[IMS_TRACE_K_SID] = "sid",
	[IMS_TRACE_K_PASID_BITS] = "pasid_bits",
	[IMS_TRACE_K_ATS] = "ats",
	[IMS_TRACE_K_PRI] = "pri",
	[IMS_TRACE_K_UNIT] = "unit",
	[IMS_TRACE_K_LEN] = "len",
	[IMS_TRACE_K_PASID] = "pasid",
	[IMS_TRACE_K_PRIV] = "priv",
	[IMS_TRACE_K_TYPE] = "type",
	[IMS_TRACE_K_PRGI] = "prgi",
	[IMS_TRACE_K_LAST] = "last",
	[IMS_TRACE_K_MASK] = "mask",
	[IMS_TRACE_K_IOVA] = "iova",
	[IMS_TRACE_K_VA] = "va",
	[IMS_TRACE_K_PROT] = "prot",
	[IMS_TRACE_K_AS] = "as",
	[IMS_TRACE_K_UNMAPPED] = "unmapped",
	[IMS_TRACE_K_SRC] = "src",
	[IMS_TRACE_K_SRC_IOVA] = "src_iova",
	[IMS_TRACE_K_DST_IOVA] = "dst_iova",
	[IMS_TRACE_K_RANGES] = "ranges",
	[IMS_TRACE_K_ALIGNMENT] = "alignment",
	[IMS_TRACE_K_NUM_IOVAS] = "num_iovas",
	[IMS_TRACE_K_SET] = "set",
	[IMS_TRACE_K_DEV] = "dev",
	[IMS_TRACE_K_PT] = "pt",
	[IMS_TRACE_K_NEST_PARENT] = "nest_parent",
	[IMS_TRACE_K_DIRTY] = "dirty",
	[IMS_TRACE_K_FAULT] = "fault",
	[IMS_TRACE_K_DATA] = "data",
	[IMS_TRACE_K_ENTRY_NUM] = "entry_num",
	[IMS_TRACE_K_ENABLE] = "enable",
	[IMS_TRACE_K_PAGE_SIZE] = "page_size",
	[IMS_TRACE_K_NO_CLEAR] = "no_clear",
	[IMS_TRACE_K_COOKIE] = "cookie",
	[IMS_TRACE_K_CODE] = "code",
	[IMS_TRACE_K_HWPT] = "hwpt",
	[IMS_TRACE_K_VIOMMU] = "viommu",
	[IMS_TRACE_K_VIRT_ID] = "virt_id",
	[IMS_TRACE_K_DEPTH] = "depth",
	[IMS_TRACE_K_INDEX] = "index",
	[IMS_TRACE_K_IN_TYPE] = "in_type",
	[IMS_TRACE_K_MAX_PASID_LOG2] = "max_pasid_log2",
	[IMS_TRACE_K_CAPS] = "caps",
	[IMS_TRACE_K_CAP] = "cap",
	[IMS_TRACE_K_ECAP] = "ecap",
	[IMS_TRACE_K_IDR0] = "idr0",
	[IMS_TRACE_K_IDR1] = "idr1",
	[IMS_TRACE_K_IDR2] = "idr2",
	[IMS_TRACE_K_IDR3] = "idr3",
	[IMS_TRACE_K_IDR4] = "idr4",
	[IMS_TRACE_K_IDR5] = "idr5",
	[IMS_TRACE_K_EFR] = "efr",
	[IMS_TRACE_K_EFR2] = "efr2",
	[IMS_TRACE_K_SEQ] = "seq",
	[IMS_TRACE_K_LOST] = "lost",
	[IMS_TRACE_K_ADDR] = "addr",
	[IMS_TRACE_K_PERM] = "perm",
	[IMS_TRACE_K_GRPID] = "grpid",
	[IMS_TRACE_K_EVT0] = "evt0",
	[IMS_TRACE_K_EVT1] = "evt1",
	[IMS_TRACE_K_EVT2] = "evt2",
	[IMS_TRACE_K_EVT3] = "evt3",
	[IMS_TRACE_K_POOL] = "pool",
	[IMS_TRACE_K_ROOT] = "root",
	[IMS_TRACE_K_VIA] = "via",
	[IMS_TRACE_K_PGSIZE] = "pgsize",
	[IMS_TRACE_K_PGTBL] = "pgtbl",
	[IMS_TRACE_K_AW] = "aw",
	[IMS_TRACE_K_FLAGS] = "flags",
	[IMS_TRACE_K_SRE] = "sre",
	[IMS_TRACE_K_EAFE] = "eafe",
	[IMS_TRACE_K_WPE] = "wpe",
	[IMS_TRACE_K_STE0] = "ste0",
	[IMS_TRACE_K_STE1] = "ste1",
	[IMS_TRACE_K_DTE0] = "dte0",
	[IMS_TRACE_K_DTE1] = "dte1",
	[IMS_TRACE_K_DTE2] = "dte2",
	[IMS_TRACE_K_DTE3] = "dte3",
	[IMS_TRACE_K_NPAGES] = "npages",
	[IMS_TRACE_K_LEAF] = "leaf",
	[IMS_TRACE_K_CMD0] = "cmd0",
	[IMS_TRACE_K_CMD1] = "cmd1",
	[IMS_TRACE_K_BDF] = "bdf",
};

/* ---- Closed word lists (index = stored value) ---------------------------- */
static const char *const w_model[] = { "vtd", "smmuv3", "amdvi", NULL };
const char *const ims_trace_words_data[] = { "vtd_s1", "arm_smmuv3", "amd_guest", NULL };
const char *const ims_trace_words_auto[] = { "auto", NULL };
/* iommufd option_id (iommufd.md §2.9). */
static const char *const w_option[] = { "rlimit_mode", "huge_pages", NULL };
static const char *const w_cmp[] = { "==", "!=", "<", "<=", ">", ">=", NULL };
/* The order of enum ims_dma_type (sim/dma.h). */
static const char *const w_dma_type[] = { "untranslated", "translation", "translated",
					   "page_request", NULL };
/* uAPI numbers: viommu types §2.17, vEVENTQ types §2.20, HW queue types
 * §2.21 (AMD's out of tree, numbered after Tegra), hw_info types §2.12,
 * page response codes §2.16. */
static const char *const w_viommu[] = { "default", "arm_smmuv3", "tegra241_cmdqv", "amd", NULL };
static const char *const w_veventq[] = { "default", "arm_smmuv3", "tegra241_cmdqv", NULL };
static const char *const w_hwq[] = { "default", "tegra241_cmdqv", "amd_cmd", "amd_evt",
				      "amd_ppr", NULL };
static const char *const w_hwinfo[] = { "none", "intel_vtd", "arm_smmuv3", "tegra241_cmdqv",
					 "amd", NULL };
static const char *const w_resp[] = { "success", "invalid", NULL };

/* ---- Expect classes ----------------------------------------------------- */
#define XB(k) (1u << IMS_TRACE_X_##k)
#define X_PLAIN XB(OK)
#define X_API (XB(OK) | XB(ERRNO))
#define X_READ XB(VALUE)
#define X_DMA (XB(PA) | XB(FAULT) | XB(FAULT_CODE) | XB(OK) | XB(QUEUED) | XB(STALL))
#define X_QREAD (XB(OK) | XB(EMPTY) | XB(ERRNO))

/* ---- Row helpers ----------------------------------------------------------- */
#define K(k, vt, fl) { IMS_TRACE_K_##k, vt, fl, NULL }
#define KW(k, vt, fl, w) { IMS_TRACE_K_##k, vt, fl, w }
#define P(vt, nm) { vt, 0, nm, NULL }
#define PW(vt, fl, nm, w) { vt, fl, nm, w }

#define MEM_WRITE(bits) \
	[IMS_TRACE_V_MEM_WRITE##bits] = { "mem.write" #bits, VF_MACHINE, bits, X_PLAIN, \
		{ P(VT_HEX, "ADDR"), PW(VT_HEX, PE_W, "VALUE", NULL) }, { { 0 } } }
#define MEM_READ(bits) \
	[IMS_TRACE_V_MEM_READ##bits] = { "mem.read" #bits, VF_MACHINE, bits, X_READ, \
		{ P(VT_HEX, "ADDR") }, { K(MASK, VT_HEX, KE_W) } }
#define MMIO_WRITE(bits) \
	[IMS_TRACE_V_MMIO_WRITE##bits] = { "mmio.write" #bits, VF_MACHINE, bits, X_PLAIN, \
		{ P(VT_HEX, "OFFSET"), PW(VT_HEX, PE_W, "VALUE", NULL) }, \
		{ K(UNIT, VT_DEC, 0) } }
#define MMIO_READ(bits) \
	[IMS_TRACE_V_MMIO_READ##bits] = { "mmio.read" #bits, VF_MACHINE, bits, X_READ, \
		{ P(VT_HEX, "OFFSET") }, { K(MASK, VT_HEX, KE_W), K(UNIT, VT_DEC, 0) } }

const struct ims_trace_verbdesc ims_trace_verbs[IMS_TRACE_NVERBS] = {
	/* ---- Setup (TRACE-FORMAT.md "Setup") ---- */
	[IMS_TRACE_V_HEADER] = { "iommusim-trace", 0, 0, X_PLAIN, { P(VT_DEC, "VERSION") }, { { 0 } } },
	[IMS_TRACE_V_MODEL] = { "model", VF_SETUP | VF_ONCE, 0, X_PLAIN,
		{ PW(VT_WORD, 0, "MODEL", w_model) }, { { 0 } } },
	[IMS_TRACE_V_SET] = { "set", VF_SETUP | VF_RAWKEYS, 0, X_PLAIN, { { 0 } }, { { 0 } } },

	/* ---- Simulated memory ---- */
	[IMS_TRACE_V_MEM_WRITE] = { "mem.write", VF_MACHINE, 0, X_PLAIN,
		{ P(VT_HEX, "ADDR"), P(VT_HEXBYTES, "HEXBYTES") }, { { 0 } } },
	MEM_WRITE(8), MEM_WRITE(16), MEM_WRITE(32), MEM_WRITE(64),
	MEM_READ(8), MEM_READ(16), MEM_READ(32), MEM_READ(64),
	[IMS_TRACE_V_MEM_ABORT] = { "mem.abort", VF_EXT | VF_MACHINE, 0, X_PLAIN,
		{ P(VT_RANGE, "START-LAST") }, { { 0 } } },

	/* ---- IOMMU registers ---- */
	MMIO_WRITE(32), MMIO_WRITE(64), MMIO_READ(32), MMIO_READ(64),

	/* ---- Devices and DMA ---- */
	[IMS_TRACE_V_DEVICE] = { "device", VF_MACHINE, 0, X_PLAIN, { P(VT_NEWOBJ, "$name") },
		{ K(SID, VT_HEX, KE_REQ), K(PASID_BITS, VT_DEC, 0), K(ATS, VT_FLAG, 0),
		  K(PRI, VT_FLAG, 0), K(UNIT, VT_DEC, 0) } },
	/* type=, prgi=, last and unit= are extensions (FORMAT.md §dma). */
	[IMS_TRACE_V_DMA] = { "dma", VF_MACHINE, 0, X_DMA,
		{ P(VT_DEV, "DEV"), P(VT_ACCESS, "ACCESS"), P(VT_HEX, "ADDR") },
		{ K(LEN, VT_SIZE, 0), K(PASID, VT_DEC, 0), K(PRIV, VT_FLAG, 0),
		  KW(TYPE, VT_CODE, 0, w_dma_type), K(PRGI, VT_DEC, 0), K(LAST, VT_FLAG, 0),
		  K(UNIT, VT_DEC, 0) } },

	/* ---- API statements (iommufd.md §2) ---- */
	[IMS_TRACE_V_IOAS_ALLOC] = { "ioas.alloc", VF_MACHINE, 0, X_API,
		{ P(VT_NEWOBJ, "$ioas") }, { { 0 } } },
	[IMS_TRACE_V_IOAS_MAP] = { "ioas.map", VF_MACHINE, 0, X_API, { P(VT_OBJ, "$ioas") },
		{ KW(IOVA, VT_HEX_AUTO, KE_REQ, ims_trace_words_auto), K(LEN, VT_SIZE, KE_REQ),
		  K(VA, VT_HEX, KE_REQ), K(PROT, VT_PROT, KE_REQ), K(AS, VT_NEWVAL, 0) } },
	[IMS_TRACE_V_IOAS_UNMAP] = { "ioas.unmap", VF_MACHINE, 0, X_API, { P(VT_OBJ, "$ioas") },
		{ K(IOVA, VT_HEX, KE_REQ), K(LEN, VT_SIZE, KE_REQ), K(UNMAPPED, VT_SIZE, 0) } },
	[IMS_TRACE_V_IOAS_COPY] = { "ioas.copy", VF_MACHINE, 0, X_API, { P(VT_OBJ, "$dst") },
		{ K(SRC, VT_OBJ, KE_REQ), K(SRC_IOVA, VT_HEX, KE_REQ), K(LEN, VT_SIZE, KE_REQ),
		  KW(DST_IOVA, VT_HEX_AUTO, KE_REQ, ims_trace_words_auto), K(AS, VT_NEWVAL, 0),
		  K(PROT, VT_PROT, KE_REQ) } },
	[IMS_TRACE_V_IOAS_ALLOW_IOVAS] = { "ioas.allow_iovas", VF_MACHINE, 0, X_API,
		{ P(VT_OBJ, "$ioas") }, { K(RANGES, VT_RANGES, KE_REQ) } },
	/* num_iovas= (ext): the caller's array capacity, for EMSGSIZE (§2.3). */
	[IMS_TRACE_V_IOAS_IOVA_RANGES] = { "ioas.iova_ranges", VF_MACHINE, 0,
		XB(RANGES) | X_API, { P(VT_OBJ, "$ioas") },
		{ K(ALIGNMENT, VT_SIZE, 0), K(NUM_IOVAS, VT_DEC, 0) } },
	[IMS_TRACE_V_IOAS_RESERVE] = { "ioas.reserve", VF_MACHINE, 0, X_API,
		{ P(VT_OBJ, "$ioas"), P(VT_RANGE, "START-LAST") }, { { 0 } } },
	/* option NAME [OBJ]: huge_pages takes the IOAS, rlimit_mode none (§2.9). */
	[IMS_TRACE_V_OPTION] = { "option", VF_MACHINE | VF_XDEC, 0, XB(VALUE) | X_API,
		{ PW(VT_WORD, 0, "NAME", w_option), PW(VT_OBJ_OR_ID, PE_OPT, "$obj", NULL) },
		{ K(SET, VT_DEC, 0) } },
	[IMS_TRACE_V_HW_INFO] = { "hw_info", VF_MACHINE, 0, X_API, { P(VT_OBJ, "$dev") },
		{ KW(IN_TYPE, VT_CODE, 0, w_hwinfo), KW(TYPE, VT_CODE, 0, w_hwinfo),
		  K(MAX_PASID_LOG2, VT_DEC, 0), K(CAPS, VT_HEX, 0), K(CAP, VT_HEX, 0),
		  K(ECAP, VT_HEX, 0), K(IDR0, VT_HEX, 0), K(IDR1, VT_HEX, 0), K(IDR2, VT_HEX, 0),
		  K(IDR3, VT_HEX, 0), K(IDR4, VT_HEX, 0), K(IDR5, VT_HEX, 0), K(EFR, VT_HEX, 0),
		  K(EFR2, VT_HEX, 0) } },
	[IMS_TRACE_V_HWPT_ALLOC] = { "hwpt.alloc", VF_MACHINE, 0, X_API, { P(VT_NEWOBJ, "$hwpt") },
		{ K(DEV, VT_OBJ, KE_REQ), K(PT, VT_OBJ, KE_REQ), K(NEST_PARENT, VT_FLAG, 0),
		  K(DIRTY, VT_FLAG, 0), K(PASID, VT_FLAG, 0), K(FAULT, VT_OBJ, 0),
		  KW(DATA, VT_WORD, 0, ims_trace_words_data) } },
	[IMS_TRACE_V_DEVICE_BIND] = { "device.bind", VF_MACHINE, 0, X_API,
		{ P(VT_NEWOBJ, "$dev") },
		{ K(SID, VT_HEX, KE_REQ), K(PASID_BITS, VT_DEC, 0), K(ATS, VT_FLAG, 0),
		  K(PRI, VT_FLAG, 0), K(UNIT, VT_DEC, 0) } },
	[IMS_TRACE_V_DEVICE_ATTACH] = { "device.attach", VF_MACHINE, 0, X_API,
		{ P(VT_OBJ, "$dev") }, { K(PT, VT_OBJ, KE_REQ), K(PASID, VT_DEC, 0) } },
	[IMS_TRACE_V_DEVICE_REPLACE] = { "device.replace", VF_MACHINE, 0, X_API,
		{ P(VT_OBJ, "$dev") }, { K(PT, VT_OBJ, KE_REQ), K(PASID, VT_DEC, 0) } },
	[IMS_TRACE_V_DEVICE_DETACH] = { "device.detach", VF_MACHINE, 0, X_API,
		{ P(VT_OBJ, "$dev") }, { K(PASID, VT_DEC, 0) } },
	/* entry_num= checks the count written back (partial completion, §2.15). */
	[IMS_TRACE_V_HWPT_INVALIDATE] = { "hwpt.invalidate", VF_MACHINE, 0, X_API,
		{ P(VT_OBJ, "$hwpt") },
		{ K(ENTRY_NUM, VT_DEC, 0), KW(DATA, VT_WORD, KE_REQ, ims_trace_words_data) } },
	/* enable= is the uAPI flags word: 1 enables, 0 disables (§2.13). */
	[IMS_TRACE_V_HWPT_SET_DIRTY] = { "hwpt.set_dirty", VF_MACHINE, 0, X_API,
		{ P(VT_OBJ, "$hwpt") }, { K(ENABLE, VT_DEC, KE_REQ) } },
	/* dirty= lists the IOVA ranges expected dirty (§2.14). */
	[IMS_TRACE_V_HWPT_GET_DIRTY] = { "hwpt.get_dirty", VF_MACHINE, 0, X_API,
		{ P(VT_OBJ, "$hwpt") },
		{ K(IOVA, VT_HEX, KE_REQ), K(LEN, VT_SIZE, KE_REQ), K(PAGE_SIZE, VT_SIZE, KE_REQ),
		  K(NO_CLEAR, VT_FLAG, 0), K(DIRTY, VT_RANGES, 0) } },
	[IMS_TRACE_V_FAULT_ALLOC] = { "fault.alloc", VF_MACHINE, 0, X_API,
		{ P(VT_NEWOBJ, "$fault") }, { { 0 } } },
	/* One fault group record (§2.16); the keys check its fields, as= binds
	 * its cookie for fault.respond. */
	[IMS_TRACE_V_FAULT_READ] = { "fault.read", VF_MACHINE, 0, X_QREAD, { P(VT_OBJ, "$fault") },
		{ K(AS, VT_NEWVAL, 0), K(DEV, VT_OBJ, 0), K(PASID, VT_DEC, 0), K(ADDR, VT_HEX, 0),
		  K(PERM, VT_PERM, 0), K(GRPID, VT_DEC, 0), K(LAST, VT_FLAG, 0) } },
	[IMS_TRACE_V_FAULT_RESPOND] = { "fault.respond", VF_MACHINE, 0, X_API,
		{ P(VT_OBJ, "$fault") },
		{ K(COOKIE, VT_DEC, KE_REQ), KW(CODE, VT_CODE, KE_REQ, w_resp) } },
	[IMS_TRACE_V_VIOMMU_ALLOC] = { "viommu.alloc", VF_MACHINE, 0, X_API,
		{ P(VT_NEWOBJ, "$viommu") },
		{ K(DEV, VT_OBJ, KE_REQ), K(HWPT, VT_OBJ, KE_REQ), KW(TYPE, VT_CODE, 0, w_viommu) } },
	[IMS_TRACE_V_VDEVICE_ALLOC] = { "vdevice.alloc", VF_MACHINE, 0, X_API,
		{ P(VT_NEWOBJ, "$vdev") },
		{ K(VIOMMU, VT_OBJ, KE_REQ), K(DEV, VT_OBJ, KE_REQ), K(VIRT_ID, VT_HEX, KE_REQ) } },
	[IMS_TRACE_V_VEVENTQ_ALLOC] = { "veventq.alloc", VF_MACHINE, 0, X_API,
		{ P(VT_NEWOBJ, "$veventq") },
		{ K(VIOMMU, VT_OBJ, KE_REQ), KW(TYPE, VT_CODE, KE_REQ, w_veventq),
		  K(DEPTH, VT_DEC, KE_REQ) } },
	/* One vEVENT (§2.20); the keys check it. */
	[IMS_TRACE_V_VEVENTQ_READ] = { "veventq.read", VF_MACHINE, 0, X_QREAD,
		{ P(VT_OBJ, "$veventq") },
		{ K(SEQ, VT_DEC, 0), K(LOST, VT_FLAG, 0), K(CODE, VT_HEX, 0), K(VIRT_ID, VT_HEX, 0),
		  K(ADDR, VT_HEX, 0), K(EVT0, VT_HEX, 0), K(EVT1, VT_HEX, 0), K(EVT2, VT_HEX, 0),
		  K(EVT3, VT_HEX, 0) } },
	[IMS_TRACE_V_HW_QUEUE_ALLOC] = { "hw_queue.alloc", VF_MACHINE, 0, X_API,
		{ P(VT_NEWOBJ, "$hwq") },
		{ K(VIOMMU, VT_OBJ, KE_REQ), KW(TYPE, VT_CODE, KE_REQ, w_hwq),
		  K(INDEX, VT_DEC, KE_REQ), K(IOVA, VT_HEX, KE_REQ), K(LEN, VT_SIZE, KE_REQ) } },
	[IMS_TRACE_V_DESTROY] = { "destroy", VF_MACHINE, 0, X_API, { P(VT_OBJ_OR_ID, "OBJ") },
		{ { 0 } } },

	/* ---- Extensions: guest page-table builder (FORMAT.md §pt) ---- */
	[IMS_TRACE_V_PT_ALLOC] = { "pt.alloc", VF_EXT | VF_MACHINE, 0, X_PLAIN,
		{ P(VT_NEWTABLE, "$table"), P(VT_PTFMT, "FORMAT") },
		{ K(POOL, VT_RANGE, KE_REQ), K(ROOT, VT_HEX, 0), K(VIA, VT_OBJ, 0) } },
	[IMS_TRACE_V_PT_MAP] = { "pt.map", VF_EXT | VF_MACHINE, 0, X_PLAIN,
		{ P(VT_OBJ, "$table"), P(VT_HEX, "IOVA"), P(VT_HEX, "PA"), P(VT_SIZE, "LEN") },
		{ K(PROT, VT_PERM, KE_REQ), K(PGSIZE, VT_SIZE, 0) } },
	[IMS_TRACE_V_PT_UNMAP] = { "pt.unmap", VF_EXT | VF_MACHINE, 0, X_PLAIN,
		{ P(VT_OBJ, "$table"), P(VT_HEX, "IOVA"), P(VT_SIZE, "LEN") }, { { 0 } } },

	/* ---- Extensions: statistics ---- */
	[IMS_TRACE_V_CHECK] = { "check", VF_EXT, 0, X_PLAIN,
		{ P(VT_STR, "STAT"), PW(VT_WORD, 0, "OP", w_cmp), P(VT_DEC, "VALUE") },
		{ K(UNIT, VT_DEC, 0) } },
};

/* Data entries.  hwpt.alloc: the driver data structs of iommufd.md §2.11;
 * hwpt.invalidate: the invalidation entries of §2.15 (AMD has no upstream
 * entry format; cmd0/cmd1 are one 128-bit AMD-Vi command, AMD IOMMU 2.4). */
const struct ims_trace_datadesc ims_trace_datas[] = {
	{ IMS_TRACE_V_HWPT_ALLOC, IMS_TRACE_DATA_VTD_S1, 1, 1,
	  { K(PGTBL, VT_HEX, KE_REQ), K(AW, VT_DEC, KE_REQ), K(FLAGS, VT_HEX, 0),
	    K(SRE, VT_FLAG, 0), K(EAFE, VT_FLAG, 0), K(WPE, VT_FLAG, 0) } },
	{ IMS_TRACE_V_HWPT_ALLOC, IMS_TRACE_DATA_ARM_SMMUV3, 1, 1,
	  { K(STE0, VT_HEX, KE_REQ), K(STE1, VT_HEX, 0) } },
	{ IMS_TRACE_V_HWPT_ALLOC, IMS_TRACE_DATA_AMD_GUEST, 1, 1,
	  { K(DTE0, VT_HEX, KE_REQ), K(DTE1, VT_HEX, 0), K(DTE2, VT_HEX, 0), K(DTE3, VT_HEX, 0) } },
	{ IMS_TRACE_V_HWPT_INVALIDATE, IMS_TRACE_DATA_VTD_S1, 0, 255,
	  { K(ADDR, VT_HEX, KE_REQ), K(NPAGES, VT_DEC, KE_REQ), K(FLAGS, VT_HEX, 0),
	    K(LEAF, VT_FLAG, 0) } },
	{ IMS_TRACE_V_HWPT_INVALIDATE, IMS_TRACE_DATA_ARM_SMMUV3, 0, 255,
	  { K(CMD0, VT_HEX, KE_REQ), K(CMD1, VT_HEX, 0) } },
	{ IMS_TRACE_V_HWPT_INVALIDATE, IMS_TRACE_DATA_AMD_GUEST, 0, 255,
	  { K(CMD0, VT_HEX, KE_REQ), K(CMD1, VT_HEX, 0) } },
};
const unsigned ims_trace_ndatas = sizeof(ims_trace_datas) / sizeof(ims_trace_datas[0]);

const struct ims_trace_datadesc *ims_trace_data_desc(enum ims_trace_verb v, unsigned type)
{
	for (unsigned i = 0; i < ims_trace_ndatas; i++)
		if (ims_trace_datas[i].verb == v && ims_trace_datas[i].type == type)
			return &ims_trace_datas[i];
	return NULL;
}

int ims_trace_keyent_find(const struct ims_trace_keyent *list, unsigned k)
{
	for (int i = 0; list[i].key != IMS_TRACE_K_NONE; i++)
		if (list[i].key == k)
			return i;
	return -1;
}

unsigned ims_trace_words_count(const char *const *words)
{
	unsigned n = 0;
	while (words && words[n])
		n++;
	return n;
}

unsigned ims_trace_npos_max(const struct ims_trace_verbdesc *d)
{
	unsigned n = 0;
	while (n < IMS_TRACE_MAX_POS && d->pos[n].name)
		n++;
	return n;
}

unsigned ims_trace_npos_min(const struct ims_trace_verbdesc *d)
{
	unsigned n = 0;
	while (n < IMS_TRACE_MAX_POS && d->pos[n].name && !(d->pos[n].flags & PE_OPT))
		n++;
	return n;
}

const char *ims_trace_verb_name(enum ims_trace_verb v)
{
	return (unsigned)v < IMS_TRACE_NVERBS ? ims_trace_verbs[v].name : "?";
}

const char *ims_trace_key_name(enum ims_trace_key k)
{
	return (unsigned)k < IMS_TRACE_NKEYS ? ims_trace_key_names[k] : "?";
}

bool ims_trace_verb_is_ext(enum ims_trace_verb v)
{
	return (unsigned)v < IMS_TRACE_NVERBS && (ims_trace_verbs[v].flags & VF_EXT);
}

const char *ims_trace_data_name(enum ims_trace_data d)
{
	return (unsigned)d < IMS_TRACE_NDATA ? ims_trace_words_data[d] : "?";
}

/* ---- errno names ------------------------------------------------------------
 * The values are the host's <errno.h> ones, which is what the API returns
 * (negated).  The list covers every errno iommufd.md names, plus a few that
 * models may report.  EDEADLOCK is accepted as a synonym of EDEADLK. */
static const struct {
	const char *name;
	int err;
} errnos[] = {
	{ "EPERM", EPERM },       { "ENOENT", ENOENT },         { "EIO", EIO },
	{ "ENXIO", ENXIO },       { "E2BIG", E2BIG },           { "EBADF", EBADF },
	{ "EAGAIN", EAGAIN },     { "ENOMEM", ENOMEM },         { "EACCES", EACCES },
	{ "EFAULT", EFAULT },     { "EBUSY", EBUSY },           { "EEXIST", EEXIST },
	{ "ENODEV", ENODEV },     { "EINVAL", EINVAL },         { "ENOTTY", ENOTTY },
	{ "ENOSPC", ENOSPC },     { "ESPIPE", ESPIPE },         { "ERANGE", ERANGE },
	{ "EDEADLK", EDEADLK },   { "ENOSYS", ENOSYS },         { "EOVERFLOW", EOVERFLOW },
	{ "EMSGSIZE", EMSGSIZE }, { "EOPNOTSUPP", EOPNOTSUPP }, { "EADDRINUSE", EADDRINUSE },
	{ "ETIMEDOUT", ETIMEDOUT }, { "EDEADLOCK", EDEADLOCK },
};

const char *ims_trace_errno_name(int err)
{
	for (unsigned i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	return NULL;
}

int ims_trace_errno_from_name(const char *s, size_t len)
{
	for (unsigned i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (strlen(errnos[i].name) == len && !memcmp(errnos[i].name, s, len))
			return errnos[i].err;
	return 0;
}
