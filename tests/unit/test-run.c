// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The whole run against the fake backend: what it calls, what it logs, what
 * it leaves in the stamp, and that no failure leaves a region disabled.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "core/stamp.h"
#include "fake.h"
#include "fixtures.h"
#include "run-env.h"
#include "run/run.h"
#include "shared/log.h"
#include "shared/macro.h"

static void world_one_label_less(struct env *e)
{
	size_t d = fx_dimm(e->fake.world, 0, true, false);

	fx_attach(fx_label_less(e->fake.world, 0, 8 * GIB), d);
}

static void world_two_regions(struct env *e)
{
	size_t a = fx_dimm(e->fake.world, 0, true, false);
	size_t b = fx_dimm(e->fake.world, 1, true, false);

	fx_attach(fx_label_less(e->fake.world, 0, 8 * GIB), a);
	fx_attach(fx_label_less(e->fake.world, 1, 8 * GIB), b);
}

static void world_interleaved(struct env *e)
{
	size_t a = fx_dimm(e->fake.world, 0, true, false);
	size_t b = fx_dimm(e->fake.world, 1, true, false);
	struct snap_region *r = fx_label_less(e->fake.world, 0, 16 * GIB);

	fx_attach(r, a);
	fx_attach(r, b);
}

static void first_boot_initializes(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	world_two_regions(e);
	assert_int_equal(run_fake(e), 0);
	assert_true(fake_called(&e->fake, "disable region0"));
	assert_true(fake_called(&e->fake, "init nmem0"));
	assert_true(fake_called(&e->fake, "enable region0"));
	assert_true(fake_called(&e->fake, "init nmem1"));
	assert_true(fake_all_enabled(&e->fake));
	c = find_record(e, MSG_INITIALIZED, "nmem1");
	assert_non_null(c);
	assert_string_equal(c->region, "region1");
	assert_string_equal(c->id, "id-1");
	assert_non_null(find_record(e, MSG_LABEL_LESS, "nmem0"));
	assert_null(find_record(e, MSG_LABELS_LOST, NULL));
	assert_true(stamp_says(e, "id-0", STAMP_LABELLED));
	assert_true(stamp_says(e, "id-1", STAMP_LABELLED));
}

static void second_run_does_nothing(void **state)
{
	struct env *e = *state;
	char path[160];
	struct stat before, after;

	world_one_label_less(e);
	assert_int_equal(run_fake(e), 0);
	snprintf(path, sizeof(path), "%s/stamp", e->state);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
	assert_non_null(find_record(e, MSG_LABELLED, "nmem0"));
	assert_null(find_record(e, MSG_LABEL_LESS, NULL));
	/* Nothing to do must not even rewrite the stamp. */
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
}

/* The host wiped the backing file after a first run: same dimm, label-less again. */
static void lose_labels(struct env *e)
{
	world_one_label_less(e);
	assert_int_equal(run_fake(e), 0);
	fake_clear(&e->fake);
	fake_init(&e->fake, fx_new());
	world_one_label_less(e);
}

static void lost_labels_warned_and_redone(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	lose_labels(e);
	assert_int_equal(run_fake(e), 0);
	c = find_record(e, MSG_LABELS_LOST, "nmem0");
	assert_non_null(c);
	assert_true(c->priority <= LOG_WARNING);
	assert_string_equal(c->id, "id-0");
	assert_non_null(strstr(c->text, "hugepages"));
	assert_true(fake_called(&e->fake, "init nmem0"));
	assert_non_null(find_record(e, MSG_INITIALIZED, "nmem0"));
}

