/*
 * Intel 8254 programmable interval timer (datasheet: Intel 82C54 /
 * 8254, order no. 231164; section names below refer to it) and the
 * PC/AT port 0x61 (NMI status and control) bits that belong to it.
 *
 * Time: a channel's counting element (CE) is never ticked. Each channel
 * keeps the virtual time at which counting (re)started (load_time) and
 * the ticks counted before then (base_ticks); the elapsed tick count d
 * at any instant follows from the virtual clock, and the count and OUT
 * of every mode are pure functions of d (see ce_value(), ce_out()).
 * One input clock cycle (838 ns) of load delay is folded into the load
 * instant: a count N written at t reaches terminal count at t + N ticks.
 *
 * Interrupts: channel 0's OUT drives ISA IRQ 0. Edges come from one
 * periodic timer (periodic_timer.h), so the domain's timer_mode decides
 * what happens to ticks missed while it was not running.
 *
 * Locking: p->lock guards everything below it in struct vpit; irq() and
 * the periodic-timer calls are made with it held (lock order: device,
 * wire layer, periodic timer, timer service).
 */
#include "dev/vpit.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "periodic_timer.h"

__extension__ typedef unsigned __int128 u128;

#define NS_PER_SEC 1000000000ull
#define PORT_CH0 0x40
#define PORT_CTRL 0x43
#define PORT_NMI_SC 0x61

/* Control word (section "Control Word Format"). */
#define CW_SC(v) (((v) >> 6) & 3)
#define CW_RW(v) (((v) >> 4) & 3)
#define CW_M(v) (((v) >> 1) & 7)
#define CW_BCD(v) ((v)&1)
#define SC_READBACK 3
#define RW_LATCH 0
#define RW_LSB 1
#define RW_MSB 2
#define RW_WORD 3

/* Read-back command (section "Read-Back Command"): active-low latches. */
#define RB_NO_COUNT 0x20
#define RB_NO_STATUS 0x10

/* Status byte (section "Status Byte"). */
#define ST_OUT 0x80
#define ST_NULL 0x40

/* Port 0x61 (PC/AT technical reference, "System Control Port B"). */
#define P61_GATE2 0x01
#define P61_SPKR 0x02
#define P61_REFRESH 0x10
#define P61_OUT2 0x20
/* The refresh request toggles once per channel 1 period of a PC/AT BIOS
 * (count 18, ~15.09 us); it is derived from the clock, not channel 1. */
#define REFRESH_TICKS 18

/*
 * Interrupt periods shorter than this are raised to it, as Xen's vpt
 * does: a guest must not make the timer thread spin at 600 kHz. Counts
 * read from the ports stay exact.
 */
#define MIN_IRQ_PERIOD_NS 100000ull

/*
 * A suspended CE keeps at most this many ticks: past terminal count the
 * count only matters modulo 65536 (binary) and 10000 (BCD), whose least
 * common multiple this is.
 */
#define WRAP_LCM 40960000ull
#define MAX_BASE_TICKS ((int64_t)(65536 + 2 + WRAP_LCM))

/*
 * gcd(1193182, 1e9) = 2, so 596591 ticks are exactly 0.5 s: the only
 * tick counts by which load_time can move without losing the phase of
 * the input clock. Other moves of the origin go into base_ticks, which
 * is negative when the origin lies after load_time (by less than this).
 */
#define EXACT_TICKS 596591
#define EXACT_NS 500000000ull

struct pit_channel {
	uint64_t load_time;
	int64_t base_ticks; /* > -EXACT_TICKS */
	uint16_t cr;	    /* count register, raw */
	uint16_t ce;	    /* count the CE was loaded with, raw */
	uint16_t latched;
	uint8_t latch_state; /* 0 none, 1 LSB next, 2 MSB next */
	bool status_latched;
	uint8_t status;
	uint8_t mode; /* 0-5 */
	uint8_t rw;   /* RW_LSB, RW_MSB, RW_WORD */
	bool bcd;
	bool gate;
	uint8_t write_state; /* 1: LSB of a word written, MSB next */
	uint8_t read_state;  /* 1: LSB of a word read, MSB next */
	uint8_t write_lsb;
	bool null_count;
	bool loaded;
};

struct vpit {
	uint32_t domid;
	struct vtimer_service *timers;
	struct periodic_timer *pt;
	irq_line_fn irq;
	void *ctx;
	pthread_mutex_t lock;
	struct pit_channel ch[3];
	bool speaker;
	bool irq_high; /* level last sent on IRQ 0 (mode 0) */
};

#define LOCK(p) pthread_mutex_lock(&(p)->lock)
#define UNLOCK(p) pthread_mutex_unlock(&(p)->lock)

/* ---- time arithmetic (128-bit: no overflow, no drift) ---- */

/* Whole input clock ticks in ns nanoseconds. */
static uint64_t ns_to_ticks(uint64_t ns)
{
	return (uint64_t)((u128)ns * VPIT_HZ / NS_PER_SEC);
}

/* The first nanosecond by which t ticks have elapsed (rounded up, so
 * ns_to_ticks(ticks_to_ns(t)) == t exactly). */
static uint64_t ticks_to_ns(uint64_t t)
{
	u128 ns = ((u128)t * NS_PER_SEC + VPIT_HZ - 1) / VPIT_HZ;

	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

/* ---- counting element ---- */

static unsigned bcd_to_bin(uint16_t v)
{
	/* Hostile non-BCD digits (A-F) just weigh 10-15: no crash. */
	return (v >> 12 & 15) * 1000 + (v >> 8 & 15) * 100 +
	       (v >> 4 & 15) * 10 + (v & 15);
}

static uint16_t bin_to_bcd(unsigned v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 |
			  (v / 10 % 10) << 4 | v % 10);
}

/* A raw count as a number of ticks: 0 is the largest count, 2^16 in
 * binary and 10^4 in BCD (section "Counter Operation", note on 0). */
static uint64_t count_value(uint16_t raw, bool bcd)
{
	unsigned n = bcd ? bcd_to_bin(raw) : raw;

	if (n == 0)
		return bcd ? 10000 : 65536;
	return n;
}

