/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <ndctl/libndctl.h>

#include "backend/ops.h"

/*
 * The libndctl side of the create_namespace and convert_namespace
 * operations (ops.h), in the order ndctl create-namespace uses: the
 * namespace's identity and size first, then the pfn, dax or btt device
 * that claims it, whose enabling is what makes it usable.
 */
/* The region's namespace named NAME (namespaceN.M), or NULL. */
struct ndctl_namespace *backend_namespace_find(struct ndctl_region *region, const char *name);
int backend_namespace_create(struct ndctl_region *region, const char *ns,
			     const struct ns_spec *spec);
int backend_namespace_convert(struct ndctl_region *region, const char *ns,
			      const struct ns_spec *spec);
