#!/bin/bash
# bootstrap.sh: install what ringlab needs from Debian, build it, then run it or test it.
#
#   ./bootstrap.sh run     install, build, run the seed suite once on a loop-mounted ext4 image
#   ./bootstrap.sh check   install, build, run the test suite (make check)
#   ./bootstrap.sh deps    install the Debian packages only
#   ./bootstrap.sh build   configure and build only
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DEPS="gcc make autoconf automake libtool pkg-config liburing-dev libcjson-dev
	libmicrohttpd-dev libsqlite3-dev libsystemd-dev"
RUN_DEPS="e2fsprogs util-linux mount curl fio jq sqlite3"

say() { printf '==> %s\n' "$*" >&2; }

deps() {
	local missing=()
	for p in $BUILD_DEPS $RUN_DEPS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
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

# The seed suite once, on an ext4 image this script makes and always removes.
run_seed() {
	local work img dev mnt
	[ "$(id -u)" -eq 0 ] || { say "the seed run mounts a loop device: run as root"; exit 1; }
	work=$(mktemp -d /var/tmp/ringlab-seed.XXXXXX)
	img=$work/ext4.img
	mnt=$work/mnt
	dev=
	trap 'umount "$mnt" 2>/dev/null; [ -n "$dev" ] && losetup -d "$dev"; rm -rf "$work"' EXIT
	truncate -s 2G "$img"
	mkfs.ext4 -q -F -b 4096 "$img"
	dev=$(losetup --find --show --direct-io=on "$img" 2>/dev/null || losetup --find --show "$img")
	mkdir "$mnt"
	mount "$dev" "$mnt"
	say "seed suite on $dev (ext4 image $img)"
	./ringlab run seed --dir "$mnt" --json "$work/seed.json" --label bootstrap
	mkdir -p results
	cp "$work/seed.json" results/seed-latest.json
	say "results: results/seed-latest.json"
}

case "${1:-}" in
deps) deps ;;
build) deps; build ;;
check) deps; build; check ;;
run) deps; build; run_seed ;;
*) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
