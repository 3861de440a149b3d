/*
 * Periodic (and one-shot) interrupt timers shared by the PIT, RTC, HPET
 * and LAPIC timer, with Xen's missed-tick policies (timer_mode, from the
 * domain's vtimer service). A tick is "missed" when it falls due while it
 * cannot be delivered on time: the domain was paused (in the modes where
 * guest time catches up with real time, see DESIGN.md) or the timer
 * thread ran late. On each due tick the timer counts the periods that
 * elapsed, n >= 1, and queues ticks per the policy:
 *
 *   delay_for_missed_ticks     n ticks (guest time itself was delayed
 *                              while paused, so a pause misses none)
 *   no_delay_for_missed_ticks  n ticks
 *   no_missed_ticks_pending    1 tick if on time, none if late: the next
 *                              tick comes at the next period boundary
 *   one_missed_tick_pending    1 tick however late
 *
 * Queued ticks are delivered one per callback, back-to-back ticks spaced
 * by a catch-up gap (a quarter period, at least 100 us) so that a guest
 * can take each one as a separate interrupt. Ticks stay on the period's
 * phase: after a late tick the next deadline is the next boundary.
 *
 * The tick callback runs in the timer thread with the periodic timer's
 * lock not held; the device takes its own lock in it.
 */
#ifndef KXEN_PERIODIC_TIMER_H
#define KXEN_PERIODIC_TIMER_H

#include <stdint.h>

#include "vtimer.h"

struct periodic_timer;

/* now: virtual time of delivery. */
typedef void (*periodic_tick_fn)(void *opaque, uint64_t now);

struct periodic_timer *periodic_timer_create(struct vtimer_service *s,
					     periodic_tick_fn fn, void *opaque);
void periodic_timer_destroy(struct periodic_timer *p);

/*
 * Start: first tick at virtual time first, then every period ns
 * (period 0: one-shot). Replaces any previous programming and drops
 * queued ticks.
 */
void periodic_timer_start(struct periodic_timer *p, uint64_t first,
			  uint64_t period);
void periodic_timer_stop(struct periodic_timer *p);

/* Ticks delivered since creation (for counters and tests). */
uint64_t periodic_timer_ticks(struct periodic_timer *p);
/* Ticks queued but not yet delivered. */
uint64_t periodic_timer_pending(struct periodic_timer *p);

#endif
