/*
 * National Semiconductor / TI 16550A UART register model (datasheet:
 * TI PC16550D). Knows no bus and no event loop (STYLE.md practice 3):
 * bytes leave through a backend callback, the interrupt line through
 * set_irq, received bytes arrive with uart_rx(). COM1 is 0x3f8 IRQ 4,
 * COM2 0x2f8 IRQ 3 (the DM wires that).
 *
 * Registers (offset 0-7; DLAB = LCR bit 7): RBR/THR, IER, IIR/FCR, LCR,
 * MCR, LSR, MSR, SCR; DLL/DLM with DLAB. 16-byte RX and TX FIFOs when
 * FCR bit 0 is set, RX trigger levels 1/4/8/14, character timeout,
 * THRE and RDA/timeout and line-status and modem-status interrupts with
 * IIR priorities, loopback (MCR bit 4: TX to RX, MCR outputs to MSR
 * inputs), OUT2 gating the IRQ line as on PC serial ports.
 *
 * Not thread-safe: the DM's event loop owns it.
 */
#ifndef KXEN_DM_UART16550_H
#define KXEN_DM_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uart;

struct uart_ops {
	/* A byte the guest transmitted (not in loopback). */
	void (*tx)(void *ctx, uint8_t byte);
	/* The interrupt line's level changed. */
	void (*set_irq)(void *ctx, bool level);
};

struct uart *uart_create(const struct uart_ops *ops, void *ctx);
void uart_destroy(struct uart *u);
void uart_reset(struct uart *u);

/* Register access; offset 0-7 from the base port. Widths other than 1
 * act on the byte at that offset (reads fill upper bytes with 0xff). */
int uart_io(void *opaque, uint64_t offset, unsigned size, bool is_write,
	    uint64_t *val);

/* Bytes from the outside world; returns how many fit (FIFO/RBR). */
size_t uart_rx(struct uart *u, const uint8_t *buf, size_t len);
size_t uart_rx_space(struct uart *u);
/* One byte that the caller cannot keep any longer (its own buffer is
 * full): taken like uart_rx when there is room, else an overrun (LSR
 * OE; without FIFOs the byte replaces RBR, with FIFOs it is lost). */
void uart_rx_overrun(struct uart *u, uint8_t byte);

/* Time passes (for the character timeout): ns since the last call. */
void uart_tick(struct uart *u, uint64_t ns);

struct uart_save {
	uint8_t rx_fifo[16];
	uint8_t rx_count, rx_head;
	uint8_t ier, iir_thri_pending, fcr, lcr, mcr, lsr, msr, scr;
	uint8_t dll, dlm, timeout_pending, pad[3];
};
_Static_assert(sizeof(struct uart_save) == 32, "uart save layout");

void uart_save(struct uart *u, struct uart_save *out);
int uart_load(struct uart *u, const struct uart_save *in);

#endif
