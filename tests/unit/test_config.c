/* SPDX-License-Identifier: MIT */
/* ringlabd config: defaults, every key's bounds from the table, unknown keys, targets, cross-checks, one target spelled two ways, markdown. */

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "schema/fields.h"
#include "ringlabd/daemon_config.h"
#include "../lib/capture.h"
#include "util/fileio.h"
#include "util/path.h"
#include "../lib/check.h"

/* From config.c; repeated here in case config.h does not declare them yet. */
extern const struct rl_field rl_config_fields[];
void rl_config_default_target(struct rl_target_cfg *t);
int rl_config_check(struct rl_config *c, struct rl_err *err);

/* A target entry every targets test can start from. */
#define IMG "{\"name\": \"t\", \"kind\": \"image\""

static char tmpdir[] = "/tmp/ringlab-test-config.XXXXXX";
static char cfg_path[256];

/* Write @json to the config file and load it. */
static int load_text(const char *json, struct rl_config *c, struct rl_err *e)
{
	FILE *f = fopen(cfg_path, "we");

	if (!f) {
		CHECK(0, "fopen %s: %s", cfg_path, strerror(errno));
		return -EIO;
	}
	fputs(json, f);
	fclose(f);
	e->msg[0] = '\0';
	return rl_config_load(cfg_path, c, e);
}

/* @json is refused, and the message names the file and contains each of @want. */
static void expect_refused(const char *json, const char *want, const char *want2)
{
	struct rl_config c;
	struct rl_err e;
	int ret;

	ret = load_text(json, &c, &e);
	CHECK(ret == -EINVAL && !strncmp(e.msg, cfg_path, strlen(cfg_path)) &&
	      strstr(e.msg, want) && (!want2 || strstr(e.msg, want2)),
	      "%s: want -EINVAL with '%s'%s%s, got %d '%s'", json, want,
	      want2 ? " and " : "", want2 ? want2 : "", ret, e.msg);
}

/* A config refused with a message naming @want and, unless NULL, @want2. */
struct refusal {
	const char *json, *want, *want2;
};

/* expect_refused() for each entry of @r, up to its { 0 } end. */
static void expect_all_refused(const struct refusal *r)
{
	for (; r->json; r++)
		expect_refused(r->json, r->want, r->want2);
}

static void expect_loaded(const char *json, struct rl_config *c)
{
	struct rl_err e;
	int ret;

	ret = load_text(json, c, &e);
	CHECK(!ret, "%s: want accepted, got %d '%s'", json, ret, e.msg);
}

static void test_defaults(void)
{
	struct rl_config c, z;
	struct rl_target_cfg t;
	struct rl_err e = { "" };

	rl_config_defaults(&c);
	CHECK(!strcmp(c.listen, "127.0.0.1"), "listen '%s'", c.listen);
	CHECK(c.port == 7117, "port %u", c.port);
	CHECK(!c.token[0] && !c.token_file[0], "token '%s' token_file '%s'", c.token, c.token_file);
	CHECK(!strcmp(c.state_dir, "/var/lib/ringlab"), "state_dir '%s'", c.state_dir);
#ifdef RINGLAB_DATADIR
	CHECK(!strcmp(c.web_dir, RINGLAB_DATADIR "/web"), "web_dir '%s'", c.web_dir);
	CHECK(!strcmp(c.workloads_dir, RINGLAB_DATADIR "/workloads"), "workloads_dir '%s'",
	      c.workloads_dir);
#endif
	CHECK(c.web_dir[0] == '/' && strstr(c.web_dir, "/web"), "web_dir '%s'", c.web_dir);
	CHECK(c.max_connections == 64 && c.per_ip_connections == 16, "connections %u/%u",
	      c.max_connections, c.per_ip_connections);
	CHECK(c.connection_timeout_s == 30, "timeout %u", c.connection_timeout_s);
	CHECK(c.memory_limit == 131072 && c.max_body == 65536, "memory %u body %u",
	      c.memory_limit, c.max_body);
	CHECK(c.watchdog_s == 0 && c.ntargets == 0 && c.nallowed_hosts == 0,
	      "watchdog %u targets %u hosts %u", c.watchdog_s, c.ntargets, c.nallowed_hosts);
	CHECK(!rl_fields_defaults(rl_config_fields, &z, &e), "table defaults invalid: %s", e.msg);
	CHECK(!rl_config_check(&c, &e), "defaults fail the cross-checks: %s", e.msg);
	CHECK(!rl_config_load(NULL, &z, &e) && !memcmp(&c, &z, sizeof(c)),
	      "load(NULL) differs from the defaults: %s", e.msg);

	rl_config_default_target(&t);
	CHECK(!strcmp(t.name, "default") && t.kind == RL_TARGET_IMAGE &&
	      !strcmp(t.path, "default.img") && t.size == 4ull << 30 && !t.format,
	      "default target %s %d %s %llu %d", t.name, t.kind, t.path,
	      (unsigned long long)t.size, t.format);
	CHECK(!strcmp(rl_target_kind_name(RL_TARGET_IMAGE), "image") &&
	      !strcmp(rl_target_kind_name(RL_TARGET_DIR), "dir") &&
	      !strcmp(rl_target_kind_name(RL_TARGET_BLOCK), "block"), "kind names");

	/* Loading {} equals the defaults byte for byte (the daemon memcmp()s configs). */
	expect_loaded("{}", &z);
	CHECK(!memcmp(&c, &z, sizeof(c)), "{} differs from the defaults");
}

/* {"KEY": V} at the top, or inside the only target for "targets[0].KEY". */
static void wrap(const char *key, const char *value, char *buf, size_t len)
{
	const char *sub = "targets[0].";

	if (strncmp(key, sub, strlen(sub))) {
		snprintf(buf, len, "{\"%s\": %s}", key, value);
		return;
	}
	key += strlen(sub);
	snprintf(buf, len, "{\"targets\": [{%s%s\"%s\": %s}]}",
		 strcmp(key, "name") ? "\"name\": \"t\", " : "",
		 strcmp(key, "kind") ? "\"kind\": \"image\", " : "", key, value);
}

static double stored(const struct rl_field *f, const void *base)
{
	const char *p = (const char *)base + f->offset;

	if (f->type == RL_FT_U32)
		return *(const uint32_t *)p;
	if (f->type == RL_FT_SIZE || f->type == RL_FT_U64)
		return (double)*(const uint64_t *)p;
	return NAN;
}

/* Bounds are checked by the walker: apply to the table directly so cross-checks stay out. */
static void accept_number(const char *key, const struct rl_field *f, double d)
{
	char json[512], num[64];
	struct rl_config c;
	struct rl_err e = { "" };
	const void *base;
	cJSON *o = NULL;
	int ret;

	snprintf(num, sizeof(num), "%.0f", d);
	wrap(key, num, json, sizeof(json));
	rl_config_defaults(&c);
	ret = rl_json_parse(json, &o, &e);
	if (!ret)
		ret = rl_fields_apply(rl_config_fields, o, &c, RL_APPLY_FULL, &e);
	cJSON_Delete(o);
	CHECK(!ret, "%s: want accepted, got %d '%s'", json, ret, e.msg);
	base = strchr(key, '.') ? (const void *)&c.targets[0] : (const void *)&c;
	CHECK(ret || stored(f, base) == d, "%s: stored %.0f", json, stored(f, base));
}

static void test_bounds_table(const struct rl_field *table, const char *prefix)
{
	char key[128], json[2048], num[64], *val;
	size_t i;

	for (; table->name; table++) {
		snprintf(key, sizeof(key), "%s%s", prefix, table->name);
		if (table->type == RL_FT_OBJECT_LIST) {
			test_bounds_table(table->sub, "targets[0].");
			continue;
		}
		if (table->type == RL_FT_U32 || table->type == RL_FT_SIZE) {
			snprintf(num, sizeof(num), "%.0f", table->min - 1);
			wrap(key, num, json, sizeof(json));
			if (table->min > 0)
				expect_refused(json, key, "out of range");
			snprintf(num, sizeof(num), "%.0f", table->max + 1);
			wrap(key, num, json, sizeof(json));
			expect_refused(json, key, "out of range");
			wrap(key, "1.5", json, sizeof(json));
			expect_refused(json, key, "integer");
			wrap(key, "true", json, sizeof(json));
			expect_refused(json, key, "expected a number");
			accept_number(key, table, table->min);
			accept_number(key, table, table->max);
		}
		if (table->type == RL_FT_STRING || table->type == RL_FT_STRING_LIST) {
			size_t n = (size_t)table->max + 1, at = 0;

			val = malloc(n + 8);
			if (!val)
				continue;
			if (table->type == RL_FT_STRING_LIST)
				val[at++] = '[';
			val[at++] = '"';
			for (i = 0; i < n; i++)
				val[at++] = 'a';
			val[at++] = '"';
			if (table->type == RL_FT_STRING_LIST)
				val[at++] = ']';
			val[at] = '\0';
			/* Too long for json[]: build it on the heap. */
			{
				char *big = malloc(n + 256);

				if (big) {
					wrap(key, val, big, n + 256);
					expect_refused(big, key, "characters long");
					free(big);
				}
			}
			free(val);
			wrap(key, "5", json, sizeof(json));
			expect_refused(json, key, table->type == RL_FT_STRING ?
				       "expected a string" : "expected an array");
		}
		if (table->type == RL_FT_BOOL) {
			wrap(key, "\"yes\"", json, sizeof(json));
			expect_refused(json, key, "expected true or false");
		}
	}
}

/* Unknown keys are named, with the nearest known one; malformed JSON is named too. */
static const struct refusal unknown_keys[] = {
	{ "{\"lisen\": \"127.0.0.1\"}", "unknown key 'lisen'", "did you mean 'listen'" },
	{ "{\"frobnicate\": 1}", "unknown key 'frobnicate'", NULL },
	{ "{\"targets\": [" IMG ", \"nmae\": \"x\"}]}",
	  "unknown key 'targets[0].nmae'", "did you mean 'targets[0].name'" },
	{ "{\"port\": 1, \"port\": 2}", "key port: given more than once", NULL },
	{ "{\"port\": 7117,}", "malformed JSON", NULL },
	{ "[]", "expected a JSON object", NULL },
	{ 0 }
};

