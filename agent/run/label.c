// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "label/apply.h"
#include "shared/log.h"
#include "run/steps.h"
#include "label/stamp-rules.h"

int write_stamp(struct run *x, bool always)
{
	int r;

	if (always || x->rewrite || !stamp_equal(&x->stamp, &x->on_disk)) {
		r = stamp_write(x->dirfd, &x->stamp);
		if (r < 0)
			log_error("writing the stamp %s/" STAMP_FILE " failed: %s",
				  x->opts->state_dir, strerror(-r));
		x->rewrite = x->rewrite && r < 0;
	} else {
		r = stamp_marker_sync(x->dirfd, &x->stamp);
		if (r < 0)
			log_error("bringing %s/" STAMP_PENDING_MARKER " in line with the stamp "
				  "failed: %s", x->opts->state_dir, strerror(-r));
	}
	if (r == 0) {
		stamp_clear(&x->on_disk);
		r = stamp_copy(&x->on_disk, &x->stamp);
		if (r < 0)
			log_error("keeping a copy of the stamp failed: %s", strerror(-r));
	}
	return r;
}

/*
 * A polite stop (Ctrl-C, systemctl stop) waits until the regions are
 * enabled again and the stamp tells the truth; only SIGKILL can cut a run
 * short, and the pending marks cover that.
 */
void block_stop_signals(struct run *x)
{
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, &x->old_mask);
	x->signals_blocked = true;
}

void unblock_stop_signals(struct run *x)
{
	if (x->signals_blocked)
		sigprocmask(SIG_SETMASK, &x->old_mask, NULL);
	x->signals_blocked = false;
}

/* The pending marks must be on disk before any region of the group goes down. */
static int mark_pending(struct run *x, unsigned int group, long long now)
{
	int r = stamp_mark_pending(&x->stamp, x->snap, &x->plan, group, now);

	if (r < 0)
		log_error("recording the pending marks in the stamp failed: %s; nothing changed",
			  strerror(-r));
	else
		r = write_stamp(x, true);
	return r;
}

int step_apply(struct run *x)
{
	long long now = (long long)time(NULL);

	block_stop_signals(x);
	if (x->plan.n_groups > 0) {
		x->group_failed = calloc(x->plan.n_groups + 1, sizeof(*x->group_failed));
		if (!x->group_failed)
			log_error("preparing the changes failed: %s; nothing changed",
				  strerror(ENOMEM));
		x->gave_up = !x->group_failed;
	}
	for (unsigned int g = 1; g <= x->plan.n_groups && !x->gave_up; g++) {
		x->gave_up = mark_pending(x, g, now) < 0;
		if (!x->gave_up)
			x->group_failed[g] = apply_group(x->snap, &x->plan, g, x->opts->label_version,
							 x->ops, x->userdata) < 0;
	}
	if (x->gave_up)
		x->c.failed++;
	return GO_ON;
}

static void verify_region(struct run *x, size_t i)
{
	const struct snap_region *reg = &x->snap->regions[i];
	const struct snap_region *now_r = snapshot_find_region(x->after, reg->name);
	const struct log_fields rf = { .region = reg->name, .reason = "verify" };
	bool verified = apply_region_verified(x->after, x->snap, i);

	/* A failed step of its group has said why already. */
	if (!verified && !x->group_failed[x->plan.regions[i].group])
		log_event(MSG_FAILED, &rf,
			  "%s is not labelled after initialization (checked from a fresh read of "
			  "the devices); it is enabled as it was", reg->name);
	if (verified)
		x->c.initialized++;
	else
		x->c.failed++;
	for (size_t j = 0; verified && j < reg->n_dimms; j++) {
		const struct snap_dimm *d = &x->snap->dimms[reg->dimms[j]];
		const struct log_fields f = { .region = reg->name, .nmem = d->name, .id = d->id };

		log_event(MSG_INITIALIZED, &f,
			  "labels of %s initialized: %s now has %llu bytes available for namespaces",
			  d->name, reg->name, now_r->available);
	}
}

int step_verify(struct run *x)
{
	int r = 0;

	if (x->plan.n_groups > 0 && !x->gave_up)
		r = x->ops->read_snapshot(x->userdata, &x->after);
	if (r < 0) {
		log_error("reading the NVDIMM state after the changes failed: %s", strerror(-r));
		x->c.failed++;
	}
	for (size_t i = 0; x->after && i < x->snap->n_regions; i++)
		if (x->plan.regions[i].group)
			verify_region(x, i);
	return GO_ON;
}

int step_settle(struct run *x)
{
	/* Without a fresh view after changes, the pending marks on disk are the truth. */
	if (x->plan.n_groups == 0 || x->after) {
		int r = stamp_settle(&x->stamp, x->after ? x->after : x->snap,
				     (long long)time(NULL));

		if (r < 0)
			log_error("updating the stamp failed: %s; it keeps what it said before",
				  strerror(-r));
		else
			r = write_stamp(x, false);
		if (r < 0)
			x->c.failed++;
	}
	unblock_stop_signals(x);
	return GO_ON;
}
