#!/usr/bin/env bash
# Boot the hello test guest under a private kxend and show what it did:
# the smallest end-to-end check that a fresh build works on this host.
# Run from the build tree (the directory where `make` ran); needs root
# or access to /dev/kvm. Leaves nothing running.
set -euo pipefail

builddir=$(pwd)
srcdir=$(cd "$(dirname "$0")/.." && pwd)
kxend="$builddir/hypervisor/kxend"
kxl="$builddir/tools/kxl"
guest="$builddir/tests/guests/hello.bin"

for f in "$kxend" "$kxl" "$guest"; do
	if [ ! -e "$f" ]; then
		echo "boot-default-guest: $f missing: run ./configure && make first (from the build directory)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d /tmp/kxen-boot.XXXXXX)
export KXEN_RUNDIR="$tmp/run"
kxend_pid=
domain_created=

cleanup() {
	if [ -n "$domain_created" ]; then
		"$kxl" destroy hello >/dev/null 2>&1 || true
	fi
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

# The example config names the guest relative to examples/ in the source
# tree; in a separate build tree the guest lives elsewhere, so write an
# equivalent config next to it instead.
config="$srcdir/examples/hello.json"
if [ "$builddir" != "$srcdir" ]; then
	config="$tmp/hello.json"
	printf '{"name":"hello","memory":32,"vcpus":1,"kernel":"%s","cmdline":"hello from kxl"}\n' \
		"$guest" >"$config"
fi

mkdir -p "$tmp/run" "$tmp/log"
"$kxend" -F --rundir "$tmp/run" --logdir "$tmp/log" >"$tmp/kxend.out" 2>&1 &
kxend_pid=$!

for _ in $(seq 100); do
	[ -S "$tmp/run/kxend.sock" ] && break
	if ! kill -0 "$kxend_pid" 2>/dev/null; then
		echo "boot-default-guest: kxend exited:" >&2
		cat "$tmp/kxend.out" >&2
		exit 1
	fi
	sleep 0.1
done
if [ ! -S "$tmp/run/kxend.sock" ]; then
	echo "boot-default-guest: kxend did not create its socket in 10 s" >&2
	cat "$tmp/kxend.out" >&2
	exit 1
fi

echo "+ kxl create $config"
"$kxl" create "$config"
domain_created=1

ok=
for _ in $(seq 300); do
	if "$kxl" dmesg 2>/dev/null | grep -q 'hello: done'; then
		ok=1
		break
	fi
	sleep 0.1
done

echo "+ kxl list"
"$kxl" list
echo "+ kxl dmesg"
"$kxl" dmesg

echo "+ kxl destroy hello"
"$kxl" destroy hello
domain_created=

if [ -z "$ok" ]; then
	echo "boot-default-guest: the guest did not print 'hello: done' within 30 s" >&2
	exit 1
fi
echo "boot-default-guest: OK"
