/* SPDX-License-Identifier: MIT */
/*
 * How the CLI finds the daemon: the --url, --token and --token-file rows
 * every command that talks to ringlabd puts in its option table, filled into
 * struct rl_client_conn_args by rl_client_conn_opt(), then resolved with
 * $RINGLAB_URL and $RINGLAB_TOKEN into a struct rl_client_target.
 */
#ifndef RINGLAB_DAEMON_CLIENT_ARGS_H
#define RINGLAB_DAEMON_CLIENT_ARGS_H

#include "url.h"
#include "util/err.h"

enum { RL_CLIENT_OPT_URL = 0x1000, RL_CLIENT_OPT_TOKEN, RL_CLIENT_OPT_TOKEN_FILE };

/* Rows of a struct rl_opt table (util/options.h). */
#define RL_CLIENT_OPT_ROWS                                                                    \
	{ "url", RL_CLIENT_OPT_URL, "URL",                                                    \
	  "ringlabd's address (default $RINGLAB_URL, else " RL_CLIENT_DEFAULT_URL ")" },      \
	{ "token", RL_CLIENT_OPT_TOKEN, "TOKEN",                                              \
	  "bearer token for requests that change things (default $RINGLAB_TOKEN)" },       \
	{ "token-file", RL_CLIENT_OPT_TOKEN_FILE, "FILE", "read the token from FILE's first line" }

struct rl_client_conn_args {
	const char *url, *token, *token_file;	/* NULL: not given */
};

/* rl_client_conn_opt() - take option @key if it is one of RL_CLIENT_OPT_ROWS. Returns 1 if taken, else 0. */
int rl_client_conn_opt(struct rl_client_conn_args *a, int key, const char *arg);

/*
 * rl_client_target_from_args() - rl_client_target_init() with --url or
 * $RINGLAB_URL or RL_CLIENT_DEFAULT_URL, and --token, the first line of
 * --token-file, or $RINGLAB_TOKEN. Returns 0, -EINVAL (bad URL, both --token
 * and --token-file, an empty token file), or -errno reading the file.
 */
int rl_client_target_from_args(struct rl_client_target *t, const struct rl_client_conn_args *a,
			     struct rl_err *err);

#endif
