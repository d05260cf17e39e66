// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixtures.h"
#include "run-env.h"
#include "run/run.h"

static void capture(const struct log_record *r, void *userdata)
{
	struct env *e = userdata;
	struct captured *c;

	if (e->n_records == MAX_RECORDS)
		return;
	c = &e->records[e->n_records++];
	memset(c, 0, sizeof(*c));
	c->msg = r->msg;
	c->priority = r->priority;
	snprintf(c->text, sizeof(c->text), "%s", r->text);
	if (!r->fields)
		return;
	snprintf(c->region, sizeof(c->region), "%s", r->fields->region ? r->fields->region : "");
	snprintf(c->nmem, sizeof(c->nmem), "%s", r->fields->nmem ? r->fields->nmem : "");
	snprintf(c->id, sizeof(c->id), "%s", r->fields->id ? r->fields->id : "");
	snprintf(c->reason, sizeof(c->reason), "%s", r->fields->reason ? r->fields->reason : "");
	snprintf(c->signature, sizeof(c->signature), "%s",
		 r->fields->signature ? r->fields->signature : "");
	snprintf(c->ns, sizeof(c->ns), "%s", r->fields->ns ? r->fields->ns : "");
	snprintf(c->name, sizeof(c->name), "%s", r->fields->name ? r->fields->name : "");
}

const struct captured *find_record(const struct env *e, enum log_msg msg,
					  const char *subject)
{
	for (unsigned int i = 0; i < e->n_records; i++) {
		const struct captured *c = &e->records[i];

		if (c->msg != msg)
			continue;
		if (!subject || strcmp(c->region, subject) == 0 || strcmp(c->nmem, subject) == 0)
			return c;
	}
	return NULL;
}

unsigned int count_records(const struct env *e, enum log_msg msg)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < e->n_records; i++)
		n += e->records[i].msg == msg;
	return n;
}

int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/nli-test-XXXXXX");
	if (!mkdtemp(e->dir)) {
		free(e);
		return -1;
	}
	snprintf(e->state, sizeof(e->state), "%s/state", e->dir);
	e->held_fd = -1;
	/* The fault a logged_once case injects; NULL for the other tests. */
	e->fault = *state;
	e->opts = (struct options){ .mode = MODE_APPLY, .state_dir = e->state,
				    .lock_timeout_ms = 200, .log_priority = LOG_DEBUG,
				    .layout_root = e->dir };
	fake_init(&e->fake, fx_new());
	log_setup(LOG_TARGET_CONSOLE, LOG_DEBUG);
	log_set_sink(capture, e);
	*state = e;
	return 0;
}

int teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	fake_clear(&e->fake);
	if (e->held_fd >= 0)
		close(e->held_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		return -1;
	free(e);
	return 0;
}

int run_fake(struct env *e)
{
	e->n_records = 0;
	e->fake.n_calls = 0;
	return run_program(&e->opts, &fake_ops, &e->fake);
}

void read_stamp(struct env *e, struct stamp *stamp)
{
	const char *why;
	int dirfd = open(e->state, O_RDONLY | O_DIRECTORY);

	assert_true(dirfd >= 0);
	assert_int_equal(stamp_read(dirfd, stamp, &why), 0);
	close(dirfd);
}

bool stamp_says(struct env *e, const char *id, enum stamp_state state)
{
	struct stamp stamp = { 0 };
	const struct stamp_entry *entry;
	bool found;

	read_stamp(e, &stamp);
	entry = stamp_find(&stamp, id);
	found = entry && entry->state == state;
	stamp_clear(&stamp);
	return found;
}

