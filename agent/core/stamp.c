// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stamp.h"
#include "shared/macro.h"
#include "shared/names.h"
#include "shared/nsuuid.h"
#include "shared/parse.h"

void stamp_clear(struct stamp *stamp)
{
	free(stamp->entries);
	free(stamp->ns);
	free(stamp->dax);
	*stamp = (struct stamp){ 0 };
}

const struct stamp_entry *stamp_find(const struct stamp *stamp, const char *id)
{
	size_t i;

	for (i = 0; i < stamp->n; i++)
		if (strcmp(stamp->entries[i].id, id) == 0)
			return &stamp->entries[i];
	return NULL;
}

static const char *const state_names[] = {
	[STAMP_LABELLED] = "labelled",
	[STAMP_PENDING] = "pending",
	[STAMP_PENDING_LOST] = "pending-lost",
};

const char *stamp_state_name(enum stamp_state state)
{
	return NAME_OF(state_names, state);
}

bool stamp_state_from_name(const char *name, enum stamp_state *out)
{
	int i = TABLE_INDEX(state_names, name);

	if (i >= 0)
		*out = (enum stamp_state)i;
	return i >= 0;
}

bool stamp_entry_pending(const struct stamp_entry *e)
{
	return e && (e->state == STAMP_PENDING || e->state == STAMP_PENDING_LOST);
}

bool stamp_entry_seen_labelled(const struct stamp_entry *e)
{
	return e && (e->state == STAMP_LABELLED || e->state == STAMP_PENDING_LOST);
}


const struct stamp_ns *stamp_ns_find(const struct stamp *stamp, const char *uuid)
{
	for (size_t i = 0; i < stamp->n_ns; i++)
		if (strcmp(stamp->ns[i].uuid, uuid) == 0)
			return &stamp->ns[i];
	return NULL;
}

int stamp_ns_add(struct stamp *stamp, const char *region, const char *uuid, const char *name,
		 long long time)
{
	struct stamp_ns *ns;

	if (!region_name_valid(region) || !nsuuid_valid(uuid) || !nsname_valid(name) ||
	    stamp_ns_find(stamp, uuid))
		return -EINVAL;
	if (ARRAY_GROW(stamp->ns, stamp->n_ns) < 0)
		return -ENOMEM;
	ns = &stamp->ns[stamp->n_ns++];
	snprintf(ns->region, sizeof(ns->region), "%s", region);
	snprintf(ns->uuid, sizeof(ns->uuid), "%s", uuid);
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	ns->time = time;
	return 0;
}

void stamp_ns_remove(struct stamp *stamp, const char *uuid)
{
	const struct stamp_ns *ns = stamp_ns_find(stamp, uuid);

	if (ns)
		ARRAY_REMOVE(stamp->ns, stamp->n_ns, (size_t)(ns - stamp->ns));
}

const struct stamp_dax *stamp_dax_find(const struct stamp *stamp, const char *uuid)
{
	for (size_t i = 0; i < stamp->n_dax; i++)
		if (strcmp(stamp->dax[i].uuid, uuid) == 0)
			return &stamp->dax[i];
	return NULL;
}

const struct stamp_dax *stamp_dax_find_dax(const struct stamp *stamp, const char *dax_uuid)
{
	for (size_t i = 0; i < stamp->n_dax; i++)
		if (strcmp(stamp->dax[i].dax_uuid, dax_uuid) == 0)
			return &stamp->dax[i];
	return NULL;
}

int stamp_dax_add(struct stamp *stamp, const char *uuid, const char *dax_uuid, const char *dimm,
		  long long time)
{
	struct stamp_dax *d = (struct stamp_dax *)stamp_dax_find(stamp, uuid);

	if (!nsuuid_valid(uuid) || !nsuuid_valid(dax_uuid) || !id_valid(dimm))
		return -EINVAL;
	if (!d) {
		if (ARRAY_GROW(stamp->dax, stamp->n_dax) < 0)
			return -ENOMEM;
		d = &stamp->dax[stamp->n_dax++];
	}
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	snprintf(d->dax_uuid, sizeof(d->dax_uuid), "%s", dax_uuid);
	snprintf(d->dimm, sizeof(d->dimm), "%s", dimm);
	d->time = time;
	return 0;
}

void stamp_dax_remove(struct stamp *stamp, const char *uuid)
{
	const struct stamp_dax *d = stamp_dax_find(stamp, uuid);

	if (d)
		ARRAY_REMOVE(stamp->dax, stamp->n_dax, (size_t)(d - stamp->dax));
}

int stamp_set(struct stamp *stamp, const char *id, enum stamp_state state, long long time)
{
	struct stamp_entry *e = (struct stamp_entry *)stamp_find(stamp, id);

	if (!id_valid(id))
		return -EINVAL;
	if (!e) {
		if (ARRAY_GROW(stamp->entries, stamp->n) < 0)
			return -ENOMEM;
		e = &stamp->entries[stamp->n++];
		snprintf(e->id, sizeof(e->id), "%s", id);
	}
	e->state = state;
	e->time = time;
	return 0;
}

void stamp_remove(struct stamp *stamp, const char *id)
{
	const struct stamp_entry *e = stamp_find(stamp, id);

	if (e)
		ARRAY_REMOVE(stamp->entries, stamp->n, (size_t)(e - stamp->entries));
}

bool stamp_equal(const struct stamp *a, const struct stamp *b)
{
	size_t i;

	if (a->n != b->n || a->n_ns != b->n_ns || a->n_dax != b->n_dax ||
	    strcmp(a->machine, b->machine) != 0)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct stamp_entry *e = stamp_find(b, a->entries[i].id);

		if (!e || e->state != a->entries[i].state || e->time != a->entries[i].time)
			return false;
	}
	for (i = 0; i < a->n_ns; i++) {
		const struct stamp_ns *ns = stamp_ns_find(b, a->ns[i].uuid);

		if (!ns || strcmp(ns->region, a->ns[i].region) != 0 ||
		    strcmp(ns->name, a->ns[i].name) != 0 || ns->time != a->ns[i].time)
			return false;
	}
	for (i = 0; i < a->n_dax; i++) {
		const struct stamp_dax *d = stamp_dax_find(b, a->dax[i].uuid);

		if (!d || strcmp(d->dax_uuid, a->dax[i].dax_uuid) != 0 ||
		    strcmp(d->dimm, a->dax[i].dimm) != 0 || d->time != a->dax[i].time)
			return false;
	}
	return true;
}

int stamp_copy(struct stamp *dst, const struct stamp *src)
{
	*dst = (struct stamp){ 0 };
	memcpy(dst->machine, src->machine, sizeof(dst->machine));
	if (src->n) {
		dst->entries = calloc(src->n, sizeof(*src->entries));
		if (!dst->entries)
			return -ENOMEM;
		memcpy(dst->entries, src->entries, src->n * sizeof(*src->entries));
		dst->n = src->n;
	}
	if (src->n_ns) {
		dst->ns = calloc(src->n_ns, sizeof(*src->ns));
		if (!dst->ns) {
			stamp_clear(dst);
			return -ENOMEM;
		}
		memcpy(dst->ns, src->ns, src->n_ns * sizeof(*src->ns));
		dst->n_ns = src->n_ns;
	}
	if (src->n_dax) {
		dst->dax = calloc(src->n_dax, sizeof(*src->dax));
		if (!dst->dax) {
			stamp_clear(dst);
			return -ENOMEM;
		}
		memcpy(dst->dax, src->dax, src->n_dax * sizeof(*src->dax));
		dst->n_dax = src->n_dax;
	}
	return 0;
}
