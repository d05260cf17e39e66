/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * The names this project gives namespaces and links to: what a layout's
 * Name= stores in the labels (alt_name), and the only names
 * /dev/disk/by-nvdimm-name/ gets a link for. Labels are written by whoever
 * has the label area, so a name read back is hostile until nsname_valid()
 * says otherwise: it must make neither a path of its own nor a second link.
 */
#define NSNAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
/* The kernel's NSLABEL_NAME_LEN, with its terminating NUL. */
#define NSNAME_MAX 64

/* 1 to NSNAME_MAX - 1 characters of NSNAME_CHARS, and neither "." nor "..". */
bool nsname_valid(const char *name);
