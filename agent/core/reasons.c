// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stddef.h>

#include "core/reasons.h"

static const struct {
	const char *name, *label, *layout;
} reasons[REASON_COUNT] = {
#define REASON(id, name, label, layout) [REASON_##id] = { name, label, layout },
#include "core/reasons.def"
#undef REASON
};

/* A stray value is nobody's: "unknown", and no words. */
static unsigned int known(enum reason r)
{
	return (unsigned int)r < REASON_COUNT ? (unsigned int)r : REASON_NONE;
}

const char *reason_name(enum reason r)
{
	return (unsigned int)r < REASON_COUNT ? reasons[r].name : "unknown";
}

const char *reason_label_words(enum reason r)
{
	return reasons[known(r)].label;
}

const char *reason_layout_words(enum reason r)
{
	return reasons[known(r)].layout ? reasons[known(r)].layout : reason_name(r);
}
