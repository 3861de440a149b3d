/*
 * The PC platform of a domain (issue 3): its virtual clock and timer
 * service, the interrupt wires with PIC, IOAPIC and LAPICs, and the
 * timer devices (PIT, RTC, HPET, ACPI PM timer), registered in the
 * domain's exit dispatch table.
 */
#ifndef KXEN_PLATFORM_H
#define KXEN_PLATFORM_H

#include <stdint.h>

struct domain;

/* Needs d->io and d->max_vcpus; the platform starts paused, as the
 * domain does. */
int platform_create(struct domain *d);
/* vCPU threads must have been joined. */
void platform_destroy(struct domain *d);

void platform_pause(struct domain *d);
void platform_unpause(struct domain *d);

#endif
