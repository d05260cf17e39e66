// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

#include "shared/lock.h"

#define LOCK_POLL_MS 50

int lock_take(int dirfd, unsigned int timeout_ms)
{
	const struct timespec poll = { 0, LOCK_POLL_MS * 1000000L };
	unsigned int waited = 0;
	int fd;

	fd = openat(dirfd, LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;

		if (err == EINTR)
			continue;
		if (err != EWOULDBLOCK || waited >= timeout_ms) {
			close(fd);
			return err == EWOULDBLOCK ? -ETIMEDOUT : -err;
		}
		nanosleep(&poll, NULL);
		waited += LOCK_POLL_MS;
	}
	return fd;
}
