// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <string.h>

#include "label/stamp-rules.h"
#include "shared/names.h"

int stamp_mark_pending(struct stamp *stamp, const struct snapshot *snap,
		       const struct plan *plan, unsigned int group, long long now)
{
	int r = 0;

	for (size_t i = 0; i < snap->n_dimms && r == 0; i++) {
		const struct stamp_entry *e = stamp_find(stamp, snap->dimms[i].id);

		if (plan->dimms[i].group != group)
			continue;
		/* An existing entry keeps its time: it tells when the labels were last seen. */
		r = stamp_set(stamp, snap->dimms[i].id,
			      stamp_entry_seen_labelled(e) ? STAMP_PENDING_LOST : STAMP_PENDING,
			      e ? e->time : now);
	}
	return r;
}

static bool in_disabled_region(const struct snapshot *snap, size_t dimm)
{
	for (size_t j = 0; j < snap->n_regions; j++) {
		const struct snap_region *reg = &snap->regions[j];

		for (size_t k = 0; k < reg->n_dimms; k++)
			if (reg->dimms[k] == dimm && !reg->enabled)
				return true;
	}
	return false;
}

/* An id the stamp cannot hold, or a pending mark the next run recovers from. */
static bool kept_as_it_is(const struct stamp *stamp, const struct snapshot *now_snap, size_t i)
{
	const char *id = now_snap->dimms[i].id;

	return !id_valid(id) ||
	       (stamp_entry_pending(stamp_find(stamp, id)) && in_disabled_region(now_snap, i));
}

/* The entry a dimm's stamp line becomes, from what the devices show now. */
static int settle_dimm(struct stamp *stamp, const struct snap_dimm *d, long long now)
{
	const struct stamp_entry *e = stamp_find(stamp, d->id);
	/* Volatile labels: nothing to remember, the next cold boot is label-less by design. */
	bool forget = snapshot_dimm_labels_volatile(d) ||
		      (!d->labelled && e && e->state == STAMP_PENDING);
	int r = 0;

	if (forget)
		stamp_remove(stamp, d->id);
	else if (d->labelled && (!e || e->state != STAMP_LABELLED))
		r = stamp_set(stamp, d->id, STAMP_LABELLED, now);
	else if (!d->labelled && e && e->state == STAMP_PENDING_LOST)
		/* Still label-less: its labels stay lost until a run puts them back. */
		r = stamp_set(stamp, d->id, STAMP_LABELLED, e->time);
	return r;
}

static bool present(const struct snapshot *snap, const char *id)
{
	for (size_t i = 0; i < snap->n_dimms; i++)
		if (strcmp(snap->dimms[i].id, id) == 0)
			return true;
	return false;
}

/*
 * A pending mark is the promise of a region to enable again; a dimm that is
 * gone (unplugged, replaced after a killed run) has none left. A dimm seen
 * labelled before keeps that knowledge, should it come back label-less.
 */
static void settle_absent(struct stamp *stamp, const struct snapshot *now_snap)
{
	for (size_t k = stamp->n; k-- > 0;) {
		struct stamp_entry *e = &stamp->entries[k];

		if (!stamp_entry_pending(e) || present(now_snap, e->id))
			continue;
		if (e->state == STAMP_PENDING_LOST)
			e->state = STAMP_LABELLED;
		else
			stamp_remove(stamp, e->id);
	}
}

int stamp_settle(struct stamp *stamp, const struct snapshot *now_snap, long long now)
{
	int r = 0;

	for (size_t i = 0; i < now_snap->n_dimms && r == 0; i++)
		if (!kept_as_it_is(stamp, now_snap, i))
			r = settle_dimm(stamp, &now_snap->dimms[i], now);
	if (r == 0)
		settle_absent(stamp, now_snap);
	return r;
}
