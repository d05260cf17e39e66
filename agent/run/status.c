// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <json-c/json.h>

#include "run/status.h"

static const char *stamp_state_of(const struct stamp *stamp, const char *id)
{
	const struct stamp_entry *e = stamp_find(stamp, id);

	if (!e)
		return NULL;
	return stamp_state_name(e->state);
}

static bool dimm_selected(const struct snapshot *snap, const struct plan *plan, size_t di)
{
	bool in_any = false;

	for (size_t i = 0; i < snap->n_regions; i++)
		for (size_t j = 0; j < snap->regions[i].n_dimms; j++)
			if (snap->regions[i].dimms[j] == di) {
				if (plan->regions[i].selected)
					return true;
				in_any = true;
			}
	/* A dimm that no region uses still deserves a line: it is an NVDIMM too. */
	return !in_any;
}

static const char *ns_plan_device(const struct snap_region *r, const struct layout_ns_plan *np)
{
	const struct snap_namespace *ns = layout_ns_plan_namespace(r, np);

	return ns ? ns->name : NULL;
}

/* For a Memory= namespace that is there: whether its memory is online as system RAM. */
static const char *memory_state(const struct layout_ns_plan *np)
{
	if (np->decl->memory == LAYOUT_MEMORY_NONE || np->action != LAYOUT_PRESENT)
		return "";
	return np->online ? ", memory not online" : ", memory online as system RAM";
}

/* Memory= without daxctl: what this run onlines, the next boot does not bring back. */
static bool memory_without_daxctl(const struct status *st, const struct layout_region_plan *lrp)
{
	for (size_t j = 0; !st->daxctl && j < lrp->n_ns; j++)
		if (lrp->ns[j].decl->memory != LAYOUT_MEMORY_NONE)
			return true;
	return false;
}

static void print_layout(const struct status *st, const struct snap_region *r,
			 const struct layout_region_plan *lrp)
{
	if (!lrp->layout)
		return;
	printf("  layout %s: %s", lrp->layout->path, layout_verdict_name(lrp->verdict));
	if (lrp->verdict == LAYOUT_REGION_REFUSED)
		printf(" (%s)", reason_name(lrp->reason));
	printf("%s\n", lrp->projected ? ", once its labels are initialized" : "");
	for (size_t j = 0; j < lrp->n_ns; j++) {
		const struct layout_ns_plan *np = &lrp->ns[j];
		const char *dev = ns_plan_device(r, np);

		printf("    %s: %s, size %llu, %s%s%s%s%s\n", np->name,
		       ns_mode_name(np->decl->mode), layout_ns_plan_size(r, np),
		       layout_action_name(np->action), dev ? " (" : "", dev ? dev : "",
		       dev ? ")" : "", memory_state(np));
	}
	if (memory_without_daxctl(st, lrp))
		printf("    daxctl is not installed (no %s): memory onlined by a run does not "
		       "come back online at the next boot\n", DAXCTL_CONF_DIR);
}

static void print_text(const struct status *st)
{
	const struct snapshot *snap = st->snap;
	const struct plan *plan = st->plan;

	if (snap->n_regions == 0 && snap->n_dimms == 0) {
		printf("no NVDIMMs found (%zu NVDIMM bus%s)\n", snap->n_buses,
		       snap->n_buses == 1 ? "" : "es");
		return;
	}
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct snap_region *r = &snap->regions[i];
		const struct region_plan *p = &plan->regions[i];

		if (!p->selected)
			continue;
		printf("%s: %s, provider %s, size %llu, available %llu, action %s", r->name,
		       region_state_name(p->state), r->provider, r->size, r->available,
		       verdict_name(p->verdict));
		if (p->reason != REASON_NONE)
			printf(" (%s)", reason_name(p->reason));
		printf("\n  dimms:");
		for (size_t j = 0; j < r->n_dimms; j++)
			printf(" %s", snap->dimms[r->dimms[j]].name);
		printf("%s\n", r->n_dimms ? "" : " none");
		for (size_t j = 0; j < r->n_namespaces; j++) {
			const struct snap_namespace *ns = &r->namespaces[j];

			printf("  %s: %s, size %llu%s%s%s%s%s\n", ns->name, ns_mode_name(ns->mode),
			       ns->size, ns->blockdev[0] ? ", /dev/" : "", ns->blockdev,
			       ns->busy ? ", in use" : "", ns->signature[0] ? ", signature " : "",
			       ns->signature);
		}
		print_layout(st, r, &st->lplan->regions[i]);
	}
	for (size_t i = 0; i < snap->n_dimms; i++) {
		const struct snap_dimm *d = &snap->dimms[i];
		const char *state = stamp_state_of(st->stamp, d->id);

		if (!dimm_selected(snap, plan, i))
			continue;
		printf("%s: id %s, provider %s, %s, %s%s%s%s\n", d->name, d->id, d->provider,
		       d->label_support ? "label area" : "no label area",
		       d->labelled ? "labelled" : "no labels",
		       snapshot_dimm_labels_volatile(d)
			       ? ", labels volatile (kept across a warm reboot, gone at power-off)"
			       : "",
		       state ? ", stamp " : "", state ? state : "");
	}
}

