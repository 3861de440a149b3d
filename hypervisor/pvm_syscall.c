/*
 * SYSCALL completion on PVM hosts (see pvm_syscall.h).
 */
#include "pvm_syscall.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "domain.h"
#include "guest_memory.h"
#include "host.h"
#include "log.h"
#include "vcpu.h"

#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_FMASK 0xc0000084u
#define PF_VECTOR 14
#define DB_VECTOR 1
#define RFLAGS_RF (1ull << 16)
#define EFER_SCE 1ull
#define PTE_P 1ull
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

void pvm_syscall_init(struct vcpu *v)
{
	memset(&v->pvm, 0, sizeof(v->pvm));
	if (!host_kvm_is_pvm())
		return;
	v->pvm.active = true;
	/* Registers come with every exit, no KVM_GET_* ioctl needed. */
	v->run->kvm_valid_regs =
	    KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS;
}

/*
 * Guest linear address to guest-physical (SDM vol. 3 §4.5, 4-level
 * paging), from the guest's own tables; identity when paging is off.
 */
static int translate(struct vcpu *v, const struct kvm_sregs *sr, uint64_t va,
		     uint64_t *gpa)
{
	uint64_t table = sr->cr3 & PTE_ADDR, e = 0;
	int level;

	if (!(sr->cr0 & (1ull << 31))) {
		*gpa = va;
		return 0;
	}
	if (!(sr->efer & (1ull << 10)))
		return -ENOTSUP; /* legacy/PAE paging: not a 64-bit kernel */
	for (level = 3; level >= 0; level--) {
		unsigned idx = (va >> (12 + 9 * level)) & 0x1ff;

		if (guest_memory_read(&v->d->mem, table + idx * 8, &e, 8))
			return -EFAULT;
		if (!(e & PTE_P))
			return -EFAULT;
		if (level > 0 && level < 3 && (e & PTE_PS)) {
			uint64_t mask = (1ull << (12 + 9 * level)) - 1;

			*gpa = (e & PTE_ADDR & ~mask) | (va & mask);
			return 0;
		}
		table = e & PTE_ADDR;
	}
	*gpa = table | (va & 0xfff);
	return 0;
}

int vcpu_read_virt(struct vcpu *v, const struct kvm_sregs *sr, uint64_t va,
		   void *buf, size_t len)
{
	uint8_t *out = buf;

	/* Page by page: consecutive linear pages need not be contiguous. */
	while (len) {
		size_t n = 4096 - (va & 0xfff);
		uint64_t gpa;
		int rc;

		if (n > len)
			n = len;
		rc = translate(v, sr, va, &gpa);
		if (rc == 0)
			rc = guest_memory_read(&v->d->mem, gpa, out, n);
		if (rc)
			return rc;
		va += n;
		out += n;
		len -= n;
	}
	return 0;
}

