/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "label/plan.h"
#include "layout/plan.h"

/*
 * The journal records of a layout plan, for every region PLAN selects (a
 * projected one only with DRY_RUN): one
 * per namespace that drifted or is refused, and with DRY_RUN one per
 * namespace that would be created, finished or converted. Adds the drifted
 * and refused namespaces to the counts.
 */
void report_layout_plan(const struct snapshot *snap, const struct plan *plan,
			const struct layout_plan *lp, bool dry_run, unsigned int *drifted,
			unsigned int *refused);

