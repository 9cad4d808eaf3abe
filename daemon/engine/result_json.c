/* SPDX-License-Identifier: MIT */
/*
 * Result structs <-> JSON. Each struct is described once by a field table
 * that the one walker of schema/fields.c writes and reads (as a record), so
 * a field written is a field read, and a reader's error names the field's
 * full path. Only what does not fit a table (the format tag, timestamps,
 * workloads, the allocated cell array) has code of its own.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* strerrorname_np */
#endif

#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/fields.h"
#include "util/json.h"
#include "util/time_fmt.h"
#include "env.h"
#include "result_json.h"
#include "verify_found.h"

/*
 * Result rows for the walker in schema/fields.c. Counters are written as
 * plain JSON doubles, as ringlab-run-1 always was: stored runs and API
 * answers keep their bytes. Doubles that were not measured (NaN) travel as
 * null. Results are read as records (RL_APPLY_RECORD): every key present,
 * annotations ignored, values checked against their C type.
 */
#define MSIZE(st, m) sizeof(((st *)0)->m)
#define F(type_, key, st, m, ...) \
	{ .name = key, .type = type_, .offset = offsetof(st, m), __VA_ARGS__ }
#define F_U32(key, st, m) F(RL_FT_U32, key, st, m)
#define F_U64(key, st, m) F(RL_FT_U64, key, st, m, .flags = RL_FF_U64_AS_DOUBLE)
#define F_DBL(key, st, m) F(RL_FT_DOUBLE, key, st, m, .flags = RL_FF_NULL_NAN)
#define F_BOOL(key, st, m) F(RL_FT_BOOL, key, st, m)
#define F_STR(key, st, m) F(RL_FT_STRING, key, st, m, .size = MSIZE(st, m))
#define F_HEX(key, st, m) F(RL_FT_HEX, key, st, m, .size = MSIZE(st, m))
#define F_OBJ(key, st, m, sub_) F(RL_FT_OBJECT, key, st, m, .sub = sub_)
#define F_OPT(key, st, m, sub_) F(RL_FT_OPT_OBJECT, key, st, m, .size = MSIZE(st, m), .sub = sub_)
#define F_ENUM(key, st, m, fn, max_) F(RL_FT_ENUM, key, st, m, .name_of = fn, .max = (max_) - 1)
#define F_LIST(key, st, m, count, sub_) \
	F(RL_FT_OBJECT_LIST, key, st, m, .size = MSIZE(st, m) / MSIZE(st, m[0]), \
	  .elem_size = MSIZE(st, m[0]), .count_offset = offsetof(st, count), .sub = sub_)
#define F_END { .name = NULL }
/* Impossible outside min..max whoever measured it: refused when a run comes from outside. */
#define F_U32_MIN1(key, st, m) \
	F(RL_FT_U32, key, st, m, .min = 1, .max = UINT32_MAX, .flags = RL_FF_RECORD_BOUNDS)
#define F_DBL_RANGE(key, st, m, lo, hi) \
	F(RL_FT_DOUBLE, key, st, m, .min = lo, .max = hi, \
	  .flags = RL_FF_NULL_NAN | RL_FF_RECORD_BOUNDS)
/* Added after ringlab-run-1 began: older runs lack it (read_mismatch_compat()). */
#define F_U64_NEW(key, st, m) \
	F(RL_FT_U64, key, st, m, .flags = RL_FF_U64_AS_DOUBLE | RL_FF_RECORD_OPTIONAL)

/* RL_FT_OPT_OBJECT relies on valid first; RL_FT_ENUM on int enums; lists on uint32_t counts. */
_Static_assert(offsetof(struct rl_latency, valid) == 0, "latency valid first");
_Static_assert(offsetof(struct rl_es_stats, valid) == 0, "es valid first");
_Static_assert(offsetof(struct rl_disk_stats, valid) == 0, "disk valid first");
_Static_assert(offsetof(struct rl_eagain_causes, valid) == 0, "causes valid first");
_Static_assert(offsetof(struct rl_env_vm, valid) == 0, "vm valid first");
_Static_assert(sizeof(enum rl_causes_status) == sizeof(int), "enum is int");
_Static_assert(sizeof(enum rl_run_status) == sizeof(int), "enum is int");
_Static_assert(sizeof(enum rl_verify_status) == sizeof(int), "enum is int");
_Static_assert(sizeof(enum rl_found_kind) == sizeof(int), "enum is int");
_Static_assert(offsetof(struct rl_found_counts, valid) == 0, "found counts valid first");
_Static_assert(sizeof(enum rl_expect_status) == sizeof(int), "enum is int");
_Static_assert(MSIZE(struct rl_cell, nerrors) == sizeof(uint32_t), "counts are uint32_t");
_Static_assert(MSIZE(struct rl_verify_result, nranges) == sizeof(uint32_t), "counts are uint32_t");

static const char *run_status(int v) { return rl_run_status_name(v); }
static const char *verify_status(int v) { return rl_verify_status_name(v); }
static const char *expect_status(int v) { return rl_expect_status_name(v); }
static const char *causes_status(int v) { return rl_causes_status_name(v); }
static const char *found_kind(int v) { return rl_found_kind_name(v); }

static const struct rl_field latency_fields[] = {
	F_U64("p50", struct rl_latency, p50),
	F_U64("p90", struct rl_latency, p90),
	F_U64("p99", struct rl_latency, p99),
	F_U64("p999", struct rl_latency, p999),
	F_U64("max", struct rl_latency, max),
	F_U64("mean", struct rl_latency, mean),
	F_END
};

static const struct rl_field es_fields[] = {
	F_U64("objects", struct rl_es_stats, objects),
	F_U64("reclaimable", struct rl_es_stats, reclaimable),
	F_U64("hits", struct rl_es_stats, hits),
	F_U64("misses", struct rl_es_stats, misses),
	F_END
};

static const struct rl_field disk_fields[] = {
	F_U64("rd_ios", struct rl_disk_stats, rd_ios),
	F_U64("rd_merges", struct rl_disk_stats, rd_merges),
	F_U64("rd_sectors", struct rl_disk_stats, rd_sectors),
	F_U64("rd_ticks_ms", struct rl_disk_stats, rd_ticks_ms),
	F_U64("wr_ios", struct rl_disk_stats, wr_ios),
	F_U64("wr_merges", struct rl_disk_stats, wr_merges),
	F_U64("wr_sectors", struct rl_disk_stats, wr_sectors),
	F_U64("wr_ticks_ms", struct rl_disk_stats, wr_ticks_ms),
	F_U64("in_flight", struct rl_disk_stats, in_flight),
	F_U64("io_ticks_ms", struct rl_disk_stats, io_ticks_ms),
	F_U64("time_in_queue_ms", struct rl_disk_stats, time_in_queue_ms),
	F_END
};

/* "name" is derived from "errno" when written and ignored when read. */
static const struct rl_field errno_fields[] = {
	F(RL_FT_INT, "errno", struct rl_errno_count, err),
	F(RL_FT_ENUM, "name", struct rl_errno_count, err, .name_of = rl_errno_name,
	  .flags = RL_FF_WRITE_ONLY),
	F_U64("count", struct rl_errno_count, count),
	F_END
};

static const struct rl_field mismatch_fields[] = {
	F_U64("offset", struct rl_mismatch, offset),
	F_U64("length", struct rl_mismatch, length),
	F_U64_NEW("bytes_bad", struct rl_mismatch, bytes_bad),
	F_U64_NEW("first_bad", struct rl_mismatch, first_bad),
	F_HEX("expected", struct rl_mismatch, expected),
	F_HEX("found", struct rl_mismatch, found),
	F_BOOL("zeros", struct rl_mismatch, zeros),
	F(RL_FT_ENUM, "found_as", struct rl_mismatch, found_as.kind, .name_of = found_kind,
	  .max = RL_FOUND_MAX - 1, .flags = RL_FF_RECORD_OPTIONAL),
	F(RL_FT_U32, "found_gen", struct rl_mismatch, found_as.gen, .flags = RL_FF_RECORD_OPTIONAL),
	F_U64_NEW("found_offset", struct rl_mismatch, found_as.offset),
	F_END
};

/* One key per kind, in the enum's order; the keys are rl_found_kind_name()'s. */
#define F_FOUND(k, key) F_U64(key, struct rl_found_counts, n[k])
static const struct rl_field found_block_fields[] = {
	F_FOUND(RL_FOUND_UNCLASSIFIED, "unclassified"),
	F_FOUND(RL_FOUND_LAYOUT_LOST, "layout_lost"),
	F_FOUND(RL_FOUND_WRITE_LOST, "write_lost"),
	F_FOUND(RL_FOUND_LAYOUT, "layout_data"),
	F_FOUND(RL_FOUND_OLDER_WRITE, "older_write"),
	F_FOUND(RL_FOUND_REFUSED_WRITE, "refused_write"),
	F_FOUND(RL_FOUND_UNRECORDED, "unrecorded_write"),
	F_FOUND(RL_FOUND_MISPLACED, "misplaced"),
	F_FOUND(RL_FOUND_FOREIGN, "foreign"),
	F_END
};
_Static_assert(sizeof(found_block_fields) / sizeof(found_block_fields[0]) == RL_FOUND_MAX + 1,
	       "a key per found kind");

static const struct rl_field verify_fields[] = {
	F_ENUM("status", struct rl_verify_result, status, verify_status, RL_VERIFY_MAX),
	F_U64("bytes_checked", struct rl_verify_result, bytes_checked),
	F_U64("bytes_bad", struct rl_verify_result, bytes_bad),
	F_U64("bytes_skipped", struct rl_verify_result, bytes_skipped),
	F_U64("ranges_total", struct rl_verify_result, ranges_total),
	F_LIST("ranges", struct rl_verify_result, ranges, nranges, mismatch_fields),
	/* null while nothing was bad: a clean cell costs one JSON value, not ten */
	F(RL_FT_OPT_OBJECT, "found_blocks", struct rl_verify_result, found_blocks,
	  .size = MSIZE(struct rl_verify_result, found_blocks), .sub = found_block_fields,
	  .flags = RL_FF_RECORD_OPTIONAL),
	F_END
};

/* One key per cause, in the vocabulary's order; the keys are rl_cause_key()'s. */
#define F_CAUSE(c, key) F_U64(key, struct rl_eagain_causes, counts[c])
static const struct rl_field cause_count_fields[] = {
	F_CAUSE(RL_CAUSE_LOCK, "inode_lock"),
	F_CAUSE(RL_CAUSE_TIMESTAMP, "timestamp_update"),
	F_CAUSE(RL_CAUSE_ES_MISS, "extent_cache_miss"),
	F_CAUSE(RL_CAUSE_ALLOC, "allocation"),
	F_CAUSE(RL_CAUSE_UNALIGNED, "unaligned_zeroing"),
	F_CAUSE(RL_CAUSE_EXTEND, "extending_write"),
	F_CAUSE(RL_CAUSE_INVALIDATE, "invalidation"),
	F_CAUSE(RL_CAUSE_JOURNAL, "journal_start"),
	F_CAUSE(RL_CAUSE_OTHER, "other"),
	F_CAUSE(RL_CAUSE_UNKNOWN, "unknown"),
	F_END
};
_Static_assert(sizeof(cause_count_fields) / sizeof(cause_count_fields[0]) == RL_CAUSE_MAX + 1,
	       "a key per cause");

/* "counts" is the struct itself seen through cause_count_fields. */
static const struct rl_field causes_fields[] = {
	F_ENUM("status", struct rl_eagain_causes, status, causes_status, RL_CAUSES_STATUS_MAX),
	F(RL_FT_OBJECT, "counts", struct rl_eagain_causes, valid, .sub = cause_count_fields),
	F_U64("unattributed", struct rl_eagain_causes, unattributed),
	F_STR("other_function", struct rl_eagain_causes, other_function),
	F_STR("note", struct rl_eagain_causes, note),
	F_END
};

static const struct rl_field cell_fields[] = {
	F_STR("workload", struct rl_cell, workload),
	F_U32_MIN1("jobs", struct rl_cell, jobs),
	F_U32_MIN1("rep", struct rl_cell, rep),
	F_U64("attempts", struct rl_cell, attempts),
	F_U64("ops", struct rl_cell, ops),
	F_U64("bytes", struct rl_cell, bytes),
	F_U64("eagain", struct rl_cell, eagain),
	F_U64("retries", struct rl_cell, retries),
	F_U64("gave_up", struct rl_cell, gave_up),
	F_U64("short_ios", struct rl_cell, short_ios),
	F_LIST("errors", struct rl_cell, errors, nerrors, errno_fields),
	F_DBL_RANGE("elapsed_s", struct rl_cell, elapsed_s, 0, INFINITY),
	F_DBL_RANGE("iops", struct rl_cell, iops, 0, INFINITY),
	F_DBL_RANGE("bw_bytes_s", struct rl_cell, bw_bytes_s, 0, INFINITY),
	F_DBL_RANGE("eagain_rate", struct rl_cell, eagain_rate, 0, 1),
	/* null when nothing completed (ringlab-run-1 readers before that read an object) */
	F_OPT("lat_ns", struct rl_cell, lat, latency_fields),
	F_U64("enter_calls", struct rl_cell, enter_calls),
	F_U64("enter_ns", struct rl_cell, enter_ns),
	F_OPT("enter_lat_ns", struct rl_cell, enter, latency_fields),
	F_DBL_RANGE("cpu_user_s", struct rl_cell, cpu_user_s, 0, INFINITY),
	F_DBL_RANGE("cpu_sys_s", struct rl_cell, cpu_sys_s, 0, INFINITY),
	F_U64("ctx_voluntary", struct rl_cell, ctx_voluntary),
	F_U64("ctx_involuntary", struct rl_cell, ctx_involuntary),
	F_U32("iowq_workers_max", struct rl_cell, iowq_workers_max),
	F_OPT("es_before", struct rl_cell, es_before, es_fields),
	F_OPT("es_after", struct rl_cell, es_after, es_fields),
	F_OPT("disk_before", struct rl_cell, disk_before, disk_fields),
	F_OPT("disk_after", struct rl_cell, disk_after, disk_fields),
	F_U32("layout_extents", struct rl_cell, layout_extents),
	F(RL_FT_INT, "es_cached_extents", struct rl_cell, es_cached_extents, .def = "-1",
	  .min = -1, .max = INT32_MAX,
	  .flags = RL_FF_RECORD_OPTIONAL),
	F_DBL_RANGE("layout_s", struct rl_cell, layout_s, 0, INFINITY),
	F_OBJ("verify", struct rl_cell, verify, verify_fields),
	F_ENUM("expect", struct rl_cell, expect, expect_status, RL_EXPECT_MAX),
	F(RL_FT_OPT_OBJECT, "eagain_causes", struct rl_cell, causes, .size = MSIZE(struct rl_cell, causes),
	  .sub = causes_fields, .flags = RL_FF_RECORD_OPTIONAL),
	F_BOOL("failed", struct rl_cell, failed),
	F_STR("error", struct rl_cell, error),
	F_END
};

