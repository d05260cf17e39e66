/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "ops.h"
#include "options.h"
#include "plan.h"
#include "snapshot.h"
#include "stamp.h"

/*
 * The steps of run() (run.c) share this state. The ones that change the
 * devices and the stamp live in run-apply.c.
 */

/* What a step returns to let the next one run; anything else is the exit status. */
#define GO_ON (-1)
struct counts {
	unsigned int labelled, initialized, skipped, refused, failed;
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
	struct snapshot *snap;
	struct snapshot *after;     /* the fresh read after the changes */
	struct plan plan;
	bool *group_failed;         /* [1..n_groups]: its failure is logged already */
	bool gave_up;               /* the pending marks could not be written: nothing was done */
	bool signals_blocked;
	sigset_t old_mask;
	struct counts c;
};

/* Disable, label and enable each group, its pending marks on disk first; stop signals wait. */
int step_apply(struct run *x);
/* Success is decided from a fresh read of the devices, never from return codes. */
int step_verify(struct run *x);
/* The stamp as the fresh read shows the devices; stop signals are let through again. */
int step_settle(struct run *x);
void unblock_stop_signals(struct run *x);
