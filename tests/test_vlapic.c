/*
 * Suite "vlapic": the local APIC model (hypervisor/dev/vlapic.c and
 * vlapic_timer.c) driven on the host through its MMIO handler, MSR and
 * delivery entry points, on a manual virtual clock. Test ops record what
 * the LAPIC asks of the rest of the platform (IPIs, EOI broadcasts,
 * kicks, INIT, SIPI, PIC acknowledges). Intel SDM vol. 3 ch. 10 is the
 * reference for every expected value.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev/vlapic.h"
#include "harness.h"
#include "vclock.h"
#include "vtimer.h"

#define BASE VLAPIC_DEFAULT_BASE
#define MAX_IPIS 4096

/* Register offsets (SDM table 10-1). */
enum { R_ID = 0x20, R_VER = 0x30, R_TPR = 0x80, R_APR = 0x90, R_PPR = 0xa0 };
enum { R_EOI = 0xb0, R_LDR = 0xd0, R_DFR = 0xe0, R_SVR = 0xf0, R_ISR = 0x100 };
enum { R_TMR = 0x180, R_IRR = 0x200, R_ESR = 0x280, R_CMCI = 0x2f0 };
enum { R_ICR = 0x300, R_ICR2 = 0x310, R_LVTT = 0x320, R_THERM = 0x330 };
enum { R_PERF = 0x340, R_LINT0 = 0x350, R_LINT1 = 0x360, R_LVTERR = 0x370 };
enum { R_TMICT = 0x380, R_TMCCT = 0x390, R_TDCR = 0x3e0 };

struct rec {
	struct lapic_irq ipis[MAX_IPIS];
	unsigned n_ipis;
	unsigned eois;
	uint8_t last_eoi;
	unsigned kicks;
	unsigned inits;
	unsigned sipis;
	uint8_t sipi_vector;
	bool pic_intr;	/* PIC INTR output */
	int pic_vector; /* what the INTA returns */
	unsigned pic_acks;
};

struct fixture {
	struct vclock *clock;
	struct vtimer_service *svc;
	pthread_mutex_t lock;
	struct rec rec;
	struct vlapic *l;
};

static void op_send_ipi(void *ctx, const struct lapic_irq *irq)
{
	struct rec *r = ctx;

	if (r->n_ipis < MAX_IPIS)
		r->ipis[r->n_ipis++] = *irq;
}

static void op_eoi_level(void *ctx, uint8_t vector)
{
	struct rec *r = ctx;

	r->eois++;
	r->last_eoi = vector;
}

static void op_kick(void *ctx)
{
	((struct rec *)ctx)->kicks++;
}

static void op_init(void *ctx)
{
	((struct rec *)ctx)->inits++;
}

static void op_sipi(void *ctx, uint8_t vector)
{
	struct rec *r = ctx;

	r->sipis++;
	r->sipi_vector = vector;
}

static int op_extint_ack(void *ctx)
{
	struct rec *r = ctx;

	r->pic_acks++;
	return r->pic_vector;
}

static bool op_extint_pending(void *ctx)
{
	return ((struct rec *)ctx)->pic_intr;
}

static const struct vlapic_ops test_ops = {
    .send_ipi = op_send_ipi,
    .eoi_level = op_eoi_level,
    .kick = op_kick,
    .init = op_init,
    .sipi = op_sipi,
    .extint_ack = op_extint_ack,
    .extint_pending = op_extint_pending,
};

static void fx_init(struct fixture *f, unsigned vcpu, bool bsp)
{
	memset(f, 0, sizeof(*f));
	f->clock = vclock_create_manual();
	CU_ASSERT_FATAL(f->clock != NULL);
	f->svc = vtimer_service_create(f->clock, 1, true);
	CU_ASSERT_FATAL(f->svc != NULL);
	pthread_mutex_init(&f->lock, NULL);
	f->rec.pic_vector = -1;
	f->l =
	    vlapic_create(1, vcpu, bsp, f->svc, &f->lock, &test_ops, &f->rec);
	CU_ASSERT_FATAL(f->l != NULL);
}

static void fx_fini(struct fixture *f)
{
	vlapic_destroy(f->l);
	vtimer_service_destroy(f->svc);
	vclock_destroy(f->clock);
	pthread_mutex_destroy(&f->lock);
}

/* MMIO under the irq lock, as the wire layer does it. */
static int mmio(struct fixture *f, uint64_t off, unsigned size, bool wr,
		uint64_t *val)
{
	int rc;

	pthread_mutex_lock(&f->lock);
	rc = vlapic_mmio(f->l, vlapic_base(f->l) + off, size, wr, val);
	pthread_mutex_unlock(&f->lock);
	return rc;
}

static uint32_t rd(struct fixture *f, unsigned off)
{
	uint64_t v = 0xdeadbeef;

	CU_ASSERT_EQUAL(mmio(f, off, 4, false, &v), 0);
	return (uint32_t)v;
}

static void wr(struct fixture *f, unsigned off, uint32_t val)
{
	uint64_t v = val;

	CU_ASSERT_EQUAL(mmio(f, off, 4, true, &v), 0);
}

static bool bit(struct fixture *f, unsigned bank, unsigned vector)
{
	return (rd(f, bank + (vector / 32) * 16) >> (vector % 32)) & 1;
}

static void accept_mode(struct fixture *f, uint8_t mode, uint8_t vector,
			bool level, bool assert)
{
	struct lapic_irq irq = {.vector = vector,
				.delivery = mode,
				.level = level,
				.assert = assert,
				.src_vcpu = -1};

	vlapic_accept(f->l, &irq);
}

static void accept(struct fixture *f, uint8_t vector, bool level)
{
	accept_mode(f, LAPIC_DM_FIXED, vector, level, true);
}

/* Check (offset, value) pairs; a mismatch names the register. */
static void expect_regs(struct fixture *f, const uint32_t *pairs, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint32_t got = rd(f, pairs[i]);

		if (got != pairs[i + 1])
			printf("\n    reg 0x%03x = 0x%08x, expected 0x%08x",
			       pairs[i], got, pairs[i + 1]);
		CU_ASSERT_EQUAL(got, pairs[i + 1]);
	}
}

#define EXPECT_REGS(f, ...)                                                    \
	expect_regs(f, (const uint32_t[]){__VA_ARGS__},                        \
		    sizeof((const uint32_t[]){__VA_ARGS__}) /                  \
			sizeof(uint32_t))

