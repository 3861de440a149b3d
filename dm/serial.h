/*
 * A serial port of the DM: UART register model + console backend + IRQ
 * wiring (serial.c).
 */
#ifndef KXEN_DM_SERIAL_H
#define KXEN_DM_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console.h"
#include "dm.h"

struct event_base;
struct xendevicemodel_handle;

struct dm_serial_config {
	struct event_base *base;
	struct xendevicemodel_handle *dmod;
	uint32_t domid;
	unsigned irq;	       /* ISA IRQ: 4 for COM1, 3 for COM2 */
	const char *log_path;  /* console log file */
	const char *sock_path; /* console socket, or NULL */
};

struct dm_serial;

struct dm_serial *dm_serial_create(const struct dm_serial_config *cfg,
				   char *err, size_t errlen);
void dm_serial_destroy(struct dm_serial *s);
/* Registry handler for the 8 registers (offsets 0-7). */
int dm_serial_io(void *opaque, uint64_t offset, unsigned size, bool is_write,
		 uint64_t *val);

#endif
