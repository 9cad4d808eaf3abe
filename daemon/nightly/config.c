/* SPDX-License-Identifier: MIT */
/*
 * The nightly's configuration: one field table (validated, defaulted and
 * documented by engine/fields.c), then the checks across keys and the
 * variant manifests the names point at.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "schema/fields.h"
#include "engine/suite.h"
#include "engine/workload_path.h"
#include "nightly.h"

#ifndef RINGLAB_DATADIR
#define RINGLAB_DATADIR "/usr/local/share/ringlab"
#endif
#ifndef RINGLAB_SRCDIR
#define RINGLAB_SRCDIR "."
#endif

#define NAME_CHARS "A-Za-z0-9._-"
#define VARIANT_CHARS "A-Za-z0-9._:-"	/* a variant, or a family member FAMILY:VERSION */
#define LABEL_STAMP_LEN 14	/* "-YYYYMMDD-HHMM" */

#define CF(m) offsetof(struct rl_nightly_cfg, m)
#define CF_SIZE(m) sizeof(((struct rl_nightly_cfg *)0)->m)
#define PATH_ROW(key, member, help_text)                                                    \
	{ .name = key, .type = RL_FT_STRING, .offset = CF(member), .size = CF_SIZE(member),  \
	  .min = 0, .max = CF_SIZE(member) - 1, .def = "\"\"", .help = help_text }

static const struct rl_field nightly_fields[] = {
	{ .name = "url", .type = RL_FT_STRING, .offset = CF(url), .size = CF_SIZE(url), .min = 0,
	  .max = CF_SIZE(url) - 1, .def = "\"\"",
	  .help = "ringlabd's address; empty: $RINGLAB_URL, else " RL_CLIENT_DEFAULT_URL "." },
	PATH_ROW("token_file", token_file,
		 "File whose first line is ringlabd's bearer token (imports and reports are POSTs); empty: $RINGLAB_TOKEN, else none."),
	PATH_ROW("kernel_patches_dir", kernel_patches_dir,
		 "Directory with vm-run.sh and variants/NAME.json; empty: the installed " RINGLAB_DATADIR "/kernel-patches, else the source tree's."),
	PATH_ROW("family", family,
		 "A series family (a name under kernel_patches_dir/families/, or a path to its manifest): its members FAMILY:base and FAMILY:VERSION, in the family's order, run first; each version is compared with FAMILY:base and with the version before it. Empty: none."),
	{ .name = "variants", .type = RL_FT_STRING_LIST, .offset = CF(variants),
	  .size = RL_NIGHTLY_VARIANTS_MAX, .elem_size = CF_SIZE(variants[0]),
	  .count_offset = CF(nvariants), .min = 1, .max = CF_SIZE(variants[0]) - 1,
	  .charset = VARIANT_CHARS,
	  .help = "Kernel variants to run, in this order (after family's members): names of kernel_patches_dir/variants/NAME.json, or FAMILY:VERSION of a family under kernel_patches_dir/families/; each run is imported with kernel tag NAME. Required unless family is given." },
	{ .name = "base", .type = RL_FT_STRING, .offset = CF(base), .size = CF_SIZE(base), .min = 1,
	  .max = CF_SIZE(base) - 1, .charset = VARIANT_CHARS,
	  .help = "The variant every other one is compared with (a family's versions: with their FAMILY:base); must be one of variants. Default with family: FAMILY:base." },
	{ .name = "suites", .type = RL_FT_STRING_LIST, .offset = CF(suites),
	  .size = RL_NIGHTLY_SUITES_MAX, .elem_size = CF_SIZE(suites[0]),
	  .count_offset = CF(nsuites), .min = 1, .max = CF_SIZE(suites[0]) - 1,
	  .charset = "A-Za-z0-9._/-", .flags = RL_FF_REQUIRED | RL_FF_NONEMPTY,
	  .help = "Suites or workloads each variant runs (names, or paths of suite files), in this order." },
	{ .name = "ringlab_args", .type = RL_FT_STRING, .offset = CF(ringlab_args),
	  .size = CF_SIZE(ringlab_args), .min = 0, .max = CF_SIZE(ringlab_args) - 1, .def = "\"\"",
	  .help = "More `ringlab run` options for every run, split on white space, e.g. \"--repeat 5 --scale 0.5\" (vm-run.sh --ringlab-args); not --dir, --json, --label or --kernel-tag, which the nightly sets." },
	PATH_ROW("guest_ringlab", guest_ringlab,
		 "The ringlab put into VM guests (vm-run.sh --ringlab); empty: $RINGLAB_BIN, else $RINGLAB_STATIC, else this ringlab."),
	PATH_ROW("cache_dir", cache_dir,
		 "Kernel cache for vm-run.sh --cache; empty: its default ($RINGLAB_VM_CACHE or ~/.cache/ringlab/kernels)."),
	PATH_ROW("work_dir", work_dir,
		 "Each night keeps its runs' JSON, logs and consoles in work_dir/LABEL; empty: a temporary directory, removed at the end."),
	{ .name = "timeout_s", .type = RL_FT_U32, .offset = CF(timeout_s), .min = 10,
	  .max = 7 * 86400, .def = "1800",
	  .help = "Longest a run (one variant x one suite) may take: the booted guest's limit (vm-run.sh --timeout), or the whole run of a host variant." },
	{ .name = "kernel_timeout_s", .type = RL_FT_U32, .offset = CF(kernel_timeout_s), .min = 0,
	  .max = 7 * 86400, .def = "3600",
	  .help = "Extra time vm-run.sh gets on top of timeout_s to fetch or build the kernel and the initramfs before it is killed." },
	{ .name = "threshold", .type = RL_FT_DOUBLE, .offset = CF(threshold), .min = 0, .max = 0.99,
	  .def = "0.05",
	  .help = "A change must clear 1 +/- threshold with its whole bootstrap interval to be a regression or an improvement (0.05 is 5%)." },
	{ .name = "label_prefix", .type = RL_FT_STRING, .offset = CF(label_prefix),
	  .size = CF_SIZE(label_prefix), .min = 1, .max = CF_SIZE(label_prefix) - 1,
	  .charset = NAME_CHARS, .def = "\"nightly\"",
	  .help = "The night's runs are labelled PREFIX-YYYYMMDD-HHMM (UTC, when the night started)." },
	{ .name = "fleet", .type = RL_FT_BOOL, .offset = CF(fleet), .def = "false",
	  .help = "Submit every variant x suite to the fleet (ringlabd on a PostgreSQL store; `ringlab nightly --fleet` too): the lab's daemons run them, a VM variant on a daemon whose \"vm\": {\"kernels\"} lists it, a host variant on the daemon's own kernel and target (its dir unused). Suites by name; ringlab_args only --scale, --repeat, --jobs." },
	{ .name = "fleet_host", .type = RL_FT_STRING, .offset = CF(fleet_host),
	  .size = CF_SIZE(fleet_host), .min = 1, .max = CF_SIZE(fleet_host) - 1,
	  .charset = "A-Za-z0-9._-", .def = "\"any\"",
	  .help = "fleet: the machine a suite's runs go to. any: the one that takes the suite's base run first, every other variant of that suite then follows it there (comparisons never cross machines); a host name: all runs there." },
	{ .name = "fleet_queue_s", .type = RL_FT_U32, .offset = CF(fleet_queue_s), .min = 1,
	  .max = 7 * 86400, .def = "900",
	  .help = "fleet: a run no daemon has taken after this many seconds in the queue (none is idle with its kernel on its host) is cancelled and reported failed, naming what it needed." },
	{ 0 }
};

/* A "host" variant manifest: this machine's running kernel, no VM. */
struct host_manifest {
	char name[RL_NIGHTLY_VARIANT_NAME_MAX];
	char kind[32];
	char description[256];
	char dir[RL_NIGHTLY_PATH_MAX];
};

#define HM(m) offsetof(struct host_manifest, m)
#define HM_SIZE(m) sizeof(((struct host_manifest *)0)->m)

static const struct rl_field host_fields[] = {
	{ .name = "name", .type = RL_FT_STRING, .offset = HM(name), .size = HM_SIZE(name), .min = 1,
	  .max = HM_SIZE(name) - 1, .charset = NAME_CHARS, .flags = RL_FF_REQUIRED,
	  .help = "The variant's name: the manifest's file name without .json, and the kernel tag of its runs." },
	{ .name = "kind", .type = RL_FT_STRING, .offset = HM(kind), .size = HM_SIZE(kind), .min = 1,
	  .max = HM_SIZE(kind) - 1, .flags = RL_FF_REQUIRED,
	  .help = "\"host\": the kernel this machine runs; the suite runs directly, without a VM." },
	{ .name = "description", .type = RL_FT_STRING, .offset = HM(description),
	  .size = HM_SIZE(description), .min = 0, .max = HM_SIZE(description) - 1, .def = "\"\"",
	  .help = "Free text." },
	{ .name = "dir", .type = RL_FT_STRING, .offset = HM(dir), .size = HM_SIZE(dir), .min = 2,
	  .max = HM_SIZE(dir) - 1, .flags = RL_FF_REQUIRED,
	  .help = "Absolute path of a directory on a writable ext4 filesystem: `ringlab run SUITE --dir DIR` runs there (only ringlab-* files, removed afterwards)." },
	{ 0 }
};

static const char *const vm_kinds[] = { "debian-image", "source", "git", "prebuilt", NULL };

