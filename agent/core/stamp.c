// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "shared/macro.h"
#include "shared/nsuuid.h"
#include "core/stamp.h"

/* Version 2 added the dax lines; a version 1 stamp reads as one without any. */
#define STAMP_HEADER "nvdimm-label-init stamp 2"
#define STAMP_HEADER_1 "nvdimm-label-init stamp 1"
#define STAMP_TMP ".stamp.tmp"

void stamp_clear(struct stamp *stamp)
{
	free(stamp->entries);
	free(stamp->ns);
	free(stamp->dax);
	*stamp = (struct stamp){ 0 };
}

const struct stamp_entry *stamp_find(const struct stamp *stamp, const char *id)
{
	size_t i;

	for (i = 0; i < stamp->n; i++)
		if (strcmp(stamp->entries[i].id, id) == 0)
			return &stamp->entries[i];
	return NULL;
}

static const char *const state_names[] = {
	[STAMP_LABELLED] = "labelled",
	[STAMP_PENDING] = "pending",
	[STAMP_PENDING_LOST] = "pending-lost",
};

const char *stamp_state_name(enum stamp_state state)
{
	return state_names[state];
}

bool stamp_entry_pending(const struct stamp_entry *e)
{
	return e && (e->state == STAMP_PENDING || e->state == STAMP_PENDING_LOST);
}

bool stamp_entry_seen_labelled(const struct stamp_entry *e)
{
	return e && (e->state == STAMP_LABELLED || e->state == STAMP_PENDING_LOST);
}

bool stamp_id_valid(const char *id)
{
	size_t len = strlen(id);

	if (len == 0 || len >= SNAP_ID_MAX)
		return false;
	return strspn(id, STAMP_ID_CHARS) == len;
}

const struct stamp_ns *stamp_ns_find(const struct stamp *stamp, const char *uuid)
{
	for (size_t i = 0; i < stamp->n_ns; i++)
		if (strcmp(stamp->ns[i].uuid, uuid) == 0)
			return &stamp->ns[i];
	return NULL;
}

/* Region names and layout names share the dimm ids' alphabet, but not their length. */
static bool word_valid(const char *w)
{
	size_t len = strlen(w);

	return len > 0 && len < SNAP_NAME_MAX && strspn(w, STAMP_ID_CHARS) == len;
}

