/* SPDX-License-Identifier: MIT */
/* The CLI's --url/--token/--token-file options and RINGLAB_URL/RINGLAB_TOKEN, resolved into a target. */
#include <stdlib.h>

#include "args.h"
#include "util/fileio.h"

int rl_client_conn_opt(struct rl_client_conn_args *a, int key, const char *arg)
{
	switch (key) {
	case RL_CLIENT_OPT_URL: a->url = arg; return 1;
	case RL_CLIENT_OPT_TOKEN: a->token = arg; return 1;
	case RL_CLIENT_OPT_TOKEN_FILE: a->token_file = arg; return 1;
	}
	return 0;
}

int rl_client_target_from_args(struct rl_client_target *t, const struct rl_client_conn_args *a,
			     struct rl_err *err)
{
	char file_token[sizeof(t->token)];
	const char *url = a->url, *token = a->token;
	int ret;

	if (a->token && a->token_file)
		return rl_err_set(err, -EINVAL, "give --token or --token-file, not both");
	if (!url || !*url)
		url = getenv("RINGLAB_URL");
	if (!url || !*url)
		url = RL_CLIENT_DEFAULT_URL;
	if (a->token_file) {
		ret = rl_read_token_file(a->token_file, "token", file_token, sizeof(file_token), err);
		if (ret < 0)
			return ret;
		token = file_token;
	}
	if (!token)
		token = getenv("RINGLAB_TOKEN");
	return rl_client_target_init(t, url, token, err);
}
