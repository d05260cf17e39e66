// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <daxctl/libdaxctl.h>
#include <linux/ndctl.h>
#include <ndctl/libndctl.h>

#include "backend/backend.h"
#include "backend/drivers.h"
#include "backend/memory.h"
#include "backend/namespace.h"
#include "backend/read.h"
#include "shared/log.h"
#include "shared/macro.h"

struct backend {
	struct ndctl_ctx *ctx;
	/* kmem was waited for in vain: it is not waited for again in this run. */
	bool kmem_missing;
	/* Made after the last change and not yet read from: a snapshot can use it. */
	bool fresh;
};

static void ndctl_log(struct ndctl_ctx *ctx UNUSED, int priority, const char *file UNUSED,
		      int line UNUSED, const char *fn UNUSED, const char *format, va_list args)
{
	log_library("libndctl", priority, format, args);
}

static void daxctl_log(struct daxctl_ctx *ctx UNUSED, int priority, const char *file UNUSED,
		       int line UNUSED, const char *fn UNUSED, const char *format, va_list args)
{
	log_library("libdaxctl", priority, format, args);
}

/*
 * A new context for every look, because libndctl caches attributes such as
 * a region's nstype for the life of the context.
 */
static int renew_ctx(struct backend *b)
{
	struct ndctl_ctx *ctx = NULL;
	int lib_priority = log_get_max_priority() >= LOG_DEBUG ? LOG_DEBUG : LOG_ERR;
	int r = ndctl_new(&ctx);

	if (r < 0)
		return r;
	ndctl_set_log_fn(ctx, ndctl_log);
	ndctl_set_log_priority(ctx, lib_priority);
	daxctl_set_log_fn(ndctl_get_daxctl_ctx(ctx), daxctl_log);
	daxctl_set_log_priority(ndctl_get_daxctl_ctx(ctx), lib_priority);
	if (b->ctx)
		ndctl_unref(b->ctx);
	b->ctx = ctx;
	return 0;
}

/* The libndctl context comes with the first look at the devices. */
int backend_new(struct backend **out)
{
	struct backend *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	*out = b;
	return 0;
}

void backend_free(struct backend *b)
{
	if (!b)
		return;
	if (b->ctx)
		ndctl_unref(b->ctx);
	free(b);
}

static int backend_read_snapshot(void *userdata, struct snapshot **out)
{
	struct backend *b = userdata;
	int r = b->fresh ? 0 : renew_ctx(b);

	b->fresh = false;
	return r < 0 ? r : backend_read_devices(b->ctx, out);
}

static int backend_load_drivers(void *userdata, const char **what)
{
	struct backend *b = userdata;
	struct ndctl_bus *bus;
	int r = drivers_load(what), e;

	e = renew_ctx(b);
	if (e < 0) {
		*what = "libndctl";
		return e;
	}
	/* Waiting for the probe only lists the buses: nothing cached yet. */
	b->fresh = true;
	/* Region probing is asynchronous: wait until the kernel has settled. */
	ndctl_bus_foreach(b->ctx, bus) {
		e = ndctl_bus_wait_probe(bus);
		if (e < 0 && r == 0) {
			r = e;
			*what = ndctl_bus_get_devname(bus);
		}
	}
	return r;
}

static struct ndctl_region *find_region(struct backend *b, const char *name)
{
	struct ndctl_region *region;
	struct ndctl_bus *bus;

	ndctl_bus_foreach(b->ctx, bus)
		ndctl_region_foreach(bus, region)
			if (strcmp(ndctl_region_get_devname(region), name) == 0)
				return region;
	return NULL;
}

static struct ndctl_dimm *find_dimm(struct backend *b, const char *name)
{
	struct ndctl_dimm *dimm;
	struct ndctl_bus *bus;

	ndctl_bus_foreach(b->ctx, bus)
		ndctl_dimm_foreach(bus, dimm)
			if (strcmp(ndctl_dimm_get_devname(dimm), name) == 0)
				return dimm;
	return NULL;
}

