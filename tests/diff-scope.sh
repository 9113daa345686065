#!/usr/bin/env bash
# tests/diff-scope.sh: each chapter's diff from its predecessor touches only
# the files tests/diff-scope.txt allows it.
#
#   tests/diff-scope.sh                 the scope check (part of make test)
#   tests/diff-scope.sh --stat          one line per step instead (make diffstat):
#                                       lines of code added and removed (the
#                                       README aside), and the files changed
#   tests/diff-scope.sh --check-readme  the top README.md's chapter table
#                                       quotes those same figures (make test)
#
# None of them looks at build output (*.o, mydocker) or at a directory
# named minimal (chapter3/minimal, a first container of chapter3's own that
# no later chapter carries): the top Makefile's "make diff" leaves out the
# same, and README.md too unless DOCS=1.
#
# --check-readme reads the top README.md's chapter table: the first table
# whose header row (a line beginning with "|") says "make diffstat". For
# each chapter after chapter3 it wants exactly one row whose first cell,
# link and backticks aside, is the chapter,
#   | [chapter4-overlay](chapter4-overlay/README.md) | ... | code +366 −7 |
# and in it exactly one "code +ADDED −REMOVED" (the minus may be U+2212 or
# "-"; digits may carry thousands commas), equal to what --stat prints.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 2
chapters=(chapter3 chapter4-busybox chapter4-overlay chapter4-volume chapter4-commit)
excludes=(-x '*.o' -x mydocker -x minimal)
mode=${1:-}
failed=0

case $mode in
'' | --stat | --check-readme) ;;
*)
    echo "usage: tests/diff-scope.sh [--stat | --check-readme]" >&2
    exit 2
    ;;
esac

# code_lines FROM TO: "ADDED REMOVED", the +/- lines of the diff of the
# code (README.md left out). Only the two lines right after a "diff" line
# are file headers: a removed "--i;" is code, shown as "---i;".
code_lines() {
    diff -ruN "${excludes[@]}" -x README.md "$1" "$2" |
        awk '/^diff / {h = 2; next}
             h > 0 && /^(---|\+\+\+) / {h--; next}
             {h = 0}
             /^\+/ {a++}
             /^-/ {r++}
             END {print a + 0, r + 0}'
}

# readme_row CHAPTER: the row of README.md's chapter table (the table
# whose header row names "make diffstat") whose first cell, links and
# backticks aside, is CHAPTER.
readme_row() {
    awk -F'|' -v ch="$1" '!/^\|/ {in_table = 0; next}
        !in_table && /make diffstat/ {in_table = 1; next}
        in_table {
            c = $2
            gsub(/\([^)]*\)/, "", c)
            gsub(/[][` \t*]/, "", c)
            if (c == ch) print
        }' README.md
}

# check_readme TO ADDED REMOVED: README.md's row for TO says the same.
check_readme() {
    local to=$1 added=$2 removed=$3 row figures n want
    want="code +$added −$removed"
    row=$(readme_row "$to")
    n=$(grep -c . <<<"$row")
    if [ "$n" -ne 1 ]; then
        echo "diff-scope: README.md has $n rows for $to in its chapter table, not 1 (a row begins '| [$to]($to/README.md) |'); make diffstat says: $want"
        return 1
    fi
    figures=$(grep -oE 'code \+[0-9,]+ (−|-)[0-9,]+' <<<"$row")
    n=$(grep -c . <<<"$figures")
    if [ "$n" -ne 1 ]; then
        echo "diff-scope: README.md's $to row has $n 'code +N −N', not 1; make diffstat says: $want"
        return 1
    fi
    read -r got_added got_removed < <(tr -d ',' <<<"$figures" | sed -E 's/^code \+([0-9]+) (−|-)([0-9]+)$/\1 \3/')
    if [ "$got_added" != "$added" ] || [ "$got_removed" != "$removed" ]; then
        echo "diff-scope: README.md's $to row says '$figures'; make diffstat says: $want"
        return 1
    fi
}

for ((i = 1; i < ${#chapters[@]}; i++)); do
    from=${chapters[$((i - 1))]} to=${chapters[$i]}
    [ -d "$to" ] || continue
    changed=$(diff -rq "${excludes[@]}" "$from" "$to" |
        sed -E 's|^Files [^ ]+/([^ /]+) and .*|\1|; s|^Only in [^:]+: (.*)|\1|' | sort)
    case $mode in
    --stat)
        read -r added removed < <(code_lines "$from" "$to")
        printf '%-17s code +%-4d -%-4d  %2d files: %s\n' "$to" "$added" "$removed" \
            "$(wc -w <<<"$changed")" "$(tr '\n' ' ' <<<"$changed")"
        continue
        ;;
    --check-readme)
        read -r added removed < <(code_lines "$from" "$to")
        check_readme "$to" "$added" "$removed" || failed=1
        continue
        ;;
    esac
    allowed=" $(sed -n "s/^$to: //p" tests/diff-scope.txt) "
    for f in $changed; do
        if [[ $allowed != *" $f "* ]]; then
            echo "diff-scope: $from -> $to changes $f, which $to's capability has no business touching"
            echo "            (a shared fix belongs in every chapter; or allow it in tests/diff-scope.txt)"
            failed=1
        fi
    done
done
case $mode in
'') [ $failed -ne 0 ] || echo "diff-scope: every chapter changes only its own files" ;;
--check-readme)
    if [ $failed -eq 0 ]; then
        echo "diff-scope: README.md's chapter table quotes make diffstat's figures"
    else
        echo "            (run make diffstat and copy its 'code +N -N' into README.md's table as 'code +N −N')"
    fi
    ;;
esac
exit $failed
