/* SPDX-License-Identifier: MIT */
/*
 * Suites and the catalog. A suite file names workloads; each is loaded from
 * the workload directory, the suite's "set" applied, then expanded once per
 * variant with the variant's "set", and checked again - all with the same
 * field walker as the workload files, so an override is validated exactly
 * like the file it overrides.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "schema/fields.h"
#include "util/path.h"
#include "suite.h"

#define NAME_CHARSET "a-z0-9._@,+-"
/* '@' joins a workload and a variant name, so a variant may not use it. */
#define VARIANT_CHARSET "a-z0-9._,+-"

struct variant {
	char name[RL_NAME_MAX];
	const cJSON *set;
};

#define SU(m) offsetof(struct rl_suite, m)
#define VA(m) offsetof(struct variant, m)

static const struct rl_field suite_fields[] = {
	{ .name = "name", .type = RL_FT_STRING, .offset = SU(name), .size = RL_NAME_MAX,
	  .min = 1, .max = RL_NAME_MAX - 1, .charset = NAME_CHARSET, .flags = RL_FF_REQUIRED,
	  .help = "The suite's name; equals the file name without .json." },
	{ .name = "description", .type = RL_FT_STRING, .offset = SU(description),
	  .size = RL_DESC_MAX, .min = 0, .max = RL_DESC_MAX - 1, .def = "\"\"",
	  .help = "One line for people." },
	{ .name = "scale", .type = RL_FT_DOUBLE, .offset = SU(scale),
	  .min = 0.000001, .max = 1000, .def = "1",
	  .help = "Multiplies every workload's size_per_job." },
	{ .name = "workloads", .type = RL_FT_PASS, .flags = RL_FF_REQUIRED,
	  .help = "Names of workloads, resolved as <workload dir>/<name>.json." },
	{ .name = "set", .type = RL_FT_PASS,
	  .help = "Workload keys applied to every workload of the suite." },
	{ .name = "variants", .type = RL_FT_PASS,
	  .help = "List of {name, set}: every workload runs once per variant, as workload@variant." },
	{ 0 }
};

static const struct rl_field variant_fields[] = {
	{ .name = "name", .type = RL_FT_STRING, .offset = VA(name), .size = RL_NAME_MAX,
	  .min = 1, .max = RL_NAME_MAX - 1, .charset = VARIANT_CHARSET,
	  .flags = RL_FF_REQUIRED, .help = "Appended to each workload's name after '@'." },
	{ .name = "set", .type = RL_FT_PASS, .help = "Workload keys this variant overrides." },
	{ 0 }
};

void rl_suite_free(struct rl_suite *s)
{
	free(s->workloads);
	s->workloads = NULL;
	s->nworkloads = 0;
}

/*
 * <@dir>/<@rel>, a file found by name in a search directory, parsed: never
 * through a link out of @dir, and with no text of a malformed file quoted,
 * since ringlabd serves these errors. Returns 0, or -errno with
 * "DIR/REL: reason" in @err.
 */
static int load_in_dir(const char *dir, const char *rel, cJSON **root, struct rl_err *err)
{
	char path[PATH_MAX];
	int fd, ret;

	*root = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path))
		return rl_err_set(err, -ENAMETOOLONG, "%s/%s: path too long", dir, rel);
	fd = rl_path_open_beneath(dir, rel);
	if (fd == -EXDEV)
		return rl_err_set(err, fd, "%s: a link out of %s, not followed", path, dir);
	if (fd == -EINVAL)
		return rl_err_set(err, fd, "%s: not a regular file", path);
	if (fd < 0)
		return rl_err_set(err, fd, "%s: %s", path, strerror(-fd));
	ret = rl_json_load_fd(fd, path, false, root, err);
	close(fd);
	return ret;
}

/* Load <dir>/<name>.json and insist that the file calls itself <name>. */
static int load_named_workload(const char *dir, const char *name, struct rl_workload *w,
			       struct rl_err *err)
{
	char rel[RL_NAME_MAX + 8];
	cJSON *root;
	int ret;

