// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend/proc-users.h"

static bool is_device(const struct stat *st, dev_t rdev)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == rdev;
}

/* 1 when a file descriptor of process PID is the device; -errno when they cannot be read. */
static int fds_use(const char *proc, const char *pid, dev_t rdev)
{
	char path[300];
	struct dirent *de;
	struct stat st;
	int r = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/fd", proc, pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while (r == 0 && (de = readdir(d)))
		if (de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &st, 0) == 0)
			r = is_device(&st, rdev);
	closedir(d);
	return r;
}

/* The device major, inode and path of a line of /proc/PID/maps; false for one without a file. */
static bool maps_entry(char *line, unsigned long *major, unsigned long long *inode, char **path)
{
	char *save = NULL, *field = NULL, *end;

	for (int i = 0; i < 5; i++) {
		field = strtok_r(i ? NULL : line, " ", &save);
		if (!field)
			return false;
		if (i == 3) {
			*major = strtoul(field, &end, 16);
			if (*end != ':')
				return false;
		}
	}
	*inode = strtoull(field, &end, 10);
	if (*end || !save)
		return false;
	*path = save + strspn(save, " ");
	(*path)[strcspn(*path, "\n")] = '\0';
	return **path == '/';
}

/*
 * 1 when process PID maps the device. A mapping names the device node it
 * was made through, in the process's own root: its device file is looked
 * at there, for nodes on a virtual filesystem (major 0: devtmpfs, a
 * container's tmpfs), where device nodes live.
 */
static int maps_use(const char *proc, const char *pid, dev_t rdev)
{
	unsigned long long inode, last = 0;
	unsigned long major = ULONG_MAX;
	char path[300], line[4096 + 128], node[4096 + 300], *file;
	struct stat st;
	FILE *maps;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s/maps", proc, pid);
	maps = fopen(path, "re");
	if (!maps)
		return -errno;
	while (r == 0 && fgets(line, sizeof(line), maps)) {
		if (!maps_entry(line, &major, &inode, &file) || major != 0 || inode == 0 ||
		    inode == last)
			continue;
		last = inode;
		snprintf(node, sizeof(node), "%s/%s/root%s", proc, pid, file);
		r = stat(node, &st) == 0 && is_device(&st, rdev);
	}
	if (ferror(maps))
		r = r ? r : -EIO;
	fclose(maps);
	return r;
}

static void comm_of(const char *proc, const char *pid, char *buf, size_t len)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/comm", proc, pid);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

int proc_device_users(const char *proc, dev_t rdev, char *user, size_t len)
{
	DIR *dir = opendir(proc);
	bool denied = false;
	struct dirent *de;
	int r = 0;

	if (!dir)
		return -errno;
	while (r <= 0 && (de = readdir(dir))) {
		if (strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		r = fds_use(proc, de->d_name, rdev);
		if (r == 0)
			r = maps_use(proc, de->d_name, rdev);
		if (r > 0) {
			char comm[32];

			comm_of(proc, de->d_name, comm, sizeof(comm));
			snprintf(user, len, "in use by pid %s (%s)", de->d_name, comm);
		} else if (r < 0) {
			/* A process that ended meanwhile uses nothing. */
			denied |= r != -ENOENT;
			r = 0;
		}
	}
	closedir(dir);
	if (r == 0 && denied) {
		snprintf(user, len, "a process could not be looked at to tell whether it uses it");
		return -EACCES;
	}
	return r;
}

