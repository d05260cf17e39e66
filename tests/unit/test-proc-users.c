// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * proc_device_users(): against the real /proc, a child that holds a
 * character device of its own (a pseudo-terminal, whose device number no
 * other process has) is found by its pid; against a made-up /proc, a
 * device found through a descriptor or through a mapping alone, nobody
 * when nobody has it, and "cannot tell" when a process cannot be read.
 */
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
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "backend/proc-users.h"

/* A child holding PATH open until told to go; its pid. */
static pid_t holder(const char *path, int *go)
{
	int pipes[2], ready[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(pipes), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(path, O_RDWR | O_NOCTTY);

		close(pipes[1]);
		close(ready[0]);
		if (fd < 0 || write(ready[1], "x", 1) != 1 || read(pipes[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipes[0]);
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*go = pipes[1];
	return pid;
}

static void found_while_open(void **state)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), go, status;
	char user[128], want[64];
	struct stat st;
	pid_t pid;

	(void)state;
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	assert_int_equal(stat(ptsname(master), &st), 0);
	pid = holder(ptsname(master), &go);
	assert_int_equal(proc_device_users("/proc", st.st_rdev, user, sizeof(user)), 1);
	snprintf(want, sizeof(want), "in use by pid %d (", (int)pid);
	assert_non_null(strstr(user, want));
	close(go);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(master);
}

/* A made-up /proc: pid 7 has a harmless file open, the others as each test makes them. */
struct fake_proc {
	char dir[64];
	char tty[64];        /* a character device of ours */
	dev_t rdev;
	int master;
};

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static int proc_setup(void **state)
{
	struct fake_proc *p = calloc(1, sizeof(*p));
	struct stat st;

	if (!p)
		return -1;
	snprintf(p->dir, sizeof(p->dir), "/tmp/nli-proc-XXXXXX");
	p->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (!mkdtemp(p->dir) || p->master < 0 || grantpt(p->master) < 0 ||
	    unlockpt(p->master) < 0 || stat(ptsname(p->master), &st) < 0) {
		free(p);
		return -1;
	}
	snprintf(p->tty, sizeof(p->tty), "%s", ptsname(p->master));
	p->rdev = st.st_rdev;
	sh("mkdir -p %s/7/fd && ln -s /dev/null %s/7/fd/0 && echo quiet >%s/7/comm && "
	   ": >%s/7/maps && ln -s / %s/7/root", p->dir, p->dir, p->dir, p->dir, p->dir);
	*state = p;
	return 0;
}

static int proc_teardown(void **state)
{
	struct fake_proc *p = *state;

	sh("rm -rf %s", p->dir);
	close(p->master);
	free(p);
	return 0;
}

/* Pid PID, named app, with no descriptor and no mapping yet. */
static void process(const struct fake_proc *p, int pid)
{
	sh("mkdir -p %s/%d/fd && echo app >%s/%d/comm && : >%s/%d/maps && ln -s / %s/%d/root",
	   p->dir, pid, p->dir, pid, p->dir, pid, p->dir, pid);
}

static int users(const struct fake_proc *p, char *user, size_t len)
{
	user[0] = '\0';
	return proc_device_users(p->dir, p->rdev, user, len);
}

static void nobody(void **state)
{
	struct fake_proc *p = *state;
	char user[128];

	assert_int_equal(users(p, user, sizeof(user)), 0);
	assert_string_equal(user, "");
}

static void through_a_descriptor(void **state)
{
	struct fake_proc *p = *state;
	char user[128];

	process(p, 31);
	sh("ln -s %s %s/31/fd/5", p->tty, p->dir);
	assert_int_equal(users(p, user, sizeof(user)), 1);
	assert_string_equal(user, "in use by pid 31 (app)");
}

/* Mapped, the descriptor closed: the mapping names the node, in the process's root. */
static void through_a_mapping_alone(void **state)
{
	struct fake_proc *p = *state;
	char user[128];

	process(p, 42);
	sh("printf '7f0000000000-7f0000200000 rw-s 00000000 00:05 1234 %%s\\n' '%s' >%s/42/maps",
	   p->tty, p->dir);
	assert_int_equal(users(p, user, sizeof(user)), 1);
	assert_string_equal(user, "in use by pid 42 (app)");
	/* A mapping of a file on a disk (major 8) is not looked at. */
	sh("printf '7f0000000000-7f0000200000 rw-s 00000000 08:01 1234 %%s\\n' '%s' >%s/42/maps",
	   p->tty, p->dir);
	assert_int_equal(users(p, user, sizeof(user)), 0);
}

/* A process that cannot be read: whether it uses the device cannot be told. */
static void cannot_tell(void **state)
{
	struct fake_proc *p = *state;
	char user[128];

	sh("mkdir -p %s/55 && : >%s/55/fd", p->dir, p->dir);
	assert_int_equal(users(p, user, sizeof(user)), -EACCES);
	assert_non_null(strstr(user, "could not be looked at"));
	/* One that uses it is found all the same. */
	process(p, 60);
	sh("ln -s %s %s/60/fd/5", p->tty, p->dir);
	assert_int_equal(users(p, user, sizeof(user)), 1);
}

/* A process that ends while it is looked at uses nothing. */
static void ended_meanwhile(void **state)
{
	struct fake_proc *p = *state;
	char user[128];

	sh("mkdir -p %s/66", p->dir);
	assert_int_equal(users(p, user, sizeof(user)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(found_while_open),
		cmocka_unit_test_setup_teardown(nobody, proc_setup, proc_teardown),
		cmocka_unit_test_setup_teardown(through_a_descriptor, proc_setup, proc_teardown),
		cmocka_unit_test_setup_teardown(through_a_mapping_alone, proc_setup, proc_teardown),
		cmocka_unit_test_setup_teardown(cannot_tell, proc_setup, proc_teardown),
		cmocka_unit_test_setup_teardown(ended_meanwhile, proc_setup, proc_teardown),
	};

	return cmocka_run_group_tests_name("proc-users", tests, NULL, NULL);
}
