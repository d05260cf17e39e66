// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ndctl.h>

#include "label/apply.h"
#include "shared/log.h"

static void log_group_failure(const struct snapshot *snap, const struct plan *plan,
			      unsigned int group, const char *step, const char *object, int err)
{
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct log_fields f = { .region = snap->regions[i].name, .reason = step };

		if (plan->regions[i].group != group)
			continue;
		log_event(MSG_FAILED, &f, "%s of %s failed: %s", step, object, strerror(-err));
	}
}

int apply_group(const struct snapshot *snap, const struct plan *plan, unsigned int group,
		enum label_version version, const struct ops *ops, void *userdata)
{
	bool *disabled = calloc(snap->n_regions ? snap->n_regions : 1, sizeof(*disabled));
	int r = disabled ? 0 : -ENOMEM;

	if (r < 0)
		log_group_failure(snap, plan, group, "preparation", "the group", r);

	for (size_t i = 0; i < snap->n_regions && r == 0; i++) {
		if (plan->regions[i].group != group)
			continue;
		r = ops->disable_region(userdata, snap->regions[i].name);
		if (r < 0)
			log_group_failure(snap, plan, group, "disable", snap->regions[i].name, r);
		else
			disabled[i] = true;
	}

	for (size_t i = 0; i < snap->n_dimms && r == 0; i++) {
		if (plan->dimms[i].group != group)
			continue;
		r = ops->init_labels(userdata, snap->dimms[i].name, version);
		if (r > 0) {
			log_debug("%s already has a valid label index: not writing a new one",
				  snap->dimms[i].name);
			r = 0;
		}
		if (r < 0)
			log_group_failure(snap, plan, group, "label initialization",
					  snap->dimms[i].name, r);
	}

	/* Whatever happened above, nothing stays disabled that was enabled before. */
	for (size_t i = 0; disabled && i < snap->n_regions; i++) {
		int e;

		if (!disabled[i])
			continue;
		e = ops->enable_region(userdata, snap->regions[i].name);
		if (e < 0) {
			const struct log_fields f = { .region = snap->regions[i].name,
						      .reason = "enable" };

			log_event(MSG_FAILED, &f,
				  "enabling the region again failed: %s; it is left disabled, "
				  "the next run will enable it", strerror(-e));
			if (r == 0)
				r = e;
		}
	}
	free(disabled);
	return r;
}

int apply_recover(const struct snapshot *snap, const struct plan *plan,
		  const struct ops *ops, void *userdata)
{
	int r = 0;

	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct log_fields f = { .region = snap->regions[i].name };
		int e;

		if (!plan->regions[i].selected || plan->regions[i].verdict != VERDICT_RECOVER)
			continue;
		e = ops->enable_region(userdata, snap->regions[i].name);
		if (e < 0) {
			const struct log_fields ff = { .region = snap->regions[i].name,
						       .reason = "enable" };

			log_event(MSG_FAILED, &ff,
				  "an earlier run was interrupted and left the region disabled; "
				  "enabling it failed: %s", strerror(-e));
			if (r == 0)
				r = e;
			continue;
		}
		log_event(MSG_RECOVERED, &f,
			  "an earlier run was interrupted and left the region disabled; enabled it again");
	}
	return r;
}

bool apply_region_verified(const struct snapshot *after, const struct snapshot *before,
			   size_t region)
{
	const struct snap_region *was = &before->regions[region];
	const struct snap_region *now = snapshot_find_region(after, was->name);

	if (!now || !now->enabled || now->nstype != ND_DEVICE_NAMESPACE_PMEM || now->available == 0)
		return false;
	for (size_t i = 0; i < now->n_dimms; i++)
		if (!after->dimms[now->dimms[i]].labelled)
			return false;
	return true;
}
