// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/keys.h"
#include "shared/macro.h"
#include "shared/names.h"
#include "shared/parse.h"

#define MODE_BIT(m) (1u << (m))
#define MORE_THAN "more than " STRINGIFY(LAYOUT_MATCH_MAX) " values"

static const char *match_region(const char *word, struct layout *l, struct layout_ns *ns UNUSED)
{
	struct layout_match *m = &l->match;

	if (!region_name_valid(word))
		return "not a region name such as region0";
	if (m->n_regions == LAYOUT_MATCH_MAX)
		return MORE_THAN;
	snprintf(m->regions[m->n_regions++], SNAP_NAME_MAX, "%s", word);
	return NULL;
}

static const char *match_numa_node(const char *word, struct layout *l,
				   struct layout_ns *ns UNUSED)
{
	struct layout_match *m = &l->match;
	unsigned long long v;

	if (!parse_number(word, INT_MAX, &v))
		return "not a NUMA node number";
	if (m->n_numa_nodes == LAYOUT_MATCH_MAX)
		return MORE_THAN;
	m->numa_nodes[m->n_numa_nodes++] = (int)v;
	return NULL;
}

static const char *match_dimm_id(const char *word, struct layout *l, struct layout_ns *ns UNUSED)
{
	struct layout_match *m = &l->match;

	if (!id_valid(word))
		return "not a dimm unique id (ndctl list -D shows them as \"id\")";
	if (m->n_dimm_ids == LAYOUT_MATCH_MAX)
		return MORE_THAN;
	snprintf(m->dimm_ids[m->n_dimm_ids++], SNAP_ID_MAX, "%s", word);
	return NULL;
}

/* What ndctl list prints as iset_id: signed decimal in older ndctl, unsigned in newer. */
static bool parse_iset_id(const char *s, unsigned long long *out)
{
	const char *hex = s + 2;
	unsigned long long v;

	if (strncmp(s, "0x", 2) == 0) {
		if (!*hex || strspn(hex, "0123456789abcdefABCDEF") != strlen(hex) || strlen(hex) > 16)
			return false;
		*out = strtoull(hex, NULL, 16);
		return true;
	}
	if (s[0] == '-') {
		if (!parse_number(s + 1, (unsigned long long)LLONG_MAX + 1, &v))
			return false;
		*out = -v;
		return true;
	}
	return parse_number(s, ULLONG_MAX, out);
}

static const char *match_iset_id(const char *word, struct layout *l, struct layout_ns *ns UNUSED)
{
	struct layout_match *m = &l->match;
	unsigned long long v;

	if (!parse_iset_id(word, &v))
		return "not a 64-bit number (decimal, or hexadecimal with 0x)";
	if (m->n_iset_ids == LAYOUT_MATCH_MAX)
		return MORE_THAN;
	m->iset_ids[m->n_iset_ids++] = v;
	return NULL;
}

static const char *match_provider(const char *word, struct layout *l, struct layout_ns *ns UNUSED)
{
	struct layout_match *m = &l->match;

	if (!id_valid(word) || strlen(word) >= SNAP_NAME_MAX)
		return "not a bus provider such as ACPI.NFIT or ramdax (ndctl list -B shows them)";
	if (m->n_providers == LAYOUT_MATCH_MAX)
		return MORE_THAN;
	snprintf(m->providers[m->n_providers++], SNAP_NAME_MAX, "%s", word);
	return NULL;
}

static const char *region_convert_raw(const char *value, struct layout *l,
				      struct layout_ns *ns UNUSED)
{
	return parse_boolean(value, &l->convert_raw) ? NULL : "not yes or no";
}

/*
 * A name, or a template whose specifiers (a '%' and one of "rN") each
 * region fills in; a template is checked again once expanded
 * (layout_ns_name), a plain name here.
 */
static const char *ns_name(const char *value, struct layout *l UNUSED, struct layout_ns *ns)
{
	static const char rule[] = "only letters, digits, '.', '_' and '-', and the specifiers "
				   "%r and %N; not . or ..";
	bool specifiers = false;

	if (strlen(value) >= sizeof(ns->name))
		return "longer than 63 characters";
	for (const char *c = value; *c; c++) {
		if (*c != '%')
			continue;
		if (!c[1] || !strchr("rN", c[1]))
			return rule;
		specifiers = true;
		c++;
	}
	if (specifiers ? strspn(value, NSNAME_CHARS "%") != strlen(value) : !nsname_valid(value))
		return rule;
	snprintf(ns->name, sizeof(ns->name), "%s", value);
	return NULL;
}

static const char *ns_mode(const char *value, struct layout *l UNUSED, struct layout_ns *ns)
{
	return ns_mode_from_name(value, &ns->mode) ? NULL : "not fsdax, devdax, sector or raw";
}

static const char *ns_size(const char *value, struct layout *l UNUSED, struct layout_ns *ns)
{
	unsigned long long v;
	const char *end;

	if (strcmp(value, "rest") == 0) {
		ns->size_kind = LAYOUT_SIZE_REST;
		v = 0;
	} else if (parse_digits(value, &end, &v) && strcmp(end, "%") == 0) {
		if (v < 1 || v > 100)
			return "a percentage from 1% to 100%";
		ns->size_kind = LAYOUT_SIZE_PERCENT;
	} else if (parse_bytes(value, &v) && v > 0) {
		ns->size_kind = LAYOUT_SIZE_BYTES;
	} else {
		return "not a size (bytes with an optional K, M, G or T, a percentage such as "
		       "50%, or rest)";
	}
	ns->size = v;
	return NULL;
}

static const char *ns_align(const char *value, struct layout *l UNUSED, struct layout_ns *ns)
{
	unsigned long long v;

	if (!parse_bytes(value, &v) || (v != 4096 && v != 2ULL << 20 && v != 1ULL << 30))
		return "not 4K, 2M or 1G";
	ns->align = v;
	return NULL;
}

static const char *ns_sector_size(const char *value, struct layout *l UNUSED,
				  struct layout_ns *ns)
{
	unsigned long long v;

	if (!parse_number(value, 4096, &v) || (v != 512 && v != 4096))
		return "not 512 or 4096";
	ns->sector_size = (unsigned int)v;
	return NULL;
}

static const char *ns_memory(const char *value, struct layout *l UNUSED, struct layout_ns *ns)
{
	static const char *const memory[] = {
		[LAYOUT_MEMORY_MOVABLE] = "system-ram-movable",
		[LAYOUT_MEMORY_NORMAL] = "system-ram-normal",
	};
	int i = TABLE_INDEX(memory, value);

	if (i < 0)
		return "not system-ram-movable or system-ram-normal";
	ns->memory = (enum layout_memory)i;
	return NULL;
}

const struct layout_key layout_keys[] = {
	{ SECTION_MATCH, "Region", match_region, .required = false },
	{ SECTION_MATCH, "NumaNode", match_numa_node, .required = false },
	{ SECTION_MATCH, "DimmId", match_dimm_id, .required = false },
	{ SECTION_MATCH, "InterleaveSetId", match_iset_id, .required = false },
	{ SECTION_MATCH, "Provider", match_provider, .required = false },
	{ SECTION_REGION, "ConvertRaw", region_convert_raw, .required = false },
	{ SECTION_NAMESPACE, "Name", ns_name, .required = true },
	{ SECTION_NAMESPACE, "Mode", ns_mode, .required = true },
	{ SECTION_NAMESPACE, "Size", ns_size, .required = true },
	{ SECTION_NAMESPACE, "Align", ns_align,
	  .modes = MODE_BIT(NS_MODE_FSDAX) | MODE_BIT(NS_MODE_DEVDAX),
	  .only = "Mode=fsdax or Mode=devdax" },
	{ SECTION_NAMESPACE, "SectorSize", ns_sector_size, .modes = MODE_BIT(NS_MODE_SECTOR),
	  .only = "Mode=sector" },
	{ SECTION_NAMESPACE, "Memory", ns_memory, .modes = MODE_BIT(NS_MODE_DEVDAX),
	  .only = "Mode=devdax" },
};

const unsigned int layout_n_keys = ARRAY_SIZE(layout_keys);
_Static_assert(ARRAY_SIZE(layout_keys) <= LAYOUT_KEYS_MAX, "LAYOUT_KEYS_MAX is too small");

const struct layout_key *layout_key(enum layout_section section, const char *key)
{
	for (unsigned int k = 0; k < layout_n_keys; k++)
		if (layout_keys[k].section == section && strcmp(layout_keys[k].name, key) == 0)
			return &layout_keys[k];
	return NULL;
}
