/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "core/options.h"
#include "core/stamp.h"
#include "fake.h"
#include "shared/log.h"

/*
 * The whole run against the fake backend, in a temporary state directory,
 * with the journal records captured: what test-run.c and test-run-layout.c
 * share.
 */

#define GIB (1ULL << 30)
#define MAX_RECORDS 512

struct captured {
	enum log_msg msg;
	int priority;
	char region[32], nmem[32], id[64], reason[32], signature[32], ns[32], name[64];
	char text[512];
};

/* A fault test-run.c injects; opaque here. */
struct fault;

struct env {
	char dir[64];
	char state[96];
	char elsewhere[160];      /* a state directory a fault points to */
	int held_fd;              /* a lock a fault holds, -1 if none */
	const struct fault *fault;
	struct fake fake;
	struct options opts;      /* layout_root is dir: put layout files under dir/etc/... */
	struct captured records[MAX_RECORDS];
	unsigned int n_records;
};

/* cmocka's setup and teardown; *state on entry is the fault, or NULL. */
int setup(void **state);
int teardown(void **state);
int run_fake(struct env *e);
/* The first record of MSG whose region or nmem is SUBJECT (any, for NULL). */
const struct captured *find_record(const struct env *e, enum log_msg msg, const char *subject);
unsigned int count_records(const struct env *e, enum log_msg msg);
void read_stamp(struct env *e, struct stamp *stamp);
bool stamp_says(struct env *e, const char *id, enum stamp_state state);
