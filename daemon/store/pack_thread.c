/* SPDX-License-Identifier: MIT */
/*
 * Packing one text on a thread of its own. An import's cells take zlib
 * about 1.5 ms to pack, a fifth of what ringlabd spends on the import, and
 * its rows take the database as long to write; packing them meanwhile, on
 * the machine's other core, takes that time off every import.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#define RL_STORE_INTERNAL
#include "store.h"

/* The packing itself, on whichever thread: the result in @j. */
static void pack(struct rl_store_pack_job *j)
{
	j->ret = rl_store_packer_add(&j->p, j->text, j->len, &j->err);
	if (!j->ret)
		j->ret = rl_store_packer_finish(&j->p, &j->err);
}

static void *pack_main(void *arg)
{
	pack(arg);
	return NULL;
}

int rl_store_pack_start(struct rl_store_pack_job *j, const char *text, size_t len,
			struct rl_err *err)
{
	int ret;

	memset(j, 0, sizeof(*j));
	ret = rl_store_packer_begin(&j->p, err);
	if (ret < 0)
		return ret;
	j->text = text;
	j->len = len;
	/* No thread to be had: rl_store_pack_wait() packs on the caller's. */
	j->threaded = !pthread_create(&j->thread, NULL, pack_main, j);
	j->waiting = true;
	return 0;
}

int rl_store_pack_wait(struct rl_store_pack_job *j, struct rl_err *err)
{
	if (j->waiting) {
		if (j->threaded)
			pthread_join(j->thread, NULL);
		else
			pack(j);
		j->waiting = false;
	}
	if (j->ret < 0)
		return rl_err_set(err, j->ret, "%s", j->err.msg);
	return 0;
}

void rl_store_pack_end(struct rl_store_pack_job *j)
{
	struct rl_err ignored;

	rl_store_pack_wait(j, &ignored);
	rl_store_packer_end(&j->p);
}
