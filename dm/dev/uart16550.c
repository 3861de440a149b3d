/*
 * 16550A UART register model. Datasheet: TI PC16550D ("PC16550D Universal
 * Asynchronous Receiver/Transmitter with FIFOs"); section numbers below
 * are that datasheet's §8 (Registers).
 *
 * The transmitter is ideal: a byte written to THR leaves through ops->tx
 * at once, so THR and the TX FIFO are always empty (LSR THRE and TEMT
 * stay set) and only the THRE interrupt's pending flag is state. The
 * receiver is a 16-byte ring (1 byte deep when the FIFOs are off) that
 * the DM fills with uart_rx(); a full receiver refuses input so the DM
 * keeps it, and only uart_rx_overrun() (or loopback) makes an overrun.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev/uart16550.h"

/* Register offsets (§8.1, Table 2). */
#define REG_DATA 0 /* RBR / THR; DLL with DLAB */
#define REG_IER 1  /* DLM with DLAB */
#define REG_IIR 2  /* FCR on write */
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7

#define IER_ERBFI 0x01 /* received data available / timeout */
#define IER_ETBEI 0x02 /* THR empty */
#define IER_ELSI 0x04  /* receiver line status */
#define IER_EDSSI 0x08 /* modem status */
#define IER_MASK 0x0f

#define IIR_NOPEND 0x01
#define IIR_MODEM 0x00
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO_ON 0xc0

#define FCR_ENABLE 0x01
#define FCR_RX_RESET 0x02
#define FCR_TX_RESET 0x04
#define FCR_DMA 0x08
#define FCR_TRIGGER 0xc0
#define FCR_KEPT (FCR_ENABLE | FCR_DMA | FCR_TRIGGER)

#define LCR_WLS 0x03
#define LCR_STB 0x04
#define LCR_PEN 0x08
#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_PE 0x04
#define LSR_FE 0x08
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_RXFE 0x80
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_DELTAS 0x0f
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80
/* Lines from the outside world when not in loopback: a null-modem
 * cable to the console, so carrier and handshakes are up, no ring. */
#define MSR_EXTERNAL (MSR_CTS | MSR_DSR | MSR_DCD)

#define FIFO_SIZE 16
#define RCLK_HZ 1843200ull /* the PC's 1.8432 MHz crystal */

struct uart {
	const struct uart_ops *ops;
	void *ctx;
	uint8_t rx[FIFO_SIZE];
	uint8_t rx_count, rx_head;
	uint8_t ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	bool thri_pending;    /* THRE interrupt armed (§8.6.3) */
	bool timeout_pending; /* character timeout indication */
	uint64_t idle_ns;     /* since the last RX or RBR read */
	bool irq;	      /* level last given to ops->set_irq */
};

/* ---- interrupt logic ------------------------------------------------ */

static bool fifo_on(const struct uart *u)
{
	return u->fcr & FCR_ENABLE;
}

static unsigned rx_capacity(const struct uart *u)
{
	return fifo_on(u) ? FIFO_SIZE : 1;
}

/* FCR bits 7:6 select the RCVR trigger level (§8.5, Table 5). */
static unsigned trigger_level(const struct uart *u)
{
	static const uint8_t level[4] = {1, 4, 8, 14};

	return fifo_on(u) ? level[u->fcr >> 6] : 1;
}

/* The highest-priority pending source as IIR bits 3:0 (§8.6, Table 4):
 * line status > RDA / character timeout > THRE > modem status. */
static uint8_t pending_source(const struct uart *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr & LSR_ERRORS))
		return IIR_RLS;
	if (u->ier & IER_ERBFI) {
		if (u->timeout_pending)
			return IIR_TIMEOUT;
		if (u->rx_count >= trigger_level(u))
			return IIR_RDA;
	}
	if ((u->ier & IER_ETBEI) && u->thri_pending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		return IIR_MODEM;
	return IIR_NOPEND;
}

/*
 * The PC gates the INTR pin with OUT2 (an external buffer enabled by the
 * OUT2 output). In loopback the chip forces OUT1/OUT2 to their inactive
 * state (§8.7, MCR bit 4), so on a PC the IRQ line is off there too.
 */
