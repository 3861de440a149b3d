/*
 * Private to the vLAPIC (vlapic.c: registers, delivery, IPIs;
 * vlapic_timer.c: the LVT timer). Register layout of the xAPIC page,
 * Intel SDM vol. 3 §10.4.1 table 10-1: every register sits in the low
 * dword of a 16-byte slot, so a register is named by its offset >> 4,
 * which is also its index in struct vlapic_save's regs[].
 */
#ifndef KXEN_VLAPIC_REGS_H
#define KXEN_VLAPIC_REGS_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/vlapic.h"
#include "periodic_timer.h"

enum vlapic_reg {
	APIC_ID = 0x02,
	APIC_VER = 0x03,
	APIC_TPR = 0x08,
	APIC_APR = 0x09,
	APIC_PPR = 0x0a,
	APIC_EOI = 0x0b,
	APIC_RRD = 0x0c,
	APIC_LDR = 0x0d,
	APIC_DFR = 0x0e,
	APIC_SVR = 0x0f,
	APIC_ISR = 0x10, /* 8 registers: 0x100-0x170 */
	APIC_TMR = 0x18, /* 0x180-0x1f0 */
	APIC_IRR = 0x20, /* 0x200-0x270 */
	APIC_ESR = 0x28,
	APIC_LVT_CMCI = 0x2f,
	APIC_ICR_LO = 0x30,
	APIC_ICR_HI = 0x31,
	APIC_LVT_TIMER = 0x32,
	APIC_LVT_THERMAL = 0x33,
	APIC_LVT_PERF = 0x34,
	APIC_LVT_LINT0 = 0x35,
	APIC_LVT_LINT1 = 0x36,
	APIC_LVT_ERROR = 0x37,
	APIC_TMICT = 0x38,
	APIC_TMCCT = 0x39,
	APIC_TDCR = 0x3e,
	APIC_NREGS = 0x40,
};

/* Version register (§10.4.8): 6 LVT entries (max LVT index 5 in bits
 * 23:16), version 0x14; bit 24 (directed EOI) clear. */
#define APIC_VERSION 0x00050014u

/* LVT fields (§10.5.1, figure 10-8). */
#define LVT_VECTOR 0x000000ffu
#define LVT_DM_MASK 0x00000700u
#define LVT_DM_SHIFT 8
#define LVT_STATUS 0x00001000u /* delivery status: read-only */
#define LVT_POLARITY 0x00002000u
#define LVT_REMOTE_IRR 0x00004000u /* read-only */
#define LVT_LEVEL 0x00008000u
#define LVT_MASKED 0x00010000u
#define LVT_TIMER_PERIODIC 0x00020000u
#define LVT_RESET LVT_MASKED

/* SVR (§10.9, figure 10-23). */
#define SVR_VECTOR 0x000000ffu
#define SVR_ENABLE 0x00000100u
#define SVR_FOCUS_OFF 0x00000200u

/* ESR bits (§10.5.3, figure 10-9). */
#define ESR_SEND_ILLEGAL 0x20u
#define ESR_RECV_ILLEGAL 0x40u
#define ESR_ILLEGAL_REG 0x80u

/* IA32_APIC_BASE (§10.4.4, figure 10-5). */
#define BASE_BSP (1ull << 8)
#define BASE_X2APIC (1ull << 10)
#define BASE_ENABLE (1ull << 11)
#define BASE_ADDR_MASK 0x0000000ffffff000ull /* bits 35:12 */

struct vlapic {
	uint32_t domid;
	unsigned vcpu_id;
	bool bsp;
	struct vtimer_service *timers;
	pthread_mutex_t *irq_lock;
	const struct vlapic_ops *ops;
	void *ctx;

	uint32_t regs[APIC_NREGS]; /* stored registers, index = offset>>4 */
	uint64_t base_msr;
	uint32_t esr_pending; /* errors since the last ESR write */
	bool pending_nmi;
	bool wait_for_sipi;
	bool extint_msg;  /* an ExtINT message was accepted */
	bool lint_pin[2]; /* LINT0/LINT1 input levels */

	/* LVT timer (vlapic_timer.c): the count reaches zero at
	 * timer_deadline, then every timer_period ns (0: one-shot). */
	struct periodic_timer *pt;
	bool timer_running;
	uint64_t timer_deadline;
	uint64_t timer_period;
};

/* vlapic.c, for the timer. */
bool vlapic_hw_enabled(const struct vlapic *l);
/* A locally generated interrupt (LVT): IRR, or an illegal-vector
 * error for vectors 0-15 (§10.5.3 "Receive Illegal Vector"). */
void vlapic_accept_local(struct vlapic *l, uint8_t vector, bool level);
void vlapic_kick(struct vlapic *l);

/* vlapic_timer.c; all but create/destroy with the irq lock held. */
int vlapic_timer_create(struct vlapic *l);
void vlapic_timer_destroy(struct vlapic *l);
void vlapic_timer_stop(struct vlapic *l);
uint32_t vlapic_timer_ccr(struct vlapic *l);
void vlapic_timer_write_icr(struct vlapic *l, uint32_t val);
void vlapic_timer_write_dcr(struct vlapic *l, uint32_t val);
void vlapic_timer_write_lvt(struct vlapic *l, uint32_t val);
/* Save: next expiry and period; load: validate and restart. */
void vlapic_timer_save(struct vlapic *l, uint64_t *deadline, uint64_t *period);
int vlapic_timer_check(const struct vlapic_save *s);
void vlapic_timer_load(struct vlapic *l, uint64_t deadline, uint64_t period);
/* Bus clocks per count (§10.5.4, figure 10-10). */
unsigned vlapic_timer_divisor(uint32_t tdcr);

#endif
