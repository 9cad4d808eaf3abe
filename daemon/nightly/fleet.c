/* SPDX-License-Identifier: MIT */
/*
 * The night on the fleet: every variant x suite submitted to ringlabd as a
 * fleet run (a queued row of the shared PostgreSQL store that the first idle
 * daemon able to run it takes), then followed until each has ended. The
 * comparisons stay on one machine: a suite's base run goes to whichever
 * daemon takes it first, and the suite's other variants then follow it to
 * that host, so no comparison of the night crosses hosts (which compare
 * refuses, and which would measure the machines rather than the kernels).
 * Nothing is scheduled here: the daemons' claims decide who runs what.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nightly.h"
#include "client/url.h"
#include "util/clock.h"
#include "util/json.h"

#define POLL_S 1
#define NS_PER_S 1000000000LL
#define RUN_SLACK_S 60		/* a taken run's limit over timeout_s: layout, import, a poll */
#define POLL_MISSES_MAX 120	/* polls in a row ringlabd may fail before the night gives up */
#define LIST_LIMIT 1000		/* the API's largest page; a night has at most 256 runs */

/* What a fleet run carries of ringlab_args. */
struct fleet_args {
	double scale;		/* 0: the suite's */
	uint32_t repeat;	/* 0: the workloads' */
	uint32_t jobs[16];
	uint32_t njobs;
};

/* One variant x suite on the fleet. */
struct fleet_job {
	struct rl_nightly_result *r;
	uint32_t vi, si;
	int64_t id;		/* 0: not submitted yet */
	char asked[65];		/* the host it was submitted for */
	char held_by[65];	/* the host whose daemon took it; "" while queued */
	int64_t queued_ns;	/* submitted, or back in the queue since */
	int64_t taken_ns;	/* 0 while no daemon holds it */
	bool ended;		/* its result is filled */
};

struct fleet_ctx {
	struct rl_nightly_night *n;
	const struct rl_nightly_env *env;
	struct fleet_args args;
	struct fleet_job *jobs;	/* [variant][suite], as the results */
	char suite_host[RL_NIGHTLY_SUITES_MAX][65];	/* "" until the suite's base run is taken */
	uint32_t left;		/* jobs not ended */
};

/* ---- the configuration ------------------------------------------------------- */

/* "--opt VALUE" or "--opt=VALUE" at *@i of @argv: the value, or NULL when @opt is not there. */
static const char *opt_value(char **argv, int argc, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int parse_jobs(const char *v, struct fleet_args *a, struct rl_err *err)
{
	char *end;

	for (const char *p = v; *p; p = end + (*end == ',')) {
		unsigned long j = strtoul(p, &end, 10);

		if (end == p || j < 1 || j > 256 || (*end && *end != ',') || a->njobs == 16)
			return rl_err_set(err, -EINVAL,
					  "key ringlab_args: --jobs %s: up to 16 numbers 1..256, comma-separated", v);
		a->jobs[a->njobs++] = (uint32_t)j;
	}
	return 0;
}

/* One option of ringlab_args into @a. Returns 0, or -EINVAL naming what cannot go. */
static int parse_one(char **argv, int argc, int *i, struct fleet_args *a, struct rl_err *err)
{
	const char *v;
	char *end;

	if ((v = opt_value(argv, argc, i, "--scale"))) {
		a->scale = strtod(v, &end);
		if (*end || !(a->scale > 0) || a->scale > 1e6)
			return rl_err_set(err, -EINVAL, "key ringlab_args: --scale %s: a number > 0", v);
		return 0;
	}
	if ((v = opt_value(argv, argc, i, "--repeat"))) {
		unsigned long r = strtoul(v, &end, 10);

		if (*end || r < 1 || r > 1000)
			return rl_err_set(err, -EINVAL, "key ringlab_args: --repeat %s: 1..1000", v);
		a->repeat = (uint32_t)r;
		return 0;
	}
	if ((v = opt_value(argv, argc, i, "--jobs")))
		return parse_jobs(v, a, err);
	return rl_err_set(err, -EINVAL,
			  "key ringlab_args: '%s' cannot go to the fleet: a fleet run carries only --scale, --repeat and --jobs",
			  argv[*i]);
}

static int parse_args(const char *text, struct fleet_args *a, struct rl_err *err)
{
	char copy[RL_NIGHTLY_ARGS_MAX], *argv[RL_NIGHTLY_ARGS_MAX / 2], *save = NULL;
	int argc = 0, ret = 0;

	memset(a, 0, sizeof(*a));
	snprintf(copy, sizeof(copy), "%s", text);
	for (char *tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = tok;
	for (int i = 0; i < argc && !ret; i++)
		ret = parse_one(argv, argc, &i, a, err);
	return ret;
}

int rl_nightly_fleet_check(const struct rl_nightly_cfg *cfg, struct rl_err *err)
{
	struct fleet_args a;

	for (uint32_t i = 0; i < cfg->nsuites; i++)
		if (strchr(cfg->suites[i], '/') || strstr(cfg->suites[i], ".json"))
			return rl_err_set(err, -EINVAL,
					  "key suites: '%s' is a file: the fleet's daemons run suites by name, from their own workloads_dir",
					  cfg->suites[i]);
	return parse_args(cfg->ringlab_args, &a, err);
}

/* ---- talking to ringlabd ------------------------------------------------------ */

int rl_nightly_fleet_ready(const struct rl_client_target *t, struct rl_err *err)
{
	cJSON *health = NULL;
	const char *kind;
	int ret = rl_client_get_json(t, "/api/v1/health", &health, err);

	if (ret < 0)
		return rl_err_prefix(err, ret, "ringlabd is not answering");
	kind = rl_json_str(health, "store_kind", "sqlite");
	if (strcmp(kind, "postgresql"))
		ret = rl_err_set(err, -EOPNOTSUPP,
				 "fleet: ringlabd at %s keeps its runs in %s: a fleet night needs the PostgreSQL store its daemons share (\"store\": {\"kind\": \"postgresql\"}); without fleet the night runs here",
				 t->url, kind);
	cJSON_Delete(health);
	return ret;
}

static cJSON *job_body(const struct fleet_ctx *f, const struct fleet_job *j)
{
	const struct rl_nightly_variant *v = j->r->v;
	struct rl_jb b = rl_jb_new(cJSON_CreateObject());

	rl_jb_put(&b, "suite", cJSON_CreateString(j->r->suite));
	rl_jb_put(&b, "host", cJSON_CreateString(j->asked));
	rl_jb_put(&b, "label", cJSON_CreateString(f->n->label));
	rl_jb_put(&b, "kernel_tag", cJSON_CreateString(v->name));
	if (v->kind == RL_VARIANT_VM)
		rl_jb_put(&b, "kernel", cJSON_CreateString(v->name));
	if (f->args.scale > 0)
		rl_jb_num(&b, "scale", f->args.scale);
	if (f->args.repeat)
		rl_jb_num(&b, "repeat", f->args.repeat);
	if (f->args.njobs)
		rl_jb_put(&b, "jobs", cJSON_CreateIntArray((const int *)f->args.jobs,
							   (int)f->args.njobs));
	return rl_jb_end(&b);
}

/* Submit @j for host @host; a refusal fails the job (the night goes on). */
static void submit(struct fleet_ctx *f, struct fleet_job *j, const char *host)
{
	struct rl_err err = { "" };
	cJSON *body, *answer = NULL;
	int ret;

	snprintf(j->asked, sizeof(j->asked), "%s", host);
	body = job_body(f, j);
	ret = body ? rl_client_post_json(f->env->t, "/api/v1/runs", body, &answer, &err) :
		     rl_err_set(&err, -ENOMEM, "out of memory");
	j->id = (int64_t)rl_json_num(answer, "id", 0);
	cJSON_Delete(body);
	cJSON_Delete(answer);
	j->queued_ns = rl_wall_ns();
	if (ret < 0 || j->id <= 0) {
		rl_nightly_fail(j->r, "not submitted to the fleet: %s",
				ret < 0 ? err.msg : "no run id");
		j->ended = true;
		f->left--;
		return;
	}
	fprintf(f->env->progress, "ringlab nightly: %s x %s: run %lld in the fleet's queue (host %s%s%s)\n",
		j->r->v->name, j->r->suite, (long long)j->id, host,
		j->r->v->kind == RL_VARIANT_VM ? ", kernel " : "",
		j->r->v->kind == RL_VARIANT_VM ? j->r->v->name : "");
}

/* Cancel @j's run; a run another daemon holds may refuse, and is left to it. */
static void cancel(const struct fleet_ctx *f, const struct fleet_job *j)
{
	char path[64];
	struct rl_err err = { "" };

	snprintf(path, sizeof(path), "/api/v1/runs/%lld/cancel", (long long)j->id);
	rl_client_post_json(f->env->t, path, NULL, NULL, &err);
}

/* ---- following the runs -------------------------------------------------------- */

static void end_job(struct fleet_ctx *f, struct fleet_job *j)
{
	struct rl_nightly_result *r = j->r;

	j->ended = true;
	f->left--;
	fprintf(f->env->progress, "ringlab nightly: %s x %s: %s%s%s\n", r->v->name, r->suite,
		r->failed ? "FAILED: " : "ok on ", r->failed ? r->error : r->host,
		r->run_id > 0 ? "" : " (no run)");
}

/* The host part of a lease owner "HOST/MACHINE-ID/PID". */
static void owner_host(const char *owner, char *buf, size_t len)
{
	const char *slash = strchr(owner, '/');

	snprintf(buf, len, "%.*s", slash ? (int)(slash - owner) : (int)strlen(owner), owner);
}

/* Who holds @j's queued run, from its fleet columns: "" when no daemon does. */
static void holder(const struct fleet_ctx *f, const struct fleet_job *j, char *host, size_t len)
{
	struct rl_err err = { "" };
	cJSON *run = NULL;
	char path[64];
	const char *owner;

	host[0] = '\0';
	snprintf(path, sizeof(path), "/api/v1/runs/%lld", (long long)j->id);
	if (rl_client_get_json(f->env->t, path, &run, &err) < 0)
		return;
	owner = rl_json_str(cJSON_GetObjectItemCaseSensitive(run, "fleet"), "lease_owner", NULL);
	if (owner)
		owner_host(owner, host, len);
	cJSON_Delete(run);
}

/* @j's run has ended as @item (an entry of the runs listing) says. */
static void ended(struct fleet_ctx *f, struct fleet_job *j, const cJSON *item)
{
	struct rl_nightly_result *r = j->r;
	const char *status = rl_json_str(item, "status", "");
	const char *error = rl_json_str(item, "error", NULL);
	double duration = rl_json_num(item, "duration_s", NAN);

	r->run_id = j->id;
	snprintf(r->run_status, sizeof(r->run_status), "%s", status);
	snprintf(r->kernel_release, sizeof(r->kernel_release), "%s",
		 rl_json_str(item, "kernel_release", ""));
	snprintf(r->host, sizeof(r->host), "%s", rl_json_str(item, "host", j->held_by));
	/* A guest that sent no run back started nothing: its lease says where it was. */
	if (!r->host[0])
		holder(f, j, r->host, sizeof(r->host));
	r->ran = j->taken_ns || r->host[0];
	r->exit_status = strcmp(status, "done") != 0;
	r->duration_s = isnan(duration) ? 0 : duration;
	if (strcmp(status, "done"))
		rl_nightly_fail(r, "the run is %s on %s: %s", status,
				r->host[0] ? r->host : "no host", error ? error : "(no error given)");
	end_job(f, j);
}

/* The other variants of suite @si follow its base run to @host. */
static void submit_rest(struct fleet_ctx *f, uint32_t si, const char *host)
{
	const struct rl_nightly_cfg *cfg = f->n->cfg;

	snprintf(f->suite_host[si], sizeof(f->suite_host[si]), "%s", host);
	for (uint32_t vi = 0; vi < cfg->nvariants; vi++) {
		struct fleet_job *j = &f->jobs[vi * cfg->nsuites + si];

		if (!j->id && !j->ended)
			submit(f, j, host);
	}
}

/* What a run nobody took needed, for its error. */
static void needs(const struct fleet_job *j, char *buf, size_t len)
{
	bool any = !strcmp(j->asked, "any");

	if (j->r->v->kind == RL_VARIANT_VM)
		snprintf(buf, len, "an idle daemon %s%s with kernel %s in its \"vm\": {\"kernels\"}",
			 any ? "of the lab" : "on host ", any ? "" : j->asked, j->r->v->name);
	else
		snprintf(buf, len, "an idle daemon %s%s", any ? "of the lab" : "on host ",
			 any ? "" : j->asked);
}

/* Whether a run of the night is being run on @host ("any": anywhere) right now. */
static bool host_busy(const struct fleet_ctx *f, const char *host)
{
	uint32_t n = f->n->cfg->nvariants * f->n->cfg->nsuites;

	for (uint32_t i = 0; i < n; i++) {
		const struct fleet_job *j = &f->jobs[i];

		if (j->taken_ns && !j->ended && (!strcmp(host, "any") || !strcmp(j->held_by, host)))
			return true;
	}
	return false;
}

/*
 * A queued run: taken meanwhile, or waiting too long. Its clock runs only
 * while its host has none of the night's runs running: waiting behind
 * them is the night's order, not a run nobody can take.
 */
static void check_queued(struct fleet_ctx *f, struct fleet_job *j, int64_t now)
{
	const struct rl_nightly_cfg *cfg = f->n->cfg;
	char host[65], why[256];

	holder(f, j, host, sizeof(host));
	if (host[0] && !j->taken_ns) {
		j->taken_ns = now;
		snprintf(j->held_by, sizeof(j->held_by), "%s", host);
		fprintf(f->env->progress, "ringlab nightly: %s x %s: run %lld taken by %s\n",
			j->r->v->name, j->r->suite, (long long)j->id, host);
	} else if (!host[0] && j->taken_ns) {
		/* Its daemon lost the lease: the queue has it again. */
		j->taken_ns = 0;
		j->queued_ns = now;
	}
	if (!j->taken_ns && host_busy(f, j->asked))
		j->queued_ns = now;
	if (j->taken_ns || now - j->queued_ns < (int64_t)cfg->fleet_queue_s * NS_PER_S)
		return;
	cancel(f, j);
	needs(j, why, sizeof(why));
	rl_nightly_fail(j->r, "run %lld was not taken in %u s: it needs %s", (long long)j->id,
			cfg->fleet_queue_s, why);
	j->ended = true;
	f->left--;
	fprintf(f->env->progress, "ringlab nightly: %s x %s: FAILED: %s\n", j->r->v->name,
		j->r->suite, j->r->error);
}

/* A taken run past its limit is given up (and cancelled, where its daemon lets us). */
static void check_running(struct fleet_ctx *f, struct fleet_job *j, int64_t now)
{
	const struct rl_nightly_cfg *cfg = f->n->cfg;
	uint64_t limit = (uint64_t)cfg->timeout_s + RUN_SLACK_S +
			 (j->r->v->kind == RL_VARIANT_VM ? cfg->kernel_timeout_s : 0);

	if (now - j->taken_ns < (int64_t)limit * NS_PER_S)
		return;
	cancel(f, j);
	snprintf(j->r->host, sizeof(j->r->host), "%s", j->held_by);
	rl_nightly_fail(j->r, "run %lld still running on %s after %llu s: given up",
			(long long)j->id, j->held_by, (unsigned long long)limit);
	j->r->run_id = 0;
	end_job(f, j);
}

/* The listing entry of run @id in @list, or NULL. */
static const cJSON *find_run(const cJSON *list, int64_t id)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(list, "runs"))
		if ((int64_t)rl_json_num(item, "id", 0) == id)
			return item;
	return NULL;
}

