/* SPDX-License-Identifier: MIT */
/*
 * What the commands that ask ringlabd share (submit, list, show, cancel,
 * watch). Each is a struct rl_remote_cmd row: its name, help, option table
 * and operand, and a function that runs once the command line, the daemon's
 * address and the operand are parsed. Request errors become exit statuses
 * one way, and the fields of the API's JSON read as text one way.
 */
#ifndef RINGLAB_DAEMON_CLI_REMOTE_H
#define RINGLAB_DAEMON_CLI_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "client/url.h"
#include "util/err.h"
#include "util/json.h"
#include "util/options.h"

enum rl_remote_operand {
	RL_REMOTE_NO_OPERAND,
	RL_REMOTE_RUN_ID,	/* "12" or "run:12", parsed into rl_remote.id */
	RL_REMOTE_NAME,		/* one word, the command reads it */
	RL_REMOTE_OPERAND_MAX,
};

struct rl_remote;

struct rl_remote_cmd {
	const char *name;		/* "show": errors read "ringlab show: ..." */
	const char *usage, *summary;	/* the top of --help */
	const struct rl_opt *opts;	/* its own rows, RL_CLIENT_OPT_ROWS, the NULL row */
	rl_opt_fn on_opt;		/* its own options, ctx the opts of rl_remote_main(); NULL: none */
	enum rl_remote_operand operand;
	int (*run)(const struct rl_remote *r);	/* returns the exit status */
};

/* What the command's run() gets. */
struct rl_remote {
	const struct rl_remote_cmd *cmd;
	struct rl_client_target t;	/* the daemon, from --url/--token or the environment */
	const char *operand;		/* NULL for RL_REMOTE_NO_OPERAND */
	int64_t id;			/* RL_REMOTE_RUN_ID: the operand as a run id */
	void *opts;			/* as cmd->on_opt filled it */
};

/* The rows of a command whose only options say where the daemon is. */
extern const struct rl_opt rl_remote_conn_opts[];

/*
 * rl_remote_main() - parse @argv for @cmd (its options into @opts, a zeroed
 * struct of the command's, through cmd->on_opt), print --help, check the
 * operand, find the daemon, then call cmd->run(). Returns run()'s exit
 * status, RL_EXIT_OK after --help, or RL_EXIT_USAGE with the reason on
 * stderr.
 */
int rl_remote_main(const struct rl_remote_cmd *cmd, void *opts, int argc, char **argv);

/* rl_remote_usage_error() - "ringlab NAME: @msg" on stderr. Returns RL_EXIT_USAGE. */
int rl_remote_usage_error(const struct rl_remote_cmd *cmd, const char *msg);

/*
 * rl_remote_failed() - say why request error @ret (in @err) happened, with
 * a hint for a missing token. Returns RL_EXIT_USAGE for the 4xx errors the
 * user fixes (all but 409 -EBUSY) and for a daemon that cannot be reached
 * (rl_client_unreachable(): as ringlab compare says it), RL_EXIT_FAIL for
 * the rest.
 */
int rl_remote_failed(const struct rl_remote_cmd *cmd, int ret, const struct rl_err *err);

/* rl_remote_run_id() - "12" or "run:12" into *@id. Returns 0, or -EINVAL unless a positive number. */
int rl_remote_run_id(const char *s, int64_t *id);

/* rl_remote_get_run() - GET /api/v1/runs/@id into *@out. Returns as rl_client_get_json(). */
int rl_remote_get_run(const struct rl_client_target *t, int64_t id, cJSON **out,
		      struct rl_err *err);

/* rl_remote_fmt_count() - number member @key as "%.0f", "-" when absent or null. Returns @buf. */
char *rl_remote_fmt_count(const cJSON *o, const char *key, char *buf, size_t size);

/* rl_remote_fmt_duration() - @s seconds as "4.2s", "1m03s" or "2h05m". Returns @buf. */
char *rl_remote_fmt_duration(double s, char *buf, size_t size);

#endif
