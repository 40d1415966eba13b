/* SPDX-License-Identifier: MIT */
/*
 * One translation step by step (`iommusim walk`, contract: sim/replay.h
 * ims_replay_explain): first what the API state says — the device, what is
 * attached at its RID or PASID, the IOAS area or the guest stage-1 table
 * walked entry by entry (each guest table address through stage 2), the
 * oracle's answer — then the request on the model, with the counters it
 * moved (cache hits and misses, memory reads) and its result.
 *
 * The guest table is read the way the oracle reads it (kind ORACLE: never
 * charged, no accessed/dirty update), so explaining changes nothing the
 * model will see except the request itself.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/replay/replay_priv.h"

static void line_out(void *arg, const char *line)
{
	fprintf((FILE *)arg, "    %s\n", line);
}

struct s2 {
	struct ims_replay *r;
	uint32_t ioas;
	FILE *out;
};

/* Stage 2 of a guest table address, as the oracle does it: the IOAS. */
static enum ims_pt_fault s2_hook(void *arg, unsigned level, uint64_t gpa, uint64_t *pa)
{
	struct s2 *s = arg;

	if (!rp_ioas_xlate(s->r, s->ioas, gpa, pa)) {
		fprintf(s->out, "    stage 2: table at GPA 0x%" PRIx64 " is not mapped in the IOAS\n",
			gpa);
		return IMS_PT_FAULT_NOT_PRESENT;
	}
	return IMS_PT_OK;
}

static const char *name_of(const struct ims_replay *r, const struct rp_obj *o, uint32_t id,
			   char *buf, size_t n)
{
	if (o && o->slot >= 0)
		snprintf(buf, n, "$%s", rp_slot_name(r, o->slot));
	else
		snprintf(buf, n, "(automatic, ID %u)", id);
	return buf;
}

static void explain_ioas(struct ims_replay *r, uint32_t ioas, uint64_t iova, FILE *out,
			 const char *what)
{
	const struct rp_obj *io = rp_obj_get(r, ioas, RPO_IOAS);
	const struct rp_iv *iv = io ? rp_iv_find(&io->mapped, iova) : NULL;
	char nm[80];

	if (!io) {
		fprintf(out, "  %s: no IOAS known to replay\n", what);
		return;
	}
	if (!iv) {
		const struct rp_iv *u = rp_iv_find(&io->unmapped, iova);
		fprintf(out, "  %s: 0x%" PRIx64 " is not mapped in IOAS %s", what, iova,
			name_of(r, io, ioas, nm, sizeof(nm)));
		if (u)
			fprintf(out, " (unmapped at line %" PRIu64 ")", u->line);
		fputc('\n', out);
		return;
	}
	fprintf(out, "  %s: 0x%" PRIx64 " lies in IOAS %s area 0x%" PRIx64 "-0x%" PRIx64
		" (line %" PRIu64 ", %s) from va 0x%" PRIx64 " -> 0x%" PRIx64 "\n", what, iova,
		name_of(r, io, ioas, nm, sizeof(nm)), iv->start, iv->last, iv->line,
		ims_trace_verb_name((enum ims_trace_verb)iv->verb), iv->aux,
		iv->aux + (iova - iv->start));
}

