/*
 * The DM's device registry: which handler serves which port range, MMIO
 * range or PCI function (STYLE.md practice 5: one table, built in one
 * place, overlaps refused). The same table tells the ioreq client what
 * to claim from the hypervisor, so the two can never disagree.
 */
#include <errno.h>
#include <stdlib.h>

#include "dm.h"

struct dm_registry {
	struct dm_range *ranges;
	unsigned nr, cap;
};

struct dm_registry *dm_registry_create(void)
{
	return calloc(1, sizeof(struct dm_registry));
}

void dm_registry_destroy(struct dm_registry *r)
{
	if (!r)
		return;
	free(r->ranges);
	free(r);
}

static bool overlaps(const struct dm_range *a, enum dm_space space,
		     uint64_t start, uint64_t end)
{
	return a->space == space && a->start <= end && start <= a->end;
}

int dm_registry_add(struct dm_registry *r, enum dm_space space, uint64_t start,
		    uint64_t end, unsigned flags, const char *name, dm_io_fn fn,
		    void *opaque)
{
	if (start > end || !fn)
		return -EINVAL;
	for (unsigned i = 0; i < r->nr; i++)
		if (overlaps(&r->ranges[i], space, start, end))
			return -EEXIST;
	if (r->nr == r->cap) {
		unsigned cap = r->cap ? 2 * r->cap : 8;
		struct dm_range *v = realloc(r->ranges, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->ranges = v;
		r->cap = cap;
	}
	r->ranges[r->nr++] = (struct dm_range){.space = space,
					       .start = start,
					       .end = end,
					       .flags = flags,
					       .name = name,
					       .fn = fn,
					       .opaque = opaque};
	return 0;
}

unsigned dm_registry_count(const struct dm_registry *r)
{
	return r->nr;
}

const struct dm_range *dm_registry_at(const struct dm_registry *r, unsigned i)
{
	return i < r->nr ? &r->ranges[i] : NULL;
}

static struct dm_range *find(struct dm_registry *r, enum dm_space space,
			     uint64_t addr)
{
	/* A PCI access is claimed by its function (SBDF), not register. */
	uint64_t key = space == DM_SPACE_PCI ? addr >> 32 : addr;

	for (unsigned i = 0; i < r->nr; i++)
		if (r->ranges[i].space == space && key >= r->ranges[i].start &&
		    key <= r->ranges[i].end)
			return &r->ranges[i];
	return NULL;
}

void dm_registry_io(struct dm_registry *r, enum dm_space space, uint64_t addr,
		    unsigned size, bool is_write, uint64_t *val)
{
	struct dm_range *d = find(r, space, addr);

	if (!is_write)
		*val = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
	if (!d) {
		/* The hypervisor sent what we never claimed: a race with
		 * an unmap, or its bug. Behave like an empty bus. */
		return;
	}
	d->accesses++;
	if (d->fn(d->opaque,
		  d->flags & DM_RANGE_RELATIVE ? addr - d->start : addr, size,
		  is_write, val) < 0 &&
	    !is_write)
		*val = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}
