/*
 * Suite "vrtc": the MC146818A RTC + CMOS model (hypervisor/dev/vrtc.c)
 * driven through its port handler on a manual clock, with a recording
 * IRQ sink. Expected times come from the C library's timegm(), not from
 * the device's own calendar code.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev/vrtc.h"
#include "harness.h"
#include "vclock.h"
#include "vtimer.h"

#define MS 1000000ull
#define US 1000ull
#define SEC 1000000000ull

#define RA 0x0a
#define RB 0x0b
#define RC 0x0c
#define RD 0x0d
#define CENT 0x32

#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_DM 0x04
#define B_24H 0x02

#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10

struct fx {
	struct vclock *clock;
	struct vtimer_service *svc;
	struct vrtc *r;
	unsigned asserts, deasserts, bad_line;
	int level;
};

static void rec_irq(void *ctx, unsigned line, enum irq_level level)
{
	struct fx *f = ctx;

	if (line != 8)
		f->bad_line++;
	if (level == IRQ_ASSERT) {
		f->asserts++;
		f->level = 1;
	} else if (level == IRQ_DEASSERT) {
		f->deasserts++;
		f->level = 0;
	}
}

static struct fx *fx_new(int64_t offset)
{
	struct fx *f = calloc(1, sizeof(*f));

	CU_ASSERT_FATAL(f != NULL);
	f->clock = vclock_create_manual();
	f->svc = vtimer_service_create(f->clock, 1, true);
	f->r = vrtc_create(1, f->svc, rec_irq, f, offset);
	CU_ASSERT_FATAL(f->r != NULL);
	return f;
}

static void fx_free(struct fx *f)
{
	CU_ASSERT_EQUAL(f->bad_line, 0);
	vrtc_destroy(f->r);
	vtimer_service_destroy(f->svc);
	vclock_destroy(f->clock);
	free(f);
}

static void adv(struct fx *f, uint64_t ns)
{
	vtimer_service_advance(f->svc, ns);
}

static uint8_t rd(struct fx *f, uint8_t idx)
{
	uint64_t v = idx;

	CU_ASSERT_EQUAL(vrtc_io(f->r, 0x70, 1, true, &v), 0);
	v = 0;
	CU_ASSERT_EQUAL(vrtc_io(f->r, 0x71, 1, false, &v), 0);
	return (uint8_t)v;
}

static void wr(struct fx *f, uint8_t idx, uint8_t val)
{
	uint64_t v = idx;

	CU_ASSERT_EQUAL(vrtc_io(f->r, 0x70, 1, true, &v), 0);
	v = val;
	CU_ASSERT_EQUAL(vrtc_io(f->r, 0x71, 1, true, &v), 0);
}

static uint8_t bcd(int v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static uint8_t enc(uint8_t mode, int v)
{
	return mode & B_DM ? (uint8_t)v : bcd(v);
}

static uint8_t enc_hour(uint8_t mode, int h)
{
	int h12 = h % 12 ? h % 12 : 12;

	if (mode & B_24H)
		return enc(mode, h);
	return (uint8_t)(enc(mode, h12) | (h >= 12 ? 0x80 : 0));
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mo - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = mi,
			.tm_sec = s};

	return (int64_t)timegm(&tm);
}

/* Set the clock as a guest does: SET, mode and time, then clear SET
 * (mode keeps the interrupt enables the caller wants, minus SET). */
static void set_time(struct fx *f, uint8_t mode, int y, int mo, int d, int h,
		     int mi, int s)
{
	wr(f, RB, (uint8_t)(B_SET | mode));
	wr(f, 0x00, enc(mode, s));
	wr(f, 0x02, enc(mode, mi));
	wr(f, 0x04, enc_hour(mode, h));
	wr(f, 0x07, enc(mode, d));
	wr(f, 0x08, enc(mode, mo));
	wr(f, 0x09, enc(mode, y % 100));
	wr(f, CENT, enc(mode, y / 100));
	wr(f, RB, mode);
}

