/*
 * crash: fails on purpose, in the way the command line names, so tests
 * can check that kxend crashes only this domain and reports why.
 *   "triple" - a triple fault (KVM_EXIT_SHUTDOWN): an exception with no
 *              usable IDT escalates to #DF and then to shutdown;
 *   "emul"   - an instruction KVM's emulator cannot execute at CPL0 on
 *              PVM hosts (DESIGN.md, "Hosts"), in long mode, so the vCPU
 *              stops with an emulation failure (KVM_EXIT_INTERNAL_ERROR);
 *   anything else - says so and halts, so a typo does not look like a
 *              successful crash.
 */
#include "guest.h"

	.section .text.start, "ax"
	.code16
	.globl _start
_start:
	cli
	cld
	mov $word_triple, %di
	call cmdline_is
	je triple
	mov $word_emul, %di
	call cmdline_is
	je emul
	mov $msg_unknown, %si
	call puts16
	halt_forever

triple:
	mov $msg_triple, %si
	call puts16
	/*
	 * In real mode an exception is dispatched through the vector table
	 * at 0 (KVM's emulator does not check the IDT limit there), so go to
	 * long mode first. There an IDT limit of 0 puts every gate outside
	 * the table: the first exception raises #GP, delivering that raises
	 * #DF, and failing to deliver #DF shuts the processor down (Intel
	 * SDM vol. 3 §6.15, interrupt 8). ud2 provides the first exception;
	 * int3 would not: outside real mode it is an emulation failure here.
	 */
	real_to_protected pm32_triple
	protected_to_long lm64_triple
	lidt idt_null
	ud2
	halt_forever

	.code16
emul:
	mov $msg_emul, %si
	call puts16
	real_to_protected pm32
	protected_to_long lm64
	/*
	 * xgetbv is on DESIGN.md's list of instructions KVM's emulator
	 * cannot execute; on a host that runs CPL0 natively it may simply
	 * work (or #UD without OSXSAVE, then triple fault), so tests must
	 * only expect the domain to crash, not a particular reason.
	 */
	xor %ecx, %ecx
	xgetbv
	mov $msg_survived, %esi
	call puts64
	halt_forever

/*
 * cmdline_is: compare the command line at CMDLINE_ADDR with the
 * NUL-terminated word at %di, terminator included so that a longer
 * command line does not match. ZF set when equal. Clobbers al, si, di.
 */
	.code16
cmdline_is:
	mov $CMDLINE_ADDR, %si
1:	lodsb
	cmp (%di), %al
	jne 2f
	inc %di
	test %al, %al
	jnz 1b
2:	ret

	.code16
	puts_fn puts16
	.code64
	puts_fn puts64

	.section .rodata
	guest_gdt
	.balign 8
idt_null: /* limit 0, base 0: no gate is usable */
	.word 0
	.quad 0
word_triple:
	.asciz "triple"
word_emul:
	.asciz "emul"
msg_triple:
	.asciz "crash: triple fault\n"
msg_emul:
	.asciz "crash: emulation\n"
msg_unknown:
	.asciz "crash: unknown mode\n"
msg_survived:
	.asciz "crash: xgetbv did not fail\n"
