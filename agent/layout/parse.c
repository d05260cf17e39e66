// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/keys.h"
#include "layout/layout.h"
#include "shared/macro.h"
#include "shared/parse.h"

#define BLANKS " \t\r"

struct parser {
	const char *path;
	unsigned int line;
	char *err;
	size_t errlen;
	struct layout *l;
	enum layout_section section;
	unsigned int match_line, region_line;
	/* Where each key was given: [Region]'s, and each [Namespace]'s; 0 = not given. */
	unsigned int region_keys[LAYOUT_KEYS_MAX];
	unsigned int ns_keys[LAYOUT_NS_MAX][LAYOUT_KEYS_MAX];
};

/*
 * vasprintf rather than vsnprintf into err: clang-tidy's va_list check
 * (tests/check-static) takes the va_list of a vsnprintf call for
 * uninitialized when it has analyzed another file before this one.
 */
static int fail(struct parser *p, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, unsigned int line, const char *fmt, ...)
{
	char *what = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&what, fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%u: %s", p->path, line, n < 0 ? strerror(ENOMEM) : what);
	free(what);
	return -EINVAL;
}

static unsigned int key_index(const struct layout_key *k)
{
	return (unsigned int)(k - layout_keys);
}

/* The line each key of the current section was given on; NULL where keys may repeat. */
static unsigned int *key_lines(struct parser *p)
{
	if (p->section == SECTION_REGION)
		return p->region_keys;
	if (p->section == SECTION_NAMESPACE)
		return p->ns_keys[p->l->n_ns - 1];
	return NULL;
}

static int key_value(struct parser *p, const struct layout_key *k, char *value)
{
	struct layout_ns *ns = p->section == SECTION_NAMESPACE ? &p->l->ns[p->l->n_ns - 1] : NULL;
	unsigned int *lines = key_lines(p);
	const char *why = NULL, *bad = value;
	char *save = NULL;

	if (lines && lines[key_index(k)])
		return fail(p, p->line, "%s= given twice%s (first at line %u)", k->name,
			    ns ? " in this [Namespace]" : "", lines[key_index(k)]);
	if (lines)
		lines[key_index(k)] = p->line;
	/* A [Match] key's words each match. */
	if (p->section != SECTION_MATCH)
		why = k->parse(value, p->l, ns);
	for (char *w = p->section == SECTION_MATCH ? strtok_r(value, BLANKS, &save) : NULL;
	     w && !why; w = strtok_r(NULL, BLANKS, &save)) {
		why = k->parse(w, p->l, ns);
		bad = w;
	}
	return why ? fail(p, p->line, "%s=%s: %s", k->name, bad, why) : 0;
}

/* A [Namespace] is checked as a whole once it ends: its keys may come in any order. */
static int finish_ns(struct parser *p)
{
	const struct layout *l = p->l;
	const struct layout_ns *ns = &l->ns[l->n_ns - 1];
	const unsigned int *lines = p->ns_keys[l->n_ns - 1];
	const unsigned int name = key_index(layout_key(SECTION_NAMESPACE, "Name"));

	for (unsigned int k = 0; k < layout_n_keys; k++) {
		const struct layout_key *key = &layout_keys[k];

		if (key->section != SECTION_NAMESPACE)
			continue;
		if (key->required && !lines[k])
			return fail(p, ns->line, "[Namespace] without %s=", key->name);
		if (lines[k] && key->modes && !(key->modes & (1u << ns->mode)))
			return fail(p, lines[k], "%s= is only for %s", key->name, key->only);
	}
	for (size_t i = 0; i + 1 < l->n_ns; i++)
		if (strcmp(l->ns[i].name, ns->name) == 0)
			return fail(p, lines[name], "Name=%s already declared at line %u", ns->name,
				    p->ns_keys[i][name]);
	return 0;
}

static int finish_section(struct parser *p)
{
	return p->section == SECTION_NAMESPACE ? finish_ns(p) : 0;
}

static int section(struct parser *p, char *line)
{
	size_t len = strlen(line);
	int r = finish_section(p);

	if (r < 0)
		return r;
	if (line[len - 1] != ']')
		return fail(p, p->line, "a section header must end with ']'");
	line[len - 1] = '\0';
	line++;
	if (strcmp(line, "Match") == 0 || strcmp(line, "Region") == 0) {
		bool match = line[0] == 'M';
		unsigned int *seen = match ? &p->match_line : &p->region_line;

		if (*seen)
			return fail(p, p->line, "[%s] given twice (first at line %u)", line, *seen);
		*seen = p->line;
		p->section = match ? SECTION_MATCH : SECTION_REGION;
	} else if (strcmp(line, "Namespace") == 0) {
		if (p->l->n_ns == LAYOUT_NS_MAX)
			return fail(p, p->line, "more than %d [Namespace] sections", LAYOUT_NS_MAX);
		p->l->ns[p->l->n_ns++].line = p->line;
		p->section = SECTION_NAMESPACE;
	} else {
		return fail(p, p->line, "unknown section [%s]", line);
	}
	return 0;
}

static int assignment(struct parser *p, char *line)
{
	static const char *const sections[] = {
		[SECTION_MATCH] = "Match", [SECTION_REGION] = "Region",
		[SECTION_NAMESPACE] = "Namespace",
	};
	char *eq = strchr(line, '='), *key, *value;
	const struct layout_key *k;

	if (!eq)
		return fail(p, p->line, "not a [Section] nor a Key=value line");
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!*key)
		return fail(p, p->line, "a key is missing before '='");
	if (!*value)
		return fail(p, p->line, "%s= needs a value", key);
	if (p->section == SECTION_NONE)
		return fail(p, p->line, "%s= before any section", key);
	k = layout_key(p->section, key);
	if (!k)
		return fail(p, p->line, "unknown key '%s' in [%s]", key, sections[p->section]);
	return key_value(p, k, value);
}

/* What only the whole file can tell. */
static int finish_file(struct parser *p)
{
	const struct layout *l = p->l;
	const unsigned int size = key_index(layout_key(SECTION_NAMESPACE, "Size"));
	const unsigned int convert = key_index(layout_key(SECTION_REGION, "ConvertRaw"));
	unsigned long long percent = 0;
	int r = finish_section(p);

	for (size_t i = 0; i < l->n_ns && r == 0; i++) {
		if (l->ns[i].size_kind == LAYOUT_SIZE_REST && i + 1 < l->n_ns)
			r = fail(p, p->ns_keys[i][size],
				 "Size=rest must be in the last [Namespace] (another follows at line %u)",
				 l->ns[i + 1].line);
		if (l->ns[i].size_kind == LAYOUT_SIZE_PERCENT)
			percent += l->ns[i].size;
		if (percent > 100 && r == 0)
			r = fail(p, p->ns_keys[i][size],
				 "the percentages add up to more than 100%% of the region");
	}
	if (r == 0 && l->convert_raw &&
	    (l->n_ns != 1 || l->ns[0].mode != NS_MODE_FSDAX ||
	     !(l->ns[0].size_kind == LAYOUT_SIZE_REST ||
	       (l->ns[0].size_kind == LAYOUT_SIZE_PERCENT && l->ns[0].size == 100))))
		r = fail(p, p->region_keys[convert], "ConvertRaw=yes needs exactly one [Namespace], "
			 "with Mode=fsdax and Size=rest or 100%%: the raw namespace becomes it whole");
	return r;
}

static int parse_line(struct parser *p, char *line)
{
	line = trim(line);
	if (!*line || *line == '#' || *line == ';')
		return 0;
	if (*line == '[')
		return section(p, line);
	return assignment(p, line);
}

/* The line of the first NUL byte of TEXT, a binary file's. */
static unsigned int nul_line(const char *text, const char *nul)
{
	unsigned int line = 1;

	for (const char *c = text; c < nul; c++)
		line += *c == '\n';
	return line;
}

int layout_parse(const char *path, const char *text, size_t len, struct layout *out, char *err,
		 size_t errlen)
{
	struct parser p = { .path = path, .err = err, .errlen = errlen };
	const char *nul = memchr(text, '\0', len);
	char *copy, *line, *next;
	int r;

	if (nul)
		return fail(&p, nul_line(text, nul), "a NUL byte: not a text file");
	p.l = calloc(1, sizeof(*p.l));
	copy = strndup(text, len);
	r = p.l && copy ? 0 : -ENOMEM;
	if (r == 0)
		snprintf(p.l->path, sizeof(p.l->path), "%s", path);
	for (line = r == 0 ? copy : NULL; line && r == 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		r = parse_line(&p, line);
	}
	if (r == 0)
		r = finish_file(&p);
	if (r == 0)
		*out = *p.l;
	free(p.l);
	free(copy);
	return r;
}
