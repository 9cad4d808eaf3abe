/* SPDX-License-Identifier: MIT */
/* ringlab submit | list | show | cancel | watch: the CLI as a client of a running ringlabd. */
#include <cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine/result_json.h"
#include "engine/result_text.h"
#include "client/http.h"
#include "client/sse.h"
#include "util/options.h"
#include "progress.h"

#define WATCH_RETRIES 30	/* consecutive failed reconnects before watch gives up */

enum {
	OPT_TARGET = 256, OPT_LABEL, OPT_TAG, OPT_QUEUE, OPT_WAIT,
	OPT_KERNEL, OPT_STATUS, OPT_LIMIT, OPT_OFFSET, OPT_JSON,
};

static const struct rl_opt submit_opts[] = {
	{ "target", OPT_TARGET, "NAME", "the daemon's target to run on (default: its first)" },
	{ "label", OPT_LABEL, "TEXT", "free-form label stored with the run" },
	{ "kernel-tag", OPT_TAG, "NAME", "kernel variant tag stored with the run" },
	{ "scale", 's', "F", "multiply every size_per_job by F instead of the suite's scale" },
	{ "repeat", 'r', "N", "repetitions per cell instead of the workloads'" },
	{ "jobs", 'j', "LIST", "JOBS sweep instead of the workloads', e.g. 1,2,4,8" },
	{ "queue", OPT_QUEUE, NULL, "wait behind a busy target instead of failing" },
	{ "wait", OPT_WAIT, NULL, "watch the run (on stderr) until it ends; exit 0 only if done" },
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

static const struct rl_opt list_opts[] = {
	{ "label", OPT_LABEL, "TEXT", "only runs with this label" },
	{ "kernel", OPT_KERNEL, "TAG", "only runs with this kernel tag" },
	{ "status", OPT_STATUS, "S", "only runs that are queued, running, done, failed or aborted" },
	{ "limit", OPT_LIMIT, "N", "at most N runs (default 50, at most 1000)" },
	{ "offset", OPT_OFFSET, "N", "skip the N newest matching runs" },
	{ "json", OPT_JSON, NULL, "print the daemon's JSON answer" },
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

static const struct rl_opt show_opts[] = {
	{ "json", OPT_JSON, NULL, "print the run as the daemon's JSON (ringlab-run-1 plus its summary)" },
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

static const struct rl_opt conn_opts[] = {
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

struct cmd_spec {
	const char *name, *usage, *summary;
	const struct rl_opt *opts;
	int noperands;		/* exactly this many */
};

struct daemon_args {
	const struct cmd_spec *spec;
	struct rl_client_conn_args conn;
	struct rl_client_target t;
	const char *target, *label, *kernel_tag, *kernel, *status;
	double scale;
	uint32_t repeat, limit, offset;
	uint32_t jobs[RL_JOBS_LIST_MAX];
	uint32_t njobs;
	bool queue, wait, json;
};

/* --- arguments ------------------------------------------------------------- */

static int parse_jobs(const char *arg, struct daemon_args *a, struct rl_err *err)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", arg);
	a->njobs = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (a->njobs == RL_JOBS_LIST_MAX)
			return rl_err_set(err, -EINVAL, "option --jobs: at most %d values",
					  RL_JOBS_LIST_MAX);
		if (rl_opt_u32("jobs", tok, 1, 256, &a->jobs[a->njobs++], err) < 0)
			return -EINVAL;
	}
	if (!a->njobs)
		return rl_err_set(err, -EINVAL, "option --jobs: empty list");
	return 0;
}

static int parse_status(const char *arg, struct rl_err *err)
{
	int s;

	for (s = 0; s < RL_RUN_MAX; s++)
		if (!strcmp(arg, rl_run_status_name(s)))
			return 0;
	return rl_err_set(err, -EINVAL,
			  "option --status: '%s' is not one of queued, running, done, failed, aborted",
			  arg);
}

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct daemon_args *a = ctx;

	if (rl_client_conn_opt(&a->conn, key, arg))
		return 0;
	switch (key) {
	case OPT_TARGET: a->target = arg; return 0;
	case OPT_LABEL: a->label = arg; return 0;
	case OPT_TAG: a->kernel_tag = arg; return 0;
	case 's': return rl_opt_double("scale", arg, 1e-9, 1e6, &a->scale, err);
	case 'r': return rl_opt_u32("repeat", arg, 1, 1000, &a->repeat, err);
	case 'j': return parse_jobs(arg, a, err);
	case OPT_QUEUE: a->queue = true; return 0;
	case OPT_WAIT: a->wait = true; return 0;
	case OPT_KERNEL: a->kernel = arg; return 0;
	case OPT_STATUS: a->status = arg; return parse_status(arg, err);
	case OPT_LIMIT: return rl_opt_u32("limit", arg, 1, 1000, &a->limit, err);
	case OPT_OFFSET: return rl_opt_u32("offset", arg, 0, INT32_MAX, &a->offset, err);
	case OPT_JSON: a->json = true; return 0;
	}
	return -EINVAL;
}

static int usage_error(const struct cmd_spec *spec, const char *msg)
{
	fprintf(stderr, "ringlab %s: %s\n", spec->name, msg);
	return RL_EXIT_USAGE;
}

/*
 * Options, operands and the daemon's address. Returns the index of the
 * first operand, or -1 with the exit status in *@status (help, bad usage).
 */
static int parse_cmd(const struct cmd_spec *spec, int argc, char **argv, struct daemon_args *a,
		     int *status)
{
	struct rl_err err = { "" };
	int help, first;

	memset(a, 0, sizeof(*a));
	a->spec = spec;
	first = rl_opts_parse(spec->opts, argc, argv, on_opt, a, &help, &err);
	if (first >= 0 && help) {
		rl_opts_help(stdout, spec->usage, spec->summary, spec->opts);
		*status = RL_EXIT_OK;
		return -1;
	}
	if (first >= 0 && argc - first != spec->noperands)
		rl_err_set(&err, -EINVAL, "%s (see 'ringlab %s --help')",
			   spec->noperands ? "give one run id" : "takes no arguments", spec->name);
	else if (first >= 0 && rl_client_target_from_args(&a->t, &a->conn, &err) == 0)
		return first;
	*status = usage_error(spec, err.msg);
	return -1;
}

/* "12" or "run:12". Returns 0 or -EINVAL. */
static int parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (!strncmp(s, "run:", 4))
		s += 4;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 1)
		return -EINVAL;
	*id = v;
	return 0;
}

