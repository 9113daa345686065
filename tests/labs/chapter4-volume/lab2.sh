#!/usr/bin/env bash
# chapter4-volume, lab 2: mount parent volumes before the ones inside them.
# Run with: sudo make check-lab CHAPTER=chapter4-volume LAB=2
set -euo pipefail
lab=2
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

for d in a b c; do
    mkdir -p "$root/$d"
    echo "in $d" >"$root/$d/file"
done
want=$'in a\nin b\nin c'

# Parents first on the command line: this already works.
run -v "$root/a:/x" -v "$root/b:/x/y" -v "$root/c:/x/y/z" cat /x/file /x/y/file /x/y/z/file
printed "$want" ||
    fail "parents first (-v a:/x -v b:/x/y -v c:/x/y/z) broke: exit $rc: $out"

# Children first: each parent would hide the child mounted before it.
run -v "$root/c:/x/y/z" -v "$root/b:/x/y" -v "$root/a:/x" cat /x/file /x/y/file /x/y/z/file
printed "$want" ||
    fail "with -v c:/x/y/z -v b:/x/y -v a:/x, the volumes inside /x are hidden: exit $rc: $out"

run -v "$root/b:/x/y" -v "$root/c:/x/y/z" -v "$root/a:/x" cat /x/file /x/y/file /x/y/z/file
printed "$want" ||
    fail "with -v b:/x/y -v c:/x/y/z -v a:/x, a volume is hidden: exit $rc: $out"

echo "lab $lab: passed"
