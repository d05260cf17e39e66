/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The steps at which a run can be cut short, counted in one sequence: each
 * call of the fake's operations table (fake.on_call) and each change the
 * run makes in its state directory (creating, renaming, removing or syncing
 * a file). kill-points.c puts itself in front of the C library's file calls
 * for the code linked into the test, so that SIGKILL can come before any
 * of them, as a power cut or an OOM kill could.
 */

extern unsigned int kp_steps;

/* SIGKILL before step N (1-based; 0: never), BEFORE called first. */
void kp_arm(unsigned int n, void (*before)(void));
/* A step: counted, and the kill when it is the one armed. */
void kp_step(void);
