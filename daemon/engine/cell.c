/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aux_threads.h"
#include "cell.h"
#include "cell_causes.h"
#include "job.h"
#include "layout.h"
#include "precondition.h"
#include "result_json.h"
#include "sample.h"
#include "target_check.h"
#include "util/clock.h"
#include "verify.h"
#include "verify_found.h"

#define MONITOR_TICK_NS (50ull * 1000 * 1000)
#define PROGRESS_EVERY 5	/* monitor ticks between progress reports */

static bool null_engine(const struct rl_target_ctx *t)
{
	return t->opts->engine == &rl_engine_null;
}

static void report(struct rl_target_ctx *t, const struct rl_cell_plan *p, const char *phase,
		   double fraction, double iops)
{
	struct rl_progress pr = {
		.workload = p->w->name, .phase = phase, .jobs = p->jobs, .rep = p->rep,
		.reps = p->w->repetitions, .cell = t->cell, .ncells = t->ncells,
		.cell_fraction = fraction, .live_iops = iops,
	};

	if (!t->opts->hooks.progress)
		return;
	pr.run_fraction = ((double)t->cell + fraction) / (double)(t->ncells ? t->ncells : 1);
	t->opts->hooks.progress(t->opts->hooks.ctx, &pr);
}

static int set_timestamps(int fd, enum rl_timestamps ts, struct rl_err *err)
{
	struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_NOW } };

	if (ts == RL_TS_STALE) {
		/* An hour old: the first write of any tick must update mtime. */
		clock_gettime(CLOCK_REALTIME, &times[1]);
		times[1].tv_sec -= 3600;
	}
	if (futimens(fd, times) < 0)
		return rl_err_set(err, -errno, "timestamps %s: futimens: %s",
				  rl_timestamps_name(ts), strerror(errno));
	return 0;
}

/*
 * Open the workload's file by name, then make sure it is on the target's
 * filesystem: the target may have gone between the check at the start of
 * the cell and the open. A file created elsewhere is removed again.
 */
static int open_on_target(const struct rl_target_ctx *t, const struct rl_cell_plan *p, int flags,
			  struct rl_err *err)
{
	struct stat st;
	int fd = rl_target_open_own(t->dir_fd, p->path, flags, 0644, err), ret;

	if (fd < 0)
		return fd;
	ret = rl_target_check(t->opts->dir, fd, t->dev, t->ino, err);
	if (!ret)
		return fd;
	if ((flags & O_CREAT) && fstat(fd, &st) == 0 && st.st_dev != t->dev)
		rl_target_unlink(t->dir_fd, p->path);
	close(fd);
	return ret;
}

static int lay_out(struct rl_target_ctx *t, struct rl_cell_plan *p, struct rl_cell *c,
		   struct rl_err *err)
{
	uint64_t nstripes = p->w->sharing == RL_SHARE_REGIONS ?
			    p->stripes_per_job * p->jobs : p->stripes_per_job;
	uint64_t t0 = rl_now_ns();
	int fd, ret;

	report(t, p, "layout", 0, 0);
	fd = open_on_target(t, p, O_RDWR | O_CREAT, err);
	if (fd < 0)
		return fd;
	ret = rl_layout_build(fd, p->w, nstripes, p->key, t->opts->cancel, err);
	if (!ret)
		ret = rl_layout_check(fd, p->w, nstripes, &c->layout_extents, err);
	if (ret < 0)
		rl_err_prefix(err, ret, "%s", p->path);
	if (ret == -EILSEQ) {
		/* Not the layout asked for: this cell fails, the run goes on. */
		c->failed = true;
		snprintf(c->error, sizeof(c->error), "%.500s", err->msg);
		ret = 0;
	}
	close(fd);
	c->layout_s = (double)(rl_now_ns() - t0) / 1e9;
	for (uint32_t j = 0; j < p->jobs; j++) {
		memset(p->gens[j], 0, p->stripes_per_job * sizeof(uint16_t));
		if (p->refused)
			memset(p->refused[j], 0, p->stripes_per_job * sizeof(uint16_t));
	}
	return ret;
}

static int io_flags(const struct rl_cell_plan *p)
{
	return O_CLOEXEC | (p->w->op == RL_OP_WRITE ? O_RDWR : O_RDONLY) |
	       (p->w->direct ? O_DIRECT : 0);
}

static int open_io_fd(const struct rl_target_ctx *t, const struct rl_cell_plan *p,
		      struct rl_err *err)
{
	return open_on_target(t, p, io_flags(p), err);
}

