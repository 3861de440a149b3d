/*
 * Suite "vioapic": the virtual 82093AA I/O APIC (hypervisor/dev/vioapic.c)
 * driven only through its public entry points, as the exit dispatcher,
 * the wire layer and the LAPICs drive it: MMIO at VIOAPIC_BASE,
 * vioapic_set_irq, vioapic_eoi, save/load. A recording ops->deliver
 * captures every message put on the APIC bus.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/vioapic.h"
#include "harness.h"

#define MAX_RECORDED 64

/* Redirection entry bits (82093AA section 3.2.4). */
#define DELIVS (1u << 12)
#define POL_LOW (1u << 13)
#define RIRR (1u << 14)
#define LEVEL (1u << 15)
#define MASKED (1u << 16)
#define LOGICAL (1u << 11)
#define DM(x) ((uint32_t)(x) << 8)

struct recorder {
	unsigned count;
	struct lapic_irq irq[MAX_RECORDED];
};

static void record_deliver(void *ctx, const struct lapic_irq *irq)
{
	struct recorder *r = ctx;

	if (r->count < MAX_RECORDED)
		r->irq[r->count] = *irq;
	r->count++;
}

static const struct vioapic_ops rec_ops = {.deliver = record_deliver};

static struct recorder rec;

static struct vioapic *new_ioapic(void)
{
	memset(&rec, 0, sizeof(rec));
	return vioapic_create(1, &rec_ops, &rec);
}

static uint64_t mmio_read(struct vioapic *a, uint64_t off, unsigned size)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aull;

	CU_ASSERT_EQUAL(vioapic_mmio(a, VIOAPIC_BASE + off, size, false, &v),
			0);
	return v;
}

static void mmio_write(struct vioapic *a, uint64_t off, unsigned size,
		       uint64_t v)
{
	CU_ASSERT_EQUAL(vioapic_mmio(a, VIOAPIC_BASE + off, size, true, &v), 0);
}

static uint32_t reg_read(struct vioapic *a, uint32_t idx)
{
	mmio_write(a, 0x00, 4, idx);
	return (uint32_t)mmio_read(a, 0x10, 4);
}

static void reg_write(struct vioapic *a, uint32_t idx, uint32_t v)
{
	mmio_write(a, 0x00, 4, idx);
	mmio_write(a, 0x10, 4, v);
}

static uint32_t rte_lo(struct vioapic *a, unsigned pin)
{
	return reg_read(a, 0x10 + 2 * pin);
}

static uint32_t rte_hi(struct vioapic *a, unsigned pin)
{
	return reg_read(a, 0x11 + 2 * pin);
}

/* Program a whole entry, high half first so the low half's write (which
 * may unmask) sees the final destination. */
static void rte_set(struct vioapic *a, unsigned pin, uint32_t lo, uint8_t dest)
{
	reg_write(a, 0x11 + 2 * pin, (uint32_t)dest << 24);
	reg_write(a, 0x10 + 2 * pin, lo);
}

