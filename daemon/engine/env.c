/* SPDX-License-Identifier: MIT */
/*
 * The environment of a run, probed from the running system: what a reader
 * of the results needs to know to trust or reproduce them (kernel, mount,
 * device, machine). Anything that cannot be read stays empty: a missing
 * attribute is a fact about the environment, not an error.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "env.h"
#include "util/fileio.h"
#include "util/mountinfo.h"
#include "util/path.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* Copy @src into @dst of @size bytes, truncating; dst is always terminated. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int read_attr_at(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return rl_read_attr(path, buf, size);
}

/* Hostname, machine id and CPU model: the run's own machine (a guest's own, in a guest). */
static void probe_host(struct rl_env *env)
{
	struct rl_env_host h;

	rl_env_host_probe(&h);
	copy_str(env->hostname, sizeof(env->hostname), h.hostname);
	copy_str(env->machine_id, sizeof(env->machine_id), h.machine_id);
	copy_str(env->cpu_model, sizeof(env->cpu_model), h.cpu_model);
}

static void probe_machine(struct rl_env *env)
{
	struct utsname u;
	long cpus;

	if (uname(&u) == 0) {
		copy_str(env->kernel_release, sizeof(env->kernel_release), u.release);
		copy_str(env->kernel_version, sizeof(env->kernel_version), u.version);
		copy_str(env->machine, sizeof(env->machine), u.machine);
	}
	rl_read_attr("/proc/cmdline", env->cmdline, sizeof(env->cmdline));
	probe_host(env);
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	env->cpus = cpus > 0 ? (uint32_t)cpus : 0;
	copy_str(env->ringlab_version, sizeof(env->ringlab_version), PACKAGE_VERSION);
	rl_env_derive(env);
}

