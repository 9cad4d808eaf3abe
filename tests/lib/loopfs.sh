# SPDX-License-Identifier: MIT
# Loop-mounted ext4 scratch filesystems for integration tests (sourced; POSIX sh).
#
#   . "$top_srcdir/tests/lib/loopfs.sh"
#   loopfs_require             exit 77 unless root with losetup, mkfs.ext4, mount
#                              and a loop device that can be attached
#   loopfs_create SIZE_MB [mkfs.ext4 options...]
#                              image in a fresh mktemp -d, mkfs.ext4 (4096-byte
#                              blocks unless -b is given), loop device (direct I/O
#                              when it works), mounted (with -o "$LOOPFS_MOUNT_OPTS"
#                              if set). Sets LOOPFS_IMG, LOOPFS_DEV and LOOPFS_DIR
#                              (the mountpoint). Exits 1 if a step fails. May be
#                              called more than once: each one is tracked.
#   loopfs_cleanup             unmount, detach, remove; idempotent
#
# Everything is found again from the temporary directories this file made
# (the mountpoint inside, the loop devices backed by the image inside), so a
# signal between two steps leaks nothing, and nothing else is ever touched.
# The first loopfs_require or loopfs_create sets an EXIT trap that calls
# loopfs_cleanup, and HUP/INT/TERM traps that exit (so an EXIT trap runs). A
# script that sets its own EXIT trap afterwards must call loopfs_cleanup in it.

LOOPFS_IMG=
LOOPFS_DEV=
LOOPFS_DIR=
_loopfs_dirs=${_loopfs_dirs:-}
_loopfs_trapped=${_loopfs_trapped:-}

loopfs_skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

_loopfs_fail()
{
	echo "loopfs: $*" >&2
	exit 1
}

# Print list $1 without item $2 (items never hold whitespace: see _loopfs_mkdir).
_loopfs_del()
{
	_loopfs_r=
	for _loopfs_x in $1; do
		[ "$_loopfs_x" = "$2" ] || _loopfs_r="$_loopfs_r $_loopfs_x"
	done
	printf '%s' "$_loopfs_r"
}

_loopfs_traps()
{
	[ -n "$_loopfs_trapped" ] && return 0
	_loopfs_trapped=1
	trap 'loopfs_cleanup' EXIT
	# A signal exits through the EXIT trap: ours, or a caller's that calls loopfs_cleanup.
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# A fresh private directory, tracked before anything is put in it.
_loopfs_mkdir()
{
	_loopfs_d=$(mktemp -d -t ringlab-loopfs.XXXXXX) || return 1
	case $_loopfs_d in
	*[[:space:]]*)
		rmdir "$_loopfs_d"
		echo "loopfs: temporary directory '$_loopfs_d' has whitespace" >&2
		return 1
		;;
	esac
	_loopfs_dirs="$_loopfs_dirs $_loopfs_d"
}

_loopfs_umount()
{
	_loopfs_i=0
	while mountpoint -q "$1"; do
		if [ "$_loopfs_i" -ge 5 ]; then
			echo "loopfs: $1 busy, lazy unmount" >&2
			umount -l "$1" || true
			break
		fi
		umount "$1" 2>/dev/null || sleep 1
		_loopfs_i=$((_loopfs_i + 1))
	done
}

# Undo everything under one tracked directory; returns 1 if it must stay.
_loopfs_release()
{
	_loopfs_mnt=$1/mnt
	if [ -d "$_loopfs_mnt" ]; then
		_loopfs_umount "$_loopfs_mnt"
	fi
	if [ -e "$1/img" ]; then
		for _loopfs_dev in $(losetup -n -O NAME -j "$1/img" 2>/dev/null); do
			losetup -d "$_loopfs_dev" || echo "loopfs: cannot detach $_loopfs_dev" >&2
		done
	fi
	if [ -d "$_loopfs_mnt" ] && mountpoint -q "$_loopfs_mnt"; then
		echo "loopfs: $_loopfs_mnt still mounted, leaving $1" >&2
		return 1
	fi
	rm -rf --one-file-system "$1"
}

loopfs_cleanup()
{
	for _loopfs_c in $_loopfs_dirs; do
		if _loopfs_release "$_loopfs_c"; then
			_loopfs_dirs=$(_loopfs_del "$_loopfs_dirs" "$_loopfs_c")
		fi
	done
	LOOPFS_IMG=
	LOOPFS_DEV=
	LOOPFS_DIR=
}

loopfs_require()
{
	if [ "$(id -u)" != 0 ]; then
		loopfs_skip "loop-mounted ext4 needs root"
	fi
	for _loopfs_cmd in losetup mkfs.ext4 mount umount mountpoint truncate mktemp; do
		command -v "$_loopfs_cmd" >/dev/null 2>&1 ||
			loopfs_skip "$_loopfs_cmd not found"
	done
	_loopfs_traps
	_loopfs_mkdir || loopfs_skip "cannot make a temporary directory"
	_loopfs_p=$_loopfs_d
	truncate -s 1M "$_loopfs_p/img" || loopfs_skip "cannot make a probe image"
	if ! losetup --find --show "$_loopfs_p/img" >/dev/null 2>&1; then
		_loopfs_release "$_loopfs_p" && _loopfs_dirs=$(_loopfs_del "$_loopfs_dirs" "$_loopfs_p")
		loopfs_skip "cannot attach a loop device"
	fi
	if _loopfs_release "$_loopfs_p"; then
		_loopfs_dirs=$(_loopfs_del "$_loopfs_dirs" "$_loopfs_p")
	fi
	return 0
}

loopfs_create()
{
	_loopfs_size=$1
	case $_loopfs_size in
	'' | *[!0-9]*) _loopfs_fail "loopfs_create: size '$_loopfs_size' is not a number of MiB" ;;
	esac
	shift
	_loopfs_bs=-b4096
	for _loopfs_a in "$@"; do
		case $_loopfs_a in
		-b*) _loopfs_bs= ;;
		esac
	done
	_loopfs_traps
	_loopfs_mkdir || _loopfs_fail "cannot make a temporary directory"
	_loopfs_top=$_loopfs_d
	mkdir "$_loopfs_top/mnt" || _loopfs_fail "mkdir $_loopfs_top/mnt failed"
	truncate -s "${_loopfs_size}M" "$_loopfs_top/img" ||
		_loopfs_fail "cannot make a ${_loopfs_size} MiB image"
	mkfs.ext4 -q -F $_loopfs_bs "$@" "$_loopfs_top/img" >&2 ||
		_loopfs_fail "mkfs.ext4 $* failed"
	# Direct I/O on the backing file keeps the host page cache out of the numbers.
	_loopfs_dev=$(losetup --find --show --direct-io=on "$_loopfs_top/img" 2>/dev/null) ||
		_loopfs_dev=$(losetup --find --show "$_loopfs_top/img") ||
		_loopfs_fail "cannot attach $_loopfs_top/img to a loop device"
	if [ -n "${LOOPFS_MOUNT_OPTS:-}" ]; then
		mount -t ext4 -o "$LOOPFS_MOUNT_OPTS" "$_loopfs_dev" "$_loopfs_top/mnt" ||
			_loopfs_fail "mount -o $LOOPFS_MOUNT_OPTS $_loopfs_dev failed"
	else
		mount -t ext4 "$_loopfs_dev" "$_loopfs_top/mnt" ||
			_loopfs_fail "mount $_loopfs_dev failed"
	fi
	LOOPFS_IMG=$_loopfs_top/img
	LOOPFS_DEV=$_loopfs_dev
	LOOPFS_DIR=$_loopfs_top/mnt
}
