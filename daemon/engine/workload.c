/* SPDX-License-Identifier: MIT */
/*
 * The workload schema: one table row per member of struct rl_workload, the
 * cross-field checks the table cannot express, and the file loader.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "schema/fields.h"
#include "util/units.h"
#include "suite.h"
#include "workload.h"

/* The walker stores enums as int. */
_Static_assert(sizeof(enum rl_op) == sizeof(int), "enum size");
_Static_assert(sizeof(enum rl_order) == sizeof(int), "enum size");
_Static_assert(sizeof(enum rl_eagain_policy) == sizeof(int), "enum size");
_Static_assert(sizeof(enum rl_cache) == sizeof(int), "enum size");
_Static_assert(sizeof(enum rl_timestamps) == sizeof(int), "enum size");
_Static_assert(sizeof(enum rl_sharing) == sizeof(int), "enum size");
_Static_assert(sizeof(enum rl_trace_mode) == sizeof(int), "enum size");

#define RL_DIO_ALIGN 512
#define MIB (1024.0 * 1024.0)
#define TIB (MIB * MIB)

static const char *const op_names[] = { "write", "read", NULL };
static const char *const order_names[] = { "sequential", "random", NULL };
static const char *const eagain_names[] = { "count", "retry-blocking", "retry-nowait", NULL };
static const char *const cache_names[] = { "hot", "cold", NULL };
static const char *const timestamps_names[] = { "fresh", "stale", NULL };
static const char *const sharing_names[] = { "regions", "interleave", NULL };
static const char *const trace_names[] = { "off", "on", NULL };

_Static_assert(sizeof(op_names) / sizeof(op_names[0]) == RL_OP_MAX + 1, "op names");
_Static_assert(sizeof(order_names) / sizeof(order_names[0]) == RL_ORDER_MAX + 1, "order names");
_Static_assert(sizeof(eagain_names) / sizeof(eagain_names[0]) == RL_EAGAIN_MAX + 1, "policy names");
_Static_assert(sizeof(cache_names) / sizeof(cache_names[0]) == RL_CACHE_MAX + 1, "cache names");
_Static_assert(sizeof(timestamps_names) / sizeof(timestamps_names[0]) == RL_TS_MAX + 1, "ts names");
_Static_assert(sizeof(sharing_names) / sizeof(sharing_names[0]) == RL_SHARE_MAX + 1, "sharing names");
_Static_assert(sizeof(trace_names) / sizeof(trace_names[0]) == RL_TRACE_MAX + 1, "trace names");

#define EXP(m) offsetof(struct rl_expect, m)
#define WL(m) offsetof(struct rl_workload, m)

static const struct rl_field expect_fields[] = {
	{ .name = "eagain_rate", .type = RL_FT_DOUBLE, .offset = EXP(eagain_rate),
	  .min = 0, .max = 1, .def = "-1", .flags = RL_FF_NONE_NEG1,
	  .help = "Expected EAGAIN rate (first attempts answered -EAGAIN / first attempts); a run outside it by more than tolerance fails its expectation." },
	{ .name = "tolerance", .type = RL_FT_DOUBLE, .offset = EXP(tolerance),
	  .min = 0, .max = 1, .def = "0.02",
	  .help = "Allowed absolute difference between the measured and the expected rate." },
	{ .name = "kernel", .type = RL_FT_STRING, .offset = EXP(kernel),
	  .size = sizeof(((struct rl_expect *)0)->kernel), .min = 0, .max = RL_NAME_MAX - 1,
	  .def = "\"\"",
	  .help = "fnmatch(3) pattern on the kernel release (uname -r) the expectation holds for; empty = every kernel." },
	{ 0 }
};

