/*
 * Suite "vpit": the 8254 PIT model (hypervisor/dev/vpit.c) driven
 * through its port handler on a manual virtual clock. Every expected
 * count and OUT level comes from the datasheet's mode definitions
 * (Intel 231164), at instants chosen on exact input-clock ticks: tick d
 * after a load at t0 begins at t0 + ceil(d * 1e9 / 1193182) ns.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev/vpit.h"
#include "harness.h"
#include "vclock.h"
#include "vtimer.h"

#define MAX_EVENTS 4096

struct irq_event {
	unsigned line;
	enum irq_level level;
	uint64_t t;
};

struct fx {
	struct vclock *clock;
	struct vtimer_service *s;
	struct vpit *pit;
	struct irq_event ev[MAX_EVENTS];
	unsigned nev;
	unsigned pulses, asserts, deasserts;
};

static void record_irq(void *ctx, unsigned line, enum irq_level level)
{
	struct fx *f = ctx;

	CU_ASSERT_EQUAL(line, 0);
	if (level == IRQ_PULSE)
		f->pulses++;
	else if (level == IRQ_ASSERT)
		f->asserts++;
	else
		f->deasserts++;
	if (f->nev < MAX_EVENTS)
		f->ev[f->nev++] =
		    (struct irq_event){line, level, vtimer_now(f->s)};
}

static struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->clock = vclock_create_manual();
	f->s = vtimer_service_create(f->clock, 1, true);
	f->pit = vpit_create(1, f->s, record_irq, f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->pit);
	return f;
}

static void fx_free(struct fx *f)
{
	vpit_destroy(f->pit);
	vtimer_service_destroy(f->s);
	vclock_destroy(f->clock);
	free(f);
}

/* The instant tick d begins, d ticks after t0. */
static uint64_t at_tick(uint64_t t0, uint64_t d)
{
	return t0 + (uint64_t)(((unsigned __int128)d * 1000000000u + 1193181) /
			       1193182);
}

static uint64_t now(struct fx *f)
{
	return vtimer_now(f->s);
}

static void advance_to(struct fx *f, uint64_t t)
{
	uint64_t n = now(f);

	if (t > n)
		vtimer_service_advance(f->s, t - n);
}

static void outb(struct fx *f, unsigned port, uint8_t v)
{
	uint64_t val = v;

	CU_ASSERT_EQUAL(vpit_io(f->pit, port, 1, true, &val), 0);
}

static uint8_t inb(struct fx *f, unsigned port)
{
	uint64_t val = 0;

	CU_ASSERT_EQUAL(vpit_io(f->pit, port, 1, false, &val), 0);
	return (uint8_t)val;
}

/* Control word for channel ch, lo-then-hi, mode m, binary; then count. */
static uint64_t program(struct fx *f, unsigned ch, unsigned m, uint16_t n)
{
	outb(f, 0x43, (uint8_t)(ch << 6 | 0x30 | m << 1));
	outb(f, 0x40 + ch, (uint8_t)n);
	outb(f, 0x40 + ch, (uint8_t)(n >> 8));
	return now(f);
}

/* Counter latch command, then both bytes. */
static uint16_t latch16(struct fx *f, unsigned ch)
{
	uint8_t lo, hi;

	outb(f, 0x43, (uint8_t)(ch << 6));
	lo = inb(f, 0x40 + ch);
	hi = inb(f, 0x40 + ch);
	return (uint16_t)(lo | hi << 8);
}

/* Read-back of the status byte alone. */
static uint8_t status(struct fx *f, unsigned ch)
{
	outb(f, 0x43, (uint8_t)(0xe0 | 2u << ch));
	return inb(f, 0x40 + ch);
}

static int out_of(struct fx *f, unsigned ch)
{
	return status(f, ch) >> 7;
}

static void gate2(struct fx *f, int on)
{
	outb(f, 0x61, (uint8_t)((inb(f, 0x61) & 0x02) | (on ? 1 : 0)));
}

/* Count and OUT at tick d after t0. */
static void expect_at(struct fx *f, unsigned ch, uint64_t t0, uint64_t d,
		      uint16_t count, int out)
{
	uint16_t got;
	int o;

	advance_to(f, at_tick(t0, d));
	got = latch16(f, ch);
	o = out_of(f, ch);
	if (got != count || o != out)
		printf("\n  ch%u tick %" PRIu64 ": count %u out %d, want %u %d",
		       ch, d, got, o, count, out);
	CU_ASSERT_EQUAL(got, count);
	CU_ASSERT_EQUAL(o, out);
}

/* ---- modes ---- */

static void test_mode0(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	outb(f, 0x43, 0x30);
	CU_ASSERT_EQUAL(status(f, 0), 0x40 | 0x30); /* OUT low, null */
	t0 = program(f, 0, 0, 1000);
	CU_ASSERT_EQUAL(status(f, 0) & 0x40, 0); /* count loaded */
	expect_at(f, 0, t0, 0, 1000, 0);
	expect_at(f, 0, t0, 500, 500, 0);
	expect_at(f, 0, t0, 999, 1, 0);
	CU_ASSERT_EQUAL(f->asserts, 0);
	expect_at(f, 0, t0, 1000, 0, 1);
	CU_ASSERT_EQUAL(f->asserts, 1);
	CU_ASSERT_EQUAL(f->ev[0].t, at_tick(t0, 1000));
	/* Keeps counting past terminal count; OUT stays high. */
	expect_at(f, 0, t0, 1001, 0xffff, 1);
	expect_at(f, 0, t0, 5000, (uint16_t)(1000 - 5000), 1);
	CU_ASSERT_EQUAL(f->asserts, 1);
	/* First byte of a new count: OUT low at once (IRQ lowered). */
	outb(f, 0x40, 0x10);
	CU_ASSERT_EQUAL(f->deasserts, 1);
	CU_ASSERT_EQUAL(out_of(f, 0), 0);
	outb(f, 0x40, 0x00);
	t0 = now(f);
	expect_at(f, 0, t0, 0x10, 0, 1);
	CU_ASSERT_EQUAL(f->asserts, 2);
	/* A control word lowers it too. */
	outb(f, 0x43, 0x30);
	CU_ASSERT_EQUAL(f->deasserts, 2);
	CU_ASSERT_EQUAL(out_of(f, 0), 0);
	fx_free(f);
}

static void test_mode1(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	gate2(f, 0);
	program(f, 2, 1, 100);
	CU_ASSERT_EQUAL(status(f, 2), 0x80 | 0x40 | 0x30 | 0x02);
	advance_to(f, now(f) + 1000000); /* no trigger: nothing happens */
	CU_ASSERT_EQUAL(out_of(f, 2), 1);
	gate2(f, 1);
	t0 = now(f);
	CU_ASSERT_EQUAL(status(f, 2) & 0x40, 0);
	expect_at(f, 2, t0, 0, 100, 0);
	expect_at(f, 2, t0, 60, 40, 0);
	/* Gate level does not matter, only rising edges. */
	gate2(f, 0);
	expect_at(f, 2, t0, 99, 1, 0);
	expect_at(f, 2, t0, 100, 0, 1);
	expect_at(f, 2, t0, 101, 0xffff, 1);
	/* Retrigger restarts the one-shot. */
	gate2(f, 1);
	t0 = now(f);
	expect_at(f, 2, t0, 50, 50, 0);
	gate2(f, 0);
	gate2(f, 1);
	t0 = now(f);
	expect_at(f, 2, t0, 99, 1, 0);
	expect_at(f, 2, t0, 100, 0, 1);
	CU_ASSERT_EQUAL(f->nev, 0); /* channel 2 has no interrupt */
	fx_free(f);
}

static void test_mode2(void)
{
	struct fx *f = fx_new();
	uint64_t t0;
	unsigned d;

	gate2(f, 1);
	t0 = program(f, 2, 2, 10);
	for (d = 0; d < 35; d++)
		expect_at(f, 2, t0, d, (uint16_t)(10 - d % 10), d % 10 != 9);
	/* Gate low: OUT high at once, counting stops. */
	advance_to(f, at_tick(t0, 39)); /* count 1, OUT low */
	CU_ASSERT_EQUAL(out_of(f, 2), 0);
	gate2(f, 0);
	CU_ASSERT_EQUAL(out_of(f, 2), 1);
	advance_to(f, at_tick(t0, 100));
	CU_ASSERT_EQUAL(latch16(f, 2), 1);
	/* Rising edge reloads the count. */
	gate2(f, 1);
	t0 = now(f);
	expect_at(f, 2, t0, 0, 10, 1);
	expect_at(f, 2, t0, 9, 1, 0);
	expect_at(f, 2, t0, 10, 10, 1);
	fx_free(f);
}

static void test_mode2_reprogram(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	gate2(f, 1);
	t0 = program(f, 2, 2, 100);
	advance_to(f, at_tick(t0, 130));
	/* New count while counting: loaded when this period ends. */
	outb(f, 0x42, 40);
	outb(f, 0x42, 0);
	CU_ASSERT_EQUAL(status(f, 2) & 0x40, 0x40);
	expect_at(f, 2, t0, 150, 50, 1);
	expect_at(f, 2, t0, 199, 1, 0);
	expect_at(f, 2, t0, 200, 40, 1);
	CU_ASSERT_EQUAL(status(f, 2) & 0x40, 0);
	expect_at(f, 2, t0, 239, 1, 0);
	expect_at(f, 2, t0, 240, 40, 1);
	fx_free(f);
}

static void test_mode3(void)
{
	static const uint16_t even[] = {10, 8, 6, 4, 2, 10, 8, 6, 4, 2};
	static const uint16_t odd[] = {8, 6, 4, 2, 0, 8, 6, 4, 2};
	struct fx *f = fx_new();
	uint64_t t0;
	unsigned d;

	gate2(f, 1);
	t0 = program(f, 2, 3, 10);
	for (d = 0; d < 30; d++)
		expect_at(f, 2, t0, d, even[d % 10], d % 10 < 5);
	/* Odd count: high for (N+1)/2 ticks, low for (N-1)/2. */
	t0 = program(f, 2, 3, 9);
	for (d = 0; d < 27; d++)
		expect_at(f, 2, t0, d, odd[d % 9], d % 9 < 5);
	/* Gate low forces OUT high. */
	advance_to(f, at_tick(t0, 33));
	CU_ASSERT_EQUAL(out_of(f, 2), 0);
	gate2(f, 0);
	CU_ASSERT_EQUAL(out_of(f, 2), 1);
	fx_free(f);
}

static void test_mode4(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	gate2(f, 1);
	t0 = program(f, 2, 4, 50);
	CU_ASSERT_EQUAL(out_of(f, 2), 1);
	expect_at(f, 2, t0, 20, 30, 1);
	/* Gate low suspends counting, OUT unaffected. */
	gate2(f, 0);
	advance_to(f, at_tick(t0, 500));
	CU_ASSERT_EQUAL(latch16(f, 2), 30);
	gate2(f, 1);
	t0 = now(f);
	expect_at(f, 2, t0, 29, 1, 1);
	expect_at(f, 2, t0, 30, 0, 0); /* the strobe */
	expect_at(f, 2, t0, 31, 0xffff, 1);
	expect_at(f, 2, t0, 70000, (uint16_t)(30 - 70000), 1);
	fx_free(f);
}

static void test_mode5(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	gate2(f, 0);
	program(f, 2, 5, 20);
	advance_to(f, now(f) + 100000);
	CU_ASSERT_EQUAL(out_of(f, 2), 1);
	gate2(f, 1);
	t0 = now(f);
	expect_at(f, 2, t0, 19, 1, 1);
	expect_at(f, 2, t0, 20, 0, 0);
	expect_at(f, 2, t0, 21, 0xffff, 1);
	/* Retrigger. */
	gate2(f, 0);
	gate2(f, 1);
	t0 = now(f);
	expect_at(f, 2, t0, 10, 10, 1);
	expect_at(f, 2, t0, 20, 0, 0);
	fx_free(f);
}

static void test_mode0_gate(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	gate2(f, 1);
	t0 = program(f, 2, 0, 100);
	expect_at(f, 2, t0, 40, 60, 0);
	gate2(f, 0);
	advance_to(f, at_tick(t0, 1000));
	CU_ASSERT_EQUAL(latch16(f, 2), 60);
	CU_ASSERT_EQUAL(out_of(f, 2), 0);
	gate2(f, 1);
	t0 = now(f);
	expect_at(f, 2, t0, 59, 1, 0);
	expect_at(f, 2, t0, 60, 0, 1);
	fx_free(f);
}

/* Linux's pit_calibrate_tsc(): channel 2, mode 0, gate via port 0x61
 * with the speaker off, then poll OUT2 in bit 5 until it rises. */
static void test_linux_calibration(void)
{
	const uint16_t latch = 1193182 / (1000 / 50); /* 50 ms */
	struct fx *f = fx_new();
	uint64_t t0, polls = 0;

	outb(f, 0x61, (uint8_t)((inb(f, 0x61) & ~0x02) | 0x01));
	outb(f, 0x43, 0xb0);
	outb(f, 0x42, latch & 0xff);
	outb(f, 0x42, latch >> 8);
	t0 = now(f);
	while ((inb(f, 0x61) & 0x20) == 0 && polls++ < 100000)
		vtimer_service_advance(f->s, 1000);
	CU_ASSERT_TRUE(now(f) >= at_tick(t0, latch));
	CU_ASSERT_TRUE(now(f) < at_tick(t0, latch) + 1000);
	CU_ASSERT_EQUAL(inb(f, 0x61) & 0x03, 0x01);
	/* quick_pit_calibrate(): mode 0 0xffff, read LSB then MSB. */
	outb(f, 0x43, 0xb0);
	outb(f, 0x42, 0xff);
	outb(f, 0x42, 0xff);
	t0 = now(f);
	advance_to(f, at_tick(t0, 256 * 3 + 5));
	CU_ASSERT_EQUAL(inb(f, 0x42), 0xfa);
	CU_ASSERT_EQUAL(inb(f, 0x42), 0xfc);
	fx_free(f);
}

/* ---- interrupts ---- */

static void test_mode2_1000hz(void)
{
	const unsigned ms = 3000;
	struct fx *f = fx_new();
	uint64_t t0;
	unsigned k, exact = 0;

	t0 = program(f, 0, 2, 1193);
	vtimer_service_advance(f->s, ms * 1000000ull);
	CU_ASSERT_EQUAL(f->pulses, ms);
	/* Each edge falls on the exact tick: no drift. */
	for (k = 0; k < f->nev && k < ms; k++)
		exact += f->ev[k].t == at_tick(t0, (k + 1) * 1193ull);
	CU_ASSERT_EQUAL(exact, ms);
	fx_free(f);
}

static void test_mode3_square_wave_irq(void)
{
	struct fx *f = fx_new();
	uint64_t t0;
	unsigned k;

	t0 = program(f, 0, 3, 11932); /* ~100 Hz */
	for (k = 1; k <= 20; k++) {
		advance_to(f, at_tick(t0, k * 11932ull - 1));
		CU_ASSERT_EQUAL(out_of(f, 0), 0);
		CU_ASSERT_EQUAL(f->pulses, k - 1);
		advance_to(f, at_tick(t0, k * 11932ull));
		CU_ASSERT_EQUAL(out_of(f, 0), 1);
		CU_ASSERT_EQUAL(f->pulses, k);
		advance_to(f, at_tick(t0, k * 11932ull + 5965));
		CU_ASSERT_EQUAL(out_of(f, 0), 1);
		advance_to(f, at_tick(t0, k * 11932ull + 5966));
		CU_ASSERT_EQUAL(out_of(f, 0), 0);
	}
	/* Stopped by a control word. */
	outb(f, 0x43, 0x36);
	vtimer_service_advance(f->s, 1000000000);
	CU_ASSERT_EQUAL(f->pulses, 20);
	fx_free(f);
}

static void test_mode4_irq(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	t0 = program(f, 0, 4, 1000);
	vtimer_service_advance(f->s, 100000000);
	CU_ASSERT_EQUAL(f->pulses, 1);
	CU_ASSERT_EQUAL(f->ev[0].t, at_tick(t0, 1001));
	fx_free(f);
}

/* 5 ms running, a 10 ms pause, then 20 ms more, at 1000 Hz. */
static unsigned pulses_with_pause(enum timer_mode mode, bool catch_up)
{
	struct fx *f = fx_new();
	uint64_t t0, last;
	unsigned n, k;

	vtimer_set_mode(f->s, mode);
	t0 = program(f, 0, 2, 1193);
	vtimer_service_advance(f->s, 5000000);
	CU_ASSERT_EQUAL(f->pulses, 5);
	vclock_pause(f->clock);
	vclock_advance(f->clock, 10000000); /* real time goes on */
	vtimer_service_advance(f->s, 0);
	CU_ASSERT_EQUAL(f->pulses, 5);
	vclock_resume(f->clock, catch_up);
	vtimer_service_advance(f->s, 20000000);
	n = f->pulses;
	/* Once caught up, ticks are back on exact boundaries. */
	last = f->ev[f->nev - 1].t;
	k = (unsigned)((last - t0) / 999847);
	CU_ASSERT_EQUAL(last, at_tick(t0, k * 1193ull));
	fx_free(f);
	return n;
}

static void test_timer_modes(void)
{
	/* Guest time stood still: nothing missed. */
	CU_ASSERT_EQUAL(
	    pulses_with_pause(TIMER_MODE_DELAY_FOR_MISSED_TICKS, false), 25);
	CU_ASSERT_EQUAL(
	    pulses_with_pause(TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS, false), 25);
	/* Guest time caught up 10 ms: ticks 6-15 were missed. */
	CU_ASSERT_EQUAL(
	    pulses_with_pause(TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS, true), 35);
	CU_ASSERT_EQUAL(
	    pulses_with_pause(TIMER_MODE_NO_MISSED_TICKS_PENDING, true), 25);
	CU_ASSERT_EQUAL(
	    pulses_with_pause(TIMER_MODE_ONE_MISSED_TICK_PENDING, true), 26);
}

static void test_short_period_clamped(void)
{
	struct fx *f = fx_new();

	program(f, 0, 2, 2); /* 597 kHz asked, 10 kHz delivered */
	vtimer_service_advance(f->s, 10000000);
	CU_ASSERT_TRUE(f->pulses >= 99 && f->pulses <= 101);
	fx_free(f);
}

/* ---- access sequencing and latches ---- */

static void test_lohi_sequencing(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	gate2(f, 1);
	/* LSB only. */
	outb(f, 0x43, 0x90); /* ch2, LSB, mode 0 */
	outb(f, 0x42, 200);
	t0 = now(f);
	advance_to(f, at_tick(t0, 50));
	CU_ASSERT_EQUAL(inb(f, 0x42), 150);
	CU_ASSERT_EQUAL(inb(f, 0x42), 150);
	/* MSB only. */
	outb(f, 0x43, 0xa0);
	outb(f, 0x42, 0x02);
	t0 = now(f);
	advance_to(f, at_tick(t0, 0x100));
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x01);
	/* Word: reads and writes sequenced separately. */
	outb(f, 0x43, 0xb4); /* mode 2 */
	outb(f, 0x42, 0x34);
	CU_ASSERT_EQUAL(status(f, 2) & 0x40, 0x40);
	outb(f, 0x42, 0x12);
	t0 = now(f);
	advance_to(f, at_tick(t0, 0x10));
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x24); /* LSB of 0x1224 */
	outb(f, 0x42, 0x00);		     /* write LSB between */
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x12); /* MSB */
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x24); /* back to LSB */
	outb(f, 0x42, 0x10);		     /* MSB: 0x1000 pending */
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x12);
	/* A control word restarts both sequences at the LSB. */
	outb(f, 0x43, 0xb0);
	outb(f, 0x42, 0x78);
	outb(f, 0x42, 0x56);
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x78);
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x56);
	fx_free(f);
}

static void test_latch(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	gate2(f, 1);
	t0 = program(f, 2, 2, 0x4000);
	advance_to(f, at_tick(t0, 0x123));
	outb(f, 0x43, 0x80);
	advance_to(f, at_tick(t0, 0x800));
	outb(f, 0x43, 0x80); /* ignored: first latch not read yet */
	CU_ASSERT_EQUAL(inb(f, 0x42), 0xdd);
	advance_to(f, at_tick(t0, 0x900));
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x3e); /* 0x4000 - 0x123 = 0x3edd */
	/* Released: follows the counter again. */
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x00);
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x37);
	/* LSB-only latch releases after one byte. */
	outb(f, 0x43, 0x94);
	outb(f, 0x42, 100);
	t0 = now(f);
	advance_to(f, at_tick(t0, 7));
	outb(f, 0x43, 0x80);
	advance_to(f, at_tick(t0, 9));
	CU_ASSERT_EQUAL(inb(f, 0x42), 93);
	CU_ASSERT_EQUAL(inb(f, 0x42), 91);
	fx_free(f);
}

static void test_readback(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	gate2(f, 1);
	t0 = program(f, 0, 2, 1000);
	program(f, 1, 3, 500);
	program(f, 2, 0, 300);
	advance_to(f, at_tick(t0, 400));
	outb(f, 0x43, 0xce); /* count and status, all three */
	advance_to(f, at_tick(t0, 450));
	outb(f, 0x43, 0xce); /* ignored for what is latched */
	CU_ASSERT_EQUAL(inb(f, 0x40), 0x80 | 0x30 | 0x04);
	CU_ASSERT_EQUAL(inb(f, 0x40), 600 & 0xff);
	CU_ASSERT_EQUAL(inb(f, 0x40), 600 >> 8);
	/* Mode 3, N = 500: the second half-period, OUT low. */
	CU_ASSERT_EQUAL(inb(f, 0x41), 0x30 | 0x06);
	CU_ASSERT_EQUAL(inb(f, 0x41), 200);
	CU_ASSERT_EQUAL(inb(f, 0x41), 0);
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x80 | 0x30 | 0x00);
	CU_ASSERT_EQUAL(inb(f, 0x42), (uint8_t)(300 - 400));
	CU_ASSERT_EQUAL(inb(f, 0x42), 0xff);
	/* Status only for 0 and 2, count only for 1. */
	outb(f, 0x43, 0xea);
	outb(f, 0x43, 0xd4);
	CU_ASSERT_EQUAL(inb(f, 0x40), 0x80 | 0x30 | 0x04);
	CU_ASSERT_EQUAL(inb(f, 0x42), 0x80 | 0x30);
	CU_ASSERT_EQUAL(inb(f, 0x41), 100);
	CU_ASSERT_EQUAL(inb(f, 0x41), 0);
	/* A control word clears a pending latch and sets null count. */
	outb(f, 0x43, 0xe8);
	outb(f, 0x43, 0xb0);
	CU_ASSERT_EQUAL(status(f, 2), 0x40 | 0x30);
	fx_free(f);
}

static void test_bcd(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	gate2(f, 1);
	outb(f, 0x43, 0xb5); /* ch2, word, mode 2, BCD */
	outb(f, 0x42, 0x00);
	outb(f, 0x42, 0x10); /* 1000 */
	t0 = now(f);
	CU_ASSERT_EQUAL(status(f, 2), 0x30 | 0x04 | 0x01 | 0x80);
	expect_at(f, 2, t0, 1, 0x0999, 1);
	expect_at(f, 2, t0, 1 + 999 - 234, 0x0234, 1);
	expect_at(f, 2, t0, 1000, 0x1000, 1);
	/* 0 is 10000 in BCD. */
	outb(f, 0x43, 0xb1); /* mode 0, BCD */
	outb(f, 0x42, 0);
	outb(f, 0x42, 0);
	t0 = now(f);
	expect_at(f, 2, t0, 1, 0x9999, 0);
	expect_at(f, 2, t0, 9999, 0x0001, 0);
	expect_at(f, 2, t0, 10000, 0x0000, 1);
	expect_at(f, 2, t0, 10001, 0x9999, 1);
	fx_free(f);
}

static void test_count_zero(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	gate2(f, 1);
	t0 = program(f, 2, 2, 0);
	expect_at(f, 2, t0, 0, 0, 1);
	expect_at(f, 2, t0, 1, 0xffff, 1);
	expect_at(f, 2, t0, 65535, 1, 0);
	expect_at(f, 2, t0, 65536, 0, 1);
	t0 = program(f, 2, 0, 0);
	expect_at(f, 2, t0, 65535, 1, 0);
	expect_at(f, 2, t0, 65536, 0, 1);
	fx_free(f);
}

static void test_port61(void)
{
	struct fx *f = fx_new();
	uint64_t val;
	int toggles = 0, last = -1, i;

	CU_ASSERT_EQUAL(inb(f, 0x61) & ~0x30, 0);
	outb(f, 0x61, 0xff);
	CU_ASSERT_EQUAL(inb(f, 0x61) & 0xcf, 0x03);
	outb(f, 0x61, 0x02);
	CU_ASSERT_EQUAL(inb(f, 0x61) & 0x03, 0x02);
	for (i = 0; i < 40; i++) {
		int r = !!(inb(f, 0x61) & 0x10);

		toggles += last >= 0 && r != last;
		last = r;
		vtimer_service_advance(f->s, 15085);
	}
	CU_ASSERT_TRUE(toggles >= 35);
	/* Wide accesses act on the port's byte; upper bytes float. */
	val = 0x1234567890abcdefull;
	CU_ASSERT_EQUAL(vpit_io(f->pit, 0x61, 4, true, &val), 0);
	CU_ASSERT_EQUAL(vpit_io(f->pit, 0x61, 4, false, &val), 0);
	CU_ASSERT_EQUAL(val & 0xffffff03, 0xffffff03);
	CU_ASSERT_EQUAL(vpit_io(f->pit, 0x43, 2, false, &val), 0);
	CU_ASSERT_EQUAL(val, 0xffff);
	CU_ASSERT_EQUAL(vpit_io(f->pit, 0x44, 1, false, &val), 0);
	CU_ASSERT_EQUAL(val, 0xff);
	fx_free(f);
}

/* ---- save / load ---- */

static void test_save_load(void)
{
	struct fx *f = fx_new(), *g;
	struct vpit_save a, b, bad;
	uint64_t t0;
	unsigned k;

	gate2(f, 1);
	t0 = program(f, 0, 2, 1193);
	program(f, 2, 0, 30000);
	advance_to(f, at_tick(t0, 5000));
	outb(f, 0x43, 0x80); /* latch ch2 */
	CU_ASSERT_EQUAL(inb(f, 0x42), (uint8_t)(30000 - 5000));
	outb(f, 0x43, 0x70); /* ch1 word, mode 0 */
	outb(f, 0x41, 0x55); /* half a count */
	vpit_save(f->pit, &a);

	g = fx_new();
	advance_to(g, now(f));
	CU_ASSERT_EQUAL(vpit_load(g->pit, &a), 0);
	vpit_save(g->pit, &b);
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	CU_ASSERT_EQUAL(inb(g, 0x42), (uint8_t)((30000 - 5000) >> 8));
	outb(g, 0x41, 0x01);
	advance_to(g, at_tick(now(g), 0x10));
	CU_ASSERT_EQUAL(latch16(g, 1), 0x0155 - 0x10);
	vtimer_service_advance(g->s, 10000000);
	CU_ASSERT_EQUAL(g->pulses, 10);
	for (k = 0; k < g->nev; k++)
		CU_ASSERT_EQUAL(g->ev[k].t, at_tick(t0, (k + 5ull) * 1193));

	/* Bad records are refused and change nothing. */
	vpit_save(g->pit, &a);
	for (k = 0; k < 13; k++) {
		bad = a;
		switch (k) {
		case 0:
			bad.ch[0].mode = 6;
			break;
		case 1:
			bad.ch[1].rw_mode = 0;
			break;
		case 2:
			bad.ch[2].bcd = 2;
			break;
		case 3:
			bad.ch[0].gate = 0;
			break;
		case 4:
			bad.ch[2].latch_state = 3;
			break;
		case 5:
			bad.ch[2].write_state = 2;
			break;
		case 6:
			bad.ch[0].count = 0x10000;
			break;
		case 7:
			bad.ch[0].load_time = now(g) + 1;
			break;
		case 8:
			bad.speaker = 2;
			break;
		case 9:
			bad.ch[2].base_ticks = 0x7fffffff;
			break;
		case 11:
			bad.ch[2].base_ticks = -596591;
			break;
		case 10:
			bad.ch[0].base_ticks = 1193;
			break;
		default:
			bad.ch[1].loaded = 7;
			break;
		}
		CU_ASSERT_EQUAL(vpit_load(g->pit, &bad), -EINVAL);
		vpit_save(g->pit, &b);
		CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	}
	fx_free(g);
	fx_free(f);
}

static void test_mode0_save_asserted(void)
{
	struct fx *f = fx_new(), *g = fx_new();
	struct vpit_save a;

	program(f, 0, 0, 100);
	vtimer_service_advance(f->s, 1000000);
	CU_ASSERT_EQUAL(f->asserts, 1);
	vpit_save(f->pit, &a);
	advance_to(g, now(f));
	CU_ASSERT_EQUAL(vpit_load(g->pit, &a), 0);
	CU_ASSERT_EQUAL(g->asserts, 1);
	vpit_reset(g->pit);
	CU_ASSERT_EQUAL(g->deasserts, 1);
	fx_free(g);
	fx_free(f);
}

/* ---- randomized ---- */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static bool valid_bcd(uint16_t v)
{
	return (v & 0xf) < 10 && (v >> 4 & 0xf) < 10 && (v >> 8 & 0xf) < 10 &&
	       (v >> 12) < 10;
}

/* Invariants after every random access. */
static void check_invariants(struct fx *f)
{
	struct vpit_save sv;
	unsigned ch;

	/* Whatever the guest did, the state saves and loads back. */
	vpit_save(f->pit, &sv);
	CU_ASSERT_EQUAL(vpit_load(f->pit, &sv), 0);
	for (ch = 0; ch < 3; ch++) {
		const struct vpit_channel_save *c = &sv.ch[ch];
		uint16_t v;
		uint8_t st;

		CU_ASSERT_TRUE(c->mode <= 5 && c->rw_mode >= 1 &&
			       c->rw_mode <= 3);
		/* Drain what the random accesses left latched. */
		if (c->status_latched)
			inb(f, 0x40 + ch);
		if (c->latch_state)
			inb(f, 0x40 + ch);
		if (c->latch_state == 1 && c->rw_mode == 3)
			inb(f, 0x40 + ch);
		vpit_save(f->pit, &sv);
		/* Read-back: status first, then count, per the RW mode. */
		outb(f, 0x43, (uint8_t)(0xc0 | 2u << ch));
		st = inb(f, 0x40 + ch);
		CU_ASSERT_EQUAL(st & 0x3f,
				c->rw_mode << 4 | c->mode << 1 | c->bcd);
		CU_ASSERT_EQUAL(!!(st & 0x40), c->null_count);
		if (c->rw_mode == 1) {
			v = inb(f, 0x40 + ch);
		} else if (c->rw_mode == 2) {
			v = (uint16_t)(inb(f, 0x40 + ch) << 8);
		} else {
			v = inb(f, 0x40 + ch);
			v |= (uint16_t)(inb(f, 0x40 + ch) << 8);
		}
		if (c->bcd)
			CU_ASSERT_TRUE(valid_bcd(v));
		if (ch == 2)
			CU_ASSERT_EQUAL(!!(inb(f, 0x61) & 0x20), st >> 7);
	}
}

static void random_access(struct fx *f, uint64_t *seed)
{
	static const unsigned ports[] = {0x3f, 0x40, 0x41, 0x42, 0x43, 0x43,
					 0x43, 0x44, 0x60, 0x61, 0x61, 0x62};
	static const unsigned sizes[] = {1, 1, 1, 2, 4};
	uint64_t r = xorshift(seed), val = xorshift(seed);
	unsigned port = ports[r % 12], size = sizes[(r >> 8) % 5];

	CU_ASSERT_EQUAL(vpit_io(f->pit, port, size, (r >> 16) & 1, &val), 0);
	if (!((r >> 16) & 1) && size > 1)
		CU_ASSERT_EQUAL(val >> 8, (size == 2 ? 0xffull : 0xffffffull));
	switch ((r >> 20) % 8) {
	case 0:
		vtimer_service_advance(f->s, (r >> 24) % 100000000);
		break;
	case 1:
	case 2:
		vtimer_service_advance(f->s, (r >> 24) % 20000);
		break;
	default:
		break;
	}
}

static void test_random(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull, s;
	struct fx *f = fx_new();
	unsigned i;

	printf("\n  vpit random: seed 0x%016" PRIx64 ", 30000 accesses ", seed);
	s = seed;
	for (i = 0; i < 30000; i++) {
		random_access(f, &s);
		if (i % 16 == 0)
			check_invariants(f);
	}
	check_invariants(f);
	/* IRQ 0 levels alternate: never two asserts in a row. */
	{
		int level = 0;
		unsigned k;

		for (k = 0; k < f->nev; k++) {
			if (f->ev[k].level == IRQ_PULSE)
				continue;
			CU_ASSERT_NOT_EQUAL((int)f->ev[k].level, level);
			level = f->ev[k].level;
		}
	}
	fx_free(f);
}

/* ---- with a real timer thread ---- */

static void count_irq(void *ctx, unsigned line, enum irq_level level)
{
	(void)line;
	if (level == IRQ_PULSE)
		atomic_fetch_add((atomic_uint *)ctx, 1);
}

/* Port accesses race the timer thread's ticks for 100 ms of real time:
 * no deadlock (lock order device -> periodic timer -> service), ticks
 * keep coming, and destroy waits for a running tick. */
static void test_threaded(void)
{
	struct vclock *clock = vclock_create();
	struct vtimer_service *s = vtimer_service_create(clock, 1, false);
	atomic_uint pulses = 0;
	struct vpit *p = vpit_create(1, s, count_irq, &pulses);
	struct timespec start, t;
	uint64_t v, seed = 12345;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	v = 0x34;
	vpit_io(p, 0x43, 1, true, &v);
	v = 1193 & 0xff;
	vpit_io(p, 0x40, 1, true, &v);
	v = 1193 >> 8;
	vpit_io(p, 0x40, 1, true, &v);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		v = 0;
		vpit_io(p, 0x40, 1, false, &v);
		if (xorshift(&seed) % 64 == 0) {
			v = 0x00; /* latch channel 0 */
			vpit_io(p, 0x43, 1, true, &v);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - start.tv_sec) * 1000000000l +
		     (t.tv_nsec - start.tv_nsec) <
		 100000000l);
	vpit_destroy(p);
	vtimer_service_destroy(s);
	vclock_destroy(clock);
	CU_ASSERT_TRUE(atomic_load(&pulses) >= 10);
}

int kxen_suite_vpit(void)
{
	CU_pSuite s = CU_add_suite("vpit", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "mode 0 count, OUT, IRQ assert/deassert",
			 test_mode0) ||
	    !CU_add_test(s, "mode 1 gate-triggered one-shot", test_mode1) ||
	    !CU_add_test(s, "mode 2 rate generator and gate", test_mode2) ||
	    !CU_add_test(s, "mode 2 new count at end of period",
			 test_mode2_reprogram) ||
	    !CU_add_test(s, "mode 3 square wave, even and odd", test_mode3) ||
	    !CU_add_test(s, "mode 4 software strobe", test_mode4) ||
	    !CU_add_test(s, "mode 5 hardware strobe", test_mode5) ||
	    !CU_add_test(s, "mode 0 gate suspends", test_mode0_gate) ||
	    !CU_add_test(s, "Linux PIT calibration", test_linux_calibration) ||
	    !CU_add_test(s, "mode 2 1000 Hz: N pulses in N ms, no drift",
			 test_mode2_1000hz) ||
	    !CU_add_test(s, "mode 3 IRQ 0 square wave",
			 test_mode3_square_wave_irq) ||
	    !CU_add_test(s, "mode 4 IRQ 0 strobe", test_mode4_irq) ||
	    !CU_add_test(s, "timer_mode on channel 0", test_timer_modes) ||
	    !CU_add_test(s, "short periods clamped",
			 test_short_period_clamped) ||
	    !CU_add_test(s, "lo/hi sequencing", test_lohi_sequencing) ||
	    !CU_add_test(s, "counter latch", test_latch) ||
	    !CU_add_test(s, "read-back of several channels", test_readback) ||
	    !CU_add_test(s, "BCD counting", test_bcd) ||
	    !CU_add_test(s, "count 0 is 65536", test_count_zero) ||
	    !CU_add_test(s, "port 0x61 and wide accesses", test_port61) ||
	    !CU_add_test(s, "save/load round trip, bad records",
			 test_save_load) ||
	    !CU_add_test(s, "save/load keeps IRQ 0 level",
			 test_mode0_save_asserted) ||
	    !CU_add_test(s, "random port accesses", test_random) ||
	    !CU_add_test(s, "real timer thread", test_threaded))
		return -1;
	return 0;
}
