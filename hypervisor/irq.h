/*
 * The domain's interrupt wires (STYLE.md practice 4; Xen's hvm/irq.c is
 * the model): ISA IRQs go to both the PIC pair and the IOAPIC (IRQ 0 to
 * GSI 2, as the MADT's interrupt source override will say), GSIs to the
 * IOAPIC, the PIC's INTR to the BSP's LINT0 (virtual wire), MSIs and
 * IPIs to the LAPICs over one "APIC bus" with lowest-priority
 * arbitration. Each line ORs the levels of its sources, so shared and
 * level lines work.
 *
 * The irq lock guards the PIC, the IOAPIC, every LAPIC and the line
 * state. Lock order: timer devices' locks, then the irq lock, then the
 * timer service, then d->lock. Entry points take the lock themselves
 * unless their name ends in _locked.
 */
#ifndef KXEN_IRQ_H
#define KXEN_IRQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "io_dispatch.h"
#include "irq_types.h"
#include "vtimer.h"

#define IRQ_NR_GSIS 24
#define IRQ_NR_ISA 16

/* Who drives a line; each source has its own level per line. */
enum irq_source {
	IRQ_SRC_PIT = 0,
	IRQ_SRC_RTC,
	IRQ_SRC_HPET,
	IRQ_SRC_PM,
	IRQ_SRC_DM,	 /* the device model's set_isa_irq_level */
	IRQ_SRC_DM_GSI,	 /* ... its set_irq_level */
	IRQ_SRC_PCI,	 /* ... its set_pci_intx_level (all devices ORed) */
	IRQ_SRC_TESTDEV, /* pc-testdev's lines (dev/testdev.h) */
	IRQ_SRC_NR,
};

struct irq_router;

/* What the wires need from the vCPU layer. */
struct irq_vcpu_ops {
	void (*kick)(void *ctx, unsigned vcpu); /* maybe deliverable */
	void (*init)(void *ctx, unsigned vcpu); /* INIT: wait for SIPI */
	void (*sipi)(void *ctx, unsigned vcpu, uint8_t vector);
};

struct irq_router *irq_router_create(uint32_t domid, unsigned nr_vcpus,
				     struct vtimer_service *timers,
				     const struct irq_vcpu_ops *ops, void *ctx);
void irq_router_destroy(struct irq_router *r);

/* Register the PIC, ELCR and IOAPIC handlers (LAPIC MMIO is per vCPU,
 * see irq_lapic_mmio). */
int irq_router_register(struct irq_router *r, struct io_table *t);

/*
 * The context a source passes to the irq_line_fn below: irq_isa_line
 * drives ISA IRQ lines (0-15: PIC and IOAPIC), irq_gsi_line drives
 * IOAPIC pins (0-23) alone.
 */
void *irq_source(struct irq_router *r, enum irq_source src);
void irq_isa_line(void *source_ctx, unsigned line, enum irq_level level);
void irq_gsi_line(void *source_ctx, unsigned line, enum irq_level level);
/* HPET legacy replacement: PIT and RTC outputs disconnected. */
void irq_set_hpet_legacy(void *source_ctx, bool on);

/*
 * PCI INTx from the device model: device 0-31, intx 0-3 (INTA-D) drive
 * GSI 16 + ((device + intx) & 7), the swizzle the ACPI _PRT will name;
 * the GSI is high while any INTx routed to it is. Level, active high as
 * the IOAPIC entry is programmed by the guest from the MADT/_PRT.
 */
int irq_pci_intx(struct irq_router *r, unsigned device, unsigned intx,
		 bool level);
unsigned irq_pci_intx_gsi(unsigned device, unsigned intx);

/* Deliver an MSI (address/data as PCI 3.0 / SDM 10.11). */
int irq_msi(struct irq_router *r, uint64_t addr, uint32_t data);

/* Per-vCPU LAPIC access, from that vCPU's exits. */
bool irq_lapic_claims(struct irq_router *r, unsigned vcpu, uint64_t addr);
int irq_lapic_mmio(struct irq_router *r, unsigned vcpu, uint64_t addr,
		   unsigned size, bool is_write, uint64_t *val);
uint64_t irq_lapic_get_base(struct irq_router *r, unsigned vcpu);
int irq_lapic_set_base(struct irq_router *r, unsigned vcpu, uint64_t v);

/* Injection, from the vCPU's own thread. */
int irq_pending_vector(struct irq_router *r, unsigned vcpu);
/* Take the pending interrupt; returns the vector to inject or -1. */
int irq_ack_vector(struct irq_router *r, unsigned vcpu);
bool irq_take_nmi(struct irq_router *r, unsigned vcpu);
/* Whether a halted vCPU must wake (if_flag: RFLAGS.IF at the HLT). */
bool irq_can_wake(struct irq_router *r, unsigned vcpu, bool if_flag);
uint8_t irq_get_cr8(struct irq_router *r, unsigned vcpu);
void irq_set_cr8(struct irq_router *r, unsigned vcpu, uint8_t cr8);

/* LAPIC MMIO exits per vCPU, for the I/O statistics. */
void irq_lapic_stats(struct irq_router *r, uint64_t *exits, uint64_t *time_ns);

#endif
