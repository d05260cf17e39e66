// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/snapshot.h"
#include "shared/macro.h"
#include "shared/parse.h"

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

bool snapshot_dimm_labels_volatile(const struct snap_dimm *dimm)
{
	static const char *const providers[] = { "ramdax" };

	return TABLE_INDEX(providers, dimm->provider) >= 0;
}

struct snap_dimm *snapshot_find_dimm(const struct snapshot *snap, const char *name)
{
	size_t i;

	for (i = 0; i < snap->n_dimms; i++)
		if (strcmp(snap->dimms[i].name, name) == 0)
			return &snap->dimms[i];
	return NULL;
}

int snapshot_add_dimm(struct snapshot *snap, const struct snap_dimm *dimm, size_t *index)
{
	if (ARRAY_GROW(snap->dimms, snap->n_dimms) < 0)
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

	if (ARRAY_GROW(snap->regions, snap->n_regions) < 0)
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
	if (ARRAY_GROW(region->dimms, region->n_dimms) < 0)
		return -ENOMEM;
	region->dimms[region->n_dimms++] = dimm_index;
	return 0;
}

int snapshot_region_add_namespace(struct snap_region *region, const struct snap_namespace *ns)
{
	if (ARRAY_GROW(region->namespaces, region->n_namespaces) < 0)
		return -ENOMEM;
	region->namespaces[region->n_namespaces++] = *ns;
	return 0;
}

/* A copy of N elements of SIZE at SRC; NULL for none, or without memory (*OK false). */
static void *copy_array(const void *src, size_t n, size_t size, bool *ok)
{
	void *p = n ? calloc(n, size) : NULL;

	if (n && !p)
		*ok = false;
	else if (p)
		memcpy(p, src, n * size);
	return p;
}

int snapshot_copy(const struct snapshot *src, struct snapshot **out)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	bool ok = s;

	if (s) {
		*s = *src;
		s->dimms = copy_array(src->dimms, src->n_dimms, sizeof(*s->dimms), &ok);
		s->regions = copy_array(src->regions, src->n_regions, sizeof(*s->regions), &ok);
		if (!s->regions)
			s->n_regions = 0;
	}
	/* The regions' own arrays are SRC's until copied: none is to be freed. */
	for (size_t i = 0; s && i < s->n_regions; i++) {
		s->regions[i].dimms = NULL;
		s->regions[i].namespaces = NULL;
	}
	for (size_t i = 0; ok && i < s->n_regions; i++) {
		struct snap_region *r = &s->regions[i];

		r->dimms = copy_array(src->regions[i].dimms, r->n_dimms, sizeof(*r->dimms), &ok);
		r->namespaces = copy_array(src->regions[i].namespaces, r->n_namespaces,
					   sizeof(*r->namespaces), &ok);
	}
	if (!ok) {
		snapshot_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

static const char *const mode_names[] = {
	[NS_MODE_RAW] = "raw",
	[NS_MODE_FSDAX] = "fsdax",
	[NS_MODE_DEVDAX] = "devdax",
	[NS_MODE_SECTOR] = "sector",
};

const char *ns_mode_name(enum ns_mode mode)
{
	return NAME_OF(mode_names, mode);
}

bool ns_mode_from_name(const char *name, enum ns_mode *out)
{
	int i = TABLE_INDEX(mode_names, name);

	if (i >= 0)
		*out = (enum ns_mode)i;
	return i >= 0;
}
