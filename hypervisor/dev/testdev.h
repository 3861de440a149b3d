/*
 * The interrupt test lines of QEMU's pc-testdev: a byte written to port
 * 0x2000 + n sets line n to that byte's level (0 low, anything else
 * high) through the domain's wires, as a device's output would. Lines
 * 0-15 are ISA IRQs (PIC and IOAPIC, with the MADT's overrides), lines
 * 16-23 IOAPIC pins alone. QEMU's region accepts byte writes only and
 * has no read side: wider writes are ignored and reads return 0. The
 * device's other ports (0xe0 scratch, 0xe4 flush, 0xe8 byte, the MMIO
 * page at 0xff000000) are not modelled.
 */
#ifndef KXEN_TESTDEV_H
#define KXEN_TESTDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "io_dispatch.h"
#include "irq_types.h"

#define TESTDEV_IRQ_PORT 0x2000
#define TESTDEV_IRQ_LINES 24
#define TESTDEV_ISA_LINES 16

struct testdev;

/* isa drives lines 0-15, gsi 16-23, both with source as their ctx. */
struct testdev *testdev_create(uint32_t domid, irq_line_fn isa, irq_line_fn gsi,
			       void *source);
/* Lowers every line first. */
void testdev_destroy(struct testdev *t);
/* Lowers every line the device holds high. */
void testdev_reset(struct testdev *t);
int testdev_register(struct testdev *t, struct io_table *table);
int testdev_io(void *opaque, uint64_t addr, unsigned size, bool is_write,
	       uint64_t *val);

/* Save/restore record: which lines are high, bit n for line n. */
struct testdev_save {
	uint32_t levels;
	uint32_t pad;
};
_Static_assert(sizeof(struct testdev_save) == 8, "testdev layout");

void testdev_save(struct testdev *t, struct testdev_save *out);
int testdev_load(struct testdev *t, const struct testdev_save *in);

#endif
