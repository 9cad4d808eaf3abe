/* SPDX-License-Identifier: MIT */
/*
 * GET /metrics: Prometheus text exposition format 0.0.4, following its
 * naming conventions (checked by `promtool check metrics` in
 * tests/api/metrics_promtool.sh): base units (seconds, ratios), "_total"
 * only on counters, a HELP and TYPE line per family, label values escaped.
 * Run and cell counts are counters only for what never decreases (finished
 * runs, stored cells); the queue is a gauge of its own. Runs and cells are
 * counted per host (the machine a run ran on), so that one Prometheus
 * watching a lab's daemons sees each machine's work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"
#include "util/json.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* A run recorded before hosts were (schema version 4) has no host. */
#define HOST_UNKNOWN "unknown"

/* What /metrics reads from the store, under one lock. */
struct metrics_data {
	struct rl_store_counts counts;
	struct rl_store_host_counts hosts;
	char night_status[32];		/* the newest nightly report's; "" none yet */
	double night_finished_s;
};

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

/* NAME{host="H",status="S"} V */
static void host_sample(FILE *f, const char *name, const char *host, const char *status,
			uint64_t v)
{
	fprintf(f, "%s{host=\"", name);
	label_value(f, *host ? host : HOST_UNKNOWN);
	fprintf(f, "\",status=\"%s\"} %llu\n", status, (unsigned long long)v);
}

static void runs(FILE *f, const struct metrics_data *m)
{
	static const enum rl_run_status final[] = { RL_RUN_DONE, RL_RUN_FAILED, RL_RUN_ABORTED };
	const struct rl_store_host_count *h;

	family(f, "ringlab_runs_total", "counter",
	       "Runs that finished, by the host they ran on and final status.");
	for (size_t i = 0; i < m->hosts.n; i++) {
		h = &m->hosts.hosts[i];
		for (size_t s = 0; s < sizeof(final) / sizeof(final[0]); s++)
			host_sample(f, "ringlab_runs_total", h->host, rl_run_status_name(final[s]),
				    h->runs[final[s]]);
	}
	family(f, "ringlab_runs_queued", "gauge", "Runs waiting for their target.");
	fprintf(f, "ringlab_runs_queued %llu\n",
		(unsigned long long)m->counts.runs[RL_RUN_QUEUED]);
	family(f, "ringlab_cells_total", "counter",
	       "Cells (workload x jobs x repetition) stored, by the host their run ran on and"
	       " outcome (ok, failed).");
	for (size_t i = 0; i < m->hosts.n; i++) {
		h = &m->hosts.hosts[i];
		host_sample(f, "ringlab_cells_total", h->host, "ok", h->cells_ok);
		host_sample(f, "ringlab_cells_total", h->host, "failed", h->cells_failed);
	}
}

/* The newest night: its status as a state set (1 for it, 0 for the others) and its end. */
static void nightly(FILE *f, const struct metrics_data *m)
{
	static const char *const statuses[] = {
		"ok", "failed", "eagain-changed", "regressed", "corrupt",
	};

	family(f, "ringlab_nightly_last_status", "gauge",
	       "The status of the newest nightly report: 1 for it, 0 for the others.");
	for (size_t i = 0; m->night_status[0] && i < sizeof(statuses) / sizeof(statuses[0]); i++)
		fprintf(f, "ringlab_nightly_last_status{status=\"%s\"} %d\n", statuses[i],
			!strcmp(statuses[i], m->night_status));
	family(f, "ringlab_nightly_last_finish_timestamp_seconds", "gauge",
	       "When the newest nightly report's night finished, in seconds since the epoch.");
	if (m->night_status[0])
		fprintf(f, "ringlab_nightly_last_finish_timestamp_seconds %.3f\n",
			m->night_finished_s);
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

/* The newest nightly report's status and end into @m; none yet is no error. */
static int read_nightly(struct rl_store *s, struct metrics_data *m, struct rl_err *err)
{
	const cJSON *item;
	cJSON *arr = NULL;
	int ret;

	ret = rl_store_nightly_list(s, 1, 0, &arr, NULL, err);
	item = ret > 0 ? cJSON_GetArrayItem(arr, 0) : NULL;
	if (item) {
		snprintf(m->night_status, sizeof(m->night_status), "%s",
			 rl_json_str(item, "status", ""));
		m->night_finished_s = rl_json_num(item, "finished_ns", 0) / 1e9;
	}
	cJSON_Delete(arr);
	return ret < 0 ? ret : 0;
}

static int read_data(struct rl_daemon *d, struct metrics_data *m, struct rl_err *err)
{
	struct rl_store *store = rl_daemon_store_lock(d);
	int ret;

	memset(m, 0, sizeof(*m));
	ret = rl_store_counts(store, &m->counts, err);
	if (!ret)
		ret = rl_store_host_counts(store, &m->hosts, err);
	if (!ret)
		ret = read_nightly(store, m, err);
	rl_daemon_store_unlock(d);
	return ret;
}

int rl_route_metrics(struct rl_http_req *r)
{
	struct rl_daemon *d = r->d;
	struct metrics_data m;
	struct rl_err err = { "" };
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	/*
	 * A store that cannot answer (a lab's database away) leaves out what it
	 * counts, not the scrape: a daemon that serves is up, or every machine
	 * of the lab would look down while the database is.
	 */
	ret = read_data(d, &m, &err);
	f = open_memstream(&text, &len);
	if (!f) {
		rl_store_host_counts_free(&m.hosts);
		return -ENOMEM;
	}
	family(f, "ringlab_up", "gauge", "Whether ringlabd is serving (1).");
	fputs("ringlab_up 1\n", f);
	family(f, "ringlab_start_time_seconds", "gauge", "When ringlabd started, in seconds since the epoch.");
	fprintf(f, "ringlab_start_time_seconds %.3f\n", (double)d->started_ns / 1e9);
	family(f, "ringlab_store_up", "gauge",
	       "Whether the store answered this scrape (1); 0: the run, cell and nightly metrics are left out.");
	fprintf(f, "ringlab_store_up %d\n", ret == 0);
	if (ret == 0) {
		runs(f, &m);
		nightly(f, &m);
	}
	targets(f, d);
	http(f, d);
	rl_store_host_counts_free(&m.hosts);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	return rl_http_reply_text(r, 200, CONTENT_TYPE, text, len);
}
