/* SPDX-License-Identifier: MIT */
/*
 * Runs that ask for a kernel: this daemon boots it in a QEMU guest through
 * `ringlab vm run` (which launches kernel-patches/vm-run.sh; ringlabd may
 * not include nightly/, so it runs the command rather than link it), then
 * stores the run the guest sent back in the run's own row, through the
 * same hooks a run on a target writes with. The guest's files live in
 * state_dir/guest/ID.*, kept when the run fails, removed when it is done.
 */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "engine/env.h"
#include "engine/result_json.h"
#include "log.h"
#include "util/clock.h"
#include "util/json.h"

#define GUEST_ARGC_MAX 24
#define GUEST_ENV_EXTRA 3	/* RINGLAB_WORKLOADS, RINGLAB_STATIC, the NULL */
#define POLL_MS 200
#define KILL_AFTER_NS (10ull * 1000000000)	/* SIGTERM, then SIGKILL this long after */
#define TAIL_BYTES 2048

extern char **environ;

bool rl_daemon_boots(const struct rl_daemon *d, const char *kernel)
{
	for (uint32_t i = 0; i < d->cfg.vm.nkernels; i++)
		if (!strcmp(d->cfg.vm.kernels[i], kernel))
			return true;
	return false;
}

/* kernel_patches_dir/variants/NAME.json, or families/FAMILY.json for FAMILY:VERSION. */
static int check_kernel(const struct rl_vm_cfg *v, const char *name, struct rl_err *err)
{
	const char *colon = strchr(name, ':');
	char path[RL_PATH_MAX * 2];

	if (colon)
		snprintf(path, sizeof(path), "%s/families/%.*s.json", v->kernel_patches_dir,
			 (int)(colon - name), name);
	else
		snprintf(path, sizeof(path), "%s/variants/%s.json", v->kernel_patches_dir, name);
	if (access(path, R_OK) < 0)
		return rl_err_set(err, -errno, "key vm.kernels: %s: %s", path, strerror(errno));
	return 0;
}

int rl_daemon_guest_init(struct rl_daemon *d, struct rl_err *err)
{
	const struct rl_vm_cfg *v = &d->cfg.vm;
	char self[PATH_MAX], script[RL_PATH_MAX + 16];
	ssize_t n;
	int ret;

	for (uint32_t i = 0; i < v->nkernels; i++)
		d->fleet.kernels[i] = v->kernels[i];
	if (!v->nkernels)
		return 0;
	snprintf(script, sizeof(script), "%s/vm-run.sh", v->kernel_patches_dir);
	if (access(script, X_OK) < 0)
		return rl_err_set(err, -errno, "key vm.kernel_patches_dir: %s: %s", script,
				  strerror(errno));
	for (uint32_t i = 0; i < v->nkernels; i++) {
		ret = check_kernel(v, v->kernels[i], err);
		if (ret < 0)
			return ret;
	}
	if (v->ringlab[0]) {
		snprintf(d->vm_ringlab, sizeof(d->vm_ringlab), "%s", v->ringlab);
	} else {
		/* Installed side by side, and so they are in the build tree. */
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return rl_err_set(err, -errno, "/proc/self/exe: %s", strerror(errno));
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		if ((size_t)snprintf(d->vm_ringlab, sizeof(d->vm_ringlab), "%s/ringlab", self) >=
		    sizeof(d->vm_ringlab))
			return rl_err_set(err, -ENAMETOOLONG, "%s/ringlab: path too long", self);
	}
	if (access(d->vm_ringlab, X_OK) < 0)
		return rl_err_set(err, -errno, "key vm.ringlab: %s: %s", d->vm_ringlab,
				  strerror(errno));
	return 0;
}

/* ---- the command ------------------------------------------------------------ */

struct guest_files {
	char dir[RL_PATH_MAX + 8];
	char json[RL_PATH_MAX + 64], log[RL_PATH_MAX + 64], console[RL_PATH_MAX + 64];
};

static int guest_files(struct rl_daemon *d, int64_t id, struct guest_files *f, struct rl_err *err)
{
	snprintf(f->dir, sizeof(f->dir), "%s/guest", d->cfg.state_dir);
	if (mkdir(f->dir, 0750) < 0 && errno != EEXIST)
		return rl_err_set(err, -errno, "%s: %s", f->dir, strerror(errno));
	snprintf(f->json, sizeof(f->json), "%s/%lld.json", f->dir, (long long)id);
	snprintf(f->log, sizeof(f->log), "%s/%lld.log", f->dir, (long long)id);
	snprintf(f->console, sizeof(f->console), "%s/%lld.console.log", f->dir, (long long)id);
	unlink(f->json);	/* a run taken again starts from nothing */
	unlink(f->console);
	return 0;
}

