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
#include "label/report.h"
#include "layout/report.h"
#include "run/run.h"
#include "run/status.h"
#include "run/steps.h"
#include "shared/lock.h"
#include "shared/log.h"

/* Hot-plugged NVDIMMs arriving one after the other: bounded all the same. */
#define MAX_PASSES 4

int make_plans(const struct pass *pass, const struct snapshot *snap, struct plan *plan,
	       struct layout_plan *lplan)
{
	const struct layout_history history = {
		.stamp = &pass->stamp,
		.conf = pass->daxctl_state == DAXCTL_READ ? &pass->daxctl : NULL,
	};
	int r = plan_make(snap, &pass->stamp, pass->run->opts, plan);

	if (r == 0)
		r = layout_plan_make(snap, plan, &pass->layouts, &history, lplan);
	if (r < 0) {
		plan_clear(plan);
		log_errno(r, "deciding what to do failed");
	}
	return r;
}

void block_stop_signals(struct run *run)
{
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, &run->old_mask);
	run->signals_blocked = true;
}

void unblock_stop_signals(struct run *run)
{
	if (run->signals_blocked)
		sigprocmask(SIG_SETMASK, &run->old_mask, NULL);
	run->signals_blocked = false;
}

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
		log_errno(fd, "cannot take the lock %s/" LOCK_FILE, opts->state_dir);
	return fd;
}

/* Only a run that changes something needs the state directory and the lock. */
static int lock_state(struct run *run)
{
	run->dirfd = open_state_dir(run->opts->state_dir, run->apply);
	if (run->dirfd < 0 && (run->apply || run->dirfd != -ENOENT))
		log_errno(run->dirfd, "cannot use the state directory %s", run->opts->state_dir);
	if (run->dirfd < 0 && run->apply)
		return EXIT_FAILURE;
	if (run->apply)
		run->lockfd = take_lock(run->dirfd, run->opts);
	return run->apply && run->lockfd < 0 ? EXIT_FAILURE : GO_ON;
}

/*
 * A stamp written on another machine came with a copy of its disk, an
 * image's: its records (labelled dimms, our namespaces) are about the other
 * machine's NVDIMMs, and keeping them would call this one's empty label
 * areas lost. A stamp without a machine line is this machine's: it gets one.
 */
static void claim_stamp(struct pass *pass)
{
	const char *here = pass->run->opts->machine_id;

	if (!here[0])
		return;
	if (pass->stamp.machine[0] && strcmp(pass->stamp.machine, here) != 0) {
		log_info("the stamp %s/" STAMP_FILE " was written on machine %s, this is %s "
			 "(a copy of an image): its records are set aside, as on a first boot",
			 pass->run->opts->state_dir, pass->stamp.machine, here);
		stamp_clear(&pass->stamp);
	}
	snprintf(pass->stamp.machine, sizeof(pass->stamp.machine), "%s", here);
}

/*
 * An unusable stamp is reported and then treated as absent: it only adds
 * knowledge. An unusable or missing one is written even if nothing
 * changes: its existence tells systemd that the first boot's run is done
 * (nvdimm-label-init.path).
 */
static int read_stamp(struct pass *pass)
{
	const struct run *run = pass->run;
	const char *why = NULL;
	int r = run->dirfd < 0 ? -ENOENT : stamp_read(run->dirfd, &pass->stamp, &why);

	pass->rewrite = run->dirfd >= 0 && r == -ENOENT;
	if (r < 0 && r != -ENOENT) {
		log_event(MSG_STAMP_INVALID, NULL,
			  "ignoring the stamp %s/" STAMP_FILE ": %s; lost labels cannot be told from "
			  "a first boot this time", run->opts->state_dir, why ? why : strerror(-r));
		pass->rewrite = true;
	}
	r = stamp_copy(&pass->on_disk, &pass->stamp);
	if (r < 0)
		log_errno(r, "keeping a copy of the stamp failed");
	else
		claim_stamp(pass);
	return r < 0 ? EXIT_FAILURE : GO_ON;
}

