/* SPDX-License-Identifier: MIT */
/*
 * The store: every run ringlabd was asked for. By default one SQLite file
 * (WAL) in the state directory; or a PostgreSQL database that many daemons
 * share (struct rl_store_conf). A run is written as it progresses: created
 * queued, started (environment and workloads), one row per cell as each
 * completes, a live progress row while it runs, and finished (done, failed,
 * aborted). Both backends run the same queries and the same migrations.
 *
 * Threads: a struct rl_store is one connection, used by one thread at a
 * time. The daemon's HTTP threads and its runner thread each open their own.
 * Every write is a short transaction. On SQLite (WAL) readers read beside
 * the one writer, and a writer that finds another connection's write
 * transaction open waits for it up to RL_STORE_BUSY_TIMEOUT_MS, then fails
 * with -EBUSY; on PostgreSQL a row lock is waited for as long.
 *
 * Errors: every function returns 0 (or a count) or a negative errno, with the
 * reason, and the database's message where the database failed, in @err:
 *   -ENOENT  no such run (or no progress row)
 *   -EINVAL  a bad argument, or a change the run's status does not allow
 *   -EEXIST  a duplicate (a cell's seq stored twice)
 *   -EBUSY   the database stayed locked by another connection
 *   -ENOTCONN  PostgreSQL cannot be reached (the next call tries again)
 *   -ENOTSUP  a PostgreSQL store another daemon migrated past this code's
 *            schema (rl_store_newer()): every call after fails so too
 *   -ESTALE  a fleet run whose lease another daemon holds (rl_store_set_lease_owner())
 *   -EIO     an I/O error, a corrupt database, or stored JSON that no longer parses
 *   -ENOMEM
 *
 * Times are nanoseconds since the epoch (CLOCK_REALTIME); 0 means "not yet".
 */
#ifndef RINGLAB_DAEMON_STORE_STORE_H
#define RINGLAB_DAEMON_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "engine/result.h"
#include "engine/workload.h"
#include "util/err.h"

#define RL_STORE_BUSY_TIMEOUT_MS 5000
#define RL_STORE_LIST_DEFAULT 50
#define RL_STORE_LIST_MAX 1000
/* Buffer sizes, with the NUL; longer strings are refused by rl_store_run_create(). */
#define RL_STORE_NAME_MAX RL_NAME_MAX		/* what, target */
#define RL_STORE_LABEL_MAX 128			/* as rl_env.label */
#define RL_STORE_TAG_MAX 64			/* as rl_env.kernel_tag */
#define RL_STORE_PHASE_MAX 16

struct rl_store;

/* Where the store lives: the config's "store" object. */
enum rl_store_kind {
	RL_STORE_SQLITE,	/* the embedded default: STATE/ringlab.db */
	RL_STORE_POSTGRESQL,	/* a server, through libpq */
	RL_STORE_KIND_MAX
};

struct rl_store_conf {
	enum rl_store_kind kind;
	const char *path;		/* sqlite: the database file */
	const char *conninfo;		/* postgresql: libpq's "host=... dbname=..." or a URI, no password */
	const char *password_file;	/* postgresql: NULL or "": PGPASSWORD or libpq's ~/.pgpass */
};

/* What a client asked for (POST /api/v1/runs). */
struct rl_store_run_req {
	const char *what;		/* suite or workload name; required */
	const char *target;		/* target name; required */
	const char *label;		/* NULL or "": none */
	const char *kernel_tag;		/* NULL or "": none */
	double scale;			/* > 0 */
	const char *request_json;	/* the request body as text; NULL: none */
	/*
	 * NULL: a run of this daemon's @target. Else a fleet run: "any" or the
	 * host to run it, @target the target asked for ("any": whichever).
	 */
	const char *fleet_host;
	/*
	 * NULL or "": the run's suite runs on the taking daemon's own kernel.
	 * Else a VM variant's name: only a daemon whose lease lists it among
	 * its kernels takes the run (rl_store_fleet_claim()).
	 */
	const char *fleet_kernel;
	/*
	 * A run of this daemon's own queue on a store daemons share: the
	 * daemon's host name, so that another machine's target of the same name
	 * neither takes it nor counts it (rl_store_next_queued()); NULL: none.
	 */
	const char *host;
	/*
	 * Import only: the run's cells as the JSON array they were read from
	 * (@cells_json_len bytes), each element what rl_cell_from_json() reads
	 * into the run's cell of its index. Stored as they are, so an import
	 * prints no cell again; NULL: printed from the run's cells.
	 */
	const char *cells_json;
	size_t cells_json_len;
};

/* A run's own columns, beside the results in struct rl_run. */
struct rl_store_run_meta {
	int64_t id;
	enum rl_run_status status;
	char what[RL_STORE_NAME_MAX];
	char target[RL_STORE_NAME_MAX];
	char label[RL_STORE_LABEL_MAX];		/* "" for none */
	char kernel_tag[RL_STORE_TAG_MAX];	/* "" for none */
	char kernel_release[65];		/* "" until started */
	double scale;
	int64_t created_ns, started_ns, finished_ns;
	char error[RL_ERR_MSG_MAX];		/* "" for none */
};

/* The live state of a running run; the fields follow struct rl_progress (runner.h). */
struct rl_store_progress {
	uint32_t cell, ncells;		/* cell counts from 0 */
	char workload[RL_NAME_MAX];
	uint32_t jobs, rep, reps;
	char phase[RL_STORE_PHASE_MAX];	/* "layout", "run", "verify" */
	double fraction;		/* 0..1 of the current cell */
	double run_fraction;		/* 0..1 of the whole run */
	double live_iops;
	int64_t updated_ns;		/* written by rl_store_progress_set() */
};

/* A NULL or "" string matches anything; 0 means the default. */
struct rl_store_filter {
	const char *label, *kernel_tag, *kernel_release, *what;	/* exact */
	const char *status;	/* "queued", "running", "done", "failed", "aborted" */
	const char *host;	/* the host a run ran on (the lab host's for a guest run) */
	bool by_host;		/* order by host first, then newest first */
	int limit;		/* 0: RL_STORE_LIST_DEFAULT; at most RL_STORE_LIST_MAX */
	int offset;
};

struct rl_store_counts {
	uint64_t runs[RL_RUN_MAX];	/* by enum rl_run_status */
	uint64_t runs_total;
	uint64_t cells;
};

/*
 * rl_store_open() - open the database at @path, created by SQLite when
 * missing (mode 0640 less the umask; the file is never opened outside
 * SQLite, whose locks a stray close() would drop for the whole process),
 * set WAL, synchronous=NORMAL, foreign keys and the busy timeout, and apply
 * the schema migrations this code knows, each in its own transaction. A
 * database with a newer schema (PRAGMA user_version) than this code knows is
 * refused before anything is written to it. Returns 0 and a store in @out, or
 * -errno: -ENOENT when the parent directory is missing, -EACCES, -ENOTSUP for
 * a newer schema, -EINVAL for a SQLite file of another application, -EIO for
 * a file that is not a database.
 */
int rl_store_open(const char *path, struct rl_store **out, struct rl_err *err);

/*
 * rl_store_open_conf() - open the store @c names: SQLite as rl_store_open(),
 * or a PostgreSQL database (its password read from c->password_file, whose
 * first line it is), migrated as SQLite is (the schema version in table
 * ringlab_schema, one migrator at a time). Returns 0 and a store in @out, or
 * -errno: for PostgreSQL -EINVAL for a bad conninfo or one holding a password,
 * -EACCES when the login is refused, -ENOTCONN when the server cannot be
 * reached, -ENOENT for a password_file that cannot be read, -ENOTSUP for a
 * newer schema or a server older than PostgreSQL 10.
 */
int rl_store_open_conf(const struct rl_store_conf *c, struct rl_store **out, struct rl_err *err);

/* rl_store_kind() - the backend @s talks to. */
enum rl_store_kind rl_store_kind(const struct rl_store *s);

/* rl_store_kind_name() - "sqlite", "postgresql". */
const char *rl_store_kind_name(enum rl_store_kind k);

/* rl_store_lib_version() - the client library's version for @k ("3.40.1", "15.18"). */
const char *rl_store_lib_version(enum rl_store_kind k);

/* rl_store_close() - close the connection and free @s; NULL is fine. */
void rl_store_close(struct rl_store *s);

/* rl_store_schema_version() - the schema version this code migrates to (the latest). */
int rl_store_schema_version(void);

/* What opening the store migrated (a caller logs it). */
struct rl_store_migrated {
	int from, to;			/* schema versions; equal when nothing was migrated */
	int64_t migrate_ns;		/* how long the migrations took (not the VACUUM) */
	bool vacuumed;			/* SQLite: a migration rewrote the store, then VACUUM ran */
	int64_t bytes_before, bytes_after;	/* the file's size around that VACUUM */
	int64_t vacuum_ns;		/* how long it took */
};

/*
 * rl_store_migration() - what rl_store_open_conf() migrated when it opened
 * @s: the versions, and whether (and how far) a VACUUM shrank an SQLite
 * store that a migration rewrote. Cannot fail.
 */
void rl_store_migration(const struct rl_store *s, struct rl_store_migrated *out);

/* ---- a run's life, and reading one run (runs.c; cells and progress: cells.c) ---- */

/*
 * rl_store_run_create() - a new run, status queued, created now. Returns 0
 * with its id in @id, or -EINVAL (what or target missing or too long, label
 * or kernel_tag too long, scale not > 0, request_json not JSON).
 */
int rl_store_run_create(struct rl_store *s, const struct rl_store_run_req *req, int64_t *id,
			struct rl_err *err);

/*
 * rl_store_run_import() - store @run, measured elsewhere (a VM guest, the
 * CLI), as a finished run in one transaction: created and started at
 * run->started_ns, finished at run->finished_ns (0: the start), with its
 * status, error, env, workloads and cells (seq = index). @req is checked as
 * by rl_store_run_create() and names what, target, label, kernel_tag, scale
 * and the request; the stored env gets @req's label and kernel_tag, so the
 * columns and the env agree; req->cells_json, when given, is what is stored
 * of the cells (the caller vouches it reads as @run's cells). Returns 0 with
 * the new id in @id, or -EINVAL (a bad @req, a status other than done, failed
 * or aborted, no start time, a finish before the start), -ENOMEM, -EBUSY or
 * -EIO.
 */
int rl_store_run_import(struct rl_store *s, const struct rl_store_run_req *req,
			const struct rl_run *run, int64_t *id, struct rl_err *err);

/*
 * rl_store_run_start() - queued -> running: records the start time, @env
 * (its kernel_release also goes to its own column, for listing) and the @nw
 * workloads the run will execute. Returns 0, -ENOENT, or -EINVAL when the run
 * is not queued (or @env is NULL).
 */
int rl_store_run_start(struct rl_store *s, int64_t id, const struct rl_env *env,
		       const struct rl_workload *w, size_t nw, struct rl_err *err);

/*
 * rl_store_run_start_at() - rl_store_run_start() with the start time
 * @started_ns (0: now): a run that began before it could be recorded (a
 * guest booted first, and its run came back at its end). Returns as
 * rl_store_run_start().
 */
int rl_store_run_start_at(struct rl_store *s, int64_t id, const struct rl_env *env,
			  const struct rl_workload *w, size_t nw, int64_t started_ns,
			  struct rl_err *err);

/*
 * rl_store_run_env() - replace running run @id's environment: what only the
 * end of a run knows (the io_uring setup flags and opcodes used). Returns 0,
 * -ENOENT, or -EINVAL when the run is not running.
 */
int rl_store_run_env(struct rl_store *s, int64_t id, const struct rl_env *env, struct rl_err *err);

