/* SPDX-License-Identifier: MIT */
/* Format-independent helpers of sim/pt: names, limits, printing a walk. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/pt.h"

const char *ims_pt_fault_name(enum ims_pt_fault f)
{
	static const char *const names[IMS_PT_NFAULTS] = {
		[IMS_PT_OK] = "ok",
		[IMS_PT_FAULT_INPUT] = "input-range",
		[IMS_PT_FAULT_NOT_PRESENT] = "not-present",
		[IMS_PT_FAULT_RESERVED] = "reserved-bit",
		[IMS_PT_FAULT_ADDR_SIZE] = "address-size",
		[IMS_PT_FAULT_LEVEL] = "bad-level",
		[IMS_PT_FAULT_ACCESS_FLAG] = "access-flag",
		[IMS_PT_FAULT_PERMISSION] = "permission",
		[IMS_PT_FAULT_WALK_ABORT] = "walk-abort",
		[IMS_PT_FAULT_NESTED] = "nested-stage",
	};
	return (unsigned)f < IMS_PT_NFAULTS ? names[f] : "unknown";
}

void ims_pt_fmt_limit(struct ims_pt_fmt *f, unsigned max_shift)
{
	uint64_t keep = max_shift >= 63 ? ~0ull : (2ull << max_shift) - 1;

	for (unsigned l = 0; l <= f->top_level; l++)
		f->leaf_shifts[l] &= keep;
}

int ims_pt_describe(const struct ims_pt_fmt *f, unsigned level, uint64_t pte, char *buf,
		    size_t n)
{
	if (f->ops->describe)
		return f->ops->describe(f, level, pte, buf, n);
	return snprintf(buf, n, "0x%016" PRIx64, pte);
}

static const char *level_name(const struct ims_pt_fmt *f, unsigned level)
{
	return level < IMS_PT_MAX_LEVELS && f->level_name[level] ? f->level_name[level] : "?";
}

static void perms_str(uint32_t p, char *buf)
{
	/* "PR PW PX / UR UW UX" as rwx/rwx */
	buf[0] = (p & IMS_PT_PR) ? 'r' : '-';
	buf[1] = (p & IMS_PT_PW) ? 'w' : '-';
	buf[2] = (p & IMS_PT_PX) ? 'x' : '-';
	buf[3] = '/';
	buf[4] = (p & IMS_PT_UR) ? 'r' : '-';
	buf[5] = (p & IMS_PT_UW) ? 'w' : '-';
	buf[6] = (p & IMS_PT_UX) ? 'x' : '-';
	buf[7] = 0;
}

void ims_pt_print_walk(const struct ims_pt_fmt *f, const struct ims_pt_walk *w, uint64_t iova,
		       void (*out)(void *arg, const char *line), void *arg)
{
	char line[320], desc[200], perms[8];

	for (unsigned i = 0; i < w->nreads; i++) {
		const struct ims_pt_read *r = &w->reads[i];

		ims_pt_describe(f, r->level, r->pte, desc, sizeof(desc));
		snprintf(line, sizeof(line), "  %-8s [%4u] @0x%012" PRIx64 " = 0x%016" PRIx64 "  %s",
			 level_name(f, r->level), ims_pt_index(f, r->level, iova), r->pa, r->pte,
			 desc);
		out(arg, line);
	}
	for (unsigned i = 0; i < w->nupdates; i++) {
		const struct ims_pt_update *u = &w->updates[i];
		snprintf(line, sizeof(line), "  update   %-8s @0x%012" PRIx64 " 0x%016" PRIx64
			 " -> 0x%016" PRIx64, level_name(f, u->level), u->pa, u->old, u->new);
		out(arg, line);
	}
	if (w->fault == IMS_PT_OK) {
		perms_str(w->perms, perms);
		snprintf(line, sizeof(line), "  => 0x%" PRIx64 " -> 0x%" PRIx64
			 "  size 2^%u%s  rights %s (priv/user)", iova, w->oa, w->size_shift,
			 w->run_shift > w->size_shift ? " (run)" : "", perms);
	} else if (w->level >= 0) {
		snprintf(line, sizeof(line), "  => 0x%" PRIx64 " fault %s at %s", iova,
			 ims_pt_fault_name(w->fault), level_name(f, (unsigned)w->level));
	} else {
		snprintf(line, sizeof(line), "  => 0x%" PRIx64 " fault %s before the walk", iova,
			 ims_pt_fault_name(w->fault));
	}
	out(arg, line);
}
