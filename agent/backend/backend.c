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
#include "backend/memory.h"
#include "backend/namespace.h"
#include "backend/drivers.h"
#include "shared/log.h"
#include "shared/macro.h"
#include "shared/nsuuid.h"
#include "backend/probe.h"
#include "shared/names.h"

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

static void copy_name(char *dst, const char *src)
{
	snprintf(dst, SNAP_NAME_MAX, "%s", src ? src : "");
}

/* The kernel's NDD_LABELING shows as the word "label" in nmemN/flags. */
static bool dimm_labelled(struct ndctl_dimm *dimm)
{
	char path[256], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/nd/devices/%s/flags", ndctl_dimm_get_devname(dimm));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *save = NULL, *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		if (strcmp(w, "label") == 0)
			return true;
	return false;
}

static void dimm_id(struct ndctl_dimm *dimm, char *id)
{
	const char *unique = ndctl_dimm_get_unique_id(dimm);

	if (unique && unique[0])
		snprintf(id, SNAP_ID_MAX, "%s", unique);
	else
		snprintf(id, SNAP_ID_MAX, "handle-%#x", ndctl_dimm_get_handle(dimm));
	for (char *p = id; *p; p++)
		if (!strchr(ID_CHARS, *p))
			*p = '_';
}

static int read_dimm(struct snapshot *snap, struct ndctl_dimm *dimm)
{
	struct snap_dimm d = { 0 };

	copy_name(d.name, ndctl_dimm_get_devname(dimm));
	dimm_id(dimm, d.id);
	d.label_support = ndctl_dimm_is_cmd_supported(dimm, ND_CMD_GET_CONFIG_SIZE) &&
			  ndctl_dimm_is_cmd_supported(dimm, ND_CMD_GET_CONFIG_DATA) &&
			  ndctl_dimm_is_cmd_supported(dimm, ND_CMD_SET_CONFIG_DATA);
	d.labelled = dimm_labelled(dimm);
	d.active = ndctl_dimm_is_active(dimm);
	return snapshot_add_dimm(snap, &d, NULL);
}

static enum ns_mode ns_mode(struct ndctl_namespace *ndns)
{
	switch (ndctl_namespace_get_mode(ndns)) {
	case NDCTL_NS_MODE_RAW:
		return NS_MODE_RAW;
	case NDCTL_NS_MODE_FSDAX:
		return NS_MODE_FSDAX;
	case NDCTL_NS_MODE_DEVDAX:
		return NS_MODE_DEVDAX;
	case NDCTL_NS_MODE_SECTOR:
		return NS_MODE_SECTOR;
	default:
		return NS_MODE_OTHER;
	}
}

/*
 * The kernel leaves a namespace that a pfn, dax or btt device claims
 * unbound itself: such a namespace is up when its claiming device is. A
 * raw one has no claim (the kernel's mode says so), and asking libndctl
 * for claims would list every btt, pfn and dax device of the region: a
 * third of a first boot's reading of the devices.
 */
static bool namespace_enabled(struct ndctl_namespace *ndns, enum ns_mode mode)
{
	return mode == NS_MODE_RAW ? ndctl_namespace_is_enabled(ndns) > 0
				   : ndctl_namespace_is_active(ndns);
}

static void dax_uuid(struct ndctl_namespace *ndns, char out[SNAP_UUID_MAX])
{
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
	unsigned char uu[NSUUID_BYTES];

	if (!dax)
		return;
	ndctl_dax_get_uuid(dax, uu);
	nsuuid_format(uu, out);
}

static bool dax_has_system_ram(struct ndctl_namespace *ndns)
{
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
	struct daxctl_region *region = dax ? ndctl_dax_get_daxctl_region(dax) : NULL;
	struct daxctl_dev *dev;

	if (!region)
		return false;
	daxctl_dev_foreach(region, dev)
		if (daxctl_dev_has_online_memory(dev))
			return true;
	return false;
}

static int read_namespace(struct snap_region *r, struct ndctl_namespace *ndns, bool probe)
{
	struct snap_namespace ns = { 0 };
	unsigned char uu[NSUUID_BYTES];

	copy_name(ns.name, ndctl_namespace_get_devname(ndns));
	copy_name(ns.alt_name, ndctl_namespace_get_alt_name(ndns));
	ndctl_namespace_get_uuid(ndns, uu);
	nsuuid_format(uu, ns.uuid);
	ns.mode = ns_mode(ndns);
	ns.size = ndctl_namespace_get_size(ndns);
	ns.enabled = namespace_enabled(ndns, ns.mode);
	if (ns.mode == NS_MODE_RAW)
		copy_name(ns.blockdev, ndctl_namespace_get_block_device(ndns));
	if (ns.mode == NS_MODE_DEVDAX) {
		ns.system_ram = dax_has_system_ram(ndns);
		dax_uuid(ndns, ns.dax_uuid);
	}
	/* Only a label-less region's raw namespace is ever a candidate worth reading. */
	if (probe && ns.mode == NS_MODE_RAW && ns.enabled && ns.blockdev[0])
		probe_namespace(&ns);
	return snapshot_region_add_namespace(r, &ns);
}

