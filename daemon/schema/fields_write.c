/* SPDX-License-Identifier: MIT */
/* The field-table walker's writing half: a struct as JSON, one key per row. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fields_internal.h"

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

static cJSON *hex_to_json(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *buf = malloc(2 * n + 1);
	cJSON *s;
	size_t i;

	if (!buf)
		return NULL;
	for (i = 0; i < n; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 15];
	}
	buf[2 * n] = '\0';
	s = cJSON_CreateString(buf);
	free(buf);
	return s;
}

/* A table of names gives null for a value it does not name; name_of names every value itself. */
static cJSON *enum_to_json(const struct rl_field *f, int v)
{
	if (f->names)
		return v >= 0 && v < rl_field_enum_count(f) ?
		       cJSON_CreateString(f->names[v]) : cJSON_CreateNull();
	return cJSON_CreateString(f->name_of(v));
}

/* A U32_LIST, STRING_LIST or OBJECT_LIST row as a JSON array. */
static cJSON *list_to_json(const struct rl_field *f, const void *base)
{
	uint32_t count = *(const uint32_t *)((const char *)base + f->count_offset);
	const char *p = rl_field_cptr(f, base);
	cJSON *a = cJSON_CreateArray(), *e;
	uint32_t i;

	for (i = 0; a && i < count && i < f->size; i++) {
		if (f->type == RL_FT_U32_LIST)
			e = cJSON_CreateNumber(((const uint32_t *)p)[i]);
		else if (f->type == RL_FT_STRING_LIST)
			e = cJSON_CreateString(p + i * f->elem_size);
		else
			e = rl_fields_to_json(f->sub, p + i * f->elem_size);
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
	const void *p = rl_field_cptr(f, base);
	char buf[32];
	double d;

	switch (f->type) {
	case RL_FT_STRING:
		return cJSON_CreateString(p);
	case RL_FT_BOOL:
		return cJSON_CreateBool(*(const bool *)p);
	case RL_FT_U32:
		return cJSON_CreateNumber(*(const uint32_t *)p);
	case RL_FT_U64:
		if (f->flags & RL_FF_U64_AS_DOUBLE)
			return cJSON_CreateNumber((double)*(const uint64_t *)p);
		return u64_to_json(*(const uint64_t *)p);
	case RL_FT_INT:
		return cJSON_CreateNumber(*(const int *)p);
	case RL_FT_SIZE:
		rl_format_size(*(const uint64_t *)p, buf, sizeof(buf));
		if (isdigit((unsigned char)buf[strlen(buf) - 1]))
			return u64_to_json(*(const uint64_t *)p);
		return cJSON_CreateString(buf);
	case RL_FT_DOUBLE:
		d = *(const double *)p;
		if ((f->flags & RL_FF_NULL_NAN) && !isfinite(d))
			return cJSON_CreateNull();
		return cJSON_CreateNumber(d);
	case RL_FT_ENUM:
		return enum_to_json(f, *(const int *)p);
	case RL_FT_HEX:
		return hex_to_json(p, f->size);
	case RL_FT_U32_LIST:
	case RL_FT_STRING_LIST:
	case RL_FT_OBJECT_LIST:
		return list_to_json(f, base);
	case RL_FT_OBJECT:
		return rl_fields_to_json(f->sub, p);
	case RL_FT_OPT_OBJECT:
		return *(const bool *)p ? rl_fields_to_json(f->sub, p) : cJSON_CreateNull();
	case RL_FT_PASS:
	case RL_FT_MAX:
		break;
	}
	return NULL;
}

int rl_fields_write(cJSON *obj, const struct rl_field *table, const void *base)
{
	cJSON *v;

	for (; table->name; table++) {
		if (table->type == RL_FT_PASS)
			continue;
		v = field_to_json(table, base);
		if (!v || !cJSON_AddItemToObject(obj, table->name, v)) {
			cJSON_Delete(v);
			return -ENOMEM;
		}
	}
	return 0;
}

cJSON *rl_fields_to_json(const struct rl_field *table, const void *base)
{
	cJSON *obj = cJSON_CreateObject();

	if (obj && rl_fields_write(obj, table, base)) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}
