// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Table-driven tests of the layout plan: hand-built snapshots and layout
 * files in, per region the layout that applies and per declared namespace
 * the action out, through the label plan as a run makes it.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixtures.h"
#include "layout/plan.h"
#include "shared/macro.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
/* Namespace uuids, and the uuid of app's dax device. */
#define U_FS "00000000-0000-4000-8000-0000000000f5"
#define U_APP "00000000-0000-4000-8000-0000000000a9"
#define U_NEW "00000000-0000-4000-8000-00000000000e"
#define U_APP_DAX "00000000-0000-4000-8000-0000000000da"

/* Layout files used by several cases. */
#define FS_REST "[Namespace]\nName=fs\nMode=fsdax\nSize=rest\n"
#define APP_AND_FS                                                                      \
	"[Namespace]\nName=app\nMode=devdax\nSize=2G\nAlign=1G\nMemory=system-ram-movable\n" \
	"[Namespace]\nName=fs\nMode=fsdax\nSize=rest\n"
#define CONVERT "[Region]\nConvertRaw=yes\n" FS_REST

struct expect_ns {
	const char *name;        /* its name in the region; NULL ends the list */
	enum layout_action action;
	unsigned long long size;
	unsigned int drift;
	const char *ns;          /* the existing namespace it refers to */
	bool online;             /* its memory is to go online as system RAM */
	bool ours;               /* a devdax namespace a run of ours made */
};

struct expect_region {
	const char *name;
	int layout;              /* index of the file that applies, -1 for none */
	enum layout_verdict verdict;
	enum reason reason;
	bool projected;
	struct expect_ns ns[3];
};

/* A pending mark of the stamp: the namespace an interrupted run was creating. */
struct pending {
	const char *uuid;
	const char *name;
};

struct layout_case {
	const char *title;
	void (*setup)(struct snapshot *s);
	const char *files[3];
	const char *regions[2];  /* --region */
	bool force;
	struct pending pending[2];
	const char *dax[2];      /* namespace uuids the stamp records as devdax of ours */
	const char *conf[2];     /* dax uuids our daxctl.conf.d file has sections for */
	struct expect_region expect[3];
};

static struct snap_region *labelled(struct snapshot *s, unsigned int n, unsigned long long size)
{
	struct snap_region *r = fx_labelled(s, n, size);

	fx_attach(r, fx_dimm(s, n, true, true));
	return r;
}

/* A labelled region whose namespaces take USED bytes from the start. */
static struct snap_region *used(struct snapshot *s, unsigned long long size,
				unsigned long long used_bytes)
{
	struct snap_region *r = labelled(s, 0, size);

	r->available = r->max_extent = size - used_bytes;
	return r;
}

static void labelled_8g(struct snapshot *s)
{
	labelled(s, 0, 8 * GIB);
}

static void labelled_10g(struct snapshot *s)
{
	labelled(s, 0, 10 * GIB);
}

static void two_labelled(struct snapshot *s)
{
	labelled(s, 0, 8 * GIB);
	labelled(s, 1, 8 * GIB);
}

/* The size the kernel shows for an emulated NVDIMM: not a multiple of 16 MiB. */
static void label_less(struct snapshot *s)
{
	fx_attach(fx_label_less(s, 0, 8 * GIB + 5 * MIB), fx_dimm(s, 0, true, false));
}

static void two_label_less(struct snapshot *s)
{
	label_less(s);
	fx_attach(fx_label_less(s, 1, 8 * GIB), fx_dimm(s, 1, true, false));
}

static void label_less_signature(struct snapshot *s)
{
	label_less(s);
	strcpy(s->regions[0].namespaces[0].signature, "ext4");
}

static void fs_present(struct snapshot *s)
{
	fx_namespace(used(s, 8 * GIB, 8 * GIB), "fs", NS_MODE_FSDAX, 8 * GIB, U_FS);
}

static void fs_as_devdax(struct snapshot *s)
{
	fx_namespace(used(s, 8 * GIB, 8 * GIB), "fs", NS_MODE_DEVDAX, 8 * GIB, U_FS);
}

static void fs_small(struct snapshot *s)
{
	fx_namespace(used(s, 8 * GIB, 3 * GIB), "fs", NS_MODE_FSDAX, 3 * GIB, U_FS);
}

