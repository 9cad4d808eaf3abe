/* SPDX-License-Identifier: MIT */
/*
 * ringlab nightly -c FILE: every kernel variant x suite, each run imported
 * into ringlabd, every variant compared with the base, the report stored in
 * ringlabd and printed, and an exit status for the timer that started it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "schema/fields.h"
#include "nightly/nightly.h"
#include "util/options.h"
#include "util/clock.h"

#define ARGV_MAX 96
#define LOG_LINE_MAX 240	/* of the runner's last line, quoted in an error */

enum { OPT_KEYS = 256 };

static const struct rl_opt nightly_opts[] = {
	{ "config", 'c', "FILE", "the nightly's configuration (JSON; see --keys)" },
	{ "keys", OPT_KEYS, NULL,
	  "print the configuration keys and those of a \"host\" variant manifest, as markdown" },
	RL_CLIENT_OPT_ROWS,
	{ NULL, 0, NULL, NULL },
};

struct nightly_args {
	const char *config;
	bool keys;
	struct rl_client_conn_args conn;
};

/* What every run of the night shares. */
struct night_ctx {
	struct rl_nightly_night n;
	const struct rl_nightly_cfg *cfg;
	struct rl_client_target t;
	char self[PATH_MAX];		/* this ringlab, for host variants */
	char work[PATH_MAX];		/* the night's files */
	bool work_is_temp;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct nightly_args *a = ctx;

	if (rl_client_conn_opt(&a->conn, key, arg))
		return 0;
	switch (key) {
	case 'c': a->config = arg; return 0;
	case OPT_KEYS: a->keys = true; return 0;
	}
	return -EINVAL;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "ringlab nightly: %s\n", msg);
	return RL_EXIT_USAGE;
}

static void print_keys(void)
{
	printf("Configuration (ringlab nightly -c FILE):\n\n");
	rl_nightly_config_markdown(stdout);
	printf("\nA \"host\" variant manifest (kernel_patches_dir/variants/NAME.json):\n\n");
	rl_nightly_host_markdown(stdout);
}

/* ---- the night's label and files -------------------------------------------- */

/* "PREFIX-YYYYMMDD-HHMM" in UTC. */
static void night_label(const struct rl_nightly_cfg *cfg, int64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000);
	char stamp[32] = "";
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M", &tm);
	snprintf(buf, len, "%s-%s", cfg->label_prefix, stamp);
}

static int make_work_dir(struct night_ctx *x, struct rl_err *err)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (!x->cfg->work_dir[0]) {
		snprintf(x->work, sizeof(x->work), "%s/ringlab-nightly.XXXXXX", tmp);
		if (!mkdtemp(x->work))
			return rl_err_set(err, -errno, "%s: %s", x->work, strerror(errno));
		x->work_is_temp = true;
		return 0;
	}
	if (mkdir(x->cfg->work_dir, 0755) < 0 && errno != EEXIST)
		return rl_err_set(err, -errno, "work_dir %s: %s", x->cfg->work_dir,
				  strerror(errno));
	if ((size_t)snprintf(x->work, sizeof(x->work), "%s/%s", x->cfg->work_dir, x->n.label) >=
	    sizeof(x->work))
		return rl_err_set(err, -ENAMETOOLONG, "work_dir %s: too long", x->cfg->work_dir);
	if (mkdir(x->work, 0755) < 0 && errno != EEXIST)
		return rl_err_set(err, -errno, "%s: %s", x->work, strerror(errno));
	return 0;
}

/* The temporary directory holds only the files this command wrote: no recursion needed. */
static void remove_work_dir(const struct night_ctx *x)
{
	DIR *d;
	struct dirent *e;

	if (!x->work_is_temp || !(d = opendir(x->work)))
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(x->work);
}

/*
 * "WORK/VARIANT.SUITE" with the suite's slashes and .json made file-name
 * safe. Returns 0, or -ENAMETOOLONG.
 */
