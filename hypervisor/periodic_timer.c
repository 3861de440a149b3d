/*
 * Periodic timers with Xen's missed-tick policies (see
 * periodic_timer.h; Xen's public/hvm/params.h documents the modes).
 */
#include "periodic_timer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#define MIN_CATCHUP_GAP_NS 100000ull

struct periodic_timer {
	struct vtimer_service *s;
	struct vtimer *timer;
	periodic_tick_fn fn;
	void *opaque;
	pthread_mutex_t lock; /* guards the fields below */
	uint64_t next;	      /* next period boundary (virtual ns) */
	uint64_t period;      /* 0: one-shot */
	uint64_t pending;     /* queued ticks */
	uint64_t delivered;
	bool active;
};

static void on_timer(void *opaque, uint64_t now);

struct periodic_timer *periodic_timer_create(struct vtimer_service *s,
					     periodic_tick_fn fn, void *opaque)
{
	struct periodic_timer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->s = s;
	p->fn = fn;
	p->opaque = opaque;
	pthread_mutex_init(&p->lock, NULL);
	p->timer = vtimer_create(s, on_timer, p);
	if (!p->timer) {
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

void periodic_timer_destroy(struct periodic_timer *p)
{
	if (!p)
		return;
	vtimer_destroy(p->timer);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void periodic_timer_start(struct periodic_timer *p, uint64_t first,
			  uint64_t period)
{
	pthread_mutex_lock(&p->lock);
	p->next = first;
	p->period = period;
	p->pending = 0;
	p->active = true;
	vtimer_arm(p->timer, first);
	pthread_mutex_unlock(&p->lock);
}

void periodic_timer_stop(struct periodic_timer *p)
{
	pthread_mutex_lock(&p->lock);
	p->active = false;
	p->pending = 0;
	vtimer_disarm(p->timer);
	pthread_mutex_unlock(&p->lock);
}

/* Caller holds p->lock: queue the ticks due at now per the mode. */
static void account_due(struct periodic_timer *p, uint64_t now)
{
	uint64_t n;

	if (!p->active || now < p->next)
		return;
	if (p->period == 0) {
		p->pending++;
		p->active = false;
		return;
	}
	n = 1 + (now - p->next) / p->period;
	p->next += n * p->period;
	switch (vtimer_mode(p->s)) {
	case TIMER_MODE_DELAY_FOR_MISSED_TICKS:
	case TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS:
		p->pending += n;
		break;
	case TIMER_MODE_NO_MISSED_TICKS_PENDING:
		if (n == 1)
			p->pending = 1;
		break;
	case TIMER_MODE_ONE_MISSED_TICK_PENDING:
		p->pending = 1;
		break;
	}
}

static uint64_t catchup_gap(const struct periodic_timer *p)
{
	uint64_t gap = p->period / 4;

	return gap < MIN_CATCHUP_GAP_NS ? MIN_CATCHUP_GAP_NS : gap;
}

/* Caller holds p->lock: arm for the next delivery or boundary. */
static void rearm(struct periodic_timer *p, uint64_t now)
{
	uint64_t when = p->active ? p->next : UINT64_MAX;

	if (p->pending && now + catchup_gap(p) < when)
		when = now + catchup_gap(p);
	if (when != UINT64_MAX)
		vtimer_arm(p->timer, when);
}

static void on_timer(void *opaque, uint64_t now)
{
	struct periodic_timer *p = opaque;
	bool deliver;

	pthread_mutex_lock(&p->lock);
	account_due(p, now);
	deliver = p->pending > 0;
	if (deliver) {
		p->pending--;
		p->delivered++;
	}
	rearm(p, now);
	pthread_mutex_unlock(&p->lock);
	/* The device re-checks its own state under its lock: a tick
	 * racing with a reprogramming is the device's to drop. */
	if (!deliver)
		return;
	p->fn(p->opaque, now);
}

uint64_t periodic_timer_ticks(struct periodic_timer *p)
{
	uint64_t n;

	pthread_mutex_lock(&p->lock);
	n = p->delivered;
	pthread_mutex_unlock(&p->lock);
	return n;
}

uint64_t periodic_timer_pending(struct periodic_timer *p)
{
	uint64_t n;

	pthread_mutex_lock(&p->lock);
	n = p->pending;
	pthread_mutex_unlock(&p->lock);
	return n;
}
