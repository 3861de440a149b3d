/*
 * syscall: a tiny kernel that runs a 64-bit user program making
 * SYSCALLS syscalls with distinct arguments, checking every result, with
 * genuine user-mode page faults in between (a demand fault and a
 * write-protection fault every 1000 calls), a user fault right next to
 * LSTAR, a kernel-mode fault, and an IDT moved half-way through. On PVM
 * hosts kxend completes each SYSCALL (issue 8); everything else must
 * reach this kernel's #PF handler exactly as on hardware. Ends with
 * "syscall: ok n=... demand=... wp=... near=1 kern=1 idt=1" or
 * "syscall: FAIL ...".
 *
 * Layout: 0-2 MiB in 4 KiB pages, user-accessible except the page
 * holding the syscall entry (so user mode cannot run it: SDM vol. 3
 * §4.6); 2-4 MiB user RW (stack); 4-6 MiB user read-only (write faults);
 * 6-8 MiB absent (demand faults).
 */
#include "lm.h"

#define SYSCALLS 100000
#define SEL_KCODE 0x18
#define SEL_UDATA 0x33 /* 0x30 | RPL 3 */
#define SEL_UCODE 0x3b /* 0x38 | RPL 3 */
#define SEL_TSS 0x40
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define USER_STACK 0x3ff000
#define WP_AREA 0x400000
#define DEMAND_AREA 0x600000
#define PDE_USER_RW 0x87 /* P, RW, U, PS */
#define PDE_USER_RO 0x85 /* P, U, PS */

main:
	movq $sys_tag, lm_tag
	call setup_gdt_tss
	call setup_paging
	call setup_msrs
	call set_pf_gate
	/* kxend reads the IDT at exits (lidt cannot be trapped); a real
	 * kernel exits often (timers), this one makes sure it does. */
	PUTS "syscall: start\n"
	/* Into user mode (SDM vol. 3 §6.14.3: iretq to CPL 3). */
	push $SEL_UDATA
	push $USER_STACK
	push $0x2
	push $SEL_UCODE
	push $user_main
	iretq

setup_gdt_tss:
	/* TSS descriptor (SDM vol. 3 §7.2.3): base tss, limit 0x67. */
	mov $tss, %eax
	mov %eax, %edx
	shl $16, %edx
	or $0x67, %edx
	mov %edx, gdt64 + SEL_TSS
	mov %eax, %edx
	shr $16, %edx
	and $0xff, %edx
	or $0x8900, %edx
	mov %eax, %ecx
	and $0xff000000, %ecx
	or %ecx, %edx
	mov %edx, gdt64 + SEL_TSS + 4
	movq $kstack_top, tss + 4 /* RSP0 */
	movw $104, tss + 102      /* no I/O bitmap */
	lgdt gdt64_ptr
	mov $SEL_TSS, %ax
	ltr %ax
	ret

setup_paging:
	/* 0-2 MiB through a page table, user except the entry page. */
	mov $pt0, %edi
	xor %eax, %eax
	mov $512, %ecx
1:	mov %rax, %rdx
	or $7, %rdx
	mov %rdx, (%rdi)
	add $4096, %rax
	add $8, %rdi
	loop 1b
	mov $syscall_entry, %eax
	shr $12, %eax
	andq $~4, pt0(, %rax, 8)
	mov $pt0, %eax
	or $7, %eax
	mov %rax, lm_pd0
	movq $(0x200000 | PDE_USER_RW), lm_pd0 + 8
	movq $(WP_AREA | PDE_USER_RO), lm_pd0 + 16
	movq $0, lm_pd0 + 24
	orq $4, lm_pml4
	orq $4, lm_pdpt
	mov %cr3, %rax
	mov %rax, %cr3
	ret

setup_msrs:
	mov $MSR_EFER, %ecx
	rdmsr
	or $1, %eax /* SCE */
	wrmsr
	mov $MSR_STAR, %ecx
	xor %eax, %eax
	mov $0x00280018, %edx /* SYSRET base 0x28, SYSCALL CS 0x18 */
	wrmsr
	mov $MSR_LSTAR, %ecx
	mov $syscall_entry, %eax
	xor %edx, %edx
	wrmsr
	mov $MSR_FMASK, %ecx
	mov $0x200, %eax /* IF */
	xor %edx, %edx
	wrmsr
	ret

/* IDT[14] -> pf_entry (interrupt gate, kernel code). */
set_pf_gate:
	mov lm_idt_ptr + 2, %rdi
	mov $pf_entry, %eax
	mov %eax, %edx
	and $0xffff, %edx
	or $(SEL_KCODE << 16), %edx
	mov %edx, 14 * 16(%rdi)
	mov %eax, %edx
	and $0xffff0000, %edx
	or $0x8e00, %edx
	mov %edx, 14 * 16 + 4(%rdi)
	movl $0, 14 * 16 + 8(%rdi)
	ret

/*
 * #PF (SDM vol. 3 §6.15, interrupt 14): demand-map 6-8 MiB, make 4-6 MiB
 * writable, send a fault at LSTAR + 1 back to user mode at user_near.
 * Anything else is a failure.
 */
pf_entry:
	push %rax
	push %rcx
	mov %cr2, %rax
	mov 24(%rsp), %rcx /* faulting RIP */
	cmp $DEMAND_AREA, %rax
	jb 1f
	cmp $(DEMAND_AREA + 0x200000), %rax
	jae 1f
	movq $(DEMAND_AREA | PDE_USER_RW), lm_pd0 + 24
	invlpg (%rax)
	testb $3, 32(%rsp)
	jz 3f
	incq demand_faults
	jmp 9f
3:	incq kernel_faults
	jmp 9f
1:	cmp $WP_AREA, %rax
	jb 2f
	cmp $(WP_AREA + 0x200000), %rax
	jae 2f
	movq $(WP_AREA | PDE_USER_RW), lm_pd0 + 16
	invlpg (%rax)
	incq wp_faults
	jmp 9f
2:	mov $syscall_entry + 1, %ecx
	cmp %rcx, %rax
	jne pf_bad
	testb $3, 32(%rsp)
	jz pf_bad
	incq near_faults
	movq $user_near, 24(%rsp)
9:	pop %rcx
	pop %rax
	add $8, %rsp /* error code */
	iretq
pf_bad:
	PUTS "syscall: FAIL unexpected #PF cr2="
	PUTHEX %rax
	PUTS " rip="
	PUTHEX 24(%rsp)
	PUTS "\n"
	jmp lm_halt

/*
 * The system call entry, alone on its supervisor page. rax = call:
 * 0 compute rdi * 3 + rsi; 1 remap the fault areas as at start (and
 * fault once from kernel mode); 2 move the IDT; 3 done (rdi = count);
 * 4 failure (rdi = index). Returns with sysretq (RCX, R11).
 */
	.balign 4096
syscall_entry:
	test %rax, %rax
	jnz 1f
	lea (%rsi, %rdi, 2), %rax
	add %rdi, %rax
	sysretq
1:	cmp $1, %rax
	jne 2f
	jmp sys_remap
2:	cmp $2, %rax
	jne 3f
	jmp sys_move_idt
3:	cmp $3, %rax
	jne 4f
	jmp sys_done
4:	jmp sys_fail
	.balign 4096

sys_remap:
	movq $(WP_AREA | PDE_USER_RO), lm_pd0 + 16
	movq $0, lm_pd0 + 24
	mov %cr3, %rax
	mov %rax, %cr3
	cmpq $0, kernel_faults
	jne 1f
	mov DEMAND_AREA, %rax /* a kernel-mode demand fault, once */
	movq $0, lm_pd0 + 24
	mov %cr3, %rax
	mov %rax, %cr3
1:	xor %eax, %eax
	sysretq