static int run_base_path(const struct night_ctx *x, const struct rl_nightly_result *r, char *buf,
			  size_t len)
{
	char suite[RL_NAME_MAX], *p;
	size_t n;

	snprintf(suite, sizeof(suite), "%s", r->suite);
	n = strlen(suite);
	if (n > 5 && !strcmp(suite + n - 5, ".json"))
		suite[n - 5] = '\0';
	for (p = suite; *p; p++)
		if (*p == '/')
			*p = '_';
	return (size_t)snprintf(buf, len, "%s/%s.%s", x->work, r->v->name, suite) >= len ?
	       -ENAMETOOLONG : 0;
}

/* ---- running one variant x suite ---------------------------------------------- */

/* Split @s on white space into @argv from @n on. Returns the new count. */
static int split_args(char *s, const char **argv, int n)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(s, " \t\n", &save); tok && n < ARGV_MAX - 1;
	     tok = strtok_r(NULL, " \t\n", &save))
		argv[n++] = tok;
	return n;
}

struct run_paths {
	char out[PATH_MAX], log[PATH_MAX], console[PATH_MAX], vm_run[PATH_MAX];
	char timeout[16];
	char args[RL_NIGHTLY_ARGS_MAX];
};

static int build_argv(const struct night_ctx *x, const struct rl_nightly_result *r,
		      struct run_paths *p, const char **argv)
{
	const struct rl_nightly_cfg *cfg = x->cfg;
	int n = 0;

	snprintf(p->args, sizeof(p->args), "%s", cfg->ringlab_args);
	if (r->v->kind == RL_VARIANT_HOST) {
		const char *fixed[] = { x->self, "run", r->suite, "--dir", r->v->dir, "--json", p->out,
					"--label", x->n.label, "--kernel-tag", r->v->name, "-q" };

		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			argv[n++] = fixed[i];
		n = split_args(p->args, argv, n);
	} else {
		snprintf(p->vm_run, sizeof(p->vm_run), "%s/vm-run.sh", cfg->kernel_patches_dir);
		snprintf(p->timeout, sizeof(p->timeout), "%u", cfg->timeout_s);
		argv[n++] = p->vm_run;
		argv[n++] = r->v->manifest;
		argv[n++] = r->suite;
		argv[n++] = p->out;
		argv[n++] = "--timeout";
		argv[n++] = p->timeout;
		if (cfg->cache_dir[0]) {
			argv[n++] = "--cache";
			argv[n++] = cfg->cache_dir;
		}
		if (cfg->ringlab_args[0]) {
			argv[n++] = "--ringlab-args";
			argv[n++] = cfg->ringlab_args;
		}
	}
	argv[n] = NULL;
	return n;
}

