/* SPDX-License-Identifier: MIT */
/* test_http_routes: route matching and path parameters, 404/405 with Allow, Host and Origin allowlists, token check, query numbers, body cap, JSON counted before parsing, connection slots. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "http/conn_limits.h"
#include "http/guard.h"
#include "http/routes.h"

static int dummy_a(struct rl_http_req *r) { return 0; }
static int dummy_b(struct rl_http_req *r) { return 0; }
static int dummy_c(struct rl_http_req *r) { return 0; }
static int dummy_d(struct rl_http_req *r) { return 0; }
static int dummy_static(struct rl_http_req *r) { return 0; }

static const struct rl_route table[] = {
	{ "GET", "/a", dummy_a, 0 },
	{ "POST", "/a", dummy_b, RL_ROUTE_JSON_BODY },
	{ "GET", "/a/{id}", dummy_c, 0 },
	{ "DELETE", "/a/{id}", dummy_d, 0 },
	{ NULL, "/api/*", NULL, 0 },
	{ "GET", "/*", dummy_static, 0 },
	{ NULL, NULL, NULL, 0 },
};

static void test_match(void)
{
	struct rl_http_params p;
	char longid[300];

	CHECK(rl_route_match("/api/v1/health", "/api/v1/health", &p) && p.n == 0, "literal path");
	CHECK(!rl_route_match("/api/v1/health", "/api/v1/health/", &p), "trailing slash");
	CHECK(!rl_route_match("/api/v1/health", "/api/v1/healthz", &p), "longer segment");
	CHECK(!rl_route_match("/api/v1/health", "/api/v1", &p), "shorter path");
	CHECK(!rl_route_match("/api/v1/health", "/API/v1/health", &p), "case matters");
	CHECK(rl_route_match("/api/v1/runs/{id}", "/api/v1/runs/42", &p), "parameter");
	CHECK(p.n == 1 && !strcmp(p.p[0].name, "id") && !strcmp(p.p[0].value, "42"),
	      "parameter captured: n=%u", p.n);
	CHECK(!rl_route_match("/api/v1/runs/{id}", "/api/v1/runs/", &p), "empty parameter");
	CHECK(!rl_route_match("/api/v1/runs/{id}", "/api/v1/runs/42/cancel", &p), "extra segment");
	CHECK(rl_route_match("/api/v1/runs/{id}/cancel", "/api/v1/runs/7/cancel", &p) &&
	      !strcmp(p.p[0].value, "7"), "parameter in the middle");
	CHECK(!rl_route_match("/api/v1/runs/{id}/cancel", "/api/v1/runs/7/progress", &p),
	      "wrong tail");
	CHECK(rl_route_match("/x/{a}/{b}", "/x/1/2", &p) && p.n == 2 &&
	      !strcmp(p.p[1].name, "b") && !strcmp(p.p[1].value, "2"), "two parameters");
	CHECK(rl_route_match("/*", "/", &p), "wildcard, empty rest");
	CHECK(rl_route_match("/*", "/js/app.js", &p), "wildcard, deep rest");
	CHECK(rl_route_match("/api/*", "/api/v1/nope", &p), "namespace wildcard");
	CHECK(!rl_route_match("/api/*", "/apix/v1", &p), "wildcard needs its prefix segment");
	CHECK(rl_route_match("/a/{id}", "/a/5", NULL), "NULL params");
	memset(longid, '7', sizeof(longid) - 1);
	memcpy(longid, "/a/", 3);
	longid[sizeof(longid) - 1] = '\0';
	CHECK(!rl_route_match("/a/{id}", longid, &p), "a parameter too long is no match");
}

static void test_find(void)
{
	const struct rl_route *r;
	struct rl_http_params p;
	char allow[RL_HTTP_ALLOW_LEN], tiny[8];
	int ret;

	ret = rl_route_find(table, "GET", "/a", &r, &p, allow, sizeof(allow));
	CHECK(ret == 0 && r == &table[0], "GET /a: %d", ret);
	ret = rl_route_find(table, "POST", "/a", &r, &p, allow, sizeof(allow));
	CHECK(ret == 0 && r == &table[1] && (r->flags & RL_ROUTE_JSON_BODY), "POST /a: %d", ret);
	ret = rl_route_find(table, "HEAD", "/a", &r, &p, allow, sizeof(allow));
	CHECK(ret == 0 && r == &table[0], "HEAD is served by GET: %d", ret);
	ret = rl_route_find(table, "PUT", "/a", &r, &p, allow, sizeof(allow));
	CHECK(ret == -EOPNOTSUPP && r == NULL, "PUT /a is a 405: %d", ret);
	CHECK(!strcmp(allow, "GET, HEAD, POST"), "Allow: '%s'", allow);
	ret = rl_route_find(table, "DELETE", "/a/5", &r, &p, allow, sizeof(allow));
	CHECK(ret == 0 && r == &table[3] && !strcmp(p.p[0].value, "5"), "DELETE /a/5: %d", ret);
	ret = rl_route_find(table, "POST", "/a/5", &r, &p, allow, sizeof(allow));
	CHECK(ret == -EOPNOTSUPP && !strcmp(allow, "GET, HEAD, DELETE"), "POST /a/5: %d '%s'", ret,
	      allow);
	ret = rl_route_find(table, "GET", "/api/x", &r, &p, allow, sizeof(allow));
	CHECK(ret == -ENOENT && r == NULL, "the /api namespace is a 404 for GET: %d", ret);
	ret = rl_route_find(table, "POST", "/api/v1/x", &r, &p, allow, sizeof(allow));
	CHECK(ret == -ENOENT, "the /api namespace is a 404 for POST too: %d", ret);
	ret = rl_route_find(table, "GET", "/index.html", &r, &p, allow, sizeof(allow));
	CHECK(ret == 0 && r == &table[5], "static files: %d", ret);
	ret = rl_route_find(table, "POST", "/index.html", &r, &p, allow, sizeof(allow));
	CHECK(ret == -EOPNOTSUPP && !strcmp(allow, "GET, HEAD"), "POST to a file: %d '%s'", ret,
	      allow);
	ret = rl_route_find(table, "PUT", "/a", &r, &p, tiny, sizeof(tiny));
	CHECK(ret == -EOPNOTSUPP && strlen(tiny) < sizeof(tiny), "a short Allow buffer is not overrun");
}

/* The daemon's own table: what API.md promises. */
static void test_api_table(void)
{
	struct rl_http_req req = { 0 };
	const struct rl_route *r;
	struct rl_http_params p;
	char allow[RL_HTTP_ALLOW_LEN];
	int ret;

	ret = rl_route_find(rl_http_routes, "GET", "/api/v1/runs/12/events", &r, &req.params,
			    allow, sizeof(allow));
	CHECK(ret == 0 && r->handler == rl_route_run_events, "events route: %d", ret);
	CHECK(!strcmp(rl_http_param(&req, "id"), "12") && !strcmp(rl_http_param(&req, "x"), ""),
	      "rl_http_param: '%s'", rl_http_param(&req, "id"));
	ret = rl_route_find(rl_http_routes, "POST", "/api/v1/runs", &r, &p, allow, sizeof(allow));
	CHECK(ret == 0 && r->handler == rl_route_runs_create && (r->flags & RL_ROUTE_JSON_BODY),
	      "POST /api/v1/runs takes JSON: %d", ret);
	ret = rl_route_find(rl_http_routes, "GET", "/api/v1/runs", &r, &p, allow, sizeof(allow));
	CHECK(ret == 0 && r->handler == rl_route_runs_list && !(r->flags & RL_ROUTE_JSON_BODY),
	      "GET /api/v1/runs: %d", ret);
	ret = rl_route_find(rl_http_routes, "DELETE", "/api/v1/runs", &r, &p, allow, sizeof(allow));
	CHECK(ret == -EOPNOTSUPP && !strcmp(allow, "GET, HEAD, POST"), "DELETE runs: %d '%s'", ret,
	      allow);
	ret = rl_route_find(rl_http_routes, "POST", "/api/v1/runs/3/cancel", &r, &p, allow,
			    sizeof(allow));
	CHECK(ret == 0 && r->handler == rl_route_run_cancel, "cancel: %d", ret);
	ret = rl_route_find(rl_http_routes, "GET", "/api/v1/runs/3/cancel", &r, &p, allow,
			    sizeof(allow));
	CHECK(ret == -EOPNOTSUPP && !strcmp(allow, "POST"), "GET cancel: %d '%s'", ret, allow);
	ret = rl_route_find(rl_http_routes, "GET", "/api/v1/nope", &r, &p, allow, sizeof(allow));
	CHECK(ret == -ENOENT, "unknown API path: %d", ret);
	ret = rl_route_find(rl_http_routes, "GET", "/api/v1/runs/3/nope", &r, &p, allow,
			    sizeof(allow));
	CHECK(ret == -ENOENT, "unknown run sub-path: %d", ret);
	ret = rl_route_find(rl_http_routes, "GET", "/metrics", &r, &p, allow, sizeof(allow));
	CHECK(ret == 0 && r->handler == rl_route_metrics, "metrics: %d", ret);
	ret = rl_route_find(rl_http_routes, "POST", "/metrics", &r, &p, allow, sizeof(allow));
	CHECK(ret == -EOPNOTSUPP && !strcmp(allow, "GET, HEAD"), "POST metrics: %d", ret);
	ret = rl_route_find(rl_http_routes, "GET", "/", &r, &p, allow, sizeof(allow));
	CHECK(ret == 0 && r->handler == rl_route_static, "dashboard: %d", ret);
	for (const struct rl_route *row = rl_http_routes; row->pattern; row++)
		CHECK(!row->handler || !strcmp(row->method, "GET") || !strcmp(row->method, "POST"),
		      "row %s %s: the API has GET and POST only", row->method, row->pattern);
}

static void test_host(void)
{
	struct rl_config c;

	memset(&c, 0, sizeof(c));
	strcpy(c.listen, "127.0.0.1");
	CHECK(rl_http_host_allowed(NULL, &c), "no Host (HTTP/1.0)");
	CHECK(rl_http_host_allowed("localhost", &c), "localhost");
	CHECK(rl_http_host_allowed("LOCALHOST:7117", &c), "case-insensitive, with port");
	CHECK(rl_http_host_allowed("127.0.0.1:80", &c), "127.0.0.1, any port");
	CHECK(rl_http_host_allowed("[::1]:7117", &c), "[::1] with port");
	CHECK(rl_http_host_allowed("[::1]", &c), "[::1]");
	CHECK(!rl_http_host_allowed("::1", &c), "unbracketed IPv6 is malformed");
	CHECK(!rl_http_host_allowed("evil.example.com", &c), "another name");
	CHECK(!rl_http_host_allowed("localhost.evil.example.com", &c), "a name ending elsewhere");
	CHECK(!rl_http_host_allowed("127.0.0.1.nip.io", &c), "rebinding name");
	CHECK(!rl_http_host_allowed("localhost:abc", &c), "non-numeric port");
	CHECK(!rl_http_host_allowed("localhost:", &c), "empty port");
	CHECK(!rl_http_host_allowed("", &c), "empty Host");
	CHECK(!rl_http_host_allowed("[::1", &c), "unclosed bracket");
	CHECK(!rl_http_host_allowed("[::1]x", &c), "junk after bracket");
	CHECK(!rl_http_host_allowed("192.168.1.5:7117", &c), "not the listen address");

	strcpy(c.listen, "192.168.1.5");
	CHECK(rl_http_host_allowed("192.168.1.5:7117", &c), "the listen address");
	strcpy(c.listen, "2001:db8::5");
	CHECK(rl_http_host_allowed("[2001:db8::5]:7117", &c), "the IPv6 listen address");
	CHECK(!rl_http_host_allowed("[2001:db8::6]:7117", &c), "another IPv6 address");

	strcpy(c.allowed_hosts[0], "lab.example");
	strcpy(c.allowed_hosts[1], "other.example:8443");
	c.nallowed_hosts = 2;
	CHECK(rl_http_host_allowed("lab.example:1234", &c), "allowed name, any port");
	CHECK(rl_http_host_allowed("LAB.example", &c), "allowed name, no port");
	CHECK(rl_http_host_allowed("other.example:8443", &c), "allowed name:port");
	CHECK(!rl_http_host_allowed("other.example:80", &c), "allowed name, other port");
	CHECK(!rl_http_host_allowed("other.example", &c), "name:port entry needs the port");
	c.nallowed_hosts = 1;
	CHECK(!rl_http_host_allowed("other.example:8443", &c), "only nallowed_hosts entries count");
}

