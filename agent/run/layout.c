// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout/load.h"
#include "layout/report.h"
#include "run/steps.h"
#include "shared/log.h"

void load_layouts(struct pass *pass)
{
	char err[512] = "";
	int r = layout_load_dirs(pass->run->opts->layout_root, &pass->layouts, err, sizeof(err));

	if (r < 0) {
		log_event(MSG_LAYOUT_INVALID, NULL,
			  "%s: no layout file applies in this run; labels are handled as usual",
			  err[0] ? err : strerror(-r));
		pass->layouts_bad = true;
	}
	r = daxctl_conf_read(pass->run->opts->layout_root, &pass->daxctl);
	pass->daxctl_state = r == 0 ? DAXCTL_READ : r == -ENOENT ? DAXCTL_ABSENT : DAXCTL_UNREADABLE;
	if (pass->daxctl_state == DAXCTL_UNREADABLE)
		log_warning("reading %s%s/" DAXCTL_CONF_FILE " failed: %s; it is left as it is in "
			    "this run", pass->run->opts->layout_root, DAXCTL_CONF_DIR, strerror(-r));
}

static bool region_changes(const struct layout_region_plan *lrp)
{
	for (size_t j = 0; j < lrp->n_ns; j++)
		if (layout_ns_plan_changes(&lrp->ns[j]))
			return true;
	return false;
}

/* Whether the plan finishes the namespace with this uuid: then it is still half-made. */
static bool resumes(const struct snapshot *now, const struct layout_plan *lplan, const char *uuid)
{
	for (size_t i = 0; i < now->n_regions; i++) {
		const struct layout_region_plan *lrp = &lplan->regions[i];

		for (size_t j = 0; j < lrp->n_ns; j++)
			if (lrp->ns[j].action == LAYOUT_RESUME &&
			    strcmp(now->regions[i].namespaces[lrp->ns[j].ns].uuid, uuid) == 0)
				return true;
	}
	return false;
}

/*
 * A mark stays for a namespace still half-made, wherever it is found (region
 * names can change from one boot to the next), and while its region is
 * disabled, which hides its namespaces. Any other is done with.
 */
static int settle_marks(struct pass *pass, const struct snapshot *now, const struct layout_plan *lplan)
{
	for (size_t k = pass->stamp.n_ns; k-- > 0;) {
		const struct stamp_ns *m = &pass->stamp.ns[k];
		const struct snap_region *r = snapshot_find_region(now, m->region);

		if (!resumes(now, lplan, m->uuid) && !(r && !r->enabled))
			stamp_ns_remove(&pass->stamp, m->uuid);
	}
	return write_stamp(pass, false);
}

/* The fresh read after the creates, and what it shows. */
static int check_after(struct pass *pass, const struct snapshot *before, const struct layout_plan *lplan,
		       const bool *applied, const bool *failed)
{
	struct snapshot *after = NULL;
	struct layout_plan after_lplan = { 0 };
	struct plan plan = { 0 };
	int r = pass->run->ops->read_snapshot(pass->run->userdata, &after);

	if (r < 0)
		log_errno(r, "reading the NVDIMM state after creating namespaces failed, so the "
			  "next run checks them");
	else if ((r = make_plans(pass, after, &plan, &after_lplan)) == 0) {
		for (size_t i = 0; i < before->n_regions; i++)
			if (applied[i])
				verify_region_layout(pass, &before->regions[i], &lplan->regions[i],
						     after, &after_lplan, failed[i]);
		settle_memory(pass, after, &plan, &after_lplan);
		r = settle_marks(pass, after, &after_lplan);
	}
	layout_plan_clear(&after_lplan);
	plan_clear(&plan);
	snapshot_free(after);
	return r;
}

/* Applies the regions' layouts; APPLIED and FAILED say which it touched and which failed. */
static bool apply_regions(struct pass *pass, const struct snapshot *now, const struct plan *plan,
			  const struct layout_plan *lplan, bool *applied, bool *failed)
{
	bool any = false;
	int e;

	for (size_t i = 0; i < now->n_regions; i++) {
		const struct layout_region_plan *lrp = &lplan->regions[i];

		/*
		 * Projected: labelled only in a later pass (an NVDIMM that arrived
		 * during this one), which plans it afresh. A refused region still
		 * gets its half-made namespaces finished: their space is taken
		 * already, and only that keeps their marks from staying forever.
		 */
		if (!plan->regions[i].selected || lrp->verdict == LAYOUT_REGION_NONE ||
		    lrp->projected || !region_changes(lrp))
			continue;
		applied[i] = any = true;
		e = apply_region_layout(pass, &now->regions[i], lrp);
		failed[i] = e < 0;
		pass->counts.failed += e < 0 && e != -ECANCELED;
	}
	return any;
}

/* No layout, no mark, nothing of Memory= to keep or take back: nothing to settle either. */
static bool nothing_to_do(const struct pass *pass)
{
	return pass->layouts.n == 0 && pass->stamp.n_ns == 0 && pass->stamp.n_dax == 0 &&
	       pass->daxctl.n == 0;
}

/* NOW as the plans LPLAN (with PLAN) say: each region's namespaces, then what follows. */
static int apply_plans(struct pass *pass, const struct snapshot *now, const struct plan *plan,
		       const struct layout_plan *lplan)
{
	bool *applied = calloc(now->n_regions + 1, sizeof(*applied));
	bool *failed = calloc(now->n_regions + 1, sizeof(*failed));
	int r = applied && failed ? 0 : -ENOMEM;

	if (r < 0)
		log_errno(r, "preparing the namespaces of the layouts failed, so none is created");
	else if (apply_regions(pass, now, plan, lplan, applied, failed))
		r = check_after(pass, now, lplan, applied, failed);
	else {
		settle_memory(pass, now, plan, lplan);
		r = settle_marks(pass, now, lplan);
	}
	free(applied);
	free(failed);
	return r;
}

void apply_layouts(struct pass *pass)
{
	/* Without the fresh read after labelling there is nothing to plan on. */
	const struct snapshot *now = pass->plan.n_groups ? pass->after : pass->snap;
	struct layout_plan lplan = { 0 };
	struct plan plan = { 0 };
	int r;

	if (!pass->run->apply || pass->layouts_bad || !now || nothing_to_do(pass))
		return;
	block_stop_signals(pass->run);
	r = make_plans(pass, now, &plan, &lplan);
	if (r == 0) {
		report_layout_plan(now, &plan, &lplan, false, &pass->counts.drifted,
				   &pass->counts.ns_refused);
		r = apply_plans(pass, now, &plan, &lplan);
	}
	pass->counts.failed += r < 0;
	layout_plan_clear(&lplan);
	plan_clear(&plan);
	unblock_stop_signals(pass->run);
}
