#!/bin/sh
# heist_copies.sh: a large Heist file for the loader and fold benchmarks (docs/performance.md).
#
#   experiments/heist_copies.sh [COPIES] [OUT]      (default 200 copies, /tmp/heist_x200.csv)
#
# Writes the header of ../shared/data/again/heist_3000ms.csv and then its 5,008 rows COPIES
# times; copy k >= 1 gives every participant a new id (the old one with "-k" appended), so the
# file holds 122 x COPIES participants and 5,008 x COPIES rows. At 200 copies that is 24,400
# participants, 1,001,600 rows and 383 MB: the 1M-row file of the loader benchmark and the
# 24,000-participant file of the leave-one-out dry run. Nothing of it goes into the repository.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
copies=${1:-200}
out=${2:-/tmp/heist_x$copies.csv}
heist=${PF_HEIST:-$src/../shared/data/again/heist_3000ms.csv}
[ -r "$heist" ] || { echo "heist_copies.sh: no Heist data at $heist" >&2; exit 2; }
case $copies in '' | *[!0-9]* | 0) echo "heist_copies.sh: COPIES must be a whole number >= 1" >&2; exit 2 ;; esac
# The participant id is the first field (a GUID, never quoted) in this file.
awk -v copies="$copies" -F, -v OFS=, '
    NR == 1 { print; next }
    { sub(/\r$/, ""); row[++n] = $0 }
    END {
        for (k = 0; k < copies; k++)
            for (i = 1; i <= n; i++) {
                if (k == 0) { print row[i]; continue }
                c = index(row[i], ",")
                print substr(row[i], 1, c - 1) "-" k substr(row[i], c)
            }
    }' "$heist" >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out: $(($(wc -l <"$out") - 1)) rows, $(wc -c <"$out" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
