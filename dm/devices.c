/*
 * The DM's device list (see devices.h): creates each chosen device,
 * wires its interrupts and power requests to device-model hypercalls,
 * and registers its ranges. Devices know nothing of the registry or of
 * libctl (STYLE.md practice 3); this file is the glue.
 */
#include "devices.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/i8042.h"
#include "dev/pci_host.h"
#include "dev/pm_control.h"
#include "dev/scratch_mmio.h"
#include "kxen/abi.h"
#include "serial.h"
#include "xendevicemodel.h"

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8
#define SEQCHECK_PORT 0x500 /* +0 sync lane, +8 buffered lane */
#define MAX_PCI_FUNCS 256

/*
 * Sequence checker (a test device): each lane expects the values
 * 1, 2, 3, ... written to its offset 0 (4 bytes); a write that is not
 * the previous value + 1 counts as bad (lost, duplicated or reordered
 * accesses all show up so). Reads: offset 0 the number of writes,
 * offset 4 the number of bad ones.
 */
struct seq_lane {
	const char *name;
	uint32_t expect;
	uint32_t writes, bad;
};

struct dm_devices {
	struct dm_devices_config cfg;
	struct dm_serial *com[2];
	struct pci_bus *pci;
	struct i8042 *kbc;
	struct pm_control *pm;
	struct scratch_mmio *scratch;
	struct seq_lane seq[2];
	uint64_t hypercall_errors;
};

static const struct {
	const char *name;
	unsigned bit;
} device_names[] = {
    {"com1", DM_DEV_COM1},
    {"com2", DM_DEV_COM2},
    {"pci", DM_DEV_PCI},
    {"i8042", DM_DEV_I8042},
    {"pm", DM_DEV_PM},
    {"seqcheck", DM_DEV_SEQCHECK},
    {"benchmmio", DM_DEV_BENCHMMIO},
    {"default", DM_DEV_DEFAULT},
};
#define NR_NAMES (sizeof(device_names) / sizeof(device_names[0]))

static int parse_one(const char *word, size_t len, unsigned *mask)
{
	for (size_t i = 0; i < NR_NAMES; i++)
		if (strlen(device_names[i].name) == len &&
		    strncmp(device_names[i].name, word, len) == 0) {
			*mask |= device_names[i].bit;
			return 0;
		}
	return -1;
}

int dm_devices_parse(const char *list, unsigned *mask, char *err, size_t errlen)
{
	const char *p = list;

	*mask = 0;
	while (*p) {
		size_t len = strcspn(p, ",");

		if (parse_one(p, len, mask) < 0) {
			snprintf(
			    err, errlen,
			    "unknown device '%.*s' in --devices '%s' "
			    "(known: com1, com2, pci, i8042, pm, seqcheck, "
			    "benchmmio, default)",
			    (int)len, p, list);
			return -1;
		}
		p += len + (p[len] == ',');
	}
	if (*mask == 0) {
		snprintf(err, errlen, "--devices is empty");
		return -1;
	}
	return 0;
}

/* ---- hypercalls on behalf of devices ---- */

static void shutdown_domain(struct dm_devices *d, unsigned reason,
			    const char *why)
{
	dm_log("%s: asking the hypervisor to %s domain %u", why,
	       reason == KXEN_SHUTDOWN_REBOOT ? "reboot" : "power off",
	       d->cfg.domid);
	if (xendevicemodel_shutdown(d->cfg.dmod, d->cfg.domid, reason) < 0)
		dm_log("%s: shutdown request failed: %s", why, strerror(errno));
}

static void kbc_reset(void *ctx)
{
	shutdown_domain(ctx, KXEN_SHUTDOWN_REBOOT, "i8042 reset line");
}

static void kbc_set_irq(void *ctx, unsigned irq, bool level)
{
	struct dm_devices *d = ctx;

	if (xendevicemodel_set_isa_irq_level(d->cfg.dmod, d->cfg.domid,
					     (uint8_t)irq, level) < 0 &&
	    d->hypercall_errors++ < 10)
		dm_log("i8042: cannot set IRQ %u: %s", irq, strerror(errno));
}

static void pm_poweroff(void *ctx)
{
	shutdown_domain(ctx, KXEN_SHUTDOWN_POWEROFF, "PM1a S5");
}

static void pm_reboot(void *ctx)
{
	shutdown_domain(ctx, KXEN_SHUTDOWN_REBOOT, "reset register");
}

static const struct i8042_ops kbc_ops = {.reset = kbc_reset,
					 .set_irq = kbc_set_irq};
static const struct pm_control_ops pm_ops = {.poweroff = pm_poweroff,
					     .reboot = pm_reboot};

/* ---- handlers ---- */

static int pci_io(void *opaque, uint64_t addr, unsigned size, bool is_write,
		  uint64_t *val)
{
	uint32_t v = (uint32_t)*val;
	int rc =
	    pci_config_access(opaque, (uint32_t)(addr >> 32),
			      (unsigned)(addr & 0xfff), size, is_write, &v);

	if (!is_write)
		*val = v;
	return rc;
}

static int seq_io(void *opaque, uint64_t off, unsigned size, bool is_write,
		  uint64_t *val)
{
	struct seq_lane *l = opaque;

	(void)size;
	if (!is_write) {
		*val = off < 4 ? l->writes : l->bad;
		return 0;
	}
	if (off != 0)
		return 0;
	l->writes++;
	if ((uint32_t)*val != l->expect && l->bad++ < 10)
		dm_log("seqcheck %s: got %u, expected %u", l->name,
		       (uint32_t)*val, l->expect);
	l->expect = (uint32_t)*val + 1;
	return 0;
}

/* ---- creation ---- */

static int add(struct dm_devices *d, enum dm_space space, uint64_t start,
	       uint64_t end, unsigned flags, const char *name, dm_io_fn fn,
	       void *opaque, char *err, size_t errlen)
{
	int rc = dm_registry_add(d->cfg.reg, space, start, end, flags, name, fn,
				 opaque);

	if (rc < 0)
		snprintf(err, errlen, "cannot register %s at %#llx: %s", name,
			 (unsigned long long)start, strerror(-rc));
	return rc;
}

static int make_serial(struct dm_devices *d, unsigned n, char *err,
		       size_t errlen)
{
	const struct dm_devices_config *c = &d->cfg;
	char log[4096], sock[4096];
	struct dm_serial_config sc = {.base = c->base,
				      .dmod = c->dmod,
				      .domid = c->domid,
				      .irq = n == 0 ? 4 : 3,
				      .log_path = log,
				      .sock_path = n == 0 ? sock : NULL};

	snprintf(log, sizeof(log), "%s/console-%s%s.log", c->logdir, c->name,
		 n == 0 ? "" : "-com2");
	snprintf(sock, sizeof(sock), "%s/console-%u.sock", c->rundir, c->domid);
	d->com[n] = dm_serial_create(&sc, err, errlen);
	if (!d->com[n])
		return -1;
	return add(d, DM_SPACE_PORT, n == 0 ? COM1_PORT : COM2_PORT,
		   (n == 0 ? COM1_PORT : COM2_PORT) + 7, DM_RANGE_RELATIVE,
		   n == 0 ? "com1" : "com2", dm_serial_io, d->com[n], err,
		   errlen);
}

static int make_pci(struct dm_devices *d, char *err, size_t errlen)
{
	uint32_t sbdf[MAX_PCI_FUNCS];
	unsigned n;

	d->pci = pci_bus_create();
	if (!d->pci) {
		snprintf(err, errlen, "cannot create the PCI host bridge");
		return -1;
	}
	n = pci_bus_devices(d->pci, sbdf, MAX_PCI_FUNCS);
	for (unsigned i = 0; i < n && i < MAX_PCI_FUNCS; i++)
		if (add(d, DM_SPACE_PCI, sbdf[i], sbdf[i], 0, "pci", pci_io,
			d->pci, err, errlen) < 0)
			return -1;
	return 0;
}

static int make_i8042(struct dm_devices *d, char *err, size_t errlen)
{
	d->kbc = i8042_create(&kbc_ops, d);
	if (!d->kbc) {
		snprintf(err, errlen, "cannot create the i8042");
		return -1;
	}
	if (add(d, DM_SPACE_PORT, 0x60, 0x60, 0, "i8042", i8042_io, d->kbc, err,
		errlen) < 0)
		return -1;
	return add(d, DM_SPACE_PORT, 0x64, 0x64, 0, "i8042", i8042_io, d->kbc,
		   err, errlen);
}

static int make_pm(struct dm_devices *d, char *err, size_t errlen)
{
	d->pm = pm_control_create(&pm_ops, d);
	if (!d->pm) {
		snprintf(err, errlen, "cannot create the PM control block");
		return -1;
	}
	if (add(d, DM_SPACE_PORT, PM_CONTROL_PM1A_CNT_PORT,
		PM_CONTROL_PM1A_CNT_PORT + 1, 0, "pm1a-cnt", pm_control_io,
		d->pm, err, errlen) < 0)
		return -1;
	return add(d, DM_SPACE_PORT, PM_CONTROL_RESET_PORT,
		   PM_CONTROL_RESET_PORT, 0, "reset", pm_control_io, d->pm, err,
		   errlen);
}

static int make_seqcheck(struct dm_devices *d, char *err, size_t errlen)
{
	d->seq[0] = (struct seq_lane){.name = "sync", .expect = 1};
	d->seq[1] = (struct seq_lane){.name = "buffered", .expect = 1};
	if (add(d, DM_SPACE_PORT, SEQCHECK_PORT, SEQCHECK_PORT + 7,
		DM_RANGE_RELATIVE, "seqcheck-sync", seq_io, &d->seq[0], err,
		errlen) < 0)
		return -1;
	return add(d, DM_SPACE_PORT, SEQCHECK_PORT + 8, SEQCHECK_PORT + 15,
		   DM_RANGE_RELATIVE | DM_RANGE_BUFFERED, "seqcheck-buffered",
		   seq_io, &d->seq[1], err, errlen);
}

static int make_scratch(struct dm_devices *d, char *err, size_t errlen)
{
	d->scratch = scratch_mmio_create();
	if (!d->scratch) {
		snprintf(err, errlen, "cannot create the scratch MMIO page");
		return -1;
	}
	return add(d, DM_SPACE_MMIO, SCRATCH_MMIO_BASE,
		   SCRATCH_MMIO_BASE + SCRATCH_MMIO_SIZE - 1, DM_RANGE_RELATIVE,
		   "benchmmio", scratch_mmio_io, d->scratch, err, errlen);
}

struct dm_devices *dm_devices_create(const struct dm_devices_config *cfg,
				     char *err, size_t errlen)
{
	struct dm_devices *d = calloc(1, sizeof(*d));
	unsigned m = cfg->mask;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->cfg = *cfg;
	if (((m & DM_DEV_COM1) && make_serial(d, 0, err, errlen) < 0) ||
	    ((m & DM_DEV_COM2) && make_serial(d, 1, err, errlen) < 0) ||
	    ((m & DM_DEV_PCI) && make_pci(d, err, errlen) < 0) ||
	    ((m & DM_DEV_I8042) && make_i8042(d, err, errlen) < 0) ||
	    ((m & DM_DEV_PM) && make_pm(d, err, errlen) < 0) ||
	    ((m & DM_DEV_SEQCHECK) && make_seqcheck(d, err, errlen) < 0) ||
	    ((m & DM_DEV_BENCHMMIO) && make_scratch(d, err, errlen) < 0)) {
		dm_devices_destroy(d);
		return NULL;
	}
	return d;
}

void dm_devices_destroy(struct dm_devices *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < 2; i++)
		dm_serial_destroy(d->com[i]);
	if (d->pci)
		pci_bus_destroy(d->pci);
	if (d->kbc)
		i8042_destroy(d->kbc);
	if (d->pm)
		pm_control_destroy(d->pm);
	scratch_mmio_destroy(d->scratch);
	free(d);
}

void dm_devices_report(struct dm_devices *d)
{
	if (!(d->cfg.mask & DM_DEV_SEQCHECK))
		return;
	for (unsigned i = 0; i < 2; i++)
		dm_log("seqcheck %s: %u writes, %u bad", d->seq[i].name,
		       d->seq[i].writes, d->seq[i].bad);
}
