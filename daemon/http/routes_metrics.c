/* SPDX-License-Identifier: MIT */
/*
 * GET /metrics: Prometheus text exposition format 0.0.4. Base units
 * (seconds, ratios), "_total" only on counters. Run counts by status are a
 * counter only for final statuses, which never decrease; the queue length
 * is a gauge of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "routes.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values: backslash, double quote and newline escaped. */
static void label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void runs(FILE *f, const struct rl_store_counts *c)
{
	static const enum rl_run_status final[] = { RL_RUN_DONE, RL_RUN_FAILED, RL_RUN_ABORTED };

	family(f, "ringlab_runs_total", "counter", "Runs that finished, by final status.");
	for (size_t i = 0; i < sizeof(final) / sizeof(final[0]); i++)
		fprintf(f, "ringlab_runs_total{status=\"%s\"} %llu\n", rl_run_status_name(final[i]),
			(unsigned long long)c->runs[final[i]]);
	family(f, "ringlab_runs_queued", "gauge", "Runs waiting for their target.");
	fprintf(f, "ringlab_runs_queued %llu\n", (unsigned long long)c->runs[RL_RUN_QUEUED]);
	family(f, "ringlab_cells_total", "counter",
	       "Cells (workload x jobs x repetition) measured and stored.");
	fprintf(f, "ringlab_cells_total %llu\n", (unsigned long long)c->cells);
}

/* One gauge per target, from each target's live snapshot. */
static void targets(FILE *f, struct rl_daemon *d)
{
	static const struct {
		const char *name, *help;
	} gauges[] = {
		{ "ringlab_run_active", "Whether a run is running on the target (0 or 1)." },
		{ "ringlab_run_progress_ratio", "Fraction of the running run done (0..1)." },
		{ "ringlab_live_iops", "I/O operations per second of the running cell, last interval." },
	};
	struct rl_live live[RL_TARGETS_MAX];
	uint32_t i, n = d->ntargets < RL_TARGETS_MAX ? d->ntargets : RL_TARGETS_MAX;

	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&d->targets[i].lock);
		live[i] = d->targets[i].live;
		pthread_mutex_unlock(&d->targets[i].lock);
	}
	for (size_t g = 0; g < sizeof(gauges) / sizeof(gauges[0]); g++) {
		family(f, gauges[g].name, "gauge", gauges[g].help);
		for (i = 0; i < n; i++) {
			bool active = live[i].run_id != 0;
			double v = g == 0 ? active : !active ? 0 :
				   g == 1 ? live[i].p.run_fraction : live[i].p.live_iops;

			fprintf(f, "%s{target=\"", gauges[g].name);
			label_value(f, d->targets[i].t.cfg.name);
			fprintf(f, "\"} %.17g\n", v);
		}
	}
}

static void http(FILE *f, struct rl_daemon *d)
{
	family(f, "ringlab_http_requests_total", "counter", "HTTP responses sent, by status class.");
	for (int c = 1; c <= 5; c++)
		fprintf(f, "ringlab_http_requests_total{code=\"%dxx\"} %llu\n", c,
			(unsigned long long)atomic_load(&d->http_requests[c]));
}

int rl_route_metrics(struct rl_http_req *r)
{
	struct rl_daemon *d = r->d;
	struct rl_store_counts c;
	struct rl_err err = { "" };
	struct rl_store *store;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	store = rl_daemon_store_lock(d);
	ret = rl_store_counts(store, &c, &err);
	rl_daemon_store_unlock(d);
	if (ret < 0)
		return rl_http_reply_errno(r, ret, &err);
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	family(f, "ringlab_up", "gauge", "Whether ringlabd is serving (1).");
	fputs("ringlab_up 1\n", f);
	family(f, "ringlab_start_time_seconds", "gauge", "When ringlabd started, in seconds since the epoch.");
	fprintf(f, "ringlab_start_time_seconds %.3f\n", (double)d->started_ns / 1e9);
	runs(f, &c);
	targets(f, d);
	http(f, d);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	return rl_http_reply_text(r, 200, CONTENT_TYPE, text, len);
}
