/* SPDX-License-Identifier: MIT */
/*
 * sim/import/import — runs an import (contract: sim/import.h): two passes
 * over the capture's records, a look-ahead window of decoded events in
 * front of the scenario builder, the counts of the report, and the device
 * table both passes share.
 *
 * A record is one line, or a line a mail client wrapped joined back with
 * the lines after it: when a line that starts an event does not decode, up
 * to three following lines that start nothing are appended one by one, and
 * the first join that decodes is taken (traces.md §5.1 "Normalize").
 */
#include "sim/import/import_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 512  /* events decoded ahead of the one being built */
#define JOIN_MAX 3  /* continuation lines tried for a wrapped record */

void ims_import_opts_init(struct ims_import_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->model = -1;
	o->synth = IMS_IMPORT_SYNTH_SWEEP;
}

void imp_event_clear(struct imp_event *ev)
{
	free(ev->segs);
	memset(ev, 0, sizeof(*ev));
	ev->dev = -1;
	ev->ts = ev->pid = -1;
	ev->code = -1;
	ev->code_model = -1;
}

/* ---- Devices ---------------------------------------------------------------- */

static int new_dev(struct imp *im, const char *s, size_t len)
{
	struct imp_dev *d;

	if (im->ndevs == im->capdevs) {
		size_t cap = im->capdevs ? im->capdevs * 2 : 16;
		void *p = realloc(im->devs, cap * sizeof(*im->devs));
		if (!p) {
			im->oom = true;
			return -1;
		}
		im->devs = p;
		im->capdevs = cap;
	}
	d = &im->devs[im->ndevs];
	memset(d, 0, sizeof(*d));
	d->name = malloc(len + 1);
	if (!d->name) {
		im->oom = true;
		return -1;
	}
	memcpy(d->name, s, len);
	d->name[len] = '\0';
	d->gid = -1;
	d->slot = -1;
	d->ioas = -1;
	d->fault = -1;
	return (int)im->ndevs++;
}

int imp_dev_by_name(struct imp *im, const char *s, size_t len)
{
	uint32_t seg = 0, sid = 0;
	bool pci = imp_pci(s, len, &seg, &sid);
	int i;

	for (size_t k = 0; k < im->ndevs; k++) {
		const struct imp_dev *d = &im->devs[k];
		if (pci ? d->pci && d->seg == seg && d->sid == sid
			: !d->pci && strlen(d->name) == len && !memcmp(d->name, s, len))
			return (int)k;
	}
	i = new_dev(im, s, len);
	if (i < 0)
		return -1;
	im->devs[i].pci = pci;
	im->devs[i].has_sid = pci;
	im->devs[i].seg = seg;
	im->devs[i].sid = sid;
	for (unsigned k = 0; !pci && k < im->opts.nsids; k++)
		if (strlen(im->opts.sids[k].name) == len && !memcmp(im->opts.sids[k].name, s, len)) {
			im->devs[i].sid = im->opts.sids[k].sid;
			im->devs[i].has_sid = true;
		}
	return i;
}

int imp_dev_by_sid(struct imp *im, uint32_t sid)
{
	char name[16];
	int i;

	for (size_t k = 0; k < im->ndevs; k++)
		if (im->devs[k].pci && !im->devs[k].seg && im->devs[k].sid == sid)
			return (int)k;
	snprintf(name, sizeof(name), "%02x:%02x.%x", (sid >> 8) & 0xff, (sid >> 3) & 0x1f, sid & 7);
	i = new_dev(im, name, strlen(name));
	if (i >= 0) {
		im->devs[i].pci = im->devs[i].has_sid = true;
		im->devs[i].sid = sid & 0xffff;
	}
	return i;
}

/* ---- Records ------------------------------------------------------------------ */

struct buf {
	char *s;
	size_t cap;
};

static bool buf_set(struct imp *im, struct buf *b, const char *a, const char *sep, const char *c)
{
	size_t la = strlen(a), ls = sep ? strlen(sep) : 0, lc = c ? strlen(c) : 0;

	if (la + ls + lc + 1 > b->cap) {
		bool self = a == b->s; /* appending to itself */
		char *p = realloc(b->s, la + ls + lc + 1);
		if (!p) {
			im->oom = true;
			return false;
		}
		if (self)
			a = p;
		b->s = p;
		b->cap = la + ls + lc + 1;
	}
	memmove(b->s, a, la);
	if (ls)
		memcpy(b->s + la, sep, ls);
	if (lc)
		memcpy(b->s + la + ls, c, lc);
	b->s[la + ls + lc] = '\0';
	return true;
}

static void event_name(const struct imp_dec_info *info, char *nm, size_t n)
{
	size_t l = info->name ? info->namelen : 0;

	if (!l) {
		snprintf(nm, n, "line");
		return;
	}
	snprintf(nm, n, "%.*s", (int)(l < 64 ? l : 64), info->name);
}

