// SPDX-License-Identifier: GPL-2.0-or-later
/* Table-driven tests of the decision: hand-built snapshots in, verdicts out. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/ndctl.h>

#include "fixtures.h"
#include "label/plan.h"
#include "shared/macro.h"

#define GIB (1ULL << 30)

struct expect_region {
	const char *name;
	enum verdict verdict;
	enum reason reason;
	bool grouped;
	bool forced;
	const char *other;
	const char *state;    /* what --status shows; not checked when NULL */
};

struct expect_dimm {
	const char *name;
	bool init;
	bool lost;
};

struct plan_case {
	const char *title;
	void (*setup)(struct snapshot *s);
	const char *stamp_labelled[4];
	const char *stamp_pending[4];
	const char *stamp_pending_lost[4];
	bool force;
	const char *regions[4];
	unsigned int n_groups;
	struct expect_region expect[4];
	struct expect_dimm dimms[4];
};

static void one_label_less(struct snapshot *s)
{
	size_t d = fx_dimm(s, 0, true, false);

	fx_attach(fx_label_less(s, 0, 8 * GIB), d);
}

/* A dimm whose label area is RAM: label-less after every cold boot. */
static void one_volatile_label_less(struct snapshot *s)
{
	one_label_less(s);
	snprintf(s->dimms[0].provider, SNAP_NAME_MAX, "ramdax");
}

static void high_numbers(struct snapshot *s)
{
	size_t d = fx_dimm(s, 3, true, false);

	fx_attach(fx_label_less(s, 7, 8 * GIB), d);
}

static void one_labelled(struct snapshot *s)
{
	size_t d = fx_dimm(s, 0, true, true);

	fx_attach(fx_labelled(s, 0, 8 * GIB), d);
}

static void no_label_area(struct snapshot *s)
{
	size_t d = fx_dimm(s, 0, false, false);

	fx_attach(fx_label_less(s, 0, 8 * GIB), d);
}

static void busy(struct snapshot *s)
{
	one_label_less(s);
	s->regions[0].namespaces[0].busy = true;
}

static void configured(struct snapshot *s)
{
	one_label_less(s);
	s->regions[0].namespaces[0].mode = NS_MODE_FSDAX;
	s->regions[0].namespaces[0].blockdev[0] = '\0';
}

static void system_ram(struct snapshot *s)
{
	one_label_less(s);
	s->regions[0].namespaces[0].mode = NS_MODE_DEVDAX;
	s->regions[0].namespaces[0].system_ram = true;
}

static void signature(struct snapshot *s)
{
	one_label_less(s);
	strcpy(s->regions[0].namespaces[0].signature, "ext4");
}

static void unreadable(struct snapshot *s)
{
	one_label_less(s);
	s->regions[0].namespaces[0].probe_error = EIO;
}

static void disabled_namespace(struct snapshot *s)
{
	one_label_less(s);
	s->regions[0].namespaces[0].enabled = false;
	s->regions[0].namespaces[0].blockdev[0] = '\0';
}

static void interleaved(struct snapshot *s)
{
	size_t a = fx_dimm(s, 0, true, false), b = fx_dimm(s, 1, true, false);
	struct snap_region *r = fx_label_less(s, 0, 16 * GIB);

	fx_attach(r, a);
	fx_attach(r, b);
}

static void shared_dimm(struct snapshot *s)
{
	size_t a = fx_dimm(s, 0, true, false);

	fx_attach(fx_label_less(s, 0, 4 * GIB), a);
	fx_attach(fx_label_less(s, 1, 4 * GIB), a);
}

static void shared_dimm_busy(struct snapshot *s)
{
	shared_dimm(s);
	s->regions[1].namespaces[0].busy = true;
}

static void shared_dimm_labelled(struct snapshot *s)
{
	size_t a = fx_dimm(s, 0, true, false);

	fx_attach(fx_label_less(s, 0, 4 * GIB), a);
	fx_attach(fx_labelled(s, 1, 4 * GIB), a);
}

