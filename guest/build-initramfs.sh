#!/usr/bin/env bash
# Build the kxen default guest's initramfs: an uncompressed cpio (newc)
# holding busybox-static, guest/init and the few nodes the kernel needs
# before /init runs (/dev/console). Written by this script itself (newc
# headers are ASCII), so it needs no root for the device node and the
# output is byte-for-byte reproducible (every mtime is 0).
#
# Kept small on purpose: the guest kernel copies it into its rootfs in
# emulated code (DESIGN.md: a 2 MB initramfs costs 7 s there). Busybox's
# shell runs applets without symlinks once /proc is mounted, so only /bin/sh
# and the applets /init itself runs link to it.
#
# Besides busybox it holds bin/getppid, the syscall benchmark of
# kxen.test=getppid (guest/getppid.c: no libc, a few KiB), compiled here.
#
# usage: guest/build-initramfs.sh [OUTPUT]   (default: ./guest/initramfs.cpio)
# Environment: KXEN_BUSYBOX (default /bin/busybox, from busybox-static),
# CC (default cc) for bin/getppid.
# Rewrites OUTPUT only when its contents change.
set -euo pipefail

me=build-initramfs
die() { echo "$me: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-guest/initramfs.cpio}
busybox=${KXEN_BUSYBOX:-/bin/busybox}
init="$here/init"

[ -r "$init" ] || die "$init missing"
[ -x "$busybox" ] || die "$busybox missing: install busybox-static (scripts/install-deps.sh)"
# A dynamically linked busybox would need its libraries in the initramfs.
if LC_ALL=C readelf -l "$busybox" 2>/dev/null | grep -q 'Requesting program interpreter'; then
	die "$busybox is dynamically linked: install busybox-static (scripts/install-deps.sh)"
fi

# The applets guest/init runs (its first `mount` runs before /proc exists).
applets="mount cat setsid cttyhack poweroff reboot sleep sync dd grep dmesg nproc date cut"
have=$("$busybox" --list) || die "$busybox --list failed"
for applet in $applets; do
	grep -qx "$applet" <<<"$have" || die "$busybox has no '$applet' applet"
done

mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$out.XXXXXX")
getppid=$(mktemp "$out.getppid.XXXXXX")
trap 'rm -f "$tmp" "$getppid"' EXIT
chmod 0644 "$tmp"

# No build id: the archive stays byte-for-byte reproducible.
"${CC:-cc}" -static -nostdlib -ffreestanding -fno-builtin -fno-pie -no-pie \
	-fno-stack-protector -O2 -Wall -Wextra -Werror -Wl,--build-id=none \
	-o "$getppid" "$here/getppid.c" || die "cannot compile $here/getppid.c (needs gcc)"

ino=1
# entry NAME MODE NLINK SIZE RDEVMAJ RDEVMIN: one newc header and the name.
entry() {
	local name=$1 mode=$2 nlink=$3 size=$4 rmaj=$5 rmin=$6
	local namesize=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$ino" "$mode" 0 0 "$nlink" 0 "$size" 0 0 "$rmaj" "$rmin" "$namesize" 0
	printf '%s\0' "$name"
	# header (110 bytes) + name, padded to a multiple of 4
	pad $(((110 + namesize) % 4))
	ino=$((ino + 1))
}
pad() {
	local rem=$1
	if [ "$rem" -ne 0 ]; then
		head -c $((4 - rem)) /dev/zero
	fi
}
dir() { entry "$1" $((0040000 | 0755)) 2 0 0 0; }
node() { entry "$1" $((0020000 | $2)) 1 0 "$3" "$4"; }
file() {
	local size
	size=$(stat -L -c %s "$2")
	entry "$1" $((0100000 | $3)) 1 "$size" 0 0
	cat "$2"
	pad $((size % 4))
}
symlink() {
	entry "$1" $((0120000 | 0777)) 1 ${#2} 0 0
	printf '%s' "$2"
	pad $((${#2} % 4))
}

{
	dir bin
	file bin/busybox "$busybox" 0755
	file bin/getppid "$getppid" 0755
	symlink bin/sh busybox
	# Busybox's shell runs other applets through /proc/self/exe: until
	# /init has mounted /proc it needs links for what it runs.
	for applet in $applets; do
		symlink "bin/$applet" busybox
	done
	dir dev
	node dev/console 0600 5 1
	node dev/null 0666 1 3
	dir proc
	dir sys
	dir tmp
	dir root
	dir etc
	file init "$init" 0755
	ino=0
	entry 'TRAILER!!!' 0 1 0 0 0
} >"$tmp"

# Pad the archive to 512 bytes as cpio does.
size=$(stat -c %s "$tmp")
if [ $((size % 512)) -ne 0 ]; then
	head -c $((512 - size % 512)) /dev/zero >>"$tmp"
fi

if [ -f "$out" ] && cmp -s "$tmp" "$out"; then
	echo "$me: $out is up to date ($(stat -c %s "$out") bytes)"
	exit 0
fi
mv "$tmp" "$out"
rm -f "$getppid"
trap - EXIT
echo "$me: wrote $out ($(stat -c %s "$out") bytes)"
