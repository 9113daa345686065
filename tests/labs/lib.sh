# shellcheck shell=bash
# tests/labs/lib.sh: the setup and helpers every lab checker shares.
# Source it from a lab (do not run it), then set the lab up:
#
#   set -euo pipefail
#   # shellcheck source=SCRIPTDIR/../lib.sh
#   . "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
#   lab_init --repo chapter4-busybox 1   # $MYDOCKER, $REPO, root; lab=1
#   lab_state_root                       # a temp $MYDOCKER_ROOT, gone at exit
#   lab_busybox_image                    # with images/busybox.tar in it
#
# and check with fail, quiet, try_run/printed, start_bg/stop_bg and
# mounts_under_root below. "sudo make check-lab CHAPTER=X LAB=N" runs
# tests/labs/X/labN.sh with MYDOCKER=X/mydocker and REPO=the repository.
# (tests/labs/.shellcheckrc lets a plain "shellcheck" follow this file.)

lab=
lab_style=
lab_umount=
# The PID of a container a lab runs in the background, while it runs; the
# exit trap stops it with SIGTERM, or with $bg_signal if the lab sets it.
bg=
bg_signal=TERM

# fail MESSAGE...: "lab N: MESSAGE" on stdout, and exit 1.
fail() {
    echo "lab $lab: $*"
    exit 1
}

# lab_init [--repo] [--volume-style] CHAPTER N: sets lab=N; exits with a
# usage message unless $MYDOCKER (and, with --repo, $REPO) is set, and
# fails unless run as root. --volume-style keeps the wording (and temp
# dir name) the chapter4-volume labs were written with.
lab_init() {
    local need_repo=
    while [ $# -gt 2 ]; do
        case $1 in
        --repo) need_repo=1 ;;
        --volume-style) lab_style=volume ;;
        *)
            echo "lab_init: unknown option $1" >&2
            exit 2
            ;;
        esac
        shift
    done
    lab=$2
    local how="sudo make check-lab CHAPTER=$1 LAB=$2"
    if [ "$lab_style" = volume ]; then
        : "${MYDOCKER:?run me with: $how}"
        [ -z "$need_repo" ] || : "${REPO:?run me with: $how}"
        [ "$(id -u)" -eq 0 ] || fail "containers need root: $how"
    else
        : "${MYDOCKER:?set MYDOCKER to the mydocker binary of the chapter}"
        [ -z "$need_repo" ] || : "${REPO:?set REPO to the top directory of the repository}"
        [ "$(id -u)" -eq 0 ] || fail "run it as root: $how"
    fi
}

# lab_state_root: makes a temp dir, exported as MYDOCKER_ROOT, that the
# exit trap removes after stopping $bg: with rm --one-file-system, so it
# never follows a mount a broken run left behind.
lab_state_root() {
    if [ "$lab_style" = volume ]; then
        MYDOCKER_ROOT=$(mktemp -d /tmp/mydocker-lab.XXXXXX)
    else
        MYDOCKER_ROOT=$(mktemp -d "/tmp/mydocker-lab$lab.XXXXXX")
    fi
    export MYDOCKER_ROOT
    trap lab_cleanup EXIT
}

# lab_umount_at_exit: before that rm, the exit trap also lazily unmounts
# whatever is still mounted under the state root.
lab_umount_at_exit() {
    lab_umount=1
}

lab_cleanup() {
    local m
    stop_bg "$bg_signal"
    if [ -n "$lab_umount" ]; then
        for m in $(mounts_under_root); do
            umount -l "$m" 2>/dev/null || true
        done
    fi
    rm -rf --one-file-system -- "$MYDOCKER_ROOT"
}

# lab_busybox_image: puts the busybox image in $MYDOCKER_ROOT/images: a
# copy of $REPO/build/busybox.tar, else one scripts/busybox-image.sh makes.
lab_busybox_image() {
    local dir=$MYDOCKER_ROOT/images
    mkdir -p "$dir"
    if [ -f "$REPO/build/busybox.tar" ]; then
        cp "$REPO/build/busybox.tar" "$dir/"
    elif [ "$lab_style" = volume ]; then
        "$REPO/scripts/busybox-image.sh" "$dir/busybox.tar" >/dev/null
    else
        "$REPO/scripts/busybox-image.sh" "$dir/busybox.tar" 2>/dev/null ||
            fail "could not make the busybox image: run $REPO/scripts/busybox-image.sh to see why"
    fi
}

# Runs mydocker quietly (errors only; killed if it hangs for 30 s);
# stdout and stderr together.
quiet() {
    timeout -k 5 30 "$MYDOCKER" -log-level error "$@" 2>&1
}

# try_run ARGS...: runs mydocker run ARGS quietly (warnings and errors);
# sets $out (stdout and stderr) and $rc.
try_run() {
    rc=0
    out=$("$MYDOCKER" -log-level warn run "$@" 2>&1) || rc=$?
}

# printed WANT: the last try_run exited 0 and printed exactly WANT.
printed() {
    [ "$rc" -eq 0 ] && [ "$out" = "$1" ]
}

# start_bg SECONDS ARGS...: starts "mydocker run -stop-timeout 1 ARGS" in
# the background ($bg is its PID), waits up to SECONDS for it to show up
# in containers/, and half a second more.
start_bg() {
    local tries=$(($1 * 10))
    shift
    "$MYDOCKER" -log-level error run -stop-timeout 1 "$@" >/dev/null 2>&1 &
    bg=$!
    for _ in $(seq "$tries"); do
        [ -n "$(ls -A "$MYDOCKER_ROOT/containers" 2>/dev/null)" ] && break
        sleep 0.1
    done
    sleep 0.5
}

# stop_bg [SIGNAL]: stops the background container, if any (it ends by
# itself; a signal, SIGTERM by default, makes it quicker), and forgets it.
stop_bg() {
    if [ -n "$bg" ]; then
        kill "-${1:-TERM}" "$bg" 2>/dev/null || true
        wait "$bg" 2>/dev/null || true
    fi
    bg=
}

# Mount points under the state root, deepest first (mountinfo field 5).
mounts_under_root() {
    awk -v root="$MYDOCKER_ROOT/" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
