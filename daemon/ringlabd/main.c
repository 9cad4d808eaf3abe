/* SPDX-License-Identifier: MIT */
/*
 * ringlabd: the resident daemon. Opens the store, the targets and the HTTP
 * listener, tells systemd it is ready, runs queued runs one per target, and
 * on SIGTERM aborts what runs, keeps its partial results and exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/options.h"
#include "daemon.h"
#include "http/server.h"
#include "log.h"
#include "start_extend.h"
#include "state_lock.h"
#include "util/clock.h"

#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

enum { OPT_STATE = 256, OPT_LISTEN, OPT_PORT, OPT_PORT_FILE, OPT_TOKEN_FILE, OPT_WORKLOADS,
       OPT_WEB, OPT_VERSION };

static const struct rl_opt daemon_opts[] = {
	{ "config", 'c', "FILE", "JSON configuration (see systemd/ringlabd.json.example)" },
	{ "state-dir", OPT_STATE, "DIR", "database and default target image (default /var/lib/ringlab)" },
	{ "listen", OPT_LISTEN, "ADDR", "address to listen on (default 127.0.0.1)" },
	{ "port", OPT_PORT, "N", "TCP port (default 7117; 0 picks a free one)" },
	{ "port-file", OPT_PORT_FILE, "FILE", "write the port listened on to FILE" },
	{ "token-file", OPT_TOKEN_FILE, "FILE", "bearer token for mutating requests" },
	{ "workloads", OPT_WORKLOADS, "DIR", "workloads and suites directory" },
	{ "web", OPT_WEB, "DIR", "dashboard files directory" },
	{ "version", OPT_VERSION, NULL, "print the version and exit" },
	{ NULL, 0, NULL, NULL },
};

struct args {
	const char *config, *port_file;
	struct rl_config overrides;
	bool state, listen, port, token_file, workloads, web, version;
};

static int on_opt(void *ctx, int key, const char *arg, struct rl_err *err)
{
	struct args *a = ctx;
	struct rl_config *o = &a->overrides;
	uint32_t port;

	switch (key) {
	case 'c': a->config = arg; return 0;
	case OPT_STATE: a->state = true; snprintf(o->state_dir, sizeof(o->state_dir), "%s", arg); return 0;
	case OPT_LISTEN: a->listen = true; snprintf(o->listen, sizeof(o->listen), "%s", arg); return 0;
	case OPT_PORT:
		if (rl_opt_u32("port", arg, 0, 65535, &port, err) < 0)
			return -EINVAL;
		a->port = true;
		o->port = port;
		return 0;
	case OPT_PORT_FILE: a->port_file = arg; return 0;
	case OPT_TOKEN_FILE:
		a->token_file = true;
		snprintf(o->token_file, sizeof(o->token_file), "%s", arg);
		return 0;
	case OPT_WORKLOADS:
		a->workloads = true;
		snprintf(o->workloads_dir, sizeof(o->workloads_dir), "%s", arg);
		return 0;
	case OPT_WEB: a->web = true; snprintf(o->web_dir, sizeof(o->web_dir), "%s", arg); return 0;
	case OPT_VERSION: a->version = true; return 0;
	}
	return -EINVAL;
}

static void apply_overrides(struct rl_config *c, const struct args *a)
{
	const struct rl_config *o = &a->overrides;

	if (a->state)
		memcpy(c->state_dir, o->state_dir, sizeof(c->state_dir));
	if (a->listen)
		memcpy(c->listen, o->listen, sizeof(c->listen));
	if (a->port)
		c->port = o->port;
	if (a->token_file)
		memcpy(c->token_file, o->token_file, sizeof(c->token_file));
	if (a->workloads)
		memcpy(c->workloads_dir, o->workloads_dir, sizeof(c->workloads_dir));
	if (a->web)
		memcpy(c->web_dir, o->web_dir, sizeof(c->web_dir));
}

/*
 * The token @c gives: its token key, or the first line of its token_file,
 * long enough for a daemon listening on @listen (the token key was checked
 * with the rest of the config). Returns 0 or -errno.
 */
static int read_token(const struct rl_config *c, const char *listen, char *token, size_t len,
		      struct rl_err *err)
{
	char from[sizeof(c->token_file) + 16];
	int ret;

	if (!c->token_file[0]) {
		snprintf(token, len, "%s", c->token);
		return 0;
	}
	ret = rl_read_token_file(c->token_file, "token", token, len, err);
	snprintf(from, sizeof(from), "token file %s", c->token_file);
	if (!ret)
		ret = rl_config_check_token(listen, token, from, err);
	if (ret)
		explicit_bzero(token, len);
	return ret;
}

/*
 * A token or password file other users can read is logged, at start-up and
 * at each SIGHUP, not refused: installs made before this check go on.
 */
static void warn_secret_files(const struct rl_config *c)
{
	const struct { const char *key, *path; } files[] = {
		{ "token_file", c->token_file }, { "store.password_file", c->store.password_file },
	};
	char why[128];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i].path[0] &&
		    rl_secret_file_exposed(files[i].path, geteuid(), why, sizeof(why)) == 1)
			rl_log(LOG_WARNING, "%s %s: %s; it holds a secret: chmod 0600, owned by root or this daemon's user",
			       files[i].key, files[i].path, why);
}

static int load_config(struct rl_daemon *d, const struct args *a, struct rl_err *err)
{
	int ret = 0;

	if (a->config) {
		ret = rl_config_load(a->config, &d->cfg, err);
		snprintf(d->config_path, sizeof(d->config_path), "%s", a->config);
	} else {
		rl_config_defaults(&d->cfg);
	}
	if (ret < 0)
		return ret;
	apply_overrides(&d->cfg, a);
	/* The command line may have made the listen address public: check again. */
	ret = rl_config_check(&d->cfg, err);
	if (ret < 0)
		return ret;
	ret = read_token(&d->cfg, d->cfg.listen, d->token, sizeof(d->token), err);
	if (!ret)
		warn_secret_files(&d->cfg);
	return ret;
}

/*
 * A configuration that names no target means the embedded default: at
 * start-up and when SIGHUP reads the file again, so that an unchanged file
 * is not taken for a change of targets.
 */
static void default_targets(struct rl_config *c)
{
	if (!c->ntargets) {
		rl_config_default_target(&c->targets[0]);
		c->ntargets = 1;
	}
}

static int open_targets(struct rl_daemon *d, struct rl_err *err)
{
	struct rl_config *c = &d->cfg;

	default_targets(c);
	for (uint32_t i = 0; i < c->ntargets; i++) {
		struct rl_daemon_target *dt = &d->targets[i];
		int ret;

		dt->t.cfg = c->targets[i];
		pthread_mutex_init(&dt->lock, NULL);
		dt->d = d;
		ret = rl_target_open(&dt->t, c->state_dir, err);
		if (ret < 0)
			return ret;
		d->ntargets++;
		/* The config compared spellings; only now are symlinks and mounts resolved. */
		for (uint32_t j = 0; j < i; j++) {
			ret = rl_target_check_distinct(&dt->t, &d->targets[j].t, err);
			if (ret < 0)
				return ret;
		}
		rl_log(LOG_INFO, "target %s: %s %s", dt->t.cfg.name, rl_target_kind_name(dt->t.cfg.kind),
		       dt->t.dir);
	}
	return 0;
}

/*
 * A database corrupt where start-up does not read (a page of cells) opens
 * and serves; /health says what quick_check found instead of "ok".
 */
static void check_store(struct rl_daemon *d)
{
	struct rl_err err = { "" };

	if (rl_store_quick_check(d->store, &err) < 0) {
		snprintf(d->store_check, sizeof(d->store_check), "%s", err.msg);
		rl_log(LOG_ERR, "store %s: %s", d->store_where, err.msg);
	}
}

/* The config's store as the store opens it; every thread's connection opens the same. */
static void store_conf(struct rl_daemon *d)
{
	const struct rl_store_cfg *c = &d->cfg.store;

	snprintf(d->db_path, sizeof(d->db_path), "%.1000s/ringlab.db", d->cfg.state_dir);
	d->store_conf = (struct rl_store_conf){
		.kind = c->kind, .path = d->db_path, .conninfo = c->conninfo,
		.password_file = c->password_file,
	};
	snprintf(d->store_where, sizeof(d->store_where), "%s %.1000s", rl_store_kind_name(c->kind),
		 c->kind == RL_STORE_SQLITE ? d->db_path : c->conninfo);
}

/*
 * The runs this daemon left running become aborted: on its own SQLite file
 * all of them; on a store other daemons share, only those on its targets
 * (the others may be running right now).
 */
static int recover_runs(struct rl_daemon *d, int *n, struct rl_err *err)
{
	const char *names[RL_TARGETS_MAX];
	struct rl_target_cfg def;
	uint32_t i;

	if (d->cfg.store.kind == RL_STORE_SQLITE)
		return rl_store_recover(d->store, n, err);
	for (i = 0; i < d->cfg.ntargets; i++)
		names[i] = d->cfg.targets[i].name;
	if (!i) {
		rl_config_default_target(&def);
		names[i++] = def.name;
	}
	return rl_store_recover_targets(d->store, rl_daemon_queue_host(d), names, i, n, err);
}

/* The cells the runners kept while the store was gone, written now. Returns 0 or -errno. */
static int recover_spools(struct rl_daemon *d, struct rl_err *err)
{
	char aside[RL_ERR_MSG_MAX];
	int n = 0, ends = 0, ret;

	ret = rl_spool_recover(d->cfg.state_dir, d->store, &n, &ends, aside, sizeof(aside), err);
	if (aside[0])
		rl_log(LOG_ERR, "%s", aside);
	if (ret < 0)
		return ret;
	if (n)
		rl_log(LOG_WARNING, "%d cell%s kept while the store could not be reached written now", n,
		       n == 1 ? "" : "s");
	if (ends)
		rl_log(LOG_WARNING, "%d run end%s kept behind them recorded now", ends,
		       ends == 1 ? "" : "s");
	return 0;
}

/* What opening the store migrated, and what the VACUUM after it gave back. */
static void log_migration(struct rl_daemon *d)
{
	struct rl_store_migrated m;

	rl_store_migration(d->store, &m);
	if (m.from == m.to || !m.from)
		return;
	rl_log(LOG_WARNING, "store: schema migrated from version %d to %d in %.1f s", m.from, m.to,
	       (double)m.migrate_ns / 1e9);
	if (m.vacuumed)
		rl_log(LOG_WARNING, "store: VACUUM after the migration: %lld bytes -> %lld bytes in %.1f s",
		       (long long)m.bytes_before, (long long)m.bytes_after, (double)m.vacuum_ns / 1e9);
}

/* The store opened (migrated if it is older) and what the last run left written into it. */
static int open_store_now(struct rl_daemon *d, struct rl_err *err)
{
	int n = 0, ended = 0, ret;

	store_conf(d);
	ret = rl_store_open_conf(&d->store_conf, &d->store, err);
	if (!ret) {
		rl_log(LOG_INFO, "store: %s", d->store_where);
		log_migration(d);
		check_store(d);
	}
	/* Cells kept while the store was gone first: a run's end takes no more cells. */
	if (!ret)
		ret = recover_spools(d, err);
	/* Ends the store could not take last time are real ends, not interruptions. */
	if (!ret)
		ret = rl_run_end_recover(d->cfg.state_dir, d->store, &ended, err);
	if (ret >= 0)
		ret = recover_runs(d, &n, err);
	if (ret < 0)
		return ret;
	if (ended)
		rl_log(LOG_WARNING, "%d run end%s the store could not take before recorded now",
		       ended, ended == 1 ? "" : "s");
	if (n)
		rl_log(LOG_WARNING, "%d interrupted run%s marked aborted", n, n == 1 ? "" : "s");
	return 0;
}

/* open_store_now(), with systemd's start-up timeout extended while a migration may run. */
static int open_store(struct rl_daemon *d, struct rl_err *err)
{
	struct rl_start_extend x;
	struct rl_err xerr = { "" };
	int ret;

	if (rl_start_extend_begin(&x, "opening the store (a schema migration can take minutes)",
				  &xerr) < 0)
		rl_log(LOG_WARNING, "%s: a long migration may outlast TimeoutStartSec", xerr.msg);
	ret = open_store_now(d, err);
	rl_start_extend_end(&x);
	return ret;
}

static void write_port_file(const char *path, uint16_t port)
{
	char tmp[RL_PATH_MAX + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f) {
		rl_log(LOG_ERR, "port file %s: %s", path, strerror(errno));
		return;
	}
	fprintf(f, "%u\n", port);
	fclose(f);
	rename(tmp, path);
}

/*
 * The configuration SIGHUP would switch to: the file again, the command
 * line's overrides on top, checked against the address the daemon still
 * listens on, and its token read. Returns 0 or -errno with @err set.
 */
static int reload_read(struct rl_daemon *d, const struct args *a, struct rl_config *c,
		       char *token, size_t len, struct rl_err *err)
{
	struct rl_config check;
	int ret = rl_config_load(d->config_path, c, err);

	if (ret < 0)
		return ret;
	apply_overrides(c, a);
	/* listen is not reloaded: the running one decides whether a token is required. */
	check = *c;
	memcpy(check.listen, d->cfg.listen, sizeof(check.listen));
	ret = rl_config_check(&check, err);
	if (ret < 0)
		return rl_err_prefix(err, ret, "%s", d->config_path);
	default_targets(c);
	return read_token(c, d->cfg.listen, token, len, err);
}

/*
 * SIGHUP: the keys that can change while running change, all at once; the
 * log says which of them changed and which changed keys wait for a restart.
 */
static void reload(struct rl_daemon *d, const struct args *a)
{
	char token[sizeof(d->token)], changed[256], restart[256];
	struct rl_err err = { "" };
	struct rl_config c;
	bool token_changed;

	if (!d->config_path[0]) {
		rl_log(LOG_INFO, "SIGHUP: running on defaults and the command line, nothing to reload");
		return;
	}
	if (reload_read(d, a, &c, token, sizeof(token), &err) < 0) {
		rl_log(LOG_ERR, "SIGHUP: %s; nothing reloaded, the running configuration stays", err.msg);
		return;
	}
	warn_secret_files(&c);
	/* Only the main thread writes these, so reading them here needs no lock. */
	token_changed = strcmp(token, d->token) != 0;
	rl_config_diff(&d->cfg, &c, true, changed, sizeof(changed));
	rl_config_diff(&d->cfg, &c, false, restart, sizeof(restart));
	rl_daemon_reload(d, &c, token);
	explicit_bzero(token, sizeof(token));
	/* One line, so that whoever reads the log sees the whole answer together. */
	rl_log(restart[0] ? LOG_WARNING : LOG_INFO,
	       "SIGHUP: reloaded token, token_file, workloads_dir and allowed_hosts from %s: %s, %s%s%s%s",
	       d->config_path, token_changed ? "the token changed" : "the token is unchanged",
	       changed[0] ? "changed: " : "no key changed", changed,
	       restart[0] ? "; not reloaded, kept until a restart: " : "", restart);
}

static void notify_status(struct rl_daemon *d)
{
	char status[256] = "idle";
	size_t n = 0;

	for (uint32_t i = 0; i < d->ntargets; i++) {
		struct rl_daemon_target *dt = &d->targets[i];

		pthread_mutex_lock(&dt->lock);
		if (dt->live.run_id)
			n += (size_t)snprintf(status + n, n < sizeof(status) ? sizeof(status) - n : 0,
					      "%s%s: run %lld %s %.0f%%", n ? "; " : "",
					      dt->t.cfg.name, (long long)dt->live.run_id, dt->live.workload,
					      dt->live.p.run_fraction * 100);
		pthread_mutex_unlock(&dt->lock);
	}
	sd_notifyf(0, "STATUS=%s", status);
}

/* The main thread's loop: signals, watchdog pings, status. Returns on SIGTERM/SIGINT. */
static void serve(struct rl_daemon *d, const struct args *a)
{
	uint64_t wd_usec = 0;
	struct timespec tick = { .tv_sec = 1 };
	sigset_t set;

	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec / 2 < 1000000) {
		tick.tv_sec = 0;
		tick.tv_nsec = (long)(wd_usec / 2 * 1000);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &tick);

		if (sig == SIGTERM || sig == SIGINT)
			return;
		if (sig == SIGHUP) {
			sd_notify(0, "RELOADING=1");
			reload(d, a);
			sd_notify(0, "READY=1");
		}
		if (wd_usec)
			sd_notify(0, "WATCHDOG=1");
		notify_status(d);
	}
}