static void test_unknown_keys(void)
{
	expect_all_refused(unknown_keys);
}

/* Target and list entries refused: the message names the entry and what is wrong. */
static const struct refusal bad_targets[] = {
	{ "{\"targets\": [{\"kind\": \"image\"}]}",
	  "missing required key 'targets[0].name'", NULL },
	{ "{\"targets\": [{\"name\": \"x\"}]}", "missing required key 'targets[0].kind'", NULL },
	{ "{\"targets\": [{\"name\": \"x\", \"kind\": \"nfs\"}]}",
	  "key targets[0].kind", "image, dir, block" },
	{ "{\"targets\": [{\"name\": \"Big\", \"kind\": \"image\"}]}",
	  "key targets[0].name", "'B' is not allowed" },
	{ "{\"targets\": [{\"name\": \"\", \"kind\": \"image\"}]}",
	  "key targets[0].name", "characters long" },
	{ "{\"targets\": {}}", "key targets", "expected an array" },
	{ "{\"targets\": [5]}", "key targets[0]", "expected an object" },
	{ "{\"allowed_hosts\": [\"a b\"]}", "key allowed_hosts[0]", "' ' is not allowed" },
	{ "{\"allowed_hosts\": [1]}", "key allowed_hosts[0]", "expected a string" },
	{ "{\"allowed_hosts\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}",
	  "key allowed_hosts", "at most 8" },
	{ 0 }
};

static void test_targets(void)
{
	struct rl_config c, c2;
	struct rl_err e = { "" };
	cJSON *j = NULL;
	char *text = NULL, big[4096];
	size_t at;
	int i;

	expect_loaded("{\"targets\": ["
		      "{\"name\": \"img\", \"kind\": \"image\", \"size\": \"1G\"},"
		      "{\"name\": \"scratch-1\", \"kind\": \"dir\", \"path\": \"/srv/scratch\"},"
		      "{\"name\": \"nvme_a\", \"kind\": \"block\", \"path\": \"/dev/disk/by-id/nvme-X_123\", \"format\": true}"
		      "], \"allowed_hosts\": [\"lab1.example.org:7117\", \"[::1]:7117\"]}", &c);
	CHECK(c.ntargets == 3, "ntargets %u", c.ntargets);
	CHECK(!strcmp(c.targets[0].name, "img") && c.targets[0].kind == RL_TARGET_IMAGE &&
	      c.targets[0].size == 1ull << 30 && !strcmp(c.targets[0].path, "img.img"),
	      "image target: %s %d %llu '%s'", c.targets[0].name, c.targets[0].kind,
	      (unsigned long long)c.targets[0].size, c.targets[0].path);
	CHECK(c.targets[1].kind == RL_TARGET_DIR && !strcmp(c.targets[1].path, "/srv/scratch") &&
	      !c.targets[1].format, "dir target: %d '%s'", c.targets[1].kind, c.targets[1].path);
	CHECK(c.targets[2].kind == RL_TARGET_BLOCK && c.targets[2].format &&
	      !strcmp(c.targets[2].path, "/dev/disk/by-id/nvme-X_123"), "block target");
	CHECK(c.nallowed_hosts == 2 && !strcmp(c.allowed_hosts[0], "lab1.example.org:7117") &&
	      !strcmp(c.allowed_hosts[1], "[::1]:7117"), "allowed_hosts %u", c.nallowed_hosts);

	/* Both list types write back out and read back in to the same bytes. */
	j = rl_fields_to_json(rl_config_fields, &c);
	text = j ? cJSON_PrintUnformatted(j) : NULL;
	CHECK(text && cJSON_IsArray(cJSON_GetObjectItem(j, "targets")) &&
	      cJSON_GetArraySize(cJSON_GetObjectItem(j, "allowed_hosts")) == 2,
	      "to_json: %s", text ? text : "NULL");
	if (text) {
		expect_loaded(text, &c2);
		CHECK(!memcmp(&c, &c2, sizeof(c)), "round trip differs: %s", text);
	}
	free(text);
	cJSON_Delete(j);

	/* A list with one bad entry leaves the list as it was. */
	c2 = c;
	CHECK(!rl_json_parse("{\"targets\": [" IMG "}, {\"name\": \"BAD\", \"kind\": \"dir\"}]}",
			     &j, &e), "parse: %s", e.msg);
	CHECK(rl_fields_apply(rl_config_fields, j, &c2, RL_APPLY_OVERRIDE, &e) == -EINVAL &&
	      strstr(e.msg, "key targets[1].name") && !memcmp(&c, &c2, sizeof(c)),
	      "bad entry changed the list: '%s'", e.msg);
	cJSON_Delete(j);

	expect_all_refused(bad_targets);

	at = (size_t)snprintf(big, sizeof(big), "{\"targets\": [");
	for (i = 0; i <= RL_TARGETS_MAX; i++)
		at += (size_t)snprintf(big + at, sizeof(big) - at,
				       "%s{\"name\": \"t%d\", \"kind\": \"image\"}", i ? "," : "", i);
	snprintf(big + at, sizeof(big) - at, "]}");
	expect_refused(big, "key targets", "at most 16");
}

