/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cell.h"
#include "claim.h"
#include "env.h"
#include "trace_eagain.h"
#include "pattern.h"
#include "runner.h"
#include "target_check.h"
#include "util/clock.h"
#include "util/path.h"

#define MiB (1024.0 * 1024.0)

uint64_t rl_stripes_per_job(const struct rl_workload *w, double scale)
{
	uint64_t n = (uint64_t)((double)w->size_per_job * scale) / rl_workload_stripe_bytes(w);

	return n ? n : 1;
}

static int check_target(const struct rl_run_opts *o, const struct rl_env *env, struct rl_err *err)
{
	struct statvfs sv;

	if (o->engine == &rl_engine_null && !o->dir)
		return 0;
	if (!o->dir)
		return rl_err_set(err, -EINVAL, "the %s engine needs a target directory (--dir)",
				  o->engine->name);
	/* As ringlabd refuses such a target at its start (env->dir is the canonical path). */
	if (o->engine != &rl_engine_null && !strcmp(env->dir, "/"))
		return rl_err_set(err, -EPERM,
				  "target %s: is the root directory: give ringlab a directory of its own on a scratch filesystem",
				  o->dir);
	if (o->engine != &rl_engine_null && rl_path_system_dir(env->dir))
		return rl_err_set(err, -EPERM,
				  "target %s: is in %s, a system directory: give ringlab a directory of its own on a scratch filesystem",
				  o->dir, rl_path_system_dir(env->dir));
	if (o->engine != &rl_engine_null && strcmp(env->fs_type, "ext4"))
		return rl_err_set(err, -EINVAL,
				  "target %s: filesystem is %s, not ext4: ringlab lays out and checks ext4 extents",
				  o->dir, env->fs_type[0] ? env->fs_type : "unknown");
	if (statvfs(o->dir, &sv) < 0)
		return rl_err_set(err, -errno, "target %s: %s", o->dir, strerror(errno));
	if ((sv.f_flag & ST_RDONLY) || access(o->dir, W_OK) < 0)
		return rl_err_set(err, -EROFS, "target %s: not writable (%s)", o->dir,
				  (sv.f_flag & ST_RDONLY) ? "read-only filesystem" : strerror(errno));
	return 0;
}

/*
 * Blocks of the file @w writes that an earlier run kept (--keep-files): the
 * layout replaces it, so they are as good as free.
 */
static uint64_t kept_bytes(const struct rl_workload *w, const struct rl_run_opts *o)
{
	char path[PATH_MAX];
	struct stat st;

	rl_workload_file_path(path, sizeof(path), o->dir, w->name);
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	return (uint64_t)st.st_blocks * 512;
}

static int check_workload(const struct rl_workload *w, const struct rl_run_opts *o,
			  const struct rl_env *env, double scale, struct rl_err *err)
{
	uint64_t spj = rl_stripes_per_job(w, scale), need, avail;
	struct statvfs sv;

	if (o->engine == &rl_engine_null)
		return 0;
	if (w->block_size != env->fs_block_size)
		return rl_err_set(err, -EINVAL,
				  "workload %s: block_size %u does not match the block size %u of %s",
				  w->name, w->block_size, env->fs_block_size, o->dir);
	if (w->direct && env->logical_block_size &&
	    (w->io_offset % env->logical_block_size || w->io_size % env->logical_block_size))
		return rl_err_set(err, -EINVAL,
				  "workload %s: io_offset %u and io_size %u must be multiples of the device's logical block size %u for O_DIRECT",
				  w->name, w->io_offset, w->io_size, env->logical_block_size);
	if (w->cache == RL_CACHE_COLD && geteuid() != 0)
		return rl_err_set(err, -EPERM, "workload %s: cache cold drops the kernel's caches and needs root",
				  w->name);
	need = spj * rl_workload_stripe_bytes(w) *
	       (w->sharing == RL_SHARE_REGIONS ? rl_workload_max_jobs(w) : 1);
	if (statvfs(o->dir, &sv) < 0)
		return 0;
	avail = (uint64_t)sv.f_bavail * sv.f_frsize + kept_bytes(w, o);
	if (need > avail)
		return rl_err_set(err, -ENOSPC,
				  "workload %s: filesystem full: needs %.1f MiB at JOBS=%u, %s has %.1f MiB free (lower --scale)",
				  w->name, (double)need / MiB, rl_workload_max_jobs(w), o->dir,
				  (double)avail / MiB);
	return 0;
}