/* The request's overrides as `ringlab run` options for the guest. */
static void guest_args(const struct rl_submit *req, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "--scale %.17g", req->scale);

	if (req->repeat && n < size)
		n += (size_t)snprintf(buf + n, size - n, " --repeat %u", req->repeat);
	for (uint32_t i = 0; i < req->njobs && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%u", i ? "," : " --jobs ", req->jobs[i]);
}

/* Our environment with the guest's workloads and ringlab set. Returns NULL when out of memory. */
static char **guest_env(struct rl_daemon *d, char *workloads, size_t wsize, char *guest,
			size_t gsize)
{
	size_t n = 0, k = 0;
	char **env;

	rl_daemon_cfg_rdlock(d);
	snprintf(workloads, wsize, "RINGLAB_WORKLOADS=%s", d->cfg.workloads_dir);
	rl_daemon_cfg_unlock(d);
	snprintf(guest, gsize, "RINGLAB_STATIC=%s", d->cfg.vm.guest_ringlab);
	while (environ[n])
		n++;
	env = calloc(n + GUEST_ENV_EXTRA, sizeof(*env));
	for (size_t i = 0; env && i < n; i++)
		if (strncmp(environ[i], "RINGLAB_WORKLOADS=", 18) &&
		    (!d->cfg.vm.guest_ringlab[0] || (strncmp(environ[i], "RINGLAB_STATIC=", 15) &&
						     strncmp(environ[i], "RINGLAB_BIN=", 12))))
			env[k++] = environ[i];
	if (env) {
		env[k++] = workloads;
		if (d->cfg.vm.guest_ringlab[0])
			env[k++] = guest;
	}
	return env;
}

