/* SPDX-License-Identifier: MIT */
/*
 * GET /api/v1/runs/ID/events: Server-Sent Events. The stream opens with the
 * run's progress and the cells already stored (each cell event carries
 * "id: N", N cells so far, so a reconnecting EventSource resumes after
 * Last-Event-ID), then a progress event on every live change, a cell event
 * as each cell is stored, and "event: done" once the run has finished.
 *
 * The content reader runs in the connection's own thread (one per
 * connection), so it may block in rl_daemon_wait_change(); a comment line
 * keeps idle proxies and the connection timeout from closing the stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "engine/result_json.h"
#include "routes.h"
#include "util/clock.h"

#define SSE_PING_MS 15000
#define SSE_POLL_MS 1000	/* re-read the run at least this often, whatever wakes us */
#define SSE_BLOCK 16384

struct sse {
	struct rl_daemon *d;
	int64_t id;
	uint64_t seq;			/* the daemon's progress sequence when last looked */
	uint64_t live_seq;		/* the run's live.seq last sent */
	enum rl_run_status status;	/* last status sent */
	size_t cells_sent;
	bool started, done;
	char *last_progress;		/* the data of the last progress event */
	char *buf;			/* events not yet handed to libmicrohttpd */
	size_t len, off, cap;
	uint64_t last_out_ns;
	int ping_ms;
};

static int sse_append(struct sse *st, const char *text, size_t len)
{
	size_t need = st->len + len;
	char *p;

	if (need > st->cap) {
		size_t cap = st->cap ? st->cap : 4096;

		while (cap < need)
			cap *= 2;
		p = realloc(st->buf, cap);
		if (!p)
			return -ENOMEM;
		st->buf = p;
		st->cap = cap;
	}
	memcpy(st->buf + st->len, text, len);
	st->len = need;
	return 0;
}

static int sse_data(struct sse *st, const char *text)
{
	int ret = sse_append(st, "data: ", 6);

	if (!ret)
		ret = sse_append(st, text, strlen(text));
	return ret ? ret : sse_append(st, "\n\n", 2);
}

/* "event: NAME\n[id: N\n]data: JSON\n\n"; @data is freed. */
static int sse_event(struct sse *st, const char *name, long long id, cJSON *data)
{
	char head[96], *text = data ? rl_http_json_text(data) : NULL;
	int n, ret = -ENOMEM;

	cJSON_Delete(data);
	if (!text)
		return ret;
	if (id > 0)
		n = snprintf(head, sizeof(head), "event: %s\nid: %lld\n", name, id);
	else
		n = snprintf(head, sizeof(head), "event: %s\n", name);
	ret = sse_append(st, head, (size_t)n);
	if (!ret)
		ret = sse_data(st, text);
	cJSON_free(text);
	return ret;
}

/* A progress event, unless it would repeat the last one word for word. */
static int sse_progress(struct sse *st)
{
	struct rl_err err = { "" };
	char *text;
	cJSON *o;
	int ret;

	ret = rl_http_progress_json(st->d, st->id, &o, &st->status, &err);
	if (ret < 0)
		return ret;
	text = rl_http_json_text(o);
	cJSON_Delete(o);
	if (!text)
		return -ENOMEM;
	if (st->last_progress && !strcmp(st->last_progress, text)) {
		cJSON_free(text);
		return 0;
	}
	ret = sse_append(st, "event: progress\n", 16);
	if (!ret)
		ret = sse_data(st, text);
	cJSON_free(st->last_progress);
	st->last_progress = text;
	return ret;
}

/* The cells stored since the last one sent. */
static int sse_cells(struct sse *st)
{
	struct rl_err err = { "" };
	struct rl_run run;
	struct rl_store *store;
	size_t i;
	int ret;

	store = rl_daemon_store_lock(st->d);
	ret = rl_store_run_get(store, st->id, &run, NULL, &err);
	rl_daemon_store_unlock(st->d);
	if (ret < 0)
		return ret;
	for (i = st->cells_sent; i < run.ncells && !ret; i++)
		ret = sse_event(st, "cell", (long long)i + 1, rl_cell_to_json(&run.cells[i]));
	if (run.ncells > st->cells_sent)
		st->cells_sent = run.ncells;
	rl_run_free(&run);
	return ret;
}

static int sse_done(struct sse *st)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return -ENOMEM;
	cJSON_AddNumberToObject(o, "id", (double)st->id);
	cJSON_AddStringToObject(o, "status", rl_run_status_name(st->status));
	st->done = true;
	return sse_event(st, "done", 0, o);
}

