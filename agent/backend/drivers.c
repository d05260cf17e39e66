// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libkmod.h>

#include "backend/drivers.h"
#include "shared/log.h"
#include "shared/macro.h"

static const char *const modules[] = { "nfit", "nd_pmem" };

static void kmod_log(void *data UNUSED, int priority, const char *file UNUSED, int line UNUSED,
		     const char *fn UNUSED, const char *format, va_list args)
{
	log_library("libkmod", priority, format, args);
}

static int load_one(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_list *list = NULL, *l;
	int r;

	r = kmod_module_new_from_lookup(ctx, name, &list);
	if (r < 0)
		return r;
	if (!list) {
		log_debug("module %s not found; fine when it is built in", name);
		return 0;
	}
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);

		r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL,
						    NULL, NULL);
		if (r == KMOD_PROBE_APPLY_BLACKLIST) {
			log_info("module %s is blacklisted: not loading it", kmod_module_get_name(mod));
			r = 0;
		}
		kmod_module_unref(mod);
		if (r < 0)
			break;
	}
	kmod_module_unref_list(list);
	return r;
}

static bool all_present(void)
{
	char path[64];

	for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s", modules[i]);
		if (access(path, F_OK) < 0)
			return false;
	}
	return true;
}

int drivers_load(const char **failed)
{
	struct kmod_ctx *ctx;
	int r = 0;

	/*
	 * On most boots modules-load.d has loaded them already; libkmod's
	 * lookups would find that out too, but cost more than the rest of a
	 * run with nothing to do.
	 */
	if (all_present()) {
		log_debug("modules nfit and nd_pmem are loaded already");
		return 0;
	}
	ctx = kmod_new(NULL, NULL);
	if (!ctx) {
		*failed = "libkmod";
		return -ENOMEM;
	}
	kmod_set_log_fn(ctx, kmod_log, NULL);
	kmod_set_log_priority(ctx, log_get_max_priority() >= LOG_DEBUG ? LOG_DEBUG : LOG_ERR);
	for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
		int e = load_one(ctx, modules[i]);

		if (e < 0 && r == 0) {
			r = e;
			*failed = modules[i];
		}
	}
	kmod_unref(ctx);
	return r;
}
