/* SPDX-License-Identifier: MIT */
/*
 * sim/mem — sparse simulated physical memory (contract: sim/mem.h).
 *
 * Layout:
 *   - A frame is 4 KiB of host memory, allocated on the first write that
 *     touches it and released by ims_mem_zero over the whole frame.
 *   - The frame table is an open-addressing hash table (linear probing,
 *     backward-shift deletion, so no tombstones) keyed by frame number.
 *   - In front of it sits a direct-mapped cache of frame pointers indexed by
 *     the low bits of the frame number folded with the next higher bits, so
 *     that consecutive frames never collide and neither do naturally aligned
 *     blocks (tables at 256 KiB or 2 MiB strides would all land in one slot
 *     with the plain low bits).  Every path that releases a frame
 *     drops its cache slot first, so the cache never holds a pointer to freed
 *     host memory.
 *
 * Frame numbers are 52 bits (a 64-bit address minus the 12-bit offset); all
 * address arithmetic is modulo 2^64 so that accesses past the top wrap to 0.
 */
#include "sim/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_MASK (IMS_FRAME_SIZE - 1)
#define FN_BITS (64 - IMS_FRAME_SHIFT)
#define FN_MASK ((1ull << FN_BITS) - 1)

#define FCACHE_BITS 6
#define FCACHE_SIZE (1u << FCACHE_BITS)

#define TABLE_MIN_BITS 8

/* Little-endian in simulated memory whatever the host is. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(x) __builtin_bswap16(x)
#define LE32(x) __builtin_bswap32(x)
#define LE64(x) __builtin_bswap64(x)
#else
#define LE16(x) (x)
#define LE32(x) (x)
#define LE64(x) (x)
#endif

/* A frame-table slot, and a frame-cache entry: empty when data is NULL
 * (frame number 0 is a valid key, so the key cannot mark emptiness). */
struct slot {
	uint64_t fn;
	uint8_t *data;
};

struct abort_range {
	uint64_t first, last; /* inclusive */
};

struct ims_mem {
	struct slot fcache[FCACHE_SIZE];
	struct slot *table;
	unsigned table_bits;
	size_t nframes;
	struct abort_range aborts[IMS_MEM_MAX_ABORTS];
	unsigned naborts;
	struct ims_mem_counters ctr;
};

static const uint8_t zero8[8];

/* An out-of-range kind is a caller bug; count it as software (DRIVER) rather
 * than index outside the counter arrays. */
static inline unsigned kind_ix(enum ims_mem_kind k)
{
	return (unsigned)k < IMS_MEM_NKINDS ? (unsigned)k : IMS_MEM_DRIVER;
}

static inline void count_read(struct ims_mem *m, enum ims_mem_kind k, uint64_t bytes)
{
	unsigned i = kind_ix(k);
	m->ctr.reads[i]++;
	m->ctr.read_bytes[i] += bytes;
}

static inline void count_write(struct ims_mem *m, enum ims_mem_kind k, uint64_t bytes)
{
	unsigned i = kind_ix(k);
	m->ctr.writes[i]++;
	m->ctr.write_bytes[i] += bytes;
}

/* Running out of host memory is not a simulated condition the callers could
 * report meaningfully; stop loudly instead of corrupting simulated state. */
static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);
	if (!p) {
		fputs("iommusim: out of host memory for simulated physical memory\n", stderr);
		abort();
	}
	return p;
}

/* ---- frame table ---------------------------------------------------------- */

static inline size_t table_cap(const struct ims_mem *m)
{
	return (size_t)1 << m->table_bits;
}

/* Fibonacci hashing: frame numbers are often consecutive, the multiply spreads
 * them over the top bits. */
static inline size_t table_home(const struct ims_mem *m, uint64_t fn)
{
	return (size_t)((fn * 0x9e3779b97f4a7c15ull) >> (64 - m->table_bits));
}

static struct slot *table_find(const struct ims_mem *m, uint64_t fn)
{
	size_t mask = table_cap(m) - 1;
	for (size_t i = table_home(m, fn);; i = (i + 1) & mask) {
		struct slot *s = &m->table[i];
		if (!s->data)
			return NULL;
		if (s->fn == fn)
			return s;
	}
}

/* Inserts a frame known to be absent; the table has room (load < 5/8). */
static void table_put(struct ims_mem *m, uint64_t fn, uint8_t *data)
{
	size_t mask = table_cap(m) - 1;
	size_t i = table_home(m, fn);
	while (m->table[i].data)
		i = (i + 1) & mask;
	m->table[i].fn = fn;
	m->table[i].data = data;
}

static void table_grow(struct ims_mem *m)
{
	struct slot *old = m->table;
	size_t oldcap = table_cap(m);
	m->table = xcalloc(oldcap * 2, sizeof(*m->table));
	m->table_bits++;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].data)
			table_put(m, old[i].fn, old[i].data);
	free(old);
}

/* Backward-shift deletion: after emptying slot `hole`, move later members of
 * the probe run back so that every key stays reachable from its home slot. */
static void table_remove_slot(struct ims_mem *m, size_t hole)
{
	size_t mask = table_cap(m) - 1;
	m->table[hole].data = NULL;
	for (size_t j = (hole + 1) & mask; m->table[j].data; j = (j + 1) & mask) {
		size_t home = table_home(m, m->table[j].fn);
		/* Entry j may fill the hole iff its home is not cyclically in
		 * (hole, j]. */
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			m->table[hole] = m->table[j];
			m->table[j].data = NULL;
			hole = j;
		}
	}
}

static inline struct slot *fcache_slot(struct ims_mem *m, uint64_t fn)
{
	return &m->fcache[(fn ^ (fn >> FCACHE_BITS) ^ (fn >> (2 * FCACHE_BITS))) &
			  (FCACHE_SIZE - 1)];
}

static inline void fcache_drop(struct ims_mem *m, uint64_t fn)
{
	struct slot *c = fcache_slot(m, fn);
	if (c->data && c->fn == fn)
		c->data = NULL;
}

/* ---- frame look-up (the hot path) ----------------------------------------- */

/* The frame holding frame number fn, or NULL when it was never written. */
static inline uint8_t *frame_get(struct ims_mem *m, uint64_t fn)
{
	struct slot *c = fcache_slot(m, fn);
	if (c->data && c->fn == fn) {
		m->ctr.fast_hits++;
		return c->data;
	}
	m->ctr.slow_lookups++;
	struct slot *s = table_find(m, fn);
	if (!s)
		return NULL;
	*c = *s;
	return s->data;
}

/* Like frame_get, but allocates a zeroed frame on first touch. */
static inline uint8_t *frame_get_alloc(struct ims_mem *m, uint64_t fn)
{
	uint8_t *d = frame_get(m, fn);
	if (d)
		return d;
	if ((m->nframes + 1) * 8 > table_cap(m) * 5)
		table_grow(m);
	d = xcalloc(1, IMS_FRAME_SIZE);
	table_put(m, fn, d);
	m->nframes++;
	struct slot *c = fcache_slot(m, fn);
	c->fn = fn;
	c->data = d;
	return d;
}

static void frame_release(struct ims_mem *m, uint64_t fn)
{
	struct slot *s = table_find(m, fn);
	if (!s)
		return;
	uint8_t *d = s->data;
	fcache_drop(m, fn);
	table_remove_slot(m, (size_t)(s - m->table));
	m->nframes--;
	free(d);
}

/* Releases every allocated frame whose number is in [fn0, fn0 + n) modulo
 * 2^52 by rebuilding the table in one pass. */
static void frames_release_scan(struct ims_mem *m, uint64_t fn0, uint64_t n)
{
	struct slot *old = m->table;
	size_t cap = table_cap(m);
	m->table = xcalloc(cap, sizeof(*m->table));
	for (size_t i = 0; i < cap; i++) {
		if (!old[i].data)
			continue;
		if (((old[i].fn - fn0) & FN_MASK) < n) {
			free(old[i].data);
			m->nframes--;
		} else {
			table_put(m, old[i].fn, old[i].data);
		}
	}
	free(old);
	memset(m->fcache, 0, sizeof(m->fcache));
}

/* ---- uncounted byte copies, any length, wrapping --------------------------- */

static void copy_out(struct ims_mem *m, uint64_t pa, uint8_t *dst, size_t len)
{
	while (len) {
		size_t off = (size_t)(pa & FRAME_MASK);
		size_t chunk = IMS_FRAME_SIZE - off;
		if (chunk > len)
			chunk = len;
		const uint8_t *d = frame_get(m, pa >> IMS_FRAME_SHIFT);
		if (d)
			memcpy(dst, d + off, chunk);
		else
			memset(dst, 0, chunk);
		dst += chunk;
		pa += chunk; /* modulo 2^64: wraps to 0 */
		len -= chunk;
	}
}

static void copy_in(struct ims_mem *m, uint64_t pa, const uint8_t *src, size_t len)
{
	while (len) {
		size_t off = (size_t)(pa & FRAME_MASK);
		size_t chunk = IMS_FRAME_SIZE - off;
		if (chunk > len)
			chunk = len;
		memcpy(frame_get_alloc(m, pa >> IMS_FRAME_SHIFT) + off, src, chunk);
		src += chunk;
		pa += chunk;
		len -= chunk;
	}
}

/* n bytes at pa: a pointer into the frame when the access stays inside one
 * (the fast case), else gathered into tmp. */
static inline const uint8_t *rd_ptr(struct ims_mem *m, uint64_t pa, unsigned n, uint8_t *tmp)
{
	size_t off = (size_t)(pa & FRAME_MASK);
	if (off <= IMS_FRAME_SIZE - n) {
		const uint8_t *d = frame_get(m, pa >> IMS_FRAME_SHIFT);
		return d ? d + off : zero8;
	}
	copy_out(m, pa, tmp, n);
	return tmp;
}

static inline void wr_bytes(struct ims_mem *m, uint64_t pa, const void *src, unsigned n)
{
	size_t off = (size_t)(pa & FRAME_MASK);
	if (off <= IMS_FRAME_SIZE - n)
		memcpy(frame_get_alloc(m, pa >> IMS_FRAME_SHIFT) + off, src, n);
	else
		copy_in(m, pa, src, n);
}

/* ---- life cycle -------------------------------------------------------------- */

struct ims_mem *ims_mem_new(void)
{
	struct ims_mem *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->table_bits = TABLE_MIN_BITS;
	m->table = calloc(table_cap(m), sizeof(*m->table));
	if (!m->table) {
		free(m);
		return NULL;
	}
	return m;
}

void ims_mem_free(struct ims_mem *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < table_cap(m); i++)
		free(m->table[i].data);
	free(m->table);
	free(m);
}

/* ---- plain accessors ------------------------------------------------------- */

uint8_t ims_mem_read8(struct ims_mem *m, uint64_t pa, enum ims_mem_kind k)
{
	count_read(m, k, 1);
	const uint8_t *d = frame_get(m, pa >> IMS_FRAME_SHIFT);
	return d ? d[pa & FRAME_MASK] : 0;
}

uint16_t ims_mem_read16(struct ims_mem *m, uint64_t pa, enum ims_mem_kind k)
{
	uint8_t tmp[2];
	uint16_t v;
	count_read(m, k, 2);
	memcpy(&v, rd_ptr(m, pa, 2, tmp), 2);
	return LE16(v);
}

uint32_t ims_mem_read32(struct ims_mem *m, uint64_t pa, enum ims_mem_kind k)
{
	uint8_t tmp[4];
	uint32_t v;
	count_read(m, k, 4);
	memcpy(&v, rd_ptr(m, pa, 4, tmp), 4);
	return LE32(v);
}

uint64_t ims_mem_read64(struct ims_mem *m, uint64_t pa, enum ims_mem_kind k)
{
	uint8_t tmp[8];
	uint64_t v;
	count_read(m, k, 8);
	memcpy(&v, rd_ptr(m, pa, 8, tmp), 8);
	return LE64(v);
}

void ims_mem_write8(struct ims_mem *m, uint64_t pa, uint8_t v, enum ims_mem_kind k)
{
	count_write(m, k, 1);
	frame_get_alloc(m, pa >> IMS_FRAME_SHIFT)[pa & FRAME_MASK] = v;
}

void ims_mem_write16(struct ims_mem *m, uint64_t pa, uint16_t v, enum ims_mem_kind k)
{
	count_write(m, k, 2);
	v = LE16(v);
	wr_bytes(m, pa, &v, 2);
}

void ims_mem_write32(struct ims_mem *m, uint64_t pa, uint32_t v, enum ims_mem_kind k)
{
	count_write(m, k, 4);
	v = LE32(v);
	wr_bytes(m, pa, &v, 4);
}

void ims_mem_write64(struct ims_mem *m, uint64_t pa, uint64_t v, enum ims_mem_kind k)
{
	count_write(m, k, 8);
	v = LE64(v);
	wr_bytes(m, pa, &v, 8);
}

void ims_mem_read(struct ims_mem *m, uint64_t pa, void *buf, size_t len, enum ims_mem_kind k)
{
	count_read(m, k, len);
	copy_out(m, pa, buf, len);
}

void ims_mem_write(struct ims_mem *m, uint64_t pa, const void *buf, size_t len,
		   enum ims_mem_kind k)
{
	count_write(m, k, len);
	copy_in(m, pa, buf, len);
}