/*
 * rl_store_cell_add() - store cell number @seq (from 0) of running run @id,
 * in one short transaction, so a crash keeps every finished cell. Returns 0,
 * -ENOENT, -EINVAL when the run is not running, or -EEXIST when @seq is
 * already stored.
 */
int rl_store_cell_add(struct rl_store *s, int64_t id, uint32_t seq, const struct rl_cell *c,
		      struct rl_err *err);

/*
 * rl_store_cell_add_json() - rl_store_cell_add() of a cell kept as the text
 * rl_store_cell_add() stores (rl_cell_to_json(), unformatted): that text is
 * stored as it is. Returns as rl_store_cell_add(), or -EINVAL when @json is
 * not a cell.
 */
int rl_store_cell_add_json(struct rl_store *s, int64_t id, uint32_t seq, const char *json,
			   struct rl_err *err);

/*
 * rl_store_progress_set() - replace the progress row of running run @id
 * (updated_ns is set to now). Returns 0, -ENOENT, or -EINVAL when the run is
 * not running.
 */
int rl_store_progress_set(struct rl_store *s, int64_t id, const struct rl_store_progress *p,
			  struct rl_err *err);

/*
 * rl_store_progress_get() - the progress row of run @id. Returns 0, or
 * -ENOENT when there is none (an unknown run, or one not running).
 */
int rl_store_progress_get(struct rl_store *s, int64_t id, struct rl_store_progress *p,
			  struct rl_err *err);

/*
 * rl_store_run_finish() - running -> done, failed or aborted, or queued ->
 * failed or aborted (a queued run never ran, so it cannot be done); records
 * the finish time and @error (NULL or "": none) and deletes the progress row.
 * Returns 0, -ENOENT, or -EINVAL for another @st or a run already finished.
 */
int rl_store_run_finish(struct rl_store *s, int64_t id, enum rl_run_status st,
			const char *error, struct rl_err *err);

/*
 * rl_store_run_finish_at() - rl_store_run_finish() with the finish time
 * @finished_ns (0: now): an end recorded after the fact (the store could not
 * take it when the run ended). Returns as rl_store_run_finish().
 */
int rl_store_run_finish_at(struct rl_store *s, int64_t id, enum rl_run_status st,
			   const char *error, int64_t finished_ns, struct rl_err *err);

/*
 * rl_store_run_end_json() - the whole end of run @id in one transaction: its
 * last environment, @env_json (the text rl_env_to_json() prints
 * unformatted; NULL keeps the stored one, as for a run that never started),
 * then rl_store_run_finish_at(). An end kept while the store could not be
 * reached, written once it is back. Returns as rl_store_run_finish_at(),
 * or -EEXIST when the run already ended so, with this status and finish
 * time (an earlier write whose answer was lost).
 */
int rl_store_run_end_json(struct rl_store *s, int64_t id, enum rl_run_status st,
			  const char *error, int64_t finished_ns, const char *env_json,
			  struct rl_err *err);

/*
 * rl_store_recover() - at start-up, before any runner: every run left
 * running was interrupted, so it becomes aborted ("interrupted: ringlabd
 * stopped during the run") and loses its progress row; queued runs stay
 * queued. Returns the number of runs aborted (also stored in @n, which may
 * be NULL), or -errno.
 */
int rl_store_recover(struct rl_store *s, int *n, struct rl_err *err);

/*
 * rl_store_recover_targets() - rl_store_recover() for the runs on the
 * @ntargets targets named in @targets only, run by @host (NULL: any; a run
 * that recorded no host counts as @host's): on a store other daemons share,
 * their running runs are theirs, also on targets named like ours, and fleet
 * runs are left to their leases.
 * Returns as rl_store_recover(), or -EINVAL
 * for no targets or more than RL_STORE_RECOVER_MAX.
 */
#define RL_STORE_RECOVER_MAX 64
int rl_store_recover_targets(struct rl_store *s, const char *host,
			     const char *const *targets, size_t ntargets,
			     int *n, struct rl_err *err);

/*
 * rl_store_run_get() - run @id: @run (may be NULL) rebuilt from the stored
 * env, workloads and cells in seq order (free it with rl_run_free()), and
 * @meta (may be NULL). A queued run has a zeroed env and no workloads.
 * Returns 0, -ENOENT for an unknown id, or -EIO when stored JSON does not
 * parse (nothing is left allocated then).
 */
int rl_store_run_get(struct rl_store *s, int64_t id, struct rl_run *run,
		     struct rl_store_run_meta *meta, struct rl_err *err);

/*
 * rl_store_run_summary() - run @id for comparing and history, read from its
 * cell summaries without unpacking its cells: as rl_store_run_get(), but
 * each cell holds only workload, jobs, rep, attempts, ops, eagain,
 * eagain_rate, iops, bw_bytes_s, elapsed_s, lat.p99 (lat.valid), the
 * verification status, expect, failed, the errors' total count (in
 * errors[0]) and the EAGAIN causes' status and counts (not their note and
 * other_function); es_cached_extents is -1 and the rest 0. rl_cell_summary()
 * and rl_compare_runs() answer on it what they answer on the whole run.
 * Returns as rl_store_run_get().
 */
int rl_store_run_summary(struct rl_store *s, int64_t id, struct rl_run *run,
			 struct rl_store_run_meta *meta, struct rl_err *err);

/* One point of a history: a done run and its summary of one workload x jobs. */
struct rl_store_history_point {
	int64_t run_id;
	int64_t started_ns;
	char kernel_release[65];		/* "" for none */
	char kernel_tag[RL_STORE_TAG_MAX];	/* "" for none */
	char label[RL_STORE_LABEL_MAX];		/* "" for none */
	char host[65];				/* "" when not recorded */
	struct rl_cell_summary sum;		/* sum.measured > 0 */
};

/*
 * rl_store_history() - @workload at @jobs across done runs: of the newest
 * @scan done runs with @f's label, kernel_tag and host (NULL or "": any;
 * @f's other fields are not looked at), those that measured it, newest
 * first, at most @max into @pts, each with rl_cell_summary() of its cells
 * (read from the cell summaries). Returns the number of points, or -EINVAL (no workload,
 * @max or @scan < 1), -ENOMEM or -errno.
 */
