/*
 * Interrupt side of a vCPU: injection before each KVM_RUN (the core is
 * the irqchip, so KVM_INTERRUPT when KVM says the window is open,
 * otherwise ask for an interrupt-window exit), NMIs, waking from HLT,
 * and INIT/SIPI processor start-up (SDM vol. 3 §8.4.4).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "domain.h"
#include "irq.h"
#include "log.h"
#include "pvm_syscall.h"
#include "vcpu.h"
#include "vcpu_internal.h"

/* Called with the irq lock held: wake the vCPU if it sleeps in HLT and
 * make it leave KVM_RUN so it can take the interrupt. */
void vcpu_irq_kick(void *ctx, unsigned id)
{
	struct domain *d = ctx;
	struct vcpu *v;

	if (!d->vcpus || id >= d->max_vcpus || !(v = d->vcpus[id]))
		return;
	__atomic_add_fetch(&v->wake_seq, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&d->lock);
	if (!d->dying) {
		pthread_cond_broadcast(&d->cond);
		if (!pthread_equal(pthread_self(), v->thread))
			vcpu_kick(v);
	}
	pthread_mutex_unlock(&d->lock);
}

static struct vcpu *startup_target(struct domain *d, unsigned id)
{
	if (!d->vcpus || id >= d->max_vcpus)
		return NULL;
	return d->vcpus[id];
}

void vcpu_irq_init(void *ctx, unsigned id)
{
	struct domain *d = ctx;
	struct vcpu *v = startup_target(d, id);

	if (!v)
		return;
	pthread_mutex_lock(&d->lock);
	v->init_pending = true;
	v->sipi_pending = false;
	pthread_mutex_unlock(&d->lock);
	vcpu_irq_kick(d, id);
}

void vcpu_irq_sipi(void *ctx, unsigned id, uint8_t vector)
{
	struct domain *d = ctx;
	struct vcpu *v = startup_target(d, id);

	if (!v)
		return;
	pthread_mutex_lock(&d->lock);
	v->sipi_pending = true;
	v->sipi_vector = vector;
	pthread_mutex_unlock(&d->lock);
	vcpu_irq_kick(d, id);
}

/* Real-mode state a STARTUP IPI gives (SDM §8.4.4.1, table 9-1 reset
 * values with CS:IP = vector << 8 : 0). */
static void sipi_context(struct kxen_vcpu_context *c, uint8_t vector)
{
	const struct kxen_segment data = {0, 0xffff, 0, 0x93};

	memset(c, 0, sizeof(*c));
	c->cs = (struct kxen_segment){(uint64_t)vector << 12, 0xffff,
				      (uint16_t)(vector << 8), 0x9b};
	c->ds = c->es = c->fs = c->gs = c->ss = data;
	c->tr = (struct kxen_segment){0, 0xffff, 0, 0x8b};
	c->ldtr = (struct kxen_segment){0, 0xffff, 0, 0x82};
	c->gdtr.limit = c->idtr.limit = 0xffff;
	c->cr0 = 0x60000010; /* CD, NW, ET */
	c->rflags = 0x2;
}

/* In the vCPU's own thread: act on INIT and STARTUP. */
void vcpu_startup(struct vcpu *v)
{
	struct domain *d = v->d;
	struct kxen_vcpu_context ctx;
	bool init, sipi;
	uint8_t vector;

	pthread_mutex_lock(&d->lock);
	init = v->init_pending;
	sipi = v->sipi_pending;
	vector = v->sipi_vector;
	v->init_pending = v->sipi_pending = false;
	if (init) {
		/* Wait-for-SIPI: the vCPU stops until a STARTUP arrives. */
		v->online = false;
		v->halted = false;
	}
	pthread_mutex_unlock(&d->lock);
	if (init)
		log_debug(d->domid, "vCPU %u: INIT", v->id);
	if (!sipi)
		return;
	sipi_context(&ctx, vector);
	if (vcpu_set_context(v, &ctx) < 0) {
		domain_crash(d, "vCPU %u: cannot start at SIPI vector %#x",
			     v->id, vector);
		return;
	}
	log_debug(d->domid, "vCPU %u: STARTUP at %#x", v->id, vector << 12);
	pthread_mutex_lock(&d->lock);
	v->online = true;
	v->halted = false;
	pthread_mutex_unlock(&d->lock);
}

/* Whether a halted vCPU has something to wake for. */
bool vcpu_halt_wakes(struct vcpu *v)
{
	struct irq_router *r = v->d->irq;

	if (!v->nmi_pending && irq_take_nmi(r, v->id))
		v->nmi_pending = true;
	return v->nmi_pending || irq_can_wake(r, v->id, v->halt_if);
}

/* Before KVM_RUN, in the vCPU's thread. */
void vcpu_inject(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct irq_router *r = v->d->irq;
	struct kvm_interrupt ki;
	int vector;

	if (v->nmi_pending || irq_take_nmi(r, v->id)) {
		v->nmi_pending = false;
		if (ioctl(v->fd, KVM_NMI) < 0)
			log_warn(v->d->domid, "vCPU %u: KVM_NMI: %s", v->id,
				 strerror(errno));
	}
	/* KVM reloads the guest's CR8 from here on entry (no in-kernel
	 * LAPIC), so TPR written through MMIO must be mirrored. */
	run->cr8 = irq_get_cr8(r, v->id);
	/* An interrupt taken back at a SYSCALL completion goes first. */
	if (pvm_syscall_reinject(v)) {
		run->request_interrupt_window = 1;
		return;
	}
	if (irq_pending_vector(r, v->id) < 0) {
		run->request_interrupt_window = 0;
		return;
	}
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return;
	}
	vector = irq_ack_vector(r, v->id);
	if (vector >= 0) {
		ki.irq = vector;
		if (ioctl(v->fd, KVM_INTERRUPT, &ki) < 0)
			log_warn(v->d->domid, "vCPU %u: KVM_INTERRUPT %d: %s",
				 v->id, vector, strerror(errno));
	}
	run->request_interrupt_window = irq_pending_vector(r, v->id) >= 0;
}

/* After an exit: the guest may have written CR8. */
void vcpu_sync_cr8(struct vcpu *v)
{
	irq_set_cr8(v->d->irq, v->id, v->run->cr8 & 0xf);
}
