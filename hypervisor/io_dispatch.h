/*
 * Exit dispatch table: the core's own handlers for port I/O and MMIO,
 * keyed by address range. In-core devices register here when a domain is
 * built; a lookup that misses falls through to the ioreq servers (a later
 * layer) and then to the "unclaimed" policy: reads return all ones,
 * writes are dropped (as an empty bus would).
 *
 * The table is filled before any vCPU runs and is read-only afterwards,
 * so lookups take no lock. Counters are updated with relaxed atomics.
 */
#ifndef KXEN_IO_DISPATCH_H
#define KXEN_IO_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

enum io_space { IO_SPACE_PORT = 0, IO_SPACE_MMIO = 1 };

/*
 * A handler gets its device's context, the absolute address, the access
 * size (1, 2, 4 or 8 bytes), the direction and the value (written value,
 * or where to store the read value). It returns 0, or a negative errno
 * when the guest did something that must crash its domain.
 */
typedef int (*io_handler_fn)(void *opaque, uint64_t addr, unsigned size,
			     bool is_write, uint64_t *val);

struct io_table;

struct io_stats {
	uint64_t handled;   /* exits served by a core handler */
	uint64_t unclaimed; /* exits nobody claimed */
};

struct io_table *io_table_create(void);
void io_table_destroy(struct io_table *t);

/* Returns 0, -EEXIST when the range overlaps another, -EINVAL, -ENOMEM. */
int io_table_register(struct io_table *t, enum io_space space, uint64_t base,
		      uint64_t len, const char *name, io_handler_fn fn,
		      void *opaque);

/*
 * Remove the range registered at base: only while no vCPU runs (a
 * refused setup undoing its own registrations). 0 or -ENOENT.
 */
int io_table_unregister(struct io_table *t, enum io_space space, uint64_t base);

/*
 * Dispatch one access to the core handler that owns addr. Returns 0 when
 * handled, -ENOENT when no core handler claims it (the caller then tries
 * the ioreq servers and finally io_table_unclaimed), or the handler's
 * negative errno.
 */
int io_table_access(struct io_table *t, enum io_space space, uint64_t addr,
		    unsigned size, bool is_write, uint64_t *val);

/* Nobody claimed the access: an empty bus reads as all ones and drops
 * writes; counted and logged (rate-limited). */
void io_table_unclaimed(struct io_table *t, enum io_space space, uint64_t addr,
			unsigned size, bool is_write, uint64_t *val,
			uint32_t domid);

void io_table_stats(struct io_table *t, enum io_space space,
		    struct io_stats *out);

/* One registered range's counters, for the I/O statistics hypercall. */
struct io_range_stat {
	const char *name;
	enum io_space space;
	uint64_t base, len;
	uint64_t exits;
	uint64_t time_ns; /* spent in the handler */
};

/* Fill up to max entries (ports first, by address); returns the count. */
unsigned io_table_range_stats(struct io_table *t, struct io_range_stat *out,
			      unsigned max);

#endif
