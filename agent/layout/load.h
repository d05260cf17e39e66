/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "layout/layout.h"

/*
 * Reads the *.conf files of ROOT LAYOUT_ETC_DIR and ROOT LAYOUT_LIB_DIR
 * (ROOT is "" on a running system, another directory in tests). A file in
 * the first hides the file of the same name in the second; an empty one,
 * or a link to /dev/null, hides it and is not read. The files are parsed in
 * the lexical order of their names. Returns 0 (no files: an empty set),
 * or a negative errno with a one-line message in err naming the file (and
 * the line, for -EINVAL from the parser): a set with one bad file is not
 * used at all, since the files after it could match regions it was meant for.
 */
int layout_load_dirs(const char *root, struct layout_set *out, char *err, size_t errlen);