int rl_store_history(struct rl_store *s, const struct rl_store_filter *f, const char *workload,
		     uint32_t jobs, int scan, struct rl_store_history_point *pts, int max,
		     struct rl_err *err);

/*
 * rl_store_run_request() - what run @id was asked for: @meta (may be NULL)
 * and the stored request body in @request (cJSON_Delete it; NULL when the run
 * was created without one). Returns 0, -ENOENT, or -EIO when it is not JSON.
 */
int rl_store_run_request(struct rl_store *s, int64_t id, cJSON **request,
			 struct rl_store_run_meta *meta, struct rl_err *err);

/* ---- runs for the API: one run's JSON, listing, queue queries (runs_list.c) ---- */

/*
 * rl_store_run_json() - run @id as the API returns it: rl_run_to_json()'s
 * object (which rl_run_from_json() reads back) plus "id", "what", "target",
 * "label", "kernel_tag", "kernel_release" (null when none), "created",
 * "created_ns" and "duration_s" (null before the start; up to now while it
 * runs). Returns 0 with a new object in @out (cJSON_Delete it), or as
 * rl_store_run_get().
 */
int rl_store_run_json(struct rl_store *s, int64_t id, cJSON **out, struct rl_err *err);

/*
 * rl_store_runs_list() - the runs matching @f (NULL: all), newest first,
 * limited by f->limit and f->offset, as a new JSON array in @out_array of
 * objects with id, status, what, target, label, kernel_tag, kernel_release,
 * scale, created, started, finished (ISO 8601 UTC or null, and each also as
 * *_ns), duration_s, ncells, failed_cells and error (null when none). @total
 * (may be NULL) gets the number of matches without limit and offset. Returns
 * the number of items, or -EINVAL (unknown status, limit or offset out of range).
 */
int rl_store_runs_list(struct rl_store *s, const struct rl_store_filter *f, cJSON **out_array,
		       int *total, struct rl_err *err);

/*
 * rl_store_run_ids_by() - the ids of done runs with @label and @kernel_tag
 * (NULL: any), newest first, at most @max of them, into @ids (for comparing
 * sets of runs). Returns the number found, or -EINVAL when @max < 1.
 */
int rl_store_run_ids_by(struct rl_store *s, const char *label, const char *kernel_tag,
			int64_t *ids, int max, struct rl_err *err);

/*
 * rl_store_next_queued() - the oldest queued run on @target (NULL: any),
 * fleet runs aside (rl_store_fleet_claim() takes those), of @host's queue
 * (NULL: any host's; a run created with no host is every host's).
 * Returns 0 with its id in @id, or -ENOENT when none is queued.
 */
int rl_store_next_queued(struct rl_store *s, const char *target, const char *host, int64_t *id,
			 struct rl_err *err);

/*
 * rl_store_target_busy() - whether @target has a queued or running run
 * (of @host, as rl_store_next_queued() counts hosts).
 * Returns 0 with the answer in @busy, -EINVAL without a target, or -errno.
 */
int rl_store_target_busy(struct rl_store *s, const char *target, const char *host, bool *busy,
			 struct rl_err *err);

/* rl_store_counts() - runs by status and cells in total (for /metrics). Returns 0 or -errno. */
int rl_store_counts(struct rl_store *s, struct rl_store_counts *c, struct rl_err *err);

/*
 * rl_store_run_ids_host() - rl_store_run_ids_by() among the runs of @host
 * (NULL or "": any host). Returns as rl_store_run_ids_by().
 */
int rl_store_run_ids_host(struct rl_store *s, const char *label, const char *kernel_tag,
			  const char *host, int64_t *ids, int max, struct rl_err *err);

/*
 * rl_store_runs_hosts() - the runs matching @f (its limit, offset and by_host
 * ignored) grouped by host, as a new JSON array in @out_array of {host (null
 * for runs recorded before hosts were), machine_id, cpu_model, runs,
 * last_created} ordered by host. Returns the number of hosts, or -EINVAL
 * (unknown status) or -errno.
 */
int rl_store_runs_hosts(struct rl_store *s, const struct rl_store_filter *f, cJSON **out_array,
			struct rl_err *err);

/* ---- hosts (hosts.c) ------------------------------------------------------- */

/* ---- the fleet: runs any daemon on a shared store may take (fleet.c) ---- */

#define RL_STORE_OWNER_MAX 192

/*
 * rl_store_set_lease_owner() - the lease owner @s writes runs as: a fleet
 * run's start, cells, progress, environment and end then change nothing
 * unless @owner (at most RL_STORE_OWNER_MAX - 1 bytes, else cut) holds its
 * lease, checked in the statement that writes (-ESTALE otherwise). NULL or
 * "" (the default): @s holds no lease and writes only runs of one daemon
 * and unleased fleet runs (cancelling a queued one).
 */
void rl_store_set_lease_owner(struct rl_store *s, const char *owner);

/* Who holds a lease, and for how long one lasts. */
struct rl_store_lease {
	const char *owner;		/* "host/machine-id/pid": unique while the daemon lives */
	const char *host;		/* this daemon's host name, as runs ask for it */
	int64_t lease_ns;		/* a claim or renewal holds the run this long */
	/* The VM variants this daemon boots (its "vm": {"kernels"}); runs asking for another are left */
	const char *const *kernels;
	size_t nkernels;		/* at most RL_STORE_FLEET_KERNELS_MAX */
};

#define RL_STORE_FLEET_KERNELS_MAX 16

/*
 * rl_store_fleet_claim() - lease the oldest queued fleet run that asks for
 * host "any" or @l->host and for target "any" or @target, and for no
 * kernel or one of @l->kernels, naming @target its target. The run stays
 * queued until rl_store_run_start(). Returns 0 with its id in @id,
 * -ENOENT when none is left to take, -EINVAL for more than
 * RL_STORE_FLEET_KERNELS_MAX kernels, or -errno.
 */
int rl_store_fleet_claim(struct rl_store *s, const struct rl_store_lease *l, const char *target,
			 int64_t *id, struct rl_err *err);

/*
 * rl_store_fleet_renew() - move the lease of run @id on to the database's
 * clock plus @l->lease_ns (a claim sets it so too). A lease that ran out
 * but that no daemon has re-queued yet is still @l->owner's: renewing it
 * takes it back. Returns 0, -ESTALE when @l->owner holds it no longer (it
 * expired and went back to the queue, or the run ended), or -errno.
 */
int rl_store_fleet_renew(struct rl_store *s, const struct rl_store_lease *l, int64_t id,
			 struct rl_err *err);

/*
 * rl_store_fleet_renew_cancel() - rl_store_fleet_renew(), and whether
 * someone asked for the run to stop (rl_store_fleet_cancel()): its words
 * in @cancel (@len bytes; "" for none). Returns 0, 1 when a cancel was
 * asked for, or as rl_store_fleet_renew().
 */
int rl_store_fleet_renew_cancel(struct rl_store *s, const struct rl_store_lease *l, int64_t id,
				char *cancel, size_t len, struct rl_err *err);

/*
 * rl_store_fleet_cancel() - stop fleet run @id, with @why as its error
 * ("cancelled through HOST"): queued and held by no daemon, it ends aborted
 * now; held, its holder is asked to, and finds the request at its next
 * renewal (a lease that runs out first ends the run aborted with it).
 * Returns 1 (ended now), 0 (asked), -ENOENT, or -EINVAL when the run is not
 * a fleet run or has finished.
 */
int rl_store_fleet_cancel(struct rl_store *s, int64_t id, const char *why, struct rl_err *err);

/*
 * rl_store_fleet_requeue() - every queued or running fleet run whose lease
 * has expired (by the database's clock, as every lease is set) goes back
 * to the queue as submitted (its cells, progress, start and host dropped),
 * or, asked to stop meanwhile, ends aborted. Returns the number of runs
 * re-queued, or -errno.
 */
int rl_store_fleet_requeue(struct rl_store *s, int *n, struct rl_err *err);

/*
 * rl_store_fleet_expired() - how many queued or running fleet runs hold a
 * lease that has run out: what rl_store_fleet_requeue() would take now,
 * read only. Returns that number (also in @n), or -errno.
 */
int rl_store_fleet_expired(struct rl_store *s, int *n, struct rl_err *err);

/*
 * rl_store_run_fleet_json() - add "fleet" to @obj, run @id's JSON: null for
 * a run of one daemon, else {host, target (null: any), kernel (null: the
 * daemon's own), lease_owner,
 * lease_expires (null while unclaimed)}. Returns 0 or -errno.
 */
int rl_store_run_fleet_json(struct rl_store *s, int64_t id, cJSON *obj, struct rl_err *err);

/* Runs and cells of one host; host "" holds runs recorded before hosts were, and queued ones. */
struct rl_store_host_count {
	char host[65];
	uint64_t runs[RL_RUN_MAX];	/* by enum rl_run_status */
	uint64_t cells_ok, cells_failed;
};

struct rl_store_host_counts {
	struct rl_store_host_count *hosts;	/* ordered by host */
	size_t n;
};

/*
 * rl_store_host_counts() - runs by host and status and cells by host and
 * outcome, from one read transaction, into @v (free it with
 * rl_store_host_counts_free()). Returns 0 or -errno (@v empty then).
 */
int rl_store_host_counts(struct rl_store *s, struct rl_store_host_counts *v, struct rl_err *err);

/* rl_store_host_counts_free() - free @v's hosts and zero it; a zeroed @v is fine. */
void rl_store_host_counts_free(struct rl_store_host_counts *v);

/* ---- nightly reports (nightly.c) ----------------------------------------- */

#define RL_STORE_SUMMARY_MAX 1024	/* a report's summary line, with the NUL */
#define RL_STORE_NIGHTLY_LATEST 0	/* rl_store_nightly_get(): the newest report */

/*
 * rl_store_nightly_add() - store the nightly report @report, a JSON object
 * of format "ringlab-nightly-1" kept as it is; its "status" (ok, failed,
 * regressed, corrupt), "summary", "label" (optional), "started_ns" and
 * "finished_ns" are also copied to columns for listing. Returns 0 with the
 * new id in @id, or -EINVAL with "field F: reason" in @err, -ENOMEM, -EBUSY
 * or -EIO.
 */
int rl_store_nightly_add(struct rl_store *s, const cJSON *report, int64_t *id,
			 struct rl_err *err);

/*
 * rl_store_nightly_list() - the reports newest first (by start time), at
 * most @limit (0: RL_STORE_LIST_DEFAULT) from @offset, as a new JSON array
 * in @out_array of objects with id, status, label (null when none),
 * summary, created, started, finished (ISO 8601 UTC, each also as *_ns) and
 * duration_s. @total (may be NULL) gets the number of reports. Returns the
 * number of items, or -EINVAL (limit or offset out of range) or -errno.
 */
int rl_store_nightly_list(struct rl_store *s, int limit, int offset, cJSON **out_array,
			  int *total, struct rl_err *err);

/*
 * rl_store_nightly_get() - report @id (RL_STORE_NIGHTLY_LATEST: the newest)
 * as a new object in @out: the list item's keys plus "report", the stored
 * document. Returns 0, -ENOENT (no such report, or none yet), or -EIO when
 * the stored report no longer parses.
 */
int rl_store_nightly_get(struct rl_store *s, int64_t id, cJSON **out, struct rl_err *err);

/*
 * A PostgreSQL store is shared, and a newer daemon may migrate it while this
 * one runs. A connection finds that out when a statement fails as a changed
 * schema makes one fail (then it reads the version: only errors pay for it),
 * when it reconnects, or when asked (rl_store_recheck()); from then on every
 * call on it fails with -ENOTSUP, "store is at schema N, this ringlabd knows
 * M: upgrade ringlabd", and writes nothing. An SQLite store is one daemon's
 * (its state directory's lock): nothing to find.
 *
 * rl_store_newer() - 0, or the newer schema version @s found its store at.
 */
