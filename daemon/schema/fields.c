/* SPDX-License-Identifier: MIT */
/*
 * The field-table walker: defaults, apply (validate + store), serialize and
 * document, all driven by the same rows so they cannot disagree.
 */
#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fields.h"

#define RL_JSON_FILE_MAX (4u << 20)
#define RL_PATH_MAX 128
#define RL_SUGGEST_DIST 2
/* Integers above this lose precision in a JSON number (a double). */
#define RL_JSON_INT_MAX 9007199254740991.0

static void *field_ptr(const struct rl_field *f, void *base)
{
	return (char *)base + f->offset;
}

static const void *field_cptr(const struct rl_field *f, const void *base)
{
	return (const char *)base + f->offset;
}

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "an invalid value";
}

static bool is_integer_type(enum rl_field_type t)
{
	return t == RL_FT_U32 || t == RL_FT_U64 || t == RL_FT_SIZE ||
	       t == RL_FT_U32_LIST;
}

/* Upper bound of what the C type behind @f can hold. */
static double type_limit(const struct rl_field *f)
{
	switch (f->type) {
	case RL_FT_U32:
	case RL_FT_U32_LIST:
		return UINT32_MAX;
	case RL_FT_U64:
		return RL_JSON_INT_MAX;
	case RL_FT_SIZE:
		return 18446744073709551615.0;
	default:
		return INFINITY;
	}
}

char *rl_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "TGMK";
	static const unsigned int shifts[] = { 40, 30, 20, 10 };
	size_t i;

	for (i = 0; bytes && i < sizeof(shifts) / sizeof(shifts[0]); i++) {
		uint64_t unit = 1ull << shifts[i];

		if (bytes % unit == 0) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(bytes >> shifts[i]), units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}

