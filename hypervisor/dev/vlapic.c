/*
 * Local APIC of one vCPU in xAPIC mode, after the Intel SDM vol. 3
 * ch. 10 ("Advanced Programmable Interrupt Controller"): the register
 * page (§10.4.1), priorities (§10.8.3), interrupt acceptance, service
 * and EOI (§10.8.4-10.8.5), logical/physical destinations (§10.6.2),
 * IPIs through the ICR (§10.6.1), the LVT (§10.5.1), error reporting
 * (§10.5.3), software/hardware disable (§10.4.3, §10.4.7.2) and the
 * INIT/STARTUP protocol (§8.4, §10.4.7.3). The timer is in
 * vlapic_timer.c.
 *
 * Locking: see vlapic.h. Every entry point runs under the domain's irq
 * lock; only the timer callback takes it itself.
 *
 * Guest input never crashes anything here: odd widths and offsets are
 * ignored (§10.4.1 only defines aligned 32-bit accesses), reserved bits
 * are dropped on write, and illegal vectors are reported through the ESR
 * as the SDM says.
 */
#include "dev/vlapic_regs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Writable bits of each LVT (figure 10-8); delivery status and remote
 * IRR are read-only, TSC-deadline mode is reserved. */
#define LVT_BASE_WMASK (LVT_VECTOR | LVT_MASKED)
#define LVT_DM_WMASK (LVT_BASE_WMASK | LVT_DM_MASK)
#define LVT_LINT_WMASK (LVT_DM_WMASK | LVT_POLARITY | LVT_LEVEL)
/* ICR (figure 10-12): vector, delivery mode, destination mode, level,
 * trigger, shorthand; delivery status (bit 12) always reads 0 since a
 * send completes within the write. */
#define ICR_LO_WMASK 0x000ccfffu
#define ICR_DEST_MODE 0x00000800u
#define ICR_ASSERT 0x00004000u
#define ICR_LEVEL 0x00008000u
#define ICR_SHORTHAND_SHIFT 18
#define XAPIC_DEST_SHIFT 24
#define DFR_MODEL_FLAT 0xfu
#define DFR_MODEL_CLUSTER 0x0u

static const uint8_t lvt_regs[] = {
    APIC_LVT_CMCI,  APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF,
    APIC_LVT_LINT0, APIC_LVT_LINT1, APIC_LVT_ERROR,
};

static uint32_t lvt_wmask(unsigned reg)
{
	switch (reg) {
	case APIC_LVT_LINT0:
	case APIC_LVT_LINT1:
		return LVT_LINT_WMASK;
	case APIC_LVT_ERROR:
		return LVT_BASE_WMASK;
	case APIC_LVT_TIMER:
		return LVT_BASE_WMASK | LVT_TIMER_PERIODIC;
	default: /* CMCI, thermal, perf */
		return LVT_DM_WMASK;
	}
}

/* ---- small helpers ---------------------------------------------------- */

bool vlapic_hw_enabled(const struct vlapic *l)
{
	return (l->base_msr & BASE_ENABLE) != 0;
}

static bool sw_enabled(const struct vlapic *l)
{
	return (l->regs[APIC_SVR] & SVR_ENABLE) != 0;
}

void vlapic_kick(struct vlapic *l)
{
	if (l->ops && l->ops->kick)
		l->ops->kick(l->ctx);
}

static bool vec_test(const struct vlapic *l, unsigned bank, unsigned v)
{
	return (l->regs[bank + v / 32] >> (v % 32)) & 1;
}

static void vec_set(struct vlapic *l, unsigned bank, unsigned v, bool on)
{
	uint32_t bit = 1u << (v % 32);

	if (on)
		l->regs[bank + v / 32] |= bit;
	else
		l->regs[bank + v / 32] &= ~bit;
}

/* Highest set vector of an 8 x 32-bit bank, or -1. */
static int vec_highest(const struct vlapic *l, unsigned bank)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = l->regs[bank + (unsigned)i];

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/* ---- priorities (§10.8.3) --------------------------------------------- */

/* §10.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0. */
uint8_t vlapic_ppr(struct vlapic *l)
{
	uint32_t tpr = l->regs[APIC_TPR] & 0xff;
	int isr = vec_highest(l, APIC_ISR);
	uint32_t isrv = isr < 0 ? 0 : (uint32_t)isr;

	if ((tpr & 0xf0) >= (isrv & 0xf0))
		return (uint8_t)tpr;
	return (uint8_t)(isrv & 0xf0);
}

/* §10.6.2.4 (P6 family arbitration priority, kept by the xAPIC). */
static uint32_t compute_apr(struct vlapic *l)
{
	uint32_t tpr = l->regs[APIC_TPR] & 0xff;
	int isr = vec_highest(l, APIC_ISR), irr = vec_highest(l, APIC_IRR);
	uint32_t isrv = isr < 0 ? 0 : (uint32_t)isr & 0xf0;
	uint32_t irrv = irr < 0 ? 0 : (uint32_t)irr & 0xf0;
	uint32_t apr = tpr & 0xf0;

	if ((tpr & 0xf0) >= irrv && (tpr & 0xf0) > isrv)
		return tpr;
	if (isrv > apr)
		apr = isrv;
	if (irrv > apr)
		apr = irrv;
	return apr;
}

/* ---- errors (§10.5.3) ------------------------------------------------- */

/* Record an error; the error LVT signals it. An illegal vector in the
 * error LVT itself only adds "receive illegal vector" (no recursion). */
static void report_error(struct vlapic *l, uint32_t bits)
{
	uint32_t lvt = l->regs[APIC_LVT_ERROR];
	uint8_t vector = (uint8_t)(lvt & LVT_VECTOR);

	l->esr_pending |= bits;
	if (lvt & LVT_MASKED)
		return;
	if (vector < 16) {
		l->esr_pending |= ESR_RECV_ILLEGAL;
		return;
	}
	vec_set(l, APIC_IRR, vector, true);
	vec_set(l, APIC_TMR, vector, false);
	vlapic_kick(l);
}

/* §10.8.4: IRR set; TMR set for level, cleared for edge. Vectors 0-15
 * are refused with "receive illegal vector" (§10.5.2). */
static void set_irr(struct vlapic *l, uint8_t vector, bool level)
{
	if (vector < 16) {
		report_error(l, ESR_RECV_ILLEGAL);
		return;
	}
	vec_set(l, APIC_IRR, vector, true);
	vec_set(l, APIC_TMR, vector, level);
}

void vlapic_accept_local(struct vlapic *l, uint8_t vector, bool level)
{
	set_irr(l, vector, level);
}

/* ---- reset ------------------------------------------------------------ */

/* Register state after power-up or INIT (§10.4.7.1): everything 0 but
 * the ID, version, DFR (all ones), SVR (0xff) and masked LVTs. */
static void reset_registers(struct vlapic *l)
{
	memset(l->regs, 0, sizeof(l->regs));
	l->regs[APIC_ID] = (uint32_t)l->vcpu_id << XAPIC_DEST_SHIFT;
	l->regs[APIC_VER] = APIC_VERSION;
	l->regs[APIC_DFR] = 0xffffffffu;
	l->regs[APIC_SVR] = 0xff;
	for (size_t i = 0; i < sizeof(lvt_regs); i++)
		l->regs[lvt_regs[i]] = LVT_RESET;
	l->esr_pending = 0;
	l->pending_nmi = false;
	l->extint_msg = false;
	vlapic_timer_stop(l);
}

/* Power-up: APs come up waiting for a STARTUP IPI (§8.4.1). */
void vlapic_reset(struct vlapic *l)
{
	reset_registers(l);
	l->base_msr =
	    VLAPIC_DEFAULT_BASE | BASE_ENABLE | (l->bsp ? BASE_BSP : 0);
	l->wait_for_sipi = !l->bsp;
}

void vlapic_setup_virtual_wire(struct vlapic *l)
{
	l->regs[APIC_SVR] = SVR_ENABLE | 0xff;
	l->regs[APIC_LVT_LINT0] = (uint32_t)LAPIC_DM_EXTINT << LVT_DM_SHIFT;
	l->regs[APIC_LVT_LINT1] = (uint32_t)LAPIC_DM_NMI << LVT_DM_SHIFT;
}

struct vlapic *vlapic_create(uint32_t domid, unsigned vcpu_id, bool bsp,
			     struct vtimer_service *timers,
			     pthread_mutex_t *irq_lock,
			     const struct vlapic_ops *ops, void *ctx)
{
	struct vlapic *l;

	if (!timers || !irq_lock || vcpu_id > 0xfe)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->domid = domid;
	l->vcpu_id = vcpu_id;
	l->bsp = bsp;
	l->timers = timers;
	l->irq_lock = irq_lock;
	l->ops = ops;
	l->ctx = ctx;
	if (vlapic_timer_create(l) < 0) {
		free(l);
		return NULL;
	}
	vlapic_reset(l);
	return l;
}

/* Without the irq lock held: destroying the timer waits for a callback
 * in flight, which may be waiting for that lock. */
void vlapic_destroy(struct vlapic *l)
{
	if (!l)
		return;
	vlapic_timer_destroy(l);
	free(l);
}

/* ---- EOI and LINT pins ------------------------------------------------ */

/* Deliver a LINT pin's fixed-mode interrupt; a level-triggered LINT0
 * sets remote IRR until the EOI (§10.5.1). LINT1 is edge only. */
static void lint_fixed(struct vlapic *l, unsigned lint, uint32_t lvt)
{
	bool level = lint == 0 && (lvt & LVT_LEVEL);

	if (level) {
		if (lvt & LVT_REMOTE_IRR)
			return;
		l->regs[APIC_LVT_LINT0] |= LVT_REMOTE_IRR;
	}
	set_irr(l, (uint8_t)(lvt & LVT_VECTOR), level);
}

/* EOI of a level vector from LINT0: clear remote IRR, re-deliver if
 * the pin is still asserted. */
static void lint_eoi(struct vlapic *l, uint8_t vector)
{
	uint32_t lvt = l->regs[APIC_LVT_LINT0];

	if (!(lvt & LVT_REMOTE_IRR) || (lvt & LVT_VECTOR) != vector)
		return;
	l->regs[APIC_LVT_LINT0] &= ~LVT_REMOTE_IRR;
	if (l->lint_pin[0] && !(lvt & LVT_MASKED))
		lint_fixed(l, 0, l->regs[APIC_LVT_LINT0]);
}

/* §10.8.5: EOI retires the highest in-service vector; a level one is
 * broadcast to the IOAPICs (no directed EOI offered). */
static void write_eoi(struct vlapic *l)
{
	int vector = vec_highest(l, APIC_ISR);

	if (vector < 0)
		return;
	vec_set(l, APIC_ISR, (unsigned)vector, false);
	if (!vec_test(l, APIC_TMR, (unsigned)vector))
		return;
	if (l->ops && l->ops->eoi_level)
		l->ops->eoi_level(l->ctx, (uint8_t)vector);
	lint_eoi(l, (uint8_t)vector);
}

void vlapic_set_lint(struct vlapic *l, unsigned lint, bool level)
{
	uint32_t lvt;
	bool rising;

	if (lint > 1)
		return;
	rising = level && !l->lint_pin[lint];
	l->lint_pin[lint] = level;
	lvt = l->regs[APIC_LVT_LINT0 + lint];
	if (!vlapic_hw_enabled(l) || (lvt & LVT_MASKED) || !level)
		return;
	switch ((lvt & LVT_DM_MASK) >> LVT_DM_SHIFT) {
	case LAPIC_DM_FIXED:
		if (rising || (lint == 0 && (lvt & LVT_LEVEL)))
			lint_fixed(l, lint, lvt);
		break;
	case LAPIC_DM_NMI: /* always edge-sensitive (§10.5.1) */
		if (rising)
			l->pending_nmi = true;
		break;
	case LAPIC_DM_EXTINT: /* the PIC is asked at injection time */
		break;
	default:
		return;
	}
	vlapic_kick(l);
}

/* ---- delivery --------------------------------------------------------- */

/* §10.4.7.3: INIT resets the APIC but keeps its ID and base MSR. */
static void accept_init(struct vlapic *l, const struct lapic_irq *irq)
{
	/* INIT level de-assert (level trigger, level 0) only resyncs
	 * arbitration IDs on old APICs: nothing to do. */
	if (irq->level && !irq->assert)
		return;
	reset_registers(l);
	l->wait_for_sipi = true;
	if (l->ops && l->ops->init)
		l->ops->init(l->ctx);
}

/* §8.4.2: STARTUP only counts in the wait-for-SIPI state. */
static bool accept_sipi(struct vlapic *l, uint8_t vector)
{
	if (!l->wait_for_sipi)
		return false;
	l->wait_for_sipi = false;
	if (l->ops && l->ops->sipi)
		l->ops->sipi(l->ctx, vector);
	return true;
}

void vlapic_accept(struct vlapic *l, const struct lapic_irq *irq)
{
	if (!vlapic_hw_enabled(l))
		return;
	switch (irq->delivery) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
		set_irr(l, irq->vector, irq->level);
		break;
	case LAPIC_DM_NMI:
		l->pending_nmi = true;
		break;
	case LAPIC_DM_INIT:
		accept_init(l, irq);
		break;
	case LAPIC_DM_STARTUP:
		if (!accept_sipi(l, irq->vector))
			return;
		break;
	case LAPIC_DM_EXTINT:
		l->extint_msg = true;
		break;
	default: /* SMI, reserved: not modelled */
		return;
	}
	vlapic_kick(l);
}

/* Logical destination (§10.6.2.2): flat model matches any common bit
 * of LDR[31:24]; cluster model matches the cluster (high nibble) and
 * any common member bit. All ones is a broadcast in both. */
static bool match_logical(const struct vlapic *l, uint8_t mda)
{
	uint8_t ldr = (uint8_t)(l->regs[APIC_LDR] >> XAPIC_DEST_SHIFT);

	if (mda == 0xff)
		return true;
	switch (l->regs[APIC_DFR] >> 28) {
	case DFR_MODEL_FLAT:
		return (ldr & mda) != 0;
	case DFR_MODEL_CLUSTER:
		return (ldr >> 4) == (mda >> 4) && (ldr & mda & 0xf) != 0;
	default:
		return false;
	}
}

bool vlapic_match_dest(struct vlapic *l, const struct lapic_irq *irq)
{
	bool self = irq->src_vcpu >= 0 && (unsigned)irq->src_vcpu == l->vcpu_id;

	if (!vlapic_hw_enabled(l))
		return false;
	switch (irq->shorthand) {
	case LAPIC_SH_SELF:
		return self;
	case LAPIC_SH_ALL:
		return true;
	case LAPIC_SH_ALL_BUT_SELF:
		return !self;
	default:
		break;
	}
	if (irq->logical)
		return match_logical(l, (uint8_t)irq->dest);
	return irq->dest == 0xff || irq->dest == l->vcpu_id;
}

/* ICR low write (§10.6.1): the IPI goes out at once. */
static void send_ipi(struct vlapic *l)
{
	uint32_t lo = l->regs[APIC_ICR_LO];
	struct lapic_irq irq = {
	    .vector = (uint8_t)(lo & 0xff),
	    .delivery = (uint8_t)((lo & LVT_DM_MASK) >> LVT_DM_SHIFT),
	    .logical = (lo & ICR_DEST_MODE) != 0,
	    .level = (lo & ICR_LEVEL) != 0,
	    .assert = (lo & ICR_ASSERT) != 0,
	    .shorthand = (uint8_t)((lo >> ICR_SHORTHAND_SHIFT) & 3),
	    .dest = l->regs[APIC_ICR_HI] >> XAPIC_DEST_SHIFT,
	    .src_vcpu = (int)l->vcpu_id,
	};

	switch (irq.delivery) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
		if (irq.vector < 16) { /* §10.5.3 "Send Illegal Vector" */
			report_error(l, ESR_SEND_ILLEGAL);
			return;
		}
		break;
	case LAPIC_DM_INIT:
		if (irq.level && !irq.assert)
			return; /* de-assert: see accept_init() */
		break;
	case LAPIC_DM_NMI:
	case LAPIC_DM_STARTUP:
		break;
	default: /* SMI, reserved, ExtINT: not sent */
		return;
	}
	if (l->ops && l->ops->send_ipi)
		l->ops->send_ipi(l->ctx, &irq);
}

/* ---- interrupt injection ---------------------------------------------- */

static bool extint_pin(struct vlapic *l)
{
	return l->ops && l->ops->extint_pending &&
	       l->ops->extint_pending(l->ctx);
}

static bool lint0_extint(const struct vlapic *l)
{
	uint32_t lvt = l->regs[APIC_LVT_LINT0];

	return !(lvt & LVT_MASKED) &&
	       ((lvt & LVT_DM_MASK) >> LVT_DM_SHIFT) == LAPIC_DM_EXTINT;
}

int vlapic_pending_intr(struct vlapic *l)
{
	int irr;

	if (l->wait_for_sipi)
		return -1;
	/* §10.4.3: with the APIC globally disabled the processor's INTR
	 * pin is the PIC's, as without an APIC. */
	if (!vlapic_hw_enabled(l))
		return extint_pin(l) ? LAPIC_PENDING_EXTINT : -1;
	if (l->extint_msg || (lint0_extint(l) && extint_pin(l)))
		return LAPIC_PENDING_EXTINT;
	if (!sw_enabled(l))
		return -1;
	irr = vec_highest(l, APIC_IRR);
	if (irr < 0 || (irr >> 4) <= (vlapic_ppr(l) >> 4))
		return -1;
	return irr;
}

int vlapic_ack_intr(struct vlapic *l, int vector)
{
	if (vector == LAPIC_PENDING_EXTINT) {
		l->extint_msg = false;
		if (!l->ops || !l->ops->extint_ack)
			return -1;
		return l->ops->extint_ack(l->ctx);
	}
	if (vector < 16 || vector > 255 ||
	    !vec_test(l, APIC_IRR, (unsigned)vector))
		return -1;
	vec_set(l, APIC_IRR, (unsigned)vector, false);
	vec_set(l, APIC_ISR, (unsigned)vector, true);
	return vector;
}

bool vlapic_take_nmi(struct vlapic *l)
{
	bool nmi = l->pending_nmi && !l->wait_for_sipi;

	if (nmi)
		l->pending_nmi = false;
	return nmi;
}

/* ---- register access -------------------------------------------------- */

static void write_svr(struct vlapic *l, uint32_t val)
{
	l->regs[APIC_SVR] = val & (SVR_VECTOR | SVR_ENABLE | SVR_FOCUS_OFF);
	/* §10.4.7.2: software disable sets every LVT mask bit. */
	if (val & SVR_ENABLE)
		return;
	for (size_t i = 0; i < sizeof(lvt_regs); i++)
		l->regs[lvt_regs[i]] |= LVT_MASKED;
}

/* While software-disabled the mask bits cannot be cleared (§10.4.7.2). */
static void write_lvt(struct vlapic *l, unsigned reg, uint32_t val)
{
	uint32_t ro = l->regs[reg] & LVT_REMOTE_IRR;

	val &= lvt_wmask(reg);
	if (!sw_enabled(l))
		val |= LVT_MASKED;
	if (reg == APIC_LVT_TIMER) {
		vlapic_timer_write_lvt(l, val);
		return;
	}
	l->regs[reg] = val | ro;
}

static bool is_lvt(unsigned reg)
{
	return reg == APIC_LVT_CMCI ||
	       (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR);
}

/* Registers that exist but ignore writes (§10.4.1 table 10-1). */
static bool is_read_only(unsigned reg)
{
	return reg == APIC_ID || reg == APIC_VER || reg == APIC_APR ||
	       reg == APIC_PPR || reg == APIC_RRD || reg == APIC_TMCCT ||
	       (reg >= APIC_ISR && reg < APIC_IRR + 8);
}

/* Registers kept in regs[] (the others are computed or reserved). */
static bool is_stored(unsigned reg)
{
	return reg == APIC_ID || reg == APIC_VER || is_lvt(reg) ||
	       reg == APIC_TPR || (reg >= APIC_LDR && reg <= APIC_ESR) ||
	       reg == APIC_ICR_LO || reg == APIC_ICR_HI || reg == APIC_TMICT ||
	       reg == APIC_TDCR;
}

static void reg_write(struct vlapic *l, unsigned reg, uint32_t val)
{
	if (is_lvt(reg)) {
		write_lvt(l, reg, val);
		return;
	}
	switch (reg) {
	case APIC_TPR:
		l->regs[reg] = val & 0xff;
		break;
	case APIC_EOI:
		write_eoi(l);
		break;
	case APIC_LDR:
		l->regs[reg] = val & 0xff000000u;
		break;
	case APIC_DFR: /* bits 27:0 read as ones */
		l->regs[reg] = (val & 0xf0000000u) | 0x0fffffffu;
		break;
	case APIC_SVR:
		write_svr(l, val);
		break;
	case APIC_ESR: /* the write latches the errors seen since the last
			  one (§10.5.3) */
		l->regs[reg] = l->esr_pending;
		l->esr_pending = 0;
		break;
	case APIC_ICR_LO:
		l->regs[reg] = val & ICR_LO_WMASK;
		send_ipi(l);
		break;
	case APIC_ICR_HI:
		l->regs[reg] = val & 0xff000000u;
		break;
	case APIC_TMICT:
		vlapic_timer_write_icr(l, val);
		break;
	case APIC_TDCR:
		vlapic_timer_write_dcr(l, val);
		break;
	default:
		if (!is_read_only(reg))
			report_error(l, ESR_ILLEGAL_REG);
		break;
	}
}

static uint32_t reg_read(struct vlapic *l, unsigned reg)
{
	switch (reg) {
	case APIC_APR:
		return compute_apr(l);
	case APIC_PPR:
		return vlapic_ppr(l);
	case APIC_EOI:
	case APIC_RRD:
		return 0;
	case APIC_TMCCT:
		return vlapic_timer_ccr(l);
	default:
		break;
	}
	if (is_stored(reg))
		return l->regs[reg];
	/* §10.5.3 "Illegal Register Address" */
	report_error(l, ESR_ILLEGAL_REG);
	return 0;
}

uint64_t vlapic_base(struct vlapic *l)
{
	return l->base_msr & BASE_ADDR_MASK;
}

/*
 * §10.4.1: registers are 32 bits wide on 16-byte boundaries and only
 * aligned 32-bit accesses are architectural. Anything else reads 0 and
 * writes nothing. A globally disabled APIC (§10.4.3) does not decode
 * its page: reads float high, as on an empty bus.
 */
int vlapic_mmio(void *opaque, uint64_t addr, unsigned size, bool is_write,
		uint64_t *val)
{
	struct vlapic *l = opaque;
	uint64_t base = vlapic_base(l);
	uint64_t off = addr - base;

	if (addr < base || off >= VLAPIC_SIZE || !vlapic_hw_enabled(l)) {
		if (!is_write)
			*val = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
		return 0;
	}
	if (!is_write)
		*val = 0;
	if (size != 4 || (off & 0xf))
		return 0;
	if (is_write)
		reg_write(l, (unsigned)(off >> 4), (uint32_t)*val);
	else
		*val = reg_read(l, (unsigned)(off >> 4));
	return 0;
}

/* ---- MSR, CR8, misc --------------------------------------------------- */

uint64_t vlapic_get_base_msr(struct vlapic *l)
{
	return l->base_msr;
}

/*
 * §10.4.4: base in bits 35:12, enable bit 11, x2APIC bit 10 (refused:
 * x2APIC is not offered), BSP bit 8 (fixed by the platform, a write
 * cannot change it). Clearing the enable bit puts the APIC back in its
 * power-up state (§10.4.3), keeping its ID.
 */
int vlapic_set_base_msr(struct vlapic *l, uint64_t value)
{
	uint64_t allowed = BASE_ADDR_MASK | BASE_ENABLE | BASE_BSP;

	if (value & ~allowed)
		return -EINVAL;
	if (!(value & BASE_ENABLE) && vlapic_hw_enabled(l))
		reset_registers(l);
	l->base_msr =
	    (value & (BASE_ADDR_MASK | BASE_ENABLE)) | (l->bsp ? BASE_BSP : 0);
	return 0;
}

/* §10.8.6.1: CR8[3:0] is TPR[7:4]; writing CR8 clears TPR[3:0]. */
uint8_t vlapic_get_cr8(struct vlapic *l)
{
	return (uint8_t)((l->regs[APIC_TPR] >> 4) & 0xf);
}

void vlapic_set_cr8(struct vlapic *l, uint8_t cr8)
{
	l->regs[APIC_TPR] = (uint32_t)(cr8 & 0xf) << 4;
}

unsigned vlapic_id(struct vlapic *l)
{
	return l->vcpu_id;
}

bool vlapic_enabled(struct vlapic *l)
{
	return vlapic_hw_enabled(l) && sw_enabled(l);
}

/* ---- save / load ------------------------------------------------------ */

void vlapic_save(struct vlapic *l, struct vlapic_save *out)
{
	memset(out, 0, sizeof(*out));
	out->apic_base_msr = l->base_msr;
	memcpy(out->regs, l->regs, sizeof(out->regs));
	out->regs[APIC_APR] = compute_apr(l);
	out->regs[APIC_PPR] = vlapic_ppr(l);
	out->regs[APIC_TMCCT] = vlapic_timer_ccr(l);
	vlapic_timer_save(l, &out->timer_deadline, &out->timer_period);
	out->pending_nmi = l->pending_nmi;
	out->wait_for_sipi = l->wait_for_sipi;
}

/* Registers whose every bit is checked against its write mask. */
static int check_reg_bits(const uint32_t *r)
{
	static const struct {
		uint8_t reg;
		uint32_t wmask;
	} masks[] = {
	    {APIC_TPR, 0xff},
	    {APIC_LDR, 0xff000000u},
	    {APIC_SVR, SVR_VECTOR | SVR_ENABLE | SVR_FOCUS_OFF},
	    {APIC_ESR, ESR_SEND_ILLEGAL | ESR_RECV_ILLEGAL | ESR_ILLEGAL_REG},
	    {APIC_ICR_LO, ICR_LO_WMASK},
	    {APIC_ICR_HI, 0xff000000u},
	};

	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++)
		if (r[masks[i].reg] & ~masks[i].wmask)
			return -EINVAL;
	for (size_t i = 0; i < sizeof(lvt_regs); i++) {
		uint32_t ro =
		    lvt_regs[i] == APIC_LVT_LINT0 ? LVT_REMOTE_IRR : 0;

		if (r[lvt_regs[i]] & ~(lvt_wmask(lvt_regs[i]) | ro))
			return -EINVAL;
		if (!(r[APIC_SVR] & SVR_ENABLE) &&
		    !(r[lvt_regs[i]] & LVT_MASKED))
			return -EINVAL;
	}
	return 0;
}

/* Computed on read: the record may carry anything there. */
static bool is_computed(unsigned reg)
{
	return reg == APIC_APR || reg == APIC_PPR || reg == APIC_EOI ||
	       reg == APIC_RRD || reg == APIC_TMCCT;
}

/* Fixed registers, DFR, and vectors 0-15 of the ISR/TMR/IRR banks. */
static int check_record(struct vlapic *l, const struct vlapic_save *in)
{
	const uint32_t *r = in->regs;

	if (in->apic_base_msr & ~(BASE_ADDR_MASK | BASE_ENABLE | BASE_BSP))
		return -EINVAL;
	if (in->pending_nmi > 1 || in->wait_for_sipi > 1)
		return -EINVAL;
	if (r[APIC_ID] != (uint32_t)l->vcpu_id << XAPIC_DEST_SHIFT ||
	    r[APIC_VER] != APIC_VERSION)
		return -EINVAL;
	/* Any model value can be written (only flat and cluster match). */
	if ((r[APIC_DFR] & 0x0fffffffu) != 0x0fffffffu)
		return -EINVAL;
	if ((r[APIC_ISR] | r[APIC_TMR] | r[APIC_IRR]) & 0xffff)
		return -EINVAL;
	for (unsigned i = 0; i < APIC_NREGS; i++)
		if (!is_stored(i) && !is_computed(i) && r[i])
			return -EINVAL;
	if (check_reg_bits(r) < 0)
		return -EINVAL;
	return vlapic_timer_check(in);
}

/* Computed registers (APR, PPR, CCR) in the record are ignored. */
int vlapic_load(struct vlapic *l, const struct vlapic_save *in)
{
	int rc = check_record(l, in);

	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < APIC_NREGS; i++)
		l->regs[i] = is_stored(i) ? in->regs[i] : 0;
	l->base_msr = (in->apic_base_msr & ~BASE_BSP) | (l->bsp ? BASE_BSP : 0);
	l->pending_nmi = in->pending_nmi != 0;
	l->wait_for_sipi = in->wait_for_sipi != 0;
	l->esr_pending = 0;
	l->extint_msg = false;
	vlapic_timer_load(l, in->timer_deadline, in->timer_period);
	return 0;
}
