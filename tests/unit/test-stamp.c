// SPDX-License-Identifier: GPL-2.0-or-later
/* The stamp reader and writer against good, broken and hostile files. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "core/stamp.h"
#include "shared/macro.h"
#include "shared/nsuuid.h"

struct env {
	char dir[64];
	int dirfd;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/nli-stamp-XXXXXX");
	if (!mkdtemp(e->dir)) {
		free(e);
		return -1;
	}
	e->dirfd = open(e->dir, O_RDONLY | O_DIRECTORY);
	*state = e;
	return e->dirfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	close(e->dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		return -1;
	free(e);
	return 0;
}

static void put(struct env *e, const char *name, const void *data, size_t len)
{
	int fd = openat(e->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static const char *read_why(struct env *e, int expect)
{
	struct stamp s = { 0 };
	const char *why = NULL;

	assert_int_equal(stamp_read(e->dirfd, &s, &why), expect);
	assert_int_equal(s.n, 0);
	stamp_clear(&s);
	return why;
}

#define M1 "0123456789abcdef0123456789abcdef"

static void round_trip(void **state)
{
	struct env *e = *state;
	struct stamp a = { 0 }, b = { 0 };
	const char *why;
	struct stat st;

	snprintf(a.machine, sizeof(a.machine), "%s", M1);
	assert_int_equal(stamp_set(&a, "8086-a1b2c3d4", STAMP_LABELLED, 1700000000), 0);
	assert_int_equal(stamp_set(&a, "handle-0x1", STAMP_PENDING, 5), 0);
	assert_int_equal(stamp_set(&a, "handle-0x2", STAMP_PENDING_LOST, 6), 0);
	assert_int_equal(stamp_write(e->dirfd, &a), 0);
	assert_int_equal(stamp_read(e->dirfd, &b, &why), 0);
	assert_true(stamp_equal(&a, &b));
	assert_string_equal(b.machine, M1);
	assert_int_equal(stamp_find(&b, "handle-0x2")->state, STAMP_PENDING_LOST);
	b.machine[0] = '\0';
	assert_false(stamp_equal(&a, &b));
	/* No temp file is left behind. */
	assert_int_equal(fstatat(e->dirfd, ".stamp.tmp", &st, AT_SYMLINK_NOFOLLOW), -1);
	stamp_clear(&a);
	stamp_clear(&b);
}

static void missing(void **state)
{
	assert_null(read_why(*state, -ENOENT));
}

static void empty(void **state)
{
	struct env *e = *state;

	put(e, STAMP_FILE, "", 0);
	assert_string_equal(read_why(e, -EINVAL), "it is empty");
}

static void truncated(void **state)
{
	struct env *e = *state;
	const char *text = "nvdimm-label-init stamp 1\ndimm abc labelled 17";

	put(e, STAMP_FILE, text, strlen(text));
	assert_non_null(strstr(read_why(e, -EINVAL), "truncated"));
}

static void binary(void **state)
{
	struct env *e = *state;
	const char data[] = "nvdimm-label-init stamp 1\n\0\x01\x02garbage\n";

	put(e, STAMP_FILE, data, sizeof(data) - 1);
	assert_non_null(strstr(read_why(e, -EINVAL), "binary"));
}

#define U1 "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
#define U2 "00000000-0000-4000-8000-000000000001"

