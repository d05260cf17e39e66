// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The invariant of the stamp and its pending marker, the two files the boot
 * path unit looks at (|!stamp, |pending): after any run that completes, both
 * conditions are false unless a run is really owed. Each scenario is run
 * killed (SIGKILL) before every step it takes, one kill per try: each call
 * of the operations table and each change to the state directory
 * (kill-points.h); then a run to completion must leave the stamp there, no
 * pending mark in it and no marker beside it, every region enabled, every
 * dimm with a label area labelled, and each name on one namespace only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "core/stamp.h"
#include "fake.h"
#include "fixtures.h"
#include "kill-points.h"
#include "run-env.h"
#include "shared/macro.h"

#define UUID_GONE "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
#define TWO "[Namespace]\nName=a-%r\nMode=fsdax\nSize=2G\n\n" \
	    "[Namespace]\nName=b-%r\nMode=devdax\nSize=rest\n"

struct scenario {
	const char *title;
	void (*world)(struct snapshot *w);
	const char *stamp;   /* the stamp file's text before the run; NULL for none */
	bool marker;         /* the pending marker there before the run */
	const char *layout;  /* a layout file; NULL for none */
};

static void two_label_less(struct snapshot *w)
{
	fx_attach(fx_label_less(w, 0, 8 * GIB), fx_dimm(w, 0, true, false));
	fx_attach(fx_label_less(w, 1, 8 * GIB), fx_dimm(w, 1, true, false));
}

static void one_label_less(struct snapshot *w)
{
	fx_attach(fx_label_less(w, 0, 8 * GIB), fx_dimm(w, 0, true, false));
}

static void one_labelled(struct snapshot *w)
{
	fx_attach(fx_labelled(w, 0, 8 * GIB), fx_dimm(w, 0, true, true));
}

/* An NVDIMM bus with no region: an emulated machine ready for hot-plug. */
static void bus_only(struct snapshot *w UNUSED)
{
}

#define HEADER "nvdimm-label-init stamp 1\n"

static const struct scenario scenarios[] = {
	{ "first boot, two regions", two_label_less, NULL, false, NULL },
	{ "first boot with a layout", one_label_less, NULL, false, TWO },
	{ "lost labels put back", one_label_less, HEADER "dimm id-0 labelled 1\n", false, NULL },
	{ "a stale pending marker", one_labelled, HEADER "dimm id-0 labelled 1\n", true, NULL },
	{ "pending marks of dimms that are gone", one_labelled,
	  HEADER "dimm id-0 labelled 1\ndimm id-9 pending 2\ndimm id-8 pending-lost 3\n", true,
	  NULL },
	{ "an NVDIMM bus without regions", bus_only, NULL, false, NULL },
	{ "an NVDIMM bus without regions, a mark of a gone region", bus_only,
	  HEADER "namespace region9 " UUID_GONE " data 4\n", true, "[Namespace]\nName=data\n"
	  "Mode=fsdax\nSize=rest\n" },
	{ "a namespace mark of a region that is gone", one_labelled,
	  HEADER "dimm id-0 labelled 1\nnamespace region9 " UUID_GONE " data 4\n", true, TWO },
};

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void prepare(struct env *e, const struct scenario *s)
{
	char cmd[512];

	fake_clear(&e->fake);
	fake_init(&e->fake, fx_new());
	s->world(e->fake.world);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s/etc' && mkdir -p '%s' '%s%s'", e->state,
		 e->dir, e->state, e->dir, LAYOUT_ETC_DIR);
	assert_int_equal(system(cmd), 0);
	if (s->stamp)
		put_file(e->state, STAMP_FILE, s->stamp);
	if (s->marker)
		put_file(e->state, STAMP_PENDING_MARKER, "");
	if (s->layout) {
		snprintf(cmd, sizeof(cmd), "%s%s", e->dir, LAYOUT_ETC_DIR);
		put_file(cmd, "50-layout.conf", s->layout);
	}
}

static struct env *current;
static char world_file[160];

static void count_call(struct fake *f UNUSED)
{
	kp_step();
}

static void save_world(void)
{
	if (fake_save_world(&current->fake, world_file) < 0)
		abort();
}

/* A child run killed before step N: false when it completed before getting there. */
static bool killed_at(struct env *e, unsigned int n)
{
	int status;
	pid_t pid;

	snprintf(world_file, sizeof(world_file), "%s/world", e->dir);
	current = e;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		kp_arm(n, save_world);
		run_fake(e);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status))
		return false;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(fake_load_world(&e->fake, world_file), 0);
	return true;
}

static bool marker_there(const struct env *e)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/" STAMP_PENDING_MARKER, e->state);
	return lstat(path, &st) == 0;
}

static bool name_once(const struct snapshot *w, const char *name)
{
	unsigned int n = 0;

	for (size_t i = 0; i < w->n_regions; i++)
		for (size_t j = 0; j < w->regions[i].n_namespaces; j++)
			n += w->regions[i].namespaces[j].size &&
			     strcmp(w->regions[i].namespaces[j].alt_name, name) == 0;
	return n == 1;
}

/* What a run that completed must leave, when nothing is owed. */
static void settled(struct env *e, const char *title)
{
	const struct snapshot *w = e->fake.world;
	struct stamp stamp = { 0 };

	read_stamp(e, &stamp);
	for (size_t i = 0; i < stamp.n; i++)
		if (stamp_entry_pending(&stamp.entries[i]))
			fail_msg("%s: %s still pending", title, stamp.entries[i].id);
	if (stamp.n_ns)
		fail_msg("%s: a namespace mark left (%s)", title, stamp.ns[0].uuid);
	if (marker_there(e))
		fail_msg("%s: the pending marker is left without a pending mark", title);
	stamp_clear(&stamp);
	for (size_t i = 0; i < w->n_dimms; i++)
		if (w->dimms[i].label_support && !w->dimms[i].labelled)
			fail_msg("%s: %s left label-less", title, w->dimms[i].name);
	for (size_t i = 0; i < w->n_regions; i++) {
		const struct snap_region *r = &w->regions[i];

		if (!r->enabled)
			fail_msg("%s: %s left disabled", title, r->name);
		for (size_t j = 0; j < r->n_namespaces; j++)
			if (r->namespaces[j].size && r->namespaces[j].alt_name[0] &&
			    !name_once(w, r->namespaces[j].alt_name))
				fail_msg("%s: %s is not on one namespace", title,
					 r->namespaces[j].alt_name);
	}
}

static void run_to_completion(struct env *e, const char *title)
{
	kp_arm(0, NULL);
	e->fake.on_call = NULL;
	run_fake(e);
	settled(e, title);
}

/* The scenario comes in through setup(), which keeps a test's initial state as e->fault. */
static void converges(void **state)
{
	struct env *e = *state;
	const struct scenario *s = (const void *)e->fault;
	unsigned int n = 1;

	prepare(e, s);
	run_to_completion(e, s->title);
	for (;; n++) {
		prepare(e, s);
		e->fake.on_call = count_call;
		if (!killed_at(e, n))
			break;
		run_to_completion(e, s->title);
	}
	/* Every scenario changes the state directory at least once. */
	assert_true(n > 1);
	print_message("# killed before each of its %u steps in turn\n", n - 1);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(scenarios)];

	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++)
		tests[i] = (struct CMUnitTest){ .name = scenarios[i].title, .test_func = converges,
						.setup_func = setup, .teardown_func = teardown,
						.initial_state = (void *)&scenarios[i] };
	return _cmocka_run_group_tests("converge", tests, ARRAY_SIZE(tests), NULL, NULL);
}
