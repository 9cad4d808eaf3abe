/* SPDX-License-Identifier: MIT */
/*
 * `ringlab nightly`: every kernel variant runs every suite (in a QEMU guest
 * through kernel-patches/vm-run.sh, or on this machine's own kernel for a
 * "host" variant), each run is imported into ringlabd, each variant is
 * compared with the base, and the night's report goes to ringlabd with a
 * verdict. The parts: the configuration (config.c), running a child process
 * (exec.c) and vm-run.sh in particular (vm_run.c, which `ringlab vm run`
 * uses too), the comparisons and the report (report.c), and the night that
 * strings them together (night.c); cli/cmd_nightly.c is only the command.
 */
#ifndef RINGLAB_DAEMON_NIGHTLY_NIGHTLY_H
#define RINGLAB_DAEMON_NIGHTLY_NIGHTLY_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#include "schema/nightly_format.h"
#include "engine/workload.h"
#include "client/http.h"
#include "util/err.h"

#define RL_NIGHTLY_VARIANTS_MAX 16
#define RL_NIGHTLY_SUITES_MAX 16
#define RL_NIGHTLY_VARIANT_NAME_MAX 64	/* with the NUL: a kernel tag */
#define RL_NIGHTLY_PATH_MAX 1024
#define RL_NIGHTLY_ARGS_MAX 1024
#define RL_NIGHTLY_TAIL_LINES 40	/* console and log lines kept in a report */
#define RL_NIGHTLY_FAMILIES_MAX 4
#define RL_NIGHTLY_VERSION_MAX 32	/* with the NUL; family.sh allows 24 */

/* ---- configuration (config.c) ---------------------------------------------- */

enum rl_variant_kind {
	RL_VARIANT_VM,		/* a manifest vm-run.sh boots: debian-image, source */
	RL_VARIANT_HOST,	/* this machine's running kernel, on an ext4 directory */
	RL_VARIANT_KIND_MAX
};

struct rl_nightly_variant {
	char name[RL_NIGHTLY_VARIANT_NAME_MAX];
	enum rl_variant_kind kind;
	char kind_name[32];			/* as the manifest says: "host", "debian-image" ... */
	/* What vm-run.sh is given: kernel_patches_dir/variants/NAME.json, or FAMILY_FILE:VERSION */
	char manifest[RL_NIGHTLY_PATH_MAX];
	char dir[RL_NIGHTLY_PATH_MAX];		/* host: the ext4 directory to run in */
	char description[256];
	int32_t family;				/* index in cfg->families; -1: not a member */
	char version[RL_NIGHTLY_VERSION_MAX];	/* "base", "v3"; "" outside a family */
	int32_t compare_with;			/* the variant its runs are compared with; -1: the base */
	int32_t previous;			/* the version before it run this night; -1: none */
};

/* A series family (kernel_patches_dir/families/NAME.json) some of the night's variants belong to. */
struct rl_nightly_family {
	char name[RL_NIGHTLY_VARIANT_NAME_MAX];
	char manifest[RL_NIGHTLY_PATH_MAX];
	char kind[32];				/* its base's: source, git (VM builds) or host */
	char description[256];
	char versions[RL_NIGHTLY_VARIANTS_MAX][RL_NIGHTLY_VERSION_MAX];	/* declared order */
	uint32_t nversions;
};

