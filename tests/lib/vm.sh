# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034  # VM_* are for the tests
# Helpers for the VM tests (sourced; bash).
#
#   vm_test_init            set VM_KP (kernel-patches), VM_RINGLAB (the host ringlab,
#                           for compare and the guest), VM_TMP (a fresh directory
#                           removed at exit, also TMPDIR for vm-run.sh's work
#                           directories); exit 77 when qemu-system-x86_64, jq,
#                           mkfs.ext4 or a ringlab build is missing
#   vm_test_init_scripts    VM_KP and VM_TMP only, for tests that boot nothing; exit
#                           77 without jq or git
#   vm_test_need_build      exit 77 unless build-kernel.sh's tools are here
#   vm_fake_kernel_repo DIR a tiny git tree standing in for a kernel (a Makefile
#                           with the kbuild targets build-kernel.sh calls, which
#                           "compiles" */*.c by copying and logs each file it
#                           compiled to O/rebuilt): commits "base" (tag v7.2, whose
#                           last commit changes fs/ext4/super.c) and branch ext4-v2
#                           (changes fs/ext4/file.c); VM_FAKE_PRESENT is that last
#                           base commit as a patch file (already in the base)
#   vm_test_init_fake_tree  vm_test_init_scripts, vm_test_need_build, a fresh kernel
#                           cache in VM_TMP (RINGLAB_VM_CACHE) and a stand-in kernel
#                           tree (below) in VM_REPO
#   vm_fake_inode_diff      the diff (fs/ext4/inode.c: return 3) a stand-in series carries
#   vm_build ARGS...        build-kernel.sh ARGS: stdout to VM_TMP/out, stderr to
#                           VM_TMP/err and shown indented, the exit status in rc
#   vm_field KEY            the KEY=value build-kernel.sh printed last
#   vm_test_fetch VARIANT...  fetch debian-image variants into the cache; exit 77
#                           when the Debian mirror cannot be reached, 1 when it can
#                           and the fetch still fails
#   vm_test_qemu_left       print the QEMU processes started from VM_TMP (none: empty)
#   vm_fail MSG             "FAIL: MSG" on stderr, exit 1
#   vm_now                  seconds since the epoch

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}

vm_fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

vm_skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

vm_now()
{
	date +%s
}

vm_test_init_scripts()
{
	local tool

	for tool in jq git; do
		command -v "$tool" >/dev/null || vm_skip "no $tool"
	done
	VM_KP=$top_srcdir/kernel-patches
	VM_TMP=$(mktemp -d)
	trap 'rm -rf "$VM_TMP"' EXIT
	export TMPDIR=$VM_TMP
}

vm_test_need_build()
{
	local tool

	for tool in make gcc bison flex bc git perl; do
		command -v "$tool" >/dev/null || vm_skip "no $tool to build a kernel"
	done
	[ -f /usr/include/libelf.h ] || vm_skip "no libelf-dev to build a kernel"
}

