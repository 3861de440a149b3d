/*
 * Two Intel 8259A PICs in cascade (master 0x20-0x21, slave 0xa0-0xa1,
 * slave on master IR2) plus the ELCR edge/level registers (0x4d0-0x4d1),
 * as on a PC/AT. Datasheet: Intel 8259A; ELCR: PIIX4 / EISA.
 *
 * Locking: none inside. The wire layer (irq.c) serialises every call
 * with the domain's irq lock, and ops->output is called under it.
 */
#ifndef KXEN_VPIC_H
#define KXEN_VPIC_H

#include <stdbool.h>
#include <stdint.h>

struct vpic;

struct vpic_ops {
	/* The master's INTR output changed to level. */
	void (*output)(void *ctx, bool level);
};

struct vpic *vpic_create(uint32_t domid, const struct vpic_ops *ops, void *ctx);
void vpic_destroy(struct vpic *p);
/* Power-on state: uninitialised, all masked? (8259A: IMR undefined; we
 * use 0 as other VMMs do), ELCR 0. */
void vpic_reset(struct vpic *p);

/* Pin irq (0-15) of the pair is now at level (the wire layer ORs the
 * sources); edge/level per ELCR and ICW1.LTIM. */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level);

/* Port handler for 0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1 (io_dispatch.h). */
int vpic_io(void *opaque, uint64_t port, unsigned size, bool is_write,
	    uint64_t *val);

/* INTR level of the master (what the CPU's INTR pin sees). */
bool vpic_output(struct vpic *p);

/*
 * The CPU's interrupt acknowledge cycle: returns the vector (ICW2 base +
 * IR), moving IRR to ISR (or not, in auto-EOI); a request that went away
 * yields the spurious IR7 (or IR7 of the slave). -1 when INTR is low.
 */
int vpic_intack(struct vpic *p);

/* Whether irq (0-15) is level-triggered per the ELCR. */
bool vpic_irq_is_level(struct vpic *p, unsigned irq);

/* Save record: the architectural state of both chips and the ELCR. */
struct vpic_chip_save {
	uint8_t irr, isr, imr;
	uint8_t vector_base; /* ICW2 & 0xf8 */
	uint8_t icw_step;    /* 0: initialised; 1: power-on, no ICW1 yet;
			      2..4: expecting ICWn */
	uint8_t icw1, icw4;  /* ICW1 bits 3-0, ICW4 bits 4-0 */
	uint8_t read_isr;    /* OCW3 RR/RIS: 1 reads ISR */
	uint8_t poll;	     /* OCW3 P pending */
	uint8_t special_mask;
	uint8_t rotate_on_aeoi;
	uint8_t priority_base; /* lowest-priority IR (rotation) */
	uint8_t special_fully_nested;
	uint8_t pin_level; /* last input levels (edge detection) */
	uint8_t elcr;
	uint8_t pad;
};
struct vpic_save {
	struct vpic_chip_save chip[2]; /* master, slave */
};
_Static_assert(sizeof(struct vpic_save) == 32, "vpic save layout");

void vpic_save(struct vpic *p, struct vpic_save *out);
/* Validates every field; -EINVAL leaves the device unchanged. */
int vpic_load(struct vpic *p, const struct vpic_save *in);

#endif
