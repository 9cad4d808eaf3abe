/* SPDX-License-Identifier: MIT */
/* Launching kernel-patches/vm-run.sh: its command line, built once for `ringlab vm run` and the nightly. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nightly.h"

#define VM_RUN_ARGC_MAX 16

int rl_self_exe(char *buf, size_t size, struct rl_err *err)
{
	ssize_t len = readlink("/proc/self/exe", buf, size - 1);

	if (len < 0)
		return rl_err_set(err, -errno, "/proc/self/exe: %s", strerror(errno));
	buf[len] = '\0';
	return 0;
}

/*
 * Into *@out the first of @r->ringlab, $RINGLAB_BIN, $RINGLAB_STATIC that is
 * set, else this program (in @self). Returns 0 or rl_self_exe()'s error.
 */
static int guest_ringlab(const struct rl_vm_run *r, char *self, size_t size, const char **out,
			 struct rl_err *err)
{
	const char *given[] = { r->ringlab, getenv("RINGLAB_BIN"), getenv("RINGLAB_STATIC") };

	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++) {
		if (given[i] && given[i][0]) {
			*out = given[i];
			return 0;
		}
	}
	*out = self;
	return rl_self_exe(self, size, err);
}

int rl_vm_run(const struct rl_vm_run *r, struct rl_nightly_exec *x, struct rl_err *err)
{
	char def_kp[RL_NIGHTLY_PATH_MAX], script[RL_NIGHTLY_PATH_MAX + 16], timeout[16];
	char self[PATH_MAX];
	const char *argv[VM_RUN_ARGC_MAX], *kp = r->kernel_patches_dir, *ringlab;
	int n = 0, ret;

	if (!kp) {
		rl_kernel_patches_dir(def_kp, sizeof(def_kp));
		kp = def_kp;
	}
	if ((size_t)snprintf(script, sizeof(script), "%s/vm-run.sh", kp) >= sizeof(script)) {
		x->exec_failed = true;
		return rl_err_set(err, -ENAMETOOLONG, "%s/vm-run.sh: path too long", kp);
	}
	ret = guest_ringlab(r, self, sizeof(self), &ringlab, err);
	if (ret < 0)
		return ret;
	argv[n++] = script;
	argv[n++] = r->variant;
	argv[n++] = r->suite;
	argv[n++] = r->out;
	argv[n++] = "--ringlab";
	argv[n++] = ringlab;
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
