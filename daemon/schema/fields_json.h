/* SPDX-License-Identifier: MIT */
/*
 * JSON text and files to cJSON, with errors a person can act on: the line
 * and column of malformed input, the file name, a size cap.
 */
#ifndef RINGLAB_DAEMON_SCHEMA_FIELDS_JSON_H
#define RINGLAB_DAEMON_SCHEMA_FIELDS_JSON_H

#include <stdbool.h>

#include <cJSON.h>

#include "util/err.h"

/*
 * rl_json_parse() - parse @text (NUL-terminated) into *@out. Returns 0, or
 * -EINVAL with "line L, column C: malformed JSON near '...'" in @err.
 */
int rl_json_parse(const char *text, cJSON **out, struct rl_err *err);

/* What a JSON text may make cJSON build: see rl_json_scan(). */
struct rl_json_limits {
	size_t max_values;	/* values (cJSON nodes); 0: any number */
	unsigned int max_depth;	/* arrays and objects inside one another; 0: any depth */
};

/*
 * rl_json_scan() - what parsing @text (@len bytes) would build, counted
 * before it is built, in one pass that allocates nothing: the values (at
 * most 1 + commas + arrays and objects outside strings; exact for JSON
 * without empty containers) and the deepest nesting. The grammar is not
 * checked (rl_json_parse() does that), but what cJSON would take and no
 * reader after it can keep is refused: bytes that are not UTF-8, and a
 * string escaping a NUL (\u0000), which cuts the C string short. Returns
 * 0, or -EFBIG with "more than M JSON values" or -EINVAL with "JSON nested
 * more than D deep", "byte B: not UTF-8 (0xXX)" or "byte B: a string holds
 * \u0000 ..." in @err (the scan stops at the first).
 */
int rl_json_scan(const char *text, size_t len, const struct rl_json_limits *lim,
		 struct rl_err *err);

/*
 * rl_utf8_scrub() - @s with each byte that does not begin a UTF-8 sequence
 * (as rl_json_scan() judges them) turned into '?', in place: for text that
 * quotes a request (its path, a header) in an answer, which must be UTF-8.
 */
void rl_utf8_scrub(char *s);

/*
 * rl_json_unique_keys() - whether every object below @root (and @root) names
 * each member once: cJSON keeps both of {"a": 1, "a": 2} and its lookups
 * find the first, while other readers (a proxy, a script reading what was
 * stored) take the last. Returns 0, -EINVAL with "key 'K' given twice in
 * PATH" in @err, or -ENOMEM.
 */
int rl_json_unique_keys(const cJSON *root, struct rl_err *err);

/*
 * rl_json_load_file() - read @path (at most 4 MiB) and parse it. Returns 0,
 * -errno from open/read (-EFBIG when too large), or -EINVAL; @err starts with
 * @path either way ("x.json: No such file or directory").
 */
int rl_json_load_file(const char *path, cJSON **out, struct rl_err *err);

/*
 * rl_json_load_fd() - rl_json_load_file() of the open file @fd (left open),
 * named @path in errors; with !@quote a malformed file's error gives the
 * line and column but none of its text (a file found by name in a
 * directory, whose errors the API serves). Same returns.
 */
int rl_json_load_fd(int fd, const char *path, bool quote, cJSON **out, struct rl_err *err);

#endif
