/*
 * vhpet suite: the real hypervisor/dev/vhpet.c driven through its MMIO
 * handler on a manual clock (IA-PC HPET 1.0a). Interrupt outputs are
 * recorded with the virtual time at which they happened.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "dev/vhpet.h"
#include "vclock.h"
#include "vtimer.h"

#define MAX_EV 4096

enum ev_kind { EV_GSI, EV_ISA, EV_LEGACY };

struct ev {
	enum ev_kind kind;
	unsigned line;
	int level; /* enum irq_level, or on/off for EV_LEGACY */
	uint64_t t;
};

struct fx {
	struct vclock *c;
	struct vtimer_service *s;
	struct vhpet *h;
	struct ev ev[MAX_EV];
	unsigned n;	   /* events recorded (capped at MAX_EV) */
	unsigned long all; /* events seen */
	int held[2][32];   /* level assertions outstanding per line */
	bool bad;	   /* deassert of an idle line, or bad line */
};

static void record(struct fx *f, enum ev_kind k, unsigned line, int level)
{
	f->all++;
	if (k != EV_LEGACY) {
		if (line >= 32) {
			f->bad = true;
			return;
		}
		if (level == IRQ_ASSERT)
			f->held[k][line]++;
		else if (level == IRQ_DEASSERT && --f->held[k][line] < 0)
			f->bad = true;
	}
	if (f->n < MAX_EV)
		f->ev[f->n++] = (struct ev){k, line, level, vtimer_now(f->s)};
}

static void on_gsi(void *ctx, unsigned line, enum irq_level level)
{
	record(ctx, EV_GSI, line, level);
}

static void on_isa(void *ctx, unsigned line, enum irq_level level)
{
	record(ctx, EV_ISA, line, level);
}

static void on_legacy(void *ctx, bool on)
{
	record(ctx, EV_LEGACY, 0, on);
}

static const struct vhpet_ops ops = {on_gsi, on_isa, on_legacy};

static struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));

	CU_ASSERT_FATAL(f != NULL);
	f->c = vclock_create_manual();
	f->s = vtimer_service_create(f->c, 1, true);
	CU_ASSERT_FATAL(f->c && f->s);
	vtimer_service_advance(f->s, 12345); /* not at 0 */
	f->h = vhpet_create(1, f->s, &ops, f);
	CU_ASSERT_FATAL(f->h != NULL);
	return f;
}

static void fx_free(struct fx *f)
{
	vhpet_destroy(f->h);
	vtimer_service_destroy(f->s);
	vclock_destroy(f->c);
	free(f);
}

static uint64_t rd(struct fx *f, uint64_t off, unsigned size)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aull;

	CU_ASSERT_EQUAL(vhpet_mmio(f->h, VHPET_BASE + off, size, false, &v), 0);
	return v;
}

static void wr(struct fx *f, uint64_t off, unsigned size, uint64_t v)
{
	CU_ASSERT_EQUAL(vhpet_mmio(f->h, VHPET_BASE + off, size, true, &v), 0);
}

static void adv(struct fx *f, uint64_t ns)
{
	vtimer_service_advance(f->s, ns);
}

/* Events of a kind and level since index from. */
static unsigned count_ev(struct fx *f, unsigned from, enum ev_kind k,
			 unsigned line, int level)
{
	unsigned n = 0;

	for (unsigned i = from; i < f->n; i++)
		if (f->ev[i].kind == k && f->ev[i].line == line &&
		    f->ev[i].level == level)
			n++;
	return n;
}

#define GEN_CONF 0x010
#define GINTR_STA 0x020
#define MAIN_CNT 0x0f0
#define TCONF(n) (0x100 + 0x20 * (n))
#define TCMP(n) (0x108 + 0x20 * (n))
#define TFSB(n) (0x110 + 0x20 * (n))

#define C_LEVEL (1u << 1)
#define C_ENB (1u << 2)
#define C_PERIODIC (1u << 3)
#define C_VALSET (1u << 6)
#define C_32 (1u << 8)
#define ROUTE(g) ((uint64_t)(g) << 9)

#define TICK 100ull /* ns */

