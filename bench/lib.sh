# bench/lib.sh - helpers of bench/run.sh (sourced, not run): a private
# kxend, running the bench guest under kxen, QEMU and kvm-floor, and
# statistics. Expects from run.sh: $B (build tree), $S (source tree),
# $tmp (scratch directory), $out (this run's output directory).

me=bench
KXEND="$B/hypervisor/kxend"
KXL="$B/tools/kxl"
GUEST="$B/bench/guests/exitbench.elf"
FLOOR="$B/bench/kvm-floor"
export KXEN_RUNDIR="$tmp/run" KXEN_LOGDIR="$tmp/log"
kxend_pid=

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; } # since $1 = an earlier $(now)

# One CSV row: section,metric,monitor,value,unit.
row() { echo "$1,$2,$3,$4,$5" >>"$out/results.csv"; }

# Statistics of numbers on stdin, one a line: `stat median|min|max|p99`.
stat() {
	sort -g | awk -v what="$1" '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "n/a"; exit }
			if (what == "min") print v[1]
			else if (what == "max") print v[NR]
			else if (what == "p99") {
				i = int((NR * 99 + 99) / 100)
				if (i > NR) i = NR
				print v[i]
			}
			else print v[int((NR + 1) / 2)]
		}'
}

# Format a number with d decimals, passing "n/a" through.
fmt() { case "$1" in n/a | '') echo n/a ;; *) printf "%.${2:-1}f" "$1" ;; esac; }

# ---- kxend ----

kxend_start() { # [VAR=value ...] for kxend's environment
	kxend_stop
	# The log directory stays: kxend appends, searches use LOG_MARK.
	rm -rf "$tmp/run"
	mkdir -p "$tmp/run" "$tmp/log"
	env "$@" "$KXEND" -F --rundir "$tmp/run" --logdir "$tmp/log" \
		>>"$tmp/kxend.out" 2>&1 &
	kxend_pid=$!
	for _ in $(seq 100); do
		[ -S "$tmp/run/kxend.sock" ] && return 0
		sleep 0.1
	done
	echo "$me: kxend did not start: see $tmp/kxend.out" >&2
	exit 1
}

kxend_stop() {
	[ -n "$kxend_pid" ] || return 0
	for d in $("$KXL" list 2>/dev/null | awk 'NR > 1 {print $2}'); do
		"$KXL" destroy "$d" >/dev/null 2>&1 || true
	done
	kill -TERM "$kxend_pid" 2>/dev/null || true
	wait "$kxend_pid" 2>/dev/null || true
	kxend_pid=
}

# kxl_create NAME JSON-FIELDS: write the config, create the domain and
# print its id.
kxl_create() {
	printf '{"name":"%s",%s}\n' "$1" "$2" >"$tmp/$1.json"
	"$KXL" create "$tmp/$1.json" 2>>"$tmp/kxl.err" |
		sed -n 's/.*created with id \([0-9]*\).*/\1/p'
}

# The domain's state column in `kxl list` ("gone" once destroyed).
kxl_state() {
	"$KXL" list 2>/dev/null | awk -v n="$1" '$1 == n {print $5; f = 1}
		END {if (!f) print "gone"}'
}

# Domain ids are reused after a destroy, so searches look only at the
# kxend.log lines after LOG_MARK, which log_mark sets before a create.
LOG_MARK=0
log_mark() { LOG_MARK=$(wc -l <"$tmp/log/kxend.log"); }
log_since() { tail -n +$((LOG_MARK + 1)) "$tmp/log/kxend.log"; }

# Guest lines "bench: ..." of domain ID from kxend's log, prefix cut.
kxen_lines() {
	log_since | grep -a -- "\] d$1: guest: bench: " |
		sed 's/.*\] d[0-9]*: guest: bench: //'
}

# Seconds since the epoch of the last line since LOG_MARK matching $1.
log_stamp() {
	log_since | grep -a -- "$1" | tail -n 1 | cut -d' ' -f1 |
		sed 's/Z$//' | xargs -r -I{} date -u -d {} +%s.%N
}

# kxen_run NAME CMDLINE DEVICES TIMEOUT: run the bench guest, print its
# report lines; stops at "done", a FAIL or the timeout.
kxen_run() {
	local id t0
	log_mark
	id=$(kxl_create "$1" "\"memory\":16,\"kernel\":\"$GUEST\",\"cmdline\":\"$2\",\"devices\":\"$3\"")
	[ -n "$id" ] || { echo "$me: kxl create $1 failed: see $tmp/kxl.err" >&2; return 1; }
	t0=$(now)
	while ! log_since | grep -aq -- "\] d$id: guest: bench: \(done\|FAIL\)"; do
		[ "$(echo "$(elapsed "$t0") > $4" | bc)" = 1 ] && break
		sleep 0.1
	done
	"$KXL" destroy "$1" >/dev/null 2>&1 || true
	kxen_lines "$id"
}

# ---- QEMU ----

# CPU model for QEMU on every host: PVM rejects IA32_ARCH_CAPABILITIES
# and the KVM paravirtual MSRs QEMU would program (it aborts on them).
QEMU_CPU="host,-arch-capabilities,-kvm-pv-unhalt,-kvm-poll-control,-kvm-pv-ipi,-kvm-asyncpf-int"

# qemu_run MACHINE IRQCHIP CMDLINE TIMEOUT [MEM]: the bench guest under
# qemu-system-x86_64 -enable-kvm; port 0xE9 is QEMU's isa-debugcon,
# 0xF4 its isa-debug-exit. Prints the report lines.
qemu_run() {
	local f="$tmp/qemu-debugcon.out"
	rm -f "$f"
	timeout "$4" qemu-system-x86_64 \
		-M "$1,accel=kvm,kernel-irqchip=$2" -cpu "$QEMU_CPU" \
		-m "${5:-16}" -nodefaults -no-user-config -display none \
		-serial null -kernel "$GUEST" -append "$3" \
		-chardev file,id=dbg,path="$f" \
		-device isa-debugcon,iobase=0xe9,chardev=dbg \
		-device isa-debug-exit,iobase=0xf4,iosize=4 \
		>>"$tmp/qemu.err" 2>&1 || true
	sed -n 's/^bench: //p' "$f" 2>/dev/null
}

floor_run() { # CMDLINE TIMEOUT
	timeout "$2" "$FLOOR" "$GUEST" "$1" 2>>"$tmp/floor.err" |
		sed -n 's/^bench: //p'
}

# monitor_run MONITOR CMDLINE TIMEOUT: one run of the bench guest under
# one of the compared monitors.
monitor_run() {
	case "$1" in
	kxen) kxen_run "b$RANDOM" "$2" "default,benchmmio" "$3" ;;
	qemu-microvm-kirq | qemu-microvm-uirq | qemu-pc-kirq | qemu-pc-uirq)
		local m=${1#qemu-} k=on
		[ "${m#*-}" = uirq ] && k=off
		qemu_run "${m%-*}" "$k" "$2" "$3" ;;
	kvm-floor) floor_run "$2" "$3" ;;
	esac
}

MONITORS="kxen qemu-microvm-kirq qemu-microvm-uirq qemu-pc-kirq qemu-pc-uirq kvm-floor"

# TSC cycles -> microseconds, with the guest TSC rate in kHz ($TSC_KHZ).
us_of() { echo "scale=3; $1 * 1000 / $TSC_KHZ" | bc -l; }

# RSS of a process in KiB (0 when gone).
rss_kib() { awk '/^VmRSS:/ {print $2; f = 1} END {if (!f) print 0}' "/proc/$1/status" 2>/dev/null || echo 0; }
