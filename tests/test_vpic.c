/*
 * vPIC (8259A pair + ELCR) unit suite: the real hypervisor/dev/vpic.c,
 * driven only through its port handler, its input pins and the INTA
 * cycle, with an output sink that records every INTR transition.
 * Datasheet references are to the Intel 8259A (order 231468).
 */
#include "harness.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/vpic.h"

struct rec {
	unsigned calls;
	bool level;
	unsigned bad; /* a call that did not change the level */
};

static void rec_output(void *ctx, bool level)
{
	struct rec *r = ctx;

	if (level == r->level)
		r->bad++;
	r->calls++;
	r->level = level;
}

static const struct vpic_ops rec_ops = {.output = rec_output};

static struct vpic *mk(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	return vpic_create(7, &rec_ops, r);
}

static void outb(struct vpic *p, uint16_t port, uint8_t v)
{
	uint64_t x = v;

	CU_ASSERT_EQUAL(vpic_io(p, port, 1, true, &x), 0);
}

static uint8_t inb(struct vpic *p, uint16_t port)
{
	uint64_t x = 0;

	CU_ASSERT_EQUAL(vpic_io(p, port, 1, false, &x), 0);
	return (uint8_t)x;
}

/* Linux's init_8259A(): ICW1 edge+cascade+IC4, bases 0x20/0x28, slave
 * on IR2 / slave ID 2, 8086 mode. */
static void linux_init(struct vpic *p)
{
	outb(p, 0x20, 0x11);
	outb(p, 0x21, 0x20);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, 0x01);
	outb(p, 0xa0, 0x11);
	outb(p, 0xa1, 0x28);
	outb(p, 0xa1, 0x02);
	outb(p, 0xa1, 0x01);
}

static struct vpic *mk_linux(struct rec *r)
{
	struct vpic *p = mk(r);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	linux_init(p);
	return p;
}

static void pulse(struct vpic *p, unsigned irq)
{
	vpic_set_irq(p, irq, true);
	vpic_set_irq(p, irq, false);
}

static uint8_t read_isr(struct vpic *p, uint16_t cmd)
{
	outb(p, cmd, 0x0b); /* OCW3 RR=1 RIS=1 */
	return inb(p, cmd);
}

static uint8_t read_irr(struct vpic *p, uint16_t cmd)
{
	outb(p, cmd, 0x0a); /* OCW3 RR=1 RIS=0 */
	return inb(p, cmd);
}

static void test_init(void)
{
	struct rec r;
	struct vpic *p = mk(&r);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* Power-on: no ICW1 yet, so nothing reaches the CPU. */
	vpic_set_irq(p, 1, true);
	CU_ASSERT_FALSE(vpic_output(p));
	CU_ASSERT_EQUAL(vpic_intack(p), -1);
	linux_init(p);
	CU_ASSERT_EQUAL(inb(p, 0x21), 0); /* ICW1 clears the IMR */
	/* ICW1 reset the edge sense: the held-high IRQ1 needs a new edge. */
	CU_ASSERT_FALSE(vpic_output(p));
	vpic_set_irq(p, 1, false);
	vpic_set_irq(p, 1, true);
	CU_ASSERT_TRUE(vpic_output(p));
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x21);
	CU_ASSERT_FALSE(vpic_output(p));
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x02);
	CU_ASSERT_EQUAL(read_irr(p, 0x20), 0x00);
	outb(p, 0x20, 0x20);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x00);
	outb(p, 0x21, 0xfb);
	outb(p, 0xa1, 0xff);
	CU_ASSERT_EQUAL(inb(p, 0x21), 0xfb);
	CU_ASSERT_EQUAL(inb(p, 0xa1), 0xff);
	CU_ASSERT_EQUAL(r.bad, 0);
	vpic_destroy(p);
}

