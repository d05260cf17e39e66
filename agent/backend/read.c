// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <daxctl/libdaxctl.h>
#include <linux/ndctl.h>
#include <ndctl/libndctl.h>

#include "backend/probe.h"
#include "backend/read.h"
#include "shared/names.h"
#include "shared/nsuuid.h"

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

/* Where the first region that maps the dimm starts; 0 for none. */
static unsigned long long dimm_address(struct ndctl_dimm *dimm)
{
	struct ndctl_region *region;
	struct ndctl_dimm *d;

	ndctl_region_foreach(ndctl_dimm_get_bus(dimm), region)
		ndctl_dimm_foreach_in_region(region, d)
			if (d == dimm)
				return ndctl_region_get_resource(region);
	return 0;
}

static void dimm_id(struct ndctl_dimm *dimm, const char *provider, char *id)
{
	const char *unique = ndctl_dimm_get_unique_id(dimm);
	unsigned int handle = ndctl_dimm_get_handle(dimm);

	if (unique && unique[0])
		snprintf(id, SNAP_ID_MAX, "%s", unique);
	else if (handle != UINT_MAX)
		snprintf(id, SNAP_ID_MAX, "handle-%#x", handle);
	else
		/*
		 * ramdax gives every dimm handle 0xffffffff and no unique id:
		 * what tells its dimms apart, boot after boot, is where their
		 * carve-outs are.
		 */
		snprintf(id, SNAP_ID_MAX, "%s-%#llx", provider, dimm_address(dimm));
	for (char *p = id; *p; p++)
		if (!strchr(ID_CHARS, *p))
			*p = '_';
}

static int read_dimm(struct snapshot *snap, struct ndctl_dimm *dimm)
{
	struct snap_dimm d = { 0 };

	copy_name(d.name, ndctl_dimm_get_devname(dimm));
	copy_name(d.provider, ndctl_bus_get_provider(ndctl_dimm_get_bus(dimm)));
	dimm_id(dimm, d.provider, d.id);
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
	tmpl.read_only = ndctl_region_get_ro(region) > 0;
	tmpl.nstype = ndctl_region_get_nstype(region);
	tmpl.size = ndctl_region_get_size(region);
	copy_name(tmpl.provider, ndctl_bus_get_provider(ndctl_region_get_bus(region)));
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

int backend_read_devices(struct ndctl_ctx *ctx, struct snapshot **out)
{
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct ndctl_region *region;
	struct ndctl_dimm *dimm;
	struct ndctl_bus *bus;
	int r = 0;

	if (!snap)
		return -ENOMEM;
	/* Dimms first: regions refer to them by index. */
	ndctl_bus_foreach(ctx, bus) {
		snap->n_buses++;
		ndctl_dimm_foreach(bus, dimm)
			if (r == 0)
				r = read_dimm(snap, dimm);
	}
	ndctl_bus_foreach(ctx, bus)
		ndctl_region_foreach(bus, region)
			if (r == 0)
				r = read_region(snap, region);
	if (r < 0) {
		snapshot_free(snap);
		return r;
	}
	*out = snap;
	return 0;
}

void backend_read_namespace(struct ndctl_namespace *ndns, struct snap_namespace *out)
{
	*out = (struct snap_namespace){ 0 };
	copy_name(out->name, ndctl_namespace_get_devname(ndns));
	out->mode = ns_mode(ndns);
	out->size = ndctl_namespace_get_size(ndns);
	out->enabled = namespace_enabled(ndns, out->mode);
	if (out->mode == NS_MODE_RAW)
		copy_name(out->blockdev, ndctl_namespace_get_block_device(ndns));
	if (out->mode == NS_MODE_RAW && out->enabled && out->blockdev[0])
		probe_namespace(out);
}