/* Derived from env.cmdline (rl_env_derive()): written for readers, derived again when read. */
static const struct rl_field env_vm_fields[] = {
	F_STR("variant", struct rl_env_vm, variant),
	F_STR("accel", struct rl_env_vm, accel),
	F_STR("tcg_thread", struct rl_env_vm, tcg_thread),
	F_U32("vcpus", struct rl_env_vm, vcpus),
	F_STR("cpu", struct rl_env_vm, cpu),
	F_END
};

/* The lab host a guest ran on, added by the lab side (vm-run.sh). */
static const struct rl_field env_host_fields[] = {
	F_STR("hostname", struct rl_env_host, hostname),
	F(RL_FT_STRING, "machine_id", struct rl_env_host, machine_id,
	  .size = MSIZE(struct rl_env_host, machine_id), .flags = RL_FF_RECORD_OPTIONAL),
	F(RL_FT_STRING, "cpu_model", struct rl_env_host, cpu_model,
	  .size = MSIZE(struct rl_env_host, cpu_model), .flags = RL_FF_RECORD_OPTIONAL),
	F_END
};

static const struct rl_field env_fields[] = {
	F_STR("kernel_release", struct rl_env, kernel_release),
	F_STR("kernel_version", struct rl_env, kernel_version),
	F_STR("cmdline", struct rl_env, cmdline),
	F_STR("hostname", struct rl_env, hostname),
	F_STR("machine", struct rl_env, machine),
	F(RL_FT_STRING, "machine_id", struct rl_env, machine_id,
	  .size = MSIZE(struct rl_env, machine_id), .flags = RL_FF_RECORD_OPTIONAL),
	F(RL_FT_STRING, "cpu_model", struct rl_env, cpu_model,
	  .size = MSIZE(struct rl_env, cpu_model), .flags = RL_FF_RECORD_OPTIONAL),
	F_U32("cpus", struct rl_env, cpus),
	F_STR("ringlab_version", struct rl_env, ringlab_version),
	F_STR("dir", struct rl_env, dir),
	F_STR("fs_type", struct rl_env, fs_type),
	F_STR("mount_source", struct rl_env, mount_source),
	F_STR("mount_options", struct rl_env, mount_options),
	F_U32("fs_block_size", struct rl_env, fs_block_size),
	F_STR("device", struct rl_env, device),
	F_STR("device_model", struct rl_env, device_model),
	F_STR("backing_file", struct rl_env, backing_file),
	F_BOOL("rotational", struct rl_env, rotational),
	F_STR("scheduler", struct rl_env, scheduler),
	F_U32("logical_block_size", struct rl_env, logical_block_size),
	F_U32("uring_setup_flags", struct rl_env, uring_setup_flags),
	F_STR("uring_setup", struct rl_env, uring_setup),
	F_STR("uring_features", struct rl_env, uring_features),
	F_STR("uring_opcodes", struct rl_env, uring_opcodes),
	F_STR("label", struct rl_env, label),
	F_STR("kernel_tag", struct rl_env, kernel_tag),
	F(RL_FT_STRING, "kernel_family", struct rl_env, kernel_family,
	  .size = MSIZE(struct rl_env, kernel_family), .flags = RL_FF_RECORD_OPTIONAL),
	F(RL_FT_STRING, "kernel_family_version", struct rl_env, kernel_family_version,
	  .size = MSIZE(struct rl_env, kernel_family_version), .flags = RL_FF_RECORD_OPTIONAL),
	F(RL_FT_STRING, "eagain_trace", struct rl_env, eagain_trace,
	  .size = MSIZE(struct rl_env, eagain_trace), .flags = RL_FF_RECORD_OPTIONAL),
	F(RL_FT_STRING, "eagain_probes", struct rl_env, eagain_probes,
	  .size = MSIZE(struct rl_env, eagain_probes), .flags = RL_FF_RECORD_OPTIONAL),
	F(RL_FT_OPT_OBJECT, "vm", struct rl_env, vm, .size = MSIZE(struct rl_env, vm),
	  .sub = env_vm_fields, .flags = RL_FF_RECORD_OPTIONAL),
	F(RL_FT_OPT_OBJECT, "lab_host", struct rl_env, lab_host,
	  .size = MSIZE(struct rl_env, lab_host), .sub = env_host_fields,
	  .flags = RL_FF_RECORD_OPTIONAL),
	F_END
};

