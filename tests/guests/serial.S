/*
 * serial: the device-model guest (tests/test_dm.c), in 64-bit long mode
 * (lm.h) so that it can take interrupts on PVM hosts. The command line
 * picks the test; results go to the debug port (kxl dmesg):
 *
 *   echo      program COM1 (16550A, TI PC16550D datasheet) for 115200
 *             8N1 with FIFOs, print the banner "serial: echo ready"
 *             through it, then echo every received byte from the RDA
 *             interrupt (ISA IRQ 4 -> IOAPIC GSI 4, PIC masked)
 *   seq       write 1..100000 to the DM's sequence checker (port
 *             0x500), then print "seq: writes=W bad=B"
 *   buf       the same with 2000 writes to its buffered lane (0x508,
 *             more than the 511-slot ring holds): "buf: writes=W bad=B"
 *   spin      print "serial: spin" and read COM1's LSR forever
 */
#include "lm.h"

#define COM1 0x3f8
#define UART_RBR 0
#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

#define SEQ_PORT 0x500
#define BUF_PORT 0x508
#define SEQ_COUNT 100000
#define BUF_COUNT 2000

#define V_UART 0x34
#define V_SPURIOUS 0xff

	.text
main:
	HANDLER V_SPURIOUS, lm_ignore
	mov $CMDLINE_ADDR, %esi
	mov (%rsi), %eax
	cmp $0x6f686365, %eax /* "echo" */
	je t_echo
	and $0xffffff, %eax
	cmp $0x716573, %eax /* "seq" */
	je t_seq
	cmp $0x667562, %eax /* "buf" */
	je t_buf
	mov (%rsi), %eax
	cmp $0x6e697073, %eax /* "spin" */
	je t_spin
	PUTS "serial: FAIL unknown test\n"
	jmp lm_halt

/* al -> COM1, waiting for THRE (polled: the transmitter is fast). */
uart_putc:
	push %rdx
	push %rax
	mov $(COM1 + UART_LSR), %dx
1:	inb %dx, %al
	test $LSR_THRE, %al
	jz 1b
	pop %rax
	mov $(COM1 + UART_THR), %dx
	outb %al, %dx
	pop %rdx
	ret

/* The NUL-terminated string at rsi -> COM1. */
uart_puts:
	push %rax
	push %rsi
1:	lodsb
	test %al, %al
	jz 2f
	call uart_putc
	jmp 1b
2:	pop %rsi
	pop %rax
	ret

/* 115200 8N1 (divisor 1), FIFOs on and cleared, RX trigger 1 byte. */
uart_init:
	mov $(COM1 + UART_LCR), %dx
	mov $0x80, %al /* DLAB */
	outb %al, %dx
	mov $(COM1 + UART_DLL), %dx
	mov $1, %al
	outb %al, %dx
	mov $(COM1 + UART_DLM), %dx
	xor %al, %al
	outb %al, %dx
	mov $(COM1 + UART_LCR), %dx
	mov $0x03, %al /* 8N1, DLAB off */
	outb %al, %dx
	mov $(COM1 + UART_FCR), %dx
	mov $0x07, %al
	outb %al, %dx
	mov $(COM1 + UART_MCR), %dx
	mov $0x0b, %al /* DTR, RTS, OUT2 (gates the IRQ on PCs) */
	outb %al, %dx
	ret

t_echo:
	HANDLER V_UART, h_uart
	mov $0xff, %al /* both 8259As masked: the IOAPIC delivers */
	outb %al, $0x21
	outb %al, $0xa1
	movl $(0x100 | V_SPURIOUS), LAPIC_SVR(%r15)
	movl $0, LAPIC_TPR(%r15)
	mov $4, %ecx
	mov $V_UART, %eax /* fixed, physical, edge, active high */
	call lm_ioapic_route
	call uart_init
	mov $banner, %esi
	call uart_puts
	mov $(COM1 + UART_IER), %dx
	mov $0x01, %al /* received data available */
	outb %al, %dx
	PUTS "serial: echo ready\n"
	sti
1:	hlt
	jmp 1b

/* RDA: echo every byte the FIFO holds, then EOI the LAPIC. */
h_uart:
	mov $(COM1 + UART_IIR), %dx
	inb %dx, %al
1:	mov $(COM1 + UART_LSR), %dx
	inb %dx, %al
	test $LSR_DR, %al
	jz 2f
	mov $(COM1 + UART_RBR), %dx
	inb %dx, %al
	call uart_putc
	jmp 1b
2:	movl $0, LAPIC_EOI(%r15)
	ret

/* Write 1..ecx to port dx, then report writes and bad from the lane. */
seq_run:
	mov %ecx, %r8d
	mov $1, %eax
1:	outl %eax, %dx
	inc %eax
	cmp %r8d, %eax
	jbe 1b
	inl %dx, %eax
	mov %eax, %r9d
	add $4, %dx
	inl %dx, %eax
	PUTS " writes="
	PUTDEC %r9
	PUTS " bad="
	PUTDEC %rax
	PUTS "\n"
	jmp lm_halt

t_seq:
	PUTS "seq:"
	mov $SEQ_PORT, %dx
	mov $SEQ_COUNT, %ecx
	jmp seq_run

t_buf:
	PUTS "buf:"
	mov $BUF_PORT, %dx
	mov $BUF_COUNT, %ecx
	jmp seq_run

t_spin:
	PUTS "serial: spin\n"
	mov $(COM1 + UART_LSR), %dx
1:	inb %dx, %al
	jmp 1b

	.section .rodata
banner:
	.asciz "kxen serial: echo ready\r\n"
