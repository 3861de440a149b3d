# bench/boot.sh - boot, footprint and the earlier figures of
# bench/run.sh (sourced after bench/lib.sh; uses run.sh's row, say,
# table_by_monitor and settings).

# ---- 3. boot ----

# Wait until kxend's log has a line matching $1 (at most $2 s).
wait_log() {
	local t0
	t0=$(now)
	until log_since | grep -aq -- "$1"; do
		[ "$(echo "$(elapsed "$t0") > $2" | bc)" = 1 ] && return 1
		sleep 0.02
	done
}

# kxen: kxl create -> the domain shut down by the guest's power-off
# (ACPI S5 through kxen-dm; with "debugexit", isa-debug-exit in the
# core, the guest's first write), in ms.
kxen_empty_boot() {
	local name="e$RANDOM" t0 t1 extra=
	[ "${1:-}" = debugexit ] &&
		extra=',"test_devices":["isa-debug-exit,iobase=0xf4,iosize=4"]'
	log_mark
	t0=$(now)
	kxl_create "$name" "\"memory\":16,\"kernel\":\"$GUEST\",\"cmdline\":\"exit\"$extra" >/dev/null
	if wait_log "domain '$name' shut down" 30; then
		t1=$(log_stamp "domain '$name' shut down")
		echo "($t1 - $t0) * 1000" | bc -l
	fi
	"$KXL" destroy "$name" >/dev/null 2>&1 || true
}

bench_boot_empty() {
	local mon r t0
	for mon in $MONITORS; do
		for r in $(seq "$RUNS"); do
			case "$mon" in
			kxen) kxen_empty_boot ;;
			*)
				t0=$(now)
				monitor_run "$mon" exit 30 >/dev/null
				echo "$(elapsed "$t0") * 1000" | bc -l
				;;
			esac
		done | stat median | { read -r v; row boot empty-create-to-exit "$mon" "$(fmt "$v" 0)" ms; }
	done
	for r in $(seq "$RUNS"); do kxen_empty_boot debugexit; done | stat median |
		{ read -r v; row boot empty-create-to-debugexit kxen "$(fmt "$v" 0)" ms; }
	# What a script waiting with `kxl create -w` sees (its monitor polls).
	for r in $(seq "$RUNS"); do
		printf '{"name":"w%s","memory":16,"kernel":"%s","cmdline":"exit"}\n' "$r" "$GUEST" >"$tmp/w$r.json"
		t0=$(now)
		"$KXL" create -w "$tmp/w$r.json" >/dev/null 2>&1 || true
		echo "$(elapsed "$t0") * 1000" | bc -l
	done | stat median | { read -r v; row boot empty-kxl-create-w kxen "$(fmt "$v" 0)" ms; }
	say ""
	say "3a. Empty guest: start -> power-off, ms (kxen: kxl create -> domain shut down; QEMU/floor: process start -> exit; median of $RUNS)"
	table_by_monitor boot "empty-create-to-exit empty-create-to-debugexit empty-kxl-create-w"
}

# The default guest's config with its paths made absolute, its name
# and a command line of our own.
linux_config() { # NAME CMDLINE MEMORY
	sed -e "s|\"name\":\"default\"|\"name\":\"$1\"|" \
		-e "s|\"memory\":[0-9]*|\"memory\":$3|" \
		-e "s|\"../guest/vmlinux\"|\"$B/guest/vmlinux\"|" \
		-e "s|\"../guest/initramfs.cpio\"|\"$B/guest/initramfs.cpio\"|" \
		-e "s|\"cmdline\":\"[^\"]*\"|\"cmdline\":\"$2\"|" \
		"$S/examples/default.json" >"$tmp/$1.json"
}

default_cmdline() { sed -n 's/.*"cmdline":"\([^"]*\)".*/\1/p' "$S/examples/default.json"; }

# wait_console NAME T0 PATTERN TIMEOUT: seconds from T0 (a `now`) until
# console-NAME.log has a line matching PATTERN, polled every 0.1 s, n/a
# once TIMEOUT s have passed since T0.
wait_console() {
	local f="$tmp/log/console-$1.log"
	until grep -aq -- "$3" "$f" 2>/dev/null; do
		if [ "$(echo "$(elapsed "$2") > $4" | bc)" = 1 ]; then
			echo n/a
			return
		fi
		sleep 0.1
	done
	elapsed "$2"
}

# One boot of the default guest: "FIRST USERSPACE" seconds.
kxen_linux_boot() { # NAME CMDLINE
	local t0 first up
	linux_config "$1" "$2" 128
	log_mark
	t0=$(now)
	"$KXL" create "$tmp/$1.json" >/dev/null 2>>"$tmp/kxl.err"
	first=$(wait_console "$1" "$t0" . 180)
	up=$(wait_console "$1" "$t0" "userspace up" 180)
	wait_log "domain '$1' shut down" 60 || true
	"$KXL" destroy "$1" >/dev/null 2>&1 || true
	echo "$first $up"
}

bench_boot_linux() {
	local quiet verbose r
	quiet="$(default_cmdline) kxen.test=poweroff"
	verbose="$(echo "$quiet" | sed 's/\bquiet\b *//')"
	for r in $(seq "$LINUX_RUNS"); do
		kxen_linux_boot "lq$r" "$quiet" >>"$tmp/linux-quiet.txt"
		kxen_linux_boot "lv$r" "$verbose" >>"$tmp/linux-verbose.txt"
	done
	row linux userspace-quiet kxen "$(fmt "$(cut -d' ' -f2 "$tmp/linux-quiet.txt" | stat median)" 1)" s
	row linux first-console-line kxen "$(fmt "$(cut -d' ' -f1 "$tmp/linux-verbose.txt" | stat median)" 1)" s
	row linux userspace-verbose kxen "$(fmt "$(cut -d' ' -f2 "$tmp/linux-verbose.txt" | stat median)" 1)" s
	qemu_linux_boot "$verbose tsc_early_khz=$TSC_KHZ"
	say ""
	say "3b. Default Linux guest (1 vCPU, 128 MiB), seconds from kxl create / QEMU start (median of $LINUX_RUNS)"
	say "$(printf '%-44s %10s %10s' '' kxen qemu-microvm)"
	say "$(printf '%-44s %10s %10s' 'first console line (no "quiet")' "$(csv_get linux first-console-line kxen)" "$(csv_get linux first-console-line qemu-microvm-kirq)")"
	say "$(printf '%-44s %10s %10s' 'user space, no "quiet"' "$(csv_get linux userspace-verbose kxen)" "$(csv_get linux userspace-verbose qemu-microvm-kirq)")"
	say "$(printf '%-44s %10s %10s' 'user space, default command line' "$(csv_get linux userspace-quiet kxen)" -)"
	say "QEMU (microvm, kernel-irqchip=on, -cpu ...,-cx16, same command line + tsc_early_khz) ended: $(cat "$tmp/qemu-linux-why.txt"); last console line, after $(csv_get linux last-line-time qemu-microvm-kirq) s:"
	say "    $(cat "$tmp/qemu-linux-last.txt")"
}

# QEMU's boot of the same vmlinux/initramfs with the masks kxl applies
# on PVM hosts (CX16 in CPUID; noxsave, clearcpuid=popcnt,smap and the
# TSC rate on the command line). Each console line is timestamped.
qemu_linux_boot() { # CMDLINE
	local t0 f="$tmp/qemu-linux.log" e="$tmp/qemu-linux.err" first up last
	local pidf="$tmp/qemu-linux.pid" why watcher
	rm -f "$pidf"
	t0=$(now)
	# QEMU pauses the VM on an emulation failure but keeps running:
	# end it then, rather than at the timeout.
	(
		for _ in $(seq 100); do [ -s "$pidf" ] && break; sleep 0.1; done
		[ -s "$pidf" ] || exit 0
		until grep -q "internal error" "$e" 2>/dev/null; do
			kill -0 "$(cat "$pidf")" 2>/dev/null || exit 0
			sleep 0.5
		done
		kill "$(cat "$pidf")" 2>/dev/null
	) &
	watcher=$!
	timeout "$QEMU_LINUX_TIMEOUT" qemu-system-x86_64 \
		-M microvm,accel=kvm,kernel-irqchip=on -cpu "$QEMU_CPU,-cx16" \
		-m 128 -nodefaults -no-user-config -display none -no-reboot \
		-kernel "$B/guest/vmlinux" -initrd "$B/guest/initramfs.cpio" \
		-append "console=ttyS0 ${1#console=ttyS0 }" -serial stdio \
		-pidfile "$pidf" 2>"$e" </dev/null |
		while IFS= read -r l; do
			printf '%s %s\n' "$(now)" "${l//$'\r'/}"
		done >"$f" || true
	wait "$watcher"
	why="timeout after $QEMU_LINUX_TIMEOUT s"
	if grep -q "internal error" "$e"; then
		why="KVM internal error (emulation failure) on bytes <$(sed -n 's/.*<\(..\)>.*/\1/p' "$e" | head -n 1)>"
	elif grep -q "userspace up" "$f"; then
		why="reached user space"
	fi
	echo "$why" >"$tmp/qemu-linux-why.txt"
	cp "$e" "$out/qemu-linux.err"
	first=$(awk -v t0="$t0" 'NF > 1 {printf "%.1f", $1 - t0; exit}' "$f")
	up=$(awk -v t0="$t0" '/userspace up/ {printf "%.1f", $1 - t0; exit}' "$f")
	last=$(awk -v t0="$t0" 'NF > 1 {t = $1} END {if (t) printf "%.1f", t - t0}' "$f")
	awk 'NF > 1' "$f" | tail -n 1 | cut -d' ' -f2- >"$tmp/qemu-linux-last.txt"
	[ -s "$tmp/qemu-linux-last.txt" ] || echo "(no console output)" >"$tmp/qemu-linux-last.txt"
	row linux first-console-line qemu-microvm-kirq "${first:-n/a}" s
	row linux userspace-verbose qemu-microvm-kirq "${up:-n/a}" s
	row linux last-line-time qemu-microvm-kirq "${last:-n/a}" s
	cp "$f" "$out/qemu-linux-console.log"
}