const struct rl_field rl_workload_fields[] = {
	{ .name = "name", .type = RL_FT_STRING, .offset = WL(name), .size = RL_NAME_MAX,
	  .min = 1, .max = RL_NAME_MAX - 1, .charset = "a-z0-9._@,+-",
	  .flags = RL_FF_REQUIRED,
	  .help = "Identifies the workload in results and comparisons; equals the file name without .json." },
	{ .name = "description", .type = RL_FT_STRING, .offset = WL(description),
	  .size = RL_DESC_MAX, .min = 0, .max = RL_DESC_MAX - 1, .def = "\"\"",
	  .help = "One line for people: what the workload provokes and why." },
	{ .name = "op", .type = RL_FT_ENUM, .offset = WL(op), .names = op_names,
	  .def = "\"write\"", .help = "The I/O the jobs issue." },
	{ .name = "block_size", .type = RL_FT_U32, .offset = WL(block_size),
	  .min = 512, .max = 65536, .def = "4096", .flags = RL_FF_POW2,
	  .help = "Bytes per layout block; must equal the file system block size." },
	{ .name = "stripe", .type = RL_FT_STRING, .offset = WL(stripe),
	  .size = RL_STRIPE_MAX + 1, .min = 1, .max = RL_STRIPE_MAX, .charset = "WUH",
	  .def = "\"W\"",
	  .help = "Layout of one stripe, a block each: W written, U unwritten (fallocated), H hole. The file is a run of stripes." },
	{ .name = "io_size", .type = RL_FT_U32, .offset = WL(io_size),
	  .min = 1, .max = 16 * MIB, .def = "4096",
	  .help = "Bytes per I/O (at most 16 MiB); one I/O per stripe." },
	{ .name = "io_offset", .type = RL_FT_U32, .offset = WL(io_offset),
	  .min = 0, .max = 16 * MIB, .def = "0",
	  .help = "Byte offset of the I/O inside its stripe; not a multiple of the logical block size = unaligned." },
	{ .name = "order", .type = RL_FT_ENUM, .offset = WL(order), .names = order_names,
	  .def = "\"sequential\"", .help = "Order in which each job visits the stripes of its region." },
	{ .name = "direct", .type = RL_FT_BOOL, .offset = WL(direct), .def = "true",
	  .help = "Open the file with O_DIRECT (io_offset and io_size must then be multiples of 512)." },
	{ .name = "nowait", .type = RL_FT_BOOL, .offset = WL(nowait), .def = "false",
	  .help = "Submit first attempts with RWF_NOWAIT." },
	{ .name = "queue_depth", .type = RL_FT_U32, .offset = WL(queue_depth),
	  .min = 1, .max = 4096, .def = "32", .help = "I/Os in flight per job (its ring's depth)." },
	{ .name = "jobs", .type = RL_FT_U32_LIST, .offset = WL(jobs),
	  .size = RL_JOBS_LIST_MAX, .count_offset = WL(njobs), .min = 1, .max = 256,
	  .def = "[1]", .flags = RL_FF_NONEMPTY,
	  .help = "JOBS sweep: the workload runs once per entry with that many jobs (threads, one ring each) on one shared file." },
	{ .name = "size_per_job", .type = RL_FT_SIZE, .offset = WL(size_per_job),
	  .min = 4096, .max = TIB, .def = "\"64M\"",
	  .help = "Bytes of file region per job, before the suite's or --scale factor." },
	{ .name = "duration_ms", .type = RL_FT_U32, .offset = WL(duration_ms),
	  .min = 0, .max = 3600000, .def = "0",
	  .help = "Run for this long, wrapping around the region; 0 = one pass over the region." },
	{ .name = "repetitions", .type = RL_FT_U32, .offset = WL(repetitions),
	  .min = 1, .max = 1000, .def = "3", .help = "Repetitions per JOBS value, for medians and confidence intervals." },
	{ .name = "rebuild", .type = RL_FT_BOOL, .offset = WL(rebuild), .def = "true",
	  .help = "Rebuild the layout before every repetition, so every block is written exactly once per repetition." },
	{ .name = "extend", .type = RL_FT_BOOL, .offset = WL(extend), .def = "false",
	  .help = "No layout: the file is truncated to 0 and every write extends it (needs op write)." },
	{ .name = "sharing", .type = RL_FT_ENUM, .offset = WL(sharing), .names = sharing_names,
	  .def = "\"regions\"",
	  .help = "regions: job j owns region j of the file. interleave: all jobs write every stripe, job j at io_offset + j * io_size." },
	{ .name = "eagain_policy", .type = RL_FT_ENUM, .offset = WL(eagain_policy),
	  .names = eagain_names, .def = "\"count\"",
	  .help = "What a job does with -EAGAIN: count it and move on, resubmit without RWF_NOWAIT, or resubmit with RWF_NOWAIT after a backoff." },
	{ .name = "retry_max", .type = RL_FT_U32, .offset = WL(retry_max),
	  .min = 1, .max = 1000, .def = "16", .help = "retry-nowait: attempts before the I/O counts as failed." },
	{ .name = "retry_backoff_us", .type = RL_FT_U32, .offset = WL(retry_backoff_us),
	  .min = 0, .max = 1000000, .def = "50", .help = "retry-nowait: first backoff in microseconds, doubled on every retry." },
	{ .name = "cache", .type = RL_FT_ENUM, .offset = WL(cache), .names = cache_names,
	  .def = "\"hot\"",
	  .help = "Extent-status cache before each repetition: hot (file just laid out) or cold (as read back from disk: S_NOSEC cleared, caches dropped, file reopened, its extent status cache checked empty)." },
	{ .name = "timestamps", .type = RL_FT_ENUM, .offset = WL(timestamps),
	  .names = timestamps_names, .def = "\"fresh\"",
	  .help = "fresh: mtime/ctime already current when the writes start; stale: set in the past, so the first write must update them." },
	{ .name = "verify", .type = RL_FT_BOOL, .offset = WL(verify), .def = "true",
	  .help = "Read the file back after each repetition and check every written byte." },
	{ .name = "churn", .type = RL_FT_BOOL, .offset = WL(churn), .def = "false",
	  .help = "Run a metadata churn thread (fallocate, punch hole, truncate) beside the jobs." },
	{ .name = "es_reader", .type = RL_FT_BOOL, .offset = WL(es_reader), .def = "false",
	  .help = "Run a thread reading `/proc/fs/ext4/<dev>/es_shrinker_info` beside the jobs." },
	{ .name = "trace_eagain", .type = RL_FT_ENUM, .offset = WL(trace_eagain),
	  .names = trace_names, .def = "\"off\"",
	  .help = "on: attribute every refused RWF_NOWAIT write to its cause in the kernel (tracefs tracepoints, needs root); costs IOPS while it runs." },
	{ .name = "seed", .type = RL_FT_U64, .offset = WL(seed),
	  .min = 0, .max = 9007199254740991.0, .def = "1",
	  .help = "Seed of the random order and of the data pattern (at most 2^53 - 1, exact in JSON)." },
	{ .name = "expect", .type = RL_FT_OBJECT, .offset = WL(expect), .sub = expect_fields,
	  .help = "What a kernel is known to do with this workload; a suite is then also a regression test." },
	{ 0 }
};

