/* SPDX-License-Identifier: MIT */
/* rl_json_span_of() finds the very bytes of a parsed value (past a byte order mark, blanks, strings holding brackets, quotes and escapes; the first of duplicate keys, as cJSON's lookup), refuses a text the tree was not parsed from, and rl_json_compact() drops only the blanks between tokens, so the span parses to the same value. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "schema/json_span.h"
#include "../lib/check.h"

/* The span of @text's member @key of member @outer (NULL: of the root), as text. */
static char *span_text(const char *text, const char *outer, const char *key)
{
	cJSON *root = cJSON_Parse(text);
	const cJSON *chain[3] = { root };
	struct rl_json_span sp;
	size_t n = 1;
	char *out = NULL;

	CHECK(root, "parse %s", text);
	if (outer) {
		chain[1] = cJSON_GetObjectItemCaseSensitive(root, outer);
		n++;
	}
	chain[n] = cJSON_GetObjectItemCaseSensitive(chain[n - 1], key);
	if (root && rl_json_span_of(text, chain, n + 1, &sp) == 0)
		out = strndup(sp.text, sp.len);
	cJSON_Delete(root);
	return out;
}

static void expect_span(const char *text, const char *outer, const char *key, const char *want)
{
	char *got = span_text(text, outer, key);

	CHECK(got && !strcmp(got, want), "%s / %s in %s: got [%s], want [%s]", outer ? outer : "",
	      key, text, got ? got : "(none)", want);
	free(got);
}

static void test_spans(void)
{
	expect_span("{\"a\": 1, \"b\": [1, 2]}", NULL, "b", "[1, 2]");
	expect_span("\xEF\xBB\xBF {\"a\":true}", NULL, "a", "true");
	/* Brackets, braces, commas, quotes and backslashes inside strings are not structure. */
	expect_span("{\"s\": \"a],}\\\"{[\\\\\", \"run\" :\n\t{\"x\": \"}\", \"cells\" : [ {\"k\": \"]\"} , 2 ] } }",
		    "run", "cells", "[ {\"k\": \"]\"} , 2 ]");
	/* A key spelt with an escape is the key it decodes to; found by position, not by name. */
	expect_span("{\"cell\\u0073\": [3], \"x\": 0}", NULL, "cells", "[3]");
	/* Given twice: cJSON's lookup takes the first, and so does the span. */
	expect_span("{\"run\": {\"cells\": [1]}, \"run\": {\"cells\": [2]}}", "run", "cells", "[1]");
	expect_span("{\"n\": -1.5e+3 , \"z\": null}", NULL, "n", "-1.5e+3");
	expect_span("{\"o\": {}}", NULL, "o", "{}");
}

/* A tree parsed from another text, or an item not in its parent, has no span. */
static void test_refused(void)
{
	cJSON *a = cJSON_Parse("{\"x\": 1, \"y\": {\"z\": 2}}"), *other = cJSON_Parse("[1]");
	const cJSON *chain[] = { a, cJSON_GetObjectItemCaseSensitive(a, "y") };
	const cJSON *stray[] = { a, other };
	struct rl_json_span sp;

	CHECK(rl_json_span_of("{\"x\": 1}", chain, 2, &sp) == -EINVAL, "a shorter text");
	CHECK(rl_json_span_of("[1, {\"z\": 2}]", chain, 2, &sp) == -EINVAL, "an array, not an object");
	CHECK(rl_json_span_of("{\"x\": 1, \"y\": 3}", chain, 2, &sp) == -EINVAL, "a number, not an object");
	CHECK(rl_json_span_of("{\"x\": 1, \"y\": {\"z\": 2}}", stray, 2, &sp) == -EINVAL,
	      "an item of another tree");
	CHECK(rl_json_span_of(NULL, chain, 2, &sp) == -EINVAL, "no text");
	cJSON_Delete(a);
	cJSON_Delete(other);
}

static void test_compact(void)
{
	const char *text = "[ {\"a b\" :\t\"x \\\" \\n y\",\r\n \"n\": 1.50 } ,\n null ]";
	struct rl_json_span in = { text, strlen(text) };
	char *out = malloc(in.len + 1), *again;
	cJSON *j1 = cJSON_Parse(text), *j2;
	size_t n;

	n = rl_json_compact(&in, out);
	out[n] = '\0';
	CHECK(!strcmp(out, "[{\"a b\":\"x \\\" \\n y\",\"n\":1.50},null]"), "compact: %s", out);
	j2 = cJSON_Parse(out);
	CHECK(j1 && j2 && cJSON_Compare(j1, j2, true), "the compact text is the same value");
	/* Compacting a compact text changes nothing. */
	again = malloc(n + 1);
	in = (struct rl_json_span){ out, n };
	CHECK(rl_json_compact(&in, again) == n && !memcmp(again, out, n), "compact twice");
	cJSON_Delete(j1);
	cJSON_Delete(j2);
	free(again);
	free(out);
}

int main(void)
{
	test_spans();
	test_refused();
	test_compact();
	return check_exit();
}