static void app_present(struct snapshot *s)
{
	fx_namespace(used(s, 8 * GIB, 2 * GIB), "app", NS_MODE_DEVDAX, 2 * GIB, U_APP);
}

/* An earlier version onlined it and wrote its section, without the stamp's record. */
static void app_with_dax_uuid(struct snapshot *s)
{
	struct snap_region *r;

	app_present(s);
	r = &s->regions[0];
	snprintf(r->namespaces[r->n_namespaces - 1].dax_uuid, SNAP_UUID_MAX, "%s", U_APP_DAX);
}

static void app_online(struct snapshot *s)
{
	struct snap_region *r;

	app_present(s);
	r = &s->regions[0];
	r->namespaces[r->n_namespaces - 1].system_ram = true;
}

static void app_larger(struct snapshot *s)
{
	fx_namespace(used(s, 8 * GIB, 4 * GIB), "app", NS_MODE_DEVDAX, 4 * GIB, U_APP);
}

static void fragmented(struct snapshot *s)
{
	struct snap_region *r = used(s, 8 * GIB, 2 * GIB);

	r->max_extent = 3 * GIB;
}

static void region_align_2m(struct snapshot *s)
{
	labelled(s, 0, 8 * GIB)->align = 2 * MIB;
}

static void numa_nodes(struct snapshot *s)
{
	labelled(s, 0, 8 * GIB)->numa_node = 0;
	labelled(s, 1, 8 * GIB)->numa_node = 1;
}

/* Region 0 on an NFIT bus, region 1 on a ramdax one. */
static void two_providers(struct snapshot *s)
{
	snprintf(labelled(s, 0, 8 * GIB)->provider, SNAP_NAME_MAX, "ACPI.NFIT");
	snprintf(labelled(s, 1, 8 * GIB)->provider, SNAP_NAME_MAX, "ramdax");
}

static void interleaved(struct snapshot *s)
{
	struct snap_region *r = labelled(s, 0, 8 * GIB);

	r->has_iset = true;
	r->iset_id = 0xfffffffffffffffeULL;
	labelled(s, 1, 8 * GIB);
}

static void not_pmem(struct snapshot *s)
{
	labelled(s, 0, 8 * GIB)->pmem = false;
}

/* Read-only, with fs there already: it stays, the rest is refused. */
static void read_only(struct snapshot *s)
{
	struct snap_region *r = used(s, 8 * GIB, 2 * GIB);

	r->read_only = true;
	fx_namespace(r, "fs", NS_MODE_FSDAX, 2 * GIB, U_FS);
}

static void disabled(struct snapshot *s)
{
	struct snap_region *r = labelled(s, 0, 8 * GIB);

	r->enabled = false;
	r->n_namespaces = 0;
}

static void no_label_area(struct snapshot *s)
{
	fx_attach(fx_label_less(s, 0, 8 * GIB), fx_dimm(s, 0, false, false));
}

static void no_label_area_signature(struct snapshot *s)
{
	no_label_area(s);
	strcpy(s->regions[0].namespaces[0].signature, "xfs");
}

static void no_label_area_busy(struct snapshot *s)
{
	no_label_area(s);
	s->regions[0].namespaces[0].busy = true;
}

static void no_label_area_converted(struct snapshot *s)
{
	no_label_area(s);
	s->regions[0].namespaces[0].mode = NS_MODE_FSDAX;
	s->regions[0].namespaces[0].blockdev[0] = '\0';
}

static void no_label_area_devdax(struct snapshot *s)
{
	no_label_area(s);
	s->regions[0].namespaces[0].mode = NS_MODE_DEVDAX;
}

static void no_label_area_short(struct snapshot *s)
{
	no_label_area(s);
	s->regions[0].namespaces[0].size -= 4096;
}

static void legacy_pmem(struct snapshot *s)
{
	fx_label_less(s, 0, 8 * GIB);
}

/* Killed after the size was written, before the name and the mode. */
static void half_made(struct snapshot *s)
{
	fx_namespace(used(s, 8 * GIB, 8 * GIB), "", NS_MODE_RAW, 8 * GIB, U_NEW);
}

static void half_made_small(struct snapshot *s)
{
	fx_namespace(used(s, 8 * GIB, 4 * GIB), "", NS_MODE_RAW, 4 * GIB, U_NEW);
}

