/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "core/snapshot.h"
#include "core/stamp.h"
#include "label/plan.h"

/*
 * What a run writes into the stamp, and when. Both return 0, or a negative
 * errno with the stamp partly updated (the caller then writes nothing).
 */

/*
 * Before a group's regions go down: its dimms are marked pending, and a
 * dimm seen labelled before stays known as such (pending-lost).
 */
int stamp_mark_pending(struct stamp *stamp, const struct snapshot *snap,
		       const struct plan *plan, unsigned int group, long long now);

/*
 * After the run, from a fresh view: labelled dimms are recorded, and a
 * pending mark stays only where a region of ours could not be enabled
 * again; a dimm no longer there keeps no pending mark.
 */
int stamp_settle(struct stamp *stamp, const struct snapshot *now_snap, long long now);
