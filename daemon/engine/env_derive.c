/* SPDX-License-Identifier: MIT */
/*
 * What a run's environment says about itself once its command line and
 * kernel tag are known: the QEMU guest it ran in (the ringlab.* words
 * kernel-patches/vm-run.sh puts on the guest's kernel command line) and the
 * series family member it measured (a FAMILY:VERSION kernel tag). Derived,
 * never measured: the same words always give the same fields, so a run read
 * back, or imported under another tag, is derived again.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

#define VM_WORD_PREFIX "ringlab."

bool rl_env_family_name_ok(const char *s, size_t n)
{
	if (!n || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

static void split_tag(struct rl_env *env)
{
	const char *tag = env->kernel_tag, *colon = strchr(tag, ':');

	env->kernel_family[0] = '\0';
	env->kernel_family_version[0] = '\0';
	if (!colon || strchr(colon + 1, ':') || !rl_env_family_name_ok(tag, (size_t)(colon - tag)) ||
	    !rl_env_family_name_ok(colon + 1, strlen(colon + 1)))
		return;
	snprintf(env->kernel_family, sizeof(env->kernel_family), "%.*s", (int)(colon - tag), tag);
	snprintf(env->kernel_family_version, sizeof(env->kernel_family_version), "%s", colon + 1);
}

/* "42" into @out; anything else (sign, suffix, overflow) leaves it 0. */
static void parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	*out = 0;
	if (!isdigit((unsigned char)*s))
		return;
	v = strtoul(s, &end, 10);
	if (!*end && v <= UINT32_MAX)
		*out = (uint32_t)v;
}

/* One "ringlab.KEY=VALUE" word (without the prefix) into @vm; other keys are not ours. */
static void vm_word(struct rl_env_vm *vm, const char *key, size_t klen, const char *value)
{
#define IS(k) (klen == sizeof(k) - 1 && !strncmp(key, k, klen))
	if (IS("variant"))
		snprintf(vm->variant, sizeof(vm->variant), "%s", value);
	else if (IS("accel"))
		snprintf(vm->accel, sizeof(vm->accel), "%s", value);
	else if (IS("tcg_thread"))
		snprintf(vm->tcg_thread, sizeof(vm->tcg_thread), "%s", value);
	else if (IS("vcpus"))
		parse_u32(value, &vm->vcpus);
	else if (IS("cpu"))
		snprintf(vm->cpu, sizeof(vm->cpu), "%s", value);
	else
		return;
#undef IS
	/* ringlab.panic=1 and the like are switches for tests, not a sign of a VM. */
	vm->valid = true;
}

static void parse_vm(struct rl_env *env)
{
	char words[sizeof(env->cmdline)], *save = NULL, *w, *eq;
	struct rl_env_vm *vm = &env->vm;

	memset(vm, 0, sizeof(*vm));
	snprintf(words, sizeof(words), "%s", env->cmdline);
	for (w = strtok_r(words, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (strncmp(w, VM_WORD_PREFIX, strlen(VM_WORD_PREFIX)))
			continue;
		w += strlen(VM_WORD_PREFIX);
		eq = strchr(w, '=');
		if (eq)
			vm_word(vm, w, (size_t)(eq - w), eq + 1);
	}
}

void rl_env_derive(struct rl_env *env)
{
	split_tag(env);
	parse_vm(env);
}
