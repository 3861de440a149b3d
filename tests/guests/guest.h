/*
 * Shared definitions for the kxen test guests (GNU as, included from the
 * .S files after the C preprocessor ran). Only C comments in here: '#'
 * would be read as a preprocessor directive.
 *
 * The loader contract (README.md): the image sits at 0x8000 and starts in
 * real mode with CS=DS=ES=SS=0, SP=0x7c00 and interrupts off; the command
 * line is a NUL-terminated string at 0x6000. Each byte written to port
 * 0xE9 goes to the domain's console log.
 *
 * Every instruction a guest runs at CPL0 may be emulated (about 2M/s on
 * PVM hosts), so the guests are short straight-line code and never take
 * an interrupt: no IDT is needed and none is loaded.
 */
#ifndef KXEN_GUEST_H
#define KXEN_GUEST_H

#define DEBUG_PORT 0xe9
#define CMDLINE_ADDR 0x6000
#define STACK_TOP 0x7c00

/* Identity-map page tables for long mode, below the command line. */
#define PML4_ADDR 0x1000
#define PDPT_ADDR 0x2000
#define PD_ADDR 0x3000

/* Selectors into the GDT built by GUEST_GDT. */
#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18

#define CR0_PE 0x00000001
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100
#define PTE_P_RW 0x003
#define PDE_2M_P_RW 0x083 /* present, writable, PS: a 2 MiB page */

/*
 * puts_fn NAME: emit a routine printing the NUL-terminated string at
 * (e/r)si to the debug port. The same source assembles correctly under
 * .code16, .code32 and .code64 (lodsb and ret pick the mode's widths),
 * so each guest instantiates it once per mode it prints from.
 */
.macro puts_fn name
\name:
	push %dx
	mov $DEBUG_PORT, %dx
1:	lodsb
	test %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b
2:	pop %dx
	ret
.endm

/*
 * guest_gdt: a flat GDT (Intel SDM vol. 3 §3.4.5): 32-bit code, data and
 * 64-bit code (L=1, D=0), all base 0, limit 4 GiB, plus the 6-byte
 * pseudo-descriptor that lgdt loads.
 */
.macro guest_gdt
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff /* 0x08: code, 32-bit, DPL0 */
	.quad 0x00cf92000000ffff /* 0x10: data, writable */
	.quad 0x00af9a000000ffff /* 0x18: code, 64-bit (L) */
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt
.endm

/*
 * real_to_protected TARGET (from real mode): enter 32-bit protected mode per
 * Intel SDM vol. 3 §9.9.1: interrupts are already off, load the GDT, set
 * CR0.PE, then a far jump, which both serialises and loads CS with a
 * 32-bit code descriptor. Continues in .code32 at TARGET with flat data
 * segments and the stack at STACK_TOP.
 */
.macro real_to_protected target
	.code16
	lgdtl gdt_ptr
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $SEL_CODE32, $\target
	.code32
\target:
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %fs
	mov %ax, %gs
	mov %ax, %ss
	mov $STACK_TOP, %esp
.endm

/*
 * protected_to_long TARGET (from protected mode): enter IA-32e mode per Intel SDM
 * vol. 3 §9.8.5: build identity-mapped page tables (first 1 GiB in 2 MiB
 * pages, which is all a test guest touches), point CR3 at them, set
 * CR4.PAE (long mode requires PAE paging), set EFER.LME, then set CR0.PG,
 * which activates long mode (EFER.LMA) while still running 32-bit
 * compatibility code; the far jump through a 64-bit (L=1) code descriptor
 * finally leaves compatibility mode. Continues in .code64 at TARGET.
 */
.macro protected_to_long target
	.code32
	/* Clear the three tables: unused entries must not be present. */
	mov $PML4_ADDR, %edi
	mov $(3 * 4096 / 4), %ecx
	xor %eax, %eax
	cld
	rep stosl
	movl $(PDPT_ADDR | PTE_P_RW), PML4_ADDR
	movl $(PD_ADDR | PTE_P_RW), PDPT_ADDR
	/* 512 PDEs of 2 MiB each: PD[i] = i * 2 MiB | P | RW | PS. */
	mov $PD_ADDR, %edi
	mov $PDE_2M_P_RW, %eax
	mov $512, %ecx
3:	mov %eax, (%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 3b
	mov $PML4_ADDR, %eax
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
	ljmp $SEL_CODE64, $\target
	.code64
\target:
	mov $STACK_TOP, %esp
.endm

/* halt_forever: stop for good; cli first so nothing can wake the vCPU. */
.macro halt_forever
4:	cli
	hlt
	jmp 4b
.endm

#endif
