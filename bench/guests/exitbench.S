/*
 * exitbench: the benchmark guest of bench/run.sh. One PVH ELF (Xen's
 * PHYS32_ENTRY note, as tests/guests/pvh.S) that kxl's builder, QEMU's
 * -kernel (pc and microvm) and bench/kvm-floor all load, so the same
 * bytes run under every monitor being compared. Entered in flat 32-bit
 * protected mode with EBX = struct hvm_start_info; it goes to 64-bit
 * long mode (32-bit iret fails on PVM hosts, DESIGN.md Hosts), then
 * runs what the command line's first word asks and reports on port
 * 0xE9 with raw TSC counts; the host converts them to time.
 *
 *   exit              power off at once (first instructions, still in
 *                     32-bit mode): port 0xF4 (QEMU's isa-debug-exit),
 *                     then ACPI S5 through PM1a_CNT 0x1f44 (kxen-dm)
 *   idle              halt forever (footprint runs)
 *   exits N           N accesses per path, one line per path:
 *                     "bench: exit PATH n=N cycles=C"
 *   irq N             N round trips: write the UART's IER with ETBEI
 *                     (the THR is empty, so the device raises IRQ 4 at
 *                     once), take the interrupt through IOAPIC GSI 4;
 *                     one line "bench: irq cycles=C" per sample (TSC
 *                     from just before the write to the handler's entry)
 *   timer N KHZ       LAPIC timer periodic at 1 kHz, calibrated against
 *                     the TSC (KHZ: TSC ticks per ms, from the host);
 *                     one line "bench: tick cycles=C" per tick interval
 * Every test ends with "bench: done" and powers off as `exit` does.
 */
#include "guest.h"

#define SI_CMDLINE 24
#define DEBUG_EXIT_PORT 0xf4
#define PM1A_CNT 0x1f44
#define PM1_S5 0x2000 /* SLP_EN, SLP_TYP 0 (the DSDT's \_S5) */

#define LAPIC_BASE 0xfee00000
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0
#define IOAPIC_BASE 0xfec00000
/* kxen-dm's `benchmmio` scratch page (README, kxen-dm); unassigned in
 * QEMU and in kvm-floor, where it exits to the monitor as well. */
#define DM_MMIO_BASE 0xd0000000

#define COM1 0x3f8
#define UART_IER (COM1 + 1)
#define UART_MCR (COM1 + 4)
#define UART_SCR (COM1 + 7)
#define UNCLAIMED_PORT 0x520 /* free in kxen, QEMU pc and microvm (0x510: QEMU fw_cfg) */
#define PIT_CH0 0x40
#define PIT_MODE 0x43

#define V_UART 0x30
#define V_TIMER 0x31
#define V_SPURIOUS 0xff
#define MAX_SAMPLES 4096

.macro PUTS str
	.pushsection .rodata
.Lputs\@:
	.asciz "\str"
	.popsection
	push %rsi
	mov $.Lputs\@, %esi
	call puts
	pop %rsi
.endm

	.section .note.Xen, "a"
	.p2align 2
	.long 4		/* namesz */
	.long 4		/* descsz */
	.long 18	/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start

	.section .text.start, "ax"
	.code32
	.globl _start
_start:
pvh_start:
	cli
	mov SI_CMDLINE(%ebx), %esi
	/* "exit": as few instructions as possible before the power-off. */
	cmpl $0x74697865, (%esi)
	jne 1f
	cmpb $' ', 4(%esi)
	jbe power_off32
1:	mov %esi, cmdline
	lgdt gdt_ptr
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $CR0_PG, %eax
	mov %eax, %cr0
	ljmp $SEL_CODE64, $long_entry

power_off32:
	xor %eax, %eax
	outb %al, $DEBUG_EXIT_PORT
	mov $PM1A_CNT, %edx
	mov $PM1_S5, %eax
	outw %ax, %dx
2:	hlt
	jmp 2b

	.code64
long_entry:
	mov $stack_top, %esp
	mov $LAPIC_BASE, %r15d /* absolute disp32 would sign-extend */
	mov $IOAPIC_BASE, %r14d
	call idt_init
	lidt idt_ptr
	mov cmdline, %esi
	call next_word /* rsi -> test name, rcx = its length */
	mov %rsi, %rbx
	call parse_args
	mov $tests, %edi
1:	mov (%rdi), %rax
	test %rax, %rax
	jz bad_test
	call name_is
	je 2f
	add $16, %rdi
	jmp 1b
2:	call *8(%rdi)
	PUTS "bench: done\n"
	jmp power_off

bad_test:
	PUTS "bench: unknown test (exit, idle, exits N, irq N, timer N KHZ)\n"
power_off:
	xor %eax, %eax
	outb %al, $DEBUG_EXIT_PORT
	mov $PM1A_CNT, %edx
	mov $PM1_S5, %eax
	outw %ax, %dx
halt:
	cli
	hlt
	jmp halt

/* ZF set when the word at rbx (length rcx) equals the string at rax. */
name_is:
	push %rcx
	push %rsi
	mov %rbx, %rsi
1:	mov (%rax), %dl
	test %dl, %dl
	jz 2f
	test %rcx, %rcx
	jz 3f
	cmp (%rsi), %dl
	jne 3f
	inc %rax
	inc %rsi
	dec %rcx
	jmp 1b
2:	test %rcx, %rcx /* ZF: both ended */
3:	pop %rsi
	pop %rcx
	ret

/* rsi -> start of the next word (spaces skipped), rcx = its length. */
next_word:
1:	cmpb $' ', (%rsi)
	jne 2f
	inc %rsi
	jmp 1b
2:	xor %ecx, %ecx
3:	cmpb $' ', (%rsi, %rcx)
	jbe 4f
	inc %rcx
	jmp 3b
4:	ret

/* arg1, arg2 = the decimal numbers after the test name (0 if absent). */
parse_args:
	lea (%rsi, %rcx), %rsi
	mov $arg1, %edi
	call parse_dec
	mov $arg2, %edi
	call parse_dec
	ret
parse_dec: /* rsi advances past one number; result stored at (rdi) */
	xor %eax, %eax
1:	cmpb $' ', (%rsi)
	jne 2f
	inc %rsi
	jmp 1b
2:	movzbl (%rsi), %edx
	sub $'0', %edx
	cmp $9, %edx
	ja 3f
	imul $10, %rax, %rax
	add %rdx, %rax
	inc %rsi
	jmp 2b
3:	mov %rax, (%rdi)
	ret

/* ---- output on port 0xE9 ---- */

puts:
	push %rax
	push %rdx
	push %rsi
	mov $DEBUG_PORT, %dx
1:	lodsb
	test %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b
2:	pop %rsi
	pop %rdx
	pop %rax
	ret

putdec: /* rax */
	push %rax
	push %rcx
	push %rdx
	push %rsi
	sub $32, %rsp
	lea 31(%rsp), %rsi
	movb $0, (%rsi)
	mov $10, %ecx
1:	xor %edx, %edx
	div %rcx
	add $'0', %dl
	dec %rsi
	mov %dl, (%rsi)
	test %rax, %rax
	jnz 1b
	call puts
	add $32, %rsp
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	ret


/* r8 = TSC now; preserves every other register (rdtsc: SDM vol. 2B). */
tsc_start:
	push %rax
	push %rdx
	rdtsc
	shl $32, %rdx
	or %rax, %rdx
	mov %rdx, %r8
	pop %rdx
	pop %rax
	ret

/* rax = TSC now - r8. Clobbers rdx. */
tsc_since:
	/* rdx too: TIMED's callers keep their port in dx across paths. */
	push %rdx
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	sub %r8, %rax
	pop %rdx
	ret

/* ---- exits N: one timed loop per path ---- */

/*
 * TIMED name, insn: run insn arg1 times in a dec/jnz loop between two
 * TSC reads and print "bench: exit name n=N cycles=C". The loop's own
 * cost is the `loop` path (a nop), which the host subtracts.
 */
.macro TIMED name, insn:vararg
	call tsc_start
	mov arg1, %rcx
1:	\insn
	dec %rcx
	jnz 1b
	call tsc_since
	PUTS "bench: exit \name n="
	PUTDEC_ARG1
	PUTS " cycles="
	call putdec
	PUTS "\n"
.endm
.macro PUTDEC_ARG1
	push %rax
	mov arg1, %rax
	call putdec
	pop %rax
.endm

t_exits:
	cmpq $0, arg1
	jne 1f
	movq $1000, arg1
1:	mov $LAPIC_BASE, %ebx
	mov $DM_MMIO_BASE, %ebp
	/*
	 * Untimed warm-up: on PVM hosts a new guest's exits cost about
	 * twice as much for its first ~20-40 ms, under every monitor and
	 * the raw-KVM floor alike (bench/RESULTS.md, "In-core exit
	 * overhead"); without this, that lands on whichever path is timed
	 * first (the PIT).
	 */
	mov $UNCLAIMED_PORT, %edx
	mov $3000, %ecx