/* The last non-empty line of the runner's log, to say why in one line. */
static void last_line(const char *log_tail, char *buf, size_t len)
{
	const char *end, *start;

	buf[0] = '\0';
	if (!log_tail)
		return;
	end = log_tail + strlen(log_tail);
	while (end > log_tail && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	while (start > log_tail && start[-1] != '\n')
		start--;
	snprintf(buf, len, "%.*s", (int)(end - start), start);
}

/* The first thing that went wrong with @r is the one its report names. */
static void __attribute__((format(printf, 2, 3)))
set_error(struct rl_nightly_result *r, const char *fmt, ...)
{
	va_list ap;

	r->failed = true;
	if (r->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

/* How the runner ended, into @r. */
static void judge_exit(struct rl_nightly_result *r, const struct rl_nightly_exec *e,
		       const char *prog)
{
	char line[LOG_LINE_MAX];

	last_line(r->log_tail, line, sizeof(line));
	if (e->interrupted) {
		set_error(r, "%s: stopped: ringlab nightly was interrupted", prog);
	} else if (e->timed_out) {
		set_error(r, "%s: killed after %u s", prog, e->timeout_s);
	} else if (e->exit_status) {
		set_error(r, "%s exited %d: %s", prog, e->exit_status, line[0] ? line : "(no output)");
	}
}

/* POST the run in @out to ringlabd; fills run_id, run_status, kernel_release. */
static void import_run(const struct night_ctx *x, struct rl_nightly_result *r, const char *out)
{
	struct rl_err err = { "" };
	cJSON *run = NULL, *body = NULL, *answer = NULL;
	bool host = r->v->kind == RL_VARIANT_HOST;
	const char *status, *release;
	const cJSON *env;
	double id;
	int ret;

	ret = rl_json_load_file(out, &run, &err);
	if (ret < 0) {
		set_error(r, "no run to import: %s", err.msg);
		return;
	}
	status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(run, "status"));
	snprintf(r->run_status, sizeof(r->run_status), "%s", status ? status : "");
	env = cJSON_GetObjectItemCaseSensitive(run, "env");
	release = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(env, "kernel_release"));
	snprintf(r->kernel_release, sizeof(r->kernel_release), "%s", release ? release : "");
	body = cJSON_CreateObject();
	if (!body || !cJSON_AddStringToObject(body, "label", x->n.label) ||
	    !cJSON_AddStringToObject(body, "kernel_tag", r->v->name) ||
	    !cJSON_AddStringToObject(body, "target", host ? "host" : "vm")) {
		cJSON_Delete(run);
		set_error(r, "import: out of memory");
		goto out;
	}
	cJSON_AddItemToObject(body, "run", run);
	ret = rl_client_post_json(&x->t, "/api/v1/runs/import", body, &answer, &err);
	id = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(answer, "id"));
	if (ret < 0)
		set_error(r, "import: %s", err.msg);
	else if (!(id >= 1))
		set_error(r, "import: ringlabd answered without a run id");
	else
		r->run_id = (int64_t)id;
out:
	cJSON_Delete(body);
	cJSON_Delete(answer);
}

static void run_one(struct night_ctx *x, struct rl_nightly_result *r)
{
	const char *argv[ARGV_MAX], *prog;
	struct rl_nightly_exec e = { .argv = argv };
	struct rl_err err = { "" };
	struct run_paths p;
	char base[PATH_MAX - 16];	/* room for the suffixes below */
	struct stat st;

	if (run_base_path(x, r, base, sizeof(base)) < 0) {
		set_error(r, "%s: the path of its files is too long", x->work);
		return;
	}
	snprintf(p.out, sizeof(p.out), "%s.json", base);
	snprintf(p.log, sizeof(p.log), "%s.log", base);
	snprintf(p.console, sizeof(p.console), "%s.console.log", base);
	unlink(p.out);		/* a file from an earlier night is not this night's run */
	unlink(p.console);
	build_argv(x, r, &p, argv);
	prog = r->v->kind == RL_VARIANT_HOST ? "ringlab run" : "vm-run.sh";
	e.log_path = p.log;
	e.timeout_s = x->cfg->timeout_s;
	if (r->v->kind == RL_VARIANT_VM)
		e.timeout_s += x->cfg->kernel_timeout_s;
	fprintf(stderr, "ringlab nightly: %s x %s: running (%s)\n", r->v->name, r->suite,
		r->v->kind_name);
	if (rl_nightly_run(&e, &err) < 0) {
		set_error(r, "%s", err.msg);
	} else {
		r->ran = true;
		r->exit_status = e.exit_status;
		r->duration_s = e.duration_s;
		r->log_tail = rl_nightly_tail(p.log, RL_NIGHTLY_TAIL_LINES);
		if (r->v->kind == RL_VARIANT_VM)
			r->console_tail = rl_nightly_tail(p.console, RL_NIGHTLY_TAIL_LINES);
		judge_exit(r, &e, prog);
	}
	/* A run that came back is imported whatever the exit: its cells are the evidence. */
	if (stat(p.out, &st) == 0)
		import_run(x, r, p.out);
	else
		set_error(r, "%s: no run JSON came back", prog);
	if (!r->failed && strcmp(r->run_status, "done"))
		set_error(r, "the run is %s", r->run_status);
	fprintf(stderr, "ringlab nightly: %s x %s: %s%s%s\n", r->v->name, r->suite,
		r->failed ? "FAILED: " : "ok", r->error, r->run_id > 0 ? "" : " (not imported)");
}

