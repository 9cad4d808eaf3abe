# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2016,SC2034 # jq programs in single quotes; VARIANT_* are for the callers
# variant.sh: read and check a kernel variant manifest or a family member (sourced; bash).
#
#   variant_load SPEC        check a variant and set VARIANT_FILE, VARIANT_SPEC,
#                            VARIANT_JSON, VARIANT_NAME, VARIANT_KIND, VARIANT_SUITE,
#                            VARIANT_FAMILY and VARIANT_VERSION (empty outside a
#                            family). SPEC is a manifest path, a name under
#                            kernel-patches/variants/, or FAMILY:VERSION (a family
#                            path or a name under kernel-patches/families/; VERSION
#                            is "base" or a key of its "versions"), which stands
#                            for a source or git variant made from the family.
#                            On a bad manifest print "FILE: key K: reason" lines,
#                            return 1
#   variant_get KEY          the string value of KEY ("" when absent)
#   variant_has KEY          whether the variant has KEY
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
#   bzimage_release FILE     the release a bzImage's header names; 1 if not a bzImage

VARIANT_KP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# One table: key, JSON type, the kinds it belongs to ([] = every kind).
_variant_schema='{
	"name":           ["string", []],
	"kind":           ["string", []],
	"description":    ["string", []],
	"cmdline":        ["string", []],
	"suite":          ["string", ["debian-image", "source"]],
	"version":        ["string", ["debian-image", "source"]],
	"packages":       ["array",  ["debian-image"]],
	"modules":        ["array",  ["debian-image", "prebuilt"]],
	"source_package": ["string", ["source"]],
	"repo":           ["string", ["git"]],
	"base":           ["string", ["git"]],
	"head":           ["string", ["git"]],
	"series":         ["array",  ["source", "git"]],
	"message_ids":    ["array",  ["source", "git"]],
	"fragment":       ["string", ["source", "git"]],
	"base_config":    ["string", ["source", "git"]],
	"localversion":   ["string", ["source", "git"]],
	"kernel":         ["string", ["prebuilt"]],
	"modules_dir":    ["string", ["prebuilt"]],
	"release":        ["string", ["prebuilt"]]
}'
_variant_required='{
	"debian-image": ["suite", "packages"],
	"source":       ["suite", "source_package", "fragment"],
	"git":          ["repo", "base", "fragment"],
	"prebuilt":     ["kernel"]
}'

# Prints one "key K: reason" line per problem; prints nothing for a good manifest.
# $member: the manifest was made from a family, its name is FAMILY:VERSION.
_variant_check_jq='
def strings($k): if has($k) and (.[$k] | type) == "array" then
	(.[$k] | to_entries[] | select(.value | type != "string" or length == 0) |
	 "key \($k)[\(.key)]: must be a non-empty string") else empty end;
def namere: if $member then "^[A-Za-z0-9][A-Za-z0-9._-]*:[A-Za-z0-9][A-Za-z0-9._-]*$"
	else "^[A-Za-z0-9][A-Za-z0-9._-]*$" end;
if type != "object" then "top level: must be an object" else
	(to_entries[] | .key as $k | .value as $v |
	 if $schema[$k] == null then "key \($k): unknown (known: \($schema | keys | join(", ")))"
	 elif ($v | type) != $schema[$k][0] then "key \($k): must be a JSON \($schema[$k][0])"
	 else empty end),
	(if (.name | type) != "string" then "key name: required"
	 elif (.name | test(namere) | not) then
		"key name: letters, digits, \".\", \"_\" and \"-\" only"
	 else empty end),
	(if $required[.kind | tostring] == null then
		"key kind: must be one of \($required | keys | map("\"\(.)\"") | join(", "))"
	 else
		.kind as $kind |
		(keys[] | select($schema[.] != null and ($schema[.][1] | length) > 0 and
			($schema[.][1] | index($kind)) == null) |
			"key \(.): only for kind \($schema[.][1] | join(" or "))"),
		($required[$kind][] as $k | if has($k) and .[$k] != "" and .[$k] != [] then empty
			else "key \($k): required for kind \($kind)" end),
		strings("packages"), strings("modules"), strings("series"), strings("message_ids"),
		(if has("series") and has("message_ids") then
			"key series: give series or message_ids, not both" else empty end),
		(if has("head") and (has("series") or has("message_ids")) then
			"key head: give head or a series on top of base, not both" else empty end),
		(if has("base_config") and ([.base_config] | inside(["tinyconfig", "defconfig"]) | not) then
			"key base_config: must be \"tinyconfig\" or \"defconfig\"" else empty end),
		(if has("localversion") and (.localversion | test("^[A-Za-z0-9._+-]{0,32}$") | not) then
			"key localversion: at most 32 of letters, digits, \".\", \"_\", \"+\", \"-\"" else empty end)
	 end)