static const char *enum_name(const char *const *names, int n, int v)
{
	return v >= 0 && v < n ? names[v] : "?";
}

const char *rl_op_name(enum rl_op v)
{
	return enum_name(op_names, RL_OP_MAX, v);
}

const char *rl_order_name(enum rl_order v)
{
	return enum_name(order_names, RL_ORDER_MAX, v);
}

const char *rl_eagain_policy_name(enum rl_eagain_policy v)
{
	return enum_name(eagain_names, RL_EAGAIN_MAX, v);
}

const char *rl_cache_name(enum rl_cache v)
{
	return enum_name(cache_names, RL_CACHE_MAX, v);
}

const char *rl_timestamps_name(enum rl_timestamps v)
{
	return enum_name(timestamps_names, RL_TS_MAX, v);
}

const char *rl_sharing_name(enum rl_sharing v)
{
	return enum_name(sharing_names, RL_SHARE_MAX, v);
}

void rl_workload_defaults(struct rl_workload *w)
{
	/* The table's defaults are checked by test_parser; they cannot fail here. */
	memset(w, 0, sizeof(*w));
	rl_fields_defaults(rl_workload_fields, w, NULL);
}

int rl_workload_apply(const void *cjson_obj, struct rl_workload *w, struct rl_err *err)
{
	return rl_fields_apply(rl_workload_fields, cjson_obj, w, RL_APPLY_OVERRIDE, err);
}

uint32_t rl_jobs_repeated(const uint32_t *jobs, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < RL_JOBS_LIST_MAX; i++)
		for (uint32_t j = 0; j < i; j++)
			if (jobs[i] == jobs[j])
				return jobs[i];
	return 0;
}

uint32_t rl_workload_max_jobs(const struct rl_workload *w)
{
	uint32_t i, m = 0;

	for (i = 0; i < w->njobs && i < RL_JOBS_LIST_MAX; i++)
		if (w->jobs[i] > m)
			m = w->jobs[i];
	return m;
}