static void update_irq(struct uart *u)
{
	bool level = pending_source(u) != IIR_NOPEND &&
		     (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;

	if (level == u->irq)
		return;
	u->irq = level;
	if (u->ops && u->ops->set_irq)
		u->ops->set_irq(u->ctx, level);
}

/* ---- modem lines ----------------------------------------------------- */

/* MSR bits 7:4 as the pins see them: in loopback DTR->DSR, RTS->CTS,
 * OUT1->RI, OUT2->DCD (§8.7). */
static uint8_t modem_inputs(const struct uart *u)
{
	uint8_t in = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_EXTERNAL;
	if (u->mcr & MCR_DTR)
		in |= MSR_DSR;
	if (u->mcr & MCR_RTS)
		in |= MSR_CTS;
	if (u->mcr & MCR_OUT1)
		in |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		in |= MSR_DCD;
	return in;
}

/* New input levels set the delta bits (§8.8): DCTS/DDSR/DDCD on any
 * change, TERI only when RI goes from on to off. */
static void update_msr(struct uart *u)
{
	uint8_t old = u->msr & 0xf0, now = modem_inputs(u);
	uint8_t diff = old ^ now;

	if (diff & MSR_CTS)
		u->msr |= MSR_DCTS;
	if (diff & MSR_DSR)
		u->msr |= MSR_DDSR;
	if ((old & MSR_RI) && !(now & MSR_RI))
		u->msr |= MSR_TERI;
	if (diff & MSR_DCD)
		u->msr |= MSR_DDCD;
	u->msr = (uint8_t)((u->msr & MSR_DELTAS) | now);
}

/* ---- receiver -------------------------------------------------------- */

static void rx_clear(struct uart *u)
{
	u->rx_count = 0;
	u->rx_head = 0;
	u->timeout_pending = false;
	u->idle_ns = 0;
}

static void rx_push(struct uart *u, uint8_t byte)
{
	u->rx[(u->rx_head + u->rx_count) % FIFO_SIZE] = byte;
	u->rx_count++;
	/* §8.6.2: a new character restarts the timeout timer. */
	u->idle_ns = 0;
}

/*
 * A character with no room for it (§8.4, LSR bit 1): without FIFOs it
 * overwrites RBR; with FIFOs it stays in the shift register and is lost.
 */
static void rx_overrun(struct uart *u, uint8_t byte)
{
	u->lsr |= LSR_OE;
	if (!fifo_on(u)) {
		u->rx[u->rx_head] = byte;
		u->idle_ns = 0;
	}
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t byte;

	/* §8.6.2: an RBR read clears the timeout and restarts its timer. */
	u->timeout_pending = false;
	u->idle_ns = 0;
	if (u->rx_count == 0)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (uint8_t)((u->rx_head + 1) % FIFO_SIZE);
	u->rx_count--;
	return byte;
}

size_t uart_rx_space(struct uart *u)
{
	/* §8.7: in loopback the serial input is disconnected. */
	if (!u || (u->mcr & MCR_LOOP))
		return 0;
	return rx_capacity(u) - u->rx_count;
}

size_t uart_rx(struct uart *u, const uint8_t *buf, size_t len)
{
	size_t n = uart_rx_space(u), i;

	if (!buf || n == 0)
		return 0;
	if (n > len)
		n = len;
	for (i = 0; i < n; i++)
		rx_push(u, buf[i]);
	update_irq(u);
	return n;
}

void uart_rx_overrun(struct uart *u, uint8_t byte)
{
	if (!u || (u->mcr & MCR_LOOP))
		return;
	if (u->rx_count < rx_capacity(u))
		rx_push(u, byte);
	else
		rx_overrun(u, byte);
	update_irq(u);
}

/* One character time in ns at the current divisor and LCR framing
 * (§8.1.1: baud = RCLK / (16 * divisor)), in half bits for 1.5 stop
 * bits. A zero divisor is undefined on the chip; it counts as 1 here. */
static uint64_t char_time_ns(const struct uart *u)
{
	unsigned divisor = (unsigned)u->dlm << 8 | u->dll;
	unsigned halfbits = 2 * (1 + 5 + (u->lcr & LCR_WLS)); /* start+data */

	if (u->lcr & LCR_PEN)
		halfbits += 2;
	if (!(u->lcr & LCR_STB))
		halfbits += 2;
	else
		halfbits += (u->lcr & LCR_WLS) == 0 ? 3 : 4;
	if (divisor == 0)
		divisor = 1;
	return (uint64_t)halfbits * 8 * divisor * 1000000000ull / RCLK_HZ;
}

/* §8.6.2: with FIFOs on and data in the FIFO, no character received and
 * no RBR read for 4 character times raises the timeout indication. */
void uart_tick(struct uart *u, uint64_t ns)
{
	uint64_t limit;

	if (!u || !fifo_on(u) || u->rx_count == 0 || u->timeout_pending)
		return;
	limit = 4 * char_time_ns(u);
	if (u->idle_ns < limit && ns < limit - u->idle_ns) {
		u->idle_ns += ns;
		return;
	}
	u->idle_ns = 0;
	u->timeout_pending = true;
	update_irq(u);
}

/* ---- register reads -------------------------------------------------- */

/* IIR read (§8.6.3): THRE is cleared by reading IIR when it is the
 * source being reported. */
static uint8_t read_iir(struct uart *u)
{
	uint8_t src = pending_source(u);

	if (src == IIR_THRE)
		u->thri_pending = false;
	return (uint8_t)(src | (fifo_on(u) ? IIR_FIFO_ON : 0));
}

/* LSR read (§8.4): the error bits clear on read; bit 7 flags an error
 * character in the FIFO, which this receiver never holds (no PE/FE/BI
 * come from a virtual wire; they can only arrive by uart_load). */
static uint8_t read_lsr(struct uart *u)
{
	uint8_t v = (uint8_t)((u->lsr & LSR_ERRORS) | LSR_THRE | LSR_TEMT);

	if (u->rx_count)
		v |= LSR_DR;
	if (fifo_on(u) && (u->lsr & (LSR_PE | LSR_FE | LSR_BI)))
		v |= LSR_RXFE;
	u->lsr &= (uint8_t)~LSR_ERRORS;
	return v;
}

static uint8_t read_msr(struct uart *u)
{
	uint8_t v = u->msr;

	u->msr &= (uint8_t)~MSR_DELTAS; /* §8.8: deltas clear on read */
	return v;
}

static uint8_t read_reg(struct uart *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case REG_DATA:
		return dlab ? u->dll : rx_pop(u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR:
		return read_iir(u);
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return read_lsr(u);
	case REG_MSR:
		return read_msr(u);
	default:
		return u->scr;
	}
}

/* ---- register writes ------------------------------------------------- */

static void write_thr(struct uart *u, uint8_t v)
{
	if (u->mcr & MCR_LOOP) {
		/* §8.7: the transmitter output loops to the receiver. */
		if (u->rx_count < rx_capacity(u))
			rx_push(u, v);
		else
			rx_overrun(u, v);
	} else if (u->ops && u->ops->tx) {
		u->ops->tx(u->ctx, v);
	}
	/* Writing THR clears THRE; the byte leaves at once, so THR is
	 * empty again and the interrupt re-arms (§8.6.3). */
	u->thri_pending = true;
}

/* IER (§8.5.1): enabling ETBEI while THR is empty (always, here)
 * raises the THRE interrupt at once. */
static void write_ier(struct uart *u, uint8_t v)
{
	v &= IER_MASK;
	if (!(u->ier & IER_ETBEI) && (v & IER_ETBEI))
		u->thri_pending = true;
	u->ier = v;
}

/* FCR (§8.5): bit 0 must be set for the other bits to be programmed;
 * changing bit 0 clears both FIFOs; bits 1 and 2 self-clear. */
static void write_fcr(struct uart *u, uint8_t v)
{
	if ((v ^ u->fcr) & FCR_ENABLE)
		rx_clear(u);
	if (!(v & FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	if (v & FCR_RX_RESET)
		rx_clear(u);
	/* FCR_TX_RESET: the ideal transmitter holds nothing to clear. */
	u->fcr = v & FCR_KEPT;
}

static void write_mcr(struct uart *u, uint8_t v)
{
	u->mcr = v & MCR_MASK;
	update_msr(u);
}

static void write_reg(struct uart *u, unsigned reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case REG_DATA:
		if (dlab)
			u->dll = v;
		else
			write_thr(u, v);
		break;
	case REG_IER:
		if (dlab)
			u->dlm = v;
		else
			write_ier(u, v);
		break;
	case REG_IIR:
		write_fcr(u, v);
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		write_mcr(u, v);
		break;
	case REG_LSR: /* §8.4: LSR is for reading; writes are ignored */
	case REG_MSR:
		break;
	default:
		u->scr = v;
		break;
	}
}

/* Widths other than 1 act on the byte at offset; reads fill the upper
 * bytes with 0xff (as an absent neighbour would). */
int uart_io(void *opaque, uint64_t offset, unsigned size, bool is_write,
	    uint64_t *val)
{
	struct uart *u = opaque;
	uint64_t fill;

	if (!u || !val)
		return -EINVAL;
	fill = size >= 1 && size < 8 ? ~0ull << (8 * size) : 0;
	if (size == 0 || size > 8 || offset > REG_SCR) {
		if (!is_write)
			*val = size >= 1 && size <= 8 ? ~fill : ~0ull;
		return 0;
	}
	if (is_write) {
		write_reg(u, (unsigned)offset, (uint8_t)*val);
	} else {
		uint64_t ones = ~fill & ~0xffull;

		*val = ones | read_reg(u, (unsigned)offset);
	}
	update_irq(u);
	return 0;
}

/* ---- lifecycle -------------------------------------------------------- */

/* Master reset values (§8, Table 3), with the divisor a firmware would
 * leave for 115200 baud (1), so a guest that never programs it still
 * gets a sane character time. */
void uart_reset(struct uart *u)
{
	if (!u)
		return;
	rx_clear(u);
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr = 0;
	u->msr = modem_inputs(u);
	u->scr = 0;
	u->dll = 1;
	u->dlm = 0;
	u->thri_pending = false;
	update_irq(u);
}

struct uart *uart_create(const struct uart_ops *ops, void *ctx)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->ops = ops;
	u->ctx = ctx;
	uart_reset(u);
	return u;
}

void uart_destroy(struct uart *u)
{
	free(u);
}

/* ---- save / load ------------------------------------------------------ */

void uart_save(struct uart *u, struct uart_save *out)
{
	if (!u || !out)
		return;
	memset(out, 0, sizeof(*out));
	memcpy(out->rx_fifo, u->rx, sizeof(out->rx_fifo));
	out->rx_count = u->rx_count;
	out->rx_head = u->rx_head;
	out->ier = u->ier;
	out->iir_thri_pending = u->thri_pending;
	out->fcr = u->fcr;
	out->lcr = u->lcr;
	out->mcr = u->mcr;
	out->lsr = (uint8_t)((u->lsr & LSR_ERRORS) | LSR_THRE | LSR_TEMT |
			     (u->rx_count ? LSR_DR : 0));
	out->msr = u->msr;
	out->scr = u->scr;
	out->dll = u->dll;
	out->dlm = u->dlm;
	out->timeout_pending = u->timeout_pending;
}

/* A record this model could not have produced is refused whole. */
static bool save_valid(const struct uart_save *s)
{
	unsigned cap = (s->fcr & FCR_ENABLE) ? FIFO_SIZE : 1;
	struct uart probe = {.mcr = s->mcr};

	if (s->pad[0] || s->pad[1] || s->pad[2])
		return false;
	if (s->rx_count > cap || s->rx_head >= FIFO_SIZE)
		return false;
	if (s->iir_thri_pending > 1 || s->timeout_pending > 1)
		return false;
	if ((s->ier & ~IER_MASK) || (s->mcr & ~MCR_MASK))
		return false;
	if ((s->fcr & ~FCR_KEPT) || (s->fcr && !(s->fcr & FCR_ENABLE)))
		return false;
	if (s->timeout_pending && (!(s->fcr & FCR_ENABLE) || !s->rx_count))
		return false;
	if ((s->lsr & LSR_RXFE) ||
	    (s->lsr & (LSR_THRE | LSR_TEMT)) != (LSR_THRE | LSR_TEMT))
		return false;
	if (!(s->lsr & LSR_DR) != !s->rx_count)
		return false;
	return (s->msr & 0xf0) == modem_inputs(&probe);
}

int uart_load(struct uart *u, const struct uart_save *in)
{
	if (!u || !in || !save_valid(in))
		return -EINVAL;
	memcpy(u->rx, in->rx_fifo, sizeof(u->rx));
	u->rx_count = in->rx_count;
	u->rx_head = in->rx_head;
	u->ier = in->ier;
	u->thri_pending = in->iir_thri_pending;
	u->fcr = in->fcr;
	u->lcr = in->lcr;
	u->mcr = in->mcr;
	u->lsr = in->lsr & LSR_ERRORS;
	u->msr = in->msr;
	u->scr = in->scr;
	u->dll = in->dll;
	u->dlm = in->dlm;
	u->timeout_pending = in->timeout_pending;
	u->idle_ns = 0;
	update_irq(u);
	return 0;
}
