/*
 * pmtimer suite: the real hypervisor/dev/pmtimer.c driven through its
 * port handler on a manual clock (ACPI 6.x §4.8.3: PM timer, PM1a
 * event and control blocks). SCI level changes and sleep requests are
 * recorded with the virtual time at which they happened.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "dev/pmtimer.h"
#include "vclock.h"
#include "vtimer.h"

#define MAX_EV 1024

struct ev {
	int what; /* IRQ_ASSERT / IRQ_DEASSERT, or 100 + slp_typ */
	uint64_t t;
};

struct fx {
	struct vclock *c;
	struct vtimer_service *s;
	struct pmtimer *p;
	struct ev ev[MAX_EV];
	unsigned n;
	unsigned long all;
	int sci;  /* current level */
	bool bad; /* wrong line, pulse, or a repeated level */
};

static void push(struct fx *f, int what)
{
	f->all++;
	if (f->n < MAX_EV)
		f->ev[f->n++] = (struct ev){what, vtimer_now(f->s)};
}

static void on_sci(void *ctx, unsigned line, enum irq_level level)
{
	struct fx *f = ctx;

	if (line != PM_SCI_GSI || level == IRQ_PULSE || (int)level == f->sci)
		f->bad = true;
	f->sci = level;
	push(f, level);
}

static void on_sleep(void *ctx, unsigned slp_typ)
{
	push(ctx, 100 + (int)slp_typ);
}

static const struct pmtimer_ops ops = {on_sci, on_sleep};

static struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));

	CU_ASSERT_FATAL(f != NULL);
	f->c = vclock_create_manual();
	f->s = vtimer_service_create(f->c, 1, true);
	CU_ASSERT_FATAL(f->c && f->s);
	vtimer_service_advance(f->s, 777);
	f->p = pmtimer_create(1, f->s, &ops, f);
	CU_ASSERT_FATAL(f->p != NULL);
	return f;
}

static void fx_free(struct fx *f)
{
	pmtimer_destroy(f->p);
	vtimer_service_destroy(f->s);
	vclock_destroy(f->c);
	free(f);
}

static uint64_t in(struct fx *f, uint64_t port, unsigned size)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aull;

	CU_ASSERT_EQUAL(pmtimer_io(f->p, port, size, false, &v), 0);
	return v;
}

static void out(struct fx *f, uint64_t port, unsigned size, uint64_t v)
{
	CU_ASSERT_EQUAL(pmtimer_io(f->p, port, size, true, &v), 0);
}

static void adv(struct fx *f, uint64_t ns)
{
	vtimer_service_advance(f->s, ns);
}

#define STS PM1A_EVT_PORT
#define EN (PM1A_EVT_PORT + 2)
#define CNT PM1A_CNT_PORT
#define TMR PM_TMR_PORT
#define NS 1000000000ull

/* Expected count after ns: floor(ns * 3579545 / 1e9), exact. */
static uint32_t expect(uint64_t ns)
{
	return (uint32_t)((unsigned __int128)ns * PMTIMER_HZ / NS);
}

/* First ns at which the count reaches ticks. */
static uint64_t when(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * NS + PMTIMER_HZ - 1) /
			  PMTIMER_HZ);
}

static void test_counter(void)
{
	struct fx *f = fx_new();
	uint64_t total = 0, step = 987654321123ull; /* ~16 minutes */

	CU_ASSERT_EQUAL(in(f, TMR, 4), 0);
	adv(f, NS);
	CU_ASSERT_EQUAL(in(f, TMR, 4), PMTIMER_HZ);
	total = NS;
	/* 30 days in odd steps: exact, no drift, wraps every ~20 min. */
	while (total < 30ull * 86400 * NS) {
		adv(f, step);
		total += step;
		CU_ASSERT_EQUAL(in(f, TMR, 4), expect(total));
	}
	adv(f, 1);
	total++;
	CU_ASSERT_EQUAL(in(f, TMR, 4), expect(total));
	/* Narrow reads return the matching bytes; writes are ignored. */
	{
		uint32_t v = (uint32_t)in(f, TMR, 4);

		CU_ASSERT_EQUAL(in(f, TMR, 1), v & 0xff);
		CU_ASSERT_EQUAL(in(f, TMR + 1, 1), (v >> 8) & 0xff);
		CU_ASSERT_EQUAL(in(f, TMR + 2, 2), v >> 16);
		CU_ASSERT_EQUAL(in(f, TMR + 3, 1), v >> 24);
		out(f, TMR, 4, 0);
		CU_ASSERT_EQUAL(in(f, TMR, 4), v);
		/* A read running past the block: unclaimed bytes are 0xff. */
		CU_ASSERT_EQUAL(in(f, TMR + 3, 2), 0xff00 | (v >> 24));
	}
	CU_ASSERT_EQUAL(f->all, 0);
	fx_free(f);
}

