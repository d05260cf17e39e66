// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kill-points.h"

unsigned int kp_steps;
static unsigned int kill_at;
static void (*before_kill)(void);

void kp_arm(unsigned int n, void (*before)(void))
{
	kp_steps = 0;
	kill_at = n;
	before_kill = before;
}

void kp_step(void)
{
	if (++kp_steps != kill_at)
		return;
	if (before_kill)
		before_kill();
	raise(SIGKILL);
}

/* The C library's own function of that name, found once. */
static void *real(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (!fn)
		abort();
	return fn;
}

typedef int renameat_fn(int, const char *, int, const char *);
typedef int unlinkat_fn(int, const char *, int);
typedef int fsync_fn(int);
typedef int openat_fn(int, const char *, int, ...);

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	static renameat_fn *fn;

	if (!fn)
		fn = (renameat_fn *)real("renameat");
	kp_step();
	return fn(olddirfd, oldpath, newdirfd, newpath);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	static unlinkat_fn *fn;

	if (!fn)
		fn = (unlinkat_fn *)real("unlinkat");
	kp_step();
	return fn(dirfd, path, flags);
}

int fsync(int fd)
{
	static fsync_fn *fn;

	if (!fn)
		fn = (fsync_fn *)real("fsync");
	kp_step();
	return fn(fd);
}

/* Only an open that can create a file changes the directory. */
int openat(int dirfd, const char *path, int flags, ...)
{
	static openat_fn *fn;
	mode_t mode = 0;

	if (!fn)
		fn = (openat_fn *)real("openat");
	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
		kp_step();
	}
	return fn(dirfd, path, flags, mode);
}
