/*
 * testdev: a Multiboot 1 test kernel written the way kernels for QEMU
 * are (README.md "Test devices"), an ELF32 i386 image linked by
 * multiboot.ld; the same code is also built as an ELF32 x86-64 image
 * (testdev-x64.elf) and, with AOUT_KLUDGE, as a flat file the header
 * places (testdev-aout.bin). In flat 32-bit protected mode, interrupts
 * off, it
 *   - prints its command line and every module's string and bytes,
 *   - reads fw_cfg (ports 0x510/0x511): signature, CPU counts, RAM, the
 *     command line and a selector no item has,
 *   - raises ISA line 5 and GSI 19 through pc-testdev (port 0x2000+n)
 *     and checks each vector reaches the LAPIC's IRR through the
 *     IOAPIC (no handler runs: the guest never enables interrupts),
 *   - ends with "td: done" and writes the N of "status=N" on its command
 *     line to the exit port (isa-debug-exit at 0xf4, 4 bytes), or 0x7f
 *     after any "td: FAIL" line.
 * Each check prints one line; the test (tests/test_testdev.c) reads
 * them from the domain's log and the status from the domain info.
 */
#include "guest.h"
#include "pm32.h"

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory info */
#define MB_AOUT 0x00010000  /* addresses in the header (a.out kludge) */

#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24

#define FWCFG_SEL 0x510
#define FWCFG_DATA 0x511
#define EXIT_PORT 0xf4
#define TESTDEV_IRQ 0x2000

#define IOAPIC 0xfec00000
#define LAPIC 0xfee00000
#define LAPIC_SVR 0x0f0
#define LAPIC_IRR 0x200

#define V_ISA5 0x45
#define V_GSI19 0x46
#define CMDBUF 256

/* One "td: FAIL text" line; failures counted for the exit status. */
.macro FAIL_LINE text
	PM_PUTS "td: FAIL \text\n"
	incl failures
.endm


	.section .text.start, "ax"
	.code32
	.p2align 2
mb_header:
#ifdef AOUT_KLUDGE
	/* testdev-aout.bin: a flat file placed by the header (§3.1.3). */
	.long MB_MAGIC
	.long MB_FLAGS | MB_AOUT
	.long -(MB_MAGIC + (MB_FLAGS | MB_AOUT))
	.long mb_header	/* header_addr */
	.long mb_header	/* load_addr: the file starts with the header */
	.long 0		/* load_end_addr: the whole file */
	.long 0		/* bss_end_addr: no bss beyond the file */
	.long _start	/* entry_addr */
#else
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
#endif

	.globl _start
_start:
	cli
	mov $stack_top, %esp
	mov %ebx, %ebp
	cmp $0x2badb002, %eax
	je 1f
	FAIL_LINE "bad magic"
	jmp 2f
1:	PM_PUTS "td: cmdline=["
	mov MBI_CMDLINE(%ebp), %esi
	call pm_puts
	PM_PUTS "]\n"
	call print_modules
	call probe_widths
	call check_fwcfg
	mov $5, %ecx
	mov $V_ISA5, %eax
	call check_line
	mov $19, %ecx
	mov $V_GSI19, %eax
	call check_line
	PM_PUTS "td: done\n"
2:	call exit_status
	outl %eax, $EXIT_PORT
	/* Only reached without an exit device. */
	PM_PUTS "td: still running after the exit write\n"
1:	hlt
	jmp 1b

/* "td: module N [string] data=[bytes]" for each module. */
print_modules:
	PM_PUTS "td: modules="
	mov MBI_MODS_COUNT(%ebp), %eax
	call pm_putdec
	PM_PUTS "\n"
	mov MBI_MODS_ADDR(%ebp), %ebx
	xor %edx, %edx
1:	cmp MBI_MODS_COUNT(%ebp), %edx
	jae 2f
	PM_PUTS "td: module "
	mov %edx, %eax
	call pm_putdec
	PM_PUTS " ["
	mov 8(%ebx), %esi
	call pm_puts
	PM_PUTS "] data=["
	mov 0(%ebx), %esi
	mov 4(%ebx), %ecx
	sub %esi, %ecx
	call pm_putn
	PM_PUTS "]\n"
	add $16, %ebx
	inc %edx
	jmp 1b
2:	ret

/*
 * Every width the guest can use at every test port but the exit port:
 * 2- and 4-byte accesses to the lines and to fw_cfg are refused by
 * QEMU's regions (reads 0, writes ignored), byte reads of the lines
 * give 0 too. The checks after this one show nothing moved.
 */
probe_widths:
	mov $TESTDEV_IRQ, %edx
1:	mov $0xffffffff, %eax
	outw %ax, %dx
	outl %eax, %dx
	inb %dx, %al
	movzbl %al, %eax
	call probe_zero
	inw %dx, %ax
	movzwl %ax, %eax
	call probe_zero
	inl %dx, %eax
	call probe_zero
	inc %edx
	cmp $TESTDEV_IRQ + 24, %edx
	jb 1b
	mov $FWCFG_SEL, %edx
2:	inw %dx, %ax
	movzwl %ax, %eax
	call probe_zero
	inl %dx, %eax
	call probe_zero
	mov $0, %eax
	outl %eax, %dx
	inc %edx
	cmp $FWCFG_DATA, %edx
	jbe 2b
	cmpl $0, failures
	jne 3f
	PM_PUTS "td: probe ok\n"
3:	ret

/* A FAIL line naming port dx unless eax (what it read) is 0. */
probe_zero:
	test %eax, %eax
	jz 1f
	PM_PUTS "td: port 0x"
	push %eax
	mov %edx, %eax
	call pm_puthex
	pop %eax
	PM_PUTS " read 0x"
	call pm_puthex
	PM_PUTS "\n"
	FAIL_LINE "a refused access read non-zero"
