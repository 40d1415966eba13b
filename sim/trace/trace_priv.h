/* SPDX-License-Identifier: MIT */
/*
 * sim/trace private: the schema table's shape, shared by the parser, the
 * writer and the statement helpers.  Not for use outside sim/trace.
 */
#ifndef IMS_SIM_TRACE_PRIV_H
#define IMS_SIM_TRACE_PRIV_H

#include "sim/trace.h"

/* How an argument's text is read and written back. */
enum ims_trace_vt {
	VT_FLAG,      /* bare word, no value */
	VT_HEX,       /* number; written in hex (addresses, registers, IDs) */
	VT_DEC,       /* number; written in decimal (counts) */
	VT_SIZE,      /* length-like number: K/M/G accepted and written */
	VT_HEX_AUTO,  /* number or `auto` (A_WORD 0) */
	VT_ACCESS,    /* dma ACCESS: r, w, rw or x */
	VT_PROT,      /* r, w, rw or none */
	VT_PERM,      /* letters from r w x p (in that order), or none */
	VT_OBJ,       /* $name of an object made earlier */
	VT_OBJ_OR_ID, /* $name of an object, or a raw object ID (decimal) */
	VT_NEWOBJ,    /* $name made (bound to an object) by this statement */
	VT_NEWVAL,    /* $name bound to a value by this statement (as=) */
	VT_NEWTABLE,  /* $name bound to a page table: object and value */
	VT_RANGES,    /* START-LAST[,START-LAST...], possibly empty */
	VT_RANGE,     /* exactly one START-LAST */
	VT_WORD,      /* one word of a closed list (A_WORD) */
	VT_CODE,      /* a word of the list (standing for its index) or a number */
	VT_HEXBYTES,  /* mem.write bytes: an even number of hex digits */
	VT_DEV,       /* $name, or sid=N / bdf=BB:DD.F (dma's DEV) */
	VT_STR,       /* a word of [A-Za-z0-9_.]: a statistic name */
	VT_PTFMT,     /* a page-table format of sim/pt's catalogue */
};

/* Key entry flags. */
#define KE_REQ 0x1u /* must be present (in every entry, for data rows) */
#define KE_W 0x2u   /* value must fit in the verb's width (mask=, VALUE) */

struct ims_trace_keyent {
	uint16_t key;  /* enum ims_trace_key; IMS_TRACE_K_NONE ends the list */
	uint8_t vt;    /* enum ims_trace_vt */
	uint8_t flags; /* KE_* */
	const char *const *words; /* VT_WORD / VT_CODE: NULL-terminated list */
};

/* Positional entry flags. */
#define PE_OPT 0x1u /* may be omitted (only trailing ones) */
#define PE_W 0x2u   /* value must fit in the verb's width */

struct ims_trace_posent {
	uint8_t vt;
	uint8_t flags; /* PE_* */
	const char *name; /* for messages: "ADDR", "$ioas"... */
	const char *const *words;
};

/* Verb flags. */
#define VF_EXT 0x01u     /* project extension */
#define VF_SETUP 0x02u   /* must come before every VF_MACHINE statement */
#define VF_MACHINE 0x04u /* touches memory, registers or devices */
#define VF_RAWKEYS 0x08u /* `set`: any KEY=VALUE, kept as text */
#define VF_ONCE 0x10u    /* at most once per trace (model) */
#define VF_XDEC 0x20u    /* expect=VALUE is a count: written in decimal */

#define IMS_TRACE_MAX_VKEYS 20
#define IMS_TRACE_MAX_DKEYS 8

struct ims_trace_verbdesc {
	const char *name;
	uint8_t flags;    /* VF_* */
	uint8_t width;    /* bits of VALUE, mask= and expect=VALUE (0: 64) */
	uint16_t xmask;   /* allowed expect= kinds: bit per enum ims_trace_xkind */
	struct ims_trace_posent pos[IMS_TRACE_MAX_POS]; /* name == NULL ends */
	struct ims_trace_keyent keys[IMS_TRACE_MAX_VKEYS]; /* canonical order */
};

/* The fields of one data= type for one verb. */
struct ims_trace_datadesc {
	uint8_t verb, type;
	uint8_t min_entries, max_entries;
	struct ims_trace_keyent keys[IMS_TRACE_MAX_DKEYS];
};

/* `bdf=` is not a key of its own: it is how sid= may be written. */
#define IMS_TRACE_K_BDF IMS_TRACE_NKEYS

extern const struct ims_trace_verbdesc ims_trace_verbs[IMS_TRACE_NVERBS];
extern const struct ims_trace_datadesc ims_trace_datas[];
extern const unsigned ims_trace_ndatas;
extern const char *const ims_trace_key_names[IMS_TRACE_NKEYS + 1];
extern const char *const ims_trace_words_data[];
extern const char *const ims_trace_words_auto[];

