#!/usr/bin/env bash
# What bench/run.sh needs beyond the build's own dependencies
# (scripts/install-deps.sh): QEMU for the side-by-side figures, gnuplot
# for the plots, bc and procps for the arithmetic and process lookups.
# Idempotent: touches nothing (no network) when all are installed.
set -euo pipefail

PACKAGES=(qemu-system-x86 gnuplot-nox bc procps)
missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bench/install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "bench/install-deps: need root to install ${missing[*]}: run bench/run.sh with sudo" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
