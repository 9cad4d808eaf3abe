/* SPDX-License-Identifier: MIT */
/*
 * Whether a comparison crosses machines. Two machines differ in CPU, memory,
 * firmware and disk in ways no verdict can separate from the kernel's doing,
 * so a comparison across them is refused (its cells incompatible) unless the
 * caller asks for it, and then it says so. The machine id decides: host
 * names are reused and renamed, /etc/machine-id is not.
 */
#include <stdio.h>
#include <string.h>

#include "engine/env.h"
#include "hosts.h"

/* A run's place in the comparison, for naming it. */
struct at {
	const char *side;
	const struct rl_cmp_run_desc *d;
};

static struct at run_at(const struct rl_comparison *c, size_t i)
{
	if (i < c->nbase)
		return (struct at){ "base", &c->base_runs[i] };
	return (struct at){ "head", &c->head_runs[i - c->nbase] };
}

/*
 * "lab1 (machine id 3d1219c7)": the first 8 digits name it well enough for a
 * reader, unless the other machine's id starts the same: then all of them.
 */
static void host_text(const struct rl_cmp_run_desc *d, const struct rl_cmp_run_desc *other,
		      char *buf, size_t len)
{
	int digits = strncmp(d->machine_id, other->machine_id, 8) ? 8 : (int)sizeof(d->machine_id);

	snprintf(buf, len, "%s (machine id %.*s)", d->host[0] ? d->host : "unnamed host", digits,
		 d->machine_id);
}

void rl_cmp_host_check(struct rl_comparison *c)
{
	size_t n = c->nbase + c->nhead, i;
	struct at first = { NULL, NULL }, other;
	char a[128], b[128];

	c->cross_host = false;
	c->host_note[0] = '\0';
	for (i = 0; i < n; i++) {
		other = run_at(c, i);
		if (!other.d->machine_id[0])
			continue;
		if (!first.d) {
			first = other;
			continue;
		}
		if (!strcmp(first.d->machine_id, other.d->machine_id))
			continue;
		host_text(first.d, other.d, a, sizeof(a));
		host_text(other.d, first.d, b, sizeof(b));
		c->cross_host = true;
		snprintf(c->host_note, sizeof(c->host_note), "%s on %.100s, %s on %.100s", first.side, a,
			 other.side, b);
		return;
	}
}

const char *rl_cmp_run_host(const struct rl_run *run)
{
	struct rl_host_id h;

	rl_env_host_id(&run->env, &h);
	return h.host;
}
