/*
 * Interrupt wires of one domain (see irq.h): line state, the PIC pair,
 * the IOAPIC and the LAPICs, all under the irq lock.
 */
#include "irq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev/vioapic.h"
#include "dev/vlapic.h"
#include "dev/vpic.h"
#include "log.h"

struct irq_source_ctx {
	struct irq_router *r;
	enum irq_source src;
};

struct lapic_ctx {
	struct irq_router *r;
	unsigned vcpu;
};

struct irq_router {
	uint32_t domid;
	pthread_mutex_t lock; /* the irq lock: guards everything below */
	struct vpic *pic;
	struct vioapic *ioapic;
	unsigned nr_vcpus;
	struct vlapic **lapics;
	struct lapic_ctx *lapic_ctx;
	struct irq_vcpu_ops ops;
	void *ctx;
	uint32_t isa_src[IRQ_NR_ISA]; /* bit per source asserting */
	uint32_t gsi_src[IRQ_NR_GSIS];
	bool hpet_legacy;
	unsigned lowest_rr; /* round-robin start for equal priorities */
	struct irq_source_ctx source_ctx[IRQ_SRC_NR];
	uint64_t lapic_exits, lapic_time_ns;
	uint32_t intx_level[4]; /* per INTx pin: bit per PCI device */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- line state ---------------------------------------------------- */

/* ISA line level, with the PIT/RTC cut off under HPET legacy routing. */
static bool isa_level(struct irq_router *r, unsigned irq)
{
	uint32_t src = r->isa_src[irq];

	if (r->hpet_legacy && (irq == 0 || irq == 8))
		src &= ~((1u << IRQ_SRC_PIT) | (1u << IRQ_SRC_RTC));
	return src != 0;
}

/* IOAPIC pin level: its GSI sources plus the ISA IRQ wired to it. */
static bool pin_level(struct irq_router *r, unsigned gsi)
{
	if (r->gsi_src[gsi])
		return true;
	if (gsi == 2)
		return isa_level(r, 0);
	if (gsi < IRQ_NR_ISA && gsi != 0)
		return isa_level(r, gsi);
	return false;
}

/* Caller holds the lock: push ISA irq's level to the PIC and IOAPIC. */
static void update_isa(struct irq_router *r, unsigned irq)
{
	vpic_set_irq(r->pic, irq, isa_level(r, irq));
	if (irq != 2) /* IR2 is the cascade; GSI 2 carries IRQ 0 */
		vioapic_set_irq(r->ioapic, irq == 0 ? 2 : irq,
				pin_level(r, irq == 0 ? 2 : irq));
}

static void set_bit_level(uint32_t *word, enum irq_source src, bool on)
{
	if (on)
		*word |= 1u << src;
	else
		*word &= ~(1u << src);
}

void irq_isa_line(void *source_ctx, unsigned line, enum irq_level level)
{
	struct irq_source_ctx *s = source_ctx;
	struct irq_router *r = s->r;

	if (line >= IRQ_NR_ISA)
		return;
	pthread_mutex_lock(&r->lock);
	set_bit_level(&r->isa_src[line], s->src, level != IRQ_DEASSERT);
	update_isa(r, line);
	if (level == IRQ_PULSE) {
		set_bit_level(&r->isa_src[line], s->src, false);
		update_isa(r, line);
	}
	pthread_mutex_unlock(&r->lock);
}

void irq_gsi_line(void *source_ctx, unsigned line, enum irq_level level)
{
	struct irq_source_ctx *s = source_ctx;
	struct irq_router *r = s->r;

	if (line >= IRQ_NR_GSIS)
		return;
	pthread_mutex_lock(&r->lock);
	set_bit_level(&r->gsi_src[line], s->src, level != IRQ_DEASSERT);
	vioapic_set_irq(r->ioapic, line, pin_level(r, line));
	if (level == IRQ_PULSE) {
		set_bit_level(&r->gsi_src[line], s->src, false);
		vioapic_set_irq(r->ioapic, line, pin_level(r, line));
	}
	pthread_mutex_unlock(&r->lock);
}

void irq_set_hpet_legacy(void *source_ctx, bool on)
{
	struct irq_source_ctx *s = source_ctx;
	struct irq_router *r = s->r;

	pthread_mutex_lock(&r->lock);
	r->hpet_legacy = on;
	update_isa(r, 0);
	update_isa(r, 8);
	pthread_mutex_unlock(&r->lock);
}

void *irq_source(struct irq_router *r, enum irq_source src)
{
	return src < IRQ_SRC_NR ? &r->source_ctx[src] : NULL;
}

unsigned irq_pci_intx_gsi(unsigned device, unsigned intx)
{
	return 16 + ((device + intx) & 7);
}

int irq_pci_intx(struct irq_router *r, unsigned device, unsigned intx,
		 bool level)
{
	unsigned gsi, d, p;
	bool any = false;

	if (device > 31 || intx > 3)
		return -EINVAL;
	gsi = irq_pci_intx_gsi(device, intx);
	pthread_mutex_lock(&r->lock);
	if (level)
		r->intx_level[intx] |= 1u << device;
	else
		r->intx_level[intx] &= ~(1u << device);
	for (p = 0; p < 4; p++)
		for (d = 0; d < 32; d++)
			if ((r->intx_level[p] >> d & 1) &&
			    irq_pci_intx_gsi(d, p) == gsi)
				any = true;
	set_bit_level(&r->gsi_src[gsi], IRQ_SRC_PCI, any);
	vioapic_set_irq(r->ioapic, gsi, pin_level(r, gsi));
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* ---- the APIC bus -------------------------------------------------- */

/* Caller holds the lock. Lowest priority: the enabled target with the
 * lowest PPR, ties broken round-robin (SDM 10.6.2.4 leaves it open). */
static void deliver_lowest(struct irq_router *r, const struct lapic_irq *irq)
{
	struct vlapic *best = NULL;
	unsigned i, n = r->nr_vcpus;

	for (i = 0; i < n; i++) {
		struct vlapic *l = r->lapics[(r->lowest_rr + i) % n];

		if (!vlapic_enabled(l) || !vlapic_match_dest(l, irq))
			continue;
		if (!best || vlapic_ppr(l) < vlapic_ppr(best))
			best = l;
	}
	if (best) {
		r->lowest_rr = (vlapic_id(best) + 1) % n;
		vlapic_accept(best, irq);
	}
}

/* Caller holds the lock. */
static void deliver(struct irq_router *r, const struct lapic_irq *irq)
{
	unsigned i;

	if (irq->delivery == LAPIC_DM_LOWEST) {
		deliver_lowest(r, irq);
		return;
	}
	for (i = 0; i < r->nr_vcpus; i++)
		if (vlapic_match_dest(r->lapics[i], irq))
			vlapic_accept(r->lapics[i], irq);
}

static void ioapic_deliver(void *ctx, const struct lapic_irq *irq)
{
	deliver(ctx, irq);
}

int irq_msi(struct irq_router *r, uint64_t addr, uint32_t data)
{
	struct lapic_irq irq;

	/* SDM 10.11.1: address 0xfeeXXXXX; dest 19:12, DM bit 2. */
	if ((addr >> 20) != 0xfee)
		return -EINVAL;
	memset(&irq, 0, sizeof(irq));
	irq.dest = (addr >> 12) & 0xff;
	irq.logical = (addr >> 2) & 1;
	irq.vector = data & 0xff;
	irq.delivery = (data >> 8) & 7;
	irq.level = (data >> 15) & 1;
	irq.assert = 1;
	irq.src_vcpu = -1;
	if (irq.delivery == 3 || irq.delivery == LAPIC_DM_STARTUP)
		return -EINVAL; /* reserved / not for MSIs */
	pthread_mutex_lock(&r->lock);
	deliver(r, &irq);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* ---- LAPIC callbacks (called under the lock) ------------------------ */

static void lapic_send_ipi(void *ctx, const struct lapic_irq *irq)
{
	struct lapic_ctx *c = ctx;

	deliver(c->r, irq);
}

static void lapic_eoi_level(void *ctx, uint8_t vector)
{
	struct lapic_ctx *c = ctx;

	vioapic_eoi(c->r->ioapic, vector);
}

static void lapic_kick(void *ctx)
{
	struct lapic_ctx *c = ctx;

	c->r->ops.kick(c->r->ctx, c->vcpu);
}

static void lapic_init(void *ctx)
{
	struct lapic_ctx *c = ctx;

	c->r->ops.init(c->r->ctx, c->vcpu);
}

static void lapic_sipi(void *ctx, uint8_t vector)
{
	struct lapic_ctx *c = ctx;

	c->r->ops.sipi(c->r->ctx, c->vcpu, vector);
}

static int lapic_extint_ack(void *ctx)
{
	struct lapic_ctx *c = ctx;

	return vpic_intack(c->r->pic);
}

static bool lapic_extint_pending(void *ctx)
{
	struct lapic_ctx *c = ctx;

	/* Only the BSP's LINT0 is wired to the PIC (MP spec virtual wire). */
	return c->vcpu == 0 && vpic_output(c->r->pic);
}

static const struct vlapic_ops lapic_ops = {
    .send_ipi = lapic_send_ipi,
    .eoi_level = lapic_eoi_level,
    .kick = lapic_kick,
    .init = lapic_init,
    .sipi = lapic_sipi,
    .extint_ack = lapic_extint_ack,
    .extint_pending = lapic_extint_pending,
};

/* PIC INTR changed: it drives the BSP's LINT0. */
static void pic_output(void *ctx, bool level)
{
	struct irq_router *r = ctx;

	vlapic_set_lint(r->lapics[0], 0, level);
	if (level)
		r->ops.kick(r->ctx, 0);
}

static const struct vpic_ops pic_ops = {.output = pic_output};
static const struct vioapic_ops ioapic_ops = {.deliver = ioapic_deliver};

/* ---- creation ------------------------------------------------------ */

static int create_lapics(struct irq_router *r, struct vtimer_service *timers)
{
	unsigned i;

	r->lapics = calloc(r->nr_vcpus, sizeof(r->lapics[0]));
	r->lapic_ctx = calloc(r->nr_vcpus, sizeof(r->lapic_ctx[0]));
	if (!r->lapics || !r->lapic_ctx)
		return -ENOMEM;
	for (i = 0; i < r->nr_vcpus; i++) {
		r->lapic_ctx[i] = (struct lapic_ctx){r, i};
		r->lapics[i] =
		    vlapic_create(r->domid, i, i == 0, timers, &r->lock,
				  &lapic_ops, &r->lapic_ctx[i]);
		if (!r->lapics[i])
			return -ENOMEM;
	}
	vlapic_setup_virtual_wire(r->lapics[0]);
	return 0;
}

struct irq_router *irq_router_create(uint32_t domid, unsigned nr_vcpus,
				     struct vtimer_service *timers,
				     const struct irq_vcpu_ops *ops, void *ctx)
{
	struct irq_router *r = calloc(1, sizeof(*r));
	unsigned i;

	if (!r)
		return NULL;
	r->domid = domid;
	r->nr_vcpus = nr_vcpus;
	r->ops = *ops;
	r->ctx = ctx;
	pthread_mutex_init(&r->lock, NULL);
	for (i = 0; i < IRQ_SRC_NR; i++) {
		r->source_ctx[i] = (struct irq_source_ctx){r, i};
	}
	r->pic = vpic_create(domid, &pic_ops, r);
	r->ioapic = vioapic_create(domid, &ioapic_ops, r);
	if (!r->pic || !r->ioapic || create_lapics(r, timers)) {
		irq_router_destroy(r);
		return NULL;
	}
	return r;
}

void irq_router_destroy(struct irq_router *r)
{
	unsigned i;

	if (!r)
		return;
	for (i = 0; r->lapics && i < r->nr_vcpus; i++)
		vlapic_destroy(r->lapics[i]);
	free(r->lapics);
	free(r->lapic_ctx);
	vioapic_destroy(r->ioapic);
	vpic_destroy(r->pic);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* ---- guest accesses ------------------------------------------------ */

static int pic_io_locked(void *opaque, uint64_t port, unsigned size,
			 bool is_write, uint64_t *val)
{
	struct irq_router *r = opaque;
	int rc;

	pthread_mutex_lock(&r->lock);
	rc = vpic_io(r->pic, port, size, is_write, val);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static int ioapic_mmio_locked(void *opaque, uint64_t addr, unsigned size,
			      bool is_write, uint64_t *val)
{
	struct irq_router *r = opaque;
	int rc;

	pthread_mutex_lock(&r->lock);
	rc = vioapic_mmio(r->ioapic, addr, size, is_write, val);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int irq_router_register(struct irq_router *r, struct io_table *t)
{
	int rc;

	rc = io_table_register(t, IO_SPACE_PORT, 0x20, 2, "pic-master",
			       pic_io_locked, r);
	if (!rc)
		rc = io_table_register(t, IO_SPACE_PORT, 0xa0, 2, "pic-slave",
				       pic_io_locked, r);
	if (!rc)
		rc = io_table_register(t, IO_SPACE_PORT, 0x4d0, 2, "elcr",
				       pic_io_locked, r);
	if (!rc)
		rc = io_table_register(t, IO_SPACE_MMIO, VIOAPIC_BASE,
				       VIOAPIC_SIZE, "ioapic",
				       ioapic_mmio_locked, r);
	return rc;
}

bool irq_lapic_claims(struct irq_router *r, unsigned vcpu, uint64_t addr)
{
	uint64_t base;

	if (vcpu >= r->nr_vcpus)
		return false;
	pthread_mutex_lock(&r->lock);
	base = vlapic_base(r->lapics[vcpu]);
	pthread_mutex_unlock(&r->lock);
	return addr >= base && addr - base < VLAPIC_SIZE;
}

int irq_lapic_mmio(struct irq_router *r, unsigned vcpu, uint64_t addr,
		   unsigned size, bool is_write, uint64_t *val)
{
	uint64_t t0 = mono_ns();
	int rc;

	pthread_mutex_lock(&r->lock);
	rc = vlapic_mmio(r->lapics[vcpu], addr, size, is_write, val);
	r->lapic_exits++;
	r->lapic_time_ns += mono_ns() - t0;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

uint64_t irq_lapic_get_base(struct irq_router *r, unsigned vcpu)
{
	uint64_t v;

	pthread_mutex_lock(&r->lock);
	v = vlapic_get_base_msr(r->lapics[vcpu]);
	pthread_mutex_unlock(&r->lock);
	return v;
}

int irq_lapic_set_base(struct irq_router *r, unsigned vcpu, uint64_t v)
{
	int rc;

	pthread_mutex_lock(&r->lock);
	rc = vlapic_set_base_msr(r->lapics[vcpu], v);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* ---- injection ----------------------------------------------------- */

int irq_pending_vector(struct irq_router *r, unsigned vcpu)
{
	int v;

	pthread_mutex_lock(&r->lock);
	v = vlapic_pending_intr(r->lapics[vcpu]);
	pthread_mutex_unlock(&r->lock);
	return v;
}

int irq_ack_vector(struct irq_router *r, unsigned vcpu)
{
	int v;

	pthread_mutex_lock(&r->lock);
	v = vlapic_pending_intr(r->lapics[vcpu]);
	if (v >= 0)
		v = vlapic_ack_intr(r->lapics[vcpu], v);
	pthread_mutex_unlock(&r->lock);
	return v;
}

bool irq_take_nmi(struct irq_router *r, unsigned vcpu)
{
	bool nmi;

	pthread_mutex_lock(&r->lock);
	nmi = vlapic_take_nmi(r->lapics[vcpu]);
	pthread_mutex_unlock(&r->lock);
	return nmi;
}

bool irq_can_wake(struct irq_router *r, unsigned vcpu, bool if_flag)
{
	return if_flag && irq_pending_vector(r, vcpu) >= 0;
}

uint8_t irq_get_cr8(struct irq_router *r, unsigned vcpu)
{
	uint8_t v;

	pthread_mutex_lock(&r->lock);
	v = vlapic_get_cr8(r->lapics[vcpu]);
	pthread_mutex_unlock(&r->lock);
	return v;
}

void irq_set_cr8(struct irq_router *r, unsigned vcpu, uint8_t cr8)
{
	pthread_mutex_lock(&r->lock);
	vlapic_set_cr8(r->lapics[vcpu], cr8);
	pthread_mutex_unlock(&r->lock);
}

void irq_lapic_stats(struct irq_router *r, uint64_t *exits, uint64_t *time_ns)
{
	pthread_mutex_lock(&r->lock);
	*exits = r->lapic_exits;
	*time_ns = r->lapic_time_ns;
	pthread_mutex_unlock(&r->lock);
}
