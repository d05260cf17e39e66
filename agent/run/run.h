/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * agent/run/: the program's run, step by step (read, decide, act, verify,
 * settle, report), --status, and main().
 */

#include "backend/ops.h"
#include "core/options.h"

#define EXIT_USAGE 2

/* The whole job for parsed options; returns the process exit status. */
int run_program(const struct options *opts, const struct ops *ops, void *userdata);
