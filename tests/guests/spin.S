/*
 * spin: never halts. Prints "spin: start", then "spin: tick N" (N = 1,
 * 2, ... in decimal) after every SPIN_LOOPS iterations of an empty loop,
 * so a test can see whether the vCPU is making progress (pause/unpause)
 * and that it consumes CPU time. Stays in real mode: the loop costs the
 * same in every mode, and real mode needs no setup.
 */
#include "guest.h"

/* ~20000 emulated loop instructions: a tick every few ms on PVM hosts. */
#define SPIN_LOOPS 20000

	.section .text.start, "ax"
	.code16
	.globl _start
_start:
	cli
	cld
	mov $msg_start, %si
	call puts16
	xor %ebx, %ebx /* tick counter */
tick:
	mov $SPIN_LOOPS, %cx
1:	loop 1b
	inc %ebx
	mov $msg_tick, %si
	call puts16
	call putdec
	mov $msg_nl, %si
	call puts16
	jmp tick

/*
 * putdec: print %ebx in decimal. Digits come out of the division least
 * significant first, so they are built backwards in a small buffer.
 * Clobbers eax, ecx, edx, si, di.
 */
putdec:
	mov $numbuf_end, %di
	movb $0, (%di)
	mov %ebx, %eax
	mov $10, %ecx
2:	xor %edx, %edx
	div %ecx
	add $'0', %dl
	dec %di
	mov %dl, (%di)
	test %eax, %eax
	jnz 2b
	mov %di, %si
	jmp puts16

	puts_fn puts16

	.section .rodata
msg_start:
	.asciz "spin: start\n"
msg_tick:
	.asciz "spin: tick "
msg_nl:
	.asciz "\n"

	.section .bss
numbuf:
	.skip 11 /* 4294967295 has ten digits */
numbuf_end:
	.skip 1