static void shut_down(struct rl_daemon *d, struct rl_http *http)
{
	sd_notify(0, "STOPPING=1");
	rl_daemon_runner_stop(d);
	rl_http_stop(http);
	for (uint32_t i = 0; i < d->ntargets; i++)
		rl_target_close(&d->targets[i].t);
	rl_store_close(d->store);
}

static void init_daemon(struct rl_daemon *d)
{
	memset(d, 0, sizeof(*d));
	pthread_rwlock_init(&d->cfg_lock, NULL);
	pthread_mutex_init(&d->store_lock, NULL);
	pthread_mutex_init(&d->wake_lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	pthread_mutex_init(&d->progress_lock, NULL);
	pthread_cond_init(&d->progress_cond, NULL);
	for (uint32_t i = 0; i < RL_TARGETS_MAX; i++) {
		d->targets[i].end_fd = -1;
		d->targets[i].spool.fd = -1;
	}
	d->started_ns = rl_wall_ns();
}

/*
 * Directories the daemon only reads, missing: it still serves the API, but
 * the operator should hear why the dashboard is a 404 and no suite runs.
 */
static void warn_missing_dirs(const struct rl_config *c)
{
	if (access(c->web_dir, R_OK | X_OK) < 0)
		rl_log(LOG_WARNING, "web_dir %s: %s: the dashboard answers 404 (--web DIR or web_dir)",
		       c->web_dir, strerror(errno));
	if (access(c->workloads_dir, R_OK | X_OK) < 0)
		rl_log(LOG_WARNING,
		       "workloads_dir %s: %s: no suite or workload of it can run (--workloads DIR or workloads_dir)",
		       c->workloads_dir, strerror(errno));
}

int main(int argc, char **argv)
{
	static struct rl_daemon d;
	struct rl_http *http = NULL;
	struct rl_err err = { "" };
	struct args a = { 0 };
	sigset_t set;
	int help, ret, state_lock = -1;

	ret = rl_opts_parse(daemon_opts, argc, argv, on_opt, &a, &help, &err);
	if (ret < 0 || (ret < argc && !help)) {
		fprintf(stderr, "ringlabd: %s\n", ret < 0 ? err.msg : "takes no arguments");
		return 2;
	}
	if (help || a.version) {
		if (a.version)
			printf("ringlabd %s\n", PACKAGE_VERSION);
		else
			rl_opts_help(stdout, "ringlabd [-c FILE] [OPTIONS]",
				     "The ringlab daemon: runs, stores and serves io_uring DIO benchmarks.",
				     daemon_opts);
		return 0;
	}
	/* Every thread inherits the mask: only serve() takes these signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	init_daemon(&d);
	ret = load_config(&d, &a, &err);
	/* Before anything in the state directory is touched; held until exit. */
	if (ret >= 0)
		ret = state_lock = rl_state_lock(d.cfg.state_dir, &err);
	/* Before the store opens: recovering its runs needs the host name. */
	if (ret >= 0)
		rl_daemon_fleet_init(&d);
	if (ret >= 0)
		ret = open_store(&d, &err);
	if (ret >= 0)
		ret = open_targets(&d, &err);
	if (ret >= 0)
		ret = rl_http_start(&d, &http, &err);
	if (ret >= 0)
		ret = rl_daemon_runner_start(&d, &err);
	if (ret < 0) {
		rl_log(LOG_ERR, "%s", err.msg);
		sd_notifyf(0, "STATUS=failed: %s\nERRNO=%d", err.msg, -ret);
		shut_down(&d, http);
		return 1;
	}
	rl_log(LOG_INFO, "listening on %s:%u, state in %s", d.cfg.listen, rl_http_port(http),
	       d.cfg.state_dir);
	warn_missing_dirs(&d.cfg);
	if (a.port_file)
		write_port_file(a.port_file, rl_http_port(http));
	sd_notify(0, "READY=1\nSTATUS=idle");
	serve(&d, &a);
	rl_log(LOG_INFO, "stopping");
	shut_down(&d, http);
	close(state_lock);
	return 0;
}
