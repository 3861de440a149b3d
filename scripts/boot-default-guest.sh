#!/usr/bin/env bash
# Boot the default guest (a small Linux, see README "Default guest") under
# a private kxend, from the build tree: with a terminal, attach its serial
# console (`kxl create -c`: a busybox shell; `poweroff` or Ctrl-] ends
# it); without one, wait for "userspace up" on its console, show it, and
# power it off. Then stop that kxend. Needs `make` and
# scripts/build-default-guest.sh to have run.
set -euo pipefail

me=boot-default-guest
builddir=$(pwd)
kxend="$builddir/hypervisor/kxend"
kxl="$builddir/tools/kxl"
kernel="$builddir/guest/vmlinux"
initrd="$builddir/guest/initramfs.cpio"

for f in "$kxend" "$kxl" "$kernel" "$initrd"; do
	if [ ! -e "$f" ]; then
		echo "$me: $f missing: run ./configure && make && scripts/build-default-guest.sh first (from the build directory)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d /tmp/kxen-boot.XXXXXX)
export KXEN_RUNDIR="$tmp/run" KXEN_LOGDIR="$tmp/log"
kxend_pid=

cleanup() {
	"$kxl" destroy default >/dev/null 2>&1 || true
	if [ -n "$kxend_pid" ] && kill -0 "$kxend_pid" 2>/dev/null; then
		kill -TERM "$kxend_pid" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$kxend_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$kxend_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/run" "$tmp/log"
"$kxend" -F --rundir "$tmp/run" --logdir "$tmp/log" >"$tmp/kxend.out" 2>&1 &
kxend_pid=$!
for _ in $(seq 100); do
	[ -S "$tmp/run/kxend.sock" ] && break
	if ! kill -0 "$kxend_pid" 2>/dev/null; then
		echo "$me: kxend exited:" >&2
		cat "$tmp/kxend.out" >&2
		exit 1
	fi
	sleep 0.1
done

# The example config with paths that work from this build tree.
config="$tmp/default.json"
sed -e "s|\"../guest/vmlinux\"|\"$kernel\"|" \
	-e "s|\"../guest/initramfs.cpio\"|\"$initrd\"|" \
	"$(cd "$(dirname "$0")/.." && pwd)/examples/default.json" >"$config"

if [ -t 0 ] && [ -t 1 ]; then
	echo "+ kxl create -c examples/default.json   (Ctrl-] detaches)"
	"$kxl" create -c "$config"
	exit 0
fi

sed -i 's|"console=ttyS0 |"console=ttyS0 kxen.test=report |' "$config"
start=$(date +%s)
echo "+ kxl create examples/default.json"
"$kxl" create "$config"
console="$tmp/log/console-default.log"
for _ in $(seq 1200); do
	grep -q 'kxen-guest: poweroff' "$console" 2>/dev/null && break
	sleep 0.25
done
echo "+ console ($(($(date +%s) - start)) s after create)"
tr -d '\r' <"$console" | grep 'kxen-guest:' || true
echo "+ kxl list"
"$kxl" list
if ! grep -q 'kxen-guest: userspace up' "$console" 2>/dev/null; then
	echo "$me: the default guest did not reach user space; see $console" >&2
	cp "$console" /tmp/kxen-default-console.log 2>/dev/null || true
	exit 1
fi
echo "$me: OK"