int rl_parse_size(const char *s, uint64_t *bytes)
{
	unsigned int shift = 0;
	uint64_t v = 0;
	const char *p;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (p = s; isdigit((unsigned char)*p); p++) {
		unsigned int d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	switch (toupper((unsigned char)*p)) {
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (shift)
		p++;
	if (*p)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = v << shift;
	return 0;
}

int rl_charset_match(const char *charset, const char *s)
{
	int i;

	for (i = 0; s[i]; i++) {
		unsigned char c = s[i];
		const char *p = charset;
		bool ok = false;

		while (*p && !ok) {
			if (p[1] == '-' && p[2]) {
				ok = c >= (unsigned char)p[0] && c <= (unsigned char)p[2];
				p += 3;
			} else {
				ok = c == (unsigned char)*p;
				p++;
			}
		}
		if (!ok)
			return i;
	}
	return -1;
}

/* Numbers in messages and docs: sizes as "64M", integers exactly. */
static char *format_number(const struct rl_field *f, double d, char *buf, size_t len)
{
	if (f->type == RL_FT_SIZE && d >= 0)
		return rl_format_size((uint64_t)d, buf, len);
	if (is_integer_type(f->type) || d == floor(d))
		snprintf(buf, len, "%.0f", d);
	else
		snprintf(buf, len, "%g", d);
	return buf;
}

static int check_number(const struct rl_field *f, double d, const char *path,
			struct rl_err *err)
{
	char v[32], lo[32], hi[32];

	if ((f->flags & RL_FF_NONE_NEG1) && d == -1)
		return 0;
	if (d < f->min || d > f->max || d > type_limit(f))
		return rl_err_set(err, -EINVAL, "key %s: %s is out of range %s..%s%s", path,
				  format_number(f, d, v, sizeof(v)),
				  format_number(f, f->min, lo, sizeof(lo)),
				  format_number(f, f->max, hi, sizeof(hi)),
				  f->flags & RL_FF_NONE_NEG1 ? " (or -1 for none)" : "");
	if (!is_integer_type(f->type))
		return 0;
	if ((f->flags & RL_FF_POW2) && (d < 1 || ((uint64_t)d & ((uint64_t)d - 1))))
		return rl_err_set(err, -EINVAL, "key %s: must be a power of two (got %s)",
				  path, format_number(f, d, v, sizeof(v)));
	if ((f->flags & RL_FF_MUL512) && (uint64_t)d % 512)
		return rl_err_set(err, -EINVAL, "key %s: must be a multiple of 512 (got %s)",
				  path, format_number(f, d, v, sizeof(v)));
	return 0;
}

/* A JSON number as a double; integral when the field needs an integer. */
static int get_number(const struct rl_field *f, const cJSON *v, const char *path,
		      double *out, struct rl_err *err)
{
	double d;

	if (!cJSON_IsNumber(v))
		return rl_err_set(err, -EINVAL, "key %s: expected a number, got %s",
				  path, json_type_name(v));
	d = v->valuedouble;
	if (!isfinite(d))
		return rl_err_set(err, -EINVAL, "key %s: not a finite number", path);
	if (is_integer_type(f->type) && d != floor(d))
		return rl_err_set(err, -EINVAL, "key %s: expected an integer, got %g",
				  path, d);
	*out = d;
	return check_number(f, d, path, err);
}

/* Length and character set of string @s for a STRING or STRING_LIST row. */
static int check_string(const struct rl_field *f, const char *s, size_t cap,
			const char *path, struct rl_err *err)
{
	size_t len = strlen(s);
	int bad;

	if (len < f->min || len > f->max || len >= cap)
		return rl_err_set(err, -EINVAL,
				  "key %s: must be %.0f..%.0f characters long (got %zu)",
				  path, f->min, f->max, len);
	bad = f->charset ? rl_charset_match(f->charset, s) : -1;
	if (bad >= 0) {
		unsigned char c = s[bad];

		if (isprint(c))
			return rl_err_set(err, -EINVAL,
					  "key %s: character '%c' is not allowed (only [%s])",
					  path, c, f->charset);
		return rl_err_set(err, -EINVAL,
				  "key %s: character 0x%02x is not allowed (only [%s])",
				  path, c, f->charset);
	}
	return 0;
}

static int set_string(const struct rl_field *f, const cJSON *v, void *base,
		      const char *path, struct rl_err *err)
{
	char *dst = field_ptr(f, base);
	int ret;

	if (!cJSON_IsString(v))
		return rl_err_set(err, -EINVAL, "key %s: expected a string, got %s",
				  path, json_type_name(v));
	ret = check_string(f, v->valuestring, f->size, path, err);
	if (ret)
		return ret;
	/* Zero the tail so equal values give byte-identical structs. */
	memset(dst, 0, f->size);
	memcpy(dst, v->valuestring, strlen(v->valuestring));
	return 0;
}

static void enum_list(const struct rl_field *f, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; f->names[i] && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", f->names[i]);
}

static int set_enum(const struct rl_field *f, const cJSON *v, void *base,
		    const char *path, struct rl_err *err)
{
	char names[256];
	int i;

	if (!cJSON_IsString(v))
		return rl_err_set(err, -EINVAL, "key %s: expected a string, got %s",
				  path, json_type_name(v));
	for (i = 0; f->names[i]; i++) {
		if (!strcmp(f->names[i], v->valuestring)) {
			*(int *)field_ptr(f, base) = i;
			return 0;
		}
	}
	enum_list(f, names, sizeof(names));
	return rl_err_set(err, -EINVAL, "key %s: '%.64s' is not one of %s",
			  path, v->valuestring, names);
}

static int set_size(const struct rl_field *f, const cJSON *v, void *base,
		    const char *path, struct rl_err *err)
{
	uint64_t bytes;
	double d;
	int ret;

	if (cJSON_IsNumber(v)) {
		ret = get_number(f, v, path, &d, err);
		if (ret)
			return ret;
		*(uint64_t *)field_ptr(f, base) = (uint64_t)d;
		return 0;
	}
	if (!cJSON_IsString(v))
		return rl_err_set(err, -EINVAL,
				  "key %s: expected a number or a size string, got %s",
				  path, json_type_name(v));
	ret = rl_parse_size(v->valuestring, &bytes);
	if (ret == -ERANGE)
		return rl_err_set(err, -EINVAL, "key %s: '%.64s' is too large",
				  path, v->valuestring);
	if (ret)
		return rl_err_set(err, -EINVAL,
				  "key %s: '%.64s' is not a size (bytes, or digits with a K, M, G or T suffix)",
				  path, v->valuestring);
	ret = check_number(f, (double)bytes, path, err);
	if (ret)
		return ret;
	*(uint64_t *)field_ptr(f, base) = bytes;
	return 0;
}

/* The checks every list row shares: an array, no more than f->size entries. */
static int check_array(const struct rl_field *f, const cJSON *v, const char *path,
		       struct rl_err *err)
{
	size_t n;

	if (!cJSON_IsArray(v))
		return rl_err_set(err, -EINVAL, "key %s: expected an array, got %s",
				  path, json_type_name(v));
	n = cJSON_GetArraySize(v);
	if (n > f->size)
		return rl_err_set(err, -EINVAL, "key %s: %zu entries, at most %zu allowed",
				  path, n, f->size);
	if (!n && (f->flags & RL_FF_NONEMPTY))
		return rl_err_set(err, -EINVAL, "key %s: must not be empty", path);
	return 0;
}

static int set_list(const struct rl_field *f, const cJSON *v, void *base,
		    const char *path, struct rl_err *err)
{
	uint32_t *dst = field_ptr(f, base);
	const cJSON *e;
	char epath[RL_PATH_MAX];
	size_t n = 0;
	double d;
	int ret;

	ret = check_array(f, v, path, err);
	if (ret)
		return ret;
	/* Validate every entry before storing any, so a bad list changes nothing. */
	cJSON_ArrayForEach(e, v) {
		snprintf(epath, sizeof(epath), "%s[%zu]", path, n++);
		ret = get_number(f, e, epath, &d, err);
		if (ret)
			return ret;
	}
	memset(dst, 0, f->size * sizeof(*dst));
	n = 0;
	cJSON_ArrayForEach(e, v)
		dst[n++] = (uint32_t)e->valuedouble;
	*(uint32_t *)((char *)base + f->count_offset) = n;
	return 0;
}

static int set_string_list(const struct rl_field *f, const cJSON *v, void *base,
			   const char *path, struct rl_err *err)
{
	char *dst = field_ptr(f, base);
	char epath[RL_PATH_MAX];
	const cJSON *e;
	size_t n = 0;
	int ret;

	ret = check_array(f, v, path, err);
	if (ret)
		return ret;
	cJSON_ArrayForEach(e, v) {
		snprintf(epath, sizeof(epath), "%s[%zu]", path, n++);
		if (!cJSON_IsString(e))
			return rl_err_set(err, -EINVAL, "key %s: expected a string, got %s",
					  epath, json_type_name(e));
		ret = check_string(f, e->valuestring, f->elem_size, epath, err);
		if (ret)
			return ret;
	}
	memset(dst, 0, f->size * f->elem_size);
	n = 0;
	cJSON_ArrayForEach(e, v) {
		memcpy(dst + n * f->elem_size, e->valuestring, strlen(e->valuestring));
		n++;
	}
	*(uint32_t *)((char *)base + f->count_offset) = n;
	return 0;
}

static int apply_table(const struct rl_field *table, const cJSON *obj, void *base,
		       enum rl_apply_mode mode, const char *prefix, struct rl_err *err);

/*
 * Each entry is a complete object: it starts from the table's defaults and
 * must carry its required keys. Entries are built in a scratch copy so a
 * bad entry leaves the list as it was.
 */
static int set_object_list(const struct rl_field *f, const cJSON *v, void *base,
			   const char *path, struct rl_err *err)
{
	char epath[RL_PATH_MAX];
	const cJSON *e;
	size_t n = 0;
	char *tmp;
	int ret;

	ret = check_array(f, v, path, err);
	if (ret)
		return ret;
	tmp = calloc(f->size, f->elem_size);
	if (!tmp)
		return rl_err_set(err, -ENOMEM, "key %s: out of memory", path);
	cJSON_ArrayForEach(e, v) {
		char *entry = tmp + n * f->elem_size;

		snprintf(epath, sizeof(epath), "%s[%zu]", path, n++);
		ret = rl_fields_defaults(f->sub, entry, err);
		if (!ret)
			ret = apply_table(f->sub, e, entry, RL_APPLY_FULL, epath, err);
		if (ret)
			goto out;
	}
	memcpy(field_ptr(f, base), tmp, f->size * f->elem_size);
	*(uint32_t *)((char *)base + f->count_offset) = n;
out:
	free(tmp);
	return ret;
}

static int field_set(const struct rl_field *f, const cJSON *v, void *base,
		     enum rl_apply_mode mode, const char *path, struct rl_err *err)
{
	double d;
	int ret;

	switch (f->type) {
	case RL_FT_STRING:
		return set_string(f, v, base, path, err);
	case RL_FT_BOOL:
		if (!cJSON_IsBool(v))
			return rl_err_set(err, -EINVAL, "key %s: expected true or false, got %s",
					  path, json_type_name(v));
		*(bool *)field_ptr(f, base) = cJSON_IsTrue(v);
		return 0;
	case RL_FT_U32:
	case RL_FT_U64:
	case RL_FT_DOUBLE:
		ret = get_number(f, v, path, &d, err);
		if (ret)
			return ret;
		if (f->type == RL_FT_U32)
			*(uint32_t *)field_ptr(f, base) = (uint32_t)d;
		else if (f->type == RL_FT_U64)
			*(uint64_t *)field_ptr(f, base) = (uint64_t)d;
		else
			*(double *)field_ptr(f, base) = d;
		return 0;
	case RL_FT_SIZE:
		return set_size(f, v, base, path, err);
	case RL_FT_ENUM:
		return set_enum(f, v, base, path, err);
	case RL_FT_U32_LIST:
		return set_list(f, v, base, path, err);
	case RL_FT_STRING_LIST:
		return set_string_list(f, v, base, path, err);
	case RL_FT_OBJECT_LIST:
		return set_object_list(f, v, base, path, err);
	case RL_FT_OBJECT:
		return apply_table(f->sub, v, field_ptr(f, base), mode, path, err);
	case RL_FT_PASS:
	case RL_FT_MAX:
		break;
	}
	return 0;
}

const struct rl_field *rl_field_find(const struct rl_field *table, const char *name)
{
	for (; table->name; table++)
		if (!strcmp(table->name, name))
			return table;
	return NULL;
}

/* Levenshtein distance, for "did you mean"; long keys are never close. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[RL_PATH_MAX + 1], prev_diag, tmp;

	if (la > RL_PATH_MAX || lb > RL_PATH_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev_diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev_diag + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev_diag = tmp;
		}
	}
	return row[lb];
}

static int unknown_key(const struct rl_field *table, const char *key,
		       const char *prefix, struct rl_err *err)
{
	const struct rl_field *best = NULL;
	size_t best_dist = RL_SUGGEST_DIST + 1;

	for (; table->name; table++) {
		size_t d = edit_distance(key, table->name);

		if (d < best_dist) {
			best_dist = d;
			best = table;
		}
	}
	if (best)
		return rl_err_set(err, -EINVAL, "unknown key '%s%s%.64s' (did you mean '%s%s%s'?)",
				  prefix, *prefix ? "." : "", key,
				  prefix, *prefix ? "." : "", best->name);
	return rl_err_set(err, -EINVAL, "unknown key '%s%s%.64s'",
			  prefix, *prefix ? "." : "", key);
}

static bool seen_before(const cJSON *obj, const cJSON *item)
{
	const cJSON *c;

	for (c = obj->child; c && c != item; c = c->next)
		if (!strcmp(c->string, item->string))
			return true;
	return false;
}

static int check_required(const struct rl_field *table, const cJSON *obj,
			  const char *prefix, struct rl_err *err)
{
	const cJSON *c;

	for (; table->name; table++) {
		if (!(table->flags & RL_FF_REQUIRED))
			continue;
		for (c = obj->child; c; c = c->next)
			if (!strcmp(c->string, table->name))
				break;
		if (!c)
			return rl_err_set(err, -EINVAL, "missing required key '%s%s%s'",
					  prefix, *prefix ? "." : "", table->name);
	}
	return 0;
}

static int apply_table(const struct rl_field *table, const cJSON *obj, void *base,
		       enum rl_apply_mode mode, const char *prefix, struct rl_err *err)
{
	char path[RL_PATH_MAX];
	const struct rl_field *f;
	const cJSON *c;
	int ret;

	if (!cJSON_IsObject(obj)) {
		if (*prefix)
			return rl_err_set(err, -EINVAL, "key %s: expected an object, got %s",
					  prefix, json_type_name(obj));
		return rl_err_set(err, -EINVAL, "expected a JSON object, got %s",
				  json_type_name(obj));
	}
	for (c = obj->child; c; c = c->next) {
		f = rl_field_find(table, c->string);
		if (!f)
			return unknown_key(table, c->string, prefix, err);
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", f->name);
		if (seen_before(obj, c))
			return rl_err_set(err, -EINVAL, "key %s: given more than once", path);
		ret = field_set(f, c, base, mode, path, err);
		if (ret)
			return ret;
	}
	return mode == RL_APPLY_FULL ? check_required(table, obj, prefix, err) : 0;
}

int rl_fields_apply(const struct rl_field *table, const cJSON *obj, void *base,
		    enum rl_apply_mode mode, struct rl_err *err)
{
	return apply_table(table, obj, base, mode, "", err);
}

static void field_zero(const struct rl_field *f, void *base)
{
	void *p = field_ptr(f, base);

	switch (f->type) {
	case RL_FT_STRING:
		memset(p, 0, f->size);
		break;
	case RL_FT_BOOL:
		*(bool *)p = false;
		break;
	case RL_FT_U32:
		*(uint32_t *)p = 0;
		break;
	case RL_FT_U64:
	case RL_FT_SIZE:
		*(uint64_t *)p = 0;
		break;
	case RL_FT_DOUBLE:
		*(double *)p = 0;
		break;
	case RL_FT_ENUM:
		*(int *)p = 0;
		break;
	case RL_FT_U32_LIST:
		memset(p, 0, f->size * sizeof(uint32_t));
		*(uint32_t *)((char *)base + f->count_offset) = 0;
		break;
	case RL_FT_STRING_LIST:
	case RL_FT_OBJECT_LIST:
		memset(p, 0, f->size * f->elem_size);
		*(uint32_t *)((char *)base + f->count_offset) = 0;
		break;
	case RL_FT_OBJECT:
	case RL_FT_PASS:
	case RL_FT_MAX:
		break;
	}
}

int rl_fields_defaults(const struct rl_field *table, void *base, struct rl_err *err)
{
	cJSON *v;
	int ret;

	for (; table->name; table++) {
		if (table->type == RL_FT_OBJECT) {
			ret = rl_fields_defaults(table->sub, field_ptr(table, base), err);
			if (ret)
				return ret;
			continue;
		}
		field_zero(table, base);
		if (!table->def)
			continue;
		/* Defaults are JSON text so they go through the same checks as input. */
		ret = rl_json_parse(table->def, &v, err);
		if (!ret) {
			ret = field_set(table, v, base, RL_APPLY_FULL, table->name, err);
			cJSON_Delete(v);
		}
		if (ret)
			return rl_err_prefix(err, ret, "default of %s", table->name);
	}
	return 0;
}

