/* SPDX-License-Identifier: MIT */
/*
 * A comparison as JSON, format "ringlab-compare-1": what GET /api/v1/compare
 * returns and the dashboard draws. Field names carry the side and the unit
 * (base_iops_median, head_p99_ns_median, eagain_diff_pp); ratios are
 * head / base; numbers that do not exist (no interval, a side that
 * completed nothing, the rate of repetitions that disagree) are null.
 */
#ifndef RINGLAB_DAEMON_COMPARE_COMPARE_JSON_H
#define RINGLAB_DAEMON_COMPARE_COMPARE_JSON_H

#include <cJSON.h>

#include "compare.h"

#define RL_COMPARE_FORMAT "ringlab-compare-1"

/*
 * rl_comparison_to_json() - @c as a new object: "format", the method
 * (threshold, confidence, iterations, min_reps, eagain_alpha, eagain_min_pp,
 * eagain_unstable_pp, timing_factor, gate_on), "base" and
 * "head" ({"runs": [{suite, label, kernel_release, kernel_tag, hostname,
 * started, started_ns, scale, cells, status, error}]}), "gate", "summary" (a count per
 * verdict, "cells" and "line"), "workloads" (each with its summary and its
 * "cells"), and "unpaired" ([{workload, jobs, side}]).
 * Returns the object (caller frees with cJSON_Delete) or NULL when out of memory.
 */
cJSON *rl_comparison_to_json(const struct rl_comparison *c);

#endif
