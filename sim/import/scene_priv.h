/* SPDX-License-Identifier: MIT */
/*
 * sim/import scene private: the state of the scenario builder (scene.c and
 * the files beside it, each one topic) and what they call in each other.
 * Not for use outside sim/import.
 */
#ifndef IMS_SIM_IMPORT_SCENE_PRIV_H
#define IMS_SIM_IMPORT_SCENE_PRIV_H

#include "sim/import/import_priv.h"

#include "iommusim/iommusim.h"

#define PAGE 4096ull
#define VA_REAL_LIMIT IMS_CTX_DEFAULT_POOL_BASE /* 256 GiB */
#define VA_SYNTH_BASE 0x4100000000ull           /* 260 GiB */
#define VA_SYNTH_END 0x8000000000ull            /* 512 GiB: a 39-bit HAW */
#define PAIR_AHEAD 256                          /* events searched for a map's partner */
#define PAIR_NS 2000000                         /* ... within 2 ms */
#define NHINTS 64
#define X86_MSI_FIRST 0xfee00000ull
#define X86_MSI_LAST 0xfeefffffull
#define SWEEP_MAX (16ull << 20)                 /* longest synthesised access */

struct area {
	uint64_t iova, len, va;
	uint64_t src; /* the capture's address for iova (QEMU), to tell a changed
			 translation from the same one placed at a synthetic va */
	unsigned prot, refs;
	bool from_dma;
};

struct ioas {
	int slot;
	struct area *a;
	size_t n, cap;
	bool used; /* something was mapped in it: an attach event now means a
		      new domain, so a new IOAS */
};

/* What a device's IOAS is keyed by: its group, itself, or (QEMU shadow
 * syncs of an unknown domain) a domain id. */
struct key {
	int gid, dev;
	int64_t domain;
	int ioas;
};

struct pending_write {
	int dev;
	uint64_t dma, size;
	uint64_t line;
	const char *name;
};

struct live_sg {
	int dev;
	uint64_t phys0, nphys;
	struct imp_seg *segs;
	unsigned nsegs;
};

struct hint {
	int64_t pid, ts;
	int dev;
	uint64_t lo, hi;
};

struct pid_dev {
	int64_t pid;
	int dev;
};

/* A PASID attached for page requests, and a page request group not
 * answered yet: open until its last request, then in the fault queue. */
struct pasid_att {
	int dev;
	uint32_t pasid;
};

struct group {
	int dev;
	bool has_pasid, last;
	uint32_t pasid, prgi;
	unsigned n; /* requests in it: iommufd reads one record each */
};

struct imp_scene {
	struct ioas *ioas;
	size_t nioas, capioas;
	struct key *keys;
	size_t nkeys, capkeys;
	int dflt; /* `$ioas`: maps no device could be found for */
	uint64_t va_next;
	struct pending_write *pw;
	size_t npw, cappw;
	struct live_sg *sg;
	size_t nsg, capsg;
	struct hint hints[NHINTS];
	unsigned nhints, hint_pos;
	struct pid_dev *pd;
	size_t npd, cappd;
	struct pasid_att *pa;
	size_t npa, cappa;
	struct group *grp;
	size_t ngrp, capgrp;
};

/* ---- scene.c ------------------------------------------------------------- */

/* Grows a vector to hold one more element; false (and im->oom) when out of
 * memory. */
bool imp_grow(struct imp *im, void **v, size_t *cap, size_t n, size_t elem);
#define GROW(im, v, n, cap) imp_grow(im, (void **)&(v), &(cap), n, sizeof(*(v)))
/* Counts a note of the report (events imported in part or not at all). */
void imp_note(struct imp *im, const char *what);

/* ---- areas.c: names, IOASes and their areas, addresses ------------------- */

/* A fresh trace name: base, or base_2, base_3... when taken; defined with
 * `kind` (IMS_TRACE_NAME_*).  The slot, or -1 (im->oom). */
int imp_new_name_kind(struct imp *im, const char *base, unsigned kind);
int imp_new_name(struct imp *im, const char *base); /* an object name */
/* Makes an IOAS (`ioas.alloc`): its index in sc->ioas, or -1. */
int imp_new_ioas(struct imp *im, const char *base, const struct imp_event *ev);
/* Index of the first area of x that ends after a (x->n when none). */
size_t imp_area_first(const struct ioas *x, uint64_t a);
/* The area of x holding addr, or NULL. */
const struct area *imp_area_at(const struct ioas *x, uint64_t addr);
/* True when [addr, addr + len) is mapped without a hole, with the R/W
 * rights of `access`. */
bool imp_covered(const struct ioas *x, uint64_t addr, uint64_t len, unsigned access);
/* Page-aligned [*a, *b) around [iova, iova + len); false when empty or
 * wrapping. */
bool imp_page_range(uint64_t iova, uint64_t len, uint64_t *a, uint64_t *b);
/* The `va=` for [iova, iova + len): pa when the capture gave one that is
 * usable, else the next address of the synthetic window. */
uint64_t imp_pick_va(struct imp *im, bool has_pa, uint64_t pa, uint64_t iova, uint64_t len);
/* Maps [a, b) of IOAS xi at va (src: the capture's address for a), first
 * unmapping what overlaps; identical maps made for dma events share one
 * area and count references. */
void imp_do_map(struct imp *im, int xi, uint64_t a, uint64_t b, uint64_t va, uint64_t src,
		unsigned prot, bool from_dma, const struct imp_event *ev);
/* Removes every area meeting [a, b) with one ioas.unmap (tagged `tag`);
 * with `keep` the parts outside [a, b) are mapped again.  Bytes unmapped
 * (0: nothing was mapped there, nothing written). */
uint64_t imp_area_remove(struct imp *im, int xi, uint64_t a, uint64_t b, bool keep,
			 const struct imp_event *ev, const char *tag);
/* Unmaps [a, b) of IOAS xi; a shared dma-made area only loses a reference. */
uint64_t imp_do_unmap(struct imp *im, int xi, uint64_t a, uint64_t b, const struct imp_event *ev);

/* ---- devices.c: binding and attaching the capture's devices ---------------- */

/* "c2_00_0" for 0000:c2:00.0; a non-PCI name's letters and digits. */
void imp_dev_suffix(const struct imp_dev *d, char *buf, size_t n);
/* The key (group, device or domain) an IOAS belongs to, made when new:
 * index in sc->keys, or -1. */
int imp_find_key(struct imp *im, int gid, int dev, int64_t domain);
int imp_dev_key(struct imp *im, int dev); /* the device's group or itself */
/* The key's current IOAS, made when it has none; -1 on failure. */
int imp_key_ioas(struct imp *im, int k, const struct imp_event *ev);
/* Binds the device if needed; false when it cannot be used (no sid, or the
 * sid of another), which is noted once. */
bool imp_ensure_bound(struct imp *im, int dev, const struct imp_event *ev);
/* What the device attaches to for IOAS xi: the IOAS, or for a device that
 * attaches PASIDs a PASID-compatible HWPT over it.  Slot, or -1. */
int imp_attach_target(struct imp *im, int dev, int xi, const struct imp_event *ev);
/* Bound and attached to its key's current IOAS: the IOAS index, or -1. */
int imp_ensure_attached(struct imp *im, int dev, const struct imp_event *ev);
/* `$ioas`, for maps no device could be found for (made when first needed). */
int imp_default_ioas(struct imp *im, const struct imp_event *ev);

/* ---- dmas.c: the DMAs a trace replays ---------------------------------------- */

/* The access a DMA direction makes (0 for NONE), and the rights a mapping
 * of that direction has (Linux dma_info_to_prot; RW for NONE). */
unsigned imp_dir_access(enum imp_dir d);
unsigned imp_dir_prot(enum imp_dir d);
/* `dma DEV ACCESS ADDR [len=] expect=pa:` when the device's IOAS maps the
 * range with the rights; otherwise nothing (noted unless `quiet`). */
void imp_emit_access(struct imp *im, int dev, uint64_t addr, uint64_t len, unsigned access,
		     const struct imp_event *ev, const char *tag, bool quiet);
/* A synthesised access to a buffer, as dense as opts.synth says. */
void imp_synth(struct imp *im, int dev, uint64_t addr, uint64_t size, unsigned access,
	       const struct imp_event *ev);
/* A FROM_DEVICE buffer the device will write before it is handed back. */
void imp_add_pending_write(struct imp *im, int dev, const struct imp_seg *s,
			   const struct imp_event *ev);
bool imp_write_pending(const struct imp_scene *sc, int dev, uint64_t dma);
/* Writes the pending buffers of dev meeting [a, b) now, before `now`; now
 * NULL: all of them (end of the capture).  How many were written. */
unsigned imp_flush_writes(struct imp *im, int dev, uint64_t a, uint64_t b,
			  const struct imp_event *now);

/* ---- dmaapi.c: iommu:map/unmap and dma:* events ---------------------------- */

/* The task's last attached device (an unpaired map of that task is its). */
void imp_pid_dev_set(struct imp *im, int64_t pid, int dev);
void imp_on_map(struct imp *im, struct imp_event *ev, struct imp_event *ahead, size_t nahead);
void imp_on_unmap(struct imp *im, const struct imp_event *ev);
void imp_on_dma_map(struct imp *im, struct imp_event *ev);
void imp_on_dma_unmap(struct imp *im, struct imp_event *ev);
void imp_on_dma_sync(struct imp *im, struct imp_event *ev);

/* ---- prq.c: page requests and their answers -------------------------------- */

void imp_on_page_req(struct imp *im, const struct imp_event *ev);
void imp_on_page_resp(struct imp *im, const struct imp_event *ev);

/* ---- translate.c: QEMU translations, shadow syncs and invalidations -------- */

void imp_on_xlate(struct imp *im, const struct imp_event *ev);
void imp_on_shadow(struct imp *im, const struct imp_event *ev);
void imp_on_inval(struct imp *im, const struct imp_event *ev);

#endif
