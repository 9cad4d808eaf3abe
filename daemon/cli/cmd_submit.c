/* SPDX-License-Identifier: MIT */
/* ringlab submit SUITE|WORKLOAD: ask ringlabd to run what it knows by that name; print the run's id. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client/args.h"
#include "client/http.h"
#include "follow.h"
#include "jobs_opt.h"
#include "remote.h"

enum { OPT_TARGET = 256, OPT_HOST, OPT_LABEL, OPT_TAG, OPT_QUEUE, OPT_WAIT };

static const struct rl_opt submit_opts[] = {
	{ "target", OPT_TARGET, "NAME", "the daemon's target to run on (default: its first)" },
	{ "host", OPT_HOST, "any|NAME", "queue it for the fleet: the first idle daemon (any) or the one on host NAME takes it (PostgreSQL store)" },
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

struct submit_args {
	const char *target, *host, *label, *kernel_tag;
	double scale;
	uint32_t repeat;
	uint32_t jobs[RL_JOBS_LIST_MAX];
	uint32_t njobs;
	bool queue, wait;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct submit_args *o = ctx;

	switch (key) {
	case OPT_TARGET: o->target = arg; return 0;
	case OPT_HOST: o->host = arg; return 0;
	case OPT_LABEL: o->label = arg; return 0;
	case OPT_TAG: o->kernel_tag = arg; return 0;
	case 's': return rl_opt_double("scale", arg, 1e-9, 1e6, &o->scale, err);
	case 'r': return rl_opt_u32("repeat", arg, 1, 1000, &o->repeat, err);
	case 'j': return rl_jobs_opt(arg, o->jobs, &o->njobs, err);
	case OPT_QUEUE: o->queue = true; return 0;
	case OPT_WAIT: o->wait = true; return 0;
	}
	return -EINVAL;
}

static bool has_name(const cJSON *list, const char *name)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, list)
		if (!strcmp(rl_json_str(e, "name", ""), name))
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
					      rl_json_str(e, "name", ""));
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

static cJSON *submit_body(const struct submit_args *o, const char *kind, const char *name)
{
	cJSON *b = cJSON_CreateObject();
	int jobs[RL_JOBS_LIST_MAX];
	bool ok;
	uint32_t i;

	for (i = 0; i < o->njobs; i++)
		jobs[i] = (int)o->jobs[i];
	ok = b && cJSON_AddStringToObject(b, kind, name) &&
	     (!o->target || cJSON_AddStringToObject(b, "target", o->target)) &&
	     (!o->host || cJSON_AddStringToObject(b, "host", o->host)) &&
	     (!o->label || cJSON_AddStringToObject(b, "label", o->label)) &&
	     (!o->kernel_tag || cJSON_AddStringToObject(b, "kernel_tag", o->kernel_tag)) &&
	     (!o->scale || cJSON_AddNumberToObject(b, "scale", o->scale)) &&
	     (!o->repeat || cJSON_AddNumberToObject(b, "repeat", o->repeat)) &&
	     (!o->njobs || cJSON_AddItemToObject(b, "jobs", cJSON_CreateIntArray(jobs, (int)o->njobs))) &&
	     (!o->queue || cJSON_AddTrueToObject(b, "queue"));
	if (!ok) {
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

static int submit(const struct rl_remote *r)
{
	const struct submit_args *o = r->opts;
	struct rl_err err = { "" };
	cJSON *catalog = NULL, *body = NULL, *answer = NULL;
	const char *kind;
	double id = 0;
	int ret, status;

	ret = rl_client_get_json(&r->t, "/api/v1/workloads", &catalog, &err);
	if (ret < 0)
		return rl_remote_failed(r->cmd, ret, &err);
	kind = kind_of(catalog, r->operand, r->t.url, &err);
	if (!kind) {
		status = rl_remote_usage_error(r->cmd, err.msg);
		goto out;
	}
	body = submit_body(o, kind, r->operand);
	ret = body ? rl_client_post_json(&r->t, "/api/v1/runs", body, &answer, &err)
		   : rl_err_set(&err, -ENOMEM, "out of memory");
	if (ret == -EBUSY && !o->queue)
		err_append(&err, "; add --queue to run it after the current run");
	if (!ret && !rl_json_get_num(answer, "id", &id))
		ret = rl_err_set(&err, -EPROTO, "%s/api/v1/runs: the answer has no run id", r->t.url);
	if (ret < 0) {
		status = rl_remote_failed(r->cmd, ret, &err);
		goto out;
	}
	printf("%.0f\n", id);
	fflush(stdout);
	status = o->wait ? rl_follow_run(r->cmd, &r->t, (int64_t)id, stderr) : RL_EXIT_OK;
out:
	cJSON_Delete(answer);
	cJSON_Delete(body);
	cJSON_Delete(catalog);
	return status;
}

static const struct rl_remote_cmd submit_cmd = {
	.name = "submit",
	.usage = "ringlab submit SUITE|WORKLOAD [OPTIONS]",
	.summary = "Ask ringlabd to run a suite or workload it knows; print the run's id.\n"
		   "With --wait, follow it and exit 0 if it ends done, 1 otherwise. Exit 2 for\n"
		   "bad usage, a request ringlabd refused, or a ringlabd that cannot be reached.",
	.opts = submit_opts,
	.on_opt = on_opt,
	.operand = RL_REMOTE_NAME,
	.run = submit,
};

int rl_cmd_submit(int argc, char **argv)
{
	struct submit_args o = { 0 };

	return rl_remote_main(&submit_cmd, &o, argc, argv);
}
