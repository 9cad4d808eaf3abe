/* SPDX-License-Identifier: MIT */
/*
 * fuzz_workload: a workload or suite file read as `ringlab run FILE` reads
 * it (rl_suite_resolve() of a path: a suite when it has "workloads", its
 * workloads taken from the shipped ones, else one workload). A file that
 * loads must pass the workload checks and come back unchanged from JSON,
 * as a stored run's workloads do; one that does not must say why.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "engine/suite.h"
#include "fuzz.h"

static char wl_dir[FUZZ_PATH_MAX], input[FUZZ_PATH_MAX + 32];

/* A workload directory of links to the shipped workloads, the input in its suites/. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char shipped[PATH_MAX], from[PATH_MAX * 2], to[PATH_MAX * 2];
	struct dirent *e;
	DIR *dir;

	snprintf(wl_dir, sizeof(wl_dir), "%s/workloads", fuzz_scratch());
	snprintf(to, sizeof(to), "%s/suites", wl_dir);
	FUZZ_ASSERT(mkdir(wl_dir, 0700) == 0 && mkdir(to, 0700) == 0, "mkdir %s", to);
	snprintf(shipped, sizeof(shipped), "%s/workloads", fuzz_srcdir());
	dir = opendir(shipped);
	FUZZ_ASSERT(dir, "%s: %s", shipped, strerror(errno));
	while ((e = readdir(dir))) {
		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(from, sizeof(from), "%s/%s", shipped, e->d_name);
		snprintf(to, sizeof(to), "%s/%s", wl_dir, e->d_name);
		FUZZ_ASSERT(symlink(from, to) == 0, "symlink %s", to);
	}
	closedir(dir);
	snprintf(input, sizeof(input), "%s/suites/fuzz.json", wl_dir);
	return 0;
}

static char *workload_text(const struct rl_workload *w)
{
	return fuzz_json_text(rl_workload_to_json(w), "rl_workload_to_json");
}

/* What a run stores of a workload must read back as the same workload. */
static void check_round_trip(const struct rl_workload *w)
{
	struct rl_err err = { "" };
	struct rl_workload back;
	char *text = workload_text(w), *again;
	cJSON *j = cJSON_Parse(text);
	int ret;

	FUZZ_ASSERT(j, "unparsable JSON written: %s", text);
	ret = rl_workload_parse(j, &back, &err);
	cJSON_Delete(j);
	FUZZ_ASSERT(ret == 0, "'%s' written does not read back: %s\n%s", w->name, err.msg, text);
	again = workload_text(&back);
	FUZZ_ASSERT(!strcmp(text, again), "'%s' changed on the way back:\n%s\n%s", w->name, text,
		    again);
	cJSON_free(text);
	cJSON_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const dirs[] = { wl_dir, NULL };
	struct rl_err err = { "" };
	struct rl_suite s;
	int ret;

	fuzz_write_file(input, data, size);
	ret = rl_suite_resolve(input, dirs, &s, &err);
	if (ret < 0) {
		FUZZ_ASSERT(err.msg[0], "error %d without a message", ret);
		FUZZ_ASSERT(!s.workloads && !s.nworkloads, "a failed load left workloads");
		return 0;
	}
	FUZZ_ASSERT(ret == 0 && s.nworkloads, "loaded %d with %zu workloads", ret, s.nworkloads);
	for (size_t i = 0; i < s.nworkloads; i++) {
		ret = rl_workload_check(&s.workloads[i], &err);
		FUZZ_ASSERT(ret == 0, "'%s' loaded but fails its checks: %s", s.workloads[i].name,
			    err.msg);
		check_round_trip(&s.workloads[i]);
	}
	rl_suite_free(&s);
	return 0;
}
