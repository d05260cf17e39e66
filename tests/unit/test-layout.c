// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Layout files: the parser on good files and on each kind of bad one (the
 * exact "FILE:LINE: message"), and the loader's merge, override and mask
 * rules over a directory tree standing in for / .
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "layout/load.h"
#include "shared/macro.h"

#define GIB (1ULL << 30)
#define MIB (1ULL << 20)

static int parse(const char *text, struct layout *l, char *err)
{
	err[0] = '\0';
	return layout_parse("t.conf", text, strlen(text), l, err, 512);
}

static struct layout *parse_ok(const char *text)
{
	struct layout *l = calloc(1, sizeof(*l));
	char err[512];

	assert_non_null(l);
	if (parse(text, l, err) != 0)
		fail_msg("%s", err);
	return l;
}

static void full_file(void **state UNUSED)
{
	struct layout *l = parse_ok(
		"# a comment\n"
		"; another\n"
		"\n"
		"[Match]\n"
		"Region = region0 region12\n"
		"Region=region3\n"
		"NumaNode=1\n"
		"DimmId=8089-a1-1811-00000058\n"
		"InterleaveSetId=0x1f -2\n"
		"InterleaveSetId=13312958398157623569\n"
		"Provider=ACPI.NFIT ramdax\n"
		"\n"
		"[Region]\n"
		"ConvertRaw=no\n"
		"\n"
		"[Namespace]\n"
		"Name=fs\n"
		"Mode=fsdax\n"
		"Size=2G\n"
		"Align=2M\n"
		"\n"
		"[Namespace]\r\n"
		"\tSize = 10%\r\n"
		"Mode=devdax\n"
		"Name=app.data_1\n"
		"Memory=system-ram-movable\n"
		"Align=1G\n"
		"[Namespace]\n"
		"Name=blk\n"
		"Mode=sector\n"
		"SectorSize=4096\n"
		"Size=rest\n");

	assert_string_equal(l->path, "t.conf");
	assert_int_equal(l->match.n_regions, 3);
	assert_string_equal(l->match.regions[0], "region0");
	assert_string_equal(l->match.regions[1], "region12");
	assert_string_equal(l->match.regions[2], "region3");
	assert_int_equal(l->match.n_numa_nodes, 1);
	assert_int_equal(l->match.numa_nodes[0], 1);
	assert_int_equal(l->match.n_dimm_ids, 1);
	assert_string_equal(l->match.dimm_ids[0], "8089-a1-1811-00000058");
	assert_int_equal(l->match.n_iset_ids, 3);
	assert_true(l->match.iset_ids[0] == 0x1f);
	assert_true(l->match.iset_ids[1] == 0xfffffffffffffffeULL);
	assert_true(l->match.iset_ids[2] == 13312958398157623569ULL);
	assert_int_equal(l->match.n_providers, 2);
	assert_string_equal(l->match.providers[0], "ACPI.NFIT");
	assert_string_equal(l->match.providers[1], "ramdax");
	assert_false(l->convert_raw);
	assert_int_equal(l->n_ns, 3);

	assert_string_equal(l->ns[0].name, "fs");
	assert_int_equal(l->ns[0].mode, NS_MODE_FSDAX);
	assert_int_equal(l->ns[0].size_kind, LAYOUT_SIZE_BYTES);
	assert_true(l->ns[0].size == 2 * GIB);
	assert_true(l->ns[0].align == 2 * MIB);
	assert_int_equal(l->ns[0].memory, LAYOUT_MEMORY_NONE);
	assert_int_equal(l->ns[0].line, 16);

	assert_string_equal(l->ns[1].name, "app.data_1");
	assert_int_equal(l->ns[1].mode, NS_MODE_DEVDAX);
	assert_int_equal(l->ns[1].size_kind, LAYOUT_SIZE_PERCENT);
	assert_true(l->ns[1].size == 10);
	assert_true(l->ns[1].align == GIB);
	assert_int_equal(l->ns[1].memory, LAYOUT_MEMORY_MOVABLE);

	assert_int_equal(l->ns[2].mode, NS_MODE_SECTOR);
	assert_int_equal(l->ns[2].size_kind, LAYOUT_SIZE_REST);
	assert_int_equal(l->ns[2].sector_size, 4096);
	assert_true(l->ns[2].align == 0);
	free(l);
}

static void sizes(void **state UNUSED)
{
	static const struct { const char *text; unsigned long long bytes; } cases[] = {
		{ "4096", 4096 }, { "4K", 4096 }, { "16M", 16 * MIB }, { "2G", 2 * GIB },
		{ "1T", 1024 * GIB }, { "1", 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[128];
		struct layout *l;

		snprintf(text, sizeof(text), "[Namespace]\nName=a\nMode=raw\nSize=%s\n",
			 cases[i].text);
		l = parse_ok(text);
		assert_int_equal(l->ns[0].size_kind, LAYOUT_SIZE_BYTES);
		assert_true(l->ns[0].size == cases[i].bytes);
		free(l);
	}
}

static void minimal_files(void **state UNUSED)
{
	struct layout *l = parse_ok("");

	/* No [Match]: every region; no [Namespace]: keeps what it matches free. */
	assert_int_equal(l->match.n_regions + l->match.n_numa_nodes + l->match.n_dimm_ids +
			 l->match.n_iset_ids, 0);
	assert_int_equal(l->n_ns, 0);
	free(l);

	l = parse_ok("[Match]\nRegion=region1\n");
	assert_int_equal(l->n_ns, 0);
	free(l);

	l = parse_ok("[Region]\nConvertRaw=yes\n[Namespace]\nName=a\nMode=fsdax\nSize=100%\n");
	assert_true(l->convert_raw);
	free(l);

	l = parse_ok("[Namespace]\nName=a\nMode=fsdax\nSize=rest\n[Region]\nConvertRaw=true\n");
	assert_true(l->convert_raw);
	assert_int_equal(l->ns[0].size_kind, LAYOUT_SIZE_REST);
	free(l);

	l = parse_ok("[Namespace]\nName=a\nMode=devdax\nSize=60%\nMemory=system-ram-normal\n"
		     "[Namespace]\nName=b\nMode=fsdax\nSize=40%\n");
	assert_int_equal(l->ns[0].memory, LAYOUT_MEMORY_NORMAL);
	free(l);
}

struct bad_case {
	const char *title;
	const char *text;
	const char *message;
};

#define NS "[Namespace]\nName=a\nMode=fsdax\nSize=1G\n"
#define LONG_NAME "a123456789b123456789c123456789d123456789e123456789f123456789g123"

static const struct bad_case bad_cases[] = {
	{ "unknown section", "\n[Foo]\n", "t.conf:2: unknown section [Foo]" },
	{ "key before any section", "Name=a\n", "t.conf:1: Name= before any section" },
	{ "unclosed section", "[Namespace\n", "t.conf:1: a section header must end with ']'" },
	{ "unknown key in [Match]", "[Match]\nFoo=1\n", "t.conf:2: unknown key 'Foo' in [Match]" },
	{ "unknown key in [Region]", "[Region]\nConvert=yes\n",
	  "t.conf:2: unknown key 'Convert' in [Region]" },
	{ "unknown key in [Namespace]", NS "name=b\n",
	  "t.conf:5: unknown key 'name' in [Namespace]" },
	{ "not a key=value line", "[Match]\nRegion region0\n",
	  "t.conf:2: not a [Section] nor a Key=value line" },
	{ "no key", "[Match]\n = region0\n", "t.conf:2: a key is missing before '='" },
	{ "no value", "[Match]\nRegion=  \n", "t.conf:2: Region= needs a value" },
	{ "bad region name", "[Match]\nRegion=region0 pmem0\n",
	  "t.conf:2: Region=pmem0: not a region name such as region0" },
	{ "region number missing", "[Match]\nRegion=region\n",
	  "t.conf:2: Region=region: not a region name such as region0" },
	{ "region number with a leading zero", "[Match]\nRegion=region01\n",
	  "t.conf:2: Region=region01: not a region name such as region0" },
	{ "negative NUMA node", "[Match]\nNumaNode=-1\n",
	  "t.conf:2: NumaNode=-1: not a NUMA node number" },
	{ "bad dimm id", "[Match]\nDimmId=a/b\n",
	  "t.conf:2: DimmId=a/b: not a dimm unique id (ndctl list -D shows them as \"id\")" },
	{ "bad provider", "[Match]\nProvider=ACPI/NFIT\n",
	  "t.conf:2: Provider=ACPI/NFIT: not a bus provider such as ACPI.NFIT or ramdax (ndctl "
	  "list -B shows them)" },
	{ "bad interleave set id", "[Match]\nInterleaveSetId=0xfg\n",
	  "t.conf:2: InterleaveSetId=0xfg: not a 64-bit number (decimal, or hexadecimal with 0x)" },
	{ "interleave set id too large", "[Match]\nInterleaveSetId=18446744073709551616\n",
	  "t.conf:2: InterleaveSetId=18446744073709551616: not a 64-bit number (decimal, or "
	  "hexadecimal with 0x)" },
	{ "too many values", "[Match]\nNumaNode=0 1 2 3 4 5 6 7 8\nNumaNode=9 10 11 12 13 14 15 16\n",
	  "t.conf:3: NumaNode=16: more than 16 values" },
	{ "[Match] twice", "[Match]\n[Region]\n[Match]\n",
	  "t.conf:3: [Match] given twice (first at line 1)" },
	{ "ConvertRaw not a boolean", "[Region]\nConvertRaw=maybe\n",
	  "t.conf:2: ConvertRaw=maybe: not yes or no" },
	{ "ConvertRaw twice", "[Region]\nConvertRaw=no\nConvertRaw=no\n",
	  "t.conf:3: ConvertRaw= given twice (first at line 2)" },
	{ "namespace without Name", "[Match]\n[Namespace]\nMode=fsdax\nSize=1G\n",
	  "t.conf:2: [Namespace] without Name=" },
	{ "namespace without Mode", "[Namespace]\nName=a\nSize=1G\n[Namespace]\n",
	  "t.conf:1: [Namespace] without Mode=" },
	{ "namespace without Size", "[Namespace]\nName=a\nMode=raw\n",
	  "t.conf:1: [Namespace] without Size=" },
	{ "key twice in a namespace", NS "Mode=devdax\n",
	  "t.conf:5: Mode= given twice in this [Namespace] (first at line 3)" },
	{ "name too long", "[Namespace]\nName=" LONG_NAME "4\n",
	  "t.conf:2: Name=" LONG_NAME "4: longer than 63 characters" },
	{ "name with a slash", "[Namespace]\nName=a/b\n",
	  "t.conf:2: Name=a/b: only letters, digits, '.', '_' and '-', and the specifiers "
	  "%r and %N; not . or .." },
	{ "name with a blank", "[Namespace]\nName=a b\n",
	  "t.conf:2: Name=a b: only letters, digits, '.', '_' and '-', and the specifiers "
	  "%r and %N; not . or .." },
	{ "name .", "[Namespace]\nName=.\n",
	  "t.conf:2: Name=.: only letters, digits, '.', '_' and '-', and the specifiers "
	  "%r and %N; not . or .." },
	{ "name ..", "[Namespace]\nName=..\n",
	  "t.conf:2: Name=..: only letters, digits, '.', '_' and '-', and the specifiers "
	  "%r and %N; not . or .." },
	{ "an unknown specifier", "[Namespace]\nName=a%x\n",
	  "t.conf:2: Name=a%x: only letters, digits, '.', '_' and '-', and the specifiers "
	  "%r and %N; not . or .." },
	{ "a literal percent sign", "[Namespace]\nName=a%%\n",
	  "t.conf:2: Name=a%%: only letters, digits, '.', '_' and '-', and the specifiers "
	  "%r and %N; not . or .." },
	{ "a specifier cut short", "[Namespace]\nName=a%\n",
	  "t.conf:2: Name=a%: only letters, digits, '.', '_' and '-', and the specifiers "
	  "%r and %N; not . or .." },
	{ "name twice in the file", NS "\n[Namespace]\nMode=raw\nName=a\nSize=1G\n",
	  "t.conf:8: Name=a already declared at line 2" },
	{ "unknown mode", "[Namespace]\nMode=pmem\n",
	  "t.conf:2: Mode=pmem: not fsdax, devdax, sector or raw" },
	{ "size 0", "[Namespace]\nSize=0\n",
	  "t.conf:2: Size=0: not a size (bytes with an optional K, M, G or T, a percentage such "
	  "as 50%, or rest)" },
	{ "size with a bad suffix", "[Namespace]\nSize=10X\n",
	  "t.conf:2: Size=10X: not a size (bytes with an optional K, M, G or T, a percentage "
	  "such as 50%, or rest)" },
	{ "size with a fraction", "[Namespace]\nSize=1.5G\n",
	  "t.conf:2: Size=1.5G: not a size (bytes with an optional K, M, G or T, a percentage "
	  "such as 50%, or rest)" },
	{ "negative size", "[Namespace]\nSize=-1G\n",
	  "t.conf:2: Size=-1G: not a size (bytes with an optional K, M, G or T, a percentage "
	  "such as 50%, or rest)" },
	{ "size overflows", "[Namespace]\nSize=16777216T\n",
	  "t.conf:2: Size=16777216T: not a size (bytes with an optional K, M, G or T, a "
	  "percentage such as 50%, or rest)" },
	{ "0 percent", "[Namespace]\nSize=0%\n", "t.conf:2: Size=0%: a percentage from 1% to 100%" },
	{ "101 percent", "[Namespace]\nSize=101%\n",
	  "t.conf:2: Size=101%: a percentage from 1% to 100%" },
	{ "size twice", NS "Size=60%\n",
	  "t.conf:5: Size= given twice in this [Namespace] (first at line 4)" },
	{ "percentages add up above 100",
	  "[Namespace]\nName=a\nMode=raw\nSize=60%\n[Namespace]\nName=b\nMode=raw\nSize=41%\n",
	  "t.conf:8: the percentages add up to more than 100% of the region" },
	{ "rest not last",
	  "[Namespace]\nName=a\nMode=raw\nSize=rest\n[Namespace]\nName=b\nMode=raw\nSize=1G\n",
	  "t.conf:4: Size=rest must be in the last [Namespace] (another follows at line 5)" },
	{ "rest twice",
	  "[Namespace]\nName=a\nMode=raw\nSize=rest\n[Namespace]\nName=b\nMode=raw\nSize=rest\n",
	  "t.conf:4: Size=rest must be in the last [Namespace] (another follows at line 5)" },
	{ "unsupported Align", "[Namespace]\nAlign=1M\n", "t.conf:2: Align=1M: not 4K, 2M or 1G" },
	{ "Align for sector mode", "[Namespace]\nName=a\nAlign=4K\nMode=sector\nSize=1G\n",
	  "t.conf:3: Align= is only for Mode=fsdax or Mode=devdax" },
	{ "bad sector size", "[Namespace]\nSectorSize=1024\n",
	  "t.conf:2: SectorSize=1024: not 512 or 4096" },
	{ "SectorSize for fsdax", NS "SectorSize=512\n",
	  "t.conf:5: SectorSize= is only for Mode=sector" },
	{ "bad Memory", "[Namespace]\nMemory=system-ram\n",
	  "t.conf:2: Memory=system-ram: not system-ram-movable or system-ram-normal" },
	{ "Memory for fsdax", NS "Memory=system-ram-movable\n[Match]\n",
	  "t.conf:5: Memory= is only for Mode=devdax" },
	{ "ConvertRaw with two namespaces", "[Region]\nConvertRaw=yes\n" NS
	  "[Namespace]\nName=b\nMode=fsdax\nSize=rest\n",
	  "t.conf:2: ConvertRaw=yes needs exactly one [Namespace], with Mode=fsdax and Size=rest "
	  "or 100%: the raw namespace becomes it whole" },
	{ "ConvertRaw with devdax", "[Region]\nConvertRaw=yes\n[Namespace]\nName=a\nMode=devdax\n"
	  "Size=rest\n",
	  "t.conf:2: ConvertRaw=yes needs exactly one [Namespace], with Mode=fsdax and Size=rest "
	  "or 100%: the raw namespace becomes it whole" },
	{ "ConvertRaw with a partial size", "[Region]\nConvertRaw=yes\n" NS,
	  "t.conf:2: ConvertRaw=yes needs exactly one [Namespace], with Mode=fsdax and Size=rest "
	  "or 100%: the raw namespace becomes it whole" },
	{ "ConvertRaw without namespace", "[Region]\nConvertRaw=on\n",
	  "t.conf:2: ConvertRaw=yes needs exactly one [Namespace], with Mode=fsdax and Size=rest "
	  "or 100%: the raw namespace becomes it whole" },
};

static void bad_file(void **state)
{
	const struct bad_case *c = *state;
	struct layout l = { .n_ns = 7 };
	char err[512];

	assert_int_equal(parse(c->text, &l, err), -EINVAL);
	assert_string_equal(err, c->message);
	/* A refused file leaves nothing half-parsed behind. */
	assert_int_equal(l.n_ns, 7);
}

static void nul_byte(void **state UNUSED)
{
	static const char text[] = "[Match]\nRegion=region0\0\n";
	struct layout l;
	char err[512];

	assert_int_equal(layout_parse("t.conf", text, sizeof(text) - 1, &l, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.conf:2: a NUL byte: not a text file");
}

static void too_many_namespaces(void **state UNUSED)
{
	char text[LAYOUT_NS_MAX * 64 + 64] = "", err[512];
	size_t len = 0;
	struct layout l;

	for (int i = 0; i <= LAYOUT_NS_MAX; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"[Namespace]\nName=n%d\nMode=raw\nSize=1G\n", i);
	assert_int_equal(layout_parse("t.conf", text, len, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:129: more than 32 [Namespace] sections");
}

/* A message longer than the buffer is cut, never overrun. */
static void small_error_buffer(void **state UNUSED)
{
	char err[12];
	struct layout l;

	memset(err, 'x', sizeof(err));
	assert_int_equal(layout_parse("t.conf", "[Foo]\n", 6, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:1: u");
}

/* The man page's example files, the ``` blocks that start with a comment, all parse. */
static void man_page_examples(void **state UNUSED)
{
	const char *srcdir = getenv("srcdir");
	char path[4096], *text = NULL, *block, *end;
	size_t len = 0, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/doc/nvdimm-label-init.layout.5.scd", srcdir ? srcdir : ".");
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: %s (make check sets srcdir)", path, strerror(errno));
	assert_int_equal(getdelim(&text, &len, '\0', f) > 0, true);
	fclose(f);
	for (block = strstr(text, "```\n"); block; block = strstr(end + 4, "```\n")) {
		struct layout l;
		char err[512];

		block += 4;
		end = strstr(block, "```\n");
		assert_non_null(end);
		if (block[0] != '#')
			continue;
		if (layout_parse(path, block, (size_t)(end - block), &l, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		n++;
	}
	assert_int_equal(n, 4);
	free(text);
}

/* ---------------------------------------------------------------- the loader */

struct tree {
	char root[64];
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->root, sizeof(t->root), "/tmp/nli-layout-XXXXXX");
	if (!mkdtemp(t->root)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static void make_dirs(const struct tree *t, const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s%s'", t->root, dir);
	assert_int_equal(system(cmd), 0);
}

/* DIR is LAYOUT_ETC_DIR or LAYOUT_LIB_DIR; text NULL makes a link to /dev/null. */
static void put(const struct tree *t, const char *dir, const char *name, const char *text)
{
	char path[4200];
	int fd;

	make_dirs(t, dir);
	snprintf(path, sizeof(path), "%s%s/%s", t->root, dir, name);
	if (!text) {
		assert_int_equal(symlink("/dev/null", path), 0);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static const char *path_of(const struct tree *t, const char *dir, const char *name)
{
	static char path[4200];

	snprintf(path, sizeof(path), "%s%s/%s", t->root, dir, name);
	return path;
}

static const char *region_of(const struct layout *l)
{
	return l->match.n_regions ? l->match.regions[0] : "";
}

static void load_nothing(void **state)
{
	struct tree *t = *state;
	struct layout_set set = { .n = 3 };
	char err[512] = "";

	assert_int_equal(layout_load_dirs(t->root, &set, err, sizeof(err)), 0);
	assert_int_equal(set.n, 0);
	make_dirs(t, LAYOUT_ETC_DIR);
	make_dirs(t, LAYOUT_LIB_DIR);
	assert_int_equal(layout_load_dirs(t->root, &set, err, sizeof(err)), 0);
	assert_int_equal(set.n, 0);
	layout_set_clear(&set);
}

static void load_merged(void **state)
{
	struct tree *t = *state;
	struct layout_set set = { 0 };
	char err[512] = "";

	put(t, LAYOUT_LIB_DIR, "10-a.conf", "[Match]\nRegion=region10\n");
	put(t, LAYOUT_LIB_DIR, "30-c.conf", "[Match]\nRegion=region30\n");
	put(t, LAYOUT_LIB_DIR, "50-x.conf", "[Match]\nRegion=region50\n");
	put(t, LAYOUT_LIB_DIR, "60-masked.conf", "[Match]\nRegion=region60\n");
	put(t, LAYOUT_LIB_DIR, "70-emptied.conf", "[Match]\nRegion=region70\n");
	put(t, LAYOUT_ETC_DIR, "20-b.conf", "[Match]\nRegion=region20\n");
	put(t, LAYOUT_ETC_DIR, "50-x.conf", "[Match]\nRegion=region51\n");
	put(t, LAYOUT_ETC_DIR, "60-masked.conf", NULL);
	put(t, LAYOUT_ETC_DIR, "70-emptied.conf", "");
	/* Not layout files: no .conf ending, hidden, a backup. */
	put(t, LAYOUT_LIB_DIR, "README", "garbage");
	put(t, LAYOUT_ETC_DIR, ".40-hidden.conf", "garbage");
	put(t, LAYOUT_ETC_DIR, "40-x.conf.bak", "garbage");
	put(t, LAYOUT_ETC_DIR, ".conf", "garbage");

	assert_int_equal(layout_load_dirs(t->root, &set, err, sizeof(err)), 0);
	assert_int_equal(set.n, 4);
	assert_string_equal(region_of(&set.layouts[0]), "region10");
	assert_string_equal(set.layouts[0].path, path_of(t, LAYOUT_LIB_DIR, "10-a.conf"));
	assert_string_equal(region_of(&set.layouts[1]), "region20");
	assert_string_equal(set.layouts[1].path, path_of(t, LAYOUT_ETC_DIR, "20-b.conf"));
	assert_string_equal(region_of(&set.layouts[2]), "region30");
	assert_string_equal(region_of(&set.layouts[3]), "region51");
	assert_string_equal(set.layouts[3].path, path_of(t, LAYOUT_ETC_DIR, "50-x.conf"));
	layout_set_clear(&set);
}

/* The load fails with "PATH" WHAT in err, and hands out nothing. */
static void load_fails(const struct tree *t, int expect, const char *path, const char *what)
{
	struct layout_set set = { .n = 99 };
	char err[512] = "", want[4400];

	assert_int_equal(layout_load_dirs(t->root, &set, err, sizeof(err)), expect);
	snprintf(want, sizeof(want), "%s%s", path, what);
	assert_string_equal(err, want);
	assert_int_equal(set.n, 99);
}

static void load_bad_file(void **state)
{
	struct tree *t = *state;
	struct layout_set set = { 0 };
	char err[512] = "";

	put(t, LAYOUT_LIB_DIR, "10-good.conf", "[Match]\nRegion=region1\n");
	put(t, LAYOUT_LIB_DIR, "20-bad.conf", "[Match]\nRegion=region1\nColour=blue\n");
	put(t, LAYOUT_LIB_DIR, "30-good.conf", "");
	load_fails(t, -EINVAL, path_of(t, LAYOUT_LIB_DIR, "20-bad.conf"),
		   ":3: unknown key 'Colour' in [Match]");

	/* The administrator's empty file hides the bad one. */
	put(t, LAYOUT_ETC_DIR, "20-bad.conf", "");
	assert_int_equal(layout_load_dirs(t->root, &set, err, sizeof(err)), 0);
	assert_int_equal(set.n, 1);
	layout_set_clear(&set);
}

static void load_not_a_file(void **state)
{
	struct tree *t = *state;

	make_dirs(t, LAYOUT_ETC_DIR "/10-dir.conf");
	load_fails(t, -EINVAL, path_of(t, LAYOUT_ETC_DIR, "10-dir.conf"), ": not a regular file");
}

static void load_too_large(void **state)
{
	struct tree *t = *state;
	struct layout_set set = { 0 };
	char *text = malloc(LAYOUT_FILE_MAX + 2), err[512] = "";

	assert_non_null(text);
	memset(text, '#', LAYOUT_FILE_MAX + 1);
	text[LAYOUT_FILE_MAX + 1] = '\0';
	put(t, LAYOUT_ETC_DIR, "10-big.conf", text);
	load_fails(t, -EFBIG, path_of(t, LAYOUT_ETC_DIR, "10-big.conf"), ": larger than 64 KiB");

	/* Exactly at the limit is read. */
	text[LAYOUT_FILE_MAX] = '\0';
	put(t, LAYOUT_ETC_DIR, "10-big.conf", text);
	assert_int_equal(layout_load_dirs(t->root, &set, err, sizeof(err)), 0);
	assert_int_equal(set.n, 1);
	layout_set_clear(&set);
	free(text);
}

static void load_unreadable_dir(void **state)
{
	struct tree *t = *state;
	char parent[4200], what[256];

	/* A file where the directory should be: not ENOENT, so not "no layouts". */
	snprintf(parent, sizeof(parent), "%s", LAYOUT_ETC_DIR);
	*strrchr(parent, '/') = '\0';
	put(t, parent, strrchr(LAYOUT_ETC_DIR, '/') + 1, "x");
	snprintf(what, sizeof(what), ": %s", strerror(ENOTDIR));
	snprintf(parent, sizeof(parent), "%s%s", t->root, LAYOUT_ETC_DIR);
	load_fails(t, -ENOTDIR, parent, what);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(bad_cases) + 16];
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(full_file),
		cmocka_unit_test(sizes),
		cmocka_unit_test(minimal_files),
		cmocka_unit_test(nul_byte),
		cmocka_unit_test(too_many_namespaces),
		cmocka_unit_test(small_error_buffer),
		cmocka_unit_test(man_page_examples),
		cmocka_unit_test_setup_teardown(load_nothing, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(load_merged, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(load_bad_file, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(load_not_a_file, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(load_too_large, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(load_unreadable_dir, tree_setup, tree_teardown),
	};
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		tests[n++] = fixed[i];
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++)
		tests[n++] = (struct CMUnitTest){ .name = bad_cases[i].title, .test_func = bad_file,
						  .initial_state = (void *)&bad_cases[i] };
	return _cmocka_run_group_tests("layout", tests, n, NULL, NULL);
}
