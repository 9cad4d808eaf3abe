/* SPDX-License-Identifier: MIT */
/* rl_json_parse_fast() builds, for every text it takes, the tree cJSON builds, node for node (types, both number fields bit for bit, strings, keys, links), and leaves to cJSON every text outside strict JSON or with \u escapes: fixed edge cases, 20,000 random documents with numbers of every form, and 200,000 byte-level mutations of them. */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "schema/json_fast.h"
#include "../lib/check.h"

/* Whether @a and @b are the same tree; the first difference in @why. */
static bool same(const cJSON *a, const cJSON *b, char *why, size_t len)
{
	const cJSON *x, *y;

	if (a->type != b->type || a->valueint != b->valueint ||
	    memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) ||
	    !a->valuestring != !b->valuestring ||
	    (a->valuestring && strcmp(a->valuestring, b->valuestring)) ||
	    !a->string != !b->string || (a->string && strcmp(a->string, b->string))) {
		snprintf(why, len, "node %s: type %d/%d int %d/%d double %.17g/%.17g str %s/%s",
			 a->string ? a->string : "-", a->type, b->type, a->valueint, b->valueint,
			 a->valuedouble, b->valuedouble, a->valuestring ? a->valuestring : "-",
			 b->valuestring ? b->valuestring : "-");
		return false;
	}
	for (x = a->child, y = b->child; x && y; x = x->next, y = y->next) {
		if (!same(x, y, why, len))
			return false;
		/* prev: the one before, and the first's is the last, as cJSON links them. */
		if ((x->prev == NULL) != (y->prev == NULL) ||
		    (x->next == NULL) != (y->next == NULL)) {
			snprintf(why, len, "links of %s", x->string ? x->string : "an element");
			return false;
		}
	}
	if (x || y) {
		snprintf(why, len, "child count");
		return false;
	}
	if (a->child && (a->child->prev == NULL) != (b->child->prev == NULL)) {
		snprintf(why, len, "first child's prev");
		return false;
	}
	return true;
}

/* The last of @c's siblings, by next. */
static const cJSON *last_of(const cJSON *c)
{
	while (c && c->next)
		c = c->next;
	return c;
}

/* Whether the first child's prev is the last child at every level of @t. */
static bool prev_is_last(const cJSON *t)
{
	for (const cJSON *c = t->child; c; c = c->next)
		if (!prev_is_last(c))
			return false;
	return !t->child || t->child->prev == last_of(t->child);
}

/*
 * @text through both parsers. @must_take: the fast parse must take it.
 * Returns whether the fast parse took it.
 */
static bool check_text(const char *text, bool must_take)
{
	cJSON *f = rl_json_parse_fast(text), *c = cJSON_ParseWithOpts(text, NULL, 1);
	char why[256] = "";
	bool took = f != NULL;

	if (f) {
		CHECK(c != NULL, "fast took what cJSON refuses: [%.200s]", text);
		if (c)
			CHECK(same(f, c, why, sizeof(why)), "[%.200s]: %s", text, why);
		CHECK(prev_is_last(f), "[%.200s]: first child's prev is not the last", text);
	}
	if (must_take)
		CHECK(took, "fast left a strict text to cJSON: [%.200s]", text);
	cJSON_Delete(f);
	cJSON_Delete(c);
	return took;
}

static void test_fixed(void)
{
	static const char *const take[] = {
		"0", "-0", "1", "-1", "1e22", "1e23", "1E+2", "1e-7", "2.5e-3", "123456789012345",
		"1234567890123456", "12345678901234567890123", "0.1", "0.30000000000000004",
		"1.7976931348623157e308", "1e400", "-1e400", "5e-324", "2.2250738585072014e-308",
		"9007199254740993", "-2147483648", "2147483647", "2147483648.5", "-2147483649",
		"0.000000000000000000000000001", "0.0001234567890123456", "100e-2", "1.5E-22",
		"123.456e-20", "1e-22", "4.35", "1000000000000000000000", "1.0",
		"\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\xc3\xa9\xe2\x82\xac\"",
		"true", "false", "null", "[]", "{}", " [ 1 , 2 ] ", "\t{\"a\":\r\n{\"b\":[[]]}}\n",
		"{\"a\":1,\"a\":2}", "{\"\":0}", "[[],[{}],{\"x\":[null,true,false]}]",
	};
	static const char *const leave[] = {
		"+1", "01", "1.", ".5", "-", "1e", "1e+", "-.5", "0x10", "\"\\u00e9\"",
		"\"a\x01\"", "\xEF\xBB\xBF{}", "[1,]", "{\"a\" 1}", "{\"a\":}", "nul", "tru",
		"1 2", "", "   ", "[", "{\"a\":1", "\"abc", "\"\\x\"", "{1:2}", "\v1",
		"[1]x", "NaN", "Infinity", "-Infinity",
		"1.00000000000000000000000000000000000000000000000000000000000000001",
	};
	char deep[2100];

	for (size_t i = 0; i < sizeof(take) / sizeof(take[0]); i++)
		check_text(take[i], true);
	for (size_t i = 0; i < sizeof(leave) / sizeof(leave[0]); i++)
		CHECK(!check_text(leave[i], false), "fast took a text it should leave: [%s]", leave[i]);
	/* cJSON's nesting limit is 1000: 1000 deep is taken, 1001 left to cJSON. */
	for (int n = 1000; n <= 1001; n++) {
		memset(deep, '[', (size_t)n);
		memset(deep + n, ']', (size_t)n);
		deep[2 * n] = '\0';
		CHECK(check_text(deep, false) == (n == 1000), "%d deep", n);
	}
}