static void test_id_version(void)
{
	struct vioapic *a = new_ioapic();

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(reg_read(a, 0x01), 0x00170011u);
	CU_ASSERT_EQUAL(reg_read(a, 0x00), 0);
	CU_ASSERT_EQUAL(reg_read(a, 0x02), 0);
	/* Only bits 27:24 of the ID are writable. */
	reg_write(a, 0x00, 0xffffffffu);
	CU_ASSERT_EQUAL(reg_read(a, 0x00), 0x0f000000u);
	reg_write(a, 0x00, 0x05000000u);
	CU_ASSERT_EQUAL(reg_read(a, 0x00), 0x05000000u);
	CU_ASSERT_EQUAL(reg_read(a, 0x02), 0x05000000u);
	/* Version and arbitration are read-only. */
	reg_write(a, 0x01, 0);
	reg_write(a, 0x02, 0x0a000000u);
	CU_ASSERT_EQUAL(reg_read(a, 0x01), 0x00170011u);
	CU_ASSERT_EQUAL(reg_read(a, 0x02), 0x05000000u);
	/* IOREGSEL keeps bits 7:0; undefined indexes read 0. */
	mmio_write(a, 0x00, 4, 0xabcdef12u);
	CU_ASSERT_EQUAL(mmio_read(a, 0x00, 4), 0x12);
	CU_ASSERT_EQUAL(reg_read(a, 0x03), 0);
	CU_ASSERT_EQUAL(reg_read(a, 0x40), 0);
	CU_ASSERT_EQUAL(reg_read(a, 0xff), 0);
	reg_write(a, 0x40, 0xffffffffu);
	CU_ASSERT_EQUAL(reg_read(a, 0x40), 0);
	/* Reset: ID 0, IOREGSEL 0. */
	vioapic_reset(a);
	CU_ASSERT_EQUAL(mmio_read(a, 0x00, 4), 0);
	CU_ASSERT_EQUAL(reg_read(a, 0x00), 0);
	CU_ASSERT_EQUAL(rec.count, 0);
	vioapic_destroy(a);
}

static void test_redir_rw(void)
{
	struct vioapic *a = new_ioapic();
	unsigned pin;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (pin = 0; pin < VIOAPIC_PINS; pin++) {
		CU_ASSERT_EQUAL(rte_lo(a, pin), MASKED);
		CU_ASSERT_EQUAL(rte_hi(a, pin), 0);
	}
	/* Every writable bit; reserved (55:17), delivery status and
	 * remote IRR read back 0. */
	for (pin = 0; pin < VIOAPIC_PINS; pin++) {
		reg_write(a, 0x10 + 2 * pin, 0xffffffffu);
		reg_write(a, 0x11 + 2 * pin, 0xffffffffu);
		CU_ASSERT_EQUAL(rte_lo(a, pin), 0x1afffu);
		CU_ASSERT_EQUAL(rte_hi(a, pin), 0xff000000u);
	}
	/* Halves are independent. */
	reg_write(a, 0x10 + 2 * 5, 0x00000a31u);
	CU_ASSERT_EQUAL(rte_lo(a, 5), 0xa31u);
	CU_ASSERT_EQUAL(rte_hi(a, 5), 0xff000000u);
	reg_write(a, 0x11 + 2 * 5, 0x12345678u);
	CU_ASSERT_EQUAL(rte_hi(a, 5), 0x12000000u);
	CU_ASSERT_EQUAL(rte_lo(a, 5), 0xa31u);
	CU_ASSERT_EQUAL(rte_lo(a, 4), 0x1afffu);
	/* Reset brings every entry back to masked, edge, vector 0. */
	vioapic_reset(a);
	for (pin = 0; pin < VIOAPIC_PINS; pin++) {
		CU_ASSERT_EQUAL(rte_lo(a, pin), MASKED);
		CU_ASSERT_EQUAL(rte_hi(a, pin), 0);
	}
	vioapic_destroy(a);
}