void rl_workload_file_path(char *buf, size_t len, const char *dir, const char *name)
{
	size_t n = (size_t)snprintf(buf, len, "%s/ringlab-", dir);

	for (const char *c = name; *c && n + 5 < len; c++)
		buf[n++] = (char)((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				  (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' ? *c : '_');
	snprintf(buf + n, len - n, ".dat");
}

static uint16_t **alloc_gens(uint32_t jobs, uint64_t spj)
{
	uint16_t **g = calloc(jobs, sizeof(*g));

	if (!g)
		return NULL;
	for (uint32_t j = 0; j < jobs; j++) {
		g[j] = calloc(spj, sizeof(uint16_t));
		if (!g[j]) {
			while (j--)
				free(g[j]);
			free(g);
			return NULL;
		}
	}
	return g;
}

static void free_gens(uint16_t **g, uint32_t jobs)
{
	if (!g)
		return;
	for (uint32_t j = 0; j < jobs; j++)
		free(g[j]);
	free(g);
}

static int run_jobs_value(struct rl_target_ctx *t, struct rl_cell_plan *p, struct rl_run *run,
			  struct rl_err *err)
{
	uint64_t next_gen = 1;
	int ret = 0;

	p->gens = alloc_gens(p->jobs, p->stripes_per_job);
	p->refused = alloc_gens(p->jobs, p->stripes_per_job);
	if (!p->gens || !p->refused) {
		free_gens(p->gens, p->jobs);
		free_gens(p->refused, p->jobs);
		p->gens = p->refused = NULL;
		return rl_err_set(err, -ENOMEM, "workload %s: out of memory", p->w->name);
	}
	for (p->rep = 1; p->rep <= p->w->repetitions && !ret; p->rep++, t->cell++) {
		struct rl_cell c;

		p->rebuild = p->rep == 1 || p->w->rebuild;
		if (p->rebuild)
			next_gen = 1;
		p->gen_base = (uint16_t)(1 + (next_gen - 1) % 65534);
		ret = rl_cell_run(t, p, &c, err);
		if (ret == 0 || ret == -ECANCELED || ret == -ESTALE) {
			if (rl_run_add_cell(run, &c) < 0)
				return rl_err_set(err, -ENOMEM, "out of memory");
			if (t->opts->hooks.cell_done)
				t->opts->hooks.cell_done(t->opts->hooks.ctx, run, &run->cells[run->ncells - 1]);
		}
		next_gen += p->passes ? p->passes : 1;
	}
	free_gens(p->gens, p->jobs);
	free_gens(p->refused, p->jobs);
	p->gens = p->refused = NULL;
	return ret;
}

static int run_workload(struct rl_target_ctx *t, const struct rl_workload *w, double scale,
			struct rl_run *run, struct rl_engine_info *used, struct rl_err *err)
{
	struct rl_cell_plan p = {
		.w = w,
		.key = rl_pattern_key(w->seed, w->name),
		.stripes_per_job = rl_stripes_per_job(w, scale),
		.stripe_bytes = rl_workload_stripe_bytes(w),
	};
	bool files = t->opts->engine != &rl_engine_null;
	int claim = -1, ret = 0;

	rl_workload_file_path(p.path, sizeof(p.path), t->opts->dir ? t->opts->dir : ".", w->name);
	if (files) {
		/* Claimed until the end, so a run killed meanwhile leaves it to the next sweep. */
		claim = rl_target_open_own(t->dir_fd, p.path, O_RDWR | O_CREAT, 0644, err);
		if (claim < 0)
			return claim;
		ret = t->dev ? rl_target_check(t->opts->dir, claim, t->dev, t->ino, err) : 0;
		if (ret) {
			/* Created on whatever lies under a target that went: not left there. */
			struct stat st;

			if (fstat(claim, &st) == 0 && st.st_dev != t->dev)
				rl_target_unlink(t->dir_fd, p.path);
			close(claim);
			return ret;
		}
		rl_claim_file(claim);
	}
	for (uint32_t i = 0; i < w->njobs && !ret; i++) {
		p.jobs = w->jobs[i];
		ret = run_jobs_value(t, &p, run, err);
	}
	used->setup_flags |= p.used.setup_flags;
	used->features |= p.used.features;
	used->write_fixed |= p.used.write_fixed;
	used->read_fixed |= p.used.read_fixed;
	used->write |= p.used.write;
	used->read |= p.used.read;
	/*
	 * A changed target's directory is somewhere else now: unlink nothing
	 * there. The file stays marked, so the next sweep where it is removes it.
	 */
	if (files && !t->opts->keep_files && ret != -ESTALE)
		rl_target_unlink(t->dir_fd, p.path);
	else if (files && t->opts->keep_files)
		rl_claim_release(claim);
	if (claim >= 0)
		close(claim);
	return ret;
}

/* Copy the suite's workloads into the run with the command line's overrides. */
static int plan_workloads(const struct rl_suite *s, const struct rl_run_opts *o,
			  struct rl_run *run, struct rl_err *err)
{
	run->workloads = calloc(s->nworkloads ? s->nworkloads : 1, sizeof(*run->workloads));
	if (!run->workloads)
		return rl_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < s->nworkloads; i++) {
		struct rl_workload *w = &run->workloads[i];
		int ret;

		*w = s->workloads[i];
		if (o->njobs) {
			memcpy(w->jobs, o->jobs, sizeof(w->jobs));
			w->njobs = o->njobs;
		}
		if (o->repeat)
			w->repetitions = o->repeat;
		ret = rl_workload_check(w, err);
		if (ret < 0)
			return rl_err_prefix(err, ret, "workload %s", w->name);
		run->nworkloads++;
	}
	return 0;
}

static bool any_traced(const struct rl_run *run)
{
	for (size_t i = 0; i < run->nworkloads; i++)
		if (run->workloads[i].trace_eagain && run->workloads[i].nowait)
			return true;
	return false;
}

static int probe_env(const struct rl_run_opts *o, struct rl_run *run, struct rl_target_ctx *t,
		     struct rl_err *err)
{
	struct rl_env *env = &run->env;
	struct rl_engine_info info;
	int ret;

	ret = rl_env_probe(o->dir ? o->dir : "/", env, &t->dev, t->sb, err);
	if (ret < 0)
		return ret;
	if (!o->dir) {
		/* No target: keep the machine, drop what "/" said about storage. */
		struct rl_env machine = *env;

		memset(env, 0, sizeof(*env));
		memcpy(env->kernel_release, machine.kernel_release, sizeof(env->kernel_release));
		memcpy(env->kernel_version, machine.kernel_version, sizeof(env->kernel_version));
		memcpy(env->cmdline, machine.cmdline, sizeof(env->cmdline));
		memcpy(env->hostname, machine.hostname, sizeof(env->hostname));
		memcpy(env->machine, machine.machine, sizeof(env->machine));
		memcpy(env->machine_id, machine.machine_id, sizeof(env->machine_id));
		memcpy(env->cpu_model, machine.cpu_model, sizeof(env->cpu_model));
		memcpy(env->ringlab_version, machine.ringlab_version, sizeof(env->ringlab_version));
		env->cpus = machine.cpus;
		t->dev = 0;
		t->sb[0] = '\0';
	}
	snprintf(env->label, sizeof(env->label), "%s", o->label ? o->label : "");
	snprintf(env->kernel_tag, sizeof(env->kernel_tag), "%s", o->kernel_tag ? o->kernel_tag : "");
	rl_env_derive(env);
	if (o->engine != &rl_engine_uring)
		return 0;
	ret = rl_uring_probe(&info);
	if (ret < 0)
		return rl_err_set(err, ret, "io_uring is not available: %s", strerror(-ret));
	rl_uring_feature_names(info.features, env->uring_features, sizeof(env->uring_features));
	/* Not being able to trace is recorded, not fatal: the cells say so too. */
	if (any_traced(run))
		rl_trace_eagain_probe(env->eagain_trace, sizeof(env->eagain_trace),
				      env->eagain_probes, sizeof(env->eagain_probes));
	return 0;
}

static int run_all(struct rl_target_ctx *t, struct rl_run *run, struct rl_err *err)
{
	struct rl_engine_info used = { 0 };
	int ret = 0;

	for (size_t i = 0; i < run->nworkloads; i++)
		t->ncells += (size_t)run->workloads[i].njobs * run->workloads[i].repetitions;
	for (size_t i = 0; i < run->nworkloads && !ret; i++)
		ret = run_workload(t, &run->workloads[i], run->scale, run, &used, err);
	run->env.uring_setup_flags = used.setup_flags;
	rl_uring_setup_names(used.setup_flags, run->env.uring_setup, sizeof(run->env.uring_setup));
	rl_engine_opcode_names(&used, run->env.uring_opcodes, sizeof(run->env.uring_opcodes));
	return ret;
}

/* Housekeeping: a directory the sweep cannot read fails nothing the run needs. */
static void sweep(const char *dir)
{
	struct rl_err ignored;

	rl_claim_sweep(dir, &ignored);
}

/*
 * The run's files are opened relative to its directory as it is now,
 * opened once: one swapped in under its name later gets none of them.
 * A daemon's target must still be the directory it opened (opts->ino).
 */
static int pin_dir(struct rl_target_ctx *t, struct rl_err *err)
{
	ino_t ino = t->opts->ino;
	int fd;

	if (!t->opts->dir || t->opts->engine == &rl_engine_null)
		return 0;
	fd = rl_target_pin(t->opts->dir, t->opts->dev ? t->opts->dev : t->dev, &ino, err);
	if (fd < 0)
		return fd;
	t->dir_fd = fd;
	t->ino = ino;
	return 0;
}

/* A failed cell fails the run, whose error says which cell and why. */
static void fail_on_cell(struct rl_run *run, const struct rl_cell *c)
{
	if (!c->failed)
		return;
	run->status = RL_RUN_FAILED;
	snprintf(run->error, sizeof(run->error), "%s JOBS=%u repetition %u: %.400s", c->workload,
		 c->jobs, c->rep, c->error[0] ? c->error : "failed");
}

int rl_run_suite(const struct rl_suite *suite, const struct rl_run_opts *opts,
		 struct rl_run *run, struct rl_err *err)
{
	struct rl_target_ctx t = { .opts = opts, .env = &run->env, .dir_fd = -1 };
	int ret;

	memset(run, 0, sizeof(*run));
	snprintf(run->suite, sizeof(run->suite), "%s", suite->name);
	run->scale = opts->scale > 0 ? opts->scale : suite->scale;
	run->status = RL_RUN_RUNNING;
	run->started_ns = rl_wall_ns();
	ret = plan_workloads(suite, opts, run, err);
	if (!ret)
		ret = probe_env(opts, run, &t, err);
	if (!ret && opts->dev && opts->dir)
		ret = rl_target_check(opts->dir, -1, opts->dev, opts->ino, err);
	if (!ret)
		ret = pin_dir(&t, err);
	if (!ret)
		ret = check_target(opts, &run->env, err);
	/* What a killed run left, before the free-space checks count it as used. */
	if (!ret && opts->engine != &rl_engine_null)
		sweep(opts->dir);
	for (size_t i = 0; i < run->nworkloads && !ret; i++)
		ret = check_workload(&run->workloads[i], opts, &run->env, run->scale, err);
	if (!ret && opts->hooks.started)
		opts->hooks.started(opts->hooks.ctx, run);
	if (!ret)
		ret = run_all(&t, run, err);
	run->finished_ns = rl_wall_ns();
	if (t.dir_fd >= 0)
		close(t.dir_fd);
	if (ret == -ECANCELED) {
		run->status = RL_RUN_ABORTED;
		snprintf(run->error, sizeof(run->error), "cancelled");
		rl_err_set(err, ret, "cancelled");
	} else if (ret < 0) {
		run->status = RL_RUN_FAILED;
		snprintf(run->error, sizeof(run->error), "%s", err->msg);
	} else {
		run->status = RL_RUN_DONE;
		for (size_t i = 0; i < run->ncells && run->status == RL_RUN_DONE; i++)
			fail_on_cell(run, &run->cells[i]);
	}
	return ret;
}
