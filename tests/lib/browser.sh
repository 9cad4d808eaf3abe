# SPDX-License-Identifier: MIT
# browser.sh: the dashboard in Debian's chromium, driven by playwright-core from node's test runner (sourced; POSIX sh).
#
#   . "$top_srcdir/tests/lib/browser.sh"
#   browser_require      exit 77 without $CHROMIUM (default /usr/bin/chromium) or node; then
#                        playwright-core, pinned by tests/browser/package-lock.json: beside the
#                        tests when the source tree has it or is writable (npm ci there), else
#                        in the build tree with a copy of the tests. Sets BROWSER_TESTDIR, where
#                        the *.test.mjs files run from. Exits 1 when npm ci fails.
#   browser_web DIR      the dashboard as `make` builds it (web/build.sh), from the sources
#                        under test, into DIR (a daemon's web_dir); exits 1 when it fails
#   browser_test FILE    node --test FILE (a name in tests/browser/) with CHROMIUM and
#                        SCREENSHOT_DIR ($top_builddir/tests/browser/screenshots) exported;
#                        returns its exit status

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
BROWSER_TESTDIR=

browser_require()
{
	[ -x "$CHROMIUM" ] || { echo "SKIP: $CHROMIUM not found (apt-get install chromium)" >&2; exit 77; }
	command -v node >/dev/null 2>&1 || { echo "SKIP: needs node" >&2; exit 77; }
	BROWSER_TESTDIR=$top_srcdir/tests/browser
	[ -d "$BROWSER_TESTDIR/node_modules/playwright-core" ] && return 0
	if [ ! -w "$BROWSER_TESTDIR" ]; then
		mkdir -p "$top_builddir/tests/browser" &&
			cp "$BROWSER_TESTDIR"/package.json "$BROWSER_TESTDIR"/package-lock.json \
				"$BROWSER_TESTDIR"/*.test.mjs "$top_builddir/tests/browser/" ||
			{ echo "FAIL: cannot copy the browser tests to $top_builddir/tests/browser" >&2; exit 1; }
		BROWSER_TESTDIR=$top_builddir/tests/browser
	fi
	[ -d "$BROWSER_TESTDIR/node_modules/playwright-core" ] && return 0
	# One install at a time: make -j2 starts both browser tests, and two npm ci in one
	# directory left it half installed. The second waits, then finds it there.
	(
		flock 9 && cd "$BROWSER_TESTDIR" || exit 1
		[ -d node_modules/playwright-core ] ||
			npm ci --no-audit --no-fund --loglevel=error
	) 9>>"$BROWSER_TESTDIR/.npm-ci.lock" >&2 ||
		{ echo "FAIL: npm ci in $BROWSER_TESTDIR failed" >&2; exit 1; }
}

browser_web()
{
	sh "$top_srcdir/web/build.sh" "$1" >&2 || { echo "FAIL: web/build.sh failed" >&2; exit 1; }
}

browser_test()
{
	SCREENSHOT_DIR=$top_builddir/tests/browser/screenshots
	mkdir -p "$SCREENSHOT_DIR"
	export CHROMIUM SCREENSHOT_DIR
	node --test --test-reporter=spec "$BROWSER_TESTDIR/$1"
}
