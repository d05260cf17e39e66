// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "layout/daxctl-conf.h"
#include "run/steps.h"
#include "shared/log.h"

static const char *online_error(int e, const char *user)
{
	switch (e) {
	case -EBUSY:
		return user[0] ? user : "the dax device is in use";
	case -EOPNOTSUPP:
		return "the kernel onlines hot-added memory by itself, outside ZONE_MOVABLE "
		       "(/sys/devices/system/memory/auto_online_blocks is not \"offline\"), "
		       "so Memory=system-ram-movable cannot be had, as daxctl would say too: "
		       "declare Memory=system-ram-normal, or boot with memhp_default_state=offline";
	default:
		return strerror(-e);
	}
}

/*
 * The kmem driver is what takes a dax device's memory as system RAM; the
 * unit cannot load modules, udev loads it for a new dax device. Said once a
 * run, and no other namespace is tried: each would wait for it again.
 */
static void kmem_missing(struct pass *pass)
{
	const struct log_fields f = { .reason = "kmem" };

	if (!pass->run->kmem_missing)
		log_event(MSG_FAILED, &f,
			  "the kmem driver did not appear within 10 s (module kmem not loaded: a "
			  "kernel without CONFIG_DEV_DAX_KMEM, or the module blacklisted): no "
			  "Memory= namespace's memory goes online in this run");
	pass->run->kmem_missing = true;
	pass->counts.failed++;
}

/* Whether the memory is online as system RAM once it returns. */
static bool online(struct pass *pass, const struct snap_region *r, const struct layout_ns_plan *np,
		   const struct snap_namespace *ns)
{
	bool movable = np->decl->memory == LAYOUT_MEMORY_MOVABLE;
	struct log_fields f = { .region = r->name, .name = np->name, .ns = ns->name };
	char user[128] = "";
	int e;

	if (pass->run->kmem_missing)
		return false;
	e = pass->run->ops->online_memory(pass->run->userdata, r->name, ns->name, movable, user, sizeof(user));
	if (e == -ENOENT) {
		kmem_missing(pass);
	} else if (e < 0) {
		f.reason = "memory";
		log_event(MSG_FAILED, &f,
			  "%s: onlining the memory of %s (%s) as system RAM failed: %s; it stays a "
			  "devdax device, the next run tries again", r->name, np->name, ns->name,
			  online_error(e, user));
		pass->counts.failed++;
	} else {
		log_event(MSG_NS_MEMORY, &f,
			  "%s: the memory of %s (%s, %llu bytes) is online as system RAM, in the "
			  "%s zone: %d memory blocks onlined", r->name, np->name, ns->name, ns->size,
			  movable ? "movable" : "normal", e);
		pass->counts.onlined++;
	}
	return e >= 0;
}

/* Where daxctl reads its configuration from, for the messages. */
static void conf_path(const struct pass *pass, const char *file, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s/%s", pass->run->opts->layout_root, DAXCTL_CONF_DIR, file);
}

/*
 * A Memory= namespace of ours that is there: online, recorded, and given
 * its section once its memory is online. One whose memory could not go
 * online keeps what its section was: a section does not make a failure
 * come back at every boot.
 */
static void settle_ours(struct pass *pass, const struct snapshot *snap, const struct snap_region *r,
			const struct layout_ns_plan *np, struct daxctl_conf *want)
{
	const struct snap_namespace *ns = &r->namespaces[np->ns];
	char other[256] = "";
	int e;

	if ((np->online && !online(pass, r, np, ns)) || !ns->dax_uuid[0])
		return;
	if (r->n_dimms && stamp_dax_add(&pass->stamp, ns->uuid, ns->dax_uuid,
					snap->dimms[r->dimms[0]].id, (long long)time(NULL)) < 0)
		log_warning("%s: recording %s (%s) in the stamp failed", r->name, np->name,
			    ns->name);
	if (pass->daxctl_state == DAXCTL_ABSENT) {
		log_warning("%s: no %s%s: daxctl is not installed, so no later boot brings the "
			    "memory of %s back online; install daxctl", r->name,
			    pass->run->opts->layout_root, DAXCTL_CONF_DIR, np->name);
		return;
	}
	e = daxctl_conf_elsewhere(pass->run->opts->layout_root, ns->dax_uuid, other, sizeof(other));
	if (e > 0) {
		char path[512];

		conf_path(pass, other, path, sizeof(path));
		log_warning("%s: %s (dax uuid %s) is configured in %s already: left to that file",
			    r->name, np->name, ns->dax_uuid, path);
		daxctl_conf_remove(want, ns->dax_uuid);
	} else if (e < 0 || daxctl_conf_set(want, ns->dax_uuid, np->name,
					     np->decl->memory == LAYOUT_MEMORY_MOVABLE) < 0) {
		log_error("%s: the daxctl section of %s (dax uuid %s) could not be prepared: %s; "
			  "no later boot brings its memory back online", r->name, np->name,
			  ns->dax_uuid, strerror(e < 0 ? -e : ENOMEM));
		pass->counts.failed++;
	}
}

