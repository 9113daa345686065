#!/usr/bin/env bash
# tests/vm/run.sh [LAYOUT...]: boots Debian's own kernels under qemu and runs
# every chapter's unit and integration tests there, once per cgroup layout
# (make test-vm). Layouts:
#   v2-6.1       pure cgroup v2 as systemd sets it up, Debian 12's kernel 6.1
#   v2-6.12      the same on Debian 13's kernel 6.12
#   v1-6.1       pure cgroup v1, one hierarchy per controller (6.12 has no v1
#                memory controller: Debian builds it without CONFIG_MEMCG_V1)
#   nested-6.12  a CI container: our cgroup namespace's root holds processes
# The userland is Debian 12 (glibc 2.36), made with debootstrap. Kernels and
# userland are cached in build/vm and reused; only the first run downloads.
# Each chapter runs its unit tests and the integration tests of the
# features it brings; the last chapter runs every integration test.
#   VM_FULL=1          every chapter runs every integration test, as make
#                      test does (about twice the time under TCG)
#   VM_ONLY=name,name  runs only the integration tests whose names hold one
#   VM_ACCEL=tcg|kvm   skips the probe    MIRROR=http://...  another mirror
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/build/vm
mirror=${MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
chapters=(chapter3 chapter4-busybox chapter4-overlay chapter4-volume chapter4-commit)
cflags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-truncation -g)
all_layouts=(v2-6.1 v2-6.12 v1-6.1 nested-6.12)
# The userland's packages: what the tests exec (cc builds their static
# helpers in the VM, as it does on the host).
# manpages-dev: test_readme_names tells a libc function from a stale name
# by its man page.
userland_packages=gcc,libc6-dev,libcmocka0,busybox-static,strace,procps,tar,util-linux,manpages-dev

say() { printf 'test-vm: %s\n' "$*"; }
die() {
    say "$*"
    exit 1
}

suite_of() { case $1 in *-6.1) echo bookworm ;; *-6.12) echo trixie ;; *) return 1 ;; esac; }

need_tools() {
    local missing=()
    command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v mke2fs >/dev/null || missing+=(e2fsprogs)
    command -v strings >/dev/null || missing+=(binutils)
    command -v xz >/dev/null || missing+=(xz-utils)
    [ -x /bin/busybox ] || missing+=(busybox-static)
    [ -f $keyring ] || missing+=(debian-archive-keyring)
    [ -f /usr/include/cmocka.h ] || missing+=(libcmocka-dev)
    [ ${#missing[@]} -eq 0 ] && return
    if command -v apt-get >/dev/null; then
        say "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null && return
    fi
    die "needs ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]})"
}

# apt with a private sources list and cache, so any suite's packages can be
# fetched without touching the host's apt configuration.
apt_suite() {
    local tool=$1 suite=$2
    shift 2
    "$tool" -o Dir::Etc::SourceList="$vm/apt-$suite/sources.list" -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::State::Lists="$vm/apt-$suite/lists" -o Dir::Cache="$vm/apt-$suite/cache" \
        -o Dir::State::status=/dev/null -o APT::Sandbox::User=root "$@"
}

# One module file and, first, the modules it depends on, into the
# initramfs's modules/ and its load order. Built-in ones need nothing.
add_module() {
    local kdir=$1 name=$2 out=$3 file dep
    grep -qx "$name" "$out/loaded" 2>/dev/null && return 0
    file=$(find "$kdir/modules" \( -name "$name.ko" -o -name "$name.ko.xz" -o -name "$name.ko.zst" \) | head -n 1)
    if [ -z "$file" ]; then
        grep -q "/${name//_/[-_]}.ko\$" "$kdir/modules/modules.builtin" && return 0
        die "kernel module $name is neither in $kdir nor built in"
    fi
    case $file in
        *.xz) xz -dc "$file" >"$out/modules/$name.ko" ;;
        *.zst) zstd -qdc "$file" >"$out/modules/$name.ko" ;;
        *) cp "$file" "$out/modules/$name.ko" ;;
    esac
    for dep in $(strings -a "$out/modules/$name.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_module "$kdir" "$dep" "$out"
    done
    echo "$name" >>"$out/loaded"
    echo "$name.ko" >>"$out/modules/order"
}

