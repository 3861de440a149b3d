/*
 * ACPI PM1a control block (ACPI 6.x §4.8.3.2.1) and the reset register
 * the FADT will name (PIIX-style reset control at port 0xcf9: writing
 * bit 2 with bit 1 set resets), in the device model: SLP_EN with the
 * S5 sleep type (SLP_TYP as the DSDT's \_S5 says: 0 here) powers the
 * domain off, the reset register reboots it; both via ops that the DM
 * turns into xendevicemodel_remote_shutdown. SCI_EN reads back as set
 * (hardware-reduced-like: no SMI handoff). Port PM1a_CNT 0x1f44 (2
 * bytes), reset 0xcf9 (1 byte).
 *
 * Not thread-safe: the DM's event loop owns it.
 */
#ifndef KXEN_DM_PM_CONTROL_H
#define KXEN_DM_PM_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#define PM_CONTROL_PM1A_CNT_PORT 0x1f44
#define PM_CONTROL_RESET_PORT 0xcf9
#define PM_CONTROL_S5_SLP_TYP 0

struct pm_control;

struct pm_control_ops {
	void (*poweroff)(void *ctx);
	void (*reboot)(void *ctx);
};

struct pm_control *pm_control_create(const struct pm_control_ops *ops,
				     void *ctx);
void pm_control_destroy(struct pm_control *p);
int pm_control_io(void *opaque, uint64_t port, unsigned size, bool is_write,
		  uint64_t *val);

#endif