static void test_origin(void)
{
	struct rl_config c;

	memset(&c, 0, sizeof(c));
	strcpy(c.listen, "127.0.0.1");
	strcpy(c.allowed_hosts[0], "lab.example");
	strcpy(c.allowed_hosts[1], "proxy.example:443");
	c.nallowed_hosts = 2;
	CHECK(rl_http_origin_allowed(NULL, &c, 7117), "no Origin");
	CHECK(rl_http_origin_allowed("http://localhost:7117", &c, 7117), "loopback origin, own port");
	CHECK(rl_http_origin_allowed("http://[::1]:7117", &c, 7117), "IPv6 loopback origin");
	CHECK(rl_http_origin_allowed("http://LAB.example:7117", &c, 7117), "allowed name, own port");
	CHECK(!rl_http_origin_allowed("http://localhost:8080", &c, 7117), "loopback, another port");
	CHECK(!rl_http_origin_allowed("http://localhost", &c, 7117), "loopback, port 80");
	CHECK(rl_http_origin_allowed("http://localhost", &c, 80), "port 80 is the default");
	CHECK(!rl_http_origin_allowed("https://127.0.0.1:7117", &c, 7117), "https, the daemon speaks http");
	CHECK(!rl_http_origin_allowed("https://127.0.0.1", &c, 7117), "https loopback origin");
	CHECK(!rl_http_origin_allowed("http://lab.example:8080", &c, 7117), "allowed name, another port");
	CHECK(rl_http_origin_allowed("https://proxy.example", &c, 7117), "name:port entry, https default");
	CHECK(rl_http_origin_allowed("https://proxy.example:443", &c, 7117), "name:port entry, explicit");
	CHECK(!rl_http_origin_allowed("https://proxy.example:8443", &c, 7117), "name:port entry, other port");
	CHECK(!rl_http_origin_allowed("http://proxy.example:7117", &c, 7117), "name:port entry only");
	CHECK(!rl_http_origin_allowed("null", &c, 7117), "opaque origin");
	CHECK(!rl_http_origin_allowed("http://evil.example.com:7117", &c, 7117), "foreign origin");
	CHECK(!rl_http_origin_allowed("ftp://localhost:7117", &c, 7117), "other scheme");
	CHECK(!rl_http_origin_allowed("http://localhost:7117/x", &c, 7117), "origin with a path");
	CHECK(!rl_http_origin_allowed("http://x@localhost:7117", &c, 7117), "origin with user info");
	CHECK(!rl_http_origin_allowed("http://localhost:99999", &c, 7117), "port out of range");
	CHECK(!rl_http_origin_allowed("http://", &c, 7117), "empty host");
}

static void test_token(void)
{
	CHECK(rl_http_token_ok("s3cret", "Bearer s3cret"), "right token");
	CHECK(rl_http_token_ok("s3cret", "bearer s3cret"), "scheme is case-insensitive");
	CHECK(rl_http_token_ok("s3cret", "Bearer  s3cret "), "surrounding spaces");
	CHECK(!rl_http_token_ok("s3cret", "Bearer s3creT"), "last byte differs");
	CHECK(!rl_http_token_ok("s3cret", "Bearer S3cret"), "first byte differs");
	CHECK(!rl_http_token_ok("s3cret", "Bearer s3cre"), "prefix");
	CHECK(!rl_http_token_ok("s3cret", "Bearer s3crets3cret"), "token repeated");
	CHECK(!rl_http_token_ok("s3cret", "Bearer s3cretx"), "longer");
	CHECK(!rl_http_token_ok("s3cret", "Basic s3cret"), "other scheme");
	CHECK(!rl_http_token_ok("s3cret", "Bearer"), "no token");
	CHECK(!rl_http_token_ok("s3cret", "Bearer "), "empty token");
	CHECK(!rl_http_token_ok("s3cret", "s3cret"), "no scheme");
	CHECK(!rl_http_token_ok("s3cret", NULL), "no header");
	CHECK(!rl_http_token_ok("", "Bearer "), "no token configured never matches");
	CHECK(rl_http_method_mutates("POST") && rl_http_method_mutates("DELETE") &&
	      rl_http_method_mutates("PUT") && rl_http_method_mutates("PATCH"), "mutating methods");
	CHECK(!rl_http_method_mutates("GET") && !rl_http_method_mutates("HEAD") &&
	      !rl_http_method_mutates("OPTIONS"), "safe methods");
}

