#!/usr/bin/env bash
# tests/old-glibc.sh: every chapter builds warning-free, and passes its
# unit tests, against Debian 11's glibc 2.31 (Ubuntu 20.04 has 2.31 too),
# in a chroot made with debootstrap. What it catches: a libc function or a
# header name newer than 2.31 (sigabbrev_np is 2.32, the mount API's
# wrappers are 2.36). The chroot is cached in build/bullseye and reused.
#   sudo tests/old-glibc.sh          (make test-old-glibc)
#   MIRROR=http://... to use another Debian mirror.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
root="$top/build/bullseye"
mirror=${MIRROR:-http://deb.debian.org/debian}
chapters=(chapter3 chapter4-busybox chapter4-overlay chapter4-volume chapter4-commit)

say() { printf 'old-glibc: %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    say "needs root (debootstrap and chroot): sudo make test-old-glibc"
    exit 2
fi
if [ ! -x "$root/usr/bin/gcc" ]; then
    if ! command -v debootstrap >/dev/null && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    if ! command -v debootstrap >/dev/null; then
        say "needs debootstrap (Debian: apt-get install debootstrap)"
        exit 2
    fi
    say "making a Debian 11 chroot in $root (once; about a minute)"
    rm -rf "$root.tmp"
    mkdir -p "$top/build"
    if ! debootstrap --variant=minbase --include=gcc,libc6-dev,make,libcmocka-dev bullseye \
        "$root.tmp" "$mirror" >"$top/build/bullseye.log" 2>&1; then
        tail -n 5 "$top/build/bullseye.log"
        say "debootstrap of Debian 11 from $mirror failed (no network? set MIRROR=); see build/bullseye.log"
        rm -rf "$root.tmp"
        exit 1
    fi
    mv "$root.tmp" "$root"
fi

# A fresh copy of the sources each time: no objects from the host's build.
rm -rf "$root/src"
mkdir -p "$root/src"
(cd "$top" && tar --exclude='*.o' --exclude=mydocker -cf - "${chapters[@]}" tests/unit) |
    tar -xf - -C "$root/src"

# Inside: build each chapter as its Makefile does, then each unit test of
# that chapter and the ones before it (tests/run.sh's rule), against the
# chapter's sources. Prints one "ok"/"FAILED" line per step.
# shellcheck disable=SC2016 # its $ are for the shell inside the chroot
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin /bin/sh -c '
    cd /src
    ldd --version | head -n 1
    seen=""
    for c in "$@"; do
        seen="$seen $c"
        if make -s -C "$c" >/tmp/build.log 2>&1; then
            echo "ok: $c builds"
        else
            echo "FAILED: $c builds"; cat /tmp/build.log
            continue
        fi
        for t in tests/unit/*/test_*.c; do
            [ -e "$t" ] || continue
            case " $seen " in *" $(basename "$(dirname "$t")") "*) ;; *) continue ;; esac
            name="$c $(basename "$t" .c)"
            if cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-truncation -g \
                -I "$c" -Dmain=mydocker_main -o /tmp/unit "$t" "$c"/*.c -lcmocka \
                >/tmp/unit.log 2>&1 && /tmp/unit >>/tmp/unit.log 2>&1; then
                echo "ok: $name"
            else
                echo "FAILED: $name"; tail -n 20 /tmp/unit.log
            fi
        done
    done' sh "${chapters[@]}" | tee "$top/build/old-glibc.out"

passed=$(grep -c '^ok: ' "$top/build/old-glibc.out" || true)
failed=$(grep -c '^FAILED: ' "$top/build/old-glibc.out" || true)
say "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
