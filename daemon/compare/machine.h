/* SPDX-License-Identifier: MIT */
/* Base and head made with different parallelism (a VM's accelerator, the CPU count): a note, not a verdict. */
#ifndef RINGLAB_DAEMON_COMPARE_MACHINE_H
#define RINGLAB_DAEMON_COMPARE_MACHINE_H

#include "compare.h"

/*
 * rl_cmp_machine_note() - when a base run and a head run of @c (their
 * run descriptions filled) differ in accelerator, TCG thread mode or CPU
 * count, write into c->machine_note what differs, e.g. "job parallelism
 * differs: base tcg multi-threaded, 2 CPUs; head kvm, 4 CPUs"; else "".
 * A CPU count of 0 (not recorded) is not a difference.
 */
void rl_cmp_machine_note(struct rl_comparison *c);

#endif
