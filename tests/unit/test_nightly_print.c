/* SPDX-License-Identifier: MIT */
/*
 * The nightly's text report lines up: in every variant x suite row the
 * status starts at the same column and what follows it ("run N ...") too,
 * whatever the longest status ("eagain-changed"), variant name or suite.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "nightly/nightly.h"

static const char report_json[] =
	"{\"label\": \"n-20261126-0200\", \"base\": \"base\", \"started\": \"2026-11-26T02:00:00Z\","
	" \"status\": \"corrupt\", \"summary\": \"...\", \"variants\": ["
	"{\"name\": \"base\", \"base\": true, \"suites\": ["
	"  {\"suite\": \"seed\", \"status\": \"ok\", \"run\": {\"id\": 1, \"status\": \"done\", \"duration_s\": 10}},"
	"  {\"suite\": \"nowait-fingerprint\", \"status\": \"ok\", \"run\": {\"id\": 2, \"status\": \"done\", \"duration_s\": 9}}]},"
	"{\"name\": \"ext4-dio-shared-rwsem:v3\", \"base\": false, \"suites\": ["
	"  {\"suite\": \"seed\", \"status\": \"regressed\", \"base_run_id\": 1, \"summary\": \"1 regressed\","
	"   \"run\": {\"id\": 3, \"status\": \"done\", \"duration_s\": 11}},"
	"  {\"suite\": \"nowait-fingerprint\", \"status\": \"eagain-changed\", \"base_run_id\": 2,"
	"   \"summary\": \"1 eagain-changed\", \"run\": {\"id\": 4, \"status\": \"done\", \"duration_s\": 12}}]},"
	"{\"name\": \"v4\", \"base\": false, \"suites\": ["
	"  {\"suite\": \"/srv/lab/suites/a-suite-with-a-long-path.json\", \"status\": \"failed\","
	"   \"error\": \"vm-run.sh exited 1\", \"run\": {\"id\": 5, \"status\": \"failed\", \"duration_s\": 1}},"
	"  {\"suite\": \"seed\", \"status\": \"corrupt\", \"base_run_id\": 1, \"summary\": \"1 corrupt\","
	"   \"run\": {\"id\": 6, \"status\": \"done\", \"duration_s\": 8}}]}]}";

static const char *const statuses[] = { "ok", "failed", "eagain-changed", "regressed", "corrupt" };

/* The column @line's status starts at (after name and suite), or -1 when none is found. */
static int status_col(const char *line, int *after)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		size_t n = strlen(statuses[i]);
		const char *p = line;

		while ((p = strstr(p, statuses[i]))) {
			/* A whole word after a space, past the variant and suite columns. */
			if (p - line > 20 && p[-1] == ' ' && p[n] == ' ') {
				*after = (int)(strstr(p, " run ") - line);
				return (int)(p - line);
			}
			p += n;
		}
	}
	return -1;
}

int main(void)
{
	cJSON *report = cJSON_Parse(report_json);
	char *text = NULL, *copy, *line, *save = NULL;
	int rows = 0, col0 = -1, run0 = -1, col, run = -1;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CHECK(report && f, "setup");
	if (!report || !f)
		return check_exit();
	rl_nightly_print(f, report, "http://lab:7117", NULL);
	fclose(f);
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* A row: two spaces and the variant; its continuation lines have six. */
		if (strncmp(line, "  ", 2) || line[2] == ' ')
			continue;
		col = status_col(line, &run);
		CHECK(col > 0, "no status in '%s'", line);
		if (rows++ == 0) {
			col0 = col;
			run0 = run;
		}
		CHECK(col == col0, "status at %d, the first row's at %d: '%s'", col, col0, line);
		CHECK(run == run0, "'run' at %d, the first row's at %d: '%s'", run, run0, line);
	}
	CHECK(rows == 6, "%d rows, expected 6", rows);
	if (check_failures)
		fprintf(stderr, "%s", text);
	free(copy);
	free(text);
	cJSON_Delete(report);
	return check_exit();
}