/* Enabled APIC: SVR on with spurious vector 0xff. */
static void sw_enable(struct fixture *f)
{
	wr(f, R_SVR, 0x1ff);
}

/* Take the pending interrupt; returns the vector or -1. */
static int take(struct fixture *f)
{
	int v = vlapic_pending_intr(f->l);

	if (v < 0)
		return -1;
	return vlapic_ack_intr(f->l, v);
}

/* ---- reset values ----------------------------------------------------- */

static void test_reset_values(void)
{
	struct fixture f;

	fx_init(&f, 3, false);
	EXPECT_REGS(&f, R_ID, 3u << 24, R_VER, 0x00050014u, R_TPR, 0, R_APR, 0,
		    R_PPR, 0, R_LDR, 0, R_DFR, 0xffffffffu, R_SVR, 0xff, R_CMCI,
		    0x10000, R_LVTT, 0x10000, R_THERM, 0x10000, R_PERF, 0x10000,
		    R_LINT0, 0x10000, R_LINT1, 0x10000, R_LVTERR, 0x10000,
		    R_TMICT, 0, R_TMCCT, 0, R_TDCR, 0, R_ICR, 0, R_ICR2, 0,
		    R_ESR, 0);
	for (unsigned i = 0; i < 8; i++)
		EXPECT_REGS(&f, R_ISR + i * 16, 0, R_TMR + i * 16, 0,
			    R_IRR + i * 16, 0);
	CU_ASSERT_EQUAL(vlapic_id(f.l), 3);
	CU_ASSERT_EQUAL(vlapic_get_base_msr(f.l), 0xfee00800ull);
	CU_ASSERT_FALSE(vlapic_enabled(f.l));
	fx_fini(&f);

	fx_init(&f, 0, true);
	CU_ASSERT_EQUAL(vlapic_get_base_msr(f.l), 0xfee00900ull);
	CU_ASSERT_EQUAL(vlapic_base(f.l), BASE);
	vlapic_setup_virtual_wire(f.l);
	EXPECT_REGS(&f, R_SVR, 0x1ff, R_LINT0, 0x700, R_LINT1, 0x400);
	CU_ASSERT_TRUE(vlapic_enabled(f.l));
	fx_fini(&f);
}

