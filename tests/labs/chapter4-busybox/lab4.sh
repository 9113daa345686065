#!/usr/bin/env bash
# chapter4-busybox, lab 4: every container gets its own copy of the image.
# Passes when a container can write anywhere in its root, yet the unpacked
# image never changes, two containers never see each other's files, and
# the copy is gone when the container ends (also when its command is not
# found).
# Run it with: sudo make check-lab CHAPTER=chapter4-busybox LAB=4
set -euo pipefail
: "${MYDOCKER:?set MYDOCKER to the mydocker binary of the chapter}"
: "${REPO:?set REPO to the top directory of the repository}"

fail() {
    echo "lab 4: $*"
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail "run it as root: sudo make check-lab CHAPTER=chapter4-busybox LAB=4"

MYDOCKER_ROOT=$(mktemp -d /tmp/mydocker-lab4.XXXXXX)
export MYDOCKER_ROOT
bg=
cleanup() {
    [ -z "$bg" ] || kill "$bg" 2>/dev/null || true
    [ -z "$bg" ] || wait "$bg" 2>/dev/null || true
    rm -rf --one-file-system -- "$MYDOCKER_ROOT"
}
trap cleanup EXIT
mkdir -p "$MYDOCKER_ROOT/images"
if [ -f "$REPO/build/busybox.tar" ]; then
    cp "$REPO/build/busybox.tar" "$MYDOCKER_ROOT/images/"
else
    "$REPO/scripts/busybox-image.sh" "$MYDOCKER_ROOT/images/busybox.tar" 2>/dev/null ||
        fail "could not make the busybox image: run $REPO/scripts/busybox-image.sh to see why"
fi
image=$MYDOCKER_ROOT/images/busybox

# mydocker run ARG..., quietly; stdout and stderr together.
run() { "$MYDOCKER" -log-level error run "$@" 2>&1; }

# Only the image (tarball and unpacked directory) may remain between runs;
# an empty containers/ directory is fine.
leftovers() {
    find "$MYDOCKER_ROOT" -mindepth 1 -maxdepth 1 ! -name images ! -name containers
    find "$MYDOCKER_ROOT/images" -mindepth 1 -maxdepth 1 ! -name busybox ! -name busybox.tar
    [ ! -d "$MYDOCKER_ROOT/containers" ] || find "$MYDOCKER_ROOT/containers" -mindepth 1 -maxdepth 1
    grep -F -- "$MYDOCKER_ROOT" /proc/self/mounts || true
}

out=$(run sh -c 'echo hello >/hello && cat /hello') ||
    fail "a container can no longer write to its own /: $out"
[ "$out" = hello ] || fail "writing /hello and reading it back in one container gave: $out"
[ ! -e "$image/hello" ] ||
    fail "/hello written in the container is in the image directory $image: the container still runs on the image itself"
[ -z "$(leftovers)" ] || fail "after the container exited, this is left: $(leftovers | tr '\n' ' ')"

status=0
out=$(run cat /hello) || status=$?
[ "$status" -ne 0 ] || fail "a second container still sees the first one's /hello"

run rm /bin/ls >/dev/null || fail "rm /bin/ls in a container failed"
out=$(run ls /) || fail "after rm /bin/ls in one container, the next one has no ls: $out"

status=0
run no-such-command >/dev/null || status=$?
[ "$status" -eq 127 ] || fail "mydocker run no-such-command should exit 127, not $status"
[ -z "$(leftovers)" ] ||
    fail "after a command that was not found, this is left: $(leftovers | tr '\n' ' ')"

# Two containers at once: each has its own copy.
run sh -c 'echo mine >/only-in-the-first && sleep 2' >/dev/null &
bg=$!
sleep 0.5
status=0
out=$(run cat /only-in-the-first) || status=$?
[ "$status" -ne 0 ] || fail "a container sees a file written by another container running at the same time"
wait "$bg" || fail "the background container failed"
bg=
[ -z "$(leftovers)" ] || fail "after two containers, this is left: $(leftovers | tr '\n' ' ')"

echo "lab 4: passed"