/*
 * One workload x jobs over its repetitions (rl_cell_summary()), written
 * with the run for readers that want the verdict of the repetitions
 * (unstable, timing-dependent, n/a) without redoing the arithmetic. Derived
 * from the cells, so never read back.
 */
static const struct rl_field summary_fields[] = {
	F_U32("reps", struct rl_cell_summary, reps),
	F_U32("measured", struct rl_cell_summary, measured),
	F_U32("completed", struct rl_cell_summary, completed),
	F_DBL("iops_median", struct rl_cell_summary, iops_median),
	F_DBL("iops_min", struct rl_cell_summary, iops_min),
	F_DBL("iops_max", struct rl_cell_summary, iops_max),
	F_U64("p99_max_ns", struct rl_cell_summary, p99_max),
	F_U64("attempts", struct rl_cell_summary, attempts),
	F_U64("eagain", struct rl_cell_summary, eagain),
	F_DBL("eagain_rate", struct rl_cell_summary, eagain_rate),
	F_U32("eagain_reps", struct rl_cell_summary, eagain_reps),
	F_DBL("eagain_rate_min", struct rl_cell_summary, eagain_min),
	F_DBL("eagain_rate_max", struct rl_cell_summary, eagain_max),
	F_DBL("eagain_rate_sd", struct rl_cell_summary, eagain_sd),
	F_BOOL("unstable", struct rl_cell_summary, unstable),
	F_BOOL("timing_dependent", struct rl_cell_summary, timing_dependent),
	F_END
};

/* The run's plain fields; the format, timestamps, env, workloads and cells have code below. */
static const struct rl_field run_fields[] = {
	F_STR("suite", struct rl_run, suite),
	F_DBL("scale", struct rl_run, scale),
	F_ENUM("status", struct rl_run, status, run_status, RL_RUN_MAX),
	F_STR("error", struct rl_run, error),
	F_END
};

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
const char *rl_errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown";
}
#else
/* The errnos a write path can plausibly return, for libcs without strerrorname_np. */
static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" }, { EIO, "EIO" },
	{ ENXIO, "ENXIO" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
	{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EINVAL, "EINVAL" }, { EFBIG, "EFBIG" },
	{ ENOSPC, "ENOSPC" }, { EROFS, "EROFS" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ECANCELED, "ECANCELED" }, { ETIMEDOUT, "ETIMEDOUT" }, { EDQUOT, "EDQUOT" },
	{ ENODATA, "ENODATA" }, { EUCLEAN, "EUCLEAN" },
};

const char *rl_errno_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "unknown";
}
#endif

/* ---- writing ---------------------------------------------------------- */

cJSON *rl_env_to_json(const struct rl_env *env)
{
	return rl_fields_to_json(env_fields, env);
}

cJSON *rl_cell_to_json(const struct rl_cell *c)
{
	return rl_fields_to_json(cell_fields, c);
}

static bool add_item(cJSON *obj, const char *name, cJSON *item)
{
	if (!item)
		return false;
	cJSON_AddItemToObject(obj, name, item);
	return true;
}

static cJSON *workloads_to_json(const struct rl_run *run)
{
	cJSON *arr = cJSON_CreateArray(), *w;
	size_t i;

	if (!arr)
		return NULL;
	for (i = 0; i < run->nworkloads; i++) {
		w = rl_workload_to_json(&run->workloads[i]);
		if (!w) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, w);
	}
	return arr;
}

static cJSON *cells_to_json(const struct rl_run *run)
{
	cJSON *arr = cJSON_CreateArray(), *c;
	size_t i;

	if (!arr)
		return NULL;
	for (i = 0; i < run->ncells; i++) {
		c = rl_cell_to_json(&run->cells[i]);
		if (!c) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, c);
	}
	return arr;
}

/* The summary of (@workload, @jobs), with its key; NULL when out of memory. */
static cJSON *summary_to_json(const struct rl_run *run, const char *workload, uint32_t jobs)
{
	struct rl_cell_summary s;
	cJSON *o;

	if (rl_cell_summary(run, workload, jobs, &s) < 0)
		return NULL;
	o = cJSON_CreateObject();
	if (!o || !add_item(o, "workload", cJSON_CreateString(workload)) ||
	    !add_item(o, "jobs", cJSON_CreateNumber(jobs)) || rl_fields_write(o, summary_fields, &s)) {
		cJSON_Delete(o);
		return NULL;
	}
	/* The rate of a side whose repetitions disagree is no rate: unstable says so. */
	if (s.eagain_rate < 0 || s.unstable)
		cJSON_ReplaceItemInObjectCaseSensitive(o, "eagain_rate", cJSON_CreateNull());
	return o;
}

