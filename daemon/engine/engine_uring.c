/* SPDX-License-Identifier: MIT */
/*
 * The io_uring engine: one ring per job, set up with the richest flags the
 * kernel accepts, the file and the job's buffers registered when possible,
 * WRITE_FIXED/READ_FIXED when the probe says the opcodes exist.
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "engine.h"
#include "job.h"

struct uring_data {
	struct io_uring ring;
	unsigned staged;
	int fd;			/* fixed index 0, or the plain fd */
	bool fixed_file, fixed_bufs;
};

/* Tried in order; the first the kernel accepts wins (-EINVAL: unknown flag). */
static const unsigned setup_tries[] = {
	IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN,
	IORING_SETUP_COOP_TASKRUN,
	0,
};

static int ring_setup(struct io_uring *ring, unsigned entries, uint32_t *flags)
{
	int ret = -EINVAL;

	for (size_t i = 0; i < sizeof(setup_tries) / sizeof(setup_tries[0]); i++) {
		ret = io_uring_queue_init(entries, ring, setup_tries[i]);
		if (ret == 0) {
			*flags = setup_tries[i];
			return 0;
		}
		if (ret != -EINVAL)
			return ret;
	}
	return ret;
}

static bool probe_op(struct io_uring *ring, int op)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(ring);
	bool ok = p && io_uring_opcode_supported(p, op);

	io_uring_free_probe(p);
	return ok;
}

int rl_uring_probe(struct rl_engine_info *info)
{
	struct io_uring ring;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = ring_setup(&ring, 4, &info->setup_flags);
	if (ret < 0)
		return ret;
	info->features = ring.features;
	info->write_fixed = probe_op(&ring, IORING_OP_WRITE_FIXED);
	info->read_fixed = probe_op(&ring, IORING_OP_READ_FIXED);
	info->write = probe_op(&ring, IORING_OP_WRITE);
	info->read = probe_op(&ring, IORING_OP_READ);
	io_uring_queue_exit(&ring);
	return 0;
}

static void register_job(struct uring_data *d, struct rl_job *job)
{
	struct iovec *iov;
	uint32_t n = job->queue_depth;

	d->fd = job->fd;
	if (io_uring_register_files(&d->ring, &job->fd, 1) == 0) {
		d->fixed_file = true;
		d->fd = 0;
	}
	/* Fixed buffers save a page pin per I/O; without them plain ops work too. */
	iov = calloc(n, sizeof(*iov));
	if (!iov)
		return;
	for (uint32_t i = 0; i < n; i++) {
		iov[i].iov_base = job->bufs + (size_t)i * job->buf_stride;
		iov[i].iov_len = job->buf_stride;
	}
	d->fixed_bufs = io_uring_register_buffers(&d->ring, iov, n) == 0;
	free(iov);
}

static int uring_init(struct rl_job *job)
{
	struct uring_data *d = calloc(1, sizeof(*d));
	struct io_uring_probe *p;
	int ret;

	if (!d)
		return -ENOMEM;
	ret = ring_setup(&d->ring, job->queue_depth, &job->info.setup_flags);
	if (ret < 0) {
		free(d);
		return ret;
	}
	job->info.features = d->ring.features;
	register_job(d, job);
	p = io_uring_get_probe_ring(&d->ring);
	if (d->fixed_bufs && p && io_uring_opcode_supported(p, IORING_OP_WRITE_FIXED) &&
	    io_uring_opcode_supported(p, IORING_OP_READ_FIXED))
		job->info.fixed_buffers = true;
	io_uring_free_probe(p);
	job->info.fixed_files = d->fixed_file;
	job->engine_data = d;
	return 0;
}

static int uring_queue(struct rl_job *job, const struct rl_io *io)
{
	struct uring_data *d = job->engine_data;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&d->ring);
	void *buf = job->bufs + (size_t)io->slot * job->buf_stride;

	if (!sqe)
		return -EBUSY;
	if (job->info.fixed_buffers) {
		if (io->write)
			io_uring_prep_write_fixed(sqe, d->fd, buf, io->len, io->offset, (int)io->slot);
		else
			io_uring_prep_read_fixed(sqe, d->fd, buf, io->len, io->offset, (int)io->slot);
		job->info.write_fixed |= io->write;
		job->info.read_fixed |= !io->write;
	} else {
		if (io->write)
			io_uring_prep_write(sqe, d->fd, buf, io->len, io->offset);
		else
			io_uring_prep_read(sqe, d->fd, buf, io->len, io->offset);
		job->info.write |= io->write;
		job->info.read |= !io->write;
	}
	if (d->fixed_file)
		sqe->flags |= IOSQE_FIXED_FILE;
	sqe->rw_flags = io->nowait ? RWF_NOWAIT : 0;
	io_uring_sqe_set_data64(sqe, io->slot);
	d->staged++;
	return 0;
}

static int uring_submit(struct rl_job *job)
{
	struct uring_data *d = job->engine_data;
	int ret;

	if (!d->staged)
		return 0;
	do
		ret = io_uring_submit(&d->ring);
	while (ret == -EINTR);
	if (ret < 0)
		return ret;
	d->staged -= (unsigned)ret < d->staged ? (unsigned)ret : d->staged;
	return ret;
}

static int uring_reap(struct rl_job *job, struct rl_completion *out, unsigned max, unsigned min)
{
	struct uring_data *d = job->engine_data;
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;
	int ret;

	/*
	 * A signal (a stop and continue too) ends the wait with -EINTR and
	 * io_uring_enter() is not restarted: the I/O is still in flight, so
	 * wait again. Cancelling goes through the job's flag, not a signal.
	 */
	while (min && (ret = io_uring_wait_cqe_nr(&d->ring, &cqe, min)) < 0)
		if (ret != -EINTR)
			return ret;
	io_uring_for_each_cqe(&d->ring, head, cqe) {
		if (n == max)
			break;
		out[n].slot = (uint32_t)io_uring_cqe_get_data64(cqe);
		out[n].res = cqe->res;
		n++;
	}
	io_uring_cq_advance(&d->ring, n);
	return (int)n;
}

static void uring_cleanup(struct rl_job *job)
{
	struct uring_data *d = job->engine_data;

	if (!d)
		return;
	io_uring_queue_exit(&d->ring);
	free(d);
	job->engine_data = NULL;
}

const struct rl_engine_ops rl_engine_uring = {
	.name = "io_uring",
	.init = uring_init,
	.queue = uring_queue,
	.submit = uring_submit,
	.reap = uring_reap,
	.cleanup = uring_cleanup,
};
