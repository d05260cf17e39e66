// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/plan.h"
#include "shared/macro.h"

static const char *const verdict_names[] = {
	[LAYOUT_REGION_NONE] = "none",
	[LAYOUT_REGION_APPLY] = "apply",
	[LAYOUT_REGION_REFUSED] = "refused",
};

static const char *const action_names[] = {
	[LAYOUT_CREATE] = "create",
	[LAYOUT_PRESENT] = "present",
	[LAYOUT_DRIFT] = "drift",
	[LAYOUT_RESUME] = "resume",
	[LAYOUT_CONVERT] = "convert",
	[LAYOUT_REFUSED] = "refused",
};

const char *layout_verdict_name(enum layout_verdict v)
{
	return NAME_OF(verdict_names, v);
}

const char *layout_action_name(enum layout_action a)
{
	return NAME_OF(action_names, a);
}

const struct snap_namespace *layout_ns_plan_namespace(const struct snap_region *r,
						      const struct layout_ns_plan *np)
{
	if (np->action == LAYOUT_CREATE || np->action == LAYOUT_REFUSED)
		return NULL;
	return &r->namespaces[np->ns];
}

bool layout_ns_plan_changes(const struct layout_ns_plan *np)
{
	return np->action == LAYOUT_CREATE || np->action == LAYOUT_RESUME ||
	       np->action == LAYOUT_CONVERT;
}

unsigned long long layout_ns_plan_size(const struct snap_region *r,
				       const struct layout_ns_plan *np)
{
	const struct snap_namespace *ns = layout_ns_plan_namespace(r, np);

	return ns ? ns->size : np->size;
}

static const struct layout *first_match(const struct layout_set *set, const struct snapshot *snap,
					const struct snap_region *r)
{
	for (size_t i = 0; i < set->n; i++)
		if (layout_matches(&set->layouts[i], snap, r))
			return &set->layouts[i];
	return NULL;
}

static unsigned long long region_align(const struct snap_region *r)
{
	return r->align ? r->align : LAYOUT_DEFAULT_ALIGN;
}

/* Both are powers of two, so the larger is a multiple of the smaller. */
static unsigned long long granularity(const struct snap_region *r, const struct layout_ns *decl)
{
	return decl->align > region_align(r) ? decl->align : region_align(r);
}

static unsigned long long align_down(unsigned long long v, unsigned long long g)
{
	return v / g * g;
}

/* The size a sized namespace must have; 0 for rest, or when it rounds down to nothing. */
static unsigned long long sized(const struct snap_region *r, const struct layout_ns *decl)
{
	unsigned long long g = granularity(r, decl), v = 0;

	if (decl->size_kind == LAYOUT_SIZE_BYTES)
		v = decl->size;
	else if (decl->size_kind == LAYOUT_SIZE_PERCENT)
		v = r->size / 100 * decl->size + r->size % 100 * decl->size / 100;
	return align_down(v, g);
}

static bool is_pending(const struct layout_history *h, const char *uuid, const char *name)
{
	const struct stamp_ns *m = stamp_ns_find(h->stamp, uuid);

	return m && strcmp(m->name, name) == 0;
}

/* A devdax namespace that a run of ours made, or (an earlier version's) gave a section. */
static bool is_ours(const struct layout_history *h, const struct snap_namespace *ns)
{
	return stamp_dax_find(h->stamp, ns->uuid) || stamp_ns_find(h->stamp, ns->uuid) ||
	       (h->conf && ns->dax_uuid[0] && daxctl_conf_find(h->conf, ns->dax_uuid));
}

/*
 * A size-0 namespace is the kernel's seed, the template for the next one:
 * it holds no space and is nobody's yet.
 */
static bool find_pending(const struct snap_region *r, const char *name,
			 const struct layout_history *h, size_t *index)
{
	for (size_t i = 0; i < r->n_namespaces; i++) {
		const struct snap_namespace *ns = &r->namespaces[i];

		if (ns->size && ns->uuid[0] && is_pending(h, ns->uuid, name)) {
			*index = i;
			return true;
		}
	}
	return false;
}

static bool find_named(const struct snap_region *r, const char *name, size_t *index)
{
	for (size_t i = 0; i < r->n_namespaces; i++) {
		if (r->namespaces[i].size && strcmp(r->namespaces[i].alt_name, name) == 0) {
			*index = i;
			return true;
		}
	}
	return false;
}

/* Memory= on a devdax namespace that is there: onlined only where it is ours. */
static void decide_memory(const struct snap_namespace *ns, const struct layout_history *h,
			  struct layout_ns_plan *np)
{
	np->ours = ns->mode == NS_MODE_DEVDAX && is_ours(h, ns);
	if (np->action != LAYOUT_PRESENT || np->decl->memory == LAYOUT_MEMORY_NONE ||
	    ns->system_ram)
		return;
	if (np->ours) {
		np->online = true;
	} else {
		np->action = LAYOUT_DRIFT;
		np->drift |= LAYOUT_DRIFT_MEMORY;
	}
}

static void decide_existing(const struct snap_region *r, const struct layout_history *h,
			    struct layout_ns_plan *np)
{
	const struct layout_ns *decl = np->decl;
	const struct snap_namespace *ns;

	np->action = LAYOUT_CREATE;
	if (find_pending(r, np->name, h, &np->ns)) {
		ns = &r->namespaces[np->ns];
		/* Killed after the last step but before the mark went: only the mark is left. */
		np->action = ns->enabled && ns->mode == decl->mode &&
			     strcmp(ns->alt_name, np->name) == 0 ? LAYOUT_PRESENT : LAYOUT_RESUME;
	} else if (find_named(r, np->name, &np->ns)) {
		ns = &r->namespaces[np->ns];
		np->size = sized(r, decl);
		if (ns->mode != decl->mode)
			np->drift |= LAYOUT_DRIFT_MODE;
		if (decl->size_kind != LAYOUT_SIZE_REST && ns->size != np->size)
			np->drift |= LAYOUT_DRIFT_SIZE;
		np->action = np->drift ? LAYOUT_DRIFT : LAYOUT_PRESENT;
	}
	if (np->action == LAYOUT_PRESENT || np->action == LAYOUT_DRIFT)
		decide_memory(&r->namespaces[np->ns], h, np);
}

static void refuse(struct layout_region_plan *lrp, enum reason reason)
{
	lrp->verdict = LAYOUT_REGION_REFUSED;
	lrp->reason = reason;
	for (size_t i = 0; i < lrp->n_ns; i++)
		if (lrp->ns[i].action == LAYOUT_CREATE || lrp->ns[i].action == LAYOUT_CONVERT)
			lrp->ns[i].action = LAYOUT_REFUSED;
}

/*
 * The kernel allocates a namespace in one free extent. If the sizes fit the
 * largest extent together, each in turn still finds an extent large enough
 * for all that remains, wherever the ones before it went. A fragmented
 * region may refuse what would fit elsewhere; it never half-creates.
 */
static void size_creates(const struct snap_region *r, struct layout_region_plan *lrp)
{
	struct layout_ns_plan *rest = NULL;

	for (size_t i = 0; i < lrp->n_ns; i++) {
		struct layout_ns_plan *np = &lrp->ns[i];

		if (np->action != LAYOUT_CREATE)
			continue;
		if (np->decl->size_kind == LAYOUT_SIZE_REST) {
			rest = np;
			continue;
		}
		np->size = sized(r, np->decl);
		if (!np->size) {
			refuse(lrp, REASON_TOO_SMALL);
			return;
		}
		/* Sizes of up to 16 EiB each: a sum that wraps fits nowhere either. */
		if (__builtin_add_overflow(lrp->need, np->size, &lrp->need)) {
			refuse(lrp, REASON_NO_SPACE);
			return;
		}
	}
	if (lrp->need > lrp->space) {
		refuse(lrp, REASON_NO_SPACE);
		return;
	}
	if (rest) {
		rest->size = align_down(lrp->space - lrp->need, granularity(r, rest->decl));
		lrp->need += rest->size;
		if (!rest->size)
			refuse(lrp, REASON_NO_SPACE);
	}
}

static void plan_labelled(const struct snap_region *r, const struct layout_history *h,
			  struct layout_region_plan *lrp)
{
	lrp->verdict = LAYOUT_REGION_APPLY;
	for (size_t i = 0; i < lrp->n_ns; i++)
		decide_existing(r, h, &lrp->ns[i]);
	size_creates(r, lrp);
}

/* ConvertRaw=yes on a region without labels: the parser allows a single fsdax namespace. */
static void plan_convert(const struct snap_region *r, struct layout_region_plan *lrp)
{
	struct layout_ns_plan *np = &lrp->ns[0];
	const struct snap_namespace *ns = r->namespaces;
	enum reason risk;

	lrp->verdict = LAYOUT_REGION_APPLY;
	np->action = LAYOUT_CONVERT;
	if (r->n_namespaces != 1 || ns->size != r->size) {
		refuse(lrp, REASON_LAYOUT);
		return;
	}
	if (ns->mode == NS_MODE_FSDAX) {
		np->action = LAYOUT_PRESENT;
	} else if (ns->mode != NS_MODE_RAW) {
		np->action = LAYOUT_DRIFT;
		np->drift = LAYOUT_DRIFT_MODE;
	} else {
		risk = plan_raw_namespace_risk(ns);
		if (risk != REASON_NONE)
			refuse(lrp, risk);
	}
}

static void plan_region(const struct snap_region *r, const struct region_plan *rp,
			const struct layout_history *h, struct layout_region_plan *lrp)
{
	struct snap_region labelled;

	if (rp->state == STATE_DISABLED) {
		refuse(lrp, REASON_DISABLED);
	} else if (rp->state == STATE_LABELLED) {
		lrp->space = r->max_extent;
		plan_labelled(r, h, lrp);
	} else if (rp->verdict == VERDICT_INIT && rp->group) {
		/* What the kernel shows once the labels are written: no namespace, all free. */
		labelled = *r;
		labelled.n_namespaces = 0;
		labelled.namespaces = NULL;
		lrp->projected = true;
		lrp->space = align_down(r->size, region_align(r));
		plan_labelled(&labelled, h, lrp);
	} else if (rp->state == STATE_NO_LABEL_AREA) {
		if (lrp->layout->convert_raw)
			plan_convert(r, lrp);
		else
			refuse(lrp, REASON_NO_LABELS);
	} else if (rp->state == STATE_NO_DIMM) {
		/*
		 * Legacy memmap= pmem and virtio-pmem often hold a filesystem
		 * image that blkid may not know: converted only where the
		 * layout names the region itself (it matched, so Region= has it).
		 */
		if (lrp->layout->convert_raw && lrp->layout->match.n_regions)
			plan_convert(r, lrp);
		else
			refuse(lrp, lrp->layout->convert_raw ? REASON_NO_DIMM : REASON_NO_LABELS);
	} else {
		refuse(lrp, REASON_UNLABELLED);
	}
	/* Namespaces that are there stay as they are, read-only or not. */
	if (r->read_only && lrp->verdict == LAYOUT_REGION_APPLY)
		refuse(lrp, REASON_READ_ONLY);
}

/* Each declaration's name in region R; false if one has none there. */
static bool name_all(const struct snap_region *r, struct layout_region_plan *lrp)
{
	bool ok = true;

	for (size_t j = 0; j < lrp->n_ns; j++) {
		struct layout_ns_plan *np = &lrp->ns[j];

		np->decl = &lrp->layout->ns[j];
		if (layout_ns_name(np->decl, r, np->name) < 0) {
			snprintf(np->name, sizeof(np->name), "%s", np->decl->name);
			ok = false;
		}
	}
	return ok;
}

/*
 * What gives a namespace its name in this run. One that exists has its
 * name already (or none: a converted raw namespace has no labels to keep
 * one), which region_has_name() looks at.
 */
static bool claims_name(const struct layout_ns_plan *np)
{
	return np->action == LAYOUT_CREATE || np->action == LAYOUT_RESUME;
}

static bool region_has_name(const struct snap_region *r, const char *name)
{
	for (size_t i = 0; i < r->n_namespaces; i++)
		if (r->namespaces[i].size && strcmp(r->namespaces[i].alt_name, name) == 0)
			return true;
	return false;
}

/*
 * Whether the name NP of region I is to create is carried, or to be
 * created, by another namespace: in another region, or by another
 * declaration in this one. Sets *other to where.
 */
static bool name_taken(const struct snapshot *snap, const struct layout_plan *plan, size_t i,
		       const struct layout_ns_plan *np, size_t *other)
{
	for (size_t k = 0; k < snap->n_regions; k++) {
		const struct layout_region_plan *lrp = &plan->regions[k];

		if (k != i && region_has_name(&snap->regions[k], np->name)) {
			*other = k;
			return true;
		}
		for (size_t j = 0; lrp->verdict == LAYOUT_REGION_APPLY && j < lrp->n_ns; j++) {
			if (&lrp->ns[j] != np && claims_name(&lrp->ns[j]) &&
			    strcmp(lrp->ns[j].name, np->name) == 0) {
				*other = k;
				return true;
			}
		}
	}
	return false;
}

/*
 * A name links to its namespace only while no other namespace on the
 * machine has it (60-nvdimm-label-init-names.rules). A region that would
 * create a name found or planned elsewhere is refused whole, and so is the
 * other one when it plans the name too: decided over every region first,
 * so that neither wins by coming first. A half-made namespace is finished
 * all the same: its name was free when it was planned.
 */
static int refuse_taken_names(const struct snapshot *snap, struct layout_plan *plan)
{
	bool *taken = calloc(snap->n_regions ? snap->n_regions : 1, sizeof(*taken));

	if (!taken)
		return -ENOMEM;
	for (size_t i = 0; i < snap->n_regions; i++) {
		struct layout_region_plan *lrp = &plan->regions[i];

		for (size_t j = 0; lrp->verdict == LAYOUT_REGION_APPLY && j < lrp->n_ns && !taken[i]; j++) {
			if (lrp->ns[j].action != LAYOUT_CREATE)
				continue;
			taken[i] = name_taken(snap, plan, i, &lrp->ns[j], &lrp->other);
			lrp->taken = j;
		}
	}
	for (size_t i = 0; i < snap->n_regions; i++)
		if (taken[i])
			refuse(&plan->regions[i], REASON_NAME_TAKEN);
	free(taken);
	return 0;
}

int layout_plan_make(const struct snapshot *snap, const struct plan *label_plan,
		     const struct layout_set *set, const struct layout_history *history,
		     struct layout_plan *out)
{
	struct layout_plan plan = { .n_regions = snap->n_regions };
	int e = -ENOMEM;

	plan.regions = calloc(snap->n_regions ? snap->n_regions : 1, sizeof(*plan.regions));
	if (!plan.regions)
		goto out;
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct snap_region *r = &snap->regions[i];
		const struct region_plan *rp = &label_plan->regions[i];
		struct layout_region_plan *lrp = &plan.regions[i];

		if (rp->state == STATE_NOT_PMEM || rp->state == STATE_OTHER)
			continue;
		lrp->layout = first_match(set, snap, r);
		if (!lrp->layout)
			continue;
		lrp->n_ns = lrp->layout->n_ns;
		lrp->ns = calloc(lrp->n_ns ? lrp->n_ns : 1, sizeof(*lrp->ns));
		if (!lrp->ns)
			goto out;
		/* A layout without namespaces keeps the regions it matches free of any other. */
		if (lrp->n_ns == 0)
			lrp->verdict = LAYOUT_REGION_APPLY;
		else if (!name_all(r, lrp))
			refuse(lrp, REASON_BAD_NAME);
		else
			plan_region(r, rp, history, lrp);
	}
	if (refuse_taken_names(snap, &plan) < 0)
		goto out;
	*out = plan;
	plan.regions = NULL;
	e = 0;
out:
	layout_plan_clear(&plan);
	return e;
}

void layout_plan_clear(struct layout_plan *plan)
{
	for (size_t i = 0; plan->regions && i < plan->n_regions; i++)
		free(plan->regions[i].ns);
	free(plan->regions);
	plan->regions = NULL;
}
