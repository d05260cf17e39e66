// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/options.h"
#include "shared/names.h"

#ifndef STATE_DIR
#define STATE_DIR "/var/lib/nvdimm-label-init"
#endif

enum {
	ARG_JSON = 0x100,
	ARG_LABEL_VERSION,
	ARG_STATE_DIR,
	ARG_LOG,
};

static const struct option long_options[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "status", no_argument, NULL, 's' },
	{ "json", no_argument, NULL, ARG_JSON },
	{ "region", required_argument, NULL, 'r' },
	{ "force", no_argument, NULL, 'f' },
	{ "label-version", required_argument, NULL, ARG_LABEL_VERSION },
	{ "state-dir", required_argument, NULL, ARG_STATE_DIR },
	{ "log", required_argument, NULL, ARG_LOG },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

const char *label_version_name(enum label_version v)
{
	return v == LABEL_VERSION_1_2 ? "1.2" : "1.1";
}

void options_print_help(void)
{
	printf("Usage: nvdimm-label-init [OPTIONS]\n"
	       "\n"
	       "Initialize the labels of label-less NVDIMM regions, so that namespaces can be\n"
	       "created in them. Without options, every region is examined and each label-less\n"
	       "one whose raw namespace is unused and holds no data is initialized. Then the\n"
	       "namespaces that layout files declare are created where they are missing\n"
	       "(see nvdimm-label-init.layout(5)).\n"
	       "\n"
	       "  -n, --dry-run              decide and report, layouts included; change nothing\n"
	       "  -s, --status               show the state of regions and dimms, the layout plan,\n"
	       "                             and what a run would do\n"
	       "      --json                 with --status: print JSON\n"
	       "  -r, --region=regionN       only this region (repeatable)\n"
	       "  -f, --force                initialize even if the raw namespace holds a signature\n"
	       "                             (filesystem, partition table...) or cannot be read;\n"
	       "                             never overrides a namespace in use or configured\n"
	       "      --label-version=1.1|1.2  label format to write (default 1.1)\n"
	       "      --state-dir=DIR        where the stamp and lock live\n"
	       "                             (default " STATE_DIR ")\n"
	       "      --log=auto|journal|console  where messages go (default auto: console when\n"
	       "                             stderr is a terminal, else the journal)\n"
	       "  -v, --verbose              also log debug messages\n"
	       "  -q, --quiet                log only warnings and errors\n"
	       "  -V, --version              print the version\n"
	       "  -h, --help                 print this help\n"
	       "\n"
	       "Exit status: 0 all considered regions are labelled, were initialized or skipped;\n"
	       "1 a region or a layout was refused or failed, a layout file is unusable, or a\n"
	       "runtime error; 2 bad usage.\n"
	       "See nvdimm-label-init(8).\n");
}

/* The message quotes user input: keep it to one printable line. */
static int one_line(char *errbuf)
{
	for (char *p = errbuf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -EINVAL;
}

#define fail(errbuf, errlen, ...) (snprintf(errbuf, errlen, __VA_ARGS__), one_line(errbuf))

int options_parse(int argc, char **argv, struct options *opts, char *errbuf, size_t errlen)
{
	bool dry_run = false, status = false, verbose = false, quiet = false;
	int c;

	*opts = (struct options){
		.mode = MODE_APPLY,
		.label_version = LABEL_VERSION_1_1,
		.state_dir = STATE_DIR,
		.log_target = LOG_TARGET_AUTO,
		.log_priority = LOG_INFO,
		.lock_timeout_ms = 60000,
		.layout_root = "",
	};
	/* 0 rather than 1 resets getopt fully, so the parser can be called again (tests, fuzzing). */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":nsr:fvqVh", long_options, NULL)) != -1) {
		switch (c) {
		case 'n':
			dry_run = true;
			break;
		case 's':
			status = true;
			break;
		case ARG_JSON:
			opts->json = true;
			break;
		case 'r':
			if (!region_name_valid(optarg))
				return fail(errbuf, errlen,
					    "--region: '%s' is not a region name like region0", optarg);
			if (options_region_selected(opts, optarg) && opts->n_regions)
				break;
			if (opts->n_regions == OPTIONS_MAX_REGIONS)
				return fail(errbuf, errlen, "--region: more than %d regions",
					    OPTIONS_MAX_REGIONS);
			opts->regions[opts->n_regions++] = optarg;
			break;
		case 'f':
			opts->force = true;
			break;
		case ARG_LABEL_VERSION:
			if (strcmp(optarg, "1.1") == 0)
				opts->label_version = LABEL_VERSION_1_1;
			else if (strcmp(optarg, "1.2") == 0)
				opts->label_version = LABEL_VERSION_1_2;
			else
				return fail(errbuf, errlen,
					    "--label-version: '%s' is not 1.1 or 1.2", optarg);
			break;
		case ARG_STATE_DIR:
			if (optarg[0] != '/')
				return fail(errbuf, errlen,
					    "--state-dir: '%s' is not an absolute path", optarg);
			opts->state_dir = optarg;
			break;
		case ARG_LOG:
			if (strcmp(optarg, "auto") == 0)
				opts->log_target = LOG_TARGET_AUTO;
			else if (strcmp(optarg, "journal") == 0)
				opts->log_target = LOG_TARGET_JOURNAL;
			else if (strcmp(optarg, "console") == 0)
				opts->log_target = LOG_TARGET_CONSOLE;
			else
				return fail(errbuf, errlen,
					    "--log: '%s' is not auto, journal or console", optarg);
			break;
		case 'v':
			verbose = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'V':
			opts->mode = MODE_VERSION;
			return 0;
		case 'h':
			opts->mode = MODE_HELP;
			return 0;
		case ':':
			return fail(errbuf, errlen, "option '%s' needs a value", argv[optind - 1]);
		default:
			return fail(errbuf, errlen, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(errbuf, errlen, "unexpected argument '%s'", argv[optind]);
	if (dry_run && status)
		return fail(errbuf, errlen, "%s", "--dry-run and --status exclude each other");
	if (opts->json && !status)
		return fail(errbuf, errlen, "%s", "--json only goes with --status");
	if (verbose && quiet)
		return fail(errbuf, errlen, "%s", "--verbose and --quiet exclude each other");
	opts->mode = status ? MODE_STATUS : dry_run ? MODE_DRY_RUN : MODE_APPLY;
	opts->log_priority = verbose ? LOG_DEBUG : quiet ? LOG_WARNING : LOG_INFO;
	return 0;
}

bool options_region_selected(const struct options *opts, const char *region)
{
	if (opts->n_regions == 0)
		return true;
	for (size_t i = 0; i < opts->n_regions; i++)
		if (strcmp(opts->regions[i], region) == 0)
			return true;
	return false;
}