	if (rl_charset_match(NAME_CHARSET, name) >= 0 || !*name ||
	    strlen(name) >= RL_NAME_MAX)
		return rl_err_set(err, -EINVAL, "'%.64s' is not a valid workload name (1..%d of [%s])",
				  name, RL_NAME_MAX - 1, NAME_CHARSET);
	snprintf(rel, sizeof(rel), "%s.json", name);
	ret = load_in_dir(dir, rel, &root, err);
	if (ret)
		return ret;
	ret = rl_workload_parse(root, w, err);
	cJSON_Delete(root);
	if (ret)
		return rl_err_prefix(err, ret, "%s/%s", dir, rel);
	if (strcmp(w->name, name))
		return rl_err_set(err, -EINVAL, "%s/%s: name '%s' does not match the file name",
				  dir, rel, w->name);
	return 0;
}

/* A suite's "set" or a variant's: workload keys, never the name. */
static int apply_set(const cJSON *set, struct rl_workload *w, struct rl_err *err)
{
	if (!set)
		return 0;
	if (cJSON_IsObject(set) && cJSON_GetObjectItemCaseSensitive(set, "name"))
		return rl_err_set(err, -EINVAL, "key name: cannot be overridden");
	return rl_workload_apply(set, w, err);
}

static int parse_variants(const cJSON *arr, struct variant **out, size_t *n,
			  struct rl_err *err)
{
	struct variant *v;
	const cJSON *e;
	size_t i = 0;
	int ret;

	*out = NULL;
	*n = 1;		/* no variants: every workload once, unchanged */
	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr) || !cJSON_GetArraySize(arr))
		return rl_err_set(err, -EINVAL, "key variants: expected a non-empty array");
	*n = cJSON_GetArraySize(arr);
	v = calloc(*n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	cJSON_ArrayForEach(e, arr) {
		ret = rl_fields_apply(variant_fields, e, &v[i], RL_APPLY_FULL, err);
		if (ret) {
			free(v);
			return rl_err_prefix(err, ret, "variants[%zu]", i);
		}
		v[i++].set = cJSON_GetObjectItemCaseSensitive(e, "set");
	}
	*out = v;
	return 0;
}

static int check_names(const cJSON *names, struct rl_err *err)
{
	const cJSON *e;
	size_t i = 0;

	if (!cJSON_IsArray(names) || !cJSON_GetArraySize(names))
		return rl_err_set(err, -EINVAL, "key workloads: expected a non-empty array of names");
	cJSON_ArrayForEach(e, names) {
		if (!cJSON_IsString(e))
			return rl_err_set(err, -EINVAL,
					  "key workloads[%zu]: expected a workload name (a string)", i);
		i++;
	}
	return 0;
}

/* One workload of the suite, once per variant, appended to s->workloads. */
static int expand_one(const char *dir, const char *name, const cJSON *set,
		      const struct variant *vars, size_t nvars, struct rl_suite *s,
		      struct rl_err *err)
{
	struct rl_workload base, *w;
	size_t i;
	int ret;

	ret = load_named_workload(dir, name, &base, err);
	if (ret)
		return rl_err_prefix(err, ret, "workload '%s'", name);
	ret = apply_set(set, &base, err);
	if (ret)
		return rl_err_prefix(err, ret, "%s: set", name);
	for (i = 0; i < nvars; i++) {
		w = &s->workloads[s->nworkloads];
		*w = base;
		if (vars) {
			ret = apply_set(vars[i].set, w, err);
			if (ret)
				return rl_err_prefix(err, ret, "variant '%s'", vars[i].name);
			if ((size_t)snprintf(w->name, sizeof(w->name), "%s@%s", name,
					     vars[i].name) >= sizeof(w->name))
				return rl_err_set(err, -EINVAL,
						  "%s@%s: longer than %d characters", name,
						  vars[i].name, RL_NAME_MAX - 1);
		}
		ret = rl_workload_check(w, err);
		if (ret)
			return rl_err_prefix(err, ret, "%s", w->name);
		s->nworkloads++;
	}
	return 0;
}

