/* SPDX-License-Identifier: MIT */
/* Small cJSON helpers: the object builder, times as ISO 8601 or null, member getters. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "time_fmt.h"

struct rl_jb rl_jb_new(cJSON *obj)
{
	return (struct rl_jb){ obj, obj != NULL };
}

void rl_jb_put(struct rl_jb *b, const char *key, cJSON *item)
{
	if (!item || !b->obj || !cJSON_AddItemToObject(b->obj, key, item)) {
		cJSON_Delete(item);
		b->ok = false;
	}
}

void rl_jb_num(struct rl_jb *b, const char *key, double v)
{
	rl_jb_put(b, key, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

void rl_jb_str_or_null(struct rl_jb *b, const char *key, const char *s)
{
	rl_jb_put(b, key, s && *s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

cJSON *rl_jb_end(struct rl_jb *b)
{
	if (b->ok)
		return b->obj;
	cJSON_Delete(b->obj);
	return NULL;
}

cJSON *rl_json_iso_time(int64_t ns)
{
	char buf[RL_TIME_ISO_MAX];

	if (!ns || rl_time_iso(ns, buf, sizeof(buf)) < 0)
		return cJSON_CreateNull();
	return cJSON_CreateString(buf);
}

const char *rl_json_str(const cJSON *o, const char *key, const char *def)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return s ? s : def;
}

bool rl_json_get_num(const cJSON *o, const char *key, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v))
		return false;
	*out = v->valuedouble;
	return true;
}

bool rl_json_get_i64(const cJSON *o, const char *key, int64_t *out)
{
	double v;

	/* 2^63 is exact as a double, INT64_MAX is not: compare with it. */
	if (!rl_json_get_num(o, key, &v) || !(v >= -9223372036854775808.0) ||
	    !(v < 9223372036854775808.0) || v != (double)(int64_t)v)
		return false;
	*out = (int64_t)v;
	return true;
}

double rl_json_num(const cJSON *o, const char *key, double def)
{
	double v;

	return rl_json_get_num(o, key, &v) ? v : def;
}

/* Whether cJSON would print @v in exponent form although it is an integer int64_t holds. */
static bool big_integer(double v)
{
	return isfinite(v) && fabs(v) >= 1e15 && fabs(v) < 9223372036854775807.0 && v == trunc(v);
}

int rl_json_integers(cJSON *root)
{
	char digits[24];
	size_t n;

	for (cJSON *item = root ? root->child : NULL; item; item = item->next) {
		if (cJSON_IsArray(item) || cJSON_IsObject(item)) {
			if (rl_json_integers(item) < 0)
				return -ENOMEM;
			continue;
		}
		if (!cJSON_IsNumber(item) || !big_integer(item->valuedouble))
			continue;
		n = (size_t)snprintf(digits, sizeof(digits), "%" PRId64, (int64_t)item->valuedouble);
		/* In place, so the item keeps its key; cJSON_Delete() frees valuestring. */
		item->valuestring = cJSON_malloc(n + 1);
		if (!item->valuestring)
			return -ENOMEM;
		memcpy(item->valuestring, digits, n + 1);
		item->type = cJSON_Raw | (item->type & cJSON_StringIsConst);
	}
	return 0;
}

char *rl_json_print_integers(cJSON *root)
{
	return root && !rl_json_integers(root) ? cJSON_Print(root) : NULL;
}

char *rl_json_print_compact(cJSON *root)
{
	return root && !rl_json_integers(root) ? cJSON_PrintUnformatted(root) : NULL;
}

/* @s with its control characters as '?' (a two-byte C1 as one), in place. */
static void printable(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	while (*r) {
		if (r[0] == 0xc2 && r[1] >= 0x80 && r[1] <= 0x9f) {
			*w++ = '?';
			r += 2;
		} else if ((*r < 0x20 && *r != '\n' && *r != '\t') || *r == 0x7f) {
			*w++ = '?';
			r++;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

void rl_json_printable(cJSON *root)
{
	if (!root)
		return;
	if (cJSON_IsString(root) && root->valuestring)
		printable(root->valuestring);
	for (cJSON *c = root->child; c; c = c->next)
		rl_json_printable(c);
}
