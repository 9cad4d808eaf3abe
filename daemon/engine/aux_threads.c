/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aux_threads.h"
#include "claim.h"
#include "target_check.h"
#include "util/clock.h"

#define CHURN_SPAN (16ull << 20)
#define CHURN_CHUNK (256ull << 10)

/*
 * One round of churn: on the workload's own inode, allocate and punch
 * beyond the data (KEEP_SIZE, so no byte the jobs write changes) to make the
 * extent tree and the extent-status cache change under the DIO writers; on a
 * sibling file, fallocate, buffered write, punch and truncate, as in the
 * es_shrinker_info race report.
 */
static int churn_round(struct rl_aux *aux, int sib, uint64_t *rng, const char *buf)
{
	uint64_t off = (rl_splitmix64(rng) % (CHURN_SPAN / CHURN_CHUNK)) * CHURN_CHUNK;
	off_t tail = (off_t)(aux->file_bytes + off);

	if (fallocate(aux->fd, FALLOC_FL_KEEP_SIZE, tail, CHURN_CHUNK) < 0 && errno != ENOSPC)
		return -errno;
	if (fallocate(aux->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, tail, CHURN_CHUNK) < 0)
		return -errno;
	if (fallocate(sib, 0, (off_t)off, CHURN_CHUNK) < 0 && errno != ENOSPC)
		return -errno;
	if (pwrite(sib, buf, 4096, (off_t)(off + 4096)) < 0 && errno != ENOSPC)
		return -errno;
	if (fallocate(sib, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, CHURN_CHUNK / 2) < 0)
		return -errno;
	if (ftruncate(sib, (off_t)(rl_splitmix64(rng) % CHURN_SPAN)) < 0)
		return -errno;
	return 0;
}

static void *churn_main(void *arg)
{
	struct rl_aux *aux = arg;
	uint64_t rng = 0x5eed;
	char buf[4096];
	int sib = aux->churn_fd, ret = 0;

	memset(buf, 0xc5, sizeof(buf));
	while (!atomic_load(&aux->stop) && !ret) {
		ret = churn_round(aux, sib, &rng, buf);
		aux->churn_ops++;
	}
	/* Give back what was allocated beyond the data. */
	fallocate(aux->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)aux->file_bytes,
		  (off_t)(CHURN_SPAN + CHURN_CHUNK));
	aux->churn_error = ret;
	return NULL;
}

static void *es_main(void *arg)
{
	struct rl_aux *aux = arg;
	char buf[4096];

	while (!atomic_load(&aux->stop)) {
		int fd = open(aux->es_path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return NULL;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		aux->es_reads++;
	}
	return NULL;
}

int rl_aux_start(struct rl_aux *aux, struct rl_err *err)
{
	int ret;

	atomic_store(&aux->stop, false);
	if (aux->churn) {
		/* Opened here, not in the thread, so that a refused file fails the cell by name. */
		aux->churn_fd = rl_target_open_own(aux->dir_fd, aux->churn_path, O_RDWR | O_CREAT, 0600,
						   err);
		if (aux->churn_fd < 0)
			return aux->churn_fd;
		/* Emptied only now that it is known to be the run's own file. */
		if (ftruncate(aux->churn_fd, 0) < 0) {
			ret = rl_err_set(err, -errno, "%s: ftruncate: %s", aux->churn_path,
					 strerror(errno));
			close(aux->churn_fd);
			return ret;
		}
		/* Removed when the cell ends; claimed so a killed run's copy is swept. */
		rl_claim_file(aux->churn_fd);
		ret = -pthread_create(&aux->churn_thread, NULL, churn_main, aux);
		if (ret) {
			close(aux->churn_fd);
			rl_target_unlink(aux->dir_fd, aux->churn_path);
			return rl_err_set(err, ret, "churn thread: %s", strerror(-ret));
		}
		aux->churn_started = true;
	}
	if (aux->es_reader) {
		if (access(aux->es_path, R_OK) < 0) {
			ret = -errno;
			rl_aux_stop(aux);
			return rl_err_set(err, ret, "es_reader: %s: %s", aux->es_path, strerror(-ret));
		}
		ret = -pthread_create(&aux->es_thread, NULL, es_main, aux);
		if (ret) {
			rl_aux_stop(aux);
			return rl_err_set(err, ret, "es_reader thread: %s", strerror(-ret));
		}
		aux->es_started = true;
	}
	return 0;
}

int rl_aux_stop(struct rl_aux *aux)
{
	atomic_store(&aux->stop, true);
	if (aux->churn_started) {
		pthread_join(aux->churn_thread, NULL);
		aux->churn_started = false;
		close(aux->churn_fd);
		rl_target_unlink(aux->dir_fd, aux->churn_path);
	}
	if (aux->es_started) {
		pthread_join(aux->es_thread, NULL);
		aux->es_started = false;
	}
	return aux->churn_error;
}
