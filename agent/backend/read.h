/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <ndctl/libndctl.h>

#include "core/snapshot.h"

/*
 * The read_snapshot operation (backend/ops.h): what libndctl and libdaxctl
 * show of every bus, dimm, region and namespace of CTX, copied into a
 * plain snapshot, with the contents of a label-less region's raw
 * namespace probed (backend/probe.h). Returns 0 or a negative errno.
 */
int backend_read_devices(struct ndctl_ctx *ctx, struct snapshot **out);
/* One namespace, read afresh, an enabled raw one probed with its device opened exclusively. */
void backend_read_namespace(struct ndctl_namespace *ndns, struct snap_namespace *out);
