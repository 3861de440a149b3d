/*
 * Suite "wires": the interrupt wire layer (hypervisor/irq.c) with the
 * real PIC, IOAPIC and LAPIC models on a manual clock, driven as a guest
 * and the timer devices would: ISA lines reach both the PIC (then the
 * BSP's LINT0 as ExtINT) and the IOAPIC (IRQ 0 on GSI 2), shared lines
 * OR their sources, HPET legacy routing cuts the PIT off, MSIs and IPIs
 * travel the APIC bus with lowest-priority arbitration, INIT/SIPI reach
 * the vCPU layer, and a LAPIC EOI of a level vector reaches the IOAPIC.
 */
#include <errno.h>
#include <string.h>

#include "dev/vioapic.h"
#include "harness.h"
#include "io_dispatch.h"
#include "irq.h"
#include "vclock.h"
#include "vtimer.h"

#define LAPIC 0xfee00000ull

struct vcpu_log {
	unsigned kicks[2];
	unsigned inits[2];
	unsigned sipis[2];
	uint8_t sipi_vector;
};

static void log_kick(void *ctx, unsigned vcpu)
{
	((struct vcpu_log *)ctx)->kicks[vcpu & 1]++;
}

static void log_init(void *ctx, unsigned vcpu)
{
	((struct vcpu_log *)ctx)->inits[vcpu & 1]++;
}

static void log_sipi(void *ctx, unsigned vcpu, uint8_t vector)
{
	struct vcpu_log *l = ctx;

	l->sipis[vcpu & 1]++;
	l->sipi_vector = vector;
}

static const struct irq_vcpu_ops ops = {log_kick, log_init, log_sipi};

struct wires {
	struct vclock *clock;
	struct vtimer_service *timers;
	struct irq_router *r;
	struct io_table *io;
	struct vcpu_log log;
};

static void wires_init(struct wires *w)
{
	memset(w, 0, sizeof(*w));
	w->clock = vclock_create_manual();
	w->timers = vtimer_service_create(w->clock, 1, true);
	w->r = irq_router_create(1, 2, w->timers, &ops, &w->log);
	w->io = io_table_create();
	CU_ASSERT_EQUAL(irq_router_register(w->r, w->io), 0);
}

static void wires_fini(struct wires *w)
{
	irq_router_destroy(w->r);
	io_table_destroy(w->io);
	vtimer_service_destroy(w->timers);
	vclock_destroy(w->clock);
}

static void outb(struct wires *w, uint16_t port, uint8_t v)
{
	uint64_t val = v;

	io_table_access(w->io, IO_SPACE_PORT, port, 1, true, &val);
}

static void lapic_write(struct wires *w, unsigned vcpu, unsigned reg,
			uint32_t v)
{
	uint64_t val = v;

	irq_lapic_mmio(w->r, vcpu, LAPIC + reg, 4, true, &val);
}

static void ioapic_write(struct wires *w, unsigned index, uint32_t v)
{
	uint64_t sel = index, val = v;

	io_table_access(w->io, IO_SPACE_MMIO, VIOAPIC_BASE, 4, true, &sel);
	io_table_access(w->io, IO_SPACE_MMIO, VIOAPIC_BASE + 0x10, 4, true,
			&val);
}

static uint32_t ioapic_read(struct wires *w, unsigned index)
{
	uint64_t sel = index, val = 0;

	io_table_access(w->io, IO_SPACE_MMIO, VIOAPIC_BASE, 4, true, &sel);
	io_table_access(w->io, IO_SPACE_MMIO, VIOAPIC_BASE + 0x10, 4, false,
			&val);
	return (uint32_t)val;
}

/* Linux's 8259 setup: vectors 0x20/0x28, cascade on IR2. */
static void pic_init(struct wires *w, uint8_t master_mask)
{
	outb(w, 0x20, 0x11);
	outb(w, 0x21, 0x20);
	outb(w, 0x21, 0x04);
	outb(w, 0x21, 0x01);
	outb(w, 0xa0, 0x11);
	outb(w, 0xa1, 0x28);
	outb(w, 0xa1, 0x02);
	outb(w, 0xa1, 0x01);
	outb(w, 0x21, master_mask);
	outb(w, 0xa1, 0xff);
}

