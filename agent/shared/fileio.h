/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Reading and writing the few files the program keeps or reads (the
 * stamp, layout files, daxctl's configuration), the careful way once:
 * bounded reads that a FIFO or a growing file cannot stall or overrun, and
 * writes that a crash leaves either old or new, never half.
 */

/*
 * Opens NAME of directory DIRFD (or a path, with AT_FDCWD) for reading,
 * never blocking and never becoming a terminal, with FLAGS added
 * (O_NOFOLLOW where a link must not be followed), and fstat()s it into
 * ST. Returns the descriptor or a negative errno.
 */
int file_open_at(int dirfd, const char *name, int flags, struct stat *st);
/*
 * The rest of FD, whole, NUL-terminated in *TEXT (LEN bytes without it);
 * -EFBIG when it holds more than MAX bytes, or grows past them while read.
 */
int file_read_fd(int fd, size_t max, char **text, size_t *len);
/*
 * TEXT as NAME of DIRFD, whole or not at all: written to TMP (a leftover
 * or a planted link there is removed first, never written through),
 * fsync()ed, renamed over NAME, and the directory fsync()ed. *RENAMED (if
 * not NULL) tells a failure after the rename, with the new file in place,
 * from one before it.
 */
int file_write_atomic(int dirfd, const char *name, const char *tmp, const char *text,
		      size_t len, mode_t mode, bool *renamed);
