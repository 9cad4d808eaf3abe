#!/bin/bash
# build-static-deps.sh DIR: put libcjson.a in DIR (Debian ships no static cJSON), built from
# Debian's own cjson source package of the installed version, for ./configure --enable-static-ringlab
# --with-static-libdir=DIR. liburing.a and libc.a come from liburing-dev and libc6-dev.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=kernel-patches/lib/apt-private.sh
. "$here/lib/apt-private.sh"
out=$(mkdir -p "$1" && cd "$1" && pwd)
[ -f "$out/libcjson.a" ] && { echo "$out/libcjson.a is there"; exit 0; }
version=$(dpkg-query -W -f='${Version}' libcjson-dev)
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
apt_private_init "$work/apt" "$suite" deb-src
cd "$work"
apt_private -qq source --download-only "cjson=$version"
tar -xf cjson_*.orig.tar.*
src=$(find . -maxdepth 1 -type d -name 'cJSON-*' -o -maxdepth 1 -type d -name 'cjson-*' | head -n1)
tar -xf cjson_*.debian.tar.* -C "$src"
if [ -f "$src/debian/patches/series" ]; then
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		patch -d "$src" -p1 -s <"$src/debian/patches/$p"
	done <"$src/debian/patches/series"
fi
gcc -O2 -fPIC -c "$src/cJSON.c" -o cJSON.o
ar rcs "$out/libcjson.a" cJSON.o
echo "built $out/libcjson.a from cjson $version"
