#!/usr/bin/env bash
# kxen benchmarks, side by side with QEMU+KVM and a raw-KVM floor (not
# part of `make check`). One command does it all:
#
#   sudo bench/run.sh [BUILDDIR]     (BUILDDIR: default the current
#                                     directory, which must hold a
#                                     configured build tree)
#
# It installs QEMU and gnuplot if missing (bench/install-deps.sh), builds
# what it runs (kxend, kxl, kxen-dm, bench/kvm-floor, the bench guest,
# the default Linux guest), then measures:
#
#   1. exit cost per path: bench/guests/exitbench.elf does N accesses
#      per path (in-core PIT and LAPIC, kxen-dm UART and MMIO page, an
#      unclaimed port) under kxen, QEMU (microvm and pc, in-kernel and
#      userspace irqchip) and kvm-floor; ns per access, median of RUNS
#   2. interrupts: UART THRE round trip (guest port write -> device
#      model -> IRQ 4 -> guest handler) and a 1 kHz LAPIC timer's tick
#      intervals as the guest sees them
#   3. boot: create -> power-off of the same guest, and the default
#      Linux guest to its first console line and to user space; QEMU's
#      Linux boot of the same kernel as far as it gets
#   4. footprint: RSS of kxend, its per-domain processes and kxen-dm
#      for 1 and FOOTPRINT_GUESTS idle Linux guests; QEMU's per VM
#   5. the earlier figures: forwarded I/O spin vs block, user syscall
#
# Output: a table on stdout and bench/out/YYYYmmdd-HHMMSS/ in the build
# tree with results.csv, table.txt, *.png and the logs. Environment:
# RUNS (5), LINUX_RUNS (3), FOOTPRINT_GUESTS (20), FOOTPRINT_MEM (64),
# FOOTPRINT_TIMEOUT (900 s), QEMU_LINUX_TIMEOUT (150 s), SKIP (space-separated sections to skip:
# exits irq boot linux footprint legacy).
set -euo pipefail

S=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-.}" && pwd)
RUNS=${RUNS:-5}
LINUX_RUNS=${LINUX_RUNS:-3}
FOOTPRINT_GUESTS=${FOOTPRINT_GUESTS:-20}
FOOTPRINT_MEM=${FOOTPRINT_MEM:-64}
QEMU_LINUX_TIMEOUT=${QEMU_LINUX_TIMEOUT:-150}
FOOTPRINT_TIMEOUT=${FOOTPRINT_TIMEOUT:-900}
SKIP=" ${SKIP:-} "
EXITS_N=2000

if [ ! -f "$B/Makefile" ]; then
	echo "bench: $B is not a configured build tree: run from one or pass it (bench/run.sh BUILDDIR)" >&2
	exit 1
fi
if [ ! -w /dev/kvm ]; then
	echo "bench: cannot open /dev/kvm for writing: run as root (sudo bench/run.sh)" >&2
	exit 1
fi
bash "$S/bench/install-deps.sh"
echo "bench: building (make in $B)"
make -C "$B" -j2 -s hypervisor/kxend tools/kxl dm/kxen-dm bench/kvm-floor \
	bench/guests/exitbench.elf tests/guests/serial.bin \
	tests/guests/syscall.bin >/dev/null
case "$SKIP" in *" linux "*) ;; *) make -C "$B" -s guest/initramfs.cpio >/dev/null ;; esac

out="$B/bench/out/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
tmp=$(mktemp -d /tmp/kxen-bench.XXXXXX)
. "$S/bench/lib.sh"
. "$S/bench/boot.sh"
trap 'kxend_stop; cp -r "$tmp/log" "$out/logs" 2>/dev/null; cp "$tmp"/*.err "$tmp"/*.out "$out/" 2>/dev/null; rm -rf "$tmp"' EXIT
echo "section,metric,monitor,value,unit" >"$out/results.csv"
started=$(now)
TSC_KHZ=$("$FLOOR" --tsc-khz)

say() { echo "$*" | tee -a "$out/table.txt"; }
skipped() { case "$SKIP" in *" $1 "*) return 0 ;; esac; return 1; }

# ---- 1. exit cost per path ----

PATHS="pit-read pit-write lapic-read lapic-write uart-read uart-write dm-mmio-read dm-mmio-write unclaimed-read unclaimed-write"

path_label() {
	case "$1" in
	lapic-per-ms) echo "LAPIC counts/ms, by expiry" ;;
	lapic-ccr-per-ms) echo "LAPIC counts/ms, by current count" ;;
	pit-*) echo "PIT port ${1#pit-} (kxen: core)" ;;
	lapic-*) echo "LAPIC MMIO ${1#lapic-} (kxen: core)" ;;
	uart-*) echo "UART scratch ${1#uart-} (kxen: DM)" ;;
	dm-mmio-*) echo "MMIO page ${1#dm-mmio-} (kxen: DM)" ;;
	unclaimed-*) echo "unclaimed port ${1#unclaimed-}" ;;
	loop) echo "loop overhead (subtracted)" ;;
	empty-create-to-exit) echo "start -> exit (kxen: S5 via kxen-dm)" ;;
	empty-create-to-debugexit) echo "kxen: isa-debug-exit in the core" ;;
	empty-kxl-create-w) echo "kxen: kxl create -w returns" ;;
	esac
}

bench_exits() {
	local mon r f
	for r in $(seq "$RUNS"); do
		for mon in $MONITORS; do
			monitor_run "$mon" "exits $EXITS_N" 120 >"$tmp/exits-$mon-$r.txt"
		done
	done
	# ns per access of each (monitor, path), median over runs; then
	# minus the loop's own ns (the same guest instructions, no exit).
	for mon in $MONITORS; do
		for p in loop $PATHS; do
			for r in $(seq "$RUNS"); do
				f="$tmp/exits-$mon-$r.txt"
				awk -v p="$p" -v k="$TSC_KHZ" '$1 == "exit" && $2 == p {
					split($3, n, "="); split($4, c, "=")
					printf "%.1f\n", c[2] * 1000000 / (n[2] * k) }' "$f"
			done | stat median >"$tmp/med-$mon-$p"
		done
		for p in $PATHS; do
			local v l
			v=$(cat "$tmp/med-$mon-$p")
			l=$(cat "$tmp/med-$mon-loop")
			[ "$v" = n/a ] || [ "$l" = n/a ] || v=$(echo "$v - $l" | bc -l)
			row exits "$p" "$mon" "$(fmt "$v" 0)" ns
		done
		row exits loop "$mon" "$(fmt "$(cat "$tmp/med-$mon-loop")" 0)" ns
	done
	say ""
	say "1. Exit cost per path: ns per access, loop overhead subtracted (median of $RUNS runs of $EXITS_N)"
	table_by_monitor exits "loop $PATHS"
	plot_exits
}

# table_by_monitor SECTION "METRICS": one row per metric, a column per
# monitor, values from results.csv.
table_by_monitor() {
	local line m mon label
	line=$(printf '%-36s' "")
	for mon in $MONITORS; do line+=$(printf ' %11.11s' "${mon#qemu-}"); done
	say "$line"
	for m in $2; do
		label=$(path_label "$m")
		line=$(printf '%-36.36s' "${label:-$m}")
		for mon in $MONITORS; do
			line+=$(printf ' %11s' "$(csv_get "$1" "$m" "$mon")")
		done
		say "$line"
	done
	say "(monitors: kxen; QEMU microvm/pc with kernel-irqchip=on (kirq) or off (uirq); kvm-floor: bare KVM_RUN loop)"
}

csv_get() { # SECTION METRIC MONITOR
	awk -F, -v s="$1" -v m="$2" -v o="$3" '$1 == s && $2 == m && $3 == o {v = $4}
		END {print (v == "" ? "-" : v)}' "$out/results.csv"
}

plot_exits() {
	local dat="$out/exits.dat"
	{
		printf 'path'
		for mon in $MONITORS; do printf ' %s' "$mon"; done
		echo
		for p in $PATHS; do
			printf '%s' "$p"
			for mon in $MONITORS; do
				v=$(csv_get exits "$p" "$mon")
				case "$v" in - | n/a) v=0 ;; esac
				printf ' %s' "$v"
			done
			echo
		done
	} >"$dat"
	gnuplot <<-EOF 2>>"$tmp/gnuplot.err" || echo "bench: gnuplot failed (see gnuplot.err)"
		set terminal pngcairo size 1200,600 noenhanced
		set output "$out/exits.png"
		set title "Exit cost per path (ns per access, loop subtracted; $(hostname), $(nproc) CPUs)"
		set style data histograms
		set style histogram clustered gap 1
		set style fill solid border -1
		set logscale y
		set ylabel "ns per access (log)"
		set xtics rotate by -30
		set key top left
		plot for [i=2:$(( $(echo "$MONITORS" | wc -w) + 1 ))] "$dat" using i:xtic(1) title columnheader(i)
	EOF
}

# ---- 2. interrupts ----

IRQ_N=200
TICKS=1000

# stats_row SECTION MONITOR FILE: min/median/p99/max (us) of the cycle
# counts on the lines of FILE.
stats_row() {
	local s v
	for s in min median p99 max; do
		v=$(sed 's/.*cycles=//' "$3" | stat "$s")
		[ "$v" = n/a ] || v=$(fmt "$(us_of "$v")" 1)
		row "$1" "$s" "$2" "$v" us
	done
	row "$1" samples "$2" "$(wc -l <"$3")" count
}

bench_irq() {
	local mon
	for mon in $MONITORS; do
		[ "$mon" = kvm-floor ] && continue # no devices, no interrupts
		monitor_run "$mon" "irq $IRQ_N" 60 | grep '^irq ' >"$tmp/irq-$mon.txt" || true
		stats_row irq "$mon" "$tmp/irq-$mon.txt"
		monitor_run "$mon" "timer $TICKS $TSC_KHZ" 60 >"$tmp/timer-$mon.all" || true
		grep '^tick ' "$tmp/timer-$mon.all" >"$tmp/timer-$mon.txt" || true
		stats_row timer "$mon" "$tmp/timer-$mon.txt"
		for k in lapic-ccr-per-ms lapic-per-ms; do
			row timer "$k" "$mon" "$(sed -n "s/^$k=//p" "$tmp/timer-$mon.all" | head -n 1)" counts
		done
	done
	say ""
	say "2a. Interrupt round trip: guest writes UART IER -> device model raises IRQ 4 -> guest handler (us, $IRQ_N samples)"
	table_by_monitor irq "min median p99 max samples"
	say ""
	say "2b. LAPIC timer at 1 kHz: tick interval seen by the guest (us, $TICKS ticks; 1000 = on time)"
	table_by_monitor timer "min median p99 max samples lapic-per-ms lapic-ccr-per-ms"
	plot_latency
}

plot_latency() {
	local dat="$out/latency.dat"
	{
		echo "monitor irq-median irq-p99 tick-median tick-p99"
		for mon in $MONITORS; do
			[ "$mon" = kvm-floor ] && continue
			printf '%s' "$mon"
			for k in "irq median" "irq p99" "timer median" "timer p99"; do
				v=$(csv_get $k "$mon")
				case "$v" in - | n/a | '') v=0 ;; esac
				printf ' %s' "$v"
			done
			echo
		done
	} >"$dat"
	gnuplot <<-EOF 2>>"$tmp/gnuplot.err" || echo "bench: gnuplot failed (see gnuplot.err)"
		set terminal pngcairo size 1000,500 noenhanced
		set xtics rotate by -20
		set output "$out/latency.png"
		set title "Interrupt round trip and 1 kHz LAPIC tick interval (us)"
		set style data histograms
		set style histogram clustered gap 1
		set style fill solid border -1
		set logscale y
		set ylabel "us (log)"
		plot for [i=2:5] "$dat" using i:xtic(1) title columnheader(i)
	EOF
}

host_line() {
	local h
	h="$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
	[ -e /sys/module/kvm_pvm ] && h="$h, /dev/kvm: PVM (guest CPL0 code emulated)"
	echo "$h; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

say "kxen bench, $(date -u +%Y-%m-%dT%H:%MZ); host: $(host_line); guest TSC $TSC_KHZ kHz"
kxend_start
skipped exits || bench_exits
skipped irq || bench_irq
skipped boot || bench_boot_empty
skipped linux || bench_boot_linux
skipped footprint || bench_footprint
skipped legacy || bench_legacy
kxend_stop
say ""
say "total bench time: $(fmt "$(elapsed "$started")" 0) s; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
row bench total_time all "$(fmt "$(elapsed "$started")" 0)" s
echo "bench: wrote $out/{results.csv,table.txt,*.png}"
