/* SPDX-License-Identifier: MIT */
#ifndef RINGLAB_DAEMON_SCHEMA_JSON_FAST_H
#define RINGLAB_DAEMON_SCHEMA_JSON_FAST_H

#include <cJSON.h>

/*
 * rl_json_parse_fast() - the tree cJSON_ParseWithOpts(@text, NULL, true)
 * builds, node for node, for a strict JSON text without \u escapes or
 * control bytes in strings (free it with cJSON_Delete()); NULL for any
 * other text, or when out of memory: parse that one with cJSON, whose tree
 * or error is the answer.
 */
cJSON *rl_json_parse_fast(const char *text);

#endif
