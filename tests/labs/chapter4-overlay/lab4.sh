#!/usr/bin/env bash
# chapter4-overlay, lab 4: mydocker run -diff.
# Passes when, after the container exits, -diff prints on stdout one line
# per path in its upper layer, in docker diff's format ("A /added",
# "C /changed", "D /deleted"), sorted by path; prints nothing for a
# container that changed nothing and without the flag; and still leaves
# nothing behind.
# Run it with: sudo make check-lab CHAPTER=chapter4-overlay LAB=4
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
lab_init --repo chapter4-overlay 4
lab_state_root
lab_umount_at_exit
lab_busybox_image
errors=$MYDOCKER_ROOT/stderr

# mydocker run FLAGS... sh -c SCRIPT: stdout only; stderr goes to $errors.
run() { "$MYDOCKER" -log-level error run "$@" 2>"$errors"; }

script='echo data >/written && rm /bin/ls && echo x >>/etc/passwd && mkdir /newdir && touch /newdir/f'
status=0
out=$(run -diff sh -c "$script") || status=$?
[ "$status" -eq 0 ] ||
    fail "mydocker run -diff sh -c '$script' exits $status, not 0: $(cat "$errors")"
[ -n "$out" ] || fail "mydocker run -diff sh -c '$script' printed nothing on stdout"

while IFS= read -r line; do
    [[ $line =~ ^[ACD]\ /[^\ ]*$ ]] ||
        fail "every line of -diff should be 'A /path', 'C /path' or 'D /path', not: '$line'"
done <<<"$out"

for want in "A /written" "D /bin/ls" "C /etc/passwd" "A /newdir" "A /newdir/f"; do
    grep -qxF -- "$want" <<<"$out" ||
        fail "-diff should print '$want'; it printed:
$out"
done
for wrong in "A /etc/passwd" "D /etc/passwd" "C /written" "A /bin/ls" "C /bin/ls" "D /written"; do
    ! grep -qxF -- "$wrong" <<<"$out" ||
        fail "-diff printed '$wrong', which is wrong (A: only in upper, C: in upper and in the image, D: a whiteout):
$out"
done
! grep -q '^. /$' <<<"$out" || fail "-diff should not list / itself (the top of upper)"

sorted=$(LC_ALL=C sort -k2 <<<"$out")
[ "$out" = "$sorted" ] ||
    fail "-diff's lines should be sorted by path (as strcmp orders them); expected:
$sorted"

out=$(run -diff true) || fail "mydocker run -diff true fails: $(cat "$errors")"
[ -z "$out" ] || fail "a container that changes nothing should make -diff print nothing, not:
$out"

out=$(run sh -c "$script") || fail "mydocker run sh -c '$script' fails: $(cat "$errors")"
[ -z "$out" ] || fail "without -diff, mydocker must print no diff, but it printed:
$out"

left=$(find "$MYDOCKER_ROOT/containers" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null || true)
[ -z "$left" ] || fail "a run left something in $MYDOCKER_ROOT/containers: $left"
[ -z "$(mounts_under_root)" ] ||
    fail "something is still mounted under $MYDOCKER_ROOT: $(mounts_under_root | tr '\n' ' ')"

echo "lab 4: passed"
