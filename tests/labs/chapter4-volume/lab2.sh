#!/usr/bin/env bash
# chapter4-volume, lab 2: mount parent volumes before the ones inside them.
# Run with: sudo make check-lab CHAPTER=chapter4-volume LAB=2
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo --volume-style chapter4-volume 2
lab_state_root
lab_busybox_image
root=$MYDOCKER_ROOT

for d in a b c; do
    mkdir -p "$root/$d"
    echo "in $d" >"$root/$d/file"
done
want=$'in a\nin b\nin c'

# Parents first on the command line: this already works.
try_run -v "$root/a:/x" -v "$root/b:/x/y" -v "$root/c:/x/y/z" cat /x/file /x/y/file /x/y/z/file
printed "$want" ||
    fail "parents first (-v a:/x -v b:/x/y -v c:/x/y/z) broke: exit $rc: $out"

# Children first: each parent would hide the child mounted before it.
try_run -v "$root/c:/x/y/z" -v "$root/b:/x/y" -v "$root/a:/x" cat /x/file /x/y/file /x/y/z/file
printed "$want" ||
    fail "with -v c:/x/y/z -v b:/x/y -v a:/x, the volumes inside /x are hidden: exit $rc: $out"

try_run -v "$root/b:/x/y" -v "$root/c:/x/y/z" -v "$root/a:/x" cat /x/file /x/y/file /x/y/z/file
printed "$want" ||
    fail "with -v b:/x/y -v c:/x/y/z -v a:/x, a volume is hidden: exit $rc: $out"

echo "lab $lab: passed"
