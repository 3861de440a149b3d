/*
 * Xen's HVM debug console on port 0xE9 (the "port E9 hack" of Bochs and
 * QEMU's debugcon): bytes the guest writes are collected per domain and
 * logged a line at a time, prefixed with the domain id.
 */
#ifndef KXEN_DEBUGCON_H
#define KXEN_DEBUGCON_H

#include <stdint.h>

#include "io_dispatch.h"

#define DEBUGCON_PORT 0xe9

struct debugcon;

struct debugcon *debugcon_create(uint32_t domid);
/* Logs what is left of an unfinished line. */
void debugcon_destroy(struct debugcon *c);
int debugcon_register(struct debugcon *c, struct io_table *t);
int debugcon_io(void *opaque, uint64_t addr, unsigned size, bool is_write,
		uint64_t *val);
uint64_t debugcon_bytes(struct debugcon *c);

#endif
