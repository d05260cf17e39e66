/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * Whether a process has the character device RDEV open or mapped, looked
 * up as fuser(1) does, through /proc: every file descriptor and every
 * mapping of every process. The kernel tears a device-dax mapping down
 * when the device leaves device_dax, and the program gets SIGBUS: this is
 * what keeps that from happening. Reading the processes of other users,
 * or of more capabilities, takes CAP_SYS_PTRACE. Returns 1 with "in use by
 * pid N (comm)" in USER, 0 for none, or -EACCES (USER says so) when a
 * process could not be looked at. PROC is "/proc" but in tests.
 */
int proc_device_users(const char *proc, dev_t rdev, char *user, size_t len);