static void test_mmio_widths(void)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	struct vioapic *a = new_ioapic();
	uint64_t v;
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	reg_write(a, 0x00, 0x03000000u);
	mmio_write(a, 0x00, 4, 0x01);
	for (i = 0; i < 4; i++) {
		unsigned s = sizes[i];
		uint64_t ones = s == 8 ? ~0ull : (1ull << (8 * s)) - 1;

		if (s != 4) {
			CU_ASSERT_EQUAL(mmio_read(a, 0x00, s), ones);
			CU_ASSERT_EQUAL(mmio_read(a, 0x10, s), ones);
			mmio_write(a, 0x00, s, 0);
			mmio_write(a, 0x10, s, 0);
		}
		CU_ASSERT_EQUAL(mmio_read(a, 0x04, s), ones);
		CU_ASSERT_EQUAL(mmio_read(a, 0x14, s), ones);
		CU_ASSERT_EQUAL(mmio_read(a, 0x20, s), ones);
		CU_ASSERT_EQUAL(mmio_read(a, 0x40, s), ones);
		CU_ASSERT_EQUAL(mmio_read(a, 0xffc, s), ones);
		mmio_write(a, 0x40, s, 0); /* no EOI register in v0x11 */
	}
	/* Nothing above changed IOREGSEL or the version register. */
	CU_ASSERT_EQUAL(mmio_read(a, 0x00, 4), 0x01);
	CU_ASSERT_EQUAL(mmio_read(a, 0x10, 4), 0x00170011u);
	/* Out of the page on either side. */
	v = 0;
	CU_ASSERT_EQUAL(vioapic_mmio(a, VIOAPIC_BASE - 4, 4, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	CU_ASSERT_EQUAL(vioapic_mmio(a, VIOAPIC_BASE + 0x1010, 4, false, &v),
			0);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	v = 0;
	CU_ASSERT_EQUAL(vioapic_mmio(a, 0, 4, true, &v), 0);
	CU_ASSERT_EQUAL(reg_read(a, 0x00), 0x03000000u);
	vioapic_destroy(a);
}

static void test_edge(void)
{
	struct vioapic *a = new_ioapic();

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	rte_set(a, 3, 0x41, 2);
	vioapic_set_irq(a, 3, true);
	CU_ASSERT_EQUAL(rec.count, 1);
	CU_ASSERT_EQUAL(rec.irq[0].vector, 0x41);
	CU_ASSERT_EQUAL(rec.irq[0].dest, 2);
	CU_ASSERT_FALSE(rec.irq[0].level);
	/* Staying high or falling is no edge. */
	vioapic_set_irq(a, 3, true);
	vioapic_set_irq(a, 3, false);
	vioapic_set_irq(a, 3, false);
	CU_ASSERT_EQUAL(rec.count, 1);
	vioapic_set_irq(a, 3, true);
	CU_ASSERT_EQUAL(rec.count, 2);
	/* Edge entries never show remote IRR; EOI does nothing. */
	CU_ASSERT_EQUAL(rte_lo(a, 3) & RIRR, 0);
	vioapic_eoi(a, 0x41);
	CU_ASSERT_EQUAL(rec.count, 2);
	vioapic_set_irq(a, 3, false);
	/* An edge while masked is lost, also after unmasking. */
	reg_write(a, 0x10 + 6, 0x41 | MASKED);
	vioapic_set_irq(a, 3, true);
	CU_ASSERT_EQUAL(rec.count, 2);
	reg_write(a, 0x10 + 6, 0x41);
	CU_ASSERT_EQUAL(rec.count, 2);
	vioapic_set_irq(a, 3, false);
	vioapic_set_irq(a, 3, true);
	CU_ASSERT_EQUAL(rec.count, 3);
	/* Other pins and bad pin numbers are independent / ignored. */
	vioapic_set_irq(a, 4, true);
	vioapic_set_irq(a, VIOAPIC_PINS, true);
	vioapic_set_irq(a, ~0u, true);
	CU_ASSERT_EQUAL(rec.count, 3);
	vioapic_destroy(a);
}

static void test_level(void)
{
	struct vioapic *a = new_ioapic();

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	rte_set(a, 10, 0x51 | LEVEL, 1);
	vioapic_set_irq(a, 10, true);
	CU_ASSERT_EQUAL(rec.count, 1);
	CU_ASSERT_TRUE(rec.irq[0].level);
	CU_ASSERT_EQUAL(rec.irq[0].vector, 0x51);
	CU_ASSERT_EQUAL(rte_lo(a, 10), 0x51 | LEVEL | RIRR);
	/* Remote IRR is read-only: writing it 0 does not clear it. */
	reg_write(a, 0x10 + 20, 0x51 | LEVEL);
	CU_ASSERT_EQUAL(rte_lo(a, 10), 0x51 | LEVEL | RIRR);
	/* Waiting for the EOI: no second message. */
	vioapic_set_irq(a, 10, false);
	vioapic_set_irq(a, 10, true);
	CU_ASSERT_EQUAL(rec.count, 1);
	/* An EOI for another vector changes nothing. */
	vioapic_eoi(a, 0x52);
	CU_ASSERT_EQUAL(rec.count, 1);
	CU_ASSERT_EQUAL(rte_lo(a, 10) & RIRR, RIRR);
	/* Still asserted at the EOI: sent again. */
	vioapic_eoi(a, 0x51);
	CU_ASSERT_EQUAL(rec.count, 2);
	CU_ASSERT_EQUAL(rte_lo(a, 10) & RIRR, RIRR);
	/* Deasserted at the EOI: remote IRR clears, nothing sent. */
	vioapic_set_irq(a, 10, false);
	vioapic_eoi(a, 0x51);
	CU_ASSERT_EQUAL(rec.count, 2);
	CU_ASSERT_EQUAL(rte_lo(a, 10) & RIRR, 0);
	/* Two pins sharing a vector: one EOI serves both. */
	rte_set(a, 11, 0x51 | LEVEL, 1);
	vioapic_set_irq(a, 10, true);
	vioapic_set_irq(a, 11, true);
	CU_ASSERT_EQUAL(rec.count, 4);
	vioapic_eoi(a, 0x51);
	CU_ASSERT_EQUAL(rec.count, 6);
	/* A masked level pin keeps remote IRR; EOI clears it but the
	 * mask stops the resend. */
	reg_write(a, 0x10 + 20, 0x51 | LEVEL | MASKED);
	CU_ASSERT_EQUAL(rte_lo(a, 10), 0x51 | LEVEL | MASKED | RIRR);
	vioapic_eoi(a, 0x51);
	CU_ASSERT_EQUAL(rec.count, 7); /* pin 11 only */
	CU_ASSERT_EQUAL(rte_lo(a, 10) & RIRR, 0);
	vioapic_destroy(a);
}

static void test_unmask_asserted(void)
{
	struct vioapic *a = new_ioapic();

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	rte_set(a, 7, 0x61 | LEVEL | MASKED, 0);
	vioapic_set_irq(a, 7, true);
	CU_ASSERT_EQUAL(rec.count, 0);
	reg_write(a, 0x10 + 14, 0x61 | LEVEL);
	CU_ASSERT_EQUAL(rec.count, 1);
	CU_ASSERT_EQUAL(rte_lo(a, 7) & RIRR, RIRR);
	/* Rewriting the entry does not resend while remote IRR is set. */
	reg_write(a, 0x10 + 14, 0x61 | LEVEL);
	reg_write(a, 0x11 + 14, 0x01000000u);
	CU_ASSERT_EQUAL(rec.count, 1);
	/* Switching to edge clears remote IRR, and sends nothing. */
	reg_write(a, 0x10 + 14, 0x61);
	CU_ASSERT_EQUAL(rte_lo(a, 7), 0x61);
	CU_ASSERT_EQUAL(rec.count, 1);
	/* Back to level while still asserted: sent again. */
	reg_write(a, 0x10 + 14, 0x61 | LEVEL);
	CU_ASSERT_EQUAL(rec.count, 2);
	CU_ASSERT_EQUAL(rec.irq[1].dest, 1);
	/* Unmasking a deasserted level pin sends nothing. */
	rte_set(a, 8, 0x62 | LEVEL | MASKED, 0);
	reg_write(a, 0x10 + 16, 0x62 | LEVEL);
	CU_ASSERT_EQUAL(rec.count, 2);
	vioapic_destroy(a);
}

static void test_polarity(void)
{
	struct vioapic *a = new_ioapic();

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	/* Active-low edge: the falling wire is the asserting edge. */
	rte_set(a, 1, 0x30 | POL_LOW, 0);
	vioapic_set_irq(a, 1, true);
	CU_ASSERT_EQUAL(rec.count, 0);
	vioapic_set_irq(a, 1, false);
	CU_ASSERT_EQUAL(rec.count, 1);
	/* Active-low level: a low wire is asserted. */
	rte_set(a, 16, 0x31 | POL_LOW | LEVEL | MASKED, 0);
	vioapic_set_irq(a, 16, true); /* idle high */
	reg_write(a, 0x10 + 32, 0x31 | POL_LOW | LEVEL);
	CU_ASSERT_EQUAL(rec.count, 1);
	vioapic_set_irq(a, 16, false);
	CU_ASSERT_EQUAL(rec.count, 2);
	CU_ASSERT_EQUAL(rec.irq[1].vector, 0x31);
	vioapic_set_irq(a, 16, true);
	vioapic_eoi(a, 0x31);
	CU_ASSERT_EQUAL(rec.count, 2);
	/* Flipping the polarity of a level pin re-evaluates it. */
	reg_write(a, 0x10 + 32, 0x31 | LEVEL);
	CU_ASSERT_EQUAL(rec.count, 3);
	vioapic_destroy(a);
}

static void check_modes(struct vioapic *a, unsigned dm, bool logical)
{
	static const uint8_t dests[] = {0x00, 0x01, 0x0f, 0x80, 0xff};
	unsigned i, before;

	for (i = 0; i < sizeof(dests); i++) {
		uint32_t lo = 0x20 + i + DM(dm) + (logical ? LOGICAL : 0);
		const struct lapic_irq *irq;

		rte_set(a, 2, lo, dests[i]);
		before = rec.count;
		vioapic_set_irq(a, 2, true);
		vioapic_set_irq(a, 2, false);
		CU_ASSERT_EQUAL_FATAL(rec.count, before + 1);
		irq = &rec.irq[before];
		CU_ASSERT_EQUAL(irq->vector, 0x20 + i);
		CU_ASSERT_EQUAL(irq->delivery, dm);
		CU_ASSERT_EQUAL(irq->logical, logical);
		CU_ASSERT_EQUAL(irq->dest, dests[i]);
		CU_ASSERT_FALSE(irq->level);
		CU_ASSERT_TRUE(irq->assert);
		CU_ASSERT_EQUAL(irq->shorthand, LAPIC_SH_NONE);
		CU_ASSERT_EQUAL(irq->src_vcpu, -1);
		memset(&rec, 0, sizeof(rec));
	}
}

static void test_delivery_modes(void)
{
	static const unsigned modes[] = {
	    LAPIC_DM_FIXED, LAPIC_DM_LOWEST, LAPIC_DM_SMI,
	    LAPIC_DM_NMI,   LAPIC_DM_INIT,   LAPIC_DM_EXTINT,
	};
	struct vioapic *a = new_ioapic();
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		check_modes(a, modes[i], false);
		check_modes(a, modes[i], true);
	}
	/* The reserved modes 011 and 110 send nothing. */
	rte_set(a, 2, 0x20 | DM(3), 0);
	vioapic_set_irq(a, 2, true);
	vioapic_set_irq(a, 2, false);
	rte_set(a, 2, 0x20 | DM(6), 0);
	vioapic_set_irq(a, 2, true);
	vioapic_set_irq(a, 2, false);
	CU_ASSERT_EQUAL(rec.count, 0);
	vioapic_destroy(a);
}