end'

# A family: one base, one config, versions. Same output shape as above.
_family_check_jq='
def namere: "^[A-Za-z0-9][A-Za-z0-9._-]*$";
def only($obj; $where; $known): $obj | keys[] | . as $k | select(($known | index($k)) == null) |
	"key \($where).\(.): unknown (known: \($known | join(", ")))";
def str($obj; $where; $k; $req): if ($obj | has($k)) then
	(if ($obj[$k] | type) != "string" or $obj[$k] == "" then "key \($where).\($k): must be a non-empty string" else empty end)
	elif $req then "key \($where).\($k): required" else empty end;
def series_list($v; $where): if ($v | type) != "array" or ($v | length) == 0 or
	($v | map(select(type != "string" or length == 0)) | length) > 0 then
	"key \($where): must be a non-empty array of non-empty strings" else empty end;
if type != "object" then "top level: must be an object" else
	only(.; "top"; ["name", "description", "base", "config", "versions", "cmdline"]),
	(if (.name | type) != "string" or (.name | test(namere) | not) then
		"key name: required; letters, digits, \".\", \"_\" and \"-\" only" else empty end),
	str(.; "top"; "description"; false), str(.; "top"; "cmdline"; false),
	(if (.base | type) != "object" then "key base: required, an object" else
		.base as $b |
		if $b.kind == "source" then only($b; "base"; ["kind", "suite", "source_package", "version"]),
			str($b; "base"; "suite"; true), str($b; "base"; "source_package"; true), str($b; "base"; "version"; false)
		elif $b.kind == "git" then only($b; "base"; ["kind", "repo", "ref"]),
			str($b; "base"; "repo"; true), str($b; "base"; "ref"; true)
		else "key base.kind: must be \"source\" or \"git\"" end end),
	(if (.config | type) != "object" then "key config: required, an object" else
		only(.config; "config"; ["base_config", "fragment"]),
		str(.config; "config"; "fragment"; true), str(.config; "config"; "base_config"; false) end),
	(if (.versions | type) != "object" or (.versions | length) == 0 then
		"key versions: required, an object {\"v3\": series, ...}" else
		.base.kind as $kind |
		(.versions | to_entries[] | .key as $n | .value as $v | "versions.\($n)" as $w |
		 if ($n | test(namere) | not) or ($n | length) > 24 then
			"key \($w): a version name is at most 24 letters, digits, \".\", \"_\", \"-\""
		 elif $n == "base" then "key \($w): \"base\" is the base itself, name versions otherwise"
		 elif ($v | type) == "string" then (if $v == "" then "key \($w): empty" else empty end)
		 elif ($v | type) == "array" then series_list($v; $w)
		 elif ($v | type) == "object" then
			only($v; $w; ["series", "message_ids", "head"]),
			(if ($v | keys | length) != 1 then "key \($w): give one of series, message_ids, head"
			 elif $v | has("head") then
				(if $kind != "git" then "key \($w).head: only on a git base" else str($v; $w; "head"; true) end)
			 else $v | to_entries[0] | series_list(.value; "\($w).\(.key)") end)
		 else "key \($w): a series (path), an array of paths or an object" end)
	end)
end'

# The member VERSION of a checked family, as a variant manifest.
_family_member_jq='
.versions[$v] as $ver |
{name: "\(.name):\($v)", kind: .base.kind,
 description: "\(.name) \($v)\(if .description then ": \(.description)" else "" end)",
 localversion: "-rl-\($v)", fragment: .config.fragment} +
(if .config.base_config then {base_config: .config.base_config} else {} end) +
(if .cmdline then {cmdline: .cmdline} else {} end) +
(if .base.kind == "source" then {suite: .base.suite, source_package: .base.source_package} +
	(if .base.version then {version: .base.version} else {} end)
 else {repo: .base.repo, base: .base.ref} end) +
