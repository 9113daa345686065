#!/usr/bin/env bash
# chapter4-volume, lab 1: a :noexec volume mode.
# Run with: sudo make check-lab CHAPTER=chapter4-volume LAB=1
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo --volume-style chapter4-volume 1
lab_state_root
lab_busybox_image
root=$MYDOCKER_ROOT

vol="$root/vol"

# 1. The mode is accepted, the volume is writable, and noexec is set.
try_run -v "$vol:/data:noexec" sh -c 'grep " /data " /proc/self/mountinfo; cp /bin/busybox /data/true'
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
try_run -v "$vol:/data:noexec" /data/true
[ "$rc" -eq 126 ] || fail "running a program from a :noexec volume should fail with exit 126, got $rc: $out"

# 3. Without :noexec the same program runs (so the mode is what stops it).
try_run -v "$vol:/data" /data/true
[ "$rc" -eq 0 ] || fail "without :noexec, /data/true (busybox) should run, got exit $rc (is $root on a noexec filesystem?): $out"

# 4. The other modes still mean what they did.
try_run -v "$vol:/data:ro" sh -c 'touch /data/x'
[ "$rc" -ne 0 ] || fail ":ro volumes are writable now"
try_run -v "$vol:/data:rw" sh -c 'touch /data/x'
[ "$rc" -eq 0 ] || fail ":rw volumes are no longer writable (exit $rc): $out"
try_run -v "$vol:/data:nosuch" true
[ "$rc" -eq 125 ] || fail "an unknown mode (:nosuch) must still be refused with exit 125, got $rc"

echo "lab $lab: passed"
