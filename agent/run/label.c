// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "label/apply.h"
#include "label/stamp-rules.h"
#include "run/steps.h"
#include "shared/log.h"

int write_stamp(struct pass *pass, bool always)
{
	const struct run *run = pass->run;
	int r;

	if (always || pass->rewrite || !stamp_equal(&pass->stamp, &pass->on_disk)) {
		r = stamp_write(run->dirfd, &pass->stamp);
		if (r < 0)
			log_errno(r, "writing the stamp %s/" STAMP_FILE " failed",
				  run->opts->state_dir);
		pass->rewrite = pass->rewrite && r < 0;
	} else {
		r = stamp_marker_sync(run->dirfd, &pass->stamp);
		if (r < 0)
			log_errno(r, "bringing %s/" STAMP_PENDING_MARKER " in line with the stamp "
				  "failed", run->opts->state_dir);
	}
	if (r == 0) {
		stamp_clear(&pass->on_disk);
		r = stamp_copy(&pass->on_disk, &pass->stamp);
		if (r < 0)
			log_errno(r, "keeping a copy of the stamp failed");
	}
	return r;
}

/* The pending marks must be on disk before any region of the group goes down. */
static int mark_pending(struct pass *pass, unsigned int group, long long now)
{
	int r = stamp_mark_pending(&pass->stamp, pass->snap, &pass->plan, group, now);

	if (r < 0)
		return log_errno(r, "recording the pending marks in the stamp failed, so nothing "
				 "changed");
	return write_stamp(pass, true);
}

void label_regions(struct pass *pass)
{
	const struct run *run = pass->run;
	long long now = (long long)time(NULL);

	block_stop_signals(pass->run);
	if (pass->plan.n_groups > 0) {
		pass->group_failed = calloc(pass->plan.n_groups + 1, sizeof(*pass->group_failed));
		if (!pass->group_failed)
			log_errno(-ENOMEM, "preparing the changes failed, so nothing changed");
		pass->gave_up = !pass->group_failed;
	}
	for (unsigned int g = 1; g <= pass->plan.n_groups && !pass->gave_up; g++) {
		pass->gave_up = mark_pending(pass, g, now) < 0;
		if (!pass->gave_up)
			pass->group_failed[g] = apply_group(pass->snap, &pass->plan, g,
							    run->opts->label_version, run->ops,
							    run->userdata) < 0;
	}
	if (pass->gave_up)
		pass->counts.failed++;
}

static void verify_region_labels(struct pass *pass, size_t i)
{
	const struct snap_region *r = &pass->snap->regions[i];
	const struct snap_region *now = snapshot_find_region(pass->after, r->name);
	const struct log_fields rf = { .region = r->name, .reason = "verify" };
	bool verified = apply_region_verified(pass->after, pass->snap, i);

	/* A failed step of its group has said why already. */
	if (!verified && !pass->group_failed[pass->plan.regions[i].group])
		log_event(MSG_FAILED, &rf,
			  "%s is not labelled after initialization (checked from a fresh read of "
			  "the devices); it is enabled as it was", r->name);
	if (verified)
		pass->counts.initialized++;
	else
		pass->counts.failed++;
	for (size_t j = 0; verified && j < r->n_dimms; j++) {
		const struct snap_dimm *d = &pass->snap->dimms[r->dimms[j]];
		const struct log_fields f = { .region = r->name, .nmem = d->name, .id = d->id };

		log_event(MSG_INITIALIZED, &f,
			  "labels of %s initialized: %s now has %llu bytes available for namespaces",
			  d->name, r->name, now->available);
	}
}

void verify_labels(struct pass *pass)
{
	const struct run *run = pass->run;
	int r = 0;

	if (pass->plan.n_groups > 0 && !pass->gave_up)
		r = run->ops->read_snapshot(run->userdata, &pass->after);
	if (r < 0) {
		log_errno(r, "reading the NVDIMM state after the changes failed");
		pass->counts.failed++;
	}
	for (size_t i = 0; pass->after && i < pass->snap->n_regions; i++)
		if (pass->plan.regions[i].group)
			verify_region_labels(pass, i);
}

void settle_stamp(struct pass *pass)
{
	/* Without a fresh view after changes, the pending marks on disk are the truth. */
	if (pass->plan.n_groups == 0 || pass->after) {
		int r = stamp_settle(&pass->stamp, pass->after ? pass->after : pass->snap,
				     (long long)time(NULL));

		if (r < 0)
			log_errno(r, "updating the stamp failed, so it keeps what it said before");
		else
			r = write_stamp(pass, false);
		if (r < 0)
			pass->counts.failed++;
	}
	unblock_stop_signals(pass->run);
}
