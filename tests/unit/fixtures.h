/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "core/snapshot.h"

/*
 * Hand-built snapshots for the decision and run tests. Names follow the
 * kernel's (regionN, nmemN, namespaceN.0, pmemN) but numbering deliberately
 * does not start at 0 in some tests.
 */
struct snapshot *fx_new(void);
/* Adds nmemN with id "id-N"; returns its index. */
size_t fx_dimm(struct snapshot *s, unsigned int n, bool label_support, bool labelled);
/* A fresh label-less region: nstype IO, one raw namespace with pmemN over it. */
struct snap_region *fx_label_less(struct snapshot *s, unsigned int n, unsigned long long size);
/* A labelled region: nstype PMEM, a size-0 seed namespace, available = size. */
struct snap_region *fx_labelled(struct snapshot *s, unsigned int n, unsigned long long size);
void fx_attach(struct snap_region *r, size_t dimm);
/*
 * Adds a labelled namespace, namespaceN.M after the region's number and its
 * count of namespaces, enabled, with that name (alt_name) and uuid.
 */
void fx_namespace(struct snap_region *r, const char *alt_name, enum ns_mode mode,
		  unsigned long long size, const char *uuid);
