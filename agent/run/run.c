// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "label/apply.h"
#include "layout/report.h"
#include "shared/lock.h"
#include "shared/log.h"
#include "shared/macro.h"
#include "label/plan.h"
#include "label/report.h"
#include "run/run.h"
#include "run/steps.h"
#include "core/stamp.h"
#include "run/status.h"

/* Hot-plugged NVDIMMs arriving one after the other: bounded all the same. */
#define MAX_PASSES 4

static int open_state_dir(const char *path, bool create)
{
	int fd;

	if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Says once that it waits, and why it gave up. */
static int take_lock(int dirfd, const struct options *opts)
{
	int fd = lock_take(dirfd, 0);

	if (fd == -ETIMEDOUT) {
		log_info("another nvdimm-label-init is running; waiting up to %u s for it",
			 opts->lock_timeout_ms / 1000);
		fd = lock_take(dirfd, opts->lock_timeout_ms);
	}
	if (fd == -ETIMEDOUT)
		log_error("another nvdimm-label-init still holds %s/" LOCK_FILE
			  " after %u s: giving up, nothing changed", opts->state_dir,
			  opts->lock_timeout_ms / 1000);
	else if (fd < 0)
		log_error("cannot take the lock %s/" LOCK_FILE ": %s", opts->state_dir,
			  strerror(-fd));
	return fd;
}

/* Only a run that changes something needs the state directory and the lock. */
static int step_lock(struct run *x)
{
	int status = GO_ON;

	x->dirfd = open_state_dir(x->opts->state_dir, x->apply);
	if (x->dirfd < 0 && (x->apply || x->dirfd != -ENOENT)) {
		log_error("cannot use the state directory %s: %s", x->opts->state_dir,
			  strerror(-x->dirfd));
		if (x->apply)
			status = EXIT_FAILURE;
	}
	if (status == GO_ON && x->apply) {
		x->lockfd = take_lock(x->dirfd, x->opts);
		if (x->lockfd < 0)
			status = EXIT_FAILURE;
	}
	return status;
}

/*
 * An unusable stamp is reported and then treated as absent: it only adds
 * knowledge. An unusable or missing one is written even if nothing
 * changes: its existence tells systemd that the first boot's run is done
 * (nvdimm-label-init.path).
 */
static int step_stamp(struct run *x)
{
	const char *why = NULL;
	int r = x->dirfd < 0 ? -ENOENT : stamp_read(x->dirfd, &x->stamp, &why);

	x->rewrite = x->dirfd >= 0 && r == -ENOENT;
	if (r < 0 && r != -ENOENT) {
		log_event(MSG_STAMP_INVALID, NULL,
			  "ignoring the stamp %s/" STAMP_FILE ": %s; lost labels cannot be told from "
			  "a first boot this time", x->opts->state_dir, why ? why : strerror(-r));
		x->rewrite = true;
	}
	r = stamp_copy(&x->on_disk, &x->stamp);
	if (r < 0)
		log_error("keeping a copy of the stamp failed: %s", strerror(-r));
	return r < 0 ? EXIT_FAILURE : GO_ON;
}

static int step_drivers(struct run *x)
{
	const char *what = "?";
	int r = x->apply ? x->ops->load_drivers(x->userdata, &what) : 0;

	if (r < 0)
		log_warning("loading the NVDIMM drivers failed (%s): %s; using what is there", what,
			    strerror(-r));
	return GO_ON;
}

/* A fresh snapshot and the plan made from it, replacing the ones before. */
static int read_plan(struct run *x)
{
	int r;

	snapshot_free(x->snap);
	x->snap = NULL;
	plan_clear(&x->plan);
	layout_plan_clear(&x->lplan);
	r = x->ops->read_snapshot(x->userdata, &x->snap);
	if (r < 0)
		log_error("reading the NVDIMM state failed: %s", strerror(-r));
	else if ((r = plan_make(x->snap, &x->stamp, x->opts, &x->plan)) < 0 ||
		 (r = run_layout_plan(x, x->snap, &x->plan, &x->lplan)) < 0)
		log_error("deciding failed: %s", strerror(-r));
	return r;
}

static bool selection_exists(const struct options *opts, const struct snapshot *snap)
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

/* --status ends here, and so does --dry-run on a machine without NVDIMMs. */
static int step_plan(struct run *x)
{
	int status = GO_ON, r;

	if (read_plan(x) < 0) {
		status = EXIT_FAILURE;
	} else if (!selection_exists(x->opts, x->snap)) {
		status = EXIT_USAGE;
	} else if (x->opts->mode == MODE_STATUS) {
		r = status_print(x->snap, &x->plan, &x->lplan, &x->stamp, x->opts->json);
		if (r < 0)
			log_error("printing the status failed: %s", strerror(-r));
		status = r < 0 || x->layouts_bad ? EXIT_FAILURE : EXIT_SUCCESS;
	} else if (count_pmem(x->snap) == 0) {
		log_event(MSG_NO_NVDIMM, NULL, "no NVDIMM regions found: nothing to do");
		/*
		 * A run still settles the stamp (written where there was none, no
		 * pending mark of dimms or regions that are gone), so that the
		 * path unit does not start one at every boot.
		 */
		x->no_pmem = true;
		if (!x->apply)
			status = x->layouts_bad ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	return status;
}

/* Regions an interrupted run left disabled come back first; then the plan is made again. */
static int step_recover(struct run *x)
{
	int status = GO_ON;

	if (x->apply && plan_has(&x->plan, VERDICT_RECOVER)) {
		if (apply_recover(x->snap, &x->plan, x->ops, x->userdata) < 0)
			x->c.failed++;
		if (read_plan(x) < 0)
			status = EXIT_FAILURE;
	}
	return status;
}

static void count_plan(const struct plan *plan, struct counts *c)
{
	for (size_t i = 0; i < plan->n_regions; i++) {
		const struct region_plan *p = &plan->regions[i];

		if (!p->selected || p->verdict == VERDICT_INIT)
			continue;
		if (p->verdict == VERDICT_LABELLED)
			c->labelled++;
		else if (p->verdict == VERDICT_REFUSED)
			c->refused++;
		else
			c->skipped++;
	}
}

/* Whether the pass ends in failure: something refused or failed, or a layout file unusable. */
static bool pass_failed(const struct run *x)
{
	return x->c.refused || x->c.failed || x->c.ns_refused || x->layouts_bad;
}

/* --dry-run ends here; a real run reports the layouts once the labels are done. */
static int step_report(struct run *x)
{
	report_plan(x->snap, &x->plan, &x->stamp, !x->apply);
	count_plan(&x->plan, &x->c);
	if (x->apply)
		return GO_ON;
	report_layout_plan(x->snap, &x->plan, &x->lplan, true, &x->c.drifted, &x->c.ns_refused);
	return pass_failed(x) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * An NVDIMM needing labels that appeared while the pass ran (hot-plug): its
 * device event may have been merged into this run's start job, so nobody
 * else would label it. Read last, once the stamp is settled, after the
 * kernel has finished probing, so that only a dimm arriving in the moments
 * before the exit is left to its own event. Only after a pass that changed
 * something: a pass with nothing to do was not started by a new dimm.
 */
static int step_look_again(struct run *x)
{
	struct snapshot *now = NULL;
	struct plan later = { 0 };
	const char *what = NULL;
	int r;

	if (!x->after)
		return GO_ON;
	/* Only for its wait on the probing; a failure was reported by step_drivers. */
	(void)x->ops->load_drivers(x->userdata, &what);
	r = x->ops->read_snapshot(x->userdata, &now);
	if (r == 0)
		r = plan_make(now, &x->stamp, x->opts, &later);
	if (r < 0)
		log_warning("looking for NVDIMMs added during the run failed: %s", strerror(-r));
	else
		x->again = plan_new_work(x->snap, now, &later);
	plan_clear(&later);
	snapshot_free(now);
	return GO_ON;
}

static int step_summary(struct run *x)
{
	const struct counts *c = &x->c;
	char layouts[192] = "";

	/* MSG_NO_NVDIMM said it all. */
	if (x->no_pmem)
		return pass_failed(x) ? EXIT_FAILURE : EXIT_SUCCESS;

	if (x->layouts.n || x->layouts_bad)
		snprintf(layouts, sizeof(layouts),
			 "; namespaces: %u created, %u converted, %u drifted, %u refused, "
			 "%u onlined as system RAM%s",
			 c->created, c->converted, c->drifted, c->ns_refused, c->onlined,
			 x->layouts_bad ? " (no layout applied: a layout file is unusable)" : "");
	log_event(MSG_SUMMARY, NULL,
		  "done: %u labelled already, %u initialized, %u skipped, %u refused, %u failed%s",
		  c->labelled, c->initialized, c->skipped, c->refused, c->failed, layouts);
	return pass_failed(x) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* What a pass leaves behind; the next pass starts afresh from the devices and the stamp. */
static void pass_clear(struct run *x)
{
	unblock_stop_signals(x);
	free(x->group_failed);
	x->group_failed = NULL;
	x->gave_up = false;
	plan_clear(&x->plan);
	layout_plan_clear(&x->lplan);
	layout_set_clear(&x->layouts);
	x->layouts_bad = false;
	daxctl_conf_clear(&x->daxctl);
	x->daxctl_state = DAXCTL_ABSENT;
	snapshot_free(x->snap);
	snapshot_free(x->after);
	x->snap = x->after = NULL;
	stamp_clear(&x->stamp);
	stamp_clear(&x->on_disk);
	x->rewrite = false;
	x->no_pmem = false;
	x->c = (struct counts){ 0 };
}

/* Returns the pass's exit status; sets x->again when another pass is due. */
static int run_pass(struct run *x)
{
	static int (*const steps[])(struct run *x) = {
		step_stamp, step_layouts, step_drivers, step_plan, step_recover, step_report,
		step_apply, step_verify, step_settle, step_layout, step_look_again, step_summary,
	};
	int status = GO_ON;

	x->again = false;
	for (size_t i = 0; i < ARRAY_SIZE(steps) && status == GO_ON; i++)
		status = steps[i](x);
	pass_clear(x);
	return status;
}

/* Passes while NVDIMMs needing labels keep appearing, a few at the most. */
static int run_passes(struct run *x)
{
	int status = EXIT_SUCCESS;
	unsigned int pass = 1;

	for (;;) {
		int s = run_pass(x);

		if (s != EXIT_SUCCESS)
			status = s;
		if (!x->again || pass++ == MAX_PASSES)
			break;
		log_info("NVDIMMs that need labels appeared during the run: another pass");
	}
	return status;
}

int run(const struct options *opts, const struct ops *ops, void *userdata)
{
	struct run x = { .opts = opts, .ops = ops, .userdata = userdata,
			 .apply = opts->mode == MODE_APPLY, .dirfd = -1, .lockfd = -1 };
	int status = step_lock(&x);

	if (status == GO_ON)
		status = run_passes(&x);
	if (x.lockfd >= 0)
		close(x.lockfd);
	if (x.dirfd >= 0)
		close(x.dirfd);
	return status;
}