static int add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (!val)
		return -ENOMEM;
	json_object_object_add(obj, key, val);
	return 0;
}

static struct json_object *ns_plan_json(const struct snap_region *r,
					const struct layout_ns_plan *np)
{
	struct json_object *o = json_object_new_object();
	const char *dev = ns_plan_device(r, np);
	int err = 0;

	if (!o)
		return NULL;
	err |= add(o, "name", json_object_new_string(np->name));
	err |= add(o, "mode", json_object_new_string(ns_mode_name(np->decl->mode)));
	err |= add(o, "size", json_object_new_uint64(layout_ns_plan_size(r, np)));
	err |= add(o, "action", json_object_new_string(layout_action_name(np->action)));
	if (dev)
		err |= add(o, "namespace", json_object_new_string(dev));
	if (np->decl->memory != LAYOUT_MEMORY_NONE && np->action == LAYOUT_PRESENT)
		err |= add(o, "memory_online", json_object_new_boolean(!np->online));
	if (np->drift & LAYOUT_DRIFT_MODE)
		err |= add(o, "drift_mode", json_object_new_boolean(true));
	if (np->drift & LAYOUT_DRIFT_SIZE)
		err |= add(o, "drift_size", json_object_new_boolean(true));
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* NULL with *err untouched when no layout matches the region. */
static struct json_object *layout_json(const struct status *st, const struct snap_region *r,
				       const struct layout_region_plan *lrp, int *err)
{
	struct json_object *o, *nss;

	if (!lrp->layout)
		return NULL;
	o = json_object_new_object();
	nss = json_object_new_array();
	if (!o || !nss) {
		json_object_put(o);
		json_object_put(nss);
		*err |= 1;
		return NULL;
	}
	json_object_object_add(o, "namespaces", nss);
	*err |= add(o, "file", json_object_new_string(lrp->layout->path));
	*err |= add(o, "verdict", json_object_new_string(layout_verdict_name(lrp->verdict)));
	if (lrp->verdict == LAYOUT_REGION_REFUSED)
		*err |= add(o, "reason", json_object_new_string(reason_name(lrp->reason)));
	*err |= add(o, "projected", json_object_new_boolean(lrp->projected));
	if (memory_without_daxctl(st, lrp))
		*err |= add(o, "daxctl_missing", json_object_new_boolean(true));
	for (size_t j = 0; j < lrp->n_ns; j++) {
		struct json_object *n = ns_plan_json(r, &lrp->ns[j]);

		*err |= n ? json_object_array_add(nss, n) : 1;
	}
	return o;
}

static struct json_object *region_json(const struct status *st, size_t i)
{
	const struct snapshot *snap = st->snap;
	const struct plan *plan = st->plan;
	struct json_object *layout;
	const struct snap_region *r = &snap->regions[i];
	const struct region_plan *p = &plan->regions[i];
	struct json_object *o = json_object_new_object();
	struct json_object *dimms = json_object_new_array();
	struct json_object *nss = json_object_new_array();
	int err = 0;

	if (!o || !dimms || !nss)
		goto fail;
	for (size_t j = 0; j < r->n_dimms; j++)
		err |= json_object_array_add(dimms,
					     json_object_new_string(snap->dimms[r->dimms[j]].name));
	for (size_t j = 0; j < r->n_namespaces; j++) {
		const struct snap_namespace *ns = &r->namespaces[j];
		struct json_object *n = json_object_new_object();

		if (!n)
			goto fail;
		err |= add(n, "namespace", json_object_new_string(ns->name));
		err |= add(n, "mode", json_object_new_string(ns_mode_name(ns->mode)));
		err |= add(n, "size", json_object_new_uint64(ns->size));
		if (ns->blockdev[0])
			err |= add(n, "blockdev", json_object_new_string(ns->blockdev));
		err |= add(n, "busy", json_object_new_boolean(ns->busy));
		if (ns->signature[0])
			err |= add(n, "signature", json_object_new_string(ns->signature));
		err |= json_object_array_add(nss, n);
	}
	err |= add(o, "region", json_object_new_string(r->name));
	err |= add(o, "state", json_object_new_string(region_state_name(p->state)));
	err |= add(o, "provider", json_object_new_string(r->provider));
	err |= add(o, "enabled", json_object_new_boolean(r->enabled));
	err |= add(o, "size", json_object_new_uint64(r->size));
	err |= add(o, "available_size", json_object_new_uint64(r->available));
	err |= add(o, "action", json_object_new_string(verdict_name(p->verdict)));
	if (p->reason != REASON_NONE)
		err |= add(o, "reason", json_object_new_string(reason_name(p->reason)));
	json_object_object_add(o, "dimms", dimms);
	json_object_object_add(o, "namespaces", nss);
	layout = layout_json(st, r, &st->lplan->regions[i], &err);
	if (layout)
		json_object_object_add(o, "layout", layout);
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
fail:
	json_object_put(o);
	json_object_put(dimms);
	json_object_put(nss);
	return NULL;
}

static struct json_object *dimm_json(const struct snap_dimm *d, const struct plan *plan,
				     size_t i, const struct stamp *stamp)
{
	struct json_object *o = json_object_new_object();
	const char *st = stamp_state_of(stamp, d->id);
	int err = 0;

	if (!o)
		return NULL;
	err |= add(o, "dimm", json_object_new_string(d->name));
	err |= add(o, "id", json_object_new_string(d->id));
	err |= add(o, "provider", json_object_new_string(d->provider));
	err |= add(o, "labels_volatile", json_object_new_boolean(snapshot_dimm_labels_volatile(d)));
	err |= add(o, "label_area", json_object_new_boolean(d->label_support));
	err |= add(o, "labelled", json_object_new_boolean(d->labelled));
	err |= add(o, "active", json_object_new_boolean(d->active));
	err |= add(o, "labels_lost", json_object_new_boolean(plan->dimms[i].lost));
	if (st)
		err |= add(o, "stamp", json_object_new_string(st));
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int print_json(const struct status *st)
{
	const struct snapshot *snap = st->snap;
	const struct plan *plan = st->plan;
	struct json_object *top = json_object_new_object();
	struct json_object *regions = json_object_new_array();
	struct json_object *dimms = json_object_new_array();
	int r = -ENOMEM;

	if (!top || !regions || !dimms) {
		json_object_put(regions);
		json_object_put(dimms);
		goto out;
	}
	json_object_object_add(top, "regions", regions);
	json_object_object_add(top, "dimms", dimms);
	for (size_t i = 0; i < snap->n_regions; i++) {
		struct json_object *o;

		if (!plan->regions[i].selected)
			continue;
		o = region_json(st, i);
		if (!o || json_object_array_add(regions, o) < 0)
			goto out;
	}
	for (size_t i = 0; i < snap->n_dimms; i++) {
		struct json_object *o;

		if (!dimm_selected(snap, plan, i))
			continue;
		o = dimm_json(&snap->dimms[i], plan, i, st->stamp);
		if (!o || json_object_array_add(dimms, o) < 0)
			goto out;
	}
	printf("%s\n", json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	r = 0;
out:
	json_object_put(top);
	return r;
}

int status_print(const struct status *st, bool json)
{
	if (json)
		return print_json(st);
	print_text(st);
	return fflush(stdout) == 0 ? 0 : -errno;
}