/* §4.8.3.3: TMR_STS when bit 31 toggles; no SCI unless TMR_EN. */
static void test_tmr_sts(void)
{
	struct fx *f = fx_new();
	uint64_t t0 = vtimer_now(f->s);
	uint64_t flip = when(1ull << 31);

	adv(f, flip - 1);
	CU_ASSERT_EQUAL(in(f, STS, 2), 0);
	adv(f, 1);
	CU_ASSERT_EQUAL(in(f, TMR, 4), 1u << 31);
	CU_ASSERT_EQUAL(in(f, STS, 2), 1);
	CU_ASSERT_EQUAL(f->all, 0); /* TMR_EN clear: no SCI */
	out(f, STS, 2, 1);
	CU_ASSERT_EQUAL(in(f, STS, 2), 0);
	/* With TMR_EN, the SCI rises exactly at the next flip (the
	 * wrap from 0xffffffff to 0 toggles bit 31 too). */
	out(f, EN, 2, 1);
	CU_ASSERT_EQUAL(f->all, 0);
	adv(f, when(1ull << 32) - (flip + 0) - 1);
	CU_ASSERT_EQUAL(f->all, 0);
	adv(f, 1);
	CU_ASSERT_EQUAL_FATAL(f->n, 1);
	CU_ASSERT_EQUAL(f->ev[0].what, IRQ_ASSERT);
	CU_ASSERT_EQUAL(f->ev[0].t, t0 + when(1ull << 32));
	CU_ASSERT_EQUAL(in(f, TMR, 4), 0);
	/* Level: stays up until cleared, then drops. */
	adv(f, NS);
	CU_ASSERT_EQUAL(f->n, 1);
	out(f, STS, 2, 1);
	CU_ASSERT_EQUAL_FATAL(f->n, 2);
	CU_ASSERT_EQUAL(f->ev[1].what, IRQ_DEASSERT);
	/* Disabling TMR_EN with the status set drops the SCI. */
	adv(f, when(3ull << 31) - when(1ull << 32) - NS);
	CU_ASSERT_EQUAL(f->n, 3);
	out(f, EN, 2, 0);
	CU_ASSERT_EQUAL(f->n, 4);
	CU_ASSERT_EQUAL(in(f, STS, 2), 1);
	out(f, EN, 2, 1);
	CU_ASSERT_EQUAL(f->n, 5);
	CU_ASSERT_EQUAL(f->sci, IRQ_ASSERT);
	CU_ASSERT_FALSE(f->bad);
	fx_free(f);
}

static void load_sts(struct fx *f, uint16_t sts, uint16_t en)
{
	struct pmtimer_save s;

	pmtimer_save(f->p, &s);
	s.pm1_sts = sts;
	s.pm1_en = en;
	CU_ASSERT_EQUAL(pmtimer_load(f->p, &s), 0);
}

static void test_status_enable(void)
{
	struct fx *f = fx_new();
	const uint16_t all = 0x8731;

	load_sts(f, all, 0);
	CU_ASSERT_EQUAL(in(f, STS, 2), all);
	out(f, STS, 2, 0x0010 | 0x0100);
	CU_ASSERT_EQUAL(in(f, STS, 2), all & ~0x0110);
	out(f, STS, 2, 0x78ce); /* bits that are not status: nothing */
	CU_ASSERT_EQUAL(in(f, STS, 2), all & ~0x0110);
	out(f, STS, 1, 0xff); /* byte writes are ignored */
	CU_ASSERT_EQUAL(in(f, STS, 2), all & ~0x0110);
	out(f, STS, 2, 0xffff);
	CU_ASSERT_EQUAL(in(f, STS, 2), 0);
	/* PM1_EN keeps only its enable bits. */
	out(f, EN, 2, 0xffff);
	CU_ASSERT_EQUAL(in(f, EN, 2), 0x0721);
	out(f, EN, 2, 0);
	/* One 4-byte access covers both registers. */
	load_sts(f, all, 0);
	out(f, STS, 4, 0x01000001u);
	CU_ASSERT_EQUAL(in(f, STS, 4), (0x0100u << 16) | (all & ~1u));
	CU_ASSERT_EQUAL(in(f, STS + 1, 1), (all & ~1u) >> 8);
	CU_ASSERT_EQUAL(in(f, EN + 1, 1), 0x01);
	/* SCI = (PM1_STS & PM1_EN) != 0 for every enable bit. */
	CU_ASSERT_EQUAL(f->sci, IRQ_ASSERT); /* PWRBTN_STS & PWRBTN_EN */
	out(f, STS, 2, 0x0100);
	CU_ASSERT_EQUAL(f->sci, IRQ_DEASSERT);
	for (unsigned b = 0; b < 16; b++) {
		struct pmtimer_save sv;

		if (!(0x0721 & (1u << b)))
			continue;
		load_sts(f, all, 1u << b);
		CU_ASSERT_EQUAL(f->sci, IRQ_ASSERT);
		load_sts(f, all & ~(1u << b), 1u << b);
		CU_ASSERT_EQUAL(f->sci, IRQ_DEASSERT);
		pmtimer_save(f->p, &sv);
		sv.pm1_en = 0x0721;
		CU_ASSERT_EQUAL(pmtimer_load(f->p, &sv), 0);
		out(f, EN, 2, 1u << b); /* writes drive the SCI too */
		CU_ASSERT_EQUAL(f->sci, IRQ_DEASSERT);
		out(f, EN, 2, 0);
	}
	CU_ASSERT_FALSE(f->bad);
	fx_free(f);
}

/* The fixed power button (ACPI §4.8.2.2.1.1): PWRBTN_STS, SCI only
 * while PWRBTN_EN, cleared by writing 1. */
static void test_power_button(void)
{
	struct fx *f = fx_new();

	CU_ASSERT_FALSE(pmtimer_power_button(f->p)); /* not enabled yet */
	CU_ASSERT_EQUAL(in(f, STS, 2) & 0x0100, 0x0100);
	CU_ASSERT_NOT_EQUAL(f->sci, IRQ_ASSERT);
	out(f, EN, 2, 0x0100); /* enabling with the status set: SCI */
	CU_ASSERT_EQUAL(f->sci, IRQ_ASSERT);
	out(f, STS, 2, 0x0100);
	CU_ASSERT_EQUAL(in(f, STS, 2) & 0x0100, 0);
	CU_ASSERT_EQUAL(f->sci, IRQ_DEASSERT);
	CU_ASSERT_TRUE(pmtimer_power_button(f->p));
	CU_ASSERT_EQUAL(f->sci, IRQ_ASSERT);
	CU_ASSERT_TRUE(pmtimer_power_button(f->p)); /* again: still one */
	CU_ASSERT_EQUAL(f->sci, IRQ_ASSERT);
	out(f, STS, 2, 0x0100);
	CU_ASSERT_EQUAL(f->sci, IRQ_DEASSERT);
	/* Other status bits are left alone. */
	CU_ASSERT_EQUAL(in(f, STS, 2) & ~0x0001u, 0);
	CU_ASSERT_FALSE(f->bad);
	fx_free(f);
}

