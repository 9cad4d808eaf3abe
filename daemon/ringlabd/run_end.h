/* SPDX-License-Identifier: MIT */
/*
 * A run whose end the store could not record (its filesystem full, an I/O
 * error). Left alone it stays "running" in the store for ever: its target
 * busy, cancel a no-op, /health "ok". The runner keeps the end in memory,
 * where the API reports it, retries it, and writes it to the target's end
 * file, STATE/run-end-NAME, with the environment only the end knows (the
 * io_uring setup flags and opcodes used), so that the next start records
 * the real end instead of "interrupted". The file has its full size from the start:
 * rewriting it needs no new block on a full filesystem.
 */
#ifndef RINGLAB_DAEMON_RINGLABD_RUN_END_H
#define RINGLAB_DAEMON_RINGLABD_RUN_END_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/result.h"
#include "store/store.h"
#include "util/err.h"

#define RL_RUN_END_PREFIX "run-end-"

struct rl_run_end {
	int64_t id;				/* 0: none */
	enum rl_run_status status;
	int64_t finished_ns;
	char error[RL_ERR_MSG_MAX];		/* the run's own error, "" for none */
	char store_error[RL_ERR_MSG_MAX];	/* why the store did not take it */
	bool spooled;				/* kept in the cells spool behind its cells (spool.h) */
};

/*
 * rl_run_end_open() - open target @name's end file in @state_dir, creating
 * it at its full size (0640, synced) when missing. Returns the descriptor
 * (O_CLOEXEC), or -errno with the file named in @err.
 */
int rl_run_end_open(const char *state_dir, const char *name, struct rl_err *err);

/*
 * rl_run_end_write() - keep @end with the run's environment at its end
 * @env_json (the store's text of it; NULL: none) in the end file @fd, in
 * place and synced, as rl_run_end_text() writes them (an environment too
 * large for the file is left out); @end NULL (or id 0) clears it. Returns 0
 * or -errno.
 */
int rl_run_end_write(int fd, const struct rl_run_end *end, const char *env_json);

/*
 * rl_run_end_env_text() - @env as the store keeps a run's environment: the
 * JSON text rl_env_to_json() prints unformatted. Returns it (free it), or
 * NULL when out of memory.
 */
char *rl_run_end_env_text(const struct rl_env *env);

/*
 * rl_run_end_text() - @end and the run's last environment @env_json (the
 * store's text of it; NULL: none) as one line of JSON, for the cells spool.
 * Returns the text (free it), or NULL when out of memory or @env_json is
 * not JSON.
 */
char *rl_run_end_text(const struct rl_run_end *end, const char *env_json);

/*
 * rl_run_end_parse() - rl_run_end_text()'s @text back into @end, and its
 * environment into @env_json (free it; NULL when it had none, or no "env"
 * at all as in an older end file). Returns 0, -EINVAL when @text is not an
 * end, or -ENOMEM.
 */
int rl_run_end_parse(const char *text, struct rl_run_end *end, char **env_json);

/*
 * rl_run_end_recover() - at start-up, before rl_store_recover(): record in
 * @s the end of every run an end file in @state_dir holds, with its status,
 * error, finish time and environment at the end (rl_store_run_end_json()),
 * when the store still has it queued or running; then clear the file.
 * Returns the number of runs recorded (also in @n), or -errno when the
 * store still cannot take one (the file is kept).
 */
int rl_run_end_recover(const char *state_dir, struct rl_store *s, int *n, struct rl_err *err);

#endif