static void garbled(void **state)
{
	static const char *const texts[] = {
		"something else\n",
		"nvdimm-label-init stamp 3\n",
		"nvdimm-label-init stamp 1\ndax " U1 " " U2 " id-0 1\n",
		"nvdimm-label-init stamp 2\ndax " U1 " " U2 " id-0\n",
		"nvdimm-label-init stamp 2\ndax " U1 " " U2 " id/0 1\n",
		"nvdimm-label-init stamp 2\ndax " U1 " not-a-uuid id-0 1\n",
		"nvdimm-label-init stamp 2\ndax " U1 " " U2 " id-0 1\ndax " U1 " " U2 " id-1 2\n",
		"nvdimm-label-init stamp 1\nfoo\n",
		"nvdimm-label-init stamp 1\nmachine " M1 "\n",
		"nvdimm-label-init stamp 2\nmachine 0123456789abcdef\n",
		"nvdimm-label-init stamp 2\nmachine 0123456789ABCDEF0123456789ABCDEF\n",
		"nvdimm-label-init stamp 2\nmachine " M1 "0\n",
		"nvdimm-label-init stamp 2\nmachine ../../../../etc/machine-id/../0123456\n",
		"nvdimm-label-init stamp 2\nmachine " M1 " " M1 "\n",
		"nvdimm-label-init stamp 2\nmachine " M1 "\nmachine " M1 "\n",
		"nvdimm-label-init stamp 2\nmachine\n",
		"nvdimm-label-init stamp 1\ndimm a labelled\n",
		"nvdimm-label-init stamp 1\ndimm a labelled 1 extra\n",
		"nvdimm-label-init stamp 1\ndimm a bogus 1\n",
		"nvdimm-label-init stamp 1\ndimm a pending-lostx 1\n",
		"nvdimm-label-init stamp 1\ndimm a labelled -1\n",
		"nvdimm-label-init stamp 1\ndimm a labelled 1x\n",
		"nvdimm-label-init stamp 1\ndimm a labelled 99999999999999999999999\n",
		"nvdimm-label-init stamp 1\ndimm a/b labelled 1\n",
		"nvdimm-label-init stamp 1\ndimm a labelled 1\ndimm a labelled 2\n",
		"nvdimm-label-init stamp 1\n\n",
		"nvdimm-label-init stamp 1\nnamespace region0 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9 data\n",
		"nvdimm-label-init stamp 1\nnamespace region0 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9 data 1 extra\n",
		"nvdimm-label-init stamp 1\nnamespace region0 0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9 data 1\n",
		"nvdimm-label-init stamp 1\nnamespace region0 0f1e2d3c4b5a49788695a4b3c2d1e0f9abcd data 1\n",
		"nvdimm-label-init stamp 1\nnamespace region0 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f90 data 1\n",
		"nvdimm-label-init stamp 1\nnamespace region/0 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9 data 1\n",
		"nvdimm-label-init stamp 1\nnamespace region0 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9 da/ta 1\n",
		"nvdimm-label-init stamp 1\nnamespace region0 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9 data -1\n",
		"nvdimm-label-init stamp 1\nnamespace region0 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9 a 1\nnamespace region1 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9 b 2\n",
	};
	struct env *e = *state;

	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		put(e, STAMP_FILE, texts[i], strlen(texts[i]));
		assert_non_null(read_why(e, -EINVAL));
	}
}

/* A namespace mark survives the file, and makes the stamp one with pending work. */
static void namespace_marks(void **state)
{
	struct env *e = *state;
	struct stamp a = { 0 }, b = { 0 };
	const char *why;
	struct stat st;

	assert_int_equal(stamp_set(&a, "handle-0x1", STAMP_LABELLED, 5), 0);
	assert_int_equal(stamp_ns_add(&a, "region0", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "data", 7), 0);
	assert_int_equal(stamp_ns_add(&a, "region1", "00000000-0000-4000-8000-000000000001", "ram.1", 8), 0);
	assert_int_equal(stamp_ns_add(&a, "region1", "00000000-0000-4000-8000-000000000001", "again", 8), -EINVAL);
	assert_int_equal(stamp_write(e->dirfd, &a), 0);
	assert_int_equal(fstatat(e->dirfd, STAMP_PENDING_MARKER, &st, 0), 0);
	assert_int_equal(stamp_read(e->dirfd, &b, &why), 0);
	assert_true(stamp_equal(&a, &b));
	assert_string_equal(stamp_ns_find(&b, "00000000-0000-4000-8000-000000000001")->name, "ram.1");
	assert_string_equal(stamp_ns_find(&b, "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9")->region, "region0");
	stamp_ns_remove(&a, "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9");
	assert_false(stamp_equal(&a, &b));
	stamp_ns_remove(&a, "00000000-0000-4000-8000-000000000001");
	assert_int_equal(a.n_ns, 0);
	assert_int_equal(stamp_write(e->dirfd, &a), 0);
	assert_int_equal(fstatat(e->dirfd, STAMP_PENDING_MARKER, &st, 0), -1);
	stamp_clear(&a);
	stamp_clear(&b);
}