/* Whether cell @i is the first of its (workload, jobs). */
static bool first_of_key(const struct rl_run *run, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (run->cells[k].jobs == run->cells[i].jobs &&
		    !strcmp(run->cells[k].workload, run->cells[i].workload))
			return false;
	return true;
}

static cJSON *summaries_to_json(const struct rl_run *run)
{
	cJSON *arr = cJSON_CreateArray(), *o;

	for (size_t i = 0; arr && i < run->ncells; i++) {
		if (!first_of_key(run, i))
			continue;
		o = summary_to_json(run, run->cells[i].workload, run->cells[i].jobs);
		if (!o) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *rl_run_to_json(const struct rl_run *run)
{
	cJSON *obj = cJSON_CreateObject();
	bool ok;

	if (!obj)
		return NULL;
	ok = add_item(obj, "format", cJSON_CreateString(RL_RUN_FORMAT)) &&
	     !rl_fields_write(obj, run_fields, run) &&
	     add_item(obj, "started", rl_json_iso_time(run->started_ns)) &&
	     add_item(obj, "started_ns", cJSON_CreateNumber((double)run->started_ns)) &&
	     add_item(obj, "finished", rl_json_iso_time(run->finished_ns)) &&
	     add_item(obj, "finished_ns", cJSON_CreateNumber((double)run->finished_ns)) &&
	     add_item(obj, "env", rl_env_to_json(&run->env)) &&
	     add_item(obj, "workloads", workloads_to_json(run)) &&
	     add_item(obj, "cells", cells_to_json(run)) &&
	     add_item(obj, "summaries", summaries_to_json(run));
	if (!ok) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

/* ---- reading ---------------------------------------------------------- */

static int bad(struct rl_err *err, const char *path, const char *what)
{
	return rl_err_set(err, -EINVAL, "%s: %s", path, what);
}

/* The env of a record; what follows from its cmdline and tag is derived again (env_derive.c). */
static int read_env(const cJSON *j, struct rl_env *env, enum rl_apply_mode mode,
		    struct rl_err *err)
{
	int ret = rl_fields_apply_at(env_fields, j, env, mode, "env", err);

	if (!ret)
		rl_env_derive(env);
	return ret;
}

int rl_env_from_json(const cJSON *j, struct rl_env *env, struct rl_err *err)
{
	memset(env, 0, sizeof(*env));
	return read_env(j, env, RL_APPLY_RECORD, err);
}

/* Ranges of runs written before ranges were blocks: every byte of one was bad. */
static void read_mismatch_compat(struct rl_cell *c)
{
	for (uint32_t i = 0; i < c->verify.nranges; i++) {
		struct rl_mismatch *m = &c->verify.ranges[i];

		if (!m->bytes_bad) {
			m->bytes_bad = m->length;
			m->first_bad = m->offset;
		}
	}
}

int rl_cell_from_json(const cJSON *j, struct rl_cell *c, struct rl_err *err)
{
	int ret;

	memset(c, 0, sizeof(*c));
	if (!cJSON_IsObject(j))
		return rl_err_set(err, -EINVAL, "cell: expected an object");
	ret = rl_fields_apply(cell_fields, j, c, RL_APPLY_RECORD, err);
	if (!ret)
		read_mismatch_compat(c);
	return ret;
}

/*
 * @key is an ISO 8601 string (exact) or null; the number @key_ns is read
 * when the string is null, so both must be present.
 */
static int read_time(const cJSON *obj, const char *key, const char *key_ns, int64_t *out,
		     struct rl_err *err)
{
	const cJSON *iso = cJSON_GetObjectItemCaseSensitive(obj, key);
	int64_t ns;
	int ret;

	if (!iso)
		return bad(err, key, "missing");
	if (!cJSON_GetObjectItemCaseSensitive(obj, key_ns))
		return bad(err, key_ns, "missing");
	/* Only used when the string is null, i.e. 0, but never a fraction left unsaid. */
	if (!rl_json_get_i64(obj, key_ns, &ns))
		return bad(err, key_ns, "expected a whole number of ns (int64)");
	if (cJSON_IsNull(iso)) {
		*out = ns;
		return 0;
	}
	ret = cJSON_IsString(iso) ? rl_time_parse_iso(iso->valuestring, out) : -EINVAL;
	if (ret == -EDOM)
		return rl_err_set(err, -EINVAL, "%s: \"%.40s\" is no real date and time", key,
				  iso->valuestring);
	if (ret == -ERANGE)
		return rl_err_set(err, -EINVAL,
				  "%s: \"%.40s\" is outside 1677-09-21..2262-04-11 (int64 nanoseconds)",
				  key, iso->valuestring);
	if (ret)
		return bad(err, key, "expected an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SS.nsZ) or null");
	return 0;
}

static int read_workloads(const cJSON *obj, struct rl_run *run, struct rl_err *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "workloads"), *item;
	size_t n, i = 0;
	int ret;

	if (!arr)
		return bad(err, "workloads", "missing");
	if (!cJSON_IsArray(arr))
		return bad(err, "workloads", "expected an array");
	n = (size_t)cJSON_GetArraySize(arr);
	if (!n)
		return 0;
	run->workloads = calloc(n, sizeof(*run->workloads));
	if (!run->workloads)
		return rl_err_set(err, -ENOMEM, "workloads: out of memory");
	cJSON_ArrayForEach(item, arr) {
		ret = rl_workload_parse(item, &run->workloads[i], err);
		if (ret < 0)
			return rl_err_prefix(err, ret, "workloads[%zu]", i);
		run->nworkloads = ++i;
	}
	return 0;
}

/* The most cells @run's workloads make: one per JOBS value and repetition of each. */
static uint64_t cells_made(const struct rl_run *run)
{
	uint64_t n = 0;

	for (size_t i = 0; i < run->nworkloads; i++)
		n += (uint64_t)run->workloads[i].njobs * run->workloads[i].repetitions;
	return n;
}

/* The cells are allocated to measure, so not a fixed-size table list. */
static int read_cells(const cJSON *obj, struct rl_run *run, struct rl_err *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "cells"), *item;
	char path[32];
	size_t n, i = 0;
	int ret;

	if (!arr)
		return bad(err, "cells", "missing");
	if (!cJSON_IsArray(arr))
		return bad(err, "cells", "expected an array");
	n = (size_t)cJSON_GetArraySize(arr);
	if (!n)
		return 0;
	/* Checked before the array is allocated: a document may claim any length. */
	if (n > cells_made(run))
		return rl_err_set(err, -EINVAL,
				  "cells: %zu of them, more than the %llu its workloads make (JOBS values x repetitions)",
				  n, (unsigned long long)cells_made(run));
	run->cells = calloc(n, sizeof(*run->cells));
	if (!run->cells)
		return rl_err_set(err, -ENOMEM, "cells: out of memory");
	run->cells_cap = n;
	cJSON_ArrayForEach(item, arr) {
		snprintf(path, sizeof(path), "cells[%zu]", i);
		ret = rl_fields_apply_at(cell_fields, item, &run->cells[i],
					 RL_APPLY_RECORD_CHECKED, path, err);
		if (ret < 0)
			return ret;
		read_mismatch_compat(&run->cells[i]);
		run->ncells = ++i;
	}
	return 0;
}

/* What one cell's verification cannot say at once: fewer bad than checked, ok with none bad. */
static int check_verify(const struct rl_verify_result *v, size_t i, struct rl_err *err)
{
	if (v->bytes_bad > v->bytes_checked)
		return rl_err_set(err, -EINVAL,
				  "cells[%zu].verify.bytes_bad: %" PRIu64 " is more than bytes_checked (%" PRIu64 ")",
				  i, v->bytes_bad, v->bytes_checked);
	if (v->status == RL_VERIFY_OK && (v->bytes_bad || v->ranges_total))
		return rl_err_set(err, -EINVAL,
				  "cells[%zu].verify.status: \"ok\" with %" PRIu64 " bad bytes in %" PRIu64 " ranges",
				  i, v->bytes_bad, v->ranges_total);
	if (v->nranges > v->ranges_total)
		return rl_err_set(err, -EINVAL,
				  "cells[%zu].verify.ranges: %u kept of only %" PRIu64 " (ranges_total)",
				  i, v->nranges, v->ranges_total);
	return 0;
}

/*
 * A cell's -EAGAIN count against its first attempts: each refusal counted is
 * a first attempt's (job.c), and summaries and comparisons take the rate
 * from the two counts, so more refusals than attempts is a rate over 100 %.
 */
static int check_eagain(const struct rl_cell *c, size_t i, struct rl_err *err)
{
	if (c->eagain > c->attempts)
		return rl_err_set(err, -EINVAL,
				  "cells[%zu].eagain: %" PRIu64 " refusals of only %" PRIu64 " first attempts",
				  i, c->eagain, c->attempts);
	return 0;
}

/* A cell's JOBS value and repetition against its workload's sweep, as the runner makes them. */
static int check_sweep(const struct rl_workload *w, const struct rl_cell *c, size_t i,
		       struct rl_err *err)
{
	uint32_t k;

	for (k = 0; k < w->njobs && w->jobs[k] != c->jobs; k++)
		;
	if (k == w->njobs)
		return rl_err_set(err, -EINVAL,
				  "cells[%zu].jobs: %u is not in the JOBS sweep of workload %s", i,
				  c->jobs, w->name);
	if (c->rep > w->repetitions)
		return rl_err_set(err, -EINVAL,
				  "cells[%zu].rep: %u is past the %u repetitions of workload %s", i,
				  c->rep, w->repetitions, w->name);
	return 0;
}

/* Cells by (workload, jobs, rep), then by place: a key met twice sorts its two together. */
static int cell_key_cmp(const void *a, const void *b)
{
	const struct rl_cell *x = *(const struct rl_cell *const *)a;
	const struct rl_cell *y = *(const struct rl_cell *const *)b;
	int r = strcmp(x->workload, y->workload);

	if (r)
		return r;
	if (x->jobs != y->jobs)
		return x->jobs < y->jobs ? -1 : 1;
	if (x->rep != y->rep)
		return x->rep < y->rep ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* One cell per (workload, jobs, rep): sorted, so that a run of 16000 cells costs n log n. */
static int check_unique_cells(const struct rl_run *run, struct rl_err *err)
{
	const struct rl_cell **v;
	size_t i;
	int ret = 0;

	if (run->ncells < 2)
		return 0;
	v = malloc(run->ncells * sizeof(*v));
	if (!v)
		return rl_err_set(err, -ENOMEM, "cells: out of memory");
	for (i = 0; i < run->ncells; i++)
		v[i] = &run->cells[i];
	qsort(v, run->ncells, sizeof(*v), cell_key_cmp);
	for (i = 1; i < run->ncells && !ret; i++)
		if (!strcmp(v[i]->workload, v[i - 1]->workload) && v[i]->jobs == v[i - 1]->jobs &&
		    v[i]->rep == v[i - 1]->rep)
			ret = rl_err_set(err, -EINVAL,
					 "cells[%td]: workload %s, jobs %u, rep %u again (cells[%td] has it)",
					 v[i] - run->cells, v[i]->workload, v[i]->jobs, v[i]->rep,
					 v[i - 1] - run->cells);
	free(v);
	return ret;
}

/*
 * The contradictions no single field shows: a cell of a workload the run does
 * not list, or of a JOBS value or repetition it does not make, one measured
 * twice, more refusals than attempts, verification that disagrees with itself, a run "done" although
 * every cell failed (the runner calls such a run failed). Returns 0 or
 * -EINVAL naming the field.
 */
static int check_run(const struct rl_run *run, struct rl_err *err)
{
	size_t i, failed = 0;
	int ret;

	for (i = 0; i < run->ncells; i++) {
		const struct rl_cell *c = &run->cells[i];

		const struct rl_workload *w = rl_run_workload(run, c->workload);

		if (!w)
			return rl_err_set(err, -EINVAL,
					  "cells[%zu].workload: \"%s\" is not one of the run's workloads",
					  i, c->workload);
		ret = check_sweep(w, c, i, err);
		if (!ret)
			ret = check_eagain(c, i, err);
		if (!ret)
			ret = check_verify(&c->verify, i, err);
		if (ret)
			return ret;
		failed += c->failed;
	}
	if (run->status == RL_RUN_DONE && run->ncells && failed == run->ncells)
		return rl_err_set(err, -EINVAL, "status: \"done\" but all %zu cells failed",
				  run->ncells);
	return check_unique_cells(run, err);
}

static int read_run(const cJSON *j, struct rl_run *run, struct rl_err *err)
{
	const cJSON *format, *env;
	int ret;

	if (!cJSON_IsObject(j))
		return rl_err_set(err, -EINVAL, "run: expected an object");
	format = cJSON_GetObjectItemCaseSensitive(j, "format");
	if (!format)
		return bad(err, "format", "missing");
	if (!cJSON_IsString(format) || strcmp(format->valuestring, RL_RUN_FORMAT) != 0)
		return bad(err, "format", "expected \"" RL_RUN_FORMAT "\"");
	ret = rl_fields_apply(run_fields, j, run, RL_APPLY_RECORD_CHECKED, err);
	if (!ret)
		ret = read_time(j, "started", "started_ns", &run->started_ns, err);
	if (!ret)
		ret = read_time(j, "finished", "finished_ns", &run->finished_ns, err);
	if (!ret) {
		env = cJSON_GetObjectItemCaseSensitive(j, "env");
		ret = env ? read_env(env, &run->env, RL_APPLY_RECORD_CHECKED, err) : bad(err, "env", "missing");
	}
	if (!ret)
		ret = read_workloads(j, run, err);
	if (!ret)
		ret = read_cells(j, run, err);
	if (!ret)
		ret = check_run(run, err);
	return ret;
}

int rl_run_from_json(const cJSON *j, struct rl_run *run, struct rl_err *err)
{
	int ret;

	memset(run, 0, sizeof(*run));
	ret = read_run(j, run, err);
	if (ret < 0)
		rl_run_free(run);
	return ret;
}
