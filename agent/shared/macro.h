/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * agent/shared/: what every component uses and nothing device-specific: logging
 * and its message table, file I/O, parsing, names and uuids, the lock.
 */

/* Elements of an array; never use it on a pointer. */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A parameter that a callback's type imposes but this callback does not need. */
#define UNUSED __attribute__((unused))

/* An enum value's name from a table indexed by the enum, guarded against stray values. */
#define NAME_OF(names, i) ((size_t)(i) < ARRAY_SIZE(names) ? (names)[i] : "unknown")

/*
 * Variables that clean up after themselves when they go out of scope, so
 * that a function has one way out however it fails.
 */
void cleanup_free(void *p);
void cleanup_close(const int *fd);
#define CLEANUP_FREE __attribute__((cleanup(cleanup_free)))
#define CLEANUP_CLOSE __attribute__((cleanup(cleanup_close)))