static void account(struct imp *im, enum imp_dec res, const struct imp_event *ev,
		    const struct imp_dec_info *info, uint64_t no, unsigned used)
{
	struct ims_import_report *r = im->rep;
	char nm[80], key[120];

	if (im->scan)
		return;
	r->lines += used;
	if (used > 1)
		imp_count(r, IMS_IMPORT_T_NOTES, "event re-joined from lines a mail client wrapped");
	switch (res) {
	case IMP_DEC_EVENT:
		r->events++;
		imp_count(r, IMS_IMPORT_T_IMPORTED, ev->name);
		break;
	case IMP_DEC_UNKNOWN:
		r->events++;
		event_name(info, nm, sizeof(nm));
		imp_count(r, IMS_IMPORT_T_UNKNOWN, nm);
		break;
	case IMP_DEC_MALFORMED:
		event_name(info, nm, sizeof(nm));
		snprintf(key, sizeof(key), "malformed %s", nm);
		imp_count(r, IMS_IMPORT_T_SKIPPED, key);
		if (im->diag)
			fprintf(im->diag, "%s:%llu: malformed %s: %s\n", im->file,
				(unsigned long long)no, nm, info->msg);
		break;
	case IMP_DEC_SKIP:
		imp_count(r, IMS_IMPORT_T_SKIPPED, info->msg);
		break;
	case IMP_DEC_BLANK:
		imp_count(r, IMS_IMPORT_T_SKIPPED, "blank line");
		break;
	}
}

static enum imp_dec decode_into(struct imp *im, const struct imp_frontend *fe, struct buf *b,
				uint64_t no, struct imp_event *ev, struct imp_dec_info *info)
{
	enum imp_dec r;

	imp_event_clear(ev);
	memset(info, 0, sizeof(*info));
	ev->line = no;
	r = fe->decode(im, b->s, ev, info);
	if (r != IMP_DEC_EVENT)
		imp_event_clear(ev);
	ev->line = no;
	return r;
}

/* Decodes the next record into *ev: 1 an event, 0 none (counted), -1 the
 * end of the capture. */
static int next_record(struct imp *im, struct imp_lines *l, const struct imp_frontend *fe,
		       struct imp_event *ev, struct buf *rec, struct buf *join)
{
	struct imp_dec_info info, jinfo;
	struct imp_event jev = { 0 };
	const char *line;
	uint64_t no;
	unsigned used = 1;
	enum imp_dec r;

	line = imp_lines_peek(l, 0, &no);
	if (!line)
		return -1;
	if (!buf_set(im, rec, line, NULL, NULL))
		return -1;
	r = decode_into(im, fe, rec, no, ev, &info);
	if (r == IMP_DEC_MALFORMED && buf_set(im, join, rec->s, NULL, NULL)) {
		for (unsigned k = 1; k <= JOIN_MAX; k++) {
			const char *nl = imp_lines_peek(l, k, NULL);
			if (!nl)
				break;
			while (*nl == ' ' || *nl == '\t')
				nl++;
			if (!*nl || *nl == '#' || fe->starts_event(im, nl))
				break;
			if (!buf_set(im, join, join->s, " ", nl))
				break;
			struct buf try = { 0 };
			if (!buf_set(im, &try, join->s, NULL, NULL))
				break;
			enum imp_dec jr = decode_into(im, fe, &try, no, &jev, &jinfo);
			free(try.s);
			if (jr == IMP_DEC_EVENT) {
				imp_event_clear(ev);
				*ev = jev;
				r = jr;
				used = k + 1;
				break;
			}
			imp_event_clear(&jev);
		}
	}
	imp_lines_drop(l, used);
	account(im, r, ev, &info, no, used);
	return r == IMP_DEC_EVENT ? 1 : 0;
}

/* One pass: decode, keep WINDOW events ahead, hand the oldest on. */
static void run_pass(struct imp *im, struct imp_lines *l, const struct imp_frontend *fe)
{
	struct imp_event *q = calloc(2 * WINDOW, sizeof(*q));
	struct buf rec = { 0 }, join = { 0 };
	size_t head = 0, n = 0;
	bool eof = false;

	if (!q) {
		im->oom = true;
		return;
	}
	for (;;) {
		while (!eof && n < WINDOW && !im->oom) {
			if (head + n == 2 * WINDOW) {
				/* Slide the window down; the slots it leaves held
				 * copies of moved events, which must not be freed
				 * twice. */
				memmove(q, q + head, n * sizeof(*q));
				memset(q + n, 0, head * sizeof(*q));
				head = 0;
			}
			int r = next_record(im, l, fe, &q[head + n], &rec, &join);
			if (r < 0)
				eof = true;
			else if (r > 0)
				n++;
		}
		if (!n || im->io_error || im->oom)
			break;
		struct imp_event *ev = &q[head];
		if (im->scan)
			imp_scene_learn(im, ev);
		else
			imp_scene_event(im, ev, ev + 1, n - 1);
		imp_event_clear(ev);
		head++;
		n--;
	}
	for (size_t i = 0; i < n; i++)
		imp_event_clear(&q[head + i]);
	free(q);
	free(rec.s);
	free(join.s);
}

/* ---- Imports ---------------------------------------------------------------------- */

