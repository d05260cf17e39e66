// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "log.h"
#include "macro.h"

#define IDENTIFIER "nvdimm-label-init"

static const struct {
	const char *name;
	const char *id;
	int priority;
} messages[MSG_COUNT] = {
	[MSG_NONE] = { "message", NULL, LOG_INFO },
	[MSG_NO_NVDIMM] = { "no-nvdimm", "e5537bdb6e544aca8d59bb536428fd08", LOG_INFO },
	[MSG_LABELLED] = { "labelled", "f7c1be8d9f014b219b7dc52252cc3b94", LOG_INFO },
	[MSG_LABEL_LESS] = { "label-less", "25a6faa6739a4e1687beb10a3185040b", LOG_NOTICE },
	[MSG_LABELS_LOST] = { "labels-lost", "c5011a73629b41b996ad8785a66fe81d", LOG_WARNING },
	[MSG_INITIALIZED] = { "initialized", "764f387bbe9b46f0b0b58dac391e80e3", LOG_NOTICE },
	[MSG_UNSUPPORTED] = { "unsupported", "294e4dfd1e6444ca99fe1172ec5cbf69", LOG_INFO },
	[MSG_REFUSED] = { "refused", "a3e66ceb70a24befaab817cdf5283838", LOG_ERR },
	[MSG_FAILED] = { "failed", "1f29e40f8c1149309d3a6d56a6dc9eec", LOG_ERR },
	[MSG_RECOVERED] = { "recovered", "fd97e65a074d45dd96fd0514805254fd", LOG_WARNING },
	[MSG_STAMP_INVALID] = { "stamp-invalid", "a75e5893859f4ac68071028659fc60d3", LOG_WARNING },
	[MSG_SKIPPED] = { "skipped", "e87779e1534c4e7291f3d4c8f0961028", LOG_INFO },
	[MSG_SUMMARY] = { "summary", "06e0432ae2b5427189eb13345609cece", LOG_INFO },
	[MSG_FORCED] = { "forced", "bbb84113cf534a36a9f79896180ef19e", LOG_WARNING },
	[MSG_DRY_RUN] = { "dry-run", "37ba2163bfb6487b817c1a4fbe8747bc", LOG_INFO },
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

static int add_field(struct iovec *iov, char **bufs, int n, const char *key, const char *value)
{
	if (!value)
		return n;
	if (asprintf(&bufs[n], "%s=%s", key, value) < 0)
		return n;
	iov[n].iov_base = bufs[n];
	iov[n].iov_len = strlen(bufs[n]);
	return n + 1;
}

static void journal_sink(const struct log_record *r, void *userdata UNUSED)
{
	const struct log_fields *f = r->fields;
	struct iovec iov[12];
	char *bufs[12] = { NULL };
	char prio[2] = { (char)('0' + r->priority), 0 };
	int n = 0, i;

	n = add_field(iov, bufs, n, "MESSAGE", r->text);
	n = add_field(iov, bufs, n, "PRIORITY", prio);
	n = add_field(iov, bufs, n, "SYSLOG_IDENTIFIER", IDENTIFIER);
	n = add_field(iov, bufs, n, "MESSAGE_ID", messages[r->msg].id);
	if (f) {
		n = add_field(iov, bufs, n, "NVDIMM_REGION", f->region);
		n = add_field(iov, bufs, n, "NVDIMM_NMEM", f->nmem);
		n = add_field(iov, bufs, n, "NVDIMM_ID", f->id);
		n = add_field(iov, bufs, n, "NVDIMM_REASON", f->reason);
		n = add_field(iov, bufs, n, "NVDIMM_BLOCKDEV", f->blockdev);
		n = add_field(iov, bufs, n, "NVDIMM_SIGNATURE", f->signature);
	}
	/* Without a journal (early boot, containers) the record must not vanish. */
	if (sd_journal_sendv(iov, n) < 0)
		console_sink(r, NULL);
	for (i = 0; i < n; i++)
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

const char *log_msg_id(enum log_msg msg)
{
	return msg < MSG_COUNT ? messages[msg].id : NULL;
}

const char *log_msg_name(enum log_msg msg)
{
	return msg < MSG_COUNT ? messages[msg].name : "unknown";
}

int log_msg_priority(enum log_msg msg)
{
	return msg < MSG_COUNT ? messages[msg].priority : LOG_INFO;
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
	text[strcspn(text, "\n")] = '\0';
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

void log_event(enum log_msg msg, const struct log_fields *fields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vevent(messages[msg < MSG_COUNT ? msg : MSG_NONE].priority, msg, fields, fmt, ap);
	va_end(ap);
}
