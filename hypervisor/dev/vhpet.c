/*
 * IA-PC HPET 1.0a (see vhpet.h). Section numbers below are the spec's.
 *
 * Time: the main counter is computed from the domain's virtual clock as
 * counter = base_counter + (now - base_ns) / 100 while ENABLE_CNF is set
 * (10 MHz, §2.3.6: one tick per 100 ns), so it never drifts however long
 * it runs. Each timer keeps the tick index (ticks since base_ns) of its
 * next comparator match, "next", and a periodic_timer that is armed only
 * while the counter runs and the timer's interrupt is enabled: the
 * periodic timer applies the domain's timer_mode to missed ticks.
 * Comparator catch-up (§2.3.9.2.2, periodic mode): each match adds the
 * period to the comparator; a read shows the comparator caught up to the
 * current counter.
 *
 * Locking: h->lock guards everything; ops are called with it held, so
 * the wire layer behind them must not call back into the HPET. Tick
 * callbacks take the lock themselves (periodic_timer.h).
 */
#include "dev/vhpet.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "periodic_timer.h"

#define NS_PER_TICK 100ull /* 1e9 / VHPET_FREQ_HZ */
#define NEVER UINT64_MAX   /* tick index of a match that never comes */

/* Register offsets (§2.3.5, table 2). */
#define R_GCAP_ID 0x000
#define R_GEN_CONF 0x010
#define R_GINTR_STA 0x020
#define R_MAIN_CNT 0x0f0
#define R_TIMER0 0x100
#define TIMER_STRIDE 0x20
#define T_CONF_CAP 0x00
#define T_COMPARATOR 0x08
#define T_FSB_ROUTE 0x10

/* General capabilities (§2.3.4): 100 ns period, Intel vendor ID, legacy
 * replacement capable, 64-bit counter, NUM_TIM_CAP = timers - 1, rev 1. */
#define GCAP_VALUE                                                             \
	((100000000ull << 32) | (0x8086ull << 16) | (1ull << 15) |             \
	 (1ull << 13) | ((uint64_t)(VHPET_TIMERS - 1) << 8) | 1ull)

#define CNF_ENABLE (1ull << 0)
#define CNF_LEG_RT (1ull << 1)

/* Timer N configuration and capabilities (§2.3.8). */
#define TN_INT_TYPE (1ull << 1) /* 1: level */
#define TN_INT_ENB (1ull << 2)
#define TN_TYPE (1ull << 3) /* 1: periodic */
#define TN_PER_INT_CAP (1ull << 4)
#define TN_SIZE_CAP (1ull << 5)
#define TN_VAL_SET (1ull << 6)
#define TN_32MODE (1ull << 8)
#define TN_ROUTE_SHIFT 9
#define TN_ROUTE_MASK (0x1full << TN_ROUTE_SHIFT)
#define TN_WRITABLE                                                            \
	(TN_INT_TYPE | TN_INT_ENB | TN_TYPE | TN_VAL_SET | TN_32MODE |         \
	 TN_ROUTE_MASK)
#define TN_RO_CAPS (TN_PER_INT_CAP | TN_SIZE_CAP)

/* Route capabilities (Tn_INT_ROUTE_CAP): IOAPIC inputs each timer may
 * drive; ours mirror the ACPI HPET table the toolstack writes. */
#define ROUTE_CAP_T01 ((1u << 2) | (1u << 8) | (0xfu << 20))
#define ROUTE_CAP_T2 ((1u << 11) | (0xfu << 20))

enum line_kind { LINE_NONE = 0, LINE_GSI, LINE_ISA };

struct hpet_line {
	enum line_kind kind;
	unsigned line;
};

struct hpet_timer {
	struct vhpet *h;
	unsigned n;
	struct periodic_timer *pt;
	uint64_t config; /* TN_WRITABLE bits only */
	uint64_t cmp;	 /* comparator as of match "next" (pre catch-up) */
	uint64_t period; /* periodic increment, in ticks */
	uint64_t next;	 /* tick index of the next match; NEVER */
	uint64_t due_ns; /* first deadline of the armed periodic timer */
	uint64_t pt_period_ns; /* 0: armed one-shot, re-armed per match */
	bool armed;
	struct hpet_line asserted; /* level line currently driven */
};

