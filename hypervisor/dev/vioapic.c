/*
 * Virtual Intel 82093AA I/O APIC (datasheet order 290566-001, sections
 * 3.0-3.2): 24 redirection entries behind an index/data register pair.
 *
 * The device knows no bus: pin levels come from the wire layer through
 * vioapic_set_irq(), EOIs from the LAPICs through vioapic_eoi(), and
 * interrupt messages leave through ops->deliver(). Delivery is immediate
 * (the APIC bus is not modelled), so the delivery status bit always
 * reads 0: no message is ever left pending on the bus.
 *
 * Locking: none. The wire layer holds the domain's irq lock around every
 * entry point, and ops->deliver runs under it, so ops->deliver must not
 * call back into this device.
 */
#include "dev/vioapic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Memory-mapped registers (section 3.0, table 1); only 32-bit accesses
 * to these two are defined. */
#define REG_IOREGSEL 0x00
#define REG_IOWIN 0x10

/* Indirect register indexes (section 3.0, table 2). */
#define IDX_ID 0x00
#define IDX_VER 0x01
#define IDX_ARB 0x02
#define IDX_REDTBL 0x10
#define IDX_REDTBL_END (IDX_REDTBL + 2 * VIOAPIC_PINS)

/* IOAPICID bits 27:24 (section 3.2.1); the rest is reserved. */
#define ID_MASK 0x0f000000u
/* IOAPICVER (section 3.2.2): maximum redirection entry 23 in bits
 * 23:16, version 0x11 in bits 7:0. */
#define VER_VALUE (((uint32_t)(VIOAPIC_PINS - 1) << 16) | 0x11u)
/* IOREGSEL bits 7:0 select the register, 31:8 are reserved (3.1.1). */
#define IOREGSEL_MASK 0xffu

/* Redirection table entry fields (section 3.2.4). */
#define RTE_VECTOR 0xffull
#define RTE_DELMODE_SHIFT 8
#define RTE_DELMODE (7ull << RTE_DELMODE_SHIFT)
#define RTE_DESTMODE (1ull << 11)
#define RTE_DELIVS (1ull << 12)
#define RTE_POLARITY (1ull << 13) /* 1: active low */
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_TRIGGER (1ull << 15) /* 1: level */
#define RTE_MASK (1ull << 16)
#define RTE_DEST_SHIFT 56
#define RTE_DEST (0xffull << RTE_DEST_SHIFT)

/* What the guest can write; bits 55:17 are reserved and read as 0. */
#define RTE_WRITABLE                                                           \
	(RTE_VECTOR | RTE_DELMODE | RTE_DESTMODE | RTE_POLARITY |              \
	 RTE_TRIGGER | RTE_MASK | RTE_DEST)
/* Everything the device itself may hold in an entry. */
#define RTE_VALID (RTE_WRITABLE | RTE_REMOTE_IRR)
/* Reset value: masked, edge, active high, vector 0 (section 3.2.4). */
#define RTE_RESET RTE_MASK

#define ALL_PINS ((1u << VIOAPIC_PINS) - 1)

struct vioapic {
	uint32_t domid;
	const struct vioapic_ops *ops;
	void *ctx;
	uint32_t id;	   /* IOAPICID, bits 27:24 only */
	uint32_t ioregsel; /* bits 7:0 only */
	uint64_t redir[VIOAPIC_PINS];
	uint32_t pin_level; /* bit n: wire level last given for pin n */
};

static unsigned rte_delmode(uint64_t rte)
{
	return (unsigned)((rte & RTE_DELMODE) >> RTE_DELMODE_SHIFT);
}

/*
 * Remote IRR only exists for fixed and lowest-priority messages: section
 * 3.2.4 says SMI, NMI, INIT and ExtINT are treated as (or must be
 * programmed) edge triggered, so those pins fire once per asserting
 * edge whatever the trigger bit says.
 */
static bool rte_level_sensitive(uint64_t rte)
{
	unsigned dm = rte_delmode(rte);

	return (rte & RTE_TRIGGER) &&
	       (dm == LAPIC_DM_FIXED || dm == LAPIC_DM_LOWEST);
}

