/* SPDX-License-Identifier: MIT */
/*
 * ringlab vm run VARIANT SUITE: the suite inside a QEMU guest booting the
 * variant's kernel (kernel-patches/vm-run.sh does the booting), the run's
 * JSON written to --json and, with --url, imported into ringlabd tagged
 * with the variant.
 */
#include <cJSON.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "schema/fields.h"
#include "client/http.h"
#include "nightly/nightly.h"
#include "util/options.h"

enum { OPT_LABEL = 256, OPT_TIMEOUT, OPT_CACHE, OPT_ARGS, OPT_KP };

static const struct rl_opt vm_opts[] = {
	{ "json", 'o', "FILE", "where the run's JSON goes (required); the console log goes beside it" },
	{ "label", OPT_LABEL, "TEXT", "label of the imported run" },
	{ "timeout", OPT_TIMEOUT, "S", "kill a guest still running after S seconds (default 600)" },
	{ "cache", OPT_CACHE, "DIR", "kernel cache (default vm-run.sh's)" },
	{ "ringlab-args", OPT_ARGS, "ARGS", "more `ringlab run` arguments for the guest, e.g. \"--repeat 3\"" },
	{ "kernel-patches", OPT_KP, "DIR", "directory with vm-run.sh and variants/" },
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

struct vm_args {
	const char *json, *label, *timeout, *cache, *ringlab_args, *kp;
	struct rl_client_conn_args conn;
	bool import;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct vm_args *a = ctx;
	uint32_t v;

	if (rl_client_conn_opt(&a->conn, key, arg)) {
		a->import = true;
		return 0;
	}
	switch (key) {
	case 'o': a->json = arg; return 0;
	case OPT_LABEL: a->label = arg; return 0;
	case OPT_TIMEOUT:
		a->timeout = arg;
		return rl_opt_u32("timeout", arg, 10, 86400, &v, err);
	case OPT_CACHE: a->cache = arg; return 0;
	case OPT_ARGS: a->ringlab_args = arg; return 0;
	case OPT_KP: a->kp = arg; return 0;
	}
	return -EINVAL;
}

/* vm-run.sh with our stdout and stderr: the guest's progress is the user's to see. */
static int run_vm(const struct vm_args *a, const char *variant, const char *suite)
{
	char script[RL_NIGHTLY_PATH_MAX + 16], kp[RL_NIGHTLY_PATH_MAX];
	const char *argv[16];
	int n = 0, status;
	pid_t pid;

	if (a->kp)
		snprintf(kp, sizeof(kp), "%s", a->kp);
	else
		rl_kernel_patches_dir(kp, sizeof(kp));
	snprintf(script, sizeof(script), "%s/vm-run.sh", kp);
	argv[n++] = script;
	argv[n++] = variant;
	argv[n++] = suite;
	argv[n++] = a->json;
	if (a->timeout) {
		argv[n++] = "--timeout";
		argv[n++] = a->timeout;
	}
	if (a->cache) {
		argv[n++] = "--cache";
		argv[n++] = a->cache;
	}
	if (a->ringlab_args) {
		argv[n++] = "--ringlab-args";
		argv[n++] = a->ringlab_args;
	}
	argv[n] = NULL;
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "ringlab vm: fork: %s\n", strerror(errno));
		return -1;
	}
	if (!pid) {
		execv(script, (char *const *)argv);
		fprintf(stderr, "ringlab vm: %s: %s\n", script, strerror(errno));
		_exit(2);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int import(const struct vm_args *a, const char *variant)
{
	struct rl_client_target t;
	struct rl_err err = { "" };
	cJSON *run = NULL, *body = NULL, *answer = NULL;
	int ret;

	ret = rl_client_target_from_args(&t, &a->conn, &err);
	if (!ret)
		ret = rl_json_load_file(a->json, &run, &err);
	if (ret < 0)
		goto out;
	body = cJSON_CreateObject();
	if (!body || !cJSON_AddStringToObject(body, "kernel_tag", variant) ||
	    !cJSON_AddStringToObject(body, "target", "vm") ||
	    (a->label && !cJSON_AddStringToObject(body, "label", a->label))) {
		ret = rl_err_set(&err, -ENOMEM, "out of memory");
		goto out;
	}
	cJSON_AddItemToObject(body, "run", run);
	run = NULL;
	ret = rl_client_post_json(&t, "/api/v1/runs/import", body, &answer, &err);
	if (!ret)
		printf("imported as run %.0f\n",
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(answer, "id")));
out:
	if (ret < 0)
		fprintf(stderr, "ringlab vm: import: %s\n", err.msg);
	cJSON_Delete(run);
	cJSON_Delete(body);
	cJSON_Delete(answer);
	return ret;
}

int rl_cmd_vm(int argc, char **argv)
{
	struct vm_args a = { 0 };
	struct rl_err err = { "" };
	int help, first, rc;

	first = rl_opts_parse(vm_opts, argc, argv, on_opt, &a, &help, &err);
	if (help) {
		rl_opts_help(stdout, "ringlab vm run VARIANT SUITE|WORKLOAD --json FILE [OPTIONS]",
			     "Run a suite in a QEMU guest booting VARIANT's kernel (a name under\n"
			     "kernel-patches/variants or a manifest path); with --url, import the\n"
			     "run into ringlabd tagged with the variant. Exit 1 when the guest run failed\n"
			     "(an error, a hang, an oops or WARNING on its console).", vm_opts);
		return RL_EXIT_OK;
	}
	if (first < 0 || argc - first != 3 || strcmp(argv[first], "run") || !a.json) {
		fprintf(stderr, "ringlab vm: %s\n", first < 0 ? err.msg :
			"usage: ringlab vm run VARIANT SUITE --json FILE (see --help)");
		return RL_EXIT_USAGE;
	}
	rc = run_vm(&a, argv[first + 1], argv[first + 2]);
	if (rc == 2 || rc < 0)
		return rc < 0 ? RL_EXIT_FAIL : RL_EXIT_USAGE;
	/* A run that came back is evidence even when it failed: import it too. */
	if (a.import && access(a.json, R_OK) == 0 && import(&a, argv[first + 1]) < 0)
		return RL_EXIT_FAIL;
	return rc ? RL_EXIT_FAIL : RL_EXIT_OK;
}