/*
 * cJSON prints numbers with 15 significant digits when that reads back
 * "close enough", which loses integers of 16 digits (a seed near 2^53):
 * print those digits ourselves.
 */
static cJSON *u64_to_json(uint64_t v)
{
	char digits[24];

	if (v < 1000000000000000ull)
		return cJSON_CreateNumber((double)v);
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	return cJSON_CreateRaw(digits);
}

/* A STRING_LIST or OBJECT_LIST row as a JSON array. */
static cJSON *list_to_json(const struct rl_field *f, const void *base)
{
	uint32_t count = *(const uint32_t *)((const char *)base + f->count_offset);
	const char *p = field_cptr(f, base);
	cJSON *a = cJSON_CreateArray(), *e;
	uint32_t i;

	for (i = 0; a && i < count && i < f->size; i++) {
		const char *entry = p + i * f->elem_size;

		if (f->type == RL_FT_STRING_LIST)
			e = cJSON_CreateString(entry);
		else
			e = rl_fields_to_json(f->sub, entry);
		if (!e || !cJSON_AddItemToArray(a, e)) {
			cJSON_Delete(e);
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

static cJSON *field_to_json(const struct rl_field *f, const void *base)
{
	const void *p = field_cptr(f, base);
	char buf[32];

	switch (f->type) {
	case RL_FT_STRING:
		return cJSON_CreateString(p);
	case RL_FT_BOOL:
		return cJSON_CreateBool(*(const bool *)p);
	case RL_FT_U32:
		return cJSON_CreateNumber(*(const uint32_t *)p);
	case RL_FT_U64:
		return u64_to_json(*(const uint64_t *)p);
	case RL_FT_SIZE:
		rl_format_size(*(const uint64_t *)p, buf, sizeof(buf));
		if (isdigit((unsigned char)buf[strlen(buf) - 1]))
			return u64_to_json(*(const uint64_t *)p);
		return cJSON_CreateString(buf);
	case RL_FT_DOUBLE:
		return cJSON_CreateNumber(*(const double *)p);
	case RL_FT_ENUM: {
		int v = *(const int *)p, n = 0;

		while (f->names[n])
			n++;
		return v >= 0 && v < n ? cJSON_CreateString(f->names[v]) : cJSON_CreateNull();
	}
	case RL_FT_U32_LIST: {
		uint32_t count = *(const uint32_t *)((const char *)base + f->count_offset);
		const uint32_t *list = p;
		cJSON *a = cJSON_CreateArray(), *e;
		uint32_t i;

		for (i = 0; a && i < count && i < f->size; i++) {
			e = cJSON_CreateNumber(list[i]);
			if (!e || !cJSON_AddItemToArray(a, e)) {
				cJSON_Delete(e);
				cJSON_Delete(a);
				return NULL;
			}
		}
		return a;
	}
	case RL_FT_STRING_LIST:
	case RL_FT_OBJECT_LIST:
		return list_to_json(f, base);
	case RL_FT_OBJECT:
		return rl_fields_to_json(f->sub, p);
	case RL_FT_PASS:
	case RL_FT_MAX:
		break;
	}
	return NULL;
}

cJSON *rl_fields_to_json(const struct rl_field *table, const void *base)
{
	cJSON *obj = cJSON_CreateObject(), *v;

	if (!obj)
		return NULL;
	for (; table->name; table++) {
		if (table->type == RL_FT_PASS)
			continue;
		v = field_to_json(table, base);
		if (!v || !cJSON_AddItemToObject(obj, table->name, v)) {
			cJSON_Delete(v);
			cJSON_Delete(obj);
			return NULL;
		}
	}
	return obj;
}

static const char *type_doc(enum rl_field_type t)
{
	static const char *const names[RL_FT_MAX] = {
		[RL_FT_STRING] = "string",
		[RL_FT_BOOL] = "bool",
		[RL_FT_U32] = "integer",
		[RL_FT_U64] = "integer",
		[RL_FT_SIZE] = "size",
		[RL_FT_DOUBLE] = "number",
		[RL_FT_ENUM] = "enum",
		[RL_FT_U32_LIST] = "integer list",
		[RL_FT_OBJECT] = "object",
		[RL_FT_PASS] = "JSON",
		[RL_FT_STRING_LIST] = "string list",
		[RL_FT_OBJECT_LIST] = "object list",
	};

	return t < RL_FT_MAX ? names[t] : "?";
}

/* Markdown cells must not contain '|' or line breaks. */
static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s == '\n' ? ' ' : *s, out);
	}
}

