/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/snapshot.h"

/*
 * Our file in daxctl's configuration directory, through which daxctl's
 * reconfiguration at boot (started by 91-nvdimm-label-init-memory.rules)
 * onlines the memory of our Memory= namespaces at every later boot. The
 * file is ours alone and written whole from what the layouts say, one
 * section per dax device; another file's sections are never touched.
 */

#define DAXCTL_CONF_FILE "nvdimm-label-init.conf"

struct daxctl_section {
	char uuid[SNAP_UUID_MAX];     /* the dax device's: daxctl's nvdimm.uuid */
	char name[SNAP_NAME_MAX];     /* the namespace's, for whoever reads the file */
	bool movable;
};

struct daxctl_conf {
	size_t n;
	struct daxctl_section *sections;
};

void daxctl_conf_clear(struct daxctl_conf *conf);
const struct daxctl_section *daxctl_conf_find(const struct daxctl_conf *conf, const char *uuid);
/* Adds or updates the section of UUID. Returns 0 or -ENOMEM. */
int daxctl_conf_set(struct daxctl_conf *conf, const char *uuid, const char *name, bool movable);
void daxctl_conf_remove(struct daxctl_conf *conf, const char *uuid);
bool daxctl_conf_equal(const struct daxctl_conf *a, const struct daxctl_conf *b);
int daxctl_conf_copy(struct daxctl_conf *dst, const struct daxctl_conf *src);

/*
 * The sections of ROOT DAXCTL_CONF_DIR/DAXCTL_CONF_FILE (ROOT is "" but in
 * tests): none without the file; -ENOENT without the directory (daxctl is
 * not installed). What the file holds besides well-formed sections of ours
 * is not kept.
 */
int daxctl_conf_read(const char *root, struct daxctl_conf *out);
/* The file as CONF says, put in place whole (tmp, fsync, rename); removed when CONF is empty. */
int daxctl_conf_write(const char *root, const struct daxctl_conf *conf);
/*
 * 1 with its name in OTHER when another file of the directory has a
 * section for UUID (daxctl would apply both), 0 when none has, or a
 * negative errno.
 */
int daxctl_conf_elsewhere(const char *root, const char *uuid, char *other, size_t otherlen);
