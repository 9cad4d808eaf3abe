/* SPDX-License-Identifier: MIT */
/* Suites: shipped suites load, variants expand with their overrides, resolve and catalog find everything and fail clearly, files are never read through a link out of their directory. */

#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/suite.h"
#include "engine/workload_path.h"
#include "util/path.h"
#include "../lib/check.h"
#include "../lib/each_file.h"

static char wdir[PATH_MAX / 2];	/* $top_srcdir/workloads */

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "we");
	if (!f) {
		CHECK(0, "cannot create %s", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static size_t count_files(const char *pattern)
{
	glob_t g;
	size_t n;

	if (glob(pattern, 0, NULL, &g))
		return 0;
	n = g.gl_pathc;
	globfree(&g);
	return n;
}

static void check_shipped_suite(const char *path)
{
	struct rl_suite s;
	struct rl_err e = { "" };
	int ret = rl_suite_load(path, wdir, &s, &e);

	CHECK(!ret && s.nworkloads > 0, "%s: %d '%s'", path, ret, e.msg);
	rl_suite_free(&s);
}

static const char *const nw_workloads[] = {
	"nw-overwrite-aligned", "nw-mixed-aligned", "nw-holes-aligned", "nw-extend-aligned",
	"nw-overwrite-unaligned", "nw-mixed-unaligned", "nw-holes-unaligned", "nw-extend-unaligned",
};

/* The base expectation of each nw workload (-1: none), and its kernel pattern. */
static double base_rate(const char *wl, const char **kernel)
{
	*kernel = "";
	if (strstr(wl, "extend"))
		return 1.0;
	*kernel = "6.18*";
	if (!strcmp(wl, "nw-mixed-aligned") || !strcmp(wl, "nw-mixed-unaligned"))
		return 1.0;
	if (!strcmp(wl, "nw-overwrite-aligned"))
		return 0.0;
	*kernel = "";
	return -1;
}

static void check_nw_cell(const struct rl_workload *w, const char *wl, int cache, int ts,
			  int policy)
{
	const char *kernel;
	double rate = base_rate(wl, &kernel);
	char name[RL_NAME_MAX];

	snprintf(name, sizeof(name), "%s@%s,%s,%s", wl, rl_cache_name(cache),
		 rl_timestamps_name(ts), rl_eagain_policy_name(policy));
	CHECK(!strcmp(w->name, name), "expected %s, got %s", name, w->name);
	CHECK((int)w->cache == cache && (int)w->timestamps == ts &&
	      (int)w->eagain_policy == policy, "%s: overrides not applied", name);
	CHECK(w->nowait && w->queue_depth == 32 && w->njobs == 1 && w->jobs[0] == 1 &&
	      w->size_per_job == 2000ull * rl_workload_stripe_bytes(w), "%s: base fields", name);
	CHECK(w->extend == (strstr(wl, "extend") != NULL), "%s: extend", name);
	if (cache != RL_CACHE_HOT || ts != RL_TS_FRESH) {
		rate = -1;
		kernel = "";
	}
	CHECK(w->expect.eagain_rate == rate && !strcmp(w->expect.kernel, kernel),
	      "%s: expect %g '%s', got %g '%s'", name, rate, kernel,
	      w->expect.eagain_rate, w->expect.kernel);
}

static void test_fingerprint(void)
{
	struct rl_suite s;
	struct rl_err e = { "" };
	char path[PATH_MAX];
	size_t i = 0, k;
	int ret, cache, ts, policy;

	snprintf(path, sizeof(path), "%s/suites/nowait-fingerprint.json", wdir);
	ret = rl_suite_load(path, wdir, &s, &e);
	CHECK(!ret && s.nworkloads == 64, "nowait-fingerprint: %d %zu '%s'", ret, s.nworkloads, e.msg);
	if (ret || s.nworkloads != 64)
		goto out;
	CHECK(s.scale == 1.0 && !strcmp(s.name, "nowait-fingerprint"), "suite fields");
	for (k = 0; k < 8; k++)
		for (cache = RL_CACHE_HOT; cache <= RL_CACHE_COLD; cache++)
			for (ts = RL_TS_FRESH; ts <= RL_TS_STALE; ts++)
				for (policy = RL_EAGAIN_COUNT; policy <= RL_EAGAIN_RETRY_BLOCKING; policy++)
					check_nw_cell(&s.workloads[i++], nw_workloads[k], cache, ts, policy);
out:
	rl_suite_free(&s);
}

static void test_seed(void)
{
	struct rl_suite s;
	struct rl_err e = { "" };
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/suites/seed.json", wdir);
	ret = rl_suite_load(path, wdir, &s, &e);
	CHECK(!ret && s.nworkloads == 2 && s.scale == 0.015625, "seed: %d '%s'", ret, e.msg);
	if (ret)
		return;
	CHECK(!strcmp(s.workloads[0].name, "aligned-mixed") &&
	      !strcmp(s.workloads[1].name, "unaligned-middle-unwritten"), "seed order");
	CHECK(s.workloads[0].njobs == 6 && s.workloads[0].jobs[5] == 32 &&
	      s.workloads[0].size_per_job == 1ull << 30 && s.workloads[0].io_size == 8192 &&
	      !strcmp(s.workloads[0].stripe, "WU") && s.workloads[0].queue_depth == 1,
	      "aligned-mixed fields");
	CHECK(s.workloads[1].io_size == 14336 && s.workloads[1].io_offset == 512 &&
	      !strcmp(s.workloads[1].stripe, "WUUW"), "unaligned-middle-unwritten fields");
	rl_suite_free(&s);
}

static void expect_suite_error(const char *dir, const char *file, const char *want1,
			       const char *want2)
{
	struct rl_suite s;
	struct rl_err e = { "" };
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/suites/%s", dir, file);
	ret = rl_suite_load(path, dir, &s, &e);
	CHECK(ret < 0 && strstr(e.msg, file) && strstr(e.msg, want1) &&
	      (!want2 || strstr(e.msg, want2)) && !s.workloads,
	      "%s: want '%s' '%s', got %d '%s'", file, want1, want2 ? want2 : "", ret, e.msg);
	rl_suite_free(&s);
}

static void test_bad_suites(const char *bad)
{
	char sub[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s/suites", bad);
	mkdir(sub, 0700);
	write_file(bad, "ok.json", "{\"name\": \"ok\", \"stripe\": \"WU\"}");
	write_file(bad, "x123456789x123456789x123456789x123456789x123456789x12345678.json",
		   "{\"name\": \"x123456789x123456789x123456789x123456789x123456789x12345678\"}");
	write_file(bad, "renamed.json", "{\"name\": \"ok\"}");
	write_file(bad, "suites/missing.json",
		   "{\"name\": \"missing\", \"workloads\": [\"ok\", \"no-such-workload\"]}");
	expect_suite_error(bad, "missing.json", "workload 'no-such-workload'",
			   "No such file or directory");
	write_file(bad, "suites/typo.json", "{\"name\": \"typo\", \"workloads\": [\"ok\"],"
		   "\"variants\": [{\"name\": \"v\", \"set\": {\"cach\": \"cold\"}}]}");
	expect_suite_error(bad, "typo.json", "unknown key 'cach'", "did you mean 'cache'");
	write_file(bad, "suites/unknown.json", "{\"name\": \"unknown\", \"workloads\": [\"ok\"], \"sets\": {}}");
	expect_suite_error(bad, "unknown.json", "unknown key 'sets'", "did you mean 'set'");
	write_file(bad, "suites/long.json", "{\"name\": \"long\", \"workloads\": "
		   "[\"x123456789x123456789x123456789x123456789x123456789x12345678\"],"
		   "\"variants\": [{\"name\": \"hot,fresh\", \"set\": {}}]}");
	expect_suite_error(bad, "long.json", "longer than 63 characters", NULL);
	write_file(bad, "suites/check.json",
		   "{\"name\": \"check\", \"workloads\": [\"ok\"], \"set\": {\"io_offset\": 100}}");
	expect_suite_error(bad, "check.json", "keys direct, io_offset", NULL);
	write_file(bad, "suites/vcheck.json", "{\"name\": \"vcheck\", \"workloads\": [\"ok\"],"
		   "\"variants\": [{\"name\": \"a\", \"set\": {}}, {\"name\": \"b\", \"set\": {\"op\": \"read\", \"extend\": true}}]}");
	expect_suite_error(bad, "vcheck.json", "ok@b", "keys extend, op");
	write_file(bad, "suites/rename.json",
		   "{\"name\": \"rename\", \"workloads\": [\"ok\"], \"set\": {\"name\": \"other\"}}");
	expect_suite_error(bad, "rename.json", "key name: cannot be overridden", NULL);
	write_file(bad, "suites/twice.json", "{\"name\": \"twice\", \"workloads\": [\"ok\", \"ok\"]}");
	expect_suite_error(bad, "twice.json", "'ok' appears twice", NULL);
	write_file(bad, "suites/mismatch.json", "{\"name\": \"mismatch\", \"workloads\": [\"renamed\"]}");
	expect_suite_error(bad, "mismatch.json", "name 'ok' does not match the file name", NULL);
	write_file(bad, "suites/path.json", "{\"name\": \"path\", \"workloads\": [\"../ok\"]}");
	expect_suite_error(bad, "path.json", "'../ok' is not a valid workload name", NULL);
	write_file(bad, "suites/empty.json", "{\"name\": \"empty\", \"workloads\": []}");
	expect_suite_error(bad, "empty.json", "key workloads: expected a non-empty array", NULL);
	write_file(bad, "suites/at.json", "{\"name\": \"at\", \"workloads\": [\"ok\"],"
		   "\"variants\": [{\"name\": \"a@b\"}]}");
	expect_suite_error(bad, "at.json", "variants[0]: key name: character '@'", NULL);
	write_file(bad, "suites/json.json", "{\"name\": \"json\",\n\"workloads\": [\"ok\",]}");
	expect_suite_error(bad, "json.json", "line 2, column", "malformed JSON");
}

static void test_resolve(const char *over)
{
	const char *dirs[] = { over, wdir, NULL };
	struct rl_suite s;
	struct rl_err e = { "" };
	char path[PATH_MAX];
	int ret;

	ret = rl_suite_resolve("seed", dirs, &s, &e);
	CHECK(!ret && !strcmp(s.name, "seed") && s.nworkloads == 2 && s.scale == 0.015625,
	      "resolve seed: %d '%s'", ret, e.msg);
	rl_suite_free(&s);
	ret = rl_suite_resolve("nw-holes-aligned", dirs, &s, &e);
	CHECK(!ret && !strcmp(s.name, "nw-holes-aligned") && s.nworkloads == 1 &&
	      s.scale == 1.0 && !strcmp(s.workloads[0].name, "nw-holes-aligned") &&
	      !strcmp(s.workloads[0].stripe, "WH"), "resolve workload: %d '%s'", ret, e.msg);
	rl_suite_free(&s);
	/* The first directory wins. */
	ret = rl_suite_resolve("aligned-mixed", dirs, &s, &e);
	CHECK(!ret && s.nworkloads == 1 && !strcmp(s.description, "from the override dir"),
	      "resolve override: %d '%s' '%s'", ret, e.msg, s.description);
	rl_suite_free(&s);
	snprintf(path, sizeof(path), "%s/suites/race.json", wdir);
	ret = rl_suite_resolve(path, dirs, &s, &e);
	CHECK(!ret && !strcmp(s.name, "race") && s.nworkloads == 1 &&
	      s.workloads[0].sharing == RL_SHARE_INTERLEAVE, "resolve suite path: %d '%s'", ret, e.msg);
	rl_suite_free(&s);
	snprintf(path, sizeof(path), "%s/unaligned-middle-unwritten.json", wdir);
	ret = rl_suite_resolve(path, dirs, &s, &e);
	CHECK(!ret && s.nworkloads == 1 && !strcmp(s.name, "unaligned-middle-unwritten"),
	      "resolve workload path: %d '%s'", ret, e.msg);
	rl_suite_free(&s);
	ret = rl_suite_resolve("zzz-nothing", dirs, &s, &e);
	CHECK(ret == -ENOENT && strstr(e.msg, "no workload or suite named 'zzz-nothing' in ") &&
	      strstr(e.msg, over) && strstr(e.msg, wdir) && !s.workloads,
	      "resolve unknown: %d '%s'", ret, e.msg);
	ret = rl_suite_resolve("/nonexistent/x.json", dirs, &s, &e);
	CHECK(ret == -ENOENT && strstr(e.msg, "/nonexistent/x.json: No such file"),
	      "resolve missing path: %d '%s'", ret, e.msg);
}

struct listing {
	size_t n, suites;
	char last[RL_NAME_MAX];
	bool sorted;
	char am_desc[RL_DESC_MAX];
	bool saw_seed_suite;
};

static void list_cb(void *ctx, const char *kind, const char *name, const char *description)
{
	struct listing *l = ctx;

	if (l->n && strcmp(l->last, name) >= 0)
		l->sorted = false;
	snprintf(l->last, sizeof(l->last), "%s", name);
	l->n++;
	if (!strcmp(kind, "suite"))
		l->suites++;
	else
		CHECK(!strcmp(kind, "workload"), "kind '%s'", kind);
	if (!strcmp(name, "aligned-mixed"))
		snprintf(l->am_desc, sizeof(l->am_desc), "%s", description);
	if (!strcmp(name, "seed") && !strcmp(kind, "suite") && *description)
		l->saw_seed_suite = true;
}

static void test_catalog(const char *over, const char *bad)
{
	const char *one[] = { wdir, NULL };
	const char *two[] = { over, wdir, "/nonexistent", NULL };
	const char *broken[] = { bad, NULL };
	struct listing l = { .sorted = true };
	struct rl_err e = { "" };
	char pattern[PATH_MAX];
	size_t nsuites, nworkloads;
	int ret;

	snprintf(pattern, sizeof(pattern), "%s/suites/*.json", wdir);
	nsuites = count_files(pattern);
	snprintf(pattern, sizeof(pattern), "%s/*.json", wdir);
	nworkloads = count_files(pattern);
	ret = rl_catalog_list(one, list_cb, &l, &e);
	CHECK(ret == (int)(nsuites + nworkloads) && l.n == nsuites + nworkloads &&
	      l.suites == nsuites && l.sorted && l.saw_seed_suite && *l.am_desc,
	      "catalog: ret %d n %zu suites %zu sorted %d '%s'", ret, l.n, l.suites, l.sorted, e.msg);
	memset(&l, 0, sizeof(l));
	l.sorted = true;
	ret = rl_catalog_list(two, list_cb, &l, &e);
	CHECK(ret == (int)(nsuites + nworkloads) && l.sorted &&
	      !strcmp(l.am_desc, "from the override dir"),
	      "catalog with override: ret %d desc '%s' '%s'", ret, l.am_desc, e.msg);
	memset(&l, 0, sizeof(l));
	ret = rl_catalog_list(broken, list_cb, &l, &e);
	CHECK(ret < 0 && l.n == 0 && strstr(e.msg, ".json"), "broken catalog: %d '%s'", ret, e.msg);
}

/* Links out of a directory are not followed, and only regular files are read. */
static void test_beneath(const char *dir)
{
	static const struct {
		const char *rel;
		int want;	/* 0: opens */
	} cases[] = {
		{ "a.json", 0 }, { "in.json", 0 }, { "sub/../a.json", -EXDEV }, { "out.json", -EXDEV },
		{ "up.json", -EXDEV }, { "../a.json", -EXDEV }, { "/etc/hostname", -EXDEV },
		{ "fifo.json", -EINVAL }, { "sub", -EINVAL }, { "none.json", -ENOENT },
	};
	char path[PATH_MAX];

	write_file(dir, "a.json", "{}");
	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/in.json", dir);
	CHECK(symlink("a.json", path) == 0, "symlink in.json");
	snprintf(path, sizeof(path), "%s/out.json", dir);
	CHECK(symlink("/etc/hostname", path) == 0, "symlink out.json");
	snprintf(path, sizeof(path), "%s/up.json", dir);
	CHECK(symlink("../x/a.json", path) == 0, "symlink up.json");
	snprintf(path, sizeof(path), "%s/fifo.json", dir);
	CHECK(mkfifo(path, 0600) == 0, "mkfifo");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = rl_path_open_beneath(dir, cases[i].rel);

		CHECK(cases[i].want ? fd == cases[i].want : fd >= 0, "open beneath %s: %d, expected %d",
		      cases[i].rel, fd, cases[i].want);
		if (fd >= 0)
			close(fd);
	}
}

struct bad_files {
	size_t n;
	bool quoted;		/* a message quoted the file's text */
};

static void bad_cb(void *ctx, const char *path, int ret, const struct rl_err *e)
{
	struct bad_files *b = ctx;

	b->n++;
	b->quoted |= strstr(e->msg, "SECRET") != NULL;
	CHECK(ret < 0 && strstr(e->msg, path) == e->msg, "bad file %s: %d '%s'", path, ret, e->msg);
}

static void count_cb(void *ctx, const char *kind, const char *name, const char *description)
{
	CHECK(strcmp(name, "shadowed"), "a name a bad file takes is listed from a later directory");
}

/* A bad file is skipped and reported, never quoted, and still takes its name. */
static void test_catalog_bad(const char *dir, const char *later)
{
	const char *dirs[] = { dir, later, NULL };
	struct bad_files b = { 0 };
	struct rl_err e = { "" };
	int ret;

	write_file(dir, "shadowed.json", "{\"name\": SECRET");
	write_file(later, "shadowed.json", "{\"name\": \"shadowed\"}");
	write_file(later, "fine.json", "{\"name\": \"fine\"}");
	ret = rl_catalog_list_all(dirs, count_cb, bad_cb, &b, &e);
	/* dir holds a.json (no name), in.json (a.json's text), out, up, fifo (links), shadowed */
	CHECK(ret == 1 && b.n == 5 && !b.quoted, "catalog with bad files: %d listed, %zu bad, quoted %d",
	      ret, b.n, b.quoted);
	ret = rl_catalog_list(dirs, count_cb, NULL, &e);
	CHECK(ret < 0, "without a bad-file callback a bad file fails the listing: %d", ret);
}

/* How many of @dirs are the directory @dir (by inode). */
static int count_dir(const char *const *dirs, const char *dir)
{
	struct stat a, b;
	int n = 0;

	if (stat(dir, &a) < 0)
		return -1;
	for (size_t i = 0; dirs[i]; i++)
		n += !stat(dirs[i], &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return n;
}

/*
 * A directory the search path reaches several ways (--workloads naming
 * the source tree's, $RINGLAB_WORKLOADS, the build tree's) is in it once:
 * the error for a name found nowhere listed it three times.
 */
static void test_path_once(void)
{
	struct rl_workload_path wp;
	struct rl_err err = { "" };
	char spelled[PATH_MAX];
	struct rl_suite s;
	const char *hit;
	int n = 0;

	snprintf(spelled, sizeof(spelled), "%s/", wdir);
	CHECK(count_dir(rl_workload_path_configured(&wp, spelled), wdir) == 1,
	      "configured path: %d entries are %s", count_dir(wp.dirs, wdir), wdir);
	setenv("RINGLAB_WORKLOADS", wdir, 1);
	CHECK(count_dir(rl_workload_path(&wp, spelled), wdir) == 1,
	      "search path: %d entries are %s", count_dir(wp.dirs, wdir), wdir);
	unsetenv("RINGLAB_WORKLOADS");
	CHECK(rl_suite_resolve("no-such-workload", rl_workload_path_configured(&wp, wdir), &s,
			       &err) == -ENOENT, "no-such-workload resolved");
	for (hit = err.msg; (hit = strstr(hit, "/workloads")); hit++)
		n++;
	CHECK(n == 1, "the error lists the directory %d times: %s", n, err.msg);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char over[] = "/tmp/test_suite.over.XXXXXX";
	char bad[] = "/tmp/test_suite.bad.XXXXXX";
	char links[] = "/tmp/test_suite.links.XXXXXX";
	char later[] = "/tmp/test_suite.later.XXXXXX";

	if (!top) {
		fprintf(stderr, "top_srcdir is not set\n");
		return 1;
	}
	snprintf(wdir, sizeof(wdir), "%s/workloads", top);
	if (!mkdtemp(over) || !mkdtemp(bad) || !mkdtemp(links) || !mkdtemp(later)) {
		perror("mkdtemp");
		return 1;
	}
	write_file(over, "aligned-mixed.json",
		   "{\"name\": \"aligned-mixed\", \"description\": \"from the override dir\"}");
	check_each_file(wdir, "suites/*.json", 3, "suites", check_shipped_suite);
	test_fingerprint();
	test_seed();
	test_bad_suites(bad);
	test_resolve(over);
	test_catalog(over, bad);
	test_beneath(links);
	test_catalog_bad(links, later);
	test_path_once();
	nftw(over, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	nftw(bad, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	nftw(links, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	nftw(later, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return check_exit();
}
