/*
 * QEMU's isa-debug-exit: a write of value v to any of its ports ends the
 * domain with exit status (v << 1) | 1, so a test kernel can report its
 * result as the process exit code of whoever started it. Reads return 0.
 * QEMU's default port is 0x501 (iosize 2); kxen's is 0xf4 with 4 ports,
 * the setting kvm-unit-tests and most hobby kernels are written for
 * (`-device isa-debug-exit,iobase=0xf4,iosize=4`).
 */
#ifndef KXEN_DEBUGEXIT_H
#define KXEN_DEBUGEXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "io_dispatch.h"

#define DEBUGEXIT_DEFAULT_PORT 0xf4
#define DEBUGEXIT_DEFAULT_WIDTH 4

/* Called once per device with the status the guest asked for. */
typedef void (*debugexit_fn)(void *ctx, uint32_t status);

struct debugexit;

/* NULL on a port range past 0xffff, a width outside 1-4, or no memory. */
struct debugexit *debugexit_create(uint32_t domid, uint16_t port,
				   unsigned width, debugexit_fn fn, void *ctx);
void debugexit_destroy(struct debugexit *e);
void debugexit_reset(struct debugexit *e);
int debugexit_register(struct debugexit *e, struct io_table *t);
int debugexit_io(void *opaque, uint64_t addr, unsigned size, bool is_write,
		 uint64_t *val);

/* Save/restore record: whether the guest has already asked to exit. */
struct debugexit_save {
	uint32_t status; /* valid when fired */
	uint8_t fired;	 /* 0 or 1 */
	uint8_t pad[3];
};
_Static_assert(sizeof(struct debugexit_save) == 8, "debugexit layout");

void debugexit_save(struct debugexit *e, struct debugexit_save *out);
int debugexit_load(struct debugexit *e, const struct debugexit_save *in);

#endif