static void follow(struct fleet_ctx *f, struct fleet_job *j, const cJSON *item, int64_t now)
{
	const char *status = rl_json_str(item, "status", "queued");
	const char *host = rl_json_str(item, "host", NULL);

	if (strcmp(status, "queued") && strcmp(status, "running")) {
		ended(f, j, item);
	} else if (!strcmp(status, "running")) {
		if (!j->taken_ns) {
			j->taken_ns = now;
			fprintf(f->env->progress, "ringlab nightly: %s x %s: run %lld running on %s\n",
				j->r->v->name, j->r->suite, (long long)j->id, host ? host : "?");
		}
		if (host)
			snprintf(j->held_by, sizeof(j->held_by), "%s", host);
		check_running(f, j, now);
	} else {
		check_queued(f, j, now);
		if (j->taken_ns && !j->ended)
			check_running(f, j, now);
	}
}

/* One look at every run of the night. Returns 0 or -errno when ringlabd cannot be asked. */
static int poll_runs(struct fleet_ctx *f, struct rl_err *err)
{
	const struct rl_nightly_cfg *cfg = f->n->cfg;
	char path[512], label[384];
	cJSON *list = NULL;
	int64_t now;
	int ret;

	rl_client_escape(f->n->label, label, sizeof(label));
	snprintf(path, sizeof(path), "/api/v1/runs?label=%s&limit=%d", label, LIST_LIMIT);
	ret = rl_client_get_json(f->env->t, path, &list, err);
	if (ret < 0)
		return ret;
	now = rl_wall_ns();
	for (uint32_t i = 0; i < cfg->nvariants * cfg->nsuites; i++) {
		struct fleet_job *j = &f->jobs[i];
		const cJSON *item;

		if (!j->id || j->ended)
			continue;
		item = find_run(list, j->id);
		if (item)
			follow(f, j, item, now);
	}
	cJSON_Delete(list);
	/* A suite's base run taken, or given up: the suite's other variants follow it. */
	for (uint32_t si = 0; si < cfg->nsuites; si++) {
		const struct fleet_job *b = &f->jobs[cfg->base_index * cfg->nsuites + si];

		if (!f->suite_host[si][0] && (b->taken_ns || b->ended))
			submit_rest(f, si, b->held_by[0] ? b->held_by : cfg->fleet_host);
	}
	return 0;
}

