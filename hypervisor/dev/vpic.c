/*
 * Virtual 8259A pair (PC/AT wiring: slave INT on master IR2) and the
 * ELCR edge/level control registers at 0x4d0-0x4d1.
 *
 * References: Intel 8259A datasheet (order 231468), sections "Interrupt
 * Sequence", "Programming the 8259A" (ICW1-ICW4, OCW1-OCW3), "The
 * Special Fully Nest Mode", "Special Mask Mode", "Poll Command",
 * "Edge and Level Triggered Modes"; ELCR per the PIIX4 datasheet
 * section 4.1.10 (IRQ 0, 1, 2, 8 and 13 must stay edge-triggered).
 *
 * Model:
 * - pin_level holds each input's present level; IRR latches a rising
 *   edge (edge mode) or follows the level (level mode: ICW1.LTIM or the
 *   ELCR bit). An edge request stays latched after the input falls:
 *   the wire layer's IRQ_PULSE is an edge and must not be lost.
 * - Each chip's INT is combinational: initialised and some unmasked IRR
 *   bit outranks the in-service levels. The slave's INT drives master
 *   IR2 like any other input, so the master latches its rising edge.
 * - Only 8086 mode (vector = ICW2 base + IR) is modelled; ICW3's cascade
 *   bits are accepted but the wiring is the fixed PC/AT one.
 *
 * No locks: the wire layer serialises every entry point (vpic.h).
 */
#include "dev/vpic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PIC_MASTER_CMD 0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD 0xa0
#define PIC_SLAVE_DATA 0xa1
#define PIC_ELCR_MASTER 0x4d0
#define PIC_ELCR_SLAVE 0x4d1

#define CASCADE_IR 2

/* ICW1 (A0=0, D4=1). The stored icw1 keeps bits 3-0. */
#define ICW1_IC4 0x01  /* ICW4 follows */
#define ICW1_SNGL 0x02 /* single chip: no ICW3 */
#define ICW1_LTIM 0x08 /* all inputs level-triggered */
#define ICW1_SEL 0x10
#define ICW1_KEEP 0x0f

/* ICW4. The stored icw4 keeps bits 4-0. */
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
#define ICW4_KEEP 0x1f

/* OCW2 (A0=0, D4=0, D3=0): R, SL, EOI in bits 7-5, level in 2-0. */
#define OCW2_CMD(v) (((v) >> 5) & 7)
#define OCW2_ROT_AEOI_CLEAR 0 /* 000 */
#define OCW2_NS_EOI 1	      /* 001 */
#define OCW2_NOP 2	      /* 010 */
#define OCW2_S_EOI 3	      /* 011 */
#define OCW2_ROT_AEOI_SET 4   /* 100 */
#define OCW2_ROT_NS_EOI 5     /* 101 */
#define OCW2_SET_PRIO 6	      /* 110 */
#define OCW2_ROT_S_EOI 7      /* 111 */

/* OCW3 (A0=0, D4=0, D3=1). */
#define OCW3_SEL 0x08
#define OCW3_RIS 0x01
#define OCW3_RR 0x02
#define OCW3_P 0x04
#define OCW3_SMM 0x20
#define OCW3_ESMM 0x40

#define POLL_INT 0x80

/* ELCR bits that may be set: IRQ 0, 1, 2 (master) and 8, 13 (slave)
 * are hard-wired edge on the PC (PIIX4 4.1.10). */
static const uint8_t elcr_writable[2] = {0xf8, 0xde};

/* icw_step values: 0 initialised, 1 power-on (no ICW1 yet),
 * 2..4 waiting for ICW2..ICW4. */
enum { STEP_READY = 0, STEP_POWER_ON = 1, STEP_ICW2 = 2, STEP_ICW4 = 4 };

struct vpic {
	uint32_t domid;
	const struct vpic_ops *ops;
	void *ctx;
	bool out; /* master INTR as last reported */
	struct vpic_chip_save chip[2];
};

typedef struct vpic_chip_save chip_t;

static bool is_master(const struct vpic *p, const chip_t *c)
{
	return c == &p->chip[0];
}

static bool cascade_enabled(const struct vpic *p)
{
	return !(p->chip[0].icw1 & ICW1_SNGL);
}

static uint8_t level_mask(const chip_t *c)
{
	return (c->icw1 & ICW1_LTIM) ? 0xff : c->elcr;
}

/* Level-mode inputs: the request latch is transparent ("priority cell"
 * figure), so IRR is the input level. */
static void resync_level_irr(chip_t *c)
{
	uint8_t lm = level_mask(c);

	c->irr = (uint8_t)((c->irr & ~lm) | (c->pin_level & lm));
}

static void set_pin(chip_t *c, unsigned ir, bool level)
{
	uint8_t bit = (uint8_t)(1u << ir);
	bool old = c->pin_level & bit;

	if (level)
		c->pin_level |= bit;
	else
		c->pin_level &= (uint8_t)~bit;
	if (level_mask(c) & bit)
		resync_level_irr(c);
	else if (level && !old)
		c->irr |= bit;
}

/* The IR at priority rank i (0 = highest) after rotation. */
static unsigned rank_ir(const chip_t *c, unsigned i)
{
	return (c->priority_base + 1u + i) & 7u;
}

/*
 * Highest-priority request that may interrupt, or -1. In-service levels
 * block themselves and everything below, except: in special mask mode
 * the ISR has no bearing ("enables interrupts from all other levels,
 * lower as well as higher, that are not masked"), and in special fully
 * nested mode the master's cascade input is not locked out by its own
 * in-service bit, so a higher slave request gets through.
 */
static int highest_request(const struct vpic *p, const chip_t *c)
{
	uint8_t pending = c->irr & (uint8_t)~c->imr;
	uint8_t blocked = c->special_mask ? 0 : c->isr;
	bool sfnm =
	    is_master(p, c) && c->special_fully_nested && cascade_enabled(p);

	for (unsigned i = 0; i < 8; i++) {
		unsigned ir = rank_ir(c, i);
		uint8_t bit = (uint8_t)(1u << ir);

		if (blocked & bit)
			return (sfnm && ir == CASCADE_IR && (pending & bit))
				   ? (int)ir
				   : -1;
		if (pending & bit)
			return (int)ir;
	}
	return -1;
}

static bool chip_int(const struct vpic *p, const chip_t *c)
{
	return c->icw_step == STEP_READY && highest_request(p, c) >= 0;
}

/* Recompute the cascade and the master's INTR after any state change,
 * and tell the CPU side when INTR moved. */
static void update(struct vpic *p)
{
	bool out;

	set_pin(&p->chip[0], CASCADE_IR, chip_int(p, &p->chip[1]));
	out = chip_int(p, &p->chip[0]);
	if (out == p->out)
		return;
	p->out = out;
	if (p->ops && p->ops->output)
		p->ops->output(p->ctx, out);
}

/*
 * Acknowledge ir (INTA or poll): "the highest priority ISR bit is set and
 * the corresponding IRR bit is reset" (Interrupt Sequence); a level
 * input re-requests at once through the transparent latch. In auto-EOI
 * the ISR bit is cleared again at the end of the sequence, rotating if
 * "rotate in automatic EOI mode" is set (OCW2 R=1 SL=0 EOI=0).
 */
static void ack(chip_t *c, unsigned ir)
{
	uint8_t bit = (uint8_t)(1u << ir);

	c->irr &= (uint8_t)~bit;
	resync_level_irr(c);
	if (!(c->icw4 & ICW4_AEOI))
		c->isr |= bit;
	else if (c->rotate_on_aeoi)
		c->priority_base = (uint8_t)ir;
}

/* ICW1: "the edge sense circuit is reset", IMR cleared, IR7 lowest
 * priority, special mask mode cleared, read IRR selected, and with
 * IC4=0 every ICW4 function is zero. We also clear ISR, poll and
 * rotate-in-AEOI: a guest re-initialising (kexec, warm reboot) must not
 * inherit a stale in-service level that would lock it out. */
static void write_icw1(chip_t *c, uint8_t v)
{
	c->icw1 = v & ICW1_KEEP;
	c->icw4 = 0;
	c->imr = 0;
	c->isr = 0;
	c->irr = 0;
	resync_level_irr(c);
	c->priority_base = 7;
	c->special_mask = 0;
	c->read_isr = 0;
	c->poll = 0;
	c->rotate_on_aeoi = 0;
	c->special_fully_nested = 0;
	c->icw_step = STEP_ICW2;
}

static uint8_t step_after(const chip_t *c, uint8_t step)
{
	if (step == STEP_ICW2 && !(c->icw1 & ICW1_SNGL))
		return 3;
	if (step < STEP_ICW4 && (c->icw1 & ICW1_IC4))
		return STEP_ICW4;
	return STEP_READY;
}

/* A0=1 writes: ICW2-ICW4 while initialising, else OCW1 (the IMR). */
static void write_data(chip_t *c, uint8_t v)
{
	switch (c->icw_step) {
	case STEP_ICW2:
		c->vector_base = v & 0xf8; /* 8086 mode: T7-T3 */
		break;
	case 3:
		break; /* ICW3: the PC/AT wiring is fixed */
	case STEP_ICW4:
		c->icw4 = v & ICW4_KEEP;
		c->special_fully_nested = !!(v & ICW4_SFNM);
		break;
	default:
		c->imr = v;
		return;
	}
	c->icw_step = step_after(c, c->icw_step);
}

/* Highest in-service level, the one a non-specific EOI resets. "An IS bit
 * that is masked by an IMR bit will not be cleared by a non-specific EOI
 * if the 8259A is in the Special Mask Mode." */
static int highest_isr(const chip_t *c)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned ir = rank_ir(c, i);
		uint8_t bit = (uint8_t)(1u << ir);

		if ((c->isr & bit) && !(c->special_mask && (c->imr & bit)))
			return (int)ir;
	}
	return -1;
}

static void eoi(chip_t *c, int ir, bool rotate)
{
	if (ir < 0)
		return;
	c->isr &= (uint8_t) ~(1u << ir);
	if (rotate)
		c->priority_base = (uint8_t)ir; /* just-served IR goes last */
}

/* OCW2: EOI and rotation commands, datasheet table "OCW2". */
static void write_ocw2(chip_t *c, uint8_t v)
{
	uint8_t level = v & 7;

	switch (OCW2_CMD(v)) {
	case OCW2_ROT_AEOI_CLEAR:
		c->rotate_on_aeoi = 0;
		break;
	case OCW2_ROT_AEOI_SET:
		c->rotate_on_aeoi = 1;
		break;
	case OCW2_NS_EOI:
		eoi(c, highest_isr(c), false);
		break;
	case OCW2_ROT_NS_EOI:
		eoi(c, highest_isr(c), true);
		break;
	case OCW2_S_EOI:
		eoi(c, level, false);
		break;
	case OCW2_ROT_S_EOI:
		eoi(c, level, true);
		break;
	case OCW2_SET_PRIO:
		c->priority_base = level;
		break;
	case OCW2_NOP:
	default:
		break;
	}
}

/* OCW3: special mask mode (ESMM+SMM), poll (P) and the register that
 * A0=0 reads return (RR+RIS); each field changes only when enabled. */
static void write_ocw3(chip_t *c, uint8_t v)
{
	if (v & OCW3_ESMM)
		c->special_mask = !!(v & OCW3_SMM);
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
	c->poll = !!(v & OCW3_P);
}

static void write_cmd(chip_t *c, uint8_t v)
{
	if (v & ICW1_SEL) {
		write_icw1(c, v);
		return;
	}
	/* OCWs during ICW2-ICW4 are a guest bug: the sequence wins. */
	if (c->icw_step >= STEP_ICW2)
		return;
	if (v & OCW3_SEL)
		write_ocw3(c, v);
	else
		write_ocw2(c, v);
}

/* Poll command: this read is the acknowledge; returns I (bit 7) and the
 * level W2-W0, or 0 when nothing is requesting. */
static uint8_t poll_read(struct vpic *p, chip_t *c)
{
	int ir = c->icw_step == STEP_READY ? highest_request(p, c) : -1;

	c->poll = 0;
	if (ir < 0)
		return 0;
	ack(c, (unsigned)ir);
	return (uint8_t)(POLL_INT | ir);
}

static uint8_t chip_read(struct vpic *p, chip_t *c, bool data)
{
	if (c->poll)
		return poll_read(p, c);
	if (data)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

static void elcr_write(struct vpic *p, unsigned i, uint8_t v)
{
	chip_t *c = &p->chip[i];

	c->elcr = v & elcr_writable[i];
	resync_level_irr(c);
}

/* One byte at port; returns false for ports that are not ours. */
static bool port_read(struct vpic *p, uint64_t port, uint8_t *b)
{
	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_MASTER_DATA:
		*b = chip_read(p, &p->chip[0], port & 1);
		return true;
	case PIC_SLAVE_CMD:
	case PIC_SLAVE_DATA:
		*b = chip_read(p, &p->chip[1], port & 1);
		return true;
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE:
		*b = p->chip[port & 1].elcr;
		return true;
	}
	return false;
}

static void port_write(struct vpic *p, uint64_t port, uint8_t b)
{
	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_SLAVE_CMD:
		write_cmd(&p->chip[port == PIC_SLAVE_CMD], b);
		break;
	case PIC_MASTER_DATA:
	case PIC_SLAVE_DATA:
		write_data(&p->chip[port == PIC_SLAVE_DATA], b);
		break;
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE:
		elcr_write(p, port & 1, b);
		break;
	}
}

