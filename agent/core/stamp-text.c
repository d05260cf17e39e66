// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stamp.h"
#include "shared/macro.h"
#include "shared/names.h"

/* Version 2 added the machine and dax lines; a version 1 stamp reads as one without. */
#define STAMP_HEADER "nvdimm-label-init stamp 2"
#define STAMP_HEADER_1 "nvdimm-label-init stamp 1"

static int parse_time(const char *word, long long *time, const char **why)
{
	char *end;

	errno = 0;
	*time = strtoll(word, &end, 10);
	if (errno || *end || end == word || *time < 0) {
		*why = "a time is not a non-negative number";
		return -EINVAL;
	}
	return 0;
}

static int parse_dimm(char **words, struct stamp *out, const char **why)
{
	enum stamp_state state;
	long long time;

	if (!id_valid(words[1])) {
		*why = "a dimm id has invalid characters or length";
		return -EINVAL;
	}
	if (!stamp_state_from_name(words[2], &state)) {
		*why = "a dimm has an unknown state";
		return -EINVAL;
	}
	if (parse_time(words[3], &time, why) < 0)
		return -EINVAL;
	if (stamp_find(out, words[1])) {
		*why = "a dimm id is listed twice";
		return -EINVAL;
	}
	return stamp_set(out, words[1], state, time);
}

static int parse_ns(char **words, struct stamp *out, const char **why)
{
	long long time;
	int r;

	if (parse_time(words[4], &time, why) < 0)
		return -EINVAL;
	r = stamp_ns_add(out, words[1], words[2], words[3], time);
	if (r == -EINVAL)
		*why = "a namespace line has an invalid region, uuid or name, or a uuid listed twice";
	return r;
}

static int parse_dax(char **words, struct stamp *out, const char **why)
{
	long long time;

	if (parse_time(words[4], &time, why) < 0)
		return -EINVAL;
	if (stamp_dax_find(out, words[1]) || stamp_dax_add(out, words[1], words[2], words[3], time) < 0) {
		*why = "a dax line has an invalid uuid or dimm id, or a uuid listed twice";
		return -EINVAL;
	}
	return 0;
}

static int parse_machine(char **words, struct stamp *out, const char **why)
{
	if (!machine_id_valid(words[1]) || out->machine[0]) {
		*why = "a machine line is not 32 hex digits, or comes twice";
		return -EINVAL;
	}
	snprintf(out->machine, sizeof(out->machine), "%s", words[1]);
	return 0;
}

/*
 * "machine ID", "dimm ID STATE TIME", "namespace REGION UUID NAME TIME" or
 * "dax UUID DAXUUID DIMM TIME".
 */
static int parse_line(char *line, struct stamp *out, const char **why, bool version2)
{
	char *words[6] = { NULL };
	char *save = NULL;
	size_t n = 0;

	for (char *w = strtok_r(line, " ", &save); w && n < ARRAY_SIZE(words);
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (n == 4 && strcmp(words[0], "dimm") == 0)
		return parse_dimm(words, out, why);
	if (n == 5 && strcmp(words[0], "namespace") == 0)
		return parse_ns(words, out, why);
	if (version2 && n == 5 && strcmp(words[0], "dax") == 0)
		return parse_dax(words, out, why);
	if (version2 && n == 2 && strcmp(words[0], "machine") == 0)
		return parse_machine(words, out, why);
	*why = "a line is not of the form 'machine ID', 'dimm ID STATE TIME', "
	       "'namespace REGION UUID NAME TIME' or 'dax UUID DAXUUID DIMM TIME'";
	return -EINVAL;
}

int stamp_parse(const char *text, size_t len, struct stamp *out, const char **why)
{
	struct stamp parsed = { 0 };
	char *copy = NULL, *line, *next;
	bool version2;
	int r = 0;

	*why = NULL;
	if (len == 0) {
		*why = "it is empty";
		return -EINVAL;
	}
	if (len > STAMP_MAX_SIZE) {
		*why = "it is too large";
		return -EINVAL;
	}
	if (memchr(text, '\0', len)) {
		*why = "it contains binary data";
		return -EINVAL;
	}
	if (text[len - 1] != '\n') {
		*why = "it is truncated (no final newline)";
		return -EINVAL;
	}
	copy = strndup(text, len);
	if (!copy)
		return -ENOMEM;

	line = copy;
	next = strchr(line, '\n');
	if (next)
		*next = '\0';
	version2 = strcmp(line, STAMP_HEADER) == 0;
	if (!next || (!version2 && strcmp(line, STAMP_HEADER_1) != 0)) {
		*why = "its header is not '" STAMP_HEADER "' (or version 1's)";
		r = -EINVAL;
		goto out;
	}
	for (line = next + 1; *line; line = next + 1) {
		/* The text ends in a newline, so every line has one. */
		next = strchr(line, '\n');
		if (!next)
			break;
		*next = '\0';
		r = parse_line(line, &parsed, why, version2);
		if (r < 0)
			goto out;
	}
	*out = parsed;
	parsed = (struct stamp){ 0 };
out:
	stamp_clear(&parsed);
	free(copy);
	return r;
}

int stamp_format(const struct stamp *stamp, char **text)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	size_t i;
	int r = 0;

	if (!f)
		return -ENOMEM;
	fputs(STAMP_HEADER "\n", f);
	if (stamp->machine[0])
		fprintf(f, "machine %s\n", stamp->machine);
	for (i = 0; i < stamp->n; i++)
		fprintf(f, "dimm %s %s %lld\n", stamp->entries[i].id,
			stamp_state_name(stamp->entries[i].state),
			stamp->entries[i].time);
	for (i = 0; i < stamp->n_ns; i++)
		fprintf(f, "namespace %s %s %s %lld\n", stamp->ns[i].region, stamp->ns[i].uuid,
			stamp->ns[i].name, stamp->ns[i].time);
	for (i = 0; i < stamp->n_dax; i++)
		fprintf(f, "dax %s %s %s %lld\n", stamp->dax[i].uuid, stamp->dax[i].dax_uuid,
			stamp->dax[i].dimm, stamp->dax[i].time);
	if (fclose(f) != 0)
		r = -ENOMEM;
	if (r < 0)
		free(buf);
	else
		*text = buf;
	return r;
}
