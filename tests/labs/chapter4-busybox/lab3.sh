#!/usr/bin/env bash
# chapter4-busybox, lab 3: mydocker run -read-only.
# Passes when -read-only makes the container's / read-only (EROFS), gives it
# a writable tmpfs at /tmp, leaves /dev writable, changes nothing without
# the flag, and leaves the host's filesystem writable.
# Run it with: sudo make check-lab CHAPTER=chapter4-busybox LAB=3
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo chapter4-busybox 3
lab_state_root
lab_busybox_image
image=$MYDOCKER_ROOT/images/busybox

# mydocker run [FLAGS...] sh -c SCRIPT, quietly; stdout and stderr together.
ro() { "$MYDOCKER" -log-level error run -read-only sh -c "$1" 2>&1; }
rw() { "$MYDOCKER" -log-level error run sh -c "$1" 2>&1; }

# The worst mistake first: a remount without MS_BIND changes the flags of
# the filesystem itself, and the host's own files become read-only too.
status=0
out=$("$MYDOCKER" -log-level error run -read-only true 2>&1) || status=$?
if ! touch "$MYDOCKER_ROOT/.host-probe" 2>/dev/null; then
    fs=$(df --output=target "$MYDOCKER_ROOT" | tail -n 1)
    fail "the host's filesystem at $fs is read-only now: the remount changed the filesystem, not just the container's mount (add MS_BIND). Repair it with: mount -o remount,rw $fs"
fi
rm -f "$MYDOCKER_ROOT/.host-probe"
[ "$status" -eq 0 ] || fail "mydocker run -read-only true exits $status, not 0: ${out:-no output}"

out=$(ro 'echo x >/written-in-a-read-only-root') &&
    fail "with -read-only, writing /written-in-a-read-only-root still works"
case $out in
*"Read-only file system"*) ;;
*) fail "with -read-only, writing to / should fail with 'Read-only file system', not: $out" ;;
esac
[ ! -e "$image/written-in-a-read-only-root" ] || fail "with -read-only, a write to / reached the image"

opts=$(ro "awk '\$2 == \"/\" { print \$4 }' /proc/mounts")
case $opts in
ro,* | ro) ;;
*) fail "with -read-only, the container's / should be mounted ro, /proc/mounts says: $opts" ;;
esac

out=$(ro 'echo ok >/tmp/x && cat /tmp/x') ||
    fail "with -read-only, /tmp must stay writable (a tmpfs of its own): $out"
[ "$out" = ok ] || fail "with -read-only, reading /tmp/x back gave: $out"
[ ! -e "$image/tmp/x" ] ||
    fail "with -read-only, /tmp/x landed in the image's tmp/: mount a tmpfs on /tmp"

out=$(ro 'echo x >/dev/null && head -c 1 /dev/zero | od -An -tx1') ||
    fail "with -read-only, /dev no longer works: $out"

out=$(rw 'echo x >/written-without-the-flag && cat /written-without-the-flag && rm /written-without-the-flag') ||
    fail "without -read-only, writing to / must still work: $out"
opts=$(rw "awk '\$2 == \"/\" { print \$4 }' /proc/mounts")
case $opts in
rw,* | rw) ;;
*) fail "without -read-only, / should be mounted rw, /proc/mounts says: $opts" ;;
esac

! grep -q -- "$MYDOCKER_ROOT" /proc/self/mounts ||
    fail "a mount under $MYDOCKER_ROOT is left in the host's mount table"

echo "lab 3: passed"