1:	ret

/* Select fw_cfg item ax (fw_cfg.rst: a 16-bit write to the selector). */
fw_select:
	push %edx
	mov $FWCFG_SEL, %dx
	outw %ax, %dx
	pop %edx
	ret

/* eax = the next ecx (1-4) bytes of the item, little-endian. */
fw_read:
	push %ecx
	push %edx
	push %edi
	movl $0, fwtmp
	mov $fwtmp, %edi
	call fw_bytes
	mov fwtmp, %eax
	pop %edi
	pop %edx
	pop %ecx
	ret

/* The next ecx bytes of the item to edi, one inb each. */
fw_bytes:
	push %eax
	push %edx
	mov $FWCFG_DATA, %dx
1:	test %ecx, %ecx
	jz 2f
	inb %dx, %al
	stosb
	dec %ecx
	jmp 1b
2:	pop %edx
	pop %eax
	ret

check_fwcfg:
	PM_PUTS "td: fw_cfg sig="
	mov $0x00, %ax
	call fw_select
	mov $4, %ecx
	call fw_read
	mov %eax, sigbuf
	mov $sigbuf, %esi
	call pm_puts
	PM_PUTS " id="
	mov $0x01, %ax
	call fw_select
	mov $4, %ecx
	call fw_read
	call pm_putdec
	PM_PUTS " cpus="
	mov $0x05, %ax
	call fw_select
	mov $2, %ecx
	call fw_read
	call pm_putdec
	PM_PUTS " max_cpus="
	mov $0x0f, %ax
	call fw_select
	mov $2, %ecx
	call fw_read
	call pm_putdec
	PM_PUTS " ram_mib="
	mov $0x03, %ax
	call fw_select
	mov $4, %ecx
	call fw_read
	shr $20, %eax
	call pm_putdec
	PM_PUTS "\n"
	call fw_cmdline
	/* A selector no item has reads as zeroes. */
	mov $0x1234, %ax
	call fw_select
	mov $4, %ecx
	call fw_read
	PM_PUTS "td: fw_cfg unknown=0x"
	call pm_puthex
	PM_PUTS "\n"
	ret

/* FW_CFG_CMDLINE_SIZE bytes of FW_CFG_CMDLINE_DATA into cmdbuf. */
fw_cmdline:
	mov $0x14, %ax
	call fw_select
	mov $4, %ecx
	call fw_read
	cmp $CMDBUF, %eax
	jbe 1f
	FAIL_LINE "fw_cfg command line longer than the buffer"
	ret
1:	mov %eax, %ecx
	mov $0x15, %ax
	call fw_select
	mov $cmdbuf, %edi
	call fw_bytes
	PM_PUTS "td: fw_cfg cmdline=["
	mov $cmdbuf, %esi
	call pm_puts
	PM_PUTS "]\n"
	ret

/*
 * Route line ecx to vector al through IOAPIC pin ecx (82093AA §3.2.4:
 * redirection entry at index 0x10 + 2n, fixed, edge, physical APIC ID
 * 0), raise it through pc-testdev, look for the vector in the LAPIC's
 * IRR (SDM vol. 3 §10.8.4: bit v%32 of the register at 0x200 +
 * 0x10*(v/32)), then lower the line again.
 */
check_line:
	movl $0x1ff, LAPIC + LAPIC_SVR
	lea 0x10(,%ecx,2), %edx
	mov %edx, IOAPIC
	movzbl %al, %ebx
	mov %ebx, IOAPIC + 0x10
	inc %edx
	mov %edx, IOAPIC
	movl $0, IOAPIC + 0x10
	lea TESTDEV_IRQ(%ecx), %edx
	push %eax
	mov $1, %al
	outb %al, %dx
	pop %eax
	mov %ebx, %eax
	shr $5, %eax
	shl $4, %eax
	mov LAPIC + LAPIC_IRR(%eax), %eax
	bt %ebx, %eax /* bit offset taken mod 32 for a register */
	sbb %edi, %edi /* -1: the vector is pending */
	xor %al, %al
	outb %al, %dx
	PM_PUTS "td: line "
	mov %ecx, %eax
	call pm_putdec
	PM_PUTS " vector 0x"
	mov %ebx, %eax
	call pm_puthex
	test %edi, %edi
	jnz 1f
	PM_PUTS " missing from the IRR\n"
	FAIL_LINE "line did not reach the LAPIC"
	ret
1:	PM_PUTS " in IRR\n"
	ret

/* eax = N from "status=N" on the command line; 0x7f after failures. */
exit_status:
	mov $0x7f, %eax
	cmpl $0, failures
	jne 9f
	mov MBI_CMDLINE(%ebp), %esi
1:	cmpb $0, (%esi)
	je 8f
	cmpl $0x74617473, (%esi) /* "stat" */
	jne 2f
	cmpw $0x7375, 4(%esi) /* "us" */
	jne 2f
	cmpb $'=', 6(%esi)
	je 3f
2:	inc %esi
	jmp 1b
3:	add $7, %esi
	xor %eax, %eax
4:	movzbl (%esi), %ecx
	sub $'0', %ecx
	cmp $9, %ecx
	ja 9f
	imul $10, %eax, %eax
	add %ecx, %eax
	inc %esi
	jmp 4b
8:	PM_PUTS "td: FAIL no status= on the command line\n"
	mov $0x7f, %eax
9:	ret

	pm32_routines

	.section .data
failures:
	.long 0
sigbuf:
	.long 0, 0
fwtmp:
	.long 0

	.section .bss
cmdbuf:
	.skip CMDBUF + 1
	.balign 16
	.skip 1024
stack_top:
