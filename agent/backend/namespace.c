// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <string.h>
#include <linux/ndctl.h>

#include "backend/namespace.h"
#include "shared/nsuuid.h"

/* ndctl create-namespace's default for a btt: the kernel has none of its own. */
#define SECTOR_SIZE_DEFAULT 4096

struct ndctl_namespace *backend_namespace_find(struct ndctl_region *region, const char *name)
{
	struct ndctl_namespace *ndns;

	ndctl_namespace_foreach(region, ndns)
		if (strcmp(ndctl_namespace_get_devname(ndns), name) == 0)
			return ndns;
	return NULL;
}

static enum ndctl_namespace_mode ndctl_mode(enum ns_mode mode)
{
	switch (mode) {
	case NS_MODE_FSDAX:
		return NDCTL_NS_MODE_FSDAX;
	case NS_MODE_DEVDAX:
		return NDCTL_NS_MODE_DEVDAX;
	case NS_MODE_SECTOR:
		return NDCTL_NS_MODE_SECTOR;
	default:
		return NDCTL_NS_MODE_RAW;
	}
}

/* Only what differs is written: a resumed namespace may have it all already. */
static int set_identity(struct ndctl_namespace *ndns, const struct ns_spec *spec)
{
	unsigned char want[NSUUID_BYTES], have[NSUUID_BYTES];
	const char *alt_name = ndctl_namespace_get_alt_name(ndns);
	int r = nsuuid_parse(spec->uuid, want);

	if (r < 0)
		return r;
	ndctl_namespace_get_uuid(ndns, have);
	if (memcmp(want, have, sizeof(want)) != 0)
		r = ndctl_namespace_set_uuid(ndns, want);
	if (r == 0 && (!alt_name || strcmp(alt_name, spec->name) != 0))
		r = ndctl_namespace_set_alt_name(ndns, spec->name);
	if (r == 0 && ndctl_namespace_get_size(ndns) != spec->size)
		r = ndctl_namespace_set_size(ndns, spec->size);
	return r;
}

/*
 * A pfn or dax seed left holding the namespace after a failed enable is
 * let go, so that the region's seed stays usable for the next attempt.
 */
static int attach_pfn(struct ndctl_region *region, struct ndctl_namespace *ndns,
		      const struct ns_spec *spec, unsigned char uuid[NSUUID_BYTES])
{
	struct ndctl_pfn *pfn = ndctl_region_get_pfn_seed(region);
	int r;

	if (!pfn)
		return -ENXIO;
	r = ndctl_pfn_set_uuid(pfn, uuid);
	if (r == 0)
		r = ndctl_pfn_set_location(pfn, NDCTL_PFN_LOC_PMEM);
	if (r == 0 && spec->align && ndctl_pfn_has_align(pfn))
		r = ndctl_pfn_set_align(pfn, spec->align);
	if (r == 0)
		r = ndctl_pfn_set_namespace(pfn, ndns);
	if (r == 0) {
		r = ndctl_pfn_enable(pfn);
		if (r < 0)
			ndctl_pfn_set_namespace(pfn, NULL);
	}
	return r;
}

static int attach_dax(struct ndctl_region *region, struct ndctl_namespace *ndns,
		      const struct ns_spec *spec, unsigned char uuid[NSUUID_BYTES])
{
	struct ndctl_dax *dax = ndctl_region_get_dax_seed(region);
	int r;

	if (!dax)
		return -ENXIO;
	r = ndctl_dax_set_uuid(dax, uuid);
	if (r == 0)
		r = ndctl_dax_set_location(dax, NDCTL_PFN_LOC_PMEM);
	if (r == 0 && spec->align && ndctl_dax_has_align(dax))
		r = ndctl_dax_set_align(dax, spec->align);
	if (r == 0)
		r = ndctl_dax_set_namespace(dax, ndns);
	if (r == 0) {
		r = ndctl_dax_enable(dax);
		if (r < 0)
			ndctl_dax_set_namespace(dax, NULL);
	}
	return r;
}

static int attach_btt(struct ndctl_region *region, struct ndctl_namespace *ndns,
		      const struct ns_spec *spec, unsigned char uuid[NSUUID_BYTES])
{
	struct ndctl_btt *btt = ndctl_region_get_btt_seed(region);
	int r;

	if (!btt)
		return -ENXIO;
	r = ndctl_btt_set_uuid(btt, uuid);
	if (r == 0)
		r = ndctl_btt_set_sector_size(btt, spec->sector_size ? spec->sector_size
								     : SECTOR_SIZE_DEFAULT);
	if (r == 0)
		r = ndctl_btt_set_namespace(btt, ndns);
	if (r == 0) {
		r = ndctl_btt_enable(btt);
		if (r < 0)
			ndctl_btt_set_namespace(btt, NULL);
	}
	return r;
}

/*
 * The device that claims the namespace gets a uuid of its own, as with
 * ndctl. libndctl's enables return 1 for "enabled through the device that
 * claims it": success all the same.
 */
static int attach(struct ndctl_region *region, struct ndctl_namespace *ndns,
		  const struct ns_spec *spec)
{
	unsigned char uuid[NSUUID_BYTES];
	int r = spec->mode == NS_MODE_RAW ? 0 : nsuuid_random(uuid);

	if (r == 0) {
		switch (spec->mode) {
		case NS_MODE_FSDAX:
			r = attach_pfn(region, ndns, spec, uuid);
			break;
		case NS_MODE_DEVDAX:
			r = attach_dax(region, ndns, spec, uuid);
			break;
		case NS_MODE_SECTOR:
			r = attach_btt(region, ndns, spec, uuid);
			break;
		default:
			r = ndctl_namespace_enable(ndns);
			break;
		}
	}
	return r < 0 ? r : 0;
}

int backend_namespace_create(struct ndctl_region *region, const char *ns,
			     const struct ns_spec *spec)
{
	struct ndctl_namespace *ndns = ns ? backend_namespace_find(region, ns)
					  : ndctl_region_get_namespace_seed(region);
	int r = 0;

	if (!ndns)
		return -ENODEV;
	/*
	 * A half-made namespace of ours may have been enabled raw before its
	 * pfn, dax or btt device was attached; disable_safe still refuses one
	 * that somebody opened since.
	 */
	if (ndctl_namespace_is_enabled(ndns) > 0)
		r = ndctl_namespace_disable_safe(ndns);
	if (r == 0)
		r = set_identity(ndns, spec);
	if (r < 0)
		return r;
	/* Not checked, like ndctl: older kernels lack it, and it only guards against misuse. */
	ndctl_namespace_set_enforce_mode(ndns, ndctl_mode(spec->mode));
	return attach(region, ndns, spec);
}

int backend_namespace_convert(struct ndctl_region *region, const char *ns,
			      const struct ns_spec *spec)
{
	struct ndctl_namespace *ndns = backend_namespace_find(region, ns);
	int r;

	if (!ndns)
		return -ENODEV;
	if (ndctl_namespace_get_type(ndns) != ND_DEVICE_NAMESPACE_IO ||
	    ndctl_namespace_get_mode(ndns) != NDCTL_NS_MODE_RAW)
		return -EINVAL;
	/* Claims the block device exclusively first: a user appearing late wins. */
	r = ndctl_namespace_disable_safe(ndns);
	if (r < 0)
		return r;
	r = attach(region, ndns, spec);
	if (r < 0)
		ndctl_namespace_enable(ndns);
	return r;
}
