/* SPDX-License-Identifier: MIT */
/* Launching kernel-patches/vm-run.sh: its command line, built once for `ringlab vm run` and the nightly. */
#include <stdio.h>

#include "nightly.h"

#define VM_RUN_ARGC_MAX 16

int rl_vm_run(const struct rl_vm_run *r, struct rl_nightly_exec *x, struct rl_err *err)
{
	char def_kp[RL_NIGHTLY_PATH_MAX], script[RL_NIGHTLY_PATH_MAX + 16], timeout[16];
	const char *argv[VM_RUN_ARGC_MAX], *kp = r->kernel_patches_dir;
	int n = 0;

	if (!kp) {
		rl_kernel_patches_dir(def_kp, sizeof(def_kp));
		kp = def_kp;
	}
	if ((size_t)snprintf(script, sizeof(script), "%s/vm-run.sh", kp) >= sizeof(script)) {
		x->exec_failed = true;
		return rl_err_set(err, -ENAMETOOLONG, "%s/vm-run.sh: path too long", kp);
	}
	argv[n++] = script;
	argv[n++] = r->variant;
	argv[n++] = r->suite;
	argv[n++] = r->out;
	if (r->timeout_s) {
		snprintf(timeout, sizeof(timeout), "%u", r->timeout_s);
		argv[n++] = "--timeout";
		argv[n++] = timeout;
	}
	if (r->cache_dir && r->cache_dir[0]) {
		argv[n++] = "--cache";
		argv[n++] = r->cache_dir;
	}
	if (r->ringlab_args && r->ringlab_args[0]) {
		argv[n++] = "--ringlab-args";
		argv[n++] = r->ringlab_args;
	}
	argv[n] = NULL;
	x->argv = argv;
	return rl_nightly_run(x, err);
}