static void init_job(struct rl_job *job, const struct rl_target_ctx *t,
		     const struct rl_cell_plan *p, struct rl_job_shared *shared, int fd, uint32_t j)
{
	const struct rl_workload *w = p->w;

	memset(job, 0, sizeof(*job));
	job->w = w;
	job->engine = t->opts->engine;
	job->shared = shared;
	job->fd = fd;
	job->index = j;
	job->key = p->key;
	job->nstripes = p->stripes_per_job;
	job->stripe_bytes = p->stripe_bytes;
	job->base_offset = w->io_offset;
	if (w->sharing == RL_SHARE_REGIONS)
		job->base_offset += (uint64_t)j * p->stripes_per_job * p->stripe_bytes;
	else
		job->base_offset += (uint64_t)j * w->io_size;
	job->queue_depth = w->queue_depth < job->nstripes ? w->queue_depth : (uint32_t)job->nstripes;
	job->gen_base = p->gen_base;
	job->gens = p->gens[j];
	job->refused = p->refused ? p->refused[j] : NULL;
}

struct monitor {
	uint64_t t0, last_t, last_done;
	uint64_t planned;
	uint32_t ticks;
};

static uint64_t sum_done(const struct rl_job *jobs, uint32_t n, uint64_t *issued)
{
	uint64_t d = 0, i = 0;

	for (uint32_t j = 0; j < n; j++) {
		d += atomic_load_explicit(&jobs[j].done, memory_order_relaxed);
		i += atomic_load_explicit(&jobs[j].issued, memory_order_relaxed);
	}
	*issued = i;
	return d;
}

/* Sample io-wq workers and report progress until every job thread has finished. */
static void monitor_jobs(struct rl_target_ctx *t, const struct rl_cell_plan *p,
			 struct rl_job *jobs, atomic_uint *finished, struct rl_cell *c,
			 struct monitor *m)
{
	const struct timespec tick = { .tv_nsec = (long)MONITOR_TICK_NS };

	while (atomic_load(finished) < p->jobs) {
		int workers = rl_iowq_workers();
		uint64_t now, done, issued;
		double frac;

		if (workers > 0 && (uint32_t)workers > c->iowq_workers_max)
			c->iowq_workers_max = (uint32_t)workers;
		nanosleep(&tick, NULL);
		if (++m->ticks % PROGRESS_EVERY)
			continue;
		now = rl_now_ns();
		done = sum_done(jobs, p->jobs, &issued);
		if (p->w->duration_ms)
			frac = (double)(now - m->t0) / (p->w->duration_ms * 1e6);
		else
			frac = m->planned ? (double)issued / (double)m->planned : 1;
		report(t, p, "run", frac > 1 ? 1 : frac,
		       (double)(done - m->last_done) * 1e9 / (double)(now - m->last_t));
		m->last_t = now;
		m->last_done = done;
	}
}

/* From the first job's start to the last job's end: what the I/O took. */
static uint64_t job_span(const struct rl_job *jobs, uint32_t n)
{
	uint64_t first = UINT64_MAX, last = 0;

	for (uint32_t j = 0; j < n; j++) {
		if (jobs[j].t_start < first)
			first = jobs[j].t_start;
		if (jobs[j].t_end > last)
			last = jobs[j].t_end;
	}
	return n && last > first ? last - first : 0;
}

struct job_thread_arg {
	struct rl_job *job;
	atomic_uint *finished;
};

static void *job_thread(void *arg)
{
	struct job_thread_arg *a = arg;

	rl_job_run(a->job);
	atomic_fetch_add(a->finished, 1);
	return NULL;
}

static void fold_latency(struct rl_latency *l, const struct rl_hist *h)
{
	l->valid = h->count > 0;
	l->p50 = rl_hist_percentile(h, 50);
	l->p90 = rl_hist_percentile(h, 90);
	l->p99 = rl_hist_percentile(h, 99);
	l->p999 = rl_hist_percentile(h, 99.9);
	l->max = h->count ? h->max : 0;
	l->mean = h->count ? h->sum / h->count : 0;
}

