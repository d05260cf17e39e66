// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The layout step of the whole run against the fake backend: namespaces
 * created in a region the same run labels, left alone when present,
 * reported when they drift, refused whole, and converging after a failure
 * or a kill at any step without a second namespace of the same name.
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
#include "run-env.h"
#include "shared/macro.h"

#define FSDAX_REST "[Namespace]\nName=data\nMode=fsdax\nSize=rest\nAlign=2M\n"
/* Two namespaces: the calls of one create are seed, uuid, name, size, attach, enable. */
#define TWO "[Namespace]\nName=a\nMode=fsdax\nSize=2G\n\n[Namespace]\nName=b\nMode=devdax\nSize=rest\n"
#define CALLS_OF_TWO 12

static void put_layout(struct env *e, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "mkdir -p '%s%s'", e->dir, LAYOUT_ETC_DIR);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s%s/%s", e->dir, LAYOUT_ETC_DIR, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void world_label_less(struct env *e)
{
	fx_attach(fx_label_less(e->fake.world, 0, 8 * GIB), fx_dimm(e->fake.world, 0, true, false));
}

static void world_labelled(struct env *e)
{
	fx_attach(fx_labelled(e->fake.world, 0, 8 * GIB), fx_dimm(e->fake.world, 0, true, true));
}

static void world_no_label_area(struct env *e)
{
	fx_attach(fx_label_less(e->fake.world, 0, 8 * GIB), fx_dimm(e->fake.world, 0, false, false));
}

static struct snap_region *region0(struct env *e)
{
	return &e->fake.world->regions[0];
}

static unsigned int count_named_in(const struct snap_region *r, const char *name)
{
	unsigned int n = 0;

	for (size_t i = 0; i < r->n_namespaces; i++)
		n += r->namespaces[i].size && strcmp(r->namespaces[i].alt_name, name) == 0;
	return n;
}

/* The namespaces (not seeds) named NAME in region0: never more than one. */
static unsigned int count_named(struct env *e, const char *name)
{
	return count_named_in(region0(e), name);
}

static const struct snap_namespace *named(struct env *e, const char *name)
{
	const struct snap_region *r = region0(e);

	for (size_t i = 0; i < r->n_namespaces; i++)
		if (r->namespaces[i].size && strcmp(r->namespaces[i].alt_name, name) == 0)
			return &r->namespaces[i];
	return NULL;
}

static size_t stamp_marks(struct env *e)
{
	struct stamp stamp = { 0 };
	size_t n;

	read_stamp(e, &stamp);
	n = stamp.n_ns;
	stamp_clear(&stamp);
	return n;
}

static void created_in_the_run_that_labels(void **state)
{
	struct env *e = *state;
	const struct snap_namespace *ns;
	const struct captured *c;

	world_label_less(e);
	put_layout(e, "50-data.conf", FSDAX_REST);
	assert_int_equal(run_fake(e), 0);
	assert_non_null(find_record(e, MSG_INITIALIZED, "nmem0"));
	c = find_record(e, MSG_NS_CREATED, "region0");
	assert_non_null(c);
	assert_string_equal(c->name, "data");
	ns = named(e, "data");
	assert_non_null(ns);
	assert_string_equal(c->ns, ns->name);
	assert_int_equal(ns->mode, NS_MODE_FSDAX);
	assert_true(ns->enabled);
	assert_int_equal(ns->size, 8 * GIB);
	assert_int_equal(strlen(ns->uuid), SNAP_UUID_MAX - 1);
	assert_true(fake_called(&e->fake, "attach region0"));
	assert_int_equal(stamp_marks(e), 0);
	assert_non_null(strstr(find_record(e, MSG_SUMMARY, NULL)->text, "1 created"));
}

/* What the layout says reaches the backend: mode, size, alignment, sector size. */
static void declared_properties_passed_on(void **state)
{
	struct env *e = *state;

	world_labelled(e);
	put_layout(e, "50-sector.conf", "[Namespace]\nName=log\nMode=sector\nSize=1G\n"
					"SectorSize=4096\n\n[Namespace]\nName=app\nMode=devdax\n"
					"Size=50%\nAlign=1G\n");
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.last_spec.mode, NS_MODE_DEVDAX);
	assert_int_equal(e->fake.last_spec.size, 4 * GIB);
	assert_int_equal(e->fake.last_spec.align, GIB);
	assert_int_equal(named(e, "log")->mode, NS_MODE_SECTOR);
	assert_int_equal(named(e, "log")->size, GIB);
	put_layout(e, "50-sector.conf", "[Namespace]\nName=log2\nMode=sector\nSize=1G\n"
					"SectorSize=4096\n");
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.last_spec.sector_size, 4096);
	assert_int_equal(e->fake.last_spec.mode, NS_MODE_SECTOR);
}

static void present_on_the_next_run(void **state)
{
	struct env *e = *state;

	world_label_less(e);
	put_layout(e, "50-data.conf", FSDAX_REST);
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
	assert_null(find_record(e, MSG_NS_CREATED, NULL));
	assert_null(find_record(e, MSG_NS_DRIFT, NULL));
	assert_int_equal(count_named(e, "data"), 1);
}

static void drift_reported_and_kept(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	world_label_less(e);
	put_layout(e, "50-data.conf", FSDAX_REST);
	assert_int_equal(run_fake(e), 0);
	put_layout(e, "50-data.conf", "[Namespace]\nName=data\nMode=devdax\nSize=2G\n");
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
	c = find_record(e, MSG_NS_DRIFT, "region0");
	assert_non_null(c);
	assert_string_equal(c->name, "data");
	assert_true(c->priority == LOG_WARNING);
	assert_int_equal(count_records(e, MSG_NS_DRIFT), 1);
	assert_int_equal(named(e, "data")->mode, NS_MODE_FSDAX);
	assert_int_equal(named(e, "data")->size, 8 * GIB);
}

static void too_big_refused_whole(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	world_label_less(e);
	put_layout(e, "50-big.conf", "[Namespace]\nName=a\nMode=fsdax\nSize=6G\n\n"
				     "[Namespace]\nName=b\nMode=devdax\nSize=4G\n");
	assert_int_equal(run_fake(e), 1);
	assert_non_null(find_record(e, MSG_INITIALIZED, "nmem0"));
	assert_int_equal(count_records(e, MSG_LAYOUT_REFUSED), 2);
	c = find_record(e, MSG_LAYOUT_REFUSED, "region0");
	assert_string_equal(c->reason, "no-space");
	assert_false(fake_called(&e->fake, "seed region0"));
	assert_int_equal(count_named(e, "a") + count_named(e, "b"), 0);
	assert_int_equal(stamp_marks(e), 0);
}

static void nothing_without_a_layout(void **state)
{
	struct env *e = *state;

	world_label_less(e);
	assert_int_equal(run_fake(e), 0);
	assert_false(fake_called(&e->fake, "seed region0"));
	assert_null(strstr(find_record(e, MSG_SUMMARY, NULL)->text, "namespaces"));
	assert_int_equal(region0(e)->available, 8 * GIB);
}

static void bad_layout_file_labels_only(void **state)
{
	struct env *e = *state;
	unsigned int errors = 0;

	world_label_less(e);
	put_layout(e, "50-data.conf", FSDAX_REST);
	put_layout(e, "60-bad.conf", "[Namespace]\nName=x\nMode=floppy\nSize=rest\n");
	assert_int_equal(run_fake(e), 1);
	assert_non_null(find_record(e, MSG_INITIALIZED, "nmem0"));
	assert_non_null(strstr(find_record(e, MSG_LAYOUT_INVALID, NULL)->text, "60-bad.conf:3"));
	assert_false(fake_called(&e->fake, "seed region0"));
	for (unsigned int i = 0; i < e->n_records; i++)
		errors += e->records[i].priority <= LOG_WARNING;
	assert_int_equal(errors, 1);
}

static void dry_run_shows_the_plan(void **state)
{
	struct env *e = *state;
	const struct captured *c = NULL;

	world_label_less(e);
	put_layout(e, "50-data.conf", FSDAX_REST);
	e->opts.mode = MODE_DRY_RUN;
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
	for (unsigned int i = 0; i < e->n_records && !c; i++)
		if (e->records[i].msg == MSG_DRY_RUN && strcmp(e->records[i].name, "data") == 0)
			c = &e->records[i];
	assert_non_null(c);
	assert_non_null(strstr(c->text, "would create data (fsdax, 8589934592 bytes)"));
	put_layout(e, "50-data.conf", "[Namespace]\nName=data\nMode=fsdax\nSize=9G\n");
	assert_int_equal(run_fake(e), 1);
	assert_non_null(find_record(e, MSG_LAYOUT_REFUSED, "region0"));
}

/* Runs --status (JSON with json) with stdout in a file, and returns what it printed. */
static char *status_of(struct env *e, bool json)
{
	char path[128], *text = calloc(1, 65536);
	int saved = dup(STDOUT_FILENO), fd;
	ssize_t n;

	assert_non_null(text);
	snprintf(path, sizeof(path), "%s/status.json", e->dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	e->opts.mode = MODE_STATUS;
	e->opts.json = json;
	assert_int_equal(run_fake(e), 0);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = pread(fd, text, 65535, 0);
	assert_true(n > 0);
	close(fd);
	return text;
}

static void status_shows_the_plan(void **state)
{
	struct env *e = *state;
	char *text;

	world_label_less(e);
	put_layout(e, "50-data.conf", FSDAX_REST);
	text = status_of(e, false);
	assert_non_null(strstr(text, "50-data.conf: apply, once its labels are initialized\n"
				     "    data: fsdax, size 8589934592, create\n"));
	free(text);
	text = status_of(e, true);
	assert_non_null(strstr(text, "\"verdict\":\"apply\""));
	assert_non_null(strstr(text, "\"projected\":true"));
	assert_non_null(strstr(text, "\"action\":\"create\""));
	free(text);
	e->opts.mode = MODE_APPLY;
	e->opts.json = false;
	assert_int_equal(run_fake(e), 0);
	text = status_of(e, true);
	assert_non_null(strstr(text, "\"action\":\"present\""));
	assert_non_null(strstr(text, "\"name\":\"data\""));
	free(text);
}

/* A ramdax carve-out as a cold boot leaves it: labelled (the driver says so), empty. */
static void world_ramdax(struct env *e)
{
	size_t d = fx_dimm(e->fake.world, 0, true, true);
	struct snap_region *r = fx_labelled(e->fake.world, 0, 512ULL << 20);

	snprintf(e->fake.world->dimms[d].provider, SNAP_NAME_MAX, "ramdax");
	snprintf(e->fake.world->dimms[d].id, SNAP_ID_MAX, "ramdax-0x40000000");
	snprintf(r->provider, SNAP_NAME_MAX, "ramdax");
	fx_attach(r, d);
}

static unsigned int count_warnings(const struct env *e)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < e->n_records; i++)
		n += e->records[i].priority <= LOG_WARNING;
	return n;
}

/*
 * Every cold boot takes a ramdax region's labels and namespaces: the layout
 * makes them again, with nothing to warn about and nothing in the stamp.
 */
static void ramdax_made_again_at_every_cold_boot(void **state)
{
	struct env *e = *state;
	struct stamp stamp = { 0 };
	char *text;

	put_layout(e, "50-data.conf", "[Match]\nProvider=ramdax\n\n" FSDAX_REST);
	for (int boot = 1; boot <= 2; boot++) {
		fake_clear(&e->fake);
		fake_init(&e->fake, fx_new());
		world_ramdax(e);
		assert_int_equal(run_fake(e), 0);
		assert_non_null(find_record(e, MSG_NS_CREATED, "region0"));
		assert_int_equal(count_named(e, "data"), 1);
		assert_int_equal(count_warnings(e), 0);
		read_stamp(e, &stamp);
		assert_int_equal(stamp.n, 0);
		stamp_clear(&stamp);
	}
	text = status_of(e, false);
	assert_non_null(strstr(text, "region0: labelled, provider ramdax, "));
	assert_non_null(strstr(text, "nmem0: id ramdax-0x40000000, provider ramdax, label area, "
				     "labelled, labels volatile"));
	free(text);
	text = status_of(e, true);
	assert_non_null(strstr(text, "\"labels_volatile\":true"));
	free(text);
}

/* Back to a labelled region with free space and no state, for the next attempt. */
static void reset(struct env *e)
{
	char cmd[160];

	fake_clear(&e->fake);
	fake_init(&e->fake, fx_new());
	world_labelled(e);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->state);
	assert_int_equal(system(cmd), 0);
}

/* The second run finishes the layout: each name once, as declared, no mark left. */
static void converges(struct env *e)
{
	e->fake.fail_nth = 0;
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(count_named(e, "a"), 1);
	assert_int_equal(count_named(e, "b"), 1);
	assert_int_equal(named(e, "a")->mode, NS_MODE_FSDAX);
	assert_int_equal(named(e, "a")->size, 2 * GIB);
	assert_int_equal(named(e, "b")->mode, NS_MODE_DEVDAX);
	assert_int_equal(named(e, "b")->size, 6 * GIB);
	assert_true(named(e, "a")->enabled && named(e, "b")->enabled);
	assert_int_equal(stamp_marks(e), 0);
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
}

static void failure_at_every_step_converges(void **state)
{
	struct env *e = *state;

	for (unsigned int n = 1; n <= CALLS_OF_TWO; n++) {
		unsigned int loud = 0;

		print_message("# failing call %u\n", n);
		reset(e);
		put_layout(e, "50-two.conf", TWO);
		e->fake.fail_nth = n;
		assert_int_equal(run_fake(e), 1);
		for (unsigned int i = 0; i < e->n_records; i++)
			loud += e->records[i].priority <= LOG_WARNING;
		assert_int_equal(loud, 1);
		assert_int_equal(count_records(e, MSG_FAILED), 1);
		/* Only a namespace complete before the failing call is reported created. */
		assert_int_equal(count_records(e, MSG_NS_CREATED), n > 6 ? 1 : 0);
		converges(e);
	}
}

/* Where a killed child leaves region0 of its fake world; the kill takes the rest along. */
static char world_file[160];

/* A namespace holds no pointers: the array is the whole of it. */
static void save_world(struct fake *f)
{
	const struct snap_region *r = &f->world->regions[0];
	FILE *out = fopen(world_file, "w");

	if (!out)
		abort();
	fwrite(&r->available, sizeof(r->available), 1, out);
	fwrite(&r->n_namespaces, sizeof(r->n_namespaces), 1, out);
	fwrite(r->namespaces, sizeof(*r->namespaces), r->n_namespaces, out);
	fclose(out);
}

static void load_world(struct env *e)
{
	struct snap_region *r = region0(e);
	FILE *in = fopen(world_file, "r");
	size_t n = 0;

	assert_non_null(in);
	assert_int_equal(fread(&r->available, sizeof(r->available), 1, in), 1);
	assert_int_equal(fread(&n, sizeof(n), 1, in), 1);
	r->namespaces = reallocarray(r->namespaces, n, sizeof(*r->namespaces));
	assert_non_null(r->namespaces);
	assert_int_equal(fread(r->namespaces, sizeof(*r->namespaces), n, in), n);
	r->n_namespaces = n;
	r->max_extent = r->available;
	fclose(in);
}

/* SIGKILL at call N, in a child: the stamp on disk and region0 as it left them. */
static void killed_at(struct env *e, unsigned int n)
{
	int status;
	pid_t pid;

	snprintf(world_file, sizeof(world_file), "%s/world", e->dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		e->fake.raise_nth = n;
		e->fake.raise_sig = SIGKILL;
		e->fake.before_raise = save_world;
		run_fake(e);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	load_world(e);
}

static void kill_at_every_step_converges(void **state)
{
	struct env *e = *state;

	for (unsigned int n = 1; n <= CALLS_OF_TWO; n++) {
		print_message("# killed at call %u\n", n);
		reset(e);
		put_layout(e, "50-two.conf", TWO);
		killed_at(e, n);
		assert_true(stamp_marks(e) >= 1);
		converges(e);
	}
}

/*
 * Killed with a half-made, then the layout changed so that the rest no
 * longer fits: the half-made one is finished all the same, the rest refused.
 */
static void half_made_finished_in_a_refused_region(void **state)
{
	struct env *e = *state;

	world_labelled(e);
	put_layout(e, "50-two.conf", TWO);
	killed_at(e, 5);
	put_layout(e, "50-two.conf", "[Namespace]\nName=a\nMode=fsdax\nSize=2G\n\n"
				     "[Namespace]\nName=b\nMode=devdax\nSize=7G\n");
	assert_int_equal(run_fake(e), 1);
	assert_string_equal(find_record(e, MSG_LAYOUT_REFUSED, "region0")->name, "b");
	assert_string_equal(find_record(e, MSG_NS_CREATED, "region0")->name, "a");
	assert_int_equal(count_named(e, "a"), 1);
	assert_int_equal(named(e, "a")->mode, NS_MODE_FSDAX);
	assert_int_equal(count_named(e, "b"), 0);
	assert_int_equal(stamp_marks(e), 0);
}

static void put_mark(struct env *e, const char *region, const char *uuid, const char *name)
{
	struct stamp stamp = { 0 };
	int dirfd;

	mkdir(e->state, 0755);
	dirfd = open(e->state, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);
	assert_int_equal(stamp_set(&stamp, "id-0", STAMP_LABELLED, 1), 0);
	assert_int_equal(stamp_ns_add(&stamp, region, uuid, name, 1), 0);
	assert_int_equal(stamp_write(dirfd, &stamp), 0);
	close(dirfd);
	stamp_clear(&stamp);
}

/* A mark with no half-made namespace behind it goes; one in a disabled region stays. */
static void marks_settled(void **state)
{
	struct env *e = *state;

	world_labelled(e);
	put_layout(e, "50-data.conf", FSDAX_REST);
	put_mark(e, "region9", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "data");
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(count_named(e, "data"), 1);
	assert_int_equal(stamp_marks(e), 0);

	reset(e);
	region0(e)->enabled = false;
	put_mark(e, "region0", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "data");
	assert_int_equal(run_fake(e), 1);
	assert_string_equal(find_record(e, MSG_LAYOUT_REFUSED, "region0")->reason, "disabled");
	assert_int_equal(stamp_marks(e), 1);
}

static void convert_on_a_region_without_labels(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	world_no_label_area(e);
	put_layout(e, "50-convert.conf", "[Region]\nConvertRaw=yes\n\n" FSDAX_REST);
	assert_int_equal(run_fake(e), 0);
	c = find_record(e, MSG_NS_CONVERTED, "region0");
	assert_non_null(c);
	assert_string_equal(c->ns, "namespace0.0");
	assert_int_equal(region0(e)->namespaces[0].mode, NS_MODE_FSDAX);
	assert_int_equal(region0(e)->n_namespaces, 1);
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
}

static void convert_refused(struct env *e, const char *reason)
{
	put_layout(e, "50-convert.conf", "[Region]\nConvertRaw=yes\n\n" FSDAX_REST);
	e->opts.force = true;
	assert_int_equal(run_fake(e), 1);
	assert_string_equal(find_record(e, MSG_LAYOUT_REFUSED, "region0")->reason, reason);
	assert_false(fake_called(&e->fake, "claim region0"));
	assert_int_equal(region0(e)->namespaces[0].mode, NS_MODE_RAW);
}

static void convert_refused_on_signature_even_forced(void **state)
{
	struct env *e = *state;

	world_no_label_area(e);
	snprintf(region0(e)->namespaces[0].signature, SNAP_NAME_MAX, "ext4");
	convert_refused(e, "signature");
}

static void convert_refused_when_busy_even_forced(void **state)
{
	struct env *e = *state;

	world_no_label_area(e);
	region0(e)->namespaces[0].busy = true;
	convert_refused(e, "busy");
}

/* In use between the plan and the act: the claim fails, and the namespace stays raw. */
static void convert_claim_fails(void **state)
{
	struct env *e = *state;

	world_no_label_area(e);
	put_layout(e, "50-convert.conf", "[Region]\nConvertRaw=yes\n\n" FSDAX_REST);
	e->fake.fail_call = "claim region0";
	e->fake.fail_errno = EBUSY;
	assert_int_equal(run_fake(e), 1);
	assert_int_equal(count_records(e, MSG_FAILED), 1);
	assert_null(find_record(e, MSG_NS_CONVERTED, NULL));
	assert_int_equal(region0(e)->namespaces[0].mode, NS_MODE_RAW);
}

/* Written between the read of the devices and the conversion: seen, and refused. */
static void convert_rechecked_right_before(void **state)
{
	struct env *e = *state;

	world_no_label_area(e);
	e->fake.probe_signature = "xfs";
	put_layout(e, "50-convert.conf", "[Region]\nConvertRaw=yes\n\n" FSDAX_REST);
	assert_int_equal(run_fake(e), 1);
	assert_string_equal(find_record(e, MSG_LAYOUT_REFUSED, "region0")->reason, "signature");
	assert_string_equal(find_record(e, MSG_LAYOUT_REFUSED, "region0")->signature, "xfs");
	assert_false(fake_called(&e->fake, "claim region0"));
	assert_int_equal(region0(e)->namespaces[0].mode, NS_MODE_RAW);
}

/*
 * What the next boot makes of "a", killed after its size was written and
 * before its pfn device: the kernel enables it raw, by its name, with a new
 * seed beside it.
 */
static struct snap_namespace *rebooted_raw(struct env *e)
{
	struct snap_namespace *a;

	fx_namespace(region0(e), "", NS_MODE_RAW, 0, "");
	region0(e)->namespaces[region0(e)->n_namespaces - 1].enabled = false;
	a = (struct snap_namespace *)named(e, "a");
	assert_non_null(a);
	a->enabled = true;
	snprintf(a->blockdev, sizeof(a->blockdev), "pmem0");
	return a;
}

/*
 * The user (an fstab line with x-systemd.makefs, say) puts a filesystem on
 * the raw "a" an interrupted run left, or mounts it. The next run must not
 * write an fsdax info block over that: "a" is left as it is, its mark goes,
 * and later runs report it as drift and make the rest of the layout.
 */
static void half_made_then_used(struct env *e, bool busy)
{
	struct snap_namespace *a;
	const struct captured *c;

	world_labelled(e);
	put_layout(e, "50-two.conf", TWO);
	killed_at(e, 5);
	a = rebooted_raw(e);
	if (busy)
		a->busy = true;
	else
		snprintf(a->signature, sizeof(a->signature), "ext4");
	assert_int_equal(run_fake(e), 1);
	c = find_record(e, MSG_LAYOUT_REFUSED, "region0");
	assert_non_null(c);
	assert_string_equal(c->name, "a");
	assert_string_equal(c->reason, busy ? "busy" : "signature");
	assert_false(fake_called(&e->fake, "attach region0"));
	assert_int_equal(named(e, "a")->mode, NS_MODE_RAW);
	assert_int_equal(stamp_marks(e), 0);
	assert_int_equal(run_fake(e), 0);
	assert_string_equal(find_record(e, MSG_NS_DRIFT, "region0")->name, "a");
	assert_string_equal(find_record(e, MSG_NS_CREATED, "region0")->name, "b");
	assert_int_equal(named(e, "a")->mode, NS_MODE_RAW);
	assert_int_equal(count_named(e, "a"), 1);
}

static void half_made_then_formatted_is_left(void **state)
{
	half_made_then_used(*state, false);
}

static void half_made_then_mounted_is_left(void **state)
{
	half_made_then_used(*state, true);
}

/* One whose contents cannot be read keeps its mark: the next run looks again. */
static void half_made_unreadable_kept(void **state)
{
	struct env *e = *state;
	struct snap_namespace *a;

	world_labelled(e);
	put_layout(e, "50-two.conf", TWO);
	killed_at(e, 5);
	a = rebooted_raw(e);
	a->probe_error = EIO;
	assert_int_equal(run_fake(e), 1);
	assert_string_equal(find_record(e, MSG_FAILED, "region0")->name, "a");
	assert_false(fake_called(&e->fake, "attach region0"));
	assert_int_equal(stamp_marks(e), 1);
	a = (struct snap_namespace *)named(e, "a");
	a->probe_error = 0;
	converges(e);
}

/* --region leaves the other regions' layouts alone. */
static void unselected_region_untouched(void **state)
{
	struct env *e = *state;

	world_label_less(e);
	fx_attach(fx_labelled(e->fake.world, 1, 8 * GIB), fx_dimm(e->fake.world, 1, true, true));
	put_layout(e, "50-data.conf", FSDAX_REST);
	e->opts.regions[e->opts.n_regions++] = "region1";
	assert_int_equal(run_fake(e), 0);
	assert_true(fake_called(&e->fake, "seed region1"));
	assert_false(fake_called(&e->fake, "seed region0"));
	assert_false(fake_called(&e->fake, "init nmem0"));
}

static unsigned int hotplug_at;

static void hotplug(struct fake *f, unsigned int n)
{
	if (n == hotplug_at)
		fx_attach(fx_label_less(f->world, 7, 8 * GIB), fx_dimm(f->world, 7, true, false));
}

/* A run on a label-less region0 with LAYOUT, nmem7 arriving before read N. */
static int run_with_hotplug(struct env *e, unsigned int n, const char *layout)
{
	print_message("# hot-plugged before read %u\n", n);
	reset(e);
	fake_clear(&e->fake);
	fake_init(&e->fake, fx_new());
	world_label_less(e);
	put_layout(e, "50-data.conf", layout);
	hotplug_at = n;
	e->fake.before_snapshot = hotplug;
	return run_fake(e);
}

#define PER_REGION "[Namespace]\nName=data-%r\nMode=fsdax\nSize=rest\nAlign=2M\n"

/*
 * nmem7 arrives before read N of the first pass (2: the label step's check,
 * 3: the layout step's, 4: the last look): it is labelled in the next pass
 * and gets its namespace there, never planned on its projection.
 */
static void hotplug_gets_its_layout(void **state)
{
	struct env *e = *state;

	for (unsigned int n = 2; n <= 4; n++) {
		assert_int_equal(run_with_hotplug(e, n, PER_REGION), 0);
		assert_int_equal(count_records(e, MSG_SUMMARY), 2);
		assert_int_equal(count_named(e, "data-region0"), 1);
		assert_int_equal(count_named_in(snapshot_find_region(e->fake.world, "region7"),
						"data-region7"), 1);
		assert_int_equal(count_records(e, MSG_NS_CREATED), 2);
		assert_null(find_record(e, MSG_FAILED, NULL));
	}
}

/*
 * The same with one name for every region: whenever nmem7 arrives, never
 * two namespaces of that name (one where region0 made it before nmem7 came,
 * none where both regions planned it at once), and the refusal says why.
 */
static void hotplug_never_duplicates_a_name(void **state)
{
	struct env *e = *state;

	for (unsigned int n = 2; n <= 4; n++) {
		const struct captured *c;

		assert_int_equal(run_with_hotplug(e, n, FSDAX_REST), 1);
		assert_true(count_named(e, "data") +
				    count_named_in(snapshot_find_region(e->fake.world, "region7"),
						   "data") <= 1);
		c = find_record(e, MSG_LAYOUT_REFUSED, NULL);
		assert_non_null(c);
		assert_string_equal(c->reason, "name-taken");
		assert_non_null(strstr(c->text, "unique"));
		assert_null(find_record(e, MSG_FAILED, NULL));
	}
}

#define MEMORY "[Namespace]\nName=heap\nMode=devdax\nSize=2G\nMemory=system-ram-movable\n"

/* The first record of any kind whose text has PART. */
static const struct captured *find_text(const struct env *e, const char *part)
{
	for (unsigned int i = 0; i < e->n_records; i++)
		if (strstr(e->records[i].text, part))
			return &e->records[i];
	return NULL;
}

static void daxctl_dir(struct env *e)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s%s'", e->dir, DAXCTL_CONF_DIR);
	assert_int_equal(system(cmd), 0);
}

