#!/usr/bin/env bash
# Build the kxen default guest (a small Linux and a busybox initramfs) and
# place both in the build tree, where examples/default.json finds them:
#   guest/vmlinux         -> symlink to the cached kernel build
#   guest/initramfs.cpio  the initramfs
# The kernel is built once per machine and config fragment (about 14 min on
# 2 cores) in ${KXEN_CACHE:-/var/cache/kxen}; later runs only check the
# cache. Run from the build tree (where `make` ran); needs root for the
# default cache directory (or set KXEN_CACHE). Idempotent.
set -euo pipefail

me=build-default-guest
builddir=$(pwd)
srcdir=$(cd "$(dirname "$0")/.." && pwd)

[ -x "$srcdir/guest/build-kernel.sh" ] || {
	echo "$me: $srcdir/guest/build-kernel.sh missing" >&2
	exit 1
}

"$srcdir/guest/build-kernel.sh"
vmlinux=$("$srcdir/guest/build-kernel.sh" --print-path) || {
	echo "$me: the kernel build left no vmlinux at $vmlinux" >&2
	exit 1
}

mkdir -p "$builddir/guest"
if [ "$(readlink "$builddir/guest/vmlinux" 2>/dev/null || true)" != "$vmlinux" ]; then
	ln -sfn "$vmlinux" "$builddir/guest/vmlinux"
fi
"$srcdir/guest/build-initramfs.sh" "$builddir/guest/initramfs.cpio"

echo "$me: guest/vmlinux -> $vmlinux ($(stat -L -c %s "$builddir/guest/vmlinux") bytes)"
echo "$me: guest/initramfs.cpio ($(stat -c %s "$builddir/guest/initramfs.cpio") bytes)"
