// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "layout/load.h"
#include "shared/fileio.h"
#include "shared/macro.h"
#include "shared/parse.h"


struct file {
	char name[256];
	const char *dir;
};

struct files {
	size_t n;
	struct file *files;
};

static bool has_name(const struct files *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->files[i].name, name) == 0)
			return true;
	return false;
}

/* Names already listed come from a directory that wins over this one. */
static int list_dir(const char *root, const char *dir, struct files *f, char *err, size_t errlen)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	int r = 0;

	snprintf(path, sizeof(path), "%s%s", root, dir);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	while (r == 0 && (de = readdir(d))) {
		if (!conf_file_name(de->d_name) || has_name(f, de->d_name))
			continue;
		r = ARRAY_GROW(f->files, f->n);
		if (r < 0)
			break;
		snprintf(f->files[f->n].name, sizeof(f->files[f->n].name), "%s", de->d_name);
		f->files[f->n++].dir = dir;
	}
	closedir(d);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->name, ((const struct file *)b)->name);
}

/* systemd's way of masking a file: an empty one, or a link to /dev/null. */
static bool masks(const struct stat *st)
{
	return (S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3)) ||
	       (S_ISREG(st->st_mode) && st->st_size == 0);
}

/* *text stays NULL for a masking file. */
static int read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	CLEANUP_CLOSE int fd = -1;
	struct stat st;
	int r;

	*text = NULL;
	fd = file_open_at(AT_FDCWD, path, 0, &st);
	if (fd < 0 || masks(&st))
		r = fd < 0 ? fd : 0;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else
		r = file_read_fd(fd, LAYOUT_FILE_MAX, text, len);
	if (r == -EINVAL)
		snprintf(err, errlen, "%s: not a regular file", path);
	else if (r == -EFBIG)
		snprintf(err, errlen, "%s: larger than %zu KiB", path, LAYOUT_FILE_MAX / 1024);
	else if (r < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	/* Emptied since fstat(): as an empty file, it masks. */
	if (r == 0 && *text && !*len) {
		free(*text);
		*text = NULL;
	}
	return r;
}

static int add_file(const char *root, const struct file *file, struct layout_set *set, char *err,
		    size_t errlen)
{
	char path[4096 + 256];
	CLEANUP_FREE char *text = NULL;
	size_t len = 0;
	int r;

	snprintf(path, sizeof(path), "%s%s/%s", root, file->dir, file->name);
	r = read_file(path, &text, &len, err, errlen);
	if (r == 0 && text)
		r = ARRAY_GROW(set->layouts, set->n);
	if (r == 0 && text)
		r = layout_parse(path, text, len, &set->layouts[set->n], err, errlen);
	if (r == 0 && text)
		set->n++;
	return r;
}

int layout_load_dirs(const char *root, struct layout_set *out, char *err, size_t errlen)
{
	struct layout_set set = { 0 };
	struct files f = { 0 };
	int r;

	r = list_dir(root, LAYOUT_ETC_DIR, &f, err, errlen);
	if (r == 0)
		r = list_dir(root, LAYOUT_LIB_DIR, &f, err, errlen);
	if (f.n)
		qsort(f.files, f.n, sizeof(*f.files), by_name);
	for (size_t i = 0; i < f.n && r == 0; i++)
		r = add_file(root, &f.files[i], &set, err, errlen);
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory reading the layout files");
	if (r == 0) {
		*out = set;
		set.layouts = NULL;
	}
	layout_set_clear(&set);
	free(f.files);
	return r;
}
