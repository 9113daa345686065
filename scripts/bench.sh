#!/usr/bin/env bash
# scripts/bench.sh [--quick] [--iterations N]: measure every chapter's
# mydocker against a minimal C floor (scripts/bench-floor.c) and against
# the peers installed here (unshare, bwrap, runc, crun), in one run, with
# every figure also a ratio to a baseline measured in that same run.
#
#   make bench > results.md          (BENCH_ARGS=--quick for a short run)
#
# The markdown report goes to stdout; progress and diagnostics to stderr.
# Needs root (namespaces, mounts, cgroups). Exits non-zero when a mydocker
# run failed or when anything leaked (mounts, cgroup dirs, containers/).
# Not part of the tests: CI runs only scripts/bench.sh --quick.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
all_chapters=(chapter3 chapter4-busybox chapter4-overlay chapter4-volume chapter4-commit)
# Linked as the chapters are (static), so the floor pays what mydocker pays.
cflags=(-O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -static)
limits=(-m 64m -pids 64)
rss_target_kb=1536 # 1.5 MiB

say() { printf 'bench: %s\n' "$*" >&2; }
usage() {
    cat <<EOF
Usage: scripts/bench.sh [--quick] [--iterations N]

Benchmarks every chapter's mydocker against a minimal C floor and the peers
installed here; a markdown report goes to stdout (make bench > results.md).
  --quick         few iterations (for CI; well under a minute)
  --iterations N  measured rounds per benchmark (default 30; warm-up: N/10)
EOF
}

