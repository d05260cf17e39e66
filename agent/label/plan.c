// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ndctl.h>

#include "label/plan.h"
#include "shared/macro.h"

/* The names are what --status, --json and the journal's NVDIMM_REASON show. */
static const char *const state_names[] = {
	[STATE_NOT_PMEM] = "not-pmem",
	[STATE_DISABLED] = "disabled",
	[STATE_LABELLED] = "labelled",
	[STATE_OTHER] = "other",
	[STATE_NO_DIMM] = "no-dimm",
	[STATE_NO_LABEL_AREA] = "no-label-area",
	[STATE_LABEL_LESS] = "label-less",
};

static const char *const verdict_names[] = {
	[VERDICT_NOT_OURS] = "not-ours",
	[VERDICT_DISABLED] = "disabled",
	[VERDICT_RECOVER] = "recover",
	[VERDICT_LABELLED] = "labelled",
	[VERDICT_UNSUPPORTED] = "unsupported",
	[VERDICT_INIT] = "initialize",
	[VERDICT_REFUSED] = "refused",
};


const char *region_state_name(enum region_state s)
{
	return NAME_OF(state_names, s);
}

const char *verdict_name(enum verdict v)
{
	return NAME_OF(verdict_names, v);
}


static bool region_has_pending_dimm(const struct snapshot *snap, const struct snap_region *r,
				    const struct stamp *stamp)
{
	for (size_t i = 0; i < r->n_dimms; i++) {
		const struct stamp_entry *e = stamp_find(stamp, snap->dimms[r->dimms[i]].id);

		if (stamp_entry_pending(e))
			return true;
	}
	return false;
}

static void refuse(struct region_plan *p, enum reason reason)
{
	p->verdict = VERDICT_REFUSED;
	p->reason = reason;
}

enum reason plan_raw_namespace_risk(const struct snap_namespace *ns)
{
	if (ns->system_ram)
		return REASON_SYSTEM_RAM;
	if (ns->mode != NS_MODE_RAW)
		return REASON_CONFIGURED;
	if (ns->busy)
		return REASON_BUSY;
	if (!ns->enabled || !ns->blockdev[0] || ns->probe_error)
		return REASON_UNREADABLE;
	if (ns->signature[0])
		return REASON_SIGNATURE;
	return REASON_NONE;
}

/* The label-less region's one raw namespace decides whether touching it is safe. */
static void decide_namespace(const struct snap_namespace *ns, bool force, struct region_plan *p)
{
	enum reason risk = plan_raw_namespace_risk(ns);

	p->verdict = VERDICT_INIT;
	if (force && (risk == REASON_UNREADABLE || risk == REASON_SIGNATURE))
		p->forced = true;
	else if (risk != REASON_NONE)
		refuse(p, risk);
}

static void decide_region(const struct snapshot *snap, const struct snap_region *r,
			  const struct stamp *stamp, bool force, struct region_plan *p)
{
	if (!r->pmem) {
		p->state = STATE_NOT_PMEM;
		p->verdict = VERDICT_NOT_OURS;
		return;
	}
	if (!r->enabled) {
		p->state = STATE_DISABLED;
		p->verdict = region_has_pending_dimm(snap, r, stamp) ? VERDICT_RECOVER
								    : VERDICT_DISABLED;
		return;
	}
	if (r->nstype == ND_DEVICE_NAMESPACE_PMEM) {
		p->state = STATE_LABELLED;
		p->verdict = VERDICT_LABELLED;
		return;
	}
	if (r->nstype != ND_DEVICE_NAMESPACE_IO) {
		p->state = STATE_OTHER;
		p->verdict = VERDICT_NOT_OURS;
		return;
	}
	if (r->n_dimms == 0) {
		p->state = STATE_NO_DIMM;
		p->verdict = VERDICT_UNSUPPORTED;
		p->reason = REASON_NO_DIMM;
		return;
	}
	for (size_t i = 0; i < r->n_dimms; i++) {
		if (!snap->dimms[r->dimms[i]].label_support) {
			p->state = STATE_NO_LABEL_AREA;
			p->verdict = VERDICT_UNSUPPORTED;
			return;
		}
	}
	p->state = STATE_LABEL_LESS;
	if (r->n_namespaces != 1 || r->namespaces[0].size != r->size) {
		refuse(p, REASON_LAYOUT);
		return;
	}
	decide_namespace(&r->namespaces[0], force, p);
}

static bool regions_share_dimm(const struct snap_region *a, const struct snap_region *b)
{
	for (size_t i = 0; i < a->n_dimms; i++)
		for (size_t j = 0; j < b->n_dimms; j++)
			if (a->dimms[i] == b->dimms[j])
				return true;
	return false;
}