/* ICW3 only without SNGL, ICW4 only with IC4 (ICW1 bits 1 and 0). */
static void test_icw_sequence(void)
{
	struct rec r;
	struct vpic *p = mk(&r);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	outb(p, 0x20, 0x13); /* SNGL + IC4: ICW2, ICW4 */
	outb(p, 0x21, 0x47); /* base 0x40 (T2-T0 ignored) */
	outb(p, 0x21, 0x01);
	outb(p, 0x21, 0x55); /* OCW1 now */
	CU_ASSERT_EQUAL(inb(p, 0x21), 0x55);
	outb(p, 0x21, 0x00);
	pulse(p, 5);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x45);
	outb(p, 0x20, 0x10); /* cascade, no ICW4: ICW2, ICW3 */
	outb(p, 0x21, 0x30);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, 0x66);
	CU_ASSERT_EQUAL(inb(p, 0x21), 0x66);
	outb(p, 0x20, 0x12); /* SNGL, no ICW4: ICW2 only */
	outb(p, 0x21, 0x50);
	outb(p, 0x21, 0x77);
	CU_ASSERT_EQUAL(inb(p, 0x21), 0x77);
	/* OCWs written in the middle of the sequence are ignored. */
	outb(p, 0x20, 0x11);
	outb(p, 0x20, 0x0b);
	outb(p, 0x21, 0x20);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, 0x01);
	CU_ASSERT_EQUAL(inb(p, 0x21), 0x00);
	pulse(p, 6);
	CU_ASSERT_EQUAL(inb(p, 0x20), 0x40); /* still reads the IRR */
	vpic_destroy(p);
}

static void test_masking(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);

	outb(p, 0x21, 0x08);
	pulse(p, 3);
	CU_ASSERT_FALSE(vpic_output(p));
	CU_ASSERT_EQUAL(read_irr(p, 0x20), 0x08); /* latched though masked */
	outb(p, 0x21, 0x00);
	CU_ASSERT_TRUE(vpic_output(p));
	CU_ASSERT_EQUAL(vpic_intack(p), 0x23);
	outb(p, 0x20, 0x20);
	/* Masking the cascade input hides every slave request. */
	outb(p, 0x21, 0x04);
	pulse(p, 11);
	CU_ASSERT_FALSE(vpic_output(p));
	outb(p, 0x21, 0x00);
	CU_ASSERT_TRUE(vpic_output(p));
	CU_ASSERT_EQUAL(vpic_intack(p), 0x2b);
	outb(p, 0xa0, 0x20);
	outb(p, 0x20, 0x20);
	/* The slave's own IMR. */
	outb(p, 0xa1, 0x10);
	pulse(p, 12);
	CU_ASSERT_FALSE(vpic_output(p));
	outb(p, 0xa1, 0x00);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x2c);
	CU_ASSERT_EQUAL(r.bad, 0);
	vpic_destroy(p);
}

static void test_elcr(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);

	/* IRQ 0, 1, 2, 8, 13 are wired edge. */
	outb(p, 0x4d0, 0xff);
	outb(p, 0x4d1, 0xff);
	CU_ASSERT_EQUAL(inb(p, 0x4d0), 0xf8);
	CU_ASSERT_EQUAL(inb(p, 0x4d1), 0xde);
	CU_ASSERT_FALSE(vpic_irq_is_level(p, 0));
	CU_ASSERT_FALSE(vpic_irq_is_level(p, 2));
	CU_ASSERT_FALSE(vpic_irq_is_level(p, 8));
	CU_ASSERT_FALSE(vpic_irq_is_level(p, 13));
	CU_ASSERT_TRUE(vpic_irq_is_level(p, 5));
	CU_ASSERT_TRUE(vpic_irq_is_level(p, 9));
	CU_ASSERT_FALSE(vpic_irq_is_level(p, 16));
	outb(p, 0x4d0, 0x00);
	CU_ASSERT_FALSE(vpic_irq_is_level(p, 5));
	vpic_destroy(p);
}

