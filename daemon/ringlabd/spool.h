/* SPDX-License-Identifier: MIT */
/*
 * Finished cells the store refused because its server is gone (-ENOTCONN:
 * PostgreSQL stopped, the network cut). Rather than lose them or stop the
 * run, the runner keeps them in its target's spool, STATE/cells-spool-NAME,
 * one line per cell, "RUN SEQ JSON\n", the JSON exactly the text the store
 * stores, each line synced before the run goes on. When the server is back
 * the spool is written in order, before any newer cell and before the run's
 * end; a cell the store already has (its commit reached the server, its
 * answer did not) is not stored twice. A run that ends while its cells
 * wait, or while the server is gone, keeps its end there too, after its
 * cells: "RUN end JSON\n" (run_end.h's rl_run_end_text(): status, finish
 * time, error and the environment only the end knows), written in one
 * transaction after them. A daemon that stops with cells kept writes them
 * at its next start, before it records any run's end. The spool is
 * bounded: past max_bytes the runner fails the run instead. What the store
 * will not take (the run is over, or another daemon holds its lease) is
 * set aside in a file of its own, never written into another's run.
 */
#ifndef RINGLAB_DAEMON_RINGLABD_SPOOL_H
#define RINGLAB_DAEMON_RINGLABD_SPOOL_H

#include <stdatomic.h>
#include <stdint.h>

#include "engine/result.h"
#include "run_end.h"
#include "store/store.h"
#include "util/err.h"
#include "util/path.h"

#define RL_SPOOL_PREFIX "cells-spool-"

struct rl_spool {
	int fd;				/* -1: none (rl_spool_open() failed) */
	char path[RL_PATH_MAX];
	uint64_t max_bytes;
	uint64_t bytes;			/* the file's size */
	uint64_t done;			/* its first bytes, already stored */
	atomic_uint count;		/* cells waiting: read by /health from any thread */
	atomic_uint ends;		/* run ends waiting behind them */
	int64_t since_ns;		/* CLOCK_MONOTONIC when the oldest waiting line was kept */
	int64_t run_id;			/* the run of the first line waiting, else of the last kept */
};

/*
 * rl_spool_open() - open (create, 0640) target @name's spool in
 * @state_dir, holding at most @max_bytes, and count the cells it already
 * holds (a stop left them). Returns 0, or -errno with the file named in
 * @err (then @sp->fd is -1 and rl_spool_add() refuses).
 */
int rl_spool_open(struct rl_spool *sp, const char *state_dir, const char *name,
		  uint64_t max_bytes, struct rl_err *err);

/* rl_spool_close() - close the spool, leaving its file as it is. */
void rl_spool_close(struct rl_spool *sp);

/* rl_spool_count() - the cells waiting in @sp. Any thread. */
unsigned int rl_spool_count(struct rl_spool *sp);

/* rl_spool_waiting() - the lines waiting in @sp: cells and run ends. Any thread. */
unsigned int rl_spool_waiting(struct rl_spool *sp);

/*
 * rl_spool_add() - keep cell @seq of run @id at the spool's end, synced.
 * Returns 0, -ENOSPC when it would grow past max_bytes, or -errno from
 * the file (it is left as it was); @err names the file either way.
 */
int rl_spool_add(struct rl_spool *sp, int64_t id, uint32_t seq, const struct rl_cell *c,
		 struct rl_err *err);

/*
 * rl_spool_add_end() - keep @end, with the run's last environment
 * @env_json (NULL: none), at the spool's end, synced: behind the run's
 * cells, the store records it after them. Returns as rl_spool_add().
 */
int rl_spool_add_end(struct rl_spool *sp, const struct rl_run_end *end, const char *env_json,
		     struct rl_err *err);

/*
 * rl_spool_flush() - store the waiting lines in order through @s, each in
 * its own transaction: a cell as rl_store_cell_add_json(), an end as
 * rl_store_run_end_json(); -EEXIST from the store (it has that cell, or
 * that end) counts as stored. The file is emptied when all are in.
 * Returns the number of cells stored now (0 when none waited; an end
 * stored makes rl_spool_waiting() 0), or the store's -errno for the first
 * line it would not take, which stays first: -ENOTCONN (still gone: try
 * again), -ESTALE (the run's fleet lease is another daemon's), -EINVAL or
 * -ENOENT (the run is not running any more, or gone), with the line named
 * in @err.
 */
int rl_spool_flush(struct rl_spool *sp, struct rl_store *s, struct rl_err *err);

/*
 * rl_spool_set_aside() - the waiting lines cannot be stored (the run is
 * over, or its lease went to another daemon): with @keep, move them to
 * PATH.unstored-RUN (PATH.unstored-RUN.N when that is taken: nothing set
 * aside before is overwritten), named in @where (may be NULL) for whoever
 * wants them, else drop them; start an empty spool either way. Returns 0
 * or -errno (then the spool stays).
 */
int rl_spool_set_aside(struct rl_spool *sp, bool keep, char *where, size_t len,
		       struct rl_err *err);

/*
 * rl_spool_recover() - at start-up, before the run ends of run_end.h: write
 * every target's spool in @state_dir to @s (rl_spool_flush()); a spool the
 * store will not take (its run ended, or another daemon holds its lease:
 * this daemon's lease went with its old process) is set aside, and told
 * in @aside (may be NULL) for the caller to log: the store's words, how
 * many cells, where. Returns the number of cells stored (also in @n; the
 * run ends stored in @ends, may be NULL), or -errno when the store failed
 * otherwise (the spool is kept).
 */
int rl_spool_recover(const char *state_dir, struct rl_store *s, int *n, int *ends, char *aside,
		     size_t len, struct rl_err *err);

#endif
