/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * agent/core/: the plain data every decision is made from and kept in: the
 * snapshot of the devices, the command line, the refusal reasons, the stamp.
 */

#include <stdbool.h>
#include <stddef.h>

/*
 * Plain copy of the NVDIMM state that every decision is made from. Nothing
 * here points into libndctl, so the decision code can be tested with
 * hand-built snapshots and a later snapshot can be compared with an earlier
 * one.
 */

#define SNAP_NAME_MAX 64
#define SNAP_ID_MAX 128
/* Canonical text form, 36 characters, as ndctl list shows it. */
#define SNAP_UUID_MAX 37

enum ns_mode {
	NS_MODE_RAW,
	NS_MODE_FSDAX,
	NS_MODE_DEVDAX,
	NS_MODE_SECTOR,
	NS_MODE_OTHER,
};

struct snap_namespace {
	char name[SNAP_NAME_MAX];     /* namespaceN.M */
	char blockdev[SNAP_NAME_MAX]; /* pmemN, empty without one */
	enum ns_mode mode;
	unsigned long long size;
	bool enabled;                 /* itself, or through the device that claims it */
	bool busy;                    /* exclusive open failed with EBUSY */
	bool system_ram;              /* devdax memory online as system-ram */
	char signature[SNAP_NAME_MAX]; /* what the contents carry, empty if none */
	int probe_error;              /* errno of opening or reading the contents, 0 if none */
	/* The name kept in the namespace's labels; its size is the kernel's NSLABEL_NAME_LEN. */
	char alt_name[SNAP_NAME_MAX];
	char uuid[SNAP_UUID_MAX];     /* empty without labels */
	/*
	 * devdax: the dax device's own uuid, ndctl list's "uuid" of the
	 * namespace (its "raw_uuid" is the one above). It is what the
	 * nvdimm.uuid of a daxctl.conf.d section matches.
	 */
	char dax_uuid[SNAP_UUID_MAX];
};

struct snap_dimm {
	char name[SNAP_NAME_MAX];     /* nmemN */
	/* Unique id; without one its handle, or without that its bus provider and address. */
	char id[SNAP_ID_MAX];
	char provider[SNAP_NAME_MAX]; /* its bus's: ACPI.NFIT, ramdax... */
	bool label_support;           /* label commands and a label area */
	bool labelled;                /* the kernel found a valid label index */
	bool active;
};

struct snap_region {
	char name[SNAP_NAME_MAX];     /* regionN */
	bool pmem;
	bool enabled;
	bool read_only;               /* its read_only attribute: no namespace of it can be written */
	unsigned int nstype;          /* ND_DEVICE_NAMESPACE_* */
	unsigned long long size;
	unsigned long long available;
	/*
	 * The largest free extent: a namespace is allocated in one piece, so
	 * it is what bounds a new namespace, whatever available says.
	 */
	unsigned long long max_extent;
	unsigned long long align;     /* namespace size granularity; 0 when the kernel has none */
	int numa_node;                /* -1 when the platform does not say */
	char provider[SNAP_NAME_MAX]; /* its bus's: ACPI.NFIT, ramdax, e820... */
	bool has_iset;
	unsigned long long iset_id;   /* the interleave set cookie, as ndctl list's iset_id */
	size_t n_dimms;
	size_t *dimms;                /* indexes into snapshot.dimms */
	size_t n_namespaces;
	struct snap_namespace *namespaces;
};

struct snapshot {
	size_t n_buses;
	size_t n_dimms;
	struct snap_dimm *dimms;
	size_t n_regions;
	struct snap_region *regions;
};

void snapshot_free(struct snapshot *snap);
/* A deep copy; 0 or -ENOMEM. */
int snapshot_copy(const struct snapshot *src, struct snapshot **out);
struct snap_region *snapshot_find_region(const struct snapshot *snap, const char *name);
struct snap_dimm *snapshot_find_dimm(const struct snapshot *snap, const char *name);

/* Builders, used by the libndctl reader and by tests. Return 0 or -ENOMEM. */
int snapshot_add_dimm(struct snapshot *snap, const struct snap_dimm *dimm, size_t *index);
int snapshot_add_region(struct snapshot *snap, const struct snap_region *region,
			struct snap_region **added);
int snapshot_region_add_dimm(struct snap_region *region, size_t dimm_index);
int snapshot_region_add_namespace(struct snap_region *region, const struct snap_namespace *ns);

/*
 * A dimm whose label area is RAM (ramdax): its labels last until the next
 * cold boot by design, so their absence is never a loss.
 */
bool snapshot_dimm_labels_volatile(const struct snap_dimm *dimm);

const char *ns_mode_name(enum ns_mode mode);
/* The mode of that name (not NS_MODE_OTHER, which has none); false for none. */
bool ns_mode_from_name(const char *name, enum ns_mode *out);
