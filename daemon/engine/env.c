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
#include "../util/cleanup.h"

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

static void trim(char *s)
{
	size_t len = strlen(s);
	char *p = s;

	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (p != s)
		memmove(s, p, strlen(p) + 1);
}

/* Read the first @size - 1 bytes of a small file, trimmed. Returns length or -errno. */
static int read_attr(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0) {
		buf[0] = '\0';
		return -errno;
	}
	buf[n] = '\0';
	trim(buf);
	return (int)strlen(buf);
}

static int read_attr_at(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return read_attr(path, buf, size);
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
	read_attr("/proc/cmdline", env->cmdline, sizeof(env->cmdline));
	if (gethostname(env->hostname, sizeof(env->hostname)) < 0)
		env->hostname[0] = '\0';
	env->hostname[sizeof(env->hostname) - 1] = '\0';
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	env->cpus = cpus > 0 ? (uint32_t)cpus : 0;
	copy_str(env->ringlab_version, sizeof(env->ringlab_version), PACKAGE_VERSION);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo; undo it in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

/* Is mount point @mp the directory @path or one of its ancestors? */
static bool mount_covers(const char *mp, const char *path)
{
	size_t len = strlen(mp);

	if (strcmp(mp, "/") == 0)
		return true;
	return strncmp(mp, path, len) == 0 && (path[len] == '\0' || path[len] == '/');
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

/* One line of /proc/self/mountinfo, fields pointing into the line. */
struct mount_entry {
	unsigned maj, min;
	char *mount_point, *options, *fs_type, *source, *super_options;
};

/*
 * "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
 * ID, parent, maj:min, root, mount point, options, optional fields up to "-",
 * then type, source and superblock options. Returns false for a line that
 * does not have that shape.
 */
static bool parse_mount_line(char *line, struct mount_entry *m)
{
	char *f[6], *tok, *save = NULL;
	int i;

	for (i = 0; i < 6; i++) {
		f[i] = strtok_r(i ? NULL : line, " \n", &save);
		if (!f[i])
			return false;
	}
	if (sscanf(f[2], "%u:%u", &m->maj, &m->min) != 2)
		return false;
	m->mount_point = f[4];
	m->options = f[5];
	do {
		tok = strtok_r(NULL, " \n", &save);
	} while (tok && strcmp(tok, "-") != 0);
	if (!tok)
		return false;
	m->fs_type = strtok_r(NULL, " \n", &save);
	m->source = strtok_r(NULL, " \n", &save);
	m->super_options = strtok_r(NULL, " \n", &save);
	if (!m->fs_type || !m->source || !m->super_options)
		return false;
	unescape_octal(m->mount_point);
	unescape_octal(m->source);
	return true;
}

/*
 * The mount holding @path is the one with @path's st_dev whose mount point
 * is the longest ancestor of @path; among equals the last listed is on top.
 */
static void probe_mount(struct rl_env *env, const char *path, dev_t dev)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	struct mount_entry m;
	size_t cap = 0, best = 0, len;
	bool found = false;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		if (!parse_mount_line(line, &m))
			continue;
		if (m.maj != major(dev) || m.min != minor(dev) || !mount_covers(m.mount_point, path))
			continue;
		len = strlen(m.mount_point);
		if (found && len < best)
			continue;
		found = true;
		best = len;
		copy_str(env->fs_type, sizeof(env->fs_type), m.fs_type);
		copy_str(env->mount_source, sizeof(env->mount_source), m.source);
		copy_str(env->mount_options, sizeof(env->mount_options), m.options);
		join_options(env->mount_options, sizeof(env->mount_options), m.super_options);
	}
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
