/* SPDX-License-Identifier: MIT */
/* Base and head made on different machines: incompatible, unless asked for. */
#ifndef RINGLAB_DAEMON_COMPARE_HOSTS_H
#define RINGLAB_DAEMON_COMPARE_HOSTS_H

#include "compare.h"

/*
 * rl_cmp_host_check() - whether the runs of @c (their descriptions filled)
 * come from more than one machine: two known machine ids that differ (a run
 * recorded before machine ids were is no difference). Sets c->cross_host and
 * writes into c->host_note which two, e.g. "base on lab1 (machine id
 * 3d1219c7), head on lab2 (machine id 88aa01f2)"; "" when they do not.
 */
void rl_cmp_host_check(struct rl_comparison *c);

/*
 * rl_cmp_run_host() - the host @run was made on, as the store records it and
 * a host filter (--host, host=) matches it: a guest run's lab host. Points
 * into @run; "" when unknown.
 */
const char *rl_cmp_run_host(const struct rl_run *run);

#endif