(if $v == "base" then {}
 elif ($ver | type) == "string" then {series: [$ver]}
 elif ($ver | type) == "array" then {series: $ver}
 else $ver end)'

vm_log()
{
	echo "$(basename "$0" .sh): $*" >&2
}

# _variant_problems FILE JQ_PROGRAM [jq args] <JSON: the problems, prefixed with FILE; 1 if any.
_variant_problems()
{
	local file=$1 prog=$2 problems
	shift 2

	if ! problems=$(jq -r "$@" "$prog" 2>&1); then
		echo "$file: not valid JSON: $problems" >&2
		return 1
	fi
	if [ -n "$problems" ]; then
		printf '%s\n' "$problems" | sed "s|^|$file: |" >&2
		return 1
	fi
}

# _variant_file PATH|NAME DIR: the absolute path of a manifest, or return 1.
_variant_file()
{
	if [ -f "$1" ]; then
		echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
	elif [ -f "$VARIANT_KP_DIR/$2/$1.json" ]; then
		echo "$VARIANT_KP_DIR/$2/$1.json"
	else
		return 1
	fi
}

variant_load()
{
	local arg=$1 fam ver member=false

	VARIANT_FAMILY='' VARIANT_VERSION=''
	if VARIANT_FILE=$(_variant_file "$arg" variants); then
		VARIANT_SPEC=$VARIANT_FILE
		VARIANT_JSON=$(jq -c . "$VARIANT_FILE" 2>/dev/null) || VARIANT_JSON=$(cat "$VARIANT_FILE")
	elif [ "${arg%:*}" != "$arg" ]; then
		fam=${arg%:*}
		ver=${arg##*:}
		VARIANT_FILE=$(_variant_file "$fam" families) || {
			echo "$fam: no such family (nor $VARIANT_KP_DIR/families/$fam.json)" >&2
			return 1
		}
		# shellcheck disable=SC2094  # the file is only read
		_variant_problems "$VARIANT_FILE" "$_family_check_jq" <"$VARIANT_FILE" || return 1
		if [ "$ver" != base ] && ! jq -e --arg v "$ver" '.versions | has($v)' "$VARIANT_FILE" >/dev/null; then
			echo "$VARIANT_FILE: no version \"$ver\" (it has: base $(jq -r '.versions | keys_unsorted | join(" ")' \
				"$VARIANT_FILE"))" >&2
			return 1
		fi
		VARIANT_JSON=$(jq -c --arg v "$ver" "$_family_member_jq" "$VARIANT_FILE")
		VARIANT_SPEC=$VARIANT_FILE:$ver
		VARIANT_FAMILY=$(jq -r .name "$VARIANT_FILE")
		VARIANT_VERSION=$ver
		member=true
	else
		echo "$arg: no such manifest (nor $VARIANT_KP_DIR/variants/$arg.json;" \
			"a family member is FAMILY:VERSION)" >&2
		return 1
	fi
	_variant_problems "$VARIANT_FILE" "$_variant_check_jq" --argjson schema "$_variant_schema" \
		--argjson required "$_variant_required" --argjson member "$member" <<<"$VARIANT_JSON" || return 1
	VARIANT_NAME=$(variant_get name)
	VARIANT_KIND=$(variant_get kind)
	VARIANT_SUITE=$(variant_get suite)
}

variant_get()
{
	jq -r --arg k "$1" '.[$k] // ""' <<<"$VARIANT_JSON"
}

variant_has()
{
	jq -e --arg k "$1" 'has($k)' <<<"$VARIANT_JSON" >/dev/null
}

variant_list()
{
	jq -r --arg k "$1" '.[$k] // [] | .[]' <<<"$VARIANT_JSON"
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

# bzimage_release FILE: the release (uname -r) a bzImage carries in its setup
# header (the kernel_version field at 0x20e points at "RELEASE (builder) #...",
# 0x200 bytes in); return 1 for a file that is not a bzImage.
bzimage_release()
{
	local off

	[ "$(dd if="$1" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] || return 1
	off=$(od -An -tu2 -j526 -N2 "$1" | tr -d ' ')
	[ -n "$off" ] && [ "$off" -gt 0 ] || return 1
	dd if="$1" bs=1 skip=$((off + 512)) count=128 2>/dev/null | tr '\0' '\n' | sed -n '1s/ .*//p' | grep .
}