static void lost_labels_survive_an_interrupted_run(void **state)
{
	struct env *e = *state;

	lose_labels(e);
	e->fake.fail_call = "enable region0";
	assert_int_equal(run_fake(e), 1);
	assert_non_null(find_record(e, MSG_LABELS_LOST, "nmem0"));
	assert_true(stamp_says(e, "id-0", STAMP_PENDING_LOST));

	/*
	 * As a kill between the disable and the label write leaves it: region
	 * down, no labels. The run that puts it right must still know that these
	 * labels were lost, not never there.
	 */
	e->fake.fail_call = NULL;
	e->fake.world->dimms[0].labelled = false;
	assert_int_equal(run_fake(e), 0);
	assert_non_null(find_record(e, MSG_RECOVERED, "region0"));
	assert_non_null(find_record(e, MSG_LABELS_LOST, "nmem0"));
	assert_null(find_record(e, MSG_LABEL_LESS, "nmem0"));
	assert_true(stamp_says(e, "id-0", STAMP_LABELLED));
}

static void lost_labels_kept_when_init_fails(void **state)
{
	struct env *e = *state;

	lose_labels(e);
	e->fake.fail_call = "init nmem0";
	assert_int_equal(run_fake(e), 1);
	assert_true(fake_all_enabled(&e->fake));
	assert_true(stamp_says(e, "id-0", STAMP_LABELLED));

	e->fake.fail_call = NULL;
	assert_int_equal(run_fake(e), 0);
	assert_non_null(find_record(e, MSG_LABELS_LOST, "nmem0"));
	assert_non_null(find_record(e, MSG_INITIALIZED, "nmem0"));
}

#define MACHINE_A "0123456789abcdef0123456789abcdef"
#define MACHINE_B "fedcba9876543210fedcba9876543210"

static void assert_stamp_machine(struct env *e, const char *machine)
{
	struct stamp stamp;

	read_stamp(e, &stamp);
	assert_string_equal(stamp.machine, machine);
	stamp_clear(&stamp);
}

/*
 * An image built in a VM carries that VM's stamp; a VM made from it has the
 * same dimm ids and empty label areas: a first boot, not lost labels.
 */
static void image_stamp_set_aside(void **state)
{
	struct env *e = *state;

	snprintf(e->opts.machine_id, sizeof(e->opts.machine_id), MACHINE_A);
	lose_labels(e);
	snprintf(e->opts.machine_id, sizeof(e->opts.machine_id), MACHINE_B);
	assert_int_equal(run_fake(e), 0);
	assert_null(find_record(e, MSG_LABELS_LOST, NULL));
	assert_non_null(find_record(e, MSG_INITIALIZED, "nmem0"));
	assert_true(stamp_says(e, "id-0", STAMP_LABELLED));
	assert_stamp_machine(e, MACHINE_B);
}

/* Wiped backing files on the machine that wrote the stamp are still lost labels. */
static void own_stamp_kept(void **state)
{
	struct env *e = *state;

	snprintf(e->opts.machine_id, sizeof(e->opts.machine_id), MACHINE_A);
	lose_labels(e);
	assert_int_equal(run_fake(e), 0);
	assert_non_null(find_record(e, MSG_LABELS_LOST, "nmem0"));
	assert_stamp_machine(e, MACHINE_A);
}

/* A stamp from before the machine line is this machine's, and gets the line. */
static void stamp_without_machine_claimed(void **state)
{
	struct env *e = *state;

	lose_labels(e);
	assert_stamp_machine(e, "");
	snprintf(e->opts.machine_id, sizeof(e->opts.machine_id), MACHINE_B);
	assert_int_equal(run_fake(e), 0);
	assert_non_null(find_record(e, MSG_LABELS_LOST, "nmem0"));
	assert_stamp_machine(e, MACHINE_B);
}

static void disable_fails(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	world_one_label_less(e);
	e->fake.fail_call = "disable region0";
	assert_int_equal(run_fake(e), 1);
	assert_false(fake_called(&e->fake, "init nmem0"));
	assert_true(fake_all_enabled(&e->fake));
	c = find_record(e, MSG_FAILED, "region0");
	assert_non_null(c);
	assert_true(c->priority <= LOG_ERR);
	assert_false(stamp_says(e, "id-0", STAMP_LABELLED));
	assert_false(stamp_says(e, "id-0", STAMP_PENDING));
}

