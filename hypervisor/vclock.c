/*
 * Virtual clock (see vclock.h): now = host monotonic - offset, with the
 * offset growing by every paused interval that is not caught up.
 */
#include "vclock.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct vclock {
	pthread_mutex_t lock; /* guards all fields */
	bool manual;
	uint64_t manual_host; /* a manual clock's "host" time */
	uint64_t offset;      /* host ns not counted as guest time */
	unsigned pause_count;
	uint64_t paused_at; /* host ns when the first pause began */
};

static uint64_t host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t host_time(struct vclock *c)
{
	return c->manual ? c->manual_host : host_ns();
}

static struct vclock *create(bool manual)
{
	struct vclock *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->manual = manual;
	c->offset = host_time(c);
	return c;
}

struct vclock *vclock_create(void)
{
	return create(false);
}

struct vclock *vclock_create_manual(void)
{
	return create(true);
}

void vclock_destroy(struct vclock *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Caller holds the lock. */
static uint64_t now_locked(struct vclock *c)
{
	if (c->pause_count)
		return c->paused_at - c->offset;
	return host_time(c) - c->offset;
}

uint64_t vclock_now(struct vclock *c)
{
	uint64_t now;

	pthread_mutex_lock(&c->lock);
	now = now_locked(c);
	pthread_mutex_unlock(&c->lock);
	return now;
}

void vclock_pause(struct vclock *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->pause_count++ == 0)
		c->paused_at = host_time(c);
	pthread_mutex_unlock(&c->lock);
}

void vclock_resume(struct vclock *c, bool catch_up)
{
	pthread_mutex_lock(&c->lock);
	if (c->pause_count && --c->pause_count == 0 && !catch_up)
		c->offset += host_time(c) - c->paused_at;
	pthread_mutex_unlock(&c->lock);
}

void vclock_advance(struct vclock *c, uint64_t ns)
{
	pthread_mutex_lock(&c->lock);
	if (c->manual)
		c->manual_host += ns;
	pthread_mutex_unlock(&c->lock);
}