struct rl_nightly_cfg {
	/* The keys of the configuration file (the table in nightly_config.c). */
	char url[512];
	char token_file[RL_NIGHTLY_PATH_MAX];
	char kernel_patches_dir[RL_NIGHTLY_PATH_MAX];
	char family[RL_NIGHTLY_PATH_MAX];
	char variants[RL_NIGHTLY_VARIANTS_MAX][RL_NIGHTLY_VARIANT_NAME_MAX];
	uint32_t nvariants;
	char base[RL_NIGHTLY_VARIANT_NAME_MAX];
	char suites[RL_NIGHTLY_SUITES_MAX][RL_NAME_MAX];
	uint32_t nsuites;
	char ringlab_args[RL_NIGHTLY_ARGS_MAX];
	char guest_ringlab[RL_NIGHTLY_PATH_MAX];
	char cache_dir[RL_NIGHTLY_PATH_MAX];
	char work_dir[RL_NIGHTLY_PATH_MAX];
	uint32_t timeout_s;
	uint32_t kernel_timeout_s;
	double threshold;
	char label_prefix[64];
	bool fleet;			/* submit every variant x suite to the fleet (fleet.c) */
	char fleet_host[65];		/* "any": each suite on the machine that takes its base run */
	uint32_t fleet_queue_s;		/* a fleet run no daemon takes this long is given up */
	/*
	 * Resolved by rl_nightly_config_load(): the manifests, in variants
	 * order (family's members first, base then versions), and the
	 * families they belong to.
	 */
	struct rl_nightly_variant v[RL_NIGHTLY_VARIANTS_MAX];
	uint32_t base_index;
	struct rl_nightly_family families[RL_NIGHTLY_FAMILIES_MAX];
	uint32_t nfamilies;
};

/*
 * rl_nightly_config_load() - the defaults, then the JSON file @path through
 * the field table (unknown keys and values out of range refused), then the
 * checks across keys: family's members put first among variants (base
 * defaulting to FAMILY:base), base among variants, names unique, each
 * variant's manifest kernel_patches_dir/variants/NAME.json readable with a
 * known kind (a "host" one checked in full: name, kind, description, dir),
 * or for FAMILY:VERSION its family (family.c), every version with its
 * FAMILY:base, the suites known to the workload search path, ringlab_args
 * free of the options the nightly sets itself. Returns 0, or -errno with
 * "FILE: key K: reason" (or "MANIFEST: key K: reason") in @err.
 */
int rl_nightly_config_load(const char *path, struct rl_nightly_cfg *c, struct rl_err *err);

/*
 * rl_kernel_patches_dir() - where vm-run.sh and variants/ live when nothing
 * says: the installed RINGLAB_DATADIR/kernel-patches, else the source tree's.
 */
void rl_kernel_patches_dir(char *buf, size_t size);

/* rl_nightly_config_markdown() - the configuration keys as a markdown table. */
void rl_nightly_config_markdown(FILE *out);

/* rl_nightly_host_markdown() - the keys of a "host" variant manifest as a markdown table. */
void rl_nightly_host_markdown(FILE *out);

/* ---- series families (family.c) ------------------------------------------------ */

/*
 * rl_nightly_family_load() - family @spec (a name under
 * kernel_patches_dir/families/, or a path to its manifest) into
 * @c->families, unless it is there already. Checks what the nightly relies
 * on: name, base.kind ("source" or "git": built by vm-run.sh, which checks
 * the rest; or "host": this machine's kernel on base.dir and each version's
 * "dir", nightly only), versions in their declared order. Returns its index,
 * or -errno with "MANIFEST: key K: reason" in @err.
 */
int rl_nightly_family_load(struct rl_nightly_cfg *c, const char *spec, struct rl_err *err);

/*
 * rl_nightly_family_member() - fill variant @v, named FAMILY:VERSION, from
 * its family (loaded by name when not yet): kind, what vm-run.sh is given
 * (FAMILY_FILE:VERSION) or a host member's directory. Returns 0, or -errno
 * with the reason in @err (no such family or version).
 */
int rl_nightly_family_member(struct rl_nightly_cfg *c, struct rl_nightly_variant *v,
			     struct rl_err *err);

/*
 * rl_nightly_pair() - each variant's compare_with and previous: a family
 * version is compared with its FAMILY:base (which must be among the
 * variants) and with the closest version before it in the family's order
 * that runs this night; any other variant with the base. Returns 0, or
 * -EINVAL with "key variants: ..." in @err.
 */
int rl_nightly_pair(struct rl_nightly_cfg *c, struct rl_err *err);

/* ---- a child process (exec.c) ----------------------------------------------- */

struct rl_nightly_exec {
	const char *const *argv;	/* argv[0] is the program's path: no $PATH search */
	const char *log_path;		/* stdout and stderr go here (created, truncated); NULL: ours */
	uint32_t timeout_s;		/* then SIGTERM to its process group, SIGKILL 10 s later; 0: none */
	/* Results. */
	int exit_status;		/* 0..255, or 128 + signal when killed */
	bool timed_out, interrupted;
	bool exec_failed;		/* argv[0] could not be executed: a wrong path, not a failed run */
	double duration_s;
};