/* The guest moves its IDT after boot: kxend must follow it. */
sys_move_idt:
	push %rsi
	push %rdi
	push %rcx
	mov lm_idt_ptr + 2, %rsi
	mov $idt2, %edi
	mov $(256 * 16 / 8), %ecx
	rep movsq
	pop %rcx
	pop %rdi
	pop %rsi
	movq $idt2, idt2_ptr + 2
	lidt idt2_ptr
	incq idt_moves
	xor %eax, %eax
	sysretq

sys_done:
	mov %rdi, %rbx
	cmp $SYSCALLS, %rbx
	jne sys_fail
	cmpq $1, near_faults
	jne sys_fail
	cmpq $1, kernel_faults
	jne sys_fail
	PUTS "syscall: ok n="
	PUTDEC %rbx
	PUTS " demand="
	PUTDEC demand_faults
	PUTS " wp="
	PUTDEC wp_faults
	PUTS " near="
	PUTDEC near_faults
	PUTS " kern="
	PUTDEC kernel_faults
	PUTS " idt="
	PUTDEC idt_moves
	PUTS "\n"
	jmp lm_halt

sys_fail:
	PUTS "syscall: FAIL at call "
	PUTDEC %rdi
	PUTS " near="
	PUTDEC near_faults
	PUTS " kern="
	PUTDEC kernel_faults
	PUTS "\n"
	jmp lm_halt

/* ---- user mode ------------------------------------------------------ */
	.balign 4096
user_main:
	xor %r12d, %r12d
	/* A fault right next to LSTAR: must reach the kernel's handler. */
	mov $syscall_entry + 1, %eax
	jmp *%rax
user_near:
1:	mov %r12, %rdi
	mov %r12, %rsi
	xor $0x5a5a5a, %rsi
	xor %eax, %eax
	syscall
	lea (%r12, %r12, 2), %rbx
	mov %r12, %rcx
	xor $0x5a5a5a, %rcx
	add %rcx, %rbx
	cmp %rbx, %rax
	jne 8f
	inc %r12
	mov %r12, %rax
	xor %edx, %edx
	mov $1000, %ecx
	div %rcx
	test %rdx, %rdx
	jnz 2f
	mov $1, %eax /* remap, then fault on both areas */
	syscall
	mov DEMAND_AREA, %rax
	movq %r12, WP_AREA
	cmp %r12, WP_AREA
	jne 8f
2:	cmp $(SYSCALLS / 2), %r12
	jne 3f
	mov $2, %eax
	syscall
3:	cmp $SYSCALLS, %r12
	jb 1b
	mov $3, %eax
	mov %r12, %rdi
	syscall
8:	mov $4, %eax
	mov %r12, %rdi
	syscall
9:	jmp 9b
	.balign 4096

	.section .rodata
sys_tag:
	.asciz "syscall:"

	.data
	.balign 16
gdt64:
	.quad 0
	.quad 0x00cf9a000000ffff /* 0x08 code32 */
	.quad 0x00cf92000000ffff /* 0x10 data */
	.quad 0x00af9a000000ffff /* 0x18 kernel code64 (SYSCALL CS) */
	.quad 0x00cf92000000ffff /* 0x20 kernel data (SYSCALL SS) */
	.quad 0x00cffa000000ffff /* 0x28 user code32 (SYSRET base) */
	.quad 0x00cff2000000ffff /* 0x30 user data (SYSRET SS) */
	.quad 0x00affa000000ffff /* 0x38 user code64 (SYSRET CS) */
	.quad 0, 0               /* 0x40 TSS, filled at run time */
gdt64_end:
gdt64_ptr:
	.word gdt64_end - gdt64 - 1
	.quad gdt64
idt2_ptr:
	.word 256 * 16 - 1
	.quad 0
	.balign 8
demand_faults: .quad 0
wp_faults: .quad 0
near_faults: .quad 0
kernel_faults: .quad 0
idt_moves: .quad 0
	.balign 4096
pt0:
	.fill 512, 8, 0

	.section .bss
	.balign 4096
tss:
	.skip 4096
idt2:
	.skip 4096
	.skip 8192
kstack_top:
