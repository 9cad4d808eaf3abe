/* SPDX-License-Identifier: MIT */
#ifndef RINGLAB_DAEMON_RINGLABD_SUBMIT_H
#define RINGLAB_DAEMON_RINGLABD_SUBMIT_H

#include <cJSON.h>

#include "daemon.h"

/*
 * rl_submit_from_json() - fill @req from a POST /api/v1/runs body: exactly
 * one of suite/workload, optional target, host, kernel (a variant name),
 * label, kernel_tag, scale (> 0),
 * repeat (1..1000), jobs (1..256 each), queue (bool); unknown fields refused.
 * request_json gets the body back as compact text. Returns 0 or -EINVAL with
 * "field F: reason" in @err.
 */
int rl_submit_from_json(const cJSON *o, struct rl_submit *req, struct rl_err *err);

#endif
