/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/snapshot.h"
#include "shared/names.h"

/*
 * The stamp remembers, per dimm unique id, that the dimm was seen labelled
 * (so a label-less dimm it knows means the labels were lost) or that a run
 * was about to disable its regions (so a region found disabled later was
 * left so by an interrupted run of ours, not by an administrator).
 */

#define STAMP_FILE "stamp"
/*
 * Exists whenever the stamp holds pending marks, so that systemd alone
 * (ConditionPathExists=) can tell at boot that an interrupted run needs
 * finishing, without starting a process.
 */
#define STAMP_PENDING_MARKER "pending"
#define STAMP_MAX_SIZE ((size_t)256 * 1024)

enum stamp_state {
	STAMP_LABELLED,
	STAMP_PENDING,
	/*
	 * Pending on a dimm that had been seen labelled: a run killed while
	 * putting lost labels back must not turn the lost labels into what
	 * looks like a first boot.
	 */
	STAMP_PENDING_LOST,
};

struct stamp_entry {
	char id[SNAP_ID_MAX];
	enum stamp_state state;
	long long time;
};

/*
 * A namespace a run is about to create for a layout, marked before the
 * first step and cleared once the namespace is complete: a run killed in
 * between leaves the mark, and the next run finishes that namespace (found
 * by its uuid) instead of creating a second one.
 */
struct stamp_ns {
	char region[SNAP_NAME_MAX];
	char uuid[SNAP_UUID_MAX];
	char name[SNAP_NAME_MAX];     /* the layout's Name= */
	long long time;
};

/*
 * A devdax namespace a run of ours made: its memory is ours to online as
 * system RAM when a layout says Memory=, and ours alone; and its section
 * in daxctl.conf.d goes with it once it is gone for good (its dimm is
 * there, the namespace is not).
 */
struct stamp_dax {
	char uuid[SNAP_UUID_MAX];     /* the namespace's */
	char dax_uuid[SNAP_UUID_MAX]; /* its dax device's, what daxctl.conf.d names */
	char dimm[SNAP_ID_MAX];       /* the id of its region's first dimm */
	long long time;
};

struct stamp {
	/*
	 * The machine it was written on: a stamp baked into an image is not
	 * the VMs made from it. Empty in a stamp of an earlier version.
	 */
	char machine[MACHINE_ID_MAX];
	size_t n;
	struct stamp_entry *entries;
	size_t n_ns;
	struct stamp_ns *ns;
	size_t n_dax;
	struct stamp_dax *dax;
};

void stamp_clear(struct stamp *stamp);
const struct stamp_entry *stamp_find(const struct stamp *stamp, const char *id);
int stamp_set(struct stamp *stamp, const char *id, enum stamp_state state, long long time);
bool stamp_equal(const struct stamp *a, const struct stamp *b);
int stamp_copy(struct stamp *dst, const struct stamp *src);
const char *stamp_state_name(enum stamp_state state);
/* The state of that name; false for none. */
bool stamp_state_from_name(const char *name, enum stamp_state *out);
bool stamp_entry_pending(const struct stamp_entry *e);
/* Labelled, or pending after it had been labelled: label-less now means lost. */
bool stamp_entry_seen_labelled(const struct stamp_entry *e);

/* Adds a namespace mark; -EINVAL for a region, uuid or name the stamp cannot hold. */
int stamp_ns_add(struct stamp *stamp, const char *region, const char *uuid, const char *name,
		 long long time);
void stamp_ns_remove(struct stamp *stamp, const char *uuid);
const struct stamp_ns *stamp_ns_find(const struct stamp *stamp, const char *uuid);

/* Adds or replaces the record of a devdax namespace; -EINVAL for what the stamp cannot hold. */
int stamp_dax_add(struct stamp *stamp, const char *uuid, const char *dax_uuid, const char *dimm,
		  long long time);
void stamp_dax_remove(struct stamp *stamp, const char *uuid);
const struct stamp_dax *stamp_dax_find(const struct stamp *stamp, const char *uuid);
const struct stamp_dax *stamp_dax_find_dax(const struct stamp *stamp, const char *dax_uuid);

/* Pure text conversion; parse returns -EINVAL with a reason for bad text. */
int stamp_parse(const char *text, size_t len, struct stamp *out, const char **why);
int stamp_format(const struct stamp *stamp, char **text);

/*
 * Reads DIRFD/stamp without following links. -ENOENT when there is none;
 * -EINVAL (with *why) when it is there but unusable, so the caller can warn
 * and carry on as if it were absent.
 */
int stamp_read(int dirfd, struct stamp *out, const char **why);
/*
 * Temp file, fsync, rename, fsync of the directory; the pending marker is
 * created before a stamp with pending marks and removed after one without.
 */
int stamp_write(int dirfd, const struct stamp *stamp);
/*
 * The pending marker as STAMP, which is on disk, says: there when it holds
 * pending marks, gone when not. A crash between a stamp's rename and the
 * marker's removal, or a removal that failed, would otherwise have systemd
 * start a run at every boot.
 */
int stamp_marker_sync(int dirfd, const struct stamp *stamp);
void stamp_remove(struct stamp *stamp, const char *id);