/* Level-programmed NMI/INIT/SMI/ExtINT act as edge (section 3.2.4):
 * the trigger bit is passed on, remote IRR is never set. */
static void test_level_nonfixed(void)
{
	static const unsigned modes[] = {LAPIC_DM_SMI, LAPIC_DM_NMI,
					 LAPIC_DM_INIT, LAPIC_DM_EXTINT};
	struct vioapic *a = new_ioapic();
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (i = 0; i < 4; i++) {
		memset(&rec, 0, sizeof(rec));
		rte_set(a, 9, DM(modes[i]) | LEVEL, 3);
		vioapic_set_irq(a, 9, true);
		vioapic_set_irq(a, 9, true);
		CU_ASSERT_EQUAL(rec.count, 1);
		CU_ASSERT_TRUE(rec.irq[0].level);
		CU_ASSERT_EQUAL(rec.irq[0].delivery, modes[i]);
		CU_ASSERT_EQUAL(rte_lo(a, 9) & RIRR, 0);
		vioapic_set_irq(a, 9, false);
		vioapic_set_irq(a, 9, true);
		CU_ASSERT_EQUAL(rec.count, 2);
		vioapic_set_irq(a, 9, false);
	}
	/* Lowest priority level does use remote IRR. */
	memset(&rec, 0, sizeof(rec));
	rte_set(a, 9, 0x77 | DM(LAPIC_DM_LOWEST) | LEVEL | LOGICAL, 3);
	vioapic_set_irq(a, 9, true);
	CU_ASSERT_EQUAL(rec.count, 1);
	CU_ASSERT_EQUAL(rte_lo(a, 9) & RIRR, RIRR);
	vioapic_destroy(a);
}

