#!/usr/bin/env bash
# Build the kxen default guest's kernel: Debian's linux-source tree,
# `make tinyconfig` plus guest/linux.config-fragment, `make vmlinux`.
#
# The build lives in a cache directory outside the source tree, keyed by the
# source version and a hash of the fragment (and of this script), so it is
# built once per machine:
#   ${KXEN_CACHE:-/var/cache/kxen}/linux-<version>-<hash>/vmlinux
# It builds in place there (objtool keeps absolute paths, so the directory
# must not move). A second run with the same inputs does nothing and prints
# where the cached kernel is.
#
# usage: guest/build-kernel.sh [--print-path] [--jobs N]
#   --print-path  print the cached vmlinux path (nothing is built) and exit
#                 0 if it exists, 1 if it does not
#   --jobs N      parallel make jobs (default: nproc)
# Environment: KXEN_CACHE (cache root), KXEN_LINUX_SOURCE (a linux-source
# tarball; default: the newest /usr/src/linux-source-*.tar.xz).
set -euo pipefail

me=build-kernel
die() { echo "$me: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
fragment="$here/linux.config-fragment"
cache=${KXEN_CACHE:-/var/cache/kxen}
jobs=$(nproc)
print_path=

while [ $# -gt 0 ]; do
	case "$1" in
	--print-path) print_path=1 ;;
	--jobs)
		[ $# -ge 2 ] || die "--jobs needs a number"
		jobs=$2
		shift
		;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
	shift
done

[ -r "$fragment" ] || die "config fragment $fragment missing"

tarball=${KXEN_LINUX_SOURCE:-}
if [ -z "$tarball" ]; then
	tarball=$(printf '%s\n' /usr/src/linux-source-*.tar.xz | sort -V | tail -n 1)
	[ -e "$tarball" ] || tarball=
	[ -n "$tarball" ] || die "no /usr/src/linux-source-*.tar.xz: install Debian's linux-source package (scripts/install-deps.sh)"
fi
[ -r "$tarball" ] || die "cannot read $tarball"

# The key: the tarball's name and size (Debian's linux-source package
# version changes both) and the fragment.
srcver=$(basename "$tarball" .tar.xz)
srcver=${srcver#linux-source-}
key=$( { basename "$tarball"; stat -c %s "$tarball"; cat "$fragment"; } |
	sha256sum | cut -c1-12)
dir="$cache/linux-$srcver-$key"
vmlinux="$dir/vmlinux"
stamp="$dir/.kxen-built"

if [ -n "$print_path" ]; then
	echo "$vmlinux"
	[ -f "$stamp" ] && [ -f "$vmlinux" ]
	exit
fi

if [ -f "$stamp" ] && [ -f "$vmlinux" ]; then
	echo "$me: cached kernel: $vmlinux ($(stat -c %s "$vmlinux") bytes; built $(cat "$stamp"))"
	exit 0
fi

for tool in make gcc flex bison bc tar xz; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "'$tool' not found: run scripts/install-deps.sh"
done
[ -e /usr/include/libelf.h ] || die "libelf.h missing (libelf-dev): run scripts/install-deps.sh"
[ -e /usr/include/openssl/opensslv.h ] || die "openssl headers missing (libssl-dev): run scripts/install-deps.sh"

mkdir -p "$cache" 2>/dev/null || die "cannot create cache directory $cache (set KXEN_CACHE or run as root)"
[ -w "$cache" ] || die "cache directory $cache is not writable (set KXEN_CACHE or run as root)"

# One build per key at a time.
exec 9>"$dir.lock"
flock -n 9 || { echo "$me: another build of $dir is running; waiting" >&2; flock 9; }
if [ -f "$stamp" ] && [ -f "$vmlinux" ]; then
	echo "$me: cached kernel: $vmlinux"
	exit 0
fi

start=$(date +%s)

# Unpack once; a failed build keeps the tree and configures/builds again.
if [ ! -f "$dir/Makefile" ]; then
	echo "$me: unpacking $tarball into $dir"
	tmp="$dir.unpack.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -C "$tmp" -xf "$tarball"
	top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -print -quit)
	[ -n "$top" ] && [ -f "$top/Makefile" ] || die "$tarball holds no kernel tree"
	rm -rf "$dir"
	mv "$top" "$dir"
	rm -rf "$tmp"
fi

cd "$dir"
log="$dir/kxen-build.log"
: >"$log"
echo "$me: configuring (tinyconfig + $(basename "$fragment")); log in $log"
run() {
	if ! "$@" >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "'$*' failed in $dir (full log: $log)"
	fi
}
run make tinyconfig
run scripts/kconfig/merge_config.sh -m .config "$fragment"
run make olddefconfig

# Every line of the fragment must have survived olddefconfig: an option
# that a dependency dropped or a select forced is a fragment bug.
bad=()
while IFS= read -r line; do
	case "$line" in
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		if grep -q "^$opt=" .config; then
			bad+=("$line (got $(grep "^$opt=" .config))")
		fi
		;;
	CONFIG_*)
		if ! grep -qxF "$line" .config; then
			got=$(grep -E "^(# )?${line%%=*}[= ]" .config || echo "absent")
			bad+=("$line (got $got)")
		fi
		;;
	esac
done <"$fragment"
if [ ${#bad[@]} -gt 0 ]; then
	printf '%s: fragment option not in the final .config: %s\n' "$me" "${bad[@]}" >&2
	die "fix $fragment (${#bad[@]} options did not stick)"
fi

echo "$me: building vmlinux with -j$jobs (about 14 min on 2 cores)"
run make -j"$jobs" vmlinux
[ -f vmlinux ] || die "make succeeded but $dir/vmlinux is missing"

# The PVH entry point is what kxl and QEMU boot; without it the image is useless.
if command -v readelf >/dev/null 2>&1; then
	notes=$(readelf -n vmlinux)
	grep -q 'Xen' <<<"$notes" ||
		die "$vmlinux has no Xen ELF notes (no PVH entry): check CONFIG_PVH"
fi

secs=$(($(date +%s) - start))
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) in ${secs}s" >"$stamp"
echo "$me: built $vmlinux ($(stat -c %s vmlinux) bytes) in $((secs / 60))m$((secs % 60))s"