/* In its own process group, so that a stop reaches vm-run.sh and QEMU under it too. */
static int spawn(const char *const *argv, char **env, const char *log, pid_t *pid,
		 struct rl_err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	int ret;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawnattr_init(&at);
	/* ringlabd's threads block SIGTERM and ignore SIGPIPE: the child must not. */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	ret = posix_spawn(pid, argv[0], &fa, &at, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return ret ? rl_err_set(err, -ret, "%s: %s", argv[0], strerror(ret)) : 0;
}

/*
 * Wait for the child, stopping its group (SIGTERM, later SIGKILL) when the
 * run is cancelled, the daemon stops or @limit_ns passes. Returns its wait
 * status; @why says what stopped it ("" when it ended by itself).
 */
static int reap(struct rl_daemon_target *dt, pid_t pid, uint64_t limit_ns, char *why, size_t len)
{
	struct timespec tick = { 0, POLL_MS * 1000000L };
	uint64_t start = rl_now_ns(), term_at = 0;
	int status = 0;

	why[0] = '\0';
	while (waitpid(pid, &status, WNOHANG) != pid) {
		uint64_t now = rl_now_ns();

		if (!term_at && (atomic_load(&dt->cancel) || now - start > limit_ns)) {
			snprintf(why, len, "%s", atomic_load(&dt->cancel) ? "cancelled" : "timed out");
			kill(-pid, SIGTERM);
			term_at = now;
		} else if (term_at && now - term_at > KILL_AFTER_NS) {
			kill(-pid, SIGKILL);
		}
		nanosleep(&tick, NULL);
	}
	return status;
}

/* The last non-empty line of file @path into @buf ("" when none). */
static void log_last_line(const char *path, char *buf, size_t len)
{
	char tail[TAIL_BYTES + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t size = fd < 0 ? 0 : lseek(fd, 0, SEEK_END);
	ssize_t n = 0;
	char *end, *line;

	if (size > 0)
		n = pread(fd, tail, TAIL_BYTES, size > TAIL_BYTES ? size - TAIL_BYTES : 0);
	if (fd >= 0)
		close(fd);
	tail[n > 0 ? n : 0] = '\0';
	for (end = tail + strlen(tail); end > tail && strchr("\n\r \t", end[-1]); end--)
		*(end - 1) = '\0';
	line = strrchr(tail, '\n');
	snprintf(buf, len, "%s", line ? line + 1 : tail);
}

/* ---- the run ------------------------------------------------------------------ */

/* A guest run that went well leaves nothing behind. Returns 0. */
static int done_files(const struct guest_files *f, const struct rl_run *run)
{
	if (run->status == RL_RUN_DONE) {
		unlink(f->json);
		unlink(f->log);
		unlink(f->console);
	}
	return 0;
}

/*
 * The guest's run from @path into @run, tagged as the request asks, and
 * started at @begun_ns, when this daemon began the guest: the guest's own
 * start is on its clock and leaves out the boot. Returns 0 or -errno.
 */
static int load_run(const char *path, const struct rl_submit *req, int64_t begun_ns,
		    struct rl_run *run, struct rl_err *err)
{
	cJSON *j = NULL;
	int ret = rl_json_load_file(path, &j, err);

	if (!ret)
		ret = rl_run_from_json(j, run, err);
	cJSON_Delete(j);
	if (ret < 0)
		return rl_err_prefix(err, ret, "the guest's run %s", path);
	snprintf(run->env.label, sizeof(run->env.label), "%s", req->label);
	snprintf(run->env.kernel_tag, sizeof(run->env.kernel_tag), "%s", req->kernel_tag);
	rl_env_derive(&run->env);
	run->started_ns = begun_ns;
	return 0;
}

/* Store the guest's run in row @id through @h, as a run on a target stores itself. */
static void store_run(const struct rl_run_hooks *h, const struct rl_run *run)
{
	h->started(h->ctx, run);
	for (size_t i = 0; i < run->ncells; i++)
		h->cell_done(h->ctx, run, &run->cells[i]);
}

/*
 * How the guest begun at @begun_ns ended (wait status @status, or stopped
 * for @why): its run stored when one came back, and the run failed, with
 * the reason, unless `ringlab vm run` exited 0. Returns 0 or -errno with
 * @err set.
 */
static int guest_end(const struct rl_daemon *d, const struct rl_submit *req,
		     const struct guest_files *f, int64_t begun_ns, int status, const char *why,
		     const struct rl_run_hooks *h, struct rl_run *run, struct rl_err *err)
{
	const struct rl_vm_cfg *v = &d->cfg.vm;
	char line[240];
	int ret;

	if (!strcmp(why, "cancelled"))
		return rl_err_set(err, -ECANCELED, "cancelled while the guest ran");
	/* A run that came back is evidence even when the guest failed: it is stored. */
	if (!why[0] && access(f->json, R_OK) == 0) {
		ret = load_run(f->json, req, begun_ns, run, err);
		if (!ret)
			store_run(h, run);
		if (ret < 0 || (WIFEXITED(status) && !WEXITSTATUS(status)))
			return ret < 0 ? ret : done_files(f, run);
	}
	/* vm-run.sh's last line says why: no kernel, a hang, an oops on the console. */
	log_last_line(f->log, line, sizeof(line));
	if (why[0])
		return rl_err_set(err, -EIO, "kernel %s on %s: %s after %u s (see %s)", req->kernel,
				  d->fleet.host, why, v->timeout_s + v->kernel_timeout_s, f->log);
	return rl_err_set(err, -EIO, "kernel %s on %s: ringlab vm run exited %d: %s (see %s)",
			  req->kernel, d->fleet.host,
			  WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
			  line[0] ? line : "no run came back", f->log);
}

/* What the guest's command line is made of, kept alive while it runs. */
struct guest_cmd {
	struct guest_files f;
	char args[256], timeout[16];
	const char *argv[GUEST_ARGC_MAX];
};

/* `ringlab vm run KERNEL SUITE --json F ...` for @req into @c. */
static void guest_argv(const struct rl_daemon *d, const struct rl_submit *req,
		       struct guest_cmd *c)
{
	const struct rl_vm_cfg *v = &d->cfg.vm;
	const char *fixed[] = { d->vm_ringlab, "vm", "run", req->kernel, req->what,
				"--json", c->f.json, "--kernel-patches", v->kernel_patches_dir,
				"--timeout", c->timeout, "--ringlab-args", c->args };
	int n = 0;

	guest_args(req, c->args, sizeof(c->args));
	snprintf(c->timeout, sizeof(c->timeout), "%u", v->timeout_s);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		c->argv[n++] = fixed[i];
	if (v->cache_dir[0]) {
		c->argv[n++] = "--cache";
		c->argv[n++] = v->cache_dir;
	}
	c->argv[n] = NULL;
}

int rl_daemon_guest_run(struct rl_daemon_target *dt, int64_t id, const struct rl_submit *req,
			const struct rl_run_hooks *h, struct rl_run *run, struct rl_err *err)
{
	struct rl_daemon *d = dt->d;
	const struct rl_vm_cfg *v = &d->cfg.vm;
	char wl[RL_PATH_MAX + 32], guest[RL_PATH_MAX + 32], why[32];
	struct guest_cmd c;
	struct guest_files *f = &c.f;
	char **env;
	int64_t begun_ns;
	int ret, status;
	pid_t pid;

	ret = guest_files(d, id, f, err);
	if (ret < 0)
		return ret;
	guest_argv(d, req, &c);
	env = guest_env(d, wl, sizeof(wl), guest, sizeof(guest));
	if (!env)
		return rl_err_set(err, -ENOMEM, "out of memory");
	rl_log(LOG_INFO, "run %lld: booting kernel %s for %s (log %s)", (long long)id, req->kernel,
	       req->what, f->log);
	begun_ns = rl_wall_ns();
	ret = spawn(c.argv, env, f->log, &pid, err);
	free(env);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&dt->lock);
	snprintf(dt->live.phase, sizeof(dt->live.phase), "guest");
	pthread_mutex_unlock(&dt->lock);
	rl_daemon_bump(d);
	status = reap(dt, pid, ((uint64_t)v->timeout_s + v->kernel_timeout_s) * 1000000000ull,
		      why, sizeof(why));
	return guest_end(d, req, f, begun_ns, status, why, h, run, err);
}
