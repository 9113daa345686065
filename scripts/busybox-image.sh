#!/usr/bin/env bash
# busybox-image.sh - build a tiny busybox root filesystem tarball for mydocker.
#
# The tarball is the "image" our runtime unpacks into a container's root
# directory. We try four ways to get a busybox, from the most to the least
# convenient, and stop at the first one that works:
#
#   1. docker export   - if a Docker engine answers, export a busybox container.
#   2. $BUSYBOX        - a busybox binary you point us at.
#   3. host busybox    - /bin/busybox or busybox on PATH, if statically linked.
#   4. apt-get download busybox-static - fetch the Debian package and unpack
#      it in a temp dir (nothing is installed system-wide).
#
# For ways 2-4 we build the tree ourselves: bin/busybox plus one symlink per
# applet, a minimal /etc, and the empty directories a container expects.
# No root privileges are needed, only write access to the output directory.

set -euo pipefail

prog=busybox-image
umask 022

usage() {
	cat <<EOF
Usage: ${0##*/} [-f] [OUT.tar]

Write a busybox root filesystem tarball to OUT.tar
(default: \${MYDOCKER_ROOT:-/var/lib/mydocker}/images/busybox.tar).

  -f          rebuild even if OUT.tar already exists
  -h, --help  show this help

busybox is taken from, in order: a running Docker engine (docker export),
\$BUSYBOX, a statically linked busybox on this host, or the Debian
busybox-static package fetched with 'apt-get download' (not installed).
EOF
}

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------- arguments

force=0
out=
while (($#)); do
	case $1 in
	-f) force=1 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) say "unknown option: $1"; usage >&2; exit 2 ;;
	*)
		[[ -z $out ]] || { say "only one OUT.tar may be given"; usage >&2; exit 2; }
		out=$1
		;;
	esac
	shift