static int set_debug(struct vcpu *v, uint64_t handler, bool step)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE;
	if (step) {
		dbg.control |= KVM_GUESTDBG_SINGLESTEP;
	} else if (handler) {
		/* DR0 = handler, DR7: L0 enabled, R/W0 = 00 (execute),
		 * LEN0 = 00 (SDM vol. 3 §17.2.4). */
		dbg.control |= KVM_GUESTDBG_USE_HW_BP;
		dbg.arch.debugreg[0] = handler;
		dbg.arch.debugreg[7] = 0x1;
	} else {
		dbg.control = 0;
	}
	if (ioctl(v->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return -errno;
	return 0;
}

/* Address of the IDT's #PF gate target, or 0 if not readable. */
static uint64_t pf_handler(struct vcpu *v)
{
	const struct kvm_sregs *sr = &v->run->s.regs.sregs;
	uint8_t gate[16];
	uint64_t off;

	if (!(sr->efer & (1ull << 10)) || sr->idt.limit < 16 * PF_VECTOR + 15)
		return 0;
	if (vcpu_read_virt(v, sr, sr->idt.base + 16 * PF_VECTOR, gate,
			   sizeof(gate)))
		return 0;
	if (!(gate[5] & 0x80)) /* not present */
		return 0;
	/* 64-bit gate: offset 15:0, 31:16, 63:32 (SDM vol. 3 §6.14.1). */
	off = gate[0] | (uint64_t)gate[1] << 8 | (uint64_t)gate[6] << 16 |
	      (uint64_t)gate[7] << 24 | (uint64_t)gate[8] << 32 |
	      (uint64_t)gate[9] << 40 | (uint64_t)gate[10] << 48 |
	      (uint64_t)gate[11] << 56;
	return off;
}

/*
 * The breakpoint is armed only while the guest has SYSCALL enabled
 * (EFER.SCE). That keeps guests that never enable it (boot code,
 * firmware, the bench guest) off the cost of guest debugging: with a
 * hardware breakpoint set KVM loads the debug registers on every entry,
 * ~4 us per exit on a PVM host (bench/RESULTS.md, "in-core exit
 * overhead"). On real hardware SYSCALL with SCE clear raises #UD (SDM
 * vol. 2B, SYSCALL); PVM ignores SCE and still jumps to LSTAR (issue 8's
 * measurements), so such a guest sees that fault at LSTAR as a #PF
 * instead of #UD. Only a guest that runs user mode without enabling
 * SYSCALL and then executes it can tell.
 */
void pvm_syscall_track_idt(struct vcpu *v)
{
	uint64_t h;

	if (!v->pvm.active || v->pvm.stepping)
		return;
	h = (v->run->s.regs.sregs.efer & EFER_SCE) ? pf_handler(v) : 0;
	if (h == v->pvm.handler)
		return;
	if (set_debug(v, h, false) == 0) {
		log_debug(v->d->domid, "vCPU %u: #PF handler at %#llx", v->id,
			  (unsigned long long)h);
		v->pvm.handler = h;
	}
}

static int read_syscall_msrs(struct vcpu *v)
{
	union {
		struct kvm_msrs hdr;
		uint8_t bytes[sizeof(struct kvm_msrs) +
			      3 * sizeof(struct kvm_msr_entry)];
	} m;
	struct kvm_msr_entry *e = m.hdr.entries;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 3;
	e[0].index = MSR_LSTAR;
	e[1].index = MSR_STAR;
	e[2].index = MSR_FMASK;
	if (ioctl(v->fd, KVM_GET_MSRS, &m) != 3)
		return -EIO;
	v->pvm.lstar = e[0].data;
	v->pvm.star = e[1].data;
	v->pvm.fmask = e[2].data;
	v->pvm.msrs_valid = true;
	return 0;
}

/* The #PF frame the CPU pushed (SDM vol. 3 §6.14.2, 64-bit mode). */
struct pf_frame {
	uint64_t error, rip, cs, rflags, rsp, ss;
};

static bool is_syscall_fault(struct vcpu *v, const struct pf_frame *f)
{
	const struct kvm_sregs *sr = &v->run->s.regs.sregs;

	if ((f->cs & 3) != 3 || f->rip != sr->cr2)
		return false;
	/* LSTAR is read once and again only when it does not match, so a
	 * guest that moves it is followed at the cost of one ioctl. */
	if ((!v->pvm.msrs_valid || f->rip != v->pvm.lstar) &&
	    read_syscall_msrs(v))
		return false;
	return f->rip == v->pvm.lstar;
}

/*
 * An external interrupt KVM was delivering when the syscall's fetch
 * faulted stays "injected" and would be delivered at LSTAR, in kernel
 * mode on the user's stack (no stack switch, no swapgs): take it back
 * (clear it from the events and from the sregs' pending bitmap, which
 * KVM re-queues from) and inject it again when the guest's IF allows.
 */
static void take_back_interrupt(struct vcpu *v)
{
	struct kvm_vcpu_events *ev = &v->run->s.regs.events;
	struct kvm_sregs *sr = &v->run->s.regs.sregs;

	memset(sr->interrupt_bitmap, 0, sizeof(sr->interrupt_bitmap));
	if (!ev->interrupt.injected)
		return;
	v->pvm.has_reinject = true;
	v->pvm.reinject_vector = ev->interrupt.nr;
	ev->interrupt.injected = 0;
	ev->flags = 0;
	v->run->kvm_dirty_regs |= KVM_SYNC_X86_EVENTS;
}

bool pvm_syscall_reinject(struct vcpu *v)
{
	struct kvm_interrupt ki;

	if (!v->pvm.has_reinject)
		return false;
	if (!v->run->ready_for_interrupt_injection)
		return true;
	ki.irq = v->pvm.reinject_vector;
	if (ioctl(v->fd, KVM_INTERRUPT, &ki) < 0)
		log_warn(v->d->domid, "vCPU %u: re-injecting vector %u: %s",
			 v->id, ki.irq, strerror(errno));
	v->pvm.has_reinject = false;
	return false;
}

/* What SYSCALL would have done (SDM vol. 2B, SYSCALL): CS and SS from
 * STAR[47:32], 64-bit code; RCX and R11 are already right. */
static void complete_syscall(struct vcpu *v, const struct pf_frame *f)
{
	struct kvm_regs *r = &v->run->s.regs.regs;
	struct kvm_sregs *sr = &v->run->s.regs.sregs;
	uint16_t sel = (v->pvm.star >> 32) & 0xfffc;

	r->rip = v->pvm.lstar;
	r->rsp = f->rsp;
	/* RFLAGS AND NOT IA32_FMASK, as SYSCALL does: with IF still set
	 * an interrupt could arrive before the kernel leaves the user
	 * stack. RF cleared as on any instruction completion. */
	r->rflags = (f->rflags & ~v->pvm.fmask & ~RFLAGS_RF) | 0x2;
	sr->cs = (struct kvm_segment){.base = 0,
				      .limit = 0xffffffff,
				      .selector = sel,
				      .type = 11,
				      .present = 1,
				      .dpl = 0,
				      .s = 1,
				      .l = 1,
				      .g = 1};
	sr->ss = (struct kvm_segment){.base = 0,
				      .limit = 0xffffffff,
				      .selector = sel + 8,
				      .type = 3,
				      .present = 1,
				      .dpl = 0,
				      .db = 1,
				      .s = 1,
				      .g = 1};
	take_back_interrupt(v);
	v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	__atomic_fetch_add(&v->pvm.completed, 1, __ATOMIC_RELAXED);
}

bool pvm_syscall_debug_exit(struct vcpu *v)
{
	struct kvm_debug_exit_arch *dbg = &v->run->debug.arch;
	struct pf_frame f;

	if (!v->pvm.active || dbg->exception != DB_VECTOR)
		return false;
	if (v->pvm.stepping) {
		/* One instruction of the genuine fault's handler ran. */
		v->pvm.stepping = false;
		return set_debug(v, v->pvm.handler, false) == 0;
	}
	if (!v->pvm.handler || dbg->pc != v->pvm.handler)
		return false;
	if (vcpu_read_virt(v, &v->run->s.regs.sregs, v->run->s.regs.regs.rsp,
			   &f, sizeof(f)) == 0 &&
	    is_syscall_fault(v, &f)) {
		complete_syscall(v, &f);
		return true;
	}
	/* A genuine #PF: let the guest's handler take it. */
	__atomic_fetch_add(&v->pvm.stepped, 1, __ATOMIC_RELAXED);
	v->pvm.stepping = true;
	return set_debug(v, 0, true) == 0;
}