/* FILE of the daxctl configuration directory, whole; NULL when it is not there. */
static char *daxctl_file(struct env *e, const char *file)
{
	char path[512], *text = calloc(1, 4096);
	FILE *f;

	assert_non_null(text);
	snprintf(path, sizeof(path), "%s%s/%s", e->dir, DAXCTL_CONF_DIR, file);
	f = fopen(path, "r");
	if (!f) {
		free(text);
		return NULL;
	}
	assert_true(fread(text, 1, 4095, f) > 0);
	fclose(f);
	return text;
}

/* A label-less region, daxctl installed, a layout with a Memory= namespace "heap". */
static void heap_on_a_fresh_region(struct env *e)
{
	world_label_less(e);
	daxctl_dir(e);
	put_layout(e, "50-heap.conf", MEMORY);
}

static void memory_onlined_and_left_to_daxctl(void **state)
{
	struct env *e = *state;
	const struct snap_namespace *ns;
	const struct captured *c;
	char section[128], *conf, *again;

	heap_on_a_fresh_region(e);
	assert_int_equal(run_fake(e), 0);
	assert_true(fake_called(&e->fake, "online-movable region0"));
	c = find_record(e, MSG_NS_MEMORY, "region0");
	assert_non_null(c);
	assert_string_equal(c->name, "heap");
	assert_non_null(strstr(c->text, "8 memory blocks onlined"));
	ns = named(e, "heap");
	assert_non_null(ns);
	assert_true(ns->system_ram);
	conf = daxctl_file(e, "nvdimm-label-init.conf");
	assert_non_null(conf);
	snprintf(section, sizeof(section), "nvdimm.uuid = %s\nmode = system-ram\nonline = true\n"
		 "movable = true\n", ns->dax_uuid);
	assert_non_null(strstr(conf, section));
	assert_non_null(find_text(e, "daxctl onlines its memory, movable, at every boot"));

	/* The next boot's memory comes from daxctl: a run finds nothing to do. */
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
	assert_null(find_record(e, MSG_NS_MEMORY, NULL));
	again = daxctl_file(e, "nvdimm-label-init.conf");
	assert_string_equal(again, conf);
	free(again);
	free(conf);
}