static int check_unique(const struct rl_suite *s, struct rl_err *err)
{
	size_t i, j;

	for (i = 0; i < s->nworkloads; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(s->workloads[i].name, s->workloads[j].name))
				return rl_err_set(err, -EINVAL, "workload '%s' appears twice",
						  s->workloads[i].name);
	return 0;
}

static int suite_from_json(const cJSON *root, const char *dir, struct rl_suite *s,
			   struct rl_err *err)
{
	const cJSON *names, *e;
	struct variant *vars = NULL;
	size_t nvars;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = rl_fields_defaults(suite_fields, s, err);
	if (!ret)
		ret = rl_fields_apply(suite_fields, root, s, RL_APPLY_FULL, err);
	if (ret)
		return ret;
	names = cJSON_GetObjectItemCaseSensitive(root, "workloads");
	ret = check_names(names, err);
	if (!ret)
		ret = parse_variants(cJSON_GetObjectItemCaseSensitive(root, "variants"),
				     &vars, &nvars, err);
	if (ret)
		return ret;
	s->workloads = calloc((size_t)cJSON_GetArraySize(names) * nvars, sizeof(*s->workloads));
	if (!s->workloads) {
		ret = -ENOMEM;
		goto fail;
	}
	cJSON_ArrayForEach(e, names) {
		ret = expand_one(dir, e->valuestring,
				 cJSON_GetObjectItemCaseSensitive(root, "set"),
				 vars, nvars, s, err);
		if (ret)
			goto fail;
	}
	ret = check_unique(s, err);
	if (ret)
		goto fail;
	free(vars);
	return 0;
fail:
	free(vars);
	rl_suite_free(s);
	return ret;
}

int rl_suite_load(const char *path, const char *workload_dir, struct rl_suite *s,
		  struct rl_err *err)
{
	cJSON *root;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = rl_json_load_file(path, &root, err);
	if (ret)
		return ret;
	ret = suite_from_json(root, workload_dir, s, err);
	cJSON_Delete(root);
	return ret ? rl_err_prefix(err, ret, "%s", path) : 0;
}

/* <dir>/suites/<name>.json, which must call itself <name>, its workloads from @dir. */
static int load_named_suite(const char *dir, const char *name, struct rl_suite *s,
			    struct rl_err *err)
{
	char rel[RL_NAME_MAX + 16];
	cJSON *root;
	int ret;

	memset(s, 0, sizeof(*s));
	snprintf(rel, sizeof(rel), "suites/%s.json", name);
	ret = load_in_dir(dir, rel, &root, err);
	if (ret)
		return ret;
	ret = suite_from_json(root, dir, s, err);
	cJSON_Delete(root);
	if (ret)
		return rl_err_prefix(err, ret, "%s/%s", dir, rel);
	if (strcmp(s->name, name)) {
		rl_suite_free(s);
		return rl_err_set(err, -EINVAL, "%s/%s: name '%s' does not match the file name",
				  dir, rel, s->name);
	}
	return 0;
}

static int suite_of_one(const struct rl_workload *w, struct rl_suite *s)
{
	memset(s, 0, sizeof(*s));
	s->workloads = malloc(sizeof(*s->workloads));
	if (!s->workloads)
		return -ENOMEM;
	s->workloads[0] = *w;
	s->nworkloads = 1;
	s->scale = 1.0;
	memcpy(s->name, w->name, sizeof(s->name));
	memcpy(s->description, w->description, sizeof(s->description));
	return 0;
}

/*
 * Workloads of a suite given by path: the suite's own directory, or its
 * parent when the suite sits in the usual "suites" subdirectory.
 */
