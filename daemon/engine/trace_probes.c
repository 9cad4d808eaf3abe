/* SPDX-License-Identifier: MIT */
/*
 * Return probes for -EAGAIN attribution. Probe definitions are global to the
 * kernel (not per instance), so each cell names its own group and every
 * write to the definition files appends: truncating kprobe_events or
 * dynamic_events would remove everybody's probes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eagain_cause.h"
#include "trace_probes.h"

#define GROUP_PREFIX "ringlab_"
#define PATH_LEN 1024
#define CMD_LEN 256

/*
 * Where each function returns -EAGAIN for a NOWAIT write (7.2.13, 7.3.4):
 * kiocb_modified(): file_remove_privs_flags() when privileges must go, or
 *   generic_update_time() because ext4 has ->dirty_inode (7.3's
 *   ext4_dio_write_checks() calls it; 7.2's calls file_modified(), which
 *   blocks instead);
 * ext4_iomap_begin(): ext4_iomap_alloc() under IOMAP_NOWAIT (7.3 lets
 *   aligned non-overwrites reach iomap under the shared lock);
 * kiocb_invalidate_pages(): cached folios in the range under IOCB_NOWAIT;
 * jbd2__journal_start(): no NOWAIT exit in these kernels, probed so that a
 *   kernel which adds one is named, not guessed;
 * ext4_generic_write_checks(): any return, since it runs only once the
 *   i_rwsem trylock has passed: a refusal after it and before any lookup
 *   is the lock upgrade 7.3 asks for an inode without S_NOSEC (privileges
 *   to check), not a lock that was busy.
 */
static const struct {
	const char *fn;
	uint32_t flag;
	const char *filter;	/* what reaches the buffer */
} probes[] = {
	{ "kiocb_modified", RL_EV_RET_MODIFIED, "ret == -11" },
	{ "generic_update_time", RL_EV_RET_MODIFIED, "ret == -11" },
	{ "ext4_iomap_begin", RL_EV_RET_IOMAP, "ret == -11" },
	{ "kiocb_invalidate_pages", RL_EV_RET_INVAL, "ret == -11" },
	{ "jbd2__journal_start", RL_EV_RET_JOURNAL, "ret == -11" },
	{ "ext4_generic_write_checks", RL_EV_LOCKED, "ret >= 0" },
};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))
_Static_assert(NPROBES <= RL_PROBES_MAX, "struct rl_trace_probes.made holds them");

static const char *const kind_names[] = { "none", "fprobe", "kretprobe" };
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == RL_PROBE_KIND_MAX, "one name per kind");

static pthread_mutex_t offer_lock = PTHREAD_MUTEX_INITIALIZER;
static bool offered;
static enum rl_probe_kind offer_kind;
static uint32_t offer_fns;		/* bit i: probes[i].fn is probeable */
static char offer_desc[256];

uint32_t rl_trace_probe_flag(const char *ev, size_t len)
{
	for (size_t i = 0; i < NPROBES; i++)
		if (strlen(probes[i].fn) == len && !memcmp(probes[i].fn, ev, len))
			return probes[i].flag;
	return 0;
}

const char *rl_trace_probe_fn(size_t i)
{
	return i < NPROBES ? probes[i].fn : NULL;
}

static const char *defs_file(enum rl_probe_kind kind)
{
	return kind == RL_PROBE_FPROBE ? "dynamic_events" : "kprobe_events";
}

