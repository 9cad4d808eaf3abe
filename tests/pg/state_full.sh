#!/bin/sh
# state_full.sh: tests/faults/state_full.sh with ringlabd's store on a real PostgreSQL (tests/lib/pg.sh starts it; 77 without one), whose database's own tablespace is the small tmpfs that fills.
RL_TEST_STORE=postgresql
export RL_TEST_STORE
exec sh "$top_srcdir/tests/faults/state_full.sh"
