/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * agent/layout/: the layout step: the layout files (parser, loader), the
 * namespaces a region should have (a pure plan), creating them, Memory=
 * and daxctl's configuration, and the report.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/snapshot.h"

/*
 * A layout file (nvdimm-label-init.layout(5)): which regions it is for and
 * the namespaces those regions should have. Plain data with fixed bounds,
 * so that a parsed file needs no freeing and can be copied.
 */

/* Per match key, and per file; more is refused with a message. */
#define LAYOUT_MATCH_MAX 16
#define LAYOUT_NS_MAX 32
/* A layout file larger than this is refused rather than read. */
#define LAYOUT_FILE_MAX ((size_t)64 * 1024)

enum layout_size_kind {
	LAYOUT_SIZE_BYTES,
	LAYOUT_SIZE_PERCENT,  /* of the region's size */
	LAYOUT_SIZE_REST,     /* what the region's free space leaves after the others */
};

enum layout_memory {
	LAYOUT_MEMORY_NONE,
	LAYOUT_MEMORY_MOVABLE, /* online as system RAM in ZONE_MOVABLE (daxctl's default) */
	LAYOUT_MEMORY_NORMAL,  /* online as system RAM in ZONE_NORMAL */
};

struct layout_ns {
	/*
	 * As written: a name (shared/names.h), or a template whose %r (the region's
	 * name) and %N (its NUMA node) each region fills in.
	 */
	char name[SNAP_NAME_MAX];
	enum ns_mode mode;
	enum layout_size_kind size_kind;
	unsigned long long size;       /* bytes, or a percentage 1-100; 0 for rest */
	unsigned long long align;      /* fsdax/devdax only; 0 = the kernel's default */
	unsigned int sector_size;      /* sector only; 0 = the kernel's default */
	enum layout_memory memory;     /* devdax only */
	unsigned int line;             /* of its [Namespace], for messages */
};

/* A region matches when, for every key given, one of the key's values matches. */
struct layout_match {
	size_t n_regions;
	char regions[LAYOUT_MATCH_MAX][SNAP_NAME_MAX];
	size_t n_numa_nodes;
	int numa_nodes[LAYOUT_MATCH_MAX];
	size_t n_dimm_ids;                     /* any dimm of the region */
	char dimm_ids[LAYOUT_MATCH_MAX][SNAP_ID_MAX];
	size_t n_iset_ids;
	unsigned long long iset_ids[LAYOUT_MATCH_MAX];
	size_t n_providers;
	char providers[LAYOUT_MATCH_MAX][SNAP_NAME_MAX];
};

struct layout {
	char path[4096];               /* as given to the parser, for messages */
	struct layout_match match;
	/*
	 * On a region whose dimms cannot hold labels, make the one declared
	 * fsdax namespace by converting the raw namespace in place.
	 */
	bool convert_raw;
	size_t n_ns;
	struct layout_ns ns[LAYOUT_NS_MAX];
};

/* The layout files in the order they apply: the first that matches a region is its layout. */
struct layout_set {
	size_t n;
	struct layout *layouts;
};

void layout_set_clear(struct layout_set *set);

/*
 * Pure: parses the text of one layout file. PATH only names it in
 * messages. Returns 0, -EINVAL with "PATH:LINE: what is wrong" in err (no
 * logging: the caller logs it), or -ENOMEM.
 */
int layout_parse(const char *path, const char *text, size_t len, struct layout *out, char *err,
		 size_t errlen);

bool layout_matches(const struct layout *l, const struct snapshot *snap,
		    const struct snap_region *r);

/*
 * The name DECL gives its namespace in region R, stored as the namespace's
 * alt_name. -EINVAL when it is no valid name there: too long once
 * expanded, or %N on a region without a NUMA node.
 */
int layout_ns_name(const struct layout_ns *decl, const struct snap_region *r,
		   char out[SNAP_NAME_MAX]);