/* Options of `ringlab run` the nightly sets itself, per run. */
static const char *const reserved_args[] = {
	"--dir", "-d", "--json", "-o", "--label", "--kernel-tag", NULL,
};

void rl_nightly_config_markdown(FILE *out)
{
	rl_fields_markdown(nightly_fields, out);
}

void rl_nightly_host_markdown(FILE *out)
{
	rl_fields_markdown(host_fields, out);
}

void rl_kernel_patches_dir(char *buf, size_t size)
{
	if (access(RINGLAB_DATADIR "/kernel-patches/vm-run.sh", X_OK) == 0)
		snprintf(buf, size, "%s", RINGLAB_DATADIR "/kernel-patches");
	else
		snprintf(buf, size, "%s", RINGLAB_SRCDIR "/kernel-patches");
}

static int check_args(const struct rl_nightly_cfg *c, struct rl_err *err)
{
	char buf[RL_NIGHTLY_ARGS_MAX], *save = NULL, *tok;
	size_t len;

	snprintf(buf, sizeof(buf), "%s", c->ringlab_args);
	for (tok = strtok_r(buf, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		for (size_t i = 0; reserved_args[i]; i++) {
			len = strlen(reserved_args[i]);
			if (!strncmp(tok, reserved_args[i], len) && (!tok[len] || tok[len] == '='))
				return rl_err_set(err, -EINVAL,
						  "key ringlab_args: %s is set by ringlab nightly for each run",
						  reserved_args[i]);
		}
	}
	return 0;
}

static int check_variants(struct rl_nightly_cfg *c, struct rl_err *err)
{
	uint32_t i, j;
	bool found = false;

	for (i = 0; i < c->nvariants; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(c->variants[i], c->variants[j]))
				return rl_err_set(err, -EINVAL, "key variants: '%s' is listed twice",
						  c->variants[i]);
		if (!strcmp(c->variants[i], c->base)) {
			c->base_index = i;
			found = true;
		}
	}
	if (!found)
		return rl_err_set(err, -EINVAL, "key base: '%s' is not one of variants", c->base);
	if (c->nvariants < 2)
		return rl_err_set(err, -EINVAL, "key variants: give the base and at least one variant to compare with it");
	return 0;
}

static int check_suites(const struct rl_nightly_cfg *c, struct rl_err *err)
{
	struct rl_workload_path wp;
	struct rl_suite s;
	uint32_t i, j;
	int ret;

	for (i = 0; i < c->nsuites; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(c->suites[i], c->suites[j]))
				return rl_err_set(err, -EINVAL, "key suites: '%s' is listed twice",
						  c->suites[i]);
		memset(&s, 0, sizeof(s));
		ret = rl_suite_resolve(c->suites[i], rl_workload_path(&wp, NULL), &s, err);
		rl_suite_free(&s);
		if (ret < 0)
			return rl_err_prefix(err, ret, "key suites[%u]", i);
	}
	return 0;
}

static int load_host(const cJSON *j, struct rl_nightly_variant *v, struct rl_err *err)
{
	struct host_manifest m;
	int ret;

	ret = rl_fields_defaults(host_fields, &m, err);
	if (!ret)
		ret = rl_fields_apply(host_fields, j, &m, RL_APPLY_FULL, err);
	if (ret < 0)
		return ret;
	if (m.dir[0] != '/')
		return rl_err_set(err, -EINVAL, "key dir: '%s' is not an absolute path", m.dir);
	if (strcmp(m.name, v->name))
		return rl_err_set(err, -EINVAL, "key name: '%s' differs from the file's name '%s'",
				  m.name, v->name);
	v->kind = RL_VARIANT_HOST;
	snprintf(v->dir, sizeof(v->dir), "%s", m.dir);
	snprintf(v->description, sizeof(v->description), "%s", m.description);
	return 0;
}

/*
 * What the nightly needs of a VM manifest: its kind and name. vm-run.sh
 * checks the rest when it runs, and a bad manifest fails that variant's runs.
 */
static int load_vm(const cJSON *j, struct rl_nightly_variant *v, struct rl_err *err)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name"));
	const char *desc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "description"));

	if (!name || strcmp(name, v->name))
		return rl_err_set(err, -EINVAL, "key name: '%s' differs from the file's name '%s'",
				  name ? name : "(missing)", v->name);
	v->kind = RL_VARIANT_VM;
	snprintf(v->description, sizeof(v->description), "%s", desc ? desc : "");
	return 0;
}

static int load_manifest(const struct rl_nightly_cfg *c, struct rl_nightly_variant *v,
			 struct rl_err *err)
{
	char path[sizeof(v->manifest)];
	const char *kind;
	cJSON *j = NULL;
	size_t i;
	int ret;