/* Check every time register against the UTC time t in mode. */
static void check_regs(struct fx *f, uint8_t mode, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	CU_ASSERT_EQUAL(rd(f, 0x00), enc(mode, tm.tm_sec));
	CU_ASSERT_EQUAL(rd(f, 0x02), enc(mode, tm.tm_min));
	CU_ASSERT_EQUAL(rd(f, 0x04), enc_hour(mode, tm.tm_hour));
	CU_ASSERT_EQUAL(rd(f, 0x06), enc(mode, tm.tm_wday + 1));
	CU_ASSERT_EQUAL(rd(f, 0x07), enc(mode, tm.tm_mday));
	CU_ASSERT_EQUAL(rd(f, 0x08), enc(mode, tm.tm_mon + 1));
	CU_ASSERT_EQUAL(rd(f, 0x09), enc(mode, (tm.tm_year + 1900) % 100));
	CU_ASSERT_EQUAL(rd(f, CENT), enc(mode, (tm.tm_year + 1900) / 100));
	CU_ASSERT_EQUAL(vrtc_time(f->r), t);
}

static void test_bcd_binary(void)
{
	struct fx *f = fx_new(0);
	int64_t t = utc(2024, 3, 15, 13, 45, 30);

	set_time(f, B_24H, 2024, 3, 15, 13, 45, 30);
	CU_ASSERT_EQUAL(rd(f, 0x00), 0x30);
	CU_ASSERT_EQUAL(rd(f, 0x04), 0x13);
	CU_ASSERT_EQUAL(rd(f, 0x06), 6); /* a Friday; 1 = Sunday */
	CU_ASSERT_EQUAL(rd(f, CENT), 0x20);
	check_regs(f, B_24H, t);
	set_time(f, B_24H | B_DM, 2024, 3, 15, 13, 45, 30);
	CU_ASSERT_EQUAL(rd(f, 0x00), 30);
	CU_ASSERT_EQUAL(rd(f, 0x09), 24);
	CU_ASSERT_EQUAL(rd(f, CENT), 20);
	check_regs(f, B_24H | B_DM, t);
	adv(f, 61 * SEC);
	check_regs(f, B_24H | B_DM, t + 61);
	fx_free(f);
}

static void test_12_hour(void)
{
	static const uint8_t modes[2] = {0, B_DM};
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct fx *f = fx_new(0);
		uint8_t m = modes[i];

		set_time(f, m, 2024, 6, 1, 13, 5, 0);
		CU_ASSERT_EQUAL(rd(f, 0x04), (uint8_t)(0x80 | enc(m, 1)));
		CU_ASSERT_EQUAL(vrtc_time(f->r), utc(2024, 6, 1, 13, 5, 0));
		set_time(f, m, 2024, 6, 1, 11, 59, 59); /* to noon */
		adv(f, SEC);
		CU_ASSERT_EQUAL(rd(f, 0x04), (uint8_t)(0x80 | enc(m, 12)));
		check_regs(f, m, utc(2024, 6, 1, 12, 0, 0));
		set_time(f, m, 2024, 6, 1, 23, 59, 59); /* to midnight */
		CU_ASSERT_EQUAL(rd(f, 0x04), (uint8_t)(0x80 | enc(m, 11)));
		adv(f, SEC);
		CU_ASSERT_EQUAL(rd(f, 0x04), enc(m, 12));
		check_regs(f, m, utc(2024, 6, 2, 0, 0, 0));
		fx_free(f);
	}
}

static const struct {
	int y, mo, d, h, mi, s; /* one second before the rollover */
} rollovers[] = {
    {2024, 5, 17, 10, 0, 59},	/* minute */
    {2024, 5, 17, 10, 59, 59},	/* hour */
    {2024, 5, 17, 23, 59, 59},	/* day */
    {2024, 4, 30, 23, 59, 59},	/* 30-day month */
    {2024, 2, 28, 23, 59, 59},	/* to Feb 29, leap year */
    {2024, 2, 29, 23, 59, 59},	/* Feb 29 to Mar 1 */
    {2023, 2, 28, 23, 59, 59},	/* no Feb 29 */
    {2000, 2, 28, 23, 59, 59},	/* divisible by 400: leap */
    {2023, 12, 31, 23, 59, 59}, /* year */
    {1999, 12, 31, 23, 59, 59}, /* century 19 to 20 */
    {2099, 12, 31, 23, 59, 59}, /* century 20 to 21 */
    {2100, 2, 28, 23, 59, 59},	/* 2100 is not a leap year */
};

static void test_rollovers(void)
{
	static const uint8_t modes[3] = {B_24H, B_24H | B_DM, B_DM};
	unsigned i, m;

	for (m = 0; m < 3; m++)
		for (i = 0; i < sizeof(rollovers) / sizeof(rollovers[0]); i++) {
			struct fx *f = fx_new(0);
			int64_t t = utc(rollovers[i].y, rollovers[i].mo,
					rollovers[i].d, rollovers[i].h,
					rollovers[i].mi, rollovers[i].s);

			set_time(f, modes[m], rollovers[i].y, rollovers[i].mo,
				 rollovers[i].d, rollovers[i].h,
				 rollovers[i].mi, rollovers[i].s);
			check_regs(f, modes[m], t);
			adv(f, SEC - 1);
			check_regs(f, modes[m], t);
			adv(f, 1);
			check_regs(f, modes[m], t + 1);
			adv(f, 86400 * SEC);
			check_regs(f, modes[m], t + 1 + 86400);
			fx_free(f);
		}
}

static void test_set_and_write(void)
{
	struct fx *f = fx_new(0);
	int64_t t = utc(2030, 7, 4, 8, 30, 0);

	set_time(f, B_24H, 2030, 7, 4, 8, 30, 0);
	adv(f, 500 * MS);
	wr(f, RB, B_SET | B_UIE | B_24H);
	/* SET clears UIE and stops the clock. */
	CU_ASSERT_EQUAL(rd(f, RB), B_SET | B_24H);
	adv(f, 10 * SEC);
	check_regs(f, B_24H, t);
	wr(f, 0x02, 0x31);
	adv(f, 10 * SEC);
	CU_ASSERT_EQUAL(rd(f, 0x02), 0x31);
	CU_ASSERT_EQUAL(rd(f, 0x00), 0x00);
	wr(f, RB, B_24H);
	check_regs(f, B_24H, t + 60);
	adv(f, SEC - 1);
	check_regs(f, B_24H, t + 60);
	adv(f, 1);
	check_regs(f, B_24H, t + 61);
	/* A write while the clock runs applies and keeps the phase. */
	adv(f, 400 * MS);
	wr(f, 0x04, 0x09);
	check_regs(f, B_24H, t + 3600 + 61);
	adv(f, 600 * MS);
	check_regs(f, B_24H, t + 3600 + 62);
	fx_free(f);
}

static void test_invalid_time(void)
{
	struct fx *f = fx_new(0);
	int64_t t = utc(2023, 1, 10, 0, 0, 0);

	set_time(f, B_24H, 2023, 1, 10, 0, 0, 0);
	wr(f, RB, B_SET | B_24H);
	wr(f, 0x00, 0x7a); /* not BCD */
	wr(f, 0x07, 0x31);
	wr(f, 0x08, 0x02); /* 31 February */
	wr(f, RB, B_24H);
	adv(f, 5 * SEC);
	/* Broken time stands still and keeps what the guest wrote. */
	CU_ASSERT_EQUAL(rd(f, 0x00), 0x7a);
	CU_ASSERT_EQUAL(rd(f, 0x07), 0x31);
	CU_ASSERT_EQUAL(vrtc_time(f->r), t);
	wr(f, 0x04, 0x99);
	CU_ASSERT_EQUAL(rd(f, 0x04), 0x99);
	/* Valid again field by field: runs from there. */
	wr(f, 0x00, 0x10);
	wr(f, 0x04, 0x05);
	wr(f, 0x07, 0x28);
	check_regs(f, B_24H, utc(2023, 2, 28, 5, 0, 10));
	adv(f, 2 * SEC);
	check_regs(f, B_24H, utc(2023, 2, 28, 5, 0, 12));
	/* 29 February exists in 2000 and 2096, not in 2100 or 2023. */
	set_time(f, B_24H, 2000, 2, 29, 1, 0, 0);
	CU_ASSERT_EQUAL(vrtc_time(f->r), utc(2000, 2, 29, 1, 0, 0));
	set_time(f, B_24H, 2096, 2, 29, 1, 0, 0);
	CU_ASSERT_EQUAL(vrtc_time(f->r), utc(2096, 2, 29, 1, 0, 0));
	set_time(f, B_24H, 2100, 2, 29, 1, 0, 0);
	CU_ASSERT_EQUAL(vrtc_time(f->r), utc(2096, 2, 29, 1, 0, 0));
	CU_ASSERT_EQUAL(rd(f, 0x07), 0x29);
	adv(f, 3 * SEC);
	CU_ASSERT_EQUAL(rd(f, 0x00), 0x00);
	fx_free(f);
}

static void test_uip(void)
{
	struct fx *f = fx_new(0);

	set_time(f, B_24H, 2024, 1, 1, 0, 0, 0);
	CU_ASSERT_EQUAL(rd(f, RA) & 0x80, 0);
	adv(f, SEC - 245 * US);
	CU_ASSERT_EQUAL(rd(f, RA) & 0x80, 0);
	CU_ASSERT_EQUAL(rd(f, 0x00), 0x00);
	adv(f, 2 * US);
	CU_ASSERT_EQUAL(rd(f, RA), 0x80 | 0x26);
	CU_ASSERT_EQUAL(rd(f, 0x00), 0x00);
	adv(f, 242 * US);
	CU_ASSERT_EQUAL(rd(f, RA) & 0x80, 0x80);
	adv(f, 1 * US);
	CU_ASSERT_EQUAL(rd(f, RA) & 0x80, 0);
	CU_ASSERT_EQUAL(rd(f, 0x00), 0x01);
	/* SET clears UIP. */
	adv(f, SEC - 100 * US);
	CU_ASSERT_EQUAL(rd(f, RA) & 0x80, 0x80);
	wr(f, RB, B_SET | B_24H);
	CU_ASSERT_EQUAL(rd(f, RA) & 0x80, 0);
	/* Writing UIP has no effect. */
	wr(f, RA, 0xa6);
	CU_ASSERT_EQUAL(rd(f, RA), 0x26);
	fx_free(f);
}

static void test_update_interrupt(void)
{
	struct fx *f = fx_new(0);
	unsigned i, seen = 0;

	wr(f, RA, 0x20); /* no periodic rate: no PF in the way */
	set_time(f, B_24H | B_UIE, 2024, 1, 1, 0, 0, 0);
	CU_ASSERT_EQUAL(f->asserts, 0);
	for (i = 0; i < 500; i++) {
		adv(f, 10 * MS);
		if (f->level) {
			CU_ASSERT_EQUAL(rd(f, RC), C_IRQF | C_UF);
			CU_ASSERT_EQUAL(f->level, 0);
			seen++;
		}
	}
	CU_ASSERT_EQUAL(seen, 5);
	CU_ASSERT_EQUAL(f->asserts, 5);
	CU_ASSERT_EQUAL(f->deasserts, 5);
	/* Unread, IRQF stays set: one edge for many updates. */
	adv(f, 5 * SEC);
	CU_ASSERT_EQUAL(f->asserts, 6);
	CU_ASSERT_EQUAL(rd(f, RC), C_IRQF | C_UF);
	CU_ASSERT_EQUAL(rd(f, RC), 0);
	CU_ASSERT_EQUAL(f->deasserts, 6);
	/* UF without UIE: flag only. */
	wr(f, RB, B_24H);
	adv(f, 2 * SEC);
	CU_ASSERT_EQUAL(rd(f, RC), C_UF);
	CU_ASSERT_EQUAL(f->asserts, 6);
	/* Enabling UIE with UF pending raises IRQF at once. */
	adv(f, SEC);
	wr(f, RB, B_24H | B_UIE);
	CU_ASSERT_EQUAL(f->asserts, 7);
	CU_ASSERT_EQUAL(rd(f, RC), C_IRQF | C_UF);
	fx_free(f);
}

/* Count alarm interrupts over secs seconds, reading C after each. */
static unsigned count_alarms(struct fx *f, unsigned secs)
{
	unsigned i, n = 0;

	for (i = 0; i < secs * 4; i++) {
		adv(f, 250 * MS);
		if (f->level) {
			CU_ASSERT(rd(f, RC) & C_AF);
			n++;
		}
	}
	return n;
}

static void test_alarm(void)
{
	struct fx *f = fx_new(0);

	wr(f, RA, 0x20); /* no periodic rate: no PF in the way */
	wr(f, 0x01, 0x05);
	wr(f, 0x03, 0x00);
	wr(f, 0x05, 0x12);
	set_time(f, B_24H | B_AIE, 2024, 1, 1, 12, 0, 0);
	adv(f, 4900 * MS);
	CU_ASSERT_EQUAL(f->asserts, 0);
	adv(f, 100 * MS);
	CU_ASSERT_EQUAL(f->asserts, 1);
	CU_ASSERT_EQUAL(rd(f, RC), C_IRQF | C_AF | C_UF);
	CU_ASSERT_EQUAL(count_alarms(f, 120), 0);
	/* Every minute at :30 (minutes and hours don't care). */
	wr(f, 0x01, 0x30);
	wr(f, 0x03, 0xff);
	wr(f, 0x05, 0xc0);
	CU_ASSERT_EQUAL(count_alarms(f, 180), 3);
	/* Every second. */
	wr(f, 0x01, 0xc3);
	CU_ASSERT_EQUAL(count_alarms(f, 10), 10);
	/* 12-hour mode: 1 PM is 0x81. */
	set_time(f, B_AIE, 2024, 1, 1, 12, 59, 58);
	wr(f, 0x01, 0x00);
	wr(f, 0x03, 0x00);
	wr(f, 0x05, 0x81);
	CU_ASSERT_EQUAL(count_alarms(f, 3), 1);
	/* Without AIE the flag is still set, lazily, with no edge. */
	wr(f, RB, B_24H);
	wr(f, 0x05, 0x10);
	(void)rd(f, RC);
	set_time(f, B_24H, 2024, 1, 1, 9, 59, 0);
	adv(f, 3 * 3600 * SEC);
	CU_ASSERT_EQUAL(rd(f, RC), C_AF | C_UF);
	CU_ASSERT_EQUAL(rd(f, RC), 0);
	/* An alarm byte that can never match (bad BCD) never fires. */
	wr(f, 0x01, 0x7b);
	adv(f, 2 * 86400 * SEC);
	CU_ASSERT_EQUAL(rd(f, RC), C_UF);
	fx_free(f);
}

/* PF interrupts in one second at rate rs (PIE set at time 0). */
static unsigned count_periodic(uint8_t rs, uint64_t step)
{
	struct fx *f = fx_new(0);
	unsigned n = 0;
	uint64_t t;

	wr(f, RA, (uint8_t)(0x20 | rs));
	wr(f, RB, B_24H | B_PIE);
	for (t = 0; t < SEC; t += step) {
		adv(f, step);
		if (f->level) {
			/* UF joins at the last step (1 s): not enabled. */
			CU_ASSERT_EQUAL(rd(f, RC) & ~C_UF, C_IRQF | C_PF);
			n++;
		}
	}
	fx_free(f);
	return n;
}

static void test_periodic(void)
{
	struct fx *f;

	CU_ASSERT_EQUAL(count_periodic(15, 10 * MS), 2);
	CU_ASSERT_EQUAL(count_periodic(1, 100 * US), 256);
	CU_ASSERT_EQUAL(count_periodic(2, 100 * US), 128);
	CU_ASSERT_EQUAL(count_periodic(6, 100 * US), 1024);
	CU_ASSERT_EQUAL(count_periodic(3, 40 * US), 8192);
	CU_ASSERT_EQUAL(count_periodic(0, 1 * MS), 0);
	/* PF without PIE: flag only; divider in reset: no PF. */
	f = fx_new(0);
	adv(f, 10 * MS);
	CU_ASSERT_EQUAL(rd(f, RC), C_PF);
	wr(f, RA, 0x66);
	(void)rd(f, RC);
	adv(f, 10 * MS);
	CU_ASSERT_EQUAL(rd(f, RC), 0);
	/* Clearing PIE drops the line with IRQF. */
	wr(f, RA, 0x26);
	wr(f, RB, B_24H | B_PIE);
	adv(f, 2 * MS);
	CU_ASSERT_EQUAL(f->level, 1);
	wr(f, RB, B_24H);
	CU_ASSERT_EQUAL(f->level, 0);
	CU_ASSERT_EQUAL(rd(f, RC), C_PF);
	fx_free(f);
}

static void test_reg_c(void)
{
	struct fx *f = fx_new(0);

	wr(f, RB, B_24H | B_UIE);
	adv(f, SEC);
	CU_ASSERT_EQUAL(f->level, 1);
	CU_ASSERT_EQUAL(f->asserts, 1);
	wr(f, RC, 0x00); /* read-only */
	CU_ASSERT_EQUAL(f->level, 1);
	CU_ASSERT_EQUAL(rd(f, RC), C_IRQF | C_UF | C_PF);
	CU_ASSERT_EQUAL(f->level, 0);
	CU_ASSERT_EQUAL(f->deasserts, 1);
	CU_ASSERT_EQUAL(rd(f, RC), 0);
	CU_ASSERT_EQUAL(f->deasserts, 1);
	/* D reads VRT whatever is written. */
	wr(f, RD, 0x00);
	CU_ASSERT_EQUAL(rd(f, RD), 0x80);
	/* Reset clears enables and flags. */
	adv(f, SEC);
	CU_ASSERT_EQUAL(f->level, 1);
	vrtc_reset(f->r);
	CU_ASSERT_EQUAL(f->level, 0);
	CU_ASSERT_EQUAL(rd(f, RB), B_24H);
	CU_ASSERT_EQUAL(rd(f, RC), 0);
	fx_free(f);
}

static void test_divider(void)
{
	struct fx *f = fx_new(0);
	int64_t t = utc(2024, 8, 8, 8, 8, 8);

	set_time(f, B_24H | B_UIE, 2024, 8, 8, 8, 8, 8);
	adv(f, 300 * MS);
	wr(f, RA, 0x76); /* 11x: divider held in reset */
	adv(f, 10 * SEC);
	check_regs(f, B_24H | B_UIE, t);
	CU_ASSERT_EQUAL(rd(f, RA), 0x76);
	CU_ASSERT_EQUAL(f->asserts, 0);
	/* Out of reset: first update half a second later. */
	wr(f, RA, 0x26);
	adv(f, 499 * MS);
	check_regs(f, B_24H, t);
	CU_ASSERT_EQUAL(f->asserts, 0);
	adv(f, 1 * MS);
	check_regs(f, B_24H, t + 1);
	CU_ASSERT_EQUAL(f->asserts, 1);
	adv(f, SEC);
	check_regs(f, B_24H, t + 2);
	fx_free(f);
}

static void test_cmos_ram(void)
{
	struct fx *f = fx_new(0);
	unsigned i;

	for (i = 0x0e; i < 0x80; i++)
		if (i != CENT)
			wr(f, (uint8_t)i, (uint8_t)(i * 7 + 1));
	for (i = 0x0e; i < 0x80; i++)
		if (i != CENT)
			CU_ASSERT_EQUAL(rd(f, (uint8_t)i),
					(uint8_t)(i * 7 + 1));
	CU_ASSERT_EQUAL(vrtc_set_cmos(f->r, 0x34, 0xab), 0);
	CU_ASSERT_EQUAL(rd(f, 0x34), 0xab);
	CU_ASSERT_EQUAL(vrtc_set_cmos(f->r, 0x7f, 0x01), 0);
	CU_ASSERT_EQUAL(vrtc_set_cmos(f->r, 0x0e, 0x02), 0);
	CU_ASSERT_EQUAL(vrtc_set_cmos(f->r, 0x00, 1), -EINVAL);
	CU_ASSERT_EQUAL(vrtc_set_cmos(f->r, 0x0b, 1), -EINVAL);
	CU_ASSERT_EQUAL(vrtc_set_cmos(f->r, 0x0d, 1), -EINVAL);
	CU_ASSERT_EQUAL(vrtc_set_cmos(f->r, CENT, 1), -EINVAL);
	CU_ASSERT_EQUAL(vrtc_set_cmos(f->r, 128, 1), -EINVAL);
	CU_ASSERT_EQUAL(vrtc_set_cmos(f->r, 1000, 1), -EINVAL);
	CU_ASSERT_EQUAL(rd(f, RB), B_24H);
	fx_free(f);
}

static void test_index_port(void)
{
	struct fx *f = fx_new(0);
	uint64_t v;

	wr(f, 0x8e, 0x5a); /* NMI masked, index 0x0e */
	CU_ASSERT_EQUAL(rd(f, 0x0e), 0x5a);
	v = 0;
	vrtc_io(f->r, 0x70, 1, false, &v);
	CU_ASSERT_EQUAL(v, 0xff);
	/* A 16-bit write: index in the low byte, data in the high one. */
	v = 0xa50f;
	vrtc_io(f->r, 0x70, 2, true, &v);
	CU_ASSERT_EQUAL(rd(f, 0x0f), 0xa5);
	v = 0;
	vrtc_io(f->r, 0x70, 2, false, &v);
	CU_ASSERT_EQUAL(v, 0xa5ff);
	v = 0;
	vrtc_io(f->r, 0x71, 4, false, &v);
	CU_ASSERT_EQUAL(v, 0xffffffa5);
	v = 0;
	CU_ASSERT_EQUAL(vrtc_io(f->r, 0x71, 3, false, &v), 0);
	CU_ASSERT_EQUAL(vrtc_io(f->r, 0x71, 0, false, &v), 0);
	CU_ASSERT_EQUAL(v, ~0ull);
	fx_free(f);
}

static void test_offset(void)
{
	struct fx *a = fx_new(0), *b = fx_new(3600), *c = fx_new(-86400 * 365);
	int64_t now = (int64_t)time(NULL);
	int64_t ta = vrtc_time(a->r);

	CU_ASSERT(ta >= now - 2 && ta <= now + 2);
	CU_ASSERT(vrtc_time(b->r) - ta >= 3599 && vrtc_time(b->r) - ta <= 3601);
	CU_ASSERT(vrtc_time(c->r) - ta >= -86400 * 365 - 1 &&
		  vrtc_time(c->r) - ta <= -86400 * 365 + 1);
	check_regs(b, B_24H, vrtc_time(b->r));
	fx_free(a);
	fx_free(b);
	fx_free(c);
}

static void test_save_load(void)
{
	struct fx *f = fx_new(0), *g = fx_new(0);
	struct vrtc_save s, s2, bad;

	set_time(f, B_24H | B_DM | B_UIE, 2042, 2, 3, 4, 5, 6);
	wr(f, 0x01, 0x21);
	wr(f, 0x40, 0x99);
	wr(f, RA, 0x2a);
	adv(f, 1500 * MS);
	CU_ASSERT_EQUAL(f->level, 1);
	wr(f, 0x85, 0x00); /* index 5 with the NMI bit, alarm hours */
	vrtc_save(f->r, &s);
	CU_ASSERT_EQUAL(s.index, 0x85);
	CU_ASSERT_EQUAL(s.cmos[0x40], 0x99);
	CU_ASSERT_EQUAL(s.cmos[RC], C_IRQF | C_UF | C_PF);
	adv(g, 1500 * MS);
	CU_ASSERT_EQUAL(vrtc_load(g->r, &s), 0);
	CU_ASSERT_EQUAL(g->level, 1);
	vrtc_save(g->r, &s2);
	CU_ASSERT_EQUAL(memcmp(&s, &s2, sizeof(s)), 0);
	check_regs(g, B_24H | B_DM, utc(2042, 2, 3, 4, 5, 7));
	CU_ASSERT_EQUAL(rd(g, 0x01), 0x21);
	CU_ASSERT_EQUAL(rd(g, RA), 0x2a);
	adv(g, 500 * MS);
	check_regs(g, B_24H | B_DM, utc(2042, 2, 3, 4, 5, 8));

	bad = s;
	bad.pad[3] = 1;
	CU_ASSERT_EQUAL(vrtc_load(g->r, &bad), -EINVAL);
	bad = s;
	bad.cmos[RD] = 0;
	CU_ASSERT_EQUAL(vrtc_load(g->r, &bad), -EINVAL);
	bad = s;
	bad.cmos[RA] |= 0x80;
	CU_ASSERT_EQUAL(vrtc_load(g->r, &bad), -EINVAL);
	bad = s;
	bad.cmos[RC] = 0x01;
	CU_ASSERT_EQUAL(vrtc_load(g->r, &bad), -EINVAL);
	bad = s;
	bad.cmos[RC] = C_UF; /* IRQF must follow the flags */
	CU_ASSERT_EQUAL(vrtc_load(g->r, &bad), -EINVAL);
	bad = s;
	bad.base_time = INT64_MAX;
	CU_ASSERT_EQUAL(vrtc_load(g->r, &bad), -EINVAL);
	bad.base_time = utc(1, 1, 1, 0, 0, 0) - 400ll * 366 * 86400;
	CU_ASSERT_EQUAL(vrtc_load(g->r, &bad), -EINVAL);
	/* Rejected loads leave the device as it was. */
	check_regs(g, B_24H | B_DM, utc(2042, 2, 3, 4, 5, 8));
	fx_free(f);
	fx_free(g);
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* With DM binary and 24h, every register stays in its range. */
static void check_ranges(struct fx *f)
{
	uint8_t h = rd(f, 0x04), d = rd(f, 0x07), m = rd(f, 0x08);

	CU_ASSERT(rd(f, 0x00) < 60);
	CU_ASSERT(rd(f, 0x02) < 60);
	CU_ASSERT(h < 24);
	CU_ASSERT(rd(f, 0x06) >= 1 && rd(f, 0x06) <= 7);
	CU_ASSERT(d >= 1 && d <= 31);
	CU_ASSERT(m >= 1 && m <= 12);
	CU_ASSERT(rd(f, 0x09) < 100);
	CU_ASSERT(rd(f, CENT) < 100);
}

static void random_access(struct fx *f, uint64_t *seed)
{
	static const unsigned sizes[4] = {1, 2, 4, 8};
	uint64_t x = xorshift(seed), v = xorshift(seed);
	uint64_t port = 0x6e + (x & 7);
	unsigned size = sizes[(x >> 3) & 3];
	bool is_write = (x >> 5) & 1;

	if ((x >> 6) % 4 == 0) {
		uint64_t idx = (x >> 8) & 0xff; /* includes >= 0x80 */

		vrtc_io(f->r, 0x70, 1, true, &idx);
		port = 0x71;
		size = 1;
	}
	CU_ASSERT_EQUAL(vrtc_io(f->r, port, size, is_write, &v), 0);
	if ((x >> 16) % 64 == 0)
		adv(f, xorshift(seed) % SEC);
	else if ((x >> 16) % 4 == 0)
		adv(f, xorshift(seed) % (2 * MS));
}

static void test_random(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull, s0 = seed;
	struct fx *f = fx_new(0);
	unsigned i;

	printf("\n    vrtc random seed 0x%016" PRIx64 "\n", s0);
	for (i = 0; i < 24000; i++) {
		random_access(f, &seed);
		CU_ASSERT_EQUAL(rd(f, RD), 0x80);
		if (i % 400 == 399) {
			/* A valid time in binary 24h mode, then more time. */
			int y = 1900 + (int)(xorshift(&seed) % 300);

			set_time(f, B_24H | B_DM, y, 2, 28, 23, 59, 58);
			wr(f, RA, 0x26);
			adv(f, xorshift(&seed) % (100 * SEC));
			check_ranges(f);
			adv(f, xorshift(&seed) % (400 * 86400 * SEC));
			check_ranges(f);
		}
	}
	CU_ASSERT_EQUAL(f->asserts - f->deasserts, (unsigned)f->level);
	fx_free(f);
}

/* Real clock and timer thread: interrupts arrive while a "vCPU" keeps
 * reading C, and nothing deadlocks (lock order device -> timers). */
static void test_threaded(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct timespec start, now;
	unsigned pf = 0;

	CU_ASSERT_FATAL(f != NULL);
	f->clock = vclock_create();
	f->svc = vtimer_service_create(f->clock, 1, false);
	f->r = vrtc_create(1, f->svc, rec_irq, f, 0);
	CU_ASSERT_FATAL(f->r != NULL);
	wr(f, RB, B_24H | B_PIE | B_UIE);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		if (rd(f, RC) & C_PF)
			pf++;
		(void)rd(f, 0x00);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000000000l +
		     (now.tv_nsec - start.tv_nsec) <
		 200000000l);
	wr(f, RB, B_24H);
	CU_ASSERT(pf > 10);
	fx_free(f);
}

