/* SPDX-License-Identifier: MIT */
/*
 * The null engine: every I/O completes in full at submission and no storage
 * is touched. It runs the whole job loop, so the loop's own cost per I/O is
 * what it measures.
 */
#include <errno.h>
#include <stdlib.h>

#include "engine.h"
#include "job.h"

struct null_data {
	struct rl_completion *q;	/* ring of queue_depth entries */
	uint32_t head, staged, done;	/* done entries follow head, then staged */
	uint32_t cap;
};

static int null_init(struct rl_job *job)
{
	struct null_data *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->cap = job->queue_depth;
	d->q = calloc(d->cap, sizeof(*d->q));
	if (!d->q) {
		free(d);
		return -ENOMEM;
	}
	job->engine_data = d;
	return 0;
}

static int null_queue(struct rl_job *job, const struct rl_io *io)
{
	struct null_data *d = job->engine_data;
	uint32_t i;

	if (d->done + d->staged == d->cap)
		return -EBUSY;
	i = (d->head + d->done + d->staged) % d->cap;
	d->q[i].slot = io->slot;
	d->q[i].res = (int32_t)io->len;
	d->staged++;
	return 0;
}

static int null_submit(struct rl_job *job)
{
	struct null_data *d = job->engine_data;
	int n = (int)d->staged;

	d->done += d->staged;
	d->staged = 0;
	return n;
}

static int null_reap(struct rl_job *job, struct rl_completion *out, unsigned max, unsigned min)
{
	struct null_data *d = job->engine_data;
	unsigned n = 0;

	if (min > d->done)
		return -EAGAIN;	/* nothing submitted that could complete */
	while (n < max && d->done) {
		out[n++] = d->q[d->head];
		d->head = (d->head + 1) % d->cap;
		d->done--;
	}
	return (int)n;
}

static void null_cleanup(struct rl_job *job)
{
	struct null_data *d = job->engine_data;

	if (!d)
		return;
	free(d->q);
	free(d);
	job->engine_data = NULL;
}

const struct rl_engine_ops rl_engine_null = {
	.name = "null",
	.init = null_init,
	.queue = null_queue,
	.submit = null_submit,
	.reap = null_reap,
	.cleanup = null_cleanup,
};
