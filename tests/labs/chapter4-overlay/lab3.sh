#!/usr/bin/env bash
# chapter4-overlay, lab 3: mydocker run -keep.
# Passes when -keep leaves the container's upper layer at
# containers/ID/upper after it exits (its new files, and a whiteout for each
# file it deleted), unmounts the overlay all the same, passes the command's
# exit status on, survives the next mydocker command (the reaper must not
# take it for a killed run's leftovers), and when runs without the flag
# still leave nothing behind.
# Run it with: sudo make check-lab CHAPTER=chapter4-overlay LAB=3
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo chapter4-overlay 3
lab_state_root
lab_umount_at_exit
lab_busybox_image
image=$MYDOCKER_ROOT/images/busybox
containers=$MYDOCKER_ROOT/containers

# The names in containers/, on one line.
entries() { find "$containers" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort | paste -sd ' ' -; }

# A plain run first: it unpacks the image, and must leave nothing.
out=$("$MYDOCKER" -log-level error run true 2>&1) ||
    fail "mydocker run true fails: ${out:-no output}"

status=0
out=$("$MYDOCKER" -log-level error run -keep sh -c 'echo data >/written && rm /bin/ls' 2>&1) ||
    status=$?
[ "$status" -eq 0 ] ||
    fail "mydocker run -keep sh -c 'echo data >/written && rm /bin/ls' exits $status, not 0: ${out:-no output}"

[ -z "$(mounts_under_root)" ] ||
    fail "after run -keep, something is still mounted under $MYDOCKER_ROOT: $(mounts_under_root | tr '\n' ' ')(-keep keeps upper/, but the overlay must be unmounted)"

shopt -s nullglob
kept=("$containers"/*/upper)
shopt -u nullglob
[ "${#kept[@]}" -eq 1 ] ||
    fail "after one run with -keep, expected one $containers/ID/upper, found ${#kept[@]}: $(entries)"
upper=${kept[0]}
id=$(basename "$(dirname "$upper")")

[ "$(cat "$upper/written" 2>/dev/null)" = data ] ||
    fail "$upper/written should hold 'data', the file the container wrote"
{ [ -c "$upper/bin/ls" ] && [ "$(stat -c '%t:%T' "$upper/bin/ls")" = 0:0 ]; } ||
    fail "$upper/bin/ls should be a whiteout (a character device 0/0) for the deleted /bin/ls"
{ [ ! -e "$image/written" ] && [ -L "$image/bin/ls" ]; } ||
    fail "the image changed: $image must keep bin/ls and not get written"

# The next command reaps what killed runs left: a kept dir is not that.
out=$("$MYDOCKER" -log-level error run sh -c 'echo other >/other' 2>&1) ||
    fail "a run without -keep, after a kept one, fails: ${out:-no output}"
{ [ -d "$upper" ] && [ "$(cat "$upper/written" 2>/dev/null)" = data ]; } ||
    fail "the next mydocker command removed the kept $upper: make the reaper skip kept containers"
[ "$(entries)" = "$id" ] ||
    fail "a run without -keep left something in $containers: $(entries)"
[ -z "$(mounts_under_root)" ] ||
    fail "something is still mounted under $MYDOCKER_ROOT: $(mounts_under_root | tr '\n' ' ')"

status=0
out=$("$MYDOCKER" -log-level error run -keep sh -c 'exit 3' 2>&1) || status=$?
[ "$status" -eq 3 ] ||
    fail "mydocker run -keep sh -c 'exit 3' exits $status, not 3: -keep must not change the exit status"

echo "lab 3: passed"