/* The I/O of every job must fit inside one stripe. */
static int check_io_in_stripe(const struct rl_workload *w, struct rl_err *err)
{
	uint64_t stripe = rl_workload_stripe_bytes(w);
	uint64_t end;

	if (w->sharing == RL_SHARE_INTERLEAVE) {
		end = w->io_offset + (uint64_t)rl_workload_max_jobs(w) * w->io_size;
		if (end > stripe)
			return rl_err_set(err, -EINVAL,
					  "keys io_offset, io_size, jobs, sharing: with sharing interleave, io_offset + %u jobs * io_size = %llu is past the end of the %llu-byte stripe",
					  rl_workload_max_jobs(w), (unsigned long long)end,
					  (unsigned long long)stripe);
		return 0;
	}
	end = (uint64_t)w->io_offset + w->io_size;
	if (end > stripe)
		return rl_err_set(err, -EINVAL,
				  "keys io_offset, io_size, stripe: io_offset + io_size = %llu is past the end of the %llu-byte stripe",
				  (unsigned long long)end, (unsigned long long)stripe);
	return 0;
}

static int check_direct(const struct rl_workload *w, struct rl_err *err)
{
	if (!w->direct)
		return 0;
	if (w->io_offset % RL_DIO_ALIGN)
		return rl_err_set(err, -EINVAL,
				  "keys direct, io_offset: with direct, io_offset must be a multiple of %d (got %u)",
				  RL_DIO_ALIGN, w->io_offset);
	if (w->io_size % RL_DIO_ALIGN)
		return rl_err_set(err, -EINVAL,
				  "keys direct, io_size: with direct, io_size must be a multiple of %d (got %u)",
				  RL_DIO_ALIGN, w->io_size);
	return 0;
}

/* What the table checks per key, again, for workloads changed in C. */
static int check_basics(const struct rl_workload *w, struct rl_err *err)
{
	size_t len = strnlen(w->stripe, sizeof(w->stripe));

	if (!w->name[0])
		return rl_err_set(err, -EINVAL, "key name: must not be empty");
	if (!len || len > RL_STRIPE_MAX || rl_charset_match("WUH", w->stripe) >= 0)
		return rl_err_set(err, -EINVAL,
				  "key stripe: must be 1..%d characters of W, U, H", RL_STRIPE_MAX);
	if (!w->njobs || w->njobs > RL_JOBS_LIST_MAX)
		return rl_err_set(err, -EINVAL, "key jobs: must have 1..%d entries",
				  RL_JOBS_LIST_MAX);
	if (!rl_workload_max_jobs(w))
		return rl_err_set(err, -EINVAL, "key jobs: entries must be at least 1");
	if (rl_jobs_repeated(w->jobs, w->njobs))
		return rl_err_set(err, -EINVAL,
				  "key jobs: %u appears twice (each JOBS value is one cell per repetition)",
				  rl_jobs_repeated(w->jobs, w->njobs));
	return 0;
}

int rl_workload_check(const struct rl_workload *w, struct rl_err *err)
{
	char sz[32];
	int ret;

	ret = check_basics(w, err);
	if (!ret)
		ret = check_io_in_stripe(w, err);
	if (!ret)
		ret = check_direct(w, err);
	if (ret)
		return ret;
	if (w->size_per_job < rl_workload_stripe_bytes(w))
		return rl_err_set(err, -EINVAL,
				  "keys size_per_job, stripe: size_per_job %s is smaller than one %u-byte stripe",
				  rl_format_size(w->size_per_job, sz, sizeof(sz)),
				  rl_workload_stripe_bytes(w));
	if (w->extend && w->op != RL_OP_WRITE)
		return rl_err_set(err, -EINVAL, "keys extend, op: extend needs op write (got %s)",
				  rl_op_name(w->op));
	if (w->expect.kernel[0] && w->expect.eagain_rate < 0)
		return rl_err_set(err, -EINVAL,
				  "keys expect.kernel, expect.eagain_rate: a kernel pattern needs an expected eagain_rate (0..1)");
	return 0;
}

int rl_workload_parse(const void *cjson_obj, struct rl_workload *w, struct rl_err *err)
{
	int ret;

	rl_workload_defaults(w);
	ret = rl_fields_apply(rl_workload_fields, cjson_obj, w, RL_APPLY_FULL, err);
	return ret ? ret : rl_workload_check(w, err);
}

int rl_workload_load(const char *path, struct rl_workload *w, struct rl_err *err)
{
	cJSON *root;
	int ret;

	ret = rl_json_load_file(path, &root, err);
	if (ret)
		return ret;
	ret = rl_workload_parse(root, w, err);
	cJSON_Delete(root);
	return ret ? rl_err_prefix(err, ret, "%s", path) : 0;
}

void *rl_workload_to_json(const struct rl_workload *w)
{
	return rl_fields_to_json(rl_workload_fields, w);
}

void rl_workload_schema_markdown(FILE *out)
{
	rl_fields_markdown(rl_workload_fields, out);
}