/* Odd widths and offsets read 0 and write nothing (SDM 10.4.1). */
static void test_access_widths(void)
{
	struct fixture f;
	uint64_t v;

	fx_init(&f, 0, true);
	sw_enable(&f);
	wr(&f, R_TPR, 0x20);
	v = 0x55;
	CU_ASSERT_EQUAL(mmio(&f, R_TPR, 1, true, &v), 0);
	CU_ASSERT_EQUAL(mmio(&f, R_TPR + 4, 4, true, &v), 0);
	CU_ASSERT_EQUAL(mmio(&f, R_TPR, 8, true, &v), 0);
	CU_ASSERT_EQUAL(rd(&f, R_TPR), 0x20);
	v = 1;
	CU_ASSERT_EQUAL(mmio(&f, R_VER, 2, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	v = 1;
	CU_ASSERT_EQUAL(mmio(&f, R_VER + 1, 4, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	/* Read-only registers ignore writes; LDR keeps bits 31:24, DFR
	 * bits 31:28 (27:0 read ones). */
	wr(&f, R_ID, 0x05000000);
	wr(&f, R_VER, 0);
	wr(&f, R_LDR, 0x12345678);
	wr(&f, R_DFR, 0x01234567);
	EXPECT_REGS(&f, R_ID, 0, R_VER, 0x00050014u, R_LDR, 0x12000000u, R_DFR,
		    0x0fffffffu);
	/* Outside the page: unclaimed bus. */
	v = 0;
	CU_ASSERT_EQUAL(vlapic_mmio(f.l, BASE + 0x1000, 4, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	fx_fini(&f);
}

/* ---- priorities ------------------------------------------------------- */

static void test_tpr_ppr(void)
{
	struct fixture f;

	fx_init(&f, 0, true);
	sw_enable(&f);
	wr(&f, R_TPR, 0x1ff);
	CU_ASSERT_EQUAL(rd(&f, R_TPR), 0xff);
	wr(&f, R_TPR, 0x45);
	CU_ASSERT_EQUAL(rd(&f, R_PPR), 0x45);
	CU_ASSERT_EQUAL(vlapic_get_cr8(f.l), 4);
	/* Vectors at or below the TPR class stay pending. */
	accept(&f, 0x41, false);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	CU_ASSERT_EQUAL(rd(&f, R_APR), 0x45);
	accept(&f, 0x50, false);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), 0x50);
	CU_ASSERT_EQUAL(rd(&f, R_APR), 0x50);
	/* CR8 writes clear TPR[3:0] (SDM 10.8.6.1). */
	vlapic_set_cr8(f.l, 5);
	CU_ASSERT_EQUAL(rd(&f, R_TPR), 0x50);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	vlapic_set_cr8(f.l, 0);
	CU_ASSERT_EQUAL(take(&f), 0x50);
	/* In service 0x50, TPR 0x20: PPR is the ISR class. */
	wr(&f, R_TPR, 0x23);
	CU_ASSERT_EQUAL(rd(&f, R_PPR), 0x50);
	CU_ASSERT_EQUAL(vlapic_ppr(f.l), 0x50);
	/* 0x41 (class 4) is below class 5: masked until the EOI. */
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	wr(&f, R_EOI, 0);
	CU_ASSERT_EQUAL(rd(&f, R_PPR), 0x23);
	CU_ASSERT_EQUAL(take(&f), 0x41);
	wr(&f, R_EOI, 0);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	fx_fini(&f);
}

static void test_nesting_eoi(void)
{
	struct fixture f;

	fx_init(&f, 0, true);
	sw_enable(&f);
	accept(&f, 0x30, false);
	CU_ASSERT_EQUAL(f.rec.kicks, 1);
	CU_ASSERT_TRUE(bit(&f, R_IRR, 0x30));
	CU_ASSERT_EQUAL(take(&f), 0x30);
	CU_ASSERT_FALSE(bit(&f, R_IRR, 0x30));
	CU_ASSERT_TRUE(bit(&f, R_ISR, 0x30));
	/* Same class does not preempt; a higher one nests. */
	accept(&f, 0x35, false);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	accept(&f, 0x80, false);
	CU_ASSERT_EQUAL(take(&f), 0x80);
	CU_ASSERT_EQUAL(rd(&f, R_PPR), 0x80);
	/* EOI retires the highest in-service vector first. */
	wr(&f, R_EOI, 0);
	CU_ASSERT_FALSE(bit(&f, R_ISR, 0x80));
	CU_ASSERT_TRUE(bit(&f, R_ISR, 0x30));
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	wr(&f, R_EOI, 0);
	CU_ASSERT_EQUAL(take(&f), 0x35);
	wr(&f, R_EOI, 0);
	CU_ASSERT_EQUAL(rd(&f, R_ISR + 16), 0);
	/* Stray EOIs and bad acks are harmless. */
	wr(&f, R_EOI, 0);
	CU_ASSERT_EQUAL(vlapic_ack_intr(f.l, 0x99), -1);
	CU_ASSERT_EQUAL(vlapic_ack_intr(f.l, 5), -1);
	CU_ASSERT_EQUAL(vlapic_ack_intr(f.l, 1000), -1);
	CU_ASSERT_EQUAL(f.rec.eois, 0);
	fx_fini(&f);
}

static void test_level_eoi(void)
{
	struct fixture f;

	fx_init(&f, 0, true);
	sw_enable(&f);
	accept(&f, 0x61, true);
	CU_ASSERT_TRUE(bit(&f, R_TMR, 0x61));
	accept(&f, 0x51, false);
	CU_ASSERT_FALSE(bit(&f, R_TMR, 0x51));
	CU_ASSERT_EQUAL(take(&f), 0x61);
	wr(&f, R_EOI, 0);
	CU_ASSERT_EQUAL(f.rec.eois, 1);
	CU_ASSERT_EQUAL(f.rec.last_eoi, 0x61);
	CU_ASSERT_EQUAL(take(&f), 0x51);
	wr(&f, R_EOI, 0);
	CU_ASSERT_EQUAL(f.rec.eois, 1); /* edge: no broadcast */
	/* An edge acceptance clears the TMR bit again (SDM 10.8.4). */
	accept(&f, 0x61, false);
	CU_ASSERT_FALSE(bit(&f, R_TMR, 0x61));
	fx_fini(&f);
}

/* Illegal vectors are refused with an ESR bit (SDM 10.5.3). */
static void test_esr(void)
{
	struct fixture f;

	fx_init(&f, 0, true);
	sw_enable(&f);
	accept(&f, 7, false);
	CU_ASSERT_EQUAL(rd(&f, R_IRR), 0);
	CU_ASSERT_EQUAL(rd(&f, R_ESR), 0); /* not latched yet */
	wr(&f, R_ESR, 0);
	CU_ASSERT_EQUAL(rd(&f, R_ESR), 0x40);
	wr(&f, R_ESR, 0);
	CU_ASSERT_EQUAL(rd(&f, R_ESR), 0);
	/* Send illegal vector, signalled through the error LVT. */
	wr(&f, R_LVTERR, 0xe3);
	wr(&f, R_ICR, 0x00004005);
	CU_ASSERT_EQUAL(f.rec.n_ipis, 0);
	CU_ASSERT_TRUE(bit(&f, R_IRR, 0xe3));
	/* Unimplemented register. */
	wr(&f, 0x400, 1);
	wr(&f, R_ESR, 0);
	CU_ASSERT_EQUAL(rd(&f, R_ESR), 0xa0);
	fx_fini(&f);
}

/* ---- destinations ----------------------------------------------------- */

static bool match(struct fixture *f, bool logical, uint32_t dest, uint8_t sh,
		  int src)
{
	struct lapic_irq irq = {.vector = 0x40,
				.logical = logical,
				.dest = dest,
				.shorthand = sh,
				.src_vcpu = src};

	return vlapic_match_dest(f->l, &irq);
}

static void test_match_dest(void)
{
	struct fixture f;

	fx_init(&f, 2, false);
	/* Physical. */
	CU_ASSERT_TRUE(match(&f, false, 2, 0, -1));
	CU_ASSERT_FALSE(match(&f, false, 3, 0, -1));
	CU_ASSERT_TRUE(match(&f, false, 0xff, 0, -1));
	/* Logical flat: LDR 0x04 (bit 2). */
	wr(&f, R_LDR, 0x04000000);
	CU_ASSERT_TRUE(match(&f, true, 0x04, 0, -1));
	CU_ASSERT_TRUE(match(&f, true, 0x0c, 0, -1));
	CU_ASSERT_FALSE(match(&f, true, 0x03, 0, -1));
	CU_ASSERT_TRUE(match(&f, true, 0xff, 0, -1));
	/* Logical cluster: cluster 3, member bit 1. */
	wr(&f, R_DFR, 0x0fffffff);
	wr(&f, R_LDR, 0x32000000);
	CU_ASSERT_TRUE(match(&f, true, 0x32, 0, -1));
	CU_ASSERT_TRUE(match(&f, true, 0x3f, 0, -1));
	CU_ASSERT_FALSE(match(&f, true, 0x31, 0, -1));
	CU_ASSERT_FALSE(match(&f, true, 0x22, 0, -1));
	CU_ASSERT_TRUE(match(&f, true, 0xff, 0, -1));
	/* Shorthands relative to the sender. */
	CU_ASSERT_TRUE(match(&f, false, 9, LAPIC_SH_SELF, 2));
	CU_ASSERT_FALSE(match(&f, false, 2, LAPIC_SH_SELF, 1));
	CU_ASSERT_TRUE(match(&f, false, 9, LAPIC_SH_ALL, 2));
	CU_ASSERT_TRUE(match(&f, false, 9, LAPIC_SH_ALL_BUT_SELF, 1));
	CU_ASSERT_FALSE(match(&f, false, 2, LAPIC_SH_ALL_BUT_SELF, 2));
	/* A hardware-disabled APIC is off the bus. */
	CU_ASSERT_EQUAL(vlapic_set_base_msr(f.l, BASE), 0);
	CU_ASSERT_FALSE(match(&f, false, 2, 0, -1));
	fx_fini(&f);
}

/* ---- ICR -------------------------------------------------------------- */

static const struct lapic_irq *last_ipi(struct fixture *f)
{
	CU_ASSERT_FATAL(f->rec.n_ipis > 0);
	return &f->rec.ipis[f->rec.n_ipis - 1];
}

/* ICR low values and the message each sends (SDM figure 10-12); a
 * delivery of 0xff means nothing is sent. */
static const struct {
	uint32_t icr;
	uint8_t delivery, vector, shorthand;
	bool logical, level, assert;
} icr_cases[] = {
    {0x000010f1, LAPIC_DM_FIXED, 0xf1, 0, false, false, false},
    {0x0000c942, LAPIC_DM_LOWEST, 0x42, 0, true, true, true},
    {0x000c0400, LAPIC_DM_NMI, 0, LAPIC_SH_ALL_BUT_SELF, false, false, false},
    {0x0008c500, LAPIC_DM_INIT, 0, LAPIC_SH_ALL, false, true, true},
    {0x00088500, 0xff, 0, 0, false, false, false}, /* INIT level de-assert */
    {0x0000069a, LAPIC_DM_STARTUP, 0x9a, 0, false, false, false},
    {0x00040055, LAPIC_DM_FIXED, 0x55, LAPIC_SH_SELF, false, false, false},
    {0x00000200, 0xff, 0, 0, false, false, false}, /* SMI */
    {0x00000700, 0xff, 0, 0, false, false, false}, /* ExtINT */
    {0x0000000f, 0xff, 0, 0, false, false, false}, /* illegal vector */
};

static void test_icr_send(void)
{
	struct fixture f;

	fx_init(&f, 1, false);
	sw_enable(&f);
	wr(&f, R_ICR2, 0x03ffffff);
	CU_ASSERT_EQUAL(rd(&f, R_ICR2), 0x03000000u);
	for (size_t i = 0; i < sizeof(icr_cases) / sizeof(icr_cases[0]); i++) {
		unsigned n = f.rec.n_ipis;
		const struct lapic_irq *ipi = &f.rec.ipis[n];

		wr(&f, R_ICR, icr_cases[i].icr);
		/* Delivery status (bit 12) reads 0: the send is done. */
		CU_ASSERT_EQUAL(rd(&f, R_ICR), icr_cases[i].icr & ~0x1000u);
		if (icr_cases[i].delivery == 0xff) {
			CU_ASSERT_EQUAL(f.rec.n_ipis, n);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(f.rec.n_ipis, n + 1);
		CU_ASSERT_EQUAL(ipi->delivery, icr_cases[i].delivery);
		CU_ASSERT_EQUAL(ipi->vector, icr_cases[i].vector);
		CU_ASSERT_EQUAL(ipi->shorthand, icr_cases[i].shorthand);
		CU_ASSERT_EQUAL(ipi->logical, icr_cases[i].logical);
		CU_ASSERT_EQUAL(ipi->level, icr_cases[i].level);
		CU_ASSERT_EQUAL(ipi->assert, icr_cases[i].assert);
		CU_ASSERT_EQUAL(ipi->dest, 3);
		CU_ASSERT_EQUAL(ipi->src_vcpu, 1);
	}
	fx_fini(&f);
}

/* ---- INIT / SIPI ------------------------------------------------------ */

static void test_init_sipi(void)
{
	struct fixture f;

	fx_init(&f, 1, false);
	/* An AP comes up waiting for SIPI. */
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	accept_mode(&f, LAPIC_DM_STARTUP, 0x10, false, true);
	CU_ASSERT_EQUAL(f.rec.sipis, 1);
	CU_ASSERT_EQUAL(f.rec.sipi_vector, 0x10);
	/* A second SIPI is ignored. */
	accept_mode(&f, LAPIC_DM_STARTUP, 0x20, false, true);
	CU_ASSERT_EQUAL(f.rec.sipis, 1);
	/* The guest programs its APIC; INIT resets it except ID/base. */
	sw_enable(&f);
	wr(&f, R_LDR, 0x08000000);
	wr(&f, R_TPR, 0x30);
	accept(&f, 0x70, false);
	CU_ASSERT_EQUAL(vlapic_set_base_msr(f.l, 0xfec00800), 0);
	accept_mode(&f, LAPIC_DM_INIT, 0, true, false); /* de-assert */
	CU_ASSERT_EQUAL(f.rec.inits, 0);
	accept_mode(&f, LAPIC_DM_INIT, 0, false, true);
	CU_ASSERT_EQUAL(f.rec.inits, 1);
	CU_ASSERT_EQUAL(vlapic_get_base_msr(f.l), 0xfec00800ull);
	EXPECT_REGS(&f, R_ID, 1u << 24, R_LDR, 0, R_TPR, 0, R_SVR, 0xff,
		    R_IRR + 48, 0, R_LINT0, 0x10000);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	accept_mode(&f, LAPIC_DM_STARTUP, 0x9f, false, true);
	CU_ASSERT_EQUAL(f.rec.sipis, 2);
	CU_ASSERT_EQUAL(f.rec.sipi_vector, 0x9f);
	fx_fini(&f);

	/* The BSP does not wait for SIPI after power-up. */
	fx_init(&f, 0, true);
	accept_mode(&f, LAPIC_DM_STARTUP, 0x10, false, true);
	CU_ASSERT_EQUAL(f.rec.sipis, 0);
	fx_fini(&f);
}

/* ---- software disable ------------------------------------------------- */

static void test_sw_disable(void)
{
	static const unsigned lvts[] = {R_CMCI,	 R_LVTT,  R_THERM, R_PERF,
					R_LINT0, R_LINT1, R_LVTERR};
	struct fixture f;

	fx_init(&f, 0, true);
	/* Disabled: LVT mask bits stick. */
	wr(&f, R_LVTT, 0x20030);
	CU_ASSERT_EQUAL(rd(&f, R_LVTT), 0x30030u);
	sw_enable(&f);
	for (unsigned i = 0; i < 7; i++)
		wr(&f, lvts[i], 0x40 + i);
	EXPECT_REGS(&f, R_CMCI, 0x40, R_LVTT, 0x41, R_LINT0, 0x44);
	/* Reserved bits: TSC-deadline (18), remote IRR, delivery status;
	 * the error and timer LVTs have no delivery mode. */
	wr(&f, R_LVTT, 0x41741);
	wr(&f, R_LINT1, 0x1f7ff);
	wr(&f, R_LVTERR, 0x7ff);
	wr(&f, R_THERM, 0x1f2ff);
	EXPECT_REGS(&f, R_LVTT, 0x41, R_LINT1, 0x1a7ffu, R_LVTERR, 0xff,
		    R_THERM, 0x102ffu);
	wr(&f, R_LINT1, 0x46);
	accept(&f, 0x90, false);
	wr(&f, R_SVR, 0xff);
	CU_ASSERT_FALSE(vlapic_enabled(f.l));
	for (unsigned i = 0; i < 7; i++) {
		CU_ASSERT_TRUE(rd(&f, lvts[i]) & 0x10000);
		wr(&f, lvts[i], 0x50);
		CU_ASSERT_EQUAL(rd(&f, lvts[i]), 0x10050u);
	}
	/* IRR is held but nothing is delivered. */
	CU_ASSERT_TRUE(bit(&f, R_IRR, 0x90));
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	sw_enable(&f);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), 0x90);
	CU_ASSERT_EQUAL(rd(&f, R_LVTT), 0x10050u); /* still masked */
	fx_fini(&f);
}

/* ---- timer ------------------------------------------------------------ */

static void advance(struct fixture *f, uint64_t ns)
{
	vtimer_service_advance(f->svc, ns);
}

static const struct {
	uint32_t tdcr;
	unsigned div;
} divides[] = {
    {0x0, 2},  {0x1, 4},  {0x2, 8},   {0x3, 16},
    {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1},
};

static void test_timer_oneshot(void)
{
	struct fixture f;

	fx_init(&f, 0, true);
	sw_enable(&f);
	wr(&f, R_LVTT, 0xd1);
	for (unsigned i = 0; i < 8; i++) {
		unsigned d = divides[i].div;

		wr(&f, R_TDCR, divides[i].tdcr);
		CU_ASSERT_EQUAL(rd(&f, R_TDCR), divides[i].tdcr);
		wr(&f, R_TMICT, 1000);
		CU_ASSERT_EQUAL(rd(&f, R_TMICT), 1000);
		CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 1000);
		advance(&f, 250ull * d);
		CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 750);
		advance(&f, 700ull * d);
		CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 50);
		CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
		advance(&f, 50ull * d);
		CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 0);
		CU_ASSERT_EQUAL(take(&f), 0xd1);
		wr(&f, R_EOI, 0);
		/* One-shot: stays at zero, no second interrupt. */
		advance(&f, 5000ull * d);
		CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 0);
		CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	}
	/* Writing 0 stops a running count. */
	wr(&f, R_TMICT, 100);
	advance(&f, 10);
	wr(&f, R_TMICT, 0);
	CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 0);
	advance(&f, 1000);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	/* Rewriting restarts: the old deadline is dropped. */
	wr(&f, R_TMICT, 100);
	advance(&f, 90);
	wr(&f, R_TMICT, 100);
	advance(&f, 90);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 10);
	advance(&f, 10);
	CU_ASSERT_EQUAL(take(&f), 0xd1);
	wr(&f, R_EOI, 0);
	/* A masked timer counts but does not interrupt. */
	wr(&f, R_LVTT, 0x100d1);
	wr(&f, R_TMICT, 100);
	advance(&f, 200);
	CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 0);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	fx_fini(&f);
}

