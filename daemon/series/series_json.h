/* SPDX-License-Identifier: MIT */
/*
 * A selection (and, after a check, each patch's verdict) as JSON, format
 * "ringlab-series-1", for scripts and the kernel variant builder.
 */
#ifndef RINGLAB_DAEMON_SERIES_SERIES_JSON_H
#define RINGLAB_DAEMON_SERIES_SERIES_JSON_H

#include <cJSON.h>

#include "check.h"
#include "select.h"

#define RL_SERIES_FORMAT "ringlab-series-1"

/*
 * rl_series_to_json() - a new object: "format", "source", "kind", "version",
 * "rfc", "total", "taken" and "missing" (numbers), "skipped" (a count per
 * reason, "older" as [{version, count}]), "summary" (the sentence), and
 * "patches": [{number, subject, title, from, date, message_id, file,
 * message, line, files, damage: null or {line, reason}, and with @checks
 * check: {verdict, file, hunk, reason}}]. @checks may be NULL.
 * Returns the object (caller frees with cJSON_Delete) or NULL when out of memory.
 */
cJSON *rl_series_to_json(const char *source, const struct rl_series_input *in,
			 const struct rl_series_sel *sel, const struct rl_check *checks);

#endif
