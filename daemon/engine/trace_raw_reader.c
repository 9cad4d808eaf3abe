/* SPDX-License-Identifier: MIT */
/*
 * Reading an instance's per-CPU binary buffers. trace_pipe merges the CPUs
 * in the kernel and formats every event as text; here each CPU's pages are
 * decoded as they come and merged by time in user space. A job thread that
 * moves to another CPU continues in that CPU's buffer, so events are held
 * back until every CPU has been read past their time: with the "mono"
 * clock, those stamped more than MARGIN_NS before a read began are final.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace_probes.h"
#include "trace_raw.h"

#define MARGIN_NS (20ull * 1000 * 1000)	/* an event reserved but not yet committed */
#define FORMAT_MAX (32u << 10)
#define PATH_LEN 1024

struct cpu_queue {
	int fd;
	struct rl_trace_rec *rec;
	size_t n, cap, head;
};

struct rl_raw_reader {
	struct rl_raw_decoder dec;
	struct cpu_queue *cpu;
	int ncpu;
	uint8_t *page;
	size_t page_size;
	uint64_t lost, lost_fed;
	struct cpu_queue *filling;	/* the queue rl_raw_page() emits into */
	bool oom;
};

/* @dir/@rel into a fresh NUL-terminated buffer. Returns 0 or -errno. */
static int slurp(const char *dir, const char *rel, char **out)
{
	char path[PATH_LEN], *buf = malloc(FORMAT_MAX);
	size_t len = 0;
	ssize_t n;
	int fd;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	while (len < FORMAT_MAX - 1 && (n = read(fd, buf + len, FORMAT_MAX - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

static int parse_formats(struct rl_raw_reader *r, const char *dir, const struct rl_raw_spec *specs,
			 size_t n, struct rl_err *err)
{
	char *text;
	int ret = slurp(dir, "events/header_page", &text);

	if (!ret)
		ret = rl_raw_header_parse(&r->dec, text);
	free(text);
	if (ret < 0)
		return rl_err_set(err, ret, "trace_raw: %s/events/header_page: %s", dir, strerror(-ret));
	for (size_t i = 0; i < n; i++) {
		ret = slurp(dir, specs[i].format, &text);
		if (!ret)
			ret = rl_raw_event_parse(&r->dec, text, specs[i].kind, specs[i].probe_flag);
		free(text);
		if (ret < 0)
			return rl_err_set(err, ret, "trace_raw: %s/%s: %s", dir, specs[i].format,
					  strerror(-ret));
	}
	return 0;
}

static int open_cpus(struct rl_raw_reader *r, const char *dir, struct rl_err *err)
{
	char path[PATH_LEN];
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int opened = 0;

	r->ncpu = ncpu > 0 ? (int)ncpu : 1;
	r->cpu = calloc((size_t)r->ncpu, sizeof(*r->cpu));
	if (!r->cpu)
		return rl_err_set(err, -ENOMEM, "trace_raw: out of memory");
	for (int c = 0; c < r->ncpu; c++) {
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/trace_pipe_raw", dir, c);
		r->cpu[c].fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		opened += r->cpu[c].fd >= 0;
	}
	return opened ? 0 : rl_err_set(err, -errno, "trace_raw: %s: %s", path, strerror(errno));
}

int rl_raw_reader_open(struct rl_raw_reader **out, const char *dir,
		       const struct rl_raw_spec *specs, size_t n, struct rl_err *err)
{
	struct rl_raw_reader *r = calloc(1, sizeof(*r));
	int ret;

	*out = NULL;
	if (!r)
		return rl_err_set(err, -ENOMEM, "trace_raw: out of memory");
	ret = parse_formats(r, dir, specs, n, err);
	if (!ret) {
		ret = rl_tracefs_write(dir, "trace_clock", "mono", false);
		if (ret < 0)
			rl_err_set(err, ret, "trace_raw: %s/trace_clock mono: %s", dir, strerror(-ret));
	}
	if (!ret)
		ret = open_cpus(r, dir, err);
	if (!ret) {
		r->page_size = r->dec.data_off + r->dec.data_size;
		r->page = malloc(r->page_size);
		if (!r->page)
			ret = rl_err_set(err, -ENOMEM, "trace_raw: out of memory");
	}
	if (ret < 0) {
		rl_raw_reader_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

static void queue_rec(void *ctx, const struct rl_trace_rec *rec)
{
	struct rl_raw_reader *r = ctx;
	struct cpu_queue *q = r->filling;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 4096;
		struct rl_trace_rec *grown = realloc(q->rec, cap * sizeof(*grown));

		if (!grown) {
			r->oom = true;
			r->lost++;
			return;
		}
		q->rec = grown;
		q->cap = cap;
	}
	q->rec[q->n++] = *rec;
}

static size_t drain(struct rl_raw_reader *r)
{
	size_t pages = 0;

	for (int c = 0; c < r->ncpu; c++) {
		ssize_t n;

		if (r->cpu[c].fd < 0)
			continue;
		r->filling = &r->cpu[c];
		while ((n = read(r->cpu[c].fd, r->page, r->page_size)) > 0) {
			pages++;
			if (rl_raw_page(&r->dec, r->page, (size_t)n, queue_rec, r, &r->lost) < 0)
				r->lost++;
		}
	}
	return pages;
}

/* Feed, oldest first across the CPUs, every queued event stamped before @mark. */
static void merge(struct rl_raw_reader *r, struct rl_trace_state *st, uint64_t mark)
{
	for (;;) {
		struct cpu_queue *best = NULL;

		for (int c = 0; c < r->ncpu; c++) {
			struct cpu_queue *q = &r->cpu[c];

			if (q->head < q->n && q->rec[q->head].ts <= mark &&
			    (!best || q->rec[q->head].ts < best->rec[best->head].ts))
				best = q;
		}
		if (!best)
			break;
		rl_trace_feed_rec(st, &best->rec[best->head++]);
	}
	for (int c = 0; c < r->ncpu; c++) {
		struct cpu_queue *q = &r->cpu[c];

		if (!q->head)
			continue;
		memmove(q->rec, q->rec + q->head, (q->n - q->head) * sizeof(*q->rec));
		q->n -= q->head;
		q->head = 0;
	}
}

size_t rl_raw_reader_poll(struct rl_raw_reader *r, struct rl_trace_state *st, bool final)
{
	struct timespec now;
	uint64_t mark = UINT64_MAX;
	size_t pages;

	if (!final) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		mark = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
		mark = mark > MARGIN_NS ? mark - MARGIN_NS : 0;
	}
	pages = drain(r);
	merge(r, st, mark);
	st->lost += r->lost - r->lost_fed;
	r->lost_fed = r->lost;
	return pages;
}

void rl_raw_reader_close(struct rl_raw_reader *r)
{
	if (!r)
		return;
	for (int c = 0; r->cpu && c < r->ncpu; c++) {
		if (r->cpu[c].fd >= 0)
			close(r->cpu[c].fd);
		free(r->cpu[c].rec);
	}
	free(r->cpu);
	free(r->page);
	free(r);
}
