/* SPDX-License-Identifier: MIT */
/*
 * ringlabd's configuration: one field table (the walker in schema/fields.c
 * validates, documents and defaults it), then the checks that span keys:
 * unique target names, safe target paths, a token whenever the daemon
 * listens beyond loopback.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "daemon_config.h"
#include "schema/fields.h"
#include "util/path.h"

#ifndef RINGLAB_DATADIR
#define RINGLAB_DATADIR "/usr/local/share/ringlab"
#endif

#define BY_ID "/dev/disk/by-id/"
#define IMAGE_SUFFIX ".img"

static const char *const kind_names[] = { "image", "dir", "block", NULL };

_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == RL_TARGET_KIND_MAX + 1,
	       "target kind names");

#define TG(m) offsetof(struct rl_target_cfg, m)
#define CF(m) offsetof(struct rl_config, m)
#define TG_SIZE(m) sizeof(((struct rl_target_cfg *)0)->m)
#define CF_SIZE(m) sizeof(((struct rl_config *)0)->m)

static const struct rl_field target_fields[] = {
	{ .name = "name", .type = RL_FT_STRING, .offset = TG(name), .size = TG_SIZE(name),
	  .min = 1, .max = TG_SIZE(name) - 1, .charset = "a-z0-9_-", .flags = RL_FF_REQUIRED,
	  .help = "Target name, unique; runs name it and its mount point is state_dir/mnt/NAME." },
	{ .name = "kind", .type = RL_FT_ENUM, .offset = TG(kind), .names = kind_names,
	  .flags = RL_FF_REQUIRED,
	  .help = "image: an ext4 image file the daemon creates and loop-mounts; dir: a directory on a mounted ext4 filesystem; block: a whole disk, mounted by the daemon." },
	{ .name = "path", .type = RL_FT_STRING, .offset = TG(path), .size = TG_SIZE(path),
	  .min = 0, .max = TG_SIZE(path) - 1, .def = "\"\"",
	  .help = "image: the file, ending in .img, relative to state_dir unless absolute (default NAME.img); dir: an absolute path; block: /dev/disk/by-id/ID. No '..' components; never a system directory (/etc, /usr, /boot, /proc, /sys, /dev, ...), nor for a dir the state_dir." },
	{ .name = "size", .type = RL_FT_SIZE, .offset = TG(size), .min = 32 << 20,
	  .max = 16ull << 40, .def = "\"4G\"",
	  .help = "image: size of the sparse file when it is created (an existing image is reused as it is)." },
	{ .name = "format", .type = RL_FT_BOOL, .offset = TG(format), .def = "false",
	  .help = "block: run mkfs.ext4 on the device at every start-up, destroying its contents; when false it must already hold ext4." },
	{ 0 }
};

static const char *const store_kind_names[] = { "sqlite", "postgresql", NULL };

_Static_assert(sizeof(store_kind_names) / sizeof(store_kind_names[0]) == RL_STORE_KIND_MAX + 1,
	       "store kind names");

#define ST(m) offsetof(struct rl_store_cfg, m)
#define ST_SIZE(m) sizeof(((struct rl_store_cfg *)0)->m)

static const struct rl_field store_fields[] = {
	{ .name = "kind", .type = RL_FT_ENUM, .offset = ST(kind), .names = store_kind_names,
	  .def = "\"sqlite\"",
	  .help = "sqlite: one file, state_dir/ringlab.db (the default); postgresql: a PostgreSQL database that many ringlabd can share." },
	{ .name = "conninfo", .type = RL_FT_STRING, .offset = ST(conninfo), .size = ST_SIZE(conninfo),
	  .min = 0, .max = ST_SIZE(conninfo) - 1, .def = "\"\"",
	  .help = "postgresql: libpq's connection string, e.g. \"host=db.lab dbname=ringlab user=ringlab\" (or a postgresql:// URI). A password in it is refused: use password_file or PGPASSWORD." },
	{ .name = "password_file", .type = RL_FT_STRING, .offset = ST(password_file),
	  .size = ST_SIZE(password_file), .min = 0, .max = ST_SIZE(password_file) - 1, .def = "\"\"",
	  .help = "postgresql: absolute path of a file whose first line is the password; empty: libpq's own (PGPASSWORD, ~/.pgpass). One other users can read is warned about, as token_file is." },
	{ .name = "unreachable_max_s", .type = RL_FT_U32, .offset = ST(unreachable_max_s), .min = 1,
	  .max = 7 * 86400, .def = "600",
	  .help = "postgresql: seconds a run goes on while the server cannot be reached, its finished cells kept in state_dir/cells-spool-TARGET and written when the server is back; longer, and the run fails (its cells still kept)." },
	{ .name = "spool_max", .type = RL_FT_SIZE, .offset = ST(spool_max), .min = 64 << 10,
	  .max = 16ull << 30, .def = "\"64M\"",
	  .help = "postgresql: the most each target's cells spool may hold; a run whose next cell does not fit fails (its cells still kept)." },
	{ 0 }
};

#define FL(m) offsetof(struct rl_fleet_cfg, m)

static const struct rl_field fleet_fields[] = {
	{ .name = "lease_s", .type = RL_FT_U32, .offset = FL(lease_s), .min = 2, .max = 3600,
	  .def = "30",
	  .help = "Seconds a daemon holds a fleet run without renewing its lease (it renews every third of this); a daemon that dies holding one has it taken by another this long after." },
	{ 0 }
};

#define VM(m) offsetof(struct rl_vm_cfg, m)
#define VM_SIZE(m) sizeof(((struct rl_vm_cfg *)0)->m)
#define VM_PATH_ROW(key, member, def_text, help_text)                                      \
	{ .name = key, .type = RL_FT_STRING, .offset = VM(member), .size = VM_SIZE(member),  \
	  .min = 0, .max = VM_SIZE(member) - 1, .def = def_text, .help = help_text }

/* Up to a week: a kernel built from source on a slow machine, then a long suite. */
#define VM_SECONDS_ROW(key, member, lo, def_text, help_text)                                \
	{ .name = key, .type = RL_FT_U32, .offset = VM(member), .min = lo, .max = 7 * 86400,  \
	  .def = def_text, .help = help_text }

