/*
 * CPUID policy (cpuid_policy.h). Leaf and bit meanings: Intel SDM vol.
 * 2A, CPUID; KVM's entry layout: Documentation/virt/kvm/api.rst,
 * KVM_GET_SUPPORTED_CPUID. The "maximum policy" rule (a guest may not be
 * given a feature the host cannot run; the toolstack's request is
 * refused, not silently trimmed) follows Xen's set_domain_cpu_policy.
 */
#include "cpuid_policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

static const char reg_name[4][4] = {"EAX", "EBX", "ECX", "EDX"};

/* What kxend hides from every guest, and why (the reply's `why`). */
static const struct host_mask {
	uint32_t leaf;
	enum kxen_cpuid_reg reg;
	unsigned bit;
	bool pvm_only;
	const char *why;
} host_masks[] = {
    /* Our LAPIC (dev/vlapic.h) is an xAPIC: KVM offers x2APIC because
     * its own in-kernel LAPIC has it, which we do not use. */
    {1, KXEN_CPUID_ECX, 21, false, "x2apic (kxen's LAPIC is xAPIC only)"},
    /* ... and its timer has no TSC-deadline mode: a guest using it
     * would get no timer interrupts. */
    {1, KXEN_CPUID_ECX, 24, false,
     "tsc-deadline (kxen's LAPIC timer lacks it)"},
    /* DESIGN.md, Hosts: guest kernel code runs in KVM's instruction
     * emulator there, which cannot execute lock cmpxchg16b. */
    {1, KXEN_CPUID_ECX, 13, true, "cx16 (PVM: emulator lacks cmpxchg16b)"},
};

struct kvm_cpuid2 *cpuid_policy_supported(int kvm_fd)
{
	unsigned nent = 128;

