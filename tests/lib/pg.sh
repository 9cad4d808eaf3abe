# SPDX-License-Identifier: MIT
# pg.sh: a real PostgreSQL for a test, in a temporary directory, always removed (sourced; POSIX sh).
#
#   . "$top_srcdir/tests/lib/pg.sh"
#   pg_require      exit 77 unless PostgreSQL's server (initdb, pg_ctl, postgres) and psql
#                   are installed; PG_BIN is the newest /usr/lib/postgresql/*/bin
#                   (or $PG_BIN when set)
#   pg_start        initdb in a fresh mktemp -d as a user that is not root (the
#                   package's postgres user when run as root), start it on a free port
#                   with its unix socket in that directory, TCP on 127.0.0.1 only.
#                   Superuser role "ringlab": trusted on the socket, its password
#                   (scram) asked for over TCP. Sets PG_DIR, PG_PORT, PG_CONNINFO (the
#                   socket, database "ringlab"), PG_TCP_CONNINFO (127.0.0.1, no
#                   password in it) and PG_PASSWORD_FILE. Sets an EXIT trap calling
#                   pg_stop (a test that sets its own calls pg_stop in it). Exits 1
#                   if the server does not start.
#   pg_createdb NAME    a fresh database NAME; prints its socket conninfo
#   pg_sql SQL      run SQL in database ringlab as the superuser, print the rows (tab-separated)
#   pg_ctl_as ARGS  pg_ctl ARGS on this server's data directory, as its user
#   pg_check        prints "ok" when pg_amcheck finds every table and index of database
#                   ringlab sound (amcheck installed on first use), else what it found
#   pg_down, pg_up  stop the server (fast: connections are cut) and start it again on the
#                   same port and socket, its data kept
#   pg_small_space MiB
#                   database ringlab, before anything else connects to it, moved to a
#                   tablespace on a tmpfs of MiB at PG_SPACE (PG_DIR/space): a disk of the
#                   database's own that a test can fill; pg_stop unmounts it
#   pg_stop         stop the server (fast, then immediate), unmount PG_SPACE and remove
#                   PG_DIR; idempotent
#   pg_test_store   with RL_TEST_STORE=postgresql (tests/pg/*.sh set it): pg_require and
#                   pg_start, and PG_STORE_JSON is the ringlabd config member that puts the
#                   store there ("store": {...}: TCP, the password from PG_PASSWORD_FILE);
#                   otherwise nothing and PG_STORE_JSON is empty (the SQLite default).
#                   ringlabd.sh and daemon.sh call it, and stop the server in their cleanup.
#
# PG_DURABLE=1 keeps fsync and synchronous commit on (for benchmarks); tests run without.

PG_DIR=
PG_PORT=
PG_CONNINFO=
PG_TCP_CONNINFO=
PG_PASSWORD_FILE=
PG_STORE_JSON=
PG_SPACE=
_pg_user=

pg_require()
{
	if [ -z "${PG_BIN:-}" ]; then
		PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	fi
	for _pg_t in initdb pg_ctl postgres psql; do
		[ -n "$PG_BIN" ] && [ -x "$PG_BIN/$_pg_t" ] ||
			{ echo "SKIP: PostgreSQL is not installed (no $_pg_t in ${PG_BIN:-/usr/lib/postgresql/*/bin})" >&2; exit 77; }
	done
	if [ "$(id -u)" -eq 0 ]; then
		getent passwd postgres >/dev/null 2>&1 ||
			{ echo "SKIP: running as root and there is no postgres user to run the server as" >&2; exit 77; }
		command -v runuser >/dev/null 2>&1 || { echo "SKIP: needs runuser" >&2; exit 77; }
		_pg_user=postgres
	fi
}

# As the server's user: root may not run initdb or postgres.
_pg_as()
{
	if [ -n "$_pg_user" ]; then
		runuser -u "$_pg_user" -- "$@"
	else
		"$@"
	fi
}

pg_ctl_as()
{
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" "$@"
}

_pg_try_port()
{
	_pg_opts="-k $PG_DIR -p $1 -c listen_addresses=127.0.0.1 -c max_connections=60"
	[ "${PG_DURABLE:-0}" = 1 ] || _pg_opts="$_pg_opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	pg_ctl_as -w -t 30 -l "$PG_DIR/server.log" -o "$_pg_opts" start >/dev/null 2>&1
}

