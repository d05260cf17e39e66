// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout/daxctl-conf.h"
#include "layout/load.h"
#include "layout/report.h"
#include "shared/log.h"
#include "shared/nsuuid.h"
#include "run/steps.h"

int step_layouts(struct run *x)
{
	char err[512] = "";
	int r = layout_load_dirs(x->opts->layout_root, &x->layouts, err, sizeof(err));

	if (r < 0) {
		log_event(MSG_LAYOUT_INVALID, NULL,
			  "%s: no layout file applies in this run; labels are handled as usual",
			  err[0] ? err : strerror(-r));
		x->layouts_bad = true;
	}
	r = daxctl_conf_read(x->opts->layout_root, &x->daxctl);
	x->daxctl_state = r == 0 ? DAXCTL_READ : r == -ENOENT ? DAXCTL_ABSENT : DAXCTL_UNREADABLE;
	if (x->daxctl_state == DAXCTL_UNREADABLE)
		log_warning("reading %s%s/" DAXCTL_CONF_FILE " failed: %s; it is left as it is in "
			    "this run", x->opts->layout_root, DAXCTL_CONF_DIR, strerror(-r));
	return GO_ON;
}

int run_layout_plan(const struct run *x, const struct snapshot *snap, const struct plan *plan,
		    struct layout_plan *out)
{
	const struct layout_history h = {
		.stamp = &x->stamp,
		.conf = x->daxctl_state == DAXCTL_READ ? &x->daxctl : NULL,
	};

	return layout_plan_make(snap, plan, &x->layouts, &h, out);
}

/* A label plan and the layout plan, both from SNAP; logs a failure. */
static int plan_both(struct run *x, const struct snapshot *snap, struct plan *plan,
		     struct layout_plan *lp)
{
	int r = plan_make(snap, &x->stamp, x->opts, plan);

	if (r == 0)
		r = run_layout_plan(x, snap, plan, lp);
	if (r < 0)
		log_error("deciding the namespaces of the layouts failed: %s; none created",
			  strerror(-r));
	return r;
}

static bool changes(const struct layout_ns_plan *np)
{
	return np->action == LAYOUT_CREATE || np->action == LAYOUT_RESUME ||
	       np->action == LAYOUT_CONVERT;
}

static bool region_changes(const struct layout_region_plan *rp)
{
	for (size_t j = 0; j < rp->n_ns; j++)
		if (changes(&rp->ns[j]))
			return true;
	return false;
}

/* Each create gets a fresh uuid, on disk in the stamp before any step; a resume keeps its own. */
static int mark_region(struct run *x, const struct snap_region *r,
		       const struct layout_region_plan *rp, char (*uuids)[SNAP_UUID_MAX])
{
	unsigned char bytes[NSUUID_BYTES];
	long long now = (long long)time(NULL);
	bool marked = false;
	int e = 0;

	for (size_t j = 0; j < rp->n_ns && e == 0; j++) {
		const struct layout_ns_plan *np = &rp->ns[j];

		if (np->action == LAYOUT_RESUME)
			snprintf(uuids[j], SNAP_UUID_MAX, "%s", r->namespaces[np->ns].uuid);
		if (np->action != LAYOUT_CREATE)
			continue;
		e = nsuuid_random(bytes);
		if (e == 0) {
			nsuuid_format(bytes, uuids[j]);
			e = stamp_ns_add(&x->stamp, r->name, uuids[j], np->name, now);
			marked = true;
		}
	}
	if (e < 0)
		log_error("%s: recording the namespaces to create in the stamp failed: %s; none "
			  "created there", r->name, strerror(-e));
	else if (marked)
		e = write_stamp(x, true);
	return e;
}

static int act(struct run *x, const struct snap_region *r, const struct layout_ns_plan *np,
	       const char *uuid)
{
	const struct layout_ns *d = np->decl;
	const struct snap_namespace *ns = layout_ns_plan_namespace(r, np);
	const struct ns_spec spec = { .uuid = uuid, .name = np->name, .mode = d->mode,
				      .size = layout_ns_plan_size(r, np), .align = d->align,
				      .sector_size = d->sector_size };

	if (np->action == LAYOUT_CONVERT)
		return x->ops->convert_namespace(x->userdata, r->name, ns->name, &spec);
	return x->ops->create_namespace(x->userdata, r->name, ns ? ns->name : NULL, &spec);
}

