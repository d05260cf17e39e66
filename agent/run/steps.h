/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "layout/daxctl-conf.h"
#include "layout/layout.h"
#include "layout/plan.h"
#include "backend/ops.h"
#include "core/options.h"
#include "label/plan.h"
#include "core/snapshot.h"
#include "core/stamp.h"

/*
 * The steps of run() (run.c) share this state. The ones that change the
 * devices and the stamp live in run-apply.c (labels) and run-layout.c
 * (the layouts' namespaces).
 */

/* What a step returns to let the next one run; anything else is the exit status. */
#define GO_ON (-1)
struct counts {
	unsigned int labelled, initialized, skipped, refused, failed;
	unsigned int created, converted, drifted, ns_refused;  /* namespaces, by the layouts */
	unsigned int onlined;  /* Memory= namespaces whose memory this run onlined */
};

/* Everything the steps share; from stamp on, it is one pass's and cleared after it. */
struct run {
	const struct options *opts;
	const struct ops *ops;
	void *userdata;
	bool apply;
	int dirfd, lockfd;
	bool again;                 /* the pass found NVDIMMs needing labels that came later */
	struct stamp stamp;
	struct stamp on_disk;       /* what the file holds, so that only changes are written */
	bool rewrite;               /* the file is unusable or missing: write it anyway */
	bool no_pmem;               /* no persistent-memory region: the pass only settles the stamp */
	struct snapshot *snap;
	struct snapshot *after;     /* the fresh read after the changes */
	struct plan plan;
	struct layout_set layouts;  /* the pass's layout files; none without them */
	bool layouts_bad;           /* one is unusable: none applies in this pass */
	struct daxctl_conf daxctl;  /* our daxctl.conf.d file's sections */
	enum { DAXCTL_ABSENT, DAXCTL_READ, DAXCTL_UNREADABLE } daxctl_state;
	bool kmem_missing;          /* said once a run: no Memory= namespace can go online */
	struct layout_plan lplan;   /* made with plan, from snap */
	bool *group_failed;         /* [1..n_groups]: its failure is logged already */
	bool gave_up;               /* the pending marks could not be written: nothing was done */
	bool signals_blocked;
	sigset_t old_mask;
	struct counts c;
};

/*
 * Writes the stamp (always, or when it changed) and keeps on_disk equal to
 * the file; when it writes nothing, brings the pending marker in line.
 */
int write_stamp(struct run *x, bool always);
/* SIGINT, SIGTERM and the like wait while devices and the stamp change (run-apply.c). */
void block_stop_signals(struct run *x);

/* Disable, label and enable each group, its pending marks on disk first; stop signals wait. */
int step_apply(struct run *x);
/* Success is decided from a fresh read of the devices, never from return codes. */
int step_verify(struct run *x);
/* The stamp as the fresh read shows the devices; stop signals are let through again. */
int step_settle(struct run *x);
void unblock_stop_signals(struct run *x);

/*
 * The layout files and our daxctl.conf.d file, read once a pass; an
 * unusable layout file is reported and none applies (run-layout.c).
 */
int step_layouts(struct run *x);
/* The layout plan for SNAP and PLAN (made from it), with the stamp's namespace marks. */
int run_layout_plan(const struct run *x, const struct snapshot *snap, const struct plan *plan,
		    struct layout_plan *out);
/*
 * After the labels: plans the layouts on the fresh view, creates each
 * region's namespaces (marked in the stamp first), checks them from another
 * fresh read, and keeps only the marks of namespaces still half-made.
 */
int step_layout(struct run *x);

/*
 * The Memory= namespaces SNAP shows, as LP plans them: memory onlined
 * where it is ours and not online, the stamp's dax records and our
 * daxctl.conf.d file brought in line with the layouts (run-memory.c).
 */
void settle_memory(struct run *x, const struct snapshot *snap, const struct plan *label,
		   const struct layout_plan *lp);
