#!/usr/bin/env bash
# tests/labs/solutions.sh [CHAPTER...]: every lab checker has a reference
# solution, the checker fails without it and passes with it. Run it as root
# (the checkers start containers): sudo make check-solutions [CHAPTER=X];
# sudo make test runs it for the chapters it tests. With no CHAPTER, every
# chapter that has labs.
#
# For each checker tests/labs/CHAPTER/labN.sh, the solution is
# tests/labs/CHAPTER/labN.patch; a checker without one fails ("no reference
# solution"). For each lab, in a temp dir removed at exit:
#   1. copy CHAPTER/ (without *.o and mydocker), make -s -C COPY;
#   2. run the checker as "make check-lab" does, with MYDOCKER=COPY/mydocker
#      and REPO=this repository: it must fail by saying why, as lib.sh's
#      fail does (exit 1 and a line "lab N: why"), not pass, crash or hang;
#   3. apply the patch, rebuild from scratch, run the checker again: it must
#      exit 0 with "lab N: passed" as its last line.
# A checker that calls lab_busybox_image gets the image as lib.sh does, from
# REPO/build/busybox.tar, which is made once first if it is missing.
#
# The patch: a unified diff against the chapter directory, applied inside
# the copy with
#     patch -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch <labN.patch
# so its file names carry one leading directory, which is stripped:
#     --- a/main.c
#     +++ b/main.c
# (or chapter3/main.c and chapter3.solved/main.c). A new file's old side,
# and a removed file's new side, is /dev/null or, as diff -N writes it,
# carries the epoch's timestamp ("--- a/new.c\t1970-01-01 ..."). Only files of
# the chapter: no "..", no paths outside it. No fuzz: when the chapter's
# code moves under the patch's context lines, regenerate the patch (an
# offset is fine). Make one from a solved copy of the chapter with
#     tests/labs/solutions.sh --make-patch CHAPTER SOLVED_DIR >tests/labs/CHAPTER/labN.patch
# or, with the solution in the work tree, git diff --relative=CHAPTER -- CHAPTER.
#
# Output: one line per lab, "solutions: CHAPTER lab N: passed" or
# "solutions: CHAPTER lab N: FAILED: why" (then, but for a missing patch,
# the last lines of the build's, patch's or checker's output, indented),
# then the totals on the last line,
#     solutions: P passed, F failed
# which tests/run.sh adds to its own. Exits 0 when F is 0, 1 when it is
# not, 2 on a usage error. SOLUTIONS_TIMEOUT (seconds, default 600) bounds
# each checker run.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
labs=$top/tests/labs
limit=${SOLUTIONS_TIMEOUT:-600}
build_excludes=(-x '*.o' -x mydocker -x '*.orig' -x '*.rej')
passed=0
failed=0
work=
child=

