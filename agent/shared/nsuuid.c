// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "shared/nsuuid.h"

static bool dash_at(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

bool nsuuid_valid(const char *text)
{
	if (strlen(text) != SNAP_UUID_MAX - 1)
		return false;
	for (size_t i = 0; text[i]; i++)
		if (dash_at(i) ? text[i] != '-' : !strchr("0123456789abcdef", text[i]))
			return false;
	return true;
}

void nsuuid_format(const unsigned char bytes[NSUUID_BYTES], char text[SNAP_UUID_MAX])
{
	bool zero = true;
	char *p = text;

	for (size_t i = 0; i < NSUUID_BYTES; i++)
		zero &= bytes[i] == 0;
	for (size_t i = 0; i < NSUUID_BYTES && !zero; i++) {
		p += sprintf(p, "%02x", bytes[i]);
		if (dash_at((size_t)(p - text)))
			*p++ = '-';
	}
	*p = '\0';
}

/* C is a lower-case hex digit: nsuuid_valid() said so. */
static unsigned int hex_value(char c)
{
	return c <= '9' ? (unsigned int)(c - '0') : (unsigned int)(c - 'a' + 10);
}

int nsuuid_parse(const char *text, unsigned char bytes[NSUUID_BYTES])
{
	size_t j = 0;

	if (!nsuuid_valid(text))
		return -EINVAL;
	for (size_t i = 0; text[i]; i += 2) {
		if (text[i] == '-')
			i++;
		bytes[j++] = (unsigned char)(hex_value(text[i]) << 4 | hex_value(text[i + 1]));
	}
	return 0;
}

int nsuuid_random(unsigned char bytes[NSUUID_BYTES])
{
	ssize_t n = getrandom(bytes, NSUUID_BYTES, 0);

	if (n < 0)
		return -errno;
	if (n != NSUUID_BYTES)
		return -EIO;
	/* RFC 4122: version 4 (random), variant 10. */
	bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40);
	bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80);
	return 0;
}
