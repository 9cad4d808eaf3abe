/* SPDX-License-Identifier: MIT */
/*
 * The night itself: its label and work directory, every variant x suite run
 * in turn (vm-run.sh for a VM variant, `ringlab run` for a host one), each
 * run that came back imported into ringlabd, then the report built, kept
 * beside the runs, stored in ringlabd and printed.
 */
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nightly.h"
#include "client/import.h"
#include "schema/fields.h"
#include "util/clock.h"
#include "util/json.h"

#define ARGV_MAX 96
#define LOG_LINE_MAX 240	/* of the runner's last line, quoted in an error */

/* What every run of the night shares. */
struct night_ctx {
	struct rl_nightly_night n;
	const struct rl_nightly_cfg *cfg;
	const struct rl_nightly_env *env;
	char work[PATH_MAX];		/* the night's files */
	bool work_is_temp;
};

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

/* The temporary directory holds only the files this night wrote: no recursion needed. */
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

struct run_paths {
	char out[PATH_MAX], log[PATH_MAX], console[PATH_MAX];
	char args[RL_NIGHTLY_ARGS_MAX];		/* ringlab_args, split in place */
};

/* Split @s on white space into @argv from @n on. Returns the new count. */
static int split_args(char *s, const char **argv, int n)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(s, " \t\n", &save); tok && n < ARGV_MAX - 1;
	     tok = strtok_r(NULL, " \t\n", &save))
		argv[n++] = tok;
	return n;
}

/* A host variant: this ringlab runs the suite on the variant's directory. */
static int run_host(const struct night_ctx *x, const struct rl_nightly_result *r,
		    struct run_paths *p, struct rl_nightly_exec *e, struct rl_err *err)
{
	const char *fixed[] = { x->env->self, "run", r->suite, "--dir", r->v->dir, "--json", p->out,
				"--label", x->n.label, "--kernel-tag", r->v->name, "-q" };
	const char *argv[ARGV_MAX];
	int n = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		argv[n++] = fixed[i];
	snprintf(p->args, sizeof(p->args), "%s", x->cfg->ringlab_args);
	n = split_args(p->args, argv, n);
	argv[n] = NULL;
	e->argv = argv;
	return rl_nightly_run(e, err);
}

/* A VM variant: vm-run.sh boots its kernel, which may first have to be fetched or built. */
static int run_vm(const struct night_ctx *x, struct rl_nightly_result *r,
		  const struct run_paths *p, struct rl_nightly_exec *e, struct rl_err *err)
{
	const struct rl_nightly_cfg *cfg = x->cfg;
	struct rl_vm_run vm = {
		.kernel_patches_dir = cfg->kernel_patches_dir, .variant = r->v->manifest,
		.suite = r->suite, .out = p->out, .timeout_s = cfg->timeout_s,
		.cache_dir = cfg->cache_dir, .ringlab_args = cfg->ringlab_args,
		.ringlab = cfg->guest_ringlab,
	};
	struct rl_vm_cmd cmd = { .tcg_thread = "" };
	int ret;

	e->timeout_s += cfg->kernel_timeout_s;
	ret = rl_vm_run(&vm, &cmd, e, err);
	/* Which one it got goes into the report: a traced suite runs single-threaded. */
	snprintf(r->tcg_thread, sizeof(r->tcg_thread), "%s", cmd.tcg_thread);
	return ret;
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

void rl_nightly_fail(struct rl_nightly_result *r, const char *fmt, ...)
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
		rl_nightly_fail(r, "%s: stopped: ringlab nightly was interrupted", prog);
	} else if (e->timed_out) {
		rl_nightly_fail(r, "%s: killed after %u s", prog, e->timeout_s);
	} else if (e->exit_status) {
		rl_nightly_fail(r, "%s exited %d: %s", prog, e->exit_status,
				line[0] ? line : "(no output)");
	}
}

/* Import the run in @out into ringlabd; fills run_id, run_status, kernel_release. */
static void import_run(const struct night_ctx *x, struct rl_nightly_result *r, const char *out)
{
	struct rl_client_import_tags tags = {
		.label = x->n.label, .kernel_tag = r->v->name,
		.target = r->v->kind == RL_VARIANT_HOST ? "host" : "vm",
	};
	struct rl_err err = { "" };
	cJSON *run = NULL;
	const cJSON *env;

	if (rl_json_load_file(out, &run, &err) < 0) {
		rl_nightly_fail(r, "no run to import: %s", err.msg);
		return;
	}
	env = cJSON_GetObjectItemCaseSensitive(run, "env");
	snprintf(r->run_status, sizeof(r->run_status), "%s", rl_json_str(run, "status", ""));
	snprintf(r->kernel_release, sizeof(r->kernel_release), "%s",
		 rl_json_str(env, "kernel_release", ""));
	/* Made here, in a guest or not: the lab host is this machine. */
	gethostname(r->host, sizeof(r->host) - 1);
	if (rl_client_import_run(x->env->t, run, &tags, &r->run_id, &err) < 0)
		rl_nightly_fail(r, "import: %s", err.msg);
}

