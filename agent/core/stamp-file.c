// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/stamp.h"
#include "shared/fileio.h"
#include "shared/macro.h"

#define STAMP_TMP ".stamp.tmp"

/* Why a stamp file is not to be trusted; NULL when it may be read. */
static const char *distrust(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "it is not a regular file";
	if (st->st_uid != geteuid())
		return "it is owned by another user";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "it is writable by other users";
	if ((size_t)st->st_size > STAMP_MAX_SIZE)
		return "it is too large";
	return NULL;
}

int stamp_read(int dirfd, struct stamp *out, const char **why)
{
	CLEANUP_FREE char *text = NULL;
	CLEANUP_CLOSE int fd = -1;
	struct stat st;
	size_t len = 0;
	int r;

	/* A FIFO planted in place of the stamp must not hang the boot: file_open_at() never blocks. */
	fd = file_open_at(dirfd, STAMP_FILE, O_NOFOLLOW, &st);
	if (fd == -ENOENT)
		return -ENOENT;
	*why = fd == -ELOOP ? "it is a symbolic link, which is never followed"
	       : fd < 0	    ? strerror(-fd)
			    : distrust(&st);
	if (*why)
		return -EINVAL;
	r = file_read_fd(fd, STAMP_MAX_SIZE, &text, &len);
	if (r == 0)
		return stamp_parse(text, len, out, why);
	*why = r == -EFBIG ? "it is too large" : strerror(-r);
	return r == -ENOMEM ? r : -EINVAL;
}

/* A namespace mark is pending work too: the next boot's run must finish it. */
static bool has_pending(const struct stamp *stamp)
{
	if (stamp->n_ns)
		return true;
	for (size_t i = 0; i < stamp->n; i++)
		if (stamp_entry_pending(&stamp->entries[i]))
			return true;
	return false;
}

/*
 * Created (and on disk) before a stamp with pending marks is. *created
 * tells that it was not there: a stamp write that then fails takes it away
 * again, so that a run that could not write its stamp changes nothing.
 */
static int marker_create(int dirfd, bool *created)
{
	int fd = openat(dirfd, STAMP_PENDING_MARKER,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

	*created = fd >= 0;
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return fsync(dirfd) < 0 ? -errno : 0;
}

/* Removed only after a stamp without pending marks is on disk. */
static int marker_remove(int dirfd)
{
	if (unlinkat(dirfd, STAMP_PENDING_MARKER, 0) < 0)
		return errno == ENOENT ? 0 : -errno;
	return fsync(dirfd) < 0 ? -errno : 0;
}

int stamp_marker_sync(int dirfd, const struct stamp *stamp)
{
	bool created;

	return has_pending(stamp) ? marker_create(dirfd, &created) : marker_remove(dirfd);
}

int stamp_write(int dirfd, const struct stamp *stamp)
{
	bool pending = has_pending(stamp), created = false, renamed = false;
	CLEANUP_FREE char *text = NULL;
	int r = stamp_format(stamp, &text);

	if (r == 0 && pending)
		r = marker_create(dirfd, &created);
	if (r == 0)
		r = file_write_atomic(dirfd, STAMP_FILE, STAMP_TMP, text, strlen(text), 0644,
				      &renamed);
	if (r == 0 && !pending)
		r = marker_remove(dirfd);
	/* A run that could not write its stamp changes nothing: the marker it made goes. */
	if (r < 0 && created && !renamed)
		unlinkat(dirfd, STAMP_PENDING_MARKER, 0);
	return r;
}
