/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Loads the NVDIMM bus and pmem drivers through libkmod, honouring the
 * blacklist. A module that does not exist is not an error: it may be built
 * in, or the platform has no NVDIMMs. Returns 0, or a negative errno with
 * *failed naming the first module that did not load.
 */
int drivers_load(const char **failed);