static void test_control(void)
{
	struct fx *f = fx_new();

	out(f, CNT, 2, 1);
	CU_ASSERT_EQUAL(in(f, CNT, 2), 1); /* SCI_EN stored */
	out(f, CNT, 2, 1 | (5u << 10));
	CU_ASSERT_EQUAL(in(f, CNT, 2), 1 | (5u << 10));
	CU_ASSERT_EQUAL(f->all, 0);
	out(f, CNT, 2, 1 | (7u << 10) | (1u << 13));
	CU_ASSERT_EQUAL_FATAL(f->n, 1);
	CU_ASSERT_EQUAL(f->ev[0].what, 107);
	CU_ASSERT_EQUAL(in(f, CNT, 2), 1 | (7u << 10)); /* SLP_EN reads 0 */
	out(f, CNT, 2, (3u << 10) | (1u << 13) | 0xc0fe);
	CU_ASSERT_EQUAL_FATAL(f->n, 2);
	CU_ASSERT_EQUAL(f->ev[1].what, 103);
	CU_ASSERT_EQUAL(in(f, CNT, 2), 3u << 10);
	out(f, CNT, 1, 0xff); /* byte write: ignored */
	CU_ASSERT_EQUAL(in(f, CNT, 2), 3u << 10);
	CU_ASSERT_EQUAL(in(f, CNT + 1, 1), (3u << 10) >> 8);
	CU_ASSERT_EQUAL(f->n, 2);
	fx_free(f);
}