int rl_store_newer(const struct rl_store *s);

/*
 * rl_store_set_newer() - another connection to @s's store found it at
 * @version: past this code's, @s refuses everything from now on as if it had
 * found it itself. Nothing when @version is not newer.
 */
void rl_store_set_newer(struct rl_store *s, int version);

/*
 * rl_store_recheck() - read the store's schema version now (one query; none
 * once it was found newer) into @version. Returns 0, -ENOTSUP when it is
 * past this code's (then as above), or -errno when it cannot be read.
 */
int rl_store_recheck(struct rl_store *s, int *version, struct rl_err *err);

/*
 * rl_store_quick_check() - SQLite: PRAGMA quick_check, every page read, as
 * at start-up; PostgreSQL: the server answers (it checks its own pages).
 * Returns 0 when it answers "ok", -EIO with its first complaint (and how
 * many more) otherwise, or -errno when it cannot run (-ENOTCONN: the server
 * cannot be reached).
 */
int rl_store_quick_check(struct rl_store *s, struct rl_err *err);

#ifdef RL_STORE_INTERNAL
#include <pthread.h>

/*
 * Shared by the files of daemon/store only; callers see struct rl_store as
 * opaque. The connection is sql.h's, whose backends keep sqlite3.h and
 * libpq-fe.h to themselves.
 */
struct rl_sql;
struct rl_sql_stmt;

struct rl_store_cache;
struct rl_store_summary_cache;

struct rl_store {
	struct rl_sql *db;
	enum rl_store_kind kind;
	struct rl_store_cache *cache;	/* detail.c: workloads parsed last, the running run's */
	char lease_owner[RL_STORE_OWNER_MAX];	/* rl_store_set_lease_owner(); "": holds no lease */
	struct rl_store_migrated migrated;	/* rl_store_migrate() at the open */
	struct rl_store_summary_cache *summary;	/* summary.c: what imports keep */
};

/* ---- the connection (db.c) ---- */

/* A write transaction when @write (SQLite: BEGIN IMMEDIATE), else a snapshot read. Returns 0 or -errno. */
int rl_store_begin(struct rl_store *s, bool write, struct rl_err *err);

/* rl_store_end() - COMMIT when @ret >= 0 (returns @ret, or the COMMIT's -errno), else ROLLBACK and return @ret. */
int rl_store_end(struct rl_store *s, int ret, struct rl_err *err);

/* rl_store_exec() - run SQL without parameters or results. Returns 0 or -errno. */
int rl_store_exec(struct rl_store *s, const char *sql, struct rl_err *err);

/* ---- statements (query.c) ---- */

/* rl_store_prepare() - compile @sql into @st. Returns 0 or -errno. */
int rl_store_prepare(struct rl_store *s, const char *sql, struct rl_sql_stmt **st,
		     struct rl_err *err);

struct rl_sql_rows;

/* rl_store_prepare_rows() - a write of @nrows rows of @r into @st (sql.h's prepare_rows). Returns 0 or -errno. */
int rl_store_prepare_rows(struct rl_store *s, const struct rl_sql_rows *r, int nrows,
			  struct rl_sql_stmt **st, struct rl_err *err);

/* rl_store_step_done() - step a statement that returns no rows. Returns 0 or -errno ("WHAT: message"). */
int rl_store_step_done(struct rl_store *s, struct rl_sql_stmt *st, struct rl_err *err,
		       const char *what);

/*
 * rl_store_step_insert() - step @st, an INSERT ... RETURNING id, put the new
 * row's id in @id and finalize @st. Returns 0 or -errno ("WHAT: message").
 */
int rl_store_step_insert(struct rl_store *s, struct rl_sql_stmt *st, int64_t *id,
			 struct rl_err *err, const char *what);

/*
 * rl_store_query_i64() - step @st, a query of one row (count(*), EXISTS, a
 * CASE WHEN EXISTS), put its first column in @v and finalize @st. Returns 0,
 * or -errno with "WHAT: message" in @err when no row came.
 */
