/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "options.h"
#include "snapshot.h"

/*
 * Everything that touches devices goes through this table, so tests can
 * replace it with a fake that fails at any step. Each returns 0 or a
 * negative errno and leaves the logging to its caller.
 */
struct ops {
	/* Load the NVDIMM drivers and wait for the buses to finish probing. */
	int (*load_drivers)(void *userdata);
	/* A fresh view of the devices, never a cached one. */
	int (*read_snapshot)(void *userdata, struct snapshot **out);
	int (*disable_region)(void *userdata, const char *region);
	int (*enable_region)(void *userdata, const char *region);
	/* Write a fresh label index and make the kernel drop its cached copy. */
	int (*init_labels)(void *userdata, const char *nmem, enum label_version version);
};
