/* SPDX-License-Identifier: MIT */
/*
 * Sets of runs to compare, loaded from where runs live: files written by
 * `ringlab run --json`, and ringlabd (one run by id, or every done run with a
 * label and/or kernel tag). `ringlab compare` and `ringlab nightly` both pool
 * a side's runs this way before rl_compare_runs().
 */
#ifndef RINGLAB_DAEMON_CLIENT_RUN_SOURCE_H
#define RINGLAB_DAEMON_CLIENT_RUN_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/result.h"
#include "url.h"
#include "util/err.h"

struct rl_run_set {
	struct rl_run *runs;
	const struct rl_run **ptrs;	/* ptrs[i] == &runs[i]: what rl_compare_runs() takes */
	size_t n, cap;
};

/*
 * rl_run_set_add_file() - append the run in @path (a ringlab-run-1 file).
 * Returns 0, or -errno with "PATH: reason" in @err (the set is unchanged).
 */
int rl_run_set_add_file(struct rl_run_set *s, const char *path, struct rl_err *err);

/*
 * rl_run_set_add_fetched() - append run @id as ringlabd at @t has it.
 * Returns 0, or -errno as rl_client_get_json() or -EINVAL for a run that does
 * not parse, with "run:ID: reason" in @err (the set is unchanged).
 */
int rl_run_set_add_fetched(struct rl_run_set *s, const struct rl_client_target *t, int64_t id,
			   struct rl_err *err);

/*
 * rl_run_set_select() - append every done run ringlabd at @t has with
 * @label and @kernel_tag (NULL: any; at least one given) made on @host
 * (NULL or "": any), the newest @limit of them. @total (may be NULL) gets how many matched in all, which may be
 * more than were taken. Returns the number appended (0: none matched), or
 * -errno with @err set (the runs appended before a failure stay).
 */
int rl_run_set_select(struct rl_run_set *s, const struct rl_client_target *t, const char *label,
		      const char *kernel_tag, const char *host, size_t limit, size_t *total,
		      struct rl_err *err);

/* rl_run_set_free() - free every run and zero @s; a zeroed @s is fine. */
void rl_run_set_free(struct rl_run_set *s);

#endif
