/* SPDX-License-Identifier: MIT */
/*
 * The body of POST /api/v1/runs, parsed in one place: the HTTP handler uses
 * it on the request, and the runner on the copy stored with the run.
 */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "submit.h"

static const char *const submit_keys[] = {
	"suite", "workload", "target", "host", "kernel", "label", "kernel_tag", "scale", "repeat", "jobs", "queue",
	NULL,
};

#define KERNEL_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-"

static int copy_string(const cJSON *o, const char *key, char *buf, size_t size, struct rl_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	int bad;

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return rl_err_set(err, -EINVAL, "field %s: expected a string", key);
	if (strlen(v->valuestring) >= size)
		return rl_err_set(err, -EINVAL, "field %s: longer than %zu characters", key, size - 1);
	bad = rl_control_at(v->valuestring);
	if (bad >= 0)
		return rl_err_set(err, -EINVAL, "field %s: holds a control character (0x%02x)", key,
				  (unsigned char)v->valuestring[bad]);
	snprintf(buf, size, "%s", v->valuestring);
	return 0;
}

static int parse_jobs(const cJSON *v, struct rl_submit *req, struct rl_err *err)
{
	const cJSON *e;

	if (!cJSON_IsArray(v))
		return rl_err_set(err, -EINVAL, "field jobs: expected an array of numbers");
	cJSON_ArrayForEach(e, v) {
		if (req->njobs == RL_JOBS_LIST_MAX)
			return rl_err_set(err, -EINVAL, "field jobs: at most %d values", RL_JOBS_LIST_MAX);
		if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
		    e->valuedouble < 1 || e->valuedouble > 256)
			return rl_err_set(err, -EINVAL, "field jobs: each value must be a whole number 1..256");
		req->jobs[req->njobs++] = (uint32_t)e->valuedouble;
	}
	if (!req->njobs)
		return rl_err_set(err, -EINVAL, "field jobs: empty list");
	if (rl_jobs_repeated(req->jobs, req->njobs))
		return rl_err_set(err, -EINVAL, "field jobs: %u appears twice",
				  rl_jobs_repeated(req->jobs, req->njobs));
	return 0;
}

static int check_keys(const cJSON *o, struct rl_err *err)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, o) {
		size_t i;

		for (i = 0; submit_keys[i] && strcmp(submit_keys[i], e->string); i++)
			;
		if (!submit_keys[i])
			return rl_err_set(err, -EINVAL, "unknown field '%s'", e->string);
	}
	return 0;
}

static int parse_numbers(const cJSON *o, struct rl_submit *req, struct rl_err *err)
{
	const cJSON *v;

	v = cJSON_GetObjectItemCaseSensitive(o, "scale");
	if (v) {
		if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || v->valuedouble > 1e6)
			return rl_err_set(err, -EINVAL, "field scale: must be a number > 0 and <= 1e6");
		req->scale = v->valuedouble;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "repeat");
	if (v) {
		if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
		    v->valuedouble < 1 || v->valuedouble > 1000)
			return rl_err_set(err, -EINVAL, "field repeat: must be a whole number 1..1000");
		req->repeat = (uint32_t)v->valuedouble;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "jobs");
	if (v && parse_jobs(v, req, err) < 0)
		return -EINVAL;
	v = cJSON_GetObjectItemCaseSensitive(o, "queue");
	if (v) {
		if (!cJSON_IsBool(v))
			return rl_err_set(err, -EINVAL, "field queue: expected true or false");
		req->queue = cJSON_IsTrue(v);
	}
	return 0;
}

int rl_submit_from_json(const cJSON *o, struct rl_submit *req, struct rl_err *err)
{
	bool suite, workload;
	char *text;
	int ret;

	memset(req, 0, sizeof(*req));
	if (!cJSON_IsObject(o))
		return rl_err_set(err, -EINVAL, "the body must be a JSON object");
	ret = check_keys(o, err);
	if (ret < 0)
		return ret;
	suite = cJSON_GetObjectItemCaseSensitive(o, "suite") != NULL;
	workload = cJSON_GetObjectItemCaseSensitive(o, "workload") != NULL;
	if (suite == workload)
		return rl_err_set(err, -EINVAL, "give exactly one of the fields suite and workload");
	ret = copy_string(o, suite ? "suite" : "workload", req->what, sizeof(req->what), err);
	if (!ret && !req->what[0])
		ret = rl_err_set(err, -EINVAL, "field %s: empty", suite ? "suite" : "workload");
	/* A name, never a path: the daemon runs only what its workloads directory holds. */
	if (!ret && (strchr(req->what, '/') || req->what[0] == '.' || strstr(req->what, ".json")))
		ret = rl_err_set(err, -EINVAL, "field %s: '%s' is a path; name a suite or workload",
				 suite ? "suite" : "workload", req->what);
	if (!ret)
		ret = copy_string(o, "target", req->target, sizeof(req->target), err);
	if (!ret)
		ret = copy_string(o, "host", req->host, sizeof(req->host), err);
	if (!ret && strpbrk(req->host, " /'\""))
		ret = rl_err_set(err, -EINVAL, "field host: '%s' is not a host name", req->host);
	if (!ret)
		ret = copy_string(o, "kernel", req->kernel, sizeof(req->kernel), err);
	/* A name vm-run.sh resolves under the taking daemon's kernel-patches, never a path. */
	if (!ret && (req->kernel[strspn(req->kernel, KERNEL_CHARS)] || req->kernel[0] == '.'))
		ret = rl_err_set(err, -EINVAL,
				 "field kernel: '%s' is not a variant name (letters, digits and . _ : -)",
				 req->kernel);
	if (!ret)
		ret = copy_string(o, "label", req->label, sizeof(req->label), err);
	if (!ret)
		ret = copy_string(o, "kernel_tag", req->kernel_tag, sizeof(req->kernel_tag), err);
	if (!ret)
		ret = parse_numbers(o, req, err);
	if (ret < 0)
		return ret;
	text = cJSON_PrintUnformatted(o);
	if (!text)
		return rl_err_set(err, -ENOMEM, "out of memory");
	if (strlen(text) >= sizeof(req->request_json))
		ret = rl_err_set(err, -EINVAL, "the body is longer than %zu bytes",
				 sizeof(req->request_json) - 1);
	else
		snprintf(req->request_json, sizeof(req->request_json), "%s", text);
	cJSON_free(text);
	return ret;
}