/* Killed after the last step, before the pending mark was taken back. */
static void made(struct snapshot *s)
{
	fx_namespace(used(s, 8 * GIB, 8 * GIB), "fs", NS_MODE_FSDAX, 8 * GIB, U_NEW);
}

/* The seed (size 0) carries the name of a creation that never got its size. */
static void named_seed(struct snapshot *s)
{
	snprintf(labelled(s, 0, 8 * GIB)->namespaces[0].alt_name, SNAP_NAME_MAX, "fs");
}

static void fs_in_region0(struct snapshot *s)
{
	fx_namespace(used(s, 8 * GIB, 8 * GIB), "fs", NS_MODE_FSDAX, 8 * GIB, U_FS);
	labelled(s, 1, 8 * GIB);
}

/* Region 0 converted in place (no labels: no name), region 1 labelled; both on node 1. */
static void converted_and_labelled(struct snapshot *s)
{
	no_label_area_converted(s);
	s->regions[0].numa_node = 1;
	labelled(s, 1, 8 * GIB)->numa_node = 1;
}

static void node0(struct snapshot *s)
{
	labelled(s, 0, 8 * GIB)->numa_node = 0;
}

#define EIGHT_EIB "8388608T"
#define LONG_NAME "n23456789012345678901234567890123456789012345678901234567890"

