/* SPDX-License-Identifier: MIT */
/* Following a run of ringlabd's to its end: its event stream on the terminal, resumed when it breaks. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client/sse.h"
#include "engine/result_json.h"
#include "follow.h"
#include "progress.h"
#include "util/json.h"

#define WATCH_RETRIES 30	/* consecutive failed reconnects before watch gives up */

static bool status_final(const char *s)
{
	return !strcmp(s, "done") || !strcmp(s, "failed") || !strcmp(s, "aborted");
}

/* "run 12: done, 14 cells (0 failed), 1m03s: error" */
static void print_summary(FILE *out, int64_t id, const cJSON *run)
{
	char cells[32], failed[32], dur[32];
	double d;

	/* Filled before the call: strcmp() in the same argument list may run first. */
	rl_remote_fmt_count(run, "ncells", cells, sizeof(cells));
	rl_remote_fmt_count(run, "failed_cells", failed, sizeof(failed));
	fprintf(out, "run %" PRId64 ": %s, %s cell%s (%s failed)", id, rl_json_str(run, "status", ""),
		cells, strcmp(cells, "1") ? "s" : "", failed);
	if (rl_json_get_num(run, "duration_s", &d))
		fprintf(out, ", %s", rl_remote_fmt_duration(d, dur, sizeof(dur)));
	if (*rl_json_str(run, "error", ""))
		fprintf(out, ": %s", rl_json_str(run, "error", ""));
	fputc('\n', out);
}

struct seen_cell {
	char workload[RL_NAME_MAX];
	uint32_t jobs, rep;
};

struct watch {
	struct rl_term_progress tp;
	struct rl_run_hooks hooks;
	struct rl_run none;	/* the hooks want a run; the daemon has the real one */
	char status[16];	/* set by the "done" event */
	int events;		/* on the current connection */
	struct seen_cell *seen;	/* cells printed, so a resumed stream's replay is not */
	size_t nseen, seen_cap;
};

/* True when @c was printed already; otherwise remember it (best effort). */
static bool watch_seen(struct watch *w, const struct rl_cell *c)
{
	struct seen_cell *p;
	size_t i;

	for (i = 0; i < w->nseen; i++)
		if (w->seen[i].jobs == c->jobs && w->seen[i].rep == c->rep &&
		    !strcmp(w->seen[i].workload, c->workload))
			return true;
	if (w->nseen == w->seen_cap) {
		p = realloc(w->seen, (w->seen_cap ? w->seen_cap * 2 : 16) * sizeof(*p));
		if (!p)
			return false;
		w->seen = p;
		w->seen_cap = w->seen_cap ? w->seen_cap * 2 : 16;
	}
	p = &w->seen[w->nseen++];
	snprintf(p->workload, sizeof(p->workload), "%s", c->workload);
	p->jobs = c->jobs;
	p->rep = c->rep;
	return false;
}

static void watch_progress(struct watch *w, const cJSON *j)
{
	struct rl_progress p = {
		.workload = rl_json_str(j, "workload", ""),
		.phase = rl_json_str(j, "phase", ""),
		.jobs = (uint32_t)rl_json_num(j, "jobs", 0),
		.rep = (uint32_t)rl_json_num(j, "rep", 0),
		.reps = (uint32_t)rl_json_num(j, "reps", 0),
		.cell = (size_t)rl_json_num(j, "cell", 0),
		.ncells = (size_t)rl_json_num(j, "ncells", 0),
		.cell_fraction = rl_json_num(j, "fraction", 0),
		.run_fraction = rl_json_num(j, "run_fraction", 0),
		.live_iops = rl_json_num(j, "live_iops", 0),
	};

	/* Before the run starts there is no cell to show. */
	if (*p.workload)
		w->hooks.progress(w->hooks.ctx, &p);
}

static void watch_cell(struct watch *w, const cJSON *j)
{
	struct rl_cell c;
	struct rl_err err;

	if (rl_cell_from_json(j, &c, &err) == 0) {
		if (!watch_seen(w, &c))
			w->hooks.cell_done(w->hooks.ctx, &w->none, &c);
		return;
	}
	/* A daemon of another version: say what can be said. */
	rl_term_progress_end(&w->tp);
	fprintf(w->tp.out, "%s jobs %.0f rep %.0f: finished (%s)\n",
		rl_json_str(j, "workload", ""), rl_json_num(j, "jobs", 0),
		rl_json_num(j, "rep", 0), err.msg);
}

