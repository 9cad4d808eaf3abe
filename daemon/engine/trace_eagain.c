/* SPDX-License-Identifier: MIT */
/*
 * The tracefs side of -EAGAIN attribution: find (or mount) tracefs, make a
 * private instance per traced cell, enable the events below limited to the
 * job threads, read trace_pipe on a thread while the cell runs, and take it
 * all down again. Nothing is enabled outside the instance, so other users
 * of tracefs (and other ringlab processes) are not disturbed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trace_eagain.h"
#include "trace_events.h"
#include "trace_probes.h"
#include "trace_raw.h"
#include "util/mountinfo.h"

#define INSTANCE_PREFIX "ringlab-"
#define BUFFER_KB "4096"	/* per CPU: a second of events at the rates seen here */
#define READ_CHUNK (256u << 10)
#define POLL_MS 50
#define ROOT_MAX 512		/* tracefs mount point */
#define DIR_MAX (ROOT_MAX + 64)
#define PATH_LEN (DIR_MAX + 256)

struct event_def {
	const char *sys, *name;
	enum rl_trace_kind kind;
	bool required;		/* without it no write can be followed */
	bool per_inode;		/* filtered to the cell's inode */
	const char *filter;	/* a kernel-side filter (and'ed), or NULL */
};

/*
 * As few events per successful write as the rules need (a submission, one
 * extent lookup, the dio start): each one costs the writer its formatting
 * and the reader its parsing. Refusal-only events are filtered in the kernel.
 */
static const struct event_def events[] = {
	{ "io_uring", "io_uring_submit_req", RL_TR_SUBMIT, true, false, NULL },
	{ "io_uring", "io_uring_complete", RL_TR_COMPLETE, true, false, "res == -11" },
	{ "ext4", "ext4_es_lookup_extent_exit", RL_TR_ES_LOOKUP, false, true, NULL },
	{ "ext4", "ext4_ext_map_blocks_exit", RL_TR_MAP_BLOCKS, false, true, NULL },
	{ "iomap", "iomap_dio_rw_begin", RL_TR_DIO_BEGIN, false, true, NULL },
	{ "iomap", "iomap_dio_invalidate_fail", RL_TR_INVAL_FAIL, false, true, NULL },
	{ "iomap", "iomap_dio_complete", RL_TR_DIO_COMPLETE, false, true, "error != 0" },
};
#define NEVENTS (sizeof(events) / sizeof(events[0]))

struct rl_trace_eagain {
	char dir[DIR_MAX];		/* the instance */
	int pipe_fd;
	pthread_t reader;
	bool reading, removed;
	atomic_bool stop;
	struct rl_trace_state st;
	struct rl_trace_probes probes;	/* made in the instance's life, removed after it */
	struct rl_raw_reader *raw;	/* per-CPU binary buffers; NULL: trace_pipe text */
	struct rl_raw_spec specs[NEVENTS + RL_PROBES_MAX];
	size_t nspecs;			/* the events enabled, for the raw reader */
	char *buf;
	size_t carry;
};

static pthread_mutex_t root_lock = PTHREAD_MUTEX_INITIALIZER;
static char root[ROOT_MAX];
static atomic_uint instance_seq;

const char *rl_trace_eagain_dir(void)
{
	return root;
}

static int find_tracefs(const struct rl_mount_entry *m, void *ctx)
{
	char *out = ctx;

	if (strcmp(m->fs_type, "tracefs"))
		return 0;
	snprintf(out, ROOT_MAX, "%s", m->mount_point);
	/* The canonical place wins; any other is kept in case there is none. */
	return !strcmp(m->mount_point, "/sys/kernel/tracing");
}

/* Find tracefs, mounting it on /sys/kernel/tracing if it is nowhere. Returns 0 or -errno. */
static int tracefs_root(char *why, size_t size)
{
	char found[ROOT_MAX] = "";
	int ret = 0;

	pthread_mutex_lock(&root_lock);
	if (root[0])
		goto out;
	rl_mountinfo_walk(find_tracefs, found);
	if (!found[0]) {
		if (mount("nodev", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0) {
			ret = -errno;
			snprintf(why, size, "tracefs is not mounted and mounting it failed: %s",
				 strerror(errno));
			goto out;
		}
		snprintf(found, sizeof(found), "/sys/kernel/tracing");
	}
	snprintf(root, sizeof(root), "%s", found);
out:
	pthread_mutex_unlock(&root_lock);
	return ret;
}

static int write_at(const char *dir, const char *rel, const char *val)
{
	return rl_tracefs_write(dir, rel, val, false);
}

static bool event_exists(const char *dir, const struct event_def *e)
{
	char path[PATH_LEN];

	snprintf(path, sizeof(path), "%s/events/%s/%s/enable", dir, e->sys, e->name);
	return access(path, W_OK) == 0;
}

int rl_trace_eagain_probe(char *desc, size_t size, char *probes_desc, size_t psize)
{
	char why[256] = "", missing[256] = "";
	size_t have = 0;
	int ret = tracefs_root(why, sizeof(why));

	if (ret < 0) {
		snprintf(desc, size, "unavailable: %s", why);
		return ret;
	}
	for (size_t i = 0; i < NEVENTS; i++) {
		if (event_exists(root, &events[i])) {
			have++;
		} else if (events[i].required) {
			size_t l = strlen(missing);

			snprintf(missing + l, sizeof(missing) - l, "%s%s:%s", l ? ", " : "",
				 events[i].sys, events[i].name);
		}
	}
	if (missing[0]) {
		snprintf(desc, size, "unavailable: %s/events lacks %s", root, missing);
		return -ENOENT;
	}
	snprintf(desc, size, "tracepoints via %s: %zu of %zu events (io_uring submit/complete, "
		 "ext4 extent lookups, iomap dio)", root, have, NEVENTS);
	rl_trace_probes_offer(root, probes_desc, psize);
	return 0;
}

/* Turn an instance off and remove it; it may be half made. */
static int remove_instance(const char *dir)
{
	write_at(dir, "tracing_on", "0");
	write_at(dir, "events/enable", "0");
	write_at(dir, "set_event_pid", "");
	return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
}

int rl_trace_eagain_reap_stale(void)
{
	char why[256], base[DIR_MAX], dir[PATH_LEN];
	struct dirent *d;
	int n = 0, ret = tracefs_root(why, sizeof(why));
	DIR *dp;

	if (ret < 0)
		return ret;
	snprintf(base, sizeof(base), "%s/instances", root);
	dp = opendir(base);
	if (!dp)
		return -errno;
	while ((d = readdir(dp)) != NULL) {
		char *end;
		long pid;

		if (strncmp(d->d_name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)))
			continue;
		pid = strtol(d->d_name + strlen(INSTANCE_PREFIX), &end, 10);
		if (end == d->d_name + strlen(INSTANCE_PREFIX) || (*end && *end != '.') ||
		    pid <= 0 || rl_trace_pid_alive((int)pid))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, d->d_name);
		if (!remove_instance(dir))
			n++;
	}
	closedir(dp);
	/* Their instances are gone, so their probes are enabled nowhere and can go. */
	ret = rl_trace_probes_reap_stale(root);
	return n + (ret > 0 ? ret : 0);
}

static int set_pids(struct rl_trace_eagain *t, const pid_t *tids, uint32_t ntids)
{
	size_t size = (size_t)ntids * 12 + 1, len = 0;
	char *list = malloc(size);
	int ret;

	if (!list)
		return -ENOMEM;
	list[0] = '\0';
	for (uint32_t i = 0; i < ntids; i++)
		len += (size_t)snprintf(list + len, size - len, "%s%d", i ? " " : "", (int)tids[i]);
	ret = write_at(t->dir, "set_event_pid", list);
	free(list);
	/* io-wq workers the jobs start inherit the filter: their writes move i_size. */
	if (!ret)
		write_at(t->dir, "options/event-fork", "1");
	return ret;
}

static void add_spec(struct rl_trace_eagain *t, const char *sys, const char *name,
		     enum rl_trace_kind kind, uint32_t probe_flag)
{
	struct rl_raw_spec *sp = &t->specs[t->nspecs++];

	snprintf(sp->format, sizeof(sp->format), "events/%s/%s/format", sys, name);
	sp->kind = kind;
	sp->probe_flag = probe_flag;
}