/* Delivery modes 011 and 110 are reserved (section 3.2.4): never sent. */
static bool rte_deliverable_mode(uint64_t rte)
{
	unsigned dm = rte_delmode(rte);

	return dm != 3 && dm != LAPIC_DM_STARTUP;
}

/* The pin's input after the polarity inverter (section 3.2.4, bit 13). */
static bool pin_asserted(const struct vioapic *a, unsigned pin)
{
	bool wire = (a->pin_level >> pin) & 1;

	return wire != !!(a->redir[pin] & RTE_POLARITY);
}

/* Send the pin's message on the (virtual) APIC bus. The caller checked
 * the mask. State is updated before ops->deliver is called. */
static void send_msg(struct vioapic *a, unsigned pin)
{
	uint64_t rte = a->redir[pin];
	struct lapic_irq irq;

	if (!rte_deliverable_mode(rte))
		return;
	if (rte_level_sensitive(rte))
		a->redir[pin] |= RTE_REMOTE_IRR; /* LAPIC accepted it */
	memset(&irq, 0, sizeof(irq));
	irq.vector = (uint8_t)(rte & RTE_VECTOR);
	irq.delivery = (uint8_t)rte_delmode(rte);
	irq.logical = (rte & RTE_DESTMODE) != 0;
	irq.level = (rte & RTE_TRIGGER) != 0;
	irq.assert = true;
	irq.shorthand = LAPIC_SH_NONE;
	irq.dest = (uint32_t)(rte >> RTE_DEST_SHIFT);
	irq.src_vcpu = -1;
	if (a->ops && a->ops->deliver)
		a->ops->deliver(a->ctx, &irq);
}

/*
 * A level-sensitive pin sends while its input is asserted, it is
 * unmasked and no EOI is outstanding (remote IRR clear). Called whenever
 * one of those three may have changed.
 */
static void level_service(struct vioapic *a, unsigned pin)
{
	uint64_t rte = a->redir[pin];

	if (!rte_level_sensitive(rte) || (rte & (RTE_MASK | RTE_REMOTE_IRR)))
		return;
	if (pin_asserted(a, pin))
		send_msg(a, pin);
}

struct vioapic *vioapic_create(uint32_t domid, const struct vioapic_ops *ops,
			       void *ctx)
{
	struct vioapic *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->domid = domid;
	a->ops = ops;
	a->ctx = ctx;
	vioapic_reset(a);
	return a;
}

void vioapic_destroy(struct vioapic *a)
{
	free(a);
}

/*
 * The pin levels are inputs driven by the wire layer, not IOAPIC state,
 * so a reset keeps them: with every pin masked they cause nothing until
 * the guest programs an entry again.
 */
void vioapic_reset(struct vioapic *a)
{
	unsigned pin;

	a->id = 0;
	a->ioregsel = 0;
	for (pin = 0; pin < VIOAPIC_PINS; pin++)
		a->redir[pin] = RTE_RESET;
}

void vioapic_set_irq(struct vioapic *a, unsigned pin, bool level)
{
	bool was;

	if (pin >= VIOAPIC_PINS)
		return;
	was = pin_asserted(a, pin);
	if (level)
		a->pin_level |= 1u << pin;
	else
		a->pin_level &= ~(1u << pin);
	if (rte_level_sensitive(a->redir[pin])) {
		level_service(a, pin);
		return;
	}
	/* Edge: only a rising edge seen while unmasked counts; an edge
	 * that arrives masked is lost, as on the 82093AA. */
	if (!was && pin_asserted(a, pin) && !(a->redir[pin] & RTE_MASK))
		send_msg(a, pin);
}

void vioapic_eoi(struct vioapic *a, uint8_t vector)
{
	unsigned pin;

	for (pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t rte = a->redir[pin];

		if (!(rte & RTE_REMOTE_IRR) || (rte & RTE_VECTOR) != vector)
			continue;
		a->redir[pin] &= ~RTE_REMOTE_IRR;
		level_service(a, pin);
	}
}

