/*
 * syscall_smp: syscall.S's user-mode workload on two vCPUs at once
 * (issue 8). The BSP starts the AP with INIT/SIPI (MP spec 1.4 §B.4);
 * then each CPU enters 64-bit user mode on its own stack and makes
 * SYSCALLS syscalls with arguments distinct per call and per CPU,
 * checking every result, with a demand fault and a write-protection
 * fault on its own pages every 1000 calls. On PVM hosts kxend completes
 * each SYSCALL per vCPU; a completion or fault delivered on the wrong
 * vCPU shows up here:
 *
 *   - each CPU has its own LSTAR (syscall_entry0 / syscall_entry1), and
 *     the entry tells the kernel which CPU it runs on; the result
 *     carries that CPU number back, and the kernel checks that the user
 *     RSP is that CPU's user stack;
 *   - each CPU faults only on its own areas, and the #PF handler checks
 *     the faulting frame's user RSP against the area's owner.
 *
 * Ends with "syscall-smp: ok n0=... n1=... demand0=... demand1=...
 * wp0=... wp1=..." from the BSP or "syscall-smp: FAIL ...".
 *
 * Layout: 0-2 MiB in 4 KiB pages, user-accessible except the page of
 * syscall entries; 2-4 MiB user RW (the two user stacks); per CPU c a
 * write-protected area at (4 + 4c) MiB and a demand area at (6 + 4c)
 * MiB, 2 MiB pages each.
 */
#define AP_MAIN ap_main
#include "lm.h"

#define SYSCALLS 100000
#define FAULT_EVERY 1000
#define SEL_KCODE 0x18
#define SEL_UDATA 0x33 /* 0x30 | RPL 3 */
#define SEL_UCODE 0x3b /* 0x38 | RPL 3 */
#define SEL_TSS0 0x40
#define SEL_TSS1 0x50
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define USER_STACK0 0x3ff000
#define USER_STACK1 0x3f7000
#define PDE_USER_RW 0x87 /* P, RW, U, PS */
#define PDE_USER_RO 0x85 /* P, U, PS */
#define V_SPURIOUS 0xff
#define SEC(n) ((n) * PM_HZ)
#define MS(n) ((n) * PM_HZ / 1000)

main:
	movq $smp_tag, lm_tag
	HANDLER V_SPURIOUS, lm_ignore
	call fill_tss_descriptors
	lgdt gdt64_ptr
	mov $SEL_TSS0, %ax
	ltr %ax
	call setup_paging
	mov $syscall_entry0, %eax
	call setup_msrs
	call set_pf_gate
	call start_ap
	PUTS "syscall-smp: start\n"
	xor %ebp, %ebp
	mov $USER_STACK0, %eax
	jmp to_user

/* The AP, from lm.h's trampoline: its own TSS, LSTAR and user stack. */
ap_main:
	lgdt gdt64_ptr
	mov $SEL_TSS1, %ax
	ltr %ax
	mov $syscall_entry1, %eax
	call setup_msrs
	/* kxend finds the #PF handler through the IDT at exits (lidt
	 * cannot be trapped, pvm_syscall.h); the AP's path from its lidt
	 * to user mode has none, so it makes one (the BSP's is its
	 * console line). */
	call lm_pm
	lock incl ap_up
	mov $1, %ebp
	mov $USER_STACK1, %eax
	jmp to_user

/* iretq to user_main at CPL 3 (SDM vol. 3 §6.14.3), rsp = eax,
 * rbp = this CPU's number, interrupts off. */
to_user:
	push $SEL_UDATA
	push %rax
	push $0x2
	push $SEL_UCODE
	push $user_main
	iretq