/*
 * What a namespace to finish or convert holds now: the user may have made
 * a filesystem on the raw namespace an interrupted run left, or mounted it,
 * since the devices were read. Looked at with its device opened
 * exclusively, as the label step does. Returns REASON_NONE to go on.
 */
static enum reason recheck(struct run *x, const struct snap_region *r,
			   const struct layout_ns_plan *np, struct snap_namespace *seen)
{
	const struct snap_namespace *ns = layout_ns_plan_namespace(r, np);
	int e = x->ops->probe_namespace(x->userdata, r->name, ns->name, seen);

	if (e < 0) {
		seen->probe_error = -e;
		return REASON_UNREADABLE;
	}
	/* Disabled, a half-made namespace has had no user. */
	if (np->action == LAYOUT_RESUME && !seen->enabled)
		return REASON_NONE;
	return plan_raw_namespace_risk(seen);
}

/*
 * A half-made namespace that somebody uses or filled is theirs now: its
 * mark goes, and later runs report it as drift. One that could not be
 * looked at keeps its mark for the next run. Logs; -ECANCELED.
 */
static int refuse_changed(struct run *x, const struct snap_region *r,
			  const struct layout_region_plan *rp, const struct layout_ns_plan *np,
			  const char *uuid, const struct snap_namespace *seen, enum reason why)
{
	const struct log_fields f = { .region = r->name, .name = np->name, .ns = seen->name,
				      .reason = reason_name(why),
				      .blockdev = seen->blockdev[0] ? seen->blockdev : NULL,
				      .signature = seen->signature[0] ? seen->signature : NULL };
	char what[160];

	if (why == REASON_SIGNATURE)
		snprintf(what, sizeof(what), "carries a %s signature", seen->signature);
	else if (why == REASON_UNREADABLE)
		snprintf(what, sizeof(what), "could not be checked (%s)",
			 strerror(seen->probe_error ? seen->probe_error : EIO));
	else if (why == REASON_BUSY)
		snprintf(what, sizeof(what), "is in use (mounted or open)");
	else
		snprintf(what, sizeof(what), "is configured as %s", ns_mode_name(seen->mode));
	if (np->action == LAYOUT_CONVERT)
		log_event(MSG_LAYOUT_REFUSED, &f,
			  "%s: the raw namespace %s %s now: not converted into %s, as %s "
			  "declares; it stays raw", r->name, seen->name, what, np->name,
			  rp->layout->path);
	else if (why == REASON_UNREADABLE)
		log_event(MSG_FAILED, &f,
			  "%s: %s (%s), left half-made by an interrupted run, %s: not finished; "
			  "the next run looks again", r->name, np->name, seen->name, what);
	else
		log_event(MSG_LAYOUT_REFUSED, &f,
			  "%s: %s (%s), left raw by an interrupted run, %s: it is left as it "
			  "is and never finished; destroy it (ndctl destroy-namespace) if what it "
			  "holds is not wanted, and the next run creates it as %s declares",
			  r->name, np->name, seen->name, what, rp->layout->path);
	if (why == REASON_UNREADABLE && np->action == LAYOUT_RESUME) {
		x->c.failed++;
		return -ECANCELED;
	}
	if (np->action == LAYOUT_RESUME)
		stamp_ns_remove(&x->stamp, uuid);
	x->c.ns_refused++;
	return -ECANCELED;
}

/*
 * A region's namespaces in the layout's order; the first failure stops the
 * rest, which the marks let the next run finish. Logs the failure. Returns
 * 0, -ECANCELED for a namespace refused (counted), or a failure's errno.
 */
static int apply_region(struct run *x, const struct snap_region *r,
			const struct layout_region_plan *rp)
{
	char uuids[LAYOUT_NS_MAX][SNAP_UUID_MAX] = { { 0 } };
	int e = mark_region(x, r, rp, uuids);

	for (size_t j = 0; j < rp->n_ns && e == 0; j++) {
		const struct layout_ns_plan *np = &rp->ns[j];
		const struct log_fields f = { .region = r->name, .name = np->name,
					      .reason = layout_action_name(np->action) };
		struct snap_namespace seen;
		enum reason why;

		if (!changes(np))
			continue;
		if (np->action != LAYOUT_CREATE &&
		    (why = recheck(x, r, np, &seen)) != REASON_NONE) {
			e = refuse_changed(x, r, rp, np, uuids[j], &seen, why);
			break;
		}
		e = act(x, r, np, uuids[j]);
		if (e < 0)
			log_event(MSG_FAILED, &f, "%s: %s %s (%s) from %s failed: %s; %s", r->name,
				  np->action == LAYOUT_CONVERT ? "converting the raw namespace into"
							       : "creating",
				  np->name, ns_mode_name(np->decl->mode), rp->layout->path,
				  strerror(-e),
				  np->action == LAYOUT_CONVERT
					  ? "it stays raw"
					  : "the next run finishes this region's layout");
	}
	return e;
}