static uint32_t read_index(const struct vioapic *a, uint32_t idx)
{
	if (idx >= IDX_REDTBL && idx < IDX_REDTBL_END) {
		uint64_t rte = a->redir[(idx - IDX_REDTBL) / 2];

		return (uint32_t)(idx & 1 ? rte >> 32 : rte);
	}
	switch (idx) {
	case IDX_ID:
		return a->id;
	case IDX_VER:
		return VER_VALUE;
	case IDX_ARB:
		/* Arbitration ID (3.2.3): loaded from the APIC ID; no
		 * serial bus is modelled, so it simply follows it. */
		return a->id;
	default:
		return 0; /* undefined index: reads as nothing there */
	}
}

/*
 * Write one half of a redirection entry. Delivery status and remote IRR
 * are read-only (section 3.2.4), reserved bits stay 0.
 */
static void write_redir(struct vioapic *a, unsigned pin, bool high,
			uint32_t val)
{
	unsigned shift = high ? 32 : 0;
	uint64_t half = 0xffffffffull << shift;
	uint64_t rte = a->redir[pin];

	rte = (rte & ~(half & RTE_WRITABLE)) |
	      (((uint64_t)val << shift) & half & RTE_WRITABLE);
	/* Remote IRR is undefined for edge entries; clear it so a pin
	 * switched back to level does not wait for an EOI that will never
	 * come. */
	if (!(rte & RTE_TRIGGER))
		rte &= ~RTE_REMOTE_IRR;
	a->redir[pin] = rte;
	/* Unmasking (or switching to level) an asserted level pin sends. */
	level_service(a, pin);
}

static void write_index(struct vioapic *a, uint32_t idx, uint32_t val)
{
	if (idx >= IDX_REDTBL && idx < IDX_REDTBL_END) {
		write_redir(a, (idx - IDX_REDTBL) / 2, idx & 1, val);
		return;
	}
	if (idx == IDX_ID)
		a->id = val & ID_MASK;
	/* IOAPICVER, IOAPICARB and undefined indexes are read-only. */
}

/* All ones of the access width, what an unbacked access reads. */
static uint64_t ones(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

int vioapic_mmio(void *opaque, uint64_t addr, unsigned size, bool is_write,
		 uint64_t *val)
{
	struct vioapic *a = opaque;
	uint64_t off = addr - VIOAPIC_BASE;

	/* Section 3.0: only 32-bit accesses to IOREGSEL and IOWIN are
	 * defined; anything else reads all ones and writes are dropped. */
	if (addr < VIOAPIC_BASE || size != 4 ||
	    (off != REG_IOREGSEL && off != REG_IOWIN)) {
		if (!is_write)
			*val = ones(size);
		return 0;
	}
	if (off == REG_IOREGSEL) {
		if (is_write)
			a->ioregsel = (uint32_t)*val & IOREGSEL_MASK;
		else
			*val = a->ioregsel;
	} else if (is_write) {
		write_index(a, a->ioregsel, (uint32_t)*val);
	} else {
		*val = read_index(a, a->ioregsel);
	}
	return 0;
}

void vioapic_save(struct vioapic *a, struct vioapic_save *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->redir, a->redir, sizeof(out->redir));
	out->id = a->id;
	out->ioregsel = a->ioregsel;
	out->pin_level = a->pin_level;
}

static bool redir_valid(uint64_t rte)
{
	if (rte & ~RTE_VALID)
		return false; /* reserved bits or delivery status set */
	return !(rte & RTE_REMOTE_IRR) || (rte & RTE_TRIGGER);
}

/*
 * Only a state this device could have reached is accepted; -EINVAL
 * leaves the device unchanged. pin_level is the wire level last given
 * to vioapic_set_irq. Loading sends nothing: a saved state never holds
 * an unsent level interrupt, and the LAPICs may not be loaded yet.
 */
int vioapic_load(struct vioapic *a, const struct vioapic_save *in)
{
	unsigned pin;

	if ((in->id & ~ID_MASK) || (in->ioregsel & ~IOREGSEL_MASK) ||
	    (in->pin_level & ~ALL_PINS) || in->pad)
		return -EINVAL;
	for (pin = 0; pin < VIOAPIC_PINS; pin++)
		if (!redir_valid(in->redir[pin]))
			return -EINVAL;
	memcpy(a->redir, in->redir, sizeof(a->redir));
	a->id = in->id;
	a->ioregsel = in->ioregsel;
	a->pin_level = in->pin_level;
	return 0;
}
