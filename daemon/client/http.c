/* SPDX-License-Identifier: MIT */
/* Whole answers: one exchange per request, read to its end, an error status as -errno, JSON parsed. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exchange.h"
#include "http.h"
#include "util/json.h"

void rl_client_response_free(struct rl_client_response *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static int request_once(const struct rl_client_target *t, const char *method, const char *path,
			const char *body, struct rl_client_response *r, struct rl_err *err)
{
	struct rl_client_exchange *x = malloc(sizeof(*x));
	int ret;

	memset(r, 0, sizeof(*r));
	if (!x)
		return rl_err_set(err, -ENOMEM, "out of memory");
	ret = rl_client_exchange_start(x, t, method, path, "application/json", body, r, err);
	if (!ret)
		ret = rl_client_exchange_read_all(x, r, t->body_max, err);
	rl_client_exchange_close(x);
	free(x);
	if (ret < 0)
		return ret;
	if (r->status >= 400)
		return rl_client_answer_error(t, method, path, r, err);
	return 0;
}

/* Whether @r is a 503 that says when to come back, soon enough to wait for. */
static bool worth_retrying(const struct rl_client_response *r)
{
	return r->status == 503 && r->retry_after && r->retry_after_s <= RL_CLIENT_RETRY_WAIT_MAX_S;
}

int rl_client_request(const struct rl_client_target *t, const char *method, const char *path,
		    const char *body, struct rl_client_response *r, struct rl_err *err)
{
	struct timespec wait = { 0 };
	int ret;

	for (int tries = 0;; tries++) {
		ret = request_once(t, method, path, body, r, err);
		if (tries == RL_CLIENT_RETRIES_503 || !worth_retrying(r))
			return ret;
		wait.tv_sec = r->retry_after_s;
		rl_client_response_free(r);
		/* A signal cuts the wait short: the CLI then exits or the next try goes. */
		nanosleep(&wait, NULL);
	}
}

static int parse_answer(const struct rl_client_target *t, const char *path,
			const struct rl_client_response *r, cJSON **out, struct rl_err *err)
{
	cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);

	if (!j)
		return rl_err_set(err, -EPROTO, "%s%s: the answer is not JSON", t->url, path);
	/* Labels, hosts and errors are what any client stored: no escapes reach a terminal. */
	rl_json_printable(j);
	*out = j;
	return 0;
}

int rl_client_get_json(const struct rl_client_target *t, const char *path, cJSON **out,
		     struct rl_err *err)
{
	struct rl_client_response r;
	int ret;

	*out = NULL;
	ret = rl_client_request(t, "GET", path, NULL, &r, err);
	if (!ret)
		ret = parse_answer(t, path, &r, out, err);
	rl_client_response_free(&r);
	return ret;
}

int rl_client_post_json(const struct rl_client_target *t, const char *path, const cJSON *body,
		      cJSON **out, struct rl_err *err)
{
	struct rl_client_response r;
	char *text = NULL;
	int ret;

	if (out)
		*out = NULL;
	if (body) {
		text = cJSON_PrintUnformatted(body);
		if (!text)
			return rl_err_set(err, -ENOMEM, "out of memory");
	}
	ret = rl_client_request(t, "POST", path, text, &r, err);
	if (!ret && out)
		ret = parse_answer(t, path, &r, out, err);
	rl_client_response_free(&r);
	cJSON_free(text);
	return ret;
}
