/* SPDX-License-Identifier: MIT */
/*
 * I/O engines: an ops table driven by the job loop (job.c). The io_uring
 * engine does the measuring; the null engine completes every I/O at once and
 * touches no storage, so everything above it is testable anywhere and the
 * job loop's own overhead is measurable.
 */
#ifndef RINGLAB_DAEMON_ENGINE_ENGINE_H
#define RINGLAB_DAEMON_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rl_job;

/* One I/O as the engine sees it. */
struct rl_io {
	uint64_t offset;
	uint32_t len;
	uint32_t slot;		/* buffer index, 0..queue_depth-1; comes back in the completion */
	bool nowait;		/* RWF_NOWAIT on this attempt */
	bool write;
};

struct rl_completion {
	uint32_t slot;
	int32_t res;		/* bytes, or -errno */
};

/* What an engine used, for the run's environment. */
struct rl_engine_info {
	uint32_t setup_flags;
	uint32_t features;
	bool fixed_buffers, fixed_files;
	bool write_fixed, read_fixed;	/* opcodes used */
	bool write, read;
};

struct rl_engine_ops {
	const char *name;
	/* Set up per-job state (job->engine_data); buffers are job->bufs. 0 or -errno. */
	int (*init)(struct rl_job *job);
	/* Stage one I/O. 0, or -EBUSY when the queue is full. */
	int (*queue)(struct rl_job *job, const struct rl_io *io);
	/* Hand staged I/Os to the kernel. Count submitted, or -errno. */
	int (*submit)(struct rl_job *job);
	/* Fill up to @max completions, waiting for at least @min. Count, or -errno. */
	int (*reap)(struct rl_job *job, struct rl_completion *out, unsigned max, unsigned min);
	void (*cleanup)(struct rl_job *job);
};

extern const struct rl_engine_ops rl_engine_uring;
extern const struct rl_engine_ops rl_engine_null;

/* rl_engine_find() - the engine called @name, or NULL. */
const struct rl_engine_ops *rl_engine_find(const char *name);

/*
 * rl_uring_probe() - what this kernel's io_uring offers: the setup flags a
 * ring accepts (tried richest first, falling back on -EINVAL), its features
 * and whether the fixed-buffer opcodes exist (IORING_REGISTER_PROBE). Never
 * inferred from the kernel version. Returns 0 or -errno (-ENOSYS: no io_uring).
 */
int rl_uring_probe(struct rl_engine_info *info);

/* rl_engine_info_names() - setup flags / features / opcodes as "A,B,C". */
void rl_uring_setup_names(uint32_t flags, char *buf, size_t len);
void rl_uring_feature_names(uint32_t features, char *buf, size_t len);
void rl_engine_opcode_names(const struct rl_engine_info *info, char *buf, size_t len);

#endif
