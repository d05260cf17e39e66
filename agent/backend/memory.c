// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include <daxctl/libdaxctl.h>

#include "backend/memory.h"
#include "backend/proc-users.h"

#define KMEM_DRIVER "/sys/bus/dax/drivers/kmem"
#define KMEM_WAIT_MS 10000
#define KMEM_POLL_MS 50

/*
 * The unit cannot load modules (ProtectKernelModules=yes): kmem comes from
 * udev, which loads it for the modalias of the dax device the namespace
 * just got. Give that event the time it takes, once: where kmem does not
 * come, no later namespace of the run waits for it again.
 */
static int wait_for_kmem(bool *missing)
{
	const struct timespec poll = { 0, KMEM_POLL_MS * 1000000L };

	for (unsigned int waited = 0; access(KMEM_DRIVER, F_OK) < 0; waited += KMEM_POLL_MS) {
		if (*missing || waited >= KMEM_WAIT_MS) {
			*missing = true;
			return -ENOENT;
		}
		nanosleep(&poll, NULL);
	}
	return 0;
}

static struct daxctl_dev *dax_device(struct ndctl_region *region, const char *ns)
{
	struct ndctl_namespace *ndns;

	ndctl_namespace_foreach(region, ndns) {
		struct ndctl_dax *dax;
		struct daxctl_region *dr;

		if (strcmp(ndctl_namespace_get_devname(ndns), ns) != 0)
			continue;
		dax = ndctl_namespace_get_dax(ndns);
		dr = dax ? ndctl_dax_get_daxctl_region(dax) : NULL;
		return dr ? daxctl_dev_get_first(dr) : NULL;
	}
	return NULL;
}

int backend_memory_online(struct ndctl_region *region, const char *ns, bool movable,
			  bool *kmem_missing, char *user, size_t userlen)
{
	struct daxctl_dev *dev = dax_device(region, ns);
	struct daxctl_memory *mem = dev ? daxctl_dev_get_memory(dev) : NULL;

	if (!dev)
		return -ENODEV;
	if (!mem) {
		int r;

		/*
		 * A kernel that onlines hot-added memory itself puts it in its
		 * default zone before anyone could ask for ZONE_MOVABLE; daxctl
		 * refuses the same way.
		 */
		if (movable && daxctl_dev_will_auto_online_memory(dev))
			return -EOPNOTSUPP;
		r = wait_for_kmem(kmem_missing);
		if (r == 0) {
			r = proc_device_users("/proc", makedev(daxctl_dev_get_major(dev),
						      daxctl_dev_get_minor(dev)),
					      user, userlen);
			if (r > 0)
				r = -EBUSY;
		}
		if (r == 0)
			r = daxctl_dev_disable(dev);
		if (r < 0)
			return r;
		r = daxctl_dev_enable_ram(dev);
		mem = r == 0 ? daxctl_dev_get_memory(dev) : NULL;
		if (!mem) {
			/* Never left without a driver: back to what it was. */
			daxctl_dev_disable(dev);
			daxctl_dev_enable_devdax(dev);
			return r < 0 ? r : -ENXIO;
		}
	}
	return movable ? daxctl_memory_online(mem) : daxctl_memory_online_no_movable(mem);
}
