#!/usr/bin/env bash
# Fetch Debian's stock cloud kernel (linux-image-cloud-amd64) for the
# bzImage end-to-end test (tests/test_linux.c, "debian_kernel"), WITHOUT
# installing it: installing would run the kernel's postinst hooks and
# touch the host's /boot. `apt-get download` fetches the .deb of the
# version the metapackage depends on, `dpkg-deb -x` unpacks it into
#   ${KXEN_CACHE:-/var/cache/kxen}/debian-cloud-kernel/
# and a symlink there, `vmlinuz`, names the bzImage. Idempotent: a second
# run with the kernel in place touches nothing and needs no network.
# Prints the vmlinuz path last. Needs root for the default cache.
set -euo pipefail

me=fetch-debian-kernel
cache=${KXEN_CACHE:-/var/cache/kxen}/debian-cloud-kernel
meta=linux-image-cloud-amd64

if [ -e "$cache/vmlinuz" ]; then
	echo "$me: already fetched: $(readlink "$cache/vmlinuz")"
	echo "$cache/vmlinuz"
	exit 0
fi

# The metapackage depends on exactly one linux-image-<abi>-cloud-amd64.
resolve() {
	apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -1
}
pkg=$(resolve)
# A fresh image has no package lists yet: fetch them once (root only).
if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
	apt-get update -q >/dev/null 2>&1 || true
	pkg=$(resolve)
fi
if [ -z "$pkg" ]; then
	echo "$me: apt-cache knows no $meta: run apt-get update (Debian 12 main must be in the apt sources)" >&2
	exit 1
fi

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# _apt cannot write to a root-only directory: as root, download as root.
sandbox=()
[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
if ! (cd "$tmp" && apt-get download -q "${sandbox[@]}" "$pkg" >/dev/null); then
	echo "$me: 'apt-get download $pkg' failed: check the network and apt sources (apt-get update)" >&2
	exit 1
fi
deb=$(ls "$tmp"/*.deb)
dpkg-deb -x "$deb" "$tmp/root"
image=$(ls "$tmp"/root/boot/vmlinuz-* 2>/dev/null | head -1)
if [ -z "$image" ]; then
	echo "$me: $deb holds no boot/vmlinuz-*" >&2
	exit 1
fi
name=$(basename "$image")
# Keep the bzImage and its config (the test reads nothing else).
cp "$image" "$cache/$name"
cp "$tmp"/root/boot/config-* "$cache/" 2>/dev/null || true
ln -sfn "$name" "$cache/vmlinuz"
echo "$me: $pkg -> $cache/$name ($(stat -c %s "$cache/$name") bytes)"
echo "$cache/vmlinuz"