static void two_independent(struct snapshot *s)
{
	size_t a = fx_dimm(s, 0, true, false), b = fx_dimm(s, 1, true, false);

	fx_attach(fx_label_less(s, 0, 8 * GIB), a);
	fx_attach(fx_label_less(s, 1, 8 * GIB), b);
}

static void mixed(struct snapshot *s)
{
	size_t a = fx_dimm(s, 0, true, true), b = fx_dimm(s, 1, true, false);
	size_t c = fx_dimm(s, 2, false, false);

	fx_attach(fx_labelled(s, 0, 8 * GIB), a);
	fx_attach(fx_label_less(s, 1, 8 * GIB), b);
	fx_attach(fx_label_less(s, 2, 8 * GIB), c);
}

static void not_pmem(struct snapshot *s)
{
	one_label_less(s);
	s->regions[0].pmem = false;
}

static void disabled_region(struct snapshot *s)
{
	one_label_less(s);
	s->regions[0].enabled = false;
	s->regions[0].n_namespaces = 0;
}

static void two_namespaces(struct snapshot *s)
{
	struct snap_namespace extra = { .name = "namespace0.1", .mode = NS_MODE_RAW };

	one_label_less(s);
	snapshot_region_add_namespace(&s->regions[0], &extra);
}

static void short_namespace(struct snapshot *s)
{
	one_label_less(s);
	s->regions[0].namespaces[0].size -= 4096;
}

static void legacy_pmem(struct snapshot *s)
{
	fx_label_less(s, 0, 8 * GIB);
}

static void empty(struct snapshot *s UNUSED)
{
}

