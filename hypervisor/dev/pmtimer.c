/*
 * ACPI PM timer and PM1a event/control blocks (see pmtimer.h). Section
 * numbers are ACPI 6.x's: §4.8.3.1 PM1 event grouping, §4.8.3.2 PM1
 * control, §4.8.3.3 power management timer.
 *
 * Time: the counter is computed from the virtual clock on every read,
 * ticks = floor(elapsed_ns * 3579545 / 1e9) from a base, so it never
 * drifts. TMR_STS is found lazily by comparing bit 31 of the unwrapped
 * tick count now with its value at the last look; a vtimer exists only
 * while TMR_EN is set, due at the next bit-31 flip (every 2^31 ticks,
 * about 600 s), so an idle guest costs no wake-ups.
 *
 * Locking: t->lock guards everything; ops are called with it held.
 */
#include "dev/pmtimer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#define NS_PER_S 1000000000ull

/* PM1_STS / PM1_EN bits (§4.8.3.1.1, tables 4.11-4.12). */
#define TMR_STS (1u << 0)
#define BM_STS (1u << 4)
#define GBL_STS (1u << 5)
#define PWRBTN_STS (1u << 8)
#define SLPBTN_STS (1u << 9)
#define RTC_STS (1u << 10)
#define WAK_STS (1u << 15)
#define STS_BITS                                                               \
	(TMR_STS | BM_STS | GBL_STS | PWRBTN_STS | SLPBTN_STS | RTC_STS |      \
	 WAK_STS)
#define EN_BITS ((1u << 0) | (1u << 5) | (1u << 8) | (1u << 9) | (1u << 10))
#define TMR_EN (1u << 0)

/* PM1_CNT (§4.8.3.2.1, table 4.13). */
#define SCI_EN (1u << 0)
#define SLP_TYP_SHIFT 10
#define SLP_TYP_MASK (7u << SLP_TYP_SHIFT)
#define SLP_EN (1u << 13)
#define CNT_BITS (SCI_EN | SLP_TYP_MASK)

#define MSB_TICKS (1ull << 31) /* TMR_VAL_EXT: 32-bit counter */

struct pmtimer {
	pthread_mutex_t lock;
	uint32_t domid;
	struct vtimer_service *vt;
	struct vtimer *timer;
	const struct pmtimer_ops *ops;
	void *ctx;
	uint64_t base_ns;  /* virtual ns at which the count was tick_off */
	uint32_t tick_off; /* counter value at base_ns */
	uint64_t seen;	   /* unwrapped count at the last TMR_STS check */
	uint16_t sts, en, cnt;
	bool sci; /* level driven on PM_SCI_GSI */
};

#define LOCK(t) pthread_mutex_lock(&(t)->lock)
#define UNLOCK(t) pthread_mutex_unlock(&(t)->lock)

/* ---- time ---------------------------------------------------------- */

/* floor(ns * HZ / 1e9) without overflow, split at whole seconds. */
static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / NS_PER_S * PMTIMER_HZ +
	       ns % NS_PER_S * PMTIMER_HZ / NS_PER_S;
}

/* The first ns with ns_to_ticks(ns) >= ticks (inverse of the above). */
static uint64_t ticks_to_ns(uint64_t ticks)
{
	uint64_t s = ticks / PMTIMER_HZ, rem = ticks % PMTIMER_HZ;

	return s * NS_PER_S + (rem * NS_PER_S + PMTIMER_HZ - 1) / PMTIMER_HZ;
}

/* Unwrapped count: PM_TMR is its low 32 bits. */
static uint64_t count_at(const struct pmtimer *t, uint64_t now)
{
	uint64_t el = now > t->base_ns ? now - t->base_ns : 0;

	return t->tick_off + ns_to_ticks(el);
}

/* ---- status, SCI and the wake-up timer ------------------------------ */

/* SCI (§4.8.3.1): asserted while any enabled status bit is set. */
static void update_sci(struct pmtimer *t)
{
	bool want = (t->sts & t->en) != 0;

	if (want == t->sci)
		return;
	t->sci = want;
	if (t->ops->sci)
		t->ops->sci(t->ctx, PM_SCI_GSI,
			    want ? IRQ_ASSERT : IRQ_DEASSERT);
}

