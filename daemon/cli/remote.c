/* SPDX-License-Identifier: MIT */
/* The commands that ask ringlabd: one command-line parser, one way to fail, the API's JSON as text. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/args.h"
#include "client/conn.h"
#include "client/http.h"
#include "remote.h"

const struct rl_opt rl_remote_conn_opts[] = {
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

/* --- the command line ------------------------------------------------------- */

struct parse {
	const struct rl_remote_cmd *cmd;
	struct rl_client_conn_args conn;
	void *opts;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct parse *p = ctx;

	if (rl_client_conn_opt(&p->conn, key, arg))
		return 0;
	return p->cmd->on_opt ? p->cmd->on_opt(p->opts, key, arg, err) : -EINVAL;
}

int rl_remote_usage_error(const struct rl_remote_cmd *cmd, const char *msg)
{
	fprintf(stderr, "ringlab %s: %s\n", cmd->name, msg);
	return RL_EXIT_USAGE;
}

int rl_remote_run_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (!strncmp(s, "run:", 4))
		s += 4;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 1)
		return -EINVAL;
	*id = v;
	return 0;
}

/* What a command line with the wrong number of operands lacks, into @buf. */
static const char *operand_wanted(const struct rl_remote_cmd *cmd, char *buf, size_t len)
{
	switch (cmd->operand) {
	case RL_REMOTE_RUN_ID:
		return "give one run id";
	case RL_REMOTE_NAME:
		/* Its usage line names the operand: "ringlab submit SUITE|WORKLOAD [OPTIONS]". */
		snprintf(buf, len, "usage: %s", cmd->usage);
		return buf;
	default:
		return "takes no arguments";
	}
}

int rl_remote_main(const struct rl_remote_cmd *cmd, void *opts, int argc, char **argv)
{
	struct parse p = { .cmd = cmd, .opts = opts };
	struct rl_remote r = { .cmd = cmd, .opts = opts };
	int noperands = cmd->operand != RL_REMOTE_NO_OPERAND;
	struct rl_err err = { "" };
	char want[160];
	int help, first;

	first = rl_opts_parse(cmd->opts, argc, argv, on_opt, &p, &help, &err);
	if (first < 0)
		return rl_remote_usage_error(cmd, err.msg);
	if (help) {
		rl_opts_help(stdout, cmd->usage, cmd->summary, cmd->opts);
		return RL_EXIT_OK;
	}
	if (argc - first != noperands) {
		rl_err_set(&err, -EINVAL, "%s (see 'ringlab %s --help')",
			   operand_wanted(cmd, want, sizeof(want)), cmd->name);
		return rl_remote_usage_error(cmd, err.msg);
	}
	if (rl_client_target_from_args(&r.t, &p.conn, &err) < 0)
		return rl_remote_usage_error(cmd, err.msg);
	r.operand = noperands ? argv[first] : NULL;
	if (cmd->operand == RL_REMOTE_RUN_ID && rl_remote_run_id(r.operand, &r.id) < 0)
		return rl_remote_usage_error(cmd, "the run id must be a positive number");
	return cmd->run(&r);
}

/* --- requests ------------------------------------------------------------------ */

int rl_remote_failed(const struct rl_remote_cmd *cmd, int ret, const struct rl_err *err)
{
	fprintf(stderr, "ringlab %s: %s%s\n", cmd->name, err->msg,
		ret == -EACCES ? " (give --token or --token-file, or set RINGLAB_TOKEN)" : "");
	if (rl_client_unreachable(ret))
		return RL_EXIT_USAGE;
	switch (ret) {
	case -EINVAL: case -ENOENT: case -EACCES: case -EPERM: case -EOPNOTSUPP: case -E2BIG:
		return RL_EXIT_USAGE;
	}
	return RL_EXIT_FAIL;
}

int rl_remote_get_run(const struct rl_client_target *t, int64_t id, cJSON **out,
		      struct rl_err *err)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/runs/%" PRId64, id);
	return rl_client_get_json(t, path, out, err);
}

/* --- the API's JSON as text ------------------------------------------------------ */

char *rl_remote_fmt_count(const cJSON *o, const char *key, char *buf, size_t size)
{
	double v;

	if (rl_json_get_num(o, key, &v))
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "-");
	return buf;
}

char *rl_remote_fmt_duration(double s, char *buf, size_t size)
{
	long t = (long)(s + 0.5);

	if (s < 60)
		snprintf(buf, size, "%.1fs", s);
	else if (t < 3600)
		snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, size, "%ldh%02ldm", t / 3600, t % 3600 / 60);
	return buf;
}