/*
 * rl_nightly_signals() - SIGINT, SIGTERM and SIGHUP stop the running child
 * (its process group: a Ctrl-C at the terminal does not reach it otherwise)
 * and make rl_nightly_interrupted() true, so the night ends early with what
 * it has. Call once, before the first rl_nightly_run().
 */
void rl_nightly_signals(void);

/* rl_nightly_interrupted() - whether one of those signals arrived. */
bool rl_nightly_interrupted(void);

/*
 * rl_nightly_run() - fork, exec @x->argv in its own process group with stdin
 * /dev/null and stdout/stderr to @x->log_path (or ours), and wait for it up
 * to @x->timeout_s. Fills the results of @x. Returns 0 when it ran (whatever
 * its exit status), or -errno with the reason in @err (the log could not be
 * created, fork failed, or exec failed: then "PROGRAM: reason" and
 * @x->exec_failed).
 */
int rl_nightly_run(struct rl_nightly_exec *x, struct rl_err *err);

/*
 * rl_nightly_tail() - the last @lines lines of file @path (at most 8 KiB of
 * them), as a new string (free it). NULL when the file cannot be read or is
 * empty.
 */
char *rl_nightly_tail(const char *path, unsigned int lines);

/* ---- kernel-patches/vm-run.sh (vm_run.c) ------------------------------------- */

/* What vm-run.sh is told; `ringlab vm run` and the nightly's VM variants both fill this. */
struct rl_vm_run {
	const char *kernel_patches_dir;	/* where vm-run.sh is; NULL: rl_kernel_patches_dir() */
	const char *variant;		/* a manifest path, or a name under variants/ */
	const char *suite;		/* a suite or workload name, or a file */
	const char *out;		/* the run's JSON; the guest's console log goes beside it */
	uint32_t timeout_s;		/* --timeout, the booted guest's limit; 0: vm-run.sh's default */
	const char *cache_dir;		/* --cache; NULL or "": vm-run.sh's default */
	const char *ringlab_args;	/* --ringlab-args; NULL or "": none */
	const char *ringlab;		/* --ringlab, the guest's; NULL or "": see rl_vm_run() */
};

#define RL_VM_ARGC_MAX 18

/* vm-run.sh's command line as rl_vm_cmd() builds it; argv points into the struct. */
struct rl_vm_cmd {
	const char *argv[RL_VM_ARGC_MAX];
	bool traced;			/* a workload of the suite has trace_eagain on */
	const char *tcg_thread;		/* --tcg-thread: "single" when traced, else the env's or "multi" */
	char script[RL_NIGHTLY_PATH_MAX + 16];
	char timeout[16];
	char self[PATH_MAX];
};

/*
 * rl_self_exe() - this program's own path (/proc/self/exe) into @buf.
 * Returns 0, or -errno with "/proc/self/exe: reason" in @err.
 */
int rl_self_exe(char *buf, size_t size, struct rl_err *err);

/*
 * rl_vm_cmd() - vm-run.sh's command line for @r into @c. The guest's
 * ringlab is always named with --ringlab: @r->ringlab, else $RINGLAB_BIN,
 * else $RINGLAB_STATIC (vm-run.sh's own order), else this program
 * (rl_self_exe()), so vm-run.sh never has to guess. The TCG thread mode is
 * always named with --tcg-thread: "single" when the suite traces EAGAIN
 * causes (a traced cell patches kernel text, which multi-threaded TCG can
 * run stale: an int3 oops), else $RINGLAB_VM_TCG_THREAD or "multi". Returns
 * 0, -ENAMETOOLONG when the script's path does not fit, the suite's load
 * error (from the workload search path, as the nightly's configuration
 * checks it) or rl_self_exe()'s error, with @err set.
 */
int rl_vm_cmd(const struct rl_vm_run *r, struct rl_vm_cmd *c, struct rl_err *err);

