#!/usr/bin/env bash
# chapter4-volume, lab 4: named volumes, -v NAME:/path.
# Run with: sudo make check-lab CHAPTER=chapter4-volume LAB=4
set -euo pipefail
lab=4
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

# 1. A named volume lives in $MYDOCKER_ROOT/volumes/NAME.
run -v cache:/data sh -c 'echo kept > /data/f'
if [ "$rc" -eq 125 ]; then
    fail "-v cache:/data is refused: $out"
fi
[ "$rc" -eq 0 ] || fail "a run with -v cache:/data exited $rc: $out"
[ "$(cat "$root/volumes/cache/f" 2>/dev/null)" = kept ] ||
    fail "a file written to -v cache:/data is not in \$MYDOCKER_ROOT/volumes/cache"

# 2. The next container with the same name finds it.
run -v cache:/data cat /data/f
printed kept || fail "a second run with -v cache:/data does not see the file: $out"

# 3. Names with every allowed character, and absolute paths, still work.
run -v 0a_b.c-d:/data true
[ "$rc" -eq 0 ] || fail "-v 0a_b.c-d:/data should work (exit $rc): $out"
[ -d "$root/volumes/0a_b.c-d" ] || fail "-v 0a_b.c-d:/data made no \$MYDOCKER_ROOT/volumes/0a_b.c-d"
run -v "$root/abs:/data" true
printed "" || fail "absolute host paths no longer work (exit $rc): $out"

# 4. Anything else that is not absolute is refused, and nothing is created.
for bad in ../etc .hidden Data a/b "" ./x; do
    run -v "$bad:/data" true
    [ "$rc" -eq 125 ] || fail "-v '$bad:/data' must be refused with exit 125, got $rc: $out"
done
long=$(printf 'a%.0s' $(seq 129))
run -v "$long:/data" true
[ "$rc" -eq 125 ] || fail "a 129-character name must be refused with exit 125, got $rc"
[ ! -e "$root/etc" ] || fail "-v ../etc:/data created $root/etc"
left=$(cd "$root/volumes" && ls -A)
[ "$left" = $'0a_b.c-d\ncache' ] || fail "refused names left directories behind in volumes/: $left"

echo "lab $lab: passed"
