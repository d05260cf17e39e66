// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "label/report.h"
#include "shared/log.h"
#include "shared/macro.h"

static void format_time(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, len, "an earlier run");
}

/* Why the contents of a label-less region's namespace could not be checked. */
static const char *unreadable_why(const struct snap_namespace *ns)
{
	if (ns->probe_error)
		return strerror(ns->probe_error);
	return ns->enabled ? "no block device" : "namespace disabled";
}

/* What a report is made from: the plan and what it was made of. */
struct report {
	const struct snapshot *snap;
	const struct plan *plan;
	const struct stamp *stamp;
	bool dry_run;
};

static void report_dimm_init(const struct report *rep, size_t ri, size_t di)
{
	const struct snapshot *snap = rep->snap;
	const struct plan *plan = rep->plan;
	const bool dry_run = rep->dry_run;
	const struct snap_region *r = &snap->regions[ri];
	const struct snap_dimm *d = &snap->dimms[di];
	const struct snap_namespace *ns = r->namespaces;
	const struct log_fields f = { .region = r->name, .nmem = d->name, .id = d->id,
				      .blockdev = ns->blockdev[0] ? ns->blockdev : NULL };

	if (plan->dimms[di].lost) {
		const struct stamp_entry *e = stamp_find(rep->stamp, d->id);
		char when[64];

		format_time(e ? e->time : 0, when, sizeof(when));
		log_event(MSG_LABELS_LOST, &f,
			  "%s (id %s) had labels (seen %s) but has none now: the host's backing "
			  "store did not keep them (backing file wiped or recreated, or not "
			  "persistent: access not shared / share=off, or hugepages-backed guest "
			  "memory); %s its labels again",
			  d->name, d->id, when, dry_run ? "would initialize" : "initializing");
	} else if (!dry_run) {
		log_event(MSG_LABEL_LESS, &f,
			  "%s is label-less (one raw namespace %s over the whole region, no "
			  "space for namespaces): initializing the labels of %s",
			  r->name, ns->name, d->name);
	}
	if (dry_run)
		log_event(MSG_DRY_RUN, &f, "dry run: would initialize the labels of %s (%s)",
			  d->name, r->name);
}

/* A value the words of a refusal name: {key}. */
struct fill {
	const char *key;
	const char *value;
};

/* The value of the key of KEYLEN characters at KEY; NULL for none. */
static const char *value_of(const char *key, size_t keylen, const struct fill *fills, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (strlen(fills[k].key) == keylen && strncmp(key, fills[k].key, keylen) == 0)
			return fills[k].value;
	return NULL;
}

/* WORDS with each {key} of FILLS replaced by its value; an unknown one stays as it is. */
static void fill_in(char *out, size_t len, const char *words, const struct fill *fills, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (const char *w = words; *w && used + 1 < len; w++) {
		size_t keylen = *w == '{' ? strcspn(w + 1, "}") : 0;
		const char *value = keylen ? value_of(w + 1, keylen, fills, n) : NULL;

		if (value) {
			used += (size_t)snprintf(out + used, len - used, "%s", value);
			w += keylen + 1;
		} else {
			out[used++] = *w;
			out[used] = '\0';
		}
	}
}

static void report_refused(const struct report *rep, size_t ri)
{
	const struct snapshot *snap = rep->snap;
	const struct plan *plan = rep->plan;
	const struct snap_region *r = &snap->regions[ri];
	const struct region_plan *p = &plan->regions[ri];
	/*
	 * plan.c refuses a region without exactly one namespace for its layout
	 * before anything else; every other refusal is about that namespace.
	 */
	const struct snap_namespace *ns = r->namespaces;
	const bool other = p->other < snap->n_regions;
	const struct fill fills[] = {
		{ "blockdev", ns->blockdev },
		{ "ns", ns->name },
		{ "mode", ns_mode_name(ns->mode) },
		{ "signature", ns->signature },
		{ "why", unreadable_why(ns) },
		{ "other", other ? snap->regions[p->other].name : "?" },
		{ "verdict", other ? verdict_name(plan->regions[p->other].verdict) : "?" },
	};
	const char *words = reason_label_words(p->reason);
	struct log_fields f = { .region = r->name, .reason = reason_name(p->reason) };
	char text[512];

	if (p->reason != REASON_LAYOUT && ns->blockdev[0])
		f.blockdev = ns->blockdev;
	if (p->reason == REASON_SIGNATURE)
		f.signature = ns->signature;
	fill_in(text, sizeof(text), words ? words : "not touched", fills, ARRAY_SIZE(fills));
	log_event(MSG_REFUSED, &f, "%s is label-less but %s", r->name, text);
}

static void report_not_ours(const struct report *rep, size_t ri)
{
	const struct snap_region *r = &rep->snap->regions[ri];
	const struct log_fields f = { .region = r->name };

	log_event_prio(LOG_DEBUG, MSG_SKIPPED, &f,
		       "%s is not a persistent-memory region with NVDIMM labels: not ours", r->name);
}

static void report_disabled(const struct report *rep, size_t ri)
{
	const struct snap_region *r = &rep->snap->regions[ri];
	const struct log_fields f = { .region = r->name };

	log_event(MSG_SKIPPED, &f,
		  "%s is disabled, and not by an earlier run of this program: left alone", r->name);
}

/* A run reports the recovery as it makes it (apply_recover). */
static void report_recover(const struct report *rep, size_t ri)
{
	const struct snap_region *r = &rep->snap->regions[ri];
	const struct log_fields f = { .region = r->name };

	if (rep->dry_run)
		log_event(MSG_DRY_RUN, &f,
			  "dry run: would enable %s, left disabled by an interrupted run", r->name);
}

static void report_labelled(const struct report *rep, size_t ri)
{
	const struct snap_region *r = &rep->snap->regions[ri];

	for (size_t j = 0; j < r->n_dimms; j++) {
		const struct snap_dimm *d = &rep->snap->dimms[r->dimms[j]];
		const struct log_fields f = { .region = r->name, .nmem = d->name, .id = d->id };

		log_event(MSG_LABELLED, &f, "%s is labelled (%s): nothing to do", r->name, d->name);
	}
}

static void report_unsupported(const struct report *rep, size_t ri)
{
	const struct snap_region *r = &rep->snap->regions[ri];
	const struct log_fields rf = { .region = r->name };

	if (rep->plan->regions[ri].reason == REASON_NO_DIMM)
		log_event(MSG_UNSUPPORTED, &rf,
			  "%s has no NVDIMM behind it (legacy or e820 pmem): no labels to write; "
			  "skipped", r->name);
	for (size_t j = 0; j < r->n_dimms; j++) {
		const struct snap_dimm *d = &rep->snap->dimms[r->dimms[j]];
		const struct log_fields f = { .region = r->name, .nmem = d->name, .id = d->id };

		if (!d->label_support)
			log_event(MSG_UNSUPPORTED, &f,
				  "%s has no label area (no label commands): %s cannot have labels; "
				  "the label step skips it", d->name, r->name);
	}
}

static void report_forced(const struct snap_region *r)
{
	const struct snap_namespace *ns = r->namespaces;
	const struct log_fields f = {
		.region = r->name, .blockdev = ns->blockdev,
		.signature = ns->signature[0] ? ns->signature : NULL,
		.reason = ns->signature[0] ? "signature" : "unreadable",
	};

	if (ns->signature[0])
		log_event(MSG_FORCED, &f,
			  "--force: initializing %s although /dev/%s carries a %s signature; its "
			  "contents will no longer be reachable as a raw namespace", r->name,
			  ns->blockdev, ns->signature);
	else
		log_event(MSG_FORCED, &f,
			  "--force: initializing %s although the contents of %s could not be "
			  "checked (%s)", r->name, ns->name, unreadable_why(ns));
}

/* A region left out of every group (a sibling refused it) has nothing to say here. */
static void report_init(const struct report *rep, size_t ri)
{
	const struct snap_region *r = &rep->snap->regions[ri];
	const struct region_plan *rp = &rep->plan->regions[ri];

	if (!rp->group)
		return;
	if (rp->forced)
		report_forced(r);
	for (size_t j = 0; j < r->n_dimms; j++)
		report_dimm_init(rep, ri, r->dimms[j]);
}

static void (*const reporters[])(const struct report *rep, size_t ri) = {
	[VERDICT_NOT_OURS] = report_not_ours,
	[VERDICT_DISABLED] = report_disabled,
	[VERDICT_RECOVER] = report_recover,
	[VERDICT_LABELLED] = report_labelled,
	[VERDICT_UNSUPPORTED] = report_unsupported,
	[VERDICT_INIT] = report_init,
	[VERDICT_REFUSED] = report_refused,
};

void report_plan(const struct snapshot *snap, const struct plan *plan,
		 const struct stamp *stamp, bool dry_run)
{
	const struct report rep = { .snap = snap, .plan = plan, .stamp = stamp, .dry_run = dry_run };

	for (size_t ri = 0; ri < snap->n_regions; ri++)
		if (plan->regions[ri].selected)
			reporters[plan->regions[ri].verdict](&rep, ri);
}
