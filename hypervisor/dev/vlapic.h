/*
 * Local APIC of one vCPU, xAPIC mode (Intel SDM vol. 3 ch. 10): MMIO
 * registers at the APIC base (IA32_APIC_BASE, default 0xfee00000), ID,
 * version, TPR/APR/PPR, EOI, LDR/DFR, SVR, ISR/TMR/IRR, ESR, ICR, the LVT
 * (timer, LINT0, LINT1, error; thermal/perf/CMCI read-write but never
 * fire) and the timer (one-shot, periodic; TSC-deadline not offered) with
 * its divide configuration.
 *
 * Locking: none of its own. Every call happens under the domain's irq
 * lock, held by the wire layer (irq.c) around MMIO, MSR and delivery; the
 * LAPIC timer's callback takes that same lock (irq_lock from create)
 * before it touches the registers. ops are called with the lock held and
 * must not take it again.
 */
#ifndef KXEN_VLAPIC_H
#define KXEN_VLAPIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "irq_types.h"
#include "vtimer.h"

#define VLAPIC_DEFAULT_BASE 0xfee00000ull
#define VLAPIC_SIZE 0x1000ull
/* IA32_APIC_BASE (MSR 0x1b): BSP bit 8, enable bit 11, base 35:12. */
#define VLAPIC_MSR_APIC_BASE 0x1b
/* The bus clock the timer counts (divided by the divide register):
 * 1 GHz, so the initial count is in ns at divide-by-1. */
#define VLAPIC_BUS_HZ 1000000000ull

struct vlapic;

struct vlapic_ops {
	/* ICR write: send irq (src_vcpu set) to the bus. */
	void (*send_ipi)(void *ctx, const struct lapic_irq *irq);
	/* EOI of a level-triggered vector (TMR set): broadcast to IOAPIC. */
	void (*eoi_level)(void *ctx, uint8_t vector);
	/* Something may have become deliverable (IRR, NMI, INIT, SIPI):
	 * wake the vCPU. */
	void (*kick)(void *ctx);
	/* INIT arrived (not for the BSP after boot? it is: SDM 8.4): the
	 * vCPU must reset and wait for a SIPI. */
	void (*init)(void *ctx);
	/* STARTUP arrived while waiting for SIPI: start in real mode at
	 * vector << 12. */
	void (*sipi)(void *ctx, uint8_t vector);
	/* ExtINT: ask the PIC for its vector (INTA cycle); -1 if none. */
	int (*extint_ack)(void *ctx);
	/* Whether the PIC's INTR output is high (for ExtINT pending). */
	bool (*extint_pending)(void *ctx);
};

/*
 * vcpu_id is also the APIC ID. bsp: the BSP flag in IA32_APIC_BASE.
 * irq_lock: the lock the timer callback takes (the wire layer's).
 */
struct vlapic *vlapic_create(uint32_t domid, unsigned vcpu_id, bool bsp,
			     struct vtimer_service *timers,
			     pthread_mutex_t *irq_lock,
			     const struct vlapic_ops *ops, void *ctx);
void vlapic_destroy(struct vlapic *l);
/* Power-on/INIT state (SDM 10.4.7.1): all registers per table 10-1 ... */
void vlapic_reset(struct vlapic *l);

/*
 * What firmware leaves on the BSP before handing over (MP spec 1.4
 * §3.6.2.2, virtual wire mode): APIC software-enabled (SVR 0x1ff), LINT0
 * ExtINT unmasked, LINT1 NMI unmasked, so a guest that only knows the
 * PIC gets its interrupts. The core calls this for vCPU 0 after reset.
 */
void vlapic_setup_virtual_wire(struct vlapic *l);

/* MMIO handler; addr is absolute and must fall in [base, base+4K). */
int vlapic_mmio(void *opaque, uint64_t addr, unsigned size, bool is_write,
		uint64_t *val);
uint64_t vlapic_base(struct vlapic *l); /* current MMIO base address */

/* IA32_APIC_BASE; set returns -EINVAL for reserved bits / x2APIC. */
uint64_t vlapic_get_base_msr(struct vlapic *l);
int vlapic_set_base_msr(struct vlapic *l, uint64_t value);

/* TPR as CR8 (bits 7:4 of TPR), for KVM's kvm_run.cr8 sync. */
uint8_t vlapic_get_cr8(struct vlapic *l);
void vlapic_set_cr8(struct vlapic *l, uint8_t cr8);

unsigned vlapic_id(struct vlapic *l);
/* Whether this LAPIC is a target of irq (physical/logical flat/cluster,
 * broadcast 0xff, shorthands relative to irq->src_vcpu). */
bool vlapic_match_dest(struct vlapic *l, const struct lapic_irq *irq);
/* Processor priority, for lowest-priority arbitration. */
uint8_t vlapic_ppr(struct vlapic *l);
/* Whether the LAPIC is hardware- and software-enabled. */
bool vlapic_enabled(struct vlapic *l);

/* Accept irq into this LAPIC (after matching): IRR/TMR for fixed and
 * lowest-priority, NMI/INIT/SIPI/ExtINT as the SDM says. */
void vlapic_accept(struct vlapic *l, const struct lapic_irq *irq);

/* LINT0/LINT1 input pin levels; what they do follows their LVT. */
void vlapic_set_lint(struct vlapic *l, unsigned lint, bool level);

/*
 * Highest-priority vector the vCPU may take now (IRR above PPR, APIC
 * enabled), LAPIC_PENDING_EXTINT when the PIC's interrupt is to be
 * taken, or -1.
 */
int vlapic_pending_intr(struct vlapic *l);
/* The vCPU took vector (from vlapic_pending_intr): IRR -> ISR. For
 * LAPIC_PENDING_EXTINT performs the PIC's INTA and returns its vector;
 * otherwise returns vector. -1 if nothing to take any more. */
int vlapic_ack_intr(struct vlapic *l, int vector);
/* An NMI is pending (LVT NMI, ICR NMI): take it (clears it). */
bool vlapic_take_nmi(struct vlapic *l);

/* Save record (architectural registers + timer). */
struct vlapic_save {
	uint64_t apic_base_msr;
	uint32_t regs[64];	 /* the 4K page's 16-byte-aligned
				    registers, index = offset >> 4 */
	uint64_t timer_deadline; /* virtual ns of next expiry; 0: none */
	uint64_t timer_period;	 /* ns; 0: one-shot */
	uint32_t pending_nmi;
	uint32_t wait_for_sipi;
};
_Static_assert(sizeof(struct vlapic_save) == 8 + 256 + 16 + 8,
	       "vlapic save layout");

void vlapic_save(struct vlapic *l, struct vlapic_save *out);
int vlapic_load(struct vlapic *l, const struct vlapic_save *in);

#endif
