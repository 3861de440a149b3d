/*
 * The LAPIC timer (Intel SDM vol. 3 §10.5.4): a 32-bit down-counter fed
 * by the bus clock (VLAPIC_BUS_HZ) through the divide configuration
 * register, one-shot or periodic per LVT timer bit 17. TSC-deadline mode
 * (bit 18) is not offered: CPUID does not advertise it and the bit is
 * reserved here.
 *
 * Lazy time (STYLE.md practice 6): the current count is computed from
 * the virtual clock on read; the periodic timer only produces the
 * interrupt edges, through the shared periodic-timer module so that the
 * domain's timer_mode applies. State: the count reaches zero at
 * timer_deadline and, in periodic mode, every timer_period ns after.
 *
 * Races: a tick computed before a reprogramming can be delivered after
 * it (periodic_timer.h, vtimer.h). The callback re-checks under the irq
 * lock that a zero crossing of the *current* programming is due; every
 * reprogramming puts the next zero crossing strictly after the write.
 */
#include "dev/vlapic_regs.h"

#include <errno.h>

/* Figure 10-10: bits 0, 1 and 3 select divide by 2, 4, ..., 128, 1. */
#define TDCR_MASK 0xbu
/* LVT timer bits a guest may write: vector, mask, periodic. */
#define LVT_TIMER_WMASK (LVT_VECTOR | LVT_MASKED | LVT_TIMER_PERIODIC)

unsigned vlapic_timer_divisor(uint32_t tdcr)
{
	unsigned code = (tdcr & 3) | ((tdcr & 8) >> 1);

	return code == 7 ? 1 : 2u << code;
}

static unsigned divisor(const struct vlapic *l)
{
	return vlapic_timer_divisor(l->regs[APIC_TDCR]);
}

static bool periodic(const struct vlapic *l)
{
	return (l->regs[APIC_LVT_TIMER] & LVT_TIMER_PERIODIC) != 0;
}

static uint64_t now_ns(struct vlapic *l)
{
	return vtimer_now(l->timers);
}

/*
 * Nanoseconds from now to the next zero crossing; 0 when a one-shot
 * count has already reached zero.
 */
static uint64_t remaining_ns(const struct vlapic *l, uint64_t now)
{
	if (!l->timer_running)
		return 0;
	if (now < l->timer_deadline)
		return l->timer_deadline - now;
	if (l->timer_period == 0)
		return 0;
	return l->timer_period - (now - l->timer_deadline) % l->timer_period;
}

/* (Re)arm for a zero crossing at deadline, then every period ns. */
static void arm(struct vlapic *l, uint64_t deadline, uint64_t period)
{
	l->timer_running = true;
	l->timer_deadline = deadline;
	l->timer_period = period;
	periodic_timer_start(l->pt, deadline, period);
}

void vlapic_timer_stop(struct vlapic *l)
{
	l->timer_running = false;
	l->timer_deadline = 0;
	l->timer_period = 0;
	if (l->pt)
		periodic_timer_stop(l->pt);
}

/*
 * Current count (§10.5.4): counts down one per divisor bus clocks. A
 * count stays at its value for a whole bus period (round up); periodic
 * mode reloads the initial count at zero, one-shot stays at zero.
 */
uint32_t vlapic_timer_ccr(struct vlapic *l)
{
	uint64_t rem = remaining_ns(l, now_ns(l));
	uint64_t div = divisor(l);
	uint64_t ccr = (rem + div - 1) / div;

	if (ccr > l->regs[APIC_TMICT])
		ccr = l->regs[APIC_TMICT];
	return (uint32_t)ccr;
}

/* §10.5.4: a write to the initial count (re)starts the count; 0 stops
 * the timer. */
void vlapic_timer_write_icr(struct vlapic *l, uint32_t val)
{
	uint64_t span = (uint64_t)val * divisor(l);

	l->regs[APIC_TMICT] = val;
	if (val == 0) {
		vlapic_timer_stop(l);
		return;
	}
	arm(l, now_ns(l) + span, periodic(l) ? span : 0);
}

/*
 * A new divisor while counting: the counts left keep their number and
 * run at the new rate from now (re-base), so the current count does not
 * jump. A one-shot count already at zero is left alone (its tick may
 * still be queued).
 */
void vlapic_timer_write_dcr(struct vlapic *l, uint32_t val)
{
	uint64_t now = now_ns(l);
	uint64_t rem = remaining_ns(l, now);
	unsigned old_div = divisor(l);
	unsigned new_div;

	l->regs[APIC_TDCR] = val & TDCR_MASK;
	new_div = divisor(l);
	if (!l->timer_running || rem == 0 || old_div == new_div)
		return;
	rem = rem * new_div / old_div;
	if (rem == 0)
		rem = 1;
	arm(l, now + rem,
	    l->timer_period ? (uint64_t)l->regs[APIC_TMICT] * new_div : 0);
}

/*
 * LVT timer write. When the mode flips while counting, the count in
 * progress finishes at the same time and the new mode applies from its
 * zero crossing on (the hardware checks the mode at zero).
 */
void vlapic_timer_write_lvt(struct vlapic *l, uint32_t val)
{
	uint32_t old = l->regs[APIC_LVT_TIMER];
	uint64_t now = now_ns(l);
	uint64_t rem = remaining_ns(l, now);

	l->regs[APIC_LVT_TIMER] = val & LVT_TIMER_WMASK;
	if (!((old ^ val) & LVT_TIMER_PERIODIC) || !l->timer_running ||
	    rem == 0)
		return;
	arm(l, now + rem,
	    periodic(l) ? (uint64_t)l->regs[APIC_TMICT] * divisor(l) : 0);
}

/* Under the irq lock: is a zero crossing of the current programming
 * due at now? A one-shot count is spent by it. */
static bool tick_is_current(struct vlapic *l, uint64_t now)
{
	if (!l->timer_running || now < l->timer_deadline)
		return false;
	if (l->timer_period == 0)
		l->timer_running = false;
	return true;
}

static void on_tick(void *opaque, uint64_t now)
{
	struct vlapic *l = opaque;
	uint32_t lvt;

	pthread_mutex_lock(l->irq_lock);
	if (tick_is_current(l, now)) {
		lvt = l->regs[APIC_LVT_TIMER];
		if (!(lvt & LVT_MASKED)) {
			vlapic_accept_local(l, (uint8_t)(lvt & LVT_VECTOR),
					    false);
			vlapic_kick(l);
		}
	}
	pthread_mutex_unlock(l->irq_lock);
}

int vlapic_timer_create(struct vlapic *l)
{
	l->pt = periodic_timer_create(l->timers, on_tick, l);
	return l->pt ? 0 : -ENOMEM;
}

void vlapic_timer_destroy(struct vlapic *l)
{
	periodic_timer_destroy(l->pt);
	l->pt = NULL;
}

void vlapic_timer_save(struct vlapic *l, uint64_t *deadline, uint64_t *period)
{
	uint64_t now = now_ns(l);
	uint64_t rem = remaining_ns(l, now);

	*deadline = l->timer_running ? now + rem : 0;
	if (l->timer_running && rem == 0) /* one-shot tick still due */
		*deadline = l->timer_deadline;
	*period = l->timer_running ? l->timer_period : 0;
}

/*
 * A record's timer must agree with its registers: running only with a
 * non-zero initial count, period = count x divisor in periodic mode and
 * 0 in one-shot mode, reserved TDCR / LVT timer bits clear.
 */
int vlapic_timer_check(const struct vlapic_save *s)
{
	uint32_t lvt = s->regs[APIC_LVT_TIMER];
	uint64_t span = (uint64_t)s->regs[APIC_TMICT] *
			vlapic_timer_divisor(s->regs[APIC_TDCR]);

	if ((s->regs[APIC_TDCR] & ~TDCR_MASK) || (lvt & ~LVT_TIMER_WMASK))
		return -EINVAL;
	if (s->timer_deadline == 0)
		return s->timer_period == 0 ? 0 : -EINVAL;
	if (s->regs[APIC_TMICT] == 0)
		return -EINVAL;
	if (s->timer_period != ((lvt & LVT_TIMER_PERIODIC) ? span : 0))
		return -EINVAL;
	return 0;
}

/* After vlapic_timer_check; registers already loaded. A deadline in the
 * past fires at once (periodic: per timer_mode). */
void vlapic_timer_load(struct vlapic *l, uint64_t deadline, uint64_t period)
{
	if (deadline == 0) {
		vlapic_timer_stop(l);
		return;
	}
	arm(l, deadline, period);
}
