/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "backend/ops.h"
#include "label/plan.h"

/*
 * Carries out one group of the plan: disables its regions, initializes its
 * dimms, and always re-enables what it disabled. Failures are logged here,
 * where the step is known. Returns 0, or the first error.
 */
int apply_group(const struct snapshot *snap, const struct plan *plan, unsigned int group,
		enum label_version version, const struct ops *ops, void *userdata);

/*
 * Enables the regions an interrupted run left disabled, logging each
 * failure. Returns 0 or the first error.
 */
int apply_recover(const struct snapshot *snap, const struct plan *plan,
		  const struct ops *ops, void *userdata);

/* Whether the region, looked up by name in a fresh snapshot, is now labelled and usable. */
bool apply_region_verified(const struct snapshot *after, const struct snapshot *before,
			   size_t region);