/*
 * parse_cmd() for the commands whose one operand is a run id. Returns 0 with
 * the id in *@id, or -1 with the exit status in *@status.
 */
static int parse_cmd_id(const struct cmd_spec *spec, int argc, char **argv,
			struct daemon_args *a, int64_t *id, int *status)
{
	int first = parse_cmd(spec, argc, argv, a, status);

	if (first < 0)
		return -1;
	if (parse_id(argv[first], id) < 0) {
		*status = usage_error(spec, "the run id must be a positive number");
		return -1;
	}
	return 0;
}

/* An API or transport error: 4xx but 409 are the user's to fix (2), the rest is failure (1). */
static int request_failed(const struct cmd_spec *spec, int ret, const struct rl_err *err)
{
	fprintf(stderr, "ringlab %s: %s%s\n", spec->name, err->msg,
		ret == -EACCES ? " (give --token or --token-file, or set RINGLAB_TOKEN)" : "");
	switch (ret) {
	case -EINVAL: case -ENOENT: case -EACCES: case -EPERM: case -EOPNOTSUPP: case -E2BIG:
		return RL_EXIT_USAGE;
	}
	return RL_EXIT_FAIL;
}

/* --- JSON fields and their text ------------------------------------------- */

static const char *jstr(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return s ? s : "";
}

static bool jnum(const cJSON *o, const char *key, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v))
		return false;
	*out = v->valuedouble;
	return true;
}

static char *fmt_duration(double s, char *buf, size_t size)
{
	long t = (long)(s + 0.5);

	if (s < 60)
		snprintf(buf, size, "%.1fs", s);
	else if (t < 3600)
		snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, size, "%ldh%02ldm", t / 3600, t % 3600 / 60);
	return buf;
}

