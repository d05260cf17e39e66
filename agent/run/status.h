/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "label/plan.h"
#include "layout/plan.h"

/* What --status shows, and what it knows of the system besides the devices. */
struct status {
	const struct snapshot *snap;
	const struct plan *plan;
	const struct layout_plan *lplan;
	const struct stamp *stamp;
	bool daxctl;                  /* daxctl's configuration directory is there */
};

/* Prints the state of every selected region, its layout plan, and its dimms to stdout. */
int status_print(const struct status *st, bool json);