static int enable_events(struct rl_trace_eagain *t, unsigned long ino, struct rl_err *err)
{
	char rel[256], filter[96];
	int ret;

	for (size_t i = 0; i < NEVENTS; i++) {
		const struct event_def *e = &events[i];

		if (!event_exists(t->dir, e)) {
			if (e->required)
				return rl_err_set(err, -ENOENT, "trace_eagain: no event %s:%s in %s",
						  e->sys, e->name, root);
			continue;
		}
		if (e->filter || e->per_inode) {
			/* A filter only thins the stream; the parser checks what it needs. */
			snprintf(rel, sizeof(rel), "events/%s/%s/filter", e->sys, e->name);
			if (e->per_inode)
				snprintf(filter, sizeof(filter), "ino == %lu%s%s", ino,
					 e->filter ? " && " : "", e->filter ? e->filter : "");
			else
				snprintf(filter, sizeof(filter), "%s", e->filter);
			write_at(t->dir, rel, filter);
		}
		snprintf(rel, sizeof(rel), "events/%s/%s/enable", e->sys, e->name);
		ret = write_at(t->dir, rel, "1");
		if (ret < 0)
			return rl_err_set(err, ret, "trace_eagain: enabling %s:%s: %s", e->sys,
					  e->name, strerror(-ret));
		add_spec(t, e->sys, e->name, e->kind, 0);
	}
	return 0;
}

/* Feed the complete lines of buf[0..len), keep the tail for the next read. */
static void feed(struct rl_trace_eagain *t, size_t len)
{
	char *p = t->buf, *nl, *end = t->buf + len;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		*nl = '\0';
		rl_trace_feed_line(&t->st, p);
		p = nl + 1;
	}
	t->carry = (size_t)(end - p);
	if (t->carry == READ_CHUNK) {
		/* A line longer than the buffer: not one of ours. */
		t->carry = 0;
	}
	memmove(t->buf, p, t->carry);
}

