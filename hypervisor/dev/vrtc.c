/*
 * Virtual MC146818A real-time clock and CMOS RAM (see vrtc.h).
 * Datasheet: Motorola MC146818A, "Address Map", "Time, Calendar and
 * Alarm Locations", "Update Cycle", "Interrupts" and "Registers A-D".
 *
 * Lazy time (STYLE.md practice 6): while the clock ticks, the time is
 * base_time + whole seconds elapsed since base_vclock, and the time
 * registers are rendered from it when read. While it is halted (SET in
 * register B, or the divider not running) the registers themselves are
 * the truth: the guest may write anything there, and when the clock
 * starts again the registers are parsed back into base_time. Registers
 * that do not parse (bad BCD, hour 25, 31 February) make the time
 * "broken": the bytes are kept as written and the time stands still
 * until the guest writes a valid time (bhyve's vrtc does the same).
 *
 * Flags in register C are computed lazily too: every access first
 * accounts for the update cycles and periodic edges that passed since
 * the previous one. Timers exist only to raise the interrupt edges: a
 * periodic timer (periodic_timer.h, so the domain's timer_mode applies)
 * while PIE is set, and a one-shot timer at the next update while UIE or
 * AIE is set.
 *
 * One liberty: while the clock ticks, a change of DM or 24/12 shows the
 * time in the new format at once (the chip would keep counting in the
 * old bytes until the guest rewrote them); guests set the format with
 * SET held, where the chip's behaviour is kept.
 *
 * The century byte 0x32 (the ACPI FADT CENTURY field's usual index) is
 * kept as a time register: it carries from year 99 to 00, in the format
 * DM selects, so the clock covers years 0000-9999 and then wraps.
 */
#include "dev/vrtc.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "periodic_timer.h"

#define RTC_IRQ 8
#define NS_PER_S 1000000000ll
#define SECS_PER_DAY 86400ll
/* UIP rises 244 us before the update transfer ("Update Cycle"). */
#define UIP_NS 244000ll
/* 400-year Gregorian cycles: 146097 days each; 25 make the clock's
 * 10000-year range, a whole number of days and of weeks. */
#define DAYS_PER_400Y 146097ll
#define RANGE_SECS (25 * DAYS_PER_400Y * SECS_PER_DAY)

enum {
	REG_SEC = 0x00,
	REG_SEC_ALARM = 0x01,
	REG_MIN = 0x02,
	REG_MIN_ALARM = 0x03,
	REG_HOUR = 0x04,
	REG_HOUR_ALARM = 0x05,
	REG_DOW = 0x06,
	REG_DAY = 0x07,
	REG_MONTH = 0x08,
	REG_YEAR = 0x09,
	REG_A = 0x0a,
	REG_B = 0x0b,
	REG_C = 0x0c,
	REG_D = 0x0d,
	REG_CENTURY = 0x32,
};

/* Register A */
#define A_UIP 0x80
#define A_DV_MASK 0x70
#define A_DV_32K 0x20 /* 010: 32.768 kHz time base, divider running */
#define A_RS_MASK 0x0f
/* Register B */
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_SQWE 0x08
#define B_DM 0x04 /* 1: binary, 0: BCD */
#define B_24H 0x02
/* Register C */
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
/* Register D */
#define D_VRT 0x80

/* Alarm bytes with both top bits set match any value ("Alarm"). */
#define ALARM_DONT_CARE 0xc0

#define INDEX_MASK 0x7f
#define NMI_MASK 0x80

struct rtc_tm {
	int sec, min, hour, dow, day, mon, year;
};

struct vrtc {
	uint32_t domid;
	struct vtimer_service *timers;
	irq_line_fn irq;
	void *ctx;
	struct vtimer *update_timer;	 /* next update while UIE|AIE */
	struct periodic_timer *periodic; /* while PIE and a rate */

