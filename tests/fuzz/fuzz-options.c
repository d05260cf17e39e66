// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the command-line parser: the input is split at NUL
 * bytes into arguments. A rejected command line must come with a one-line
 * message; an accepted one must be self-consistent.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2] = { "nvdimm-label-init" };
	char *copy = malloc(size + 1);
	struct options opts;
	char err[256] = "";
	int argc = 1;
	size_t start = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (copy[i] != '\0')
			continue;
		argv[argc++] = copy + start;
		start = i + 1;
	}
	argv[argc] = NULL;
	if (options_parse(argc, argv, &opts, err, sizeof(err)) < 0) {
		if (err[0] == '\0' || strchr(err, '\n'))
			abort();
	} else {
		if (opts.n_regions > OPTIONS_MAX_REGIONS || !opts.state_dir ||
		    opts.state_dir[0] != '/' || (opts.json && opts.mode != MODE_STATUS &&
						 opts.mode != MODE_HELP && opts.mode != MODE_VERSION))
			abort();
	}
	free(copy);
	return 0;
}
