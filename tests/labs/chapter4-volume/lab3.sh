#!/usr/bin/env bash
# chapter4-volume, lab 3: a -tmpfs /path flag.
# Run with: sudo make check-lab CHAPTER=chapter4-volume LAB=3
set -euo pipefail
lab=3
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

# printed WANT: the last run exited 0 and printed exactly WANT.
printed() {
    [ "$rc" -eq 0 ] && [ "$out" = "$1" ]
}

# 1. A tmpfs on a new path, listed by mount, and writable.
run -tmpfs /scratch sh -c 'mount | grep " on /scratch "; echo hi > /scratch/f && cat /scratch/f'
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
run -tmpfs /etc sh -c 'mount | grep -c " on /etc type tmpfs "; ls -A /etc'
printed 1 || fail "-tmpfs /etc should give an empty tmpfs on /etc (exit $rc): $out"
[ -f "$root/images/busybox/etc/passwd" ] || fail "the image's /etc/passwd is gone"

# 3. The same rules as a volume's container path.
for bad in relative / /proc /dev/shm; do
    run -tmpfs "$bad" true
    [ "$rc" -eq 125 ] || fail "-tmpfs $bad must be refused with exit 125, got $rc: $out"
done

echo "lab $lab: passed"
