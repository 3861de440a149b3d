/*
 * A 16550A UART (dm/dev/uart16550) wired to the outside: its interrupt
 * line to an ISA IRQ through xendevicemodel_set_isa_irq_level, its
 * transmitter to a console (log, history, clients) and the console's
 * queued input to its receiver as the guest makes room. The character
 * timeout needs time to pass while received data waits; a libevent
 * timer ticks only then, so an idle console costs nothing.
 */
#include "serial.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "dev/uart16550.h"
#include "xendevicemodel.h"

/* About four character times at 9600 baud; the guest decides the real
 * timeout from its divisor, we only let time pass. */
#define TICK_US 1000

struct dm_serial {
	struct uart *uart;
	struct console *con;
	struct event *tick;
	xendevicemodel_handle *dmod;
	uint32_t domid;
	unsigned irq;
	int level;	     /* last level sent; -1: none yet */
	size_t empty_space;  /* uart_rx_space when nothing waits */
	uint64_t last_tick;  /* ns */
	uint64_t irq_errors; /* set_isa_irq_level failures */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void uart_tx(void *ctx, uint8_t byte)
{
	struct dm_serial *s = ctx;

	console_output(s->con, &byte, 1);
}

static void uart_set_irq(void *ctx, bool level)
{
	struct dm_serial *s = ctx;

	if (s->level == (int)level)
		return;
	s->level = level;
	if (xendevicemodel_set_isa_irq_level(s->dmod, s->domid, s->irq, level) <
		0 &&
	    s->irq_errors++ < 10)
		dm_log("serial: cannot set IRQ %u to %d: %s", s->irq, level,
		       strerror(errno));
}

static const struct uart_ops serial_uart_ops = {
    .tx = uart_tx,
    .set_irq = uart_set_irq,
};

/* Received data waits in the UART (or in our queue). The UART's space
 * when empty grows when the guest turns the FIFO on, so the largest
 * value seen is the empty mark. */
static bool data_waits(struct dm_serial *s)
{
	size_t space = uart_rx_space(s->uart);

	if (space > s->empty_space)
		s->empty_space = space;
	return space < s->empty_space || console_pending_input(s->con);
}

static void arm_tick(struct dm_serial *s)
{
	struct timeval tv = {.tv_sec = 0, .tv_usec = TICK_US};

	if (!data_waits(s) || evtimer_pending(s->tick, NULL))
		return;
	s->last_tick = now_ns();
	evtimer_add(s->tick, &tv);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct dm_serial *s = arg;
	uint64_t now = now_ns();

	(void)fd;
	(void)what;
	uart_tick(s->uart, now - s->last_tick);
	s->last_tick = now;
	console_pump(s->con);
	arm_tick(s);
}

static size_t console_input(void *ctx, const uint8_t *buf, size_t len)
{
	struct dm_serial *s = ctx;
	size_t n = uart_rx(s->uart, buf, len);

	if (n)
		arm_tick(s);
	return n;
}

static void console_input_queued(void *ctx)
{
	arm_tick(ctx);
}

static const struct console_ops serial_console_ops = {
    .input = console_input,
    .input_queued = console_input_queued,
};

struct dm_serial *dm_serial_create(const struct dm_serial_config *cfg,
				   char *err, size_t errlen)
{
	struct dm_serial *s = calloc(1, sizeof(*s));

	if (!s || !(s->uart = uart_create(&serial_uart_ops, s)) ||
	    !(s->tick = evtimer_new(cfg->base, on_tick, s))) {
		snprintf(err, errlen, "out of memory for the UART");
		dm_serial_destroy(s);
		return NULL;
	}
	s->dmod = cfg->dmod;
	s->domid = cfg->domid;
	s->irq = cfg->irq;
	s->level = -1;
	s->empty_space = uart_rx_space(s->uart);
	s->con = console_create(cfg->base, cfg->log_path, cfg->sock_path,
				&serial_console_ops, s, err, errlen);
	if (!s->con) {
		dm_serial_destroy(s);
		return NULL;
	}
	return s;
}

void dm_serial_destroy(struct dm_serial *s)
{
	if (!s)
		return;
	if (s->con)
		console_destroy(s->con);
	if (s->tick)
		event_free(s->tick);
	if (s->uart)
		uart_destroy(s->uart);
	free(s);
}

int dm_serial_io(void *opaque, uint64_t offset, unsigned size, bool is_write,
		 uint64_t *val)
{
	struct dm_serial *s = opaque;
	int rc = uart_io(s->uart, offset, size, is_write, val);

	/* A read of RBR made room: refill from the queue at once. */
	if (console_pending_input(s->con))
		console_pump(s->con);
	arm_tick(s);
	return rc;
}
