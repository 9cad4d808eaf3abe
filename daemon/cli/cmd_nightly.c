/* SPDX-License-Identifier: MIT */
/*
 * ringlab nightly -c FILE: the options, the configuration, then the night
 * (nightly/night.c) with this ringlab and ringlabd's address, and an exit
 * status for the timer that started it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client/args.h"
#include "client/conn.h"
#include "nightly/nightly.h"
#include "util/options.h"

enum { OPT_KEYS = 256, OPT_FLEET };

static const struct rl_opt nightly_opts[] = {
	{ "config", 'c', "FILE", "the nightly's configuration (JSON; see --keys)" },
	{ "keys", OPT_KEYS, NULL,
	  "print the configuration keys and those of a \"host\" variant manifest, as markdown" },
	{ "fleet", OPT_FLEET, NULL,
	  "submit every variant x suite to the fleet's daemons (a PostgreSQL store), as \"fleet\": true" },
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

struct nightly_args {
	const char *config;
	bool keys, fleet;
	struct rl_client_conn_args conn;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct nightly_args *a = ctx;

	if (rl_client_conn_opt(&a->conn, key, arg))
		return 0;
	switch (key) {
	case 'c': a->config = arg; return 0;
	case OPT_KEYS: a->keys = true; return 0;
	case OPT_FLEET: a->fleet = true; return 0;
	}
	return -EINVAL;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "ringlab nightly: %s\n", msg);
	return RL_EXIT_USAGE;
}

static void print_keys(void)
{
	printf("Configuration (ringlab nightly -c FILE):\n\n");
	rl_nightly_config_markdown(stdout);
	printf("\nA \"host\" variant manifest (kernel_patches_dir/variants/NAME.json):\n\n");
	rl_nightly_host_markdown(stdout);
}

/*
 * Where ringlabd is: --url and the token options first, then the
 * configuration's url and token_file. Returns 0 or -errno with @err set.
 */
static int daemon_target(const struct nightly_args *a, const struct rl_nightly_cfg *cfg,
			 struct rl_client_target *t, struct rl_err *err)
{
	struct rl_client_conn_args conn = a->conn;

	if (!conn.url && cfg->url[0])
		conn.url = cfg->url;
	if (!conn.token && !conn.token_file && cfg->token_file[0])
		conn.token_file = cfg->token_file;
	return rl_client_target_from_args(t, &conn, err);
}

/* The night, once the configuration is good. Returns the exit status. */
static int night(const struct rl_nightly_cfg *cfg, const struct nightly_args *a)
{
	struct rl_client_target t;
	struct rl_nightly_env env = { .t = &t, .progress = stderr, .out = stdout };
	enum rl_nightly_status status = RL_NIGHTLY_FAILED;
	struct rl_err err = { "" };
	char self[PATH_MAX];
	int ret;

	ret = daemon_target(a, cfg, &t, &err);
	if (!ret)
		ret = rl_self_exe(self, sizeof(self), &err);
	if (ret < 0)
		return usage_error(err.msg);
	env.self = self;
	ret = rl_nightly_night(cfg, &env, &status, &err);
	if (ret < 0)
		fprintf(stderr, "ringlab nightly: %s\n", err.msg);
	/*
	 * A fleet night asked of a daemon on SQLite: a configuration to fix,
	 * nothing ran; so is a daemon that cannot be reached (its url), as every
	 * command that asks ringlabd says it.
	 */
	if (ret == -EOPNOTSUPP || rl_client_unreachable(ret))
		return RL_EXIT_USAGE;
	return ret < 0 || status != RL_NIGHTLY_OK ? RL_EXIT_FAIL : RL_EXIT_OK;
}

int rl_cmd_nightly(int argc, char **argv)
{
	struct nightly_args a = { 0 };
	struct rl_nightly_cfg *cfg;
	struct rl_err err = { "" };
	int help, first, ret;

	first = rl_opts_parse(nightly_opts, argc, argv, on_opt, &a, &help, &err);
	if (first < 0)
		return usage_error(err.msg);
	if (help) {
		rl_opts_help(stdout, "ringlab nightly -c FILE [OPTIONS]",
			     "Run every suite on every kernel variant (a VM through\n"
			     "kernel-patches/vm-run.sh, or this machine's kernel for a \"host\"\n"
			     "variant), import each run into ringlabd labelled PREFIX-YYYYMMDD-HHMM\n"
			     "with the variant as kernel tag, compare each variant with the base\n"
			     "(a series family's versions with FAMILY:base and with the version\n"
			     "before them, in a versions x cells matrix per suite),\n"
			     "store the night's report in ringlabd and print it. A variant whose run\n"
			     "fails is reported as failed and the night goes on. With --fleet the\n"
			     "lab's daemons run them (ringlabd on PostgreSQL), each suite on one\n"
			     "machine. Exit status: 0\n"
			     "nothing regressed, changed an EAGAIN rate, was corrupt or failed; 1\n"
			     "otherwise; 2 bad configuration or a ringlabd that cannot be reached.",
			     nightly_opts);
		return RL_EXIT_OK;
	}
	if (a.keys) {
		print_keys();
		return RL_EXIT_OK;
	}
	if (first != argc)
		return usage_error("takes no operands (see 'ringlab nightly --help')");
	if (!a.config)
		return usage_error("give the configuration with -c FILE (see 'ringlab nightly --keys')");
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return usage_error("out of memory");
	ret = rl_nightly_config_load(a.config, cfg, &err);
	cfg->fleet = cfg->fleet || a.fleet;
	if (!ret && cfg->fleet)
		ret = rl_nightly_fleet_check(cfg, &err);
	ret = ret < 0 ? usage_error(err.msg) : night(cfg, &a);
	free(cfg);
	return ret;
}