/* §4.8.3.3: TMR_STS is set whenever bit 31 of the counter toggles. */
static void sync_status(struct pmtimer *t, uint64_t now)
{
	uint64_t c = count_at(t, now);

	if (c / MSB_TICKS != t->seen / MSB_TICKS)
		t->sts |= TMR_STS;
	t->seen = c;
}

/* Arm for the next bit-31 flip while TMR_EN can turn it into an SCI. */
static void rearm(struct pmtimer *t)
{
	uint64_t flip = (t->seen / MSB_TICKS + 1) * MSB_TICKS - t->tick_off;

	if (t->en & TMR_EN)
		vtimer_arm(t->timer, t->base_ns + ticks_to_ns(flip));
	else
		vtimer_disarm(t->timer);
}

/* Caller holds the lock: bring status, SCI and the timer up to date. */
static void refresh(struct pmtimer *t, uint64_t now)
{
	sync_status(t, now);
	update_sci(t);
	rearm(t);
}

static void on_timer(void *opaque, uint64_t now)
{
	struct pmtimer *t = opaque;

	LOCK(t);
	refresh(t, now);
	UNLOCK(t);
}

/* ---- registers ----------------------------------------------------- */

/* PM1_CNT write: SLP_EN is write-only and starts the sleep that SLP_TYP
 * names (§4.8.3.2.1); the core maps the type to an action. */
static void write_cnt(struct pmtimer *t, uint16_t v)
{
	t->cnt = v & CNT_BITS;
	if ((v & SLP_EN) && t->ops->sleep)
		t->ops->sleep(t->ctx, (v & SLP_TYP_MASK) >> SLP_TYP_SHIFT);
}

static void write_sts(struct pmtimer *t, uint16_t v)
{
	t->sts &= ~(v & STS_BITS);
}

static void write_en(struct pmtimer *t, uint16_t v)
{
	t->en = v & EN_BITS;
}

/* Caller holds the lock, status synced: one byte of the port space. */
static uint8_t read_byte(struct pmtimer *t, uint64_t port, uint32_t tmr)
{
	uint64_t off;

	if (port >= PM1A_EVT_PORT && port < PM1A_EVT_PORT + 4) {
		off = port - PM1A_EVT_PORT;
		return (uint8_t)((off < 2 ? t->sts : t->en) >> (8 * (off & 1)));
	}
	if (port >= PM1A_CNT_PORT && port < PM1A_CNT_PORT + 2)
		return (uint8_t)(t->cnt >> (8 * (port - PM1A_CNT_PORT)));
	if (port >= PM_TMR_PORT && port < PM_TMR_PORT + 4)
		return (uint8_t)(tmr >> (8 * (port - PM_TMR_PORT)));
	return 0xff; /* unclaimed byte */
}

static void do_read(struct pmtimer *t, uint64_t port, unsigned size,
		    uint64_t *val, uint64_t now)
{
	uint32_t tmr = (uint32_t)count_at(t, now);
	uint64_t v = 0;

	refresh(t, now);
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)read_byte(t, port + i, tmr) << (8 * i);
	*val = v;
}

/* Writes at the registers' own width only (§4.7.1: PM1 registers are
 * accessed at their natural size); PM_TMR is read-only. */
static void do_write(struct pmtimer *t, uint64_t port, unsigned size,
		     uint64_t v, uint64_t now)
{
	sync_status(t, now);
	if (port == PM1A_EVT_PORT && size == 4) {
		write_sts(t, (uint16_t)v);
		write_en(t, (uint16_t)(v >> 16));
	} else if (port == PM1A_EVT_PORT && size == 2) {
		write_sts(t, (uint16_t)v);
	} else if (port == PM1A_EVT_PORT + 2 && size == 2) {
		write_en(t, (uint16_t)v);
	} else if (port == PM1A_CNT_PORT && size == 2) {
		write_cnt(t, (uint16_t)v);
	}
	refresh(t, now);
}

