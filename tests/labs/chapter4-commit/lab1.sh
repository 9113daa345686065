#!/usr/bin/env bash
# chapter4-commit, lab 1: mydocker images.
# Passes when "mydocker images" lists each images/NAME.tar once, by NAME
# (no ".tar"), first on its line: the busybox image and one just committed;
# and leaves out hidden files (a commit in progress) and unpacked dirs.
# Run it with: sudo make check-lab CHAPTER=chapter4-commit LAB=1
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo chapter4-commit 1
lab_state_root
lab_busybox_image

# A container to commit, running for a few seconds in the background.
start_bg 5 sh -c 'echo lab >/lab; sleep 4'
out=$(quiet commit lab1img) || fail "mydocker commit lab1img fails, so there is nothing to list: $out"
wait "$bg" || true
bg=""

# What a listing must skip: a commit in progress and an unpacked image.
: >"$MYDOCKER_ROOT/images/.decoy.tar.Ab12Cd"
mkdir -p "$MYDOCKER_ROOT/images/decoydir"

status=0
out=$(quiet images) || status=$?
[ "$status" -eq 0 ] || fail "mydocker images exits $status: $out"

count() {
    printf '%s\n' "$out" | awk -v name="$1" '$1 == name' | wc -l
}
n=$(count lab1img)
[ "$n" -eq 1 ] ||
    fail "expected one line starting with 'lab1img' (the image just committed), got $n; it printed:
$out"
n=$(count busybox)
[ "$n" -eq 1 ] || fail "expected one line starting with 'busybox', got $n; it printed:
$out"
if printf '%s\n' "$out" | grep -q 'decoy'; then
    fail "hidden files (images/.decoy.tar.Ab12Cd) and directories (images/decoydir) are not images; it printed:
$out"
fi
if printf '%s\n' "$out" | awk '{print $1}' | grep -q '\.tar$'; then
    fail "print the image's name without '.tar'; it printed:
$out"
fi

echo "lab 1: passed"
