/*
 * Conversion between kxen's vCPU context (include/kxen/abi.h) and KVM's
 * register ioctls. Segment attributes follow the VMX access-rights
 * layout (Intel SDM vol. 3 §24.4.1, table 24-2).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vcpu.h"

static void seg_to_kvm(const struct kxen_segment *s, struct kvm_segment *k)
{
	memset(k, 0, sizeof(*k));
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = s->attr & 0xf;
	k->s = (s->attr >> 4) & 1;
	k->dpl = (s->attr >> 5) & 3;
	k->present = (s->attr >> 7) & 1;
	k->avl = (s->attr >> 12) & 1;
	k->l = (s->attr >> 13) & 1;
	k->db = (s->attr >> 14) & 1;
	k->g = (s->attr >> 15) & 1;
	k->unusable = !k->present;
}

static void seg_from_kvm(const struct kvm_segment *k, struct kxen_segment *s)
{
	s->base = k->base;
	s->limit = k->limit;
	s->selector = k->selector;
	s->attr = (k->type & 0xf) | (k->s & 1) << 4 | (k->dpl & 3) << 5 |
		  (k->present & 1) << 7 | (k->avl & 1) << 12 |
		  (k->l & 1) << 13 | (k->db & 1) << 14 | (k->g & 1) << 15;
}

/* Bits the architecture reserves; KVM would fail entry on them. */
#define CR0_RESERVED 0xffffffff1ffaffc0ull
#define EFER_ALLOWED 0xd01ull /* SCE, LME, LMA, NXE */

static int context_check(const struct kxen_vcpu_context *c)
{
	if (c->cr0 & CR0_RESERVED)
		return -EINVAL;
	if (c->efer & ~EFER_ALLOWED)
		return -EINVAL;
	if (!(c->rflags & 0x2) || (c->rflags >> 22))
		return -EINVAL;
	if (c->gdtr.limit > 0xffff || c->idtr.limit > 0xffff)
		return -EINVAL;
	return 0;
}

int vcpu_set_context(struct vcpu *v, const struct kxen_vcpu_context *c)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int rc = context_check(c);

	if (rc)
		return rc;
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	seg_to_kvm(&c->cs, &sregs.cs);
	seg_to_kvm(&c->ds, &sregs.ds);
	seg_to_kvm(&c->es, &sregs.es);
	seg_to_kvm(&c->fs, &sregs.fs);
	seg_to_kvm(&c->gs, &sregs.gs);
	seg_to_kvm(&c->ss, &sregs.ss);
	seg_to_kvm(&c->tr, &sregs.tr);
	seg_to_kvm(&c->ldtr, &sregs.ldt);
	sregs.gdt.base = c->gdtr.base;
	sregs.gdt.limit = c->gdtr.limit;
	sregs.idt.base = c->idtr.base;
	sregs.idt.limit = c->idtr.limit;
	sregs.cr0 = c->cr0;
	sregs.cr2 = c->cr2;
	sregs.cr3 = c->cr3;
	sregs.cr4 = c->cr4;
	sregs.efer = c->efer;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rax = c->rax, regs.rbx = c->rbx, regs.rcx = c->rcx;
	regs.rdx = c->rdx, regs.rsi = c->rsi, regs.rdi = c->rdi;
	regs.rsp = c->rsp, regs.rbp = c->rbp;
	regs.r8 = c->r8, regs.r9 = c->r9, regs.r10 = c->r10;
	regs.r11 = c->r11, regs.r12 = c->r12, regs.r13 = c->r13;
	regs.r14 = c->r14, regs.r15 = c->r15;
	regs.rip = c->rip;
	regs.rflags = c->rflags;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

int vcpu_get_context(struct vcpu *v, struct kxen_vcpu_context *c)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0 ||
	    ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	memset(c, 0, sizeof(*c));
	c->rax = regs.rax, c->rbx = regs.rbx, c->rcx = regs.rcx;
	c->rdx = regs.rdx, c->rsi = regs.rsi, c->rdi = regs.rdi;
	c->rsp = regs.rsp, c->rbp = regs.rbp;
	c->r8 = regs.r8, c->r9 = regs.r9, c->r10 = regs.r10;
	c->r11 = regs.r11, c->r12 = regs.r12, c->r13 = regs.r13;
	c->r14 = regs.r14, c->r15 = regs.r15;
	c->rip = regs.rip;
	c->rflags = regs.rflags;
	c->cr0 = sregs.cr0, c->cr2 = sregs.cr2, c->cr3 = sregs.cr3;
	c->cr4 = sregs.cr4, c->efer = sregs.efer;
	seg_from_kvm(&sregs.cs, &c->cs);
	seg_from_kvm(&sregs.ds, &c->ds);
	seg_from_kvm(&sregs.es, &c->es);
	seg_from_kvm(&sregs.fs, &c->fs);
	seg_from_kvm(&sregs.gs, &c->gs);
	seg_from_kvm(&sregs.ss, &c->ss);
	seg_from_kvm(&sregs.tr, &c->tr);
	seg_from_kvm(&sregs.ldt, &c->ldtr);
	c->gdtr.base = sregs.gdt.base;
	c->gdtr.limit = sregs.gdt.limit;
	c->idtr.base = sregs.idt.base;
	c->idtr.limit = sregs.idt.limit;
	return 0;
}
