/*
 * IA-PC HPET 1.0a at 0xfed00000: 64-bit main counter at 10 MHz (period
 * 100 ns = 100000000 fs), 3 timers (64-bit and periodic capable), one-shot and
 * periodic with comparator catch-up, 32-bit mode, level/edge, routing to IOAPIC
 * GSIs (capabilities: timers 0-1 on GSI 2, 8, 20-23; timer 2 on 11, 20-23) and
 * legacy replacement (timer 0 to ISA IRQ 0 and timer 1 to ISA IRQ 8, replacing
 * the PIT and RTC). FSB (MSI) delivery is not offered. 32- and 64-bit aligned
 * accesses; other widths read as all ones and are ignored on write. Spec: IA-PC
 * HPET 1.0a, sections 2.3-2.4.
 *
 * Locking: internal lock; irq() and legacy() are called with it held.
 */
#ifndef KXEN_VHPET_H
#define KXEN_VHPET_H

#include <stdbool.h>
#include <stdint.h>

#include "irq_types.h"
#include "vtimer.h"

#define VHPET_BASE 0xfed00000ull
#define VHPET_SIZE 0x400ull
#define VHPET_TIMERS 3
#define VHPET_FREQ_HZ 10000000ull

struct vhpet;

/*
 * irq(ctx, line, level): line is an IOAPIC GSI (legacy routing: ISA 0
 * and 8 via legacy_irq()). legacy(ctx, on): legacy replacement route
 * switched, so the wire layer disconnects the PIT and RTC outputs.
 */
struct vhpet_ops {
	irq_line_fn gsi;
	irq_line_fn legacy_irq; /* line 0 or 8, ISA numbering */
	void (*legacy)(void *ctx, bool on);
};

struct vhpet *vhpet_create(uint32_t domid, struct vtimer_service *timers,
			   const struct vhpet_ops *ops, void *ctx);
void vhpet_destroy(struct vhpet *h);
void vhpet_reset(struct vhpet *h);

int vhpet_mmio(void *opaque, uint64_t addr, unsigned size, bool is_write,
	       uint64_t *val);

struct vhpet_timer_save {
	uint64_t config;
	uint64_t comparator;
	uint64_t period; /* periodic increment */
};
struct vhpet_save {
	uint64_t config;      /* general configuration */
	uint64_t isr;	      /* general interrupt status */
	uint64_t counter;     /* main counter at base_vclock */
	uint64_t base_vclock; /* virtual ns (counter valid while halted) */
	struct vhpet_timer_save timer[VHPET_TIMERS];
};
_Static_assert(sizeof(struct vhpet_save) == 32 + 3 * 24, "hpet layout");

void vhpet_save(struct vhpet *h, struct vhpet_save *out);
int vhpet_load(struct vhpet *h, const struct vhpet_save *in);

#endif
