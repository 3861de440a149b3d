/*
 * Range table for the core's exit handlers: a sorted array per address
 * space, grown on demand, searched by bisection. Registration refuses
 * overlaps so that one address has exactly one owner.
 */
#include "io_dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

struct io_range {
	uint64_t base;
	uint64_t len;
	const char *name;
	io_handler_fn fn;
	void *opaque;
	uint64_t count;	  /* accesses served; relaxed atomic */
	uint64_t time_ns; /* spent in fn; relaxed atomic */
};

struct io_space_table {
	struct io_range *ranges; /* sorted by base, non-overlapping */
	unsigned nr, cap;
	uint64_t unclaimed; /* relaxed atomic */
};

struct io_table {
	struct io_space_table space[2];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct io_table *io_table_create(void)
{
	return calloc(1, sizeof(struct io_table));
}

void io_table_destroy(struct io_table *t)
{
	if (!t)
		return;
	free(t->space[0].ranges);
	free(t->space[1].ranges);
	free(t);
}

/* Index of the first range whose end is above addr. */
static unsigned lower_bound(const struct io_space_table *s, uint64_t addr)
{
	unsigned lo = 0, hi = s->nr;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct io_range *r = &s->ranges[mid];

		if (r->base + r->len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int io_table_register(struct io_table *t, enum io_space space, uint64_t base,
		      uint64_t len, const char *name, io_handler_fn fn,
		      void *opaque)
{
	struct io_space_table *s;
	unsigned i;

	if (!t || (space != IO_SPACE_PORT && space != IO_SPACE_MMIO) || !fn ||
	    len == 0 || base + len < base)
		return -EINVAL;
	if (space == IO_SPACE_PORT && base + len > 0x10000)
		return -EINVAL;
	s = &t->space[space];
	i = lower_bound(s, base);
	if (i < s->nr && s->ranges[i].base < base + len)
		return -EEXIST;
	if (s->nr == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 16;
		struct io_range *n = realloc(s->ranges, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->ranges = n;
		s->cap = cap;
	}
	memmove(&s->ranges[i + 1], &s->ranges[i],
		(s->nr - i) * sizeof(s->ranges[0]));
	s->ranges[i] = (struct io_range){
	    .base = base, .len = len, .name = name, .fn = fn, .opaque = opaque};
	s->nr++;
	return 0;
}

int io_table_unregister(struct io_table *t, enum io_space space, uint64_t base)
{
	struct io_space_table *s;
	unsigned i;

	if (!t || (space != IO_SPACE_PORT && space != IO_SPACE_MMIO))
		return -EINVAL;
	s = &t->space[space];
	i = lower_bound(s, base);
	if (i >= s->nr || s->ranges[i].base != base)
		return -ENOENT;
	memmove(&s->ranges[i], &s->ranges[i + 1],
		(s->nr - i - 1) * sizeof(s->ranges[0]));
	s->nr--;
	return 0;
}

int io_table_access(struct io_table *t, enum io_space space, uint64_t addr,
		    unsigned size, bool is_write, uint64_t *val)
{
	struct io_space_table *s = &t->space[space];
	unsigned i = lower_bound(s, addr);
	struct io_range *r;
	uint64_t t0;
	int rc;

	if (i >= s->nr || s->ranges[i].base > addr)
		return -ENOENT;
	r = &s->ranges[i];
	t0 = mono_ns();
	rc = r->fn(r->opaque, addr, size, is_write, val);
	__atomic_fetch_add(&r->count, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->time_ns, mono_ns() - t0, __ATOMIC_RELAXED);
	return rc;
}

void io_table_unclaimed(struct io_table *t, enum io_space space, uint64_t addr,
			unsigned size, bool is_write, uint64_t *val,
			uint32_t domid)
{
	struct io_space_table *s = &t->space[space];
	uint64_t n;

	if (!is_write)
		*val = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
	n = __atomic_add_fetch(&s->unclaimed, 1, __ATOMIC_RELAXED);
	/* Rate limit: log the 1st, 2nd, 4th, 8th... unclaimed access. */
	if ((n & (n - 1)) == 0)
		log_debug(domid,
			  "unclaimed %s %s at %#llx size %u (%llu so far)",
			  space == IO_SPACE_PORT ? "port" : "mmio",
			  is_write ? "write" : "read", (unsigned long long)addr,
			  size, (unsigned long long)n);
}

void io_table_stats(struct io_table *t, enum io_space space,
		    struct io_stats *out)
{
	struct io_space_table *s = &t->space[space];
	unsigned i;

	out->handled = 0;
	for (i = 0; i < s->nr; i++)
		out->handled +=
		    __atomic_load_n(&s->ranges[i].count, __ATOMIC_RELAXED);
	out->unclaimed = __atomic_load_n(&s->unclaimed, __ATOMIC_RELAXED);
}

unsigned io_table_range_stats(struct io_table *t, struct io_range_stat *out,
			      unsigned max)
{
	unsigned n = 0, sp, i;

	for (sp = 0; sp < 2; sp++)
		for (i = 0; i < t->space[sp].nr && n < max; i++) {
			struct io_range *r = &t->space[sp].ranges[i];

			out[n++] = (struct io_range_stat){
			    .name = r->name,
			    .space = sp,
			    .base = r->base,
			    .len = r->len,
			    .exits =
				__atomic_load_n(&r->count, __ATOMIC_RELAXED),
			    .time_ns =
				__atomic_load_n(&r->time_ns, __ATOMIC_RELAXED)};
		}
	return n;
}