static void memory_normal_zone(void **state)
{
	struct env *e = *state;
	char *conf, *again;

	world_label_less(e);
	daxctl_dir(e);
	put_layout(e, "50-heap.conf",
		   "[Namespace]\nName=heap\nMode=devdax\nSize=2G\nMemory=system-ram-normal\n");
	assert_int_equal(run_fake(e), 0);
	assert_true(fake_called(&e->fake, "online-normal region0"));
	conf = daxctl_file(e, "nvdimm-label-init.conf");
	assert_non_null(conf);
	assert_non_null(strstr(conf, "movable = false\n"));

	/* Read back as written: the next run neither rewrites the section nor reports it. */
	assert_int_equal(run_fake(e), 0);
	assert_null(find_text(e, "changed in"));
	again = daxctl_file(e, "nvdimm-label-init.conf");
	assert_string_equal(again, conf);
	free(again);
	free(conf);
}

/* A device in use keeps it devdax: a failure, no daxctl section, and the next run tries again. */
static void memory_online_failure_retried(void **state)
{
	struct env *e = *state;
	const struct captured *c;
	char *conf, *text;

	heap_on_a_fresh_region(e);
	e->fake.fail_call = "online-movable region0";
	e->fake.fail_errno = EBUSY;
	assert_int_not_equal(run_fake(e), 0);
	c = find_record(e, MSG_FAILED, "region0");
	assert_non_null(c);
	assert_string_equal(c->reason, "memory");
	assert_non_null(strstr(c->text, "in use"));
	assert_null(find_record(e, MSG_NS_MEMORY, NULL));
	assert_false(named(e, "heap")->system_ram);
	assert_null(daxctl_file(e, "nvdimm-label-init.conf"));
	text = status_of(e, false);
	assert_non_null(strstr(text, "present (namespace0.0), memory not online\n"));
	free(text);
	e->opts.mode = MODE_APPLY;

	e->fake.fail_call = NULL;
	assert_int_equal(run_fake(e), 0);
	assert_null(find_record(e, MSG_NS_CREATED, NULL));
	assert_non_null(find_record(e, MSG_NS_MEMORY, "region0"));
	assert_true(named(e, "heap")->system_ram);
	conf = daxctl_file(e, "nvdimm-label-init.conf");
	assert_non_null(conf);
	free(conf);
}

