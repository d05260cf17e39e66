/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "layout/layout.h"

/*
 * The keys of a layout file, one row each (layout/keys.c): the section it
 * belongs in, how its value is parsed, and the rules the parser applies
 * to it. A new key is a row, its value parser, and the field it fills.
 */

enum layout_section {
	SECTION_NONE,
	SECTION_MATCH,
	SECTION_REGION,
	SECTION_NAMESPACE,
};

struct layout_key {
	enum layout_section section;
	const char *name;
	/*
	 * Parses VALUE into L, or for [Namespace] into NS (its section's);
	 * a [Match] key is given each of its blank-separated words in turn.
	 * Returns NULL, or what a valid value is, for the message.
	 */
	const char *(*parse)(const char *value, struct layout *l, struct layout_ns *ns);
	bool required;        /* [Namespace]: every namespace must have it */
	unsigned int modes;   /* [Namespace]: the modes it may be given for (bits); 0 for any */
	const char *only;     /* with modes: which, in words */
};

/* More than the table has rows: the parser keeps the line of each key per section. */
#define LAYOUT_KEYS_MAX 16

extern const struct layout_key layout_keys[];
extern const unsigned int layout_n_keys;

/* The row of KEY in SECTION; NULL for none. */
const struct layout_key *layout_key(enum layout_section section, const char *key);