/* Devdax namespaces of ours: kept through a write and a read; no pending work. */
static void dax_records(void **state)
{
	struct env *e = *state;
	struct stamp a = { 0 }, b = { 0 };
	const char *why;
	struct stat st;

	assert_int_equal(stamp_dax_add(&a, U1, U2, "id-0", 3), 0);
	assert_int_equal(stamp_dax_add(&a, U2, U1, "id-1", 4), 0);
	assert_int_equal(stamp_dax_add(&a, U2, U1, "id 1", 4), -EINVAL);
	assert_int_equal(stamp_write(e->dirfd, &a), 0);
	assert_int_equal(fstatat(e->dirfd, STAMP_PENDING_MARKER, &st, 0), -1);
	assert_int_equal(stamp_read(e->dirfd, &b, &why), 0);
	assert_true(stamp_equal(&a, &b));
	assert_string_equal(stamp_dax_find(&b, U2)->dimm, "id-1");
	assert_string_equal(stamp_dax_find_dax(&b, U2)->uuid, U1);
	stamp_dax_remove(&a, U1);
	assert_false(stamp_equal(&a, &b));
	assert_null(stamp_dax_find(&a, U1));
	stamp_clear(&a);
	stamp_clear(&b);
}

/* A stamp an earlier version wrote reads as it did. */
static void version_1_read(void **state)
{
	static const char text[] = "nvdimm-label-init stamp 1\ndimm id-0 labelled 5\n"
				   "namespace region0 " U1 " data 7\n";
	struct env *e = *state;
	struct stamp s = { 0 };
	const char *why;

	put(e, STAMP_FILE, text, strlen(text));
	assert_int_equal(stamp_read(e->dirfd, &s, &why), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.n_ns, 1);
	assert_int_equal(s.n_dax, 0);
	stamp_clear(&s);
}

static void uuids_checked(void **state UNUSED)
{
	unsigned char a[NSUUID_BYTES], b[NSUUID_BYTES] = { 0 };
	char text[SNAP_UUID_MAX];
	struct stamp s = { 0 };

	assert_int_equal(nsuuid_random(a), 0);
	nsuuid_format(a, text);
	assert_true(nsuuid_valid(text));
	assert_int_equal(text[14], '4');
	assert_non_null(strchr("89ab", text[19]));
	assert_int_equal(nsuuid_parse(text, b), 0);
	assert_memory_equal(a, b, sizeof(a));
	memset(b, 0, sizeof(b));
	nsuuid_format(b, text);
	assert_string_equal(text, "");
	assert_int_equal(nsuuid_parse("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0fX", b), -EINVAL);

	assert_true(nsuuid_valid("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"));
	assert_false(nsuuid_valid(""));
	assert_false(nsuuid_valid("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f"));
	assert_false(nsuuid_valid("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0fg"));
	assert_false(nsuuid_valid("0f1e2d3c-4b5a-4978-8695a-4b3c2d1e0f9"));
	assert_int_equal(stamp_ns_add(&s, "", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "data", 1), -EINVAL);
	assert_int_equal(stamp_ns_add(&s, "region0", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "", 1), -EINVAL);
	assert_int_equal(stamp_ns_add(&s, "region0", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "a b", 1), -EINVAL);
	assert_int_equal(s.n_ns, 0);
	stamp_clear(&s);
}

static void oversized(void **state)
{
	struct env *e = *state;
	size_t len = STAMP_MAX_SIZE + 100;
	char *big = malloc(len);

	assert_non_null(big);
	memset(big, 'a', len);
	big[len - 1] = '\n';
	put(e, STAMP_FILE, big, len);
	free(big);
	assert_string_equal(read_why(e, -EINVAL), "it is too large");
}

static void symlink_not_followed(void **state)
{
	struct env *e = *state;
	const char *good = "nvdimm-label-init stamp 1\ndimm x labelled 1\n";

	put(e, "elsewhere", good, strlen(good));
	assert_int_equal(symlinkat("elsewhere", e->dirfd, STAMP_FILE), 0);
	assert_non_null(strstr(read_why(e, -EINVAL), "symbolic link"));
}