/* "2026-11-22T02:13:28.123456789Z" -> "2026-11-22 02:13:28" (UTC). */
static char *fmt_time(const char *iso, char *buf, size_t size)
{
	snprintf(buf, size, "%.19s", *iso ? iso : "-");
	if (strlen(buf) > 10 && buf[10] == 'T')
		buf[10] = ' ';
	return buf;
}

/* A number field as text, "-" when absent or null. */
static char *fmt_count(const cJSON *o, const char *key, char *buf, size_t size)
{
	double v;

	if (jnum(o, key, &v))
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "-");
	return buf;
}

/* The kernel a run is known by: its tag, else the release it ran on. */
static const char *kernel_of(const cJSON *run)
{
	const char *k = jstr(run, "kernel_tag");

	if (!*k)
		k = jstr(run, "kernel_release");
	return *k ? k : "-";
}

static int print_json(const cJSON *j)
{
	char *text = cJSON_Print(j);

	if (!text)
		return -ENOMEM;
	printf("%s\n", text);
	free(text);
	return 0;
}

static int get_run(const struct rl_client_target *t, int64_t id, cJSON **out, struct rl_err *err)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/runs/%" PRId64, id);
	return rl_client_get_json(t, path, out, err);
}

static bool status_final(const char *s)
{
	return !strcmp(s, "done") || !strcmp(s, "failed") || !strcmp(s, "aborted");
}

/* "run 12: done, 14 cells (0 failed), 1m03s: error" */
static void print_summary(FILE *out, int64_t id, const cJSON *run)
{
	char cells[32], failed[32], dur[32];
	double d;

	fprintf(out, "run %" PRId64 ": %s, %s cell%s (%s failed)", id, jstr(run, "status"),
		fmt_count(run, "ncells", cells, sizeof(cells)), strcmp(cells, "1") ? "s" : "",
		fmt_count(run, "failed_cells", failed, sizeof(failed)));
	if (jnum(run, "duration_s", &d))
		fprintf(out, ", %s", fmt_duration(d, dur, sizeof(dur)));
	if (*jstr(run, "error"))
		fprintf(out, ": %s", jstr(run, "error"));
	fputc('\n', out);
}

/* --- watch ------------------------------------------------------------------ */

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

static double num_or(const cJSON *o, const char *key, double def)
{
	double v;

	return jnum(o, key, &v) ? v : def;
}

