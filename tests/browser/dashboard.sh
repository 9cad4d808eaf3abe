#!/bin/sh
# SPDX-License-Identifier: MIT
# Dashboard browser test: ringlabd with real runs on a loop-mounted ext4, every view driven in Debian's chromium.
#
# Needs root (loop devices), node, /usr/bin/chromium and ringlabd built in
# $top_builddir; installs playwright-core (pinned by package-lock.json) with
# `npm ci` when it is not there yet. Screenshots go to
# $top_builddir/tests/browser/screenshots/.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}

fail() { echo "FAIL: $*" >&2; exit 1; }

. "$top_srcdir/tests/lib/browser.sh"
browser_require
. "$top_srcdir/tests/lib/daemon.sh"
daemon_require
tmp=$DAEMON_DIR
browser_web "$tmp/web"

# seed at scale 0.01 writes 32 x 10 MiB at JOBS=32.
loopfs_create 1024
mkdir -p "$tmp/state"
# A token, so the test also sees the dashboard ask for one (401) and send it.
token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
cat > "$tmp/ringlabd.json" <<JSON
{
	"token": "$token",
	"web_dir": "$tmp/web",
	"workloads_dir": "$top_srcdir/workloads",
	"targets": [{"name": "t1", "kind": "dir", "path": "$LOOPFS_DIR"}]
}
JSON
daemon_start 20 -c "$tmp/ringlabd.json" --state-dir "$tmp/state" --listen 127.0.0.1 ||
	{ cat "$tmp/rld.log" >&2; fail "$DAEMON_ERR"; }
port=$DAEMON_PORT

# One night of `ringlab nightly` for the Nightly view: a family of host
# variants (nf:base, nf:v1, nf:v2) for the versions x cells matrix, two "host"
# variants on the target's filesystem and one whose directory does not exist,
# so the night is not ok (exit 1) whatever the others measure.
kp=$tmp/kernel-patches
mkdir -p "$kp/variants" "$kp/families"
for v in night-base night-head; do
	echo "{\"name\": \"$v\", \"kind\": \"host\", \"dir\": \"$LOOPFS_DIR\"}" >"$kp/variants/$v.json"
done
echo "{\"name\": \"night-gone\", \"kind\": \"host\", \"dir\": \"$tmp/no-such-dir\"}" >"$kp/variants/night-gone.json"
cat >"$kp/families/nf.json" <<JSON
{"name": "nf", "base": {"kind": "host", "dir": "$LOOPFS_DIR"},
 "versions": {"v1": {"dir": "$LOOPFS_DIR"}, "v2": {"dir": "$LOOPFS_DIR"}}}
JSON
printf '%s\n' "$token" >"$tmp/token"
cat >"$tmp/nightly.json" <<JSON
{"url": "http://127.0.0.1:$port", "token_file": "$tmp/token", "kernel_patches_dir": "$kp",
 "family": "nf", "variants": ["night-base", "night-head", "night-gone"], "base": "night-base",
 "suites": ["nw-overwrite-aligned"], "ringlab_args": "--scale 0.1 --repeat 3"}
JSON
"$top_builddir/ringlab" nightly -c "$tmp/nightly.json" >"$tmp/nightly.out" 2>&1
rc=$?
if [ $rc -ne 1 ] || ! grep -q '^verdict: ' "$tmp/nightly.out"; then
	cat "$tmp/nightly.out" >&2
	fail "ringlab nightly exited $rc, expected 1 and a verdict (night-gone fails)"
fi

RINGLAB_URL="http://127.0.0.1:$port/" RINGLAB_TOKEN=$token browser_test dashboard.test.mjs
rc=$?
if [ $rc -ne 0 ]; then
	echo "--- ringlabd log (last 40 lines)" >&2
	tail -n 40 "$tmp/rld.log" >&2
	exit 1
fi
exit 0
