/*
 * Types shared by the interrupt controllers and the wire layer (irq.h).
 */
#ifndef KXEN_IRQ_TYPES_H
#define KXEN_IRQ_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* What a source does to its line (STYLE.md practice 4). */
enum irq_level {
	IRQ_DEASSERT = 0,
	IRQ_ASSERT = 1,
	IRQ_PULSE = 2, /* assert then deassert: one edge */
};

/*
 * A timer device's interrupt output: line is the device's own output
 * number (ISA IRQ for the PIT and RTC, GSI for HPET routes, the SCI GSI
 * for the PM timer). The wire layer behind ctx knows which device
 * drives it, so shared lines OR their sources.
 */
typedef void (*irq_line_fn)(void *ctx, unsigned line, enum irq_level level);

/* Delivery modes (Intel SDM vol. 3 §10.6.1, ICR bits 10:8; same
 * encoding in the IOAPIC redirection entry and the MSI data word). */
enum lapic_delivery {
	LAPIC_DM_FIXED = 0,
	LAPIC_DM_LOWEST = 1,
	LAPIC_DM_SMI = 2,
	LAPIC_DM_NMI = 4,
	LAPIC_DM_INIT = 5,
	LAPIC_DM_STARTUP = 6,
	LAPIC_DM_EXTINT = 7,
};

/* ICR destination shorthand (bits 19:18). */
enum lapic_shorthand {
	LAPIC_SH_NONE = 0,
	LAPIC_SH_SELF = 1,
	LAPIC_SH_ALL = 2,
	LAPIC_SH_ALL_BUT_SELF = 3,
};

/* One interrupt message on the APIC bus: from the IOAPIC, an MSI or an
 * IPI (ICR). */
struct lapic_irq {
	uint8_t vector;
	uint8_t delivery;  /* enum lapic_delivery */
	bool logical;	   /* destination mode: logical (1) / physical (0) */
	bool level;	   /* trigger mode: level (1) / edge (0) */
	bool assert;	   /* ICR level bit (INIT de-assert has it 0) */
	uint8_t shorthand; /* enum lapic_shorthand; IPIs only */
	uint32_t dest;	   /* APIC ID or logical destination (8 bits xAPIC) */
	int src_vcpu;	   /* sender for shorthands; -1 for IOAPIC/MSI */
};

/* vlapic_pending_intr() returns this when the interrupt is the PIC's
 * (ExtINT through LINT0 or an ExtINT redirection entry). */
#define LAPIC_PENDING_EXTINT 256

#endif
