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

#include "daxctl-conf.h"

#define CONF_TMP ".nvdimm-label-init.conf.tmp"
/* Far beyond any hand-written configuration; bounds what a bad file costs. */
#define CONF_MAX (1 << 20)

static const char header[] =
	"# Written by nvdimm-label-init(8) for the devdax namespaces that its layouts\n"
	"# declare with Memory=: daxctl -C, run by 90-daxctl-device.rules for each new\n"
	"# dax device, onlines their memory as system RAM at every boot. Sections are\n"
	"# added, never changed; one whose namespace is gone is harmless.\n";

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Whether TEXT has an active "nvdimm.uuid = UUID" line; comments do not count. */
static bool configures(char *text, const char *uuid)
{
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		if (strcmp(trim(line), "nvdimm.uuid") == 0 && strcasecmp(trim(eq + 1), uuid) == 0)
			return true;
	}
	return false;
}

/* The whole file as a string in *OUT; -ENOENT when it is not there. */
static int read_at(int dirfd, const char *file, char **out)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
	buf = malloc(CONF_MAX + 1);
	if (!buf)
		r = -ENOMEM;
	while (r == 0 && (n = read(fd, buf + len, CONF_MAX - len)) != 0) {
		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0 && (len += (size_t)n) == CONF_MAX)
			r = -EFBIG;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

static bool is_conf(const char *file)
{
	size_t n = strlen(file);

	return file[0] != '.' && n > 5 && strcmp(file + n - 5, ".conf") == 0;
}

/* DAXCTL_CONF_OURS, DAXCTL_CONF_OTHER, 0 when no file has it, or a negative errno. */
static int find_uuid(int dirfd, const char *uuid, char *other, size_t otherlen)
{
	DIR *dir = fdopendir(dup(dirfd));
	struct dirent *de;
	int r = 0;

	if (!dir)
		return -errno;
	while (r == 0 && (de = readdir(dir))) {
		char *text = NULL;

		if (!is_conf(de->d_name))
			continue;
		r = read_at(dirfd, de->d_name, &text);
		/* Gone since the listing, or a symlink daxctl would follow but we do not read. */
		if (r == -ENOENT || r == -ELOOP || (r == 0 && !configures(text, uuid)))
			r = 0;
		else if (r == 0 && strcmp(de->d_name, DAXCTL_CONF_FILE) == 0)
			r = DAXCTL_CONF_OURS;
		else if (r == 0) {
			snprintf(other, otherlen, "%s", de->d_name);
			r = DAXCTL_CONF_OTHER;
		}
		free(text);
	}
	closedir(dir);
	return r;
}

/* Ours as it was plus one section, put in place whole: daxctl never reads half of it. */
static int append_section(int dirfd, const char *uuid, const char *name, bool movable)
{
	char *old = NULL;
	FILE *f = NULL;
	int fd, r = read_at(dirfd, DAXCTL_CONF_FILE, &old);

	if (r == -ENOENT)
		r = 0;
	fd = r == 0 ? openat(dirfd, CONF_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
			     0644)
		    : -1;
	if (r == 0 && fd < 0)
		r = -errno;
	if (fd >= 0 && !(f = fdopen(fd, "w"))) {
		r = -errno;
		close(fd);
		unlinkat(dirfd, CONF_TMP, 0);
	}
	if (f) {
		fprintf(f, "%s\n# %s, created by nvdimm-label-init\n"
			   "[reconfigure-device nvdimm-label-init-%s]\nnvdimm.uuid = %s\n"
			   "mode = system-ram\nonline = true\nmovable = %s\n",
			old ? old : header, name, uuid, uuid, movable ? "true" : "false");
		if (fflush(f) != 0 || fsync(fileno(f)) < 0)
			r = -errno;
		if (fclose(f) != 0 && r == 0)
			r = -errno;
		if (r == 0 && renameat(dirfd, CONF_TMP, dirfd, DAXCTL_CONF_FILE) < 0)
			r = -errno;
		if (r == 0 && fsync(dirfd) < 0)
			r = -errno;
		if (r < 0)
			unlinkat(dirfd, CONF_TMP, 0);
	}
	free(old);
	return r;
}

int daxctl_conf_ensure(const char *root, const char *uuid, const char *name, bool movable,
		       char *other, size_t otherlen)
{
	char path[4096];
	int dirfd, r;

	if ((size_t)snprintf(path, sizeof(path), "%s%s", root, DAXCTL_CONF_DIR) >= sizeof(path))
		return -ENAMETOOLONG;
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	r = find_uuid(dirfd, uuid, other, otherlen);
	if (r == 0) {
		r = append_section(dirfd, uuid, name, movable);
		if (r == 0)
			r = DAXCTL_CONF_WRITTEN;
	}
	close(dirfd);
	return r;
}
