/*
 * Motorola MC146818 real-time clock and CMOS RAM at 0x70 (index, bit 7 =
 * NMI mask) / 0x71 (data), 128 bytes: time and date registers in BCD or
 * binary and 12/24-hour mode, register A (update-in-progress, rate
 * select, divider), B (SET, PIE, AIE, UIE, DM, 24/12, DSE), C (IRQF, PF,
 * AF, UF; cleared on read), D (VRT), and interrupts on ISA IRQ 8:
 * periodic, alarm (with don't-care bytes) and update-ended.
 * Datasheet: MC146818A.
 *
 * Time is kept as (base seconds, virtual-clock time of the base), so the
 * RTC advances with the domain's clock and stops while it is paused;
 * it starts at host time plus the domain's offset.
 *
 * Locking: internal lock; irq() is called with it held.
 */
#ifndef KXEN_VRTC_H
#define KXEN_VRTC_H

#include <stdbool.h>
#include <stdint.h>

#include "irq_types.h"
#include "vtimer.h"

struct vrtc;

/* irq(ctx, 8, level) drives ISA IRQ 8. offset_s: added to host UTC. */
struct vrtc *vrtc_create(uint32_t domid, struct vtimer_service *timers,
			 irq_line_fn irq, void *ctx, int64_t offset_s);
void vrtc_destroy(struct vrtc *r);
void vrtc_reset(struct vrtc *r);

/* Port handler for 0x70-0x71 (io_dispatch.h). */
int vrtc_io(void *opaque, uint64_t port, unsigned size, bool is_write,
	    uint64_t *val);

/* Toolstack-side CMOS contents (memory size bytes etc.) before boot. */
int vrtc_set_cmos(struct vrtc *r, unsigned index, uint8_t value);

/* Seconds since the epoch the guest's RTC shows now (for tests/logs). */
int64_t vrtc_time(struct vrtc *r);

struct vrtc_save {
	uint8_t cmos[128];    /* registers 0x0a-0x0d and RAM; time regs
				 are derived from base_time */
	int64_t base_time;    /* seconds since the epoch at base_vclock */
	uint64_t base_vclock; /* virtual ns */
	uint8_t index;
	uint8_t pad[7];
};
_Static_assert(sizeof(struct vrtc_save) == 128 + 24, "rtc save layout");

void vrtc_save(struct vrtc *r, struct vrtc_save *out);
int vrtc_load(struct vrtc *r, const struct vrtc_save *in);

#endif