/* What a layout matches a region by and plans its namespaces with. */
static void read_region_layout(struct ndctl_region *region, struct snap_region *r)
{
	struct ndctl_interleave_set *iset = ndctl_region_get_interleave_set(region);
	unsigned long align = ndctl_region_get_align(region);

	r->numa_node = ndctl_region_has_numa(region) ? ndctl_region_get_numa_node(region) : -1;
	r->has_iset = iset != NULL;
	r->iset_id = iset ? ndctl_interleave_set_get_cookie(iset) : 0;
	r->align = align == ULONG_MAX ? 0 : align;
	/* Only a labelled region has free extents; libndctl complains about the others. */
	r->max_extent = r->available;
	if (r->pmem && r->nstype == ND_DEVICE_NAMESPACE_PMEM) {
		unsigned long long extent = ndctl_region_get_max_available_extent(region);

		if (extent != ULLONG_MAX)
			r->max_extent = extent;
	}
}

static int read_region(struct snapshot *snap, struct ndctl_region *region)
{
	struct snap_region tmpl = { 0 }, *r;
	struct ndctl_namespace *ndns;
	struct ndctl_dimm *dimm;
	bool probe;
	int e;

	copy_name(tmpl.name, ndctl_region_get_devname(region));
	tmpl.pmem = ndctl_region_get_type(region) == ND_DEVICE_REGION_PMEM;
	tmpl.enabled = ndctl_region_is_enabled(region) > 0;
	tmpl.nstype = ndctl_region_get_nstype(region);
	tmpl.size = ndctl_region_get_size(region);
	tmpl.available = ndctl_region_get_available_size(region);
	if (tmpl.available == ULLONG_MAX)
		tmpl.available = 0;
	read_region_layout(region, &tmpl);
	e = snapshot_add_region(snap, &tmpl, &r);
	if (e < 0)
		return e;
	ndctl_dimm_foreach_in_region(region, dimm) {
		struct snap_dimm *d = snapshot_find_dimm(snap, ndctl_dimm_get_devname(dimm));

		if (!d)
			continue;
		e = snapshot_region_add_dimm(r, (size_t)(d - snap->dimms));
		if (e < 0)
			return e;
	}
	probe = r->pmem && r->enabled && r->nstype == ND_DEVICE_NAMESPACE_IO;
	ndctl_namespace_foreach(region, ndns) {
		e = read_namespace(r, ndns, probe);
		if (e < 0)
			return e;
	}
	return 0;
}

static int backend_read_snapshot(void *userdata, struct snapshot **out)
{
	struct backend *b = userdata;
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct ndctl_region *region;
	struct ndctl_dimm *dimm;
	struct ndctl_bus *bus;
	int r;

	if (!snap)
		return -ENOMEM;
	r = b->fresh ? 0 : renew_ctx(b);
	b->fresh = false;
	if (r < 0)
		goto fail;
	/* Dimms first: regions refer to them by index. */
	ndctl_bus_foreach(b->ctx, bus) {
		snap->n_buses++;
		ndctl_dimm_foreach(bus, dimm) {
			r = read_dimm(snap, dimm);
			if (r < 0)
				goto fail;
		}
	}
	ndctl_bus_foreach(b->ctx, bus) {
		ndctl_region_foreach(bus, region) {
			r = read_region(snap, region);
			if (r < 0)
				goto fail;
		}
	}
	snap->daxctl = access(DAXCTL_CONF_DIR, F_OK) == 0;
	*out = snap;
	return 0;
fail:
	snapshot_free(snap);
	return r;
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
	*out = (struct snap_namespace){ 0 };
	copy_name(out->name, ndctl_namespace_get_devname(ndns));
	out->mode = ns_mode(ndns);
	out->size = ndctl_namespace_get_size(ndns);
	out->enabled = namespace_enabled(ndns, out->mode);
	if (out->mode == NS_MODE_RAW)
		copy_name(out->blockdev, ndctl_namespace_get_block_device(ndns));
	if (out->mode == NS_MODE_RAW && out->enabled && out->blockdev[0])
		probe_namespace(out);
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
