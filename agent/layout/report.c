// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdio.h>

#include "layout/report.h"
#include "shared/log.h"

/* PRESENT and DRIFT: the namespace is there by name. */
static void report_existing(const struct snap_region *r, const struct layout_region_plan *lrp,
			    const struct layout_ns_plan *np, unsigned int *drifted)
{
	const struct layout_ns *d = np->decl;
	const struct snap_namespace *ns = &r->namespaces[np->ns];
	const struct log_fields f = { .region = r->name, .name = np->name, .ns = ns->name };

	if (np->action == LAYOUT_PRESENT) {
		log_info("%s: %s is there as %s declares it (%s)", r->name, np->name,
			 lrp->layout->path, ns->name);
		return;
	}
	if (np->drift == LAYOUT_DRIFT_MEMORY)
		log_event(MSG_NS_DRIFT, &f,
			  "%s: %s (%s) is a devdax device whose memory %s declares Memory= for, but "
			  "it was not made by nvdimm-label-init: a program may be using it, so its "
			  "memory is left as it is; online it with daxctl, or destroy the namespace "
			  "and the next run makes it", r->name, np->name, ns->name, lrp->layout->path);
	else
		log_event(MSG_NS_DRIFT, &f,
			  "%s: %s (%s) is %s, %llu bytes, but %s declares it %s%s: left as it is",
			  r->name, np->name, ns->name, ns_mode_name(ns->mode), ns->size,
			  lrp->layout->path, ns_mode_name(d->mode),
			  np->drift & LAYOUT_DRIFT_SIZE ? " of another size" : "");
	++*drifted;
}

/* For a name taken: where, in words. */
static void taken_where(const struct snapshot *snap, size_t i, const struct layout_region_plan *lrp,
			char *buf, size_t len)
{
	const struct snap_region *other = &snap->regions[lrp->other];

	if (lrp->other == i)
		snprintf(buf, len, " (%s: declared twice for %s)", lrp->ns[lrp->taken].name,
			 other->name);
	else
		snprintf(buf, len, " (%s: in %s too)", lrp->ns[lrp->taken].name, other->name);
}

static void report_ns(const struct snapshot *snap, size_t i, const struct layout_region_plan *lrp,
		      const struct layout_ns_plan *np, bool dry_run, unsigned int *drifted,
		      unsigned int *refused)
{
	const struct snap_region *r = &snap->regions[i];
	const struct layout_ns *d = np->decl;
	const struct snap_namespace *ns = layout_ns_plan_namespace(r, np);
	char where[192] = "";
	const struct log_fields f = { .region = r->name, .name = np->name,
				      .ns = ns ? ns->name : NULL,
				      .reason = np->action == LAYOUT_REFUSED ? reason_name(lrp->reason)
									    : NULL };

	switch (np->action) {
	case LAYOUT_PRESENT:
	case LAYOUT_DRIFT:
		report_existing(r, lrp, np, drifted);
		break;
	case LAYOUT_REFUSED:
		if (lrp->reason == REASON_NAME_TAKEN)
			taken_where(snap, i, lrp, where, sizeof(where));
		log_event(MSG_LAYOUT_REFUSED, &f,
			  "%s: layout %s refused for %s (%s): %s%s; nothing of it is created or "
			  "converted in %s", r->name, lrp->layout->path, np->name,
			  ns_mode_name(d->mode), reason_layout_words(lrp->reason), where, r->name);
		++*refused;
		break;
	case LAYOUT_CREATE:
	case LAYOUT_RESUME:
	case LAYOUT_CONVERT:
		if (dry_run)
			log_event(MSG_DRY_RUN, &f, "dry run: would %s %s (%s, %llu bytes) in %s%s",
				  np->action == LAYOUT_CREATE   ? "create"
				  : np->action == LAYOUT_RESUME ? "finish creating"
								: "convert in place into",
				  np->name, ns_mode_name(d->mode), layout_ns_plan_size(r, np),
				  r->name, lrp->projected ? " once its labels are initialized" : "");
		break;
	}
}

void report_layout_plan(const struct snapshot *snap, const struct plan *plan,
			const struct layout_plan *lplan, bool dry_run, unsigned int *drifted,
			unsigned int *refused)
{
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct layout_region_plan *lrp = &lplan->regions[i];

		/* A run acts on a projected region in a later pass, and reports it there. */
		if (!plan->regions[i].selected || !lrp->layout || (lrp->projected && !dry_run))
			continue;
		for (size_t j = 0; j < lrp->n_ns; j++)
			report_ns(snap, i, lrp, &lrp->ns[j], dry_run, drifted, refused);
	}
}
