/* SPDX-License-Identifier: MIT */
/*
 * A workload: one file laid out in stripes of W/U/H blocks, and an I/O shape
 * that the jobs drive through the engine. Filled from the workloads directory's JSON files by the
 * field table in workload.c; every field here has a row there.
 */
#ifndef RINGLAB_DAEMON_ENGINE_WORKLOAD_H
#define RINGLAB_DAEMON_ENGINE_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

enum rl_op { RL_OP_WRITE, RL_OP_READ, RL_OP_MAX };
enum rl_order { RL_ORDER_SEQUENTIAL, RL_ORDER_RANDOM, RL_ORDER_MAX };
enum rl_eagain_policy {
	RL_EAGAIN_COUNT,		/* record -EAGAIN, do not retry */
	RL_EAGAIN_RETRY_BLOCKING,	/* resubmit without RWF_NOWAIT */
	RL_EAGAIN_RETRY_NOWAIT,		/* resubmit with RWF_NOWAIT, bounded, backoff */
	RL_EAGAIN_MAX
};
enum rl_cache { RL_CACHE_HOT, RL_CACHE_COLD, RL_CACHE_MAX };
enum rl_timestamps { RL_TS_FRESH, RL_TS_STALE, RL_TS_MAX };
enum rl_trace_mode { RL_TRACE_OFF, RL_TRACE_ON, RL_TRACE_MAX };
enum rl_sharing {
	RL_SHARE_REGIONS,	/* job j owns region j of the file */
	RL_SHARE_INTERLEAVE,	/* all jobs write every stripe, job j at io_offset + j * io_size */
	RL_SHARE_MAX
};

/* Block states of a layout stripe, as characters in rl_workload.stripe. */
#define RL_BLOCK_WRITTEN 'W'
#define RL_BLOCK_UNWRITTEN 'U'
#define RL_BLOCK_HOLE 'H'

#define RL_NAME_MAX 64
#define RL_DESC_MAX 256
#define RL_STRIPE_MAX 64
#define RL_JOBS_LIST_MAX 16

struct rl_expect {
	double eagain_rate;		/* < 0: nothing expected */
	double tolerance;		/* absolute, on the rate */
	char kernel[RL_NAME_MAX];	/* fnmatch(3) pattern on uname -r; "" = any */
};

struct rl_workload {
	char name[RL_NAME_MAX];
	char description[RL_DESC_MAX];
	enum rl_op op;
	uint32_t block_size;		/* layout block; must equal the fs block size */
	char stripe[RL_STRIPE_MAX + 1];	/* one W/U/H per block */
	uint32_t io_size;		/* bytes per I/O */
	uint32_t io_offset;		/* byte offset of the I/O inside its stripe */
	enum rl_order order;
	bool direct;			/* O_DIRECT */
	bool nowait;			/* RWF_NOWAIT on first attempts */
	uint32_t queue_depth;
	uint32_t jobs[RL_JOBS_LIST_MAX];	/* JOBS sweep */
	uint32_t njobs;
	uint64_t size_per_job;		/* bytes of region per job, before --scale */
	uint32_t duration_ms;		/* 0: one pass over the region */
	uint32_t repetitions;
	bool rebuild;			/* rebuild the layout before every repetition */
	bool extend;			/* no layout: file truncated to 0, writes extend it */
	enum rl_sharing sharing;
	enum rl_eagain_policy eagain_policy;
	uint32_t retry_max;		/* retry-nowait: attempts before giving up */
	uint32_t retry_backoff_us;	/* retry-nowait: first backoff, doubles */
	enum rl_cache cache;
	enum rl_timestamps timestamps;
	bool verify;
	bool churn;			/* fallocate/punch/truncate churn thread */
	bool es_reader;			/* es_shrinker_info reader thread */
	enum rl_trace_mode trace_eagain;	/* attribute refusals to kernel causes */
	uint64_t seed;			/* random order and data pattern */
	struct rl_expect expect;
};

/* Derived geometry, for the engine and verification. */
static inline uint32_t rl_workload_stripe_bytes(const struct rl_workload *w)
{
	uint32_t n = 0;

	while (w->stripe[n])
		n++;
	return n * w->block_size;
}

/*
 * rl_jobs_repeated() - the first value that appears twice among @jobs' @n
 * entries (a JOBS sweep), or 0 when each appears once: a value given twice
 * would make two cells of one (workload, jobs, rep).
 */
uint32_t rl_jobs_repeated(const uint32_t *jobs, uint32_t n);

/* rl_workload_max_jobs() - the largest entry of @w's JOBS sweep; 0 when the sweep is empty. */
uint32_t rl_workload_max_jobs(const struct rl_workload *w);

/*
 * rl_workload_defaults() - fill @w with every field's default.
 */
void rl_workload_defaults(struct rl_workload *w);

/*
 * rl_workload_parse() - fill @w from a cJSON object (type-erased to keep
 * cJSON out of this header). Applies defaults first, rejects unknown keys,
 * wrong types and out-of-range values, then cross-checks fields (io inside
 * the stripe, O_DIRECT alignment, ...). Returns 0 or -EINVAL with "key K: ..."
 * in @err.
 */
int rl_workload_parse(const void *cjson_obj, struct rl_workload *w, struct rl_err *err);

/*
 * rl_workload_load() - read and parse a workload file. Returns 0, -errno
 * from reading, or -EINVAL; @err names the file, and the key or the JSON
 * position (line:column).
 */
int rl_workload_load(const char *path, struct rl_workload *w, struct rl_err *err);

/*
 * rl_workload_check() - the cross-field checks alone (also run by parse),
 * for workloads changed after parsing (suite overrides, --jobs).
 * Returns 0 or -EINVAL with the reason in @err.
 */
int rl_workload_check(const struct rl_workload *w, struct rl_err *err);

/* rl_workload_to_json() - the workload as a cJSON object (caller frees). */
void *rl_workload_to_json(const struct rl_workload *w);

/* rl_workload_schema_markdown() - the schema table for workloads/README.md. */
void rl_workload_schema_markdown(FILE *out);

/* Names of enum values, shared by parser and formatters. */
const char *rl_op_name(enum rl_op v);
const char *rl_order_name(enum rl_order v);
const char *rl_eagain_policy_name(enum rl_eagain_policy v);
const char *rl_cache_name(enum rl_cache v);
const char *rl_timestamps_name(enum rl_timestamps v);
const char *rl_sharing_name(enum rl_sharing v);

#endif
