/*
 * softint: INT3 and INT n executed by guest kernel code (CPL0, 64-bit).
 * On PVM hosts KVM's instruction emulator cannot run them and kxend
 * must deliver the exception / software interrupt itself (issue 5): the
 * handler must see the return address just past the instruction, as on
 * hardware (SDM vol. 3 §6.4.2: INT3 and INT n are traps). Prints
 * "softint: ok n=N" or "softint: FAIL ...".
 */
#include "lm.h"

#define ROUNDS 50

main:
	HANDLER 3, on_bp
	HANDLER 0x81, on_int81
	movq $softint_tag, lm_tag
	xor %ebx, %ebx
1:	int3
after_int3:
	cmpq $after_int3, bp_rip
	jne bad_bp
	int $0x81
after_int81:
	cmpq $after_int81, int_rip
	jne bad_int
	inc %ebx
	cmp $ROUNDS, %ebx
	jb 1b
	cmpq $ROUNDS, bp_count
	jne bad_count
	cmpq $ROUNDS, int_count
	jne bad_count
	PUTS "softint: ok n="
	PUTDEC bp_count
	PUTS "\n"
	jmp lm_halt
bad_bp:
	FAIL "int3 return address"
bad_int:
	FAIL "int 0x81 return address"
bad_count:
	FAIL "handler count"

/* The saved RIP sits above the 9 registers, the vector and our return
 * address on the stack (lm_isr_common). */
on_bp:
	mov 88(%rsp), %rax
	mov %rax, bp_rip
	incq bp_count
	ret
on_int81:
	mov 88(%rsp), %rax
	mov %rax, int_rip
	incq int_count
	ret

	.section .rodata
softint_tag:
	.asciz "softint:"
	.data
	.balign 8
bp_rip:	.quad 0
int_rip: .quad 0
bp_count: .quad 0
int_count: .quad 0
