/* SPDX-License-Identifier: MIT */
/*
 * Result structs <-> JSON. Each struct is described once by a field table
 * (name, type, offset); one writer and one reader walk the tables, so a field
 * written is a field read, and a reader's error names the field's full path.
 * Only what does not fit a table (timestamps, workloads, the cell array) has
 * code of its own.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* strerrorname_np */
#endif

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/time_fmt.h"
#include "result_json.h"

enum jtype {
	JT_U32,		/* uint32_t */
	JT_U64,		/* uint64_t */
	JT_INT,		/* int */
	JT_DOUBLE,	/* double; null in JSON for NaN and infinities */
	JT_BOOL,	/* bool */
	JT_STR,		/* char[size] */
	JT_HEX,		/* uint8_t[size], as 2 * size hex digits */
	JT_ENUM,	/* an enum (int-sized), by name */
	JT_OBJ,		/* nested struct described by sub */
	JT_OPT_OBJ,	/* nested struct whose first member is bool valid: null when false */
	JT_ARRAY,	/* elem[max] of sub, with a uint32_t count at count_off */
	JT_ERRNAME,	/* the name of the errno in the int at offset: written, never read */
};

struct jfield {
	const char *name;
	enum jtype type;
	size_t off, size;
	const struct jfield *sub;		/* JT_OBJ, JT_OPT_OBJ, JT_ARRAY */
	const char *(*enum_name)(int v);	/* JT_ENUM */
	int enum_max;				/* JT_ENUM */
	size_t count_off, max;			/* JT_ARRAY: count and capacity */
};

#define F(type_, name_, st, member) \
	{ .name = name_, .type = type_, .off = offsetof(st, member), \
	  .size = sizeof(((st *)0)->member) }
#define F_SUB(type_, name_, st, member, sub_) \
	{ .name = name_, .type = type_, .off = offsetof(st, member), \
	  .size = sizeof(((st *)0)->member), .sub = sub_ }
#define F_ENUM(name_, st, member, fn, max_) \
	{ .name = name_, .type = JT_ENUM, .off = offsetof(st, member), \
	  .size = sizeof(((st *)0)->member), .enum_name = fn, .enum_max = max_ }
#define F_ARRAY(name_, st, member, count, sub_) \
	{ .name = name_, .type = JT_ARRAY, .off = offsetof(st, member), \
	  .size = sizeof(((st *)0)->member[0]), .sub = sub_, \
	  .count_off = offsetof(st, count), \
	  .max = sizeof(((st *)0)->member) / sizeof(((st *)0)->member[0]) }
#define F_END { .name = NULL }

/* JT_OPT_OBJ relies on this; JT_ENUM on enums being stored as int. */
_Static_assert(offsetof(struct rl_es_stats, valid) == 0, "es valid first");
_Static_assert(offsetof(struct rl_disk_stats, valid) == 0, "disk valid first");
_Static_assert(sizeof(enum rl_run_status) == sizeof(int), "enum is int");
_Static_assert(sizeof(enum rl_verify_status) == sizeof(int), "enum is int");
_Static_assert(sizeof(enum rl_expect_status) == sizeof(int), "enum is int");

static const char *run_status(int v) { return rl_run_status_name(v); }
static const char *verify_status(int v) { return rl_verify_status_name(v); }
static const char *expect_status(int v) { return rl_expect_status_name(v); }

static const struct jfield latency_fields[] = {
	F(JT_U64, "p50", struct rl_latency, p50),
	F(JT_U64, "p90", struct rl_latency, p90),
	F(JT_U64, "p99", struct rl_latency, p99),
	F(JT_U64, "p999", struct rl_latency, p999),
	F(JT_U64, "max", struct rl_latency, max),
	F(JT_U64, "mean", struct rl_latency, mean),
	F_END
};

static const struct jfield es_fields[] = {
	F(JT_U64, "objects", struct rl_es_stats, objects),
	F(JT_U64, "reclaimable", struct rl_es_stats, reclaimable),
	F(JT_U64, "hits", struct rl_es_stats, hits),
	F(JT_U64, "misses", struct rl_es_stats, misses),
	F_END
};