static void md_range(const struct rl_field *f, FILE *out)
{
	char lo[32], hi[32];
	int i;

	format_number(f, f->min, lo, sizeof(lo));
	format_number(f, f->max, hi, sizeof(hi));
	switch (f->type) {
	case RL_FT_STRING:
		fprintf(out, "%s..%s characters", lo, hi);
		if (f->charset)
			fprintf(out, " of `[%s]`", f->charset);
		break;
	case RL_FT_STRING_LIST:
		fprintf(out, "%d to %zu entries, each %s..%s characters",
			f->flags & RL_FF_NONEMPTY ? 1 : 0, f->size, lo, hi);
		if (f->charset)
			fprintf(out, " of `[%s]`", f->charset);
		break;
	case RL_FT_OBJECT_LIST:
		fprintf(out, "%d to %zu entries, keys below",
			f->flags & RL_FF_NONEMPTY ? 1 : 0, f->size);
		break;
	case RL_FT_BOOL:
		fputs("`true`, `false`", out);
		break;
	case RL_FT_U32:
	case RL_FT_U64:
	case RL_FT_SIZE:
	case RL_FT_DOUBLE:
		if (f->flags & RL_FF_NONE_NEG1)
			fputs("-1 (none) or ", out);
		fprintf(out, "%s..%s", lo, hi);
		if (f->flags & RL_FF_POW2)
			fputs(", power of two", out);
		if (f->flags & RL_FF_MUL512)
			fputs(", multiple of 512", out);
		break;
	case RL_FT_ENUM:
		for (i = 0; f->names[i]; i++)
			fprintf(out, "%s`%s`", i ? ", " : "", f->names[i]);
		break;
	case RL_FT_U32_LIST:
		fprintf(out, "%d to %zu entries, each %s..%s",
			f->flags & RL_FF_NONEMPTY ? 1 : 0, f->size, lo, hi);
		break;
	case RL_FT_OBJECT:
		fputs("keys below", out);
		break;
	case RL_FT_PASS:
	case RL_FT_MAX:
		break;
	}
}