/* Where the kernel onlines hot-added memory itself, movable cannot be had: said so. */
static void memory_movable_refused_under_auto_online(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	heap_on_a_fresh_region(e);
	e->fake.fail_call = "online-movable region0";
	e->fake.fail_errno = EOPNOTSUPP;
	assert_int_not_equal(run_fake(e), 0);
	c = find_record(e, MSG_FAILED, "region0");
	assert_non_null(c);
	assert_non_null(strstr(c->text, "declare Memory=system-ram-normal"));
	assert_null(daxctl_file(e, "nvdimm-label-init.conf"));
}

static void memory_without_daxctl_warned(void **state)
{
	struct env *e = *state;
	const struct captured *c;
	char *text;

	world_label_less(e);
	put_layout(e, "50-heap.conf", MEMORY);
	assert_int_equal(run_fake(e), 0);
	assert_non_null(find_record(e, MSG_NS_MEMORY, "region0"));
	c = find_text(e, "daxctl is not installed");
	assert_non_null(c);
	assert_true(c->priority == LOG_WARNING);
	text = status_of(e, false);
	assert_non_null(strstr(text, "heap: devdax, size 2147483648, present (namespace0.0), "
				     "memory online as system RAM\n    daxctl is not installed"));
	free(text);
	text = status_of(e, true);
	assert_non_null(strstr(text, "\"daxctl_missing\":true"));
	assert_non_null(strstr(text, "\"memory_online\":true"));
	free(text);

	/* With daxctl, --status has nothing to warn of. */
	daxctl_dir(e);
	text = status_of(e, false);
	assert_null(strstr(text, "daxctl"));
	free(text);
}

/* A section for the same uuid in a file of the administrator's is reported, never doubled. */
static void memory_section_elsewhere_kept(void **state)
{
	struct env *e = *state;
	char path[512];
	const struct captured *c;
	FILE *f;

	world_label_less(e);
	put_layout(e, "50-heap.conf", MEMORY);
	assert_int_equal(run_fake(e), 0);
	daxctl_dir(e);
	snprintf(path, sizeof(path), "%s%s/mine.conf", e->dir, DAXCTL_CONF_DIR);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# nvdimm.uuid = 00000000-0000-0000-0000-000000000000\n"
		   "[reconfigure-device by-hand]\n  nvdimm.uuid=%s \nmode = devdax\n",
		named(e, "heap")->dax_uuid);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(run_fake(e), 0);
	assert_int_equal(e->fake.n_calls, 0);
	c = find_text(e, "mine.conf already");
	assert_non_null(c);
	assert_true(c->priority == LOG_WARNING);
	assert_null(daxctl_file(e, "nvdimm-label-init.conf"));
}

/* A devdax namespace with the declared name, made by hand: its memory is never taken. */
static void memory_not_ours_left_alone(void **state)
{
	struct env *e = *state;
	const struct captured *c;

	world_labelled(e);
	daxctl_dir(e);
	fx_namespace(region0(e), "heap", NS_MODE_DEVDAX, 2 * GIB,
		     "00000000-0000-4000-8000-00000000aaaa");
	snprintf(region0(e)->namespaces[1].dax_uuid, SNAP_UUID_MAX,
		 "00000000-0000-4000-8000-00000000bbbb");
	put_layout(e, "50-heap.conf", MEMORY);
	assert_int_equal(run_fake(e), 0);
	assert_false(fake_called(&e->fake, "online-movable region0"));
	assert_false(named(e, "heap")->system_ram);
	c = find_record(e, MSG_NS_DRIFT, "region0");
	assert_non_null(c);
	assert_non_null(strstr(c->text, "not made by nvdimm-label-init"));
	assert_null(daxctl_file(e, "nvdimm-label-init.conf"));
}

/* Ours, switched back to devdax by hand and opened by a program: kept, and who says so. */
static void memory_in_use_names_the_user(void **state)
{
	struct env *e = *state;
	struct snap_namespace *heap;
	const struct captured *c;

	heap_on_a_fresh_region(e);
	assert_int_equal(run_fake(e), 0);
	heap = (struct snap_namespace *)named(e, "heap");
	heap->system_ram = false;
	heap->busy = true;
	assert_int_equal(run_fake(e), 1);
	c = find_record(e, MSG_FAILED, "region0");
	assert_non_null(c);
	assert_non_null(strstr(c->text, "in use by pid 4242 (fake-app)"));
	assert_false(named(e, "heap")->system_ram);
}

