#!/bin/busybox sh
# shellcheck shell=dash
# /init of the test VM's initramfs (tests/vm/run.sh packs it with a static
# busybox and the kernel's own modules). Loads the disk driver and
# overlayfs, mounts the Debian userland and the repository disk, and
# switch_roots into them: pivot_root(2) cannot leave an initramfs, so the
# containers need a real root filesystem under them.
/bin/busybox mkdir -p /proc /sys /dev /newroot
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs devtmpfs /dev
# /modules/order lists the .ko files with each one's dependencies first.
while read -r ko; do
    /bin/busybox insmod "/modules/$ko" || echo "vm: FAILED: insmod $ko"
done </modules/order
# The userland is /dev/vda, the repository /dev/vdb; qemu's snapshot=on
# keeps both images unchanged whatever the tests write.
n=0
while [ ! -b /dev/vdb ] && [ $n -lt 100 ]; do
    /bin/busybox sleep 0.1
    n=$((n + 1))
done
/bin/busybox mount -t ext4 /dev/vda /newroot || echo "vm: FAILED: mount /dev/vda"
/bin/busybox mount -t ext4 /dev/vdb /newroot/repo || echo "vm: FAILED: mount /dev/vdb"
/bin/busybox umount /proc
/bin/busybox mount --move /dev /newroot/dev
exec /bin/busybox switch_root /newroot /repo/tests/vm/guest.sh
