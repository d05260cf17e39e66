// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/layout.h"
#include "shared/macro.h"
#include "shared/names.h"
#include "shared/parse.h"

#define BLANKS " \t\r"

enum section {
	SECTION_NONE,
	SECTION_MATCH,
	SECTION_REGION,
	SECTION_NAMESPACE,
};

/* Where each key of a [Namespace] was given: 0 = not given. */
struct ns_lines {
	unsigned int name, mode, size, align, sector_size, memory;
};

struct parser {
	const char *path;
	unsigned int line;
	char *err;
	size_t errlen;
	struct layout *l;
	enum section section;
	unsigned int match_line, region_line, convert_line;
	struct ns_lines ns_lines[LAYOUT_NS_MAX];
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

/* What ndctl list prints as iset_id: signed decimal in older ndctl, unsigned in newer. */
static bool parse_iset_id(const char *s, unsigned long long *out)
{
	const char *end;
	unsigned long long v;

	if (strncmp(s, "0x", 2) == 0) {
		if (!s[2] || strspn(s + 2, "0123456789abcdefABCDEF") != strlen(s + 2) ||
		    strlen(s + 2) > 16)
			return false;
		*out = strtoull(s + 2, NULL, 16);
		return true;
	}
	if (s[0] == '-') {
		if (!parse_digits(s + 1, &end, &v) || *end || v > (unsigned long long)LLONG_MAX + 1)
			return false;
		*out = -v;
		return true;
	}
	return parse_digits(s, &end, out) && !*end;
}

/* Adds one value of a match key; WORD is one of the value's blank-separated words. */
static int match_word(struct parser *p, const char *key, const char *word)
{
	struct layout_match *m = &p->l->match;
	unsigned long long v;
	size_t *n;

	if (strcmp(key, "Region") == 0) {
		n = &m->n_regions;
		if (!region_name_valid(word))
			return fail(p, p->line, "Region=%s: not a region name such as region0", word);
		if (*n < LAYOUT_MATCH_MAX)
			snprintf(m->regions[*n], sizeof(m->regions[*n]), "%s", word);
	} else if (strcmp(key, "NumaNode") == 0) {
		n = &m->n_numa_nodes;
		if (!parse_number(word, INT_MAX, &v))
			return fail(p, p->line, "NumaNode=%s: not a NUMA node number", word);
		if (*n < LAYOUT_MATCH_MAX)
			m->numa_nodes[*n] = (int)v;
	} else if (strcmp(key, "DimmId") == 0) {
		n = &m->n_dimm_ids;
		if (!id_valid(word))
			return fail(p, p->line, "DimmId=%s: not a dimm unique id (ndctl list -D shows "
				    "them as \"id\")", word);
		if (*n < LAYOUT_MATCH_MAX)
			snprintf(m->dimm_ids[*n], sizeof(m->dimm_ids[*n]), "%s", word);
	} else if (strcmp(key, "InterleaveSetId") == 0) {
		n = &m->n_iset_ids;
		if (!parse_iset_id(word, &v))
			return fail(p, p->line, "InterleaveSetId=%s: not a 64-bit number (decimal, "
				    "or hexadecimal with 0x)", word);
		if (*n < LAYOUT_MATCH_MAX)
			m->iset_ids[*n] = v;
	} else {
		return fail(p, p->line, "unknown key '%s' in [Match]", key);
	}
	if (*n == LAYOUT_MATCH_MAX)
		return fail(p, p->line, "more than %d values for %s=", LAYOUT_MATCH_MAX, key);
	(*n)++;
	return 0;
}

static int match_key(struct parser *p, const char *key, char *value)
{
	char *save = NULL;
	int r = 0;

	for (char *w = strtok_r(value, BLANKS, &save); w && r == 0; w = strtok_r(NULL, BLANKS, &save))
		r = match_word(p, key, w);
	return r;
}

static int region_key(struct parser *p, const char *key, const char *value)
{
	if (strcmp(key, "ConvertRaw") != 0)
		return fail(p, p->line, "unknown key '%s' in [Region]", key);
	if (p->convert_line)
		return fail(p, p->line, "ConvertRaw= given twice (first at line %u)",
			    p->convert_line);
	if (!parse_boolean(value, &p->l->convert_raw))
		return fail(p, p->line, "ConvertRaw=%s: not yes or no", value);
	p->convert_line = p->line;
	return 0;
}

/* The specifiers a Name= may have, each a '%' and one of these letters. */
#define NAME_SPECIFIERS "rN"

/*
 * A name, or a template whose specifiers each region fills in; a template
 * is checked again once expanded (layout_ns_name), a plain name here.
 */
static bool name_template_valid(const char *value)
{
	bool specifiers = false;

	for (const char *c = value; *c; c++) {
		if (*c != '%')
			continue;
		if (!c[1] || !strchr(NAME_SPECIFIERS, c[1]))
			return false;
		specifiers = true;
		c++;
	}
	if (specifiers)
		return strspn(value, NSNAME_CHARS "%") == strlen(value);
	return nsname_valid(value);
}

static int ns_size(struct parser *p, struct layout_ns *ns, const char *value)
{
	unsigned long long v;
	const char *end;

	if (strcmp(value, "rest") == 0) {
		ns->size_kind = LAYOUT_SIZE_REST;
		ns->size = 0;
	} else if (parse_digits(value, &end, &v) && strcmp(end, "%") == 0) {
		if (v < 1 || v > 100)
			return fail(p, p->line, "Size=%s: a percentage from 1%% to 100%%", value);
		ns->size_kind = LAYOUT_SIZE_PERCENT;
		ns->size = v;
	} else if (parse_bytes(value, &v) && v > 0) {
		ns->size_kind = LAYOUT_SIZE_BYTES;
		ns->size = v;
	} else {
		return fail(p, p->line, "Size=%s: not a size (bytes with an optional K, M, G or T, "
			    "a percentage such as 50%%, or rest)", value);
	}
	return 0;
}

static int ns_memory(struct parser *p, struct layout_ns *ns, const char *value)
{
	if (strcmp(value, "system-ram-movable") == 0)
		ns->memory = LAYOUT_MEMORY_MOVABLE;
	else if (strcmp(value, "system-ram-normal") == 0)
		ns->memory = LAYOUT_MEMORY_NORMAL;
	else
		return fail(p, p->line, "Memory=%s: not system-ram-movable or system-ram-normal",
			    value);
	return 0;
}

static int ns_value(struct parser *p, struct layout_ns *ns, const char *key, const char *value)
{
	unsigned long long v;
	size_t m;

	if (strcmp(key, "Name") == 0) {
		if (strlen(value) >= sizeof(ns->name))
			return fail(p, p->line, "Name= is longer than %zu characters",
				    sizeof(ns->name) - 1);
		if (!name_template_valid(value))
			return fail(p, p->line, "Name=%s: only letters, digits, '.', '_' and '-', "
				    "and the specifiers %%r and %%N; not . or ..", value);
		snprintf(ns->name, sizeof(ns->name), "%s", value);
	} else if (strcmp(key, "Mode") == 0) {
		for (m = NS_MODE_RAW; m < NS_MODE_OTHER; m++)
			if (strcmp(value, ns_mode_name((enum ns_mode)m)) == 0)
				break;
		if (m == NS_MODE_OTHER)
			return fail(p, p->line, "Mode=%s: not fsdax, devdax, sector or raw", value);
		ns->mode = (enum ns_mode)m;
	} else if (strcmp(key, "Size") == 0) {
		return ns_size(p, ns, value);
	} else if (strcmp(key, "Align") == 0) {
		if (!parse_bytes(value, &v) || (v != 4096 && v != 2ULL << 20 && v != 1ULL << 30))
			return fail(p, p->line, "Align=%s: not 4K, 2M or 1G", value);
		ns->align = v;
	} else if (strcmp(key, "SectorSize") == 0) {
		if (strcmp(value, "512") != 0 && strcmp(value, "4096") != 0)
			return fail(p, p->line, "SectorSize=%s: not 512 or 4096", value);
		ns->sector_size = strcmp(value, "512") == 0 ? 512 : 4096;
	} else {
		return ns_memory(p, ns, value);
	}
	return 0;
}

static int ns_key(struct parser *p, const char *key, const char *value)
{
	struct layout *l = p->l;
	struct ns_lines *lines = &p->ns_lines[l->n_ns - 1];
	struct { const char *key; unsigned int *line; } const keys[] = {
		{ "Name", &lines->name }, { "Mode", &lines->mode }, { "Size", &lines->size },
		{ "Align", &lines->align }, { "SectorSize", &lines->sector_size },
		{ "Memory", &lines->memory },
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(keys); k++)
		if (strcmp(key, keys[k].key) == 0)
			break;
	if (k == ARRAY_SIZE(keys))
		return fail(p, p->line, "unknown key '%s' in [Namespace]", key);
	if (*keys[k].line)
		return fail(p, p->line, "%s= given twice in this [Namespace] (first at line %u)",
			    key, *keys[k].line);
	*keys[k].line = p->line;
	return ns_value(p, &l->ns[l->n_ns - 1], key, value);
}

/* A [Namespace] is checked as a whole once it ends: its keys may come in any order. */
static int finish_ns(struct parser *p)
{
	const struct layout *l = p->l;
	const struct layout_ns *ns = &l->ns[l->n_ns - 1];
	const struct ns_lines *lines = &p->ns_lines[l->n_ns - 1];

	if (!lines->name)
		return fail(p, ns->line, "[Namespace] without Name=");
	if (!lines->mode)
		return fail(p, ns->line, "[Namespace] without Mode=");
	if (!lines->size)
		return fail(p, ns->line, "[Namespace] without Size=");
	for (size_t i = 0; i + 1 < l->n_ns; i++)
		if (strcmp(l->ns[i].name, ns->name) == 0)
			return fail(p, lines->name, "Name=%s already declared at line %u", ns->name,
				    p->ns_lines[i].name);
	if (lines->align && ns->mode != NS_MODE_FSDAX && ns->mode != NS_MODE_DEVDAX)
		return fail(p, lines->align, "Align= is only for Mode=fsdax or Mode=devdax");
	if (lines->sector_size && ns->mode != NS_MODE_SECTOR)
		return fail(p, lines->sector_size, "SectorSize= is only for Mode=sector");
	if (lines->memory && ns->mode != NS_MODE_DEVDAX)
		return fail(p, lines->memory, "Memory= is only for Mode=devdax");
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
	char *eq = strchr(line, '='), *key, *value;

	if (!eq)
		return fail(p, p->line, "not a [Section] nor a Key=value line");
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!*key)
		return fail(p, p->line, "a key is missing before '='");
	if (!*value)
		return fail(p, p->line, "%s= needs a value", key);
	switch (p->section) {
	case SECTION_MATCH:
		return match_key(p, key, value);
	case SECTION_REGION:
		return region_key(p, key, value);
	case SECTION_NAMESPACE:
		return ns_key(p, key, value);
	case SECTION_NONE:
		break;
	}
	return fail(p, p->line, "%s= before any section", key);
}

/* What only the whole file can tell. */
static int finish_file(struct parser *p)
{
	const struct layout *l = p->l;
	unsigned long long percent = 0;
	int r = finish_section(p);

	for (size_t i = 0; i < l->n_ns && r == 0; i++) {
		if (l->ns[i].size_kind == LAYOUT_SIZE_REST && i + 1 < l->n_ns)
			r = fail(p, p->ns_lines[i].size,
				 "Size=rest must be in the last [Namespace] (another follows at line %u)",
				 l->ns[i + 1].line);
		if (l->ns[i].size_kind == LAYOUT_SIZE_PERCENT)
			percent += l->ns[i].size;
		if (percent > 100 && r == 0)
			r = fail(p, p->ns_lines[i].size,
				 "the percentages add up to more than 100%% of the region");
	}
	if (r == 0 && l->convert_raw &&
	    (l->n_ns != 1 || l->ns[0].mode != NS_MODE_FSDAX ||
	     !(l->ns[0].size_kind == LAYOUT_SIZE_REST ||
	       (l->ns[0].size_kind == LAYOUT_SIZE_PERCENT && l->ns[0].size == 100))))
		r = fail(p, p->convert_line, "ConvertRaw=yes needs exactly one [Namespace], with "
			 "Mode=fsdax and Size=rest or 100%%: the raw namespace becomes it whole");
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

int layout_parse(const char *path, const char *text, size_t len, struct layout *out, char *err,
		 size_t errlen)
{
	struct parser p = { .path = path, .err = err, .errlen = errlen };
	const char *nul = memchr(text, '\0', len);
	char *copy = NULL, *line, *next;
	int r = -ENOMEM;

	if (nul) {
		p.line = 1;
		for (const char *c = text; c < nul; c++)
			p.line += *c == '\n';
		return fail(&p, p.line, "a NUL byte: not a text file");
	}
	p.l = calloc(1, sizeof(*p.l));
	copy = strndup(text, len);
	if (!p.l || !copy)
		goto out;
	snprintf(p.l->path, sizeof(p.l->path), "%s", path);
	r = 0;
	for (line = copy; line && r == 0; line = next) {
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
out:
	free(p.l);
	free(copy);
	return r;
}

static bool has_string(const char (*list)[SNAP_ID_MAX], size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool region_has_dimm_id(const struct layout_match *m, const struct snapshot *snap,
			       const struct snap_region *r)
{
	for (size_t i = 0; i < r->n_dimms; i++)
		if (has_string(m->dimm_ids, m->n_dimm_ids, snap->dimms[r->dimms[i]].id))
			return true;
	return false;
}

bool layout_matches(const struct layout *l, const struct snapshot *snap,
		    const struct snap_region *r)
{
	const struct layout_match *m = &l->match;
	bool region = !m->n_regions, numa = !m->n_numa_nodes, iset = !m->n_iset_ids;

	for (size_t i = 0; i < m->n_regions; i++)
		region |= strcmp(m->regions[i], r->name) == 0;
	for (size_t i = 0; i < m->n_numa_nodes; i++)
		numa |= m->numa_nodes[i] == r->numa_node;
	for (size_t i = 0; i < m->n_iset_ids; i++)
		iset |= r->has_iset && m->iset_ids[i] == r->iset_id;
	return region && numa && iset && (!m->n_dimm_ids || region_has_dimm_id(m, snap, r));
}

/* Appends TEXT to OUT (of SNAP_NAME_MAX bytes, *LEN used); false when it does not fit. */
static bool append(char *out, size_t *len, const char *text)
{
	size_t n = strlen(text);

	if (*len + n >= SNAP_NAME_MAX)
		return false;
	memcpy(out + *len, text, n + 1);
	*len += n;
	return true;
}

int layout_ns_name(const struct layout_ns *decl, const struct snap_region *r,
		   char out[SNAP_NAME_MAX])
{
	size_t len = 0;
	bool fits = true;

	out[0] = '\0';
	for (const char *c = decl->name; *c && fits; c++) {
		char piece[SNAP_NAME_MAX] = { *c, '\0' };

		/* The parser let through only whole specifiers. */
		if (*c == '%') {
			c++;
			if (*c == 'r')
				snprintf(piece, sizeof(piece), "%s", r->name);
			else if (*c == 'N' && r->numa_node < 0)
				return -EINVAL;
			else if (*c == 'N')
				snprintf(piece, sizeof(piece), "%d", r->numa_node);
		}
		fits = append(out, &len, piece);
	}
	return fits && nsname_valid(out) ? 0 : -EINVAL;
}

void layout_set_clear(struct layout_set *set)
{
	free(set->layouts);
	set->layouts = NULL;
	set->n = 0;
}
