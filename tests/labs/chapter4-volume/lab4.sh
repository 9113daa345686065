#!/usr/bin/env bash
# chapter4-volume, lab 4: named volumes, -v NAME:/path.
# Run with: sudo make check-lab CHAPTER=chapter4-volume LAB=4
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo --volume-style chapter4-volume 4
lab_state_root
lab_busybox_image
root=$MYDOCKER_ROOT

# 1. A named volume lives in $MYDOCKER_ROOT/volumes/NAME.
try_run -v cache:/data sh -c 'echo kept > /data/f'
if [ "$rc" -eq 125 ]; then
    fail "-v cache:/data is refused: $out"
fi
[ "$rc" -eq 0 ] || fail "a run with -v cache:/data exited $rc: $out"
[ "$(cat "$root/volumes/cache/f" 2>/dev/null)" = kept ] ||
    fail "a file written to -v cache:/data is not in \$MYDOCKER_ROOT/volumes/cache"

# 2. The next container with the same name finds it.
try_run -v cache:/data cat /data/f
printed kept || fail "a second run with -v cache:/data does not see the file: $out"

# 3. Names with every allowed character, and absolute paths, still work.
try_run -v 0a_b.c-d:/data true
[ "$rc" -eq 0 ] || fail "-v 0a_b.c-d:/data should work (exit $rc): $out"
[ -d "$root/volumes/0a_b.c-d" ] || fail "-v 0a_b.c-d:/data made no \$MYDOCKER_ROOT/volumes/0a_b.c-d"
try_run -v "$root/abs:/data" true
printed "" || fail "absolute host paths no longer work (exit $rc): $out"

# 4. Anything else that is not absolute is refused, and nothing is created.
for bad in ../etc .hidden Data a/b "" ./x; do
    try_run -v "$bad:/data" true
    [ "$rc" -eq 125 ] || fail "-v '$bad:/data' must be refused with exit 125, got $rc: $out"
done
long=$(printf 'a%.0s' $(seq 129))
try_run -v "$long:/data" true
[ "$rc" -eq 125 ] || fail "a 129-character name must be refused with exit 125, got $rc"
[ ! -e "$root/etc" ] || fail "-v ../etc:/data created $root/etc"
left=$(cd "$root/volumes" && ls -A)
[ "$left" = $'0a_b.c-d\ncache' ] || fail "refused names left directories behind in volumes/: $left"

echo "lab $lab: passed"
