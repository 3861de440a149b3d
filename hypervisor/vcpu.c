/*
 * vCPU threads: each loops on KVM_RUN and dispatches exits. Without the
 * in-kernel irqchip (the core is the irqchip), HLT comes back to us and
 * the thread parks until something wakes it.
 *
 * Kicking: another thread sets the flag it wants noticed under d->lock,
 * then sets kvm_run.immediate_exit and sends SIGUSR1. A signal that lands
 * inside KVM_RUN makes it return EINTR; one that lands just before entry
 * is caught by immediate_exit. The thread clears immediate_exit before it
 * re-checks the flags, so no kick is lost.
 */
#include "vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "domain.h"
#include "ioreq.h"
#include "irq.h"
#include "log.h"
#include "vcpu_internal.h"

#define KICK_SIGNAL SIGUSR1

static void kick_handler(int sig)
{
	(void)sig; /* Only there to interrupt KVM_RUN. */
}

int vcpu_init_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: KVM_RUN must return EINTR. */
	if (sigaction(KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int vcpu_set_cpuid(struct vcpu *v, const struct kvm_cpuid2 *host)
{
	size_t sz = sizeof(*host) + host->nent * sizeof(host->entries[0]);
	struct kvm_cpuid2 *c = malloc(sz);
	unsigned i;
	int rc = 0;

	if (!c)
		return -ENOMEM;
	memcpy(c, host, sz);
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		/* Initial APIC ID (SDM vol. 2A, CPUID leaf 1 EBX[31:24]). */
		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (v->id << 24);
		/* x2APIC ID of leaf 0xB is EDX. */
		if (e->function == 0xb)
			e->edx = v->id;
	}
	if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
		rc = -errno;
	free(c);
	return rc;
}

int vcpu_create(struct domain *d, unsigned id, int mmap_size,
		const struct kvm_cpuid2 *cpuid, struct vcpu **out)
{
	struct vcpu *v = calloc(1, sizeof(*v));
	int rc;

	if (!v)
		return -ENOMEM;
	v->d = d;
	v->id = id;
	v->parked = true;
	v->fd = ioctl(d->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0) {
		rc = -errno;
		free(v);
		return rc;
	}
	v->run_size = mmap_size;
	v->run =
	    mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		rc = -errno;
		close(v->fd);
		free(v);
		return rc;
	}
	rc = vcpu_set_cpuid(v, cpuid);
	if (rc) {
		munmap(v->run, v->run_size);
		close(v->fd);
		free(v);
		return rc;
	}
	*out = v;
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (v->thread_started)
		pthread_kill(v->thread, KICK_SIGNAL);
}

/* After the core table missed: the ioreq servers, then the empty bus. */
static int forward(struct vcpu *v, enum io_space space, uint64_t addr,
		   unsigned size, unsigned count, bool is_write, uint8_t *data)
{
	struct domain *d = v->d;
	uint64_t one = 0;
	int rc;

	/* A single access travels by value (ioreq data field). */
	if (count == 1)
		memcpy(&one, data, size);
	rc = ioreq_send(d->ioreq, v->id, space, addr, size, count, is_write,
			count == 1 ? (void *)&one : data);
	if (rc > 0 && count == 1 && !is_write)
		memcpy(data, &one, size);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	for (unsigned i = 0; i < count; i++) {
		uint64_t val = 0;

		io_table_unclaimed(d->io, space, addr, size, is_write, &val,
				   d->domid);
		if (!is_write)
			memcpy(data + (size_t)i * size, &val, size);
	}
	return 0;
}

static int handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	unsigned size = run->io.size, i;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	int rc = 0;

	if ((size != 1 && size != 2 && size != 4) ||
	    run->io.data_offset >= v->run_size ||
	    (uint64_t)run->io.count * size > v->run_size - run->io.data_offset)
		return -EIO;
	/* A rep string instruction arrives as count elements: the core's
	 * devices take them one by one, a DM gets them in one request. */
	for (i = 0; i < run->io.count; i++) {
		uint64_t val = 0;

		if (is_write)
			memcpy(&val, data + (size_t)i * size, size);
		rc = io_table_access(v->d->io, IO_SPACE_PORT, run->io.port,
				     size, is_write, &val);
		if (rc == -ENOENT)
			return forward(v, IO_SPACE_PORT, run->io.port, size,
				       run->io.count - i, is_write,
				       data + (size_t)i * size);
		if (rc)
			return rc;
		if (!is_write)
			memcpy(data + (size_t)i * size, &val, size);
	}
	return 0;
}

