/* SPDX-License-Identifier: MIT */
/* The job loop: keep queue_depth I/Os in flight, apply the EAGAIN policy, count. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "job.h"
#include "pattern.h"
#include "target_check.h"
#include "util/clock.h"
#include "verify.h"

#define RETRY_BACKOFF_CAP_NS (100ull * 1000 * 1000)
#define REFUSALS_MAX (1u << 20)	/* per job; the tracer keeps as many */

int rl_job_prepare(struct rl_job *job)
{
	uint32_t qd = job->queue_depth;
	uint64_t rng = job->w->seed ^ ((uint64_t)job->index << 32);

	job->buf_stride = (job->w->io_size + 4095u) & ~4095u;
	job->bufs = aligned_alloc(4096, (size_t)qd * job->buf_stride);
	job->slots = calloc(qd, sizeof(*job->slots));
	job->free_slots = calloc(qd, sizeof(*job->free_slots));
	if (!job->bufs || !job->slots || !job->free_slots)
		goto fail;
	for (uint32_t i = 0; i < qd; i++) {
		job->free_slots[i] = qd - 1 - i;
		/* Without verification the content does not matter: fill once. */
		rl_pattern_fill(job->bufs + (size_t)i * job->buf_stride, job->buf_stride,
				job->key, 0, 1);
	}
	job->nfree = qd;
	if (job->w->order == RL_ORDER_RANDOM) {
		job->order = malloc(job->nstripes * sizeof(*job->order));
		if (!job->order)
			goto fail;
		for (uint64_t i = 0; i < job->nstripes; i++)
			job->order[i] = (uint32_t)i;
		for (uint64_t i = job->nstripes; i > 1; i--) {
			uint64_t j = rl_splitmix64(&rng) % i;
			uint32_t t = job->order[i - 1];

			job->order[i - 1] = job->order[j];
			job->order[j] = t;
		}
	}
	rl_hist_init(&job->lat);
	rl_hist_init(&job->enter);
	return 0;
fail:
	rl_job_free(job);
	return -ENOMEM;
}

void rl_job_free(struct rl_job *job)
{
	free(job->bufs);
	free(job->slots);
	free(job->free_slots);
	free(job->order);
	free(job->refusals);
	job->refusals = NULL;
	job->bufs = NULL;
	job->slots = NULL;
	job->free_slots = NULL;
	job->order = NULL;
}

/* Generations run 1..RL_GEN_UNKNOWN-1 and wrap, never 0 (= not written). */
static inline uint16_t pass_gen(const struct rl_job *job, uint64_t pass)
{
	return (uint16_t)(1 + (job->gen_base - 1 + pass) % (RL_GEN_UNKNOWN - 1));
}

static inline bool is_write(const struct rl_job *job)
{
	return job->w->op == RL_OP_WRITE;
}

static void count_errno(struct rl_job *job, int err)
{
	for (uint32_t i = 0; i < job->nerrors; i++) {
		if (job->errors[i].err == err) {
			job->errors[i].count++;
			return;
		}
	}
	if (job->nerrors < RL_ERRNO_SLOTS) {
		job->errors[job->nerrors].err = err;
		job->errors[job->nerrors++].count = 1;
	}
}

static int submit_timed(struct rl_job *job)
{
	uint64_t t, dt;
	int ret;

	if (!job->staged)
		return 0;
	t = rl_now_ns();
	ret = job->engine->submit(job);
	dt = rl_now_ns() - t;
	job->staged = 0;
	job->enter_calls++;
	job->enter_ns += dt;
	rl_hist_add(&job->enter, dt);
	return ret < 0 ? ret : 0;
}

/* Hand one attempt of @slot to the engine, submitting first if the SQ is full. */
static int issue(struct rl_job *job, uint32_t slot)
{
	const struct rl_slot *s = &job->slots[slot];
	struct rl_io io = {
		.offset = job->base_offset + (uint64_t)s->stripe * job->stripe_bytes,
		.len = job->w->io_size,
		.slot = slot,
		.nowait = s->nowait,
		.write = is_write(job),
	};
	int ret = job->engine->queue(job, &io);

	if (ret == -EBUSY) {
		ret = submit_timed(job);
		if (!ret)
			ret = job->engine->queue(job, &io);
	}
	if (!ret)
		job->staged++;
	return ret;
}

static int issue_first(struct rl_job *job, uint64_t idx, uint16_t gen, uint64_t now)
{
	uint32_t slot = job->free_slots[--job->nfree];
	struct rl_slot *s = &job->slots[slot];

	s->stripe = job->order ? job->order[idx] : (uint32_t)idx;
	s->gen = gen;
	s->attempts = 1;
	s->nowait = job->w->nowait;
	s->ready = 0;
	s->t_first = now;
	if (is_write(job) && job->w->verify)
		rl_pattern_fill(job->bufs + (size_t)slot * job->buf_stride, job->w->io_size,
				job->key, job->base_offset + (uint64_t)s->stripe * job->stripe_bytes,
				gen);
	job->attempts++;
	atomic_store_explicit(&job->issued, job->attempts, memory_order_relaxed);
	return issue(job, slot);
}