/*
 * rl_vm_run() - run vm-run.sh as @r says (rl_vm_cmd() into @c, which the
 * caller keeps to see the choices) through rl_nightly_run(), with @x's log
 * and timeout (@x->argv points into @c). Fills the results of @x. Returns
 * as rl_nightly_run() does, or rl_vm_cmd()'s error (and @x->exec_failed:
 * nothing was started).
 */
int rl_vm_run(const struct rl_vm_run *r, struct rl_vm_cmd *c, struct rl_nightly_exec *x,
	      struct rl_err *err);

/* ---- results, comparisons and the report (report.c) ------------------------- */

/* One variant x suite: how it ran and where its run went. */
struct rl_nightly_result {
	const struct rl_nightly_variant *v;
	const char *suite;
	bool ran;			/* the runner was started */
	int exit_status;		/* the runner's; meaningful when ran */
	bool failed;			/* something went wrong: see error */
	char error[RL_ERR_MSG_MAX];
	int64_t run_id;			/* 0: nothing imported */
	char run_status[16];		/* the imported run's: done, failed, aborted */
	char kernel_release[65];
	char tcg_thread[8];		/* VM: the --tcg-thread vm-run.sh was given; "": host */
	char host[65];			/* the machine that made the run; "" unknown */
	double duration_s;
	char *console_tail;		/* VM: the guest console's last lines; NULL: none */
	char *log_tail;			/* the runner's output, last lines; NULL: none */
};

/* The night: what the report is built from. */
struct rl_nightly_night {
	const struct rl_nightly_cfg *cfg;
	char label[128];
	int64_t started_ns, finished_ns;
	struct rl_nightly_result *results;	/* [variant][suite], variants-major */
	char daemon_url[512];			/* for links in the text summary */
	bool interrupted;
};

/* rl_nightly_result_at() - the result of variant @v, suite @s. */
static inline struct rl_nightly_result *rl_nightly_result_at(struct rl_nightly_night *n,
							      uint32_t v, uint32_t s)
{
	return &n->results[v * n->cfg->nsuites + s];
}

/*
 * rl_nightly_report() - compare every non-base variant's run of each suite
 * with the run of the variant it is compared with (the base, or a family
 * version's FAMILY:base; both fetched from ringlabd at @t, compared here
 * with rl_compare_runs()), and a family version's also with the version
 * before it, and build the report ("ringlab-nightly-1": per variant, per
 * suite its run, the comparison JSON, summary line, gate, the regressed
 * and corrupt cells, a status, and "previous" for the comparison with the
 * version before; the families and their versions x cells matrices). The
 * night's status is the worst against the base: the comparisons with the
 * previous version are shown, not gated. Returns 0 with the new object in
 * @out and the night's verdict in @status, or -ENOMEM. A comparison that
 * cannot be made is a failed entry, not an error.
 */
int rl_nightly_report(struct rl_nightly_night *n, const struct rl_client_target *t, cJSON **out,
		      enum rl_nightly_status *status);

/*
 * rl_nightly_print() - the report @report as text for a person or a journal:
 * one line per variant x suite with its verdict and the dashboard links, then
 * the night's verdict. @report_url is where ringlabd keeps it (NULL: not stored).
 */
void rl_nightly_print(FILE *out, const cJSON *report, const char *daemon_url,
		      const char *report_url);

/* ---- a family's versions x cells (matrix.c) ---------------------------------- */

/*
 * rl_nightly_matrix_new() - the matrix of family @fi's versions x the cells
 * of suite @si: {"family", "suite", "base", "base_run_id", "columns": [{
 * "variant", "version", "run_id", "previous", "previous_run_id", "status",
 * "previous_status"}], "rows": []}, a column per version that runs this
 * night, in the family's order. Returns it, or NULL: no version of the
 * family (or not its FAMILY:base) runs this night, or out of memory (then
 * *@oom is set).
 */
cJSON *rl_nightly_matrix_new(const struct rl_nightly_night *n, uint32_t fi, uint32_t si,
			     bool *oom);

