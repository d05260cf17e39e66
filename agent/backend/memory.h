/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <ndctl/libndctl.h>

/*
 * The libdaxctl side of the online_memory operation (ops.h), as daxctl
 * reconfigure-device --mode=system-ram does it, once no process is found
 * to have the device open or mapped: the dax device of the devdax
 * namespace NS leaves device_dax for kmem, then its memory blocks go
 * online. Returns the number of blocks onlined, or a negative errno with
 * the device back in devdax mode where it could be put back. *KMEM_MISSING
 * is set once kmem was waited for in vain, so that it is waited for once.
 */
int backend_memory_online(struct ndctl_region *region, const char *ns, bool movable,
			  bool *kmem_missing, char *user, size_t userlen);
