// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "shared/macro.h"
#include "shared/parse.h"

bool parse_digits(const char *s, const char **end, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *c = s;

	for (; *c >= '0' && *c <= '9'; c++) {
		if (v > (ULLONG_MAX - (unsigned long long)(*c - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long long)(*c - '0');
	}
	*end = c;
	*out = v;
	return c != s;
}

bool parse_number(const char *s, unsigned long long max, unsigned long long *out)
{
	const char *end;

	return parse_digits(s, &end, out) && !*end && *out <= max;
}

bool parse_bytes(const char *s, unsigned long long *out)
{
	static const char suffixes[] = "KMGT";
	const char *end, *suffix;
	unsigned long long v;
	unsigned int shift;

	if (!parse_digits(s, &end, &v))
		return false;
	if (!*end) {
		*out = v;
		return true;
	}
	suffix = strchr(suffixes, *end);
	if (!suffix || end[1])
		return false;
	shift = 10 * (unsigned int)(suffix - suffixes + 1);
	if (v > ULLONG_MAX >> shift)
		return false;
	*out = v << shift;
	return true;
}

bool parse_boolean(const char *s, bool *out)
{
	static const char *const no[] = { "no", "false", "off", "0" };
	static const char *const yes[] = { "yes", "true", "on", "1" };

	if (TABLE_INDEX(yes, s) >= 0 || TABLE_INDEX(no, s) >= 0) {
		*out = TABLE_INDEX(yes, s) >= 0;
		return true;
	}
	return false;
}

bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

bool conf_file_name(const char *name)
{
	return name[0] != '.' && ends_with(name, ".conf");
}

char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int table_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}