cleanup() {
    [ -z "$work" ] || rm -rf --one-file-system -- "$work"
}
# Interrupted: stop the checker that runs (timeout passes the signal on;
# the checker's own exit trap cleans up after it), then remove $work.
on_signal() {
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null
        wait "$child"
    fi
    exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

usage() {
    echo "usage: tests/labs/solutions.sh [CHAPTER...]" >&2
    echo "       tests/labs/solutions.sh --make-patch CHAPTER SOLVED_DIR >tests/labs/CHAPTER/labN.patch" >&2
    exit 2
}

# copy_chapter SRC DST: the chapter's sources, no build output.
copy_chapter() {
    cp -a "$1" "$2" && find "$2" \( -name '*.o' -o -name mydocker \) -delete
}

# --make-patch CHAPTER SOLVED_DIR: the patch, on stdout, in the form above
# (headers a/FILE and b/FILE, no timestamps).
make_patch() {
    local ch=$1 solved=$2 rc
    if [ ! -d "$top/$ch" ] || [ ! -d "$solved" ]; then
        usage
    fi
    work=$(mktemp -d /tmp/mydocker-solutions.XXXXXX) || exit 2
    if ! copy_chapter "$top/$ch" "$work/a" || ! copy_chapter "$solved" "$work/b"; then
        exit 2
    fi
    (cd "$work" && diff -ruN "${build_excludes[@]}" a b) >"$work/patch"
    rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "solutions: diff failed" >&2
        exit 2
    fi
    if [ "$rc" -eq 0 ]; then
        echo "solutions: $solved is the same as $ch: nothing to patch" >&2
        exit 2
    fi
    # Timestamps go, but for the epoch's: patch reads it as "no such
    # file", and so creates or removes the file.
    awk '/^diff / {h = 2; next}
         h > 0 && /^(---|\+\+\+) / {if ($0 !~ /\t1970-01-01 /) sub(/\t.*/, ""); h--; print; next}
         {h = 0; print}' "$work/patch"
}

say() { printf 'solutions: %s\n' "$*"; }

# The last lines of a log, indented.
tail_of() {
    if [ -s "$1" ]; then
        tail -n 15 "$1" | sed 's/^/    | /'
    else
        echo "    | (no output)"
    fi
}

# run_checker CHECKER COPY LOG: runs it as make check-lab does; its status.
# In the background, so that a signal to us is handled at once.
run_checker() {
    local rc=0
    MYDOCKER="$2/mydocker" REPO="$top" timeout -k 10 "$limit" bash "$1" >"$3" 2>&1 &
    child=$!
    wait "$child" || rc=$?
    child=
    return "$rc"
}

# build COPY LOG: a full build of the copy.
build() {
    find "$1" \( -name '*.o' -o -name mydocker \) -delete
    make -s -C "$1" >"$2" 2>&1 && [ -x "$1/mydocker" ]
}

# check_lab CHAPTER N: 0 if its solution does what it must; else says why.
check_lab() {
    local ch=$1 n=$2 checker=$labs/$1/lab$2.sh patch=$labs/$1/lab$2.patch
    local copy rc verdict log made_build=
    if [ ! -f "$patch" ]; then
        why="no reference solution (tests/labs/$ch/lab$n.patch)"
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        why="the checker needs root: sudo make check-solutions CHAPTER=$ch"
        return 1
    fi
    if grep -q '^[^#]*lab_busybox_image' "$checker" && [ ! -f "$top/build/busybox.tar" ]; then
        [ -d "$top/build" ] || made_build=1
        mkdir -p "$top/build"
        if ! "$top/scripts/busybox-image.sh" "$top/build/busybox.tar" >"$work/image.log" 2>&1; then
            why="could not make build/busybox.tar:"
            detail=$work/image.log
            return 1
        fi
        # Under sudo, as tests/run.sh does: make clean works as the user.
        if [ -n "${SUDO_UID:-}" ]; then
            chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$top/build/busybox.tar" \
                ${made_build:+"$top/build"} 2>/dev/null
        fi
    fi
    copy=$work/$ch-lab$n
    log=$work/$ch-lab$n.log
    rm -rf --one-file-system -- "$copy"
    if ! copy_chapter "$top/$ch" "$copy"; then
        why="could not copy $ch"
        return 1
    fi

    if ! build "$copy" "$log"; then
        why="$ch does not build, without the solution:"
        detail=$log
        return 1
    fi
    rc=0
    run_checker "$checker" "$copy" "$log" || rc=$?
    verdict=$(grep -m 1 "^lab $n: " "$log")
    if [ "$rc" -eq 0 ]; then
        why="the checker passes without the solution (${verdict:-no verdict}): it checks nothing the lab adds"
        return 1
    fi
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        why="the checker did not end within $limit s, without the solution:"
        detail=$log
        return 1
    fi
    # fail() in lib.sh: "lab N: why" (maybe more lines after it), exit 1.
    if [ "$rc" -ne 1 ] || [ -z "$verdict" ] || [ "$verdict" = "lab $n: passed" ]; then
        why="without the solution the checker should fail saying why (exit 1, 'lab $n: ...'); it exited $rc:"
        detail=$log
        return 1
    fi

    if ! (cd "$copy" && patch -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch \
        <"$patch") >"$log" 2>&1; then
        why="tests/labs/$ch/lab$n.patch does not apply to $ch (patch -p1 --fuzz=0):"
        detail=$log
        return 1
    fi
    if ! build "$copy" "$log"; then
        why="$ch does not build with the solution:"
        detail=$log
        return 1
    fi
    rc=0
    run_checker "$checker" "$copy" "$log" || rc=$?
    if [ "$rc" -ne 0 ] || [ "$(tail -n 1 "$log")" != "lab $n: passed" ]; then
        why="with the solution, the checker exits $rc:"
        detail=$log
        return 1
    fi
}

if [ "${1:-}" = --make-patch ]; then
    [ $# -eq 3 ] || usage
    make_patch "$2" "$3"
    exit 0
fi
case ${1:-} in -*) usage ;; esac

chapters=("$@")
if [ ${#chapters[@]} -eq 0 ]; then
    for ch in chapter3 chapter4-busybox chapter4-overlay chapter4-volume chapter4-commit; do
        [ ! -d "$labs/$ch" ] || chapters+=("$ch")
    done
fi
for ch in "${chapters[@]}"; do
    if [ ! -f "$top/$ch/Makefile" ]; then
        echo "solutions: no chapter $ch" >&2
        exit 2
    fi
done

work=$(mktemp -d /tmp/mydocker-solutions.XXXXXX) || exit 2
for ch in "${chapters[@]}"; do
    mapfile -t checkers < <(find "$labs/$ch" -maxdepth 1 -name 'lab*.sh' 2>/dev/null | sort -V)
    for checker in "${checkers[@]}"; do
        n=$(basename "$checker" .sh)
        n=${n#lab}
        why=
        detail=
        if check_lab "$ch" "$n"; then
            say "$ch lab $n: passed"
            passed=$((passed + 1))
        else
            say "$ch lab $n: FAILED: $why"
            [ -z "$detail" ] || tail_of "$detail"
            failed=$((failed + 1))
        fi
        rm -rf --one-file-system -- "${work:?}/$ch-lab$n"
    done
done
say "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
