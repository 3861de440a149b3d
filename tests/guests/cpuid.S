/*
 * cpuid: executes CPUID (Intel SDM vol. 2A, CPUID) in real mode, where
 * the instruction is always kxend's policy (emulated or intercepted),
 * and prints the feature registers the "cpuid" suite checks:
 *   cpuid: 00000001 ecx=XXXXXXXX edx=XXXXXXXX
 *   cpuid: 00000007 ebx=XXXXXXXX ecx=XXXXXXXX
 *   cpuid: 80000001 ecx=XXXXXXXX edx=XXXXXXXX
 * then "cpuid: done" and halts for good.
 */
#include "guest.h"

	.section .text.start, "ax"
	.code16
	.globl _start
_start:
	cli
	cld
	mov $1, %eax
	xor %ecx, %ecx
	call report
	mov $7, %eax
	xor %ecx, %ecx
	cpuid
	mov %ecx, %edx		/* leaf 7 prints EBX and ECX */
	mov %ebx, %ecx
	mov $7, %eax
	call print_regs
	mov $0x80000001, %eax
	xor %ecx, %ecx
	call report
	mov $msg_done, %si
	call puts16
	halt_forever

/* CPUID leaf eax, subleaf ecx; print "cpuid: LEAF ecx=... edx=...". */
report:
	push %eax
	cpuid
	pop %eax
	jmp print_regs_named

/* eax = leaf, ecx and edx = the values; labels ebx/ecx for leaf 7. */
print_regs:
	mov $lbl_ebx, %di
	mov $lbl_ecx2, %bp
	jmp 1f
print_regs_named:
	mov $lbl_ecx, %di
	mov $lbl_edx, %bp
1:	push %edx
	push %ecx
	push %eax
	mov $msg_pre, %si
	call puts16
	pop %eax
	call puthex
	mov %di, %si
	call puts16
	pop %eax
	call puthex
	mov %bp, %si
	call puts16
	pop %eax
	call puthex
	mov $msg_nl, %si
	call puts16
	ret

/* Print eax as 8 hex digits on the debug port. */
puthex:
	mov $8, %cx
	mov $DEBUG_PORT, %dx
2:	rol $4, %eax
	push %eax
	and $0xf, %al
	add $'0', %al
	cmp $'9', %al
	jbe 3f
	add $('a' - '0' - 10), %al
3:	outb %al, %dx
	pop %eax
	loop 2b
	ret

	puts_fn puts16

	.section .rodata
msg_pre:
	.asciz "cpuid: "
lbl_ecx:
	.asciz " ecx="
lbl_edx:
	.asciz " edx="
lbl_ebx:
	.asciz " ebx="
lbl_ecx2:
	.asciz " ecx="
msg_nl:
	.asciz "\n"
msg_done:
	.asciz "cpuid: done\n"