/* TSS descriptors (SDM vol. 3 §7.2.3): base, limit 0x67, type 9. */
fill_tss_descriptors:
	mov $tss0, %eax
	mov $gdt64 + SEL_TSS0, %edi
	movq $kstack0_top, tss0 + 4 /* RSP0 */
	call tss_descriptor
	mov $tss1, %eax
	mov $gdt64 + SEL_TSS1, %edi
	movq $kstack1_top, tss1 + 4
	call tss_descriptor
	movw $104, tss0 + 102 /* no I/O bitmap */
	movw $104, tss1 + 102
	ret
tss_descriptor: /* eax = base, rdi = descriptor */
	mov %eax, %edx
	shl $16, %edx
	or $0x67, %edx
	mov %edx, (%rdi)
	mov %eax, %edx
	shr $16, %edx
	and $0xff, %edx
	or $0x8900, %edx
	mov %eax, %ecx
	and $0xff000000, %ecx
	or %ecx, %edx
	mov %edx, 4(%rdi)
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
	mov $syscall_entry0, %eax
	shr $12, %eax
	andq $~4, pt0(, %rax, 8)
	mov $pt0, %eax
	or $7, %eax
	mov %rax, lm_pd0
	movq $(0x200000 | PDE_USER_RW), lm_pd0 + 8
	/* PD[2..5]: CPU 0's WP and demand areas, then CPU 1's. */
	movq $((2 << 21) | PDE_USER_RO), lm_pd0 + 16
	movq $0, lm_pd0 + 24
	movq $((4 << 21) | PDE_USER_RO), lm_pd0 + 32
	movq $0, lm_pd0 + 40
	orq $4, lm_pml4
	orq $4, lm_pdpt
	mov %cr3, %rax
	mov %rax, %cr3
	ret

/* This CPU's SYSCALL MSRs; eax = its LSTAR. */
setup_msrs:
	push %rax
	mov $MSR_EFER, %ecx
	rdmsr
	or $1, %eax /* SCE */
	wrmsr
	mov $MSR_STAR, %ecx
	xor %eax, %eax
	mov $0x00280018, %edx /* SYSRET base 0x28, SYSCALL CS 0x18 */
	wrmsr
	mov $MSR_LSTAR, %ecx
	pop %rax
	xor %edx, %edx
	wrmsr
	mov $MSR_FMASK, %ecx
	mov $0x200, %eax /* IF */
	xor %edx, %edx
	wrmsr
	ret

/* IDT[14] -> pf_entry (interrupt gate, kernel code); one IDT for both. */
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

/* INIT, 10 ms, STARTUP 0x09 (the trampoline at 0x9000); a second
 * STARTUP only if the AP is not up after 200 ms. */
start_ap:
	movl $(0x100 | V_SPURIOUS), LAPIC_SVR(%r15)
	mov $0x4500, %ecx /* INIT, level assert */
	call send_ipi_ap
	mov $MS(10), %ecx
	call lm_delay
	mov $(0x4600 | 0x09), %ecx
	call send_ipi_ap
	mov $ap_up, %edi
	mov $1, %esi
	mov $MS(200), %edx
	call lm_wait
	jnc 1f
	mov $(0x4600 | 0x09), %ecx
	call send_ipi_ap
	mov $ap_up, %edi
	mov $1, %esi
	mov $SEC(20), %edx
	call lm_wait
	jnc 1f
	FAIL "AP did not start"
1:	ret

/* ICR (SDM vol. 3 §10.6.1) to APIC ID 1: high dword first, the write
 * to the low dword sends; ecx = ICR low. */
send_ipi_ap:
1:	testl $(1 << 12), LAPIC_ICR_LO(%r15)
	jz 2f
	pause
	jmp 1b
2:	movl $(1 << 24), LAPIC_ICR_HI(%r15)
	mov %ecx, LAPIC_ICR_LO(%r15)
	ret

/*
 * #PF (SDM vol. 3 §6.15): only user-mode faults on PD[2..5] are
 * expected. idx - 2 = 2c + kind (kind 0 WP, 1 demand) for CPU c; the
 * frame's user RSP must be CPU c's user stack, or the fault reached the
 * wrong CPU. Frame after the three pushes: error 24, RIP 32, CS 40,
 * RFLAGS 48, RSP 56.
 */
pf_entry:
	push %rax
	push %rcx
	push %rdx
	testb $3, 40(%rsp)
	jz pf_bad
	mov %cr2, %rax
	shr $21, %rax
	cmp $2, %rax
	jb pf_bad
	cmp $5, %rax
	ja pf_bad
	lea -2(%rax), %rcx
	shr $1, %rcx /* c */
	mov user_stack_tops(, %rcx, 8), %rdx
	cmp 56(%rsp), %rdx
	jne pf_bad
	shl $21, %rax
	or $PDE_USER_RW, %rax
	mov %cr2, %rdx
	shr $21, %rdx
	mov %rax, lm_pd0(, %rdx, 8)
	test $1, %edx /* odd PD index: a demand area */
	jnz 1f
	testb $2, 24(%rsp) /* a WP fault is a write to a present page */
	jz pf_bad
	incq wp_faults(, %rcx, 8)
	jmp 2f
1:	incq demand_faults(, %rcx, 8)
2:	mov %cr2, %rax
	invlpg (%rax)
	pop %rdx
	pop %rcx
	pop %rax
	add $8, %rsp /* error code */
	iretq
pf_bad:
	call lock_print
	PUTS "syscall-smp: FAIL unexpected #PF cr2="
	mov %cr2, %rax
	PUTHEX %rax
	mov 32(%rsp), %rax
	PUTS " rip="
	PUTHEX %rax
	mov 56(%rsp), %rax
	PUTS " rsp="
	PUTHEX %rax
	PUTS "\n"
	jmp lm_halt

/*
 * The system call entries, alone on their supervisor page: r9 = the
 * CPU whose LSTAR led here. rax = call: 0 returns rdi * 3 + rsi +
 * (r9 << 32); 1 remaps this CPU's fault areas as at start; 3 done
 * (rdi = count); anything else a failure (rdi = index). Each checks
 * that RSP is this CPU's user stack: SYSCALL does not switch stacks.
 */
	.balign 4096
syscall_entry0:
	xor %r9d, %r9d
	jmp syscall_common
	.balign 64
syscall_entry1:
	mov $1, %r9d
syscall_common:
	cmp user_stack_tops(, %r9, 8), %rsp
	jne sys_misrouted
	test %rax, %rax
	jnz 1f
	lea (%rsi, %rdi, 2), %rax
	add %rdi, %rax
	mov %r9, %r10
	shl $32, %r10
	add %r10, %rax
	sysretq
1:	cmp $1, %rax
	je sys_remap
	cmp $3, %rax
	je sys_done
	jmp sys_fail
	.balign 4096

/* PD[2 + 2c] back to read-only, PD[3 + 2c] absent; local TLB flush
 * (the other CPU never touches these areas). */
sys_remap:
	lea 2(%r9, %r9), %rax
	mov %rax, %r10
	shl $21, %r10
	or $PDE_USER_RO, %r10
	mov %r10, lm_pd0(, %rax, 8)
	movq $0, lm_pd0 + 8(, %rax, 8)
	mov %cr3, %rax
	mov %rax, %cr3
	xor %eax, %eax
	sysretq

/* CPU c finished: record; the AP stops, the BSP waits for it and
 * reports both. */
sys_done:
	cmp $SYSCALLS, %rdi
	jne sys_fail
	mov %rdi, done_count(, %r9, 8)
	lock incl cpus_done
	test %r9, %r9
	jnz lm_halt
	mov $cpus_done, %edi
	mov $2, %esi
	mov $SEC(600), %edx
	call lm_wait
	jnc 1f
	FAIL "the AP did not finish"
