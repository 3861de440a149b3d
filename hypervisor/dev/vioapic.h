/*
 * Intel 82093AA I/O APIC: 24 pins (GSI 0-23) at 0xfec00000, IOREGSEL at
 * +0x00, IOWIN at +0x10, version 0x11 (no EOI register: EOIs come from
 * the LAPICs' broadcast). Datasheet: Intel 82093AA, sections 3.0-3.2.
 *
 * Locking: none inside; the wire layer (irq.c) holds the domain's irq
 * lock around every call, and ops->deliver is called under it.
 */
#ifndef KXEN_VIOAPIC_H
#define KXEN_VIOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "irq_types.h"

#define VIOAPIC_BASE 0xfec00000ull
#define VIOAPIC_SIZE 0x1000ull
#define VIOAPIC_PINS 24

struct vioapic;

struct vioapic_ops {
	/* Send irq on the APIC bus (fixed, lowest priority, NMI, ExtINT...).
	 * src_vcpu is -1. */
	void (*deliver)(void *ctx, const struct lapic_irq *irq);
};

struct vioapic *vioapic_create(uint32_t domid, const struct vioapic_ops *ops,
			       void *ctx);
void vioapic_destroy(struct vioapic *a);
/* Reset: every pin masked, edge, vector 0; IOREGSEL 0; ID 0. */
void vioapic_reset(struct vioapic *a);

/* Pin (0-23) is now at level (the wire layer ORs the sources). Edge pins
 * deliver on a rising edge; level pins deliver while asserted and not
 * waiting for an EOI (remote IRR). */
void vioapic_set_irq(struct vioapic *a, unsigned pin, bool level);

/* A LAPIC EOI'd a level-triggered vector: clear remote IRR of every pin
 * with that vector and redeliver those still asserted. */
void vioapic_eoi(struct vioapic *a, uint8_t vector);

/* MMIO handler for [VIOAPIC_BASE, +VIOAPIC_SIZE) (io_dispatch.h). */
int vioapic_mmio(void *opaque, uint64_t addr, unsigned size, bool is_write,
		 uint64_t *val);

struct vioapic_save {
	uint64_t redir[VIOAPIC_PINS]; /* remote IRR and delivery status in */
	uint32_t id;		      /* bits 27:24 */
	uint32_t ioregsel;
	uint32_t pin_level; /* bit n: pin n asserted */
	uint32_t pad;
};
_Static_assert(sizeof(struct vioapic_save) == 24 * 8 + 16, "save layout");

void vioapic_save(struct vioapic *a, struct vioapic_save *out);
int vioapic_load(struct vioapic *a, const struct vioapic_save *in);

#endif
