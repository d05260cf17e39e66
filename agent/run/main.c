// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <systemd/sd-id128.h>

#include "backend/backend.h"
#include "core/options.h"
#include "run/run.h"
#include "shared/log.h"

_Static_assert(sizeof(((struct options *)0)->machine_id) >= SD_ID128_STRING_MAX,
	       "a machine id fits in the options");

int main(int argc, char **argv)
{
	struct backend *backend = NULL;
	struct options opts;
	sd_id128_t machine;
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
	/* An image's empty /etc/machine-id has one by now: systemd made it at boot. */
	if (sd_id128_get_machine(&machine) == 0)
		sd_id128_to_string(machine, opts.machine_id);
	r = backend_new(&backend);
	if (r < 0) {
		log_errno(r, "cannot start");
		return 1;
	}
	r = run_program(&opts, &backend_ops, backend);
	backend_free(backend);
	return r;
}