static void read_text(struct rl_trace_eagain *t)
{
	struct pollfd pfd = { .fd = t->pipe_fd, .events = POLLIN };

	for (;;) {
		ssize_t n = read(t->pipe_fd, t->buf + t->carry, READ_CHUNK - t->carry);

		if (n > 0) {
			feed(t, t->carry + (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* Empty: tracing_on was cleared before stop was set, so nothing more comes. */
		if (atomic_load(&t->stop))
			break;
		poll(&pfd, 1, POLL_MS);
	}
}

static void read_raw(struct rl_trace_eagain *t)
{
	const struct timespec tick = { .tv_nsec = POLL_MS * 1000000L };

	for (;;) {
		/* Seen before the last drain: tracing_on was cleared before stop was set. */
		bool final = atomic_load(&t->stop);

		if (!rl_raw_reader_poll(t->raw, &t->st, final) && !final)
			nanosleep(&tick, NULL);
		if (final)
			break;
	}
}

static void *reader_main(void *arg)
{
	struct rl_trace_eagain *t = arg;

	if (t->raw)
		read_raw(t);
	else
		read_text(t);
	return NULL;
}

static int make_instance(struct rl_trace_eagain *t, char *group, size_t gsize,
			 struct rl_err *err)
{
	unsigned int seq = atomic_fetch_add(&instance_seq, 1);

	snprintf(group, gsize, "ringlab_%d_%u", (int)getpid(), seq);

	if (seq)
		snprintf(t->dir, sizeof(t->dir), "%s/instances/" INSTANCE_PREFIX "%d.%u", root,
			 (int)getpid(), seq);
	else
		snprintf(t->dir, sizeof(t->dir), "%s/instances/" INSTANCE_PREFIX "%d", root,
			 (int)getpid());
	if (mkdir(t->dir, 0700) < 0) {
		/* EEXIST: ours from a cell whose removal failed; start clean. */
		if (errno != EEXIST || (remove_instance(t->dir), mkdir(t->dir, 0700) < 0))
			return rl_err_set(err, -errno, "trace_eagain: %s: %s", t->dir,
					  strerror(errno));
	}
	write_at(t->dir, "tracing_on", "0");
	write_at(t->dir, "buffer_size_kb", BUFFER_KB);
	return 0;
}

/*
 * The per-CPU binary buffers, else trace_pipe's text (a kernel whose formats
 * do not parse, or RINGLAB_TRACE_READER=text, which trace_cost.sh uses to
 * measure one against the other).
 */
static int open_reader(struct rl_trace_eagain *t, struct rl_err *err)
{
	const char *want = getenv("RINGLAB_TRACE_READER");
	struct rl_err ignored;
	char path[PATH_LEN];

	for (size_t i = 0; i < RL_PROBES_MAX; i++) {
		const char *fn = rl_trace_probe_fn(i);

		if (t->probes.made & (1u << i))
			add_spec(t, t->probes.group, fn, RL_TR_PROBE,
				 rl_trace_probe_flag(fn, strlen(fn)));
	}
	if ((!want || strcmp(want, "text")) &&
	    !rl_raw_reader_open(&t->raw, t->dir, t->specs, t->nspecs, &ignored))
		return 0;
	snprintf(path, sizeof(path), "%s/trace_pipe", t->dir);
	t->pipe_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (t->pipe_fd < 0)
		return rl_err_set(err, -errno, "trace_eagain: %s: %s", path, strerror(errno));
	t->buf = malloc(READ_CHUNK);
	if (!t->buf)
		return rl_err_set(err, -ENOMEM, "trace_eagain: out of memory");
	return 0;
}

int rl_trace_eagain_start(struct rl_trace_eagain **out, const pid_t *tids, uint32_t ntids,
			  uint32_t nslots, int fd, struct rl_err *err)
{
	char why[256] = "", group[RL_PROBE_GROUP_MAX];
	struct rl_trace_eagain *t;
	struct stat sb;
	int ret;

	*out = NULL;
	if (fstat(fd, &sb) < 0)
		return rl_err_set(err, -errno, "trace_eagain: fstat: %s", strerror(errno));
	ret = tracefs_root(why, sizeof(why));
	if (ret < 0)
		return rl_err_set(err, ret, "trace_eagain: %s", why);
	rl_trace_eagain_reap_stale();
	t = calloc(1, sizeof(*t));
	if (!t)
		return rl_err_set(err, -ENOMEM, "trace_eagain: out of memory");
	t->pipe_fd = -1;
	t->removed = true;
	ret = rl_trace_state_init(&t->st, tids, ntids, nslots, (int64_t)sb.st_size);
	if (ret < 0) {
		rl_err_set(err, ret, "trace_eagain: out of memory");
		goto fail;
	}
	ret = make_instance(t, group, sizeof(group), err);
	if (ret < 0)
		goto fail;
	t->removed = false;
	ret = set_pids(t, tids, ntids);
	if (ret < 0) {
		rl_err_set(err, ret, "trace_eagain: %s/set_event_pid: %s", t->dir, strerror(-ret));
		goto fail;
	}
	/* Probes refused (lockdown, no permission): the tracepoints still run. */
	ret = rl_trace_probes_create(&t->probes, root, group, err);
	ret = ret > 0 ? rl_trace_probes_enable(&t->probes, t->dir, err) : 0;
	if (!ret)
		ret = enable_events(t, (unsigned long)sb.st_ino, err);
	if (!ret)
		ret = open_reader(t, err);
	if (ret < 0)
		goto fail;
	ret = -pthread_create(&t->reader, NULL, reader_main, t);
	if (ret) {
		rl_err_set(err, ret, "trace_eagain: reader thread: %s", strerror(-ret));
		goto fail;
	}
	t->reading = true;
	write_at(t->dir, "tracing_on", "1");
	*out = t;
	return 0;
fail:
	rl_trace_eagain_free(t);
	return ret;
}

int rl_trace_eagain_stop(struct rl_trace_eagain *t)
{
	int ret = 0;

	if (!t)
		return 0;
	if (t->reading) {
		write_at(t->dir, "tracing_on", "0");
		atomic_store(&t->stop, true);
		pthread_join(t->reader, NULL);
		t->reading = false;
	}
	if (t->pipe_fd >= 0) {
		close(t->pipe_fd);
		t->pipe_fd = -1;
	}
	rl_raw_reader_close(t->raw);
	t->raw = NULL;
	if (!t->removed) {
		ret = remove_instance(t->dir);
		t->removed = !ret;
	}
	/* Disabled with the instance; a probe still enabled refuses removal (-EBUSY). */
	if (t->probes.made) {
		int pret = rl_trace_probes_remove(&t->probes, root);

		ret = ret ? ret : pret;
	}
	return ret;
}

const struct rl_refusal_evidence *rl_trace_eagain_evidence(const struct rl_trace_eagain *t,
							   pid_t tid, size_t *n)
{
	const struct rl_trace_thread *th = rl_trace_thread_find(&t->st, tid);

	*n = th ? th->nev : 0;
	return th ? th->ev : NULL;
}

uint64_t rl_trace_eagain_lost(const struct rl_trace_eagain *t)
{
	return t->st.lost + t->st.dropped;
}

void rl_trace_eagain_free(struct rl_trace_eagain *t)
{
	if (!t)
		return;
	rl_trace_eagain_stop(t);
	rl_trace_state_free(&t->st);
	free(t->buf);
	free(t);
}
