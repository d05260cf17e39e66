// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/options.h"
#include "shared/names.h"
#include "shared/parse.h"

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

/* The values of --label-version and --log, in their enums' order. */
static const char *const label_versions[] = {
	[LABEL_VERSION_1_1] = "1.1",
	[LABEL_VERSION_1_2] = "1.2",
};

static const char *const log_targets[] = {
	[LOG_TARGET_AUTO] = "auto",
	[LOG_TARGET_JOURNAL] = "journal",
	[LOG_TARGET_CONSOLE] = "console",
};

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

/* What the options say before they are checked against each other. */
struct parse {
	struct options *opts;
	bool dry_run, status, verbose, quiet;
	char *err;
	size_t errlen;
};

static int add_region(struct parse *p, char *region)
{
	struct options *opts = p->opts;

	if (!region_name_valid(region))
		return fail(p->err, p->errlen, "--region: '%s' is not a region name like region0",
			    region);
	if (options_region_selected(opts, region) && opts->n_regions)
		return 0;
	if (opts->n_regions == OPTIONS_MAX_REGIONS)
		return fail(p->err, p->errlen, "--region: more than %d regions",
			    OPTIONS_MAX_REGIONS);
	opts->regions[opts->n_regions++] = region;
	return 0;
}

/* One option C with its value ARG; 1 when it ends the parsing (--help, --version). */
static int option(struct parse *p, int c, char *arg, const char *given)
{
	struct options *opts = p->opts;
	int i;

	switch (c) {
	case 'n':
		p->dry_run = true;
		break;
	case 's':
		p->status = true;
		break;
	case ARG_JSON:
		opts->json = true;
		break;
	case 'r':
		return add_region(p, arg);
	case 'f':
		opts->force = true;
		break;
	case 'v':
		p->verbose = true;
		break;
	case 'q':
		p->quiet = true;
		break;
	case 'V':
		opts->mode = MODE_VERSION;
		return 1;
	case 'h':
		opts->mode = MODE_HELP;
		return 1;
	case ARG_LABEL_VERSION:
		if ((i = TABLE_INDEX(label_versions, arg)) < 0)
			return fail(p->err, p->errlen, "--label-version: '%s' is not 1.1 or 1.2", arg);
		opts->label_version = (enum label_version)i;
		break;
	case ARG_STATE_DIR:
		if (arg[0] != '/')
			return fail(p->err, p->errlen, "--state-dir: '%s' is not an absolute path",
				    arg);
		opts->state_dir = arg;
		break;
	case ARG_LOG:
		if ((i = TABLE_INDEX(log_targets, arg)) < 0)
			return fail(p->err, p->errlen, "--log: '%s' is not auto, journal or console",
				    arg);
		opts->log_target = (enum log_target)i;
		break;
	case ':':
		return fail(p->err, p->errlen, "option '%s' needs a value", given);
	default:
		return fail(p->err, p->errlen, "unknown option '%s'", given);
	}
	return 0;
}

/* Options that exclude or need each other; then the mode and the log priority. */
static int combine(struct parse *p)
{
	struct options *opts = p->opts;

	if (p->dry_run && p->status)
		return fail(p->err, p->errlen, "%s", "--dry-run and --status exclude each other");
	if (opts->json && !p->status)
		return fail(p->err, p->errlen, "%s", "--json only goes with --status");
	if (p->verbose && p->quiet)
		return fail(p->err, p->errlen, "%s", "--verbose and --quiet exclude each other");
	opts->mode = p->status ? MODE_STATUS : p->dry_run ? MODE_DRY_RUN : MODE_APPLY;
	opts->log_priority = p->verbose ? LOG_DEBUG : p->quiet ? LOG_WARNING : LOG_INFO;
	return 0;
}

int options_parse(int argc, char **argv, struct options *opts, char *errbuf, size_t errlen)
{
	struct parse p = { .opts = opts, .err = errbuf, .errlen = errlen };
	int c, r = 0;

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
	while (r == 0 && (c = getopt_long(argc, argv, ":nsr:fvqVh", long_options, NULL)) != -1)
		r = option(&p, c, optarg, argv[optind - 1]);
	if (r != 0)
		return r < 0 ? r : 0;
	if (optind < argc)
		return fail(errbuf, errlen, "unexpected argument '%s'", argv[optind]);
	return combine(&p);
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