static void second_dimm_init_fails(void **state)
{
	struct env *e = *state;

	world_interleaved(e);
	e->fake.fail_call = "init nmem1";
	assert_int_equal(run_fake(e), 1);
	assert_true(fake_called(&e->fake, "enable region0"));
	assert_true(fake_all_enabled(&e->fake));
	assert_non_null(find_record(e, MSG_FAILED, "region0"));
	assert_null(find_record(e, MSG_INITIALIZED, NULL));
	assert_false(stamp_says(e, "id-1", STAMP_LABELLED));
	assert_false(stamp_says(e, "id-1", STAMP_PENDING));
}

static bool marker_exists(const struct env *e)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/" STAMP_PENDING_MARKER, e->state);
	return access(path, F_OK) == 0;
}

static void enable_fails_then_recovers(void **state)
{
	struct env *e = *state;

	world_one_label_less(e);
	e->fake.fail_call = "enable region0";
	assert_int_equal(run_fake(e), 1);
	assert_non_null(find_record(e, MSG_FAILED, "region0"));
	/* Left disabled: the stamp must say so, so the next run can put it right. */
	assert_false(fake_all_enabled(&e->fake));
	assert_true(stamp_says(e, "id-0", STAMP_PENDING));
	/* systemd finishes an interrupted run at boot on the marker alone. */
	assert_true(marker_exists(e));

	e->fake.fail_call = NULL;
	assert_int_equal(run_fake(e), 0);
	assert_true(fake_called(&e->fake, "enable region0"));
	assert_true(fake_all_enabled(&e->fake));
	assert_non_null(find_record(e, MSG_RECOVERED, "region0"));
	assert_true(stamp_says(e, "id-0", STAMP_LABELLED));
	assert_false(marker_exists(e));
}

static void verification_decides(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	world_one_label_less(e);
	e->fake.init_does_nothing = true;
	assert_int_equal(run_fake(e), 1);
	assert_true(fake_all_enabled(&e->fake));
	c = find_record(e, MSG_FAILED, "region0");
	assert_non_null(c);
	assert_string_equal(c->reason, "verify");
	assert_null(find_record(e, MSG_INITIALIZED, NULL));
	assert_false(stamp_says(e, "id-0", STAMP_LABELLED));
}

static void fail_every_step(void **state)
{
	struct env *e = *state;

	/* Two dimms in one interleave set: disable, init, init, enable. */
	for (unsigned int n = 1; n <= 4; n++) {
		char path[160];

		/* A fresh world each time, so no stamp from the previous one. */
		snprintf(path, sizeof(path), "%s/stamp", e->state);
		unlink(path);
		fake_clear(&e->fake);
		fake_init(&e->fake, fx_new());
		world_interleaved(e);
		e->fake.fail_nth = n;
		assert_int_equal(run_fake(e), 1);
		assert_non_null(find_record(e, MSG_FAILED, "region0"));
		assert_null(find_record(e, MSG_INITIALIZED, NULL));
		if (n < 4)
			assert_true(fake_all_enabled(&e->fake));
		else
			assert_true(stamp_says(e, "id-0", STAMP_PENDING));
	}
}

static void signature_refused(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	world_one_label_less(e);
	strcpy(e->fake.world->regions[0].namespaces[0].signature, "ext4");
	assert_int_equal(run_fake(e), 1);
	assert_int_equal(e->fake.n_calls, 0);
	c = find_record(e, MSG_REFUSED, "region0");
	assert_non_null(c);
	assert_string_equal(c->signature, "ext4");
	assert_string_equal(c->reason, "signature");
	assert_non_null(strstr(c->text, "--force"));

	e->opts.force = true;
	assert_int_equal(run_fake(e), 0);
	c = find_record(e, MSG_FORCED, "region0");
	assert_non_null(c);
	assert_string_equal(c->signature, "ext4");
	assert_non_null(strstr(c->text, "ext4"));
	assert_true(fake_called(&e->fake, "init nmem0"));
}

