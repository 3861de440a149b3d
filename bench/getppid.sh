#!/usr/bin/env bash
# bench/getppid.sh - cost of one getppid() in the default Linux guest
# (issue 8): boots it with kxen.test=getppid, where /init runs
# bin/getppid (guest/getppid.c: a raw syscall loop timed with
# CLOCK_MONOTONIC inside the guest), and prints nanoseconds per call,
# beside the same binary run natively on the host.
#
# usage: bench/getppid.sh [CALLS]   (default 10000; from the build tree,
# after `make` and scripts/build-default-guest.sh). Not part of
# `make check`. Exit 1 when anything fails, with one line saying what.
set -euo pipefail

me=getppid.sh
die() { echo "$me: $*" >&2; exit 1; }

calls=${1:-10000}
[[ "$calls" =~ ^[1-9][0-9]{0,7}$ ]] || die "CALLS must be a number from 1 to 99999999, not '$calls'"
builddir=$(pwd)
srcdir=$(cd "$(dirname "$0")/.." && pwd)
kxend="$builddir/hypervisor/kxend"
kxl="$builddir/tools/kxl"
for f in "$kxend" "$kxl" "$builddir/guest/vmlinux" "$builddir/guest/initramfs.cpio"; do
	[ -e "$f" ] || die "$f missing: run from the build tree after make and scripts/build-default-guest.sh"
done
grep -aq 'kxen.test=getppid' "$builddir/guest/initramfs.cpio" ||
	die "guest/initramfs.cpio has no getppid mode: rebuild it (make guest/initramfs.cpio)"

tmp=$(mktemp -d)
kpid=
cleanup() {
	if [ -n "$kpid" ]; then
		kill "$kpid" 2>/dev/null || true
		wait "$kpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# The host's figure: the same loop, natively.
cc -static -nostdlib -ffreestanding -fno-builtin -fno-pie -no-pie \
	-fno-stack-protector -O2 -o "$tmp/getppid" "$srcdir/guest/getppid.c" ||
	die "cannot compile guest/getppid.c for the host"
host=$("$tmp/getppid" 1000000 | sed -n 's/.*ns_per_call=\([0-9]*\).*/\1/p')

mkdir -p "$tmp/run" "$tmp/log"
"$kxend" -F --rundir "$tmp/run" --logdir "$tmp/log" >"$tmp/kxend.out" 2>&1 &
kpid=$!
for _ in $(seq 100); do
	[ -S "$tmp/run/kxend.sock" ] && break
	sleep 0.1
done
[ -S "$tmp/run/kxend.sock" ] || die "kxend did not start (see its output: $(tail -n 1 "$tmp/kxend.out"))"
export KXEN_RUNDIR="$tmp/run" KXEN_LOGDIR="$tmp/log"

sed -e "s|\"../guest/vmlinux\"|\"$builddir/guest/vmlinux\"|" \
	-e "s|\"../guest/initramfs.cpio\"|\"$builddir/guest/initramfs.cpio\"|" \
	-e "s|\"console=ttyS0 |\"console=ttyS0 kxen.test=getppid kxen.getppid=$calls |" \
	"$srcdir/examples/default.json" >"$tmp/getppid.json"
"$kxl" create "$tmp/getppid.json" >/dev/null || die "kxl create failed"
console="$tmp/log/console-default.log"
# Boot (~25 s here) plus the loop; generous for a loaded machine. The
# result line is complete once /init's next line ("poweroff") is there.
for _ in $(seq 6000); do
	grep -aq 'kxen-guest: poweroff' "$console" 2>/dev/null && break
	sleep 0.1
done
line=$(grep -a 'kxen-guest: getppid ' "$console" 2>/dev/null | tail -n 1 || true)
stats=$("$kxl" stat default 2>/dev/null | grep -E '^PVM syscalls' || true)
"$kxl" destroy default >/dev/null 2>&1 || true
[ -n "$line" ] || die "the guest printed no getppid line in 600 s (see $console)"
ns=$(sed -n 's/.*ns_per_call=\([0-9]*\).*/\1/p' <<<"$line")
[ -n "$ns" ] || die "the guest's getppid run failed: $line"

hostinfo="$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
printf '%-40s %12s\n' "getppid, $calls calls" "ns per call"
printf '%-40s %12s\n' "default Linux guest under kxen" "$ns"
printf '%-40s %12s\n' "host, native" "${host:-n/a}"
[ -n "$stats" ] && echo "kxl stat: $stats"
echo "host: $hostinfo"