static const struct plan_case cases[] = {
	{ "empty system", empty, .n_groups = 0 },
	{ "single label-less dimm", one_label_less, .n_groups = 1,
	  .expect = { { "region0", VERDICT_INIT, REASON_NONE, true, .state = "label-less" } },
	  .dimms = { { "nmem0", true, false } } },
	{ "numbering not from 0", high_numbers, .n_groups = 1,
	  .expect = { { "region7", VERDICT_INIT, REASON_NONE, true } },
	  .dimms = { { "nmem3", true, false } } },
	{ "labelled", one_labelled,
	  .expect = { { "region0", VERDICT_LABELLED, .state = "labelled" } },
	  .dimms = { { "nmem0", false } } },
	{ "no label area", no_label_area,
	  .expect = { { "region0", VERDICT_UNSUPPORTED, .state = "no-label-area" } },
	  .dimms = { { "nmem0", false } } },
	{ "legacy pmem without dimm", legacy_pmem,
	  .expect = { { "region0", VERDICT_UNSUPPORTED, REASON_NO_DIMM, .state = "no-dimm" } } },
	{ "busy", busy, .expect = { { "region0", VERDICT_REFUSED, REASON_BUSY, .state = "label-less" } },
	  .dimms = { { "nmem0", false } } },
	{ "busy with --force", busy, .force = true,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_BUSY } },
	  .dimms = { { "nmem0", false } } },
	{ "configured fsdax", configured,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_CONFIGURED } } },
	{ "configured fsdax with --force", configured, .force = true,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_CONFIGURED } } },
	{ "devdax as system-ram with --force", system_ram, .force = true,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_SYSTEM_RAM } } },
	{ "signature", signature,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_SIGNATURE } },
	  .dimms = { { "nmem0", false } } },
	{ "signature with --force", signature, .force = true, .n_groups = 1,
	  .expect = { { "region0", VERDICT_INIT, REASON_NONE, true, true } },
	  .dimms = { { "nmem0", true } } },
	{ "unreadable", unreadable,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_UNREADABLE } } },
	{ "unreadable with --force", unreadable, .force = true, .n_groups = 1,
	  .expect = { { "region0", VERDICT_INIT, REASON_NONE, true, true } } },
	{ "disabled namespace", disabled_namespace,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_UNREADABLE } } },
	{ "lost labels", one_label_less, .stamp_labelled = { "id-0" }, .n_groups = 1,
	  .expect = { { "region0", VERDICT_INIT, REASON_NONE, true } },
	  .dimms = { { "nmem0", true, true } } },
	{ "volatile labels are never lost", one_volatile_label_less, .stamp_labelled = { "id-0" },
	  .n_groups = 1, .expect = { { "region0", VERDICT_INIT, REASON_NONE, true } },
	  .dimms = { { "nmem0", true, false } } },
	{ "interrupted run is not lost labels", one_label_less, .stamp_pending = { "id-0" },
	  .n_groups = 1, .expect = { { "region0", VERDICT_INIT, REASON_NONE, true } },
	  .dimms = { { "nmem0", true, false } } },
	{ "interrupted run after lost labels is still lost labels", one_label_less,
	  .stamp_pending_lost = { "id-0" }, .n_groups = 1,
	  .expect = { { "region0", VERDICT_INIT, REASON_NONE, true } },
	  .dimms = { { "nmem0", true, true } } },
	{ "interleave set over two dimms", interleaved, .n_groups = 1,
	  .expect = { { "region0", VERDICT_INIT, REASON_NONE, true } },
	  .dimms = { { "nmem0", true }, { "nmem1", true } } },
	{ "dimm in two label-less regions", shared_dimm, .n_groups = 1,
	  .expect = { { "region0", VERDICT_INIT, REASON_NONE, true },
		      { "region1", VERDICT_INIT, REASON_NONE, true } },
	  .dimms = { { "nmem0", true } } },
	{ "dimm shared with a busy region", shared_dimm_busy,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_SHARED_DIMM, .other = "region1" },
		      { "region1", VERDICT_REFUSED, REASON_BUSY } },
	  .dimms = { { "nmem0", false } } },
	{ "dimm shared with a labelled region", shared_dimm_labelled,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_SHARED_DIMM, .other = "region1" },
		      { "region1", VERDICT_LABELLED } } },
	{ "--region leaves out a region sharing the dimm", shared_dimm, .regions = { "region0" },
	  .expect = { { "region0", VERDICT_REFUSED, REASON_UNSELECTED_SIBLING, .other = "region1" } },
	  .dimms = { { "nmem0", false } } },
	{ "--region both regions sharing the dimm", shared_dimm,
	  .regions = { "region1", "region0" }, .n_groups = 1,
	  .expect = { { "region0", VERDICT_INIT, REASON_NONE, true },
		      { "region1", VERDICT_INIT, REASON_NONE, true } } },
	{ "two independent regions", two_independent, .n_groups = 2,
	  .expect = { { "region0", VERDICT_INIT, REASON_NONE, true },
		      { "region1", VERDICT_INIT, REASON_NONE, true } },
	  .dimms = { { "nmem0", true }, { "nmem1", true } } },
	{ "--region limits to one of two", two_independent, .regions = { "region1" },
	  .n_groups = 1,
	  .expect = { { "region0", VERDICT_INIT, REASON_NONE, false },
		      { "region1", VERDICT_INIT, REASON_NONE, true } },
	  .dimms = { { "nmem0", false }, { "nmem1", true } } },
	{ "labelled, label-less and unsupported together", mixed, .n_groups = 1,
	  .expect = { { "region0", VERDICT_LABELLED }, { "region1", VERDICT_INIT, .grouped = true },
		      { "region2", VERDICT_UNSUPPORTED } },
	  .dimms = { { "nmem0", false }, { "nmem1", true }, { "nmem2", false } } },
	{ "not a pmem region", not_pmem,
	  .expect = { { "region0", VERDICT_NOT_OURS, .state = "not-pmem" } } },
	{ "disabled by someone else", disabled_region,
	  .expect = { { "region0", VERDICT_DISABLED, .state = "disabled" } } },
	{ "left disabled by an interrupted run", disabled_region, .stamp_pending = { "id-0" },
	  .expect = { { "region0", VERDICT_RECOVER, .state = "disabled" } } },
	{ "left disabled while putting lost labels back", disabled_region,
	  .stamp_pending_lost = { "id-0" }, .expect = { { "region0", VERDICT_RECOVER } } },
	{ "two namespaces without labels", two_namespaces,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_LAYOUT, .state = "label-less" } } },
	{ "namespace smaller than the region", short_namespace,
	  .expect = { { "region0", VERDICT_REFUSED, REASON_LAYOUT } } },
};