static const struct jfield disk_fields[] = {
	F(JT_U64, "rd_ios", struct rl_disk_stats, rd_ios),
	F(JT_U64, "rd_merges", struct rl_disk_stats, rd_merges),
	F(JT_U64, "rd_sectors", struct rl_disk_stats, rd_sectors),
	F(JT_U64, "rd_ticks_ms", struct rl_disk_stats, rd_ticks_ms),
	F(JT_U64, "wr_ios", struct rl_disk_stats, wr_ios),
	F(JT_U64, "wr_merges", struct rl_disk_stats, wr_merges),
	F(JT_U64, "wr_sectors", struct rl_disk_stats, wr_sectors),
	F(JT_U64, "wr_ticks_ms", struct rl_disk_stats, wr_ticks_ms),
	F(JT_U64, "in_flight", struct rl_disk_stats, in_flight),
	F(JT_U64, "io_ticks_ms", struct rl_disk_stats, io_ticks_ms),
	F(JT_U64, "time_in_queue_ms", struct rl_disk_stats, time_in_queue_ms),
	F_END
};

static const struct jfield errno_fields[] = {
	F(JT_INT, "errno", struct rl_errno_count, err),
	F(JT_ERRNAME, "name", struct rl_errno_count, err),
	F(JT_U64, "count", struct rl_errno_count, count),
	F_END
};

static const struct jfield mismatch_fields[] = {
	F(JT_U64, "offset", struct rl_mismatch, offset),
	F(JT_U64, "length", struct rl_mismatch, length),
	F(JT_HEX, "expected", struct rl_mismatch, expected),
	F(JT_HEX, "found", struct rl_mismatch, found),
	F(JT_BOOL, "zeros", struct rl_mismatch, zeros),
	F_END
};

static const struct jfield verify_fields[] = {
	F_ENUM("status", struct rl_verify_result, status, verify_status, RL_VERIFY_MAX),
	F(JT_U64, "bytes_checked", struct rl_verify_result, bytes_checked),
	F(JT_U64, "bytes_bad", struct rl_verify_result, bytes_bad),
	F(JT_U64, "bytes_skipped", struct rl_verify_result, bytes_skipped),
	F(JT_U64, "ranges_total", struct rl_verify_result, ranges_total),
	F_ARRAY("ranges", struct rl_verify_result, ranges, nranges, mismatch_fields),
	F_END
};

static const struct jfield cell_fields[] = {
	F(JT_STR, "workload", struct rl_cell, workload),
	F(JT_U32, "jobs", struct rl_cell, jobs),
	F(JT_U32, "rep", struct rl_cell, rep),
	F(JT_U64, "attempts", struct rl_cell, attempts),
	F(JT_U64, "ops", struct rl_cell, ops),
	F(JT_U64, "bytes", struct rl_cell, bytes),
	F(JT_U64, "eagain", struct rl_cell, eagain),
	F(JT_U64, "retries", struct rl_cell, retries),
	F(JT_U64, "gave_up", struct rl_cell, gave_up),
	F(JT_U64, "short_ios", struct rl_cell, short_ios),
	F_ARRAY("errors", struct rl_cell, errors, nerrors, errno_fields),
	F(JT_DOUBLE, "elapsed_s", struct rl_cell, elapsed_s),
	F(JT_DOUBLE, "iops", struct rl_cell, iops),
	F(JT_DOUBLE, "bw_bytes_s", struct rl_cell, bw_bytes_s),
	F(JT_DOUBLE, "eagain_rate", struct rl_cell, eagain_rate),
	F_SUB(JT_OBJ, "lat_ns", struct rl_cell, lat, latency_fields),
	F(JT_U64, "enter_calls", struct rl_cell, enter_calls),
	F(JT_U64, "enter_ns", struct rl_cell, enter_ns),
	F_SUB(JT_OBJ, "enter_lat_ns", struct rl_cell, enter, latency_fields),
	F(JT_DOUBLE, "cpu_user_s", struct rl_cell, cpu_user_s),
	F(JT_DOUBLE, "cpu_sys_s", struct rl_cell, cpu_sys_s),
	F(JT_U64, "ctx_voluntary", struct rl_cell, ctx_voluntary),
	F(JT_U64, "ctx_involuntary", struct rl_cell, ctx_involuntary),
	F(JT_U32, "iowq_workers_max", struct rl_cell, iowq_workers_max),
	F_SUB(JT_OPT_OBJ, "es_before", struct rl_cell, es_before, es_fields),
	F_SUB(JT_OPT_OBJ, "es_after", struct rl_cell, es_after, es_fields),
	F_SUB(JT_OPT_OBJ, "disk_before", struct rl_cell, disk_before, disk_fields),
	F_SUB(JT_OPT_OBJ, "disk_after", struct rl_cell, disk_after, disk_fields),
	F(JT_U32, "layout_extents", struct rl_cell, layout_extents),
	F(JT_DOUBLE, "layout_s", struct rl_cell, layout_s),
	F_SUB(JT_OBJ, "verify", struct rl_cell, verify, verify_fields),
	F_ENUM("expect", struct rl_cell, expect, expect_status, RL_EXPECT_MAX),
	F(JT_BOOL, "failed", struct rl_cell, failed),
	F(JT_STR, "error", struct rl_cell, error),
	F_END
};

