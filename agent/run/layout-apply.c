// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run/steps.h"
#include "shared/log.h"
#include "shared/nsuuid.h"

/* Each create gets a fresh uuid, on disk in the stamp before any step; a resume keeps its own. */
static int mark_region(struct pass *pass, const struct snap_region *r,
		       const struct layout_region_plan *lrp, char (*uuids)[SNAP_UUID_MAX])
{
	unsigned char bytes[NSUUID_BYTES];
	long long now = (long long)time(NULL);
	bool marked = false;
	int e = 0;

	for (size_t j = 0; j < lrp->n_ns && e == 0; j++) {
		const struct layout_ns_plan *np = &lrp->ns[j];

		if (np->action == LAYOUT_RESUME)
			snprintf(uuids[j], SNAP_UUID_MAX, "%s", r->namespaces[np->ns].uuid);
		if (np->action != LAYOUT_CREATE)
			continue;
		e = nsuuid_random(bytes);
		if (e == 0) {
			nsuuid_format(bytes, uuids[j]);
			e = stamp_ns_add(&pass->stamp, r->name, uuids[j], np->name, now);
			marked = true;
		}
	}
	if (e < 0)
		log_errno(e, "%s: recording the namespaces to create in the stamp failed, so none "
			  "is created there", r->name);
	else if (marked)
		e = write_stamp(pass, true);
	return e;
}

static int act(struct pass *pass, const struct snap_region *r, const struct layout_ns_plan *np,
	       const char *uuid)
{
	const struct layout_ns *d = np->decl;
	const struct snap_namespace *ns = layout_ns_plan_namespace(r, np);
	const struct ns_spec spec = { .uuid = uuid, .name = np->name, .mode = d->mode,
				      .size = layout_ns_plan_size(r, np), .align = d->align,
				      .sector_size = d->sector_size };

	if (np->action == LAYOUT_CONVERT)
		return pass->run->ops->convert_namespace(pass->run->userdata, r->name, ns->name, &spec);
	return pass->run->ops->create_namespace(pass->run->userdata, r->name, ns ? ns->name : NULL, &spec);
}

/*
 * What a namespace to finish or convert holds now: the user may have made
 * a filesystem on the raw namespace an interrupted run left, or mounted it,
 * since the devices were read. Looked at with its device opened
 * exclusively, as the label step does. Returns REASON_NONE to go on.
 */
static enum reason recheck(struct pass *pass, const struct snap_region *r,
			   const struct layout_ns_plan *np, struct snap_namespace *seen)
{
	const struct snap_namespace *ns = layout_ns_plan_namespace(r, np);
	int e = pass->run->ops->probe_namespace(pass->run->userdata, r->name, ns->name, seen);

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
static int refuse_changed(struct pass *pass, const struct snap_region *r,
			  const struct layout_region_plan *lrp, const struct layout_ns_plan *np,
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
			  lrp->layout->path);
	else if (why == REASON_UNREADABLE)
		log_event(MSG_FAILED, &f,
			  "%s: %s (%s), left half-made by an interrupted run, %s: not finished; "
			  "the next run looks again", r->name, np->name, seen->name, what);
	else
		log_event(MSG_LAYOUT_REFUSED, &f,
			  "%s: %s (%s), left raw by an interrupted run, %s: it is left as it "
			  "is and never finished; destroy it (ndctl destroy-namespace) if what it "
			  "holds is not wanted, and the next run creates it as %s declares",
			  r->name, np->name, seen->name, what, lrp->layout->path);
	if (why == REASON_UNREADABLE && np->action == LAYOUT_RESUME) {
		pass->counts.failed++;
		return -ECANCELED;
	}
	if (np->action == LAYOUT_RESUME)
		stamp_ns_remove(&pass->stamp, uuid);
	pass->counts.ns_refused++;
	return -ECANCELED;
}

/*
 * A region's namespaces in the layout's order; the first failure stops the
 * rest, which the marks let the next run finish. Logs the failure. Returns
 * 0, -ECANCELED for a namespace refused (counted), or a failure's errno.
 */