/* The declaration of LRP that is namespace I of the region, if any. */
static const struct layout_ns_plan *declared_as(const struct layout_region_plan *lrp, size_t i)
{
	for (size_t j = 0; j < lrp->n_ns; j++)
		if ((lrp->ns[j].action == LAYOUT_PRESENT || lrp->ns[j].action == LAYOUT_DRIFT) &&
		    lrp->ns[j].ns == i)
			return &lrp->ns[j];
	return NULL;
}

static bool memory_ours(const struct layout_ns_plan *np)
{
	return np && np->action == LAYOUT_PRESENT && np->ours &&
	       np->decl->memory != LAYOUT_MEMORY_NONE;
}

/*
 * Every dax device of the region gets the section its layout says: ours
 * with Memory=, or none (Memory= changed to nothing, the namespace not
 * declared any more, no layout for the region).
 */
static void settle_region(struct pass *pass, const struct snapshot *snap, const struct snap_region *r,
			  const struct layout_region_plan *lrp, struct daxctl_conf *want)
{
	for (size_t i = 0; i < r->n_namespaces; i++) {
		const struct layout_ns_plan *np = declared_as(lrp, i);

		if (memory_ours(np))
			settle_ours(pass, snap, r, np, want);
		else if (r->namespaces[i].dax_uuid[0])
			daxctl_conf_remove(want, r->namespaces[i].dax_uuid);
	}
}

static bool namespace_there(const struct snapshot *snap, const char *uuid)
{
	for (size_t i = 0; i < snap->n_regions; i++)
		for (size_t j = 0; j < snap->regions[i].n_namespaces; j++)
			if (strcmp(snap->regions[i].namespaces[j].uuid, uuid) == 0)
				return true;
	return false;
}

/*
 * A namespace that is not there is gone for good when its dimm is there
 * and every region of it is one this run looked at, enabled and labelled:
 * wiped, or destroyed. With the dimm absent it may come back.
 */
static bool gone_for_good(const struct snapshot *snap, const struct plan *plan,
			  const struct stamp_dax *d)
{
	bool seen = false;

	if (namespace_there(snap, d->uuid))
		return false;
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct snap_region *r = &snap->regions[i];

		for (size_t k = 0; k < r->n_dimms; k++) {
			if (strcmp(snap->dimms[r->dimms[k]].id, d->dimm) != 0)
				continue;
			if (!plan->regions[i].selected || plan->regions[i].state != STATE_LABELLED)
				return false;
			seen = true;
		}
	}
	return seen;
}

static void forget_gone(struct pass *pass, const struct snapshot *snap, const struct plan *plan,
			struct daxctl_conf *want)
{
	for (size_t k = pass->stamp.n_dax; k-- > 0;) {
		const struct stamp_dax *d = &pass->stamp.dax[k];

		if (!gone_for_good(snap, plan, d))
			continue;
		daxctl_conf_remove(want, d->dax_uuid);
		stamp_dax_remove(&pass->stamp, d->uuid);
	}
}

/* What changes in our file, a line each, then the file written whole. */
static void write_conf(struct pass *pass, const struct daxctl_conf *want)
{
	const struct daxctl_conf *had = &pass->daxctl;
	char path[512];
	int e;

	if (daxctl_conf_equal(had, want))
		return;
	conf_path(pass, DAXCTL_CONF_FILE, path, sizeof(path));
	e = daxctl_conf_write(pass->run->opts->layout_root, want);
	if (e < 0) {
		log_errno(e, "writing %s failed, so it says what it said before", path);
		pass->counts.failed++;
		return;
	}
	for (size_t i = 0; i < want->n; i++) {
		const struct daxctl_section *s = &want->sections[i], *old;

		old = daxctl_conf_find(had, s->uuid);
		if (!old || old->movable != s->movable)
			log_info("%s (dax uuid %s) %s %s: daxctl onlines its memory, %s, at every boot",
				 s->name, s->uuid, old ? "changed in" : "added to", path,
				 s->movable ? "movable" : "in the normal zone");
	}
	for (size_t i = 0; i < had->n; i++)
		if (!daxctl_conf_find(want, had->sections[i].uuid))
			log_info("%s (dax uuid %s) removed from %s: no layout declares Memory= for it "
				 "now, or it is gone", had->sections[i].name, had->sections[i].uuid,
				 path);
	daxctl_conf_clear(&pass->daxctl);
	if (daxctl_conf_copy(&pass->daxctl, want) < 0)
		pass->daxctl_state = DAXCTL_UNREADABLE;
}

void settle_memory(struct pass *pass, const struct snapshot *snap, const struct plan *plan,
		   const struct layout_plan *lplan)
{
	struct daxctl_conf want = { 0 };

	if (daxctl_conf_copy(&want, &pass->daxctl) < 0) {
		log_errno(-ENOMEM, "bringing the Memory= namespaces in line failed");
		pass->counts.failed++;
		return;
	}
	for (size_t i = 0; i < snap->n_regions; i++) {
		const struct layout_region_plan *lrp = &lplan->regions[i];

		/* A region with no layout keeps no section: one that had it lost it. */
		if (plan->regions[i].selected && !lrp->projected &&
		    plan->regions[i].state == STATE_LABELLED)
			settle_region(pass, snap, &snap->regions[i], lrp, &want);
	}
	forget_gone(pass, snap, plan, &want);
	if (pass->daxctl_state == DAXCTL_READ)
		write_conf(pass, &want);
	daxctl_conf_clear(&want);
}
