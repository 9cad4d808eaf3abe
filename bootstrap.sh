#!/bin/bash
# bootstrap.sh: install what ringlab needs from Debian, build it, then run it or test it.
#
#   ./bootstrap.sh run     install, build, start ringlabd on its embedded default target,
#                          run the seed suite once through its API, print the dashboard URL
#   ./bootstrap.sh check   install, build, run the test suite (make check)
#   ./bootstrap.sh fuzz    install (with clang), build, run every fuzz harness (make fuzz;
#                          FUZZ_SECONDS=N per harness, default 60)
#   ./bootstrap.sh deps    install the Debian packages only
#   ./bootstrap.sh build   configure and build only
#   ./bootstrap.sh stop    stop the ringlabd that 'run' started (waits up to RINGLAB_STOP_WAIT_S,
#                          default 30, for it to unmount its image and exit)
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DEPS="gcc make autoconf automake libtool pkg-config liburing-dev libcjson-dev
	libmicrohttpd-dev libsqlite3-dev libpq-dev libsystemd-dev zlib1g-dev"
RUN_DEPS="e2fsprogs util-linux mount curl fio jq sqlite3 postgresql chromium clang attr
	qemu-system-x86 busybox-static cpio xz-utils zstd bc git bison flex libelf-dev libssl-dev"
# make fuzz only: libFuzzer and the sanitizers' runtimes for clang. make check needs none of it.
FUZZ_DEPS="clang libclang-rt-dev"
# Only the tests need these: promtool checks /metrics and deploy/prometheus; libfaketime
# skews a daemon's clock (tests/pg/fleet_clock.sh).
CHECK_DEPS="prometheus faketime"

say() { printf '==> %s\n' "$*" >&2; }

# deps [EXTRA]: BUILD_DEPS, RUN_DEPS and the EXTRA packages.
deps() {
	local missing=()
	for p in $BUILD_DEPS $RUN_DEPS ${EXTRA_DEPS:-} ${1:-}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	# The dashboard's chart library and the browser test's driver come from npm.
	command -v npm >/dev/null || missing+=(nodejs npm)
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || { say "installing ${missing[*]} needs root"; exit 1; }
	say "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
	[ -x configure ] || { say "autoreconf"; autoreconf -fi >/dev/null; }
	[ -f Makefile ] || { say "configure"; ./configure -q; }
	say "make"
	make -s -j"$(nproc)"
}

check() {
	say "make check"
	if ! make -s -j"$(nproc)" check; then
		[ -f test-suite.log ] && cat test-suite.log
		exit 1
	fi
}

STATE=${RINGLAB_STATE:-/var/lib/ringlab}
PORT=${RINGLAB_PORT:-7117}
URL=http://127.0.0.1:$PORT

# ringlabd from the build tree on its embedded default target (an ext4 image
# in $STATE it creates and loop-mounts), then the seed suite through the API.
run_daemon() {
	[ "$(id -u)" -eq 0 ] || { say "ringlabd mounts its image on a loop device: run as root"; exit 1; }
	if curl -fsS "$URL/api/v1/health" >/dev/null 2>&1; then
		say "a ringlabd already answers on $URL; using it"
	else
		mkdir -p "$STATE"
		say "starting ringlabd (state in $STATE, log in $STATE/ringlabd.log)"
		setsid ./ringlabd --state-dir "$STATE" --port "$PORT" --web "$PWD/web-dist" \
			--workloads "$PWD/workloads" >>"$STATE/ringlabd.log" 2>&1 </dev/null &
		echo $! >"$STATE/ringlabd.pid"
		for _ in $(seq 100); do
			curl -fsS "$URL/api/v1/health" >/dev/null 2>&1 && break
			kill -0 "$(cat "$STATE/ringlabd.pid")" 2>/dev/null || { tail -n 5 "$STATE/ringlabd.log"; exit 1; }
			sleep 0.2
		done
	fi
	say "running the seed suite"
	id=$(./ringlab submit seed --url "$URL" --label bootstrap --queue)
	./ringlab watch "$id" --url "$URL" || true
	./ringlab show "$id" --url "$URL"
	say "dashboard: $URL/#/runs/$id"
	# The state directory names the daemon to stop: say it when it is not the default.
	local env=
	[ "$STATE" = /var/lib/ringlab ] || env="RINGLAB_STATE=$STATE "
	say "stop ringlabd with: $env./bootstrap.sh stop"
}

stop_daemon() {
	[ -f "$STATE/ringlabd.pid" ] || { say "no ringlabd.pid in $STATE"; exit 0; }
	local pid
	pid=$(cat "$STATE/ringlabd.pid")
	if kill -TERM "$pid" 2>/dev/null; then
		# It unmounts and detaches its image before it exits: wait for that.
		for _ in $(seq $((${RINGLAB_STOP_WAIT_S:-30} * 5))); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -0 "$pid" 2>/dev/null && { say "ringlabd ($pid) has not exited after ${RINGLAB_STOP_WAIT_S:-30} s"; exit 1; }
		say "ringlabd stopped"
	fi
	rm -f "$STATE/ringlabd.pid"
}

case "${1:-}" in
deps) deps "$CHECK_DEPS" ;;
build) deps; build ;;
check) deps "$CHECK_DEPS"; build; check ;;
fuzz) EXTRA_DEPS=$FUZZ_DEPS deps; build; make -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" ;;
run) deps; build; run_daemon ;;
stop) stop_daemon ;;
*) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