static void explain_vtd_s1(struct ims_replay *r, const struct rp_obj *h, uint64_t iova,
			   unsigned access, FILE *out)
{
	struct ims_pt_x86_cfg cfg = { .oas = 52, .pg1g = true, .flags = IMS_PT_F_SIGN_EXTEND,
				      .levels = h->aw == 57 ? 5 : 4 };
	struct ims_pt_fmt f;
	struct ims_pt_walk w;
	struct s2 s = { r, h->ioas, out };
	struct ims_pt_hooks hooks = { s2_hook, &s };

	if ((h->aw != 48 && h->aw != 57) || ims_pt_fmt_x86_64(&f, &cfg)) {
		fprintf(out, "  stage 1: aw=%u is not 48 or 57: the HWPT cannot translate\n", h->aw);
		return;
	}
	fprintf(out, "  stage 1: guest %s table at GPA 0x%" PRIx64 ", every table address through "
		"stage 2:\n", f.name, h->pgtbl);
	ims_pt_walk(&f, r->mem,
		    &(struct ims_pt_walk_req){ .iova = iova, .access = access, .table = h->pgtbl,
					       .start_level = -1, .perms = IMS_PT_PERM_ALL,
					       .hooks = &hooks, .kind = IMS_MEM_ORACLE },
		    &w);
	for (unsigned i = 0; i < w.nreads; i++)
		if (w.reads[i].table != w.reads[i].pa - 8ull * ims_pt_index(&f, w.reads[i].level, iova))
			fprintf(out, "    (level %u table GPA 0x%" PRIx64 " is HPA 0x%" PRIx64 ")\n",
				w.reads[i].level, w.reads[i].table,
				(uint64_t)(w.reads[i].pa -
					   8ull * ims_pt_index(&f, w.reads[i].level, iova)));
	ims_pt_print_walk(&f, &w, iova, line_out, out);
	if (w.fault == IMS_PT_OK)
		explain_ioas(r, h->ioas, w.oa, out, "stage 2 of the output");
}

/* Counters of the unit, before and after the request: what moved. */
static void deltas(FILE *out, const struct ims_replay_counter *a, unsigned na,
		   const struct ims_replay_counter *b, unsigned nb)
{
	bool any = false;

	for (unsigned i = 0; i < nb; i++) {
		uint64_t before = 0;
		for (unsigned j = 0; j < na; j++)
			if (!strcmp(a[j].name, b[i].name))
				before = a[j].value;
		if (b[i].value == before || !strncmp(b[i].name, "clock.", 6))
			continue;
		fprintf(out, "%s%s +%" PRIu64, any ? ", " : "  counters: ", b[i].name,
			b[i].value - before);
		any = true;
	}
	fprintf(out, any ? "\n" : "  counters: none moved\n");
}