static void test_save_load(void)
{
	struct vioapic *a = new_ioapic();
	struct vioapic *b = vioapic_create(2, &rec_ops, &rec);
	struct vioapic_save s, t, bad;
	unsigned pin;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	reg_write(a, 0x00, 0x07000000u);
	for (pin = 0; pin < VIOAPIC_PINS; pin++)
		rte_set(a, pin, (0x30 + pin) | (pin & 1 ? LEVEL : 0), pin);
	for (pin = 0; pin < VIOAPIC_PINS; pin += 3)
		vioapic_set_irq(a, pin, true);
	mmio_write(a, 0x00, 4, 0x16); /* pin 3, low half */
	vioapic_save(a, &s);
	CU_ASSERT_EQUAL(s.id, 0x07000000u);
	CU_ASSERT_EQUAL(s.ioregsel, 0x16);
	CU_ASSERT_EQUAL(s.pad, 0);
	CU_ASSERT_EQUAL(s.redir[3] & RIRR, RIRR);
	CU_ASSERT_EQUAL(s.redir[3] >> 56, 3);

	CU_ASSERT_EQUAL(vioapic_load(b, &s), 0);
	vioapic_save(b, &t);
	CU_ASSERT_EQUAL(memcmp(&s, &t, sizeof(s)), 0);
	/* The loaded device behaves like the original: pin 3 waits for
	 * its EOI and is still asserted. */
	memset(&rec, 0, sizeof(rec));
	CU_ASSERT_EQUAL(mmio_read(b, 0x10, 4), 0x33 | RIRR | LEVEL);
	vioapic_eoi(b, 0x33);
	CU_ASSERT_EQUAL(rec.count, 1);
	CU_ASSERT_EQUAL(rec.irq[0].vector, 0x33);

	/* Each bad record is refused and leaves the device unchanged. */
	vioapic_save(b, &t);
#define REJECT(field_change)                                                   \
	do {                                                                   \
		struct vioapic_save u;                                         \
		bad = s;                                                       \
		field_change;                                                  \
		CU_ASSERT_EQUAL(vioapic_load(b, &bad), -EINVAL);               \
		vioapic_save(b, &u);                                           \
		CU_ASSERT_EQUAL(memcmp(&t, &u, sizeof(u)), 0);                 \
	} while (0)
	REJECT(bad.id = 0x10000000u);
	REJECT(bad.id = 0x07000001u);
	REJECT(bad.ioregsel = 0x100);
	REJECT(bad.pin_level = 1u << VIOAPIC_PINS);
	REJECT(bad.pad = 1);
	REJECT(bad.redir[0] |= 1ull << 17);  /* reserved */
	REJECT(bad.redir[23] |= 1ull << 55); /* reserved */
	REJECT(bad.redir[5] |= DELIVS);	     /* never pending */
	REJECT(bad.redir[4] |= RIRR);	     /* remote IRR on edge */
#undef REJECT
	vioapic_destroy(a);
	vioapic_destroy(b);
}

/* ---- randomized test ---- */

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* What the fuzzer knows: the state before a step, and what it sent. */
struct fuzz {
	struct vioapic *a;
	uint64_t seed;
	struct vioapic_save before;
	unsigned failures;
	unsigned long sent; /* messages seen, to show the run did work */
};

static void fuzz_fail(struct fuzz *f, unsigned step, const char *what)
{
	if (f->failures++ < 5)
		fprintf(stderr, "vioapic fuzz: step %u: %s\n", step, what);
}

static bool level_sensitive(uint64_t rte)
{
	unsigned dm = (rte >> 8) & 7;

	return (rte & LEVEL) && dm <= 1;
}

static bool asserted(const struct vioapic_save *s, unsigned pin)
{
	return (((s->pin_level >> pin) & 1) != 0) !=
	       ((s->redir[pin] & POL_LOW) != 0);
}

/* Invariants on any reachable state. */
static void check_state(struct fuzz *f, unsigned step)
{
	struct vioapic_save s;
	struct vioapic *copy;
	unsigned pin;

	vioapic_save(f->a, &s);
	copy = vioapic_create(3, &rec_ops, &rec);
	if (!copy || vioapic_load(copy, &s) != 0)
		fuzz_fail(f, step, "saved state does not load");
	vioapic_destroy(copy);
	for (pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t r = s.redir[pin];

		if ((r & RIRR) && !(r & LEVEL))
			fuzz_fail(f, step, "remote IRR on an edge entry");
		if (r & DELIVS)
			fuzz_fail(f, step, "delivery status set");
		if (level_sensitive(r) && !(r & MASKED) && !(r & RIRR) &&
		    asserted(&s, pin))
			fuzz_fail(f, step, "asserted level pin left unsent");
	}
}