int apply_region_layout(struct pass *pass, const struct snap_region *r,
			const struct layout_region_plan *lrp)
{
	char uuids[LAYOUT_NS_MAX][SNAP_UUID_MAX] = { { 0 } };
	int e = mark_region(pass, r, lrp, uuids);

	for (size_t j = 0; j < lrp->n_ns && e == 0; j++) {
		const struct layout_ns_plan *np = &lrp->ns[j];
		const struct log_fields f = { .region = r->name, .name = np->name,
					      .reason = layout_action_name(np->action) };
		struct snap_namespace seen;
		enum reason why;

		if (!layout_ns_plan_changes(np))
			continue;
		if (np->action != LAYOUT_CREATE &&
		    (why = recheck(pass, r, np, &seen)) != REASON_NONE) {
			e = refuse_changed(pass, r, lrp, np, uuids[j], &seen, why);
			break;
		}
		e = act(pass, r, np, uuids[j]);
		if (e < 0)
			log_event(MSG_FAILED, &f, "%s: %s %s (%s) from %s failed: %s; %s", r->name,
				  np->action == LAYOUT_CONVERT ? "converting the raw namespace into"
							       : "creating",
				  np->name, ns_mode_name(np->decl->mode), lrp->layout->path,
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
static void record_dax(struct pass *pass, const struct snapshot *snap, const struct snap_region *r,
		       const struct snap_namespace *ns)
{
	int e;

	if (ns->mode != NS_MODE_DEVDAX || !ns->dax_uuid[0] || !r->n_dimms)
		return;
	e = stamp_dax_add(&pass->stamp, ns->uuid, ns->dax_uuid, snap->dimms[r->dimms[0]].id,
			  (long long)time(NULL));
	if (e < 0)
		log_warning("%s: recording %s (%s) in the stamp failed: %s; Memory= will not "
			    "online it", r->name, ns->alt_name, ns->name, strerror(-e));
}

/* Success is decided from a fresh read: the namespace is there as declared. */
void verify_region_layout(struct pass *pass, const struct snap_region *before,
			  const struct layout_region_plan *lrp, const struct snapshot *after,
			  const struct layout_plan *after_lplan, bool failed)
{
	const struct snap_region *r = snapshot_find_region(after, before->name);
	const struct layout_region_plan *now = r ? &after_lplan->regions[r - after->regions] : NULL;

	for (size_t j = 0; j < lrp->n_ns; j++) {
		const struct layout_ns_plan *np = &lrp->ns[j], *nowp = ns_plan_now(now, lrp, j);
		const struct layout_ns *d = np->decl;
		const struct snap_namespace *ns;
		struct log_fields f = { .region = before->name, .name = np->name };

		if (!layout_ns_plan_changes(np))
			continue;
		if (!nowp || nowp->action != LAYOUT_PRESENT) {
			f.reason = "verify";
			if (!failed)
				log_event(MSG_FAILED, &f,
					  "%s: %s (%s) is not there as declared after it was made "
					  "(checked from a fresh read of the devices); the next run "
					  "tries again", before->name, np->name, ns_mode_name(d->mode));
			pass->counts.failed += !failed;
			continue;
		}
		ns = &r->namespaces[nowp->ns];
		f.ns = ns->name;
		if (np->action == LAYOUT_CONVERT) {
			log_event(MSG_NS_CONVERTED, &f,
				  "%s: converted the raw namespace %s in place into %s (%s, %llu "
				  "bytes), as %s declares", r->name, ns->name, np->name,
				  ns_mode_name(ns->mode), ns->size, lrp->layout->path);
			pass->counts.converted++;
		} else {
			log_event(MSG_NS_CREATED, &f,
				  "%s: created %s as %s (%s, %llu bytes, uuid %s), as %s declares",
				  r->name, np->name, ns->name, ns_mode_name(ns->mode), ns->size,
				  ns->uuid, lrp->layout->path);
			pass->counts.created++;
			record_dax(pass, after, r, ns);
		}
	}
}