static void md_rows(const struct rl_field *table, const char *prefix, FILE *out)
{
	char path[RL_PATH_MAX];

	for (; table->name; table++) {
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", table->name);
		fprintf(out, "| `%s` | %s | ", path, type_doc(table->type));
		if (table->flags & RL_FF_REQUIRED)
			fputs("required", out);
		else if (table->def) {
			fputc('`', out);
			md_cell(out, table->def);
			fputc('`', out);
		}
		fputs(" | ", out);
		md_range(table, out);
		fputs(" | ", out);
		md_cell(out, table->help ? table->help : "");
		fputs(" |\n", out);
		if (table->type == RL_FT_OBJECT)
			md_rows(table->sub, path, out);
		if (table->type == RL_FT_OBJECT_LIST) {
			strncat(path, "[]", sizeof(path) - strlen(path) - 1);
			md_rows(table->sub, path, out);
		}
	}
}

void rl_fields_markdown(const struct rl_field *table, FILE *out)
{
	fputs("| key | type | default | range / values | description |\n", out);
	fputs("|---|---|---|---|---|\n", out);
	md_rows(table, "", out);
}

/* 1-based line and column of byte @pos of @text. */
static void text_position(const char *text, const char *pos, int *line, int *col)
{
	const char *p;

	*line = 1;
	*col = 1;
	for (p = text; p < pos && *p; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int rl_json_parse(const char *text, cJSON **out, struct rl_err *err)
{
	const char *end = NULL;
	char near[24];
	int line, col;
	size_t i;

	*out = cJSON_ParseWithOpts(text, &end, 1);
	if (*out)
		return 0;
	if (!end)
		end = text;
	text_position(text, end, &line, &col);
	for (i = 0; i < sizeof(near) - 1 && end[i] && end[i] != '\n' && end[i] != '\r'; i++)
		near[i] = isprint((unsigned char)end[i]) ? end[i] : '?';
	near[i] = '\0';
	if (!i)
		return rl_err_set(err, -EINVAL,
				  "line %d, column %d: malformed JSON at the end of the input",
				  line, col);
	return rl_err_set(err, -EINVAL, "line %d, column %d: malformed JSON near '%s'",
			  line, col, near);
}

static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *tmp;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > RL_JSON_FILE_MAX)
				goto too_big;
			tmp = realloc(buf, cap * 2);
			if (!tmp)
				goto nomem;
			buf = tmp;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return r;
		}
		if (!r)
			break;
		n += r;
	}
	if (n > RL_JSON_FILE_MAX)
		goto too_big;
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
too_big:
	free(buf);
	return -EFBIG;
nomem:
	free(buf);
	return -ENOMEM;
}

int rl_json_load_file(const char *path, cJSON **out, struct rl_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	ret = read_all(fd, &text, &len);
	close(fd);
	if (ret == -EFBIG)
		return rl_err_set(err, ret, "%s: larger than %u MiB", path,
				  RL_JSON_FILE_MAX >> 20);
	if (ret)
		return rl_err_set(err, ret, "%s: %s", path, strerror(-ret));
	if (strlen(text) != len) {
		free(text);
		return rl_err_set(err, -EINVAL, "%s: contains a NUL byte", path);
	}
	ret = rl_json_parse(text, out, err);
	free(text);
	return ret ? rl_err_prefix(err, ret, "%s", path) : 0;
}