static int on_event(void *ctx, const char *event, const char *data)
{
	struct watch *w = ctx;
	cJSON *j = cJSON_Parse(data);
	const char *status;
	int ret = 0;

	w->events++;
	rl_json_printable(j);
	if (!strcmp(event, "progress")) {
		watch_progress(w, j);
	} else if (!strcmp(event, "cell")) {
		watch_cell(w, j);
	} else if (!strcmp(event, "done")) {
		status = rl_json_str(j, "status", "");
		snprintf(w->status, sizeof(w->status), "%s", *status ? status : "done");
		ret = 1;
	}
	cJSON_Delete(j);
	return ret;
}

/* Worth another try: the stream broke or went quiet, the daemon restarts, a 5xx. */
static bool transient(int ret)
{
	return ret == 0 || ret == -ETIMEDOUT || ret == -EPROTO || ret == -ECONNRESET ||
	       ret == -ECONNREFUSED || ret == -EPIPE || ret == -EIO || ret == -EBUSY;
}

/* The run's status when it has ended ("" while it has not). Returns 0 or -errno. */
static int poll_status(const struct rl_client_target *t, int64_t id, char *status, size_t size,
		       struct rl_err *err)
{
	const char *s;
	cJSON *run;
	int ret = rl_remote_get_run(t, id, &run, err);

	if (ret < 0)
		return ret;
	s = rl_json_str(run, "status", "");
	snprintf(status, size, "%s", status_final(s) ? s : "");
	cJSON_Delete(run);
	return 0;
}

/*
 * Follow run @id's events on @out until it ends; *@status gets its final
 * status. A stream that ends without "done" (a read timeout in a quiet
 * phase, a proxy, a daemon restart) is resumed after asking for the run's
 * status. Returns 0 or -errno.
 */
static int watch_events(const struct rl_client_target *t, int64_t id, FILE *out, char *status,
			size_t size, struct rl_err *err)
{
	struct watch w = { .tp = { .out = out, .tty = isatty(fileno(out)) } };
	int ret, failures = 0;
	char path[64];

	w.hooks = rl_term_progress_hooks(&w.tp);
	snprintf(path, sizeof(path), "/api/v1/runs/%" PRId64 "/events", id);
	for (;;) {
		w.events = 0;
		ret = rl_client_sse(t, path, on_event, &w, err);
		if (w.status[0]) {
			ret = 0;
			snprintf(status, size, "%s", w.status);
			break;
		}
		if (ret < 0 && !transient(ret))
			break;
		if (ret == 0 || ret == -ETIMEDOUT || w.events)
			failures = 0;
		else if (++failures >= WATCH_RETRIES)
			break;
		ret = poll_status(t, id, status, size, err);
		if (ret < 0 && !transient(ret))
			break;
		if (!ret && status[0])
			break;
		if (!w.events)
			sleep(1);
	}
	rl_term_progress_end(&w.tp);
	free(w.seen);
	return ret;
}

int rl_follow_run(const struct rl_remote_cmd *cmd, const struct rl_client_target *t, int64_t id,
		  FILE *out)
{
	struct rl_err err = { "" };
	char status[16] = "";
	cJSON *run = NULL;
	int ret;

	ret = rl_remote_get_run(t, id, &run, &err);
	if (ret < 0)
		return rl_remote_failed(cmd, ret, &err);
	if (!strcmp(rl_json_str(run, "status", ""), "queued"))
		fprintf(out, "run %" PRId64 " is queued: waiting for its target\n", id);
	if (!status_final(rl_json_str(run, "status", ""))) {
		cJSON_Delete(run);
		run = NULL;
		ret = watch_events(t, id, out, status, sizeof(status), &err);
		if (!ret)
			ret = rl_remote_get_run(t, id, &run, &err);
		if (ret < 0)
			return rl_remote_failed(cmd, ret, &err);
	}
	print_summary(out, id, run);
	ret = strcmp(rl_json_str(run, "status", ""), "done") ? RL_EXIT_FAIL : RL_EXIT_OK;
	cJSON_Delete(run);
	return ret;
}
