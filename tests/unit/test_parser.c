/* SPDX-License-Identifier: MIT */
/* Workload parser: table-driven ranges, types, unknown keys, JSON errors, cross-field checks, round trip, shipped files. */

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "schema/fields.h"
#include "engine/suite.h"
#include "engine/workload.h"
#include "../lib/capture.h"
#include "../lib/check.h"
#include "../lib/each_file.h"

/* A minimal valid workload to which each test adds one key. */
#define BASE "\"name\": \"t\""

/* Full parse of the JSON text printf() makes of @fmt. */
static int __attribute__((format(printf, 3, 4)))
parse_textf(struct rl_workload *w, struct rl_err *e, const char *fmt, ...)
{
	cJSON *root = NULL;
	char *text;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (ret < 0)
		abort();
	ret = rl_json_parse(text, &root, e);
	free(text);
	if (!ret)
		ret = rl_workload_parse(root, w, e);
	cJSON_Delete(root);
	return ret;
}

/* {"a": {"b": V}} for path "a.b"; V is JSON text. */
static char *nested_object(const char *path, const char *value)
{
	const char *dot = strchr(path, '.');
	char *out;

	if (dot) {
		if (asprintf(&out, "\"%.*s\": {\"%s\": %s}", (int)(dot - path), path,
			     dot + 1, value) < 0)
			abort();
	} else if (asprintf(&out, "\"%s\": %s", path, value) < 0) {
		abort();
	}
	return out;
}

/* Full parse of {"name": "t", PATH: VALUE}. */
static int parse_with(const char *path, const char *value, struct rl_workload *w,
		      struct rl_err *e)
{
	char *kv = nested_object(path, value);
	int ret;

	/* "name" itself replaces the base's, or it would be a duplicate key. */
	ret = parse_textf(w, e, strcmp(path, "name") ? "{" BASE ", %s}" : "{%s}", kv);
	free(kv);
	return ret;
}

/* Override {PATH: VALUE} applied on top of defaults (no cross-field checks). */
static int apply_with(const char *path, const char *value, struct rl_workload *w,
		      struct rl_err *e)
{
	char *kv = nested_object(path, value), *text;
	cJSON *root;
	int ret;

	if (asprintf(&text, "{%s}", kv) < 0)
		abort();
	rl_workload_defaults(w);
	ret = rl_json_parse(text, &root, e);
	if (!ret) {
		ret = rl_workload_apply(root, w, e);
		cJSON_Delete(root);
	}
	free(kv);
	free(text);
	return ret;
}

static void expect_rejected(const char *path, const char *value, const char *want)
{
	struct rl_workload w;
	struct rl_err e = { "" };
	int ret;

	ret = apply_with(path, value, &w, &e);
	CHECK(ret == -EINVAL && strstr(e.msg, path) && strstr(e.msg, want),
	      "apply %s = %s: want -EINVAL naming the key and '%s', got %d '%s'",
	      path, value, want, ret, e.msg);
	e.msg[0] = '\0';
	ret = parse_with(path, value, &w, &e);
	CHECK(ret == -EINVAL && strstr(e.msg, path) && strstr(e.msg, want),
	      "parse %s = %s: want -EINVAL naming the key and '%s', got %d '%s'",
	      path, value, want, ret, e.msg);
}

static double field_value(const struct rl_field *f, const void *base)
{
	const char *p = (const char *)base + f->offset;

	switch (f->type) {
	case RL_FT_U32:
	case RL_FT_U32_LIST:
		return *(const uint32_t *)p;
	case RL_FT_U64:
	case RL_FT_SIZE:
		return (double)*(const uint64_t *)p;
	case RL_FT_DOUBLE:
		return *(const double *)p;
	default:
		return NAN;
	}
}

