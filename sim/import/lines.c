/* SPDX-License-Identifier: MIT */
/*
 * sim/import/lines — the physical lines of a capture, with a few lines of
 * look-ahead (re-joining lines a mail client wrapped needs to see the next
 * ones) and the marks of pasted text removed: a trailing CR, and the quote
 * prefixes of mail replies (`> `, `>> `, `| `; traces.md §1.1 "Pasted text
 * is often wrapped or prefixed").
 */
#include "sim/import/import_priv.h"

#include <stdlib.h>
#include <string.h>

#define LOOKAHEAD 8

struct qline {
	char *s;
	size_t cap;
	uint64_t no;
};

struct imp_lines {
	FILE *f;
	long long start;    /* stream offset of the first line (rewind) */
	const char *buf;    /* or a memory buffer */
	size_t len, pos;
	struct qline q[LOOKAHEAD];
	unsigned qh, qn;
	uint64_t next_no;
	bool eof, err;
	char *gl;
	size_t glcap;
};

struct imp_lines *imp_lines_mem(const void *buf, size_t len)
{
	struct imp_lines *l = calloc(1, sizeof(*l));
	if (l) {
		l->buf = buf;
		l->len = len;
		l->next_no = 1;
	}
	return l;
}

struct imp_lines *imp_lines_file(FILE *f)
{
	struct imp_lines *l = calloc(1, sizeof(*l));
	if (l) {
		l->f = f;
		l->start = ftello(f);
		l->next_no = 1;
	}
	return l;
}

void imp_lines_free(struct imp_lines *l)
{
	if (!l)
		return;
	for (unsigned i = 0; i < LOOKAHEAD; i++)
		free(l->q[i].s);
	free(l->gl);
	free(l);
}

bool imp_lines_rewind(struct imp_lines *l)
{
	l->qh = l->qn = 0;
	l->next_no = 1;
	l->eof = false;
	l->pos = 0;
	if (l->f) {
		clearerr(l->f);
		if (l->start < 0 || fseeko(l->f, (off_t)l->start, SEEK_SET)) {
			l->err = true;
			return false;
		}
	}
	return true;
}

bool imp_lines_error(const struct imp_lines *l)
{
	return l->err;
}

/* The next raw line (without its newline): pointer and length; false at the
 * end or on a read error. */
static bool raw_line(struct imp_lines *l, const char **s, size_t *n)
{
	if (l->f) {
		ssize_t r = getline(&l->gl, &l->glcap, l->f);
		if (r < 0) {
			if (ferror(l->f))
				l->err = true;
			return false;
		}
		*s = l->gl;
		*n = (size_t)r;
	} else {
		if (l->pos >= l->len)
			return false;
		const char *b = l->buf + l->pos, *nl = memchr(b, '\n', l->len - l->pos);
		*s = b;
		*n = nl ? (size_t)(nl - b) + 1 : l->len - l->pos;
		l->pos += *n;
	}
	if (*n && (*s)[*n - 1] == '\n')
		(*n)--;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	return true;
}

/* Strips mail quote prefixes: any run of '>' or '|', each with one blank
 * after it, at the start of the line. */
static size_t unquote(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == '>' || s[i] == '|')) {
		i++;
		if (i < n && s[i] == ' ')
			i++;
	}
	return i;
}

static bool fill(struct imp_lines *l)
{
	const char *s;
	size_t n, skip;
	struct qline *q;

	if (l->eof || l->qn == LOOKAHEAD)
		return false;
	if (!raw_line(l, &s, &n)) {
		l->eof = true;
		return false;
	}
	skip = unquote(s, n);
	q = &l->q[(l->qh + l->qn) % LOOKAHEAD];
	if (q->cap < n - skip + 1) {
		char *p = realloc(q->s, n - skip + 1);
		if (!p) {
			l->err = true;
			l->eof = true;
			return false;
		}
		q->s = p;
		q->cap = n - skip + 1;
	}
	memcpy(q->s, s + skip, n - skip);
	q->s[n - skip] = '\0';
	q->no = l->next_no++;
	l->qn++;
	return true;
}

const char *imp_lines_peek(struct imp_lines *l, unsigned k, uint64_t *no)
{
	if (k >= LOOKAHEAD)
		return NULL;
	while (l->qn <= k)
		if (!fill(l))
			return NULL;
	const struct qline *q = &l->q[(l->qh + k) % LOOKAHEAD];
	if (no)
		*no = q->no;
	return q->s;
}

void imp_lines_drop(struct imp_lines *l, unsigned k)
{
	while (k-- && l->qn) {
		l->qh = (l->qh + 1) % LOOKAHEAD;
		l->qn--;
	}
}