	for (int tries = 0; tries < 4; tries++, nent *= 2) {
		struct kvm_cpuid2 *c =
		    calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

		if (!c)
			return NULL;
		c->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

struct kvm_cpuid2 *cpuid_policy_dup(const struct kvm_cpuid2 *c)
{
	size_t sz = sizeof(*c) + c->nent * sizeof(c->entries[0]);
	struct kvm_cpuid2 *d = malloc(sz);

	if (d)
		memcpy(d, c, sz);
	return d;
}

static uint32_t *reg_of(struct kvm_cpuid_entry2 *e, unsigned r)
{
	uint32_t *regs[4] = {&e->eax, &e->ebx, &e->ecx, &e->edx};

	return regs[r];
}

static uint32_t reg_val(const struct kvm_cpuid_entry2 *e, unsigned r)
{
	return *reg_of((struct kvm_cpuid_entry2 *)e, r);
}

static uint32_t subleaf_of(const struct kvm_cpuid_entry2 *e)
{
	return (e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX)
		   ? e->index
		   : KXEN_CPUID_NO_SUBLEAF;
}

unsigned cpuid_policy_mask_host(struct kvm_cpuid2 *c, bool pvm,
				struct kxen_cpuid_masked *masked, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		for (size_t k = 0;
		     k < sizeof(host_masks) / sizeof(host_masks[0]); k++) {
			const struct host_mask *hm = &host_masks[k];
			uint32_t *r = reg_of(e, hm->reg), bit = 1u << hm->bit;

			if (e->function != hm->leaf || (hm->pvm_only && !pvm) ||
			    !(*r & bit))
				continue;
			*r &= ~bit;
			if (!masked || n >= max)
				continue;
			memset(&masked[n], 0, sizeof(masked[n]));
			masked[n].leaf = hm->leaf;
			masked[n].subleaf = subleaf_of(e);
			masked[n].reg = (uint8_t)hm->reg;
			masked[n].bit = (uint8_t)hm->bit;
			snprintf(masked[n].why, sizeof(masked[n].why), "%s",
				 hm->why);
			n++;
		}
	}
	return n;
}

/*
 * Registers holding feature flags: a 1 there beyond the maximum policy
 * is a feature the host cannot run (SDM vol. 2A, CPUID; KVM's own
 * paravirtual feature leaf 0x40000001).
 */
static bool is_feature_reg(uint32_t leaf, uint32_t subleaf, unsigned r)
{
	switch (leaf) {
	case 1:
	case 0x80000001u:
		return r == KXEN_CPUID_ECX || r == KXEN_CPUID_EDX;
	case 7:
		return subleaf == 0 ? r != KXEN_CPUID_EAX : r == KXEN_CPUID_EAX;
	case 0xd:
		return subleaf == 1 && r == KXEN_CPUID_EAX;
	case 0x80000007u:
		return r == KXEN_CPUID_EDX;
	case 0x80000008u:
		return r == KXEN_CPUID_EBX;
	case 0x40000001u:
		return r == KXEN_CPUID_EAX;
	default:
		return false;
	}
}

/* Registers holding a count of leaves: raising one past the maximum
 * would point the guest at leaves nobody defined. */
static bool is_count_reg(uint32_t leaf, uint32_t subleaf, unsigned r)
{
	return r == KXEN_CPUID_EAX && (leaf == 0 || leaf == 0x80000000u ||
				       (leaf == 7 && subleaf == 0));
}

static bool entry_matches(const struct kvm_cpuid_entry2 *e,
			  const struct kxen_cpuid_mask *m)
{
	if (e->function != m->leaf)
		return false;
	if (m->subleaf == KXEN_CPUID_NO_SUBLEAF)
		return true;
	if (e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX)
		return e->index == m->subleaf;
	return m->subleaf == 0;
}

/* The same entries in the same order: pol and max derive from host. */
static bool same_layout(const struct kvm_cpuid2 *a, const struct kvm_cpuid2 *b)
{
	if (a->nent != b->nent)
		return false;
	for (unsigned i = 0; i < a->nent; i++)
		if (a->entries[i].function != b->entries[i].function ||
		    a->entries[i].index != b->entries[i].index)
			return false;
	return true;
}

static int check_mask(const struct kxen_cpuid_mask *m, char *why, size_t whylen)
{
	for (unsigned r = 0; r < 4; r++) {
		uint32_t both = (m->set[r] & m->clear[r]) |
				(m->set[r] & m->host[r]) |
				(m->clear[r] & m->host[r]);

		if (both) {
			snprintf(why, whylen,
				 "CPUID leaf %#x %s bit %d is in two masks "
				 "(set, clear, host)",
				 m->leaf, reg_name[r], __builtin_ctz(both));
			return -EINVAL;
		}
	}
	return 0;
}

static int check_masks(const struct kxen_cpuid_mask *m, unsigned nr, char *why,
		       size_t whylen)
{
	if (nr > KXEN_CPUID_MAX_MASKS) {
		snprintf(why, whylen, "%u CPUID masks: at most %u", nr,
			 KXEN_CPUID_MAX_MASKS);
		return -EINVAL;
	}
	for (unsigned i = 0; i < nr; i++) {
		for (unsigned j = 0; j < i; j++)
			if (m[j].leaf == m[i].leaf &&
			    m[j].subleaf == m[i].subleaf) {
				snprintf(why, whylen,
					 "CPUID leaf %#x subleaf %#x given "
					 "twice",
					 m[i].leaf, m[i].subleaf);
				return -EINVAL;
			}
		if (check_mask(&m[i], why, whylen))
			return -EINVAL;
	}
	return 0;
}

/* Why a bit beyond max is: masked by kxend, or absent from KVM. */
static const char *beyond_why(uint32_t leaf, unsigned r, unsigned bit,
			      const struct kvm_cpuid_entry2 *h)
{
	if (!(reg_val(h, r) & (1u << bit)))
		return "KVM on this host cannot offer it";
	for (size_t k = 0; k < sizeof(host_masks) / sizeof(host_masks[0]); k++)
		if (host_masks[k].leaf == leaf && host_masks[k].reg == r &&
		    host_masks[k].bit == bit)
			return host_masks[k].why;
	return "kxend masks it";
}

/* Audit one changed entry against the maximum policy. */
static int audit(const struct kvm_cpuid_entry2 *e,
		 const struct kvm_cpuid_entry2 *mx,
		 const struct kvm_cpuid_entry2 *h, char *why, size_t whylen)
{
	char leaf[24];

	if (subleaf_of(e) == KXEN_CPUID_NO_SUBLEAF)
		snprintf(leaf, sizeof(leaf), "%#x", e->function);
	else
		snprintf(leaf, sizeof(leaf), "%#x.%u", e->function, e->index);
	for (unsigned r = 0; r < 4; r++) {
		uint32_t v = reg_val(e, r), lim = reg_val(mx, r);

		if (is_feature_reg(e->function, e->index, r) && (v & ~lim)) {
			unsigned bit = (unsigned)__builtin_ctz(v & ~lim);

			snprintf(why, whylen,
				 "CPUID leaf %s %s bit %u cannot be set: not "
				 "in the host's policy (%s)",
				 leaf, reg_name[r], bit,
				 beyond_why(e->function, r, bit, h));
			return -EINVAL;
		}
		if (is_count_reg(e->function, e->index, r) && v > lim) {
			snprintf(why, whylen,
				 "CPUID leaf %s %s = %#x exceeds the host's "
				 "%#x",
				 leaf, reg_name[r], v, lim);
			return -EINVAL;
		}
	}
	return 0;
}

static void apply_one(struct kvm_cpuid_entry2 *e,
		      const struct kvm_cpuid_entry2 *h,
		      const struct kxen_cpuid_mask *m)
{
	for (unsigned r = 0; r < 4; r++) {
		uint32_t *v = reg_of(e, r);

		*v = (*v & ~(m->clear[r] | m->host[r])) | m->set[r] |
		     (reg_val(h, r) & m->host[r]);
	}
}

int cpuid_policy_apply(struct kvm_cpuid2 *pol, const struct kvm_cpuid2 *host,
		       const struct kvm_cpuid2 *max,
		       const struct kxen_cpuid_mask *m, unsigned nr, char *why,
		       size_t whylen)
{
	struct kvm_cpuid2 *next;
	int rc = check_masks(m, nr, why, whylen);

	if (rc)
		return rc;
	if (!same_layout(pol, host) || !same_layout(pol, max)) {
		snprintf(why, whylen, "CPUID policies out of step");
		return -EINVAL;
	}
	next = cpuid_policy_dup(pol);
	if (!next) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < nr && rc == 0; i++) {
		bool found = false;

		for (unsigned k = 0; k < next->nent && rc == 0; k++) {
			if (!entry_matches(&next->entries[k], &m[i]))
				continue;
			found = true;
			apply_one(&next->entries[k], &host->entries[k], &m[i]);
		}
		if (!found) {
			snprintf(why, whylen,
				 "CPUID leaf %#x subleaf %#x is not in the "
				 "host's policy",
				 m[i].leaf, m[i].subleaf);
			rc = -EINVAL;
		}
	}
	for (unsigned k = 0; k < next->nent && rc == 0; k++)
		rc = audit(&next->entries[k], &max->entries[k],
			   &host->entries[k], why, whylen);
	if (rc == 0)
		memcpy(pol->entries, next->entries,
		       pol->nent * sizeof(pol->entries[0]));
	free(next);
	return rc;
}

unsigned cpuid_policy_export(const struct kvm_cpuid2 *c,
			     struct kxen_cpuid_leaf *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->nent && n < max; i++, n++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		out[n] = (struct kxen_cpuid_leaf){.leaf = e->function,
						  .subleaf = subleaf_of(e),
						  .a = e->eax,
						  .b = e->ebx,
						  .c = e->ecx,
						  .d = e->edx};
	}
	return n;
}