static void busy_refused_with_force(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	world_one_label_less(e);
	e->fake.world->regions[0].namespaces[0].busy = true;
	e->opts.force = true;
	assert_int_equal(run_fake(e), 1);
	assert_int_equal(e->fake.n_calls, 0);
	c = find_record(e, MSG_REFUSED, "region0");
	assert_non_null(c);
	assert_string_equal(c->reason, "busy");
	assert_non_null(strstr(c->text, "pmem0"));
}

static void dry_run_changes_nothing(void **state)
{
	struct env *e = *state;
	struct stat st;

	world_one_label_less(e);
	e->opts.mode = MODE_DRY_RUN;
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
	assert_non_null(find_record(e, MSG_DRY_RUN, "nmem0"));
	assert_int_equal(stat(e->state, &st), -1);
}

static void garbled_stamp_ignored(void **state)
{
	struct env *e = *state;
	char path[160];
	FILE *f;

	world_one_label_less(e);
	assert_int_equal(mkdir(e->state, 0755), 0);
	snprintf(path, sizeof(path), "%s/stamp", e->state);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("nvdimm-label-init stamp 1\ndimm id-0 labelled 12", f);
	fclose(f);
	assert_int_equal(run_fake(e), 0);
	assert_non_null(find_record(e, MSG_STAMP_INVALID, NULL));
	/* Treated as absent: a first initialization, not lost labels. */
	assert_null(find_record(e, MSG_LABELS_LOST, NULL));
	assert_true(stamp_says(e, "id-0", STAMP_LABELLED));
}

static void stamp_directory_blocks_before_acting(void **state)
{
	struct env *e = *state;
	char path[160];

	world_one_label_less(e);
	assert_int_equal(mkdir(e->state, 0755), 0);
	snprintf(path, sizeof(path), "%s/stamp", e->state);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(run_fake(e), 1);
	assert_int_equal(e->fake.n_calls, 0);
	assert_true(fake_all_enabled(&e->fake));
	assert_non_null(find_record(e, MSG_STAMP_INVALID, NULL));
}

static void unusable_state_dir(void **state)
{
	struct env *e = *state;
	char path[160];

	world_one_label_less(e);
	snprintf(path, sizeof(path), "%s/missing/state", e->dir);
	e->opts.state_dir = path;
	assert_int_equal(run_fake(e), 1);
	assert_int_equal(e->fake.n_calls, 0);
	assert_int_equal(e->fake.n_snapshots, 0);
}

static void lock_held_elsewhere(void **state)
{
	struct env *e = *state;
	char path[160];
	int fd;

	world_one_label_less(e);
	assert_int_equal(mkdir(e->state, 0755), 0);
	snprintf(path, sizeof(path), "%s/lock", e->state);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(run_fake(e), 1);
	assert_int_equal(e->fake.n_calls, 0);
	close(fd);
	assert_int_equal(run_fake(e), 0);
}

static void no_nvdimm(void **state)
{
	struct env *e = *state;

	assert_int_equal(run_fake(e), 0);
	assert_non_null(find_record(e, MSG_NO_NVDIMM, NULL));
}

static void unknown_region(void **state)
{
	struct env *e = *state;

	world_one_label_less(e);
	e->opts.regions[e->opts.n_regions++] = "region5";
	assert_int_equal(run_fake(e), EXIT_USAGE);
	assert_int_equal(e->fake.n_calls, 0);
}

/* The stamp's existence tells systemd at the next boot that this is no first boot. */
static void first_run_with_nothing_to_do_writes_the_stamp(void **state)
{
	struct env *e = *state;
	struct stamp stamp = { 0 };

	fx_attach(fx_label_less(e->fake.world, 0, 8 * GIB), fx_dimm(e->fake.world, 0, false, false));
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
	read_stamp(e, &stamp);
	assert_int_equal(stamp.n, 0);
	stamp_clear(&stamp);
}

