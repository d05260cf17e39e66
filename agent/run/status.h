/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "label/plan.h"
#include "layout/plan.h"

/* Prints the state of every selected region, its layout plan, and its dimms to stdout. */
int status_print(const struct snapshot *snap, const struct plan *plan,
		 const struct layout_plan *lp, const struct stamp *stamp, bool json);