	pthread_mutex_t lock;  /* guards everything below */
	bool locked;	       /* for ASSERT_LOCKED */
	uint8_t cmos[128];     /* A/B/C kept without UIP; D unused */
	uint8_t index;	       /* last write to 0x70, NMI bit included */
	int64_t base_time;     /* seconds since the epoch at base_vclock */
	uint64_t base_vclock;  /* start of the second base_time */
	bool broken;	       /* registers do not parse: time stands */
	uint64_t last_now;     /* latest virtual time seen (monotonic) */
	uint64_t flags_vclock; /* UF/AF accounted up to here */
	uint64_t pf_vclock;    /* PF accounted up to here (PIE clear) */
	uint64_t div_origin;   /* divider left reset: periodic phase */
	uint64_t pt_period;    /* periodic timer running with it; 0: off */
	uint64_t pt_origin;
	bool irq_asserted;
};

#define LOCK(r)                                                                \
	do {                                                                   \
		pthread_mutex_lock(&(r)->lock);                                \
		(r)->locked = true;                                            \
	} while (0)
#define UNLOCK(r)                                                              \
	do {                                                                   \
		(r)->locked = false;                                           \
		pthread_mutex_unlock(&(r)->lock);                              \
	} while (0)
#define ASSERT_LOCKED(r) assert((r)->locked)

/* ---- arithmetic and calendar ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

/* Signed distance between two virtual times; modular, so a base set
 * half a second before time 0 still works. */
static int64_t ns_since(uint64_t now, uint64_t then)
{
	return (int64_t)(now - then);
}

static bool is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int64_t y, int m)
{
	static const uint8_t days[12] = {31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date, counting years
 * from March so that the leap day ends the year (the well-known
 * days-from-civil method, H. Hinnant; our own formulation).
 */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	if (m <= 2)
		y--;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * DAYS_PER_400Y + yoe * 365 + yoe / 4 - yoe / 100 + doy -
	       719468;
}

static void civil_from_days(int64_t z, struct rtc_tm *tm)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, DAYS_PER_400Y);
	doe = z - era * DAYS_PER_400Y;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = (int)(yoe + era * 400 + (tm->mon <= 2));
}

static int64_t time_min(void)
{
	return days_from_civil(0, 1, 1) * SECS_PER_DAY;
}

/* Fold any time into the clock's range, year 0000 to 9999. */
static int64_t wrap_time(int64_t t)
{
	return time_min() + floor_mod(t - time_min(), RANGE_SECS);
}

static void secs_to_tm(int64_t t, struct rtc_tm *tm)
{
	int64_t days = floor_div(wrap_time(t), SECS_PER_DAY);
	int64_t sod = floor_mod(t, SECS_PER_DAY);

	civil_from_days(days, tm);
	tm->hour = (int)(sod / 3600);
	tm->min = (int)(sod / 60 % 60);
	tm->sec = (int)(sod % 60);
	/* 1970-01-01 was a Thursday; the RTC counts Sunday as 1. */
	tm->dow = (int)floor_mod(days + 4, 7) + 1;
}

/* ---- register formats: DM and 24/12 in register B ---- */

