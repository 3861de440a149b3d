/*
 * hello: walks a vCPU through every x86 mode a kernel passes through and
 * reports each on the debug port: real mode, 32-bit protected mode, then
 * 64-bit long mode, where it also echoes the command line the toolstack
 * stored at 0x6000. The lifecycle tests and scripts/boot-default-guest.sh
 * look for these exact lines; "hello: done" means every mode switch
 * worked, then the vCPU halts for good (the domain shows as blocked).
 */
#include "guest.h"

	.section .text.start, "ax"
	.code16
	.globl _start
_start:
	cli
	cld
	mov $msg_real, %si
	call puts16

	real_to_protected pm32
	mov $msg_prot, %esi
	call puts32

	protected_to_long lm64
	mov $msg_long, %esi
	call puts64
	mov $msg_cmd1, %esi
	call puts64
	mov $CMDLINE_ADDR, %esi
	call puts64
	mov $msg_cmd2, %esi
	call puts64
	mov $msg_done, %esi
	call puts64
	halt_forever

	.code16
	puts_fn puts16
	.code32
	puts_fn puts32
	.code64
	puts_fn puts64

	.section .rodata
	guest_gdt
msg_real:
	.asciz "hello: real mode\n"
msg_prot:
	.asciz "hello: protected mode\n"
msg_long:
	.asciz "hello: long mode\n"
msg_cmd1:
	.asciz "hello: cmdline=["
msg_cmd2:
	.asciz "]\n"
msg_done:
	.asciz "hello: done\n"
