#!/usr/bin/env bash
# Install everything kxen needs to build and test on Debian 12.
# Idempotent: when every package is already installed it touches nothing
# (no apt-get update, no network), so CI and developers can run it always.
set -euo pipefail

PACKAGES=(
	build-essential autoconf automake pkg-config
	clang clang-format
	linux-libc-dev libevent-dev libyajl-dev libcunit1-dev libxen-dev
	acpica-tools gnuplot-nox binutils
	# the default guest (guest/build-kernel.sh, guest/build-initramfs.sh)
	linux-source busybox-static bc flex bison libelf-dev libssl-dev xz-utils
)

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	if [ "$status" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	SUDO=(sudo)
else
	echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are absent or a day old: an
# install from stale lists fails on a fresh image, but updating on every
# run would make the script slow and network-bound.
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*_Packages' -mtime -1 2>/dev/null | head -1)" ]; then
	"${SUDO[@]}" apt-get update
fi
if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
	# The lists may be recent but miss a package's current version.
	"${SUDO[@]}" apt-get update
	"${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
