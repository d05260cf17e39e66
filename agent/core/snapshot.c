// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/snapshot.h"

void snapshot_free(struct snapshot *snap)
{
	size_t i;

	if (!snap)
		return;
	for (i = 0; i < snap->n_regions; i++) {
		free(snap->regions[i].dimms);
		free(snap->regions[i].namespaces);
	}
	free(snap->regions);
	free(snap->dimms);
	free(snap);
}

struct snap_region *snapshot_find_region(const struct snapshot *snap, const char *name)
{
	size_t i;

	for (i = 0; i < snap->n_regions; i++)
		if (strcmp(snap->regions[i].name, name) == 0)
			return &snap->regions[i];
	return NULL;
}

struct snap_dimm *snapshot_find_dimm(const struct snapshot *snap, const char *name)
{
	size_t i;

	for (i = 0; i < snap->n_dimms; i++)
		if (strcmp(snap->dimms[i].name, name) == 0)
			return &snap->dimms[i];
	return NULL;
}

static int grow(void **array, size_t count, size_t size)
{
	void *p = reallocarray(*array, count + 1, size);

	if (!p)
		return -ENOMEM;
	*array = p;
	return 0;
}

int snapshot_add_dimm(struct snapshot *snap, const struct snap_dimm *dimm, size_t *index)
{
	if (grow((void **)&snap->dimms, snap->n_dimms, sizeof(*dimm)) < 0)
		return -ENOMEM;
	snap->dimms[snap->n_dimms] = *dimm;
	if (index)
		*index = snap->n_dimms;
	snap->n_dimms++;
	return 0;
}

int snapshot_add_region(struct snapshot *snap, const struct snap_region *region,
			struct snap_region **added)
{
	struct snap_region *r;

	if (grow((void **)&snap->regions, snap->n_regions, sizeof(*region)) < 0)
		return -ENOMEM;
	r = &snap->regions[snap->n_regions++];
	*r = *region;
	r->n_dimms = 0;
	r->dimms = NULL;
	r->n_namespaces = 0;
	r->namespaces = NULL;
	if (added)
		*added = r;
	return 0;
}

int snapshot_region_add_dimm(struct snap_region *region, size_t dimm_index)
{
	if (grow((void **)&region->dimms, region->n_dimms, sizeof(*region->dimms)) < 0)
		return -ENOMEM;
	region->dimms[region->n_dimms++] = dimm_index;
	return 0;
}

int snapshot_region_add_namespace(struct snap_region *region, const struct snap_namespace *ns)
{
	if (grow((void **)&region->namespaces, region->n_namespaces, sizeof(*ns)) < 0)
		return -ENOMEM;
	region->namespaces[region->n_namespaces++] = *ns;
	return 0;
}

int snapshot_copy(const struct snapshot *src, struct snapshot **out)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	int r = s ? 0 : -ENOMEM;

	if (s) {
		s->n_buses = src->n_buses;
		s->daxctl = src->daxctl;
	}
	for (size_t i = 0; r == 0 && i < src->n_dimms; i++)
		r = snapshot_add_dimm(s, &src->dimms[i], NULL);
	for (size_t i = 0; r == 0 && i < src->n_regions; i++) {
		const struct snap_region *from = &src->regions[i];
		struct snap_region *to;

		r = snapshot_add_region(s, from, &to);
		for (size_t j = 0; r == 0 && j < from->n_dimms; j++)
			r = snapshot_region_add_dimm(to, from->dimms[j]);
		for (size_t j = 0; r == 0 && j < from->n_namespaces; j++)
			r = snapshot_region_add_namespace(to, &from->namespaces[j]);
	}
	if (r < 0)
		snapshot_free(s);
	else
		*out = s;
	return r;
}

const char *ns_mode_name(enum ns_mode mode)
{
	switch (mode) {
	case NS_MODE_RAW:
		return "raw";
	case NS_MODE_FSDAX:
		return "fsdax";
	case NS_MODE_DEVDAX:
		return "devdax";
	case NS_MODE_SECTOR:
		return "sector";
	default:
		return "unknown";
	}
}