static void sample_counters(const struct rl_target_ctx *t, struct rl_es_stats *es,
			    struct rl_disk_stats *disk)
{
	if (t->sb[0])
		rl_es_read(t->sb, es);
	if (t->dev)
		rl_disk_read(t->dev, disk);
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void fold_rusage(struct rl_cell *c, const struct rusage *a, const struct rusage *b)
{
	c->cpu_user_s = tv_s(b->ru_utime) - tv_s(a->ru_utime);
	c->cpu_sys_s = tv_s(b->ru_stime) - tv_s(a->ru_stime);
	c->ctx_voluntary = (uint64_t)(b->ru_nvcsw - a->ru_nvcsw);
	c->ctx_involuntary = (uint64_t)(b->ru_nivcsw - a->ru_nivcsw);
}

static void fold_jobs(struct rl_cell_plan *p, struct rl_job *jobs, struct rl_cell *c)
{
	struct rl_hist *lat = malloc(sizeof(*lat)), *enter = malloc(sizeof(*enter));

	if (lat && enter) {
		rl_hist_init(lat);
		rl_hist_init(enter);
	}
	p->passes = 0;
	for (uint32_t j = 0; j < p->jobs; j++) {
		if (lat && enter)
			rl_job_fold(&jobs[j], c, lat, enter);
		if (jobs[j].passes > p->passes)
			p->passes = jobs[j].passes;
		p->used.setup_flags |= jobs[j].info.setup_flags;
		p->used.features |= jobs[j].info.features;
		p->used.write_fixed |= jobs[j].info.write_fixed;
		p->used.read_fixed |= jobs[j].info.read_fixed;
		p->used.write |= jobs[j].info.write;
		p->used.read |= jobs[j].info.read;
		p->used.fixed_buffers |= jobs[j].info.fixed_buffers;
		p->used.fixed_files |= jobs[j].info.fixed_files;
		if (jobs[j].error && !c->failed) {
			c->failed = true;
			snprintf(c->error, sizeof(c->error), "%s", jobs[j].errmsg);
		}
	}
	if (lat && enter) {
		fold_latency(&c->lat, lat);
		fold_latency(&c->enter, enter);
	}
	free(lat);
	free(enter);
}

/* A cell that completed nothing has no IOPS: NaN (null, n/a), not 0. */
static void derive_rates(struct rl_cell *c)
{
	c->iops = c->bw_bytes_s = NAN;
	if (c->elapsed_s > 0 && rl_cell_completed(c)) {
		c->iops = (double)c->ops / c->elapsed_s;
		c->bw_bytes_s = (double)c->bytes / c->elapsed_s;
	}
	c->eagain_rate = c->attempts ? (double)c->eagain / (double)c->attempts : 0;
}

/* Start the job threads, run them to the end, and fold what they measured. */
static int run_jobs(struct rl_target_ctx *t, struct rl_cell_plan *p, int fd, struct rl_cell *c,
		    struct rl_err *err)
{
	/* Static: job threads read them until joined, after any inner block ends. */
	static const atomic_bool never = false, at_once = true;
	struct rl_job_shared shared = {
		.cancel = t->opts->cancel ? t->opts->cancel : &never,
		.dir = fd >= 0 ? t->opts->dir : NULL, .dev = t->dev, .ino = t->ino,
	};
	struct rl_cell_causes causes = { 0 };
	struct rl_job *jobs = calloc(p->jobs, sizeof(*jobs));
	struct job_thread_arg *args = calloc(p->jobs, sizeof(*args));
	pthread_t *tids = calloc(p->jobs, sizeof(*tids));
	struct monitor m = { 0 };
	atomic_uint finished = 0;
	uint32_t started = 0;
	struct rusage ru0, ru1;
	int ret = -ENOMEM;

	if (!jobs || !args || !tids)
		goto out;
	for (uint32_t j = 0; j < p->jobs; j++) {
		init_job(&jobs[j], t, p, &shared, fd, j);
		if (rl_job_prepare(&jobs[j]) < 0)
			goto out;
		m.planned += jobs[j].nstripes;
	}
	pthread_barrier_init(&shared.start, NULL, p->jobs + 1);
	getrusage(RUSAGE_SELF, &ru0);
	for (; started < p->jobs; started++) {
		args[started] = (struct job_thread_arg){ &jobs[started], &finished };
		ret = -pthread_create(&tids[started], NULL, job_thread, &args[started]);
		if (ret)
			break;
	}
	if (started < p->jobs) {
		/* Release the ones that did start: they cancel at once. */
		shared.cancel = &at_once;
		shared.stop_ns = 1;
		for (uint32_t j = started; j < p->jobs; j++)
			pthread_barrier_wait(&shared.start);
	} else {
		rl_cell_causes_start(&causes, p->w, jobs, started, fd, c);
		if (p->w->duration_ms)
			shared.stop_ns = rl_now_ns() + (uint64_t)p->w->duration_ms * 1000000ull;
	}
	report(t, p, "run", 0, 0);
	pthread_barrier_wait(&shared.start);
	m.t0 = m.last_t = rl_now_ns();
	monitor_jobs(t, p, jobs, &finished, c, &m);
	for (uint32_t j = 0; j < started; j++)
		pthread_join(tids[j], NULL);
	c->elapsed_s = (double)job_span(jobs, started) / 1e9;
	getrusage(RUSAGE_SELF, &ru1);
	pthread_barrier_destroy(&shared.start);
	fold_rusage(c, &ru0, &ru1);
	fold_jobs(p, jobs, c);
	derive_rates(c);
	rl_cell_causes_finish(&causes, p->w, jobs, started, c);
	if (ret)
		rl_err_set(err, ret, "starting job threads: %s", strerror(-ret));
	else if (atomic_load(&shared.changed))
		ret = rl_err_set(err, -ESTALE, "%s", c->error);
out:
	if (jobs)
		for (uint32_t j = 0; j < p->jobs; j++)
			rl_job_free(&jobs[j]);
	free(jobs);
	free(args);
	free(tids);
	return ret;
}

/*
 * I/Os the kernel answered with an error (a NOWAIT -EAGAIN is not one): the
 * cell failed, whatever its verification says of the other bytes. The
 * message names the file, the commonest errno and what was already wrong.
 */
static void fail_io_errors(const struct rl_cell_plan *p, struct rl_cell *c)
{
	const struct rl_errno_count *top = NULL;
	size_t plen = strlen(p->path);
	char was[sizeof(c->error)];
	const char *rest = was;
	uint64_t n = 0;

	for (uint32_t i = 0; i < c->nerrors && i < RL_ERRNO_SLOTS; i++) {
		n += c->errors[i].count;
		if (!top || c->errors[i].count > top->count)
			top = &c->errors[i];
	}
	if (!n)
		return;
	snprintf(was, sizeof(was), "%s", c->error);
	if (!strncmp(was, p->path, plen) && !strncmp(was + plen, ": ", 2))
		rest += plen + 2;	/* the file is named once */
	snprintf(c->error, sizeof(c->error), "%.300s: %llu of %llu %ss failed, %llu with %s (%s)%s%.150s",
		 p->path, (unsigned long long)n, (unsigned long long)(c->attempts + c->retries),
		 p->w->op == RL_OP_WRITE ? "write" : "read", (unsigned long long)top->count,
		 rl_errno_name(top->err), strerror(top->err), rest[0] ? "; " : "", rest);
	c->failed = true;
}

/* Returns 0, or -ECANCELED when the cancel flag stopped the verification. */
static int verify_cell(struct rl_target_ctx *t, struct rl_cell_plan *p, int fd,
		       struct rl_cell *c)
{
	struct rl_verify_spec spec = {
		.w = p->w, .key = p->key, .jobs = p->jobs,
		.stripes_per_job = p->stripes_per_job, .gens = p->gens,
		.refused = p->refused, .cancel = t->opts->cancel,
	};
	struct rl_err verr = { "" };
	int ret;

	report(t, p, "verify", 1, 0);
	ret = rl_verify_file(fd, &spec, &c->verify, &verr);
	if (ret == -ECANCELED) {
		c->failed = true;
		snprintf(c->error, sizeof(c->error), "aborted during the verification");
		return ret;
	}
	if (ret < 0) {
		c->verify.status = RL_VERIFY_FAILED;
		if (!c->failed)
			snprintf(c->error, sizeof(c->error), "%.300s: %.200s", p->path, verr.msg);
	} else if (c->verify.status == RL_VERIFY_FAILED && !c->error[0]) {
		char what[RL_ERR_MSG_MAX];

		/* What the bad blocks hold, so the verdict names the damage. */
		snprintf(c->error, sizeof(c->error),
			 "verification failed: %llu bad bytes in %llu ranges, first at offset %llu: %s",
			 (unsigned long long)c->verify.bytes_bad,
			 (unsigned long long)c->verify.ranges_total,
			 (unsigned long long)c->verify.ranges[0].offset,
			 rl_found_summary(c->verify.found_blocks.n, what, sizeof(what)));
	}
	if (c->verify.status == RL_VERIFY_FAILED)
		c->failed = true;
	return 0;
}

static void check_expectation(const struct rl_target_ctx *t, const struct rl_workload *w,
			      struct rl_cell *c)
{
	const struct rl_expect *e = &w->expect;