static const struct rl_field vm_fields[] = {
	{ .name = "kernels", .type = RL_FT_STRING_LIST, .offset = VM(kernels),
	  .size = RL_VM_KERNELS_MAX, .elem_size = VM_SIZE(kernels[0]),
	  .count_offset = VM(nkernels), .min = 1, .max = VM_SIZE(kernels[0]) - 1,
	  .charset = "A-Za-z0-9._:-", .def = "[]",
	  .help = "The kernel variants this machine boots in QEMU guests: names of kernel_patches_dir/variants/NAME.json or FAMILY:VERSION of kernel_patches_dir/families/FAMILY.json. A run asking for one of them (\"kernel\", e.g. from a fleet nightly) may be taken here; empty: none." },
	VM_PATH_ROW("kernel_patches_dir", kernel_patches_dir, "\"" RINGLAB_DATADIR "/kernel-patches\"",
		    "Absolute path of the directory with vm-run.sh, variants/ and families/."),
	VM_PATH_ROW("ringlab", ringlab, "\"\"",
		    "Absolute path of the ringlab whose `ringlab vm run` boots the guest; empty: the ringlab beside ringlabd."),
	VM_PATH_ROW("guest_ringlab", guest_ringlab, "\"\"",
		    "Absolute path of the ringlab put into the guest ($RINGLAB_STATIC of vm-run.sh); empty: the one `ringlab vm run` picks."),
	VM_PATH_ROW("cache_dir", cache_dir, "\"\"",
		    "Kernel cache (vm-run.sh --cache); empty: its default, $RINGLAB_VM_CACHE or ~/.cache/ringlab/kernels of ringlabd's user."),
	VM_SECONDS_ROW("timeout_s", timeout_s, 10, "1800",
		       "The booted guest's limit (vm-run.sh --timeout)."),
	VM_SECONDS_ROW("kernel_timeout_s", kernel_timeout_s, 0, "3600",
		       "Time on top of timeout_s to fetch or build the kernel and the initramfs; then the guest run is killed and fails."),
	{ 0 }
};