static const struct layout_case cases[] = {
	{ "no layout files", labelled_8g, .expect = { { "region0", -1, LAYOUT_REGION_NONE } } },
	{ "empty labelled region: the rest is created", labelled_8g, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "label-less region the label step initializes: planned as labelled, aligned down",
	  label_less, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY, .projected = true,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "present as declared", fs_present, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_PRESENT, .ns = "namespace0.1" } } } } },
	{ "another mode is drift, kept", fs_as_devdax, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_DRIFT, .drift = LAYOUT_DRIFT_MODE,
				  .ns = "namespace0.1" } } } } },
	{ "rest is never a size drift", fs_small, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_PRESENT, .ns = "namespace0.1" } } } } },
	{ "another size is drift; the missing one gets the rest", app_larger, { APP_AND_FS },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "app", LAYOUT_DRIFT, 2 * GIB, LAYOUT_DRIFT_SIZE, "namespace0.1" },
				{ "fs", LAYOUT_CREATE, 4 * GIB } } } } },
	{ "only the missing one is created; Memory= onlines a devdax of ours", app_present,
	  { APP_AND_FS }, .dax = { U_APP },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "app", LAYOUT_PRESENT, 2 * GIB, .ns = "namespace0.1",
				  .online = true, .ours = true },
				{ "fs", LAYOUT_CREATE, 6 * GIB } } } } },
	{ "Memory= on a devdax namespace not ours: drift, never onlined", app_present,
	  { APP_AND_FS },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "app", LAYOUT_DRIFT, 2 * GIB, LAYOUT_DRIFT_MEMORY, "namespace0.1" },
				{ "fs", LAYOUT_CREATE, 6 * GIB } } } } },
	{ "Memory= on one an earlier run onlined and gave a section: ours", app_with_dax_uuid,
	  { APP_AND_FS }, .conf = { U_APP_DAX },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "app", LAYOUT_PRESENT, 2 * GIB, .ns = "namespace0.1",
				  .online = true, .ours = true },
				{ "fs", LAYOUT_CREATE, 6 * GIB } } } } },
	{ "Memory= whose memory is online: nothing to online", app_online, { APP_AND_FS },
	  .dax = { U_APP },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "app", LAYOUT_PRESENT, 2 * GIB, .ns = "namespace0.1",
				  .ours = true },
				{ "fs", LAYOUT_CREATE, 6 * GIB } } } } },
	{ "Memory= online as system RAM, not ours: left as it is", app_online, { APP_AND_FS },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "app", LAYOUT_PRESENT, 2 * GIB, .ns = "namespace0.1" },
				{ "fs", LAYOUT_CREATE, 6 * GIB } } } } },
	{ "no Memory=: a devdax namespace stays devdax", app_present,
	  { "[Namespace]\nName=app\nMode=devdax\nSize=2G\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "app", LAYOUT_PRESENT, 2 * GIB, .ns = "namespace0.1" } } } } },
	{ "too large together: refused as a whole", labelled_8g,
	  { "[Namespace]\nName=a\nMode=fsdax\nSize=6G\n[Namespace]\nName=b\nMode=raw\nSize=4G\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_NO_SPACE,
			.ns = { { "a", LAYOUT_REFUSED, 6 * GIB }, { "b", LAYOUT_REFUSED, 4 * GIB } } } } },
	{ "fits the free space but not its largest extent", fragmented,
	  { "[Namespace]\nName=a\nMode=fsdax\nSize=4G\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_NO_SPACE,
			.ns = { { "a", LAYOUT_REFUSED, 4 * GIB } } } } },
	{ "a refusal leaves what is present as it is", app_present,
	  { "[Namespace]\nName=app\nMode=devdax\nSize=2G\n[Namespace]\nName=b\nMode=fsdax\nSize=7G\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_NO_SPACE,
			.ns = { { "app", LAYOUT_PRESENT, 2 * GIB, .ns = "namespace0.1" },
				{ "b", LAYOUT_REFUSED, 7 * GIB } } } } },
	{ "nothing left for the rest", labelled_8g,
	  { "[Namespace]\nName=a\nMode=fsdax\nSize=8G\n" FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_NO_SPACE,
			.ns = { { "a", LAYOUT_REFUSED, 8 * GIB }, { "fs", LAYOUT_REFUSED } } } } },
	{ "percentages of the region, sizes aligned down to 16 MiB", labelled_10g,
	  { "[Namespace]\nName=a\nMode=fsdax\nSize=25%\n[Namespace]\nName=b\nMode=raw\nSize=1000M\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "a", LAYOUT_CREATE, 2560 * MIB }, { "b", LAYOUT_CREATE, 992 * MIB } } } } },
	{ "the region's own alignment", region_align_2m,
	  { "[Namespace]\nName=b\nMode=raw\nSize=1000M\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "b", LAYOUT_CREATE, 1000 * MIB } } } } },
	{ "Align= above the region's alignment", labelled_8g,
	  { "[Namespace]\nName=a\nMode=devdax\nSize=2500M\nAlign=1G\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "a", LAYOUT_CREATE, 2 * GIB } } } } },
	{ "a size below the alignment", labelled_8g,
	  { "[Namespace]\nName=a\nMode=fsdax\nSize=4K\n" FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_TOO_SMALL,
			.ns = { { "a", LAYOUT_REFUSED }, { "fs", LAYOUT_REFUSED } } } } },
	{ "the first matching file applies", two_labelled,
	  { "[Match]\nRegion=region1\n[Namespace]\nName=one\nMode=raw\nSize=1G\n", FS_REST },
	  .expect = { { "region0", 1, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } },
		      { "region1", 0, LAYOUT_REGION_APPLY,
			.ns = { { "one", LAYOUT_CREATE, GIB } } } } },
	{ "a file without namespaces keeps its regions free", two_labelled,
	  { "[Match]\nRegion=region0\n", FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY },
		      { "region1", 1, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "match by NUMA node", numa_nodes, { "[Match]\nNumaNode=1\n" FS_REST },
	  .expect = { { "region0", -1, LAYOUT_REGION_NONE },
		      { "region1", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "match by dimm id", two_labelled, { "[Match]\nDimmId=id-7 id-1\n" FS_REST },
	  .expect = { { "region0", -1, LAYOUT_REGION_NONE },
		      { "region1", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "match by interleave set id, as ndctl printed it signed", interleaved,
	  { "[Match]\nInterleaveSetId=-2\n" FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } },
		      { "region1", -1, LAYOUT_REGION_NONE } } },
	{ "match by bus provider", two_providers, { "[Match]\nProvider=ramdax\n" FS_REST },
	  .expect = { { "region0", -1, LAYOUT_REGION_NONE },
		      { "region1", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "keys combine with and, values with or", numa_nodes,
	  { "[Match]\nRegion=region0 region1\nNumaNode=1\n" FS_REST },
	  .expect = { { "region0", -1, LAYOUT_REGION_NONE },
		      { "region1", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "not a pmem region", not_pmem, { FS_REST },
	  .expect = { { "region0", -1, LAYOUT_REGION_NONE } } },
	{ "read-only region: what is there stays, nothing is created", read_only,
	  { "[Namespace]\nName=fs\nMode=fsdax\nSize=2G\n[Namespace]\nName=more\nMode=fsdax\n"
	    "Size=rest\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_READ_ONLY,
			.ns = { { "fs", LAYOUT_PRESENT, 2 * GIB, .ns = "namespace0.1" },
				{ "more", LAYOUT_REFUSED, 6 * GIB } } } } },
	{ "disabled region", disabled, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_DISABLED,
			.ns = { { "fs", LAYOUT_REFUSED } } } } },
	{ "label-less region the label step refuses", label_less_signature, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_UNLABELLED,
			.ns = { { "fs", LAYOUT_REFUSED } } } } },
	{ "label-less region left out by --region", two_label_less, { FS_REST },
	  .regions = { "region1" },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_UNLABELLED,
			.ns = { { "fs", LAYOUT_REFUSED } } },
		      { "region1", 0, LAYOUT_REGION_APPLY, .projected = true,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "no label area, no ConvertRaw", no_label_area, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_NO_LABELS,
			.ns = { { "fs", LAYOUT_REFUSED } } } } },
	{ "no label area, a free raw namespace: converted", no_label_area, { CONVERT },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CONVERT, .ns = "namespace0.0" } } } } },
	{ "no dimm (legacy or virtio pmem): not converted without Region=", legacy_pmem,
	  { CONVERT },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_NO_DIMM,
			.ns = { { "fs", LAYOUT_REFUSED } } } } },
	{ "no dimm, a [Match] naming the region: converted", legacy_pmem,
	  { "[Match]\nRegion=region0\n" CONVERT },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CONVERT, .ns = "namespace0.0" } } } } },
	{ "ConvertRaw over a signature: refused", no_label_area_signature, { CONVERT },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_SIGNATURE,
			.ns = { { "fs", LAYOUT_REFUSED, .ns = "namespace0.0" } } } } },
	{ "ConvertRaw over a signature with --force: still refused", no_label_area_signature,
	  { CONVERT }, .force = true,
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_SIGNATURE,
			.ns = { { "fs", LAYOUT_REFUSED, .ns = "namespace0.0" } } } } },
	{ "ConvertRaw over a namespace in use: refused", no_label_area_busy, { CONVERT },
	  .force = true,
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_BUSY,
			.ns = { { "fs", LAYOUT_REFUSED, .ns = "namespace0.0" } } } } },
	{ "ConvertRaw, converted already", no_label_area_converted, { CONVERT },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_PRESENT, .ns = "namespace0.0" } } } } },
	{ "ConvertRaw, devdax there: drift", no_label_area_devdax, { CONVERT },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_DRIFT, .drift = LAYOUT_DRIFT_MODE,
				  .ns = "namespace0.0" } } } } },
	{ "ConvertRaw, not one namespace over the region", no_label_area_short, { CONVERT },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_LAYOUT,
			.ns = { { "fs", LAYOUT_REFUSED } } } } },
	{ "ConvertRaw on a labelled region: created as usual", labelled_8g, { CONVERT },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "half made by an interrupted run: resumed, not duplicated", half_made, { FS_REST },
	  .pending = { { U_NEW, "fs" } },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_RESUME, .ns = "namespace0.1" } } } } },
	{ "made, only the pending mark left: present", made, { FS_REST },
	  .pending = { { U_NEW, "fs" } },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_PRESENT, .ns = "namespace0.1" } } } } },
	{ "a pending mark for another name is not this one", half_made_small, { FS_REST },
	  .pending = { { U_NEW, "other" } },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 4 * GIB } } } } },
	{ "sizes whose sum wraps around 64 bits: refused, not planned small", labelled_8g,
	  { "[Namespace]\nName=a\nMode=fsdax\nSize=1G\n[Namespace]\nName=b\nMode=fsdax\nSize="
	    EIGHT_EIB "\n[Namespace]\nName=c\nMode=fsdax\nSize=" EIGHT_EIB "\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_NO_SPACE,
			.ns = { { "a", LAYOUT_REFUSED, GIB }, { "b", LAYOUT_REFUSED, 1ULL << 63 },
				{ "c", LAYOUT_REFUSED, 1ULL << 63 } } } } },
	{ "one name for two regions: neither creates it", two_labelled, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_NAME_TAKEN,
			.ns = { { "fs", LAYOUT_REFUSED, 8 * GIB } } },
		      { "region1", 0, LAYOUT_REGION_REFUSED, REASON_NAME_TAKEN,
			.ns = { { "fs", LAYOUT_REFUSED, 8 * GIB } } } } },
	{ "one name for two regions, both label-less: neither, even projected", two_label_less,
	  { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_NAME_TAKEN, .projected = true,
			.ns = { { "fs", LAYOUT_REFUSED, 8 * GIB } } },
		      { "region1", 0, LAYOUT_REGION_REFUSED, REASON_NAME_TAKEN, .projected = true,
			.ns = { { "fs", LAYOUT_REFUSED, 8 * GIB } } } } },
	{ "a name another region has: not created again", fs_in_region0, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_PRESENT, .ns = "namespace0.1" } } },
		      { "region1", 0, LAYOUT_REGION_REFUSED, REASON_NAME_TAKEN,
			.ns = { { "fs", LAYOUT_REFUSED, 8 * GIB } } } } },
	{ "a namespace converted in place has no name to take", converted_and_labelled,
	  { "[Match]\nNumaNode=1\n" CONVERT },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_PRESENT, .ns = "namespace0.0" } } },
		      { "region1", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "a name per region with %r", two_labelled,
	  { "[Namespace]\nName=fs-%r\nMode=fsdax\nSize=rest\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs-region0", LAYOUT_CREATE, 8 * GIB } } },
		      { "region1", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs-region1", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "a name per NUMA node with %N", numa_nodes,
	  { "[Namespace]\nName=N%N-%r\nMode=fsdax\nSize=rest\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "N0-region0", LAYOUT_CREATE, 8 * GIB } } },
		      { "region1", 0, LAYOUT_REGION_APPLY,
			.ns = { { "N1-region1", LAYOUT_CREATE, 8 * GIB } } } } },
	{ "%N on a region without a NUMA node: refused", labelled_8g,
	  { "[Namespace]\nName=fs-%N\nMode=fsdax\nSize=rest\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_BAD_NAME,
			.ns = { { "fs-%N", LAYOUT_REFUSED } } } } },
	{ "a name too long once expanded: refused", labelled_8g,
	  { "[Namespace]\nName=" LONG_NAME "%r\nMode=fsdax\nSize=rest\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_BAD_NAME,
			.ns = { { LONG_NAME "%r", LAYOUT_REFUSED } } } } },
	{ "two declarations, one name once expanded: refused", node0,
	  { "[Namespace]\nName=a-%N\nMode=fsdax\nSize=1G\n[Namespace]\nName=a-0\nMode=fsdax\n"
	    "Size=1G\n" },
	  .expect = { { "region0", 0, LAYOUT_REGION_REFUSED, REASON_NAME_TAKEN,
			.ns = { { "a-0", LAYOUT_REFUSED, GIB }, { "a-0", LAYOUT_REFUSED, GIB } } } } },
	{ "a seed carrying the name is not the namespace", named_seed, { FS_REST },
	  .expect = { { "region0", 0, LAYOUT_REGION_APPLY,
			.ns = { { "fs", LAYOUT_CREATE, 8 * GIB } } } } },
};