static void expect_accepted(const char *path, const struct rl_field *f, size_t sub_off,
			    double d)
{
	struct rl_workload w;
	struct rl_err e = { "" };
	char num[64], val[80];
	int ret;

	snprintf(num, sizeof(num), "%.17g", d);
	snprintf(val, sizeof(val), f->type == RL_FT_U32_LIST ? "[%s]" : "%s", num);
	ret = apply_with(path, val, &w, &e);
	CHECK(!ret, "apply %s = %s: want accepted, got %d '%s'", path, val, ret, e.msg);
	if (ret)
		return;
	CHECK(field_value(f, (char *)&w + sub_off) == d, "apply %s = %s: stored %.17g",
	      path, val, field_value(f, (char *)&w + sub_off));
	if (f->type == RL_FT_U32_LIST)
		CHECK(*(uint32_t *)((char *)&w + f->count_offset) == 1,
		      "apply %s = %s: count not 1", path, val);
}

static void reject_number(const char *path, const struct rl_field *f, double d)
{
	char num[64], val[80];

	snprintf(num, sizeof(num), "%.17g", d);
	snprintf(val, sizeof(val), f->type == RL_FT_U32_LIST ? "[%s]" : "%s", num);
	expect_rejected(path, val, "out of range");
}

/* min-1 and max+1 rejected, min and max accepted, for every numeric row. */
static void test_ranges(const struct rl_field *table, const char *prefix, size_t sub_off)
{
	char path[128];

	for (; table->name; table++) {
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", table->name);
		if (table->type == RL_FT_OBJECT) {
			test_ranges(table->sub, path, sub_off + table->offset);
			continue;
		}
		if (table->type != RL_FT_U32 && table->type != RL_FT_U64 &&
		    table->type != RL_FT_SIZE && table->type != RL_FT_DOUBLE &&
		    table->type != RL_FT_U32_LIST)
			continue;
		if ((table->flags & RL_FF_NONE_NEG1) && table->min - 1 == -1) {
			/* -1 is the "none" sentinel: just below min is not. */
			reject_number(path, table, table->min - 0.5);
			reject_number(path, table, -2);
			expect_accepted(path, table, sub_off, -1);
		} else {
			reject_number(path, table, table->min - 1);
		}
		reject_number(path, table, table->max + 1);
		expect_accepted(path, table, sub_off, table->min);
		expect_accepted(path, table, sub_off, table->max);
		if (table->type != RL_FT_DOUBLE)
			expect_rejected(path, table->type == RL_FT_U32_LIST ? "[1.5]" : "1.5",
					"expected an integer");
		if (table->flags & RL_FF_POW2) {
			char val[32];

			snprintf(val, sizeof(val), "%.0f", table->min + table->min / 2);
			expect_rejected(path, val, "power of two");
		}
	}
}

/* A value of the wrong JSON type for every row. */
static void test_types(const struct rl_field *table, const char *prefix)
{
	char path[128];

	for (; table->name; table++) {
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", table->name);
		switch (table->type) {
		case RL_FT_STRING:
		case RL_FT_ENUM:
			expect_rejected(path, "5", "expected a string, got a number");
			break;
		case RL_FT_BOOL:
			expect_rejected(path, "\"yes\"", "expected true or false, got a string");
			break;
		case RL_FT_U32:
		case RL_FT_U64:
		case RL_FT_DOUBLE:
			expect_rejected(path, "\"1\"", "expected a number, got a string");
			break;
		case RL_FT_SIZE:
			expect_rejected(path, "true", "expected a number or a size string, got a boolean");
			expect_rejected(path, "\"12Q\"", "is not a size");
			break;
		case RL_FT_U32_LIST:
			expect_rejected(path, "5", "expected an array, got a number");
			expect_rejected(path, "[\"1\"]", "expected a number, got a string");
			break;
		case RL_FT_OBJECT:
			expect_rejected(path, "5", "expected an object, got a number");
			test_types(table->sub, path);
			break;
		default:
			break;
		}
	}
}

