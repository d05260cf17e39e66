// SPDX-License-Identifier: GPL-2.0-or-later
/* Command-line parsing: every option, and missing, empty, repeated and bad values. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/options.h"
#include "shared/macro.h"

/* A typed sentinel: a bare NULL in a variadic call may not be a pointer. */
#define END ((char *)NULL)

static int parse(struct options *o, char *err, ...)
{
	char *argv[16] = { "nvdimm-label-init" };
	int argc = 1;
	va_list ap;

	va_start(ap, err);
	for (char *a = va_arg(ap, char *); a; a = va_arg(ap, char *))
		argv[argc++] = a;
	va_end(ap);
	err[0] = '\0';
	return options_parse(argc, argv, o, err, 256);
}

static void defaults(void **state UNUSED)
{
	struct options o;
	char err[256];

	assert_int_equal(parse(&o, err, END), 0);
	assert_int_equal(o.mode, MODE_APPLY);
	assert_false(o.force);
	assert_false(o.json);
	assert_int_equal(o.label_version, LABEL_VERSION_1_1);
	assert_string_equal(o.state_dir, STATE_DIR);
	assert_int_equal(o.log_target, LOG_TARGET_AUTO);
	assert_int_equal(o.log_priority, LOG_INFO);
	assert_int_equal(o.n_regions, 0);
	assert_true(options_region_selected(&o, "region3"));
}

static void every_option(void **state UNUSED)
{
	struct options o;
	char err[256];

	assert_int_equal(parse(&o, err, "-n", "-r", "region1", "--region=region12", "-f",
			       "--label-version", "1.2", "--state-dir=/run/x", "--log=console",
			       "-v", END), 0);
	assert_int_equal(o.mode, MODE_DRY_RUN);
	assert_true(o.force);
	assert_int_equal(o.label_version, LABEL_VERSION_1_2);
	assert_string_equal(o.state_dir, "/run/x");
	assert_int_equal(o.log_target, LOG_TARGET_CONSOLE);
	assert_int_equal(o.log_priority, LOG_DEBUG);
	assert_int_equal(o.n_regions, 2);
	assert_true(options_region_selected(&o, "region12"));
	assert_false(options_region_selected(&o, "region2"));

	assert_int_equal(parse(&o, err, "--status", "--json", "-q", "--log", "journal", END), 0);
	assert_int_equal(o.mode, MODE_STATUS);
	assert_true(o.json);
	assert_int_equal(o.log_priority, LOG_WARNING);
	assert_int_equal(o.log_target, LOG_TARGET_JOURNAL);

	assert_int_equal(parse(&o, err, "--help", END), 0);
	assert_int_equal(o.mode, MODE_HELP);
	assert_int_equal(parse(&o, err, "-V", END), 0);
	assert_int_equal(o.mode, MODE_VERSION);
}

static void repeated_region_counted_once(void **state UNUSED)
{
	struct options o;
	char err[256];

	assert_int_equal(parse(&o, err, "-r", "region0", "-r", "region0", END), 0);
	assert_int_equal(o.n_regions, 1);
}

static void bad(void **state UNUSED)
{
	static const char *const cases[][4] = {
		{ "--region", NULL },
		{ "--region=", NULL },
		{ "--region", "nmem0", NULL },
		{ "--region", "region", NULL },
		{ "--region", "region-1", NULL },
		{ "--region", "region0x", NULL },
		{ "--region", "region12345678901", NULL },
		{ "--label-version", NULL },
		{ "--label-version=", NULL },
		{ "--label-version", "1.3", NULL },
		{ "--label-version", "2", NULL },
		{ "--state-dir", NULL },
		{ "--state-dir=", NULL },
		{ "--state-dir", "relative", NULL },
		{ "--log", "syslog", NULL },
		{ "--log=", NULL },
		{ "--json", NULL },
		{ "--dry-run", "--status", NULL },
		{ "-v", "-q", NULL },
		{ "--bogus", NULL },
		{ "-x", NULL },
		{ "extra", NULL },
		{ "--force=yes", NULL },
		/* Found by fuzzing: a value with a newline must not split the message. */
		{ "--label-version=1.2\n--x", NULL },
		{ "--log", "con\x1bsole", NULL },
	};
	struct options o;
	char err[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *argv[6] = { "nvdimm-label-init" };
		int argc = 1;

		for (size_t j = 0; j < 4 && cases[i][j]; j++)
			argv[argc++] = (char *)cases[i][j];
		err[0] = '\0';
		assert_int_equal(options_parse(argc, argv, &o, err, sizeof(err)), -EINVAL);
		/* One line that names the problem. */
		assert_true(strlen(err) > 0);
		assert_null(strchr(err, '\n'));
	}
}

static void too_many_regions(void **state UNUSED)
{
	static char names[OPTIONS_MAX_REGIONS + 1][16];
	char *argv[2 * (OPTIONS_MAX_REGIONS + 1) + 1] = { "nvdimm-label-init" };
	struct options o;
	char err[256];
	int argc = 1;

	for (int i = 0; i <= OPTIONS_MAX_REGIONS; i++) {
		snprintf(names[i], sizeof(names[i]), "region%d", i);
		argv[argc++] = "-r";
		argv[argc++] = names[i];
	}
	assert_int_equal(options_parse(argc, argv, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(every_option),
		cmocka_unit_test(repeated_region_counted_once),
		cmocka_unit_test(bad),
		cmocka_unit_test(too_many_regions),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
