// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the stamp parser. Besides not crashing, whatever
 * parses must format back into text that parses to the same stamp.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/stamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stamp a = { 0 }, b = { 0 };
	const char *why;
	char *text = NULL;

	if (stamp_parse((const char *)data, size, &a, &why) < 0) {
		if (!why)
			abort();
		return 0;
	}
	if (stamp_format(&a, &text) < 0)
		abort();
	if (stamp_parse(text, strlen(text), &b, &why) < 0 || !stamp_equal(&a, &b))
		abort();
	free(text);
	stamp_clear(&a);
	stamp_clear(&b);
	return 0;
}
