/* SPDX-License-Identifier: MIT */
/*
 * fuzz_http: one HTTP request through ringlabd's own request path, without
 * a socket. rl_http_start() runs as the daemon runs it, but the few
 * libmicrohttpd calls that touch a connection are stand-ins defined here:
 * MHD_start_daemon() keeps server.c's callbacks, and the request's
 * headers and query arguments come from the input. The request then goes
 * through server.c as libmicrohttpd would take it there: the Host guard,
 * the route, the Origin and token guards, the body in pieces (cap and
 * 413; one large body at a time), the JSON body, and the handler, on a store holding two imported
 * runs and a nightly report, opened query-only so nothing a request does
 * changes the next one's answer.
 *
 * The input is the request as sent, without the socket's framing rules:
 *
 *	METHOD TARGET[ VERSION]      TARGET: /path[?query]
 *	Name: value                  headers, up to an empty line
 *
 *	body                         the rest, as the request's upload data
 *
 * Every request gets exactly one answer with a status in 100..599, a
 * served file lies inside the web directory, and everything the request
 * allocated is freed when libmicrohttpd would say it completed.
 */
#define RL_STORE_INTERNAL	/* rl_store_exec(), to make the store's connection query-only */

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "engine/result_json.h"
#include "http/server.h"
#include "ringlabd/daemon.h"
#include "store/store.h"
#include "util/clock.h"
#include "fuzz.h"

#define FIELDS_MAX 32
#define CHUNK 700		/* upload data arrives in pieces, as reads deliver it */
#define MAX_BODY 2048		/* the daemon's max_body, small enough for a body to pass it */
#define TOKEN "fuzz-token-0123"

/* ---- stand-ins for libmicrohttpd's connection side ---------------------------- */

struct field {
	char *name, *value;	/* value NULL: a query argument without '=' */
};

struct MHD_Connection {
	struct field headers[FIELDS_MAX], args[FIELDS_MAX];
	unsigned int nheaders, nargs;
};

struct MHD_Daemon {
	int unused;
};

/* MHD_OPTION_UNESCAPE_CALLBACK's function, which the header does not name. */
typedef size_t (*unescape_fn)(void *cls, struct MHD_Connection *c, char *s);

/* What MHD_start_daemon() was given by server.c. */
static struct {
	MHD_AccessHandlerCallback on_request;
	void *on_request_cls;
	MHD_RequestCompletedCallback on_completed;
	void *on_completed_cls;
	MHD_NotifyConnectionCallback on_connection;
	void *on_connection_cls;
	unescape_fn unescape;
	void *unescape_cls;
	struct MHD_Daemon daemon;
} mhd;

/* What MHD_queue_response() was given for the request under way. */
static struct {
	unsigned int answers, status;
} reply;

static char web_dir[FUZZ_PATH_MAX], secret[PATH_MAX];

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	enum MHD_OPTION opt;
	va_list ap;

	mhd.on_request = dh;
	mhd.on_request_cls = dh_cls;
	va_start(ap, dh_cls);
	while ((opt = va_arg(ap, enum MHD_OPTION)) != MHD_OPTION_END) {
		switch (opt) {
		case MHD_OPTION_NOTIFY_COMPLETED:
			mhd.on_completed = va_arg(ap, MHD_RequestCompletedCallback);
			mhd.on_completed_cls = va_arg(ap, void *);
			break;
		case MHD_OPTION_NOTIFY_CONNECTION:
			mhd.on_connection = va_arg(ap, MHD_NotifyConnectionCallback);
			mhd.on_connection_cls = va_arg(ap, void *);
			break;
		case MHD_OPTION_UNESCAPE_CALLBACK:
			mhd.unescape = va_arg(ap, unescape_fn);
			mhd.unescape_cls = va_arg(ap, void *);
			break;
		case MHD_OPTION_EXTERNAL_LOGGER:
			va_arg(ap, void *);
			va_arg(ap, void *);
			break;
		case MHD_OPTION_SOCK_ADDR:
			va_arg(ap, void *);
			break;
		case MHD_OPTION_CONNECTION_LIMIT:
		case MHD_OPTION_PER_IP_CONNECTION_LIMIT:
		case MHD_OPTION_CONNECTION_TIMEOUT:
			va_arg(ap, unsigned int);
			break;
		case MHD_OPTION_CONNECTION_MEMORY_LIMIT:
			va_arg(ap, size_t);
			break;
		default:
			/* server.c gained an option: teach this stand-in its arguments. */
			FUZZ_ASSERT(0, "MHD_start_daemon stand-in: option %d unknown", (int)opt);
		}
	}
	va_end(ap);
	FUZZ_ASSERT(mhd.on_completed, "server.c no longer frees requests on completion");
	return &mhd.daemon;
}

void MHD_stop_daemon(struct MHD_Daemon *daemon)
{
}

const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon,
						enum MHD_DaemonInfoType info_type, ...)
{
	return NULL;
}

/*
 * No socket, so nothing to tell: conn_limits.c then leaves the connection
 * untracked, as it does when libmicrohttpd cannot say either.
 */
const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *c,
							enum MHD_ConnectionInfoType info_type, ...)
{
	return NULL;
}

static struct field *find(struct field *f, unsigned int n, const char *key, bool headers)
{
	for (unsigned int i = 0; i < n; i++)
		if (headers ? !strcasecmp(f[i].name, key) : !strcmp(f[i].name, key))
			return &f[i];
	return NULL;
}

const char *MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
					const char *key)
{
	struct field *f = NULL;

	if (kind == MHD_HEADER_KIND)
		f = find(c->headers, c->nheaders, key, true);
	else if (kind == MHD_GET_ARGUMENT_KIND)
		f = find(c->args, c->nargs, key, false);
	return f ? f->value : NULL;
}

int MHD_get_connection_values(struct MHD_Connection *c, enum MHD_ValueKind kind,
			      MHD_KeyValueIterator it, void *cls)
{
	struct field *f = kind == MHD_HEADER_KIND ? c->headers :
			  kind == MHD_GET_ARGUMENT_KIND ? c->args : NULL;
	unsigned int n = kind == MHD_HEADER_KIND ? c->nheaders :
			 kind == MHD_GET_ARGUMENT_KIND ? c->nargs : 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (it && it(cls, kind, f[i].name, f[i].value) != MHD_YES)
			return (int)i + 1;
	return (int)n;
}

/* Whether this process has @path open: a file served is held open by its response. */
static bool has_open(const char *path)
{
	char link[320], target[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d = opendir("/proc/self/fd");
	ssize_t n;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			found = !strcmp(target, path);
		}
	}
	closedir(d);
	return found;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *c, unsigned int status,
				   struct MHD_Response *resp)
{
	FUZZ_ASSERT(resp, "a NULL response queued");
	FUZZ_ASSERT(status >= 100 && status <= 599, "status %u", status);
	FUZZ_ASSERT(!reply.answers, "a second answer (%u after %u)", status, reply.status);
	FUZZ_ASSERT(status != 200 || !has_open(secret), "served %s, outside the web directory",
		    secret);
	reply.answers++;
	reply.status = status;
	return MHD_YES;
}

/* ---- the daemon the requests reach ------------------------------------------------ */

static struct rl_daemon *lab;
static struct rl_http *http;

static void setup_web(void)
{
	char path[FUZZ_PATH_MAX + 64];

	snprintf(web_dir, sizeof(web_dir), "%s/web", fuzz_scratch());
	snprintf(path, sizeof(path), "%s/js", web_dir);
	FUZZ_ASSERT(mkdir(web_dir, 0700) == 0 && mkdir(path, 0700) == 0, "mkdir %s", path);
	snprintf(path, sizeof(path), "%s/index.html", web_dir);
	fuzz_write_file(path, (const uint8_t *)"<!doctype html>\n", 16);
	snprintf(path, sizeof(path), "%s/js/app.js", web_dir);
	fuzz_write_file(path, (const uint8_t *)"export {};\n", 11);
	/* A file beside the web directory, and a link to it from inside: never served. */
	snprintf(path, sizeof(path), "%s/secret.txt", fuzz_scratch());
	fuzz_write_file(path, (const uint8_t *)"secret\n", 7);
	FUZZ_ASSERT(realpath(path, secret), "realpath %s", path);
	snprintf(path, sizeof(path), "%s/leak.txt", web_dir);
	FUZZ_ASSERT(symlink(secret, path) == 0, "symlink %s", path);
}

static void import_run(struct rl_store *s, const char *file, const char *label, const char *tag)
{
	struct rl_store_run_req req = { .target = "vm", .label = label, .kernel_tag = tag };
	struct rl_err err = { "" };
	struct rl_run run;
	cJSON *j;
	int64_t id;

	FUZZ_ASSERT(rl_json_load_file(file, &j, &err) == 0, "%s", err.msg);
	FUZZ_ASSERT(rl_run_from_json(j, &run, &err) == 0, "%s: %s", file, err.msg);
	cJSON_Delete(j);
	req.what = run.suite;
	req.scale = run.scale;
	FUZZ_ASSERT(rl_store_run_import(s, &req, &run, &id, &err) == 0, "import: %s", err.msg);
	rl_run_free(&run);
}

static void fill_store(struct rl_store *s)
{
	static const char report[] = "{\"format\": \"ringlab-nightly-1\", \"status\": \"ok\","
		"\"summary\": \"2 ok (2 variants x 1 suite)\", \"label\": \"nightly-20260101-0200\","
		"\"started_ns\": 1767232800000000000, \"finished_ns\": 1767236400000000000,"
		"\"variants\": []}";
	char run[PATH_MAX];
	struct rl_err err = { "" };
	cJSON *j = cJSON_Parse(report);
	int64_t id;

	snprintf(run, sizeof(run), "%s/tests/fuzz/corpus/run/null-aligned-mixed.json",
		 fuzz_srcdir());
	import_run(s, run, "base", "base");
	import_run(s, run, "head", "series-v3");
	FUZZ_ASSERT(j && rl_store_nightly_add(s, j, &id, &err) == 0, "nightly: %s", err.msg);
	cJSON_Delete(j);
	/* Requests read it as the daemon's would; what they would write fails instead. */
	FUZZ_ASSERT(rl_store_exec(s, "PRAGMA query_only = ON", &err) == 0, "%s", err.msg);
}

static void stop(void)
{
	rl_http_stop(http);
	rl_store_close(lab->store);
	free(lab);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rl_daemon *d = calloc(1, sizeof(*d));
	struct rl_err err = { "" };

	FUZZ_ASSERT(d, "out of memory");
	setup_web();
	rl_config_defaults(&d->cfg);
	d->cfg.max_body = MAX_BODY;
	snprintf(d->cfg.token, sizeof(d->cfg.token), TOKEN);
	snprintf(d->token, sizeof(d->token), TOKEN);
	snprintf(d->cfg.allowed_hosts[0], sizeof(d->cfg.allowed_hosts[0]), "ringlab.lab");
	snprintf(d->cfg.allowed_hosts[1], sizeof(d->cfg.allowed_hosts[1]), "lab.example:8080");
	d->cfg.nallowed_hosts = 2;
	snprintf(d->cfg.web_dir, sizeof(d->cfg.web_dir), "%s", web_dir);
	snprintf(d->cfg.workloads_dir, sizeof(d->cfg.workloads_dir), "%s/workloads", fuzz_srcdir());
	snprintf(d->db_path, sizeof(d->db_path), "%s/ringlab.db", fuzz_scratch());
	pthread_rwlock_init(&d->cfg_lock, NULL);
	d->store_lock = d->wake_lock = d->progress_lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	d->wake = d->progress_cond = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
	d->started_ns = rl_wall_ns();
	FUZZ_ASSERT(rl_store_open(d->db_path, &d->store, &err) == 0, "store: %s", err.msg);
	fill_store(d->store);
	FUZZ_ASSERT(rl_http_start(d, &http, &err) == 0, "%s", err.msg);
	lab = d;
	atexit(stop);
	return 0;
}

/* ---- one request ------------------------------------------------------------------ */

/* The next line of *@p (up to @end), NUL-terminated in place, "\r\n" taken as "\n". */
static char *next_line(char **p, char *end)
{
	char *line = *p, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = end;
	}
	if (nl && nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	return line;
}

/* libmicrohttpd's treatment of a query: '+' is a space, then the unescape callback. */
static void unescape_arg(struct MHD_Connection *c, char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '+')
			*p = ' ';
	mhd.unescape(mhd.unescape_cls, c, s);
}

static void parse_query(struct MHD_Connection *c, char *q)
{
	char *save = NULL, *arg, *eq;

	for (arg = strtok_r(q, "&", &save); arg && c->nargs < FIELDS_MAX;
	     arg = strtok_r(NULL, "&", &save)) {
		eq = strchr(arg, '=');
		if (eq)
			*eq++ = '\0';
		unescape_arg(c, arg);
		if (eq)
			unescape_arg(c, eq);
		c->args[c->nargs++] = (struct field){ arg, eq };
	}
}

static void parse_header(struct MHD_Connection *c, char *line)
{
	char *colon = strchr(line, ':'), *v;

	if (!colon || colon == line || c->nheaders == FIELDS_MAX)
		return;
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	c->headers[c->nheaders++] = (struct field){ line, v };
}

/* The upload data, in pieces; false when server.c dropped the connection. */
static bool upload(struct MHD_Connection *c, const char *method, const char *url,
		   const char *body, size_t len, void **con_cls)
{
	for (size_t off = 0; off < len && !reply.answers; off += CHUNK) {
		size_t piece = len - off < CHUNK ? len - off : CHUNK, left = piece;

		if (mhd.on_request(mhd.on_request_cls, c, url, method, "HTTP/1.1", body + off, &left,
				   con_cls) != MHD_YES)
			return false;
		FUZZ_ASSERT(!left, "%zu bytes of upload data left unread", left);
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *p = text, *end = text + size;
	char *line, *method, *target, *query, *save = NULL;
	struct MHD_Connection c = { .nheaders = 0 };
	void *con_cls = NULL, *sock_ctx = NULL;
	size_t none = 0;
	bool alive;

	reply.answers = 0;
	line = next_line(&p, end);
	method = line ? strtok_r(line, " ", &save) : NULL;
	target = method ? strtok_r(NULL, " ", &save) : NULL;
	if (!target || target[0] != '/' || strlen(method) > 16) {
		free(text);
		return 0;
	}
	while ((line = next_line(&p, end)) && *line)
		parse_header(&c, line);
	query = strchr(target, '?');
	if (query) {
		*query++ = '\0';
		parse_query(&c, query);
	}
	mhd.unescape(mhd.unescape_cls, &c, target);
	if (mhd.on_connection)
		mhd.on_connection(mhd.on_connection_cls, &c, &sock_ctx, MHD_CONNECTION_NOTIFY_STARTED);
	/* As libmicrohttpd calls: the headers, each piece of the body, then the end of it. */
	alive = mhd.on_request(mhd.on_request_cls, &c, target, method, "HTTP/1.1", NULL, &none,
			       &con_cls) == MHD_YES;
	if (alive && !reply.answers)
		alive = upload(&c, method, target, p, (size_t)(end - p), &con_cls);
	if (alive && !reply.answers)
		alive = mhd.on_request(mhd.on_request_cls, &c, target, method, "HTTP/1.1", NULL,
				       &none, &con_cls) == MHD_YES;
	FUZZ_ASSERT(reply.answers || !alive, "%s %s: no answer", method, target);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "%s %s: %u\n", method, target, reply.answers ? reply.status : 0);
	mhd.on_completed(mhd.on_completed_cls, &c, &con_cls,
			 reply.answers ? MHD_REQUEST_TERMINATED_COMPLETED_OK :
			 MHD_REQUEST_TERMINATED_WITH_ERROR);
	FUZZ_ASSERT(!con_cls, "the request's state outlived its completion");
	if (mhd.on_connection)
		mhd.on_connection(mhd.on_connection_cls, &c, &sock_ctx, MHD_CONNECTION_NOTIFY_CLOSED);
	free(text);
	return 0;
}
