#!/usr/bin/env bash
# chapter3, lab 3: a cgroup namespace.
# Passes when the container's /proc/self/cgroup shows "/" as the path on
# every line (with and without limits), the container has a cgroup
# namespace of its own, and a -pids limit still holds.
# Run it with: sudo make check-lab CHAPTER=chapter3 LAB=3
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init chapter3 3
lab_state_root

# Every line of a /proc/self/cgroup must end in ":/".
all_root() {
    [ -n "$1" ] && ! grep -qv ':/$' <<<"$1"
}

out=$(quiet run true) || fail "mydocker run true fails: the container no longer starts: $out"

host_ns=$(readlink /proc/self/ns/cgroup)
ns=$(quiet run readlink /proc/self/ns/cgroup) || fail "readlink in the container fails: $ns"
[ "$ns" != "$host_ns" ] ||
    fail "the container is still in the host's cgroup namespace ($ns): add CLONE_NEWCGROUP"

out=$(quiet run cat /proc/self/cgroup) || fail "cat /proc/self/cgroup fails: $out"
all_root "$out" || fail "without limits, /proc/self/cgroup in the container should show / on every line:
$out"

out=$(quiet run -pids 64 -m 64m cat /proc/self/cgroup) ||
    fail "cat /proc/self/cgroup with -pids 64 -m 64m fails: $out"
all_root "$out" || fail "with limits, /proc/self/cgroup should show / on every line, not:
$out
(hint: when is the namespace's root cgroup fixed, and when does the child enter its cgroups?)"

status=0
out=$(quiet run -pids 3 sh -c 'sleep 2 & sleep 2 & sleep 2 & wait') || status=$?
[ "$status" -ne 0 ] ||
    fail "-pids 3 no longer limits the container: three background sleeps all started"

echo "lab 3: passed"
