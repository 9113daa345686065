#!/bin/bash
# tests/vm/guest.sh: PID 1 of a test VM (tests/vm/run.sh boots it). Mounts
# what an init would, builds the cgroup layout named on the kernel command
# line, runs the unit and integration tests the host built into /repo, and
# powers off. The host reads the counts from the serial console.
#   kernel command line: mydocker.layout=v2|v1|nested  mydocker.only=TEST,...
#                        mydocker.full=1
set -uo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 CI=true HOME=/root
cd /

say() { printf 'vm: %s\n' "$*"; }
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^mydocker\.$1=//p"; }

# As a distribution's init: the API filesystems, a writable /tmp, and "/"
# shared, as systemd leaves it (mount namespaces copy that propagation).
mount_basics() {
    mount -t proc proc /proc
    mount -t sysfs sysfs /sys
    mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
    mkdir -p /dev/pts /dev/shm
    # udev's links, which bash's <(...) needs
    ln -sfn /proc/self/fd /dev/fd
    ln -sfn /proc/self/fd/0 /dev/stdin
    ln -sfn /proc/self/fd/1 /dev/stdout
    ln -sfn /proc/self/fd/2 /dev/stderr
    mount -t devpts devpts /dev/pts
    mount -t tmpfs tmpfs /tmp
    mount -t tmpfs tmpfs /run
    mount --make-rshared /
    hostname mydocker-vm
}

# Enables for a v2 cgroup's children every controller it has.
enable_all() {
    local c ctrls
    read -ra ctrls <"$1/cgroup.controllers"
    for c in "${ctrls[@]}"; do
        echo "+$c" >"$1/cgroup.subtree_control"
    done
}

# Pure v2 as systemd sets it up: every controller enabled in the root's
# subtree_control, and the processes in leaf cgroups (a login shell sits in
# user.slice/user-0.slice/session-1.scope).
layout_v2() {
    local dir=/sys/fs/cgroup sub
    mount -t cgroup2 cgroup2 $dir
    for sub in user.slice user-0.slice session-1.scope; do
        enable_all "$dir"
        dir=$dir/$sub
        mkdir "$dir"
    done
    echo $$ >"$dir/cgroup.procs"
}

# Pure v1, as a legacy distribution mounts it: each controller in its own
# hierarchy under a tmpfs, and no cgroup2 anywhere.
layout_v1() {
    local cg=/sys/fs/cgroup c ctrls
    mount -t tmpfs -o mode=755 cgroup $cg
    mapfile -t ctrls < <(awk 'NR > 1 && $4 == 1 { print $1 }' /proc/cgroups)
    for c in "${ctrls[@]}"; do
        mkdir "$cg/$c"
        mount -t cgroup -o "$c" "$c" "$cg/$c"
    done
    if ! grep -q ' - cgroup ' /proc/self/mountinfo; then
        say "FAILED: no v1 hierarchy mounted"
        failed=$((failed + 1))
    fi
}

# As in a CI container: our own cgroup, seen through a private cgroup
# namespace as the root, holds processes (this shell), and no controller is
# enabled for its children. Re-executes this script in the new namespaces.
layout_nested() {
    local cg=/sys/fs/cgroup
    mount -t cgroup2 cgroup2 $cg
    enable_all $cg
    mkdir $cg/ci
    echo $$ >$cg/ci/cgroup.procs
    exec unshare --cgroup --mount --propagation slave -- "$0" --nested-inside
}

nested_inside() {
    umount /sys/fs/cgroup
    mount -t cgroup2 cgroup2 /sys/fs/cgroup
}

passed=0
failed=0
# cmocka's summary lines carry the counts; a step without them (a crash)
# counts as one failure.
step() {
    local name=$1 out=/tmp/step.out rc n
    shift
    "$@" >$out 2>&1
    rc=$?
    cat $out
    if grep -q '^\[==========\]' $out; then
        n=$(grep -o '^\[  PASSED  \] [0-9]*' $out | grep -o '[0-9]*$' | tail -n 1)
        passed=$((passed + ${n:-0}))
        n=$(grep -o '^ *[0-9]* FAILED TEST' $out | grep -o '[0-9]*' | tail -n 1)
        failed=$((failed + ${n:-0}))
        if [ $rc -ne 0 ] && ! grep -q 'FAILED TEST' $out; then
            say "FAILED: $name exited $rc"
            failed=$((failed + 1))
        fi
    elif [ $rc -ne 0 ]; then
        say "FAILED: $name (exit $rc)"
        failed=$((failed + 1))
    fi
}

# Every chapter's unit tests. Its integration tests: those of the features
# it brings, and on the last chapter all of them (mydocker.full=1: every
# chapter all of them, as make test does; twice the time under TCG).
run_suites() {
    local only ch t chs new_only
    only=$(arg only)
    mapfile -t chs </repo/build/vm-chapters
    say "kernel $(uname -r), cgroup layout $(arg layout), $(ldd --version | head -n 1)"
    for ch in "${chs[@]}"; do
        say "==== $ch"
        for t in /repo/build/vm-unit/"$ch"/test_*; do
            [ -x "$t" ] && step "$ch $(basename "$t")" "$t"
        done
        new_only=1
        [ "$ch" = "${chs[-1]}" ] || [ "$(arg full)" = 1 ] && new_only=0
        if [ -z "$only" ]; then
            ITEST_NEW_ONLY=$new_only step "$ch integration" \
                /repo/build/itest "$ch" /repo/"$ch" /repo/build/busybox.tar
            continue
        fi
        for t in ${only//,/ }; do
            ITEST_ONLY=$t step "$ch integration $t" \
                /repo/build/itest "$ch" /repo/"$ch" /repo/build/busybox.tar
        done
    done
    say "total: $passed passed, $failed failed"
}

if [ "${1:-}" = --nested-inside ]; then
    nested_inside
    run_suites
else
    mount_basics
    case $(arg layout) in
        probe) say "probe ok" ;;
        v2) layout_v2 ;;
        v1) layout_v1 ;;
        nested) layout_nested ;;
        *) say "FAILED: no layout on the kernel command line" ;;
    esac
    [ "$(arg layout)" = probe ] || run_suites
fi
sync
# PID 1 exiting panics the kernel, and qemu -no-reboot then exits: poweroff
# is only the tidy way. (The nested layout's PID 1 is unshare's child.)
[ $$ -eq 1 ] && exec busybox poweroff -f
