/*
 * The devices of one DM, chosen by --devices (a comma-separated list):
 *
 *   com1      16550A at 0x3f8, IRQ 4, console socket + console log
 *   com2      16550A at 0x2f8, IRQ 3, its own console log (no socket)
 *   pci       PCI host bridge at 00:00.0 (and the device list)
 *   i8042     keyboard controller at 0x60/0x64; 0xFE reboots
 *   pm        ACPI PM1a control 0x1f44 (S5 powers off), reset 0xcf9
 *   seqcheck  test device: sequence checkers at ports 0x500 (synchronous
 *             writes) and 0x508 (buffered writes); see devices.c
 *
 * "default" stands for com1,pci,i8042,pm, which is also what an absent
 * --devices means.
 */
#ifndef KXEN_DM_DEVICES_H
#define KXEN_DM_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#include "dm.h"

#define DM_DEV_COM1 0x01u
#define DM_DEV_COM2 0x02u
#define DM_DEV_PCI 0x04u
#define DM_DEV_I8042 0x08u
#define DM_DEV_PM 0x10u
#define DM_DEV_SEQCHECK 0x20u
#define DM_DEV_BENCHMMIO 0x40u /* bench/: scratch MMIO page */
#define DM_DEV_DEFAULT (DM_DEV_COM1 | DM_DEV_PCI | DM_DEV_I8042 | DM_DEV_PM)

/* Parse a --devices list into DM_DEV_* bits; -1 + one line in err. */
int dm_devices_parse(const char *list, unsigned *mask, char *err,
		     size_t errlen);

struct event_base;
struct xendevicemodel_handle;

struct dm_devices_config {
	unsigned mask;
	struct event_base *base;
	struct xendevicemodel_handle *dmod;
	uint32_t domid;
	const char *name;   /* the domain's, for file names */
	const char *rundir; /* console socket: RUNDIR/console-DOMID.sock */
	const char *logdir; /* console logs: LOGDIR/console-NAME.log */
	struct dm_registry *reg;
};

struct dm_devices;

/* Create the devices and register their ranges; NULL + err. */
struct dm_devices *dm_devices_create(const struct dm_devices_config *cfg,
				     char *err, size_t errlen);
void dm_devices_destroy(struct dm_devices *d);
/* Log the test devices' verdicts (at exit). */
void dm_devices_report(struct dm_devices *d);

#endif