static void test_timer_periodic(void)
{
	struct fixture f;

	fx_init(&f, 0, true);
	sw_enable(&f);
	wr(&f, R_LVTT, 0x200e1);
	for (unsigned i = 0; i < 8; i += 3) {
		unsigned d = divides[i].div;
		unsigned before = f.rec.kicks;

		wr(&f, R_TDCR, divides[i].tdcr);
		wr(&f, R_TMICT, 400);
		for (unsigned t = 0; t < 5; t++) {
			advance(&f, 100ull * d);
			CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 300);
			advance(&f, 300ull * d - 1);
			CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 1);
			CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
			advance(&f, 1);
			CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 400);
			CU_ASSERT_EQUAL(take(&f), 0xe1);
			wr(&f, R_EOI, 0);
		}
		CU_ASSERT_EQUAL(f.rec.kicks - before, 5);
	}
	/* Divide change mid-count re-bases: 200 counts left at /2 become
	 * 200 counts at /8. */
	wr(&f, R_TDCR, 0x0);
	wr(&f, R_TMICT, 400);
	advance(&f, 400);
	CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 200);
	wr(&f, R_TDCR, 0x2);
	CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 200);
	advance(&f, 800);
	CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 100);
	advance(&f, 800);
	CU_ASSERT_EQUAL(take(&f), 0xe1);
	wr(&f, R_EOI, 0);
	CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 400);
	advance(&f, 3200);
	CU_ASSERT_EQUAL(take(&f), 0xe1);
	wr(&f, R_EOI, 0);
	/* Switch to one-shot mid-count: this count finishes, then stop. */
	advance(&f, 1600);
	wr(&f, R_LVTT, 0xe1);
	CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 200);
	advance(&f, 1600);
	CU_ASSERT_EQUAL(take(&f), 0xe1);
	wr(&f, R_EOI, 0);
	advance(&f, 10000);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 0);
	fx_fini(&f);
}

