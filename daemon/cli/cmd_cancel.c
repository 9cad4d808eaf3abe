/* SPDX-License-Identifier: MIT */
/* ringlab cancel ID: abort one of ringlabd's queued or running runs. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client/http.h"
#include "remote.h"

static int cancel(const struct rl_remote *r)
{
	struct rl_err err = { "" };
	cJSON *answer = NULL;
	const char *status;
	char path[64];
	int ret;

	snprintf(path, sizeof(path), "/api/v1/runs/%" PRId64 "/cancel", r->id);
	ret = rl_client_post_json(&r->t, path, NULL, &answer, &err);
	if (ret < 0)
		return rl_remote_failed(r->cmd, ret, &err);
	status = rl_json_str(answer, "status", "");
	if (!strcmp(status, "running"))
		printf("run %" PRId64 ": stopping at the end of its current I/O batch\n", r->id);
	else
		printf("run %" PRId64 ": %s\n", r->id, *status ? status : "aborted");
	cJSON_Delete(answer);
	return RL_EXIT_OK;
}

static const struct rl_remote_cmd cancel_cmd = {
	.name = "cancel",
	.usage = "ringlab cancel ID [OPTIONS]",
	.summary = "Abort a queued or running run (a running one stops at the end of its\n"
		   "current I/O batch and keeps the cells it finished).",
	.opts = rl_remote_conn_opts,
	.operand = RL_REMOTE_RUN_ID,
	.run = cancel,
};

int rl_cmd_cancel(int argc, char **argv)
{
	return rl_remote_main(&cancel_cmd, NULL, argc, argv);
}