/* Exported (declared in daemon_config.h) for tests and tools that walk the table. */
const struct rl_field rl_config_fields[] = {
	{ .name = "listen", .type = RL_FT_STRING, .offset = CF(listen), .size = CF_SIZE(listen),
	  .min = 1, .max = CF_SIZE(listen) - 1, .def = "\"127.0.0.1\"",
	  .help = "Address to listen on: an IPv4 or IPv6 address, or localhost. Anything but loopback requires token or token_file." },
	{ .name = "port", .type = RL_FT_U32, .offset = CF(port), .min = 1, .max = 65535,
	  .def = "7117", .help = "TCP port to listen on." },
	{ .name = "token", .type = RL_FT_STRING, .offset = CF(token), .size = CF_SIZE(token),
	  .min = 0, .max = CF_SIZE(token) - 1, .charset = "!-~", .def = "\"\"",
	  .help = "Bearer token required by mutating requests (POST, DELETE); empty = none. At least 16 characters when listen is not loopback. Prefer token_file. SIGHUP reloads it." },
	{ .name = "token_file", .type = RL_FT_STRING, .offset = CF(token_file),
	  .size = CF_SIZE(token_file), .min = 0, .max = CF_SIZE(token_file) - 1, .def = "\"\"",
	  .help = "Absolute path of a file whose first line is the token (instead of token), at least 16 characters when listen is not loopback. SIGHUP reads it again. One its group or anyone can read, or another user than root and the daemon's owns, is warned about at start-up and SIGHUP." },
	{ .name = "state_dir", .type = RL_FT_STRING, .offset = CF(state_dir),
	  .size = CF_SIZE(state_dir), .min = 1, .max = CF_SIZE(state_dir) - 1,
	  .def = "\"/var/lib/ringlab\"",
	  .help = "Absolute path: the database, image targets and their mount points (mnt/NAME)." },
	{ .name = "web_dir", .type = RL_FT_STRING, .offset = CF(web_dir), .size = CF_SIZE(web_dir),
	  .min = 1, .max = CF_SIZE(web_dir) - 1, .def = "\"" RINGLAB_DATADIR "/web\"",
	  .help = "Absolute path of the dashboard's static files." },
	{ .name = "workloads_dir", .type = RL_FT_STRING, .offset = CF(workloads_dir),
	  .size = CF_SIZE(workloads_dir), .min = 1, .max = CF_SIZE(workloads_dir) - 1,
	  .def = "\"" RINGLAB_DATADIR "/workloads\"",
	  .help = "Absolute path of the workload and suite definitions, the only directory an installed daemon searches. SIGHUP reloads it." },
	{ .name = "allowed_hosts", .type = RL_FT_STRING_LIST, .offset = CF(allowed_hosts),
	  .size = RL_HOSTS_MAX, .elem_size = CF_SIZE(allowed_hosts[0]),
	  .count_offset = CF(nallowed_hosts), .min = 1, .max = CF_SIZE(allowed_hosts[0]) - 1,
	  .charset = "a-zA-Z0-9.:[]_-", .def = "[]",
	  .help = "Host header values accepted besides loopback names (DNS-rebinding defence), e.g. \"lab1.example.org:7117\". SIGHUP reloads it." },
	{ .name = "max_connections", .type = RL_FT_U32, .offset = CF(max_connections),
	  .min = 1, .max = 10000, .def = "64", .help = "Concurrent HTTP connections." },
	{ .name = "per_ip_connections", .type = RL_FT_U32, .offset = CF(per_ip_connections),
	  .min = 1, .max = 10000, .def = "16",
	  .help = "Concurrent HTTP connections from one address; at most max_connections. Addresses other than loopback together get max_connections minus a reserve of up to 8." },
	{ .name = "connection_timeout_s", .type = RL_FT_U32, .offset = CF(connection_timeout_s),
	  .min = 1, .max = 3600, .def = "30", .help = "Idle HTTP connections are closed after this many seconds." },
	{ .name = "header_timeout_s", .type = RL_FT_U32, .offset = CF(header_timeout_s),
	  .min = 1, .max = 3600, .def = "10",
	  .help = "A connection that has not sent its request headers this many seconds after it opened (or after its previous answer) is closed, however slowly it keeps sending." },
	{ .name = "body_timeout_s", .type = RL_FT_U32, .offset = CF(body_timeout_s),
	  .min = 1, .max = 3600, .def = "300",
	  .help = "A request body over max_body (an import, a nightly report; they go one at a time) that has not all arrived this many seconds after its turn began is cut off with its connection, and the next one may go." },
	{ .name = "memory_limit", .type = RL_FT_U32, .offset = CF(memory_limit),
	  .min = 16384, .max = 16 << 20, .def = "131072",
	  .help = "Memory for each HTTP connection's buffers, in bytes." },
	{ .name = "max_body", .type = RL_FT_U32, .offset = CF(max_body), .min = 1024,
	  .max = 16 << 20, .def = "65536",
	  .help = "Largest request body accepted, in bytes; larger is answered 413." },
	{ .name = "watchdog_s", .type = RL_FT_U32, .offset = CF(watchdog_s), .min = 0,
	  .max = 3600, .def = "0",
	  .help = "Watchdog ping interval when systemd does not set WATCHDOG_USEC; 0 = off." },
	{ .name = "targets", .type = RL_FT_OBJECT_LIST, .offset = CF(targets),
	  .size = RL_TARGETS_MAX, .elem_size = sizeof(struct rl_target_cfg),
	  .count_offset = CF(ntargets), .sub = target_fields, .def = "[]",
	  .help = "Where runs write. Empty: one image target named default (state_dir/default.img, 4G, sparse)." },
	{ .name = "store", .type = RL_FT_OBJECT, .offset = CF(store), .sub = store_fields,
	  .size = CF_SIZE(store), .def = "{}",
	  .help = "Where runs are kept: {\"kind\": \"sqlite\"} (the default) or {\"kind\": \"postgresql\", \"conninfo\": ..., \"password_file\": ..., \"unreachable_max_s\": 600, \"spool_max\": \"64M\"}; an SQLite store given any of those four keys other than at its default is refused. Read at start-up only." },
	{ .name = "fleet", .type = RL_FT_OBJECT, .offset = CF(fleet), .sub = fleet_fields,
	  .size = CF_SIZE(fleet), .def = "{}",
	  .help = "Runs submitted with \"host\" (postgresql store only: on an SQLite store a lease_s other than its default is refused): {\"lease_s\": 30}. Read at start-up only." },
	{ .name = "vm", .type = RL_FT_OBJECT, .offset = CF(vm), .sub = vm_fields,
	  .size = CF_SIZE(vm), .def = "{}",
	  .help = "Runs that ask for a kernel, booted here in QEMU guests: {\"kernels\": [\"base\", \"series-merged\"], \"kernel_patches_dir\": ...}. Read at start-up only." },
	{ 0 }
};