static void test_parse_int(void)
{
	struct rl_err err = { "" };
	int64_t v = -7;

	CHECK(rl_http_parse_int("limit", NULL, 1, 1000, 50, &v, &err) == 0 && v == 50, "absent: %lld",
	      (long long)v);
	CHECK(rl_http_parse_int("limit", "", 1, 1000, 50, &v, &err) == 0 && v == 50, "empty");
	CHECK(rl_http_parse_int("limit", "7", 1, 1000, 50, &v, &err) == 0 && v == 7, "7");
	CHECK(rl_http_parse_int("limit", "1000", 1, 1000, 50, &v, &err) == 0 && v == 1000, "max");
	CHECK(rl_http_parse_int("limit", "0", 1, 1000, 50, &v, &err) == -EINVAL, "below min");
	CHECK(strstr(err.msg, "limit") && strstr(err.msg, "1..1000"), "message: %s", err.msg);
	CHECK(rl_http_parse_int("limit", "1001", 1, 1000, 50, &v, &err) == -EINVAL, "above max");
	CHECK(rl_http_parse_int("limit", "abc", 1, 1000, 50, &v, &err) == -EINVAL &&
	      strstr(err.msg, "not an integer"), "not a number: %s", err.msg);
	CHECK(rl_http_parse_int("limit", "12x", 1, 1000, 50, &v, &err) == -EINVAL, "trailing junk");
	CHECK(rl_http_parse_int("limit", " 5", 1, 1000, 50, &v, &err) == -EINVAL, "leading space");
	CHECK(rl_http_parse_int("limit", "+5", 1, 1000, 50, &v, &err) == -EINVAL, "plus sign");
	CHECK(rl_http_parse_int("limit", "1.5", 1, 1000, 50, &v, &err) == -EINVAL, "fraction");
	CHECK(rl_http_parse_int("limit", "05", 1, 1000, 50, &v, &err) == -EINVAL &&
	      strstr(err.msg, "leading zeros"), "leading zero: %s", err.msg);
	CHECK(rl_http_parse_int("x", "-0", -5, 5, 0, &v, &err) == -EINVAL, "minus zero");
	CHECK(rl_http_parse_int("offset", "0", 0, 5, 1, &v, &err) == 0 && v == 0, "zero");
	CHECK(rl_http_parse_int("offset", "-1", 0, 100, 0, &v, &err) == -EINVAL &&
	      strstr(err.msg, "offset"), "negative offset: %s", err.msg);
	CHECK(rl_http_parse_int("offset", "99999999999999999999", 0, INT64_MAX, 0, &v, &err) ==
	      -EINVAL, "overflow");
	CHECK(rl_http_parse_int("x", "-3", -5, 5, 0, &v, &err) == 0 && v == -3, "negative in range");
}

static void test_body(void)
{
	struct rl_http_body b = { 0 };

	CHECK(rl_http_body_append(&b, "12345", 5, 10) == 0 && b.len == 5 && !strcmp(b.data, "12345"),
	      "first piece");
	CHECK(rl_http_body_append(&b, "67890", 5, 10) == 0 && b.len == 10 &&
	      !strcmp(b.data, "1234567890"), "up to the cap");
	CHECK(b.cap <= 11, "never more than max + 1 allocated: %zu", b.cap);
	CHECK(rl_http_body_append(&b, "x", 1, 10) == -EFBIG && b.len == 10 &&
	      !strcmp(b.data, "1234567890"), "one byte over is refused, nothing added");
	CHECK(rl_http_body_append(&b, "", 0, 10) == 0 && b.len == 10, "nothing more is fine");
	free(b.data);
	b = (struct rl_http_body){ 0 };
	CHECK(rl_http_body_append(&b, "01234567890", 11, 10) == -EFBIG && b.len == 0,
	      "a first piece over the cap");
	free(b.data);
}

/* The count before the parse: every value cJSON would build, strings skipped whole. */
static void test_json_scan(void)
{
	struct rl_json_limits lim = { .max_values = 4, .max_depth = 2 };
	struct rl_err err = { "" };
	const char *t;

	t = "[0,0,0]";
	CHECK(rl_json_scan(t, strlen(t), &lim, &err) == 0, "4 values: %s", err.msg);
	t = "[0,0,0,0]";
	CHECK(rl_json_scan(t, strlen(t), &lim, &err) == -EFBIG && strstr(err.msg, "more than 4 JSON values"),
	      "5 values: %s", err.msg);
	t = "{\"a\": \"x,y,z,[,{\\\",\\\\\", \"b\": 1}";
	CHECK(rl_json_scan(t, strlen(t), &lim, &err) == 0, "commas and brackets in strings: %s", err.msg);
	t = "[[1]]";
	CHECK(rl_json_scan(t, strlen(t), &lim, &err) == 0, "2 deep");
	t = "[[[1]]]";
	CHECK(rl_json_scan(t, strlen(t), &lim, &err) == -EINVAL && strstr(err.msg, "nested more than 2 deep"),
	      "3 deep: %s", err.msg);
	t = "[[1]],[[1]]";
	lim.max_values = 0;
	CHECK(rl_json_scan(t, strlen(t), &lim, &err) == 0, "depth goes back down");
	lim = (struct rl_json_limits){ 0 };
	t = "[[[[[[[[[[0,0,0,0,0,0]]]]]]]]]]";
	CHECK(rl_json_scan(t, strlen(t), &lim, &err) == 0, "no limits");
	CHECK(rl_http_json_values_cap(NULL, &(struct rl_config){ .max_body = 65536 }) == 4096,
	      "one value per 16 bytes of max_body");
}

/* What cJSON takes and no reader after it can keep: bytes not UTF-8, an escaped NUL. */
static void test_json_text(void)
{
	static const struct {
		const char *text, *want;	/* want NULL: accepted */
	} cases[] = {
		{ "{\"l\": \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xa9\", \"b\": \"\\\\u0000\"}", NULL },
		{ "{\"label\": \"\xff\"}", "byte 11: not UTF-8 (0xff)" },
		{ "{\"l\": \"\xc0\xaf \"}", "not UTF-8 (0xc0)" },		/* overlong '/' */
		{ "{\"l\": \"\xed\xa0\x80\"}", "not UTF-8 (0xed)" },	/* a surrogate */
		{ "{\"l\": \"\xf4\x90\x80\x80\"}", "not UTF-8 (0xf4)" },	/* past U+10FFFF */
		{ "{\"l\": \"\xe2\x82\"}", "not UTF-8 (0xe2)" },		/* cut short */
		{ "{\"l\": \"a\\u0000b\"}", "holds \\u0000" },
	};
	struct rl_json_limits lim = { 0 };
	struct rl_err err;
	int ret;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		ret = rl_json_scan(cases[i].text, strlen(cases[i].text), &lim, &err);
		CHECK(cases[i].want ? ret == -EINVAL && strstr(err.msg, cases[i].want) : ret == 0,
		      "case %zu: %d '%s', want %s", i, ret, err.msg, cases[i].want ? cases[i].want : "0");
	}
}

/* unique_keys TEXT: rl_json_unique_keys() of TEXT parsed, its message in @err. */
static int unique_keys(const char *text, struct rl_err *err)
{
	cJSON *j = cJSON_Parse(text);
	int ret;

	err->msg[0] = '\0';
	CHECK(j != NULL, "test text does not parse: %s", text);
	ret = rl_json_unique_keys(j, err);
	cJSON_Delete(j);
	return ret;
}

/*
 * An object of @n members "k0".."k{n-1}", nested in "x.y[1]": unique, and
 * with "k0" repeated at its end (the last probe of a full table) refused.
 */
static void test_unique_keys_many(size_t n)
{
	char *text = malloc(n * 16 + 64), *p;
	struct rl_err err;

	CHECK(text != NULL, "out of memory");
	for (int dup = 0; dup < 2; dup++) {
		p = text + sprintf(text, "{\"x\": {\"y\": [0, {");
		for (size_t i = 0; i < n; i++)
			p += sprintf(p, "%s\"k%zu\": %zu", i ? ", " : "", i, i);
		sprintf(p, "%s}]}}", dup ? ", \"k0\": 1" : "");
		if (!dup)
			CHECK(unique_keys(text, &err) == 0, "%zu names: %s", n, err.msg);
		else
			CHECK(unique_keys(text, &err) == -EINVAL &&
			      strstr(err.msg, "key 'k0' given twice in x.y[1]"),
			      "%zu names, one twice: %s", n, err.msg);
	}
	free(text);
}

/* A body naming a key twice: cJSON finds the first, other readers the last. */
static void test_unique_keys(void)
{
	struct rl_err err;

	CHECK(unique_keys("{\"suite\": \"seed\", \"suite\": \"race\"}", &err) == -EINVAL &&
	      strstr(err.msg, "key 'suite' given twice in the top-level object"), "top level: %s", err.msg);
	CHECK(unique_keys("{\"run\": {\"cells\": [{}, {\"b\": 1, \"a\": 2, \"b\": 3}]}}", &err) == -EINVAL &&
	      strstr(err.msg, "key 'b' given twice in run.cells[1]"), "nested: %s", err.msg);
	CHECK(unique_keys("{\"a\": {\"a\": 1}, \"b\": [{\"a\": 1}, {\"a\": 2}], \"c\": \"a\"}", &err) == 0,
	      "one name in different objects: %s", err.msg);
	CHECK(unique_keys("[1, {}, []]", &err) == 0, "no members: %s", err.msg);
	CHECK(unique_keys("{\"\": 1, \"\": 2}", &err) == -EINVAL &&
	      strstr(err.msg, "key '' given twice"), "empty name: %s", err.msg);
	test_unique_keys_many(50);	/* in a table on the stack */
	test_unique_keys_many(3000);	/* a table of its own */
}

/* Who gets a connection slot: per address, the loopback reserve, the whole pool. */
static void test_conn_verdict(void)
{
	struct rl_conn_counts n = { .total = 10, .not_loopback = 10, .same_addr = 3 };
	struct sockaddr_in v4 = { .sin_family = AF_INET };
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };

	CHECK(rl_http_conn_verdict(&n, 64, 16) == RL_CONN_ACCEPT, "room everywhere");
	n.same_addr = 16;
	CHECK(rl_http_conn_verdict(&n, 64, 16) == RL_CONN_DISPLACE_SAME_ADDR, "address at its limit");
	n = (struct rl_conn_counts){ .total = 56, .not_loopback = 56, .same_addr = 15 };
	CHECK(rl_http_conn_verdict(&n, 64, 16) == RL_CONN_DISPLACE_NOT_LOOPBACK,
	      "others fill all but the 8 loopback slots");
	n.loopback = true;
	n.same_addr = 0;
	CHECK(rl_http_conn_verdict(&n, 64, 16) == RL_CONN_ACCEPT, "loopback takes a reserved slot");
	n.total = 64;
	CHECK(rl_http_conn_verdict(&n, 64, 16) == RL_CONN_DISPLACE_ANY, "every slot taken");
	n = (struct rl_conn_counts){ .total = 2, .not_loopback = 2, .same_addr = 1 };
	CHECK(rl_http_conn_verdict(&n, 4, 4) == RL_CONN_ACCEPT, "4 slots: a reserve of 1");
	n.total = n.not_loopback = 3;
	CHECK(rl_http_conn_verdict(&n, 4, 4) == RL_CONN_DISPLACE_NOT_LOOPBACK, "4 slots: 3 for others");
	n.total = n.not_loopback = 0;
	n.same_addr = 0;
	CHECK(rl_http_conn_verdict(&n, 1, 1) == RL_CONN_ACCEPT, "1 slot, no reserve");
	inet_pton(AF_INET, "127.0.0.5", &v4.sin_addr);
	CHECK(rl_http_sockaddr_loopback((struct sockaddr *)&v4, sizeof(v4)), "127.0.0.5");
	inet_pton(AF_INET, "10.0.0.1", &v4.sin_addr);
	CHECK(!rl_http_sockaddr_loopback((struct sockaddr *)&v4, sizeof(v4)), "10.0.0.1");
	inet_pton(AF_INET6, "::1", &v6.sin6_addr);
	CHECK(rl_http_sockaddr_loopback((struct sockaddr *)&v6, sizeof(v6)), "::1");
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &v6.sin6_addr);
	CHECK(rl_http_sockaddr_loopback((struct sockaddr *)&v6, sizeof(v6)), "::ffff:127.0.0.1");
	inet_pton(AF_INET6, "::ffff:10.0.0.1", &v6.sin6_addr);
	CHECK(!rl_http_sockaddr_loopback((struct sockaddr *)&v6, sizeof(v6)), "::ffff:10.0.0.1");
	inet_pton(AF_INET6, "2001:db8::1", &v6.sin6_addr);
	CHECK(!rl_http_sockaddr_loopback((struct sockaddr *)&v6, sizeof(v6)), "2001:db8::1");
}

int main(void)
{
	test_match();
	test_find();
	test_api_table();
	test_host();
	test_origin();
	test_token();
	test_parse_int();
	test_body();
	test_json_scan();
	test_json_text();
	test_unique_keys();
	test_conn_verdict();
	return check_exit();
}