static void watch_progress(struct watch *w, const cJSON *j)
{
	struct rl_progress p = {
		.workload = jstr(j, "workload"),
		.phase = jstr(j, "phase"),
		.jobs = (uint32_t)num_or(j, "jobs", 0),
		.rep = (uint32_t)num_or(j, "rep", 0),
		.reps = (uint32_t)num_or(j, "reps", 0),
		.cell = (size_t)num_or(j, "cell", 0),
		.ncells = (size_t)num_or(j, "ncells", 0),
		.cell_fraction = num_or(j, "fraction", 0),
		.run_fraction = num_or(j, "run_fraction", 0),
		.live_iops = num_or(j, "live_iops", 0),
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
	fprintf(w->tp.out, "%s jobs %.0f rep %.0f: finished (%s)\n", jstr(j, "workload"),
		num_or(j, "jobs", 0), num_or(j, "rep", 0), err.msg);
}

static int on_event(void *ctx, const char *event, const char *data)
{
	struct watch *w = ctx;
	cJSON *j = cJSON_Parse(data);
	int ret = 0;

	w->events++;
	if (!strcmp(event, "progress")) {
		watch_progress(w, j);
	} else if (!strcmp(event, "cell")) {
		watch_cell(w, j);
	} else if (!strcmp(event, "done")) {
		snprintf(w->status, sizeof(w->status), "%s", *jstr(j, "status") ? jstr(j, "status")
									  : "done");
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
	cJSON *run;
	int ret = get_run(t, id, &run, err);

	if (ret < 0)
		return ret;
	snprintf(status, size, "%s", status_final(jstr(run, "status")) ? jstr(run, "status") : "");
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

/*
 * Watch run @id to its end on @out and print its summary there. Returns
 * RL_EXIT_OK when it ended done, RL_EXIT_FAIL when failed or aborted, or
 * an error's exit status.
 */
static int watch_run(const struct cmd_spec *spec, const struct rl_client_target *t, int64_t id,
		     FILE *out)
{
	struct rl_err err = { "" };
	char status[16] = "";
	cJSON *run = NULL;
	int ret;

	ret = get_run(t, id, &run, &err);
	if (ret < 0)
		return request_failed(spec, ret, &err);
	if (!strcmp(jstr(run, "status"), "queued"))
		fprintf(out, "run %" PRId64 " is queued: waiting for its target\n", id);
	if (!status_final(jstr(run, "status"))) {
		cJSON_Delete(run);
		run = NULL;
		ret = watch_events(t, id, out, status, sizeof(status), &err);
		if (!ret)
			ret = get_run(t, id, &run, &err);
		if (ret < 0)
			return request_failed(spec, ret, &err);
	}
	print_summary(out, id, run);
	ret = strcmp(jstr(run, "status"), "done") ? RL_EXIT_FAIL : RL_EXIT_OK;
	cJSON_Delete(run);
	return ret;
}

/* --- submit ------------------------------------------------------------------ */

static bool has_name(const cJSON *list, const char *name)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, list)
		if (!strcmp(jstr(e, "name"), name))
			return true;
	return false;
}

/* "suite" or "workload" by what the daemon knows; NULL with the suites listed in @err. */
static const char *kind_of(const cJSON *catalog, const char *name, const char *url,
			   struct rl_err *err)
{
	const cJSON *suites = cJSON_GetObjectItemCaseSensitive(catalog, "suites"), *e;
	char names[256] = "";
	size_t n = 0;

	if (has_name(suites, name))
		return "suite";
	if (has_name(cJSON_GetObjectItemCaseSensitive(catalog, "workloads"), name))
		return "workload";
	cJSON_ArrayForEach(e, suites)
		if (n < sizeof(names))
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "",
					      jstr(e, "name"));
	rl_err_set(err, -ENOENT,
		   "ringlabd at %s has no suite or workload '%s' (its suites: %s; "
		   "curl %s/api/v1/workloads lists the workloads)",
		   url, name, n ? names : "none", url);
	return NULL;
}

static void err_append(struct rl_err *err, const char *text)
{
	size_t n = strlen(err->msg);

	snprintf(err->msg + n, sizeof(err->msg) - n, "%s", text);
}

