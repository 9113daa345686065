#!/usr/bin/env bash
# chapter4-commit, lab 1: mydocker images.
# Passes when "mydocker images" lists each images/NAME.tar once, by NAME
# (no ".tar"), first on its line: the busybox image and one just committed;
# and leaves out hidden files (a commit in progress) and unpacked dirs.
# Run it with: sudo make check-lab CHAPTER=chapter4-commit LAB=1
set -euo pipefail
: "${MYDOCKER:?set MYDOCKER to the mydocker binary of the chapter}"
: "${REPO:?set REPO to the top directory of the repository}"

fail() {
    echo "lab 1: $*"
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail "run it as root: sudo make check-lab CHAPTER=chapter4-commit LAB=1"

MYDOCKER_ROOT=$(mktemp -d /tmp/mydocker-lab1.XXXXXX)
export MYDOCKER_ROOT
bg=""
cleanup() {
    # The background container ends by itself; a SIGTERM makes it quicker.
    if [ -n "$bg" ]; then
        kill "$bg" 2>/dev/null || true
        wait "$bg" 2>/dev/null || true
    fi
    rm -rf --one-file-system -- "$MYDOCKER_ROOT"
}
trap cleanup EXIT
mkdir -p "$MYDOCKER_ROOT/images"
if [ -f "$REPO/build/busybox.tar" ]; then
    cp "$REPO/build/busybox.tar" "$MYDOCKER_ROOT/images/"
else
    "$REPO/scripts/busybox-image.sh" "$MYDOCKER_ROOT/images/busybox.tar" 2>/dev/null ||
        fail "could not make the busybox image: run $REPO/scripts/busybox-image.sh to see why"
fi

# Runs mydocker quietly (errors only; killed if it hangs for 30 s);
# stdout and stderr together.
quiet() {
    timeout -k 5 30 "$MYDOCKER" -log-level error "$@" 2>&1
}

# A container to commit, running for a few seconds in the background.
"$MYDOCKER" -log-level error run -stop-timeout 1 sh -c 'echo lab >/lab; sleep 4' \
    >/dev/null 2>&1 &
bg=$!
for _ in $(seq 50); do
    [ -n "$(ls -A "$MYDOCKER_ROOT/containers" 2>/dev/null)" ] && break
    sleep 0.1
done
sleep 0.5
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