void ims_mem_zero(struct ims_mem *m, uint64_t pa, uint64_t len, enum ims_mem_kind k)
{
	count_write(m, k, len);

	/* Head: a partial first frame is cleared in place (if it exists). */
	size_t off = (size_t)(pa & FRAME_MASK);
	if (off && len) {
		uint64_t chunk = IMS_FRAME_SIZE - off;
		if (chunk > len)
			chunk = len;
		uint8_t *d = frame_get(m, pa >> IMS_FRAME_SHIFT);
		if (d)
			memset(d + off, 0, (size_t)chunk);
		pa += chunk;
		len -= chunk;
	}

	/* Whole frames are released; an unwritten frame already reads zero.
	 * A range wider than the table is cheaper to handle by one pass over
	 * the table than by a look-up per frame (and zeroing the whole 64-bit
	 * space must not take 2^52 steps). */
	uint64_t fn0 = pa >> IMS_FRAME_SHIFT;
	uint64_t nfull = len >> IMS_FRAME_SHIFT;
	if (!m->nframes) {
		/* nothing to release */
	} else if (nfull > table_cap(m)) {
		frames_release_scan(m, fn0, nfull);
	} else {
		for (uint64_t i = 0; i < nfull; i++)
			frame_release(m, (fn0 + i) & FN_MASK);
	}
	pa += nfull << IMS_FRAME_SHIFT;
	len &= FRAME_MASK;

	/* Tail: a partial last frame, cleared in place. */
	if (len) {
		uint8_t *d = frame_get(m, pa >> IMS_FRAME_SHIFT);
		if (d)
			memset(d, 0, (size_t)len);
	}
}

/* ---- abort ranges and hardware-side accessors ------------------------------ */

int ims_mem_add_abort(struct ims_mem *m, uint64_t first, uint64_t last)
{
	if (last < first)
		return -EINVAL;
	if (m->naborts >= IMS_MEM_MAX_ABORTS)
		return -ENOSPC;
	m->aborts[m->naborts].first = first;
	m->aborts[m->naborts].last = last;
	m->naborts++;
	return 0;
}

void ims_mem_clear_aborts(struct ims_mem *m)
{
	m->naborts = 0;
}

static bool overlaps_abort(const struct ims_mem *m, uint64_t first, uint64_t last)
{
	for (unsigned i = 0; i < m->naborts; i++)
		if (m->aborts[i].first <= last && first <= m->aborts[i].last)
			return true;
	return false;
}

bool ims_mem_aborts(const struct ims_mem *m, uint64_t pa, uint64_t len)
{
	if (!len || !m->naborts)
		return false;
	uint64_t last = pa + (len - 1);
	if (last >= pa)
		return overlaps_abort(m, pa, last);
	/* The access wraps past 2^64 - 1: check both pieces. */
	return overlaps_abort(m, pa, UINT64_MAX) || overlaps_abort(m, 0, last);
}

bool ims_mem_fetch64(struct ims_mem *m, uint64_t pa, enum ims_mem_kind k, uint64_t *out)
{
	if (ims_mem_aborts(m, pa, 8)) {
		count_read(m, k, 8);
		m->ctr.aborts++;
		return false;
	}
	uint64_t v = ims_mem_read64(m, pa, k);
	if (out)
		*out = v;
	return true;
}

bool ims_mem_fetch(struct ims_mem *m, uint64_t pa, void *buf, size_t len, enum ims_mem_kind k)
{
	count_read(m, k, len);
	if (ims_mem_aborts(m, pa, len)) {
		m->ctr.aborts++;
		return false;
	}
	copy_out(m, pa, buf, len);
	return true;
}

bool ims_mem_store64(struct ims_mem *m, uint64_t pa, uint64_t v, enum ims_mem_kind k)
{
	if (ims_mem_aborts(m, pa, 8)) {
		count_write(m, k, 8);
		m->ctr.aborts++;
		return false;
	}
	ims_mem_write64(m, pa, v, k);
	return true;
}

bool ims_mem_store(struct ims_mem *m, uint64_t pa, const void *buf, size_t len,
		   enum ims_mem_kind k)
{
	count_write(m, k, len);
	if (ims_mem_aborts(m, pa, len)) {
		m->ctr.aborts++;
		return false;
	}
	copy_in(m, pa, buf, len);
	return true;
}

/* ---- introspection ------------------------------------------------------------ */

size_t ims_mem_frames(const struct ims_mem *m)
{
	return m->nframes;
}

const struct ims_mem_counters *ims_mem_counters(const struct ims_mem *m)
{
	return &m->ctr;
}

void ims_mem_reset_counters(struct ims_mem *m)
{
	memset(&m->ctr, 0, sizeof(m->ctr));
}

const char *ims_mem_kind_name(enum ims_mem_kind k)
{
	static const char *const names[IMS_MEM_NKINDS] = {
		[IMS_MEM_WALK] = "walk",
		[IMS_MEM_CONFIG] = "config",
		[IMS_MEM_QUEUE] = "queue",
		[IMS_MEM_DATA] = "data",
		[IMS_MEM_DRIVER] = "driver",
		[IMS_MEM_ORACLE] = "oracle",
	};
	return (unsigned)k < IMS_MEM_NKINDS ? names[k] : "invalid";
}
