/* SPDX-License-Identifier: MIT */
/*
 * Which machine a run ran on: hostname, machine id and CPU model, probed here
 * for the machine itself, and the identity a run is listed and compared under
 * (the lab host's for a run made in a guest, whose own machine id is new at
 * every boot and whose CPU is QEMU's).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "util/fileio.h"

#define CPUINFO_MAX 65536	/* the first CPU's lines come first */

/* "key<tabs>: value" of line @line when its key is @key; NULL otherwise. */
static const char *cpuinfo_value(const char *line, size_t len, const char *key)
{
	size_t klen = strlen(key);
	const char *p;

	if (len <= klen || strncmp(line, key, klen) || !strchr(" \t:", line[klen]))
		return NULL;
	p = memchr(line, ':', len);
	if (!p)
		return NULL;
	for (p++; p < line + len && (*p == ' ' || *p == '\t'); p++)
		;
	return p;
}

/*
 * The CPU model from /proc/cpuinfo: "model name" on x86, "cpu model" on
 * MIPS, "cpu" on POWER, "Model" on some ARM boards; the first key found wins.
 */
static void probe_cpu_model(char *buf, size_t size)
{
	static const char *const keys[] = { "model name", "cpu model", "cpu", "Model" };
	const char *line, *end, *v;
	char *text = malloc(CPUINFO_MAX);
	size_t k;

	buf[0] = '\0';
	if (!text || rl_read_file("/proc/cpuinfo", text, CPUINFO_MAX) < 0)
		goto out;
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]) && !buf[0]; k++) {
		for (line = text; *line && !buf[0]; line = *end ? end + 1 : end) {
			end = strchrnul(line, '\n');
			v = cpuinfo_value(line, (size_t)(end - line), keys[k]);
			if (v && v < end)
				snprintf(buf, size, "%.*s", (int)(end - v), v);
		}
	}
out:
	free(text);
}

void rl_env_host_probe(struct rl_env_host *h)
{
	memset(h, 0, sizeof(*h));
	h->valid = true;
	if (gethostname(h->hostname, sizeof(h->hostname)) < 0)
		h->hostname[0] = '\0';
	h->hostname[sizeof(h->hostname) - 1] = '\0';
	if (rl_read_attr("/etc/machine-id", h->machine_id, sizeof(h->machine_id)) < 0)
		h->machine_id[0] = '\0';
	probe_cpu_model(h->cpu_model, sizeof(h->cpu_model));
}

void rl_env_host_id(const struct rl_env *env, struct rl_host_id *id)
{
	if (env->lab_host.valid) {
		id->host = env->lab_host.hostname;
		id->machine_id = env->lab_host.machine_id;
		id->cpu_model = env->lab_host.cpu_model;
		id->guest = env->hostname;
		return;
	}
	id->host = env->hostname;
	id->machine_id = env->machine_id;
	id->cpu_model = env->cpu_model;
	id->guest = "";
}