/* The data row for (verb, type), or NULL. */
const struct ims_trace_datadesc *ims_trace_data_desc(enum ims_trace_verb v, unsigned type);
/* Position of key k in a key list (canonical rank), or -1. */
int ims_trace_keyent_find(const struct ims_trace_keyent *list, unsigned k);
/* Number of words in a NULL-terminated list. */
unsigned ims_trace_words_count(const char *const *words);
/* Number of positional entries of a verb, and how many are required. */
unsigned ims_trace_npos_max(const struct ims_trace_verbdesc *d);
unsigned ims_trace_npos_min(const struct ims_trace_verbdesc *d);

/* Character classes (lexical rules of TRACE-FORMAT.md). */
static inline bool ims_trace_is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* ---- Numbers (num.c) ------------------------------------------------------
 * The common shapes, inline for the parser's hot path: up to 16 hex digits
 * after 0x, or up to 19 decimal digits, with no '_' and no suffix.  True with
 * *out set; false for anything else, which ims_trace_parse_num() reads (or
 * refuses). */
extern const uint8_t ims_trace_hexd[256]; /* hex digit value + 1; 0: not one */

/* Eight hexadecimal digits at once (SWAR); the first is the most
 * significant.  False when one is not a hex digit. */
static inline bool ims_trace_hex8(const char *s, uint64_t *out)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__builtin_memcpy(&w, s, 8);
#else
	for (unsigned i = 0; i < 8; i++) /* little-endian load */
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
#endif
	if (w & highs)
		return false;
	/* Bytes within [lo, hi]: the high bit of w + (0x80 - lo) says >= lo,
	 * that of w + (0x7f - hi) says > hi (no carries: every byte < 0x80). */
#define IMS_TRACE_IN(lo, hi) ((w + ones * (0x80 - (lo))) & ~(w + ones * (0x7f - (hi))))
	uint64_t ok = (IMS_TRACE_IN('0', '9') | IMS_TRACE_IN('a', 'f') | IMS_TRACE_IN('A', 'F')) &
		      highs;
#undef IMS_TRACE_IN
	if (ok != highs)
		return false;
	/* Letters have bit 6 set: value = low nibble + 9. */
	uint64_t x = (w & ones * 0x0f) + ((w >> 6) & ones) * 9;
	/* Pack the nibbles, first digit highest: pairs, then quads, then all. */
	x = ((x << 4) | (x >> 8)) & 0x00ff00ff00ff00ffull;
	x = ((x << 8) | (x >> 16)) & 0x0000ffff0000ffffull;
	x = ((x << 16) | (x >> 32)) & 0x00000000ffffffffull;
	*out = x;
	return true;
}

static inline bool ims_trace_num_plain(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len > 2 && s[0] == '0' && s[1] == 'x') {
		s += 2;
		len -= 2;
		if (len > 16)
			return false;
		size_t i = 0, lead = len > 8 ? len - 8 : 0;
		for (; i < lead; i++) {
			unsigned d = (unsigned)ims_trace_hexd[(unsigned char)s[i]] - 1;
			if (d > 15)
				return false;
			v = v << 4 | d;
		}
		if (len - i == 8) { /* addresses: the last eight digits at once */
			uint64_t lo;
			if (!ims_trace_hex8(s + i, &lo))
				return false;
			*out = v << 32 | lo;
			return true;
		}
		for (; i < len; i++) {
			unsigned d = (unsigned)ims_trace_hexd[(unsigned char)s[i]] - 1;
			if (d > 15)
				return false;
			v = v << 4 | d;
		}
		*out = v;
		return true;
	}
	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';
		if (d > 9)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* ---- Line source (read.c) ------------------------------------------------
 * Hands out one line at a time, without its newline, in a writable buffer
 * that stays valid until the next call (the parser decodes hex bytes in
 * place).  The byte after the line is always a control byte (its '\n', or a
 * zero the reader adds), which the tokenizer uses as a sentinel.  Memory: one
 * block buffer (files) and one line buffer that grows to the longest line. */
#define IMS_TRACE_PAD 1
struct ims_trace_reader {
	FILE *fp;
	const char *mem;
	size_t mem_len, mem_off;
	char *blk;
	size_t blk_len, blk_off;
	char *line;
	size_t line_cap, carry;
	bool eof;
	size_t bytes; /* host bytes held */
};

int ims_trace_reader_init_file(struct ims_trace_reader *r, FILE *f);
void ims_trace_reader_init_mem(struct ims_trace_reader *r, const void *buf, size_t len);
void ims_trace_reader_fini(struct ims_trace_reader *r);
/* 1 and the line, 0 at the end, or -EIO (read error), -ENOMEM, -E2BIG (a line
 * longer than IMS_TRACE_MAX_LINE). */
int ims_trace_reader_next(struct ims_trace_reader *r, char **line, size_t *len);

/* ---- The parser (parse.c: statements; values.c: argument values) -------- */

#define IMS_TRACE_NAME_MAX 255 /* longest $name, without the '$' */
#define IMS_TRACE_MAX_DEFS 4   /* names one statement may make */

/* One token of the line being parsed: it points into the line. */
struct ims_trace_tok {
	char *s;
	uint32_t len;
	uint32_t eq; /* offset of the first '=', or UINT32_MAX */
};

/* What the token being read is, for messages. */
struct ims_trace_ctx {
	const struct ims_trace_verbdesc *d;
	const struct ims_trace_tok *t; /* the whole token */
	const char *what;              /* "ADDR", "len", "expect" */
	unsigned width;                /* bits a literal must fit in (0: 64) */
};

/* A $name this statement makes; bound once the whole line has parsed. */
struct ims_trace_def {
	const char *s;
	uint32_t len;
	uint8_t kind;
	int8_t pos;   /* positional index, or -1 for a key=value */
	uint32_t kvi; /* kv index (when pos < 0), kept up to date by insertions */
};

#define IMS_TRACE_VERB_BUCKETS 128u
#define IMS_TRACE_KEY_BUCKETS 256u

struct ims_trace_parser {
	char *file;
	struct ims_trace_reader rd;
	struct ims_trace_names *names;
	uint64_t lineno;

	struct ims_trace_arg *kv; /* key=value array (canonical order) */
	uint32_t *kvrank;         /* group << 16 | schema position, per kv */
	uint32_t nkv, capkv;
	struct ims_trace_range *ranges; /* range lists of the statement */
	uint32_t nranges, capranges;
	uint32_t xranges_off; /* expect= list's offset, fixed up at the end */

	struct ims_trace_def defs[IMS_TRACE_MAX_DEFS];
	unsigned ndefs;

	/* The last object $name looked up (a trace's DMAs name one device again
	 * and again): its text and slot.  Emptied whenever a name is (re)made. */
	char nc_text[24];
	uint32_t nc_len;
	int32_t nc_slot;

	/* Schema look-up, built at open: hash buckets holding index + 1, and
	 * per verb its positional counts and each key's place in its row. */
	uint8_t verb_idx[IMS_TRACE_VERB_BUCKETS];
	uint8_t key_idx[IMS_TRACE_KEY_BUCKETS];
	uint8_t verb_len[IMS_TRACE_NVERBS];
	uint8_t key_len[IMS_TRACE_NKEYS + 1];
	uint8_t npos_min[IMS_TRACE_NVERBS], npos_max[IMS_TRACE_NVERBS];
	bool has_req[IMS_TRACE_NVERBS];
	int8_t vrank[IMS_TRACE_NVERBS][IMS_TRACE_NKEYS + 1];
	/* Byte classes: 0 token text, 1 blank, 2 '#', 3 control, 4 '='. */
	uint8_t cls[256];

	/* Trace-level state for the ordering rules. */
	bool seen_header;
	uint64_t machine_line; /* first statement touching memory/registers/devices */
	enum ims_trace_verb machine_verb;
	uint64_t model_line;

	bool failed;
	uint64_t err_line;
	size_t err_msg_off;
	char err[512];
	char quote[2][96];
	size_t bytes; /* host bytes held outside rd and names */
};

/* Records "FILE:LINE: message" and returns IMS_TRACE_ERROR. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int ims_trace_fail(struct ims_trace_parser *p, const char *fmt, ...);
/* A token made safe to print ('...', escaped, cut when long), in one of two
 * scratch buffers (which = 0 or 1). */
const char *ims_trace_quote(struct ims_trace_parser *p, unsigned which, const char *s, size_t len);
/* Grows an array to hold `need` elements, counting the bytes. */
int ims_trace_grow(void **arr, uint32_t *cap, uint32_t need, size_t elem, size_t *bytes);

/* values.c: one argument of type vt (enum ims_trace_vt) into *a; `pos` is
 * the positional index (-1 for a key) and kvi the kv index, for names made
 * here.  0, or IMS_TRACE_ERROR with the message recorded. */
int ims_trace_read_arg(struct ims_trace_parser *p, const struct ims_trace_ctx *c, uint8_t vt,
		       const char *const *words, char *s, size_t len, struct ims_trace_arg *a,
		       int pos, uint32_t kvi);
int ims_trace_read_val(struct ims_trace_parser *p, const struct ims_trace_ctx *c, const char *s,
		       size_t len, bool size, struct ims_trace_val *v);
int ims_trace_read_expect(struct ims_trace_parser *p, const struct ims_trace_ctx *c,
			  const char *s, size_t len, struct ims_trace_expect *x);
/* dma's DEV as sid=N / bdf=BB:DD.F, and any bdf= value: BB:DD.F in hex. */
int ims_trace_parse_bdf(const char *s, size_t len, uint64_t *sid);
/* Index of s[0..len) in a NULL-terminated word list, or -1. */
int ims_trace_find_word(const char *const *w, const char *s, size_t len);

#endif