# ---- 4. footprint ----

# Per-domain kxend process of domain NAME (from kxend's log).
domain_pid() {
	grep -a -- "domain '$1' created" "$tmp/log/kxend.log" | tail -n 1 |
		sed -n 's/.*pid \([0-9]*\).*/\1/p'
}
dm_pid() { cat "$tmp/run/dm-$1.pid" 2>/dev/null || echo 0; }

# rss_set LABEL NAMES...: rows with kxend's, the median per-domain
# process's and the median kxen-dm's RSS (MiB) for these domains.
rss_set() {
	local label=$1 n id
	shift
	row footprint "kxend-main-$label" kxen "$(fmt "$(echo "$(rss_kib "$kxend_pid") / 1024" | bc -l)" 1)" MiB
	for n in "$@"; do rss_kib "$(domain_pid "$n")"; done | stat median |
		{ read -r v; row footprint "domain-process-$label" kxen "$(fmt "$(echo "$v / 1024" | bc -l)" 1)" MiB; }
	for n in "$@"; do
		id=$("$KXL" list | awk -v n="$n" '$1 == n {print $2}')
		rss_kib "$(dm_pid "$id")"
	done | stat median |
		{ read -r v; row footprint "kxen-dm-$label" kxen "$(fmt "$(echo "$v / 1024" | bc -l)" 1)" MiB; }
}

qemu_idle_rss() { # MACHINE -> RSS MiB of an idle bench guest after 3 s
	local pid v
	qemu-system-x86_64 -M "$1,accel=kvm" -cpu "$QEMU_CPU" -m "$FOOTPRINT_MEM" \
		-nodefaults -no-user-config -display none -serial null \
		-kernel "$GUEST" -append idle >/dev/null 2>>"$tmp/qemu.err" &
	pid=$!
	sleep 3
	v=$(rss_kib "$pid")
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	fmt "$(echo "$v / 1024" | bc -l)" 1
}

