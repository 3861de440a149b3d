/*
 * Timer thread and timer list of one domain (see vtimer.h). The list is
 * short (a handful of devices), so it is a plain array scanned for the
 * earliest deadline.
 */
#include "vtimer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define NO_DEADLINE UINT64_MAX

struct vtimer {
	struct vtimer_service *s;
	vtimer_fn fn;
	void *opaque;
	uint64_t deadline; /* NO_DEADLINE when disarmed; guarded by s->lock */
	bool running;	   /* callback in progress; guarded by s->lock */
};

struct vtimer_service {
	struct vclock *clock;
	uint32_t domid;
	bool manual;
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t cond;  /* list or pause state changed */
	pthread_cond_t idle;  /* a callback finished */
	struct vtimer **timers;
	unsigned nr, cap;
	enum timer_mode mode;
	bool paused;
	bool stop;
	pthread_t thread;
	bool thread_started;
};

static void *timer_thread(void *arg);

struct vtimer_service *vtimer_service_create(struct vclock *clock,
					     uint32_t domid, bool manual)
{
	struct vtimer_service *s = calloc(1, sizeof(*s));
	pthread_condattr_t attr;

	if (!s)
		return NULL;
	s->clock = clock;
	s->domid = domid;
	s->manual = manual;
	pthread_mutex_init(&s->lock, NULL);
	/* Deadlines are host-monotonic based: wait on CLOCK_MONOTONIC. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&s->idle, NULL);
	if (!manual) {
		if (pthread_create(&s->thread, NULL, timer_thread, s)) {
			vtimer_service_destroy(s);
			return NULL;
		}
		s->thread_started = true;
	}
	return s;
}

void vtimer_service_destroy(struct vtimer_service *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (s->thread_started)
		pthread_join(s->thread, NULL);
	free(s->timers);
	pthread_cond_destroy(&s->cond);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

uint64_t vtimer_now(struct vtimer_service *s)
{
	return vclock_now(s->clock);
}

struct vclock *vtimer_clock(struct vtimer_service *s)
{
	return s->clock;
}

uint32_t vtimer_domid(struct vtimer_service *s)
{
	return s->domid;
}

void vtimer_set_mode(struct vtimer_service *s, enum timer_mode mode)
{
	pthread_mutex_lock(&s->lock);
	s->mode = mode;
	pthread_mutex_unlock(&s->lock);
}

enum timer_mode vtimer_mode(struct vtimer_service *s)
{
	enum timer_mode m;

	pthread_mutex_lock(&s->lock);
	m = s->mode;
	pthread_mutex_unlock(&s->lock);
	return m;
}

void vtimer_service_pause(struct vtimer_service *s)
{
	pthread_mutex_lock(&s->lock);
	s->paused = true;
	pthread_mutex_unlock(&s->lock);
}

void vtimer_service_resume(struct vtimer_service *s)
{
	pthread_mutex_lock(&s->lock);
	s->paused = false;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

struct vtimer *vtimer_create(struct vtimer_service *s, vtimer_fn fn,
			     void *opaque)
{
	struct vtimer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->s = s;
	t->fn = fn;
	t->opaque = opaque;
	t->deadline = NO_DEADLINE;
	pthread_mutex_lock(&s->lock);
	if (s->nr == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 8;
		struct vtimer **n = realloc(s->timers, cap * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&s->lock);
			free(t);
			return NULL;
		}
		s->timers = n;
		s->cap = cap;
	}
	s->timers[s->nr++] = t;
	pthread_mutex_unlock(&s->lock);
	return t;
}

void vtimer_destroy(struct vtimer *t)
{
	struct vtimer_service *s;
	unsigned i;

	if (!t)
		return;
	s = t->s;
	pthread_mutex_lock(&s->lock);
	t->deadline = NO_DEADLINE;
	/* Never free a timer under its own running callback. */
	while (t->running &&
	       !(s->thread_started && pthread_equal(pthread_self(), s->thread)))
		pthread_cond_wait(&s->idle, &s->lock);
	for (i = 0; i < s->nr; i++)
		if (s->timers[i] == t) {
			s->timers[i] = s->timers[--s->nr];
			break;
		}
	pthread_mutex_unlock(&s->lock);
	free(t);
}

void vtimer_arm(struct vtimer *t, uint64_t deadline)
{
	struct vtimer_service *s = t->s;

	if (deadline == NO_DEADLINE)
		deadline--;
	pthread_mutex_lock(&s->lock);
	t->deadline = deadline;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void vtimer_disarm(struct vtimer *t)
{
	pthread_mutex_lock(&t->s->lock);
	t->deadline = NO_DEADLINE;
	pthread_mutex_unlock(&t->s->lock);
}

bool vtimer_armed(struct vtimer *t)
{
	bool armed;

	pthread_mutex_lock(&t->s->lock);
	armed = t->deadline != NO_DEADLINE;
	pthread_mutex_unlock(&t->s->lock);
	return armed;
}

/* Caller holds the lock: the timer with the earliest deadline, or NULL. */
static struct vtimer *earliest(struct vtimer_service *s)
{
	struct vtimer *best = NULL;
	unsigned i;

	for (i = 0; i < s->nr; i++)
		if (s->timers[i]->deadline != NO_DEADLINE &&
		    (!best || s->timers[i]->deadline < best->deadline))
			best = s->timers[i];
	return best;
}

/* Caller holds the lock; drops it around the callback. */
static void fire(struct vtimer_service *s, struct vtimer *t, uint64_t now)
{
	t->deadline = NO_DEADLINE;
	t->running = true;
	pthread_mutex_unlock(&s->lock);
	t->fn(t->opaque, now);
	pthread_mutex_lock(&s->lock);
	t->running = false;
	pthread_cond_broadcast(&s->idle);
}

static void wait_until(struct vtimer_service *s, uint64_t delta_ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (delta_ns > 10ull * 1000000000ull)
		delta_ns = 10ull * 1000000000ull;
	ts.tv_sec += delta_ns / 1000000000ull;
	ts.tv_nsec += delta_ns % 1000000000ull;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&s->cond, &s->lock, &ts);
}

static void *timer_thread(void *arg)
{
	struct vtimer_service *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct vtimer *t = s->paused ? NULL : earliest(s);
		uint64_t now;

		if (!t) {
			pthread_cond_wait(&s->cond, &s->lock);
			continue;
		}
		now = vclock_now(s->clock);
		if (t->deadline <= now)
			fire(s, t, now);
		else
			wait_until(s, t->deadline - now);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

void vtimer_service_advance(struct vtimer_service *s, uint64_t ns)
{
	uint64_t target = vclock_now(s->clock) + ns, left = ns;

	/* Real time moves by exactly ns in all; guest time with it unless
	 * the clock is paused, in which case nothing can fall due. */
	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct vtimer *t = earliest(s);
		uint64_t now = vclock_now(s->clock);

		if (!t || t->deadline > target)
			break;
		if (t->deadline > now) {
			uint64_t step = t->deadline - now;

			vclock_advance(s->clock, step);
			left -= step;
			now = vclock_now(s->clock);
			if (now < t->deadline)
				break; /* paused */
		}
		fire(s, t, now);
	}
	vclock_advance(s->clock, left);
	pthread_mutex_unlock(&s->lock);
}