done
if (($#)); then
	[[ -z $out && $# -eq 1 ]] || { say "only one OUT.tar may be given"; usage >&2; exit 2; }
	out=$1
fi
out=${out:-${MYDOCKER_ROOT:-/var/lib/mydocker}/images/busybox.tar}

# ---------------------------------------------------------------- idempotency

[[ ! -d $out ]] || die "$out is a directory, not a tarball path"
if [[ -e $out && $force -eq 0 ]]; then
	say "$out already exists (use -f to rebuild)"
	exit 0
fi

command -v tar >/dev/null 2>&1 || die "tar is required but was not found on PATH"

# ---------------------------------------------------------------- cleanup

# Everything temporary is recorded here and removed on every exit path.
work=      # scratch dir (mktemp -d): rootfs tree, downloaded .deb
tmpout=    # OUT.tar.tmp.PID, renamed onto OUT only when complete
container= # docker container id, if we created one
made_dir=  # topmost directory we created for OUT, removed again on failure

cleanup() {
	local rc=$? d
	if [[ -n $container ]]; then
		docker rm -f "$container" >/dev/null 2>&1 || true
	fi
	[[ -z $tmpout ]] || rm -f -- "$tmpout"
	[[ -z $work ]] || rm -rf -- "$work"
	# On failure, undo our mkdir -p (only directories that are still empty).
	if ((rc != 0)) && [[ -n $made_dir ]]; then
		d=$outdir
		while rmdir -- "$d" 2>/dev/null && [[ $d != "$made_dir" ]]; do
			d=${d%/*}
		done
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- output dir

# Directory part of $out, without needing dirname(1).
case $out in
*/*) outdir=${out%/*}; outdir=${outdir:-/} ;;
*) outdir=. ;;
esac
while [[ $outdir == */ && $outdir != / ]]; do outdir=${outdir%/}; done
# Remember the topmost missing directory, so a failed run can remove it.
d=$outdir
while [[ ! -e $d ]]; do
	made_dir=$d
	[[ $d == */* ]] || break
	d=${d%/*}
	d=${d:-/}
done
# umask 077: what we create is root's alone. The default OUT makes the
# state root and images/, where setuid-root files of images will live.
(umask 077 && mkdir -p -- "$outdir") 2>/dev/null || die "cannot create directory $outdir (run as root or choose another OUT.tar)"
[[ -w $outdir ]] || die "directory $outdir is not writable (run as root or choose another OUT.tar)"

# Same directory as $out, so the final mv is an atomic rename.
tmpout=$out.tmp.$$
work=$(mktemp -d "${TMPDIR:-/tmp}/busybox-image.XXXXXX")

# ---------------------------------------------------------------- helpers

# A binary is usable in a container only if it needs no shared libraries.
# glibc's ldd says "not a dynamic executable" (or "statically linked" for
# static-pie). Without ldd we cannot tell, so we trust the binary.
is_static() {
	local report
	command -v ldd >/dev/null 2>&1 || return 0
	report=$(LC_ALL=C ldd "$1" 2>&1) || true
	[[ $report == *"not a dynamic executable"* || $report == *"statically linked"* ]]
}

# Count the entries of a tar file (in bash, so no wc is needed).
count_entries() {
	local n=0 _line
	while IFS= read -r _line; do
		n=$((n + 1))
	done < <(tar -tf "$1")
	printf '%d\n' "$n"
}

# build_tree BUSYBOX DIR: lay out a minimal root filesystem in DIR.
build_tree() {
	local bb=$1 tree=$2 applets applet d
	mkdir -p "$tree"
	for d in bin etc proc sys dev tmp root home usr var; do
		mkdir -p "$tree/$d"
		chmod 0755 "$tree/$d"
	done
	chmod 0755 "$tree"
	chmod 1777 "$tree/tmp"
	chmod 0700 "$tree/root"

	cp -- "$bb" "$tree/bin/busybox"
	chmod 0755 "$tree/bin/busybox"

	# Ask the copied binary itself, which also proves it runs here.
	applets=$("$tree/bin/busybox" --list) || die "$bb --list failed: is it really busybox?"
	[[ -n $applets ]] || die "$bb --list printed no applets: is it really busybox?"
	while IFS= read -r applet; do
		[[ -n $applet && $applet != busybox && $applet != */* ]] || continue
		ln -s busybox "$tree/bin/$applet"
	done <<<"$applets"

	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'nobody:x:65534:65534:nobody:/home:/bin/false' >"$tree/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$tree/etc/group"
	printf '%s\n' mydocker >"$tree/etc/hostname"
}

# ---------------------------------------------------------------- way 1: docker

try_docker() {
	command -v docker >/dev/null 2>&1 || return 1
	if ! command -v timeout >/dev/null 2>&1 || ! timeout 5 docker info >/dev/null 2>&1; then
		say "docker CLI found but no Docker engine answers; skipping docker"
		return 1
	fi
	say "using docker: exporting a container of the busybox image"
	if ! container=$(docker create busybox); then
		container=
		say "docker create busybox failed; trying other ways"
		return 1
	fi
	if ! docker export -o "$tmpout" "$container"; then
		rm -f -- "$tmpout"
		say "docker export failed; trying other ways"
		return 1
	fi
	docker rm -f "$container" >/dev/null 2>&1 || true
	container=
	return 0
}

# ---------------------------------------------------------------- ways 2-4

bb=  # the static busybox binary to package
way= # short description for the final message

try_env() {
	[[ -n ${BUSYBOX:-} ]] || return 1
	# An explicit choice that does not work is an error, not a reason to
	# silently pick something else.
	[[ -f $BUSYBOX && -x $BUSYBOX ]] || die "BUSYBOX=$BUSYBOX is not an executable file"
	is_static "$BUSYBOX" ||
		say "warning: BUSYBOX=$BUSYBOX is dynamically linked; it will not run inside a container without its libraries"
	say "using BUSYBOX=$BUSYBOX"
	bb=$BUSYBOX way="BUSYBOX=$BUSYBOX"
}

try_host() {
	local cand found=()
	for cand in /bin/busybox "$(command -v busybox 2>/dev/null || true)"; do
		[[ -n $cand && -f $cand && -x $cand ]] || continue
		# /bin/busybox and /usr/bin/busybox are often the same file.
		((${#found[@]})) && [[ $cand -ef ${found[0]} ]] && continue
		found+=("$cand")
		if is_static "$cand"; then
			say "using static host busybox $cand"
			bb=$cand way="host $cand"
			return 0
		fi
		say "skipping $cand: dynamically linked, it would need its libraries inside the container"
	done
	return 1
}

try_apt() {
	local debs name line err='' dir=$work/download pkg=$work/pkg
	command -v apt-get >/dev/null 2>&1 || return 1
	command -v dpkg-deb >/dev/null 2>&1 || return 1
	mkdir -p "$dir" "$pkg"
	# apt-get download only fetches the .deb into the current directory.
	if ! (cd "$dir" && apt-get -q download busybox-static) >"$work/apt.log" 2>&1; then
		while IFS= read -r line; do
			[[ $line == E:* ]] && err=$line
		done <"$work/apt.log"
		say "apt-get download busybox-static failed${err:+: $err}"
		return 1
	fi
	shopt -s nullglob
	debs=("$dir"/busybox-static_*.deb)
	shopt -u nullglob
	((${#debs[@]})) || { say "apt-get download busybox-static produced no .deb"; return 1; }
	# apt names the file with the epoch colon URL-escaped (1%3a1.35...).
	name=${debs[0]##*/}
	name=${name//%3a/:}
	dpkg-deb -x "${debs[0]}" "$pkg" || { say "dpkg-deb -x $name failed"; return 1; }
	for line in "$pkg/bin/busybox" "$pkg/usr/bin/busybox"; do
		if [[ -f $line && -x $line ]]; then
			say "using busybox from $name (apt-get download, not installed)"
			bb=$line way="apt-get download busybox-static"
			return 0
		fi
	done
	say "$name contains no bin/busybox"
	return 1
}

# ---------------------------------------------------------------- main

if try_docker; then
	way="docker export"
else
	try_env || try_host || try_apt ||
		die "no way to get busybox: install busybox-static (apt-get install busybox-static), set BUSYBOX=/path/to/static/busybox, or run a Docker engine"
	build_tree "$bb" "$work/rootfs"
	# Fixed owner and mtime plus sorted names: the same busybox always gives
	# the same tarball, and entries come out as ./bin/sh etc.
	tar --sort=name --numeric-owner --owner=0 --group=0 \
		--mtime='2000-01-01 00:00:00Z' -C "$work/rootfs" -cf "$tmpout" .
fi

entries=$(count_entries "$tmpout")
mv -f -- "$tmpout" "$out"
tmpout=
say "wrote $out ($entries entries, via $way)"
