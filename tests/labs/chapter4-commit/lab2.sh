#!/usr/bin/env bash
# chapter4-commit, lab 2: mydocker rmi IMAGE.
# Passes when "mydocker rmi IMAGE" removes images/IMAGE.tar and the
# unpacked images/IMAGE/ and exits 0; and exits 125, removing nothing, for
# an invalid name, an image that does not exist, and an image a running
# container uses.
# Run it with: sudo make check-lab CHAPTER=chapter4-commit LAB=2
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo chapter4-commit 2
lab_state_root
lab_busybox_image
images="$MYDOCKER_ROOT/images"

# Two images from one busybox container.
start_bg 10 sh -c 'echo lab >/lab; sleep 4'
for name in unused inuse; do
    out=$(quiet commit "$name") || fail "mydocker commit $name fails: $out"
done
stop_bg

# An image nothing uses: rmi removes the tarball and the unpacked copy.
out=$(quiet run -image unused true) || fail "mydocker run -image unused true fails: $out"
[ -d "$images/unused" ] || fail "mydocker run -image unused did not unpack images/unused/"
status=0
out=$(quiet rmi unused) || status=$?
[ "$status" -eq 0 ] || fail "mydocker rmi unused exits $status: $out"
[ ! -e "$images/unused.tar" ] || fail "after mydocker rmi unused, images/unused.tar is still there"
[ ! -e "$images/unused" ] || fail "after mydocker rmi unused, images/unused/ is still there"

# No such image, and names that are not names.
for name in unused nosuch ../busybox Busybox; do
    status=0
    out=$(quiet rmi "$name") || status=$?
    [ "$status" -eq 125 ] || fail "mydocker rmi $name should exit 125, not $status: $out"
done
[ -f "$images/busybox.tar" ] || fail "mydocker rmi ../busybox removed images/busybox.tar"

# An image a running container uses: refused, nothing removed.
start_bg 10 -image inuse sh -c 'sleep 4'
[ -d "$images/inuse" ] || fail "the container from image inuse did not start (no images/inuse/)"
status=0
out=$(quiet rmi inuse) || status=$?
[ "$status" -eq 125 ] ||
    fail "mydocker rmi inuse should exit 125 while a container uses it, not $status: $out"
[ -f "$images/inuse.tar" ] || fail "a refused rmi removed images/inuse.tar"
[ -d "$images/inuse" ] || fail "a refused rmi removed images/inuse/, the running container's lower layer"
stop_bg

# Once that container is gone, the same rmi works.
status=0
out=$(quiet rmi inuse) || status=$?
[ "$status" -eq 0 ] || fail "mydocker rmi inuse exits $status after its container ended: $out"
[ ! -e "$images/inuse.tar" ] || fail "after mydocker rmi inuse, images/inuse.tar is still there"
[ ! -e "$images/inuse" ] || fail "after mydocker rmi inuse, images/inuse/ is still there"
[ -f "$images/busybox.tar" ] || fail "mydocker rmi removed images/busybox.tar too"

echo "lab 2: passed"