static void workload_dir_of(const char *path, char *dir, size_t len)
{
	char *slash;

	snprintf(dir, len, "%s", path);
	slash = strrchr(dir, '/');
	if (!slash) {
		snprintf(dir, len, ".");
		return;
	}
	*slash = '\0';
	slash = strrchr(dir, '/');
	if (!strcmp(slash ? slash + 1 : dir, "suites")) {
		if (slash)
			*slash = '\0';
		else
			snprintf(dir, len, ".");
	}
	if (!*dir)
		snprintf(dir, len, "/");
}

static int resolve_path(const char *path, struct rl_suite *s, struct rl_err *err)
{
	struct rl_workload w;
	char dir[PATH_MAX];
	cJSON *root;
	int ret;

	ret = rl_json_load_file(path, &root, err);
	if (ret)
		return ret;
	if (cJSON_IsObject(root) && cJSON_GetObjectItemCaseSensitive(root, "workloads")) {
		workload_dir_of(path, dir, sizeof(dir));
		ret = suite_from_json(root, dir, s, err);
	} else {
		ret = rl_workload_parse(root, &w, err);
		if (!ret)
			ret = suite_of_one(&w, s);
	}
	cJSON_Delete(root);
	return ret ? rl_err_prefix(err, ret, "%s", path) : 0;
}

static bool file_exists(const char *path)
{
	/* Anything but "not there" is the loader's to report (EACCES, ...). */
	return access(path, F_OK) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

static int resolve_in_dir(const char *what, const char *dir, struct rl_suite *s,
			  struct rl_err *err)
{
	struct rl_workload w;
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/suites/%s.json", dir, what);
	if (file_exists(path))
		return load_named_suite(dir, what, s, err);
	snprintf(path, sizeof(path), "%s/%s.json", dir, what);
	if (!file_exists(path))
		return -ENOENT;
	ret = load_named_workload(dir, what, &w, err);
	return ret ? ret : suite_of_one(&w, s);
}

static int unknown_name(const char *what, const char *const *dirs, struct rl_err *err)
{
	char list[RL_ERR_MSG_MAX] = "";
	size_t used = 0;
	size_t i;

	for (i = 0; dirs[i] && used < sizeof(list); i++)
		used += snprintf(list + used, sizeof(list) - used, "%s%s",
				 i ? ", " : "", dirs[i]);
	return rl_err_set(err, -ENOENT, "no workload or suite named '%.64s' in %s", what,
			  i ? list : "(no directories)");
}

int rl_suite_resolve(const char *what, const char *const *dirs, struct rl_suite *s,
		     struct rl_err *err)
{
	size_t i, len = strlen(what);
	int ret;

	memset(s, 0, sizeof(*s));
	if (strchr(what, '/') || (len > 5 && !strcmp(what + len - 5, ".json")))
		return resolve_path(what, s, err);
	if (!len || len >= RL_NAME_MAX || rl_charset_match(NAME_CHARSET, what) >= 0)
		return unknown_name(what, dirs, err);
	for (i = 0; dirs[i]; i++) {
		ret = resolve_in_dir(what, dirs[i], s, err);
		if (ret != -ENOENT)
			return ret;
	}
	return unknown_name(what, dirs, err);
}

struct catalog_entry {
	const char *kind;
	char name[RL_NAME_MAX];
	char description[RL_DESC_MAX];
};

struct catalog {
	struct catalog_entry *e;
	size_t n, cap;
	void (*bad)(void *ctx, const char *path, int ret, const struct rl_err *err);
	void *ctx;
};

static bool catalog_has(const struct catalog *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].name, name))
			return true;
	return false;
}

static int catalog_add(struct catalog *c, const char *kind, const char *name,
		       const char *description)
{
	struct catalog_entry *tmp;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;

		tmp = realloc(c->e, cap * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		c->e = tmp;
		c->cap = cap;
	}
	c->e[c->n].kind = kind;
	snprintf(c->e[c->n].name, sizeof(c->e[c->n].name), "%s", name);
	snprintf(c->e[c->n].description, sizeof(c->e[c->n].description), "%s", description);
	c->n++;
	return 0;
}

