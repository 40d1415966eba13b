/* SPDX-License-Identifier: MIT */
/*
 * sim/trace/num — numbers as the trace contract writes them
 * (shared/TRACE-FORMAT.md "Lexical rules"): decimal, or hexadecimal after
 * `0x`; `_` may separate digits (only between two digits: `0x1_0000`, not
 * `_1`, `1_`, `1__0` or `0x_1`); length-like values also take a K, M or G
 * suffix (2^10, 2^20, 2^30).  Decimal has no octal reading: `010` is ten.
 */
#include "sim/trace/trace_priv.h"

#include <errno.h>
#include <string.h>

#define D(c, v) [c] = (v) + 1
const uint8_t ims_trace_hexd[256] = {
	D('0', 0), D('1', 1), D('2', 2), D('3', 3), D('4', 4), D('5', 5), D('6', 6), D('7', 7),
	D('8', 8), D('9', 9), D('a', 10), D('b', 11), D('c', 12), D('d', 13), D('e', 14),
	D('f', 15), D('A', 10), D('B', 11), D('C', 12), D('D', 13), D('E', 14), D('F', 15),
};
#undef D

/* The general reader: underscores, overflow, every malformed shape. */
static int parse_slow(const char *s, size_t len, unsigned base, uint64_t *out)
{
	uint64_t v = 0;
	bool range = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned d = base == 16 ? (unsigned)ims_trace_hexd[c] - 1 : (unsigned)c - '0';
		if (d >= base) {
			/* '_' only between two digits of the number itself. */
			if (c != '_' || i == 0 || i + 1 == len || s[i + 1] == '_')
				return -EINVAL;
			continue;
		}
		if (base == 16) {
			if (v >> 60)
				range = true;
			v = (v << 4) | d;
		} else {
			if (v > (UINT64_MAX - d) / 10)
				range = true;
			v = v * 10 + d;
		}
	}
	/* Malformed text wins over overflow: the message names the real fault. */
	if (range)
		return -ERANGE;
	*out = v;
	return 0;
}

int ims_trace_parse_num(const char *s, size_t len, bool size, uint64_t *out)
{
	unsigned shift = 0;
	if (size && len > 0) {
		switch (s[len - 1]) {
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		default: break;
		}
		if (shift)
			len--;
	}
	if (len == 0)
		return -EINVAL;

	/* The common shapes first (trace_priv.h), then everything else. */
	uint64_t v = 0;
	if (!ims_trace_num_plain(s, len, &v)) {
		unsigned base = 10;
		if (len >= 2 && s[0] == '0' && s[1] == 'x') {
			base = 16;
			s += 2;
			len -= 2;
			if (len == 0)
				return -EINVAL;
		}
		int rc = parse_slow(s, len, base, &v);
		if (rc)
			return rc;
	}
	if (shift) {
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
		v <<= shift;
	}
	*out = v;
	return 0;
}
