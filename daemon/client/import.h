/* SPDX-License-Identifier: MIT */
/*
 * Importing a run measured elsewhere (a VM guest, a "host" variant of the
 * nightly) into ringlabd: POST /api/v1/runs/import with the run and the tags
 * it is to be listed under. `ringlab vm run --url` and `ringlab nightly` both
 * import this way.
 */
#ifndef RINGLAB_DAEMON_CLIENT_IMPORT_H
#define RINGLAB_DAEMON_CLIENT_IMPORT_H

#include <stdint.h>

#include <cJSON.h>

#include "http.h"
#include "util/err.h"

/* How the imported run is listed; NULL: not sent (ringlabd keeps the run's own, or "vm"). */
struct rl_client_import_tags {
	const char *label;
	const char *kernel_tag;
	const char *target;	/* where it ran: "vm", "host" */
};

/*
 * rl_client_import_run() - send @run (a parsed "ringlab-run-1" document,
 * which this takes over and frees whatever happens) to ringlabd at @t under
 * @tags, and put the new run's id in @id. Returns 0, -ENOMEM, the errors of
 * rl_client_post_json() with ringlabd's reason in @err, or -EPROTO when the
 * answer has no run id.
 */
int rl_client_import_run(const struct rl_client_target *t, cJSON *run,
			 const struct rl_client_import_tags *tags, int64_t *id, struct rl_err *err);

#endif