int rl_store_query_i64(struct rl_store *s, struct rl_sql_stmt *st, int64_t *v,
		       struct rl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Bind @v, or NULL for NULL and "". */
void rl_store_bind_opt(struct rl_sql_stmt *st, int i, const char *v);

/* Copy text column @i into @buf ("" for NULL), truncated to @size. */
void rl_store_col_str(struct rl_sql_stmt *st, int i, char *buf, size_t size);

/* Integer column @i, 0 for NULL (a time not yet set). */
int64_t rl_store_col_i64(struct rl_sql_stmt *st, int i);

/* rl_store_json_text() - @j printed unformatted, then deleted; NULL when out of memory. */
char *rl_store_json_text(cJSON *j);

/* rl_store_status_parse() - the enum for a status name, or -1. */
int rl_store_status_parse(const char *name);

/*
 * A listing (runs, nightly reports): how to count its rows, read a page of
 * them and turn a row into a JSON item. Each returns 0 or -errno.
 */
struct rl_store_lister {
	const char *what;	/* "runs": "count runs", "list runs: out of memory" */
	/* Prepare and bind the count: one row, one integer. */
	int (*count)(struct rl_store *s, const void *arg, struct rl_sql_stmt **q,
		     struct rl_err *err);
	/* Prepare and bind the page: at most @limit rows from @offset. */
	int (*page)(struct rl_store *s, const void *arg, int limit, int offset,
		    struct rl_sql_stmt **q, struct rl_err *err);
	/* The JSON item of the row @q is on, into @out. */
	int (*item)(struct rl_sql_stmt *q, cJSON **out, struct rl_err *err);
};

/*
 * rl_store_list() - a page of @l's rows (@arg is passed to its functions)
 * and their total, from one read transaction so that the two agree: at most
 * @limit items (0: RL_STORE_LIST_DEFAULT) from @offset, as a new JSON array
 * in @out_array; @total (may be NULL) gets the number of rows. Returns the
 * number of items, or -EINVAL (limit or offset out of range) or -errno.
 */
int rl_store_list(struct rl_store *s, const struct rl_store_lister *l, const void *arg, int limit,
		  int offset, cJSON **out_array, int *total, struct rl_err *err);

/* ---- runs (runs.c) ---- */

/* The columns rl_store_meta_read() reads, first in every query that reads runs. */
#define RL_STORE_META_COLS "id, status, what, target, label, kernel_tag, kernel_release, scale," \
	" created, started, finished, error"
#define RL_STORE_NMETA_COLS 12

/*
 * The clause that keeps a run's writes to whoever may write it: a run of
 * one daemon, or a fleet run whose lease this connection's owner holds (an
 * unleased one for a connection that holds none). Appended to the WHERE of
 * the UPDATE that guards each write, with s->lease_owner bound to its one
 * parameter. On PostgreSQL the UPDATE waits for a concurrent change of the
 * row (a lease taken over) and tests the clause again on the new row, so a
 * lease taken away and a write of the old holder never both commit.
 */
#define RL_STORE_LEASE_GUARD " AND (fleet_host IS NULL OR COALESCE(lease_owner, '') = ?)"

/*
 * rl_store_lease_err() - inside the transaction whose guarded write
 * touched no row: -ESTALE, saying who holds it, when run @id is a fleet run
 * whose lease is not this connection's; else 0, or -errno.
 */
int rl_store_lease_err(struct rl_store *s, int64_t id, struct rl_err *err);

/* rl_store_meta_read() - @m from the RL_STORE_META_COLS of the row @q is on. Returns 0 or -EIO. */
int rl_store_meta_read(struct rl_sql_stmt *q, struct rl_store_run_meta *m, struct rl_err *err);

/*
 * rl_store_state_err() - why a change guarded by the run's status (and
 * RL_STORE_LEASE_GUARD) touched nothing: -ESTALE as rl_store_lease_err(),
 * -ENOENT for an unknown run, else -EINVAL with "run N is STATUS: ACTION
 * needs NEED". Call inside the transaction that tried the change.
 */
int rl_store_state_err(struct rl_store *s, int64_t id, const char *action, const char *need,
		       struct rl_err *err);

/*
 * rl_store_run_host_set() - record in run @id's columns the machine @env
 * says it ran on (rl_env_host_id()) and its target's device model; inside
 * the caller's write transaction. Returns 0 or -errno.
 */
int rl_store_run_host_set(struct rl_store *s, int64_t id, const struct rl_env *env,
			  struct rl_err *err);

/* The host columns of runs, in the order rl_store_host_bind() binds them. */
#define RL_STORE_HOST_COLS "host, machine_id, cpu_model, device_model, guest_host"

/*
 * rl_store_host_bind() - bind parameters @i..@i + 4 of @q to the machine
 * @env says a run ran on, for RL_STORE_HOST_COLS (an import writes them in
 * its INSERT of the run). Cannot fail.
 */
void rl_store_host_bind(struct rl_sql_stmt *q, int i, const struct rl_env *env);

/* ---- schema (migrate.c) and cells (cells.c) ---- */

/* rl_store_check_version() - refuse a newer or foreign schema before anything is written. */
int rl_store_check_version(struct rl_store *s, struct rl_err *err);

/*
 * rl_store_migrate_v5() - in the migration to schema 5 (migrate_v5.c), after
 * its tables are made: every stored run's workloads into run_details, a
 * summary row for each of its cells, its cell counts, and the cells of each
 * run not running packed into its details (their rows deleted). Returns 0
 * or -errno naming the run.
 */
int rl_store_migrate_v5(struct rl_store *s, struct rl_err *err);

/*
 * rl_store_migrate() - apply every missing migration, in one transaction,
 * then VACUUM an SQLite store one of them rewrote; s->migrated says what
 * was done. Returns 0 or -errno.
 */
int rl_store_migrate(struct rl_store *s, struct rl_err *err);

/* rl_store_cells_load() - append run @id's cell rows (not packed yet) to @run, in seq order. */
int rl_store_cells_load(struct rl_store *s, int64_t id, struct rl_run *run, struct rl_err *err);

/* ---- packed blobs (pack.c) ---- */

/*
 * A blob packed a piece at a time, so that a run's cells never need to be
 * one text in memory: begin, add each piece, finish, then the blob is
 * buf[0..len); end frees it (always call it, whatever the others return).
 * Each returns 0 or -ENOMEM, -E2BIG (over 1 GiB of text), -EIO.
 */
struct rl_store_packer {
	void *z;		/* zlib's stream */
	unsigned char *buf;
	size_t len, cap;
	size_t total;		/* text bytes added */
};

int rl_store_packer_begin(struct rl_store_packer *p, struct rl_err *err);
int rl_store_packer_add(struct rl_store_packer *p, const char *text, size_t len,
			struct rl_err *err);
int rl_store_packer_finish(struct rl_store_packer *p, struct rl_err *err);
void rl_store_packer_end(struct rl_store_packer *p);

/*
 * A packer run on a thread of its own (pack_thread.c), for an import to pack
 * its cells while it writes their rows. rl_store_pack_start() begins @j
 * packing @len bytes of @text, which must stay until the wait: 0, or -ENOMEM
 * (nothing to end). rl_store_pack_wait() waits for it: 0 with the blob in
 * j->p.buf[0..len), or the packer's error. rl_store_pack_end() waits if
 * need be and frees; call it after every start that returned 0.
 */
struct rl_store_pack_job {
	struct rl_store_packer p;
	const char *text;
	size_t len;
	pthread_t thread;
	bool threaded, waiting;
	int ret;
	struct rl_err err;
};

int rl_store_pack_start(struct rl_store_pack_job *j, const char *text, size_t len,
			struct rl_err *err);
int rl_store_pack_wait(struct rl_store_pack_job *j, struct rl_err *err);
void rl_store_pack_end(struct rl_store_pack_job *j);

/*
 * rl_store_unpack() - the text a packer made @blob (@n bytes) from,
 * malloc'd and NUL-terminated, in @text. Returns 0, -EIO when @blob is not
 * a packed blob or is damaged, or -ENOMEM.
 */
int rl_store_unpack(const void *blob, size_t n, char **text, struct rl_err *err);

/* ---- run details: workloads and packed cells (detail.c) ---- */

/* rl_store_detail_put_workloads() - store run @id's workloads, @text a JSON array. Returns 0 or -errno. */
int rl_store_detail_put_workloads(struct rl_store *s, int64_t id, const char *text,
				  struct rl_err *err);

/* Packed text for a BLOB column (pack.c's format). */
struct rl_store_blob {
	const unsigned char *buf;
	size_t len;
};

/*
 * rl_store_detail_put_cells() - store every cell of @run as run @id's packed
 * cells, and @workloads as its workloads unless NULL (one row written once).
 * Returns 0 or -errno.
 */
int rl_store_detail_put_cells(struct rl_store *s, int64_t id, const struct rl_run *run,
			      const struct rl_store_blob *workloads, struct rl_err *err);

/*
 * rl_store_detail_pack_workloads() - @nw workloads @w as their packed JSON
 * array, in @out, valid until the next call on @s: workloads byte for byte
 * the last ones packed reuse what was packed then, so the runs of a suite
 * print and pack them once. Call it before the write transaction (it
 * touches no table). Returns 0 or -ENOMEM.
 */
int rl_store_detail_pack_workloads(struct rl_store *s, const struct rl_workload *w, size_t nw,
				   struct rl_store_blob *out, struct rl_err *err);

/* rl_store_detail_put_workloads_blob() - store @b as run @id's workloads. Returns 0 or -errno. */
int rl_store_detail_put_workloads_blob(struct rl_store *s, int64_t id,
				       const struct rl_store_blob *b, struct rl_err *err);

/*
 * rl_store_detail_put_cells_packing() - store what @job packs (a JSON array
 * of cells as rl_cell_from_json() reads them) as run @id's packed cells,
 * once it is packed, and @workloads as its workloads unless NULL. @job is
 * left to rl_store_pack_end(). Returns 0 or -errno.
 */
int rl_store_detail_put_cells_packing(struct rl_store *s, int64_t id,
				      struct rl_store_pack_job *job,
				      const struct rl_store_blob *workloads, struct rl_err *err);

/*
 * rl_store_detail_pack() - pack run @id's cell rows into its details and
 * delete the rows (a run's end; nothing when it has none). Inside the
 * caller's write transaction. Returns 0 or -errno.
 */
int rl_store_detail_pack(struct rl_store *s, int64_t id, struct rl_err *err);

/* rl_store_detail_get_workloads() - run @id's workloads into @run (none stored: none). Returns 0 or -errno (-EIO: they do not parse). */
int rl_store_detail_get_workloads(struct rl_store *s, int64_t id, struct rl_run *run,
				  struct rl_err *err);

/* rl_store_detail_get_cells() - append run @id's cells, packed and then rows, to @run. Returns 0 or -errno. */
int rl_store_detail_get_cells(struct rl_store *s, int64_t id, struct rl_run *run,
			      struct rl_err *err);

/*
 * rl_store_run_wflags() - the flags of @workload in running run @id for its
 * cells' summaries (rl_store_wflags_of() on its stored workloads, read once
 * per run). Returns 0 or -errno.
 */
int rl_store_run_wflags(struct rl_store *s, int64_t id, const char *workload, bool *nowait,
			bool *timing, struct rl_err *err);

/* rl_store_cache_free() - what detail.c keeps for @s (rl_store_close()). */
void rl_store_cache_free(struct rl_store *s);

/* ---- cell summaries (summary.c) ---- */

/* rl_store_wflags_of() - NOWAIT and a timing-dependent rate of @workload's cells in @run. */
void rl_store_wflags_of(const struct rl_run *run, const char *workload, bool *nowait,
			bool *timing);

/* Inserts of summary rows, prepared once for a run's cells. */
struct rl_store_summary_writer {
	struct rl_sql_stmt *name, *row;
};

/* rl_store_summary_begin() - prepare @w. Returns 0 or -errno; end it whatever this returns. */
int rl_store_summary_begin(struct rl_store *s, struct rl_store_summary_writer *w,
			   struct rl_err *err);

/* rl_store_summary_add() - the summary row of cell @seq of run @id. Returns 0 or -errno. */
int rl_store_summary_add(struct rl_store *s, struct rl_store_summary_writer *w, int64_t id,
			 uint32_t seq, const struct rl_cell *c, bool nowait, bool timing,
			 struct rl_err *err);

/* rl_store_summary_end() - finalize @w's statements; a zeroed @w is fine. */
void rl_store_summary_end(struct rl_store_summary_writer *w);

/* rl_store_summary_count() - add @n cells, @failed of them failed, to run @id's counts. Returns 0 or -errno. */
int rl_store_summary_count(struct rl_store *s, int64_t id, int64_t n, int64_t failed,
			   struct rl_err *err);

/*
 * rl_store_summaries_import() - the summary rows of every cell of @run (seq =
 * index) for run @id, many rows a statement. Returns 0 or -errno.
 */
int rl_store_summaries_import(struct rl_store *s, int64_t id, const struct rl_run *run,
			      struct rl_err *err);

/* rl_store_summary_cache_free() - finalize and free what imports kept on @s (before it closes). */
void rl_store_summary_cache_free(struct rl_store *s);

/* rl_store_summaries_load() - append run @id's cells as summaries hold them (light) to @run. */
int rl_store_summaries_load(struct rl_store *s, int64_t id, struct rl_run *run,
			    struct rl_err *err);

#endif

#endif
