/* SPDX-License-Identifier: MIT */
/*
 * The database checked at start-up. Opening reads the schema and start-up
 * reads the runs table; a page of cells can be corrupt and nothing notices
 * until someone asks for that run. PRAGMA quick_check reads every page of
 * every table (not the indexes against them, which integrity_check does at
 * many times the cost).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#define RL_STORE_INTERNAL
#include "store.h"

#define BANNER "*** in database main ***"

/* A complaint for a log line and /health: its lines joined with "; ", SQLite's banner dropped. */
static void one_line(char *out, size_t len, const char *row)
{
	size_t n = 0;

	if (!strncmp(row, BANNER, strlen(BANNER)))
		row += strlen(BANNER);
	row += strspn(row, "\n");
	for (; *row && n + 3 < len; row++) {
		if (*row != '\n') {
			out[n++] = *row;
		} else if (row[1]) {
			out[n++] = ';';
			out[n++] = ' ';
		}
	}
	out[n] = '\0';
}

int rl_store_quick_check(struct rl_store *s, struct rl_err *err)
{
	char first[200] = "";
	sqlite3_stmt *q;
	int ret, rc, more = 0;

	ret = rl_store_prepare(s, "PRAGMA quick_check", &q, err);
	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *row = (const char *)sqlite3_column_text(q, 0);

		if (row && !strcmp(row, "ok"))
			continue;
		if (first[0])
			more++;
		else
			one_line(first, sizeof(first), row ? row : "no answer");
	}
	if (rc != SQLITE_DONE)
		ret = rl_store_sqlerr(s, rc, err, "quick_check");
	else if (first[0] && more)
		ret = rl_err_set(err, -EIO, "quick_check: %s (and %d more)", first, more);
	else if (first[0])
		ret = rl_err_set(err, -EIO, "quick_check: %s", first);
	sqlite3_finalize(q);
	return ret;
}
