#!/usr/bin/env bash
# chapter3, lab 1: a -hostname NAME flag.
# Passes when "mydocker run -hostname box hostname" prints box, the default
# hostname is still the container's ID, and a name the kernel refuses
# (longer than 64 bytes) makes mydocker exit 125.
# Run it with: sudo make check-lab CHAPTER=chapter3 LAB=1
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init chapter3 1
lab_state_root

out=$(quiet run true) || fail "mydocker run true fails: the container no longer starts: $out"

out=$(quiet run -hostname box hostname) ||
    fail "mydocker run -hostname box hostname exits $?: $out"
[ "$out" = box ] || fail "with -hostname box, hostname in the container prints '$out', not 'box'"

out=$(quiet run --hostname double-dash hostname) ||
    fail "mydocker run --hostname double-dash hostname exits $?: $out"
[ "$out" = double-dash ] || fail "--hostname double-dash gives '$out': add the flag to the options table"

out=$(quiet run hostname)
[[ "$out" =~ ^[0-9a-f]{12}$ ]] ||
    fail "without -hostname, the hostname should still be the container's ID, not '$out'"

long=$(printf 'x%.0s' {1..65})
status=0
out=$(quiet run -hostname "$long" true) || status=$?
[ "$status" -eq 125 ] ||
    fail "a 65-byte hostname should make mydocker exit 125 (sethostname(2) says EINVAL), not $status"

status=0
out=$(quiet run -hostname) || status=$?
[ "$status" -eq 125 ] || fail "-hostname without a value should exit 125, not $status"

echo "lab 1: passed"
