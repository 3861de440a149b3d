/*
 * Building and running a domain's platform devices (see platform.h).
 */
#include "platform.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dev/pmtimer.h"
#include "dev/vhpet.h"
#include "dev/vpit.h"
#include "dev/vrtc.h"
#include "domain.h"
#include "irq.h"
#include "log.h"
#include "vcpu.h"
#include "vclock.h"
#include "vtimer.h"

/* ACPI S5 as our DSDT will encode it in \_S5 (SLP_TYP 0): power off. */
static void pm_sleep(void *ctx, unsigned slp_typ)
{
	struct domain *d = ctx;
	char why[64];

	snprintf(why, sizeof(why), "ACPI sleep, SLP_TYP %u", slp_typ);
	domain_shutdown(d, KXEN_SHUTDOWN_POWEROFF, why);
}

static const struct irq_vcpu_ops vcpu_ops = {
    .kick = vcpu_irq_kick,
    .init = vcpu_irq_init,
    .sipi = vcpu_irq_sipi,
};

/* Devices keep a pointer to their ops: these live as long as kxend. */
static const struct vhpet_ops hpet_ops = {.gsi = irq_gsi_line,
					  .legacy_irq = irq_isa_line,
					  .legacy = irq_set_hpet_legacy};

static int create_timer_devices(struct domain *d)
{

	d->pit = vpit_create(d->domid, d->timers, irq_isa_line,
			     irq_source(d->irq, IRQ_SRC_PIT));
	d->rtc = vrtc_create(d->domid, d->timers, irq_isa_line,
			     irq_source(d->irq, IRQ_SRC_RTC), 0);
	d->hpet = vhpet_create(d->domid, d->timers, &hpet_ops,
			       irq_source(d->irq, IRQ_SRC_HPET));
	return d->pit && d->rtc && d->hpet ? 0 : -ENOMEM;
}

/*
 * The PM timer's ops share one context, but its SCI belongs to the
 * wires and its sleep request to the domain: a small adapter holds both.
 */
struct pm_adapter {
	struct domain *d;
	void *sci_source;
};

static void pm_sci(void *ctx, unsigned line, enum irq_level level)
{
	struct pm_adapter *a = ctx;

	irq_isa_line(a->sci_source, line, level);
}

static void pm_adapter_sleep(void *ctx, unsigned slp_typ)
{
	struct pm_adapter *a = ctx;

	pm_sleep(a->d, slp_typ);
}

static const struct pmtimer_ops pm_ops = {.sci = pm_sci,
					  .sleep = pm_adapter_sleep};

static int register_io(struct domain *d)
{
	struct io_table *t = d->io;
	int rc = irq_router_register(d->irq, t);

	if (!rc)
		rc = io_table_register(t, IO_SPACE_PORT, 0x40, 4, "pit",
				       vpit_io, d->pit);
	if (!rc)
		rc = io_table_register(t, IO_SPACE_PORT, 0x61, 1, "port61",
				       vpit_io, d->pit);
	if (!rc)
		rc = io_table_register(t, IO_SPACE_PORT, 0x70, 2, "rtc",
				       vrtc_io, d->rtc);
	if (!rc)
		rc = io_table_register(t, IO_SPACE_MMIO, VHPET_BASE, VHPET_SIZE,
				       "hpet", vhpet_mmio, d->hpet);
	if (!rc)
		rc = io_table_register(t, IO_SPACE_PORT, PM1A_EVT_PORT, 4,
				       "pm1a-evt", pmtimer_io, d->pm);
	/* PM1a_CNT (S5, SLP_EN) belongs to the device model (issue 4). */
	if (!rc)
		rc = io_table_register(t, IO_SPACE_PORT, PM_TMR_PORT, 4,
				       "pm-timer", pmtimer_io, d->pm);
	return rc;
}

int platform_create(struct domain *d)
{
	struct pm_adapter *pm;

	d->clock = vclock_create();
	if (!d->clock)
		return -ENOMEM;
	/* The domain is created paused: so is its time. */
	vclock_pause(d->clock);
	d->timers = vtimer_service_create(d->clock, d->domid, false);
	if (!d->timers)
		return -ENOMEM;
	vtimer_service_pause(d->timers);
	d->irq =
	    irq_router_create(d->domid, d->max_vcpus, d->timers, &vcpu_ops, d);
	if (!d->irq || create_timer_devices(d))
		return -ENOMEM;
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	*pm = (struct pm_adapter){d, irq_source(d->irq, IRQ_SRC_PM)};
	d->pm_adapter = pm;
	d->pm = pmtimer_create(d->domid, d->timers, &pm_ops, pm);
	if (!d->pm)
		return -ENOMEM;
	return register_io(d);
}

void platform_destroy(struct domain *d)
{
	pmtimer_destroy(d->pm);
	vhpet_destroy(d->hpet);
	vrtc_destroy(d->rtc);
	vpit_destroy(d->pit);
	irq_router_destroy(d->irq);
	free(d->pm_adapter);
	d->pm = NULL;
	d->hpet = NULL;
	d->rtc = NULL;
	d->pit = NULL;
	d->irq = NULL;
	d->pm_adapter = NULL;
}

void platform_pause(struct domain *d)
{
	vtimer_service_pause(d->timers);
	vclock_pause(d->clock);
}

/* Per timer_mode, guest time either resumes where it stopped
 * (delay_for_missed_ticks) or catches up with real time, and the
 * periodic timers then deliver the missed ticks as the mode says. */
void platform_unpause(struct domain *d)
{
	bool catch_up =
	    vtimer_mode(d->timers) != TIMER_MODE_DELAY_FOR_MISSED_TICKS;

	vclock_resume(d->clock, catch_up);
	vtimer_service_resume(d->timers);
}
