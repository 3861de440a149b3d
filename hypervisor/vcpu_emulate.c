/*
 * The few instructions kxend completes itself when KVM's instruction
 * emulator cannot (DESIGN.md, Hosts: on PVM hosts guest kernel code runs
 * in that emulator, which stops on INT3 and INT n outside real mode;
 * Linux's boot runs an int3 self-test). INT3 and INT n are traps (SDM
 * vol. 3 §6.4.2, §6.5): the handler sees the address after the
 * instruction, so RIP moves past it and the event is injected: #BP as an
 * exception, INT n as an interrupt through gate n (no error code, IF
 * ignored, as INT n does).
 *
 * FWAIT (9B) only raises a pending unmasked x87 exception, which a guest
 * here never has pending across the emulator (it cannot run x87
 * arithmetic at all), so it completes as a no-op. Linux runs it on every
 * task's FPU release (fpu__drop).
 *
 * LSL with a register operand (0F 03 /r, SDM vol. 2A "LSL"): Linux reads
 * the CPU number from its per-CPU GDT entry's limit this way in its
 * paranoid entry paths (NMI, #DB, #MC); the emulator cannot run it.
 *
 * LDMXCSR m32 (0F AE /2, SDM vol. 2B "LDMXCSR"): Linux's
 * kernel_fpu_begin loads the default MXCSR with it before kernel SIMD
 * code (Debian's kernel reaches it right after unpacking the initramfs);
 * the emulator cannot run it. The operand is read through the guest's
 * page tables, reserved bits raise #GP(0) as on hardware, and the value
 * goes into the vCPU's FPU state (KVM_SET_FPU).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "domain.h"
#include "log.h"
#include "vcpu.h"
#include "vcpu_internal.h"

/* Legacy prefixes and REX: skipped to find the opcode. */
static bool is_prefix(uint8_t b)
{
	switch (b) {
	case 0x26:
	case 0x2e:
	case 0x36:
	case 0x3e:
	case 0x64:
	case 0x65:
	case 0x66:
	case 0x67:
	case 0xf0:
	case 0xf2:
	case 0xf3:
		return true;
	default:
		return b >= 0x40 && b <= 0x4f;
	}
}

/* Decode INT3 / INT imm8; returns the length or 0, *vector, *is_bp. */
static unsigned decode_softint(const uint8_t *insn, unsigned len,
			       uint8_t *vector, bool *is_bp)
{
	unsigned i = 0;

	while (i < len && i < 14 && is_prefix(insn[i]))
		i++;
	if (i < len && insn[i] == 0xcc) {
		*vector = 3;
		*is_bp = true;
		return i + 1;
	}
	if (i + 1 < len && insn[i] == 0xcd) {
		*vector = insn[i + 1];
		*is_bp = false;
		return i + 2;
	}
	return 0;
}

static int inject(struct vcpu *v, uint8_t vector, bool is_bp)
{
	struct kvm_vcpu_events ev;

	if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		return -errno;
	if (ev.exception.injected || ev.interrupt.injected)
		return -EBUSY; /* an event is already on its way */
	if (is_bp) {
		ev.exception.injected = 1;
		ev.exception.nr = vector;
		ev.exception.has_error_code = 0;
		ev.exception.error_code = 0;
	} else {
		ev.interrupt.injected = 1;
		ev.interrupt.nr = vector;
		ev.interrupt.soft = 0;
	}
	ev.flags = 0;
	if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		return -errno;
	return 0;
}

/* FWAIT, possibly prefixed: its length, or 0. */
static unsigned decode_fwait(const uint8_t *insn, unsigned len)
{
	unsigned i = 0;

	while (i < len && i < 14 && is_prefix(insn[i]))
		i++;
	return i < len && insn[i] == 0x9b ? i + 1 : 0;
}

static bool skip_insn(struct vcpu *v, unsigned n)
{
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		return false;
	regs.rip += n;
	return ioctl(v->fd, KVM_SET_REGS, &regs) == 0;
}

/* The 8-byte GDT descriptor for sel (TI=0), or -1 when out of range. */
static int read_gdt_descriptor(struct vcpu *v, const struct kvm_sregs *sr,
			       uint16_t sel, uint64_t *desc)
{
	unsigned off = sel & ~7u;

	if (sel & 4 || off == 0 || off + 7 > sr->gdt.limit)
		return -1;
	return vcpu_read_virt(v, sr, sr->gdt.base + off, desc, 8) ? -1 : 0;
}

/* LSL's checks (SDM vol. 2A): a present code/data segment, or an LDT or
 * TSS, with CPL and RPL no more privileged than the DPL unless
 * conforming code. Returns whether ZF is set and the limit. */
static bool lsl_limit(uint64_t desc, unsigned cpl, uint16_t sel,
		      uint32_t *limit)
{
	unsigned type = (desc >> 40) & 0xf, s = (desc >> 44) & 1;
	unsigned dpl = (desc >> 45) & 3, rpl = sel & 3;
	bool conforming = s && (type & 0xc) == 0xc;
	uint32_t lim = (desc & 0xffff) | ((desc >> 32) & 0xf0000);

	if (!s && type != 2 && type != 9 && type != 11)
		return false;
	if (!conforming && (cpl > dpl || rpl > dpl))
		return false;
	*limit = (desc >> 55) & 1 ? (lim << 12) | 0xfff : lim;
	return true;
}

static unsigned decode_lsl(const uint8_t *insn, unsigned len, bool *rex_w,
			   unsigned *reg, unsigned *rm)
{
	unsigned i = 0, rex = 0;

	while (i < len && i < 14 && is_prefix(insn[i])) {
		if (insn[i] >= 0x40 && insn[i] <= 0x4f)
			rex = insn[i];
		i++;
	}
	if (i + 2 >= len || insn[i] != 0x0f || insn[i + 1] != 0x03 ||
	    (insn[i + 2] >> 6) != 3)
		return 0;
	*rex_w = rex & 8;
	*reg = ((insn[i + 2] >> 3) & 7) | (rex & 4 ? 8 : 0);
	*rm = (insn[i + 2] & 7) | (rex & 1 ? 8 : 0);
	return i + 3;
}

static __u64 *gpr(struct kvm_regs *r, unsigned n)
{
	__u64 *regs[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
			   &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
			   &r->r12, &r->r13, &r->r14, &r->r15};

	return regs[n & 15];
}

static bool emulate_lsl(struct vcpu *v, const uint8_t *insn, unsigned len)
{
	unsigned reg, rm, n;
	struct kvm_sregs sr;
	struct kvm_regs r;
	uint32_t limit;
	uint64_t desc;
	bool rex_w, ok;
	uint16_t sel;

	n = decode_lsl(insn, len, &rex_w, &reg, &rm);
	if (!n || ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		return false;
	sel = (uint16_t)*gpr(&r, rm);
	ok = read_gdt_descriptor(v, &sr, sel, &desc) == 0 &&
	     lsl_limit(desc, sr.cs.dpl, sel, &limit);
	if (ok) {
		*gpr(&r, reg) = limit; /* 32-bit and 64-bit forms zero-extend */
		r.rflags |= 1u << 6;   /* ZF */
	} else {
		r.rflags &= ~(1ull << 6);
	}
	r.rip += n;
	return ioctl(v->fd, KVM_SET_REGS, &r) == 0;
}

/*
 * A ModRM memory operand's linear address (SDM vol. 2A §2.1.5, §2.2.1):
 * base + index * scale + displacement, RIP-relative for mod 0 rm 5 in
 * 64-bit mode (relative to the next instruction, at insn_end), plus the
 * FS/GS base for those prefixes. *end gets the operand's end in insn.
 * Returns -1 for a register operand or truncated bytes.
 */
static int decode_mem(const uint8_t *insn, unsigned len, unsigned i,
		      unsigned rex, unsigned seg, const struct kvm_regs *r,
		      const struct kvm_sregs *sr, uint64_t *la, unsigned *end)
{
	unsigned mod, rm, base, index, scale = 0;
	uint64_t addr = 0;
	bool rip_rel = false, no_base = false;
	int32_t disp = 0;

	if (i >= len)
		return -1;
	mod = insn[i] >> 6;
	rm = insn[i] & 7;
	i++;
	if (mod == 3)
		return -1;
	if (rm == 4) {
		if (i >= len)
			return -1;
		scale = insn[i] >> 6;
		index = ((insn[i] >> 3) & 7) | (rex & 2 ? 8 : 0);
		base = (insn[i] & 7) | (rex & 1 ? 8 : 0);
		no_base = mod == 0 && (insn[i] & 7) == 5;
		i++;
		if (index != 4)
			addr += *gpr((struct kvm_regs *)r, index) << scale;
	} else {
		base = rm | (rex & 1 ? 8 : 0);
		rip_rel = mod == 0 && rm == 5;
	}
	if (mod == 1 || (mod == 0 && (rip_rel || no_base))) {
		unsigned n = mod == 1 ? 1 : 4;

		if (i + n > len)
			return -1;
		if (n == 1)
			disp = (int8_t)insn[i];
		else
			memcpy(&disp, insn + i, 4);
		i += n;
	} else if (mod == 2) {
		if (i + 4 > len)
			return -1;
		memcpy(&disp, insn + i, 4);
		i += 4;
	}
	if (!rip_rel && !no_base)
		addr += *gpr((struct kvm_regs *)r, base);
	*end = i;
	addr += (int64_t)disp;
	if (rip_rel)
		addr += r->rip + i;
	if (seg == 0x64)
		addr += sr->fs.base;
	else if (seg == 0x65)
		addr += sr->gs.base;
	*la = addr;
	return 0;
}

static bool inject_gp(struct vcpu *v)
{
	struct kvm_vcpu_events ev;

	if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0 || ev.exception.injected)
		return false;
	ev.exception.injected = 1;
	ev.exception.nr = 13;
	ev.exception.has_error_code = 1;
	ev.exception.error_code = 0;
	ev.flags = 0;
	return ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) == 0;
}