static void symlink_replaced_not_written_through(void **state)
{
	struct env *e = *state;
	const char *victim = "precious\n";
	struct stamp s = { 0 };
	char buf[32] = { 0 };
	struct stat st;
	int fd;

	put(e, "victim", victim, strlen(victim));
	assert_int_equal(symlinkat("victim", e->dirfd, STAMP_FILE), 0);
	assert_int_equal(symlinkat("victim", e->dirfd, ".stamp.tmp"), 0);
	assert_int_equal(stamp_set(&s, "x", STAMP_LABELLED, 1), 0);
	assert_int_equal(stamp_write(e->dirfd, &s), 0);
	stamp_clear(&s);
	fd = openat(e->dirfd, "victim", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), (ssize_t)strlen(victim));
	close(fd);
	assert_string_equal(buf, victim);
	assert_int_equal(fstatat(e->dirfd, STAMP_FILE, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void directory(void **state)
{
	struct env *e = *state;
	struct stamp s = { 0 };
	struct stat st;

	assert_int_equal(mkdirat(e->dirfd, STAMP_FILE, 0755), 0);
	assert_non_null(strstr(read_why(e, -EINVAL), "not a regular file"));
	assert_int_equal(stamp_set(&s, "x", STAMP_LABELLED, 1), 0);
	assert_true(stamp_write(e->dirfd, &s) < 0);
	/* A failed write of pending marks leaves no marker behind: nothing changed. */
	assert_int_equal(stamp_set(&s, "y", STAMP_PENDING, 2), 0);
	assert_true(stamp_write(e->dirfd, &s) < 0);
	assert_int_equal(fstatat(e->dirfd, STAMP_PENDING_MARKER, &st, AT_SYMLINK_NOFOLLOW), -1);
	stamp_clear(&s);
}

static void fifo_does_not_hang(void **state)
{
	struct env *e = *state;

	assert_int_equal(mkfifoat(e->dirfd, STAMP_FILE, 0644), 0);
	assert_non_null(strstr(read_why(e, -EINVAL), "not a regular file"));
}

static void writable_by_others(void **state)
{
	struct env *e = *state;
	const char *good = "nvdimm-label-init stamp 1\n";

	put(e, STAMP_FILE, good, strlen(good));
	assert_int_equal(fchmodat(e->dirfd, STAMP_FILE, 0666, 0), 0);
	assert_non_null(strstr(read_why(e, -EINVAL), "writable"));
}

static void owned_by_another_user(void **state)
{
	struct env *e = *state;
	const char *good = "nvdimm-label-init stamp 1\n";

	if (geteuid() != 0) {
		/* Only root can give a file away; say so instead of passing silently. */
		fail_msg("this case needs root to chown the stamp");
		return;
	}
	put(e, STAMP_FILE, good, strlen(good));
	assert_int_equal(fchownat(e->dirfd, STAMP_FILE, 65534, 65534, 0), 0);
	assert_non_null(strstr(read_why(e, -EINVAL), "another user"));
}

static void ids_checked(void **state UNUSED)
{
	struct stamp s = { 0 };
	char long_id[SNAP_ID_MAX + 1];

	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_int_equal(stamp_set(&s, "", STAMP_LABELLED, 1), -EINVAL);
	assert_int_equal(stamp_set(&s, "a b", STAMP_LABELLED, 1), -EINVAL);
	assert_int_equal(stamp_set(&s, "a\nb", STAMP_LABELLED, 1), -EINVAL);
	assert_int_equal(stamp_set(&s, long_id, STAMP_LABELLED, 1), -EINVAL);
	assert_int_equal(s.n, 0);
	assert_int_equal(stamp_set(&s, "8086-0102-1234-abcdef01", STAMP_LABELLED, 1), 0);
	stamp_remove(&s, "8086-0102-1234-abcdef01");
	assert_int_equal(s.n, 0);
	stamp_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(missing, setup, teardown),
		cmocka_unit_test_setup_teardown(empty, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(binary, setup, teardown),
		cmocka_unit_test_setup_teardown(garbled, setup, teardown),
		cmocka_unit_test_setup_teardown(oversized, setup, teardown),
		cmocka_unit_test_setup_teardown(symlink_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(symlink_replaced_not_written_through, setup, teardown),
		cmocka_unit_test_setup_teardown(directory, setup, teardown),
		cmocka_unit_test_setup_teardown(fifo_does_not_hang, setup, teardown),
		cmocka_unit_test_setup_teardown(writable_by_others, setup, teardown),
		cmocka_unit_test_setup_teardown(owned_by_another_user, setup, teardown),
		cmocka_unit_test(ids_checked),
		cmocka_unit_test_setup_teardown(namespace_marks, setup, teardown),
		cmocka_unit_test(uuids_checked),
		cmocka_unit_test_setup_teardown(dax_records, setup, teardown),
		cmocka_unit_test_setup_teardown(version_1_read, setup, teardown),
	};

	return cmocka_run_group_tests_name("stamp", tests, NULL, NULL);
}
