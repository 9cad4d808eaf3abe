#!/bin/sh
# kill9_random.sh: tests/faults/kill9_random.sh with ringlabd's store on a real PostgreSQL (tests/lib/pg.sh starts it; 77 without one), killed FAULT_KILLS times (8 here; make check-faults-long: 100).
RL_TEST_STORE=postgresql
FAULT_KILLS=${FAULT_KILLS:-8}
export RL_TEST_STORE FAULT_KILLS
exec sh "$top_srcdir/tests/faults/kill9_random.sh"