static inline void release(struct rl_job *job, uint32_t slot, uint32_t *inflight)
{
	job->free_slots[job->nfree++] = slot;
	(*inflight)--;
	atomic_fetch_add_explicit(&job->done, 1, memory_order_relaxed);
}

/* Remember a refused write for cell_causes.c, which pairs it with the kernel's events. */
static void log_refusal(struct rl_job *job, const struct rl_slot *s, uint32_t slot)
{
	struct rl_refusal *grown;

	if (job->nrefusals == job->refusals_cap) {
		size_t cap = job->refusals_cap ? job->refusals_cap * 2 : 1024;

		grown = cap <= REFUSALS_MAX ? realloc(job->refusals, cap * sizeof(*grown)) : NULL;
		if (!grown) {
			job->refusals_dropped += s->attempts == 1;
			return;
		}
		job->refusals = grown;
		job->refusals_cap = cap;
	}
	job->refusals[job->nrefusals++] = (struct rl_refusal){
		.offset = job->base_offset + (uint64_t)s->stripe * job->stripe_bytes,
		.len = job->w->io_size, .slot = (uint16_t)slot, .first = s->attempts == 1,
	};
}

/*
 * An -EAGAIN answer to a NOWAIT attempt. Returns 1 if the slot stays busy
 * (resubmitted or deferred), 0 if it is done, or -errno.
 */
static int handle_eagain(struct rl_job *job, struct rl_slot *s, uint32_t slot, uint64_t now,
			 uint32_t *deferred)
{
	const struct rl_workload *w = job->w;
	uint64_t backoff;

	if (s->attempts == 1)
		job->eagain++;
	if (job->log_refusals)
		log_refusal(job, s, slot);
	switch (w->eagain_policy) {
	case RL_EAGAIN_RETRY_BLOCKING:
		s->nowait = false;
		s->attempts++;
		job->retries++;
		return issue(job, slot) < 0 ? -EIO : 1;
	case RL_EAGAIN_RETRY_NOWAIT:
		if (s->attempts >= w->retry_max) {
			job->gave_up++;
			return 0;
		}
		backoff = (uint64_t)w->retry_backoff_us * 1000 << (s->attempts - 1 < 16 ? s->attempts - 1 : 16);
		if (backoff > RETRY_BACKOFF_CAP_NS)
			backoff = RETRY_BACKOFF_CAP_NS;
		s->attempts++;
		job->retries++;
		if (!backoff)
			return issue(job, slot) < 0 ? -EIO : 1;
		s->ready = now + backoff;
		(*deferred)++;
		return 1;
	default:
		return 0;
	}
}

static int handle(struct rl_job *job, const struct rl_completion *c, uint32_t *inflight,
		  uint32_t *deferred, uint64_t now)
{
	struct rl_slot *s = &job->slots[c->slot];
	int ret;

	if (c->res == -EAGAIN && s->nowait) {
		ret = handle_eagain(job, s, c->slot, now, deferred);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			/* Given up on: nothing of it may be on disk (verify_found.c). */
			if (is_write(job) && job->refused)
				job->refused[s->stripe] = s->gen;
			release(job, c->slot, inflight);
		}
		return 0;
	}
	if (c->res < 0) {
		count_errno(job, -c->res);
		if (is_write(job))
			job->gens[s->stripe] = RL_GEN_UNKNOWN;
	} else if ((uint32_t)c->res != job->w->io_size) {
		job->short_ios++;
		if (is_write(job))
			job->gens[s->stripe] = RL_GEN_UNKNOWN;
	} else {
		job->ops++;
		job->bytes += (uint64_t)c->res;
		rl_hist_add(&job->lat, now - s->t_first);
		if (is_write(job))
			job->gens[s->stripe] = s->gen;
	}
	release(job, c->slot, inflight);
	return 0;
}

/* Resubmit deferred retry-nowait attempts whose backoff has passed. */
static int requeue_due(struct rl_job *job, uint32_t *deferred, uint64_t now, uint64_t *next_ready)
{
	*next_ready = UINT64_MAX;
	for (uint32_t i = 0; i < job->queue_depth && *deferred; i++) {
		struct rl_slot *s = &job->slots[i];

		if (!s->ready)
			continue;
		if (s->ready > now) {
			if (s->ready < *next_ready)
				*next_ready = s->ready;
			continue;
		}
		s->ready = 0;
		(*deferred)--;
		if (issue(job, i) < 0)
			return -EIO;
	}
	return 0;
}

static void sleep_until(uint64_t t)
{
	uint64_t now = rl_now_ns();
	struct timespec ts;

	if (t <= now)
		return;
	ts.tv_sec = (time_t)((t - now) / 1000000000ull);
	ts.tv_nsec = (long)((t - now) % 1000000000ull);
	nanosleep(&ts, NULL);
}