static cJSON *submit_body(const struct daemon_args *a, const char *kind, const char *name)
{
	cJSON *b = cJSON_CreateObject();
	int jobs[RL_JOBS_LIST_MAX];
	bool ok;
	uint32_t i;

	for (i = 0; i < a->njobs; i++)
		jobs[i] = (int)a->jobs[i];
	ok = b && cJSON_AddStringToObject(b, kind, name) &&
	     (!a->target || cJSON_AddStringToObject(b, "target", a->target)) &&
	     (!a->label || cJSON_AddStringToObject(b, "label", a->label)) &&
	     (!a->kernel_tag || cJSON_AddStringToObject(b, "kernel_tag", a->kernel_tag)) &&
	     (!a->scale || cJSON_AddNumberToObject(b, "scale", a->scale)) &&
	     (!a->repeat || cJSON_AddNumberToObject(b, "repeat", a->repeat)) &&
	     (!a->njobs || cJSON_AddItemToObject(b, "jobs", cJSON_CreateIntArray(jobs, (int)a->njobs))) &&
	     (!a->queue || cJSON_AddTrueToObject(b, "queue"));
	if (!ok) {
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

static const struct cmd_spec submit_spec = {
	"submit", "ringlab submit SUITE|WORKLOAD [OPTIONS]",
	"Ask ringlabd to run a suite or workload it knows; print the run's id.\n"
	"With --wait, follow it and exit 0 if it ends done, 1 otherwise.",
	submit_opts, 1,
};

int rl_cmd_submit(int argc, char **argv)
{
	struct daemon_args a;
	struct rl_err err = { "" };
	cJSON *catalog = NULL, *body = NULL, *answer = NULL;
	const char *kind;
	double id = 0;
	int first, ret, status;

	first = parse_cmd(&submit_spec, argc, argv, &a, &status);
	if (first < 0)
		return status;
	ret = rl_client_get_json(&a.t, "/api/v1/workloads", &catalog, &err);
	if (ret < 0)
		return request_failed(&submit_spec, ret, &err);
	kind = kind_of(catalog, argv[first], a.t.url, &err);
	if (!kind) {
		status = usage_error(&submit_spec, err.msg);
		goto out;
	}
	body = submit_body(&a, kind, argv[first]);
	ret = body ? rl_client_post_json(&a.t, "/api/v1/runs", body, &answer, &err)
		   : rl_err_set(&err, -ENOMEM, "out of memory");
	if (ret == -EBUSY && !a.queue)
		err_append(&err, "; add --queue to run it after the current run");
	if (!ret && !jnum(answer, "id", &id))
		ret = rl_err_set(&err, -EPROTO, "%s/api/v1/runs: the answer has no run id", a.t.url);
	if (ret < 0) {
		status = request_failed(&submit_spec, ret, &err);
		goto out;
	}
	printf("%.0f\n", id);
	fflush(stdout);
	status = a.wait ? watch_run(&submit_spec, &a.t, (int64_t)id, stderr) : RL_EXIT_OK;
out:
	cJSON_Delete(answer);
	cJSON_Delete(body);
	cJSON_Delete(catalog);
	return status;
}

/* --- list -------------------------------------------------------------------- */

enum { COL_ID, COL_STATUS, COL_WHAT, COL_TARGET, COL_LABEL, COL_KERNEL, COL_CREATED,
       COL_DURATION, COL_CELLS, COL_FAILED, COL_MAX };

#define CELL_WIDTH_MAX 32

static const char *const col_titles[COL_MAX] = {
	"ID", "STATUS", "WHAT", "TARGET", "LABEL", "KERNEL", "CREATED", "DURATION", "CELLS", "FAILED",
};

struct list_row {
	char f[COL_MAX][CELL_WIDTH_MAX + 1];
};

static void list_row_fill(const cJSON *run, struct list_row *r)
{
	double d;

	fmt_count(run, "id", r->f[COL_ID], sizeof(r->f[0]));
	snprintf(r->f[COL_STATUS], sizeof(r->f[0]), "%s", jstr(run, "status"));
	snprintf(r->f[COL_WHAT], sizeof(r->f[0]), "%s", jstr(run, "what"));
	snprintf(r->f[COL_TARGET], sizeof(r->f[0]), "%s", jstr(run, "target"));
	snprintf(r->f[COL_LABEL], sizeof(r->f[0]), "%s", *jstr(run, "label") ? jstr(run, "label") : "-");
	snprintf(r->f[COL_KERNEL], sizeof(r->f[0]), "%s", kernel_of(run));
	fmt_time(jstr(run, "created"), r->f[COL_CREATED], sizeof(r->f[0]));
	if (jnum(run, "duration_s", &d))
		fmt_duration(d, r->f[COL_DURATION], sizeof(r->f[0]));
	else
		snprintf(r->f[COL_DURATION], sizeof(r->f[0]), "-");
	fmt_count(run, "ncells", r->f[COL_CELLS], sizeof(r->f[0]));
	fmt_count(run, "failed_cells", r->f[COL_FAILED], sizeof(r->f[0]));
}

static void list_print_row(const char *const *f, const int *width)
{
	int c;

	/* The last column is not padded: no trailing blanks. */
	for (c = 0; c < COL_MAX - 1; c++)
		printf("%-*s  ", width[c], f[c]);
	printf("%s\n", f[COL_MAX - 1]);
}

static int list_print(const cJSON *runs)
{
	int n = cJSON_GetArraySize(runs), width[COL_MAX], i, c;
	struct list_row *rows = calloc((size_t)n + 1, sizeof(*rows));
	const char *f[COL_MAX];
	const cJSON *run;

	if (!rows)
		return -ENOMEM;
	for (c = 0; c < COL_MAX; c++)
		width[c] = (int)strlen(col_titles[c]);
	i = 0;
	cJSON_ArrayForEach(run, runs) {
		list_row_fill(run, &rows[i]);
		for (c = 0; c < COL_MAX; c++)
			if ((int)strlen(rows[i].f[c]) > width[c])
				width[c] = (int)strlen(rows[i].f[c]);
		i++;
	}
	list_print_row(col_titles, width);
	for (i = 0; i < n; i++) {
		for (c = 0; c < COL_MAX; c++)
			f[c] = rows[i].f[c];
		list_print_row(f, width);
	}
	free(rows);
	return 0;
}

static const struct cmd_spec list_spec = {
	"list", "ringlab list [OPTIONS]",
	"List the daemon's runs, newest first. KERNEL is the run's kernel tag, or the\n"
	"release it ran on when it has none; CREATED is UTC.",
	list_opts, 0,
};

static int list_path(const struct daemon_args *a, char *path, size_t size)
{
	char num[16];
	int ret;

	snprintf(path, size, "/api/v1/runs");
	ret = rl_client_query_add(path, size, "label", a->label);
	if (!ret)
		ret = rl_client_query_add(path, size, "kernel", a->kernel);
	if (!ret)
		ret = rl_client_query_add(path, size, "status", a->status);
	if (!ret && a->limit) {
		snprintf(num, sizeof(num), "%" PRIu32, a->limit);
		ret = rl_client_query_add(path, size, "limit", num);
	}
	if (!ret && a->offset) {
		snprintf(num, sizeof(num), "%" PRIu32, a->offset);
		ret = rl_client_query_add(path, size, "offset", num);
	}
	return ret;
}

int rl_cmd_list(int argc, char **argv)
{
	struct daemon_args a;
	struct rl_err err = { "" };
	const cJSON *runs;
	cJSON *answer = NULL;
	char path[2048];
	double total = 0;
	int ret, status, n;

	if (parse_cmd(&list_spec, argc, argv, &a, &status) < 0)
		return status;
	if (list_path(&a, path, sizeof(path)) < 0)
		return usage_error(&list_spec, "the filters are too long");
	ret = rl_client_get_json(&a.t, path, &answer, &err);
	if (ret < 0)
		return request_failed(&list_spec, ret, &err);
	runs = cJSON_GetObjectItemCaseSensitive(answer, "runs");
	if (a.json) {
		ret = print_json(answer);
	} else if (!cJSON_IsArray(runs)) {
		ret = rl_err_set(&err, -EPROTO, "%s%s: the answer has no runs array", a.t.url, path);
	} else {
		ret = list_print(runs);
		n = cJSON_GetArraySize(runs);
		if (!n)
			fprintf(stderr, "(no runs match)\n");
		if (!ret && jnum(answer, "total", &total) && total > a.offset + (double)n)
			fprintf(stderr, "(%d of %.0f matching runs; --offset %.0f for more)\n", n, total,
				a.offset + (double)n);
	}
	cJSON_Delete(answer);
	if (ret == -ENOMEM)
		rl_err_set(&err, ret, "out of memory");
	return ret < 0 ? request_failed(&list_spec, ret, &err) : RL_EXIT_OK;
}

/* --- show -------------------------------------------------------------------- */

static void show_progress(const cJSON *p)
{
	char iops[32] = "";
	double v;

	if (jnum(p, "live_iops", &v) && v > 0)
		snprintf(iops, sizeof(iops), ", %.0f IOPS", v);
	printf("progress: cell %.0f/%.0f, %s jobs=%.0f rep %.0f/%.0f %s %.0f%%, run %.0f%%%s\n",
	       num_or(p, "cell", 0) + 1, num_or(p, "ncells", 0), jstr(p, "workload"),
	       num_or(p, "jobs", 0), num_or(p, "rep", 0), num_or(p, "reps", 0), jstr(p, "phase"),
	       num_or(p, "fraction", 0) * 100, num_or(p, "run_fraction", 0) * 100, iops);
}

/* What the daemon knows beside the results: the lines above the run's table. */
static void show_meta(int64_t id, const cJSON *run)
{
	const cJSON *progress = cJSON_GetObjectItemCaseSensitive(run, "progress");
	char when[32], dur[32];
	double d;

	printf("id:       %" PRId64 "\n", id);
	printf("status:   %s\n", jstr(run, "status"));
	printf("what:     %s on target %s\n", jstr(run, "what"), jstr(run, "target"));
	printf("label:    %s\n", *jstr(run, "label") ? jstr(run, "label") : "-");
	printf("kernel:   %s", *jstr(run, "kernel_tag") ? jstr(run, "kernel_tag") : "-");
	if (*jstr(run, "kernel_release"))
		printf(" (release %s)", jstr(run, "kernel_release"));
	printf("\ncreated:  %s UTC", fmt_time(jstr(run, "created"), when, sizeof(when)));
	if (jnum(run, "duration_s", &d))
		printf(", ran %s", fmt_duration(d, dur, sizeof(dur)));
	putchar('\n');
	if (*jstr(run, "error"))
		printf("error:    %s\n", jstr(run, "error"));
	if (cJSON_IsObject(progress))
		show_progress(progress);
}

static const struct cmd_spec show_spec = {
	"show", "ringlab show ID [OPTIONS]",
	"Print one of the daemon's runs: its status, label and kernel, then its\n"
	"results as 'ringlab run' prints them.",
	show_opts, 1,
};

int rl_cmd_show(int argc, char **argv)
{
	struct daemon_args a;
	struct rl_err err = { "" };
	struct rl_run run;
	cJSON *j = NULL;
	int64_t id;
	int ret, status;

	if (parse_cmd_id(&show_spec, argc, argv, &a, &id, &status) < 0)
		return status;
	ret = get_run(&a.t, id, &j, &err);
	if (ret < 0)
		return request_failed(&show_spec, ret, &err);
	if (a.json) {
		ret = print_json(j);
		cJSON_Delete(j);
		return ret < 0 ? usage_error(&show_spec, "out of memory") : RL_EXIT_OK;
	}
	show_meta(id, j);
	/* A queued run has no environment or cells yet: its table would be empty. */
	if (!strcmp(jstr(j, "status"), "queued")) {
		cJSON_Delete(j);
		return RL_EXIT_OK;
	}
	ret = rl_run_from_json(j, &run, &err);
	cJSON_Delete(j);
	if (ret < 0) {
		fprintf(stderr, "ringlab show: run %" PRId64 ": the results do not read back: %s\n", id,
			err.msg);
		return RL_EXIT_FAIL;
	}
	putchar('\n');
	rl_run_print_table(stdout, &run);
	rl_run_free(&run);
	return RL_EXIT_OK;
}

/* --- cancel, watch -------------------------------------------------------------- */

static const struct cmd_spec cancel_spec = {
	"cancel", "ringlab cancel ID [OPTIONS]",
	"Abort a queued or running run (a running one stops at the end of its\n"
	"current I/O batch and keeps the cells it finished).",
	conn_opts, 1,
};

int rl_cmd_cancel(int argc, char **argv)
{
	struct daemon_args a;
	struct rl_err err = { "" };
	cJSON *answer = NULL;
	char path[64];
	int64_t id;
	int ret, status;

	if (parse_cmd_id(&cancel_spec, argc, argv, &a, &id, &status) < 0)
		return status;
	snprintf(path, sizeof(path), "/api/v1/runs/%" PRId64 "/cancel", id);
	ret = rl_client_post_json(&a.t, path, NULL, &answer, &err);
	if (ret < 0)
		return request_failed(&cancel_spec, ret, &err);
	if (!strcmp(jstr(answer, "status"), "running"))
		printf("run %" PRId64 ": stopping at the end of its current I/O batch\n", id);
	else
		printf("run %" PRId64 ": %s\n", id, *jstr(answer, "status") ? jstr(answer, "status")
									 : "aborted");
	cJSON_Delete(answer);
	return RL_EXIT_OK;
}

static const struct cmd_spec watch_spec = {
	"watch", "ringlab watch ID [OPTIONS]",
	"Follow a run until it ends: an updating progress line on a terminal, a line\n"
	"per finished cell otherwise. Exit 0 if it ends done, 1 if failed or aborted.",
	conn_opts, 1,
};

int rl_cmd_watch(int argc, char **argv)
{
	struct daemon_args a;
	int64_t id;
	int status;

	if (parse_cmd_id(&watch_spec, argc, argv, &a, &id, &status) < 0)
		return status;
	return watch_run(&watch_spec, &a.t, id, stdout);
}
