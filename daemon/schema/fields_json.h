/* SPDX-License-Identifier: MIT */
/*
 * JSON text and files to cJSON, with errors a person can act on: the line
 * and column of malformed input, the file name, a size cap.
 */
#ifndef RINGLAB_DAEMON_SCHEMA_FIELDS_JSON_H
#define RINGLAB_DAEMON_SCHEMA_FIELDS_JSON_H

#include <cJSON.h>

#include "util/err.h"

/*
 * rl_json_parse() - parse @text (NUL-terminated) into *@out. Returns 0, or
 * -EINVAL with "line L, column C: malformed JSON near '...'" in @err.
 */
int rl_json_parse(const char *text, cJSON **out, struct rl_err *err);

/*
 * rl_json_load_file() - read @path (at most 4 MiB) and parse it. Returns 0,
 * -errno from open/read (-EFBIG when too large), or -EINVAL; @err starts with
 * @path either way ("x.json: No such file or directory").
 */
int rl_json_load_file(const char *path, cJSON **out, struct rl_err *err);

#endif
