/* SPDX-License-Identifier: MIT */
/*
 * Threads that run beside the jobs of a race workload: metadata churn on the
 * same inode and a sibling file, and a reader of es_shrinker_info (the
 * lockless counters of seeds/000).
 */
#ifndef RINGLAB_DAEMON_ENGINE_AUX_THREADS_H
#define RINGLAB_DAEMON_ENGINE_AUX_THREADS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

struct rl_aux {
	atomic_bool stop;
	int fd;				/* the workload's file */
	uint64_t file_bytes;		/* churn stays beyond this offset */
	char churn_path[4096];		/* sibling file, removed at stop */
	int dir_fd;			/* its directory, pinned (target_check.h); -1: none */
	int churn_fd;			/* open on it while churn runs */
	char es_path[256];		/* /proc/fs/ext4/<sb>/es_shrinker_info */
	bool churn, es_reader;
	pthread_t churn_thread, es_thread;
	bool churn_started, es_started;
	uint64_t churn_ops, es_reads;
	int churn_error;
};

/*
 * rl_aux_start() - start the threads @aux asks for. Returns 0 or -errno
 * (nothing left running on failure).
 */
int rl_aux_start(struct rl_aux *aux, struct rl_err *err);

/* rl_aux_stop() - stop and join them, remove the sibling file. Returns churn's -errno or 0. */
int rl_aux_stop(struct rl_aux *aux);

#endif