static size_t region_index(const struct snapshot *s, const char *name)
{
	const struct snap_region *r = snapshot_find_region(s, name);

	assert_non_null(r);
	return (size_t)(r - s->regions);
}

static void run_case(void **state)
{
	const struct plan_case *c = *state;
	struct snapshot *s = fx_new();
	struct stamp stamp = { 0 };
	struct options opts = { .force = c->force };
	struct plan plan;

	c->setup(s);
	for (size_t i = 0; i < 4 && c->stamp_labelled[i]; i++)
		assert_int_equal(stamp_set(&stamp, c->stamp_labelled[i], STAMP_LABELLED, 100), 0);
	for (size_t i = 0; i < 4 && c->stamp_pending[i]; i++)
		assert_int_equal(stamp_set(&stamp, c->stamp_pending[i], STAMP_PENDING, 100), 0);
	for (size_t i = 0; i < 4 && c->stamp_pending_lost[i]; i++)
		assert_int_equal(stamp_set(&stamp, c->stamp_pending_lost[i], STAMP_PENDING_LOST,
					   100), 0);
	for (size_t i = 0; i < 4 && c->regions[i]; i++)
		opts.regions[opts.n_regions++] = c->regions[i];

	assert_int_equal(plan_make(s, &stamp, &opts, &plan), 0);
	assert_int_equal(plan.n_regions, s->n_regions);
	assert_int_equal(plan.n_groups, c->n_groups);
	for (size_t i = 0; i < 4 && c->expect[i].name; i++) {
		const struct expect_region *e = &c->expect[i];
		const struct region_plan *p = &plan.regions[region_index(s, e->name)];

		assert_string_equal(verdict_name(p->verdict), verdict_name(e->verdict));
		assert_string_equal(reason_name(p->reason), reason_name(e->reason));
		assert_int_equal(p->group != 0, e->grouped);
		assert_int_equal(p->forced, e->forced);
		if (e->other)
			assert_string_equal(s->regions[p->other].name, e->other);
		if (e->state)
			assert_string_equal(region_state_name(p->state), e->state);
	}
	for (size_t i = 0; i < 4 && c->dimms[i].name; i++) {
		const struct snap_dimm *d = snapshot_find_dimm(s, c->dimms[i].name);
		const struct dimm_plan *dp;

		assert_non_null(d);
		dp = &plan.dimms[d - s->dimms];
		assert_int_equal(dp->init, c->dimms[i].init);
		assert_int_equal(dp->lost, c->dimms[i].lost);
		assert_int_equal(dp->group != 0, c->dimms[i].init);
	}
	plan_clear(&plan);
	stamp_clear(&stamp);
	snapshot_free(s);
}

/* Regions sharing a dimm must be initialized in the same group, or the write is refused. */
static void shared_dimm_same_group(void **state UNUSED)
{
	struct snapshot *s = fx_new();
	struct stamp stamp = { 0 };
	struct options opts = { 0 };
	struct plan plan;

	shared_dimm(s);
	assert_int_equal(plan_make(s, &stamp, &opts, &plan), 0);
	assert_int_equal(plan.regions[0].group, plan.regions[1].group);
	assert_int_equal(plan.dimms[0].group, plan.regions[0].group);
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
	tests[n] = (struct CMUnitTest)cmocka_unit_test(shared_dimm_same_group);
	return _cmocka_run_group_tests("plan", tests, n + 1, NULL, NULL);
}
