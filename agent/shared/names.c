// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <limits.h>
#include <string.h>

#include "shared/names.h"
#include "shared/parse.h"

bool nsname_valid(const char *name)
{
	size_t len = strnlen(name, NSNAME_MAX);

	return len > 0 && len < NSNAME_MAX && strspn(name, NSNAME_CHARS) == len &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

bool id_valid(const char *id)
{
	size_t len = strnlen(id, ID_MAX);

	return len > 0 && len < ID_MAX && strspn(id, ID_CHARS) == len;
}

bool machine_id_valid(const char *id)
{
	size_t len = strnlen(id, MACHINE_ID_MAX);

	return len == MACHINE_ID_MAX - 1 && strspn(id, "0123456789abcdef") == len;
}

bool region_name_valid(const char *name)
{
	unsigned long long n;

	return strncmp(name, "region", 6) == 0 && !(name[6] == '0' && name[7]) &&
	       parse_number(name + 6, INT_MAX, &n);
}
