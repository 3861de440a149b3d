/*
 * A domain inside its kxend child: VM creation, lifecycle (pause,
 * unpause, crash, destroy) and the domain-wide view of its vCPUs.
 */
#include "domain.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cpuid_policy.h"
#include "dev/debugcon.h"
#include "evtchn.h"
#include "ioreq.h"
#include "irq.h"
#include "log.h"
#include "platform.h"
#include "test_devices.h"
#include "host.h"
#include "vcpu.h"
#include "vclock.h"
#include "vtimer.h"

/* Where KVM on Intel keeps the real-mode TSS: 3 pages in the MMIO hole,
 * just below the BIOS area, as other VMMs place it. */
#define KVM_TSS_ADDR 0xfffbd000ul
#define PAUSE_TIMEOUT_S 10

/*
 * IA32_APIC_BASE belongs to our LAPIC model: have KVM exit to us for it
 * (KVM_CAP_X86_USER_SPACE_MSR + an MSR filter denying it in-kernel).
 * Without that the base stays at its default, which we log.
 */
static void filter_apic_base_msr(struct domain *d)
{
	static uint8_t deny_bitmap[1] = {0}; /* bit clear: deny */
	struct kvm_enable_cap cap = {.cap = KVM_CAP_X86_USER_SPACE_MSR,
				     .args = {KVM_MSR_EXIT_REASON_FILTER}};
	struct kvm_msr_filter filter = {.flags = KVM_MSR_FILTER_DEFAULT_ALLOW};

	filter.ranges[0] = (struct kvm_msr_filter_range){
	    .flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
	    .nmsrs = 1,
	    .base = 0x1b,
	    .bitmap = deny_bitmap};
	if (ioctl(d->vm_fd, KVM_ENABLE_CAP, &cap) < 0 ||
	    ioctl(d->vm_fd, KVM_X86_SET_MSR_FILTER, &filter) < 0)
		log_warn(d->domid,
			 "cannot filter IA32_APIC_BASE (%s): the "
			 "LAPIC cannot be relocated",
			 strerror(errno));
}

/*
 * CPUID policy (cpuid_policy.h): KVM's supported CPUID is the host
 * policy; minus kxend's masks it is the domain's default and maximum
 * policy; the toolstack may change it (domain_set_cpuid) until the
 * domain first runs.
 */
static int init_cpuid(struct domain *d)
{
	d->cpuid_host = cpuid_policy_supported(d->kvm_fd);
	if (!d->cpuid_host)
		return -errno ? -errno : -ENOMEM;
	d->cpuid_max = cpuid_policy_dup(d->cpuid_host);
	if (!d->cpuid_max)
		return -ENOMEM;
	if (cpuid_policy_mask_host(d->cpuid_max, host_kvm_is_pvm(), NULL, 0))
		log_debug(d->domid, "CPUID: x2APIC, TSC-deadline%s masked",
			  host_kvm_is_pvm() ? ", CX16 (PVM host)" : "");
	d->cpuid = cpuid_policy_dup(d->cpuid_max);
	return d->cpuid ? 0 : -ENOMEM;
}

