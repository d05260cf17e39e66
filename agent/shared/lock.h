/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#define LOCK_FILE "lock"

/*
 * Takes the run lock in the state directory, waiting up to timeout_ms for
 * another run to finish. Returns the lock fd (closing it releases the lock),
 * -ETIMEDOUT, or another negative errno.
 */
int lock_take(int dirfd, unsigned int timeout_ms);
