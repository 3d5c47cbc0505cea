#!/bin/sh
# test_docs.sh: the manual says what the program does (curl's test1139 keeps its options, man
# page and help in agreement the same way).
#
#   1. docs/config.md's key tables list exactly the keys `run_experiment --help` prints (which
#      loops over the program's key table and the criteria's own keys), in the same order,
#      each with the same default.
#   2. Every option `run_experiment --help` lists is documented in docs/usage.md, and every
#      option docs/usage.md documents exists.
#   3. Every relative link of README.md and docs/*.md leads to a file that exists and, with a
#      #fragment, to a heading of that file (GitHub's anchor rule).
#   4. The headers cite the project's own docs/ only: each docs/NAME.md#anchor they name
#      exists, and none cites ../shared or DESIGN.md.
set -eu
. "$(dirname "$0")/cli_lib.sh"
DOCS=$PF_SRCDIR/docs

# 1. Keys. --help: "  [section]" then "    key   default   help"; the docs: table rows
# "| `section.key` | `default` | meaning |".
"$RUN" --help >"$WORK/help.txt"
awk '/^  \[[a-z]+\]$/ { s = substr($1, 2, length($1) - 2); next }
     s != "" && /^    [a-z_]+ / { d = $2; if (d == "\"\"") d = ""; print s "." $1 " " d }' \
    "$WORK/help.txt" >"$WORK/keys.help"
sed -n 's/^| `\([a-z_]*\.[a-z_]*\)` | `\([^`]*\)` |.*/\1 \2/p' "$DOCS/config.md" |
    sed 's/ ""$/ /' >"$WORK/keys.docs"
sed -i 's/ $//' "$WORK/keys.help" "$WORK/keys.docs"
n=$(wc -l <"$WORK/keys.help")
[ "$n" -gt 50 ] && pass "--help lists $n keys" || fail "--help lists only $n keys" "$(head -5 "$WORK/help.txt")"
if cmp -s "$WORK/keys.help" "$WORK/keys.docs"; then
    pass "docs/config.md lists the same $n keys, in --help's order, with the same defaults"
else
    fail "docs/config.md and --help disagree (< --help, > docs/config.md)" \
        "$(diff "$WORK/keys.help" "$WORK/keys.docs" | head -20)"
fi

# 2. Options.
sed -n 's/^  \(--[a-z-]*\).*/\1/p; s/^  --[a-z-]* \/ \(--[a-z-]*\).*/\1/p' "$WORK/help.txt" | sort -u \
    >"$WORK/opts.help"
missing=""
for o in $(cat "$WORK/opts.help"); do grep -q -e "\`$o" "$DOCS/usage.md" || missing="$missing $o"; done
[ -z "$missing" ] && pass "docs/usage.md documents every option of --help ($(wc -l <"$WORK/opts.help"))" \
    || fail "options of --help missing from docs/usage.md:$missing"
extra=""
for o in $(sed -n 's/^| `\(--[a-z-]*\).*/\1/p' "$DOCS/usage.md" | sort -u); do
    grep -q -x -e "$o" "$WORK/opts.help" || extra="$extra $o"
done
[ -z "$extra" ] && pass "docs/usage.md documents no option the program lacks" \
    || fail "docs/usage.md documents options --help does not list:$extra"

# 3. Links. A heading's anchor: lower case, punctuation but '-' and '_' dropped, spaces to '-'.
anchors() { # anchors FILE: one anchor per line
    sed -n 's/^#\{1,6\} \(.*\)/\1/p' "$1" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 _-]//g; s/ /-/g'
}
broken=""
for f in "$PF_SRCDIR/README.md" "$DOCS"/*.md; do
    dir=$(dirname "$f")
    for l in $(grep -o '\](\([^)#:]*\)\(#[^)]*\)\{0,1\})' "$f" | sed 's/^](\(.*\))$/\1/'); do
        target=${l%%#*} frag=""
        case $l in *'#'*) frag=${l#*#} ;; esac
        [ -n "$target" ] && path=$dir/$target || path=$f
        if [ ! -e "$path" ]; then broken="$broken ${f#"$PF_SRCDIR"/}->$l"; continue; fi
        if [ -n "$frag" ] && ! anchors "$path" | grep -q -x -e "$frag"; then
            broken="$broken ${f#"$PF_SRCDIR"/}->$l"
        fi
    done
done
[ -z "$broken" ] && pass "every relative link of README.md and docs/ leads somewhere" \
    || fail "broken links:$broken"

# 4. Headers cite docs/.
cited="" bad=""
for h in $(find "$PF_SRCDIR/src" -name '*.h'); do
    for d in $(grep -o 'docs/[a-z_-]*\.md\(#[a-z0-9_-]*\)\{0,1\}' "$h" | sort -u); do
        page=${d%%#*}
        cited="$cited $page"
        if [ ! -e "$PF_SRCDIR/$page" ]; then bad="$bad ${h#"$PF_SRCDIR"/}:$d"; continue; fi
        case $d in *'#'*) anchors "$PF_SRCDIR/$page" | grep -q -x -e "${d#*#}" || bad="$bad ${h#"$PF_SRCDIR"/}:$d" ;; esac
    done
    grep -q -e '\.\./shared' -e 'DESIGN' "$h" && bad="$bad ${h#"$PF_SRCDIR"/}:cites-../shared-or-DESIGN"
done
[ -n "$cited" ] && pass "headers cite docs/ ($(echo $cited | tr ' ' '\n' | sort -u | wc -l) pages)" \
    || fail "no header cites docs/"
[ -z "$bad" ] && pass "every page the headers cite exists, and none cites ../shared or DESIGN" \
    || fail "headers citing what is not in docs/:$bad"

finish
