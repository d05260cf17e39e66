/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Parsing of the values a file or the command line gives: strict, so that
 * nothing a C library function would let through (blanks, signs, "0x",
 * overflow) slips in. Each returns false for text that is not one.
 */

/* Decimal digits only, at least one; *END points past them. */
bool parse_digits(const char *s, const char **end, unsigned long long *out);
/* The whole of S: decimal digits, at most MAX. */
bool parse_number(const char *s, unsigned long long max, unsigned long long *out);
/* N, or N followed by K, M, G or T (powers of 1024), without overflow. */
bool parse_bytes(const char *s, unsigned long long *out);
/* yes/true/on/1 or no/false/off/0. */
bool parse_boolean(const char *s, bool *out);
/* Whether S ends in SUFFIX (and has more before it). */
bool ends_with(const char *s, const char *suffix);
/*
 * A configuration file's name as systemd's and daxctl's directories take
 * it: ending in ".conf", not hidden (editors' and package managers'
 * leftovers start with a dot).
 */
bool conf_file_name(const char *name);
/* S without blanks (isspace) at either end, cut in place. */
char *trim(char *s);

/*
 * A string table: NAMES indexed by an enum, each value's name. The index
 * of NAME, or -1 for none, so that one table serves both directions.
 */
int table_index(const char *const *names, size_t n, const char *name);
#define TABLE_INDEX(names, name) table_index(names, sizeof(names) / sizeof((names)[0]), name)