/* A message from pin p is allowed only if p was unmasked afterwards and
 * a level-sensitive p had no remote IRR before the step. */
static bool may_send(const struct vioapic_save *b, const struct vioapic_save *n,
		     unsigned p, uint8_t vec)
{
	if ((n->redir[p] & MASKED) || (n->redir[p] & 0xff) != vec)
		return false;
	return !(level_sensitive(b->redir[p]) && (b->redir[p] & RIRR));
}

static void fuzz_pin(struct fuzz *f, unsigned step, unsigned pin, bool lvl)
{
	struct vioapic_save n;

	vioapic_set_irq(f->a, pin, lvl);
	vioapic_save(f->a, &n);
	if (rec.count > 1)
		fuzz_fail(f, step, "one pin change sent twice");
	if (rec.count == 1 &&
	    (pin >= VIOAPIC_PINS ||
	     !may_send(&f->before, &n, pin, rec.irq[0].vector)))
		fuzz_fail(f, step, "message from masked/busy pin");
}

static void fuzz_eoi(struct fuzz *f, unsigned step, uint8_t vec)
{
	unsigned pin, eligible = 0;

	vioapic_eoi(f->a, vec);
	for (pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t r = f->before.redir[pin];

		if ((r & RIRR) && (r & 0xff) == vec && !(r & MASKED))
			eligible++;
	}
	if (rec.count > eligible)
		fuzz_fail(f, step, "EOI sent more than its pins");
	for (pin = 0; pin < rec.count && pin < MAX_RECORDED; pin++)
		if (rec.irq[pin].vector != vec)
			fuzz_fail(f, step, "EOI sent another vector");
}

static uint64_t fuzz_offset(uint64_t *s)
{
	uint64_t r = xorshift64(s);

	switch (r % 4) {
	case 0:
		return 0x00;
	case 1:
		return 0x10;
	default: /* anywhere in and around the page */
		return (r >> 8) % (VIOAPIC_SIZE + 0x200) - 0x100;
	}
}

