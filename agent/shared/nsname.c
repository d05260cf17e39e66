// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <string.h>

#include "shared/nsname.h"

bool nsname_valid(const char *name)
{
	size_t len = strnlen(name, NSNAME_MAX);

	return len > 0 && len < NSNAME_MAX && strspn(name, NSNAME_CHARS) == len &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}