/* Target names and paths refused across entries and by kind. */
static const struct refusal bad_paths[] = {
	{ "{\"targets\": [" IMG "}, " IMG "}]}",
	  "key targets[1].name", "already the name of targets[0]" },
	{ "{\"targets\": [{\"name\": \"a\", \"kind\": \"dir\", \"path\": \"/srv/x\"},"
	  "{\"name\": \"b\", \"kind\": \"dir\", \"path\": \"/srv/x\"}]}",
	  "key targets[1].path", "already the path of targets[0]" },
	{ "{\"targets\": [{\"name\": \"a\", \"kind\": \"image\"},"
	  "{\"name\": \"b\", \"kind\": \"image\", \"path\": \"a.img\"}]}",
	  "key targets[1].path", "already the path" },
	{ "{\"targets\": [{\"name\": \"b\", \"kind\": \"block\", \"path\": \"/dev/sdb\"}]}",
	  "key targets[0].path", "/dev/disk/by-id/" },
	{ "{\"targets\": [{\"name\": \"b\", \"kind\": \"block\", \"path\": \"/dev/disk/by-id/../../sda\"}]}",
	  "key targets[0].path", "no '/' or '..'" },
	{ "{\"targets\": [{\"name\": \"b\", \"kind\": \"block\", \"path\": \"/dev/disk/by-id/\"}]}",
	  "key targets[0].path", "one entry of" },
	{ "{\"targets\": [{\"name\": \"b\", \"kind\": \"block\"}]}",
	  "key targets[0].path", "required for a block target" },
	{ "{\"targets\": [{\"name\": \"d\", \"kind\": \"dir\"}]}",
	  "key targets[0].path", "required for a dir target" },
	{ "{\"targets\": [{\"name\": \"d\", \"kind\": \"dir\", \"path\": \"srv/x\"}]}",
	  "key targets[0].path", "absolute" },
	{ "{\"targets\": [{\"name\": \"d\", \"kind\": \"dir\", \"path\": \"/srv/../etc\"}]}",
	  "key targets[0].path", "'..'" },
	{ "{\"targets\": [{\"name\": \"d\", \"kind\": \"dir\", \"path\": \"/srv/x/..\"}]}",
	  "key targets[0].path", "'..'" },
	{ "{\"targets\": [" IMG ", \"path\": \"../x.img\"}]}", "key targets[0].path", "'..'" },
	{ "{\"targets\": [" IMG ", \"path\": \"/etc/passwd\"}]}",
	  "key targets[0].path", "ending in .img" },
	{ "{\"targets\": [" IMG ", \"path\": \"dir/.img\"}]}",
	  "key targets[0].path", "ending in .img" },
	{ "{\"targets\": [" IMG ", \"path\": \"mnt/t.img\"}]}",
	  "key targets[0].path", "state_dir/mnt" },
	/* Other spellings of state_dir/mnt: normalised before the check. */
	{ "{\"targets\": [" IMG ", \"path\": \"./mnt/t.img\"}]}",
	  "key targets[0].path", "'mnt/t.img' is inside state_dir/mnt" },
	{ "{\"targets\": [" IMG ", \"path\": \".//mnt/./x/t.img\"}]}",
	  "key targets[0].path", "'mnt/x/t.img' is inside state_dir/mnt" },
	{ "{\"targets\": [" IMG ", \"path\": \"mnt//t.img\"}]}",
	  "key targets[0].path", "state_dir/mnt" },
	{ "{\"targets\": [" IMG ", \"path\": \"/var/lib/ringlab/mnt/t.img\"}]}",
	  "key targets[0].path", "state_dir/mnt" },
	{ "{\"state_dir\": \"/srv/rl/\", \"targets\": [" IMG ", \"path\": \"/srv/rl//./mnt/t.img\"}]}",
	  "key targets[0].path", "state_dir/mnt" },
	{ "{\"targets\": [{\"name\": \"d\", \"kind\": \"dir\", \"path\": \"/srv/x\", \"format\": true}]}",
	  "key targets[0].format", "only block targets" },
	{ 0 }
};

/* Listen addresses refused: beyond loopback without a token, or not an address. */
static const struct refusal bad_listen[] = {
	{ "{\"listen\": \"0.0.0.0\"}", "key listen", "token" },
	{ "{\"listen\": \"::\"}", "key listen", "not a loopback address" },
	{ "{\"listen\": \"192.168.1.5\"}", "key listen", "token or token_file is required" },
	{ "{\"listen\": \"128.0.0.1\"}", "key listen", "token" },
	{ "{\"listen\": \"lab1.example.org\"}", "key listen", "not an IPv4 or IPv6 address" },
	/* A token anyone who reaches the port can guess in a few tries. */
	{ "{\"listen\": \"0.0.0.0\", \"token\": \"x\"}", "key token",
	  "the token is 1 character long; listening on 0.0.0.0 (not loopback) needs at least 16" },
	{ "{\"listen\": \"::\", \"token\": \"fifteen-chars-x\"}", "key token", "is 15 characters long" },
	{ 0 }
};

/* The token, the directories and the limits. */
static const struct refusal bad_keys[] = {
	{ "{\"token\": \"a\", \"token_file\": \"/etc/t\"}", "key token_file", "not both" },
	{ "{\"token_file\": \"token\"}", "key token_file", "absolute" },
	{ "{\"token\": \"has space\"}", "key token", "' ' is not allowed" },
	{ "{\"state_dir\": \"var/lib/ringlab\"}", "key state_dir", "absolute" },
	{ "{\"web_dir\": \"/usr/../web\"}", "key web_dir", "'..'" },
	{ "{\"workloads_dir\": \"w\"}", "key workloads_dir", "absolute" },
	{ "{\"max_connections\": 8, \"per_ip_connections\": 9}",
	  "key per_ip_connections", "more than max_connections" },
	{ "{\"port\": 0}", "key port", "out of range 1..65535" },
	{ "{\"max_body\": 1023}", "key max_body", "out of range 1024..16777216" },
	{ 0 }
};

/* rl_config_check_token(): what ringlabd applies to a token file's token, at start-up and SIGHUP. */
static void test_token_length(void)
{
	struct rl_err e = { "" };
	int ret;

	ret = rl_config_check_token("192.168.1.5", "abc", "token file /etc/ringlab/token", &e);
	CHECK(ret == -EINVAL && strstr(e.msg, "token file /etc/ringlab/token: the token is 3 characters long") &&
	      strstr(e.msg, "192.168.1.5") && strstr(e.msg, "at least 16"), "a short token file: %d '%s'",
	      ret, e.msg);
	CHECK(rl_config_check_token("192.168.1.5", "0123456789abcdef", "t", &e) == 0,
	      "a 16-character token refused: %s", e.msg);
	CHECK(rl_config_check_token("::1", "a", "t", &e) == 0 &&
	      rl_config_check_token("localhost", "a", "t", &e) == 0 &&
	      rl_config_check_token("127.0.0.2", "a", "t", &e) == 0, "loopback refused a short token: %s",
	      e.msg);
}

static void test_cross_checks(void)
{
	struct rl_config c;

	expect_all_refused(bad_paths);
	expect_loaded("{\"targets\": [" IMG ", \"path\": \"/srv/images/t.img\"},"
		      "{\"name\": \"u\", \"kind\": \"image\", \"path\": \"sub/dir/u.img\"},"
		      "{\"name\": \"d\", \"kind\": \"dir\", \"path\": \"/srv/..x/y\"}]}", &c);
	CHECK(c.ntargets == 3, "ntargets %u", c.ntargets);
	/* Image paths are kept in one spelling; "mnt" elsewhere than state_dir is fine. */
	expect_loaded("{\"targets\": [" IMG ", \"path\": \"./sub//t.img\"},"
		      "{\"name\": \"u\", \"kind\": \"image\", \"path\": \"/srv/mnt/u.img\"},"
		      "{\"name\": \"v\", \"kind\": \"image\", \"path\": \"mntx/v.img\"}]}", &c);
	CHECK(!strcmp(c.targets[0].path, "sub/t.img") && !strcmp(c.targets[1].path, "/srv/mnt/u.img") &&
	      !strcmp(c.targets[2].path, "mntx/v.img"), "image paths '%s' '%s' '%s'",
	      c.targets[0].path, c.targets[1].path, c.targets[2].path);

	/* Listening beyond loopback needs a token. */
	expect_all_refused(bad_listen);
	expect_loaded("{\"listen\": \"0.0.0.0\", \"token\": \"s3cr3t-t0ken-16ch\"}", &c);
	CHECK(!strcmp(c.token, "s3cr3t-t0ken-16ch"), "token '%s'", c.token);
	/* On loopback any token will do. */
	expect_loaded("{\"listen\": \"127.0.0.1\", \"token\": \"x\"}", &c);
	test_token_length();
	expect_loaded("{\"listen\": \"::\", \"token_file\": \"/etc/ringlab/token\"}", &c);
	expect_loaded("{\"listen\": \"127.1.2.3\"}", &c);
	expect_loaded("{\"listen\": \"::1\"}", &c);
	expect_loaded("{\"listen\": \"localhost\"}", &c);
	expect_all_refused(bad_keys);
}

/* One path spelled two ways is one target, across kinds; nested ones are refused too. */
static void test_duplicate_spellings(void)
{
	static const struct { const char *in, *out; } spellings[] = {
		{ "/x//shared", "/x/shared" }, { "/x/shared/", "/x/shared" },
		{ "/x/./shared/.", "/x/shared" }, { "//", "/" }, { "a/./b//", "a/b" },
		{ "/x/..y", "/x/..y" }, { "", "" },
	};
	struct rl_config c;
	char out[64];

	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++)
		CHECK(!rl_path_normalize(spellings[i].in, out, sizeof(out)) &&
		      !strcmp(out, spellings[i].out), "normalize '%s': '%s', want '%s'",
		      spellings[i].in, out, spellings[i].out);
	CHECK(rl_path_normalize("/aaaa/bbbb", out, 8) == -ENAMETOOLONG, "too long accepted");

#define DIR_T(n, p) "{\"name\": \"" n "\", \"kind\": \"dir\", \"path\": \"" p "\"}"
	expect_refused("{\"targets\": [" DIR_T("a", "/x/shared") ", " DIR_T("b", "/x//shared") "]}",
		       "key targets[1].path", "already the path of targets[0] ('/x/shared')");
	expect_refused("{\"targets\": [" DIR_T("a", "/x/shared/") ", " DIR_T("b", "/x/./shared") "]}",
		       "key targets[1].path", "already the path of targets[0]");
	expect_refused("{\"state_dir\": \"/var/lib/rl\", \"targets\": [{\"name\": \"a\", \"kind\": \"image\"},"
		       " {\"name\": \"b\", \"kind\": \"image\", \"path\": \"/var/lib//rl/a.img\"}]}",
		       "key targets[1].path", "already the path of targets[0] ('a.img')");
	expect_refused("{\"targets\": [" DIR_T("a", "/x/shared") ", " DIR_T("b", "/x/shared/sub") "]}",
		       "key targets[1].path", "/x/shared/sub, inside /x/shared where targets[0] writes");
	expect_refused("{\"targets\": [" DIR_T("a", "/x/shared/sub/") ", " DIR_T("b", "/x/shared") "]}",
		       "key targets[1].path", "around /x/shared/sub where targets[0] writes");
	/* A dir target in an image's mount point, however spelled, and across kinds. */
	expect_refused("{\"state_dir\": \"/var/lib/rl\", \"targets\": [{\"name\": \"img\", \"kind\": \"image\"},"
		       " " DIR_T("d", "/var/lib/rl//mnt/img/sub") "]}",
		       "key targets[1].path", "inside /var/lib/rl/mnt/img where targets[0] writes");
	expect_refused("{\"state_dir\": \"/var/lib/rl/\", \"targets\": [" DIR_T("d", "/var/lib/rl/mnt/img") ","
		       " {\"name\": \"img\", \"kind\": \"image\"}]}",
		       "key targets[1].path", "where targets[0] writes");
	expect_loaded("{\"targets\": [" DIR_T("a", "/x/shared") ", " DIR_T("b", "/x/shared2") ","
		      " " DIR_T("c", "/x/other/shared") "]}", &c);
	CHECK(c.ntargets == 3, "ntargets %u", c.ntargets);
#undef DIR_T
}

static void test_missing_file(void)
{
	struct rl_config c;
	struct rl_err e = { "" };
	char path[300];
	int ret;

	snprintf(path, sizeof(path), "%s/nope.json", tmpdir);
	ret = rl_config_load(path, &c, &e);
	CHECK(ret == -ENOENT && strstr(e.msg, path), "missing file: %d '%s'", ret, e.msg);
}

/* The markdown lists every key, nested ones as targets[].KEY. */
static void test_markdown(void)
{
	const struct rl_field *f, *sub = NULL;
	struct capture c;
	char *buf, want[128];

	if (!capture_open(&c))
		return;
	rl_config_markdown(c.f);
	buf = capture_text(&c);
	for (f = rl_config_fields; f->name; f++) {
		snprintf(want, sizeof(want), "| `%s` |", f->name);
		CHECK(strstr(buf, want), "markdown lacks %s", want);
		CHECK(f->help && strlen(f->help) > 10, "key %s has no help", f->name);
		if (f->type == RL_FT_OBJECT_LIST)
			sub = f->sub;
	}
	CHECK(sub, "no targets row");
	for (f = sub; f && f->name; f++) {
		snprintf(want, sizeof(want), "| `targets[].%s` |", f->name);
		CHECK(strstr(buf, want), "markdown lacks %s", want);
	}
	CHECK(strstr(buf, "0 to 16 entries, keys below") && strstr(buf, "0 to 8 entries"),
	      "list ranges missing:\n%s", buf);
	free(buf);
}

/* SIGHUP's view of two configurations: what it may apply, what waits for a restart. */
static void test_reload_diff(void)
{
	struct rl_config a, b, c;
	char keys[256];
	int n;

	expect_loaded("{\"token\": \"one\", \"port\": 7117}", &a);
	expect_loaded("{\"token\": \"two\", \"port\": 7118, \"allowed_hosts\": [\"lab\"], "
		      "\"workloads_dir\": \"/w\", \"targets\": [" IMG "}]}", &b);
	CHECK(rl_config_key_reloadable("token") && rl_config_key_reloadable("token_file") &&
	      rl_config_key_reloadable("workloads_dir") && rl_config_key_reloadable("allowed_hosts"),
	      "the keys SIGHUP reloads");
	CHECK(!rl_config_key_reloadable("listen") && !rl_config_key_reloadable("targets") &&
	      !rl_config_key_reloadable("max_body"), "keys that need a restart");
	n = rl_config_diff(&a, &b, true, keys, sizeof(keys));
	CHECK(n == 3 && !strcmp(keys, "token, workloads_dir, allowed_hosts"), "reloadable diff %d '%s'",
	      n, keys);
	n = rl_config_diff(&a, &b, false, keys, sizeof(keys));
	CHECK(n == 2 && !strcmp(keys, "port, targets"), "restart diff %d '%s'", n, keys);
	n = rl_config_diff(&a, &a, true, keys, sizeof(keys));
	CHECK(n == 0 && !keys[0], "no difference: %d '%s'", n, keys);
	c = a;
	rl_config_copy_reloadable(&c, &b);
	CHECK(!strcmp(c.token, "two") && !strcmp(c.workloads_dir, "/w") && c.nallowed_hosts == 1 &&
	      !strcmp(c.allowed_hosts[0], "lab"), "reloadable keys copied");
	CHECK(c.port == 7117 && c.ntargets == 0, "other keys kept: port %u, %u targets", c.port,
	      c.ntargets);
	CHECK(rl_config_diff(&c, &b, true, keys, sizeof(keys)) == 0, "copied: '%s'", keys);
	n = rl_config_diff(&a, &b, true, keys, 8);
	CHECK(n == 3 && strlen(keys) < 8, "a short buffer: %d '%s'", n, keys);
}

/* The store: SQLite unless told otherwise, a PostgreSQL one names its server and no password. */
static void test_store(void)
{
	static const struct refusal refused[] = {
		{ "{\"store\": {\"kind\": \"postgresql\"}}", "store.conninfo", "required" },
		{ "{\"store\": {\"kind\": \"postgresql\", \"conninfo\": \"host=db password=x\"}}",
		  "store.conninfo", "password_file or PGPASSWORD" },
		{ "{\"store\": {\"kind\": \"postgresql\", \"conninfo\": \"postgresql://db/r?password =x\"}}",
		  "store.conninfo", "holds a password" },
		{ "{\"store\": {\"kind\": \"postgresql\", \"conninfo\": \"host=db\","
		  " \"password_file\": \"pw\"}}", "store.password_file", "absolute" },
		{ "{\"store\": {\"conninfo\": \"host=db\"}}", "store.conninfo", "only for kind postgresql" },
		/* Given to SQLite they would bound nothing. */
		{ "{\"store\": {\"kind\": \"sqlite\", \"unreachable_max_s\": 60}}",
		  "store.unreachable_max_s", "only for kind postgresql" },
		{ "{\"store\": {\"spool_max\": \"1G\"}}", "store.spool_max", "only for kind postgresql" },
		{ "{\"store\": {\"password_file\": \"/etc/ringlab/pgpass\"}}", "store.password_file",
		  "only for kind postgresql" },
		{ "{\"store\": {\"kind\": \"mysql\"}}", "kind", NULL },
		{ "{\"store\": {\"kind\": \"sqlite\", \"password\": \"x\"}}", "password", NULL },
		{ 0 }
	};
	struct rl_config a, b;
	struct rl_err e = { "" };
	char keys[128];

	expect_loaded("{}", &a);
	CHECK(a.store.kind == RL_STORE_SQLITE && !a.store.conninfo[0], "the default store: kind %d",
	      (int)a.store.kind);
	/* At their defaults they change nothing: what rl_fields_to_json() writes loads back. */
	expect_loaded("{\"store\": {\"kind\": \"sqlite\", \"conninfo\": \"\", \"unreachable_max_s\": 600,"
		      " \"spool_max\": \"64M\"}}", &b);
	expect_loaded("{\"store\": {\"kind\": \"postgresql\", \"conninfo\": \"host=db\","
		      " \"unreachable_max_s\": 60, \"spool_max\": \"1M\"}}", &b);
	CHECK(b.store.unreachable_max_s == 60 && b.store.spool_max == 1u << 20,
	      "postgresql's spool keys: %u %llu", b.store.unreachable_max_s,
	      (unsigned long long)b.store.spool_max);
	expect_loaded("{\"store\": {\"kind\": \"postgresql\", \"conninfo\": \"host=db dbname=passwords\","
		      " \"password_file\": \"/etc/ringlab/pgpass\"}}", &b);
	CHECK(b.store.kind == RL_STORE_POSTGRESQL && !strcmp(b.store.conninfo, "host=db dbname=passwords") &&
	      !strcmp(b.store.password_file, "/etc/ringlab/pgpass"), "a postgresql store: %d %s %s",
	      (int)b.store.kind, b.store.conninfo, b.store.password_file);
	expect_all_refused(refused);
	CHECK(rl_config_diff(&a, &b, false, keys, sizeof(keys)) == 1 && !strcmp(keys, "store"),
	      "the store waits for a restart: '%s'", keys);
	CHECK(rl_config_load(RINGLAB_SRCDIR "/systemd/ringlabd-postgresql.json.example", &b, &e) == 0 &&
	      b.store.kind == RL_STORE_POSTGRESQL, "the shipped example: %s", e.msg);
}

#define PG "\"store\": {\"kind\": \"postgresql\", \"conninfo\": \"host=db\"}"

/* The fleet's lease: 30 s unless told, within 2..3600, and only on a store a fleet can share. */
static void test_fleet(void)
{
	static const struct refusal refused[] = {
		{ "{\"fleet\": {\"lease_s\": 1}}", "lease_s", NULL },
		{ "{\"fleet\": {\"lease_s\": 3601}}", "lease_s", NULL },
		{ "{\"fleet\": {\"lease\": 3}}", "lease", NULL },
		{ 0 }
	};
	struct rl_config c;

	expect_loaded("{}", &c);
	CHECK(c.fleet.lease_s == 30, "the default lease: %u s", c.fleet.lease_s);
	expect_loaded("{\"fleet\": {\"lease_s\": 3}, " PG "}", &c);
	CHECK(c.fleet.lease_s == 3, "a 3 s lease: %u s", c.fleet.lease_s);
	expect_all_refused(refused);
	/* On SQLite there is no fleet to lease from: said, not ignored; the default changes nothing. */
	expect_refused("{\"fleet\": {\"lease_s\": 3}}", "key fleet.lease_s", "needs store kind postgresql");
	expect_refused("{\"store\": {\"kind\": \"sqlite\"}, \"fleet\": {\"lease_s\": 60}}",
		       "key fleet.lease_s", "store.kind is sqlite");
	expect_loaded("{\"fleet\": {\"lease_s\": 30}}", &c);
	expect_loaded("{\"fleet\": {}}", &c);
}

/* The kernels a daemon boots in guests: none unless told; names, not paths; each path absolute. */
static void test_vm(void)
{
	static const struct refusal refused[] = {
		{ "{\"vm\": {\"kernels\": [\"../x\"]}}", "kernels", NULL },
		{ "{\"vm\": {\"kernels\": [\"base\", \"base\"]}}", "vm.kernels[1]", "twice" },
		{ "{\"vm\": {\"kernels\": [\"base\"], \"kernel_patches_dir\": \"\"}}", "vm.kernel_patches_dir",
		  "required" },
		{ "{\"vm\": {\"kernel_patches_dir\": \"kp\"}}", "vm.kernel_patches_dir", "absolute" },
		{ "{\"vm\": {\"ringlab\": \"ringlab\"}}", "vm.ringlab", "absolute" },
		{ "{\"vm\": {\"timeout_s\": 5}}", "timeout_s", NULL },
		{ "{\"vm\": {\"kernel\": [\"base\"]}}", "kernel", NULL },
		{ 0 }
	};
	struct rl_config c;

	expect_loaded("{}", &c);
	CHECK(c.vm.nkernels == 0 && c.vm.timeout_s == 1800 && c.vm.kernel_timeout_s == 3600 &&
	      strstr(c.vm.kernel_patches_dir, "/kernel-patches"),
	      "vm defaults: %u kernels, %u s, %u s, %s", c.vm.nkernels, c.vm.timeout_s,
	      c.vm.kernel_timeout_s, c.vm.kernel_patches_dir);
	expect_loaded("{\"vm\": {\"kernels\": [\"base\", \"fam:v3\"], \"kernel_patches_dir\": \"/kp\"}}", &c);
	CHECK(c.vm.nkernels == 2 && !strcmp(c.vm.kernels[1], "fam:v3") &&
	      !strcmp(c.vm.kernel_patches_dir, "/kp"), "vm kernels: %u, %s", c.vm.nkernels,
	      c.vm.kernels[1]);
	expect_all_refused(refused);
}

/* A token or password file others can read, or another user owns, is told (ringlabd logs it). */
static void test_secret_files(void)
{
	static const struct { unsigned int mode; int want; const char *why; } modes[] = {
		{ 0600, 0, NULL }, { 0400, 0, NULL }, { 0640, 1, "mode 0640 lets its group" },
		{ 0604, 1, "mode 0604 lets every user" }, { 0644, 1, "mode 0644 lets every user" },
	};
	char path[128], why[128];
	uid_t me = geteuid();
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/token", tmpdir);
	f = fopen(path, "w");
	if (!f) {
		CHECK(0, "create %s", path);
		return;
	}
	fputs("secret\n", f);
	fclose(f);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		why[0] = '\0';
		chmod(path, modes[i].mode);
		ret = rl_secret_file_exposed(path, me, why, sizeof(why));
		CHECK(ret == modes[i].want && (!modes[i].why || strstr(why, modes[i].why)),
		      "mode %04o: %d '%s'", modes[i].mode, ret, why);
	}
	/* Owned by another user than root and the daemon's: exposed whatever its mode. */
	if (!me && chown(path, 65534, 65534) == 0) {
		chmod(path, 0600);
		ret = rl_secret_file_exposed(path, 0, why, sizeof(why));
		CHECK(ret == 1 && strstr(why, "owned by uid 65534"), "another owner: %d '%s'", ret, why);
		CHECK(rl_secret_file_exposed(path, 65534, why, sizeof(why)) == 0,
		      "the daemon's own user's file refused");
	}
	unlink(path);
	CHECK(rl_secret_file_exposed(path, me, why, sizeof(why)) == -ENOENT, "a missing file");
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cfg_path, sizeof(cfg_path), "%s/ringlabd.json", tmpdir);
	test_defaults();
	test_fleet();
	test_vm();
	test_bounds_table(rl_config_fields, "");
	test_unknown_keys();
	test_targets();
	test_cross_checks();
	test_duplicate_spellings();
	test_missing_file();
	test_markdown();
	test_reload_diff();
	test_store();
	test_secret_files();
	unlink(cfg_path);
	rmdir(tmpdir);
	return check_exit();
}