/* Late ticks (the timer thread ran late): the domain's timer_mode
 * decides how many arrive (periodic_timer.h). */
static unsigned late_ticks(enum timer_mode mode)
{
	struct fixture f;
	unsigned kicks;

	fx_init(&f, 0, true);
	vtimer_set_mode(f.svc, mode);
	sw_enable(&f);
	wr(&f, R_TDCR, 0xb);
	wr(&f, R_LVTT, 0x200e1);
	wr(&f, R_TMICT, 1000000); /* 1 ms */
	/* Time moves 5.5 ms without the timer firing, then fires late. */
	vclock_advance(f.clock, 5500000);
	advance(&f, 0);
	/* CCR follows the clock, not the ticks. */
	CU_ASSERT_EQUAL(rd(&f, R_TMCCT), 500000);
	advance(&f, 400000); /* up to 5.9 ms: catch-up ticks only */
	kicks = f.rec.kicks;
	fx_fini(&f);
	return kicks;
}

static void test_timer_modes(void)
{
	unsigned no_delay = late_ticks(TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS);
	unsigned no_missed = late_ticks(TIMER_MODE_NO_MISSED_TICKS_PENDING);
	unsigned one_missed = late_ticks(TIMER_MODE_ONE_MISSED_TICK_PENDING);

	/* 5 periods elapsed: no_delay delivers them all (one at once, the
	 * rest a quarter period apart), no_missed_ticks_pending none. */
	CU_ASSERT_EQUAL(no_delay, 2);
	CU_ASSERT_EQUAL(no_missed, 0);
	CU_ASSERT_EQUAL(one_missed, 1);
}

