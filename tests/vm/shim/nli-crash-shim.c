// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nli-crash-shim: an LD_PRELOAD library for the VM crash tests of
 * nvdimm-label-init (tests/vm/t2*-*). It interposes the libndctl calls that
 * change the devices and the rename that commits the stamp, traces every
 * call, and at a chosen call kills the process with SIGKILL (a real crash,
 * not an error return) or sleeps (to hold the program at that point while
 * something else happens: a second run, the host pulling the plug).
 *
 * Configuration, from the environment:
 *   NLI_SHIM_KILL=FUNC:N[:before|after]
 *       SIGKILL at the N-th call of FUNC, before calling the real function
 *       (default) or after it returned.
 *   NLI_SHIM_SLEEP=FUNC:N:SECONDS[:before|after]
 *       sleep SECONDS at the N-th call of FUNC (default before the call).
 *   NLI_SHIM_TRACE=FILE   append the trace to FILE (default: standard error)
 *   NLI_SHIM_MARK=FILE    also write a line "@@@SHIM <what> <FUNC> <N> <object>"
 *                         to FILE (a serial port) just before sleeping or
 *                         killing, for a watcher outside the process
 * FUNC is one of ndctl_region_disable_invalidate, ndctl_dimm_init_labels,
 * ndctl_region_enable, ndctl_dimm_disable, ndctl_dimm_enable, renameat,
 * ndctl_namespace_set_size (one call per namespace a layout creates).
 *
 * Trace lines: "nli-shim: pid=P FUNC #N OBJECT enter", "... return R",
 * "... sleep S", "... kill" (OBJECT: the region or dimm name, or the new name
 * of the rename).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ndctl_region;
struct ndctl_dimm;
struct ndctl_namespace;

enum { F_DISABLE, F_INIT, F_ENABLE, F_DIMM_DISABLE, F_DIMM_ENABLE, F_RENAMEAT, F_NS_SIZE, F_COUNT };

static const char *const names[F_COUNT] = {
	"ndctl_region_disable_invalidate", "ndctl_dimm_init_labels", "ndctl_region_enable",
	"ndctl_dimm_disable", "ndctl_dimm_enable", "renameat", "ndctl_namespace_set_size",
};

static unsigned int calls[F_COUNT];

struct action {
	int func;		/* -1: none */
	unsigned int n;
	unsigned int seconds;
	int after;
};

static struct action kill_at = { -1, 0, 0, 0 }, sleep_at = { -1, 0, 0, 0 };
static int configured;

static void out(const char *path, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int fd = STDERR_FILENO, len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(buf))
		len = sizeof(buf) - 1;
	if (path && path[0]) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
		if (fd < 0)
			return;
	}
	if (write(fd, buf, (size_t)len) < 0) {
		/* Nothing sensible to do: the trace is best effort. */
	}
	if (fd != STDERR_FILENO) {
		fsync(fd);
		close(fd);
	}
}

static int func_index(const char *name, size_t len)
{
	for (int i = 0; i < F_COUNT; i++)
		if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0)
			return i;
	return -1;
}

/* FUNC:N[:SECONDS]:[before|after]; bad values are reported and ignored. */
static void parse(const char *var, struct action *a, int with_seconds)
{
	const char *v = getenv(var), *colon;
	char *end;
	int f;

	if (!v || !v[0])
		return;
	colon = strchr(v, ':');
	f = colon ? func_index(v, (size_t)(colon - v)) : -1;
	if (f < 0)
		goto bad;
	a->n = (unsigned int)strtoul(colon + 1, &end, 10);
	if (end == colon + 1 || a->n == 0)
		goto bad;
	if (with_seconds) {
		if (*end != ':')
			goto bad;
		colon = end;
		a->seconds = (unsigned int)strtoul(colon + 1, &end, 10);
		if (end == colon + 1)
			goto bad;
	}
	if (*end == ':') {
		if (strcmp(end + 1, "after") == 0)
			a->after = 1;
		else if (strcmp(end + 1, "before") != 0)
			goto bad;
	} else if (*end) {
		goto bad;
	}
	a->func = f;
	return;
bad:
	out(getenv("NLI_SHIM_TRACE"), "nli-shim: pid=%d bad %s='%s': ignored\n", (int)getpid(), var,
	    v);
}

static void configure(void)
{
	if (configured)
		return;
	configured = 1;
	parse("NLI_SHIM_KILL", &kill_at, 0);
	parse("NLI_SHIM_SLEEP", &sleep_at, 1);
}

static void *real(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (!fn) {
		out(getenv("NLI_SHIM_TRACE"), "nli-shim: pid=%d cannot find the real %s\n",
		    (int)getpid(), name);
		abort();
	}
	return fn;
}