const char *rl_target_kind_name(enum rl_target_kind k)
{
	return k < RL_TARGET_KIND_MAX ? kind_names[k] : "?";
}

void rl_config_defaults(struct rl_config *c)
{
	/* Zeroed first so padding is too: the daemon compares configs with memcmp. */
	memset(c, 0, sizeof(*c));
	/* The defaults are constants that tests check, so this cannot fail. */
	rl_fields_defaults(rl_config_fields, c, NULL);
}

void rl_config_default_target(struct rl_target_cfg *t)
{
	memset(t, 0, sizeof(*t));
	rl_fields_defaults(target_fields, t, NULL);
	strcpy(t->name, "default");
	t->kind = RL_TARGET_IMAGE;
	strcpy(t->path, "default" IMAGE_SUFFIX);
}

void rl_config_markdown(FILE *out)
{
	rl_fields_markdown(rl_config_fields, out);
}

static int check_abs_path(const char *key, const char *path, struct rl_err *err)
{
	if (path[0] != '/')
		return rl_err_set(err, -EINVAL, "key %s: '%.200s' must be an absolute path",
				  key, path);
	if (rl_path_has_dotdot(path))
		return rl_err_set(err, -EINVAL, "key %s: '%.200s' must not contain '..'",
				  key, path);
	return 0;
}

/* 127.0.0.0/8, ::1 and localhost: the addresses no other machine can reach. */
static bool is_loopback(const char *listen)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!strcmp(listen, "localhost"))
		return true;
	if (inet_pton(AF_INET, listen, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, listen, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

static int check_listen(const struct rl_config *c, struct rl_err *err)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (strcmp(c->listen, "localhost") && inet_pton(AF_INET, c->listen, &a4) != 1 &&
	    inet_pton(AF_INET6, c->listen, &a6) != 1)
		return rl_err_set(err, -EINVAL,
				  "key listen: '%s' is not an IPv4 or IPv6 address or localhost",
				  c->listen);
	if (c->token[0] && c->token_file[0])
		return rl_err_set(err, -EINVAL,
				  "key token_file: set either token or token_file, not both");
	if (c->token_file[0] && check_abs_path("token_file", c->token_file, err))
		return -EINVAL;
	if (!is_loopback(c->listen) && !c->token[0] && !c->token_file[0])
		return rl_err_set(err, -EINVAL,
				  "key listen: %s is not a loopback address, so token or token_file is required",
				  c->listen);
	return c->token[0] ? rl_config_check_token(c->listen, c->token, "key token", err) : 0;
}

int rl_config_check_token(const char *listen, const char *token, const char *from,
			  struct rl_err *err)
{
	size_t len = strlen(token);

	/* Anyone who can reach the port may guess: a short token falls to a few requests. */
	if (is_loopback(listen) || len >= RL_TOKEN_MIN)
		return 0;
	return rl_err_set(err, -EINVAL,
			  "%s: the token is %zu character%s long; listening on %s (not loopback) needs at least %d",
			  from, len, len == 1 ? "" : "s", listen, RL_TOKEN_MIN);
}

/* Whether normalised image path @path lies in state_dir/mnt, where targets are mounted. */
static bool in_mount_dir(const char *path, const char *state_dir)
{
	char mnt[RL_PATH_MAX + 8], norm[sizeof(mnt)];

	if (path[0] != '/')
		return !strcmp(path, "mnt") || !strncmp(path, "mnt/", 4);
	snprintf(mnt, sizeof(mnt), "%s/mnt", state_dir);
	/* Never longer than what it spells. */
	rl_path_normalize(mnt, norm, sizeof(norm));
	return rl_path_within(path, norm);
}

static int check_image(struct rl_target_cfg *t, const char *state_dir, const char *key,
		       struct rl_err *err)
{
	char norm[sizeof(t->path)];
	size_t len;

	if (!t->path[0]) {
		/* Built aside: t->name and t->path share the struct. */
		char def[sizeof(t->name) + sizeof(IMAGE_SUFFIX)];

		snprintf(def, sizeof(def), "%s" IMAGE_SUFFIX, t->name);
		memcpy(t->path, def, strlen(def) + 1);
	}
	/* One spelling, so "./mnt/x.img" is seen for what it is. */
	rl_path_normalize(t->path, norm, sizeof(norm));
	memcpy(t->path, norm, strlen(norm) + 1);
	len = strlen(t->path);
	if (rl_path_has_dotdot(t->path))
		return rl_err_set(err, -EINVAL, "key %s: '%.200s' must not contain '..'",
				  key, t->path);
	/* A fixed suffix keeps a typo from naming some other file to loop-mount. */
	if (len <= strlen(IMAGE_SUFFIX) || strcmp(t->path + len - strlen(IMAGE_SUFFIX), IMAGE_SUFFIX) ||
	    t->path[len - strlen(IMAGE_SUFFIX) - 1] == '/')
		return rl_err_set(err, -EINVAL, "key %s: '%.200s' must name a file ending in "
				  IMAGE_SUFFIX, key, t->path);
	if (in_mount_dir(t->path, state_dir))
		return rl_err_set(err, -EINVAL,
				  "key %s: '%.200s' is inside state_dir/mnt, where targets are mounted",
				  key, t->path);
	return 0;
}

static int check_block(const struct rl_target_cfg *t, const char *key, struct rl_err *err)
{
	const char *id = t->path + strlen(BY_ID);

	if (strncmp(t->path, BY_ID, strlen(BY_ID)))
		return rl_err_set(err, -EINVAL,
				  "key %s: '%.200s' must be a stable name under " BY_ID,
				  key, t->path);
	/* by-id entries are flat: anything with a '/' is somewhere else. */
	if (!*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, ".."))
		return rl_err_set(err, -EINVAL,
				  "key %s: '%.200s' must be one entry of " BY_ID " (no '/' or '..')",
				  key, t->path);
	return 0;
}

static int check_target(struct rl_target_cfg *t, const char *state_dir, uint32_t i,
			struct rl_err *err)
{
	char key[64];

	snprintf(key, sizeof(key), "targets[%u].path", i);
	if (t->kind != RL_TARGET_IMAGE && !t->path[0])
		return rl_err_set(err, -EINVAL, "key %s: required for a %s target",
				  key, rl_target_kind_name(t->kind));
	if (t->format && t->kind != RL_TARGET_BLOCK)
		return rl_err_set(err, -EINVAL,
				  "key targets[%u].format: only block targets are formatted (an image is formatted when created)",
				  i);
	switch (t->kind) {
	case RL_TARGET_IMAGE:
		return check_image(t, state_dir, key, err);
	case RL_TARGET_DIR:
		return check_abs_path(key, t->path, err);
	case RL_TARGET_BLOCK:
		return check_block(t, key, err);
	case RL_TARGET_KIND_MAX:
		break;
	}
	return rl_err_set(err, -EINVAL, "key targets[%u].kind: unknown", i);
}

/* What check_unique() compares of a target, each spelled one way. */
struct target_place {
	char path[2 * RL_PATH_MAX];	/* the dir, the image file (under state_dir), the by-id name */
	char writes[2 * RL_PATH_MAX];	/* where runs write: the dir, or state_dir/mnt/NAME */
};

static void target_place(const struct rl_config *c, const struct rl_target_cfg *t,
			 struct target_place *pl)
{
	char joined[2 * RL_PATH_MAX + 8];

	if (t->kind == RL_TARGET_IMAGE && t->path[0] != '/')
		snprintf(joined, sizeof(joined), "%s/%s", c->state_dir, t->path);
	else
		snprintf(joined, sizeof(joined), "%s", t->path);
	/* Both fit: every part is shorter than RL_PATH_MAX. */
	rl_path_normalize(joined, pl->path, sizeof(pl->path));
	if (t->kind == RL_TARGET_DIR) {
		memcpy(pl->writes, pl->path, sizeof(pl->writes));
		return;
	}
	snprintf(joined, sizeof(joined), "%s/mnt/%s", c->state_dir, t->name);
	rl_path_normalize(joined, pl->writes, sizeof(pl->writes));
}

/*
 * Two targets writing to the same place would corrupt each other's runs
 * (and report it as data corruption): the same path however spelled
 * ("/x//y/", "/x/y"), across kinds, or one directory runs write into
 * inside the other's, a dir target in an image's mount point included.
 * Symlinks and bind mounts are caught when the targets are opened
 * (rl_target_check_distinct()).
 */
static int check_unique(const struct rl_config *c, uint32_t i, struct rl_err *err)
{
	const struct rl_target_cfg *t = &c->targets[i];
	struct target_place a, b;
	uint32_t j;

	target_place(c, t, &a);
	for (j = 0; j < i; j++) {
		const struct rl_target_cfg *o = &c->targets[j];

		if (!strcmp(o->name, t->name))
			return rl_err_set(err, -EINVAL,
					  "key targets[%u].name: '%s' is already the name of targets[%u]",
					  i, t->name, j);
		target_place(c, o, &b);
		if (!strcmp(a.path, b.path))
			return rl_err_set(err, -EINVAL,
					  "key targets[%u].path: '%.200s' is already the path of targets[%u] ('%.200s')",
					  i, t->path, j, o->path);
		if (rl_path_within(a.writes, b.writes) || rl_path_within(b.writes, a.writes))
			return rl_err_set(err, -EINVAL,
					  "key targets[%u].path: runs would write in %.200s, %s %.200s where targets[%u] writes",
					  i, a.writes,
					  rl_path_within(a.writes, b.writes) ? "inside" : "around", b.writes, j);
	}
	return 0;
}

/*
 * rl_config_check() - the checks that span keys; fills an empty image path
 * with NAME.img. Returns 0 or -EINVAL with "key K: reason" in @err. The
 * daemon runs it again after applying command-line overrides.
 */
/* Whether @conninfo sets password= (key=value or a URI's query); a URI's user:password@ is left to the store. */
static bool sets_password(const char *conninfo)
{
	const char *p = conninfo;

	while ((p = strstr(p, "password"))) {
		p += strlen("password");
		p += strspn(p, " \t");
		if (*p == '=')
			return true;
	}
	return false;
}

/*
 * The keys only a postgresql store reads, set to anything but their
 * defaults on an SQLite store, would be ignored without a word (a
 * spool_max that bounds nothing): refuse them. A default is let through,
 * as it changes nothing: a configuration written out whole loads back.
 */
static int check_sqlite_store(const struct rl_store_cfg *s, struct rl_err *err)
{
	struct rl_store_cfg def;

	memset(&def, 0, sizeof(def));
	rl_fields_defaults(store_fields, &def, NULL);
	const struct { const char *key; bool set; } pg_only[] = {
		{ "conninfo", s->conninfo[0] != '\0' },
		{ "password_file", s->password_file[0] != '\0' },
		{ "unreachable_max_s", s->unreachable_max_s != def.unreachable_max_s },
		{ "spool_max", s->spool_max != def.spool_max },
	};

	for (size_t i = 0; i < sizeof(pg_only) / sizeof(pg_only[0]); i++)
		if (pg_only[i].set)
			return rl_err_set(err, -EINVAL,
					  "key store.%s: only for kind postgresql (kind is sqlite)",
					  pg_only[i].key);
	return 0;
}

/*
 * A fleet lives in a shared PostgreSQL store; on SQLite a fleet key set to
 * anything but its default would change nothing (the fleet is this
 * machine), so it is refused as the PostgreSQL-only store keys are.
 */
static int check_sqlite_fleet(const struct rl_fleet_cfg *f, struct rl_err *err)
{
	struct rl_fleet_cfg def;

	memset(&def, 0, sizeof(def));
	rl_fields_defaults(fleet_fields, &def, NULL);
	if (f->lease_s != def.lease_s)
		return rl_err_set(err, -EINVAL,
				  "key fleet.lease_s: a fleet needs store kind postgresql (store.kind is sqlite, where the fleet is this machine alone)");
	return 0;
}

/* A postgresql store names its server; a password stays out of the JSON (the store refuses it too). */
static int check_store(const struct rl_config *c, struct rl_err *err)
{
	const struct rl_store_cfg *s = &c->store;

	if (s->kind == RL_STORE_SQLITE)
		return check_sqlite_store(s, err) ?: check_sqlite_fleet(&c->fleet, err);
	if (s->kind == RL_STORE_POSTGRESQL && !s->conninfo[0])
		return rl_err_set(err, -EINVAL,
				  "key store.conninfo: required for kind postgresql (e.g. \"host=db.lab dbname=ringlab\")");
	if (sets_password(s->conninfo))
		return rl_err_set(err, -EINVAL,
				  "key store.conninfo: holds a password; put it in store.password_file or PGPASSWORD instead");
	if (s->password_file[0] && check_abs_path("store.password_file", s->password_file, err))
		return -EINVAL;
	return 0;
}

/* The vm object's paths, when set, are absolute; its kernels unique. */
static int check_vm(const struct rl_vm_cfg *v, struct rl_err *err)
{
	const struct { const char *key, *path; } paths[] = {
		{ "vm.kernel_patches_dir", v->kernel_patches_dir }, { "vm.ringlab", v->ringlab },
		{ "vm.guest_ringlab", v->guest_ringlab }, { "vm.cache_dir", v->cache_dir },
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (paths[i].path[0] && check_abs_path(paths[i].key, paths[i].path, err))
			return -EINVAL;
	if (v->nkernels && !v->kernel_patches_dir[0])
		return rl_err_set(err, -EINVAL, "key vm.kernel_patches_dir: required with vm.kernels");
	for (uint32_t i = 0; i < v->nkernels; i++)
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(v->kernels[i], v->kernels[j]))
				return rl_err_set(err, -EINVAL, "key vm.kernels[%u]: '%s' is listed twice",
						  i, v->kernels[i]);
	return 0;
}

int rl_config_check(struct rl_config *c, struct rl_err *err)
{
	uint32_t i;
	int ret;

	ret = check_listen(c, err);
	if (!ret)
		ret = check_store(c, err);
	if (!ret)
		ret = check_abs_path("state_dir", c->state_dir, err);
	if (!ret)
		ret = check_abs_path("web_dir", c->web_dir, err);
	if (!ret)
		ret = check_abs_path("workloads_dir", c->workloads_dir, err);
	if (!ret)
		ret = check_vm(&c->vm, err);
	if (ret)
		return ret;
	if (c->per_ip_connections > c->max_connections)
		return rl_err_set(err, -EINVAL,
				  "key per_ip_connections: %u is more than max_connections (%u)",
				  c->per_ip_connections, c->max_connections);
	for (i = 0; i < c->ntargets; i++) {
		ret = check_target(&c->targets[i], c->state_dir, i, err);
		if (!ret)
			ret = check_unique(c, i, err);
		if (ret)
			return ret;
	}
	return 0;
}