int domain_set_cpuid(struct domain *d, const struct kxen_cpuid_mask *m,
		     unsigned nr)
{
	char why[200];
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	if (d->started) {
		log_warn(d->domid, "CPUID policy change refused: the domain "
				   "has run (set it before the first unpause)");
		rc = -EBUSY;
	}
	if (rc == 0)
		rc = cpuid_policy_apply(d->cpuid, d->cpuid_host, d->cpuid_max,
					m, nr, why, sizeof(why));
	if (rc == -EINVAL || rc == -ENOMEM)
		log_warn(d->domid, "CPUID policy refused: %s", why);
	/* vCPUs are parked until the first unpause: KVM takes a new CPUID
	 * before KVM_RUN. */
	for (unsigned i = 0; i < d->max_vcpus && rc == 0; i++)
		rc = vcpu_set_cpuid(d->vcpus[i], d->cpuid);
	if (rc == 0)
		log_info(d->domid,
			 "CPUID policy: %u mask(s) from the toolstack "
			 "applied",
			 nr);
	else if (rc != -EINVAL && rc != -EBUSY && rc != -ENOMEM)
		log_warn(d->domid, "KVM_SET_CPUID2: %s", strerror(-rc));
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static int open_vm(struct domain *d)
{
	int api;

	d->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (d->kvm_fd < 0)
		return -errno;
	api = ioctl(d->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return -ENOSYS;
	d->vm_fd = ioctl(d->kvm_fd, KVM_CREATE_VM, 0);
	if (d->vm_fd < 0)
		return -errno;
	/* Emulation failures come back with the instruction bytes, so a
	 * crash names them (and later layers can emulate a few). */
	struct kvm_enable_cap cap = {.cap = KVM_CAP_EXIT_ON_EMULATION_FAILURE,
				     .args = {1}};
	if (ioctl(d->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		log_debug(d->domid, "KVM_CAP_EXIT_ON_EMULATION_FAILURE: %s",
			  strerror(errno));
	filter_apic_base_msr(d);
	/* Needed on VMX hosts to run real mode; harmless elsewhere. */
	if (ioctl(d->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0)
		log_debug(d->domid, "KVM_SET_TSS_ADDR: %s", strerror(errno));
	return 0;
}

static int create_vcpus(struct domain *d)
{
	int mmap_size, rc = 0;
	unsigned i;

	mmap_size = ioctl(d->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0)
		return -errno;
	rc = init_cpuid(d);
	if (rc)
		return rc;
	d->vcpus = calloc(d->max_vcpus, sizeof(d->vcpus[0]));
	if (!d->vcpus)
		return -ENOMEM;
	for (i = 0; i < d->max_vcpus && rc == 0; i++)
		rc = vcpu_create(d, i, mmap_size, d->cpuid, &d->vcpus[i]);
	for (i = 0; i < d->max_vcpus && rc == 0; i++)
		rc = vcpu_start(d->vcpus[i]);
	return rc;
}

/* The ioreq path: event channels, servers, 0xcf8/0xcfc, and one bounce
 * page per vCPU for string I/O. */
static int create_ioreq(struct domain *d)
{
	int rc;

	d->evtchn = evtchn_table_create(d->domid);
	d->ioreq = ioreq_servers_create(d);
	if (!d->evtchn || !d->ioreq)
		return -ENOMEM;
	rc = guest_memory_add_internal(
	    &d->mem, IOREQ_BOUNCE_BASE >> KXEN_PAGE_SHIFT, d->max_vcpus);
	return rc ? rc : ioreq_register_pci_config(d->ioreq, d->io);
}

static int create_devices(struct domain *d)
{
	int rc;

	d->io = io_table_create();
	d->debugcon = debugcon_create(d->domid);
	if (!d->io || !d->debugcon)
		return -ENOMEM;
	rc = debugcon_register(d->debugcon, d->io);
	if (rc == 0)
		rc = create_ioreq(d);
	return rc ? rc : platform_create(d);
}

int domain_create(struct domain **out, uint32_t domid, const char *name,
		  unsigned max_vcpus, uint64_t max_pages)
{
	struct domain *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return -ENOMEM;
	d->domid = domid;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->kvm_fd = d->vm_fd = -1;
	d->max_vcpus = max_vcpus;
	/* Created paused, as Xen's domains are: the toolstack builds the
	 * guest, then unpauses. */
	d->pause_count = 1;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	rc = open_vm(d);
	if (rc == 0) {
		guest_memory_init(&d->mem, domid, d->vm_fd, max_pages);
		rc = create_devices(d);
	}
	if (rc == 0)
		rc = create_vcpus(d);
	if (rc) {
		log_error(domid, "cannot create the VM: %s", strerror(-rc));
		domain_destroy(d);
		return rc;
	}
	*out = d;
	return 0;
}

/*
 * Teardown order matters: timer callbacks kick vCPUs and vCPU threads
 * call into the devices. So: no new timer callbacks, no more kicks
 * (dying), join the vCPU threads, then free the devices (waiting for a
 * callback still running), the vCPUs, and the timer service last.
 */
void domain_destroy(struct domain *d)
{
	unsigned i;

	if (!d)
		return;
	if (d->timers)
		vtimer_service_pause(d->timers);
	pthread_mutex_lock(&d->lock);
	d->dying = true;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	for (i = 0; d->vcpus && i < d->max_vcpus; i++)
		vcpu_join(d->vcpus[i]);
	test_devices_destroy(d); /* lowers its lines: before the wires go */
	platform_destroy(d);
	ioreq_servers_destroy(d->ioreq);
	evtchn_table_destroy(d->evtchn);
	for (i = 0; d->vcpus && i < d->max_vcpus; i++)
		vcpu_destroy(d->vcpus[i]);
	free(d->vcpus);
	free(d->cpuid_host);
	free(d->cpuid_max);
	free(d->cpuid);
	vtimer_service_destroy(d->timers);
	vclock_destroy(d->clock);
	debugcon_destroy(d->debugcon);
	io_table_destroy(d->io);
	if (d->vm_fd >= 0)
		guest_memory_release(&d->mem);
	if (d->vm_fd >= 0)
		close(d->vm_fd);
	if (d->kvm_fd >= 0)
		close(d->kvm_fd);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* Caller holds d->lock. */
static bool all_parked(struct domain *d)
{
	unsigned i;

	for (i = 0; i < d->max_vcpus; i++)
		if (!d->vcpus[i]->parked)
			return false;
	return true;
}

int domain_pause(struct domain *d)
{
	struct timespec deadline;
	unsigned i;
	bool first;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += PAUSE_TIMEOUT_S;
	pthread_mutex_lock(&d->lock);
	/* Xen counts pauses by the controller and caps the count. */
	if (d->pause_count == 255) {
		pthread_mutex_unlock(&d->lock);
		return -EOVERFLOW;
	}
	d->pause_count++;
	for (i = 0; i < d->max_vcpus; i++)
		vcpu_kick(d->vcpus[i]);
	pthread_cond_broadcast(&d->cond);
	while (!all_parked(d) && rc == 0)
		rc = pthread_cond_timedwait(&d->cond, &d->lock, &deadline);
	first = d->pause_count == 1;
	pthread_mutex_unlock(&d->lock);
	/* Guest time stops with the vCPUs (vclock.h). */
	if (first)
		platform_pause(d);
	if (rc) {
		log_error(d->domid, "vCPUs did not stop within %d s",
			  PAUSE_TIMEOUT_S);
		return -ETIMEDOUT;
	}
	return 0;
}

int domain_unpause(struct domain *d)
{
	pthread_mutex_lock(&d->lock);
	if (d->pause_count == 0) {
		pthread_mutex_unlock(&d->lock);
		return -EINVAL;
	}
	/* Time restarts before the vCPUs do. */
	if (d->pause_count == 1)
		platform_unpause(d);
	d->pause_count--;
	d->started = true; /* vCPUs may run from here on */
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	char reason[sizeof(d->crash_reason)];
	unsigned i;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&d->lock);
	if (d->crashed) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	d->crashed = true;
	memcpy(d->crash_reason, reason, sizeof(reason));
	for (i = 0; i < d->max_vcpus; i++)
		vcpu_kick(d->vcpus[i]);
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	log_error(d->domid, "domain '%s' crashed: %s", d->name, reason);
}

/* Caller holds d->lock. */
static uint32_t state_locked(struct domain *d)
{
	unsigned i, online = 0, halted = 0;

	if (d->dying)
		return KXEN_STATE_DYING;
	if (d->crashed)
		return KXEN_STATE_CRASHED;
	if (d->shutdown)
		return KXEN_STATE_SHUTDOWN;
	if (d->pause_count)
		return KXEN_STATE_PAUSED;
	for (i = 0; i < d->max_vcpus; i++) {
		online += d->vcpus[i]->online;
		halted += d->vcpus[i]->online && d->vcpus[i]->halted;
	}
	return online && halted == online ? KXEN_STATE_BLOCKED
					  : KXEN_STATE_RUNNING;
}

void domain_get_info(struct domain *d, struct kxen_domain_info *info)
{
	unsigned i;

	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	info->max_vcpus = d->max_vcpus;
	info->tot_pages = d->mem.tot_pages;
	info->max_pages = d->mem.max_pages;
	info->child_pid = getpid();
	snprintf(info->name, sizeof(info->name), "%s", d->name);
	for (i = 0; i < d->max_vcpus; i++)
		info->cpu_time_ns += vcpu_cpu_time_ns(d->vcpus[i]);
	pthread_mutex_lock(&d->lock);
	info->state = state_locked(d);
	for (i = 0; i < d->max_vcpus; i++)
		info->online_vcpus += d->vcpus[i]->online;
	if (d->shutdown)
		info->shutdown_reason = d->shutdown_reason;
	if (d->shutdown && d->has_exit_status) {
		info->exit_status = d->exit_status;
		info->flags |= KXEN_INFO_EXIT_STATUS;
	}
	if (d->crashed)
		snprintf(info->crash_reason, sizeof(info->crash_reason), "%s",
			 d->crash_reason);
	pthread_mutex_unlock(&d->lock);
}

void domain_exit_stats(struct domain *d, struct kxen_exit_stats_reply *out)
{
	unsigned i;

	memset(out, 0, sizeof(*out));
	out->emulation_failures =
	    __atomic_load_n(&d->emulation_failures, __ATOMIC_RELAXED);
	out->emulated_softints =
	    __atomic_load_n(&d->emulated_softints, __ATOMIC_RELAXED);
	out->nr_vcpus = d->max_vcpus;
	for (i = 0; i < d->max_vcpus && i < KXEN_MAX_VCPUS; i++) {
		struct vcpu *v = d->vcpus[i];

		if (!v)
			continue;
		out->vcpu_exits[i] =
		    __atomic_load_n(&v->exits, __ATOMIC_RELAXED);
		out->pvm_syscalls +=
		    __atomic_load_n(&v->pvm.completed, __ATOMIC_RELAXED);
		out->pvm_faults_stepped +=
		    __atomic_load_n(&v->pvm.stepped, __ATOMIC_RELAXED);
	}
	if (d->ioreq)
		out->count = ioreq_range_stats(d->ioreq, out->range,
					       KXEN_EXIT_STATS_MAX_RANGES);
}

int domain_vcpu_setcontext(struct domain *d, unsigned vcpu,
			   const struct kxen_vcpu_context *ctx)
{
	struct vcpu *v;
	int rc;

	if (vcpu >= d->max_vcpus)
		return -ENOENT;
	v = d->vcpus[vcpu];
	pthread_mutex_lock(&d->lock);
	/* Registers of a running vCPU belong to its thread. */
	if (!v->parked ||
	    (v->online && !d->pause_count && !d->crashed && !d->shutdown)) {
		pthread_mutex_unlock(&d->lock);
		return -EBUSY;
	}
	rc = vcpu_set_context(v, ctx);
	if (rc == 0) {
		v->online = true;
		v->halted = false;
		pthread_cond_broadcast(&d->cond);
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

int domain_vcpu_getcontext(struct domain *d, unsigned vcpu,
			   struct kxen_vcpu_context *ctx)
{
	struct vcpu *v;
	int rc;

	if (vcpu >= d->max_vcpus)
		return -ENOENT;
	v = d->vcpus[vcpu];
	pthread_mutex_lock(&d->lock);
	rc = v->parked ? vcpu_get_context(v, ctx) : -EBUSY;
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static void shutdown_with(struct domain *d, uint32_t reason, bool has_status,
			  uint32_t status, const char *why)
{
	bool asked;
	unsigned i;

	pthread_mutex_lock(&d->lock);
	if (d->shutdown || d->crashed) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	/* kxl reboot can only press the power button (a PC has no reboot
	 * button): the power-off that answers it is the reboot asked for. */
	asked = reason == KXEN_SHUTDOWN_POWEROFF && d->poweroff_is_reboot &&
		!has_status; /* an exit device's status is a plain exit */
	d->shutdown = true;
	d->shutdown_reason = asked ? KXEN_SHUTDOWN_REBOOT : reason;
	d->has_exit_status = has_status;
	d->exit_status = status;
	for (i = 0; i < d->max_vcpus; i++)
		vcpu_kick(d->vcpus[i]);
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	log_info(d->domid, "domain '%s' shut down: %s%s", d->name, why,
		 asked ? " (counted as a reboot: kxl reboot asked for one)"
		       : "");
}

void domain_shutdown(struct domain *d, uint32_t reason, const char *why)
{
	shutdown_with(d, reason, false, 0, why);
}

void domain_shutdown_status(struct domain *d, uint32_t status, const char *why)
{
	shutdown_with(d, KXEN_SHUTDOWN_POWEROFF, true, status, why);
}

int domain_set_param(struct domain *d, uint32_t index, uint64_t value)
{
	if (index != KXEN_HVM_PARAM_TIMER_MODE ||
	    value > TIMER_MODE_ONE_MISSED_TICK_PENDING)
		return -EINVAL;
	vtimer_set_mode(d->timers, (enum timer_mode)value);
	log_info(d->domid, "timer_mode %llu", (unsigned long long)value);
	return 0;
}

int domain_get_param(struct domain *d, uint32_t index, uint64_t *value)
{
	if (index != KXEN_HVM_PARAM_TIMER_MODE)
		return -EINVAL;
	*value = vtimer_mode(d->timers);
	return 0;
}

void domain_io_stats(struct domain *d, struct kxen_io_stats_reply *out,
		     unsigned max)
{
	struct io_range_stat st[KXEN_IO_STATS_MAX];
	struct io_stats port, mmio;
	unsigned i, n;

	io_table_stats(d->io, IO_SPACE_PORT, &port);
	io_table_stats(d->io, IO_SPACE_MMIO, &mmio);
	out->unclaimed_port = port.unclaimed;
	out->unclaimed_mmio = mmio.unclaimed;
	out->pad = 0;
	n = io_table_range_stats(d->io, st, max ? max - 1 : 0);
	for (i = 0; i < n; i++) {
		struct kxen_io_stat *o = &out->stat[i];

		memset(o, 0, sizeof(*o));
		snprintf(o->name, sizeof(o->name), "%s", st[i].name);
		o->space = st[i].space;
		o->base = st[i].base;
		o->len = st[i].len;
		o->exits = st[i].exits;
		o->time_ns = st[i].time_ns;
	}
	if (max) { /* the LAPICs, all vCPUs together */
		struct kxen_io_stat *o = &out->stat[n++];

		memset(o, 0, sizeof(*o));
		snprintf(o->name, sizeof(o->name), "lapic");
		o->space = IO_SPACE_MMIO;
		o->base = 0xfee00000ull;
		o->len = 0x1000;
		irq_lapic_stats(d->irq, &o->exits, &o->time_ns);
	}
	out->count = n;
}