int rl_tracefs_write(const char *dir, const char *rel, const char *val, bool append)
{
	char path[PATH_LEN];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

bool rl_trace_pid_alive(int pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

/* Append one definition line; never truncate, which clears every probe. */
static int append_def(const char *root, enum rl_probe_kind kind, const char *cmd)
{
	return rl_tracefs_write(root, defs_file(kind), cmd, true);
}

static bool readme_has(const char *root, const char *needle)
{
	char path[PATH_LEN], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/README", root);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0)
		found = strstr(line, needle) != NULL;
	free(line);
	fclose(f);
	return found;
}

/* Which functions ftrace can attach to (fprobes need it; kretprobes are tried). */
static uint32_t filterable(const char *root, bool *known)
{
	char path[PATH_LEN], *line = NULL;
	size_t cap = 0;
	uint32_t have = 0;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/available_filter_functions", root);
	f = fopen(path, "re");
	*known = f != NULL;
	if (!f)
		return 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		size_t len = strcspn(line, " \t\n");

		for (size_t i = 0; i < NPROBES; i++)
			if (strlen(probes[i].fn) == len && !memcmp(line, probes[i].fn, len))
				have |= 1u << i;
	}
	free(line);
	fclose(f);
	return have;
}

static void describe(void)
{
	size_t l;

	if (offer_kind == RL_PROBE_NONE)
		return;
	l = (size_t)snprintf(offer_desc, sizeof(offer_desc), "%s return probes on",
			     kind_names[offer_kind]);
	for (size_t i = 0; i < NPROBES && l < sizeof(offer_desc); i++)
		if (offer_fns & (1u << i))
			l += (size_t)snprintf(offer_desc + l, sizeof(offer_desc) - l, " %s",
					      probes[i].fn);
}

enum rl_probe_kind rl_trace_probes_offer(const char *root, char *desc, size_t size)
{
	char path[PATH_LEN];
	bool known;

	pthread_mutex_lock(&offer_lock);
	if (!offered) {
		offered = true;
		snprintf(path, sizeof(path), "%s/dynamic_events", root);
		/* The README lists the dynamic event kinds this kernel was built with. */
		if (!access(path, W_OK) && readme_has(root, "f[:[<group>/][<event>]]"))
			offer_kind = RL_PROBE_FPROBE;
		snprintf(path, sizeof(path), "%s/kprobe_events", root);
		if (offer_kind == RL_PROBE_NONE && !access(path, W_OK))
			offer_kind = RL_PROBE_KRETPROBE;
		offer_fns = filterable(root, &known);
		if (!known)
			offer_fns = offer_kind == RL_PROBE_KRETPROBE ? (1u << NPROBES) - 1 : 0;
		if (offer_kind == RL_PROBE_FPROBE && !offer_fns)
			offer_kind = RL_PROBE_NONE;
		if (offer_kind == RL_PROBE_NONE)
			snprintf(offer_desc, sizeof(offer_desc), "none: %s has no fprobe (%s) nor "
				 "kretprobe (kprobe_events) support (CONFIG_FPROBE_EVENTS, "
				 "CONFIG_KPROBE_EVENTS)", root, "dynamic_events");
		describe();
	}
	snprintf(desc, size, "%s", offer_desc);
	pthread_mutex_unlock(&offer_lock);
	return offer_kind;
}

static void def_cmd(char *cmd, size_t size, enum rl_probe_kind kind, const char *group,
		    const char *fn)
{
	if (kind == RL_PROBE_FPROBE)
		snprintf(cmd, size, "f:%s/%s %s%%return ret=$retval:s32\n", group, fn, fn);
	else
		snprintf(cmd, size, "r:%s/%s %s ret=$retval:s32\n", group, fn, fn);
}

int rl_trace_probes_create(struct rl_trace_probes *p, const char *root, const char *group,
			   struct rl_err *err)
{
	char desc[256], cmd[CMD_LEN];
	int made = 0, ret;

	memset(p, 0, sizeof(*p));
	p->kind = rl_trace_probes_offer(root, desc, sizeof(desc));
	if (p->kind == RL_PROBE_NONE)
		return 0;
	snprintf(p->group, sizeof(p->group), "%s", group);
	for (size_t i = 0; i < NPROBES; i++) {
		if (!(offer_fns & (1u << i)))
			continue;
		def_cmd(cmd, sizeof(cmd), p->kind, group, probes[i].fn);
		ret = append_def(root, p->kind, cmd);
		if (ret == -EACCES || ret == -EPERM || ret == -EROFS) {
			rl_trace_probes_remove(p, root);
			return rl_err_set(err, ret, "trace_probes: %s/%s: %s", root,
					  defs_file(p->kind), strerror(-ret));
		}
		/* A function this kernel cannot probe after all: go without it. */
		if (ret < 0)
			continue;
		p->made |= 1u << i;
		made++;
	}
	return made;
}

int rl_trace_probes_enable(const struct rl_trace_probes *p, const char *dir, struct rl_err *err)
{
	char rel[CMD_LEN];
	int ret;

	for (size_t i = 0; i < NPROBES; i++) {
		if (!(p->made & (1u << i)))
			continue;
		/* Mostly only refusals reach the buffer: every other return costs a compare. */
		snprintf(rel, sizeof(rel), "events/%s/%s/filter", p->group, probes[i].fn);
		rl_tracefs_write(dir, rel, probes[i].filter, false);
		snprintf(rel, sizeof(rel), "events/%s/%s/enable", p->group, probes[i].fn);
		ret = rl_tracefs_write(dir, rel, "1", false);
		if (ret < 0)
			return rl_err_set(err, ret, "trace_probes: enabling %s/%s: %s", p->group,
					  probes[i].fn, strerror(-ret));
	}
	return 0;
}

int rl_trace_probes_remove(struct rl_trace_probes *p, const char *root)
{
	char cmd[CMD_LEN];
	int first = 0, ret;

	for (size_t i = 0; i < NPROBES; i++) {
		if (!(p->made & (1u << i)))
			continue;
		snprintf(cmd, sizeof(cmd), "-:%s/%s\n", p->group, probes[i].fn);
		ret = append_def(root, p->kind, cmd);
		if (ret < 0 && ret != -ENOENT) {
			if (!first)
				first = ret;
			continue;
		}
		p->made &= ~(1u << i);
	}
	return first;
}

bool rl_trace_probe_stale_line(const char *line, bool (*alive)(int pid), char *out, size_t size)
{
	const char *c = strchr(line, ':'), *sp = strchr(line, ' '), *d;
	size_t len;
	long pid;

	if (!c || (sp && sp < c))
		return false;
	c++;
	if (strncmp(c, GROUP_PREFIX, strlen(GROUP_PREFIX)))
		return false;
	d = c + strlen(GROUP_PREFIX);
	if (!isdigit((unsigned char)*d))
		return false;
	pid = strtol(d, (char **)&d, 10);
	if ((*d != '_' && *d != '/') || pid <= 0 || pid > 0x7fffffffL || alive((int)pid))
		return false;
	len = strcspn(c, " \t\n");
	if (!memchr(c, '/', len) || len + 1 > size)
		return false;
	memcpy(out, c, len);
	out[len] = '\0';
	return true;
}

static int reap_file(const char *root, enum rl_probe_kind kind)
{
	char path[PATH_LEN], victim[CMD_LEN], cmd[CMD_LEN + 4], *line = NULL;
	size_t cap = 0;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, defs_file(kind));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (!rl_trace_probe_stale_line(line, rl_trace_pid_alive, victim, sizeof(victim)))
			continue;
		snprintf(cmd, sizeof(cmd), "-:%s\n", victim);
		if (!append_def(root, kind, cmd))
			n++;
	}
	free(line);
	fclose(f);
	return n;
}

int rl_trace_probes_reap_stale(const char *root)
{
	/* dynamic_events lists every kind, kprobe_events only kprobes. */
	int n = reap_file(root, RL_PROBE_FPROBE);

	return n >= 0 ? n : reap_file(root, RL_PROBE_KRETPROBE);
}
