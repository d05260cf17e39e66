// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ndctl.h>

#include "fake.h"
#include "shared/macro.h"

void fake_init(struct fake *f, struct snapshot *world)
{
	memset(f, 0, sizeof(*f));
	f->world = world;
	f->fail_errno = EIO;
}

void fake_clear(struct fake *f)
{
	snapshot_free(f->world);
	f->world = NULL;
}

bool fake_called(const struct fake *f, const char *call)
{
	for (unsigned int i = 0; i < f->n_calls; i++)
		if (strcmp(f->calls[i], call) == 0)
			return true;
	return false;
}

bool fake_all_enabled(const struct fake *f)
{
	for (size_t i = 0; i < f->world->n_regions; i++)
		if (!f->world->regions[i].enabled)
			return false;
	return true;
}

static int record(struct fake *f, const char *verb, const char *object)
{
	char call[64];

	if (f->on_call)
		f->on_call(f);
	snprintf(call, sizeof(call), "%s %s", verb, object);
	if (f->n_calls < 64)
		snprintf(f->calls[f->n_calls], sizeof(f->calls[0]), "%s", call);
	f->n_calls++;
	if (f->raise_nth == f->n_calls) {
		if (f->before_raise)
			f->before_raise(f);
		raise(f->raise_sig);
	}
	if ((f->fail_call && strcmp(f->fail_call, call) == 0) || f->fail_nth == f->n_calls)
		return -f->fail_errno;
	return 0;
}

int fake_copy_snapshot(const struct snapshot *src, struct snapshot **out)
{
	int r = snapshot_copy(src, out);

	/* A disabled region has no namespace devices, as in sysfs. */
	for (size_t i = 0; r == 0 && i < (*out)->n_regions; i++)
		if (!(*out)->regions[i].enabled)
			(*out)->regions[i].n_namespaces = 0;
	return r;
}

static int fake_load_drivers(void *userdata, const char **what)
{
	struct fake *f = userdata;

	if (!f->drivers_fail)
		return 0;
	*what = "nfit";
	return -ENOENT;
}

static int fake_read_snapshot(void *userdata, struct snapshot **out)
{
	struct fake *f = userdata;

	if (f->snapshots_fail || (f->snapshot_fail_after && f->n_snapshots >= f->snapshot_fail_after))
		return -EIO;
	f->n_snapshots++;
	if (f->before_snapshot)
		f->before_snapshot(f, f->n_snapshots);
	return fake_copy_snapshot(f->world, out);
}

static int fake_disable_region(void *userdata, const char *name)
{
	struct fake *f = userdata;
	struct snap_region *r = snapshot_find_region(f->world, name);
	int e = record(f, "disable", name);

	if (e < 0)
		return e;
	if (!r)
		return -ENODEV;
	if (r->n_namespaces && r->namespaces[0].busy)
		return -EBUSY;
	r->enabled = false;
	return 0;
}

static bool dimm_in_enabled_region(const struct snapshot *s, size_t dimm)
{
	for (size_t i = 0; i < s->n_regions; i++)
		for (size_t j = 0; j < s->regions[i].n_dimms; j++)
			if (s->regions[i].dimms[j] == dimm && s->regions[i].enabled)
				return true;
	return false;
}

static int fake_init_labels(void *userdata, const char *name, enum label_version version UNUSED)
{
	struct fake *f = userdata;
	struct snap_dimm *d = snapshot_find_dimm(f->world, name);
	int e = record(f, "init", name);

	if (f->raise_in_init)
		raise(f->raise_in_init);
	if (e < 0)
		return e;
	if (!d)
		return -ENODEV;
	if (dimm_in_enabled_region(f->world, (size_t)(d - f->world->dimms)))
		return -EBUSY;
	if (!f->init_does_nothing)
		d->labelled = true;
	return f->index_valid ? 1 : 0;
}

