/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/snapshot.h"
#include "core/stamp.h"
#include "label/plan.h"
#include "layout/daxctl-conf.h"
#include "layout/layout.h"

/*
 * What the layout files ask of each region, decided from a snapshot and the
 * label plan made from that same snapshot. Never destroys: a namespace is
 * only ever created in free space, or (ConvertRaw=yes) a raw namespace
 * without labels and without contents becomes fsdax in place; anything
 * else that differs from the layout is reported as drift and kept.
 */

/* The kernel's default namespace alignment, for a region that does not show its own. */
#define LAYOUT_DEFAULT_ALIGN (16ULL << 20)

enum layout_verdict {
	LAYOUT_REGION_NONE,     /* no layout matches, or not a pmem region: labels only */
	LAYOUT_REGION_APPLY,    /* see the namespaces' actions */
	LAYOUT_REGION_REFUSED,  /* nothing is created or converted; the reason says why */
};

enum layout_action {
	LAYOUT_CREATE,   /* missing: create it, of size bytes, in free space */
	LAYOUT_PRESENT,  /* there as declared: left alone */
	LAYOUT_DRIFT,    /* there by name, but its mode or size differs: reported, kept */
	LAYOUT_RESUME,   /* ours, half-made by an interrupted run (a pending mark): finish it */
	LAYOUT_CONVERT,  /* the raw namespace of a region without labels becomes fsdax in place */
	LAYOUT_REFUSED,  /* would be created or converted, but the region is refused */
};

#define LAYOUT_DRIFT_MODE 1u
#define LAYOUT_DRIFT_SIZE 2u
/* Memory= on a devdax namespace not ours (made by hand, or before the layout): not onlined. */
#define LAYOUT_DRIFT_MEMORY 4u

/*
 * What runs of ours did before, as the stamp and our daxctl.conf.d file
 * remember it: the namespaces an interrupted run was creating (pending
 * marks), and the devdax namespaces made by us, whose memory is ours to
 * online.
 */
struct layout_history {
	const struct stamp *stamp;
	const struct daxctl_conf *conf;   /* NULL where daxctl is not installed */
};

struct layout_ns_plan {
	const struct layout_ns *decl;   /* points into the layout set */
	/* Its name in this region; the Name= as written where it expands to none. */
	char name[SNAP_NAME_MAX];
	enum layout_action action;
	unsigned int drift;             /* LAYOUT_DRIFT_* bits, with LAYOUT_DRIFT */
	/*
	 * PRESENT with Memory=: its memory is not online as system RAM (never
	 * onlined yet, or a boot without daxctl's reconfiguration).
	 */
	bool online;
	/* PRESENT or DRIFT, devdax: a namespace that a run of ours made. */
	bool ours;
	/*
	 * CREATE: the size to create. REFUSED: the size it would have had, 0
	 * where it cannot be told. PRESENT, DRIFT, RESUME, CONVERT: the size
	 * the layout expects, 0 for any (rest, conversion).
	 */
	unsigned long long size;
	size_t ns;                      /* the region's namespace, but for CREATE and REFUSED */
};

struct layout_region_plan {
	const struct layout *layout;    /* the first file that matches; NULL for none */
	enum layout_verdict verdict;
	enum reason reason;             /* with LAYOUT_REGION_REFUSED */
	/*
	 * REASON_NAME_TAKEN: the region that has, or is to get, a namespace
	 * of the name of ns[taken] (this region itself for two declarations
	 * of one name).
	 */
	size_t other;
	size_t taken;
	/*
	 * Planned as the label step of this run will leave the region: labelled,
	 * empty, its whole size free. Only for showing (--dry-run, --status).
	 */
	bool projected;
	unsigned long long need;        /* bytes the sized creates take */
	unsigned long long space;       /* the free extent they must fit in */
	size_t n_ns;                    /* == layout->n_ns */
	struct layout_ns_plan *ns;
};

struct layout_plan {
	size_t n_regions;               /* == snapshot->n_regions */
	struct layout_region_plan *regions;
};

/*
 * Pure: no I/O, no logging. LABEL_PLAN is plan_make()'s for SNAP. Returns
 * 0 or -ENOMEM.
 *
 * Regions that --region leaves out are planned all the same: the caller
 * acts on, and reports, only those the label plan marks selected.
 *
 * The apply step must call it again on the fresh snapshot it reads after
 * the label step (and after every namespace it changes), never act on a
 * projected plan: the projection is what the kernel is expected to show.
 */
int layout_plan_make(const struct snapshot *snap, const struct plan *label_plan,
		     const struct layout_set *set, const struct layout_history *history,
		     struct layout_plan *out);
void layout_plan_clear(struct layout_plan *plan);

/* The region's namespace a declared one is (NULL for CREATE and REFUSED: none yet). */
const struct snap_namespace *layout_ns_plan_namespace(const struct snap_region *r,
						      const struct layout_ns_plan *np);
/* Whether it changes the devices: a create, a resume or a conversion. */
bool layout_ns_plan_changes(const struct layout_ns_plan *np);
/* The size it has, or gets when created; 0 where the layout cannot tell. */
unsigned long long layout_ns_plan_size(const struct snap_region *r,
				       const struct layout_ns_plan *np);

const char *layout_verdict_name(enum layout_verdict v);
const char *layout_action_name(enum layout_action a);