int ims_replay_explain(struct ims_replay *r, const struct ims_replay_xreq *q, FILE *out)
{
	struct ims_dma_req req = { .pasid = q->pasid, .addr = q->addr, .access = q->access,
				   .type = q->type, .sid = q->sid, .unit = q->unit };
	struct ims_dma_result res, orc;
	struct ims_replay_counter *before = NULL, *after = NULL;
	unsigned nb = 0, na = 0;
	uint32_t dev = 0;
	char nm[80], pasid[24];
	bool have_oracle = false;
	int rc;

	if (!r->ctx) {
		fprintf(out, "walk: the trace made no machine before that point\n");
		return -ENOENT;
	}
	if (q->dev) {
		int slot = r->p ? ims_trace_names_find(ims_trace_parser_names(r->p), q->dev,
						       strlen(q->dev)) : -1;
		const struct rp_name *n = slot >= 0 ? rp_slot(r, slot) : NULL;
		if (n && n->kind == RPN_REQUESTER) {
			req.sid = n->sid;
			req.unit = n->unit;
		} else if (n && n->kind == RPN_OBJ && n->verb == IMS_TRACE_V_DEVICE_BIND) {
			const struct rp_obj *d = rp_obj_get(r, n->id, RPO_DEVICE);
			dev = n->id;
			req.sid = d ? d->sid : 0;
			req.unit = d ? d->unit : 0;
		} else {
			fprintf(out, "walk: $%s is not a device of the trace at that point\n", q->dev);
			return -ENOENT;
		}
	}
	if (req.unit >= r->nunits) {
		fprintf(out, "walk: unit %u does not exist\n", req.unit);
		return -ENOENT;
	}
	if (req.pasid == IMS_NO_PASID)
		snprintf(pasid, sizeof(pasid), "no PASID");
	else
		snprintf(pasid, sizeof(pasid), "PASID %" PRIu32, req.pasid);
	fprintf(out, "request: %s%s (unit %u, sid 0x%04x), %s, %s%s%s%s access to 0x%" PRIx64
		" (%s)\n", q->dev ? "$" : "", q->dev ? q->dev : "requester", req.unit, req.sid,
		pasid, (req.access & IMS_PT_ACC_R) ? "r" : "", (req.access & IMS_PT_ACC_W) ? "w" : "",
		(req.access & IMS_PT_ACC_X) ? "x" : "", (req.access & IMS_PT_ACC_PRIV) ? " privileged"
										    : "",
		req.addr, r->model->name);

	/* ---- What the API state says ---- */
	fprintf(out, "API state:\n");
	if (!dev) {
		fprintf(out, "  a requester bound to nothing: the hardware decides from its own "
			"tables (see below)\n");
	} else {
		uint32_t hid = rp_att_get(r, dev, req.pasid);
		const struct rp_obj *h = rp_obj_get(r, hid, RPO_NONE);
		if (!h) {
			fprintf(out, "  nothing attached at the %s: DMA is blocked\n",
				req.pasid == IMS_NO_PASID ? "RID" : "PASID");
		} else if (h->kind == RPO_HWPT_PAGING) {
			fprintf(out, "  attached: paging HWPT %s\n", name_of(r, h, hid, nm, sizeof(nm)));
			explain_ioas(r, h->ioas, req.addr, out, "IOAS");
		} else {
			fprintf(out, "  attached: nested HWPT %s (data=%s) over IOAS ID %u\n",
				name_of(r, h, hid, nm, sizeof(nm)),
				ims_trace_data_name((enum ims_trace_data)h->data), h->ioas);
			if (h->data == IMS_TRACE_DATA_VTD_S1)
				explain_vtd_s1(r, h, req.addr, req.access, out);
			else
				fprintf(out, "  stage 1 of data=%s is not decoded by walk\n",
					ims_trace_data_name((enum ims_trace_data)h->data));
		}
		if (!ims_oracle(r->ctx, dev, req.pasid, req.addr, req.access, &orc)) {
			have_oracle = true;
			if (orc.status == IMS_DMA_OK)
				fprintf(out, "  the oracle says: pa:0x%" PRIx64 "\n", orc.pa);
			else
				fprintf(out, "  the oracle says: fault (%s)\n", rp_xf_name(orc.xfault));
		}
	}

	/* ---- The request on the model ---- */
	fprintf(out, "%s hardware:\n", r->model->name);
	if (rp_model_counters(r, (int)req.unit, &before, &nb)) {
		fprintf(out, "walk: out of memory\n");
		return -ENOMEM;
	}
	req.len = q->type == IMS_DMA_PAGE_REQUEST ? 0 : 4;
	if ((req.addr & 4095) > 4092)
		req.len = (uint32_t)(4096 - (req.addr & 4095));
	rc = dev ? ims_dma(r->ctx, dev, &req, &res) : ims_dma_raw(r->ctx, &req, &res);
	if (rc) {
		fprintf(out, "  the request was refused: %s\n", ims_ctx_errmsg(r->ctx));
		free(before);
		return rc;
	}
	rp_model_counters(r, (int)req.unit, &after, &na);
	deltas(out, before, nb, after, na);
	free(before);
	free(after);
	fprintf(out, "  %s, %u memory reads, %" PRIu64 " cycles\n",
		res.iotlb_hit ? "IOTLB hit" : "IOTLB miss", res.mem_reads, res.cycles);
	switch (res.status) {
	case IMS_DMA_OK:
		fprintf(out, "  result: pa:0x%" PRIx64 " (translation of %u KiB)\n", res.pa,
			res.size_shift >= 10 ? 1u << (res.size_shift - 10) : 0);
		break;
	case IMS_DMA_QUEUED:
		fprintf(out, "  result: queued (page request)\n");
		break;
	case IMS_DMA_STALLED:
		fprintf(out, "  result: stalled\n");
		break;
	default: {
		const char *fn = r->model->fault_name ? r->model->fault_name(res.fault) : NULL;
		fprintf(out, "  result: fault:0x%" PRIx32 "%s%s%s%s\n", res.fault, fn ? " (" : "",
			fn ? fn : "", fn ? ")" : "", res.reported ? ", recorded" : ", not recorded");
		break;
	}
	}
	if (have_oracle && req.type == IMS_DMA_UNTRANSLATED) {
		bool agree = (res.status == IMS_DMA_OK) == (orc.status == IMS_DMA_OK) &&
			     (res.status != IMS_DMA_OK || res.pa == orc.pa);
		fprintf(out, "%s\n", agree ? "the model agrees with the API state"
					   : "the model DISAGREES with the API state");
	}
	return 0;
}
