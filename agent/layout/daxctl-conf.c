// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include "layout/daxctl-conf.h"
#include "shared/fileio.h"
#include "shared/macro.h"
#include "shared/names.h"
#include "shared/nsuuid.h"
#include "shared/parse.h"

#define CONF_TMP ".nvdimm-label-init.conf.tmp"
/* Far beyond any hand-written configuration; bounds what a bad file costs. */
#define CONF_MAX (1 << 20)
#define SECTION_PREFIX "[reconfigure-device nvdimm-label-init-"
#define NAME_SUFFIX ", created by nvdimm-label-init"

static const char header[] =
	"# Written by nvdimm-label-init(8) for the devdax namespaces that its layouts\n"
	"# declare with Memory=: daxctl reconfigure-device --check-config, started by\n"
	"# 91-nvdimm-label-init-memory.rules for each dax device named here, onlines\n"
	"# their memory as system RAM at every boot. Each run rewrites this file from\n"
	"# the layouts: configure other devices in a file of your own.\n";

void daxctl_conf_clear(struct daxctl_conf *conf)
{
	free(conf->sections);
	*conf = (struct daxctl_conf){ 0 };
}

const struct daxctl_section *daxctl_conf_find(const struct daxctl_conf *conf, const char *uuid)
{
	for (size_t i = 0; i < conf->n; i++)
		if (strcmp(conf->sections[i].uuid, uuid) == 0)
			return &conf->sections[i];
	return NULL;
}

int daxctl_conf_set(struct daxctl_conf *conf, const char *uuid, const char *name, bool movable)
{
	struct daxctl_section *s = (struct daxctl_section *)daxctl_conf_find(conf, uuid);

	if (!s) {
		if (ARRAY_GROW(conf->sections, conf->n) < 0)
			return -ENOMEM;
		s = &conf->sections[conf->n++];
		snprintf(s->uuid, sizeof(s->uuid), "%s", uuid);
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->movable = movable;
	return 0;
}

void daxctl_conf_remove(struct daxctl_conf *conf, const char *uuid)
{
	const struct daxctl_section *s = daxctl_conf_find(conf, uuid);

	if (s)
		ARRAY_REMOVE(conf->sections, conf->n, (size_t)(s - conf->sections));
}

bool daxctl_conf_equal(const struct daxctl_conf *a, const struct daxctl_conf *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct daxctl_section *s = daxctl_conf_find(b, a->sections[i].uuid);

		if (!s || s->movable != a->sections[i].movable ||
		    strcmp(s->name, a->sections[i].name) != 0)
			return false;
	}
	return true;
}

int daxctl_conf_copy(struct daxctl_conf *dst, const struct daxctl_conf *src)
{
	*dst = (struct daxctl_conf){ 0 };
	if (!src->n)
		return 0;
	dst->sections = calloc(src->n, sizeof(*src->sections));
	if (!dst->sections)
		return -ENOMEM;
	memcpy(dst->sections, src->sections, src->n * sizeof(*src->sections));
	dst->n = src->n;
	return 0;
}

/* The whole file as a string in *OUT; -ENOENT when it is not there. */
static int read_at(int dirfd, const char *file, char **out)
{
	CLEANUP_CLOSE int fd = -1;
	struct stat st;
	size_t len;

	fd = file_open_at(dirfd, file, O_NOFOLLOW, &st);
	return fd < 0 ? fd : file_read_fd(fd, CONF_MAX, out, &len);
}

/*
 * "KEY = VALUE" with KEY as asked: VALUE trimmed, or NULL. The line is left
 * as it was when the key is another, for the next key to be tried on it.
 */
static char *value_of(char *line, const char *key)
{
	char *eq = strchr(line, '=');
	size_t n = strlen(key);

	if (!eq)
		return NULL;
	line += strspn(line, " \t");
	if (strncmp(line, key, n) != 0 || line + n + strspn(line + n, " \t") != eq)
		return NULL;
	return trim(eq + 1);
}

/* Whether TEXT has an active "nvdimm.uuid = UUID" line; comments do not count. */
static bool configures(char *text, const char *uuid)
{
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *v = value_of(line, "nvdimm.uuid");

		if (v && strcasecmp(v, uuid) == 0)
			return true;
	}
	return false;
}