static void fuzz_mmio(struct fuzz *f, unsigned step)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	uint64_t r = xorshift64(&f->seed);
	uint64_t off = fuzz_offset(&f->seed);
	unsigned size = (r & 7) < 5 ? 4 : sizes[(r >> 3) & 3];
	bool wr = (r >> 5) & 1;
	uint64_t v = xorshift64(&f->seed);
	uint32_t sel = f->before.ioregsel;
	struct vioapic_save n;

	/* IOREGSEL values biased to defined registers. */
	if (wr && off == 0 && ((r >> 6) & 3))
		v = (r >> 16) % 0x44;
	/* Entries mostly unmasked, so that messages flow. */
	if (wr && off == 0x10 && ((r >> 8) & 3))
		v &= ~(uint64_t)MASKED;
	if (vioapic_mmio(f->a, VIOAPIC_BASE + off, size, wr, &v) != 0)
		fuzz_fail(f, step, "mmio returned an error");
	vioapic_save(f->a, &n);
	if (!wr && off == 0x10 && size == 4 && sel >= 0x10 && sel < 0x40) {
		uint64_t rte = n.redir[(sel - 0x10) / 2];

		if (v != (uint32_t)(sel & 1 ? rte >> 32 : rte))
			fuzz_fail(f, step, "IOWIN read differs from state");
		if (!(sel & 1) && (v & DELIVS))
			fuzz_fail(f, step, "delivery status read 1");
	}
	if (!wr && rec.count)
		fuzz_fail(f, step, "a read sent a message");
	if (rec.count > 1)
		fuzz_fail(f, step, "one write sent twice");
	if (rec.count == 1 &&
	    !(off == 0x10 && size == 4 && sel >= 0x10 && sel < 0x40 &&
	      may_send(&f->before, &n, (sel - 0x10) / 2, rec.irq[0].vector)))
		fuzz_fail(f, step, "write sent from masked/busy pin");
}

static void fuzz_step(struct fuzz *f, unsigned step)
{
	uint64_t r = xorshift64(&f->seed);

	vioapic_save(f->a, &f->before);
	memset(&rec, 0, sizeof(rec));
	if (r % 8 < 5) {
		fuzz_mmio(f, step);
	} else if (r % 8 < 7) {
		fuzz_pin(f, step, (r >> 8) % (VIOAPIC_PINS + 2), (r >> 16) & 1);
	} else {
		unsigned pin = (r >> 8) % VIOAPIC_PINS;
		uint8_t vec = (r >> 16) & 1 ? (uint8_t)(r >> 24)
					    : (uint8_t)f->before.redir[pin];

		fuzz_eoi(f, step, vec);
	}
	f->sent += rec.count;
	check_state(f, step);
}

static void test_random(void)
{
	struct fuzz f = {.seed = 0x9e3779b97f4a7c15ull};
	const char *env = getenv("KXEN_VIOAPIC_SEED");
	unsigned step, steps = 30000;

	if (env && *env)
		f.seed = strtoull(env, NULL, 0) | 1;
	printf("\n    vioapic fuzz seed 0x%016" PRIx64 " (KXEN_VIOAPIC_SEED)",
	       f.seed);
	f.a = new_ioapic();
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.a);
	for (step = 0; step < steps; step++)
		fuzz_step(&f, step);
	printf(", %u steps, %lu messages ", steps, f.sent);
	CU_ASSERT_EQUAL(f.failures, 0);
	CU_ASSERT(f.sent > 100);
	vioapic_destroy(f.a);
}

int kxen_suite_vioapic(void)
{
	CU_pSuite s = CU_add_suite("vioapic", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "ID, version, arbitration", test_id_version) ||
	    !CU_add_test(s, "redirection entries read/write", test_redir_rw) ||
	    !CU_add_test(s, "MMIO offsets and widths", test_mmio_widths) ||
	    !CU_add_test(s, "edge delivery and masking", test_edge) ||
	    !CU_add_test(s, "level, remote IRR, EOI", test_level) ||
	    !CU_add_test(s, "unmask while asserted", test_unmask_asserted) ||
	    !CU_add_test(s, "polarity", test_polarity) ||
	    !CU_add_test(s, "delivery and destination modes",
			 test_delivery_modes) ||
	    !CU_add_test(s, "level NMI/INIT/SMI/ExtINT act as edge",
			 test_level_nonfixed) ||
	    !CU_add_test(s, "save/load", test_save_load) ||
	    !CU_add_test(s, "randomized MMIO, pins and EOIs", test_random))
		return -1;
	return 0;
}