/*
 * A tick computed before a reprogramming must not be delivered after
 * it. A threaded timer service on the manual clock fires the expiry,
 * whose callback then waits for the irq lock that the "guest" holds
 * while it reprograms (or masks) the timer: the callback must drop it.
 */
static void race_once(bool mask)
{
	struct timespec pause = {0, 30 * 1000 * 1000};
	struct fixture f;
	uint64_t v;

	fx_init(&f, 0, true);
	vlapic_destroy(f.l);
	vtimer_service_destroy(f.svc);
	f.svc = vtimer_service_create(f.clock, 1, false);
	CU_ASSERT_FATAL(f.svc != NULL);
	f.l = vlapic_create(1, 0, true, f.svc, &f.lock, &test_ops, &f.rec);
	CU_ASSERT_FATAL(f.l != NULL);
	sw_enable(&f);
	wr(&f, R_LVTT, 0xe1);
	wr(&f, R_TDCR, 0xb);
	wr(&f, R_TMICT, 100);
	pthread_mutex_lock(&f.lock);
	vclock_advance(f.clock, 150);
	nanosleep(&pause, NULL); /* the callback now waits for the lock */
	v = mask ? 0x100e1 : 1000000;
	vlapic_mmio(f.l, BASE + (mask ? R_LVTT : R_TMICT), 4, true, &v);
	pthread_mutex_unlock(&f.lock);
	nanosleep(&pause, NULL);
	pthread_mutex_lock(&f.lock);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	CU_ASSERT_EQUAL(f.rec.kicks, 0);
	pthread_mutex_unlock(&f.lock);
	vlapic_destroy(f.l);
	f.l = NULL;
	fx_fini(&f);
}

static void test_timer_race(void)
{
	race_once(false);
	race_once(true);
}

/* ---- ExtINT and NMI --------------------------------------------------- */

static void test_extint(void)
{
	struct fixture f;

	fx_init(&f, 0, true);
	f.rec.pic_vector = 0x20;
	/* Power-up: LINT0 masked, nothing gets through. */
	sw_enable(&f);
	f.rec.pic_intr = true;
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	/* Virtual wire: the PIC's INTR passes, above any IRR vector. */
	vlapic_setup_virtual_wire(f.l);
	accept(&f, 0xf0, false);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), LAPIC_PENDING_EXTINT);
	CU_ASSERT_EQUAL(vlapic_ack_intr(f.l, LAPIC_PENDING_EXTINT), 0x20);
	CU_ASSERT_EQUAL(f.rec.pic_acks, 1);
	f.rec.pic_intr = false;
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), 0xf0);
	CU_ASSERT_EQUAL(take(&f), 0xf0);
	wr(&f, R_EOI, 0);
	/* An ExtINT message (IOAPIC entry) is remembered until acked. */
	accept_mode(&f, LAPIC_DM_EXTINT, 0, false, true);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), LAPIC_PENDING_EXTINT);
	CU_ASSERT_EQUAL(vlapic_ack_intr(f.l, LAPIC_PENDING_EXTINT), 0x20);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	/* Hardware-disabled: INTR straight through, MMIO unclaimed. */
	CU_ASSERT_EQUAL(vlapic_set_base_msr(f.l, BASE | 0x100), 0);
	CU_ASSERT_FALSE(vlapic_enabled(f.l));
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	f.rec.pic_intr = true;
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), LAPIC_PENDING_EXTINT);
	CU_ASSERT_EQUAL(vlapic_ack_intr(f.l, LAPIC_PENDING_EXTINT), 0x20);
	uint64_t v = 0;
	CU_ASSERT_EQUAL(vlapic_mmio(f.l, BASE + R_VER, 4, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	accept(&f, 0x40, false);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), LAPIC_PENDING_EXTINT);
	f.rec.pic_intr = false;
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	/* Re-enabled: power-up state (SDM 10.4.3). */
	CU_ASSERT_EQUAL(vlapic_set_base_msr(f.l, BASE | 0x800), 0);
	CU_ASSERT_EQUAL(rd(&f, R_SVR), 0xff);
	CU_ASSERT_EQUAL(rd(&f, R_LINT0), 0x10000);
	fx_fini(&f);
}

static void test_nmi(void)
{
	struct fixture f;
	struct lapic_irq irq;

	fx_init(&f, 0, true);
	vlapic_setup_virtual_wire(f.l);
	CU_ASSERT_FALSE(vlapic_take_nmi(f.l));
	/* LINT1 in NMI mode: rising edges only. */
	vlapic_set_lint(f.l, 1, true);
	CU_ASSERT_TRUE(vlapic_take_nmi(f.l));
	CU_ASSERT_FALSE(vlapic_take_nmi(f.l));
	vlapic_set_lint(f.l, 1, true);
	CU_ASSERT_FALSE(vlapic_take_nmi(f.l));
	vlapic_set_lint(f.l, 1, false);
	vlapic_set_lint(f.l, 1, true);
	CU_ASSERT_TRUE(vlapic_take_nmi(f.l));
	/* Masked: ignored. */
	vlapic_set_lint(f.l, 1, false);
	wr(&f, R_LINT1, 0x10400);
	vlapic_set_lint(f.l, 1, true);
	CU_ASSERT_FALSE(vlapic_take_nmi(f.l));
	/* ICR NMI to self arrives as an NMI message. */
	wr(&f, R_ICR, 0x00040400);
	irq = *last_ipi(&f);
	CU_ASSERT_TRUE(vlapic_match_dest(f.l, &irq));
	vlapic_accept(f.l, &irq);
	CU_ASSERT_TRUE(vlapic_take_nmi(f.l));
	/* LINT0 fixed, level-triggered: remote IRR until EOI, then again
	 * while the pin is high. */
	wr(&f, R_LINT0, 0x8033);
	vlapic_set_lint(f.l, 0, true);
	CU_ASSERT_EQUAL(rd(&f, R_LINT0), 0xc033u);
	CU_ASSERT_EQUAL(take(&f), 0x33);
	wr(&f, R_EOI, 0);
	CU_ASSERT_EQUAL(f.rec.eois, 1);
	CU_ASSERT_EQUAL(rd(&f, R_LINT0), 0xc033u);
	vlapic_set_lint(f.l, 0, false);
	CU_ASSERT_EQUAL(take(&f), 0x33);
	wr(&f, R_EOI, 0);
	CU_ASSERT_EQUAL(rd(&f, R_LINT0), 0x8033u);
	CU_ASSERT_EQUAL(vlapic_pending_intr(f.l), -1);
	fx_fini(&f);
}

