/* SPDX-License-Identifier: MIT */
/*
 * sim/trace/names — the $name table (contract: sim/trace.h).
 *
 * Names are interned once: an open-addressing hash table (FNV-1a, linear
 * probing, kept at most half full) maps the text to a dense slot number, and
 * the text lives in fixed-size chunks that never move, so the strings handed
 * out stay valid for the table's life.  A trace that reuses its names costs
 * nothing per line; memory grows only with the number of distinct names.
 */
#include "sim/trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES 4096u

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char text[];
};

struct slot {
	const char *str;
	uint32_t len;
	uint32_t hash;
	uint8_t kind; /* IMS_TRACE_NAME_* */
	uint8_t verb;
	uint64_t line;
};

struct ims_trace_names {
	int32_t *index;  /* hash buckets: slot + 1, 0 = empty */
	uint32_t nbuckets;
	struct slot *slots;
	uint32_t nslots, capslots;
	struct chunk *chunks;
	size_t bytes;
};

static uint32_t fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

struct ims_trace_names *ims_trace_names_new(void)
{
	struct ims_trace_names *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->nbuckets = 64;
	n->index = calloc(n->nbuckets, sizeof(*n->index));
	if (!n->index) {
		free(n);
		return NULL;
	}
	n->bytes = sizeof(*n) + n->nbuckets * sizeof(*n->index);
	return n;
}

void ims_trace_names_free(struct ims_trace_names *n)
{
	if (!n)
		return;
	while (n->chunks) {
		struct chunk *c = n->chunks;
		n->chunks = c->next;
		free(c);
	}
	free(n->slots);
	free(n->index);
	free(n);
}

static int32_t lookup(const struct ims_trace_names *n, const char *s, size_t len, uint32_t h,
		      uint32_t *bucket)
{
	uint32_t mask = n->nbuckets - 1;
	for (uint32_t b = h & mask;; b = (b + 1) & mask) {
		int32_t e = n->index[b];
		if (!e) {
			*bucket = b;
			return -1;
		}
		const struct slot *sl = &n->slots[e - 1];
		if (sl->hash == h && sl->len == len) {
			/* Names are short: compare inline rather than call memcmp. */
			size_t i = 0;
			while (i < len && sl->str[i] == s[i])
				i++;
			if (i == len)
				return e - 1;
		}
	}
}

static int grow_index(struct ims_trace_names *n)
{
	uint32_t nb = n->nbuckets * 2;
	int32_t *idx = calloc(nb, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (uint32_t i = 0; i < n->nslots; i++) {
		uint32_t b = n->slots[i].hash & (nb - 1);
		while (idx[b])
			b = (b + 1) & (nb - 1);
		idx[b] = (int32_t)i + 1;
	}
	free(n->index);
	n->bytes += (size_t)(nb - n->nbuckets) * sizeof(*idx);
	n->index = idx;
	n->nbuckets = nb;
	return 0;
}

/* Copies the text into a chunk; NULL when out of memory. */
static const char *store(struct ims_trace_names *n, const char *s, size_t len)
{
	struct chunk *c = n->chunks;
	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > CHUNK_BYTES ? len + 1 : CHUNK_BYTES;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = n->chunks;
		n->chunks = c;
		n->bytes += sizeof(*c) + cap;
	}
	char *p = c->text + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

int ims_trace_names_intern(struct ims_trace_names *n, const char *s, size_t len)
{
	if (len > UINT32_MAX)
		return -EINVAL;
	uint32_t h = fnv1a(s, len), b;
	int32_t slot = lookup(n, s, len, h, &b);
	if (slot >= 0)
		return slot;
	if (n->nslots >= INT32_MAX - 1)
		return -ENOMEM;
	if ((n->nslots + 1) * 2 > n->nbuckets) {
		if (grow_index(n))
			return -ENOMEM;
		lookup(n, s, len, h, &b);
	}
	if (n->nslots == n->capslots) {
		uint32_t cap = n->capslots ? n->capslots * 2 : 16;
		struct slot *sl = realloc(n->slots, cap * sizeof(*sl));
		if (!sl)
			return -ENOMEM;
		n->bytes += (size_t)(cap - n->capslots) * sizeof(*sl);
		n->slots = sl;
		n->capslots = cap;
	}
	const char *str = store(n, s, len);
	if (!str)
		return -ENOMEM;
	n->slots[n->nslots] = (struct slot){ .str = str, .len = (uint32_t)len, .hash = h };
	n->index[b] = (int32_t)n->nslots + 1;
	return (int)n->nslots++;
}

int ims_trace_names_find(const struct ims_trace_names *n, const char *s, size_t len)
{
	uint32_t b;
	if (len > UINT32_MAX)
		return -1;
	return lookup(n, s, len, fnv1a(s, len), &b);
}

unsigned ims_trace_names_count(const struct ims_trace_names *n)
{
	return n->nslots;
}

const char *ims_trace_names_str(const struct ims_trace_names *n, int slot)
{
	return slot >= 0 && (uint32_t)slot < n->nslots ? n->slots[slot].str : NULL;
}

unsigned ims_trace_names_kind(const struct ims_trace_names *n, int slot)
{
	return slot >= 0 && (uint32_t)slot < n->nslots ? n->slots[slot].kind : 0;
}

enum ims_trace_verb ims_trace_names_verb(const struct ims_trace_names *n, int slot)
{
	return slot >= 0 && (uint32_t)slot < n->nslots ? (enum ims_trace_verb)n->slots[slot].verb
						       : IMS_TRACE_NVERBS;
}

uint64_t ims_trace_names_line(const struct ims_trace_names *n, int slot)
{
	return slot >= 0 && (uint32_t)slot < n->nslots ? n->slots[slot].line : 0;
}

int ims_trace_names_define(struct ims_trace_names *n, int slot, unsigned kind,
			   enum ims_trace_verb verb, uint64_t line)
{
	if (slot < 0 || (uint32_t)slot >= n->nslots || (unsigned)verb >= IMS_TRACE_NVERBS)
		return -EINVAL;
	n->slots[slot].kind = (uint8_t)kind;
	n->slots[slot].verb = (uint8_t)verb;
	n->slots[slot].line = line;
	return 0;
}

size_t ims_trace_names_mem_bytes(const struct ims_trace_names *n)
{
	return n->bytes;
}
