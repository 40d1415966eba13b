/* SPDX-License-Identifier: MIT */
/*
 * Statements that drive the machine like a hardware test bench: simulated
 * memory (mem.write*, mem.read*, mem.abort), the IOMMU's registers
 * (mmio.*), and requesters (`device`).  Memory is written and read as
 * software does (IMS_MEM_DRIVER: never charged to the IOMMU).
 */
#include <errno.h>
#include <inttypes.h>

#include "sim/replay/replay_priv.h"

static unsigned width_of(enum ims_trace_verb v)
{
	switch (v) {
	case IMS_TRACE_V_MEM_WRITE8: case IMS_TRACE_V_MEM_READ8:
		return 1;
	case IMS_TRACE_V_MEM_WRITE16: case IMS_TRACE_V_MEM_READ16:
		return 2;
	case IMS_TRACE_V_MEM_WRITE32: case IMS_TRACE_V_MEM_READ32: case IMS_TRACE_V_MMIO_WRITE32:
	case IMS_TRACE_V_MMIO_READ32:
		return 4;
	default:
		return 8;
	}
}

/* A read's value against expect= after mask= (TRACE-FORMAT.md). */
static void check_read(struct ims_replay *r, const struct ims_trace_stmt *st, uint64_t val,
		       unsigned width)
{
	const struct ims_trace_arg *m = ims_trace_kv(st, IMS_TRACE_K_MASK);
	uint64_t mask = width == 8 ? ~0ull : (1ull << (8 * width)) - 1, want;
	char w[48], g[48];

	if (st->expect.kind != IMS_TRACE_X_VALUE)
		return;
	if (m && !rp_num(r, st->line, &m->v, &mask))
		return;
	if (!rp_num(r, st->line, &st->expect.v, &want))
		return;
	r->sum.expectations++;
	if ((val & mask) == want)
		return;
	snprintf(w, sizeof(w), "0x%" PRIx64, want);
	snprintf(g, sizeof(g), "0x%" PRIx64, val & mask);
	rp_fail(r, st->line, w, g);
}

static bool unit_of(struct ims_replay *r, const struct ims_trace_stmt *st, unsigned *unit)
{
	const struct ims_trace_arg *u = ims_trace_kv(st, IMS_TRACE_K_UNIT);
	uint64_t v = 0;

	if (u && !rp_num(r, st->line, &u->v, &v))
		return false;
	if (v >= r->nunits) {
		rp_error(r, st->line, "%s: unit=%" PRIu64 " does not exist (the machine has %u)",
			 ims_trace_verb_name(st->verb), v, r->nunits);
		return false;
	}
	*unit = (unsigned)v;
	return true;
}

void rp_machine_stmt(struct ims_replay *r, const struct ims_trace_stmt *st)
{
	const unsigned w = width_of(st->verb);
	uint64_t addr = 0, val = 0;
	unsigned unit = 0;
	int rc;

	if (st->verb != IMS_TRACE_V_DEVICE && st->verb != IMS_TRACE_V_MEM_ABORT &&
	    !rp_num(r, st->line, &st->pos[0].v, &addr))
		return;
	switch (st->verb) {
	case IMS_TRACE_V_MEM_WRITE:
		ims_mem_write(r->mem, addr, st->pos[1].p.bytes, st->pos[1].n, IMS_MEM_DRIVER);
		r->last_mem_write = st->line;
		if (r->o.check)
			rp_track_mem_write(r, addr, st->pos[1].n, st->line, (uint8_t)st->verb);
		break;
	case IMS_TRACE_V_MEM_WRITE8: case IMS_TRACE_V_MEM_WRITE16: case IMS_TRACE_V_MEM_WRITE32:
	case IMS_TRACE_V_MEM_WRITE64:
		if (!rp_num(r, st->line, &st->pos[1].v, &val))
			return;
		if (w == 1)
			ims_mem_write8(r->mem, addr, (uint8_t)val, IMS_MEM_DRIVER);
		else if (w == 2)
			ims_mem_write16(r->mem, addr, (uint16_t)val, IMS_MEM_DRIVER);
		else if (w == 4)
			ims_mem_write32(r->mem, addr, (uint32_t)val, IMS_MEM_DRIVER);
		else
			ims_mem_write64(r->mem, addr, val, IMS_MEM_DRIVER);
		r->last_mem_write = st->line;
		if (r->o.check)
			rp_track_mem_write(r, addr, w, st->line, (uint8_t)st->verb);
		break;
	case IMS_TRACE_V_MEM_READ8: case IMS_TRACE_V_MEM_READ16: case IMS_TRACE_V_MEM_READ32:
	case IMS_TRACE_V_MEM_READ64:
		val = w == 1 ? ims_mem_read8(r->mem, addr, IMS_MEM_DRIVER)
		      : w == 2 ? ims_mem_read16(r->mem, addr, IMS_MEM_DRIVER)
		      : w == 4 ? ims_mem_read32(r->mem, addr, IMS_MEM_DRIVER)
			       : ims_mem_read64(r->mem, addr, IMS_MEM_DRIVER);
		check_read(r, st, val, w);
		break;
	case IMS_TRACE_V_MEM_ABORT: {
		const struct ims_trace_range *rg = st->pos[0].p.ranges;
		uint64_t first, last;
		if (!rp_num(r, st->line, &rg->first, &first) || !rp_num(r, st->line, &rg->last, &last))
			return;
		rc = ims_mem_add_abort(r->mem, first, last);
		rp_outcome(r, st, rc, rc == -ENOSPC ? "too many abort ranges (16 at most)"
				      : rc ? "LAST is below START" : "");
		break;
	}
	case IMS_TRACE_V_MMIO_WRITE32: case IMS_TRACE_V_MMIO_WRITE64:
		if (!rp_num(r, st->line, &st->pos[1].v, &val) || !unit_of(r, st, &unit))
			return;
		rc = ims_mmio_write(r->ctx, unit, addr, w, val);
		rp_outcome(r, st, rc, rc ? "no such register offset, or a misaligned access" : "");
		break;
	case IMS_TRACE_V_MMIO_READ32: case IMS_TRACE_V_MMIO_READ64:
		if (!unit_of(r, st, &unit))
			return;
		rc = ims_mmio_read(r->ctx, unit, addr, w, &val);
		if (rc) {
			char e1[32];
			rp_error(r, st->line, "%s 0x%" PRIx64 ": %s: no such register offset, or a "
				 "misaligned access", ims_trace_verb_name(st->verb), addr,
				 rp_errname(rc, e1, sizeof(e1)));
			return;
		}
		check_read(r, st, val, w);
		break;
	case IMS_TRACE_V_DEVICE: {
		const struct ims_trace_arg *sid = ims_trace_kv(st, IMS_TRACE_K_SID);
		uint64_t s = 0;
		struct rp_name *n;
		if (!sid || !rp_num(r, st->line, &sid->v, &s) || !unit_of(r, st, &unit))
			return;
		if (s > 0xFFFF) {
			rp_error(r, st->line, "device: sid=0x%" PRIx64 " is wider than 16 bits", s);
			return;
		}
		/* A requester: DMA by (unit, sid), bound to nothing (the
		 * driver does not take the unit over for it). */
		rp_bind_val(r, st, st->pos[0].v.name, 0);
		n = rp_slot(r, st->pos[0].v.name);
		if (n) {
			n->kind = RPN_REQUESTER;
			n->has_val = false;
			n->sid = (uint32_t)s;
			n->unit = unit;
		}
		break;
	}
	default:
		break;
	}
}
