/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "label/plan.h"

/* Logs the decision taken for every selected region (and its dimms). */
void report_plan(const struct snapshot *snap, const struct plan *plan,
		 const struct stamp *stamp, bool dry_run);
