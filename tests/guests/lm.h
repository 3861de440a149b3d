/*
 * Long-mode runtime for the test guests that take interrupts (GNU as,
 * included once by the guest's .S after guest.h; C comments only).
 *
 * On PVM hosts 32-bit protected mode cannot iret (DESIGN.md, Hosts), so
 * these guests go straight from real mode to 64-bit long mode, where
 * iretq works, and install a 256-entry IDT whose stubs call a handler
 * from lm_handlers[vector]. Including this file provides:
 *
 *   _start       real mode -> long mode; BSP jumps to `main` with the
 *                IDT loaded, interrupts off, rsp on its own stack
 *   0x9000       the application-processor trampoline: a SIPI with
 *                vector 0x09 starts an AP there (Intel SDM vol. 3
 *                §8.4.4.1); it joins long mode on the same page tables
 *                and jumps to AP_MAIN (default: halt) on its own stack
 *   r15, r14, r13  LAPIC, IOAPIC and HPET MMIO bases, on every CPU;
 *                nothing else may change them
 *   lm_puts / lm_putdec / lm_puthex and PUTS / PUTDEC / PUTHEX: output
 *                on port 0xE9, every register preserved
 *   lm_pm        eax = the ACPI PM timer (port 0x1f48)
 *   lm_wait      wait for a counter in memory, bounded by the PM timer
 *
 * Handlers are plain functions called with the vector in eax; they may
 * clobber rax, rcx, rdx, rsi, rdi and r8-r11 (saved by the common stub)
 * and must EOI their controller themselves.
 *
 * Memory: everything lives in the image (page tables in .data, IDT and
 * stacks in .bss, which objcopy emits as zeroes): nothing is cleared at
 * run time, which would cost emulated instructions.
 */
#ifndef KXEN_LM_H
#define KXEN_LM_H

#include "guest.h"

#define LAPIC_BASE 0xfee00000
#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0
#define IOAPIC_BASE 0xfec00000
#define IOAPIC_WIN 0x10
#define HPET_BASE 0xfed00000
#define PM_TMR_PORT 0x1f48
#define PM_HZ 3579545

#ifndef AP_MAIN
#define AP_MAIN lm_halt
#endif

/* PUTS "text": print a literal; every register preserved. */
.macro PUTS str
	.pushsection .rodata
.Lputs\@:
	.asciz "\str"
	.popsection
	push %rsi
	mov $.Lputs\@, %esi
	call lm_puts
	pop %rsi
.endm

/* PUTDEC / PUTHEX operand: print a 64-bit value (register or memory). */
.macro PUTDEC val
	push %rax
	mov \val, %rax
	call lm_putdec
	pop %rax
.endm
.macro PUTHEX val
	push %rax
	mov \val, %rax
	call lm_puthex
	pop %rax
.endm

/* HANDLER vector, function: install a handler (before sti). */
.macro HANDLER vec, fn
	movq $\fn, lm_handlers + 8 * (\vec)
.endm

	.section .text.start, "ax"
	.code16
	.globl _start
_start:
	cli
	cld
	xor %ebp, %ebp /* ebp = 0: this is the BSP */
	lgdtl gdt_ptr
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $SEL_CODE32, $lm_pm32

/*
 * Both CPUs pass here in 32-bit protected mode. IA-32e entry per Intel
 * SDM vol. 3 §9.8.5: CR3 -> PML4, CR4.PAE, EFER.LME, then CR0.PG, and a
 * far jump through the 64-bit code descriptor.
 */
	.code32
lm_pm32:
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %fs
	mov %ax, %gs
	mov %ax, %ss
	mov $lm_pml4, %eax
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
	ljmp $SEL_CODE64, $lm_64

	.code64
lm_64:
	mov $LAPIC_BASE, %r15d
	mov $IOAPIC_BASE, %r14d
	mov $HPET_BASE, %r13d
	test %ebp, %ebp
	jnz 1f
	mov $lm_stack_top, %esp
	call lm_idt_init
	lidt lm_idt_ptr
	jmp main
1:	mov $lm_ap_stack_top, %esp
	lidt lm_idt_ptr /* built by the BSP before it sent the SIPI */
	jmp AP_MAIN

/*
 * The AP trampoline, at guest-physical 0x9000 (.text.start begins at
 * 0x8000; .org fails the build if _start ever outgrows a page). After
 * SIPI the AP runs real mode with CS = 0x0900, IP = 0 and DS = 0, so
 * only absolute data references are used until the far jump.
 */
	.org 0x1000
lm_ap_trampoline:
	.code16
	cli
	cld
	xor %ax, %ax
	mov %ax, %ds
	mov $1, %ebp /* ebp = 1: an AP */
	lgdtl gdt_ptr
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $SEL_CODE32, $lm_pm32

	.code64
	.text
/*
 * 64-bit interrupt gates (SDM vol. 3 §6.14.1): offset 15:0, selector,
 * type 0xE with P=1 DPL=0 (0x8e00), offset 31:16; offset 63:32 stays 0
 * (the image is below 4 GiB), as does the reserved dword.
 */
lm_idt_init:
	mov $lm_idt, %edi
	mov $lm_stubs, %eax
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

/*
 * One 8-byte stub per vector: push imm8 (the vector, sign-extended, so
 * the common code keeps only its low byte) and jmp rel32 to the common
 * code. Exceptions with an error code leave the stack one word off,
 * which is harmless: exceptions are always fatal here.
 */
	.balign 8
lm_stubs:
	.set lm_vec, 0
	.rept 256
	.balign 8
	.byte 0x6a, lm_vec & 0xff
	.byte 0xe9
	.long lm_isr_common - (. + 4)
	.set lm_vec, lm_vec + 1
	.endr