/* Start the AP (APs wait for a SIPI after power-up and take nothing
 * before) and software-enable both LAPICs. */
static void enable_lapics(struct wires *w)
{
	lapic_write(w, 0, 0x310, 1u << 24);
	lapic_write(w, 0, 0x300, (6u << 8) | 0x09); /* STARTUP */
	lapic_write(w, 0, 0xf0, 0x1ff);		    /* SVR: software-enable */
	lapic_write(w, 1, 0xf0, 0x1ff);
}

static void route_gsi(struct wires *w, unsigned gsi, uint8_t vector, bool level,
		      uint8_t dest)
{
	ioapic_write(w, 0x11 + 2 * gsi, (uint32_t)dest << 24);
	ioapic_write(w, 0x10 + 2 * gsi, vector | (level ? 1u << 15 : 0));
}

static void test_isa_irq_reaches_pic_as_extint(void)
{
	struct wires w;
	void *pit;

	wires_init(&w);
	pit = irq_source(w.r, IRQ_SRC_PIT);
	pic_init(&w, 0xfe);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), -1);
	irq_isa_line(pit, 0, IRQ_PULSE);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), LAPIC_PENDING_EXTINT);
	CU_ASSERT(w.log.kicks[0] > 0);
	/* Only the BSP's LINT0 is wired to the PIC. */
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 1), -1);
	CU_ASSERT_EQUAL(irq_ack_vector(w.r, 0), 0x20);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), -1);
	outb(&w, 0x20, 0x20); /* EOI */
	wires_fini(&w);
}

static void test_irq0_goes_to_gsi2(void)
{
	struct wires w;
	void *pit;

	wires_init(&w);
	pit = irq_source(w.r, IRQ_SRC_PIT);
	pic_init(&w, 0xff);
	enable_lapics(&w);
	route_gsi(&w, 2, 0x30, false, 0);
	route_gsi(&w, 0, 0x31, false, 0);
	irq_isa_line(pit, 0, IRQ_PULSE);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), 0x30);
	CU_ASSERT_EQUAL(irq_ack_vector(w.r, 0), 0x30);
	lapic_write(&w, 0, 0xb0, 0);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), -1);
	wires_fini(&w);
}

static void test_shared_level_line_ors_sources(void)
{
	struct wires w;
	void *pm, *dm;

	wires_init(&w);
	pm = irq_source(w.r, IRQ_SRC_PM);
	dm = irq_source(w.r, IRQ_SRC_DM);
	pic_init(&w, 0xff);
	enable_lapics(&w);
	route_gsi(&w, 9, 0x49, true, 0);
	irq_isa_line(pm, 9, IRQ_ASSERT);
	irq_isa_line(dm, 9, IRQ_ASSERT);
	CU_ASSERT_EQUAL(irq_ack_vector(w.r, 0), 0x49);
	CU_ASSERT(ioapic_read(&w, 0x10 + 18) & (1u << 14)); /* remote IRR */
	irq_isa_line(pm, 9, IRQ_DEASSERT);
	/* EOI: remote IRR clears; the line is still high (dm), so the
	 * IOAPIC sends it again. */
	lapic_write(&w, 0, 0xb0, 0);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), 0x49);
	CU_ASSERT_EQUAL(irq_ack_vector(w.r, 0), 0x49);
	irq_isa_line(dm, 9, IRQ_DEASSERT);
	lapic_write(&w, 0, 0xb0, 0);
	CU_ASSERT_FALSE(ioapic_read(&w, 0x10 + 18) & (1u << 14));
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), -1);
	wires_fini(&w);
}

static void test_hpet_legacy_cuts_off_the_pit(void)
{
	struct wires w;
	void *pit, *hpet;

	wires_init(&w);
	pit = irq_source(w.r, IRQ_SRC_PIT);
	hpet = irq_source(w.r, IRQ_SRC_HPET);
	pic_init(&w, 0xff);
	enable_lapics(&w);
	route_gsi(&w, 2, 0x30, false, 0);
	irq_set_hpet_legacy(hpet, true);
	irq_isa_line(pit, 0, IRQ_PULSE);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), -1);
	irq_isa_line(hpet, 0, IRQ_PULSE);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), 0x30);
	wires_fini(&w);
}

static void test_msi_and_lowest_priority(void)
{
	struct wires w;

	wires_init(&w);
	enable_lapics(&w);
	CU_ASSERT_EQUAL(irq_msi(w.r, 0xfee01000, 0x41), 0); /* dest 1 */
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 1), 0x41);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), -1);
	CU_ASSERT_EQUAL(irq_msi(w.r, 0x12345000, 0x41), -EINVAL);
	/* Lowest priority to physical broadcast: vCPU 1 has the higher
	 * TPR, so vCPU 0 gets it. */
	lapic_write(&w, 1, 0x80, 0x80);
	CU_ASSERT_EQUAL(irq_msi(w.r, 0xfeeff000, 0x100 | 0x52), 0);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), 0x52);
	wires_fini(&w);
}

static void test_ipis_and_startup(void)
{
	struct wires w;

	wires_init(&w);
	enable_lapics(&w);
	/* Fixed IPI 0x60 from vCPU 0 to APIC ID 1. */
	lapic_write(&w, 0, 0x310, 1u << 24);
	lapic_write(&w, 0, 0x300, 0x60);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 1), 0x60);
	/* ... and back, with the all-but-self shorthand. */
	lapic_write(&w, 1, 0x300, (3u << 18) | 0x61);
	CU_ASSERT_EQUAL(irq_pending_vector(w.r, 0), 0x61);
	/* INIT (level assert) then STARTUP 0x09 to APIC ID 1. */
	lapic_write(&w, 0, 0x310, 1u << 24);
	lapic_write(&w, 0, 0x300, (5u << 8) | (1u << 14));
	CU_ASSERT_EQUAL(w.log.inits[1], 1);
	lapic_write(&w, 0, 0x300, (6u << 8) | 0x09);
	CU_ASSERT_EQUAL(w.log.sipis[1], 2); /* enable_lapics sent one */
	CU_ASSERT_EQUAL(w.log.sipi_vector, 0x09);
	CU_ASSERT_EQUAL(w.log.inits[0], 0);
	wires_fini(&w);
}

static void test_lapic_relocation(void)
{
	struct wires w;
	uint64_t base;

	wires_init(&w);
	base = irq_lapic_get_base(w.r, 0);
	CU_ASSERT_EQUAL(base, LAPIC | 0x900); /* BSP, enabled */
	CU_ASSERT(irq_lapic_claims(w.r, 0, LAPIC + 0x20));
	CU_ASSERT_EQUAL(irq_lapic_set_base(w.r, 0, 0xfe000000ull | 0x900), 0);
	CU_ASSERT(irq_lapic_claims(w.r, 0, 0xfe000020ull));
	CU_ASSERT_FALSE(irq_lapic_claims(w.r, 0, LAPIC + 0x20));
	CU_ASSERT(irq_lapic_claims(w.r, 1, LAPIC + 0x20));
	CU_ASSERT_FALSE(irq_lapic_claims(w.r, 7, LAPIC));
	wires_fini(&w);
}

int kxen_suite_wires(void)
{
	CU_pSuite s = CU_add_suite("wires", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "ISA IRQ reaches the PIC and LINT0 as ExtINT",
			 test_isa_irq_reaches_pic_as_extint) ||
	    !CU_add_test(s, "IRQ 0 goes to GSI 2", test_irq0_goes_to_gsi2) ||
	    !CU_add_test(s, "shared level line ORs its sources",
			 test_shared_level_line_ors_sources) ||
	    !CU_add_test(s, "HPET legacy routing cuts off the PIT",
			 test_hpet_legacy_cuts_off_the_pit) ||
	    !CU_add_test(s, "MSI and lowest-priority arbitration",
			 test_msi_and_lowest_priority) ||
	    !CU_add_test(s, "IPIs both ways, INIT and STARTUP",
			 test_ipis_and_startup) ||
	    !CU_add_test(s, "per-vCPU LAPIC page relocates",
			 test_lapic_relocation))
		return -1;
	return 0;
}