static void load_set(const struct layout_case *c, struct layout_set *set)
{
	char err[512];

	set->layouts = calloc(ARRAY_SIZE(c->files), sizeof(*set->layouts));
	assert_non_null(set->layouts);
	for (set->n = 0; set->n < ARRAY_SIZE(c->files) && c->files[set->n]; set->n++) {
		const char *text = c->files[set->n];
		char path[16];

		snprintf(path, sizeof(path), "%zu.conf", set->n);
		if (layout_parse(path, text, strlen(text), &set->layouts[set->n], err,
				 sizeof(err)) < 0)
			fail_msg("%s", err);
	}
}

static void check_region(const struct snapshot *s, const struct layout_set *set,
			 const struct layout_plan *plan, const struct expect_region *e)
{
	const struct snap_region *r = snapshot_find_region(s, e->name);
	const struct layout_region_plan *lp;
	size_t n = 0;

	assert_non_null(r);
	lp = &plan->regions[r - s->regions];
	if (e->layout < 0)
		assert_null(lp->layout);
	else
		assert_ptr_equal(lp->layout, &set->layouts[e->layout]);
	assert_string_equal(layout_verdict_name(lp->verdict), layout_verdict_name(e->verdict));
	assert_string_equal(reason_name(lp->reason), reason_name(e->reason));
	assert_int_equal(lp->projected, e->projected);
	for (; n < ARRAY_SIZE(e->ns) && e->ns[n].name; n++) {
		const struct expect_ns *en = &e->ns[n];
		const struct layout_ns_plan *np = &lp->ns[n];

		assert_true(n < lp->n_ns);
		assert_string_equal(np->name, en->name);
		assert_string_equal(layout_action_name(np->action), layout_action_name(en->action));
		assert_true(np->size == en->size);
		assert_int_equal(np->drift, en->drift);
		assert_int_equal(np->online, en->online);
		assert_int_equal(np->ours, en->ours);
		if (en->ns)
			assert_string_equal(r->namespaces[np->ns].name, en->ns);
	}
	assert_int_equal(lp->n_ns, n);
}