bench_footprint() {
	local names=() i t0 reached
	# The same idle bench guest under both.
	kxl_create fpidle "\"memory\":$FOOTPRINT_MEM,\"kernel\":\"$GUEST\",\"cmdline\":\"idle\"" >/dev/null
	sleep 3
	rss_set idle fpidle
	"$KXL" destroy fpidle >/dev/null 2>&1 || true
	row footprint qemu-idle qemu-microvm "$(qemu_idle_rss microvm)" MiB
	row footprint qemu-idle qemu-pc "$(qemu_idle_rss pc)" MiB
	# Idle Linux guests at a shell: 1, then FOOTPRINT_GUESTS.
	t0=$(now)
	for i in $(seq "$FOOTPRINT_GUESTS"); do
		linux_config "fp$i" "$(default_cmdline) kxen.test=shell" "$FOOTPRINT_MEM"
		"$KXL" create "$tmp/fp$i.json" >/dev/null 2>>"$tmp/kxl.err" || break
		names+=("fp$i")
		if [ "$i" = 1 ]; then
			wait_console fp1 "$t0" "userspace up" 240 >/dev/null
			sleep 2
			rss_set linux1 fp1
		fi
	done
	reached=0
	for i in "${names[@]}"; do
		[ "$(wait_console "$i" "$t0" "userspace up" "$FOOTPRINT_TIMEOUT")" = n/a ] ||
			reached=$((reached + 1))
	done
	sleep 2
	rss_set "linux$FOOTPRINT_GUESTS" "${names[@]}"
	row footprint "linux$FOOTPRINT_GUESTS-reached-userspace" kxen "$reached" count
	row footprint "linux$FOOTPRINT_GUESTS-boot-time" kxen "$(fmt "$(elapsed "$t0")" 0)" s
	for i in "${names[@]}"; do "$KXL" destroy "$i" >/dev/null 2>&1 || true; done
	say ""
	say "4. Footprint, RSS in MiB (guest memory $FOOTPRINT_MEM MiB; medians over domains)"
	local m
	for m in kxend-main-idle domain-process-idle kxen-dm-idle kxend-main-linux1 domain-process-linux1 kxen-dm-linux1 \
		"kxend-main-linux$FOOTPRINT_GUESTS" "domain-process-linux$FOOTPRINT_GUESTS" "kxen-dm-linux$FOOTPRINT_GUESTS" \
		"linux$FOOTPRINT_GUESTS-reached-userspace" "linux$FOOTPRINT_GUESTS-boot-time"; do
		say "$(printf '%-44s %10s' "kxen $m" "$(csv_get footprint "$m" kxen)")"
	done
	say "$(printf '%-44s %10s' "QEMU microvm, idle bench guest" "$(csv_get footprint qemu-idle qemu-microvm)")"
	say "$(printf '%-44s %10s' "QEMU pc, idle bench guest" "$(csv_get footprint qemu-idle qemu-pc)")"
	say "(idle: bench guest halted; linuxN: N default guests at a busybox shell; QEMU cannot boot this Linux here)"
}

# ---- 5. the earlier figures (issue 4/8): ioreq spin vs block, syscall ----

# Seconds between domain NAME's kxend.log lines matching START and END.
legacy_guest() { # NAME IMAGE CMDLINE DEVICES START END
	local devices= id
	[ -n "$4" ] && devices=",\"devices\":\"$4\""
	log_mark
	id=$(kxl_create "$1" "\"memory\":16,\"kernel\":\"$2\",\"cmdline\":\"$3\"$devices")
	wait_log "d$id: $6" 120 || true
	echo "$(log_stamp "d$id: $6") - $(log_stamp "d$id: $5")" | bc -l
	"$KXL" destroy "$1" >/dev/null 2>&1 || true
}

bench_legacy() {
	local g="$B/tests/guests" r
	for mode in spin block; do
		if [ $mode = spin ]; then kxend_start; else kxend_start KXEN_IOREQ_SPIN_NS=0; fi
		for r in $(seq 3); do
			legacy_guest "seq$r" "$g/serial.bin" seq com1,seqcheck \
				"domain 'seq$r' created" "guest: seq: writes="
		done | stat median | { read -r v; row legacy "ioreq-$mode" kxen "$(fmt "$(echo "$v * 10" | bc -l)" 1)" us; }
	done
	kxend_start
	for r in $(seq 3); do
		n="sys$r"
		log_mark
		id=$(kxl_create "$n" "\"memory\":16,\"kernel\":\"$g/syscall.bin\"")
		wait_log "d$id: guest: syscall: ok" 120 || true
		echo "$(log_stamp "d$id: guest: syscall: ok") - $(log_stamp "d$id: guest: syscall: start")" | bc -l
		"$KXL" destroy "$n" >/dev/null 2>&1 || true
	done | stat median | { read -r v; row legacy syscall kxen "$(fmt "$(echo "$v * 10" | bc -l)" 1)" us; }
	say ""
	say "5. Forwarded I/O and syscalls (us per operation, 100,000 in a row, median of 3)"
	say "$(printf '%-44s %10s' 'forwarded port write, spin then block' "$(csv_get legacy ioreq-spin kxen)")"
	say "$(printf '%-44s %10s' 'forwarded port write, block only' "$(csv_get legacy ioreq-block kxen)")"
	say "$(printf '%-44s %10s' 'syscall from user mode (PVM completion)' "$(csv_get legacy syscall kxen)")"
	if [ -x "$S/bench/getppid.sh" ]; then
		say ""
		say "6. getppid in the default Linux guest (bench/getppid.sh 3000, its own kxend)"
		(cd "$B" && bash "$S/bench/getppid.sh" 3000) 2>&1 | tee -a "$out/table.txt" || true
	fi
}
