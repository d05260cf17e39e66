/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Why a region is refused, by the label step or for its layout: core/reasons.def. */
enum reason {
#define REASON(id, name, label, layout) REASON_##id,
#include "core/reasons.def"
#undef REASON
	REASON_COUNT,
};

const char *reason_name(enum reason r);
/* The label step's words for a refusal, with {field}s to fill in; NULL where it never refuses so. */
const char *reason_label_words(enum reason r);
/* The layout step's words for a refusal; the reason's name where it has none. */
const char *reason_layout_words(enum reason r);
