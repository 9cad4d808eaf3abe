/* SPDX-License-Identifier: MIT */
/*
 * Small cJSON helpers every layer wrote for itself: an object builder that
 * checks for running out of memory once, a time as ISO 8601 text or null,
 * and member getters with a default for what is missing or mistyped.
 */
#ifndef RINGLAB_DAEMON_UTIL_JSON_H
#define RINGLAB_DAEMON_UTIL_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

/*
 * struct rl_jb - an object being built. A failed addition marks it failed
 * instead of returning an error, so a long list of additions reads as a
 * list, and rl_jb_end() says once whether all of them made it.
 */
struct rl_jb {
	cJSON *obj;
	bool ok;
};

/* rl_jb_new() - start building @obj (NULL, from a failed allocation, starts a failed builder). */
struct rl_jb rl_jb_new(cJSON *obj);

/* rl_jb_put() - add @item as @key; a NULL @item (a failed allocation) marks @b failed. */
void rl_jb_put(struct rl_jb *b, const char *key, cJSON *item);

/* rl_jb_num() - add @v as @key: a number, or null for NaN and infinities, which are not JSON. */
void rl_jb_num(struct rl_jb *b, const char *key, double v);

/* rl_jb_str_or_null() - add @s as @key: a string, or null for NULL and "". */
void rl_jb_str_or_null(struct rl_jb *b, const char *key, const char *s);

/* rl_jb_end() - the object, or NULL (with nothing left allocated) when any addition failed. */
cJSON *rl_jb_end(struct rl_jb *b);

/*
 * rl_json_iso_time() - @ns (nanoseconds since the epoch) as the string
 * "2026-06-26T08:35:00.123456789Z" (util/time_fmt.h), or JSON null for 0,
 * which means "not yet" (not started, not finished). Returns the new item,
 * or NULL when out of memory.
 */
cJSON *rl_json_iso_time(int64_t ns);

/* rl_json_str() - @o's member @key when it is a string, else @def (which may be NULL). */
const char *rl_json_str(const cJSON *o, const char *key, const char *def);

/* rl_json_get_num() - @o's member @key into *@out. Returns false when absent or not a number. */
bool rl_json_get_num(const cJSON *o, const char *key, double *out);

/*
 * rl_json_get_i64() - @o's member @key into *@out when it is a whole number
 * int64_t holds (a _ns time, an id). Returns false when absent, not a
 * number, fractional (1.5 is no nanosecond count) or out of range, rather
 * than truncating it.
 */
bool rl_json_get_i64(const cJSON *o, const char *key, int64_t *out);

/* rl_json_num() - @o's member @key when it is a number, else @def (NaN reads as "absent"). */
double rl_json_num(const cJSON *o, const char *key, double def);

/*
 * rl_json_integers() - turn every number below @root (an object or array)
 * that is an integer of 10^15 or more in magnitude, and below 2^63, into the
 * raw digits of that integer, in place, before printing: cJSON would print
 * it as 1.7956410205273795e+18, which readers expecting an integer (a _ns
 * timestamp) refuse, or with 15 digits that read back one double away
 * (256 ns off today). The digits read back as the same double. Returns 0,
 * or -ENOMEM with the numbers not yet turned left as they were.
 */
int rl_json_integers(cJSON *root);

/*
 * rl_json_print_integers() - @root as cJSON_Print() formats it, after
 * rl_json_integers(): what the CLI writes to a file or stdout. Returns the
 * text (cJSON_free() it), or NULL when out of memory.
 */
char *rl_json_print_integers(cJSON *root);

/*
 * rl_json_print_compact() - @root as cJSON_PrintUnformatted() formats it,
 * after rl_json_integers(): what is stored or sent, so that a _ns value
 * reads back as the integer it was. Returns the text (cJSON_free() it), or
 * NULL when out of memory.
 */
char *rl_json_print_compact(cJSON *root);

/*
 * rl_json_printable() - in every string value below @root (and @root), each
 * control character but newline and tab (C0, DEL, and C1 as UTF-8: U+0080
 * to U+009F) turned into '?', in place: what a program that prints text
 * from elsewhere (a daemon's answers, which hold what any client stored)
 * does before a terminal can take an escape sequence in a label for a
 * command.
 */
void rl_json_printable(cJSON *root);

#endif
