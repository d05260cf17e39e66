/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/log.h"
#include "shared/names.h"

enum label_version {
	LABEL_VERSION_1_1,
	LABEL_VERSION_1_2,
};

enum run_mode {
	MODE_APPLY,
	MODE_DRY_RUN,
	MODE_STATUS,
	MODE_HELP,
	MODE_VERSION,
};

#define OPTIONS_MAX_REGIONS 64

struct options {
	enum run_mode mode;
	bool json;
	bool force;
	enum label_version label_version;
	const char *state_dir;
	enum log_target log_target;
	int log_priority;
	unsigned int lock_timeout_ms; /* not on the command line: tests shorten it */
	const char *layout_root;      /* "" but in tests, which give the layout.d their own tree */
	/* This machine's id, main() reads it; "" where there is none. */
	char machine_id[MACHINE_ID_MAX];
	size_t n_regions;
	const char *regions[OPTIONS_MAX_REGIONS];
};

/*
 * Parses argv without side effects (no exit, no output). On error returns
 * -EINVAL with a one-line message in errbuf.
 */
int options_parse(int argc, char **argv, struct options *opts, char *errbuf, size_t errlen);
bool options_region_selected(const struct options *opts, const char *region);
void options_print_help(void);