int stamp_ns_add(struct stamp *stamp, const char *region, const char *uuid, const char *name,
		 long long time)
{
	struct stamp_ns *ns;

	if (!word_valid(region) || !nsuuid_valid(uuid) || !word_valid(name) ||
	    stamp_ns_find(stamp, uuid))
		return -EINVAL;
	ns = reallocarray(stamp->ns, stamp->n_ns + 1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	stamp->ns = ns;
	ns = &stamp->ns[stamp->n_ns++];
	snprintf(ns->region, sizeof(ns->region), "%s", region);
	snprintf(ns->uuid, sizeof(ns->uuid), "%s", uuid);
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	ns->time = time;
	return 0;
}

void stamp_ns_remove(struct stamp *stamp, const char *uuid)
{
	const struct stamp_ns *ns = stamp_ns_find(stamp, uuid);
	size_t i;

	if (!ns)
		return;
	i = (size_t)(ns - stamp->ns);
	memmove(&stamp->ns[i], &stamp->ns[i + 1], (stamp->n_ns - i - 1) * sizeof(*stamp->ns));
	stamp->n_ns--;
}

const struct stamp_dax *stamp_dax_find(const struct stamp *stamp, const char *uuid)
{
	for (size_t i = 0; i < stamp->n_dax; i++)
		if (strcmp(stamp->dax[i].uuid, uuid) == 0)
			return &stamp->dax[i];
	return NULL;
}

const struct stamp_dax *stamp_dax_find_dax(const struct stamp *stamp, const char *dax_uuid)
{
	for (size_t i = 0; i < stamp->n_dax; i++)
		if (strcmp(stamp->dax[i].dax_uuid, dax_uuid) == 0)
			return &stamp->dax[i];
	return NULL;
}

int stamp_dax_add(struct stamp *stamp, const char *uuid, const char *dax_uuid, const char *dimm,
		  long long time)
{
	struct stamp_dax *d = (struct stamp_dax *)stamp_dax_find(stamp, uuid);

	if (!nsuuid_valid(uuid) || !nsuuid_valid(dax_uuid) || !stamp_id_valid(dimm))
		return -EINVAL;
	if (!d) {
		d = reallocarray(stamp->dax, stamp->n_dax + 1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		stamp->dax = d;
		d = &stamp->dax[stamp->n_dax++];
	}
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	snprintf(d->dax_uuid, sizeof(d->dax_uuid), "%s", dax_uuid);
	snprintf(d->dimm, sizeof(d->dimm), "%s", dimm);
	d->time = time;
	return 0;
}

void stamp_dax_remove(struct stamp *stamp, const char *uuid)
{
	const struct stamp_dax *d = stamp_dax_find(stamp, uuid);
	size_t i;

	if (!d)
		return;
	i = (size_t)(d - stamp->dax);
	memmove(&stamp->dax[i], &stamp->dax[i + 1], (stamp->n_dax - i - 1) * sizeof(*stamp->dax));
	stamp->n_dax--;
}

int stamp_set(struct stamp *stamp, const char *id, enum stamp_state state, long long time)
{
	struct stamp_entry *e = (struct stamp_entry *)stamp_find(stamp, id);

	if (!stamp_id_valid(id))
		return -EINVAL;
	if (!e) {
		e = reallocarray(stamp->entries, stamp->n + 1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		stamp->entries = e;
		e = &stamp->entries[stamp->n++];
		snprintf(e->id, sizeof(e->id), "%s", id);
	}
	e->state = state;
	e->time = time;
	return 0;
}

void stamp_remove(struct stamp *stamp, const char *id)
{
	const struct stamp_entry *e = stamp_find(stamp, id);
	size_t i;

	if (!e)
		return;
	i = (size_t)(e - stamp->entries);
	memmove(&stamp->entries[i], &stamp->entries[i + 1],
		(stamp->n - i - 1) * sizeof(*stamp->entries));
	stamp->n--;
}

bool stamp_equal(const struct stamp *a, const struct stamp *b)
{
	size_t i;

	if (a->n != b->n || a->n_ns != b->n_ns || a->n_dax != b->n_dax)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct stamp_entry *e = stamp_find(b, a->entries[i].id);

		if (!e || e->state != a->entries[i].state || e->time != a->entries[i].time)
			return false;
	}
	for (i = 0; i < a->n_ns; i++) {
		const struct stamp_ns *ns = stamp_ns_find(b, a->ns[i].uuid);

		if (!ns || strcmp(ns->region, a->ns[i].region) != 0 ||
		    strcmp(ns->name, a->ns[i].name) != 0 || ns->time != a->ns[i].time)
			return false;
	}
	for (i = 0; i < a->n_dax; i++) {
		const struct stamp_dax *d = stamp_dax_find(b, a->dax[i].uuid);

		if (!d || strcmp(d->dax_uuid, a->dax[i].dax_uuid) != 0 ||
		    strcmp(d->dimm, a->dax[i].dimm) != 0 || d->time != a->dax[i].time)
			return false;
	}
	return true;
}

int stamp_copy(struct stamp *dst, const struct stamp *src)
{
	*dst = (struct stamp){ 0 };
	if (src->n) {
		dst->entries = calloc(src->n, sizeof(*src->entries));
		if (!dst->entries)
			return -ENOMEM;
		memcpy(dst->entries, src->entries, src->n * sizeof(*src->entries));
		dst->n = src->n;
	}
	if (src->n_ns) {
		dst->ns = calloc(src->n_ns, sizeof(*src->ns));
		if (!dst->ns) {
			stamp_clear(dst);
			return -ENOMEM;
		}
		memcpy(dst->ns, src->ns, src->n_ns * sizeof(*src->ns));
		dst->n_ns = src->n_ns;
	}
	if (src->n_dax) {
		dst->dax = calloc(src->n_dax, sizeof(*src->dax));
		if (!dst->dax) {
			stamp_clear(dst);
			return -ENOMEM;
		}
		memcpy(dst->dax, src->dax, src->n_dax * sizeof(*src->dax));
		dst->n_dax = src->n_dax;
	}
	return 0;
}

static int parse_time(const char *word, long long *time, const char **why)
{
	char *end;

	errno = 0;
	*time = strtoll(word, &end, 10);
	if (errno || *end || end == word || *time < 0) {
		*why = "a time is not a non-negative number";
		return -EINVAL;
	}
	return 0;
}

static int parse_dimm(char **words, struct stamp *out, const char **why)
{
	enum stamp_state state;
	long long time;
	size_t k;

	if (!stamp_id_valid(words[1])) {
		*why = "a dimm id has invalid characters or length";
		return -EINVAL;
	}
	for (k = 0; k < ARRAY_SIZE(state_names); k++)
		if (strcmp(words[2], state_names[k]) == 0)
			break;
	if (k == ARRAY_SIZE(state_names)) {
		*why = "a dimm has an unknown state";
		return -EINVAL;
	}
	state = (enum stamp_state)k;
	if (parse_time(words[3], &time, why) < 0)
		return -EINVAL;
	if (stamp_find(out, words[1])) {
		*why = "a dimm id is listed twice";
		return -EINVAL;
	}
	return stamp_set(out, words[1], state, time);
}

static int parse_ns(char **words, struct stamp *out, const char **why)
{
	long long time;
	int r;

	if (parse_time(words[4], &time, why) < 0)
		return -EINVAL;
	r = stamp_ns_add(out, words[1], words[2], words[3], time);
	if (r == -EINVAL)
		*why = "a namespace line has an invalid region, uuid or name, or a uuid listed twice";
	return r;
}

static int parse_dax(char **words, struct stamp *out, const char **why)
{
	long long time;

	if (parse_time(words[4], &time, why) < 0)
		return -EINVAL;
	if (stamp_dax_find(out, words[1]) || stamp_dax_add(out, words[1], words[2], words[3], time) < 0) {
		*why = "a dax line has an invalid uuid or dimm id, or a uuid listed twice";
		return -EINVAL;
	}
	return 0;
}

/* "dimm ID STATE TIME", "namespace REGION UUID NAME TIME" or "dax UUID DAXUUID DIMM TIME". */
static int parse_line(char *line, struct stamp *out, const char **why, bool version2)
{
	char *words[6] = { NULL };
	char *save = NULL;
	size_t n = 0;

	for (char *w = strtok_r(line, " ", &save); w && n < ARRAY_SIZE(words);
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (n == 4 && strcmp(words[0], "dimm") == 0)
		return parse_dimm(words, out, why);
	if (n == 5 && strcmp(words[0], "namespace") == 0)
		return parse_ns(words, out, why);
	if (version2 && n == 5 && strcmp(words[0], "dax") == 0)
		return parse_dax(words, out, why);
	*why = "a line is not of the form 'dimm ID STATE TIME', "
	       "'namespace REGION UUID NAME TIME' or 'dax UUID DAXUUID DIMM TIME'";
	return -EINVAL;
}

int stamp_parse(const char *text, size_t len, struct stamp *out, const char **why)
{
	struct stamp parsed = { 0 };
	char *copy = NULL, *line, *next;
	bool version2;
	int r = 0;

	*why = NULL;
	if (len == 0) {
		*why = "it is empty";
		return -EINVAL;
	}
	if (len > STAMP_MAX_SIZE) {
		*why = "it is too large";
		return -EINVAL;
	}
	if (memchr(text, '\0', len)) {
		*why = "it contains binary data";
		return -EINVAL;
	}
	if (text[len - 1] != '\n') {
		*why = "it is truncated (no final newline)";
		return -EINVAL;
	}
	copy = strndup(text, len);
	if (!copy)
		return -ENOMEM;

	line = copy;
	next = strchr(line, '\n');
	if (next)
		*next = '\0';
	version2 = strcmp(line, STAMP_HEADER) == 0;
	if (!next || (!version2 && strcmp(line, STAMP_HEADER_1) != 0)) {
		*why = "its header is not '" STAMP_HEADER "' (or version 1's)";
		r = -EINVAL;
		goto out;
	}
	for (line = next + 1; *line; line = next + 1) {
		/* The text ends in a newline, so every line has one. */
		next = strchr(line, '\n');
		if (!next)
			break;
		*next = '\0';
		r = parse_line(line, &parsed, why, version2);
		if (r < 0)
			goto out;
	}
	*out = parsed;
	parsed = (struct stamp){ 0 };
out:
	stamp_clear(&parsed);
	free(copy);
	return r;
}

int stamp_format(const struct stamp *stamp, char **text)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	size_t i;
	int r = 0;

	if (!f)
		return -ENOMEM;
	fputs(STAMP_HEADER "\n", f);
	for (i = 0; i < stamp->n; i++)
		fprintf(f, "dimm %s %s %lld\n", stamp->entries[i].id,
			stamp_state_name(stamp->entries[i].state),
			stamp->entries[i].time);
	for (i = 0; i < stamp->n_ns; i++)
		fprintf(f, "namespace %s %s %s %lld\n", stamp->ns[i].region, stamp->ns[i].uuid,
			stamp->ns[i].name, stamp->ns[i].time);
	for (i = 0; i < stamp->n_dax; i++)
		fprintf(f, "dax %s %s %s %lld\n", stamp->dax[i].uuid, stamp->dax[i].dax_uuid,
			stamp->dax[i].dimm, stamp->dax[i].time);
	if (fclose(f) != 0)
		r = -ENOMEM;
	if (r < 0)
		free(buf);
	else
		*text = buf;
	return r;
}

int stamp_read(int dirfd, struct stamp *out, const char **why)
{
	char *buf = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	*why = NULL;
	/* O_NONBLOCK: a FIFO planted in place of the stamp must not hang the boot. */
	fd = openat(dirfd, STAMP_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		if (errno == ELOOP) {
			*why = "it is a symbolic link, which is never followed";
			return -EINVAL;
		}
		*why = strerror(errno);
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0) {
		*why = strerror(errno);
		r = -EINVAL;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "it is not a regular file";
		r = -EINVAL;
		goto out;
	}
	if (st.st_uid != geteuid()) {
		*why = "it is owned by another user";
		r = -EINVAL;
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		*why = "it is writable by other users";
		r = -EINVAL;
		goto out;
	}
	if ((size_t)st.st_size > STAMP_MAX_SIZE) {
		*why = "it is too large";
		r = -EINVAL;
		goto out;
	}
	buf = malloc(STAMP_MAX_SIZE + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	/* The size is checked again while reading: the file may grow after fstat. */
	while ((n = read(fd, buf + len, STAMP_MAX_SIZE + 1 - len)) > 0) {
		len += (size_t)n;
		if (len > STAMP_MAX_SIZE)
			break;
	}
	if (n < 0) {
		*why = strerror(errno);
		r = -EINVAL;
		goto out;
	}
	r = stamp_parse(buf, len, out, why);
out:
	free(buf);
	close(fd);
	return r;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A namespace mark is pending work too: the next boot's run must finish it. */
static bool has_pending(const struct stamp *stamp)
{
	if (stamp->n_ns)
		return true;
	for (size_t i = 0; i < stamp->n; i++)
		if (stamp_entry_pending(&stamp->entries[i]))
			return true;
	return false;
}

/*
 * Created (and on disk) before a stamp with pending marks is. *created
 * tells that it was not there: a stamp write that then fails takes it away
 * again, so that a run that could not write its stamp changes nothing.
 */
static int marker_create(int dirfd, bool *created)
{
	int fd = openat(dirfd, STAMP_PENDING_MARKER,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

	*created = fd >= 0;
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return fsync(dirfd) < 0 ? -errno : 0;
}

/* Removed only after a stamp without pending marks is on disk. */
static int marker_remove(int dirfd)
{
	if (unlinkat(dirfd, STAMP_PENDING_MARKER, 0) < 0)
		return errno == ENOENT ? 0 : -errno;
	return fsync(dirfd) < 0 ? -errno : 0;
}

int stamp_marker_sync(int dirfd, const struct stamp *stamp)
{
	bool created;

	return has_pending(stamp) ? marker_create(dirfd, &created) : marker_remove(dirfd);
}

int stamp_write(int dirfd, const struct stamp *stamp)
{
	bool pending = has_pending(stamp), created = false, renamed = false;
	char *text = NULL;
	int fd, r;

	r = stamp_format(stamp, &text);
	if (r < 0)
		return r;
	if (pending) {
		r = marker_create(dirfd, &created);
		if (r < 0)
			goto out;
	}
	/* A leftover temp file (or a planted link) is removed, never written through. */
	if (unlinkat(dirfd, STAMP_TMP, 0) < 0 && errno != ENOENT) {
		r = -errno;
		goto out;
	}
	fd = openat(dirfd, STAMP_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = write_all(fd, text, strlen(text));
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0) {
		renamed = renameat(dirfd, STAMP_TMP, dirfd, STAMP_FILE) == 0;
		if (!renamed)
			r = -errno;
	}
	if (r == 0 && fsync(dirfd) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dirfd, STAMP_TMP, 0);
	else if (!pending)
		r = marker_remove(dirfd);
out:
	if (r < 0 && created && !renamed)
		unlinkat(dirfd, STAMP_PENDING_MARKER, 0);
	free(text);
	return r;
}
