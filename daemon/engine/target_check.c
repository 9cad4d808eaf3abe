/* SPDX-License-Identifier: MIT */
/* The target-changed check (see target_check.h): st_dev of the directory and of the open file. */
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "target_check.h"

static int changed(struct rl_err *err, const char *what, const char *dir, dev_t now, dev_t dev)
{
	return rl_err_set(err, -ESTALE,
			  "target changed: %s%s is on device %u:%u, not %u:%u as at the start of the run",
			  what, dir, major(now), minor(now), major(dev), minor(dev));
}

int rl_target_check(const char *dir, int fd, dev_t dev, struct rl_err *err)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return rl_err_set(err, -ESTALE, "target changed: %s: %s", dir, strerror(errno));
	if (st.st_dev != dev)
		return changed(err, "", dir, st.st_dev, dev);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev != dev)
		return changed(err, "the file just opened in ", dir, st.st_dev, dev);
	return 0;
}
