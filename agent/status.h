/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "plan.h"

/* Prints the state of every selected region and its dimms to stdout. */
int status_print(const struct snapshot *snap, const struct plan *plan,
		 const struct stamp *stamp, bool json);
