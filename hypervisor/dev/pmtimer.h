/*
 * ACPI power-management timer (3.579545 MHz, 24-bit or 32-bit per the
 * FADT's TMR_VAL_EXT, which we set: 32-bit) and the PM1a event block
 * (PM1_STS / PM1_EN, 16 bits each) with PM1a control (SCI_EN, SLP_TYP,
 * SLP_EN). TMR_STS is set when the counter's bit 31 (bit 23 in 24-bit
 * mode) toggles; with TMR_EN it raises the SCI (level, GSI 9). Writing
 * 1 to a status bit clears it. Spec: ACPI 6.x §4.8.3.
 *
 * Ports follow Xen's ACPI layout (the DSDT/FADT will name them):
 * PM1a_EVT_BLK 0x1f40 (4 bytes), PM1a_CNT_BLK 0x1f44 (2), PM_TMR_BLK
 * 0x1f48 (4).
 *
 * Locking: internal lock; ops are called with it held.
 */
#ifndef KXEN_PMTIMER_H
#define KXEN_PMTIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "irq_types.h"
#include "vtimer.h"

#define PMTIMER_HZ 3579545ull
#define PM1A_EVT_PORT 0x1f40
#define PM1A_CNT_PORT 0x1f44
#define PM_TMR_PORT 0x1f48
#define PM_SCI_GSI 9

struct pmtimer;

struct pmtimer_ops {
	irq_line_fn sci; /* line PM_SCI_GSI */
	/* SLP_EN written with SLP_TYP: the guest asks to sleep/power off
	 * (the S5 encoding is the DSDT's; the core decides). */
	void (*sleep)(void *ctx, unsigned slp_typ);
};

struct pmtimer *pmtimer_create(uint32_t domid, struct vtimer_service *timers,
			       const struct pmtimer_ops *ops, void *ctx);
void pmtimer_destroy(struct pmtimer *t);
void pmtimer_reset(struct pmtimer *t);

/* Port handler for the three blocks above (io_dispatch.h). */
int pmtimer_io(void *opaque, uint64_t port, unsigned size, bool is_write,
	       uint64_t *val);

/* Press the ACPI fixed power button: PM1_STS.PWRBTN_STS, and the SCI
 * if the guest set PM1_EN.PWRBTN_EN. Returns whether it had. */
bool pmtimer_power_button(struct pmtimer *t);

struct pmtimer_save {
	uint64_t base_vclock; /* virtual ns at which the counter was 0 */
	uint16_t pm1_sts;
	uint16_t pm1_en;
	uint16_t pm1_cnt;
	uint16_t pad;
};
_Static_assert(sizeof(struct pmtimer_save) == 16, "pm layout");

void pmtimer_save(struct pmtimer *t, struct pmtimer_save *out);
int pmtimer_load(struct pmtimer *t, const struct pmtimer_save *in);

#endif
