/*
 * Intel 8042 keyboard controller, as little of it as an OS probe needs
 * (Firecracker's i8042.rs is the model): data port 0x60, status/command
 * port 0x64; read/write command byte (0x20/0x60), self-test (0xAA ->
 * 0x55), interface tests (0xAB/0xA9 -> 0x00), disable/enable ports
 * (0xAD/0xAE/0xA7/0xA8), read output port (0xD0), pulse reset line
 * (0xFE: the CPU reset, i.e. reboot the domain), keyboard reset (0xFF on
 * port 0x60 -> 0xFA 0xAA). No keyboard or mouse input is generated.
 *
 * Not thread-safe: the DM's event loop owns it.
 */
#ifndef KXEN_DM_I8042_H
#define KXEN_DM_I8042_H

#include <stdbool.h>
#include <stdint.h>

struct i8042;

struct i8042_ops {
	void (*reset)(void *ctx);			      /* 0xFE: reboot */
	void (*set_irq)(void *ctx, unsigned irq, bool level); /* 1 or 12 */
};

struct i8042 *i8042_create(const struct i8042_ops *ops, void *ctx);
void i8042_destroy(struct i8042 *k);
/* Ports 0x60 and 0x64 (absolute port numbers). */
int i8042_io(void *opaque, uint64_t port, unsigned size, bool is_write,
	     uint64_t *val);

#endif
