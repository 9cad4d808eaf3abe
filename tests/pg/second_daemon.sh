#!/bin/sh
# second_daemon.sh: tests/faults/second_daemon.sh with both ringlabd's store on a real PostgreSQL (tests/lib/pg.sh starts it; 77 without one).
RL_TEST_STORE=postgresql
export RL_TEST_STORE
exec sh "$top_srcdir/tests/faults/second_daemon.sh"
