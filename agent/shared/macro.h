/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * agent/shared/: what every component uses and nothing device-specific: logging
 * and its message table, file I/O, parsing, names and uuids, the lock.
 */

/* Elements of an array; never use it on a pointer. */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A number macro's value as a string literal. */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* A parameter that a callback's type imposes but this callback does not need. */
#define UNUSED __attribute__((unused))

/* An enum value's name from a table indexed by the enum, guarded against stray values. */
#define NAME_OF(names, i) ((size_t)(i) < ARRAY_SIZE(names) ? (names)[i] : "unknown")

/*
 * Makes room for one more element at the end of ARRAY (COUNT elements,
 * pointer and count lvalues): 0, or -ENOMEM with the array as it was. The
 * caller fills the element in and counts it.
 */
#define ARRAY_GROW(array, count)                                                      \
	({                                                                            \
		__typeof__(array) grown_ = reallocarray((array), (count) + 1, sizeof(*(array))); \
		if (grown_)                                                           \
			(array) = grown_;                                             \
		grown_ ? 0 : -ENOMEM;                                                 \
	})

/* Takes element I out of ARRAY (COUNT elements), keeping the order of the rest. */
#define ARRAY_REMOVE(array, count, i)                                                 \
	do {                                                                          \
		size_t at_ = (i);                                                     \
		memmove(&(array)[at_], &(array)[at_ + 1], ((count) - at_ - 1) * sizeof(*(array))); \
		(count)--;                                                            \
	} while (0)

/*
 * Variables that clean up after themselves when they go out of scope, so
 * that a function has one way out however it fails.
 */
void cleanup_free(void *p);
void cleanup_close(const int *fd);
#define CLEANUP_FREE __attribute__((cleanup(cleanup_free)))
#define CLEANUP_CLOSE __attribute__((cleanup(cleanup_close)))