static size_t find_root(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

/*
 * A dimm's labels can only be written while every region using it is
 * disabled, so regions sharing dimms are decided together: all of them are
 * initialized, or none is.
 */
static void group_regions(const struct snapshot *snap, struct plan *plan, size_t *parent)
{
	size_t n = snap->n_regions;

	for (size_t i = 0; i < n; i++)
		parent[i] = i;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (regions_share_dimm(&snap->regions[i], &snap->regions[j]))
				parent[find_root(parent, i)] = find_root(parent, j);

	for (size_t root = 0; root < n; root++) {
		size_t blocker = n, unselected = n;
		bool wanted = false;

		if (find_root(parent, root) != root)
			continue;
		for (size_t i = 0; i < n; i++) {
			const struct region_plan *p = &plan->regions[i];

			if (find_root(parent, i) != root)
				continue;
			if (p->verdict == VERDICT_INIT && p->selected)
				wanted = true;
			else if (p->verdict == VERDICT_INIT && unselected == n)
				unselected = i;
			else if (p->verdict != VERDICT_INIT && blocker == n)
				blocker = i;
		}
		if (!wanted)
			continue;
		if (blocker == n && unselected == n)
			plan->n_groups++;
		for (size_t i = 0; i < n; i++) {
			struct region_plan *p = &plan->regions[i];

			if (find_root(parent, i) != root || p->verdict != VERDICT_INIT)
				continue;
			if (blocker != n) {
				refuse(p, REASON_SHARED_DIMM);
				p->other = blocker;
			} else if (unselected != n) {
				if (p->selected) {
					refuse(p, REASON_UNSELECTED_SIBLING);
					p->other = unselected;
				}
			} else {
				p->group = plan->n_groups;
			}
		}
	}
}

int plan_make(const struct snapshot *snap, const struct stamp *stamp,
	      const struct options *opts, struct plan *out)
{
	struct plan plan = { .n_regions = snap->n_regions, .n_dimms = snap->n_dimms };
	size_t *parent = NULL;
	int r = -ENOMEM;

	plan.regions = calloc(snap->n_regions ? snap->n_regions : 1, sizeof(*plan.regions));
	plan.dimms = calloc(snap->n_dimms ? snap->n_dimms : 1, sizeof(*plan.dimms));
	parent = calloc(snap->n_regions ? snap->n_regions : 1, sizeof(*parent));
	if (!plan.regions || !plan.dimms || !parent)
		goto out;

	for (size_t i = 0; i < snap->n_regions; i++) {
		struct region_plan *p = &plan.regions[i];

		p->selected = options_region_selected(opts, snap->regions[i].name);
		decide_region(snap, &snap->regions[i], stamp, opts->force, p);
	}
	group_regions(snap, &plan, parent);

	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct snap_region *reg = &snap->regions[i];

		if (!plan.regions[i].group)
			continue;
		for (size_t j = 0; j < reg->n_dimms; j++) {
			struct dimm_plan *d = &plan.dimms[reg->dimms[j]];
			const struct snap_dimm *sd = &snap->dimms[reg->dimms[j]];

			d->init = true;
			d->group = plan.regions[i].group;
			d->lost = !snapshot_dimm_labels_volatile(sd) &&
				  stamp_entry_seen_labelled(stamp_find(stamp, sd->id));
		}
	}
	*out = plan;
	plan.regions = NULL;
	plan.dimms = NULL;
	r = 0;
out:
	plan_clear(&plan);
	free(parent);
	return r;
}

void plan_clear(struct plan *plan)
{
	free(plan->regions);
	free(plan->dimms);
	plan->regions = NULL;
	plan->dimms = NULL;
}

static bool has_dimm_id(const struct snapshot *snap, const char *id)
{
	for (size_t i = 0; i < snap->n_dimms; i++)
		if (strcmp(snap->dimms[i].id, id) == 0)
			return true;
	return false;
}

bool plan_new_work(const struct snapshot *before, const struct snapshot *now,
		   const struct plan *now_plan)
{
	for (size_t i = 0; i < now_plan->n_regions; i++) {
		const struct snap_region *r = &now->regions[i];

		if (!now_plan->regions[i].selected || now_plan->regions[i].verdict != VERDICT_INIT)
			continue;
		for (size_t j = 0; j < r->n_dimms; j++)
			if (!has_dimm_id(before, now->dimms[r->dimms[j]].id))
				return true;
	}
	return false;
}

bool plan_has(const struct plan *plan, enum verdict verdict)
{
	for (size_t i = 0; i < plan->n_regions; i++)
		if (plan->regions[i].selected && plan->regions[i].verdict == verdict)
			return true;
	return false;
}