static void load_drivers(struct pass *pass)
{
	const struct run *run = pass->run;
	const char *what = "?";
	int r = run->apply ? run->ops->load_drivers(run->userdata, &what) : 0;

	if (r < 0)
		log_warning("loading the NVDIMM drivers failed (%s): %s; using what is there", what,
			    strerror(-r));
}

/* A fresh snapshot and the plans made from it, replacing the ones before. */
static int read_devices(struct pass *pass)
{
	const struct run *run = pass->run;
	int r;

	snapshot_free(pass->snap);
	pass->snap = NULL;
	plan_clear(&pass->plan);
	layout_plan_clear(&pass->lplan);
	r = run->ops->read_snapshot(run->userdata, &pass->snap);
	if (r < 0)
		return log_errno(r, "reading the NVDIMM state failed");
	return make_plans(pass, pass->snap, &pass->plan, &pass->lplan);
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

static bool has_pmem(const struct snapshot *snap)
{
	for (size_t i = 0; i < snap->n_regions; i++)
		if (snap->regions[i].pmem)
			return true;
	return false;
}

/* --status ends here, and so does --dry-run on a machine without NVDIMMs. */
static int decide(struct pass *pass)
{
	const struct options *opts = pass->run->opts;

	if (read_devices(pass) < 0)
		return EXIT_FAILURE;
	if (!selection_exists(opts, pass->snap))
		return EXIT_USAGE;
	if (opts->mode == MODE_STATUS) {
		const struct status st = { .snap = pass->snap, .plan = &pass->plan,
					   .lplan = &pass->lplan, .stamp = &pass->stamp,
					   .daxctl = pass->daxctl_state != DAXCTL_ABSENT };
		int r = status_print(&st, opts->json);

		if (r < 0)
			log_errno(r, "printing the status failed");
		return r < 0 || pass->layouts_bad ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	if (has_pmem(pass->snap))
		return GO_ON;
	log_event(MSG_NO_NVDIMM, NULL, "no NVDIMM regions found: nothing to do");
	/*
	 * A run still settles the stamp (written where there was none, no
	 * pending mark of dimms or regions that are gone), so that the path
	 * unit does not start one at every boot.
	 */
	pass->no_pmem = true;
	return pass->run->apply ? GO_ON : pass->layouts_bad ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Regions an interrupted run left disabled come back first; then the plans are made again. */
static int recover(struct pass *pass)
{
	const struct run *run = pass->run;

	if (!run->apply || !plan_has(&pass->plan, VERDICT_RECOVER))
		return GO_ON;
	if (apply_recover(pass->snap, &pass->plan, run->ops, run->userdata) < 0)
		pass->counts.failed++;
	return read_devices(pass) < 0 ? EXIT_FAILURE : GO_ON;
}

static void count_plan(const struct plan *plan, struct counts *c)
{
	for (size_t i = 0; i < plan->n_regions; i++) {
		const struct region_plan *rp = &plan->regions[i];

		if (!rp->selected || rp->verdict == VERDICT_INIT)
			continue;
		if (rp->verdict == VERDICT_LABELLED)
			c->labelled++;
		else if (rp->verdict == VERDICT_REFUSED)
			c->refused++;
		else
			c->skipped++;
	}
}

/* Whether the pass ends in failure: something refused or failed, or a layout file unusable. */
static bool pass_failed(const struct pass *pass)
{
	const struct counts *c = &pass->counts;

	return c->refused || c->failed || c->ns_refused || pass->layouts_bad;
}

/* --dry-run ends here; a real run reports the layouts once the labels are done. */
static int report(struct pass *pass)
{
	bool dry_run = !pass->run->apply;

	report_plan(pass->snap, &pass->plan, &pass->stamp, dry_run);
	count_plan(&pass->plan, &pass->counts);
	if (!dry_run)
		return GO_ON;
	report_layout_plan(pass->snap, &pass->plan, &pass->lplan, true, &pass->counts.drifted,
			   &pass->counts.ns_refused);
	return pass_failed(pass) ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * An NVDIMM needing labels that appeared while the pass ran (hot-plug): its
 * device event may have been merged into this run's start job, so nobody
 * else would label it. Read last, once the stamp is settled, after the
 * kernel has finished probing, so that only a dimm arriving in the moments
 * before the exit is left to its own event. Only after a pass that changed
 * something: a pass with nothing to do was not started by a new dimm.
 */
static void look_again(struct pass *pass)
{
	const struct run *run = pass->run;
	struct snapshot *now = NULL;
	struct plan later = { 0 };
	const char *what = NULL;
	int r;

	if (!pass->after)
		return;
	/* Only for its wait on the probing; a failure was reported by load_drivers(). */
	(void)run->ops->load_drivers(run->userdata, &what);
	r = run->ops->read_snapshot(run->userdata, &now);
	if (r == 0)
		r = plan_make(now, &pass->stamp, run->opts, &later);
	if (r < 0)
		log_warning("looking for NVDIMMs added during the run failed: %s", strerror(-r));
	else
		pass->again = plan_new_work(pass->snap, now, &later);
	plan_clear(&later);
	snapshot_free(now);
}

static int summarize(const struct pass *pass)
{
	const struct counts *c = &pass->counts;
	char layouts[192] = "";

	/* MSG_NO_NVDIMM said it all. */
	if (pass->no_pmem)
		return pass_failed(pass) ? EXIT_FAILURE : EXIT_SUCCESS;
	if (pass->layouts.n || pass->layouts_bad)
		snprintf(layouts, sizeof(layouts),
			 "; namespaces: %u created, %u converted, %u drifted, %u refused, "
			 "%u onlined as system RAM%s",
			 c->created, c->converted, c->drifted, c->ns_refused, c->onlined,
			 pass->layouts_bad ? " (no layout applied: a layout file is unusable)" : "");
	log_event(MSG_SUMMARY, NULL,
		  "done: %u labelled already, %u initialized, %u skipped, %u refused, %u failed%s",
		  c->labelled, c->initialized, c->skipped, c->refused, c->failed, layouts);
	return pass_failed(pass) ? EXIT_FAILURE : EXIT_SUCCESS;
}

static void pass_clear(struct pass *pass)
{
	unblock_stop_signals(pass->run);
	free(pass->group_failed);
	plan_clear(&pass->plan);
	layout_plan_clear(&pass->lplan);
	layout_set_clear(&pass->layouts);
	daxctl_conf_clear(&pass->daxctl);
	snapshot_free(pass->snap);
	snapshot_free(pass->after);
	stamp_clear(&pass->stamp);
	stamp_clear(&pass->on_disk);
}

/*
 * One pass, step by step: the state it starts from, the decision, then
 * the label step and the layout step, each verified from a fresh read.
 * Returns its exit status; *AGAIN says whether another pass is due.
 */
static int run_pass(struct run *run, bool *again)
{
	struct pass pass = { .run = run };
	int status = read_stamp(&pass);

	if (status == GO_ON) {
		load_layouts(&pass);
		load_drivers(&pass);
		status = decide(&pass);
	}
	if (status == GO_ON)
		status = recover(&pass);
	if (status == GO_ON)
		status = report(&pass);
	if (status == GO_ON) {
		label_regions(&pass);
		verify_labels(&pass);
		settle_stamp(&pass);
		apply_layouts(&pass);
		look_again(&pass);
		status = summarize(&pass);
	}
	*again = pass.again;
	pass_clear(&pass);
	return status;
}

/* Passes while NVDIMMs needing labels keep appearing, a few at the most. */
static int run_passes(struct run *run)
{
	int status = EXIT_SUCCESS;
	bool again = true;

	for (unsigned int n = 1; again && n <= MAX_PASSES; n++) {
		int s;

		if (n > 1)
			log_info("NVDIMMs that need labels appeared during the run: another pass");
		s = run_pass(run, &again);
		if (s != EXIT_SUCCESS)
			status = s;
	}
	return status;
}

int run_program(const struct options *opts, const struct ops *ops, void *userdata)
{
	struct run run = { .opts = opts, .ops = ops, .userdata = userdata,
			   .apply = opts->mode == MODE_APPLY, .dirfd = -1, .lockfd = -1 };
	int status = lock_state(&run);

	if (status == GO_ON)
		status = run_passes(&run);
	if (run.lockfd >= 0)
		close(run.lockfd);
	if (run.dirfd >= 0)
		close(run.dirfd);
	return status;
}
