/* SPDX-License-Identifier: MIT */
/*
 * Series families in the nightly: a family manifest (kernel-patches/
 * families/NAME.json) names one base and the versions of a patch series in
 * order. The night runs FAMILY:base and FAMILY:VERSION like any variant
 * (vm-run.sh builds them from one kept tree), then compares each version
 * with the same-base build and with the version before it. vm-run.sh checks
 * a VM family in full when it builds; here only what the night relies on.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nightly.h"
#include "engine/env.h"
#include "schema/fields_json.h"
#include "util/json.h"

#define VERSION_NAME_MAX 24	/* kernel-patches/lib/variant.sh's limit */

static bool name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n <= max && rl_env_family_name_ok(s, n);
}

/* kernel_patches_dir/families/NAME.json for a bare name, else @spec itself, made absolute. */
static int manifest_path(const struct rl_nightly_cfg *c, const char *spec, char *buf,
			 size_t size, struct rl_err *err)
{
	char path[PATH_MAX];
	bool is_name = !strchr(spec, '/') && !strstr(spec, ".json");

	if ((size_t)snprintf(path, sizeof(path), is_name ? "%s/families/%s.json" : "%s%s",
			     is_name ? c->kernel_patches_dir : "", spec) >= sizeof(path))
		return rl_err_set(err, -ENAMETOOLONG, "family %s: path too long", spec);
	/* Absolute, so vm-run.sh finds it whatever its working directory. */
	if (!realpath(path, buf))
		return rl_err_set(err, -errno, "family %s: %s: %s", spec, path, strerror(errno));
	if (strlen(buf) >= size)
		return rl_err_set(err, -ENAMETOOLONG, "family %s: path too long", spec);
	return 0;
}

/*
 * @o's "dir": an absolute path; nothing else but the base's "kind". @where
 * names it in errors ("base", "versions.v1").
 */
static int host_dir(const cJSON *o, const char *where, const char **dir, struct rl_err *err)
{
	bool is_base = !strcmp(where, "base");
	const cJSON *item;

	if (!cJSON_IsObject(o))
		return rl_err_set(err, -EINVAL, "key %s: in a host family, an object {\"dir\": DIR}",
				  where);
	cJSON_ArrayForEach(item, o)
		if (strcmp(item->string, "dir") && (!is_base || strcmp(item->string, "kind")))
			return rl_err_set(err, -EINVAL, "key %s.%s: unknown in a host family (known: %s)",
					  where, item->string, is_base ? "kind, dir" : "dir");
	*dir = rl_json_str(o, "dir", NULL);
	if (!*dir || (*dir)[0] != '/')
		return rl_err_set(err, -EINVAL,
				  "key %s.dir: required in a host family, an absolute path", where);
	if (strlen(*dir) >= RL_NIGHTLY_PATH_MAX)
		return rl_err_set(err, -ENAMETOOLONG, "key %s.dir: too long", where);
	return 0;
}

static int check_versions(const cJSON *vers, struct rl_nightly_family *f, struct rl_err *err)
{
	const cJSON *v;
	const char *dir;
	char where[64];
	int ret;

	if (!cJSON_IsObject(vers) || !vers->child)
		return rl_err_set(err, -EINVAL, "key versions: required, an object {\"v3\": series, ...}");
	f->nversions = 0;
	cJSON_ArrayForEach(v, vers) {
		if (!name_ok(v->string, VERSION_NAME_MAX) || !strcmp(v->string, "base"))
			return rl_err_set(err, -EINVAL,
					  "key versions.%.32s: a version is named by at most %d letters, digits, \".\", \"_\", \"-\", not \"base\"",
					  v->string, VERSION_NAME_MAX);
		if (f->nversions == RL_NIGHTLY_VARIANTS_MAX)
			return rl_err_set(err, -E2BIG, "key versions: more than %d",
					  RL_NIGHTLY_VARIANTS_MAX);
		snprintf(where, sizeof(where), "versions.%s", v->string);
		if (!strcmp(f->kind, "host") && (ret = host_dir(v, where, &dir, err)) < 0)
			return ret;
		snprintf(f->versions[f->nversions++], RL_NIGHTLY_VERSION_MAX, "%s", v->string);
	}
	return 0;
}

