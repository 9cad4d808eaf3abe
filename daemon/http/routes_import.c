/* SPDX-License-Identifier: MIT */
/*
 * POST /api/v1/runs/import: a run measured elsewhere (a VM guest's
 * `ringlab run --json`, a lab machine's CLI) stored as a finished run, so it
 * is listed, shown and compared like the daemon's own. The body wraps the
 * "ringlab-run-1" document: {"run": {...}, "label", "kernel_tag", "target"}.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "schema/fields.h"
#include "schema/json_span.h"
#include "engine/result_json.h"
#include "routes.h"

#define IMPORT_TARGET_DEFAULT "vm"

struct import_req {
	const cJSON *run;
	const char *label, *kernel_tag, *target;	/* NULL: not given */
};

static const char *const import_keys[] = { "run", "label", "kernel_tag", "target", NULL };

static int control_char(const char *key, char c, struct rl_err *err)
{
	return rl_err_set(err, -EINVAL, "field %s: holds a control character (0x%02x)", key,
			  (unsigned char)c);
}

/* A string field of at most @max bytes, its characters from @charset (NULL: any). */
static int string_field(const cJSON *body, const char *key, size_t max, const char *charset,
			const char **out, struct rl_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
	int bad;

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return rl_err_set(err, -EINVAL, "field %s: expected a string", key);
	if (strlen(v->valuestring) > max)
		return rl_err_set(err, -EINVAL, "field %s: longer than %zu characters", key, max);
	bad = charset ? rl_charset_match(charset, v->valuestring) : -1;
	if (bad >= 0)
		return rl_err_set(err, -EINVAL, "field %s: '%c' is not allowed (%s only)", key,
				  v->valuestring[bad], charset);
	bad = rl_control_at(v->valuestring);
	if (bad >= 0)
		return control_char(key, v->valuestring[bad], err);
	*out = v->valuestring;
	return 0;
}

/*
 * The label and kernel tag the run is stored under, its env's when the
 * body gives none: names every listing prints, so no control character.
 */
static int check_names(const struct import_req *req, const struct rl_run *run,
		       struct rl_err *err)
{
	int bad;

	if (!req->label && (bad = rl_control_at(run->env.label)) >= 0)
		return control_char("run.env.label", run->env.label[bad], err);
	if (!req->kernel_tag && (bad = rl_control_at(run->env.kernel_tag)) >= 0)
		return control_char("run.env.kernel_tag", run->env.kernel_tag[bad], err);
	return 0;
}

static int parse_import(const cJSON *body, struct import_req *req, struct rl_err *err)
{
	const cJSON *e;
	size_t i;
	int ret;

	if (!cJSON_IsObject(body))
		return rl_err_set(err, -EINVAL, "the body must be a JSON object: {\"run\": {...}, ...}");
	cJSON_ArrayForEach(e, body) {
		for (i = 0; import_keys[i] && strcmp(import_keys[i], e->string); i++)
			;
		if (!import_keys[i])
			return rl_err_set(err, -EINVAL,
					  "unknown field '%s' (known: run, label, kernel_tag, target)",
					  e->string);
	}
	req->run = cJSON_GetObjectItemCaseSensitive(body, "run");
	if (!req->run)
		return rl_err_set(err, -EINVAL, "field run: required (a ringlab-run-1 document)");
	if (!cJSON_IsObject(req->run))
		return rl_err_set(err, -EINVAL, "field run: expected a ringlab-run-1 object");
	ret = string_field(body, "label", RL_STORE_LABEL_MAX - 1, NULL, &req->label, err);
	if (!ret)
		ret = string_field(body, "kernel_tag", RL_STORE_TAG_MAX - 1, NULL, &req->kernel_tag, err);
	if (!ret)
		ret = string_field(body, "target", 63, "a-z0-9_-", &req->target, err);
	if (!ret && req->target && !*req->target)
		ret = rl_err_set(err, -EINVAL, "field target: empty");
	return ret;
}

/* What the run was stored from, for whoever reads its request back; free with cJSON_free(). */
static char *request_text(const struct import_req *req, const char *label, const char *tag)
{
	cJSON *o = cJSON_CreateObject(), *imp = cJSON_CreateObject();
	char *text;

	if (!o || !imp || !cJSON_AddStringToObject(imp, "target", req->target) ||
	    !cJSON_AddStringToObject(imp, "label", label) ||
	    !cJSON_AddStringToObject(imp, "kernel_tag", tag)) {
		cJSON_Delete(o);
		cJSON_Delete(imp);
		return NULL;
	}
	cJSON_AddItemToObject(o, "import", imp);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/*
 * The run's cells as the body has them, blanks left out, into @sreq: what
 * was read is what is stored, and printing 192 cells again cost more than
 * reading them. Returns the copy to free (NULL when the body's text cannot
 * be followed: the cells are then printed from the run).
 */
static char *cells_as_read(const struct rl_http_req *r, const struct import_req *req,
			   struct rl_store_run_req *sreq)
{
	const cJSON *chain[] = {
		r->json, req->run, cJSON_GetObjectItemCaseSensitive(req->run, "cells"),
	};
	struct rl_json_span span;
	char *text;

	if (rl_json_span_of(r->body.data, chain, 3, &span) < 0)
		return NULL;
	text = malloc(span.len);
	if (text) {
		sreq->cells_json = text;
		sreq->cells_json_len = rl_json_compact(&span, text);
	}
	return text;
}

/* Store @run as @req says. Returns 0 after replying, or -ENOMEM. */
static int store_import(struct rl_http_req *r, const struct import_req *req, struct rl_run *run)
{
	struct rl_store_run_req sreq = {
		.what = run->suite, .target = req->target, .scale = run->scale,
		/* Given fields win; else what the run was tagged with where it ran. */
		.label = req->label ? req->label : run->env.label,
		.kernel_tag = req->kernel_tag ? req->kernel_tag : run->env.kernel_tag,
	};
	struct rl_err err = { "" };
	struct rl_store *store;
	char *request, *cells;
	int64_t id;
	int ret;

	request = request_text(req, sreq.label, sreq.kernel_tag);
	if (!request)
		return -ENOMEM;
	sreq.request_json = request;
	cells = cells_as_read(r, req, &sreq);
	store = rl_daemon_store_lock(r->d);
	ret = rl_store_run_import(store, &sreq, run, &id, &err);
	rl_daemon_store_unlock(r->d);
	free(cells);
	cJSON_free(request);
	if (ret == -EINVAL)
		return rl_http_reply_error(r, 400, NULL, "field run: %s", err.msg);
	if (ret < 0)
		return ret == -ENOMEM ? ret : rl_http_reply_errno(r, ret, &err);
	return rl_http_reply_created(r, 201, "/api/v1/runs", id, rl_run_status_name(run->status));
}

int rl_route_runs_import(struct rl_http_req *r)
{
	struct import_req req = { .target = NULL };
	struct rl_err err = { "" };
	struct rl_run run;
	int ret;

	ret = parse_import(r->json, &req, &err);
	if (ret < 0)
		return rl_http_reply_error(r, 400, NULL, "%s", err.msg);
	if (!req.target)
		req.target = IMPORT_TARGET_DEFAULT;
	ret = rl_run_from_json(req.run, &run, &err);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		return rl_http_reply_error(r, 400, NULL, "field run: %s", err.msg);
	ret = check_names(&req, &run, &err);
	if (ret < 0) {
		rl_run_free(&run);
		return rl_http_reply_error(r, 400, NULL, "%s", err.msg);
	}
	ret = store_import(r, &req, &run);
	rl_run_free(&run);
	return ret;
}