pg_start()
{
	PG_DIR=$(mktemp -d -t ringlab-pg.XXXXXX) || { echo "FAIL: mktemp -d" >&2; exit 1; }
	trap pg_stop EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	chmod 755 "$PG_DIR"
	PG_PASSWORD_FILE=$PG_DIR/password
	printf 'pw-%s-%s\n' "$$" "$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')" >"$PG_PASSWORD_FILE"
	chmod 644 "$PG_PASSWORD_FILE"
	[ -z "$_pg_user" ] || chown "$_pg_user" "$PG_DIR"
	_pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U ringlab -E UTF8 --locale=C.UTF-8 --no-sync \
		--auth-local=trust --auth-host=scram-sha-256 --pwfile="$PG_PASSWORD_FILE" \
		>"$PG_DIR/initdb.log" 2>&1 ||
		{ echo "FAIL: initdb: $(tail -n 3 "$PG_DIR/initdb.log")" >&2; exit 1; }
	# initdb (the server's user) has read it; now only the daemons' (root's), as a lab keeps it.
	chmod 600 "$PG_PASSWORD_FILE"
	_pg_n=0
	while :; do
		PG_PORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
		_pg_try_port "$PG_PORT" && break
		_pg_n=$((_pg_n + 1))
		[ $_pg_n -lt 5 ] || { echo "FAIL: PostgreSQL did not start: $(tail -n 5 "$PG_DIR/server.log")" >&2; exit 1; }
	done
	PG_CONNINFO="host=$PG_DIR port=$PG_PORT user=ringlab dbname=ringlab"
	PG_TCP_CONNINFO="host=127.0.0.1 port=$PG_PORT user=ringlab dbname=ringlab"
	"$PG_BIN/psql" -X -q -h "$PG_DIR" -p "$PG_PORT" -U ringlab -d postgres \
		-c 'CREATE DATABASE ringlab' >/dev/null ||
		{ echo "FAIL: CREATE DATABASE ringlab" >&2; exit 1; }
}

pg_down()
{
	pg_ctl_as -m fast -w -t 20 stop >/dev/null
}

pg_up()
{
	_pg_try_port "$PG_PORT" || { echo "FAIL: PostgreSQL did not start again: $(tail -n 5 "$PG_DIR/server.log")" >&2; exit 1; }
}

pg_createdb()
{
	"$PG_BIN/psql" -X -q -h "$PG_DIR" -p "$PG_PORT" -U ringlab -d postgres \
		-c "CREATE DATABASE \"$1\"" >/dev/null || { echo "FAIL: CREATE DATABASE $1" >&2; exit 1; }
	echo "host=$PG_DIR port=$PG_PORT user=ringlab dbname=$1"
}

pg_sql()
{
	"$PG_BIN/psql" -X -q -A -t -F '	' -h "$PG_DIR" -p "$PG_PORT" -U ringlab -d ringlab -c "$1"
}

pg_check()
{
	# Corruption is reported on stdout with exit status 2; the notice of an amcheck
	# installed before is not a finding.
	_pg_out=$(PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/pg_amcheck" -h "$PG_DIR" \
		-p "$PG_PORT" -U ringlab -d ringlab --install-missing --heapallindexed 2>&1) &&
		[ -z "$_pg_out" ] && { echo ok; return 0; }
	echo "pg_amcheck: ${_pg_out:-failed}"
}

pg_small_space()
{
	PG_SPACE=$PG_DIR/space
	mkdir "$PG_SPACE" && mount -t tmpfs -o "size=$1m,mode=0700" ringlab-pg-space "$PG_SPACE" ||
		{ echo "FAIL: cannot mount a tmpfs at $PG_SPACE" >&2; exit 1; }
	[ -z "$_pg_user" ] || chown "$_pg_user" "$PG_SPACE"
	"$PG_BIN/psql" -X -q -h "$PG_DIR" -p "$PG_PORT" -U ringlab -d postgres \
		-c "CREATE TABLESPACE small LOCATION '$PG_SPACE'" \
		-c 'ALTER DATABASE ringlab SET TABLESPACE small' >/dev/null ||
		{ echo "FAIL: database ringlab not moved to a tablespace at $PG_SPACE" >&2; exit 1; }
}

pg_stop()
{
	[ -n "$PG_DIR" ] || return 0
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		pg_ctl_as -m fast -w -t 20 stop >/dev/null 2>&1 ||
			pg_ctl_as -m immediate -w -t 20 stop >/dev/null 2>&1
	fi
	if [ -n "$PG_SPACE" ] && mountpoint -q "$PG_SPACE"; then
		umount "$PG_SPACE" || umount -l "$PG_SPACE"
	fi
	PG_SPACE=
	rm -rf "$PG_DIR"
	PG_DIR=
}

pg_test_store()
{
	PG_STORE_JSON=
	[ "${RL_TEST_STORE:-sqlite}" = postgresql ] || return 0
	pg_require
	[ -n "$PG_DIR" ] || pg_start
	PG_STORE_JSON="\"store\": {\"kind\": \"postgresql\", \"conninfo\": \"$PG_TCP_CONNINFO\", \"password_file\": \"$PG_PASSWORD_FILE\"}"
}
