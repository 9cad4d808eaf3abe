# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# series.sh: a variant's patch series, from its files to a git tree (sourced; bash).
#
#   series_collect OUT ENTRY...  split the entries (mbox, maildir, format-patch or
#                            diff files, directories of them) into one message a
#                            file OUT/NNNN, in order, dropping messages without a
#                            diff (cover letters, replies), and write OUT/index,
#                            one "NNNN<TAB>ENTRY<TAB>SUBJECT" line a patch. With a
#                            ringlab that has `series export` (RINGLAB_BIN, else
#                            ringlab in PATH) each entry goes through it first: it
#                            picks the newest version of a thread and says what it
#                            took. Return 1 (the reason on stderr) when an entry
#                            yields no patch or the export fails
#   series_hash OUT          a hash of the collected patches, in order
#   series_apply TREE OUT WHAT
#                            apply the collected patches to the git work tree TREE
#                            with `git apply --index`, one at a time; a patch that
#                            does not apply is named (number, subject, file,
#                            failing hunk, whether it is already in WHAT), return 1
#   series_check TREE REV OUT WHAT
#                            the same against commit REV in a scratch index: the
#                            work tree and its index are not touched
#   series_ringlab           print the ringlab binary with `series export`, or return 1

series_ringlab()
{
	local c

	for c in "${RINGLAB_BIN:-}" "$(command -v ringlab 2>/dev/null || true)"; do
		if [ -n "$c" ] && [ -x "$c" ] && "$c" series export --help >/dev/null 2>&1; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# _series_files ENTRY: the files an entry stands for, one a line, in order.
_series_files()
{
	local files

	if [ -d "$1/cur" ] && [ -d "$1/new" ]; then
		echo "$1"       # a maildir: git mailsplit reads it as one
	elif [ -d "$1" ]; then
		files=$(find "$1" -maxdepth 1 -type f \( -name '*.patch' -o -name '*.mbox' -o -name '*.mbx' \
			-o -name '*.eml' -o -name '*.diff' \) | LC_ALL=C sort)
		[ -n "$files" ] || { echo "$1: no *.patch, *.mbox, *.mbx, *.eml or *.diff in it" >&2; return 1; }
		echo "$files"
	else
		echo "$1"
	fi
}

series_collect()
{
	local out=$1 entry rl='' n=0 k got split f name msg subject files
	shift

	mkdir -p "$out"
	: >"$out/index"
	rl=$(series_ringlab) || rl=''
	for entry in "$@"; do
		split=$out/split.$n
		mkdir -p "$split"
		if [ -n "$rl" ]; then
			"$rl" series export "$entry" "$split/export" >&2 ||
				{ echo "$entry: ringlab series export failed" >&2; return 1; }
			files=$(find "$split/export" -maxdepth 1 -name '*.patch' | LC_ALL=C sort)
		else
			files=$(_series_files "$entry") || return 1
		fi
		k=0 got=0
		while IFS= read -r f; do
			[ -n "$f" ] || continue
			name=$f
			[ -z "$rl" ] || name="$entry ($(basename "$f"))"
			mkdir -p "$split/$k"
			git mailsplit -b -o"$split/$k" "$f" >/dev/null 2>"$split/err" ||
				{ echo "$f: not an mbox, maildir or patch file: $(cat "$split/err")" >&2; return 1; }
			for msg in "$split/$k"/*; do
				[ -f "$msg" ] || continue
				# A cover letter or a reply carries no diff.
				grep -q '^diff --git \|^--- ' "$msg" || continue
				n=$((n + 1))
				got=$((got + 1))
				mv "$msg" "$out/$(printf '%04d' "$n")"
				subject=$(sed -n '/^Subject: /{s///p;q}' "$out/$(printf '%04d' "$n")")
				printf '%04d\t%s\t%s\n' "$n" "$name" "$subject" >>"$out/index"
			done
			k=$((k + 1))
		done <<<"$files"
		if [ "$got" -eq 0 ]; then
			echo "$entry: no patch in it (no message with a diff). A thread rendered as a web page or" \
				"text is not an mbox: get one with \`b4 mbox MESSAGE-ID\` or lore's \"mbox.gz\" link" >&2
			return 1
		fi
		rm -rf "$split"
	done
}

series_hash()
{
	local f

	for f in "$1"/[0-9][0-9][0-9][0-9]; do
		[ -f "$f" ] && sha256sum <"$f"
	done | sha256sum | cut -c1-16
}

# _series_hunk MSG FILE LINE: the "@@ -LINE,..." header of FILE's hunk in MSG.
_series_hunk()
{
	awk -v f="$2" -v l="$3" '
		/^diff --git / { cur = (substr($0, length($0) - length(f) - 1) == "b/" f) }
		cur && /^@@ / { split($2, a, ","); if (substr(a[1], 2) + 0 == l + 0) { print; exit } }' "$1"
}

# _series_report OUT NNNN WHAT ERR PRESENT: say which patch failed and where.
_series_report()
{
	local out=$1 id=$2 what=$3 err=$4 present=$5 total file subject loc path line

	total=$(wc -l <"$out/index")
	file=$(awk -F'\t' -v id="$id" '$1 == id { print $2 }' "$out/index")
	subject=$(awk -F'\t' -v id="$id" '$1 == id { print $3 }' "$out/index")
	echo "$file: patch $((10#$id))/$total${subject:+ \"$subject\"} does not apply to $what:" >&2
	printf '%s\n' "$err" | sed 's/^/  /' >&2
	loc=$(printf '%s\n' "$err" | sed -n 's/^error: patch failed: //p' | sed -n 1p)
	if [ -n "$loc" ]; then
		path=${loc%:*}
		line=${loc##*:}
		echo "  failing hunk in $path: $(_series_hunk "$out/$id" "$path" "$line")" >&2
	fi
	if [ "$present" = yes ]; then
		echo "  it is already in $what (it applies in reverse): drop it from the series" >&2
	else
		echo "  it is not already in $what either (it does not apply in reverse)" >&2
	fi
}

# _series_each TREE OUT WHAT GIT_APPLY_ARGS...: apply each patch, report the first failure.
_series_each()
{
	local tree=$1 out=$2 what=$3 msg id err present
	shift 3

	for msg in "$out"/[0-9][0-9][0-9][0-9]; do
		[ -f "$msg" ] || continue
		id=$(basename "$msg")
		if ! err=$(git -C "$tree" apply --whitespace=nowarn "$@" "$msg" 2>&1); then
			present=no
			git -C "$tree" apply --check --reverse "$@" "$msg" >/dev/null 2>&1 && present=yes
			_series_report "$out" "$id" "$what" "$err" "$present"
			return 1
		fi
	done
}

series_apply()
{
	_series_each "$1" "$2" "$3" --index
}

series_check()
{
	local tree=$1 rev=$2 out=$3 what=$4 index ret=0

	index=$(mktemp "${TMPDIR:-/tmp}/ringlab-index.XXXXXX")
	GIT_INDEX_FILE=$index git -C "$tree" read-tree "$rev" || { rm -f "$index"; return 1; }
	GIT_INDEX_FILE=$index _series_each "$tree" "$out" "$what" --cached || ret=1
	rm -f "$index"
	return $ret
}