vm_fake_kernel_repo()
{
	local dir=$1 f

	mkdir -p "$dir/scripts/kconfig" "$dir/fs/ext4" "$dir/mm"
	# At the left margin: the recipes' tabs must stay.
	cat >"$dir/Makefile" <<'EOF'
# A stand-in for kbuild with the targets and variables build-kernel.sh uses.
O ?= .
srcs := $(sort $(wildcard */*.c */*/*.c))
objs := $(srcs:%.c=$(O)/%.o)
.PHONY: tinyconfig x86_64_defconfig olddefconfig bzImage kernelrelease
tinyconfig x86_64_defconfig:
	@mkdir -p $(O) && echo CONFIG_64BIT=y >$(O)/.config
olddefconfig:
	@test -f $(O)/.config
$(O)/%.o: %.c
	@mkdir -p $(@D) && cp $< $@ && echo $< >>$(O)/rebuilt
$(O)/vmlinux: $(objs)
	@cat $^ >$@
bzImage: $(O)/vmlinux
	@mkdir -p $(O)/arch/x86/boot && cp $< $(O)/arch/x86/boot/bzImage
kernelrelease:
	@echo 7.2.0$(LOCALVERSION)
EOF
	cat >"$dir/scripts/kconfig/merge_config.sh" <<'EOF'
#!/bin/sh
# stand-in: merge_config.sh -m -O DIR BASE FRAGMENT...
shift 3
base=$1
shift
cat "$@" >>"$base"
EOF
	cat >"$dir/scripts/config" <<'EOF'
#!/bin/sh
# stand-in: config --file FILE --disable SYMBOL
echo "# CONFIG_$4 is not set" >>"$2"
EOF
	chmod +x "$dir/scripts/kconfig/merge_config.sh" "$dir/scripts/config"
	for f in fs/ext4/inode.c fs/ext4/file.c fs/ext4/super.c mm/filemap.c; do
		printf '/* %s */\nint %s_one(void)\n{\n\treturn 1;\n}\n' "$f" "$(basename "$f" .c)" >"$dir/$f"
	done
	(
		cd "$dir" || exit 1
		export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t \
			GIT_COMMITTER_EMAIL=t@example.org GIT_CONFIG_GLOBAL=/dev/null
		git init -q -b master . && git add -A && git commit -q -m "initial" &&
			sed -i 's/return 1;/return 2;/' fs/ext4/super.c &&
			git commit -q -am "ext4: super returns 2" &&
			git format-patch -q -1 --stdout >"$dir.present.patch" &&
			git tag v7.2 &&
			git checkout -q -b ext4-v2 &&
			sed -i 's/return 1;/return 22;/' fs/ext4/file.c &&
			git commit -q -am "ext4: file returns 22" &&
			git checkout -q master
	) || vm_fail "cannot make the fake kernel tree $dir"
	VM_FAKE_PRESENT=$dir.present.patch
}

vm_test_init_fake_tree()
{
	vm_test_init_scripts
	vm_test_need_build
	export RINGLAB_VM_CACHE=$VM_TMP/cache
	VM_REPO=$VM_TMP/linux
	vm_fake_kernel_repo "$VM_REPO"
}

vm_fake_inode_diff()
{
	cat <<'EOF'
diff --git a/fs/ext4/inode.c b/fs/ext4/inode.c
--- a/fs/ext4/inode.c
+++ b/fs/ext4/inode.c
@@ -1,5 +1,5 @@
 /* fs/ext4/inode.c */
 int inode_one(void)
 {
-	return 1;
+	return 3;
 }
EOF
}

vm_build()
{
	"$VM_KP/build-kernel.sh" "$@" >"$VM_TMP/out" 2>"$VM_TMP/err"
	rc=$?
	sed 's/^/    /' "$VM_TMP/err"
}

vm_field()
{
	sed -n "s/^$1=//p" "$VM_TMP/out"
}

vm_test_init()
{
	local tool

	for tool in qemu-system-x86_64 jq mkfs.ext4 cpio busybox; do
		command -v "$tool" >/dev/null || vm_skip "no $tool"
	done
	VM_KP=$top_srcdir/kernel-patches
	VM_RINGLAB=$top_builddir/ringlab
	[ -x "$VM_RINGLAB" ] || vm_skip "no ringlab built in $top_builddir"
	# The guest's binary: RINGLAB_STATIC, else this build's (make-initramfs.sh
	# takes the libraries of a dynamically linked one along).
	export RINGLAB_STATIC=${RINGLAB_STATIC:-$VM_RINGLAB}
	export RINGLAB_WORKLOADS=${RINGLAB_WORKLOADS:-$top_srcdir/workloads}
	VM_TMP=$(mktemp -d)
	trap 'rm -rf "$VM_TMP"' EXIT
	export TMPDIR=$VM_TMP
}

vm_test_fetch()
{
	local mirror

	if [ $# -gt 1 ]; then
		for mirror in "$@"; do
			vm_test_fetch "$mirror"
		done
		return 0
	fi
	"$VM_KP/fetch-kernel.sh" "$1" >/dev/null 2>"$VM_TMP/fetch.err" && return 0
	# shellcheck source=kernel-patches/lib/apt-private.sh
	. "$VM_KP/lib/apt-private.sh"
	mirror=$(apt_private_mirror)
	if [ -z "$mirror" ] || ! curl -sf -o /dev/null --max-time 20 "$mirror/dists/sid/Release"; then
		cat "$VM_TMP/fetch.err" >&2
		vm_skip "the Debian mirror (${mirror:-none configured}) cannot be reached"
	fi
	cat "$VM_TMP/fetch.err" >&2
	vm_fail "fetch-kernel.sh $1"
}

vm_test_qemu_left()
{
	local p

	for p in /proc/[0-9]*; do
		if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q "qemu-system.*$VM_TMP"; then
			echo "${p#/proc/}"
		fi
	done
}