static void unsupported_is_success(void **state)
{
	struct env *e = *state;

	fx_attach(fx_label_less(e->fake.world, 4, 8 * GIB), fx_dimm(e->fake.world, 2, false, false));
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
	assert_non_null(find_record(e, MSG_UNSUPPORTED, "nmem2"));
}

static void drivers_failing_is_not_fatal(void **state)
{
	struct env *e = *state;

	world_one_label_less(e);
	e->fake.drivers_fail = true;
	assert_int_equal(run_fake(e), 0);
	assert_true(fake_called(&e->fake, "init nmem0"));
}

static void snapshot_after_fails_keeps_pending(void **state)
{
	struct env *e = *state;

	world_one_label_less(e);
	e->fake.snapshot_fail_after = 1;
	assert_int_equal(run_fake(e), 1);
	assert_true(fake_all_enabled(&e->fake));
	assert_true(stamp_says(e, "id-0", STAMP_PENDING));
}

static volatile sig_atomic_t got_term, enabled_at_term;
static const struct fake *term_fake;

static void on_term(int sig UNUSED)
{
	got_term = 1;
	enabled_at_term = fake_all_enabled(term_fake);
}

static void stop_signal_waits_for_the_group(void **state)
{
	struct env *e = *state;
	struct sigaction sa = { .sa_handler = on_term }, old;

	world_one_label_less(e);
	e->fake.raise_in_init = SIGTERM;
	term_fake = &e->fake;
	got_term = 0;
	enabled_at_term = 0;
	assert_int_equal(sigaction(SIGTERM, &sa, &old), 0);
	assert_int_equal(run_fake(e), 0);
	/* Delivered only once the region was enabled again and the stamp written. */
	assert_int_equal(got_term, 1);
	assert_int_equal(enabled_at_term, 1);
	assert_true(fake_all_enabled(&e->fake));
	assert_true(stamp_says(e, "id-0", STAMP_LABELLED));
	assert_int_equal(sigaction(SIGTERM, &old, NULL), 0);
}

/* A label-less nmem7 in region7 arrives before the N-th read of the devices. */
static unsigned int hotplug_at;

static void hotplug(struct fake *f, unsigned int n)
{
	if (n == hotplug_at)
		fx_attach(fx_label_less(f->world, 7, 8 * GIB), fx_dimm(f->world, 7, true, false));
}

static void hotplug_before_read(struct env *e, unsigned int n)
{
	hotplug_at = n;
	e->fake.before_snapshot = hotplug;
}

/* A first boot on nmem0 with nmem7 hot-plugged before read N: both labelled, in two passes. */
static void second_pass_labels_hotplug(struct env *e, unsigned int n)
{
	world_one_label_less(e);
	hotplug_before_read(e, n);
	assert_int_equal(run_fake(e), 0);
	assert_true(fake_called(&e->fake, "init nmem0"));
	assert_true(fake_called(&e->fake, "init nmem7"));
	assert_true(fake_all_enabled(&e->fake));
	assert_true(stamp_says(e, "id-7", STAMP_LABELLED));
	assert_int_equal(count_records(e, MSG_SUMMARY), 2);
}

/*
 * The device event of a dimm that arrives while a run is under way is merged
 * into that run's start job: the run itself must label it.
 */
static void hotplug_during_run_gets_another_pass(void **state)
{
	second_pass_labels_hotplug(*state, 2);
}

/* Arriving after the verification read, while the stamp is settled: the last look finds it. */
static void hotplug_after_the_verification_gets_another_pass(void **state)
{
	second_pass_labels_hotplug(*state, 3);
}