/* The night stops early: what is still queued is cancelled, nothing more is awaited. */
static void interrupt(struct fleet_ctx *f)
{
	uint32_t n = f->n->cfg->nvariants * f->n->cfg->nsuites;

	for (uint32_t i = 0; i < n; i++) {
		struct fleet_job *j = &f->jobs[i];

		if (j->ended)
			continue;
		if (j->id)
			cancel(f, j);
		rl_nightly_fail(j->r, "%s: ringlab nightly was interrupted",
				j->id ? "stopped" : "not run");
		j->ended = true;
	}
	f->left = 0;
	f->n->interrupted = true;
}

static int run_fleet(struct fleet_ctx *f, struct rl_err *err)
{
	const struct rl_nightly_cfg *cfg = f->n->cfg;
	struct timespec pause = { POLL_S, 0 };
	bool pinned = strcmp(cfg->fleet_host, "any") != 0;
	uint32_t misses = 0;
	int ret = 0;

	/* Each suite's base run first; with a host named, every run at once. */
	for (uint32_t si = 0; si < cfg->nsuites; si++) {
		if (pinned)
			submit_rest(f, si, cfg->fleet_host);
		else
			submit(f, &f->jobs[cfg->base_index * cfg->nsuites + si], cfg->fleet_host);
	}
	while (f->left && !ret) {
		if (rl_nightly_interrupted()) {
			interrupt(f);
			break;
		}
		nanosleep(&pause, NULL);
		/* ringlabd restarting, or busy for a moment, does not end the night. */
		ret = poll_runs(f, err);
		misses = ret < 0 ? misses + 1 : 0;
		if (ret < 0 && misses < POLL_MISSES_MAX)
			ret = 0;
	}
	return ret < 0 ? rl_err_prefix(err, ret, "following the fleet's runs") : 0;
}

int rl_nightly_fleet_all(struct rl_nightly_night *n, const struct rl_nightly_env *env,
			 struct rl_err *err)
{
	const struct rl_nightly_cfg *cfg = n->cfg;
	struct fleet_ctx f = { .n = n, .env = env };
	int ret;

	ret = parse_args(cfg->ringlab_args, &f.args, err);
	if (ret < 0)
		return ret;
	f.left = cfg->nvariants * cfg->nsuites;
	f.jobs = calloc(f.left, sizeof(*f.jobs));
	if (!f.jobs)
		return rl_err_set(err, -ENOMEM, "out of memory");
	for (uint32_t vi = 0; vi < cfg->nvariants; vi++) {
		for (uint32_t si = 0; si < cfg->nsuites; si++) {
			struct fleet_job *j = &f.jobs[vi * cfg->nsuites + si];

			j->r = rl_nightly_result_at(n, vi, si);
			j->r->v = &cfg->v[vi];
			j->r->suite = cfg->suites[si];
			j->vi = vi;
			j->si = si;
		}
	}
	ret = run_fleet(&f, err);
	free(f.jobs);
	return ret;
}
