# shellcheck shell=bash
# apt-private.sh: apt-get against a private state directory (sourced), so
# fetching kernels or sources never changes the machine's own apt sources.
#
#   apt_private_init DIR SUITE [deb|deb-src]...   lists for SUITE from the machine's Debian mirror
#   apt_private ARGS...                           apt-get with that state
#
# The mirror is the first Debian URI among the machine's own sources
# (deb822 .sources or one-line .list); RINGLAB_DEBIAN_MIRROR overrides it.

apt_private_mirror() {
	if [ -n "${RINGLAB_DEBIAN_MIRROR:-}" ]; then
		echo "$RINGLAB_DEBIAN_MIRROR"
		return
	fi
	{
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*//p' | tr ' ' '\n'
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed -n 's/^deb\(-src\)\{0,1\}[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\).*/\3/p'
	} | grep -E '^https?://.*/debian/?$' | head -n1 || true
}

apt_private_init() {
	local dir=$1 suite=$2 mirror kind
	shift 2
	mirror=$(apt_private_mirror)
	[ -n "$mirror" ] || { echo "apt-private: no Debian mirror among the machine's apt sources" >&2; return 1; }
	APT_PRIVATE_DIR=$dir
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/etc"
	: >"$dir/etc/sources.list"
	for kind in "${@:-deb}"; do
		echo "$kind [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >>"$dir/etc/sources.list"
	done
	apt_private -qq update
}

apt_private() {
	apt-get -o Dir::Etc::SourceList="$APT_PRIVATE_DIR/etc/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$APT_PRIVATE_DIR/lists" \
		-o Dir::Cache="$APT_PRIVATE_DIR/cache" \
		-o APT::Sandbox::User=root "$@"
}
