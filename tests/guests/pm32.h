/*
 * 32-bit protected-mode output helpers for the boot-protocol test
 * guests (pvh.S, multiboot.S), which are entered in flat 32-bit mode by
 * the builder and never leave it. GNU as, included after guest.h; C
 * comments only. Every routine preserves every register but the ones it
 * documents (esi/ecx advance).
 *
 *   pm_puts    print the NUL-terminated string at esi
 *   pm_putn    print at most ecx bytes at esi, stopping at a NUL
 *   pm_puthex  print eax as 8 hex digits
 *   pm_putdec  print eax in decimal
 *   PM_PUTS "text"   print a literal
 */
#ifndef KXEN_PM32_H
#define KXEN_PM32_H

.macro PM_PUTS str
	.pushsection .rodata
.Lpm\@:
	.asciz "\str"
	.popsection
	push %esi
	mov $.Lpm\@, %esi
	call pm_puts
	pop %esi
.endm

.macro pm32_routines
	.code32
	puts_fn pm_puts_al	/* clobbers al */
pm_puts:
	push %eax
	call pm_puts_al
	pop %eax
	ret

pm_putn:
	push %eax
	push %edx
	mov $DEBUG_PORT, %dx
1:	test %ecx, %ecx
	jz 2f
	lodsb
	test %al, %al
	jz 2f
	outb %al, %dx
	dec %ecx
	jmp 1b
2:	pop %edx
	pop %eax
	ret

pm_puthex:
	push %eax
	push %ebx
	push %ecx
	push %edx
	mov %eax, %ebx
	mov $8, %ecx
	mov $DEBUG_PORT, %dx
1:	rol $4, %ebx
	mov %ebx, %eax
	and $0xf, %eax
	cmp $10, %al
	jb 2f
	add $('a' - '0' - 10), %al
2:	add $'0', %al
	outb %al, %dx
	loop 1b
	pop %edx
	pop %ecx
	pop %ebx
	pop %eax
	ret

pm_putdec:
	push %eax
	push %ebx
	push %ecx
	push %edx
	mov $10, %ebx
	xor %ecx, %ecx
1:	xor %edx, %edx
	div %ebx
	push %edx
	inc %ecx
	test %eax, %eax
	jnz 1b
	mov $DEBUG_PORT, %dx
2:	pop %eax
	add $'0', %al
	outb %al, %dx
	loop 2b
	pop %edx
	pop %ecx
	pop %ebx
	pop %eax
	ret
.endm

#endif