/* A section of ours ends: kept only if it names a dax device as we write it. */
static int end_section(struct daxctl_conf *conf, struct daxctl_section *s, bool *open)
{
	int r = 0;

	if (*open && nsuuid_valid(s->uuid) && !daxctl_conf_find(conf, s->uuid))
		r = daxctl_conf_set(conf, s->uuid, nsname_valid(s->name) ? s->name : "", s->movable);
	*s = (struct daxctl_section){ .movable = true };
	*open = false;
	return r;
}

static int parse(char *text, struct daxctl_conf *out)
{
	struct daxctl_section s = { .movable = true };
	char name[SNAP_NAME_MAX] = "";
	bool open = false;
	int r = 0;

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && r == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *v;
		size_t n;

		line = trim(line);
		n = strlen(line);
		if (line[0] == '#' && ends_with(line, NAME_SUFFIX)) {
			snprintf(name, sizeof(name), "%.*s", (int)(n - strlen(NAME_SUFFIX) - 1),
				 trim(line + 1));
		} else if (line[0] == '[') {
			r = end_section(out, &s, &open);
			open = strncmp(line, SECTION_PREFIX, strlen(SECTION_PREFIX)) == 0;
			snprintf(s.name, sizeof(s.name), "%s", name);
			name[0] = '\0';
		} else if (open && (v = value_of(line, "nvdimm.uuid"))) {
			snprintf(s.uuid, sizeof(s.uuid), "%s", v);
		} else if (open && (v = value_of(line, "movable"))) {
			s.movable = strcmp(v, "false") != 0;
		}
	}
	if (r == 0)
		r = end_section(out, &s, &open);
	return r;
}

static int open_dir(const char *root)
{
	char path[4096];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s%s", root, DAXCTL_CONF_DIR) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int daxctl_conf_read(const char *root, struct daxctl_conf *out)
{
	struct daxctl_conf conf = { 0 };
	char *text = NULL;
	int dirfd = open_dir(root), r;

	if (dirfd < 0)
		return dirfd;
	r = read_at(dirfd, DAXCTL_CONF_FILE, &text);
	close(dirfd);
	if (r == -ENOENT)
		r = 0;
	if (r == 0 && text)
		r = parse(text, &conf);
	free(text);
	if (r < 0)
		daxctl_conf_clear(&conf);
	else
		*out = conf;
	return r;
}


int daxctl_conf_elsewhere(const char *root, const char *uuid, char *other, size_t otherlen)
{
	int dirfd = open_dir(root), r = 0;
	struct dirent *de;
	DIR *dir;

	if (dirfd < 0)
		return dirfd;
	dir = fdopendir(dirfd);
	if (!dir) {
		r = -errno;
		close(dirfd);
		return r;
	}
	while (r == 0 && (de = readdir(dir))) {
		char *text = NULL;

		if (!conf_file_name(de->d_name) || strcmp(de->d_name, DAXCTL_CONF_FILE) == 0)
			continue;
		r = read_at(dirfd, de->d_name, &text);
		/* Gone since the listing, or a symlink daxctl would follow but we do not read. */
		if (r == -ENOENT || r == -ELOOP)
			r = 0;
		else if (r == 0 && configures(text, uuid)) {
			snprintf(other, otherlen, "%s", de->d_name);
			r = 1;
		}
		free(text);
	}
	closedir(dir);
	return r;
}

static int write_file(int dirfd, const struct daxctl_conf *conf)
{
	CLEANUP_FREE char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	fputs(header, f);
	for (size_t i = 0; i < conf->n; i++) {
		const struct daxctl_section *s = &conf->sections[i];

		fprintf(f, "\n# %s" NAME_SUFFIX "\n" SECTION_PREFIX "%s]\nnvdimm.uuid = %s\n"
			   "mode = system-ram\nonline = true\nmovable = %s\n",
			s->name, s->uuid, s->uuid, s->movable ? "true" : "false");
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	return file_write_atomic(dirfd, DAXCTL_CONF_FILE, CONF_TMP, text, len, 0644, NULL);
}

int daxctl_conf_write(const char *root, const struct daxctl_conf *conf)
{
	int dirfd = open_dir(root), r;

	if (dirfd < 0)
		return dirfd;
	if (conf->n)
		r = write_file(dirfd, conf);
	else if (unlinkat(dirfd, DAXCTL_CONF_FILE, 0) < 0)
		r = errno == ENOENT ? 0 : -errno;
	else
		r = fsync(dirfd) < 0 ? -errno : 0;
	close(dirfd);
	return r;
}
