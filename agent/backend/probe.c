// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <blkid.h>

#include "backend/probe.h"
#include "shared/macro.h"

/*
 * The kernel's pfn, dax and btt info blocks sit 4 KiB into the namespace.
 * blkid does not know them, yet they mean a namespace was configured there
 * once and may still hold data behind a lost label.
 */
#define INFO_BLOCK_OFFSET 4096

static const struct {
	const char *magic;
	size_t len;
	const char *name;
} info_blocks[] = {
	{ "NVDIMM_PFN_INFO", 16, "nvdimm-fsdax-info" },
	{ "NVDIMM_DAX_INFO", 16, "nvdimm-devdax-info" },
	{ "BTT_ARENA_INFO", 15, "nvdimm-btt-info" },
};

static int probe_info_block(int fd, struct snap_namespace *ns)
{
	char buf[16];
	ssize_t n = pread(fd, buf, sizeof(buf), INFO_BLOCK_OFFSET);

	if (n < 0)
		return -errno;
	for (size_t i = 0; i < ARRAY_SIZE(info_blocks); i++) {
		if ((size_t)n >= info_blocks[i].len &&
		    memcmp(buf, info_blocks[i].magic, info_blocks[i].len) == 0) {
			snprintf(ns->signature, sizeof(ns->signature), "%s", info_blocks[i].name);
			return 1;
		}
	}
	return 0;
}

static int probe_blkid(int fd, struct snap_namespace *ns)
{
	blkid_probe pr = blkid_new_probe();
	const char *value = NULL;
	int r;

	if (!pr)
		return -ENOMEM;
	r = blkid_probe_set_device(pr, fd, 0, 0);
	if (r < 0) {
		r = -EIO;
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	r = blkid_do_safeprobe(pr);
	if (r == 1) {
		r = 0;
	} else if (r == -2) {
		/* Several signatures at once: ambiguous, but certainly not empty. */
		snprintf(ns->signature, sizeof(ns->signature), "ambivalent");
		r = 1;
	} else if (r == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &value, NULL) < 0 &&
		    blkid_probe_lookup_value(pr, "PTTYPE", &value, NULL) < 0)
			value = "unknown";
		snprintf(ns->signature, sizeof(ns->signature), "%s", value);
		r = 1;
	} else {
		r = -EIO;
	}
out:
	blkid_free_probe(pr);
	return r;
}

void probe_namespace(struct snap_namespace *ns)
{
	char path[SNAP_NAME_MAX + 8];
	int fd, r;

	snprintf(path, sizeof(path), "/dev/%s", ns->blockdev);
	/* O_EXCL on a block device claims it: this fails while it is mounted or claimed. */
	fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == EBUSY)
			ns->busy = true;
		else
			ns->probe_error = errno;
		return;
	}
	r = probe_info_block(fd, ns);
	if (r == 0)
		r = probe_blkid(fd, ns);
	if (r < 0)
		ns->probe_error = -r;
	close(fd);
}
