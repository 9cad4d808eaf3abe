/* SPDX-License-Identifier: MIT */
/*
 * Results as JSON, format "ringlab-run-1": the one place a run becomes JSON
 * and back. The CLI, the daemon's store and API, and VM guests all use it, so
 * a result means the same thing wherever it was measured.
 *
 * Every struct field appears under a stable snake_case name, with the unit in
 * the name where it is not obvious (lat_ns, enter_ns, elapsed_s, bw_bytes_s);
 * enums by name; errors as [{"errno", "name", "count"}]; mismatch bytes as hex
 * strings; es/disk samples as objects, or null when not valid; latencies
 * (lat_ns, enter_lat_ns) null and iops, bw_bytes_s null when nothing
 * completed. Beside the cells, "summaries" has one entry per workload x jobs
 * (rl_cell_summary(): medians, the spread of the repetitions' EAGAIN rates,
 * "unstable", "timing_dependent"), written only: readers recompute it. Integers travel
 * as JSON numbers (doubles): exact up to 2^53, which no counter reaches (2^53 ns
 * is 104 days, 2^53 bytes 8 PiB). Timestamps are also written as ISO 8601 UTC
 * with nanoseconds, which is what the reader uses, so they round-trip exactly.
 */
#ifndef RINGLAB_DAEMON_ENGINE_RESULT_JSON_H
#define RINGLAB_DAEMON_ENGINE_RESULT_JSON_H

#include <cJSON.h>

#include "util/err.h"
#include "result.h"

#define RL_RUN_FORMAT "ringlab-run-1"

/* The struct as a new cJSON object (caller frees with cJSON_Delete), or NULL when out of memory. */
cJSON *rl_env_to_json(const struct rl_env *env);
cJSON *rl_cell_to_json(const struct rl_cell *c);
cJSON *rl_run_to_json(const struct rl_run *run);

/*
 * The inverses: fill the struct (zeroed first) from @j. Every field must be
 * present with the right type; unknown keys are ignored so readers tolerate
 * annotations (an API may add "id"). Returns 0, -EINVAL with the field's path
 * in @err ("cells[3].lat_ns.p99: expected a number"), or -ENOMEM.
 * rl_run_from_json() allocates run->workloads and run->cells (release with
 * rl_run_free()); on error nothing is left allocated.
 */
int rl_env_from_json(const cJSON *j, struct rl_env *env, struct rl_err *err);
int rl_cell_from_json(const cJSON *j, struct rl_cell *c, struct rl_err *err);
int rl_run_from_json(const cJSON *j, struct rl_run *run, struct rl_err *err);

/* rl_errno_name() - "EAGAIN" for 11; "unknown" for a number without a name. */
const char *rl_errno_name(int err);

#endif