static uint8_t enc(const struct vrtc *r, int v)
{
	if (r->cmos[REG_B] & B_DM)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

/* Defensive: a BCD byte with a nibble above 9 does not decode. */
static bool dec(const struct vrtc *r, uint8_t b, int *v)
{
	if (r->cmos[REG_B] & B_DM) {
		*v = b;
		return true;
	}
	if ((b & 0x0f) > 9 || (b >> 4) > 9)
		return false;
	*v = (b >> 4) * 10 + (b & 0x0f);
	return true;
}

/* 12-hour mode: hours 1-12, bit 7 set for PM ("Time, Calendar and
 * Alarm Locations", table of data modes). */
static uint8_t enc_hour(const struct vrtc *r, int h)
{
	int h12 = h % 12 ? h % 12 : 12;

	if (r->cmos[REG_B] & B_24H)
		return enc(r, h);
	return (uint8_t)(enc(r, h12) | (h >= 12 ? 0x80 : 0));
}

static bool dec_hour(const struct vrtc *r, uint8_t b, int *h)
{
	int v;

	if (r->cmos[REG_B] & B_24H)
		return dec(r, b, h) && *h < 24;
	if (!dec(r, b & 0x7f, &v) || v < 1 || v > 12)
		return false;
	*h = v % 12 + (b & 0x80 ? 12 : 0);
	return true;
}

static bool dec_range(const struct vrtc *r, uint8_t b, int lo, int hi, int *v)
{
	return dec(r, b, v) && *v >= lo && *v <= hi;
}

/* Time registers to seconds; false when any of them is invalid. The
 * day of week is not checked: the chip never reads it back. */
static bool regs_to_secs(const struct vrtc *r, int64_t *t)
{
	const uint8_t *c = r->cmos;
	int s, m, h, d, mon, yy, cent;
	int64_t year;

	if (!dec_range(r, c[REG_SEC], 0, 59, &s) ||
	    !dec_range(r, c[REG_MIN], 0, 59, &m) ||
	    !dec_hour(r, c[REG_HOUR], &h) ||
	    !dec_range(r, c[REG_MONTH], 1, 12, &mon) ||
	    !dec_range(r, c[REG_YEAR], 0, 99, &yy) ||
	    !dec_range(r, c[REG_CENTURY], 0, 99, &cent))
		return false;
	year = cent * 100 + yy;
	if (!dec_range(r, c[REG_DAY], 1, days_in_month(year, mon), &d))
		return false;
	*t = days_from_civil(year, mon, d) * SECS_PER_DAY + h * 3600 + m * 60 +
	     s;
	return true;
}

static void secs_to_regs(struct vrtc *r, int64_t t)
{
	struct rtc_tm tm;

	secs_to_tm(t, &tm);
	r->cmos[REG_SEC] = enc(r, tm.sec);
	r->cmos[REG_MIN] = enc(r, tm.min);
	r->cmos[REG_HOUR] = enc_hour(r, tm.hour);
	r->cmos[REG_DOW] = enc(r, tm.dow);
	r->cmos[REG_DAY] = enc(r, tm.day);
	r->cmos[REG_MONTH] = enc(r, tm.mon);
	r->cmos[REG_YEAR] = enc(r, tm.year % 100);
	r->cmos[REG_CENTURY] = enc(r, tm.year / 100);
}

static bool is_time_reg(unsigned i)
{
	return (i <= REG_YEAR && i != REG_SEC_ALARM && i != REG_MIN_ALARM &&
		i != REG_HOUR_ALARM) ||
	       i == REG_CENTURY;
}

/* ---- clock state ---- */

static bool divider_runs(uint8_t a)
{
	return (a & A_DV_MASK) == A_DV_32K;
}

static bool ticking_with(uint8_t a, uint8_t b)
{
	return divider_runs(a) && !(b & B_SET);
}

static bool ticking(const struct vrtc *r)
{
	return ticking_with(r->cmos[REG_A], r->cmos[REG_B]);
}

/* Update cycles completed since base_vclock, at virtual time now. */
static int64_t updates_at(const struct vrtc *r, uint64_t now)
{
	return floor_div(ns_since(now, r->base_vclock), NS_PER_S);
}

static int64_t cur_time(const struct vrtc *r, uint64_t now)
{
	if (!ticking(r) || r->broken)
		return r->base_time;
	return r->base_time + updates_at(r, now);
}

/* Bring the time registers up to date (they are the truth when the
 * clock is halted or broken). */
static void refresh_regs(struct vrtc *r, uint64_t now)
{
	if (ticking(r) && !r->broken)
		secs_to_regs(r, cur_time(r, now));
}

/* Periodic interrupt period in ns for the rate in register A, 0 for
 * none. With the 32.768 kHz time base, rates 1 and 2 tap the divider at
 * 256 and 128 Hz and rate n >= 3 gives 32768 >> (n - 1) Hz (register A,
 * "Periodic Interrupt Rate" table). Truncated to whole ns: at most
 * 2.6 ppm fast (8192 Hz), and exact from 512 Hz down. */
static uint64_t period_ns(uint8_t a)
{
	unsigned rs = a & A_RS_MASK;
	unsigned shift;

	if (!rs || !divider_runs(a))
		return 0;
	shift = rs <= 2 ? rs + 6 : rs - 1;
	return ((uint64_t)NS_PER_S << shift) / 32768;
}

/* Virtual time, never going backwards (timer callbacks may report an
 * older time than a concurrent port access already used). */
static uint64_t now_locked(struct vrtc *r)
{
	uint64_t now = vtimer_now(r->timers);

	if (now < r->last_now)
		now = r->last_now;
	r->last_now = now;
	return now;
}

/* ---- flags and the interrupt line ---- */

static bool alarm_field_ok(uint8_t alarm, uint8_t cur)
{
	return (alarm & ALARM_DONT_CARE) == ALARM_DONT_CARE || alarm == cur;
}

/*
 * Whether an update in (t_prev, t_prev + n] showed a time that matches
 * the alarm bytes, compared in the current register format as the chip
 * compares bytes ("Alarm"). Whole hours and minutes that cannot match
 * are skipped, so this is a few thousand steps at most.
 */
static bool alarm_hit(const struct vrtc *r, int64_t t_prev, int64_t n)
{
	bool s_ok[60], m_ok[60], h_ok[24], any_s = false, any_m = false,
					   any_h = false;
	int64_t t, end;
	int v;

	for (v = 0; v < 60; v++) {
		s_ok[v] = alarm_field_ok(r->cmos[REG_SEC_ALARM], enc(r, v));
		m_ok[v] = alarm_field_ok(r->cmos[REG_MIN_ALARM], enc(r, v));
		any_s |= s_ok[v];
		any_m |= m_ok[v];
	}
	for (v = 0; v < 24; v++) {
		h_ok[v] =
		    alarm_field_ok(r->cmos[REG_HOUR_ALARM], enc_hour(r, v));
		any_h |= h_ok[v];
	}
	if (!any_s || !any_m || !any_h)
		return false;
	/* Every matchable pattern recurs within a day. */
	end = t_prev + (n > SECS_PER_DAY ? SECS_PER_DAY : n);
	for (t = t_prev + 1; t <= end;) {
		int64_t sod = floor_mod(t, SECS_PER_DAY);

		if (!h_ok[sod / 3600])
			t += 3600 - sod % 3600;
		else if (!m_ok[sod / 60 % 60])
			t += 60 - sod % 60;
		else if (!s_ok[sod % 60])
			t++;
		else
			return true;
	}
	return false;
}

/* Account for update cycles and periodic edges up to now ("Interrupts":
 * the flags are set whatever the enable bits say). */
static void catch_up(struct vrtc *r, uint64_t now)
{
	uint64_t p = period_ns(r->cmos[REG_A]);

	ASSERT_LOCKED(r);
	if (ticking(r)) {
		int64_t k0 = updates_at(r, r->flags_vclock);
		int64_t k1 = updates_at(r, now);

		if (k1 > k0) {
			r->cmos[REG_C] |= C_UF;
			if (!r->broken &&
			    alarm_hit(r, r->base_time + k0, k1 - k0))
				r->cmos[REG_C] |= C_AF;
		}
	}
	r->flags_vclock = now;
	/* With PIE set, PF comes from the periodic timer's ticks only, so
	 * that a delayed tick (timer_mode) is not counted twice. */
	if (p && !(r->cmos[REG_B] & B_PIE)) {
		int64_t j0 = floor_div(ns_since(r->pf_vclock, r->div_origin),
				       (int64_t)p);
		int64_t j1 =
		    floor_div(ns_since(now, r->div_origin), (int64_t)p);

		if (j1 > j0)
			r->cmos[REG_C] |= C_PF;
	}
	r->pf_vclock = now;
}

/* IRQF = PF.PIE + AF.AIE + UF.UIE (register C); IRQ 8 follows it. */
static void update_irq(struct vrtc *r)
{
	uint8_t b = r->cmos[REG_B], c = r->cmos[REG_C];
	bool irqf = ((c & C_PF) && (b & B_PIE)) ||
		    ((c & C_AF) && (b & B_AIE)) || ((c & C_UF) && (b & B_UIE));

	ASSERT_LOCKED(r);
	if (irqf)
		r->cmos[REG_C] |= C_IRQF;
	else
		r->cmos[REG_C] &= (uint8_t)~C_IRQF;
	if (irqf == r->irq_asserted)
		return;
	r->irq_asserted = irqf;
	if (r->irq)
		r->irq(r->ctx, RTC_IRQ, irqf ? IRQ_ASSERT : IRQ_DEASSERT);
}

/* Timers only for interrupt edges; called after every state change. */
static void program_timers(struct vrtc *r, uint64_t now)
{
	uint64_t p = period_ns(r->cmos[REG_A]);

	ASSERT_LOCKED(r);
	if (!(r->cmos[REG_B] & B_PIE))
		p = 0;
	if (p && (p != r->pt_period || r->pt_origin != r->div_origin)) {
		int64_t j = floor_div(ns_since(now, r->div_origin), (int64_t)p);

		periodic_timer_start(r->periodic,
				     r->div_origin + (uint64_t)(j + 1) * p, p);
		r->pt_origin = r->div_origin;
	} else if (!p && r->pt_period) {
		periodic_timer_stop(r->periodic);
	}
	r->pt_period = p;

	if (ticking(r) && (r->cmos[REG_B] & (B_UIE | B_AIE)))
		vtimer_arm(r->update_timer,
			   r->base_vclock +
			       (uint64_t)(updates_at(r, now) + 1) * NS_PER_S);
	else
		vtimer_disarm(r->update_timer);
}

/* ---- register writes ---- */

/* The clock stops: keep the time it showed in the registers. */
static void freeze(struct vrtc *r, uint64_t now)
{
	if (r->broken)
		return;
	r->base_time = cur_time(r, now);
	secs_to_regs(r, r->base_time);
}

/* The clock starts from its registers ("Register B", SET; "Divider
 * Control": the first update comes half a second after the divider
 * leaves reset, one second after SET is cleared). */
static void thaw(struct vrtc *r, uint64_t now, bool divider_started)
{
	int64_t t;

	r->base_vclock = now - (divider_started ? NS_PER_S / 2 : 0);
	r->broken = !regs_to_secs(r, &t);
	if (!r->broken)
		r->base_time = t;
}

static void write_control(struct vrtc *r, unsigned reg, uint8_t val,
			  uint64_t now)
{
	uint8_t old_a = r->cmos[REG_A], old_b = r->cmos[REG_B];
	uint8_t a = old_a, b = old_b;
	bool was = ticking(r), is;

	if (reg == REG_A) {
		a = val & (uint8_t)~A_UIP; /* UIP is read-only */
	} else {
		b = val;
		/* Setting SET clears UIE (register B, UIE). */
		if ((b & B_SET) && !(old_b & B_SET))
			b &= (uint8_t)~B_UIE;
	}
	is = ticking_with(a, b);
	/* Freeze with the old format: changing DM or 24/12 does not
	 * convert the registers on the chip. */
	if (was && !is)
		freeze(r, now);
	r->cmos[REG_A] = a;
	r->cmos[REG_B] = b;
	if (divider_runs(a) && !divider_runs(old_a))
		r->div_origin = now;
	if (!was && is)
		thaw(r, now, !divider_runs(old_a));
	r->flags_vclock = now;
}

/*
 * A time register written while the clock ticks takes effect at once;
 * the divider keeps its phase, so the next update still comes at the
 * same moment. While halted, the byte is simply stored.
 */
static void write_time_reg(struct vrtc *r, unsigned reg, uint8_t val,
			   uint64_t now)
{
	int64_t t;

	if (!ticking(r)) {
		r->cmos[reg] = val;
		return;
	}
	refresh_regs(r, now);
	r->cmos[reg] = val;
	r->broken = !regs_to_secs(r, &t);
	if (r->broken)
		return;
	r->base_vclock += (uint64_t)updates_at(r, now) * NS_PER_S;
	r->base_time = t;
	r->flags_vclock = now;
}

static void data_write(struct vrtc *r, uint8_t val, uint64_t now)
{
	unsigned reg = r->index & INDEX_MASK;

	if (is_time_reg(reg))
		write_time_reg(r, reg, val, now);
	else if (reg == REG_A || reg == REG_B)
		write_control(r, reg, val, now);
	else if (reg != REG_C && reg != REG_D) /* C and D are read-only */
		r->cmos[reg] = val;
	update_irq(r);
	program_timers(r, now);
}

/* ---- register reads ---- */

/* UIP: 1 in the 244 us before each update transfer while updates run
 * (register A, UIP; SET clears it). */
static bool uip(const struct vrtc *r, uint64_t now)
{
	int64_t into;

	if (!ticking(r))
		return false;
	into = floor_mod(ns_since(now, r->base_vclock), NS_PER_S);
	return into >= NS_PER_S - UIP_NS;
}

static uint8_t data_read(struct vrtc *r, uint64_t now)
{
	unsigned reg = r->index & INDEX_MASK;
	uint8_t v;

	switch (reg) {
	case REG_A:
		return (uint8_t)(r->cmos[REG_A] | (uip(r, now) ? A_UIP : 0));
	case REG_C:
		/* Reading C clears every flag and releases IRQ 8. */
		v = r->cmos[REG_C];
		r->cmos[REG_C] = 0;
		update_irq(r);
		return v;
	case REG_D:
		return D_VRT; /* the battery is always good */
	default:
		if (is_time_reg(reg))
			refresh_regs(r, now);
		return r->cmos[reg];
	}
}

/* One byte at port 0x70 or 0x71; caller holds the lock and has
 * caught up. Other ports of a wide access read as an empty bus. */
static void io_byte(struct vrtc *r, uint64_t port, bool is_write, uint8_t *b,
		    uint64_t now)
{
	if (port == 0x70) {
		/* Bit 7 masks NMI on a PC; the index is bits 6-0. */
		if (is_write)
			r->index = *b;
		else
			*b = 0xff;
	} else if (port == 0x71) {
		if (is_write)
			data_write(r, *b, now);
		else
			*b = data_read(r, now);
	} else if (!is_write) {
		*b = 0xff;
	}
}

int vrtc_io(void *opaque, uint64_t port, unsigned size, bool is_write,
	    uint64_t *val)
{
	struct vrtc *r = opaque;
	uint64_t out = 0, now;
	unsigned i;

	if (size == 0 || size > 8) {
		if (!is_write)
			*val = ~0ull;
		return 0;
	}
	LOCK(r);
	now = now_locked(r);
	catch_up(r, now);
	update_irq(r);
	/* A wide access reaches consecutive ports, low byte first. */
	for (i = 0; i < size; i++) {
		uint8_t b = is_write ? (uint8_t)(*val >> (8 * i)) : 0;

		io_byte(r, port + i, is_write, &b, now);
		out |= (uint64_t)b << (8 * i);
	}
	UNLOCK(r);
	if (!is_write)
		*val = out;
	return 0;
}

/* ---- timer callbacks ---- */

static void on_update(void *opaque, uint64_t when)
{
	struct vrtc *r = opaque;
	uint64_t now;

	(void)when;
	LOCK(r);
	now = now_locked(r);
	catch_up(r, now);
	update_irq(r);
	program_timers(r, now);
	UNLOCK(r);
}

static void on_periodic(void *opaque, uint64_t when)
{
	struct vrtc *r = opaque;
	uint64_t now;

	(void)when;
	LOCK(r);
	now = now_locked(r);
	catch_up(r, now);
	/* A tick racing with reprogramming is dropped here. */
	if ((r->cmos[REG_B] & B_PIE) && period_ns(r->cmos[REG_A]))
		r->cmos[REG_C] |= C_PF;
	update_irq(r);
	UNLOCK(r);
}

/* ---- lifecycle ---- */

static int64_t host_time_plus(int64_t offset_s)
{
	struct timespec ts;
	int64_t t;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (__builtin_add_overflow((int64_t)ts.tv_sec, offset_s, &t))
		t = offset_s < 0 ? INT64_MIN / 2 : INT64_MAX / 2;
	return wrap_time(t);
}

struct vrtc *vrtc_create(uint32_t domid, struct vtimer_service *timers,
			 irq_line_fn irq, void *ctx, int64_t offset_s)
{
	struct vrtc *r = calloc(1, sizeof(*r));
	uint64_t now;

	if (!r)
		return NULL;
	r->domid = domid;
	r->timers = timers;
	r->irq = irq;
	r->ctx = ctx;
	pthread_mutex_init(&r->lock, NULL);
	r->update_timer = vtimer_create(timers, on_update, r);
	r->periodic = periodic_timer_create(timers, on_periodic, r);
	if (!r->update_timer || !r->periodic) {
		vrtc_destroy(r);
		return NULL;
	}
	/* What a PC BIOS leaves: 32.768 kHz divider running, 1024 Hz rate,
	 * 24-hour BCD, no interrupts enabled. */
	r->cmos[REG_A] = A_DV_32K | 0x06;
	r->cmos[REG_B] = B_24H;
	r->cmos[REG_D] = D_VRT;
	r->index = REG_D;
	now = vtimer_now(timers);
	r->base_time = host_time_plus(offset_s);
	r->base_vclock = now;
	r->last_now = r->flags_vclock = r->pf_vclock = r->div_origin = now;
	LOCK(r);
	secs_to_regs(r, r->base_time);
	UNLOCK(r);
	return r;
}

void vrtc_destroy(struct vrtc *r)
{
	if (!r)
		return;
	/* Without our lock: a running callback may be waiting for it. */
	periodic_timer_destroy(r->periodic);
	vtimer_destroy(r->update_timer);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* The RESET pin: clears PIE, AIE, UIE, SQWE and the flags; time,
 * calendar, alarm and RAM are untouched ("RESET"). */
void vrtc_reset(struct vrtc *r)
{
	uint64_t now;

	LOCK(r);
	now = now_locked(r);
	catch_up(r, now);
	r->cmos[REG_B] &= (uint8_t) ~(B_PIE | B_AIE | B_UIE | B_SQWE);
	r->cmos[REG_C] = 0;
	update_irq(r);
	program_timers(r, now);
	UNLOCK(r);
}

int vrtc_set_cmos(struct vrtc *r, unsigned index, uint8_t value)
{
	/* Time, alarm and status registers, and the century, belong to
	 * the clock, not to the toolstack. */
	if (index >= sizeof(r->cmos) || index <= REG_D || index == REG_CENTURY)
		return -EINVAL;
	LOCK(r);
	r->cmos[index] = value;
	UNLOCK(r);
	return 0;
}

int64_t vrtc_time(struct vrtc *r)
{
	int64_t t;

	LOCK(r);
	t = cur_time(r, now_locked(r));
	UNLOCK(r);
	return t;
}

/* ---- save / load ---- */

void vrtc_save(struct vrtc *r, struct vrtc_save *out)
{
	uint64_t now;

	memset(out, 0, sizeof(*out));
	LOCK(r);
	now = now_locked(r);
	catch_up(r, now);
	update_irq(r);
	refresh_regs(r, now);
	memcpy(out->cmos, r->cmos, sizeof(out->cmos));
	out->cmos[REG_D] = D_VRT;
	out->base_time = r->base_time;
	out->base_vclock = r->base_vclock;
	out->index = r->index;
	UNLOCK(r);
}

static bool save_valid(const struct vrtc_save *in)
{
	uint8_t b = in->cmos[REG_B], c = in->cmos[REG_C];
	bool irqf = ((c & C_PF) && (b & B_PIE)) ||
		    ((c & C_AF) && (b & B_AIE)) || ((c & C_UF) && (b & B_UIE));
	unsigned i;

	for (i = 0; i < sizeof(in->pad); i++)
		if (in->pad[i])
			return false;
	if (in->cmos[REG_D] != D_VRT || (in->cmos[REG_A] & A_UIP) ||
	    (c & 0x0f) || !(c & C_IRQF) != !irqf)
		return false;
	return in->base_time >= time_min() &&
	       in->base_time < time_min() + RANGE_SECS;
}

int vrtc_load(struct vrtc *r, const struct vrtc_save *in)
{
	uint64_t now;
	int64_t t;

	if (!save_valid(in))
		return -EINVAL;
	LOCK(r);
	now = now_locked(r);
	memcpy(r->cmos, in->cmos, sizeof(r->cmos));
	r->index = in->index;
	r->base_time = in->base_time;
	r->base_vclock = in->base_vclock;
	/* Saved while ticking, the registers were rendered from the base;
	 * if they do not parse, the time was broken. */
	r->broken = ticking(r) && !regs_to_secs(r, &t);
	r->flags_vclock = r->pf_vclock = r->div_origin = now;
	/* Force the periodic timer to be reprogrammed. */
	r->pt_origin = now - 1;
	update_irq(r);
	program_timers(r, now);
	UNLOCK(r);
	return 0;
}