	/* The null engine asks the kernel nothing: no expectation applies. */
	if (e->eagain_rate < 0 || !c->attempts || null_engine(t))
		return;
	if (e->kernel[0] && fnmatch(e->kernel, t->env->kernel_release, 0))
		return;
	c->expect = fabs(c->eagain_rate - e->eagain_rate) <= e->tolerance ? RL_EXPECT_MET
									   : RL_EXPECT_UNMET;
	if (c->expect == RL_EXPECT_UNMET) {
		c->failed = true;
		if (!c->error[0])
			snprintf(c->error, sizeof(c->error),
				 "expected EAGAIN rate %.3f (+/- %.3f) on %s, measured %.3f",
				 e->eagain_rate, e->tolerance, t->env->kernel_release, c->eagain_rate);
	}
}

static int prepare_file(struct rl_target_ctx *t, struct rl_cell_plan *p, struct rl_cell *c,
			struct rl_err *err)
{
	int fd, ret;

	if (p->rebuild) {
		ret = lay_out(t, p, c, err);
		if (ret < 0 || c->failed)
			return ret;
	}
	if (p->w->cache == RL_CACHE_COLD) {
		fd = rl_open_cold(t->dir_fd, p->path, io_flags(p), &c->es_cached_extents, err);
		if (fd >= 0) {
			/* The target may have gone while the caches were dropped. */
			ret = rl_target_check(t->opts->dir, fd, t->dev, t->ino, err);
			if (ret < 0) {
				close(fd);
				return ret;
			}
		}
		if (fd >= 0 && c->es_cached_extents > 0) {
			/* Not the state asked for: this cell fails, the run goes on. */
			c->failed = true;
			snprintf(c->error, sizeof(c->error),
				 "cache cold: %d extents still in the extent status cache after "
				 "dropping caches and clearing it", c->es_cached_extents);
			close(fd);
			return 0;	/* as a layout that did not come out: c->failed says it */
		}
	} else {
		fd = open_io_fd(t, p, err);
		c->es_cached_extents = rl_es_cached_extents(fd);
	}
	if (fd < 0)
		return fd;
	ret = set_timestamps(fd, p->w->timestamps, err);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int rl_cell_run(struct rl_target_ctx *t, struct rl_cell_plan *p, struct rl_cell *c,
		struct rl_err *err)
{
	struct rl_aux aux = { .churn = p->w->churn, .es_reader = p->w->es_reader };
	const atomic_bool *cancel = t->opts->cancel;
	int fd = -1, ret;

	memset(c, 0, sizeof(*c));
	c->es_cached_extents = -1;
	snprintf(c->workload, sizeof(c->workload), "%s", p->w->name);
	c->jobs = p->jobs;
	c->rep = p->rep;
	if (!null_engine(t)) {
		/* Before the first file is opened by name: it must land on the target. */
		ret = rl_target_check(t->opts->dir, -1, t->dev, t->ino, err);
		fd = ret < 0 ? ret : prepare_file(t, p, c, err);
		if (fd == -ESTALE) {
			c->failed = true;
			snprintf(c->error, sizeof(c->error), "%s", err->msg);
		} else if (fd == -ECANCELED) {
			c->failed = true;
			snprintf(c->error, sizeof(c->error), "aborted during the layout");
		}
		if (fd < 0)
			return fd;
		if (c->failed)
			return 0;
	}
	if (t->sb[0])
		snprintf(aux.es_path, sizeof(aux.es_path), "/proc/fs/ext4/%s/es_shrinker_info", t->sb);
	snprintf(aux.churn_path, sizeof(aux.churn_path), "%.4000s.churn", p->path);
	aux.fd = fd;
	aux.dir_fd = t->dir_fd;
	aux.file_bytes = p->stripes_per_job * p->stripe_bytes *
			 (p->w->sharing == RL_SHARE_REGIONS ? p->jobs : 1);
	sample_counters(t, &c->es_before, &c->disk_before);
	ret = fd >= 0 ? rl_aux_start(&aux, err) : 0;
	if (!ret)
		ret = run_jobs(t, p, fd, c, err);
	if (rl_aux_stop(&aux) < 0 && !c->failed) {
		c->failed = true;
		snprintf(c->error, sizeof(c->error), "churn: %s", strerror(-aux.churn_error));
	}
	sample_counters(t, &c->es_after, &c->disk_after);
	if (!ret && cancel && atomic_load(cancel)) {
		/* Keep what was measured; verifying could outlast a SIGTERM's grace. */
		c->failed = true;
		snprintf(c->error, sizeof(c->error), "aborted");
		ret = -ECANCELED;
	}
	if (!ret && fd >= 0 && p->w->verify && !c->failed)
		ret = verify_cell(t, p, fd, c);
	if (!ret) {
		fail_io_errors(p, c);
		check_expectation(t, p->w, c);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}
