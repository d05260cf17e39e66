/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * agent/backend/: the only code that touches the devices, through libndctl,
 * libdaxctl, libkmod, libblkid and /proc, behind the operations table below.
 */

#include <stdbool.h>

#include "core/options.h"
#include "core/snapshot.h"

/* What a namespace is made into; the layout step decides it from the layout plan. */
struct ns_spec {
	const char *uuid;               /* text form; the labels keep it */
	const char *name;               /* the labels' alt_name */
	enum ns_mode mode;
	unsigned long long size;
	unsigned long long align;       /* fsdax, devdax; 0 = the kernel's default */
	unsigned int sector_size;       /* sector; 0 = the kernel's default */
};

/*
 * Everything that touches devices goes through this table, so tests can
 * replace it with a fake that fails at any step. Each returns 0 or a
 * negative errno and leaves the logging to its caller.
 */
struct ops {
	/*
	 * Load the NVDIMM drivers and wait for the buses to finish probing; on
	 * failure *what names the step that failed (a module, a bus).
	 */
	int (*load_drivers)(void *userdata, const char **what);
	/* A fresh view of the devices, never a cached one. */
	int (*read_snapshot)(void *userdata, struct snapshot **out);
	int (*disable_region)(void *userdata, const char *region);
	int (*enable_region)(void *userdata, const char *region);
	/*
	 * Write a fresh label index and make the kernel drop its cached copy.
	 * Returns 1 when a valid index was there already and was kept.
	 */
	int (*init_labels)(void *userdata, const char *nmem, enum label_version version);
	/*
	 * Makes the region's seed namespace into SPEC and enables it; with NS,
	 * finishes that namespace instead, one an interrupted run half-made.
	 * A failure may leave the namespace half-made: the pending mark in the
	 * stamp is what tells the next run it is ours.
	 */
	int (*create_namespace)(void *userdata, const char *region, const char *ns,
				const struct ns_spec *spec);
	/*
	 * A fresh look at namespace NS right before it is changed: OUT gets its
	 * name, mode, block device and enabled state, and for an enabled raw
	 * namespace what probe.h finds, its device opened exclusively (busy,
	 * signature, probe_error).
	 */
	int (*probe_namespace)(void *userdata, const char *region, const char *ns,
			       struct snap_namespace *out);
	/*
	 * The raw namespace NS of a region without labels becomes fsdax in
	 * place; -EBUSY while it is in use. A failure leaves it raw and enabled.
	 */
	int (*convert_namespace)(void *userdata, const char *region, const char *ns,
				 const struct ns_spec *spec);
	/*
	 * The memory of the devdax namespace NS goes online as system RAM,
	 * MOVABLE or not. Returns the number of memory blocks it onlined (0
	 * when they all were online already); -EBUSY while a process has the
	 * device open or mapped (the kernel would tear its mappings down), with
	 * which one in USER; -EACCES when that cannot be told; -ENOENT without
	 * the kmem driver; -EOPNOTSUPP for MOVABLE where the kernel onlines
	 * hot-added memory by itself, into another zone. A failure leaves the
	 * device in devdax mode, or with its memory partly online: never
	 * without a driver.
	 */
	int (*online_memory)(void *userdata, const char *region, const char *ns, bool movable,
			     char *user, size_t userlen);
};