quick=false
iters=30
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=true iters=5 ;;
    --iterations)
        if [ $# -lt 2 ] || ! [[ $2 =~ ^[1-9][0-9]*$ ]]; then
            usage >&2
            exit 2
        fi
        iters=$2
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
    shift
done
warm=$((iters / 10 > 0 ? iters / 10 : 1))
par_rounds=$((iters / 6 > 0 ? iters / 6 : 1))
par_n=50

if [ "$(id -u)" -ne 0 ]; then
    say "containers need root: sudo make bench (or sudo scripts/bench.sh)"
    exit 1
fi
for tool in cc make tar; do
    command -v "$tool" >/dev/null || {
        say "$tool is missing: install it (Debian: apt-get install gcc make tar)"
        exit 1
    }
done

# ---- state, cleanup and the leak check ----------------------------------

T=$(realpath "$(mktemp -d /tmp/mydocker-bench.XXXXXX)")
bg_pid=""       # the background container of the commit benchmark
timer_pid=""    # bench-timer, while it runs
failures=()     # mydocker runs that failed: the exit status says so
skipped=()      # "what: why"
leaks=()        # filled by the leak check
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# Mount points under our temp dir, deepest first (mountinfo field 5).
our_mounts() { awk -v t="$T/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r; }

# Every <controller root>/mydocker/<id> directory there is now.
cgroup_dirs() {
    local root d
    while read -r root; do
        for d in "$root"/mydocker/*/; do
            [ -d "$d" ] && printf '%s\n' "${d%/}"
        done
    done < <(awk '/ - cgroup2? / { print $5 }' /proc/self/mountinfo)
    return 0
}
# Every <controller root>/mydocker there is now.
cgroup_parents() {
    local root
    while read -r root; do
        [ -d "$root/mydocker" ] && printf '%s\n' "$root/mydocker"
    done < <(awk '/ - cgroup2? / { print $5 }' /proc/self/mountinfo)
    return 0
}
# cgroup_leaks: <root>/mydocker/<id> dirs that were not there when we
# started. Another mydocker on this machine may be mid-run: a dir counts
# only if it is still there a second later and has no process in it.
cgroup_leaks() {
    local d
    cgroup_dirs | sort | comm -13 "$cgroups_before" - >"$T/cgroups.new"
    [ -s "$T/cgroups.new" ] || return 0
    sleep 1
    while read -r d; do
        if [ -d "$d" ] && [ ! -s "$d/cgroup.procs" ]; then printf '%s\n' "$d"; fi
    done <"$T/cgroups.new"
}

cleanup() {
    local rc=$? m
    set +e
    trap - EXIT INT TERM
    if [ -n "$timer_pid" ]; then
        kill -TERM "$timer_pid" 2>/dev/null
        wait "$timer_pid" 2>/dev/null
    fi
    if [ -n "$bg_pid" ] && kill -0 "$bg_pid" 2>/dev/null; then
        kill -TERM "$bg_pid"
        wait "$bg_pid" 2>/dev/null
    fi
    # Whatever leaked was reported already; leave the machine clean.
    for m in $(our_mounts); do umount -l "$m"; done
    for m in "${leaked_cgroups[@]}"; do rmdir "$m" 2>/dev/null; done
    # mydocker keeps <controller root>/mydocker, as Docker keeps its own
    # parent; remove those this run made (rmdir fails on one in use).
    for m in $(cgroup_parents | sort | comm -13 "$parents_before" -); do rmdir "$m" 2>/dev/null; done
    rm -rf --one-file-system "$T"
    exit "$rc"
}
leaked_cgroups=()
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cgroups_before="$T/cgroups.before"
cgroup_dirs | sort >"$cgroups_before"
parents_before="$T/parents.before"
cgroup_parents | sort >"$parents_before"

# ---- timing ----------------------------------------------------------------

# Results of bench-timer, by command name: times in microseconds.
declare -A med mn mx p90 fails runs
group=()
# add NAME PREP CMD...: one more command for the next run_group.
add() {
    [ ${#group[@]} -eq 0 ] || group+=("::")
    group+=("$@")
}
# run_group ROUNDS WARMUP PARALLEL: time the commands added, interleaved.
run_group() {
    local out="$T/timer.out" name r f m lo hi p
    # In the background, so that a signal runs our trap at once; the
    # trap stops the timer, which waits for the runs under way.
    "$T/bench-timer" -n "$1" -w "$2" -P "$3" -- "${group[@]}" >"$out" &
    timer_pid=$!
    wait "$timer_pid"
    timer_pid=""
    while IFS=$'\t' read -r name r f m lo hi _ p; do
        runs[$name]=$r fails[$name]=$f med[$name]=$m mn[$name]=$lo mx[$name]=$hi p90[$name]=$p
    done <"$out"
    group=()
}

ms() {
    if [ "${1:--}" = - ]; then printf -- '-'; else awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; fi
}
ratio() {
    local a=${med[$1]:--} b=${med[$2]:--}
    if [ "$a" = - ] || [ "$b" = - ]; then printf -- '-'; else awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f×", a / b }'; fi
}
# row NAME LABEL BASE [BASE2]: one table line; ratios to the baselines.
row() {
    local n=$1 label=$2 base=$3 base2=${4:-}
    [ -n "${runs[$n]:-}" ] || return 0
    printf '| %s | %s | %s | %s | %s | %s/%s | %s |' "$label" "$(ms "${med[$n]}")" \
        "$(ms "${p90[$n]}")" "$(ms "${mn[$n]}")" "$(ms "${mx[$n]}")" "${fails[$n]}" "${runs[$n]}" \
        "$(ratio "$n" "$base")"
    [ -z "$base2" ] || printf ' %s |' "$(ratio "$n" "$base2")"
    printf '\n'
}
# A mydocker command that failed is a bug, not noise: the exit status says so.
check_fails() {
    local n
    for n in "$@"; do
        if [ -n "${fails[$n]:-}" ] && [ "${fails[$n]}" -gt 0 ]; then
            failures+=("$n: ${fails[$n]} of ${runs[$n]} runs failed")
        fi
    done
}

# once WHAT CMD...: run it once as a smoke test; on failure, say why.
once_err=""
once() {
    local what=$1
    shift
    if timeout 60 env "$@" </dev/null >/dev/null 2>"$T/once.err"; then
        return 0
    fi
    once_err=$(grep -v '^$' "$T/once.err" | head -n 1)
    say "$what failed: ${once_err:-exit status not 0}"
    return 1
}

# ---- build -----------------------------------------------------------------

say "temp dir $T; building the floor, the timer and the chapters"
cc "${cflags[@]}" -o "$T/bench-floor" "$top/scripts/bench-floor.c"
cc "${cflags[@]}" -o "$T/bench-timer" "$top/scripts/bench-timer.c"

declare -A bin
chapters=()
for ch in "${all_chapters[@]}"; do
    if [ ! -f "$top/$ch/Makefile" ]; then
        skipped+=("$ch: not in this tree")
    elif ! make -s -C "$top/$ch" >&2; then
        skipped+=("$ch: make -s -C $ch failed")
        failures+=("$ch: does not build")
    else
        # Our own copy: a rebuild by someone else mid-run changes nothing.
        mkdir -p "$T/bin/$ch"
        cp "$top/$ch/mydocker" "$T/bin/$ch/mydocker"
        bin[$ch]="$T/bin/$ch/mydocker"
        chapters+=("$ch")
    fi
done
have() { [ -n "${bin[$1]:-}" ]; }

image="$top/build/busybox.tar"
if [ ! -f "$image" ]; then
    say "no $image: creating it with scripts/busybox-image.sh"
    mkdir -p "$top/build"
    "$top/scripts/busybox-image.sh" "$image" >&2
fi

export MYDOCKER_LOG=error
# One state root per benchmark, so one's containers/ never meets another's.
for r in main cold par commit; do
    mkdir -p "$T/root-$r/images"
    cp "$image" "$T/root-$r/images/busybox.tar"
done
mkdir -p "$T/rootfs" "$T/floor-tmp" "$T/tars" "$T/runc" "$T/crun"
tar --extract --numeric-owner --file "$image" --directory "$T/rootfs"
root_main="MYDOCKER_ROOT=$T/root-main"

# ---- peers -------------------------------------------------------------------

declare -A peer_version
# oci_bundle RUNTIME: a config.json running /bin/true in $T/rootfs, from the
# runtime's own default spec (pid, net, ipc, uts and mount namespaces).
oci_bundle() {
    local dir="$T/oci-$1"
    mkdir -p "$dir"
    (cd "$dir" && "$1" spec) || return 1
    sed -i -e 's/"terminal": true/"terminal": false/' \
        -e 's/^\([[:space:]]*\)"sh"$/\1"\/bin\/true"/' \
        -e "s|\"path\": \"rootfs\"|\"path\": \"$T/rootfs\"|" "$dir/config.json"
}
peer() {
    local name=$1 pkg=$2
    if ! command -v "$name" >/dev/null; then
        skipped+=("$name: not installed (Debian package $pkg)")
        return 1
    fi
    peer_version[$name]=$("$name" --version 2>&1 | head -n 1)
}
peers=()
if command -v unshare >/dev/null && command -v chroot >/dev/null; then
    peers+=(unshare)
else
    skipped+=("unshare + chroot: not installed (Debian package util-linux, coreutils)")
fi
if peer bwrap bubblewrap; then
    if once bwrap bwrap --unshare-uts --unshare-pid --unshare-ipc --unshare-net \
        --bind "$T/rootfs" / --proc /proc --dev /dev /bin/true; then
        peers+=(bwrap)
    else
        skipped+=("bwrap: fails here: $once_err")
    fi
fi
for rt in runc crun; do
    peer "$rt" "$rt" || continue
    if ! oci_bundle "$rt" 2>"$T/once.err"; then
        skipped+=("$rt: '$rt spec' failed: $(head -n 1 "$T/once.err")")
    elif once "$rt" "$rt" --root "$T/$rt" run --bundle "$T/oci-$rt" "bench-$$"; then
        peers+=("$rt")
    elif [ "$rt" = crun ] && grep -q 'hybrid' <<<"$once_err"; then
        skipped+=("crun: ${peer_version[crun]} refuses this host's hybrid cgroup layout\
 (\"$once_err\"); it needs a pure v1 or v2 host, or a newer crun")
    else
        skipped+=("$rt: fails here: $once_err")
    fi
done
is_peer() { [[ " ${peers[*]} " == *" $1 "* ]]; }

# Smoke test every chapter, which also unpacks the image in root-main.
for ch in "${chapters[@]}"; do
    if ! once "$ch" "$root_main" "${bin[$ch]}" run /bin/true; then
        skipped+=("$ch: 'mydocker run /bin/true' fails: $once_err")
        failures+=("$ch: run /bin/true fails: $once_err")
        unset "bin[$ch]"
    fi
done
newest=""
for ch in "${chapters[@]}"; do if have "$ch"; then newest=$ch; fi; done

# ---- 1. start to exit ----------------------------------------------------------

say "[1/6] start to exit of /bin/true: $iters rounds (+$warm warm-up), interleaved"
floor_host=floor
floor_rootfs=floor-rootfs
floor_ov=floor-overlay
add "$floor_host" "" "$T/bench-floor"
if have chapter3; then
    add ch3 "" "${bin[chapter3]}" run /bin/true
    add ch3-lim "" "${bin[chapter3]}" run "${limits[@]}" /bin/true
fi
add "$floor_rootfs" "" "$T/bench-floor" "$T/rootfs"
if is_peer unshare; then
    add unshare "" unshare --fork --pid --mount --uts --ipc --net chroot "$T/rootfs" /bin/true
fi
if is_peer bwrap; then
    add bwrap "" bwrap --unshare-uts --unshare-pid --unshare-ipc --unshare-net \
        --bind "$T/rootfs" / --proc /proc --dev /dev /bin/true
fi
for rt in runc crun; do
    if is_peer "$rt"; then
        add "$rt" "" "$rt" --root "$T/$rt" run --bundle "$T/oci-$rt" "bench-$$"
    fi
done
if have chapter4-busybox; then
    add busybox "" "$root_main" "${bin[chapter4-busybox]}" run /bin/true
    add busybox-lim "" "$root_main" "${bin[chapter4-busybox]}" run "${limits[@]}" /bin/true
fi
add "$floor_ov" "" "$T/bench-floor" -o "$T/floor-tmp" "$T/rootfs"
for ch in chapter4-overlay chapter4-volume chapter4-commit; do
    have "$ch" || continue
    add "run-${ch#chapter4-}" "" "$root_main" "${bin[$ch]}" run /bin/true
    add "run-${ch#chapter4-}-lim" "" "$root_main" "${bin[$ch]}" run "${limits[@]}" /bin/true
done
run_group "$iters" "$warm" 1
check_fails ch3 ch3-lim busybox busybox-lim run-overlay run-overlay-lim run-volume run-volume-lim \
    run-commit run-commit-lim

# ---- 1b. chapter3 alone, for its targets ------------------------------------------
# In §1 a -m run may follow another chapter's -m run, whose move into a
# cgroup leaves the kernel's cgroup lock on its fast path for a moment.
# Here nothing else moves a task between cgroups, as for one mydocker run.

if have chapter3; then
    say "[1b] chapter3 with and without limits against the floor"
    add t-floor "" "$T/bench-floor"
    add t-ch3 "" "${bin[chapter3]}" run /bin/true
    add t-ch3-lim "" "${bin[chapter3]}" run "${limits[@]}" /bin/true
    run_group "$iters" "$warm" 1
    check_fails t-ch3 t-ch3-lim
fi

# ---- 2. overlay cold vs warm -----------------------------------------------------

if have chapter4-overlay; then
    say "[2/6] chapter4-overlay cold (images/busybox/ deleted before each run) vs warm"
    add ov-floor "" "$T/bench-floor" -o "$T/floor-tmp" "$T/rootfs"
    add ov-warm "" "$root_main" "${bin[chapter4-overlay]}" run /bin/true
    add ov-cold "rm -rf '$T/root-cold/images/busybox'" "MYDOCKER_ROOT=$T/root-cold" \
        "${bin[chapter4-overlay]}" run /bin/true
    run_group "$iters" "$warm" 1
    check_fails ov-warm ov-cold
else
    skipped+=("2. overlay cold vs warm: needs chapter4-overlay")
fi

# ---- 3. volumes ----------------------------------------------------------------------

if have chapter4-volume; then
    say "[3/6] chapter4-volume with 0, 1, 8 and 32 volumes"
    for n in 0 1 8 32; do
        vols=()
        for ((i = 1; i <= n; i++)); do
            mkdir -p "$T/vols/$i"
            vols+=(-v "$T/vols/$i:/bench/v$i")
        done
        add "vol-$n" "" "$root_main" "${bin[chapter4-volume]}" run "${vols[@]}" /bin/true
    done
    run_group "$iters" "$warm" 1
    check_fails vol-0 vol-1 vol-8 vol-32
else
    skipped+=("3. volumes: needs chapter4-volume")
fi

# ---- 4. 50 in parallel ---------------------------------------------------------------------

par_left=()
if [ -n "$newest" ] && have "$newest"; then
    say "[4/6] $par_n containers of $newest at once: $par_rounds rounds (+1 warm-up)"
    add par-floor "" "$T/bench-floor" -o "$T/floor-tmp" "$T/rootfs"
    add par "" "MYDOCKER_ROOT=$T/root-par" "${bin[$newest]}" run /bin/true
    add par-lim "" "MYDOCKER_ROOT=$T/root-par" "${bin[$newest]}" run "${limits[@]}" /bin/true
    run_group "$par_rounds" 1 "$par_n"
    check_fails par par-lim
    # Leftovers, right after: containers/, mounts, cgroup dirs.
    for e in "$T"/root-par/containers/*; do [ -e "$e" ] && par_left+=("state: $e"); done
    for e in $(our_mounts); do par_left+=("mount: $e"); done
    while read -r e; do par_left+=("cgroup: $e"); done < <(cgroup_leaks)
else
    skipped+=("4. parallel: no chapter runs")
fi

# ---- 5. commit vs tar --------------------------------------------------------------------------

commit_id=""
if have chapter4-commit; then
    say "[5/6] mydocker commit vs tar -cf of the same tree, $iters rounds"
    MYDOCKER_ROOT="$T/root-commit" "${bin[chapter4-commit]}" run -stop-timeout 0 sleep 3600 \
        </dev/null >/dev/null 2>"$T/bg.err" &
    bg_pid=$!
    for _ in $(seq 100); do
        for s in "$T"/root-commit/containers/*/state; do
            [ -e "$s" ] && commit_id=$(basename "$(dirname "$s")")
        done
        [ -n "$commit_id" ] && break
        sleep 0.05
    done
    if [ -z "$commit_id" ]; then
        failures+=("commit: the background container did not start: $(head -n 1 "$T/bg.err")")
    else
        merged="$T/root-commit/containers/$commit_id/merged"
        # The very flags commit.c gives tar: the difference is mydocker's own.
        add tar "" tar --create --numeric-owner --sparse --file "$T/tars/t{n}.tar" --directory "$merged" .
        add tar-sync "" "$T/bench-floor" -t "$merged" "$T/tars/s{n}.tar"
        add commit "" "MYDOCKER_ROOT=$T/root-commit" "${bin[chapter4-commit]}" commit \
            "$commit_id" "bench{n}"
        run_group "$iters" "$warm" 1
        check_fails commit
        rm -f "$T"/tars/*.tar "$T"/root-commit/images/bench*.tar
    fi
    kill -TERM "$bg_pid" 2>/dev/null || true
    wait "$bg_pid" 2>/dev/null || true
    bg_pid=""
else
    skipped+=("5. commit: needs chapter4-commit")
fi

# ---- 6. peak RSS -------------------------------------------------------------------------------

declare -A rss
rss_rows=()
rss_max=0
if [ ! -x /usr/bin/time ] && command -v apt-get >/dev/null; then
    say "installing /usr/bin/time (Debian package time)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 || true
fi
# time -v reports the largest RSS of mydocker *and* of the children it
# waited for; busybox's own true is ~1.5 MiB, as big as mydocker. So the
# container runs a tiny static program instead (an image with it added:
# root-rss), and the figure is mydocker's own (or its clone's, a copy).
tiny="$T/bench-true"
printf 'int main(void) { return 0; }\n' >"$T/bench-true.c"
cc -O2 -static -o "$tiny" "$T/bench-true.c" 2>/dev/null || cc -O2 -o "$tiny" "$T/bench-true.c"
mkdir -p "$T/root-rss/images"
cp "$image" "$T/root-rss/images/busybox.tar"
tar --append --numeric-owner --owner=0 --group=0 --file "$T/root-rss/images/busybox.tar" \
    --directory "$T" ./bench-true
# max_rss NAME CMD...: the largest "Maximum resident set size" of 3 runs
# (MYDOCKER_ROOT from the environment, not env(1): time measures CMD only).
max_rss() {
    local name=$1 best=0 kb
    shift
    for _ in 1 2 3; do
        MYDOCKER_ROOT="$T/root-rss" /usr/bin/time -v -o "$T/time.out" "$@" \
            </dev/null >/dev/null 2>&1 || true
        kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$T/time.out")
        if [ "${kb:-0}" -gt "$best" ]; then best=$kb; fi
    done
    rss[$name]=$best
    rss_rows+=("$name")
}
# mydocker_rss NAME CMD...: the same, for a mydocker run: counts for the target.
mydocker_rss() {
    max_rss "$@"
    if [ "${rss[$1]}" -gt "$rss_max" ]; then rss_max=${rss[$1]}; fi
}
if [ -x /usr/bin/time ]; then
    say "[6/6] peak RSS with /usr/bin/time -v"
    max_rss "bench-true alone (the tiny container command)" "$tiny"
    max_rss "busybox true alone (the command of §1, for scale)" "$T/rootfs/bin/busybox" true
    for ch in "${chapters[@]}"; do
        have "$ch" || continue
        cmd=/bench-true
        [ "$ch" != chapter3 ] || cmd=$tiny
        # Unpack root-rss's image first: a cold run's RSS would be tar's.
        if ! once "$ch" "MYDOCKER_ROOT=$T/root-rss" "${bin[$ch]}" run "$cmd"; then
            failures+=("$ch: run $cmd fails: $once_err")
            continue
        fi
        mydocker_rss "$ch run" "${bin[$ch]}" run "$cmd"
        mydocker_rss "$ch run ${limits[*]}" "${bin[$ch]}" run "${limits[@]}" "$cmd"
        if [ "$ch" = chapter4-volume ]; then
            vols=()
            for i in $(seq 32); do vols+=(-v "$T/vols/$i:/bench/v$i"); done
            mydocker_rss "$ch run with 32 volumes" "${bin[$ch]}" run "${vols[@]}" "$cmd"
        fi
    done
else
    skipped+=("6. peak RSS: /usr/bin/time missing and not installable (Debian package time)")
fi

# ---- hyperfine cross-check ---------------------------------------------------------------------

hf=""
if command -v hyperfine >/dev/null && have chapter3; then
    say "cross-check: hyperfine on the chapter3 targets"
    if MYDOCKER_ROOT="$T/root-main" hyperfine -N --style basic --warmup "$warm" --runs "$iters" \
        --export-csv "$T/hf.csv" "$T/bench-floor" "${bin[chapter3]} run /bin/true" \
        "${bin[chapter3]} run ${limits[*]} /bin/true" >&2; then
        hf=$(hyperfine --version | head -n 1)
    else
        skipped+=("hyperfine cross-check: hyperfine failed")
    fi
elif ! command -v hyperfine >/dev/null; then
    skipped+=("hyperfine cross-check: not installed (Debian package hyperfine)")
fi

# ---- the leak check ----------------------------------------------------------------------------

say "leak check"
for r in main cold par commit rss; do
    for e in "$T/root-$r"/containers/*; do [ -e "$e" ] && leaks+=("state dir left: $e"); done
done
for m in $(our_mounts); do leaks+=("mount left: $m"); done
while read -r d; do
    leaks+=("cgroup dir left: $d")
    leaked_cgroups+=("$d")
done < <(cgroup_leaks)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the report ----------------------------------------------------------------------------------

commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$top" status --porcelain 2>/dev/null)" ] || commit="$commit (with uncommitted changes)"
layout="v1"
grep -q ' - cgroup2 ' /proc/self/mountinfo && layout="hybrid (v1 controllers + cgroup2)"
grep -q ' - cgroup ' /proc/self/mountinfo || layout="v2"

cat <<EOF
# mydocker-c benchmark

- **Host**: $(uname -sr), $(nproc) CPUs, cgroup layout $layout; tree at $commit; $(date -u '+%Y-%m-%d %H:%M UTC').
- **Load** (/proc/loadavg 1/5/15 min): $load_start at start, $load_end at the end. Other work on this machine slows every command alike; the ratios, from interleaved runs, are the result, not the absolute times.
- **Method**: own interleaved loop (scripts/bench-timer.c: posix_spawn + waitpid, CLOCK_MONOTONIC), **$iters rounds after $warm warm-up rounds**$(if $quick; then printf ' (--quick)'; fi). Each round runs every command of a table once, in turn, so load that comes and goes hits them all alike; each round starts one command further on (A B C, B C A, C A B, …), so what a command leaves for the kernel to finish later (freeing namespaces, cgroups) does not always fall on the same next command. hyperfine is not the primary method because it runs all of one command's runs before the next command's: a burst of load then lands on one side of a ratio. $(if [ -n "$hf" ]; then printf '%s is installed: it cross-checks the chapter3 targets below (its runs are not interleaved).' "$hf"; else printf 'hyperfine is not installed: no cross-check.'; fi)
- **Floor** (scripts/bench-floor.c, the least a start must do): clone into new UTS, PID, mount, IPC and net namespaces, make / private, exec /bin/true. *rootfs*: before the exec, bind-mount the image's tree onto itself, pivot_root into it, detach the old root, mount /proc. *overlay*: the same into an overlay (lower: the image's tree; upper, work and merged made in a fresh temp dir, the mount made in the child's own namespace, the dirs removed after). No logging, no cgroups, no /dev, no state files.
- **Peers**: $(if [ ${#peers[@]} -gt 0 ]; then for p in "${peers[@]}"; do printf '%s%s; ' "$p" "${peer_version[$p]:+ (${peer_version[$p]})}"; done; else printf 'none; '; fi)see *Skipped* for the rest.
- Times in ms over the rounds: median, p90 (90% of runs took at most this: a cost that only some runs pay shows here first), min, max; failed/runs counts runs whose exit status was not 0 (left out of the times). Ratios are of medians.

## 1. Start to exit of /bin/true

chapter3 runs /bin/true on the host's filesystem; the other chapters run busybox's (the image). Limits: \`${limits[*]}\`.

| command | median | p90 | min | max | failed/runs | × its floor | × floor (host fs) |
|---|---|---|---|---|---|---|---|
EOF
row "$floor_host" "floor (host fs)" "$floor_host" "$floor_host"
row ch3 "chapter3 run" "$floor_host" "$floor_host"
row ch3-lim "chapter3 run ${limits[*]}" "$floor_host" "$floor_host"
row "$floor_rootfs" "floor (rootfs: pivot_root)" "$floor_rootfs" "$floor_host"
row unshare "unshare --fork --pid --mount --uts --ipc --net chroot" "$floor_rootfs" "$floor_host"
row bwrap "bwrap (5 namespaces, --proc, --dev)" "$floor_rootfs" "$floor_host"
row runc "runc run" "$floor_rootfs" "$floor_host"
row crun "crun run" "$floor_rootfs" "$floor_host"
row busybox "chapter4-busybox run" "$floor_rootfs" "$floor_host"
row busybox-lim "chapter4-busybox run ${limits[*]}" "$floor_rootfs" "$floor_host"
row "$floor_ov" "floor (overlay)" "$floor_ov" "$floor_host"
for ch in overlay volume commit; do
    row "run-$ch" "chapter4-$ch run" "$floor_ov" "$floor_host"
    row "run-$ch-lim" "chapter4-$ch run ${limits[*]}" "$floor_ov" "$floor_host"
done

if [ -n "${runs[t-ch3]:-}" ]; then
    cat <<EOF

## 1b. chapter3 alone with its floor (the figures of the chapter3 targets)

In §1 a \`-m\` run may come right after another chapter's \`-m\` run, whose move into a cgroup leaves the kernel's cgroup lock on its fast path for a moment; here no other command moves a task between cgroups, as when one \`mydocker run -m\` starts on its own.

| command | median | p90 | min | max | failed/runs | × floor (host fs) |
|---|---|---|---|---|---|---|
EOF
    row t-floor "floor (host fs)" t-floor
    row t-ch3 "chapter3 run" t-floor
    row t-ch3-lim "chapter3 run ${limits[*]}" t-floor
fi

if have chapter4-overlay; then
    cat <<EOF

## 2. chapter4-overlay: cold start (image unpacked by this run) vs warm

Cold: \`images/busybox/\` is deleted (untimed) before each run, so mydocker untars the image first.

| command | median | p90 | min | max | failed/runs | × floor (overlay) | × warm |
|---|---|---|---|---|---|---|---|
EOF
    row ov-floor "floor (overlay)" ov-floor ov-warm
    row ov-warm "chapter4-overlay run, warm" ov-floor ov-warm
    row ov-cold "chapter4-overlay run, cold" ov-floor ov-warm
fi

if have chapter4-volume; then
    cat <<EOF

## 3. chapter4-volume: start to exit with 0, 1, 8 and 32 volumes

| command | median | p90 | min | max | failed/runs | × no volumes |
|---|---|---|---|---|---|---|
EOF
    for n in 0 1 8 32; do row "vol-$n" "run with $n volumes" vol-0; done
    if [ "${med[vol-32]:--}" != - ] && [ "${med[vol-0]:--}" != - ]; then
        awk -v a="${med[vol-32]}" -v b="${med[vol-0]}" \
            'BEGIN { printf "\nEach volume costs about %.0f µs ((32 volumes - none) / 32).\n", (a - b) / 32 }'
    fi
fi

if [ -n "${runs[par]:-}" ]; then
    cat <<EOF

## 4. $par_n containers at once ($newest)

Wall time from the first start to the last exit, $par_rounds round(s) after 1 warm-up.

| command ×$par_n in parallel | median | p90 | min | max | failed/runs | × floor (overlay) ×$par_n |
|---|---|---|---|---|---|---|
EOF
    row par-floor "floor (overlay)" par-floor
    row par "$newest run /bin/true" par-floor
    row par-lim "$newest run ${limits[*]} /bin/true" par-floor
    printf '\nFailures: %s (must be 0). Leftovers right after: %s (must be 0: containers/ empty, no mounts, no cgroup dirs).\n' \
        "$((${fails[par]:-0} + ${fails[par-lim]:-0}))" "${#par_left[@]}"
    for e in "${par_left[@]}"; do printf -- '- %s\n' "$e"; done
fi

if [ -n "${runs[commit]:-}" ]; then
    cat <<EOF

## 5. mydocker commit vs tar of the same tree

A background container (\`sleep\`) in chapter4-commit; each round commits it to a new image name, and tars its merged/ with the flags commit.c gives tar (\`tar --create --numeric-owner --sparse --file X --directory merged .\`), once alone and once the way a durable commit must (bench-floor -t: tar into a temp file, fsync it, rename it, fsync the directory). The target compares commit with the durable one. The tarballs are deleted afterwards.

| command | median | p90 | min | max | failed/runs | × tar |
|---|---|---|---|---|---|---|
EOF
    row tar "tar --create of merged/" tar
    row tar-sync "the same, fsync, rename, fsync of the dir (bench-floor -t)" tar
    row commit "mydocker commit ID NAME" tar
fi

if [ ${#rss_rows[@]} -gt 0 ]; then
    cat <<EOF

## 6. Peak RSS (/usr/bin/time -v, max of 3 runs)

time -v gives the largest RSS of a process and of the children it waited for. busybox's \`true\` alone is about as big as mydocker, so here the container runs a tiny static program (\`bench-true\`, added to a copy of the image): what remains is mydocker's own peak (or its clone's, a copy of it before exec).

| command | max RSS (KiB) |
|---|---|
EOF
    for n in "${rss_rows[@]}"; do printf '| %s | %s |\n' "$n" "${rss[$n]}"; done
fi

if [ -n "$hf" ] && [ -s "$T/hf.csv" ]; then
    cat <<EOF

## Cross-check: hyperfine (not interleaved), $iters runs after $warm warm-up

hyperfine runs each command back to back. A run that moves a task into a cgroup can then find the kernel's cgroup lock still on its fast path from the run just before, which an interleaved run (or a single \`mydocker run\`) does not: the ratio of the \`-m\` line may come out lower here than in §1.

| command | median | min | max | × floor |
|---|---|---|---|---|
EOF
    awk -F, -v l1="floor (host fs)" -v l2="chapter3 run" -v l3="chapter3 run ${limits[*]}" '
        NR == 2 { base = $4 }
        NR > 1 { label = NR == 2 ? l1 : NR == 3 ? l2 : l3
                 printf "| %s | %.2f | %.2f | %.2f | %.2f× |\n", label, $4 * 1000, $7 * 1000, $8 * 1000, $4 / base }' "$T/hf.csv"
fi

# target LABEL MEASURED_NAME BASE_NAME LIMIT
targets_missed=0
target() {
    local label=$1 a=${med[$2]:--} b=${med[$3]:--} limit=$4 r verdict
    if [ "$a" = - ] || [ "$b" = - ]; then
        printf '| %s | - | ≤ %s× | not measured |\n' "$label" "$limit"
        return
    fi
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
    verdict=$(awk -v r="$r" -v l="$limit" 'BEGIN { print (r <= l) ? "PASS" : "MISS" }')
    [ "$verdict" = PASS ] || targets_missed=$((targets_missed + 1))
    printf '| %s | %s× | ≤ %s× | %s |\n' "$label" "$r" "$limit" "$verdict"
}
cat <<EOF

## Targets (issue 7: ratios measured in this run)

| target | measured | target | result |
|---|---|---|---|
EOF
target "chapter3 run /bin/true vs floor (host fs), §1b" t-ch3 t-floor 1.2
target "chapter3 run ${limits[*]} vs floor (host fs), §1b" t-ch3-lim t-floor 1.6
target "chapter4-overlay warm start vs floor (overlay), §2" ov-warm ov-floor 1.2
target "mydocker commit vs a durable tar (bench-floor -t), §5" commit tar-sync 1.2
if [ "$rss_max" -gt 0 ]; then
    verdict=PASS
    [ "$rss_max" -le "$rss_target_kb" ] || verdict=MISS targets_missed=$((targets_missed + 1))
    awk -v k="$rss_max" -v v="$verdict" 'BEGIN { printf "| peak RSS of mydocker run (any chapter, with or without limits), §6 | %.2f MiB (%d KiB) | ≤ 1.5 MiB | %s |\n", k / 1024, k, v }'
else
    printf '| peak RSS of mydocker run | - | ≤ 1.5 MiB | not measured |\n'
fi

printf '\n## Skipped\n\n'
if [ ${#skipped[@]} -eq 0 ]; then printf 'Nothing.\n'; fi
for s in "${skipped[@]}"; do printf -- '- %s\n' "$s"; done

printf '\n## Failures and leak check\n\n'
if [ ${#failures[@]} -eq 0 ] && [ ${#leaks[@]} -eq 0 ]; then
    printf 'No mydocker run failed. Nothing leaked: no mounts under %s, no new cgroup dirs under mydocker/, every containers/ empty.\n' "$T"
fi
for s in "${failures[@]}"; do printf -- '- FAILED: %s\n' "$s"; done
for s in "${leaks[@]}"; do printf -- '- LEAKED: %s\n' "$s"; done

say "done: $targets_missed target(s) missed, ${#failures[@]} failure(s), ${#leaks[@]} leak(s)"
[ ${#failures[@]} -eq 0 ] && [ ${#leaks[@]} -eq 0 ]