static int handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t addr = run->mmio.phys_addr;
	unsigned len = run->mmio.len;
	uint64_t val = 0;
	int rc;

	if (len == 0 || len > 8)
		return -EIO;
	if (run->mmio.is_write)
		memcpy(&val, run->mmio.data, len);
	/* The LAPIC page is per vCPU (and relocatable): it comes first. */
	if (irq_lapic_claims(v->d->irq, v->id, addr))
		rc = irq_lapic_mmio(v->d->irq, v->id, addr, len,
				    run->mmio.is_write, &val);
	else
		rc = io_table_access(v->d->io, IO_SPACE_MMIO, addr, len,
				     run->mmio.is_write, &val);
	if (rc == -ENOENT)
		rc = forward(v, IO_SPACE_MMIO, addr, len, 1, run->mmio.is_write,
			     (uint8_t *)&val);
	if (rc)
		return rc;
	if (!run->mmio.is_write)
		memcpy(run->mmio.data, &val, len);
	return 0;
}

static void handle_hlt(struct vcpu *v)
{
	struct domain *d = v->d;

	/* Sleep until an interrupt is deliverable (or, with IF clear,
	 * until an NMI or INIT), see wait_runnable(). */
	v->halt_if = v->run->if_flag;
	pthread_mutex_lock(&d->lock);
	v->halted = true;
	pthread_mutex_unlock(&d->lock);
}

/* IA32_APIC_BASE, the one MSR kxend filters to user space. */
static void handle_msr(struct vcpu *v, bool is_write)
{
	struct kvm_run *run = v->run;

	run->msr.error = 0;
	if (run->msr.index != 0x1b) {
		run->msr.error = 1; /* #GP, as for an unknown MSR */
		return;
	}
	if (is_write)
		run->msr.error =
		    irq_lapic_set_base(v->d->irq, v->id, run->msr.data) != 0;
	else
		run->msr.data = irq_lapic_get_base(v->d->irq, v->id);
}

/* Returns true when the vCPU may go on (the instruction was ours). */
static bool handle_internal_error(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	char bytes[3 * 15 + 1] = "";
	unsigned i, n = 0;
	struct kvm_regs regs;
	unsigned long long rip = 0;

	/* KVM overlays struct emulation_failure on the internal-error
	 * exit; the bytes are valid only when its flag says so. */
	if (run->emulation_failure.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	    run->emulation_failure.ndata >= 3 &&
	    (run->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		unsigned len = run->emulation_failure.insn_size;

		if (vcpu_emulate_failed_insn(v,
					     run->emulation_failure.insn_bytes,
					     len < 15 ? len : 15))
			return true;

		for (i = 0; i < len && i < 15; i++)
			n += snprintf(bytes + n, sizeof(bytes) - n, "%s%02x",
				      i ? " " : "",
				      run->emulation_failure.insn_bytes[i]);
	}
	if (run->emulation_failure.suberror == KVM_INTERNAL_ERROR_EMULATION)
		__atomic_fetch_add(&v->d->emulation_failures, 1,
				   __ATOMIC_RELAXED);
	if (ioctl(v->fd, KVM_GET_REGS, &regs) == 0)
		rip = regs.rip;
	domain_crash(
	    v->d, "vCPU %u: KVM internal error (suberror %u) at RIP %#llx%s%s",
	    v->id, run->internal.suberror, rip, n ? ", bytes " : "", bytes);
	return false;
}

/* Returns false when the vCPU must stop running the guest. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	int rc;

	__atomic_fetch_add(&v->exits, 1, __ATOMIC_RELAXED);
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		rc = handle_io(v);
		if (rc)
			domain_crash(v->d,
				     "vCPU %u: port %#x access failed: %s",
				     v->id, run->io.port, strerror(-rc));
		return rc == 0;
	case KVM_EXIT_MMIO:
		rc = handle_mmio(v);
		if (rc)
			domain_crash(
			    v->d, "vCPU %u: MMIO %#llx access failed: %s",
			    v->id, (unsigned long long)run->mmio.phys_addr,
			    strerror(-rc));
		return rc == 0;
	case KVM_EXIT_HLT:
		handle_hlt(v);
		return true;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return true;
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		handle_msr(v, run->exit_reason == KVM_EXIT_X86_WRMSR);
		return true;
	case KVM_EXIT_SHUTDOWN:
		/* A PC resets on a triple fault; kxen reports a crash, as
		 * XenServer has Xen do (README, "Lifecycle"): for a guest it
		 * nearly always means a broken kernel, and on_crash decides. */
		domain_crash(v->d, "vCPU %u: triple fault", v->id);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		return handle_internal_error(v);
	case KVM_EXIT_DEBUG:
		if (pvm_syscall_debug_exit(v))
			return true;
		domain_crash(v->d, "vCPU %u: unexpected debug exit at %#llx",
			     v->id, (unsigned long long)run->debug.arch.pc);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		domain_crash(v->d,
			     "vCPU %u: VM entry failed (hardware reason %#llx)",
			     v->id,
			     (unsigned long long)
				 run->fail_entry.hardware_entry_failure_reason);
		return false;
	default:
		domain_crash(v->d, "vCPU %u: unhandled exit reason %u", v->id,
			     run->exit_reason);
		return false;
	}
}