struct vhpet {
	pthread_mutex_t lock;
	uint32_t domid;
	struct vtimer_service *vt;
	const struct vhpet_ops *ops;
	void *ctx;
	uint64_t config;  /* GEN_CONF: CNF_ENABLE | CNF_LEG_RT */
	uint64_t isr;	  /* GINTR_STA */
	uint64_t counter; /* main counter at base_ns */
	uint64_t base_ns; /* virtual ns; meaningful while enabled */
	struct hpet_timer t[VHPET_TIMERS];
};

#define LOCK(h) pthread_mutex_lock(&(h)->lock)
#define UNLOCK(h) pthread_mutex_unlock(&(h)->lock)

static void on_tick(void *opaque, uint64_t now);

/* ---- time ---------------------------------------------------------- */

static bool counting(const struct vhpet *h)
{
	return h->config & CNF_ENABLE;
}

/* Ticks since base_ns; only meaningful while counting. */
static uint64_t tick_index(const struct vhpet *h, uint64_t now)
{
	return now > h->base_ns ? (now - h->base_ns) / NS_PER_TICK : 0;
}

static uint64_t counter_at(const struct vhpet *h, uint64_t now)
{
	if (!counting(h))
		return h->counter;
	return h->counter + tick_index(h, now);
}

/* Virtual ns at which tick index i begins; false if beyond 2^64 ns. */
static bool tick_ns(const struct vhpet *h, uint64_t i, uint64_t *ns)
{
	uint64_t off;

	if (i == NEVER || __builtin_mul_overflow(i, NS_PER_TICK, &off))
		return false;
	return !__builtin_add_overflow(h->base_ns, off, ns);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? NEVER : r;
}

/* ---- timer state --------------------------------------------------- */

/* §2.3.9.2.4: a 32-bit timer compares the low 32 bits of the counter. */
static uint64_t timer_mask(const struct hpet_timer *t)
{
	return (t->config & TN_32MODE) ? 0xffffffffull : UINT64_MAX;
}

static bool periodic(const struct hpet_timer *t)
{
	return (t->config & TN_TYPE) && t->period != 0;
}

static uint32_t route_cap(unsigned n)
{
	return n < 2 ? ROUTE_CAP_T01 : ROUTE_CAP_T2;
}

static uint64_t conf_cap_read(const struct hpet_timer *t)
{
	return ((uint64_t)route_cap(t->n) << 32) | TN_RO_CAPS | t->config;
}

/*
 * Ticks from one match to the next: the period in periodic mode, else
 * one wrap of the comparison width (a one-shot matches again when the
 * counter wraps, §2.3.9.2.1). NEVER for a 64-bit wrap.
 */
static uint64_t match_step(const struct hpet_timer *t)
{
	if (periodic(t))
		return t->period;
	return (t->config & TN_32MODE) ? (1ull << 32) : NEVER;
}

/* Advance "next" by k matches (k >= 1), catching the comparator up. */
static void advance_matches(struct hpet_timer *t, uint64_t k)
{
	uint64_t step = match_step(t), add;

	if (step == NEVER || __builtin_mul_overflow(k, step, &add)) {
		t->next = NEVER;
		return;
	}
	t->next = sat_add(t->next, add);
	if (periodic(t))
		t->cmp = (t->cmp + k * t->period) & timer_mask(t);
}

/* Bring "next" to the first match at or after tick index i. */
static void settle(struct hpet_timer *t, uint64_t i)
{
	uint64_t step = match_step(t);

	if (t->next == NEVER || t->next >= i)
		return;
	if (step == NEVER) {
		t->next = NEVER;
		return;
	}
	advance_matches(t, (i - t->next + step - 1) / step);
}

/* Recompute the next match from the comparator register (after the
 * comparator, the counter or the width changed). A comparator equal to
 * the counter matches now. */
static void rematch(struct vhpet *h, struct hpet_timer *t, uint64_t now)
{
	uint64_t d = (t->cmp - counter_at(h, now)) & timer_mask(t);

	t->next = sat_add(tick_index(h, now), d);
}

/* Fold matches already past into the comparator of a running periodic
 * timer (before its mode, period or the counter change). */
static void materialize(struct vhpet *h, struct hpet_timer *t, uint64_t now)
{
	if (counting(h) && periodic(t))
		settle(t, tick_index(h, now) + 1);
}

