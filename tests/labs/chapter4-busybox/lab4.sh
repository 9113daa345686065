#!/usr/bin/env bash
# chapter4-busybox, lab 4: every container gets its own copy of the image.
# Passes when a container can write anywhere in its root, yet the unpacked
# image never changes, two containers never see each other's files, and
# the copy is gone when the container ends (also when its command is not
# found).
# Run it with: sudo make check-lab CHAPTER=chapter4-busybox LAB=4
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo chapter4-busybox 4
lab_state_root
lab_busybox_image
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