int pmtimer_io(void *opaque, uint64_t port, unsigned size, bool is_write,
	       uint64_t *val)
{
	struct pmtimer *t = opaque;
	uint64_t now;

	if (size == 0 || size > 8) {
		if (!is_write)
			*val = UINT64_MAX;
		return 0;
	}
	LOCK(t);
	now = vtimer_now(t->vt);
	if (is_write)
		do_write(t, port, size, *val, now);
	else
		do_read(t, port, size, val, now);
	UNLOCK(t);
	return 0;
}

/* The fixed power button (§4.8.2.2.1.1): a press sets PWRBTN_STS, which
 * raises the SCI while PWRBTN_EN is set; the OS clears it by writing 1. */
bool pmtimer_power_button(struct pmtimer *t)
{
	bool enabled;

	LOCK(t);
	sync_status(t, vtimer_now(t->vt));
	t->sts |= PWRBTN_STS;
	enabled = (t->en & PWRBTN_STS) != 0; /* PWRBTN_EN: same bit */
	update_sci(t);
	UNLOCK(t);
	return enabled;
}

/* ---- lifecycle ----------------------------------------------------- */

/* Caller holds the lock: counter from 0 at now, all bits clear. */
static void reset_locked(struct pmtimer *t, uint64_t now)
{
	t->base_ns = now;
	t->tick_off = 0;
	t->seen = 0;
	t->sts = 0;
	t->en = 0;
	t->cnt = 0;
	update_sci(t);
	vtimer_disarm(t->timer);
}

struct pmtimer *pmtimer_create(uint32_t domid, struct vtimer_service *timers,
			       const struct pmtimer_ops *ops, void *ctx)
{
	struct pmtimer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->domid = domid;
	t->vt = timers;
	t->ops = ops;
	t->ctx = ctx;
	t->timer = vtimer_create(timers, on_timer, t);
	if (!t->timer) {
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	pmtimer_reset(t);
	return t;
}

void pmtimer_destroy(struct pmtimer *t)
{
	if (!t)
		return;
	vtimer_destroy(t->timer);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

void pmtimer_reset(struct pmtimer *t)
{
	LOCK(t);
	reset_locked(t, vtimer_now(t->vt));
	UNLOCK(t);
}

/* ---- save / load --------------------------------------------------- */

/*
 * The record's base is the virtual time at which the counter read 0. A
 * counter with an offset (restored from a base in this clock's future)
 * is saved as the next time it wraps to 0.
 */
void pmtimer_save(struct pmtimer *t, struct pmtimer_save *out)
{
	uint64_t now;

	LOCK(t);
	now = vtimer_now(t->vt);
	sync_status(t, now);
	out->base_vclock = t->base_ns;
	if (t->tick_off)
		out->base_vclock += ticks_to_ns((1ull << 32) - t->tick_off);
	out->pm1_sts = t->sts;
	out->pm1_en = t->en;
	out->pm1_cnt = t->cnt;
	out->pad = 0;
	UNLOCK(t);
}

static bool record_ok(const struct pmtimer_save *in)
{
	return !(in->pm1_sts & ~STS_BITS) && !(in->pm1_en & ~EN_BITS) &&
	       !(in->pm1_cnt & ~CNT_BITS) && in->pad == 0;
}

int pmtimer_load(struct pmtimer *t, const struct pmtimer_save *in)
{
	uint64_t now;

	if (!record_ok(in))
		return -EINVAL;
	LOCK(t);
	now = vtimer_now(t->vt);
	reset_locked(t, now);
	if (in->base_vclock <= now) {
		t->base_ns = in->base_vclock;
	} else {
		/* The counter reaches 0 in the future: it reads negative now.
		 */
		t->tick_off = (uint32_t)-ns_to_ticks(in->base_vclock - now);
	}
	t->seen = count_at(t, now);
	t->sts = in->pm1_sts;
	t->en = in->pm1_en;
	t->cnt = in->pm1_cnt;
	refresh(t, now);
	UNLOCK(t);
	return 0;
}
