/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * The names and ids that come from outside (the labels, the kernel, the
 * stamp, a layout file, the command line) and end up in a path, a udev
 * link, the stamp or the journal: each is checked against one rule here.
 */

/*
 * What this project names namespaces and links: a layout's Name=, stored
 * in the labels (alt_name), and the only names /dev/disk/by-nvdimm-name/
 * links. Labels are written by whoever has the label area, so a name read
 * back is hostile until nsname_valid() says otherwise: it must make
 * neither a path of its own nor a second link.
 */
#define NSNAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
/* The kernel's NSLABEL_NAME_LEN, with its terminating NUL. */
#define NSNAME_MAX 64
/* 1 to NSNAME_MAX - 1 characters of NSNAME_CHARS, and neither "." nor "..". */
bool nsname_valid(const char *name);

/* A dimm's id (unique id, or a substitute) is made of these, and shorter than ID_MAX. */
#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-"
#define ID_MAX 128
bool id_valid(const char *id);

/* A machine id as /etc/machine-id holds it (32 lower-case hex digits), with its NUL. */
#define MACHINE_ID_MAX 33
bool machine_id_valid(const char *id);

/* A region's name as the kernel makes it: "region" and a number without a leading zero. */
bool region_name_valid(const char *name);