int rl_config_load(const char *path, struct rl_config *c, struct rl_err *err)
{
	cJSON *root = NULL;
	int ret;

	rl_config_defaults(c);
	if (!path)
		return rl_config_check(c, err);
	ret = rl_json_load_file(path, &root, err);
	if (ret)
		return ret;
	ret = rl_fields_apply(rl_config_fields, root, c, RL_APPLY_FULL, err);
	cJSON_Delete(root);
	if (!ret)
		ret = rl_config_check(c, err);
	return ret ? rl_err_prefix(err, ret, "%s", path) : 0;
}

/* What SIGHUP applies to a running daemon; every other key waits for a restart. */
static const char *const reloadable_keys[] = {
	"token", "token_file", "workloads_dir", "allowed_hosts", NULL
};

bool rl_config_key_reloadable(const char *key)
{
	for (size_t i = 0; reloadable_keys[i]; i++)
		if (!strcmp(reloadable_keys[i], key))
			return true;
	return false;
}

static uint32_t list_count(const struct rl_field *f, const struct rl_config *c)
{
	uint32_t n;

	memcpy(&n, (const char *)c + f->count_offset, sizeof(n));
	return n;
}

/* Whether row @f of the config table holds the same value in @a and @b. */
static bool field_equal(const struct rl_field *f, const struct rl_config *a,
			const struct rl_config *b)
{
	const char *pa = (const char *)a + f->offset, *pb = (const char *)b + f->offset;
	uint32_t n;

	switch (f->type) {
	case RL_FT_STRING:
		return !strcmp(pa, pb);
	case RL_FT_U32:
		return !memcmp(pa, pb, sizeof(uint32_t));
	case RL_FT_STRING_LIST:
	case RL_FT_OBJECT_LIST:
		n = list_count(f, a);
		if (n != list_count(f, b))
			return false;
		for (uint32_t i = 0; i < n && i < f->size; i++) {
			const char *ea = pa + i * f->elem_size, *eb = pb + i * f->elem_size;

			/* Targets come zeroed from rl_config_defaults(), so bytes compare. */
			if (f->type == RL_FT_STRING_LIST ? strcmp(ea, eb) : memcmp(ea, eb, f->elem_size))
				return false;
		}
		return true;
	case RL_FT_OBJECT:
		/* The object rows (store, fleet) come zeroed from rl_config_defaults(), so bytes compare. */
		return !memcmp(pa, pb, f->size);
	default:
		break;
	}
	/* A row of a type this table does not use yet: say changed rather than hide it. */
	return false;
}

int rl_config_diff(const struct rl_config *a, const struct rl_config *b, bool reloadable,
		   char *out, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		out[0] = '\0';
	for (const struct rl_field *f = rl_config_fields; f->name; f++) {
		if (rl_config_key_reloadable(f->name) != reloadable || field_equal(f, a, b))
			continue;
		if (used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s", n ? ", " : "", f->name);
		n++;
	}
	return n;
}

/* Bytes row @f occupies at its offset; its list count is copied apart. */
static size_t field_span(const struct rl_field *f)
{
	switch (f->type) {
	case RL_FT_STRING:
		return f->size;
	case RL_FT_U32:
		return sizeof(uint32_t);
	case RL_FT_STRING_LIST:
	case RL_FT_OBJECT_LIST:
		return f->size * f->elem_size;
	default:
		return 0;
	}
}

void rl_config_copy_reloadable(struct rl_config *to, const struct rl_config *from)
{
	for (const struct rl_field *f = rl_config_fields; f->name; f++) {
		if (!rl_config_key_reloadable(f->name))
			continue;
		memcpy((char *)to + f->offset, (const char *)from + f->offset, field_span(f));
		if (f->type == RL_FT_STRING_LIST || f->type == RL_FT_OBJECT_LIST)
			memcpy((char *)to + f->count_offset, (const char *)from + f->count_offset,
			       sizeof(uint32_t));
	}
}