/* The stamp and daxctl.conf.d file a case says earlier runs left. */
static void history_of(const struct layout_case *c, struct stamp *stamp, struct daxctl_conf *conf)
{
	for (size_t i = 0; i < ARRAY_SIZE(c->pending) && c->pending[i].uuid; i++)
		assert_int_equal(stamp_ns_add(stamp, "region0", c->pending[i].uuid,
					      c->pending[i].name, 1), 0);
	for (size_t i = 0; i < ARRAY_SIZE(c->dax) && c->dax[i]; i++)
		assert_int_equal(stamp_dax_add(stamp, c->dax[i], U_APP_DAX, "id-0", 1), 0);
	for (size_t i = 0; i < ARRAY_SIZE(c->conf) && c->conf[i]; i++)
		assert_int_equal(daxctl_conf_set(conf, c->conf[i], "app", true), 0);
}

static void run_case(void **state)
{
	const struct layout_case *c = *state;
	struct snapshot *s = fx_new();
	struct options opts = { .force = c->force };
	struct layout_set set = { 0 };
	struct stamp stamp = { 0 };
	struct daxctl_conf conf = { 0 };
	const struct layout_history history = { .stamp = &stamp, .conf = &conf };
	struct layout_plan lplan;
	struct plan plan;

	c->setup(s);
	load_set(c, &set);
	for (size_t i = 0; i < ARRAY_SIZE(c->regions) && c->regions[i]; i++)
		opts.regions[opts.n_regions++] = c->regions[i];
	history_of(c, &stamp, &conf);

	assert_int_equal(plan_make(s, &stamp, &opts, &plan), 0);
	assert_int_equal(layout_plan_make(s, &plan, &set, &history, &lplan), 0);
	assert_int_equal(lplan.n_regions, s->n_regions);
	for (size_t i = 0; i < ARRAY_SIZE(c->expect) && c->expect[i].name; i++)
		check_region(s, &set, &lplan, &c->expect[i]);
	layout_plan_clear(&lplan);
	plan_clear(&plan);
	layout_set_clear(&set);
	stamp_clear(&stamp);
	daxctl_conf_clear(&conf);
	snapshot_free(s);
}

/* A system without regions: an empty plan, no allocation failure. */
static void empty_system(void **state UNUSED)
{
	struct snapshot *s = fx_new();
	struct options opts = { 0 };
	struct layout_set set = { 0 };
	struct stamp stamp = { 0 };
	const struct layout_history history = { .stamp = &stamp };
	struct layout_plan lplan;
	struct plan plan;

	assert_int_equal(plan_make(s, &stamp, &opts, &plan), 0);
	assert_int_equal(layout_plan_make(s, &plan, &set, &history, &lplan), 0);
	assert_int_equal(lplan.n_regions, 0);
	layout_plan_clear(&lplan);
	plan_clear(&plan);
	snapshot_free(s);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 1];
	size_t n = ARRAY_SIZE(cases);

	for (size_t i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].title, .test_func = run_case,
						.initial_state = (void *)&cases[i] };
	tests[n] = (struct CMUnitTest)cmocka_unit_test(empty_system);
	return _cmocka_run_group_tests("layout-plan", tests, n + 1, NULL, NULL);
}
