#!/usr/bin/env bash
# chapter4-volume, lab 3: a -tmpfs /path flag.
# Run with: sudo make check-lab CHAPTER=chapter4-volume LAB=3
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo --volume-style chapter4-volume 3
lab_state_root
lab_busybox_image
root=$MYDOCKER_ROOT

# 1. A tmpfs on a new path, listed by mount, and writable.
try_run -tmpfs /scratch sh -c 'mount | grep " on /scratch "; echo hi > /scratch/f && cat /scratch/f'
if [ "$rc" -eq 125 ]; then
    fail "-tmpfs /scratch is refused: $out"
fi
[ "$rc" -eq 0 ] || fail "a run with -tmpfs /scratch exited $rc: $out"
case "$out" in
*" on /scratch type tmpfs "*) ;;
*) fail "mount inside shows no tmpfs on /scratch: $out" ;;
esac
case "$out" in
*$'\nhi'*) ;;
*) fail "could not write a file to /scratch: $out" ;;
esac

# 2. Over a directory the image has: the image's files are hidden, not changed.
try_run -tmpfs /etc sh -c 'mount | grep -c " on /etc type tmpfs "; ls -A /etc'
printed 1 || fail "-tmpfs /etc should give an empty tmpfs on /etc (exit $rc): $out"
[ -f "$root/images/busybox/etc/passwd" ] || fail "the image's /etc/passwd is gone"

# 3. The same rules as a volume's container path.
for bad in relative / /proc /dev/shm; do
    try_run -tmpfs "$bad" true
    [ "$rc" -eq 125 ] || fail "-tmpfs $bad must be refused with exit 125, got $rc: $out"
done

echo "lab $lab: passed"
