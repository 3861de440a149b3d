/*
 * stat: known numbers of exits of each kind, for `kxl stat` (issue 6,
 * tests/test_stat.c). In 64-bit long mode (lm.h), interrupts off:
 *
 *   port 0x61 (in-core "port61")            500 reads
 *   COM1 scratch register 0x3ff (kxen-dm)   300 writes + 300 reads, each
 *                                           read must return the write
 *   port 0x2fa (no COM2 configured)         200 reads, all ones
 *   HPET capabilities (in-core MMIO)        100 reads
 *   kxen-dm's benchmmio page (0xd0000000)   100 writes + 100 reads, each
 *                                           read must return the write
 *   0xfeb00000 (nobody's MMIO)              100 reads, all ones
 *
 * then "stat: done" or "stat: FAIL ...".
 */
#include "lm.h"

#define NR_CORE_PORT 500
#define NR_DM 300
#define NR_UNCLAIMED_PORT 200
#define NR_CORE_MMIO 100
#define NR_UNCLAIMED_MMIO 100
#define NR_DM_MMIO 100
#define DM_MMIO 0xd0000000 /* dm/dev/scratch_mmio.h */
#define UART_SCR 0x3ff /* COM1 + 7, 16550 scratch register */
#define EMPTY_PORT 0x2fa
#define EMPTY_MMIO 0xfeb00000

	.text
main:
	movq $stat_tag, lm_tag
	mov $NR_CORE_PORT, %ecx
1:	inb $0x61, %al
	loop 1b

	mov $NR_DM, %ecx
	mov $UART_SCR, %dx
2:	mov %cl, %al
	outb %al, %dx
	xor %eax, %eax
	inb %dx, %al
	cmp %cl, %al
	jne fail_dm
	loop 2b

	mov $NR_UNCLAIMED_PORT, %ecx
	mov $EMPTY_PORT, %dx
3:	inb %dx, %al
	cmp $0xff, %al
	jne fail_port
	loop 3b

	mov $NR_CORE_MMIO, %ecx
4:	mov (%r13), %eax /* HPET GCAP_ID low dword */
	loop 4b

	mov $NR_UNCLAIMED_MMIO, %ecx
	mov $EMPTY_MMIO, %esi
5:	mov (%rsi), %eax
	cmp $0xffffffff, %eax
	jne fail_mmio
	loop 5b

	mov $NR_DM_MMIO, %ecx
	mov $DM_MMIO, %esi
6:	mov %ecx, (%rsi)
	mov (%rsi), %eax
	cmp %ecx, %eax
	jne fail_dm_mmio
	loop 6b

	PUTS "stat: done\n"
	jmp lm_halt

fail_dm:
	FAIL "scratch register did not read back"
fail_port:
	FAIL "unclaimed port did not read all ones"
fail_mmio:
	FAIL "unclaimed MMIO did not read all ones"
fail_dm_mmio:
	FAIL "the DM's MMIO page did not read back"

	.section .rodata
stat_tag:
	.asciz "stat:"
