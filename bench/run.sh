#!/usr/bin/env bash
# kxen benchmarks (not part of `make check`): run from the build tree
# after `make` (and scripts/build-default-guest.sh for the Linux boot).
# Prints a table and writes bench/results-<date>.csv in the build tree.
#
#   forwarded port write, spin then block  ioreq round trip to kxen-dm
#   forwarded port write, block only       the same, KXEN_IOREQ_SPIN_NS=0
#   syscall (user mode, PVM completion)    tests/guests/syscall.bin
#   Linux to user space                    the default guest, wall clock
#
# Figures come from kxend's log timestamps around the guest's own
# start/end lines, medians of RUNS runs. Issue 6 adds the QEMU peers.
set -euo pipefail

me=bench
builddir=$(pwd)
kxend="$builddir/hypervisor/kxend"
kxl="$builddir/tools/kxl"
guests="$builddir/tests/guests"
RUNS=${RUNS:-3}
for f in "$kxend" "$kxl" "$guests/serial.bin" "$guests/syscall.bin"; do
	[ -e "$f" ] || { echo "$me: $f missing: run make first (in the build tree)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/kxen-bench.XXXXXX)
export KXEN_RUNDIR="$tmp/run" KXEN_LOGDIR="$tmp/log"
pid=
stop_kxend() {
	[ -n "$pid" ] || return 0
	for d in $("$kxl" list 2>/dev/null | awk 'NR>1 {print $1}'); do
		"$kxl" destroy "$d" >/dev/null 2>&1 || true
	done
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
}
trap 'stop_kxend; rm -rf "$tmp"' EXIT

start_kxend() {
	rm -rf "$tmp/run" "$tmp/log"
	mkdir -p "$tmp/run" "$tmp/log"
	env "$@" "$kxend" -F --rundir "$tmp/run" --logdir "$tmp/log" \
		>"$tmp/kxend.out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		[ -S "$tmp/run/kxend.sock" ] && return 0
		sleep 0.1
	done
	echo "$me: kxend did not start" >&2
	exit 1
}

# Seconds (with ms) of the last kxend.log line matching (domain ids are
# reused, so earlier runs' lines may match too).
stamp() {
	grep -- "$1" "$tmp/log/kxend.log" | tail -n 1 | cut -d' ' -f1 |
		sed 's/Z$//' | xargs -I{} date -u -d {} +%s.%N
}

# run_guest NAME IMAGE CMDLINE DEVICES START END -> seconds between the
# domain's log lines "dID: START" and "dID: END" (domain ids keep runs
# apart in the one log).
run_guest() {
	local devices= id a b
	[ -n "$4" ] && devices=",\"devices\":\"$4\""
	printf '{"name":"%s","memory":16,"kernel":"%s","cmdline":"%s"%s}\n' \
		"$1" "$2" "$3" "$devices" >"$tmp/$1.json"
	id=$("$kxl" create "$tmp/$1.json" | sed -n 's/.*created with id \([0-9]*\).*/\1/p')
	local before
	before=$(grep -c -- "d$id: $6" "$tmp/log/kxend.log" || true)
	for _ in $(seq 1200); do
		[ "$(grep -c -- "d$id: $6" "$tmp/log/kxend.log" || true)" -gt "$before" ] && break
		sleep 0.1
	done
	a=$(stamp "d$id: $5")
	b=$(stamp "d$id: $6")
	"$kxl" destroy "$1" >/dev/null
	echo "$b - $a" | bc -l
}

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

per_op_us() { # seconds count -> microseconds per op
	echo "scale=2; $1 * 1000000 / $2" | bc -l
}

seq_bench() { # env for kxend...
	local t=()
	start_kxend "$@"
	for i in $(seq "$RUNS"); do
		t+=("$(run_guest "seq$i" "$guests/serial.bin" seq com1,seqcheck \
			"domain 'seq$i' created" "guest: seq: writes=")")
	done
	stop_kxend
	printf '%s\n' "${t[@]}" | median
}

syscall_bench() {
	local t=()
	start_kxend
	for i in $(seq "$RUNS"); do
		t+=("$(run_guest "sys$i" "$guests/syscall.bin" "" "" \
			"guest: syscall: start" "guest: syscall: ok")")
	done
	stop_kxend
	printf '%s\n' "${t[@]}" | median
}

spin=$(seq_bench)
block=$(seq_bench KXEN_IOREQ_SPIN_NS=0)
sys=$(syscall_bench)

linux=n/a
if [ -e "$builddir/guest/vmlinux" ] && [ -e "$builddir/guest/initramfs.cpio" ]; then
	start_kxend
	sed -e "s|\"../guest/vmlinux\"|\"$builddir/guest/vmlinux\"|" \
		-e "s|\"../guest/initramfs.cpio\"|\"$builddir/guest/initramfs.cpio\"|" \
		-e 's|"console=ttyS0 |"console=ttyS0 kxen.test=poweroff |' \
		"$(cd "$(dirname "$0")/.." && pwd)/examples/default.json" >"$tmp/linux.json"
	t0=$(date +%s.%N)
	"$kxl" create "$tmp/linux.json" >/dev/null
	for _ in $(seq 1200); do
		grep -q 'userspace up' "$tmp/log/console-default.log" 2>/dev/null && break
		sleep 0.1
	done
	linux=$(echo "scale=1; ($(date +%s.%N) - $t0) / 1" | bc -l)
	stop_kxend
fi

host="$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
[ -e /sys/module/kvm_pvm ] && host="$host, /dev/kvm: PVM"
printf '%-44s %12s\n' "benchmark ($RUNS runs, median)" "figure"
printf '%-44s %9s us\n' "forwarded port write, spin then block" "$(per_op_us "$spin" 100000)"
printf '%-44s %9s us\n' "forwarded port write, block only" "$(per_op_us "$block" 100000)"
printf '%-44s %9s us\n' "syscall from user mode" "$(per_op_us "$sys" 100000)"
printf '%-44s %9s s\n' "Linux: kxl create to user space" "$linux"
echo "host: $host"
csv="$builddir/bench/results-$(date -u +%Y%m%dT%H%M%SZ).csv"
mkdir -p "$builddir/bench"
{
	echo "benchmark,value,unit"
	echo "ioreq_spin,$(per_op_us "$spin" 100000),us"
	echo "ioreq_block,$(per_op_us "$block" 100000),us"
	echo "syscall,$(per_op_us "$sys" 100000),us"
	echo "linux_userspace,$linux,s"
} >"$csv"
echo "wrote $csv"