int kxen_suite_vrtc(void)
{
	CU_pSuite s = CU_add_suite("vrtc", NULL, NULL);

	if (!s || !CU_add_test(s, "BCD and binary", test_bcd_binary) ||
	    !CU_add_test(s, "12-hour mode", test_12_hour) ||
	    !CU_add_test(s, "calendar rollovers", test_rollovers) ||
	    !CU_add_test(s, "SET, write, clear SET", test_set_and_write) ||
	    !CU_add_test(s, "invalid time written", test_invalid_time) ||
	    !CU_add_test(s, "UIP window", test_uip) ||
	    !CU_add_test(s, "update-ended interrupt", test_update_interrupt) ||
	    !CU_add_test(s, "alarm", test_alarm) ||
	    !CU_add_test(s, "periodic rates", test_periodic) ||
	    !CU_add_test(s, "register C, D, reset", test_reg_c) ||
	    !CU_add_test(s, "divider reset", test_divider) ||
	    !CU_add_test(s, "CMOS RAM", test_cmos_ram) ||
	    !CU_add_test(s, "index port and wide access", test_index_port) ||
	    !CU_add_test(s, "offset at creation", test_offset) ||
	    !CU_add_test(s, "save/load", test_save_load) ||
	    !CU_add_test(s, "randomized accesses", test_random) ||
	    !CU_add_test(s, "timer thread", test_threaded))
		return -1;
	return 0;
}