/* ---- the night ------------------------------------------------------------------ */

static int setup(struct night_ctx *x, const struct nightly_args *a, struct rl_err *err)
{
	struct rl_client_conn_args conn = a->conn;
	const struct rl_nightly_cfg *cfg = x->cfg;
	ssize_t len;
	int ret;

	if (!conn.url && cfg->url[0])
		conn.url = cfg->url;
	if (!conn.token && !conn.token_file && cfg->token_file[0])
		conn.token_file = cfg->token_file;
	ret = rl_client_target_from_args(&x->t, &conn, err);
	if (ret < 0)
		return ret;
	len = readlink("/proc/self/exe", x->self, sizeof(x->self) - 1);
	if (len < 0)
		return rl_err_set(err, -errno, "/proc/self/exe: %s", strerror(errno));
	x->self[len] = '\0';
	/* The guest's ringlab: as configured, else whatever vm-run.sh was told, else this one. */
	if (cfg->guest_ringlab[0])
		setenv("RINGLAB_STATIC", cfg->guest_ringlab, 1);
	else
		setenv("RINGLAB_STATIC", x->self, 0);
	return 0;
}

/* Before the first run: a night whose runs cannot be imported is not worth its hours. */
static int check_daemon(struct night_ctx *x, struct rl_err *err)
{
	cJSON *health = NULL;
	int ret;

	ret = rl_client_get_json(&x->t, "/api/v1/health", &health, err);
	cJSON_Delete(health);
	return ret < 0 ? rl_err_prefix(err, ret, "ringlabd is not answering") : 0;
}

static void free_results(struct night_ctx *x)
{
	size_t n = (size_t)x->cfg->nvariants * x->cfg->nsuites;

	for (size_t i = 0; x->n.results && i < n; i++) {
		free(x->n.results[i].console_tail);
		free(x->n.results[i].log_tail);
	}
	free(x->n.results);
}

static void run_all(struct night_ctx *x)
{
	const struct rl_nightly_cfg *cfg = x->cfg;
	struct rl_nightly_result *r;

	for (uint32_t vi = 0; vi < cfg->nvariants; vi++) {
		for (uint32_t si = 0; si < cfg->nsuites; si++) {
			r = rl_nightly_result_at(&x->n, vi, si);
			r->v = &cfg->v[vi];
			r->suite = cfg->suites[si];
			if (rl_nightly_interrupted())
				set_error(r, "not run: ringlab nightly was interrupted");
			else
				run_one(x, r);
		}
	}
	x->n.interrupted = rl_nightly_interrupted();
}

/* Keep the report beside the runs when the work directory stays. */
static void save_report(const struct night_ctx *x, const cJSON *report)
{
	char path[PATH_MAX], *text;
	FILE *f;

	if (x->work_is_temp || (size_t)snprintf(path, sizeof(path), "%s/report.json", x->work) >=
	    sizeof(path))
		return;
	text = cJSON_Print(report);
	f = text ? fopen(path, "we") : NULL;
	if (f) {
		fprintf(f, "%s\n", text);
		fclose(f);
	}
	cJSON_free(text);
}

