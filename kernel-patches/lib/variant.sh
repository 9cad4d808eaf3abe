# SPDX-License-Identifier: MIT
# variant.sh: read and check a kernel variant manifest (sourced; bash).
#
#   variant_load FILE|NAME   check the manifest (a path, or a name looked up in
#                            kernel-patches/variants/NAME.json) and set VARIANT_FILE,
#                            VARIANT_NAME, VARIANT_KIND, VARIANT_SUITE; on a bad
#                            manifest print "FILE: key K: reason" lines, return 1
#   variant_get KEY          the string value of KEY ("" when absent)
#   variant_list KEY         the elements of array KEY, one a line
#   variant_path REL         an absolute path for a path named by the manifest:
#                            absolute as is, else beside the manifest, else under
#                            kernel-patches/; return 1 (with a message) if neither exists
#   vm_cache_dir [DIR]       the kernel cache: DIR, $RINGLAB_VM_CACHE or
#                            ${XDG_CACHE_HOME:-~/.cache}/ringlab/kernels (created)
#   vm_apt_state CACHE SUITE a private apt state for SUITE under CACHE/apt, its lists
#                            refreshed when older than RINGLAB_APT_MAX_AGE seconds
#                            (default a day); sets APT_PRIVATE_DIR (apt-private.sh)
#   vm_resolve_debs SPEC...  the .deb file names (one a line, sorted) that the
#                            lists of vm_apt_state resolve package SPECs (name or
#                            name=version) to; remembered until the lists are
#                            refreshed, so a cached kernel costs no apt call;
#                            return 1 (with apt's error) when one is not there
#   vm_log MSG...            "NAME: MSG" on stderr, NAME being the calling script

VARIANT_KP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# One table: key, JSON type, the kinds it belongs to ("" = every kind).
_variant_schema='{
	"name":           ["string", ""],
	"kind":           ["string", ""],
	"description":    ["string", ""],
	"suite":          ["string", ""],
	"cmdline":        ["string", ""],
	"version":        ["string", ""],
	"packages":       ["array",  "debian-image"],
	"modules":        ["array",  "debian-image"],
	"source_package": ["string", "source"],
	"series":         ["array",  "source"],
	"message_ids":    ["array",  "source"],
	"fragment":       ["string", "source"],
	"base_config":    ["string", "source"]
}'

# Prints one "key K: reason" line per problem; prints nothing for a good manifest.
_variant_check_jq='
def need($k): if has($k) then empty else "key \($k): required for kind \(.kind)" end;
def strings($k): if has($k) and (.[$k] | type) == "array" then
	(.[$k] | to_entries[] | select(.value | type != "string" or length == 0) |
	 "key \($k)[\(.key)]: must be a non-empty string") else empty end;
if type != "object" then "top level: must be an object" else
	(to_entries[] | .key as $k | .value as $v |
	 if $schema[$k] == null then "key \($k): unknown (known: \($schema | keys | join(", ")))"
	 elif ($v | type) != $schema[$k][0] then "key \($k): must be a JSON \($schema[$k][0])"
	 else empty end),
	(if (.name | type) != "string" then "key name: required"
	 elif (.name | test("^[A-Za-z0-9][A-Za-z0-9._-]*$") | not) then
		"key name: letters, digits, \".\", \"_\" and \"-\" only"
	 else empty end),
	(if (.suite | type) != "string" or .suite == "" then "key suite: required (a Debian suite, e.g. sid)"
	 else empty end),
	(if .kind == "debian-image" or .kind == "source" then
		(.kind as $kind | keys[] | select($schema[.] != null and $schema[.][1] != "" and
			$schema[.][1] != $kind) | "key \(.): only for kind \($schema[.][1])")
	 else "key kind: must be \"debian-image\" or \"source\"" end),
	(if .kind == "debian-image" then
		need("packages"),
		(if (.packages | type) == "array" and (.packages | length) == 0 then
			"key packages: must list at least one package" else empty end),
		strings("packages"), strings("modules")
	 elif .kind == "source" then
		need("source_package"), need("fragment"), strings("series"), strings("message_ids"),
		(if has("series") and has("message_ids") then
			"key series: give series or message_ids, not both" else empty end),
		(if has("base_config") and ([.base_config] | inside(["tinyconfig", "defconfig"]) | not) then
			"key base_config: must be \"tinyconfig\" or \"defconfig\"" else empty end)
	 else empty end)
