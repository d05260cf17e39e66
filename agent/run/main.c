// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "backend/backend.h"
#include "core/options.h"
#include "run/run.h"
#include "shared/log.h"

int main(int argc, char **argv)
{
	struct backend *backend = NULL;
	struct options opts;
	char error[256];
	int r;

	if (options_parse(argc, argv, &opts, error, sizeof(error)) < 0) {
		fprintf(stderr, "nvdimm-label-init: %s (see --help)\n", error);
		return EXIT_USAGE;
	}
	if (opts.mode == MODE_HELP) {
		options_print_help();
		return 0;
	}
	if (opts.mode == MODE_VERSION) {
		printf("nvdimm-label-init %s\n", PACKAGE_VERSION);
		return 0;
	}
	log_setup(opts.log_target, opts.log_priority);
	r = backend_new(&backend);
	if (r < 0) {
		log_errno(r, "cannot start");
		return 1;
	}
	r = run_program(&opts, &backend_ops, backend);
	backend_free(backend);
	return r;
}
