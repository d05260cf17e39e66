/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <ndctl/libndctl.h>

/*
 * The libdaxctl side of the online_memory operation (ops.h), as daxctl
 * reconfigure-device --mode=system-ram does it: the dax device of the
 * devdax namespace NS leaves device_dax for kmem, then its memory blocks
 * go online. Returns the number of blocks onlined, or a negative errno
 * with the device back in devdax mode where it could be put back.
 */
int backend_memory_online(struct ndctl_region *region, const char *ns, bool movable);
