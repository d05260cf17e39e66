// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "apply.h"
#include "lock.h"
#include "log.h"
#include "plan.h"
#include "report.h"
#include "run.h"
#include "stamp.h"
#include "status.h"

/* Hot-plugged NVDIMMs arriving one after the other: bounded all the same. */
#define MAX_PASSES 4

struct counts {
	unsigned int labelled, initialized, skipped, refused, failed;
};

static int open_state_dir(const char *path, bool create)
{
	int fd;

	if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * An unusable stamp is reported and then treated as absent: it only adds
 * knowledge. *rewrite: the file must be written even if nothing changes,
 * because it is unusable or missing: its existence tells systemd that the
 * first boot's run is done (nvdimm-label-init.timer).
 */
static void load_stamp(int dirfd, const char *state_dir, struct stamp *stamp, bool *rewrite)
{
	const char *why = NULL;
	int r;

	*rewrite = false;
	if (dirfd < 0)
		return;
	r = stamp_read(dirfd, stamp, &why);
	*rewrite = r == -ENOENT;
	if (r == -ENOENT || r == 0)
		return;
	log_event(MSG_STAMP_INVALID, NULL,
		  "ignoring the stamp %s/" STAMP_FILE ": %s; lost labels cannot be told from a "
		  "first boot this time", state_dir, why ? why : strerror(-r));
	*rewrite = true;
}

static bool check_selection(const struct options *opts, const struct snapshot *snap)
{
	bool ok = true;

	for (size_t i = 0; i < opts->n_regions; i++) {
		if (!snapshot_find_region(snap, opts->regions[i])) {
			log_error("--region %s: no such region", opts->regions[i]);
			ok = false;
		}
	}
	return ok;
}

static size_t count_pmem(const struct snapshot *snap)
{
	size_t n = 0;

	for (size_t i = 0; i < snap->n_regions; i++)
		n += snap->regions[i].pmem;
	return n;
}

static void count_plan(const struct plan *plan, struct counts *c)
{
	for (size_t i = 0; i < plan->n_regions; i++) {
		const struct region_plan *p = &plan->regions[i];

		if (!p->selected)
			continue;
		switch (p->verdict) {
		case VERDICT_LABELLED:
			c->labelled++;
			break;
		case VERDICT_REFUSED:
			c->refused++;
			break;
		case VERDICT_INIT:
			break;
		default:
			c->skipped++;
			break;
		}
	}
}

static int mark_pending(struct stamp *stamp, const struct snapshot *snap,
			const struct plan *plan, unsigned int group, long long now)
{
	for (size_t i = 0; i < snap->n_dimms; i++) {
		const struct stamp_entry *e = stamp_find(stamp, snap->dimms[i].id);
		int r;

		if (plan->dimms[i].group != group)
			continue;
		/* An existing entry keeps its time: it tells when the labels were last seen. */
		r = stamp_set(stamp, snap->dimms[i].id,
			      stamp_entry_seen_labelled(e) ? STAMP_PENDING_LOST : STAMP_PENDING,
			      e ? e->time : now);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * The stamp after the run says only what the devices show now: labelled
 * dimms are recorded, and a pending mark stays only where a region of ours
 * could not be enabled again.
 */
static int settle_stamp(struct stamp *stamp, const struct snapshot *now_snap, long long now)
{
	for (size_t i = 0; i < now_snap->n_dimms; i++) {
		const struct snap_dimm *d = &now_snap->dimms[i];
		const struct stamp_entry *e = stamp_find(stamp, d->id);
		bool in_disabled_region = false;

		if (!stamp_id_valid(d->id))
			continue;
		for (size_t j = 0; j < now_snap->n_regions; j++) {
			const struct snap_region *reg = &now_snap->regions[j];

			for (size_t k = 0; k < reg->n_dimms; k++)
				if (reg->dimms[k] == i && !reg->enabled)
					in_disabled_region = true;
		}
		if (stamp_entry_pending(e) && in_disabled_region)
			continue;
		if (d->labelled) {
			int r;

			if (e && e->state == STAMP_LABELLED)
				continue;
			r = stamp_set(stamp, d->id, STAMP_LABELLED, now);
			if (r < 0)
				return r;
		} else if (e && e->state == STAMP_PENDING_LOST) {
			/* Still label-less: its labels stay lost until a run puts them back. */
			int r = stamp_set(stamp, d->id, STAMP_LABELLED, e->time);

			if (r < 0)
				return r;
		} else if (e && e->state == STAMP_PENDING) {
			stamp_remove(stamp, d->id);
		}
	}
	return 0;
}

static int read_plan(const struct ops *ops, void *userdata, const struct stamp *stamp,
		     const struct options *opts, struct snapshot **snap, struct plan *plan)
{
	int r;

	*snap = NULL;
	r = ops->read_snapshot(userdata, snap);
	if (r < 0) {
		log_error("reading the NVDIMM state failed: %s", strerror(-r));
		return r;
	}
	r = plan_make(*snap, stamp, opts, plan);
	if (r < 0) {
		log_error("deciding failed: %s", strerror(-r));
		snapshot_free(*snap);
		*snap = NULL;
	}
	return r;
}

/* Keeps *on_disk equal to the file, so that only real changes are written. */
static int write_stamp(int dirfd, const struct options *opts, const struct stamp *stamp,
		       struct stamp *on_disk)
{
	int r = stamp_write(dirfd, stamp);

	if (r < 0) {
		log_error("writing the stamp %s/" STAMP_FILE " failed: %s", opts->state_dir,
			  strerror(-r));
		return r;
	}
	stamp_clear(on_disk);
	return stamp_copy(on_disk, stamp);
}

/* Runs every group of the plan, then decides success from a fresh snapshot. */
static int apply_plan(const struct options *opts, const struct ops *ops, void *userdata,
		      int dirfd, struct stamp *stamp, struct stamp *on_disk,
		      const struct snapshot *snap,
		      const struct plan *plan, struct counts *c, struct snapshot **after)
{
	long long now = (long long)time(NULL);
	int result = 0, r;

	for (unsigned int g = 1; g <= plan->n_groups; g++) {
		bool left_disabled;

		/* The pending mark must be on disk before any region goes down. */
		r = mark_pending(stamp, snap, plan, g, now);
		if (r == 0)
			r = write_stamp(dirfd, opts, stamp, on_disk);
		if (r < 0)
			return r;
		r = apply_group(snap, plan, g, opts->label_version, ops, userdata, &left_disabled);
		if (r < 0 && result == 0)
			result = r;
	}

	r = ops->read_snapshot(userdata, after);
	if (r < 0) {
		log_error("reading the NVDIMM state after the changes failed: %s", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct snap_region *reg = &snap->regions[i];

		if (!plan->regions[i].group)
			continue;
		if (!apply_region_verified(*after, snap, i)) {
			const struct log_fields f = { .region = reg->name, .reason = "verify" };

			log_event(MSG_FAILED, &f,
				  "%s is not labelled after initialization (checked from a fresh read "
				  "of the devices); it is enabled as it was", reg->name);
			c->failed++;
			continue;
		}
		c->initialized++;
		for (size_t j = 0; j < reg->n_dimms; j++) {
			const struct snap_dimm *d = &snap->dimms[reg->dimms[j]];
			const struct snap_region *now_r = snapshot_find_region(*after, reg->name);
			const struct log_fields f = { .region = reg->name, .nmem = d->name,
						      .id = d->id };

			log_event(MSG_INITIALIZED, &f,
				  "labels of %s initialized: %s now has %llu bytes available for "
				  "namespaces", d->name, reg->name, now_r->available);
		}
	}
	return result;
}

/*
 * One pass: stamp, drivers, snapshot, plan, report, recover, apply, verify,
 * settle. *again tells that an NVDIMM needing labels appeared while it ran
 * (hot-plug): its device event may have been merged into this run's start
 * job, so nobody else would label it.
 */
static int run_pass(const struct options *opts, const struct ops *ops, void *userdata,
		    int dirfd, bool *again)
{
	struct snapshot *snap = NULL, *after = NULL;
	struct stamp stamp = { 0 }, on_disk = { 0 };
	struct plan plan = { 0 }, later = { 0 };
	struct counts c = { 0 };
	bool apply = opts->mode == MODE_APPLY, rewrite = false;
	int status = EXIT_FAILURE, r;
	sigset_t stop_signals, old_mask;

	*again = false;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	sigaddset(&stop_signals, SIGQUIT);

	load_stamp(dirfd, opts->state_dir, &stamp, &rewrite);
	if (stamp_copy(&on_disk, &stamp) < 0)
		goto out;

	if (apply) {
		r = ops->load_drivers(userdata);
		if (r < 0)
			log_warning("loading the NVDIMM drivers failed: %s; using what is there",
				    strerror(-r));
	}
	if (read_plan(ops, userdata, &stamp, opts, &snap, &plan) < 0)
		goto out;
	if (!check_selection(opts, snap)) {
		status = EXIT_USAGE;
		goto out;
	}
	if (opts->mode == MODE_STATUS) {
		status = status_print(snap, &plan, &stamp, opts->json) < 0 ? EXIT_FAILURE
									 : EXIT_SUCCESS;
		goto out;
	}
	if (count_pmem(snap) == 0) {
		log_event(MSG_NO_NVDIMM, NULL, "no NVDIMM regions found: nothing to do");
		status = EXIT_SUCCESS;
		goto out;
	}

	if (apply && plan_has(&plan, VERDICT_RECOVER)) {
		r = apply_recover(snap, &plan, ops, userdata);
		snapshot_free(snap);
		plan_clear(&plan);
		if (r < 0)
			c.failed++;
		if (read_plan(ops, userdata, &stamp, opts, &snap, &plan) < 0)
			goto out;
	}
	report_plan(snap, &plan, &stamp, !apply);
	count_plan(&plan, &c);

	if (!apply) {
		status = c.refused ? EXIT_FAILURE : EXIT_SUCCESS;
		goto out;
	}
	/*
	 * A polite stop (Ctrl-C, systemctl stop) waits until the regions are
	 * enabled again and the stamp tells the truth; only SIGKILL can cut a
	 * run short, and the pending marks cover that.
	 */
	sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
	if (plan.n_groups > 0) {
		r = apply_plan(opts, ops, userdata, dirfd, &stamp, &on_disk, snap, &plan, &c,
			       &after);
		if (r < 0 && c.failed == 0)
			c.failed++;
	}
	/* Without a fresh view after changes, the pending marks on disk are the truth. */
	if (plan.n_groups == 0 || after) {
		if (settle_stamp(&stamp, after ? after : snap, (long long)time(NULL)) < 0 ||
		    ((rewrite || !stamp_equal(&stamp, &on_disk)) &&
		     write_stamp(dirfd, opts, &stamp, &on_disk) < 0))
			c.failed++;
	}
	sigprocmask(SIG_SETMASK, &old_mask, NULL);

	log_event(MSG_SUMMARY, NULL,
		  "done: %u labelled already, %u initialized, %u skipped, %u refused, %u failed",
		  c.labelled, c.initialized, c.skipped, c.refused, c.failed);
	status = c.refused || c.failed ? EXIT_FAILURE : EXIT_SUCCESS;
	/* The view after the changes costs no extra read of the devices. */
	if (after && plan_make(after, &stamp, opts, &later) == 0)
		*again = plan_new_work(snap, after, &later);
out:
	plan_clear(&plan);
	plan_clear(&later);
	snapshot_free(snap);
	snapshot_free(after);
	stamp_clear(&stamp);
	stamp_clear(&on_disk);
	return status;
}

int run(const struct options *opts, const struct ops *ops, void *userdata)
{
	bool apply = opts->mode == MODE_APPLY, again;
	int dirfd = -1, lockfd = -1, status = EXIT_FAILURE, s;

	dirfd = open_state_dir(opts->state_dir, apply);
	if (dirfd < 0 && (apply || dirfd != -ENOENT)) {
		log_error("cannot use the state directory %s: %s", opts->state_dir, strerror(-dirfd));
		if (apply)
			goto out;
	}
	if (apply) {
		lockfd = lock_take(dirfd, opts->lock_timeout_ms);
		if (lockfd < 0) {
			if (lockfd == -ETIMEDOUT)
				log_error("another nvdimm-label-init still holds %s/" LOCK_FILE
					  " after %u s: giving up, nothing changed", opts->state_dir,
					  opts->lock_timeout_ms / 1000);
			else
				log_error("cannot take the lock %s/" LOCK_FILE ": %s",
					  opts->state_dir, strerror(-lockfd));
			goto out;
		}
	}
	status = EXIT_SUCCESS;
	for (unsigned int pass = 1; pass <= MAX_PASSES; pass++) {
		s = run_pass(opts, ops, userdata, dirfd, &again);
		if (s != EXIT_SUCCESS)
			status = s;
		if (!again)
			break;
		log_info("NVDIMMs that need labels appeared during the run: another pass");
	}
out:
	if (lockfd >= 0)
		close(lockfd);
	if (dirfd >= 0)
		close(dirfd);
	return status;
}