/* Known dimms still label-less after a pass (a failed write) start no loop. */
static void failed_init_is_not_new_work(void **state)
{
	struct env *e = *state;

	world_one_label_less(e);
	e->fake.init_does_nothing = true;
	assert_int_equal(run_fake(e), 1);
	assert_int_equal(count_records(e, MSG_SUMMARY), 1);
}

/* A dimm that arrives when there was nothing to do is left to its own event. */
static void hotplug_after_a_no_op_pass_is_left_to_its_event(void **state)
{
	struct env *e = *state;

	fx_attach(fx_labelled(e->fake.world, 0, 8 * GIB), fx_dimm(e->fake.world, 0, true, true));
	hotplug_before_read(e, 2);
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
	assert_int_equal(count_records(e, MSG_SUMMARY), 1);
}

static void kept_index_is_success(void **state)
{
	struct env *e = *state;

	world_one_label_less(e);
	e->fake.index_valid = true;
	assert_int_equal(run_fake(e), 0);
	assert_non_null(find_record(e, MSG_INITIALIZED, "nmem0"));
	assert_true(stamp_says(e, "id-0", STAMP_LABELLED));
}

/* One failure, one record: each fault below must give exactly one warning or error. */
struct fault {
	const char *name;
	void (*inject)(struct env *e);
	int status;
};

