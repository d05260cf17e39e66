// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvdimm-label-init-name: run by 60-nvdimm-label-init-names.rules for the
 * block device of a namespace, prints the name its link
 * /dev/disk/by-nvdimm-name/NAME may have, or exits 1 for none.
 *
 * The name is the namespace's alt_name, which whoever has the label area
 * writes: it gets a link only if it is a valid name (shared/names.h) and no
 * other namespace on the machine carries it. When another one does and
 * already holds the link (it was handled first), that device is made to
 * be handled again, so that it gives the link up too: a link that pointed
 * at whichever device came first could mount the wrong one.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/macro.h"
#include "shared/names.h"

#define LINK_DIR "/dev/disk/by-nvdimm-name"
#define ND_DEVICES "/sys/bus/nd/devices"

/* Where /sys and /dev are: "" but in tests. */
static const char *root = "";

/* Kernel device names of the kinds looked at here: letters, digits and dots. */
static bool devname_valid(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len < 64 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.") == len;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * A sysfs attribute without its final newline, at most LEN - 1 bytes (a
 * longer one is cut, and then no valid name); -errno on failure. A name
 * with a newline of its own keeps it, and so is no valid name either.
 */
static int read_attr(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* The last component of the link at PATH. */
static int link_target(const char *path, char *out, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!devname_valid(base) || strlen(base) >= len)
		return -EINVAL;
	snprintf(out, len, "%s", base);
	return 0;
}

/*
 * The namespace behind block device DEV: its parent for raw mode, the
 * sibling that the parent pfn or btt device claims for fsdax and sector.
 */
static int namespace_of(const char *dev, char *ns, size_t len)
{
	char path[PATH_MAX], parent[64];
	int r;

	snprintf(path, sizeof(path), "%s/sys/class/block/%s/device", root, dev);
	r = link_target(path, parent, sizeof(parent));
	if (r == 0 && (has_prefix(parent, "pfn") || has_prefix(parent, "btt"))) {
		snprintf(path, sizeof(path), "%s" ND_DEVICES "/%s/namespace", root, parent);
		r = read_attr(path, parent, sizeof(parent));
	}
	if (r == 0 && (!has_prefix(parent, "namespace") || !devname_valid(parent)))
		r = -EINVAL;
	if (r == 0)
		snprintf(ns, len, "%s", parent);
	return r;
}

/* ATTR of namespace NS; "" when it cannot be read (read_attr leaves it so). */
static void ns_attr(const char *ns, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s" ND_DEVICES "/%s/%s", root, ns, attr);
	(void)read_attr(path, buf, len);
}

/* Namespaces that hold space and carry NAME; a size-0 seed is nobody's. */
static int count_named(const char *name)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s" ND_DEVICES, root);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char alt[NSNAME_MAX + 1], size[32];

		if (!has_prefix(de->d_name, "namespace") || !devname_valid(de->d_name))
			continue;
		ns_attr(de->d_name, "alt_name", alt, sizeof(alt));
		ns_attr(de->d_name, "size", size, sizeof(size));
		n += strcmp(alt, name) == 0 && size[0] && strcmp(size, "0") != 0;
	}
	closedir(d);
	return n;
}

/* The device that holds the link to NAME, if it is not DEV, is handled again. */
static void release_link(const char *name, const char *dev)
{
	char path[PATH_MAX], holder[64];
	int fd;

	snprintf(path, sizeof(path), "%s" LINK_DIR "/%s", root, name);
	if (link_target(path, holder, sizeof(holder)) < 0 || strcmp(holder, dev) == 0)
		return;
	snprintf(path, sizeof(path), "%s/sys/class/block/%s/uevent", root, holder);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	if (write(fd, "change", strlen("change")) < 0)
		fprintf(stderr, "nvdimm-label-init-name: %s: %s\n", path, strerror(errno));
	close(fd);
}

static int usage(void)
{
	fprintf(stderr, "usage: nvdimm-label-init-name [--root DIR] BLOCKDEVICE\n");
	return 2;
}

int main(int argc, char **argv)
{
	char ns[64], name[NSNAME_MAX + 1];
	const char *dev;
	int n;

	if (argc == 4 && strcmp(argv[1], "--root") == 0) {
		root = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 2)
		return usage();
	dev = argv[1];
	if (!devname_valid(dev) || namespace_of(dev, ns, sizeof(ns)) < 0)
		return 1;
	/* One byte more than a name may have, so that a longer one is seen. */
	ns_attr(ns, "alt_name", name, sizeof(name));
	if (!nsname_valid(name))
		return 1;
	n = count_named(name);
	if (n != 1) {
		if (n > 1)
			release_link(name, dev);
		return 1;
	}
	printf("%s\n", name);
	return 0;
}