static int check_family(const cJSON *j, struct rl_nightly_family *f, struct rl_err *err)
{
	const char *name = rl_json_str(j, "name", NULL), *kind, *dir;
	const cJSON *base = cJSON_GetObjectItemCaseSensitive(j, "base");
	int ret;

	if (!name || !name_ok(name, RL_NIGHTLY_VARIANT_NAME_MAX - VERSION_NAME_MAX - 2))
		return rl_err_set(err, -EINVAL, "key name: required; letters, digits, \".\", \"_\" and \"-\"");
	kind = rl_json_str(base, "kind", "");
	if (strcmp(kind, "source") && strcmp(kind, "git") && strcmp(kind, "host"))
		return rl_err_set(err, -EINVAL, "key base.kind: must be \"source\", \"git\" or \"host\"");
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
	snprintf(f->description, sizeof(f->description), "%s", rl_json_str(j, "description", ""));
	if (!strcmp(kind, "host") && (ret = host_dir(base, "base", &dir, err)) < 0)
		return ret;
	return check_versions(cJSON_GetObjectItemCaseSensitive(j, "versions"), f, err);
}

static int find_family(const struct rl_nightly_cfg *c, const char *name, const char *manifest)
{
	for (uint32_t i = 0; i < c->nfamilies; i++)
		if ((name && !strcmp(c->families[i].name, name)) ||
		    (manifest && !strcmp(c->families[i].manifest, manifest)))
			return (int)i;
	return -1;
}

int rl_nightly_family_load(struct rl_nightly_cfg *c, const char *spec, struct rl_err *err)
{
	struct rl_nightly_family *f;
	char path[RL_NIGHTLY_PATH_MAX];
	cJSON *j = NULL;
	int ret, i;

	ret = manifest_path(c, spec, path, sizeof(path), err);
	if (ret < 0)
		return ret;
	i = find_family(c, NULL, path);
	if (i >= 0)
		return i;
	if (c->nfamilies == RL_NIGHTLY_FAMILIES_MAX)
		return rl_err_set(err, -E2BIG, "family %s: more than %d families in a night", spec,
				  RL_NIGHTLY_FAMILIES_MAX);
	f = &c->families[c->nfamilies];
	memset(f, 0, sizeof(*f));
	memcpy(f->manifest, path, sizeof(f->manifest));
	ret = rl_json_load_file(path, &j, err);
	if (!ret)
		ret = check_family(j, f, err);
	cJSON_Delete(j);
	if (ret < 0)
		return rl_err_prefix(err, ret, "%s", path);
	if (find_family(c, f->name, NULL) >= 0)
		return rl_err_set(err, -EINVAL, "%s: key name: a second family named '%s'", path,
				  f->name);
	return (int)c->nfamilies++;
}

/* A host member's directory, read again from the manifest (checked by the load). */
static int member_dir(const struct rl_nightly_family *f, struct rl_nightly_variant *v,
		      struct rl_err *err)
{
	const cJSON *o;
	cJSON *j = NULL;
	int ret;

	ret = rl_json_load_file(f->manifest, &j, err);
	if (ret < 0)
		return ret;
	o = !strcmp(v->version, "base") ? cJSON_GetObjectItemCaseSensitive(j, "base") :
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "versions"),
					     v->version);
	snprintf(v->dir, sizeof(v->dir), "%s", rl_json_str(o, "dir", ""));
	cJSON_Delete(j);
	return v->dir[0] == '/' ? 0 : rl_err_set(err, -EINVAL, "%s: key dir: missing", f->manifest);
}

static bool has_version(const struct rl_nightly_family *f, const char *version)
{
	if (!strcmp(version, "base"))
		return true;
	for (uint32_t i = 0; i < f->nversions; i++)
		if (!strcmp(f->versions[i], version))
			return true;
	return false;
}