static const struct layout_ns_plan *ns_plan_now(const struct layout_region_plan *now,
						const struct layout_region_plan *before, size_t j)
{
	return now && now->layout == before->layout && j < now->n_ns ? &now->ns[j] : NULL;
}

/*
 * A devdax namespace of ours, so that Memory= may online it, now or when a
 * layout says so later; a failure only means it is not onlined.
 */
static void record_dax(struct run *x, const struct snapshot *snap, const struct snap_region *r,
		       const struct snap_namespace *ns)
{
	int e;

	if (ns->mode != NS_MODE_DEVDAX || !ns->dax_uuid[0] || !r->n_dimms)
		return;
	e = stamp_dax_add(&x->stamp, ns->uuid, ns->dax_uuid, snap->dimms[r->dimms[0]].id,
			  (long long)time(NULL));
	if (e < 0)
		log_warning("%s: recording %s (%s) in the stamp failed: %s; Memory= will not "
			    "online it", r->name, ns->alt_name, ns->name, strerror(-e));
}

/* Success is decided from a fresh read: the namespace is there as declared. */
static void verify_region(struct run *x, const struct snap_region *before_r,
			  const struct layout_region_plan *before, const struct snapshot *after,
			  const struct layout_plan *after_lp, bool failed)
{
	const struct snap_region *r = snapshot_find_region(after, before_r->name);
	const struct layout_region_plan *now = r ? &after_lp->regions[r - after->regions] : NULL;

	for (size_t j = 0; j < before->n_ns; j++) {
		const struct layout_ns_plan *np = &before->ns[j], *nowp = ns_plan_now(now, before, j);
		const struct layout_ns *d = np->decl;
		const struct snap_namespace *ns;
		struct log_fields f = { .region = before_r->name, .name = np->name };

		if (!changes(np))
			continue;
		if (!nowp || nowp->action != LAYOUT_PRESENT) {
			f.reason = "verify";
			if (!failed)
				log_event(MSG_FAILED, &f,
					  "%s: %s (%s) is not there as declared after it was made "
					  "(checked from a fresh read of the devices); the next run "
					  "tries again", before_r->name, np->name, ns_mode_name(d->mode));
			x->c.failed += !failed;
			continue;
		}
		ns = &r->namespaces[nowp->ns];
		f.ns = ns->name;
		if (np->action == LAYOUT_CONVERT) {
			log_event(MSG_NS_CONVERTED, &f,
				  "%s: converted the raw namespace %s in place into %s (%s, %llu "
				  "bytes), as %s declares", r->name, ns->name, np->name,
				  ns_mode_name(ns->mode), ns->size, before->layout->path);
			x->c.converted++;
		} else {
			log_event(MSG_NS_CREATED, &f,
				  "%s: created %s as %s (%s, %llu bytes, uuid %s), as %s declares",
				  r->name, np->name, ns->name, ns_mode_name(ns->mode), ns->size,
				  ns->uuid, before->layout->path);
			x->c.created++;
			record_dax(x, after, r, ns);
		}
	}
}

/* Whether the plan finishes the namespace with this uuid: then it is still half-made. */
static bool resumes(const struct snapshot *now, const struct layout_plan *lp, const char *uuid)
{
	for (size_t i = 0; i < now->n_regions; i++) {
		const struct layout_region_plan *rp = &lp->regions[i];

		for (size_t j = 0; j < rp->n_ns; j++)
			if (rp->ns[j].action == LAYOUT_RESUME &&
			    strcmp(now->regions[i].namespaces[rp->ns[j].ns].uuid, uuid) == 0)
				return true;
	}
	return false;
}

