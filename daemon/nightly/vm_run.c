/* SPDX-License-Identifier: MIT */
/* Launching kernel-patches/vm-run.sh: its command line, built once for `ringlab vm run` and the nightly. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nightly.h"
#include "engine/suite.h"
#include "engine/workload_path.h"

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

/*
 * Whether suite @what (resolved on the workload search path, as the guest's
 * ringlab gets the same workloads) attributes EAGAIN causes in any of its
 * cells, into *@traced. Returns 0 or rl_suite_resolve()'s error.
 */
static int suite_traced(const char *what, bool *traced, struct rl_err *err)
{
	struct rl_workload_path wp;
	struct rl_suite s;
	int ret;

	*traced = false;
	ret = rl_suite_resolve(what, rl_workload_path(&wp, NULL), &s, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < s.nworkloads; i++)
		*traced |= s.workloads[i].trace_eagain == RL_TRACE_ON;
	rl_suite_free(&s);
	return 0;
}

/*
 * A traced cell flips static keys and adds return probes (text_poke_bp()),
 * and a multi-threaded TCG vCPU can run a stale translation of the patched
 * page and oops on its int3 (kernel-patches/README.md): single-thread TCG
 * cannot. Untraced suites keep their parallel vCPUs.
 */
static const char *tcg_thread(bool traced)
{
	const char *env = getenv("RINGLAB_VM_TCG_THREAD");

	if (traced)
		return "single";
	return env && env[0] ? env : "multi";
}

int rl_vm_cmd(const struct rl_vm_run *r, struct rl_vm_cmd *c, struct rl_err *err)
{
	char def_kp[RL_NIGHTLY_PATH_MAX];
	const char *kp = r->kernel_patches_dir, *ringlab;
	int n = 0, ret;

	if (!kp) {
		rl_kernel_patches_dir(def_kp, sizeof(def_kp));
		kp = def_kp;
	}
	if ((size_t)snprintf(c->script, sizeof(c->script), "%s/vm-run.sh", kp) >= sizeof(c->script))
		return rl_err_set(err, -ENAMETOOLONG, "%s/vm-run.sh: path too long", kp);
	ret = suite_traced(r->suite, &c->traced, err);
	if (!ret)
		ret = guest_ringlab(r, c->self, sizeof(c->self), &ringlab, err);
	if (ret < 0)
		return ret;
	c->tcg_thread = tcg_thread(c->traced);
	c->argv[n++] = c->script;
	c->argv[n++] = r->variant;
	c->argv[n++] = r->suite;
	c->argv[n++] = r->out;
	c->argv[n++] = "--ringlab";
	c->argv[n++] = ringlab;
	c->argv[n++] = "--tcg-thread";
	c->argv[n++] = c->tcg_thread;
	if (r->timeout_s) {
		snprintf(c->timeout, sizeof(c->timeout), "%u", r->timeout_s);
		c->argv[n++] = "--timeout";
		c->argv[n++] = c->timeout;
	}
	if (r->cache_dir && r->cache_dir[0]) {
		c->argv[n++] = "--cache";
		c->argv[n++] = r->cache_dir;
	}
	if (r->ringlab_args && r->ringlab_args[0]) {
		c->argv[n++] = "--ringlab-args";
		c->argv[n++] = r->ringlab_args;
	}
	c->argv[n] = NULL;
	return 0;
}

int rl_vm_run(const struct rl_vm_run *r, struct rl_vm_cmd *c, struct rl_nightly_exec *x,
	      struct rl_err *err)
{
	int ret = rl_vm_cmd(r, c, err);

	if (ret < 0) {
		x->exec_failed = true;
		return ret;
	}
	x->argv = c->argv;
	return rl_nightly_run(x, err);
}
