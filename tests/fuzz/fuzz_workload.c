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

static int read_workload(const cJSON *j, void *w, struct rl_err *err)
{
	return rl_workload_parse(j, w, err);
}

static cJSON *write_workload(const void *w)
{
	return rl_workload_to_json(w);
}

/* What a run stores of a workload must read back as the same workload. */
static const struct fuzz_codec workload_codec = { "a workload", read_workload, write_workload, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const dirs[] = { wl_dir, NULL };
	struct rl_err err = { "" };
	struct rl_workload back, again;
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
		fuzz_round_trip(&workload_codec, &s.workloads[i], &back, &again);
	}
	rl_suite_free(&s);
	return 0;
}