lm_isr_common:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	movzbl 72(%rsp), %eax
	call *lm_handlers(, %rax, 8)
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	add $8, %rsp
	iretq

/* Default handler: any vector nobody expects ends the run, loudly. */
lm_unexpected:
	mov %eax, %ecx
	mov lm_tag, %rsi
	call lm_puts
	PUTS " FAIL unexpected vector "
	PUTHEX %rcx
	PUTS "\n"
	jmp lm_halt

/* A handler that does nothing (LAPIC spurious vector: no EOI, §10.9). */
lm_ignore:
	ret

/* FAIL: print "<tag> FAIL <reason>" and stop for good. */
.macro FAIL reason
	mov lm_tag, %rsi
	call lm_puts
	PUTS " FAIL \reason\n"
	jmp lm_halt
.endm

lm_halt:
	cli
	hlt
	jmp lm_halt

/* Print the NUL-terminated string at rsi. */
lm_puts:
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

/* Print rax in decimal; digits are produced backwards on the stack. */
lm_putdec:
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
	call lm_puts
	add $32, %rsp
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	ret

/* Print rax as 0x<hex>, no leading zeros. */
lm_puthex:
	push %rax
	push %rdx
	push %rsi
	sub $32, %rsp
	lea 31(%rsp), %rsi
	movb $0, (%rsi)
1:	mov %eax, %edx
	and $15, %edx
	movb lm_hexdigits(%rdx), %dl
	dec %rsi
	mov %dl, (%rsi)
	shr $4, %rax
	jnz 1b
	dec %rsi
	movb $'x', (%rsi)
	dec %rsi
	movb $'0', (%rsi)
	call lm_puts
	add $32, %rsp
	pop %rsi
	pop %rdx
	pop %rax
	ret

/* eax = ACPI PM timer count (32-bit, 3.579545 MHz; ACPI §4.8.3.3). */
lm_pm:
	push %rdx
	mov $PM_TMR_PORT, %dx
	inl %dx, %eax
	pop %rdx
	ret

/*
 * Wait until the 32-bit counter at (rdi) is >= esi, for at most edx PM
 * ticks. CF clear when reached, set on timeout. Polls instead of hlt so
 * that a device that never interrupts still ends in a FAIL line; each
 * poll is a port exit, where kxend can inject a pending interrupt.
 */
lm_wait:
	push %rax
	push %rbx
	call lm_pm
	mov %eax, %ebx
1:	cmp %esi, (%rdi)
	jae 2f
	call lm_pm
	sub %ebx, %eax
	cmp %edx, %eax
	jae 3f
	pause
	jmp 1b
2:	pop %rbx
	pop %rax
	clc
	ret
3:	pop %rbx
	pop %rax
	stc
	ret

/* Busy-wait ecx PM ticks. */
lm_delay:
	push %rax
	push %rbx
	call lm_pm
	mov %eax, %ebx
1:	call lm_pm
	sub %ebx, %eax
	cmp %ecx, %eax
	jb 1b
	pop %rbx
	pop %rax
	ret

/* IOAPIC indirect access (82093AA §3.0): IOREGSEL then IOWIN. */
lm_ioapic_read: /* ecx = register -> eax */
	mov %ecx, (%r14)
	mov IOAPIC_WIN(%r14), %eax
	ret
lm_ioapic_write: /* ecx = register, eax = value */
	mov %ecx, (%r14)
	mov %eax, IOAPIC_WIN(%r14)
	ret

/*
 * Route GSI ecx to vector/flags eax (low dword of the redirection
 * entry, 82093AA §3.2.4) on APIC ID 0: high dword first, so the entry
 * is never live with a stale destination.
 */
lm_ioapic_route:
	push %rax
	push %rcx
	lea 0x11(, %rcx, 2), %ecx
	xor %eax, %eax
	call lm_ioapic_write
	pop %rcx
	pop %rax
	push %rcx
	lea 0x10(, %rcx, 2), %ecx
	call lm_ioapic_write
	pop %rcx
	ret

	.section .rodata
	guest_gdt
lm_hexdigits:
	.ascii "0123456789abcdef"
lm_default_tag:
	.asciz "guest:"

	.section .data
	.balign 8
lm_tag:
	.quad lm_default_tag /* prefix of FAIL lines: the running test */
lm_idt_ptr:
	.word 256 * 16 - 1
	.quad lm_idt
lm_handlers:
	.rept 256
	.quad lm_unexpected
	.endr

/*
 * Identity map: PML4[0] -> PDPT; PDPT[0] -> 0-1 GiB and PDPT[3] -> 3-4
 * GiB (LAPIC, IOAPIC, HPET), both in 2 MiB pages; the MMIO ones
 * uncached (PCD|PWT, SDM vol. 3 §11.5), for form's sake.
 */
	.balign 4096
lm_pml4:
	.quad lm_pdpt + PTE_P_RW
	.fill 511, 8, 0
lm_pdpt:
	.quad lm_pd0 + PTE_P_RW
	.quad 0, 0
	.quad lm_pd3 + PTE_P_RW
	.fill 508, 8, 0
lm_pd0:
	.set lm_i, 0
	.rept 512
	.quad (lm_i << 21) | PDE_2M_P_RW
	.set lm_i, lm_i + 1
	.endr
lm_pd3:
	.set lm_i, 0
	.rept 512
	.quad (0xc0000000 + (lm_i << 21)) | PDE_2M_P_RW | 0x18
	.set lm_i, lm_i + 1
	.endr

	.section .bss
	.balign 4096
lm_idt:
	.skip 256 * 16
	.skip 4096
lm_stack_top:
	.skip 4096
lm_ap_stack_top:

	.text

#endif
