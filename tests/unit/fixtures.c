// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ndctl.h>

#include "fixtures.h"

struct snapshot *fx_new(void)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->n_buses = 1;
	return s;
}

size_t fx_dimm(struct snapshot *s, unsigned int n, bool label_support, bool labelled)
{
	struct snap_dimm d = { .label_support = label_support, .labelled = labelled };
	size_t index;

	snprintf(d.name, sizeof(d.name), "nmem%u", n);
	snprintf(d.id, sizeof(d.id), "id-%u", n);
	snprintf(d.provider, sizeof(d.provider), "ACPI.NFIT");
	if (snapshot_add_dimm(s, &d, &index) < 0)
		abort();
	return index;
}

static struct snap_region *add_region(struct snapshot *s, unsigned int n, unsigned int nstype,
				      unsigned long long size, unsigned long long available)
{
	struct snap_region tmpl = { .pmem = true, .enabled = true, .nstype = nstype,
				    .size = size, .available = available,
				    .max_extent = available, .numa_node = -1 };
	struct snap_region *r;

	snprintf(tmpl.name, sizeof(tmpl.name), "region%u", n);
	snprintf(tmpl.provider, sizeof(tmpl.provider), "ACPI.NFIT");
	if (snapshot_add_region(s, &tmpl, &r) < 0)
		abort();
	return r;
}

struct snap_region *fx_label_less(struct snapshot *s, unsigned int n, unsigned long long size)
{
	struct snap_region *r = add_region(s, n, ND_DEVICE_NAMESPACE_IO, size, 0);
	struct snap_namespace ns = { .mode = NS_MODE_RAW, .size = size, .enabled = true };

	snprintf(ns.name, sizeof(ns.name), "namespace%u.0", n);
	snprintf(ns.blockdev, sizeof(ns.blockdev), "pmem%u", n);
	if (snapshot_region_add_namespace(r, &ns) < 0)
		abort();
	return r;
}

struct snap_region *fx_labelled(struct snapshot *s, unsigned int n, unsigned long long size)
{
	struct snap_region *r = add_region(s, n, ND_DEVICE_NAMESPACE_PMEM, size, size);
	struct snap_namespace ns = { .mode = NS_MODE_RAW };

	snprintf(ns.name, sizeof(ns.name), "namespace%u.0", n);
	if (snapshot_region_add_namespace(r, &ns) < 0)
		abort();
	return r;
}

void fx_attach(struct snap_region *r, size_t dimm)
{
	if (snapshot_region_add_dimm(r, dimm) < 0)
		abort();
}

void fx_namespace(struct snap_region *r, const char *alt_name, enum ns_mode mode,
		  unsigned long long size, const char *uuid)
{
	struct snap_namespace ns = { .mode = mode, .size = size, .enabled = true };

	snprintf(ns.name, sizeof(ns.name), "namespace%s.%zu", r->name + strlen("region"),
		 r->n_namespaces);
	snprintf(ns.alt_name, sizeof(ns.alt_name), "%s", alt_name);
	snprintf(ns.uuid, sizeof(ns.uuid), "%s", uuid);
	if (snapshot_region_add_namespace(r, &ns) < 0)
		abort();
}