/* MXCSR bits 16-31 are reserved (MXCSR_MASK 0xffff on every CPU with
 * DAZ; SDM vol. 1 §11.6.6): loading one set raises #GP(0). */
#define MXCSR_RESERVED 0xffff0000u

/* MXCSR sits at byte 24 of the legacy FXSAVE/XSAVE area (SDM vol. 1
 * Table 10-2), which KVM_GET/SET_XSAVE carry as the vCPU's real state
 * (KVM_SET_FPU's copy does not reach the guest on PVM hosts). */
#define XSAVE_MXCSR_OFF 24

static int set_mxcsr(struct vcpu *v, uint32_t val)
{
	struct kvm_xsave xs;

	if (ioctl(v->fd, KVM_GET_XSAVE, &xs) < 0)
		return -errno;
	memcpy((uint8_t *)xs.region + XSAVE_MXCSR_OFF, &val, sizeof(val));
	return ioctl(v->fd, KVM_SET_XSAVE, &xs) < 0 ? -errno : 0;
}

static bool emulate_ldmxcsr(struct vcpu *v, const uint8_t *insn, unsigned len)
{
	unsigned i = 0, rex = 0, seg = 0, end;
	struct kvm_sregs sr;
	struct kvm_regs r;
	uint32_t val;
	uint64_t la;

	while (i < len && i < 14 && is_prefix(insn[i])) {
		if (insn[i] >= 0x40 && insn[i] <= 0x4f)
			rex = insn[i];
		if (insn[i] == 0x64 || insn[i] == 0x65)
			seg = insn[i];
		i++;
	}
	if (i + 2 >= len || insn[i] != 0x0f || insn[i + 1] != 0xae ||
	    ((insn[i + 2] >> 3) & 7) != 2 || (insn[i + 2] >> 6) == 3)
		return false;
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &sr) < 0 ||
	    decode_mem(insn, len, i + 2, rex, seg, &r, &sr, &la, &end) < 0 ||
	    vcpu_read_virt(v, &sr, la, &val, sizeof(val)))
		return false;
	if (val & MXCSR_RESERVED)
		return inject_gp(v); /* a fault: RIP stays on LDMXCSR */
	if (set_mxcsr(v, val) < 0)
		return false;
	r.rip += end;
	return ioctl(v->fd, KVM_SET_REGS, &r) == 0;
}

bool vcpu_emulate_failed_insn(struct vcpu *v, const uint8_t *insn, unsigned len)
{
	struct kvm_regs regs;
	uint8_t vector;
	bool is_bp;
	unsigned n = decode_fwait(insn, len);

	if (n) {
		if (!skip_insn(v, n))
			return false;
		__atomic_fetch_add(&v->d->emulated_softints, 1,
				   __ATOMIC_RELAXED);
		return true;
	}
	if (emulate_lsl(v, insn, len) || emulate_ldmxcsr(v, insn, len)) {
		__atomic_fetch_add(&v->d->emulated_softints, 1,
				   __ATOMIC_RELAXED);
		return true;
	}
	n = decode_softint(insn, len, &vector, &is_bp);
	if (n == 0)
		return false;
	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		return false;
	regs.rip += n;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0 ||
	    inject(v, vector, is_bp) < 0) {
		/* Put RIP back so the crash report names the instruction. */
		regs.rip -= n;
		ioctl(v->fd, KVM_SET_REGS, &regs);
		return false;
	}
	__atomic_fetch_add(&v->d->emulated_softints, 1, __ATOMIC_RELAXED);
	return true;
}
