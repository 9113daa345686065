#!/usr/bin/env bash
# chapter4-busybox, lab 1: a pseudo-terminal of the container's own.
# Passes when the container has a devpts instance mounted at /dev/pts,
# /dev/ptmx opens it, and a pty allocated inside is numbered from 0 (a new
# instance, not the host's ptys).
# Run it with: sudo make check-lab CHAPTER=chapter4-busybox LAB=1
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo chapter4-busybox 1
lab_state_root
lab_busybox_image

# In the container: run SCRIPT with sh, quietly; its output on stdout.
in_container() {
    "$MYDOCKER" -log-level error run sh -c "$1" 2>&1
}

host_devpts=$(grep -c ' devpts ' /proc/self/mounts || true)

in_container 'true' >/dev/null || fail "mydocker run sh -c true fails: the container no longer starts"

in_container 'test -d /dev/pts' >/dev/null ||
    fail "/dev/pts is missing in the container: create it on the /dev tmpfs in make_dev()"

fstype=$(in_container "awk '\$2 == \"/dev/pts\" { print \$3 }' /proc/mounts")
[ "$fstype" = devpts ] ||
    fail "nothing of type devpts is mounted at /dev/pts in the container (found: '${fstype:-nothing}')"

in_container 'ls /dev/pts/ptmx' >/dev/null ||
    fail "/dev/pts/ptmx is missing: mount devpts with the newinstance option"

in_container 'test -c /dev/ptmx' >/dev/null ||
    fail "/dev/ptmx is not a character device: make it a symlink to pts/ptmx"

ptys=$(in_container 'exec 3<>/dev/ptmx && ls /dev/pts | tr "\n" " "') ||
    fail "opening /dev/ptmx in the container fails: $ptys"
[ "$ptys" = "0 ptmx " ] ||
    fail "after opening /dev/ptmx, /dev/pts should list '0 ptmx' (a fresh instance), not '$ptys'"

mode=$(in_container 'stat -c %a /dev/pts/ptmx')
[ "$mode" = 666 ] ||
    fail "/dev/pts/ptmx has mode $mode: use ptmxmode=0666 so every user in the container can open it"

[ -z "$(ls -A "$MYDOCKER_ROOT/images/busybox/dev")" ] ||
    fail "the image's own dev/ is not empty: make /dev/pts inside the tmpfs, not in the image"

[ "$(grep -c ' devpts ' /proc/self/mounts || true)" = "$host_devpts" ] ||
    fail "the host's mount table changed: the devpts mount must stay in the container's namespace"

echo "lab 1: passed"
