/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "core/snapshot.h"

/*
 * Looks at the raw namespace's block device the way a careful administrator
 * would before hiding it behind labels: is it in use (exclusive open fails),
 * and does it carry anything recognisable (filesystem, partition table,
 * RAID/LVM member, swap, or an NVDIMM info block left by fsdax/devdax/sector
 * mode). Fills ns->busy, ns->signature and ns->probe_error.
 */
void probe_namespace(struct snap_namespace *ns);
