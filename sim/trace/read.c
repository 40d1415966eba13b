/* SPDX-License-Identifier: MIT */
/*
 * sim/trace/read — splits a stream or a memory buffer into lines.
 *
 * Files are read in 64 KiB blocks; a line that lies wholly inside the block
 * is handed out in place (no copy), a line that straddles blocks is gathered
 * in the line buffer.  Memory buffers are const, so their lines are copied
 * into the line buffer (the parser writes into lines).  A trace of any
 * length is read with these two buffers only: "traces may have millions of
 * lines and must stream" (TRACE-FORMAT.md, Lexical rules).
 */
#include "sim/trace/trace_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_BYTES (64u << 10)

int ims_trace_reader_init_file(struct ims_trace_reader *r, FILE *f)
{
	memset(r, 0, sizeof(*r));
	r->fp = f;
	r->blk = malloc(BLOCK_BYTES);
	if (!r->blk)
		return -ENOMEM;
	r->bytes = BLOCK_BYTES;
	return 0;
}

void ims_trace_reader_init_mem(struct ims_trace_reader *r, const void *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->mem = buf;
	r->mem_len = buf ? len : 0;
}

void ims_trace_reader_fini(struct ims_trace_reader *r)
{
	free(r->blk);
	free(r->line);
	r->blk = r->line = NULL;
}

/* Appends s[0..n) to the line being gathered. */
static int append(struct ims_trace_reader *r, const char *s, size_t n)
{
	if (n > IMS_TRACE_MAX_LINE || r->carry > IMS_TRACE_MAX_LINE - n)
		return -E2BIG;
	size_t need = r->carry + n + IMS_TRACE_PAD;
	if (need > r->line_cap) {
		size_t cap = r->line_cap ? r->line_cap : 256;
		while (cap < need)
			cap *= 2;
		char *l = realloc(r->line, cap);
		if (!l)
			return -ENOMEM;
		r->bytes += cap - r->line_cap;
		r->line = l;
		r->line_cap = cap;
	}
	memcpy(r->line + r->carry, s, n);
	r->carry += n;
	memset(r->line + r->carry, 0, IMS_TRACE_PAD);
	return 0;
}

static int next_mem(struct ims_trace_reader *r, char **line, size_t *len)
{
	if (r->mem_off >= r->mem_len)
		return 0;
	const char *s = r->mem + r->mem_off;
	size_t left = r->mem_len - r->mem_off;
	const char *nl = memchr(s, '\n', left);
	size_t n = nl ? (size_t)(nl - s) : left;
	r->mem_off += nl ? n + 1 : n;
	r->carry = 0;
	int rc = append(r, s, n);
	if (rc)
		return rc;
	*line = r->line;
	*len = n;
	return 1;
}

static int next_file(struct ims_trace_reader *r, char **line, size_t *len)
{
	for (;;) {
		if (r->blk_off < r->blk_len) {
			char *s = r->blk + r->blk_off;
			size_t left = r->blk_len - r->blk_off;
			char *nl = memchr(s, '\n', left);
			if (nl) {
				size_t n = (size_t)(nl - s);
				r->blk_off += n + 1;
				if (!r->carry) {
					/* In place: the '\n' follows the line. */
					*line = s;
					*len = n;
					return 1;
				}
				int rc = append(r, s, n);
				if (rc)
					return rc;
				*line = r->line;
				*len = r->carry;
				r->carry = 0;
				return 1;
			}
			int rc = append(r, s, left);
			if (rc)
				return rc;
			r->blk_off = r->blk_len;
		}
		if (r->eof) {
			if (!r->carry)
				return 0;
			*line = r->line;
			*len = r->carry;
			r->carry = 0;
			return 1;
		}
		size_t got = fread(r->blk, 1, BLOCK_BYTES, r->fp);
		r->blk_off = 0;
		r->blk_len = got;
		if (got < BLOCK_BYTES) {
			if (ferror(r->fp))
				return -EIO;
			if (got == 0)
				r->eof = true;
		}
	}
}

int ims_trace_reader_next(struct ims_trace_reader *r, char **line, size_t *len)
{
	return r->fp ? next_file(r, line, len) : next_mem(r, line, len);
}
