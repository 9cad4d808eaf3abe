/* SPDX-License-Identifier: MIT */
/* A selection written out one file per patch, named and shaped as git format-patch writes them. */
#ifndef RINGLAB_DAEMON_SERIES_EXPORT_H
#define RINGLAB_DAEMON_SERIES_EXPORT_H

#include <stddef.h>

#include "select.h"
#include "util/err.h"

/*
 * rl_series_slug() - @title as git format-patch puts it in a file name:
 * letters, digits, '.' and '_' kept, every other run made one '-', at
 * most 52 characters. Returns @buf.
 */
char *rl_series_slug(const char *title, char *buf, size_t size);

/*
 * rl_series_export() - write each patch of @sel to @outdir/NNNN-SLUG.patch
 * (NNNN its number): one mail with its From, Date, Subject and Message-ID,
 * its body decoded, as `git am` and `git apply` take it (a body line that
 * could pass for an mbox separator escaped as ">From "); a plain diff is
 * written as it is. @outdir is created if missing; an existing file is
 * never overwritten. Returns how many files were written, or -errno with
 * the file named in @err.
 */
int rl_series_export(const struct rl_series_sel *sel, const char *outdir, struct rl_err *err);

#endif