/* Queue whatever changed since the last call. Returns 0 or -errno. */
static int sse_produce(struct sse *st)
{
	struct rl_store_run_meta m;
	struct rl_err err = { "" };
	struct rl_run_end end;
	struct rl_live live;
	struct rl_store *store;
	bool is_live, finished;
	int ret;

	is_live = rl_daemon_live(st->d, st->id, &live) == 0;
	store = rl_daemon_store_lock(st->d);
	ret = rl_store_run_get(store, st->id, NULL, &m, &err);
	rl_daemon_store_unlock(st->d);
	if (ret < 0)
		return ret;
	/* The live snapshot can be ahead of the store's status, never behind a finish. */
	if (is_live && m.status == RL_RUN_QUEUED)
		m.status = RL_RUN_RUNNING;
	/* An end the store could not record yet is an end all the same. */
	else if (!is_live && m.status == RL_RUN_RUNNING && rl_daemon_run_end(st->d, st->id, &end) == 0)
		m.status = end.status;
	finished = m.status != RL_RUN_QUEUED && m.status != RL_RUN_RUNNING;
	if (!st->started || m.status != st->status || (is_live && live.seq != st->live_seq)) {
		ret = sse_progress(st);
		if (is_live)
			st->live_seq = live.seq;
	}
	if (!ret && (finished || (!st->started && m.status != RL_RUN_QUEUED) ||
		     (is_live && live.ncells_done > st->cells_sent)))
		ret = sse_cells(st);
	st->started = true;
	if (!ret && finished) {
		st->status = m.status;
		ret = sse_done(st);
	}
	return ret;
}

static ssize_t sse_flush(struct sse *st, char *buf, size_t max)
{
	size_t n = st->len - st->off;

	if (n > max)
		n = max;
	memcpy(buf, st->buf + st->off, n);
	st->off += n;
	if (st->off == st->len)
		st->off = st->len = 0;
	st->last_out_ns = rl_now_ns();
	return (ssize_t)n;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse *st = cls;
	uint64_t idle_ms;
	int wait_ms;

	for (;;) {
		if (st->len)
			return sse_flush(st, buf, max);
		if (st->done || atomic_load(&st->d->stopping))
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (sse_produce(st) < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (st->len)
			continue;
		idle_ms = (rl_now_ns() - st->last_out_ns) / 1000000;
		if (idle_ms >= (uint64_t)st->ping_ms) {
			if (sse_append(st, ": ping\n\n", 8) < 0)
				return MHD_CONTENT_READER_END_WITH_ERROR;
			continue;
		}
		wait_ms = st->ping_ms - (int)idle_ms;
		if (wait_ms > SSE_POLL_MS)
			wait_ms = SSE_POLL_MS;
		/* Returns at once if anything changed since st->seq was read, before sse_produce(). */
		st->seq = rl_daemon_wait_change(st->d, st->seq, wait_ms);
	}
}

static void sse_free(void *cls)
{
	struct sse *st = cls;

	cJSON_free(st->last_progress);
	free(st->buf);
	free(st);
}

/* Pings twice per connection timeout at least, so an idle stream is never timed out. */
static int ping_interval(const struct rl_config *cfg)
{
	int ms = SSE_PING_MS;

	if (cfg->connection_timeout_s && cfg->connection_timeout_s * 1000u / 2 < (unsigned int)ms)
		ms = (int)(cfg->connection_timeout_s * 1000u / 2);
	return ms < 500 ? 500 : ms;
}

/* Last-Event-ID: the number of cells the client already has. */
static size_t resume_from(struct rl_http_req *r)
{
	const char *v = rl_http_header_in(r, "Last-Event-ID");
	int64_t n;

	if (!v || rl_http_parse_int("Last-Event-ID", v, 0, INT32_MAX, 0, &n, NULL) < 0)
		return 0;
	return (size_t)n;
}

int rl_route_run_events(struct rl_http_req *r)
{
	struct rl_store_run_meta m;
	struct rl_err err = { "" };
	struct MHD_Response *resp;
	struct sse *st;
	struct rl_store *store;
	int64_t id;
	int ret;

	if (rl_http_run_id(r, &id))
		return 0;
	store = rl_daemon_store_lock(r->d);
	ret = rl_store_run_get(store, id, NULL, &m, &err);
	rl_daemon_store_unlock(r->d);
	if (ret < 0)
		return rl_http_reply_errno(r, ret, &err);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->d = r->d;
	st->id = id;
	st->cells_sent = resume_from(r);
	st->ping_ms = ping_interval(&r->d->cfg);
	st->last_out_ns = rl_now_ns();
	st->seq = rl_daemon_wait_change(r->d, UINT64_MAX, 0);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK, sse_read, st, sse_free);
	if (!resp) {
		sse_free(st);
		return -ENOMEM;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream; charset=utf-8");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	return rl_http_reply(r, 200, resp);
}
