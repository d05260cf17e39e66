/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * The daxctl.conf.d file through which daxctl's own boot-time
 * reconfiguration (90-daxctl-device.rules runs daxctl -C for each new dax
 * device) onlines the memory of our Memory= namespaces at every later boot.
 */

#define DAXCTL_CONF_FILE "nvdimm-label-init.conf"

enum daxctl_conf_result {
	DAXCTL_CONF_WRITTEN = 1,   /* a section for the uuid added to our file */
	DAXCTL_CONF_OURS,      /* our file has it already */
	DAXCTL_CONF_OTHER,     /* another file configures that uuid: left to it */
};

/*
 * Makes sure a section of ROOT DAXCTL_CONF_DIR configures the dax device
 * UUID (of the namespace NAME in the layout; daxctl's nvdimm.uuid) as system RAM, MOVABLE or not. Never changes a
 * section, ours or not. Returns a daxctl_conf_result, with the other
 * file's name in OTHER for DAXCTL_CONF_OTHER, or a negative errno: -ENOENT
 * when there is no such directory (daxctl is not installed).
 */
int daxctl_conf_ensure(const char *root, const char *uuid, const char *name, bool movable,
		       char *other, size_t otherlen);