2:	inb %dx, %al
	dec %ecx
	jnz 2b
	TIMED loop, nop
	TIMED pit-read, inb $PIT_CH0, %al
	mov $0, %al
	TIMED pit-write, outb %al, $PIT_MODE /* latch ch0: no side effect */
	mov $UART_SCR, %edx
	TIMED uart-read, inb %dx, %al
	TIMED uart-write, outb %al, %dx
	mov $UNCLAIMED_PORT, %edx
	TIMED unclaimed-read, inb %dx, %al
	TIMED unclaimed-write, outb %al, %dx
	TIMED lapic-read, movl LAPIC_VERSION(%rbx), %eax
	xor %eax, %eax
	TIMED lapic-write, movl %eax, LAPIC_TPR(%rbx)
	TIMED dm-mmio-read, movl (%rbp), %eax
	TIMED dm-mmio-write, movl %eax, (%rbp)
	ret

/* ---- interrupts ---- */

/*
 * 64-bit interrupt gates (SDM vol. 3 §6.14.1), every vector to one
 * stub table as in tests/guests/lm.h; handlers come from `handlers`.
 */
idt_init:
	mov $idt, %edi
	mov $stubs, %eax
	mov $256, %ecx
1:	mov %eax, %edx
	and $0xffff, %edx
	or $(SEL_CODE64 << 16), %edx
	mov %edx, (%rdi)
	mov %eax, %edx
	and $0xffff0000, %edx
	or $0x8e00, %edx
	mov %edx, 4(%rdi)
	add $8, %eax
	add $16, %rdi
	loop 1b
	ret

	.balign 8
stubs:
	.set vec, 0
	.rept 256
	.balign 8
	.byte 0x6a, vec & 0xff
	.byte 0xe9
	.long isr_common - (. + 4)
	.set vec, vec + 1
	.endr

isr_common:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	movzbl 40(%rsp), %eax
	call *handlers(, %rax, 8)
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	add $8, %rsp
	iretq

h_unexpected:
	PUTS "bench: FAIL unexpected vector "
	call putdec
	PUTS "\n"
	jmp power_off

h_ignore:
	ret

/*
 * Software-enable the LAPIC (SVR bit 8, SDM vol. 3 §10.9), TPR 0. Mask
 * both 8259As first (OCW1 0xff): firmware (SeaBIOS under QEMU pc) may
 * have left them routing the PIT at vector 8 through LINT0.
 */
lapic_enable:
	mov $0xff, %al
	outb %al, $0x21
	outb %al, $0xa1
	movl $(0x100 | V_SPURIOUS), LAPIC_SVR(%r15)
	movl $0, LAPIC_TPR(%r15)
	movq $h_ignore, handlers + 8 * V_SPURIOUS
	ret

/* UART THRE handler: stamp, drop ETBEI (lowers IRQ 4), EOI. */
h_uart:
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, stamp
	mov $UART_IER, %edx
	xor %eax, %eax
	outb %al, %dx
	movl $0, LAPIC_EOI(%r15)
	movl $1, fired
	ret

/*
 * Sleep until `fired` is set: sti;hlt is atomic (the STI shadow, SDM
 * vol. 2B STI), so an interrupt cannot slip in between test and hlt.
 * A monitor that never delivers leaves the guest halted; the host's
 * timeout reports that.
 */
wait_fired:
1:	cmpl $0, fired
	jne 2f
	sti
	hlt
	cli
	jmp 1b
2:	ret

t_irq:
	call lapic_enable
	movq $h_uart, handlers + 8 * V_UART
	/* IOAPIC GSI 4 (ISA IRQ 4, edge, high) -> V_UART on APIC 0:
	 * redirection entry 4 is registers 0x18/0x19 (82093AA §3.2.4). */
	movl $0x19, (%r14)
	movl $0, 0x10(%r14)
	movl $0x18, (%r14)
	movl $V_UART, 0x10(%r14)
	/* The PC gates the UART's INTR pin with MCR OUT2. */
	mov $UART_MCR, %edx
	mov $0x08, %al
	outb %al, %dx
	mov arg1, %r12
1:	movl $0, fired
	call tsc_start
	mov $UART_IER, %edx
	mov $0x02, %al /* ETBEI */
	outb %al, %dx
	call wait_fired
	mov stamp, %rax
	sub %r8, %rax
	PUTS "bench: irq cycles="
	call putdec
	PUTS "\n"
	dec %r12
	jg 1b
	ret

/* Timer handler: record the TSC of each tick until `nticks` are in. */
h_timer:
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov nticks, %rcx
	cmp arg1, %rcx
	jae 1f
	mov %rax, samples(, %rcx, 8)
	inc %rcx
	mov %rcx, nticks
	cmp arg1, %rcx
	jb 1f
	movl $1, fired
1:	movl $0, LAPIC_EOI(%r15)
	ret