/* Lengths, character sets and enum values of every string and enum row. */
static void test_strings(const struct rl_field *table, const char *prefix)
{
	char path[128], val[512];
	size_t i;

	for (; table->name; table++) {
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", table->name);
		if (table->type == RL_FT_OBJECT)
			test_strings(table->sub, path);
		if (table->type == RL_FT_ENUM) {
			for (i = 0; table->names[i]; i++) {
				struct rl_workload w;
				struct rl_err e = { "" };

				snprintf(val, sizeof(val), "\"%s\"", table->names[i]);
				CHECK(!apply_with(path, val, &w, &e), "%s = %s rejected: %s",
				      path, val, e.msg);
			}
			expect_rejected(path, "\"bogus\"", table->names[0]);
		}
		if (table->type != RL_FT_STRING)
			continue;
		val[0] = '"';
		for (i = 0; i < table->max + 1; i++)
			val[1 + i] = table->charset ? table->charset[0] : 'a';
		val[1 + i] = '"';
		val[2 + i] = '\0';
		expect_rejected(path, val, "characters long");
		if (table->min > 0)
			expect_rejected(path, "\"\"", "characters long");
		if (table->charset)
			expect_rejected(path, "\"Z/\"", "is not allowed");
	}
}

static void test_keys(void)
{
	struct rl_workload w;
	struct rl_err e = { "" };
	int ret;

	ret = parse_textf(&w, &e, "{" BASE ", \"io_sise\": 4096}");
	CHECK(ret == -EINVAL && strstr(e.msg, "unknown key 'io_sise'") &&
	      strstr(e.msg, "did you mean 'io_size'"), "typo: %d '%s'", ret, e.msg);
	ret = parse_textf(&w, &e, "{" BASE ", \"frobnicate\": 1}");
	CHECK(ret == -EINVAL && strstr(e.msg, "unknown key 'frobnicate'") &&
	      !strstr(e.msg, "did you mean"), "unknown: %d '%s'", ret, e.msg);
	ret = parse_textf(&w, &e, "{" BASE ", \"expect\": {\"tolerence\": 0.1}}");
	CHECK(ret == -EINVAL && strstr(e.msg, "unknown key 'expect.tolerence'") &&
	      strstr(e.msg, "did you mean 'expect.tolerance'"), "nested typo: %d '%s'", ret, e.msg);
	ret = parse_textf(&w, &e, "{" BASE ", \"IO_SIZE\": 4096}");
	CHECK(ret == -EINVAL && strstr(e.msg, "unknown key 'IO_SIZE'"),
	      "keys are case-sensitive: %d '%s'", ret, e.msg);
	ret = parse_textf(&w, &e, "{" BASE ", \"io_size\": 4096, \"io_size\": 8192}");
	CHECK(ret == -EINVAL && strstr(e.msg, "key io_size: given more than once"),
	      "duplicate: %d '%s'", ret, e.msg);
	ret = parse_textf(&w, &e, "{\"io_size\": 4096}");
	CHECK(ret == -EINVAL && strstr(e.msg, "missing required key 'name'"),
	      "missing name: %d '%s'", ret, e.msg);
	ret = parse_textf(&w, &e, "[1]");
	CHECK(ret == -EINVAL && strstr(e.msg, "expected a JSON object, got an array"),
	      "top-level array: %d '%s'", ret, e.msg);
	expect_rejected("jobs", "[]", "must not be empty");
	expect_rejected("jobs", "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]", "at most 16");
}

/* Overrides keep what they do not mention, also inside nested objects. */
static void test_override(void)
{
	struct rl_workload w;
	struct rl_err e = { "" };
	cJSON *o;
	int ret;

	ret = parse_textf(&w, &e, "{" BASE ", \"queue_depth\": 7, \"expect\": {\"eagain_rate\": 0.5}}");
	CHECK(!ret, "override base: %s", e.msg);
	ret = rl_json_parse("{\"cache\": \"cold\", \"expect\": {\"tolerance\": 0.25}}", &o, &e);
	CHECK(!ret, "override json: %s", e.msg);
	if (ret)
		return;
	ret = rl_workload_apply(o, &w, &e);
	cJSON_Delete(o);
	CHECK(!ret && w.cache == RL_CACHE_COLD && w.queue_depth == 7 &&
	      w.expect.eagain_rate == 0.5 && w.expect.tolerance == 0.25 && !strcmp(w.name, "t"),
	      "override reset fields: ret %d qd %u rate %g tol %g '%s'", ret, w.queue_depth,
	      w.expect.eagain_rate, w.expect.tolerance, e.msg);
}

static void test_sizes(void)
{
	struct rl_workload w;
	struct rl_err e = { "" };
	uint64_t b;
	char buf[32];

	CHECK(!apply_with("size_per_job", "\"64M\"", &w, &e) && w.size_per_job == 64ull << 20,
	      "64M: %s %llu", e.msg, (unsigned long long)w.size_per_job);
	CHECK(!apply_with("size_per_job", "\"1t\"", &w, &e) && w.size_per_job == 1ull << 40,
	      "1t: %s", e.msg);
	expect_rejected("size_per_job", "\"4095\"", "out of range 4K..1T");
	expect_rejected("size_per_job", "\"1.5G\"", "is not a size");
	expect_rejected("size_per_job", "\"99999999999999999999\"", "too large");
	/* Far past 2^64: named as given, not as whatever a cast to uint64_t made of it. */
	expect_rejected("size_per_job", "1.9e39", "1.9e+39 is out of range 4K..1T");
	expect_rejected("size_per_job", "18446744073709551616", "1.84467e+19 is out of range");
	expect_rejected("jobs", "[1e300]", "1e+300 is out of range");
	expect_rejected("size_per_job", "1.6384e74", "1.6384e+74 is out of range 4K..1T");
	CHECK(rl_parse_size("16K", &b) == 0 && b == 16384, "parse 16K");
	CHECK(rl_parse_size("", &b) == -EINVAL, "parse empty");
	CHECK(rl_parse_size("M", &b) == -EINVAL, "parse M");
	CHECK(rl_parse_size("99999999999T", &b) == -ERANGE, "parse overflow");
	CHECK(!strcmp(rl_format_size(3ull << 30, buf, sizeof(buf)), "3G"), "format 3G: %s", buf);
	CHECK(!strcmp(rl_format_size(4097, buf, sizeof(buf)), "4097"), "format 4097: %s", buf);
	CHECK(!strcmp(rl_format_size(0, buf, sizeof(buf)), "0"), "format 0: %s", buf);
}

/* Flags the workload table does not use, on a table of our own. */
struct probe {
	uint32_t n;
};

static const struct rl_field probe_fields[] = {
	{ .name = "n", .type = RL_FT_U32, .offset = offsetof(struct probe, n),
	  .min = 0, .max = 1u << 20, .def = "512", .flags = RL_FF_MUL512, .help = "probe" },
	{ 0 }
};

static void test_generic_flags(void)
{
	struct probe p;
	struct rl_err e = { "" };
	cJSON *o;
	int ret;

	CHECK(!rl_fields_defaults(probe_fields, &p, &e) && p.n == 512, "probe defaults: %s", e.msg);
	ret = rl_json_parse("{\"n\": 1000}", &o, &e);
	CHECK(!ret, "probe json");
	if (ret)
		return;
	ret = rl_fields_apply(probe_fields, o, &p, RL_APPLY_FULL, &e);
	cJSON_Delete(o);
	CHECK(ret == -EINVAL && strstr(e.msg, "key n: must be a multiple of 512") && p.n == 512,
	      "mul512: %d '%s' n=%u", ret, e.msg, p.n);
}

static void test_malformed(const char *dir)
{
	struct rl_workload w;
	struct rl_err e = { "" };
	char path[PATH_MAX];
	cJSON *j = NULL;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/bad.json", dir);
	f = fopen(path, "we");
	if (!f) {
		CHECK(0, "cannot create %s", path);
		return;
	}
	fputs("{\n  \"name\": \"x\",\n  \"io_size\": 40 96\n}\n", f);
	fclose(f);
	ret = rl_workload_load(path, &w, &e);
	CHECK(ret == -EINVAL && strstr(e.msg, "bad.json: line 3, column 17: malformed JSON near '96'"),
	      "malformed: %d '%s'", ret, e.msg);
	f = fopen(path, "we");
	if (f) {
		fputs("{\"name\": \"x\", \"io_size\": 0}", f);
		fclose(f);
	}
	ret = rl_workload_load(path, &w, &e);
	CHECK(ret == -EINVAL && strstr(e.msg, "bad.json: key io_size: 0 is out of range 1..16777216"),
	      "bad key in file: %d '%s'", ret, e.msg);
	unlink(path);
	ret = rl_workload_load(path, &w, &e);
	CHECK(ret == -ENOENT && strstr(e.msg, "bad.json: No such file or directory"),
	      "missing file: %d '%s'", ret, e.msg);
	CHECK(rl_json_parse("", &j, &e) == -EINVAL && !j &&
	      strstr(e.msg, "line 1, column 1: malformed JSON at the end"), "empty: '%s'", e.msg);
	CHECK(rl_json_parse("{\"a\": 1} x", &j, &e) == -EINVAL && !j &&
	      strstr(e.msg, "line 1, column 10: malformed JSON near 'x'"), "trailing: '%s'", e.msg);
}