static void test_save_load(void)
{
	struct fx *a = fx_new(), *b = fx_new();
	struct pmtimer_save sa, sb, bad;

	out(a, EN, 2, 0x0101);
	out(a, CNT, 2, 1 | (5u << 10));
	adv(a, when(1ull << 31) + 12345);
	adv(b, when(1ull << 31) + 12345);
	CU_ASSERT_EQUAL(a->sci, IRQ_ASSERT);
	pmtimer_save(a->p, &sa);
	CU_ASSERT_EQUAL(sa.pm1_sts, 1);
	CU_ASSERT_EQUAL(pmtimer_load(b->p, &sa), 0);
	pmtimer_save(b->p, &sb);
	CU_ASSERT_EQUAL(memcmp(&sa, &sb, sizeof(sa)), 0);
	CU_ASSERT_EQUAL(b->sci, IRQ_ASSERT);
	CU_ASSERT_EQUAL(in(a, TMR, 4), in(b, TMR, 4));
	CU_ASSERT_EQUAL(in(a, CNT, 2), in(b, CNT, 2));
	out(a, STS, 2, 1);
	out(b, STS, 2, 1);
	adv(a, 3000 * NS);
	adv(b, 3000 * NS);
	CU_ASSERT_EQUAL(in(a, TMR, 4), in(b, TMR, 4));
	CU_ASSERT_EQUAL(a->n, 3);
	CU_ASSERT_EQUAL_FATAL(b->n, 3); /* assert at load, clear, flip */
	CU_ASSERT_EQUAL(a->ev[2].t, b->ev[2].t);
	/* A base in this clock's future: the counter keeps its phase. */
	{
		struct fx *c = fx_new();
		uint32_t before;

		sa.base_vclock = vtimer_now(c->s) + 10 * NS;
		CU_ASSERT_EQUAL(pmtimer_load(c->p, &sa), 0);
		before = (uint32_t)in(c, TMR, 4);
		CU_ASSERT(before >= (uint32_t)-expect(10 * NS) - 1);
		adv(c, 10 * NS);
		CU_ASSERT(in(c, TMR, 4) <= 1);
		pmtimer_save(c->p, &sb);
		CU_ASSERT_EQUAL(pmtimer_load(c->p, &sb), 0);
		CU_ASSERT(in(c, TMR, 4) <= 1);
		fx_free(c);
	}
	/* Bad records are refused and change nothing. */
	pmtimer_save(b->p, &sb);
	bad = sb;
	bad.pm1_sts |= 2;
	CU_ASSERT_EQUAL(pmtimer_load(b->p, &bad), -EINVAL);
	bad = sb;
	bad.pm1_en |= 0x8000;
	CU_ASSERT_EQUAL(pmtimer_load(b->p, &bad), -EINVAL);
	bad = sb;
	bad.pm1_cnt |= 1u << 13;
	CU_ASSERT_EQUAL(pmtimer_load(b->p, &bad), -EINVAL);
	bad = sb;
	bad.pad = 1;
	CU_ASSERT_EQUAL(pmtimer_load(b->p, &bad), -EINVAL);
	pmtimer_save(b->p, &bad);
	CU_ASSERT_EQUAL(memcmp(&sb, &bad, sizeof(sb)), 0);
	/* Reset: everything clear, SCI dropped, counter from 0. */
	out(b, EN, 2, 1);
	adv(b, when(1ull << 31));
	CU_ASSERT_EQUAL(b->sci, IRQ_ASSERT);
	pmtimer_reset(b->p);
	CU_ASSERT_EQUAL(b->sci, IRQ_DEASSERT);
	CU_ASSERT_EQUAL(in(b, TMR, 4), 0);
	CU_ASSERT_EQUAL(in(b, STS, 4), 0);
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

static void test_random(void)
{
	struct fx *f = fx_new();
	uint64_t seed = 0x243f6a8885a308d3ull, s = seed, total = 777;
	static const unsigned widths[] = {1, 2, 4, 8};
	const unsigned iters = 30000;
	uint32_t last = 0;
	uint64_t last_t = total;

	printf("\n  pmtimer random: seed 0x%016" PRIx64 ", %u accesses\n", seed,
	       iters);
	for (unsigned i = 0; i < iters; i++) {
		uint64_t r = xorshift(&s), v = xorshift(&s);
		uint64_t port = PM1A_EVT_PORT - 4 + r % 20;
		unsigned w = widths[(r >> 8) % 4];
		uint64_t step;

		if ((r >> 12) & 1)
			v &= 0xffff;
		if (port == CNT && w == 2 && (v & (1u << 13)))
			v &= ~(1ull << 13) | ((r >> 14) % 32 == 0 ? ~0ull : 0);
		pmtimer_io(f->p, port, w, (r >> 20) & 1, &v);
		step = xorshift(&s) % ((r >> 24) % 32 ? 1000000 : 200 * NS);
		adv(f, step);
		total += step;
		/* Invariants: the counter follows the clock exactly and
		 * moves forward (mod 2^32); reserved bits stay clear. */
		v = in(f, TMR, 4);
		CU_ASSERT_EQUAL(v, expect(total - 777));
		CU_ASSERT((uint32_t)(v - last) ==
			  expect(total - 777) - expect(last_t - 777));
		last = (uint32_t)v;
		last_t = total;
		CU_ASSERT_EQUAL(in(f, STS, 2) & ~0x8731u, 0);
		CU_ASSERT_EQUAL(in(f, EN, 2) & ~0x0721u, 0);
		CU_ASSERT_EQUAL(in(f, CNT, 2) & ~0x1c01u, 0);
		CU_ASSERT_EQUAL(f->sci == IRQ_ASSERT,
				(in(f, STS, 2) & in(f, EN, 2)) != 0);
	}
	CU_ASSERT_FALSE(f->bad);
	printf("  pmtimer random: %lu SCI/sleep events\n", f->all);
	fx_free(f);
}

int kxen_suite_pmtimer(void)
{
	CU_pSuite s = CU_add_suite("pmtimer", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "counter at 3.579545 MHz, no drift",
			 test_counter) ||
	    !CU_add_test(s, "TMR_STS on bit-31 flip, SCI", test_tmr_sts) ||
	    !CU_add_test(s, "PM1 status/enable, write-1-clear, SCI",
			 test_status_enable) ||
	    !CU_add_test(s, "PM1 control, SLP_EN", test_control) ||
	    !CU_add_test(s, "fixed power button", test_power_button) ||
	    !CU_add_test(s, "save/load, reset", test_save_load) ||
	    !CU_add_test(s, "random accesses", test_random))
		return -1;
	return 0;
}
