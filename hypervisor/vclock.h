/*
 * A domain's virtual clock: nanoseconds since the domain was created,
 * read by every in-core timer (PIT, RTC, HPET, PM timer, LAPIC timers).
 * It stops while the domain is paused. On unpause, whether the guest's
 * time then catches up with real time depends on the domain's
 * timer_mode (see periodic_timer.h and DESIGN.md "Interrupts and time").
 *
 * A manual clock (for unit tests) moves only when told to.
 * Thread-safe: an internal lock guards every field.
 */
#ifndef KXEN_VCLOCK_H
#define KXEN_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct vclock;

struct vclock *vclock_create(void);
struct vclock *vclock_create_manual(void);
void vclock_destroy(struct vclock *c);

uint64_t vclock_now(struct vclock *c);

/* Freeze; nested pauses count. */
void vclock_pause(struct vclock *c);
/* Unfreeze; with catch_up the paused interval is added back, so guest
 * time tracks real time as if it had never stopped. */
void vclock_resume(struct vclock *c, bool catch_up);

/* Manual clocks only: real time moves forward by ns (guest time too,
 * unless paused). */
void vclock_advance(struct vclock *c, uint64_t ns);

#endif