static uint64_t ones(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/*
 * The ISA bus carries one byte to these 8-bit registers: a wider access
 * touches only the byte at the addressed port, and the other bytes of a
 * read float high.
 */
int vpic_io(void *opaque, uint64_t port, unsigned size, bool is_write,
	    uint64_t *val)
{
	struct vpic *p = opaque;
	uint8_t b = 0xff;

	if (!p || !val)
		return -EINVAL;
	if (is_write) {
		port_write(p, port, (uint8_t)*val);
	} else {
		port_read(p, port, &b);
		*val = (ones(size) & ~0xffull) | b;
	}
	update(p);
	return 0;
}

void vpic_set_irq(struct vpic *p, unsigned irq, bool level)
{
	/* IRQ 2 is the cascade, driven only by the slave's INT. */
	if (!p || irq > 15 || irq == CASCADE_IR)
		return;
	set_pin(&p->chip[irq >> 3], irq & 7, level);
	update(p);
}

/* INTA to the slave (master IR2 in service): its vector, or the default
 * IR7 without an ISR bit when its request went away. */
static int slave_intack(struct vpic *p)
{
	chip_t *s = &p->chip[1];
	int ir = s->icw_step == STEP_READY ? highest_request(p, s) : -1;

	/* The slave's INT falls during the sequence; whatever is still
	 * pending afterwards is a fresh edge on master IR2. */
	p->chip[0].pin_level &= (uint8_t) ~(1u << CASCADE_IR);
	if (ir < 0)
		return s->vector_base + 7;
	ack(s, (unsigned)ir);
	return s->vector_base + ir;
}

int vpic_intack(struct vpic *p)
{
	chip_t *m;
	int ir, vec;

	if (!p || !p->out)
		return -1;
	m = &p->chip[0];
	ir = highest_request(p, m);
	if (ir < 0) /* INTR is computed from the same state: defensive */
		return m->vector_base + 7;
	ack(m, (unsigned)ir);
	if (ir == CASCADE_IR && cascade_enabled(p))
		vec = slave_intack(p);
	else
		vec = m->vector_base + ir;
	update(p);
	return vec;
}

bool vpic_output(struct vpic *p)
{
	return p && p->out;
}

bool vpic_irq_is_level(struct vpic *p, unsigned irq)
{
	if (!p || irq > 15)
		return false;
	return p->chip[irq >> 3].elcr & (1u << (irq & 7));
}

/* Power-on: no ICW1 yet (INT stays low until the guest initialises),
 * IMR 0, ELCR all edge. Input levels belong to the sources and stay. */
static void chip_reset(chip_t *c)
{
	uint8_t pins = c->pin_level;

	memset(c, 0, sizeof(*c));
	c->pin_level = pins;
	c->icw_step = STEP_POWER_ON;
	c->priority_base = 7;
}

void vpic_reset(struct vpic *p)
{
	if (!p)
		return;
	chip_reset(&p->chip[0]);
	chip_reset(&p->chip[1]);
	update(p);
}

struct vpic *vpic_create(uint32_t domid, const struct vpic_ops *ops, void *ctx)
{
	struct vpic *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->domid = domid;
	p->ops = ops;
	p->ctx = ctx;
	vpic_reset(p);
	return p;
}

void vpic_destroy(struct vpic *p)
{
	free(p);
}

void vpic_save(struct vpic *p, struct vpic_save *out)
{
	if (!p || !out)
		return;
	memcpy(out->chip, p->chip, sizeof(out->chip));
	out->chip[0].pad = 0;
	out->chip[1].pad = 0;
}

static bool is_bool(uint8_t v)
{
	return v <= 1;
}

static bool step_valid(const chip_t *c)
{
	if (c->icw_step > STEP_ICW4)
		return false;
	if (c->icw_step == 3 && (c->icw1 & ICW1_SNGL))
		return false;
	return c->icw_step != STEP_ICW4 || (c->icw1 & ICW1_IC4);
}

static bool chip_valid(const chip_t *c, unsigned i)
{
	uint8_t lm = (c->icw1 & ICW1_LTIM) ? 0xff : c->elcr;

	return step_valid(c) && !(c->vector_base & 7) &&
	       !(c->icw1 & ~ICW1_KEEP) && !(c->icw4 & ~ICW4_KEEP) &&
	       is_bool(c->read_isr) && is_bool(c->poll) &&
	       is_bool(c->special_mask) && is_bool(c->rotate_on_aeoi) &&
	       c->priority_base <= 7 &&
	       c->special_fully_nested == !!(c->icw4 & ICW4_SFNM) &&
	       !(c->elcr & ~elcr_writable[i]) && c->pad == 0 &&
	       ((c->irr ^ c->pin_level) & lm) == 0;
}

int vpic_load(struct vpic *p, const struct vpic_save *in)
{
	if (!p || !in || !chip_valid(&in->chip[0], 0) ||
	    !chip_valid(&in->chip[1], 1))
		return -EINVAL;
	memcpy(p->chip, in->chip, sizeof(p->chip));
	update(p);
	return 0;
}