/* Our section follows Memory=: rewritten when it changes, gone with it, the file with the last. */
static void memory_section_follows_the_layout(void **state)
{
	struct env *e = *state;
	char *conf;

	heap_on_a_fresh_region(e);
	assert_int_equal(run_fake(e), 0);
	conf = daxctl_file(e, "nvdimm-label-init.conf");
	assert_non_null(strstr(conf, "movable = true\n"));
	free(conf);

	put_layout(e, "50-heap.conf",
		   "[Namespace]\nName=heap\nMode=devdax\nSize=2G\nMemory=system-ram-normal\n");
	assert_int_equal(run_fake(e), 0);
	conf = daxctl_file(e, "nvdimm-label-init.conf");
	assert_non_null(strstr(conf, "movable = false\n"));
	assert_null(strstr(conf, "movable = true\n"));
	assert_non_null(find_text(e, "changed in"));
	free(conf);

	put_layout(e, "50-heap.conf", "[Namespace]\nName=heap\nMode=devdax\nSize=2G\n");
	assert_int_equal(run_fake(e), 0);
	assert_null(daxctl_file(e, "nvdimm-label-init.conf"));
	assert_non_null(find_text(e, "removed from"));
}

/* A wipe takes the namespace with it: its section goes, the new one's comes. */
static void memory_section_of_a_wiped_namespace_goes(void **state)
{
	struct env *e = *state;
	char old_dax[SNAP_UUID_MAX], *conf;
	struct stamp stamp = { 0 };

	heap_on_a_fresh_region(e);
	assert_int_equal(run_fake(e), 0);
	snprintf(old_dax, sizeof(old_dax), "%s", named(e, "heap")->dax_uuid);

	fake_clear(&e->fake);
	fake_init(&e->fake, fx_new());
	world_label_less(e);
	assert_int_equal(run_fake(e), 0);
	assert_non_null(find_record(e, MSG_LABELS_LOST, "nmem0"));
	conf = daxctl_file(e, "nvdimm-label-init.conf");
	assert_non_null(conf);
	assert_null(strstr(conf, old_dax));
	assert_non_null(strstr(conf, named(e, "heap")->dax_uuid));
	free(conf);
	read_stamp(e, &stamp);
	assert_int_equal(stamp.n_dax, 1);
	assert_string_equal(stamp.dax[0].dax_uuid, named(e, "heap")->dax_uuid);
	stamp_clear(&stamp);
}

/* Without kmem, one message a run and no second wait. */
static void memory_without_kmem_said_once(void **state)
{
	struct env *e = *state;
	unsigned int tries = 0;

	world_label_less(e);
	daxctl_dir(e);
	put_layout(e, "50-heap.conf", MEMORY "[Namespace]\nName=heap2\nMode=devdax\nSize=2G\n"
					 "Memory=system-ram-movable\n");
	e->fake.kmem_missing = true;
	assert_int_equal(run_fake(e), 1);
	for (unsigned int i = 0; i < e->fake.n_calls && i < 64; i++)
		tries += strcmp(e->fake.calls[i], "online-movable region0") == 0;
	assert_int_equal(tries, 1);
	assert_non_null(find_text(e, "kmem driver did not appear"));
	assert_int_equal(count_records(e, MSG_FAILED), 1);
	assert_string_equal(find_record(e, MSG_FAILED, NULL)->reason, "kmem");
	assert_null(daxctl_file(e, "nvdimm-label-init.conf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(created_in_the_run_that_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(declared_properties_passed_on, setup, teardown),
		cmocka_unit_test_setup_teardown(present_on_the_next_run, setup, teardown),
		cmocka_unit_test_setup_teardown(drift_reported_and_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(too_big_refused_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(nothing_without_a_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_layout_file_labels_only, setup, teardown),
		cmocka_unit_test_setup_teardown(dry_run_shows_the_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(status_shows_the_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(ramdax_made_again_at_every_cold_boot, setup, teardown),
		cmocka_unit_test_setup_teardown(failure_at_every_step_converges, setup, teardown),
		cmocka_unit_test_setup_teardown(kill_at_every_step_converges, setup, teardown),
		cmocka_unit_test_setup_teardown(half_made_finished_in_a_refused_region, setup,
						teardown),
		cmocka_unit_test_setup_teardown(marks_settled, setup, teardown),
		cmocka_unit_test_setup_teardown(convert_on_a_region_without_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(convert_refused_on_signature_even_forced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(convert_refused_when_busy_even_forced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(convert_claim_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(convert_rechecked_right_before, setup, teardown),
		cmocka_unit_test_setup_teardown(half_made_then_formatted_is_left, setup, teardown),
		cmocka_unit_test_setup_teardown(half_made_then_mounted_is_left, setup, teardown),
		cmocka_unit_test_setup_teardown(half_made_unreadable_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(unselected_region_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(hotplug_gets_its_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(hotplug_never_duplicates_a_name, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_onlined_and_left_to_daxctl, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_normal_zone, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_online_failure_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_movable_refused_under_auto_online, setup,
						teardown),
		cmocka_unit_test_setup_teardown(memory_without_daxctl_warned, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_section_elsewhere_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_not_ours_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_in_use_names_the_user, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_section_follows_the_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_section_of_a_wiped_namespace_goes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(memory_without_kmem_said_once, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
