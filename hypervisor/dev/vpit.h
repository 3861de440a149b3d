/*
 * Intel 8254 programmable interval timer at 0x40-0x43 (input clock
 * 1.193182 MHz), all six modes, counter latch and read-back, lo/hi byte
 * access, BCD; channel 0 drives ISA IRQ 0; channel 2's gate and output
 * appear in port 0x61 (bit 0 gate, bit 1 speaker data, bit 4 refresh
 * toggle, bit 5 OUT2) as on a PC/AT. Datasheet: Intel 8254 (231164).
 *
 * Counters are computed on read from the virtual clock; timers exist
 * only for channel 0's interrupt edges (periodic_timer.h in modes 2/3).
 *
 * Locking: an internal lock guards the state; irq() is called with it
 * held (lock order: device, then the wire layer's irq lock).
 */
#ifndef KXEN_VPIT_H
#define KXEN_VPIT_H

#include <stdbool.h>
#include <stdint.h>

#include "irq_types.h"
#include "vtimer.h"

#define VPIT_HZ 1193182ull

struct vpit;

/* irq(ctx, 0, level) drives ISA IRQ 0. */
struct vpit *vpit_create(uint32_t domid, struct vtimer_service *timers,
			 irq_line_fn irq, void *ctx);
void vpit_destroy(struct vpit *p);
void vpit_reset(struct vpit *p);

/* Port handler for 0x40-0x43 and 0x61 (io_dispatch.h). */
int vpit_io(void *opaque, uint64_t port, unsigned size, bool is_write,
	    uint64_t *val);

/*
 * Counting element (CE) model: ticks elapsed since the count was loaded
 * are base_ticks + ticks(now - load_time) while counting, base_ticks
 * alone while suspended (gate low, or no count loaded), so a gate that
 * stops and restarts counting needs no second time base.
 */
struct vpit_channel_save {
	uint64_t load_time;  /* virtual ns when counting (re)started */
	uint32_t count;	     /* count register, raw (0: 65536, BCD 10000) */
	uint16_t latched;    /* latched count */
	uint8_t latch_state; /* 0 none, 1 lo/word, 2 hi pending */
	uint8_t status_latched;
	uint8_t status;
	uint8_t mode;	 /* 0-5 */
	uint8_t rw_mode; /* 1 lsb, 2 msb, 3 lsb then msb */
	uint8_t bcd;
	uint8_t gate;
	uint8_t write_state; /* lo/hi byte sequencing */
	uint8_t read_state;
	uint8_t null_count;
	uint8_t write_lsb;
	uint8_t loaded;	    /* the CE holds a count (ce_count) */
	uint16_t ce_count;  /* raw count in the CE (differs from count
			       while a new one waits: modes 1, 2, 3, 5) */
	int32_t base_ticks; /* ticks counted before load_time; negative
			       (> -596591) when the origin is after it */
};
struct vpit_save {
	struct vpit_channel_save ch[3];
	uint8_t speaker; /* port 0x61 bit 1 */
	uint8_t pad[7];
};
_Static_assert(sizeof(struct vpit_channel_save) == 32, "pit ch layout");
_Static_assert(sizeof(struct vpit_save) == 104, "pit save layout");

void vpit_save(struct vpit *p, struct vpit_save *out);
int vpit_load(struct vpit *p, const struct vpit_save *in);

#endif
