/* SPDX-License-Identifier: MIT */
/* A run measured elsewhere, sent to ringlabd's POST /api/v1/runs/import. */
#include <math.h>

#include "import.h"
#include "util/json.h"

/* @key: @value, unless @value is NULL. Returns false when out of memory. */
static bool add_tag(cJSON *body, const char *key, const char *value)
{
	return !value || cJSON_AddStringToObject(body, key, value);
}

int rl_client_import_run(const struct rl_client_target *t, cJSON *run,
			 const struct rl_client_import_tags *tags, int64_t *id, struct rl_err *err)
{
	cJSON *body = cJSON_CreateObject(), *answer = NULL;
	double n;
	int ret;

	*id = 0;
	if (!body || !add_tag(body, "label", tags->label) ||
	    !add_tag(body, "kernel_tag", tags->kernel_tag) ||
	    !add_tag(body, "target", tags->target) || !cJSON_AddItemToObject(body, "run", run)) {
		cJSON_Delete(run);
		cJSON_Delete(body);
		return rl_err_set(err, -ENOMEM, "out of memory");
	}
	ret = rl_client_post_json(t, "/api/v1/runs/import", body, &answer, err);
	n = rl_json_num(answer, "id", NAN);
	if (!ret && !(n >= 1))
		ret = rl_err_set(err, -EPROTO, "ringlabd answered without a run id");
	else if (!ret)
		*id = (int64_t)n;
	cJSON_Delete(body);
	cJSON_Delete(answer);
	return ret;
}
