/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "backend/ops.h"
#include "core/options.h"
#include "core/snapshot.h"
#include "core/stamp.h"
#include "label/plan.h"
#include "layout/daxctl-conf.h"
#include "layout/layout.h"
#include "layout/plan.h"

/*
 * The steps of a run (run.c) and what they share: a run is one or more
 * passes, each of which reads the stamp and the devices afresh, decides,
 * acts and settles. label.c has the label step, layout.c and
 * layout-apply.c the layout step, memory.c its Memory= part.
 */

/* What a step that can end the pass returns to let the next one run. */
#define GO_ON (-1)

/* What lasts the whole run. */
struct run {
	const struct options *opts;
	const struct ops *ops;
	void *userdata;
	bool apply;                 /* neither --dry-run nor --status */
	int dirfd, lockfd;          /* the state directory and its lock; -1 without */
	bool kmem_missing;          /* said once a run: no Memory= namespace can go online */
	bool signals_blocked;
	sigset_t old_mask;
};

struct counts {
	unsigned int labelled, initialized, skipped, refused, failed;
	unsigned int created, converted, drifted, ns_refused;  /* namespaces, by the layouts */
	unsigned int onlined;  /* Memory= namespaces whose memory this run onlined */
};

enum daxctl_state {
	DAXCTL_ABSENT,              /* no daxctl.conf.d: daxctl is not installed */
	DAXCTL_READ,
	DAXCTL_UNREADABLE,          /* left as it is in this pass */
};

/* What lasts one pass, made afresh from the stamp, the files and the devices. */
struct pass {
	struct run *run;
	struct stamp stamp;         /* as this pass updates it */
	struct stamp on_disk;       /* what the file holds, so that only changes are written */
	bool rewrite;               /* the file is unusable or missing: write it anyway */
	struct layout_set layouts;  /* the layout files; none without them */
	bool layouts_bad;           /* one is unusable: none applies in this pass */
	struct daxctl_conf daxctl;  /* our daxctl.conf.d file's sections */
	enum daxctl_state daxctl_state;
	struct snapshot *snap;      /* the devices the pass decided on */
	struct plan plan;           /* the label plan of snap */
	struct layout_plan lplan;   /* the layout plan of snap */
	bool no_pmem;               /* no persistent-memory region: the pass only settles the stamp */
	struct snapshot *after;     /* the fresh read after the labels were written */
	bool *group_failed;         /* [1..n_groups]: its failure is logged already */
	bool gave_up;               /* the pending marks could not be written: nothing was done */
	bool again;                 /* NVDIMMs needing labels came during the pass */
	struct counts counts;
};

/*
 * The label plan and the layout plan of SNAP, as this pass's stamp and
 * files say: every plan of a pass is made here. Logs a failure.
 */
int make_plans(const struct pass *pass, const struct snapshot *snap, struct plan *plan,
	       struct layout_plan *lplan);

/*
 * SIGINT, SIGTERM and the like wait while devices and the stamp change: a
 * polite stop waits until regions are enabled again and the stamp tells
 * the truth; only SIGKILL cuts a run short, and the pending marks cover it.
 */
void block_stop_signals(struct run *run);
void unblock_stop_signals(struct run *run);

/*
 * Writes the stamp (always, or when it changed) and keeps on_disk equal to
 * the file; when it writes nothing, brings the pending marker in line.
 */
int write_stamp(struct pass *pass, bool always);

/* label.c: disable, label and enable each group, its pending marks on disk first. */
void label_regions(struct pass *pass);
/* Success is decided from a fresh read of the devices, never from return codes. */
void verify_labels(struct pass *pass);
/* The stamp as the fresh read shows the devices. */
void settle_stamp(struct pass *pass);

/* layout.c: the layout files and our daxctl.conf.d file, read once a pass. */
void load_layouts(struct pass *pass);
/*
 * After the labels: plans the layouts on the fresh view, creates each
 * region's namespaces (layout-apply.c), checks them from another fresh
 * read, settles Memory=, and keeps only the marks of namespaces still
 * half-made.
 */
void apply_layouts(struct pass *pass);

/*
 * layout-apply.c: REGION's namespaces as its layout LRP says, each create
 * marked in the stamp first; a namespace to finish or convert is looked at
 * again right before. Returns 0, -ECANCELED for one refused (counted and
 * logged), or a failure's errno (logged).
 */
int apply_region_layout(struct pass *pass, const struct snap_region *region,
			const struct layout_region_plan *lrp);
/*
 * What a fresh read AFTER shows of the namespaces LRP (of the region
 * BEFORE) changed: logged and counted as created or converted, or failed
 * unless FAILED says the failure was logged already.
 */
void verify_region_layout(struct pass *pass, const struct snap_region *before,
			  const struct layout_region_plan *lrp, const struct snapshot *after,
			  const struct layout_plan *after_lplan, bool failed);

/*
 * memory.c: the Memory= namespaces SNAP shows, as LPLAN plans them: memory
 * onlined where it is ours and not online, the stamp's dax records and our
 * daxctl.conf.d file brought in line with the layouts.
 */
void settle_memory(struct pass *pass, const struct snapshot *snap, const struct plan *plan,
		   const struct layout_plan *lplan);