static void test_registers(void)
{
	struct fx *f = fx_new();
	uint64_t gcap = rd(f, 0, 8);

	CU_ASSERT_EQUAL(gcap >> 32, 100000000ull);
	CU_ASSERT_EQUAL((gcap >> 16) & 0xffff, 0x8086);
	CU_ASSERT_EQUAL(gcap & (1u << 15), 1u << 15);
	CU_ASSERT_EQUAL(gcap & (1u << 13), 1u << 13);
	CU_ASSERT_EQUAL((gcap >> 8) & 0x1f, 2);
	CU_ASSERT_EQUAL(gcap & 0xff, 1);
	CU_ASSERT_EQUAL(rd(f, 0, 4), gcap & 0xffffffff);
	CU_ASSERT_EQUAL(rd(f, 4, 4), gcap >> 32);
	wr(f, 0, 8, 0);
	CU_ASSERT_EQUAL(rd(f, 0, 8), gcap);

	CU_ASSERT_EQUAL(rd(f, TCONF(0), 8),
			((uint64_t)0x00f00104 << 32) | (1u << 4) | (1u << 5));
	CU_ASSERT_EQUAL(rd(f, TCONF(1) + 4, 4), 0x00f00104);
	CU_ASSERT_EQUAL(rd(f, TCONF(2) + 4, 4), 0x00f00800);
	CU_ASSERT_EQUAL(rd(f, TCMP(0), 8), UINT64_MAX);
	/* FSB not offered: route reads 0, writes ignored, FSB_EN stays 0. */
	wr(f, TFSB(0), 8, 0x1234);
	CU_ASSERT_EQUAL(rd(f, TFSB(0), 8), 0);
	wr(f, TCONF(0), 4, (1u << 14) | (1u << 15));
	CU_ASSERT_EQUAL(rd(f, TCONF(0), 4) & 0xc000, 0);
	/* Bad widths and alignment: all ones, ignored. */
	CU_ASSERT_EQUAL(rd(f, 0, 1), 0xff);
	CU_ASSERT_EQUAL(rd(f, 0, 2), 0xffff);
	CU_ASSERT_EQUAL(rd(f, 2, 4), 0xffffffff);
	CU_ASSERT_EQUAL(rd(f, 4, 8), UINT64_MAX);
	CU_ASSERT_EQUAL(rd(f, VHPET_SIZE, 4), 0xffffffff);
	wr(f, GEN_CONF, 1, 1);
	wr(f, GEN_CONF + 2, 4, 1);
	CU_ASSERT_EQUAL(rd(f, GEN_CONF, 8), 0);
	/* Reserved registers read 0. */
	CU_ASSERT_EQUAL(rd(f, 0x30, 8), 0);
	CU_ASSERT_EQUAL(rd(f, 0x118, 8), 0);
	CU_ASSERT_EQUAL(rd(f, 0x160, 8), 0);
	CU_ASSERT_EQUAL(rd(f, 0x3f8, 8), 0);
	CU_ASSERT_EQUAL(f->all, 0);
	fx_free(f);
}

static void test_counter_rate(void)
{
	struct fx *f = fx_new();
	uint64_t total = 0, step = 1234567891ull; /* odd, not a tick multiple */

	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), 0);
	adv(f, 1000000);
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), 0); /* halted at reset */
	wr(f, GEN_CONF, 4, 1);
	adv(f, 1000000000ull);
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), VHPET_FREQ_HZ);
	total = 1000000000ull;
	/* Ten hours in odd steps: exactly floor(ns / 100), no drift. */
	while (total < 36000ull * 1000000000ull) {
		adv(f, step);
		total += step;
		CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), total / TICK);
	}
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT + 4, 4), (total / TICK) >> 32);
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 4), (uint32_t)(total / TICK));
	fx_free(f);
}

static void test_halt_and_write(void)
{
	struct fx *f = fx_new();
	uint64_t c;

	wr(f, GEN_CONF, 8, 1);
	adv(f, 5000);
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), 50);
	wr(f, MAIN_CNT, 8, 999); /* ignored while running */
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), 50);
	wr(f, GEN_CONF, 8, 0);
	adv(f, 1000000);
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), 50);
	wr(f, MAIN_CNT, 8, 0x123456789abcull);
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), 0x123456789abcull);
	wr(f, MAIN_CNT + 4, 4, 0x77);
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), 0x7756789abcull);
	wr(f, MAIN_CNT, 4, 0x10);
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), 0x7700000010ull);
	wr(f, GEN_CONF, 8, 1);
	adv(f, 250);
	c = rd(f, MAIN_CNT, 8);
	CU_ASSERT_EQUAL(c, 0x7700000012ull);
	/* The counter wraps at 2^64. */
	wr(f, GEN_CONF, 8, 0);
	wr(f, MAIN_CNT, 8, UINT64_MAX - 1);
	wr(f, GEN_CONF, 8, 1);
	adv(f, 5 * TICK);
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), 3);
	fx_free(f);
}

static void test_one_shot(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	wr(f, TCONF(0), 8, C_ENB | ROUTE(2));
	wr(f, TCMP(0), 8, 1000);
	wr(f, GEN_CONF, 8, 1);
	t0 = vtimer_now(f->s);
	adv(f, 1000 * TICK - 1);
	CU_ASSERT_EQUAL(f->n, 0);
	adv(f, 1);
	CU_ASSERT_EQUAL_FATAL(f->n, 1);
	CU_ASSERT_EQUAL(f->ev[0].kind, EV_GSI);
	CU_ASSERT_EQUAL(f->ev[0].line, 2);
	CU_ASSERT_EQUAL(f->ev[0].level, IRQ_PULSE);
	CU_ASSERT_EQUAL(f->ev[0].t, t0 + 1000 * TICK);
	CU_ASSERT_EQUAL(rd(f, TCMP(0), 8), 1000); /* one-shot: unchanged */
	adv(f, 3600ull * 1000000000ull);
	CU_ASSERT_EQUAL(f->n, 1); /* 64-bit: next match after 2^64 ticks */
	/* A new comparator re-arms; one equal to the counter fires now. */
	wr(f, TCMP(0), 8, rd(f, MAIN_CNT, 8) + 10);
	adv(f, 10 * TICK);
	CU_ASSERT_EQUAL(f->n, 2);
	wr(f, GEN_CONF, 8, 0);
	wr(f, TCMP(0), 8, rd(f, MAIN_CNT, 8));
	wr(f, GEN_CONF, 8, 1);
	adv(f, 0);
	CU_ASSERT_EQUAL(f->n, 3);
	/* Interrupt disabled: no delivery. */
	wr(f, TCONF(0), 8, ROUTE(2));
	wr(f, TCMP(0), 8, rd(f, MAIN_CNT, 8) + 10);
	adv(f, 100 * TICK);
	CU_ASSERT_EQUAL(f->n, 3);
	fx_free(f);
}

/* Linux's sequence (hpet_clkevt_set_state_periodic): VAL_SET, write the
 * first deadline, then write the period. */
static void start_periodic(struct fx *f, unsigned n, uint64_t conf,
			   uint64_t first, uint64_t period)
{
	wr(f, TCONF(n), 8, conf | C_ENB | C_PERIODIC | C_VALSET);
	wr(f, TCMP(n), 8, first);
	CU_ASSERT_EQUAL(rd(f, TCONF(n), 8) & C_VALSET, 0);
	wr(f, TCMP(n), 8, period);
}

static void test_periodic(void)
{
	struct fx *f = fx_new();
	uint64_t t0;

	wr(f, GEN_CONF, 8, 1);
	t0 = vtimer_now(f->s);
	start_periodic(f, 2, ROUTE(11), 500, 1000);
	CU_ASSERT_EQUAL(rd(f, TCMP(2), 8), 500);
	adv(f, 500 * TICK);
	CU_ASSERT_EQUAL_FATAL(f->n, 1);
	CU_ASSERT_EQUAL(f->ev[0].t, t0 + 500 * TICK);
	CU_ASSERT_EQUAL(f->ev[0].line, 11);
	/* Comparator catch-up: each match adds the period. */
	CU_ASSERT_EQUAL(rd(f, TCMP(2), 8), 1500);
	adv(f, 10 * 1000 * TICK);
	CU_ASSERT_EQUAL_FATAL(f->n, 11);
	for (unsigned i = 0; i < f->n; i++)
		CU_ASSERT_EQUAL(f->ev[i].t, t0 + (500 + 1000 * i) * TICK);
	CU_ASSERT_EQUAL(rd(f, TCMP(2), 8), 11500);
	/* A write without VAL_SET changes the period from the next match. */
	adv(f, 100 * TICK);
	wr(f, TCMP(2), 8, 200);
	CU_ASSERT_EQUAL(rd(f, TCMP(2), 8), 11500);
	adv(f, 900 * TICK + 400 * TICK);
	CU_ASSERT_EQUAL_FATAL(f->n, 14);
	CU_ASSERT_EQUAL(f->ev[11].t, t0 + 11500 * TICK);
	CU_ASSERT_EQUAL(f->ev[12].t, t0 + 11700 * TICK);
	CU_ASSERT_EQUAL(f->ev[13].t, t0 + 11900 * TICK);
	/* Halting freezes the caught-up comparator; enabling resumes. */
	wr(f, GEN_CONF, 8, 0);
	CU_ASSERT_EQUAL(rd(f, TCMP(2), 8), 12100);
	adv(f, 1000000);
	CU_ASSERT_EQUAL(f->n, 14);
	wr(f, GEN_CONF, 8, 1);
	adv(f, 200 * TICK);
	CU_ASSERT_EQUAL(f->n, 15);
	fx_free(f);
}

static void test_32bit_mode(void)
{
	struct fx *f = fx_new();
	uint64_t t0;
	const uint64_t wrap_ns = (1ull << 32) * TICK;

	wr(f, MAIN_CNT, 8, 0x5ffffff00ull);
	wr(f, TCONF(1), 8, C_ENB | C_32 | ROUTE(8));
	wr(f, TCMP(1), 8, 0xabcd00000010ull); /* upper half dropped */
	CU_ASSERT_EQUAL(rd(f, TCMP(1), 8), 0x10);
	wr(f, TCMP(1) + 4, 4, 0x1234); /* ignored in 32-bit mode */
	CU_ASSERT_EQUAL(rd(f, TCMP(1), 8), 0x10);
	wr(f, GEN_CONF, 8, 1);
	t0 = vtimer_now(f->s);
	adv(f, 0x10f * TICK);
	CU_ASSERT_EQUAL(f->n, 0);
	adv(f, TICK);
	CU_ASSERT_EQUAL_FATAL(f->n, 1);
	CU_ASSERT_EQUAL(f->ev[0].t, t0 + 0x110 * TICK);
	CU_ASSERT_EQUAL(rd(f, MAIN_CNT, 8), 0x600000010ull);
	/* A 32-bit one-shot matches again when the low half wraps. */
	adv(f, wrap_ns - TICK);
	CU_ASSERT_EQUAL(f->n, 1);
	adv(f, TICK);
	CU_ASSERT_EQUAL(f->n, 2);
	CU_ASSERT_EQUAL(f->ev[1].t, t0 + 0x110 * TICK + wrap_ns);
	/* Periodic 32-bit: the comparator wraps with the counter. */
	wr(f, GEN_CONF, 8, 0);
	wr(f, MAIN_CNT, 8, 0xfffffff0ull);
	start_periodic(f, 1, C_32 | ROUTE(8), 0xfffffff8ull, 0x10);
	wr(f, GEN_CONF, 8, 1);
	adv(f, 8 * TICK);
	CU_ASSERT_EQUAL(f->n, 3);
	CU_ASSERT_EQUAL(rd(f, TCMP(1), 8), 0x8);
	adv(f, 0x10 * TICK);
	CU_ASSERT_EQUAL(f->n, 4);
	CU_ASSERT_EQUAL(rd(f, TCMP(1), 8), 0x18);
	/* Leaving 32-bit mode keeps the (32-bit) comparator. */
	wr(f, TCONF(1), 8, C_ENB | ROUTE(8));
	CU_ASSERT_EQUAL(rd(f, TCMP(1), 8), 0x18);
	fx_free(f);
}

static void test_level_and_status(void)
{
	struct fx *f = fx_new();

	wr(f, GEN_CONF, 8, 1);
	start_periodic(f, 0, C_LEVEL | ROUTE(20), 100, 100);
	adv(f, 100 * TICK);
	CU_ASSERT_EQUAL_FATAL(f->n, 1);
	CU_ASSERT_EQUAL(f->ev[0].level, IRQ_ASSERT);
	CU_ASSERT_EQUAL(f->ev[0].line, 20);
	CU_ASSERT_EQUAL(rd(f, GINTR_STA, 8), 1);
	adv(f, 300 * TICK); /* still asserted: no new edges */
	CU_ASSERT_EQUAL(f->n, 1);
	wr(f, GINTR_STA, 8, 2); /* other bits: no effect */
	CU_ASSERT_EQUAL(rd(f, GINTR_STA, 8), 1);
	wr(f, GINTR_STA, 4, 1);
	CU_ASSERT_EQUAL(rd(f, GINTR_STA, 8), 0);
	CU_ASSERT_EQUAL_FATAL(f->n, 2);
	CU_ASSERT_EQUAL(f->ev[1].level, IRQ_DEASSERT);
	adv(f, 100 * TICK);
	CU_ASSERT_EQUAL(f->n, 3);
	CU_ASSERT_EQUAL(f->held[EV_GSI][20], 1);
	/* Halting the counter drops the line, keeps the status. */
	wr(f, GEN_CONF, 8, 0);
	CU_ASSERT_EQUAL(f->held[EV_GSI][20], 0);
	CU_ASSERT_EQUAL(rd(f, GINTR_STA, 8), 1);
	wr(f, GEN_CONF, 8, 1);
	CU_ASSERT_EQUAL(f->held[EV_GSI][20], 1);
	/* A route change moves the assertion. */
	wr(f, TCONF(0), 8, C_ENB | C_PERIODIC | C_LEVEL | ROUTE(21));
	CU_ASSERT_EQUAL(f->held[EV_GSI][20], 0);
	CU_ASSERT_EQUAL(f->held[EV_GSI][21], 1);
	/* Disabling the timer de-asserts and drops the status. */
	wr(f, TCONF(0), 8, C_PERIODIC | C_LEVEL | ROUTE(21));
	CU_ASSERT_EQUAL(f->held[EV_GSI][21], 0);
	CU_ASSERT_EQUAL(rd(f, GINTR_STA, 8), 0);
	CU_ASSERT_FALSE(f->bad);
	fx_free(f);
}

static void test_legacy(void)
{
	struct fx *f = fx_new();
	unsigned mark;

	wr(f, GEN_CONF, 8, 1);
	start_periodic(f, 0, ROUTE(2), 100, 100);
	start_periodic(f, 1, ROUTE(8), 100, 100);
	start_periodic(f, 2, ROUTE(23), 100, 100);
	wr(f, GEN_CONF, 8, 3);
	CU_ASSERT_EQUAL_FATAL(f->n, 1);
	CU_ASSERT_EQUAL(f->ev[0].kind, EV_LEGACY);
	CU_ASSERT_EQUAL(f->ev[0].level, 1);
	CU_ASSERT_EQUAL(rd(f, GEN_CONF, 8), 3);
	mark = f->n;
	adv(f, 100 * TICK);
	CU_ASSERT_EQUAL(count_ev(f, mark, EV_ISA, 0, IRQ_PULSE), 1);
	CU_ASSERT_EQUAL(count_ev(f, mark, EV_ISA, 8, IRQ_PULSE), 1);
	CU_ASSERT_EQUAL(count_ev(f, mark, EV_GSI, 23, IRQ_PULSE), 1);
	CU_ASSERT_EQUAL(f->n, mark + 3);
	wr(f, GEN_CONF, 8, 3); /* no change: no call */
	CU_ASSERT_EQUAL(f->n, mark + 3);
	wr(f, GEN_CONF, 8, 1);
	CU_ASSERT_EQUAL(f->ev[f->n - 1].kind, EV_LEGACY);
	CU_ASSERT_EQUAL(f->ev[f->n - 1].level, 0);
	mark = f->n;
	adv(f, 100 * TICK);
	CU_ASSERT_EQUAL(count_ev(f, mark, EV_GSI, 2, IRQ_PULSE), 1);
	CU_ASSERT_EQUAL(count_ev(f, mark, EV_GSI, 8, IRQ_PULSE), 1);
	CU_ASSERT_EQUAL(count_ev(f, mark, EV_GSI, 23, IRQ_PULSE), 1);
	/* Level timer 0 moves between GSI 2 and ISA 0 with the switch. */
	wr(f, TCONF(0), 8, C_ENB | C_PERIODIC | C_LEVEL | ROUTE(2));
	adv(f, 100 * TICK);
	CU_ASSERT_EQUAL(f->held[EV_GSI][2], 1);
	wr(f, GEN_CONF, 8, 3);
	CU_ASSERT_EQUAL(f->held[EV_GSI][2], 0);
	CU_ASSERT_EQUAL(f->held[EV_ISA][0], 1);
	vhpet_reset(f->h);
	CU_ASSERT_EQUAL(f->held[EV_ISA][0], 0);
	CU_ASSERT_EQUAL(f->ev[f->n - 1].kind, EV_LEGACY);
	CU_ASSERT_EQUAL(f->ev[f->n - 1].level, 0);
	CU_ASSERT_FALSE(f->bad);
	fx_free(f);
}

static unsigned route_of(struct fx *f, unsigned n)
{
	return (rd(f, TCONF(n), 8) >> 9) & 0x1f;
}

static void test_route_cap(void)
{
	struct fx *f = fx_new();
	static const unsigned ok01[] = {2, 8, 20, 21, 22, 23};
	static const unsigned ok2[] = {11, 20, 21, 22, 23};

	for (unsigned g = 0; g < 32; g++) {
		bool a01 = false, a2 = false;

		for (unsigned i = 0; i < 6; i++)
			a01 |= ok01[i] == g;
		for (unsigned i = 0; i < 5; i++)
			a2 |= ok2[i] == g;
		wr(f, TCONF(0), 8, ROUTE(23));
		wr(f, TCONF(2), 8, ROUTE(23));
		wr(f, TCONF(0), 8, ROUTE(g));
		wr(f, TCONF(2), 8, ROUTE(g));
		CU_ASSERT_EQUAL(route_of(f, 0), a01 ? g : 23);
		CU_ASSERT_EQUAL(route_of(f, 2), a2 ? g : 23);
	}
	/* A refused route keeps the old one; other bits still apply. */
	wr(f, TCONF(1), 8, ROUTE(8));
	wr(f, TCONF(1), 8, ROUTE(11) | C_ENB);
	CU_ASSERT_EQUAL(route_of(f, 1), 8);
	CU_ASSERT_EQUAL(rd(f, TCONF(1), 8) & C_ENB, C_ENB);
	/* Reset route 0 is not routable: matches are dropped. */
	wr(f, TCONF(2), 8, 0);
	wr(f, TCONF(2), 8, ROUTE(0) | C_ENB);
	vhpet_reset(f->h);
	wr(f, TCONF(2), 8, C_ENB);
	wr(f, TCMP(2), 8, 5);
	wr(f, GEN_CONF, 8, 1);
	adv(f, 10 * TICK);
	CU_ASSERT_EQUAL(f->all, 0);
	fx_free(f);
}

/* A match that fell due while the timer thread had not run yet is
 * delivered when the timer is stopped (vclock_advance moves time
 * without firing timers, as a late timer thread would). */
static void test_overdue_on_stop(void)
{
	struct fx *f = fx_new();

	wr(f, TCONF(0), 8, C_ENB | ROUTE(2));
	wr(f, TCMP(0), 8, 50);
	wr(f, GEN_CONF, 8, 1);
	vclock_advance(f->c, 60 * TICK);
	CU_ASSERT_EQUAL(f->n, 0);
	wr(f, GEN_CONF, 8, 0);
	CU_ASSERT_EQUAL_FATAL(f->n, 1);
	CU_ASSERT_EQUAL(f->ev[0].level, IRQ_PULSE);
	adv(f, 1000 * TICK);
	CU_ASSERT_EQUAL(f->n, 1); /* delivered once only */
	/* Same for disabling the timer's interrupt, level-triggered: it
	 * is delivered (status set), then de-asserted by the disable. */
	wr(f, TCONF(1), 8, C_ENB | C_LEVEL | ROUTE(8));
	wr(f, TCMP(1), 8, rd(f, MAIN_CNT, 8) + 5);
	wr(f, GEN_CONF, 8, 1);
	vclock_advance(f->c, 10 * TICK);
	wr(f, TCONF(1), 8, C_LEVEL | ROUTE(8));
	CU_ASSERT_EQUAL(count_ev(f, 0, EV_GSI, 8, IRQ_ASSERT), 1);
	CU_ASSERT_EQUAL(count_ev(f, 0, EV_GSI, 8, IRQ_DEASSERT), 1);
	/* And for a comparator rewrite of an overdue one-shot. */
	wr(f, TCMP(0), 8, rd(f, MAIN_CNT, 8) + 5);
	vclock_advance(f->c, 10 * TICK);
	wr(f, TCMP(0), 8, rd(f, MAIN_CNT, 8) + 1000);
	CU_ASSERT_EQUAL(count_ev(f, 0, EV_GSI, 2, IRQ_PULSE), 2);
	adv(f, 0);
	CU_ASSERT_EQUAL(count_ev(f, 0, EV_GSI, 2, IRQ_PULSE), 2);
	CU_ASSERT_FALSE(f->bad);
	fx_free(f);
}

/* The periodic timer applies timer_mode: the timer thread runs 9.5
 * periods late, then time moves on 5 more periods. */
static unsigned late_ticks(enum timer_mode mode)
{
	struct fx *f = fx_new();
	const uint64_t ms = 1000000;
	unsigned n;

	vtimer_set_mode(f->s, mode);
	wr(f, GEN_CONF, 8, 1);
	start_periodic(f, 0, ROUTE(2), ms / TICK, ms / TICK);
	vclock_advance(f->c, 10 * ms + ms / 2);
	adv(f, 5 * ms);
	n = count_ev(f, 0, EV_GSI, 2, IRQ_PULSE);
	/* Whatever was delivered, the comparator follows the counter. */
	CU_ASSERT_EQUAL(rd(f, TCMP(0), 8), 16 * ms / TICK);
	fx_free(f);
	return n;
}

static void test_timer_mode(void)
{
	CU_ASSERT_EQUAL(late_ticks(TIMER_MODE_DELAY_FOR_MISSED_TICKS), 15);
	CU_ASSERT_EQUAL(late_ticks(TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS), 15);
	CU_ASSERT_EQUAL(late_ticks(TIMER_MODE_NO_MISSED_TICKS_PENDING), 5);
	CU_ASSERT_EQUAL(late_ticks(TIMER_MODE_ONE_MISSED_TICK_PENDING), 6);
}

static void test_save_load(void)
{
	struct fx *a = fx_new(), *b = fx_new();
	struct vhpet_save sa, sb, bad;
	unsigned na;

	wr(a, GEN_CONF, 8, 1);
	start_periodic(a, 0, C_LEVEL | ROUTE(20), 300, 300);
	start_periodic(a, 1, C_32 | ROUTE(8), 100, 1000);
	wr(a, TCONF(2), 8, C_ENB | ROUTE(11));
	wr(a, TCMP(2), 8, 5000);
	adv(a, 400 * TICK);
	adv(b, 400 * TICK); /* same clock reading in b */
	CU_ASSERT_EQUAL(rd(a, GINTR_STA, 8), 1);
	vhpet_save(a->h, &sa);
	CU_ASSERT_EQUAL(vhpet_load(b->h, &sa), 0);
	vhpet_save(b->h, &sb);
	CU_ASSERT_EQUAL(memcmp(&sa, &sb, sizeof(sa)), 0);
	CU_ASSERT_EQUAL(b->held[EV_GSI][20], 1); /* level restored */
	for (uint64_t off = 0; off < VHPET_SIZE; off += 8)
		CU_ASSERT_EQUAL(rd(a, off, 8), rd(b, off, 8));
	na = a->n;
	adv(a, 6000 * TICK);
	adv(b, 6000 * TICK);
	CU_ASSERT_EQUAL(a->n - na, b->n - 1);
	for (unsigned i = 1; i < b->n && na + i - 1 < a->n; i++) {
		CU_ASSERT_EQUAL(a->ev[na + i - 1].t, b->ev[i].t);
		CU_ASSERT_EQUAL(a->ev[na + i - 1].line, b->ev[i].line);
	}
	/* Bad records are refused and leave the device alone. */
	vhpet_save(b->h, &sb);
	bad = sa;
	bad.config |= 4;
	CU_ASSERT_EQUAL(vhpet_load(b->h, &bad), -EINVAL);
	bad = sa;
	bad.isr = 8;
	CU_ASSERT_EQUAL(vhpet_load(b->h, &bad), -EINVAL);
	bad = sa;
	bad.timer[0].config &= ~(1ull << 4); /* RO capability */
	CU_ASSERT_EQUAL(vhpet_load(b->h, &bad), -EINVAL);
	bad = sa;
	bad.timer[2].config ^= 1ull << 40; /* route capability */
	CU_ASSERT_EQUAL(vhpet_load(b->h, &bad), -EINVAL);
	bad = sa;
	bad.timer[2].config = (bad.timer[2].config & ~ROUTE(31)) | ROUTE(2);
	CU_ASSERT_EQUAL(vhpet_load(b->h, &bad), -EINVAL);
	bad = sa;
	bad.timer[1].comparator |= 1ull << 32; /* 32-bit timer */
	CU_ASSERT_EQUAL(vhpet_load(b->h, &bad), -EINVAL);
	bad = sa;
	bad.timer[0].config |= 1ull << 14; /* FSB */
	CU_ASSERT_EQUAL(vhpet_load(b->h, &bad), -EINVAL);
	vhpet_save(b->h, &bad);
	CU_ASSERT_EQUAL(memcmp(&sb, &bad, sizeof(sb)), 0);
	CU_ASSERT_FALSE(a->bad || b->bad);
	fx_free(a);
	fx_free(b);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t random_value(uint64_t *s)
{
	uint64_t r = xorshift(s);

	switch (r % 4) {
	case 0:
		return xorshift(s);
	case 1:
		return xorshift(s) & 0xffff;
	case 2: /* plausible timer config */
		return xorshift(s) & (0x1f4e | ((uint64_t)0x1f << 9));
	default:
		return 1ull << (xorshift(s) % 64);
	}
}

struct fuzz_state {
	uint64_t gcap, caps[VHPET_TIMERS], last_cnt;
	bool was_enabled;
};

static void check_invariants(struct fx *f, struct fuzz_state *st)
{
	bool en = rd(f, GEN_CONF, 8) & 1;
	uint64_t cnt = rd(f, MAIN_CNT, 8);

	CU_ASSERT_EQUAL(rd(f, 0, 8), st->gcap);
	for (unsigned i = 0; i < VHPET_TIMERS; i++) {
		CU_ASSERT_EQUAL(rd(f, TCONF(i), 8) & 0xffffffff0000c030ull,
				st->caps[i]);
		CU_ASSERT_EQUAL(rd(f, TFSB(i), 8), 0);
	}
	CU_ASSERT_EQUAL(rd(f, GEN_CONF, 8) & ~3ull, 0);
	CU_ASSERT_EQUAL(rd(f, GINTR_STA, 8) & ~7ull, 0);
	/* Monotonic while enabled (the counter cannot be written then;
	 * a 64-bit wrap would take 58,000 years from any random start
	 * that the test's short run could reach, so no wrap check). */
	if (en && st->was_enabled && cnt < st->last_cnt &&
	    st->last_cnt - cnt < (1ull << 63))
		CU_FAIL("main counter went backwards while enabled");
	st->was_enabled = en;
	st->last_cnt = cnt;
}

/* Mostly real registers (either half), sometimes anywhere around. */
static uint64_t random_offset(uint64_t *s)
{
	static const uint64_t regs[] = {0x000,	  GEN_CONF, GEN_CONF, GINTR_STA,
					MAIN_CNT, TCONF(0), TCMP(0),  TFSB(0),
					TCONF(1), TCMP(1),  TCONF(2), TCMP(2)};
	uint64_t r = xorshift(s);

	if (r % 3 == 0)
		return (r >> 8) % (VHPET_SIZE + 0x40) - 0x20;
	return regs[(r >> 8) % 12] + (((r >> 20) & 7) == 0 ? 4 : 0);
}

static uint64_t random_write(struct fx *f, uint64_t *s, uint64_t off)
{
	uint64_t r = xorshift(s);

	/* Comparators near the counter, so that matches happen. */
	if ((off & ~7ull) >= 0x100 && (off & 0x1f) == 8 && r % 2)
		return rd(f, MAIN_CNT, 8) + (r >> 8) % 5000;
	if (off == GEN_CONF && r % 4)
		return (r >> 8) & 3;
	return random_value(s);
}

static void test_random(void)
{
	struct fx *f = fx_new();
	uint64_t seed = 0x9e3779b97f4a7c15ull, s = seed;
	static const unsigned widths[] = {1, 2, 4, 8, 4, 8};
	struct fuzz_state st = {0};
	const unsigned iters = 30000;

	printf("\n  vhpet random: seed 0x%016" PRIx64 ", %u accesses\n", seed,
	       iters);
	st.gcap = rd(f, 0, 8);
	for (unsigned i = 0; i < VHPET_TIMERS; i++)
		st.caps[i] = rd(f, TCONF(i), 8) & 0xffffffff0000c030ull;
	for (unsigned i = 0; i < iters; i++) {
		uint64_t r = xorshift(&s), off = random_offset(&s), v;
		unsigned w = widths[(r >> 16) % 6];
		bool write = (r >> 24) & 1;

		if (((r >> 20) & 7) != 0)
			off &= ~(uint64_t)(w - 1); /* mostly aligned */
		v = write ? random_write(f, &s, off) : 0;
		vhpet_mmio(f->h, VHPET_BASE + off, w, write, &v);
		if (((r >> 26) % 4) == 0)
			adv(f, xorshift(&s) %
				   (((r >> 29) % 64) ? 50000 : 5000000));
		if (((r >> 35) % 8) == 0)
			vclock_advance(f->c, xorshift(&s) % 3000);
		if (((r >> 40) % 4096) == 0)
			vhpet_reset(f->h);
		if (i % 8 == 0)
			check_invariants(f, &st);
	}
	CU_ASSERT_FALSE(f->bad);
	for (unsigned k = 0; k < 2; k++)
		for (unsigned l = 0; l < 32; l++)
			CU_ASSERT(f->held[k][l] >= 0 && f->held[k][l] <= 3);
	printf("  vhpet random: %lu interrupt events\n", f->all);
	CU_ASSERT(f->all > 100);
	fx_free(f);
}

int kxen_suite_vhpet(void)
{
	CU_pSuite s = CU_add_suite("vhpet", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "registers, widths, reserved", test_registers) ||
	    !CU_add_test(s, "counter at 10 MHz, no drift", test_counter_rate) ||
	    !CU_add_test(s, "halt, enable, counter writes",
			 test_halt_and_write) ||
	    !CU_add_test(s, "one-shot", test_one_shot) ||
	    !CU_add_test(s, "periodic with VAL_SET, catch-up", test_periodic) ||
	    !CU_add_test(s, "32-bit mode and wrap", test_32bit_mode) ||
	    !CU_add_test(s, "level, GINTR_STA", test_level_and_status) ||
	    !CU_add_test(s, "legacy replacement", test_legacy) ||
	    !CU_add_test(s, "route capability", test_route_cap) ||
	    !CU_add_test(s, "overdue interrupt on stop",
			 test_overdue_on_stop) ||
	    !CU_add_test(s, "timer_mode on a periodic timer",
			 test_timer_mode) ||
	    !CU_add_test(s, "save/load", test_save_load) ||
	    !CU_add_test(s, "random accesses", test_random))
		return -1;
	return 0;
}