/*
 * Load one catalog file fully, so a broken file is reported, not listed.
 * Returns 0, -ENOMEM, or the file's error (@err says it) after the
 * caller's bad-file callback when there is one.
 */
static int catalog_load(struct catalog *c, const char *dir, const char *sub,
			const char *stem, struct rl_err *err)
{
	struct rl_workload w;
	struct rl_suite s;
	char path[PATH_MAX];
	int ret;

	if (!sub) {
		ret = load_named_workload(dir, stem, &w, err);
		if (!ret)
			return catalog_add(c, "workload", w.name, w.description);
	} else {
		ret = load_named_suite(dir, stem, &s, err);
		if (!ret) {
			ret = catalog_add(c, "suite", s.name, s.description);
			rl_suite_free(&s);
			return ret;
		}
	}
	if (!c->bad || ret == -ENOMEM)
		return ret;
	snprintf(path, sizeof(path), "%s%s%s/%s.json", dir, sub ? "/" : "", sub ? sub : "", stem);
	c->bad(c->ctx, path, ret, err);
	/* Listed as taken, so a file of the same name further down the path is not listed either. */
	return catalog_add(c, NULL, stem, "");
}

/* Every <dir>[/sub]/<stem>.json not already listed; a missing directory is empty. */
static int catalog_scan(struct catalog *c, const char *dir, const char *sub,
			struct rl_err *err)
{
	char path[PATH_MAX], file[PATH_MAX + 256], stem[RL_NAME_MAX + 8];
	struct dirent *d;
	DIR *dh;
	size_t len;
	int ret = 0;

	snprintf(path, sizeof(path), "%s%s%s", dir, sub ? "/" : "", sub ? sub : "");
	dh = opendir(path);
	if (!dh) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return rl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	}
	while (!ret && (d = readdir(dh))) {
		len = strlen(d->d_name);
		if (len <= 5 || strcmp(d->d_name + len - 5, ".json") || d->d_name[0] == '.')
			continue;
		if (d->d_type != DT_REG && d->d_type != DT_LNK && d->d_type != DT_UNKNOWN)
			continue;
		if (len - 5 >= sizeof(stem)) {
			ret = rl_err_set(err, -EINVAL, "%s/%s: name too long", path, d->d_name);
			if (!c->bad)
				break;
			snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
			c->bad(c->ctx, file, ret, err);
			ret = 0;
			continue;
		}
		memcpy(stem, d->d_name, len - 5);
		stem[len - 5] = '\0';
		if (!catalog_has(c, stem))
			ret = catalog_load(c, dir, sub, stem, err);
	}
	closedir(dh);
	return ret;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct catalog_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int rl_catalog_list(const char *const *dirs,
		    void (*cb)(void *ctx, const char *kind, const char *name,
			       const char *description),
		    void *ctx, struct rl_err *err)
{
	return rl_catalog_list_all(dirs, cb, NULL, ctx, err);
}

int rl_catalog_list_all(const char *const *dirs,
			void (*cb)(void *ctx, const char *kind, const char *name,
				   const char *description),
			void (*bad)(void *ctx, const char *path, int ret, const struct rl_err *err),
			void *ctx, struct rl_err *err)
{
	struct catalog c = { .bad = bad, .ctx = ctx };
	size_t i, listed = 0;
	int ret = 0;

	for (i = 0; dirs[i] && !ret; i++) {
		ret = catalog_scan(&c, dirs[i], "suites", err);
		if (!ret)
			ret = catalog_scan(&c, dirs[i], NULL, err);
	}
	if (ret)
		goto out;
	qsort(c.e, c.n, sizeof(*c.e), entry_cmp);
	for (i = 0; i < c.n; i++) {
		if (!c.e[i].kind)
			continue;	/* a bad file, reported already */
		cb(ctx, c.e[i].kind, c.e[i].name, c.e[i].description);
		listed++;
	}
	ret = listed > INT_MAX ? INT_MAX : (int)listed;
out:
	free(c.e);
	return ret;
}
