/* SPDX-License-Identifier: MIT */
/*
 * Suites: a named list of workloads (the JSON files in workloads/suites/),
 * optionally overridden by a common "set" and expanded once per variant, and
 * the catalog of every workload and suite the CLI and the API can run.
 */
#ifndef RINGLAB_DAEMON_ENGINE_SUITE_H
#define RINGLAB_DAEMON_ENGINE_SUITE_H

#include <stddef.h>

#include "util/err.h"
#include "schema/fields.h"
#include "workload.h"

struct rl_suite {
	char name[RL_NAME_MAX];
	char description[RL_DESC_MAX];
	double scale;			/* multiplies size_per_job; default 1.0 */
	struct rl_workload *workloads;	/* expanded, in order */
	size_t nworkloads;
};

/*
 * The workload field table (workload.c): suites apply their overrides with
 * it and the parser tests walk it. Terminated by a row with a NULL name.
 */
extern const struct rl_field rl_workload_fields[];

/*
 * rl_workload_apply() - apply the keys of a cJSON object on top of @w
 * (defined in workload.c). Fields the object does not mention keep their
 * value, "name" may be absent, and the cross-field checks are NOT run: call
 * rl_workload_check() after the last override. Returns 0 or -EINVAL with
 * "key K: ..." in @err.
 */
int rl_workload_apply(const void *cjson_obj, struct rl_workload *w, struct rl_err *err);

/*
 * rl_suite_load() - read the suite file @path and expand it, resolving each
 * workload name to <@workload_dir>/<name>.json. Returns 0, -ENOMEM, or the
 * -errno/-EINVAL of the first bad file; @err names the suite file and the
 * workload or variant involved. On failure @s holds nothing to free.
 */
int rl_suite_load(const char *path, const char *workload_dir, struct rl_suite *s,
		  struct rl_err *err);

/*
 * rl_suite_resolve() - what the user asked to run. @what is a path to a
 * .json file (a suite when it has a "workloads" key, else one workload), or
 * a name looked up as <dir>/suites/<what>.json, then <dir>/<what>.json, in
 * each directory of the NULL-terminated @dirs. A single workload becomes a
 * suite of one, named after it, scale 1.0. Returns 0, -ENOENT with
 * "no workload or suite named 'x' in DIR1, DIR2" in @err, or the load error.
 */
int rl_suite_resolve(const char *what, const char *const *dirs, struct rl_suite *s,
		     struct rl_err *err);

/*
 * rl_catalog_list() - call @cb once per suite and workload found in @dirs
 * (kind "suite" or "workload"), sorted by name; on duplicate names the first
 * directory wins, and within one directory a suite wins over a workload
 * (the order rl_suite_resolve() looks them up in). Every file is loaded, so
 * a broken one is reported rather than silently hidden. Missing directories
 * are skipped. Returns the number of entries, or -errno/-EINVAL (no callback
 * is made then).
 */
int rl_catalog_list(const char *const *dirs,
		    void (*cb)(void *ctx, const char *kind, const char *name,
			       const char *description),
		    void *ctx, struct rl_err *err);

/*
 * rl_catalog_list_all() - rl_catalog_list(), except that a file that does
 * not load is skipped: @bad (may be NULL: then it fails the listing as in
 * rl_catalog_list()) gets its path and error, and the listing goes on. A
 * bad file still takes its name, so a file of that name further down the
 * path (which rl_suite_resolve() would not reach) is not listed. Returns
 * the number of entries listed, or -errno (-ENOMEM, a directory that
 * cannot be read).
 */
int rl_catalog_list_all(const char *const *dirs,
			void (*cb)(void *ctx, const char *kind, const char *name,
				   const char *description),
			void (*bad)(void *ctx, const char *path, int ret, const struct rl_err *err),
			void *ctx, struct rl_err *err);

/* rl_suite_free() - release the expanded workloads; @s may be zeroed or freed before. */
void rl_suite_free(struct rl_suite *s);

#endif