/* Caller holds d->lock: wait for a change, marked as parked. */
static void park(struct vcpu *v)
{
	struct domain *d = v->d;

	if (!v->parked) {
		v->parked = true;
		pthread_cond_broadcast(&d->cond);
	}
	pthread_cond_wait(&d->cond, &d->lock);
}

/* Caller holds d->lock, v is halted: returns with the lock held after
 * either waking the vCPU or sleeping once. The irq lock cannot be taken
 * under d->lock (lock order), hence the wake_seq check: a kick that
 * lands between the interrupt check and the sleep bumps it. */
static void halt_wait(struct vcpu *v)
{
	struct domain *d = v->d;
	uint64_t seq = __atomic_load_n(&v->wake_seq, __ATOMIC_SEQ_CST);
	bool wake;

	pthread_mutex_unlock(&d->lock);
	wake = vcpu_halt_wakes(v);
	pthread_mutex_lock(&d->lock);
	if (wake)
		v->halted = false;
	else if (seq == __atomic_load_n(&v->wake_seq, __ATOMIC_SEQ_CST) &&
		 v->halted && !d->dying && !d->pause_count)
		park(v);
}

/* Wait until the vCPU may run; returns false when it must end. */
static bool wait_runnable(struct vcpu *v)
{
	struct domain *d = v->d;

	pthread_mutex_lock(&d->lock);
	for (;;) {
		if (d->dying)
			break;
		if (d->crashed || d->shutdown || d->pause_count) {
			park(v);
		} else if (v->init_pending || v->sipi_pending) {
			pthread_mutex_unlock(&d->lock);
			vcpu_startup(v);
			pthread_mutex_lock(&d->lock);
		} else if (!v->online) {
			park(v);
		} else if (v->halted) {
			halt_wait(v);
		} else {
			v->parked = false;
			pthread_cond_broadcast(&d->cond);
			pthread_mutex_unlock(&d->lock);
			return true;
		}
	}
	v->parked = true;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	return false;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	ioreq_set_current_vcpu(v->id);
	pvm_syscall_init(v);
	while (wait_runnable(v)) {
		int rc, err;

		vcpu_inject(v);
		rc = ioctl(v->fd, KVM_RUN, 0);
		err = errno;
		__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		vcpu_sync_cr8(v);
		pvm_syscall_track_idt(v);
		if (rc < 0) {
			if (err == EINTR || err == EAGAIN)
				continue;
			domain_crash(v->d, "vCPU %u: KVM_RUN failed: %s", v->id,
				     strerror(err));
			continue;
		}
		handle_exit(v);
	}
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	sigset_t all, old;
	int rc;

	/* The thread inherits a mask with the kick signal open. */
	sigfillset(&all);
	sigdelset(&all, KICK_SIGNAL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&v->thread, NULL, vcpu_thread, v);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	v->thread_started = true;
	return 0;
}

void vcpu_join(struct vcpu *v)
{
	if (!v || !v->thread_started)
		return;
	vcpu_kick(v);
	pthread_join(v->thread, NULL);
	v->thread_started = false;
}

void vcpu_destroy(struct vcpu *v)
{
	if (!v)
		return;
	vcpu_join(v);
	munmap(v->run, v->run_size);
	close(v->fd);
	free(v);
}

uint64_t vcpu_cpu_time_ns(struct vcpu *v)
{
	struct timespec ts;
	clockid_t cid;

	if (!v->thread_started || pthread_getcpuclockid(v->thread, &cid) ||
	    clock_gettime(cid, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}
