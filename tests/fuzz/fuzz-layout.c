// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the layout file parser, and for the layout plan over
 * what it accepts. A refused file must come with a "FILE:LINE: " message;
 * an accepted one must keep the rules the parser promises; its plan, over a
 * fixed set of regions, must never create more than the free space (no sum
 * wraps), create anything in a refused region, or create a name that is
 * not valid or not unique on the machine.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ndctl.h>

#include "layout/plan.h"
#include "shared/names.h"

#define PATH "fuzz.conf"
#define GIB (1ULL << 30)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_layout(const struct layout *l)
{
	if (l->n_ns > LAYOUT_NS_MAX || strcmp(l->path, PATH) != 0)
		abort();
	for (size_t i = 0; i < l->n_ns; i++) {
		const struct layout_ns *ns = &l->ns[i];

		/* A template is checked once expanded, in the plan. */
		if (!strchr(ns->name, '%') && !nsname_valid(ns->name))
			abort();
		if (ns->size_kind == LAYOUT_SIZE_REST && i + 1 != l->n_ns)
			abort();
		if (ns->size_kind == LAYOUT_SIZE_PERCENT && (ns->size < 1 || ns->size > 100))
			abort();
		if ((ns->align && ns->mode != NS_MODE_FSDAX && ns->mode != NS_MODE_DEVDAX) ||
		    (ns->sector_size && ns->mode != NS_MODE_SECTOR) ||
		    (ns->memory != LAYOUT_MEMORY_NONE && ns->mode != NS_MODE_DEVDAX))
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->ns[j].name, ns->name) == 0)
				abort();
	}
}

static void add_region(struct snapshot *s, unsigned int n, unsigned int nstype,
		       unsigned long long size, unsigned long long available, bool label_support)
{
	struct snap_dimm d = { .label_support = label_support, .labelled = label_support };
	struct snap_region tmpl = { .pmem = true, .enabled = true, .nstype = nstype,
				    .size = size, .available = available,
				    .max_extent = available, .numa_node = (int)n };
	struct snap_namespace ns = { .mode = NS_MODE_RAW, .size = size, .enabled = true };
	struct snap_region *r;
	size_t dimm;

	snprintf(d.name, sizeof(d.name), "nmem%u", n);
	snprintf(d.id, sizeof(d.id), "id-%u", n);
	snprintf(tmpl.name, sizeof(tmpl.name), "region%u", n);
	snprintf(ns.name, sizeof(ns.name), "namespace%u.0", n);
	snprintf(ns.blockdev, sizeof(ns.blockdev), "pmem%u", n);
	if (snapshot_add_dimm(s, &d, &dimm) < 0 || snapshot_add_region(s, &tmpl, &r) < 0 ||
	    snapshot_region_add_dimm(r, dimm) < 0)
		abort();
	if (nstype == ND_DEVICE_NAMESPACE_PMEM) {
		snprintf(ns.alt_name, sizeof(ns.alt_name), "fs");
		ns.mode = NS_MODE_FSDAX;
		ns.size = size - available;
	}
	if (snapshot_region_add_namespace(r, &ns) < 0)
		abort();
}

/* Labelled and half used; label-less and about to be labelled; without label area. */
static struct snapshot *regions(void)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->n_buses = 1;
	add_region(s, 0, ND_DEVICE_NAMESPACE_PMEM, 8 * GIB, 5 * GIB + 3, true);
	add_region(s, 1, ND_DEVICE_NAMESPACE_IO, 3 * GIB + 12345, 0, true);
	s->dimms[1].labelled = false;
	add_region(s, 2, ND_DEVICE_NAMESPACE_IO, 2 * GIB, 0, false);
	return s;
}

/* Whether a namespace other than REGION's J-th declaration has or gets NAME. */
static bool name_elsewhere(const struct snapshot *s, const struct layout_plan *lp, size_t region,
			   size_t j, const char *name)
{
	for (size_t i = 0; i < s->n_regions; i++) {
		const struct snap_region *r = &s->regions[i];

		for (size_t k = 0; i != region && k < r->n_namespaces; k++)
			if (r->namespaces[k].size && strcmp(r->namespaces[k].alt_name, name) == 0)
				return true;
		for (size_t k = 0; k < lp->regions[i].n_ns; k++)
			if ((i != region || k != j) && lp->regions[i].ns[k].action == LAYOUT_CREATE &&
			    strcmp(lp->regions[i].ns[k].name, name) == 0)
				return true;
	}
	return false;
}

static void check_plan(const struct snapshot *s, const struct layout_plan *lp)
{
	for (size_t i = 0; i < lp->n_regions; i++) {
		const struct layout_region_plan *rp = &lp->regions[i];
		unsigned long long created = 0;

		for (size_t j = 0; j < rp->n_ns; j++) {
			const struct layout_ns_plan *np = &rp->ns[j];

			if (np->action != LAYOUT_CREATE && np->action != LAYOUT_CONVERT)
				continue;
			if (rp->verdict != LAYOUT_REGION_APPLY)
				abort();
			if (np->action == LAYOUT_CREATE &&
			    (!np->size || np->size % LAYOUT_DEFAULT_ALIGN || np->size > rp->space ||
			     !nsname_valid(np->name) || name_elsewhere(s, lp, i, j, np->name)))
				abort();
			if (__builtin_add_overflow(created, np->size, &created))
				abort();
		}
		if (created > rp->space)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct layout_set set = { 0 };
	struct layout_plan lp = { 0 };
	struct options opts = { 0 };
	struct stamp stamp = { 0 };
	const struct layout_history history = { .stamp = &stamp };
	struct plan plan = { 0 };
	struct snapshot *s;
	char err[512] = "";

	set.layouts = calloc(1, sizeof(*set.layouts));
	if (!set.layouts)
		return 0;
	if (layout_parse(PATH, (const char *)data, size, set.layouts, err, sizeof(err)) < 0) {
		if (strncmp(err, PATH ":", strlen(PATH ":")) != 0 || !strchr(err, ' '))
			abort();
		layout_set_clear(&set);
		return 0;
	}
	set.n = 1;
	check_layout(set.layouts);
	s = regions();
	if (plan_make(s, &stamp, &opts, &plan) < 0 ||
	    layout_plan_make(s, &plan, &set, &history, &lp) < 0)
		abort();
	check_plan(s, &lp);
	layout_plan_clear(&lp);
	plan_clear(&plan);
	snapshot_free(s);
	layout_set_clear(&set);
	return 0;
}
