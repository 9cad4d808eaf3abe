#!/bin/sh
# sigterm_phases.sh: tests/faults/sigterm_phases.sh with ringlabd's store on a real PostgreSQL (tests/lib/pg.sh starts it; 77 without one).
RL_TEST_STORE=postgresql
export RL_TEST_STORE
exec sh "$top_srcdir/tests/faults/sigterm_phases.sh"