1:	mov $(SYSCALLS / FAULT_EVERY), %eax
	cmp %rax, demand_faults
	jne sys_bad_faults
	cmp %rax, demand_faults + 8
	jne sys_bad_faults
	cmp %rax, wp_faults
	jne sys_bad_faults
	cmp %rax, wp_faults + 8
	jne sys_bad_faults
	call lock_print
	PUTS "syscall-smp: ok n0="
	PUTDEC done_count
	PUTS " n1="
	PUTDEC done_count + 8
	PUTS " demand0="
	PUTDEC demand_faults
	PUTS " demand1="
	PUTDEC demand_faults + 8
	PUTS " wp0="
	PUTDEC wp_faults
	PUTS " wp1="
	PUTDEC wp_faults + 8
	PUTS "\n"
	jmp lm_halt

sys_bad_faults:
	FAIL "fault counts differ from 100 each"

sys_misrouted:
	call lock_print
	PUTS "syscall-smp: FAIL cpu "
	PUTDEC %r9
	PUTS " entered with rsp="
	PUTHEX %rsp
	PUTS "\n"
	jmp lm_halt

sys_fail:
	call lock_print
	PUTS "syscall-smp: FAIL cpu "
	PUTDEC %r9
	PUTS " at call "
	PUTDEC %rdi
	PUTS " rax="
	PUTHEX %rax
	PUTS "\n"
	jmp lm_halt

/* One failure line at a time; never released (the CPU halts). */
lock_print:
	push %rax
1:	mov $1, %eax
	xchg %eax, print_lock
	test %eax, %eax
	jz 2f
	pause
	jmp 1b
2:	pop %rax
	ret

/* ---- user mode: rbp = CPU number, r12 = call index ----------------
 * r13/r14 (lm.h's IOAPIC and HPET bases) are free here: no kernel path
 * of this guest uses them after user mode starts. */
	.balign 4096
user_main:
	xor %r12d, %r12d
	mov %rbp, %r13
	shl $24, %r13 /* per-CPU argument bits */
	mov %rbp, %r14
	shl $32, %r14 /* what the kernel adds for this CPU */
1:	mov %r12, %rdi
	mov %r12, %rsi
	xor $0x5a5a5a, %rsi
	xor %r13, %rsi
	xor %eax, %eax
	syscall
	lea (%r12, %r12, 2), %rbx
	mov %r12, %rcx
	xor $0x5a5a5a, %rcx
	xor %r13, %rcx
	add %rcx, %rbx
	add %r14, %rbx
	cmp %rbx, %rax
	jne 8f
	inc %r12
	mov %r12, %rax
	xor %edx, %edx
	mov $FAULT_EVERY, %ecx
	div %rcx
	test %rdx, %rdx
	jnz 2f
	mov $1, %eax /* remap, then fault on both own areas */
	syscall
	lea 2(%rbp, %rbp), %rax
	shl $21, %rax /* this CPU's WP area */
	mov 0x200000(%rax), %rcx /* its demand area: read */
	mov %r12, (%rax)
	cmp %r12, (%rax)
	jne 8f
2:	cmp $SYSCALLS, %r12
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
smp_tag:
	.asciz "syscall-smp:"

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
	.quad 0, 0               /* 0x40 CPU 0's TSS, filled at run time */
	.quad 0, 0               /* 0x50 CPU 1's TSS */
gdt64_end:
gdt64_ptr:
	.word gdt64_end - gdt64 - 1
	.quad gdt64
	.balign 8
user_stack_tops:
	.quad USER_STACK0, USER_STACK1
demand_faults: .quad 0, 0
wp_faults: .quad 0, 0
done_count: .quad 0, 0
ap_up: .long 0
cpus_done: .long 0
print_lock: .long 0
	.balign 4096
pt0:
	.fill 512, 8, 0

	.section .bss
	.balign 4096
tss0:
	.skip 4096
tss1:
	.skip 4096
	.skip 8192
kstack0_top:
	.skip 8192
kstack1_top:
