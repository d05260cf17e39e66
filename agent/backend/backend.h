/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "backend/ops.h"

/* The real operations table, over libndctl, libdaxctl, libkmod and libblkid. */
struct backend;

int backend_new(struct backend **out);
void backend_free(struct backend *b);

extern const struct ops backend_ops;