/* ---- random documents ---------------------------------------------------- */

struct gen {
	char *buf;
	size_t len, cap;
};

static void emit(struct gen *g, const char *s)
{
	size_t n = strlen(s);

	if (g->len + n + 1 > g->cap) {
		g->cap = (g->len + n + 1) * 2;
		g->buf = realloc(g->buf, g->cap);
		CHECK(g->buf != NULL, "out of memory");
	}
	memcpy(g->buf + g->len, s, n + 1);
	g->len += n;
}

/* A number in one of the forms a measurement prints. */
static void gen_number(struct gen *g)
{
	char s[64];
	double d = drand48() * pow(10, (double)(lrand48() % 40) - 20);

	switch (lrand48() % 7) {
	case 0: snprintf(s, sizeof(s), "%ld", lrand48() - (1L << 30)); break;
	case 1: snprintf(s, sizeof(s), "%.15g", d); break;
	case 2: snprintf(s, sizeof(s), "%.17g", -d); break;
	case 3: snprintf(s, sizeof(s), "%.*e", (int)(lrand48() % 18), d); break;
	case 4: snprintf(s, sizeof(s), "%.*f", (int)(lrand48() % 25), d); break;
	case 5: snprintf(s, sizeof(s), "%lld", (long long)(drand48() * 9.2e18)); break;
	default: snprintf(s, sizeof(s), "%.3g", d * 1e6); break;
	}
	/* %e prints "1e+05"; JSON allows it; %f of a huge value can print "inf": not JSON, skip. */
	emit(g, strchr(s, 'i') || strchr(s, 'n') ? "0" : s);
}

static void gen_string(struct gen *g)
{
	static const char *const parts[] = { "a", "run", "\\n", "\\\"", "\\\\", "\\/", "\xc3\xa9",
					     " ", "\\t", "cells", "0" };
	int n = (int)(lrand48() % 5);

	emit(g, "\"");
	for (int i = 0; i < n; i++)
		emit(g, parts[lrand48() % (sizeof(parts) / sizeof(parts[0]))]);
	emit(g, "\"");
}

static void gen_value(struct gen *g, int depth)
{
	int kind = (int)(lrand48() % (depth > 5 ? 5 : 8)), n;

	switch (kind) {
	case 0: case 1: gen_number(g); return;
	case 2: gen_string(g); return;
	case 3: emit(g, lrand48() % 2 ? "true" : "false"); return;
	case 4: emit(g, "null"); return;
	}
	n = (int)(lrand48() % 6);
	emit(g, kind == 5 ? "[" : "{");
	for (int i = 0; i < n; i++) {
		emit(g, i ? (lrand48() % 4 ? "," : " , ") : "");
		if (kind != 5) {
			gen_string(g);
			emit(g, lrand48() % 3 ? ":" : " :\n");
		}
		gen_value(g, depth + 1);
	}
	emit(g, kind == 5 ? "]" : "}");
}

static void test_random(void)
{
	static const char bytes[] = "{}[]\":,\\ 0123456789.eE+-tfnu\x01\xc3";
	struct gen g = { NULL, 0, 0 };
	char *mut;

	srand48(2026);
	for (int i = 0; i < 20000; i++) {
		g.len = 0;
		emit(&g, "");
		gen_value(&g, 0);
		check_text(g.buf, true);
		mut = malloc(g.len + 1);
		CHECK(mut != NULL, "out of memory");
		for (int k = 0; mut && k < 10; k++) {
			memcpy(mut, g.buf, g.len + 1);
			if (g.len)
				mut[lrand48() % g.len] = bytes[lrand48() % (sizeof(bytes) - 1)];
			check_text(mut, false);
		}
		free(mut);
	}
	free(g.buf);
}

int main(void)
{
	test_fixed();
	test_random();
	return check_exit();
}
