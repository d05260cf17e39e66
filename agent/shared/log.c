// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "shared/log.h"
#include "shared/macro.h"

#define IDENTIFIER "nvdimm-label-init"

static const struct {
	const char *id;
	int priority;
} messages[MSG_COUNT] = {
	[MSG_NONE] = { NULL, LOG_INFO },
#define MSG(name, id, priority, words) [MSG_##name] = { id, priority },
#include "shared/messages.def"
#undef MSG
};

static int max_priority = LOG_INFO;
static log_sink_fn sink;
static void *sink_userdata;

static const char *priority_name(int priority)
{
	static const char *const names[] = {
		"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug",
	};

	return priority >= 0 && priority <= LOG_DEBUG ? names[priority] : "log";
}

static void console_sink(const struct log_record *r, void *userdata UNUSED)
{
	const char *subject = NULL;

	if (r->fields)
		subject = r->fields->nmem ? r->fields->nmem : r->fields->region;
	if (subject)
		fprintf(stderr, "%s: %s: %s: %s\n", IDENTIFIER, priority_name(r->priority),
			subject, r->text);
	else
		fprintf(stderr, "%s: %s: %s\n", IDENTIFIER, priority_name(r->priority), r->text);
}

/* The record's own journal fields, a row each: a NULL member is not sent. */
static const struct {
	const char *key;
	size_t offset;
} journal_fields[] = {
	{ "NVDIMM_REGION", offsetof(struct log_fields, region) },
	{ "NVDIMM_NMEM", offsetof(struct log_fields, nmem) },
	{ "NVDIMM_ID", offsetof(struct log_fields, id) },
	{ "NVDIMM_REASON", offsetof(struct log_fields, reason) },
	{ "NVDIMM_BLOCKDEV", offsetof(struct log_fields, blockdev) },
	{ "NVDIMM_SIGNATURE", offsetof(struct log_fields, signature) },
	{ "NVDIMM_NAMESPACE", offsetof(struct log_fields, ns) },
	{ "NVDIMM_NAME", offsetof(struct log_fields, name) },
};

/* MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and MESSAGE_ID, then the table's. */
#define FIXED_FIELDS 4

static void add_field(struct iovec *iov, char **bufs, size_t *n, const char *key,
		      const char *value)
{
	if (!value || asprintf(&bufs[*n], "%s=%s", key, value) < 0)
		return;
	iov[*n].iov_base = bufs[*n];
	iov[*n].iov_len = strlen(bufs[*n]);
	++*n;
}

static void journal_sink(const struct log_record *r, void *userdata UNUSED)
{
	struct iovec iov[FIXED_FIELDS + ARRAY_SIZE(journal_fields)];
	char *bufs[FIXED_FIELDS + ARRAY_SIZE(journal_fields)] = { NULL };
	char prio[2] = { (char)('0' + r->priority), 0 };
	size_t n = 0;

	add_field(iov, bufs, &n, "MESSAGE", r->text);
	add_field(iov, bufs, &n, "PRIORITY", prio);
	add_field(iov, bufs, &n, "SYSLOG_IDENTIFIER", IDENTIFIER);
	add_field(iov, bufs, &n, "MESSAGE_ID", messages[r->msg].id);
	for (size_t i = 0; r->fields && i < ARRAY_SIZE(journal_fields); i++)
		add_field(iov, bufs, &n, journal_fields[i].key,
			  *(const char *const *)((const char *)r->fields + journal_fields[i].offset));
	/* Without a journal (early boot, containers) the record must not vanish. */
	if (sd_journal_sendv(iov, (int)n) < 0)
		console_sink(r, NULL);
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
}

void log_setup(enum log_target target, int priority)
{
	bool console = target == LOG_TARGET_CONSOLE ||
		       (target == LOG_TARGET_AUTO && isatty(STDERR_FILENO));

	max_priority = priority;
	sink = console ? console_sink : journal_sink;
	sink_userdata = NULL;
}

void log_set_sink(log_sink_fn fn, void *userdata)
{
	sink = fn;
	sink_userdata = userdata;
}

int log_get_max_priority(void)
{
	return max_priority;
}

void log_vevent(int priority, enum log_msg msg, const struct log_fields *fields,
		const char *fmt, va_list ap)
{
	struct log_record r = { .priority = priority, .msg = msg, .fields = fields };
	char *text = NULL;

	if (priority > max_priority)
		return;
	if (vasprintf(&text, fmt, ap) < 0)
		return;
	r.text = text;
	if (!sink)
		log_setup(LOG_TARGET_AUTO, max_priority);
	sink(&r, sink_userdata);
	free(text);
}

void log_library(const char *lib, int priority, const char *fmt, va_list ap)
{
	char *text = NULL;

	if (priority > max_priority || vasprintf(&text, fmt, ap) < 0)
		return;
	/* One journal line: libdaxctl splits some messages over several. */
	for (char *nl; (nl = strchr(text, '\n'));)
		*nl = nl[1] ? ' ' : '\0';
	log_event_prio(priority, MSG_NONE, NULL, "%s: %s", lib, text);
	free(text);
}

void log_event_prio(int priority, enum log_msg msg, const struct log_fields *fields,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vevent(priority, msg, fields, fmt, ap);
	va_end(ap);
}

int log_errno(int r, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	log_event_prio(LOG_ERR, MSG_NONE, NULL, "%s: %s", text ? text : fmt, strerror(-r));
	free(text);
	return r;
}

void log_event(enum log_msg msg, const struct log_fields *fields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vevent(messages[msg < MSG_COUNT ? msg : MSG_NONE].priority, msg, fields, fmt, ap);
	va_end(ap);
}
