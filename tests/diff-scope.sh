#!/usr/bin/env bash
# tests/diff-scope.sh: each chapter's diff from its predecessor touches only
# the files tests/diff-scope.txt allows it. With --stat, prints one line per
# step instead: lines of code added and removed (the README aside), and the
# files changed.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 2
chapters=(chapter3 chapter4-busybox chapter4-overlay chapter4-volume chapter4-commit)
excludes=(-x '*.o' -x mydocker)
failed=0

for ((i = 1; i < ${#chapters[@]}; i++)); do
    from=${chapters[$((i - 1))]} to=${chapters[$i]}
    [ -d "$to" ] || continue
    changed=$(diff -rq "${excludes[@]}" "$from" "$to" |
        sed -E 's|^Files [^ ]+/([^ /]+) and .*|\1|; s|^Only in [^:]+: (.*)|\1|' | sort)
    if [ "${1:-}" = --stat ]; then
        read -r added removed < <(diff -ruN "${excludes[@]}" -x README.md "$from" "$to" |
            awk '/^\+\+\+|^---/ {next} /^\+/ {a++} /^-/ {r++} END {print a+0, r+0}')
        printf '%-17s code +%-4d -%-4d  %2d files: %s\n' "$to" "$added" "$removed" \
            "$(wc -w <<<"$changed")" "$(tr '\n' ' ' <<<"$changed")"
        continue
    fi
    allowed=" $(sed -n "s/^$to: //p" tests/diff-scope.txt) "
    for f in $changed; do
        if [[ $allowed != *" $f "* ]]; then
            echo "diff-scope: $from -> $to changes $f, which $to's capability has no business touching"
            echo "            (a shared fix belongs in every chapter; or allow it in tests/diff-scope.txt)"
            failed=1
        fi
    done
done
[ "${1:-}" = --stat ] || [ $failed -ne 0 ] || echo "diff-scope: every chapter changes only its own files"
exit $failed
