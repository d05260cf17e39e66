/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * agent/label/: the label step: which regions get labels (a pure plan over
 * the snapshot and the stamp), carrying it out group by group, and its report.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/options.h"
#include "core/reasons.h"
#include "core/snapshot.h"
#include "core/stamp.h"

enum verdict {
	VERDICT_NOT_OURS,     /* not a pmem region */
	VERDICT_DISABLED,     /* disabled by someone else: left alone */
	VERDICT_RECOVER,      /* left disabled by an interrupted run of ours: enable */
	VERDICT_LABELLED,     /* nothing to do */
	VERDICT_UNSUPPORTED,  /* no label area: skipped, not an error */
	VERDICT_INIT,         /* label-less and safe: initialize */
	VERDICT_REFUSED,
};

/* What the devices show about a region, as --status names it; the verdict follows from it. */
enum region_state {
	STATE_NOT_PMEM,
	STATE_DISABLED,
	STATE_LABELLED,
	STATE_OTHER,          /* enabled pmem, neither labelled nor label-less */
	STATE_NO_DIMM,
	STATE_NO_LABEL_AREA,  /* a dimm without label commands */
	STATE_LABEL_LESS,
};


struct region_plan {
	enum region_state state;
	enum verdict verdict;
	enum reason reason;
	bool selected;
	bool forced;          /* --force overrode a signature */
	size_t other;         /* the region that blocks this one */
	unsigned int group;   /* 1-based set of regions initialized together, 0 = none */
};

struct dimm_plan {
	bool init;
	bool lost;            /* the stamp saw it labelled before */
	unsigned int group;
};

struct plan {
	size_t n_regions;               /* == snapshot->n_regions */
	struct region_plan *regions;
	size_t n_dimms;                 /* == snapshot->n_dimms */
	struct dimm_plan *dimms;
	unsigned int n_groups;
};

/* Pure: no I/O, no logging. Returns 0 or -ENOMEM. */
int plan_make(const struct snapshot *snap, const struct stamp *stamp,
	      const struct options *opts, struct plan *out);
void plan_clear(struct plan *plan);
bool plan_has(const struct plan *plan, enum verdict verdict);

/*
 * Pure: NOW_PLAN (made from NOW) initializes a region with a dimm that
 * BEFORE did not have, i.e. work that appeared after BEFORE was read.
 */
bool plan_new_work(const struct snapshot *before, const struct snapshot *now,
		   const struct plan *now_plan);

/*
 * Pure: whether a label-less region's raw namespace may be hidden or
 * rewritten: REASON_NONE, or why not (system-ram, configured, busy,
 * unreadable, signature). Only the last two are ones --force may override.
 */
enum reason plan_raw_namespace_risk(const struct snap_namespace *ns);

const char *region_state_name(enum region_state s);
const char *verdict_name(enum verdict v);
