#!/usr/bin/env bash
# chapter3, lab 4: a tiny init (-init), as docker run --init.
# Passes when, with -init: SIGTERM to mydocker ends "sleep 100" at once
# (exit 143, well before -stop-timeout), the command's exit status comes
# back, orphans are reaped (no zombies), and a missing command still exits
# 127. Without -init nothing changes.
# Run it with: sudo make check-lab CHAPTER=chapter3 LAB=4
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init chapter3 4
lab_state_root
# At exit, a "sleep 100" container still running ($bg) is killed outright.
bg_signal=KILL

out=$(quiet run true) || fail "mydocker run true fails: the container no longer starts: $out"
status=0
out=$(quiet run -init true) || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    fail "mydocker run -init true did not end within 30 s: does every process exit when the command does?"
fi
[ "$status" -eq 0 ] || fail "mydocker run -init true exits $status: $out"

status=0
out=$(quiet run -init sh -c 'exit 7') || status=$?
[ "$status" -eq 7 ] || fail "run -init sh -c 'exit 7' should exit 7, not $status: $out"

status=0
out=$(quiet run -init no-such-command) || status=$?
[ "$status" -eq 127 ] || fail "run -init no-such-command should exit 127, not $status: $out"

out=$(quiet run -init sh -c 'sh -c "sleep 0.2 &"; sleep 1; ps -eo stat= | grep -c "^Z" || true')
[ "$out" = 0 ] ||
    fail "an orphan that exited is left a zombie ($out): your init must reap every child, not only the command"

# True while process $1 runs (a zombie, exited but not yet waited for, does not).
running() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

"$MYDOCKER" -log-level error run -init -stop-timeout 30 sleep 100 >/dev/null 2>&1 &
bg=$!
sleep 0.5
kill -TERM "$bg"
for _ in $(seq 100); do
    running "$bg" || break
    sleep 0.1
done
if running "$bg"; then
    fail "10 s after SIGTERM, 'sleep 100' still runs: does the parent get past its read() of the status pipe (your init must close its write end)? does your init pass SIGTERM on to the command?"
fi
status=0
wait "$bg" || status=$?
bg=
[ "$status" -eq 143 ] ||
    fail "SIGTERM should end the container with 143 (128+15), not $status"

status=0
out=$(quiet run sh -c 'echo $$') || status=$?
[ "$out" = 1 ] || fail "without -init, the command must still be PID 1 (it is $out)"

echo "lab 4: passed"