static inline bool keep_issuing(const struct rl_job *job, uint64_t now)
{
	if (atomic_load_explicit(job->shared->cancel, memory_order_relaxed) ||
	    atomic_load_explicit(&job->shared->changed, memory_order_relaxed))
		return false;
	return !job->shared->stop_ns || now < job->shared->stop_ns;
}

/*
 * Before a batch, at most every RL_TARGET_CHECK_NS: is the target still the
 * filesystem the run started on? Returns 0, or -ESTALE with the reason in
 * job->errmsg, and every job told to stop issuing.
 */
static int watch_target(struct rl_job *job, uint64_t now, uint64_t *next_check)
{
	struct rl_err err;
	int ret;

	if (!job->shared->dir || now < *next_check)
		return 0;
	*next_check = now + RL_TARGET_CHECK_NS;
	ret = rl_target_check(job->shared->dir, job->fd, job->shared->dev, job->shared->ino, &err);
	if (ret < 0) {
		snprintf(job->errmsg, sizeof(job->errmsg), "%.255s", err.msg);
		atomic_store(&job->shared->changed, true);
	}
	return ret;
}

static int job_loop(struct rl_job *job, struct rl_completion *cq)
{
	uint64_t next = 0, pass = 0, now = rl_now_ns(), next_ready, next_check = 0;
	uint32_t inflight = 0, deferred = 0;
	bool issuing = job->nstripes > 0;
	int n, ret, stopped = 0;

	while (issuing || inflight) {
		if (issuing && !stopped)
			stopped = watch_target(job, now, &next_check);
		issuing = issuing && !stopped && keep_issuing(job, now);
		if (deferred && (ret = requeue_due(job, &deferred, now, &next_ready)) < 0)
			return ret;
		while (issuing && job->nfree) {
			ret = issue_first(job, next, pass_gen(job, pass), now);
			if (ret < 0)
				return ret;
			inflight++;
			if (++next == job->nstripes) {
				next = 0;
				pass++;
				issuing = job->shared->stop_ns != 0;
			}
		}
		ret = submit_timed(job);
		if (ret < 0)
			return ret;
		if (!inflight)
			break;
		if (inflight == deferred) {
			/* Nothing in the kernel: wait out the earliest backoff. */
			requeue_due(job, &deferred, now, &next_ready);
			sleep_until(next_ready);
			now = rl_now_ns();
			continue;
		}
		n = job->engine->reap(job, cq, job->queue_depth, 1);
		if (n < 0)
			return n;
		now = rl_now_ns();
		for (int i = 0; i < n; i++) {
			ret = handle(job, &cq[i], &inflight, &deferred, now);
			if (ret < 0)
				return ret;
		}
	}
	job->passes = pass + (next > 0);
	return stopped;
}

void *rl_job_run(void *arg)
{
	struct rl_job *job = arg;
	struct rl_completion *cq;
	int ret;

	atomic_store(&job->tid, (pid_t)syscall(SYS_gettid));
	cq = calloc(job->queue_depth, sizeof(*cq));
	ret = cq ? job->engine->init(job) : -ENOMEM;

	if (ret < 0)
		snprintf(job->errmsg, sizeof(job->errmsg), "job %u: %s engine setup: %s",
			 job->index, job->engine->name, strerror(-ret));
	/* Everyone waits, even a job that failed, or the others would hang. */
	pthread_barrier_wait(&job->shared->start);
	job->t_start = rl_now_ns();
	if (!ret) {
		ret = job_loop(job, cq);
		if (ret < 0 && !job->errmsg[0])
			snprintf(job->errmsg, sizeof(job->errmsg), "job %u: %s: %s", job->index,
				 job->engine->name, strerror(-ret));
	}
	job->t_end = rl_now_ns();
	if (job->engine_data)
		job->engine->cleanup(job);
	job->error = ret;
	free(cq);
	return NULL;
}

void rl_job_fold(const struct rl_job *job, struct rl_cell *c, struct rl_hist *lat,
		 struct rl_hist *enter)
{
	c->attempts += job->attempts;
	c->ops += job->ops;
	c->bytes += job->bytes;
	c->eagain += job->eagain;
	c->retries += job->retries;
	c->gave_up += job->gave_up;
	c->short_ios += job->short_ios;
	c->enter_calls += job->enter_calls;
	c->enter_ns += job->enter_ns;
	for (uint32_t i = 0; i < job->nerrors; i++) {
		uint32_t k;

		for (k = 0; k < c->nerrors && c->errors[k].err != job->errors[i].err; k++)
			;
		if (k == c->nerrors) {
			if (c->nerrors == RL_ERRNO_SLOTS)
				continue;
			c->errors[c->nerrors++].err = job->errors[i].err;
		}
		c->errors[k].count += job->errors[i].count;
	}
	rl_hist_merge(lat, &job->lat);
	rl_hist_merge(enter, &job->enter);
}
