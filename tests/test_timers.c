/*
 * Suite "timers": the core's time and dispatch plumbing on the host —
 * the virtual clock (pause, catch-up), the timer service's ordering,
 * periodic timers under each of Xen's four timer_mode policies, and the
 * exit dispatch table (overlaps refused, lookup, unclaimed accesses).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "io_dispatch.h"
#include "periodic_timer.h"
#include "vclock.h"
#include "vtimer.h"

#define MS 1000000ull

struct fixture {
	struct vclock *clock;
	struct vtimer_service *timers;
};

static void fixture_init(struct fixture *f)
{
	f->clock = vclock_create_manual();
	f->timers = vtimer_service_create(f->clock, 1, true);
}

static void fixture_fini(struct fixture *f)
{
	vtimer_service_destroy(f->timers);
	vclock_destroy(f->clock);
}

static void test_clock_pause_and_catch_up(void)
{
	struct vclock *c = vclock_create_manual();

	vclock_advance(c, 5 * MS);
	CU_ASSERT_EQUAL(vclock_now(c), 5 * MS);
	vclock_pause(c);
	vclock_advance(c, 7 * MS);
	CU_ASSERT_EQUAL(vclock_now(c), 5 * MS); /* stopped while paused */
	vclock_resume(c, false);
	CU_ASSERT_EQUAL(vclock_now(c), 5 * MS); /* delayed: no jump */
	vclock_advance(c, 1 * MS);
	CU_ASSERT_EQUAL(vclock_now(c), 6 * MS);
	vclock_pause(c);
	vclock_pause(c); /* nested */
	vclock_advance(c, 4 * MS);
	vclock_resume(c, true);
	CU_ASSERT_EQUAL(vclock_now(c), 6 * MS); /* still paused once */
	vclock_resume(c, true);
	CU_ASSERT_EQUAL(vclock_now(c), 10 * MS); /* caught up */
	vclock_destroy(c);
}

static void test_real_clock_advances_and_stops(void)
{
	struct vclock *c = vclock_create();
	uint64_t a, b;

	a = vclock_now(c);
	vclock_pause(c);
	b = vclock_now(c);
	CU_ASSERT(b >= a);
	CU_ASSERT_EQUAL(vclock_now(c), b);
	vclock_resume(c, false);
	CU_ASSERT(vclock_now(c) >= b);
	vclock_destroy(c);
}

struct fire_log {
	unsigned n;
	uint64_t at[64];
	int tag[64];
};

struct tagged {
	struct fire_log *log;
	int tag;
};

static void log_fire(void *opaque, uint64_t now)
{
	struct tagged *t = opaque;

	if (t->log->n < 64) {
		t->log->at[t->log->n] = now;
		t->log->tag[t->log->n++] = t->tag;
	}
}

static void test_timers_fire_in_deadline_order(void)
{
	struct fixture f;
	struct fire_log log = {0};
	struct tagged a = {&log, 1}, b = {&log, 2}, c = {&log, 3};
	struct vtimer *ta, *tb, *tc;

	fixture_init(&f);
	ta = vtimer_create(f.timers, log_fire, &a);
	tb = vtimer_create(f.timers, log_fire, &b);
	tc = vtimer_create(f.timers, log_fire, &c);
	vtimer_arm(ta, 30 * MS);
	vtimer_arm(tb, 10 * MS);
	vtimer_arm(tc, 20 * MS);
	vtimer_disarm(tc);
	CU_ASSERT(vtimer_armed(ta));
	CU_ASSERT(!vtimer_armed(tc));
	vtimer_service_advance(f.timers, 25 * MS);
	CU_ASSERT_EQUAL(log.n, 1);
	CU_ASSERT_EQUAL(log.tag[0], 2);
	CU_ASSERT_EQUAL(log.at[0], 10 * MS); /* fired at its deadline */
	vtimer_service_advance(f.timers, 10 * MS);
	CU_ASSERT_EQUAL(log.n, 2);
	CU_ASSERT_EQUAL(log.tag[1], 1);
	CU_ASSERT_EQUAL(log.at[1], 30 * MS);
	CU_ASSERT_EQUAL(vtimer_now(f.timers), 35 * MS);
	vtimer_destroy(ta);
	vtimer_destroy(tb);
	vtimer_destroy(tc);
	fixture_fini(&f);
}

static void count_tick(void *opaque, uint64_t now)
{
	(void)now;
	(*(unsigned *)opaque)++;
}

/*
 * A 1 ms periodic timer; the domain pauses for 10 ms after 5 ticks.
 * Returns the ticks seen by 5 ms of running time after the pause (guest
 * time 10 ms, or 20 ms where it caught up).
 */
static unsigned ticks_across_pause(enum timer_mode mode)
{
	struct fixture f;
	struct periodic_timer *p;
	unsigned ticks = 0;
	bool catch_up = mode != TIMER_MODE_DELAY_FOR_MISSED_TICKS;

	fixture_init(&f);
	vtimer_set_mode(f.timers, mode);
	p = periodic_timer_create(f.timers, count_tick, &ticks);
	periodic_timer_start(p, 1 * MS, 1 * MS);
	vtimer_service_advance(f.timers, 5 * MS);
	CU_ASSERT_EQUAL(ticks, 5);
	/* What domain_pause/unpause do to a domain's time. */
	vclock_pause(f.clock);
	vclock_advance(f.clock, 10 * MS);
	vclock_resume(f.clock, catch_up);
	vtimer_service_advance(f.timers, 5 * MS);
	periodic_timer_destroy(p);
	fixture_fini(&f);
	return ticks;
}

static void test_periodic_timer_modes_across_pause(void)
{
	/* Guest time stopped: nothing was missed, 5 + 5 ticks. */
	CU_ASSERT_EQUAL(ticks_across_pause(TIMER_MODE_DELAY_FOR_MISSED_TICKS),
			10);
	/* Time caught up and all 10 missed ticks are delivered. */
	CU_ASSERT_EQUAL(
	    ticks_across_pause(TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS), 20);
	/* Time caught up, missed ticks dropped: the ticks at 16..20 ms. */
	CU_ASSERT_EQUAL(ticks_across_pause(TIMER_MODE_NO_MISSED_TICKS_PENDING),
			5 + 5);
	/* As above plus one late tick for the whole pause. */
	CU_ASSERT_EQUAL(ticks_across_pause(TIMER_MODE_ONE_MISSED_TICK_PENDING),
			5 + 1 + 5);
}

static void test_periodic_timer_keeps_phase_and_stops(void)
{
	struct fixture f;
	struct periodic_timer *p;
	unsigned ticks = 0;

	fixture_init(&f);
	p = periodic_timer_create(f.timers, count_tick, &ticks);
	periodic_timer_start(p, 3 * MS, 2 * MS); /* 3, 5, 7, 9 ... */
	vtimer_service_advance(f.timers, 10 * MS);
	CU_ASSERT_EQUAL(ticks, 4);
	CU_ASSERT_EQUAL(periodic_timer_ticks(p), 4);
	periodic_timer_stop(p);
	vtimer_service_advance(f.timers, 10 * MS);
	CU_ASSERT_EQUAL(ticks, 4);
	/* One-shot. */
	periodic_timer_start(p, vtimer_now(f.timers) + 1 * MS, 0);
	vtimer_service_advance(f.timers, 10 * MS);
	CU_ASSERT_EQUAL(ticks, 5);
	CU_ASSERT_EQUAL(periodic_timer_pending(p), 0);
	periodic_timer_destroy(p);
	fixture_fini(&f);
}

static int echo_handler(void *opaque, uint64_t addr, unsigned size,
			bool is_write, uint64_t *val)
{
	uint64_t *last = opaque;

	(void)size;
	if (is_write)
		*last = *val;
	else
		*val = addr;
	return 0;
}

static void test_dispatch_table(void)
{
	struct io_table *t = io_table_create();
	uint64_t last = 0, val = 0;
	struct io_stats st;
	struct io_range_stat rs[4];

	CU_ASSERT_EQUAL(io_table_register(t, IO_SPACE_PORT, 0x40, 4, "a",
					  echo_handler, &last),
			0);
	CU_ASSERT_EQUAL(io_table_register(t, IO_SPACE_PORT, 0x43, 2, "b",
					  echo_handler, &last),
			-EEXIST);
	CU_ASSERT_EQUAL(io_table_register(t, IO_SPACE_PORT, 0x3f, 1, "c",
					  echo_handler, &last),
			0);
	CU_ASSERT_EQUAL(io_table_register(t, IO_SPACE_PORT, 0xffff, 2, "d",
					  echo_handler, &last),
			-EINVAL);
	CU_ASSERT_EQUAL(io_table_register(t, IO_SPACE_MMIO, ~0ull, 2, "e",
					  echo_handler, &last),
			-EINVAL);
	CU_ASSERT_EQUAL(io_table_access(t, IO_SPACE_PORT, 0x42, 1, false, &val),
			0);
	CU_ASSERT_EQUAL(val, 0x42);
	val = 7;
	io_table_access(t, IO_SPACE_PORT, 0x3f, 1, true, &val);
	CU_ASSERT_EQUAL(last, 7);
	/* Unclaimed: the caller learns it, then the empty-bus answer is
	 * all ones for the access width. */
	CU_ASSERT_EQUAL(io_table_access(t, IO_SPACE_PORT, 0x80, 2, false, &val),
			-ENOENT);
	io_table_unclaimed(t, IO_SPACE_PORT, 0x80, 2, false, &val, 1);
	CU_ASSERT_EQUAL(val, 0xffff);
	io_table_unclaimed(t, IO_SPACE_MMIO, 0x1000, 8, false, &val, 1);
	CU_ASSERT_EQUAL(val, ~0ull);
	io_table_stats(t, IO_SPACE_PORT, &st);
	CU_ASSERT_EQUAL(st.handled, 2);
	CU_ASSERT_EQUAL(st.unclaimed, 1);
	CU_ASSERT_EQUAL(io_table_range_stats(t, rs, 4), 2);
	CU_ASSERT_STRING_EQUAL(rs[0].name, "c");
	CU_ASSERT_EQUAL(rs[1].exits, 1);
	io_table_destroy(t);
}

int kxen_suite_timers(void)
{
	CU_pSuite s = CU_add_suite("timers", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "clock pause and catch-up",
			 test_clock_pause_and_catch_up) ||
	    !CU_add_test(s, "real clock advances, stops when paused",
			 test_real_clock_advances_and_stops) ||
	    !CU_add_test(s, "timers fire in deadline order",
			 test_timers_fire_in_deadline_order) ||
	    !CU_add_test(s, "timer_mode policies across a pause",
			 test_periodic_timer_modes_across_pause) ||
	    !CU_add_test(s, "periodic timer keeps phase, stops, one-shot",
			 test_periodic_timer_keeps_phase_and_stops) ||
	    !CU_add_test(s, "dispatch table", test_dispatch_table))
		return -1;
	return 0;
}