/* ---- base MSR --------------------------------------------------------- */

static void test_base_msr(void)
{
	struct fixture f;
	uint64_t v = 0;

	fx_init(&f, 0, true);
	CU_ASSERT_EQUAL(vlapic_set_base_msr(f.l, 0xfee00c00ull), -EINVAL);
	CU_ASSERT_EQUAL(vlapic_set_base_msr(f.l, 0x1000fee00800ull), -EINVAL);
	CU_ASSERT_EQUAL(vlapic_set_base_msr(f.l, 0xfee00801ull), -EINVAL);
	CU_ASSERT_EQUAL(vlapic_get_base_msr(f.l), 0xfee00900ull);
	/* Relocate: the BSP bit is the platform's. */
	CU_ASSERT_EQUAL(vlapic_set_base_msr(f.l, 0xf00000800ull), 0);
	CU_ASSERT_EQUAL(vlapic_base(f.l), 0xf00000000ull);
	CU_ASSERT_EQUAL(vlapic_get_base_msr(f.l), 0xf00000900ull);
	CU_ASSERT_EQUAL(vlapic_mmio(f.l, 0xf00000000ull + R_VER, 4, false, &v),
			0);
	CU_ASSERT_EQUAL(v, 0x00050014u);
	CU_ASSERT_EQUAL(vlapic_mmio(f.l, BASE + R_VER, 4, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	fx_fini(&f);

	fx_init(&f, 1, false);
	CU_ASSERT_EQUAL(vlapic_set_base_msr(f.l, 0xfee00900ull), 0);
	CU_ASSERT_EQUAL(vlapic_get_base_msr(f.l), 0xfee00800ull);
	fx_fini(&f);
}

/* ---- save / load ------------------------------------------------------ */

static void program(struct fixture *f)
{
	sw_enable(f);
	wr(f, R_TPR, 0x20);
	wr(f, R_LDR, 0x01000000);
	wr(f, R_LINT0, 0x700);
	wr(f, R_TDCR, 0x1);
	wr(f, R_LVTT, 0x200e1);
	wr(f, R_TMICT, 1000);
	accept(f, 0x61, true);
	accept(f, 0x80, false);
	accept_mode(f, LAPIC_DM_STARTUP, 0x10, false, true);
	CU_ASSERT_EQUAL(take(f), 0x80);
	advance(f, 1000);
}

static void test_save_load(void)
{
	struct fixture a, b;
	struct vlapic_save s, s2;

	fx_init(&a, 1, false);
	fx_init(&b, 1, false);
	program(&a);
	vlapic_save(a.l, &s);
	CU_ASSERT_EQUAL(s.timer_period, 4000);
	CU_ASSERT_EQUAL(s.regs[0x39], 750);
	/* b's clock must agree with a's for the deadlines to mean the
	 * same thing, as after a real restore of the domain clock. */
	advance(&b, 1000);
	CU_ASSERT_EQUAL(vlapic_load(b.l, &s), 0);
	vlapic_save(b.l, &s2);
	CU_ASSERT_EQUAL(memcmp(&s, &s2, sizeof(s)), 0);
	for (unsigned off = 0; off < 0x400; off += 16)
		CU_ASSERT_EQUAL(rd(&a, off), rd(&b, off));
	/* Both timers fire at the same moment. */
	unsigned ka = a.rec.kicks, kb = b.rec.kicks;
	advance(&a, 2999);
	advance(&b, 2999);
	CU_ASSERT_EQUAL(a.rec.kicks, ka);
	CU_ASSERT_EQUAL(b.rec.kicks, kb);
	advance(&a, 1);
	advance(&b, 1);
	CU_ASSERT_EQUAL(a.rec.kicks, ka + 1);
	CU_ASSERT_EQUAL(b.rec.kicks, kb + 1);
	CU_ASSERT_TRUE(bit(&b, R_IRR, 0xe1));
	CU_ASSERT_EQUAL(rd(&b, R_TMCCT), 1000);
	CU_ASSERT_EQUAL(take(&b), 0xe1);
	fx_fini(&b);
	fx_fini(&a);
}

static void test_load_rejects(void)
{
	struct fixture f;
	struct vlapic_save good, bad;
	struct {
		unsigned reg;
		uint32_t val;
	} regs[] = {
	    {0x02, 5u << 24},	/* ID of another vCPU */
	    {0x03, 0x10},	/* version */
	    {0x0e, 0xf0000000}, /* DFR low bits */
	    {0x0f, 0x10ff},	/* SVR directed EOI */
	    {0x20, 0x8},	/* IRR vector 3 */
	    {0x10, 0x8000},	/* ISR vector 15 */
	    {0x32, 0x400e1},	/* TSC deadline */
	    {0x37, 0x500},	/* error LVT delivery mode */
	    {0x3e, 0x4},	/* TDCR reserved */
	    {0x04, 1},		/* reserved slot */
	    {0x08, 0x100},	/* TPR */
	};

	fx_init(&f, 1, false);
	program(&f);
	vlapic_save(f.l, &good);
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		bad = good;
		bad.regs[regs[i].reg] = regs[i].val;
		CU_ASSERT_EQUAL(vlapic_load(f.l, &bad), -EINVAL);
	}
	bad = good;
	bad.apic_base_msr |= 1 << 10;
	CU_ASSERT_EQUAL(vlapic_load(f.l, &bad), -EINVAL);
	bad = good;
	bad.pending_nmi = 2;
	CU_ASSERT_EQUAL(vlapic_load(f.l, &bad), -EINVAL);
	bad = good;
	bad.timer_period = 1234;
	CU_ASSERT_EQUAL(vlapic_load(f.l, &bad), -EINVAL);
	bad = good;
	bad.regs[0x38] = 0;
	CU_ASSERT_EQUAL(vlapic_load(f.l, &bad), -EINVAL);
	bad = good; /* software-disabled with an unmasked LVT */
	bad.regs[0x0f] = 0xff;
	CU_ASSERT_EQUAL(vlapic_load(f.l, &bad), -EINVAL);
	/* Nothing changed; the good record still loads. */
	CU_ASSERT_EQUAL(rd(&f, R_TPR), 0x20);
	CU_ASSERT_EQUAL(vlapic_load(f.l, &good), 0);
	fx_fini(&f);
}

/* ---- randomized ------------------------------------------------------- */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned popcount_bank(const uint32_t *regs, unsigned bank)
{
	unsigned n = 0;

	for (unsigned i = 0; i < 8; i++)
		n += (unsigned)__builtin_popcount(regs[bank / 16 + i]);
	return n;
}

/* A random MMIO access, biased to register slots and short counts. */
static void random_mmio(struct fixture *f, uint64_t r, uint64_t v)
{
	static const unsigned sizes[] = {1, 2, 8, 4, 4, 4, 4, 4};
	uint64_t off =
	    (r >> 8) % 4 ? ((r >> 16) & 0x3f) << 4 : (r >> 16) & 0xfff;

	if (off == R_TMICT && ((r >> 30) & 1))
		v &= 0xfff;
	mmio(f, off, sizes[(r >> 3) & 7], (r >> 6) & 1, &v);
}

/* Take what is pending, checking it beats the PPR; 1 if into ISR. */
static unsigned random_ack(struct fixture *f)
{
	int p = vlapic_pending_intr(f->l);

	if (p == LAPIC_PENDING_EXTINT) {
		vlapic_ack_intr(f->l, p);
		return 0;
	}
	if (p < 0)
		return 0;
	CU_ASSERT_TRUE(p >= 16 && p < 256);
	CU_ASSERT_TRUE((p >> 4) > (vlapic_ppr(f->l) >> 4));
	return vlapic_ack_intr(f->l, p) == p;
}

/* One random step; returns how many vectors it moved into the ISR. */
static unsigned random_step(struct fixture *f, uint64_t *seed)
{
	/* Mostly fixed interrupts; every mode, reserved ones included. */
	static const uint8_t modes[16] = {0, 0, 0, 0, 0, 0, 0, 0,
					  0, 1, 4, 5, 6, 7, 2, 3};
	uint64_t r = xorshift(seed), v = xorshift(seed);

	switch (r % 8) {
	case 0:
	case 1:
	case 2:
		random_mmio(f, r, v);
		return 0;
	case 3:
		accept_mode(f, modes[(r >> 8) & 15], (uint8_t)(r >> 16),
			    (r >> 24) & 1, (r >> 25) & 1);
		return 0;
	case 4:
		return random_ack(f);
	case 5:
		wr(f, R_EOI, 0);
		vlapic_take_nmi(f->l);
		return 0;
	case 6:
		advance(f, v % 100000);
		return 0;
	default:
		vlapic_set_lint(f->l, (r >> 8) & 1, (r >> 9) & 1);
		if (((r >> 10) & 63) == 0)
			vlapic_set_base_msr(f->l, v & 0xffffffd00ull);
		return 0;
	}
}

/* Bring the APIC back to a working state now and then, so that the
 * steps reach deep states (INITs and disables keep resetting it). */
static void random_revive(struct fixture *f, uint64_t *seed)
{
	uint64_t r = xorshift(seed);

	vlapic_set_base_msr(f->l, BASE | 0x800);
	accept_mode(f, LAPIC_DM_STARTUP, 0, false, true);
	wr(f, R_SVR, 0x1ff);
	wr(f, R_LVTT, (uint32_t)(r & 0x200ff));
	wr(f, R_TDCR, (uint32_t)(r >> 20) & 0xb);
	wr(f, R_TMICT, (uint32_t)(r >> 32) & 0xfff);
}

static void test_random(void)
{
	const char *env = getenv("KXEN_VLAPIC_SEED"); /* to replay */
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x9e3779b97f4a7c15ull;
	unsigned acked = 0, total = 0, n;
	struct vlapic_save s;
	struct fixture f;

	if (seed == 0)
		seed = 1; /* xorshift's fixed point */

	printf("\n    vlapic random seed 0x%016" PRIx64 "\n", seed);
	fx_init(&f, 0, true);
	f.rec.pic_vector = 0x28;
	for (unsigned i = 0; i < 40000; i++) {
		n = random_step(&f, &seed);
		acked += n;
		total += n;
		if ((i & 127) == 0)
			random_revive(&f, &seed);
		vlapic_save(f.l, &s);
		CU_ASSERT_TRUE(popcount_bank(s.regs, R_ISR) <= acked);
		CU_ASSERT_TRUE(s.regs[R_TMCCT / 16] <= s.regs[R_TMICT / 16]);
		if (popcount_bank(s.regs, R_ISR) == 0)
			acked = 0;
		/* Each saved record is one the loader accepts. */
		if ((i & 63) == 0)
			CU_ASSERT_EQUAL(vlapic_load(f.l, &s), 0);
	}
	printf("    %u kicks, %u IPIs, %u level EOIs, %u INIT, %u SIPI, "
	       "%u PIC acks, %u acks\n",
	       f.rec.kicks, f.rec.n_ipis, f.rec.eois, f.rec.inits, f.rec.sipis,
	       f.rec.pic_acks, total);
	fx_fini(&f);
}

int kxen_suite_vlapic(void)
{
	CU_pSuite s = CU_add_suite("vlapic", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "reset values", test_reset_values) ||
	    !CU_add_test(s, "access widths", test_access_widths) ||
	    !CU_add_test(s, "TPR and PPR", test_tpr_ppr) ||
	    !CU_add_test(s, "IRR, ISR, EOI nesting", test_nesting_eoi) ||
	    !CU_add_test(s, "level EOI broadcast", test_level_eoi) ||
	    !CU_add_test(s, "ESR", test_esr) ||
	    !CU_add_test(s, "destination matching", test_match_dest) ||
	    !CU_add_test(s, "ICR sends", test_icr_send) ||
	    !CU_add_test(s, "INIT and SIPI", test_init_sipi) ||
	    !CU_add_test(s, "software disable", test_sw_disable) ||
	    !CU_add_test(s, "timer one-shot", test_timer_oneshot) ||
	    !CU_add_test(s, "timer periodic", test_timer_periodic) ||
	    !CU_add_test(s, "timer modes", test_timer_modes) ||
	    !CU_add_test(s, "timer reprogram race", test_timer_race) ||
	    !CU_add_test(s, "ExtINT", test_extint) ||
	    !CU_add_test(s, "NMI and LINT", test_nmi) ||
	    !CU_add_test(s, "base MSR", test_base_msr) ||
	    !CU_add_test(s, "save/load round trip", test_save_load) ||
	    !CU_add_test(s, "load rejects bad records", test_load_rejects) ||
	    !CU_add_test(s, "randomized", test_random))
		return -1;
	return 0;
}
