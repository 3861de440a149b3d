/*
 * pvh: a PVH test guest. The image is an ELF64 (as Linux's vmlinux)
 * whose Xen PHYS32_ENTRY note names pvh_start; the builder enters it in
 * flat 32-bit protected mode with EBX pointing at struct hvm_start_info
 * (Xen's public/arch-x86/hvm/start_info.h). It prints what it was
 * given: the magic, the command line, the number of memory map entries,
 * the RSDP signature and the first module's bytes, then "pvh: done".
 */
#include "guest.h"
#include "pm32.h"

/* hvm_start_info offsets. */
#define SI_MAGIC 0
#define SI_NR_MODULES 12
#define SI_MODLIST 16
#define SI_CMDLINE 24
#define SI_RSDP 32
#define SI_MEMMAP_ENTRIES 48

	.section .note.Xen, "a"
	.p2align 2
	.long 4		/* namesz */
	.long 4		/* descsz */
	.long 18	/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start

	.section .text.start, "ax"
	.code32
	.globl _start
_start:
pvh_start:
	cli
	mov $stack_top, %esp
	mov %ebx, %ebp
	PM_PUTS "pvh: magic=0x"
	mov SI_MAGIC(%ebp), %eax
	call pm_puthex
	PM_PUTS "\npvh: cmdline=["
	mov SI_CMDLINE(%ebp), %esi
	call pm_puts
	PM_PUTS "]\npvh: memmap entries="
	mov SI_MEMMAP_ENTRIES(%ebp), %eax
	call pm_putdec
	PM_PUTS "\npvh: rsdp="
	mov SI_RSDP(%ebp), %esi
	mov $8, %ecx
	call pm_putn
	PM_PUTS "\npvh: modules="
	mov SI_NR_MODULES(%ebp), %eax
	call pm_putdec
	PM_PUTS "\n"
	test %eax, %eax
	jz 1f
	mov SI_MODLIST(%ebp), %ebx
	PM_PUTS "pvh: module=["
	mov 0(%ebx), %esi	/* paddr */
	mov 8(%ebx), %ecx	/* size */
	call pm_putn
	PM_PUTS "]\n"
1:	PM_PUTS "pvh: done\n"
	halt_forever

	pm32_routines

	.section .bss
	.balign 16
	.skip 1024
stack_top:
