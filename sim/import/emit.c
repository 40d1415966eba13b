/* SPDX-License-Identifier: MIT */
/*
 * sim/import/emit — the statements an import writes, built as parsed
 * statements and printed by the trace writer (sim/trace.h), so the output is
 * canonical and always parses again.  Each statement is followed by a
 * comment naming the capture line and event it came from (traces/FORMAT.md,
 * "Importers"); the comment is the only text this file writes itself.
 */
#include "sim/import/import_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static struct ims_trace_arg val(enum ims_trace_key k, uint64_t v)
{
	return (struct ims_trace_arg){ .key = (uint16_t)k, .type = IMS_TRACE_A_VAL,
				       .v = { v, IMS_TRACE_NO_NAME } };
}

static struct ims_trace_arg name(enum ims_trace_key k, int slot)
{
	return (struct ims_trace_arg){ .key = (uint16_t)k, .type = IMS_TRACE_A_NAME,
				       .v = { 0, slot } };
}

static struct ims_trace_arg flag(enum ims_trace_key k)
{
	return (struct ims_trace_arg){ .key = (uint16_t)k, .type = IMS_TRACE_A_FLAG,
				       .v = { 0, IMS_TRACE_NO_NAME } };
}

static struct ims_trace_stmt stmt(enum ims_trace_verb v)
{
	return (struct ims_trace_stmt){ .verb = v, .data = -1 };
}

void imp_emit(struct imp *im, const struct ims_trace_stmt *st, const struct imp_event *ev,
	      const char *tag)
{
	char buf[512], *big = NULL;
	const char *text = buf;
	int n;

	if (im->scan || im->io_error)
		return;
	n = ims_trace_format(buf, sizeof(buf), st, im->names);
	if (n < 0) {
		/* The importer built a statement the schema refuses: a bug
		 * here, never the capture's fault.  Say so, write nothing. */
		imp_count(im->rep, IMS_IMPORT_T_NOTES, "internal error: statement refused by the writer");
		return;
	}
	if ((size_t)n >= sizeof(buf)) {
		big = malloc((size_t)n + 1);
		if (!big) {
			im->oom = true;
			return;
		}
		ims_trace_format(big, (size_t)n + 1, st, im->names);
		text = big;
	}
	if (fputs(text, im->out) == EOF)
		im->io_error = true;
	if (ev)
		fprintf(im->out, " # %" PRIu64 " %s%s%s", ev->line, ev->name ? ev->name : "?",
			tag ? " " : "", tag ? tag : "");
	if (fputc('\n', im->out) == EOF)
		im->io_error = true;
	free(big);
	imp_count(im->rep, IMS_IMPORT_T_WRITTEN, ims_trace_verb_name(st->verb));
}

void imp_emit_header(struct imp *im, int model, int vtd_mode)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_HEADER);

	st.npos = 1;
	st.pos[0] = val(IMS_TRACE_K_NONE, 1);
	imp_emit(im, &st, NULL, NULL);
	if (model < 0)
		return;
	st = stmt(IMS_TRACE_V_MODEL);
	st.npos = 1;
	st.pos[0] = (struct ims_trace_arg){ .type = IMS_TRACE_A_WORD,
					    .v = { (uint64_t)model, IMS_TRACE_NO_NAME } };
	imp_emit(im, &st, NULL, NULL);
	if (model != IMS_TRACE_MODEL_VTD || vtd_mode < 0)
		return;
	/* The guest's translation mode, so the model reports the fault
	 * reasons of that mode (VT-d SPEC 7.1.3: legacy and scalable-mode
	 * reasons differ). */
	const char *mode = vtd_mode ? "scalable" : "legacy";
	struct ims_trace_arg kv = { .key = IMS_TRACE_K_RAW, .type = IMS_TRACE_A_STR,
				    .n = (uint32_t)strlen(mode), .p.str = mode,
				    .kstr = "mode", .klen = 4 };
	st = stmt(IMS_TRACE_V_SET);
	st.kv = &kv;
	st.nkv = 1;
	imp_emit(im, &st, NULL, NULL);
}

void imp_emit_ioas_alloc(struct imp *im, int ioas, const struct imp_event *ev)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_IOAS_ALLOC);

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, ioas);
	imp_emit(im, &st, ev, NULL);
}

void imp_emit_bind(struct imp *im, int dev, uint32_t sid, bool pri, bool pasid,
		   const struct imp_event *ev)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_DEVICE_BIND);
	struct ims_trace_arg kv[4];
	unsigned n = 0;

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, dev);
	kv[n++] = val(IMS_TRACE_K_SID, sid);
	/* A device that issued page requests does PRI, which needs ATS (PCIe
	 * 10.4); one that tagged them with a PASID has 20 PASID bits, the PCIe
	 * maximum (PCIe 6.20). */
	if (pasid)
		kv[n++] = val(IMS_TRACE_K_PASID_BITS, 20);
	if (pri) {
		kv[n++] = flag(IMS_TRACE_K_ATS);
		kv[n++] = flag(IMS_TRACE_K_PRI);
	}
	st.kv = kv;
	st.nkv = n;
	imp_emit(im, &st, ev, NULL);
}

void imp_emit_attach(struct imp *im, bool replace, int dev, int ioas, const struct imp_event *ev)
{
	struct ims_trace_stmt st = stmt(replace ? IMS_TRACE_V_DEVICE_REPLACE : IMS_TRACE_V_DEVICE_ATTACH);
	struct ims_trace_arg kv[1] = { name(IMS_TRACE_K_PT, ioas) };

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, dev);
	st.kv = kv;
	st.nkv = 1;
	imp_emit(im, &st, ev, NULL);
}

void imp_emit_detach(struct imp *im, int dev, const struct imp_event *ev)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_DEVICE_DETACH);

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, dev);
	imp_emit(im, &st, ev, NULL);
}

void imp_emit_map(struct imp *im, int ioas, uint64_t iova, uint64_t len, uint64_t va,
		  unsigned prot, const struct imp_event *ev, const char *tag)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_IOAS_MAP);
	struct ims_trace_arg kv[4] = {
		val(IMS_TRACE_K_IOVA, iova), val(IMS_TRACE_K_LEN, len), val(IMS_TRACE_K_VA, va),
		val(IMS_TRACE_K_PROT, prot),
	};

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, ioas);
	st.kv = kv;
	st.nkv = 4;
	imp_emit(im, &st, ev, tag);
}

void imp_emit_unmap(struct imp *im, int ioas, uint64_t iova, uint64_t len, uint64_t unmapped,
		    const struct imp_event *ev, const char *tag)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_IOAS_UNMAP);
	struct ims_trace_arg kv[3] = {
		val(IMS_TRACE_K_IOVA, iova), val(IMS_TRACE_K_LEN, len),
		val(IMS_TRACE_K_UNMAPPED, unmapped),
	};

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, ioas);
	st.kv = kv;
	st.nkv = 3;
	imp_emit(im, &st, ev, tag);
}

void imp_emit_dma(struct imp *im, int dev, const struct imp_dma *d, const struct imp_event *ev,
		  const char *tag)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_DMA);
	struct ims_trace_arg kv[6];
	unsigned n = 0;

	st.npos = 3;
	st.pos[0] = name(IMS_TRACE_K_NONE, dev);
	st.pos[1] = val(IMS_TRACE_K_NONE, d->access);
	st.pos[2] = val(IMS_TRACE_K_NONE, d->addr);
	if (d->len != 4) /* the contract's default */
		kv[n++] = val(IMS_TRACE_K_LEN, d->len);
	if (d->has_pasid)
		kv[n++] = val(IMS_TRACE_K_PASID, d->pasid);
	if (d->priv)
		kv[n++] = flag(IMS_TRACE_K_PRIV);
	if (d->page_request) {
		kv[n++] = val(IMS_TRACE_K_TYPE, IMS_TRACE_DMA_PAGE_REQUEST);
		kv[n++] = val(IMS_TRACE_K_PRGI, d->prgi);
		if (d->last)
			kv[n++] = flag(IMS_TRACE_K_LAST);
	}
	st.kv = kv;
	st.nkv = n;
	st.expect = d->expect;
	imp_emit(im, &st, ev, tag);
}

void imp_emit_fault_alloc(struct imp *im, int fault, const struct imp_event *ev)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_FAULT_ALLOC);

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, fault);
	imp_emit(im, &st, ev, NULL);
}

void imp_emit_hwpt_pasid(struct imp *im, int hwpt, int dev, int ioas, int fault,
			 const struct imp_event *ev)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_HWPT_ALLOC);
	struct ims_trace_arg kv[4] = {
		name(IMS_TRACE_K_DEV, dev), name(IMS_TRACE_K_PT, ioas), flag(IMS_TRACE_K_PASID),
		name(IMS_TRACE_K_FAULT, fault),
	};

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, hwpt);
	st.kv = kv;
	st.nkv = fault >= 0 ? 4 : 3;
	imp_emit(im, &st, ev, NULL);
}

void imp_emit_attach_pasid(struct imp *im, int dev, int hwpt, uint32_t pasid,
			   const struct imp_event *ev)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_DEVICE_ATTACH);
	struct ims_trace_arg kv[2] = { name(IMS_TRACE_K_PT, hwpt), val(IMS_TRACE_K_PASID, pasid) };

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, dev);
	st.kv = kv;
	st.nkv = 2;
	imp_emit(im, &st, ev, NULL);
}

void imp_emit_fault_read(struct imp *im, int fault, int cookie, int dev, bool has_pasid,
			 uint32_t pasid, uint32_t grpid, const struct imp_event *ev)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_FAULT_READ);
	struct ims_trace_arg kv[4];
	unsigned n = 0;

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, fault);
	if (cookie >= 0)
		kv[n++] = name(IMS_TRACE_K_AS, cookie);
	kv[n++] = name(IMS_TRACE_K_DEV, dev);
	if (has_pasid)
		kv[n++] = val(IMS_TRACE_K_PASID, pasid);
	kv[n++] = val(IMS_TRACE_K_GRPID, grpid);
	st.kv = kv;
	st.nkv = n;
	imp_emit(im, &st, ev, NULL);
}

void imp_emit_fault_respond(struct imp *im, int fault, int cookie, unsigned code,
			    const struct imp_event *ev)
{
	struct ims_trace_stmt st = stmt(IMS_TRACE_V_FAULT_RESPOND);
	struct ims_trace_arg kv[2] = {
		{ .key = IMS_TRACE_K_COOKIE, .type = IMS_TRACE_A_VAL, .v = { 0, cookie } },
		val(IMS_TRACE_K_CODE, code),
	};

	st.npos = 1;
	st.pos[0] = name(IMS_TRACE_K_NONE, fault);
	st.kv = kv;
	st.nkv = 2;
	imp_emit(im, &st, ev, NULL);
}
