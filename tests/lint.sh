#!/usr/bin/env bash
# tests/lint.sh [CHAPTER...]: the repo's code habits, checked. Every chapter
# is formatted by .clang-format and quiet under cppcheck and clang-tidy
# (.clang-tidy); every shell script is shellcheck-clean.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 2
chapters=("$@")
[ ${#chapters[@]} -gt 0 ] || chapters=(chapter*/)
failed=0

check() {
    local name=$1
    shift
    local out
    if out=$("$@" 2>&1) && [ -z "$out" ]; then
        echo "lint: $name: ok"
    else
        printf '%s\n' "$out" | head -n 40
        echo "lint: $name: FAILED"
        failed=1
    fi
}

for ch in "${chapters[@]}"; do
    ch=${ch%/}
    # chapter3/minimal/ holds the one-page container the lesson opens with.
    srcs=("$ch"/*.c)
    [ -d "$ch/minimal" ] && srcs+=("$ch"/minimal/*.c)
    check "$ch clang-format" clang-format --dry-run --Werror "$ch"/*.h "${srcs[@]}"
    # -D__x86_64__ (or this machine's own): cppcheck defines no
    # architecture, and security.c stops at #error without one.
    check "$ch cppcheck" cppcheck --quiet --enable=warning,style,performance,portability \
        --std=c11 -D_GNU_SOURCE "-D__$(uname -m)__" --error-exitcode=1 \
        --suppress=missingIncludeSystem "${srcs[@]}"
    check "$ch clang-tidy" sh -c "clang-tidy --quiet ${srcs[*]} -- -std=c11 -D_GNU_SOURCE 2>&1 |
        grep -v 'warnings generated' || true"
done
check "tests clang-format" clang-format --dry-run --Werror tests/*/*.[ch] tests/*/*/*.[ch] scripts/*.c
mapfile -t scripts < <(ls run .ci/run scripts/*.sh tests/*.sh tests/vm/*.sh tests/labs/*.sh tests/labs/*/*.sh 2>/dev/null)
check "shellcheck" shellcheck "${scripts[@]}"
[ $failed -eq 0 ]
