/* SPDX-License-Identifier: MIT */
/*
 * ringlabd's configuration: a JSON file whose every key is a row of the
 * table in daemon_config.c (name, type, bounds, default, help); unknown keys
 * are rejected. With no file, the defaults describe the embedded default
 * target.
 */
#ifndef RINGLAB_DAEMON_RINGLABD_DAEMON_CONFIG_H
#define RINGLAB_DAEMON_RINGLABD_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "schema/fields.h"
#include "store/store.h"
#include "util/err.h"
#include "util/path.h"

#define RL_TARGETS_MAX 16
#define RL_HOSTS_MAX 8

enum rl_target_kind {
	RL_TARGET_IMAGE,	/* an ext4 image file in the state directory, loop-mounted by the daemon */
	RL_TARGET_DIR,		/* a directory on a mounted ext4 filesystem */
	RL_TARGET_BLOCK,	/* a whole block device named by /dev/disk/by-id/... */
	RL_TARGET_KIND_MAX
};

struct rl_target_cfg {
	char name[64];
	enum rl_target_kind kind;
	char path[RL_PATH_MAX];		/* image: file (relative to state_dir if not absolute); dir; block: by-id path */
	uint64_t size;			/* image: bytes */
	bool format;			/* block: mkfs.ext4 it at start-up */
};

/* Where the runs are kept: the "store" object. */
struct rl_store_cfg {
	enum rl_store_kind kind;	/* default sqlite: state_dir/ringlab.db */
	char conninfo[1024];		/* postgresql: libpq's conninfo, never a password */
	char password_file[RL_PATH_MAX];	/* postgresql: the password's file; "": PGPASSWORD */
	uint32_t unreachable_max_s;	/* a run keeps its cells locally this long, then fails */
	uint64_t spool_max;		/* bytes of cells kept locally per target */
};

/* Runs submitted to the fleet (a PostgreSQL store): the "fleet" object. */
struct rl_fleet_cfg {
	uint32_t lease_s;		/* a daemon that stops renewing loses its run after this long */
};

#define RL_VM_KERNELS_MAX 16	/* RL_STORE_FLEET_KERNELS_MAX: what one claim can name */

/*
 * The QEMU guests this daemon boots for runs that ask for a kernel (the
 * "vm" object): each through `ringlab vm run` and kernel-patches/vm-run.sh.
 */
struct rl_vm_cfg {
	char kernels[RL_VM_KERNELS_MAX][64];	/* variant names it boots; none: it takes no guest runs */
	uint32_t nkernels;
	char kernel_patches_dir[RL_PATH_MAX];	/* vm-run.sh, variants/, families/ */
	char ringlab[RL_PATH_MAX];	/* the `ringlab` that runs `vm run`; "": beside ringlabd */
	char guest_ringlab[RL_PATH_MAX];	/* RINGLAB_STATIC for the guest; "": vm run's own */
	char cache_dir[RL_PATH_MAX];	/* vm-run.sh --cache; "": its default */
	uint32_t timeout_s;		/* the booted guest's limit (vm-run.sh --timeout) */
	uint32_t kernel_timeout_s;	/* on top: fetching or building the kernel */
};

struct rl_config {
	char listen[64];		/* address to bind, default 127.0.0.1 */
	uint32_t port;			/* default 7117 */
	char token[128];		/* bearer token for mutating requests; "" = none */
	char token_file[RL_PATH_MAX];	/* read the token from this file instead */
	char state_dir[RL_PATH_MAX];	/* default /var/lib/ringlab */
	char web_dir[RL_PATH_MAX];	/* dashboard files; default the installed one */
	char workloads_dir[RL_PATH_MAX];	/* default the installed one */
	char allowed_hosts[RL_HOSTS_MAX][128];	/* Host header values accepted besides loopback names */
	uint32_t nallowed_hosts;
	uint32_t max_connections;	/* default 64 */
	uint32_t per_ip_connections;	/* default 16 */
	uint32_t connection_timeout_s;	/* default 30 */
	uint32_t header_timeout_s;	/* default 10 */
	uint32_t body_timeout_s;	/* default 300: a body past max_body must be in by then */
	uint32_t memory_limit;		/* libmicrohttpd per-connection memory, default 128 KiB */
	uint32_t max_body;		/* request body cap, default 64 KiB */
	uint32_t watchdog_s;		/* fallback when WATCHDOG_USEC is unset; 0 = off */
	struct rl_target_cfg targets[RL_TARGETS_MAX];
	uint32_t ntargets;		/* 0: the embedded default image target */
	struct rl_store_cfg store;
	struct rl_fleet_cfg fleet;
	struct rl_vm_cfg vm;
};

void rl_config_defaults(struct rl_config *c);

/*
 * rl_config_load() - defaults, then the JSON file at @path. Returns 0, -errno
 * from reading, or -EINVAL with "FILE: key K: reason" in @err. Checks: target
 * names unique and [a-z0-9_-], block paths under /dev/disk/by-id/, a non-loopback
 * listen address needs a token.
 */
int rl_config_load(const char *path, struct rl_config *c, struct rl_err *err);

/* rl_config_markdown() - the config keys as a markdown table. */
void rl_config_markdown(FILE *out);

const char *rl_target_kind_name(enum rl_target_kind k);

/* The config keys as a field table. */
extern const struct rl_field rl_config_fields[];

/* rl_config_default_target() - the embedded default: image "default", default.img, 4 GiB sparse. */
void rl_config_default_target(struct rl_target_cfg *t);

/*
 * rl_config_check() - the checks across keys (also run by rl_config_load);
 * fills empty image paths. Returns 0 or -EINVAL with "key K: reason".
 */
int rl_config_check(struct rl_config *c, struct rl_err *err);

/* The shortest token a daemon listening beyond loopback accepts. */
#define RL_TOKEN_MIN 16

/*
 * rl_config_check_token() - whether @token (non-empty) may guard a daemon
 * listening on @listen: any length on loopback, else at least RL_TOKEN_MIN
 * characters. @from names where it came from ("key token", "token file
 * PATH"). Returns 0 or -EINVAL with "FROM: the token is N characters long;
 * ..." in @err.
 */
int rl_config_check_token(const char *listen, const char *token, const char *from,
			  struct rl_err *err);

/*
 * rl_config_key_reloadable() - whether SIGHUP applies key @key to a running
 * daemon (token, token_file, workloads_dir, allowed_hosts); the others wait
 * for a restart.
 */
bool rl_config_key_reloadable(const char *key);

/*
 * rl_config_diff() - the keys whose values differ between @a and @b, among
 * those rl_config_key_reloadable() names when @reloadable, else among the
 * others: comma-separated into @out ("" when none, cut short to fit @len).
 * Returns how many differ.
 */
int rl_config_diff(const struct rl_config *a, const struct rl_config *b, bool reloadable,
		   char *out, size_t len);

/* rl_config_copy_reloadable() - copy the keys SIGHUP reloads from @from into @to, nothing else. */
void rl_config_copy_reloadable(struct rl_config *to, const struct rl_config *from);

#endif
