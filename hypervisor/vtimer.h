/*
 * One-shot timers on a domain's virtual clock (vclock.h), fired from one
 * timer thread per domain. Devices compute their counters lazily from
 * the clock and use timers only for interrupt edges (STYLE.md, "lazy
 * time"); periodic behaviour lives in periodic_timer.h.
 *
 * Locking: the service lock is a leaf (lock order: device locks, irq
 * lock, then this). Callbacks run in the timer thread with no service
 * lock held, so they may take their device's lock and re-arm. A callback
 * may still run once after vtimer_disarm() returns if it was already
 * due: devices re-check their state under their own lock.
 *
 * A service on a manual clock has no thread: tests call
 * vtimer_service_advance() to move time and fire what falls due, in
 * deadline order, each with the clock set to its deadline.
 */
#ifndef KXEN_VTIMER_H
#define KXEN_VTIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "vclock.h"

/* Xen's HVM_PARAM_TIMER_MODE values (public/hvm/params.h). */
enum timer_mode {
	TIMER_MODE_DELAY_FOR_MISSED_TICKS = 0,
	TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS = 1,
	TIMER_MODE_NO_MISSED_TICKS_PENDING = 2,
	TIMER_MODE_ONE_MISSED_TICK_PENDING = 3,
};

struct vtimer_service;
struct vtimer;

/* now: the virtual time at which the callback runs (>= the deadline). */
typedef void (*vtimer_fn)(void *opaque, uint64_t now);

/* The service uses (does not own) clock. manual: no thread. */
struct vtimer_service *vtimer_service_create(struct vclock *clock,
					     uint32_t domid, bool manual);
/* All timers must have been destroyed. Joins the thread. */
void vtimer_service_destroy(struct vtimer_service *s);

uint64_t vtimer_now(struct vtimer_service *s);
struct vclock *vtimer_clock(struct vtimer_service *s);
uint32_t vtimer_domid(struct vtimer_service *s);

void vtimer_set_mode(struct vtimer_service *s, enum timer_mode mode);
enum timer_mode vtimer_mode(struct vtimer_service *s);

/* Stop firing while the domain is paused; resume after. */
void vtimer_service_pause(struct vtimer_service *s);
void vtimer_service_resume(struct vtimer_service *s);

struct vtimer *vtimer_create(struct vtimer_service *s, vtimer_fn fn,
			     void *opaque);
/* Disarms; the callback will not run after this returns. */
void vtimer_destroy(struct vtimer *t);

/* Fire once at virtual time deadline (now if in the past). */
void vtimer_arm(struct vtimer *t, uint64_t deadline);
void vtimer_disarm(struct vtimer *t);
bool vtimer_armed(struct vtimer *t);

/* Manual services: advance the clock by ns, firing due timers. */
void vtimer_service_advance(struct vtimer_service *s, uint64_t ns);

#endif
