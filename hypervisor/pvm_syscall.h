/*
 * SYSCALL completion for guests on PVM hosts (issue 8; DESIGN.md, Hosts).
 *
 * On PVM a non-PVM guest's `syscall` from user mode loads RIP = LSTAR,
 * RCX and R11 and masks RFLAGS, but leaves CS/SS at the user selectors:
 * the fetch at LSTAR then faults (#PF, supervisor page from user mode)
 * and no exit reaches us. What does reach us: a guest-debug hardware
 * breakpoint (KVM_SET_GUEST_DEBUG, DR0) on the guest's #PF handler,
 * found through its IDT, armed while the guest has EFER.SCE set (an
 * armed breakpoint costs every exit, see pvm_syscall_track_idt). At
 * that breakpoint the exception frame on the guest's stack tells a
 * syscall (RIP == CR2 == LSTAR, user CS) from a genuine fault: a
 * syscall is completed here (CS/SS from STAR, RSP and RFLAGS from the
 * frame) and the guest resumes at LSTAR in kernel mode; a genuine fault
 * is stepped over (breakpoint off, one single step, breakpoint on) so
 * the guest's own handler runs.
 *
 * The guest's own debug registers: while this is active, DR0 and DR7
 * belong to kxend; a guest that programs hardware breakpoints does not
 * get them (documented in docs/design-notes.md). Nothing here runs on
 * VT-x/AMD-V hosts.
 *
 * Owned by the vCPU's thread; kvm_run's sync registers carry the state
 * (KVM_CAP_SYNC_REGS), so the common path costs no vCPU ioctl.
 */
#ifndef KXEN_PVM_SYSCALL_H
#define KXEN_PVM_SYSCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;

struct pvm_syscall {
	bool active;	  /* PVM host: the mechanism is on */
	uint64_t handler; /* armed #PF handler address; 0: none */
	bool stepping;	  /* single-stepping over a genuine fault */
	uint64_t lstar, star, fmask;
	bool msrs_valid;
	/* An interrupt KVM had in flight when the syscall faulted: it
	 * must not land at LSTAR before the kernel leaves the user stack,
	 * so it is taken back and re-injected once the guest allows. */
	bool has_reinject;
	uint8_t reinject_vector;
	uint64_t completed; /* syscalls completed (relaxed atomic) */
	uint64_t stepped;   /* genuine faults stepped over */
};

/* Turn the mechanism on for this vCPU when the host is PVM. */
void pvm_syscall_init(struct vcpu *v);
/* After every exit: follow the guest's IDT (lidt cannot be trapped). */
void pvm_syscall_track_idt(struct vcpu *v);
/* Before KVM_RUN: an interrupt taken back at a syscall completion, if
 * any, goes in now if the guest can take it (returns true if pending). */
bool pvm_syscall_reinject(struct vcpu *v);

/* KVM_EXIT_DEBUG: returns true when it was ours (handled). */
bool pvm_syscall_debug_exit(struct vcpu *v);

struct kvm_sregs;
/* Read guest linear memory through the guest's own 4-level page tables
 * (sr: its CR0/CR3/EFER); -EFAULT when unmapped. */
int vcpu_read_virt(struct vcpu *v, const struct kvm_sregs *sr, uint64_t va,
		   void *buf, size_t len);

#endif
