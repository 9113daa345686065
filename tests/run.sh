#!/usr/bin/env bash
# tests/run.sh CHAPTER...: builds each chapter, then runs its unit tests,
# its integration tests (every test whose first chapter is this one or an
# earlier one) and its labs' reference solutions (tests/labs/solutions.sh:
# each checker fails on the chapter and passes with the solution). Ends
# with one summary line.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$top/build"
all=(chapter3 chapter4-busybox chapter4-overlay chapter4-volume chapter4-commit)
cflags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-truncation -g)
passed=0
failed=0

say() { printf '%s\n' "$*"; }

# cmocka's summary lines carry the counts.
count() {
    local out=$1 n
    n=$(grep -o '^\[  PASSED  \] [0-9]*' "$out" | grep -o '[0-9]*$' | tail -n 1)
    passed=$((passed + ${n:-0}))
    n=$(grep -o '^ *[0-9]* FAILED TEST' "$out" | grep -o '[0-9]*' | tail -n 1)
    failed=$((failed + ${n:-0}))
}

# A step that fails without cmocka's own counts (a build, a crash) still
# counts as one failure.
step() {
    local name=$1
    shift
    local out="$build/last.out"
    "$@" >"$out" 2>&1
    local rc=$?
    cat "$out"
    if grep -q '^\[==========\]' "$out"; then
        count "$out"
        if [ $rc -ne 0 ] && ! grep -q 'FAILED TEST' "$out"; then
            say "FAILED: $name exited $rc"
            failed=$((failed + 1))
        fi
    elif [ $rc -ne 0 ]; then
        say "FAILED: $name (exit $rc)"
        failed=$((failed + 1))
    fi
}

# Each lab's reference solution (tests/labs/solutions.sh): one pass or
# failure per lab, from its last line "solutions: P passed, F failed"; no
# such line (it crashed, or was used wrongly) is one failure.
lab_solutions() {
    local out="$build/solutions.out" rc p f
    "$top/tests/labs/solutions.sh" "$1" >"$out" 2>&1
    rc=$?
    cat "$out"
    read -r p f < <(sed -En 's/^solutions: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$out" | tail -n 1)
    if [ -z "${p:-}" ]; then
        say "FAILED: $1 lab solutions (exit $rc)"
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        say "FAILED: $1 lab solutions exited $rc"
        failed=$((failed + 1))
    fi
}

need_cmocka() {
    local probe="$build/cmocka-probe"
    printf '#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <setjmp.h>\n#include <cmocka.h>\nint main(void){return 0;}\n' >"$probe.c"
    cc -o "$probe" "$probe.c" -lcmocka 2>/dev/null && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        say "tests: installing libcmocka-dev"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcmocka-dev >/dev/null &&
            cc -o "$probe" "$probe.c" -lcmocka 2>/dev/null && return 0
    fi
    say "tests: cmocka is missing: install it (Debian/Ubuntu: sudo apt-get install libcmocka-dev)"
    exit 1
}

index_of() {
    local i
    for i in "${!all[@]}"; do
        [ "${all[$i]}" = "$1" ] && { echo "$i"; return; }
    done
    echo -1
}

unit_tests() {
    local ch=$1 i t name
    mkdir -p "$build/$ch"
    for ((i = 0; i <= $(index_of "$ch"); i++)); do
        for t in "$top"/tests/unit/"${all[$i]}"/test_*.c; do
            [ -e "$t" ] || continue
            name=$(basename "$t" .c)
            step "$ch $name (build)" cc "${cflags[@]}" -I "$top/$ch" -Dmain=mydocker_main \
                -o "$build/$ch/$name" "$t" "$top/$ch"/*.c -lcmocka || continue
            [ -x "$build/$ch/$name" ] && step "$ch $name" "$build/$ch/$name"
        done
    done
}

mkdir -p "$build"
need_cmocka
step "integration harness (build)" cc "${cflags[@]}" -o "$build/itest" "$top"/tests/integration/*.c -lcmocka

# Formatting, cppcheck, clang-tidy and shellcheck are part of the suite,
# and a commit test reads strace's output;
# as with cmocka, install them when we can.
missing=()
for tool in cppcheck clang-tidy clang-format shellcheck strace; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    say "tests: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if "$top/tests/lint.sh" "$@" >"$build/lint.out" 2>&1; then
    say "lint: passed"
    passed=$((passed + 1))
else
    cat "$build/lint.out"
    say "FAILED: lint (it needs cppcheck, clang-tidy, clang-format and shellcheck: sudo apt-get install them)"
    failed=$((failed + 1))
fi

if "$top/tests/diff-scope.sh"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi
if "$top/tests/diff-scope.sh" --check-readme; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi

image="$build/busybox.tar"
for ch in "$@"; do
    if [ "$(index_of "$ch")" -lt 0 ] || [ ! -f "$top/$ch/Makefile" ]; then
        say "tests: no chapter $ch"
        exit 2
    fi
    if [ "$ch" != chapter3 ] && [ ! -e "$image" ]; then
        step "busybox image" "$top/scripts/busybox-image.sh" "$image"
    fi
done

for ch in "$@"; do
    say "==== $ch"
    step "$ch (build)" make -s -C "$top/$ch"
    unit_tests "$ch"
    step "$ch integration" "$build/itest" "$ch" "$top/$ch" "$image"
    lab_solutions "$ch"
done
if [ "$(index_of "$1")" -ge 1 ] || [ $# -gt 1 ]; then
    say "==== scripts"
    step "scripts" "$build/itest" scripts "$top" "$image"
fi

# Under sudo, hand the build tree back so make clean works as the user.
if [ -n "${SUDO_UID:-}" ]; then
    chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$build" "$top"/chapter*/ 2>/dev/null
fi
rm -f "$build/last.out"
say "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
