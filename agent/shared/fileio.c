// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "shared/fileio.h"
#include "shared/macro.h"

int file_open_at(int dirfd, const char *name, int flags, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

int file_read_fd(int fd, size_t max, char **text, size_t *len)
{
	/* One byte past MAX: a file growing meanwhile is still caught. */
	char *buf = malloc(max + 2);
	size_t got = 0;
	ssize_t n = 0;

	if (!buf)
		return -ENOMEM;
	while (got <= max && (n = read(fd, buf + got, max + 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	if (n < 0 || got > max) {
		int r = n < 0 ? -errno : -EFBIG;

		free(buf);
		return r;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int file_write_atomic(int dirfd, const char *name, const char *tmp, const char *text,
		      size_t len, mode_t mode, bool *renamed)
{
	bool moved = false;
	int fd, r = 0;

	if (unlinkat(dirfd, tmp, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, text, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0) {
		moved = renameat(dirfd, tmp, dirfd, name) == 0;
		if (!moved)
			r = -errno;
	}
	if (r == 0 && fsync(dirfd) < 0)
		r = -errno;
	if (r < 0 && !moved)
		unlinkat(dirfd, tmp, 0);
	if (renamed)
		*renamed = moved;
	return r;
}

void cleanup_free(void *p)
{
	free(*(void **)p);
}

void cleanup_close(const int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
