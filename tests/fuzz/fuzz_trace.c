/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the trace parser (sim/trace).
 *
 * For every input: parse it to the end or to the first error (an error is a
 * fine outcome; a crash, a sanitizer report or a leak is not), then check the
 * writer on what parsed:
 *   - every statement the parser returns is one the writer accepts;
 *   - the canonical text of those statements parses again, without error,
 *     into equal statements (parse -> write -> parse round trip).
 *
 * Build and run (clang), from the repository root, with SRC the sources of
 * sim/trace, sim/pt, sim/mem.c and sim/palloc.c:
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *         -fno-sanitize-recover=undefined -D_DEFAULT_SOURCE -I. -Iinclude \
 *         tests/fuzz/fuzz_trace.c $SRC -o build/fuzz_trace
 *   build/fuzz_trace -max_len=4096 -max_total_time=300 CORPUS_DIR traces/malformed
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (!t->s)
			abort();
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* Appends the canonical text of st and a newline; aborts if the writer
 * refuses a statement the parser returned. */
static void add_stmt(struct text *t, const struct ims_trace_stmt *st,
		     const struct ims_trace_names *names)
{
	char small[512];
	int n = ims_trace_format(small, sizeof(small), st, names);
	if (n < 0) {
		fprintf(stderr, "writer refused the statement of line %llu\n",
			(unsigned long long)st->line);
		abort();
	}
	if ((size_t)n < sizeof(small)) {
		add(t, small, (size_t)n);
	} else {
		char *big = malloc((size_t)n + 1);
		if (!big || ims_trace_format(big, (size_t)n + 1, st, names) != n)
			abort();
		add(t, big, (size_t)n);
		free(big);
	}
	add(t, "\n", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ims_trace_parser *p = ims_trace_open_mem(data, size, "fuzz.trace");
	if (!p)
		return 0;
	struct text out = { 0 };
	struct ims_trace_stmt st;
	unsigned long n = 0;
	while (ims_trace_next(p, &st) == IMS_TRACE_STMT) {
		add_stmt(&out, &st, ims_trace_parser_names(p));
		n++;
	}
	/* The error text is always a terminated "FILE:LINE: message". */
	if (strlen(ims_trace_error(p)) >= 512)
		abort();
	ims_trace_close(p);

	/* Round trip over the statements that parsed. */
	if (n) {
		struct ims_trace_parser *a = ims_trace_open_mem(data, size, "fuzz.trace");
		struct ims_trace_parser *b = ims_trace_open_mem(out.s, out.len, "canon.trace");
		struct ims_trace_stmt sa, sb;
		for (unsigned long i = 0; i < n; i++) {
			if (ims_trace_next(a, &sa) != IMS_TRACE_STMT)
				abort();
			if (ims_trace_next(b, &sb) != IMS_TRACE_STMT) {
				fprintf(stderr, "canonical text does not parse: %s\n",
					ims_trace_error(b));
				abort();
			}
			if (!ims_trace_stmt_equal(&sa, ims_trace_parser_names(a), &sb,
						  ims_trace_parser_names(b))) {
				fprintf(stderr, "round trip changed line %llu\n",
					(unsigned long long)sa.line);
				abort();
			}
		}
		if (ims_trace_next(b, &sb) != IMS_TRACE_EOF)
			abort();
		ims_trace_close(a);
		ims_trace_close(b);
	}
	free(out.s);
	return 0;
}