# Debian's cloud kernel of a suite: vmlinuz and its modules, downloaded once.
fetch_kernel() {
    local suite=$1 kdir=$vm/kernel-$1 pkg tmp
    [ -f "$kdir/vmlinuz" ] && return
    say "downloading Debian $suite's cloud kernel (once)"
    mkdir -p "$vm/apt-$suite/lists/partial" "$vm/apt-$suite/cache/archives/partial"
    echo "deb [signed-by=$keyring] $mirror $suite main" >"$vm/apt-$suite/sources.list"
    # apt-get update exits 0 when a mirror is unreachable: the index files
    # it leaves tell.
    apt_suite apt-get "$suite" update -qq >"$vm/apt-$suite.log" 2>&1
    compgen -G "$vm/apt-$suite/lists/*_Packages*" >/dev/null ||
        die "cannot reach $mirror for Debian $suite (no network? set MIRROR=): see $vm/apt-$suite.log"
    pkg=$(apt_suite apt-cache "$suite" depends linux-image-cloud-amd64 2>/dev/null |
        awk '/Depends: linux-image-/ { print $2; exit }')
    [ -n "$pkg" ] || die "no cloud kernel package in Debian $suite"
    tmp=$vm/kernel-$suite.tmp
    rm -rf "$tmp" && mkdir -p "$tmp/x"
    (cd "$tmp" && apt_suite apt-get "$suite" -qq download "$pkg") >>"$vm/apt-$suite.log" 2>&1 ||
        die "downloading $pkg failed: see $vm/apt-$suite.log"
    dpkg-deb -x "$tmp"/*.deb "$tmp/x"
    mkdir -p "$tmp/k"
    cp "$tmp"/x/boot/vmlinuz-* "$tmp/k/vmlinuz"
    mv "$(find "$tmp/x" -mindepth 3 -maxdepth 4 -type d -path '*/lib/modules/*' | head -n 1)" "$tmp/k/modules"
    basename "$tmp"/x/boot/vmlinuz-* | sed 's/^vmlinuz-//' >"$tmp/k/version"
    rm -rf "$kdir" && mv "$tmp/k" "$kdir" && rm -rf "$tmp"
}

# A static busybox, /init and the modules that init loads.
make_initrd() {
    local suite=$1 kdir=$vm/kernel-$1 out=$vm/initrd-$1
    rm -rf "$out" && mkdir -p "$out/bin" "$out/modules"
    cp /bin/busybox "$out/bin/busybox"
    cp "$top/tests/vm/initramfs-init.sh" "$out/init"
    : >"$out/modules/order"
    for m in virtio_pci virtio_blk overlay; do
        add_module "$kdir" "$m" "$out" || exit 1
    done
    (cd "$out" && find . -mindepth 1 | busybox cpio -o -H newc 2>/dev/null) >"$out.cpio"
}

# The Debian 12 userland, made once, and its disk image.
make_userland() {
    local root=$vm/bookworm mb
    # A cache made before a package joined the list is made again.
    if [ ! -x "$root/usr/bin/gcc" ] || [ ! -e "$root/usr/share/man/man2/clone.2.gz" ]; then
        say "making a Debian 12 userland in $root (once; about a minute)"
        rm -rf "$root.tmp" "$root"
        debootstrap --variant=minbase --include=$userland_packages bookworm "$root.tmp" "$mirror" \
            >"$vm/bookworm.log" 2>&1 ||
            die "debootstrap of Debian 12 from $mirror failed (no network? set MIRROR=): see $vm/bookworm.log"
        mkdir -p "$root.tmp/repo"
        rm -f "$vm/userland.img"
        mv "$root.tmp" "$root"
    fi
    [ -f "$vm/userland.img" ] && return
    mb=$(du -sm "$root" | cut -f1)
    mke2fs -q -t ext4 -d "$root" "$vm/userland.img.tmp" "$((mb * 3 / 2 + 256))M" >/dev/null ||
        die "mke2fs of the userland image failed"
    mv "$vm/userland.img.tmp" "$vm/userland.img"
}

# The repository as the tests see it, with everything built on the host:
# the chapters, their unit tests, the harness and the busybox image.
make_repo_disk() {
    local tree=$vm/repo ch i earlier t name mb
    for ch in "${chapters[@]}"; do
        make -s -C "$top/$ch" || die "$ch does not build"
    done
    cc "${cflags[@]}" -o "$top/build/itest" "$top"/tests/integration/*.c -lcmocka ||
        die "the integration harness does not build"
    if [ ! -f "$top/build/busybox.tar" ]; then
        "$top/scripts/busybox-image.sh" "$top/build/busybox.tar" >/dev/null || die "no busybox image"
    fi
    rm -rf "$tree" && mkdir -p "$tree/build"
    (cd "$top" && tar --exclude=./build --exclude=./.git -cf - .) | tar -xf - -C "$tree"
    cp "$top/build/itest" "$top/build/busybox.tar" "$tree/build/"
    printf '%s\n' "${chapters[@]}" >"$tree/build/vm-chapters"
    # Each chapter's unit tests and those of the chapters before it, as
    # tests/run.sh builds them.
    for i in "${!chapters[@]}"; do
        ch=${chapters[$i]}
        mkdir -p "$tree/build/vm-unit/$ch"
        for earlier in "${chapters[@]:0:$((i + 1))}"; do
            for t in "$top/tests/unit/$earlier"/test_*.c; do
                [ -e "$t" ] || continue
                name=$(basename "$t" .c)
                cc "${cflags[@]}" -I "$top/$ch" -Dmain=mydocker_main -o "$tree/build/vm-unit/$ch/$name" \
                    "$t" "$top/$ch"/*.c -lcmocka || die "$ch $name does not build"
            done
        done
    done
    mb=$(du -sm "$tree" | cut -f1)
    rm -f "$vm/repo.img"
    mke2fs -q -t ext4 -d "$tree" "$vm/repo.img" "$((mb + 256))M" >/dev/null || die "mke2fs of the repository image failed"
}

# qemu LOG SUITE ACCEL APPEND: one boot, its console in LOG.
boot() {
    local log=$1 suite=$2 accel=$3 append=$4 cpu=max
    # One host thread runs both vCPUs under TCG: with one thread per vCPU,
    # the kernel's live patching of its own code (int3, then the new bytes)
    # raced in the emulator and oopsed the guest.
    [ "$accel" = tcg ] && accel=tcg,thread=single
    [ "$accel" = kvm ] && cpu=host
    timeout "${VM_TIMEOUT:-1500}" qemu-system-x86_64 -accel "$accel" -cpu $cpu -m 2048 -smp 2 \
        -nodefaults -no-user-config -display none -no-reboot \
        -kernel "$vm/kernel-$suite/vmlinuz" -initrd "$vm/initrd-$suite.cpio" \
        -append "console=ttyS0 quiet panic=-1 $append" -serial "file:$log" \
        -drive "file=$vm/userland.img,format=raw,if=virtio,snapshot=on" \
        -drive "file=$vm/repo.img,format=raw,if=virtio,snapshot=on" >"$log.qemu" 2>&1
}

# One layout's boot. A guest kernel that oopses is the emulator's fault,
# not a test's (seen once under TCG: an int3 trap in the scheduler while the
# kernel patched its own code), so that boot, and only that, gets one more
# try; its console is kept. A failed test is never tried again.
run_layout() {
    local l=$1 accel=$2 log=$vm/$1.log try
    for try in 1 2; do
        boot "$log" "$(suite_of "$l")" "$accel" \
            "mydocker.layout=${l%-*} mydocker.only=${VM_ONLY:-} mydocker.full=${VM_FULL:-0}"
        grep -aq '^vm: total: ' "$log" && return
        grep -aqE '^\[ *[0-9.]*\] (Oops|BUG|Kernel panic)' "$log" || return
        mv "$log" "$log.crash$try"
        say "$l: the guest kernel crashed (console in $log.crash$try): booting it again"
    done
}

# KVM when a probe boot works there (a stock Debian kernel can die under
# some nested KVM setups with "KVM internal error"), else TCG.
pick_accel() {
    local suite=$1
    if [ -n "${VM_ACCEL:-}" ]; then
        echo "$VM_ACCEL"
    elif [ -w /dev/kvm ] && VM_TIMEOUT=60 boot "$vm/probe.log" "$suite" kvm "mydocker.layout=probe" &&
        grep -q '^vm: probe ok' "$vm/probe.log"; then
        echo kvm
    else
        echo tcg
    fi
}

main() {
    local layouts=("$@") l suite accel start pids=() n p f total_p=0 total_f=0 rc=0
    [ ${#layouts[@]} -gt 0 ] || layouts=("${all_layouts[@]}")
    [ "$(id -u)" -eq 0 ] || die "needs root (debootstrap): sudo make test-vm"
    for l in "${layouts[@]}"; do
        suite_of "$l" >/dev/null || die "no layout $l (layouts: ${all_layouts[*]})"
    done
    mkdir -p "$vm"
    need_tools
    for suite in $(for l in "${layouts[@]}"; do suite_of "$l"; done | sort -u); do
        fetch_kernel "$suite"
        make_initrd "$suite"
    done
    make_userland
    make_repo_disk
    say "kernels, userland and repository disk ready in $SECONDS s"
    accel=$(pick_accel "$(suite_of "${layouts[0]}")")
    say "booting ${#layouts[@]} VM(s) with $accel, at most two at a time"
    # Two VMs at a time: each has two vCPUs, as the host has.
    for l in "${layouts[@]}"; do
        # No earlier run's console may stand in for this one's.
        rm -f "$vm/$l.log" "$vm/$l.seconds"
        (
            start=$(date +%s)
            run_layout "$l" "$accel"
            echo $(($(date +%s) - start)) >"$vm/$l.seconds"
        ) &
        pids+=($!)
        if [ ${#pids[@]} -ge 2 ]; then
            wait "${pids[0]}"
            pids=("${pids[@]:1}")
        fi
    done
    wait
    for l in "${layouts[@]}"; do
        f=$vm/$l.log
        if ! n=$(grep -a '^vm: total: ' "$f" | tail -n 1) || [ -z "$n" ]; then
            tail -n 40 "$f" "$f.qemu"
            say "FAILED: $l: the VM stopped before its tests ended (console: $f)"
            total_f=$((total_f + 1))
            rc=1
            continue
        fi
        grep -a -E '^\[  (FAILED|  OK  )  \]|^vm: FAILED|^\[  ERROR' "$f" | grep -av 'OK' | head -n 40
        p=$(echo "$n" | awk '{ print $3 }')
        n=$(echo "$n" | awk '{ print $5 }')
        total_p=$((total_p + p))
        total_f=$((total_f + n))
        [ "$n" -eq 0 ] || rc=1
        say "$l: $(grep -a '^vm: kernel' "$f" | sed 's/^vm: //'): $p passed, $n failed, $(cat "$vm/$l.seconds") s"
    done
    say "total: $total_p passed, $total_f failed"
    return $rc
}

main "$@"
