/*
 * One domain, as its kxend child process holds it: the KVM VM, guest
 * RAM, the exit dispatch table, in-core devices and the vCPUs.
 *
 * Lock order (STYLE.md): domain->lock, then device locks, then the log.
 * domain->lock guards: pause_count, dying, crashed, crash_reason and each
 * vCPU's online/halted/parked flags. The rest is set up by the control
 * thread before vCPUs run and is read-only while they do.
 */
#ifndef KXEN_DOMAIN_H
#define KXEN_DOMAIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest_memory.h"
#include "io_dispatch.h"
#include "kxen/abi.h"

struct vcpu;
struct debugcon;
struct vclock;
struct vtimer_service;
struct irq_router;
struct vpit;
struct vrtc;
struct vhpet;
struct pmtimer;
struct evtchn_table;
struct ioreq_servers;
struct debugexit;
struct testdev;
struct fwcfg;

struct domain {
	uint32_t domid;
	char name[KXEN_NAME_MAX];
	int kvm_fd;
	int vm_fd;
	struct guest_memory mem;
	struct io_table *io;
	struct debugcon *debugcon;

	/* Platform (issue 3): clock, timers, wires and in-core devices. */
	struct vclock *clock;
	struct vtimer_service *timers;
	struct irq_router *irq;
	struct vpit *pit;
	struct vrtc *rtc;
	struct vhpet *hpet;
	struct pmtimer *pm;
	void *pm_adapter;

	/* QEMU's test devices (issue 9, test_devices.h); NULL unless the
	 * toolstack asked for them before the first unpause. */
	struct debugexit *debugexit;
	struct testdev *testdev;
	struct fwcfg *fwcfg;

	/* Device models (issue 4). */
	struct evtchn_table *evtchn;
	struct ioreq_servers *ioreq;

	unsigned max_vcpus;
	struct vcpu **vcpus;

	/* CPUID (cpuid_policy.h): KVM's, the most kxend allows, and this
	 * domain's; changed under lock until `started` (first unpause). */
	struct kvm_cpuid2 *cpuid_host, *cpuid_max, *cpuid;

	pthread_mutex_t lock;
	pthread_cond_t cond; /* any change of the flags below */
	unsigned pause_count;
	bool dying;
	bool crashed;
	bool started;  /* unpaused at least once: vCPUs may have run */
	bool shutdown; /* the guest powered itself off */
	uint32_t shutdown_reason; /* KXEN_SHUTDOWN_*, set with shutdown */
	bool poweroff_is_reboot;  /* kxl reboot pressed the power button */
	bool has_exit_status;	  /* set with shutdown by an exit device */
	uint32_t exit_status;
	char crash_reason[128];

	/* Counted per domain for `kxl stat` and the logs. */
	uint64_t emulation_failures;
	uint64_t emulated_softints; /* INT3 / INT n delivered by us */
};

/* Build the VM, its vCPUs (parked) and the in-core devices. */
int domain_create(struct domain **out, uint32_t domid, const char *name,
		  unsigned max_vcpus, uint64_t max_pages);
/* Stop and join the vCPUs, release KVM fds and memory. */
void domain_destroy(struct domain *d);

int domain_pause(struct domain *d);
int domain_unpause(struct domain *d);

/*
 * Crash the domain (guest-caused): its vCPUs stop, the reason is kept and
 * logged. Safe from any thread; later calls keep the first reason.
 */
void domain_crash(struct domain *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The guest asked to power off (ACPI S5): its vCPUs stop. */
void domain_shutdown(struct domain *d, uint32_t reason, const char *why);

/*
 * The guest asked to end with an exit status (isa-debug-exit): a
 * poweroff that also records status for the domain info
 * (KXEN_INFO_EXIT_STATUS). Ignored, like domain_shutdown, once the
 * domain has shut down or crashed.
 */
void domain_shutdown_status(struct domain *d, uint32_t status, const char *why);

void domain_get_info(struct domain *d, struct kxen_domain_info *info);

/* xc_domain_send_trigger (hypervisor/trigger.c); errors as abi.h says. */
int domain_send_trigger(struct domain *d, const struct kxen_send_trigger *r);

/* Xen HVM parameters: only HVM_PARAM_TIMER_MODE for now. */
int domain_set_param(struct domain *d, uint32_t index, uint64_t value);
int domain_get_param(struct domain *d, uint32_t index, uint64_t *value);

/* Fill the I/O statistics reply (at most max entries). */
void domain_io_stats(struct domain *d, struct kxen_io_stats_reply *out,
		     unsigned max);

/* Fill the exit statistics reply (DM ranges, PVM syscalls, vCPUs). */
void domain_exit_stats(struct domain *d, struct kxen_exit_stats_reply *out);
/* KXEN_OP_DOMAIN_SET_CPUID (abi.h): apply the toolstack's masks. */
int domain_set_cpuid(struct domain *d, const struct kxen_cpuid_mask *m,
		     unsigned nr);

int domain_vcpu_setcontext(struct domain *d, unsigned vcpu,
			   const struct kxen_vcpu_context *ctx);
int domain_vcpu_getcontext(struct domain *d, unsigned vcpu,
			   struct kxen_vcpu_context *ctx);

#endif