static const struct jfield env_fields[] = {
	F(JT_STR, "kernel_release", struct rl_env, kernel_release),
	F(JT_STR, "kernel_version", struct rl_env, kernel_version),
	F(JT_STR, "cmdline", struct rl_env, cmdline),
	F(JT_STR, "hostname", struct rl_env, hostname),
	F(JT_STR, "machine", struct rl_env, machine),
	F(JT_U32, "cpus", struct rl_env, cpus),
	F(JT_STR, "ringlab_version", struct rl_env, ringlab_version),
	F(JT_STR, "dir", struct rl_env, dir),
	F(JT_STR, "fs_type", struct rl_env, fs_type),
	F(JT_STR, "mount_source", struct rl_env, mount_source),
	F(JT_STR, "mount_options", struct rl_env, mount_options),
	F(JT_U32, "fs_block_size", struct rl_env, fs_block_size),
	F(JT_STR, "device", struct rl_env, device),
	F(JT_STR, "device_model", struct rl_env, device_model),
	F(JT_STR, "backing_file", struct rl_env, backing_file),
	F(JT_BOOL, "rotational", struct rl_env, rotational),
	F(JT_STR, "scheduler", struct rl_env, scheduler),
	F(JT_U32, "logical_block_size", struct rl_env, logical_block_size),
	F(JT_U32, "uring_setup_flags", struct rl_env, uring_setup_flags),
	F(JT_STR, "uring_setup", struct rl_env, uring_setup),
	F(JT_STR, "uring_features", struct rl_env, uring_features),
	F(JT_STR, "uring_opcodes", struct rl_env, uring_opcodes),
	F(JT_STR, "label", struct rl_env, label),
	F(JT_STR, "kernel_tag", struct rl_env, kernel_tag),
	F_END
};

/* The run's plain fields; timestamps, env, workloads and cells have code below. */
static const struct jfield run_fields[] = {
	F(JT_STR, "suite", struct rl_run, suite),
	F(JT_DOUBLE, "scale", struct rl_run, scale),
	F_ENUM("status", struct rl_run, status, run_status, RL_RUN_MAX),
	F(JT_STR, "error", struct rl_run, error),
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

static bool write_fields(cJSON *obj, const struct jfield *t, const void *base);

static cJSON *new_object_of(const struct jfield *t, const void *base)
{
	cJSON *obj = cJSON_CreateObject();

	if (obj && !write_fields(obj, t, base)) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

static cJSON *hex_string(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char buf[2 * 64 + 1];
	size_t i;

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 15];
	}
	buf[2 * n] = '\0';
	return cJSON_CreateString(buf);
}

static cJSON *array_of(const struct jfield *f, const uint8_t *base)
{
	uint32_t count = *(const uint32_t *)(base + f->count_off);
	cJSON *arr = cJSON_CreateArray(), *item;
	uint32_t i;

	if (!arr)
		return NULL;
	for (i = 0; i < count && i < f->max; i++) {
		item = new_object_of(f->sub, base + f->off + i * f->size);
		if (!item) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, item);
	}
	return arr;
}

static cJSON *field_value(const struct jfield *f, const uint8_t *base)
{
	const void *p = base + f->off;
	double d;
	int v;

	switch (f->type) {
	case JT_U32:
		return cJSON_CreateNumber(*(const uint32_t *)p);
	case JT_U64:
		return cJSON_CreateNumber((double)*(const uint64_t *)p);
	case JT_INT:
		return cJSON_CreateNumber(*(const int *)p);
	case JT_DOUBLE:
		d = *(const double *)p;
		return isfinite(d) ? cJSON_CreateNumber(d) : cJSON_CreateNull();
	case JT_BOOL:
		return cJSON_CreateBool(*(const bool *)p);
	case JT_STR:
		return cJSON_CreateString((const char *)p);
	case JT_HEX:
		return hex_string(p, f->size);
	case JT_ENUM:
		v = *(const int *)p;
		return cJSON_CreateString(f->enum_name(v));
	case JT_OBJ:
		return new_object_of(f->sub, p);
	case JT_OPT_OBJ:
		return *(const bool *)p ? new_object_of(f->sub, p) : cJSON_CreateNull();
	case JT_ARRAY:
		return array_of(f, base);
	case JT_ERRNAME:
		return cJSON_CreateString(rl_errno_name(*(const int *)p));
	}
	return NULL;
}

/* Returns false when out of memory. */
static bool write_fields(cJSON *obj, const struct jfield *t, const void *base)
{
	cJSON *v;

	for (; t->name; t++) {
		v = field_value(t, base);
		if (!v)
			return false;
		cJSON_AddItemToObject(obj, t->name, v);
	}
	return true;
}

cJSON *rl_env_to_json(const struct rl_env *env)
{
	return new_object_of(env_fields, env);
}

