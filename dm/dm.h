/*
 * kxen-dm: the device model of one domain (DESIGN.md, "Processes").
 * One process per domain, single-threaded: everything runs in the
 * libevent loop that main() owns, so no part of the DM needs a lock.
 * It reaches the hypervisor through libctl only.
 *
 * Pieces, one file each:
 *   log.c        the DM's own log file (LOGDIR/dm-NAME.log)
 *   registry.c   (space, range) -> device handler; unclaimed reads ~0
 *   ioreq_client.c  the ioreq server: shared pages, event channels,
 *                the state machine and the buffered ring
 *   guest_mem.c  guest memory for string I/O (data_is_ptr)
 *   console.c    console log, unix socket clients, history, input queue
 *   devices.c    the --devices list: UARTs, PCI host, i8042, PM control,
 *                and the test devices
 *   main.c       options, start-up order, readiness, the loop
 */
#ifndef KXEN_DM_DM_H
#define KXEN_DM_DM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- log.c: one log file per DM process ---- */

/* Open (append) path as the log; 0, or -errno. */
int dm_log_open(const char *path);
void dm_log_close(void);
void dm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- registry.c ---- */

enum dm_space {
	DM_SPACE_PORT = 0,
	DM_SPACE_MMIO = 1,
	DM_SPACE_PCI = 2, /* start/end are SBDFs; addr = SBDF << 32 | reg */
};

/* Handler: addr is absolute unless the range is DM_RANGE_RELATIVE. */
typedef int (*dm_io_fn)(void *opaque, uint64_t addr, unsigned size,
			bool is_write, uint64_t *val);

#define DM_RANGE_RELATIVE 0x1u /* the handler gets addr - start */
#define DM_RANGE_BUFFERED 0x2u /* writes may come through the ring */

struct dm_range {
	enum dm_space space;
	uint64_t start, end; /* inclusive */
	unsigned flags;
	const char *name;
	dm_io_fn fn;
	void *opaque;
	uint64_t accesses; /* counter, for the log at exit */
};

struct dm_registry;

struct dm_registry *dm_registry_create(void);
void dm_registry_destroy(struct dm_registry *r);
/* -EEXIST when the range overlaps one already registered. */
int dm_registry_add(struct dm_registry *r, enum dm_space space, uint64_t start,
		    uint64_t end, unsigned flags, const char *name, dm_io_fn fn,
		    void *opaque);
unsigned dm_registry_count(const struct dm_registry *r);
const struct dm_range *dm_registry_at(const struct dm_registry *r, unsigned i);
/* Dispatch one access; unclaimed reads return all ones. */
void dm_registry_io(struct dm_registry *r, enum dm_space space, uint64_t addr,
		    unsigned size, bool is_write, uint64_t *val);

/* ---- guest_mem.c: guest-physical memory of the domain ---- */

struct dm_guest_mem;
struct xenforeignmemory_handle;

struct dm_guest_mem *dm_guest_mem_create(struct xenforeignmemory_handle *fmem,
					 uint32_t domid);
void dm_guest_mem_destroy(struct dm_guest_mem *g);
/* Copy between guest-physical gpa and buf; 0, or -errno. */
int dm_guest_read(struct dm_guest_mem *g, uint64_t gpa, void *buf, size_t len);
int dm_guest_write(struct dm_guest_mem *g, uint64_t gpa, const void *buf,
		   size_t len);

#endif