static void plant_directory(struct env *e, const char *name)
{
	char path[160];

	mkdir(e->state, 0755);
	snprintf(path, sizeof(path), "%s/%s", e->state, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void fault_drivers(struct env *e)
{
	world_one_label_less(e);
	e->fake.drivers_fail = true;
}

static void fault_disable(struct env *e)
{
	world_one_label_less(e);
	e->fake.fail_call = "disable region0";
}

static void fault_init(struct env *e)
{
	world_interleaved(e);
	e->fake.fail_call = "init nmem1";
}

static void fault_enable(struct env *e)
{
	world_one_label_less(e);
	e->fake.fail_call = "enable region0";
}

static void fault_recover(struct env *e)
{
	/* The first run leaves the region disabled; the next one cannot enable it either. */
	fault_enable(e);
	assert_int_equal(run_fake(e), 1);
}

static void fault_verify(struct env *e)
{
	world_one_label_less(e);
	e->fake.init_does_nothing = true;
}

static void fault_first_read(struct env *e)
{
	world_one_label_less(e);
	e->fake.snapshots_fail = true;
}

static void fault_read_after(struct env *e)
{
	world_one_label_less(e);
	e->fake.snapshot_fail_after = 1;
}

/* stamp_write removes a leftover temp file, and cannot remove a directory. */
static void fault_pending_write(struct env *e)
{
	world_one_label_less(e);
	plant_directory(e, ".stamp.tmp");
}

static void fault_final_write(struct env *e)
{
	fx_attach(fx_labelled(e->fake.world, 0, 8 * GIB), fx_dimm(e->fake.world, 0, true, true));
	plant_directory(e, ".stamp.tmp");
}

static void fault_stamp(struct env *e)
{
	char path[160];
	FILE *f;

	world_one_label_less(e);
	mkdir(e->state, 0755);
	snprintf(path, sizeof(path), "%s/stamp", e->state);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("not a stamp\n", f);
	fclose(f);
}

static void fault_state_dir(struct env *e)
{
	world_one_label_less(e);
	snprintf(e->elsewhere, sizeof(e->elsewhere), "%s/missing/state", e->dir);
	e->opts.state_dir = e->elsewhere;
}

static void fault_lock(struct env *e)
{
	char path[160];

	world_one_label_less(e);
	mkdir(e->state, 0755);
	snprintf(path, sizeof(path), "%s/lock", e->state);
	e->held_fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(e->held_fd >= 0);
	assert_int_equal(flock(e->held_fd, LOCK_EX), 0);
}

static void fault_region(struct env *e)
{
	world_one_label_less(e);
	e->opts.regions[e->opts.n_regions++] = "region5";
}

static void logged_once(void **state)
{
	struct env *e = *state;
	unsigned int n = 0;

	e->fault->inject(e);
	assert_int_equal(run_fake(e), e->fault->status);
	for (unsigned int i = 0; i < e->n_records; i++)
		if (e->records[i].priority <= LOG_WARNING) {
			print_message("# %s\n", e->records[i].text);
			n++;
		}
	assert_int_equal(n, 1);
}

static const struct fault faults[] = {
	{ "drivers fail to load", fault_drivers, 0 },
	{ "disable fails", fault_disable, 1 },
	{ "a label write fails", fault_init, 1 },
	{ "enable fails", fault_enable, 1 },
	{ "enable fails in recovery", fault_recover, 1 },
	{ "verification fails", fault_verify, 1 },
	{ "the first read fails", fault_first_read, 1 },
	{ "the read after the changes fails", fault_read_after, 1 },
	{ "writing the pending marks fails", fault_pending_write, 1 },
	{ "writing the final stamp fails", fault_final_write, 1 },
	{ "the stamp is garbled", fault_stamp, 0 },
	{ "the state directory cannot be made", fault_state_dir, 1 },
	{ "the lock stays held", fault_lock, 1 },
	{ "--region names no region", fault_region, EXIT_USAGE },
};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(first_boot_initializes, setup, teardown),
		cmocka_unit_test_setup_teardown(second_run_does_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(lost_labels_warned_and_redone, setup, teardown),
		cmocka_unit_test_setup_teardown(lost_labels_survive_an_interrupted_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(lost_labels_kept_when_init_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(image_stamp_set_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(own_stamp_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(stamp_without_machine_claimed, setup, teardown),
		cmocka_unit_test_setup_teardown(disable_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(second_dimm_init_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(enable_fails_then_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(verification_decides, setup, teardown),
		cmocka_unit_test_setup_teardown(fail_every_step, setup, teardown),
		cmocka_unit_test_setup_teardown(signature_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_refused_with_force, setup, teardown),
		cmocka_unit_test_setup_teardown(dry_run_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(garbled_stamp_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(stamp_directory_blocks_before_acting, setup, teardown),
		cmocka_unit_test_setup_teardown(unusable_state_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(lock_held_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(no_nvdimm, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_region, setup, teardown),
		cmocka_unit_test_setup_teardown(unsupported_is_success, setup, teardown),
		cmocka_unit_test_setup_teardown(first_run_with_nothing_to_do_writes_the_stamp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(drivers_failing_is_not_fatal, setup, teardown),
		cmocka_unit_test_setup_teardown(snapshot_after_fails_keeps_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(stop_signal_waits_for_the_group, setup, teardown),
		cmocka_unit_test_setup_teardown(hotplug_during_run_gets_another_pass, setup,
						teardown),
		cmocka_unit_test_setup_teardown(hotplug_after_the_verification_gets_another_pass, setup,
						teardown),
		cmocka_unit_test_setup_teardown(failed_init_is_not_new_work, setup, teardown),
		cmocka_unit_test_setup_teardown(hotplug_after_a_no_op_pass_is_left_to_its_event,
						setup, teardown),
		cmocka_unit_test_setup_teardown(kept_index_is_success, setup, teardown),
	};

	struct CMUnitTest all[ARRAY_SIZE(tests) + ARRAY_SIZE(faults)];
	size_t n = ARRAY_SIZE(tests);
	char names[ARRAY_SIZE(faults)][96];

	memcpy(all, tests, sizeof(tests));
	for (size_t i = 0; i < ARRAY_SIZE(faults); i++) {
		snprintf(names[i], sizeof(names[i]), "logged once: %s", faults[i].name);
		all[n++] = (struct CMUnitTest){ .name = names[i], .test_func = logged_once,
						.setup_func = setup, .teardown_func = teardown,
						.initial_state = (void *)&faults[i] };
	}
	return _cmocka_run_group_tests("run", all, n, NULL, NULL);
}
