/*
 * A vCPU: its KVM fd, the shared kvm_run page and the thread that loops
 * on KVM_RUN. Flags live under the domain's lock (see domain.h).
 */
#ifndef KXEN_VCPU_H
#define KXEN_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kxen/abi.h"
#include "pvm_syscall.h"

struct domain;

struct vcpu {
	struct domain *d;
	unsigned id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool thread_started;

	/* Guarded by d->lock. */
	bool online;	   /* context set; takes part in scheduling */
	bool halted;	   /* in HLT, waiting for an interrupt */
	bool parked;	   /* the thread is waiting, not in KVM_RUN */
	bool init_pending; /* INIT received: reset, wait for SIPI */
	bool sipi_pending; /* STARTUP received, vector below */
	uint8_t sipi_vector;

	/* Owned by the vCPU thread. */
	bool halt_if; /* RFLAGS.IF when it halted */
	bool nmi_pending;

	/* Bumped (atomically) by whoever may have made an interrupt
	 * deliverable, before waking d->cond: a halted vCPU that checked
	 * for interrupts sees the change and does not sleep on it. */
	uint64_t wake_seq;

	uint64_t exits; /* relaxed atomic */

	/* SYSCALL completion on PVM hosts (issue 8); the thread owns it. */
	struct pvm_syscall pvm;
};

/* Install the no-op kick signal handler; once per process. */
int vcpu_init_signals(void);

int vcpu_create(struct domain *d, unsigned id, int mmap_size,
		const struct kvm_cpuid2 *cpuid, struct vcpu **out);
int vcpu_start(struct vcpu *v);
/* KVM_SET_CPUID2 from cpuid with this vCPU's APIC IDs; before it runs. */
int vcpu_set_cpuid(struct vcpu *v, const struct kvm_cpuid2 *cpuid);
/* Make the thread leave KVM_RUN soon; callers then wait on d->cond. */
void vcpu_kick(struct vcpu *v);
/* Join the thread; d->dying must be set. */
void vcpu_join(struct vcpu *v);
/* Release a joined vCPU. */
void vcpu_destroy(struct vcpu *v);

/* Wire-layer callbacks (irq.h): ctx is the domain. */
void vcpu_irq_kick(void *ctx, unsigned vcpu);
void vcpu_irq_init(void *ctx, unsigned vcpu);
void vcpu_irq_sipi(void *ctx, unsigned vcpu, uint8_t vector);
uint64_t vcpu_cpu_time_ns(struct vcpu *v);

/* The vCPU must be parked (domain paused or vCPU offline). */
int vcpu_set_context(struct vcpu *v, const struct kxen_vcpu_context *ctx);
int vcpu_get_context(struct vcpu *v, struct kxen_vcpu_context *ctx);

#endif
