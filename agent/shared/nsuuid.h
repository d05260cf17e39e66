/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "core/snapshot.h"

/*
 * Namespace uuids in their canonical text form (SNAP_UUID_MAX), the one the
 * snapshot, the stamp and ndctl list show: 8-4-4-4-12 lower-case hex digits.
 * Made here from getrandom(), so that no uuid library is needed.
 */
#define NSUUID_BYTES 16

bool nsuuid_valid(const char *text);
/* An all-zero uuid means none (a namespace without labels): the text is then empty. */
void nsuuid_format(const unsigned char bytes[NSUUID_BYTES], char text[SNAP_UUID_MAX]);
/* Returns 0, or -EINVAL when TEXT is not a uuid. */
int nsuuid_parse(const char *text, unsigned char bytes[NSUUID_BYTES]);
/* A random (version 4) uuid. Returns 0 or a negative errno. */
int nsuuid_random(unsigned char bytes[NSUUID_BYTES]);
