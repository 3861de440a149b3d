/*
 * mxcsr: LDMXCSR (0F AE /2) in guest kernel code, through three
 * addressing forms (RIP-relative, base + disp8, base + index*scale +
 * disp32), each checked with FXSAVE (MXCSR at offset 24 of the save
 * area, SDM vol. 1 §10.5.1); then a value with a reserved bit must
 * raise #GP(0) on the LDMXCSR itself and leave MXCSR unchanged. On PVM
 * hosts KVM's emulator cannot run LDMXCSR and kxend completes it
 * (hypervisor/vcpu_emulate.c); elsewhere the CPU does. Prints
 * "mxcsr: ok a=A b=B c=C gp=1" or "mxcsr: FAIL ...".
 */
#include "lm.h"

#define CR4_OSFXSR 0x200
#define CR4_OSXMMEXCPT 0x400
#define VAL_A 0x7f80 /* all exceptions masked, round toward zero */
#define VAL_B 0x3f80 /* round down */
#define VAL_C 0x5f80 /* round up */

main:
	HANDLER 13, on_gp
	movq $mxcsr_tag, lm_tag
	mov %cr4, %rax
	or $(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
	mov %rax, %cr4

	ldmxcsr val_a(%rip)
	call saved_mxcsr
	cmp $VAL_A, %eax
	jne bad_a
	mov %eax, res_a

	pushq $VAL_B
	ldmxcsr 0(%rsp)
	add $8, %rsp
	call saved_mxcsr
	cmp $VAL_B, %eax
	jne bad_b
	mov %eax, res_b

	mov $vals, %rbx
	mov $2, %rcx
	ldmxcsr 0x10(%rbx, %rcx, 4)	/* vals + 0x18: VAL_C */
	call saved_mxcsr
	cmp $VAL_C, %eax
	jne bad_c
	mov %eax, res_c

	mov %rsp, gp_rsp
bad_load:
	ldmxcsr val_bad(%rip)
	FAIL "reserved MXCSR bit did not fault"
after_gp:
	mov gp_rsp, %rsp
	call saved_mxcsr
	cmp $VAL_C, %eax
	jne bad_kept
	cmpq $1, gp_count
	jne bad_gp
	PUTS "mxcsr: ok a="
	PUTHEX res_a
	PUTS " b="
	PUTHEX res_b
	PUTS " c="
	PUTHEX res_c
	PUTS " gp="
	PUTDEC gp_count
	PUTS "\n"
	jmp lm_halt
bad_a:
	FAIL "rip-relative load"
bad_b:
	FAIL "base+disp8 load"
bad_c:
	FAIL "sib+disp32 load"
bad_kept:
	FAIL "faulting load changed MXCSR"
bad_gp:
	FAIL "#GP rip or error code"

/* eax = MXCSR as FXSAVE stores it. */
saved_mxcsr:
	fxsave fx_area
	mov fx_area + 24, %eax
	ret

/* #GP: the stub's frame has the error code at 88 and the faulting RIP
 * at 96 (lm_isr_common); it must be 0 and the LDMXCSR itself. The frame
 * cannot be returned through (error code), so resume at after_gp. */
on_gp:
	cmpq $0, 88(%rsp)
	jne 1f
	cmpq $bad_load, 96(%rsp)
	jne 1f
	incq gp_count
1:	jmp after_gp

	.section .rodata
mxcsr_tag:
	.asciz "mxcsr:"
	.balign 4
val_a:	.long VAL_A
val_bad: .long 0x10000 | VAL_A
vals:	.long 0, 0, 0, 0, 0, 0, VAL_C, 0
	.data
	.balign 16
fx_area: .fill 512, 1, 0
	.balign 8
gp_rsp:	.quad 0
gp_count: .quad 0
res_a:	.quad 0
res_b:	.quad 0
res_c:	.quad 0