static int backend_disable_region(void *userdata, const char *name)
{
	struct ndctl_region *region = find_region(userdata, name);
	struct ndctl_namespace *ndns;
	int r;

	if (!region)
		return -ENODEV;
	/* disable_safe claims each block device exclusively first: a user appearing late wins. */
	ndctl_namespace_foreach(region, ndns) {
		r = ndctl_namespace_disable_safe(ndns);
		if (r < 0)
			return r;
	}
	r = ndctl_region_disable_invalidate(region);
	if (r < 0)
		return r;
	return ndctl_region_is_enabled(region) > 0 ? -EBUSY : 0;
}

static int backend_enable_region(void *userdata, const char *name)
{
	struct ndctl_region *region = find_region(userdata, name);

	if (!region)
		return -ENODEV;
	return ndctl_region_enable(region);
}

static int backend_init_labels(void *userdata, const char *name, enum label_version version)
{
	struct ndctl_dimm *dimm = find_dimm(userdata, name);
	struct ndctl_cmd *cmd;
	bool kept;
	int r;

	if (!dimm)
		return -ENODEV;
	if (ndctl_dimm_is_active(dimm))
		return -EBUSY;
	/* libndctl needs the index read before it can write one. */
	cmd = ndctl_dimm_read_label_index(dimm);
	if (!cmd)
		return -EIO;
	/*
	 * A valid index means labels are there and only the kernel's view is
	 * stale (say, an earlier run stopped after writing them): never
	 * overwrite labels, just make the kernel read them again below.
	 */
	kept = ndctl_dimm_validate_labels(dimm) >= 0;
	if (!kept) {
		r = ndctl_dimm_init_labels(dimm, version == LABEL_VERSION_1_2 ? NDCTL_NS_VERSION_1_2
									   : NDCTL_NS_VERSION_1_1);
		if (r < 0)
			goto out;
	}
	/* The kernel keeps a copy of the label area; re-binding the dimm drops it. */
	r = 0;
	if (ndctl_dimm_is_enabled(dimm)) {
		r = ndctl_dimm_disable(dimm);
		if (r == 0)
			r = ndctl_dimm_enable(dimm);
	}
	if (r == 0 && kept)
		r = 1;
out:
	ndctl_cmd_unref(cmd);
	return r;
}

static int backend_create_namespace(void *userdata, const char *region, const char *ns,
				    const struct ns_spec *spec)
{
	struct ndctl_region *r = find_region(userdata, region);

	return r ? backend_namespace_create(r, ns, spec) : -ENODEV;
}

static int backend_probe_namespace(void *userdata, const char *region, const char *ns,
				   struct snap_namespace *out)
{
	struct ndctl_region *r = find_region(userdata, region);
	struct ndctl_namespace *ndns = r ? backend_namespace_find(r, ns) : NULL;

	if (!ndns)
		return -ENODEV;
	backend_read_namespace(ndns, out);
	return 0;
}

static int backend_convert_namespace(void *userdata, const char *region, const char *ns,
				     const struct ns_spec *spec)
{
	struct ndctl_region *r = find_region(userdata, region);

	return r ? backend_namespace_convert(r, ns, spec) : -ENODEV;
}

static int backend_online_memory(void *userdata, const char *region, const char *ns,
				 bool movable, char *user, size_t userlen)
{
	struct backend *b = userdata;
	struct ndctl_region *r = find_region(b, region);

	return r ? backend_memory_online(r, ns, movable, &b->kmem_missing, user, userlen) : -ENODEV;
}

const struct ops backend_ops = {
	.load_drivers = backend_load_drivers,
	.read_snapshot = backend_read_snapshot,
	.disable_region = backend_disable_region,
	.enable_region = backend_enable_region,
	.init_labels = backend_init_labels,
	.create_namespace = backend_create_namespace,
	.probe_namespace = backend_probe_namespace,
	.convert_namespace = backend_convert_namespace,
	.online_memory = backend_online_memory,
};