static void expect_cross(const char *json, const char *keys)
{
	struct rl_workload w;
	struct rl_err e = { "" };
	int ret = parse_textf(&w, &e, "{" BASE ", %s}", json);

	CHECK(ret == -EINVAL && strstr(e.msg, keys), "%s: want '%s', got %d '%s'",
	      json, keys, ret, e.msg);
}

static void expect_valid(const char *json)
{
	struct rl_workload w;
	struct rl_err e = { "" };
	int ret = parse_textf(&w, &e, "{" BASE ", %s}", json);

	CHECK(!ret, "%s: want valid, got %d '%s'", json, ret, e.msg);
}

static void test_cross(void)
{
	expect_cross("\"stripe\": \"WU\", \"io_size\": 8192, \"io_offset\": 512",
		     "keys io_offset, io_size, stripe:");
	expect_valid("\"stripe\": \"WU\", \"io_size\": 8192, \"io_offset\": 0");
	expect_cross("\"stripe\": \"WUUW\", \"sharing\": \"interleave\", \"io_size\": 3584, "
		     "\"io_offset\": 512, \"jobs\": [1, 5]", "keys io_offset, io_size, jobs, sharing:");
	expect_valid("\"stripe\": \"WUUW\", \"sharing\": \"interleave\", \"io_size\": 3584, "
		     "\"io_offset\": 512, \"jobs\": [4]");
	expect_cross("\"stripe\": \"WU\", \"io_offset\": 100", "keys direct, io_offset:");
	expect_cross("\"stripe\": \"WU\", \"io_size\": 1000", "keys direct, io_size:");
	expect_valid("\"stripe\": \"WU\", \"io_offset\": 100, \"io_size\": 1000, \"direct\": false");
	expect_cross("\"block_size\": 65536, \"stripe\": \"WWWW\", \"size_per_job\": \"128K\"",
		     "keys size_per_job, stripe:");
	expect_valid("\"block_size\": 65536, \"stripe\": \"WWWW\", \"size_per_job\": \"256K\"");
	expect_cross("\"extend\": true, \"op\": \"read\"", "keys extend, op:");
	expect_valid("\"extend\": true, \"op\": \"write\"");
	expect_cross("\"expect\": {\"kernel\": \"6.18*\"}", "keys expect.kernel, expect.eagain_rate:");
	expect_valid("\"expect\": {\"kernel\": \"6.18*\", \"eagain_rate\": 0}");
	/* A JOBS value twice would make two cells of one (workload, jobs, rep). */
	expect_cross("\"jobs\": [1, 2, 1]", "key jobs: 1 appears twice");
	expect_valid("\"jobs\": [4, 2, 1]");
}

static void test_round_trip(void)
{
	static const char *text = "{\"name\": \"rt@x,y+z\", \"description\": \"every field off its default\","
		"\"op\": \"write\", \"block_size\": 1024, \"stripe\": \"WUHWUUHHWWWWUUUU\", \"io_size\": 3072,"
		"\"io_offset\": 1024, \"order\": \"random\", \"direct\": false, \"nowait\": true,"
		"\"queue_depth\": 77, \"jobs\": [3, 1, 2], \"size_per_job\": 1234567,"
		"\"duration_ms\": 5000, \"repetitions\": 9, \"rebuild\": false, \"extend\": true,"
		"\"sharing\": \"interleave\", \"eagain_policy\": \"retry-nowait\", \"retry_max\": 5,"
		"\"retry_backoff_us\": 7, \"cache\": \"cold\", \"timestamps\": \"stale\","
		"\"verify\": false, \"churn\": true, \"es_reader\": true, \"seed\": 9007199254740991,"
		"\"expect\": {\"eagain_rate\": 0.123456789012345, \"tolerance\": 0.1, \"kernel\": \"7.3.*\"}}";
	struct rl_workload a, b;
	struct rl_err e = { "" };
	char *s1, *s2;
	cJSON *j, *k;
	int ret;

	ret = parse_textf(&a, &e, "%s", text);
	CHECK(!ret, "round trip source: %s", e.msg);
	if (ret)
		return;
	j = rl_workload_to_json(&a);
	CHECK(j && !cJSON_GetObjectItem(j, "njobs"), "to_json: NULL or has njobs");
	if (!j)
		return;
	s1 = cJSON_Print(j);
	ret = rl_json_parse(s1, &k, &e);
	CHECK(!ret, "reparse: %s", e.msg);
	if (!ret) {
		ret = rl_workload_parse(k, &b, &e);
		CHECK(!ret, "round trip parse: %s", e.msg);
		CHECK(!memcmp(&a, &b, sizeof(a)), "round trip changed the workload:\n%s", s1);
		cJSON_Delete(k);
		k = rl_workload_to_json(&b);
		s2 = cJSON_Print(k);
		CHECK(s2 && !strcmp(s1, s2), "second serialization differs");
		free(s2);
		cJSON_Delete(k);
	}
	free(s1);
	cJSON_Delete(j);
}

static void test_defaults(void)
{
	struct rl_workload w;
	struct rl_err e = { "" };

	memset(&w, 0xa5, sizeof(w));
	CHECK(!rl_fields_defaults(rl_workload_fields, &w, &e), "table defaults invalid: %s", e.msg);
	rl_workload_defaults(&w);
	CHECK(w.block_size == 4096 && !strcmp(w.stripe, "W") && w.queue_depth == 32 &&
	      w.njobs == 1 && w.jobs[0] == 1 && w.size_per_job == 64ull << 20 &&
	      w.repetitions == 3 && w.retry_max == 16 && w.retry_backoff_us == 50 &&
	      w.seed == 1 && w.direct && !w.nowait && w.rebuild && w.verify &&
	      w.expect.eagain_rate == -1 && w.expect.tolerance == 0.02,
	      "defaults differ from the documented ones");
	snprintf(w.name, sizeof(w.name), "d");
	CHECK(!rl_workload_check(&w, &e), "defaults do not pass the checks: %s", e.msg);
	CHECK(!strcmp(rl_eagain_policy_name(RL_EAGAIN_RETRY_BLOCKING), "retry-blocking") &&
	      !strcmp(rl_sharing_name(RL_SHARE_INTERLEAVE), "interleave") &&
	      !strcmp(rl_op_name(RL_OP_MAX), "?"), "enum names");
}

static void test_markdown(void)
{
	struct capture c;
	char *buf;

	if (!capture_open(&c))
		return;
	rl_workload_schema_markdown(c.f);
	buf = capture_text(&c);
	CHECK(strstr(buf, "| `queue_depth` | integer | `32` | 1..4096 |") &&
	      strstr(buf, "| `expect.tolerance` | number | `0.02` | 0..1 |") &&
	      strstr(buf, "| `size_per_job` | size | `\"64M\"` | 4K..1T |"),
	      "markdown rows missing:\n%s", buf);
	free(buf);
}

static void check_shipped(const char *path)
{
	struct rl_workload w;
	struct rl_err e = { "" };
	int ret = rl_workload_load(path, &w, &e);

	CHECK(!ret, "%s does not load: %s", path, e.msg);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char dir[] = "/tmp/test_parser.XXXXXX";

	if (!top) {
		fprintf(stderr, "top_srcdir is not set\n");
		return 1;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_defaults();
	test_ranges(rl_workload_fields, "", 0);
	test_types(rl_workload_fields, "");
	test_strings(rl_workload_fields, "");
	test_keys();
	test_override();
	test_sizes();
	test_generic_flags();
	test_malformed(dir);
	test_cross();
	test_round_trip();
	test_markdown();
	check_each_file(top, "workloads/*.json", 11, "workloads", check_shipped);
	rmdir(dir);
	return check_exit();
}