int rl_nightly_family_member(struct rl_nightly_cfg *c, struct rl_nightly_variant *v,
			     struct rl_err *err)
{
	const char *colon = strchr(v->name, ':');
	char fam[RL_NIGHTLY_VARIANT_NAME_MAX];
	const struct rl_nightly_family *f;
	int i;

	snprintf(fam, sizeof(fam), "%.*s", (int)(colon - v->name), v->name);
	snprintf(v->version, sizeof(v->version), "%s", colon + 1);
	i = find_family(c, fam, NULL);
	if (i < 0)
		i = rl_nightly_family_load(c, fam, err);
	if (i < 0)
		return rl_err_prefix(err, i, "variant %s", v->name);
	f = &c->families[i];
	if (strcmp(f->name, fam))
		return rl_err_set(err, -EINVAL, "variant %s: the family in %s is named '%s'", v->name,
				  f->manifest, f->name);
	if (!has_version(f, v->version))
		return rl_err_set(err, -EINVAL, "variant %s: %s has no version '%s'", v->name,
				  f->manifest, v->version);
	v->family = i;
	snprintf(v->kind_name, sizeof(v->kind_name), "%s", f->kind);
	snprintf(v->description, sizeof(v->description), "%s %s%s%s", f->name, v->version,
		 f->description[0] ? ": " : "", f->description);
	if (!strcmp(f->kind, "host")) {
		v->kind = RL_VARIANT_HOST;
		return member_dir(f, v, err);
	}
	v->kind = RL_VARIANT_VM;
	if ((size_t)snprintf(v->manifest, sizeof(v->manifest), "%s:%s", f->manifest, v->version) >=
	    sizeof(v->manifest))
		return rl_err_set(err, -ENAMETOOLONG, "variant %s: %s: path too long", v->name,
				  f->manifest);
	return 0;
}

/* The index of variant @name among @c's, or -1. */
static int variant_index(const struct rl_nightly_cfg *c, const char *name)
{
	for (uint32_t i = 0; i < c->nvariants; i++)
		if (!strcmp(c->v[i].name, name))
			return (int)i;
	return -1;
}

/* The position of @version in its family's declared order (base first). */
static int version_rank(const struct rl_nightly_family *f, const char *version)
{
	for (uint32_t i = 0; i < f->nversions; i++)
		if (!strcmp(f->versions[i], version))
			return (int)i + 1;
	return 0;
}

/* The version of @v's family closest before it that runs this night, or -1. */
static int previous_of(const struct rl_nightly_cfg *c, const struct rl_nightly_variant *v)
{
	const struct rl_nightly_family *f = &c->families[v->family];
	int rank = version_rank(f, v->version), best = -1, best_rank = 0, r;

	for (uint32_t i = 0; i < c->nvariants; i++) {
		if (c->v[i].family != v->family || !strcmp(c->v[i].version, "base"))
			continue;
		r = version_rank(f, c->v[i].version);
		if (r < rank && r > best_rank) {
			best = (int)i;
			best_rank = r;
		}
	}
	return best;
}

int rl_nightly_pair(struct rl_nightly_cfg *c, struct rl_err *err)
{
	char base[RL_NIGHTLY_VARIANT_NAME_MAX + 8];
	struct rl_nightly_variant *v;

	for (uint32_t i = 0; i < c->nvariants; i++) {
		v = &c->v[i];
		v->previous = -1;
		v->compare_with = i == c->base_index ? -1 : (int32_t)c->base_index;
		if (v->family < 0 || !strcmp(v->version, "base"))
			continue;
		snprintf(base, sizeof(base), "%s:base", c->families[v->family].name);
		v->compare_with = variant_index(c, base);
		if (v->compare_with < 0)
			return rl_err_set(err, -EINVAL,
					  "key variants: %s is compared with its same-base build %s: list that too",
					  v->name, base);
		v->previous = previous_of(c, v);
	}
	return 0;
}