static uint64_t wrap_of(const struct pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

static bool gate_stops_counting(const struct pit_channel *c)
{
	/* Modes 0, 2, 3, 4 count only while GATE is high; modes 1 and 5
	 * use GATE as a trigger only (datasheet table "Gate Pin
	 * Operations Summary"). */
	return !c->gate && c->mode != 1 && c->mode != 5;
}

static bool counting(const struct pit_channel *c)
{
	return c->loaded && !gate_stops_counting(c);
}

static uint64_t elapsed(const struct pit_channel *c, uint64_t now)
{
	int64_t d = c->base_ticks;

	if (counting(c) && now > c->load_time)
		d += (int64_t)ns_to_ticks(now - c->load_time);
	return d > 0 ? (uint64_t)d : 0;
}

/* Virtual time at which the CE reaches d elapsed ticks (exact: the
 * first nanosecond of that tick). */
static uint64_t time_of(const struct pit_channel *c, uint64_t d)
{
	if ((int64_t)d <= c->base_ticks)
		return c->load_time;
	return c->load_time + ticks_to_ns(d - (uint64_t)c->base_ticks);
}

/* Move the CE's origin forward by t ticks (t <= elapsed) without
 * touching the input clock's phase. */
static void advance_origin(struct pit_channel *c, uint64_t t)
{
	int64_t q;

	c->base_ticks -= (int64_t)t;
	if (c->base_ticks >= 0)
		return;
	q = -c->base_ticks / EXACT_TICKS;
	c->load_time += (uint64_t)q * EXACT_NS;
	c->base_ticks += q * EXACT_TICKS;
}

/* Bound the ticks kept by a stopped CE without changing its count or
 * OUT (see WRAP_LCM). */
static uint64_t reduce_ticks(const struct pit_channel *c, uint64_t d)
{
	uint64_t n = count_value(c->ce, c->bcd);

	if (c->mode == 2 || c->mode == 3)
		return d % n;
	if (d <= n + 1)
		return d;
	return n + 2 + (d - n - 2) % WRAP_LCM;
}

static void ce_start(struct pit_channel *c, uint64_t now)
{
	c->ce = c->cr;
	c->base_ticks = 0;
	c->load_time = now;
	c->loaded = true;
	c->null_count = false;
}

static void ce_stop(struct pit_channel *c, uint64_t now)
{
	c->base_ticks = (int64_t)reduce_ticks(c, elapsed(c, now));
	c->load_time = now;
}

/*
 * Modes 2 and 3 load a count written while counting at the end of the
 * current period (mode definitions, "Mode 2"/"Mode 3"); do it lazily.
 */
static void settle(struct pit_channel *c, uint64_t now)
{
	uint64_t n;

	if ((c->mode != 2 && c->mode != 3) || !c->null_count || !counting(c))
		return;
	n = count_value(c->ce, c->bcd);
	if (elapsed(c, now) < n)
		return;
	advance_origin(c, n);
	c->ce = c->cr;
	c->null_count = false;
}

/* Mode 3 (section "Mode 3"): even N counts N, N-2, ... 2 twice (OUT high,
 * then low); odd N counts N-1 ... 0 for (N+1)/2 ticks high and N-1 ... 2
 * for (N-1)/2 ticks low. */
static uint64_t sq_value(uint64_t n, uint64_t p)
{
	uint64_t high = (n + 1) / 2;
	uint64_t top = n & 1 ? n - 1 : n;

	return p < high ? top - 2 * p : top - 2 * (p - high);
}

/* The CE's value after d ticks, in 0 .. wrap-1. */
static uint64_t ce_value(const struct pit_channel *c, uint64_t d)
{
	uint64_t n = count_value(c->ce, c->bcd), w = wrap_of(c);

	switch (c->mode) {
	case 2:
		return (n - d % n) % w;
	case 3:
		return sq_value(n, d % n) % w;
	default:
		/* Modes 0, 1, 4, 5 keep decrementing past terminal count. */
		return (n % w + w - d % w) % w;
	}
}

static bool ce_out(const struct pit_channel *c, uint64_t d)
{
	uint64_t n = count_value(c->ce, c->bcd);

	/* After a control word OUT is low in mode 0, high otherwise
	 * ("Initial OUT state"), until a count (or trigger) arrives. */
	if (!c->loaded)
		return c->mode != 0;
	switch (c->mode) {
	case 0: /* high at terminal count, until reprogrammed */
	case 1: /* low from trigger to terminal count */
		return d >= n;
	case 2: /* low for the one tick the count is 1 */
		return !c->gate ? true : d % n != n - 1;
	case 3:
		return !c->gate ? true : d % n < (n + 1) / 2;
	default: /* 4, 5: a one-tick low strobe at terminal count */
		return d != n;
	}
}

static uint16_t read_value(const struct pit_channel *c, uint64_t now)
{
	uint64_t v = ce_value(c, elapsed(c, now));

	return c->bcd ? bin_to_bcd((unsigned)v) : (uint16_t)v;
}

static uint8_t status_of(const struct pit_channel *c, uint64_t now)
{
	return (uint8_t)((ce_out(c, elapsed(c, now)) ? ST_OUT : 0) |
			 (c->null_count ? ST_NULL : 0) | c->rw << 4 |
			 c->mode << 1 | (c->bcd ? 1 : 0));
}

/* ---- channel 0's interrupt ---- */

static void irq0_level(struct vpit *p, bool high)
{
	if (high == p->irq_high)
		return;
	p->irq_high = high;
	if (p->irq)
		p->irq(p->ctx, 0, high ? IRQ_ASSERT : IRQ_DEASSERT);
}

static uint64_t irq_period(uint64_t n)
{
	uint64_t ns = ticks_to_ns(n);

	return ns < MIN_IRQ_PERIOD_NS ? MIN_IRQ_PERIOD_NS : ns;
}

/* Modes 2 and 3: OUT rises (the 8259's edge) at every multiple of N. */
static void irq0_start_periodic(struct vpit *p, uint64_t now)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t n = count_value(c->ce, c->bcd), d = elapsed(c, now);

	if (c->null_count) /* a new count takes over at the boundary */
		periodic_timer_start(p->pt, time_of(c, n),
				     irq_period(count_value(c->cr, c->bcd)));
	else
		periodic_timer_start(p->pt, time_of(c, (d / n + 1) * n),
				     irq_period(n));
}

/* (Re)program the interrupt timer after channel 0's state changed. */
static void irq0_update(struct vpit *p, uint64_t now)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t n = count_value(c->ce, c->bcd), d = elapsed(c, now);

	if (!counting(c)) {
		periodic_timer_stop(p->pt);
		return;
	}
	switch (c->mode) {
	case 0:
		if (d >= n) {
			irq0_level(p, true);
			periodic_timer_stop(p->pt);
		} else {
			periodic_timer_start(p->pt, time_of(c, n), 0);
		}
		break;
	case 2:
	case 3:
		irq0_start_periodic(p, now);
		break;
	case 4: /* OUT rises again one tick after the strobe */
		if (d <= n)
			periodic_timer_start(p->pt, time_of(c, n + 1), 0);
		else
			periodic_timer_stop(p->pt);
		break;
	default: /* modes 1, 5: GATE 0 is tied high, never triggers */
		periodic_timer_stop(p->pt);
		break;
	}
}

/*
 * The periodic timer's period is whole nanoseconds; the PIT's is not.
 * After an on-time tick with nothing queued, restart the timer on the
 * exact next boundary so IRQ 0 never drifts from the counter.
 */
static void irq0_resync(struct vpit *p, uint64_t now)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t n = count_value(c->ce, c->bcd), d = elapsed(c, now);

	if (c->null_count || ticks_to_ns(n) < MIN_IRQ_PERIOD_NS ||
	    (d % n) * 2 >= n || periodic_timer_pending(p->pt))
		return;
	periodic_timer_start(p->pt, time_of(c, (d / n + 1) * n), irq_period(n));
}

static void irq0_tick(void *opaque, uint64_t now)
{
	struct vpit *p = opaque;
	struct pit_channel *c = &p->ch[0];
	uint64_t n, d;

	LOCK(p);
	settle(c, now);
	n = count_value(c->ce, c->bcd);
	d = elapsed(c, now);
	/* A tick racing with a reprogramming is dropped here. */
	if (counting(c) && c->mode == 0 && d >= n) {
		irq0_level(p, true);
	} else if (counting(c) && (c->mode == 2 || c->mode == 3)) {
		if (p->irq)
			p->irq(p->ctx, 0, IRQ_PULSE);
		irq0_resync(p, now);
	} else if (counting(c) && c->mode == 4 && d > n) {
		if (p->irq)
			p->irq(p->ctx, 0, IRQ_PULSE);
	}
	UNLOCK(p);
}

/* ---- counter ports 0x40-0x42 ---- */

/* A complete count arrived in the count register. */
static void load_count(struct vpit *p, unsigned i, uint16_t raw, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];

	c->cr = raw;
	c->null_count = true;
	switch (c->mode) {
	case 0:
	case 4: /* loaded on the next clock, even while counting */
		ce_start(c, now);
		break;
	case 2:
	case 3:
		if (!c->loaded) {
			ce_start(c, now);
		} else if (counting(c)) {
			/* Pending until the period ends: count from the
			 * start of this period (see settle()). */
			uint64_t n = count_value(c->ce, c->bcd);

			advance_origin(c, elapsed(c, now) / n * n);
		}
		break;
	default: /* 1, 5: waits for a GATE trigger */
		break;
	}
	if (i == 0) {
		irq0_level(p, false);
		irq0_update(p, now);
	}
}

static void write_counter(struct vpit *p, unsigned i, uint8_t b, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];

	if (c->rw == RW_LSB) {
		load_count(p, i, b, now);
	} else if (c->rw == RW_MSB) {
		load_count(p, i, (uint16_t)(b << 8), now);
	} else if (!c->write_state) {
		c->write_lsb = b;
		c->write_state = 1;
		/* Mode 0: writing the first byte stops counting and
		 * drives OUT low at once (section "Mode 0"). */
		if (c->mode == 0 && c->loaded) {
			ce_stop(c, now);
			c->loaded = false;
			if (i == 0) {
				irq0_level(p, false);
				irq0_update(p, now);
			}
		}
	} else {
		c->write_state = 0;
		load_count(p, i, (uint16_t)(c->write_lsb | b << 8), now);
	}
}

static uint8_t read_latched(struct pit_channel *c)
{
	uint8_t b;

	if (c->latch_state == 1) {
		b = (uint8_t)c->latched;
		c->latch_state = c->rw == RW_WORD ? 2 : 0;
	} else {
		b = (uint8_t)(c->latched >> 8);
		c->latch_state = 0;
	}
	return b;
}

/* Section "Read Operations": a latched status comes first, then a
 * latched count, else the CE is read on the fly. */
static uint8_t read_counter(struct pit_channel *c, uint64_t now)
{
	uint16_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_state)
		return read_latched(c);
	v = read_value(c, now);
	if (c->rw == RW_LSB)
		return (uint8_t)v;
	if (c->rw == RW_MSB)
		return (uint8_t)(v >> 8);
	c->read_state ^= 1;
	return (uint8_t)(c->read_state ? v : v >> 8);
}

/* ---- control port 0x43 ---- */

/* A second latch before the first is read is ignored (section "Counter
 * Latch Command"); the same holds for the status latch. */
static void latch_count(struct pit_channel *c, uint64_t now)
{
	if (c->latch_state)
		return;
	c->latched = read_value(c, now);
	c->latch_state = c->rw == RW_MSB ? 2 : 1;
}

static void latch_status(struct pit_channel *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->status = status_of(c, now);
	c->status_latched = true;
}

static void read_back(struct vpit *p, uint8_t cmd, uint64_t now)
{
	unsigned i;

	for (i = 0; i < 3; i++) {
		if (!(cmd & 2u << i))
			continue;
		if (!(cmd & RB_NO_COUNT))
			latch_count(&p->ch[i], now);
		if (!(cmd & RB_NO_STATUS))
			latch_status(&p->ch[i], now);
	}
}

/* Section "Write Operations": a control word resets the counter's
 * logic; OUT takes its initial state and counting stops until a count
 * is written. The CE keeps its (now frozen) value. */
static void program(struct vpit *p, uint8_t cw, uint64_t now)
{
	unsigned i = CW_SC(cw), m = CW_M(cw);
	struct pit_channel *c = &p->ch[i];

	ce_stop(c, now);
	c->mode = (uint8_t)(m > 5 ? m - 4 : m); /* x10, x11: modes 2, 3 */
	c->rw = (uint8_t)CW_RW(cw);
	c->bcd = CW_BCD(cw);
	c->loaded = false;
	c->null_count = true;
	c->write_state = 0;
	c->read_state = 0;
	c->latch_state = 0;
	c->status_latched = false;
	if (i == 0) {
		irq0_level(p, false);
		irq0_update(p, now);
	}
}

static void write_control(struct vpit *p, uint8_t cw, uint64_t now)
{
	if (CW_SC(cw) == SC_READBACK)
		read_back(p, cw, now);
	else if (CW_RW(cw) == RW_LATCH)
		latch_count(&p->ch[CW_SC(cw)], now);
	else
		program(p, cw, now);
}

/* ---- port 0x61 ---- */

/* GATE 2 edges (datasheet table "Gate Pin Operations Summary"). */
static void set_gate2(struct vpit *p, bool gate, uint64_t now)
{
	struct pit_channel *c = &p->ch[2];

	if (gate == c->gate)
		return;
	if (!gate) {
		if (c->mode != 1 && c->mode != 5)
			ce_stop(c, now); /* 0, 2, 3, 4 suspend counting */
		c->gate = false;
		return;
	}
	c->gate = true;
	if (c->mode == 1 || c->mode == 5 ||
	    (c->loaded && c->mode >= 2 && c->mode <= 3))
		ce_start(c, now); /* trigger: (re)load the count */
	else
		c->load_time = now; /* 0, 4: resume */
}

static uint8_t read_port61(struct vpit *p, uint64_t now)
{
	const struct pit_channel *c = &p->ch[2];
	uint8_t v = 0;

	if (c->gate)
		v |= P61_GATE2;
	if (p->speaker)
		v |= P61_SPKR;
	if (ns_to_ticks(now) / REFRESH_TICKS & 1)
		v |= P61_REFRESH;
	if (ce_out(c, elapsed(c, now)))
		v |= P61_OUT2;
	return v;
}

static void write_port61(struct vpit *p, uint8_t v, uint64_t now)
{
	p->speaker = v & P61_SPKR;
	set_gate2(p, v & P61_GATE2, now);
}

/* ---- I/O entry point ---- */

static bool read_byte(struct vpit *p, uint64_t port, uint8_t *b)
{
	uint64_t now = vtimer_now(p->timers);
	unsigned i;

	if (port == PORT_NMI_SC) {
		*b = read_port61(p, now);
		return true;
	}
	if (port < PORT_CH0 || port > PORT_CTRL)
		return false;
	if (port == PORT_CTRL) {
		*b = 0xff; /* the control word cannot be read: bus floats */
		return true;
	}
	i = (unsigned)(port - PORT_CH0);
	settle(&p->ch[i], now);
	*b = read_counter(&p->ch[i], now);
	return true;
}

static void write_byte(struct vpit *p, uint64_t port, uint8_t b)
{
	uint64_t now = vtimer_now(p->timers);
	unsigned i;

	if (port == PORT_NMI_SC) {
		settle(&p->ch[2], now);
		write_port61(p, b, now);
		return;
	}
	if (port < PORT_CH0 || port > PORT_CTRL)
		return;
	for (i = 0; i < 3; i++)
		settle(&p->ch[i], now);
	if (port == PORT_CTRL)
		write_control(p, b, now);
	else
		write_counter(p, (unsigned)(port - PORT_CH0), b, now);
}

/* Accesses wider than a byte act on the byte at the port; the upper
 * bytes of a read float high. Ports we do not own read all ones. */
int vpit_io(void *opaque, uint64_t port, unsigned size, bool is_write,
	    uint64_t *val)
{
	struct vpit *p = opaque;
	uint64_t mask = size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
	uint8_t b = 0xff;

	if (size == 0)
		mask = 0xff;
	LOCK(p);
	if (is_write)
		write_byte(p, port, (uint8_t)*val);
	else if (!read_byte(p, port, &b))
		b = 0xff;
	UNLOCK(p);
	if (!is_write)
		*val = (mask & ~0xffull) | b;
	return 0;
}

/* ---- lifecycle ---- */

static void reset_locked(struct vpit *p)
{
	unsigned i;

	memset(p->ch, 0, sizeof(p->ch));
	for (i = 0; i < 3; i++) {
		p->ch[i].rw = RW_WORD;
		p->ch[i].gate = i != 2; /* GATE 0, 1 tied high on a PC */
	}
	p->speaker = false;
	periodic_timer_stop(p->pt);
	irq0_level(p, false);
}

struct vpit *vpit_create(uint32_t domid, struct vtimer_service *timers,
			 irq_line_fn irq, void *ctx)
{
	struct vpit *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->domid = domid;
	p->timers = timers;
	p->irq = irq;
	p->ctx = ctx;
	pthread_mutex_init(&p->lock, NULL);
	p->pt = periodic_timer_create(timers, irq0_tick, p);
	if (!p->pt) {
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	reset_locked(p);
	return p;
}

void vpit_destroy(struct vpit *p)
{
	if (!p)
		return;
	/* Not under p->lock: destroying waits for a running tick. */
	periodic_timer_destroy(p->pt);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void vpit_reset(struct vpit *p)
{
	LOCK(p);
	reset_locked(p);
	UNLOCK(p);
}

/* ---- save / load ---- */

static void save_channel(const struct pit_channel *c,
			 struct vpit_channel_save *s)
{
	memset(s, 0, sizeof(*s));
	s->load_time = c->load_time;
	s->count = c->cr;
	s->latched = c->latched;
	s->latch_state = c->latch_state;
	s->status_latched = c->status_latched;
	s->status = c->status;
	s->mode = c->mode;
	s->rw_mode = c->rw;
	s->bcd = c->bcd;
	s->gate = c->gate;
	s->write_state = c->write_state;
	s->read_state = c->read_state;
	s->null_count = c->null_count;
	s->write_lsb = c->write_lsb;
	s->loaded = c->loaded;
	s->ce_count = c->ce;
	s->base_ticks = (int32_t)c->base_ticks;
}

void vpit_save(struct vpit *p, struct vpit_save *out)
{
	uint64_t now;
	unsigned i;

	memset(out, 0, sizeof(*out));
	LOCK(p);
	now = vtimer_now(p->timers);
	for (i = 0; i < 3; i++) {
		settle(&p->ch[i], now);
		save_channel(&p->ch[i], &out->ch[i]);
	}
	out->speaker = p->speaker;
	UNLOCK(p);
}

static bool latch_state_ok(const struct vpit_channel_save *s)
{
	if (s->rw_mode == RW_LSB)
		return s->latch_state <= 1;
	if (s->rw_mode == RW_MSB)
		return s->latch_state == 0 || s->latch_state == 2;
	return s->latch_state <= 2;
}

static bool channel_ok(const struct vpit_channel_save *s, unsigned i,
		       uint64_t now)
{
	bool word = s->rw_mode == RW_WORD;

	if (s->mode > 5 || s->rw_mode < RW_LSB || s->rw_mode > RW_WORD ||
	    s->bcd > 1 || s->gate > 1 || (i != 2 && !s->gate) ||
	    s->status_latched > 1 || s->null_count > 1 || s->loaded > 1)
		return false;
	if (!latch_state_ok(s) || s->write_state > (word ? 1 : 0) ||
	    s->read_state > (word ? 1 : 0))
		return false;
	if (s->count > 0xffff || s->load_time > now ||
	    s->base_ticks <= -EXACT_TICKS || s->base_ticks >= MAX_BASE_TICKS)
		return false;
	/* The origin is in the past... */
	if (s->base_ticks < 0 &&
	    ns_to_ticks(now - s->load_time) < (uint64_t)-s->base_ticks)
		return false;
	/* ...and a counting mode 2/3 CE restarts each period from it. */
	if ((s->mode == 2 || s->mode == 3) && s->loaded && s->gate &&
	    s->base_ticks >= (int64_t)count_value(s->ce_count, s->bcd))
		return false;
	return true;
}

static void load_channel(struct pit_channel *c,
			 const struct vpit_channel_save *s)
{
	c->load_time = s->load_time;
	c->base_ticks = s->base_ticks;
	c->cr = (uint16_t)s->count;
	c->ce = s->ce_count;
	c->latched = s->latched;
	c->latch_state = s->latch_state;
	c->status_latched = s->status_latched;
	c->status = s->status;
	c->mode = s->mode;
	c->rw = s->rw_mode;
	c->bcd = s->bcd;
	c->gate = s->gate;
	c->write_state = s->write_state;
	c->read_state = s->read_state;
	c->write_lsb = s->write_lsb;
	c->null_count = s->null_count;
	c->loaded = s->loaded;
}

int vpit_load(struct vpit *p, const struct vpit_save *in)
{
	uint64_t now;
	unsigned i;

	LOCK(p);
	now = vtimer_now(p->timers);
	for (i = 0; i < 3; i++)
		if (!channel_ok(&in->ch[i], i, now))
			break;
	if (i < 3 || in->speaker > 1) {
		UNLOCK(p);
		return -EINVAL;
	}
	for (i = 0; i < 3; i++)
		load_channel(&p->ch[i], &in->ch[i]);
	p->speaker = in->speaker;
	/* IRQ 0 follows the loaded OUT: only mode 0 holds it high. */
	settle(&p->ch[0], now);
	irq0_level(p, p->ch[0].mode == 0 &&
			  ce_out(&p->ch[0], elapsed(&p->ch[0], now)));
	irq0_update(p, now);
	UNLOCK(p);
	return 0;
}