static void test_edge_level(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);

	/* Edge: the request stays latched after the input falls. */
	pulse(p, 4);
	CU_ASSERT_TRUE(vpic_output(p));
	CU_ASSERT_EQUAL(vpic_intack(p), 0x24);
	vpic_set_irq(p, 4, true);
	CU_ASSERT_EQUAL(vpic_intack(p), -1); /* ISR4 blocks it */
	outb(p, 0x20, 0x20);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x24);
	outb(p, 0x20, 0x20);
	CU_ASSERT_FALSE(vpic_output(p)); /* held high: no new edge */
	vpic_set_irq(p, 4, false);
	/* Level (ELCR bit 5): IRR follows the input. */
	outb(p, 0x4d0, 0x20);
	vpic_set_irq(p, 5, true);
	CU_ASSERT_TRUE(vpic_output(p));
	CU_ASSERT_EQUAL(vpic_intack(p), 0x25);
	CU_ASSERT_EQUAL(read_irr(p, 0x20), 0x20); /* still requesting */
	outb(p, 0x20, 0x20);
	CU_ASSERT_TRUE(vpic_output(p)); /* EOI with IR high: again */
	vpic_set_irq(p, 5, false);
	CU_ASSERT_FALSE(vpic_output(p));
	CU_ASSERT_EQUAL(read_irr(p, 0x20), 0x00);
	CU_ASSERT_EQUAL(vpic_intack(p), -1);
	/* ICW1.LTIM makes every input level-triggered, IRQ0 included. */
	outb(p, 0x20, 0x19);
	outb(p, 0x21, 0x20);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, 0x01);
	vpic_set_irq(p, 0, true);
	CU_ASSERT_TRUE(vpic_output(p));
	vpic_set_irq(p, 0, false);
	CU_ASSERT_FALSE(vpic_output(p));
	CU_ASSERT_EQUAL(r.bad, 0);
	vpic_destroy(p);
}

static void test_eoi(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);

	pulse(p, 3);
	pulse(p, 4);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x23);
	CU_ASSERT_FALSE(vpic_output(p)); /* IRQ4 is below IRQ3 */
	pulse(p, 1);
	CU_ASSERT_TRUE(vpic_output(p)); /* IRQ1 nests above */
	CU_ASSERT_EQUAL(vpic_intack(p), 0x21);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x0a);
	outb(p, 0x20, 0x20); /* non-specific: the highest, IRQ1 */
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x08);
	outb(p, 0x20, 0x66); /* specific EOI of a level not in service */
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x08);
	outb(p, 0x20, 0x63);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x00);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x24);
	outb(p, 0x20, 0x40); /* OCW2 no-op */
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x10);
	outb(p, 0x20, 0x20);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x00);
	outb(p, 0x20, 0x20); /* nothing in service: harmless */
	CU_ASSERT_EQUAL(r.bad, 0);
	vpic_destroy(p);
}

static void test_auto_eoi(void)
{
	struct rec r;
	struct vpic *p = mk(&r);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	outb(p, 0x20, 0x11);
	outb(p, 0x21, 0x20);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, 0x03); /* 8086 + AEOI */
	pulse(p, 3);
	pulse(p, 5);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x23);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x00);
	CU_ASSERT_TRUE(vpic_output(p)); /* no ISR: IRQ5 is next at once */
	CU_ASSERT_EQUAL(vpic_intack(p), 0x25);
	CU_ASSERT_FALSE(vpic_output(p));
	pulse(p, 3);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x23);
	vpic_destroy(p);
}

static void test_poll(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);

	outb(p, 0x20, 0x0c);		     /* OCW3 P=1 */
	CU_ASSERT_EQUAL(inb(p, 0x20), 0x00); /* nothing requesting */
	pulse(p, 6);
	pulse(p, 3);
	outb(p, 0x20, 0x0c);
	CU_ASSERT_EQUAL(inb(p, 0x20), 0x83);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x08); /* the read acknowledged */
	outb(p, 0x20, 0x0c);
	CU_ASSERT_EQUAL(inb(p, 0x21), 0x00); /* IRQ6 is below IRQ3 */
	outb(p, 0x20, 0x20);
	outb(p, 0x20, 0x0c);
	CU_ASSERT_EQUAL(inb(p, 0x21), 0x86); /* either port polls */
	CU_ASSERT_EQUAL(inb(p, 0x21), 0x00); /* poll is one read: IMR */
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x40);
	outb(p, 0x20, 0x20);
	/* The slave polls on its own. */
	pulse(p, 14);
	outb(p, 0xa0, 0x0c);
	CU_ASSERT_EQUAL(inb(p, 0xa0), 0x86);
	CU_ASSERT_EQUAL(read_isr(p, 0xa0), 0x40);
	CU_ASSERT_EQUAL(r.bad, 0);
	vpic_destroy(p);
}

static void test_special_mask(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);

	pulse(p, 3);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x23);
	pulse(p, 5);
	CU_ASSERT_FALSE(vpic_output(p));
	/* Mask own level and enter SMM: lower levels get through. */
	outb(p, 0x21, 0x08);
	outb(p, 0x20, 0x68);
	CU_ASSERT_TRUE(vpic_output(p));
	CU_ASSERT_EQUAL(vpic_intack(p), 0x25);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x28);
	/* Non-specific EOI skips the masked in-service IR3. */
	outb(p, 0x20, 0x20);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x08);
	/* Leave SMM: ISR3 blocks lower levels again. */
	outb(p, 0x20, 0x48);
	outb(p, 0x21, 0x00);
	pulse(p, 6);
	CU_ASSERT_FALSE(vpic_output(p));
	outb(p, 0x20, 0x20);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x26);
	CU_ASSERT_EQUAL(r.bad, 0);
	vpic_destroy(p);
}

static void test_spurious(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);

	/* A real IR7 sets its ISR bit. */
	pulse(p, 7);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x27);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x80);
	outb(p, 0x20, 0x20);
	/* Spurious 15: a level slave request vanishes after the master
	 * latched the slave's INT edge on IR2. The master's IR2 goes in
	 * service, the slave answers its IR7 with no ISR bit. */
	outb(p, 0x4d1, 0x04);
	vpic_set_irq(p, 10, true);
	vpic_set_irq(p, 10, false);
	CU_ASSERT_TRUE(vpic_output(p));
	CU_ASSERT_EQUAL(vpic_intack(p), 0x2f);
	CU_ASSERT_EQUAL(read_isr(p, 0xa0), 0x00);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x04);
	outb(p, 0x20, 0x20);
	CU_ASSERT_FALSE(vpic_output(p));
	/* On the master INTR is the request itself: when a level request
	 * vanishes INTR falls with it and there is no INTA to answer. */
	outb(p, 0x4d0, 0x80);
	vpic_set_irq(p, 7, true);
	CU_ASSERT_TRUE(vpic_output(p));
	vpic_set_irq(p, 7, false);
	CU_ASSERT_FALSE(vpic_output(p));
	CU_ASSERT_EQUAL(vpic_intack(p), -1);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x00);
	CU_ASSERT_EQUAL(r.bad, 0);
	vpic_destroy(p);
}

static void test_rotation(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);

	/* Rotate on non-specific EOI: the served IR1 becomes lowest. */
	pulse(p, 1);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x21);
	outb(p, 0x20, 0xa0);
	pulse(p, 0);
	pulse(p, 4);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x24); /* order 2..7,0,1 */
	outb(p, 0x20, 0x20);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x20);
	outb(p, 0x20, 0x20);
	/* Set priority: IR4 lowest, so IR5 highest. */
	outb(p, 0x20, 0xc4);
	pulse(p, 3);
	pulse(p, 6);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x26);
	/* Rotate on specific EOI of IR6: IR6 lowest, IR7 highest. */
	outb(p, 0x20, 0xe6);
	pulse(p, 6);
	pulse(p, 0);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x20);
	outb(p, 0x20, 0x20);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x23);
	outb(p, 0x20, 0x20);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x26);
	outb(p, 0x20, 0x20);
	vpic_destroy(p);

	/* Rotate in automatic EOI mode. */
	p = mk(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	outb(p, 0x20, 0x11);
	outb(p, 0x21, 0x20);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, 0x03);
	outb(p, 0x20, 0x80); /* set */
	pulse(p, 3);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x23);
	pulse(p, 3);
	pulse(p, 5);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x25); /* IR3 went lowest */
	CU_ASSERT_EQUAL(vpic_intack(p), 0x23);
	outb(p, 0x20, 0x00); /* clear */
	pulse(p, 5);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x25);
	pulse(p, 5);
	pulse(p, 6);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x25); /* unchanged: IR3 lowest */
	vpic_destroy(p);
}