/* One-shot handler of the calibration: stamp, EOI. */
h_oneshot:
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, stamp
	movl $1, fired
	movl $0, LAPIC_EOI(%r15)
	ret

t_timer:
	mov arg1, %rax
	cmp $2, %rax
	jae 1f
	movq $2, arg1
1:	cmpq $MAX_SAMPLES, arg1
	jbe 2f
	movq $MAX_SAMPLES, arg1
2:	call lapic_enable
	/* Calibrate, divide by 1 (DCR 1011b, SDM vol. 3 §10.5.4): first
	 * by reading the current count after 10 ms of TSC (what an OS
	 * does), then by timing a one-shot expiry of that many counts.
	 * Both are printed; the expiry rate programs the 1 kHz period, so
	 * the ticks measure delivery, not calibration. */
	movl $0xb, LAPIC_TIMER_DCR(%r15)
	movl $(0x10000 | V_TIMER), LAPIC_LVT_TIMER(%r15)
	call tsc_start
	movl $0xffffffff, LAPIC_TIMER_ICR(%r15)
	mov arg2, %rcx
	imul $10, %rcx, %rcx
3:	call tsc_since
	cmp %rcx, %rax
	jb 3b
	mov $0xffffffff, %eax
	subl LAPIC_TIMER_CCR(%r15), %eax
	movl $0, LAPIC_TIMER_ICR(%r15)
	mov %eax, %ebx /* counts in 10 ms by the current count */
	xor %edx, %edx
	mov $10, %ecx
	div %ecx
	PUTS "bench: lapic-ccr-per-ms="
	call putdec
	PUTS "\n"
	movq $h_oneshot, handlers + 8 * V_TIMER
	movl $V_TIMER, LAPIC_LVT_TIMER(%r15)
	movl $0, fired
	call tsc_start
	movl %ebx, LAPIC_TIMER_ICR(%r15)
	call wait_fired
	mov stamp, %rcx
	sub %r8, %rcx /* TSC ticks for ebx counts */
	mov %ebx, %eax
	mulq arg2 /* rdx:rax = counts * TSC-per-ms */
	div %rcx
	PUTS "bench: lapic-per-ms="
	call putdec
	PUTS "\n"
	/* Periodic (LVT bit 17) at 1 kHz. */
	movq $h_timer, handlers + 8 * V_TIMER
	movl $(0x20000 | V_TIMER), LAPIC_LVT_TIMER(%r15)
	movl %eax, LAPIC_TIMER_ICR(%r15)
	movl $0, fired
	call wait_fired
	movl $0x10000, LAPIC_LVT_TIMER(%r15)
	mov $1, %ebx
4:	mov samples(, %rbx, 8), %rax
	sub samples - 8(, %rbx, 8), %rax
	PUTS "bench: tick cycles="
	call putdec
	PUTS "\n"
	inc %rbx
	cmp arg1, %rbx
	jb 4b
	ret

t_idle:
	jmp halt

	.section .rodata
	.balign 8
tests:
	.quad s_exits, t_exits
	.quad s_irq, t_irq
	.quad s_timer, t_timer
	.quad s_idle, t_idle
	.quad 0, 0
s_exits: .asciz "exits"
s_irq: .asciz "irq"
s_timer: .asciz "timer"
s_idle: .asciz "idle"
	guest_gdt

	.section .data
	.balign 8
cmdline: .quad 0
arg1: .quad 0
arg2: .quad 0
stamp: .quad 0
nticks: .quad 0
fired: .long 0
	.balign 8
idt_ptr:
	.word 256 * 16 - 1
	.quad idt
handlers:
	.rept 256
	.quad h_unexpected
	.endr

/* Identity map 0-1 GiB and 3-4 GiB (MMIO) in 2 MiB pages; MMIO
 * uncached (PCD|PWT, SDM vol. 3 §11.5). */
	.balign 4096
pml4:
	.quad pdpt + PTE_P_RW
	.fill 511, 8, 0
pdpt:
	.quad pd0 + PTE_P_RW
	.quad 0, 0
	.quad pd3 + PTE_P_RW
	.fill 508, 8, 0
pd0:
	.set i, 0
	.rept 512
	.quad (i << 21) | PDE_2M_P_RW
	.set i, i + 1
	.endr
pd3:
	.set i, 0
	.rept 512
	.quad (0xc0000000 + (i << 21)) | PDE_2M_P_RW | 0x18
	.set i, i + 1
	.endr

	.section .bss
	.balign 4096
idt:
	.skip 256 * 16
samples:
	.skip MAX_SAMPLES * 8
	.skip 8192
stack_top:
