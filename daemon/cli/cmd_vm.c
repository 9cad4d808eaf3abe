/* SPDX-License-Identifier: MIT */
/*
 * ringlab vm run VARIANT SUITE: the suite inside a QEMU guest booting the
 * variant's kernel (kernel-patches/vm-run.sh does the booting, handed this
 * ringlab for the guest), the run's JSON written to --json and, with --url,
 * imported into ringlabd under the kernel tag the guest gave it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "schema/fields.h"
#include "client/args.h"
#include "client/conn.h"
#include "client/http.h"
#include "client/import.h"
#include "nightly/nightly.h"
#include "util/json.h"
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
	const char *json, *label, *cache, *ringlab_args, *kp;
	uint32_t timeout_s;	/* 0: vm-run.sh's default */
	struct rl_client_conn_args conn;
	bool import;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct vm_args *a = ctx;

	if (rl_client_conn_opt(&a->conn, key, arg)) {
		a->import = true;
		return 0;
	}
	switch (key) {
	case 'o': a->json = arg; return 0;
	case OPT_LABEL: a->label = arg; return 0;
	case OPT_TIMEOUT: return rl_opt_u32("timeout", arg, 10, 86400, &a->timeout_s, err);
	case OPT_CACHE: a->cache = arg; return 0;
	case OPT_ARGS: a->ringlab_args = arg; return 0;
	case OPT_KP: a->kp = arg; return 0;
	}
	return -EINVAL;
}

/*
 * The run in --json into ringlabd, under the kernel tag the guest gave it
 * (a family member given as path/fam.json:v3 is "fam:v3" there), or
 * @variant when it has none; the tag goes into @tag. Returns 0 or -errno
 * with @err set.
 */
static int import(const struct vm_args *a, const char *variant, char *tag, size_t tag_size,
		  int64_t *id, struct rl_err *err)
{
	struct rl_client_import_tags tags = { .label = a->label, .target = "vm" };
	struct rl_client_target t;
	cJSON *run;
	int ret;

	ret = rl_client_target_from_args(&t, &a->conn, err);
	if (!ret)
		ret = rl_json_load_file(a->json, &run, err);
	if (ret < 0)
		return ret;
	snprintf(tag, tag_size, "%s",
		 rl_json_str(cJSON_GetObjectItemCaseSensitive(run, "env"), "kernel_tag", ""));
	if (!tag[0])
		snprintf(tag, tag_size, "%s", variant);
	tags.kernel_tag = tag;
	return rl_client_import_run(&t, run, &tags, id, err);
}

int rl_cmd_vm(int argc, char **argv)
{
	struct vm_args a = { 0 };
	struct rl_vm_run vm;
	struct rl_vm_cmd cmd;
	/*
	 * No log and no timeout of ours: the guest's progress is the user's to
	 * see, and vm-run.sh's --timeout already bounds the guest.
	 */
	struct rl_nightly_exec x = { 0 };
	struct rl_err err = { "" };
	char tag[RL_NIGHTLY_VARIANT_NAME_MAX];
	int help, first, ret;
	int64_t id;

	first = rl_opts_parse(vm_opts, argc, argv, on_opt, &a, &help, &err);
	if (help) {
		rl_opts_help(stdout, "ringlab vm run VARIANT SUITE|WORKLOAD --json FILE [OPTIONS]",
			     "Run a suite in a QEMU guest booting VARIANT's kernel (a name under\n"
			     "kernel-patches/variants, a manifest path, or FAMILY:VERSION); the guest\n"
			     "gets this ringlab ($RINGLAB_BIN or $RINGLAB_STATIC when set). With --url,\n"
			     "import the run into ringlabd under the guest's kernel tag (the variant's\n"
			     "name, FAMILY:VERSION for a family member). Exit 1 when the guest run failed\n"
			     "(an error, a hang, an oops or WARNING on its console), 2 for bad usage or\n"
			     "(the run done) a ringlabd that cannot be reached.", vm_opts);
		return RL_EXIT_OK;
	}
	if (first < 0 || argc - first != 3 || strcmp(argv[first], "run") || !a.json) {
		fprintf(stderr, "ringlab vm: %s\n", first < 0 ? err.msg :
			"usage: ringlab vm run VARIANT SUITE --json FILE (see --help)");
		return RL_EXIT_USAGE;
	}
	vm = (struct rl_vm_run){
		.kernel_patches_dir = a.kp, .variant = argv[first + 1], .suite = argv[first + 2],
		.out = a.json, .timeout_s = a.timeout_s, .cache_dir = a.cache,
		.ringlab_args = a.ringlab_args,
	};
	/* A Ctrl-C stops vm-run.sh's process group, QEMU with it, before we leave. */
	rl_nightly_signals();
	ret = rl_vm_run(&vm, &cmd, &x, &err);
	if (ret < 0) {
		fprintf(stderr, "ringlab vm: %s\n", err.msg);
		return x.exec_failed ? RL_EXIT_USAGE : RL_EXIT_FAIL;
	}
	/* vm-run.sh's 2: bad usage, or no kernel to boot. */
	if (x.exit_status == 2)
		return RL_EXIT_USAGE;
	/* A run that came back is evidence even when it failed: import it too. */
	if (a.import && !x.interrupted && access(a.json, R_OK) == 0) {
		ret = import(&a, vm.variant, tag, sizeof(tag), &id, &err);
		if (ret < 0) {
			fprintf(stderr, "ringlab vm: import: %s\n", err.msg);
			/* A guest run that failed outranks the daemon that could not be reached. */
			return rl_client_unreachable(ret) && !x.exit_status ? RL_EXIT_USAGE :
			       RL_EXIT_FAIL;
		}
		printf("imported as run %" PRId64 " (kernel tag %s)\n", id, tag);
	}
	return x.exit_status ? RL_EXIT_FAIL : RL_EXIT_OK;
}