cJSON *rl_cell_to_json(const struct rl_cell *c)
{
	return new_object_of(cell_fields, c);
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

cJSON *rl_run_to_json(const struct rl_run *run)
{
	cJSON *obj = cJSON_CreateObject();
	bool ok;

	if (!obj)
		return NULL;
	ok = add_item(obj, "format", cJSON_CreateString(RL_RUN_FORMAT)) &&
	     write_fields(obj, run_fields, run) &&
	     add_item(obj, "started", rl_json_iso_time(run->started_ns)) &&
	     add_item(obj, "started_ns", cJSON_CreateNumber((double)run->started_ns)) &&
	     add_item(obj, "finished", rl_json_iso_time(run->finished_ns)) &&
	     add_item(obj, "finished_ns", cJSON_CreateNumber((double)run->finished_ns)) &&
	     add_item(obj, "env", rl_env_to_json(&run->env)) &&
	     add_item(obj, "workloads", workloads_to_json(run)) &&
	     add_item(obj, "cells", cells_to_json(run));
	if (!ok) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

/* ---- reading ---------------------------------------------------------- */

/*
 * Paths for messages: "cells[3]" + "lat_ns" -> "cells[3].lat_ns"; at the top
 * level just "lat_ns". The deepest real path is far shorter than PATH_BUF.
 */
#define PATH_BUF 256

static void join_path(char *buf, const char *path, const char *key)
{
	if (snprintf(buf, PATH_BUF, "%s%s%s", path, *path ? "." : "", key) >= PATH_BUF)
		buf[PATH_BUF - 1] = '\0';
}

static void index_path(char *buf, const char *path, size_t i)
{
	if (snprintf(buf, PATH_BUF, "%s[%zu]", path, i) >= PATH_BUF)
		buf[PATH_BUF - 1] = '\0';
}

static int bad(struct rl_err *err, const char *path, const char *what)
{
	return rl_err_set(err, -EINVAL, "%s: %s", path, what);
}

/* A non-negative integral number no larger than @max (2^64 for uint64). */
static int read_uint(const cJSON *v, double max, double *out, const char *path, struct rl_err *err)
{
	double d;

	if (!cJSON_IsNumber(v))
		return bad(err, path, "expected a number");
	d = v->valuedouble;
	if (!(d >= 0) || d >= max || (double)(uint64_t)d != d)
		return rl_err_set(err, -EINVAL, "%s: expected an integer 0..%.0f", path, max - 1);
	*out = d;
	return 0;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_hex(const cJSON *v, uint8_t *p, size_t n, const char *path, struct rl_err *err)
{
	const char *s = cJSON_GetStringValue(v);
	int hi, lo;
	size_t i;

	if (!s || strlen(s) != 2 * n)
		return rl_err_set(err, -EINVAL, "%s: expected %zu hex digits", path, 2 * n);
	for (i = 0; i < n; i++) {
		hi = hex_nibble(s[2 * i]);
		lo = hex_nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return rl_err_set(err, -EINVAL, "%s: expected %zu hex digits", path, 2 * n);
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int read_enum(const struct jfield *f, const cJSON *v, int *out, const char *path,
		     struct rl_err *err)
{
	const char *s = cJSON_GetStringValue(v);
	char names[256] = "";
	size_t len;
	int i;

	for (i = 0; s && i < f->enum_max; i++) {
		if (strcmp(s, f->enum_name(i)) == 0) {
			*out = i;
			return 0;
		}
	}
	for (i = 0; i < f->enum_max; i++) {
		len = strlen(names);
		snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "", f->enum_name(i));
	}
	if (!s)
		return rl_err_set(err, -EINVAL, "%s: expected a string, one of %s", path, names);
	return rl_err_set(err, -EINVAL, "%s: unknown value \"%s\" (expected one of %s)",
			  path, s, names);
}

static int read_fields(const cJSON *obj, const struct jfield *t, void *base,
		       const char *path, struct rl_err *err);

static int read_object(const cJSON *v, const struct jfield *sub, void *p, const char *path,
		       struct rl_err *err)
{
	if (!cJSON_IsObject(v))
		return bad(err, path, "expected an object");
	return read_fields(v, sub, p, path, err);
}

static int read_array(const struct jfield *f, const cJSON *v, uint8_t *base, const char *path,
		      struct rl_err *err)
{
	char sub[PATH_BUF];
	const cJSON *item;
	uint32_t n = 0;
	int ret;

	if (!cJSON_IsArray(v))
		return bad(err, path, "expected an array");
	if ((size_t)cJSON_GetArraySize(v) > f->max)
		return rl_err_set(err, -EINVAL, "%s: more than %zu entries", path, f->max);
	cJSON_ArrayForEach(item, v) {
		index_path(sub, path, n);
		ret = read_object(item, f->sub, base + f->off + n * f->size, sub, err);
		if (ret < 0)
			return ret;
		n++;
	}
	*(uint32_t *)(base + f->count_off) = n;
	return 0;
}

static int read_field(const struct jfield *f, const cJSON *v, uint8_t *base, const char *path,
		      struct rl_err *err)
{
	void *p = base + f->off;
	double d;
	int ret;

	switch (f->type) {
	case JT_U32:
		ret = read_uint(v, 4294967296.0, &d, path, err);
		if (!ret)
			*(uint32_t *)p = (uint32_t)d;
		return ret;
	case JT_U64:
		ret = read_uint(v, 18446744073709551616.0, &d, path, err);
		if (!ret)
			*(uint64_t *)p = (uint64_t)d;
		return ret;
	case JT_INT:
		if (!cJSON_IsNumber(v) || !(fabs(v->valuedouble) <= INT_MAX) ||
		    v->valuedouble != (double)(int)v->valuedouble)
			return bad(err, path, "expected an integer");
		*(int *)p = (int)v->valuedouble;
		return 0;
	case JT_DOUBLE:
		if (cJSON_IsNull(v)) {
			*(double *)p = NAN;
			return 0;
		}
		if (!cJSON_IsNumber(v))
			return bad(err, path, "expected a number");
		*(double *)p = v->valuedouble;
		return 0;
	case JT_BOOL:
		if (!cJSON_IsBool(v))
			return bad(err, path, "expected true or false");
		*(bool *)p = cJSON_IsTrue(v);
		return 0;
	case JT_STR:
		if (!cJSON_IsString(v))
			return bad(err, path, "expected a string");
		if (strlen(v->valuestring) >= f->size)
			return rl_err_set(err, -EINVAL, "%s: longer than %zu bytes", path,
					  f->size - 1);
		memcpy(p, v->valuestring, strlen(v->valuestring) + 1);
		return 0;
	case JT_HEX:
		return read_hex(v, p, f->size, path, err);
	case JT_ENUM:
		return read_enum(f, v, p, path, err);
	case JT_OBJ:
		return read_object(v, f->sub, p, path, err);
	case JT_OPT_OBJ:
		if (cJSON_IsNull(v))
			return 0;
		*(bool *)p = true;
		return read_object(v, f->sub, p, path, err);
	case JT_ARRAY:
		return read_array(f, v, base, path, err);
	case JT_ERRNAME:
		return 0;
	}
	return bad(err, path, "unsupported field type");
}

static int read_fields(const cJSON *obj, const struct jfield *t, void *base,
		       const char *path, struct rl_err *err)
{
	char sub[PATH_BUF];
	const cJSON *v;
	int ret;

	for (; t->name; t++) {
		join_path(sub, path, t->name);
		v = cJSON_GetObjectItemCaseSensitive(obj, t->name);
		if (!v) {
			if (t->type == JT_ERRNAME)
				continue;
			return bad(err, sub, "missing");
		}
		ret = read_field(t, v, base, sub, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int rl_env_from_json(const cJSON *j, struct rl_env *env, struct rl_err *err)
{
	memset(env, 0, sizeof(*env));
	return read_object(j, env_fields, env, "env", err);
}

int rl_cell_from_json(const cJSON *j, struct rl_cell *c, struct rl_err *err)
{
	memset(c, 0, sizeof(*c));
	if (!cJSON_IsObject(j))
		return rl_err_set(err, -EINVAL, "cell: expected an object");
	return read_fields(j, cell_fields, c, "", err);
}

/*
 * @key is an ISO 8601 string (exact) or null; the number @key_ns is read
 * when the string is null, so both must be present.
 */
static int read_time(const cJSON *obj, const char *key, const char *key_ns, int64_t *out,
		     struct rl_err *err)
{
	const cJSON *iso = cJSON_GetObjectItemCaseSensitive(obj, key);
	const cJSON *num = cJSON_GetObjectItemCaseSensitive(obj, key_ns);

	if (!iso)
		return bad(err, key, "missing");
	if (!num)
		return bad(err, key_ns, "missing");
	/* Only read when the string is null, i.e. 0: no precision to lose. */
	if (!cJSON_IsNumber(num) || !(fabs(num->valuedouble) < 9.2e18))
		return bad(err, key_ns, "expected a number");
	if (cJSON_IsNull(iso)) {
		*out = (int64_t)num->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(iso) || rl_time_parse_iso(iso->valuestring, out))
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

static int read_cells(const cJSON *obj, struct rl_run *run, struct rl_err *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "cells"), *item;
	char path[PATH_BUF];
	size_t n, i = 0;
	int ret;

	if (!arr)
		return bad(err, "cells", "missing");
	if (!cJSON_IsArray(arr))
		return bad(err, "cells", "expected an array");
	n = (size_t)cJSON_GetArraySize(arr);
	if (!n)
		return 0;
	run->cells = calloc(n, sizeof(*run->cells));
	if (!run->cells)
		return rl_err_set(err, -ENOMEM, "cells: out of memory");
	run->cells_cap = n;
	cJSON_ArrayForEach(item, arr) {
		index_path(path, "cells", i);
		ret = read_object(item, cell_fields, &run->cells[i], path, err);
		if (ret < 0)
			return ret;
		run->ncells = ++i;
	}
	return 0;
}

static int read_run(const cJSON *j, struct rl_run *run, struct rl_err *err)
{
	const cJSON *format;
	int ret;

	if (!cJSON_IsObject(j))
		return rl_err_set(err, -EINVAL, "run: expected an object");
	format = cJSON_GetObjectItemCaseSensitive(j, "format");
	if (!format)
		return bad(err, "format", "missing");
	if (!cJSON_IsString(format) || strcmp(format->valuestring, RL_RUN_FORMAT) != 0)
		return bad(err, "format", "expected \"" RL_RUN_FORMAT "\"");
	ret = read_fields(j, run_fields, run, "", err);
	if (!ret)
		ret = read_time(j, "started", "started_ns", &run->started_ns, err);
	if (!ret)
		ret = read_time(j, "finished", "finished_ns", &run->finished_ns, err);
	if (!ret) {
		const cJSON *env = cJSON_GetObjectItemCaseSensitive(j, "env");

		ret = env ? read_object(env, env_fields, &run->env, "env", err)
			  : bad(err, "env", "missing");
	}
	if (!ret)
		ret = read_workloads(j, run, err);
	if (!ret)
		ret = read_cells(j, run, err);
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