static void test_cascade(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);

	/* Slave IRQs rank at master IR2: above IRQ3, below IRQ1. */
	pulse(p, 3);
	pulse(p, 12);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x2c);
	CU_ASSERT_EQUAL(read_isr(p, 0x20), 0x04);
	CU_ASSERT_EQUAL(read_isr(p, 0xa0), 0x10);
	CU_ASSERT_FALSE(vpic_output(p));
	pulse(p, 1);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x21);
	outb(p, 0x20, 0x20);
	outb(p, 0xa0, 0x20);
	outb(p, 0x20, 0x20);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x23);
	outb(p, 0x20, 0x20);
	/* Two slave requests: the second arrives after the first EOI. */
	pulse(p, 9);
	pulse(p, 15);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x29);
	outb(p, 0xa0, 0x20);
	outb(p, 0x20, 0x20);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x2f);
	CU_ASSERT_EQUAL(read_isr(p, 0xa0), 0x80); /* a real IRQ15 */
	outb(p, 0xa0, 0x20);
	outb(p, 0x20, 0x20);
	CU_ASSERT_FALSE(vpic_output(p));
	/* IRQ2 is the cascade: an outside source cannot drive it. */
	pulse(p, 2);
	CU_ASSERT_FALSE(vpic_output(p));
	CU_ASSERT_EQUAL(r.bad, 0);
	vpic_destroy(p);
}

/* A slave in AEOI with two requests: its INT never falls, yet the
 * second request must still reach the CPU. */
static void test_cascade_slave_aeoi(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);

	outb(p, 0xa0, 0x11);
	outb(p, 0xa1, 0x28);
	outb(p, 0xa1, 0x02);
	outb(p, 0xa1, 0x03);
	outb(p, 0x20, 0x11);
	outb(p, 0x21, 0x20);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, 0x03);
	pulse(p, 9);
	pulse(p, 10);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x29);
	CU_ASSERT_TRUE(vpic_output(p));
	CU_ASSERT_EQUAL(vpic_intack(p), 0x2a);
	CU_ASSERT_FALSE(vpic_output(p));
	vpic_destroy(p);
}

static void sfnm_case(bool sfnm)
{
	struct rec r;
	struct vpic *p = mk(&r);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	linux_init(p);
	outb(p, 0x20, 0x11);
	outb(p, 0x21, 0x20);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, sfnm ? 0x11 : 0x01);
	pulse(p, 13);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x2d);
	/* A higher slave request while IR2 is in service on the master. */
	pulse(p, 9);
	CU_ASSERT_EQUAL(vpic_output(p), sfnm);
	if (sfnm) {
		CU_ASSERT_EQUAL(vpic_intack(p), 0x29);
		CU_ASSERT_EQUAL(read_isr(p, 0xa0), 0x22);
		outb(p, 0xa0, 0x20); /* IRQ9 */
	}
	/* A master level below IR2 stays blocked in both modes. */
	pulse(p, 3);
	CU_ASSERT_FALSE(vpic_output(p));
	vpic_destroy(p);
}

static void test_sfnm(void)
{
	sfnm_case(true);
	sfnm_case(false);
}

