// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/layout.h"
#include "shared/names.h"

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
	bool provider = !m->n_providers;

	for (size_t i = 0; i < m->n_regions; i++)
		region |= strcmp(m->regions[i], r->name) == 0;
	for (size_t i = 0; i < m->n_numa_nodes; i++)
		numa |= m->numa_nodes[i] == r->numa_node;
	for (size_t i = 0; i < m->n_iset_ids; i++)
		iset |= r->has_iset && m->iset_ids[i] == r->iset_id;
	for (size_t i = 0; i < m->n_providers; i++)
		provider |= strcmp(m->providers[i], r->provider) == 0;
	return region && numa && iset && provider &&
	       (!m->n_dimm_ids || region_has_dimm_id(m, snap, r));
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