static void run_one(struct night_ctx *x, struct rl_nightly_result *r)
{
	bool host = r->v->kind == RL_VARIANT_HOST;
	const char *prog = host ? "ringlab run" : "vm-run.sh";
	struct rl_err err = { "" };
	struct rl_nightly_exec e;
	struct run_paths p;
	char base[PATH_MAX - 16];	/* room for the suffixes below */
	struct stat st;
	int ret;

	if (run_base_path(x, r, base, sizeof(base)) < 0) {
		rl_nightly_fail(r, "%s: the path of its files is too long", x->work);
		return;
	}
	snprintf(p.out, sizeof(p.out), "%s.json", base);
	snprintf(p.log, sizeof(p.log), "%s.log", base);
	snprintf(p.console, sizeof(p.console), "%s.console.log", base);
	unlink(p.out);		/* a file from an earlier night is not this night's run */
	unlink(p.console);
	e = (struct rl_nightly_exec){ .log_path = p.log, .timeout_s = x->cfg->timeout_s };
	fprintf(x->env->progress, "ringlab nightly: %s x %s: running (%s)\n", r->v->name, r->suite,
		r->v->kind_name);
	ret = host ? run_host(x, r, &p, &e, &err) : run_vm(x, r, &p, &e, &err);
	if (ret < 0) {
		rl_nightly_fail(r, "%s", err.msg);
	} else {
		r->ran = true;
		r->exit_status = e.exit_status;
		r->duration_s = e.duration_s;
		r->log_tail = rl_nightly_tail(p.log, RL_NIGHTLY_TAIL_LINES);
		if (!host)
			r->console_tail = rl_nightly_tail(p.console, RL_NIGHTLY_TAIL_LINES);
		judge_exit(r, &e, prog);
	}
	/* A run that came back is imported whatever the exit: its cells are the evidence. */
	if (stat(p.out, &st) == 0)
		import_run(x, r, p.out);
	else
		rl_nightly_fail(r, "%s: no run JSON came back", prog);
	if (!r->failed && strcmp(r->run_status, "done"))
		rl_nightly_fail(r, "the run is %s", r->run_status);
	fprintf(x->env->progress, "ringlab nightly: %s x %s: %s%s%s\n", r->v->name, r->suite,
		r->failed ? "FAILED: " : "ok", r->error, r->run_id > 0 ? "" : " (not imported)");
}

/* ---- the night ------------------------------------------------------------------ */

/* Before the first run: a night whose runs cannot be imported is not worth its hours. */
static int check_daemon(const struct night_ctx *x, struct rl_err *err)
{
	cJSON *health = NULL;
	int ret;

	if (x->cfg->fleet)
		return rl_nightly_fleet_ready(x->env->t, err);
	ret = rl_client_get_json(x->env->t, "/api/v1/health", &health, err);
	cJSON_Delete(health);
	return ret < 0 ? rl_err_prefix(err, ret, "ringlabd is not answering") : 0;
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
				rl_nightly_fail(r, "not run: ringlab nightly was interrupted");
			else
				run_one(x, r);
		}
	}
	x->n.interrupted = rl_nightly_interrupted();
}

/* Keep the report beside the runs when the work directory stays. */
static void save_report(const struct night_ctx *x, cJSON *report)
{
	char path[PATH_MAX], *text;
	FILE *f;

	if (x->work_is_temp || (size_t)snprintf(path, sizeof(path), "%s/report.json", x->work) >=
	    sizeof(path))
		return;
	/* As the CLI writes JSON: a _ns timestamp as its digits, not 1.79e+18. */
	text = rl_json_print_integers(report);
	f = text ? fopen(path, "we") : NULL;
	if (f) {
		fprintf(f, "%s\n", text);
		fclose(f);
	}
	cJSON_free(text);
}

/* Build the report, keep it, store it in ringlabd and print it. Returns 0 or -errno. */
static int finish(struct night_ctx *x, enum rl_nightly_status *status, struct rl_err *err)
{
	const struct rl_client_target *t = x->env->t;
	cJSON *report = NULL, *answer = NULL;
	char url[1024] = "";
	double id;
	int ret;

	x->n.finished_ns = rl_wall_ns();
	if (rl_nightly_report(&x->n, t, &report, status) < 0)
		return rl_err_set(err, -ENOMEM, "out of memory building the report");
	save_report(x, report);
	ret = rl_client_post_json(t, "/api/v1/nightly", report, &answer, err);
	id = rl_json_num(answer, "id", 0);
	if (!ret && id >= 1)
		snprintf(url, sizeof(url), "%s/#/nightly/%.0f", t->url, id);
	rl_nightly_print(x->env->out, report, t->url, url[0] ? url : NULL);
	fflush(x->env->out);
	cJSON_Delete(report);
	cJSON_Delete(answer);
	return ret < 0 ? rl_err_prefix(err, ret, "storing the report") : 0;
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

int rl_nightly_night(const struct rl_nightly_cfg *cfg, const struct rl_nightly_env *env,
		     enum rl_nightly_status *status, struct rl_err *err)
{
	struct night_ctx *x;
	int ret;

	x = calloc(1, sizeof(*x));
	if (!x)
		return rl_err_set(err, -ENOMEM, "out of memory");
	x->cfg = cfg;
	x->env = env;
	x->n.cfg = cfg;
	x->n.started_ns = rl_wall_ns();
	night_label(cfg, x->n.started_ns, x->n.label, sizeof(x->n.label));
	snprintf(x->n.daemon_url, sizeof(x->n.daemon_url), "%s", env->t->url);
	x->n.results = calloc((size_t)cfg->nvariants * cfg->nsuites, sizeof(*x->n.results));
	ret = x->n.results ? check_daemon(x, err) : rl_err_set(err, -ENOMEM, "out of memory");
	if (!ret)
		ret = make_work_dir(x, err);
	if (!ret) {
		fprintf(env->progress, "ringlab nightly: %s: %u variants x %u suites, files in %s\n",
			x->n.label, cfg->nvariants, cfg->nsuites, x->work);
		rl_nightly_signals();
		if (cfg->fleet)
			ret = rl_nightly_fleet_all(&x->n, env, err);
		else
			run_all(x);
		if (!ret)
			ret = finish(x, status, err);
		remove_work_dir(x);
	}
	free_results(x);
	free(x);
	return ret;
}
