#!/usr/bin/env bash
# chapter4-volume, lab 1: a :noexec volume mode.
# Run with: sudo make check-lab CHAPTER=chapter4-volume LAB=1
set -euo pipefail
lab=1
: "${MYDOCKER:?run me with: sudo make check-lab CHAPTER=chapter4-volume LAB=$lab}"
: "${REPO:?run me with: sudo make check-lab CHAPTER=chapter4-volume LAB=$lab}"

fail() {
    echo "lab $lab: $*"
    exit 1
}
[ "$(id -u)" -eq 0 ] || fail "containers need root: sudo make check-lab CHAPTER=chapter4-volume LAB=$lab"

root=$(mktemp -d /tmp/mydocker-lab.XXXXXX)
# --one-file-system: never follow a mount that a broken run left behind.
trap 'rm -rf --one-file-system "$root"' EXIT
export MYDOCKER_ROOT="$root"
mkdir -p "$root/images"
if [ -f "$REPO/build/busybox.tar" ]; then
    cp "$REPO/build/busybox.tar" "$root/images/"
else
    "$REPO/scripts/busybox-image.sh" "$root/images/busybox.tar" >/dev/null
fi

# run ARGS...: runs mydocker quietly; sets $out (stdout and stderr) and $rc.
run() {
    rc=0
    out=$("$MYDOCKER" -log-level warn run "$@" 2>&1) || rc=$?
}

vol="$root/vol"

# 1. The mode is accepted, the volume is writable, and noexec is set.
run -v "$vol:/data:noexec" sh -c 'grep " /data " /proc/self/mountinfo; cp /bin/busybox /data/true'
if [ "$rc" -eq 125 ]; then
    fail "-v HOST:/data:noexec is refused: $out"
fi
[ "$rc" -eq 0 ] || fail "a run with -v HOST:/data:noexec exited $rc (copying busybox into the volume failed?): $out"
[ -f "$vol/true" ] || fail "a file written to a :noexec volume is not on the host ($vol/true)"
case "$out" in
*noexec*) ;;
*) fail "/proc/self/mountinfo shows no noexec on /data: $out" ;;
esac

# 2. A program in the volume cannot be executed: exec fails, exit 126.
run -v "$vol:/data:noexec" /data/true
[ "$rc" -eq 126 ] || fail "running a program from a :noexec volume should fail with exit 126, got $rc: $out"

# 3. Without :noexec the same program runs (so the mode is what stops it).
run -v "$vol:/data" /data/true
[ "$rc" -eq 0 ] || fail "without :noexec, /data/true (busybox) should run, got exit $rc (is $root on a noexec filesystem?): $out"

# 4. The other modes still mean what they did.
run -v "$vol:/data:ro" sh -c 'touch /data/x'
[ "$rc" -ne 0 ] || fail ":ro volumes are writable now"
run -v "$vol:/data:rw" sh -c 'touch /data/x'
[ "$rc" -eq 0 ] || fail ":rw volumes are no longer writable (exit $rc): $out"
run -v "$vol:/data:nosuch" true
[ "$rc" -eq 125 ] || fail "an unknown mode (:nosuch) must still be refused with exit 125, got $rc"

echo "lab $lab: passed"