end'

vm_log()
{
	echo "$(basename "$0" .sh): $*" >&2
}

variant_load()
{
	local arg=$1 problems

	if [ -f "$arg" ]; then
		VARIANT_FILE=$(cd "$(dirname "$arg")" && pwd)/$(basename "$arg")
	elif [ -f "$VARIANT_KP_DIR/variants/$arg.json" ]; then
		VARIANT_FILE=$VARIANT_KP_DIR/variants/$arg.json
	else
		echo "$arg: no such manifest (nor $VARIANT_KP_DIR/variants/$arg.json)" >&2
		return 1
	fi
	if ! problems=$(jq -r --argjson schema "$_variant_schema" "$_variant_check_jq" \
			"$VARIANT_FILE" 2>&1); then
		echo "$VARIANT_FILE: not valid JSON: $problems" >&2
		return 1
	fi
	if [ -n "$problems" ]; then
		printf '%s\n' "$problems" | sed "s|^|$VARIANT_FILE: |" >&2
		return 1
	fi
	VARIANT_NAME=$(variant_get name)
	VARIANT_KIND=$(variant_get kind)
	VARIANT_SUITE=$(variant_get suite)
}

variant_get()
{
	jq -r --arg k "$1" '.[$k] // ""' "$VARIANT_FILE"
}

variant_list()
{
	jq -r --arg k "$1" '.[$k] // [] | .[]' "$VARIANT_FILE"
}

variant_path()
{
	local rel=$1 beside

	case "$rel" in
	/*)
		[ -e "$rel" ] && { echo "$rel"; return 0; }
		echo "$VARIANT_FILE: $rel: no such file" >&2
		return 1
		;;
	esac
	beside=$(dirname "$VARIANT_FILE")/$rel
	if [ -e "$beside" ]; then
		echo "$(cd "$(dirname "$beside")" && pwd)/$(basename "$beside")"
	elif [ -e "$VARIANT_KP_DIR/$rel" ]; then
		echo "$(cd "$(dirname "$VARIANT_KP_DIR/$rel")" && pwd)/$(basename "$rel")"
	else
		echo "$VARIANT_FILE: $rel: no such file (looked beside the manifest and in $VARIANT_KP_DIR)" >&2
		return 1
	fi
}

vm_cache_dir()
{
	local dir=${1:-${RINGLAB_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ringlab/kernels}}

	mkdir -p "$dir" && cd "$dir" && pwd
}

vm_apt_state()
{
	local cache=$1 suite=$2 dir stamp age max=${RINGLAB_APT_MAX_AGE:-86400}

	dir=$cache/apt/$suite
	stamp=$dir/updated
	if [ -f "$stamp" ]; then
		age=$(( $(date +%s) - $(stat -c %Y "$stamp") ))
		if [ "$age" -lt "$max" ]; then
			APT_PRIVATE_DIR=$dir
			return 0
		fi
	fi
	vm_log "updating the package lists of $suite"
	apt_private_init "$dir" "$suite" deb >&2 || return 1
	touch "$stamp"
}

vm_resolve_debs()
{
	local memo uris

	memo=$APT_PRIVATE_DIR/resolved.$(printf '%s\n' "$@" | sha256sum | cut -c1-16)
	if [ -f "$memo" ] && [ "$memo" -nt "$APT_PRIVATE_DIR/updated" ]; then
		cat "$memo"
		return 0
	fi
	if ! uris=$(apt_private --print-uris -qq download "$@" 2>&1); then
		vm_log "$(printf '%s\n' "$uris" | grep '^E:' || echo "$uris")"
		vm_log "(package lists from $(date -r "$APT_PRIVATE_DIR/updated" '+%F %T');" \
			"RINGLAB_APT_MAX_AGE=0 refreshes them)"
		return 1
	fi
	printf '%s\n' "$uris" | awk '{print $2}' | sort >"$memo"
	cat "$memo"
}