/* Is @tok one of the comma-separated options in @opts? */
static bool has_option(const char *opts, const char *tok)
{
	size_t len = strlen(tok);
	const char *p = opts;

	while (*p) {
		if (strncmp(p, tok, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return false;
}

/*
 * Per-mount options (rw, relatime) and superblock options (data=, discard)
 * both change how writes behave; keep them in one list, without repeating
 * the ones that appear in both ("rw").
 */
static void join_options(char *opts, size_t size, const char *super)
{
	char copy[512], *tok, *save = NULL;
	size_t len;

	copy_str(copy, sizeof(copy), super);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (has_option(opts, tok))
			continue;
		len = strlen(opts);
		snprintf(opts + len, size - len, "%s%s", len ? "," : "", tok);
	}
}

/* What probe_mount() looks for, and the best mount found so far. */
struct mount_probe {
	struct rl_env *env;
	const char *path;
	dev_t dev;
	size_t best;	/* length of the mount point taken so far */
	bool found;
};

static int probe_one(const struct rl_mount_entry *m, void *ctx)
{
	struct mount_probe *p = ctx;
	struct rl_env *env = p->env;
	size_t len;

	if (m->maj != major(p->dev) || m->min != minor(p->dev) ||
	    !rl_path_within(p->path, m->mount_point))
		return 0;
	len = strlen(m->mount_point);
	if (p->found && len < p->best)
		return 0;
	p->found = true;
	p->best = len;
	copy_str(env->fs_type, sizeof(env->fs_type), m->fs_type);
	copy_str(env->mount_source, sizeof(env->mount_source), m->source);
	copy_str(env->mount_options, sizeof(env->mount_options), m->options);
	join_options(env->mount_options, sizeof(env->mount_options), m->super_options);
	return 0;
}

/*
 * The mount holding @path is the one with @path's st_dev whose mount point
 * is the longest ancestor of @path; among equals the last listed is on top.
 */
static void probe_mount(struct rl_env *env, const char *path, dev_t dev)
{
	struct mount_probe p = { env, path, dev, 0, false };

	rl_mountinfo_walk(probe_one, &p);
}

/* "KEY=value" lines of a uevent file. */
static bool uevent_value(const char *text, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p = text, *end;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			end = strchr(p, '\n');
			snprintf(out, size, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
			return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * What kind of device this is, for a reader comparing runs: the model the
 * device reports, or "loop" with its backing file, a device-mapper name, or
 * the bus ("virtio") or driver when the device reports no model.
 */
static void probe_model(struct rl_env *env, const char *disk)
{
	char path[PATH_MAX], link[PATH_MAX], name[96];
	ssize_t n;

	if (read_attr_at(disk, "loop/backing_file", env->backing_file,
			 sizeof(env->backing_file)) > 0 ||
	    strncmp(base_name(disk), "loop", 4) == 0) {
		copy_str(env->device_model, sizeof(env->device_model), "loop");
		return;
	}
	if (read_attr_at(disk, "device/model", env->device_model, sizeof(env->device_model)) > 0)
		return;
	if (read_attr_at(disk, "dm/name", name, sizeof(name)) > 0) {
		snprintf(env->device_model, sizeof(env->device_model), "dm %s", name);
		return;
	}
	if (strstr(disk, "/virtio")) {
		copy_str(env->device_model, sizeof(env->device_model), "virtio");
		return;
	}
	if (snprintf(path, sizeof(path), "%s/device/driver", disk) >= (int)sizeof(path))
		return;
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		copy_str(env->device_model, sizeof(env->device_model), base_name(link));
	}
}

/* "none [mq-deadline] kyber bfq": the active one is bracketed. */
static void probe_scheduler(struct rl_env *env, const char *disk)
{
	char buf[256], *open, *close_br;

	if (read_attr_at(disk, "queue/scheduler", buf, sizeof(buf)) <= 0)
		return;
	open = strchr(buf, '[');
	close_br = open ? strchr(open, ']') : NULL;
	if (open && close_br) {
		*close_br = '\0';
		copy_str(env->scheduler, sizeof(env->scheduler), open + 1);
	} else {
		copy_str(env->scheduler, sizeof(env->scheduler), buf);
	}
}

/*
 * The block device behind st_dev. Queue attributes belong to the whole disk,
 * so for a partition (it has a "partition" attribute) they are read from its
 * parent, which is the directory above it in sysfs.
 */
static void probe_device(struct rl_env *env, dev_t dev, char *sb)
{
	char sys[64], real[PATH_MAX], disk[PATH_MAX], buf[1024], path[PATH_MAX];
	char *slash;

	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	if (!realpath(sys, real))
		return;
	if (read_attr_at(real, "uevent", buf, sizeof(buf)) < 0 ||
	    !uevent_value(buf, "DEVNAME", env->device, sizeof(env->device)))
		copy_str(env->device, sizeof(env->device), base_name(real));

	copy_str(disk, sizeof(disk), real);
	if (snprintf(path, sizeof(path), "%s/partition", real) < (int)sizeof(path) &&
	    access(path, F_OK) == 0) {
		slash = strrchr(disk, '/');
		if (slash && slash != disk)
			*slash = '\0';
	}
	if (read_attr_at(disk, "queue/rotational", buf, sizeof(buf)) > 0)
		env->rotational = buf[0] == '1';
	if (read_attr_at(disk, "queue/logical_block_size", buf, sizeof(buf)) > 0)
		env->logical_block_size = (uint32_t)strtoul(buf, NULL, 10);
	probe_scheduler(env, disk);
	probe_model(env, disk);

	/* ext4 names its /proc/fs/ext4 entry after the block device, as DEVNAME does. */
	snprintf(path, sizeof(path), "/proc/fs/ext4/%s", env->device);
	if (sb && env->device[0] && access(path, F_OK) == 0)
		copy_str(sb, RL_NAME_MAX, env->device);
}

/* Only the probed fields: label, kernel tag and the io_uring fields belong to others. */
static void clear_probed(struct rl_env *env)
{
#define CLEAR(f) memset(&env->f, 0, sizeof(env->f))
	CLEAR(kernel_release);
	CLEAR(kernel_version);
	CLEAR(cmdline);
	CLEAR(hostname);
	CLEAR(machine);
	CLEAR(machine_id);
	CLEAR(cpu_model);
	CLEAR(cpus);
	CLEAR(ringlab_version);
	CLEAR(dir);
	CLEAR(fs_type);
	CLEAR(mount_source);
	CLEAR(mount_options);
	CLEAR(fs_block_size);
	CLEAR(device);
	CLEAR(device_model);
	CLEAR(backing_file);
	CLEAR(rotational);
	CLEAR(scheduler);
	CLEAR(logical_block_size);
#undef CLEAR
}

int rl_env_probe(const char *dir, struct rl_env *env, dev_t *dev, char *sb, struct rl_err *err)
{
	char real[PATH_MAX];
	struct statvfs vfs;
	struct stat st;
	int e;

	clear_probed(env);
	if (sb)
		sb[0] = '\0';
	if (dev)
		*dev = 0;
	if (!realpath(dir, real) || stat(real, &st) < 0) {
		e = errno;
		return rl_err_set(err, -e, "target %s: %s", dir, strerror(e));
	}
	if (!S_ISDIR(st.st_mode))
		return rl_err_set(err, -ENOTDIR, "target %s: %s", dir, strerror(ENOTDIR));
	if (strlen(real) >= sizeof(env->dir))
		return rl_err_set(err, -ENAMETOOLONG, "target %s: path longer than %zu bytes",
				  dir, sizeof(env->dir) - 1);
	copy_str(env->dir, sizeof(env->dir), real);

	probe_machine(env);
	probe_mount(env, real, st.st_dev);
	if (statvfs(real, &vfs) == 0)
		env->fs_block_size = (uint32_t)vfs.f_bsize;
	/* Major 0: an anonymous device (tmpfs, overlay): no block device to describe. */
	if (major(st.st_dev) != 0)
		probe_device(env, st.st_dev, sb);
	if (dev)
		*dev = st.st_dev;
	return 0;
}