/*
 * A mark stays for a namespace still half-made, wherever it is found (region
 * names can change from one boot to the next), and while its region is
 * disabled, which hides its namespaces. Any other is done with.
 */
static int settle_marks(struct run *x, const struct snapshot *now, const struct layout_plan *lp)
{
	for (size_t k = x->stamp.n_ns; k-- > 0;) {
		const struct stamp_ns *m = &x->stamp.ns[k];
		const struct snap_region *r = snapshot_find_region(now, m->region);

		if (!resumes(now, lp, m->uuid) && !(r && !r->enabled))
			stamp_ns_remove(&x->stamp, m->uuid);
	}
	return write_stamp(x, false);
}

/* The fresh read after the creates, and what it shows. */
static int check_after(struct run *x, const struct snapshot *before, const struct layout_plan *lp,
		       const bool *applied, const bool *failed)
{
	struct snapshot *after = NULL;
	struct layout_plan after_lp = { 0 };
	struct plan label = { 0 };
	int r = x->ops->read_snapshot(x->userdata, &after);

	if (r < 0)
		log_error("reading the NVDIMM state after creating namespaces failed: %s; the "
			  "next run checks them", strerror(-r));
	else if ((r = plan_both(x, after, &label, &after_lp)) == 0) {
		for (size_t i = 0; i < before->n_regions; i++)
			if (applied[i])
				verify_region(x, &before->regions[i], &lp->regions[i], after,
					      &after_lp, failed[i]);
		settle_memory(x, after, &label, &after_lp);
		r = settle_marks(x, after, &after_lp);
	}
	layout_plan_clear(&after_lp);
	plan_clear(&label);
	snapshot_free(after);
	return r;
}

/* Applies the regions' layouts; APPLIED and FAILED say which it touched and which failed. */
static bool apply_regions(struct run *x, const struct snapshot *now, const struct plan *label,
			  const struct layout_plan *lp, bool *applied, bool *failed)
{
	bool any = false;
	int e;

	for (size_t i = 0; i < now->n_regions; i++) {
		const struct layout_region_plan *rp = &lp->regions[i];

		/*
		 * Projected: labelled only in a later pass (an NVDIMM that arrived
		 * during this one), which plans it afresh. A refused region still
		 * gets its half-made namespaces finished: their space is taken
		 * already, and only that keeps their marks from staying forever.
		 */
		if (!label->regions[i].selected || rp->verdict == LAYOUT_REGION_NONE ||
		    rp->projected || !region_changes(rp))
			continue;
		applied[i] = any = true;
		e = apply_region(x, &now->regions[i], rp);
		failed[i] = e < 0;
		x->c.failed += e < 0 && e != -ECANCELED;
	}
	return any;
}

int step_layout(struct run *x)
{
	/* Without the fresh read after labelling there is nothing to plan on. */
	const struct snapshot *now = x->plan.n_groups ? x->after : x->snap;
	struct layout_plan lp = { 0 };
	struct plan label = { 0 };
	bool *applied = NULL, *failed = NULL;
	int r;

	/* Nothing to settle either: no layout, no mark, nothing of Memory= to keep or take back. */
	if (!x->apply || x->layouts_bad || !now ||
	    (x->layouts.n == 0 && x->stamp.n_ns == 0 && x->stamp.n_dax == 0 && x->daxctl.n == 0))
		return GO_ON;
	block_stop_signals(x);
	r = plan_both(x, now, &label, &lp);
	applied = calloc(now->n_regions + 1, sizeof(*applied));
	failed = calloc(now->n_regions + 1, sizeof(*failed));
	if (r == 0 && (!applied || !failed)) {
		r = -ENOMEM;
		log_error("preparing the namespaces of the layouts failed: %s; none created",
			  strerror(ENOMEM));
	}
	if (r == 0) {
		report_layout_plan(now, &label, &lp, false, &x->c.drifted, &x->c.ns_refused);
		if (apply_regions(x, now, &label, &lp, applied, failed))
			r = check_after(x, now, &lp, applied, failed);
		else {
			settle_memory(x, now, &label, &lp);
			r = settle_marks(x, now, &lp);
		}
	}
	x->c.failed += r < 0;
	free(applied);
	free(failed);
	layout_plan_clear(&lp);
	plan_clear(&label);
	unblock_stop_signals(x);
	return GO_ON;
}
