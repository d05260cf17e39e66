/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdarg.h>
#include <syslog.h>

/*
 * Every kind of event has its own journal MESSAGE_ID so that operators can
 * filter for it and the catalog can explain it; messages.def lists them.
 */
enum log_msg {
	MSG_NONE, /* plain diagnostics, no MESSAGE_ID */
#define MSG(name, id, priority, words) MSG_##name,
#include "shared/messages.def"
#undef MSG
	MSG_COUNT,
};

/* Journal fields (log.c's table names them); a NULL member is not sent. */
struct log_fields {
	const char *region;
	const char *nmem;
	const char *id;
	const char *reason;
	const char *blockdev;
	const char *signature;
	const char *ns;        /* namespaceN.M */
	const char *name;      /* a layout's Name=, the namespace's alt_name */
};

struct log_record {
	int priority;
	enum log_msg msg;
	const struct log_fields *fields;
	const char *text;
};

typedef void (*log_sink_fn)(const struct log_record *record, void *userdata);

enum log_target {
	LOG_TARGET_AUTO,
	LOG_TARGET_JOURNAL,
	LOG_TARGET_CONSOLE,
};

void log_setup(enum log_target target, int max_priority);
/* Replaces the output; tests capture records with it. */
void log_set_sink(log_sink_fn sink, void *userdata);
int log_get_max_priority(void);

void log_event(enum log_msg msg, const struct log_fields *fields, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_event_prio(int priority, enum log_msg msg, const struct log_fields *fields,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_vevent(int priority, enum log_msg msg, const struct log_fields *fields,
		const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* A library's own message (libndctl, libdaxctl, libkmod), one line, prefixed. */
void log_library(const char *lib, int priority, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* An error: FMT, then ": " and what R (a negative errno) means. Returns R. */
int log_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_event_prio(LOG_ERR, MSG_NONE, NULL, __VA_ARGS__)
#define log_warning(...) log_event_prio(LOG_WARNING, MSG_NONE, NULL, __VA_ARGS__)
#define log_info(...) log_event_prio(LOG_INFO, MSG_NONE, NULL, __VA_ARGS__)
#define log_debug(...) log_event_prio(LOG_DEBUG, MSG_NONE, NULL, __VA_ARGS__)