/* Store the report in ringlabd and print it. Returns the exit status. */
static int finish(struct night_ctx *x)
{
	enum rl_nightly_status status;
	struct rl_err err = { "" };
	cJSON *report = NULL, *answer = NULL;
	char url[1024] = "";
	double id;
	int ret;

	x->n.finished_ns = rl_wall_ns();
	if (rl_nightly_report(&x->n, &x->t, &report, &status) < 0) {
		fprintf(stderr, "ringlab nightly: out of memory building the report\n");
		return RL_EXIT_FAIL;
	}
	save_report(x, report);
	ret = rl_client_post_json(&x->t, "/api/v1/nightly", report, &answer, &err);
	id = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(answer, "id"));
	if (!ret && id >= 1)
		snprintf(url, sizeof(url), "%s/#/nightly/%.0f", x->t.url, id);
	rl_nightly_print(stdout, report, x->t.url, url[0] ? url : NULL);
	fflush(stdout);
	if (ret < 0)
		fprintf(stderr, "ringlab nightly: storing the report: %s\n", err.msg);
	cJSON_Delete(report);
	cJSON_Delete(answer);
	return ret < 0 || status != RL_NIGHTLY_OK ? RL_EXIT_FAIL : RL_EXIT_OK;
}

static int night(const struct rl_nightly_cfg *cfg, const struct nightly_args *a)
{
	struct night_ctx *x;
	struct rl_err err = { "" };
	int ret;

	x = calloc(1, sizeof(*x));
	if (!x)
		return usage_error("out of memory");
	x->cfg = cfg;
	x->n.cfg = cfg;
	x->n.started_ns = rl_wall_ns();
	night_label(cfg, x->n.started_ns, x->n.label, sizeof(x->n.label));
	x->n.results = calloc((size_t)cfg->nvariants * cfg->nsuites, sizeof(*x->n.results));
	ret = x->n.results ? setup(x, a, &err) : rl_err_set(&err, -ENOMEM, "out of memory");
	if (ret < 0) {
		ret = usage_error(err.msg);
	} else if ((ret = check_daemon(x, &err)) < 0 || (ret = make_work_dir(x, &err)) < 0) {
		fprintf(stderr, "ringlab nightly: %s\n", err.msg);
		ret = RL_EXIT_FAIL;
	} else {
		snprintf(x->n.daemon_url, sizeof(x->n.daemon_url), "%s", x->t.url);
		fprintf(stderr, "ringlab nightly: %s: %u variants x %u suites, files in %s\n",
			x->n.label, cfg->nvariants, cfg->nsuites, x->work);
		rl_nightly_signals();
		run_all(x);
		ret = finish(x);
		remove_work_dir(x);
	}
	free_results(x);
	free(x);
	return ret;
}

int rl_cmd_nightly(int argc, char **argv)
{
	struct nightly_args a = { 0 };
	struct rl_nightly_cfg *cfg;
	struct rl_err err = { "" };
	int help, first, ret;

	first = rl_opts_parse(nightly_opts, argc, argv, on_opt, &a, &help, &err);
	if (first < 0)
		return usage_error(err.msg);
	if (help) {
		rl_opts_help(stdout, "ringlab nightly -c FILE [OPTIONS]",
			     "Run every suite on every kernel variant (a VM through\n"
			     "kernel-patches/vm-run.sh, or this machine's kernel for a \"host\"\n"
			     "variant), import each run into ringlabd labelled PREFIX-YYYYMMDD-HHMM\n"
			     "with the variant as kernel tag, compare each variant with the base,\n"
			     "store the night's report in ringlabd and print it. A variant whose run\n"
			     "fails is reported as failed and the night goes on. Exit status: 0\n"
			     "nothing regressed, corrupt or failed; 1 otherwise; 2 bad configuration.",
			     nightly_opts);
		return RL_EXIT_OK;
	}
	if (a.keys) {
		print_keys();
		return RL_EXIT_OK;
	}
	if (first != argc)
		return usage_error("takes no operands (see 'ringlab nightly --help')");
	if (!a.config)
		return usage_error("give the configuration with -c FILE (see 'ringlab nightly --keys')");
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return usage_error("out of memory");
	ret = rl_nightly_config_load(a.config, cfg, &err);
	ret = ret < 0 ? usage_error(err.msg) : night(cfg, &a);
	free(cfg);
	return ret;
}