/* The comparator a read returns: caught up past the counter (§2.3.9.2.2). */
static uint64_t comparator_read(struct vhpet *h, const struct hpet_timer *t,
				uint64_t now)
{
	struct hpet_timer copy = *t;

	if (counting(h) && periodic(t))
		settle(&copy, tick_index(h, now) + 1);
	return copy.cmp;
}

/* ---- interrupt lines ----------------------------------------------- */

/* Where timer t's interrupt goes: legacy replacement (§2.3.7) takes
 * timers 0 and 1 to ISA IRQ 0 and 8; otherwise its IOAPIC route. */
static struct hpet_line timer_line(const struct vhpet *h,
				   const struct hpet_timer *t)
{
	struct hpet_line l = {LINE_NONE, 0};
	unsigned route = (t->config & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT;

	if ((h->config & CNF_LEG_RT) && t->n < 2) {
		l.kind = LINE_ISA;
		l.line = t->n == 0 ? 0 : 8;
	} else if (route_cap(t->n) & (1u << route)) {
		l.kind = LINE_GSI;
		l.line = route;
	}
	return l;
}

static void drive(struct vhpet *h, struct hpet_line l, enum irq_level lv)
{
	irq_line_fn fn = l.kind == LINE_ISA ? h->ops->legacy_irq : h->ops->gsi;

	if (l.kind != LINE_NONE && fn)
		fn(h->ctx, l.line, lv);
}

/*
 * Make timer t's level line match its state: asserted while its status
 * bit is set, it is level-triggered and enabled and the counter runs.
 * A route change moves the assertion to the new line.
 */
static void update_line(struct vhpet *h, struct hpet_timer *t)
{
	struct hpet_line want = {LINE_NONE, 0};

	if ((h->isr & (1ull << t->n)) && (t->config & TN_INT_TYPE) &&
	    (t->config & TN_INT_ENB) && counting(h))
		want = timer_line(h, t);
	if (want.kind == t->asserted.kind && want.line == t->asserted.line)
		return;
	drive(h, t->asserted, IRQ_DEASSERT);
	drive(h, want, IRQ_ASSERT);
	t->asserted = want;
}

/* A match: edge timers pulse, level timers set their status bit
 * (§2.3.6, GINTR_STA) and hold the line until the guest clears it. */
static void fire(struct vhpet *h, struct hpet_timer *t)
{
	struct hpet_line l = timer_line(h, t);

	if (!(t->config & TN_INT_ENB) || l.kind == LINE_NONE)
		return;
	if (!(t->config & TN_INT_TYPE)) {
		drive(h, l, IRQ_PULSE);
		return;
	}
	h->isr |= 1ull << t->n;
	update_line(h, t);
}

/* ---- arming -------------------------------------------------------- */

/* Arm t's periodic timer for match "next" (counter running, interrupt
 * enabled). Periods too long for 64-bit ns run as re-armed one-shots. */
static void arm(struct vhpet *h, struct hpet_timer *t, uint64_t now)
{
	uint64_t first, pns = 0;

	settle(t, tick_index(h, now));
	if (!tick_ns(h, t->next, &first))
		return;
	if (periodic(t) && __builtin_mul_overflow(t->period, NS_PER_TICK, &pns))
		pns = 0;
	t->due_ns = first;
	t->pt_period_ns = pns;
	t->armed = true;
	periodic_timer_start(t->pt, first, pns);
}

static void timer_start(struct vhpet *h, struct hpet_timer *t, uint64_t now)
{
	if (counting(h) && (t->config & TN_INT_ENB))
		arm(h, t, now);
	update_line(h, t);
}

/*
 * Stop t's periodic timer. A match that fell due but whose tick has not
 * run yet is delivered now, with the old configuration: stopping a timer
 * must not lose an interrupt (a one-shot would wait for a wrap).
 */
static void timer_stop(struct vhpet *h, struct hpet_timer *t, uint64_t now)
{
	uint64_t due;

	if (!t->armed)
		return;
	periodic_timer_stop(t->pt);
	t->armed = false;
	if (tick_ns(h, t->next, &due) && due <= now) {
		fire(h, t);
		advance_matches(t, 1);
	}
}

static void on_tick(void *opaque, uint64_t now)
{
	struct hpet_timer *t = opaque;
	struct vhpet *h = t->h;

	LOCK(h);
	/* A tick from an earlier programming (vtimer.h) is dropped. */
	if (t->armed && now >= t->due_ns) {
		fire(h, t);
		if (t->pt_period_ns) {
			settle(t, tick_index(h, now) + 1);
		} else {
			t->armed = false;
			advance_matches(t, 1);
			arm(h, t, now);
		}
	}
	UNLOCK(h);
}

static void stop_all(struct vhpet *h, uint64_t now)
{
	for (unsigned i = 0; i < VHPET_TIMERS; i++)
		timer_stop(h, &h->t[i], now);
}

static void start_all(struct vhpet *h, uint64_t now)
{
	for (unsigned i = 0; i < VHPET_TIMERS; i++)
		timer_start(h, &h->t[i], now);
}

/* ---- register writes ----------------------------------------------- */

static uint64_t merge(uint64_t old, uint64_t data, uint64_t mask)
{
	return (old & ~mask) | (data & mask);
}

/* GEN_CONF (§2.3.5): ENABLE_CNF starts/halts the counter, LEG_RT_CNF
 * switches legacy replacement routing. */
static void write_gen_conf(struct vhpet *h, uint64_t data, uint64_t mask,
			   uint64_t now)
{
	uint64_t old = h->config;
	uint64_t new = merge(old, data, mask) & (CNF_ENABLE | CNF_LEG_RT);

	if (new == old)
		return;
	stop_all(h, now);
	for (unsigned i = 0; i < VHPET_TIMERS; i++)
		materialize(h, &h->t[i], now);
	if ((old & CNF_ENABLE) && !(new &CNF_ENABLE))
		h->counter = counter_at(h, now);
	h->config = new;
	if (!(old & CNF_ENABLE) && (new &CNF_ENABLE)) {
		h->base_ns = now;
		for (unsigned i = 0; i < VHPET_TIMERS; i++)
			rematch(h, &h->t[i], now);
	}
	if ((old ^ new) & CNF_LEG_RT && h->ops->legacy)
		h->ops->legacy(h->ctx, new &CNF_LEG_RT);
	start_all(h, now);
}

/* GINTR_STA: writing 1 clears a level timer's status and its line. */
static void write_isr(struct vhpet *h, uint64_t data, uint64_t mask)
{
	h->isr &= ~(data & mask);
	for (unsigned i = 0; i < VHPET_TIMERS; i++)
		update_line(h, &h->t[i]);
}

/* MAIN_CNT (§2.3.7): software writes it only while halted. */
static void write_counter(struct vhpet *h, uint64_t data, uint64_t mask)
{
	if (!counting(h))
		h->counter = merge(h->counter, data, mask);
}

/* New route field: only routes the capability allows take effect. */
static uint64_t filter_route(const struct hpet_timer *t, uint64_t new)
{
	unsigned route = (new &TN_ROUTE_MASK) >> TN_ROUTE_SHIFT;

	if (route_cap(t->n) & (1u << route))
		return new;
	return (new & ~TN_ROUTE_MASK) | (t->config & TN_ROUTE_MASK);
}

/* Timer config: a disabled interrupt or a switch to edge drops the
 * level status (nothing would clear it otherwise). */
static void write_conf(struct vhpet *h, struct hpet_timer *t, uint64_t data,
		       uint64_t mask, uint64_t now)
{
	uint64_t new =
	    filter_route(t, merge(t->config, data, mask) & TN_WRITABLE);
	uint64_t old = t->config;

	if (new == old)
		return;
	timer_stop(h, t, now);
	materialize(h, t, now);
	t->config = new;
	if (!(new &TN_INT_ENB) || !(new &TN_INT_TYPE))
		h->isr &= ~(1ull << t->n);
	if ((old ^ new) & TN_32MODE) {
		t->cmp &= timer_mask(t);
		t->period &= timer_mask(t);
		rematch(h, t, now);
	}
	timer_start(h, t, now);
}

/*
 * Comparator (§2.3.9.2.2): in periodic mode a write sets the period and,
 * with Tn_VAL_SET_CNF, also the comparator (the accumulator); the next
 * match keeps its place otherwise. In one-shot mode it sets the
 * comparator. Tn_VAL_SET_CNF clears itself after the write.
 */
static void write_comparator(struct vhpet *h, struct hpet_timer *t,
			     uint64_t data, uint64_t mask, uint64_t now)
{
	uint64_t m = timer_mask(t);

	timer_stop(h, t, now);
	materialize(h, t, now);
	if (t->config & TN_TYPE) {
		t->period = merge(t->period, data, mask) & m;
		if (t->config & TN_VAL_SET) {
			t->cmp = t->period;
			rematch(h, t, now);
		}
	} else {
		t->cmp = merge(t->cmp, data, mask) & m;
		rematch(h, t, now);
	}
	t->config &= ~TN_VAL_SET;
	timer_start(h, t, now);
}

/* ---- register access ----------------------------------------------- */

static struct hpet_timer *timer_of(struct vhpet *h, uint64_t reg, unsigned *sub)
{
	uint64_t n;

	if (reg < R_TIMER0)
		return NULL;
	n = (reg - R_TIMER0) / TIMER_STRIDE;
	*sub = (reg - R_TIMER0) % TIMER_STRIDE;
	return n < VHPET_TIMERS ? &h->t[n] : NULL;
}

static uint64_t reg_read(struct vhpet *h, uint64_t reg, uint64_t now)
{
	struct hpet_timer *t;
	unsigned sub = 0;

	switch (reg) {
	case R_GCAP_ID:
		return GCAP_VALUE;
	case R_GEN_CONF:
		return h->config;
	case R_GINTR_STA:
		return h->isr;
	case R_MAIN_CNT:
		return counter_at(h, now);
	}
	t = timer_of(h, reg, &sub);
	if (!t)
		return 0; /* reserved */
	if (sub == T_CONF_CAP)
		return conf_cap_read(t);
	if (sub == T_COMPARATOR)
		return comparator_read(h, t, now);
	return 0; /* FSB route: FSB delivery not offered; reserved */
}

static void reg_write(struct vhpet *h, uint64_t reg, uint64_t data,
		      uint64_t mask, uint64_t now)
{
	struct hpet_timer *t;
	unsigned sub = 0;

	switch (reg) {
	case R_GEN_CONF:
		write_gen_conf(h, data, mask, now);
		return;
	case R_GINTR_STA:
		write_isr(h, data, mask);
		return;
	case R_MAIN_CNT:
		write_counter(h, data, mask);
		return;
	}
	t = timer_of(h, reg, &sub);
	if (t && sub == T_CONF_CAP)
		write_conf(h, t, data, mask, now);
	else if (t && sub == T_COMPARATOR)
		write_comparator(h, t, data, mask, now);
}

/* §2.3.2: 32- and 64-bit accesses, naturally aligned. */
static bool access_ok(uint64_t off, unsigned size)
{
	if (off >= VHPET_SIZE)
		return false;
	return (size == 4 || size == 8) && (off & (size - 1)) == 0;
}

int vhpet_mmio(void *opaque, uint64_t addr, unsigned size, bool is_write,
	       uint64_t *val)
{
	struct vhpet *h = opaque;
	uint64_t off = addr - VHPET_BASE, now, mask, shift;

	if (!access_ok(off, size)) {
		if (!is_write)
			*val =
			    size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
		return 0;
	}
	shift = (off & 4) ? 32 : 0;
	mask = size == 8 ? UINT64_MAX : 0xffffffffull << shift;
	LOCK(h);
	now = vtimer_now(h->vt);
	if (is_write)
		reg_write(h, off & ~7ull, *val << shift, mask, now);
	else
		*val = (reg_read(h, off & ~7ull, now) & mask) >> shift;
	UNLOCK(h);
	return 0;
}

/* ---- lifecycle ----------------------------------------------------- */

/* Caller holds the lock: power-on state (§2.3: all zero, comparators
 * all ones, counter halted at 0). Lines driven are released. */
static void reset_locked(struct vhpet *h, uint64_t now)
{
	for (unsigned i = 0; i < VHPET_TIMERS; i++) {
		struct hpet_timer *t = &h->t[i];

		periodic_timer_stop(t->pt);
		t->armed = false;
		drive(h, t->asserted, IRQ_DEASSERT);
		t->asserted.kind = LINE_NONE;
		t->config = 0;
		t->cmp = UINT64_MAX;
		t->period = 0;
		t->next = NEVER;
	}
	if ((h->config & CNF_LEG_RT) && h->ops->legacy)
		h->ops->legacy(h->ctx, false);
	h->config = 0;
	h->isr = 0;
	h->counter = 0;
	h->base_ns = now;
}

struct vhpet *vhpet_create(uint32_t domid, struct vtimer_service *timers,
			   const struct vhpet_ops *ops, void *ctx)
{
	struct vhpet *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	h->domid = domid;
	h->vt = timers;
	h->ops = ops;
	h->ctx = ctx;
	for (unsigned i = 0; i < VHPET_TIMERS; i++) {
		h->t[i].h = h;
		h->t[i].n = i;
		h->t[i].pt = periodic_timer_create(timers, on_tick, &h->t[i]);
		if (!h->t[i].pt) {
			vhpet_destroy(h);
			return NULL;
		}
	}
	vhpet_reset(h);
	return h;
}

void vhpet_destroy(struct vhpet *h)
{
	if (!h)
		return;
	for (unsigned i = 0; i < VHPET_TIMERS; i++)
		periodic_timer_destroy(h->t[i].pt);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

void vhpet_reset(struct vhpet *h)
{
	LOCK(h);
	reset_locked(h, vtimer_now(h->vt));
	UNLOCK(h);
}

/* ---- save / load --------------------------------------------------- */

void vhpet_save(struct vhpet *h, struct vhpet_save *out)
{
	uint64_t now;

	LOCK(h);
	now = vtimer_now(h->vt);
	out->config = h->config;
	out->isr = h->isr;
	out->counter = counting(h) ? h->counter : counter_at(h, now);
	out->base_vclock = counting(h) ? h->base_ns : now;
	for (unsigned i = 0; i < VHPET_TIMERS; i++) {
		out->timer[i].config = conf_cap_read(&h->t[i]);
		out->timer[i].comparator = comparator_read(h, &h->t[i], now);
		out->timer[i].period = h->t[i].period;
	}
	UNLOCK(h);
}

static bool timer_record_ok(unsigned n, const struct vhpet_timer_save *s)
{
	uint64_t caps = ((uint64_t)route_cap(n) << 32) | TN_RO_CAPS;
	uint64_t conf = s->config & ~caps;
	unsigned route = (conf & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT;
	uint64_t m = (conf & TN_32MODE) ? 0xffffffffull : UINT64_MAX;

	if ((s->config & caps) != caps || (conf & ~TN_WRITABLE))
		return false;
	if (route && !(route_cap(n) & (1u << route)))
		return false;
	return (s->comparator & ~m) == 0 && (s->period & ~m) == 0;
}

static bool record_ok(const struct vhpet_save *in)
{
	if (in->config & ~(CNF_ENABLE | CNF_LEG_RT))
		return false;
	if (in->isr & ~((1ull << VHPET_TIMERS) - 1))
		return false;
	for (unsigned i = 0; i < VHPET_TIMERS; i++)
		if (!timer_record_ok(i, &in->timer[i]))
			return false;
	return true;
}

/* Caller holds the lock, state reset: take the record's values. A base
 * in this domain's future (another host's clock) restarts from now. */
static void load_locked(struct vhpet *h, const struct vhpet_save *in,
			uint64_t now)
{
	h->isr = in->isr;
	h->counter = in->counter;
	h->base_ns = in->base_vclock <= now ? in->base_vclock : now;
	h->config = in->config;
	if ((h->config & CNF_LEG_RT) && h->ops->legacy)
		h->ops->legacy(h->ctx, true);
	for (unsigned i = 0; i < VHPET_TIMERS; i++) {
		struct hpet_timer *t = &h->t[i];

		t->config = in->timer[i].config & TN_WRITABLE;
		t->cmp = in->timer[i].comparator;
		t->period = in->timer[i].period;
		t->next = NEVER;
		if (counting(h))
			rematch(h, t, now);
		if (!(t->config & TN_INT_TYPE))
			h->isr &= ~(1ull << i);
	}
	start_all(h, now);
}

int vhpet_load(struct vhpet *h, const struct vhpet_save *in)
{
	uint64_t now;

	if (!record_ok(in))
		return -EINVAL;
	LOCK(h);
	now = vtimer_now(h->vt);
	reset_locked(h, now);
	load_locked(h, in, now);
	UNLOCK(h);
	return 0;
}