	/* Through a local buffer: @v lives inside @c, and snprintf() wants them apart. */
	if ((size_t)snprintf(path, sizeof(path), "%s/variants/%s.json", c->kernel_patches_dir,
			     v->name) >= sizeof(path))
		return rl_err_set(err, -ENAMETOOLONG, "variant %s: kernel_patches_dir is too long",
				  v->name);
	memcpy(v->manifest, path, sizeof(v->manifest));
	ret = rl_json_load_file(v->manifest, &j, err);
	if (ret < 0)
		return rl_err_prefix(err, ret, "variant %s", v->name);
	kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "kind"));
	snprintf(v->kind_name, sizeof(v->kind_name), "%s", kind ? kind : "");
	if (kind && !strcmp(kind, "host")) {
		ret = load_host(j, v, err);
	} else {
		for (i = 0; kind && vm_kinds[i] && strcmp(kind, vm_kinds[i]); i++)
			;
		ret = kind && vm_kinds[i] ? load_vm(j, v, err) :
		      rl_err_set(err, -EINVAL,
				 "key kind: must be \"host\", \"debian-image\", \"source\", \"git\" or \"prebuilt\"");
	}
	cJSON_Delete(j);
	return ret < 0 ? rl_err_prefix(err, ret, "%s", v->manifest) : 0;
}

/*
 * The family's members (FAMILY:base, then its versions in order) before the
 * variants listed, and the base defaulting to FAMILY:base.
 */
static int expand_family(struct rl_nightly_cfg *c, struct rl_err *err)
{
	char names[RL_NIGHTLY_VARIANTS_MAX][RL_NIGHTLY_VARIANT_NAME_MAX];
	const struct rl_nightly_family *f;
	uint32_t n = 0;
	int i;

	if (!c->family[0])
		return c->nvariants ? 0 : rl_err_set(err, -EINVAL, "key variants: required (or give family)");
	i = rl_nightly_family_load(c, c->family, err);
	if (i < 0)
		return rl_err_prefix(err, i, "key family");
	f = &c->families[i];
	if (f->nversions + 1 + c->nvariants > RL_NIGHTLY_VARIANTS_MAX)
		return rl_err_set(err, -E2BIG, "key variants: with family %s's %u members, more than %d",
				  f->name, f->nversions + 1, RL_NIGHTLY_VARIANTS_MAX);
	snprintf(names[n++], sizeof(names[0]), "%s:base", f->name);
	for (uint32_t v = 0; v < f->nversions; v++)
		snprintf(names[n++], sizeof(names[0]), "%s:%s", f->name, f->versions[v]);
	memcpy(names[n], c->variants, c->nvariants * sizeof(names[0]));
	c->nvariants += n;
	memcpy(c->variants, names, c->nvariants * sizeof(names[0]));
	if (!c->base[0])
		memcpy(c->base, names[0], sizeof(c->base));
	return 0;
}

/* The checks across keys; their messages name the key, to be prefixed with the file. */
static int check_keys(struct rl_nightly_cfg *c, struct rl_err *err)
{
	int ret;

	if (!c->kernel_patches_dir[0])
		rl_kernel_patches_dir(c->kernel_patches_dir, sizeof(c->kernel_patches_dir));
	if (strlen(c->label_prefix) + LABEL_STAMP_LEN >= 128)
		return rl_err_set(err, -EINVAL, "key label_prefix: too long for a label");
	ret = expand_family(c, err);
	if (!ret && !c->base[0])
		ret = rl_err_set(err, -EINVAL, "key base: required (or give family)");
	if (!ret)
		ret = check_variants(c, err);
	if (!ret)
		ret = check_args(c, err);
	if (!ret)
		ret = check_suites(c, err);
	return ret;
}

int rl_nightly_config_load(const char *path, struct rl_nightly_cfg *c, struct rl_err *err)
{
	cJSON *j = NULL;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = rl_fields_defaults(nightly_fields, c, err);
	if (!ret)
		ret = rl_json_load_file(path, &j, err);
	if (ret < 0)
		return ret;
	ret = rl_fields_apply(nightly_fields, j, c, RL_APPLY_FULL, err);
	cJSON_Delete(j);
	if (!ret)
		ret = check_keys(c, err);
	if (ret < 0)
		return rl_err_prefix(err, ret, "%s", path);
	/* Manifest problems name the manifest. */
	for (uint32_t i = 0; !ret && i < c->nvariants; i++) {
		memcpy(c->v[i].name, c->variants[i], sizeof(c->v[i].name));
		c->v[i].family = -1;
		ret = strchr(c->v[i].name, ':') ? rl_nightly_family_member(c, &c->v[i], err)
						: load_manifest(c, &c->v[i], err);
	}
	if (!ret)
		ret = rl_nightly_pair(c, err);
	return ret < 0 && !strncmp(err->msg, "key ", 4) ? rl_err_prefix(err, ret, "%s", path) : ret;
}