/*
 * rl_nightly_matrix_add() - the cells of @cmp (a "ringlab-compare-1"
 * object) as the @side entries ("vs_base" or "vs_previous") of column
 * @variant: each row {"workload", "jobs", "cells": [per column {"vs_base",
 * "vs_previous"}]} gets the cell's verdict, IOPS verdict, ratio and
 * interval, medians, EAGAIN verdict and rates; rows are made as cells are
 * first seen. A variant without a column is ignored. Returns 0 or -ENOMEM.
 */
int rl_nightly_matrix_add(cJSON *m, const char *variant, const char *side, const cJSON *cmp);

/* rl_nightly_matrix_status() - column @variant's statuses (@previous_status NULL: none). */
void rl_nightly_matrix_status(cJSON *m, const char *variant, const char *status,
			      const char *previous_status);

/* ---- the night on the fleet (fleet.c) ----------------------------------------- */

struct rl_nightly_env;	/* below, with the night */

/*
 * rl_nightly_fleet_check() - what a fleet night needs of @cfg beyond the
 * local night's checks: suites by name (the daemons resolve them in their
 * own workloads directories), ringlab_args of --scale, --repeat and --jobs
 * only (what a run submitted to ringlabd carries). Returns 0, or -EINVAL
 * with "key K: reason" in @err.
 */
int rl_nightly_fleet_check(const struct rl_nightly_cfg *cfg, struct rl_err *err);

/*
 * rl_nightly_fleet_ready() - whether ringlabd at @t can hand a night to the
 * fleet: it answers, and keeps its runs in PostgreSQL. Returns 0,
 * -EOPNOTSUPP when its store is SQLite (the fleet is that one machine), or
 * -errno with @err set.
 */
int rl_nightly_fleet_ready(const struct rl_client_target *t, struct rl_err *err);

/*
 * rl_nightly_fleet_all() - every variant x suite of night @n as a fleet
 * run submitted to ringlabd at @env->t (POST /api/v1/runs with "host"; a
 * VM variant's with "kernel": its name, booted by a daemon that lists it in
 * its "vm": {"kernels"}). A suite's runs all go to one machine, so that
 * its comparisons never cross hosts: its base run to cfg->fleet_host
 * ("any": the first idle daemon able to run it), the others, once a daemon
 * took that one, to the host that did. Waits for them all, filling each
 * result (run id, status, host, the run's error with the host) as its run
 * ends; a run no daemon takes in cfg->fleet_queue_s, or still running
 * timeout_s (+ kernel_timeout_s for a VM variant) after it was taken, is
 * cancelled and failed, naming what it needed. Call after
 * rl_nightly_fleet_ready(). Returns 0 once every result is filled (or the
 * night interrupted), or -errno with @err set when ringlabd cannot be
 * asked (for two minutes on end) or memory runs out.
 */
int rl_nightly_fleet_all(struct rl_nightly_night *n, const struct rl_nightly_env *env,
			 struct rl_err *err);

/* ---- the night (night.c) ----------------------------------------------------- */

/* What a night needs besides its configuration. */
struct rl_nightly_env {
	const struct rl_client_target *t;	/* ringlabd: runs are imported, the report stored */
	const char *self;		/* this ringlab: runs "host" variants (guests get theirs
					   from rl_vm_run()) */
	FILE *progress;			/* a line as each run starts and ends */
	FILE *out;			/* the report as text */
};

/*
 * rl_nightly_fail() - @r failed; the first reason given is the one
 * its report names (a later one is dropped).
 */
void __attribute__((format(printf, 2, 3)))
rl_nightly_fail(struct rl_nightly_result *r, const char *fmt, ...);

/*
 * rl_nightly_night() - the night @cfg describes: check that ringlabd
 * answers, make the work directory, run every variant x suite (one that
 * fails is reported failed and the night goes on; the signals of
 * rl_nightly_signals(), installed here, end it early), import each run that
 * came back, then build the report, keep it in the work directory when that
 * stays, store it in ringlabd and print it to @env->out. Returns 0 with the
 * night's verdict in @status, or -errno with @err set: before the first run
 * (ringlabd not answering, the work directory, out of memory) or after the
 * last (the report could not be built, or not stored: it is printed anyway).
 */
int rl_nightly_night(const struct rl_nightly_cfg *cfg, const struct rl_nightly_env *env,
		     enum rl_nightly_status *status, struct rl_err *err);

#endif