static void test_wide_and_foreign(void)
{
	struct rec r;
	struct vpic *p = mk_linux(&r);
	uint64_t v;

	outb(p, 0x21, 0x5a);
	v = 0;
	CU_ASSERT_EQUAL(vpic_io(p, 0x21, 2, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xff5a);
	CU_ASSERT_EQUAL(vpic_io(p, 0x21, 4, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffff5a);
	CU_ASSERT_EQUAL(vpic_io(p, 0x21, 8, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffffffffff5aull);
	v = 0x12345633;
	CU_ASSERT_EQUAL(vpic_io(p, 0x21, 4, true, &v), 0);
	CU_ASSERT_EQUAL(inb(p, 0x21), 0x33);
	CU_ASSERT_EQUAL(inb(p, 0xa1), 0x00); /* untouched */
	v = 0x1234;
	CU_ASSERT_EQUAL(vpic_io(p, 0x4d0, 2, true, &v), 0);
	CU_ASSERT_EQUAL(inb(p, 0x4d0), 0x30);
	CU_ASSERT_EQUAL(inb(p, 0x4d1), 0x00);
	/* Not ours: reads float, writes vanish. */
	v = 0;
	CU_ASSERT_EQUAL(vpic_io(p, 0x22, 1, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xff);
	CU_ASSERT_EQUAL(vpic_io(p, 0x22, 1, true, &v), 0);
	CU_ASSERT_EQUAL(vpic_io(p, 0x21, 1, false, NULL), -EINVAL);
	CU_ASSERT_EQUAL(vpic_io(NULL, 0x21, 1, false, &v), -EINVAL);
	vpic_set_irq(p, 16, true);
	vpic_set_irq(p, ~0u, true);
	CU_ASSERT_FALSE(vpic_output(p));
	vpic_destroy(p);
}

/* A state with something in every field. */
static struct vpic *busy_pic(struct rec *r)
{
	struct vpic *p = mk_linux(r);

	outb(p, 0x4d0, 0x20);
	outb(p, 0x4d1, 0x02);
	pulse(p, 3);
	pulse(p, 12);
	vpic_set_irq(p, 5, true);
	vpic_set_irq(p, 9, true);
	CU_ASSERT_EQUAL(vpic_intack(p), 0x29); /* IR2 outranks IR3 */
	outb(p, 0x21, 0x80);
	outb(p, 0x20, 0xc5); /* IR5 lowest */
	outb(p, 0xa0, 0x0b);
	outb(p, 0xa0, 0x80);
	outb(p, 0xa0, 0x68);
	outb(p, 0x20, 0x0c);
	return p;
}

static void test_save_load(void)
{
	struct rec r1, r2;
	struct vpic *a = busy_pic(&r1), *b = mk(&r2);
	struct vpic_save s, t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	vpic_save(a, &s);
	CU_ASSERT_EQUAL(vpic_load(b, &s), 0);
	vpic_save(b, &t);
	CU_ASSERT_EQUAL(memcmp(&s, &t, sizeof(s)), 0);
	CU_ASSERT_EQUAL(vpic_output(a), vpic_output(b));
	CU_ASSERT_EQUAL(r2.level, vpic_output(b)); /* reported on load */
	/* Both copies now behave alike. */
	CU_ASSERT_EQUAL(inb(a, 0x20), inb(b, 0x20)); /* the poll */
	CU_ASSERT_EQUAL(vpic_intack(a), vpic_intack(b));
	CU_ASSERT_EQUAL(inb(a, 0xa0), inb(b, 0xa0));
	vpic_destroy(a);
	vpic_destroy(b);
}

static void test_load_rejects(void)
{
	struct rec r1, r2;
	struct vpic *a = busy_pic(&r1), *b = mk_linux(&r2);
	struct vpic_save good, bad, before, after;
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	vpic_save(a, &good);
	vpic_save(b, &before);
	for (i = 0; i < 19; i++) {
		struct vpic_chip_save *m = &bad.chip[0], *s = &bad.chip[1];

		bad = good;
		switch (i) {
		case 0:
			m->vector_base = 0x21;
			break;
		case 1:
			m->icw_step = 5;
			break;
		case 2:
			m->icw_step = 3;
			m->icw1 |= 0x02;
			break;
		case 3:
			m->icw_step = 4;
			m->icw1 &= (uint8_t)~0x01;
			break;
		case 4:
			m->icw1 = 0x11;
			break;
		case 5:
			m->icw4 = 0x21;
			break;
		case 6:
			s->read_isr = 2;
			break;
		case 7:
			m->poll = 2;
			break;
		case 8:
			s->special_mask = 2;
			break;
		case 9:
			m->rotate_on_aeoi = 2;
			break;
		case 10:
			m->priority_base = 8;
			break;
		case 11:
			m->special_fully_nested = 1;
			break;
		case 12:
			m->elcr |= 0x01;
			break;
		case 13:
			s->elcr |= 0x20;
			break;
		case 14:
			s->elcr |= 0x01;
			break;
		case 15:
			s->pad = 1;
			break;
		case 16:
			m->irr ^= 0x20;
			break; /* level IR5 vs its input */
		case 17:
			s->icw4 = 0x11;
			break; /* SFNM bit without the flag */
		case 18:
			m->icw_step = 0xff;
			break;
		}
		CU_ASSERT_EQUAL(vpic_load(b, &bad), -EINVAL);
		vpic_save(b, &after);
		CU_ASSERT_EQUAL(memcmp(&before, &after, sizeof(after)), 0);
	}
	CU_ASSERT_EQUAL(vpic_load(b, NULL), -EINVAL);
	CU_ASSERT_EQUAL(vpic_load(NULL, &good), -EINVAL);
	vpic_destroy(a);
	vpic_destroy(b);
}

/* --- randomized --------------------------------------------------- */

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/*
 * Reference for the master's INTR, written apart from the device: IR
 * of rank k (0 = highest) interrupts when it is requested, unmasked and
 * ranks above every blocking in-service level; special mask mode makes
 * nothing block, special fully nested mode lets the master's IR2 past
 * its own in-service bit.
 */
static bool ref_int(const struct vpic_chip_save *c, bool master, bool cascade)
{
	unsigned min_isr = 8, min_isr_no2 = 8;

	if (c->icw_step != 0)
		return false;
	for (unsigned ir = 0; ir < 8; ir++) {
		unsigned rank = (ir - c->priority_base - 1u) & 7u;

		if (c->special_mask || !(c->isr & (1u << ir)))
			continue;
		if (rank < min_isr)
			min_isr = rank;
		if (ir != 2 && rank < min_isr_no2)
			min_isr_no2 = rank;
	}
	for (unsigned ir = 0; ir < 8; ir++) {
		unsigned rank = (ir - c->priority_base - 1u) & 7u;
		bool sfnm2 =
		    master && cascade && ir == 2 && c->special_fully_nested;

		if (!((c->irr & ~c->imr) & (1u << ir)))
			continue;
		if (rank < (sfnm2 ? min_isr_no2 : min_isr))
			return true;
	}
	return false;
}

static const uint16_t rnd_ports[] = {0x1f, 0x20, 0x21,	0x22,  0x9f,  0xa0,
				     0xa1, 0xa2, 0x4cf, 0x4d0, 0x4d1, 0x4d2};
static const uint8_t rnd_cmds[] = {0x20, 0x60, 0xa0, 0xe0, 0xc0, 0x80,
				   0x00, 0x40, 0x0a, 0x0b, 0x0c, 0x48,
				   0x68, 0x11, 0x19, 0x13, 0x1b, 0x10};

static uint64_t rnd_value(uint64_t r, uint16_t port)
{
	if ((port == 0x20 || port == 0xa0) && (r & 0x100))
		return rnd_cmds[(r >> 9) % sizeof(rnd_cmds)] | ((r >> 20) & 7);
	return r >> 24;
}

/* One random guest access; returns false when an invariant broke. */
static bool rnd_io(struct vpic *p, uint64_t r)
{
	static const unsigned sizes[] = {1, 2, 4};
	uint16_t port = rnd_ports[(r >> 3) % 12];
	unsigned size = sizes[(r >> 7) % 3];
	uint64_t v = rnd_value(r, port);

	if (r & 0x40)
		return vpic_io(p, port, size, true, &v) == 0;
	if (vpic_io(p, port, size, false, &v) != 0)
		return false;
	return (v | 0xff) == (size == 4	  ? 0xffffffffull
			      : size == 2 ? 0xffff
					  : 0xff);
}

struct rnd_stats {
	unsigned high, vectors, empty;
};

static bool rnd_intack(struct vpic *p, struct rnd_stats *st)
{
	struct vpic_save s;
	bool was = vpic_output(p);
	int v, mb, sb;

	vpic_save(p, &s);
	mb = s.chip[0].vector_base;
	sb = s.chip[1].vector_base;
	v = vpic_intack(p);
	if (!was) {
		st->empty++;
		return v == -1;
	}
	st->vectors++;
	return (v >= mb && v <= mb + 7) || (v >= sb && v <= sb + 7);
}

static bool rnd_step(struct vpic *p, uint64_t r, struct rnd_stats *st)
{
	switch (r % 8) {
	case 4:
	case 5:
		vpic_set_irq(p, (unsigned)(r >> 8) % 17, (r >> 16) & 1);
		return true;
	case 6:
		return rnd_intack(p, st);
	case 7:
		if ((r >> 8) % 16 == 0)
			linux_init(p);
		return true;
	default:
		return rnd_io(p, r);
	}
}

static bool invariants_hold(struct vpic *p, struct vpic *scratch,
			    const struct rec *r)
{
	struct vpic_save s;
	bool out = vpic_output(p);

	vpic_save(p, &s);
	if (r->bad || r->level != out)
		return false;
	if (out != ref_int(&s.chip[0], true, !(s.chip[0].icw1 & 2)))
		return false;
	return vpic_load(scratch, &s) == 0; /* always a valid record */
}

static void test_random(void)
{
	struct rec r, rs;
	struct vpic *p = mk(&r), *scratch = mk(&rs);
	uint64_t seed = 0x243f6a8885a308d3ull, st;
	const char *env = getenv("KXEN_VPIC_SEED");
	struct rnd_stats rst = {0};
	unsigned i, n = 50000;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(scratch);
	if (env && *env)
		seed = strtoull(env, NULL, 0) | 1;
	printf("\n  vpic random: seed %#" PRIx64 " (KXEN_VPIC_SEED), %u "
	       "steps\n",
	       seed, n);
	st = seed;
	linux_init(p);
	for (i = 0; i < n; i++) {
		if (!rnd_step(p, xorshift64(&st), &rst) ||
		    !invariants_hold(p, scratch, &r)) {
			printf("  vpic random: invariant broken at step %u\n",
			       i);
			CU_FAIL("vpic random invariant");
			break;
		}
		rst.high += vpic_output(p);
	}
	printf("  vpic random: INTR high after %u steps, %u INTAs answered, "
	       "%u with INTR low\n",
	       rst.high, rst.vectors, rst.empty);
	/* The run must have exercised interrupts, not just init noise. */
	CU_ASSERT(rst.high > n / 20);
	CU_ASSERT(rst.vectors > n / 100);
	vpic_destroy(p);
	vpic_destroy(scratch);
}

int kxen_suite_vpic(void)
{
	CU_pSuite s = CU_add_suite("vpic", NULL, NULL);

	if (!s || !CU_add_test(s, "Linux init, INTA, EOI", test_init) ||
	    !CU_add_test(s, "ICW sequencing", test_icw_sequence) ||
	    !CU_add_test(s, "masking", test_masking) ||
	    !CU_add_test(s, "ELCR fixed bits", test_elcr) ||
	    !CU_add_test(s, "edge vs level", test_edge_level) ||
	    !CU_add_test(s, "specific and non-specific EOI", test_eoi) ||
	    !CU_add_test(s, "auto-EOI", test_auto_eoi) ||
	    !CU_add_test(s, "poll mode", test_poll) ||
	    !CU_add_test(s, "special mask mode", test_special_mask) ||
	    !CU_add_test(s, "spurious IRQ 7 and 15", test_spurious) ||
	    !CU_add_test(s, "priority rotation", test_rotation) ||
	    !CU_add_test(s, "cascade priority", test_cascade) ||
	    !CU_add_test(s, "cascade, slave in AEOI",
			 test_cascade_slave_aeoi) ||
	    !CU_add_test(s, "special fully nested mode", test_sfnm) ||
	    !CU_add_test(s, "wide and foreign ports", test_wide_and_foreign) ||
	    !CU_add_test(s, "save/load round trip", test_save_load) ||
	    !CU_add_test(s, "load rejects bad records", test_load_rejects) ||
	    !CU_add_test(s, "randomized invariants", test_random))
		return -1;
	return 0;
}
