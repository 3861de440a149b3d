/*
 * multiboot: a Multiboot 1 test guest (Multiboot Specification 0.6.96),
 * an ELF32 i386 image with the header at the start of its code. Entered
 * in flat 32-bit protected mode with EAX = 0x2BADB002 and EBX = the
 * multiboot_info (§3.2, §3.3), it prints the magic check, the flags,
 * mem_lower/mem_upper, the command line, every mmap entry and the first
 * module's string and bytes, then "mb: done".
 */
#include "guest.h"
#include "pm32.h"

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory info */

/* multiboot_info offsets (§3.3). */
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48

	.section .text.start, "ax"
	.code32
	.p2align 2
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.globl _start
_start:
	cli
	mov $stack_top, %esp
	mov %ebx, %ebp
	cmp $0x2badb002, %eax
	jne bad_magic
	PM_PUTS "mb: magic ok\nmb: flags=0x"
	mov MBI_FLAGS(%ebp), %eax
	call pm_puthex
	PM_PUTS "\nmb: mem_lower="
	mov MBI_MEM_LOWER(%ebp), %eax
	call pm_putdec
	PM_PUTS " mem_upper="
	mov MBI_MEM_UPPER(%ebp), %eax
	call pm_putdec
	PM_PUTS "\nmb: cmdline=["
	mov MBI_CMDLINE(%ebp), %esi
	call pm_puts
	PM_PUTS "]\n"
	call print_mmap
	call print_module
	PM_PUTS "mb: done\n"
	halt_forever

bad_magic:
	PM_PUTS "mb: bad magic\n"
	halt_forever

/* Each entry: size (of the rest), base (64), length (64), type. */
print_mmap:
	mov MBI_MMAP_ADDR(%ebp), %ebx
	mov MBI_MMAP_LENGTH(%ebp), %edi
	add %ebx, %edi
1:	cmp %edi, %ebx
	jae 2f
	PM_PUTS "mb: mmap base=0x"
	mov 8(%ebx), %eax
	call pm_puthex
	mov 4(%ebx), %eax
	call pm_puthex
	PM_PUTS " len=0x"
	mov 16(%ebx), %eax
	call pm_puthex
	mov 12(%ebx), %eax
	call pm_puthex
	PM_PUTS " type="
	mov 20(%ebx), %eax
	call pm_putdec
	PM_PUTS "\n"
	mov 0(%ebx), %eax
	lea 4(%ebx, %eax), %ebx
	jmp 1b
2:	ret

/* mod_start, mod_end, string of the first module. */
print_module:
	PM_PUTS "mb: modules="
	mov MBI_MODS_COUNT(%ebp), %eax
	call pm_putdec
	PM_PUTS "\n"
	test %eax, %eax
	jz 1f
	mov MBI_MODS_ADDR(%ebp), %ebx
	PM_PUTS "mb: module ["
	mov 8(%ebx), %esi
	call pm_puts
	PM_PUTS "] data=["
	mov 0(%ebx), %esi
	mov 4(%ebx), %ecx
	sub %esi, %ecx
	call pm_putn
	PM_PUTS "]\n"
1:	ret

	pm32_routines

	.section .bss
	.balign 16
	.skip 1024
stack_top:
