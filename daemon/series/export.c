/* SPDX-License-Identifier: MIT */
/* Writing the patches taken as NNNN-slug.patch files, never over an existing one. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "mbox.h"
#include "util/cleanup.h"

#define SLUG_MAX 52	/* git's 64-character name less "NNNN-" and ".patch" */

/* Headers copied as they were sent, so git am decodes them itself. */
static const enum rl_hdr kept[] = { RL_HDR_FROM, RL_HDR_DATE, RL_HDR_SUBJECT, RL_HDR_MESSAGE_ID,
				    RL_HDR_IN_REPLY_TO };
static const char *const kept_names[] = { "From", "Date", "Subject", "Message-ID", "In-Reply-To" };

static bool title_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_';
}

char *rl_series_slug(const char *title, char *buf, size_t size)
{
	size_t n = 0, max = size - 1 < SLUG_MAX ? size - 1 : SLUG_MAX;
	bool gap = false;

	for (const char *p = title; *p && n < max; p++) {
		if (!title_char(*p)) {
			gap = n > 0;
			continue;
		}
		if (gap && n + 1 < max)
			buf[n++] = '-';
		gap = false;
		buf[n++] = *p;
		while (*p == '.' && p[1] == '.')
			p++;
	}
	while (n && (buf[n - 1] == '.' || buf[n - 1] == '-'))
		n--;
	buf[n] = '\0';
	return buf;
}

/*
 * @body with each line that could pass for an mbox separator ("From "
 * and a time) escaped as mboxrd does, ">From ": format-patch leaves them,
 * and then this patch's file reads back as two mails. Every other line,
 * "From here on" too, is written as format-patch writes it.
 */
static void write_body(FILE *f, const char *body, size_t len)
{
	const char *p = body, *end = body + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl ? nl + 1 : end;
		if (rl_mbox_like_separator(p, nl))
			fputc('>', f);
		fwrite(p, 1, (size_t)(nl - p), f);
		p = nl;
	}
}

/* The mail for @m: kept headers, a MIME header for the decoded body, then the body. */
static void write_mail(FILE *f, const struct rl_msg *m)
{
	const char *cte = m->hdr[RL_HDR_CTE];
	bool decoded = cte && (!strcasecmp(cte, "base64") || !strcasecmp(cte, "quoted-printable"));

	fprintf(f, "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n");
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (m->raw[kept[i]])
			fprintf(f, "%s: %s\n", kept_names[i], m->raw[kept[i]]);
	fprintf(f, "MIME-Version: 1.0\nContent-Type: %s\n",
		m->raw[RL_HDR_CONTENT_TYPE] ?: "text/plain; charset=UTF-8");
	if (decoded || m->raw[RL_HDR_CTE])
		fprintf(f, "Content-Transfer-Encoding: %s\n", decoded ? "8bit" : m->raw[RL_HDR_CTE]);
	fprintf(f, "\n");
	write_body(f, m->body, m->body_len);
}

static int write_one(const char *outdir, const struct rl_series_patch *p, struct rl_err *err)
{
	const struct rl_msg *m = p->msg;
	_cleanup_fclose_ FILE *f = NULL;
	char slug[SLUG_MAX + 1], path[4096];
	int fd;

	rl_series_slug(m->subj.title, slug, sizeof(slug));
	if ((size_t)snprintf(path, sizeof(path), "%s/%04u-%s.patch", outdir, p->number, slug) >=
	    sizeof(path))
		return rl_err_set(err, -ENAMETOOLONG, "%s: a path too long", outdir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return rl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return rl_err_set(err, -ENOMEM, "%s: out of memory", path);
	}
	/* A mail stays one without its From: git am names what it lacks; a diff is left bare. */
	if (m->mail)
		write_mail(f, m);
	else
		fwrite(m->body, 1, m->body_len, f);
	if (fflush(f) || ferror(f))
		return rl_err_set(err, -EIO, "%s: %s", path, strerror(errno ?: EIO));
	return 0;
}

int rl_series_export(const struct rl_series_sel *sel, const char *outdir, struct rl_err *err)
{
	int ret;

	if (mkdir(outdir, 0755) < 0 && errno != EEXIST)
		return rl_err_set(err, -errno, "%s: %s", outdir, strerror(errno));
	for (size_t i = 0; i < sel->ntaken; i++) {
		ret = write_one(outdir, &sel->taken[i], err);
		if (ret)
			return ret;
	}
	return (int)sel->ntaken;
}