static bool opts_ok(const struct ims_import_opts *o)
{
	if (o->model < -1 || o->model > IMS_TRACE_MODEL_AMDVI || (unsigned)o->synth > IMS_IMPORT_SYNTH_NONE ||
	    (o->nsids && !o->sids))
		return false;
	for (unsigned i = 0; i < o->nsids; i++)
		if (!o->sids[i].name || o->sids[i].sid > 0xffff)
			return false;
	return true;
}

static const char *base_name(const char *s)
{
	const char *b = strrchr(s, '/');
	return b ? b + 1 : s;
}

static int run(enum ims_import_format fmt, struct imp_lines *l, const char *name, FILE *out,
	       FILE *diag, const struct ims_import_opts *opts, struct ims_import_report **rep_out)
{
	const struct imp_frontend *fe = fmt == IMS_IMPORT_QEMU ? &imp_qemu : &imp_ftrace;
	struct imp im = { 0 };
	struct ims_import_report *rep;
	int rc = 0;

	rep = calloc(1, sizeof(*rep));
	if (!rep || !(rep->name = strdup(name))) {
		free(rep);
		return -ENOMEM;
	}
	rep->fmt = fmt;
	im.opts = *opts;
	im.file = name;
	im.vtd_scalable = -1;
	im.out = out;
	im.diag = diag;

	/* Pass 1: which devices issue page requests, which group each is in. */
	im.scan = true;
	run_pass(&im, l, fe);
	if (imp_lines_error(l) || !imp_lines_rewind(l))
		rc = -EIO;

	/* Pass 2: the trace. */
	im.scan = false;
	im.rep = rep;
	im.amd_fault_pending = false;
	im.names = ims_trace_names_new();
	im.sc = imp_scene_new(&im);
	if (!rc && (!im.names || !im.sc))
		rc = -ENOMEM;
	if (!rc) {
		fprintf(out, "# iommusim import %s %s\n", fmt == IMS_IMPORT_QEMU ? "qemu" : "ftrace",
			base_name(name));
		imp_scene_begin(&im);
		run_pass(&im, l, fe);
		imp_scene_end(&im);
		if (imp_lines_error(l))
			rc = -EIO;
		if (fflush(out) || ferror(out) || im.io_error)
			rc = -EIO;
		if (im.oom)
			rc = -ENOMEM;
	}
	imp_scene_free(im.sc);
	ims_trace_names_free(im.names);
	for (size_t i = 0; i < im.ndevs; i++)
		free(im.devs[i].name);
	free(im.devs);
	if (rep_out)
		*rep_out = rep;
	else
		ims_import_report_free(rep);
	return rc;
}

static bool args_ok(enum ims_import_format fmt, const char *name, FILE *out,
		    const struct ims_import_opts *opts)
{
	return (fmt == IMS_IMPORT_FTRACE || fmt == IMS_IMPORT_QEMU) && name && out && opts_ok(opts);
}

int ims_import_mem(enum ims_import_format fmt, const void *buf, size_t len, const char *name,
		   FILE *out, FILE *diag, const struct ims_import_opts *opts,
		   struct ims_import_report **rep)
{
	struct ims_import_opts dflt;
	struct imp_lines *l;
	int rc;

	if (rep)
		*rep = NULL;
	if (!opts) {
		ims_import_opts_init(&dflt);
		opts = &dflt;
	}
	if (!args_ok(fmt, name, out, opts) || (!buf && len))
		return -EINVAL;
	l = imp_lines_mem(buf, len);
	if (!l)
		return -ENOMEM;
	rc = run(fmt, l, name, out, diag, opts, rep);
	imp_lines_free(l);
	return rc;
}

int ims_import_stream(enum ims_import_format fmt, FILE *in, const char *name, FILE *out,
		      FILE *diag, const struct ims_import_opts *opts,
		      struct ims_import_report **rep)
{
	struct ims_import_opts dflt;
	struct imp_lines *l;
	FILE *tmp = NULL, *src = in;
	int rc;

	if (rep)
		*rep = NULL;
	if (!opts) {
		ims_import_opts_init(&dflt);
		opts = &dflt;
	}
	if (!in || !args_ok(fmt, name, out, opts))
		return -EINVAL;
	if (ftello(in) < 0 || fseeko(in, ftello(in), SEEK_SET)) {
		/* A pipe: keep a copy to read twice. */
		char chunk[65536];
		size_t n;
		tmp = tmpfile();
		if (!tmp)
			return -EIO;
		while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
			if (fwrite(chunk, 1, n, tmp) != n) {
				fclose(tmp);
				return -EIO;
			}
		if (ferror(in) || fflush(tmp) || fseeko(tmp, 0, SEEK_SET)) {
			fclose(tmp);
			return -EIO;
		}
		src = tmp;
	}
	l = imp_lines_file(src);
	if (!l) {
		if (tmp)
			fclose(tmp);
		return -ENOMEM;
	}
	rc = run(fmt, l, name, out, diag, opts, rep);
	imp_lines_free(l);
	if (tmp)
		fclose(tmp);
	return rc;
}