static int fake_enable_region(void *userdata, const char *name)
{
	struct fake *f = userdata;
	struct snap_region *r = snapshot_find_region(f->world, name);
	bool labelled = true;
	int e = record(f, "enable", name);

	if (e < 0)
		return e;
	if (!r)
		return -ENODEV;
	r->enabled = true;
	for (size_t i = 0; i < r->n_dimms; i++)
		labelled &= f->world->dimms[r->dimms[i]].labelled;
	if (labelled && r->n_dimms) {
		/* What the kernel shows after labelling: a size-0 seed, space available. */
		r->nstype = ND_DEVICE_NAMESPACE_PMEM;
		r->available = r->size & ~((16ULL << 20) - 1);
		r->max_extent = r->available;
		if (r->n_namespaces) {
			r->namespaces[0].size = 0;
			r->namespaces[0].enabled = false;
			r->namespaces[0].blockdev[0] = '\0';
			r->namespaces[0].signature[0] = '\0';
		}
	}
	return 0;
}

static struct snap_namespace *find_namespace(struct snap_region *r, const char *name)
{
	for (size_t i = 0; i < r->n_namespaces; i++)
		if (name ? strcmp(r->namespaces[i].name, name) == 0 : r->namespaces[i].size == 0)
			return &r->namespaces[i];
	return NULL;
}

/* The kernel makes a new seed once the namespace made from the old one is enabled. */
static int add_seed(struct snap_region *r)
{
	struct snap_namespace seed = { .mode = NS_MODE_RAW };

	snprintf(seed.name, sizeof(seed.name), "namespace%s.%zu", r->name + strlen("region"),
		 r->n_namespaces);
	return snapshot_region_add_namespace(r, &seed);
}

/* Space is taken from the region as the size is set, as the kernel allocates it. */
static int set_size(struct snap_region *r, struct snap_namespace *ns, unsigned long long size)
{
	if (size > ns->size && size - ns->size > r->available)
		return -ENOSPC;
	r->available = r->available + ns->size - size;
	r->max_extent = r->available;
	ns->size = size;
	return 0;
}

/*
 * Each step is a call of its own ("seed region0", "uuid region0", "name",
 * "size", "attach", "enable"), so a test can fail any one and find the
 * namespace as half-made as the kernel would leave it.
 */
static int fake_create_namespace(void *userdata, const char *region, const char *name,
				 const struct ns_spec *spec)
{
	struct fake *f = userdata;
	struct snap_region *r = snapshot_find_region(f->world, region);
	struct snap_namespace *ns;
	int e = record(f, "seed", region);

	f->last_spec = *spec;

	if (e < 0)
		return e;
	if (!r || !(ns = find_namespace(r, name)))
		return -ENODEV;
	if ((e = record(f, "uuid", region)) < 0)
		return e;
	snprintf(ns->uuid, sizeof(ns->uuid), "%s", spec->uuid);
	if ((e = record(f, "name", region)) < 0)
		return e;
	snprintf(ns->alt_name, sizeof(ns->alt_name), "%s", spec->name);
	if ((e = record(f, "size", region)) < 0 || (e = set_size(r, ns, spec->size)) < 0)
		return e;
	if (spec->mode != NS_MODE_RAW && (e = record(f, "attach", region)) < 0)
		return e;
	if ((e = record(f, "enable", region)) < 0)
		return e;
	ns->mode = spec->mode;
	ns->enabled = true;
	/* The kernel's dax device has a uuid of its own: make it differ from the namespace's. */
	if (spec->mode == NS_MODE_DEVDAX) {
		snprintf(ns->dax_uuid, sizeof(ns->dax_uuid), "%s", spec->uuid);
		ns->dax_uuid[0] = ns->dax_uuid[0] == 'd' ? 'e' : 'd';
	}
	return find_namespace(r, NULL) ? 0 : add_seed(r);
}

static int fake_probe_namespace(void *userdata, const char *region, const char *name,
				struct snap_namespace *out)
{
	struct fake *f = userdata;
	struct snap_region *r = snapshot_find_region(f->world, region);
	struct snap_namespace *ns = r ? find_namespace(r, name) : NULL;

	if (!ns)
		return -ENODEV;
	*out = *ns;
	if (f->probe_signature)
		snprintf(out->signature, sizeof(out->signature), "%s", f->probe_signature);
	return 0;
}

static int fake_convert_namespace(void *userdata, const char *region, const char *name,
				  const struct ns_spec *spec)
{
	struct fake *f = userdata;
	struct snap_region *r = snapshot_find_region(f->world, region);
	struct snap_namespace *ns = r ? find_namespace(r, name) : NULL;
	int e = record(f, "claim", region);

	f->last_spec = *spec;

	if (e < 0)
		return e;
	if (!ns)
		return -ENODEV;
	if (ns->busy)
		return -EBUSY;
	e = record(f, "attach", region);
	if (e == 0)
		e = record(f, "enable", region);
	if (e == 0)
		ns->mode = spec->mode;
	return e;
}

static int fake_online_memory(void *userdata, const char *region, const char *name,
			      bool movable, char *user, size_t userlen)
{
	struct fake *f = userdata;
	struct snap_region *r = snapshot_find_region(f->world, region);
	struct snap_namespace *ns = r ? find_namespace(r, name) : NULL;
	int e = record(f, movable ? "online-movable" : "online-normal", region);

	if (e < 0)
		return e;
	if (!ns || ns->mode != NS_MODE_DEVDAX)
		return -ENODEV;
	if (f->kmem_missing)
		return -ENOENT;
	if (ns->busy) {
		snprintf(user, userlen, "in use by pid %d (fake-app)", FAKE_USER_PID);
		return -EBUSY;
	}
	ns->system_ram = true;
	return FAKE_MEMORY_BLOCKS;
}

const struct ops fake_ops = {
	.load_drivers = fake_load_drivers,
	.read_snapshot = fake_read_snapshot,
	.disable_region = fake_disable_region,
	.enable_region = fake_enable_region,
	.init_labels = fake_init_labels,
	.create_namespace = fake_create_namespace,
	.probe_namespace = fake_probe_namespace,
	.convert_namespace = fake_convert_namespace,
	.online_memory = fake_online_memory,
};

/* fwrite() of an empty array whose pointer is NULL is undefined behaviour (UBSan says so). */
static bool write_array(FILE *out, const void *p, size_t size, size_t n)
{
	return n == 0 || fwrite(p, size, n, out) == n;
}

/* Plain structs, and per region its arrays; the pointers in them are rebuilt on loading. */
int fake_save_world(const struct fake *f, const char *path)
{
	const struct snapshot *w = f->world;
	FILE *out = fopen(path, "w");
	bool ok;

	if (!out)
		return -errno;
	ok = fwrite(w, sizeof(*w), 1, out) == 1 &&
	     write_array(out, w->dimms, sizeof(*w->dimms), w->n_dimms);
	for (size_t i = 0; ok && i < w->n_regions; i++) {
		const struct snap_region *r = &w->regions[i];

		ok = fwrite(r, sizeof(*r), 1, out) == 1 &&
		     write_array(out, r->dimms, sizeof(*r->dimms), r->n_dimms) &&
		     write_array(out, r->namespaces, sizeof(*r->namespaces), r->n_namespaces);
	}
	return fclose(out) == 0 && ok ? 0 : -EIO;
}

static bool load_region(FILE *in, struct snapshot *w)
{
	struct snap_region tmpl, *r;
	size_t dimm;
	struct snap_namespace ns;

	if (fread(&tmpl, sizeof(tmpl), 1, in) != 1 || snapshot_add_region(w, &tmpl, &r) < 0)
		return false;
	for (size_t j = 0; j < tmpl.n_dimms; j++)
		if (fread(&dimm, sizeof(dimm), 1, in) != 1 || snapshot_region_add_dimm(r, dimm) < 0)
			return false;
	for (size_t j = 0; j < tmpl.n_namespaces; j++)
		if (fread(&ns, sizeof(ns), 1, in) != 1 || snapshot_region_add_namespace(r, &ns) < 0)
			return false;
	return true;
}

int fake_load_world(struct fake *f, const char *path)
{
	struct snapshot head, *w = calloc(1, sizeof(*w));
	struct snap_dimm d;
	FILE *in = fopen(path, "r");
	bool ok = in && w && fread(&head, sizeof(head), 1, in) == 1;

	if (ok) {
		w->n_buses = head.n_buses;
	}
	for (size_t i = 0; ok && i < head.n_dimms; i++)
		ok = fread(&d, sizeof(d), 1, in) == 1 && snapshot_add_dimm(w, &d, NULL) == 0;
	for (size_t i = 0; ok && i < head.n_regions; i++)
		ok = load_region(in, w);
	if (in)
		fclose(in);
	if (!ok) {
		snapshot_free(w);
		return -EIO;
	}
	snapshot_free(f->world);
	f->world = w;
	return 0;
}