static const char *object_name(int f, void *obj)
{
	const char *(*get)(void *);

	if (f == F_DISABLE || f == F_ENABLE)
		get = (const char *(*)(void *))dlsym(RTLD_DEFAULT, "ndctl_region_get_devname");
	else if (f == F_NS_SIZE)
		get = (const char *(*)(void *))dlsym(RTLD_DEFAULT, "ndctl_namespace_get_devname");
	else
		get = (const char *(*)(void *))dlsym(RTLD_DEFAULT, "ndctl_dimm_get_devname");
	return get && obj ? get(obj) : "?";
}

/* The actions due at this point (after: 0 before the real call, 1 after it). */
static void at(int f, unsigned int n, const char *obj, int after)
{
	const char *trace = getenv("NLI_SHIM_TRACE"), *mark = getenv("NLI_SHIM_MARK");
	int pid = (int)getpid();

	if (sleep_at.func == f && sleep_at.n == n && sleep_at.after == after) {
		struct timespec ts = { (time_t)sleep_at.seconds, 0 };

		out(trace, "nli-shim: pid=%d %s #%u %s sleep %u\n", pid, names[f], n, obj,
		    sleep_at.seconds);
		if (mark)
			out(mark, "@@@SHIM sleep %s %u %s\n", names[f], n, obj);
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		out(trace, "nli-shim: pid=%d %s #%u %s woke\n", pid, names[f], n, obj);
	}
	if (kill_at.func == f && kill_at.n == n && kill_at.after == after) {
		out(trace, "nli-shim: pid=%d %s #%u %s kill\n", pid, names[f], n, obj);
		if (mark)
			out(mark, "@@@SHIM kill %s %u %s\n", names[f], n, obj);
		kill(getpid(), SIGKILL);
		/* Not reached; should the signal be delayed, do not go on either. */
		for (;;)
			pause();
	}
}

static unsigned int enter(int f, const char *obj)
{
	unsigned int n;

	configure();
	n = ++calls[f];
	out(getenv("NLI_SHIM_TRACE"), "nli-shim: pid=%d %s #%u %s enter\n", (int)getpid(),
	    names[f], n, obj);
	at(f, n, obj, 0);
	return n;
}

static void leave(int f, unsigned int n, const char *obj, int r)
{
	out(getenv("NLI_SHIM_TRACE"), "nli-shim: pid=%d %s #%u %s return %d\n", (int)getpid(),
	    names[f], n, obj, r);
	at(f, n, obj, 1);
}

#define WRAP(F, NAME, TYPE)                                                     \
	int NAME(TYPE *obj)                                                     \
	{                                                                       \
		static int (*fn)(TYPE *);                                       \
		const char *o = object_name(F, obj);                            \
		unsigned int n = enter(F, o);                                   \
		int r;                                                          \
									\
		if (!fn)                                                        \
			fn = (int (*)(TYPE *))real(#NAME);                      \
		r = fn(obj);                                                    \
		leave(F, n, o, r);                                              \
		return r;                                                       \
	}

WRAP(F_DISABLE, ndctl_region_disable_invalidate, struct ndctl_region)
WRAP(F_ENABLE, ndctl_region_enable, struct ndctl_region)
WRAP(F_DIMM_DISABLE, ndctl_dimm_disable, struct ndctl_dimm)
WRAP(F_DIMM_ENABLE, ndctl_dimm_enable, struct ndctl_dimm)

/* The version is an enum in libndctl.h; an int has the same ABI. */
int ndctl_dimm_init_labels(struct ndctl_dimm *dimm, int version)
{
	static int (*fn)(struct ndctl_dimm *, int);
	const char *o = object_name(F_INIT, dimm);
	unsigned int n = enter(F_INIT, o);
	int r;

	if (!fn)
		fn = (int (*)(struct ndctl_dimm *, int))real("ndctl_dimm_init_labels");
	r = fn(dimm, version);
	leave(F_INIT, n, o, r);
	return r;
}

int ndctl_namespace_set_size(struct ndctl_namespace *ndns, unsigned long long size)
{
	static int (*fn)(struct ndctl_namespace *, unsigned long long);
	const char *o = object_name(F_NS_SIZE, ndns);
	unsigned int n = enter(F_NS_SIZE, o);
	int r;

	if (!fn)
		fn = (int (*)(struct ndctl_namespace *, unsigned long long))real("ndctl_namespace_set_size");
	r = fn(ndns, size);
	leave(F_NS_SIZE, n, o, r);
	return r;
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	static int (*fn)(int, const char *, int, const char *);
	unsigned int n = enter(F_RENAMEAT, newpath);
	int r, e;

	if (!fn)
		fn = (int (*)(int, const char *, int, const char *))real("renameat");
	r = fn(olddirfd, oldpath, newdirfd, newpath);
	e = errno;
	leave(F_RENAMEAT, n, newpath, r < 0 ? -e : r);
	errno = e;
	return r;
}
