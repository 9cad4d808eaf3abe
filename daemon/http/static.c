/* SPDX-License-Identifier: MIT */
/*
 * The dashboard's files, from cfg.web_dir: GET (and HEAD) only, "/" is
 * index.html. A path is refused before touching the filesystem when it has a
 * ".." or a NUL ("%00", which server.c leaves encoded), and served only when
 * its realpath lies inside web_dir's, so neither a crafted URL nor a symlink
 * leads out of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "routes.h"

static const struct {
	const char *ext, *type;
} content_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".map", "application/json; charset=utf-8" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".woff2", "font/woff2" },
};

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(content_types) / sizeof(content_types[0]); i++)
		if (!strcmp(dot, content_types[i].ext))
			return content_types[i].type;
	return "application/octet-stream";
}

static int not_found(struct rl_http_req *r)
{
	return rl_http_reply_error(r, 404, cJSON_CreateString(r->url), "no such file: %.200s",
				   r->url);
}

/*
 * The file @url names inside @root (already a realpath) into @out. Returns 0,
 * or -ENOENT for anything that does not resolve to a regular file under root.
 */
static int resolve(const char *root, const char *url, char *out)
{
	char path[PATH_MAX];
	const char *rel = url + strspn(url, "/");
	size_t rlen = strlen(root), ulen = strlen(rel);
	struct stat st;

	if (strstr(rel, "..") || strstr(rel, "%00"))
		return -ENOENT;
	if (snprintf(path, sizeof(path), "%s/%s%s", root, rel,
		     !ulen || rel[ulen - 1] == '/' ? "index.html" : "") >= (int)sizeof(path))
		return -ENOENT;
	if (!realpath(path, out))
		return -ENOENT;
	if (strncmp(out, root, rlen) || out[rlen] != '/')
		return -ENOENT;
	if (stat(out, &st) < 0 || !S_ISREG(st.st_mode))
		return -ENOENT;
	return 0;
}

int rl_route_static(struct rl_http_req *r)
{
	char root[PATH_MAX], path[PATH_MAX];
	struct MHD_Response *resp;
	struct stat st;
	int fd;

	/* No dashboard at all (not built or installed) is not a missing page: say which. */
	if (!r->d->cfg.web_dir[0] || !realpath(r->d->cfg.web_dir, root))
		return rl_http_reply_error(r, 404, cJSON_CreateString(r->url),
					   "no dashboard here: web_dir '%.200s': %s (ringlabd --web DIR "
					   "or web_dir names it)", r->d->cfg.web_dir, strerror(errno));
	if (resolve(root, r->url, path) < 0)
		return not_found(r);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return not_found(r);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return not_found(r);
	}
	/* libmicrohttpd owns the fd from here: it closes it with the response. */
	resp = MHD_create_response_from_fd((size_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return -ENOMEM;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(path));
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* Not content-hashed: pages revalidate, assets may be a few minutes stale. */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				!strcmp(content_type(path), content_types[0].type) ?
				"no-cache" : "public, max-age=300");
	return rl_http_reply(r, 200, resp);
}
