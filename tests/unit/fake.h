/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "backend/ops.h"

/*
 * A fake NVDIMM world behind the operations table. It behaves like the
 * kernel where it matters (labels can only be written while every region
 * using the dimm is disabled; a region is labelled once all its dimms are)
 * and can be told to fail any one call.
 */
struct fake {
	struct snapshot *world;
	char calls[64][64];       /* "disable region0", "init nmem1", ... */
	unsigned int n_calls;
	const char *fail_call;    /* fail the call with this text ... */
	unsigned int fail_nth;    /* ... or the N-th call overall (1-based) */
	int fail_errno;
	bool init_does_nothing;   /* init "succeeds" but writes nothing */
	bool drivers_fail;
	bool kmem_missing;        /* online_memory finds no kmem driver */
	bool snapshots_fail;      /* every read_snapshot fails */
	unsigned int snapshot_fail_after; /* fail read_snapshot calls after this many */
	bool index_valid;         /* init finds a valid index: keeps it and returns 1 */
	unsigned int n_snapshots;
	int raise_in_init;        /* signal to raise inside init_labels, 0 = none */
	unsigned int raise_nth;   /* raise raise_sig at the N-th call (1-based), before it acts */
	int raise_sig;
	void (*before_raise)(struct fake *f);  /* e.g. to save the world a SIGKILL takes along */
	/* What probe_namespace finds on top of the world: written since it was read. */
	const char *probe_signature;
	struct ns_spec last_spec;  /* of the last create or convert; its strings not kept */
	/* Called before the N-th read_snapshot (1-based), e.g. to hot-plug a dimm. */
	void (*before_snapshot)(struct fake *f, unsigned int n);
	/* Called at every call that changes the world, before it acts. */
	void (*on_call)(struct fake *f);
};

/* What the fake's online_memory reports having onlined, and who uses a busy device. */
#define FAKE_MEMORY_BLOCKS 8
#define FAKE_USER_PID 4242

extern const struct ops fake_ops;

void fake_init(struct fake *f, struct snapshot *world);
void fake_clear(struct fake *f);
bool fake_called(const struct fake *f, const char *call);
bool fake_all_enabled(const struct fake *f);
int fake_copy_snapshot(const struct snapshot *src, struct snapshot **out);
/* The world in a file and back, for a run killed in a child process. */
int fake_save_world(const struct fake *f, const char *path);
int fake_load_world(struct fake *f, const char *path);
